/*
 * The session model: an opening request (kept as text so it can be mangled),
 * a frame sequence (wsspec/mutator.h), TCP write boundaries with pauses, and
 * an optional half-close or reset at the end. Mutation and rendering to the
 * reproducer's actions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/plan.h"
#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"

/* The request key is fixed so that sessions and replays are byte for byte. */
#define FIXED_KEY "dGhlIHNhbXBsZSBub25jZQ=="

static void hs_build(ws_lf_session *s, const char *method, const char *target, const char *http,
                     const char *lines)
{
    int n = snprintf(s->hs, sizeof s->hs, "%s %s %s\r\n%s\r\n", method, target, http, lines);
    s->hs_len = n > 0 && (size_t)n < sizeof s->hs ? (size_t)n : 0;
}

static void reset(ws_lf_session *s)
{
    s->hs_len = 0;
    s->hs_split = 0;
    s->hs_with_frames = false;
    ws_mut_seq_init(&s->seq, s->arena, sizeof s->arena);
    s->ncuts = 0;
    s->end = WS_LF_END_NONE;
    s->flood_frame = s->flood_count = 0;
}

void ws_lf_session_default(ws_lf_session *s, const char *host_port, const char *resource)
{
    reset(s);
    char lines[1024];
    snprintf(lines, sizeof lines,
             "Host: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " FIXED_KEY "\r\nSec-WebSocket-Version: 13\r\n",
             host_port);
    hs_build(s, "GET", resource, "HTTP/1.1", lines);
}

/* The request a handshake case describes (the fields that matter most). */
static void hs_from_case(ws_lf_session *s, const ws_hs_request *h, const char *host_port,
                         const char *resource)
{
    char lines[WS_LF_HS_MAX - 256];
    size_t n = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        int k_ = snprintf(lines + n, sizeof lines - n, __VA_ARGS__);                               \
        if (k_ > 0 && (size_t)k_ < sizeof lines - n)                                               \
            n += (size_t)k_;                                                                       \
    } while (0)
    lines[0] = 0;
    if (!(h->omit & WS_HDR_HOST))
        ADD("Host: %s\r\n", host_port);
    if (!(h->omit & WS_HDR_UPGRADE))
        ADD("Upgrade: %s\r\n", h->upgrade ? h->upgrade : "websocket");
    if (!(h->omit & WS_HDR_CONNECTION))
        ADD("Connection: %s\r\n", h->connection ? h->connection : "Upgrade");
    if (!(h->omit & WS_HDR_KEY))
        ADD("Sec-WebSocket-Key: %s\r\n", h->key ? h->key : FIXED_KEY);
    if (!(h->omit & WS_HDR_VERSION))
        ADD("Sec-WebSocket-Version: %s\r\n", h->version ? h->version : "13");
    if (h->protocols)
        ADD("Sec-WebSocket-Protocol: %s\r\n", h->protocols);
    if (h->extensions)
        ADD("Sec-WebSocket-Extensions: %s\r\n", h->extensions);
    if (h->extra)
        ADD("%s", h->extra);
    for (size_t i = 0; i < h->filler_headers && i < 200; i++)
        ADD("X-Filler-%zu: %zu\r\n", i, i);
    if (h->long_value && h->long_value < 4096) {
        ADD("%s: ", h->long_name ? h->long_name : "X-Long");
        const char *fill = h->long_fill ? h->long_fill : "a";
        for (size_t i = 0; i < h->long_value && n + 3 < sizeof lines; i++)
            lines[n++] = fill[i % strlen(fill)];
        ADD("\r\n");
    }
#undef ADD
    hs_build(s, h->method ? h->method : "GET", resource, h->http ? h->http : "HTTP/1.1", lines);
    if (h->chop && h->chop < s->hs_len)
        s->hs_split = h->chop;
}

