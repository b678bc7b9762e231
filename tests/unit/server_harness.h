/*
 * Test harness for the echo server: ws_server_run in a thread on a free
 * port, and a raw client that writes hand-built requests and masked frames
 * and reads the server's frames octet-exactly. Included by test_server*.c.
 */
#ifndef WSSPEC_TEST_SERVER_HARNESS_H
#define WSSPEC_TEST_SERVER_HARNESS_H

#include <criterion/criterion.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/frame.h"
#include "wsspec/net.h"
#include "wsspec/server.h"

#define SAMPLE_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define SAMPLE_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* ---- the server thread -------------------------------------------------- */

typedef struct {
    ws_server_config cfg;
    volatile sig_atomic_t stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool listening, finished;
    uint16_t port, bound_port;
    ws_err result;
    char detail[256];
} test_server;

static test_server srv;

static inline void on_listen(void *ctx, uint16_t port)
{
    test_server *t = ctx;
    pthread_mutex_lock(&t->mu);
    t->listening = true;
    t->port = port;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static inline void *server_main(void *p)
{
    test_server *t = p;
    ws_err e = ws_server_run(&t->cfg, &t->stop, &t->bound_port, t->detail, sizeof t->detail);
    pthread_mutex_lock(&t->mu);
    t->result = e;
    t->finished = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static inline void server_start_with(const ws_server_config *cfg)
{
    memset(&srv, 0, sizeof srv);
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    srv.cfg = *cfg;
    srv.cfg.host = "127.0.0.1";
    srv.cfg.quiet = true;
    srv.cfg.on_listen = on_listen;
    srv.cfg.on_listen_ctx = &srv;
    cr_assert_eq(pthread_create(&srv.thread, NULL, server_main, &srv), 0);
    pthread_mutex_lock(&srv.mu);
    while (!srv.listening && !srv.finished)
        pthread_cond_wait(&srv.cv, &srv.mu);
    pthread_mutex_unlock(&srv.mu);
    cr_assert(srv.listening, "server failed: %s %s", ws_err_name(srv.result), srv.detail);
    cr_assert_eq(srv.bound_port, srv.port);
}

static inline void server_start(void)
{
    ws_server_config cfg = {0};
    server_start_with(&cfg);
}

static inline void server_stop(void)
{
    srv.stop = 1;
    pthread_join(srv.thread, NULL);
    cr_assert_eq(srv.result, WS_OK, "%s: %s", ws_err_name(srv.result), srv.detail);
    pthread_mutex_destroy(&srv.mu);
    pthread_cond_destroy(&srv.cv);
}

/* ---- a raw client --------------------------------------------------------- */

static inline ws_conn *client_connect_tls(bool tls)
{
    ws_url u = {.tls = tls,
                .host = "127.0.0.1",
                .host_len = 9,
                .port = srv.port,
                .resource = "/",
                .resource_len = 1};
    ws_conn *c = NULL;
    char d[256];
    ws_err e = ws_conn_connect(&u, NULL, ws_deadline_ms(5000), &c, d, sizeof d);
    cr_assert_eq(e, WS_OK, "connect: %s", d);
    return c;
}

static inline ws_conn *client_connect(void)
{
    return client_connect_tls(false);
}

static inline void send_raw(ws_conn *c, const void *buf, size_t len)
{
    ws_err e = ws_conn_write(c, buf, len, ws_deadline_ms(5000));
    cr_assert_eq(e, WS_OK, "write: %s", ws_err_name(e));
}

static inline ws_err read_exact(ws_conn *c, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        size_t n = 0;
        ws_err e = ws_conn_read(c, (char *)buf + got, len - got, &n, ws_deadline_ms(5000));
        if (e != WS_OK)
            return e;
        got += n;
    }
    return WS_OK;
}

/* Read an HTTP head octet by octet (so no frame octet is taken). */
static inline size_t read_head(ws_conn *c, char *buf, size_t cap)
{
    size_t len = 0;
    while (len < 4 || memcmp(buf + len - 4, "\r\n\r\n", 4) != 0) {
        cr_assert_lt(len, cap - 1, "response head too long");
        ws_err e = read_exact(c, buf + len, 1);
        cr_assert_eq(e, WS_OK, "reading the response head: %s", ws_err_name(e));
        len++;
    }
    buf[len] = '\0';
    return len;
}

static const char *const good_request = "GET /chat HTTP/1.1\r\n"
                                        "Host: 127.0.0.1\r\n"
                                        "Upgrade: websocket\r\n"
                                        "Connection: Upgrade\r\n"
                                        "Sec-WebSocket-Key: " SAMPLE_KEY "\r\n"
                                        "Sec-WebSocket-Version: 13\r\n\r\n";

static inline void expect_101(ws_conn *c)
{
    char head[2048];
    read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 101 ", 13) == 0, "got: %s", head);
    cr_assert(strstr(head, "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"), "got: %s", head);
    cr_assert(strstr(head, "Server: wsspec/0.1\r\n"), "got: %s", head);
    cr_assert_null(strstr(head, "Sec-WebSocket-Extensions"), "got: %s", head);
    cr_assert_null(strstr(head, "Sec-WebSocket-Protocol"), "got: %s", head);
}

static inline ws_conn *open_ws(void)
{
    ws_conn *c = client_connect();
    send_raw(c, good_request, strlen(good_request));
    expect_101(c);
    return c;
}

static inline size_t build_frame(uint8_t *out, size_t cap, bool fin, uint8_t opcode, bool masked,
                                 const void *payload, size_t len)
{
    ws_frame_spec spec = {
        .fin = fin, .opcode = opcode, .masked = masked, .mask_key = {0x37, 0xfa, 0x21, 0x3d}};
    size_t n = 0;
    cr_assert_eq(ws_frame_write(&spec, payload, len, out, cap, &n), WS_OK);
    return n;
}

static inline void send_frame(ws_conn *c, bool fin, uint8_t opcode, const void *payload, size_t len)
{
    size_t cap = len + WS_MAX_HEADER_SIZE;
    uint8_t *buf = malloc(cap);
    size_t n = build_frame(buf, cap, fin, opcode, true, payload, len);
    send_raw(c, buf, n);
    free(buf);
}

typedef struct {
    bool fin;
    uint8_t rsv; /* WS_RSV1 etc. */
    uint8_t opcode;
    uint8_t *data; /* malloc'd, NUL-terminated */
    size_t len;
} frame;

/* Read one server frame; it must be unmasked, with no RSV bit outside allowed_rsv. */
static inline ws_err read_frame_rsv(ws_conn *c, frame *f, uint8_t allowed_rsv)
{
    uint8_t h[10];
    ws_err e = read_exact(c, h, 2);
    if (e != WS_OK)
        return e;
    f->fin = h[0] & 0x80;
    f->rsv = (h[0] >> 4) & 7;
    f->opcode = h[0] & 0x0f;
    cr_assert_eq(f->rsv & ~allowed_rsv, 0, "RSV set: %u", f->rsv);
    cr_assert_eq(h[1] & 0x80, 0, "server frame is masked");
    uint64_t len = h[1] & 0x7f;
    if (len >= 126) {
        size_t ext = len == 126 ? 2 : 8;
        cr_assert_eq(read_exact(c, h + 2, ext), WS_OK);
        len = 0;
        for (size_t i = 0; i < ext; i++)
            len = (len << 8) | h[2 + i];
    }
    f->len = (size_t)len;
    f->data = malloc(f->len + 1);
    cr_assert_eq(read_exact(c, f->data, f->len), WS_OK);
    f->data[f->len] = 0;
    return WS_OK;
}

/* Read one server frame; it must be unmasked with RSV 0. */
static inline ws_err read_frame(ws_conn *c, frame *f)
{
    return read_frame_rsv(c, f, 0);
}

static inline frame expect_frame(ws_conn *c, uint8_t opcode, const void *payload, size_t len)
{
    frame f = {0};
    ws_err e = read_frame(c, &f);
    cr_assert_eq(e, WS_OK, "expected a frame, got %s", ws_err_name(e));
    cr_assert(f.fin, "echo must be one unfragmented frame");
    cr_assert_eq(f.opcode, opcode, "opcode %u, expected %u", f.opcode, opcode);
    cr_assert_eq(f.len, len, "length %zu, expected %zu", f.len, len);
    if (payload)
        cr_assert_arr_eq(f.data, payload, len);
    return f;
}

static inline void expect_echo(ws_conn *c, uint8_t opcode, const void *payload, size_t len)
{
    frame f = expect_frame(c, opcode, payload, len);
    free(f.data);
}

/* A close frame with `code` (0: empty payload), then the server's FIN. */
static inline void expect_close(ws_conn *c, int code)
{
    frame f = {0};
    ws_err e = read_frame(c, &f);
    cr_assert_eq(e, WS_OK, "expected a close frame, got %s", ws_err_name(e));
    cr_assert_eq(f.opcode, WS_OP_CLOSE, "opcode %u: %s", f.opcode, f.data);
    if (code == 0) {
        cr_assert_eq(f.len, 0);
    } else {
        cr_assert_geq(f.len, 2);
        int got = f.data[0] << 8 | f.data[1];
        cr_assert_eq(got, code, "close code %d (%s), expected %d", got, f.data + 2, code);
    }
    free(f.data);
    uint8_t b;
    size_t n;
    e = ws_conn_read(c, &b, 1, &n, ws_deadline_ms(3000));
    cr_assert_eq(e, WS_ERR_CLOSED, "after close: %s", ws_err_name(e));
}

/* ---- extensions (permessage-deflate) ------------------------------------- */

/* Send an opening request with `ext_lines` (whole header lines, may be ""). */
static inline void send_request(ws_conn *c, const char *ext_lines)
{
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: " SAMPLE_KEY "\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
                     ext_lines);
    cr_assert(n > 0 && (size_t)n < sizeof req);
    send_raw(c, req, (size_t)n);
}

