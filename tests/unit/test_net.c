/*
 * Transport tests: TCP and TLS over loopback, deadlines, errors, host:port.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsspec/net.h"
#include "selfsigned.h"

static char detail[256];

static ws_url loopback_url(const char *host, uint16_t port, bool tls)
{
    ws_url u = {.tls = tls,
                .host = host,
                .host_len = strlen(host),
                .port = port,
                .resource = "/",
                .resource_len = 1};
    u.host_is_ipv6 = strchr(host, ':') != NULL;
    return u;
}

static int accept_one(int lfd)
{
    cr_assert_eq(ws_wait_fd(lfd, false, ws_deadline_ms(5000)), WS_OK);
    int fd = accept(lfd, NULL, NULL);
    cr_assert_geq(fd, 0, "accept: %s", strerror(errno));
    return fd;
}

/* A connected plain pair over 127.0.0.1. */
static void plain_pair(ws_conn **client, ws_conn **server)
{
    int lfd;
    uint16_t port = 0;
    cr_assert_eq(ws_listen("127.0.0.1", 0, &lfd, &port, detail, sizeof detail), WS_OK, "%s",
                 detail);
    cr_assert_neq(port, 0);
    ws_url u = loopback_url("127.0.0.1", port, false);
    cr_assert_eq(ws_conn_connect(&u, NULL, ws_deadline_ms(5000), client, detail, sizeof detail),
                 WS_OK, "%s", detail);
    cr_assert_eq(
        ws_conn_accept(accept_one(lfd), NULL, ws_deadline_ms(5000), server, detail, sizeof detail),
        WS_OK, "%s", detail);
    close(lfd);
}

static void read_exact(ws_conn *c, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        size_t n = 0;
        ws_err e = ws_conn_read(c, (char *)buf + got, len - got, &n, ws_deadline_ms(5000));
        cr_assert_eq(e, WS_OK, "read: %s", ws_err_name(e));
        got += n;
    }
}

Test(net, now_is_monotonic)
{
    int64_t a = ws_now_ns(), b = ws_now_ns();
    cr_assert_gt(a, 0);
    cr_assert_geq(b, a);
    cr_assert_geq(ws_deadline_ms(10), b + 10 * 1000000);
}

Test(net, tcp_round_trip)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    cr_assert_not(ws_conn_is_tls(c));
    cr_assert_geq(ws_conn_fd(c), 0);
    cr_assert_eq(ws_conn_pending(c), 0);
    cr_assert_eq(ws_conn_write(c, "hello", 5, ws_deadline_ms(1000)), WS_OK);
    char buf[16];
    read_exact(s, buf, 5);
    cr_assert_arr_eq(buf, "hello", 5);
    cr_assert_eq(ws_conn_write(s, "world!", 6, ws_deadline_ms(1000)), WS_OK);
    read_exact(c, buf, 6);
    cr_assert_arr_eq(buf, "world!", 6);
    cr_assert_eq(ws_conn_write(c, "", 0, 0), WS_OK);
    ws_conn_close(c);
    ws_conn_close(s);
    ws_conn_close(NULL);
}

Test(net, read_deadline_times_out)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    char buf[8];
    size_t n = 99;
    int64_t t0 = ws_now_ns();
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_deadline_ms(200)), WS_ERR_TIMEOUT);
    int64_t ms = (ws_now_ns() - t0) / 1000000;
    cr_assert_geq(ms, 195, "returned after %lld ms", (long long)ms);
    cr_assert_lt(ms, 1000, "returned after %lld ms", (long long)ms);
    /* A deadline already in the past fails at once. */
    t0 = ws_now_ns();
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_now_ns() - 1), WS_ERR_TIMEOUT);
    cr_assert_lt((ws_now_ns() - t0) / 1000000, 100);
    ws_conn_close(c);
    ws_conn_close(s);
}

