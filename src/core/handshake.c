/*
 * HTTP/1.1 heads and the WebSocket opening handshake (RFC 6455 §4).
 *
 * The parser works in place: every pointer it returns points into the
 * caller's buffer and header fields go into the caller's array. It looks at
 * no more than min(len, max_head) octets and visits each of them a bounded
 * number of times, so a call is linear in its input and a peer that dribbles
 * a huge header line in small pieces costs at most O(max_head) per call.
 *
 * Grammar (RFC 7230 §3), deliberately strict since this is a conformance tool:
 *   request-line = token SP request-target SP HTTP-version EOL
 *   status-line  = HTTP-version SP 3DIGIT [ SP reason-phrase ] EOL
 *   header-field = token ":" OWS field-value OWS EOL
 *   EOL          = CRLF / LF
 * A CR anywhere but directly before LF, NUL and other controls (except HTAB)
 * are syntax errors; a line starting with SP/HTAB is obs-fold.
 */
#include "wsspec/handshake.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define GUID_LEN (sizeof(WS_GUID) - 1)

/* ---- character classes ------------------------------------------------- */

/* RFC 7230 tchar: the characters of a token (header names, methods). */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* field-vchar / SP / HTAB / obs-text: everything but CTLs other than HTAB. */
static bool is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* ASCII case-insensitive equality of two counted strings. */
static bool ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen) return false;
    for (size_t i = 0; i < alen; i++)
        if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i])) return false;
    return true;
}

/* ---- head parsing ------------------------------------------------------- */

typedef struct {
    const char *buf;
    size_t pos;
    size_t end; /* min(len, max_head): nothing past it is ever read */
} cursor;

/*
 * Take the next line from the window: WS_OK with a complete line (*line
 * excludes the CRLF or LF; a lone CR stays in and is rejected later), or
 * WS_INCOMPLETE with the partial rest of the window, minus a final CR that
 * may be the start of a CRLF. Partial lines are validated as far as they go
 * so that garbage (a TLS ClientHello, binary) fails at once, not at max_head.
 */
static ws_err next_line(cursor *c, const char **line, size_t *line_len)
{
    if (c->pos >= c->end) {
        *line = c->buf;
        *line_len = 0;
        return WS_INCOMPLETE;
    }
    const char *start = c->buf + c->pos;
    size_t avail = c->end - c->pos;
    const char *lf = memchr(start, '\n', avail);
    size_t n = lf ? (size_t)(lf - start) : avail;
    if (lf) c->pos += n + 1;
    if (n > 0 && start[n - 1] == '\r') n--;
    *line = start;
    *line_len = n;
    return lf ? WS_OK : WS_INCOMPLETE;
}

/* What running out of line means: an error for a complete line, "more
 * input" for a partial one. */
#define RAN_OUT(complete) ((complete) ? WS_ERR_HTTP_SYNTAX : WS_INCOMPLETE)

/* "HTTP/" DIGIT "." DIGIT (RFC 7230 §2.6), the start of p[0..n). */
static ws_err match_version(const char *p, size_t n, bool complete, int *major, int *minor)
{
    static const char pattern[] = "HTTP/#.#";
    for (size_t i = 0; i < 8; i++) {
        if (i == n) return RAN_OUT(complete);
        bool ok = pattern[i] == '#' ? (p[i] >= '0' && p[i] <= '9') : p[i] == pattern[i];
        if (!ok) return WS_ERR_HTTP_SYNTAX;
    }
    *major = p[5] - '0';
    *minor = p[7] - '0';
    return WS_OK;
}

/* token ":" OWS value OWS, value stored without the surrounding OWS. */
static ws_err parse_header_line(const char *p, size_t n, bool complete, ws_http_header *h)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == n) return RAN_OUT(complete);
    if (i == 0 || p[i] != ':')
        return WS_ERR_HTTP_SYNTAX; /* empty name, bad octet, or space before ':' */
    h->name = p;
    h->name_len = i;
    i++;
    while (i < n && is_ows((unsigned char)p[i]))
        i++;
    size_t vstart = i, vend = i;
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!is_field_char(ch)) return WS_ERR_HTTP_SYNTAX;
        if (!is_ows(ch)) vend = i + 1;
    }
    h->value = p + vstart;
    h->value_len = vend - vstart;
    return complete ? WS_OK : WS_INCOMPLETE;
}