bool ws_lf_session_from_case(ws_lf_session *s, const ws_case *c, const char *host_port,
                             const char *resource)
{
    ws_lf_session_default(s, host_port, resource);
    if (c->hs && !c->hs->raw)
        hs_from_case(s, c->hs, host_port, resource);
    ws_plan plan;
    if (ws_plan_build(c, &plan) != WS_OK)
        return false;
    bool ok = true;
    size_t stream = 0;
    for (size_t i = 0; i < plan.nsteps && ok; i++) {
        const ws_plan_step *ps = &plan.steps[i];
        for (size_t k = 0; k < ps->nframes && ok; k++) {
            const ws_plan_frame *pf = &ps->frames[k];
            const ws_send_frame *sf = &pf->spec;
            ws_mut_frame f = {.fin = !sf->more,
                              .rsv = sf->rsv,
                              .opcode = sf->opcode,
                              .masked = !sf->unmasked,
                              .len = sf->declared_len ? sf->declared_len : pf->len};
            uint64_t x = ws_lf_hash(pf->payload, pf->len, 0x5eed + stream);
            for (int b = 0; b < 4 && !sf->zero_mask; b++)
                f.key[b] = (uint8_t)(x >> (8 * b));
            f.form = sf->len_form == 64 ? 64 : sf->len_form == 16 ? 16 : 7;
            if (f.form == 7 && f.len > 125)
                f.form = f.len > 0xffff ? 64 : 16;
            if (f.form == 16 && f.len > 0xffff)
                f.form = 64;
            ok = pf->len <= WS_LF_ARENA / 2 && ws_mut_seq_add(&s->seq, &f, pf->payload, pf->len);
            stream += pf->len + 14;
        }
        if (ps->step->kind == WS_STEP_SEND && ps->step->write == WS_WRITE_CHOP && ps->step->chop &&
            s->ncuts == 0) {
            size_t total = ws_mut_size(&s->seq);
            for (size_t at = ps->step->chop; at < total && s->ncuts < WS_LF_MAX_CUTS;
                 at += ps->step->chop)
                s->cuts[s->ncuts++] = (ws_lf_cut){(uint32_t)at, 0};
        }
    }
    ws_plan_free(&plan);
    if (c->hs && c->hs->first_frame)
        s->hs_with_frames = true;
    return ok && s->seq.nf > 0;
}

void ws_lf_session_copy(ws_lf_session *d, const ws_lf_session *s)
{
    memcpy(d->hs, s->hs, s->hs_len);
    d->hs_len = s->hs_len;
    d->hs_split = s->hs_split;
    d->hs_with_frames = s->hs_with_frames;
    ws_mut_seq_init(&d->seq, d->arena, sizeof d->arena);
    ws_mut_seq_copy(&d->seq, &s->seq);
    memcpy(d->cuts, s->cuts, s->ncuts * sizeof s->cuts[0]);
    d->ncuts = s->ncuts;
    d->end = s->end;
    d->flood_frame = s->flood_frame;
    d->flood_count = s->flood_count;
}

/* ------------------------------------------------------ handshake mutation */

typedef struct {
    size_t off, len; /* a line without its CRLF */
} line_ref;

/* Split the request into lines (the final empty line excluded). */
static size_t hs_lines(const ws_lf_session *s, line_ref *l, size_t max)
{
    size_t n = 0, pos = 0;
    while (pos < s->hs_len && n < max) {
        const char *p = memchr(s->hs + pos, '\n', s->hs_len - pos);
        size_t end = p ? (size_t)(p - s->hs) : s->hs_len;
        size_t len = end - pos;
        if (len && s->hs[pos + len - 1] == '\r')
            len--;
        if (len == 0)
            break;
        l[n++] = (line_ref){pos, len};
        pos = end + 1;
    }
    return n;
}

/* Rebuild the request from lines of `src`, with `extra` inserted before line `at`. */
static void hs_rebuild(ws_lf_session *s, const line_ref *l, size_t n, size_t at, const char *extra,
                       size_t extra_len)
{
    char out[WS_LF_HS_MAX];
    size_t pos = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == at && extra_len && pos + extra_len + 2 < sizeof out - 2) {
            memcpy(out + pos, extra, extra_len);
            pos += extra_len;
            out[pos++] = '\r', out[pos++] = '\n';
        }
        if (i < n && pos + l[i].len + 4 < sizeof out) {
            memcpy(out + pos, s->hs + l[i].off, l[i].len);
            pos += l[i].len;
            out[pos++] = '\r', out[pos++] = '\n';
        }
    }
    out[pos++] = '\r', out[pos++] = '\n';
    memcpy(s->hs, out, pos);
    s->hs_len = pos;
    if (s->hs_split >= pos)
        s->hs_split = 0;
}

/* A header line, or filler lines making the whole head, of about 1, 4, 8 or
 * 16 KiB (a few octets under or over: the limits servers put on them). */
