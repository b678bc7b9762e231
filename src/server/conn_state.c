/*
 * The echo server's per-connection protocol state machine: opening
 * handshake, then frames. No I/O here: received octets come in, output is
 * queued in c->out, and c->state says when the connection is to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsspec/close.h"
#include "server/server_internal.h"

#define MAX_HEADERS     64
#define SERVER_NAME     "wsspec/0.1"
#define MSG_INITIAL_CAP 4096

ws_err ws_srv_conn_init(ws_srv_conn *c, uint64_t max_message, bool deflate_enabled)
{
    c->head = malloc(WS_HTTP_DEFAULT_MAX_HEAD);
    if (!c->head)
        return WS_ERR_NOMEM;
    c->head_len = 0;
    c->state = WS_SRV_HANDSHAKE;
    c->max_message = max_message;
    c->deflate_enabled = deflate_enabled;
    c->deflate_level = WS_DEFLATE_DEFAULT_LEVEL;
    ws_parser_config pc = {.role = WS_ROLE_SERVER, .max_payload = max_message};
    ws_parser_init(&c->parser, &pc);
    return WS_OK;
}

static void free_message(ws_srv_conn *c)
{
    free(c->msg);
    c->msg = NULL;
    c->msg_len = c->msg_cap = 0;
}

void ws_srv_conn_release(ws_srv_conn *c)
{
    free(c->head);
    c->head = NULL;
    free_message(c);
    ws_srv_pmd_free(c);
    ws_srv_buf_free(&c->out);
}

/* ------------------------------------------------------------ output */

static ws_err queue_frame(ws_srv_conn *c, uint8_t opcode, const uint8_t *payload, size_t len)
{
    ws_frame_spec spec = {.fin = true, .opcode = opcode};
    uint8_t hdr[WS_MAX_HEADER_SIZE];
    size_t hlen = ws_frame_write_header(&spec, len, hdr);
    ws_err e = ws_srv_buf_append(&c->out, hdr, hlen);
    if (e == WS_OK)
        e = ws_srv_buf_append(&c->out, payload, len);
    return e;
}

/* Send a close frame and stop processing input. A NULL reason sends only the code;
 * code 0 sends an empty payload. */
static ws_err queue_close(ws_srv_conn *c, uint16_t code, const char *reason)
{
    uint8_t payload[WS_MAX_CONTROL_PAYLOAD];
    size_t len = 0;
    if (code) {
        size_t rlen = reason ? strlen(reason) : 0;
        if (rlen > WS_MAX_CONTROL_PAYLOAD - 2)
            rlen = WS_MAX_CONTROL_PAYLOAD - 2;
        len = ws_close_build(code, (const uint8_t *)reason, rlen, payload);
    }
    c->close_code = code ? code : 1005;
    c->state = WS_SRV_CLOSING;
    return queue_frame(c, WS_OP_CLOSE, payload, len);
}

static uint16_t close_code_for(ws_err e)
{
    switch (e) {
    case WS_ERR_UTF8_INVALID:
        return WS_CLOSE_INVALID_PAYLOAD;
    case WS_ERR_FRAME_TOO_LARGE:
    case WS_ERR_MESSAGE_TOO_LARGE:
        return WS_CLOSE_TOO_BIG;
    default:
        return WS_CLOSE_PROTOCOL_ERROR;
    }
}

/* Fail the WebSocket connection (RFC 6455 §7.1.7) because of e, with
 * `reason` in the close frame (NULL = e's message). The reason must be
 * valid UTF-8 and fit in WS_MAX_CONTROL_PAYLOAD - 2 octets (longer ones are
 * cut, which is only safe for ASCII). */
static ws_err fail_why(ws_srv_conn *c, ws_err e, const char *reason)
{
    c->end_error = e;
    return queue_close(c, close_code_for(e), reason ? reason : ws_err_message(e));
}

static ws_err fail(ws_srv_conn *c, ws_err e)
{
    return fail_why(c, e, NULL);
}

/* ------------------------------------------------------------ handshake */

