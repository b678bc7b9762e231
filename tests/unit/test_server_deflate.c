/*
 * Echo server tests, part 3: permessage-deflate (RFC 7692) messages and
 * their failures; negotiation is in test_server_negotiation.c. The client
 * side uses the core's deflater and inflater, so every echo is checked by
 * decompressing it.
 */
#include "server/server_internal.h" /* WS_SRV_PMD_SKIP */
#include "server_harness.h"

#include "wsspec/deflate.h"

TestSuite(server_pmd, .init = server_start, .fini = server_stop, .timeout = 30);

#define SMALL_MAX_MESSAGE (64 * 1024)

static void start_small(void)
{
    ws_server_config cfg = {.max_message = SMALL_MAX_MESSAGE};
    server_start_with(&cfg);
}

TestSuite(server_pmd_small, .init = start_small, .fini = server_stop, .timeout = 30);

/* ---- helpers -------------------------------------------------------------- */

static size_t client_compress(ws_deflater *d, const void *msg, size_t len, uint8_t **out)
{
    size_t cap = ws_deflate_bound(len), n = 0;
    *out = malloc(cap);
    cr_assert_eq(ws_deflate_message(d, msg, len, *out, cap, &n), WS_OK);
    return n;
}

/* Send msg compressed, as one frame with RSV1. Returns the compressed size. */
static size_t send_compressed(ws_conn *c, ws_deflater *d, uint8_t opcode, const void *msg,
                              size_t len)
{
    uint8_t *z;
    size_t zlen = client_compress(d, msg, len, &z);
    send_frame_rsv(c, true, WS_RSV1, opcode, z, zlen);
    free(z);
    return zlen;
}

/* Expect a compressed echo of msg: one frame, RSV1, that inflates to msg.
 * Returns the frame (the compressed payload) for the caller to free. */
static frame expect_compressed(ws_conn *c, ws_inflater *inf, uint8_t opcode, const void *msg,
                               size_t len)
{
    frame f = {0};
    ws_err e = read_frame_rsv(c, &f, WS_RSV1);
    cr_assert_eq(e, WS_OK, "expected a frame, got %s", ws_err_name(e));
    cr_assert(f.fin, "echo must be one unfragmented frame");
    cr_assert_eq(f.rsv, WS_RSV1, "echo of a compressed message must be compressed");
    cr_assert_eq(f.opcode, opcode, "opcode %u: %s", f.opcode, f.data);
    uint8_t *out = malloc(len + 1);
    size_t n = 0;
    e = ws_inflate_feed_buf(inf, f.data, f.len, true, out, len + 1, &n);
    cr_assert_eq(e, WS_OK, "inflating the echo: %s %s", ws_err_name(e), ws_inflate_detail(inf));
    cr_assert_eq(n, len, "inflated to %zu octets, expected %zu", n, len);
    cr_assert_arr_eq(out, msg, len);
    free(out);
    return f;
}

static void expect_compressed_echo(ws_conn *c, ws_inflater *inf, uint8_t opcode, const void *msg,
                                   size_t len)
{
    frame f = expect_compressed(c, inf, opcode, msg, len);
    free(f.data);
}

/* A close frame with `code` whose reason contains `reason_has`, then FIN. */
static void expect_close_reason(ws_conn *c, int code, const char *reason_has)
{
    frame f = {0};
    cr_assert_eq(read_frame(c, &f), WS_OK);
    cr_assert_eq(f.opcode, WS_OP_CLOSE, "opcode %u", f.opcode);
    cr_assert_geq(f.len, 2);
    int got = f.data[0] << 8 | f.data[1];
    cr_assert_eq(got, code, "close code %d (%s), expected %d", got, f.data + 2, code);
    cr_assert_not_null(strstr((char *)f.data + 2, reason_has), "reason: %s", f.data + 2);
    free(f.data);
    uint8_t b;
    size_t n;
    cr_assert_eq(ws_conn_read(c, &b, 1, &n, ws_deadline_ms(3000)), WS_ERR_CLOSED);
}