static void hs_grow_to_limit(ws_lf_session *s, ws_rng *r, const line_ref *l, size_t n)
{
    static _Thread_local char extra[WS_LF_HS_MAX];
    static const size_t limits[] = {1024, 4096, 8192, 16384};
    size_t want =
        limits[ws_rng_below(r, sizeof limits / sizeof limits[0])] - 3 + (size_t)ws_rng_below(r, 7);
    size_t k = 0;
    if (ws_rng_below(r, 2)) { /* one line */
        k = (size_t)snprintf(extra, sizeof extra, "X-Long: ");
        while (k < want && k < sizeof extra - 1)
            extra[k++] = (char)('a' + ws_rng_below(r, 26));
    } else { /* the whole head */
        for (size_t i = 0; k + 32 < sizeof extra && k + 2 + s->hs_len < want; i++)
            k += (size_t)snprintf(extra + k, sizeof extra - k, "%sX-F%zu: %zu", i ? "\r\n" : "", i,
                                  i * 7919);
    }
    if (k && s->hs_len + k + 4 < WS_LF_HS_MAX)
        hs_rebuild(s, l, n, 1 + (size_t)ws_rng_below(r, n), extra, k);
}

static void mutate_handshake(ws_lf_session *s, ws_rng *r)
{
    static const char *const pool[] = {
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "Sec-WebSocket-Protocol: chat, superchat",
        "Origin: http://example.com",
        "Sec-WebSocket-Version: 8",
        "Sec-WebSocket-Key: AAAA",
        "Connection: keep-alive",
        "Upgrade: h2c",
        "Content-Length: 5",
        "Transfer-Encoding: chunked",
        "X-Empty:",
        " folded continuation",
        "Host: example.com",
        ("Sec-WebSocket-Key: " FIXED_KEY),
    };
    line_ref l[512];
    size_t n = hs_lines(s, l, 512);
    if (n == 0)
        return;
    char extra[2048];
    switch (ws_rng_below(r, 10)) {
    case 0: /* remove a header line */
        if (n > 1) {
            size_t i = 1 + (size_t)ws_rng_below(r, n - 1);
            memmove(&l[i], &l[i + 1], (n - i - 1) * sizeof l[0]);
            hs_rebuild(s, l, n - 1, n, NULL, 0);
        }
        break;
    case 1: /* duplicate a header line */
        if (n > 1 && n < 512) {
            size_t i = 1 + (size_t)ws_rng_below(r, n - 1);
            size_t len = l[i].len < sizeof extra ? l[i].len : sizeof extra - 1;
            memcpy(extra, s->hs + l[i].off, len);
            hs_rebuild(s, l, n, i, extra, len);
        }
        break;
    case 2: { /* add a header */
        const char *h = pool[ws_rng_below(r, sizeof pool / sizeof pool[0])];
        hs_rebuild(s, l, n, 1 + (size_t)ws_rng_below(r, n), h, strlen(h));
        break;
    }
    case 3: { /* flood: many filler lines, or one long value */
        size_t k = 0, count = 8 + (size_t)ws_rng_below(r, 120);
        if (ws_rng_below(r, 2)) {
            for (size_t i = 0; i < count && k + 24 < sizeof extra; i++)
                k += (size_t)snprintf(extra + k, sizeof extra - k, "%sX-F%zu: %zu", i ? "\r\n" : "",
                                      i, i);
        } else {
            k = (size_t)snprintf(extra, sizeof extra, "X-Long: ");
            while (k < sizeof extra - 1 && k < 16 * count)
                extra[k++] = 'a';
        }
        hs_rebuild(s, l, n, n, extra, k);
        break;
    }
    case 9: /* a header line, or the whole head, at or past a common size limit */
        hs_grow_to_limit(s, r, l, n);
        break;
    case 4: /* write the request in two, at an odd place */
        s->hs_split = 1 + (size_t)ws_rng_below(r, s->hs_len - 1);
        break;
    case 5: /* request line variants */
    {
        static const char *const first[] = {"POST / HTTP/1.1", "GET / HTTP/1.0",  "GET / HTTP/2.0",
                                            "get / HTTP/1.1",  "GET  / HTTP/1.1", "GET /"};
        const char *f = first[ws_rng_below(r, sizeof first / sizeof first[0])];
        line_ref rest[512];
        memcpy(rest, l + 1, (n - 1) * sizeof l[0]);
        hs_rebuild(s, rest, n - 1, 0, f, strlen(f));
        break;
    }
    case 6: { /* mangle one octet of a header line */
        size_t i = 1 + (size_t)ws_rng_below(r, n > 1 ? n - 1 : 1);
        if (i < n && l[i].len) {
            static const char repl[] = {'X', ' ', ':', '\t', 0, '\x7f', '\xff', ',', 'w'};
            s->hs[l[i].off + ws_rng_below(r, l[i].len)] = repl[ws_rng_below(r, sizeof repl)];
        }
        break;
    }
    case 7:
        s->hs_with_frames = !s->hs_with_frames;
        break;
    default: /* odd letter case of a header name */
        if (n > 1) {
            size_t i = 1 + (size_t)ws_rng_below(r, n - 1);
            for (size_t k = 0; k < l[i].len && s->hs[l[i].off + k] != ':'; k++)
                if (ws_rng_below(r, 2))
                    s->hs[l[i].off + k] ^= 0x20 & (s->hs[l[i].off + k] >= 'A' ? 0x20 : 0);
        }
    }
}

