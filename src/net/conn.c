/*
 * TCP connections with absolute deadlines: connect, accept, read, write,
 * half-close, listen. TLS specifics live in tls.c.
 *
 * Every socket is non-blocking; waiting is done with poll() against a
 * CLOCK_MONOTONIC deadline, and EINTR is retried. Writes use MSG_NOSIGNAL so
 * no call raises SIGPIPE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/conn_internal.h"

void ws_net_detail(char *detail, size_t detail_cap, const char *fmt, ...)
{
    if (!detail || detail_cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, detail_cap, fmt, ap);
    va_end(ap);
}

int64_t ws_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* poll() timeout for a deadline: -1 for none, rounded up to whole ms. */
static int poll_timeout_ms(int64_t deadline)
{
    if (deadline == 0) return -1;
    int64_t left = deadline - ws_now_ns();
    if (left <= 0) return 0;
    int64_t ms = (left + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

ws_err ws_wait_fd(int fd, bool want_write, int64_t deadline)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = want_write ? POLLOUT : POLLIN};
        int timeout = poll_timeout_ms(deadline);
        int r = poll(&pfd, 1, timeout);
        if (r > 0) return WS_OK; /* errors and hangups surface in the next I/O call */
        if (r == 0) {
            if (timeout != 0 && deadline != 0 && ws_now_ns() < deadline) continue;
            return WS_ERR_TIMEOUT;
        }
        if (errno != EINTR) return WS_ERR_IO;
    }
}

static ws_err errno_to_err(int e)
{
    switch (e) {
    case ECONNRESET:
    case EPIPE: /* the peer answered our data with RST */
        return WS_ERR_RESET;
    case ETIMEDOUT:
        return WS_ERR_TIMEOUT;
    default:
        return WS_ERR_IO;
    }
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -1;
    return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void set_nodelay(int fd)
{
    int one = 1;
    /* Fails harmlessly on non-TCP sockets (e.g. socketpair in tests). */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static ws_conn *conn_new(int fd)
{
    ws_conn *c = calloc(1, sizeof *c);
    if (c) c->fd = fd;
    return c;
}

ws_err ws_conn_adopt(int fd, ws_tls_server *tls, ws_conn **out, char *detail, size_t detail_cap)
{
    if (!out || fd < 0) return WS_ERR_INVALID_ARG;
    *out = NULL;
    if (set_nonblocking(fd) < 0) {
        ws_net_detail(detail, detail_cap, "fcntl(O_NONBLOCK): %s", strerror(errno));
        close(fd);
        return WS_ERR_IO;
    }
    set_nodelay(fd);
    ws_conn *c = conn_new(fd);
    if (!c) {
        close(fd);
        return WS_ERR_NOMEM;
    }
    if (tls) {
        ws_err e = ws_tls_attach(c, tls->ctx, true, NULL, detail, detail_cap);
        if (e != WS_OK) {
            ws_conn_close(c);
            return e;
        }
    }
    *out = c;
    return WS_OK;
}

/* Drive the TLS handshake to completion before the deadline. */
static ws_err tls_handshake(ws_conn *c, int64_t deadline, char *detail, size_t detail_cap)
{
    for (;;) {
        bool want_write = false;
        ws_err e = ws_tls_handshake_step(c, &want_write, detail, detail_cap);
        if (e != WS_INCOMPLETE) return e;
        e = ws_wait_fd(c->fd, want_write, deadline);
        if (e != WS_OK) {
            ws_net_detail(detail, detail_cap, "TLS handshake: %s", ws_err_message(e));
            return e;
        }
    }
}

ws_err ws_conn_accept(int fd, ws_tls_server *tls, int64_t deadline, ws_conn **out, char *detail,
                      size_t detail_cap)
{
    ws_err e = ws_conn_adopt(fd, tls, out, detail, detail_cap);
    if (e != WS_OK || !tls) return e;
    e = tls_handshake(*out, deadline, detail, detail_cap);
    if (e != WS_OK) {
        ws_conn_close(*out);
        *out = NULL;
    }
    return e;
}

/* Non-blocking connect to one address, waiting until the deadline. */
static ws_err connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out, int *err_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err_out = errno;
        return WS_ERR_CONNECT;
    }
    int r;
    do {
        r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EINPROGRESS) {
        *err_out = errno;
        close(fd);
        return WS_ERR_CONNECT;
    }
    if (r < 0) {
        ws_err e = ws_wait_fd(fd, true, deadline);
        if (e != WS_OK) {
            *err_out = ETIMEDOUT;
            close(fd);
            return e == WS_ERR_TIMEOUT ? WS_ERR_TIMEOUT : WS_ERR_CONNECT;
        }
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
        if (soerr != 0) {
            *err_out = soerr;
            close(fd);
            return WS_ERR_CONNECT;
        }
    }
    set_nodelay(fd);
    *fd_out = fd;
    return WS_OK;
}

static bool is_ip_literal(const char *host)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

