/*
 * wsspec-badclient: one connection after the TCP connect. The opening
 * handshake, then frames in the client role: validation (RFC 6455 §5, §8.1),
 * echo, ping/pong and the close handshake (§7), each rule breakable by one
 * violation switch. With permessage-deflate agreed, messages with RSV1 are
 * inflated as they arrive and every echo is compressed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/utf8.h"

#include "badclient.h"

typedef struct {
    int fd;
    bc_flags v;
    bc_mode mode;
    bc_outcome *out;
    ws_parser parser;
    bool done; /* fd has been closed: stop */
    /* The data message being received. */
    uint8_t msg_opcode;
    bool msg_compressed; /* RSV1 on its first frame */
    uint8_t *msg;
    size_t msg_len, msg_cap;
    ws_utf8 utf8;
    /* The control frame being received. */
    uint8_t ctrl[WS_MAX_CONTROL_PAYLOAD];
    size_t ctrl_len;
    bool skipping; /* the current frame has a reserved opcode and is ignored */
    bc_pmd pmd;
} session;

/* ---------------------------------------------------------------- sending */

/* Send one final frame. The payload is masked in place, so the caller's
 * buffer is scratch afterwards. */
static bool send_frame_rsv(session *s, uint8_t opcode, uint8_t rsv, uint8_t *payload, size_t len)
{
    ws_frame_spec spec = {.fin = true, .rsv = rsv, .opcode = opcode};
    spec.masked = !bc_has(s->v, BC_V(NO_MASK));
    if (spec.masked && !bc_has(s->v, BC_V(ZERO_MASK)))
        bc_random(spec.mask_key, sizeof spec.mask_key);
    uint8_t header[WS_MAX_HEADER_SIZE];
    size_t hlen = ws_frame_write_header(&spec, len, header);
    if (hlen == 0)
        return false;
    if (spec.masked)
        ws_mask(payload, len, spec.mask_key, 0);
    return bc_send2(s->fd, header, hlen, payload, len);
}

static bool send_frame(session *s, uint8_t opcode, uint8_t *payload, size_t len)
{
    return send_frame_rsv(s, opcode, 0, payload, len);
}

static bool send_close(session *s, int code)
{
    uint8_t payload[2];
    size_t len = 0;
    if (code >= 0)
        len = ws_close_build((uint16_t)code, NULL, 0, payload);
    s->out->close_sent = code >= 0 ? code : WS_CLOSE_NO_STATUS;
    return send_frame(s, WS_OP_CLOSE, payload, len);
}

/* The end of the connection: nothing more is read or sent. */
static void finish(session *s, bool wait_for_server)
{
    if (wait_for_server)
        bc_wait_for_drop(s->fd, BC_WAIT_CLOSE_MS);
    else
        close(s->fd);
    s->done = true;
}

static int close_code_for(ws_err e)
{
    switch (e) {
    case WS_ERR_UTF8_INVALID:
    case WS_ERR_CLOSE_REASON_UTF8:
        return WS_CLOSE_INVALID_PAYLOAD;
    case WS_ERR_FRAME_TOO_LARGE:
    case WS_ERR_MESSAGE_TOO_LARGE:
        return WS_CLOSE_TOO_BIG;
    case WS_ERR_NOMEM:
        return WS_CLOSE_INTERNAL_ERROR;
    default:
        return WS_CLOSE_PROTOCOL_ERROR;
    }
}

/* Fail the WebSocket connection (§7.1.7): send a close frame with the code
 * for `e`, then let the server close TCP first (up to BC_WAIT_CLOSE_MS). */
static void fail(session *s, ws_err e)
{
    s->out->failure = e;
    send_close(s, close_code_for(e));
    finish(s, true);
}

/* ----------------------------------------------------------- messages */

/* Room for `need` octets of message (and one more for corrupt-echo). */
static bool msg_reserve(session *s, size_t need)
{
    need += 1;
    if (need <= s->msg_cap)
        return true;
    size_t cap = s->msg_cap ? s->msg_cap : 4096;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(s->msg, cap);
    if (!p)
        return false;
    s->msg = p;
    s->msg_cap = cap;
    return true;
}

/* Append message octets; fail fast (§8.1) on invalid text, even mid-frame. */
static void msg_add(session *s, const uint8_t *data, size_t len)
{
    if (!msg_reserve(s, s->msg_len + len)) {
        fail(s, WS_ERR_NOMEM);
        return;
    }
    memcpy(s->msg + s->msg_len, data, len);
    s->msg_len += len;
    if (s->msg_opcode == WS_OP_TEXT && !bc_has(s->v, BC_V(NO_UTF8_CHECK)) &&
        !bc_has(s->v, BC_V(UTF8_FAIL_LATE)) && ws_utf8_feed(&s->utf8, data, len) != WS_OK)
        fail(s, WS_ERR_UTF8_INVALID);
}

