/*
 * ws_json: strict JSON reader. See json.h for the accepted grammar and limits.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strtod_l, newlocale */
#endif

#include "util/json.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws_json_value {
    ws_json_type type;
    bool b;
    bool has_int;
    int64_t i;
    double num;
    const char *str; /* string value (decoded, NUL-terminated) */
    size_t len;
    const char *key; /* member key when inside an object */
    size_t keylen;
    ws_json_value *next; /* sibling, only used while building */
    ws_json_value **items;
    size_t count;
};

typedef struct ws_json_block {
    struct ws_json_block *next;
    size_t used;
    size_t cap;
    max_align_t data[];
} ws_json_block;

struct ws_json_doc {
    ws_json_block *blocks;
    ws_json_value *root;
};

typedef struct {
    const unsigned char *start;
    const unsigned char *p;
    const unsigned char *end;
    ws_json_doc *doc;
    locale_t cloc; /* "C" numeric locale for strtod_l, created on demand */
    const char *msg;
    const unsigned char *errpos; /* NULL: message without a position */
} ws_json_parser;

static void *ws_json_alloc(ws_json_doc *doc, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX / 2) return NULL;
    size = (size + align - 1) / align * align;
    if (size == 0) size = align;
    ws_json_block *b = doc->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = b ? b->cap * 2 : 4096;
        if (cap > ((size_t)1 << 20)) cap = (size_t)1 << 20;
        if (cap < size) cap = size;
        ws_json_block *nb = malloc(sizeof(*nb) + cap);
        if (!nb) return NULL;
        nb->next = doc->blocks;
        nb->used = 0;
        nb->cap = cap;
        doc->blocks = nb;
        b = nb;
    }
    void *out = (unsigned char *)b->data + b->used;
    b->used += size;
    return out;
}

void ws_json_free(ws_json_doc *doc)
{
    if (!doc) return;
    ws_json_block *b = doc->blocks;
    while (b) {
        ws_json_block *next = b->next;
        free(b);
        b = next;
    }
    free(doc);
}

static bool ws_json_fail_at(ws_json_parser *ps, const unsigned char *pos, const char *msg)
{
    if (!ps->msg) {
        ps->msg = msg;
        ps->errpos = pos;
    }
    return false;
}

static bool ws_json_oom(ws_json_parser *ps)
{
    return ws_json_fail_at(ps, NULL, "out of memory");
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid/truncated. */
static size_t ws_json_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t k = 2; k < n; k++)
        if ((p[k] & 0xC0) != 0x80) return 0;
    return n;
}

/* "expected X" at the current position, with better wording where possible. */
static bool ws_json_fail_expected(ws_json_parser *ps, const char *what_msg, const char *eof_msg)
{
    const unsigned char *p = ps->p;
    if (p >= ps->end) return ws_json_fail_at(ps, p, eof_msg);
    if (*p == '/') return ws_json_fail_at(ps, p, "comments are not allowed");
    if (*p >= 0x80 && ws_json_utf8_len(p, ps->end) == 0)
        return ws_json_fail_at(ps, p, "invalid UTF-8");
    return ws_json_fail_at(ps, p, what_msg);
}

