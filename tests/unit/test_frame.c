/* Frame codec: RFC 6455 §5.7 examples, every split point, forge round trips,
 * every error class. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wsspec/frame.h"

/* What a parse produced, normalised so that different splits compare equal. */
typedef struct {
    ws_frame_header headers[16];
    size_t nframes;
    uint8_t payload[70000];
    size_t payload_len;
    size_t messages_done;
    ws_err err;
} parse_log;

/* Feed `in` in pieces whose sizes come from `cuts` (0-terminated; the rest
 * goes in one last piece). The input is copied: the parser unmasks in place. */
static void parse_split(const uint8_t *in, size_t len, const size_t *cuts, ws_parser_config *cfg,
                        parse_log *log)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, in, len);
    memset(log, 0, sizeof(*log));
    ws_parser p;
    ws_parser_init(&p, cfg);
    size_t pos = 0;
    while (pos < len || (cuts && *cuts == 0 && pos == len)) {
        size_t piece = len - pos;
        if (cuts && *cuts) {
            piece = *cuts++;
            if (piece > len - pos)
                piece = len - pos;
        }
        size_t off = 0;
        for (;;) {
            size_t used;
            ws_frame_event ev;
            ws_err e = ws_parser_feed(&p, copy + pos + off, piece - off, &used, &ev);
            off += used;
            if (e != WS_OK) {
                log->err = e;
                free(copy);
                return;
            }
            if (ev.type == WS_EVENT_HEADER || ev.type == WS_EVENT_FRAME) {
                cr_assert_lt(log->nframes, 16);
                log->headers[log->nframes++] = ev.header;
            }
            if (ev.type == WS_EVENT_PAYLOAD || ev.type == WS_EVENT_FRAME) {
                cr_assert_leq(log->payload_len + ev.len, sizeof(log->payload));
                cr_assert_eq(ev.offset + ev.len <= ev.header.payload_len, true);
                memcpy(log->payload + log->payload_len, ev.data, ev.len);
                log->payload_len += ev.len;
            }
            if (ev.message_done)
                log->messages_done++;
            if (ev.type == WS_EVENT_NONE)
                break;
        }
        pos += piece;
        if (piece == 0)
            break;
    }
    free(copy);
}

static void assert_same(const parse_log *a, const parse_log *b)
{
    cr_assert_eq(a->err, b->err);
    cr_assert_eq(a->nframes, b->nframes);
    for (size_t i = 0; i < a->nframes; i++) {
        /* Field by field: padding bytes in the struct are unspecified. */
        const ws_frame_header *x = &a->headers[i], *y = &b->headers[i];
        cr_assert(x->fin == y->fin && x->rsv == y->rsv && x->opcode == y->opcode &&
                      x->masked == y->masked && x->payload_len == y->payload_len &&
                      x->len_form == y->len_form && x->len_minimal == y->len_minimal &&
                      x->header_size == y->header_size && memcmp(x->mask_key, y->mask_key, 4) == 0,
                  "header %zu differs", i);
    }
    cr_assert_eq(a->payload_len, b->payload_len);
    cr_assert_eq(memcmp(a->payload, b->payload, a->payload_len), 0);
    cr_assert_eq(a->messages_done, b->messages_done);
}

/* Whole, one octet at a time, and split in two at every offset: all equal. */
static void parse_all_ways(const uint8_t *in, size_t len, ws_parser_config *cfg, parse_log *out)
{
    static parse_log other;
    parse_split(in, len, NULL, cfg, out);
    size_t *ones = malloc((len + 1) * sizeof(size_t));
    for (size_t i = 0; i < len; i++)
        ones[i] = 1;
    ones[len] = 0;
    parse_split(in, len, ones, cfg, &other);
    assert_same(out, &other);
    free(ones);
    for (size_t cut = 1; cut < len && len < 400; cut++) {
        size_t cuts[2] = {cut, 0};
        parse_split(in, len, cuts, cfg, &other);
        assert_same(out, &other);
    }
}

static ws_parser_config client_cfg = {.role = WS_ROLE_CLIENT};
static ws_parser_config server_cfg = {.role = WS_ROLE_SERVER};
static parse_log log_a;

