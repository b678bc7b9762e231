/*
 * ws_jsonw: JSON writer and atomic file writer. See jsonw.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r */
#endif

#include "util/json.h"
#include "util/jsonw.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------------- buffer */

void ws_jbuf_init(ws_jbuf *b)
{
    memset(b, 0, sizeof(*b));
}

void ws_jbuf_free(ws_jbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void ws_jbuf_append(ws_jbuf *b, const void *data, size_t len)
{
    if (b->oom)
        return;
    if (len >= SIZE_MAX - b->len) {
        b->oom = true;
        return;
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1) {
            if (cap > SIZE_MAX / 2) {
                cap = b->len + len + 1;
                break;
            }
            cap *= 2;
        }
        char *nd = realloc(b->data, cap);
        if (!nd) {
            b->oom = true;
            return;
        }
        b->data = nd;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

static void ws_jbuf_puts(ws_jbuf *b, const char *s)
{
    ws_jbuf_append(b, s, strlen(s));
}

/* ----------------------------------------------------------------- writer */

void ws_jsonw_init(ws_jsonw *w, int indent)
{
    memset(w, 0, sizeof(*w));
    ws_jbuf_init(&w->buf);
    w->indent = indent > 0 ? indent : 0;
}

void ws_jsonw_free(ws_jsonw *w)
{
    ws_jbuf_free(&w->buf);
}

static bool ws_jsonw_ok(const ws_jsonw *w)
{
    return !w->misuse && !w->buf.oom;
}

static void ws_jsonw_newline(ws_jsonw *w, int level)
{
    if (w->indent <= 0)
        return;
    ws_jbuf_append(&w->buf, "\n", 1);
    static const char spaces[] = "                                ";
    size_t n = (size_t)w->indent * (size_t)level;
    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        ws_jbuf_append(&w->buf, spaces, k);
        n -= k;
    }
}

/* Separator and layout before a value; false if the value must not be written. */
static bool ws_jsonw_pre_value(ws_jsonw *w)
{
    if (!ws_jsonw_ok(w))
        return false;
    if (w->depth == 0) {
        if (w->done)
            w->misuse = true;
        return !w->misuse;
    }
    int top = w->depth - 1;
    if (w->kind[top] == 'o') {
        if (!w->after_key)
            w->misuse = true;
        w->after_key = false;
        return !w->misuse;
    }
    if (w->nonempty[top])
        ws_jbuf_append(&w->buf, ",", 1);
    ws_jsonw_newline(w, w->depth);
    w->nonempty[top] = true;
    return true;
}

static void ws_jsonw_post_value(ws_jsonw *w)
{
    if (w->depth == 0)
        w->done = true;
}

static void ws_jsonw_begin(ws_jsonw *w, char kind)
{
    if (!ws_jsonw_pre_value(w))
        return;
    if (w->depth >= WS_JSONW_MAX_DEPTH) {
        w->misuse = true;
        return;
    }
    w->kind[w->depth] = kind;
    w->nonempty[w->depth] = false;
    w->depth++;
    ws_jbuf_append(&w->buf, kind == 'o' ? "{" : "[", 1);
}

static void ws_jsonw_end(ws_jsonw *w, char kind)
{
    if (!ws_jsonw_ok(w))
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->after_key) {
        w->misuse = true;
        return;
    }
    w->depth--;
    if (w->nonempty[w->depth])
        ws_jsonw_newline(w, w->depth);
    ws_jbuf_append(&w->buf, kind == 'o' ? "}" : "]", 1);
    ws_jsonw_post_value(w);
}

void ws_jsonw_begin_object(ws_jsonw *w)
{
    ws_jsonw_begin(w, 'o');
}

void ws_jsonw_end_object(ws_jsonw *w)
{
    ws_jsonw_end(w, 'o');
}

void ws_jsonw_begin_array(ws_jsonw *w)
{
    ws_jsonw_begin(w, 'a');
}

