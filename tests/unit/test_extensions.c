/*
 * Unit tests for src/core/extensions.c: Sec-WebSocket-Extensions parsing
 * (offers, parameters, quoting, whitespace, every syntax error), the writer,
 * and permessage-deflate offer validation, acceptance, response checks and
 * writers (RFC 6455 §9.1, RFC 7692 §5, §7.1).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsspec/extensions.h"

#define MAXO 8
#define MAXP 16

typedef struct {
    ws_ext_list list;
    ws_ext_offer offers[MAXO];
    ws_ext_param params[MAXP];
    char scratch[128];
    char detail[256];
} parsed;

/* Parse a string literal (which outlives the result). */
static ws_err parse(parsed *r, const char *s)
{
    memset(r, 0, sizeof *r);
    ws_ext_list_init(&r->list, r->offers, MAXO, r->params, MAXP, r->scratch, sizeof r->scratch);
    return ws_ext_parse(&r->list, s, strlen(s), r->detail, sizeof r->detail);
}

/* Parse an exact-size heap copy (no NUL), so ASan sees any over-read. */
static ws_err parse_copy(const char *s, size_t len, ws_ext_syntax *kind, size_t *pos)
{
    parsed r;
    memset(&r, 0, sizeof r);
    ws_ext_list_init(&r.list, r.offers, MAXO, r.params, MAXP, r.scratch, sizeof r.scratch);
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, s, len);
    ws_err e = ws_ext_parse(&r.list, copy, len, r.detail, sizeof r.detail);
    free(copy);
    if (kind)
        *kind = r.list.error;
    if (pos)
        *pos = r.list.error_pos;
    return e;
}

