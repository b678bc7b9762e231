/* The live fuzzer's echo model reads the sent octets through a cursor in
 * pieces: a flood is never joined in memory, yet every message, hash and
 * violation comes out as if the whole stream had been parsed at once. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"

static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n";

/* A masked frame with a zero mask key, so the payload octets are as given. */
static size_t frame(uint8_t *out, uint8_t b0, const uint8_t *p, size_t n, size_t declared)
{
    size_t h = 0;
    out[h++] = b0;
    if (declared < 126) {
        out[h++] = (uint8_t)(0x80 | declared);
    } else {
        out[h++] = 0x80 | 126;
        out[h++] = (uint8_t)(declared >> 8);
        out[h++] = (uint8_t)declared;
    }
    memset(out + h, 0, 4);
    h += 4;
    if (n)
        memcpy(out + h, p, n);
    return h + n;
}

static void send_bytes(ws_lf_repro *r, const uint8_t *d, size_t n, uint32_t repeat)
{
    cr_assert(ws_lf_repro_send(r, d, n));
    r->acts[r->nacts - 1].repeat = repeat;
}

Test(model, cursor_reads_repeats_in_any_piece_size)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    send_bytes(&r, (const uint8_t *)"ab", 2, 0);
    cr_assert(ws_lf_repro_act(&r, WS_LF_PAUSE, 5));
    send_bytes(&r, (const uint8_t *)"xyz", 3, 4);
    send_bytes(&r, (const uint8_t *)"", 0, 3);
    size_t len, hl;
    uint8_t *all = ws_lf_repro_concat(&r, &len, &hl);
    cr_assert_eq(len, 14);
    for (size_t piece = 1; piece <= 15; piece++) {
        ws_lf_cursor c;
        ws_lf_cursor_init(&c, &r);
        uint8_t got[32];
        size_t n = 0, k;
        while ((k = ws_lf_cursor_read(&c, got + n, piece)) > 0)
            n += k;
        cr_assert_eq(n, len, "piece %zu", piece);
        cr_assert_eq(memcmp(got, all, len), 0, "piece %zu", piece);
    }
    free(all);
    ws_lf_repro_free(&r);
}

Test(model, head_length_across_writes_and_bounded)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    size_t half = 40;
    send_bytes(&r, (const uint8_t *)head, half, 0);
    send_bytes(&r, (const uint8_t *)head + half, sizeof head - 1 - half, 0);
    cr_assert_eq(ws_lf_repro_head_len(&r, 1 << 20), sizeof head - 1);
    cr_assert_eq(ws_lf_repro_head_len(&r, 50), 0, "an end of head beyond max does not count");
    ws_lf_repro_free(&r);

    /* "\r\n\r\n" split over a 4096-octet read of the scan. */
    static uint8_t big[5000];
    memset(big, 'a', sizeof big);
    memcpy(big + 4094, "\r\n\r\n", 4);
    ws_lf_repro_init(&r);
    send_bytes(&r, big, sizeof big, 0);
    cr_assert_eq(ws_lf_repro_head_len(&r, 1 << 20), 4098);
    ws_lf_repro_free(&r);
}

/* 200 continuation frames of 1000 octets, sent as one write repeated: the
 * message is owed back once, with the length and hash of all its octets. */
Test(model, flood_of_continuations_is_one_message)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    send_bytes(&r, (const uint8_t *)head, sizeof head - 1, 0);
    uint8_t f[2048], payload[1000];
    memset(payload, 'q', sizeof payload);
    send_bytes(&r, f, frame(f, 0x01, (const uint8_t *)"st", 2, 2), 0);
    send_bytes(&r, f, frame(f, 0x00, payload, sizeof payload, sizeof payload), 200);
    send_bytes(&r, f, frame(f, 0x80, (const uint8_t *)"end", 3, 3), 0);
    send_bytes(&r, f, frame(f, 0x89, (const uint8_t *)"p", 1, 1), 0);
    static ws_lf_expect e;
    ws_lf_expect_build(&r, &e);
    cr_assert(e.head_sent && e.judge_frames && !e.hs_must_reject);
    cr_assert_eq(e.end, WS_LF_M_CLEAN);
    cr_assert_eq(e.ndata, 1);
    cr_assert_eq(e.npings, 1);
    cr_assert_eq(e.data[0].op, WS_OP_TEXT);
    cr_assert_eq(e.data[0].len, 2 + 200 * 1000 + 3);
    uint64_t h = ws_lf_hash((const uint8_t *)"st", 2, 0xcbf29ce484222325ULL);
    for (int i = 0; i < 200; i++)
        h = ws_lf_hash(payload, sizeof payload, h);
    h = ws_lf_hash((const uint8_t *)"end", 3, h);
    cr_assert_eq(e.data[0].hash, h);
    ws_lf_repro_free(&r);
}

/* A frame with a reserved opcode and a 16-bit length whose header straddles
 * the model's 64 KiB pieces (its first two octets end the first piece, its
 * length is in the next): a violation only when its whole declared payload
 * was sent. */
static ws_lf_expect *straddling_bad_frame(size_t payload_sent)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    send_bytes(&r, (const uint8_t *)head, sizeof head - 1, 0);
    size_t filler = 65534 - 8; /* 8-octet header: the next frame starts at 65534 */
    uint8_t *f = calloc(1, 65536 + 512);
    cr_assert(f);
    size_t n = frame(f, 0x82, NULL, 0, filler);
    memset(f + n, 'b', filler);
    n += filler;
    cr_assert_eq(n, 65534);
    uint8_t payload[200];
    memset(payload, 'c', sizeof payload);
    n += frame(f + n, 0x83, payload, payload_sent, sizeof payload);
    send_bytes(&r, f, n, 0);
    free(f);
    static ws_lf_expect e;
    ws_lf_expect_build(&r, &e);
    ws_lf_repro_free(&r);
    return &e;
}

Test(model, violation_judged_only_on_whole_frames_across_pieces)
{
    ws_lf_expect *e = straddling_bad_frame(200);
    cr_assert_eq(e->ndata, 1, "the binary frame before it is owed");
    cr_assert_eq(e->data[0].len, 65534 - 8);
    cr_assert_eq(e->end, WS_LF_M_FAIL);
    cr_assert_eq(e->violation, WS_ERR_RESERVED_OPCODE);
    e = straddling_bad_frame(100);
    cr_assert_eq(e->ndata, 1);
    cr_assert_eq(e->end, WS_LF_M_CLEAN);
    cr_assert(e->open_tail, "a peer may wait for the rest of the frame");
}
