/* JUnit XML: one <testsuite> per agent and family, one <testcase> per case.
 * See report_junit.h for the mapping of verdicts. */
#include <stdio.h>
#include <string.h>

#include "html_internal.h"
#include "report_junit.h"

static const char *ev_name(ws_ev_kind k)
{
    switch (k) {
    case WS_EV_TEXT:
        return "text";
    case WS_EV_BINARY:
        return "binary";
    case WS_EV_PING:
        return "ping";
    case WS_EV_PONG:
        return "pong";
    case WS_EV_MARK:
        return "mark";
    }
    return "?";
}

void ws_report_observed(const ws_case_result *r, char *out, size_t cap)
{
    size_t n = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (n < cap)                                                                               \
            n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);                                  \
    } while (0)
    if (cap == 0)
        return;
    out[0] = 0;
    if (!r->handshake_ok)
        ADD("no WebSocket connection (opening handshake failed); ");
    if (r->nevents == 0)
        ADD("received nothing");
    else
        ADD("received");
    for (size_t i = 0; i < r->nevents && i < 8; i++)
        ADD("%s %s %llu octets", i ? "," : "", ev_name(r->events[i].kind),
            (unsigned long long)r->events[i].len);
    if (r->nevents > 8 || r->events_dropped)
        ADD(" and %zu more", r->nevents - (r->nevents > 8 ? 8 : r->nevents) + r->events_dropped);
    if (r->remote_close_code > 0)
        ADD("; peer closed with code %d", r->remote_close_code);
    else if (r->remote_close_code == 0)
        ADD("; peer closed without a code");
    else
        ADD("; no close frame from the peer");
    if (r->remote_close_reason_len) {
        ADD(" reason \"");
        for (size_t i = 0; i < r->remote_close_reason_len && i < sizeof r->remote_close_reason;
             i++) {
            if (r->remote_close_reason[i])
                ADD("%c", r->remote_close_reason[i]);
            else
                ADD("\\x00"); /* keep the line a C string */
        }
        ADD("\"");
    }
    if (r->was_clean)
        ADD("; TCP closed cleanly");
    else if (r->was_not_clean_reason[0])
        ADD("; not clean: %s", r->was_not_clean_reason);
#undef ADD
    if (n >= cap)
        out[cap - 1] = 0;
}

static void attr(ws_jbuf *b, const char *name, const char *value)
{
    ws_hb_printf(b, " %s=\"", name);
    if (value)
        ws_html_escape(b, value, strlen(value), 0);
    ws_hb_puts(b, "\"");
}

static void property(ws_jbuf *b, const char *name, const char *value)
{
    ws_hb_puts(b, "        <property");
    attr(b, "name", name);
    attr(b, "value", value);
    ws_hb_puts(b, "/>\n");
}

static void text(ws_jbuf *b, const char *s)
{
    ws_html_escape(b, s, strlen(s), WS_ESC_KEEP_NL);
}

static void fam_of(const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)strcspn(id, "."), id);
}

static bool counts(const ws_case_result *r, bool strict, int *fail, int *skip)
{
    *fail = r->result == WS_RESULT_FAILED || (strict && r->result == WS_RESULT_NON_STRICT);
    *skip = r->result == WS_RESULT_UNIMPLEMENTED;
    return true;
}