/* Answer with an HTTP error and close; `detail` (may be NULL) goes into the body. */
static ws_err http_error_detail(ws_srv_conn *c, int status, const char *reason, ws_err why,
                                const char *detail)
{
    char body[256];
    int blen = snprintf(body, sizeof body, "wsspec: %s%s%s\n", ws_err_message(why),
                        detail && *detail ? ": " : "", detail ? detail : "");
    if (blen < 0 || (size_t)blen >= sizeof body)
        blen = (int)strlen(body);
    char clen[16];
    snprintf(clen, sizeof clen, "%d", blen);
    ws_http_header h[6];
    size_t n = 0;
#define HDR(N, V) h[n++] = (ws_http_header){N, strlen(N), V, strlen(V)}
    HDR("Server", SERVER_NAME);
    if (status == 426)
        HDR("Sec-WebSocket-Version", "13");
    HDR("Content-Type", "text/plain; charset=utf-8");
    HDR("Content-Length", clen);
    HDR("Connection", "close");
#undef HDR
    char out[1024];
    size_t len = 0;
    ws_err e = ws_http_write_response(status, reason, h, n, out, sizeof out, &len);
    if (e == WS_OK)
        e = ws_srv_buf_append(&c->out, out, len);
    if (e == WS_OK)
        e = ws_srv_buf_append(&c->out, body, (size_t)blen);
    c->end_error = why;
    c->close_code = -status;
    c->state = WS_SRV_CLOSING;
    return e;
}

static ws_err http_error(ws_srv_conn *c, int status, const char *reason, ws_err why)
{
    return http_error_detail(c, status, reason, why, NULL);
}

/* Write the 101; ext_response is the Sec-WebSocket-Extensions value, or NULL. */
static ws_err accept_request(ws_srv_conn *c, const ws_hs_request_info *info,
                             const char *ext_response)
{
    char accept[WS_ACCEPT_LEN + 1];
    ws_accept_key(info->key, info->key_len, accept);
    /* Offered subprotocols are not selected: none is echoed. */
    ws_http_header h[5] = {
        {"Upgrade", 7, "websocket", 9},
        {"Connection", 10, "Upgrade", 7},
        {"Sec-WebSocket-Accept", 20, accept, WS_ACCEPT_LEN},
        {"Server", 6, SERVER_NAME, strlen(SERVER_NAME)},
    };
    size_t n = 4;
    if (ext_response)
        h[n++] =
            (ws_http_header){"Sec-WebSocket-Extensions", 24, ext_response, strlen(ext_response)};
    char out[512];
    size_t len = 0;
    ws_err e = ws_http_write_response(101, "Switching Protocols", h, n, out, sizeof out, &len);
    if (e != WS_OK)
        return e;
    return ws_srv_buf_append(&c->out, out, len);
}

/* Extensions (deflate_state.c), then the 101. WS_OK also when refused with 400. */
static ws_err negotiate_and_accept(ws_srv_conn *c, const ws_http_request *req,
                                   const ws_hs_request_info *info)
{
    bool pmd = false;
    ws_pmd_params agreed;
    char resp[WS_SRV_EXT_RESPONSE_MAX];
    char detail[160] = "";
    ws_err e =
        ws_srv_pmd_negotiate(req, c->deflate_enabled, &pmd, &agreed, resp, detail, sizeof detail);
    if (e != WS_OK)
        return http_error_detail(c, 400, "Bad Request", e, detail);
    if (pmd) {
        e = ws_srv_pmd_start(c, &agreed);
        if (e != WS_OK)
            return e;
        /* RSV1 is the "Per-Message Compressed" bit (RFC 7692 §6). A compressed
         * frame may be a little longer than the message it holds. */
        ws_parser_config pc = {.role = WS_ROLE_SERVER,
                               .allowed_rsv = WS_RSV1,
                               .max_payload = ws_deflate_bound(c->max_message)};
        ws_parser_init(&c->parser, &pc);
    }
    e = accept_request(c, info, pmd ? resp : NULL);
    if (e == WS_OK)
        c->state = WS_SRV_OPEN;
    return e;
}

static ws_err on_frames(ws_srv_conn *c, uint8_t *buf, size_t len);

/* Try to complete the opening request with what is in c->head. The octets
 * of buf[0, len) not copied into head yet follow it on the wire. */
static ws_err on_head(ws_srv_conn *c, uint8_t *buf, size_t len)
{
    size_t room = WS_HTTP_DEFAULT_MAX_HEAD - c->head_len;
    size_t take = len < room ? len : room;
    memcpy(c->head + c->head_len, buf, take);
    c->head_len += take;
    buf += take;
    len -= take;

    ws_http_header headers[MAX_HEADERS];
    ws_http_request req;
    size_t head_len = 0;
    ws_err e = ws_http_parse_request(c->head, c->head_len, WS_HTTP_DEFAULT_MAX_HEAD, &req, headers,
                                     MAX_HEADERS, &head_len);
    if (e == WS_INCOMPLETE) {
        if (c->head_len < WS_HTTP_DEFAULT_MAX_HEAD)
            return WS_OK;
        e = WS_ERR_HTTP_TOO_LARGE; /* defensive: the parser should have said so */
    }
    if (e != WS_OK)
        return http_error(c, 400, "Bad Request", e);

    ws_hs_request_info info;
    e = ws_handshake_check_request(&req, &info);
    if (e == WS_ERR_HS_VERSION)
        return http_error(c, 426, "Upgrade Required", e);
    if (e != WS_OK)
        return http_error(c, 400, "Bad Request", e);
    e = negotiate_and_accept(c, &req, &info);
    if (e != WS_OK || c->state != WS_SRV_OPEN)
        return e;

    /* Octets after the head are the first frames. */
    char *head = c->head;
    size_t total = c->head_len;
    c->head = NULL;
    c->head_len = 0;
    e = on_frames(c, (uint8_t *)head + head_len, total - head_len);
    free(head);
    if (e == WS_OK && len > 0)
        e = on_frames(c, buf, len);
    return e;
}

