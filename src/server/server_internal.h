/*
 * Private to src/server: the per-connection state shared by the event loop
 * (server.c, which does all I/O) and the protocol state machine
 * (conn_state.c, which turns received octets into queued output).
 */
#ifndef WSSPEC_SERVER_INTERNAL_H
#define WSSPEC_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/deflate.h"
#include "wsspec/extensions.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"
#include "wsspec/net.h"
#include "wsspec/utf8.h"

/* Stop reading from a connection while this much output is unsent. */
#define WS_SRV_OUT_HIGH_WATER (256 * 1024)
/* Buffers larger than this are freed once empty, so idle connections stay small. */
#define WS_SRV_KEEP_BUFFER (16 * 1024)

typedef enum {
    WS_SRV_HANDSHAKE, /* reading the opening request */
    WS_SRV_OPEN,      /* exchanging frames */
    WS_SRV_CLOSING,   /* final output queued (close frame or HTTP error): flush it */
    WS_SRV_LINGER,    /* write side shut down: discard input until EOF or timeout */
    WS_SRV_DONE,      /* to be freed */
} ws_srv_state;

/* permessage-deflate state of a connection that agreed on it (RFC 7692).
 * Heap-allocated, never moved: zlib keeps pointers into both streams. */
typedef struct {
    ws_pmd_params agreed;
    ws_deflater deflater; /* our echoes */
    ws_inflater inflater; /* the client's compressed messages */
    unsigned skip;        /* echoes to send uncompressed (ws_srv_pmd_skip) */
} ws_srv_pmd;

/* A growable byte queue: data[pos, len) is pending. */
typedef struct {
    uint8_t *data;
    size_t pos, len, cap;
} ws_srv_buf;

typedef struct ws_srv_conn {
    struct ws_srv_conn *prev, *next; /* the server's list of connections */
    ws_conn *conn;
    uint64_t id;
    char peer[64];
    ws_srv_state state;
    uint64_t max_message;  /* the server's limit on a (decompressed) message */
    bool deflate_enabled;  /* permessage-deflate may be negotiated */
    int deflate_level;     /* zlib level of the echoes, 0..9 */
    int64_t deadline;      /* handshake / linger deadline, 0 = none */
    uint32_t epoll_events; /* what is registered now */
    bool read_wants_write; /* TLS read is waiting for writability */
    bool write_wants_read; /* TLS write is waiting for readability */
    bool peer_eof;         /* the peer's FIN was seen while closing */

    /* Opening handshake. */
    char *head; /* WS_HTTP_DEFAULT_MAX_HEAD octets while in WS_SRV_HANDSHAKE */
    size_t head_len;

    /* Frames and messages. */
    ws_parser parser;
    ws_srv_pmd *pmd;     /* NULL unless permessage-deflate was agreed */
    uint8_t msg_opcode;  /* WS_OP_TEXT / WS_OP_BINARY of the message being assembled */
    bool msg_compressed; /* its first frame had RSV1 ("Per-Message Compressed") */
    uint8_t *msg;
    size_t msg_len, msg_cap;
    ws_utf8 utf8;
    uint8_t ctrl[WS_MAX_CONTROL_PAYLOAD];
    size_t ctrl_len;

    ws_srv_buf out;

    /* Why the connection ends, for the log. */
    uint64_t messages;
    int close_code;   /* close code sent, 0 = none, -status for an HTTP error */
    ws_err end_error; /* the violation or I/O error, WS_OK for a clean close */
} ws_srv_conn;

/* Set up a new connection in WS_SRV_HANDSHAKE, with the server's limit on a
 * message and whether permessage-deflate may be negotiated. WS_ERR_NOMEM on
 * failure. */
ws_err ws_srv_conn_init(ws_srv_conn *c, uint64_t max_message, bool deflate_enabled);

/* Free the buffers (not the ws_conn). */
void ws_srv_conn_release(ws_srv_conn *c);

