/*
 * Listening sockets and "HOST:PORT" parsing.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn_internal.h"

/* Decimal 0-65535, no sign, no spaces, at least one digit. */
static bool parse_port(const char *s, uint16_t *port)
{
    if (!*s) return false;
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > 65535) return false;
    }
    *port = (uint16_t)v;
    return true;
}

ws_err ws_parse_host_port(const char *s, char *host, size_t host_cap, uint16_t *port)
{
    if (!s || !host || !port || host_cap == 0) return WS_ERR_INVALID_ARG;
    const char *h, *colon;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close) return WS_ERR_URL_HOST;
        h = s + 1;
        hlen = (size_t)(close - h);
        if (hlen == 0 || memchr(h, ':', hlen) == NULL) return WS_ERR_URL_HOST;
        if (close[1] != ':') return close[1] ? WS_ERR_URL_HOST : WS_ERR_URL_PORT;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon) return WS_ERR_URL_PORT;
        h = s;
        hlen = (size_t)(colon - s);
        if (hlen == 0 || memchr(h, ':', hlen) != NULL) return WS_ERR_URL_HOST;
    }
    for (size_t i = 0; i < hlen; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch <= ' ' || ch >= 0x7f || ch == '[' || ch == ']' || ch == '/') return WS_ERR_URL_HOST;
    }
    if (!parse_port(colon + 1, port)) return WS_ERR_URL_PORT;
    if (hlen >= host_cap) return WS_ERR_BUFFER_TOO_SMALL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    return WS_OK;
}

ws_err ws_listen(const char *host, uint16_t port, int *fd_out, uint16_t *bound_port, char *detail,
                 size_t detail_cap)
{
    if (!host || !fd_out) return WS_ERR_INVALID_ARG;
    *fd_out = -1;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gr = getaddrinfo(*host ? host : NULL, portstr, &hints, &res);
    if (gr != 0) {
        ws_net_detail(detail, detail_cap, "resolve %s: %s", host, gai_strerror(gr));
        return WS_ERR_RESOLVE;
    }
    int fd = -1, err = 0;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0) break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        ws_net_detail(detail, detail_cap, "listen on %s port %u: %s", host, (unsigned)port,
                      strerror(err));
        return WS_ERR_LISTEN;
    }
    if (bound_port) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
            ws_net_detail(detail, detail_cap, "getsockname: %s", strerror(errno));
            close(fd);
            return WS_ERR_LISTEN;
        }
        if (ss.ss_family == AF_INET6)
            *bound_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        else
            *bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    *fd_out = fd;
    return WS_OK;
}
