/*
 * Sec-WebSocket-Extensions parsing and writing (RFC 6455 §9.1) and
 * permessage-deflate negotiation (RFC 7692 §5, §7.1).
 *
 * The parser is a single left-to-right pass over an explicit length: a
 * pre-scan rejects control characters, then a cursor walks
 * element (";" param)* ("," element)*, failing at the first octet that does
 * not fit and recording its offset.
 */
#include "wsspec/extensions.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

/* RFC 7230 tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool is_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool eq_lit(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(s, lit, n) == 0;
}

#if defined(__GNUC__)
#define WS_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define WS_PRINTF_(f, a)
#endif

static void set_detail(char *detail, size_t cap, const char *fmt, ...) WS_PRINTF_(3, 4);

static void set_detail(char *detail, size_t cap, const char *fmt, ...)
{
    if (!detail || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
}

/* A printable rendering of one octet for error messages. */
static void describe(unsigned char c, char out[16])
{
    if (c > 0x20 && c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else
        snprintf(out, 16, "0x%02x", c);
}

/* ---- list parsing ------------------------------------------------------- */

static const char *const syntax_messages[] = {
    [WS_EXT_SYNTAX_OK] = "no error",
    [WS_EXT_SYNTAX_EMPTY] = "empty extension list",
    [WS_EXT_SYNTAX_EMPTY_ELEMENT] = "empty list element",
    [WS_EXT_SYNTAX_BAD_NAME] = "extension name is missing or not a token",
    [WS_EXT_SYNTAX_EMPTY_PARAM] = "empty parameter after ';'",
    [WS_EXT_SYNTAX_BAD_PARAM_NAME] = "parameter name is not a token",
    [WS_EXT_SYNTAX_MISSING_VALUE] = "missing value after '='",
    [WS_EXT_SYNTAX_BAD_VALUE] = "parameter value is not a token",
    [WS_EXT_SYNTAX_UNTERMINATED_QUOTE] = "unterminated quoted-string",
    [WS_EXT_SYNTAX_QUOTED_NOT_TOKEN] = "quoted value is not a token after unescaping",
    [WS_EXT_SYNTAX_CONTROL_CHAR] = "control character",
    [WS_EXT_SYNTAX_UNEXPECTED_CHAR] = "unexpected character",
};

const char *ws_ext_syntax_message(ws_ext_syntax kind)
{
    if ((unsigned)kind >= sizeof syntax_messages / sizeof syntax_messages[0])
        return "unknown";
    return syntax_messages[kind];
}

void ws_ext_list_init(ws_ext_list *list, ws_ext_offer *offers, size_t offers_cap,
                      ws_ext_param *params, size_t params_cap, char *scratch, size_t scratch_cap)
{
    memset(list, 0, sizeof *list);
    list->offers = offers;
    list->offers_cap = offers ? offers_cap : 0;
    list->params = params;
    list->params_cap = params ? params_cap : 0;
    list->scratch = scratch;
    list->scratch_cap = scratch ? scratch_cap : 0;
}

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    ws_ext_list *list;
    char *detail;
    size_t detail_cap;
} parser;

static ws_err syntax_error(parser *p, ws_ext_syntax kind, size_t at)
{
    char what[16] = "end of input";
    if (at < p->len)
        describe((unsigned char)p->s[at], what);
    p->list->error = kind;
    p->list->error_pos = at;
    set_detail(p->detail, p->detail_cap, "Sec-WebSocket-Extensions: %s at offset %zu (%s)",
               ws_ext_syntax_message(kind), at, what);
    return WS_ERR_HTTP_SYNTAX;
}

static ws_err full(parser *p, const char *what)
{
    set_detail(p->detail, p->detail_cap, "Sec-WebSocket-Extensions: too many %s at offset %zu",
               what, p->pos);
    return WS_ERR_BUFFER_TOO_SMALL;
}

static void skip_ows(parser *p)
{
    while (p->pos < p->len && is_ows((unsigned char)p->s[p->pos]))
        p->pos++;
}

static size_t scan_token(parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && is_tchar((unsigned char)p->s[p->pos]))
        p->pos++;
    return p->pos - start;
}

static bool at(const parser *p, char c)
{
    return p->pos < p->len && p->s[p->pos] == c;
}

