/*
 * Fuzz target: the incremental frame parser (ws_parser_feed).
 *
 * Input: the chunked format of fuzz_common.h. Flags: bits 0-2 allowed RSV,
 * bit 3 reject_non_minimal, bit 4 skip_mask_check, bit 5 skip_fragment_check,
 * bits 6-7 max_payload (none, 125, 65535, 2^32). More flags (high nibble of
 * byte 1): bit 0 parses as a client (0: as a server, the side a reproducer
 * from `wsspec replay --to-chunks` speaks to), bit 1 whole_frames (a frame
 * wholly in one feed comes as one WS_EVENT_FRAME).
 *
 * Each input is parsed whole, in the fuzzer's chunks (when it gives a plan)
 * and split at every header octet: one octet at a time for streams of up to
 * 64 octets, else each header octet and the first three octets of each
 * payload alone (every mask phase) and the rest of the payload in one feed.
 * Checked, beyond crashes:
 *  - the runs give the same headers, frame offsets, payload octets, error and
 *    error position (RFC 6455 gives TCP no message boundaries), whether a
 *    frame comes as one WS_EVENT_FRAME or as header and payload events;
 *  - payload octets reported for a frame == its declared length, offsets are
 *    contiguous, consumed <= fed, no 64-bit length wrap (explicit checks:
 *    OSS-Fuzz's UBSan does not report unsigned wrap-around);
 *  - an accepted header breaks no rule the configuration enforces, and a
 *    rejected one breaks the rule the error names (§5.1, §5.2, §5.4, §5.5).
 * The checking code is FZ_NO_COVERAGE: coverage comes from the parser.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/frame.h"

typedef struct {
    ws_frame_header h;
    uint64_t got;   /* payload octets reported */
    uint64_t start; /* stream offset of the header */
    size_t at;      /* payload start in log.bytes */
    bool done;
} frame_rec;

typedef struct {
    frame_rec f[FZ_MAX_STREAM / 2 + 1];
    size_t nf;
    uint8_t bytes[FZ_MAX_STREAM];
    size_t nbytes;
    ws_err err;
    uint64_t err_pos;
} run_log;

static run_log logs[3];
static uint8_t work[FZ_MAX_STREAM];

/* Streams up to this long are also fed one octet at a time. */
#define BYTEWISE_MAX 64
/* Header-wise runs feed this many payload octets alone (every mask phase). */
#define PAYLOAD_HEAD 3

/* Where to split the stream: the next chunk as [*off, *off + *n). */
typedef struct splitter {
    bool (*next)(struct splitter *s, size_t *off, size_t *n);
    fz_chunker ck;        /* the fuzzer's plan (or whole, or octet by octet) */
    const run_log *shape; /* header-wise: the frames of the whole run */
    size_t pos, frame, len;
} splitter;

FZ_NO_COVERAGE static bool plan_next(splitter *s, size_t *off, size_t *n)
{
    return fz_chunk_next(&s->ck, off, n);
}

FZ_NO_COVERAGE static void plan_init(splitter *s, const uint8_t *sizes, size_t n, size_t len)
{
    s->next = plan_next;
    fz_chunker_init(&s->ck, sizes, n, len);
}

/* Every header octet alone; of each payload (as far as the stream has it) the
 * first PAYLOAD_HEAD octets alone, so the rest starts at every mask phase, and
 * the rest in one feed; octet by octet after the last whole frame: an
 * erroneous or incomplete header, at most WS_MAX_HEADER_SIZE octets before
 * the parser stops or the stream ends. */
FZ_NO_COVERAGE static bool header_next(splitter *s, size_t *off, size_t *n)
{
    if (s->pos >= s->len)
        return false;
    const run_log *w = s->shape;
    while (s->frame < w->nf) {
        const frame_rec *f = &w->f[s->frame];
        uint64_t body = f->start + f->h.header_size;
        if (s->pos < body) { /* the header */
            *n = 1;
            break;
        }
        uint64_t end = body + f->h.payload_len;
        if (end > s->len || end < body)
            end = s->len;
        if (s->pos < end) { /* the payload */
            *n = s->pos - body < PAYLOAD_HEAD ? 1 : (size_t)(end - s->pos);
            break;
        }
        s->frame++;
    }
    if (s->frame == w->nf)
        *n = 1; /* the tail */
    *off = s->pos;
    s->pos += *n;
    return true;
}

