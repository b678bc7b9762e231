/* The client side of one case's connection; see session.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "driver/session.h"
#include "wsspec/close.h"
#include "wsspec/handshake.h"

#define WRITE_SLICE      (256 * 1024)
#define WRITE_TIMEOUT_MS 10000
#define OPEN_TIMEOUT_MS  5000

static int64_t elapsed_us(const ws_session *s)
{
    return (ws_now_ns() - s->t0) / 1000;
}

static uint64_t next_random(ws_session *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return s->rng = x;
}

void ws_session_init(ws_session *s, const ws_target *t, const ws_plan *plan, ws_case_result *res,
                     bool as_server)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    s->plan = plan;
    s->res = res;
    s->t0 = ws_now_ns();
    if (getrandom(&s->rng, sizeof s->rng, 0) != sizeof s->rng || s->rng == 0)
        s->rng = (uint64_t)s->t0 | 1;
    s->as_server = as_server;
    res->as_server = as_server;
    ws_parser_config cfg = {.role = as_server ? WS_ROLE_SERVER : WS_ROLE_CLIENT,
                            .whole_frames = true};
    ws_parser_init(&s->parser, &cfg);
    ws_match_init(&s->ok, &plan->ok);
    ws_match_init(&s->ns, &plan->non_strict);
}

void ws_session_free(ws_session *s)
{
    ws_session_pmd_free(s);
    ws_conn_close(s->conn);
    s->conn = NULL;
    free(s->held);
    s->held = NULL;
}

bool ws_session_stopped(const ws_session *s)
{
    return s->t->stop && *s->t->stop;
}

void ws_session_note(ws_session *s, const char *msg)
{
    if (!s->mismatch[0])
        snprintf(s->mismatch, sizeof s->mismatch, "%s", msg);
}

void ws_session_mask_key(ws_session *s, uint8_t key[4])
{
    uint64_t v = next_random(s);
    memcpy(key, &v, 4);
}

/* ------------------------------------------------------------ evidence */

static void fill_wire(ws_wire_frame *w, const ws_frame_header *h)
{
    memset(w, 0, sizeof *w);
    w->opcode = h->opcode;
    w->rsv = h->rsv;
    w->fin = h->fin;
    w->masked = h->masked;
    memcpy(w->mask_key, h->mask_key, 4);
    w->len = h->payload_len;
}

void ws_session_log_tx(ws_session *s, const ws_frame_spec *spec, const uint8_t *payload, size_t len)
{
    ws_case_result *r = s->res;
    ws_wire_frame w = {.t_us = elapsed_us(s),
                       .tx = true,
                       .opcode = spec->opcode,
                       .rsv = spec->rsv,
                       .fin = spec->fin,
                       .masked = spec->masked,
                       .len = len};
    memcpy(w.mask_key, spec->mask_key, 4);
    w.preview_len = (uint8_t)(len < WS_PREVIEW_MAX ? len : WS_PREVIEW_MAX);
    if (w.preview_len)
        memcpy(w.preview, payload, w.preview_len);
    ws_result_add_wire(r, &w);
    r->tx_frames[spec->opcode & 15]++;
    /* A well-formed Close header (masked, as a client's must be) makes this
     * wsspec's close (Autobahn's closedByMe). */
    if (spec->opcode == WS_OP_CLOSE && spec->fin && spec->rsv == 0 &&
        spec->masked == ws_session_masks(s, false) && !s->sent_close) {
        s->sent_close = true;
        r->closed_by_me = !s->peer_closed;
        r->local_close_code = len >= 2 ? (payload[0] << 8 | payload[1]) : 0;
        size_t rl = len > 2 ? len - 2 : 0;
        if (rl >= sizeof r->local_close_reason)
            rl = sizeof r->local_close_reason - 1;
        if (rl)
            memcpy(r->local_close_reason, payload + 2, rl);
        r->local_close_reason[rl] = 0;
    }
}

/* --------------------------------------------------------------- input */

