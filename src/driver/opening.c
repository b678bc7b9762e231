/* The opening handshake as the client (RFC 6455 §4.1): the standard
 * request, or a case's deliberate variant of it, and the check of the
 * server's answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/session.h"
#include "wsspec/handshake.h"

#define OPEN_TIMEOUT_MS 5000

typedef struct {
    char *data;
    size_t len, cap;
    bool oom;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void puts_(text_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Copy `raw`, replacing {host} and {key}. */
static void put_raw(text_buf *b, const char *raw, const char *host, const char *key)
{
    for (const char *p = raw; *p;) {
        if (strncmp(p, "{host}", 6) == 0) {
            puts_(b, host);
            p += 6;
        } else if (strncmp(p, "{key}", 5) == 0) {
            puts_(b, key);
            p += 5;
        } else {
            put(b, p++, 1);
        }
    }
}

static void put_header(text_buf *b, const char *name, const char *value, bool odd_case)
{
    for (size_t i = 0; name[i]; i++) {
        char c = name[i];
        if (odd_case && c >= 'a' && c <= 'z' && i % 2 == 0)
            c = (char)(c - 'a' + 'A');
        else if (odd_case && c >= 'A' && c <= 'Z' && i % 2 == 1)
            c = (char)(c - 'A' + 'a');
        put(b, &c, 1);
    }
    puts_(b, ": ");
    puts_(b, value);
    puts_(b, "\r\n");
}

/* The request head for the case's variant (or the standard one). */
static void build_request(ws_session *s, const char *host, const char *resource, const char *key,
                          text_buf *b)
{
    const ws_hs_request *hs = s->plan->c->hs;
    static const ws_hs_request standard = {0};
    if (!hs)
        hs = &standard;
    if (hs->raw) {
        put_raw(b, hs->raw, host, key);
        return;
    }
    const char *protocols = hs->protocols ? hs->protocols : s->t->protocols;
    struct {
        unsigned bit;
        const char *name, *value;
    } std[] = {
        {WS_HDR_HOST, "Host", host},
        {WS_HDR_UPGRADE, "Upgrade", hs->upgrade ? hs->upgrade : "websocket"},
        {WS_HDR_CONNECTION, "Connection", hs->connection ? hs->connection : "Upgrade"},
        {WS_HDR_KEY, "Sec-WebSocket-Key", hs->key ? hs->key : key},
        {WS_HDR_VERSION, "Sec-WebSocket-Version", hs->version ? hs->version : "13"},
        {0, "Sec-WebSocket-Protocol", protocols},
        {0, "Sec-WebSocket-Extensions", hs->extensions ? hs->extensions : s->plan->c->pmd_offer},
        {0, "Origin", s->t->origin},
        {0, "User-Agent", "wsspec/" WSSPEC_VERSION},
    };
    size_t n = sizeof std / sizeof *std;
    puts_(b, hs->method ? hs->method : "GET");
    puts_(b, " ");
    puts_(b, resource);
    puts_(b, " ");
    puts_(b, hs->http ? hs->http : "HTTP/1.1");
    puts_(b, "\r\n");
    for (size_t k = 0; k < n; k++) {
        size_t i = hs->odd_case ? n - 1 - k : k;
        if ((std[i].bit & hs->omit) || !std[i].value)
            continue;
        put_header(b, std[i].name, std[i].value, hs->odd_case);
    }
    char line[64];
    for (size_t i = 0; i < hs->filler_headers && !b->oom; i++) {
        int len = snprintf(line, sizeof line, "X-Filler-%zu: x\r\n", i);
        put(b, line, (size_t)len);
    }
    if (hs->long_value) {
        const char *fill = hs->long_fill ? hs->long_fill : "a";
        size_t fl = strlen(fill);
        puts_(b, hs->long_name ? hs->long_name : "X-Long");
        puts_(b, ": ");
        for (size_t i = 0; i < hs->long_value && !b->oom; i += fl)
            put(b, fill, hs->long_value - i < fl ? hs->long_value - i : fl);
        puts_(b, "\r\n");
    }
    if (hs->extra)
        puts_(b, hs->extra);
    puts_(b, "\r\n");
}

static bool fail_open(ws_session *s, const char *fmt, const char *detail)
{
    snprintf(s->res->reason, sizeof s->res->reason, fmt, detail);
    return false;
}

