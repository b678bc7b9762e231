/*
 * Unit tests for src/core/deflate.c: the RFC 7692 §7.2.3 examples, round
 * trips over window sizes, context takeover and arbitrary chunk splits,
 * decompression bombs, corrupt data, broken window/context promises and
 * every failing allocation.
 */
#include <criterion/criterion.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsspec/deflate.h"

/* ---- helpers ---------------------------------------------------------------- */

/* A growing byte vector, filled by the output callbacks. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
    size_t calls;
    size_t max_chunk;
} vec;

static ws_err vec_out(void *ctx, const uint8_t *p, size_t n)
{
    vec *v = ctx;
    cr_assert(n > 0, "empty output chunk");
    if (v->len + n > v->cap) {
        v->cap = (v->len + n) * 2;
        v->data = realloc(v->data, v->cap);
        cr_assert_not_null(v->data);
    }
    memcpy(v->data + v->len, p, n);
    v->len += n;
    v->calls++;
    if (n > v->max_chunk)
        v->max_chunk = n;
    return WS_OK;
}

static void vec_free(vec *v)
{
    free(v->data);
    memset(v, 0, sizeof *v);
}

/* Counting allocator that can fail its Nth allocation and tracks live bytes. */
typedef struct {
    long fail_at; /* 0 = never */
    long count;
    long live;
    size_t bytes, peak;
} fail_alloc;

static void *fa_malloc(void *ctx, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->count == f->fail_at)
        return NULL;
    max_align_t *p = malloc(sizeof(max_align_t) + n);
    if (!p)
        return NULL;
    *(size_t *)(void *)p = n;
    f->live++;
    f->bytes += n;
    if (f->bytes > f->peak)
        f->peak = f->bytes;
    return p + 1;
}

static void fa_free(void *ctx, void *ptr)
{
    fail_alloc *f = ctx;
    if (!ptr)
        return;
    max_align_t *p = (max_align_t *)ptr - 1;
    f->live--;
    f->bytes -= *(size_t *)(void *)p;
    free(p);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rnd() >> 32);
}

/* Compressible text with repeats at every distance up to a few KiB. */
static void fill_text(uint8_t *p, size_t n)
{
    static const char *words[] = {"the ",    "WebSocket ", "protocol ", "frame ",     "deflate ",
                                  "window ", "message ",   "context ",  "takeover ",  "server ",
                                  "client ", "RFC 7692 ",  "\n",        "0123456789 "};
    size_t i = 0;
    while (i < n) {
        const char *w = words[rnd() % (sizeof words / sizeof words[0])];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (uint8_t)w[k];
    }
}

static const uint8_t *bytes(const char *s)
{
    return (const uint8_t *)s;
}

/* Compress one whole message. */
static void compress_msg(ws_deflater *d, const uint8_t *in, size_t len, vec *out)
{
    out->len = 0;
    ws_err e = ws_deflate_feed(d, in, len, true, vec_out, out);
    cr_assert_eq(e, WS_OK, "deflate: %s", ws_err_name(e));
}

/* Inflate one message fed in random pieces (some empty). */
static ws_err inflate_split(ws_inflater *inf, const uint8_t *in, size_t len, vec *out)
{
    out->len = 0;
    size_t pos = 0;
    for (;;) {
        size_t n = len - pos;
        uint64_t r = rnd();
        if ((r & 3) != 0 && n > 0)
            n = (size_t)((r >> 8) % (n + 1));
        bool end = pos + n == len && (r & 16);
        ws_err e = ws_inflate_feed(inf, in + pos, n, end, vec_out, out);
        if (e != WS_OK)
            return e;
        pos += n;
        if (end)
            return WS_OK;
    }
}

static void expect_bytes(const vec *v, const uint8_t *want, size_t n)
{
    cr_assert_eq(v->len, n, "length %zu, want %zu", v->len, n);
    cr_assert(n == 0 || memcmp(v->data, want, n) == 0, "content differs");
}