static bool str_is(const char *p, size_t n, const char *want)
{
    return p && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void expect_param(const ws_ext_param *p, const char *name, const char *value, bool quoted)
{
    cr_expect(str_is(p->name, p->name_len, name), "param %.*s != %s", (int)p->name_len, p->name,
              name);
    if (!value) {
        cr_expect_not(p->has_value, "%s has a value", name);
        cr_expect_null(p->value);
        return;
    }
    cr_expect(p->has_value);
    cr_expect(str_is(p->value, p->value_len, value), "value %.*s != %s", (int)p->value_len,
              p->value, value);
    cr_expect_eq(p->quoted, quoted);
}

/* ---- parsing --------------------------------------------------------------- */

Test(ext_parse, single_offer)
{
    parsed r;
    cr_assert_eq(parse(&r, "permessage-deflate"), WS_OK, "%s", r.detail);
    cr_assert_eq(r.list.num_offers, 1);
    cr_expect(ws_ext_is(&r.offers[0], WS_PMD_NAME));
    cr_expect_eq(r.offers[0].num_params, 0);
    cr_expect_eq(r.list.error, WS_EXT_SYNTAX_OK);
}

Test(ext_parse, several_offers_with_params)
{
    parsed r;
    const char *s = "permessage-deflate; client_max_window_bits; server_max_window_bits=10, "
                    "permessage-deflate; client_no_context_takeover, x-foo";
    cr_assert_eq(parse(&r, s), WS_OK, "%s", r.detail);
    cr_assert_eq(r.list.num_offers, 3);
    cr_assert_eq(r.offers[0].num_params, 2);
    expect_param(&r.offers[0].params[0], "client_max_window_bits", NULL, false);
    expect_param(&r.offers[0].params[1], "server_max_window_bits", "10", false);
    cr_assert_eq(r.offers[1].num_params, 1);
    expect_param(&r.offers[1].params[0], "client_no_context_takeover", NULL, false);
    cr_expect(str_is(r.offers[2].name, r.offers[2].name_len, "x-foo"));
    cr_expect_eq(r.offers[2].num_params, 0);
    cr_expect_eq(r.list.num_params, 3);
    /* params of each offer point into the input */
    cr_expect(r.offers[0].params[1].value > s && r.offers[0].params[1].value < s + strlen(s));
}

Test(ext_parse, quoted_values)
{
    parsed r;
    cr_assert_eq(parse(&r, "a; b=\"10\"; c=\"x\\y\\-z\"; d=tok"), WS_OK, "%s", r.detail);
    cr_assert_eq(r.offers[0].num_params, 3);
    expect_param(&r.offers[0].params[0], "b", "10", true);
    expect_param(&r.offers[0].params[1], "c", "xy-z", true);
    expect_param(&r.offers[0].params[2], "d", "tok", false);
    /* an unescaped quoted value points into the input, an escaped one into scratch */
    cr_expect(r.offers[0].params[1].value >= r.scratch &&
              r.offers[0].params[1].value < r.scratch + sizeof r.scratch);
    cr_expect_eq(r.list.scratch_len, 4);
}

Test(ext_parse, odd_whitespace)
{
    parsed r;
    cr_assert_eq(parse(&r, " \ta \t;\tb = 1 ;c= \"2\"\t , \t d;e\t "), WS_OK, "%s", r.detail);
    cr_assert_eq(r.list.num_offers, 2);
    cr_assert_eq(r.offers[0].num_params, 2);
    expect_param(&r.offers[0].params[0], "b", "1", false);
    expect_param(&r.offers[0].params[1], "c", "2", true);
    cr_expect(str_is(r.offers[1].name, r.offers[1].name_len, "d"));
    expect_param(&r.offers[1].params[0], "e", NULL, false);
}

Test(ext_parse, duplicates_and_unknown_are_syntax_ok)
{
    parsed r;
    cr_assert_eq(parse(&r, "a; x; x=1; y=2, a"), WS_OK);
    cr_expect_eq(r.list.num_offers, 2);
    cr_expect_eq(r.offers[0].num_params, 3);
}

Test(ext_parse, appends_across_header_lines)
{
    parsed r;
    cr_assert_eq(parse(&r, "a; p=1"), WS_OK);
    const char *second = "b; q, c";
    cr_assert_eq(ws_ext_parse(&r.list, second, strlen(second), NULL, 0), WS_OK);
    cr_assert_eq(r.list.num_offers, 3);
    expect_param(&r.offers[0].params[0], "p", "1", false);
    expect_param(&r.offers[1].params[0], "q", NULL, false);
    cr_expect_eq(r.offers[2].num_params, 0);
}

Test(ext_parse, every_token_char)
{
    parsed r;
    cr_assert_eq(parse(&r, "!#$%&'*+-.^_`|~09azAZ; !#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~"), WS_OK, "%s",
                 r.detail);
}

static const struct {
    const char *in;
    size_t len; /* 0 = strlen */
    ws_ext_syntax kind;
    size_t pos;
} syntax_cases[] = {
    {"", 0, WS_EXT_SYNTAX_EMPTY, 0},
    {"   ", 0, WS_EXT_SYNTAX_EMPTY, 3},
    {",", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 0},
    {",a", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 0},
    {"a,", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 2},
    {"a, ", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 3},
    {"a,,b", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 2},
    {"a, ,b", 0, WS_EXT_SYNTAX_EMPTY_ELEMENT, 3},
    {";a", 0, WS_EXT_SYNTAX_BAD_NAME, 0},
    {"@", 0, WS_EXT_SYNTAX_BAD_NAME, 0},
    {"\"a\"", 0, WS_EXT_SYNTAX_BAD_NAME, 0},
    {"a, =b", 0, WS_EXT_SYNTAX_BAD_NAME, 3},
    {"a b", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 2},
    {"a=1", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 1},
    {"a@", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 1},
    {"a;", 0, WS_EXT_SYNTAX_EMPTY_PARAM, 2},
    {"a; ", 0, WS_EXT_SYNTAX_EMPTY_PARAM, 3},
    {"a;;b", 0, WS_EXT_SYNTAX_EMPTY_PARAM, 2},
    {"a; ,b", 0, WS_EXT_SYNTAX_EMPTY_PARAM, 3},
    {"a;@", 0, WS_EXT_SYNTAX_BAD_PARAM_NAME, 2},
    {"a;=1", 0, WS_EXT_SYNTAX_BAD_PARAM_NAME, 2},
    {"a;\"b\"", 0, WS_EXT_SYNTAX_BAD_PARAM_NAME, 2},
    {"a;b c", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 4},
    {"a;b=", 0, WS_EXT_SYNTAX_MISSING_VALUE, 4},
    {"a;b= ", 0, WS_EXT_SYNTAX_MISSING_VALUE, 5},
    {"a;b= ;c", 0, WS_EXT_SYNTAX_MISSING_VALUE, 5},
    {"a;b=,c", 0, WS_EXT_SYNTAX_MISSING_VALUE, 4},
    {"a;b=@", 0, WS_EXT_SYNTAX_BAD_VALUE, 4},
    {"a;b==1", 0, WS_EXT_SYNTAX_BAD_VALUE, 4},
    {"a;b=\xc3\xa9", 0, WS_EXT_SYNTAX_BAD_VALUE, 4},
    {"a\xc3\xa9", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 1},
    {"a;b=1 2", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 6},
    {"a;b=1\"2\"", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 5},
    {"a;b=\"1", 0, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, 4},
    {"a;b=\"1\\", 0, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, 4},
    {"a;b=\"1\\\"", 0, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, 4},
    {"a;b=\"", 0, WS_EXT_SYNTAX_UNTERMINATED_QUOTE, 4},
    {"a;b=\"\"", 0, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, 4},
    {"a;b=\"1 2\"", 0, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, 4},
    {"a;b=\"a,b\"", 0, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, 4},
    {"a;b=\"\\\"\"", 0, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, 4},
    {"a;b=\"\xc3\xa9\"", 0, WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, 4},
    {"a;b=\"1\"2", 0, WS_EXT_SYNTAX_UNEXPECTED_CHAR, 7},
    {"a\x01", 0, WS_EXT_SYNTAX_CONTROL_CHAR, 1},
    {"a\r\n", 0, WS_EXT_SYNTAX_CONTROL_CHAR, 1},
    {"a;b=\"\x7f\"", 0, WS_EXT_SYNTAX_CONTROL_CHAR, 5},
    {"a;b=\"\\\x01\"", 0, WS_EXT_SYNTAX_CONTROL_CHAR, 6},
    {"a\0b", 3, WS_EXT_SYNTAX_CONTROL_CHAR, 1},
    {"@@@\x1f", 0, WS_EXT_SYNTAX_CONTROL_CHAR, 3},
};

Test(ext_parse, syntax_errors)
{
    for (size_t i = 0; i < sizeof syntax_cases / sizeof syntax_cases[0]; i++) {
        const char *in = syntax_cases[i].in;
        size_t len = syntax_cases[i].len ? syntax_cases[i].len : strlen(in);
        ws_ext_syntax kind;
        size_t pos;
        ws_err e = parse_copy(in, len, &kind, &pos);
        cr_expect_eq(e, WS_ERR_HTTP_SYNTAX, "case %zu \"%s\": %s", i, in, ws_err_name(e));
        cr_expect_eq(kind, syntax_cases[i].kind, "case %zu \"%s\": kind %s, want %s", i, in,
                     ws_ext_syntax_message(kind), ws_ext_syntax_message(syntax_cases[i].kind));
        cr_expect_eq(pos, syntax_cases[i].pos, "case %zu \"%s\": pos %zu, want %zu", i, in, pos,
                     syntax_cases[i].pos);
    }
}

Test(ext_parse, detail_names_offset_and_char)
{
    parsed r;
    cr_assert_eq(parse(&r, "a;b=@"), WS_ERR_HTTP_SYNTAX);
    cr_expect(strstr(r.detail, "offset 4") != NULL, "%s", r.detail);
    cr_expect(strstr(r.detail, "'@'") != NULL, "%s", r.detail);
    cr_assert_eq(parse(&r, "a\x01"), WS_ERR_HTTP_SYNTAX);
    cr_expect(strstr(r.detail, "0x01") != NULL, "%s", r.detail);
}

Test(ext_parse, empty_elements_allowed_when_asked)
{
    parsed r;
    memset(&r, 0, sizeof r);
    ws_ext_list_init(&r.list, r.offers, MAXO, r.params, MAXP, NULL, 0);
    r.list.allow_empty_elements = true;
    const char *s = " , a ,, b; c , ";
    cr_assert_eq(ws_ext_parse(&r.list, s, strlen(s), NULL, 0), WS_OK);
    cr_expect_eq(r.list.num_offers, 2);
    const char *only_commas = " , ,";
    cr_expect_eq(ws_ext_parse(&r.list, only_commas, strlen(only_commas), NULL, 0),
                 WS_ERR_HTTP_SYNTAX);
    cr_expect_eq(r.list.error, WS_EXT_SYNTAX_EMPTY);
}

Test(ext_parse, capacity)
{
    ws_ext_list l;
    ws_ext_offer o[2];
    ws_ext_param p[2];
    char scratch[3];
    char detail[128];
    ws_ext_list_init(&l, o, 2, p, 2, scratch, sizeof scratch);
    cr_expect_eq(ws_ext_parse(&l, "a, b, c", 7, detail, sizeof detail), WS_ERR_BUFFER_TOO_SMALL);
    ws_ext_list_init(&l, o, 2, p, 2, scratch, sizeof scratch);
    cr_expect_eq(ws_ext_parse(&l, "a; x; y; z", 10, detail, sizeof detail),
                 WS_ERR_BUFFER_TOO_SMALL);
    ws_ext_list_init(&l, o, 2, p, 2, scratch, sizeof scratch);
    const char *three = "a; x=\"\\1\\2\\3\"", *four = "a; x=\"\\1\\2\\3\\4\"";
    cr_expect_eq(ws_ext_parse(&l, three, strlen(three), detail, sizeof detail), WS_OK);
    ws_ext_list_init(&l, o, 2, p, 2, scratch, sizeof scratch);
    cr_expect_eq(ws_ext_parse(&l, four, strlen(four), detail, sizeof detail),
                 WS_ERR_BUFFER_TOO_SMALL);
    ws_ext_list_init(&l, o, 2, p, 2, NULL, 0);
    cr_expect_eq(ws_ext_parse(&l, "a; x=\"1\"", 8, NULL, 0), WS_OK); /* no escape: no scratch */
    cr_expect_eq(ws_ext_parse(NULL, "a", 1, NULL, 0), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_ext_parse(&l, NULL, 1, NULL, 0), WS_ERR_INVALID_ARG);
}

/* Every prefix of a valid value and pseudo-random bytes: never a crash,
 * always OK or a documented error. */
Test(ext_parse, prefixes_and_noise)
{
    const char *s = "permessage-deflate; client_max_window_bits=\"1\\5\", x; y=z";
    for (size_t n = 0; n <= strlen(s); n++) {
        ws_err e = parse_copy(s, n, NULL, NULL);
        cr_expect(e == WS_OK || e == WS_ERR_HTTP_SYNTAX, "prefix %zu: %s", n, ws_err_name(e));
    }
    uint32_t x = 12345;
    const char alphabet[] = "ab;=, \t\"\\\x01\xff";
    for (int iter = 0; iter < 20000; iter++) {
        char buf[24];
        size_t n = 0;
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 16) % sizeof buf;
        for (; n < len; n++) {
            x = x * 1103515245u + 12345u;
            buf[n] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
        }
        ws_err e = parse_copy(buf, n, NULL, NULL);
        cr_assert(e == WS_OK || e == WS_ERR_HTTP_SYNTAX || e == WS_ERR_BUFFER_TOO_SMALL);
    }
}

