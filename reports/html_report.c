/* index.html: run header, a summary per agent, the grid of families x
 * cases x agents with filters, performance charts; and the driver that
 * writes every page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/pattern.h"
#include "html_internal.h"

/* Filters: reveal the (hidden) filter bar, hide rows that do not match. */
static const char filter_js[] =
    "(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;"
    "function upd(){var on={};f.querySelectorAll('input[type=checkbox]').forEach(function(c)"
    "{on[c.value]=c.checked});var fam=document.getElementById('ffam').value;"
    "document.querySelectorAll('#grid tbody tr').forEach(function(r){"
    "var rf=r.getAttribute('data-f');if(r.className==='fam'){r.hidden=!(fam===''||rf===fam);"
    "return}var vs=(r.getAttribute('data-v')||'').split(' ');r.hidden=!((fam===''||rf===fam)"
    "&&vs.some(function(v){return on[v]}))})}"
    "f.addEventListener('change',upd);upd()})();";

static void family_of(const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)strcspn(id, "."), id);
}

static int by_case_id(const void *x, const void *y)
{
    const ws_case *const *a = x, *const *b = y;
    return ws_case_id_compare((*a)->id, (*b)->id);
}

/* Every case that ran for at least one agent, in id order. */
static const ws_case **union_cases(const ws_report_agent *agents, size_t nagents, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < nagents; i++)
        cap += agents[i].nresults;
    const ws_case **cs = malloc((cap ? cap : 1) * sizeof *cs);
    *n = 0;
    if (!cs)
        return NULL;
    for (size_t i = 0; i < nagents; i++)
        for (size_t k = 0; k < agents[i].nresults; k++)
            if (agents[i].results[k].ran && agents[i].results[k].c)
                cs[(*n)++] = agents[i].results[k].c;
    qsort(cs, *n, sizeof *cs, by_case_id);
    size_t u = 0;
    for (size_t i = 0; i < *n; i++)
        if (u == 0 || strcmp(cs[u - 1]->id, cs[i]->id) != 0)
            cs[u++] = cs[i];
    *n = u;
    return cs;
}

static const ws_case_result *find_result(const ws_report_agent *a, const char *id)
{
    for (size_t k = 0; k < a->nresults; k++)
        if (a->results[k].ran && a->results[k].c && strcmp(a->results[k].c->id, id) == 0)
            return &a->results[k];
    return NULL;
}

static void header(ws_jbuf *b, const ws_report_agent *agents, size_t nagents,
                   const ws_html_meta *meta)
{
    char date[64];
    const char *d = meta ? meta->date : NULL;
    if (!d) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
        d = date;
    }
    ws_hb_puts(b, "<header><h1>WebSocket conformance report</h1><dl class=\"meta\">");
    ws_hb_puts(b, "<dt>Tool</dt><dd>wsspec ");
    ws_hb_text(b, meta && meta->version ? meta->version : WSSPEC_VERSION);
    ws_hb_puts(b, "</dd><dt>Date</dt><dd>");
    ws_hb_text(b, d);
    ws_hb_puts(b, "</dd><dt>Command line</dt><dd><code>");
    ws_hb_text(b, meta && meta->command_line ? meta->command_line : "");
    ws_hb_printf(b, "</code></dd><dt>Duration</dt><dd>%.1f s</dd><dt>Agents</dt><dd>",
                 meta ? meta->seconds : 0.0);
    for (size_t i = 0; i < nagents; i++) {
        if (i)
            ws_hb_puts(b, ", ");
        ws_hb_text(b, agents[i].name);
    }
    ws_hb_puts(b, "</dd></dl>");
    if (meta && !meta->complete)
        ws_hb_puts(b, "<p class=\"warn\">The run was interrupted: these results are "
                      "partial.</p>");
    ws_hb_puts(b, "<p class=\"dim\">Each case has two verdicts: <b>behavior</b> (what the peer "
                  "sent back) and <b>close</b> (how the connection ended). Legend: ");
    for (int v = 0; v < 5; v++) {
        ws_html_badge(b, ws_html_result_class((ws_result)v), ws_result_name((ws_result)v));
        ws_hb_puts(b, " ");
    }
    ws_hb_puts(b, "</p></header>\n");
}

