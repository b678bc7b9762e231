/*
 * wsspec-badclient: socket helpers (blocking sockets with timeouts) and the
 * client side of the opening handshake (RFC 6455 §4.1).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wsspec/handshake.h"

#include "badclient.h"

#define BC_MAX_HEADERS 64

/* ------------------------------------------------------------- sockets */

static bool set_timeout(int fd, int opt, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) == 0;
}

int bc_connect(const ws_url *u, char *err, size_t err_cap)
{
    char host[256], port[8];
    if (u->host_len >= sizeof host) {
        snprintf(err, err_cap, "host name too long");
        return -1;
    }
    memcpy(host, u->host, u->host_len);
    host[u->host_len] = '\0';
    snprintf(port, sizeof port, "%u", (unsigned)u->port);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, err_cap, "cannot resolve '%s': %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        /* On Linux SO_SNDTIMEO also bounds a blocking connect(). */
        if (!set_timeout(fd, SO_RCVTIMEO, BC_IO_TIMEOUT_MS) ||
            !set_timeout(fd, SO_SNDTIMEO, BC_IO_TIMEOUT_MS) ||
            connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, err_cap, "cannot connect to %s:%s: %s", host, port, strerror(saved));
    return fd;
}

bool bc_send2(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
    /* One sendmsg() for both parts, so a small frame leaves in one segment. */
    struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, b ? blen : 0}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    while (iov[0].iov_len + iov[1].iov_len > 0) {
        ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        for (int i = 0; i < 2; i++) {
            size_t take = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            n -= (ssize_t)take;
        }
    }
    return true;
}

ssize_t bc_recv(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = recv(fd, buf, cap, 0);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bc_wait_for_drop(int fd, int max_ms)
{
    uint8_t sink[4096];
    long long deadline = now_ms() + max_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        set_timeout(fd, SO_RCVTIMEO, left < 1000 ? (int)left : 1000);
        ssize_t n = bc_recv(fd, sink, sizeof sink);
        if (n == 0)
            break;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            break;
    }
    close(fd);
}

void bc_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            perror("wsspec-badclient: getrandom");
            exit(1);
        }
        p += n;
        len -= (size_t)n;
    }
}

/* ---------------------------------------------------- opening handshake */

static bool header_is(const ws_http_header *h, const char *name)
{
    return h->name_len == strlen(name) && strncasecmp(h->name, name, h->name_len) == 0;
}

static void add(ws_http_response *r, size_t cap, const char *name, const char *value)
{
    if (r->num_headers < cap)
        r->headers[r->num_headers++] = (ws_http_header){name, strlen(name), value, strlen(value)};
}

/*
 * The strict check of RFC 6455 §4.1, run on a copy of the response in which
 * every waived rule has been made to hold: a violation removes exactly the
 * headers its rule looks at and puts in what would satisfy it.
 */
static ws_err check_response(const ws_http_response *resp, const char *key, bc_flags v, bc_pmd *pmd)
{
    ws_http_header hdrs[BC_MAX_HEADERS + 4];
    ws_http_response r = *resp;
    r.headers = hdrs;
    r.num_headers = 0;
    for (size_t i = 0; i < resp->num_headers; i++) {
        const ws_http_header *h = &resp->headers[i];
        if (bc_has(v, BC_V(ACCEPT_BAD_ACCEPT)) && header_is(h, "Sec-WebSocket-Accept"))
            continue;
        if (bc_has(v, BC_V(ACCEPT_NO_UPGRADE)) &&
            (header_is(h, "Upgrade") || header_is(h, "Connection")))
            continue;
        if (bc_has(v, BC_V(ACCEPT_ANY_EXTENSION)) && header_is(h, "Sec-WebSocket-Extensions"))
            continue;
        if (bc_has(v, BC_V(ACCEPT_ANY_PROTOCOL)) && header_is(h, "Sec-WebSocket-Protocol"))
            continue;
        if (r.num_headers < BC_MAX_HEADERS)
            hdrs[r.num_headers++] = *h;
    }
    char accept[WS_ACCEPT_LEN + 1];
    ws_accept_key(key, strlen(key), accept);
    size_t cap = sizeof hdrs / sizeof hdrs[0];
    if (bc_has(v, BC_V(ACCEPT_BAD_ACCEPT)))
        add(&r, cap, "Sec-WebSocket-Accept", accept);
    if (bc_has(v, BC_V(ACCEPT_NO_UPGRADE))) {
        add(&r, cap, "Upgrade", "websocket");
        add(&r, cap, "Connection", "Upgrade");
    }
    if (bc_has(v, BC_V(ACCEPT_NON_101)))
        r.status = 101;
    /* The client offers no subprotocol, and permessage-deflate only with --deflate. */
    bool deflate = bc_has(v, BC_OPT_DEFLATE);
    ws_hs_response_info info;
    ws_err e = ws_handshake_check_response(&r, key, NULL, deflate ? BC_PMD_OFFER : NULL, &info);
    if (e == WS_OK && deflate)
        e = bc_pmd_start(info.extensions, v, pmd);
    return e;
}

ws_err bc_handshake(int fd, bc_flags v, const char *host, const char *resource, uint8_t *buf,
                    size_t cap, size_t *leftover, bc_pmd *pmd)
{
    uint8_t nonce[16];
    char key[WS_KEY_LEN + 1];
    bc_random(nonce, sizeof nonce);
    ws_make_key(nonce, key);

    ws_http_header req_hdrs[10];
    size_t n = ws_handshake_default_headers(req_hdrs, 10, host, key, NULL,
                                            bc_has(v, BC_OPT_DEFLATE) ? BC_PMD_OFFER : NULL, NULL,
                                            "wsspec-badclient/" WSSPEC_VERSION);
    size_t len;
    ws_err e =
        ws_http_write_request("GET", resource, "HTTP/1.1", req_hdrs, n, (char *)buf, cap, &len);
    if (e != WS_OK)
        return e;
    if (!bc_send2(fd, buf, len, NULL, 0))
        return errno == EAGAIN ? WS_ERR_TIMEOUT : WS_ERR_IO;

    ws_http_header hdrs[BC_MAX_HEADERS];
    ws_http_response resp;
    size_t have = 0, head_len = 0;
    size_t max_head = cap < WS_HTTP_DEFAULT_MAX_HEAD ? cap : WS_HTTP_DEFAULT_MAX_HEAD;
    for (;;) {
        e = ws_http_parse_response((const char *)buf, have, max_head, &resp, hdrs, BC_MAX_HEADERS,
                                   &head_len);
        if (e == WS_OK)
            break;
        if (e != WS_INCOMPLETE)
            return e;
        ssize_t got = bc_recv(fd, buf + have, cap - have);
        if (got == 0)
            return WS_ERR_CLOSED;
        if (got < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? WS_ERR_TIMEOUT : WS_ERR_RESET;
        have += (size_t)got;
    }
    e = check_response(&resp, key, v, pmd);
    if (e != WS_OK)
        return e;
    *leftover = have - head_len;
    memmove(buf, buf + head_len, *leftover);
    return WS_OK;
}
