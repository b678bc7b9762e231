/* Escaping for HTML and XML reports, and the small markup helpers and
 * page frame (CSS) shared by the HTML report files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "html_internal.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static bool forbidden_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

static void put_escape(ws_jbuf *b, const char *text, unsigned flags)
{
    if (flags & WS_ESC_MARK)
        ws_hb_puts(b, "<span class=\"esc\">");
    ws_hb_puts(b, text);
    if (flags & WS_ESC_MARK)
        ws_hb_puts(b, "</span>");
}

void ws_html_escape(ws_jbuf *b, const void *data, size_t len, unsigned flags)
{
    const uint8_t *p = data;
    char tmp[16];
    size_t run = 0; /* start of a run of octets copied as they are */
    for (size_t i = 0; i < len;) {
        uint8_t c = p[i];
        const char *rep = NULL;
        size_t adv = 1;
        if (c == '&')
            rep = "&amp;";
        else if (c == '<')
            rep = "&lt;";
        else if (c == '>')
            rep = "&gt;";
        else if (c == '"')
            rep = "&quot;";
        else if (c == '\'')
            rep = "&#39;";
        else if ((flags & WS_ESC_KEEP_NL) && (c == '\n' || c == '\t'))
            rep = NULL;
        else if ((flags & WS_ESC_KEEP_NL) && c == '\r' && i + 1 < len && p[i + 1] == '\n')
            rep = "";
        else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            rep = tmp;
        } else if (c >= 0x80) {
            uint32_t cp = 0;
            adv = utf8_seq(p + i, len - i, &cp);
            if (adv == 0) {
                adv = 1;
                snprintf(tmp, sizeof tmp, "\\x%02x", c);
                rep = tmp;
            } else if (forbidden_cp(cp)) {
                snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)cp);
                rep = tmp;
            }
        }
        if (rep) {
            ws_jbuf_append(b, p + run, i - run);
            if (rep[0] == '&' || !rep[0])
                ws_hb_puts(b, rep);
            else
                put_escape(b, rep, flags);
            run = i + adv;
        }
        i += adv;
    }
    ws_jbuf_append(b, p + run, len - run);
}

void ws_hb_puts(ws_jbuf *b, const char *s)
{
    ws_jbuf_append(b, s, strlen(s));
}