Test(net, try_read_would_block)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    char buf[8];
    size_t n = 7;
    bool other = true;
    cr_assert_eq(ws_conn_try_read(c, buf, sizeof buf, &n, &other), WS_INCOMPLETE);
    cr_assert_eq(n, 0);
    cr_assert_not(other);
    size_t put = 0;
    cr_assert_eq(ws_conn_try_write(s, "x", 1, &put, NULL), WS_OK);
    cr_assert_eq(put, 1);
    cr_assert_eq(ws_wait_fd(ws_conn_fd(c), false, ws_deadline_ms(2000)), WS_OK);
    cr_assert_eq(ws_conn_try_read(c, buf, sizeof buf, &n, NULL), WS_OK);
    cr_assert_eq(n, 1);
    ws_conn_close(c);
    ws_conn_close(s);
}

Test(net, peer_close_is_closed)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    cr_assert_eq(ws_conn_write(s, "bye", 3, ws_deadline_ms(1000)), WS_OK);
    cr_assert_eq(ws_conn_shutdown_write(s), WS_OK);
    char buf[8];
    read_exact(c, buf, 3);
    size_t n;
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_deadline_ms(2000)), WS_ERR_CLOSED);
    /* Half-closed: the other direction still works. */
    cr_assert_eq(ws_conn_write(c, "ok", 2, ws_deadline_ms(1000)), WS_OK);
    read_exact(s, buf, 2);
    ws_conn_close(s);
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_deadline_ms(2000)), WS_ERR_CLOSED);
    ws_conn_close(c);
}

Test(net, peer_reset_is_reset)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    cr_assert_eq(setsockopt(ws_conn_fd(s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    ws_conn_close(s);
    char buf[8];
    size_t n;
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_deadline_ms(2000)), WS_ERR_RESET);
    /* Writing to a reset connection fails without SIGPIPE. */
    ws_err e = ws_conn_write(c, "x", 1, ws_deadline_ms(1000));
    cr_assert(e == WS_ERR_RESET || e == WS_ERR_CLOSED, "%s", ws_err_name(e));
    ws_conn_close(c);
}

Test(net, connect_to_closed_port)
{
    int lfd;
    uint16_t port = 0;
    cr_assert_eq(ws_listen("127.0.0.1", 0, &lfd, &port, detail, sizeof detail), WS_OK);
    close(lfd);
    ws_url u = loopback_url("127.0.0.1", port, false);
    ws_conn *c = (ws_conn *)1;
    detail[0] = '\0';
    cr_assert_eq(ws_conn_connect(&u, NULL, ws_deadline_ms(2000), &c, detail, sizeof detail),
                 WS_ERR_CONNECT);
    cr_assert_null(c);
    cr_assert(strstr(detail, "refused") != NULL, "detail: %s", detail);
}

Test(net, resolve_failure)
{
    ws_url u = loopback_url("no-such-host.invalid", 80, false);
    ws_conn *c;
    cr_assert_eq(ws_conn_connect(&u, NULL, ws_deadline_ms(5000), &c, detail, sizeof detail),
                 WS_ERR_RESOLVE);
    cr_assert_neq(detail[0], '\0');
}

Test(net, ipv6_loopback)
{
    int lfd;
    uint16_t port = 0;
    if (ws_listen("::1", 0, &lfd, &port, detail, sizeof detail) != WS_OK) {
        cr_skip_test("no IPv6 loopback: %s", detail);
    }
    ws_url u = loopback_url("::1", port, false);
    ws_conn *c, *s;
    cr_assert_eq(ws_conn_connect(&u, NULL, ws_deadline_ms(5000), &c, detail, sizeof detail), WS_OK,
                 "%s", detail);
    cr_assert_eq(ws_conn_accept(accept_one(lfd), NULL, 0, &s, detail, sizeof detail), WS_OK);
    cr_assert_eq(ws_conn_write(c, "v6", 2, ws_deadline_ms(1000)), WS_OK);
    char buf[2];
    read_exact(s, buf, 2);
    cr_assert_arr_eq(buf, "v6", 2);
    ws_conn_close(c);
    ws_conn_close(s);
    close(lfd);
}

