/*
 * Echo server tests, part 1: handshake, messages, closing handshake.
 * Part 2 (failures, limits, lifecycle, TLS) is test_server_errors.c.
 */
#include "server_harness.h"

TestSuite(server, .init = server_start, .fini = server_stop, .timeout = 30);

/* ---- handshake ------------------------------------------------------------ */

/* permessage-deflate is tested in test_server_deflate.c. */
Test(server, handshake_ignores_unknown_extensions_and_protocols)
{
    ws_conn *c = client_connect();
    const char *req =
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: " SAMPLE_KEY "\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: chat, superchat\r\n"
        "Sec-WebSocket-Extensions: x-wsspec-unknown; foo=1, x-webkit-deflate-frame\r\n"
        "\r\n";
    send_raw(c, req, strlen(req));
    expect_101(c);
    ws_conn_close(c);
}

Test(server, version_8_gets_426)
{
    ws_conn *c = client_connect();
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: " SAMPLE_KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n";
    send_raw(c, req, strlen(req));
    char head[2048];
    read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 426 ", 13) == 0, "got: %s", head);
    cr_assert(strstr(head, "\r\nSec-WebSocket-Version: 13\r\n"), "got: %s", head);
    ws_conn_close(c);
}

static void expect_400_for(const char *req)
{
    ws_conn *c = client_connect();
    send_raw(c, req, strlen(req));
    char head[2048];
    size_t hl = read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 400 ", 13) == 0, "got: %s", head);
    const char *cl = strstr(head, "Content-Length: ");
    cr_assert_not_null(cl);
    size_t body_len = (size_t)atoi(cl + 16);
    char body[256];
    cr_assert_lt(body_len, sizeof body);
    cr_assert_eq(read_exact(c, body, body_len), WS_OK);
    size_t n;
    cr_assert_eq(ws_conn_read(c, body, 1, &n, ws_deadline_ms(3000)), WS_ERR_CLOSED);
    (void)hl;
    ws_conn_close(c);
}

Test(server, missing_key_gets_400)
{
    expect_400_for("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n");
}

Test(server, bad_requests_get_400)
{
    expect_400_for("POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: " SAMPLE_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    expect_400_for("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: " SAMPLE_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    expect_400_for("this is not HTTP\r\n\r\n");
}

Test(server, oversized_head_gets_400)
{
    ws_conn *c = client_connect();
    const char *start = "GET / HTTP/1.1\r\nX-Pad: ";
    send_raw(c, start, strlen(start));
    char pad[4096];
    memset(pad, 'a', sizeof pad);
    for (int i = 0; i < 5; i++)
        send_raw(c, pad, sizeof pad);
    char head[2048];
    read_head(c, head, sizeof head);
    cr_assert(strncmp(head, "HTTP/1.1 400 ", 13) == 0, "got: %s", head);
    ws_conn_close(c);
}

Test(server, frames_in_the_same_segment_as_the_request)
{
    ws_conn *c = client_connect();
    uint8_t buf[512];
    size_t rl = strlen(good_request);
    memcpy(buf, good_request, rl);
    rl += build_frame(buf + rl, sizeof buf - rl, true, WS_OP_TEXT, true, "early", 5);
    rl += build_frame(buf + rl, sizeof buf - rl, true, WS_OP_BINARY, true, "bird", 4);
    send_raw(c, buf, rl);
    expect_101(c);
    expect_echo(c, WS_OP_TEXT, "early", 5);
    expect_echo(c, WS_OP_BINARY, "bird", 4);
    ws_conn_close(c);
}

Test(server, request_split_in_single_octets)
{
    ws_conn *c = client_connect();
    for (const char *p = good_request; *p; p++)
        send_raw(c, p, 1);
    expect_101(c);
    send_frame(c, true, WS_OP_TEXT, "slow", 4);
    expect_echo(c, WS_OP_TEXT, "slow", 4);
    ws_conn_close(c);
}

/* ---- messages --------------------------------------------------------- */

Test(server, echo_text_and_binary)
{
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "Hello, wsspec \xe2\x9c\x93", 17);
    expect_echo(c, WS_OP_TEXT, "Hello, wsspec \xe2\x9c\x93", 17);
    send_frame(c, true, WS_OP_TEXT, "", 0);
    expect_echo(c, WS_OP_TEXT, "", 0);
    static const size_t sizes[] = {125, 126, 65535, 65536, 300000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *p = malloc(sizes[i]);
        for (size_t j = 0; j < sizes[i]; j++)
            p[j] = (uint8_t)(j * 31 + i);
        send_frame(c, true, WS_OP_BINARY, p, sizes[i]);
        expect_echo(c, WS_OP_BINARY, p, sizes[i]);
        free(p);
    }
    ws_conn_close(c);
}

Test(server, ping_gets_pong_and_pong_is_ignored)
{
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_PING, "are you there?", 14);
    expect_echo(c, WS_OP_PONG, "are you there?", 14);
    send_frame(c, true, WS_OP_PING, "", 0);
    expect_echo(c, WS_OP_PONG, "", 0);
    uint8_t big[125];
    memset(big, 0xfe, sizeof big);
    send_frame(c, true, WS_OP_PING, big, sizeof big);
    expect_echo(c, WS_OP_PONG, big, sizeof big);
    send_frame(c, true, WS_OP_PONG, "unsolicited", 11);
    send_frame(c, true, WS_OP_TEXT, "still here", 10);
    expect_echo(c, WS_OP_TEXT, "still here", 10);
    ws_conn_close(c);
}

