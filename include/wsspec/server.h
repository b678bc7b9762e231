/*
 * The reference echo server: a strictly conformant RFC 6455 endpoint that
 * echoes every text and binary message, for checking the test suite itself.
 *
 * cfg.threads event loops (threads), each its own epoll set and its own
 * connections; a connection is served by the loop that accepted it.
 * Non-blocking sockets. Per connection:
 *   - the opening handshake (16 KiB head limit, 10 s to complete); a bad
 *     request gets 400, a wrong Sec-WebSocket-Version gets 426 with
 *     "Sec-WebSocket-Version: 13"; no subprotocol is selected; every
 *     Sec-WebSocket-Extensions line is parsed and a malformed one gets 400;
 *     the first valid permessage-deflate offer (RFC 7692) is accepted with
 *     the client's parameters, other extensions are never accepted;
 *   - frames checked by the core parser in the server role; messages are
 *     reassembled and echoed as one unfragmented frame of the same type;
 *     pings get pongs with the same payload, pongs are ignored;
 *   - text is validated incrementally, failing fast with 1007 on the first
 *     invalid octet; protocol errors close with 1002, messages over
 *     max_message with 1009;
 *   - with permessage-deflate, a message whose first frame has RSV1 is
 *     inflated as it arrives (limited to max_message while inflating, text
 *     validated on the inflated octets) and echoed compressed in one frame
 *     with RSV1; an uncompressed message is echoed uncompressed. RSV1 on a
 *     continuation or control frame, and invalid compressed data, close
 *     with 1002;
 *   - a client close is answered (its code echoed) and the server closes TCP
 *     first (RFC 6455 §7.1.1).
 * A peer that stops reading is not read from while its output backlog is
 * over a limit, so memory per connection stays bounded by max_message (plus
 * zlib's state, about 230 KiB, with permessage-deflate).
 */
#ifndef WSSPEC_SERVER_H
#define WSSPEC_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

/* Default for ws_server_config.max_message. */
#define WS_SERVER_DEFAULT_MAX_MESSAGE ((uint64_t)64 << 20)
/* Default for ws_server_config.max_connections. */
#define WS_SERVER_DEFAULT_MAX_CONNECTIONS 1024
/* Default time a client has to complete the opening handshake. */
#define WS_SERVER_HANDSHAKE_TIMEOUT_MS 10000
/* Time the server waits for the client's FIN after closing, before dropping it. */
#define WS_SERVER_LINGER_MS 2000

typedef struct {
    const char *host;     /* "127.0.0.1", "::1", "0.0.0.0"; NULL = 127.0.0.1 */
    uint16_t port;        /* 0 = any free port */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    uint64_t max_message;     /* 0 = WS_SERVER_DEFAULT_MAX_MESSAGE */
    int max_connections;      /* 0 = WS_SERVER_DEFAULT_MAX_CONNECTIONS; more are refused */
    bool quiet;               /* no per-connection log lines */
    bool no_deflate;          /* never negotiate permessage-deflate */
    bool set_deflate_level;   /* compress echoes at deflate_level, not WS_DEFLATE_DEFAULT_LEVEL */
    int deflate_level;        /* zlib level 0 (stored blocks) .. 9 */
    int handshake_timeout_ms; /* 0 = WS_SERVER_HANDSHAKE_TIMEOUT_MS */
    int threads;              /* event loops, each its own thread; 0 = 1, at most 256 */
    /* Called once from ws_server_run when the socket is listening. May be NULL. */
    void (*on_listen)(void *ctx, uint16_t port);
    void *on_listen_ctx;
    /* One line per connection event when !quiet (no newline). NULL = no log. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} ws_server_config;

/*
 * Listen and serve until *stop becomes non-zero (checked at least every
 * 100 ms), then close every connection and return WS_OK. *bound_port_out,
 * when not NULL, is set before on_listen is called. Fails with
 * WS_ERR_LISTEN / WS_ERR_RESOLVE / WS_ERR_TLS / WS_ERR_CONFIG /
 * WS_ERR_NOMEM / WS_ERR_IO and a one-line explanation in detail.
 */
ws_err ws_server_run(const ws_server_config *cfg, volatile sig_atomic_t *stop,
                     uint16_t *bound_port_out, char *detail, size_t detail_cap);

#endif
