/*
 * Incremental, fail-fast UTF-8 validation (RFC 3629; RFC 6455 §8.1).
 *
 * The automaton below is built directly from the table of well-formed UTF-8
 * byte sequences (Unicode Standard, Table 3-7):
 *
 *   code points         1st       2nd       3rd       4th
 *   U+0000..U+007F      00..7F
 *   U+0080..U+07FF      C2..DF    80..BF
 *   U+0800..U+0FFF      E0        A0..BF    80..BF
 *   U+1000..U+CFFF      E1..EC    80..BF    80..BF
 *   U+D000..U+D7FF      ED        80..9F    80..BF
 *   U+E000..U+FFFF      EE..EF    80..BF    80..BF
 *   U+10000..U+3FFFF    F0        90..BF    80..BF    80..BF
 *   U+40000..U+FFFFF    F1..F3    80..BF    80..BF    80..BF
 *   U+100000..U+10FFFF  F4        80..8F    80..BF    80..BF
 *
 * Because the restricted second-octet ranges (E0, ED, F0, F4) are part of the
 * automaton, every ill-formed input is rejected at the first octet after which
 * no continuation could make it well-formed: "E0 80" fails at the 80, "F4 90"
 * at the 90, "C0" and "F5" at the lead octet itself.
 *
 * States (what is still expected before the next code point may start):
 *
 *   ACCEPT  between code points
 *   REJECT  input is ill-formed (absorbing)
 *   C1      one more 80..BF
 *   C2      two more 80..BF
 *   C3      three more 80..BF (after F1..F3)
 *   E0      A0..BF, then C1
 *   ED      80..9F, then C1
 *   F0      90..BF, then C2
 *   F4      80..8F, then C2
 *
 * Representation: each state is a multiple of 6 below 64, and for every input
 * octet the table holds one 64-bit word in which the 6-bit field at bit
 * position `s` is the successor of state `s`. One step is therefore
 *
 *     s = table[octet] >> s          (then & 63)
 *
 * The table load depends only on the input, not on the state, so the loop-
 * carried dependency is a single shift per octet. REJECT is absorbing, so a
 * whole block can be run without a per-octet test: only the state at the end
 * of the block is checked, and the block is rescanned octet by octet to find
 * the exact offending offset in the (rare) failing case.
 *
 * Between code points, runs of ASCII are skipped 16 (or 64) octets at a time
 * by testing the high bits with SSE2 when available, or 64-bit words
 * otherwise. No allocation; the only global is the const table.
 */
#include "wsspec/utf8.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define WS_UTF8_SSE2 1
#else
#define WS_UTF8_SSE2 0
#endif

#if !WS_UTF8_SSE2
static inline bool is_little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}
#endif

/* State numbers are bit positions of the 6-bit fields (0 must be ACCEPT). */
enum {
    S_ACCEPT = 0,
    S_REJECT = 6,
    S_C1 = 12,
    S_C2 = 18,
    S_C3 = 24,
    S_E0 = 30,
    S_ED = 36,
    S_F0 = 42,
    S_F4 = 48,
};

/* Field for "state `from` goes to `to`". */
#define FIELD(from, to) ((uint64_t)(to) << (from))

/* Row in which every state goes to REJECT. */
#define ALL_REJECT                                                                                 \
    (FIELD(S_ACCEPT, S_REJECT) | FIELD(S_REJECT, S_REJECT) | FIELD(S_C1, S_REJECT) |               \
     FIELD(S_C2, S_REJECT) | FIELD(S_C3, S_REJECT) | FIELD(S_E0, S_REJECT) |                       \
     FIELD(S_ED, S_REJECT) | FIELD(S_F0, S_REJECT) | FIELD(S_F4, S_REJECT))

/* XOR-ing EDGE into a row whose `from` field is REJECT turns it into `to`. */
#define EDGE(from, to) (FIELD(from, S_REJECT) ^ FIELD(from, to))

/* One row per octet class. */
#define ROW_ASCII   (ALL_REJECT ^ EDGE(S_ACCEPT, S_ACCEPT))
#define ROW_INVALID ALL_REJECT /* C0, C1, F5..FF: never valid anywhere */
#define ROW_CONT_80_8F                                                                             \
    (ALL_REJECT ^ EDGE(S_C1, S_ACCEPT) ^ EDGE(S_C2, S_C1) ^ EDGE(S_C3, S_C2) ^ EDGE(S_ED, S_C1) ^  \
     EDGE(S_F4, S_C2))