/* Expect a 101 whose Sec-WebSocket-Extensions is exactly `ext` (NULL = absent). */
static inline void expect_101_ext(ws_conn *c, const char *ext)
{
    char head[2048];
    read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 101 ", 13) == 0, "got: %s", head);
    cr_assert(strstr(head, "Sec-WebSocket-Accept: " SAMPLE_ACCEPT "\r\n"), "got: %s", head);
    const char *got = strstr(head, "Sec-WebSocket-Extensions: ");
    if (!ext) {
        cr_assert_null(got, "no extension expected, got: %s", head);
        return;
    }
    cr_assert_not_null(got, "expected %s, got: %s", ext, head);
    got += strlen("Sec-WebSocket-Extensions: ");
    size_t len = (size_t)(strstr(got, "\r\n") - got);
    cr_assert(len == strlen(ext) && memcmp(got, ext, len) == 0, "expected '%s', got '%.*s'", ext,
              (int)len, got);
    cr_assert_null(strstr(got, "Sec-WebSocket-Extensions"), "one extensions header only");
}

/* Connect with `ext_lines` and expect `ext` in the 101. */
static inline ws_conn *open_with(const char *ext_lines, const char *ext)
{
    ws_conn *c = client_connect();
    send_request(c, ext_lines);
    expect_101_ext(c, ext);
    return c;
}

