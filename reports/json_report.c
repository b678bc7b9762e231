/* index.json and per-case JSON, with Autobahn's names and shapes so
 * existing CI scripts read them unchanged; wsspec's additions (reason,
 * RFC section, performance) are extra keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "util/jsonw.h"
#include "wsspec/frame.h"
#include "wsspec/utf8.h"

void ws_report_file_prefix(const char *agent, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = agent;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[n++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c : '_';
    }
    out[n] = 0;
    if (n == 0)
        snprintf(out, cap, "agent");
}

void ws_report_case_filename(const ws_report_agent *a, const ws_case_result *r, const char *ext,
                             char *out, size_t cap)
{
    char id[64];
    snprintf(id, sizeof id, "%s", r->c->id);
    for (char *p = id; *p; p++)
        if (*p == '.')
            *p = '_';
    snprintf(out, cap, "%s_case_%s.%s", a->file_prefix, id, ext);
}

bool ws_report_mkdir(const char *dir, char *err, size_t errcap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errcap, "cannot create %s: %s", path, strerror(errno));
            return false;
        }
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errcap, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

/* A payload as Autobahn shows it: text if valid UTF-8, else "0x<hex>". */
static void payload_value(ws_jsonw *w, const uint8_t *data, size_t len, uint64_t total)
{
    if (ws_utf8_is_valid(data, len)) {
        char tmp[WS_PREVIEW_MAX + 8];
        if (len)
            memcpy(tmp, data, len);
        size_t n = len;
        if (total > len) {
            memcpy(tmp + n, " \xe2\x80\xa6", 4); /* " …" */
            n += 4;
        }
        ws_jsonw_stringn(w, tmp, n);
        return;
    }
    char hex[2 + 2 * WS_PREVIEW_MAX + 8];
    size_t n = (size_t)snprintf(hex, sizeof hex, "0x");
    for (size_t i = 0; i < len; i++)
        n += (size_t)snprintf(hex + n, sizeof hex - n, "%02x", data[i]);
    if (total > len)
        snprintf(hex + n, sizeof hex - n, " ...");
    ws_jsonw_string(w, hex);
}

static const char *event_tag(ws_ev_kind k)
{
    switch (k) {
    case WS_EV_TEXT:
    case WS_EV_BINARY:
        return "message";
    case WS_EV_PING:
        return "ping";
    case WS_EV_PONG:
        return "pong";
    case WS_EV_MARK:
        return "timeout";
    }
    return "?";
}

static void write_expect_list(ws_jsonw *w, const ws_expect_list *l)
{
    ws_jsonw_begin_array(w);
    for (size_t i = 0; i < l->n && i < 16; i++) {
        const ws_expect_event *e = &l->events[i];
        size_t shown = e->len < WS_PREVIEW_MAX ? e->len : WS_PREVIEW_MAX;
        ws_jsonw_begin_array(w);
        ws_jsonw_string(w, event_tag(e->kind));
        payload_value(w, e->data, shown, e->len);
        if (e->kind == WS_EV_TEXT || e->kind == WS_EV_BINARY)
            ws_jsonw_bool(w, e->kind == WS_EV_BINARY);
        ws_jsonw_end_array(w);
    }
    ws_jsonw_end_array(w);
}

static void write_size_stats(ws_jsonw *w, const ws_size_count *s, size_t n)
{
    ws_jsonw_begin_object(w);
    for (size_t i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "%llu", (unsigned long long)s[i].size);
        ws_jsonw_key(w, k);
        ws_jsonw_uint64(w, s[i].count);
    }
    ws_jsonw_end_object(w);
}

static void write_frame_stats(ws_jsonw *w, const uint64_t *counts)
{
    ws_jsonw_begin_object(w);
    for (int op = 0; op < 16; op++) {
        if (!counts[op])
            continue;
        char k[16];
        snprintf(k, sizeof k, "%d", op);
        ws_jsonw_key(w, k);
        ws_jsonw_uint64(w, counts[op]);
    }
    ws_jsonw_end_object(w);
}