/* ---- writing --------------------------------------------------------------- */

Test(ext_write, round_trip)
{
    parsed r;
    const char *s = "permessage-deflate; client_max_window_bits; server_max_window_bits=\"1\\0\", "
                    "x-foo";
    cr_assert_eq(parse(&r, s), WS_OK);
    char out[256];
    size_t len = 0;
    cr_assert_eq(ws_ext_write(r.offers, r.list.num_offers, out, sizeof out, &len), WS_OK);
    cr_expect_str_eq(out, "permessage-deflate; client_max_window_bits; "
                          "server_max_window_bits=\"10\", x-foo");
    cr_expect_eq(len, strlen(out));
    parsed r2;
    cr_assert_eq(parse(&r2, out), WS_OK);
    cr_expect_eq(r2.list.num_offers, 2);
    expect_param(&r2.offers[0].params[1], "server_max_window_bits", "10", true);
}

Test(ext_write, escapes_and_forging)
{
    ws_ext_param p[2] = {
        {"q", 1, "a\"b\\c", 5, true, true},
        {"raw", 3, "not a token", 11, true, false},
    };
    ws_ext_offer o = {"x", 1, p, 2};
    char out[64];
    cr_assert_eq(ws_ext_write(&o, 1, out, sizeof out, NULL), WS_OK);
    cr_expect_str_eq(out, "x; q=\"a\\\"b\\\\c\"; raw=not a token");
}