/* ------------------------------------------------------- delivery mutation */

static int cmp_cut(const void *a, const void *b)
{
    const ws_lf_cut *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void mutate_delivery(ws_lf_session *s, ws_rng *r)
{
    size_t total = ws_mut_size(&s->seq);
    static const uint16_t pauses[] = {1, 5, 20, 50, 120};
    switch (ws_rng_below(r, 6)) {
    case 0:
    case 1: /* a new write boundary, sometimes with a pause */
        if (s->ncuts < WS_LF_MAX_CUTS)
            s->cuts[s->ncuts++] =
                (ws_lf_cut){(uint32_t)ws_rng_below(r, total + 1),
                            ws_rng_below(r, 4) ? 0 : pauses[ws_rng_below(r, sizeof pauses / 2)]};
        break;
    case 2: /* drop one */
        if (s->ncuts) {
            size_t i = (size_t)ws_rng_below(r, s->ncuts);
            s->cuts[i] = s->cuts[--s->ncuts];
        }
        break;
    case 3: { /* chop the start into small writes */
        size_t step = 1 + (size_t)ws_rng_below(r, 7);
        s->ncuts = 0;
        for (size_t at = step; at < total && s->ncuts < WS_LF_MAX_CUTS; at += step)
            s->cuts[s->ncuts++] = (ws_lf_cut){(uint32_t)at, 0};
        break;
    }
    case 4:
        s->end = (uint8_t)(ws_rng_below(r, 3) ? WS_LF_END_SHUTDOWN : WS_LF_END_RESET);
        if (ws_rng_below(r, 2))
            s->end = WS_LF_END_NONE;
        break;
    default:
        s->ncuts = 0;
    }
    qsort(s->cuts, s->ncuts, sizeof s->cuts[0], cmp_cut);
}

/* Octets that often matter: UTF-8 edge cases and magic 16-bit values. */
static size_t interesting_bytes(void *ctx, uint8_t *d, size_t size, size_t max)
{
    static const char *const tokens[] = {
        "\xde\xad", "\xbe\xef", "\xef\xbb\xbf", "\xed\xa0\x80",         "\xf4\x90\x80\x80",
        "\xc0\xaf", "\xff\xfe", "\x80",         "\xce\xba\xe1\xbd\xb9", "\x00\x00",
        "\x7f\xff"};
    ws_rng *r = ctx;
    if (ws_rng_below(r, 3))
        return ws_mut_bytes_default(ctx, d, size, max);
    const char *t = tokens[ws_rng_below(r, sizeof tokens / sizeof tokens[0])];
    size_t n = strlen(t) ? strlen(t) : 1;
    if (t[0] == 0)
        n = 2;
    size_t at = (size_t)ws_rng_below(r, size + 1);
    if (ws_rng_below(r, 2) && size + n <= max) { /* insert */
        memmove(d + at + n, d + at, size - at);
        size += n;
    } else if (at + n > size) {
        return size;
    }
    memcpy(d + at, t, n);
    return size;
}

void ws_lf_session_mutate(ws_lf_session *s, ws_rng *r)
{
    unsigned what = (unsigned)ws_rng_below(r, 20);
    if (what < 3) {
        mutate_handshake(s, r);
    } else if (what < 6) {
        mutate_delivery(s, r);
    } else if (what < 8 && s->seq.nf) {
        ws_lf_mutate_structure(s, r);
    } else if (what < 9 || s->seq.nf == 0) { /* a fresh valid frame */
        ws_mut_frame f = {
            .fin = true, .opcode = ws_rng_below(r, 2) ? WS_OP_TEXT : WS_OP_BINARY, .masked = true};
        uint8_t p[64];
        size_t n = (size_t)ws_rng_below(r, sizeof p);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)('a' + ws_rng_below(r, 26));
        for (int k = 0; k < 4; k++)
            f.key[k] = (uint8_t)ws_rng_next(r);
        f.len = n;
        f.form = 7;
        ws_mut_seq_add(&s->seq, &f, p, n);
    } else {
        if (s->seq.used > s->seq.cap / 2) { /* compact the arena */
            static _Thread_local ws_lf_session tmp;
            ws_lf_session_copy(&tmp, s);
            ws_lf_session_copy(s, &tmp);
        }
        ws_mut_ctx ctx = {.rng = r, .bytes = interesting_bytes, .bytes_ctx = r, .max_payload = 0};
        ws_mut_seq_mutate(&s->seq, &ctx);
    }
}

