/*
 * Structure-aware mutator for the frame target (fuzz/frame.c), one source for
 * both engines:
 *  - libFuzzer: LLVMFuzzerCustomMutator (built with -DWSSPEC_LIBFUZZER_MUTATOR,
 *    uses LLVMFuzzerMutate for payload bytes and for plain byte mutations);
 *  - AFL++: afl_custom_init / afl_custom_fuzz / afl_custom_deinit, built as a
 *    shared object and loaded with AFL_CUSTOM_MUTATOR_LIBRARY.
 *
 * It splits the input (fuzz_common.h format) into flags, chunk plan and
 * frames, parsed leniently (any header, a short last payload is kept short),
 * mutates fields - FIN, RSV, opcode, mask bit and key, the length form
 * (7/16/64-bit, non-minimal and MSB-set included), a lying length, payload
 * bytes, frame order, fragmentation, the chunk plan (the split points) and
 * the flags - then writes the input back. Independent of src/core/frame.c.
 */
#include <string.h>

#include "fuzz_common.h"

#define MAXF    64
#define SCRATCH 65536

typedef struct {
    uint8_t fin, rsv, op, masked, key[4];
    int form;     /* 7, 16 or 64 */
    uint64_t len; /* declared length */
    uint8_t *pay; /* unmasked payload, n octets (may be < len: truncated) */
    size_t n;
} mframe;

typedef struct {
    uint8_t flags, plan[16], nplan;
    mframe f[MAXF];
    size_t nf;
    uint8_t arena[SCRATCH];
    size_t used;
} minput;

typedef size_t (*bytes_mutator)(uint8_t *data, size_t size, size_t max);

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

static void decode(const uint8_t *d, size_t size, minput *m)
{
    m->nf = m->used = 0;
    m->flags = size ? d[0] : 0;
    m->nplan = size > 1 ? (d[1] & 15) : 0;
    size_t pos = 2 + m->nplan;
    if (pos > size)
        m->nplan = 0, pos = size;
    memcpy(m->plan, d + 2, m->nplan);
    while (pos + 2 <= size && m->nf < MAXF) {
        mframe *f = &m->f[m->nf++];
        f->fin = d[pos] >> 7, f->rsv = (d[pos] >> 4) & 7, f->op = d[pos] & 15;
        f->masked = d[pos + 1] >> 7;
        unsigned l7 = d[pos + 1] & 127, ext = l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
        f->form = ext == 2 ? 16 : ext == 8 ? 64 : 7;
        pos += 2;
        f->len = l7;
        if (ext) {
            f->len = 0;
            for (unsigned i = 0; i < ext; i++)
                f->len = f->len << 8 | (pos + i < size ? d[pos + i] : 0);
        }
        pos = pos + ext > size ? size : pos + ext;
        memset(f->key, 0, 4);
        for (unsigned i = 0; f->masked && i < 4 && pos < size; i++)
            f->key[i] = d[pos++];
        f->n = f->len < size - pos ? (size_t)f->len : size - pos;
        f->pay = m->arena + m->used;
        for (size_t i = 0; i < f->n; i++)
            f->pay[i] = d[pos + i] ^ (f->masked ? f->key[i & 3] : 0);
        m->used += f->n;
        pos += f->n;
    }
}

static size_t encode(const minput *m, uint8_t *out, size_t max)
{
    size_t pos = 0;
    if (max < 2 + (size_t)m->nplan)
        return 0;
    out[pos++] = m->flags;
    out[pos++] = m->nplan;
    memcpy(out + pos, m->plan, m->nplan);
    pos += m->nplan;
    for (size_t k = 0; k < m->nf; k++) {
        const mframe *f = &m->f[k];
        if (max - pos < 14 + f->n)
            break;
        out[pos++] = (uint8_t)(f->fin << 7 | f->rsv << 4 | f->op);
        unsigned ext = f->form == 16 ? 2 : f->form == 64 ? 8 : 0;
        out[pos++] = (uint8_t)(f->masked << 7 | (ext == 2 ? 126 : ext == 8 ? 127 : f->len & 127));
        for (unsigned i = 0; i < ext; i++)
            out[pos++] = (uint8_t)(f->len >> (8 * (ext - 1 - i)));
        if (f->masked)
            memcpy(out + pos, f->key, 4), pos += 4;
        for (size_t i = 0; i < f->n; i++)
            out[pos + i] = f->pay[i] ^ (f->masked ? f->key[i & 3] : 0);
        pos += f->n;
    }
    return pos;
}

