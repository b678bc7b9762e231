/*
 * permessage-deflate (RFC 7692 §7.2) over zlib: raw DEFLATE, sync flush,
 * the 00 00 ff ff tail removed on the way out and appended on the way in.
 *
 * Output is produced into a fixed stack chunk and handed to a callback, so
 * the only memory is zlib's state, allocated through the caller's
 * ws_allocator. The decompressor caps every inflate() call's output space at
 * the remaining budget + 1 octet, so a bomb stops after one chunk past the
 * limit has been *computed*, and exactly max_output octets have been
 * delivered.
 */
#include "wsspec/deflate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK     16384
#define MAX_SLICE (1u << 30) /* largest avail_in per zlib call */

static const uint8_t sync_tail[4] = {0x00, 0x00, 0xff, 0xff};

/* ---- allocation ----------------------------------------------------------- */

static void *libc_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void libc_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    const ws_allocator *a = opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return a->malloc_fn(a->ctx, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    const ws_allocator *a = opaque;
    a->free_fn(a->ctx, p);
}

/* Copy `alloc` (or libc) into *dst and point the z_stream at it. */
static ws_err setup_alloc(z_stream *zs, ws_allocator *dst, const ws_allocator *alloc)
{
    if (alloc && alloc->malloc_fn) {
        if (!alloc->free_fn)
            return WS_ERR_INVALID_ARG;
        *dst = *alloc;
    } else {
        dst->malloc_fn = libc_malloc;
        dst->free_fn = libc_free;
        dst->ctx = NULL;
    }
    zs->zalloc = z_alloc;
    zs->zfree = z_free;
    zs->opaque = dst;
    return WS_OK;
}

static ws_err zlib_init_error(int rc)
{
    return rc == Z_MEM_ERROR ? WS_ERR_NOMEM : WS_ERR_CONFIG;
}

/* ---- compression ---------------------------------------------------------- */

ws_err ws_deflate_init(ws_deflater *d, int window_bits, bool no_context_takeover,
                       const ws_allocator *alloc)
{
    if (!d)
        return WS_ERR_INVALID_ARG;
    memset(d, 0, sizeof *d);
    if (window_bits < 8 || window_bits > 15)
        return WS_ERR_CONFIG;
    ws_err e = setup_alloc(&d->zs, &d->alloc, alloc);
    if (e != WS_OK)
        return e;
    /* zlib refuses a raw window of 8 for deflate (1.2.9+ turns it into 9).
     * That is still correct: zlib never emits a distance above
     * window size - 262 (MIN_LOOKAHEAD), which for 9 bits is 250 < 256. */
    int zbits = window_bits == 8 ? 9 : window_bits;
    /* zlib's hash table (memLevel + 7 bits) is slid over whole each time
     * the window moves, every window size - 262 input octets: with a small
     * window and the default memLevel 8 that costs several times the
     * compression itself (measured: level 1, 9-bit window, 41 MB/s with 8,
     * 119 MB/s with 5, 1-2 % larger output). */
    int mem_level = zbits < 15 ? 5 : 8;
    /* A conformance tool compresses to test the peer's inflater, so speed
     * matters more than ratio (and any level is valid deflate). */
    int rc = deflateInit2(&d->zs, WS_DEFLATE_DEFAULT_LEVEL, Z_DEFLATED, -zbits, mem_level,
                          Z_DEFAULT_STRATEGY);
    if (rc != Z_OK)
        return zlib_init_error(rc);
    d->window_bits = window_bits;
    d->no_context_takeover = no_context_takeover;
    d->ready = true;
    return WS_OK;
}

static ws_err deflate_fail(ws_deflater *d, ws_err e)
{
    d->error = e;
    return e;
}

