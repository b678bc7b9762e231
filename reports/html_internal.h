/* Shared by the HTML report files (html_*.c); not a public interface. */
#ifndef WSSPEC_REPORTS_HTML_INTERNAL_H
#define WSSPEC_REPORTS_HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_html.h"

/* Trusted markup (wsspec's own, never peer data). */
void ws_hb_puts(ws_jbuf *b, const char *s);
void ws_hb_printf(ws_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escaped text (any origin). */
void ws_hb_text(ws_jbuf *b, const char *s);
void ws_hb_textn(ws_jbuf *b, const void *s, size_t len);
/* Escaped, without markup: for attribute values, <title> and <textarea>. */
void ws_hb_attr(ws_jbuf *b, const char *s);

/* CSS class for a verdict: "ok", "ns", "info", "unimpl", "fail". */
const char *ws_html_result_class(ws_result r);
const char *ws_html_behavior_class(ws_behavior v);
const char *ws_html_close_class(ws_close_verdict v);
/* "<span class="badge CLS">NAME</span>" */
void ws_html_badge(ws_jbuf *b, const char *cls, const char *text);

/* "<!DOCTYPE html>..." up to and including <body>, and the end of a page;
 * script: the page's one inline script (allowed by hash in its CSP) or NULL. */
void ws_html_page_begin(ws_jbuf *b, const char *title, const char *script);
void ws_html_page_end(ws_jbuf *b, const char *script);

/* Payload as text (if UTF-8) and a folded hex dump; total = real length. */
void ws_html_payload(ws_jbuf *b, const uint8_t *data, size_t len, uint64_t total);
/* "Text", "Binary", "Close", "Ping", ... or "reserved 0x3". */
const char *ws_html_opcode_name(unsigned op, char *tmp, size_t cap);

/* Index sections and the case page. */
void ws_html_perf_charts(ws_jbuf *b, const ws_report_agent *agents, size_t nagents);
void ws_html_timeline(ws_jbuf *b, const ws_case_result *r);
void ws_html_case_page(ws_jbuf *b, const ws_report_agent *a, const ws_case_result *r);

/* Write the buffer to path atomically; frees nothing. */
bool ws_html_write(ws_jbuf *b, const char *path, char *err, size_t errcap);

#endif
