/* Structure-aware frame-sequence mutation. See wsspec/mutator.h. */
#include <string.h>

#include "wsspec/mutator.h"

void ws_rng_seed(ws_rng *r, uint64_t seed)
{
    r->s = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    if (r->s == 0)
        r->s = 1;
    ws_rng_next(r);
}

uint64_t ws_rng_next(ws_rng *r)
{
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->s = x;
    return x;
}

uint64_t ws_rng_below(ws_rng *r, uint64_t n)
{
    return n ? ws_rng_next(r) % n : 0;
}

void ws_mut_seq_init(ws_mut_seq *s, uint8_t *arena, size_t cap)
{
    s->nf = 0;
    s->arena = arena;
    s->used = 0;
    s->cap = cap;
}

bool ws_mut_seq_add(ws_mut_seq *s, const ws_mut_frame *tmpl, const uint8_t *payload, size_t n)
{
    if (s->nf >= WS_MUT_MAX_FRAMES || s->cap - s->used < n)
        return false;
    ws_mut_frame *f = &s->f[s->nf++];
    *f = *tmpl;
    f->off = s->used;
    f->n = n;
    if (n)
        memcpy(s->arena + s->used, payload, n);
    s->used += n;
    return true;
}

size_t ws_mut_parse(ws_mut_seq *s, const uint8_t *d, size_t size)
{
    size_t pos = 0;
    while (pos + 2 <= size && s->nf < WS_MUT_MAX_FRAMES) {
        ws_mut_frame f = {0};
        f.fin = d[pos] >> 7;
        f.rsv = (d[pos] >> 4) & 7;
        f.opcode = d[pos] & 15;
        f.masked = d[pos + 1] >> 7;
        unsigned l7 = d[pos + 1] & 127u, ext = l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
        f.form = ext == 2 ? 16 : ext == 8 ? 64 : 7;
        size_t p = pos + 2;
        f.len = l7;
        if (ext) {
            f.len = 0;
            for (unsigned i = 0; i < ext; i++)
                f.len = f.len << 8 | (p + i < size ? d[p + i] : 0);
        }
        p = p + ext > size ? size : p + ext;
        for (unsigned i = 0; f.masked && i < 4 && p < size; i++)
            f.key[i] = d[p++];
        size_t n = f.len < size - p ? (size_t)f.len : size - p;
        if (s->cap - s->used < n)
            break;
        f.off = s->used;
        f.n = n;
        for (size_t i = 0; i < n; i++)
            s->arena[s->used + i] = d[p + i] ^ (f.masked ? f.key[i & 3] : 0);
        s->used += n;
        s->f[s->nf++] = f;
        pos = p + n;
    }
    return pos;
}

static size_t frame_size(const ws_mut_frame *f)
{
    return 2 + (f->form == 16 ? 2 : f->form == 64 ? 8 : 0) + (f->masked ? 4 : 0) + f->n;
}

size_t ws_mut_size(const ws_mut_seq *s)
{
    size_t total = 0;
    for (size_t k = 0; k < s->nf; k++)
        total += frame_size(&s->f[k]);
    return total;
}

size_t ws_mut_serialize(const ws_mut_seq *s, uint8_t *out, size_t max)
{
    size_t pos = 0;
    for (size_t k = 0; k < s->nf; k++) {
        const ws_mut_frame *f = &s->f[k];
        if (max - pos < frame_size(f))
            continue;
        out[pos++] = (uint8_t)((f->fin ? 0x80 : 0) | (f->rsv & 7) << 4 | (f->opcode & 15));
        unsigned ext = f->form == 16 ? 2 : f->form == 64 ? 8 : 0;
        unsigned l7 = ext == 2 ? 126 : ext == 8 ? 127 : (unsigned)(f->len & 127);
        out[pos++] = (uint8_t)((f->masked ? 0x80 : 0) | l7);
        for (unsigned i = 0; i < ext; i++)
            out[pos++] = (uint8_t)(f->len >> (8 * (ext - 1 - i)));
        if (f->masked) {
            memcpy(out + pos, f->key, 4);
            pos += 4;
        }
        const uint8_t *p = s->arena + f->off;
        for (size_t i = 0; i < f->n; i++)
            out[pos + i] = p[i] ^ (f->masked ? f->key[i & 3] : 0);
        pos += f->n;
    }
    return pos;
}

