/*
 * Unit tests for close payload parse/validate/build (wsspec/close.h).
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wsspec/close.h"

/* Expected validity of a code on the wire, spelled out independently. */
static bool code_expected_valid(unsigned code)
{
    switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
        return true;
    default:
        return code >= 3000 && code <= 4999;
    }
}

static size_t payload(uint16_t code, const char *reason, uint8_t *out)
{
    return ws_close_build(code, (const uint8_t *)reason, strlen(reason), out);
}

/* ---- code classes -------------------------------------------------------- */

Test(close, code_class_boundaries)
{
    static const struct {
        unsigned code;
        bool valid;
    } rows[] = {
        {0, false},    {1, false},    {999, false},  {1000, true},  {1001, true},   {1002, true},
        {1003, true},  {1004, false}, {1005, false}, {1006, false}, {1007, true},   {1008, true},
        {1009, true},  {1010, true},  {1011, true},  {1012, true},  {1013, true},   {1014, true},
        {1015, false}, {1016, false}, {1100, false}, {2000, false}, {2999, false},  {3000, true},
        {3999, true},  {4000, true},  {4999, true},  {5000, false}, {32768, false}, {65535, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_assert_eq(ws_close_code_valid((uint16_t)rows[i].code), rows[i].valid, "code %u",
                     rows[i].code);

        uint8_t buf[8];
        size_t n = payload((uint16_t)rows[i].code, "ok", buf);
        ws_close_info info;
        ws_err e = ws_close_parse(buf, n, &info);
        cr_assert_eq(e, rows[i].valid ? WS_OK : WS_ERR_CLOSE_CODE_INVALID, "parse code %u: %s",
                     rows[i].code, ws_err_name(e));
        /* Decoded even when invalid. */
        cr_assert(info.has_code);
        cr_assert_eq(info.code, rows[i].code);
        cr_assert_eq(info.reason_len, 2u);
        cr_assert_eq(memcmp(info.reason, "ok", 2), 0);
    }
}

Test(close, every_code_matches_spec)
{
    for (unsigned code = 0; code <= 0xFFFF; code++) {
        bool want = code_expected_valid(code);
        cr_assert_eq(ws_close_code_valid((uint16_t)code), want, "code %u", code);
        uint8_t buf[2];
        ws_close_build((uint16_t)code, NULL, 0, buf);
        ws_close_info info;
        cr_assert_eq(ws_close_parse(buf, 2, &info), want ? WS_OK : WS_ERR_CLOSE_CODE_INVALID,
                     "code %u", code);
        cr_assert_eq(info.code, code);
    }
}

Test(close, header_constants)
{
    cr_assert(ws_close_code_valid(WS_CLOSE_NORMAL));
    cr_assert(ws_close_code_valid(WS_CLOSE_GOING_AWAY));
    cr_assert(ws_close_code_valid(WS_CLOSE_PROTOCOL_ERROR));
    cr_assert(ws_close_code_valid(WS_CLOSE_UNSUPPORTED_DATA));
    cr_assert(ws_close_code_valid(WS_CLOSE_INVALID_PAYLOAD));
    cr_assert(ws_close_code_valid(WS_CLOSE_POLICY));
    cr_assert(ws_close_code_valid(WS_CLOSE_TOO_BIG));
    cr_assert(ws_close_code_valid(WS_CLOSE_MANDATORY_EXT));
    cr_assert(ws_close_code_valid(WS_CLOSE_INTERNAL_ERROR));
    cr_assert_not(ws_close_code_valid(WS_CLOSE_NO_STATUS));
    cr_assert_not(ws_close_code_valid(WS_CLOSE_ABNORMAL));
    cr_assert_not(ws_close_code_valid(WS_CLOSE_TLS));
}

/* ---- lengths ------------------------------------------------------------- */

Test(close, empty_payload)
{
    ws_close_info info;
    memset(&info, 0xAA, sizeof info);
    cr_assert_eq(ws_close_parse(NULL, 0, &info), WS_OK);
    cr_assert_not(info.has_code);
    cr_assert_eq(info.reason_len, 0u);
    cr_assert_null(info.reason);

    const uint8_t dummy[1] = {0x03};
    cr_assert_eq(ws_close_parse(dummy, 0, &info), WS_OK);
    cr_assert_not(info.has_code);
}

Test(close, one_byte_payload)
{
    for (unsigned b = 0; b < 256; b++) {
        uint8_t p = (uint8_t)b;
        ws_close_info info;
        cr_assert_eq(ws_close_parse(&p, 1, &info), WS_ERR_CLOSE_PAYLOAD_1_BYTE, "byte %02X", b);
        cr_assert_not(info.has_code);
        cr_assert_eq(info.reason_len, 0u);
    }
}

Test(close, code_only)
{
    const uint8_t p[] = {0x03, 0xE8};
    ws_close_info info;
    cr_assert_eq(ws_close_parse(p, 2, &info), WS_OK);
    cr_assert(info.has_code);
    cr_assert_eq(info.code, 1000);
    cr_assert_eq(info.reason_len, 0u);
    cr_assert_eq(info.reason, p + 2, "reason points into the payload");
}

Test(close, maximal_and_oversized)
{
    uint8_t p[200];
    ws_close_build(WS_CLOSE_NORMAL, NULL, 0, p);
    memset(p + 2, 'r', sizeof p - 2);
    ws_close_info info;

    cr_assert_eq(ws_close_parse(p, 125, &info), WS_OK, "123-octet reason is the maximum");
    cr_assert_eq(info.reason_len, 123u);

    cr_assert_eq(ws_close_parse(p, 126, &info), WS_ERR_CONTROL_TOO_LONG);
    cr_assert(info.has_code, "what could be decoded is still filled in");
    cr_assert_eq(info.code, 1000);
    cr_assert_eq(info.reason_len, 124u);

    cr_assert_eq(ws_close_parse(p, sizeof p, &info), WS_ERR_CONTROL_TOO_LONG);

    /* Too long wins over a bad code. */
    ws_close_build(1005, NULL, 0, p);
    cr_assert_eq(ws_close_parse(p, 126, &info), WS_ERR_CONTROL_TOO_LONG);
    cr_assert_eq(ws_close_parse(p, 125, &info), WS_ERR_CLOSE_CODE_INVALID);
}

Test(close, every_length_0_to_200)
{
    uint8_t p[200];
    ws_close_build(WS_CLOSE_GOING_AWAY, NULL, 0, p);
    memset(p + 2, 'z', sizeof p - 2);
    for (size_t len = 0; len <= sizeof p; len++) {
        ws_close_info info;
        ws_err want = len == 1    ? WS_ERR_CLOSE_PAYLOAD_1_BYTE
                      : len > 125 ? WS_ERR_CONTROL_TOO_LONG
                                  : WS_OK;
        cr_assert_eq(ws_close_parse(p, len, &info), want, "len %zu", len);
        cr_assert_eq(info.has_code, len >= 2);
        if (len >= 2) cr_assert_eq(info.reason_len, len - 2);
    }
}

/* ---- reason -------------------------------------------------------------- */

Test(close, reason_utf8)
{
    static const struct {
        const char *reason;
        size_t len;
        bool valid;
    } rows[] = {
        {"bye", 3, true},
        {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 11, true},
        {"\xF0\x9F\x98\x80", 4, true},
        {"\xEF\xBF\xBF", 3, true},
        {"a\0b", 3, true},
        {"\xFF", 1, false},
        {"\xC0\xAF", 2, false},
        {"\xED\xA0\x80", 3, false},
        {"\xF4\x90\x80\x80", 4, false},
        {"ok\x80", 3, false},
        {"\xE2\x82", 2, false}, /* truncated at the end of the payload */
        {"\xF0\x9F\x98", 3, false},
        {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64", 20,
         false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t p[64];
        size_t n = ws_close_build(WS_CLOSE_NORMAL, (const uint8_t *)rows[i].reason, rows[i].len, p);
        ws_close_info info;
        ws_err e = ws_close_parse(p, n, &info);
        cr_assert_eq(e, rows[i].valid ? WS_OK : WS_ERR_CLOSE_REASON_UTF8, "row %zu: %s", i,
                     ws_err_name(e));
        cr_assert_eq(info.reason_len, rows[i].len);
        cr_assert_eq(memcmp(info.reason, rows[i].reason, rows[i].len), 0);
    }
}

Test(close, bad_code_reported_before_bad_reason)
{
    uint8_t p[8];
    size_t n = ws_close_build(1006, (const uint8_t *)"\xFF", 1, p);
    ws_close_info info;
    cr_assert_eq(ws_close_parse(p, n, &info), WS_ERR_CLOSE_CODE_INVALID);
}

Test(close, utf8_reason_at_maximum_length)
{
    /* 41 three-octet characters = 123 octets of reason: exactly 125 in all. */
    uint8_t p[130];
    ws_close_build(4000, NULL, 0, p);
    for (int i = 0; i < 41; i++)
        memcpy(p + 2 + 3 * i, "\xE2\x82\xAC", 3);
    ws_close_info info;
    cr_assert_eq(ws_close_parse(p, 125, &info), WS_OK);
    /* Cut in the middle of the last character: truncated reason. */
    cr_assert_eq(ws_close_parse(p, 124, &info), WS_ERR_CLOSE_REASON_UTF8);
}

/* ---- build --------------------------------------------------------------- */

Test(close, build_network_order)
{
    uint8_t p[4];
    cr_assert_eq(ws_close_build(0x1234, NULL, 0, p), 2u);
    cr_assert_eq(p[0], 0x12);
    cr_assert_eq(p[1], 0x34);
    cr_assert_eq(ws_close_build(1000, NULL, 0, p), 2u);
    cr_assert_eq(p[0], 0x03);
    cr_assert_eq(p[1], 0xE8);
}

Test(close, build_does_not_validate)
{
    /* The forge may send anything: invalid codes, bad UTF-8, long reasons. */
    uint8_t p[300];
    uint8_t reason[290];
    memset(reason, 0xFF, sizeof reason);
    cr_assert_eq(ws_close_build(1005, reason, sizeof reason, p), 2 + sizeof reason);
    cr_assert_eq(p[0], 0x03);
    cr_assert_eq(p[1], 0xED);
    cr_assert_eq(memcmp(p + 2, reason, sizeof reason), 0);
    cr_assert_eq(ws_close_build(0, NULL, 0, p), 2u);
    cr_assert_eq(ws_close_build(65535, NULL, 0, p), 2u);
    cr_assert_eq(p[0], 0xFF);
    cr_assert_eq(p[1], 0xFF);
}

Test(close, build_parse_round_trip)
{
    static const uint16_t codes[] = {1000, 1001, 1003, 1007, 1011, 1012, 1014, 3000, 4242, 4999};
    static const char *reasons[] = {"", "x", "going away", "\xC3\xA9t\xC3\xA9",
                                    "\xF0\x9F\x91\x8B bye"};
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
        for (size_t r = 0; r < sizeof reasons / sizeof reasons[0]; r++) {
            uint8_t p[125];
            size_t rl = strlen(reasons[r]);
            size_t n = ws_close_build(codes[c], (const uint8_t *)reasons[r], rl, p);
            cr_assert_eq(n, 2 + rl);
            ws_close_info info;
            cr_assert_eq(ws_close_parse(p, n, &info), WS_OK, "code %u reason %zu",
                         (unsigned)codes[c], r);
            cr_assert(info.has_code);
            cr_assert_eq(info.code, codes[c]);
            cr_assert_eq(info.reason_len, rl);
            cr_assert_eq(memcmp(info.reason, reasons[r], rl), 0);
        }
    }
    /* Round trip of a 123-octet reason. */
    uint8_t reason[123], p[125];
    memset(reason, 'm', sizeof reason);
    size_t n = ws_close_build(3999, reason, sizeof reason, p);
    cr_assert_eq(n, 125u);
    ws_close_info info;
    cr_assert_eq(ws_close_parse(p, n, &info), WS_OK);
    cr_assert_eq(info.code, 3999);
    cr_assert_eq(memcmp(info.reason, reason, sizeof reason), 0);
}
