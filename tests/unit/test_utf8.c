/*
 * Unit tests for the incremental fail-fast UTF-8 validator (wsspec/utf8.h).
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wsspec/utf8.h"

#define NO_ERROR UINT64_MAX

/* One verdict: valid, or invalid with the offset of the offending octet. */
typedef struct {
    bool valid;
    uint64_t off; /* NO_ERROR when valid */
} verdict;

typedef struct {
    const char *hex; /* octets, space separated */
    bool valid;
    uint64_t off; /* expected error offset (NO_ERROR when valid) */
    const char *what;
} u8case;

#define OK(hex, what)                                                                              \
    {                                                                                              \
        hex, true, NO_ERROR, what                                                                  \
    }
#define BAD(hex, off, what)                                                                        \
    {                                                                                              \
        hex, false, off, what                                                                      \
    }

static const u8case cases[] = {
    /* Valid, including Markus Kuhn's boundary cases. */
    OK("", "empty"),
    OK("00", "U+0000"),
    OK("41", "A"),
    OK("7F", "U+007F last 1-byte"),
    OK("C2 80", "U+0080 first 2-byte"),
    OK("DF BF", "U+07FF last 2-byte"),
    OK("E0 A0 80", "U+0800 first 3-byte"),
    OK("E1 80 80", "U+1000"),
    OK("EC BF BF", "U+CFFF"),
    OK("ED 80 80", "U+D000"),
    OK("ED 9F BF", "U+D7FF last before surrogates"),
    OK("EE 80 80", "U+E000 first after surrogates"),
    OK("EF BF BD", "U+FFFD"),
    OK("EF BF BE", "U+FFFE non-character"),
    OK("EF BF BF", "U+FFFF non-character, last 3-byte"),
    OK("EF B7 90", "U+FDD0 non-character"),
    OK("F0 90 80 80", "U+10000 first 4-byte"),
    OK("F0 9F BF BF", "U+1FFFF non-character"),
    OK("F0 BF BF BF", "U+3FFFF"),
    OK("F1 80 80 80", "U+40000"),
    OK("F3 BF BF BF", "U+FFFFF"),
    OK("F4 80 80 80", "U+100000"),
    OK("F4 8F BF BE", "U+10FFFE non-character"),
    OK("F4 8F BF BF", "U+10FFFF last code point"),
    OK("48 65 6C 6C 6F 2D C2 B5 40 C3 9F C3 B6 C3 A4 C3 BC C3 A0 C3 A1 2D 55 54 46 2D 38 21 21",
       "Hello-µ@ßöäüàá-UTF-8!!"),
    OK("CE BA E1 BD B9 CF 83 CE BC CE B5", "kosme (Kuhn 1)"),
    OK("E2 82 AC", "euro sign"),
    OK("F0 9F 98 80", "emoji"),
    OK("41 C2 A9 E2 82 AC F0 9F 98 80 7A", "1-2-3-4-1 byte mix"),
    OK("F4 8F BF BF F0 90 80 80 EF BF BF", "maximal sequences back to back"),

    /* Overlong 2-byte forms: C0 and C1 can never start a valid sequence. */
    BAD("C0 80", 0, "overlong U+0000 (2-byte)"),
    BAD("C0 AF", 0, "overlong '/' (2-byte)"),
    BAD("C1 BF", 0, "overlong U+007F (2-byte)"),
    BAD("C0", 0, "lone C0"),
    BAD("C1", 0, "lone C1"),
    BAD("41 C1 81", 1, "overlong 'A' after ASCII"),
    /* Overlong 3-byte forms: E0 must be followed by A0..BF. */
    BAD("E0 80 AF", 1, "overlong '/' (3-byte)"),
    BAD("E0 80 80", 1, "overlong U+0000 (3-byte)"),
    BAD("E0 9F BF", 1, "overlong U+07FF (3-byte)"),
    BAD("E0 9F", 1, "overlong prefix E0 9F fails before end"),
    /* Overlong 4-byte forms: F0 must be followed by 90..BF. */
    BAD("F0 80 80 AF", 1, "overlong '/' (4-byte)"),
    BAD("F0 80 80 80", 1, "overlong U+0000 (4-byte)"),
    BAD("F0 8F BF BF", 1, "overlong U+FFFF (4-byte)"),
    BAD("F0 80", 1, "overlong prefix F0 80"),
    /* 5- and 6-byte forms (no longer UTF-8). */
    BAD("F8 88 80 80 80", 0, "5-byte sequence"),
    BAD("FC 84 80 80 80 80", 0, "6-byte sequence"),
    BAD("FC 80 80 80 80 AF", 0, "overlong '/' (6-byte)"),
    /* Surrogates U+D800..U+DFFF: ED must be followed by 80..9F. */
    BAD("ED A0 80", 1, "U+D800"),
    BAD("ED AD BF", 1, "U+DB7F"),
    BAD("ED AE 80", 1, "U+DB80"),
    BAD("ED AF BF", 1, "U+DBFF"),
    BAD("ED B0 80", 1, "U+DC00"),
    BAD("ED BE 80", 1, "U+DF80"),
    BAD("ED BF BF", 1, "U+DFFF"),
    BAD("ED A0 80 ED B0 80", 1, "surrogate pair U+D800 U+DC00"),
    BAD("ED AF BF ED BF BF", 1, "surrogate pair U+DBFF U+DFFF"),
    BAD("41 ED A0 80", 2, "surrogate after ASCII"),
    BAD("ED A0", 1, "surrogate prefix fails before end"),
    /* Above U+10FFFF. */
    BAD("F4 90 80 80", 1, "U+110000"),
    BAD("F4 90", 1, "F4 90 fails at the 90"),
    BAD("F4 BF BF BF", 1, "U+13FFFF"),
    BAD("F5 80 80 80", 0, "F5 lead"),
    BAD("F7 BF BF BF", 0, "U+1FFFFF"),
    BAD("F5", 0, "lone F5"),
    BAD("F8", 0, "lone F8"),
    BAD("FB", 0, "lone FB"),
    BAD("FE", 0, "lone FE"),
    BAD("FF", 0, "lone FF"),
    BAD("FE FF", 0, "UTF-16 BE BOM"),
    BAD("FF FE", 0, "UTF-16 LE BOM"),
    BAD("41 42 43 FF", 3, "FF after ASCII"),
    /* Unexpected continuation octets. */
    BAD("80", 0, "lone 80"),
    BAD("BF", 0, "lone BF"),
    BAD("80 BF", 0, "two continuations"),
    BAD("41 80", 1, "continuation after ASCII"),
    BAD("C2 80 80", 2, "extra continuation after 2-byte"),
    BAD("E2 82 AC 80", 3, "extra continuation after 3-byte"),
    BAD("F0 9F 98 80 BF", 4, "extra continuation after 4-byte"),
    BAD("CE BA E1 BD B9 CF 83 CE BC CE B5 80", 11, "continuation after kosme"),
    /* Missing continuation: ASCII or a new lead where a continuation was due. */
    BAD("C2 41", 1, "2-byte cut by ASCII"),
    BAD("C2 00", 1, "2-byte cut by NUL"),
    BAD("C2 C2 80", 1, "2-byte cut by new lead"),
    BAD("E2 41", 1, "3-byte cut after 1"),
    BAD("E2 82 41", 2, "3-byte cut after 2"),
    BAD("E2 82 E2 82 AC", 2, "3-byte cut by new 3-byte"),
    BAD("F0 9F 41", 2, "4-byte cut after 2"),
    BAD("F0 9F 98 41", 3, "4-byte cut after 3"),
    BAD("F1 80 80 F1", 3, "4-byte cut by new lead"),
    BAD("F4 8F BF C0", 3, "4-byte cut by C0"),
    BAD("C2 20", 1, "Kuhn 3.2.1: C2 followed by space"),
    BAD("E0 20", 1, "Kuhn 3.2.2: E0 followed by space"),
    BAD("F0 20", 1, "Kuhn 3.2.3: F0 followed by space"),
    BAD("DF E0 A0 80", 1, "2-byte lead then 3-byte sequence"),
    /* Truncated at the end: reported by finish() with offset = length. */
    BAD("C2", 1, "truncated 2-byte"),
    BAD("DF", 1, "truncated 2-byte DF"),
    BAD("E2", 1, "truncated 3-byte after 1"),
    BAD("E2 82", 2, "truncated 3-byte after 2"),
    BAD("E0 A0", 2, "truncated U+0800"),
    BAD("ED 9F", 2, "truncated U+D7FF"),
    BAD("F0", 1, "truncated 4-byte after 1"),
    BAD("F0 9F", 2, "truncated 4-byte after 2"),
    BAD("F0 9F 98", 3, "truncated 4-byte after 3"),
    BAD("F4 8F BF", 3, "truncated U+10FFFF"),
    BAD("41 42 E0 A0", 4, "truncated after ASCII"),
    BAD("CE BA E1 BD B9 CF 83 CE BC CE", 10, "kosme truncated"),
    /* Errors after valid multi-byte text. */
    BAD("CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80", 12, "surrogate after kosme"),
    BAD("F4 8F BF BF F4 90 80 80", 5, "U+110000 after U+10FFFF"),
};

