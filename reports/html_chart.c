/* Pictures, as inline SVG: throughput / round-trip charts for the
 * performance cases (index) and a timeline of a case's frames (case page).
 * Every label is escaped text; numbers are formatted by us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/pattern.h"
#include "html_internal.h"

static const char *const palette[] = {"#0b5cad", "#c06000", "#2e8b57",
                                      "#8a3ffc", "#b0205a", "#4b5563"};
#define NPALETTE (sizeof palette / sizeof *palette)

typedef enum { AXIS_MESSAGE, AXIS_FRAME, AXIS_CHOP, AXIS_RTT } axis_kind;

/* The parameter a performance case varies, read from its first step. */
static axis_kind perf_axis(const ws_case *c, uint64_t *x)
{
    *x = 0;
    if (!c->nsteps || !c->steps[0].nframes)
        return AXIS_MESSAGE;
    const ws_step *s = &c->steps[0];
    const ws_send_frame *f = &s->frames[0];
    if (s->kind == WS_STEP_ROUNDTRIPS) {
        *x = f->len;
        return AXIS_RTT;
    }
    if (s->write == WS_WRITE_CHOP) {
        *x = s->chop;
        return AXIS_CHOP;
    }
    if (f->fragment) {
        *x = f->fragment;
        return AXIS_FRAME;
    }
    *x = f->len;
    return AXIS_MESSAGE;
}

static void size_label(uint64_t v, char *out, size_t cap)
{
    if (v >= (1u << 20) && v % (1u << 20) == 0)
        snprintf(out, cap, "%llu MiB", (unsigned long long)(v >> 20));
    else if (v >= 1024 && v % 1024 == 0)
        snprintf(out, cap, "%llu KiB", (unsigned long long)(v >> 10));
    else
        snprintf(out, cap, "%llu B", (unsigned long long)v);
}

static double metric(const ws_case_result *r, axis_kind k)
{
    return k == AXIS_RTT ? (double)r->rtt_avg_us : r->mbytes_per_s;
}

/* Round up to 1, 2 or 5 x 10^k times 4 ticks, so tick labels are round. */
static double nice_max(double v)
{
    if (!(v > 0))
        return 1;
    double step = v / 4, mag = 1;
    while (mag * 10 <= step)
        mag *= 10;
    while (mag > step)
        mag /= 10;
    double m = step / mag;
    double nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return 4 * nice * mag;
}

static const ws_case_result *find(const ws_report_agent *a, const char *id)
{
    for (size_t k = 0; k < a->nresults; k++)
        if (a->results[k].ran && a->results[k].c && strcmp(a->results[k].c->id, id) == 0)
            return &a->results[k];
    return NULL;
}

static void group_of(const char *id, char *out, size_t cap)
{
    size_t n = strcspn(id, ".");
    if (id[n] == '.')
        n += 1 + strcspn(id + n + 1, ".");
    snprintf(out, cap, "%.*s", (int)n, id);
}

static int by_id(const void *x, const void *y)
{
    const ws_case *const *a = x, *const *b = y;
    return ws_case_id_compare((*a)->id, (*b)->id);
}

static void chart(ws_jbuf *b, const char *group, const ws_case **cs, size_t n,
                  const ws_report_agent *agents, size_t nagents)
{
    uint64_t x0;
    axis_kind kind = perf_axis(cs[0], &x0);
    double maxv = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t ai = 0; ai < nagents; ai++) {
            const ws_case_result *r = find(&agents[ai], cs[i]->id);
            if (r && metric(r, kind) > maxv)
                maxv = metric(r, kind);
        }
    maxv = nice_max(maxv);
    const int W = 720, H = 240, L = 56, R = 10, T = 14, B = 40;
    double slot = (double)(W - L - R) / (double)n;
    double bw = (slot * 0.8) / (double)(nagents ? nagents : 1);
    if (bw > 48)
        bw = 48;
    static const char *const what[] = {
        "throughput (MB/s) by message size", "throughput (MB/s) by frame size",
        "throughput (MB/s) by TCP write size", "average round trip (\xc2\xb5s) by message size"};
    ws_hb_puts(b, "<h3>");
    ws_hb_text(b, group);
    ws_hb_puts(b, ": ");
    ws_hb_text(b, what[kind]);
    ws_hb_printf(b,
                 "</h3><svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-label=\"",
                 W, H, W, H);
    ws_hb_attr(b, what[kind]);
    ws_hb_puts(b, "\">");
    for (int t = 0; t <= 4; t++) {
        double y = T + (H - T - B) * (1.0 - t / 4.0);
        ws_hb_printf(b,
                     "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                     "stroke-opacity=\"%s\"/><text x=\"%d\" y=\"%.1f\" "
                     "text-anchor=\"end\">%.4g</text>",
                     L, W - R, y, y, t ? "0.3" : "1", L - 4, y + 4, maxv * t / 4.0);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t x;
        perf_axis(cs[i], &x);
        char lab[32];
        size_label(x, lab, sizeof lab);
        double cx = L + slot * ((double)i + 0.5);
        for (size_t ai = 0; ai < nagents; ai++) {
            const ws_case_result *r = find(&agents[ai], cs[i]->id);
            if (!r)
                continue;
            double v = metric(r, kind), h = (H - T - B) * v / maxv;
            double bx = cx - bw * (double)nagents / 2 + bw * (double)ai;
            ws_hb_printf(b,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                         "fill=\"%s\"><title>",
                         bx, H - B - h, bw > 1 ? bw - 1 : bw, h, palette[ai % NPALETTE]);
            ws_hb_attr(b, agents[ai].name);
            ws_hb_printf(b, ", case %s: %.4g %s (%s)</title></rect>", cs[i]->id, v,
                         kind == AXIS_RTT ? "\xc2\xb5s" : "MB/s", ws_result_name(r->result));
            ws_hb_printf(b,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "font-size=\"9\">%.3g</text>",
                         bx + bw / 2, H - B - h - 3, v);
        }
        ws_hb_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx, H - B + 15);
        ws_hb_text(b, lab);
        ws_hb_printf(b,
                     "</text><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
                     "fill-opacity=\"0.6\">",
                     cx, H - B + 29);
        ws_hb_text(b, cs[i]->id);
        ws_hb_puts(b, "</text>");
    }
    ws_hb_puts(b, "</svg>\n");
}