Test(ext_write, buffer_sizes)
{
    ws_ext_offer o = {"abc", 3, NULL, 0};
    char out[4];
    size_t len = 99;
    cr_expect_eq(ws_ext_write(&o, 1, out, 4, &len), WS_OK);
    cr_expect_str_eq(out, "abc");
    cr_expect_eq(len, 3);
    cr_expect_eq(ws_ext_write(&o, 1, out, 3, &len), WS_ERR_BUFFER_TOO_SMALL);
    cr_expect_eq(ws_ext_write(&o, 1, out, 0, &len), WS_ERR_BUFFER_TOO_SMALL);
    cr_expect_eq(ws_ext_write(NULL, 1, out, 4, &len), WS_ERR_INVALID_ARG);
    cr_expect_eq(ws_ext_write(&o, 0, out, 1, &len), WS_OK);
    cr_expect_str_eq(out, "");
}

/* ---- permessage-deflate: offers ------------------------------------------- */

/* Parse `header` (one element) and validate it as an offer. */
static ws_err pmd_offer(const char *header, ws_pmd_params *out, char *detail, size_t cap)
{
    parsed r;
    ws_err e = parse(&r, header);
    cr_assert_eq(e, WS_OK, "\"%s\": %s", header, r.detail);
    cr_assert_eq(r.list.num_offers, 1);
    return ws_pmd_parse_offer(&r.offers[0], out, detail, cap);
}

