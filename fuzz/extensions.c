/*
 * Fuzz target: Sec-WebSocket-Extensions parsing and writing (ws_ext_parse,
 * ws_ext_write, RFC 6455 §9.1) and permessage-deflate negotiation (RFC 7692
 * §5, §7.1).
 *
 * Input: byte 0 flags (bit 0 allow_empty_elements, bits 1-3 offers array
 * size 1..8, bits 4-6 params array size 0..14, bit 7 no scratch buffer),
 * byte 1 server policy (bits 0-1 server_max_window_bits none/8/12/15,
 * bits 2-3 client_max_window_bits likewise, bit 4 server_no_context_takeover,
 * bit 5 client_no_context_takeover, bit 6 refuse_server_no_context_takeover),
 * then the field value. Checked, beyond crashes:
 *  - the documented return codes only; the caller's arrays, scratch and
 *    detail buffers are never overrun (guard elements after each);
 *  - every name and value points into the input (or, unescaped, into the
 *    scratch buffer) and is a non-empty token;
 *  - an accepted list re-written with ws_ext_write needs exactly the octets
 *    it reports and parses again to the same structure;
 *  - a valid permessage-deflate offer: its ws_pmd_write_offer parses back to
 *    the same parameters; ws_pmd_accept obeys §7.1 (declines only for the
 *    policy's refusal, never answers more than offered), and the response it
 *    writes passes the client's ws_pmd_check_response with the same values.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/extensions.h"

#define OFFERS 8
#define PARAMS 14
#define GUARD  0x5a

static bool tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool within(const char *s, size_t n, const char *lo, size_t lo_len)
{
    uintptr_t a = (uintptr_t)s, b = (uintptr_t)lo;
    return a >= b && a - b <= lo_len && n <= lo_len - (a - b);
}

static void token_in(const char *s, size_t n, const char *lo, size_t lo_len)
{
    FZ_CHECK(n > 0 && within(s, n, lo, lo_len));
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(tchar((unsigned char)s[i]));
}

static bool same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static void same_list(const ws_ext_list *a, const ws_ext_list *b)
{
    FZ_CHECK(a->num_offers == b->num_offers && a->num_params == b->num_params);
    for (size_t i = 0; i < a->num_offers; i++) {
        const ws_ext_offer *x = &a->offers[i], *y = &b->offers[i];
        FZ_CHECK(same_bytes(x->name, x->name_len, y->name, y->name_len));
        FZ_CHECK(x->num_params == y->num_params);
        for (size_t j = 0; j < x->num_params; j++) {
            const ws_ext_param *p = &x->params[j], *q = &y->params[j];
            FZ_CHECK(same_bytes(p->name, p->name_len, q->name, q->name_len));
            FZ_CHECK(p->has_value == q->has_value && p->quoted == q->quoted);
            FZ_CHECK(!p->has_value || same_bytes(p->value, p->value_len, q->value, q->value_len));
        }
    }
}

static bool bits_ok(int b, bool allow_bare)
{
    return b == 0 || (b >= 8 && b <= 15) || (allow_bare && b == -1);
}

static bool guarded(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != GUARD)
            return false;
    return true;
}

/* Parse a value we wrote ourselves: exactly one element. */
static const ws_ext_offer *parse_one(const char *buf, size_t n)
{
    static ws_ext_offer ro[2];
    static ws_ext_param rp[8];
    ws_ext_list rl;
    ws_ext_list_init(&rl, ro, 2, rp, 8, NULL, 0);
    FZ_CHECK(ws_ext_parse(&rl, buf, n, NULL, 0) == WS_OK && rl.num_offers == 1);
    return &ro[0];
}

