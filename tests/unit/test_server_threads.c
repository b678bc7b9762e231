/*
 * The echo server with several event loops (ws_server_config.threads):
 * every connection is served whichever loop accepted it, the connection
 * limit holds over all loops, a peer that stops reading stalls only itself,
 * and the stop flag ends every loop. Also the checks on threads and
 * deflate_level in the configuration.
 */
#include "server_harness.h"

static void threaded_server(void)
{
    ws_server_config cfg = {.threads = 3};
    server_start_with(&cfg);
}

Test(threads, many_connections_over_three_loops, .init = threaded_server, .fini = server_stop,
     .timeout = 30)
{
    enum { N = 30, ROUNDS = 20 };
    ws_conn *cs[N];
    for (int i = 0; i < N; i++)
        cs[i] = open_ws();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            char msg[32];
            int len = snprintf(msg, sizeof msg, "conn %d round %d", i, r);
            send_frame(cs[i], true, WS_OP_TEXT, msg, (size_t)len);
        }
        for (int i = N - 1; i >= 0; i--) {
            char msg[32];
            int len = snprintf(msg, sizeof msg, "conn %d round %d", i, r);
            expect_echo(cs[i], WS_OP_TEXT, msg, (size_t)len);
        }
    }
    for (int i = 0; i < N; i++) {
        send_frame(cs[i], true, WS_OP_CLOSE, "\x03\xe8", 2);
        expect_close(cs[i], 1000);
        ws_conn_close(cs[i]);
    }
}

/* Whichever loop holds the stalled connection, the others keep echoing
 * (the one it shares a loop with too: reading from it is only paused). */
Test(threads, non_reading_peer_does_not_block_others, .init = threaded_server, .fini = server_stop,
     .timeout = 30)
{
    ws_conn *hog = open_ws();
    size_t len = 60000;
    uint8_t *p = calloc(1, len);
    size_t cap = len + WS_MAX_HEADER_SIZE;
    uint8_t *frame_buf = malloc(cap);
    size_t fl = build_frame(frame_buf, cap, true, WS_OP_BINARY, true, p, len);
    int sent = 0;
    while (ws_conn_write(hog, frame_buf, fl, ws_deadline_ms(300)) == WS_OK && sent < 2000)
        sent++;
    cr_assert_lt(sent, 2000, "the server never pushed back");
    for (int i = 0; i < 6; i++) {
        ws_conn *c = open_ws();
        send_frame(c, true, WS_OP_TEXT, "fair", 4);
        expect_echo(c, WS_OP_TEXT, "fair", 4);
        ws_conn_close(c);
    }
    ws_conn_close(hog);
    free(p);
    free(frame_buf);
}

Test(threads, connection_limit_counts_every_loop, .timeout = 30)
{
    ws_server_config cfg = {.max_connections = 2, .threads = 4};
    server_start_with(&cfg);
    ws_conn *a = open_ws(), *b = open_ws();
    for (int i = 0; i < 4; i++) { /* whichever loop takes it */
        ws_conn *c = client_connect();
        uint8_t byte;
        size_t n;
        ws_err e = ws_conn_read(c, &byte, 1, &n, ws_deadline_ms(3000));
        cr_assert(e == WS_ERR_CLOSED || e == WS_ERR_RESET, "%s", ws_err_name(e));
        ws_conn_close(c);
    }
    ws_conn_close(a);
    usleep(200 * 1000);
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "in", 2);
    expect_echo(c, WS_OP_TEXT, "in", 2);
    ws_conn_close(b);
    ws_conn_close(c);
    server_stop();
}

Test(threads, stop_flag_stops_every_loop, .timeout = 10)
{
    ws_server_config cfg = {.threads = 8};
    server_start_with(&cfg);
    ws_conn *c = open_ws();
    send_frame(c, true, WS_OP_TEXT, "x", 1);
    expect_echo(c, WS_OP_TEXT, "x", 1);
    int64_t t0 = ws_now_ns();
    server_stop(); /* joins; the open connection gets 1001 */
    cr_expect_lt((ws_now_ns() - t0) / 1000000, 2000);
    expect_close(c, 1001);
    ws_conn_close(c);
}

Test(threads, bad_thread_counts_and_levels_are_refused)
{
    volatile sig_atomic_t stop = 0;
    char d[256];
    ws_server_config cfg = {.host = "127.0.0.1", .threads = -1};
    cr_expect_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_CONFIG);
    cfg.threads = 257;
    cr_expect_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_CONFIG);
    cr_expect(strstr(d, "threads") != NULL, "%s", d);
    cfg = (ws_server_config){.host = "127.0.0.1", .set_deflate_level = true, .deflate_level = 10};
    cr_expect_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_CONFIG);
    cfg.deflate_level = -1;
    cr_expect_eq(ws_server_run(&cfg, &stop, NULL, d, sizeof d), WS_ERR_CONFIG);
    cr_expect(strstr(d, "deflate_level") != NULL, "%s", d);
}