/* Header lines up to and including the empty line that ends the head. */
static ws_err parse_headers(cursor *c, ws_http_header *headers, size_t max_headers, size_t *num)
{
    *num = 0;
    for (;;) {
        /* A continuation line is reported as soon as its first octet is seen. */
        if (c->pos < c->end && is_ows((unsigned char)c->buf[c->pos])) return WS_ERR_HTTP_OBS_FOLD;
        const char *line;
        size_t n;
        ws_err e = next_line(c, &line, &n);
        if (n == 0) return e; /* the empty line (WS_OK), or nothing of the next line yet */
        if (*num == max_headers) return WS_ERR_HTTP_TOO_MANY_HEADERS;
        e = parse_header_line(line, n, e == WS_OK, &headers[*num]);
        if (e != WS_OK) return e;
        (*num)++;
    }
}

/* Running out of window means "incomplete" below max_head, "too large" at it. */
static ws_err finish(ws_err e, const cursor *c, size_t len, size_t max_head, size_t *head_len)
{
    if (e == WS_INCOMPLETE && len >= max_head) return WS_ERR_HTTP_TOO_LARGE;
    if (e == WS_OK && head_len) *head_len = c->pos;
    return e;
}

/* method SP request-target SP HTTP-version. */
static ws_err parse_request_line(const char *p, size_t n, bool complete, ws_http_request *req)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == n) return RAN_OUT(complete);
    if (i == 0 || p[i] != ' ') return WS_ERR_HTTP_SYNTAX;
    req->method = p;
    req->method_len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] != 0x7f)
        i++;
    if (i == n) return RAN_OUT(complete);
    if (i == t || p[i] != ' ') return WS_ERR_HTTP_SYNTAX;
    req->target = p + t;
    req->target_len = i - t;
    i++;
    ws_err e = match_version(p + i, n - i, complete, &req->version_major, &req->version_minor);
    if (e != WS_OK) return e;
    if (n - i != 8) return WS_ERR_HTTP_SYNTAX;
    return complete ? WS_OK : WS_INCOMPLETE;
}

ws_err ws_http_parse_request(const char *buf, size_t len, size_t max_head, ws_http_request *req,
                             ws_http_header *headers, size_t max_headers, size_t *head_len)
{
    if (!req || (!buf && len) || (!headers && max_headers)) return WS_ERR_INVALID_ARG;
    memset(req, 0, sizeof *req);
    req->headers = headers;
    cursor c = {buf, 0, len < max_head ? len : max_head};
    const char *line;
    size_t n;
    ws_err e;
    /* RFC 7230 §3.5: ignore empty lines received before the request-line. */
    do {
        e = next_line(&c, &line, &n);
    } while (e == WS_OK && n == 0);
    if (n > 0) e = parse_request_line(line, n, e == WS_OK, req);
    if (e == WS_OK) e = parse_headers(&c, headers, max_headers, &req->num_headers);
    return finish(e, &c, len, max_head, head_len);
}