void ws_jsonw_end_array(ws_jsonw *w)
{
    ws_jsonw_end(w, 'a');
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid/truncated. */
static size_t ws_jsonw_utf8_len(const unsigned char *p, size_t avail)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Quoted, escaped string body; `suffix` (valid UTF-8) is appended verbatim. */
static void ws_jsonw_quoted(ws_jbuf *b, const char *s, size_t len, const char *suffix)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0, i = 0;
    ws_jbuf_append(b, "\"", 1);
    while (i < len) {
        unsigned c = p[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t n;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        if (c >= 0x80 && (n = ws_jsonw_utf8_len(p + i, len - i)) != 0) {
            i += n;
            run += n;
            continue;
        }
        ws_jbuf_append(b, p + i - run, run);
        run = 0;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default: /* other control character, or a byte of invalid UTF-8 */
            ubuf[0] = '\\';
            ubuf[1] = 'u';
            ubuf[2] = '0';
            ubuf[3] = '0';
            ubuf[4] = hex[c >> 4];
            ubuf[5] = hex[c & 15];
            ubuf[6] = 0;
            esc = ubuf;
        }
        ws_jbuf_puts(b, esc);
        i++;
    }
    ws_jbuf_append(b, p + i - run, run);
    if (suffix)
        ws_jbuf_puts(b, suffix);
    ws_jbuf_append(b, "\"", 1);
}

void ws_jsonw_keyn(ws_jsonw *w, const char *key, size_t len)
{
    if (!ws_jsonw_ok(w))
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != 'o' || w->after_key || !key) {
        w->misuse = true;
        return;
    }
    int top = w->depth - 1;
    if (w->nonempty[top])
        ws_jbuf_append(&w->buf, ",", 1);
    ws_jsonw_newline(w, w->depth);
    w->nonempty[top] = true;
    ws_jsonw_quoted(&w->buf, key, len, NULL);
    ws_jbuf_puts(&w->buf, w->indent > 0 ? ": " : ":");
    w->after_key = true;
}

void ws_jsonw_key(ws_jsonw *w, const char *key)
{
    ws_jsonw_keyn(w, key, key ? strlen(key) : 0);
}

void ws_jsonw_stringn(ws_jsonw *w, const char *s, size_t len)
{
    if (!s && len) {
        w->misuse = true;
        return;
    }
    if (!ws_jsonw_pre_value(w))
        return;
    ws_jsonw_quoted(&w->buf, s ? s : "", len, NULL);
    ws_jsonw_post_value(w);
}

void ws_jsonw_string(ws_jsonw *w, const char *s)
{
    if (!s) {
        ws_jsonw_null(w);
        return;
    }
    ws_jsonw_stringn(w, s, strlen(s));
}

void ws_jsonw_string_max(ws_jsonw *w, const char *s, size_t len, size_t max)
{
    if (len <= max) {
        ws_jsonw_stringn(w, s, len);
        return;
    }
    /* Longest prefix <= max that does not split a valid UTF-8 sequence. */
    const unsigned char *p = (const unsigned char *)s;
    size_t cut = 0;
    while (cut < max) {
        size_t n = ws_jsonw_utf8_len(p + cut, len - cut);
        if (n == 0)
            n = 1; /* an invalid byte stands alone */
        if (cut + n > max)
            break;
        cut += n;
    }
    if (!ws_jsonw_pre_value(w))
        return;
    ws_jsonw_quoted(&w->buf, s, cut, " \xE2\x80\xA6");
    ws_jsonw_post_value(w);
}

static void ws_jsonw_raw(ws_jsonw *w, const char *text)
{
    if (!ws_jsonw_pre_value(w))
        return;
    ws_jbuf_puts(&w->buf, text);
    ws_jsonw_post_value(w);
}

void ws_jsonw_int64(ws_jsonw *w, int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    ws_jsonw_raw(w, tmp);
}

void ws_jsonw_uint64(ws_jsonw *w, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
    ws_jsonw_raw(w, tmp);
}

void ws_jsonw_double(ws_jsonw *w, double v)
{
    if (!isfinite(v)) {
        ws_jsonw_null(w);
        return;
    }
    char tmp[64], out[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break; /* same locale both ways */
    }
    /* Whatever the locale's decimal point is, JSON wants '.'. */
    size_t o = 0;
    bool in_point = false;
    for (const char *c = tmp; *c && o < sizeof(out) - 1; c++) {
        if ((*c >= '0' && *c <= '9') || *c == '-' || *c == '+' || *c == 'e' || *c == 'E') {
            out[o++] = *c;
            in_point = false;
        } else if (!in_point) {
            out[o++] = '.';
            in_point = true;
        }
    }
    out[o] = 0;
    ws_jsonw_raw(w, out);
}

void ws_jsonw_bool(ws_jsonw *w, bool v)
{
    ws_jsonw_raw(w, v ? "true" : "false");
}

void ws_jsonw_null(ws_jsonw *w)
{
    ws_jsonw_raw(w, "null");
}

