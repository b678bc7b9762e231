/* The HTML report: escaping, and pages rendered from hostile peer data
 * (reports/html_*.c). */
#include "report_fixture.h"

#include <ctype.h>

#include "report_html.h"

static char *esc(const void *in, size_t len, unsigned flags)
{
    ws_jbuf b;
    ws_jbuf_init(&b);
    ws_html_escape(&b, in, len, flags);
    cr_assert(!b.oom);
    char *s = strdup(b.data ? b.data : "");
    ws_jbuf_free(&b);
    return s;
}

#define EXPECT_ESC(in, flags, want)                                                                \
    do {                                                                                           \
        char *got_ = esc(in, sizeof(in) - 1, flags);                                               \
        cr_expect_str_eq(got_, want, "escaping %s", #in);                                          \
        free(got_);                                                                                \
    } while (0)

Test(html_escape, markup_characters)
{
    EXPECT_ESC("<a href=\"x\">'&'</a>", 0, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_ESC("plain text", 0, "plain text");
    EXPECT_ESC("", 0, "");
}

Test(html_escape, invalid_utf8_becomes_visible_escapes)
{
    EXPECT_ESC("a\xff\xfe"
               "b",
               0, "a\\xff\\xfeb");
    EXPECT_ESC("\xc0\xaf", 0, "\\xc0\\xaf");                   /* overlong '/' */
    EXPECT_ESC("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");          /* surrogate */
    EXPECT_ESC("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    EXPECT_ESC("x\xe2\x82", 0, "x\\xe2\\x82");                 /* truncated at the end */
    EXPECT_ESC("\x80", 0, "\\x80");                            /* stray continuation */
}

Test(html_escape, valid_utf8_passes_through)
{
    EXPECT_ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(html_escape, controls_and_noncharacters)
{
    EXPECT_ESC("a\0b", 0, "a\\x00b");
    EXPECT_ESC("\x1b[31m\x7f", 0, "\\x1b[31m\\x7f");
    EXPECT_ESC("\xc2\x85", 0, "\\u0085");
    EXPECT_ESC("\xef\xbf\xbe\xef\xbf\xbf", 0, "\\uFFFE\\uFFFF");
    EXPECT_ESC("\xef\xb7\x90", 0, "\\uFDD0");
    EXPECT_ESC("a\r\nb\tc", 0, "a\\x0d\\x0ab\\x09c");
    EXPECT_ESC("a\r\nb\tc\rd", WS_ESC_KEEP_NL, "a\nb\tc\\x0dd");
}

Test(html_escape, marked_escapes)
{
    EXPECT_ESC("a\xff", WS_ESC_MARK, "a<span class=\"esc\">\\xff</span>");
    EXPECT_ESC("<\xff>", WS_ESC_MARK, "&lt;<span class=\"esc\">\\xff</span>&gt;");
}

/* Whatever the input, the output is UTF-8 without markup or controls. */
Test(html_escape, random_bytes_give_safe_utf8)
{
    unsigned seed = 12345;
    uint8_t in[256];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = (size_t)(rand_r(&seed) % sizeof in);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)rand_r(&seed);
        ws_jbuf b;
        ws_jbuf_init(&b);
        ws_html_escape(&b, in, len, iter % 2 ? WS_ESC_KEEP_NL : 0);
        const char *s = b.data ? b.data : "";
        cr_assert(ws_utf8_is_valid((const uint8_t *)s, b.len));
        for (size_t i = 0; i < b.len; i++) {
            unsigned char c = (unsigned char)s[i];
            cr_assert(c != '<' && c != '>' && c != '"' && c != '\'', "markup at %zu", i);
            cr_assert(c >= 0x20 || c == '\n' || c == '\t', "control 0x%02x at %zu", c, i);
            cr_assert(c != 0x7f);
        }
        ws_jbuf_free(&b);
    }
}

/* ---- whole pages --------------------------------------------------------- */

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; (p = strcasestr(p, needle)); p += k)
        n++;
    return n;
}

/* Every tag is one wsspec writes, and no attribute is an event handler:
 * a small tokenizer (attribute values are always double-quoted). */
