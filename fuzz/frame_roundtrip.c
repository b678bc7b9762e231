/*
 * Fuzz target: frame round trip, parse -> serialize (ws_frame_write) -> parse.
 *
 * Input: the chunked format of fuzz_common.h (the chunk plan is ignored:
 * the frame target covers splits). Flags: bits 0-2 allowed RSV, bit 3
 * skip_fragment_check, bit 4 also re-serialize with the mask flipped
 * (fresh key = flags) and the minimal length form.
 *
 * Checked:
 *  - every complete frame the parser accepted, re-written by the forge with
 *    the same FIN/RSV/opcode/mask key/length form, is byte-identical to the
 *    octets it was parsed from (non-minimal lengths included);
 *  - parsing the re-written stream gives the same frames and payloads;
 *  - re-written with WS_LEN_AUTO (and optionally another mask), it parses
 *    to the same FIN/RSV/opcode/payload with a minimal length.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/frame.h"

#define MAXF (FZ_MAX_STREAM / 2 + 1)

typedef struct {
    ws_frame_header h;
    size_t start, payload; /* offsets in the input and in the payload arena */
} frame_rec;

typedef struct {
    frame_rec f[MAXF];
    size_t nf;
    uint8_t pay[FZ_MAX_STREAM];
    size_t npay;
} frames;

static frames a, b;
static uint8_t work[FZ_MAX_STREAM], out[FZ_MAX_STREAM + 8 * MAXF];

/* Parse `len` octets of buf (unmasked in place); keep complete frames only. */
static void parse(const ws_parser_config *cfg, uint8_t *buf, size_t len, frames *fs)
{
    ws_parser p;
    ws_parser_init(&p, cfg);
    fs->nf = fs->npay = 0;
    size_t pos = 0, start = 0;
    for (;;) {
        size_t used;
        ws_frame_event ev;
        if (ws_parser_feed(&p, buf + pos, len - pos, &used, &ev) != WS_OK)
            break;
        if (ev.type == WS_EVENT_NONE)
            break;
        if (ev.type == WS_EVENT_HEADER)
            start = pos;
        if (ev.type == WS_EVENT_PAYLOAD)
            memcpy(fs->pay + fs->npay + ev.offset, ev.data, ev.len);
        pos += used;
        if (ev.frame_done) {
            fs->f[fs->nf++] = (frame_rec){.h = ev.header, .start = start, .payload = fs->npay};
            fs->npay += ev.header.payload_len;
        }
    }
}

static size_t write_all(const frames *fs, bool alt, uint8_t key)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->nf; i++) {
        const ws_frame_header *h = &fs->f[i].h;
        ws_frame_spec s = {.fin = h->fin,
                           .rsv = h->rsv,
                           .opcode = h->opcode,
                           .masked = h->masked,
                           .len_form = h->len_form};
        memcpy(s.mask_key, h->mask_key, 4);
        if (alt) {
            s.len_form = WS_LEN_AUTO;
            s.masked = !h->masked;
            memset(s.mask_key, key, 4);
            s.mask_key[1] ^= 0x5a;
        }
        size_t w;
        ws_err e = ws_frame_write(&s, fs->pay + fs->f[i].payload, (size_t)h->payload_len, out + n,
                                  sizeof out - n, &w);
        FZ_CHECK(e == WS_OK && w == ws_frame_header_size(&s, h->payload_len) + h->payload_len);
        n += w;
    }
    return n;
}

static void compare(const frames *x, const frames *y, bool exact)
{
    FZ_CHECK(x->nf == y->nf && x->npay == y->npay);
    FZ_CHECK(memcmp(x->pay, y->pay, x->npay) == 0);
    for (size_t i = 0; i < x->nf; i++) {
        const ws_frame_header *h = &x->f[i].h, *g = &y->f[i].h;
        FZ_CHECK(h->fin == g->fin && h->rsv == g->rsv && h->opcode == g->opcode);
        FZ_CHECK(h->payload_len == g->payload_len);
        if (exact) {
            FZ_CHECK(h->masked == g->masked && memcmp(h->mask_key, g->mask_key, 4) == 0);
            FZ_CHECK(h->len_form == g->len_form && h->header_size == g->header_size);
        } else {
            FZ_CHECK(h->masked != g->masked && g->len_minimal);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (!fz_split(data, size, &in))
        return 0;
    ws_parser_config cfg = {.allowed_rsv = in.flags & 7,
                            .skip_mask_check = true,
                            .skip_fragment_check = (in.flags & 8) != 0};
    memcpy(work, in.stream, in.len);
    parse(&cfg, work, in.len, &a);

    size_t n = write_all(&a, false, 0);
    size_t consumed = a.nf ? a.f[a.nf - 1].start + a.f[a.nf - 1].h.header_size +
                                 (size_t)a.f[a.nf - 1].h.payload_len
                           : 0;
    FZ_CHECK(n == consumed && memcmp(out, in.stream, n) == 0); /* byte-identical */
    parse(&cfg, out, n, &b);
    compare(&a, &b, true);

    if (in.flags & 16) {
        n = write_all(&a, true, in.flags);
        parse(&cfg, out, n, &b);
        compare(&a, &b, false);
    }
    return 0;
}