static const struct {
    const char *params;
    bool ok;
    ws_pmd_params want;
    const char *detail; /* a substring of the error detail */
} offer_cases[] = {
    {"", true, {false, false, 0, 0}, NULL},
    {"; server_no_context_takeover", true, {true, false, 0, 0}, NULL},
    {"; client_no_context_takeover", true, {false, true, 0, 0}, NULL},
    {"; client_max_window_bits", true, {false, false, 0, -1}, NULL},
    {"; client_max_window_bits=8", true, {false, false, 0, 8}, NULL},
    {"; client_max_window_bits=15", true, {false, false, 0, 15}, NULL},
    {"; server_max_window_bits=8", true, {false, false, 8, 0}, NULL},
    {"; server_max_window_bits=15", true, {false, false, 15, 0}, NULL},
    {"; server_max_window_bits=\"12\"", true, {false, false, 12, 0}, NULL},
    {"; server_max_window_bits=\"1\\2\"", true, {false, false, 12, 0}, NULL},
    {"; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; "
     "client_max_window_bits=10",
     true,
     {true, true, 9, 10},
     NULL},
    {"; server_max_window_bits=7", false, {0}, "outside 8..15"},
    {"; server_max_window_bits=16", false, {0}, "outside 8..15"},
    {"; server_max_window_bits=0", false, {0}, "outside 8..15"},
    {"; server_max_window_bits=100000000000000000000", false, {0}, "outside 8..15"},
    {"; client_max_window_bits=7", false, {0}, "outside 8..15"},
    {"; client_max_window_bits=16", false, {0}, "outside 8..15"},
    {"; server_max_window_bits=abc", false, {0}, "not a decimal integer"},
    {"; server_max_window_bits=-9", false, {0}, "not a decimal integer"},
    {"; server_max_window_bits=+9", false, {0}, "not a decimal integer"},
    {"; server_max_window_bits=9.0", false, {0}, "not a decimal integer"},
    {"; client_max_window_bits=0x9", false, {0}, "not a decimal integer"},
    {"; server_max_window_bits=09", false, {0}, "leading zero"},
    {"; server_max_window_bits=\"\\09\"", false, {0}, "leading zero"},
    {"; server_max_window_bits", false, {0}, "needs a value"},
    {"; server_no_context_takeover=1", false, {0}, "takes no value"},
    {"; client_no_context_takeover=\"x\"", false, {0}, "takes no value"},
    {"; server_no_context_takeover; server_no_context_takeover", false, {0}, "duplicate"},
    {"; client_max_window_bits; client_max_window_bits=10", false, {0}, "duplicate"},
    {"; server_max_window_bits=10; server_max_window_bits=10", false, {0}, "duplicate"},
    {"; foo", false, {0}, "unknown parameter \"foo\""},
    {"; Server_No_Context_Takeover", false, {0}, "unknown parameter"},
    {"; server_no_context_takeover; x=1", false, {0}, "unknown parameter \"x\""},
};

