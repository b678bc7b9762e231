/*
 * Frame codec: the incremental parser and the forge (RFC 6455 §5.2).
 * See include/wsspec/frame.h for the header diagram and the contracts.
 */
#include <string.h>

#include "wsspec/frame.h"

/* ---------------------------------------------------------------- masking */

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline void store64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

void ws_mask(uint8_t *buf, size_t len, const uint8_t key[4], uint64_t offset)
{
    size_t i = 0;
    if (len < 8) {
        /* Short payloads (small control and data frames): rotating the key
         * costs more than the XOR itself. */
        for (; i < len; i++)
            buf[i] ^= key[(offset + i) & 3];
        return;
    }
    /* Rotate the key so that rkey[0] applies to buf[0]. */
    uint8_t rkey[8];
    for (int j = 0; j < 8; j++)
        rkey[j] = key[(offset + (uint64_t)j) & 3];
    if (len >= 32) {
        const uint64_t k = load64(rkey);
        /* Four independent words per iteration; compilers turn this into
         * vector code at -O2/-O3. */
        for (; i + 32 <= len; i += 32) {
            store64(buf + i, load64(buf + i) ^ k);
            store64(buf + i + 8, load64(buf + i + 8) ^ k);
            store64(buf + i + 16, load64(buf + i + 16) ^ k);
            store64(buf + i + 24, load64(buf + i + 24) ^ k);
        }
        for (; i + 8 <= len; i += 8)
            store64(buf + i, load64(buf + i) ^ k);
    }
    for (; i < len; i++)
        buf[i] ^= rkey[i & 7];
}

/* ----------------------------------------------------------------- parser */

void ws_parser_init(ws_parser *p, const ws_parser_config *cfg)
{
    memset(p, 0, sizeof(*p));
    if (cfg)
        p->cfg = *cfg;
    p->state = WS_PARSE_HEADER;
}

/* Octets the header needs, judged from what has been gathered (>= 2). */
static size_t header_need(const uint8_t *h)
{
    size_t need = 2;
    unsigned len7 = h[1] & 0x7f;
    if (len7 == 126)
        need += 2;
    else if (len7 == 127)
        need += 8;
    if (h[1] & 0x80)
        need += 4;
    return need;
}

static void decode_header(const uint8_t *h, size_t size, ws_frame_header *out)
{
    out->fin = (h[0] & 0x80) != 0;
    out->rsv = (h[0] >> 4) & 7;
    out->opcode = h[0] & 0x0f;
    out->masked = (h[1] & 0x80) != 0;
    out->header_size = (uint8_t)size;
    unsigned len7 = h[1] & 0x7f;
    size_t pos = 2;
    if (len7 < 126) {
        out->payload_len = len7;
        out->len_form = WS_LEN_7;
        out->len_minimal = true;
    } else if (len7 == 126) {
        out->payload_len = ((uint64_t)h[2] << 8) | h[3];
        out->len_form = WS_LEN_16;
        out->len_minimal = out->payload_len > 125;
        pos = 4;
    } else {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = (v << 8) | h[2 + i];
        out->payload_len = v;
        out->len_form = WS_LEN_64;
        out->len_minimal = v > 0xffff;
        pos = 10;
    }
    if (out->masked)
        memcpy(out->mask_key, h + pos, 4);
    else
        memset(out->mask_key, 0, 4);
}

/* The checks a complete header must pass, in the order a reader of the RFC
 * would apply them. */