/* Write the request, in chops if the case asks for them. */
static ws_err write_request(ws_session *s, const text_buf *req, const uint8_t *extra,
                            size_t extra_len, int64_t deadline)
{
    const ws_hs_request *hs = s->plan->c->hs;
    size_t chop = hs && hs->chop ? hs->chop : 0;
    ws_err e = WS_OK;
    if (extra_len && !chop) {
        /* The first frame shares the request's TCP write. */
        uint8_t *both = malloc(req->len + extra_len);
        if (!both)
            return WS_ERR_NOMEM;
        memcpy(both, req->data, req->len);
        memcpy(both + req->len, extra, extra_len);
        ws_result_record_tx(s->res, both, req->len + extra_len, ws_now_ns());
        e = ws_conn_write(s->conn, both, req->len + extra_len, deadline);
        free(both);
        return e;
    }
    if (!chop)
        chop = req->len;
    for (size_t off = 0; off < req->len && e == WS_OK; off += chop) {
        size_t n = req->len - off < chop ? req->len - off : chop;
        ws_result_record_tx(s->res, (const uint8_t *)req->data + off, n, ws_now_ns());
        e = ws_conn_write(s->conn, req->data + off, n, deadline);
    }
    if (e == WS_OK && extra_len) {
        ws_result_record_tx(s->res, extra, extra_len, ws_now_ns());
        e = ws_conn_write(s->conn, extra, extra_len, deadline);
    }
    return e;
}

bool ws_session_open(ws_session *s, const uint8_t *extra, size_t extra_len)
{
    const ws_target *t = s->t;
    ws_case_result *r = s->res;
    const ws_hs_request *hs = s->plan->c->hs;
    char detail[256] = "";
    int64_t deadline = ws_deadline_ms(ws_session_scaled_ms(t, OPEN_TIMEOUT_MS));
    ws_err e = ws_conn_connect(&t->url, t->sni, deadline, &s->conn, detail, sizeof detail);
    if (e != WS_OK) {
        r->open_handshake_timeout = e == WS_ERR_TIMEOUT;
        return fail_open(s, "Could not connect: %s", detail[0] ? detail : ws_err_message(e));
    }
    ws_result_record_start(r, ws_now_ns());
    uint8_t nonce[16];
    for (int i = 0; i < 16; i += 4)
        ws_session_mask_key(s, nonce + i);
    char key[WS_KEY_LEN + 1], host[300], resource[2048];
    ws_make_key(nonce, key);
    ws_url_host_port(&t->url, host, sizeof host);
    if (!ws_url_resource(&t->url, resource, sizeof resource))
        return fail_open(s, "%s", "The URL's resource name is too long.");
    text_buf req = {0};
    build_request(s, host, resource, key, &req);
    if (req.oom) {
        free(req.data);
        return fail_open(s, "%s", "Out of memory building the opening request.");
    }
    ws_result_set_http(&r->http_request, &r->http_request_len, req.data, req.len);
    e = write_request(s, &req, extra, extra_len, deadline);
    r->tx_octets += req.len + extra_len;
    free(req.data);
    if (e == WS_ERR_CLOSED || e == WS_ERR_RESET || e == WS_ERR_IO) {
        r->hs_closed = true; /* a server may refuse by closing while we write */
        return fail_open(s, "The server closed the connection during the request: %s",
                         ws_err_message(e));
    }
    if (e != WS_OK)
        return fail_open(s, "Could not send the opening request: %s", ws_err_message(e));

    size_t have = 0, head_len = 0;
    ws_http_response resp;
    ws_http_header rh[64];
    for (;;) {
        size_t n = 0;
        e = ws_conn_read(s->conn, s->rbuf + have, WS_HTTP_DEFAULT_MAX_HEAD + 1 - have, &n,
                         deadline);
        if (e != WS_OK) {
            r->open_handshake_timeout = e == WS_ERR_TIMEOUT;
            r->hs_closed = e == WS_ERR_CLOSED || e == WS_ERR_RESET;
            if (have)
                ws_result_set_http(&r->http_response, &r->http_response_len, (char *)s->rbuf, have);
            return fail_open(s, "No complete opening handshake response: %s",
                             e == WS_ERR_TIMEOUT ? "no answer within the handshake timeout"
                                                 : ws_err_message(e));
        }
        have += n;
        r->rx_octets += n;
        e = ws_http_parse_response((const char *)s->rbuf, have, WS_HTTP_DEFAULT_MAX_HEAD, &resp, rh,
                                   64, &head_len);
        if (e != WS_INCOMPLETE)
            break;
    }
    ws_result_set_http(&r->http_response, &r->http_response_len, (char *)s->rbuf,
                       e == WS_OK ? head_len : have);
    if (e != WS_OK)
        return fail_open(s, "The opening handshake response is not valid HTTP: %s",
                         ws_err_message(e));
    r->http_status = resp.status;
    r->hs_version_13 = ws_http_has_token(rh, resp.num_headers, "Sec-WebSocket-Version", "13");
    const ws_http_header *server = ws_http_find(rh, resp.num_headers, "Server", NULL);
    if (server) {
        size_t sl = server->value_len < sizeof r->server_header - 1 ? server->value_len
                                                                    : sizeof r->server_header - 1;
        memcpy(r->server_header, server->value, sl);
        r->server_header[sl] = 0;
    }
    ws_hs_response_info info;
    const char *protocols = hs && hs->protocols ? hs->protocols : t->protocols;
    const char *extensions = hs && hs->allow_extensions ? hs->extensions : s->plan->c->pmd_offer;
    e = ws_handshake_check_response(&resp, key, protocols, extensions, &info);
    if (e != WS_OK) {
        snprintf(r->reason, sizeof r->reason, "Opening handshake rejected (status %d): %s (%s).",
                 resp.status, ws_err_message(e), ws_err_rfc(e));
        return false;
    }
    if (s->plan->c->pmd_offer) {
        char why[200] = "";
        e = ws_session_pmd_negotiate(s, info.extensions ? info.extensions->value : NULL,
                                     info.extensions ? info.extensions->value_len : 0, why,
                                     sizeof why);
        if (e != WS_OK) {
            snprintf(r->reason, sizeof r->reason,
                     "The permessage-deflate answer breaks RFC 7692: %s (%s).", why,
                     ws_err_message(e));
            return false;
        }
    }
    r->handshake_ok = true;
    s->t0 = ws_now_ns();
    /* Octets after the response head are already frames. */
    if (have > head_len) {
        size_t extra_rx = have - head_len;
        memmove(s->rbuf, s->rbuf + head_len, extra_rx);
        ws_session_process(s, s->rbuf, extra_rx);
    }
    return true;
}