/* HTTP-version SP 3DIGIT [ SP reason-phrase ]; the reason may be empty. */
static ws_err parse_status_line(const char *p, size_t n, bool complete, ws_http_response *resp)
{
    ws_err e = match_version(p, n, complete, &resp->version_major, &resp->version_minor);
    if (e != WS_OK) return e;
    if (n == 8) return RAN_OUT(complete);
    if (p[8] != ' ') return WS_ERR_HTTP_SYNTAX;
    int status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (i == n) return RAN_OUT(complete);
        if (p[i] < '0' || p[i] > '9') return WS_ERR_HTTP_SYNTAX;
        status = status * 10 + (p[i] - '0');
    }
    resp->status = status;
    resp->reason = p + n; /* empty unless there is one */
    resp->reason_len = 0;
    if (n > 12) {
        if (p[12] != ' ') return WS_ERR_HTTP_SYNTAX;
        for (size_t i = 13; i < n; i++)
            if (!is_field_char((unsigned char)p[i])) return WS_ERR_HTTP_SYNTAX;
        resp->reason = p + 13;
        resp->reason_len = n - 13;
    }
    return complete ? WS_OK : WS_INCOMPLETE;
}

ws_err ws_http_parse_response(const char *buf, size_t len, size_t max_head, ws_http_response *resp,
                              ws_http_header *headers, size_t max_headers, size_t *head_len)
{
    if (!resp || (!buf && len) || (!headers && max_headers)) return WS_ERR_INVALID_ARG;
    memset(resp, 0, sizeof *resp);
    resp->headers = headers;
    cursor c = {buf, 0, len < max_head ? len : max_head};
    const char *line;
    size_t n;
    ws_err e = next_line(&c, &line, &n);
    if (n > 0 || e == WS_OK) e = parse_status_line(line, n, e == WS_OK, resp);
    if (e == WS_OK) e = parse_headers(&c, headers, max_headers, &resp->num_headers);
    return finish(e, &c, len, max_head, head_len);
}

/* ---- header lookup and lists -------------------------------------------- */

const ws_http_header *ws_http_find(const ws_http_header *headers, size_t n, const char *name,
                                   size_t *count)
{
    const ws_http_header *first = NULL;
    size_t cnt = 0;
    if (headers && name) {
        size_t name_len = strlen(name);
        for (size_t i = 0; i < n; i++) {
            if (ieq(headers[i].name, headers[i].name_len, name, name_len)) {
                if (!first) first = &headers[i];
                cnt++;
            }
        }
    }
    if (count) *count = cnt;
    return first;
}

typedef struct {
    const char *p;
    const char *end;
} list_iter;

/*
 * Next non-empty element of a comma-separated list (RFC 7230 §7), with the
 * surrounding OWS removed. Commas inside a quoted-string do not split (they
 * can occur in extension parameters). Returns false when the list is done.
 */
static bool list_next(list_iter *it, const char **elem, size_t *elem_len)
{
    while (it->p < it->end) {
        const char *s = it->p;
        bool quoted = false;
        while (it->p < it->end && (quoted || *it->p != ',')) {
            if (*it->p == '"')
                quoted = !quoted;
            else if (quoted && *it->p == '\\' && it->p + 1 < it->end)
                it->p++;
            it->p++;
        }
        const char *e = it->p;
        if (it->p < it->end) it->p++; /* the comma */
        while (s < e && is_ows((unsigned char)*s))
            s++;
        while (e > s && is_ows((unsigned char)e[-1]))
            e--;
        if (e > s) {
            *elem = s;
            *elem_len = (size_t)(e - s);
            return true;
        }
    }
    return false;
}

bool ws_http_has_token(const ws_http_header *headers, size_t n, const char *name, const char *token)
{
    if (!headers || !name || !token) return false;
    size_t name_len = strlen(name), token_len = strlen(token);
    for (size_t i = 0; i < n; i++) {
        if (!ieq(headers[i].name, headers[i].name_len, name, name_len)) continue;
        list_iter it = {headers[i].value, headers[i].value + headers[i].value_len};
        const char *el;
        size_t el_len;
        while (list_next(&it, &el, &el_len))
            if (ieq(el, el_len, token, token_len)) return true;
    }
    return false;
}

/* ---- keys ---------------------------------------------------------------- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/*
 * Decoded length of strict base64 (RFC 4648 §4: standard alphabet, padded to a
 * multiple of 4, '=' only as the last one or two characters, no whitespace),
 * or -1 if s is not that. Non-zero bits in the last character before the
 * padding are accepted (RFC 4648 §3.5 lets decoders choose): the value still
 * decodes to the same number of octets, which is all RFC 6455 asks about.
 */