static inline ws_conn *open_pmd(void)
{
    return open_with("Sec-WebSocket-Extensions: permessage-deflate\r\n", "permessage-deflate");
}

/* Expect 400 for the request, with `body_has` in the body. */
static inline void expect_400_with(const char *ext_lines, const char *body_has)
{
    ws_conn *c = client_connect();
    send_request(c, ext_lines);
    char head[2048];
    read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 400 ", 13) == 0, "got: %s", head);
    const char *cl = strstr(head, "Content-Length: ");
    cr_assert_not_null(cl);
    size_t body_len = (size_t)atoi(cl + 16);
    char body[512];
    cr_assert_lt(body_len, sizeof body);
    cr_assert_eq(read_exact(c, body, body_len), WS_OK);
    body[body_len] = '\0';
    cr_assert_not_null(strstr(body, body_has), "body: %s", body);
    size_t n;
    cr_assert_eq(ws_conn_read(c, body, 1, &n, ws_deadline_ms(3000)), WS_ERR_CLOSED);
    ws_conn_close(c);
}

static inline void send_frame_rsv(ws_conn *c, bool fin, uint8_t rsv, uint8_t opcode,
                                  const void *payload, size_t len)
{
    ws_frame_spec spec = {.fin = fin,
                          .rsv = rsv,
                          .opcode = opcode,
                          .masked = true,
                          .mask_key = {0x5a, 0x01, 0xc3, 0x7e}};
    size_t cap = len + WS_MAX_HEADER_SIZE, n = 0;
    uint8_t *buf = malloc(cap);
    cr_assert_eq(ws_frame_write(&spec, payload, len, buf, cap, &n), WS_OK);
    send_raw(c, buf, n);
    free(buf);
}

/* Compress a whole message with the client's deflater; *out is malloc'd. */

#endif