#define NCASES (sizeof cases / sizeof cases[0])

/* ---- helpers ------------------------------------------------------------ */

static size_t parse_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const char *p = hex;
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        int used;
        cr_assert(sscanf(p, "%2x%n", &v, &used) == 1 && used == 2, "bad hex in \"%s\"", hex);
        cr_assert(n < cap, "hex too long");
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

/* Feed buf split at the given cut points (ascending, each <= len), then finish. */
static verdict run_cuts(const uint8_t *buf, size_t len, const size_t *cuts, size_t ncuts)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    size_t pos = 0;
    ws_err e = WS_OK;
    for (size_t c = 0; c <= ncuts && e == WS_OK; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        e = ws_utf8_feed(&v, buf + pos, end - pos);
        if (e == WS_OK) cr_assert_eq(v.offset, end, "offset must count accepted octets");
        pos = end;
    }
    if (e == WS_OK) e = ws_utf8_finish(&v);
    verdict r;
    if (e == WS_OK) {
        cr_assert(!v.failed);
        cr_assert_eq(v.state, 0u, "state must be 0 between code points");
        r.valid = true;
        r.off = NO_ERROR;
    } else {
        cr_assert_eq(e, WS_ERR_UTF8_INVALID);
        cr_assert(v.failed);
        r.valid = false;
        r.off = v.error_offset;
        /* Sticky: every later call fails the same way. */
        uint8_t a = 'a';
        cr_assert_eq(ws_utf8_feed(&v, &a, 1), WS_ERR_UTF8_INVALID);
        cr_assert_eq(ws_utf8_feed(&v, NULL, 0), WS_ERR_UTF8_INVALID);
        cr_assert_eq(ws_utf8_finish(&v), WS_ERR_UTF8_INVALID);
        cr_assert_eq(v.error_offset, r.off, "error offset changed after failure");
    }
    return r;
}