static long b64_decoded_len(const char *s, size_t n)
{
    if (n % 4 != 0) return -1;
    size_t pad = 0;
    if (n >= 4 && s[n - 1] == '=') pad = s[n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < n - pad; i++)
        if (b64_value((unsigned char)s[i]) < 0) return -1;
    return (long)(n / 4 * 3 - pad);
}

/* Sec-WebSocket-Key: base64 that decodes to exactly 16 octets (§4.2.1 item 5). */
static bool key_valid(const char *v, size_t n)
{
    return n == WS_KEY_LEN && b64_decoded_len(v, n) == 16;
}

/* SHA-1 of key + GUID for keys too long for the stack buffer (never for real keys). */
static bool sha1_long_key(const char *key, size_t key_len, unsigned char *digest)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
              EVP_DigestUpdate(ctx, key, key_len) && EVP_DigestUpdate(ctx, WS_GUID, GUID_LEN) &&
              EVP_DigestFinal_ex(ctx, digest, NULL);
    EVP_MD_CTX_free(ctx);
    return ok;
}

/*
 * base64(SHA-1(key + GUID)) (§1.3, §4.2.2). The key is hashed as given, valid
 * or not, so a client can verify a server's answer to a mangled key. If
 * OpenSSL fails (only possible for keys over ~200 octets) out is filled with
 * '!', which matches no real accept value.
 */
void ws_accept_key(const char *key, size_t key_len, char out[WS_ACCEPT_LEN + 1])
{
    unsigned char digest[SHA_DIGEST_LENGTH];
    unsigned char buf[256];
    if (key_len <= sizeof buf - GUID_LEN) {
        if (key_len) memcpy(buf, key, key_len);
        memcpy(buf + key_len, WS_GUID, GUID_LEN);
        SHA1(buf, key_len + GUID_LEN, digest);
    } else if (!sha1_long_key(key, key_len, digest)) {
        memset(out, '!', WS_ACCEPT_LEN);
        out[WS_ACCEPT_LEN] = '\0';
        return;
    }
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
}

void ws_make_key(const uint8_t nonce[16], char out[WS_KEY_LEN + 1])
{
    EVP_EncodeBlock((unsigned char *)out, nonce, 16);
}

/* ---- handshake checks ----------------------------------------------------- */

ws_err ws_handshake_check_request(const ws_http_request *req, ws_hs_request_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    if (!req || (!req->headers && req->num_headers)) return WS_ERR_INVALID_ARG;
    const ws_http_header *h = req->headers;
    size_t n = req->num_headers, count;

    if (req->method_len != 3 || memcmp(req->method, "GET", 3) != 0)
        return WS_ERR_HS_METHOD; /* methods are case-sensitive (RFC 7231 §4.1) */
    if (req->version_major < 1 || (req->version_major == 1 && req->version_minor < 1))
        return WS_ERR_HS_HTTP_VERSION;
    const ws_http_header *host = ws_http_find(h, n, "Host", &count);
    if (count != 1 || host->value_len == 0) return WS_ERR_HS_HOST;
    if (!ws_http_has_token(h, n, "Upgrade", "websocket")) return WS_ERR_HS_UPGRADE;
    if (!ws_http_has_token(h, n, "Connection", "Upgrade")) return WS_ERR_HS_CONNECTION;
    const ws_http_header *key = ws_http_find(h, n, "Sec-WebSocket-Key", &count);
    if (count != 1 || !key_valid(key->value, key->value_len)) return WS_ERR_HS_KEY;
    const ws_http_header *ver = ws_http_find(h, n, "Sec-WebSocket-Version", &count);
    if (count != 1 || ver->value_len != 2 || memcmp(ver->value, "13", 2) != 0)
        return WS_ERR_HS_VERSION;

    if (info) {
        info->key = key->value;
        info->key_len = key->value_len;
        info->protocols = ws_http_find(h, n, "Sec-WebSocket-Protocol", NULL);
        info->extensions = ws_http_find(h, n, "Sec-WebSocket-Extensions", NULL);
        info->host = host;
        info->origin = ws_http_find(h, n, "Origin", NULL);
    }
    return WS_OK;
}

