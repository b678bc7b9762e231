/*
 * Fuzz target: the HTTP request-head parser and the server-side opening
 * handshake check (ws_http_parse_request, ws_handshake_check_request).
 *
 * Input: byte 0 picks the limits (bits 0-1: max_head 64/512/4096/16384,
 * bits 2-7: max_headers 1-64); the rest is the request head. Checked:
 *  - results are within limits: head_len <= len and <= max_head,
 *    num_headers <= max_headers, every pointer lies inside the input,
 *    header values carry no leading/trailing whitespace;
 *  - incremental: every shorter prefix of an accepted head is WS_INCOMPLETE,
 *    and the head alone parses to the same result (§4.2.1 reads a stream);
 *  - an accepted handshake has one 24-character key, and the 101 response
 *    wsspec would write for it (Sec-WebSocket-Accept from ws_accept_key)
 *    passes the client-side check (§4.2.2 / §4.1 agree with each other).
 */
#include <string.h>

#include "fuzz_common.h"
#include "wsspec/handshake.h"

#define MAXH 64

static bool inside(const char *p, size_t n, const char *buf, size_t len)
{
    return n == 0 || (p >= buf && n <= len && (size_t)(p - buf) <= len - n);
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

static void respond(const ws_hs_request_info *info)
{
    char key[WS_KEY_LEN + 1], accept[WS_ACCEPT_LEN + 1], out[512];
    FZ_CHECK(info->key_len == WS_KEY_LEN);
    memcpy(key, info->key, WS_KEY_LEN);
    key[WS_KEY_LEN] = 0;
    ws_accept_key(key, WS_KEY_LEN, accept);
    ws_http_header h[3] = {{"Upgrade", 7, "websocket", 9},
                           {"Connection", 10, "Upgrade", 7},
                           {"Sec-WebSocket-Accept", 20, accept, WS_ACCEPT_LEN}};
    size_t len, head_len;
    FZ_CHECK(ws_http_write_response(101, "Switching Protocols", h, 3, out, sizeof out, &len) ==
             WS_OK);
    ws_http_response resp;
    ws_http_header rh[8];
    FZ_CHECK(ws_http_parse_response(out, len, sizeof out, &resp, rh, 8, &head_len) == WS_OK);
    FZ_CHECK(head_len == len && resp.status == 101 && resp.num_headers == 3);
    FZ_CHECK(ws_handshake_check_response(&resp, key, NULL, NULL, NULL) == WS_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const size_t heads[4] = {64, 512, 4096, WS_HTTP_DEFAULT_MAX_HEAD};
    size_t max_head = heads[data[0] & 3], max_headers = (size_t)(data[0] >> 2) + 1;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1, head_len = 0;
    ws_http_request req;
    ws_http_header hdrs[MAXH];
    ws_err e = ws_http_parse_request(buf, len, max_head, &req, hdrs, max_headers, &head_len);
    if (e == WS_INCOMPLETE)
        FZ_CHECK(len < max_head);
    if (e != WS_OK)
        return 0;

    FZ_CHECK(head_len > 0 && head_len <= len && head_len <= max_head &&
             req.num_headers <= max_headers);
    FZ_CHECK(inside(req.method, req.method_len, buf, head_len) && req.method_len > 0);
    FZ_CHECK(inside(req.target, req.target_len, buf, head_len) && req.target_len > 0);
    for (size_t i = 0; i < req.num_headers; i++) {
        const ws_http_header *h = &req.headers[i];
        FZ_CHECK(h->name_len > 0 && inside(h->name, h->name_len, buf, head_len));
        FZ_CHECK(inside(h->value, h->value_len, buf, head_len));
        FZ_CHECK(h->value_len == 0 || (!ows(h->value[0]) && !ows(h->value[h->value_len - 1])));
    }

    size_t n2;
    ws_http_request r2;
    ws_http_header h2[MAXH];
    FZ_CHECK(ws_http_parse_request(buf, head_len, max_head, &r2, h2, max_headers, &n2) == WS_OK);
    FZ_CHECK(n2 == head_len && r2.num_headers == req.num_headers);
    size_t cuts[3] = {head_len - 1, head_len / 2, (size_t)data[0] % head_len};
    for (int i = 0; i < 3; i++)
        FZ_CHECK(ws_http_parse_request(buf, cuts[i], max_head, &r2, h2, max_headers, &n2) ==
                 WS_INCOMPLETE);

    ws_hs_request_info info;
    if (ws_handshake_check_request(&req, &info) == WS_OK)
        respond(&info);
    return 0;
}
