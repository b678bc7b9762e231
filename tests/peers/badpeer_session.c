/*
 * wsspec-badpeer: one WebSocket session after the opening handshake.
 *
 * Input is read in chunks and fed to ws_parser (server role). Text is
 * validated chunk by chunk as it arrives (fail-fast), data messages are
 * gathered and echoed whole, pings are answered, and a client close is
 * validated and answered before the server closes TCP. Each violation switch
 * bends exactly one of these steps.
 *
 * With permessage-deflate agreed, a message with RSV1 is inflated as it
 * arrives (stopping at the message limit) and every echo is compressed.
 *
 * Replies produced while one read is processed are normally written at
 * once; under batch-before-echo they are queued and written only when the
 * whole read went through without an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/utf8.h"

#include "badpeer.h"

#define BP_MAX_MESSAGE    (32u * 1024 * 1024) /* larger messages: close 1009 */
#define BP_SMALL_MESSAGE  (64u * 1024)        /* the limit under small-message-limit */
#define BP_KEEP_BUFFER    (1024u * 1024)      /* free message buffers larger than this */
#define BP_CTL_CAP        4096                /* control payload kept; > 125 only under accept-* */
#define BP_LINGER_MS      300                 /* data-after-close: how long to keep answering */
#define BP_SLOW_ECHO_S    3
#define BP_BATCH_QUIET_MS 20             /* batch-before-echo: hold replies until input pauses */
#define BP_BATCH_MAX      (1024u * 1024) /* ... or this much is queued */

/* Where the session is. Input is processed only in OPEN and LINGER. */
typedef enum {
    PH_OPEN,   /* normal operation */
    PH_LINGER, /* data-after-close: close answered, still processing */
    PH_CLOSED, /* close answered: close TCP */
    PH_IGNORE, /* no-close-reply: close received, ignore everything */
    PH_FAILED, /* protocol error in fail_err: fail the connection */
    PH_ABORT,  /* transport error: just close the socket */
} bp_phase;

/* What the current frame's payload is for. */
typedef enum { FK_DATA, FK_CONTROL, FK_DISCARD } bp_frame_kind;

/* Incremental code point decoder used only to spot noncharacters. */
typedef struct {
    uint32_t cp;
    uint8_t need; /* continuation octets still expected */
} bp_nonchar;

typedef struct {
    int fd;
    bp_flags v;
    bp_phase phase;
    ws_err fail_err;
    bool close_sent;
    ws_parser parser;
    bp_frame_kind frame_kind;
    /* the data message being gathered */
    bool msg_open;
    bool msg_compressed; /* RSV1 on its first frame, permessage-deflate agreed */
    bool msg_dropped;    /* pmd-ignore-*: the rest of the message is discarded */
    uint8_t msg_opcode;
    uint8_t *msg;
    size_t msg_len, msg_cap, msg_limit;
    ws_utf8 utf8;
    bp_nonchar nonchar;
    /* the control frame being gathered */
    uint8_t ctl[BP_CTL_CAP];
    size_t ctl_len;
    /* latest-pong-only: the pong not sent yet */
    uint8_t pong[BP_CTL_CAP];
    size_t pong_len;
    bool pong_pending;
    /* batch-before-echo: replies queued during one read */
    uint8_t *outq;
    size_t outq_len, outq_cap;
    bp_pmd pmd;
    uint8_t rbuf[BP_READ_SIZE];
} bp_conn;

static const uint8_t server_mask_key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* ------------------------------------------------------------ helpers */

static bool has(const bp_conn *c, bp_flags v)
{
    return bp_has(c->v, v);
}

static bool accepting_input(const bp_conn *c)
{
    return c->phase == PH_OPEN || c->phase == PH_LINGER;
}

static void fail(bp_conn *c, ws_err e)
{
    if (!accepting_input(c)) return;
    c->phase = PH_FAILED;
    c->fail_err = e;
}

/* The close code a failure is reported with. */
static uint16_t close_code_for(const bp_conn *c, ws_err e)
{
    if (has(c, BP_V(WRONG_CLOSE_CODE))) return WS_CLOSE_NORMAL;
    switch (e) {
    case WS_ERR_UTF8_INVALID:
        return WS_CLOSE_INVALID_PAYLOAD;
    case WS_ERR_MESSAGE_TOO_LARGE:
    case WS_ERR_FRAME_TOO_LARGE:
        return WS_CLOSE_TOO_BIG;
    case WS_ERR_NOMEM:
        return WS_CLOSE_INTERNAL_ERROR;
    default:
        return WS_CLOSE_PROTOCOL_ERROR;
    }
}

