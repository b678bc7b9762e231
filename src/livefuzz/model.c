/*
 * What a conformant echo peer must do with the octets a session sends (the
 * plan model's rules, driver/plan.h, applied to raw bytes), the protocol
 * judge, and the response shape used as the grey-box feedback signal.
 *
 * The sent frame stream is parsed the way a server parses it (ws_parser in
 * the server role), so lying lengths, truncated frames and split writes are
 * seen exactly as the peer sees them:
 *   - each complete text/binary message is owed back once, same type and
 *     octets; each Ping is owed a Pong;
 *   - the first frame that breaks a rule (§5.1-§5.5, §8.1 UTF-8, a malformed
 *     Close) ends the model: nothing after it is answered and the peer must
 *     fail the connection;
 *   - a valid Close ends the model: the peer must answer it and close.
 * Only opening requests that break a MUST the peer has to check (method,
 * HTTP version, Upgrade, Connection, Sec-WebSocket-Key) make a 101 a
 * violation; version and Host problems are left to the conformance suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"
#include "wsspec/utf8.h"

#define FNV_BASIS 0xcbf29ce484222325ULL

uint64_t ws_lf_hash(const uint8_t *d, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= d[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void model_request(const uint8_t *sent, size_t head_len, ws_lf_expect *e)
{
    ws_http_request req;
    ws_http_header hdrs[256];
    size_t hl;
    ws_err pe =
        ws_http_parse_request((const char *)sent, head_len, head_len + 1, &req, hdrs, 256, &hl);
    if (pe != WS_OK) {
        e->hs_err = pe;
        return;
    }
    e->judge_frames = true;
    ws_hs_request_info info;
    ws_err ce = ws_handshake_check_request(&req, &info);
    e->hs_err = ce;
    switch (ce) {
    case WS_ERR_HS_METHOD:
    case WS_ERR_HS_HTTP_VERSION:
    case WS_ERR_HS_UPGRADE:
    case WS_ERR_HS_CONNECTION:
    case WS_ERR_HS_KEY:
        e->hs_must_reject = true;
        break;
    default:
        break;
    }
    size_t count = 0;
    const ws_http_header *k =
        ws_http_find(req.headers, req.num_headers, "Sec-WebSocket-Key", &count);
    if (k && count == 1 && k->value_len < sizeof e->key) {
        memcpy(e->key, k->value, k->value_len);
        e->key[k->value_len] = 0;
        e->has_key = true;
    }
}

typedef struct {
    ws_lf_expect *e;
    uint8_t msg_op;
    uint64_t hash;
    uint64_t len;
    ws_utf8 utf8;
    uint8_t ctl[WS_MAX_CONTROL_PAYLOAD];
    size_t ctl_len;
} model;

static bool add(ws_lf_expect *e, ws_lf_msg *list, size_t *n, ws_lf_msg m)
{
    if (*n >= WS_LF_MAX_EVENTS) {
        e->overflow = true;
        return false;
    }
    list[(*n)++] = m;
    return true;
}

/* One finished frame; false when the model stops. */
static bool frame_done(model *m, const ws_frame_header *h)
{
    ws_lf_expect *e = m->e;
    if (ws_opcode_is_control(h->opcode)) {
        if (h->opcode == WS_OP_CLOSE) {
            ws_close_info ci;
            ws_err ce = ws_close_parse(m->ctl, m->ctl_len, &ci);
            e->end = ce == WS_OK ? WS_LF_M_CLOSE : WS_LF_M_FAIL;
            e->violation = ce;
            return false;
        }
        if (h->opcode == WS_OP_PING)
            add(e, e->pings, &e->npings,
                (ws_lf_msg){WS_OP_PONG, (uint32_t)m->ctl_len,
                            ws_lf_hash(m->ctl, m->ctl_len, FNV_BASIS)});
        return true;
    }
    if (!h->fin)
        return true;
    if (m->msg_op == WS_OP_TEXT && ws_utf8_finish(&m->utf8) != WS_OK) {
        e->end = WS_LF_M_FAIL;
        e->violation = WS_ERR_UTF8_INVALID;
        return false;
    }
    add(e, e->data, &e->ndata, (ws_lf_msg){m->msg_op, (uint32_t)m->len, m->hash});
    return true;
}

/* True if a frame whose first octets are hdr[0..have) had its whole header
 * and declared payload sent: n octets were sent from its first one on. */
static bool whole_frame_sent(const uint8_t *hdr, size_t have, size_t n)
{
    if (have < 2)
        return false;
    unsigned l7 = hdr[1] & 127u, ext = l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
    size_t hlen = 2 + ext + ((hdr[1] & 0x80) ? 4 : 0);
    if (have < 2 + ext || n < hlen)
        return false;
    uint64_t len = l7;
    if (ext) {
        len = 0;
        for (unsigned i = 0; i < ext; i++)
            len = len << 8 | hdr[2 + i];
    }
    return len <= n - hlen;
}