/* -------------------------------------------------------------- rendering */

/* Where the flooded frame ends in the stream, its octets, and how many more
 * times it is written; false without a flood. */
typedef struct {
    size_t start, end;
    uint32_t more;
} flood_ref;

static bool flood_of(const ws_lf_session *s, flood_ref *fl)
{
    if (s->flood_count < 2 || s->flood_frame >= s->seq.nf)
        return false;
    static _Thread_local ws_mut_seq prefix;
    prefix = s->seq;
    prefix.nf = s->flood_frame;
    fl->start = ws_mut_size(&prefix);
    prefix.nf = s->flood_frame + 1;
    fl->end = ws_mut_size(&prefix);
    size_t one = fl->end - fl->start;
    uint64_t count = s->flood_count;
    while (count > 2 && count * (one ? one : 1) > WS_LF_FLOOD_MAX_OCTETS)
        count /= 2;
    fl->more = (uint32_t)count - 1;
    return one > 0;
}

/* Send stream[from..to); the flood's extra writes go right after its frame. */
static bool emit(ws_lf_repro *r, const uint8_t *stream, size_t from, size_t to, const flood_ref *fl)
{
    if (fl && from < fl->end && fl->end <= to) {
        if (!ws_lf_repro_send(r, stream + from, fl->end - from) ||
            !ws_lf_repro_send(r, stream + fl->start, fl->end - fl->start))
            return false;
        r->acts[r->nacts - 1].repeat = fl->more;
        from = fl->end;
    }
    return from >= to || ws_lf_repro_send(r, stream + from, to - from);
}

bool ws_lf_session_render(const ws_lf_session *s, ws_lf_repro *r)
{
    ws_lf_repro_clear_actions(r);
    static _Thread_local uint8_t stream[WS_LF_STREAM_MAX];
    size_t total = ws_mut_serialize(&s->seq, stream, sizeof stream);
    flood_ref flood;
    const flood_ref *fl = flood_of(s, &flood) && flood.end <= total ? &flood : NULL;
    static _Thread_local uint8_t head[WS_LF_HS_MAX + 1];
    size_t split = s->hs_split && s->hs_split < s->hs_len ? s->hs_split : 0;
    if (split && !ws_lf_repro_send(r, (const uint8_t *)s->hs, split))
        return false;
    size_t pos = 0, cut = 0;
    /* The first segment: up to the first cut. */
    size_t first_end = s->ncuts ? s->cuts[0].at : total;
    if (first_end > total)
        first_end = total;
    if (fl && first_end > fl->end)
        first_end = fl->end;
    size_t hn = s->hs_len - split;
    memcpy(head, s->hs + split, hn);
    if (s->hs_with_frames && first_end > 0) {
        uint8_t *both = malloc(hn + first_end);
        if (!both)
            return false;
        memcpy(both, head, hn);
        memcpy(both + hn, stream, first_end);
        bool ok = ws_lf_repro_send(r, both, hn + first_end);
        free(both);
        if (!ok)
            return false;
        pos = first_end;
        if (fl && pos == fl->end) {
            if (!ws_lf_repro_send(r, stream + fl->start, fl->end - fl->start))
                return false;
            r->acts[r->nacts - 1].repeat = fl->more;
        }
    } else if (hn && !ws_lf_repro_send(r, head, hn)) {
        return false;
    }
    for (; cut < s->ncuts; cut++) {
        size_t at = s->cuts[cut].at < total ? s->cuts[cut].at : total;
        if (at > pos && !emit(r, stream, pos, at, fl))
            return false;
        pos = at > pos ? at : pos;
        if (s->cuts[cut].pause_ms && !ws_lf_repro_act(r, WS_LF_PAUSE, s->cuts[cut].pause_ms))
            return false;
    }
    if (pos < total && !emit(r, stream, pos, total, fl))
        return false;
    if (s->end == WS_LF_END_SHUTDOWN)
        return ws_lf_repro_act(r, WS_LF_SHUTDOWN, 0);
    if (s->end == WS_LF_END_RESET)
        return ws_lf_repro_act(r, WS_LF_RESET, 0);
    return true;
}

