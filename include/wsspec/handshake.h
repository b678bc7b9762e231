/*
 * HTTP/1.1 heads and the WebSocket opening handshake (RFC 6455 §4).
 *
 * Parsing works in place, like picohttpparser: the parsed request or
 * response points into the caller's buffer, and header fields go into a
 * caller-provided array. Nothing is allocated.
 *
 * Building is exact: a request is written from a header list the caller
 * controls, so any header can be set, omitted, duplicated or mangled.
 */
#ifndef WSSPEC_HANDSHAKE_H
#define WSSPEC_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

/* The GUID appended to Sec-WebSocket-Key, RFC 6455 §1.3. */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/* Length of a Sec-WebSocket-Accept value (base64 of a SHA-1). */
#define WS_ACCEPT_LEN 28
/* Length of a Sec-WebSocket-Key value (base64 of 16 octets). */
#define WS_KEY_LEN 24
/* Default limit on the size of an HTTP head (request/status line + headers). */
#define WS_HTTP_DEFAULT_MAX_HEAD 16384

typedef struct {
    const char *name;
    size_t name_len;
    const char *value; /* leading and trailing whitespace removed */
    size_t value_len;
} ws_http_header;

typedef struct {
    const char *method;
    size_t method_len;
    const char *target;
    size_t target_len;
    int version_major;
    int version_minor;
    ws_http_header *headers; /* the caller's array */
    size_t num_headers;
} ws_http_request;

typedef struct {
    int version_major;
    int version_minor;
    int status;
    const char *reason; /* may be empty: "HTTP/1.1 101 " is valid */
    size_t reason_len;
    ws_http_header *headers;
    size_t num_headers;
} ws_http_response;

/*
 * Parse a request head from buf[0..len). Header fields are stored in
 * headers[0..max_headers). Returns:
 *   WS_OK, with *head_len = octets up to and including the empty line;
 *   WS_INCOMPLETE if the head has not ended yet and len < max_head;
 *   WS_ERR_HTTP_TOO_LARGE if no end was found within max_head octets;
 *   WS_ERR_HTTP_TOO_MANY_HEADERS, WS_ERR_HTTP_SYNTAX, WS_ERR_HTTP_OBS_FOLD.
 * Line ends may be CRLF or a bare LF.
 */
ws_err ws_http_parse_request(const char *buf, size_t len, size_t max_head, ws_http_request *req,
                             ws_http_header *headers, size_t max_headers, size_t *head_len);

/* Same for a response head (status line "HTTP/1.1 101 Switching Protocols"). */
ws_err ws_http_parse_response(const char *buf, size_t len, size_t max_head, ws_http_response *resp,
                              ws_http_header *headers, size_t max_headers, size_t *head_len);

/* The first header named `name` (case-insensitive), or NULL. *count, if not
 * NULL, receives how many headers have that name. */
const ws_http_header *ws_http_find(const ws_http_header *headers, size_t n, const char *name,
                                   size_t *count);

/* True if any header named `name` holds `token` in its comma-separated list
 * (case-insensitive, optional whitespace around elements). */
bool ws_http_has_token(const ws_http_header *headers, size_t n, const char *name,
                       const char *token);

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + WS_GUID)). out receives
 * WS_ACCEPT_LEN characters and a NUL. */
void ws_accept_key(const char *key, size_t key_len, char out[WS_ACCEPT_LEN + 1]);

/* Sec-WebSocket-Key from 16 caller-chosen (random) octets: WS_KEY_LEN chars + NUL. */
void ws_make_key(const uint8_t nonce[16], char out[WS_KEY_LEN + 1]);

/* What a valid opening request carried (server side). */
typedef struct {
    const char *key;
    size_t key_len;
    const ws_http_header *protocols;  /* first Sec-WebSocket-Protocol, or NULL */
    const ws_http_header *extensions; /* first Sec-WebSocket-Extensions, or NULL */
    const ws_http_header *host;
    const ws_http_header *origin;
} ws_hs_request_info;

/*
 * Check a parsed request against RFC 6455 §4.2.1: GET, HTTP/1.1 or later,
 * exactly one Host, Upgrade with the "websocket" token, Connection with the
 * "Upgrade" token, exactly one Sec-WebSocket-Key that is base64 of 16 octets,
 * Sec-WebSocket-Version 13. Returns WS_OK or the first WS_ERR_HS_* found;
 * WS_ERR_HS_VERSION means the server should answer 426 with
 * "Sec-WebSocket-Version: 13" (§4.4).
 */
ws_err ws_handshake_check_request(const ws_http_request *req, ws_hs_request_info *info);

/* What a valid 101 response carried (client side). */
typedef struct {
    const ws_http_header *protocol;   /* Sec-WebSocket-Protocol, or NULL */
    const ws_http_header *extensions; /* Sec-WebSocket-Extensions, or NULL */
    const ws_http_header *server;     /* Server, or NULL */
} ws_hs_response_info;

/*
 * Check a parsed response against RFC 6455 §4.1 for a request sent with
 * `key`: status 101, Upgrade websocket, Connection Upgrade, correct
 * Sec-WebSocket-Accept, a subprotocol only if it is one of the comma-separated
 * `offered_protocols` (NULL = none offered), extensions only if
 * `offered_extensions` is not NULL and names them.
 */
ws_err ws_handshake_check_response(const ws_http_response *resp, const char *key,
                                   const char *offered_protocols, const char *offered_extensions,
                                   ws_hs_response_info *info);

/*
 * Fill hdrs (capacity cap, at least 8) with the standard opening request
 * headers in this order: Host, Upgrade, Connection, Sec-WebSocket-Key,
 * Sec-WebSocket-Version, then Sec-WebSocket-Protocol, Sec-WebSocket-Extensions,
 * Origin and User-Agent when the argument is not NULL. The entries point at
 * the strings passed in (and at static strings). Returns the count.
 */
size_t ws_handshake_default_headers(ws_http_header *hdrs, size_t cap, const char *host,
                                    const char *key, const char *protocols,
                                    const char *extensions, const char *origin,
                                    const char *user_agent);

/* Write "METHOD target version\r\n" + headers + "\r\n" exactly as given.
 * WS_ERR_BUFFER_TOO_SMALL if it does not fit; *len excludes the NUL added. */
ws_err ws_http_write_request(const char *method, const char *target, const char *version,
                             const ws_http_header *hdrs, size_t n, char *out, size_t cap,
                             size_t *len);

/* Write "HTTP/1.1 status reason\r\n" + headers + "\r\n". */
ws_err ws_http_write_response(int status, const char *reason, const ws_http_header *hdrs,
                              size_t n, char *out, size_t cap, size_t *len);

#endif
