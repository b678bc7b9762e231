/*
 * Running a session's actions over one ws_conn and observing the peer: its
 * response head, the messages, Pongs and Close it sends (reassembled and
 * hashed, not stored), and how the connection ends. Every wait has a
 * deadline, so a run always ends.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"
#include "wsspec/net.h"

#define FNV_BASIS  0xcbf29ce484222325ULL
#define CONNECT_MS 2000
#define WRITE_MS   2000
#define MAX_HEAD   16384

typedef struct {
    ws_lf_obs *o;
    const ws_lf_expect *e;
    char head[MAX_HEAD];
    size_t head_len;
    ws_parser p;
    bool failed;
    ws_frame_header h;
    uint8_t msg_op;
    uint64_t hash, len;
    uint8_t ctl[WS_MAX_CONTROL_PAYLOAD];
    size_t ctl_len;
    int64_t last_write, last_read;
    ws_lf_capture *cap;
    bool client_mode; /* the peer is a client: its frames must be masked */
} rx;

static void add_event(ws_lf_obs *o, ws_lf_msg m)
{
    if (o->nev >= WS_LF_MAX_EVENTS) {
        o->ev_overflow = true;
    } else {
        o->ev[o->nev++] = m;
    }
    if (m.op == WS_OP_PONG)
        o->npongs++;
    else
        o->ndata++;
}

static void frames(rx *x, uint8_t *buf, size_t n)
{
    ws_lf_obs *o = x->o;
    size_t pos = 0;
    while (!x->failed && pos < n) {
        size_t used = 0;
        ws_frame_event ev;
        ws_err err = ws_parser_feed(&x->p, buf + pos, n - pos, &used, &ev);
        pos += used;
        if (err != WS_OK) {
            o->peer_err = err;
            x->failed = true;
            return;
        }
        if (ev.type == WS_EVENT_NONE)
            return;
        const ws_frame_header *h = &ev.header;
        bool ctl = ws_opcode_is_control(h->opcode);
        if (ev.type == WS_EVENT_HEADER) {
            x->ctl_len = 0;
            if (!ctl && h->opcode != WS_OP_CONT) {
                x->msg_op = h->opcode;
                x->hash = FNV_BASIS;
                x->len = 0;
            }
        } else if (ev.type == WS_EVENT_PAYLOAD) {
            if (ctl) {
                size_t k =
                    ev.len < sizeof x->ctl - x->ctl_len ? ev.len : sizeof x->ctl - x->ctl_len;
                memcpy(x->ctl + x->ctl_len, ev.data, k);
                x->ctl_len += k;
            } else {
                x->hash = ws_lf_hash(ev.data, ev.len, x->hash);
                x->len += ev.len;
            }
        }
        if (!ev.frame_done)
            continue;
        if (h->opcode == WS_OP_CLOSE && !o->got_close) {
            ws_close_info ci;
            o->got_close = true;
            o->close_err = ws_close_parse(x->ctl, x->ctl_len, &ci);
            o->close_has_code = ci.has_code;
            o->close_code = ci.code;
        } else if (h->opcode == WS_OP_PONG) {
            add_event(o, (ws_lf_msg){WS_OP_PONG, (uint32_t)x->ctl_len,
                                     ws_lf_hash(x->ctl, x->ctl_len, FNV_BASIS)});
        } else if (!ctl && h->fin) {
            add_event(o, (ws_lf_msg){x->msg_op, (uint32_t)x->len, x->hash});
        }
    }
}

static void received(rx *x, uint8_t *buf, size_t n)
{
    ws_lf_obs *o = x->o;
    x->last_read = ws_now_ns();
    if (o->hs_done) {
        if (o->hs_status == 101)
            frames(x, buf, n);
        return;
    }
    size_t take = n < sizeof x->head - x->head_len ? n : sizeof x->head - x->head_len;
    memcpy(x->head + x->head_len, buf, take);
    x->head_len += take;
    ws_http_response resp;
    ws_http_header hdrs[64];
    size_t hl = 0;
    ws_err e = ws_http_parse_response(x->head, x->head_len, sizeof x->head, &resp, hdrs, 64, &hl);
    if (e == WS_INCOMPLETE)
        return;
    o->hs_done = true;
    if (e != WS_OK) {
        o->hs_status = -1;
        return;
    }
    o->hs_status = resp.status;
    if (resp.status != 101)
        return;
    const ws_http_header *acc = ws_http_find(hdrs, resp.num_headers, "Sec-WebSocket-Accept", NULL);
    if (x->e->has_key && acc) {
        char want[WS_ACCEPT_LEN + 1];
        ws_accept_key(x->e->key, strlen(x->e->key), want);
        o->hs_accept_ok =
            acc->value_len == WS_ACCEPT_LEN && memcmp(acc->value, want, WS_ACCEPT_LEN) == 0;
    }
    o->hs_extensions = ws_http_find(hdrs, resp.num_headers, "Sec-WebSocket-Extensions", NULL);
    ws_parser_config cfg = {.role = WS_ROLE_CLIENT};
    ws_parser_init(&x->p, &cfg);
    /* Frame octets that came with the head. */
    if (hl < x->head_len) {
        uint8_t rest[MAX_HEAD];
        size_t k = x->head_len - hl;
        memcpy(rest, x->head + hl, k);
        frames(x, rest, k);
    }
    if (take < n)
        frames(x, buf + take, n - take);
}