/* After a token or value: OWS, then one of ";", "," or the end. */
static ws_err expect_separator(parser *p)
{
    skip_ows(p);
    if (p->pos < p->len && !at(p, ';') && !at(p, ','))
        return syntax_error(p, WS_EXT_SYNTAX_UNEXPECTED_CHAR, p->pos);
    return WS_OK;
}

/* A quoted-string starting at the '"' under the cursor (RFC 7230 §3.2.6). */
static ws_err parse_quoted(parser *p, ws_ext_param *prm)
{
    size_t open = p->pos++;
    size_t start = p->pos;
    size_t out_len = 0;
    bool escaped = false, token = true;
    for (;;) {
        if (p->pos >= p->len)
            return syntax_error(p, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, open);
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"')
            break;
        if (c == '\\') {
            if (p->pos + 1 >= p->len)
                return syntax_error(p, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, open);
            escaped = true;
            c = (unsigned char)p->s[++p->pos];
        }
        token = token && is_tchar(c);
        out_len++;
        p->pos++;
    }
    size_t end = p->pos++; /* past the closing quote */
    if (out_len == 0 || !token)
        return syntax_error(p, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, open);
    prm->quoted = true;
    prm->has_value = true;
    prm->value_len = out_len;
    if (!escaped) {
        prm->value = p->s + start;
        return WS_OK;
    }
    ws_ext_list *l = p->list;
    if (l->scratch_cap - l->scratch_len < out_len)
        return full(p, "escaped octets for scratch");
    char *dst = l->scratch + l->scratch_len;
    size_t n = 0;
    for (size_t i = start; i < end; i++) {
        if (p->s[i] == '\\')
            i++;
        dst[n++] = p->s[i];
    }
    prm->value = dst;
    l->scratch_len += n;
    return WS_OK;
}

/* A parameter after the ';' (cursor past OWS). */
static ws_err parse_param(parser *p, ws_ext_offer *off)
{
    size_t name_at = p->pos;
    size_t n = scan_token(p);
    if (n == 0) {
        if (p->pos >= p->len || at(p, ';') || at(p, ','))
            return syntax_error(p, WS_EXT_SYNTAX_EMPTY_PARAM, p->pos);
        return syntax_error(p, WS_EXT_SYNTAX_BAD_PARAM_NAME, p->pos);
    }
    ws_ext_list *l = p->list;
    if (l->num_params >= l->params_cap)
        return full(p, "parameters");
    ws_ext_param *prm = &l->params[l->num_params];
    memset(prm, 0, sizeof *prm);
    prm->name = p->s + name_at;
    prm->name_len = n;
    skip_ows(p);
    if (at(p, '=')) {
        p->pos++;
        skip_ows(p);
        if (at(p, '"')) {
            ws_err e = parse_quoted(p, prm);
            if (e != WS_OK)
                return e;
        } else {
            size_t v_at = p->pos;
            size_t vn = scan_token(p);
            if (vn == 0) {
                if (p->pos >= p->len || at(p, ';') || at(p, ','))
                    return syntax_error(p, WS_EXT_SYNTAX_MISSING_VALUE, p->pos);
                return syntax_error(p, WS_EXT_SYNTAX_BAD_VALUE, p->pos);
            }
            prm->value = p->s + v_at;
            prm->value_len = vn;
            prm->has_value = true;
        }
    }
    l->num_params++;
    off->num_params++;
    return expect_separator(p);
}

/* One extension element (cursor at its first octet, OWS skipped). */
static ws_err parse_element(parser *p)
{
    size_t name_at = p->pos;
    size_t n = scan_token(p);
    if (n == 0)
        return syntax_error(p, WS_EXT_SYNTAX_BAD_NAME, p->pos);
    ws_ext_list *l = p->list;
    if (l->num_offers >= l->offers_cap)
        return full(p, "extensions");
    ws_ext_offer *off = &l->offers[l->num_offers++];
    off->name = p->s + name_at;
    off->name_len = n;
    off->params = l->params ? l->params + l->num_params : NULL;
    off->num_params = 0;
    ws_err e = expect_separator(p);
    while (e == WS_OK && at(p, ';')) {
        p->pos++;
        skip_ows(p);
        e = parse_param(p, off);
    }
    return e;
}