size_t ws_mut_bytes_default(void *ctx, uint8_t *d, size_t size, size_t max)
{
    ws_rng *r = ctx;
    for (int k = 1 + (int)ws_rng_below(r, 4); k > 0; k--) {
        unsigned what = (unsigned)ws_rng_below(r, 5);
        size_t at = size ? (size_t)ws_rng_below(r, size) : 0;
        if (what == 0 && size) {
            d[at] ^= (uint8_t)(1u << ws_rng_below(r, 8));
        } else if (what == 1 && size) {
            static const uint8_t special[] = {0x00, 0xff, 0x7f, 0x80, 0xc0, 0xed, 0xf4, 0xde, 0xad};
            d[at] = ws_rng_below(r, 2) ? (uint8_t)ws_rng_next(r)
                                       : special[ws_rng_below(r, sizeof special)];
        } else if (what == 2 && size < max) {
            memmove(d + at + 1, d + at, size - at);
            d[at] = (uint8_t)ws_rng_next(r);
            size++;
        } else if (what == 3 && size) {
            memmove(d + at, d + at + 1, size - at - 1);
            size--;
        } else if (what == 4 && size + 2 <= max) { /* insert a pair: UTF-8 lead + trail, etc. */
            memmove(d + at + 2, d + at, size - at);
            d[at] = (uint8_t)(0xc0 | ws_rng_below(r, 64));
            d[at + 1] = (uint8_t)ws_rng_next(r);
            size += 2;
        }
    }
    return size;
}

/* The smallest length form for n octets. */
static uint8_t min_form(uint64_t n)
{
    return n > 0xffff ? 64 : n > 125 ? 16 : 7;
}

static void fit_form(ws_mut_frame *f)
{
    if (f->form == 7 && f->len > 125)
        f->form = 16;
    if (f->form == 16 && f->len > 0xffff)
        f->form = 64;
}

static bool insert_at(ws_mut_seq *s, size_t i, const ws_mut_frame *f)
{
    if (s->nf >= WS_MUT_MAX_FRAMES || i > s->nf)
        return false;
    memmove(&s->f[i + 1], &s->f[i], (s->nf - i) * sizeof *f);
    s->f[i] = *f;
    s->nf++;
    return true;
}

static void mutate_payload(ws_mut_seq *s, ws_mut_frame *f, const ws_mut_ctx *ctx)
{
    size_t grow = ctx->max_payload ? ctx->max_payload : f->n + 256;
    if (grow < f->n)
        grow = f->n;
    if (s->cap - s->used < grow)
        return;
    uint8_t *p = s->arena + s->used;
    memmove(p, s->arena + f->off, f->n);
    size_t n = ctx->bytes ? ctx->bytes(ctx->bytes_ctx, p, f->n, grow)
                          : ws_mut_bytes_default(ctx->rng, p, f->n, grow);
    if (n > grow)
        n = grow;
    bool honest = f->len == f->n;
    f->off = s->used;
    f->n = n;
    s->used += n;
    if (honest)
        f->len = n;
    fit_form(f);
}

void ws_mut_frame_mutate(ws_mut_seq *s, size_t i, const ws_mut_ctx *ctx)
{
    static const uint8_t ops[] = {0, 1, 2, 8, 9, 10, 3, 7, 11, 15};
    static const uint64_t lens[] = {0,      1,       125,        126,   127,
                                    0xffff, 0x10000, 1ULL << 63, ~0ULL, 1ULL << 32};
    ws_rng *r = ctx->rng;
    if (i >= s->nf)
        return;
    ws_mut_frame *f = &s->f[i];
    switch (ws_rng_below(r, 10)) {
    case 0:
        f->fin = !f->fin;
        break;
    case 1:
        f->rsv = (uint8_t)(ws_rng_below(r, 2) ? 1u << ws_rng_below(r, 3) : ws_rng_below(r, 8));
        break;
    case 2:
        f->opcode = ops[ws_rng_below(r, sizeof ops)];
        break;
    case 3:
        f->masked = !f->masked;
        break;
    case 4:
        for (int k = 0; k < 4; k++)
            f->key[k] = (uint8_t)ws_rng_next(r);
        break;
    case 5: /* another length form, possibly non-minimal */
        f->form = (uint8_t[]){7, 16, 64}[ws_rng_below(r, 3)];
        f->len = f->n;
        fit_form(f);
        break;
    case 6: /* a lying length: MSB set, 2^64-1, off by one... */
        f->len = ws_rng_below(r, 2) ? lens[ws_rng_below(r, sizeof lens / sizeof lens[0])]
                                    : f->n + (ws_rng_below(r, 2) ? 1 : (uint64_t)-1);
        f->form = f->len > 0xffff ? 64 : f->len > 125 ? 16 : (ws_rng_below(r, 2) ? 7 : 64);
        break;
    case 7:
    case 8:
        mutate_payload(s, f, ctx);
        break;
    default: /* fragment: this frame and a continuation */
        if (s->nf < WS_MUT_MAX_FRAMES && f->n > 1) {
            size_t at = 1 + (size_t)ws_rng_below(r, f->n - 1);
            ws_mut_frame g = *f;
            g.off += at;
            g.n -= at;
            g.len = g.n;
            g.opcode = 0;
            g.form = min_form(g.n);
            f->n = at;
            f->len = at;
            f->fin = false;
            f->form = min_form(at);
            insert_at(s, i + 1, &g);
        }
    }
}