/* Pass p[0..n) on, always keeping the last four octets of the message back. */
static ws_err emit(ws_deflater *d, const uint8_t *p, size_t n, ws_deflate_out_fn out, void *ctx)
{
    size_t total = d->tail_len + n;
    if (total <= 4) {
        memcpy(d->tail + d->tail_len, p, n);
        d->tail_len = total;
        return WS_OK;
    }
    size_t release = total - 4;
    size_t from_tail = release < d->tail_len ? release : d->tail_len;
    size_t from_p = release - from_tail;
    ws_err e = WS_OK;
    if (from_tail)
        e = out(ctx, d->tail, from_tail);
    if (e == WS_OK && from_p)
        e = out(ctx, p, from_p);
    if (e != WS_OK)
        return e;
    size_t keep = d->tail_len - from_tail;
    memmove(d->tail, d->tail + from_tail, keep);
    memcpy(d->tail + keep, p + from_p, n - from_p);
    d->tail_len = keep + (n - from_p);
    return WS_OK;
}

ws_err ws_deflate_feed(ws_deflater *d, const uint8_t *in, size_t len, bool message_end,
                       ws_deflate_out_fn out, void *ctx)
{
    if (!d || !out || (!in && len))
        return WS_ERR_INVALID_ARG;
    if (d->error != WS_OK)
        return d->error;
    if (!d->ready)
        return WS_ERR_INVALID_ARG;
    d->in_message = true;
    uint8_t buf[CHUNK];
    do {
        size_t slice = len < MAX_SLICE ? len : MAX_SLICE;
        int flush = (message_end && slice == len) ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        d->zs.next_in = (Bytef *)(uintptr_t)in;
        d->zs.avail_in = (uInt)slice;
        do {
            d->zs.next_out = buf;
            d->zs.avail_out = CHUNK;
            int rc = deflate(&d->zs, flush);
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                return deflate_fail(d, WS_ERR_INVALID_ARG);
            ws_err e = emit(d, buf, CHUNK - d->zs.avail_out, out, ctx);
            if (e != WS_OK)
                return deflate_fail(d, e);
        } while (d->zs.avail_out == 0);
        if (slice)
            in += slice;
        len -= slice;
    } while (len > 0);
    if (!message_end)
        return WS_OK;

    /* zlib emits nothing for a sync flush with nothing new since the last
     * one (an empty message after another): the stream is byte-aligned at a
     * block boundary, so the payload of an empty message, 00, is written
     * here; with the receiver's 00 00 ff ff it is an empty stored block. */
    if (d->tail_len == 0) {
        static const uint8_t empty_block = 0x00;
        ws_err e = out(ctx, &empty_block, 1);
        if (e != WS_OK)
            return deflate_fail(d, e);
        d->in_message = false;
        return WS_OK;
    }
    /* A sync flush always ends with an empty stored block: 00 00 ff ff. */
    if (d->tail_len != 4 || memcmp(d->tail, sync_tail, 4) != 0)
        return deflate_fail(d, WS_ERR_INVALID_ARG);
    d->tail_len = 0;
    d->in_message = false;
    if (d->no_context_takeover && deflateReset(&d->zs) != Z_OK)
        return deflate_fail(d, WS_ERR_INVALID_ARG);
    return WS_OK;
}

typedef struct {
    uint8_t *out;
    size_t cap;
    size_t len;
} buf_sink;

static ws_err to_buffer(void *ctx, const uint8_t *data, size_t len)
{
    buf_sink *s = ctx;
    if (s->cap - s->len < len)
        return WS_ERR_BUFFER_TOO_SMALL;
    memcpy(s->out + s->len, data, len);
    s->len += len;
    return WS_OK;
}

ws_err ws_deflate_message(ws_deflater *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                          size_t *out_len)
{
    if (!out_len || (!out && cap))
        return WS_ERR_INVALID_ARG;
    buf_sink s = {out, cap, 0};
    *out_len = 0;
    ws_err e = ws_deflate_feed(d, in, len, true, to_buffer, &s);
    if (e == WS_OK)
        *out_len = s.len;
    return e;
}

size_t ws_deflate_bound(size_t len)
{
    /* zlib's conservative deflateBound() for non-default settings, plus the
     * stored block of the sync flush and one of a slice boundary. */
    return len + ((len + 7) >> 3) + ((len + 63) >> 6) + 5 + 16;
}

