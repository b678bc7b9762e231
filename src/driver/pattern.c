/*
 * Case-ID patterns and ordering. See pattern.h.
 */
#include "driver/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ws_pattern_match(const char *pattern, const char *id)
{
    if (!pattern || !id)
        return false;
    const char *p = pattern, *s = id;
    const char *star = NULL;   /* last '*' seen in the pattern */
    const char *resume = NULL; /* where in id that '*' currently stops */
    /*
     * Greedy-with-backtracking: on a mismatch, let the last '*' swallow one
     * more character. Earlier stars never need revisiting, so this is
     * O(len(pattern) * len(id)) without recursion.
     */
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p && *p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == 0;
}

bool ws_pattern_list_match(const char *const *patterns, size_t n, const char *id)
{
    if (!patterns)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ws_pattern_match(patterns[i], id))
            return true;
    return false;
}

static bool ws_pattern_char_ok(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
           c == '*' || c == '_' || c == '-';
}

/* Describe byte c for an error message: 'x' or \xHH. */
static void ws_pattern_describe(unsigned char c, char *out, size_t cap)
{
    if (c > 0x20 && c < 0x7F && c != '\'')
        snprintf(out, cap, "'%c'", c);
    else if (c == ' ')
        snprintf(out, cap, "space");
    else
        snprintf(out, cap, "\\x%02X", c);
}

/* Check s[0..len); `what` names the element in messages. */
static bool ws_pattern_check(const char *s, size_t len, const char *what, char *err, size_t errcap)
{
    if (len == 0) {
        if (err && errcap)
            snprintf(err, errcap, "%s: empty case pattern", what);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!ws_pattern_char_ok(c)) {
            char d[8];
            ws_pattern_describe(c, d, sizeof(d));
            if (err && errcap)
                snprintf(err, errcap,
                         "%s: invalid character %s in case pattern (allowed: 0-9 A-Z a-z . * _ -)",
                         what, d);
            return false;
        }
    }
    return true;
}

bool ws_pattern_valid(const char *pattern, char *err, size_t errcap)
{
    if (!pattern)
        pattern = "";
    char what[48];
    size_t len = strlen(pattern);
    snprintf(what, sizeof(what), "\"%.32s%s\"", pattern, len > 32 ? "..." : "");
    /* Do not echo control characters or quotes back verbatim. */
    for (char *c = what + 1; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = '?';
    return ws_pattern_check(pattern, len, what, err, errcap);
}

void ws_pattern_list_free(ws_pattern_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

static bool ws_pattern_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int ws_pattern_list_parse(const char *text, ws_pattern_list *out, char *err, size_t errcap)
{
    out->items = NULL;
    out->n = 0;
    if (!text)
        text = "";
    size_t count = 1;
    for (const char *c = text; *c; c++)
        if (*c == ',')
            count++;
    out->items = calloc(count, sizeof(*out->items));
    if (!out->items) {
        if (err && errcap)
            snprintf(err, errcap, "out of memory");
        return -1;
    }
    const char *s = text;
    for (size_t idx = 0; idx < count; idx++) {
        const char *e = strchr(s, ',');
        if (!e)
            e = s + strlen(s);
        const char *b = s, *f = e;
        while (b < f && ws_pattern_is_blank(*b))
            b++;
        while (f > b && ws_pattern_is_blank(f[-1]))
            f--;
        char what[48];
        snprintf(what, sizeof(what), "case list element %zu", idx + 1);
        if (b == f && count == 1) {
            if (err && errcap)
                snprintf(err, errcap, "case list is empty");
            ws_pattern_list_free(out);
            return -1;
        }
        if (!ws_pattern_check(b, (size_t)(f - b), what, err, errcap)) {
            ws_pattern_list_free(out);
            return -1;
        }
        char *item = malloc((size_t)(f - b) + 1);
        if (!item) {
            if (err && errcap)
                snprintf(err, errcap, "out of memory");
            ws_pattern_list_free(out);
            return -1;
        }
        memcpy(item, b, (size_t)(f - b));
        item[f - b] = 0;
        out->items[out->n++] = item;
        s = *e ? e + 1 : e;
    }
    return 0;
}

static bool ws_case_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Compare one '.'-delimited part of each id; both cursors move past it. */
static int ws_case_part_compare(const char **pa, const char **pb)
{
    const char *a = *pa, *b = *pb;
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    bool na = la > 0, nb = lb > 0;
    for (size_t i = 0; i < la; i++)
        na = na && ws_case_is_digit(a[i]);
    for (size_t i = 0; i < lb; i++)
        nb = nb && ws_case_is_digit(b[i]);
    *pa = a + la;
    *pb = b + lb;
    if (la == 0 || lb == 0)
        return la == lb ? 0 : (la == 0 ? -1 : 1); /* empty first */
    if (na && nb) {
        /* Unbounded integers: strip leading zeros, longer is larger. */
        while (la > 1 && *a == '0') {
            a++;
            la--;
        }
        while (lb > 1 && *b == '0') {
            b++;
            lb--;
        }
        if (la != lb)
            return la < lb ? -1 : 1;
        int c = memcmp(a, b, la);
        return c < 0 ? -1 : c > 0;
    }
    if (na != nb)
        return na ? -1 : 1;
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return la == lb ? 0 : (la < lb ? -1 : 1);
}

int ws_case_id_compare(const char *a, const char *b)
{
    if (!a || !b)
        return a == b ? 0 : (a ? 1 : -1);
    const char *pa = a, *pb = b;
    for (;;) {
        int c = ws_case_part_compare(&pa, &pb);
        if (c != 0)
            return c;
        if (!*pa || !*pb) {
            if (*pa != *pb)
                return *pa ? 1 : -1; /* the shorter id first */
            break;
        }
        pa++; /* skip the '.' */
        pb++;
    }
    int c = strcmp(a, b); /* equal numerically ("1.07" vs "1.7"): stay total */
    return c < 0 ? -1 : c > 0;
}
