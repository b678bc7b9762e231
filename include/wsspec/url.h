/*
 * ws:// and wss:// URLs (RFC 6455 §3): scheme, host (name, IPv4, or a
 * bracketed IPv6 literal), optional port, resource name (path and query).
 */
#ifndef WSSPEC_URL_H
#define WSSPEC_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

typedef struct {
    bool tls;         /* wss:// */
    const char *host; /* points into the URL; an IPv6 literal without brackets */
    size_t host_len;
    bool host_is_ipv6;
    uint16_t port;        /* explicit, or 80 / 443 */
    const char *resource; /* path and query, "/" when the URL has none */
    size_t resource_len;
    /* True when the URL has a query but no path ("ws://h?x=1"): resource then
     * points at the '?' in the URL ("?x=1") and the resource name to send is
     * "/" followed by it. ws_url_resource() writes the complete one. */
    bool resource_needs_slash;
} ws_url;

/*
 * Parse a NUL-terminated URL. The result points into `url`. Errors:
 * WS_ERR_URL_SCHEME, WS_ERR_URL_HOST, WS_ERR_URL_PORT, WS_ERR_URL_FRAGMENT
 * ("#" is not allowed, §3), WS_ERR_URL_SYNTAX (spaces, control characters).
 * Checks run in this order: scheme, characters, fragment, host, port.
 * Userinfo ("ws://user@host/") is not supported and gives WS_ERR_URL_HOST;
 * so does an IPv6 literal without brackets ("ws://::1/").
 */
ws_err ws_url_parse(const char *url, ws_url *out);

/* "host:port" or "[v6]:port" into out (NUL-terminated). Returns false if it does not fit. */
bool ws_url_host_port(const ws_url *u, char *out, size_t cap);

/* The resource name for the request line ("/" + resource when
 * resource_needs_slash) into out (NUL-terminated). False if it does not fit. */
bool ws_url_resource(const ws_url *u, char *out, size_t cap);

#endif
