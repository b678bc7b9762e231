/*
 * permessage-deflate (RFC 7692) for the echo server: negotiation from the
 * opening request, then per connection a decompressor feeding the message
 * buffer and a compressor for the echoes. The codec and the parameter rules
 * are the core's (extensions.c, deflate.c); this file only wires them in.
 *
 * Choices:
 *   - every Sec-WebSocket-Extensions line is parsed, also when negotiation
 *     is off, and a malformed one refuses the handshake (400): the server is
 *     strict. Empty list elements are skipped (RFC 7230 §7 asks recipients
 *     to accept them);
 *   - the first valid permessage-deflate offer is accepted with what the
 *     client asked (window bits 8..15, either no_context_takeover); invalid
 *     offers and unknown extensions are declined, never an error;
 *   - a message that arrived compressed is echoed compressed, except while
 *     the data does not compress (random or already compressed data:
 *     ws_srv_pmd_skip); an uncompressed message gets an uncompressed echo;
 *   - memory: decompressed octets go straight into the message buffer,
 *     which never grows past max_message (the inflater stops at exactly
 *     that); an echo is compressed straight into the output queue, at most
 *     ws_deflate_bound(len) octets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_internal.h"

#define EXT_HEADER  "Sec-WebSocket-Extensions"
#define MAX_OFFERS  32
#define MAX_PARAMS  128
#define SCRATCH_CAP 1024

/* ------------------------------------------------------------ negotiation */

static bool is_extensions_header(const ws_http_header *h)
{
    return h->name_len == sizeof EXT_HEADER - 1 &&
           strncasecmp(h->name, EXT_HEADER, sizeof EXT_HEADER - 1) == 0;
}

/* Parse every extensions line of req into list. */
static ws_err parse_all(const ws_http_request *req, ws_ext_list *list, char *detail,
                        size_t detail_cap)
{
    for (size_t i = 0; i < req->num_headers; i++) {
        const ws_http_header *h = &req->headers[i];
        if (!is_extensions_header(h))
            continue;
        char why[128] = "";
        ws_err e = ws_ext_parse(list, h->value, h->value_len, why, sizeof why);
        if (e == WS_ERR_BUFFER_TOO_SMALL) {
            /* Over what the server examines: a limit of RFC 6455 §10.4. */
            snprintf(detail, detail_cap,
                     EXT_HEADER ": more than %d offers or %d parameters, or quoted values "
                                "over %d octets",
                     MAX_OFFERS, MAX_PARAMS, SCRATCH_CAP);
            return WS_ERR_HTTP_TOO_LARGE;
        }
        if (e != WS_OK) {
            snprintf(detail, detail_cap, EXT_HEADER ": %s", why);
            return e;
        }
    }
    return WS_OK;
}

ws_err ws_srv_pmd_negotiate(const ws_http_request *req, bool negotiate, bool *accepted,
                            ws_pmd_params *agreed, char response[WS_SRV_EXT_RESPONSE_MAX],
                            char *detail, size_t detail_cap)
{
    *accepted = false;
    response[0] = '\0';
    ws_ext_offer offers[MAX_OFFERS];
    ws_ext_param params[MAX_PARAMS];
    char scratch[SCRATCH_CAP];
    ws_ext_list list;
    ws_ext_list_init(&list, offers, MAX_OFFERS, params, MAX_PARAMS, scratch, sizeof scratch);
    list.allow_empty_elements = true;
    ws_err e = parse_all(req, &list, detail, detail_cap);
    if (e != WS_OK || !negotiate)
        return e;

    /* Accept what the client asks: any window 8..15, either no_context_takeover. */
    static const ws_pmd_server_policy policy = {0};
    for (size_t i = 0; i < list.num_offers; i++) {
        ws_pmd_params offer;
        if (!ws_ext_is(&offers[i], WS_PMD_NAME))
            continue; /* unknown: never accepted */
        if (ws_pmd_parse_offer(&offers[i], &offer, NULL, 0) != WS_OK)
            continue; /* declined */
        if (ws_pmd_accept(&offer, &policy, agreed) != WS_OK)
            continue;
        if (ws_pmd_write_response(agreed, response, WS_SRV_EXT_RESPONSE_MAX, NULL) != WS_OK)
            continue; /* cannot happen: the longest response is about 120 octets */
        *accepted = true;
        return WS_OK;
    }
    return WS_OK;
}

