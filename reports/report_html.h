/*
 * The HTML report: OUTDIR/index.html (summary per agent, the grid of
 * families x cases x agents, performance charts) and one page per agent and
 * ran case, <prefix>_case_<id>.html. Pages are self-contained: inline CSS
 * and SVG, no external resources, one small inline script (filters) on the
 * index only; everything reads without it.
 *
 * Security: every string that reaches a page goes through ws_html_escape(),
 * which also makes the output valid UTF-8 whatever the peer sent.
 */
#ifndef WSSPEC_REPORTS_REPORT_HTML_H
#define WSSPEC_REPORTS_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "util/jsonw.h"

/* What the index header shows. Every field may be NULL / 0. */
typedef struct {
    const char *version;      /* NULL: WSSPEC_VERSION */
    const char *date;         /* NULL: now, UTC */
    const char *command_line; /* as typed */
    double seconds;           /* duration of the run */
    bool complete;            /* false: interrupted, partial results */
} ws_html_meta;

/*
 * Write OUTDIR/index.html and <prefix>_case_<id>.html for every result that
 * ran, each atomically. Returns false with a one-line reason in err (the
 * first failure; later pages are still attempted).
 */
bool ws_report_html(const char *outdir, const ws_report_agent *agents, size_t nagents,
                    const ws_html_meta *meta, char *err, size_t errcap);

/* One case page only (e.g. as each case finishes). */
bool ws_report_html_case(const char *outdir, const ws_report_agent *a, const ws_case_result *r,
                         char *err, size_t errcap);

/* Flags for ws_html_escape. */
enum {
    WS_ESC_KEEP_NL = 1 << 0, /* keep \n and \t as they are; drop the \r of \r\n */
    WS_ESC_MARK = 1 << 1,    /* wrap each escape in <span class="esc">: element content only */
};

/*
 * Append data to b as text safe in HTML element content, in quoted
 * attribute values and in XML 1.0 (text and attributes):
 *   & < > " ' become &amp; &lt; &gt; &quot; &#39;;
 *   valid UTF-8 passes through, except code points that HTML or XML 1.0
 *   forbid or discourage: C0 controls (U+0000-U+001F but \t \n with
 *   WS_ESC_KEEP_NL), U+007F, C1 controls U+0080-U+009F and noncharacters
 *   (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF) are written as "\uXXXX";
 *   every octet that is not part of a valid UTF-8 sequence (RFC 3629) is
 *   written as "\xNN" (control octets too).
 * The output is always valid UTF-8. A literal backslash in the input is
 * kept as is; with WS_ESC_MARK escapes are visibly distinct from it.
 */
void ws_html_escape(ws_jbuf *b, const void *data, size_t len, unsigned flags);

#endif
