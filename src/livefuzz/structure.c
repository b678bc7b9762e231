/*
 * Structure-aware session mutations that one frame's fields cannot express:
 * a 64-bit length with its most significant bit set, a control frame inside
 * a fragmented message (fragments possibly empty), empty payloads, and
 * floods - one frame written many times in a row, such as the continuation
 * frames of a message that never ends (bounded by WS_LF_FLOOD_MAX_OCTETS).
 */
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"

static bool is_data(const ws_mut_frame *f)
{
    return f->opcode <= WS_OP_BINARY;
}

static bool insert_frame(ws_mut_seq *q, size_t at, const ws_mut_frame *f)
{
    if (q->nf >= WS_MUT_MAX_FRAMES || at > q->nf)
        return false;
    memmove(&q->f[at + 1], &q->f[at], (q->nf - at) * sizeof q->f[0]);
    q->f[at] = *f;
    q->nf++;
    return true;
}

/* A frame whose payload is n random letters (the arena permitting). */
static bool make_frame(ws_mut_seq *q, ws_rng *r, uint8_t opcode, bool fin, size_t n,
                       ws_mut_frame *out)
{
    if (q->cap - q->used < n)
        return false;
    ws_mut_frame f = {.fin = fin, .opcode = opcode, .masked = true, .n = n, .len = n};
    for (int k = 0; k < 4; k++)
        f.key[k] = (uint8_t)ws_rng_next(r);
    f.form = n > 0xffff ? 64 : n > 125 ? 16 : 7;
    f.off = q->used;
    for (size_t i = 0; i < n; i++)
        q->arena[q->used + i] = (uint8_t)('a' + ws_rng_below(r, 26));
    q->used += n;
    *out = f;
    return true;
}

/* The 64-bit length form with the most significant bit set (RFC 6455 5.2:
 * it MUST be 0), over the real length or a small one. */
static void length_msb(ws_lf_session *s, ws_rng *r)
{
    ws_mut_frame *f = &s->seq.f[ws_rng_below(r, s->seq.nf)];
    f->form = 64;
    f->len = (1ULL << 63) | (ws_rng_below(r, 2) ? f->n : ws_rng_below(r, 1u << 16));
}

/* A control frame between two fragments of a message; a frame that is not
 * fragmented yet is split at any offset (an empty fragment included). */
static void interleave_control(ws_lf_session *s, ws_rng *r)
{
    ws_mut_seq *q = &s->seq;
    size_t i = (size_t)ws_rng_below(r, q->nf);
    ws_mut_frame *f = &q->f[i];
    if (!is_data(f) || q->nf + 2 > WS_MUT_MAX_FRAMES)
        return;
    static const uint8_t ops[] = {WS_OP_PING, WS_OP_PING, WS_OP_PONG};
    ws_mut_frame ctl;
    if (!make_frame(q, r, ops[ws_rng_below(r, sizeof ops)], true, (size_t)ws_rng_below(r, 8), &ctl))
        return;
    f = &q->f[i];
    if (!f->fin) {
        insert_frame(q, i + 1, &ctl);
        return;
    }
    size_t at = (size_t)ws_rng_below(r, f->n + 1);
    ws_mut_frame tail = *f;
    tail.opcode = WS_OP_CONT;
    tail.off += at;
    tail.n -= at;
    tail.len = tail.n;
    tail.form = tail.n > 0xffff ? 64 : tail.n > 125 ? 16 : 7;
    f->n = at;
    f->len = at;
    f->fin = false;
    f->form = at > 0xffff ? 64 : at > 125 ? 16 : 7;
    insert_frame(q, i + 1, &ctl);
    insert_frame(q, i + 2, &tail);
}

static void empty_payload(ws_lf_session *s, ws_rng *r)
{
    ws_mut_frame *f = &s->seq.f[ws_rng_below(r, s->seq.nf)];
    f->n = 0;
    f->len = 0;
    f->form = 7;
}

/* A count of 2^k (k in 1..max_log) that keeps count * size within the bound;
 * one time in three the largest such count (memory limits sit near the top). */
static uint32_t flood_count(ws_rng *r, size_t size, unsigned max_log)
{
    uint32_t count = 1u << (ws_rng_below(r, 3) ? 1 + ws_rng_below(r, max_log) : max_log);
    while (count > 2 && (uint64_t)count * (size ? size : 1) > WS_LF_FLOOD_MAX_OCTETS)
        count /= 2;
    return count;
}

/* A message that never ends: a data frame without FIN followed by a long
 * run of continuation frames (KiBs each, up to WS_LF_FLOOD_MAX_OCTETS). */
static void continuation_run(ws_lf_session *s, ws_rng *r)
{
    ws_mut_seq *q = &s->seq;
    size_t i = (size_t)ws_rng_below(r, q->nf);
    static const size_t sizes[] = {125, 1000, 4000, 16000};
    size_t n = sizes[ws_rng_below(r, sizeof sizes / sizeof sizes[0])];
    if (q->used > q->cap / 2) { /* compact the arena first */
        static _Thread_local ws_lf_session tmp;
        ws_lf_session_copy(&tmp, s);
        ws_lf_session_copy(s, &tmp);
    }
    ws_mut_frame cont;
    if (q->nf >= WS_MUT_MAX_FRAMES || !make_frame(q, r, WS_OP_CONT, false, n, &cont))
        return;
    ws_mut_frame *f = &q->f[i];
    if (!is_data(f) || f->opcode == WS_OP_CONT)
        f->opcode = ws_rng_below(r, 2) ? WS_OP_TEXT : WS_OP_BINARY;
    f->fin = false;
    insert_frame(q, i + 1, &cont);
    s->flood_frame = (uint32_t)(i + 1);
    s->flood_count = flood_count(r, n + 14, 14);
}

/* Any frame written many times in a row (Pings, small messages...). */
static void flood_any(ws_lf_session *s, ws_rng *r)
{
    size_t i = (size_t)ws_rng_below(r, s->seq.nf);
    s->flood_frame = (uint32_t)i;
    s->flood_count = flood_count(r, s->seq.f[i].n + 14, 12);
}

void ws_lf_mutate_structure(ws_lf_session *s, ws_rng *r)
{
    if (s->seq.nf == 0)
        return;
    switch (ws_rng_below(r, 6)) {
    case 0:
        length_msb(s, r);
        break;
    case 1:
    case 2:
        interleave_control(s, r);
        break;
    case 3:
        empty_payload(s, r);
        break;
    case 4:
        continuation_run(s, r);
        break;
    default:
        if (ws_rng_below(r, 2))
            flood_any(s, r);
        else
            s->flood_count = 0;
    }
}
