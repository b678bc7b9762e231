/*
 * A conformance case that FAILED, as a reproducer (`wsspec test-server
 * --save-repro DIR`): the octets wsspec wrote per TCP write (the opening
 * request and the mask keys it used included), the time between writes as
 * pauses, and what was observed: oracle `must`, the case's failure reason,
 * and the response shape computed from the case's evidence.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"

/* One line of text: control characters become spaces. */
static void one_line(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; src[n] && n + 1 < cap; n++)
        dst[n] = (unsigned char)src[n] < 0x20 ? ' ' : src[n];
    dst[n] = 0;
}

/* The shape (model.c) of what the case saw. */
static void case_shape(const ws_case_result *res, char *out, size_t cap)
{
    static ws_lf_obs o;
    memset(&o, 0, sizeof o);
    o.hs_done = res->http_status != 0;
    o.hs_status = res->http_status;
    for (size_t i = 0; i < res->nevents; i++) {
        ws_ev_kind k = res->events[i].kind;
        if (k == WS_EV_PONG)
            o.npongs++;
        else if (k == WS_EV_TEXT || k == WS_EV_BINARY)
            o.ndata++;
    }
    o.got_close = res->remote_close_code >= 0;
    o.close_code = (uint16_t)(res->remote_close_code > 0 ? res->remote_close_code : 0);
    o.peer_err = res->peer_violation;
    o.end = res->peer_dropped_tcp ? WS_LF_OBS_EOF : WS_LF_OBS_OPEN;
    o.settled = true;
    o.first_reply_ns = -1;
    ws_lf_shape(&o, out, cap);
}

bool ws_lf_repro_from_case(const ws_case_result *res, const char *target, ws_lf_repro *r)
{
    ws_lf_repro_init(r);
    const ws_tx_record *t = res->tx_record;
    if (!t || t->nwrites == 0)
        return false;
    snprintf(r->target, sizeof r->target, "%s", target);
    r->oracle = WS_LF_MUST;
    /* The reason as the summary prints it. */
    char reason[sizeof res->reason + sizeof res->reason_close + 2];
    bool both = res->behavior != WS_BEHAVIOR_OK && res->behavior_close != WS_CLOSE_VERDICT_OK;
    snprintf(reason, sizeof reason, "%s%s%s",
             res->behavior != WS_BEHAVIOR_OK ? res->reason : res->reason_close, both ? " " : "",
             both ? res->reason_close : "");
    one_line(r->detail, sizeof r->detail, reason);
    case_shape(res, r->shape, sizeof r->shape);
    int n =
        snprintf(r->note, sizeof r->note,
                 "conformance case %s (%s / %s) from wsspec test-server; %zu writes, %zu octets",
                 res->c->id, ws_behavior_name(res->behavior),
                 ws_close_verdict_name(res->behavior_close), t->nwrites, t->len);
    if (t->left_out && n > 0 && (size_t)n < sizeof r->note)
        snprintf(r->note + n, sizeof r->note - (size_t)n,
                 "; truncated at %zu octets: %llu octets (%llu more writes) not recorded", t->limit,
                 (unsigned long long)t->left_out, (unsigned long long)t->left_out_writes);
    size_t off = 0;
    for (size_t i = 0; i < t->nwrites; i++) {
        if (t->writes[i].pause_ms && !ws_lf_repro_act(r, WS_LF_PAUSE, (int)t->writes[i].pause_ms))
            goto oom;
        if (!ws_lf_repro_send(r, t->data + off, t->writes[i].len))
            goto oom;
        off += t->writes[i].len;
    }
    return true;
oom:
    ws_lf_repro_free(r);
    return false;
}

ws_err ws_lf_save_case_repro(const char *dir, const char *prefix, const ws_case_result *res,
                             const char *target, char *path, size_t path_cap, char *err, size_t cap)
{
    ws_lf_repro r;
    path[0] = 0;
    if (!ws_lf_repro_from_case(res, target, &r)) {
        snprintf(err, cap, "nothing was written to the peer (or out of memory)");
        return WS_ERR_NOMEM;
    }
    int n = snprintf(path, path_cap, "%s/%s%scase-%s.repro", dir, prefix ? prefix : "",
                     prefix && prefix[0] ? "-" : "", res->c->id);
    ws_err e;
    if (n < 0 || (size_t)n >= path_cap) {
        snprintf(err, cap, "%s: path too long", dir);
        e = WS_ERR_INVALID_ARG;
    } else {
        e = ws_lf_repro_save(&r, path, err, cap);
    }
    ws_lf_repro_free(&r);
    return e;
}