static verdict run_whole(const uint8_t *buf, size_t len)
{
    return run_cuts(buf, len, NULL, 0);
}

static verdict run_bytewise(const uint8_t *buf, size_t len)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    ws_err e = WS_OK;
    for (size_t i = 0; i < len && e == WS_OK; i++)
        e = ws_utf8_feed(&v, buf + i, 1);
    if (e == WS_OK) e = ws_utf8_finish(&v);
    verdict r = {e == WS_OK, e == WS_OK ? NO_ERROR : v.error_offset};
    return r;
}

static void expect_verdict(verdict got, bool valid, uint64_t off, const char *what,
                           const char *mode)
{
    cr_assert_eq(got.valid, valid, "%s [%s]: expected %s", what, mode, valid ? "valid" : "invalid");
    if (!valid)
        cr_assert_eq(got.off, off, "%s [%s]: error offset %llu, expected %llu", what, mode,
                     (unsigned long long)got.off, (unsigned long long)off);
}

/* Every way of feeding must give the same verdict. */
static void expect_all_feeds(const uint8_t *buf, size_t len, bool valid, uint64_t off,
                             const char *what)
{
    expect_verdict(run_whole(buf, len), valid, off, what, "whole");
    expect_verdict(run_bytewise(buf, len), valid, off, what, "bytewise");
    for (size_t k = 0; k <= len; k++) {
        char mode[32];
        snprintf(mode, sizeof mode, "split at %zu", k);
        expect_verdict(run_cuts(buf, len, &k, 1), valid, off, what, mode);
    }
    cr_assert_eq(ws_utf8_is_valid(buf, len), valid, "%s [is_valid]", what);
}