/* Grow a buffer to hold `need` octets, at most `limit`. */
static bool reserve(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
    if (need <= *cap) return true;
    if (need > limit) return false;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap = ncap > limit / 2 ? limit : ncap * 2;
    uint8_t *p = realloc(*buf, ncap);
    if (!p) return false;
    *buf = p;
    *cap = ncap;
    return true;
}

/* ------------------------------------------------------------- output */

static void outq_append(bp_conn *c, const uint8_t *p, size_t len)
{
    /* Bounded: one read's worth of frames plus one whole message. */
    if (!reserve(&c->outq, &c->outq_cap, c->outq_len + len, 2 * BP_MAX_MESSAGE)) {
        c->phase = PH_ABORT;
        return;
    }
    if (len) memcpy(c->outq + c->outq_len, p, len);
    c->outq_len += len;
}

/* Write one frame now, or queue it under batch-before-echo. The payload is
 * masked in place under mask-server-frames. */
static void send_frame_rsv(bp_conn *c, uint8_t opcode, bool fin, uint8_t rsv, uint8_t *payload,
                           size_t len)
{
    if (c->phase == PH_ABORT) return;
    ws_frame_spec spec = {.fin = fin, .rsv = rsv, .opcode = opcode};
    if (has(c, BP_V(MASK_SERVER_FRAMES))) {
        spec.masked = true;
        memcpy(spec.mask_key, server_mask_key, 4);
        ws_mask(payload, len, server_mask_key, 0);
    }
    uint8_t hdr[WS_MAX_HEADER_SIZE];
    size_t hlen = ws_frame_write_header(&spec, len, hdr);
    if (has(c, BP_V(BATCH_BEFORE_ECHO))) {
        outq_append(c, hdr, hlen);
        outq_append(c, payload, len);
    } else if (!bp_send2(c->fd, hdr, hlen, payload, len)) {
        c->phase = PH_ABORT;
    }
}

static void send_frame(bp_conn *c, uint8_t opcode, bool fin, uint8_t *payload, size_t len)
{
    send_frame_rsv(c, opcode, fin, 0, payload, len);
}

static void flush_pending_pong(bp_conn *c)
{
    if (!c->pong_pending) return;
    c->pong_pending = false;
    send_frame(c, WS_OP_PONG, true, c->pong, c->pong_len);
}

/* Write everything held back: the pending pong, then the queue. */
static void flush_output(bp_conn *c)
{
    flush_pending_pong(c);
    if (c->outq_len && c->phase != PH_ABORT && !bp_send2(c->fd, c->outq, c->outq_len, NULL, 0))
        c->phase = PH_ABORT;
    c->outq_len = 0;
}

static void send_close(bp_conn *c, bool with_code, uint16_t code)
{
    uint8_t payload[2];
    size_t len = with_code ? ws_close_build(code, NULL, 0, payload) : 0;
    send_frame(c, WS_OP_CLOSE, true, payload, len);
    c->close_sent = true;
}

/* --------------------------------------------------------------- text */

static bool is_noncharacter(uint32_t cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* reject-noncharacters: false once a noncharacter has been completed. Input
 * is assumed to be valid UTF-8 so far (ws_utf8 checks that). */
static bool nonchar_feed(bp_nonchar *s, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = p[i];
        if (s->need > 0) {
            s->cp = (s->cp << 6) | (b & 0x3Fu);
            s->need--;
        } else if (b >= 0xF0) {
            s->cp = b & 0x07u;
            s->need = 3;
        } else if (b >= 0xE0) {
            s->cp = b & 0x0Fu;
            s->need = 2;
        } else if (b >= 0xC0) {
            s->cp = b & 0x1Fu;
            s->need = 1;
        } else {
            s->cp = b;
        }
        if (s->need == 0 && is_noncharacter(s->cp)) return false;
    }
    return true;
}

/* A chunk of a text message as it arrives (fail-fast). */
static bool text_chunk_ok(bp_conn *c, const uint8_t *p, size_t len)
{
    bool incremental = !has(c, BP_V(NO_UTF8_CHECK) | BP_V(UTF8_FAIL_LATE));
    if (incremental && ws_utf8_feed(&c->utf8, p, len) != WS_OK) return false;
    if (has(c, BP_V(REJECT_NONCHARACTERS)) && !nonchar_feed(&c->nonchar, p, len)) return false;
    return true;
}

