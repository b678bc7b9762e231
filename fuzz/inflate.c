/*
 * Fuzz target: the permessage-deflate decompressor (ws_inflate_feed, RFC 7692
 * §7.2.2) with its size limit, and the compressor (ws_deflate_feed) by round
 * trip.
 *
 * Input: the chunked format of fuzz_common.h. Flags: bits 0-2 window bits
 * 8..15, bit 3 no_context_takeover, bit 4 allow_unterminated, bits 5-6
 * max_output (64 KiB, 16 KiB, 1000, 1), bit 7 several messages (then each
 * message is a length octet and up to that many octets of payload; else the
 * stream is one message). Checked, beyond crashes:
 *  - only WS_OK, WS_ERR_MESSAGE_TOO_LARGE or WS_INFLATE_ERR_DATA (with
 *    data_error) come back, and errors are sticky;
 *  - the octets passed to out() never exceed max_output in a message, come
 *    in pieces of at most 16 KiB, and are exactly max_output when the limit
 *    error is returned;
 *  - the limit error iff the message inflates to more than max_output: an
 *    inflater with a higher limit is the reference (same output within the
 *    limit, the same first max_output octets beyond);
 *  - fed whole and in the fuzzer's chunks: the same verdict and output.
 *    These comparisons use 15-bit windows (the smaller windows' "too far
 *    back" checks depend on zlib's call structure, deflate.h); with the
 *    input's window every message not rejected as data must give the same
 *    result as with 15 bits;
 *  - round trip: the stream compressed with ws_deflate_message (one message,
 *    or one per chunk) with the same window and context mode inflates back
 *    to itself, in at most ws_deflate_bound() octets (also for 8-bit
 *    windows, which zlib's compressor does not support natively).
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/deflate.h"

#define REF_EXTRA 65536 /* the reference inflater's limit is max + this */

typedef struct {
    uint64_t n, max, prefix_at; /* octets so far; limit (0: none); where to take prefix */
    uint64_t h, prefix;         /* FNV-1a of the output, and of its first prefix_at octets */
} sink;

typedef struct {
    ws_err e;
    uint64_t n, h, prefix;
} msg_rec;

typedef struct {
    msg_rec m[FZ_MAX_STREAM + 1];
    size_t nm;
} run_log;

static run_log logs[5]; /* whole, chunked at 15 bits and the reference; at the input's bits */

#if defined(__clang__) && __clang_major__ >= 13
__attribute__((no_sanitize("coverage"))) /* a plain hash: no coverage to gain */
#endif
static uint64_t
fnv(uint64_t h, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 0x100000001b3u;
    return h;
}

static ws_err to_sink(void *ctx, const uint8_t *d, size_t len)
{
    sink *s = ctx;
    FZ_CHECK(len > 0 && len <= 16384);
    FZ_CHECK(!s->max || len <= s->max - s->n);
    size_t k = 0;
    if (s->prefix_at >= s->n && s->prefix_at - s->n <= len) {
        k = (size_t)(s->prefix_at - s->n);
        s->prefix = s->h = fnv(s->h, d, k);
    }
    s->h = fnv(s->h, d + k, len - k);
    s->n += len;
    return WS_OK;
}

/* Next message of the stream: [*off, *off + *n). */
static bool next_msg(const fz_input *in, size_t *pos, size_t *off, size_t *n)
{
    if (!(in->flags & 128)) {
        *off = 0, *n = in->len;
        return (*pos)++ == 0;
    }
    if (*pos >= in->len)
        return false;
    size_t want = in->stream[(*pos)++];
    *off = *pos;
    *n = want < in->len - *pos ? want : in->len - *pos;
    *pos += *n;
    return true;
}

static void run(const fz_input *in, int bits, uint64_t max, uint64_t prefix_at, bool chunked,
                run_log *log)
{
    ws_inflater inf;
    FZ_CHECK(ws_inflate_init(&inf, bits, in->flags & 8, max, NULL) == WS_OK);
    inf.allow_unterminated = (in->flags & 16) != 0;
    log->nm = 0;
    size_t pos = 0, off, n;
    while (next_msg(in, &pos, &off, &n)) {
        sink s = {.max = max, .prefix_at = prefix_at, .h = 0xcbf29ce484222325u};
        const uint8_t *p = in->stream + off;
        ws_err e = WS_OK;
        if (chunked) {
            fz_chunker ck;
            fz_chunker_init(&ck, in->sizes, in->n_sizes, n);
            size_t co, cn;
            while (e == WS_OK && fz_chunk_next(&ck, &co, &cn))
                e = ws_inflate_feed(&inf, p + co, cn, false, to_sink, &s);
            if (e == WS_OK)
                e = ws_inflate_feed(&inf, NULL, 0, true, to_sink, &s);
        } else {
            e = ws_inflate_feed(&inf, p, n, true, to_sink, &s);
        }
        FZ_CHECK(e == WS_OK || e == WS_ERR_MESSAGE_TOO_LARGE || e == WS_INFLATE_ERR_DATA);
        FZ_CHECK(inf.data_error == (e == WS_INFLATE_ERR_DATA));
        FZ_CHECK(e != WS_ERR_MESSAGE_TOO_LARGE || s.n == max);
        log->m[log->nm++] = (msg_rec){e, s.n, s.h, s.prefix};
        if (e != WS_OK) {
            FZ_CHECK(ws_inflate_feed(&inf, p, n, true, to_sink, &s) == e); /* sticky */
            break;
        }
    }
    ws_inflate_end(&inf);
}