void ws_session_violation(ws_session *s, ws_err e, const char *detail)
{
    if (s->rx_failed)
        return;
    s->rx_failed = true;
    /* The frame that broke the rule belongs in the wire log too. */
    if (s->rx_frame_open) {
        ws_result_add_wire(s->res, &s->rx_frame);
        s->rx_frame_open = false;
    }
    s->res->peer_violation = e;
    snprintf(s->res->peer_violation_detail, sizeof s->res->peer_violation_detail, "%s",
             detail ? detail : "");
    /* Fail the connection (RFC 6455 §7.1.7). */
    ws_session_close(s, e == WS_ERR_UTF8_INVALID ? 1007 : 1002, "");
}

static void record_event(ws_session *s, ws_ev_kind kind, uint64_t len, const uint8_t *preview,
                         size_t preview_len)
{
    ws_result_add_event(s->res, kind, len, preview, preview_len, elapsed_us(s));
}

static void handle_peer_close(ws_session *s)
{
    ws_case_result *r = s->res;
    ws_close_info ci;
    ws_err e = ws_close_parse(s->ctrl, s->ctrl_len, &ci);
    if (!s->peer_closed) {
        s->peer_closed = true;
        r->remote_close_code = ci.has_code ? ci.code : 0;
        size_t rl = ci.reason_len < sizeof r->remote_close_reason - 1
                        ? ci.reason_len
                        : sizeof r->remote_close_reason - 1;
        if (rl)
            memcpy(r->remote_close_reason, ci.reason, rl);
        r->remote_close_reason[rl] = 0;
        r->remote_close_reason_len = rl;
    }
    if (e != WS_OK) {
        ws_session_violation(s, e, "in the peer's Close frame");
        return;
    }
    /* Answer with the same code, as RFC 6455 §5.5.1 suggests. */
    if (!s->sent_close)
        ws_session_close(s, ci.has_code ? ci.code : 0, "");
}

static void control_done(ws_session *s, uint8_t op)
{
    if (op == WS_OP_CLOSE) {
        handle_peer_close(s);
        return;
    }
    ws_ev_kind kind = op == WS_OP_PING ? WS_EV_PING : WS_EV_PONG;
    record_event(s, kind, s->ctrl_len, s->ctrl, s->ctrl_len);
    if (s->peer_closed)
        return;
    ws_match *ms[2] = {&s->ok, &s->ns};
    for (int i = 0; i < 2; i++) {
        ws_match_begin(ms[i], kind);
        ws_match_data(ms[i], s->ctrl, s->ctrl_len);
        ws_match_end(ms[i]);
    }
    if (op == WS_OP_PING && !s->sent_close) {
        uint8_t frame[WS_MAX_HEADER_SIZE + WS_MAX_CONTROL_PAYLOAD];
        ws_frame_spec spec = {
            .fin = true, .opcode = WS_OP_PONG, .masked = ws_session_masks(s, false)};
        ws_session_mask_key(s, spec.mask_key);
        size_t n;
        if (ws_frame_write(&spec, s->ctrl, s->ctrl_len, frame, sizeof frame, &n) == WS_OK) {
            ws_session_log_tx(s, &spec, s->ctrl, s->ctrl_len);
            ws_session_write(s, frame, n);
        }
    }
}

static void on_header(ws_session *s, const ws_frame_event *ev)
{
    const ws_frame_header *h = &ev->header;
    fill_wire(&s->rx_frame, h);
    s->rx_frame.t_us = elapsed_us(s);
    s->rx_frame_open = true;
    s->res->rx_frames[h->opcode & 15]++;
    if (s->peer_closed) {
        /* §5.5.1: after sending a Close the peer sends nothing more. */
        char d[64];
        snprintf(d, sizeof d, "opcode %u after the peer's own Close", h->opcode);
        ws_session_violation(s, WS_ERR_FRAME_AFTER_CLOSE, d);
        return;
    }
    /* With permessage-deflate the parser lets RSV1 through; it is valid only
     * on the first frame of a data message (RFC 7692 §6). */
    if ((h->rsv & WS_RSV1) && (ws_opcode_is_control(h->opcode) || h->opcode == WS_OP_CONT)) {
        ws_session_violation(s, WS_ERR_RSV_NOT_NEGOTIATED,
                             "RSV1 on a control or continuation frame (RFC 7692 §6)");
        return;
    }
    if (ws_opcode_is_control(h->opcode)) {
        s->ctrl_len = 0;
        return;
    }
    if (h->opcode != WS_OP_CONT) {
        s->msg_compressed = (h->rsv & WS_RSV1) != 0;
        s->in_msg = true;
        s->msg_op = h->opcode;
        s->msg_len = 0;
        s->msg_preview_len = 0;
        ws_utf8_init(&s->utf8);
        ws_ev_kind kind = h->opcode == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
        if (!s->peer_closed) {
            ws_match_begin(&s->ok, kind);
            ws_match_begin(&s->ns, kind);
        }
    }
}

