/*
 * Fuzz target: differential, wsspec's frame parser against wslay's
 * (wslay_frame_recv, Debian's libwslay-dev) on the same bytes and chunks.
 *
 * Input: the chunked format of fuzz_common.h (flags unused). wsspec runs
 * with the checks wslay's frame layer also makes (§5.2 minimal length and
 * MSB, §5.5 control frames) and without the ones wslay leaves to its event
 * layer (mask per role, RSV, fragmentation). wslay's frame layer does not
 * reject reserved opcodes either (its event layer does), so a reported
 * frame with a reserved opcode counts as a wslay rejection.
 *
 * Any disagreement aborts: different headers (FIN, RSV, opcode, mask bit,
 * length) or payload octets for the same frame, or one side accepting a
 * frame the other rejects. Tolerated: rejecting early (wslay judges a
 * control frame after 2 octets, wsspec after the whole header) when the
 * input ends before the other side has decided.
 */
#include <string.h>
#include <sys/types.h>
#include <wslay/wslay.h>

#include "fuzz_common.h"
#include "wsspec/frame.h"

typedef struct {
    uint8_t fin, rsv, opcode, mask;
    uint64_t len, got;
    size_t at;
} rec;

typedef struct {
    rec f[FZ_MAX_STREAM / 2 + 1];
    size_t nf, nbytes;
    uint8_t bytes[FZ_MAX_STREAM];
    bool err;
} side;

static side ours, theirs;
static uint8_t work[FZ_MAX_STREAM];

typedef struct {
    fz_chunker ck;
    const uint8_t *stream;
    size_t off, left;
    bool eof;
} feeder;

static void add(side *s, uint8_t fin, uint8_t rsv, uint8_t op, uint8_t mask, uint64_t len,
                const uint8_t *data, size_t n, bool new_frame)
{
    if (new_frame)
        s->f[s->nf++] = (rec){fin, rsv, op, mask, len, 0, s->nbytes};
    if (n)
        memcpy(s->bytes + s->nbytes, data, n); /* header events carry no data */
    s->nbytes += n;
    s->f[s->nf - 1].got += n;
}

static ssize_t recv_cb(uint8_t *buf, size_t len, int flags, void *user)
{
    feeder *fd = user;
    (void)flags;
    if (fd->left == 0 && !fz_chunk_next(&fd->ck, &fd->off, &fd->left))
        fd->eof = true;
    size_t n = fd->left < len ? fd->left : len;
    memcpy(buf, fd->stream + fd->off, n);
    fd->off += n;
    fd->left -= n;
    return (ssize_t)n;
}

static ssize_t send_cb(const uint8_t *d, size_t n, int flags, void *user)
{
    (void)d, (void)flags, (void)user;
    return (ssize_t)n;
}

static int genmask_cb(uint8_t *buf, size_t n, void *user)
{
    (void)user;
    memset(buf, 0, n);
    return 0;
}

static void run_wslay(const fz_input *in)
{
    struct wslay_frame_callbacks cb = {send_cb, recv_cb, genmask_cb};
    feeder fd = {.stream = in->stream};
    fz_chunker_init(&fd.ck, in->sizes, in->n_sizes, in->len);
    wslay_frame_context_ptr ctx;
    FZ_CHECK(wslay_frame_context_init(&ctx, &cb, &fd) == 0);
    theirs.nf = theirs.nbytes = 0;
    theirs.err = false;
    size_t max_calls = 2 * (in->len + 1) * (in->n_sizes + 1) + 64; /* empty reads included */
    for (size_t calls = 0; calls < max_calls && !theirs.err; calls++) {
        struct wslay_frame_iocb io;
        ssize_t r = wslay_frame_recv(ctx, &io);
        if (r == WSLAY_ERR_WANT_READ) {
            if (fd.eof)
                break;
            continue;
        }
        if (r < 0) {
            theirs.err = true;
            break;
        }
        bool fresh = theirs.nf == 0 || theirs.f[theirs.nf - 1].got == theirs.f[theirs.nf - 1].len;
        if (fresh && ws_opcode_is_reserved(io.opcode))
            theirs.err = true; /* event layer's job */
        else
            add(&theirs, io.fin, io.rsv, io.opcode, io.mask, io.payload_length, io.data,
                io.data_length, fresh);
    }
    wslay_frame_context_free(ctx);
}

static void run_ours(const fz_input *in, bool *mid_header)
{
    ws_parser_config cfg = {.allowed_rsv = 7,
                            .reject_non_minimal = true,
                            .skip_mask_check = true,
                            .skip_fragment_check = true};
    ws_parser p;
    ws_parser_init(&p, &cfg);
    memcpy(work, in->stream, in->len);
    ours.nf = ours.nbytes = 0;
    ours.err = false;
    fz_chunker ck;
    fz_chunker_init(&ck, in->sizes, in->n_sizes, in->len);
    size_t off, n, used;
    while (!ours.err && fz_chunk_next(&ck, &off, &n)) {
        for (ws_frame_event ev; n > 0; off += used, n -= used) {
            if (ws_parser_feed(&p, work + off, n, &used, &ev) != WS_OK) {
                ours.err = true;
                break;
            }
            const ws_frame_header *h = &ev.header;
            if (ev.type == WS_EVENT_NONE)
                break;
            add(&ours, h->fin, h->rsv, h->opcode, h->masked, h->payload_len, ev.data,
                ev.type == WS_EVENT_PAYLOAD ? ev.len : 0, ev.type == WS_EVENT_HEADER);
        }
    }
    *mid_header = p.state == WS_PARSE_HEADER && p.hlen > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in;
    if (!fz_split(data, size, &in))
        return 0;
    bool mid_header;
    run_ours(&in, &mid_header);
    run_wslay(&in);
    /* wsspec reports a header before any payload, wslay with the first payload
     * octets: drop a trailing wsspec frame that has received nothing yet. */
    size_t nf = ours.nf;
    if (nf == theirs.nf + 1 && !ours.err && ours.f[nf - 1].got == 0 && ours.f[nf - 1].len > 0)
        nf--;
    if (ours.err && !theirs.err)
        FZ_CHECK(theirs.nf == ours.nf); /* wslay accepted it */
    else if (theirs.err && !ours.err)
        FZ_CHECK(ours.nf == theirs.nf && mid_header);
    else
        FZ_CHECK(nf == theirs.nf);
    size_t common = nf < theirs.nf ? nf : theirs.nf;
    for (size_t i = 0; i < common; i++) {
        const rec *a = &ours.f[i], *b = &theirs.f[i];
        FZ_CHECK(a->fin == b->fin && a->rsv == b->rsv && a->opcode == b->opcode);
        FZ_CHECK(a->mask == b->mask && a->len == b->len);
        uint64_t m = a->got < b->got ? a->got : b->got;
        FZ_CHECK(memcmp(ours.bytes + a->at, theirs.bytes + b->at, (size_t)m) == 0);
        if (i + 1 < common || (!ours.err && !theirs.err))
            FZ_CHECK(a->got == b->got);
    }
    return 0;
}