/* The inflater's output (limited to BC_MAX_MESSAGE per message). */
static ws_err inflated(void *ctx, const uint8_t *data, size_t len)
{
    session *s = ctx;
    msg_add(s, data, len);
    return s->done ? WS_ERR_CLOSED : WS_OK;
}

/* -------------------------------------------------------- complete units */

static void on_message(session *s)
{
    if (s->msg_compressed) {
        ws_err e = ws_inflate_feed(&s->pmd.inflater, NULL, 0, true, inflated, s);
        if (e != WS_OK && !s->done)
            fail(s, e);
        if (s->done)
            return;
    }
    if (s->msg_opcode == WS_OP_TEXT && !bc_has(s->v, BC_V(NO_UTF8_CHECK))) {
        bool ok = bc_has(s->v, BC_V(UTF8_FAIL_LATE)) ? ws_utf8_is_valid(s->msg, s->msg_len)
                                                     : ws_utf8_finish(&s->utf8) == WS_OK;
        if (!ok) {
            fail(s, WS_ERR_UTF8_INVALID);
            return;
        }
    }
    s->out->messages++;
    if (s->mode == BC_MODE_COUNT && s->msg_opcode == WS_OP_TEXT && !s->out->has_text) {
        size_t n = s->msg_len < BC_MAX_COUNT_LENGTH ? s->msg_len : BC_MAX_COUNT_LENGTH;
        memcpy(s->out->text, s->msg, n);
        s->out->text[n] = '\0';
        s->out->has_text = true;
    }
    if (s->mode != BC_MODE_CASE || bc_has(s->v, BC_V(NO_ECHO)))
        return;
    if (bc_has(s->v, BC_V(CORRUPT_ECHO))) {
        if (s->msg_len == 0) {
            if (!msg_reserve(s, 0)) {
                fail(s, WS_ERR_NOMEM);
                return;
            }
            s->msg[0] = 'x';
            s->msg_len = 1;
        } else {
            s->msg[s->msg_len - 1] ^= 1;
        }
    }
    if (s->pmd.on) {
        size_t len;
        uint8_t *packed = bc_pmd_compress(&s->pmd, s->msg, s->msg_len, &len);
        if (!packed) {
            fail(s, WS_ERR_NOMEM);
            return;
        }
        if (!send_frame_rsv(s, s->msg_opcode, WS_RSV1, packed, len))
            finish(s, false);
        free(packed);
        return;
    }
    if (!send_frame(s, s->msg_opcode, s->msg, s->msg_len))
        finish(s, false);
}

static void on_close_frame(session *s)
{
    ws_close_info ci;
    ws_err e = ws_close_parse(s->ctrl, s->ctrl_len, &ci);
    s->out->close_received = ci.has_code ? ci.code : WS_CLOSE_NO_STATUS;
    if (e != WS_OK) {
        fail(s, e);
        return;
    }
    if (bc_has(s->v, BC_V(NO_CLOSE_REPLY))) {
        /* Say nothing; the server has to give up and drop TCP. */
        bc_wait_for_drop(s->fd, BC_IO_TIMEOUT_MS);
        s->done = true;
        return;
    }
    int code = ci.has_code ? ci.code : -1; /* §5.5.1: echo the status code */
    if (bc_has(s->v, BC_V(WRONG_CLOSE_CODE)))
        code = WS_CLOSE_PROTOCOL_ERROR;
    bool sent = send_close(s, code);
    /* §7.1.1: the server closes TCP first; the client waits for it. */
    finish(s, sent && !bc_has(s->v, BC_V(CLOSE_TCP_FIRST)));
}

static void on_control(session *s, uint8_t opcode)
{
    if (opcode == WS_OP_PING) {
        if (bc_has(s->v, BC_V(CRASH_LONG_PING)) && s->ctrl_len > 64)
            abort();
        if (!bc_has(s->v, BC_V(NO_PONG)) && !send_frame(s, WS_OP_PONG, s->ctrl, s->ctrl_len))
            finish(s, false);
    } else if (opcode == WS_OP_CLOSE) {
        on_close_frame(s);
    }
    /* Pongs need no answer. */
}

/* ------------------------------------------------------------ frame events */