/* A text message that has arrived completely. */
static bool text_message_ok(bp_conn *c)
{
    if (has(c, BP_V(NO_UTF8_CHECK))) return true;
    if (has(c, BP_V(UTF8_FAIL_LATE))) return ws_utf8_is_valid(c->msg, c->msg_len);
    if (has(c, BP_V(UTF8_ACCEPT_TRUNCATED))) return true;
    return ws_utf8_finish(&c->utf8) == WS_OK;
}

/* --------------------------------------------------------------- echo */

static void begin_message(bp_conn *c, uint8_t opcode, bool compressed)
{
    c->msg_open = true;
    c->msg_compressed = compressed;
    c->msg_dropped = false;
    c->msg_opcode = opcode;
    c->msg_len = 0;
    ws_utf8_init(&c->utf8);
    c->nonchar = (bp_nonchar){0, 0};
}

static void release_message(bp_conn *c)
{
    c->msg_open = false;
    c->msg_len = 0;
    if (c->msg_cap > BP_KEEP_BUFFER) {
        free(c->msg);
        c->msg = NULL;
        c->msg_cap = 0;
    }
}

/* corrupt-echo: change the last octet; an empty message gets one octet. */
static size_t corrupt_message(bp_conn *c)
{
    if (c->msg_len == 0) {
        if (!reserve(&c->msg, &c->msg_cap, 1, c->msg_limit)) return 0;
        c->msg[0] = '!';
        return 1;
    }
    c->msg[c->msg_len - 1] ^= 1;
    return c->msg_len;
}

static void echo_message(bp_conn *c)
{
    if (has(c, BP_V(NO_ECHO))) return;
    flush_pending_pong(c); /* keep pongs before later echoes */
    if (has(c, BP_V(SLOW_ECHO))) sleep(BP_SLOW_ECHO_S);
    uint8_t opcode = c->msg_opcode;
    if (has(c, BP_V(WRONG_TYPE_ECHO))) opcode = opcode == WS_OP_TEXT ? WS_OP_BINARY : WS_OP_TEXT;
    size_t len = has(c, BP_V(CORRUPT_ECHO)) ? corrupt_message(c) : c->msg_len;
    uint8_t *payload = c->msg, rsv = 0, *packed = NULL;
    if (c->pmd.on) {
        packed = bp_pmd_compress(&c->pmd, c->msg, len, &len);
        if (!packed) {
            fail(c, WS_ERR_NOMEM);
            return;
        }
        payload = packed;
        rsv = WS_RSV1;
    }
    if (has(c, BP_V(FRAGMENT_ECHO))) {
        size_t half = len / 2;
        send_frame_rsv(c, opcode, false, rsv, payload, half);
        send_frame(c, WS_OP_CONT, true, half ? payload + half : payload, len - half);
    } else {
        send_frame_rsv(c, opcode, true, rsv, payload, len);
    }
    free(packed);
}

static void finish_message(bp_conn *c)
{
    if (c->msg_dropped) {
        release_message(c);
        return;
    }
    if (c->msg_opcode == WS_OP_TEXT && !text_message_ok(c)) {
        fail(c, WS_ERR_UTF8_INVALID);
        return;
    }
    echo_message(c);
    release_message(c);
}

/* ------------------------------------------------------------ control */

static void answer_ping(bp_conn *c)
{
    if (has(c, BP_V(NO_PONG))) return;
    if (has(c, BP_V(BAD_PONG))) {
        if (c->ctl_len == 0)
            c->ctl[c->ctl_len++] = 'x';
        else
            c->ctl[c->ctl_len - 1] ^= 1;
    }
    if (has(c, BP_V(LATEST_PONG_ONLY))) {
        memcpy(c->pong, c->ctl, c->ctl_len);
        c->pong_len = c->ctl_len;
        c->pong_pending = true;
        return;
    }
    send_frame(c, WS_OP_PONG, true, c->ctl, c->ctl_len);
}

static void answer_close(bp_conn *c)
{
    if (c->phase == PH_LINGER) return; /* already answered */
    if (has(c, BP_V(NO_CLOSE_REPLY))) {
        c->phase = PH_IGNORE;
        return;
    }
    ws_close_info info;
    ws_err e = ws_close_parse(c->ctl, c->ctl_len, &info);
    if (e != WS_OK && !has(c, BP_V(ACCEPT_BAD_CLOSE))) {
        fail(c, e);
        return;
    }
    flush_pending_pong(c);
    if (has(c, BP_V(WRONG_CLOSE_CODE)))
        send_close(c, true, WS_CLOSE_PROTOCOL_ERROR);
    else if (e != WS_OK)
        send_close(c, true, WS_CLOSE_NORMAL);
    else
        send_close(c, info.has_code, info.code);
    if (c->phase == PH_OPEN) c->phase = has(c, BP_V(DATA_AFTER_CLOSE)) ? PH_LINGER : PH_CLOSED;
}