#define ROW_CONT_90_9F                                                                             \
    (ALL_REJECT ^ EDGE(S_C1, S_ACCEPT) ^ EDGE(S_C2, S_C1) ^ EDGE(S_C3, S_C2) ^ EDGE(S_ED, S_C1) ^  \
     EDGE(S_F0, S_C2))
#define ROW_CONT_A0_BF                                                                             \
    (ALL_REJECT ^ EDGE(S_C1, S_ACCEPT) ^ EDGE(S_C2, S_C1) ^ EDGE(S_C3, S_C2) ^ EDGE(S_E0, S_C1) ^  \
     EDGE(S_F0, S_C2))
#define ROW_LEAD2   (ALL_REJECT ^ EDGE(S_ACCEPT, S_C1)) /* C2..DF */
#define ROW_LEAD_E0 (ALL_REJECT ^ EDGE(S_ACCEPT, S_E0))
#define ROW_LEAD3   (ALL_REJECT ^ EDGE(S_ACCEPT, S_C2)) /* E1..EC, EE..EF */
#define ROW_LEAD_ED (ALL_REJECT ^ EDGE(S_ACCEPT, S_ED))
#define ROW_LEAD_F0 (ALL_REJECT ^ EDGE(S_ACCEPT, S_F0))
#define ROW_LEAD4   (ALL_REJECT ^ EDGE(S_ACCEPT, S_C3)) /* F1..F3 */
#define ROW_LEAD_F4 (ALL_REJECT ^ EDGE(S_ACCEPT, S_F4))

#define R1(x)  x
#define R2(x)  R1(x), R1(x)
#define R3(x)  R2(x), R1(x)
#define R4(x)  R2(x), R2(x)
#define R8(x)  R4(x), R4(x)
#define R16(x) R8(x), R8(x)
#define R32(x) R16(x), R16(x)
#define R64(x) R32(x), R32(x)

static const uint64_t utf8_dfa[] = {
    R64(ROW_ASCII),      R64(ROW_ASCII),  /* 00..7F */
    R16(ROW_CONT_80_8F),                  /* 80..8F */
    R16(ROW_CONT_90_9F),                  /* 90..9F */
    R32(ROW_CONT_A0_BF),                  /* A0..BF */
    R2(ROW_INVALID),                      /* C0..C1 */
    R16(ROW_LEAD2),      R8(ROW_LEAD2),   /* C2..D9 */
    R4(ROW_LEAD2),       R2(ROW_LEAD2),   /* DA..DF */
    R1(ROW_LEAD_E0),                      /* E0 */
    R8(ROW_LEAD3),       R4(ROW_LEAD3),   /* E1..EC */
    R1(ROW_LEAD_ED),                      /* ED */
    R2(ROW_LEAD3),                        /* EE..EF */
    R1(ROW_LEAD_F0),                      /* F0 */
    R3(ROW_LEAD4),                        /* F1..F3 */
    R1(ROW_LEAD_F4),                      /* F4 */
    R8(ROW_INVALID),     R3(ROW_INVALID), /* F5..FF */
};

_Static_assert(sizeof utf8_dfa / sizeof utf8_dfa[0] == 256, "one row per octet value");

/*
 * Octets run through the automaton per block before the state is checked.
 * Must stay 16: each block is also one high_bits16() ASCII test.
 */
#define BLOCK 16

static inline uint64_t step(uint64_t s, uint8_t octet)
{
    return utf8_dfa[octet] >> (s & 63);
}

/*
 * Bit k of the result is the high bit of buf[k], for k in 0..15. Reads exactly
 * 16 octets.
 */
static inline unsigned high_bits16(const uint8_t *buf)
{
#if WS_UTF8_SSE2
    return (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)buf));
#else
    /* Portable: gather the eight high bits of each word with a multiply. */
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t gather = 0x0102040810204080u;
    uint64_t w[2];
    memcpy(w, buf, sizeof w);
    unsigned lo, hi;
    if (is_little_endian()) {
        lo = (unsigned)((((w[0] >> 7) & ones) * gather) >> 56);
        hi = (unsigned)((((w[1] >> 7) & ones) * gather) >> 56);
    } else {
        lo = hi = 0;
        for (int k = 0; k < 8; k++) {
            lo |= (unsigned)(buf[k] >> 7) << k;
            hi |= (unsigned)(buf[8 + k] >> 7) << k;
        }
    }
    return lo | hi << 8;