/* Inflate one message given as hex-free byte array in one piece. */
static ws_err inflate_once(ws_inflater *inf, const uint8_t *in, size_t len, vec *out)
{
    out->len = 0;
    return ws_inflate_feed(inf, in, len, true, vec_out, out);
}

/* ---- RFC 7692 §7.2.3 examples ------------------------------------------------ */

static const uint8_t hello_nct[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
static const uint8_t hello_again[] = {0xf2, 0x00, 0x11, 0x00, 0x00};

Test(rfc7692, hello_no_context_takeover)
{
    ws_deflater d;
    vec v = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, true, NULL), WS_OK);
    for (int i = 0; i < 3; i++) {
        compress_msg(&d, bytes("Hello"), 5, &v);
        expect_bytes(&v, hello_nct, sizeof hello_nct);
    }
    ws_deflate_end(&d);
    vec_free(&v);
}

Test(rfc7692, hello_shared_window)
{
    ws_deflater d;
    ws_inflater inf;
    vec v = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    compress_msg(&d, bytes("Hello"), 5, &v);
    expect_bytes(&v, hello_nct, sizeof hello_nct);
    cr_assert_eq(inflate_once(&inf, v.data, v.len, &out), WS_OK);
    expect_bytes(&out, bytes("Hello"), 5);
    compress_msg(&d, bytes("Hello"), 5, &v);
    expect_bytes(&v, hello_again, sizeof hello_again);
    cr_assert_lt(v.len, sizeof hello_nct);
    cr_assert_eq(inflate_once(&inf, v.data, v.len, &out), WS_OK);
    expect_bytes(&out, bytes("Hello"), 5);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    vec_free(&v);
    vec_free(&out);
}

Test(rfc7692, fragmented_and_stored)
{
    ws_inflater inf;
    vec out = {0};
    cr_assert_eq(ws_inflate_init(&inf, 15, true, 0, NULL), WS_OK);
    /* §7.2.3.1: the payload split over two frames */
    cr_assert_eq(ws_inflate_feed(&inf, hello_nct, 3, false, vec_out, &out), WS_OK);
    cr_assert_eq(ws_inflate_feed(&inf, hello_nct + 3, 4, true, vec_out, &out), WS_OK);
    expect_bytes(&out, bytes("Hello"), 5);
    /* §7.2.3.3: a block with no compression */
    static const uint8_t stored[] = {0x00, 0x05, 0x00, 0xfa, 0xff, 0x48,
                                     0x65, 0x6c, 0x6c, 0x6f, 0x00};
    cr_assert_eq(inflate_once(&inf, stored, sizeof stored, &out), WS_OK);
    expect_bytes(&out, bytes("Hello"), 5);
    ws_inflate_end(&inf);
    vec_free(&out);
}

Test(rfc7692, bfinal_block)
{
    /* §7.2.3.4: "Hello" in a final block, then the 0x00 starting an empty
     * stored block that the appended tail completes. */
    static const uint8_t fin[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    ws_inflater inf;
    vec out = {0};
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_assert_eq(inflate_once(&inf, fin, sizeof fin, &out), WS_OK, "%s", ws_inflate_detail(&inf));
    expect_bytes(&out, bytes("Hello"), 5);
    cr_expect_eq(inf.final_blocks, 1);
    /* the window survives the final block: §7.2.3.2's second message */
    cr_assert_eq(inflate_once(&inf, hello_again, sizeof hello_again, &out), WS_OK, "%s",
                 ws_inflate_detail(&inf));
    expect_bytes(&out, bytes("Hello"), 5);
    ws_inflate_end(&inf);

    /* without the 0x00, the message does not end on a block boundary */
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_expect_eq(inflate_once(&inf, fin, 7, &out), WS_INFLATE_ERR_DATA);
    cr_expect(inf.data_error);
    ws_inflate_end(&inf);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    inf.allow_unterminated = true;
    cr_expect_eq(inflate_once(&inf, fin, 7, &out), WS_OK);
    expect_bytes(&out, bytes("Hello"), 5);
    ws_inflate_end(&inf);
    vec_free(&out);
}

Test(rfc7692, empty_message)
{
    ws_deflater d;
    ws_inflater inf;
    vec v = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    compress_msg(&d, NULL, 0, &v);
    static const uint8_t zero[] = {0x00};
    expect_bytes(&v, zero, 1);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_assert_eq(inflate_once(&inf, zero, 1, &out), WS_OK);
    cr_expect_eq(out.len, 0);
    /* a zero-length compressed payload is not DEFLATE data */
    cr_expect_eq(inflate_once(&inf, NULL, 0, &out), WS_INFLATE_ERR_DATA);
    ws_inflate_end(&inf);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    inf.allow_unterminated = true;
    cr_expect_eq(inflate_once(&inf, NULL, 0, &out), WS_OK);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&v);
    vec_free(&out);
}