static void on_header(session *s, const ws_frame_event *ev)
{
    const ws_frame_header *h = &ev->header;
    /* permessage-deflate: RSV1 only on the first frame of a data message
     * (RFC 7692 §6); without the extension the parser refuses it. */
    bool rsv1 = (h->rsv & WS_RSV1) != 0;
    if (s->pmd.on && rsv1 && (ws_opcode_is_control(h->opcode) || h->opcode == WS_OP_CONT)) {
        fail(s, WS_ERR_RSV_NOT_NEGOTIATED);
        return;
    }
    if (ws_opcode_is_control(h->opcode)) {
        s->ctrl_len = 0;
    } else {
        if (h->opcode != WS_OP_CONT) {
            s->msg_opcode = h->opcode;
            s->msg_compressed = s->pmd.on && rsv1;
            s->msg_len = 0;
            ws_utf8_init(&s->utf8);
        }
        if (h->payload_len > BC_MAX_MESSAGE - s->msg_len) {
            fail(s, WS_ERR_MESSAGE_TOO_LARGE);
            return;
        }
        if (!s->msg_compressed && !msg_reserve(s, s->msg_len + (size_t)h->payload_len))
            fail(s, WS_ERR_NOMEM);
    }
}

static void on_payload(session *s, const ws_frame_event *ev)
{
    if (ws_opcode_is_control(ev->header.opcode)) {
        /* The parser guarantees at most 125 octets. */
        memcpy(s->ctrl + ev->offset, ev->data, ev->len);
        s->ctrl_len = (size_t)ev->offset + ev->len;
        return;
    }
    if (!s->msg_compressed) {
        msg_add(s, ev->data, ev->len);
        return;
    }
    ws_err e = ws_inflate_feed(&s->pmd.inflater, ev->data, ev->len, false, inflated, s);
    if (e != WS_OK && !s->done)
        fail(s, e);
}

static void on_event(session *s, const ws_frame_event *ev)
{
    if (ev->type == WS_EVENT_HEADER)
        on_header(s, ev);
    if (ev->type == WS_EVENT_PAYLOAD && !s->skipping)
        on_payload(s, ev);
    if (s->done || !ev->frame_done)
        return;
    if (s->skipping) {
        s->skipping = false;
        return;
    }
    if (ws_opcode_is_control(ev->header.opcode))
        on_control(s, ev->header.opcode);
    else if (ev->message_done)
        on_message(s);
}

/* accept-reserved-opcode: resume after a frame the parser refused for its
 * opcode alone, and ignore that frame's payload. */
static void skip_reserved_frame(session *s, const ws_frame_header *h)
{
    ws_parser *p = &s->parser;
    p->header = *h;
    p->error = WS_OK;
    p->remaining = h->payload_len;
    p->state = h->payload_len ? WS_PARSE_PAYLOAD : WS_PARSE_HEADER;
    s->skipping = h->payload_len != 0;
}

/* Feed received octets through the parser. */
static void process(session *s, uint8_t *data, size_t len)
{
    size_t off = 0;
    while (!s->done && off < len) {
        size_t used;
        ws_frame_event ev;
        ws_err e = ws_parser_feed(&s->parser, data + off, len - off, &used, &ev);
        off += used;
        if (e == WS_ERR_RESERVED_OPCODE && bc_has(s->v, BC_V(ACCEPT_RESERVED_OPCODE))) {
            skip_reserved_frame(s, &ev.header);
            continue;
        }
        if (e != WS_OK) {
            fail(s, e);
            return;
        }
        if (ev.type != WS_EVENT_NONE)
            on_event(s, &ev);
        else if (used == 0)
            break;
    }
}

void bc_session(int fd, bc_flags v, bc_mode mode, const char *host, const char *resource,
                uint8_t *buf, size_t cap, bc_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->close_received = out->close_sent = -1;
    size_t have = 0;
    session s = {.fd = fd, .v = v, .mode = mode, .out = out};
    out->handshake = bc_handshake(fd, v, host, resource, buf, cap, &have, &s.pmd);
    if (out->handshake != WS_OK) {
        close(fd); /* §4.1: fail the connection; nothing is sent after the request */
        return;
    }

    ws_parser_config cfg = {.role = WS_ROLE_CLIENT, .max_payload = BC_MAX_MESSAGE};
    if (s.pmd.on)
        cfg.allowed_rsv = WS_RSV1;
    if (bc_has(v, BC_V(ACCEPT_RSV)))
        cfg.allowed_rsv = WS_RSV1 | WS_RSV2 | WS_RSV3;
    if (bc_has(v, BC_V(ACCEPT_MASKED_FRAMES)))
        cfg.skip_mask_check = true;
    ws_parser_init(&s.parser, &cfg);

    process(&s, buf, have);
    while (!s.done) {
        ssize_t n = bc_recv(fd, buf, cap);
        if (n <= 0) {
            /* EOF, reset or timeout before the close handshake completed. */
            out->dropped = true;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                out->failure = WS_ERR_TIMEOUT;
            finish(&s, false);
            break;
        }
        process(&s, buf, (size_t)n);
    }
    bc_pmd_end(&s.pmd);
    free(s.msg);
}
