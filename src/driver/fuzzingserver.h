/*
 * Testing clients: wsspec listens and clients under test connect with
 * Autobahn's URL protocol, so existing client harnesses work unchanged:
 *
 *   /getCaseCount                      one text message: the number of cases
 *   /runCase?case=N&agent=NAME         run case N (1-based), or casetuple=X.Y.Z
 *   /getCaseInfo?case=N                {"id": ..., "description": ...}
 *   /getCaseStatus?case=N&agent=NAME   {"behavior": ...} once the case has run
 *   /updateReports?agent=NAME          write the reports
 *   /stopServer                        stop
 *
 * Every control request is itself a WebSocket connection.
 */
#ifndef WSSPEC_DRIVER_FUZZINGSERVER_H
#define WSSPEC_DRIVER_FUZZINGSERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/case.h"
#include "driver/result.h"
#include "wsspec/error.h"
#include "wsspec/net.h"

typedef struct {
    const char *host;
    uint16_t port; /* 0: any free port */
    ws_tls_server *tls;
    const ws_case **cases; /* the selected cases; runCase?case=N picks cases[N-1] */
    const size_t *indices; /* their 1-based positions in the full list */
    size_t ncases;
    double time_scale;
    bool set_deflate_level;      /* compress at deflate_level, not WS_DEFLATE_DEFAULT_LEVEL */
    int deflate_level;           /* zlib level 0..9 */
    volatile sig_atomic_t *stop; /* set to stop serving; running cases finish */
    /* Set to cut running cases short too (an interruption); NULL: never. */
    volatile sig_atomic_t *abort_cases;
    /* Callbacks, each called with the server's lock held (one at a time). */
    void (*on_listen)(void *ctx, uint16_t port);
    /* A case finished for an agent. `r` is owned by the callee afterwards. */
    void (*on_result)(void *ctx, const char *agent, ws_case_result *r);
    /* The behaviour recorded for (agent, case), or NULL if not run yet. */
    const char *(*status_of)(void *ctx, const char *agent, const ws_case *c);
    void (*on_update_reports)(void *ctx, const char *agent);
    void *ctx;
} ws_fuzzingserver;

/* Serve until *stop is set or /stopServer. Returns WS_OK, or WS_ERR_LISTEN
 * with a one-line reason in detail. */
ws_err ws_fuzzingserver_run(const ws_fuzzingserver *fs, char *detail, size_t detail_cap);

#endif
