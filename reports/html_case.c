/* One case page: what the case checks, what wsspec sent, what a conformant
 * peer answers, what the peer did, why the verdicts, and the evidence
 * (handshake, timeline, wire log, closing, statistics). */
#include <stdio.h>
#include <string.h>

#include "html_internal.h"
#include "wsspec/error.h"

#define FRAMES_SHOWN_PER_STEP 24
#define EVENTS_SHOWN          16 /* the rest are summarised: a page stays small */

static const char *event_name(ws_ev_kind k)
{
    switch (k) {
    case WS_EV_TEXT:
        return "text message";
    case WS_EV_BINARY:
        return "binary message";
    case WS_EV_PING:
        return "ping";
    case WS_EV_PONG:
        return "pong";
    case WS_EV_MARK:
        return "still open at mark";
    }
    return "?";
}

static const char *yes_no(bool v)
{
    return v ? "yes" : "no";
}

static void row(ws_jbuf *b, const char *key, const char *value)
{
    ws_hb_puts(b, "<dt>");
    ws_hb_text(b, key);
    ws_hb_puts(b, "</dt><dd>");
    ws_hb_text(b, value);
    ws_hb_puts(b, "</dd>");
}

static void nav(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r)
{
    ws_hb_puts(b, "<nav><a href=\"index.html\">\xe2\x86\x90 index</a>");
    if (r >= a->results && r < a->results + a->nresults) {
        size_t i = (size_t)(r - a->results);
        const ws_case_result *prev = NULL, *next = NULL;
        for (size_t k = i; k-- > 0;)
            if (a->results[k].ran) {
                prev = &a->results[k];
                break;
            }
        for (size_t k = i + 1; k < a->nresults; k++)
            if (a->results[k].ran) {
                next = &a->results[k];
                break;
            }
        char f[300];
        if (prev) {
            ws_report_case_filename(a, prev, "html", f, sizeof f);
            ws_hb_puts(b, " \xc2\xb7 <a href=\"");
            ws_hb_attr(b, f);
            ws_hb_puts(b, "\">previous: ");
            ws_hb_text(b, prev->c->id);
            ws_hb_puts(b, "</a>");
        }
        if (next) {
            ws_report_case_filename(a, next, "html", f, sizeof f);
            ws_hb_puts(b, " \xc2\xb7 <a href=\"");
            ws_hb_attr(b, f);
            ws_hb_puts(b, "\">next: ");
            ws_hb_text(b, next->c->id);
            ws_hb_puts(b, "</a>");
        }
    }
    char json[300];
    ws_report_case_filename(a, r, "json", json, sizeof json);
    ws_hb_puts(b, " \xc2\xb7 <a href=\"");
    ws_hb_attr(b, json);
    ws_hb_puts(b, "\">JSON</a></nav>\n");
}

static void head(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r)
{
    const ws_case *c = r->c;
    ws_hb_puts(b, "<h1>Case ");
    ws_hb_text(b, c->id);
    ws_hb_puts(b, ": ");
    ws_hb_text(b, c->title);
    ws_hb_puts(b, "</h1><div class=\"counts\">");
    ws_html_badge(b, ws_html_result_class(r->result), ws_result_name(r->result));
    ws_hb_puts(b, " <span class=\"dim\">behavior</span> ");
    ws_html_badge(b, ws_html_behavior_class(r->behavior), ws_behavior_name(r->behavior));
    ws_hb_puts(b, " <span class=\"dim\">close</span> ");
    ws_html_badge(b, ws_html_close_class(r->behavior_close),
                  ws_close_verdict_name(r->behavior_close));
    ws_hb_puts(b, "</div><dl class=\"meta\">");
    row(b, "Agent", a->name);
    if (r->server_header[0])
        row(b, "Server header", r->server_header);
    row(b, "RFC", c->rfc);
    row(b, "Requirement", c->requirement ? c->requirement : "(not stated)");
    row(b, "Started", r->started);
    ws_hb_printf(b, "<dt>Duration</dt><dd>%lld ms</dd></dl>\n", (long long)r->duration_ms);
}