#endif
}

/*
 * Length of the run of all-ASCII 64-octet (then 16-octet) blocks at the start
 * of buf[0..len). Stops at the first block containing a non-ASCII octet, and
 * before a tail shorter than 16 octets. Never reads past len.
 */
static size_t ascii_blocks(const uint8_t *buf, size_t len)
{
    size_t i = 0;
#if WS_UTF8_SSE2
    while (len - i >= 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(buf + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(buf + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(buf + i + 48));
        __m128i any = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
        if (_mm_movemask_epi8(any) != 0) break;
        i += 64;
    }
#else
    const uint64_t high = 0x8080808080808080u;
    while (len - i >= 64) {
        uint64_t w[8];
        memcpy(w, buf + i, sizeof w);
        if (((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) & high) != 0) break;
        i += 64;
    }
#endif
    while (len - i >= 16 && high_bits16(buf + i) == 0)
        i += 16;
    return i;
}

/* Record a failure at buffer index `at` (relative to the current feed). */
static ws_err fail_at(ws_utf8 *v, size_t at)
{
    v->error_offset = v->offset + (uint64_t)at;
    v->offset = v->error_offset; /* the octets before the offending one were accepted */
    v->state = S_REJECT;
    v->failed = true;
    return WS_ERR_UTF8_INVALID;
}

/* See utf8.h. Starts a new message: between code points, offset 0, not failed. */
void ws_utf8_init(ws_utf8 *v)
{
    v->state = S_ACCEPT;
    v->offset = 0;
    v->error_offset = 0;
    v->failed = false;
}

/*
 * See utf8.h. `buf` may be NULL when len is 0. On success v->offset grows by
 * len; on failure it stops at the offending octet (== v->error_offset).
 */
ws_err ws_utf8_feed(ws_utf8 *v, const uint8_t *buf, size_t len)
{
    if (v->failed) return WS_ERR_UTF8_INVALID;

    uint64_t s = v->state;
    size_t i = 0;

    while (len - i >= BLOCK) {
        /*
         * An all-ASCII block between code points: skip it and any ASCII run
         * after it. The high-bit test comes first and does not depend on the
         * automaton state, so in multi-byte text the branch is predictable and
         * block addresses never wait for the state. (An all-ASCII block inside
         * a sequence is an error; the automaton below finds it.)
         */
        if ((high_bits16(buf + i) | (unsigned)s) == 0) { /* one branch, not two */
            i += BLOCK;
            i += ascii_blocks(buf + i, len - i);
            continue;
        }
        const uint8_t *p = buf + i;
        uint64_t t = s;
        for (int k = 0; k < BLOCK; k += 4) { /* unrolled by hand for every compiler */
            t = step(t, p[k]);
            t = step(t, p[k + 1]);
            t = step(t, p[k + 2]);
            t = step(t, p[k + 3]);
        }
        t &= 63;
        if (t == S_REJECT) {
            /* Rescan the block to find the first octet that rejected. */
            for (size_t k = 0;; k++) {
                s = step(s, p[k]) & 63;
                if (s == S_REJECT) return fail_at(v, i + k);
            }
        }
        s = t;
        i += BLOCK;
    }
    for (; i < len; i++) {
        s = step(s, buf[i]) & 63;
        if (s == S_REJECT) return fail_at(v, i);
    }

    v->state = (uint32_t)s;
    v->offset += len;
    return WS_OK;
}

/*
 * See utf8.h. Does not reset the validator: call ws_utf8_init() before the
 * next message. A truncated sequence marks the validator failed.
 */
ws_err ws_utf8_finish(ws_utf8 *v)
{
    if (v->failed) return WS_ERR_UTF8_INVALID;
    if (v->state != S_ACCEPT) return fail_at(v, 0);
    return WS_OK;
}

/* See utf8.h. `buf` may be NULL when len is 0 (the empty string is valid). */
bool ws_utf8_is_valid(const uint8_t *buf, size_t len)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    if (ws_utf8_feed(&v, buf, len) != WS_OK) return false;
    return ws_utf8_finish(&v) == WS_OK;
}
