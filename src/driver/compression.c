/* permessage-deflate (RFC 7692) for the driver's sessions: checking the
 * server's answer to the case's offer, inflating what arrives, deflating
 * what is sent. The codec itself is in the core (deflate.c, extensions.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/session.h"
#include "wsspec/extensions.h"

#define MAX_OFFERS    8
#define MAX_PARAMS    32
#define INFLATE_LIMIT (64u << 20) /* the largest message a case expects back */

static ws_err start_codecs(ws_session *s, const ws_pmd_params *agreed);

ws_err ws_session_pmd_negotiate(ws_session *s, const char *ext, size_t ext_len, char *detail,
                                size_t detail_cap)
{
    const char *offer = s->plan->c->pmd_offer;
    s->pmd_agreed = false;
    if (!ext) {
        s->res->pmd_unimplemented = true;
        return WS_OK;
    }
    ws_ext_offer resp[MAX_OFFERS], offered[MAX_OFFERS];
    ws_ext_param resp_params[MAX_PARAMS], offered_params[MAX_PARAMS];
    char scratch[512], scratch2[512];
    ws_ext_list rl, ol;
    ws_ext_list_init(&rl, resp, MAX_OFFERS, resp_params, MAX_PARAMS, scratch, sizeof scratch);
    ws_ext_list_init(&ol, offered, MAX_OFFERS, offered_params, MAX_PARAMS, scratch2,
                     sizeof scratch2);
    ws_err e = ws_ext_parse(&rl, ext, ext_len, detail, detail_cap);
    if (e != WS_OK)
        return e;
    if (rl.num_offers != 1 || !ws_ext_is(&resp[0], WS_PMD_NAME)) {
        snprintf(detail, detail_cap, "the response must select exactly one extension, %s",
                 WS_PMD_NAME);
        return WS_ERR_HS_EXTENSION;
    }
    e = ws_ext_parse(&ol, offer, strlen(offer), detail, detail_cap);
    if (e != WS_OK)
        return e;
    /* Several offers: the answer must be valid for at least one (§5.1). */
    ws_pmd_params agreed;
    e = WS_ERR_EXT_PARAM;
    for (size_t i = 0; i < ol.num_offers && e != WS_OK; i++) {
        ws_pmd_params p;
        if (ws_pmd_parse_offer(&offered[i], &p, NULL, 0) == WS_OK)
            e = ws_pmd_check_response(&p, &resp[0], &agreed, detail, detail_cap);
    }
    if (e != WS_OK)
        return e;
    e = start_codecs(s, &agreed);
    if (e != WS_OK)
        return e;
    snprintf(s->res->pmd_response, sizeof s->res->pmd_response, "%.*s", (int)ext_len, ext);
    return WS_OK;
}

/* Set up the codecs for agreed parameters, for wsspec's role. */
static ws_err start_codecs(ws_session *s, const ws_pmd_params *agreed)
{
    ws_pmd_setup setup;
    ws_pmd_setup_for(agreed, s->as_server, &setup);
    ws_err e = ws_deflate_init(&s->deflater, setup.deflate_window_bits,
                               setup.deflate_no_context_takeover, NULL);
    if (e == WS_OK && s->t->set_deflate_level) {
        e = ws_deflate_set_level(&s->deflater, s->t->deflate_level);
        if (e != WS_OK)
            ws_deflate_end(&s->deflater);
    }
    if (e != WS_OK)
        return e;
    e = ws_inflate_init(&s->inflater, setup.inflate_window_bits, setup.inflate_no_context_takeover,
                        INFLATE_LIMIT, NULL);
    if (e != WS_OK) {
        ws_deflate_end(&s->deflater);
        return e;
    }
    s->pmd_agreed = true;
    s->parser.cfg.allowed_rsv = WS_RSV1;
    return WS_OK;
}

ws_err ws_session_pmd_answer(ws_session *s, const char *offers, size_t offers_len, char *response,
                             size_t response_cap)
{
    response[0] = 0;
    s->res->pmd_unimplemented = true;
    if (!offers)
        return WS_OK;
    ws_ext_offer offered[MAX_OFFERS];
    ws_ext_param params[MAX_PARAMS];
    char scratch[512];
    ws_ext_list ol;
    ws_ext_list_init(&ol, offered, MAX_OFFERS, params, MAX_PARAMS, scratch, sizeof scratch);
    if (ws_ext_parse(&ol, offers, offers_len, NULL, 0) != WS_OK)
        return WS_OK; /* a client's malformed offer is declined */
    const ws_hs_response *hr = s->plan->c->hs_response;
    ws_pmd_server_policy policy = {.client_no_context_takeover =
                                       hr && hr->pmd_client_no_context_takeover};
    for (size_t i = 0; i < ol.num_offers; i++) {
        ws_pmd_params p, agreed;
        if (!ws_ext_is(&offered[i], WS_PMD_NAME) ||
            ws_pmd_parse_offer(&offered[i], &p, NULL, 0) != WS_OK ||
            ws_pmd_accept(&p, &policy, &agreed) != WS_OK ||
            ws_pmd_write_response(&agreed, response, response_cap, NULL) != WS_OK)
            continue;
        ws_err e = start_codecs(s, &agreed);
        if (e == WS_OK) {
            s->res->pmd_unimplemented = false;
            snprintf(s->res->pmd_response, sizeof s->res->pmd_response, "%s", response);
        }
        return e;
    }
    return WS_OK;
}