static void check_tags(const char *path, const char *s)
{
    static const char *const allowed[] = {
        "html",  "head",  "meta",   "title",  "style", "body",  "header", "h1",      "h2",
        "h3",    "dl",    "dt",     "dd",     "p",     "b",     "code",   "span",    "nav",
        "a",     "div",   "table",  "thead",  "tbody", "tr",    "th",     "td",      "form",
        "label", "input", "select", "option", "br",    "ol",    "li",     "details", "summary",
        "pre",   "svg",   "line",   "rect",   "text",  "title", "script", NULL};
    const char *p = s;
    bool in_style = false;
    while ((p = strchr(p, '<'))) {
        p++;
        if (*p == '!' || (in_style && strncmp(p, "/style", 6) != 0))
            continue;
        if (*p == '/')
            p++;
        size_t n = 0;
        while (isalnum((unsigned char)p[n]))
            n++;
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strlen(allowed[i]) == n && strncasecmp(allowed[i], p, n) == 0)
                ok = true;
        cr_expect(ok, "%s: unexpected tag <%.20s", path, p);
        in_style = n == 5 && strncmp(p, "style", 5) == 0 && p[-1] == '<';
        p += n;
        for (;;) {
            while (*p == ' ' || *p == '\n')
                p++;
            if (!*p || *p == '>' || *p == '/')
                break;
            const char *name = p;
            while (*p && *p != '=' && *p != ' ' && *p != '>')
                p++;
            cr_expect(strncasecmp(name, "on", 2) != 0, "%s: event handler %.20s", path, name);
            if (*p == '=') {
                cr_expect_eq(p[1], '"', "%s: unquoted attribute %.20s", path, name);
                const char *end = strchr(p + 2, '"');
                cr_assert(end, "%s: unterminated attribute", path);
                cr_expect_null(memchr(p + 2, '<', (size_t)(end - p - 2)), "%s: < in attr", path);
                p = end + 1;
            }
        }
    }
}

static void check_page(const char *path, bool is_index)
{
    size_t len;
    char *s = fx_slurp(path, &len);
    cr_expect(ws_utf8_is_valid((const uint8_t *)s, len), "%s: not valid UTF-8", path);
    cr_expect_eq(strlen(s), len, "%s: contains a NUL", path);
    cr_expect_eq(count(s, "<script"), is_index ? 1u : 0u, "%s: <script> count", path);
    cr_expect_eq(count(s, "<img"), 0u, "%s: an <img> tag", path);
    check_tags(path, s);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        cr_expect(c >= 0x20 || c == '\n' || c == '\t', "%s: control 0x%02x at %zu", path, c, i);
    }
    free(s);
}

static void run_checker(const char *dir)
{
    if (!fx_have_python()) {
        cr_log_warn("/usr/bin/python3 missing: html_check.py skipped");
        return;
    }
    char script[4096], cmd[8192];
    fx_script("html_check.py", script, sizeof script);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'/*.html >&2", script, dir);
    cr_expect_eq(system(cmd), 0, "html_check.py found problems in %s", dir);
}