/* Varied, compressible text: words from a small list, pseudo-randomly. */
static uint8_t *make_text(size_t len, uint32_t seed)
{
    static const char *const words[] = {"deflate ", "window ", "frame ", "echo ",
                                        "server ",  "octet ",  "RFC ",   "7692 "};
    uint8_t *p = malloc(len + 1);
    size_t i = 0;
    while (i < len) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 8];
        for (; *w && i < len; w++)
            p[i++] = (uint8_t)*w;
    }
    p[len] = 0;
    return p;
}
/* ---- compressed messages ------------------------------------------------- */

Test(server_pmd, compressed_text_and_binary_are_echoed_compressed)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    const char *hello = "Hello, permessage-deflate \xe2\x9c\x93";
    send_compressed(c, &d, WS_OP_TEXT, hello, strlen(hello));
    expect_compressed_echo(c, &inf, WS_OP_TEXT, hello, strlen(hello));
    send_compressed(c, &d, WS_OP_TEXT, hello, strlen(hello)); /* refers to the first */
    expect_compressed_echo(c, &inf, WS_OP_TEXT, hello, strlen(hello));
    send_compressed(c, &d, WS_OP_TEXT, "", 0);
    expect_compressed_echo(c, &inf, WS_OP_TEXT, "", 0);
    static const size_t sizes[] = {1, 125, 5000, 70000, 300000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *p = make_text(sizes[i], (uint32_t)i);
        send_compressed(c, &d, WS_OP_BINARY, p, sizes[i]);
        expect_compressed_echo(c, &inf, WS_OP_BINARY, p, sizes[i]);
        free(p);
    }
    /* Incompressible data: the first echo is compressed (and longer than the
     * message); the next WS_SRV_PMD_SKIP echoes of 1 KiB or more go
     * uncompressed, shorter ones stay compressed; then the server tries
     * again. */
    uint8_t noise[4096];
    uint32_t x = 7;
    for (size_t i = 0; i < sizeof noise; i++) {
        x = x * 1664525u + 1013904223u;
        noise[i] = (uint8_t)(x >> 24);
    }
    send_compressed(c, &d, WS_OP_BINARY, noise, sizeof noise);
    frame big = expect_compressed(c, &inf, WS_OP_BINARY, noise, sizeof noise);
    cr_assert_gt(big.len, sizeof noise);
    free(big.data);
    for (int i = 0; i < WS_SRV_PMD_SKIP; i++) {
        send_compressed(c, &d, WS_OP_TEXT, hello, strlen(hello));
        expect_compressed_echo(c, &inf, WS_OP_TEXT, hello, strlen(hello));
        send_compressed(c, &d, WS_OP_BINARY, noise, sizeof noise);
        frame f = {0};
        cr_assert_eq(read_frame_rsv(c, &f, WS_RSV1), WS_OK);
        cr_assert_eq(f.rsv, 0, "echo %d of incompressible data goes uncompressed", i);
        cr_assert_eq(f.len, sizeof noise);
        cr_assert_arr_eq(f.data, noise, sizeof noise);
        free(f.data);
    }
    send_compressed(c, &d, WS_OP_BINARY, noise, sizeof noise);
    expect_compressed_echo(c, &inf, WS_OP_BINARY, noise, sizeof noise);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd, uncompressed_message_in_a_compressed_session)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    send_frame(c, true, WS_OP_TEXT, "plain", 5);
    expect_echo(c, WS_OP_TEXT, "plain", 5); /* read_frame checks RSV1 is clear */
    send_compressed(c, &d, WS_OP_TEXT, "squeezed", 8);
    expect_compressed_echo(c, &inf, WS_OP_TEXT, "squeezed", 8);
    send_frame(c, false, WS_OP_BINARY, "pla", 3);
    send_frame(c, true, WS_OP_CONT, "in", 2);
    expect_echo(c, WS_OP_BINARY, "plain", 5);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd, fragmented_compressed_message)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    size_t len = 100000;
    uint8_t *msg = make_text(len, 42);
    uint8_t *z;
    size_t zlen = client_compress(&d, msg, len, &z);
    cr_assert_gt(zlen, 10);
    /* RSV1 on the first frame only; a ping in between; an empty fragment. */
    size_t a = zlen / 3, b = 2 * zlen / 3;
    send_frame_rsv(c, false, WS_RSV1, WS_OP_TEXT, z, a);
    send_frame(c, false, WS_OP_CONT, z + a, b - a);
    send_frame(c, true, WS_OP_PING, "mid", 3);
    expect_echo(c, WS_OP_PONG, "mid", 3);
    send_frame(c, false, WS_OP_CONT, "", 0);
    send_frame(c, true, WS_OP_CONT, z + b, zlen - b);
    expect_compressed_echo(c, &inf, WS_OP_TEXT, msg, len);
    /* Split in single octets on the wire. */
    uint8_t buf[64];
    free(z);
    zlen = client_compress(&d, "one by one", 10, &z);
    ws_frame_spec spec = {
        .fin = true, .rsv = WS_RSV1, .opcode = WS_OP_TEXT, .masked = true, .mask_key = {1, 2, 3}};
    size_t n = 0;
    cr_assert_eq(ws_frame_write(&spec, z, zlen, buf, sizeof buf, &n), WS_OK);
    for (size_t i = 0; i < n; i++)
        send_raw(c, buf + i, 1);
    expect_compressed_echo(c, &inf, WS_OP_TEXT, "one by one", 10);
    free(z);
    free(msg);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd, small_windows_are_used)
{
    ws_conn *c =
        open_with("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9; "
                  "client_max_window_bits=10\r\n",
                  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=10");
    ws_deflater d;
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 10, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 9, false, 0, NULL), WS_OK); /* strict: 9 bits */
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t *p = make_text(40000, i);
        send_compressed(c, &d, WS_OP_TEXT, p, 40000);
        expect_compressed_echo(c, &inf, WS_OP_TEXT, p, 40000);
        free(p);
    }
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd, server_no_context_takeover_is_honoured)
{
    const char *msg = "To be, or not to be, that is the question: to be compressed, or not.";
    size_t len = strlen(msg);
    uint8_t first[2][256];
    size_t first_len[2];
    for (int nct = 0; nct < 2; nct++) {
        ws_conn *c = nct ? open_with("Sec-WebSocket-Extensions: permessage-deflate; "
                                     "server_no_context_takeover\r\n",
                                     "permessage-deflate; server_no_context_takeover")
                         : open_pmd();
        ws_deflater d;
        ws_inflater inf;
        cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
        /* Strict: with no context takeover, a reference to the previous
         * message is an error for this inflater. */
        cr_assert_eq(ws_inflate_init(&inf, 15, nct, 0, NULL), WS_OK);
        send_compressed(c, &d, WS_OP_TEXT, msg, len);
        frame f1 = expect_compressed(c, &inf, WS_OP_TEXT, msg, len);
        send_compressed(c, &d, WS_OP_TEXT, msg, len);
        frame f2 = expect_compressed(c, &inf, WS_OP_TEXT, msg, len);
        if (nct) {
            cr_assert_eq(f1.len, f2.len, "the same message compresses the same way");
            cr_assert_arr_eq(f1.data, f2.data, f1.len);
        } else {
            cr_assert_lt(f2.len, f1.len, "with context takeover the second refers to the first");
        }
        cr_assert_lt(f1.len, sizeof first[0]);
        memcpy(first[nct], f1.data, f1.len);
        first_len[nct] = f1.len;
        free(f1.data);
        free(f2.data);
        ws_deflate_end(&d);
        ws_inflate_end(&inf);
        ws_conn_close(c);
    }
    /* The first message of a session compresses the same either way. */
    cr_assert_eq(first_len[0], first_len[1]);
    cr_assert_arr_eq(first[0], first[1], first_len[0]);
}