FZ_NO_COVERAGE static void header_init(splitter *s, const run_log *whole, size_t len)
{
    *s = (splitter){.next = header_next, .shape = whole, .len = len};
}

/* The rule the header breaks for `err`, judged independently of frame.c. */
FZ_NO_COVERAGE static bool violates(const ws_parser_config *c, const ws_frame_header *h,
                                    bool in_msg, ws_err err)
{
    bool ctl = (h->opcode & 8) != 0;
    switch (err) {
    case WS_ERR_RESERVED_OPCODE:
        return (h->opcode >= 3 && h->opcode <= 7) || h->opcode >= 11;
    case WS_ERR_RSV_NOT_NEGOTIATED:
        return (h->rsv & ~c->allowed_rsv) != 0;
    case WS_ERR_LENGTH_MSB_SET:
        return h->len_form == WS_LEN_64 && (h->payload_len >> 63);
    case WS_ERR_CONTROL_FRAGMENTED:
        return ctl && !h->fin;
    case WS_ERR_CONTROL_TOO_LONG:
        return ctl && h->payload_len > 125;
    case WS_ERR_MASK_MISSING:
        return !c->skip_mask_check && c->role == WS_ROLE_SERVER && !h->masked;
    case WS_ERR_MASK_UNEXPECTED:
        return !c->skip_mask_check && c->role == WS_ROLE_CLIENT && h->masked;
    case WS_ERR_NON_MINIMAL_LENGTH:
        return c->reject_non_minimal && !h->len_minimal;
    case WS_ERR_FRAME_TOO_LARGE:
        return c->max_payload && h->payload_len > c->max_payload;
    case WS_ERR_UNEXPECTED_CONTINUATION:
        return !c->skip_fragment_check && h->opcode == 0 && !in_msg;
    case WS_ERR_EXPECTED_CONTINUATION:
        return !c->skip_fragment_check && !ctl && h->opcode != 0 && in_msg;
    default:
        return false;
    }
}

FZ_NO_COVERAGE static void check_header(const ws_frame_header *h)
{
    uint64_t n = h->payload_len;
    size_t ext = h->len_form == WS_LEN_16 ? 2 : h->len_form == WS_LEN_64 ? 8 : 0;
    FZ_CHECK(h->len_form == WS_LEN_7 || ext != 0);
    FZ_CHECK(h->header_size == 2 + ext + (h->masked ? 4 : 0));
    FZ_CHECK(h->len_form != WS_LEN_7 || n <= 125);
    FZ_CHECK(h->len_form != WS_LEN_16 || n <= 0xffff);
    FZ_CHECK(h->len_minimal == (h->len_form == WS_LEN_7 || (h->len_form == WS_LEN_16 && n > 125) ||
                                (h->len_form == WS_LEN_64 && n > 0xffff)));
    FZ_CHECK(h->rsv <= 7 && h->opcode <= 15);
}