#define MODEL_CHUNK    (64 * 1024)
#define MODEL_HEAD_MAX (1024 * 1024) /* an end of head further out: no head */

/* The frames after the head, parsed as the peer parses them (a server, or a
 * client in client mode), piece by piece.
 * The parser unmasks in place, so each piece is a copy (one 64 KiB buffer);
 * the first octets of the current frame are kept to tell, after an error,
 * whether the whole frame was sent. */
static void model_frames(ws_lf_cursor *c, size_t n, bool peer_is_client, ws_lf_expect *e)
{
    uint8_t *buf = malloc(MODEL_CHUNK);
    if (!buf) {
        e->judge_frames = false;
        return;
    }
    ws_parser p;
    ws_parser_config cfg = {.role = peer_is_client ? WS_ROLE_CLIENT : WS_ROLE_SERVER};
    ws_parser_init(&p, &cfg);
    model m = {.e = e};
    uint8_t fh[WS_MAX_HEADER_SIZE];
    size_t fh_len = 0, frame_start = 0, base = 0, got;
    while ((got = ws_lf_cursor_read(c, buf, MODEL_CHUNK)) > 0) {
        size_t pos = 0;
        while (pos < got) {
            size_t used = 0;
            ws_frame_event ev;
            if (p.state == WS_PARSE_HEADER && p.hlen == 0) {
                frame_start = base + pos;
                fh_len = 0;
            }
            /* Copy ahead, before the parser unmasks; count only what it used. */
            size_t keep = sizeof fh - fh_len < got - pos ? sizeof fh - fh_len : got - pos;
            memcpy(fh + fh_len, buf + pos, keep);
            ws_err err = ws_parser_feed(&p, buf + pos, got - pos, &used, &ev);
            pos += used;
            if (err != WS_OK) {
                /* A peer may wait for the whole frame before judging it. The
                 * parser judges a header once it has all of it, so fh holds it
                 * (a shorter fh only makes the model lenient). */
                fh_len += keep;
                if (whole_frame_sent(fh, fh_len, n - frame_start)) {
                    e->end = WS_LF_M_FAIL;
                    e->violation = err;
                } else {
                    e->open_tail = true;
                }
                goto done;
            }
            fh_len += used < keep ? used : keep;
            if (ev.type == WS_EVENT_NONE)
                break; /* the parser wants the next piece */
            const ws_frame_header *h = &ev.header;
            bool ctl = ws_opcode_is_control(h->opcode);
            if (ev.type == WS_EVENT_HEADER) {
                m.ctl_len = 0;
                if (!ctl && h->opcode != WS_OP_CONT) {
                    m.msg_op = h->opcode;
                    m.hash = FNV_BASIS;
                    m.len = 0;
                    ws_utf8_init(&m.utf8);
                }
            } else if (ev.type == WS_EVENT_PAYLOAD) {
                if (ctl) {
                    size_t k =
                        ev.len < sizeof m.ctl - m.ctl_len ? ev.len : sizeof m.ctl - m.ctl_len;
                    memcpy(m.ctl + m.ctl_len, ev.data, k);
                    m.ctl_len += k;
                } else {
                    m.hash = ws_lf_hash(ev.data, ev.len, m.hash);
                    m.len += ev.len;
                    if (m.msg_op == WS_OP_TEXT && ws_utf8_feed(&m.utf8, ev.data, ev.len) != WS_OK) {
                        /* Failing fast is allowed, so is failing at the end of the message. */
                        if (h->fin && ev.frame_done) {
                            e->end = WS_LF_M_FAIL;
                            e->violation = WS_ERR_UTF8_INVALID;
                        } else {
                            e->open_tail = true;
                        }
                        goto done;
                    }
                }
            }
            if (ev.frame_done && !frame_done(&m, h))
                goto done;
        }
        base += got;
    }
done:
    free(buf);
}

void ws_lf_expect_build(const ws_lf_repro *r, ws_lf_expect *e)
{
    memset(e, 0, sizeof *e);
    e->end = WS_LF_M_CLEAN;
    size_t head_len = ws_lf_repro_head_len(r, MODEL_HEAD_MAX);
    if (head_len == 0)
        return; /* the peer is still waiting for the end of the request */
    e->head_sent = true;
    uint8_t *head = malloc(head_len);
    if (!head)
        return;
    ws_lf_cursor c;
    ws_lf_cursor_init(&c, r);
    ws_lf_cursor_read(&c, head, head_len);
    model_request(head, head_len, e);
    free(head);
    model_frames(&c, ws_lf_repro_bytes(r) - head_len, false, e);
}