void ws_session_pmd_free(ws_session *s)
{
    if (!s->pmd_agreed)
        return;
    ws_deflate_end(&s->deflater);
    ws_inflate_end(&s->inflater);
    s->pmd_agreed = false;
}

static ws_err deliver_cb(void *ctx, const uint8_t *data, size_t len)
{
    ws_session *s = ctx;
    ws_session_deliver(s, data, len);
    return s->rx_failed ? WS_ERR_CLOSED : WS_OK;
}

void ws_session_inflate(ws_session *s, const uint8_t *data, size_t len, bool message_end)
{
    if (s->rx_failed)
        return;
    if (!s->pmd_agreed) {
        ws_session_violation(s, WS_ERR_RSV_NOT_NEGOTIATED, "RSV1 without permessage-deflate");
        return;
    }
    ws_err e = ws_inflate_feed(&s->inflater, data, len, message_end, deliver_cb, s);
    if (e == WS_OK || s->rx_failed)
        return;
    char detail[200];
    if (e == WS_ERR_MESSAGE_TOO_LARGE)
        snprintf(detail, sizeof detail,
                 "the peer sent a compressed message inflating past "
                 "wsspec's 64 MiB limit (did it accept a decompression "
                 "bomb?)");
    else if (s->inflater.no_context_takeover && s->inflater.data_error)
        snprintf(detail, sizeof detail,
                 "a compressed message from the peer does not inflate with a fresh inflater, "
                 "although it agreed to no_context_takeover (%s)",
                 ws_inflate_detail(&s->inflater));
    else
        snprintf(detail, sizeof detail, "in a compressed message from the peer");
    ws_session_violation(s, e, detail);
}

typedef struct {
    uint8_t *buf;
    size_t len, cap;
} grow_buf;

static ws_err collect(void *ctx, const uint8_t *data, size_t len)
{
    grow_buf *g = ctx;
    if (g->len + len > g->cap) {
        size_t cap = (g->len + len) * 2;
        uint8_t *b = realloc(g->buf, cap);
        if (!b)
            return WS_ERR_NOMEM;
        g->buf = b;
        g->cap = cap;
    }
    memcpy(g->buf + g->len, data, len);
    g->len += len;
    return WS_OK;
}

ws_err ws_session_deflate_slice(ws_session *s, const ws_deflate_key *key, const uint8_t *in,
                                size_t len, const uint8_t **out, size_t *out_len, uint8_t **owned)
{
    *owned = NULL;
    ws_deflate_cache *cache = s->t->deflate_cache;
    /* Reusable only when every message starts from a reset compressor. */
    if (!cache || !key || !s->deflater.no_context_takeover) {
        ws_err e = ws_session_deflate(s, in, len, owned, out_len);
        *out = *owned;
        return e;
    }
    ws_deflate_key k = *key;
    k.window_bits = s->deflater.window_bits;
    k.level = s->t->set_deflate_level ? s->t->deflate_level : WS_DEFLATE_DEFAULT_LEVEL;
    const uint8_t *hit = ws_deflate_cache_get(cache, &k, out_len);
    if (hit) {
        *out = hit;
        s->res->tx_app_octets += len;
        s->res->tx_wire_octets += *out_len;
        return WS_OK;
    }
    ws_err e = ws_session_deflate(s, in, len, owned, out_len);
    if (e == WS_OK)
        ws_deflate_cache_put(cache, &k, *owned, *out_len);
    *out = *owned;
    return e;
}

ws_err ws_session_deflate(ws_session *s, const uint8_t *in, size_t len, uint8_t **out,
                          size_t *out_len)
{
    grow_buf g = {0};
    ws_err e = ws_deflate_feed(&s->deflater, in, len, true, collect, &g);
    if (e != WS_OK) {
        free(g.buf);
        return e;
    }
    if (!g.buf)
        g.buf = malloc(1);
    *out = g.buf;
    *out_len = g.len;
    s->res->tx_app_octets += len;
    s->res->tx_wire_octets += g.len;
    return g.buf ? WS_OK : WS_ERR_NOMEM;
}
