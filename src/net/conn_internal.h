/*
 * Private to src/net: the connection object shared by conn.c (TCP, deadlines)
 * and tls.c (OpenSSL).
 */
#ifndef WSSPEC_NET_CONN_INTERNAL_H
#define WSSPEC_NET_CONN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "wsspec/net.h"

struct ws_conn {
    int fd;
    SSL *ssl;             /* NULL for plain TCP */
    SSL_CTX *client_ctx;  /* owned by client connections only */
    BIO_METHOD *bio_meth; /* the MSG_NOSIGNAL socket BIO, one per TLS connection */
    int last_errno;       /* errno of the last failed socket call in the TLS BIO */
};

struct ws_tls_server {
    SSL_CTX *ctx;
};

/* snprintf into detail when detail_cap > 0. */
void ws_net_detail(char *detail, size_t detail_cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put c in TLS mode on its socket: server (accept) or client (connect) state,
 * with SNI when sni is not NULL. The handshake runs on the first read/write
 * or through ws_tls_handshake_step(). */
ws_err ws_tls_attach(ws_conn *c, SSL_CTX *ctx, bool server, const char *sni, char *detail,
                     size_t detail_cap);

/* A client context that does not verify the peer. */
SSL_CTX *ws_tls_client_ctx_new(char *detail, size_t detail_cap);

/* One non-blocking step of the handshake: WS_OK when done, WS_INCOMPLETE with
 * *want_write telling which readiness to wait for, or an error. */
ws_err ws_tls_handshake_step(ws_conn *c, bool *want_write, char *detail, size_t detail_cap);

/* Non-blocking TLS read/write with the semantics of ws_conn_try_read/write. */
ws_err ws_tls_try_read(ws_conn *c, void *buf, size_t cap, size_t *n, bool *want_write);
ws_err ws_tls_try_write(ws_conn *c, const void *buf, size_t len, size_t *n, bool *want_read);

/* Send close_notify (best effort, never blocks). */
void ws_tls_shutdown(ws_conn *c);

/* Free the SSL objects of c (not the socket). */
void ws_tls_free(ws_conn *c);

#endif