FZ_NO_COVERAGE static void run(const ws_parser_config *cfg, const uint8_t *stream, size_t len,
                               splitter *split, run_log *log)
{
    ws_parser p;
    ws_parser_init(&p, cfg);
    memcpy(work, stream, len);
    log->nf = log->nbytes = 0;
    log->err = WS_OK;
    bool in_msg = false;
    uint64_t total = 0;
    size_t off, n;
    while (split->next(split, &off, &n)) {
        uint8_t *buf = work + off;
        for (;;) {
            size_t used;
            ws_frame_event ev;
            ws_err e = ws_parser_feed(&p, buf, n, &used, &ev);
            FZ_CHECK(used <= n);
            total += used;
            FZ_CHECK(p.total_consumed == total);
            if (e != WS_OK) {
                FZ_CHECK(p.state == WS_PARSE_FAILED && used <= WS_MAX_HEADER_SIZE);
                FZ_CHECK(violates(cfg, &ev.header, in_msg, e));
                check_header(&ev.header);
                log->err = e;
                log->err_pos = total;
                FZ_CHECK(ws_parser_feed(&p, buf, n, &used, &ev) == e && used == 0);
                return;
            }
            frame_rec *r = log->nf ? &log->f[log->nf - 1] : NULL;
            if (ev.type == WS_EVENT_HEADER || ev.type == WS_EVENT_FRAME) {
                bool whole = ev.type == WS_EVENT_FRAME;
                FZ_CHECK(used > 0 && (!r || r->done));
                check_header(&ev.header);
                for (ws_err k = WS_ERR_RESERVED_OPCODE; k <= WS_ERR_EXPECTED_CONTINUATION; k++)
                    FZ_CHECK(!violates(cfg, &ev.header, in_msg, k));
                if (!(ev.header.opcode & 8))
                    in_msg = !ev.header.fin;
                size_t body = whole ? ev.len : 0; /* payload octets in this event */
                FZ_CHECK(!whole ||
                         (cfg->whole_frames && ev.header.payload_len == ev.len && used >= ev.len &&
                          ev.data == buf + used - ev.len && ev.frame_done));
                FZ_CHECK(total >= ev.header.header_size + body);
                r = &log->f[log->nf++];
                *r = (frame_rec){.h = ev.header,
                                 .start = total - body - ev.header.header_size,
                                 .at = log->nbytes,
                                 .got = body};
                if (body)
                    memcpy(log->bytes + log->nbytes, ev.data, body);
                log->nbytes += body;
            } else if (ev.type == WS_EVENT_PAYLOAD) {
                FZ_CHECK(used > 0 && ev.len == used && ev.data == buf && r && !r->done);
                FZ_CHECK(ev.offset == r->got && ev.len <= r->h.payload_len - r->got);
                memcpy(log->bytes + log->nbytes, ev.data, ev.len);
                log->nbytes += ev.len;
                r->got += ev.len;
                FZ_CHECK(r->got >= ev.len && r->got <= r->h.payload_len); /* no wrap */
            } else {
                FZ_CHECK(used == n);
            }
            if (ev.frame_done) {
                FZ_CHECK(r && r->got == r->h.payload_len); /* octets reported == declared */
                r->done = true;
                FZ_CHECK(ev.message_done == (r->h.fin || (r->h.opcode & 8)));
            }
            buf += used;
            n -= used;
            if (ev.type == WS_EVENT_NONE)
                break;
        }
    }
}

FZ_NO_COVERAGE static void same(const run_log *a, const run_log *b)
{
    FZ_CHECK(a->nf == b->nf && a->nbytes == b->nbytes && a->err == b->err);
    FZ_CHECK(a->err == WS_OK || a->err_pos == b->err_pos);
    FZ_CHECK(memcmp(a->bytes, b->bytes, a->nbytes) == 0);
    for (size_t i = 0; i < a->nf; i++) {
        const ws_frame_header *x = &a->f[i].h, *y = &b->f[i].h;
        FZ_CHECK(x->fin == y->fin && x->rsv == y->rsv && x->opcode == y->opcode);
        FZ_CHECK(x->masked == y->masked && memcmp(x->mask_key, y->mask_key, 4) == 0);
        FZ_CHECK(x->payload_len == y->payload_len && x->len_form == y->len_form);
        FZ_CHECK(a->f[i].start == b->f[i].start);
        FZ_CHECK(a->f[i].got == b->f[i].got && a->f[i].done == b->f[i].done);
    }
}

FZ_NO_COVERAGE int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (!fz_split(data, size, &in))
        return 0;
    static const uint64_t limits[4] = {0, 125, 0xffff, (uint64_t)1 << 32};
    static const uint8_t one = 1;
    ws_parser_config cfg = {
        .role = (in.more_flags & 1) ? WS_ROLE_CLIENT : WS_ROLE_SERVER,
        .allowed_rsv = in.flags & 7,
        .reject_non_minimal = (in.flags & 8) != 0,
        .skip_mask_check = (in.flags & 16) != 0,
        .skip_fragment_check = (in.flags & 32) != 0,
        .max_payload = limits[in.flags >> 6],
        .whole_frames = (in.more_flags & 2) != 0,
    };
    splitter split;
    plan_init(&split, NULL, 0, in.len);
    run(&cfg, in.stream, in.len, &split, &logs[0]);
    bool plan_is_bytewise = in.n_sizes == 1 && in.sizes[0] == 1;
    if (in.n_sizes) { /* no plan: the same single feed as above */
        plan_init(&split, in.sizes, in.n_sizes, in.len);
        run(&cfg, in.stream, in.len, &split, &logs[1]);
        same(&logs[0], &logs[1]);
    }
    if (in.len <= BYTEWISE_MAX) {
        if (plan_is_bytewise)
            return 0; /* already fed octet by octet */
        plan_init(&split, &one, 1, in.len);
    } else {
        header_init(&split, &logs[0], in.len);
    }
    run(&cfg, in.stream, in.len, &split, &logs[2]);
    same(&logs[0], &logs[2]);
    return 0;
}