static void round_trip(const fz_input *in)
{
    int bits = 8 + (in->flags & 7);
    bool nct = in->flags & 8;
    ws_deflater d;
    ws_inflater inf;
    FZ_CHECK(ws_deflate_init(&d, bits, nct, NULL) == WS_OK);
    FZ_CHECK(ws_inflate_init(&inf, bits, nct, 0, NULL) == WS_OK);
    uint8_t *z = malloc(ws_deflate_bound(in->len)), *back = malloc(in->len + 1);
    FZ_CHECK(z && back);
    fz_chunker ck;
    fz_chunker_init(&ck, in->sizes, in->n_sizes, in->len);
    size_t off = 0, n = 0, zn, bn;
    bool more = in->len == 0 || fz_chunk_next(&ck, &off, &n); /* an empty stream: one message */
    for (; more; more = fz_chunk_next(&ck, &off, &n)) {
        const uint8_t *p = in->stream + off;
        FZ_CHECK(ws_deflate_message(&d, p, n, z, ws_deflate_bound(n), &zn) == WS_OK);
        FZ_CHECK(zn > 0 && zn <= ws_deflate_bound(n));
        FZ_CHECK(ws_inflate_feed_buf(&inf, z, zn, true, back, n, &bn) == WS_OK);
        FZ_CHECK(bn == n && (n == 0 || memcmp(back, p, n) == 0));
    }
    free(z);
    free(back);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
}

/* A window of w < 15 bits accepts a subset of what 15 bits accept, with the
 * same output (its extra "too far back" checks depend on the call structure,
 * see deflate.h, so only 15-bit runs are compared with each other). */
static void subset(const run_log *w, const run_log *full)
{
    FZ_CHECK(w->nm <= full->nm);
    for (size_t i = 0; i < w->nm; i++) {
        const msg_rec *x = &w->m[i], *y = &full->m[i];
        if (x->e != WS_INFLATE_ERR_DATA)
            FZ_CHECK(y->e == x->e && y->n == x->n && y->h == x->h);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (!fz_split(data, size, &in))
        return 0;
    static const uint64_t limits[4] = {65536, 16384, 1000, 1};
    uint64_t max = limits[(in.flags >> 5) & 3];
    int bits = 8 + (in.flags & 7);
    const run_log *a = &logs[0], *b = &logs[1], *r = &logs[2];
    run(&in, 15, max, UINT64_MAX, false, &logs[0]);
    run(&in, 15, max, UINT64_MAX, true, &logs[1]);
    run(&in, 15, max + REF_EXTRA, max, false, &logs[2]);
    if (bits < 15) {
        run(&in, bits, max, UINT64_MAX, false, &logs[3]);
        run(&in, bits, max, UINT64_MAX, true, &logs[4]);
        subset(&logs[3], a);
        subset(&logs[4], b);
    }
    FZ_CHECK(a->nm == b->nm && a->nm <= r->nm); /* the reference may go on past a limit */
    for (size_t i = 0; i < a->nm; i++) {
        const msg_rec *x = &a->m[i], *y = &b->m[i], *ref = &r->m[i];
        FZ_CHECK(x->e == y->e);
        if (x->e != WS_INFLATE_ERR_DATA)
            FZ_CHECK(x->n == y->n && x->h == y->h);
        if (ref->e == WS_OK && ref->n <= max)
            FZ_CHECK(x->e == WS_OK && x->n == ref->n && x->h == ref->h);
        else if (ref->e != WS_INFLATE_ERR_DATA || ref->n > max + 1)
            FZ_CHECK(x->e == WS_ERR_MESSAGE_TOO_LARGE && x->h == ref->prefix);
        else
            FZ_CHECK(x->e != WS_OK);
    }
    round_trip(&in);
    return 0;
}
