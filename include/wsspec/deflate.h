/*
 * permessage-deflate compression and decompression (RFC 7692 §7.2) for one
 * direction of a connection, over zlib.
 *
 * A ws_deflater turns each message into the payload of its first..last
 * frame: raw DEFLATE, sync-flushed, with the trailing 00 00 ff ff removed
 * (§7.2.1). A ws_inflater takes the payload back, in chunks of any size,
 * appends 00 00 ff ff at the end of the message and inflates (§7.2.2),
 * enforcing a limit on the decompressed size *while* inflating.
 *
 * Memory: both objects live in caller storage and must not be moved or
 * copied after init (zlib keeps a pointer to its z_stream). zlib's own
 * allocations (about 2^(window_bits+2) + 64 KiB for a compressor,
 * 2^window_bits + 7 KiB for a decompressor) go through a ws_allocator so
 * tests can fail them; the output is produced into fixed stack chunks and
 * handed to the caller, never accumulated.
 *
 * Window bits 8: zlib does not deflate with a raw 8-bit window (since 1.2.9
 * it silently uses 9). ws_deflate_init accepts 8 and runs zlib with 9, which
 * is still valid for a peer with a 256-octet window: zlib's deflate never
 * emits a distance above 2^bits - 262, i.e. 250 for 9 bits (the tests check
 * this with a strict 8-bit decoder). So a server may accept
 * server_max_window_bits=8 rather than decline it (RFC 7692 §7.1.2.1
 * allows either); ws_pmd_accept accepts it.
 *
 * Strictness of decompression: inflating with the agreed window and
 * resetting on no_context_takeover catches a peer that refers to data
 * before the start of its (reset) window or further back than the window
 * across messages. zlib (built without INFLATE_STRICT) does not check a
 * distance that reaches into the output of the current inflate() call, so
 * a peer using a 2^15 window while 2^8 was agreed is only caught when the
 * reference crosses a 16 KiB output chunk or a message boundary.
 */
#ifndef WSSPEC_DEFLATE_H
#define WSSPEC_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "wsspec/error.h"

/*
 * The error for compressed data that is not valid DEFLATE (or that breaks
 * the agreed window or context-takeover promise). error.h has no dedicated
 * code; until one exists (proposed: DEFLATE_DATA, RFC 7692 §7.2.2) this is
 * WS_ERR_INVALID_ARG, and ws_inflater.data_error tells it apart from a
 * misuse of the API. ws_inflate_detail() has zlib's explanation.
 */
#define WS_INFLATE_ERR_DATA WS_ERR_DEFLATE_DATA

/* Allocation hooks. A NULL ws_allocator (or NULL malloc_fn) means libc. */
typedef struct {
    void *(*malloc_fn)(void *ctx, size_t size);
    void (*free_fn)(void *ctx, void *ptr);
    void *ctx;
} ws_allocator;

/* Output callback: `len` octets of output (a pointer valid only during the
 * call). Return WS_OK to go on; any other value aborts the operation, which
 * returns that value. */
typedef ws_err (*ws_deflate_out_fn)(void *ctx, const uint8_t *data, size_t len);

/* ---- compression ---------------------------------------------------------- */

typedef struct {
    z_stream zs;
    ws_allocator alloc;
    int window_bits; /* as configured, 8..15 */
    bool no_context_takeover;
    bool ready;      /* initialised and not ended */
    bool in_message; /* a message has been started with ws_deflate_feed */
    ws_err error;    /* sticky: once set, every call returns it */
    uint8_t tail[4]; /* the last octets produced, held back at a message end */
    size_t tail_len;
} ws_deflater;

/*
 * Set up a compressor for one direction: window_bits 8..15 (see the note on
 * 8 above), no_context_takeover = reset the LZ77 window after every message.
 * alloc is copied (NULL = libc). Returns WS_OK, WS_ERR_CONFIG (window out of
 * range), WS_ERR_NOMEM or WS_ERR_INVALID_ARG. On failure nothing is held and
 * ws_deflate_end() is still safe.
 */
ws_err ws_deflate_init(ws_deflater *d, int window_bits, bool no_context_takeover,
                       const ws_allocator *alloc);

/*
 * Compress part of a message: in[0..len) is the next piece of the
 * uncompressed message; message_end marks its last piece. Compressed octets
 * are passed to out() as they are produced, in chunks of at most 16 KiB; the
 * last four octets of a message (00 00 ff ff) are never passed. The
 * concatenation of all chunks of one message is its compressed payload,
 * which the caller frames with RSV1 on the first frame only. An empty
 * message gives the single octet 00.
 * Returns WS_OK, WS_ERR_NOMEM, whatever out() returned, or
 * WS_ERR_INVALID_ARG. Errors are sticky: with context takeover the peer's
 * window can no longer be matched, so the compressor must be discarded.
 */
