/*
 * wsspec-badpeer: one WebSocket session after the opening handshake.
 *
 * Input is read in chunks and fed to ws_parser (server role); its events
 * go to badpeer_message.c, which gathers, checks and echoes messages and
 * answers control frames. A header the parser refuses is waived when a
 * violation switch says so, and the parser resumed. After each read the
 * replies are written and the phase decides whether the session goes on,
 * closes TCP, or fails the connection.
 *
 * Replies produced while one read is processed are normally written at
 * once; under batch-before-echo they are queued and written only when the
 * whole read went through without an error.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/close.h"

#include "badpeer_session.h"

#define BP_SMALL_MESSAGE  (64u * 1024)   /* the limit under small-message-limit */
#define BP_LINGER_MS      300            /* data-after-close: how long to keep answering */
#define BP_BATCH_QUIET_MS 20             /* batch-before-echo: hold replies until input pauses */
#define BP_BATCH_MAX      (1024u * 1024) /* ... or this much is queued */

/* The close code a failure is reported with. */
static uint16_t close_code_for(const bp_conn *c, ws_err e)
{
    if (has(c, BP_V(WRONG_CLOSE_CODE)))
        return WS_CLOSE_NORMAL;
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
        if (rules[i] != WS_OK && !waives(c, rules[i], h))
            return rules[i];
    return WS_OK;
}

/* Put a parser that refused a header back into the state it would have had
 * if the header had been accepted. */
static void parser_resume(ws_parser *p)
{
    const ws_frame_header *h = &p->header;
    if (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY)
        p->message_opcode = h->opcode;
    if (h->opcode <= WS_OP_BINARY)
        p->in_message = !h->fin;
    p->error = WS_OK;
    p->remaining = h->payload_len;
    p->state = h->payload_len ? WS_PARSE_PAYLOAD : WS_PARSE_HEADER;
}

static bp_frame_kind classify(const bp_conn *c, const ws_frame_header *h)
{
    if (ws_opcode_is_reserved(h->opcode))
        return FK_DISCARD; /* accept-reserved-opcode */
    if (h->payload_len >> 63)
        return FK_DISCARD; /* accept-msb-length */
    if (ws_opcode_is_control(h->opcode))
        return FK_CONTROL;
    if (h->opcode == WS_OP_CONT && !c->msg_open)
        return FK_DISCARD; /* accept-bad-fragments */
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
    if (c->frame_kind == FK_CONTROL)
        c->ctl_len = 0;
    if (c->frame_kind != FK_DATA)
        return;
    if (h->opcode != WS_OP_CONT)
        bp_begin_message(c, h->opcode, c->pmd.on && (h->rsv & WS_RSV1));
    if (h->payload_len > c->msg_limit - c->msg_len)
        fail(c, WS_ERR_MESSAGE_TOO_LARGE);
}

static void on_payload(bp_conn *c, const uint8_t *p, size_t len)
{
    if (c->frame_kind == FK_CONTROL) {
        size_t take = len < BP_CTL_CAP - c->ctl_len ? len : BP_CTL_CAP - c->ctl_len;
        memcpy(c->ctl + c->ctl_len, p, take);
        c->ctl_len += take;
    } else if (c->frame_kind == FK_DATA && c->msg_compressed) {
        if (!c->msg_dropped)
            bp_inflate_chunk(c, p, len, false);
    } else if (c->frame_kind == FK_DATA) {
        bp_message_add(c, p, len);
    }
}

static void on_frame_end(bp_conn *c, const ws_frame_header *h)
{
    if (c->frame_kind == FK_CONTROL) {
        bp_handle_control(c, h->opcode);
        return;
    }
    if (c->frame_kind != FK_DATA)
        return;
    if (c->msg_compressed && !c->msg_dropped && (h->fin || has(c, BP_V(PMD_INFLATE_PER_FRAME))))
        bp_inflate_chunk(c, NULL, 0, true);
    if (h->fin && accepting_input(c))
        bp_finish_message(c);
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
    if (accepting_input(c) && h->payload_len == 0)
        on_frame_end(c, h);
}

static void on_event(bp_conn *c, const ws_frame_event *ev)
{
    if (ev->type == WS_EVENT_HEADER)
        on_header(c, &ev->header);
    else
        on_payload(c, ev->data, ev->len);
    if (accepting_input(c) && ev->frame_done)
        on_frame_end(c, &ev->header);
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
    bp_flush_output(c);
    if (!has(c, BP_V(CLOSE_ON_ERROR_SILENTLY)) && !c->close_sent) {
        bp_send_close(c, true, close_code_for(c, c->fail_err));
        bp_flush_output(c);
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
    bp_flush_output(c);
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
    if (bp_has(v, BP_V(ACCEPT_RSV)))
        cfg.allowed_rsv = WS_RSV1 | WS_RSV2 | WS_RSV3;
    if (bp_has(v, BP_V(ACCEPT_UNMASKED)))
        cfg.skip_mask_check = true;
    if (bp_has(v, BP_V(ACCEPT_BAD_FRAGMENTS)))
        cfg.skip_fragment_check = true;
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
            if (!hold_replies(c) && !after_read(c))
                return;
        }
        if (c->phase == PH_LINGER)
            bp_set_recv_timeout(c->fd, BP_LINGER_MS);
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