Test(pmd_offer, validation_table)
{
    for (size_t i = 0; i < sizeof offer_cases / sizeof offer_cases[0]; i++) {
        char header[256], detail[256] = "";
        snprintf(header, sizeof header, "permessage-deflate%s", offer_cases[i].params);
        ws_pmd_params got;
        ws_err e = pmd_offer(header, &got, detail, sizeof detail);
        if (offer_cases[i].ok) {
            cr_expect_eq(e, WS_OK, "\"%s\": %s", header, detail);
            const ws_pmd_params *w = &offer_cases[i].want;
            cr_expect_eq(got.server_no_context_takeover, w->server_no_context_takeover, "%s",
                         header);
            cr_expect_eq(got.client_no_context_takeover, w->client_no_context_takeover, "%s",
                         header);
            cr_expect_eq(got.server_max_window_bits, w->server_max_window_bits, "%s", header);
            cr_expect_eq(got.client_max_window_bits, w->client_max_window_bits, "%s", header);
        } else {
            cr_expect_eq(e, WS_PMD_ERR_PARAM, "\"%s\": %s", header, ws_err_name(e));
            cr_expect(strstr(detail, offer_cases[i].detail) != NULL, "\"%s\": detail \"%s\"",
                      header, detail);
        }
    }
}

Test(pmd_offer, wrong_name)
{
    parsed r;
    ws_pmd_params p;
    char detail[128];
    cr_assert_eq(parse(&r, "x-webkit-deflate-frame"), WS_OK);
    cr_expect_eq(ws_pmd_parse_offer(&r.offers[0], &p, detail, sizeof detail), WS_PMD_ERR_PARAM);
    cr_expect(strstr(detail, "x-webkit-deflate-frame") != NULL, "%s", detail);
    cr_assert_eq(parse(&r, "Permessage-Deflate"), WS_OK);
    cr_expect_eq(ws_pmd_parse_offer(&r.offers[0], &p, NULL, 0), WS_PMD_ERR_PARAM);
    cr_expect_eq(ws_pmd_parse_offer(NULL, &p, NULL, 0), WS_ERR_INVALID_ARG);
}

/* ---- permessage-deflate: server's choice ----------------------------------- */

static ws_pmd_params P(bool snct, bool cnct, int smwb, int cmwb)
{
    ws_pmd_params p = {snct, cnct, smwb, cmwb};
    return p;
}

static void expect_params(ws_pmd_params got, ws_pmd_params want, const char *what)
{
    cr_expect_eq(got.server_no_context_takeover, want.server_no_context_takeover, "%s snct", what);
    cr_expect_eq(got.client_no_context_takeover, want.client_no_context_takeover, "%s cnct", what);
    cr_expect_eq(got.server_max_window_bits, want.server_max_window_bits, "%s smwb", what);
    cr_expect_eq(got.client_max_window_bits, want.client_max_window_bits, "%s cmwb", what);
}

Test(pmd_accept, defaults)
{
    ws_pmd_params a, o;
    o = P(false, false, 0, 0);
    cr_assert_eq(ws_pmd_accept(&o, NULL, &a), WS_OK);
    expect_params(a, P(false, false, 0, 0), "plain");
    o = P(true, true, 10, -1);
    cr_assert_eq(ws_pmd_accept(&o, NULL, &a), WS_OK);
    expect_params(a, P(true, true, 10, 0), "echo");
    o = P(false, false, 0, 11);
    cr_assert_eq(ws_pmd_accept(&o, NULL, &a), WS_OK);
    expect_params(a, P(false, false, 0, 11), "client value echoed");
}

Test(pmd_accept, policy)
{
    ws_pmd_params a, o;
    ws_pmd_server_policy pol = {true, true, 12, 9, false};
    o = P(false, false, 0, 0);
    cr_assert_eq(ws_pmd_accept(&o, &pol, &a), WS_OK);
    expect_params(a, P(true, true, 12, 0), "no cmwb offered: none in response");
    o = P(false, false, 14, -1);
    cr_assert_eq(ws_pmd_accept(&o, &pol, &a), WS_OK);
    expect_params(a, P(true, true, 12, 9), "policy lower");
    o = P(false, false, 10, 8);
    cr_assert_eq(ws_pmd_accept(&o, &pol, &a), WS_OK);
    expect_params(a, P(true, true, 10, 8), "offer lower");

    ws_pmd_server_policy refuse = {.refuse_server_no_context_takeover = true};
    o = P(true, false, 0, 0);
    cr_expect_eq(ws_pmd_accept(&o, &refuse, &a), WS_ERR_HS_EXTENSION);
    ws_pmd_server_policy bad = {.server_max_window_bits = 16};
    cr_expect_eq(ws_pmd_accept(&o, &bad, &a), WS_ERR_CONFIG);
    cr_expect_eq(ws_pmd_accept(NULL, &pol, &a), WS_ERR_INVALID_ARG);
}