/*
 * Obviously-correct reference, independent of the automaton: decode each
 * sequence from its lead octet; after every octet, compute the interval of
 * code points still reachable by completing the sequence and fail as soon as
 * that interval holds no scalar value of the sequence's length.
 */
static verdict reference(const uint8_t *b, size_t n)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t max_cp[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
    size_t i = 0;
    while (i < n) {
        uint8_t c = b[i];
        size_t need;
        uint32_t val;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC0 && c <= 0xDF) {
            need = 2;
            val = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            val = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF7) {
            need = 4;
            val = c & 0x07;
        } else {
            return (verdict){false, i}; /* continuation or F8..FF as a lead */
        }
        for (size_t m = 1;; m++) { /* m = octets of this sequence seen so far */
            unsigned rem_bits = 6u * (unsigned)(need - m);
            uint64_t lo = (uint64_t)val << rem_bits;
            uint64_t hi = lo | (((uint64_t)1 << rem_bits) - 1);
            bool reachable =
                hi >= min_cp[need] && lo <= max_cp[need] && !(lo >= 0xD800 && hi <= 0xDFFF);
            if (!reachable) return (verdict){false, i + m - 1};
            if (m == need) break;
            if (i + m >= n) return (verdict){false, n}; /* truncated */
            uint8_t cb = b[i + m];
            if ((cb & 0xC0) != 0x80) return (verdict){false, i + m};
            val = val << 6 | (cb & 0x3Fu);
        }
        i += need;
    }
    return (verdict){true, NO_ERROR};
}

static size_t encode(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Deterministic xorshift64*. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* ---- the table, fed every way ------------------------------------------ */

Test(utf8, table_reference_agrees)
{
    /* The test's own reference must agree with the hand-written table. */
    for (size_t c = 0; c < NCASES; c++) {
        uint8_t buf[64];
        size_t n = parse_hex(cases[c].hex, buf, sizeof buf);
        expect_verdict(reference(buf, n), cases[c].valid, cases[c].off, cases[c].what, "reference");
    }
}

Test(utf8, table_all_feeds)
{
    for (size_t c = 0; c < NCASES; c++) {
        uint8_t buf[64];
        size_t n = parse_hex(cases[c].hex, buf, sizeof buf);
        expect_all_feeds(buf, n, cases[c].valid, cases[c].off, cases[c].what);
    }
}

Test(utf8, table_three_feeds)
{
    for (size_t c = 0; c < NCASES; c++) {
        uint8_t buf[64];
        size_t n = parse_hex(cases[c].hex, buf, sizeof buf);
        for (size_t a = 0; a <= n; a++)
            for (size_t b = a; b <= n; b++) {
                size_t cuts[2] = {a, b};
                expect_verdict(run_cuts(buf, n, cuts, 2), cases[c].valid, cases[c].off,
                               cases[c].what, "three feeds");
            }
    }
}

Test(utf8, table_after_long_prefix)
{
    /* Same cases behind 1..100 ASCII octets: offsets shift, verdicts do not. */
    for (size_t c = 0; c < NCASES; c++) {
        uint8_t buf[256];
        for (size_t pre = 1; pre <= 100; pre++) {
            memset(buf, 'x', pre);
            size_t n = pre + parse_hex(cases[c].hex, buf + pre, sizeof buf - pre);
            uint64_t off = cases[c].valid ? NO_ERROR : cases[c].off + pre;
            expect_verdict(run_whole(buf, n), cases[c].valid, off, cases[c].what, "prefixed");
            /* Prefix in its own feed, then the case. */
            expect_verdict(run_cuts(buf, n, &pre, 1), cases[c].valid, off, cases[c].what,
                           "prefixed, split");
        }
    }
}

/* ---- single octets, whole code point space ------------------------------ */

Test(utf8, every_single_octet)
{
    for (unsigned b = 0; b < 256; b++) {
        uint8_t x = (uint8_t)b;
        verdict r = run_whole(&x, 1);
        if (b < 0x80) {
            cr_assert(r.valid, "%02X", b);
        } else if (b >= 0xC2 && b <= 0xF4) {
            cr_assert(!r.valid && r.off == 1, "%02X must be a truncated lead", b);
        } else {
            cr_assert(!r.valid && r.off == 0, "%02X must fail at once", b);
        }
    }
}

Test(utf8, every_scalar_value)
{
    /* All of U+0000..U+10FFFF except surrogates, in one stream and singly. */
    static uint8_t stream[4 * 0x110000];
    size_t n = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        uint8_t one[4];
        size_t k = encode(cp, one);
        cr_assert(ws_utf8_is_valid(one, k), "U+%04X rejected", (unsigned)cp);
        memcpy(stream + n, one, k);
        n += k;
    }
    cr_assert(ws_utf8_is_valid(stream, n));
    expect_verdict(run_cuts(stream, n, (size_t[]){7, 1000, 100001}, 3), true, NO_ERROR,
                   "all scalar values", "cuts");
}