static void handle_control(bp_conn *c, uint8_t opcode)
{
    if (opcode == WS_OP_PING)
        answer_ping(c);
    else if (opcode == WS_OP_CLOSE)
        answer_close(c);
    /* pongs are ignored */
}

/* ------------------------------------------------------------- frames */

static bool waives(const bp_conn *c, ws_err e, const ws_frame_header *h)
{
    switch (e) {
    case WS_ERR_RESERVED_OPCODE:
        return has(c, BP_V(ACCEPT_RESERVED_OPCODE));
    case WS_ERR_CONTROL_FRAGMENTED:
        return has(c, BP_V(ACCEPT_BAD_CONTROL));
    case WS_ERR_CONTROL_TOO_LONG:
        return has(c, BP_V(ACCEPT_BAD_CONTROL)) ||
               (h->opcode == WS_OP_CLOSE && has(c, BP_V(ACCEPT_BAD_CLOSE)));
    case WS_ERR_LENGTH_MSB_SET:
        return has(c, BP_V(ACCEPT_MSB_LENGTH));
    default:
        return false;
    }
}

/*
 * The header rules the parser applies, in its order, for a frame it refused:
 * the first one broken and not waived by a violation, or WS_OK. The parser
 * stops at its first error, so the rules after a waived one must be re-run
 * here to keep every other rule in force.
 */
static ws_err first_unwaived_error(const bp_conn *c, const ws_frame_header *h)
{
    const ws_parser *p = &c->parser;
    bool control = ws_opcode_is_control(h->opcode);
    bool data = !control && !ws_opcode_is_reserved(h->opcode);
    bool frag_check = data && !p->cfg.skip_fragment_check;
    ws_err rules[] = {
        ws_opcode_is_reserved(h->opcode) ? WS_ERR_RESERVED_OPCODE : WS_OK,
        (h->rsv & ~p->cfg.allowed_rsv) ? WS_ERR_RSV_NOT_NEGOTIATED : WS_OK,
        (h->len_form == WS_LEN_64 && (h->payload_len >> 63)) ? WS_ERR_LENGTH_MSB_SET : WS_OK,
        (control && !h->fin) ? WS_ERR_CONTROL_FRAGMENTED : WS_OK,
        (control && h->payload_len > WS_MAX_CONTROL_PAYLOAD) ? WS_ERR_CONTROL_TOO_LONG : WS_OK,
        (!p->cfg.skip_mask_check && !h->masked) ? WS_ERR_MASK_MISSING : WS_OK,
        (frag_check && h->opcode == WS_OP_CONT && !p->in_message) ? WS_ERR_UNEXPECTED_CONTINUATION
                                                                  : WS_OK,
        (frag_check && h->opcode != WS_OP_CONT && p->in_message) ? WS_ERR_EXPECTED_CONTINUATION
                                                                 : WS_OK,
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i] != WS_OK && !waives(c, rules[i], h)) return rules[i];
    return WS_OK;
}

/* Put a parser that refused a header back into the state it would have had
 * if the header had been accepted. */
static void parser_resume(ws_parser *p)
{
    const ws_frame_header *h = &p->header;
    if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY) p->message_opcode = h->opcode;
    if (h->opcode <= WS_OP_BINARY) p->in_message = !h->fin;
    p->error = WS_OK;
    p->remaining = h->payload_len;
    p->state = h->payload_len ? WS_PARSE_PAYLOAD : WS_PARSE_HEADER;
}

static bp_frame_kind classify(const bp_conn *c, const ws_frame_header *h)
{
    if (ws_opcode_is_reserved(h->opcode)) return FK_DISCARD; /* accept-reserved-opcode */
    if (h->payload_len >> 63) return FK_DISCARD;             /* accept-msb-length */
    if (ws_opcode_is_control(h->opcode)) return FK_CONTROL;
    if (h->opcode == WS_OP_CONT && !c->msg_open) return FK_DISCARD; /* accept-bad-fragments */
    return FK_DATA;
}