static void on_payload(ws_session *s, const ws_frame_event *ev)
{
    const ws_frame_header *h = &ev->header;
    if (s->rx_frame.preview_len < WS_PREVIEW_MAX) {
        size_t take = WS_PREVIEW_MAX - s->rx_frame.preview_len;
        if (take > ev->len)
            take = ev->len;
        memcpy(s->rx_frame.preview + s->rx_frame.preview_len, ev->data, take);
        s->rx_frame.preview_len = (uint8_t)(s->rx_frame.preview_len + take);
    }
    if (ws_opcode_is_control(h->opcode)) {
        memcpy(s->ctrl + s->ctrl_len, ev->data, ev->len); /* parser bounds it at 125 */
        s->ctrl_len += ev->len;
        return;
    }
    s->res->rx_wire_octets += ev->len;
    if (s->msg_compressed)
        ws_session_inflate(s, ev->data, ev->len, false);
    else
        ws_session_deliver(s, ev->data, ev->len);
}

void ws_session_deliver(ws_session *s, const uint8_t *data, size_t len)
{
    if (s->rx_failed)
        return;
    if (s->msg_preview_len < WS_PREVIEW_MAX) {
        size_t take = WS_PREVIEW_MAX - s->msg_preview_len;
        if (take > len)
            take = len;
        memcpy(s->msg_preview + s->msg_preview_len, data, take);
        s->msg_preview_len += take;
    }
    s->msg_len += len;
    s->rx_payload_octets += len;
    if (s->msg_op == WS_OP_TEXT && ws_utf8_feed(&s->utf8, data, len) != WS_OK) {
        char d[96];
        snprintf(d, sizeof d, "text message invalid at octet %llu",
                 (unsigned long long)s->utf8.error_offset);
        ws_session_violation(s, WS_ERR_UTF8_INVALID, d);
        return;
    }
    if (!s->peer_closed) {
        ws_match_data(&s->ok, data, len);
        ws_match_data(&s->ns, data, len);
    }
}

static void on_frame_done(ws_session *s, const ws_frame_event *ev)
{
    const ws_frame_header *h = &ev->header;
    ws_result_add_wire(s->res, &s->rx_frame);
    s->rx_frame_open = false;
    s->last_rx_ns = ws_now_ns();
    if (ws_opcode_is_control(h->opcode)) {
        control_done(s, h->opcode);
        return;
    }
    if (!h->fin)
        return;
    if (s->msg_compressed) {
        ws_session_inflate(s, NULL, 0, true);
        if (s->rx_failed)
            return;
    }
    if (s->msg_op == WS_OP_TEXT && ws_utf8_finish(&s->utf8) != WS_OK) {
        ws_session_violation(s, WS_ERR_UTF8_INVALID, "text message ends inside a code point");
        return;
    }
    s->in_msg = false;
    ws_ev_kind kind = s->msg_op == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
    record_event(s, kind, s->msg_len, s->msg_preview, s->msg_preview_len);
    if (!s->peer_closed) {
        ws_match_end(&s->ok);
        ws_match_end(&s->ns);
    }
}

void ws_session_process(ws_session *s, uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && !s->rx_failed) {
        size_t used;
        ws_frame_event ev;
        ws_err e = ws_parser_feed(&s->parser, buf + pos, len - pos, &used, &ev);
        pos += used;
        if (e != WS_OK) {
            ws_session_violation(s, e, "in a frame header from the peer");
            return;
        }
        if (ev.type == WS_EVENT_HEADER || ev.type == WS_EVENT_FRAME)
            on_header(s, &ev);
        if ((ev.type == WS_EVENT_PAYLOAD || ev.type == WS_EVENT_FRAME) && ev.len && !s->rx_failed)
            on_payload(s, &ev);
        if (ev.frame_done && !s->rx_failed)
            on_frame_done(s, &ev);
        if (ev.type == WS_EVENT_NONE)
            break;
    }
}

