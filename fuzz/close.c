/*
 * Fuzz target: the close-payload parser (ws_close_parse, RFC 6455 §5.5.1,
 * §7.4) and its inverse ws_close_build.
 *
 * Input: the close frame payload itself (any length, so the 125-octet
 * control-frame limit is exercised too). Checked against a reference written
 * here from the RFC:
 *  - the verdict: empty payload valid with no code; one octet invalid; code
 *    must be 1000-1003, 1007-1014 (the §11.7 registry minus the MUST-NOT-send
 *    1005/1006/1015 and reserved 1004) or 3000-4999; the reason must be UTF-8
 *    (checked with a simple decoder here); at most 125 octets in all;
 *  - the decoded fields (code in network order, reason = payload + 2);
 *  - build(parse(p)) == p for every payload with a code.
 * ws_close_code_valid is compared with the reference for all 65536 codes once.
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/close.h"

static bool ref_code(unsigned c)
{
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/* Plain UTF-8 decoder (RFC 3629 §4): decode, then reject overlong forms,
 * surrogates and values above U+10FFFF. */
static bool ref_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t b = s[i], cp, min;
        size_t len;
        if (b < 0x80)
            len = 1, cp = b, min = 0;
        else if ((b & 0xe0) == 0xc0)
            len = 2, cp = b & 0x1f, min = 0x80;
        else if ((b & 0xf0) == 0xe0)
            len = 3, cp = b & 0x0f, min = 0x800;
        else if ((b & 0xf8) == 0xf0)
            len = 4, cp = b & 0x07, min = 0x10000;
        else
            return false;
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool codes_checked;
    if (!codes_checked) {
        for (unsigned c = 0; c <= 0xffff; c++)
            FZ_CHECK(ws_close_code_valid((uint16_t)c) == ref_code(c));
        codes_checked = true;
    }
    ws_close_info info;
    ws_err e = ws_close_parse(data, size, &info);
    unsigned code = size >= 2 ? (unsigned)data[0] << 8 | data[1] : 0;
    bool valid =
        size == 0 || (size >= 2 && size <= 125 && ref_code(code) && ref_utf8(data + 2, size - 2));
    FZ_CHECK((e == WS_OK) == valid);
    if (size > 125)
        FZ_CHECK(e == WS_ERR_CONTROL_TOO_LONG);
    else if (size == 1)
        FZ_CHECK(e == WS_ERR_CLOSE_PAYLOAD_1_BYTE);
    else if (size >= 2 && !ref_code(code))
        FZ_CHECK(e == WS_ERR_CLOSE_CODE_INVALID);
    else if (!valid)
        FZ_CHECK(e == WS_ERR_CLOSE_REASON_UTF8);
    FZ_CHECK(info.has_code == (size >= 2));
    if (size < 2) {
        FZ_CHECK(info.code == 0 && info.reason_len == 0);
        return 0;
    }
    FZ_CHECK(info.code == code && info.reason == data + 2 && info.reason_len == size - 2);
    uint8_t *out = malloc(size);
    FZ_CHECK(out != NULL);
    FZ_CHECK(ws_close_build(info.code, info.reason, info.reason_len, out) == size);
    FZ_CHECK(memcmp(out, data, size) == 0);
    free(out);
    return 0;
}