Test(utf8, surrogates_and_out_of_range)
{
    for (uint32_t cp = 0xD800; cp <= 0xDFFF; cp++) {
        uint8_t b[4];
        size_t k = encode(cp, b);
        expect_verdict(run_whole(b, k), false, 1, "surrogate", "whole");
    }
    /* 4-byte forms of U+110000..U+1FFFFF: F4 90+ fails at 1, F5..F7 at 0. */
    for (uint32_t cp = 0x110000; cp <= 0x1FFFFF; cp += 0x3F) {
        uint8_t b[4];
        size_t k = encode(cp, b);
        expect_verdict(run_whole(b, k), false, b[0] == 0xF4 ? 1 : 0, "above U+10FFFF", "whole");
    }
}

Test(utf8, every_overlong_form)
{
    uint8_t b[4];
    for (uint32_t cp = 0; cp < 0x80; cp++) { /* 2-byte overlongs: C0/C1 fail at 0 */
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        expect_verdict(run_whole(b, 2), false, 0, "overlong 2-byte", "whole");
    }
    for (uint32_t cp = 0; cp < 0x800; cp++) { /* 3-byte overlongs: E0 80..9F fail at 1 */
        b[0] = 0xE0;
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        expect_verdict(run_whole(b, 3), false, 1, "overlong 3-byte", "whole");
    }
    for (uint32_t cp = 0; cp < 0x10000; cp++) { /* 4-byte overlongs: F0 80..8F fail at 1 */
        b[0] = 0xF0;
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        expect_verdict(run_whole(b, 4), false, 1, "overlong 4-byte", "whole");
    }
}

Test(utf8, exhaustive_short_inputs_vs_reference)
{
    /* Every 2-octet input, and every 3-octet input that starts with a lead. */
    uint8_t b[3];
    for (unsigned x = 0; x < 0x10000; x++) {
        b[0] = (uint8_t)(x >> 8);
        b[1] = (uint8_t)x;
        verdict want = reference(b, 2);
        verdict got = run_bytewise(b, 2);
        cr_assert(got.valid == want.valid && got.off == want.off, "%02X %02X", b[0], b[1]);
        cr_assert_eq(ws_utf8_is_valid(b, 2), want.valid);
    }
    for (unsigned x = 0xC00000; x < 0x1000000; x++) {
        b[0] = (uint8_t)(x >> 16);
        b[1] = (uint8_t)(x >> 8);
        b[2] = (uint8_t)x;
        verdict want = reference(b, 3);
        ws_utf8 v;
        ws_utf8_init(&v);
        ws_err e = ws_utf8_feed(&v, b, 3);
        if (e == WS_OK) e = ws_utf8_finish(&v);
        cr_assert(want.valid == (e == WS_OK), "%02X %02X %02X", b[0], b[1], b[2]);
        if (!want.valid)
            cr_assert(v.error_offset == want.off, "%02X %02X %02X: offset %llu, want %llu", b[0],
                      b[1], b[2], (unsigned long long)v.error_offset, (unsigned long long)want.off);
    }
}

/* ---- state and offsets --------------------------------------------------- */

