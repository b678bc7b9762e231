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
    uint8_t msg_opcode; /* WS_OP_TEXT / WS_OP_BINARY of the message being assembled */
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

/* Set up a new connection in WS_SRV_HANDSHAKE. WS_ERR_NOMEM on failure. */
ws_err ws_srv_conn_init(ws_srv_conn *c, uint64_t max_message);

/* Free the buffers (not the ws_conn). */
void ws_srv_conn_release(ws_srv_conn *c);

/*
 * Process received octets according to the state: the opening request, then
 * frames. Output is appended to c->out; c->state moves to WS_SRV_CLOSING
 * when the connection is to end after its output is flushed. buf may be
 * modified (payloads are unmasked in place). WS_ERR_NOMEM means the
 * connection must be dropped at once.
 */
ws_err ws_srv_conn_input(ws_srv_conn *c, uint8_t *buf, size_t len, uint64_t max_message);

/* Output queue. */
ws_err ws_srv_buf_append(ws_srv_buf *b, const void *data, size_t len);
static inline size_t ws_srv_buf_pending(const ws_srv_buf *b)
{
    return b->len - b->pos;
}
void ws_srv_buf_consume(ws_srv_buf *b, size_t n);
void ws_srv_buf_free(ws_srv_buf *b);

#endif