static void bar(ws_jbuf *b, const size_t *counts, size_t total)
{
    static const ws_result order[] = {WS_RESULT_OK, WS_RESULT_NON_STRICT, WS_RESULT_INFORMATIONAL,
                                      WS_RESULT_UNIMPLEMENTED, WS_RESULT_FAILED};
    ws_hb_puts(b, "<span class=\"bar\">");
    for (size_t i = 0; i < 5 && total; i++) {
        size_t n = counts[order[i]];
        if (!n)
            continue;
        ws_hb_printf(b, "<span class=\"%s\" style=\"width:%.2f%%\" title=\"%zu %s\"></span>",
                     ws_html_result_class(order[i]), 100.0 * (double)n / (double)total, n,
                     ws_result_name(order[i]));
    }
    ws_hb_puts(b, "</span>");
}

static void counts_text(ws_jbuf *b, const size_t *counts)
{
    static const ws_result order[] = {WS_RESULT_OK, WS_RESULT_NON_STRICT, WS_RESULT_INFORMATIONAL,
                                      WS_RESULT_UNIMPLEMENTED, WS_RESULT_FAILED};
    for (size_t i = 0; i < 5; i++) {
        if (!counts[order[i]])
            continue;
        char t[64];
        snprintf(t, sizeof t, "%zu %s", counts[order[i]], ws_result_name(order[i]));
        ws_html_badge(b, ws_html_result_class(order[i]), t);
        ws_hb_puts(b, " ");
    }
}

static void summary(ws_jbuf *b, const ws_report_agent *agents, size_t nagents)
{
    ws_hb_puts(b, "<h2 id=\"summary\">Summary</h2><div class=\"sum\">");
    for (size_t ai = 0; ai < nagents; ai++) {
        const ws_report_agent *a = &agents[ai];
        size_t counts[5] = {0}, ran = 0;
        for (size_t k = 0; k < a->nresults; k++)
            if (a->results[k].ran) {
                counts[a->results[k].result % 5]++;
                ran++;
            }
        ws_hb_puts(b, "<div class=\"card\"><h3>");
        ws_hb_text(b, a->name);
        ws_hb_printf(b, "</h3><div>%zu of %zu selected cases ran</div><div class=\"counts\">", ran,
                     a->nresults);
        counts_text(b, counts);
        ws_hb_puts(b, "</div><table class=\"fams\">");
        size_t k = 0;
        while (k < a->nresults) {
            char fam[16];
            family_of(a->results[k].c->id, fam, sizeof fam);
            size_t fc[5] = {0}, fran = 0, start = k;
            for (; k < a->nresults; k++) {
                char f2[16];
                family_of(a->results[k].c->id, f2, sizeof f2);
                if (strcmp(f2, fam) != 0)
                    break;
                if (a->results[k].ran) {
                    fc[a->results[k].result % 5]++;
                    fran++;
                }
            }
            if (!fran)
                continue;
            ws_hb_puts(b, "<tr><td>");
            ws_hb_text(b, fam);
            ws_hb_puts(b, "</td><td>");
            ws_hb_text(b, ws_family_title(a->results[start].c->id));
            ws_hb_puts(b, "</td><td>");
            bar(b, fc, fran);
            ws_hb_printf(b, "</td><td class=\"mono\">%zu/%zu OK", fc[WS_RESULT_OK], fran);
            if (fc[WS_RESULT_FAILED])
                ws_hb_printf(b, ", <span style=\"color:var(--fail)\">%zu FAILED</span>",
                             fc[WS_RESULT_FAILED]);
            ws_hb_puts(b, "</td></tr>");
        }
        ws_hb_puts(b, "</table></div>");
    }
    ws_hb_puts(b, "</div>\n");
}