static void ws_json_skip_ws(ws_json_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static ws_json_value *ws_json_new(ws_json_parser *ps, ws_json_type t)
{
    ws_json_value *v = ws_json_alloc(ps->doc, sizeof(*v));
    if (!v) {
        ws_json_oom(ps);
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->type = t;
    return v;
}

static int ws_json_hex4(const unsigned char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = p[k], lc = c | 0x20; /* ASCII letters to lower case */
        int d = (c >= '0' && c <= '9')     ? (int)c - '0'
                : (lc >= 'a' && lc <= 'f') ? (int)lc - 'a' + 10
                                           : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t ws_json_put_utf8(unsigned char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t k = n - 1; k > 0; k--, cp >>= 6)
        o[k] = (unsigned char)(0x80 | (cp & 0x3F));
    o[0] = (unsigned char)(lead[n] | cp);
    return n;
}

/* ps->p is at the opening quote. Decodes into the arena. */
static bool ws_json_parse_string(ws_json_parser *ps, const char **out, size_t *outlen)
{
    const unsigned char *open = ps->p, *q = ps->p + 1, *end = ps->end;
    /* Pass 1: find the closing quote (decoded length <= raw length). */
    while (q < end && *q != '"') {
        if (*q == '\\') {
            if (end - q < 2) {
                q = end;
                break;
            }
            q += 2;
        } else {
            q++;
        }
    }
    if (q >= end) return ws_json_fail_at(ps, open, "unterminated string");
    const unsigned char *r = open + 1, *close = q;
    unsigned char *buf = ws_json_alloc(ps->doc, (size_t)(close - r) + 1);
    if (!buf) return ws_json_oom(ps);
    size_t n = 0;
    /* Pass 2: validate and decode. */
    while (r < close) {
        unsigned c = *r;
        if (c < 0x20) return ws_json_fail_at(ps, r, "control character in string");
        if (c >= 0x80) {
            size_t sl = ws_json_utf8_len(r, close);
            if (sl == 0) return ws_json_fail_at(ps, r, "invalid UTF-8 in string");
            memcpy(buf + n, r, sl);
            n += sl;
            r += sl;
            continue;
        }
        if (c != '\\') {
            buf[n++] = (unsigned char)c;
            r++;
            continue;
        }
        const unsigned char *esc = r;
        unsigned e = r[1]; /* pass 1 guarantees r + 1 < close */
        r += 2;
        static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
        const char *m = e != 'u' && e != 0 ? strchr(simple_in, (int)e) : NULL;
        if (m) {
            buf[n++] = (unsigned char)simple_out[m - simple_in];
            continue;
        }
        if (e != 'u') return ws_json_fail_at(ps, esc, "invalid escape sequence");
        int cp = close - r >= 4 ? ws_json_hex4(r) : -1;
        if (cp < 0) return ws_json_fail_at(ps, esc, "invalid \\u escape: expected 4 hex digits");
        r += 4;
        uint32_t code = (uint32_t)cp;
        if (code >= 0xDC00 && code <= 0xDFFF)
            return ws_json_fail_at(ps, esc, "unpaired surrogate in \\u escape");
        if (code >= 0xD800 && code <= 0xDBFF) {
            int lo = -1;
            if (close - r >= 6 && r[0] == '\\' && r[1] == 'u') lo = ws_json_hex4(r + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return ws_json_fail_at(ps, esc, "unpaired surrogate in \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            r += 6;
        }
        n += ws_json_put_utf8(buf + n, code);
    }
    buf[n] = 0;
    *out = (const char *)buf;
    *outlen = n;
    ps->p = close + 1;
    return true;
}

static bool ws_json_is_digit(const ws_json_parser *ps, const unsigned char *p)
{
    return p < ps->end && *p >= '0' && *p <= '9';
}

static const unsigned char *ws_json_skip_digits(const ws_json_parser *ps, const unsigned char *p)
{
    while (ws_json_is_digit(ps, p))
        p++;
    return p;
}

static bool ws_json_parse_number(ws_json_parser *ps, ws_json_value *v)
{
    const unsigned char *s = ps->p, *p = ps->p;
    bool neg = false, plain = true;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (!ws_json_is_digit(ps, p)) return ws_json_fail_at(ps, p, "expected a digit after '-'");
    if (*p == '0') {
        p++;
        if (ws_json_is_digit(ps, p))
            return ws_json_fail_at(ps, p - 1, "leading zeros are not allowed");
    } else {
        p = ws_json_skip_digits(ps, p);
    }
    const unsigned char *int_end = p;
    if (p < ps->end && *p == '.') {
        plain = false;
        p++;
        if (!ws_json_is_digit(ps, p)) return ws_json_fail_at(ps, p, "expected a digit after '.'");
        p = ws_json_skip_digits(ps, p);
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        plain = false;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) p++;
        if (!ws_json_is_digit(ps, p))
            return ws_json_fail_at(ps, p, "expected a digit in the exponent");
        p = ws_json_skip_digits(ps, p);
    }
    /* Exact int64 from the digits of a plain integer. */
    if (plain) {
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, acc = 0;
        const unsigned char *d = s + (neg ? 1 : 0);
        for (; d < int_end && acc <= (limit - (unsigned)(*d - '0')) / 10; d++)
            acc = acc * 10 + (unsigned)(*d - '0');
        if (d == int_end) {
            v->has_int = true;
            v->i =
                neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
        }
    }
    /* Double via strtod_l in the "C" locale, on a NUL-terminated copy in the arena. */
    size_t n = (size_t)(p - s);
    char *tmp = ws_json_alloc(ps->doc, n + 1);
    if (!ps->cloc) ps->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!tmp || !ps->cloc) return ws_json_oom(ps);
    memcpy(tmp, s, n);
    tmp[n] = 0;
    double d = strtod_l(tmp, NULL, ps->cloc);
    if (isinf(d)) return ws_json_fail_at(ps, s, "number out of range");
    v->num = d;
    if (!v->has_int && d == floor(d) && fabs(d) <= 9007199254740992.0) {
        v->has_int = true;
        v->i = (int64_t)d;
    }
    ps->p = p;
    return true;
}

static bool ws_json_parse_literal(ws_json_parser *ps, ws_json_value *v)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[k], n) == 0) {
            v->type = k == 2 ? WS_JSON_NULL : WS_JSON_BOOL;
            v->b = k == 0;
            ps->p += n;
            return true;
        }
    }
    return ws_json_fail_at(ps, ps->p, "invalid literal (expected true, false or null)");
}