/* RFC 6455 §5.7 examples. */
static const uint8_t ex_unmasked_hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t ex_masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                          0x7f, 0x9f, 0x4d, 0x51, 0x58};
static const uint8_t ex_fragmented[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
static const uint8_t ex_ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t ex_masked_pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                         0x7f, 0x9f, 0x4d, 0x51, 0x58};

Test(frame, rfc_5_7_unmasked_text)
{
    parse_all_ways(ex_unmasked_hello, sizeof ex_unmasked_hello, &client_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.nframes, 1);
    cr_assert(log_a.headers[0].fin);
    cr_assert_eq(log_a.headers[0].opcode, WS_OP_TEXT);
    cr_assert_eq(log_a.headers[0].payload_len, 5);
    cr_assert_eq(log_a.payload_len, 5);
    cr_assert_eq(memcmp(log_a.payload, "Hello", 5), 0);
    cr_assert_eq(log_a.messages_done, 1);
}

Test(frame, rfc_5_7_masked_text)
{
    parse_all_ways(ex_masked_hello, sizeof ex_masked_hello, &server_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert(log_a.headers[0].masked);
    cr_assert_eq(memcmp(log_a.headers[0].mask_key, "\x37\xfa\x21\x3d", 4), 0);
    cr_assert_eq(memcmp(log_a.payload, "Hello", 5), 0);
}

Test(frame, rfc_5_7_fragmented_text)
{
    parse_all_ways(ex_fragmented, sizeof ex_fragmented, &client_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.nframes, 2);
    cr_assert(!log_a.headers[0].fin);
    cr_assert_eq(log_a.headers[1].opcode, WS_OP_CONT);
    cr_assert_eq(memcmp(log_a.payload, "Hello", 5), 0);
    cr_assert_eq(log_a.messages_done, 1);
}

Test(frame, rfc_5_7_ping_and_masked_pong)
{
    parse_all_ways(ex_ping, sizeof ex_ping, &client_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.headers[0].opcode, WS_OP_PING);
    parse_all_ways(ex_masked_pong, sizeof ex_masked_pong, &server_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.headers[0].opcode, WS_OP_PONG);
    cr_assert_eq(memcmp(log_a.payload, "Hello", 5), 0);
}

/* The forge reproduces the §5.7 examples byte for byte. */
Test(frame, forge_rfc_5_7_examples)
{
    uint8_t out[80000];
    size_t n;
    ws_frame_spec s = {.fin = true, .opcode = WS_OP_TEXT};
    cr_assert_eq(ws_frame_write(&s, (const uint8_t *)"Hello", 5, out, sizeof out, &n), WS_OK);
    cr_assert_eq(n, sizeof ex_unmasked_hello);
    cr_assert_eq(memcmp(out, ex_unmasked_hello, n), 0);

    s.masked = true;
    memcpy(s.mask_key, "\x37\xfa\x21\x3d", 4);
    cr_assert_eq(ws_frame_write(&s, (const uint8_t *)"Hello", 5, out, sizeof out, &n), WS_OK);
    cr_assert_eq(memcmp(out, ex_masked_hello, n), 0);

    s.opcode = WS_OP_PONG;
    cr_assert_eq(ws_frame_write(&s, (const uint8_t *)"Hello", 5, out, sizeof out, &n), WS_OK);
    cr_assert_eq(memcmp(out, ex_masked_pong, n), 0);

    ws_frame_spec f1 = {.fin = false, .opcode = WS_OP_TEXT};
    ws_frame_spec f2 = {.fin = true, .opcode = WS_OP_CONT};
    size_t n2;
    cr_assert_eq(ws_frame_write(&f1, (const uint8_t *)"Hel", 3, out, sizeof out, &n), WS_OK);
    cr_assert_eq(ws_frame_write(&f2, (const uint8_t *)"lo", 2, out + n, sizeof out - n, &n2),
                 WS_OK);
    cr_assert_eq(n + n2, sizeof ex_fragmented);
    cr_assert_eq(memcmp(out, ex_fragmented, n + n2), 0);

    /* 256 bytes binary in one unmasked frame: 0x82 0x7E 0x0100 [256 bytes]. */
    static uint8_t big[65536];
    ws_frame_spec b = {.fin = true, .opcode = WS_OP_BINARY};
    cr_assert_eq(ws_frame_write(&b, big, 256, out, sizeof out, &n), WS_OK);
    cr_assert_eq(n, 4 + 256);
    cr_assert_eq(memcmp(out, "\x82\x7e\x01\x00", 4), 0);
    /* 64 KiB: 0x82 0x7F 0x0000000000010000 [65536 bytes]. */
    cr_assert_eq(ws_frame_write(&b, big, 65536, out, sizeof out, &n), WS_OK);
    cr_assert_eq(n, 10 + 65536);
    cr_assert_eq(memcmp(out, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10), 0);
}

/* Every length form, minimal or not, masked or not, survives forge → parse. */
Test(frame, forge_parse_round_trip_all_length_forms)
{
    static const uint64_t lens[] = {0, 1, 125, 126, 127, 128, 1000, 65535, 65536};
    static const ws_len_form forms[] = {WS_LEN_AUTO, WS_LEN_7, WS_LEN_16, WS_LEN_64};
    static uint8_t payload[65536], out[65536 + 14];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        for (size_t fi = 0; fi < 4; fi++) {
            for (int masked = 0; masked < 2; masked++) {
                ws_frame_spec s = {.fin = true,
                                   .opcode = WS_OP_BINARY,
                                   .masked = masked,
                                   .len_form = forms[fi],
                                   .mask_key = {1, 2, 0xfe, 0x80}};
                size_t n;
                ws_err e = ws_frame_write(&s, payload, lens[li], out, sizeof out, &n);
                bool fits = forms[fi] == WS_LEN_AUTO || forms[fi] == WS_LEN_64 ||
                            (forms[fi] == WS_LEN_7 && lens[li] <= 125) ||
                            (forms[fi] == WS_LEN_16 && lens[li] <= 65535);
                if (!fits) {
                    cr_assert_eq(e, WS_ERR_INVALID_ARG);
                    continue;
                }
                cr_assert_eq(e, WS_OK);
                cr_assert_eq(n, ws_frame_header_size(&s, lens[li]) + lens[li]);
                ws_parser_config cfg = {.role = masked ? WS_ROLE_SERVER : WS_ROLE_CLIENT};
                parse_split(out, n, NULL, &cfg, &log_a);
                cr_assert_eq(log_a.err, WS_OK, "len %lu form %d", (unsigned long)lens[li],
                             forms[fi]);
                cr_assert_eq(log_a.headers[0].payload_len, lens[li]);
                cr_assert_eq(log_a.payload_len, lens[li]);
                cr_assert_eq(memcmp(log_a.payload, payload, lens[li]), 0);
                ws_len_form expect_form = forms[fi];
                if (expect_form == WS_LEN_AUTO)
                    expect_form = lens[li] <= 125     ? WS_LEN_7
                                  : lens[li] <= 65535 ? WS_LEN_16
                                                      : WS_LEN_64;
                cr_assert_eq(log_a.headers[0].len_form, expect_form);
                bool minimal = expect_form == (lens[li] <= 125     ? WS_LEN_7
                                               : lens[li] <= 65535 ? WS_LEN_16
                                                                   : WS_LEN_64);
                cr_assert_eq(log_a.headers[0].len_minimal, minimal);
                /* A strict parser rejects exactly the non-minimal forms. */
                cfg.reject_non_minimal = true;
                parse_split(out, n, NULL, &cfg, &log_a);
                cr_assert_eq(log_a.err, minimal ? WS_OK : WS_ERR_NON_MINIMAL_LENGTH);
            }
        }
    }
}