static void ended(ws_lf_obs *o, ws_err e)
{
    o->end = e == WS_ERR_CLOSED ? WS_LF_OBS_EOF : WS_LF_OBS_RESET;
}

/* Read what arrives until the deadline (0: only what is there now). False
 * once the connection has ended. */
static bool read_until(ws_conn *c, rx *x, int64_t deadline, bool until_settled)
{
    static _Thread_local uint8_t buf[65536];
    for (;;) {
        if (until_settled &&
            (x->client_mode ? ws_lf_settled_client(x->e, x->o) : ws_lf_settled(x->e, x->o)))
            return true;
        size_t n = 0;
        ws_err e;
        if (deadline == 0) {
            e = ws_conn_try_read(c, buf, sizeof buf, &n, NULL);
            if (e == WS_INCOMPLETE)
                return true;
        } else {
            e = ws_conn_read(c, buf, sizeof buf, &n, deadline);
            if (e == WS_ERR_TIMEOUT)
                return true;
        }
        if (e != WS_OK) {
            ended(x->o, e);
            ws_lf_capture_note(x->cap, e == WS_ERR_CLOSED ? "the peer closed TCP"
                                                          : "the connection was reset");
            return false;
        }
        ws_lf_capture_add(x->cap, WS_LF_CAP_RX, buf, n);
        received(x, buf, n);
    }
}

static void run_actions(ws_conn *c, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
                        ws_lf_obs *o, ws_lf_capture *cap, bool client_mode, const uint8_t *early,
                        size_t early_len, int64_t t0);

void ws_lf_run(const ws_url *url, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
               ws_lf_obs *o)
{
    ws_lf_run_capture(url, r, e, hang_ms, o, NULL);
}

void ws_lf_run_capture(const ws_url *url, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
                       ws_lf_obs *o, ws_lf_capture *cap)
{
    if (cap)
        ws_lf_capture_reset(cap);
    memset(o, 0, sizeof *o);
    o->first_reply_ns = -1;
    int64_t t0 = ws_now_ns();
    ws_conn *c = NULL;
    ws_err ce =
        ws_conn_connect(url, NULL, ws_deadline_ms(CONNECT_MS), &c, o->detail, sizeof o->detail);
    if (ce != WS_OK) {
        ws_lf_capture_note(cap, "could not connect");
        o->end = WS_LF_OBS_NOCONN;
        o->elapsed_ns = ws_now_ns() - t0;
        return;
    }
    run_actions(c, r, e, hang_ms, o, cap, false, NULL, 0, t0);
}

