/*
 * Unit tests for src/core/handshake.c: HTTP head parsing, header lookup,
 * Sec-WebSocket-Accept, the §4.2.1 request and §4.1 response checks, and the
 * request/response builders.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "wsspec/handshake.h"

#define MAXH 64
#define DEF  WS_HTTP_DEFAULT_MAX_HEAD

/* ---- helpers ---------------------------------------------------------------- */

/* Parse a request from an exact-size heap copy, so ASan sees any over-read. */
static ws_err req_copy(const char *s, size_t len, size_t max_head, size_t max_headers)
{
    ws_http_request req;
    ws_http_header h[MAXH];
    size_t hl = 0;
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, s, len);
    ws_err e = ws_http_parse_request(copy, len, max_head, &req, h,
                                     max_headers < MAXH ? max_headers : MAXH, &hl);
    free(copy);
    return e;
}

static ws_err resp_copy(const char *s, size_t len, size_t max_head)
{
    ws_http_response resp;
    ws_http_header h[MAXH];
    size_t hl = 0;
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, s, len);
    ws_err e = ws_http_parse_response(copy, len, max_head, &resp, h, MAXH, &hl);
    free(copy);
    return e;
}

/* Parse a whole request string and run the §4.2.1 checks on it. */
static ws_err check_req(const char *s, size_t len)
{
    ws_http_request req;
    ws_http_header h[MAXH];
    size_t hl = 0;
    ws_err e = ws_http_parse_request(s, len, DEF, &req, h, MAXH, &hl);
    if (e != WS_OK) return e;
    cr_assert_eq(hl, len);
    return ws_handshake_check_request(&req, NULL);
}

/*
 * Every growing prefix is WS_INCOMPLETE; and for every split point k, the
 * message delivered as [0,k) then [k,len) into one buffer parses to exactly
 * the same result as the whole message.
 */
static void request_every_split(const char *s)
{
    size_t len = strlen(s), ref_len = 0, got_len = 0;
    ws_http_request ref, got;
    ws_http_header rh[MAXH], gh[MAXH];
    cr_assert_eq(ws_http_parse_request(s, len, DEF, &ref, rh, MAXH, &ref_len), WS_OK);
    cr_assert_eq(ref_len, len);
    char *buf = malloc(len);
    cr_assert_not_null(buf);
    for (size_t k = 0; k < len; k++) {
        ws_err e = req_copy(s, k, DEF, MAXH);
        cr_assert_eq(e, WS_INCOMPLETE, "prefix %zu: %s", k, ws_err_name(e));
        memcpy(buf, s, k);
        memcpy(buf + k, s + k, len - k);
        cr_assert_eq(ws_http_parse_request(buf, len, DEF, &got, gh, MAXH, &got_len), WS_OK);
        cr_assert_eq(got_len, len);
        cr_assert_eq(got.num_headers, ref.num_headers);
        cr_assert_eq(got.method - buf, ref.method - s);
        cr_assert_eq(got.target_len, ref.target_len);
        for (size_t i = 0; i < ref.num_headers; i++) {
            cr_assert_eq(gh[i].name - buf, rh[i].name - s);
            cr_assert_eq(gh[i].value - buf, rh[i].value - s);
            cr_assert_eq(gh[i].value_len, rh[i].value_len);
        }
    }
    free(buf);
}

