/*
 * Running one case against one server under test: connect, opening
 * handshake, the case's steps, the closing handshake, verdicts.
 */
#ifndef WSSPEC_DRIVER_RUNNER_H
#define WSSPEC_DRIVER_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "driver/case.h"
#include "driver/deflate_cache.h"
#include "driver/result.h"
#include "wsspec/net.h"
#include "wsspec/url.h"

typedef struct {
    const char *url_text;
    ws_url url;
    const char *sni;                 /* NULL: the URL host */
    const char *origin;              /* NULL: no Origin header */
    const char *protocols;           /* NULL: no Sec-WebSocket-Protocol */
    double time_scale;               /* multiplies every per-case timer; 1.0 = Autobahn's */
    bool set_deflate_level;          /* compress at deflate_level, not WS_DEFLATE_DEFAULT_LEVEL */
    int deflate_level;               /* zlib level 0..9 of what wsspec compresses */
    ws_deflate_cache *deflate_cache; /* NULL: compress every message anew */
    volatile sig_atomic_t *stop;     /* set by SIGINT: finish quickly */
} ws_target;

/*
 * Run case `c` against `t`, filling `res` (initialised by the caller with
 * ws_result_init). Never fails: every outcome, including an unreachable
 * server, is a verdict with a reason.
 */
void ws_run_case(const ws_target *t, const ws_case *c, ws_case_result *res);

/* A client's connection, accepted and its opening request read. */
typedef struct {
    ws_conn *conn;       /* ownership passes to the runner */
    const char *key;     /* the request's Sec-WebSocket-Key */
    const char *request; /* the request head as received */
    size_t request_len;
    const uint8_t *leftover; /* octets after the head (early frames) */
    size_t leftover_len;
} ws_accepted;

/* Run case `c` as the server, on a client under test's connection. */
void ws_run_case_as_server(const ws_target *t, const ws_accepted *accepted, const ws_case *c,
                           ws_case_result *res);

/* Connect and complete one valid opening handshake, then close. Used before
 * a run to check the server is reachable and to read its Server header.
 * Returns WS_OK, or an error with a one-line reason in detail. */
ws_err ws_probe_server(const ws_target *t, char *server_header, size_t server_cap, char *detail,
                       size_t detail_cap);

#endif