/* ------------------------------------------------------------ frames */

static ws_err message_append(ws_srv_conn *c, const uint8_t *data, size_t len)
{
    uint64_t max = c->max_message;
    if ((uint64_t)c->msg_len + len > max)
        return WS_ERR_MESSAGE_TOO_LARGE;
    size_t need = c->msg_len + len;
    if (need > c->msg_cap) {
        size_t cap = c->msg_cap ? c->msg_cap : MSG_INITIAL_CAP;
        while (cap < need)
            cap *= 2;
        if ((uint64_t)cap > max)
            cap = (size_t)max;
        uint8_t *p = realloc(c->msg, cap);
        if (!p)
            return WS_ERR_NOMEM;
        c->msg = p;
        c->msg_cap = cap;
    }
    if (len)
        memcpy(c->msg + c->msg_len, data, len);
    c->msg_len += len;
    return WS_OK;
}

ws_err ws_srv_message_add(ws_srv_conn *c, const uint8_t *data, size_t len)
{
    /* Fail fast: validate each chunk as it arrives, even mid-frame. */
    if (c->msg_opcode == WS_OP_TEXT && ws_utf8_feed(&c->utf8, data, len) != WS_OK)
        return WS_ERR_UTF8_INVALID;
    return message_append(c, data, len);
}

/* Fail because a compressed message could not be taken in: 1007 for invalid
 * UTF-8 in the inflated text, 1009 over max_message, 1002 for invalid
 * compressed data (RFC 7692 §8 asks to fail the connection and names no
 * code; the data breaks the extension's framing, not the message type's,
 * so it is a protocol error), 1011 if zlib itself failed. */
static ws_err fail_inflate(ws_srv_conn *c, ws_err e)
{
    switch (e) {
    case WS_ERR_NOMEM:
        return e;
    case WS_ERR_UTF8_INVALID:
    case WS_ERR_MESSAGE_TOO_LARGE:
        return fail(c, e);
    case WS_ERR_DEFLATE_DATA: {
        char reason[WS_MAX_CONTROL_PAYLOAD - 1];
        snprintf(reason, sizeof reason, "%s: %s", ws_err_message(e), ws_srv_pmd_detail(c));
        return fail_why(c, e, reason);
    }
    default:
        c->end_error = e;
        return queue_close(c, WS_CLOSE_INTERNAL_ERROR, "decompression failed");
    }
}

static ws_err finish_message(ws_srv_conn *c)
{
    ws_err e;
    if (c->msg_compressed) {
        e = ws_srv_pmd_inflate(c, NULL, 0, true); /* appends 00 00 ff ff (§7.2.2) */
        if (e != WS_OK)
            return fail_inflate(c, e);
    }
    if (c->msg_opcode == WS_OP_TEXT && ws_utf8_finish(&c->utf8) != WS_OK)
        return fail(c, WS_ERR_UTF8_INVALID);
    /* The echo is compressed when the message was: an uncompressed message
     * in a compressed session gets an uncompressed echo. While the data does
     * not compress, echoes go uncompressed too (RFC 7692 lets a sender choose
     * per message): deflate costs the most CPU on such data, for nothing. */
    if (c->msg_compressed && !ws_srv_pmd_skip(c, c->msg_len)) {
        e = ws_srv_pmd_queue_message(c, c->msg_opcode, c->msg, c->msg_len);
        if (e != WS_OK && e != WS_ERR_NOMEM) {
            /* The compressor is broken for good (its errors are sticky). */
            c->end_error = e;
            return queue_close(c, WS_CLOSE_INTERNAL_ERROR, "compression failed");
        }
    } else {
        e = queue_frame(c, c->msg_opcode, c->msg, c->msg_len);
    }
    c->messages++;
    c->msg_len = 0;
    if (c->msg_cap > WS_SRV_KEEP_BUFFER)
        free_message(c);
    return e;
}