ws_err ws_srv_pmd_start(ws_srv_conn *c, const ws_pmd_params *agreed)
{
    ws_srv_pmd *p = calloc(1, sizeof *p);
    if (!p)
        return WS_ERR_NOMEM;
    p->agreed = *agreed;
    ws_pmd_setup setup;
    ws_pmd_setup_for(agreed, true, &setup);
    ws_err e = ws_deflate_init(&p->deflater, setup.deflate_window_bits,
                               setup.deflate_no_context_takeover, NULL);
    if (e == WS_OK && c->deflate_level != WS_DEFLATE_DEFAULT_LEVEL) {
        e = ws_deflate_set_level(&p->deflater, c->deflate_level);
        if (e != WS_OK)
            ws_deflate_end(&p->deflater);
    }
    if (e == WS_OK) {
        /* The inflater stops at the server's message limit, while inflating. */
        e = ws_inflate_init(&p->inflater, setup.inflate_window_bits,
                            setup.inflate_no_context_takeover, c->max_message, NULL);
        if (e != WS_OK)
            ws_deflate_end(&p->deflater);
    }
    if (e != WS_OK) {
        free(p);
        return e;
    }
    c->pmd = p;
    return WS_OK;
}

void ws_srv_pmd_free(ws_srv_conn *c)
{
    if (!c->pmd)
        return;
    ws_deflate_end(&c->pmd->deflater);
    ws_inflate_end(&c->pmd->inflater);
    free(c->pmd);
    c->pmd = NULL;
}

/* ------------------------------------------------------------ messages */

static ws_err inflated(void *ctx, const uint8_t *data, size_t len)
{
    return ws_srv_message_add(ctx, data, len);
}

ws_err ws_srv_pmd_inflate(ws_srv_conn *c, const uint8_t *data, size_t len, bool message_end)
{
    if (!c->pmd)
        return WS_ERR_INVALID_ARG;
    return ws_inflate_feed(&c->pmd->inflater, data, len, message_end, inflated, c);
}

const char *ws_srv_pmd_detail(const ws_srv_conn *c)
{
    return c->pmd ? ws_inflate_detail(&c->pmd->inflater) : "";
}

#define PMD_SKIP_MIN 1024

bool ws_srv_pmd_skip(ws_srv_conn *c, size_t len)
{
    if (!c->pmd || len < PMD_SKIP_MIN || c->pmd->skip == 0)
        return false;
    c->pmd->skip--;
    return true;
}

ws_err ws_srv_pmd_queue_message(ws_srv_conn *c, uint8_t opcode, const uint8_t *msg, size_t len)
{
    if (!c->pmd)
        return WS_ERR_INVALID_ARG;
    ws_frame_spec spec = {.fin = true, .rsv = WS_RSV1, .opcode = opcode};
    /* Compress straight into the output queue, after room for the longest
     * header the bound could need; then write the real header in front. */
    size_t bound = ws_deflate_bound(len);
    size_t room = ws_frame_header_size(&spec, bound);
    ws_err e = ws_srv_buf_reserve(&c->out, room + bound);
    if (e != WS_OK)
        return e;
    uint8_t *at = c->out.data + c->out.len;
    size_t n = 0;
    e = ws_deflate_message(&c->pmd->deflater, msg, len, at + room, bound, &n);
    if (e != WS_OK)
        return e;
    size_t hlen = ws_frame_header_size(&spec, n);
    if (hlen < room)
        memmove(at + hlen, at + room, n); /* n < bound: a shorter length form */
    ws_frame_write_header(&spec, n, at);
    c->out.len += hlen + n;
    if (len >= PMD_SKIP_MIN && (uint64_t)n * 100 >= (uint64_t)len * 95)
        c->pmd->skip = WS_SRV_PMD_SKIP;
    return WS_OK;
}