static void verdict_reasons(ws_jbuf *b, const ws_case_result *r)
{
    ws_hb_puts(b, "<h2>Verdict</h2><table class=\"t\"><tr><th>behavior</th><td>");
    ws_html_badge(b, ws_html_behavior_class(r->behavior), ws_behavior_name(r->behavior));
    ws_hb_puts(b, "</td><td>");
    ws_hb_text(b, r->reason);
    ws_hb_puts(b, "</td></tr><tr><th>close</th><td>");
    ws_html_badge(b, ws_html_close_class(r->behavior_close),
                  ws_close_verdict_name(r->behavior_close));
    ws_hb_puts(b, "</td><td>");
    ws_hb_text(b, r->reason_close);
    ws_hb_puts(b, "</td></tr>");
    if (r->peer_violation != WS_OK) {
        ws_hb_puts(b, "<tr><th>peer broke</th><td></td><td>");
        ws_hb_text(b, ws_err_message(r->peer_violation));
        if (r->peer_violation_detail[0]) {
            ws_hb_puts(b, ": ");
            ws_hb_text(b, r->peer_violation_detail);
        }
        ws_hb_puts(b, "</td></tr>");
    }
    ws_hb_puts(b, "</table>\n");
}

static void step_text(ws_jbuf *b, const ws_plan_step *ps)
{
    const ws_step *s = ps->step;
    switch (s->kind) {
    case WS_STEP_SEND:
        ws_hb_printf(b, "Send %zu frame%s", ps->nframes, ps->nframes == 1 ? "" : "s");
        if (s->write == WS_WRITE_FRAMEWISE)
            ws_hb_puts(b, ", one TCP write per frame");
        else if (s->write == WS_WRITE_CHOP)
            ws_hb_printf(b, ", in TCP writes of %zu octets", s->chop);
        else
            ws_hb_puts(b, " in one TCP write");
        if (s->hold)
            ws_hb_printf(b, ", holding the last %zu octets back", s->hold);
        break;
    case WS_STEP_PAUSE:
        ws_hb_printf(b, "Pause %d ms, answering nothing", s->ms);
        if (s->mark) {
            ws_hb_puts(b, "; then, if still open, record the mark \xe2\x80\x9c");
            ws_hb_text(b, s->mark);
            ws_hb_puts(b, "\xe2\x80\x9d");
        }
        break;
    case WS_STEP_AWAIT:
        ws_hb_printf(b, "Wait (at most %d ms) for every answer owed so far", s->ms);
        break;
    case WS_STEP_ROUNDTRIPS:
        ws_hb_printf(b, "%d sequential round trips of this frame, each after the previous echo",
                     s->count);
        break;
    case WS_STEP_RELEASE:
        if (s->count)
            ws_hb_printf(b, "Write %d of the held-back octets", s->count);
        else
            ws_hb_puts(b, "Write the held-back octets");
        break;
    }
}

static void sent(ws_jbuf *b, const ws_case *c, const ws_plan *plan)
{
    ws_hb_puts(b, "<h2>What wsspec sent</h2>");
    if (!plan) {
        ws_hb_puts(b, "<p class=\"dim\">(the plan could not be built)</p>");
        return;
    }
    ws_hb_puts(b, "<ol>");
    for (size_t i = 0; i < plan->nsteps; i++) {
        const ws_plan_step *ps = &plan->steps[i];
        ws_hb_puts(b, "<li>");
        step_text(b, ps);
        if (ps->nframes) {
            ws_hb_puts(b, "<table class=\"t\"><tr><th>#</th><th>opcode</th><th>FIN</th>"
                          "<th>RSV</th><th>length</th><th>payload</th></tr>");
            for (size_t k = 0; k < ps->nframes && k < FRAMES_SHOWN_PER_STEP; k++) {
                const ws_plan_frame *f = &ps->frames[k];
                char tmp[32];
                ws_hb_printf(b, "<tr><td>%zu</td><td>", k + 1);
                ws_hb_text(b, ws_html_opcode_name(f->spec.opcode, tmp, sizeof tmp));
                ws_hb_printf(b, "</td><td>%d</td><td>%d</td><td>%zu</td><td>", !f->spec.more,
                             f->spec.rsv, f->len);
                const uint8_t *pl = f->payload;
                size_t len = f->len;
                if (f->spec.opcode == 8 && f->spec.coded && len >= 2) {
                    ws_hb_printf(b, "<span class=\"dim\">code %u</span> ", f->spec.code);
                    pl += 2, len -= 2;
                }
                ws_html_payload(b, pl, len < WS_PREVIEW_MAX ? len : WS_PREVIEW_MAX, len);
                ws_hb_puts(b, "</td></tr>");
            }
            if (ps->nframes > FRAMES_SHOWN_PER_STEP)
                ws_hb_printf(b,
                             "<tr><td colspan=\"6\" class=\"dim\">\xe2\x80\xa6 %zu more "
                             "frames like these</td></tr>",
                             ps->nframes - FRAMES_SHOWN_PER_STEP);
            ws_hb_puts(b, "</table>");
        }
        ws_hb_puts(b, "</li>");
    }
    if (c->end == WS_END_CLOSE)
        ws_hb_printf(b,
                     "<li>Wait up to %d ms for the peer, then start a normal close "
                     "(1000)</li>",
                     c->end_ms);
    else
        ws_hb_printf(b,
                     "<li>Wait up to %d ms for the peer, then fail the connection "
                     "(close 1001)</li>",
                     c->end_ms);
    ws_hb_puts(b, "</ol>\n");
}

