/*
 * Transport: TCP and TLS connections behind one small interface, with
 * absolute deadlines on every operation. Knows nothing of WebSocket.
 *
 * Deadlines are CLOCK_MONOTONIC nanoseconds (ws_now_ns() + timeout);
 * 0 means "no deadline".
 */
#ifndef WSSPEC_NET_H
#define WSSPEC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"
#include "wsspec/url.h"

typedef struct ws_conn ws_conn;
typedef struct ws_tls_server ws_tls_server;

int64_t ws_now_ns(void);

/* Milliseconds from now as a deadline. */
static inline int64_t ws_deadline_ms(int64_t ms)
{
    return ws_now_ns() + ms * 1000000;
}

/*
 * Connect to the URL's host and port (TCP, then TLS for wss:// with SNI =
 * sni or the URL host; the peer certificate is not verified: servers under
 * test usually have self-signed ones). TCP_NODELAY is set. On failure
 * returns WS_ERR_RESOLVE / WS_ERR_CONNECT / WS_ERR_TIMEOUT / WS_ERR_TLS with
 * a one-line explanation in detail.
 */
ws_err ws_conn_connect(const ws_url *url, const char *sni, int64_t deadline, ws_conn **out,
                       char *detail, size_t detail_cap);

/* Take ownership of an accepted socket; run the TLS server handshake when tls != NULL. */
ws_err ws_conn_accept(int fd, ws_tls_server *tls, int64_t deadline, ws_conn **out, char *detail,
                      size_t detail_cap);

/*
 * Read up to cap octets. Returns WS_OK with *n > 0, WS_ERR_CLOSED on an
 * orderly end of stream, WS_ERR_RESET, WS_ERR_TIMEOUT at the deadline, or
 * WS_ERR_IO / WS_ERR_TLS.
 */
ws_err ws_conn_read(ws_conn *c, void *buf, size_t cap, size_t *n, int64_t deadline);

/* Write all len octets as given (one write call per invocation where the
 * kernel allows, so callers control TCP write boundaries). */
ws_err ws_conn_write(ws_conn *c, const void *buf, size_t len, int64_t deadline);

/* Half-close: no more writes (TCP FIN; TLS close_notify). */
ws_err ws_conn_shutdown_write(ws_conn *c);

/* Close and free. NULL is allowed. */
void ws_conn_close(ws_conn *c);

/* The socket, for poll()/epoll by servers. */
int ws_conn_fd(const ws_conn *c);
bool ws_conn_is_tls(const ws_conn *c);

/* Octets waiting in the TLS layer that poll() cannot see. */
size_t ws_conn_pending(const ws_conn *c);

/*
 * Listen on host:port ("127.0.0.1", "::1", "0.0.0.0"; port 0 picks a free
 * one, reported in *bound_port). The socket is non-blocking with SO_REUSEADDR.
 */
ws_err ws_listen(const char *host, uint16_t port, int *fd_out, uint16_t *bound_port, char *detail,
                 size_t detail_cap);

/* Parse "HOST:PORT" or "[V6]:PORT" into host (NUL-terminated) and port. */
ws_err ws_parse_host_port(const char *s, char *host, size_t host_cap, uint16_t *port);

/*
 * Event-loop interface (for servers built on epoll/poll).
 *
 * ws_conn_adopt takes ownership of a connected socket without blocking: it is
 * made non-blocking with TCP_NODELAY and, when tls != NULL, put in the TLS
 * server state; the TLS handshake then runs inside the first try_read /
 * try_write calls.
 */
ws_err ws_conn_adopt(int fd, ws_tls_server *tls, ws_conn **out, char *detail, size_t detail_cap);

/*
 * Never block. ws_conn_try_read returns WS_OK with *n > 0, WS_INCOMPLETE when
 * nothing can be read now, or the errors of ws_conn_read. ws_conn_try_write
 * returns WS_OK with 0 < *n <= len (a partial write is possible),
 * WS_INCOMPLETE with *n = 0 when the socket is full, or the errors of
 * ws_conn_write. On WS_INCOMPLETE, *want_other (may be NULL) tells that TLS
 * needs the *other* readiness (a read waiting for writability, or a write
 * waiting for readability). After a TLS write returned WS_INCOMPLETE the
 * next try_write must offer at least the same octets again (the buffer may
 * move).
 */
ws_err ws_conn_try_read(ws_conn *c, void *buf, size_t cap, size_t *n, bool *want_other);
ws_err ws_conn_try_write(ws_conn *c, const void *buf, size_t len, size_t *n, bool *want_other);

/*
 * Wait until fd is readable (want_write false) or writable, or the deadline
 * passes (WS_ERR_TIMEOUT). EINTR is retried.
 */
ws_err ws_wait_fd(int fd, bool want_write, int64_t deadline);

/*
 * SIGPIPE: plain sockets write with send(MSG_NOSIGNAL) and TLS connections use
 * a socket BIO that does the same, so no library call raises SIGPIPE and no
 * signal disposition is changed.
 *
 * ws_parse_host_port errors: WS_ERR_URL_HOST (empty host, bad brackets, an
 * unbracketed IPv6 literal), WS_ERR_URL_PORT (missing, not decimal, > 65535;
 * port 0 is accepted, for ws_listen), WS_ERR_BUFFER_TOO_SMALL (host does not
 * fit host_cap), WS_ERR_INVALID_ARG (NULL arguments).
 */

/* A TLS server context from PEM files. */
ws_tls_server *ws_tls_server_new(const char *cert_file, const char *key_file, char *detail,
                                 size_t detail_cap);
void ws_tls_server_free(ws_tls_server *t);

#endif
