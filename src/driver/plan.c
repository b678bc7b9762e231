/* Making a case concrete and deriving what a conformant peer must answer.
 * See plan.h for the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/plan.h"
#include "wsspec/deflate.h"
#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/utf8.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Deterministic payload octets: the same case always sends the same bytes. */
static void generate(const ws_send_frame *f, uint8_t *out, size_t len)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ len;
    switch (f->gen) {
    case WS_GEN_LITERAL:
        if (len)
            memcpy(out, f->data, len);
        break;
    case WS_GEN_FILL:
        memset(out, f->fill, len);
        break;
    case WS_GEN_HEX:
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)(hexval(f->data[2 * i]) << 4 | hexval(f->data[2 * i + 1]));
        break;
    case WS_GEN_REPEAT: {
        size_t n = strlen(f->data);
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)f->data[i % n];
        break;
    }
    case WS_GEN_CORPUS:         /* filled from the data set by the plan */
    case WS_GEN_ZEROS_DEFLATED: /* compressed by expand() */
        memset(out, 0, len);
        break;
    case WS_GEN_TEXT:
    case WS_GEN_BINARY:
        for (size_t i = 0; i < len; i += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t v = x;
            for (size_t k = 0; k < 8 && i + k < len; k++, v >>= 8)
                out[i + k] = f->gen == WS_GEN_TEXT ? (uint8_t)(' ' + (v & 0xff) % 95) : (uint8_t)v;
        }
        break;
    }
}

static size_t payload_len(const ws_send_frame *f)
{
    size_t len = f->len;
    if (f->gen == WS_GEN_HEX)
        len = strlen(f->data) / 2;
    return len + (f->coded ? 2 : 0);
}

static ws_err append_compressed(void *ctx, const uint8_t *data, size_t len)
{
    uint8_t **buf = ((uint8_t ***)ctx)[0];
    size_t *have = (size_t *)((void **)ctx)[1];
    uint8_t *grown = realloc(*buf, *have + len);
    if (!grown)
        return WS_ERR_NOMEM;
    memcpy(grown + *have, data, len);
    *buf = grown;
    *have += len;
    return WS_OK;
}

/* A decompression bomb: `zeros` zero octets, deflated (RFC 7692 §7.2.1),
 * without ever holding them: compressed ~1000:1. */
static ws_err deflate_zeros(uint64_t zeros, uint8_t **out, size_t *out_len)
{
    static const uint8_t block[65536];
    ws_deflater d;
    *out = NULL;
    *out_len = 0;
    ws_err e = ws_deflate_init(&d, 15, true, NULL);
    if (e == WS_OK)
        e = ws_deflate_set_level(&d, 9); /* ~1000:1 */
    void *ctx[2] = {out, out_len};
    for (uint64_t done = 0; e == WS_OK && done < zeros; done += sizeof block) {
        size_t n = zeros - done < sizeof block ? (size_t)(zeros - done) : sizeof block;
        e = ws_deflate_feed(&d, block, n, done + n >= zeros, append_compressed, ctx);
    }
    ws_deflate_end(&d);
    return e;
}

/* Expand one declared frame into plan frames (several when .fragment;
 * frames sent compressed are split after compression, when sent). */
static ws_err expand(const ws_send_frame *f, ws_plan_frame **out, size_t *n, size_t *cap)
{
    size_t total = payload_len(f);
    uint8_t *all;
    if (f->gen == WS_GEN_ZEROS_DEFLATED) {
        ws_err e = deflate_zeros(f->len, &all, &total);
        if (e != WS_OK)
            return e;
    } else {
        all = malloc(total ? total : 1);
    }
    if (!all)
        return WS_ERR_NOMEM;
    size_t off = 0;
    if (f->coded) {
        all[0] = (uint8_t)(f->code >> 8);
        all[1] = (uint8_t)f->code;
        off = 2;
    }
    if (f->gen != WS_GEN_ZEROS_DEFLATED)
        generate(f, all + off, total - off);
    size_t piece = f->fragment && !f->compress ? f->fragment : (total ? total : 1);
    size_t count = total ? (total + piece - 1) / piece : 1;
    if (*n + count > *cap) {
        size_t ncap = (*n + count) * 2;
        ws_plan_frame *grown = realloc(*out, ncap * sizeof **out);
        if (!grown) {
            free(all);
            return WS_ERR_NOMEM;
        }
        *out = grown;
        *cap = ncap;
    }
    for (size_t i = 0; i < count; i++) {
        ws_plan_frame *pf = &(*out)[(*n)++];
        pf->spec = *f;
        if (!f->compress)
            pf->spec.fragment = 0;
        if (f->gen == WS_GEN_ZEROS_DEFLATED)
            pf->spec.rsv |= WS_RSV1;
        pf->payload = all + i * piece;
        pf->owns_payload = i == 0;
        pf->len = total ? (total - i * piece < piece ? total - i * piece : piece) : 0;
        if (i > 0) {
            pf->spec.opcode = WS_OP_CONT;
            pf->spec.gen = WS_GEN_LITERAL;
        }
        pf->spec.more = (i + 1 < count) || f->more;
    }
    return WS_OK;
}

