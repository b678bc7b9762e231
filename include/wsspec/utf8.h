/*
 * Incremental, fail-fast UTF-8 validation (RFC 3629, as RFC 6455 §8.1 requires
 * for text messages and close reasons).
 *
 * State carries across chunks and fragments. Validation fails at the first
 * octet after which the input can no longer become valid UTF-8: overlong
 * forms, surrogates U+D800-DFFF, code points above U+10FFFF, bad or missing
 * continuation octets. A sequence truncated at the end of the message is
 * reported by ws_utf8_finish().
 */
#ifndef WSSPEC_UTF8_H
#define WSSPEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

typedef struct {
    uint32_t state;        /* internal automaton state; 0 = between code points */
    uint64_t offset;       /* octets accepted so far */
    uint64_t error_offset; /* on failure: offset of the first offending octet */
    bool failed;
} ws_utf8;

void ws_utf8_init(ws_utf8 *v);

/*
 * Validate the next `len` octets. Returns WS_OK, or WS_ERR_UTF8_INVALID with
 * v->error_offset set to the absolute offset (from init) of the octet that
 * made the input invalid. After a failure every call fails the same way.
 */
ws_err ws_utf8_feed(ws_utf8 *v, const uint8_t *buf, size_t len);

/*
 * End of message: WS_OK if the input ended between code points, otherwise
 * WS_ERR_UTF8_INVALID with error_offset = total length (truncated sequence).
 */
ws_err ws_utf8_finish(ws_utf8 *v);

/* True if `len` octets at buf form complete, valid UTF-8. */
bool ws_utf8_is_valid(const uint8_t *buf, size_t len);

#endif
