/*
 * Structure-aware mutator for the frame target (fuzz/frame.c), one source for
 * both engines:
 *  - libFuzzer: LLVMFuzzerCustomMutator (built with -DWSSPEC_LIBFUZZER_MUTATOR,
 *    uses LLVMFuzzerMutate for payload bytes and for plain byte mutations);
 *  - AFL++: afl_custom_init / afl_custom_fuzz / afl_custom_deinit, built as a
 *    shared object and loaded with AFL_CUSTOM_MUTATOR_LIBRARY.
 *
 * A thin adapter over the core mutator (wsspec/mutator.h, shared with live
 * fuzzing): it splits the input (fuzz_common.h format) into flags, chunk plan
 * and frames, lets ws_mut_seq_mutate change the frames, mutates the chunk
 * plan (the split points) and the flags (byte 0 and the high nibble of byte 1)
 * itself, then writes the input back.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/mutator.h"

#define SCRATCH 65536

typedef size_t (*bytes_mutator)(uint8_t *data, size_t size, size_t max);

typedef struct {
    uint8_t flags, more_flags, plan[16], nplan; /* more_flags: high nibble of byte 1 */
    ws_mut_seq seq;
    uint8_t arena[SCRATCH * 2];
    uint8_t out[SCRATCH + 16 * WS_MUT_MAX_FRAMES];
} minput;

static size_t call_bytes(void *ctx, uint8_t *data, size_t size, size_t max)
{
    return (*(bytes_mutator *)ctx)(data, size, max);
}

static size_t mutate(uint8_t *data, size_t size, size_t max, unsigned seed, bytes_mutator bm)
{
    static minput m;
    ws_rng r;
    ws_rng_seed(&r, seed);
    if (ws_rng_below(&r, 8) == 0 || size < 2)
        return bm(data, size, max); /* plain bytes too */
    m.flags = data[0];
    m.more_flags = data[1] & 0xf0;
    m.nplan = data[1] & 15;
    size_t pos = 2 + m.nplan;
    if (pos > size)
        m.nplan = 0, pos = size;
    memcpy(m.plan, data + 2, m.nplan);
    ws_mut_seq_init(&m.seq, m.arena, sizeof m.arena);
    ws_mut_parse(&m.seq, data + pos, size - pos);
    ws_mut_ctx ctx = {.rng = &r, .bytes = call_bytes, .bytes_ctx = &bm};
    unsigned what = (unsigned)ws_rng_below(&r, 10);
    if (what < 8) {
        ws_mut_seq_mutate(&m.seq, &ctx);
    } else if (what == 8) {
        m.flags = (uint8_t)ws_rng_next(&r);
        m.more_flags = (uint8_t)ws_rng_next(&r) & 0xf0;
    } else { /* new split points */
        m.nplan = (uint8_t)ws_rng_below(&r, 16);
        for (unsigned i = 0; i < m.nplan; i++)
            m.plan[i] = (uint8_t)(ws_rng_below(&r, 3) ? ws_rng_below(&r, 16) : ws_rng_next(&r));
    }
    size_t cap = max < sizeof m.out ? max : sizeof m.out;
    if (cap < 2 + (size_t)m.nplan)
        return bm(data, size, max);
    m.out[0] = m.flags;
    m.out[1] = m.more_flags | m.nplan;
    memcpy(m.out + 2, m.plan, m.nplan);
    size_t n = 2 + m.nplan;
    n += ws_mut_serialize(&m.seq, m.out + n, cap - n);
    if (n < 2)
        return bm(data, size, max);
    memcpy(data, m.out, n);
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
    ws_rng r;
    uint8_t *buf;
} afl_mut;

static ws_rng afl_rng;

/* Byte-level fallback for AFL++: flip, set, insert or delete a few octets. */
static size_t afl_bytes(uint8_t *d, size_t size, size_t max)
{
    return ws_mut_bytes_default(&afl_rng, d, size, max);
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
    if (m) {
        ws_rng_seed(&m->r, seed);
        ws_rng_seed(&afl_rng, seed + 1);
    }
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
    return mutate(m->buf, n, max_size, (unsigned)ws_rng_next(&m->r), afl_bytes);
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