void ws_hb_printf(ws_jbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        ws_jbuf_append(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void ws_hb_text(ws_jbuf *b, const char *s)
{
    if (s)
        ws_html_escape(b, s, strlen(s), WS_ESC_MARK);
}

void ws_hb_attr(ws_jbuf *b, const char *s)
{
    if (s)
        ws_html_escape(b, s, strlen(s), 0);
}

void ws_hb_textn(ws_jbuf *b, const void *s, size_t len)
{
    if (s)
        ws_html_escape(b, s, len, WS_ESC_MARK);
}

const char *ws_html_result_class(ws_result r)
{
    static const char *const cls[] = {"ok", "info", "unimpl", "ns", "fail"};
    return (unsigned)r < 5 ? cls[r] : "fail";
}

const char *ws_html_behavior_class(ws_behavior v)
{
    return ws_html_result_class((ws_result)v); /* same order */
}

const char *ws_html_close_class(ws_close_verdict v)
{
    return v == WS_CLOSE_VERDICT_OK ? "ok" : v == WS_CLOSE_VERDICT_INFORMATIONAL ? "info" : "fail";
}

void ws_html_badge(ws_jbuf *b, const char *cls, const char *text)
{
    ws_hb_printf(b, "<span class=\"badge %s\">", cls);
    ws_hb_text(b, text);
    ws_hb_puts(b, "</span>");
}

const char *ws_html_opcode_name(unsigned op, char *tmp, size_t cap)
{
    switch (op) {
    case 0:
        return "Continuation";
    case 1:
        return "Text";
    case 2:
        return "Binary";
    case 8:
        return "Close";
    case 9:
        return "Ping";
    case 10:
        return "Pong";
    }
    snprintf(tmp, cap, "Reserved 0x%X", op & 0xF);
    return tmp;
}

/* Text when the preview is UTF-8, then a hex dump folded in <details>. */
void ws_html_payload(ws_jbuf *b, const uint8_t *data, size_t len, uint64_t total)
{
    if (total == 0) {
        ws_hb_puts(b, "<span class=\"dim\">(empty)</span>");
        return;
    }
    bool cut = total > len;
    ws_hb_puts(b, "<div class=\"pl\">");
    size_t shown = len > 32 ? 32 : len;
    /* Text if it is UTF-8 (a cut multi-octet sequence at the end is fine),
     * else the octets in hex. */
    size_t valid = 0;
    uint32_t cp;
    for (size_t k; valid < len && (k = utf8_seq(data + valid, len - valid, &cp)) != 0;)
        valid += k;
    bool text = len - valid < 4 && (valid == len || cut);
    ws_hb_puts(b, "<code class=\"txt\">");
    if (text) {
        ws_hb_textn(b, data, shown);
    } else {
        for (size_t k = 0; k < shown && k < 24; k++)
            ws_hb_printf(b, "%s%02x", k ? " " : "", data[k]);
        if (shown > 24)
            shown = 24;
    }
    ws_hb_puts(b, "</code>");
    if (shown < len || cut)
        ws_hb_puts(b, "<span class=\"dim\"> \xe2\x80\xa6</span>");
    ws_hb_puts(b, "<details><summary>hex</summary><pre class=\"hex\">");
    for (size_t off = 0; off < len; off += 16) {
        ws_hb_printf(b, "%04zx  ", off);
        for (size_t k = 0; k < 16; k++) {
            if (off + k < len)
                ws_hb_printf(b, "%02x ", data[off + k]);
            else
                ws_hb_puts(b, "   ");
        }
        ws_hb_puts(b, " ");
        for (size_t k = 0; k < 16 && off + k < len; k++) {
            uint8_t c = data[off + k];
            if (c >= 0x20 && c < 0x7F)
                ws_html_escape(b, &c, 1, 0);
            else
                ws_hb_puts(b, ".");
        }
        ws_hb_puts(b, "\n");
    }
    if (cut)
        ws_hb_printf(b, "\xe2\x80\xa6 %llu more octets not kept\n",
                     (unsigned long long)(total - len));
    ws_hb_puts(b, "</pre></details></div>");
}

static const char css[] =
    ":root{--ok:#1a7f37;--okb:#dafbe1;--ns:#8a5a00;--nsb:#fff1c2;--info:#0b5cad;--infob:#ddeefe;"
    "--un:#55606b;--unb:#e6eaef;--fail:#c4202b;--failb:#ffe3e1;--line:#d5dae0;--dim:#6a737d}"
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1c2128;"
    "margin:0;padding:18px 24px;background:#fff}"
    "h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px "
    "solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:14px 0 6px}"
    "a{color:#0b5cad}code,pre,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,"
    "monospace;font-size:12.5px}"
    "pre{background:#f6f8fa;border:1px solid var(--line);padding:8px;overflow:auto;"
    "white-space:pre-wrap;word-break:break-all;margin:4px 0}"
    ".meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}"
    ".meta dt{color:var(--dim)}.meta dd{margin:0;word-break:break-all}"
    ".badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:11.5px;"
    "font-weight:600;line-height:18px;white-space:nowrap;border:1px solid transparent}"
    ".ok{color:var(--ok);background:var(--okb);border-color:#aadcb8}"
    ".ns{color:var(--ns);background:var(--nsb);border-color:#ecd48a}"
    ".info{color:var(--info);background:var(--infob);border-color:#a9cdf2}"
    ".unimpl{color:var(--un);background:var(--unb);border-color:#c4cbd3}"
    ".fail{color:var(--fail);background:var(--failb);border-color:#f1aaa6}"
    ".none{color:var(--dim)}"
    "table{border-collapse:collapse}"
    "table.t td,table.t th{border:1px solid var(--line);padding:3px 7px;text-align:left;"
    "vertical-align:top}table.t th{background:#f3f5f7;font-weight:600}"
    "table.grid{font-size:12.5px}table.grid td,table.grid th{border-bottom:1px solid #eceff2;"
    "padding:2px 6px;vertical-align:middle}table.grid thead th{position:sticky;top:0;"
    "background:#fff;border-bottom:2px solid var(--line);text-align:left}"
    "tr.fam th{background:#f3f5f7;text-align:left;padding:6px;font-size:13px}"
    "td.id{font-family:ui-monospace,monospace;white-space:nowrap}"
    "td.ti{max-width:420px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    "td.rfc{color:var(--dim);white-space:nowrap}"
    "td.c a{text-decoration:none;display:flex;gap:3px}td.c .badge{font-size:10.5px;"
    "padding:0 4px;line-height:16px}"
    ".sum{display:flex;flex-wrap:wrap;gap:18px}.card{border:1px solid var(--line);"
    "border-radius:6px;padding:10px 12px;min-width:330px}"
    ".counts{display:flex;gap:5px;flex-wrap:wrap;margin:6px 0}"
    ".bar .ok{background:#3fa45b}.bar .ns{background:#e0a800}.bar .info{background:#4a90d9}"
    ".bar .unimpl{background:#9aa4ae}.bar .fail{background:#d9434c}"
    ".bar{display:flex;height:12px;width:180px;border-radius:2px;overflow:hidden;"
    "background:#f3f5f7}.bar span{display:block;height:100%;border:0;border-radius:0;padding:0}"
    "table.fams td{padding:1px 6px;font-size:12.5px;vertical-align:middle}"
    ".dim{color:var(--dim)}.esc{color:#a3115a;background:#fbe7f1;border-radius:2px}"
    ".pl details{display:inline-block;margin-left:6px}.pl summary{cursor:pointer;"
    "color:var(--dim);font-size:11.5px}pre.hex{margin:2px 0;white-space:pre}"
    "code.txt{white-space:pre-wrap;word-break:break-all}"
    "table.wire th{text-align:left;padding:2px 6px}table.wire td{font-size:12.5px;padding:2px "
    "6px;border-bottom:1px solid #eceff2;"
    "vertical-align:top}table.wire tr.tx td.dir{color:#0b5cad}table.wire tr.rx td.dir"
    "{color:#7a3fb0}"
    ".filters{margin:8px 0;display:flex;gap:12px;flex-wrap:wrap;align-items:center}"
    ".filters label{white-space:nowrap}nav{margin-bottom:8px;font-size:13px}"
    "svg text{font:11px system-ui,sans-serif;fill:#1c2128}svg .ax{stroke:#9aa4ae}"
    ".warn{border-left:4px solid var(--ns);background:var(--nsb);padding:6px 10px}"
    "@media print{thead th{position:static}}";

/* CSP: no resource may load; the only script allowed is ours, by hash, so
 * even a markup bug could not run injected code. */
void ws_html_page_begin(ws_jbuf *b, const char *title, const char *script)
{
    char hash[64] = "";
    if (script) {
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)script, strlen(script), digest);
        EVP_EncodeBlock((unsigned char *)hash, digest, sizeof digest);
    }
    ws_hb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; ");
    if (script)
        ws_hb_printf(b, "script-src 'sha256-%s'\">", hash);
    else
        ws_hb_puts(b, "script-src 'none'\">");
    ws_hb_puts(b, "<title>");
    ws_hb_attr(b, title);
    ws_hb_puts(b, "</title><style>");
    ws_hb_puts(b, css);
    ws_hb_puts(b, "</style></head><body>\n");
}

/* The script (trusted, ours) goes last, so the page is complete without it. */
void ws_html_page_end(ws_jbuf *b, const char *script)
{
    if (script) {
        ws_hb_puts(b, "<script>");
        ws_hb_puts(b, script);
        ws_hb_puts(b, "</script>");
    }
    ws_hb_puts(b, "</body></html>\n");
}

bool ws_html_write(ws_jbuf *b, const char *path, char *err, size_t errcap)
{
    if (b->oom) {
        snprintf(err, errcap, "%s: out of memory", path);
        return false;
    }
    return ws_write_file_atomic(path, b->data ? b->data : "", b->len, err, errcap) == 0;
}