static ws_json_value *ws_json_parse_value(ws_json_parser *ps, int depth);

/* Turn the sibling list into an item array. */
static bool ws_json_finish_container(ws_json_parser *ps, ws_json_value *c, ws_json_value *head)
{
    if (c->count == 0) return true;
    if (c->count > SIZE_MAX / sizeof(*c->items)) return ws_json_oom(ps);
    c->items = ws_json_alloc(ps->doc, c->count * sizeof(*c->items));
    if (!c->items) return ws_json_oom(ps);
    size_t k = 0;
    for (ws_json_value *it = head; it; it = it->next)
        c->items[k++] = it;
    return true;
}

static ws_json_value *ws_json_parse_container(ws_json_parser *ps, int depth, bool is_obj)
{
    const unsigned char close = is_obj ? '}' : ']';
    const char *sep_msg = is_obj ? "expected ',' or '}'" : "expected ',' or ']'";
    const char *sep_eof = is_obj ? "unexpected end of input, expected ',' or '}'"
                                 : "unexpected end of input, expected ',' or ']'";
    if (depth > WS_JSON_MAX_DEPTH) {
        ws_json_fail_at(ps, ps->p, "nesting deeper than 64 levels");
        return NULL;
    }
    ws_json_value *c = ws_json_new(ps, is_obj ? WS_JSON_OBJECT : WS_JSON_ARRAY);
    if (!c) return NULL;
    ps->p++;
    ws_json_skip_ws(ps);
    ws_json_value *head = NULL, *tail = NULL;
    const unsigned char *comma = NULL;
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return c;
    }
    for (;;) {
        const char *key = NULL;
        size_t keylen = 0;
        if (comma && ps->p < ps->end && *ps->p == close) {
            ws_json_fail_at(ps, comma, "trailing comma is not allowed");
            return NULL;
        }
        if (is_obj) {
            if (ps->p >= ps->end || *ps->p != '"') {
                ws_json_fail_expected(ps, "expected a string key",
                                      "unexpected end of input, expected a string key");
                return NULL;
            }
            if (!ws_json_parse_string(ps, &key, &keylen)) return NULL;
            ws_json_skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                ws_json_fail_expected(ps, "expected ':'", "unexpected end of input, expected ':'");
                return NULL;
            }
            ps->p++;
        }
        ws_json_value *item = ws_json_parse_value(ps, depth);
        if (!item) return NULL;
        item->key = key;
        item->keylen = keylen;
        if (tail)
            tail->next = item;
        else
            head = item;
        tail = item;
        c->count++;
        ws_json_skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            comma = ps->p++;
            ws_json_skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            break;
        }
        ws_json_fail_expected(ps, sep_msg, sep_eof);
        return NULL;
    }
    if (!ws_json_finish_container(ps, c, head)) return NULL;
    return c;
}

static ws_json_value *ws_json_parse_value(ws_json_parser *ps, int depth)
{
    ws_json_skip_ws(ps);
    if (ps->p >= ps->end) {
        ws_json_fail_at(ps, ps->p, "unexpected end of input, expected a value");
        return NULL;
    }
    unsigned c = *ps->p;
    if (c == '{' || c == '[') return ws_json_parse_container(ps, depth + 1, c == '{');
    ws_json_value *v = NULL;
    if (c == '"') {
        v = ws_json_new(ps, WS_JSON_STRING);
        if (v && !ws_json_parse_string(ps, &v->str, &v->len)) return NULL;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        v = ws_json_new(ps, WS_JSON_NUMBER);
        if (v && !ws_json_parse_number(ps, v)) return NULL;
    } else if (c == 't' || c == 'f' || c == 'n') {
        v = ws_json_new(ps, WS_JSON_NULL);
        if (v && !ws_json_parse_literal(ps, v)) return NULL;
    } else if (c == '\'') {
        ws_json_fail_at(ps, ps->p, "strings must use double quotes");
    } else {
        ws_json_fail_expected(ps, "expected a value", "unexpected end of input, expected a value");
    }
    return v;
}

