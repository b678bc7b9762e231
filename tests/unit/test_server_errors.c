/*
 * Echo server tests, part 2: protocol failures and their close codes,
 * limits, lifecycle and TLS.
 */
#include "selfsigned.h"
#include "server_harness.h"

static test_cert cert;

TestSuite(server, .init = server_start, .fini = server_stop, .timeout = 30);

/* ---- failures --------------------------------------------------------------- */

Test(server, invalid_utf8_gets_1007)
{
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "bad \xc0\xaf", 6);
    expect_close(c, 1007);
    ws_conn_close(c);

    /* Truncated at the end of the message. */
    c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "cut \xe2\x82", 6);
    expect_close(c, 1007);
    ws_conn_close(c);
}

/* Autobahn 6.4.x: the server must fail on the first bad octet, before the rest of the frame. */
Test(server, invalid_utf8_fails_fast_inside_a_frame)
{
    ws_conn *c = open_ws();
    uint8_t hdr[WS_MAX_HEADER_SIZE];
    ws_frame_spec spec = {.fin = true, .opcode = WS_OP_TEXT, .masked = true};
    size_t hl = ws_frame_write_header(&spec, 1000, hdr); /* zero mask key: payload as is */
    send_raw(c, hdr, hl);
    send_raw(c, "ok so far \xf4\x90", 12); /* U+110000: invalid at once */
    expect_close(c, 1007);
    ws_conn_close(c);

    /* Also across fragments: the first fragment already fails. */
    c = open_ws();
    send_frame(c, false, WS_OP_TEXT, "\xed\xa0\x80", 3); /* a surrogate */
    expect_close(c, 1007);
    ws_conn_close(c);
}

Test(server, unmasked_frame_gets_1002)
{
    ws_conn *c = open_ws();
    uint8_t buf[32];
    size_t n = build_frame(buf, sizeof buf, true, WS_OP_TEXT, false, "plain", 5);
    send_raw(c, buf, n);
    expect_close(c, 1002);
    ws_conn_close(c);
}

Test(server, protocol_violations_get_1002)
{
    static const uint8_t bad[][8] = {
        {0x83, 0x80, 0, 0, 0, 0},       /* reserved opcode 3 */
        {0x8b, 0x80, 0, 0, 0, 0},       /* reserved opcode 11 */
        {0xc1, 0x80, 0, 0, 0, 0},       /* RSV1 without an extension */
        {0x09, 0x80, 0, 0, 0, 0},       /* fragmented ping */
        {0x80, 0x80, 0, 0, 0, 0},       /* continuation without a message */
        {0x89, 0xfe, 0x00, 0x7e, 0, 0}, /* ping with 126 octets */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ws_conn *c = open_ws();
        size_t len = bad[i][1] == 0xfe ? 8 : 6;
        send_raw(c, bad[i], len);
        expect_close(c, 1002);
        ws_conn_close(c);
    }
    /* A new data frame inside a fragmented message. */
    ws_conn *c = open_ws();
    send_frame(c, false, WS_OP_TEXT, "a", 1);
    send_frame(c, true, WS_OP_BINARY, "b", 1);
    expect_close(c, 1002);
    ws_conn_close(c);
}

Test(server, frames_after_an_error_are_ignored)
{
    ws_conn *c = open_ws();
    uint8_t buf[64];
    size_t n = build_frame(buf, sizeof buf, true, 0x3, true, "x", 1);
    n += build_frame(buf + n, sizeof buf - n, true, WS_OP_PING, true, "p", 1);
    send_raw(c, buf, n);
    expect_close(c, 1002); /* and no pong before it */
    ws_conn_close(c);
}

Test(server, peer_disconnect_mid_message_is_harmless)
{
    ws_conn *c = open_ws();
    send_frame(c, false, WS_OP_BINARY, "partial", 7);
    ws_conn_close(c);
    c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "next", 4);
    expect_echo(c, WS_OP_TEXT, "next", 4);
    ws_conn_close(c);
}

Test(server, many_connections_at_once)
{
    enum { N = 40 };
    ws_conn *cs[N];
    for (int i = 0; i < N; i++) {
        cs[i] = client_connect();
        send_raw(cs[i], good_request, strlen(good_request));
    }
    for (int i = 0; i < N; i++)
        expect_101(cs[i]);
    for (int i = 0; i < N; i++) {
        char msg[16];
        int len = snprintf(msg, sizeof msg, "conn %d", i);
        send_frame(cs[i], true, WS_OP_TEXT, msg, (size_t)len);
    }
    for (int i = N - 1; i >= 0; i--) {
        char msg[16];
        int len = snprintf(msg, sizeof msg, "conn %d", i);
        expect_echo(cs[i], WS_OP_TEXT, msg, (size_t)len);
        ws_conn_close(cs[i]);
    }
}