Test(utf8, state_and_offset_fields)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    cr_assert_eq(v.state, 0u);
    cr_assert_eq(v.offset, 0u);
    cr_assert(!v.failed);
    const uint8_t euro[] = {0xE2, 0x82, 0xAC};
    cr_assert_eq(ws_utf8_feed(&v, euro, 1), WS_OK);
    cr_assert_neq(v.state, 0u, "mid-sequence state must not be 0");
    cr_assert_eq(ws_utf8_feed(&v, euro + 1, 2), WS_OK);
    cr_assert_eq(v.state, 0u);
    cr_assert_eq(v.offset, 3u);
    cr_assert_eq(ws_utf8_feed(&v, NULL, 0), WS_OK, "empty feed with NULL is allowed");
    cr_assert_eq(ws_utf8_finish(&v), WS_OK);
    cr_assert(ws_utf8_is_valid(NULL, 0));
}

Test(utf8, finish_reports_truncation_at_total_length)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    uint8_t text[40];
    memset(text, 'a', sizeof text);
    cr_assert_eq(ws_utf8_feed(&v, text, 37), WS_OK);
    const uint8_t part[] = {0xF0, 0x9F, 0x98};
    cr_assert_eq(ws_utf8_feed(&v, part, 3), WS_OK, "incomplete is not an error before finish");
    cr_assert_eq(ws_utf8_finish(&v), WS_ERR_UTF8_INVALID);
    cr_assert_eq(v.error_offset, 40u);
    cr_assert(v.failed);
}

Test(utf8, error_offset_is_absolute_across_feeds)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    uint8_t a[100];
    memset(a, 'a', sizeof a);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(ws_utf8_feed(&v, a, sizeof a), WS_OK);
    const uint8_t bad[] = {'x', 'y', 0xED, 0xA0, 0x80};
    cr_assert_eq(ws_utf8_feed(&v, bad, sizeof bad), WS_ERR_UTF8_INVALID);
    cr_assert_eq(v.error_offset, 1003u);
}

/* ---- long inputs and the fast path --------------------------------------- */

Test(utf8, long_ascii_then_error_every_alignment)
{
    static const struct {
        const char *hex;
        uint64_t off; /* relative to the end of the ASCII run */
    } tails[] = {
        {"E2 82 AC FF", 3},    {"C3 A9 E2 82 AC 80", 5}, {"41 42 43 ED A0 80", 4},
        {"F4 90 80 80", 1},    {"E0 80 AF", 1},          {"C0 AF", 0},
        {"F0 9F 98", 3},       {"F0 9F 98 41", 3},       {"80", 0},
        {"C2 80 C2 80 C2", 5},
    };
    uint8_t *mem = malloc(4096);
    cr_assert_not_null(mem);
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        for (size_t align = 0; align < 64; align++) {
            for (size_t run = 990; run <= 1010; run++) {
                uint8_t *p = mem + align;
                memset(p, 'a' + (int)(run % 26), run);
                size_t n = run + parse_hex(tails[t].hex, p + run, 64);
                uint64_t want = run + tails[t].off;
                expect_verdict(run_whole(p, n), false, want, tails[t].hex, "long");
                verdict r = reference(p, n);
                cr_assert(!r.valid && r.off == want);
            }
            /* The exact example: 1000 ASCII, then "E2 82 AC", then FF at 1003. */
            if (t == 0) {
                uint8_t *p = mem + align;
                memset(p, 'q', 1000);
                p[1000] = 0xE2, p[1001] = 0x82, p[1002] = 0xAC, p[1003] = 0xFF;
                size_t cut = 500 + align;
                expect_verdict(run_cuts(p, 1004, &cut, 1), false, 1003, "1000+euro+FF", "split");
            }
        }
    }
    free(mem);
}