ws_err ws_ext_parse(ws_ext_list *list, const char *in, size_t len, char *detail, size_t detail_cap)
{
    if (!list || (!in && len))
        return WS_ERR_INVALID_ARG;
    parser p = {in, len, 0, list, detail, detail_cap};
    list->error = WS_EXT_SYNTAX_OK;
    list->error_pos = 0;
    for (size_t i = 0; i < len; i++)
        if (is_ctl((unsigned char)in[i]))
            return syntax_error(&p, WS_EXT_SYNTAX_CONTROL_CHAR, i);

    bool any = false;
    skip_ows(&p);
    for (;;) {
        if (p.pos >= len || at(&p, ',')) {
            /* an empty element: nothing before a ',' or at the end */
            if (!list->allow_empty_elements && (any || p.pos < len))
                return syntax_error(&p, WS_EXT_SYNTAX_EMPTY_ELEMENT, p.pos);
        } else {
            ws_err e = parse_element(&p);
            if (e != WS_OK)
                return e;
            any = true;
        }
        if (p.pos >= len)
            break;
        p.pos++; /* the ',' */
        skip_ows(&p);
    }
    if (!any)
        return syntax_error(&p, WS_EXT_SYNTAX_EMPTY, p.pos);
    return WS_OK;
}

bool ws_ext_is(const ws_ext_offer *offer, const char *name)
{
    return offer && name && offer->name && eq_lit(offer->name, offer->name_len, name);
}

/* ---- writing ------------------------------------------------------------ */

typedef struct {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} sink;

static void put(sink *s, const char *p, size_t n)
{
    if (s->overflow || s->cap - s->len <= n) { /* keep room for the NUL */
        s->overflow = true;
        return;
    }
    memcpy(s->out + s->len, p, n);
    s->len += n;
}

static void puts_(sink *s, const char *str)
{
    put(s, str, strlen(str));
}

static ws_err sink_end(sink *s, size_t *len)
{
    if (s->overflow) {
        if (s->cap)
            s->out[0] = '\0';
        return WS_ERR_BUFFER_TOO_SMALL;
    }
    s->out[s->len] = '\0';
    if (len)
        *len = s->len;
    return WS_OK;
}

ws_err ws_ext_write(const ws_ext_offer *offers, size_t n, char *out, size_t cap, size_t *len)
{
    if ((!offers && n) || !out)
        return WS_ERR_INVALID_ARG;
    sink s = {out, cap, 0, cap == 0};
    for (size_t i = 0; i < n; i++) {
        const ws_ext_offer *o = &offers[i];
        if ((!o->name && o->name_len) || (!o->params && o->num_params))
            return WS_ERR_INVALID_ARG;
        if (i)
            puts_(&s, ", ");
        put(&s, o->name, o->name_len);
        for (size_t j = 0; j < o->num_params; j++) {
            const ws_ext_param *prm = &o->params[j];
            if ((!prm->name && prm->name_len) || (prm->has_value && !prm->value && prm->value_len))
                return WS_ERR_INVALID_ARG;
            puts_(&s, "; ");
            put(&s, prm->name, prm->name_len);
            if (!prm->has_value)
                continue;
            puts_(&s, "=");
            if (!prm->quoted) {
                put(&s, prm->value, prm->value_len);
                continue;
            }
            puts_(&s, "\"");
            for (size_t k = 0; k < prm->value_len; k++) {
                if (prm->value[k] == '"' || prm->value[k] == '\\')
                    puts_(&s, "\\");
                put(&s, prm->value + k, 1);
            }
            puts_(&s, "\"");
        }
    }
    return sink_end(&s, len);
}

/* ---- permessage-deflate ------------------------------------------------- */

enum { P_SNCT, P_CNCT, P_SMWB, P_CMWB, P_COUNT };

static const char *const pmd_param_names[P_COUNT] = {
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
};