ws_err ws_deflate_feed(ws_deflater *d, const uint8_t *in, size_t len, bool message_end,
                       ws_deflate_out_fn out, void *ctx);

/*
 * Compress a whole message into out[0..cap) and set *out_len.
 * ws_deflate_bound(len) octets are always enough. Returns as
 * ws_deflate_feed, or WS_ERR_BUFFER_TOO_SMALL (sticky, as above).
 */
ws_err ws_deflate_message(ws_deflater *d, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                          size_t *out_len);

/* An upper bound on the compressed size of a len-octet message. */
size_t ws_deflate_bound(size_t len);

/* Release zlib's memory. Safe on a zeroed, failed or already-ended object. */
void ws_deflate_end(ws_deflater *d);

/* The zlib level a new ws_deflater uses: the fastest that compresses.
 * wsspec compresses to exercise the peer's inflater, and any level is
 * valid deflate. */
#define WS_DEFLATE_DEFAULT_LEVEL 1

/*
 * Set the zlib compression level: 0 (stored blocks only, no compression),
 * 1 (fastest, the default) to 9 (smallest). Call before the first message
 * or between messages. Returns WS_OK, or WS_ERR_INVALID_ARG (level out of
 * range, inside a message, or not initialised).
 */
ws_err ws_deflate_set_level(ws_deflater *d, int level);

/* ---- decompression -------------------------------------------------------- */

typedef struct {
    z_stream zs;
    ws_allocator alloc;
    int window_bits; /* 8..15: the window the peer agreed to stay within */
    bool no_context_takeover;
    uint64_t max_output;  /* per-message limit on inflated octets; 0 = none */
    uint64_t message_out; /* octets produced so far for the current message */
    bool ready;
    uint64_t final_blocks;   /* BFINAL blocks seen so far (a peer that flushes that way) */
    bool data_error;         /* the sticky error is about the data (WS_INFLATE_ERR_DATA) */
    bool allow_unterminated; /* accept a message that ends inside a DEFLATE block;
                                set after init to be lenient (default: error) */
    ws_err error;            /* sticky */
    const char *detail;      /* static explanation of the last error, or NULL */
} ws_inflater;

/*
 * Set up a decompressor for one direction: window_bits 8..15 as agreed for
 * the peer's compressor, no_context_takeover = the peer resets its window
 * after every message (so we reset ours, and a reference to an earlier
 * message is an error), max_output = the most octets one message may
 * inflate to (0 = no limit). alloc is copied (NULL = libc). Returns WS_OK,
 * WS_ERR_CONFIG, WS_ERR_NOMEM or WS_ERR_INVALID_ARG.
 */
ws_err ws_inflate_init(ws_inflater *inf, int window_bits, bool no_context_takeover,
                       uint64_t max_output, const ws_allocator *alloc);

/*
 * Decompress the next chunk of a compressed message payload (any split of
 * the frame payloads; frames need not be aligned with calls). message_end
 * marks the last chunk: 00 00 ff ff is then appended and inflated, the
 * message must end at a DEFLATE block boundary (unless allow_unterminated),
 * and the window is reset for no_context_takeover. A final (BFINAL) block
 * is accepted (RFC 7692 §7.2.3.4): decoding goes on after it as a new
 * DEFLATE stream with the same window, so "f3 48 cd c9 c9 07 00 00" is
 * "Hello" while "f3 48 cd c9 c9 07 00" (no empty stored block started, which
 * §7.2.1 step 2 requires) does not end at a block boundary. Inflated octets
 * go to out() in chunks of at most 16 KiB.
 * Returns WS_OK; WS_ERR_MESSAGE_TOO_LARGE once the message would exceed
 * max_output (having passed exactly max_output octets to out() and never
 * more); WS_INFLATE_ERR_DATA with data_error set for invalid data;
 * WS_ERR_NOMEM; whatever out() returned; WS_ERR_INVALID_ARG. Errors are
 * sticky.
 */
ws_err ws_inflate_feed(ws_inflater *inf, const uint8_t *in, size_t len, bool message_end,
                       ws_deflate_out_fn out, void *ctx);

/*
 * Same, writing the output of this call to out[0..cap) and setting
 * *out_len; WS_ERR_BUFFER_TOO_SMALL (sticky) if it does not fit.
 */
ws_err ws_inflate_feed_buf(ws_inflater *inf, const uint8_t *in, size_t len, bool message_end,
                           uint8_t *out, size_t cap, size_t *out_len);

/* Static text explaining the last error (zlib's message for bad data), or "". */
const char *ws_inflate_detail(const ws_inflater *inf);

/* Release zlib's memory. Safe on a zeroed, failed or already-ended object. */
void ws_inflate_end(ws_inflater *inf);

#endif
