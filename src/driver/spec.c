/*
 * Autobahn spec readers (fuzzingclient.json, fuzzingserver.json). See spec.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r */
#endif

#include "driver/spec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/pattern.h"
#include "util/json.h"
#include "util/jsonw.h"

#define WS_SPEC_PATH_MAX 160

typedef struct {
    const char *name;
    char *err;
    size_t errcap;
} ws_spec_ctx;

typedef struct {
    char ***items;
    size_t *n;
} ws_spec_strv;

/* "name: path: message". Always returns false. */
static bool ws_spec_fail(const ws_spec_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool ws_spec_fail(const ws_spec_ctx *c, const char *path, const char *fmt, ...)
{
    if (!c->err || c->errcap == 0)
        return false;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (path && *path)
        snprintf(c->err, c->errcap, "%s: %s: %s", c->name, path, msg);
    else
        snprintf(c->err, c->errcap, "%s: %s", c->name, msg);
    return false;
}

static void ws_spec_path(char *out, const char *parent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ws_spec_path(char *out, const char *parent, const char *fmt, ...)
{
    char tail[WS_SPEC_PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof(tail), fmt, ap);
    va_end(ap);
    snprintf(out, WS_SPEC_PATH_MAX, "%s%s", parent, tail);
}

/* A key or agent name made safe for a message: no control chars, bounded. */
static void ws_spec_sanitize(char *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0, i = 0;
    for (; i < len && o + 4 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[o++] = (ch < 0x20 || ch == 0x7F || ch == '"') ? '?' : (char)ch;
    }
    if (i < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

static void ws_spec_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool ws_spec_dup(const ws_spec_ctx *c, const char *path, const char *s, size_t len,
                        char **out)
{
    *out = malloc(len + 1);
    if (!*out)
        return ws_spec_fail(c, path, "out of memory");
    memcpy(*out, s, len);
    (*out)[len] = 0;
    return true;
}

/* A string without NUL; `nonempty` rejects "". */
static bool ws_spec_string(const ws_spec_ctx *c, const char *path, const ws_json_value *v,
                           bool nonempty, char **out)
{
    const char *s;
    size_t len;
    if (!ws_json_string(v, &s, &len))
        return ws_spec_fail(c, path, "expected a string, got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    if (memchr(s, 0, len))
        return ws_spec_fail(c, path, "string contains a NUL character");
    if (nonempty && len == 0)
        return ws_spec_fail(c, path, "must not be empty");
    return ws_spec_dup(c, path, s, len, out);
}

static bool ws_spec_url(const ws_spec_ctx *c, const char *path, const ws_json_value *v, char **out)
{
    if (!ws_spec_string(c, path, v, true, out))
        return false;
    if (strncmp(*out, "ws://", 5) != 0 && strncmp(*out, "wss://", 6) != 0)
        return ws_spec_fail(c, path, "expected a ws:// or wss:// URL");
    return true;
}

static bool ws_spec_is_tchar(unsigned char ch)
{
    if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
        return true;
    return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

typedef enum { WS_SPEC_ANY, WS_SPEC_PATTERN, WS_SPEC_TOKEN } ws_spec_elem_kind;

/* An array of strings into a new char* array. */
static bool ws_spec_string_array(const ws_spec_ctx *c, const char *path, const ws_json_value *v,
                                 ws_spec_elem_kind kind, char ***items, size_t *n)
{
    if (ws_json_type_of(v) != WS_JSON_ARRAY)
        return ws_spec_fail(c, path, "expected an array of strings, got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    size_t len = ws_json_array_len(v);
    *items = calloc(len ? len : 1, sizeof(**items));
    if (!*items)
        return ws_spec_fail(c, path, "out of memory");
    for (size_t i = 0; i < len; i++) {
        char ep[WS_SPEC_PATH_MAX];
        ws_spec_path(ep, path, "[%zu]", i);
        char *s;
        if (!ws_spec_string(c, ep, ws_json_array_at(v, i), kind != WS_SPEC_ANY, &s))
            return false;
        (*items)[(*n)++] = s;
        if (kind == WS_SPEC_PATTERN) {
            char why[200];
            if (!ws_pattern_valid(s, why, sizeof(why)))
                return ws_spec_fail(c, ep, "%s", why);
        } else if (kind == WS_SPEC_TOKEN) {
            for (const char *p = s; *p; p++)
                if (!ws_spec_is_tchar((unsigned char)*p))
                    return ws_spec_fail(c, ep, "subprotocol is not a valid HTTP token");
        }
    }
    return true;
}

static bool ws_spec_timeout(const ws_spec_ctx *c, const char *path, const ws_json_value *v,
                            bool *has, double *out)
{
    double d;
    if (!ws_json_number(v, &d))
        return ws_spec_fail(c, path, "expected a number (seconds), got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    if (!(d >= 0) || !isfinite(d))
        return ws_spec_fail(c, path, "must be >= 0");
    *has = true;
    *out = d;
    return true;
}

static bool ws_spec_options_parse(const ws_spec_ctx *c, const char *path, const ws_json_value *v,
                                  ws_spec_options *o)
{
    if (ws_json_type_of(v) != WS_JSON_OBJECT)
        return ws_spec_fail(c, path, "expected an object, got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    size_t n = ws_json_object_size(v);
    o->items = calloc(n ? n : 1, sizeof(*o->items));
    if (!o->items)
        return ws_spec_fail(c, path, "out of memory");
    for (size_t k = 0; k < n; k++) {
        const char *key;
        size_t keylen;
        const ws_json_value *m = ws_json_object_at(v, k, &key, &keylen);
        char kp[WS_SPEC_PATH_MAX], safe[64];
        ws_spec_sanitize(safe, sizeof(safe), key, keylen);
        ws_spec_path(kp, path, ".%s", safe);
        if (memchr(key, 0, keylen))
            return ws_spec_fail(c, kp, "key contains a NUL character");
        ws_spec_option *opt = &o->items[o->n];
        if (!ws_spec_dup(c, kp, key, keylen, &opt->key))
            return false;
        o->n++;
        ws_jsonw w;
        ws_jsonw_init(&w, 0);
        ws_jsonw_value(&w, m);
        const char *text;
        size_t tlen;
        bool ok = ws_jsonw_finish(&w, &text, &tlen, NULL, 0) &&
                  ws_spec_dup(c, kp, text, tlen, &opt->json);
        ws_jsonw_free(&w);
        if (!ok)
            return opt->json ? false : ws_spec_fail(c, kp, "out of memory");
        if (strcmp(opt->key, "failByDrop") == 0) {
            if (!ws_json_bool(m, &o->fail_by_drop))
                return ws_spec_fail(c, kp, "expected a boolean, got %s",
                                    ws_json_type_name(ws_json_type_of(m)));
            o->has_fail_by_drop = true;
        } else if (strcmp(opt->key, "openHandshakeTimeout") == 0) {
            if (!ws_spec_timeout(c, kp, m, &o->has_open_handshake_timeout,
                                 &o->open_handshake_timeout))
                return false;
        } else if (strcmp(opt->key, "closeHandshakeTimeout") == 0) {
            if (!ws_spec_timeout(c, kp, m, &o->has_close_handshake_timeout,
                                 &o->close_handshake_timeout))
                return false;
        } else if (strcmp(opt->key, "compressionLevel") == 0) {
            double d;
            if (!ws_json_number(m, &d))
                return ws_spec_fail(c, kp, "expected a zlib level (0 to 9), got %s",
                                    ws_json_type_name(ws_json_type_of(m)));
            if (!(d >= 0 && d <= 9) || d != (int)d)
                return ws_spec_fail(c, kp, "must be a whole number from 0 to 9");
            o->has_compression_level = true;
            o->compression_level = (int)d;
        } else if (strcmp(opt->key, "serverConnectionDropTimeout") == 0) {
            if (!ws_spec_timeout(c, kp, m, &o->has_server_connection_drop_timeout,
                                 &o->server_connection_drop_timeout))
                return false;
        }
    }
    return true;
}

static void ws_spec_options_free(ws_spec_options *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->items[i].key);
        free(o->items[i].json);
    }
    free(o->items);
    memset(o, 0, sizeof(*o));
}

const char *ws_spec_option_json(const ws_spec_options *opts, const char *key)
{
    if (!opts || !key)
        return NULL;
    for (size_t i = opts->n; i-- > 0;)
        if (strcmp(opts->items[i].key, key) == 0)
            return opts->items[i].json;
    return NULL;
}

static bool ws_spec_agent_cases_parse(const ws_spec_ctx *c, const ws_json_value *v,
                                      ws_spec_agent_cases **out, size_t *n)
{
    const char *path = "exclude-agent-cases";
    if (ws_json_type_of(v) != WS_JSON_OBJECT)
        return ws_spec_fail(c, path, "expected an object {agent: [case patterns]}, got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    size_t count = ws_json_object_size(v);
    *out = calloc(count ? count : 1, sizeof(**out));
    if (!*out)
        return ws_spec_fail(c, path, "out of memory");
    for (size_t k = 0; k < count; k++) {
        const char *key;
        size_t keylen;
        const ws_json_value *m = ws_json_object_at(v, k, &key, &keylen);
        char kp[WS_SPEC_PATH_MAX], safe[64];
        ws_spec_sanitize(safe, sizeof(safe), key, keylen);
        ws_spec_path(kp, path, "[\"%s\"]", safe);
        if (keylen == 0)
            return ws_spec_fail(c, kp, "agent pattern must not be empty");
        if (memchr(key, 0, keylen))
            return ws_spec_fail(c, kp, "key contains a NUL character");
        ws_spec_agent_cases *ac = &(*out)[*n];
        if (!ws_spec_dup(c, kp, key, keylen, &ac->agent))
            return false;
        (*n)++;
        if (!ws_spec_string_array(c, kp, m, WS_SPEC_PATTERN, &ac->cases, &ac->n_cases))
            return false;
    }
    return true;
}

static void ws_spec_agent_cases_free(ws_spec_agent_cases *ac, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ac[i].agent);
        ws_spec_free_strv(ac[i].cases, ac[i].n_cases);
    }
    free(ac);
}

/* The keys both spec kinds share. */
typedef struct {
    char **outdir;
    ws_spec_options *options;
    char ***cases;
    size_t *n_cases;
    char ***exclude_cases;
    size_t *n_exclude_cases;
    ws_spec_agent_cases **agent_cases;
    size_t *n_agent_cases;
} ws_spec_common;

static bool ws_spec_common_parse(const ws_spec_ctx *c, const ws_json_value *root,
                                 const char *default_outdir, const ws_spec_common *o)
{
    const ws_json_value *v;
    if ((v = ws_json_object_get(root, "outdir"))) {
        if (!ws_spec_string(c, "outdir", v, true, o->outdir))
            return false;
    } else if (!ws_spec_dup(c, "outdir", default_outdir, strlen(default_outdir), o->outdir)) {
        return false;
    }
    if ((v = ws_json_object_get(root, "options")) &&
        !ws_spec_options_parse(c, "options", v, o->options))
        return false;
    if (!(v = ws_json_object_get(root, "cases")))
        return ws_spec_fail(c, "cases", "missing (required): an array of case patterns");
    if (!ws_spec_string_array(c, "cases", v, WS_SPEC_PATTERN, o->cases, o->n_cases))
        return false;
    if ((v = ws_json_object_get(root, "exclude-cases")) &&
        !ws_spec_string_array(c, "exclude-cases", v, WS_SPEC_PATTERN, o->exclude_cases,
                              o->n_exclude_cases))
        return false;
    if ((v = ws_json_object_get(root, "exclude-agent-cases")) &&
        !ws_spec_agent_cases_parse(c, v, o->agent_cases, o->n_agent_cases))
        return false;
    return true;
}

static ws_json_doc *ws_spec_parse_root(const ws_spec_ctx *c, const char *text, size_t len)
{
    char jerr[200];
    ws_json_doc *doc = ws_json_parse(text, len, jerr, sizeof(jerr));
    if (!doc) {
        ws_spec_fail(c, NULL, "%s", jerr);
        return NULL;
    }
    if (ws_json_type_of(ws_json_root(doc)) != WS_JSON_OBJECT) {
        ws_spec_fail(c, NULL, "top level: expected an object, got %s",
                     ws_json_type_name(ws_json_type_of(ws_json_root(doc))));
        ws_json_free(doc);
        return NULL;
    }
    return doc;
}

static bool ws_spec_server_parse(const ws_spec_ctx *c, const char *path, const ws_json_value *v,
                                 ws_spec_server *s)
{
    char kp[WS_SPEC_PATH_MAX];
    const ws_json_value *m;
    if (ws_json_type_of(v) != WS_JSON_OBJECT)
        return ws_spec_fail(c, path, "expected an object, got %s",
                            ws_json_type_name(ws_json_type_of(v)));
    ws_spec_path(kp, path, ".url");
    if (!(m = ws_json_object_get(v, "url")))
        return ws_spec_fail(c, kp, "missing (required)");
    if (!ws_spec_url(c, kp, m, &s->url))
        return false;
    static const char *const keys[] = {"agent", "hostname", "origin"};
    char **dst[] = {&s->agent, &s->hostname, &s->origin};
    for (int k = 0; k < 3; k++) {
        ws_spec_path(kp, path, ".%s", keys[k]);
        if ((m = ws_json_object_get(v, keys[k])) && !ws_spec_string(c, kp, m, true, dst[k]))
            return false;
    }
    ws_spec_path(kp, path, ".protocols");
    if ((m = ws_json_object_get(v, "protocols")) &&
        !ws_spec_string_array(c, kp, m, WS_SPEC_TOKEN, &s->protocols, &s->n_protocols))
        return false;
    ws_spec_path(kp, path, ".options");
    if ((m = ws_json_object_get(v, "options")) && !ws_spec_options_parse(c, kp, m, &s->options))
        return false;
    return true;
}

static void ws_spec_set_err(char *err, size_t errcap, const char *msg)
{
    if (err && errcap)
        snprintf(err, errcap, "%s", msg);
}

int ws_spec_parse(const char *name, const char *text, size_t len, ws_spec *out, char *err,
                  size_t errcap)
{
    memset(out, 0, sizeof(*out));
    ws_spec_set_err(err, errcap, "");
    ws_spec_ctx c = {name ? name : "spec", err, errcap};
    ws_json_doc *doc = ws_spec_parse_root(&c, text, len);
    if (!doc)
        return -1;
    const ws_json_value *root = ws_json_root(doc), *v;
    bool ok = true;
    if (!(v = ws_json_object_get(root, "servers"))) {
        ok = ws_spec_fail(&c, "servers", "missing (required): an array of {\"url\": ...}");
    } else if (ws_json_type_of(v) != WS_JSON_ARRAY) {
        ok = ws_spec_fail(&c, "servers", "expected an array, got %s",
                          ws_json_type_name(ws_json_type_of(v)));
    } else {
        size_t n = ws_json_array_len(v);
        out->servers = calloc(n ? n : 1, sizeof(*out->servers));
        if (!out->servers)
            ok = ws_spec_fail(&c, "servers", "out of memory");
        for (size_t i = 0; ok && i < n; i++) {
            char sp[WS_SPEC_PATH_MAX];
            ws_spec_path(sp, "servers", "[%zu]", i);
            out->n_servers++;
            ok = ws_spec_server_parse(&c, sp, ws_json_array_at(v, i), &out->servers[i]);
        }
    }
    ws_spec_common common = {&out->outdir,
                             &out->options,
                             &out->cases,
                             &out->n_cases,
                             &out->exclude_cases,
                             &out->n_exclude_cases,
                             &out->exclude_agent_cases,
                             &out->n_exclude_agent_cases};
    ok = ok && ws_spec_common_parse(&c, root, WS_SPEC_DEFAULT_OUTDIR_SERVERS, &common);
    ws_json_free(doc);
    if (!ok) {
        ws_spec_free(out);
        return -1;
    }
    return 0;
}

int ws_spec_parse_server(const char *name, const char *text, size_t len, ws_spec_fuzzingserver *out,
                         char *err, size_t errcap)
{
    memset(out, 0, sizeof(*out));
    ws_spec_set_err(err, errcap, "");
    ws_spec_ctx c = {name ? name : "spec", err, errcap};
    ws_json_doc *doc = ws_spec_parse_root(&c, text, len);
    if (!doc)
        return -1;
    const ws_json_value *root = ws_json_root(doc), *v;
    bool ok = true;
    if (!(v = ws_json_object_get(root, "url")))
        ok = ws_spec_fail(&c, "url", "missing (required): the listen URL");
    else
        ok = ws_spec_url(&c, "url", v, &out->url);
    if (ok && (v = ws_json_object_get(root, "key")))
        ok = ws_spec_string(&c, "key", v, true, &out->key);
    if (ok && (v = ws_json_object_get(root, "cert")))
        ok = ws_spec_string(&c, "cert", v, true, &out->cert);
    if (ok && (v = ws_json_object_get(root, "protocols")))
        ok = ws_spec_string_array(&c, "protocols", v, WS_SPEC_TOKEN, &out->protocols,
                                  &out->n_protocols);
    ws_spec_common common = {&out->outdir,
                             &out->options,
                             &out->cases,
                             &out->n_cases,
                             &out->exclude_cases,
                             &out->n_exclude_cases,
                             &out->exclude_agent_cases,
                             &out->n_exclude_agent_cases};
    ok = ok && ws_spec_common_parse(&c, root, WS_SPEC_DEFAULT_OUTDIR_CLIENTS, &common);
    ws_json_free(doc);
    if (!ok) {
        ws_spec_fuzzingserver_free(out);
        return -1;
    }
    return 0;
}

static const char *ws_spec_strerror(int e, char *buf, size_t cap)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, cap);
#else
    return strerror_r(e, buf, cap) == 0 ? buf : "unknown error";
#endif
}

/* Read at most WS_SPEC_MAX_FILE bytes; *buf is NUL-terminated, free() it. */
static int ws_spec_read_file(const char *path, char **buf, size_t *len, char *err, size_t errcap)
{
    char ebuf[128];
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (err && errcap)
            snprintf(err, errcap, "%s: cannot open: %s", path,
                     ws_spec_strerror(e, ebuf, sizeof(ebuf)));
        return -1;
    }
    size_t cap = WS_SPEC_MAX_FILE + 1;
    char *data = malloc(cap + 1);
    if (!data) {
        fclose(f);
        ws_spec_set_err(err, errcap, "out of memory");
        return -1;
    }
    size_t n = fread(data, 1, cap, f);
    int rerr = ferror(f) ? errno : 0;
    fclose(f);
    if (rerr) {
        if (err && errcap)
            snprintf(err, errcap, "%s: read error: %s", path,
                     ws_spec_strerror(rerr, ebuf, sizeof(ebuf)));
        free(data);
        return -1;
    }
    if (n > WS_SPEC_MAX_FILE) {
        if (err && errcap)
            snprintf(err, errcap, "%s: file is larger than 1 MiB", path);
        free(data);
        return -1;
    }
    data[n] = 0;
    *buf = data;
    *len = n;
    return 0;
}

int ws_spec_load(const char *path, ws_spec *out, char *err, size_t errcap)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof(*out));
    if (ws_spec_read_file(path, &text, &len, err, errcap) != 0)
        return -1;
    int rc = ws_spec_parse(path, text, len, out, err, errcap);
    free(text);
    return rc;
}

int ws_spec_load_server(const char *path, ws_spec_fuzzingserver *out, char *err, size_t errcap)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof(*out));
    if (ws_spec_read_file(path, &text, &len, err, errcap) != 0)
        return -1;
    int rc = ws_spec_parse_server(path, text, len, out, err, errcap);
    free(text);
    return rc;
}

