/*
 * Shared helpers for the wsspec fuzz targets (fuzz/<target>.c).
 *
 * Chunked input format, used by the stream targets (frame, frame_roundtrip,
 * utf8, wslay_diff) so that the fuzzer chooses every split point:
 *
 *   byte 0          target flags (configuration: role, limits, ...)
 *   byte 1          n = byte & 15: number of chunk sizes that follow;
 *                   byte >> 4: more target flags (0 when unused)
 *   bytes 2..2+n    chunk sizes, used cyclically; 0 = an empty feed
 *   rest            the byte stream itself
 *
 * n == 0 (or all sizes 0) means one feed with the whole stream. Keeping the
 * stream contiguous lets dictionaries and the custom mutator work on it.
 *
 * FZ_CHECK() is an invariant that holds in every build (NDEBUG or not): the
 * standalone replay binaries are built in Release mode.
 *
 * FZ_NO_COVERAGE keeps a harness function out of -fsanitize=fuzzer's coverage
 * and comparison tracing (it stays under ASan and UBSan): the fuzzer should
 * be steered by the code under test, and tracing every comparison of the
 * harness's own checks costs more than the parse they check.
 */
#ifndef WSSPEC_FUZZ_COMMON_H
#define WSSPEC_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#if defined(__clang__) && __clang_major__ >= 13
#define FZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FZ_NO_COVERAGE
#endif

/* Largest stream the stream targets look at; longer inputs are truncated. */
#define FZ_MAX_STREAM 16384

typedef struct {
    uint8_t flags;
    uint8_t more_flags;   /* high nibble of byte 1 */
    const uint8_t *sizes; /* chunk sizes, cyclic */
    size_t n_sizes;       /* 0: one feed */
    const uint8_t *stream;
    size_t len;
} fz_input;

/* Split an input into flags, chunk plan and stream. False if too short. */
static inline bool fz_split(const uint8_t *data, size_t size, fz_input *in)
{
    if (size < 2)
        return false;
    size_t n = data[1] & 15u;
    if (size < 2 + n)
        return false;
    in->flags = data[0];
    in->more_flags = (uint8_t)(data[1] >> 4);
    in->sizes = data + 2;
    in->n_sizes = n;
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= data[2 + i] != 0;
    if (!any)
        in->n_sizes = 0;
    in->stream = data + 2 + n;
    in->len = size - 2 - n;
    if (in->len > FZ_MAX_STREAM)
        in->len = FZ_MAX_STREAM;
    return true;
}

/* Chunk cursor over a stream of `len` octets. */
typedef struct {
    const uint8_t *sizes;
    size_t n_sizes, i, pos, len;
} fz_chunker;

static inline void fz_chunker_init(fz_chunker *c, const uint8_t *sizes, size_t n, size_t len)
{
    c->sizes = sizes;
    c->n_sizes = n;
    c->i = 0;
    c->pos = 0;
    c->len = len;
}

/* Next chunk as [*off, *off + *n). False once the stream is exhausted. */
static inline bool fz_chunk_next(fz_chunker *c, size_t *off, size_t *n)
{
    if (c->pos >= c->len)
        return false;
    size_t want = c->n_sizes ? c->sizes[c->i++ % c->n_sizes] : c->len - c->pos;
    if (want > c->len - c->pos)
        want = c->len - c->pos;
    *off = c->pos;
    *n = want;
    c->pos += want;
    return true;
}

#endif
