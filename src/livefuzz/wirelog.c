/*
 * The wire log of one run, both directions, for `wsspec replay`: the octets
 * sent and received are captured in order (bounded), then decoded leniently
 * - an HTTP head, then frames whatever their bits say (a fuzzed frame is
 * shown as it is, not rejected) - and printed one frame per line in the
 * columns of the HTML case page's wire log (reports/wire_text.h).
 */
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wire_text.h"
#include "wsspec/net.h"

#define CAPTURE_MAX  (8u << 20) /* octets kept per run; later ones are counted */
#define ITEMS_MAX    200000
#define LINES_MAX    2000 /* frames and head lines printed */
#define HEAD_KEEP    8192
#define HEAD_LINES   40
#define HEAD_LINE_CH 160

void ws_lf_capture_reset(ws_lf_capture *c)
{
    c->t0 = ws_now_ns();
    c->len = 0;
    c->n = 0;
    c->left_out = 0;
}

void ws_lf_capture_free(ws_lf_capture *c)
{
    free(c->data);
    free(c->items);
    memset(c, 0, sizeof *c);
}

void ws_lf_capture_add(ws_lf_capture *c, ws_lf_cap_kind kind, const void *d, size_t n)
{
    if (!c)
        return;
    if (c->len + n > CAPTURE_MAX || c->n >= ITEMS_MAX) {
        c->left_out += n;
        return;
    }
    if (c->n == c->items_cap) {
        size_t cap = c->items_cap ? c->items_cap * 2 : 64;
        ws_lf_cap_item *it = realloc(c->items, cap * sizeof *it);
        if (!it) {
            c->left_out += n;
            return;
        }
        c->items = it;
        c->items_cap = cap;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n)
            cap *= 2;
        uint8_t *data = realloc(c->data, cap);
        if (!data) {
            c->left_out += n;
            return;
        }
        c->data = data;
        c->cap = cap;
    }
    if (n)
        memcpy(c->data + c->len, d, n);
    c->items[c->n++] = (ws_lf_cap_item){kind, ws_now_ns() - c->t0, c->len, n};
    c->len += n;
}

/* ------------------------------------------------------------ decoding */

typedef struct {
    bool tx;
    bool response;       /* this side's head is a response from the peer */
    bool server_mode;    /* wsspec is the client (of a server under test) */
    bool head_done, raw; /* raw: after a refused handshake, octets are not frames */
    char head[HEAD_KEEP];
    size_t head_len, head_total;
    unsigned crlf; /* how much of "\r\n\r\n" was just seen */
    uint8_t hdr[14];
    size_t hlen;
    bool in_payload;
    ws_wire_frame f;
    uint64_t got;
    uint64_t raw_octets;
} side;

typedef struct {
    FILE *out;
    size_t lines, hidden, frames;
} printer;

static void line(printer *p, int64_t t_ns, const char *dir, const char *text)
{
    if (p->lines >= LINES_MAX) {
        p->hidden++;
        return;
    }
    p->lines++;
    if (t_ns >= 0)
        fprintf(p->out, "%10.3f ms  %s  %s\n", (double)t_ns / 1e6, dir, text);
    else
        fprintf(p->out, "%13s  %s  %s\n", "", dir, text);
}

static const char *dir_of(const side *s)
{
    return s->tx ? "->" : "<-";
}

static void print_head(printer *p, side *s, int64_t t_ns, bool finished)
{
    size_t pos = 0, nlines = 0;
    char text[HEAD_LINE_CH * 4 + 64];
    while (pos < s->head_len && nlines < HEAD_LINES) {
        const char *start = s->head + pos;
        const char *nl = memchr(start, '\n', s->head_len - pos);
        size_t n = nl ? (size_t)(nl - start) + 1 : s->head_len - pos;
        size_t show = n >= 2 && start[n - 2] == '\r' && start[n - 1] == '\n' ? n - 2 : n;
        if (show == 0 && finished && pos + n == s->head_len)
            break; /* the empty line that ends the head */
        bool cut = ws_text_escape(text, sizeof text, (const uint8_t *)start, show, HEAD_LINE_CH);
        if (cut)
            strcat(text, "...");
        line(p, nlines ? -1 : t_ns, dir_of(s), text);
        nlines++;
        pos += n;
    }
    char sum[96];
    snprintf(sum, sizeof sum, "(%s: %zu octets%s)",
             s->tx == s->server_mode ? "request head" : "response head", s->head_total,
             finished ? "" : ", not finished");
    if (pos < s->head_len || s->head_total > s->head_len || !finished)
        line(p, -1, dir_of(s), sum);
}

static void frame_line(printer *p, side *s, int64_t t_ns, const char *suffix)
{
    char text[512], out[640];
    ws_wire_text(text, sizeof text, &s->f);
    snprintf(out, sizeof out, "#%zu %.512s%.96s", ++p->frames, text, suffix);
    line(p, t_ns, dir_of(s), out);
}

static void head_ended(side *s)
{
    s->head_done = true;
    if (s->response) /* after a refused handshake, what follows is not frames */
        s->raw = !(s->head_len >= 12 && memcmp(s->head, "HTTP/1.1 101", 12) == 0);
}