static void write_wirelog(ws_jsonw *w, const ws_case_result *r)
{
    ws_jsonw_begin_array(w);
    for (size_t i = 0; i < r->nwire; i++) {
        const ws_wire_frame *f = &r->wire[i];
        char mask[16] = "";
        if (f->masked)
            snprintf(mask, sizeof mask, "%02x%02x%02x%02x", f->mask_key[0], f->mask_key[1],
                     f->mask_key[2], f->mask_key[3]);
        ws_jsonw_begin_array(w);
        ws_jsonw_string(w, f->tx ? "TF" : "RF");
        ws_jsonw_begin_array(w);
        ws_jsonw_uint64(w, f->len);
        payload_value(w, f->preview, f->preview_len, f->len);
        ws_jsonw_end_array(w);
        ws_jsonw_int64(w, f->opcode);
        ws_jsonw_bool(w, f->fin);
        ws_jsonw_int64(w, f->rsv);
        ws_jsonw_bool(w, f->masked);
        if (f->masked)
            ws_jsonw_string(w, mask);
        else
            ws_jsonw_null(w);
        ws_jsonw_double(w, (double)f->t_us / 1000.0);
        ws_jsonw_end_array(w);
    }
    ws_jsonw_end_array(w);
}

static void write_case(ws_jsonw *w, const ws_report_agent *a, const ws_case_result *r,
                       const ws_plan *plan)
{
    const ws_case *c = r->c;
    ws_jsonw_begin_object(w);
    ws_jsonw_key(w, "agent");
    ws_jsonw_string(w, a->name);
    ws_jsonw_key(w, "id");
    ws_jsonw_string(w, c->id);
    ws_jsonw_key(w, "case");
    ws_jsonw_uint64(w, r->index);
    ws_jsonw_key(w, "description");
    ws_jsonw_string(w, c->title);
    ws_jsonw_key(w, "rfc");
    ws_jsonw_string(w, c->rfc);
    ws_jsonw_key(w, "requirement");
    ws_jsonw_string(w, c->requirement);
    ws_jsonw_key(w, "expectation");
    ws_jsonw_string(w, r->expectation);
    ws_jsonw_key(w, "started");
    ws_jsonw_string(w, r->started);
    ws_jsonw_key(w, "duration");
    ws_jsonw_int64(w, r->duration_ms);
    ws_jsonw_key(w, "isServer");
    ws_jsonw_bool(w, false);
    ws_jsonw_key(w, "behavior");
    ws_jsonw_string(w, ws_behavior_name(r->behavior));
    ws_jsonw_key(w, "behaviorClose");
    ws_jsonw_string(w, ws_close_verdict_name(r->behavior_close));
    ws_jsonw_key(w, "wsspecResult");
    ws_jsonw_string(w, ws_result_name(r->result));
    ws_jsonw_key(w, "result");
    ws_jsonw_string(w, r->reason);
    ws_jsonw_key(w, "resultClose");
    ws_jsonw_string(w, r->reason_close);
    if (plan) {
        ws_jsonw_key(w, "expected");
        ws_jsonw_begin_object(w);
        ws_jsonw_key(w, "OK");
        write_expect_list(w, &plan->ok);
        if (plan->has_non_strict) {
            ws_jsonw_key(w, "NON-STRICT");
            write_expect_list(w, &plan->non_strict);
        }
        ws_jsonw_end_object(w);
        ws_jsonw_key(w, "expectedClose");
        ws_jsonw_begin_object(w);
        ws_jsonw_key(w, "closedByMe");
        ws_jsonw_bool(w, plan->closed_by_me);
        ws_jsonw_key(w, "closeCode");
        ws_jsonw_begin_array(w);
        for (size_t i = 0; i < plan->nclose_codes; i++)
            ws_jsonw_int64(w, plan->close_codes[i]);
        ws_jsonw_end_array(w);
        ws_jsonw_key(w, "requireClean");
        ws_jsonw_bool(w, plan->require_clean);
        ws_jsonw_end_object(w);
    }
    ws_jsonw_key(w, "received");
    ws_jsonw_begin_array(w);
    for (size_t i = 0; i < r->nevents; i++) {
        const ws_rx_event *e = &r->events[i];
        ws_jsonw_begin_array(w);
        ws_jsonw_string(w, event_tag(e->kind));
        payload_value(w, e->preview, e->preview_len, e->len);
        if (e->kind == WS_EV_TEXT || e->kind == WS_EV_BINARY)
            ws_jsonw_bool(w, e->kind == WS_EV_BINARY);
        ws_jsonw_end_array(w);
    }
    ws_jsonw_end_array(w);
    ws_jsonw_key(w, "receivedDropped");
    ws_jsonw_uint64(w, r->events_dropped);

#define BOOLKEY(k, v)                                                                              \
    ws_jsonw_key(w, k);                                                                            \
    ws_jsonw_bool(w, v)
    BOOLKEY("closedByMe", r->closed_by_me);
    BOOLKEY("failedByMe", r->failed_by_me);
    BOOLKEY("droppedByMe", r->dropped_by_me);
    BOOLKEY("wasClean", r->was_clean);
    ws_jsonw_key(w, "wasNotCleanReason");
    if (r->was_clean)
        ws_jsonw_null(w);
    else
        ws_jsonw_string(w, r->was_not_clean_reason);
    BOOLKEY("wasServerConnectionDropTimeout", r->server_drop_timeout);
    BOOLKEY("wasOpenHandshakeTimeout", r->open_handshake_timeout);
    BOOLKEY("wasCloseHandshakeTimeout", r->close_handshake_timeout);
#undef BOOLKEY
    ws_jsonw_key(w, "localCloseCode");
    if (r->local_close_code >= 0)
        ws_jsonw_int64(w, r->local_close_code);
    else
        ws_jsonw_null(w);
    ws_jsonw_key(w, "localCloseReason");
    ws_jsonw_string(w, r->local_close_reason);
    ws_jsonw_key(w, "remoteCloseCode");
    if (r->remote_close_code > 0)
        ws_jsonw_int64(w, r->remote_close_code);
    else
        ws_jsonw_null(w);
    ws_jsonw_key(w, "remoteCloseReason");
    if (r->remote_close_code >= 0)
        ws_jsonw_stringn(w, r->remote_close_reason, r->remote_close_reason_len);
    else
        ws_jsonw_null(w);
    ws_jsonw_key(w, "peerViolation");
    if (r->peer_violation != WS_OK)
        ws_jsonw_string(w, ws_err_message(r->peer_violation));
    else
        ws_jsonw_null(w);
    ws_jsonw_key(w, "httpRequest");
    ws_jsonw_stringn(w, r->http_request ? r->http_request : "", r->http_request_len);
    ws_jsonw_key(w, "httpResponse");
    ws_jsonw_stringn(w, r->http_response ? r->http_response : "", r->http_response_len);
    ws_jsonw_key(w, "rxOctetStats");
    write_size_stats(w, r->rx_chops, r->nrx_chops);
    ws_jsonw_key(w, "txOctetStats");
    write_size_stats(w, r->tx_chops, r->ntx_chops);
    ws_jsonw_key(w, "rxFrameStats");
    write_frame_stats(w, r->rx_frames);
    ws_jsonw_key(w, "txFrameStats");
    write_frame_stats(w, r->tx_frames);
    ws_jsonw_key(w, "rxOctets");
    ws_jsonw_uint64(w, r->rx_octets);
    ws_jsonw_key(w, "txOctets");
    ws_jsonw_uint64(w, r->tx_octets);
    ws_jsonw_key(w, "trafficStats");
    if (c->pmd_offer && r->pmd_response[0] && r->tx_app_octets) {
        /* Autobahn's names: compressed octets per application octet. */
        ws_jsonw_begin_object(w);
        ws_jsonw_key(w, "extension");
        ws_jsonw_string(w, r->pmd_response);
        ws_jsonw_key(w, "outgoingOctetsAppLevel");
        ws_jsonw_uint64(w, r->tx_app_octets);
        ws_jsonw_key(w, "outgoingOctetsWebSocketLevel");
        ws_jsonw_uint64(w, r->tx_wire_octets);
        ws_jsonw_key(w, "outgoingCompressionRatio");
        ws_jsonw_double(w, (double)r->tx_wire_octets / (double)r->tx_app_octets);
        ws_jsonw_key(w, "incomingOctetsAppLevel");
        ws_jsonw_uint64(w, r->payload_octets);
        ws_jsonw_key(w, "incomingOctetsWebSocketLevel");
        ws_jsonw_uint64(w, r->rx_wire_octets);
        ws_jsonw_key(w, "incomingCompressionRatio");
        if (r->payload_octets)
            ws_jsonw_double(w, (double)r->rx_wire_octets / (double)r->payload_octets);
        else
            ws_jsonw_null(w);
        ws_jsonw_end_object(w);
    } else {
        ws_jsonw_null(w);
    }
    if (c->flags & WS_CASE_PERF) {
        ws_jsonw_key(w, "performance");
        ws_jsonw_begin_object(w);
        ws_jsonw_key(w, "echoedOctets");
        ws_jsonw_uint64(w, r->payload_octets);
        ws_jsonw_key(w, "megabytesPerSecond");
        ws_jsonw_double(w, r->mbytes_per_s);
        if (r->rtt_max_us) {
            ws_jsonw_key(w, "roundTripMicroseconds");
            ws_jsonw_begin_object(w);
            ws_jsonw_key(w, "min");
            ws_jsonw_int64(w, r->rtt_min_us);
            ws_jsonw_key(w, "avg");
            ws_jsonw_int64(w, r->rtt_avg_us);
            ws_jsonw_key(w, "p99");
            ws_jsonw_int64(w, r->rtt_p99_us);
            ws_jsonw_key(w, "max");
            ws_jsonw_int64(w, r->rtt_max_us);
            ws_jsonw_end_object(w);
        }
        ws_jsonw_end_object(w);
    }
    ws_jsonw_key(w, "createWirelog");
    ws_jsonw_bool(w, !(c->flags & WS_CASE_NO_WIRELOG));
    ws_jsonw_key(w, "wirelogDropped");
    ws_jsonw_uint64(w, r->wire_dropped);
    ws_jsonw_key(w, "wirelog");
    write_wirelog(w, r);
    ws_jsonw_end_object(w);
}