/* A control frame between two others (fragments included). */
static void insert_control(ws_mut_seq *s, const ws_mut_ctx *ctx)
{
    ws_rng *r = ctx->rng;
    static const uint8_t ops[] = {9, 10, 9, 8};
    ws_mut_frame f = {.fin = true, .opcode = ops[ws_rng_below(r, sizeof ops)], .masked = true};
    for (int k = 0; k < 4; k++)
        f.key[k] = (uint8_t)ws_rng_next(r);
    size_t n = (size_t)(ws_rng_below(r, 3) ? ws_rng_below(r, 16) : ws_rng_below(r, 130));
    if (f.opcode == 8)
        n = ws_rng_below(r, 2) ? 2 : n;
    if (s->cap - s->used < n || s->nf >= WS_MUT_MAX_FRAMES)
        return;
    uint8_t *p = s->arena + s->used;
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)('a' + ws_rng_below(r, 26));
    if (f.opcode == 8 && n >= 2) {
        static const uint16_t codes[] = {1000, 1001, 1002, 1005, 1006, 999, 3000, 4999, 5000};
        uint16_t c = codes[ws_rng_below(r, sizeof codes / sizeof codes[0])];
        p[0] = (uint8_t)(c >> 8);
        p[1] = (uint8_t)c;
    }
    f.off = s->used;
    f.n = n;
    f.len = n;
    f.form = min_form(n);
    s->used += n;
    insert_at(s, (size_t)ws_rng_below(r, s->nf + 1), &f);
}

void ws_mut_seq_mutate(ws_mut_seq *s, const ws_mut_ctx *ctx)
{
    ws_rng *r = ctx->rng;
    for (unsigned k = 1 + (unsigned)ws_rng_below(r, 3); k > 0; k--) {
        unsigned what = (unsigned)ws_rng_below(r, 10);
        if (what < 6 && s->nf) {
            ws_mut_frame_mutate(s, (size_t)ws_rng_below(r, s->nf), ctx);
        } else if (what == 6 && s->nf > 1) { /* swap two frames */
            size_t i = (size_t)ws_rng_below(r, s->nf), j = (size_t)ws_rng_below(r, s->nf);
            ws_mut_frame t = s->f[i];
            s->f[i] = s->f[j];
            s->f[j] = t;
        } else if (what == 7 && s->nf) { /* duplicate a frame */
            size_t i = (size_t)ws_rng_below(r, s->nf);
            ws_mut_frame t = s->f[i];
            insert_at(s, i + 1, &t);
        } else if (what == 8 && s->nf) { /* drop a frame */
            size_t i = (size_t)ws_rng_below(r, s->nf);
            memmove(&s->f[i], &s->f[i + 1], (s->nf - i - 1) * sizeof s->f[0]);
            s->nf--;
        } else {
            insert_control(s, ctx);
        }
    }
}

bool ws_mut_seq_copy(ws_mut_seq *d, const ws_mut_seq *s)
{
    d->nf = 0;
    d->used = 0;
    for (size_t k = 0; k < s->nf; k++)
        if (!ws_mut_seq_add(d, &s->f[k], s->arena + s->f[k].off, s->f[k].n))
            return false;
    return true;
}