static void testcase(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r, bool strict)
{
    char name[400], cls[300], fam[16], observed[1200];
    fam_of(r->c->id, fam, sizeof fam);
    snprintf(name, sizeof name, "%s %s", r->c->id, r->c->title);
    snprintf(cls, sizeof cls, "%s.%s %s", a->file_prefix, fam, ws_family_title(r->c->id));
    ws_hb_puts(b, "    <testcase");
    attr(b, "name", name);
    attr(b, "classname", cls);
    ws_hb_printf(b, " time=\"%.3f\">\n", (double)r->duration_ms / 1000.0);
    ws_hb_puts(b, "      <properties>\n");
    property(b, "verdict", ws_result_name(r->result));
    property(b, "behavior", ws_behavior_name(r->behavior));
    property(b, "behaviorClose", ws_close_verdict_name(r->behavior_close));
    property(b, "rfc", r->c->rfc);
    ws_hb_puts(b, "      </properties>\n");
    int fail, skip;
    counts(r, strict, &fail, &skip);
    const char *reason = r->behavior != WS_BEHAVIOR_OK ? r->reason : r->reason_close;
    if (fail) {
        ws_hb_puts(b, "      <failure");
        attr(b, "type", ws_result_name(r->result));
        attr(b, "message", reason);
        ws_hb_puts(b, ">");
        ws_report_observed(r, observed, sizeof observed);
        text(b, "behavior: ");
        text(b, ws_behavior_name(r->behavior));
        text(b, ": ");
        text(b, r->reason);
        text(b, "\nclose: ");
        text(b, ws_close_verdict_name(r->behavior_close));
        text(b, ": ");
        text(b, r->reason_close);
        text(b, "\nexpected: ");
        text(b, r->expectation);
        text(b, "\nobserved: ");
        text(b, observed);
        if (r->peer_violation != WS_OK) {
            text(b, "\npeer broke: ");
            text(b, ws_err_message(r->peer_violation));
            if (r->peer_violation_detail[0]) {
                text(b, ": ");
                text(b, r->peer_violation_detail);
            }
        }
        ws_hb_puts(b, "</failure>\n");
    } else if (skip) {
        char msg[700];
        snprintf(msg, sizeof msg, "UNIMPLEMENTED: %s", r->reason);
        ws_hb_puts(b, "      <skipped");
        attr(b, "message", msg);
        ws_hb_puts(b, "/>\n");
    } else if (r->result != WS_RESULT_OK) {
        ws_hb_puts(b, "      <system-out>");
        text(b, ws_result_name(r->result));
        text(b, ": ");
        text(b, reason);
        ws_hb_puts(b, "</system-out>\n");
    }
    ws_hb_puts(b, "    </testcase>\n");
}

bool ws_report_junit(const char *path, const ws_report_agent *agents, size_t nagents, bool strict,
                     char *err, size_t errcap)
{
    size_t tests = 0, failures = 0, skipped = 0;
    double secs = 0;
    for (size_t ai = 0; ai < nagents; ai++)
        for (size_t k = 0; k < agents[ai].nresults; k++) {
            const ws_case_result *r = &agents[ai].results[k];
            int f, s;
            if (!r->ran || !r->c || !counts(r, strict, &f, &s))
                continue;
            tests++;
            failures += (size_t)f;
            skipped += (size_t)s;
            secs += (double)r->duration_ms / 1000.0;
        }
    ws_jbuf b;
    ws_jbuf_init(&b);
    ws_hb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    ws_hb_printf(&b,
                 "<testsuites name=\"wsspec\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                 "skipped=\"%zu\" time=\"%.3f\">\n",
                 tests, failures, skipped, secs);
    for (size_t ai = 0; ai < nagents; ai++) {
        const ws_report_agent *a = &agents[ai];
        size_t k = 0;
        while (k < a->nresults) {
            char fam[16], f2[16];
            fam_of(a->results[k].c->id, fam, sizeof fam);
            size_t start = k, n = 0, nf = 0, ns = 0;
            double t = 0;
            const char *stamp = NULL;
            for (; k < a->nresults; k++) {
                const ws_case_result *r = &a->results[k];
                fam_of(r->c->id, f2, sizeof f2);
                if (strcmp(f2, fam) != 0)
                    break;
                int f, s;
                if (!r->ran || !counts(r, strict, &f, &s))
                    continue;
                n++;
                nf += (size_t)f;
                ns += (size_t)s;
                t += (double)r->duration_ms / 1000.0;
                if (!stamp && r->started[0])
                    stamp = r->started;
            }
            if (n == 0)
                continue;
            char sname[300];
            snprintf(sname, sizeof sname, "%s: %s %s", a->name, fam,
                     ws_family_title(a->results[start].c->id));
            ws_hb_puts(&b, "  <testsuite");
            attr(&b, "name", sname);
            ws_hb_printf(&b,
                         " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
                         "time=\"%.3f\"",
                         n, nf, ns, t);
            if (stamp)
                attr(&b, "timestamp", stamp);
            ws_hb_puts(&b, ">\n    <properties>\n");
            property(&b, "agent", a->name);
            property(&b, "family", fam);
            property(&b, "strict", strict ? "true" : "false");
            ws_hb_puts(&b, "    </properties>\n");
            for (size_t i = start; i < k; i++)
                if (a->results[i].ran)
                    testcase(&b, a, &a->results[i], strict);
            ws_hb_puts(&b, "  </testsuite>\n");
        }
    }
    ws_hb_puts(&b, "</testsuites>\n");
    bool ok = ws_html_write(&b, path, err, errcap);
    ws_jbuf_free(&b);
    return ok;
}