/* ----------------------------------------------------------- echo model */

static ws_err discard(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return WS_OK;
}

/* Whether a raw compressed payload inflates cleanly (to at most 64 MiB). */
static bool valid_deflate(const uint8_t *payload, size_t len)
{
    ws_inflater inf;
    if (ws_inflate_init(&inf, 15, true, 64u << 20, NULL) != WS_OK)
        return false;
    ws_err e = ws_inflate_feed(&inf, payload, len, true, discard, NULL);
    ws_inflate_end(&inf);
    return e == WS_OK;
}

typedef struct {
    ws_plan *plan;
    bool running;
    bool in_msg;
    uint8_t msg_op;
    const uint8_t *single; /* the message's only frame, when not fragmented */
    uint8_t *buf;          /* fragmented message, concatenated */
    size_t len, cap;
    size_t frames;
    ws_utf8 utf8;
    size_t cap_events;
    uint8_t **owned; /* concatenated messages the plan must free */
    size_t nowned;
} model;

static bool push_event(model *m, ws_ev_kind kind, const uint8_t *data, size_t len)
{
    ws_expect_list *l = &m->plan->ok;
    if (l->n == m->cap_events) {
        size_t cap = m->cap_events ? m->cap_events * 2 : 16;
        ws_expect_event *e = realloc(l->events, cap * sizeof *e);
        if (!e)
            return false;
        l->events = e;
        m->cap_events = cap;
    }
    l->events[l->n++] = (ws_expect_event){kind, data, len};
    return true;
}

static void stop(model *m, ws_model_end end, ws_err why)
{
    m->running = false;
    m->plan->model_end = end;
    m->plan->violation = why;
}

static ws_err feed_close(model *m, const ws_plan_frame *f)
{
    ws_close_info ci;
    ws_err e = ws_close_parse(f->payload, f->len, &ci);
    if (e != WS_OK) {
        stop(m, WS_MODEL_CLOSE_BAD, e);
        return WS_OK;
    }
    stop(m, WS_MODEL_CLOSE_VALID, WS_OK);
    m->plan->close_codes[0] = 1000;
    m->plan->nclose_codes = 1;
    if (ci.has_code && ci.code != 1000)
        m->plan->close_codes[m->plan->nclose_codes++] = ci.code;
    return WS_OK;
}

/* Append a data frame's payload to the open message. */
static ws_err append(model *m, const ws_plan_frame *f)
{
    if (m->frames == 0 && !f->spec.more) {
        m->single = f->payload;
        m->len = f->len;
        m->frames = 1;
        return WS_OK;
    }
    if (m->len + f->len > m->cap) {
        size_t cap = (m->len + f->len) * 2;
        uint8_t *b = realloc(m->buf, cap);
        if (!b)
            return WS_ERR_NOMEM;
        m->buf = b;
        m->cap = cap;
    }
    if (f->len)
        memcpy(m->buf + m->len, f->payload, f->len);
    m->len += f->len;
    m->frames++;
    return WS_OK;
}

static bool own(model *m, uint8_t *buf)
{
    uint8_t **o = realloc(m->owned, (m->nowned + 1) * sizeof *o);
    if (!o)
        return false;
    m->owned = o;
    m->owned[m->nowned++] = buf;
    return true;
}

static ws_err finish_message(model *m)
{
    const uint8_t *data = m->single;
    if (m->frames != 1 || !m->single) {
        /* Hand the concatenated buffer to the plan. */
        if (!own(m, m->buf))
            return WS_ERR_NOMEM;
        data = m->buf;
        m->buf = NULL;
        m->cap = 0;
    }
    ws_ev_kind kind = m->msg_op == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
    if (!push_event(m, kind, data, m->len))
        return WS_ERR_NOMEM;
    m->in_msg = false;
    m->single = NULL;
    m->len = 0;
    m->frames = 0;
    return WS_OK;
}