bool ws_lf_settled(const ws_lf_expect *e, const ws_lf_obs *o)
{
    if (o->end != WS_LF_OBS_OPEN || o->got_close)
        return true;
    if (!e->head_sent)
        return true;
    if (!o->hs_done)
        return false;
    if (o->hs_status != 101 || !e->judge_frames || o->hs_extensions)
        return true;
    char verdict[160];
    if (ws_lf_judge(e, o, verdict, sizeof verdict))
        return true; /* already a violation: waiting cannot undo it */
    if (e->end != WS_LF_M_CLEAN)
        return false;
    /* With more events than kept, the kept ones are a lower bound (a flood
     * of Pings keeps no data message at all). */
    return o->ndata >= e->ndata && (e->npings == 0 || o->npongs >= 1);
}

static const char *end_context(const ws_lf_expect *e)
{
    static const char *const ctx[] = {"", " after a Close", ""};
    return e->end == WS_LF_M_FAIL ? ws_err_name(e->violation) : ctx[e->end];
}

bool ws_lf_judge(const ws_lf_expect *e, const ws_lf_obs *o, char *detail, size_t cap)
{
    if (!o->hs_done || o->hs_status != 101)
        return false;
    if (e->hs_must_reject) {
        snprintf(detail, cap, "accepted an opening request it must refuse (%s)",
                 ws_err_name(e->hs_err));
        return true;
    }
    if (e->has_key && !o->hs_accept_ok) {
        snprintf(detail, cap, "wrong Sec-WebSocket-Accept for the request's key");
        return true;
    }
    if (!e->judge_frames || o->hs_extensions)
        return false;
    if (o->peer_err != WS_OK) {
        snprintf(detail, cap, "sent a frame that breaks framing (%s)", ws_err_name(o->peer_err));
        return true;
    }
    if (o->got_close && o->close_err != WS_OK) {
        snprintf(detail, cap, "sent an invalid Close (%s, code %u)", ws_err_name(o->close_err),
                 (unsigned)o->close_code);
        return true;
    }
    if (e->overflow || o->ev_overflow)
        return false;
    size_t di = 0, pi = 0;
    for (size_t i = 0; i < o->nev; i++) {
        const ws_lf_msg *got = &o->ev[i];
        if (got->op == WS_OP_PONG) {
            if (++pi > e->npings && !e->open_tail) {
                snprintf(detail, cap, "sent more Pongs than Pings were owed (%s%s)",
                         e->end == WS_LF_M_FAIL ? "after " : "clean", end_context(e));
                return true;
            }
            continue;
        }
        if (di >= e->ndata && e->open_tail)
            return false;
        if (di >= e->ndata) {
            snprintf(detail, cap, "echoed a message a conformant peer never sends (%s%s)",
                     e->end == WS_LF_M_FAIL ? "accepted a frame after " : "clean session",
                     end_context(e));
            return true;
        }
        const ws_lf_msg *want = &e->data[di++];
        if (got->op != want->op || got->len != want->len || got->hash != want->hash) {
            snprintf(detail, cap,
                     "echo %zu differs: opcode %u, %u octets; expected opcode %u, %u octets", di,
                     got->op, got->len, want->op, want->len);
            return true;
        }
    }
    return false;
}

static unsigned bucket(size_t n)
{
    return n <= 2 ? (unsigned)n : n <= 4 ? 3 : n <= 8 ? 4 : n <= 32 ? 5 : 6;
}

uint64_t ws_lf_shape(const ws_lf_obs *o, char *out, size_t cap)
{
    static const char *const ends[] = {"open", "eof", "reset", "noconn"};
    static const int64_t limits[] = {1000000, 10000000, 100000000, 1000000000};
    int t = -1;
    if (o->first_reply_ns >= 0)
        for (t = 0; t < 4 && o->first_reply_ns >= limits[t]; t++)
            ;
    snprintf(out, cap, "hs%d d%u p%u %s%u%s%s %s t%d%s", o->hs_done ? o->hs_status : 0,
             bucket(o->ndata), bucket(o->npongs), o->got_close ? "c" : "-",
             o->got_close ? (unsigned)o->close_code : 0, o->peer_err ? " perr:" : "",
             o->peer_err ? ws_err_name(o->peer_err) : "", ends[o->end], t,
             o->settled ? "" : " unsettled");
    return ws_lf_hash((const uint8_t *)out, strlen(out), FNV_BASIS);
}

void ws_lf_model_frames(const uint8_t *stream, size_t n, bool peer_is_client, ws_lf_expect *e)
{
    /* One write holding the octets, read through a cursor like a session. */
    ws_lf_action a = {.kind = WS_LF_SEND, .data = (uint8_t *)stream, .len = n};
    ws_lf_repro r = {.acts = &a, .nacts = 1, .cap = 1};
    ws_lf_cursor c;
    ws_lf_cursor_init(&c, &r);
    model_frames(&c, n, peer_is_client, e);
}
