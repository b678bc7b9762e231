/*
 * wsspec-badpeer: socket helpers (blocking sockets with timeouts, graceful
 * close, listener) and the server side of the opening handshake.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "wsspec/handshake.h"

#include "badpeer.h"

#define BP_MAX_HEADERS 64

/* ------------------------------------------------------------- sockets */

static bool set_timeout(int fd, int opt, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) == 0;
}

bool bp_set_recv_timeout(int fd, int ms)
{
    return set_timeout(fd, SO_RCVTIMEO, ms);
}

bool bp_set_timeouts(int fd, int ms)
{
    /* Each frame goes out as soon as it is written (no Nagle delay). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return set_timeout(fd, SO_RCVTIMEO, ms) && set_timeout(fd, SO_SNDTIMEO, ms);
}

static bool send_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool bp_send2(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
    return send_all(fd, a, alen) && (blen == 0 || send_all(fd, b, blen));
}

ssize_t bp_recv(int fd, void *buf, size_t cap)
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

/* Read and discard until EOF, an error, or max_ms have passed. */
static void discard_input(int fd, int max_ms)
{
    uint8_t sink[4096];
    long long deadline = now_ms() + max_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return;
        bp_set_recv_timeout(fd, left < 1000 ? (int)left : 1000);
        ssize_t n = bp_recv(fd, sink, sizeof sink);
        if (n == 0)
            return;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return;
    }
}

void bp_close_gracefully(int fd)
{
    shutdown(fd, SHUT_WR);
    discard_input(fd, BP_DRAIN_MS);
    close(fd);
}

void bp_wait_for_drop(int fd, int max_ms)
{
    discard_input(fd, max_ms);
    close(fd);
}

bool bp_wait_readable(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) > 0;
}

void bp_stall(int fd, int max_ms)
{
    long long deadline = now_ms() + max_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        /* POLLRDHUP alone: pending input does not wake us, a hang-up does. */
        struct pollfd pfd = {.fd = fd, .events = POLLRDHUP};
        int r = poll(&pfd, 1, left < 1000 ? (int)left : 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
            break;
    }
    close(fd);
}

/* Split "HOST:PORT" or "[HOST]:PORT" into host and port. */
static bool split_host_port(const char *spec, char *host, size_t host_cap, const char **port)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon[1] == '\0')
        return false;
    const char *h = spec;
    size_t hlen = (size_t)(colon - spec);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= host_cap)
        return false;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = colon + 1;
    return true;
}

/* "HOST:PORT" of a bound socket, numeric. */
static void describe_bound(int fd, char *bound, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(bound, cap, "?");
        return;
    }
    if (ss.ss_family == AF_INET6)
        snprintf(bound, cap, "[%s]:%s", host, port);
    else
        snprintf(bound, cap, "%s:%s", host, port);
}

int bp_listen(const char *spec, char *bound, size_t bound_cap, char *err, size_t err_cap)
{
    char host[256];
    const char *port;
    if (!split_host_port(spec, host, sizeof host, &port)) {
        snprintf(err, err_cap, "invalid listen address '%s' (want HOST:PORT)", spec);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, err_cap, "cannot resolve '%s': %s", spec, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, err_cap, "cannot listen on '%s': %s", spec, strerror(saved));
        return -1;
    }
    describe_bound(fd, bound, bound_cap);
    return fd;
}

/* ----------------------------------------------------- opening handshake */

/* Answer a refused handshake: status line, optional extra header, no body. */
static void send_refusal(int fd, int status, const char *reason, const char *extra_name,
                         const char *extra_value)
{
    ws_http_header hdrs[3] = {
        {"Content-Length", 14, "0", 1},
        {"Connection", 10, "close", 5},
    };
    size_t n = 2;
    if (extra_name)
        hdrs[n++] =
            (ws_http_header){extra_name, strlen(extra_name), extra_value, strlen(extra_value)};
    char out[512];
    size_t len = 0;
    if (ws_http_write_response(status, reason, hdrs, n, out, sizeof out, &len) == WS_OK)
        bp_send2(fd, out, len, NULL, 0);
}

/* The refusal for a request that failed ws_handshake_check_request(). */
static void refuse_request(int fd, bp_flags v, ws_err e)
{
    if (e == WS_ERR_HS_VERSION && bp_has(v, BP_V(NO_VERSION_HEADER)))
        send_refusal(fd, 400, "Bad Request", NULL, NULL);
    else if (e == WS_ERR_HS_VERSION)
        send_refusal(fd, 426, "Upgrade Required", "Sec-WebSocket-Version", "13");
    else if (e == WS_ERR_HTTP_TOO_LARGE || e == WS_ERR_HTTP_TOO_MANY_HEADERS)
        send_refusal(fd, 431, "Request Header Fields Too Large", NULL, NULL);
    else
        send_refusal(fd, 400, "Bad Request", NULL, NULL);
}