static void on_header(bp_conn *c, const ws_frame_header *h)
{
    ws_err e = c->pmd.on ? bp_pmd_header_error(c->v, h) : WS_OK;
    if (e != WS_OK) {
        fail(c, e);
        return;
    }
    c->frame_kind = classify(c, h);
    if (c->frame_kind == FK_CONTROL) c->ctl_len = 0;
    if (c->frame_kind != FK_DATA) return;
    if (h->opcode != WS_OP_CONT)
        begin_message(c, h->opcode, c->pmd.on && (h->rsv & WS_RSV1));
    if (h->payload_len > c->msg_limit - c->msg_len) fail(c, WS_ERR_MESSAGE_TOO_LARGE);
}

/* Append octets of the (uncompressed) message being gathered. */
static void message_add(bp_conn *c, const uint8_t *p, size_t len)
{
    if (!reserve(&c->msg, &c->msg_cap, c->msg_len + len, c->msg_limit)) {
        fail(c, WS_ERR_NOMEM);
        return;
    }
    memcpy(c->msg + c->msg_len, p, len);
    c->msg_len += len;
    if (c->msg_opcode == WS_OP_TEXT && !text_chunk_ok(c, p, len))
        fail(c, WS_ERR_UTF8_INVALID);
}

static ws_err inflated(void *ctx, const uint8_t *data, size_t len)
{
    bp_conn *c = ctx;
    message_add(c, data, len);
    return accepting_input(c) ? WS_OK : WS_ERR_CLOSED;
}

/* Inflate a chunk of a compressed message into the message buffer. The
 * inflater stops at the message limit (a bomb gives 1009). */
static void inflate_chunk(bp_conn *c, const uint8_t *p, size_t len, bool message_end)
{
    ws_err e = ws_inflate_feed(&c->pmd.inflater, p, len, message_end, inflated, c);
    if (e == WS_OK || !accepting_input(c))
        return;
    if (!bp_pmd_waives(c->v, e)) {
        fail(c, e);
        return;
    }
    c->msg_dropped = true;
    if (bp_pmd_restart_inflater(&c->pmd) != WS_OK)
        fail(c, WS_ERR_NOMEM);
}

static void on_payload(bp_conn *c, const uint8_t *p, size_t len)
{
    if (c->frame_kind == FK_CONTROL) {
        size_t take = len < BP_CTL_CAP - c->ctl_len ? len : BP_CTL_CAP - c->ctl_len;
        memcpy(c->ctl + c->ctl_len, p, take);
        c->ctl_len += take;
    } else if (c->frame_kind == FK_DATA && c->msg_compressed) {
        if (!c->msg_dropped)
            inflate_chunk(c, p, len, false);
    } else if (c->frame_kind == FK_DATA) {
        message_add(c, p, len);
    }
}

static void on_frame_end(bp_conn *c, const ws_frame_header *h)
{
    if (c->frame_kind == FK_CONTROL) {
        handle_control(c, h->opcode);
        return;
    }
    if (c->frame_kind != FK_DATA)
        return;
    if (c->msg_compressed && !c->msg_dropped && (h->fin || has(c, BP_V(PMD_INFLATE_PER_FRAME))))
        inflate_chunk(c, NULL, 0, true);
    if (h->fin && accepting_input(c))
        finish_message(c);
}

/* A refused header: waive it if a violation says so, else fail. */
static void on_parse_error(bp_conn *c, ws_err e)
{
    const ws_frame_header *h = &c->parser.header;
    ws_err rest = waives(c, e, h) ? first_unwaived_error(c, h) : e;
    if (rest != WS_OK) {
        fail(c, rest);
        return;
    }
    parser_resume(&c->parser);
    on_header(c, h);
    if (accepting_input(c) && h->payload_len == 0) on_frame_end(c, h);
}

static void on_event(bp_conn *c, const ws_frame_event *ev)
{
    if (ev->type == WS_EVENT_HEADER)
        on_header(c, &ev->header);
    else
        on_payload(c, ev->data, ev->len);
    if (accepting_input(c) && ev->frame_done) on_frame_end(c, &ev->header);
}

/* Process one read's worth of input. */
static void process_input(bp_conn *c, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (accepting_input(c)) {
        ws_frame_event ev;
        size_t used = 0;
        ws_err e = ws_parser_feed(&c->parser, buf + pos, len - pos, &used, &ev);
        pos += used;
        if (e != WS_OK)
            on_parse_error(c, e);
        else if (ev.type == WS_EVENT_NONE)
            return;
        else
            on_event(c, &ev);
    }
}

