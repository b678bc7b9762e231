/*
 * Close frame payloads (RFC 6455 §5.5.1, §7.4): parse, validate and build.
 */
#ifndef WSSPEC_CLOSE_H
#define WSSPEC_CLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

/* Status codes, RFC 6455 §7.4.1. */
enum {
    WS_CLOSE_NORMAL = 1000,
    WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL_ERROR = 1002,
    WS_CLOSE_UNSUPPORTED_DATA = 1003,
    WS_CLOSE_NO_STATUS = 1005,   /* never on the wire */
    WS_CLOSE_ABNORMAL = 1006,    /* never on the wire */
    WS_CLOSE_INVALID_PAYLOAD = 1007,
    WS_CLOSE_POLICY = 1008,
    WS_CLOSE_TOO_BIG = 1009,
    WS_CLOSE_MANDATORY_EXT = 1010,
    WS_CLOSE_INTERNAL_ERROR = 1011,
    WS_CLOSE_TLS = 1015,         /* never on the wire */
};

typedef struct {
    bool has_code;          /* false for an empty payload */
    uint16_t code;
    const uint8_t *reason;  /* points into the parsed payload */
    size_t reason_len;
} ws_close_info;

/*
 * True if `code` may appear in a close frame: 1000-1003, 1007-1014 (the IANA
 * registry, RFC 6455 §11.7), and 3000-4999. 1004-1006, 1015, 0-999,
 * 1016-2999 and 5000+ may not.
 */
bool ws_close_code_valid(uint16_t code);

/*
 * Parse and validate a close payload: 0 octets (no code), 1 octet
 * (WS_ERR_CLOSE_PAYLOAD_1_BYTE), >= 2: code must be valid
 * (WS_ERR_CLOSE_CODE_INVALID), reason must be UTF-8
 * (WS_ERR_CLOSE_REASON_UTF8), total <= 125 (WS_ERR_CONTROL_TOO_LONG).
 * On error, *out still holds what could be decoded.
 */
ws_err ws_close_parse(const uint8_t *payload, size_t len, ws_close_info *out);

/*
 * Write code + reason into out (capacity >= 2 + reason_len). Does not
 * validate: the forge may send any code. Returns the payload length.
 */
size_t ws_close_build(uint16_t code, const uint8_t *reason, size_t reason_len, uint8_t *out);

#endif