/*
 * Process received octets according to the state: the opening request, then
 * frames. Output is appended to c->out; c->state moves to WS_SRV_CLOSING
 * when the connection is to end after its output is flushed. buf may be
 * modified (payloads are unmasked in place). WS_ERR_NOMEM means the
 * connection must be dropped at once.
 */
ws_err ws_srv_conn_input(ws_srv_conn *c, uint8_t *buf, size_t len);

/*
 * Add the next octets of the (decompressed) message being assembled:
 * validates text incrementally and appends to c->msg. Returns WS_OK,
 * WS_ERR_UTF8_INVALID, WS_ERR_MESSAGE_TOO_LARGE (over c->max_message) or
 * WS_ERR_NOMEM; the caller fails the connection. conn_state.c.
 */
ws_err ws_srv_message_add(ws_srv_conn *c, const uint8_t *data, size_t len);

/* ---- permessage-deflate (deflate_state.c) ---- */

/* Longest Sec-WebSocket-Extensions response value the server writes. */
#define WS_SRV_EXT_RESPONSE_MAX 160

/*
 * Read every Sec-WebSocket-Extensions line of a valid opening request.
 * Returns WS_OK with *accepted set when a permessage-deflate offer was
 * acceptable: *agreed holds the parameters, response the header value (the
 * first acceptable offer wins; invalid offers and other extensions are
 * declined). If !negotiate the header is only checked. WS_ERR_HTTP_SYNTAX
 * (malformed header) or WS_ERR_HTTP_TOO_LARGE (more offers or parameters
 * than the server examines): refuse the handshake with 400; detail says why.
 */
ws_err ws_srv_pmd_negotiate(const ws_http_request *req, bool negotiate, bool *accepted,
                            ws_pmd_params *agreed, char response[WS_SRV_EXT_RESPONSE_MAX],
                            char *detail, size_t detail_cap);

/* Allocate c->pmd for the agreed parameters. WS_ERR_NOMEM or WS_ERR_CONFIG. */
ws_err ws_srv_pmd_start(ws_srv_conn *c, const ws_pmd_params *agreed);

/* Free c->pmd (safe when NULL). */
void ws_srv_pmd_free(ws_srv_conn *c);

/*
 * Inflate the next chunk of a compressed message into the message buffer
 * (through ws_srv_message_add, so text is validated as it is inflated);
 * message_end after the last chunk. Returns WS_OK, the error of
 * ws_srv_message_add, WS_ERR_MESSAGE_TOO_LARGE, WS_ERR_DEFLATE_DATA (see
 * ws_srv_pmd_detail), WS_ERR_NOMEM or WS_ERR_INVALID_ARG.
 */
ws_err ws_srv_pmd_inflate(ws_srv_conn *c, const uint8_t *data, size_t len, bool message_end);

/* zlib's explanation of the last inflate error, or "". */
const char *ws_srv_pmd_detail(const ws_srv_conn *c);

/* Queue msg[0..len) compressed, as one frame with FIN and RSV1. WS_OK,
 * WS_ERR_NOMEM, or another error if the compressor failed. */
ws_err ws_srv_pmd_queue_message(ws_srv_conn *c, uint8_t opcode, const uint8_t *msg, size_t len);
/* True when the echo of a message of len octets goes uncompressed: after an
 * echo of 1 KiB or more that did not shrink (95 % of its size or more), the
 * next WS_SRV_PMD_SKIP such messages are sent as they are, then the server
 * tries again. */
#define WS_SRV_PMD_SKIP 15
bool ws_srv_pmd_skip(ws_srv_conn *c, size_t len);

/* Output queue. */
ws_err ws_srv_buf_append(ws_srv_buf *b, const void *data, size_t len);
static inline size_t ws_srv_buf_pending(const ws_srv_buf *b)
{
    return b->len - b->pos;
}
void ws_srv_buf_consume(ws_srv_buf *b, size_t n);
/* Make room for n more octets at data + len (written, then committed by
 * adding to len). WS_ERR_NOMEM on failure. */
ws_err ws_srv_buf_reserve(ws_srv_buf *b, size_t n);
void ws_srv_buf_free(ws_srv_buf *b);

#endif