static ws_err check_header(ws_parser *p, const ws_frame_header *h)
{
    const ws_parser_config *c = &p->cfg;
    if (ws_opcode_is_reserved(h->opcode))
        return WS_ERR_RESERVED_OPCODE; /* §5.2: reserved opcodes fail the connection */
    if (h->rsv & ~c->allowed_rsv)
        return WS_ERR_RSV_NOT_NEGOTIATED; /* §5.2 */
    if (h->len_form == WS_LEN_64 && (h->payload_len >> 63))
        return WS_ERR_LENGTH_MSB_SET; /* §5.2: "the most significant bit MUST be 0" */
    if (ws_opcode_is_control(h->opcode)) {
        if (!h->fin)
            return WS_ERR_CONTROL_FRAGMENTED; /* §5.5 */
        if (h->payload_len > WS_MAX_CONTROL_PAYLOAD)
            return WS_ERR_CONTROL_TOO_LONG; /* §5.5 */
    }
    if (!c->skip_mask_check) {
        if (c->role == WS_ROLE_SERVER && !h->masked)
            return WS_ERR_MASK_MISSING; /* §5.1 */
        if (c->role == WS_ROLE_CLIENT && h->masked)
            return WS_ERR_MASK_UNEXPECTED; /* §5.1 */
    }
    if (c->reject_non_minimal && !h->len_minimal)
        return WS_ERR_NON_MINIMAL_LENGTH; /* §5.2: "the minimal number of bytes MUST be used" */
    if (c->max_payload && h->payload_len > c->max_payload)
        return WS_ERR_FRAME_TOO_LARGE;
    if (!c->skip_fragment_check && !ws_opcode_is_control(h->opcode)) {
        if (h->opcode == WS_OP_CONT && !p->in_message)
            return WS_ERR_UNEXPECTED_CONTINUATION; /* §5.4 */
        if (h->opcode != WS_OP_CONT && p->in_message)
            return WS_ERR_EXPECTED_CONTINUATION; /* §5.4 */
    }
    return WS_OK;
}

static void track_fragments(ws_parser *p, const ws_frame_header *h)
{
    if (ws_opcode_is_control(h->opcode))
        return;
    if (h->opcode != WS_OP_CONT)
        p->message_opcode = h->opcode;
    p->in_message = !h->fin;
}

static bool ends_message(const ws_frame_header *h)
{
    return h->fin || ws_opcode_is_control(h->opcode);
}

static ws_err fail(ws_parser *p, ws_err e)
{
    p->state = WS_PARSE_FAILED;
    p->error = e;
    return e;
}

ws_err ws_parser_feed(ws_parser *p, uint8_t *buf, size_t len, size_t *consumed, ws_frame_event *ev)
{
    /* Every field but the header is set here; the header is written once,
     * below, by whichever path fills it. */
    ev->type = WS_EVENT_NONE;
    ev->data = NULL;
    ev->len = 0;
    ev->offset = 0;
    ev->frame_done = false;
    ev->message_done = false;
    *consumed = 0;
    if (p->state == WS_PARSE_FAILED) {
        ev->header = p->header;
        return p->error;
    }

    if (p->state == WS_PARSE_HEADER) {
        const uint8_t *hb;
        size_t hsize, used;
        size_t need = p->hlen == 0 && len >= 2 ? header_need(buf) : SIZE_MAX;
        if (need <= len) {
            /* Fast path: the whole header is in this input; decode it where
             * it lies instead of gathering it into hbuf. */
            hb = buf;
            hsize = used = need;
        } else {
            used = 0;
            /* Gather the header one octet at a time only until its size is
             * known, then copy the rest in one go. */
            while (used < len) {
                size_t want = p->hlen < 2 ? 2 : header_need(p->hbuf);
                if (p->hlen >= want)
                    break;
                size_t take = want - p->hlen;
                if (p->hlen < 2)
                    take = 1;
                if (take > len - used)
                    take = len - used;
                memcpy(p->hbuf + p->hlen, buf + used, take);
                p->hlen = (uint8_t)(p->hlen + take);
                used += take;
            }
            if (p->hlen < 2 || p->hlen < header_need(p->hbuf)) {
                memset(&ev->header, 0, sizeof ev->header);
                *consumed = used;
                p->total_consumed += used;
                return WS_OK; /* WS_EVENT_NONE: need more */
            }
            hb = p->hbuf;
            hsize = p->hlen;
            p->hlen = 0;
        }
        *consumed = used;
        p->total_consumed += used;
        /* Decoded into the event and checked there; the parser keeps its
         * own copy only when the payload continues in a later call. (A copy
         * made right after decoding reloads the header in wide words from
         * the narrow stores that wrote it: a store-forwarding stall on every
         * frame.) */
        ws_frame_header *h = &ev->header;
        decode_header(hb, hsize, h);
        ws_err e = check_header(p, h);
        if (e != WS_OK) {
            decode_header(hb, hsize, &p->header);
            return fail(p, e);
        }
        track_fragments(p, h);
        ev->type = WS_EVENT_HEADER;
        uint64_t payload = h->payload_len;
        if (p->cfg.whole_frames && payload <= len - used) {
            /* The whole frame is here: one event instead of two. */
            size_t n = (size_t)payload;
            if (h->masked && n)
                ws_mask(buf + used, n, h->mask_key, 0);
            ev->type = WS_EVENT_FRAME;
            ev->data = buf + used;
            ev->len = n;
            ev->frame_done = true;
            ev->message_done = ends_message(h);
            *consumed = used + n;
            p->total_consumed += n;
            return WS_OK;
        }
        decode_header(hb, hsize, &p->header);
        p->remaining = payload;
        if (p->remaining == 0) {
            ev->frame_done = true;
            ev->message_done = ends_message(&p->header);
        } else {
            p->state = WS_PARSE_PAYLOAD;
        }
        return WS_OK;
    }

    /* WS_PARSE_PAYLOAD */
    ev->header = p->header;
    if (len == 0)
        return WS_OK;
    size_t take = len;
    if ((uint64_t)take > p->remaining)
        take = (size_t)p->remaining;
    uint64_t offset = p->header.payload_len - p->remaining;
    if (p->header.masked)
        ws_mask(buf, take, p->header.mask_key, offset);
    p->remaining -= take;
    *consumed = take;
    p->total_consumed += take;
    ev->type = WS_EVENT_PAYLOAD;
    ev->data = buf;
    ev->len = take;
    ev->offset = offset;
    if (p->remaining == 0) {
        ev->frame_done = true;
        ev->message_done = ends_message(&p->header);
        p->state = WS_PARSE_HEADER;
    }
    return WS_OK;
}