/* ---- failures ------------------------------------------------------------- */

Test(server_pmd, rsv1_on_a_continuation_gets_1002)
{
    ws_conn *c = open_pmd();
    send_frame(c, false, WS_OP_TEXT, "abc", 3);
    send_frame_rsv(c, true, WS_RSV1, WS_OP_CONT, "\x03\x00", 2);
    expect_close_reason(c, 1002, "continuation");
    ws_conn_close(c);

    /* Also when the message itself is compressed. */
    c = open_pmd();
    ws_deflater d;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    uint8_t *z;
    size_t zlen = client_compress(&d, "abcdef", 6, &z);
    send_frame_rsv(c, false, WS_RSV1, WS_OP_TEXT, z, 1);
    send_frame_rsv(c, true, WS_RSV1, WS_OP_CONT, z + 1, zlen - 1);
    expect_close_reason(c, 1002, "continuation");
    free(z);
    ws_deflate_end(&d);
    ws_conn_close(c);
}

Test(server_pmd, rsv1_on_a_control_frame_gets_1002)
{
    ws_conn *c = open_pmd();
    send_frame_rsv(c, true, WS_RSV1, WS_OP_PING, "", 0);
    expect_close_reason(c, 1002, "control");
    ws_conn_close(c);
}

Test(server_pmd, other_rsv_bits_get_1002)
{
    ws_conn *c = open_pmd();
    send_frame_rsv(c, true, WS_RSV1 | WS_RSV2, WS_OP_TEXT, "\x03\x00", 2);
    expect_close(c, 1002);
    ws_conn_close(c);
}