ws_err ws_conn_connect(const ws_url *url, const char *sni, int64_t deadline, ws_conn **out,
                       char *detail, size_t detail_cap)
{
    if (!url || !out || !url->host || url->host_len == 0) return WS_ERR_INVALID_ARG;
    *out = NULL;
    char host[256], port[8];
    if (url->host_len >= sizeof host) {
        ws_net_detail(detail, detail_cap, "host name too long");
        return WS_ERR_RESOLVE;
    }
    memcpy(host, url->host, url->host_len);
    host[url->host_len] = '\0';
    snprintf(port, sizeof port, "%u", (unsigned)url->port);

    /* getaddrinfo() has no deadline; it is bounded by the resolver's own timeouts. */
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gr = getaddrinfo(host, port, &hints, &res);
    if (gr != 0) {
        ws_net_detail(detail, detail_cap, "resolve %s: %s", host, gai_strerror(gr));
        return WS_ERR_RESOLVE;
    }
    int fd = -1, last_errno = 0;
    ws_err e = WS_ERR_CONNECT;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        e = connect_one(ai, deadline, &fd, &last_errno);
        if (e == WS_OK || e == WS_ERR_TIMEOUT) break;
    }
    freeaddrinfo(res);
    if (e != WS_OK) {
        ws_net_detail(detail, detail_cap, "connect to %s port %s: %s", host, port,
                      e == WS_ERR_TIMEOUT ? "timed out" : strerror(last_errno));
        return e;
    }
    ws_conn *c = conn_new(fd);
    if (!c) {
        close(fd);
        return WS_ERR_NOMEM;
    }
    if (url->tls) {
        c->client_ctx = ws_tls_client_ctx_new(detail, detail_cap);
        if (!c->client_ctx) {
            ws_conn_close(c);
            return WS_ERR_TLS;
        }
        const char *name = sni ? sni : (is_ip_literal(host) ? NULL : host);
        if (name && !*name) name = NULL;
        e = ws_tls_attach(c, c->client_ctx, false, name, detail, detail_cap);
        if (e == WS_OK) e = tls_handshake(c, deadline, detail, detail_cap);
        if (e != WS_OK) {
            ws_conn_close(c);
            return e;
        }
    }
    *out = c;
    return WS_OK;
}

ws_err ws_conn_try_read(ws_conn *c, void *buf, size_t cap, size_t *n, bool *want_other)
{
    *n = 0;
    if (want_other) *want_other = false;
    if (cap == 0) return WS_ERR_INVALID_ARG;
    if (c->ssl) {
        bool other = false;
        ws_err e = ws_tls_try_read(c, buf, cap, n, &other);
        if (want_other) *want_other = other;
        return e;
    }
    for (;;) {
        ssize_t r = recv(c->fd, buf, cap, 0);
        if (r > 0) {
            *n = (size_t)r;
            return WS_OK;
        }
        if (r == 0) return WS_ERR_CLOSED;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return WS_INCOMPLETE;
        return errno_to_err(errno);
    }
}

ws_err ws_conn_try_write(ws_conn *c, const void *buf, size_t len, size_t *n, bool *want_other)
{
    *n = 0;
    if (want_other) *want_other = false;
    if (len == 0) return WS_OK;
    if (c->ssl) {
        bool other = false;
        ws_err e = ws_tls_try_write(c, buf, len, n, &other);
        if (want_other) *want_other = other;
        return e;
    }
    for (;;) {
        ssize_t r = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (r >= 0) {
            *n = (size_t)r;
            return r > 0 ? WS_OK : WS_INCOMPLETE;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return WS_INCOMPLETE;
        return errno_to_err(errno);
    }
}

ws_err ws_conn_read(ws_conn *c, void *buf, size_t cap, size_t *n, int64_t deadline)
{
    if (!c || !buf || !n) return WS_ERR_INVALID_ARG;
    for (;;) {
        bool other = false;
        ws_err e = ws_conn_try_read(c, buf, cap, n, &other);
        if (e != WS_INCOMPLETE) return e;
        e = ws_wait_fd(c->fd, other, deadline);
        if (e != WS_OK) return e;
    }
}

ws_err ws_conn_write(ws_conn *c, const void *buf, size_t len, int64_t deadline)
{
    if (!c || (!buf && len > 0)) return WS_ERR_INVALID_ARG;
    const uint8_t *p = buf;
    while (len > 0) {
        size_t n = 0;
        bool other = false;
        ws_err e = ws_conn_try_write(c, p, len, &n, &other);
        if (e == WS_OK) {
            p += n;
            len -= n;
            continue;
        }
        if (e != WS_INCOMPLETE) return e;
        /* A TLS write that wants readability waits for the peer's data. */
        e = ws_wait_fd(c->fd, !other, deadline);
        if (e != WS_OK) return e;
    }
    return WS_OK;
}

ws_err ws_conn_shutdown_write(ws_conn *c)
{
    if (!c) return WS_ERR_INVALID_ARG;
    if (c->ssl) ws_tls_shutdown(c);
    if (shutdown(c->fd, SHUT_WR) < 0) return errno == ENOTCONN ? WS_ERR_CLOSED : WS_ERR_IO;
    return WS_OK;
}

void ws_conn_close(ws_conn *c)
{
    if (!c) return;
    ws_tls_free(c);
    if (c->fd >= 0) close(c->fd);
    free(c);
}

int ws_conn_fd(const ws_conn *c)
{
    return c ? c->fd : -1;
}

bool ws_conn_is_tls(const ws_conn *c)
{
    return c && c->ssl != NULL;
}

size_t ws_conn_pending(const ws_conn *c)
{
    if (!c || !c->ssl) return 0;
    int p = SSL_pending(c->ssl);
    return p > 0 ? (size_t)p : 0;
}
