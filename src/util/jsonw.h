/*
 * ws_jsonw: a JSON writer into a growable buffer, plus an atomic file writer.
 *
 * Internal module. No call ever aborts or prints: allocation failure sets
 * buf.oom and misuse (value without a key inside an object, unbalanced
 * end_*, nesting deeper than WS_JSONW_MAX_DEPTH) sets the misuse flag; both
 * turn every later call into a no-op and are reported by ws_jsonw_finish().
 *
 * Output is always valid JSON and valid UTF-8:
 *  - strings escape '"' and '\\'; \b \f \n \r \t use their short escapes (as
 *    Python's json module does, so reports look like Autobahn's); the other
 *    control characters U+0000-U+001F are written as \u00XX;
 *  - any byte that is not part of a valid UTF-8 sequence (RFC 3629: stray
 *    continuation bytes, overlongs, surrogates, > U+10FFFF, truncated
 *    sequences) is written as \u00XX with XX = the byte value, i.e. it is
 *    read back as the Latin-1 character U+00XX. Valid UTF-8 round-trips
 *    byte for byte; invalid bytes do not (there is no lossless JSON form);
 *  - non-finite doubles are written as null.
 *
 * Layout: indent <= 0 is compact ({"a":1,"b":[1,2]}); indent > 0 puts each
 * member on its own line, indented by `indent` spaces per level, with ": "
 * after keys and "{}"/"[]" for empty containers (Python's json.dumps(indent=N)
 * with Python 3 separators). Keys are written in call order: to match
 * Autobahn's sort_keys=True, emit them sorted by memcmp (byte order of UTF-8
 * equals code point order).
 */
#ifndef WS_UTIL_JSONW_H
#define WS_UTIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_JSONW_MAX_DEPTH 64

/* Growable byte buffer. data is NUL-terminated whenever it is non-NULL. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    bool oom; /* sticky: an allocation failed, contents are incomplete */
} ws_jbuf;

void ws_jbuf_init(ws_jbuf *b);
void ws_jbuf_free(ws_jbuf *b);
void ws_jbuf_append(ws_jbuf *b, const void *data, size_t len);

typedef struct {
    ws_jbuf buf;
    int indent;
    int depth;
    bool misuse;    /* sticky: API used out of order */
    bool after_key; /* a key was written, its value is due */
    bool done;      /* a complete top-level value was written */
    /* per open container: 'o' or 'a', and whether it has members */
    char kind[WS_JSONW_MAX_DEPTH];
    bool nonempty[WS_JSONW_MAX_DEPTH];
} ws_jsonw;

void ws_jsonw_init(ws_jsonw *w, int indent);
void ws_jsonw_free(ws_jsonw *w);

void ws_jsonw_begin_object(ws_jsonw *w);
void ws_jsonw_end_object(ws_jsonw *w);
void ws_jsonw_begin_array(ws_jsonw *w);
void ws_jsonw_end_array(ws_jsonw *w);

/* Member key (inside an object, before each value). */
void ws_jsonw_key(ws_jsonw *w, const char *key);
void ws_jsonw_keyn(ws_jsonw *w, const char *key, size_t len);

void ws_jsonw_string(ws_jsonw *w, const char *s); /* NULL writes null */
void ws_jsonw_stringn(ws_jsonw *w, const char *s, size_t len);
/*
 * At most `max` bytes of s; if len > max, the longest prefix of at most `max`
 * bytes that ends on a UTF-8 sequence boundary is written, followed by
 * " \u2026" (" …"; the suffix is not counted in max).
 */
void ws_jsonw_string_max(ws_jsonw *w, const char *s, size_t len, size_t max);
void ws_jsonw_int64(ws_jsonw *w, int64_t v);
void ws_jsonw_uint64(ws_jsonw *w, uint64_t v);
void ws_jsonw_double(ws_jsonw *w, double v); /* shortest round-trip form */
void ws_jsonw_bool(ws_jsonw *w, bool v);
void ws_jsonw_null(ws_jsonw *w);

/*
 * Check the document is complete (one value, all containers closed, no OOM,
 * no misuse). On success returns true and, if non-NULL, stores the text
 * (NUL-terminated, still owned by w; a trailing '\n' is added when indent > 0).
 * On failure writes a one-line reason into err.
 */
bool ws_jsonw_finish(ws_jsonw *w, const char **data, size_t *len, char *err, size_t errcap);

/*
 * Write data to "<path>.tmp", fsync it, then rename() it over path, so that
 * readers see either the old file or the complete new one. Returns 0, or -1
 * with "<file>: <operation>: <strerror>" in err (the temp file is removed).
 */
int ws_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errcap);

/* Write a value parsed by the JSON reader (util/json.h) again, compactly:
 * integral numbers as integers. The reader bounds the depth. */
struct ws_json_value;
void ws_jsonw_value(ws_jsonw *w, const struct ws_json_value *v);

#endif
