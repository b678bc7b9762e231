/*
 * Structure-aware mutation of WebSocket frame sequences, shared by the
 * in-process frame fuzz target (fuzz/frame_mutator.c) and live fuzzing
 * (src/livefuzz/).
 *
 * A sequence is parsed leniently (any header is accepted, a short last
 * payload stays short), its frames are mutated field by field - FIN, RSV,
 * opcode, mask bit and key, 7/16/64-bit length forms (non-minimal and
 * MSB-set included), lying lengths, payload octets, fragmentation,
 * interleaved control frames, order - and it is written back.
 *
 * No I/O, no allocation, no global state: payloads live in a caller-provided
 * arena and randomness comes from a caller-owned ws_rng, so a seed fixes the
 * result.
 */
#ifndef WSSPEC_MUTATOR_H
#define WSSPEC_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xorshift64 state; never 0. */
typedef struct {
    uint64_t s;
} ws_rng;

void ws_rng_seed(ws_rng *r, uint64_t seed);
uint64_t ws_rng_next(ws_rng *r);
/* A value in [0, n); 0 when n == 0. */
uint64_t ws_rng_below(ws_rng *r, uint64_t n);

#define WS_MUT_MAX_FRAMES 64

typedef struct {
    bool fin;
    uint8_t rsv;    /* 3 bits */
    uint8_t opcode; /* 4 bits */
    bool masked;
    uint8_t key[4];
    uint8_t form; /* 7, 16 or 64: the length encoding written */
    uint64_t len; /* the declared length (may differ from n: a lie) */
    size_t off;   /* unmasked payload: arena[off .. off + n) */
    size_t n;
} ws_mut_frame;

typedef struct {
    ws_mut_frame f[WS_MUT_MAX_FRAMES];
    size_t nf;
    uint8_t *arena; /* caller memory; payloads are appended, never moved */
    size_t used, cap;
} ws_mut_seq;

/* Octets mutator for payloads: change data[0..size) in place within max
 * octets and return the new size. */
typedef size_t (*ws_mut_bytes_fn)(void *ctx, uint8_t *data, size_t size, size_t max);

typedef struct {
    ws_rng *rng;
    ws_mut_bytes_fn bytes; /* NULL: ws_mut_bytes_default with rng as ctx */
    void *bytes_ctx;
    size_t max_payload; /* payload octets a mutation may grow a frame to; 0: 256 more */
} ws_mut_ctx;

void ws_mut_seq_init(ws_mut_seq *s, uint8_t *arena, size_t cap);

/* Append a frame whose payload (n unmasked octets) is copied into the arena.
 * False when the arena or the frame table is full. */
bool ws_mut_seq_add(ws_mut_seq *s, const ws_mut_frame *tmpl, const uint8_t *payload, size_t n);

/* Parse d[0..n) leniently into s (frames beyond WS_MUT_MAX_FRAMES or the
 * arena are dropped). Returns the octets consumed. */
size_t ws_mut_parse(ws_mut_seq *s, const uint8_t *d, size_t n);

/* Octets ws_mut_serialize writes for the whole sequence. */
size_t ws_mut_size(const ws_mut_seq *s);

/* Write the sequence (masking each payload with its key) into out; frames
 * that do not fit in max are left out. Returns the octets written. */
size_t ws_mut_serialize(const ws_mut_seq *s, uint8_t *out, size_t max);

/* Mutate frame i in one way chosen by the rng. */
void ws_mut_frame_mutate(ws_mut_seq *s, size_t i, const ws_mut_ctx *ctx);

/* One to three mutations of the sequence: frame fields, order, duplicates,
 * drops, fragmentation, inserted control frames. */
void ws_mut_seq_mutate(ws_mut_seq *s, const ws_mut_ctx *ctx);

/* Byte-level mutation: flip, set, insert or delete a few octets. ctx is a ws_rng. */
size_t ws_mut_bytes_default(void *ctx, uint8_t *data, size_t size, size_t max);

/* Copy s into d (a different arena), keeping only live payload octets. */
bool ws_mut_seq_copy(ws_mut_seq *d, const ws_mut_seq *s);

#endif