/* Whatever the server chooses passes the client's check. */
Test(pmd_accept, agrees_with_check_response)
{
    int bits[] = {0, -1, 8, 9, 12, 15};
    for (int mask = 0; mask < 4; mask++)
        for (size_t s = 0; s < 6; s++)
            for (size_t c = 0; c < 6; c++) {
                if (bits[s] == -1)
                    continue;
                ws_pmd_params o = P(mask & 1, mask & 2, bits[s], bits[c]), a, checked;
                ws_pmd_server_policy pol = {false, mask == 3, mask == 1 ? 9 : 0, mask == 2 ? 8 : 0,
                                            false};
                cr_assert_eq(ws_pmd_accept(&o, &pol, &a), WS_OK);
                char hdr[160], detail[160];
                cr_assert_eq(ws_pmd_write_response(&a, hdr, sizeof hdr, NULL), WS_OK);
                parsed r;
                cr_assert_eq(parse(&r, hdr), WS_OK);
                cr_expect_eq(
                    ws_pmd_check_response(&o, &r.offers[0], &checked, detail, sizeof detail), WS_OK,
                    "%s: %s", hdr, detail);
                expect_params(checked, a, hdr);
            }
}

/* ---- permessage-deflate: client's check ------------------------------------ */

static const struct {
    ws_pmd_params offered;
    const char *response; /* parameters after "permessage-deflate" */
    bool ok;
    const char *detail;
} response_cases[] = {
    {{false, false, 0, 0}, "", true, NULL},
    {{false, false, 0, 0}, "; server_no_context_takeover", true, NULL},
    {{false, false, 0, 0}, "; client_no_context_takeover", true, NULL},
    {{false, false, 0, 0}, "; server_max_window_bits=10", true, NULL},
    {{false, false, 0, -1}, "; client_max_window_bits=10", true, NULL},
    {{false, false, 0, 9}, "; client_max_window_bits=15", true, NULL},
    {{false, false, 12, 0}, "; server_max_window_bits=12", true, NULL},
    {{false, false, 12, 0}, "; server_max_window_bits=8", true, NULL},
    {{true, false, 0, 0}, "; server_no_context_takeover", true, NULL},
    {{false, false, 0, 0}, "; client_max_window_bits=10", false, "was not offered"},
    {{false, false, 0, -1}, "; client_max_window_bits", false, "needs a value in a response"},
    {{false, false, 0, -1}, "; client_max_window_bits=7", false, "outside 8..15"},
    {{false, false, 0, 0}, "; server_max_window_bits=16", false, "outside 8..15"},
    {{false, false, 0, 0}, "; server_max_window_bits=abc", false, "not a decimal"},
    {{false, false, 0, 0}, "; server_max_window_bits", false, "needs a value"},
    {{false, false, 12, 0}, "; server_max_window_bits=13", false, "offered server_max_window_bits"},
    {{false, false, 12, 0}, "", false, "offered server_max_window_bits"},
    {{true, false, 0, 0}, "", false, "server_no_context_takeover missing"},
    {{false, false, 0, 0}, "; server_no_context_takeover=1", false, "takes no value"},
    {{false, false, 0, 0},
     "; client_no_context_takeover; client_no_context_takeover",
     false,
     "duplicate"},
    {{false, false, 0, 0}, "; x-foo", false, "unknown parameter"},
};

Test(pmd_response, check_table)
{
    for (size_t i = 0; i < sizeof response_cases / sizeof response_cases[0]; i++) {
        char header[256], detail[256] = "";
        snprintf(header, sizeof header, "permessage-deflate%s", response_cases[i].response);
        parsed r;
        cr_assert_eq(parse(&r, header), WS_OK);
        ws_pmd_params agreed;
        ws_err e = ws_pmd_check_response(&response_cases[i].offered, &r.offers[0], &agreed, detail,
                                         sizeof detail);
        if (response_cases[i].ok) {
            cr_expect_eq(e, WS_OK, "case %zu \"%s\": %s", i, header, detail);
        } else {
            cr_expect_eq(e, WS_PMD_ERR_PARAM, "case %zu \"%s\"", i, header);
            cr_expect(strstr(detail, response_cases[i].detail) != NULL,
                      "case %zu \"%s\": detail \"%s\"", i, header, detail);
        }
    }
}