/* Send 101 with the accept value for `key` (made wrong under bad-accept)
 * and, if not NULL, the Sec-WebSocket-Extensions value `extensions`. */
static bool send_switching(int fd, bp_flags v, const char *key, size_t key_len,
                           const char *extensions)
{
    char accept[WS_ACCEPT_LEN + 1];
    ws_accept_key(key, key_len, accept);
    if (bp_has(v, BP_V(BAD_ACCEPT)))
        accept[0] = accept[0] == 'A' ? 'B' : 'A';
    ws_http_header hdrs[] = {
        {"Upgrade", 7, "websocket", 9},
        {"Connection", 10, "Upgrade", 7},
        {"Sec-WebSocket-Accept", 20, accept, WS_ACCEPT_LEN},
        {"Server", 6, "wsspec-badpeer", 14},
        {"Sec-WebSocket-Extensions", 24, extensions, extensions ? strlen(extensions) : 0},
    };
    size_t n = sizeof hdrs / sizeof hdrs[0] - (extensions ? 0 : 1);
    char out[512];
    size_t len = 0;
    if (ws_http_write_response(101, "Switching Protocols", hdrs, n, out, sizeof out, &len) != WS_OK)
        return false;
    return bp_send2(fd, out, len, NULL, 0);
}

/* Read until a whole request head is in buf. Returns WS_OK with the head
 * parsed into req, or the parse/transport error. */
static ws_err read_request(int fd, uint8_t *buf, size_t cap, size_t *have, ws_http_request *req,
                           ws_http_header *hdrs, size_t *head_len)
{
    *have = 0;
    for (;;) {
        ssize_t n = bp_recv(fd, buf + *have, cap - *have);
        if (n == 0)
            return WS_ERR_CLOSED;
        if (n < 0)
            return WS_ERR_IO;
        *have += (size_t)n;
        ws_err e = ws_http_parse_request((const char *)buf, *have, WS_HTTP_DEFAULT_MAX_HEAD, req,
                                         hdrs, BP_MAX_HEADERS, head_len);
        if (e != WS_INCOMPLETE)
            return e;
        if (*have == cap)
            return WS_ERR_HTTP_TOO_LARGE;
    }
}

bool bp_handshake(int fd, bp_flags v, uint8_t *buf, size_t cap, size_t *leftover,
                  ws_pmd_params *pmd_agreed, bool *pmd_on)
{
    *pmd_on = false;
    ws_http_request req;
    ws_http_header hdrs[BP_MAX_HEADERS];
    size_t have = 0, head_len = 0;
    ws_err e = read_request(fd, buf, cap, &have, &req, hdrs, &head_len);
    if (e == WS_ERR_CLOSED || e == WS_ERR_IO)
        return false;
    if (e != WS_OK && bp_has(v, BP_V(ACCEPT_ANY_REQUEST))) {
        /* Even a head too large to parse gets a 101. */
        send_switching(fd, v, "", 0, NULL);
        return false;
    }
    if (e != WS_OK) {
        refuse_request(fd, v, e);
        return false;
    }
    if (bp_has(v, BP_V(NO_HANDSHAKE))) {
        send_refusal(fd, 404, "Not Found", NULL, NULL);
        return false;
    }
    ws_hs_request_info info;
    e = ws_handshake_check_request(&req, &info);
    if (e != WS_OK && bp_has(v, BP_V(ACCEPT_ANY_REQUEST))) {
        const ws_http_header *key = ws_http_find(hdrs, req.num_headers, "Sec-WebSocket-Key", NULL);
        info.key = key ? key->value : "";
        info.key_len = key ? key->value_len : 0;
        e = WS_OK;
    }
    if (e != WS_OK) {
        refuse_request(fd, v, e);
        return false;
    }
    char pmd[BP_EXT_RESPONSE_MAX];
    *pmd_on = bp_pmd_negotiate(&req, v, pmd_agreed, pmd);
    if (!send_switching(fd, v, info.key, info.key_len, *pmd_on ? pmd : NULL))
        return false;
    /* The request (and its key) points into buf: only now move the frames. */
    *leftover = have - head_len;
    memmove(buf, buf + head_len, *leftover);
    return true;
}