Test(server_pmd, rsv1_without_negotiation_gets_1002)
{
    ws_conn *c = open_ws();
    send_frame_rsv(c, true, WS_RSV1, WS_OP_TEXT, "\xf2\x00\x00", 3);
    expect_close(c, 1002);
    ws_conn_close(c);
}

Test(server_pmd, invalid_deflate_data_gets_1002)
{
    static const struct {
        const char *data;
        size_t len;
    } cases[] = {
        {"\xff\xff\xff", 3},                 /* reserved block type */
        {"\x00\x05\x00\xfa", 4},             /* stored block whose length check fails */
        {"\xf3\x48\xcd\xc9\xc9\x07\x00", 7}, /* BFINAL with no empty block after it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_conn *c = open_pmd();
        send_frame_rsv(c, true, WS_RSV1, WS_OP_BINARY, cases[i].data, cases[i].len);
        expect_close_reason(c, 1002, "invalid compressed data");
        ws_conn_close(c);
    }
    /* A reference to before the start of the stream. */
    ws_deflater d;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    uint8_t *z;
    size_t zlen = client_compress(&d, "abcdefghijklmnop", 16, &z);
    free(z);
    zlen = client_compress(&d, "abcdefghijklmnop", 16, &z);
    ws_conn *c = open_pmd();
    send_frame_rsv(c, true, WS_RSV1, WS_OP_TEXT, z, zlen);
    expect_close_reason(c, 1002, "too far back");
    ws_conn_close(c);
    free(z);
    ws_deflate_end(&d);

    /* The same "Hello" with the empty block (RFC 7692 §7.2.3.4) is fine. */
    c = open_pmd();
    send_frame_rsv(c, true, WS_RSV1, WS_OP_TEXT, "\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8);
    frame f = {0};
    cr_assert_eq(read_frame_rsv(c, &f, WS_RSV1), WS_OK);
    cr_assert_eq(f.opcode, WS_OP_TEXT);
    free(f.data);
    ws_conn_close(c);
}

Test(server_pmd, broken_client_no_context_takeover_promise_gets_1002)
{
    ws_conn *c = open_with("Sec-WebSocket-Extensions: permessage-deflate; "
                           "client_no_context_takeover\r\n",
                           "permessage-deflate; client_no_context_takeover");
    ws_deflater d; /* keeps its context: a broken promise */
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    const char *msg = "The quick brown fox jumps over the lazy dog, 0123456789.";
    send_compressed(c, &d, WS_OP_TEXT, msg, strlen(msg));
    expect_compressed_echo(c, &inf, WS_OP_TEXT, msg, strlen(msg));
    send_compressed(c, &d, WS_OP_TEXT, msg, strlen(msg));
    expect_close_reason(c, 1002, "invalid compressed data");
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd, invalid_utf8_after_inflating_gets_1007)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    send_compressed(c, &d, WS_OP_TEXT, "ok \xed\xa0\x80", 6); /* a surrogate */
    expect_close(c, 1007);
    ws_deflate_end(&d);
    ws_conn_close(c);

    /* Fail fast: the first fragment is enough, the message never ends. */
    c = open_pmd();
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    size_t len = 20000;
    uint8_t *msg = make_text(len, 3);
    msg[10] = 0xff;
    uint8_t *z;
    size_t zlen = client_compress(&d, msg, len, &z);
    send_frame_rsv(c, false, WS_RSV1, WS_OP_TEXT, z, zlen - 2);
    expect_close(c, 1007);
    free(z);
    free(msg);
    ws_deflate_end(&d);
    ws_conn_close(c);

    /* A sequence cut at the end of the message. */
    c = open_pmd();
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    send_compressed(c, &d, WS_OP_TEXT, "cut \xe2\x82", 6);
    expect_close(c, 1007);
    ws_deflate_end(&d);
    ws_conn_close(c);
}

Test(server_pmd_small, inflating_past_max_message_gets_1009)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    ws_inflater inf;
    cr_assert_eq(ws_deflate_init(&d, 15, false, NULL), WS_OK);
    cr_assert_eq(ws_inflate_init(&inf, 15, false, 0, NULL), WS_OK);
    /* Exactly the limit is fine. */
    uint8_t *big = calloc(1, 1 << 20);
    send_compressed(c, &d, WS_OP_BINARY, big, SMALL_MAX_MESSAGE);
    expect_compressed_echo(c, &inf, WS_OP_BINARY, big, SMALL_MAX_MESSAGE);
    /* 1 MiB of zeros is a frame of about 1 KiB (zlib's best compression). */
    uint8_t bomb[2048];
    z_stream zs = {0};
    cr_assert_eq(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = big;
    zs.avail_in = 1 << 20;
    zs.next_out = bomb;
    zs.avail_out = sizeof bomb;
    cr_assert_eq(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
    cr_assert_eq(zs.avail_in, 0);
    size_t zlen = sizeof bomb - zs.avail_out - 4; /* without 00 00 ff ff */
    deflateEnd(&zs);
    cr_assert_lt(zlen, 1100, "%zu", zlen);
    send_frame_rsv(c, true, WS_RSV1, WS_OP_BINARY, bomb, zlen);
    expect_close(c, 1009);
    free(big);
    ws_deflate_end(&d);
    ws_inflate_end(&inf);
    ws_conn_close(c);
}

Test(server_pmd_small, fragments_inflating_past_max_message_get_1009)
{
    ws_conn *c = open_pmd();
    ws_deflater d;
    cr_assert_eq(ws_deflate_init(&d, 15, true, NULL), WS_OK);
    uint8_t *z;
    uint8_t *big = calloc(1, SMALL_MAX_MESSAGE / 2 + 1);
    size_t zlen = client_compress(&d, big, SMALL_MAX_MESSAGE / 2 + 1, &z);
    /* Each fragment carries a sync-flushed half: together one octet too many. */
    send_frame_rsv(c, false, WS_RSV1, WS_OP_BINARY, z, zlen);
    uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff}; /* what §7.2.1 removed */
    send_frame(c, false, WS_OP_CONT, tail, 4);
    send_frame(c, true, WS_OP_CONT, z, zlen);
    expect_close(c, 1009);
    free(z);
    free(big);
    ws_deflate_end(&d);
    ws_conn_close(c);
}

Test(server_pmd_small, uncompressed_limit_unchanged)
{
    ws_conn *c = open_pmd();
    uint8_t *big = calloc(1, SMALL_MAX_MESSAGE + 1);
    send_frame(c, true, WS_OP_BINARY, big, SMALL_MAX_MESSAGE + 1);
    expect_close(c, 1009);
    free(big);
    ws_conn_close(c);
}