static void tcp_gone(ws_session *s, ws_err e)
{
    if (s->tcp_closed)
        return;
    s->tcp_closed = true;
    s->res->peer_dropped_tcp = true;
    if (e == WS_ERR_RESET)
        snprintf(s->res->was_not_clean_reason, sizeof s->res->was_not_clean_reason,
                 "the peer reset the TCP connection");
}

void ws_session_pump(ws_session *s, int64_t deadline)
{
    if (s->tcp_closed || !s->conn)
        return;
    size_t n = 0;
    ws_err e = ws_conn_read(s->conn, s->rbuf, sizeof s->rbuf, &n, deadline);
    if (e == WS_OK) {
        s->res->rx_octets += n;
        ws_result_count_chop(s->res->rx_chops, &s->res->nrx_chops, n);
        if (!s->rx_failed)
            ws_session_process(s, s->rbuf, n);
    } else if (e != WS_ERR_TIMEOUT) {
        tcp_gone(s, e);
    }
}

/* -------------------------------------------------------------- output */

void ws_session_write(ws_session *s, const uint8_t *buf, size_t len)
{
    ws_case_result *r = s->res;
    size_t off = 0;
    if (!s->first_tx_ns)
        s->first_tx_ns = ws_now_ns();
    if (!s->tcp_closed)
        ws_result_record_tx(r, buf, len, ws_now_ns());
    while (off < len && !s->tcp_closed) {
        size_t n = len - off < WRITE_SLICE ? len - off : WRITE_SLICE;
        ws_err e = ws_conn_write(s->conn, buf + off, n, ws_deadline_ms(WRITE_TIMEOUT_MS));
        if (e != WS_OK) {
            if (e == WS_ERR_TIMEOUT)
                ws_session_note(s, "A write to the peer timed out: it stopped reading.");
            tcp_gone(s, e);
            return;
        }
        off += n;
        if (off < len)
            ws_session_pump(s, ws_now_ns()); /* drain what the peer sent meanwhile */
    }
    r->tx_octets += len;
    ws_result_count_chop(r->tx_chops, &r->ntx_chops, len);
}

void ws_session_hold(ws_session *s, const uint8_t *buf, size_t len)
{
    uint8_t *h = realloc(s->held, s->held_len + len);
    if (!h)
        return;
    memcpy(h + s->held_len, buf, len);
    s->held = h;
    s->held_len += len;
}

void ws_session_release(ws_session *s, size_t count)
{
    size_t left = s->held_len - s->held_off;
    if (count == 0 || count > left)
        count = left;
    if (count)
        ws_session_write(s, s->held + s->held_off, count);
    s->held_off += count;
}

void ws_session_mark(ws_session *s, const char *tag)
{
    size_t n = strlen(tag);
    record_event(s, WS_EV_MARK, n, (const uint8_t *)tag, n);
    ws_match *ms[2] = {&s->ok, &s->ns};
    for (int i = 0; i < 2; i++) {
        ws_match_begin(ms[i], WS_EV_MARK);
        ws_match_data(ms[i], (const uint8_t *)tag, n);
        ws_match_end(ms[i]);
    }
}

void ws_session_close(ws_session *s, uint16_t code, const char *reason)
{
    if (s->sent_close || s->tcp_closed || !s->conn)
        return;
    uint8_t payload[WS_MAX_CONTROL_PAYLOAD];
    size_t rl = strlen(reason);
    if (rl > WS_MAX_CONTROL_PAYLOAD - 2)
        rl = WS_MAX_CONTROL_PAYLOAD - 2;
    size_t plen = code ? ws_close_build(code, (const uint8_t *)reason, rl, payload) : 0;
    uint8_t frame[WS_MAX_HEADER_SIZE + WS_MAX_CONTROL_PAYLOAD];
    ws_frame_spec spec = {.fin = true, .opcode = WS_OP_CLOSE, .masked = ws_session_masks(s, false)};
    ws_session_mask_key(s, spec.mask_key);
    size_t n;
    if (ws_frame_write(&spec, payload, plen, frame, sizeof frame, &n) != WS_OK)
        return;
    ws_session_log_tx(s, &spec, payload, plen);
    if (code == 1001 || code == 1002 || code == 1007)
        s->res->failed_by_me = !s->peer_closed;
    ws_session_write(s, frame, n);
}