Test(utf8, error_at_every_position_of_long_text)
{
    /* Mixed text of 300 octets; put an invalid octet at each code point start. */
    uint8_t text[400];
    size_t n = 0, starts[400], ns = 0;
    static const uint32_t cps[] = {'a', 0xE9, 0x20AC, 0x1F600, 'b', 'c', 0x416, 0x4E2D, ' '};
    for (size_t k = 0; n < 300; k++) {
        starts[ns++] = n;
        n += encode(cps[(k * 7) % 9], text + n);
    }
    uint8_t *mem = malloc(n + 128);
    cr_assert_not_null(mem);
    for (size_t align = 0; align < 64; align += 1) {
        uint8_t *p = mem + align;
        memcpy(p, text, n);
        expect_verdict(run_whole(p, n), true, NO_ERROR, "long mixed", "whole");
        for (size_t s = 0; s < ns; s += 3) {
            memcpy(p, text, n);
            p[starts[s]] = 0xFF;
            expect_verdict(run_whole(p, n), false, starts[s], "FF injected", "whole");
            memcpy(p, text, n);
            p[starts[s]] = 0x80; /* stray continuation */
            expect_verdict(run_whole(p, n), false, starts[s], "80 injected", "whole");
        }
    }
    free(mem);
}

Test(utf8, long_valid_every_length_and_alignment)
{
    uint8_t *mem = malloc(1024 + 64);
    cr_assert_not_null(mem);
    for (size_t align = 0; align < 64; align++) {
        uint8_t *p = mem + align;
        for (size_t len = 0; len <= 300; len++) {
            memset(p, 'z', len);
            cr_assert(ws_utf8_is_valid(p, len), "ascii len %zu align %zu", len, align);
            if (len >= 2) { /* a 2-byte character straddling every block edge */
                p[len - 2] = 0xC3, p[len - 1] = 0xA9;
                cr_assert(ws_utf8_is_valid(p, len));
                p[len - 1] = 'z';
                expect_verdict(run_whole(p, len), false, len - 1, "C3 then ASCII", "whole");
            }
        }
    }
    free(mem);
}

Test(utf8, partial_sequence_then_ascii_run)
{
    /*
     * A lead (plus some continuations) ending at every position, then a long
     * ASCII run: the first ASCII octet is the error, even when the run covers
     * whole fast-path blocks.
     */
    static const char *partials[] = {"C3", "E2", "E2 82", "F0", "F0 9F", "F0 9F 98", "ED", "F4 8F"};
    uint8_t buf[256];
    for (size_t k = 0; k < sizeof partials / sizeof partials[0]; k++) {
        for (size_t pos = 0; pos < 80; pos++) {
            memset(buf, 'a', pos);
            size_t n = pos + parse_hex(partials[k], buf + pos, 8);
            uint64_t want = n;
            memset(buf + n, 'b', 100);
            n += 100;
            expect_verdict(run_whole(buf, n), false, want, partials[k], "then ASCII");
            size_t cut = (size_t)want; /* ASCII run in its own feed */
            expect_verdict(run_cuts(buf, n, &cut, 1), false, want, partials[k],
                           "then ASCII, split");
        }
    }
}

/* ---- guard pages: no read outside the buffer ----------------------------- */

static uint8_t *guarded_page(long page)
{
    /* [PROT_NONE][data page][PROT_NONE] */
    uint8_t *m =
        mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(m != MAP_FAILED);
    cr_assert_eq(mprotect(m, (size_t)page, PROT_NONE), 0);
    cr_assert_eq(mprotect(m + 2 * page, (size_t)page, PROT_NONE), 0);
    return m + page;
}

static void release_guarded(uint8_t *data, long page)
{
    munmap(data - page, (size_t)page * 3);
}

Test(utf8, guard_page_no_overread)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *data = guarded_page(page);
    uint8_t *end = data + page;

    for (size_t c = 0; c < NCASES; c++) {
        uint8_t tmp[64];
        size_t n = parse_hex(cases[c].hex, tmp, sizeof tmp);
        /* At the very end of the page... */
        memcpy(end - n, tmp, n);
        expect_all_feeds(end - n, n, cases[c].valid, cases[c].off, cases[c].what);
        /* ...at the very start... */
        memcpy(data, tmp, n);
        expect_all_feeds(data, n, cases[c].valid, cases[c].off, cases[c].what);
        /* ...and behind a long ASCII run that ends at the page end. */
        for (size_t pre = 1; pre <= 80; pre++) {
            memset(end - n - pre, 'k', pre);
            memcpy(end - n, tmp, n);
            uint64_t off = cases[c].valid ? NO_ERROR : cases[c].off + pre;
            expect_verdict(run_whole(end - n - pre, n + pre), cases[c].valid, off, cases[c].what,
                           "guarded, prefixed");
        }
    }
    /* Every length up to 300 (several fast-path strides), flush with either edge. */
    for (size_t len = 0; len <= 300; len++) {
        memset(end - len, 'w', len);
        cr_assert(ws_utf8_is_valid(end - len, len));
        memset(data, 'w', len);
        cr_assert(ws_utf8_is_valid(data, len));
    }
    memset(data, 'w', (size_t)page);
    cr_assert(ws_utf8_is_valid(data, (size_t)page));
    release_guarded(data, page);
}