/* ------------------------------------------------------------ session */

static void fail_connection(bp_conn *c)
{
    if (has(c, BP_V(BATCH_BEFORE_ECHO))) {
        c->outq_len = 0; /* the replies of this read are never sent */
        c->pong_pending = false;
    }
    flush_output(c);
    if (!has(c, BP_V(CLOSE_ON_ERROR_SILENTLY)) && !c->close_sent) {
        send_close(c, true, close_code_for(c, c->fail_err));
        flush_output(c);
    }
    bp_close_gracefully(c->fd);
}

/* After a read was processed: write what is pending and act on the phase.
 * Returns true while the session goes on reading. */
static bool after_read(bp_conn *c)
{
    if (c->phase == PH_FAILED) {
        fail_connection(c);
        return false;
    }
    flush_output(c);
    switch (c->phase) {
    case PH_OPEN:
    case PH_LINGER:
        return true;
    case PH_CLOSED:
        if (has(c, BP_V(NO_TCP_CLOSE)))
            bp_wait_for_drop(c->fd, BP_WAIT_DROP_MS);
        else
            bp_close_gracefully(c->fd);
        return false;
    case PH_IGNORE:
        bp_wait_for_drop(c->fd, BP_WAIT_DROP_MS);
        return false;
    default:
        close(c->fd);
        return false;
    }
}

static void init_conn(bp_conn *c, int fd, bp_flags v)
{
    c->fd = fd;
    c->v = v;
    c->phase = PH_OPEN;
    c->msg_limit = bp_has(v, BP_V(SMALL_MESSAGE_LIMIT)) ? BP_SMALL_MESSAGE : BP_MAX_MESSAGE;
    ws_parser_config cfg = {.role = WS_ROLE_SERVER};
    if (bp_has(v, BP_V(ACCEPT_RSV))) cfg.allowed_rsv = WS_RSV1 | WS_RSV2 | WS_RSV3;
    if (bp_has(v, BP_V(ACCEPT_UNMASKED))) cfg.skip_mask_check = true;
    if (bp_has(v, BP_V(ACCEPT_BAD_FRAGMENTS))) cfg.skip_fragment_check = true;
    ws_parser_init(&c->parser, &cfg);
}

/* batch-before-echo: keep queued replies back while more input follows
 * closely, so a bad frame right after a good message is seen first. */
static bool hold_replies(const bp_conn *c)
{
    return has(c, BP_V(BATCH_BEFORE_ECHO)) && c->phase == PH_OPEN && c->outq_len > 0 &&
           c->outq_len < BP_BATCH_MAX && bp_wait_readable(c->fd, BP_BATCH_QUIET_MS);
}

/* Read until the session ends; the socket is closed on return. */
static void run(bp_conn *c, size_t leftover)
{
    size_t len = leftover;
    for (;;) {
        if (len > 0) {
            process_input(c, c->rbuf, len);
            if (!hold_replies(c) && !after_read(c)) return;
        }
        if (c->phase == PH_LINGER) bp_set_recv_timeout(c->fd, BP_LINGER_MS);
        ssize_t n = bp_recv(c->fd, c->rbuf, sizeof c->rbuf);
        if (n == 0 && c->phase == PH_OPEN) {
            close(c->fd); /* the client dropped TCP without a close */
            return;
        }
        if (n <= 0) {
            bp_close_gracefully(c->fd); /* timeout, error, or end of linger */
            return;
        }
        len = (size_t)n;
    }
}

void bp_serve(int fd, bp_flags violations)
{
    bp_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    init_conn(c, fd, violations);
    size_t leftover = 0;
    ws_pmd_params agreed;
    bool pmd_on = false;
    bool open = bp_set_timeouts(fd, BP_IO_TIMEOUT_MS) &&
                bp_handshake(fd, violations, c->rbuf, sizeof c->rbuf, &leftover, &agreed, &pmd_on);
    if (open && pmd_on) {
        open = bp_pmd_start(&c->pmd, &agreed, violations, c->msg_limit) == WS_OK;
        c->parser.cfg.allowed_rsv |= WS_RSV1;
    }
    if (!open)
        bp_close_gracefully(fd);
    else if (bp_has(violations, BP_V(STALL_AFTER_HANDSHAKE)))
        bp_stall(fd, BP_WAIT_DROP_MS);
    else
        run(c, leftover);
    bp_pmd_end(&c->pmd);
    free(c->msg);
    free(c->outq);
    free(c);
}