/* ---- round trips --------------------------------------------------------------- */

/* Send `count` messages of the given sizes through one deflater/inflater
 * pair, each inflated in random pieces, and compare. */
static void round_trip(int bits, bool nct, const size_t *sizes, size_t count, bool text)
{
    ws_deflater d;
    ws_inflater inf;
    vec c = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, bits, nct, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, bits, nct, 0, NULL), WS_OK);
    for (size_t i = 0; i < count; i++) {
        size_t n = sizes[i];
        uint8_t *msg = malloc(n ? n : 1);
        cr_assert_not_null(msg);
        if (text)
            fill_text(msg, n);
        else
            fill_random(msg, n);
        compress_msg(&d, msg, n, &c);
        cr_assert_leq(c.len, ws_deflate_bound(n), "bits %d size %zu", bits, n);
        cr_assert_leq(c.max_chunk, 16384);
        ws_err e = inflate_split(&inf, c.data, c.len, &out);
        cr_assert_eq(e, WS_OK, "bits %d nct %d size %zu: %s %s", bits, nct, n, ws_err_name(e),
                     ws_inflate_detail(&inf));
        expect_bytes(&out, msg, n);
        free(msg);
    }
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    vec_free(&c);
    vec_free(&out);
}

Test(round_trip, all_windows_small_and_medium)
{
    static const size_t sizes[] = {0,    1,    2,     5,     100,   255,   256, 257,
                                   1000, 4096, 16383, 16384, 16385, 40000, 0,   3};
    for (int bits = 8; bits <= 15; bits++)
        for (int nct = 0; nct < 2; nct++)
            for (int text = 0; text < 2; text++)
                round_trip(bits, nct, sizes, sizeof sizes / sizeof sizes[0], text);
}

Test(round_trip, one_mebibyte, .timeout = 120)
{
    static const size_t sizes[] = {1u << 20, 12345, 1u << 20};
    static const int windows[] = {8, 9, 12, 15};
    for (size_t w = 0; w < 4; w++)
        for (int nct = 0; nct < 2; nct++)
            for (int text = 0; text < 2; text++)
                round_trip(windows[w], nct, sizes, 3, text);
}

/* Compressing a message fed in pieces gives a payload that inflates back. */
Test(round_trip, streamed_compression)
{
    ws_deflater d;
    ws_inflater inf;
    vec c = {0}, out = {0};
    size_t n = 300000;
    uint8_t *msg = malloc(n);
    fill_text(msg, n);
    cr_assert_eq(ws_deflate_init(&d, 11, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 11, false, 0, NULL), WS_OK);
    for (int round = 0; round < 3; round++) {
        c.len = 0;
        size_t pos = 0;
        while (pos < n) {
            size_t k = (size_t)(rnd() % 70000);
            if (k > n - pos)
                k = n - pos;
            cr_assert_eq(ws_deflate_feed(&d, msg + pos, k, false, vec_out, &c), WS_OK);
            pos += k;
        }
        cr_assert_eq(ws_deflate_feed(&d, NULL, 0, true, vec_out, &c), WS_OK);
        cr_assert_eq(inflate_split(&inf, c.data, c.len, &out), WS_OK);
        expect_bytes(&out, msg, n);
    }
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    vec_free(&c);
    vec_free(&out);
    free(msg);
}