/* RFC 7692 §7.1.2: 1*DIGIT, no leading zero, 8..15. */
static ws_err parse_bits(const ws_ext_param *prm, int *bits, char *detail, size_t cap)
{
    const char *v = prm->value;
    size_t n = prm->value_len;
    int shown = n > 32 ? 32 : (int)n;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            set_detail(detail, cap, "permessage-deflate: %.*s=%.*s is not a decimal integer",
                       (int)prm->name_len, prm->name, shown, v);
            return WS_PMD_ERR_PARAM;
        }
    }
    if (n > 1 && v[0] == '0') {
        set_detail(detail, cap, "permessage-deflate: %.*s=%.*s has a leading zero",
                   (int)prm->name_len, prm->name, shown, v);
        return WS_PMD_ERR_PARAM;
    }
    int value = n <= 2 ? (n == 2 ? (v[0] - '0') * 10 + (v[1] - '0') : v[0] - '0') : 100;
    if (value < 8 || value > 15) {
        set_detail(detail, cap, "permessage-deflate: %.*s=%.*s is outside 8..15",
                   (int)prm->name_len, prm->name, shown, v);
        return WS_PMD_ERR_PARAM;
    }
    *bits = value;
    return WS_OK;
}

/* Parameters of an offer (response = false) or a response (true). */
static ws_err pmd_collect(const ws_ext_offer *o, bool response, ws_pmd_params *out, char *detail,
                          size_t cap)
{
    memset(out, 0, sizeof *out);
    if (!ws_ext_is(o, WS_PMD_NAME)) {
        set_detail(detail, cap, "extension \"%.*s\" is not " WS_PMD_NAME,
                   o->name_len > 64 ? 64 : (int)o->name_len, o->name ? o->name : "");
        return WS_PMD_ERR_PARAM;
    }
    if (!o->params && o->num_params)
        return WS_ERR_INVALID_ARG;
    bool seen[P_COUNT] = {false};
    for (size_t i = 0; i < o->num_params; i++) {
        const ws_ext_param *prm = &o->params[i];
        int shown = prm->name_len > 64 ? 64 : (int)prm->name_len;
        int k = 0;
        while (k < P_COUNT && !eq_lit(prm->name, prm->name_len, pmd_param_names[k]))
            k++;
        if (k == P_COUNT) {
            set_detail(detail, cap, "permessage-deflate: unknown parameter \"%.*s\"", shown,
                       prm->name);
            return WS_PMD_ERR_PARAM;
        }
        if (seen[k]) {
            set_detail(detail, cap, "permessage-deflate: duplicate parameter %s",
                       pmd_param_names[k]);
            return WS_PMD_ERR_PARAM;
        }
        seen[k] = true;
        if (k == P_SNCT || k == P_CNCT) {
            if (prm->has_value) {
                set_detail(detail, cap, "permessage-deflate: %s takes no value",
                           pmd_param_names[k]);
                return WS_PMD_ERR_PARAM;
            }
            *(k == P_SNCT ? &out->server_no_context_takeover : &out->client_no_context_takeover) =
                true;
            continue;
        }
        int *dst = k == P_SMWB ? &out->server_max_window_bits : &out->client_max_window_bits;
        if (!prm->has_value) {
            if (k == P_CMWB && !response) {
                *dst = -1;
                continue;
            }
            set_detail(detail, cap, "permessage-deflate: %s needs a value%s", pmd_param_names[k],
                       response ? " in a response" : "");
            return WS_PMD_ERR_PARAM;
        }
        ws_err e = parse_bits(prm, dst, detail, cap);
        if (e != WS_OK)
            return e;
    }
    return WS_OK;
}

ws_err ws_pmd_parse_offer(const ws_ext_offer *offer, ws_pmd_params *out, char *detail,
                          size_t detail_cap)
{
    if (!offer || !out)
        return WS_ERR_INVALID_ARG;
    return pmd_collect(offer, false, out, detail, detail_cap);
}

static bool bits_ok(int b)
{
    return b >= 8 && b <= 15;
}