/* The first repeated write becomes the session's flood: the frame that ends
 * where it starts, flood_count = repeat + 1. */
static void flood_from_repro(ws_lf_session *s, const ws_lf_repro *r, size_t head)
{
    size_t pos = 0;
    for (size_t i = 0; i < r->nacts; i++) {
        const ws_lf_action *a = &r->acts[i];
        if (a->kind != WS_LF_SEND)
            continue;
        if (a->repeat > 1 && pos > head) {
            static _Thread_local ws_mut_seq prefix;
            prefix = s->seq;
            for (size_t k = 1; k <= s->seq.nf; k++) {
                prefix.nf = k;
                if (ws_mut_size(&prefix) == pos - head) {
                    s->flood_frame = (uint32_t)(k - 1);
                    s->flood_count = a->repeat + 1;
                    break;
                }
            }
            return;
        }
        pos += a->len;
    }
}

bool ws_lf_session_from_repro(ws_lf_session *s, const ws_lf_repro *rep)
{
    reset(s);
    /* Repeated writes are left out of the octets and come back as the flood. */
    ws_lf_repro view = *rep, *r = &view;
    view.acts = malloc((rep->nacts ? rep->nacts : 1) * sizeof *view.acts);
    if (!view.acts)
        return false;
    memcpy(view.acts, rep->acts, rep->nacts * sizeof *view.acts);
    for (size_t i = 0; i < view.nacts; i++)
        if (view.acts[i].kind == WS_LF_SEND && view.acts[i].repeat > 1)
            view.acts[i].kind = WS_LF_PAUSE, view.acts[i].ms = 0, view.acts[i].len = 0;
    size_t total, head;
    uint8_t *all = ws_lf_repro_concat(r, &total, &head);
    if (!all) {
        free(view.acts);
        return false;
    }
    if (head == 0)
        head = total;
    if (head > sizeof s->hs) {
        free(all);
        free(view.acts);
        return false;
    }
    memcpy(s->hs, all, head);
    s->hs_len = head;
    ws_mut_parse(&s->seq, all + head, total - head);
    size_t pos = 0;
    bool first = true;
    for (size_t i = 0; i < r->nacts; i++) {
        const ws_lf_action *a = &r->acts[i];
        if (a->kind == WS_LF_SEND) {
            if (first && pos + a->len < head && pos == 0)
                s->hs_split = a->len;
            if (pos < head && pos + a->len > head)
                s->hs_with_frames = true;
            pos += a->len;
            first = false;
            if (pos > head && s->ncuts < WS_LF_MAX_CUTS && i + 1 < r->nacts)
                s->cuts[s->ncuts++] = (ws_lf_cut){(uint32_t)(pos - head), 0};
        } else if (a->kind == WS_LF_PAUSE) {
            if (s->ncuts && s->cuts[s->ncuts - 1].at == pos - head)
                s->cuts[s->ncuts - 1].pause_ms = (uint16_t)(a->ms > 60000 ? 60000 : a->ms);
            else if (pos >= head && s->ncuts < WS_LF_MAX_CUTS)
                s->cuts[s->ncuts++] =
                    (ws_lf_cut){(uint32_t)(pos - head), (uint16_t)(a->ms > 60000 ? 60000 : a->ms)};
        } else {
            s->end = a->kind == WS_LF_RESET ? WS_LF_END_RESET : WS_LF_END_SHUTDOWN;
        }
    }
    flood_from_repro(s, rep, head);
    free(view.acts);
    free(all);
    return true;
}

size_t ws_lf_session_nlines(const ws_lf_session *s)
{
    line_ref l[512];
    return hs_lines(s, l, 512);
}

bool ws_lf_session_drop_lines(ws_lf_session *s, size_t first, size_t count)
{
    line_ref l[512];
    size_t n = hs_lines(s, l, 512);
    if (first == 0 || first + count > n)
        return false;
    memmove(&l[first], &l[first + count], (n - first - count) * sizeof l[0]);
    hs_rebuild(s, l, n - count, n, NULL, 0);
    return true;
}