/* One row per error class: the bytes, the parser role, the expected error. */
typedef struct {
    const char *name;
    const char *bytes;
    size_t len;
    ws_role role;
    ws_err expect;
} error_row;

#define ROW(name, lit, role, err)                                                                  \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, role, err                                                      \
    }
static const error_row error_rows[] = {
    ROW("reserved data opcode 3", "\x83\x00", WS_ROLE_CLIENT, WS_ERR_RESERVED_OPCODE),
    ROW("reserved control opcode 11", "\x8b\x00", WS_ROLE_CLIENT, WS_ERR_RESERVED_OPCODE),
    ROW("reserved opcode 15", "\x8f\x00", WS_ROLE_CLIENT, WS_ERR_RESERVED_OPCODE),
    ROW("RSV1", "\xc1\x00", WS_ROLE_CLIENT, WS_ERR_RSV_NOT_NEGOTIATED),
    ROW("RSV2", "\xa1\x00", WS_ROLE_CLIENT, WS_ERR_RSV_NOT_NEGOTIATED),
    ROW("RSV3", "\x91\x00", WS_ROLE_CLIENT, WS_ERR_RSV_NOT_NEGOTIATED),
    ROW("ping with 126 bytes", "\x89\x7e\x00\x7e", WS_ROLE_CLIENT, WS_ERR_CONTROL_TOO_LONG),
    ROW("fragmented ping", "\x09\x00", WS_ROLE_CLIENT, WS_ERR_CONTROL_FRAGMENTED),
    ROW("fragmented close", "\x08\x00", WS_ROLE_CLIENT, WS_ERR_CONTROL_FRAGMENTED),
    ROW("64-bit length MSB set", "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", WS_ROLE_CLIENT,
        WS_ERR_LENGTH_MSB_SET),
    ROW("2^64-1 length", "\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff", WS_ROLE_CLIENT,
        WS_ERR_LENGTH_MSB_SET),
    ROW("unmasked client frame", "\x81\x00", WS_ROLE_SERVER, WS_ERR_MASK_MISSING),
    ROW("masked server frame", "\x81\x80\x01\x02\x03\x04", WS_ROLE_CLIENT, WS_ERR_MASK_UNEXPECTED),
    ROW("orphan continuation FIN=1", "\x80\x00", WS_ROLE_CLIENT, WS_ERR_UNEXPECTED_CONTINUATION),
    ROW("orphan continuation FIN=0", "\x00\x00", WS_ROLE_CLIENT, WS_ERR_UNEXPECTED_CONTINUATION),
    ROW("text inside fragmented text",
        "\x01\x01"
        "a"
        "\x81\x01"
        "b",
        WS_ROLE_CLIENT, WS_ERR_EXPECTED_CONTINUATION),
};