static void ws_json_format_error(const ws_json_parser *ps, char *err, size_t errcap)
{
    if (!err || errcap == 0) return;
    if (!ps->errpos) {
        snprintf(err, errcap, "%s", ps->msg);
        return;
    }
    size_t line = 1, col = 1;
    for (const unsigned char *p = ps->start; p < ps->errpos; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if ((*p & 0xC0) != 0x80) {
            col++;
        }
    }
    snprintf(err, errcap, "line %zu, column %zu: %s", line, col, ps->msg);
}

ws_json_doc *ws_json_parse(const char *text, size_t len, char *err, size_t errcap)
{
    if (err && errcap) err[0] = 0;
    if (!text) {
        if (err && errcap) snprintf(err, errcap, "no input");
        return NULL;
    }
    if (len == WS_JSON_NUL_TERMINATED) len = strlen(text);
    ws_json_parser ps = {0};
    ps.start = ps.p = (const unsigned char *)text;
    ps.end = ps.start + len;
    ps.doc = calloc(1, sizeof(*ps.doc));
    if (!ps.doc) {
        if (err && errcap) snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (len >= 3 && memcmp(ps.p, "\xEF\xBB\xBF", 3) == 0) ps.p += 3; /* BOM */
    ws_json_value *root = ws_json_parse_value(&ps, 0);
    if (root) {
        ws_json_skip_ws(&ps);
        if (ps.p < ps.end) ws_json_fail_expected(&ps, "unexpected content after the document", "");
    }
    if (ps.cloc) freelocale(ps.cloc);
    if (ps.msg) {
        ws_json_format_error(&ps, err, errcap);
        ws_json_free(ps.doc);
        return NULL;
    }
    ps.doc->root = root;
    return ps.doc;
}

const ws_json_value *ws_json_root(const ws_json_doc *doc)
{
    return doc ? doc->root : NULL;
}

ws_json_type ws_json_type_of(const ws_json_value *v)
{
    return v ? v->type : WS_JSON_MISSING;
}

const char *ws_json_type_name(ws_json_type t)
{
    static const char *const names[] = {"missing",  "null",     "a boolean", "a number",
                                        "a string", "an array", "an object"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "missing";
}

const ws_json_value *ws_json_object_getn(const ws_json_value *obj, const char *key, size_t keylen)
{
    if (!obj || obj->type != WS_JSON_OBJECT || !key) return NULL;
    for (size_t k = obj->count; k-- > 0;) {
        const ws_json_value *m = obj->items[k];
        if (m->keylen == keylen && memcmp(m->key, key, keylen) == 0) return m;
    }
    return NULL;
}

const ws_json_value *ws_json_object_get(const ws_json_value *obj, const char *key)
{
    return key ? ws_json_object_getn(obj, key, strlen(key)) : NULL;
}

size_t ws_json_object_size(const ws_json_value *obj)
{
    return obj && obj->type == WS_JSON_OBJECT ? obj->count : 0;
}

const ws_json_value *ws_json_object_at(const ws_json_value *obj, size_t i, const char **key,
                                       size_t *keylen)
{
    if (!obj || obj->type != WS_JSON_OBJECT || i >= obj->count) return NULL;
    const ws_json_value *m = obj->items[i];
    if (key) *key = m->key;
    if (keylen) *keylen = m->keylen;
    return m;
}

size_t ws_json_array_len(const ws_json_value *arr)
{
    return arr && arr->type == WS_JSON_ARRAY ? arr->count : 0;
}

const ws_json_value *ws_json_array_at(const ws_json_value *arr, size_t i)
{
    if (!arr || arr->type != WS_JSON_ARRAY || i >= arr->count) return NULL;
    return arr->items[i];
}

bool ws_json_string(const ws_json_value *v, const char **s, size_t *len)
{
    if (!v || v->type != WS_JSON_STRING) return false;
    if (s) *s = v->str;
    if (len) *len = v->len;
    return true;
}

const char *ws_json_cstr(const ws_json_value *v)
{
    return v && v->type == WS_JSON_STRING ? v->str : NULL;
}

bool ws_json_number(const ws_json_value *v, double *out)
{
    if (!v || v->type != WS_JSON_NUMBER) return false;
    if (out) *out = v->num;
    return true;
}

bool ws_json_int64(const ws_json_value *v, int64_t *out)
{
    if (!v || v->type != WS_JSON_NUMBER || !v->has_int) return false;
    if (out) *out = v->i;
    return true;
}

bool ws_json_bool(const ws_json_value *v, bool *out)
{
    if (!v || v->type != WS_JSON_BOOL) return false;
    if (out) *out = v->b;
    return true;
}

bool ws_json_is_null(const ws_json_value *v)
{
    return v && v->type == WS_JSON_NULL;
}
