/*
 * Close frame payloads (RFC 6455 §5.5.1, §7.4): parse, validate and build.
 *
 * Which status codes may appear on the wire
 * -----------------------------------------
 * RFC 6455 §7.4.1 defines 1000-1003 and 1007-1011, which endpoints "MAY use
 * ... when sending a Close frame", and says of the others:
 *
 *   1004  "Reserved.  The specific meaning might be defined in the future."
 *   1005  "1005 is a reserved value and MUST NOT be set as a status code in a
 *          Close control frame by an endpoint."  (no status code was present)
 *   1006  "1006 is a reserved value and MUST NOT be set as a status code in a
 *          Close control frame by an endpoint."  (closed abnormally)
 *   1015  "1015 is a reserved value and MUST NOT be set as a status code in a
 *          Close control frame by an endpoint."  (TLS handshake failure)
 *
 * RFC 6455 §7.4.2 splits the rest of the space:
 *
 *   0-999      "Status codes in the range 0-999 are not used."
 *   1000-2999  "reserved for definition by this protocol, its future
 *               revisions, and extensions specified in a permanent and
 *               readily available public specification."
 *   3000-3999  "reserved for use by libraries, frameworks, and applications.
 *               These status codes are registered directly with IANA."
 *   4000-4999  "reserved for private use and thus can't be registered."
 *
 * so 3000-4999 are always acceptable, while a code in 1000-2999 is only
 * meaningful once it has been defined. §11.7 creates the IANA "WebSocket
 * Close Code Number Registry" for exactly that purpose (codes 1000-4999;
 * the 1000-2999 range needs a stable public reference). After RFC 6455 was
 * published, three more codes were registered there in the protocol range:
 *
 *   1012  Service Restart  (the service is restarting; the client may
 *                           reconnect after a delay)
 *   1013  Try Again Later  (temporary server condition, e.g. overload)
 *   1014  Bad Gateway      (a gateway/proxy got an invalid response upstream)
 *
 * They are defined codes, so a peer may legitimately send them and a
 * receiver must not treat them as a protocol error. 1004 (reserved, meaning
 * undefined), the MUST-NOT-send codes 1005, 1006, 1015, and the still
 * unassigned 1016-2999 are invalid on the wire, as is everything below 1000
 * and from 5000 up (outside the registry's 1000-4999 range).
 */
#include "wsspec/close.h"

#include <string.h>

#include "wsspec/utf8.h"

/* Largest payload of any control frame, RFC 6455 §5.5. */
#define WS_CONTROL_MAX 125

bool ws_close_code_valid(uint16_t code)
{
    if (code >= 1000 && code <= 1003) return true; /* §7.4.1 */
    if (code >= 1007 && code <= 1011) return true; /* §7.4.1 */
    if (code >= 1012 && code <= 1014) return true; /* IANA registry, §11.7 */
    return code >= 3000 && code <= 4999;           /* §7.4.2 */
}

/*
 * See close.h. `payload` may be NULL when len is 0. *out is always filled:
 * has_code/code/reason/reason_len describe the payload as far as it could be
 * split (reason is NULL when there is no code, payload + 2 otherwise, even
 * when the reason is empty). When several rules are broken, the first of
 * these is returned: CONTROL_TOO_LONG, CLOSE_PAYLOAD_1_BYTE,
 * CLOSE_CODE_INVALID, CLOSE_REASON_UTF8.
 */
ws_err ws_close_parse(const uint8_t *payload, size_t len, ws_close_info *out)
{
    out->has_code = false;
    out->code = 0;
    out->reason = NULL;
    out->reason_len = 0;

    if (len >= 2) {
        out->has_code = true;
        out->code = (uint16_t)((unsigned)payload[0] << 8 | payload[1]);
        out->reason = payload + 2;
        out->reason_len = len - 2;
    }

    if (len > WS_CONTROL_MAX) return WS_ERR_CONTROL_TOO_LONG;
    if (len == 0) return WS_OK;
    if (len == 1) return WS_ERR_CLOSE_PAYLOAD_1_BYTE;
    if (!ws_close_code_valid(out->code)) return WS_ERR_CLOSE_CODE_INVALID;
    if (!ws_utf8_is_valid(out->reason, out->reason_len)) return WS_ERR_CLOSE_REASON_UTF8;
    return WS_OK;
}

/*
 * See close.h. The code is written in network byte order; `reason` may be NULL
 * when reason_len is 0. Always writes 2 + reason_len octets and returns that.
 */
size_t ws_close_build(uint16_t code, const uint8_t *reason, size_t reason_len, uint8_t *out)
{
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)(code & 0xFF);
    if (reason_len > 0) memcpy(out + 2, reason, reason_len);
    return 2 + reason_len;
}