Test(round_trip, buffer_api)
{
    ws_deflater d;
    ws_inflater inf;
    uint8_t msg[5000], comp[6000], back[5000];
    size_t clen = 0, blen = 0;
    fill_text(msg, sizeof msg);
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_assert_eq(ws_deflate_message(&d, msg, sizeof msg, comp, sizeof comp, &clen), WS_OK);
    cr_assert_eq(ws_inflate_feed_buf(&inf, comp, clen, true, back, sizeof back, &blen), WS_OK);
    cr_assert_eq(blen, sizeof msg);
    cr_assert_eq(memcmp(back, msg, blen), 0);
    /* too small: sticky errors */
    cr_assert_eq(ws_deflate_message(&d, msg, sizeof msg, comp, 10, &clen), WS_ERR_BUFFER_TOO_SMALL);
    cr_assert_eq(ws_deflate_message(&d, msg, 1, comp, sizeof comp, &clen), WS_ERR_BUFFER_TOO_SMALL);
    ws_deflate_end(&d);
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_deflate_message(&d, msg, sizeof msg, comp, sizeof comp, &clen), WS_OK);
    ws_inflate_end(&inf);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_assert_eq(ws_inflate_feed_buf(&inf, comp, clen, true, back, 100, &blen),
                 WS_ERR_BUFFER_TOO_SMALL);
    cr_expect_not(inf.data_error);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
}

/* Inflate raw DEFLATE (plus the 00 00 ff ff tail) producing one octet per
 * zlib call: zlib then checks every distance against the real window, which
 * it does not do when a distance reaches into the current output buffer. */
static int strict_inflate(const uint8_t *in, size_t len, int bits, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    cr_assert_eq(inflateInit2(&zs, -bits), Z_OK);
    uint8_t *buf = malloc(len + 4);
    memcpy(buf, in, len);
    memcpy(buf + len, "\x00\x00\xff\xff", 4);
    zs.next_in = buf;
    zs.avail_in = (uInt)(len + 4);
    int rc = Z_OK;
    *out_len = 0;
    while (rc == Z_OK) {
        uint8_t one;
        zs.next_out = &one;
        zs.avail_out = 1;
        rc = inflate(&zs, Z_SYNC_FLUSH);
        *out_len += 1 - zs.avail_out;
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out == 1)
            break;
    }
    inflateEnd(&zs);
    free(buf);
    return rc == Z_BUF_ERROR ? Z_OK : rc;
}

/* zlib cannot deflate with an 8-bit raw window and uses 9; its output must
 * still fit a strict 8-bit decoder. A 15-bit stream with distance 300 must
 * not (this checks the strict decoder). */