static void filters(ws_jbuf *b, const ws_case **cs, size_t n)
{
    ws_hb_puts(b, "<form id=\"filters\" class=\"filters\" hidden><b>Show</b>");
    for (int v = 0; v < 5; v++)
        ws_hb_printf(b, "<label><input type=\"checkbox\" value=\"%s\" checked> %s</label>",
                     ws_html_result_class((ws_result)v), ws_result_name((ws_result)v));
    ws_hb_puts(b, "<label>Family <select id=\"ffam\"><option value=\"\">all</option>");
    char last[16] = "";
    for (size_t i = 0; i < n; i++) {
        char fam[16];
        family_of(cs[i]->id, fam, sizeof fam);
        if (strcmp(fam, last) == 0)
            continue;
        snprintf(last, sizeof last, "%s", fam);
        ws_hb_puts(b, "<option value=\"");
        ws_hb_attr(b, fam);
        ws_hb_puts(b, "\">");
        ws_hb_text(b, fam);
        ws_hb_puts(b, " ");
        ws_hb_text(b, ws_family_title(cs[i]->id));
        ws_hb_puts(b, "</option>");
    }
    ws_hb_puts(b, "</select></label></form>\n");
}

static void grid_cell(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r)
{
    if (!r) {
        ws_hb_puts(b, "<td class=\"c none\">not run</td>");
        return;
    }
    char file[300], close_text[64];
    ws_report_case_filename(a, r, "html", file, sizeof file);
    ws_hb_puts(b, "<td class=\"c\"><a href=\"");
    ws_hb_attr(b, file);
    ws_hb_puts(b, "\" title=\"");
    ws_hb_attr(b, r->reason);
    if (r->behavior_close != WS_CLOSE_VERDICT_OK) {
        ws_hb_puts(b, " / ");
        ws_hb_attr(b, r->reason_close);
    }
    ws_hb_puts(b, "\">");
    ws_html_badge(b, ws_html_behavior_class(r->behavior), ws_behavior_name(r->behavior));
    if (r->remote_close_code > 0)
        snprintf(close_text, sizeof close_text, "%s %d", ws_close_verdict_name(r->behavior_close),
                 r->remote_close_code);
    else
        snprintf(close_text, sizeof close_text, "%s", ws_close_verdict_name(r->behavior_close));
    ws_html_badge(b, ws_html_close_class(r->behavior_close), close_text);
    ws_hb_puts(b, "</a></td>");
}