Test(html_report, hostile_peer_cannot_inject_markup)
{
    ws_report_agent agents[2];
    fx_agent(&agents[0], "plain/1.0", false);
    fx_agent(&agents[1], HOSTILE_SCRIPT HOSTILE_IMG "\xff\xfe", true);
    char dir[64], err[512] = "";
    fx_tmpdir(dir, sizeof dir);
    ws_html_meta meta = {.version = "0.1.0",
                         .date = "2025-01-02 03:04:05 UTC",
                         .command_line = "wsspec test-server " HOSTILE_IMG,
                         .seconds = 1.5,
                         .complete = false};
    cr_assert(ws_report_html(dir, agents, 2, &meta, err, sizeof err), "%s", err);

    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", dir);
    check_page(path, true);
    char *index = fx_slurp(path, NULL);
    cr_expect(strstr(index, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
                            "onerror=alert(1)&gt;"),
              "the agent name is shown escaped");
    cr_expect(strstr(index, "interrupted"), "an interrupted run says so");
    cr_expect(strstr(index, "Content-Security-Policy"));
    free(index);

    size_t pages = 0;
    for (size_t ai = 0; ai < 2; ai++)
        for (size_t i = 0; i < agents[ai].nresults; i++) {
            char name[300];
            ws_report_case_filename(&agents[ai], &agents[ai].results[i], "html", name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            check_page(path, false);
            pages++;
        }
    cr_expect_eq(pages, 2 * FX_NCASES);

    /* The hostile case page shows the peer's bytes, escaped and visible. */
    char name[300];
    ws_report_case_filename(&agents[1], &agents[1].results[0], "html", name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *page = fx_slurp(path, NULL);
    cr_expect(strstr(page, "Server: &lt;script&gt;alert(1)&lt;/script&gt;"), "Server header");
    cr_expect(strstr(page, "<span class=\"esc\">\\xff</span>"), "invalid UTF-8 shown");
    cr_expect(strstr(page, "<span class=\"esc\">\\x00</span>"), "NUL shown");
    cr_expect(strstr(page, "<span class=\"esc\">\\u0085</span>"), "C1 control shown");
    cr_expect(strstr(page, "code 1000"), "close code decoded in the wire log");
    cr_expect(strstr(page, "<svg"), "a timeline");
    cr_expect(strstr(page, "more octets not kept"), "long payloads are folded");
    free(page);

    run_checker(dir);
    fx_agent_free(&agents[0]);
    fx_agent_free(&agents[1]);
    fx_rmdir(dir);
}

Test(html_report, index_has_grid_summary_filters_and_chart)
{
    ws_report_agent agents[2];
    fx_agent(&agents[0], "one/1", false);
    fx_agent(&agents[1], "two/2", false);
    agents[1].results[1].ran = false; /* 1.1.2 did not run for two/2 */
    char dir[64], err[512] = "";
    fx_tmpdir(dir, sizeof dir);
    cr_assert(ws_report_html(dir, agents, 2, NULL, err, sizeof err), "%s", err);
    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *s = fx_slurp(path, NULL);
    /* Both verdicts as text in each cell, linked to the case page. */
    cr_expect(strstr(s, "href=\"one_1_case_2_1.html\""));
    cr_expect(strstr(s, "<span class=\"badge fail\">FAILED</span>"
                        "<span class=\"badge fail\">WRONG CODE 1000</span>"));
    cr_expect(strstr(s, "<span class=\"badge ns\">NON-STRICT</span>"
                        "<span class=\"badge ok\">OK 1000</span>"));
    cr_expect(strstr(s, "not run"), "a missing result is shown");
    cr_expect(strstr(s, "RFC 6455 \xc2\xa7"
                        "5.5.2"),
              "the RFC section of each case");
    cr_expect(strstr(s, "Text &lt;b&gt;bold&lt;/b&gt; &amp; more"), "titles are escaped too");
    cr_expect(strstr(s, "id=\"filters\""));
    cr_expect(strstr(s, "data-v=\"fail\""));
    cr_expect(strstr(s, "1 Framing"));
    cr_expect(strstr(s, "2 Pings/Pongs"));
    cr_expect(strstr(s, "throughput (MB/s) by message size"), "a 9.x chart");
    cr_expect(strstr(s, "1 NON-STRICT"), "counts per verdict");
    cr_expect(strstr(s, "class=\"bar\""), "a bar per family");
    free(s);
    /* No page for a case that did not run. */
    snprintf(path, sizeof path, "%s/two_2_case_1_1_2.html", dir);
    cr_expect_neq(access(path, F_OK), 0);
    run_checker(dir);
    fx_agent_free(&agents[0]);
    fx_agent_free(&agents[1]);
    fx_rmdir(dir);
}

Test(html_report, unwritable_directory_is_a_one_line_error)
{
    ws_report_agent a;
    fx_agent(&a, "x", false);
    char err[512] = "";
    cr_assert_not(ws_report_html("/nonexistent/dir", &a, 1, NULL, err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/dir"), "%s", err);
    cr_expect_null(strchr(err, '\n'));
    fx_agent_free(&a);
}

Test(html_report, empty_run_still_writes_an_index)
{
    char dir[64], err[512] = "", path[4096];
    fx_tmpdir(dir, sizeof dir);
    cr_assert(ws_report_html(dir, NULL, 0, NULL, err, sizeof err), "%s", err);
    snprintf(path, sizeof path, "%s/index.html", dir);
    check_page(path, true);
    fx_rmdir(dir);
}