Test(round_trip, window_8_is_really_8)
{
    uint8_t msg[4000];
    fill_random(msg, 300);
    for (size_t i = 300; i < sizeof msg; i++)
        msg[i] = msg[i - 300];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uint8_t comp[8000];
    zs.next_in = msg;
    zs.avail_in = sizeof msg;
    zs.next_out = comp;
    zs.avail_out = sizeof comp;
    cr_assert_eq(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
    size_t clen = sizeof comp - zs.avail_out - 4, n;
    deflateEnd(&zs);
    cr_expect_eq(strict_inflate(comp, clen, 8, &n), Z_DATA_ERROR);
    cr_expect_eq(strict_inflate(comp, clen, 15, &n), Z_OK);
    cr_expect_eq(n, sizeof msg);

    for (size_t i = 300; i < sizeof msg; i++)
        msg[i] = i % 7 ? msg[i - 200] : msg[i - 300]; /* distances 200 and 300 */
    ws_deflater d;
    vec c = {0};
    cr_assert_eq(ws_deflate_init(&d, 8, true, NULL), WS_OK);
    for (int i = 0; i < 3; i++) {
        if (i == 2)
            fill_text(msg, sizeof msg);
        compress_msg(&d, msg, sizeof msg, &c);
        cr_expect_lt(c.len, sizeof msg / 2, "no matches used: %zu", c.len);
        cr_expect_eq(strict_inflate(c.data, c.len, 8, &n), Z_OK);
        cr_expect_eq(n, sizeof msg);
    }
    ws_deflate_end(&d);
    vec_free(&c);
    size_t sizes[] = {sizeof msg};
    round_trip(8, false, sizes, 1, false);
    round_trip(8, true, sizes, 1, true);
}

/* ---- limits, bombs and bad data ---------------------------------------------- */

Test(limits, bomb_stops_at_max_output)
{
    size_t n = 1u << 20;
    uint8_t *zeros = calloc(1, n);
    ws_deflater d;
    vec c = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, true, NULL), WS_OK);
    cr_assert_eq(ws_deflate_set_level(&d, 9), WS_OK); /* a bomb compresses hard */
    compress_msg(&d, zeros, n, &c);
    cr_assert_lt(c.len, 2048, "1 MiB of zeros compressed to %zu", c.len);
    fail_alloc fa = {0};
    ws_allocator a = {fa_malloc, fa_free, &fa};
    ws_inflater inf;
    cr_assert_eq(ws_inflate_init(&inf, 15, true, 65536, &a), WS_OK);
    ws_err e = inflate_split(&inf, c.data, c.len, &out);
    cr_assert_eq(e, WS_ERR_MESSAGE_TOO_LARGE);
    cr_expect_eq(out.len, 65536);
    cr_expect_eq(inf.message_out, 65536);
    cr_expect_not(inf.data_error);
    cr_expect_leq(fa.peak, 48 * 1024, "peak %zu", fa.peak);
    /* sticky */
    cr_expect_eq(ws_inflate_feed(&inf, c.data, 1, true, vec_out, &out), WS_ERR_MESSAGE_TOO_LARGE);
    ws_inflate_end(&inf);
    cr_expect_eq(fa.live, 0);
    ws_deflate_end(&d);
    vec_free(&c);
    vec_free(&out);
    free(zeros);
}

/* 256 MiB of zeros in a ~250 KiB payload stops after 1 MiB, fast. */
Test(limits, big_bomb, .timeout = 60)
{
    size_t n = 1u << 20;
    uint8_t *zeros = calloc(1, n);
    ws_deflater d;
    vec c = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, true, NULL), WS_OK);
    for (int i = 0; i < 256; i++)
        cr_assert_eq(ws_deflate_feed(&d, zeros, n, i == 255, vec_out, &c), WS_OK);
    ws_inflater inf;
    cr_assert_eq(ws_inflate_init(&inf, 15, true, n, NULL), WS_OK);
    cr_assert_eq(ws_inflate_feed(&inf, c.data, c.len, true, vec_out, &out),
                 WS_ERR_MESSAGE_TOO_LARGE);
    cr_expect_eq(out.len, n);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&c);
    vec_free(&out);
    free(zeros);
}

Test(limits, exact_boundary_and_per_message)
{
    uint8_t msg[1000];
    fill_text(msg, sizeof msg);
    ws_deflater d;
    vec c = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, true, NULL), WS_OK);
    compress_msg(&d, msg, sizeof msg, &c);
    ws_inflater inf;
    cr_assert_eq(ws_inflate_init(&inf, 15, true, sizeof msg, NULL), WS_OK);
    for (int i = 0; i < 3; i++) { /* the limit is per message */
        cr_assert_eq(inflate_split(&inf, c.data, c.len, &out), WS_OK);
        expect_bytes(&out, msg, sizeof msg);
    }
    ws_inflate_end(&inf);
    cr_assert_eq(ws_inflate_init(&inf, 15, true, sizeof msg - 1, NULL), WS_OK);
    cr_assert_eq(inflate_split(&inf, c.data, c.len, &out), WS_ERR_MESSAGE_TOO_LARGE);
    cr_expect_eq(out.len, sizeof msg - 1);
    cr_expect_eq(memcmp(out.data, msg, out.len), 0);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&c);
    vec_free(&out);
}

