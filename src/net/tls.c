/*
 * TLS over the non-blocking sockets of conn.c, with OpenSSL.
 *
 * The SSL object talks to the socket through a small BIO of our own that
 * writes with send(MSG_NOSIGNAL), so TLS connections never raise SIGPIPE and
 * the library never touches signal dispositions. The BIO method is allocated
 * per connection (no global state); it is a few dozen bytes.
 *
 * Clients do not verify certificates (a test tool talks to servers with
 * self-signed ones); SNI is sent when a name is known.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/conn_internal.h"

/* Only used by BIO_find_type(); any source/sink value is fine. */
#define WS_BIO_TYPE (0x7d | BIO_TYPE_SOURCE_SINK)

static int bio_write(BIO *b, const char *data, int len)
{
    ws_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t r = send(c->fd, data, (size_t)len, MSG_NOSIGNAL);
        if (r >= 0) return (int)r;
        if (errno == EINTR) continue;
        c->last_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
        return -1;
    }
}

static int bio_read(BIO *b, char *buf, int len)
{
    ws_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t r = recv(c->fd, buf, (size_t)len, 0);
        if (r >= 0) return (int)r;
        if (errno == EINTR) continue;
        c->last_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
        return -1;
    }
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; /* nothing is buffered here */
    default:
        return 0;
    }
}

static int bio_puts(BIO *b, const char *s)
{
    return bio_write(b, s, (int)strlen(s));
}

SSL_CTX *ws_tls_client_ctx_new(char *detail, size_t detail_cap)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ws_net_detail(detail, detail_cap, "SSL_CTX_new failed");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    return ctx;
}

ws_err ws_tls_attach(ws_conn *c, SSL_CTX *ctx, bool server, const char *sni, char *detail,
                     size_t detail_cap)
{
    c->bio_meth = BIO_meth_new(WS_BIO_TYPE, "wsspec socket");
    if (!c->bio_meth) return WS_ERR_NOMEM;
    BIO_meth_set_write(c->bio_meth, bio_write);
    BIO_meth_set_read(c->bio_meth, bio_read);
    BIO_meth_set_puts(c->bio_meth, bio_puts);
    BIO_meth_set_ctrl(c->bio_meth, bio_ctrl);

    c->ssl = SSL_new(ctx);
    BIO *bio = c->ssl ? BIO_new(c->bio_meth) : NULL;
    if (!bio) {
        ws_net_detail(detail, detail_cap, "cannot create the TLS session");
        return WS_ERR_TLS;
    }
    BIO_set_data(bio, c);
    BIO_set_init(bio, 1);
    SSL_set_bio(c->ssl, bio, bio);
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (server) {
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
        if (sni && !SSL_set_tlsext_host_name(c->ssl, sni)) {
            ws_net_detail(detail, detail_cap, "cannot set SNI to %s", sni);
            return WS_ERR_TLS;
        }
    }
    return WS_OK;
}

/* Translate the result of an SSL_* call. */
static ws_err tls_result(ws_conn *c, int ret, bool *want_write, char *detail, size_t detail_cap)
{
    int err = SSL_get_error(c->ssl, ret);
    switch (err) {
    case SSL_ERROR_WANT_READ:
        *want_write = false;
        return WS_INCOMPLETE;
    case SSL_ERROR_WANT_WRITE:
        *want_write = true;
        return WS_INCOMPLETE;
    case SSL_ERROR_ZERO_RETURN:
        return WS_ERR_CLOSED;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (c->last_errno == ECONNRESET || c->last_errno == EPIPE) return WS_ERR_RESET;
        if (c->last_errno == 0) return WS_ERR_CLOSED; /* EOF without close_notify */
        ws_net_detail(detail, detail_cap, "TLS socket error: %s", strerror(c->last_errno));
        return WS_ERR_IO;
    case SSL_ERROR_SSL: {
        unsigned long e = ERR_peek_error();
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
        if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            return WS_ERR_CLOSED;
        }
#endif
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        ws_net_detail(detail, detail_cap, "TLS: %s", buf);
        ERR_clear_error();
        return WS_ERR_TLS;
    }
    default:
        ERR_clear_error();
        ws_net_detail(detail, detail_cap, "TLS error %d", err);
        return WS_ERR_TLS;
    }
}

ws_err ws_tls_handshake_step(ws_conn *c, bool *want_write, char *detail, size_t detail_cap)
{
    ERR_clear_error();
    c->last_errno = 0;
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) return WS_OK;
    ws_err e = tls_result(c, r, want_write, detail, detail_cap);
    if (e == WS_INCOMPLETE || e == WS_ERR_TLS) return e;
    ws_net_detail(detail, detail_cap, "TLS handshake: %s", ws_err_message(e));
    return WS_ERR_TLS;
}

ws_err ws_tls_try_read(ws_conn *c, void *buf, size_t cap, size_t *n, bool *want_write)
{
    ERR_clear_error();
    c->last_errno = 0;
    size_t got = 0;
    int r = SSL_read_ex(c->ssl, buf, cap, &got);
    if (r == 1) {
        *n = got;
        return WS_OK;
    }
    return tls_result(c, r, want_write, NULL, 0);
}

ws_err ws_tls_try_write(ws_conn *c, const void *buf, size_t len, size_t *n, bool *want_read)
{
    ERR_clear_error();
    c->last_errno = 0;
    size_t put = 0;
    int r = SSL_write_ex(c->ssl, buf, len, &put);
    if (r == 1) {
        *n = put;
        return WS_OK;
    }
    bool want_write = false;
    ws_err e = tls_result(c, r, &want_write, NULL, 0);
    if (e == WS_INCOMPLETE) *want_read = !want_write;
    return e;
}

void ws_tls_shutdown(ws_conn *c)
{
    if (!c->ssl || !SSL_is_init_finished(c->ssl)) return;
    ERR_clear_error();
    (void)SSL_shutdown(c->ssl);
    ERR_clear_error();
}

void ws_tls_free(ws_conn *c)
{
    SSL_free(c->ssl); /* frees the BIO too */
    c->ssl = NULL;
    BIO_meth_free(c->bio_meth);
    c->bio_meth = NULL;
    SSL_CTX_free(c->client_ctx);
    c->client_ctx = NULL;
}

ws_tls_server *ws_tls_server_new(const char *cert_file, const char *key_file, char *detail,
                                 size_t detail_cap)
{
    if (!cert_file || !key_file) {
        ws_net_detail(detail, detail_cap, "TLS needs both a certificate and a key file");
        return NULL;
    }
    ws_tls_server *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    ERR_clear_error();
    t->ctx = SSL_CTX_new(TLS_server_method());
    const char *step = "SSL_CTX_new";
    const char *file = "";
    if (t->ctx) {
        step = "certificate";
        file = cert_file;
        if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_file) == 1) {
            step = "private key";
            file = key_file;
            if (SSL_CTX_use_PrivateKey_file(t->ctx, key_file, SSL_FILETYPE_PEM) == 1) {
                step = "key check";
                if (SSL_CTX_check_private_key(t->ctx) == 1) {
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
                    SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
                    return t;
                }
            }
        }
    }
    char buf[256] = "unknown error";
    unsigned long e = ERR_peek_last_error();
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    ws_net_detail(detail, detail_cap, "TLS %s %s: %s", step, file, buf);
    ws_tls_server_free(t);
    return NULL;
}

void ws_tls_server_free(ws_tls_server *t)
{
    if (!t) return;
    SSL_CTX_free(t->ctx);
    free(t);
}