/* ---- differential test against the reference ----------------------------- */

static size_t random_input(uint8_t *buf, size_t cap)
{
    static const uint8_t interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                          0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                          0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
    size_t len = (size_t)(rnd() % cap);
    if (rnd() % 4 == 0) len = (size_t)(rnd() % 16);
    size_t n = 0;
    int mostly_valid = rnd() % 2 == 0;
    while (n < len) {
        unsigned r = (unsigned)(rnd() % 100);
        if (mostly_valid && r < 90) {
            /* A valid code point, drawn per length class. */
            uint32_t cp;
            switch (rnd() % 4) {
            case 0:
                cp = (uint32_t)(rnd() % 0x80);
                break;
            case 1:
                cp = 0x80 + (uint32_t)(rnd() % 0x780);
                break;
            case 2:
                cp = 0x800 + (uint32_t)(rnd() % 0xF800);
                if (cp >= 0xD800 && cp <= 0xDFFF) cp -= 0x800;
                break;
            default:
                cp = 0x10000 + (uint32_t)(rnd() % 0x100000);
                break;
            }
            uint8_t t[4];
            size_t k = encode(cp, t);
            for (size_t j = 0; j < k && n < len; j++)
                buf[n++] = t[j];
        } else if (r < 60) {
            buf[n++] = interesting[rnd() % sizeof interesting];
        } else if (r < 85) {
            buf[n++] = (uint8_t)(0x80 | (rnd() & 0x7F)); /* any high octet */
        } else if (r < 95) {
            buf[n++] = (uint8_t)(0x80 | (rnd() & 0x3F)); /* continuation */
        } else {
            size_t run = (size_t)(rnd() % 80); /* an ASCII run for the fast path */
            for (size_t j = 0; j < run && n < len; j++)
                buf[n++] = (uint8_t)(0x20 + rnd() % 0x5F);
        }
    }
    return n;
}

Test(utf8, differential_random_vs_reference)
{
    rng_state = 0x9E3779B97F4A7C15u;
    uint8_t buf[512];
    size_t nvalid = 0, ninvalid = 0;
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = random_input(buf, sizeof buf);
        /* Occasionally make it valid by truncating before the first error. */
        verdict want = reference(buf, n);
        if (!want.valid && rnd() % 3 == 0) {
            n = (size_t)want.off;
            want = reference(buf, n);
            if (!want.valid) { /* truncated sequence at the cut: drop it */
                while (n > 0 && (buf[n - 1] & 0xC0) == 0x80)
                    n--;
                if (n > 0 && buf[n - 1] >= 0xC0) n--;
                want = reference(buf, n);
            }
        }
        want.valid ? nvalid++ : ninvalid++;
        char what[64];
        snprintf(what, sizeof what, "random input #%d (len %zu)", iter, n);
        expect_verdict(run_whole(buf, n), want.valid, want.off, what, "whole");
        expect_verdict(run_bytewise(buf, n), want.valid, want.off, what, "bytewise");
        size_t cuts[3];
        for (int k = 0; k < 3; k++)
            cuts[k] = n ? (size_t)(rnd() % (n + 1)) : 0;
        /* sort the cuts */
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                if (cuts[b] < cuts[a]) {
                    size_t t = cuts[a];
                    cuts[a] = cuts[b];
                    cuts[b] = t;
                }
        expect_verdict(run_cuts(buf, n, cuts, 3), want.valid, want.off, what, "random cuts");
        cr_assert_eq(ws_utf8_is_valid(buf, n), want.valid, "%s [is_valid]", what);
    }
    cr_assert_gt(nvalid, 500u, "generator must produce valid inputs too");
    cr_assert_gt(ninvalid, 500u);
}
