/*
 * The per-case state machine. One case, one connection, one thread:
 *
 *   connect → opening handshake → steps (send, pause, await, round trips)
 *   → end phase (wait for the peer, finish early when every answer arrived,
 *     or close/kill at the case's timer) → closing handshake → verdicts.
 *
 * Everything the peer sends goes through the core's frame parser and UTF-8
 * validator and is compared, as it streams in, with the plan's expected
 * events (nothing is buffered whole, so 16 MiB echoes cost 64 KiB).
 * Every wait has an absolute deadline; a hostile peer ends in a verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/match.h"
#include "driver/runner.h"
#include "driver/session.h"
#include "wsspec/frame.h"

/* ------------------------------------------------------------- steps */

static bool session_open(const ws_session *s)
{
    return !s->peer_closed && !s->tcp_closed;
}

/* Build the wire octets of a step's frames; frame_ends[i] = end offset of frame i. */
typedef struct {
    uint8_t *buf;
    size_t len, cap;
    bool oom;
} wire_buf;

/* Frame `payload` as the plan frame says (masking for wsspec's role, its
 * RSV, opcode and length form) and append it to the wire buffer. */
static void append_frame(ws_session *s, wire_buf *w, const ws_send_frame *f, bool fin, uint8_t rsv,
                         uint8_t opcode, const uint8_t *payload, size_t len)
{
    if (w->oom)
        return;
    if (w->len + WS_MAX_HEADER_SIZE + len > w->cap) {
        size_t cap = (w->len + WS_MAX_HEADER_SIZE + len) * 2;
        uint8_t *b = realloc(w->buf, cap);
        if (!b) {
            w->oom = true;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    ws_frame_spec spec = {.fin = fin,
                          .rsv = rsv,
                          .opcode = opcode,
                          .masked = ws_session_masks(s, f->unmasked),
                          .len_form = (ws_len_form)f->len_form,
                          .lie_length = f->declared_len != 0,
                          .declared_len = f->declared_len};
    if (!f->zero_mask)
        ws_session_mask_key(s, spec.mask_key);
    size_t n = 0;
    ws_frame_write(&spec, payload, len, w->buf + w->len, w->cap - w->len, &n);
    ws_session_log_tx(s, &spec, payload, len);
    w->len += n;
}

/* One plan frame onto the wire; a message sent compressed is deflated
 * first, then split into .fragment-octet frames with RSV1 on the first
 * (RFC 7692 §6). */
static void append_plan_frame(ws_session *s, wire_buf *w, const ws_plan_frame *pf,
                              const uint8_t *payload, size_t len, const ws_deflate_key *key)
{
    const ws_send_frame *f = &pf->spec;
    if (!f->compress || !s->pmd_agreed) {
        s->res->tx_app_octets += ws_opcode_is_control(f->opcode) ? 0 : len;
        s->res->tx_wire_octets += ws_opcode_is_control(f->opcode) ? 0 : len;
        append_frame(s, w, f, !f->more, f->rsv, f->opcode, payload, len);
        return;
    }
    const uint8_t *z;
    uint8_t *owned;
    size_t zlen;
    if (ws_session_deflate_slice(s, key, payload, len, &z, &zlen, &owned) != WS_OK) {
        w->oom = true;
        return;
    }
    size_t piece = f->fragment ? f->fragment : (zlen ? zlen : 1);
    size_t off = 0;
    do {
        size_t n = zlen - off < piece ? zlen - off : piece;
        bool first = off == 0;
        append_frame(s, w, f, off + n >= zlen && !f->more,
                     (uint8_t)(f->rsv | (first ? WS_RSV1 : 0)), first ? f->opcode : WS_OP_CONT,
                     z + off, n);
        off += n;
    } while (off < zlen);
    free(owned);
}

/* Build the wire octets of a step's frames; frame_ends[i] = end offset of
 * plan frame i. `payload` (if not NULL) replaces the first frame's; `key`
 * (if not NULL) names it as a data-set slice. */
static uint8_t *build_step_with(ws_session *s, const ws_plan_step *ps, const uint8_t *payload,
                                size_t payload_len, const ws_deflate_key *key, size_t *len,
                                size_t **frame_ends)
{
    wire_buf w = {0};
    size_t *ends = malloc((ps->nframes ? ps->nframes : 1) * sizeof *ends);
    if (!ends)
        return NULL;
    for (size_t i = 0; i < ps->nframes; i++) {
        const ws_plan_frame *f = &ps->frames[i];
        if (i == 0 && payload)
            append_plan_frame(s, &w, f, payload, payload_len, key);
        else
            append_plan_frame(s, &w, f, f->payload, f->len, NULL);
        ends[i] = w.len;
    }
    if (!w.oom && !w.buf)
        w.buf = calloc(1, 1);
    if (w.oom || !w.buf) {
        free(w.buf);
        free(ends);
        return NULL;
    }
    *len = w.len;
    *frame_ends = ends;
    return w.buf;
}

static uint8_t *build_step(ws_session *s, const ws_plan_step *ps, size_t *len, size_t **frame_ends)
{
    return build_step_with(s, ps, NULL, 0, NULL, len, frame_ends);
}

static void run_send_with(ws_session *s, const ws_plan_step *ps, const uint8_t *payload,
                          size_t payload_len, const ws_deflate_key *key)
{
    size_t len = 0, *ends = NULL;
    uint8_t *buf = build_step_with(s, ps, payload, payload_len, key, &len, &ends);
    if (!buf) {
        ws_session_note(s, "out of memory building frames");
        return;
    }
    const ws_step *st = ps->step;
    size_t send_len = len;
    if (st->hold && st->hold <= len) {
        send_len = len - st->hold;
        ws_session_hold(s, buf + send_len, st->hold);
    }
    switch (st->write) {
    case WS_WRITE_TOGETHER:
        ws_session_write(s, buf, send_len);
        break;
    case WS_WRITE_FRAMEWISE: {
        size_t start = 0;
        for (size_t i = 0; i < ps->nframes && start < send_len && session_open(s); i++) {
            size_t end = ends[i] < send_len ? ends[i] : send_len;
            ws_session_write(s, buf + start, end - start);
            start = end;
        }
        break;
    }
    case WS_WRITE_CHOP: {
        size_t chop = st->chop ? st->chop : 1;
        for (size_t off = 0; off < send_len && session_open(s); off += chop)
            ws_session_write(s, buf + off, send_len - off < chop ? send_len - off : chop);
        break;
    }
    }
    free(ends);
    free(buf);
}

static void run_send(ws_session *s, const ws_plan_step *ps)
{
    run_send_with(s, ps, NULL, 0, NULL);
}

static void run_roundtrips(ws_session *s, const ws_plan_step *ps, int64_t deadline)
{
    int count = ps->step->count;
    int64_t *rtts = calloc(count > 0 ? (size_t)count : 1, sizeof *rtts);
    int done = 0;
    int64_t t_start = ws_now_ns();
    for (int i = 0; i < count && session_open(s) && !ws_session_stopped(s); i++) {
        size_t owed = s->ok.pos + 1;
        int64_t t0 = ws_now_ns();
        if (ps->corpus) {
            /* Message i is the i-th slice of the data set. */
            size_t n = ps->frames[0].len < ps->corpus_len ? ps->frames[0].len : ps->corpus_len;
            size_t off = ws_corpus_slice((size_t)i, n, ps->corpus_len);
            ws_deflate_key key = {.data_set = ps->frames[0].spec.fill, .offset = off, .len = n};
            run_send_with(s, ps, ps->corpus + off, n, &key);
        } else {
            run_send(s, ps);
        }
        while (s->ok.pos < owed && !s->ok.dead && session_open(s) && ws_now_ns() < deadline &&
               !ws_session_stopped(s))
            ws_session_pump(s, deadline);
        if (s->ok.pos < owed)
            break;
        if (rtts)
            rtts[done] = (ws_now_ns() - t0) / 1000;
        done++;
    }
    ws_session_set_perf(s, rtts, (size_t)done, ws_now_ns() - t_start);
    free(rtts);
}

static void run_steps(ws_session *s, const ws_target *t, size_t first, int64_t case_deadline)
{
    const ws_plan *p = s->plan;
    for (size_t i = first; i < p->nsteps && session_open(s) && !ws_session_stopped(s); i++) {
        const ws_plan_step *ps = &p->steps[i];
        const ws_step *st = ps->step;
        switch (st->kind) {
        case WS_STEP_SEND:
            run_send(s, ps);
            break;
        case WS_STEP_RELEASE:
            ws_session_release(s, (size_t)st->count);
            break;
        case WS_STEP_PAUSE: {
            int64_t until = ws_now_ns() + ws_session_scaled_ms(t, st->ms) * 1000000;
            if (until > case_deadline)
                until = case_deadline;
            while (ws_now_ns() < until && session_open(s) && !ws_session_stopped(s))
                ws_session_pump(s, until);
            if (st->mark && session_open(s) && !s->sent_close)
                ws_session_mark(s, st->mark);
            break;
        }
        case WS_STEP_AWAIT: {
            size_t owed = i > 0 ? p->steps[i - 1].owed_after : 0;
            int64_t until = ws_now_ns() + ws_session_scaled_ms(t, st->ms ? st->ms : 1000) * 1000000;
            while (s->ok.pos < owed && !s->ok.dead && session_open(s) && ws_now_ns() < until &&
                   !ws_session_stopped(s))
                ws_session_pump(s, until);
            break;
        }
        case WS_STEP_ROUNDTRIPS:
            run_roundtrips(s, ps, case_deadline);
            break;
        }
    }
}

/* Wait for the peer until the case timer; finish early when every expected
 * answer arrived and wsspec is the one to close. */
static void run_end_phase(ws_session *s, const ws_target *t, int64_t case_deadline)
{
    const ws_plan *p = s->plan;
    int64_t until = ws_now_ns() + ws_session_scaled_ms(t, p->c->end_ms) * 1000000;
    if (until > case_deadline)
        until = case_deadline;
    for (;;) {
        if (!session_open(s) || s->sent_close)
            return;
        if (p->finish_when_done && !(p->c->flags & WS_CASE_INFORMATIONAL) &&
            (ws_match_done(&s->ok) || (s->ok.dead && (!p->has_non_strict || s->ns.dead)))) {
            /* Every answer arrived, or what arrived can no longer match:
             * either way wsspec closes now rather than at the timer. */
            ws_session_close(s, 1000, "");
            return;
        }
        if (ws_now_ns() >= until || ws_session_stopped(s))
            break;
        ws_session_pump(s, until);
    }
    if (p->c->end == WS_END_CLOSE)
        ws_session_close(s, 1000, "");
    else
        ws_session_close(s, 1001, "Going Away"); /* fail the connection, as Autobahn does */
}

static void summarize_perf(ws_session *s)
{
    ws_case_result *r = s->res;
    if (!(s->plan->c->flags & WS_CASE_PERF))
        return;
    if (r->rtt_max_us == 0 && s->first_tx_ns && s->last_rx_ns > s->first_tx_ns)
        ws_session_set_throughput(s, s->last_rx_ns - s->first_tx_ns);
}

/* Everything after the connection is open, and the verdicts. `accepted` is
 * NULL when wsspec is the client (it connects), else the client's
 * connection to answer. */
static void run_case(const ws_target *t, const ws_case *c, ws_case_result *res,
                     const ws_accepted *accepted)
{
    ws_plan plan;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(res->started, sizeof res->started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    res->ran = true;
    int64_t t0 = ws_now_ns();
    if (ws_plan_build(c, &plan) != WS_OK) {
        snprintf(res->reason, sizeof res->reason, "Out of memory preparing the case.");
        if (accepted)
            ws_conn_close(accepted->conn);
        return;
    }
    /* Every case is bounded: its timers plus a margin for connecting and closing. */
    int64_t budget_ms = c->end_ms + 10000;
    for (size_t i = 0; i < c->nsteps; i++)
        budget_ms += c->steps[i].ms;
    int64_t case_deadline = t0 + ws_session_scaled_ms(t, (int)budget_ms) * 1000000;

    ws_session s;
    ws_session_init(&s, t, &plan, res, accepted != NULL);
    bool open;
    size_t first_step = 0;
    if (accepted) {
        uint8_t *early = NULL;
        size_t early_len = 0, *ends = NULL;
        if (c->hs_response && c->hs_response->first_frame && plan.nsteps &&
            c->steps[0].kind == WS_STEP_SEND) {
            early = build_step(&s, &plan.steps[0], &early_len, &ends);
            free(ends);
            first_step = 1;
        }
        open = ws_session_answer(&s, accepted->conn, accepted->key, accepted->request,
                                 accepted->request_len, accepted->leftover, accepted->leftover_len,
                                 early, early_len);
        free(early);
    } else {
        /* A handshake case may put the first frames in the request's TCP write. */
        uint8_t *early = NULL;
        size_t early_len = 0, *ends = NULL;
        if (c->hs && c->hs->first_frame && plan.nsteps && c->steps[0].kind == WS_STEP_SEND) {
            early = build_step(&s, &plan.steps[0], &early_len, &ends);
            free(ends);
            first_step = 1;
        }
        open = ws_session_open(&s, early, early_len);
        free(early);
    }
    if (open && res->pmd_unimplemented) {
        /* The peer declined permessage-deflate: nothing to test; close. */
        ws_session_close(&s, 1000, "");
        ws_session_finish_close(&s, ws_session_scaled_ms(t, 1000));
    } else if (open) {
        run_steps(&s, t, first_step, case_deadline);
        run_end_phase(&s, t, case_deadline);
        ws_session_finish_close(&s, ws_session_scaled_ms(t, 1000));
        summarize_perf(&s);
    }
    if ((c->flags & WS_CASE_PROBE_AFTER) && !accepted && !ws_session_stopped(&s)) {
        char server[128];
        res->probe_failed = ws_probe_server(t, server, sizeof server, res->probe_detail,
                                            sizeof res->probe_detail) != WS_OK;
    }
    res->duration_ms = (ws_now_ns() - t0) / 1000000;
    ws_verdict_decide(&plan, res, ws_match_done(&s.ok), ws_match_done(&s.ns), s.mismatch);
    /* A case cut short by an interruption has no verdict: it did not run. */
    if (ws_session_stopped(&s))
        res->ran = false;
    ws_session_free(&s);
    ws_plan_free(&plan);
}

void ws_run_case(const ws_target *t, const ws_case *c, ws_case_result *res)
{
    run_case(t, c, res, NULL);
}

void ws_run_case_as_server(const ws_target *t, const ws_accepted *accepted, const ws_case *c,
                           ws_case_result *res)
{
    run_case(t, c, res, accepted);
}

ws_err ws_probe_server(const ws_target *t, char *server_header, size_t server_cap, char *detail,
                       size_t detail_cap)
{
    static const ws_case probe = {
        .id = "probe", .rfc = "RFC 6455 §4.1", .title = "probe", .end = WS_END_CLOSE};
    ws_plan plan;
    ws_case_result res;
    ws_err e = ws_plan_build(&probe, &plan);
    if (e != WS_OK)
        return e;
    ws_result_init(&res, &probe, 0);
    ws_session s;
    ws_session_init(&s, t, &plan, &res, false);
    bool ok = ws_session_open(&s, NULL, 0);
    if (ok) {
        ws_session_close(&s, 1000, "");
        ws_session_finish_close(&s, ws_session_scaled_ms(t, 1000));
    }
    snprintf(server_header, server_cap, "%s", res.server_header);
    snprintf(detail, detail_cap, "%s", ok ? "" : res.reason);
    ws_session_free(&s);
    ws_result_free(&res);
    ws_plan_free(&plan);
    return ok ? WS_OK : WS_ERR_CONNECT;
}