static bool finish_to_file(ws_jsonw *w, const char *path, char *err, size_t errcap)
{
    const char *data;
    size_t len;
    bool ok = ws_jsonw_finish(w, &data, &len, err, errcap) &&
              ws_write_file_atomic(path, data, len, err, errcap) == 0;
    ws_jsonw_free(w);
    return ok;
}

bool ws_report_case_json(const char *outdir, const ws_report_agent *a, const ws_case_result *r,
                         char *err, size_t errcap)
{
    char name[256], path[4096];
    ws_report_case_filename(a, r, "json", name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    ws_plan plan;
    bool have_plan = ws_plan_build(r->c, &plan) == WS_OK;
    ws_jsonw w;
    ws_jsonw_init(&w, 2);
    write_case(&w, a, r, have_plan ? &plan : NULL);
    if (have_plan)
        ws_plan_free(&plan);
    return finish_to_file(&w, path, err, errcap);
}

static int by_id_string(const void *x, const void *y)
{
    const ws_case_result *const *a = x, *const *b = y;
    return strcmp((*a)->c->id, (*b)->c->id);
}

bool ws_report_index_json(const char *outdir, const ws_report_agent *agents, size_t nagents,
                          bool complete, const char *command_line, double seconds, char *err,
                          size_t errcap)
{
    char path[4096];
    ws_jsonw w;
    ws_jsonw_init(&w, 3);
    ws_jsonw_begin_object(&w);
    for (size_t ai = 0; ai < nagents; ai++) {
        const ws_report_agent *a = &agents[ai];
        ws_jsonw_key(&w, a->name);
        ws_jsonw_begin_object(&w);
        /* Autobahn sorts case keys as strings ("10.1.1" before "2.1"). */
        const ws_case_result **sorted = malloc((a->nresults ? a->nresults : 1) * sizeof *sorted);
        size_t n = 0;
        for (size_t i = 0; sorted && i < a->nresults; i++)
            if (a->results[i].ran)
                sorted[n++] = &a->results[i];
        if (sorted)
            qsort(sorted, n, sizeof *sorted, by_id_string);
        for (size_t i = 0; i < n; i++) {
            const ws_case_result *r = sorted[i];
            char file[256];
            ws_report_case_filename(a, r, "json", file, sizeof file);
            ws_jsonw_key(&w, r->c->id);
            ws_jsonw_begin_object(&w);
            ws_jsonw_key(&w, "behavior");
            ws_jsonw_string(&w, ws_behavior_name(r->behavior));
            ws_jsonw_key(&w, "behaviorClose");
            ws_jsonw_string(&w, ws_close_verdict_name(r->behavior_close));
            ws_jsonw_key(&w, "duration");
            ws_jsonw_int64(&w, r->duration_ms);
            ws_jsonw_key(&w, "remoteCloseCode");
            if (r->remote_close_code > 0)
                ws_jsonw_int64(&w, r->remote_close_code);
            else
                ws_jsonw_null(&w);
            ws_jsonw_key(&w, "reportfile");
            ws_jsonw_string(&w, file);
            ws_jsonw_end_object(&w);
        }
        free(sorted);
        ws_jsonw_end_object(&w);
    }
    ws_jsonw_end_object(&w);
    snprintf(path, sizeof path, "%s/index.json", outdir);
    if (!finish_to_file(&w, path, err, errcap))
        return false;

    ws_jsonw_init(&w, 2);
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "tool");
    ws_jsonw_string(&w, "wsspec " WSSPEC_VERSION);
    ws_jsonw_key(&w, "complete");
    ws_jsonw_bool(&w, complete);
    ws_jsonw_key(&w, "commandLine");
    ws_jsonw_string(&w, command_line);
    ws_jsonw_key(&w, "seconds");
    ws_jsonw_double(&w, seconds);
    ws_jsonw_key(&w, "agents");
    ws_jsonw_begin_object(&w);
    for (size_t ai = 0; ai < nagents; ai++) {
        size_t counts[5] = {0}, ran = 0;
        for (size_t i = 0; i < agents[ai].nresults; i++)
            if (agents[ai].results[i].ran) {
                counts[agents[ai].results[i].result]++;
                ran++;
            }
        ws_jsonw_key(&w, agents[ai].name);
        ws_jsonw_begin_object(&w);
        ws_jsonw_key(&w, "selected");
        ws_jsonw_uint64(&w, agents[ai].nresults);
        ws_jsonw_key(&w, "ran");
        ws_jsonw_uint64(&w, ran);
        for (int k = 0; k < 5; k++) {
            ws_jsonw_key(&w, ws_result_name((ws_result)k));
            ws_jsonw_uint64(&w, counts[k]);
        }
        ws_jsonw_end_object(&w);
    }
    ws_jsonw_end_object(&w);
    ws_jsonw_end_object(&w);
    snprintf(path, sizeof path, "%s/run.json", outdir);
    return finish_to_file(&w, path, err, errcap);
}