Test(frame, every_error_class_at_every_split)
{
    for (size_t i = 0; i < sizeof error_rows / sizeof *error_rows; i++) {
        const error_row *r = &error_rows[i];
        ws_parser_config cfg = {.role = r->role};
        parse_all_ways((const uint8_t *)r->bytes, r->len, &cfg, &log_a);
        cr_assert_eq(log_a.err, r->expect, "%s: got %s", r->name, ws_err_name(log_a.err));
    }
}

Test(frame, error_is_sticky)
{
    ws_parser p;
    ws_parser_init(&p, &client_cfg);
    uint8_t bad[] = {0x83, 0x00, 0x81, 0x00};
    size_t used;
    ws_frame_event ev;
    cr_assert_eq(ws_parser_feed(&p, bad, sizeof bad, &used, &ev), WS_ERR_RESERVED_OPCODE);
    cr_assert_eq(ws_parser_feed(&p, bad + 2, 2, &used, &ev), WS_ERR_RESERVED_OPCODE);
    cr_assert_eq(used, 0);
}

Test(frame, negotiated_rsv_and_limits)
{
    ws_parser_config cfg = {.role = WS_ROLE_CLIENT, .allowed_rsv = WS_RSV1};
    parse_all_ways((const uint8_t *)"\xc1\x01x", 3, &cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.headers[0].rsv, WS_RSV1);
    cfg.max_payload = 100;
    parse_all_ways((const uint8_t *)"\x82\x7e\x00\x65", 4, &cfg, &log_a);
    cr_assert_eq(log_a.err, WS_ERR_FRAME_TOO_LARGE);
}

