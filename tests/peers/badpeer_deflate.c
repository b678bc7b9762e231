/*
 * wsspec-badpeer: permessage-deflate (RFC 7692), negotiated when offered,
 * with the core's parser and codecs. The pmd-accept-* violations bend the
 * offer check: the offending parameter is dropped or taken as valid before
 * the offer goes to the core's ws_pmd_parse_offer, so each switch breaks
 * exactly one rule and the others stay in force.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wsspec/frame.h"

#include "badpeer.h"

#define EXT_HEADER  "Sec-WebSocket-Extensions"
#define MAX_OFFERS  16
#define MAX_PARAMS  64
#define SCRATCH_CAP 512

static bool param_is(const ws_ext_param *p, const char *name)
{
    return p->name_len == strlen(name) && memcmp(p->name, name, p->name_len) == 0;
}

static bool is_flag(const ws_ext_param *p)
{
    return param_is(p, "server_no_context_takeover") || param_is(p, "client_no_context_takeover");
}

static bool is_window(const ws_ext_param *p)
{
    return param_is(p, "server_max_window_bits") || param_is(p, "client_max_window_bits");
}

/* A window-bits value that is a number, but outside 8..15. */
static bool window_out_of_range(const ws_ext_param *p)
{
    if (!p->has_value || p->value_len == 0 || p->value_len > 4)
        return false;
    int n = 0;
    for (size_t i = 0; i < p->value_len; i++) {
        if (p->value[i] < '0' || p->value[i] > '9')
            return false;
        n = n * 10 + (p->value[i] - '0');
    }
    return n < 8 || n > 15;
}

static bool seen_before(const ws_ext_param *kept, size_t n, const ws_ext_param *p)
{
    for (size_t i = 0; i < n; i++)
        if (kept[i].name_len == p->name_len && memcmp(kept[i].name, p->name, p->name_len) == 0)
            return true;
    return false;
}

/* The offer's parameters with what the violations waive taken out. */
static size_t waive_params(const ws_ext_offer *offer, bp_flags v, ws_ext_param *kept)
{
    size_t n = 0;
    for (size_t i = 0; i < offer->num_params; i++) {
        ws_ext_param p = offer->params[i];
        bool known = is_flag(&p) || is_window(&p);
        if (!known && bp_has(v, BP_V(PMD_ACCEPT_UNKNOWN)))
            continue;
        if (known && seen_before(kept, n, &p) && bp_has(v, BP_V(PMD_ACCEPT_REPEATED)))
            continue;
        if (is_window(&p) && window_out_of_range(&p) && bp_has(v, BP_V(PMD_ACCEPT_BAD_WINDOW)))
            continue; /* taken as absent: a 15-bit window */
        if (is_flag(&p) && p.has_value && bp_has(v, BP_V(PMD_ACCEPT_FLAG_VALUE)))
            p = (ws_ext_param){.name = p.name, .name_len = p.name_len};
        kept[n++] = p;
    }
    return n;
}

static bool accept_offer(const ws_ext_offer *offer, bp_flags v, ws_pmd_params *agreed,
                         char response[BP_EXT_RESPONSE_MAX])
{
    ws_ext_param kept[MAX_PARAMS];
    ws_ext_offer waived = *offer;
    waived.params = kept;
    waived.num_params = waive_params(offer, v, kept);
    ws_pmd_params asked;
    return ws_pmd_parse_offer(&waived, &asked, NULL, 0) == WS_OK &&
           ws_pmd_accept(&asked, NULL, agreed) == WS_OK &&
           ws_pmd_write_response(agreed, response, BP_EXT_RESPONSE_MAX, NULL) == WS_OK;
}