Test(net, listen_errors)
{
    int lfd, lfd2;
    uint16_t port = 0;
    cr_assert_eq(ws_listen("127.0.0.1", 0, &lfd, &port, detail, sizeof detail), WS_OK);
    cr_assert_eq(ws_listen("127.0.0.1", port, &lfd2, NULL, detail, sizeof detail), WS_ERR_LISTEN);
    cr_assert_eq(lfd2, -1);
    close(lfd);
    cr_assert_eq(ws_listen("192.0.2.300", 0, &lfd2, NULL, detail, sizeof detail), WS_ERR_RESOLVE);
}

/* A writer blocked by a peer that does not read gives up at the deadline. */
Test(net, write_deadline_times_out)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    size_t len = 64 << 20;
    char *big = calloc(1, len);
    cr_assert_not_null(big);
    int64_t t0 = ws_now_ns();
    cr_assert_eq(ws_conn_write(c, big, len, ws_deadline_ms(300)), WS_ERR_TIMEOUT);
    cr_assert_lt((ws_now_ns() - t0) / 1000000, 2000);
    free(big);
    ws_conn_close(c);
    ws_conn_close(s);
}

typedef struct {
    ws_conn *conn;
    size_t len;
    unsigned sum;
} reader_arg;

static void *read_all(void *p)
{
    reader_arg *a = p;
    char buf[65536];
    for (;;) {
        size_t n;
        ws_err e = ws_conn_read(a->conn, buf, sizeof buf, &n, ws_deadline_ms(10000));
        if (e != WS_OK) break;
        for (size_t i = 0; i < n; i++)
            a->sum += (unsigned char)buf[i];
        a->len += n;
    }
    return NULL;
}

/* Partial writes are continued until everything is sent. */
Test(net, large_write_completes)
{
    ws_conn *c, *s;
    plain_pair(&c, &s);
    reader_arg a = {.conn = s};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, read_all, &a), 0);
    size_t len = 8 << 20;
    unsigned char *big = malloc(len);
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += big[i] = (unsigned char)(i * 7);
    cr_assert_eq(ws_conn_write(c, big, len, ws_deadline_ms(10000)), WS_OK);
    cr_assert_eq(ws_conn_shutdown_write(c), WS_OK);
    pthread_join(th, NULL);
    cr_assert_eq(a.len, len);
    cr_assert_eq(a.sum, sum);
    free(big);
    ws_conn_close(c);
    ws_conn_close(s);
}

Test(net, parse_host_port_good)
{
    char host[64];
    uint16_t port;
    cr_assert_eq(ws_parse_host_port("127.0.0.1:9001", host, sizeof host, &port), WS_OK);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 9001);
    cr_assert_eq(ws_parse_host_port("[::1]:443", host, sizeof host, &port), WS_OK);
    cr_assert_str_eq(host, "::1");
    cr_assert_eq(port, 443);
    cr_assert_eq(ws_parse_host_port("localhost:0", host, sizeof host, &port), WS_OK);
    cr_assert_str_eq(host, "localhost");
    cr_assert_eq(port, 0);
    cr_assert_eq(ws_parse_host_port("[fe80::1%lo]:65535", host, sizeof host, &port), WS_OK);
    cr_assert_str_eq(host, "fe80::1%lo");
    cr_assert_eq(port, 65535);
}