/* Control frames between fragments are allowed (§5.4) and do not end the message. */
Test(frame, control_between_fragments)
{
    static const uint8_t in[] = {0x01, 0x01, 'a', 0x89, 0x01, 'p', 0x80, 0x01, 'b'};
    parse_all_ways(in, sizeof in, &client_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.nframes, 3);
    cr_assert_eq(log_a.messages_done, 2); /* the ping and the text message */
    cr_assert_eq(memcmp(log_a.payload, "apb", 3), 0);
}

/* A header that claims 2^63-1 octets is reported, not allocated: the parser
 * only hands out what it was given. */
Test(frame, huge_length_is_streamed_not_allocated)
{
    uint8_t in[10 + 64] = {0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    parse_split(in, sizeof in, NULL, &client_cfg, &log_a);
    cr_assert_eq(log_a.err, WS_OK);
    cr_assert_eq(log_a.headers[0].payload_len, 0x7fffffffffffffffULL);
    cr_assert_eq(log_a.payload_len, 64);
}

/* ws_mask at every offset and length equals the byte-wise definition, and
 * never touches memory past the end (the buffer ends at a PROT_NONE page). */
Test(frame, mask_matches_definition_at_page_end)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(map, MAP_FAILED);
    cr_assert_eq(mprotect(map + page, page, PROT_NONE), 0);
    const uint8_t key[4] = {0xa5, 0x01, 0x7e, 0xc3};
    uint8_t ref[300];
    for (size_t len = 0; len <= 300; len += (len < 70 ? 1 : 23)) {
        for (uint64_t off = 0; off < 4; off++) {
            uint8_t *buf = map + page - len;
            for (size_t i = 0; i < len; i++)
                buf[i] = ref[i] = (uint8_t)(i * 31 + len);
            ws_mask(buf, len, key, off);
            for (size_t i = 0; i < len; i++)
                cr_assert_eq(buf[i], (uint8_t)(ref[i] ^ key[(off + i) & 3]));
        }
    }
    munmap(map, 2 * page);
}

/* Random garbage never crashes the parser and every reported chunk stays in bounds. */
Test(frame, garbage_never_crashes)
{
    static uint8_t buf[4096];
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + (x % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
        for (int role = 0; role < 2; role++) {
            ws_parser p;
            ws_parser_config cfg = {.role = role ? WS_ROLE_CLIENT : WS_ROLE_SERVER};
            ws_parser_init(&p, &cfg);
            size_t pos = 0;
            while (pos < len) {
                size_t used;
                ws_frame_event ev;
                if (ws_parser_feed(&p, buf + pos, len - pos, &used, &ev) != WS_OK)
                    break;
                cr_assert_leq(used, len - pos);
                if (ev.type == WS_EVENT_PAYLOAD)
                    cr_assert(ev.data >= buf + pos && ev.data + ev.len <= buf + len);
                pos += used;
                if (ev.type == WS_EVENT_NONE)
                    break;
            }
        }
    }
}

/* whole_frames mode reports the same frames and octets, at every split. */
Test(frame, whole_frames_mode_matches_default)
{
    static const uint8_t *inputs[] = {ex_unmasked_hello, ex_fragmented, ex_ping};
    static const size_t lens[] = {sizeof ex_unmasked_hello, sizeof ex_fragmented, sizeof ex_ping};
    static parse_log whole;
    for (size_t i = 0; i < 3; i++) {
        ws_parser_config cfg = {.role = WS_ROLE_CLIENT, .whole_frames = true};
        parse_split(inputs[i], lens[i], NULL, &client_cfg, &log_a);
        parse_all_ways(inputs[i], lens[i], &cfg, &whole);
        assert_same(&log_a, &whole);
    }
    ws_parser_config scfg = {.role = WS_ROLE_SERVER, .whole_frames = true};
    parse_split(ex_masked_hello, sizeof ex_masked_hello, NULL, &server_cfg, &log_a);
    parse_all_ways(ex_masked_hello, sizeof ex_masked_hello, &scfg, &whole);
    assert_same(&log_a, &whole);
}