ws_err ws_deflate_set_level(ws_deflater *d, int level)
{
    if (!d || !d->ready || level < 0 || level > 9 || d->in_message)
        return WS_ERR_INVALID_ARG;
    /* Between messages everything is sync-flushed, so the block zlib may
     * end on a level change is empty; give it valid space all the same. */
    uint8_t scratch[64];
    d->zs.next_in = NULL;
    d->zs.avail_in = 0;
    d->zs.next_out = scratch;
    d->zs.avail_out = sizeof scratch;
    int rc = deflateParams(&d->zs, level, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK || d->zs.avail_out != sizeof scratch)
        return deflate_fail(d, WS_ERR_INVALID_ARG);
    return WS_OK;
}

void ws_deflate_end(ws_deflater *d)
{
    if (!d)
        return;
    if (d->ready)
        deflateEnd(&d->zs);
    d->ready = false;
}

/* ---- decompression -------------------------------------------------------- */

ws_err ws_inflate_init(ws_inflater *inf, int window_bits, bool no_context_takeover,
                       uint64_t max_output, const ws_allocator *alloc)
{
    if (!inf)
        return WS_ERR_INVALID_ARG;
    memset(inf, 0, sizeof *inf);
    if (window_bits < 8 || window_bits > 15)
        return WS_ERR_CONFIG;
    ws_err e = setup_alloc(&inf->zs, &inf->alloc, alloc);
    if (e != WS_OK)
        return e;
    int rc = inflateInit2(&inf->zs, -window_bits);
    if (rc != Z_OK)
        return zlib_init_error(rc);
    inf->window_bits = window_bits;
    inf->no_context_takeover = no_context_takeover;
    inf->max_output = max_output;
    inf->ready = true;
    return WS_OK;
}

static ws_err inflate_fail(ws_inflater *inf, ws_err e, const char *detail)
{
    inf->error = e;
    inf->detail = detail;
    return e;
}

static ws_err bad_data(ws_inflater *inf, const char *why)
{
    inf->data_error = true;
    return inflate_fail(inf, WS_INFLATE_ERR_DATA, why ? why : "invalid deflate data");
}

/* A final (BFINAL) block ended the DEFLATE stream inside a message: start
 * a new stream for the rest of the payload, keeping the sliding window,
 * which later data may still refer to (RFC 7692 §7.2.3.4). */
static ws_err restart_keeping_window(ws_inflater *inf)
{
    uInt n = 0;
    if (inflateGetDictionary(&inf->zs, NULL, &n) != Z_OK)
        return WS_ERR_INVALID_ARG;
    Bytef *dict = NULL;
    if (n) {
        dict = inf->alloc.malloc_fn(inf->alloc.ctx, n);
        if (!dict)
            return WS_ERR_NOMEM;
        inflateGetDictionary(&inf->zs, dict, &n);
    }
    int rc = inflateReset(&inf->zs);
    if (rc == Z_OK && n)
        rc = inflateSetDictionary(&inf->zs, dict, n);
    if (dict)
        inf->alloc.free_fn(inf->alloc.ctx, dict);
    if (rc == Z_MEM_ERROR)
        return WS_ERR_NOMEM;
    return rc == Z_OK ? WS_OK : WS_ERR_INVALID_ARG;
}

/*
 * Inflate in[0..len) (len <= MAX_SLICE) with `flush`, passing output on,
 * until the input is used up and no output is pending, or (Z_BLOCK) a
 * block boundary is reached with input left.
 */