static void check_pmd(const ws_ext_offer *o, const ws_pmd_server_policy *pol)
{
    static char buf[256], detail[64];
    ws_pmd_params off, again, agreed, checked;
    if (ws_pmd_parse_offer(o, &off, detail, sizeof detail) != WS_OK)
        return;
    FZ_CHECK(bits_ok(off.server_max_window_bits, false) &&
             bits_ok(off.client_max_window_bits, true));
    size_t n;
    FZ_CHECK(ws_pmd_write_offer(&off, buf, sizeof buf, &n) == WS_OK && n == strlen(buf));
    FZ_CHECK(ws_pmd_parse_offer(parse_one(buf, n), &again, NULL, 0) == WS_OK);
    FZ_CHECK(memcmp(&off, &again, sizeof off) == 0);

    ws_err e = ws_pmd_accept(&off, pol, &agreed);
    if (e == WS_ERR_HS_EXTENSION) {
        FZ_CHECK(off.server_no_context_takeover && pol->refuse_server_no_context_takeover);
        return;
    }
    FZ_CHECK(e == WS_OK && bits_ok(agreed.server_max_window_bits, false));
    FZ_CHECK(bits_ok(agreed.client_max_window_bits, false));
    FZ_CHECK(!off.server_no_context_takeover || agreed.server_no_context_takeover);
    FZ_CHECK(!off.server_max_window_bits ||
             (agreed.server_max_window_bits &&
              agreed.server_max_window_bits <= off.server_max_window_bits));
    FZ_CHECK(off.client_max_window_bits || !agreed.client_max_window_bits);
    FZ_CHECK(ws_pmd_write_response(&agreed, buf, sizeof buf, &n) == WS_OK);
    FZ_CHECK(ws_pmd_check_response(&off, parse_one(buf, n), &checked, detail, 64) == WS_OK);
    FZ_CHECK(memcmp(&agreed, &checked, sizeof agreed) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *in = (const char *)data + 2;
    size_t len = size - 2;
    static const int wbits[4] = {0, 8, 12, 15};
    ws_pmd_server_policy pol = {
        .server_max_window_bits = wbits[data[1] & 3],
        .client_max_window_bits = wbits[(data[1] >> 2) & 3],
        .server_no_context_takeover = (data[1] & 16) != 0,
        .client_no_context_takeover = (data[1] & 32) != 0,
        .refuse_server_no_context_takeover = (data[1] & 64) != 0,
    };
    size_t n_off = 1 + ((data[0] >> 1) & 7), n_par = 2 * ((data[0] >> 4) & 7);
    static ws_ext_offer offers[OFFERS + 1];
    static ws_ext_param params[PARAMS + 1];
    static char scratch[65], detail[41];
    memset(&offers[n_off], GUARD, sizeof offers[0]);
    memset(&params[n_par], GUARD, sizeof params[0]);
    memset(scratch, GUARD, sizeof scratch);
    memset(detail, GUARD, sizeof detail);
    ws_ext_list l;
    ws_ext_list_init(&l, offers, n_off, params, n_par, data[0] & 128 ? NULL : scratch, 64);
    l.allow_empty_elements = data[0] & 1;
    ws_err e = ws_ext_parse(&l, in, len, detail, 40);

    FZ_CHECK(guarded(&offers[n_off], sizeof offers[0]) &&
             guarded(&params[n_par], sizeof params[0]));
    FZ_CHECK(guarded(scratch + 64, 1) && guarded(detail + 40, 1));
    FZ_CHECK(l.num_offers <= n_off && l.num_params <= n_par && l.scratch_len <= l.scratch_cap);
    FZ_CHECK(e == WS_OK || e == WS_ERR_HTTP_SYNTAX || e == WS_ERR_BUFFER_TOO_SMALL);
    FZ_CHECK((e == WS_ERR_HTTP_SYNTAX) == (l.error != WS_EXT_SYNTAX_OK));
    if (e != WS_OK) {
        FZ_CHECK(memchr(detail, 0, 40) != NULL);
        FZ_CHECK(e != WS_ERR_HTTP_SYNTAX || l.error_pos <= len);
        return 0;
    }
    FZ_CHECK(l.num_offers > 0);
    size_t total = 0;
    for (size_t i = 0; i < l.num_offers; i++) {
        const ws_ext_offer *o = &offers[i];
        token_in(o->name, o->name_len, in, len);
        FZ_CHECK(o->num_params == 0 || o->params == params + total);
        total += o->num_params;
        for (size_t j = 0; j < o->num_params; j++) {
            const ws_ext_param *p = &o->params[j];
            token_in(p->name, p->name_len, in, len);
            FZ_CHECK(p->has_value || (!p->value && !p->quoted));
            if (!p->has_value)
                continue;
            bool in_scratch = within(p->value, 0, scratch, sizeof scratch);
            FZ_CHECK(!in_scratch || p->quoted);
            token_in(p->value, p->value_len, in_scratch ? scratch : in,
                     in_scratch ? l.scratch_len : len);
        }
    }
    FZ_CHECK(total == l.num_params);

    /* Re-write, then parse again (no escapes are needed: values are tokens). */
    size_t cap = 2 * len + 16, wlen = 0;
    char *w = malloc(cap);
    FZ_CHECK(w != NULL);
    FZ_CHECK(ws_ext_write(offers, l.num_offers, w, cap, &wlen) == WS_OK && w[wlen] == '\0');
    FZ_CHECK(ws_ext_write(offers, l.num_offers, w, wlen, NULL) == WS_ERR_BUFFER_TOO_SMALL);
    FZ_CHECK(ws_ext_write(offers, l.num_offers, w, wlen + 1, &wlen) == WS_OK);
    static ws_ext_offer offers2[OFFERS];
    static ws_ext_param params2[PARAMS];
    ws_ext_list l2;
    ws_ext_list_init(&l2, offers2, OFFERS, params2, PARAMS, NULL, 0);
    FZ_CHECK(ws_ext_parse(&l2, w, wlen, NULL, 0) == WS_OK);
    same_list(&l, &l2);
    free(w);

    for (size_t i = 0; i < l.num_offers; i++)
        check_pmd(&offers[i], &pol);
    return 0;
}