bool bp_pmd_negotiate(const ws_http_request *req, bp_flags v, ws_pmd_params *agreed,
                      char response[BP_EXT_RESPONSE_MAX])
{
    ws_ext_offer offers[MAX_OFFERS];
    ws_ext_param params[MAX_PARAMS];
    char scratch[SCRATCH_CAP];
    ws_ext_list list;
    ws_ext_list_init(&list, offers, MAX_OFFERS, params, MAX_PARAMS, scratch, sizeof scratch);
    for (size_t i = 0; i < req->num_headers; i++) {
        const ws_http_header *h = &req->headers[i];
        if (h->name_len == sizeof EXT_HEADER - 1 &&
            strncasecmp(h->name, EXT_HEADER, h->name_len) == 0 &&
            ws_ext_parse(&list, h->value, h->value_len, NULL, 0) != WS_OK)
            return false; /* a malformed offer is declined */
    }
    for (size_t i = 0; i < list.num_offers; i++)
        if (ws_ext_is(&offers[i], WS_PMD_NAME) && accept_offer(&offers[i], v, agreed, response))
            return true;
    return false;
}

/* ------------------------------------------------------------- frames */

ws_err bp_pmd_header_error(bp_flags v, const ws_frame_header *h)
{
    bool rsv1 = (h->rsv & WS_RSV1) != 0;
    if (rsv1 && ws_opcode_is_control(h->opcode) && !bp_has(v, BP_V(PMD_RSV1_ON_CONTROL)))
        return WS_ERR_RSV_NOT_NEGOTIATED;
    if (rsv1 && h->opcode == WS_OP_CONT && !bp_has(v, BP_V(PMD_RSV1_ON_CONTINUATION)))
        return WS_ERR_RSV_NOT_NEGOTIATED;
    if (!rsv1 && (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY) &&
        bp_has(v, BP_V(PMD_REFUSE_UNCOMPRESSED)))
        return WS_ERR_RSV_NOT_NEGOTIATED;
    return WS_OK;
}

bool bp_pmd_waives(bp_flags v, ws_err e)
{
    return e == WS_ERR_MESSAGE_TOO_LARGE ? bp_has(v, BP_V(PMD_IGNORE_BOMB))
                                         : bp_has(v, BP_V(PMD_IGNORE_BAD_DATA));
}

/* ------------------------------------------------------------- codecs */

ws_err bp_pmd_start(bp_pmd *p, const ws_pmd_params *agreed, bp_flags v, uint64_t limit)
{
    ws_pmd_setup setup;
    ws_pmd_setup_for(agreed, true, &setup);
    bool reset = setup.deflate_no_context_takeover && !bp_has(v, BP_V(PMD_KEEP_CONTEXT));
    ws_err e = ws_deflate_init(&p->deflater, setup.deflate_window_bits, reset, NULL);
    if (e != WS_OK)
        return e;
    p->limit = limit;
    p->inflate_bits = setup.inflate_window_bits;
    p->inflate_reset = setup.inflate_no_context_takeover;
    e = ws_inflate_init(&p->inflater, p->inflate_bits, p->inflate_reset, limit, NULL);
    if (e != WS_OK) {
        ws_deflate_end(&p->deflater);
        return e;
    }
    p->agreed = *agreed;
    p->on = true;
    return WS_OK;
}

uint8_t *bp_pmd_compress(bp_pmd *p, const uint8_t *msg, size_t len, size_t *out_len)
{
    size_t cap = ws_deflate_bound(len);
    uint8_t *out = malloc(cap);
    if (out && ws_deflate_message(&p->deflater, len ? msg : (const uint8_t *)"", len, out, cap,
                                  out_len) == WS_OK)
        return out;
    free(out);
    return NULL;
}

ws_err bp_pmd_restart_inflater(bp_pmd *p)
{
    ws_inflate_end(&p->inflater);
    return ws_inflate_init(&p->inflater, p->inflate_bits, p->inflate_reset, p->limit, NULL);
}

void bp_pmd_end(bp_pmd *p)
{
    if (!p->on)
        return;
    ws_deflate_end(&p->deflater);
    ws_inflate_end(&p->inflater);
    p->on = false;
}