/* The name of one extension list element: the token before any ';' params. */
static bool extension_name(const char *el, size_t el_len, const char **name, size_t *name_len)
{
    size_t i = 0;
    while (i < el_len && is_tchar((unsigned char)el[i]))
        i++;
    size_t j = i;
    while (j < el_len && is_ows((unsigned char)el[j]))
        j++;
    if (i == 0 || (j < el_len && el[j] != ';')) return false;
    *name = el;
    *name_len = i;
    return true;
}

/* True if `name` is the name of one of the extensions in the offered list. */
static bool extension_offered(const char *offered, const char *name, size_t name_len)
{
    list_iter it = {offered, offered + strlen(offered)};
    const char *el, *oname;
    size_t el_len, oname_len;
    while (list_next(&it, &el, &el_len))
        if (extension_name(el, el_len, &oname, &oname_len) && ieq(oname, oname_len, name, name_len))
            return true;
    return false;
}

/* True if the selected subprotocol is, byte for byte, one of the offered. */
static bool protocol_offered(const char *offered, const char *value, size_t value_len)
{
    if (!offered) return false;
    list_iter it = {offered, offered + strlen(offered)};
    const char *el;
    size_t el_len;
    while (list_next(&it, &el, &el_len))
        if (el_len == value_len && memcmp(el, value, value_len) == 0) return true;
    return false;
}

ws_err ws_handshake_check_response(const ws_http_response *resp, const char *key,
                                   const char *offered_protocols, const char *offered_extensions,
                                   ws_hs_response_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    if (!resp || !key || (!resp->headers && resp->num_headers)) return WS_ERR_INVALID_ARG;
    const ws_http_header *h = resp->headers;
    size_t n = resp->num_headers, count;

    if (resp->status != 101) return WS_ERR_HS_STATUS;
    if (!ws_http_has_token(h, n, "Upgrade", "websocket")) return WS_ERR_HS_UPGRADE;
    if (!ws_http_has_token(h, n, "Connection", "Upgrade")) return WS_ERR_HS_CONNECTION;
    char expected[WS_ACCEPT_LEN + 1];
    ws_accept_key(key, strlen(key), expected);
    const ws_http_header *acc = ws_http_find(h, n, "Sec-WebSocket-Accept", &count);
    if (count != 1 || acc->value_len != WS_ACCEPT_LEN ||
        memcmp(acc->value, expected, WS_ACCEPT_LEN) != 0)
        return WS_ERR_HS_ACCEPT;

    const ws_http_header *proto = ws_http_find(h, n, "Sec-WebSocket-Protocol", &count);
    if (proto &&
        (count != 1 || !protocol_offered(offered_protocols, proto->value, proto->value_len)))
        return WS_ERR_HS_PROTOCOL;

    const ws_http_header *ext = ws_http_find(h, n, "Sec-WebSocket-Extensions", NULL);
    for (size_t i = 0; ext && i < n; i++) {
        if (!ieq(h[i].name, h[i].name_len, ext->name, ext->name_len)) continue;
        list_iter it = {h[i].value, h[i].value + h[i].value_len};
        const char *el, *name;
        size_t el_len, name_len;
        while (list_next(&it, &el, &el_len))
            if (!offered_extensions || !extension_name(el, el_len, &name, &name_len) ||
                !extension_offered(offered_extensions, name, name_len))
                return WS_ERR_HS_EXTENSION;
    }

    if (info) {
        info->protocol = proto;
        info->extensions = ext;
        info->server = ws_http_find(h, n, "Server", NULL);
    }
    return WS_OK;
}

/* ---- building --------------------------------------------------------------- */

