/*
 * wsspec error codes: one enum for every layer, with a stable name, a message
 * and the RFC section the condition comes from, all from one X-macro table.
 *
 * Functions return ws_err. WS_OK is 0; WS_INCOMPLETE (1) is not a failure but
 * "feed me more bytes"; every other value is a failure.
 */
#ifndef WSSPEC_ERROR_H
#define WSSPEC_ERROR_H

/* X(NAME, message, rfc-section or "") */
#define WS_ERR_MAP(X)                                                                              \
    X(OK, "success", "")                                                                           \
    X(INCOMPLETE, "more input is needed", "")                                                      \
    /* frame codec */                                                                              \
    X(RESERVED_OPCODE, "reserved opcode", "RFC 6455 §5.2")                                         \
    X(RSV_NOT_NEGOTIATED, "RSV bit set without a negotiated extension", "RFC 6455 §5.2")           \
    X(CONTROL_TOO_LONG, "control frame payload longer than 125 bytes", "RFC 6455 §5.5")            \
    X(CONTROL_FRAGMENTED, "fragmented control frame", "RFC 6455 §5.5")                             \
    X(LENGTH_MSB_SET, "64-bit payload length with the most significant bit set", "RFC 6455 §5.2")  \
    X(NON_MINIMAL_LENGTH, "payload length not in its minimal encoding", "RFC 6455 §5.2")           \
    X(MASK_MISSING, "frame from the client is not masked", "RFC 6455 §5.1")                        \
    X(MASK_UNEXPECTED, "frame from the server is masked", "RFC 6455 §5.1")                         \
    X(FRAME_TOO_LARGE, "payload length over the configured limit", "RFC 6455 §10.4")               \
    X(MESSAGE_TOO_LARGE, "message length over the configured limit", "RFC 6455 §10.4")             \
    X(UNEXPECTED_CONTINUATION, "continuation frame with no message to continue", "RFC 6455 §5.4")  \
    X(EXPECTED_CONTINUATION, "new data frame inside a fragmented message", "RFC 6455 §5.4")        \
    X(FRAME_AFTER_CLOSE, "frame sent after a Close frame", "RFC 6455 §5.5.1")                      \
    /* UTF-8 */                                                                                    \
    X(UTF8_INVALID, "invalid UTF-8", "RFC 6455 §8.1")                                              \
    /* close payload */                                                                            \
    X(CLOSE_PAYLOAD_1_BYTE, "close payload of exactly one byte", "RFC 6455 §5.5.1")                \
    X(CLOSE_CODE_INVALID, "close code that must not be sent on the wire", "RFC 6455 §7.4")         \
    X(CLOSE_REASON_UTF8, "close reason is not valid UTF-8", "RFC 6455 §5.5.1")                     \
    /* HTTP / opening handshake */                                                                 \
    X(HTTP_SYNTAX, "malformed HTTP message", "RFC 7230 §3")                                        \
    X(HTTP_OBS_FOLD, "obsolete header line folding", "RFC 7230 §3.2.4")                            \
    X(HTTP_TOO_LARGE, "HTTP header block over the size limit", "RFC 6455 §10.4")                   \
    X(HTTP_TOO_MANY_HEADERS, "too many HTTP header fields", "RFC 6455 §10.4")                      \
    X(HS_METHOD, "opening handshake is not a GET request", "RFC 6455 §4.2.1")                      \
    X(HS_HTTP_VERSION, "opening handshake HTTP version is below 1.1", "RFC 6455 §4.2.1")           \
    X(HS_HOST, "missing or duplicated Host header", "RFC 6455 §4.2.1")                             \
    X(HS_UPGRADE, "Upgrade header missing or without the websocket token", "RFC 6455 §4.2.1")      \
    X(HS_CONNECTION, "Connection header missing or without the Upgrade token", "RFC 6455 §4.2.1")  \
    X(HS_KEY, "Sec-WebSocket-Key missing, duplicated or not 16 bytes of base64",                   \
      "RFC 6455 §4.2.1")                                                                           \
    X(HS_VERSION, "Sec-WebSocket-Version is not 13", "RFC 6455 §4.2.1")                            \
    X(HS_STATUS, "server did not answer 101 Switching Protocols", "RFC 6455 §4.1")                 \
    X(HS_ACCEPT, "Sec-WebSocket-Accept missing or wrong", "RFC 6455 §4.1")                         \
    X(HS_PROTOCOL, "server selected a subprotocol that was not offered", "RFC 6455 §4.1")          \
    X(HS_EXTENSION, "server selected an extension that was not offered", "RFC 6455 §4.1")          \
    X(EXT_PARAM, "invalid or unexpected extension parameter", "RFC 7692 §5")                       \
    X(DEFLATE_DATA, "invalid compressed data", "RFC 7692 §7.2.2")                                  \
    /* URLs */                                                                                     \
    X(URL_SCHEME, "URL scheme is not ws:// or wss://", "RFC 6455 §3")                              \
    X(URL_HOST, "URL has no valid host", "RFC 6455 §3")                                            \
    X(URL_PORT, "URL port is not a number in 1-65535", "RFC 6455 §3")                              \
    X(URL_FRAGMENT, "URL has a fragment", "RFC 6455 §3")                                           \
    X(URL_SYNTAX, "URL contains invalid characters", "RFC 6455 §3")                                \
    /* transport */                                                                                \
    X(TIMEOUT, "operation timed out", "")                                                          \
    X(CLOSED, "connection closed by the peer", "")                                                 \
    X(RESET, "connection reset by the peer", "")                                                   \
    X(CONNECT, "could not connect", "")                                                            \
    X(RESOLVE, "could not resolve host name", "")                                                  \
    X(LISTEN, "could not listen", "")                                                              \
    X(TLS, "TLS error", "")                                                                        \
    X(IO, "I/O error", "")                                                                         \
    /* generic */                                                                                  \
    X(NOMEM, "out of memory", "")                                                                  \
    X(BUFFER_TOO_SMALL, "output buffer too small", "")                                             \
    X(INVALID_ARG, "invalid argument", "")                                                         \
    X(CONFIG, "invalid configuration", "")

typedef enum {
#define WS_ERR_ENUM_(name, msg, rfc) WS_ERR_##name,
    WS_ERR_MAP(WS_ERR_ENUM_)
#undef WS_ERR_ENUM_
        WS_ERR_COUNT_
} ws_err;

#define WS_OK         WS_ERR_OK
#define WS_INCOMPLETE WS_ERR_INCOMPLETE

/* "RESERVED_OPCODE" etc.; "UNKNOWN" for out-of-range values. Static storage. */
const char *ws_err_name(ws_err e);
/* Human-readable message. Static storage. */
const char *ws_err_message(ws_err e);
/* The RFC section the condition comes from, or "" when none. Static storage. */
const char *ws_err_rfc(ws_err e);

#endif