static void expect_bad(const uint8_t *in, size_t len, int bits, bool nct, const char *why)
{
    ws_inflater inf;
    vec out = {0};
    cr_assert_eq(ws_inflate_init(&inf, bits, nct, 0, NULL), WS_OK);
    ws_err e = inflate_once(&inf, in, len, &out);
    cr_expect_eq(e, WS_INFLATE_ERR_DATA, "%s: %s", why, ws_err_name(e));
    cr_expect(inf.data_error, "%s", why);
    cr_expect_neq(ws_inflate_detail(&inf)[0], '\0', "%s", why);
    cr_expect_eq(inflate_once(&inf, hello_nct, sizeof hello_nct, &out), e, "%s: sticky", why);
    ws_inflate_end(&inf);
    vec_free(&out);
}

Test(bad_data, corrupt_streams)
{
    static const uint8_t ff[] = {0xff, 0xff, 0xff};
    static const uint8_t reserved_btype[] = {0x06, 0x00};
    static const uint8_t bad_stored_len[] = {0x00, 0x05, 0x00, 0x00, 0x00, 'H'};
    static const uint8_t truncated[] = {0xf2, 0x48, 0xcd};
    static const uint8_t stored_truncated[] = {0x00, 0x06, 0x00, 0xf9, 0xff, 0x48};
    expect_bad(ff, sizeof ff, 15, false, "0xff");
    expect_bad(reserved_btype, sizeof reserved_btype, 15, false, "BTYPE 11");
    expect_bad(bad_stored_len, sizeof bad_stored_len, 15, false, "LEN/NLEN");
    expect_bad(truncated, sizeof truncated, 15, false, "truncated");
    expect_bad(stored_truncated, sizeof stored_truncated, 15, false, "stored truncated");
    /* the first message refers back 5 octets into nothing */
    expect_bad(hello_again, sizeof hello_again, 15, false, "distance before start");
}

Test(bad_data, noise_never_crashes)
{
    uint8_t buf[512];
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)(rnd() % sizeof buf);
        fill_random(buf, n);
        ws_inflater inf;
        vec out = {0};
        cr_assert_eq(ws_inflate_init(&inf, 8 + (int)(rnd() % 8), rnd() & 1, 100000, NULL), WS_OK);
        ws_err e = inflate_split(&inf, buf, n, &out);
        cr_assert(e == WS_OK || e == WS_INFLATE_ERR_DATA || e == WS_ERR_MESSAGE_TOO_LARGE);
        cr_assert_leq(out.len, 100000);
        ws_inflate_end(&inf);
        vec_free(&out);
    }
}

/* A peer that keeps context after promising not to, or uses a bigger
 * window than agreed, is caught. */
Test(bad_data, broken_promises)
{
    ws_deflater d;
    vec c1 = {0}, c2 = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    compress_msg(&d, bytes("Hello"), 5, &c1);
    compress_msg(&d, bytes("Hello"), 5, &c2);
    ws_inflater inf;
    cr_assert_eq(ws_inflate_init(&inf, 15, true, 0, NULL), WS_OK);
    cr_assert_eq(inflate_once(&inf, c1.data, c1.len, &out), WS_OK);
    cr_expect_eq(inflate_once(&inf, c2.data, c2.len, &out), WS_INFLATE_ERR_DATA);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);

    /* window 10 agreed, but the second message refers 2000 octets back */
    uint8_t msg[2000];
    fill_random(msg, sizeof msg);
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 10, false, 0, NULL), WS_OK);
    compress_msg(&d, msg, sizeof msg, &c1);
    cr_assert_eq(inflate_once(&inf, c1.data, c1.len, &out), WS_OK);
    compress_msg(&d, msg, sizeof msg, &c2);
    cr_expect_eq(inflate_once(&inf, c2.data, c2.len, &out), WS_INFLATE_ERR_DATA);
    cr_expect(strstr(ws_inflate_detail(&inf), "too far") != NULL, "%s", ws_inflate_detail(&inf));
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&c1);
    vec_free(&c2);
    vec_free(&out);
}

static ws_err refuse(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
    return WS_ERR_IO;
}

/* ---- compression levels ------------------------------------------------------ */