static void expect_list(ws_jbuf *b, const char *label, const ws_expect_list *l)
{
    ws_hb_puts(b, "<tr><th>");
    ws_hb_text(b, label);
    ws_hb_puts(b, "</th><td>");
    if (l->n == 0)
        ws_hb_puts(b, "<span class=\"dim\">nothing</span>");
    for (size_t i = 0; i < l->n && i < EVENTS_SHOWN; i++) {
        const ws_expect_event *e = &l->events[i];
        ws_hb_printf(b, "<div>%s", event_name(e->kind));
        if (e->kind != WS_EV_MARK)
            ws_hb_printf(b, ", %zu octets: ", e->len);
        else
            ws_hb_puts(b, " ");
        ws_html_payload(b, e->data, e->len < WS_PREVIEW_MAX ? e->len : WS_PREVIEW_MAX, e->len);
        ws_hb_puts(b, "</div>");
    }
    if (l->n > EVENTS_SHOWN)
        ws_hb_printf(b, "<div class=\"dim\">\xe2\x80\xa6 %zu more</div>", l->n - EVENTS_SHOWN);
    ws_hb_puts(b, "</td></tr>");
}

static void expected(ws_jbuf *b, const ws_case_result *r, const ws_plan *plan)
{
    ws_hb_puts(b, "<h2>What a conformant peer does</h2><p>");
    ws_hb_text(b, r->expectation);
    ws_hb_puts(b, "</p>");
    if (!plan)
        return;
    ws_hb_puts(b, "<table class=\"t\">");
    expect_list(b, "OK", &plan->ok);
    if (plan->has_non_strict)
        expect_list(b, "NON-STRICT", &plan->non_strict);
    ws_hb_printf(b, "<tr><th>closing</th><td>%s closes; accepted peer codes:",
                 plan->closed_by_me ? "wsspec" : "the peer");
    for (size_t i = 0; i < plan->nclose_codes; i++)
        ws_hb_printf(b, " %u", plan->close_codes[i]);
    if (!plan->nclose_codes)
        ws_hb_puts(b, " any");
    ws_hb_printf(b, "%s</td></tr></table>\n",
                 plan->require_clean ? "; the TCP connection must close cleanly" : "");
}

static void observed(ws_jbuf *b, const ws_case_result *r)
{
    ws_hb_puts(b, "<h2>What the peer did</h2><table class=\"t\"><tr><th>received</th><td>");
    if (r->nevents == 0)
        ws_hb_puts(b, "<span class=\"dim\">nothing</span>");
    for (size_t i = 0; i < r->nevents && i < EVENTS_SHOWN; i++) {
        const ws_rx_event *e = &r->events[i];
        ws_hb_printf(b, "<div><span class=\"dim mono\">%.3f ms</span> %s", (double)e->t_us / 1000.0,
                     event_name(e->kind));
        if (e->kind != WS_EV_MARK)
            ws_hb_printf(b, ", %llu octets: ", (unsigned long long)e->len);
        else
            ws_hb_puts(b, " ");
        ws_html_payload(b, e->preview, e->preview_len,
                        e->kind == WS_EV_MARK ? e->preview_len : e->len);
        ws_hb_puts(b, "</div>");
    }
    if (r->nevents > EVENTS_SHOWN || r->events_dropped)
        ws_hb_printf(b, "<div class=\"dim\">\xe2\x80\xa6 %zu more events not shown</div>",
                     r->nevents - (r->nevents > EVENTS_SHOWN ? EVENTS_SHOWN : r->nevents) +
                         r->events_dropped);
    ws_hb_puts(b, "</td></tr><tr><th>closing</th><td>");
    const char *who = r->closed_by_me             ? "wsspec started the closing handshake"
                      : r->remote_close_code >= 0 ? "the peer started the closing handshake"
                                                  : "no closing handshake from the peer";
    ws_hb_text(b, who);
    if (r->remote_close_code > 0)
        ws_hb_printf(b, "; peer close code %d", r->remote_close_code);
    else if (r->remote_close_code == 0)
        ws_hb_puts(b, "; peer close frame without a code");
    if (r->remote_close_reason_len) {
        ws_hb_puts(b, ", reason \xe2\x80\x9c");
        ws_hb_textn(b, r->remote_close_reason, r->remote_close_reason_len);
        ws_hb_puts(b, "\xe2\x80\x9d");
    }
    ws_hb_printf(b, "; %s", r->was_clean ? "closed cleanly" : "not clean: ");
    if (!r->was_clean)
        ws_hb_text(b, r->was_not_clean_reason);
    ws_hb_puts(b, "</td></tr></table>\n");
}