/* A client that sends without reading stalls only itself. */
Test(server, non_reading_peer_does_not_block_others)
{
    ws_conn *hog = open_ws();
    size_t len = 60000;
    uint8_t *p = calloc(1, len);
    size_t cap = len + WS_MAX_HEADER_SIZE;
    uint8_t *frame_buf = malloc(cap);
    size_t fl = build_frame(frame_buf, cap, true, WS_OP_BINARY, true, p, len);
    /* Push until the socket buffers on both sides are full. */
    int sent = 0;
    while (ws_conn_write(hog, frame_buf, fl, ws_deadline_ms(300)) == WS_OK && sent < 2000)
        sent++;
    cr_assert_lt(sent, 2000, "the server never pushed back");
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "fair", 4);
    expect_echo(c, WS_OP_TEXT, "fair", 4);
    ws_conn_close(c);
    ws_conn_close(hog);
    free(p);
    free(frame_buf);
}

/* ---- configuration ----------------------------------------------------------- */

static void small_server(void)
{
    ws_server_config cfg = {.max_message = 1000, .handshake_timeout_ms = 300};
    server_start_with(&cfg);
}

Test(limits, message_over_max_gets_1009, .init = small_server, .fini = server_stop)
{
    ws_conn *c = open_ws();
    uint8_t p[1000] = {0};
    send_frame(c, true, WS_OP_BINARY, p, 1000);
    expect_echo(c, WS_OP_BINARY, p, 1000);
    /* One frame over the limit: refused from its header. */
    uint8_t hdr[WS_MAX_HEADER_SIZE];
    ws_frame_spec spec = {.fin = true, .opcode = WS_OP_BINARY, .masked = true};
    send_raw(c, hdr, ws_frame_write_header(&spec, 1001, hdr));
    expect_close(c, 1009);
    ws_conn_close(c);
    /* Fragments adding up to more than the limit. */
    c = open_ws();
    send_frame(c, false, WS_OP_TEXT, p, 600);
    send_frame(c, true, WS_OP_CONT, p, 600);
    expect_close(c, 1009);
    ws_conn_close(c);
}

Test(limits, connections_over_the_limit_are_refused)
{
    ws_server_config cfg = {.max_connections = 2};
    server_start_with(&cfg);
    ws_conn *a = open_ws(), *b = open_ws();
    ws_conn *c = client_connect();
    uint8_t byte;
    size_t n;
    ws_err e = ws_conn_read(c, &byte, 1, &n, ws_deadline_ms(3000));
    cr_assert(e == WS_ERR_CLOSED || e == WS_ERR_RESET, "%s", ws_err_name(e));
    ws_conn_close(c);
    /* A slot frees up when a connection ends. */
    ws_conn_close(a);
    usleep(200 * 1000);
    c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "in", 2);
    expect_echo(c, WS_OP_TEXT, "in", 2);
    ws_conn_close(b);
    ws_conn_close(c);
    server_stop();
}

Test(limits, idle_handshake_is_dropped, .init = small_server, .fini = server_stop)
{
    ws_conn *c = client_connect();
    send_raw(c, "GET / HTTP/1.1\r\n", 16);
    int64_t t0 = ws_now_ns();
    uint8_t b;
    size_t n;
    ws_err e = ws_conn_read(c, &b, 1, &n, ws_deadline_ms(5000));
    cr_assert(e == WS_ERR_CLOSED || e == WS_ERR_RESET, "%s", ws_err_name(e));
    int64_t ms = (ws_now_ns() - t0) / 1000000;
    cr_assert_lt(ms, 2000, "dropped after %lld ms", (long long)ms);
    ws_conn_close(c);
}

Test(lifecycle, stop_flag_stops_the_server, .timeout = 10)
{
    server_start();
    ws_conn *c = open_ws();
    int64_t t0 = ws_now_ns();
    server_stop();
    cr_assert_lt((ws_now_ns() - t0) / 1000000, 1000);
    /* Open connections are told the server is going away. */
    expect_close(c, 1001);
    ws_conn_close(c);
}

Test(lifecycle, bad_config_is_refused)
{
    volatile sig_atomic_t stop = 0;
    char d[256];
    ws_server_config cfg = {.host = "127.0.0.1", .tls_cert = "/x.pem"};
    cr_assert_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_CONFIG);
    cfg = (ws_server_config){.host = "127.0.0.1", .tls_cert = "/x.pem", .tls_key = "/y.pem"};
    cr_assert_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_TLS);
    cfg = (ws_server_config){.host = "256.1.1.1"};
    cr_assert_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_RESOLVE);
}

static void tls_server(void)
{
    cr_assert(test_cert_make(&cert));
    ws_server_config cfg = {.tls_cert = cert.cert, .tls_key = cert.key};
    server_start_with(&cfg);
}

static void tls_server_stop(void)
{
    server_stop();
    test_cert_remove(&cert);
}

Test(tls, echo_over_tls, .init = tls_server, .fini = tls_server_stop)
{
    ws_conn *c = client_connect_tls(true);
    send_raw(c, good_request, strlen(good_request));
    expect_101(c);
    send_frame(c, true, WS_OP_TEXT, "over tls", 8);
    expect_echo(c, WS_OP_TEXT, "over tls", 8);
    size_t len = 200000;
    uint8_t *p = malloc(len);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)i;
    send_frame(c, true, WS_OP_BINARY, p, len);
    expect_echo(c, WS_OP_BINARY, p, len);
    free(p);
    send_frame(c, true, WS_OP_CLOSE, "\x03\xe8", 2);
    expect_close(c, 1000);
    ws_conn_close(c);
}
