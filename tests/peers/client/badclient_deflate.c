/*
 * wsspec-badclient: permessage-deflate (RFC 7692) with --deflate, through
 * the core's parser and codecs: the answer to BC_PMD_OFFER is checked as
 * RFC 7692 §5.1 says, then messages with RSV1 are inflated and every echo
 * is compressed.
 */
#include <stdlib.h>
#include <string.h>

#include "wsspec/extensions.h"

#include "badclient.h"

#define MAX_OFFERS  4
#define MAX_PARAMS  16
#define SCRATCH_CAP 256

ws_err bc_pmd_start(const ws_http_header *ext, bc_flags v, bc_pmd *pmd)
{
    pmd->on = false;
    if (!ext)
        return WS_OK; /* declined */
    ws_ext_offer answer[MAX_OFFERS], offer[MAX_OFFERS];
    ws_ext_param answer_params[MAX_PARAMS], offer_params[MAX_PARAMS];
    char scratch[SCRATCH_CAP], offer_scratch[SCRATCH_CAP];
    ws_ext_list al, ol;
    ws_ext_list_init(&al, answer, MAX_OFFERS, answer_params, MAX_PARAMS, scratch, sizeof scratch);
    ws_ext_list_init(&ol, offer, MAX_OFFERS, offer_params, MAX_PARAMS, offer_scratch,
                     sizeof offer_scratch);
    ws_err e = ws_ext_parse(&al, ext->value, ext->value_len, NULL, 0);
    if (e != WS_OK)
        return e;
    if (al.num_offers != 1 || !ws_ext_is(&answer[0], WS_PMD_NAME))
        return WS_ERR_HS_EXTENSION;
    ws_pmd_params offered, agreed;
    e = ws_ext_parse(&ol, BC_PMD_OFFER, strlen(BC_PMD_OFFER), NULL, 0);
    if (e == WS_OK)
        e = ws_pmd_parse_offer(&offer[0], &offered, NULL, 0);
    if (e == WS_OK)
        e = ws_pmd_check_response(&offered, &answer[0], &agreed, NULL, 0);
    if (e != WS_OK)
        return e;
    ws_pmd_setup setup;
    ws_pmd_setup_for(&agreed, false, &setup);
    bool reset = setup.deflate_no_context_takeover && !bc_has(v, BC_V(PMD_KEEP_CONTEXT));
    e = ws_deflate_init(&pmd->deflater, setup.deflate_window_bits, reset, NULL);
    if (e != WS_OK)
        return e;
    e = ws_inflate_init(&pmd->inflater, setup.inflate_window_bits,
                        setup.inflate_no_context_takeover, BC_MAX_MESSAGE, NULL);
    if (e != WS_OK) {
        ws_deflate_end(&pmd->deflater);
        return e;
    }
    pmd->on = true;
    return WS_OK;
}

uint8_t *bc_pmd_compress(bc_pmd *p, const uint8_t *msg, size_t len, size_t *out_len)
{
    size_t cap = ws_deflate_bound(len);
    uint8_t *out = malloc(cap);
    if (out && ws_deflate_message(&p->deflater, len ? msg : (const uint8_t *)"", len, out, cap,
                                  out_len) == WS_OK)
        return out;
    free(out);
    return NULL;
}

void bc_pmd_end(bc_pmd *p)
{
    if (!p->on)
        return;
    ws_deflate_end(&p->deflater);
    ws_inflate_end(&p->inflater);
    p->on = false;
}