/* The actions over an open connection, then observe until settled or hang_ms. */
static void run_actions(ws_conn *c, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
                        ws_lf_obs *o, ws_lf_capture *cap, bool client_mode, const uint8_t *early,
                        size_t early_len, int64_t t0)
{
    static _Thread_local rx x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.e = e;
    x.last_write = t0;
    x.cap = cap;
    x.client_mode = client_mode;
    if (client_mode) {
        /* The request was read: what follows it are the client's frames. */
        o->hs_done = true;
        o->hs_status = 101;
        ws_parser_config cfg = {.role = WS_ROLE_SERVER};
        ws_parser_init(&x.p, &cfg);
        if (early_len) {
            uint8_t *copy = malloc(early_len);
            if (copy) {
                memcpy(copy, early, early_len);
                frames(&x, copy, early_len);
                free(copy);
            }
        }
    }
    bool we_reset = false;
    for (size_t i = 0; i < r->nacts && o->end == WS_LF_OBS_OPEN && !we_reset; i++) {
        const ws_lf_action *a = &r->acts[i];
        switch (a->kind) {
        case WS_LF_SEND: {
            ws_lf_capture_add(cap, WS_LF_CAP_TX, a->data, a->len);
            ws_err we = ws_conn_write(c, a->data, a->len, ws_deadline_ms(WRITE_MS));
            for (uint32_t k = 1; k < a->repeat && we == WS_OK && o->end == WS_LF_OBS_OPEN; k++) {
                ws_lf_capture_add(cap, WS_LF_CAP_TX, a->data, a->len);
                we = ws_conn_write(c, a->data, a->len, ws_deadline_ms(WRITE_MS));
                if (k % 64 == 0) /* answers (a Close 1009) must not fill our window */
                    read_until(c, &x, 0, false);
            }
            x.last_write = ws_now_ns();
            if (we != WS_OK)
                ended(o, we);
            else
                read_until(c, &x, 0, false);
            break;
        }
        case WS_LF_PAUSE: {
            char note[48];
            snprintf(note, sizeof note, "pause %d ms", a->ms);
            ws_lf_capture_note(cap, note);
            read_until(c, &x, ws_deadline_ms(a->ms), false);
            break;
        }
        case WS_LF_SHUTDOWN:
            ws_lf_capture_note(cap, "shutdown: wsspec half-closed TCP");
            ws_conn_shutdown_write(c);
            break;
        case WS_LF_RESET: {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(ws_conn_fd(c), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            ws_lf_capture_note(cap, "reset: wsspec aborts the connection");
            we_reset = true;
            break;
        }
        }
    }
    if (!we_reset && o->end == WS_LF_OBS_OPEN)
        read_until(c, &x, ws_deadline_ms(hang_ms), true);
    o->settled = we_reset || (client_mode ? ws_lf_settled_client(e, o) : ws_lf_settled(e, o));
    if (cap && !we_reset && o->end == WS_LF_OBS_OPEN)
        ws_lf_capture_note(cap, o->settled ? "settled: wsspec closes the connection"
                                           : "nothing more within --hang-ms: wsspec closes");
    if (x.last_read > x.last_write)
        o->first_reply_ns = x.last_read - x.last_write;
    o->elapsed_ns = ws_now_ns() - t0;
    ws_conn_close(c);
}

void ws_lf_run_accepted(ws_conn *c, const uint8_t *early, size_t early_len, const ws_lf_repro *r,
                        const ws_lf_expect *e, int hang_ms, ws_lf_obs *o, ws_lf_capture *cap)
{
    memset(o, 0, sizeof *o);
    o->first_reply_ns = -1;
    run_actions(c, r, e, hang_ms, o, cap, true, early, early_len, ws_now_ns());
}

bool ws_lf_probe(const ws_url *url, const char *host_port, const char *resource, int timeout_ms,
                 char *detail, size_t cap)
{
    static _Thread_local ws_lf_session s;
    ws_lf_session_default(&s, host_port, resource);
    static const uint8_t text[] = "wsspec sanity probe";
    ws_mut_frame f = {.fin = true,
                      .opcode = WS_OP_TEXT,
                      .masked = true,
                      .key = {0x12, 0x34, 0x56, 0x78},
                      .form = 7,
                      .len = sizeof text - 1};
    ws_mut_seq_add(&s.seq, &f, text, sizeof text - 1);
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    bool ok = ws_lf_session_render(&s, &r);
    if (!ok) {
        ws_lf_repro_free(&r);
        snprintf(detail, cap, "out of memory");
        return false;
    }
    static _Thread_local ws_lf_expect e;
    static _Thread_local ws_lf_obs o;
    ws_lf_expect_build(&r, &e);
    ws_lf_run(url, &r, &e, timeout_ms, &o);
    ws_lf_repro_free(&r);
    if (o.end == WS_LF_OBS_NOCONN) {
        snprintf(detail, cap, "cannot connect: %s", o.detail);
        return false;
    }
    if (!o.hs_done || o.hs_status != 101) {
        snprintf(detail, cap, "sanity probe: %s",
                 o.hs_done ? "handshake refused" : "no handshake answer");
        return false;
    }
    if (o.ndata < 1 || o.ev[0].hash != e.data[0].hash) {
        snprintf(detail, cap, "sanity probe: no echo within %d ms", timeout_ms);
        return false;
    }
    return true;
}