static ws_err feed(model *m, const ws_plan_frame *f)
{
    const ws_send_frame *s = &f->spec;
    if (!m->running)
        return WS_OK;
    if (s->unmasked) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_MASK_MISSING);
        return WS_OK;
    }
    if (s->declared_len >> 63) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_LENGTH_MSB_SET);
        return WS_OK;
    }
    uint8_t rsv = s->rsv;
    if (m->plan->c->pmd_offer && (rsv & WS_RSV1)) {
        /* permessage-deflate: RSV1 only on the first frame of a data
         * message (RFC 7692 §6). */
        if (ws_opcode_is_control(s->opcode) || s->opcode == WS_OP_CONT) {
            stop(m, WS_MODEL_PROTOCOL, WS_ERR_RSV_NOT_NEGOTIATED);
            return WS_OK;
        }
        if (s->gen == WS_GEN_ZEROS_DEFLATED) {
            stop(m, WS_MODEL_PROTOCOL, WS_ERR_MESSAGE_TOO_LARGE);
            return WS_OK;
        }
        if (!valid_deflate(f->payload, f->len)) {
            stop(m, WS_MODEL_PROTOCOL, WS_ERR_DEFLATE_DATA);
            return WS_OK;
        }
        rsv &= (uint8_t)~WS_RSV1;
    }
    if (rsv) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_RSV_NOT_NEGOTIATED);
        return WS_OK;
    }
    if (ws_opcode_is_reserved(s->opcode)) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_RESERVED_OPCODE);
        return WS_OK;
    }
    if (ws_opcode_is_control(s->opcode)) {
        if (s->more || f->len > WS_MAX_CONTROL_PAYLOAD) {
            ws_err why = s->more ? WS_ERR_CONTROL_FRAGMENTED : WS_ERR_CONTROL_TOO_LONG;
            /* A well-formed header makes a Close a close attempt by wsspec
             * even when its payload is too long (7.3.6). */
            if (s->opcode == WS_OP_CLOSE && !s->more)
                stop(m, WS_MODEL_CLOSE_BAD, why);
            else
                stop(m, WS_MODEL_PROTOCOL, why);
            return WS_OK;
        }
        if (s->opcode == WS_OP_CLOSE)
            return feed_close(m, f);
        if (s->opcode == WS_OP_PING && !push_event(m, WS_EV_PONG, f->payload, f->len))
            return WS_ERR_NOMEM;
        return WS_OK;
    }
    if (s->opcode == WS_OP_CONT && !m->in_msg) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_UNEXPECTED_CONTINUATION);
        return WS_OK;
    }
    if (s->opcode != WS_OP_CONT && m->in_msg) {
        stop(m, WS_MODEL_PROTOCOL, WS_ERR_EXPECTED_CONTINUATION);
        return WS_OK;
    }
    if (s->opcode != WS_OP_CONT) {
        m->in_msg = true;
        m->msg_op = s->opcode;
        ws_utf8_init(&m->utf8);
    }
    if (m->msg_op == WS_OP_TEXT) {
        ws_err e = ws_utf8_feed(&m->utf8, f->payload, f->len);
        if (e == WS_OK && !s->more)
            e = ws_utf8_finish(&m->utf8);
        if (e != WS_OK) {
            stop(m, WS_MODEL_UTF8, e);
            return WS_OK;
        }
    }
    ws_err e = append(m, f);
    if (e == WS_OK && !s->more)
        e = finish_message(m);
    return e;
}

/* ----------------------------------------------------------- expectations */

