/*
 * ws_json: a small, strict JSON reader (RFC 8259) for spec files and reports.
 *
 * Internal module. Hostile-input safe: every byte is bounds-checked, nesting
 * is limited to WS_JSON_MAX_DEPTH, and nothing is ever printed or aborted.
 *
 * Accepted grammar is exactly RFC 8259 with these choices:
 *  - the input must be valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 *    nothing above U+10FFFF); a single leading UTF-8 byte order mark is
 *    skipped (RFC 8259 §8.1 allows parsers to ignore it);
 *  - no comments, no trailing commas, no leading zeros, no NaN/Infinity,
 *    no single quotes, no raw control characters (U+0000-U+001F) in strings;
 *  - \uXXXX escapes must form valid code points: a high surrogate must be
 *    followed by an escaped low surrogate; unpaired surrogates are rejected;
 *    \u0000 is accepted and decodes to a NUL byte (strings carry a length);
 *  - numbers whose magnitude overflows a double (e.g. 1e400) are rejected
 *    ("number out of range"); underflow quietly becomes 0 or a subnormal;
 *  - duplicate object keys are accepted and kept in order; lookup by key
 *    returns the LAST one (as JavaScript and Python do);
 *  - nesting deeper than WS_JSON_MAX_DEPTH (64) arrays/objects is rejected.
 *
 * Errors are one line: "line L, column C: message". Lines are counted from 1
 * and split at '\n'; columns are counted from 1 in characters (UTF-8 code
 * points), so a tab or a multi-byte character counts as one column.
 *
 * Memory: every node and string lives in one arena owned by the document.
 * Worst case is about 60 bytes of memory per input byte (e.g. "[0,0,0,...]");
 * limiting the input size is the caller's job.
 */
#ifndef WS_UTIL_JSON_H
#define WS_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_JSON_MAX_DEPTH 64

/* Pass as len to ws_json_parse() for a NUL-terminated text. */
#define WS_JSON_NUL_TERMINATED ((size_t)-1)

typedef enum {
    WS_JSON_MISSING = 0, /* ws_json_type(NULL): absent key or index */
    WS_JSON_NULL,
    WS_JSON_BOOL,
    WS_JSON_NUMBER,
    WS_JSON_STRING,
    WS_JSON_ARRAY,
    WS_JSON_OBJECT,
} ws_json_type;

typedef struct ws_json_doc ws_json_doc;
typedef struct ws_json_value ws_json_value;

/*
 * Parse `len` bytes at `text` (or a NUL-terminated text if len is
 * WS_JSON_NUL_TERMINATED). Returns the document, or NULL with a one-line
 * message in err (if err/errcap allow; the message is always truncated to
 * fit and NUL-terminated).
 */
ws_json_doc *ws_json_parse(const char *text, size_t len, char *err, size_t errcap);
void ws_json_free(ws_json_doc *doc);

const ws_json_value *ws_json_root(const ws_json_doc *doc);

/* All accessors accept NULL and then return "missing"/0/false/NULL. */
ws_json_type ws_json_type_of(const ws_json_value *v);
/* "null", "a boolean", "a number", "a string", "an array", "an object", "missing" */
const char *ws_json_type_name(ws_json_type t);

/* Objects: members keep input order; lookup returns the last duplicate. */
const ws_json_value *ws_json_object_get(const ws_json_value *obj, const char *key);
const ws_json_value *ws_json_object_getn(const ws_json_value *obj, const char *key, size_t keylen);
size_t ws_json_object_size(const ws_json_value *obj);
/* i-th member: returns its value and stores its key (decoded, NUL-terminated). */
const ws_json_value *ws_json_object_at(const ws_json_value *obj, size_t i, const char **key,
                                       size_t *keylen);

/* Arrays. */
size_t ws_json_array_len(const ws_json_value *arr);
const ws_json_value *ws_json_array_at(const ws_json_value *arr, size_t i);

/*
 * Strings: decoded UTF-8, NUL-terminated, but may contain NUL bytes from
 * \u0000 (len is authoritative). Returns false if v is not a string.
 */
bool ws_json_string(const ws_json_value *v, const char **s, size_t *len);
/* The string, or NULL if v is not a string. */
const char *ws_json_cstr(const ws_json_value *v);

/* Numbers: the double value (always available for a number). */
bool ws_json_number(const ws_json_value *v, double *out);
/*
 * Integral view. True if the lexeme is a plain integer (no fraction, no
 * exponent) that fits int64 (converted exactly, from the digits), or if the
 * double value is integral with magnitude <= 2^53 (e.g. 1.0, 1e3).
 */
bool ws_json_int64(const ws_json_value *v, int64_t *out);

bool ws_json_bool(const ws_json_value *v, bool *out);
bool ws_json_is_null(const ws_json_value *v);

#endif