void ws_spec_free(ws_spec *spec)
{
    if (!spec)
        return;
    free(spec->outdir);
    ws_spec_options_free(&spec->options);
    for (size_t i = 0; i < spec->n_servers; i++) {
        ws_spec_server *s = &spec->servers[i];
        free(s->url);
        free(s->agent);
        free(s->hostname);
        free(s->origin);
        ws_spec_free_strv(s->protocols, s->n_protocols);
        ws_spec_options_free(&s->options);
    }
    free(spec->servers);
    ws_spec_free_strv(spec->cases, spec->n_cases);
    ws_spec_free_strv(spec->exclude_cases, spec->n_exclude_cases);
    ws_spec_agent_cases_free(spec->exclude_agent_cases, spec->n_exclude_agent_cases);
    memset(spec, 0, sizeof(*spec));
}

void ws_spec_fuzzingserver_free(ws_spec_fuzzingserver *spec)
{
    if (!spec)
        return;
    free(spec->url);
    free(spec->outdir);
    free(spec->key);
    free(spec->cert);
    ws_spec_free_strv(spec->protocols, spec->n_protocols);
    ws_spec_options_free(&spec->options);
    ws_spec_free_strv(spec->cases, spec->n_cases);
    ws_spec_free_strv(spec->exclude_cases, spec->n_exclude_cases);
    ws_spec_agent_cases_free(spec->exclude_agent_cases, spec->n_exclude_agent_cases);
    memset(spec, 0, sizeof(*spec));
}