static ws_err on_close_frame(ws_srv_conn *c)
{
    ws_close_info ci;
    ws_err e = ws_close_parse(c->ctrl, c->ctrl_len, &ci);
    if (e != WS_OK) {
        c->end_error = e;
        return queue_close(c, WS_CLOSE_PROTOCOL_ERROR, ws_err_message(e));
    }
    /* Echo the code (without the reason), or an empty close for an empty one. */
    return queue_close(c, ci.has_code ? ci.code : 0, NULL);
}

static ws_err finish_frame(ws_srv_conn *c, const ws_frame_event *ev)
{
    switch (ev->header.opcode) {
    case WS_OP_PING:
        return queue_frame(c, WS_OP_PONG, c->ctrl, c->ctrl_len);
    case WS_OP_PONG:
        return WS_OK; /* unsolicited pongs are ignored (§5.5.3) */
    case WS_OP_CLOSE:
        return on_close_frame(c);
    default:
        return ev->message_done ? finish_message(c) : WS_OK;
    }
}

static ws_err on_header(ws_srv_conn *c, const ws_frame_header *h)
{
    /* The parser allows RSV1 only with permessage-deflate, which allows it
     * only on the first frame of a data message (RFC 7692 §6.1). */
    bool rsv1 = (h->rsv & WS_RSV1) != 0;
    if (rsv1 && ws_opcode_is_control(h->opcode))
        return fail_why(c, WS_ERR_RSV_NOT_NEGOTIATED, "RSV1 on a control frame (RFC 7692 §6.1)");
    if (rsv1 && h->opcode == WS_OP_CONT)
        return fail_why(c, WS_ERR_RSV_NOT_NEGOTIATED,
                        "RSV1 on a continuation frame (RFC 7692 §6.1)");
    if (ws_opcode_is_control(h->opcode)) {
        c->ctrl_len = 0;
        return WS_OK;
    }
    if (h->opcode != WS_OP_CONT) { /* a new message (the parser checked the sequence) */
        c->msg_opcode = h->opcode;
        c->msg_compressed = rsv1;
        c->msg_len = 0;
        if (h->opcode == WS_OP_TEXT)
            ws_utf8_init(&c->utf8);
    }
    /* Refuse an oversized message before receiving its payload. A compressed
     * one is limited while it is inflated. */
    if (!c->msg_compressed && (uint64_t)c->msg_len + h->payload_len > c->max_message)
        return fail(c, WS_ERR_MESSAGE_TOO_LARGE);
    return WS_OK;
}

static ws_err on_payload(ws_srv_conn *c, const ws_frame_event *ev)
{
    if (ws_opcode_is_control(ev->header.opcode)) {
        if (ev->len > sizeof c->ctrl - c->ctrl_len)
            return fail(c, WS_ERR_CONTROL_TOO_LONG);
        memcpy(c->ctrl + c->ctrl_len, ev->data, ev->len);
        c->ctrl_len += ev->len;
        return WS_OK;
    }
    ws_err e;
    if (c->msg_compressed) {
        e = ws_srv_pmd_inflate(c, ev->data, ev->len, false);
        return e == WS_OK ? WS_OK : fail_inflate(c, e);
    }
    e = ws_srv_message_add(c, ev->data, ev->len);
    if (e == WS_ERR_UTF8_INVALID || e == WS_ERR_MESSAGE_TOO_LARGE)
        return fail(c, e);
    return e;
}

static ws_err on_frames(ws_srv_conn *c, uint8_t *buf, size_t len)
{
    while (len > 0 && c->state == WS_SRV_OPEN) {
        size_t used = 0;
        ws_frame_event ev;
        ws_err e = ws_parser_feed(&c->parser, buf, len, &used, &ev);
        if (e != WS_OK)
            return fail(c, e);
        buf += used;
        len -= used;
        if (ev.type == WS_EVENT_HEADER) {
            e = on_header(c, &ev.header);
        } else if (ev.type == WS_EVENT_PAYLOAD) {
            e = on_payload(c, &ev);
        } else if (used == 0) {
            break; /* no progress: cannot happen with a correct parser */
        }
        if (e == WS_OK && c->state == WS_SRV_OPEN && ev.type != WS_EVENT_NONE && ev.frame_done)
            e = finish_frame(c, &ev);
        if (e != WS_OK)
            return e;
    }
    return WS_OK;
}

ws_err ws_srv_conn_input(ws_srv_conn *c, uint8_t *buf, size_t len)
{
    switch (c->state) {
    case WS_SRV_HANDSHAKE:
        return on_head(c, buf, len);
    case WS_SRV_OPEN:
        return on_frames(c, buf, len);
    default:
        return WS_OK; /* closing: input is discarded */
    }
}
