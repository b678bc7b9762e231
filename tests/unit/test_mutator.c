/* The core frame-sequence mutator: parse/serialize round trip, size bounds,
 * determinism. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsspec/frame.h"
#include "wsspec/mutator.h"

static uint8_t arena[1 << 16], arena2[1 << 16];

/* Three frames: masked text "Hello", a non-minimal 64-bit ping, an unmasked
 * binary with RSV1 and a 16-bit length, built with the core forge. */
static size_t sample(uint8_t *out, size_t cap)
{
    size_t pos = 0, n;
    uint8_t big[300];
    memset(big, 0x5a, sizeof big);
    ws_frame_spec a = {.fin = true, .opcode = WS_OP_TEXT, .masked = true, .mask_key = {1, 2, 3, 4}};
    cr_assert_eq(ws_frame_write(&a, (const uint8_t *)"Hello", 5, out, cap, &n), WS_OK);
    pos += n;
    ws_frame_spec b = {.fin = true, .opcode = WS_OP_PING, .masked = true, .len_form = WS_LEN_64};
    cr_assert_eq(ws_frame_write(&b, (const uint8_t *)"p", 1, out + pos, cap - pos, &n), WS_OK);
    pos += n;
    ws_frame_spec c = {.fin = false, .rsv = WS_RSV1, .opcode = WS_OP_BINARY};
    cr_assert_eq(ws_frame_write(&c, big, sizeof big, out + pos, cap - pos, &n), WS_OK);
    return pos + n;
}

Test(mutator, parse_serialize_round_trip)
{
    uint8_t in[1024], out[1024];
    size_t len = sample(in, sizeof in);
    ws_mut_seq s;
    ws_mut_seq_init(&s, arena, sizeof arena);
    cr_assert_eq(ws_mut_parse(&s, in, len), len);
    cr_assert_eq(s.nf, 3);
    cr_assert(s.f[0].masked && s.f[0].fin && s.f[0].opcode == WS_OP_TEXT && s.f[0].n == 5);
    cr_assert_eq(memcmp(arena + s.f[0].off, "Hello", 5), 0, "payloads are kept unmasked");
    cr_assert_eq(s.f[1].form, 64);
    cr_assert(!s.f[2].fin && s.f[2].rsv == WS_RSV1 && s.f[2].form == 16 && s.f[2].n == 300);
    cr_assert_eq(ws_mut_size(&s), len);
    cr_assert_eq(ws_mut_serialize(&s, out, sizeof out), len);
    cr_assert_eq(memcmp(in, out, len), 0, "byte-for-byte round trip");
}

Test(mutator, truncated_last_frame_stays_short)
{
    uint8_t in[1024], out[1024];
    size_t len = sample(in, sizeof in) - 100;
    ws_mut_seq s;
    ws_mut_seq_init(&s, arena, sizeof arena);
    cr_assert_eq(ws_mut_parse(&s, in, len), len);
    cr_assert_eq(s.f[2].len, 300);
    cr_assert_eq(s.f[2].n, 200);
    cr_assert_eq(ws_mut_serialize(&s, out, sizeof out), len);
    cr_assert_eq(memcmp(in, out, len), 0);
}

static size_t run(uint64_t seed, uint8_t *out, size_t max, int rounds)
{
    uint8_t in[1024];
    size_t len = sample(in, sizeof in);
    ws_mut_seq s;
    ws_mut_seq_init(&s, arena, sizeof arena);
    ws_mut_parse(&s, in, len);
    ws_rng r;
    ws_rng_seed(&r, seed);
    ws_mut_ctx ctx = {.rng = &r};
    for (int i = 0; i < rounds; i++) {
        if (s.used > s.cap / 2) { /* compact, as live fuzzing does */
            ws_mut_seq t;
            ws_mut_seq_init(&t, arena2, sizeof arena2);
            cr_assert(ws_mut_seq_copy(&t, &s));
            memcpy(arena, arena2, t.used);
            t.arena = arena;
            t.cap = sizeof arena;
            s = t;
        }
        ws_mut_seq_mutate(&s, &ctx);
        cr_assert_leq(s.nf, WS_MUT_MAX_FRAMES);
        cr_assert_leq(s.used, s.cap);
    }
    return ws_mut_serialize(&s, out, max);
}

Test(mutator, stays_within_max_size)
{
    uint8_t out[4096];
    for (uint64_t seed = 1; seed <= 200; seed++) {
        memset(out, 0xee, sizeof out);
        size_t n = run(seed, out, 512, 20);
        cr_assert_leq(n, 512, "seed %llu wrote %zu > 512", (unsigned long long)seed, n);
        cr_assert_eq(out[512], 0xee, "seed %llu wrote past max", (unsigned long long)seed);
    }
}

Test(mutator, deterministic_given_a_seed)
{
    static uint8_t a[1 << 17], b[1 << 17];
    for (uint64_t seed = 1; seed <= 50; seed++) {
        size_t na = run(seed, a, sizeof a, 10);
        size_t nb = run(seed, b, sizeof b, 10);
        cr_assert_eq(na, nb);
        cr_assert_eq(memcmp(a, b, na), 0, "seed %llu", (unsigned long long)seed);
    }
    size_t n1 = run(1, a, sizeof a, 10), n2 = run(2, b, sizeof b, 10);
    cr_assert(n1 != n2 || memcmp(a, b, n1) != 0, "different seeds, different sessions");
}

Test(mutator, rng_below_is_in_range)
{
    ws_rng r;
    ws_rng_seed(&r, 0);
    cr_assert_neq(r.s, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_lt(ws_rng_below(&r, 7), 7);
    cr_assert_eq(ws_rng_below(&r, 0), 0);
}