static void grid(ws_jbuf *b, const ws_report_agent *agents, size_t nagents, const ws_case **cs,
                 size_t n)
{
    ws_hb_puts(b, "<h2 id=\"cases\">Cases</h2>");
    filters(b, cs, n);
    ws_hb_puts(b, "<table class=\"grid\" id=\"grid\"><thead><tr><th>Case</th><th>Title</th>"
                  "<th>RFC</th>");
    for (size_t ai = 0; ai < nagents; ai++) {
        ws_hb_puts(b, "<th>");
        ws_hb_text(b, agents[ai].name);
        ws_hb_puts(b, "<br><span class=\"dim\">behavior / close</span></th>");
    }
    ws_hb_puts(b, "</tr></thead><tbody>\n");
    char last[16] = "";
    for (size_t i = 0; i < n; i++) {
        char fam[16];
        family_of(cs[i]->id, fam, sizeof fam);
        if (strcmp(fam, last) != 0) {
            snprintf(last, sizeof last, "%s", fam);
            ws_hb_puts(b, "<tr class=\"fam\" data-f=\"");
            ws_hb_attr(b, fam);
            ws_hb_printf(b, "\"><th colspan=\"%zu\">", 3 + nagents);
            ws_hb_text(b, fam);
            ws_hb_puts(b, " ");
            ws_hb_text(b, ws_family_title(cs[i]->id));
            ws_hb_puts(b, "</th></tr>\n");
        }
        /* The verdict classes present in the row, for the filter. */
        bool seen[5] = {false};
        for (size_t ai = 0; ai < nagents; ai++) {
            const ws_case_result *r = find_result(&agents[ai], cs[i]->id);
            if (r)
                seen[r->result % 5] = true;
        }
        ws_hb_puts(b, "<tr data-f=\"");
        ws_hb_attr(b, fam);
        ws_hb_puts(b, "\" data-v=\"");
        for (int v = 0, first = 1; v < 5; v++)
            if (seen[v]) {
                ws_hb_printf(b, "%s%s", first ? "" : " ", ws_html_result_class((ws_result)v));
                first = 0;
            }
        ws_hb_puts(b, "\"><td class=\"id\">");
        ws_hb_text(b, cs[i]->id);
        ws_hb_puts(b, "</td><td class=\"ti\" title=\"");
        ws_hb_attr(b, cs[i]->title);
        ws_hb_puts(b, "\">");
        ws_hb_text(b, cs[i]->title);
        ws_hb_puts(b, "</td><td class=\"rfc\">");
        ws_hb_text(b, cs[i]->rfc);
        ws_hb_puts(b, "</td>");
        for (size_t ai = 0; ai < nagents; ai++)
            grid_cell(b, &agents[ai], find_result(&agents[ai], cs[i]->id));
        ws_hb_puts(b, "</tr>\n");
    }
    ws_hb_puts(b, "</tbody></table>\n");
}

static bool write_index(const char *outdir, const ws_report_agent *agents, size_t nagents,
                        const ws_html_meta *meta, char *err, size_t errcap)
{
    size_t n = 0;
    const ws_case **cs = union_cases(agents, nagents, &n);
    if (!cs) {
        snprintf(err, errcap, "index.html: out of memory");
        return false;
    }
    ws_jbuf b;
    ws_jbuf_init(&b);
    ws_html_page_begin(&b, "wsspec report", filter_js);
    header(&b, agents, nagents, meta);
    ws_hb_puts(&b, "<nav><a href=\"#summary\">Summary</a> \xc2\xb7 <a href=\"#cases\">Cases</a>"
                   " \xc2\xb7 <a href=\"#perf\">Performance</a> \xc2\xb7 "
                   "<a href=\"index.json\">index.json</a></nav>");
    summary(&b, agents, nagents);
    grid(&b, agents, nagents, cs, n);
    ws_html_perf_charts(&b, agents, nagents);
    ws_html_page_end(&b, filter_js);
    free(cs);
    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", outdir);
    bool ok = ws_html_write(&b, path, err, errcap);
    ws_jbuf_free(&b);
    return ok;
}

bool ws_report_html_case(const char *outdir, const ws_report_agent *a, const ws_case_result *r,
                         char *err, size_t errcap)
{
    char name[300], path[4096];
    ws_report_case_filename(a, r, "html", name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    ws_jbuf b;
    ws_jbuf_init(&b);
    ws_html_case_page(&b, a, r);
    bool ok = ws_html_write(&b, path, err, errcap);
    ws_jbuf_free(&b);
    return ok;
}

bool ws_report_html(const char *outdir, const ws_report_agent *agents, size_t nagents,
                    const ws_html_meta *meta, char *err, size_t errcap)
{
    bool ok = true;
    char e[512];
    for (size_t ai = 0; ai < nagents; ai++)
        for (size_t k = 0; k < agents[ai].nresults; k++) {
            const ws_case_result *r = &agents[ai].results[k];
            if (!r->ran || !r->c)
                continue;
            if (!ws_report_html_case(outdir, &agents[ai], r, e, sizeof e) && ok) {
                snprintf(err, errcap, "%s", e);
                ok = false;
            }
        }
    if (!write_index(outdir, agents, nagents, meta, e, sizeof e) && ok) {
        snprintf(err, errcap, "%s", e);
        ok = false;
    }
    return ok;
}
