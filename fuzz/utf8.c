/*
 * Fuzz target: the UTF-8 validator (ws_utf8_*), differential.
 *
 * Input: the chunked format of fuzz_common.h (flags unused). The stream is
 * judged by a slow reference decoder written from RFC 3629 §4 (the set of
 * scalar values each sequence length may encode), independently of the
 * table-driven automaton in src/core/utf8.c. Checked:
 *  - same verdict and same failing offset, fed whole, in the fuzzer's
 *    chunks, and one octet at a time; ws_utf8_is_valid agrees;
 *  - fail-fast: the failing offset is the first octet after which no
 *    continuation could make the input valid; a truncated last sequence is
 *    reported by ws_utf8_finish at offset == length;
 *  - after a failure every call fails with the same offset.
 */
#include "fuzz_common.h"
#include "wsspec/utf8.h"

/* Could the j octets s[0..j) (j <= n) start a valid n-octet sequence? */
static bool completable(const uint8_t *s, size_t j, size_t n)
{
    static const uint32_t lo_of[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t hi_of[5] = {0, 0x7f, 0x7ff, 0xffff, 0x10ffff};
    uint32_t v = s[0] & (0x7fu >> n); /* payload bits of the lead octet */
    for (size_t k = 1; k < j; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return false;
        v = v << 6 | (s[k] & 0x3fu);
    }
    /* The missing continuation octets range over 0x00..0x3f each. */
    uint32_t lo = v, hi = v;
    for (size_t k = j; k < n; k++) {
        lo = lo << 6;
        hi = hi << 6 | 0x3f;
    }
    if (lo < lo_of[n])
        lo = lo_of[n];
    if (hi > hi_of[n])
        hi = hi_of[n];
    if (lo > hi)
        return false;
    /* Some value in [lo, hi] must lie outside the surrogates D800-DFFF. */
    return lo < 0xd800 || hi > 0xdfff;
}

/* The offset of the first octet that makes the input invalid, or len; sets
 * *truncated if the input ends inside a sequence that could still be valid. */
static size_t reference(const uint8_t *s, size_t len, bool *truncated)
{
    *truncated = false;
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        size_t n = b < 0x80                ? 1
                   : b >= 0xc0 && b < 0xe0 ? 2
                   : b >= 0xe0 && b < 0xf0 ? 3
                   : b >= 0xf0 && b < 0xf8 ? 4
                                           : 0;
        if (n == 0)
            return i;
        if (n == 1) {
            i++;
            continue;
        }
        for (size_t j = 1; j <= n; j++) {
            if (i + j > len) {
                *truncated = true;
                return len;
            }
            if (!completable(s + i, j, n))
                return i + j - 1;
        }
        i += n;
    }
    return len;
}

static void run(const fz_input *in, const uint8_t *sizes, size_t n_sizes, size_t expect, bool trunc)
{
    ws_utf8 v;
    ws_utf8_init(&v);
    fz_chunker ck;
    fz_chunker_init(&ck, sizes, n_sizes, in->len);
    size_t off, n;
    ws_err e = WS_OK;
    while (e == WS_OK && fz_chunk_next(&ck, &off, &n)) {
        uint64_t before = v.offset;
        e = ws_utf8_feed(&v, in->stream + off, n);
        FZ_CHECK(e == WS_OK || e == WS_ERR_UTF8_INVALID);
        if (e == WS_OK)
            FZ_CHECK(v.offset == before + n && !v.failed);
    }
    bool at_end = e == WS_OK;
    if (at_end)
        e = ws_utf8_finish(&v);
    bool valid = expect == in->len && !trunc;
    FZ_CHECK((e == WS_OK) == valid);
    if (valid)
        return;
    FZ_CHECK(v.failed && v.error_offset == expect && v.offset == expect);
    FZ_CHECK(at_end == (expect == in->len)); /* fail-fast: not deferred to finish */
    FZ_CHECK(ws_utf8_feed(&v, in->stream, in->len) == WS_ERR_UTF8_INVALID);
    FZ_CHECK(ws_utf8_finish(&v) == WS_ERR_UTF8_INVALID && v.error_offset == expect);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (!fz_split(data, size, &in))
        return 0;
    bool trunc;
    size_t expect = reference(in.stream, in.len, &trunc);
    static const uint8_t one = 1;
    run(&in, NULL, 0, expect, trunc);
    run(&in, in.sizes, in.n_sizes, expect, trunc);
    run(&in, &one, 1, expect, trunc);
    FZ_CHECK(ws_utf8_is_valid(in.stream, in.len) == (expect == in.len && !trunc));
    return 0;
}