static ws_err derive_close(ws_plan *p)
{
    switch (p->model_end) {
    case WS_MODEL_CLEAN:
        p->closed_by_me = true;
        p->close_codes[0] = 1000;
        p->nclose_codes = 1;
        p->require_clean = true;
        p->finish_when_done = true;
        break;
    case WS_MODEL_PROTOCOL:
        p->closed_by_me = false;
        p->close_codes[0] = 1002;
        p->nclose_codes = 1;
        /* A bomb may be refused as too big (1009) or as bad data (1007). */
        if (p->violation == WS_ERR_MESSAGE_TOO_LARGE) {
            p->close_codes[p->nclose_codes++] = 1009;
            p->close_codes[p->nclose_codes++] = 1007;
        }
        if (p->violation == WS_ERR_DEFLATE_DATA)
            p->close_codes[p->nclose_codes++] = 1007;
        /* A length of 2^63 or more is also "too big to process" (§7.4.1). */
        if (p->violation == WS_ERR_LENGTH_MSB_SET)
            p->close_codes[p->nclose_codes++] = 1009;
        /* Failing before echoing the valid messages is NON-STRICT (3.2, 4.1.3, 5.15). */
        p->has_non_strict = p->ok.n > 0;
        break;
    case WS_MODEL_UTF8:
        p->closed_by_me = false;
        p->close_codes[0] = 1007;
        p->nclose_codes = 1;
        p->wrong_endpoint_fatal = true;
        break;
    case WS_MODEL_CLOSE_VALID: /* codes set by feed_close */
        p->closed_by_me = true;
        p->require_clean = true;
        break;
    case WS_MODEL_CLOSE_BAD:
        p->closed_by_me = true;
        p->close_codes[0] = 1002;
        p->nclose_codes = 1;
        if (p->violation == WS_ERR_CLOSE_REASON_UTF8)
            p->close_codes[p->nclose_codes++] = 1007;
        break;
    }
    if ((p->c->flags & WS_CASE_LATEST_PONG) && p->ok.n > 1) {
        /* RFC 6455 §5.5.3 lets a peer answer only the most recent Ping. */
        ws_expect_event *ns = malloc(sizeof *ns);
        if (!ns)
            return WS_ERR_NOMEM;
        ns[0] = p->ok.events[p->ok.n - 1];
        p->non_strict.events = ns;
        p->non_strict.n = 1;
        p->has_non_strict = true;
    }
    if (p->c->flags & WS_CASE_FAIL_FAST) {
        /* OK: failed right after the invalid part (one mark);
         * NON-STRICT: failed only at the end of the message (two marks). */
        static const uint8_t a[] = "A", b[] = "B";
        ws_expect_event *ns = malloc(2 * sizeof *ns);
        if (!ns)
            return WS_ERR_NOMEM;
        ns[0] = (ws_expect_event){WS_EV_MARK, a, 1};
        ns[1] = (ws_expect_event){WS_EV_MARK, b, 1};
        /* The model sees whole frames, not the TCP writes a frame is held
         * back in, so the OK list is set here rather than simulated. */
        free(p->ok.events);
        p->ok.events = malloc(sizeof *p->ok.events);
        if (!p->ok.events) {
            free(ns);
            return WS_ERR_NOMEM;
        }
        p->ok.events[0] = ns[0];
        p->ok.n = 1;
        p->non_strict.events = ns;
        p->non_strict.n = 2;
        p->has_non_strict = true;
        p->wrong_endpoint_fatal = true;
    }
    return WS_OK;
}

/* Round trips over a data set: message i is the i-th slice; a conformant
 * peer echoes each one. */
static ws_err plan_corpus(model *m, ws_plan_step *ps)
{
    const ws_send_frame *f = &ps->frames[0].spec;
    size_t total;
    uint8_t *corpus = ws_corpus_generate(f->fill, &total);
    if (!corpus || !own(m, corpus)) {
        free(corpus);
        return WS_ERR_NOMEM;
    }
    size_t len = f->len < total ? f->len : total;
    ps->corpus = corpus;
    ps->corpus_len = total;
    ws_ev_kind kind = f->opcode == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
    for (int i = 0; i < ps->step->count; i++)
        if (!push_event(m, kind, corpus + ws_corpus_slice((size_t)i, len, total), len))
            return WS_ERR_NOMEM;
    m->plan->octets_out += (uint64_t)len * (uint64_t)ps->step->count;
    return WS_OK;
}

ws_err ws_plan_build(const ws_case *c, ws_plan *p)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->steps = calloc(c->nsteps ? c->nsteps : 1, sizeof *p->steps);
    if (!p->steps)
        return WS_ERR_NOMEM;
    p->nsteps = c->nsteps;
    model m = {.plan = p, .running = true};
    ws_err e = WS_OK;
    for (size_t i = 0; i < c->nsteps && e == WS_OK; i++) {
        const ws_step *st = &c->steps[i];
        ws_plan_step *ps = &p->steps[i];
        ps->step = st;
        size_t cap = 0;
        for (size_t k = 0; k < st->nframes && e == WS_OK; k++)
            e = expand(&st->frames[k], &ps->frames, &ps->nframes, &cap);
        int repeat = st->kind == WS_STEP_ROUNDTRIPS ? st->count : 1;
        if (e == WS_OK && st->kind == WS_STEP_ROUNDTRIPS && ps->nframes &&
            ps->frames[0].spec.gen == WS_GEN_CORPUS) {
            e = plan_corpus(&m, ps);
            ps->owed_after = p->ok.n;
            continue;
        }
        for (int r = 0; r < repeat && e == WS_OK; r++)
            for (size_t k = 0; k < ps->nframes && e == WS_OK; k++) {
                e = feed(&m, &ps->frames[k]);
                if (r == 0)
                    p->octets_out += ps->frames[k].len;
            }
        if (st->kind == WS_STEP_ROUNDTRIPS)
            p->octets_out *= (uint64_t)(repeat > 0 ? repeat : 0);
        if (st->kind == WS_STEP_PAUSE && st->mark && m.running &&
            !push_event(&m, WS_EV_MARK, (const uint8_t *)st->mark, strlen(st->mark)))
            e = WS_ERR_NOMEM;
        ps->owed_after = p->ok.n;
    }
    free(m.buf);
    p->owned = m.owned;
    p->nowned = m.nowned;
    if (e == WS_OK && m.running)
        p->model_end = WS_MODEL_CLEAN;
    if (e == WS_OK)
        e = derive_close(p);
    if (e != WS_OK)
        ws_plan_free(p);
    return e;
}