/* ------------------------------------------------ as the server (clients) */

bool ws_session_answer(ws_session *s, ws_conn *conn, const char *key, const char *request,
                       size_t request_len, const uint8_t *leftover, size_t leftover_len,
                       const uint8_t *extra, size_t extra_len)
{
    ws_case_result *r = s->res;
    const ws_hs_response *hr = s->plan->c->hs_response;
    static const ws_hs_response standard = {0};
    if (!hr)
        hr = &standard;
    s->conn = conn;
    ws_result_set_http(&r->http_request, &r->http_request_len, request, request_len);

    char accept[WS_ACCEPT_LEN + 1], status[16];
    ws_accept_key(key, strlen(key), accept);
    text_buf b = {0};
    snprintf(status, sizeof status, "%d", hr->status ? hr->status : 101);
    puts_(&b, "HTTP/1.1 ");
    puts_(&b, status);
    puts_(&b, " ");
    puts_(&b, hr->reason ? hr->reason : "Switching Protocols");
    puts_(&b, "\r\n");
    if (!(hr->omit & WS_HDR_UPGRADE))
        put_header(&b, "Upgrade", hr->upgrade ? hr->upgrade : "websocket", hr->odd_case);
    if (!(hr->omit & WS_HDR_CONNECTION))
        put_header(&b, "Connection", hr->connection ? hr->connection : "Upgrade", hr->odd_case);
    if (!(hr->omit & WS_HDR_KEY))
        put_header(&b, "Sec-WebSocket-Accept", hr->accept ? hr->accept : accept, hr->odd_case);
    put_header(&b, "Server", "wsspec/" WSSPEC_VERSION, hr->odd_case);
    if (s->plan->c->pmd_offer) {
        /* The case compresses: accept the client's permessage-deflate offer. */
        ws_http_request req;
        ws_http_header hdrs[64];
        size_t head_len;
        char pmd[256];
        const ws_http_header *ext = NULL;
        if (ws_http_parse_request(request, request_len, request_len + 1, &req, hdrs, 64,
                                  &head_len) == WS_OK)
            ext = ws_http_find(hdrs, req.num_headers, "Sec-WebSocket-Extensions", NULL);
        if (ws_session_pmd_answer(s, ext ? ext->value : NULL, ext ? ext->value_len : 0, pmd,
                                  sizeof pmd) == WS_OK &&
            pmd[0])
            put_header(&b, "Sec-WebSocket-Extensions", pmd, false);
    }
    if (hr->extra)
        puts_(&b, hr->extra);
    puts_(&b, "\r\n");
    if (b.oom) {
        free(b.data);
        return fail_open(s, "%s", "Out of memory building the opening response.");
    }
    ws_result_set_http(&r->http_response, &r->http_response_len, b.data, b.len);
    if (extra_len)
        put(&b, (const char *)extra, extra_len); /* frames in the response's write */
    ws_err e = WS_OK;
    size_t chop = hr->chop ? hr->chop : b.len;
    for (size_t off = 0; off < b.len && e == WS_OK; off += chop)
        e = ws_conn_write(conn, b.data + off, b.len - off < chop ? b.len - off : chop,
                          ws_deadline_ms(OPEN_TIMEOUT_MS));
    r->tx_octets += b.len;
    free(b.data);
    if (e != WS_OK)
        return fail_open(s, "Could not send the opening response: %s", ws_err_message(e));
    r->http_status = hr->status ? hr->status : 101;
    r->handshake_ok = true;
    s->t0 = ws_now_ns();
    if (leftover_len) {
        size_t n = leftover_len < sizeof s->rbuf ? leftover_len : sizeof s->rbuf;
        memcpy(s->rbuf, leftover, n);
        r->rx_octets += n;
        ws_session_process(s, s->rbuf, n);
    }
    return true;
}