ws_err ws_pmd_accept(const ws_pmd_params *offer, const ws_pmd_server_policy *policy,
                     ws_pmd_params *agreed)
{
    static const ws_pmd_server_policy defaults = {0};
    if (!offer || !agreed)
        return WS_ERR_INVALID_ARG;
    if (!policy)
        policy = &defaults;
    if ((policy->server_max_window_bits && !bits_ok(policy->server_max_window_bits)) ||
        (policy->client_max_window_bits && !bits_ok(policy->client_max_window_bits)))
        return WS_ERR_CONFIG;
    memset(agreed, 0, sizeof *agreed);

    if (offer->server_no_context_takeover && policy->refuse_server_no_context_takeover)
        return WS_ERR_HS_EXTENSION;
    agreed->server_no_context_takeover =
        offer->server_no_context_takeover || policy->server_no_context_takeover;
    agreed->client_no_context_takeover =
        offer->client_no_context_takeover || policy->client_no_context_takeover;

    int smax = policy->server_max_window_bits ? policy->server_max_window_bits : 15;
    if (offer->server_max_window_bits)
        agreed->server_max_window_bits =
            offer->server_max_window_bits < smax ? offer->server_max_window_bits : smax;
    else if (smax < 15)
        agreed->server_max_window_bits = smax;

    if (offer->client_max_window_bits) {
        int c = policy->client_max_window_bits;
        if (offer->client_max_window_bits > 0 && (c == 0 || offer->client_max_window_bits < c))
            c = offer->client_max_window_bits;
        agreed->client_max_window_bits = c;
    }
    return WS_OK;
}

ws_err ws_pmd_check_response(const ws_pmd_params *offered, const ws_ext_offer *response,
                             ws_pmd_params *agreed, char *detail, size_t detail_cap)
{
    if (!offered || !response || !agreed)
        return WS_ERR_INVALID_ARG;
    ws_err e = pmd_collect(response, true, agreed, detail, detail_cap);
    if (e != WS_OK)
        return e;
    if (agreed->client_max_window_bits && !offered->client_max_window_bits) {
        set_detail(detail, detail_cap,
                   "permessage-deflate: client_max_window_bits in the response was not offered");
        return WS_PMD_ERR_PARAM;
    }
    if (offered->server_no_context_takeover && !agreed->server_no_context_takeover) {
        set_detail(detail, detail_cap,
                   "permessage-deflate: offered server_no_context_takeover missing from the "
                   "response");
        return WS_PMD_ERR_PARAM;
    }
    if (offered->server_max_window_bits &&
        (!agreed->server_max_window_bits ||
         agreed->server_max_window_bits > offered->server_max_window_bits)) {
        set_detail(detail, detail_cap,
                   "permessage-deflate: offered server_max_window_bits=%d but the response has "
                   "%d",
                   offered->server_max_window_bits, agreed->server_max_window_bits);
        return WS_PMD_ERR_PARAM;
    }
    return WS_OK;
}

static ws_err pmd_write(const ws_pmd_params *p, bool response, char *out, size_t cap, size_t *len)
{
    if (!p || !out)
        return WS_ERR_INVALID_ARG;
    int s = p->server_max_window_bits, c = p->client_max_window_bits;
    if ((s && !bits_ok(s)) || (c && !bits_ok(c) && (response || c != -1)))
        return WS_ERR_INVALID_ARG;
    sink k = {out, cap, 0, cap == 0};
    char num[16];
    puts_(&k, WS_PMD_NAME);
    if (p->server_no_context_takeover)
        puts_(&k, "; server_no_context_takeover");
    if (p->client_no_context_takeover)
        puts_(&k, "; client_no_context_takeover");
    if (s) {
        snprintf(num, sizeof num, "=%d", s);
        puts_(&k, "; server_max_window_bits");
        puts_(&k, num);
    }
    if (c) {
        puts_(&k, "; client_max_window_bits");
        if (c > 0) {
            snprintf(num, sizeof num, "=%d", c);
            puts_(&k, num);
        }
    }
    return sink_end(&k, len);
}

ws_err ws_pmd_write_offer(const ws_pmd_params *p, char *out, size_t cap, size_t *len)
{
    return pmd_write(p, false, out, cap, len);
}

ws_err ws_pmd_write_response(const ws_pmd_params *p, char *out, size_t cap, size_t *len)
{
    return pmd_write(p, true, out, cap, len);
}

void ws_pmd_setup_for(const ws_pmd_params *agreed, bool is_server, ws_pmd_setup *out)
{
    int s = agreed->server_max_window_bits > 0 ? agreed->server_max_window_bits : 15;
    int c = agreed->client_max_window_bits > 0 ? agreed->client_max_window_bits : 15;
    out->deflate_window_bits = is_server ? s : c;
    out->deflate_no_context_takeover =
        is_server ? agreed->server_no_context_takeover : agreed->client_no_context_takeover;
    out->inflate_window_bits = is_server ? c : s;
    out->inflate_no_context_takeover =
        is_server ? agreed->client_no_context_takeover : agreed->server_no_context_takeover;
}
