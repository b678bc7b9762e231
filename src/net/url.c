/*
 * ws:// and wss:// URLs (RFC 6455 §3, RFC 3986 for the pieces).
 *
 *   ws-URI  = "ws:" "//" host [ ":" port ] path [ "?" query ]
 *   wss-URI = "wss:" "//" host [ ":" port ] path [ "?" query ]
 *
 * The parse is in place and allocation-free: host and resource point into
 * the caller's string. Deliberate restrictions (a test tool, not a browser):
 * no userinfo, no IPv6 zone identifiers, host names limited to letters,
 * digits, '-', '.', '_' and '~' (no percent-encoding), and a host made only of
 * digits and dots must be a valid dotted-quad IPv4 address.
 */
#include "wsspec/url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_HOST_LEN 255

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 §2: unreserved, reserved (gen-delims and sub-delims) and '%'. */
static bool is_uri_char(unsigned char c)
{
    return is_alnum(c) || (c != 0 && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

/* Length of "ws://" or "wss://" at the start of s (case-insensitive), or 0. */
static size_t scheme_len(const char *s, bool *tls)
{
    if (strncasecmp(s, "ws://", 5) == 0) {
        *tls = false;
        return 5;
    }
    if (strncasecmp(s, "wss://", 6) == 0) {
        *tls = true;
        return 6;
    }
    return 0;
}

/* Every octet must be a URI character and every '%' start a %XX escape. */
static bool chars_valid(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!is_uri_char(c)) return false;
        if (c == '%' && (!is_hex((unsigned char)s[1]) || !is_hex((unsigned char)s[2])))
            return false;
    }
    return true;
}

/* A bracketed IPv6 literal, as validated by inet_pton (no zone ids). */
static bool ipv6_valid(const char *p, size_t n)
{
    char tmp[INET6_ADDRSTRLEN];
    unsigned char addr[16];
    if (n == 0 || n >= sizeof tmp) return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

/* A registered name or a dotted-quad IPv4 address (see the file comment). */
static bool host_name_valid(const char *p, size_t n)
{
    bool numeric = true;
    if (n == 0 || n > MAX_HOST_LEN) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!is_alnum(c) && c != '-' && c != '.' && c != '_' && c != '~') return false;
        if (!(c >= '0' && c <= '9') && c != '.') numeric = false;
    }
    if (numeric) {
        char tmp[MAX_HOST_LEN + 1];
        unsigned char addr[4];
        memcpy(tmp, p, n);
        tmp[n] = '\0';
        return inet_pton(AF_INET, tmp, addr) == 1;
    }
    return true;
}

/* Decimal digits only, 1-65535; leading zeros are allowed (RFC 3986 port = *DIGIT). */
static ws_err parse_port(const char *p, size_t n, uint16_t *port)
{
    unsigned long v = 0;
    if (n == 0) return WS_ERR_URL_PORT;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return WS_ERR_URL_PORT;
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > 65535) return WS_ERR_URL_PORT;
    }
    if (v == 0) return WS_ERR_URL_PORT;
    *port = (uint16_t)v;
    return WS_OK;
}

/* host [ ":" port ] from the authority a[0..n). */
static ws_err parse_authority(const char *a, size_t n, ws_url *out)
{
    const char *end = a + n;
    const char *port = NULL;                       /* the ':' before the port, if any */
    if (memchr(a, '@', n)) return WS_ERR_URL_HOST; /* userinfo is not supported */
    if (n > 0 && a[0] == '[') {
        const char *rb = memchr(a, ']', n);
        if (!rb || !ipv6_valid(a + 1, (size_t)(rb - a - 1))) return WS_ERR_URL_HOST;
        out->host = a + 1;
        out->host_len = (size_t)(rb - a - 1);
        out->host_is_ipv6 = true;
        if (rb + 1 < end) {
            if (rb[1] != ':') return WS_ERR_URL_HOST;
            port = rb + 1;
        }
    } else {
        port = memchr(a, ':', n);
        if (port && memchr(port + 1, ':', (size_t)(end - port - 1)))
            return WS_ERR_URL_HOST; /* more than one ':': an unbracketed IPv6 literal */
        size_t host_len = port ? (size_t)(port - a) : n;
        if (!host_name_valid(a, host_len)) return WS_ERR_URL_HOST;
        out->host = a;
        out->host_len = host_len;
    }
    if (port) return parse_port(port + 1, (size_t)(end - port - 1), &out->port);
    out->port = out->tls ? 443 : 80;
    return WS_OK;
}

ws_err ws_url_parse(const char *url, ws_url *out)
{
    if (!url || !out) return WS_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    size_t skip = scheme_len(url, &out->tls);
    if (skip == 0) return WS_ERR_URL_SCHEME;
    const char *a = url + skip;
    if (!chars_valid(a)) return WS_ERR_URL_SYNTAX;
    if (strchr(a, '#')) return WS_ERR_URL_FRAGMENT;
    size_t alen = strcspn(a, "/?");
    ws_err e = parse_authority(a, alen, out);
    if (e != WS_OK) return e;
    const char *r = a + alen;
    if (*r == '\0') {
        out->resource = "/";
        out->resource_len = 1;
    } else {
        out->resource = r;
        out->resource_len = strlen(r);
        out->resource_needs_slash = *r == '?';
    }
    return WS_OK;
}

bool ws_url_host_port(const ws_url *u, char *out, size_t cap)
{
    if (!u || !out || cap == 0 || !u->host || u->host_len > MAX_HOST_LEN) return false;
    int r = snprintf(out, cap, u->host_is_ipv6 ? "[%.*s]:%u" : "%.*s:%u", (int)u->host_len, u->host,
                     (unsigned)u->port);
    return r >= 0 && (size_t)r < cap;
}

bool ws_url_resource(const ws_url *u, char *out, size_t cap)
{
    if (!u || !out || cap == 0 || !u->resource || u->resource_len > (size_t)0x7fffffff)
        return false;
    int r = snprintf(out, cap, "%s%.*s", u->resource_needs_slash ? "/" : "", (int)u->resource_len,
                     u->resource);
    return r >= 0 && (size_t)r < cap;
}