/* Same as request_every_split for a response head. */
static void response_every_split(const char *s)
{
    size_t len = strlen(s), ref_len = 0, got_len = 0;
    ws_http_response ref, got;
    ws_http_header rh[MAXH], gh[MAXH];
    cr_assert_eq(ws_http_parse_response(s, len, DEF, &ref, rh, MAXH, &ref_len), WS_OK);
    cr_assert_eq(ref_len, len);
    char *buf = malloc(len);
    cr_assert_not_null(buf);
    for (size_t k = 0; k < len; k++) {
        ws_err e = resp_copy(s, k, DEF);
        cr_assert_eq(e, WS_INCOMPLETE, "prefix %zu: %s", k, ws_err_name(e));
        memcpy(buf, s, k);
        memcpy(buf + k, s + k, len - k);
        cr_assert_eq(ws_http_parse_response(buf, len, DEF, &got, gh, MAXH, &got_len), WS_OK);
        cr_assert_eq(got_len, len);
        cr_assert_eq(got.status, ref.status);
        cr_assert_eq(got.reason_len, ref.reason_len);
        cr_assert_eq(got.num_headers, ref.num_headers);
        for (size_t i = 0; i < ref.num_headers; i++) {
            cr_assert_eq(gh[i].name - buf, rh[i].name - s);
            cr_assert_eq(gh[i].value_len, rh[i].value_len);
        }
    }
    free(buf);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- fixtures --------------------------------------------------------------- */

static const char firefox_request[] =
    "GET /chat/046/rnfjawvk/websocket HTTP/1.1\r\n"
    "Host: 127.0.0.1:9001\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: */*\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Origin: http://127.0.0.1:9001\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
    "Sec-WebSocket-Key: VTBy273FOIzgpFUz2B15/w==\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-Fetch-Dest: empty\r\n"
    "Sec-Fetch-Mode: websocket\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "Upgrade: websocket\r\n"
    "\r\n";

#define RL    "GET /chat HTTP/1.1\r\n"
#define HOST  "Host: server.example.com\r\n"
#define UPG   "Upgrade: websocket\r\n"
#define CONN  "Connection: Upgrade\r\n"
#define KEY   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define VER   "Sec-WebSocket-Version: 13\r\n"
#define END   "\r\n"
#define GOOD  RL HOST UPG CONN KEY VER END
#define KEYV  "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCV  "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define RESP0 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"

static const char *const good_requests[] = {
    GOOD,
    firefox_request,
    /* mixed-case names, any order, odd spacing, repeated and list headers */
    "GET / HTTP/1.1\r\nsec-websocket-version:13\r\nCONNECTION:  keep-alive ,UPGRADE \r\n"
    "upGrade:   websocket  \r\nsec-WEBSOCKET-key:\t" KEYV "\t\r\nhOsT: h\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: Upgrade\r\n"
    "Upgrade: h2c\r\nUpgrade: WebSocket\r\n" KEY VER END,
    "GET / HTTP/1.1\r\nHost: h\r\nConnection: ,, upgrade ,\r\n" UPG KEY VER END,
    /* bare LF line ends, leading empty line, later HTTP versions */
    "GET / HTTP/1.1\nHost: h\nUpgrade: websocket\nConnection: Upgrade\n"
    "Sec-WebSocket-Key: " KEYV "\nSec-WebSocket-Version: 13\n\n",
    "\r\n" GOOD,
    "GET / HTTP/1.2\r\n" HOST UPG CONN KEY VER END,
    "GET / HTTP/2.0\r\n" HOST UPG CONN KEY VER END,
    "GET /?q=a%20b HTTP/1.1\r\n" HOST UPG CONN KEY "Sec-WebSocket-Version:   13  \r\n"
    "Empty:\r\nX-Obs-Text: caf\xc3\xa9\r\n" END,
};

static const char *const good_responses[] = {
    RESP0 "Sec-WebSocket-Accept: " ACCV "\r\n\r\n",
    "HTTP/1.1 101 \r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " ACCV "\r\n\r\n",
    "HTTP/1.1 101\r\nupgrade: WebSocket\r\nconnection: upgrade\r\n"
    "sec-websocket-accept: " ACCV "\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n"
    "Sec-WebSocket-Accept: " ACCV "\n\n",
};

/* ---- accept key ------------------------------------------------------------- */

Test(accept, rfc_known_answer)
{
    char out[WS_ACCEPT_LEN + 1];
    ws_accept_key(KEYV, strlen(KEYV), out);
    cr_assert_str_eq(out, ACCV);
}

Test(accept, firefox_known_answer)
{
    char out[WS_ACCEPT_LEN + 1];
    ws_accept_key("VTBy273FOIzgpFUz2B15/w==", 24, out);
    cr_assert_str_eq(out, "NoIMAWc3QDTXp1sRBJhBbKjJeuk=");
}

Test(accept, long_and_empty_keys_match_direct_sha1)
{
    static const size_t lens[] = {0, 1, 219, 220, 221, 300, 5000};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        size_t n = lens[t];
        char *buf = malloc(n + sizeof(WS_GUID));
        cr_assert_not_null(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('A' + i % 26);
        memcpy(buf + n, WS_GUID, sizeof(WS_GUID) - 1);
        unsigned char d[SHA_DIGEST_LENGTH];
        char want[WS_ACCEPT_LEN + 1], got[WS_ACCEPT_LEN + 1];
        SHA1((unsigned char *)buf, n + sizeof(WS_GUID) - 1, d);
        EVP_EncodeBlock((unsigned char *)want, d, SHA_DIGEST_LENGTH);
        ws_accept_key(buf, n, got);
        cr_assert_str_eq(got, want, "key length %zu", n);
        free(buf);
    }
}

Test(accept, make_key)
{
    char out[WS_KEY_LEN + 1];
    ws_make_key((const uint8_t *)"the sample nonce", out);
    cr_assert_str_eq(out, KEYV);
    cr_assert_eq(strlen(out), WS_KEY_LEN);
}

/* ---- request parsing -------------------------------------------------------- */

Test(parse, firefox_request_fields)
{
    ws_http_request req;
    ws_http_header h[MAXH];
    size_t hl = 0, len = strlen(firefox_request);
    cr_assert_eq(ws_http_parse_request(firefox_request, len, DEF, &req, h, MAXH, &hl), WS_OK);
    cr_assert_eq(hl, len);
    cr_assert_eq(req.method_len, 3);
    cr_assert_eq(memcmp(req.method, "GET", 3), 0);
    cr_assert_eq(req.target_len, strlen("/chat/046/rnfjawvk/websocket"));
    cr_assert_eq(req.version_major, 1);
    cr_assert_eq(req.version_minor, 1);
    cr_assert_eq(req.num_headers, 16);
    cr_assert_eq(req.headers, h);
    size_t count = 0;
    const ws_http_header *ua = ws_http_find(h, req.num_headers, "user-agent", &count);
    cr_assert_not_null(ua);
    cr_assert_eq(count, 1);
    cr_assert_eq(ua->value_len, strlen("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
                                       "Gecko/20100101 Firefox/128.0"));
    ws_hs_request_info info;
    cr_assert_eq(ws_handshake_check_request(&req, &info), WS_OK);
    cr_assert_eq(info.key_len, 24);
    cr_assert_eq(memcmp(info.key, "VTBy273FOIzgpFUz2B15/w==", 24), 0);
    cr_assert_not_null(info.extensions);
    cr_assert_null(info.protocols);
    cr_assert_not_null(info.origin);
    cr_assert_eq(info.host->value_len, strlen("127.0.0.1:9001"));
}

Test(parse, good_requests_whole_prefixes_and_splits)
{
    for (size_t i = 0; i < sizeof good_requests / sizeof good_requests[0]; i++) {
        ws_err e = check_req(good_requests[i], strlen(good_requests[i]));
        cr_assert_eq(e, WS_OK, "request %zu: %s", i, ws_err_name(e));
        request_every_split(good_requests[i]);
    }
}

Test(parse, good_responses_whole_prefixes_and_splits)
{
    for (size_t i = 0; i < sizeof good_responses / sizeof good_responses[0]; i++)
        response_every_split(good_responses[i]);
}

Test(parse, trimmed_values_and_trailing_bytes)
{
    static const char msg[] = "GET / HTTP/1.1\r\nA:   x y  \r\nB:\r\nC: \t \r\n\r\n\x81\x05hello";
    ws_http_request req;
    ws_http_header h[4];
    size_t hl = 0;
    cr_assert_eq(ws_http_parse_request(msg, sizeof msg - 1, DEF, &req, h, 4, &hl), WS_OK);
    cr_assert_eq(hl, sizeof msg - 1 - 7);
    cr_assert_eq(req.num_headers, 3);
    cr_assert_eq(h[0].value_len, 3);
    cr_assert_eq(memcmp(h[0].value, "x y", 3), 0);
    cr_assert_eq(h[1].value_len, 0);
    cr_assert_eq(h[2].value_len, 0);
}

Test(parse, response_reason_variants)
{
    static const struct {
        const char *msg;
        const char *reason;
    } cases[] = {
        {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "Switching Protocols"},
        {"HTTP/1.1 101 \r\n\r\n", ""},
        {"HTTP/1.1 101\r\n\r\n", ""},
        {"HTTP/1.0 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n", "Upgrade Required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_http_response resp;
        ws_http_header h[4];
        size_t hl = 0, len = strlen(cases[i].msg);
        cr_assert_eq(ws_http_parse_response(cases[i].msg, len, DEF, &resp, h, 4, &hl), WS_OK,
                     "case %zu", i);
        cr_assert_eq(hl, len);
        cr_assert_eq(resp.reason_len, strlen(cases[i].reason));
        cr_assert_eq(memcmp(resp.reason, cases[i].reason, resp.reason_len), 0);
    }
}

Test(parse, malformed_heads)
{
    static const struct {
        const char *msg;
        size_t len; /* 0: strlen */
        ws_err want;
        bool response;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 0, WS_ERR_HTTP_OBS_FOLD, false},
        {"GET / HTTP/1.1\r\nHost: h\r\n\tfolded\r\n\r\n", 0, WS_ERR_HTTP_OBS_FOLD, false},
        {"GET / HTTP/1.1\r\n first\r\n\r\n", 0, WS_ERR_HTTP_OBS_FOLD, false},
        {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n  x\r\n\r\n", 0, WS_ERR_HTTP_OBS_FOLD, true},
        {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\n: empty-name\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX(y): z\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX\xc3\xa9: z\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 24, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nX: y\r\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET  / HTTP/1.1\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1 \r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET /\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / http/1.1\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/11\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.10\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"G(T / HTTP/1.1\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"GET /a\x01 HTTP/1.1\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, false},
        {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n", 13, WS_ERR_HTTP_SYNTAX, false},
        {"HTTP/1.1 10 \r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"HTTP/1.1 1010\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"HTTP/1.1  101\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"HTTP/1.1 abc OK\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"HTTP/1.1 101 OK\x01\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"HTTP/1.1\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"\r\nHTTP/1.1 101 OK\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
        {"ICY 200 OK\r\n\r\n", 0, WS_ERR_HTTP_SYNTAX, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].msg);
        ws_err e = cases[i].response ? resp_copy(cases[i].msg, len, DEF)
                                     : req_copy(cases[i].msg, len, DEF, MAXH);
        cr_assert_eq(e, cases[i].want, "case %zu: got %s, want %s", i, ws_err_name(e),
                     ws_err_name(cases[i].want));
    }
}

Test(parse, garbage_fails_before_the_line_ends)
{
    /* Partial lines are validated as far as they go: no need to wait for an
     * LF or for max_head to reject a TLS ClientHello or binary noise. */
    static const struct {
        const char *msg;
        size_t len;
        ws_err want;
        bool response;
    } cases[] = {
        {"\x16\x03\x01", 3, WS_ERR_HTTP_SYNTAX, false},
        {"\0", 1, WS_ERR_HTTP_SYNTAX, false},
        {"G", 1, WS_INCOMPLETE, false},
        {"\r", 1, WS_INCOMPLETE, false},
        {"\r\n\r", 3, WS_INCOMPLETE, false},
        {"\r\r", 2, WS_ERR_HTTP_SYNTAX, false},
        {"GET /x HTTP/1.1", 15, WS_INCOMPLETE, false},
        {"GET /x HTTP/1.1\r", 16, WS_INCOMPLETE, false},
        {"GET /x HTTP/1.12", 16, WS_ERR_HTTP_SYNTAX, false},
        {"GET /x HTTQ", 11, WS_ERR_HTTP_SYNTAX, false},
        {"GET /x\x01", 7, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nHost", 20, WS_INCOMPLETE, false},
        {"GET / HTTP/1.1\r\nHo st", 21, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nHost: a\rb", 25, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nHost: a\x02", 24, WS_ERR_HTTP_SYNTAX, false},
        {"GET / HTTP/1.1\r\nHost: a\r", 24, WS_INCOMPLETE, false},
        {"GET / HTTP/1.1\r\nHost: a\r\n\r", 26, WS_INCOMPLETE, false},
        {"GET / HTTP/1.1\r\nHost: a\r\n ", 26, WS_ERR_HTTP_OBS_FOLD, false},
        {"H", 1, WS_INCOMPLETE, true},
        {"HTTP/1.1 1", 10, WS_INCOMPLETE, true},
        {"HTTP/1.1 101", 12, WS_INCOMPLETE, true},
        {"HTTP/1.1 101 ", 13, WS_INCOMPLETE, true},
        {"HTTP/1.1 1x", 11, WS_ERR_HTTP_SYNTAX, true},
        {"X", 1, WS_ERR_HTTP_SYNTAX, true},
        {"\r\n", 2, WS_ERR_HTTP_SYNTAX, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_err e = cases[i].response ? resp_copy(cases[i].msg, cases[i].len, DEF)
                                     : req_copy(cases[i].msg, cases[i].len, DEF, MAXH);
        cr_assert_eq(e, cases[i].want, "case %zu: got %s, want %s", i, ws_err_name(e),
                     ws_err_name(cases[i].want));
    }
}

Test(parse, invalid_arguments)
{
    ws_http_request req;
    ws_http_response resp;
    ws_http_header h[2];
    cr_assert_eq(ws_http_parse_request(NULL, 3, DEF, &req, h, 2, NULL), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_http_parse_request("x", 1, DEF, NULL, h, 2, NULL), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_http_parse_response("x", 1, DEF, &resp, NULL, 2, NULL), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_http_parse_request(NULL, 0, DEF, &req, h, 2, NULL), WS_INCOMPLETE);
    /* head_len may be NULL, headers may be NULL when none are allowed */
    cr_assert_eq(ws_http_parse_request("GET / HTTP/1.1\r\n\r\n", 18, DEF, &req, NULL, 0, NULL),
                 WS_OK);
}

/* ---- limits ------------------------------------------------------------------- */

Test(limits, exact_size_limit)
{
    size_t len = strlen(GOOD);
    cr_assert_eq(req_copy(GOOD, len, len, MAXH), WS_OK);
    cr_assert_eq(req_copy(GOOD, len, len - 1, MAXH), WS_ERR_HTTP_TOO_LARGE);
    cr_assert_eq(req_copy(GOOD, len - 1, len, MAXH), WS_INCOMPLETE);
    cr_assert_eq(req_copy(GOOD, len - 1, len - 1, MAXH), WS_ERR_HTTP_TOO_LARGE);
    cr_assert_eq(req_copy(GOOD, 0, 0, MAXH), WS_ERR_HTTP_TOO_LARGE);
}

/* "GET / HTTP/1.1\r\nX-Big: aaa...a\r\n\r\n" with a value of n octets. */
static char *big_line_request(size_t n, size_t *len)
{
    static const char pre[] = "GET / HTTP/1.1\r\nX-Big: ";
    *len = sizeof pre - 1 + n + 4;
    char *s = malloc(*len);
    cr_assert_not_null(s);
    memcpy(s, pre, sizeof pre - 1);
    memset(s + sizeof pre - 1, 'a', n);
    memcpy(s + sizeof pre - 1 + n, "\r\n\r\n", 4);
    return s;
}

Test(limits, one_mib_header_line_too_large)
{
    size_t len;
    char *s = big_line_request(1 << 20, &len);
    ws_http_request req;
    ws_http_header h[MAXH];
    cr_assert_eq(ws_http_parse_request(s, len, DEF, &req, h, MAXH, NULL), WS_ERR_HTTP_TOO_LARGE);
    /* Fed in growing prefixes (every octet up to 20000, then 1 KiB steps):
     * INCOMPLETE below the limit, TOO_LARGE from it on, and fast. */
    double t0 = now_s();
    for (size_t n = 0; n <= len; n += n < 20000 ? 1 : 1024) {
        ws_err e = ws_http_parse_request(s, n, DEF, &req, h, MAXH, NULL);
        cr_assert_eq(e, n < DEF ? WS_INCOMPLETE : WS_ERR_HTTP_TOO_LARGE, "prefix %zu", n);
    }
    cr_assert_lt(now_s() - t0, 10.0);
    free(s);
}

Test(limits, one_mib_header_line_linear_without_limit)
{
    /* With the limit out of the way, 1 MiB arriving 4 KiB at a time costs
     * 256 linear scans; a quadratic parser would take minutes here. */
    size_t len;
    char *s = big_line_request(1 << 20, &len);
    ws_http_request req;
    ws_http_header h[MAXH];
    size_t hl = 0;
    double t0 = now_s();
    for (size_t n = 0; n < len; n += 4096)
        cr_assert_eq(ws_http_parse_request(s, n, SIZE_MAX, &req, h, MAXH, NULL), WS_INCOMPLETE);
    cr_assert_eq(ws_http_parse_request(s, len, SIZE_MAX, &req, h, MAXH, &hl), WS_OK);
    cr_assert_eq(hl, len);
    cr_assert_eq(h[0].value_len, (size_t)1 << 20);
    cr_assert_lt(now_s() - t0, 10.0);
    free(s);
}

/* A request line and n headers "X-<i>: v". */
static char *many_headers_request(size_t n, size_t *len)
{
    char *s = malloc(32 + n * 16);
    cr_assert_not_null(s);
    size_t p = (size_t)sprintf(s, "GET / HTTP/1.1\r\n");
    for (size_t i = 0; i < n; i++)
        p += (size_t)sprintf(s + p, "X-%zu: v\r\n", i);
    p += (size_t)sprintf(s + p, "\r\n");
    *len = p;
    return s;
}

Test(limits, ten_thousand_headers)
{
    size_t len;
    char *s = many_headers_request(10000, &len);
    ws_http_request req;
    ws_http_header *h = malloc(10000 * sizeof *h);
    cr_assert_not_null(h);
    ws_err e = ws_http_parse_request(s, len, DEF, &req, h, MAXH, NULL);
    cr_assert(e == WS_ERR_HTTP_TOO_MANY_HEADERS || e == WS_ERR_HTTP_TOO_LARGE, "%s",
              ws_err_name(e));
    cr_assert_eq(ws_http_parse_request(s, len, SIZE_MAX, &req, h, MAXH, NULL),
                 WS_ERR_HTTP_TOO_MANY_HEADERS);
    cr_assert_eq(ws_http_parse_request(s, len, DEF, &req, h, 10000, NULL), WS_ERR_HTTP_TOO_LARGE);
    cr_assert_eq(ws_http_parse_request(s, len, SIZE_MAX, &req, h, 9999, NULL),
                 WS_ERR_HTTP_TOO_MANY_HEADERS);
    cr_assert_eq(ws_http_parse_request(s, len, SIZE_MAX, &req, h, 10000, NULL), WS_OK);
    cr_assert_eq(req.num_headers, 10000);
    free(h);
    free(s);
}

/* ---- header lookup ------------------------------------------------------------ */

Test(lookup, find_and_tokens)
{
    static const char msg[] = "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n"
                              "connection: close\r\nX-List: \"a,b\", c ,,d\r\n\r\n";
    ws_http_request req;
    ws_http_header h[8];
    cr_assert_eq(ws_http_parse_request(msg, sizeof msg - 1, DEF, &req, h, 8, NULL), WS_OK);
    size_t n = req.num_headers, count = 99;
    const ws_http_header *c = ws_http_find(h, n, "CONNECTION", &count);
    cr_assert_eq(c, &h[0]);
    cr_assert_eq(count, 2);
    cr_assert_null(ws_http_find(h, n, "Connectio", &count));
    cr_assert_eq(count, 0);
    cr_assert_null(ws_http_find(h, n, "Upgrade", NULL));
    cr_assert(ws_http_has_token(h, n, "connection", "upgrade"));
    cr_assert(ws_http_has_token(h, n, "Connection", "KEEP-ALIVE"));
    cr_assert(ws_http_has_token(h, n, "Connection", "close"));
    cr_assert_not(ws_http_has_token(h, n, "Connection", "upgrad"));
    cr_assert_not(ws_http_has_token(h, n, "Connection", "keep-alive, Upgrade"));
    cr_assert(ws_http_has_token(h, n, "X-List", "c"));
    cr_assert(ws_http_has_token(h, n, "X-List", "d"));
    cr_assert(ws_http_has_token(h, n, "X-List", "\"a,b\""));
    cr_assert_not(ws_http_has_token(h, n, "X-List", "b\""));
    cr_assert_not(ws_http_has_token(h, n, "X-List", ""));
    cr_assert_not(ws_http_has_token(NULL, 0, "X-List", "c"));
}

/* ---- request checks ------------------------------------------------------------- */

Test(request, negative_table)
{
    static const struct {
        const char *msg;
        ws_err want;
    } cases[] = {
        {"POST /chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END, WS_ERR_HS_METHOD},
        {"get /chat HTTP/1.1\r\n" HOST UPG CONN KEY VER END, WS_ERR_HS_METHOD},
        {"POST /chat HTTP/1.0\r\n" END, WS_ERR_HS_METHOD},
        {"GET /chat HTTP/1.0\r\n" HOST UPG CONN KEY VER END, WS_ERR_HS_HTTP_VERSION},
        {"GET /chat HTTP/0.9\r\n" HOST UPG CONN KEY VER END, WS_ERR_HS_HTTP_VERSION},
        {"GET /chat HTTP/1.0\r\n" END, WS_ERR_HS_HTTP_VERSION},
        {RL UPG CONN KEY VER END, WS_ERR_HS_HOST},
        {RL HOST HOST UPG CONN KEY VER END, WS_ERR_HS_HOST},
        {RL "Host:\r\n" UPG CONN KEY VER END, WS_ERR_HS_HOST},
        {RL END, WS_ERR_HS_HOST},
        {RL HOST CONN KEY VER END, WS_ERR_HS_UPGRADE},
        {RL HOST "Upgrade: h2c\r\n" CONN KEY VER END, WS_ERR_HS_UPGRADE},
        {RL HOST "Upgrade: websocketx\r\n" CONN KEY VER END, WS_ERR_HS_UPGRADE},
        {RL HOST "Upgrade:\r\n" CONN KEY VER END, WS_ERR_HS_UPGRADE},
        {RL HOST UPG KEY VER END, WS_ERR_HS_CONNECTION},
        {RL HOST UPG "Connection: keep-alive\r\n" KEY VER END, WS_ERR_HS_CONNECTION},
        {RL HOST UPG "Connection: upgrade-insecure\r\n" KEY VER END, WS_ERR_HS_CONNECTION},
        {RL HOST UPG "Connection: keep-alive; Upgrade\r\n" KEY VER END, WS_ERR_HS_CONNECTION},
        {RL HOST UPG CONN VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN KEY KEY VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key:\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: not*base64*at*all*here\r\n" VER END, WS_ERR_HS_KEY},
        /* 15 octets: 20 characters, no padding */
        {RL HOST UPG CONN "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n" VER END, WS_ERR_HS_KEY},
        /* 17 octets: 24 characters with one '=' */
        {RL HOST UPG CONN "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\r\n" VER END, WS_ERR_HS_KEY},
        /* 18 octets: 24 characters, no padding */
        {RL HOST UPG CONN "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: dGhlIHNh bXBsZSBub25jZQ==\r\n" VER END,
         WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: VTBy273FOIzgpFUz2B15_w==\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ===\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ=Q=\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN "Sec-WebSocket-Key: " KEYV ", " KEYV "\r\n" VER END, WS_ERR_HS_KEY},
        {RL HOST UPG CONN KEY END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version: 8\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version: 14\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version: abc\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version: 013\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version: 13, 8\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY "Sec-WebSocket-Version:\r\n" END, WS_ERR_HS_VERSION},
        {RL HOST UPG CONN KEY VER VER END, WS_ERR_HS_VERSION},
        /* the first failing check wins */
        {RL HOST "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: x\r\n" END, WS_ERR_HS_UPGRADE},
        {RL HOST UPG "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: x\r\n" END,
         WS_ERR_HS_CONNECTION},
        {RL HOST UPG CONN "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: x\r\n" END,
         WS_ERR_HS_KEY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_err e = check_req(cases[i].msg, strlen(cases[i].msg));
        cr_assert_eq(e, cases[i].want, "case %zu: got %s, want %s", i, ws_err_name(e),
                     ws_err_name(cases[i].want));
    }
}

Test(request, info_cleared_on_failure)
{
    ws_http_request req;
    ws_http_header h[MAXH];
    static const char msg[] = RL HOST UPG CONN KEY END;
    cr_assert_eq(ws_http_parse_request(msg, sizeof msg - 1, DEF, &req, h, MAXH, NULL), WS_OK);
    ws_hs_request_info info;
    memset(&info, 0xab, sizeof info);
    cr_assert_eq(ws_handshake_check_request(&req, &info), WS_ERR_HS_VERSION);
    cr_assert_null(info.key);
    cr_assert_null(info.host);
    cr_assert_eq(ws_handshake_check_request(NULL, &info), WS_ERR_INVALID_ARG);
}

/* ---- builder round trips -------------------------------------------------------- */

/* Write a request from hdrs, parse it back, run the check. */
static ws_err round_trip(const char *method, const char *version, const ws_http_header *hdrs,
                         size_t n, ws_hs_request_info *info)
{
    static char out[4096];
    size_t len = 0;
    cr_assert_eq(
        ws_http_write_request(method, "/chat?x=1", version, hdrs, n, out, sizeof out, &len), WS_OK);
    cr_assert_eq(strlen(out), len);
    ws_http_request req;
    ws_http_header h[MAXH];
    size_t hl = 0;
    cr_assert_eq(ws_http_parse_request(out, len, DEF, &req, h, MAXH, &hl), WS_OK);
    cr_assert_eq(hl, len);
    cr_assert_eq(req.num_headers, n);
    return ws_handshake_check_request(&req, info);
}

Test(builder, default_headers_round_trip)
{
    ws_http_header hdrs[9];
    size_t n = ws_handshake_default_headers(hdrs, 9, "example.com:9001", KEYV, "chat, superchat",
                                            "permessage-deflate", "http://example.com", "wsspec");
    cr_assert_eq(n, 9);
    static const char *const names[] = {"Host",
                                        "Upgrade",
                                        "Connection",
                                        "Sec-WebSocket-Key",
                                        "Sec-WebSocket-Version",
                                        "Sec-WebSocket-Protocol",
                                        "Sec-WebSocket-Extensions",
                                        "Origin",
                                        "User-Agent"};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(hdrs[i].name_len, strlen(names[i]));
        cr_assert_eq(memcmp(hdrs[i].name, names[i], hdrs[i].name_len), 0);
    }
    cr_assert_eq(hdrs[3].value_len, WS_KEY_LEN);
    cr_assert_eq(memcmp(hdrs[3].value, KEYV, WS_KEY_LEN), 0);
    ws_hs_request_info info;
    cr_assert_eq(round_trip("GET", "HTTP/1.1", hdrs, n, &info), WS_OK);
    cr_assert_eq(info.key_len, WS_KEY_LEN);
    cr_assert_not_null(info.protocols);
    cr_assert_eq(info.protocols->value_len, strlen("chat, superchat"));
    cr_assert_not_null(info.extensions);
    cr_assert_not_null(info.origin);

    /* minimal set, and a short capacity that must not be overrun */
    n = ws_handshake_default_headers(hdrs, 9, "h", KEYV, NULL, NULL, NULL, NULL);
    cr_assert_eq(n, 5);
    cr_assert_eq(round_trip("GET", "HTTP/1.1", hdrs, n, NULL), WS_OK);
    ws_http_header small[4];
    cr_assert_eq(ws_handshake_default_headers(small, 4, "h", KEYV, "p", "e", "o", "u"), 4);
}

Test(builder, removed_or_duplicated_header_fails)
{
    static const ws_err removed[] = {WS_ERR_HS_HOST, WS_ERR_HS_UPGRADE, WS_ERR_HS_CONNECTION,
                                     WS_ERR_HS_KEY, WS_ERR_HS_VERSION};
    static const ws_err duplicated[] = {WS_ERR_HS_HOST, WS_OK, WS_OK, WS_ERR_HS_KEY,
                                        WS_ERR_HS_VERSION};
    ws_http_header base[9], hdrs[10];
    size_t n = ws_handshake_default_headers(base, 9, "h:1", KEYV, NULL, NULL, "http://o", NULL);
    cr_assert_eq(n, 6);
    for (size_t drop = 0; drop < 5; drop++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (i != drop) hdrs[m++] = base[i];
        ws_err e = round_trip("GET", "HTTP/1.1", hdrs, m, NULL);
        cr_assert_eq(e, removed[drop], "drop %zu: %s", drop, ws_err_name(e));
        memcpy(hdrs, base, n * sizeof base[0]);
        hdrs[n] = base[drop];
        e = round_trip("GET", "HTTP/1.1", hdrs, n + 1, NULL);
        cr_assert_eq(e, duplicated[drop], "dup %zu: %s", drop, ws_err_name(e));
    }
    cr_assert_eq(round_trip("POST", "HTTP/1.1", base, n, NULL), WS_ERR_HS_METHOD);
    cr_assert_eq(round_trip("GET", "HTTP/1.0", base, n, NULL), WS_ERR_HS_HTTP_VERSION);
    /* a mangled value, and the builder's absent host */
    memcpy(hdrs, base, n * sizeof base[0]);
    hdrs[4].value = "8";
    hdrs[4].value_len = 1;
    cr_assert_eq(round_trip("GET", "HTTP/1.1", hdrs, n, NULL), WS_ERR_HS_VERSION);
    n = ws_handshake_default_headers(base, 9, NULL, KEYV, NULL, NULL, NULL, NULL);
    cr_assert_eq(n, 4);
    cr_assert_eq(round_trip("GET", "HTTP/1.1", base, n, NULL), WS_ERR_HS_HOST);
}

Test(builder, exact_output_and_buffer_sizes)
{
    ws_http_header hdrs[2] = {{"A", 1, "b", 1}, {"Empty", 5, "", 0}};
    static const char want[] = "GET / HTTP/1.1\r\nA: b\r\nEmpty: \r\n\r\n";
    char out[64];
    size_t len = 0;
    cr_assert_eq(ws_http_write_request("GET", "/", "HTTP/1.1", hdrs, 2, out, sizeof out, &len),
                 WS_OK);
    cr_assert_str_eq(out, want);
    cr_assert_eq(len, sizeof want - 1);
    cr_assert_eq(ws_http_write_request("GET", "/", "HTTP/1.1", hdrs, 2, out, len, &len),
                 WS_ERR_BUFFER_TOO_SMALL);
    cr_assert_eq(ws_http_write_request("GET", "/", "HTTP/1.1", hdrs, 2, out, sizeof want, &len),
                 WS_OK);
    cr_assert_eq(ws_http_write_request("GET", "/", "HTTP/1.1", hdrs, 2, out, 0, &len),
                 WS_ERR_BUFFER_TOO_SMALL);
    cr_assert_eq(ws_http_write_request(NULL, "/", "HTTP/1.1", hdrs, 2, out, 64, &len),
                 WS_ERR_INVALID_ARG);

    cr_assert_eq(ws_http_write_response(101, "Switching Protocols", hdrs, 1, out, sizeof out, &len),
                 WS_OK);
    cr_assert_str_eq(out, "HTTP/1.1 101 Switching Protocols\r\nA: b\r\n\r\n");
    cr_assert_eq(ws_http_write_response(101, "", NULL, 0, out, sizeof out, &len), WS_OK);
    cr_assert_str_eq(out, "HTTP/1.1 101 \r\n\r\n");
    cr_assert_eq(ws_http_write_response(101, NULL, NULL, 0, out, sizeof out, &len), WS_OK);
    cr_assert_str_eq(out, "HTTP/1.1 101\r\n\r\n");
    cr_assert_eq(ws_http_write_response(1000, "x", NULL, 0, out, sizeof out, &len),
                 WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_http_write_response(101, "x", NULL, 0, out, 10, &len), WS_ERR_BUFFER_TOO_SMALL);
}

/* ---- response checks ------------------------------------------------------------ */

/* "HTTP/1.1 <status> X\r\n" + header lines + "\r\n", parsed, then checked
 * against KEYV and the offers. */
static ws_err check_resp(int status, const char *lines, const char *protos, const char *exts,
                         ws_hs_response_info *info)
{
    static char out[2048];
    int len = snprintf(out, sizeof out, "HTTP/1.1 %d X\r\n%s\r\n", status, lines);
    cr_assert(len > 0 && (size_t)len < sizeof out);
    static ws_http_header h[MAXH];
    ws_http_response resp;
    cr_assert_eq(ws_http_parse_response(out, (size_t)len, DEF, &resp, h, MAXH, NULL), WS_OK);
    return ws_handshake_check_response(&resp, KEYV, protos, exts, info);
}

#define U     "Upgrade: websocket\r\n"
#define C     "Connection: Upgrade\r\n"
#define A     "Sec-WebSocket-Accept: " ACCV "\r\n"
#define UCA   U C A
#define PROTO "Sec-WebSocket-Protocol: "
#define EXT   "Sec-WebSocket-Extensions: "

Test(response, accepted)
{
    ws_hs_response_info info;
    cr_assert_eq(check_resp(101, UCA "Server: x\r\n", NULL, NULL, &info), WS_OK);
    cr_assert_not_null(info.server);
    cr_assert_null(info.protocol);
    cr_assert_null(info.extensions);
    cr_assert_eq(check_resp(101,
                            A "CONNECTION: keep-alive, upgrade\r\nupgrade: WebSocket\r\n" PROTO
                              "chat\r\n",
                            "superchat, chat", NULL, &info),
                 WS_OK);
    cr_assert_eq(info.protocol->value_len, 4);
    cr_assert_eq(check_resp(101, UCA EXT "permessage-deflate; server_no_context_takeover\r\n", NULL,
                            "x-foo, permessage-deflate; client_max_window_bits", &info),
                 WS_OK);
    cr_assert_not_null(info.extensions);
    cr_assert_eq(check_resp(101, UCA EXT "x-foo\r\n" EXT "PerMessage-Deflate\r\n", NULL,
                            "permessage-deflate, x-foo; a=\"1,2\"", &info),
                 WS_OK);

    /* the response builder's output passes too */
    ws_http_header hdrs[3] = {{"Upgrade", 7, "websocket", 9},
                              {"Connection", 10, "Upgrade", 7},
                              {"Sec-WebSocket-Accept", 20, ACCV, WS_ACCEPT_LEN}};
    char out[256];
    size_t len = 0;
    cr_assert_eq(ws_http_write_response(101, "Switching Protocols", hdrs, 3, out, sizeof out, &len),
                 WS_OK);
    response_every_split(out);
    ws_http_response resp;
    ws_http_header h[8];
    cr_assert_eq(ws_http_parse_response(out, len, DEF, &resp, h, 8, NULL), WS_OK);
    cr_assert_eq(ws_handshake_check_response(&resp, KEYV, NULL, NULL, NULL), WS_OK);
}

Test(response, rejected)
{
    static const struct {
        int status;
        const char *lines, *protos, *exts;
        ws_err want;
    } cases[] = {
        {200, UCA, NULL, NULL, WS_ERR_HS_STATUS},
        {426, UCA, NULL, NULL, WS_ERR_HS_STATUS},
        {101, C A, NULL, NULL, WS_ERR_HS_UPGRADE},
        {101, "Upgrade: h2c\r\n" C A, NULL, NULL, WS_ERR_HS_UPGRADE},
        {101, U A, NULL, NULL, WS_ERR_HS_CONNECTION},
        {101, U "Connection: close\r\n" A, NULL, NULL, WS_ERR_HS_CONNECTION},
        {101, U C, NULL, NULL, WS_ERR_HS_ACCEPT},
        {101, U C "Sec-WebSocket-Accept: NoIMAWc3QDTXp1sRBJhBbKjJeuk=\r\n", NULL, NULL,
         WS_ERR_HS_ACCEPT},
        {101, U C "Sec-WebSocket-Accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n", NULL, NULL,
         WS_ERR_HS_ACCEPT},
        {101, U C "Sec-WebSocket-Accept: " ACCV "=\r\n", NULL, NULL, WS_ERR_HS_ACCEPT},
        {101, U C "Sec-WebSocket-Accept:\r\n", NULL, NULL, WS_ERR_HS_ACCEPT},
        {101, UCA A, NULL, NULL, WS_ERR_HS_ACCEPT},
        {101, UCA PROTO "chat\r\n", NULL, NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA PROTO "chat\r\n", "superchat", NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA PROTO "Chat\r\n", "chat", NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA PROTO "chat, superchat\r\n", "chat, superchat", NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA PROTO "chat\r\n" PROTO "chat\r\n", "chat", NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA PROTO "\r\n", "chat", NULL, WS_ERR_HS_PROTOCOL},
        {101, UCA EXT "permessage-deflate\r\n", NULL, NULL, WS_ERR_HS_EXTENSION},
        {101, UCA EXT "x-webkit-deflate-frame\r\n", NULL, "permessage-deflate",
         WS_ERR_HS_EXTENSION},
        {101, UCA EXT "permessage-deflate, x-bar\r\n", NULL, "permessage-deflate",
         WS_ERR_HS_EXTENSION},
        {101, UCA EXT "permessage-deflate\r\n" EXT "x-bar\r\n", NULL, "permessage-deflate",
         WS_ERR_HS_EXTENSION},
        {101, UCA EXT "; a=1\r\n", NULL, "permessage-deflate", WS_ERR_HS_EXTENSION},
        {101, UCA EXT "permessage-deflate x\r\n", NULL, "permessage-deflate", WS_ERR_HS_EXTENSION},
        /* order: status, Upgrade, Connection, Accept, protocol, extensions */
        {200, A, NULL, NULL, WS_ERR_HS_STATUS},
        {101, PROTO "x\r\n", NULL, NULL, WS_ERR_HS_UPGRADE},
        {101, U PROTO "x\r\n", NULL, NULL, WS_ERR_HS_CONNECTION},
        {101, U C PROTO "x\r\n", NULL, NULL, WS_ERR_HS_ACCEPT},
        {101, UCA PROTO "x\r\n" EXT "y\r\n", NULL, NULL, WS_ERR_HS_PROTOCOL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_err e =
            check_resp(cases[i].status, cases[i].lines, cases[i].protos, cases[i].exts, NULL);
        cr_assert_eq(e, cases[i].want, "case %zu: got %s, want %s", i, ws_err_name(e),
                     ws_err_name(cases[i].want));
    }
}

Test(response, invalid_arguments)
{
    ws_http_response resp;
    ws_http_header h[8];
    static const char msg[] = "HTTP/1.1 101 \r\n\r\n";
    cr_assert_eq(ws_http_parse_response(msg, sizeof msg - 1, DEF, &resp, h, 8, NULL), WS_OK);
    cr_assert_eq(ws_handshake_check_response(&resp, NULL, NULL, NULL, NULL), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_handshake_check_response(NULL, KEYV, NULL, NULL, NULL), WS_ERR_INVALID_ARG);
    cr_assert_eq(ws_handshake_check_response(&resp, KEYV, NULL, NULL, NULL), WS_ERR_HS_UPGRADE);
}