Test(server, fragmented_message_with_interleaved_ping)
{
    ws_conn *c = open_ws();
    send_frame(c, false, WS_OP_TEXT, "frag", 4);
    send_frame(c, false, WS_OP_CONT, "men", 3);
    send_frame(c, true, WS_OP_PING, "mid", 3);
    expect_echo(c, WS_OP_PONG, "mid", 3);
    send_frame(c, false, WS_OP_CONT, "", 0);
    send_frame(c, true, WS_OP_CONT, "ted \xc3\xa9", 6);
    expect_echo(c, WS_OP_TEXT, "fragmented \xc3\xa9", 13);
    /* A UTF-8 sequence split across fragments is fine. */
    send_frame(c, false, WS_OP_TEXT, "\xe2\x82", 2);
    send_frame(c, true, WS_OP_CONT, "\xac", 1);
    expect_echo(c, WS_OP_TEXT, "\xe2\x82\xac", 3);
    send_frame(c, false, WS_OP_BINARY, "\x00\x01", 2);
    send_frame(c, true, WS_OP_CONT, "\x02", 1);
    expect_echo(c, WS_OP_BINARY, "\x00\x01\x02", 3);
    ws_conn_close(c);
}

Test(server, frame_split_in_single_octets)
{
    ws_conn *c = open_ws();
    uint8_t buf[64];
    size_t n = build_frame(buf, sizeof buf, true, WS_OP_TEXT, true, "one by one", 10);
    for (size_t i = 0; i < n; i++)
        send_raw(c, buf + i, 1);
    expect_echo(c, WS_OP_TEXT, "one by one", 10);
    ws_conn_close(c);
}

/* ---- closing -------------------------------------------------------------- */

Test(server, close_is_echoed)
{
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_CLOSE,
               "\x03\xe8"
               "bye",
               5);
    expect_close(c, 1000);
    ws_conn_close(c);

    c = open_ws();
    send_frame(c, true, WS_OP_CLOSE, "\x0f\xa0", 2); /* 4000: private use */
    expect_close(c, 4000);
    ws_conn_close(c);
}

Test(server, empty_close_gets_empty_close)
{
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_CLOSE, "", 0);
    expect_close(c, 0);
    ws_conn_close(c);
}

Test(server, invalid_close_payloads_get_1002)
{
    static const struct {
        const char *payload;
        size_t len;
    } cases[] = {
        {"\x03", 1},         /* one octet */
        {"\x03\xed", 2},     /* 1005 must not be sent */
        {"\x03\xe7", 2},     /* 999 */
        {"\x03\xe8\xff", 3}, /* invalid UTF-8 reason */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_conn *c = open_ws();
        send_frame(c, true, WS_OP_CLOSE, cases[i].payload, cases[i].len);
        expect_close(c, 1002);
        ws_conn_close(c);
    }
}