void ws_html_perf_charts(ws_jbuf *b, const ws_report_agent *agents, size_t nagents)
{
    size_t cap = 0, n = 0;
    for (size_t i = 0; i < nagents; i++)
        cap += agents[i].nresults;
    const ws_case **cs = malloc((cap ? cap : 1) * sizeof *cs);
    if (!cs)
        return;
    for (size_t i = 0; i < nagents; i++)
        for (size_t k = 0; k < agents[i].nresults; k++) {
            const ws_case_result *r = &agents[i].results[k];
            if (r->ran && r->c && (r->c->flags & WS_CASE_PERF))
                cs[n++] = r->c;
        }
    qsort(cs, n, sizeof *cs, by_id);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(cs[u - 1]->id, cs[i]->id) != 0)
            cs[u++] = cs[i];
    n = u;
    ws_hb_puts(b, "<h2 id=\"perf\">Performance</h2>");
    if (n == 0) {
        ws_hb_puts(b, "<p class=\"dim\">No performance case ran.</p>");
        free(cs);
        return;
    }
    ws_hb_puts(b, "<p>");
    for (size_t ai = 0; ai < nagents; ai++) {
        ws_hb_printf(b, "<span style=\"color:%s\">\xe2\x96\xa0</span> ", palette[ai % NPALETTE]);
        ws_hb_text(b, agents[ai].name);
        ws_hb_puts(b, " &nbsp; ");
    }
    ws_hb_puts(b, "</p>");
    for (size_t i = 0; i < n;) {
        char g[32], g2[32];
        group_of(cs[i]->id, g, sizeof g);
        size_t j = i;
        for (; j < n; j++) {
            group_of(cs[j]->id, g2, sizeof g2);
            if (strcmp(g, g2) != 0)
                break;
        }
        chart(b, g, cs + i, j - i, agents, nagents);
        i = j;
    }
    free(cs);
}

static const char *op_colour(unsigned op)
{
    switch (op) {
    case 0:
        return "#8a949e";
    case 1:
        return "#0b5cad";
    case 2:
        return "#7a3fb0";
    case 8:
        return "#c4202b";
    case 9:
    case 10:
        return "#c06000";
    }
    return "#1c2128";
}

void ws_html_timeline(ws_jbuf *b, const ws_case_result *r)
{
    if (r->nwire == 0) {
        ws_hb_puts(b, "<p class=\"dim\">No frames were logged.</p>");
        return;
    }
    int64_t tmax = r->duration_ms * 1000;
    for (size_t i = 0; i < r->nwire; i++)
        if (r->wire[i].t_us > tmax)
            tmax = r->wire[i].t_us;
    if (tmax <= 0)
        tmax = 1;
    const int W = 900, H = 104, L = 92, R = 12;
    ws_hb_printf(b,
                 "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-label=\"frames over time\">",
                 W, H, W, H);
    ws_hb_puts(b, "<text x=\"4\" y=\"30\">wsspec \xe2\x86\x92</text>"
                  "<text x=\"4\" y=\"66\">\xe2\x86\x90 peer</text>");
    ws_hb_printf(b, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"84\" y2=\"84\"/>", L, W - R);
    for (int t = 0; t <= 5; t++) {
        double x = L + (W - L - R) * t / 5.0;
        ws_hb_printf(b,
                     "<line class=\"ax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"84\" y2=\"88\"/>"
                     "<text x=\"%.1f\" y=\"100\" text-anchor=\"%s\">%.3g ms</text>",
                     x, x, x,
                     t == 5 ? "end"
                     : t    ? "middle"
                            : "start",
                     (double)tmax * t / 5.0 / 1000.0);
    }
    for (size_t i = 0; i < r->nwire; i++) {
        const ws_wire_frame *f = &r->wire[i];
        double x = L + (double)(W - L - R) * (double)f->t_us / (double)tmax;
        char tmp[32];
        ws_hb_printf(b,
                     "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"18\" fill=\"%s\">"
                     "<title>#%zu %s ",
                     x - 1, f->tx ? 16 : 52, op_colour(f->opcode), i + 1, f->tx ? "TX" : "RX");
        ws_hb_attr(b, ws_html_opcode_name(f->opcode, tmp, sizeof tmp));
        ws_hb_printf(b, ", %llu octets, FIN %d, at %.3f ms</title></rect>",
                     (unsigned long long)f->len, f->fin, (double)f->t_us / 1000.0);
    }
    ws_hb_puts(b, "</svg><div class=\"dim\">");
    static const unsigned ops[] = {1, 2, 0, 9, 8, 3};
    static const char *const names[] = {"text",      "binary", "continuation",
                                        "ping/pong", "close",  "reserved"};
    for (size_t i = 0; i < 6; i++)
        ws_hb_printf(b, "<span style=\"color:%s\">\xe2\x96\xae</span> %s &nbsp; ",
                     op_colour(ops[i]), names[i]);
    ws_hb_puts(b, "</div>\n");
}
