/*
 * Case-ID patterns ("1.*", "6.4.*", "12.*.1") and case-ID ordering.
 *
 * Internal module. A pattern is a glob: '*' matches any run of characters
 * (including none and including dots); every other character is literal.
 *
 * Deliberate departure from Autobahn: patterns are anchored at BOTH ends, so
 * "12.*.1" matches "12.3.1" but not "12.1.10". Autobahn turns wildcard
 * patterns into regexes matched with Python's re.match, which anchors at the
 * start only ("12.*.1" also matches 12.1.10-12.1.18), while its literal
 * patterns and its exclude-agent-cases patterns are anchored at both ends.
 * To get Autobahn's prefix behaviour, append '*'.
 */
#ifndef WS_DRIVER_PATTERN_H
#define WS_DRIVER_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

/* Glob match, anchored at both ends. NULL pattern or id never matches. */
bool ws_pattern_match(const char *pattern, const char *id);

/* True if any of the n patterns matches id. */
bool ws_pattern_list_match(const char *const *patterns, size_t n, const char *id);

/*
 * True if pattern is a valid case pattern: non-empty, only [0-9A-Za-z.*_-].
 * Otherwise false with a one-line reason in err.
 */
bool ws_pattern_valid(const char *pattern, char *err, size_t errcap);

typedef struct {
    char **items; /* n owned, NUL-terminated patterns */
    size_t n;
} ws_pattern_list;

/*
 * Parse a comma-separated command-line list ("1.*,6.4.*"). Spaces and tabs
 * around each element are ignored; empty elements ("1.*,,2", a trailing
 * comma, an empty string) and characters outside [0-9A-Za-z.*_-] are errors.
 * Returns 0 and fills *out (free with ws_pattern_list_free), or -1 with a
 * one-line message in err and *out zeroed.
 */
int ws_pattern_list_parse(const char *text, ws_pattern_list *out, char *err, size_t errcap);
void ws_pattern_list_free(ws_pattern_list *list);

/*
 * Order case IDs numerically part by part: "2.9" < "2.10", "9.8.6" <
 * "10.1.1", "2.1" < "2.1.1". Parts are split at '.'; all-digit parts compare
 * as unbounded integers ("007" == "7", ties broken by strcmp so that the
 * order is total); an empty part sorts first, then numeric parts, then
 * non-numeric parts, which compare bytewise. Returns <0, 0 or >0 like strcmp.
 */
int ws_case_id_compare(const char *a, const char *b);

#endif
