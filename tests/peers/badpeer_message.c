/*
 * wsspec-badpeer: the messages of one session and the replies to them.
 *
 * Data messages are gathered (inflated first under permessage-deflate),
 * text is validated chunk by chunk as it arrives (fail-fast), and a whole
 * message is echoed; pings and closes are answered. Replies are written at
 * once, or queued under batch-before-echo. Each violation switch bends
 * exactly one of these steps.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/close.h"

#include "badpeer_session.h"

#define BP_KEEP_BUFFER (1024u * 1024) /* free message buffers larger than this */
#define BP_SLOW_ECHO_S 3

static const uint8_t server_mask_key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Grow a buffer to hold `need` octets, at most `limit`. */
static bool reserve(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
    if (need <= *cap)
        return true;
    if (need > limit)
        return false;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap = ncap > limit / 2 ? limit : ncap * 2;
    uint8_t *p = realloc(*buf, ncap);
    if (!p)
        return false;
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
    if (len)
        memcpy(c->outq + c->outq_len, p, len);
    c->outq_len += len;
}

/* Write one frame now, or queue it under batch-before-echo. The payload is
 * masked in place under mask-server-frames. */
static void send_frame_rsv(bp_conn *c, uint8_t opcode, bool fin, uint8_t rsv, uint8_t *payload,
                           size_t len)
{
    if (c->phase == PH_ABORT)
        return;
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
    if (!c->pong_pending)
        return;
    c->pong_pending = false;
    send_frame(c, WS_OP_PONG, true, c->pong, c->pong_len);
}

/* Write everything held back: the pending pong, then the queue. */
void bp_flush_output(bp_conn *c)
{
    flush_pending_pong(c);
    if (c->outq_len && c->phase != PH_ABORT && !bp_send2(c->fd, c->outq, c->outq_len, NULL, 0))
        c->phase = PH_ABORT;
    c->outq_len = 0;
}

void bp_send_close(bp_conn *c, bool with_code, uint16_t code)
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
        if (s->need == 0 && is_noncharacter(s->cp))
            return false;
    }
    return true;
}

/* A chunk of a text message as it arrives (fail-fast). */
static bool text_chunk_ok(bp_conn *c, const uint8_t *p, size_t len)
{
    bool incremental = !has(c, BP_V(NO_UTF8_CHECK) | BP_V(UTF8_FAIL_LATE));
    if (incremental && ws_utf8_feed(&c->utf8, p, len) != WS_OK)
        return false;
    if (has(c, BP_V(REJECT_NONCHARACTERS)) && !nonchar_feed(&c->nonchar, p, len))
        return false;
    return true;
}

/* A text message that has arrived completely. */
static bool text_message_ok(bp_conn *c)
{
    if (has(c, BP_V(NO_UTF8_CHECK)))
        return true;
    if (has(c, BP_V(UTF8_FAIL_LATE)))
        return ws_utf8_is_valid(c->msg, c->msg_len);
    if (has(c, BP_V(UTF8_ACCEPT_TRUNCATED)))
        return true;
    return ws_utf8_finish(&c->utf8) == WS_OK;
}

/* --------------------------------------------------------------- echo */

void bp_begin_message(bp_conn *c, uint8_t opcode, bool compressed)
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
        if (!reserve(&c->msg, &c->msg_cap, 1, c->msg_limit))
            return 0;
        c->msg[0] = '!';
        return 1;
    }
    c->msg[c->msg_len - 1] ^= 1;
    return c->msg_len;
}

static void echo_message(bp_conn *c)
{
    if (has(c, BP_V(NO_ECHO)))
        return;
    flush_pending_pong(c); /* keep pongs before later echoes */
    if (has(c, BP_V(SLOW_ECHO)))
        sleep(BP_SLOW_ECHO_S);
    uint8_t opcode = c->msg_opcode;
    if (has(c, BP_V(WRONG_TYPE_ECHO)))
        opcode = opcode == WS_OP_TEXT ? WS_OP_BINARY : WS_OP_TEXT;
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

void bp_finish_message(bp_conn *c)
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
    if (has(c, BP_V(NO_PONG)))
        return;
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
    if (c->phase == PH_LINGER)
        return; /* already answered */
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
        bp_send_close(c, true, WS_CLOSE_PROTOCOL_ERROR);
    else if (e != WS_OK)
        bp_send_close(c, true, WS_CLOSE_NORMAL);
    else
        bp_send_close(c, info.has_code, info.code);
    if (c->phase == PH_OPEN)
        c->phase = has(c, BP_V(DATA_AFTER_CLOSE)) ? PH_LINGER : PH_CLOSED;
}

void bp_handle_control(bp_conn *c, uint8_t opcode)
{
    if (opcode == WS_OP_PING)
        answer_ping(c);
    else if (opcode == WS_OP_CLOSE)
        answer_close(c);
    /* pongs are ignored */
}

/* Append octets of the (uncompressed) message being gathered. */
void bp_message_add(bp_conn *c, const uint8_t *p, size_t len)
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
    bp_message_add(c, data, len);
    return accepting_input(c) ? WS_OK : WS_ERR_CLOSED;
}

/* Inflate a chunk of a compressed message into the message buffer. The
 * inflater stops at the message limit (a bomb gives 1009). */
void bp_inflate_chunk(bp_conn *c, const uint8_t *p, size_t len, bool message_end)
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