void ws_session_finish_close(ws_session *s, int64_t timeout_ms)
{
    ws_case_result *r = s->res;
    if (!s->conn)
        return;
    if (s->sent_close && !s->peer_closed && !s->tcp_closed) {
        int64_t until = ws_now_ns() + timeout_ms * 1000000;
        while (!s->peer_closed && !s->tcp_closed && ws_now_ns() < until)
            ws_session_pump(s, until);
        if (!s->peer_closed && !s->tcp_closed) {
            r->close_handshake_timeout = true;
            snprintf(r->was_not_clean_reason, sizeof r->was_not_clean_reason,
                     "the peer did not answer wsspec's Close within %lld ms",
                     (long long)timeout_ms);
        }
    }
    if (s->as_server) {
        /* As the server, wsspec closes TCP first (§7.1.1): send FIN, then let
         * the client's FIN arrive so the close does not turn into a reset. */
        if (!s->tcp_closed) {
            ws_conn_shutdown_write(s->conn);
            int64_t until = ws_now_ns() + timeout_ms * 1000000;
            while (!s->tcp_closed && ws_now_ns() < until)
                ws_session_pump(s, until);
            r->dropped_by_me = true;
        }
        r->was_clean = s->peer_closed && s->sent_close && !r->close_handshake_timeout;
        if (!r->was_clean && !r->was_not_clean_reason[0])
            snprintf(r->was_not_clean_reason, sizeof r->was_not_clean_reason, "%s",
                     !s->peer_closed ? "the client closed TCP without a Close frame"
                                     : "wsspec did not send a Close frame");
        ws_conn_close(s->conn);
        s->conn = NULL;
        return;
    }
    if (!s->tcp_closed && !r->close_handshake_timeout) {
        /* Both Close frames were exchanged: the server closes TCP first (§7.1.1). */
        int64_t until = ws_now_ns() + timeout_ms * 1000000;
        while (!s->tcp_closed && ws_now_ns() < until)
            ws_session_pump(s, until);
        if (!s->tcp_closed) {
            r->server_drop_timeout = true;
            snprintf(r->was_not_clean_reason, sizeof r->was_not_clean_reason,
                     "the peer did not close TCP within %lld ms of the closing handshake",
                     (long long)timeout_ms);
        }
    }
    if (!s->tcp_closed)
        r->dropped_by_me = true;
    r->was_clean = s->peer_closed && s->sent_close && s->tcp_closed && !r->dropped_by_me;
    if (!r->was_clean && !r->was_not_clean_reason[0])
        snprintf(r->was_not_clean_reason, sizeof r->was_not_clean_reason, "%s",
                 !s->peer_closed ? "the peer closed TCP without a Close frame"
                                 : "wsspec did not send a Close frame");
    ws_conn_close(s->conn);
    s->conn = NULL;
}

void ws_session_set_perf(ws_session *s, const int64_t *rtts_us, size_t n, int64_t total_ns)
{
    ws_case_result *r = s->res;
    if (n == 0 || !rtts_us)
        return;
    int64_t *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return;
    memcpy(sorted, rtts_us, n * sizeof *sorted);
    /* insertion sort is fine for 1000 values */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && sorted[k - 1] > sorted[k]; k--) {
            int64_t tmp = sorted[k];
            sorted[k] = sorted[k - 1];
            sorted[k - 1] = tmp;
        }
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    r->rtt_min_us = sorted[0];
    r->rtt_max_us = sorted[n - 1];
    r->rtt_avg_us = sum / (int64_t)n;
    r->rtt_p99_us = sorted[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
    ws_session_set_throughput(s, total_ns);
    free(sorted);
}

void ws_session_set_throughput(ws_session *s, int64_t elapsed_ns)
{
    ws_case_result *r = s->res;
    double secs = (double)elapsed_ns / 1e9;
    r->payload_octets = s->rx_payload_octets;
    r->mbytes_per_s =
        secs > 0 ? (double)(s->plan->octets_out + s->rx_payload_octets) / 1e6 / secs : 0;
}

int64_t ws_session_scaled_ms(const ws_target *t, int64_t ms)
{
    return (int64_t)((double)ms * (t->time_scale > 0 ? t->time_scale : 1.0));
}
