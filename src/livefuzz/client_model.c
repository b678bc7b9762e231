/*
 * Client mode's model and judge: what a conformant echo client must do with
 * the octets wsspec, as the server, sent it.
 *
 *   - The opening response is checked against the client's own request
 *     (its key, the subprotocols and extensions it offered), RFC 6455 §4.1.
 *     A 101 that breaks a rule must make the client fail the connection: it
 *     may send a Close, but no message or Pong, and it must close. A status
 *     other than 101 is plain HTTP (§4.1 leaves it to HTTP): no WebSocket
 *     frame may follow, but the client need not close. A head the strict
 *     HTTP parser rejects is not judged (RFC 7230 allows lenient parsing).
 *   - After a valid 101 the frames are modelled as in server mode
 *     (ws_lf_model_frames), parsed as a client parses them: a masked server
 *     frame is a violation (§5.1).
 *   - Whatever the client sends is parsed as a server parses it: an unmasked
 *     client frame is a violation (§5.1, §5.3).
 * An extension agreed in the response leaves the frames unjudged.
 */
#include <stdio.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/handshake.h"

/* Copy a header's value as a C string ("" and false when absent). */
static bool header_value(const ws_http_request *req, const char *name, char *out, size_t cap)
{
    size_t count = 0;
    const ws_http_header *h = ws_http_find(req->headers, req->num_headers, name, &count);
    out[0] = 0;
    if (!h || h->value_len >= cap)
        return false;
    memcpy(out, h->value, h->value_len);
    out[h->value_len] = 0;
    return true;
}

void ws_lf_expect_build_client(const uint8_t *sent, size_t len, size_t head_len,
                               const char *request, size_t request_len, ws_lf_expect *e)
{
    memset(e, 0, sizeof *e);
    e->end = WS_LF_M_CLEAN;
    if (head_len == 0)
        return; /* the client is still waiting for the end of the response */
    e->head_sent = true;
    e->judge_frames = true;
    static _Thread_local ws_http_header rh[128], hh[256];
    ws_http_request req;
    size_t hl;
    char key[64] = "", protocols[1024], extensions[1024];
    bool has_protocols = false, has_extensions = false;
    if (ws_http_parse_request(request, request_len, request_len + 1, &req, rh, 128, &hl) == WS_OK) {
        header_value(&req, "Sec-WebSocket-Key", key, sizeof key);
        has_protocols = header_value(&req, "Sec-WebSocket-Protocol", protocols, sizeof protocols);
        has_extensions =
            header_value(&req, "Sec-WebSocket-Extensions", extensions, sizeof extensions);
    }
    ws_http_response resp;
    ws_hs_response_info info = {0};
    ws_err err =
        ws_http_parse_response((const char *)sent, head_len, head_len + 1, &resp, hh, 256, &hl);
    if (err != WS_OK) {
        /* HTTP syntax the strict parser rejects (a DEL in the reason phrase,
         * odd whitespace) is not judged: RFC 7230 lets a client be lenient
         * there, and RFC 6455 names what it must check. */
        e->judge_frames = false;
        return;
    }
    size_t accepts = 0, protocols_sent = 0;
    ws_http_find(resp.headers, resp.num_headers, "Sec-WebSocket-Accept", &accepts);
    ws_http_find(resp.headers, resp.num_headers, "Sec-WebSocket-Protocol", &protocols_sent);
    if (resp.status == 101 && (accepts > 1 || protocols_sent > 1)) {
        /* Repeated fields: a client may take the first or fail; not judged. */
        e->judge_frames = false;
        return;
    }
    if (resp.status != 101) {
        e->may_stay_open = true;
        err = WS_ERR_HS_STATUS;
    } else {
        err = ws_handshake_check_response(&resp, key, has_protocols ? protocols : NULL,
                                          has_extensions ? extensions : NULL, &info);
    }
    if (err != WS_OK) {
        e->hs_must_reject = true;
        e->hs_err = err;
        e->end = WS_LF_M_FAIL;
        e->violation = err;
        return;
    }
    if (info.extensions) {
        e->judge_frames = false;
        return;
    }
    ws_lf_model_frames(sent + head_len, len - head_len, true, e);
}

/* The server-mode rules apply once the handshake part is set aside. */
static const ws_lf_expect *frames_only(const ws_lf_expect *e)
{
    static _Thread_local ws_lf_expect copy;
    copy = *e;
    copy.hs_must_reject = false;
    copy.has_key = false;
    return &copy;
}

bool ws_lf_settled_client(const ws_lf_expect *e, const ws_lf_obs *o)
{
    if (o->end != WS_LF_OBS_OPEN || o->got_close || !e->head_sent || e->may_stay_open)
        return true;
    return ws_lf_settled(frames_only(e), o);
}

bool ws_lf_judge_client(const ws_lf_expect *e, const ws_lf_obs *o, char *detail, size_t cap)
{
    if (o->peer_err != WS_OK) {
        snprintf(detail, cap, "sent a frame that breaks framing (%s)", ws_err_name(o->peer_err));
        return true;
    }
    if (!e->head_sent || e->hs_must_reject) {
        if (o->ndata || o->npongs) {
            snprintf(detail, cap, "sent %s %s", o->ndata ? "a message" : "a Pong",
                     !e->head_sent ? "before the opening response was complete"
                                   : "after an opening response it must refuse");
            if (e->hs_must_reject) {
                size_t n = strlen(detail);
                snprintf(detail + n, cap - n, " (%s)", ws_err_name(e->hs_err));
            }
            return true;
        }
        if (o->got_close && o->close_err != WS_OK) {
            snprintf(detail, cap, "sent an invalid Close (%s, code %u)", ws_err_name(o->close_err),
                     (unsigned)o->close_code);
            return true;
        }
        return false;
    }
    return ws_lf_judge(frames_only(e), o, detail, cap);
}
