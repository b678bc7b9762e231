/* Unit tests for the strict JSON reader (src/util/json.c). */
#include <criterion/criterion.h>

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static ws_json_doc *parse_n(const char *text, size_t len, char *err, size_t cap)
{
    return ws_json_parse(text, len, err, cap);
}

static ws_json_doc *parse(const char *text, char *err, size_t cap)
{
    return ws_json_parse(text, strlen(text), err, cap);
}

Test(json, valid_documents)
{
    static const struct {
        const char *text;
        ws_json_type type;
    } cases[] = {
        {"null", WS_JSON_NULL},
        {"true", WS_JSON_BOOL},
        {"false", WS_JSON_BOOL},
        {"0", WS_JSON_NUMBER},
        {"-0", WS_JSON_NUMBER},
        {"-12.5e+3", WS_JSON_NUMBER},
        {"1E-2", WS_JSON_NUMBER},
        {"\"\"", WS_JSON_STRING},
        {"[]", WS_JSON_ARRAY},
        {"{}", WS_JSON_OBJECT},
        {" \t\r\n[ 1 , [ ] , { } ]\n", WS_JSON_ARRAY},
        {"{\"a\":{\"b\":[null,true,false,\"x\",1.5]}}", WS_JSON_OBJECT},
        {"\xEF\xBB\xBF{}", WS_JSON_OBJECT}, /* BOM is skipped */
        {"\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"", WS_JSON_STRING},
        {"\"\x7F\"", WS_JSON_STRING},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[128] = "";
        ws_json_doc *d = parse(cases[i].text, err, sizeof(err));
        cr_assert_not_null(d, "case %zu (%s): %s", i, cases[i].text, err);
        cr_expect_eq(ws_json_type_of(ws_json_root(d)), cases[i].type, "case %zu", i);
        ws_json_free(d);
    }
}

Test(json, errors_with_line_and_column)
{
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        const char *err;
    } cases[] = {
        {"", 0, "line 1, column 1: unexpected end of input, expected a value"},
        {"  \n ", 0, "line 2, column 2: unexpected end of input, expected a value"},
        {"[1,]", 0, "line 1, column 3: trailing comma is not allowed"},
        {"{\"a\":1,}", 0, "line 1, column 7: trailing comma is not allowed"},
        {"{\n  \"a\": 1\n  \"b\": 2\n}", 0, "line 3, column 3: expected ',' or '}'"},
        {"[1 2]", 0, "line 1, column 4: expected ',' or ']'"},
        {"{\"a\" 1}", 0, "line 1, column 6: expected ':'"},
        {"{a:1}", 0, "line 1, column 2: expected a string key"},
        {"{1:1}", 0, "line 1, column 2: expected a string key"},
        {"[1,,2]", 0, "line 1, column 4: expected a value"},
        {"// c\n1", 0, "line 1, column 1: comments are not allowed"},
        {"[1 /* x */]", 0, "line 1, column 4: comments are not allowed"},
        {"{\"a\":1}\n# x", 0, "line 2, column 1: unexpected content after the document"},
        {"01", 0, "line 1, column 1: leading zeros are not allowed"},
        {"[-01]", 0, "line 1, column 3: leading zeros are not allowed"},
        {"-", 0, "line 1, column 2: expected a digit after '-'"},
        {"-a", 0, "line 1, column 2: expected a digit after '-'"},
        {"1.", 0, "line 1, column 3: expected a digit after '.'"},
        {"1.e5", 0, "line 1, column 3: expected a digit after '.'"},
        {"1e", 0, "line 1, column 3: expected a digit in the exponent"},
        {"1e+", 0, "line 1, column 4: expected a digit in the exponent"},
        {".5", 0, "line 1, column 1: expected a value"},
        {"+1", 0, "line 1, column 1: expected a value"},
        {"NaN", 0, "line 1, column 1: expected a value"},
        {"[Infinity]", 0, "line 1, column 2: expected a value"},
        {"1e400", 0, "line 1, column 1: number out of range"},
        {"[-1e400]", 0, "line 1, column 2: number out of range"},
        {"tru", 0, "line 1, column 1: invalid literal (expected true, false or null)"},
        {"[nul]", 0, "line 1, column 2: invalid literal (expected true, false or null)"},
        {"True", 0, "line 1, column 1: expected a value"},
        {"'a'", 0, "line 1, column 1: strings must use double quotes"},
        {"\"abc", 0, "line 1, column 1: unterminated string"},
        {"[\"a\\", 0, "line 1, column 2: unterminated string"},
        {"\"a\\\"", 0, "line 1, column 1: unterminated string"},
        {"\"a\tb\"", 0, "line 1, column 3: control character in string"},
        {"\"a\nb\"", 0, "line 1, column 3: control character in string"},
        {"\"a\0b\"", 5, "line 1, column 3: control character in string"},
        {"[1\0]", 4, "line 1, column 3: expected ',' or ']'"},
        {"\"\\x\"", 0, "line 1, column 2: invalid escape sequence"},
        {"\"\\U0041\"", 0, "line 1, column 2: invalid escape sequence"},
        {"\"\\u12G4\"", 0, "line 1, column 2: invalid \\u escape: expected 4 hex digits"},
        {"\"\\u12\"", 0, "line 1, column 2: invalid \\u escape: expected 4 hex digits"},
        {"\"\\uD800\"", 0, "line 1, column 2: unpaired surrogate in \\u escape"},
        {"\"\\uDC00\"", 0, "line 1, column 2: unpaired surrogate in \\u escape"},
        {"\"\\uD800\\u0041\"", 0, "line 1, column 2: unpaired surrogate in \\u escape"},
        {"\"\\uDBFF\\uDBFF\"", 0, "line 1, column 2: unpaired surrogate in \\u escape"},
        {"\"\\uD800x\"", 0, "line 1, column 2: unpaired surrogate in \\u escape"},
        /* invalid UTF-8 in strings: bad continuation, overlong, surrogate, > U+10FFFF,
         * stray continuation, truncated, 0xFF */
        {"\"\xC3\x28\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"ab\xC0\xAF\"", 0, "line 1, column 4: invalid UTF-8 in string"},
        {"\"\xE0\x80\xAF\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\xED\xA0\x80\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\xF4\x90\x80\x80\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\xF8\x88\x80\x80\x80\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\x80\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\xE2\x82\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        {"\"\xFF\"", 0, "line 1, column 2: invalid UTF-8 in string"},
        /* outside strings */
        {"\xFF", 0, "line 1, column 1: invalid UTF-8"},
        {"[1,\xC3]", 0, "line 1, column 4: invalid UTF-8"},
        {"[\xC3\xA9]", 0, "line 1, column 2: expected a value"},
        /* columns count characters, not bytes */
        {"\"\xC3\xA9\xE2\x82\xAC\" x", 0,
         "line 1, column 6: unexpected content after the document"},
        {"1 2", 0, "line 1, column 3: unexpected content after the document"},
        {"{} {}", 0, "line 1, column 4: unexpected content after the document"},
        {"[", 0, "line 1, column 2: unexpected end of input, expected a value"},
        {"[1", 0, "line 1, column 3: unexpected end of input, expected ',' or ']'"},
        {"{\"a\":1", 0, "line 1, column 7: unexpected end of input, expected ',' or '}'"},
        {"{\"a\"", 0, "line 1, column 5: unexpected end of input, expected ':'"},
        {"{", 0, "line 1, column 2: unexpected end of input, expected a string key"},
        {"{\"a\":", 0, "line 1, column 6: unexpected end of input, expected a value"},
        {"\r\n\r\n  [1,\n 2 3]", 0, "line 4, column 4: expected ',' or ']'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[128] = "unset";
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        ws_json_doc *d = parse_n(cases[i].text, len, err, sizeof(err));
        cr_expect_null(d, "case %zu should fail", i);
        cr_expect_str_eq(err, cases[i].err, "case %zu: got \"%s\"", i, err);
        ws_json_free(d);
    }
}

static char *nested(int depth, char open, char close)
{
    char *s = malloc((size_t)depth * 2 + 1);
    cr_assert_not_null(s);
    for (int i = 0; i < depth; i++) {
        s[i] = open;
        s[depth * 2 - 1 - i] = close;
    }
    s[depth * 2] = 0;
    return s;
}

Test(json, nesting_depth_limit)
{
    char err[128];
    char *ok = nested(64, '[', ']');
    ws_json_doc *d = parse(ok, err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    const ws_json_value *v = ws_json_root(d);
    int depth = 0;
    while (ws_json_type_of(v) == WS_JSON_ARRAY) {
        depth++;
        v = ws_json_array_at(v, 0);
    }
    cr_expect_eq(depth, 64);
    ws_json_free(d);
    free(ok);

    char *bad = nested(65, '[', ']');
    cr_expect_null(parse(bad, err, sizeof(err)));
    cr_expect_str_eq(err, "line 1, column 65: nesting deeper than 64 levels");
    free(bad);

    /* Objects count too: 64 levels of {"a": ...} pass, 65 fail. */
    for (int n = 64; n <= 65; n++) {
        char *s = malloc((size_t)n * 6 + 8), *p = s;
        cr_assert_not_null(s);
        for (int i = 0; i < n; i++)
            p += sprintf(p, "{\"a\":");
        p += sprintf(p, "1");
        for (int i = 0; i < n; i++)
            *p++ = '}';
        *p = 0;
        d = parse(s, err, sizeof(err));
        if (n == 64) {
            cr_expect_not_null(d, "%s", err);
        } else {
            cr_expect_null(d);
            cr_expect_str_eq(err, "line 1, column 321: nesting deeper than 64 levels");
        }
        ws_json_free(d);
        free(s);
    }

    /* Very deep hostile input fails fast without deep recursion. */
    char *huge = nested(100000, '[', ']');
    cr_expect_null(parse(huge, err, sizeof(err)));
    free(huge);
}

Test(json, numbers)
{
    static const struct {
        const char *text;
        double d;
        bool has_int;
        int64_t i;
    } cases[] = {
        {"0", 0, true, 0},
        {"-0", -0.0, true, 0},
        {"42", 42, true, 42},
        {"-17", -17, true, -17},
        {"1.0", 1, true, 1},
        {"1e3", 1000, true, 1000},
        {"1.5", 1.5, false, 0},
        {"0.1", 0.1, false, 0},
        {"-2.5E-3", -0.0025, false, 0},
        {"9223372036854775807", 9223372036854775807.0, true, INT64_MAX},
        {"-9223372036854775808", -9223372036854775808.0, true, INT64_MIN},
        {"9223372036854775808", 9223372036854775808.0, false, 0},
        {"9007199254740993", 9007199254740992.0, true, 9007199254740993LL},
        {"1e300", 1e300, false, 0},
        {"1.7976931348623157e308", 1.7976931348623157e308, false, 0},
        {"123456789012345678901234567890", 1.2345678901234568e29, false, 0},
        {"1e-400", 0, true, 0},
        {"4.9e-324", 4.9e-324, false, 0},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char err[128];
        ws_json_doc *d = parse(cases[k].text, err, sizeof(err));
        cr_assert_not_null(d, "%s: %s", cases[k].text, err);
        double v = -1;
        int64_t i = -1;
        cr_expect(ws_json_number(ws_json_root(d), &v));
        cr_expect_eq(v, cases[k].d, "%s: got %.17g", cases[k].text, v);
        cr_expect_eq(ws_json_int64(ws_json_root(d), &i), cases[k].has_int, "%s", cases[k].text);
        if (cases[k].has_int) cr_expect_eq(i, cases[k].i, "%s", cases[k].text);
        ws_json_free(d);
    }
    /* A thousand digits: fine as a double, no int64. */
    char big[1100];
    memset(big, '9', 1000);
    big[1000] = 0;
    char err[128];
    cr_expect_null(parse(big, err, sizeof(err)), "1e1000 overflows");
    cr_expect_str_eq(err, "line 1, column 1: number out of range");
    memcpy(big, "0.", 2);
    ws_json_doc *d = parse(big, err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    double v;
    cr_expect(ws_json_number(ws_json_root(d), &v));
    cr_expect_eq(v, 1.0, "0.999...9 rounds to 1");
    ws_json_free(d);
}

Test(json, numbers_ignore_locale)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < 4 && !set; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    char err[128];
    ws_json_doc *d = parse("[0.5, 2.25e1]", err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    double a = 0, b = 0;
    ws_json_number(ws_json_array_at(ws_json_root(d), 0), &a);
    ws_json_number(ws_json_array_at(ws_json_root(d), 1), &b);
    cr_expect_eq(a, 0.5);
    cr_expect_eq(b, 22.5);
    ws_json_free(d);
    setlocale(LC_NUMERIC, "C");
}

Test(json, string_escapes_and_surrogates)
{
    static const struct {
        const char *text;
        const char *want;
        size_t len;
    } cases[] = {
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
        {"\"\\u0041\\u00e9\\u00E9\"", "A\xC3\xA9\xC3\xA9", 5},
        {"\"\\u20AC\"", "\xE2\x82\xAC", 3},
        {"\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80", 4},
        {"\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80", 4},
        {"\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF", 4},
        {"\"\\uD800\\uDC00\"", "\xF0\x90\x80\x80", 4},
        {"\"a\\u0000b\"", "a\0b", 3},
        {"\"\\u001F\\u007f\\u0080\\u07FF\\u0800\\uFFFF\"",
         "\x1F\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF", 12},
        {"\"\xF0\x9F\x98\x80 raw\"", "\xF0\x9F\x98\x80 raw", 8},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char err[128];
        ws_json_doc *d = parse(cases[k].text, err, sizeof(err));
        cr_assert_not_null(d, "case %zu: %s", k, err);
        const char *s;
        size_t len;
        cr_assert(ws_json_string(ws_json_root(d), &s, &len));
        cr_expect_eq(len, cases[k].len, "case %zu: len %zu", k, len);
        cr_expect(memcmp(s, cases[k].want, cases[k].len) == 0, "case %zu", k);
        cr_expect_eq(s[len], 0, "NUL-terminated");
        ws_json_free(d);
    }
}

Test(json, objects_keep_order_and_last_duplicate_wins)
{
    char err[128];
    ws_json_doc *d =
        parse("{\"b\":1,\"a\":2,\"b\":3,\"\\u00e9\":4,\"k\\u0000z\":5,\"\":6}", err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    const ws_json_value *o = ws_json_root(d);
    cr_expect_eq(ws_json_object_size(o), 6);
    static const char *const keys[] = {"b", "a", "b", "\xC3\xA9"};
    for (size_t i = 0; i < 4; i++) {
        const char *k;
        size_t kl;
        int64_t v;
        cr_assert_not_null(ws_json_object_at(o, i, &k, &kl));
        cr_expect_str_eq(k, keys[i]);
        ws_json_int64(ws_json_object_at(o, i, NULL, NULL), &v);
        cr_expect_eq(v, (int64_t)i + 1);
    }
    int64_t v = 0;
    cr_expect(ws_json_int64(ws_json_object_get(o, "b"), &v));
    cr_expect_eq(v, 3, "last duplicate wins");
    cr_expect(ws_json_int64(ws_json_object_getn(o, "k\0z", 3), &v));
    cr_expect_eq(v, 5);
    cr_expect(ws_json_int64(ws_json_object_get(o, ""), &v));
    cr_expect_eq(v, 6);
    cr_expect_null(ws_json_object_get(o, "k"));
    cr_expect_null(ws_json_object_get(o, "missing"));
    cr_expect_null(ws_json_object_at(o, 6, NULL, NULL));
    ws_json_free(d);
}

Test(json, accessors_are_type_safe)
{
    char err[128];
    ws_json_doc *d = parse("[\"s\", 1, true, null, {}, []]", err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    const ws_json_value *a = ws_json_root(d);
    cr_expect_eq(ws_json_array_len(a), 6);
    cr_expect_null(ws_json_array_at(a, 6));
    cr_expect_eq(ws_json_type_of(ws_json_array_at(a, 99)), WS_JSON_MISSING);
    const ws_json_value *s = ws_json_array_at(a, 0), *n = ws_json_array_at(a, 1);
    double dv;
    bool b;
    cr_expect_str_eq(ws_json_cstr(s), "s");
    cr_expect_null(ws_json_cstr(n));
    cr_expect_not(ws_json_number(s, &dv));
    cr_expect_not(ws_json_bool(n, &b));
    cr_expect(ws_json_bool(ws_json_array_at(a, 2), &b) && b);
    cr_expect(ws_json_is_null(ws_json_array_at(a, 3)));
    cr_expect_not(ws_json_is_null(NULL));
    cr_expect_eq(ws_json_object_size(a), 0);
    cr_expect_null(ws_json_object_get(a, "x"));
    cr_expect_eq(ws_json_array_len(ws_json_array_at(a, 4)), 0);
    cr_expect_eq(ws_json_object_size(ws_json_array_at(a, 4)), 0);
    cr_expect_eq(ws_json_array_len(ws_json_array_at(a, 5)), 0);
    cr_expect_str_eq(ws_json_type_name(ws_json_type_of(a)), "an array");
    cr_expect_str_eq(ws_json_type_name(WS_JSON_MISSING), "missing");
    cr_expect_null(ws_json_root(NULL));
    ws_json_free(d);
    ws_json_free(NULL);
}

Test(json, nul_terminated_and_error_buffer_handling)
{
    ws_json_doc *d = ws_json_parse("{\"a\": [1, 2]}", WS_JSON_NUL_TERMINATED, NULL, 0);
    cr_assert_not_null(d);
    cr_expect_eq(ws_json_array_len(ws_json_object_get(ws_json_root(d), "a")), 2);
    ws_json_free(d);
    /* Text after len is not read. */
    d = ws_json_parse("[1]garbage", 3, NULL, 0);
    cr_expect_not_null(d);
    ws_json_free(d);
    /* Errors with no buffer, and truncation to a small one. */
    cr_expect_null(ws_json_parse("[", 1, NULL, 0));
    char small[12];
    memset(small, 'x', sizeof(small));
    cr_expect_null(ws_json_parse("[", 1, small, sizeof(small)));
    cr_expect_str_eq(small, "line 1, col");
    cr_expect_null(ws_json_parse(NULL, 0, small, sizeof(small)));
}

/* Hostile input: mutations of a valid document never crash or leak (ASan). */
Test(json, mutation_smoke)
{
    static const char base[] = "{\"outdir\": \"./r\", \"servers\": [{\"url\": \"ws://h:1\", "
                               "\"n\": -1.5e3, \"u\": \"\\u00e9\\ud83d\\ude00\"}], "
                               "\"cases\": [\"*\", true, false, null]}";
    uint32_t x = 12345;
    char buf[sizeof(base)];
    static const char alphabet[] = "{}[],:\"\\u0123456789eE+-.tfnrl \t\n\x80\xC3\xED\xF4\xFF\x00";
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, base, sizeof(base));
        int muts = 1 + iter % 4;
        for (int m = 0; m < muts; m++) {
            x = x * 1103515245u + 12345u;
            size_t pos = (x >> 8) % (sizeof(base) - 1);
            x = x * 1103515245u + 12345u;
            buf[pos] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
        }
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 8) % sizeof(base);
        char err[128];
        ws_json_doc *d = ws_json_parse(buf, len, err, sizeof(err));
        if (!d) cr_assert(strncmp(err, "line ", 5) == 0, "%s", err);
        ws_json_free(d);
    }
}