static void mutate_frame(minput *m, mframe *f, uint64_t *s, bytes_mutator bm)
{
    static const uint8_t ops[] = {0, 1, 2, 8, 9, 10, 3, 7, 11, 15};
    static const uint64_t lens[] = {
        0, 1, 125, 126, 127, 0xffff, 0x10000, (uint64_t)1 << 63, ~(uint64_t)0, (uint64_t)1 << 32};
    switch (rnd(s) % 9) {
    case 0:
        f->fin ^= 1;
        break;
    case 1:
        f->rsv = rnd(s) & 7;
        break;
    case 2:
        f->op = ops[rnd(s) % sizeof ops];
        break;
    case 3:
        f->masked ^= 1;
        break;
    case 4:
        for (int i = 0; i < 4; i++)
            f->key[i] = (uint8_t)rnd(s);
        break;
    case 5: /* another length form, possibly non-minimal */
        f->form = (int[]){7, 16, 64}[rnd(s) % 3];
        if (f->form == 7 && f->n > 125)
            f->form = 16;
        if (f->form == 16 && f->n > 0xffff)
            f->form = 64;
        f->len = f->n;
        break;
    case 6: /* a lying length (MSB set, 2^64-1, off by one...) */
        f->len = rnd(s) & 1 ? lens[rnd(s) % 10] : f->n + (rnd(s) & 1 ? 1 : -1);
        f->form = f->len > 0xffff ? 64 : f->len > 125 ? 16 : (rnd(s) & 1 ? 7 : 64);
        break;
    case 7: /* payload bytes */
        if (m->used + 256 + f->n <= SCRATCH) {
            uint8_t *p = m->arena + m->used;
            memcpy(p, f->pay, f->n);
            f->pay = p;
            f->n = bm(p, f->n, f->n + 256 < SCRATCH - m->used ? f->n + 256 : f->n);
            m->used += f->n;
            f->len = f->n;
            if (f->form == 7 && f->n > 125)
                f->form = 16;
            if (f->form == 16 && f->n > 0xffff)
                f->form = 64;
        }
        break;
    default: /* fragment: split the payload into this frame and a continuation */
        if (m->nf < MAXF && f->n > 1) {
            size_t at = (size_t)(rnd(s) % f->n), i = (size_t)(f - m->f);
            memmove(&m->f[i + 1], &m->f[i], (m->nf - i) * sizeof *f);
            m->nf++;
            mframe *g = &m->f[i + 1];
            f->n = f->len = at, f->fin = 0, f->form = at > 125 ? 16 : 7;
            g->pay += at, g->n -= at, g->len = g->n, g->op = 0;
            g->form = g->n > 125 ? (g->n > 0xffff ? 64 : 16) : 7;
        }
    }
}

static size_t mutate(uint8_t *data, size_t size, size_t max, unsigned seed, bytes_mutator bm)
{
    static minput m;
    uint64_t s = seed * 0x9e3779b97f4a7c15u + 1;
    if (rnd(&s) % 8 == 0 || size < 2)
        return bm(data, size, max); /* plain bytes too */
    decode(data, size, &m);
    for (unsigned k = 1 + rnd(&s) % 3; k > 0; k--) {
        unsigned what = rnd(&s) % 10;
        if (what < 6 && m.nf)
            mutate_frame(&m, &m.f[rnd(&s) % m.nf], &s, bm);
        else if (what == 6)
            m.flags = (uint8_t)rnd(&s);
        else if (what == 7) { /* new split points */
            m.nplan = rnd(&s) % 16;
            for (unsigned i = 0; i < m.nplan; i++)
                m.plan[i] = (uint8_t)(rnd(&s) % 3 ? rnd(&s) % 16 : rnd(&s));
        } else if (what == 8 && m.nf > 1) { /* swap two frames */
            size_t i = rnd(&s) % m.nf, j = rnd(&s) % m.nf;
            mframe t = m.f[i];
            m.f[i] = m.f[j], m.f[j] = t;
        } else if (what == 9 && m.nf) { /* duplicate or drop a frame */
            size_t i = rnd(&s) % m.nf;
            if (rnd(&s) & 1 && m.nf < MAXF)
                m.f[m.nf++] = m.f[i];
            else
                m.f[i] = m.f[--m.nf];
        }
    }
    static uint8_t out[SCRATCH + 16 * MAXF];
    size_t n = encode(&m, out, max < sizeof out ? max : sizeof out);
    if (n < 2)
        return bm(data, size, max);
    memcpy(data, out, n);
    return n;
}

#ifdef WSSPEC_LIBFUZZER_MUTATOR
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    return mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}
#endif

/* ---- AFL++ custom mutator API (docs/custom_mutators.md) ---- */
typedef struct {
    uint64_t s;
    uint8_t *buf;
} afl_mut;

static uint64_t afl_seed;

/* Byte-level fallback for AFL++: flip, set, insert or delete a few octets. */
static size_t afl_bytes(uint8_t *d, size_t size, size_t max)
{
    for (int k = 1 + (int)(rnd(&afl_seed) % 4); k > 0; k--) {
        unsigned what = rnd(&afl_seed) % 4;
        size_t at = size ? rnd(&afl_seed) % size : 0;
        if (what == 0 && size)
            d[at] ^= (uint8_t)(1u << (rnd(&afl_seed) & 7));
        else if (what == 1 && size)
            d[at] = (uint8_t)rnd(&afl_seed);
        else if (what == 2 && size < max) {
            memmove(d + at + 1, d + at, size - at);
            d[at] = (uint8_t)rnd(&afl_seed), size++;
        } else if (what == 3 && size)
            memmove(d + at, d + at + 1, size - at - 1), size--;
    }
    return size;
}

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    afl_mut *m = calloc(1, sizeof *m);
    if (m)
        m->s = afl_seed = seed * 2654435761u + 1;
    return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
    afl_mut *m = data;
    (void)add_buf, (void)add_buf_size;
    if (max_size > SCRATCH)
        max_size = SCRATCH;
    uint8_t *nb = realloc(m->buf, max_size);
    if (!nb)
        return 0;
    m->buf = nb;
    size_t n = buf_size < max_size ? buf_size : max_size;
    memcpy(m->buf, buf, n);
    *out_buf = m->buf;
    return mutate(m->buf, n, max_size, (unsigned)rnd(&m->s), afl_bytes);
}

const char *afl_custom_describe(void *data, size_t max_description_len)
{
    (void)data;
    return max_description_len > 12 ? "wsspec-frame" : "ws";
}

void afl_custom_deinit(void *data)
{
    afl_mut *m = data;
    free(m->buf);
    free(m);
}