static void add_header(ws_http_header *hdrs, size_t cap, size_t *n, const char *name,
                       const char *value)
{
    if (!value || *n >= cap) return;
    hdrs[*n] = (ws_http_header){name, strlen(name), value, strlen(value)};
    (*n)++;
}

/*
 * NULL host or key are left out (a deliberately incomplete request). With
 * every optional argument set there are 9 headers; entries past `cap` are
 * dropped, never written, and the return value counts what was written.
 */
size_t ws_handshake_default_headers(ws_http_header *hdrs, size_t cap, const char *host,
                                    const char *key, const char *protocols, const char *extensions,
                                    const char *origin, const char *user_agent)
{
    size_t n = 0;
    if (!hdrs) return 0;
    add_header(hdrs, cap, &n, "Host", host);
    add_header(hdrs, cap, &n, "Upgrade", "websocket");
    add_header(hdrs, cap, &n, "Connection", "Upgrade");
    add_header(hdrs, cap, &n, "Sec-WebSocket-Key", key);
    add_header(hdrs, cap, &n, "Sec-WebSocket-Version", "13");
    add_header(hdrs, cap, &n, "Sec-WebSocket-Protocol", protocols);
    add_header(hdrs, cap, &n, "Sec-WebSocket-Extensions", extensions);
    add_header(hdrs, cap, &n, "Origin", origin);
    add_header(hdrs, cap, &n, "User-Agent", user_agent);
    return n;
}

typedef struct {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} out_buf;

static void put(out_buf *w, const char *s, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n) memcpy(w->out + w->len, s, n);
    w->len += n;
}

static void put_str(out_buf *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Headers as "name: value\r\n" (bytes exactly as given), the empty line, a NUL. */
static ws_err put_headers_and_finish(out_buf *w, const ws_http_header *hdrs, size_t n, size_t *len)
{
    for (size_t i = 0; i < n; i++) {
        if ((!hdrs[i].name && hdrs[i].name_len) || (!hdrs[i].value && hdrs[i].value_len))
            return WS_ERR_INVALID_ARG;
        put(w, hdrs[i].name, hdrs[i].name_len);
        put(w, ": ", 2);
        put(w, hdrs[i].value, hdrs[i].value_len);
        put(w, "\r\n", 2);
    }
    put(w, "\r\n", 2);
    if (w->overflow || w->len >= w->cap) return WS_ERR_BUFFER_TOO_SMALL;
    w->out[w->len] = '\0';
    if (len) *len = w->len;
    return WS_OK;
}

ws_err ws_http_write_request(const char *method, const char *target, const char *version,
                             const ws_http_header *hdrs, size_t n, char *out, size_t cap,
                             size_t *len)
{
    if (!method || !target || !version || (!hdrs && n) || (!out && cap)) return WS_ERR_INVALID_ARG;
    out_buf w = {out, cap, 0, false};
    put_str(&w, method);
    put(&w, " ", 1);
    put_str(&w, target);
    put(&w, " ", 1);
    put_str(&w, version);
    put(&w, "\r\n", 2);
    return put_headers_and_finish(&w, hdrs, n, len);
}

/* status must be 0-999 and is written as 3 digits. A NULL reason writes
 * "HTTP/1.1 101\r\n" (no SP); "" writes "HTTP/1.1 101 \r\n". */
ws_err ws_http_write_response(int status, const char *reason, const ws_http_header *hdrs, size_t n,
                              char *out, size_t cap, size_t *len)
{
    if (status < 0 || status > 999 || (!hdrs && n) || (!out && cap)) return WS_ERR_INVALID_ARG;
    char line[16];
    snprintf(line, sizeof line, "HTTP/1.1 %03d", status);
    out_buf w = {out, cap, 0, false};
    put_str(&w, line);
    if (reason) {
        put(&w, " ", 1);
        put_str(&w, reason);
    }
    put(&w, "\r\n", 2);
    return put_headers_and_finish(&w, hdrs, n, len);
}
