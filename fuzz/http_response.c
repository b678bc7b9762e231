/*
 * Fuzz target: the HTTP response-head parser and the client-side opening
 * handshake check (ws_http_parse_response, ws_handshake_check_response),
 * plus ws_http_has_token against a reference token-list reader.
 *
 * Input: byte 0 picks what the client offered (bits 0-1: subprotocols,
 * bits 2-3: extensions, see the tables below); the rest is the response
 * head. The key is the RFC 6455 §1.3 example "dGhlIHNhbXBsZSBub25jZQ==".
 * Checked:
 *  - limits and pointers as for requests; prefixes of an accepted head are
 *    WS_INCOMPLETE;
 *  - ws_http_has_token agrees with the reference for Upgrade/Connection and
 *    a few tokens (RFC 7230 §7 lists: commas outside quoted-strings split,
 *    OWS around elements ignored, empty elements skipped, tokens compare
 *    case-insensitively);
 *  - an accepted handshake is status 101, with the websocket/Upgrade tokens,
 *    exactly one correct Sec-WebSocket-Accept, and a subprotocol only if it
 *    was offered, byte for byte (§4.1 items 1-6).
 */
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "wsspec/handshake.h"

#define MAXH 32
static const char KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char *const protocols[4] = {NULL, "chat", "chat, superchat", "v1, \"a,b\" ,v2"};
static const char *const extensions[4] = {NULL, "permessage-deflate",
                                          "permessage-deflate; client_max_window_bits, foo",
                                          "x-webkit-deflate-frame"};
static const char *const tokens[4] = {"websocket", "Upgrade", "keep-alive", "chat"};

/* Reference: is `tok` one element of the comma-separated list v[0..n)? */
static bool ref_has(const char *v, size_t n, const char *tok, bool exact)
{
    size_t i = 0, tl = strlen(tok);
    while (i <= n) {
        size_t s = i;
        bool q = false;
        for (; i < n && (q || v[i] != ','); i++) {
            if (v[i] == '"')
                q = !q;
            else if (q && v[i] == '\\' && i + 1 < n)
                i++;
        }
        size_t e = i++;
        while (s < e && (v[s] == ' ' || v[s] == '\t'))
            s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && (exact ? memcmp(v + s, tok, tl) : strncasecmp(v + s, tok, tl)) == 0)
            return true;
    }
    return false;
}

static bool name_is(const char *s, size_t n, const char *name)
{
    return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

/* Length of the prefix of s[0..n) made of characters from `set`. */
static size_t span(const char *s, size_t n, const char *set)
{
    size_t i = 0;
    while (i < n && s[i] && strchr(set, s[i]))
        i++;
    return i;
}

static bool ref_has_token(const ws_http_response *r, const char *name, const char *tok)
{
    for (size_t i = 0; i < r->num_headers; i++) {
        const ws_http_header *h = &r->headers[i];
        if (name_is(h->name, h->name_len, name) && ref_has(h->value, h->value_len, tok, false))
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *offered_p = protocols[data[0] & 3], *offered_x = extensions[(data[0] >> 2) & 3];
    const char *buf = (const char *)data + 1;
    size_t len = size - 1, head_len = 0, max_head = WS_HTTP_DEFAULT_MAX_HEAD;
    ws_http_response resp, r2;
    ws_http_header hdrs[MAXH], h2[MAXH];
    ws_err e = ws_http_parse_response(buf, len, max_head, &resp, hdrs, MAXH, &head_len);
    if (e == WS_INCOMPLETE)
        FZ_CHECK(len < max_head);
    if (e != WS_OK)
        return 0;
    FZ_CHECK(head_len > 0 && head_len <= len && resp.num_headers <= MAXH);
    FZ_CHECK(resp.status >= 0 && resp.status <= 999);
    size_t n2;
    for (size_t cut = head_len - 1; cut<head_len; cut = cut> 8 ? cut / 3 : head_len) {
        FZ_CHECK(ws_http_parse_response(buf, cut, max_head, &r2, h2, MAXH, &n2) == WS_INCOMPLETE);
    }
    for (size_t i = 0; i < resp.num_headers; i++) {
        const ws_http_header *h = &resp.headers[i];
        FZ_CHECK(h->name >= buf && h->name + h->name_len <= buf + head_len && h->name_len > 0);
        FZ_CHECK(h->value_len == 0 ||
                 (h->value >= buf && h->value + h->value_len <= buf + head_len));
    }
    for (int t = 0; t < 4; t++) {
        FZ_CHECK(ws_http_has_token(resp.headers, resp.num_headers, "Upgrade", tokens[t]) ==
                 ref_has_token(&resp, "Upgrade", tokens[t]));
        FZ_CHECK(ws_http_has_token(resp.headers, resp.num_headers, "Connection", tokens[t]) ==
                 ref_has_token(&resp, "Connection", tokens[t]));
    }

    ws_hs_response_info info;
    if (ws_handshake_check_response(&resp, KEY, offered_p, offered_x, &info) != WS_OK)
        return 0;
    FZ_CHECK(resp.status == 101);
    FZ_CHECK(ref_has_token(&resp, "Upgrade", "websocket"));
    FZ_CHECK(ref_has_token(&resp, "Connection", "Upgrade"));
    size_t count;
    const ws_http_header *acc =
        ws_http_find(resp.headers, resp.num_headers, "Sec-WebSocket-Accept", &count);
    FZ_CHECK(count == 1 && acc->value_len == WS_ACCEPT_LEN &&
             memcmp(acc->value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WS_ACCEPT_LEN) == 0);
    if (info.protocol) {
        FZ_CHECK(offered_p != NULL);
        char sel[64];
        size_t n = info.protocol->value_len < 63 ? info.protocol->value_len : 63;
        memcpy(sel, info.protocol->value, n);
        sel[n] = 0;
        FZ_CHECK(n == info.protocol->value_len && ref_has(offered_p, strlen(offered_p), sel, true));
    }
    /* Unoffered: only an empty list may come back (it selects nothing, §4.1 item 5). */
    for (size_t i = 0; !offered_x && i < resp.num_headers; i++)
        if (name_is(resp.headers[i].name, resp.headers[i].name_len, "Sec-WebSocket-Extensions"))
            FZ_CHECK(span(resp.headers[i].value, resp.headers[i].value_len, ", \t") ==
                     resp.headers[i].value_len);
    return 0;
}