static void ws_jsonw_set_err(char *err, size_t errcap, const char *msg)
{
    if (err && errcap)
        snprintf(err, errcap, "%s", msg);
}

bool ws_jsonw_finish(ws_jsonw *w, const char **data, size_t *len, char *err, size_t errcap)
{
    if (w->buf.oom) {
        ws_jsonw_set_err(err, errcap, "JSON writer: out of memory");
        return false;
    }
    if (w->misuse) {
        ws_jsonw_set_err(err, errcap, "JSON writer: calls out of order (internal error)");
        return false;
    }
    if (!w->done || w->depth != 0) {
        ws_jsonw_set_err(err, errcap, "JSON writer: document is incomplete");
        return false;
    }
    if (w->indent > 0 && (w->buf.len == 0 || w->buf.data[w->buf.len - 1] != '\n')) {
        ws_jbuf_append(&w->buf, "\n", 1);
        if (w->buf.oom) {
            ws_jsonw_set_err(err, errcap, "JSON writer: out of memory");
            return false;
        }
    }
    if (data)
        *data = w->buf.data;
    if (len)
        *len = w->buf.len;
    return true;
}

/* ------------------------------------------------------------ atomic file */

static const char *ws_jsonw_strerror(int e, char *buf, size_t cap)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, cap);
#else
    return strerror_r(e, buf, cap) == 0 ? buf : "unknown error";
#endif
}

static int ws_jsonw_sys_err(char *err, size_t errcap, const char *file, const char *op, int e)
{
    char tmp[128];
    if (err && errcap)
        snprintf(err, errcap, "%s: %s: %s", file, op, ws_jsonw_strerror(e, tmp, sizeof(tmp)));
    return -1;
}

int ws_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errcap)
{
    if (!path || !*path || (!data && len)) {
        ws_jsonw_set_err(err, errcap, "write_file_atomic: invalid arguments");
        return -1;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        ws_jsonw_set_err(err, errcap, "out of memory");
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ws_jsonw_sys_err(err, errcap, tmp, "open", errno);
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = ws_jsonw_sys_err(err, errcap, tmp, "write", errno);
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = ws_jsonw_sys_err(err, errcap, tmp, "fsync", errno);
    if (close(fd) != 0 && rc == 0)
        rc = ws_jsonw_sys_err(err, errcap, tmp, "close", errno);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ws_jsonw_sys_err(err, errcap, path, "rename", errno);
    if (rc != 0) {
        unlink(tmp);
    } else {
        /* Best effort: make the rename itself durable. */
        const char *slash = strrchr(path, '/');
        char *dir = tmp; /* reuse: plen + 5 bytes is enough */
        if (slash) {
            size_t dl = slash == path ? 1 : (size_t)(slash - path);
            memcpy(dir, path, dl);
            dir[dl] = 0;
        } else {
            memcpy(dir, ".", 2);
        }
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    return rc;
}

void ws_jsonw_value(ws_jsonw *w, const ws_json_value *v)
{
    const char *s;
    size_t len;
    double d;
    int64_t i;
    bool b;
    switch (ws_json_type_of(v)) {
    case WS_JSON_OBJECT:
        ws_jsonw_begin_object(w);
        for (size_t k = 0; k < ws_json_object_size(v); k++) {
            const ws_json_value *m = ws_json_object_at(v, k, &s, &len);
            ws_jsonw_keyn(w, s, len);
            ws_jsonw_value(w, m);
        }
        ws_jsonw_end_object(w);
        break;
    case WS_JSON_ARRAY:
        ws_jsonw_begin_array(w);
        for (size_t k = 0; k < ws_json_array_len(v); k++)
            ws_jsonw_value(w, ws_json_array_at(v, k));
        ws_jsonw_end_array(w);
        break;
    case WS_JSON_STRING:
        ws_json_string(v, &s, &len);
        ws_jsonw_stringn(w, s, len);
        break;
    case WS_JSON_NUMBER:
        if (ws_json_int64(v, &i) && ws_json_number(v, &d) && (double)i == d)
            ws_jsonw_int64(w, i);
        else if (ws_json_number(v, &d))
            ws_jsonw_double(w, d);
        break;
    case WS_JSON_BOOL:
        ws_json_bool(v, &b);
        ws_jsonw_bool(w, b);
        break;
    case WS_JSON_NULL:
    case WS_JSON_MISSING:
        ws_jsonw_null(w);
        break;
    }
}