Test(pmd_response, agreed_values)
{
    parsed r;
    ws_pmd_params offered = P(false, true, 0, -1), agreed;
    cr_assert_eq(parse(&r, "permessage-deflate; server_no_context_takeover; "
                           "client_max_window_bits=9; server_max_window_bits=11"),
                 WS_OK);
    cr_assert_eq(ws_pmd_check_response(&offered, &r.offers[0], &agreed, NULL, 0), WS_OK);
    expect_params(agreed, P(true, false, 11, 9), "response");
    cr_assert_eq(parse(&r, "x-other"), WS_OK);
    cr_expect_eq(ws_pmd_check_response(&offered, &r.offers[0], &agreed, NULL, 0), WS_PMD_ERR_PARAM);
}

/* ---- permessage-deflate: writers and setup --------------------------------- */

Test(pmd_write, offer_and_response)
{
    char out[200];
    size_t len;
    ws_pmd_params p = P(false, false, 0, 0);
    cr_assert_eq(ws_pmd_write_offer(&p, out, sizeof out, &len), WS_OK);
    cr_expect_str_eq(out, "permessage-deflate");
    cr_expect_eq(len, 18);
    p = P(true, true, 10, -1);
    cr_assert_eq(ws_pmd_write_offer(&p, out, sizeof out, &len), WS_OK);
    cr_expect_str_eq(out, "permessage-deflate; server_no_context_takeover; "
                          "client_no_context_takeover; server_max_window_bits=10; "
                          "client_max_window_bits");
    cr_expect_eq(ws_pmd_write_response(&p, out, sizeof out, &len), WS_ERR_INVALID_ARG);
    p = P(false, false, 0, 8);
    cr_assert_eq(ws_pmd_write_response(&p, out, sizeof out, &len), WS_OK);
    cr_expect_str_eq(out, "permessage-deflate; client_max_window_bits=8");
    p = P(false, false, 16, 0);
    cr_expect_eq(ws_pmd_write_offer(&p, out, sizeof out, &len), WS_ERR_INVALID_ARG);
    p = P(false, false, 0, 7);
    cr_expect_eq(ws_pmd_write_offer(&p, out, sizeof out, &len), WS_ERR_INVALID_ARG);
    p = P(false, false, 0, 0);
    cr_expect_eq(ws_pmd_write_offer(&p, out, 18, &len), WS_ERR_BUFFER_TOO_SMALL);
    cr_expect_eq(ws_pmd_write_offer(&p, out, 19, &len), WS_OK);
}

/* What the writer produces, the parser and validator accept unchanged. */
Test(pmd_write, offer_round_trip)
{
    int bits[] = {0, -1, 8, 15};
    for (int mask = 0; mask < 4; mask++)
        for (size_t s = 0; s < 4; s++)
            for (size_t c = 0; c < 4; c++) {
                if (bits[s] == -1)
                    continue;
                ws_pmd_params p = P(mask & 1, mask & 2, bits[s], bits[c]), back;
                char out[200];
                cr_assert_eq(ws_pmd_write_offer(&p, out, sizeof out, NULL), WS_OK);
                cr_assert_eq(pmd_offer(out, &back, NULL, 0), WS_OK, "%s", out);
                expect_params(back, p, out);
            }
}

Test(pmd_setup, directions)
{
    ws_pmd_params a = P(true, false, 10, 0);
    ws_pmd_setup s;
    ws_pmd_setup_for(&a, true, &s);
    cr_expect_eq(s.deflate_window_bits, 10);
    cr_expect(s.deflate_no_context_takeover);
    cr_expect_eq(s.inflate_window_bits, 15);
    cr_expect_not(s.inflate_no_context_takeover);
    ws_pmd_setup_for(&a, false, &s);
    cr_expect_eq(s.deflate_window_bits, 15);
    cr_expect_not(s.deflate_no_context_takeover);
    cr_expect_eq(s.inflate_window_bits, 10);
    cr_expect(s.inflate_no_context_takeover);
    a = P(false, true, 0, 9);
    ws_pmd_setup_for(&a, false, &s);
    cr_expect_eq(s.deflate_window_bits, 9);
    cr_expect(s.deflate_no_context_takeover);
}