static void feed(printer *p, side *s, const uint8_t *d, size_t n, int64_t t_ns)
{
    size_t pos = 0;
    while (pos < n) {
        if (!s->head_done) {
            uint8_t c = d[pos++];
            if (s->head_len < sizeof s->head)
                s->head[s->head_len++] = (char)c;
            s->head_total++;
            static const char end[] = "\r\n\r\n";
            s->crlf = c == (uint8_t)end[s->crlf] ? s->crlf + 1 : c == '\r' ? 1 : 0;
            if (s->crlf == 4) {
                head_ended(s);
                print_head(p, s, t_ns, true);
            }
            continue;
        }
        if (s->raw) {
            char text[300], out[400];
            bool cut = ws_text_escape(text, sizeof text, d + pos, n - pos, 48);
            snprintf(out, sizeof out, "%zu octets after the response head: \"%s\"%s", n - pos, text,
                     cut ? "..." : "");
            line(p, t_ns, dir_of(s), out);
            s->raw_octets += n - pos;
            return;
        }
        if (!s->in_payload) {
            s->hdr[s->hlen++] = d[pos++];
            if (s->hlen < 2)
                continue;
            unsigned l7 = s->hdr[1] & 127u, ext = l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
            bool masked = s->hdr[1] & 0x80;
            size_t need = 2 + ext + (masked ? 4 : 0);
            if (s->hlen < need)
                continue;
            memset(&s->f, 0, sizeof s->f);
            s->f.tx = s->tx;
            s->f.fin = s->hdr[0] & 0x80;
            s->f.rsv = (uint8_t)((s->hdr[0] >> 4) & 7);
            s->f.opcode = s->hdr[0] & 15;
            s->f.masked = masked;
            uint64_t len = l7;
            if (ext) {
                len = 0;
                for (unsigned i = 0; i < ext; i++)
                    len = len << 8 | s->hdr[2 + i];
            }
            s->f.len = len;
            if (masked)
                memcpy(s->f.mask_key, s->hdr + 2 + ext, 4);
            s->hlen = 0;
            s->got = 0;
            s->in_payload = len > 0;
            if (len == 0)
                frame_line(p, s, t_ns, "");
            continue;
        }
        uint64_t left = s->f.len - s->got;
        size_t take = left < n - pos ? (size_t)left : n - pos;
        for (size_t i = 0; i < take && s->got + i < WS_PREVIEW_MAX; i++) {
            uint64_t k = s->got + i;
            s->f.preview[k] = d[pos + i] ^ (s->f.masked ? s->f.mask_key[k & 3] : 0);
            s->f.preview_len = (uint8_t)(k + 1);
        }
        s->got += take;
        pos += take;
        if (s->got == s->f.len) {
            s->in_payload = false;
            frame_line(p, s, t_ns, "");
        }
    }
}

/* What was left unfinished when the log ended. */
static void flush(printer *p, side *s)
{
    if (!s->head_done && s->head_total) {
        print_head(p, s, -1, false);
    } else if (s->in_payload) {
        char suffix[96];
        snprintf(suffix, sizeof suffix, " (incomplete: %llu of %llu payload octets)",
                 (unsigned long long)s->got, (unsigned long long)s->f.len);
        frame_line(p, s, -1, suffix);
    } else if (s->hlen) {
        char text[96];
        snprintf(text, sizeof text, "(%zu octets of an incomplete frame header)", s->hlen);
        line(p, -1, dir_of(s), text);
    }
}

void ws_lf_wirelog_print(const ws_lf_capture *c, bool client_mode, FILE *out)
{
    static side sides[2];
    memset(sides, 0, sizeof sides);
    sides[0].tx = true;
    sides[0].server_mode = sides[1].server_mode = !client_mode;
    sides[1].response = !client_mode;
    printer p = {.out = out};
    fprintf(out, "wire log (-> sent by wsspec, <- sent by the peer):\n");
    for (size_t i = 0; i < c->n; i++) {
        const ws_lf_cap_item *it = &c->items[i];
        const uint8_t *d = c->data + it->off;
        if (it->kind == WS_LF_CAP_NOTE) {
            char text[200];
            snprintf(text, sizeof text, "%.*s", (int)it->len, (const char *)d);
            line(&p, it->t_ns, "--", text);
        } else {
            feed(&p, &sides[it->kind == WS_LF_CAP_TX ? 0 : 1], d, it->len, it->t_ns);
        }
    }
    flush(&p, &sides[0]);
    flush(&p, &sides[1]);
    if (p.hidden)
        fprintf(out, "%13s  ..  %zu more lines not shown\n", "", p.hidden);
    if (c->left_out)
        fprintf(out, "%13s  ..  %llu more octets not captured\n", "",
                (unsigned long long)c->left_out);
}

void ws_lf_capture_note(ws_lf_capture *c, const char *text)
{
    ws_lf_capture_add(c, WS_LF_CAP_NOTE, text, strlen(text));
}