/* Level 0 writes stored blocks: the message appears verbatim after the
 * 5-octet block header (BFINAL 0, BTYPE 00, LEN, NLEN; RFC 1951 §3.2.4). */
Test(levels, level_0_writes_stored_blocks)
{
    static const char text[] = "a stored block carries the octets as they are";
    size_t n = sizeof text - 1;
    ws_deflater d;
    ws_inflater inf;
    vec c = {0}, out = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_deflate_set_level(&d, 0), WS_OK);
    for (int round = 0; round < 2; round++) {
        compress_msg(&d, bytes(text), n, &c);
        /* + the first octet of the sync flush's empty stored block, whose
         * 00 00 ff ff is the removed tail */
        cr_assert_eq(c.len, 5 + n + 1, "stored message of %zu octets: %zu", n, c.len);
        cr_expect_eq(c.data[5 + n], 0);
        cr_expect_eq(c.data[0] & 7, 0, "BFINAL=0, BTYPE=00");
        cr_expect_eq(c.data[1] | c.data[2] << 8, n, "LEN");
        cr_expect_eq((c.data[3] | c.data[4] << 8) ^ 0xffff, n, "NLEN");
        cr_expect(memcmp(c.data + 5, text, n) == 0, "verbatim payload");
    }
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_assert_eq(inflate_once(&inf, c.data, c.len, &out), WS_OK);
    expect_bytes(&out, bytes(text), n);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&c);
    vec_free(&out);
}

/* Every level round-trips, over small windows too (memLevel follows the
 * window), and a higher level is never larger on repetitive text. */
Test(levels, every_level_round_trips)
{
    size_t n = 20000;
    uint8_t *msg = malloc(n);
    static const char line[] = "{\"key\": [1, 2, 3], \"name\": \"value\"}\n";
    for (size_t i = 0; i < n; i++)
        msg[i] = (uint8_t)(line[i % (sizeof line - 1)] + (i % 97 == 0));
    static const int windows[] = {8, 9, 12, 15};
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        size_t size_at_1 = 0, size_at_9 = 0;
        for (int level = 0; level <= 9; level++) {
            ws_deflater d;
            ws_inflater inf;
            vec c = {0}, out = {0};
            cr_assert_eq(ws_deflate_init(&d, windows[w], true, NULL), WS_OK);
            cr_assert_eq(ws_deflate_set_level(&d, level), WS_OK);
            cr_assert_eq(ws_inflate_init(&inf, windows[w], true, 0, NULL), WS_OK);
            for (int m = 0; m < 3; m++) {
                compress_msg(&d, msg, n, &c);
                cr_assert_eq(inflate_split(&inf, c.data, c.len, &out), WS_OK, "window %d level %d",
                             windows[w], level);
                expect_bytes(&out, msg, n);
            }
            if (level == 0)
                cr_expect_gt(c.len, n, "level 0 does not compress");
            if (level == 1)
                size_at_1 = c.len;
            if (level == 9)
                size_at_9 = c.len;
            ws_inflate_end(&inf);
            ws_deflate_end(&d);
            vec_free(&c);
            vec_free(&out);
        }
        cr_expect_leq(size_at_9, size_at_1, "window %d: level 9 %zu, level 1 %zu", windows[w],
                      size_at_9, size_at_1);
    }
    free(msg);
}