/* ------------------------------------------------------------------ forge */

static ws_len_form minimal_form(uint64_t len)
{
    if (len <= 125)
        return WS_LEN_7;
    if (len <= 0xffff)
        return WS_LEN_16;
    return WS_LEN_64;
}

size_t ws_frame_header_size(const ws_frame_spec *spec, uint64_t payload_len)
{
    uint64_t len = spec->lie_length ? spec->declared_len : payload_len;
    ws_len_form form = spec->len_form == WS_LEN_AUTO ? minimal_form(len) : spec->len_form;
    size_t size = 2 + (spec->masked ? 4 : 0);
    if (form == WS_LEN_16)
        size += 2;
    else if (form == WS_LEN_64)
        size += 8;
    return size;
}

size_t ws_frame_write_header(const ws_frame_spec *spec, uint64_t payload_len, uint8_t *out)
{
    uint64_t len = spec->lie_length ? spec->declared_len : payload_len;
    ws_len_form form = spec->len_form == WS_LEN_AUTO ? minimal_form(len) : spec->len_form;
    size_t pos = 2;
    out[0] = (uint8_t)((spec->fin ? 0x80 : 0) | ((spec->rsv & 7) << 4) | (spec->opcode & 0x0f));
    uint8_t mask_bit = spec->masked ? 0x80 : 0;
    switch (form) {
    case WS_LEN_7:
        if (len > 125)
            return 0;
        out[1] = (uint8_t)(mask_bit | len);
        break;
    case WS_LEN_16:
        if (len > 0xffff)
            return 0;
        out[1] = mask_bit | 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        pos = 4;
        break;
    case WS_LEN_64:
        out[1] = mask_bit | 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        pos = 10;
        break;
    default:
        return 0;
    }
    if (spec->masked) {
        memcpy(out + pos, spec->mask_key, 4);
        pos += 4;
    }
    return pos;
}

ws_err ws_frame_write(const ws_frame_spec *spec, const uint8_t *payload, size_t payload_len,
                      uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t header[WS_MAX_HEADER_SIZE];
    size_t hsize = ws_frame_write_header(spec, payload_len, header);
    if (hsize == 0)
        return WS_ERR_INVALID_ARG;
    if (out_cap < hsize || out_cap - hsize < payload_len)
        return WS_ERR_BUFFER_TOO_SMALL;
    memcpy(out, header, hsize);
    if (payload_len) {
        memcpy(out + hsize, payload, payload_len);
        if (spec->masked)
            ws_mask(out + hsize, payload_len, spec->mask_key, 0);
    }
    *out_len = hsize + payload_len;
    return WS_OK;
}