static void handshake(ws_jbuf *b, const ws_case_result *r)
{
    ws_hb_puts(b, "<h2>Opening handshake</h2><h3>Request (wsspec)</h3><pre>");
    if (r->http_request)
        ws_html_escape(b, r->http_request, r->http_request_len, WS_ESC_KEEP_NL | WS_ESC_MARK);
    ws_hb_puts(b, "</pre><h3>Response (peer)</h3><pre>");
    if (r->http_response && r->http_response_len)
        ws_html_escape(b, r->http_response, r->http_response_len, WS_ESC_KEEP_NL | WS_ESC_MARK);
    else
        ws_hb_puts(b, "<span class=\"dim\">(no response)</span>");
    ws_hb_puts(b, "</pre>\n");
}

static void wirelog(ws_jbuf *b, const ws_case_result *r)
{
    ws_hb_printf(b, "<h2>Wire log</h2><p class=\"dim\">%zu frame%s logged", r->nwire,
                 r->nwire == 1 ? "" : "s");
    if (r->wire_dropped)
        ws_hb_printf(b, ", %zu more not logged", r->wire_dropped);
    ws_hb_puts(b, ". \xe2\x86\x92 sent by wsspec, \xe2\x86\x90 sent by the peer.</p>"
                  "<table class=\"wire\"><tr><th>#</th><th>time</th><th>dir</th><th>opcode</th>"
                  "<th>FIN</th><th>RSV</th><th>mask</th><th>length</th><th>payload</th></tr>");
    for (size_t i = 0; i < r->nwire; i++) {
        const ws_wire_frame *f = &r->wire[i];
        char tmp[32];
        ws_hb_printf(b,
                     "<tr class=\"%s\"><td>%zu</td><td class=\"mono\">%.3f</td>"
                     "<td class=\"dir\">%s</td><td>",
                     f->tx ? "tx" : "rx", i + 1, (double)f->t_us / 1000.0,
                     f->tx ? "\xe2\x86\x92 TX" : "\xe2\x86\x90 RX");
        ws_hb_text(b, ws_html_opcode_name(f->opcode, tmp, sizeof tmp));
        ws_hb_printf(b, "</td><td>%d</td><td>%d%d%d</td><td class=\"mono\">", f->fin,
                     (f->rsv >> 2) & 1, (f->rsv >> 1) & 1, f->rsv & 1);
        if (f->masked)
            ws_hb_printf(b, "%02x%02x%02x%02x", f->mask_key[0], f->mask_key[1], f->mask_key[2],
                         f->mask_key[3]);
        else
            ws_hb_puts(b, "\xe2\x80\x94");
        ws_hb_printf(b, "</td><td>%llu</td><td>", (unsigned long long)f->len);
        size_t plen = f->preview_len <= WS_PREVIEW_MAX ? f->preview_len : WS_PREVIEW_MAX;
        if (f->opcode == 8 && plen >= 2 && f->len >= 2) {
            ws_hb_printf(b, "<span class=\"dim\">code %u</span> ",
                         (unsigned)(f->preview[0] << 8 | f->preview[1]));
            ws_html_payload(b, f->preview + 2, plen - 2, f->len - 2);
        } else {
            ws_html_payload(b, f->preview, plen, f->len);
        }
        ws_hb_puts(b, "</td></tr>\n");
    }
    ws_hb_printf(b, "<tr><td colspan=\"9\" class=\"dim\">%s</td></tr></table>\n",
                 r->dropped_by_me || r->failed_by_me ? "TCP closed by wsspec"
                 : r->peer_dropped_tcp               ? "TCP closed by the peer"
                                                     : "end of log");
}