Test(levels, bad_levels_refused)
{
    ws_deflater d;
    vec c = {0};
    cr_expect_eq(ws_deflate_set_level(NULL, 1), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_expect_eq(ws_deflate_set_level(&d, -1), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_deflate_set_level(&d, 10), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_deflate_feed(&d, bytes("half"), 4, false, vec_out, &c), WS_OK);
    cr_expect_eq(ws_deflate_set_level(&d, 5), WS_ERR_INVALID_ARG, "inside a message");
    ws_deflate_end(&d);
    cr_expect_eq(ws_deflate_set_level(&d, 5), WS_ERR_INVALID_ARG, "after end");
    vec_free(&c);
}

Test(api, callback_errors_and_arguments)
{
    ws_deflater d;
    ws_inflater inf;
    vec v = {0};
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_expect_eq(ws_deflate_feed(&d, bytes("Hello"), 5, true, refuse, NULL), WS_ERR_IO);
    cr_expect_eq(ws_deflate_feed(&d, bytes("Hello"), 5, true, vec_out, &v), WS_ERR_IO);
    ws_deflate_end(&d);
    ws_deflate_end(&d); /* twice is fine */
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    cr_expect_eq(ws_inflate_feed(&inf, hello_nct, sizeof hello_nct, true, refuse, NULL), WS_ERR_IO);
    cr_expect_not(inf.data_error);
    ws_inflate_end(&inf);

    cr_expect_eq(ws_deflate_init(&d, 7, false, NULL), WS_ERR_CONFIG);
    ws_deflate_end(&d);
    cr_expect_eq(ws_deflate_init(&d, 16, false, NULL), WS_ERR_CONFIG);
    cr_expect_eq(ws_inflate_init(&inf, 7, false, 0, NULL), WS_ERR_CONFIG);
    ws_inflate_end(&inf);
    cr_expect_eq(ws_inflate_init(&inf, 16, false, 0, NULL), WS_ERR_CONFIG);
    ws_allocator half = {fa_malloc, NULL, NULL};
    cr_expect_eq(ws_deflate_init(&d, 15, false, &half), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_inflate_init(&inf, 15, false, 0, &half), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_deflate_feed(&d, bytes("x"), 1, true, vec_out, &v), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_inflate_feed(&inf, bytes("x"), 1, true, vec_out, &v), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_deflate_init(NULL, 15, false, NULL), WS_ERR_INVALID_ARG);
    ws_deflater zeroed = {0};
    ws_deflate_end(&zeroed);
    vec_free(&v);
}

/* ---- failing allocations ------------------------------------------------------ */

/* One connection's worth of work through `a`; returns the first error. */
static ws_err workload(const ws_allocator *a, int bits, bool nct)
{
    static const uint8_t fin[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    uint8_t msg[20000];
    fill_text(msg, sizeof msg);
    ws_deflater d;
    ws_inflater inf;
    vec c = {0}, out = {0};
    ws_err e = ws_deflate_init(&d, bits, nct, a);
    if (e == WS_OK)
        e = ws_inflate_init(&inf, bits, nct, 0, a);
    for (int i = 0; e == WS_OK && i < 3; i++) {
        c.len = out.len = 0;
        e = ws_deflate_feed(&d, msg, sizeof msg, true, vec_out, &c);
        if (e == WS_OK)
            e = ws_inflate_feed(&inf, c.data, c.len, true, vec_out, &out);
        if (e == WS_OK)
            cr_assert_eq(out.len, sizeof msg);
    }
    if (e == WS_OK)
        e = ws_inflate_feed(&inf, fin, sizeof fin, true, vec_out, &out);
    ws_inflate_end(&inf);
    ws_deflate_end(&d);
    vec_free(&c);
    vec_free(&out);
    return e;
}

Test(failmalloc, every_allocation)
{
    for (int bits = 8; bits <= 15; bits += 7) {
        for (int nct = 0; nct < 2; nct++) {
            long n = 1;
            for (;; n++) {
                fail_alloc fa = {.fail_at = n};
                ws_allocator a = {fa_malloc, fa_free, &fa};
                rng_state = 42;
                ws_err e = workload(&a, bits, nct);
                cr_assert_eq(fa.live, 0, "bits %d nct %d fail_at %ld: %ld blocks leaked", bits, nct,
                             n, fa.live);
                if (fa.count < n) { /* nothing failed: done */
                    cr_assert_eq(e, WS_OK, "%s", ws_err_name(e));
                    break;
                }
                cr_assert_eq(e, WS_ERR_NOMEM, "bits %d nct %d fail_at %ld: %s", bits, nct, n,
                             ws_err_name(e));
            }
            cr_expect_geq(n, 5, "too few allocations seen (%ld)", n);
        }
    }
}