void ws_plan_free(ws_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        for (size_t k = 0; k < p->steps[i].nframes; k++)
            if (p->steps[i].frames[k].owns_payload)
                free(p->steps[i].frames[k].payload);
        free(p->steps[i].frames);
    }
    free(p->steps);
    for (size_t i = 0; i < p->nowned; i++)
        free(p->owned[i]);
    free(p->owned);
    free(p->ok.events);
    free(p->non_strict.events);
    memset(p, 0, sizeof *p);
}

static const char *kind_name(ws_ev_kind k)
{
    static const char *const names[] = {"text", "binary", "ping", "pong", "mark"};
    return names[k];
}

static size_t describe_list(const ws_expect_list *l, char *out, size_t cap)
{
    size_t n = 0;
    if (l->n == 0)
        return (size_t)snprintf(out, cap, "nothing");
    for (size_t i = 0; i < l->n && n < cap; i++) {
        const ws_expect_event *e = &l->events[i];
        if (i > 0 && i == 3 && l->n > 4) {
            n += (size_t)snprintf(out + n, cap - n, ", ... (%zu in all)", l->n);
            break;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s%s %zu octets", i ? ", " : "",
                              kind_name(e->kind), e->len);
    }
    return n;
}

void ws_plan_describe(const ws_plan *p, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return;
    out[0] = 0;
#define ADD(...) n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__)
    if (p->c->hs_expect != WS_HS_ACCEPT && p->c->hs_response) {
        ADD("The client fails the WebSocket connection (closes TCP) and never echoes the "
            "message wsspec sends after its invalid response.");
        return;
    }
    if (p->c->hs_expect != WS_HS_ACCEPT) {
        ADD("The server refuses the opening request: ");
        ADD(p->c->hs_expect == WS_HS_REJECT_VERSION
                ? "an HTTP error status (426) with Sec-WebSocket-Version: 13; never 101."
                : "an HTTP error status (4xx) or a closed connection; never 101.");
        if (p->c->flags & WS_CASE_PROBE_AFTER)
            ADD(" Right afterwards it still completes a valid handshake.");
        return;
    }
    if (p->c->flags & WS_CASE_LENIENT) {
        ADD("OK: the peer fails the connection (1002 or a TCP drop); INFORMATIONAL: it accepts "
            "the frame and echoes the message.");
        return;
    }
    if (p->c->flags & WS_CASE_INFORMATIONAL) {
        ADD("Informational: any answer is recorded. ");
    } else if (p->c->flags & WS_CASE_FAIL_FAST) {
        ADD("OK: the peer fails the connection right after the invalid part arrives; "
            "NON-STRICT: only after the whole message. ");
    } else {
        ADD("OK: receive ");
        if (n < cap)
            n += describe_list(&p->ok, out + n, cap - n);
        if (p->has_non_strict && (p->c->flags & WS_CASE_LATEST_PONG))
            ADD("; NON-STRICT: a Pong for the last Ping only (RFC 6455 §5.5.3)");
        else if (p->has_non_strict)
            ADD("; NON-STRICT: nothing (failed before answering the valid messages)");
        ADD(". ");
    }
    if (p->closed_by_me)
        ADD("wsspec closes; the peer answers with close code");
    else
        ADD("The peer fails the connection: close code");
    for (size_t i = 0; i < p->nclose_codes; i++)
        ADD("%s %u", i ? " or" : "", p->close_codes[i]);
    ADD(p->closed_by_me ? "" : " or a TCP drop");
    ADD(p->require_clean ? ", and closes TCP cleanly." : ".");
    if (n >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
#undef ADD
}
