/* Unit tests for case-ID patterns and ordering (src/driver/pattern.c). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "driver/pattern.h"

Test(pattern, glob_match_table)
{
    static const struct {
        const char *pattern, *id;
        bool match;
    } cases[] = {
        {"*", "1.1.1", true},
        {"*", "", true},
        {"**", "12.2.10", true},
        {"", "", true},
        {"", "1", false},
        {"1.1.1", "1.1.1", true},
        {"1.1.1", "1.1.10", false},
        {"1.1.1", "1.1", false},
        {"1.*", "1.1.1", true},
        {"1.*", "1.2", true},
        {"1.*", "1.", true},
        {"1.*", "1", false},
        {"1.*", "10.1", false},
        {"1.*", "11.1", false},
        {"6.4.*", "6.4.3", true},
        {"6.4.*", "6.40.1", false},
        /* anchored at both ends: unlike Autobahn, 12.*.1 does not match 12.1.10 */
        {"12.*.1", "12.1.1", true},
        {"12.*.1", "12.3.1", true},
        {"12.*.1", "12.1.10", false},
        {"12.*.1", "12.1.18", false},
        {"12.*.1*", "12.1.18", true},
        {"*.1", "2.1", true},
        {"*.1", "12.1.1", true},
        {"*.1", "12.1.10", false},
        {"*.1.*", "9.1.6", true},
        {"9.*.6", "9.1.6", true},
        {"9.*.6", "9.1.2.6", true},
        {"*1*", "2.10.3", true},
        {"*ab", "aab", true},
        {"a*b*c", "axxbyyc", true},
        {"a*b*c", "axxbyycd", false},
        {"a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
        {"1.1.1*", "1.1.1", true},
        {"1.1.1", "1.1.1 ", false},
        {"case", "Case", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_eq(ws_pattern_match(cases[i].pattern, cases[i].id), cases[i].match,
                     "'%s' vs '%s'", cases[i].pattern, cases[i].id);
    cr_expect_not(ws_pattern_match(NULL, "1"));
    cr_expect_not(ws_pattern_match("*", NULL));
}

Test(pattern, list_match)
{
    const char *const pats[] = {"1.*", "6.4.*", "9.1.1"};
    cr_expect(ws_pattern_list_match(pats, 3, "1.1.8"));
    cr_expect(ws_pattern_list_match(pats, 3, "6.4.4"));
    cr_expect(ws_pattern_list_match(pats, 3, "9.1.1"));
    cr_expect_not(ws_pattern_list_match(pats, 3, "9.1.2"));
    cr_expect_not(ws_pattern_list_match(pats, 0, "1.1.1"));
    cr_expect_not(ws_pattern_list_match(NULL, 0, "1.1.1"));
}

Test(pattern, parse_command_line_lists)
{
    static const struct {
        const char *text;
        size_t n;
        const char *items[4];
    } ok[] = {
        {"1.*,6.4.*", 2, {"1.*", "6.4.*"}},
        {"*", 1, {"*"}},
        {" 1.* ,\t2.1 ", 2, {"1.*", "2.1"}},
        {"a_b-C.9,*,12.*.1", 3, {"a_b-C.9", "*", "12.*.1"}},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ws_pattern_list l;
        char err[160] = "";
        cr_assert_eq(ws_pattern_list_parse(ok[i].text, &l, err, sizeof(err)), 0, "%s: %s",
                     ok[i].text, err);
        cr_expect_eq(l.n, ok[i].n, "%s", ok[i].text);
        for (size_t k = 0; k < l.n && k < ok[i].n; k++)
            cr_expect_str_eq(l.items[k], ok[i].items[k]);
        cr_expect(ws_pattern_list_match((const char *const *)l.items, l.n, "1.2") || ok[i].n != 2 ||
                  i != 0);
        ws_pattern_list_free(&l);
        cr_expect_null(l.items);
        cr_expect_eq(l.n, 0);
    }
    static const struct {
        const char *text, *err;
    } bad[] = {
        {"", "case list is empty"},
        {"  ", "case list is empty"},
        {",", "case list element 1: empty case pattern"},
        {"1.*,,2", "case list element 2: empty case pattern"},
        {"1.*,", "case list element 2: empty case pattern"},
        {"1.*, ,2", "case list element 2: empty case pattern"},
        {"1.1 .2", "case list element 1: invalid character space in case pattern "
                   "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"1.*;2.*", "case list element 1: invalid character ';' in case pattern "
                    "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"1,2,3?", "case list element 3: invalid character '?' in case pattern "
                   "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"1\x01", "case list element 1: invalid character \\x01 in case pattern "
                  "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"\xC3\xA9", "case list element 1: invalid character \\xC3 in case pattern "
                     "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"'1'", "case list element 1: invalid character \\x27 in case pattern "
                "(allowed: 0-9 A-Z a-z . * _ -)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ws_pattern_list l = {(char **)1, 99};
        char err[160] = "";
        cr_expect_eq(ws_pattern_list_parse(bad[i].text, &l, err, sizeof(err)), -1, "case %zu", i);
        cr_expect_str_eq(err, bad[i].err, "case %zu", i);
        cr_expect_null(l.items);
        cr_expect_eq(l.n, 0);
        ws_pattern_list_free(&l);
    }
    ws_pattern_list l;
    cr_expect_eq(ws_pattern_list_parse(NULL, &l, NULL, 0), -1);
}

Test(pattern, single_pattern_validation)
{
    char err[160];
    cr_expect(ws_pattern_valid("12.*.1", err, sizeof(err)));
    cr_expect(ws_pattern_valid("*", NULL, 0));
    cr_expect_not(ws_pattern_valid("", err, sizeof(err)));
    cr_expect_str_eq(err, "\"\": empty case pattern");
    cr_expect_not(ws_pattern_valid("1.1/2", err, sizeof(err)));
    cr_expect_str_eq(err, "\"1.1/2\": invalid character '/' in case pattern "
                          "(allowed: 0-9 A-Z a-z . * _ -)");
    cr_expect_not(ws_pattern_valid("a\nb", err, sizeof(err)));
    cr_expect_str_eq(err, "\"a?b\": invalid character \\x0A in case pattern "
                          "(allowed: 0-9 A-Z a-z . * _ -)");
    cr_expect_not(ws_pattern_valid(NULL, err, sizeof(err)));
}

Test(pattern, case_id_compare)
{
    static const struct {
        const char *a, *b;
        int sign;
    } cases[] = {
        {"1.1.1", "1.1.1", 0},   {"2.9", "2.10", -1},
        {"2.10", "2.9", 1},      {"9.8.6", "10.1.1", -1},
        {"10.1.1", "9.8.6", 1},  {"2.1", "2.1.1", -1},
        {"2.1.1", "2.1", 1},     {"12.1.10", "12.1.9", 1},
        {"1.1.2", "1.1.10", -1}, {"99999999999999999999999.1", "100000000000000000000000.1", -1},
        {"1.07", "1.7", -1}, /* numerically equal: tie broken bytewise, order stays total */
        {"1.7", "1.07", 1},      {"1.2", "1.a", -1}, /* numeric parts before non-numeric ones */
        {"1.a", "1.b", -1},      {"1.ab", "1.a", 1},
        {"", "1", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int c = ws_case_id_compare(cases[i].a, cases[i].b);
        int sign = (c > 0) - (c < 0);
        cr_expect_eq(sign, cases[i].sign, "%s vs %s: %d", cases[i].a, cases[i].b, c);
    }
}

static int cmp_ids(const void *a, const void *b)
{
    return ws_case_id_compare(*(const char *const *)a, *(const char *const *)b);
}

Test(pattern, sort_case_ids)
{
    const char *ids[] = {"12.1.10", "1.1.1",  "10.1.1", "2.10",   "9.8.6", "2.9",
                         "12.1.2",  "1.1.10", "6.4.1",  "12.1.1", "2.1",   "1.2.1"};
    static const char *const want[] = {"1.1.1", "1.1.10", "1.2.1",  "2.1",    "2.9",    "2.10",
                                       "6.4.1", "9.8.6",  "10.1.1", "12.1.1", "12.1.2", "12.1.10"};
    qsort(ids, sizeof(ids) / sizeof(ids[0]), sizeof(ids[0]), cmp_ids);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        cr_expect_str_eq(ids[i], want[i], "position %zu", i);
}