static void closing(ws_jbuf *b, const ws_case_result *r)
{
    char tmp[64];
    ws_hb_puts(b, "<h2>Closing</h2><dl class=\"meta\">");
    row(b, "wsspec started the close", yes_no(r->closed_by_me));
    row(b, "wsspec failed the connection", yes_no(r->failed_by_me));
    row(b, "wsspec dropped TCP", yes_no(r->dropped_by_me));
    row(b, "peer dropped TCP", yes_no(r->peer_dropped_tcp));
    row(b, "clean", yes_no(r->was_clean));
    if (!r->was_clean)
        row(b, "why not clean", r->was_not_clean_reason);
    row(b, "opening handshake timed out", yes_no(r->open_handshake_timeout));
    row(b, "closing handshake timed out", yes_no(r->close_handshake_timeout));
    row(b, "peer did not drop TCP in time", yes_no(r->server_drop_timeout));
    if (r->local_close_code >= 0)
        snprintf(tmp, sizeof tmp, "%d", r->local_close_code);
    else
        snprintf(tmp, sizeof tmp, "none sent");
    row(b, "wsspec close code", tmp);
    row(b, "wsspec close reason", r->local_close_reason);
    if (r->remote_close_code > 0)
        snprintf(tmp, sizeof tmp, "%d", r->remote_close_code);
    else
        snprintf(tmp, sizeof tmp, "%s", r->remote_close_code == 0 ? "no code" : "none received");
    row(b, "peer close code", tmp);
    ws_hb_puts(b, "<dt>peer close reason</dt><dd>");
    ws_hb_textn(b, r->remote_close_reason, r->remote_close_reason_len);
    ws_hb_puts(b, "</dd></dl>\n");
}

static void size_stats(ws_jbuf *b, const char *label, const ws_size_count *s, size_t n)
{
    ws_hb_printf(b, "<tr><th>%s</th><td class=\"mono\">", label);
    for (size_t i = 0; i < n; i++)
        ws_hb_printf(b, "%s%llu\xc3\x97%llu", i ? ", " : "", (unsigned long long)s[i].count,
                     (unsigned long long)s[i].size);
    ws_hb_puts(b, "</td></tr>");
}

static void frame_stats(ws_jbuf *b, const char *label, const uint64_t *counts)
{
    ws_hb_printf(b, "<tr><th>%s</th><td>", label);
    for (int op = 0, first = 1; op < 16; op++) {
        if (!counts[op])
            continue;
        char tmp[32];
        ws_hb_printf(b, "%s%llu ", first ? "" : ", ", (unsigned long long)counts[op]);
        ws_hb_text(b, ws_html_opcode_name((unsigned)op, tmp, sizeof tmp));
        first = 0;
    }
    ws_hb_puts(b, "</td></tr>");
}

static void statistics(ws_jbuf *b, const ws_case_result *r)
{
    ws_hb_printf(b,
                 "<h2>Statistics</h2><table class=\"t\"><tr><th>octets</th><td>%llu received, "
                 "%llu sent</td></tr>",
                 (unsigned long long)r->rx_octets, (unsigned long long)r->tx_octets);
    size_stats(b, "TCP reads (count\xc3\x97size)", r->rx_chops, r->nrx_chops);
    size_stats(b, "TCP writes (count\xc3\x97size)", r->tx_chops, r->ntx_chops);
    frame_stats(b, "frames received", r->rx_frames);
    frame_stats(b, "frames sent", r->tx_frames);
    if (r->c->flags & WS_CASE_PERF) {
        ws_hb_printf(b,
                     "<tr><th>echoed payload</th><td>%llu octets</td></tr>"
                     "<tr><th>throughput</th><td>%.2f MB/s</td></tr>",
                     (unsigned long long)r->payload_octets, r->mbytes_per_s);
        if (r->rtt_max_us)
            ws_hb_printf(b,
                         "<tr><th>round trip</th><td>min %lld \xc2\xb5s, avg %lld \xc2\xb5s, "
                         "p99 %lld \xc2\xb5s, max %lld \xc2\xb5s</td></tr>",
                         (long long)r->rtt_min_us, (long long)r->rtt_avg_us,
                         (long long)r->rtt_p99_us, (long long)r->rtt_max_us);
    }
    ws_hb_puts(b, "</table>\n");
}

void ws_html_case_page(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r)
{
    char title[300];
    snprintf(title, sizeof title, "%s \xe2\x80\x94 case %s", a->name, r->c->id);
    ws_html_page_begin(b, title, NULL);
    nav(b, a, r);
    head(b, a, r);
    ws_plan plan;
    bool have_plan = ws_plan_build(r->c, &plan) == WS_OK;
    verdict_reasons(b, r);
    sent(b, r->c, have_plan ? &plan : NULL);
    expected(b, r, have_plan ? &plan : NULL);
    if (have_plan)
        ws_plan_free(&plan);
    observed(b, r);
    ws_hb_puts(b, "<h2>Timeline</h2>");
    ws_html_timeline(b, r);
    handshake(b, r);
    wirelog(b, r);
    closing(b, r);
    statistics(b, r);
    ws_html_page_end(b, NULL);
}