static ws_err inflate_run(ws_inflater *inf, const uint8_t *in, size_t len, int flush,
                          ws_deflate_out_fn out, void *ctx)
{
    z_stream *zs = &inf->zs;
    uint8_t buf[CHUNK];
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)len;
    for (;;) {
        size_t space = CHUNK;
        uint64_t budget = UINT64_MAX;
        if (inf->max_output) {
            budget = inf->max_output - inf->message_out;
            if (budget < space)
                space = (size_t)budget + 1;
        }
        zs->next_out = buf;
        zs->avail_out = (uInt)space;
        int rc = inflate(zs, flush);
        size_t produced = space - zs->avail_out;
        /* Output over the limit was decoded before any error zlib reports
         * in the same call: the limit decides, whatever the call structure. */
        if (produced > budget) {
            ws_err e = budget ? out(ctx, buf, (size_t)budget) : WS_OK;
            inf->message_out += budget;
            return inflate_fail(inf, e != WS_OK ? e : WS_ERR_MESSAGE_TOO_LARGE,
                                e != WS_OK ? NULL : "decompressed message over max_output");
        }
        if (rc == Z_MEM_ERROR)
            return inflate_fail(inf, WS_ERR_NOMEM, "out of memory");
        if (rc == Z_DATA_ERROR)
            return bad_data(inf, zs->msg);
        if (rc == Z_NEED_DICT)
            return bad_data(inf, "deflate stream needs a dictionary");
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
            return inflate_fail(inf, WS_ERR_INVALID_ARG, "zlib stream error");
        if (produced) {
            ws_err e = out(ctx, buf, produced);
            if (e != WS_OK)
                return inflate_fail(inf, e, NULL);
        }
        inf->message_out += produced;
        if (rc == Z_STREAM_END) {
            inf->final_blocks++;
            ws_err e = restart_keeping_window(inf);
            if (e != WS_OK)
                return inflate_fail(inf, e, "could not restart after a final block");
            continue;
        }
        if (zs->avail_out == 0)
            continue; /* more output may be pending */
        if (zs->avail_in == 0)
            return WS_OK;
        if (flush == Z_BLOCK && (zs->data_type & 128))
            return WS_OK;
        if (rc == Z_BUF_ERROR)
            return bad_data(inf, "inflate made no progress");
    }
}

static ws_err end_message(ws_inflater *inf, ws_deflate_out_fn out, void *ctx)
{
    ws_err e = inflate_run(inf, sync_tail, sizeof sync_tail, Z_BLOCK, out, ctx);
    if (e != WS_OK)
        return e;
    if (!inf->allow_unterminated && (inf->zs.avail_in != 0 || !(inf->zs.data_type & 128)))
        return bad_data(inf, "compressed message does not end at a deflate block boundary "
                             "(truncated, or not sync-flushed)");
    if (inf->no_context_takeover && inflateReset(&inf->zs) != Z_OK)
        return inflate_fail(inf, WS_ERR_INVALID_ARG, "zlib reset failed");
    inf->message_out = 0;
    return WS_OK;
}

ws_err ws_inflate_feed(ws_inflater *inf, const uint8_t *in, size_t len, bool message_end,
                       ws_deflate_out_fn out, void *ctx)
{
    if (!inf || !out || (!in && len))
        return WS_ERR_INVALID_ARG;
    if (inf->error != WS_OK)
        return inf->error;
    if (!inf->ready)
        return WS_ERR_INVALID_ARG;
    /* At least one call even for len 0: it moves zlib off a block boundary
     * left by the previous message's Z_BLOCK pass. */
    do {
        size_t slice = len < MAX_SLICE ? len : MAX_SLICE;
        ws_err e = inflate_run(inf, in, slice, Z_SYNC_FLUSH, out, ctx);
        if (e != WS_OK)
            return e;
        if (slice)
            in += slice;
        len -= slice;
    } while (len > 0);
    return message_end ? end_message(inf, out, ctx) : WS_OK;
}

ws_err ws_inflate_feed_buf(ws_inflater *inf, const uint8_t *in, size_t len, bool message_end,
                           uint8_t *out, size_t cap, size_t *out_len)
{
    if (!out_len || (!out && cap))
        return WS_ERR_INVALID_ARG;
    buf_sink s = {out, cap, 0};
    ws_err e = ws_inflate_feed(inf, in, len, message_end, to_buffer, &s);
    *out_len = s.len;
    return e;
}

const char *ws_inflate_detail(const ws_inflater *inf)
{
    return inf && inf->detail ? inf->detail : "";
}

void ws_inflate_end(ws_inflater *inf)
{
    if (!inf)
        return;
    if (inf->ready)
        inflateEnd(&inf->zs);
    inf->ready = false;
}