Test(net, parse_host_port_bad)
{
    char host[8];
    uint16_t port;
    cr_assert_eq(ws_parse_host_port("127.0.0.1", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("h:", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("h:65536", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("h:12a", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("h:-1", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("h: 80", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port(":80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("::1:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("[::1]80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("[::1]", host, sizeof host, &port), WS_ERR_URL_PORT);
    cr_assert_eq(ws_parse_host_port("[::1:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("[]:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("[1.2.3.4]:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("a b:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("a/b:80", host, sizeof host, &port), WS_ERR_URL_HOST);
    cr_assert_eq(ws_parse_host_port("example.org:80", host, sizeof host, &port),
                 WS_ERR_BUFFER_TOO_SMALL);
    cr_assert_eq(ws_parse_host_port(NULL, host, sizeof host, &port), WS_ERR_INVALID_ARG);
}

/* ---- TLS ---------------------------------------------------------------- */

static test_cert tc;

static void make_cert(void)
{
    cr_assert(test_cert_make(&tc), "cannot create a test certificate");
}

static void remove_cert(void)
{
    test_cert_remove(&tc);
}

typedef struct {
    int lfd;
    ws_tls_server *tls;
    ws_err err;
    char got[64];
    size_t got_len;
} tls_server_arg;

/* Accept one TLS connection, read one message, echo it back, half-close. */
static void *tls_echo_once(void *p)
{
    tls_server_arg *a = p;
    ws_conn *s = NULL;
    char d[256];
    a->err = ws_wait_fd(a->lfd, false, ws_deadline_ms(5000));
    if (a->err != WS_OK) return NULL;
    int fd = accept(a->lfd, NULL, NULL);
    a->err = ws_conn_accept(fd, a->tls, ws_deadline_ms(5000), &s, d, sizeof d);
    if (a->err != WS_OK) return NULL;
    a->err = ws_conn_read(s, a->got, sizeof a->got, &a->got_len, ws_deadline_ms(5000));
    if (a->err == WS_OK) a->err = ws_conn_write(s, a->got, a->got_len, ws_deadline_ms(5000));
    if (a->err == WS_OK) a->err = ws_conn_shutdown_write(s);
    /* Wait for the client's close before freeing. */
    char buf[16];
    size_t n;
    (void)ws_conn_read(s, buf, sizeof buf, &n, ws_deadline_ms(5000));
    ws_conn_close(s);
    return NULL;
}

Test(net, tls_round_trip, .init = make_cert, .fini = remove_cert)
{
    ws_tls_server *tls = ws_tls_server_new(tc.cert, tc.key, detail, sizeof detail);
    cr_assert_not_null(tls, "%s", detail);
    tls_server_arg a = {.tls = tls};
    uint16_t port;
    cr_assert_eq(ws_listen("127.0.0.1", 0, &a.lfd, &port, detail, sizeof detail), WS_OK);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, tls_echo_once, &a), 0);

    ws_url u = loopback_url("127.0.0.1", port, true);
    ws_conn *c = NULL;
    ws_err e = ws_conn_connect(&u, "localhost", ws_deadline_ms(5000), &c, detail, sizeof detail);
    cr_assert_eq(e, WS_OK, "%s: %s", ws_err_name(e), detail);
    cr_assert(ws_conn_is_tls(c));
    cr_assert_eq(ws_conn_write(c, "secret", 6, ws_deadline_ms(5000)), WS_OK);
    char buf[16];
    read_exact(c, buf, 6);
    cr_assert_arr_eq(buf, "secret", 6);
    size_t n;
    cr_assert_eq(ws_conn_read(c, buf, sizeof buf, &n, ws_deadline_ms(5000)), WS_ERR_CLOSED);
    ws_conn_close(c);
    pthread_join(th, NULL);
    cr_assert_eq(a.err, WS_OK, "server: %s", ws_err_name(a.err));
    cr_assert_eq(a.got_len, 6);
    close(a.lfd);
    ws_tls_server_free(tls);
}

/* A TLS client against a plain server that closes at once fails cleanly. */
Test(net, tls_handshake_failure)
{
    int lfd;
    uint16_t port;
    cr_assert_eq(ws_listen("127.0.0.1", 0, &lfd, &port, detail, sizeof detail), WS_OK);
    ws_url u = loopback_url("127.0.0.1", port, true);
    ws_conn *c = NULL;
    /* Nobody answers the ClientHello: the deadline ends the handshake. */
    ws_err e = ws_conn_connect(&u, NULL, ws_deadline_ms(300), &c, detail, sizeof detail);
    cr_assert(e == WS_ERR_TIMEOUT || e == WS_ERR_TLS, "%s", ws_err_name(e));
    cr_assert_null(c);
    close(lfd);
}

Test(net, tls_server_bad_files)
{
    detail[0] = '\0';
    cr_assert_null(
        ws_tls_server_new("/nonexistent/cert.pem", "/nonexistent/key.pem", detail, sizeof detail));
    cr_assert(strstr(detail, "certificate") != NULL, "detail: %s", detail);
    cr_assert_null(ws_tls_server_new(NULL, NULL, detail, sizeof detail));
    ws_tls_server_free(NULL);
}
