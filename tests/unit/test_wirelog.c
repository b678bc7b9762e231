/* The text wire log (reports/wire_text.h, livefuzz/wirelog.c), the bounded
 * record of a case's writes and its reproducer (test-server --save-repro),
 * and client mode's model and judge. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/result.h"
#include "livefuzz/livefuzz.h"
#include "wire_text.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"

Test(wire_text, frame_columns)
{
    ws_wire_frame f = {.tx = true, .opcode = 1, .fin = true, .masked = true, .len = 5};
    memcpy(f.mask_key, "\x12\x34\x56\x78", 4);
    memcpy(f.preview, "He\"l\n", 5);
    f.preview_len = 5;
    char out[512];
    ws_wire_text(out, sizeof out, &f);
    cr_assert_str_eq(out, "Text FIN=1 RSV=000 mask=12345678 len=5 \"He\\\"l\\n\"");
    ws_wire_frame c = {.opcode = 8, .fin = true, .rsv = 5, .len = 5};
    memcpy(c.preview,
           "\x03\xe9"
           "bye",
           5);
    c.preview_len = 5;
    ws_wire_text(out, sizeof out, &c);
    cr_assert_str_eq(out, "Close FIN=1 RSV=101 mask=- len=5 code 1001 \"bye\"");
    ws_wire_frame big = {.opcode = 3, .len = 1000};
    big.preview_len = 2;
    big.preview[0] = 0xff;
    ws_wire_text(out, sizeof out, &big);
    cr_assert_str_eq(out, "Reserved 0x3 FIN=0 RSV=000 mask=- len=1000 \"\\xff\\x00\"...");
}

Test(wire_text, escape_bounds)
{
    char out[8];
    cr_assert(ws_text_escape(out, sizeof out, (const uint8_t *)"\x01\x02\x03", 3, 10));
    cr_assert_str_eq(out, "\\x01");
    char wide[64];
    cr_assert_not(ws_text_escape(wide, sizeof wide, (const uint8_t *)"a\tb", 3, 10));
    cr_assert_str_eq(wide, "a\\tb");
    cr_assert(ws_text_escape(wide, sizeof wide, (const uint8_t *)"abcdef", 6, 3));
    cr_assert_str_eq(wide, "abc");
}

static char *print_log(const ws_lf_capture *c, bool client_mode)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    ws_lf_wirelog_print(c, client_mode, f);
    fclose(f);
    return buf;
}

Test(wirelog, both_directions_frame_by_frame)
{
    ws_lf_capture c = {0};
    ws_lf_capture_reset(&c);
    const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    /* A masked "Hi" split over two writes, and a lying length at the end. */
    uint8_t masked[] = {0x81, 0x82, 1, 2, 3, 4, 'H' ^ 1, 'i' ^ 2};
    ws_lf_capture_add(&c, WS_LF_CAP_TX, req, sizeof req - 1);
    ws_lf_capture_add(&c, WS_LF_CAP_TX, masked, 5);
    ws_lf_capture_note(&c, "pause 5 ms");
    ws_lf_capture_add(&c, WS_LF_CAP_TX, masked + 5, 3);
    const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
                        "\x81\x02Hi\x88\x02\x03\xe8";
    ws_lf_capture_add(&c, WS_LF_CAP_RX, resp, sizeof resp - 1);
    uint8_t lie[] = {0x82, 0x7e, 0x01, 0x00, 'x'};
    ws_lf_capture_add(&c, WS_LF_CAP_TX, lie, sizeof lie);
    char *out = print_log(&c, false);
    cr_assert(strstr(out, "->  GET / HTTP/1.1\n"), "%s", out);
    cr_assert(strstr(out, "->  Host: h\n"), "%s", out);
    cr_assert(strstr(out, "--  pause 5 ms\n"), "%s", out);
    cr_assert(strstr(out, "->  #1 Text FIN=1 RSV=000 mask=01020304 len=2 \"Hi\"\n"), "%s", out);
    cr_assert(strstr(out, "<-  HTTP/1.1 101 Switching Protocols\n"), "%s", out);
    cr_assert(strstr(out, "<-  #2 Text FIN=1 RSV=000 mask=- len=2 \"Hi\"\n"), "%s", out);
    cr_assert(strstr(out, "<-  #3 Close FIN=1 RSV=000 mask=- len=2 code 1000 \"\"\n"), "%s", out);
    cr_assert(strstr(out, "->  #4 Binary FIN=1 RSV=000 mask=- len=256 \"x\"... (incomplete: 1 of "
                          "256 payload octets)"),
              "%s", out);
    /* The frame completes in the write after the pause. */
    cr_assert(strstr(out, "pause") < strstr(out, "#1 Text"), "%s", out);
    free(out);
    ws_lf_capture_free(&c);
}

Test(wirelog, refused_handshake_is_not_frames)
{
    ws_lf_capture c = {0};
    ws_lf_capture_reset(&c);
    const char resp[] = "HTTP/1.1 400 Bad Request\r\n\r\n\x81\x02no";
    ws_lf_capture_add(&c, WS_LF_CAP_RX, resp, sizeof resp - 1);
    char *out = print_log(&c, false);
    cr_assert(strstr(out, "<-  4 octets after the response head: \"\\x81\\x02no\""), "%s", out);
    cr_assert_null(strstr(out, "#1"), "%s", out);
    free(out);
    /* In client mode the peer's head is a request and its frames follow. */
    ws_lf_capture_reset(&c);
    const char req[] = "GET /s1 HTTP/1.1\r\n\r\n\x81\x80\x00\x00\x00\x00";
    ws_lf_capture_add(&c, WS_LF_CAP_RX, req, sizeof req - 1);
    out = print_log(&c, true);
    cr_assert(strstr(out, "<-  GET /s1 HTTP/1.1\n"), "%s", out);
    cr_assert(strstr(out, "<-  #1 Text FIN=1 RSV=000 mask=00000000 len=0 \"\""), "%s", out);
    free(out);
    ws_lf_capture_free(&c);
}

/* ------------------------------------------------ --save-repro recording */

static const ws_case test_case = {.id = "3.2", .title = "t"};

Test(tx_record, bounded_and_cut_at_the_limit)
{
    ws_case_result res;
    ws_result_init(&res, &test_case, 1);
    res.tx_record_limit = 10;
    ws_result_record_tx(&res, (const uint8_t *)"x", 1, 0); /* before the connect: ignored */
    cr_assert_null(res.tx_record);
    ws_result_record_start(&res, 0);
    ws_result_record_tx(&res, (const uint8_t *)"abcd", 4, 0);
    ws_result_record_tx(&res, (const uint8_t *)"efghij", 6, 30 * 1000000LL);
    ws_result_record_tx(&res, (const uint8_t *)"KLMNOP", 6, 31 * 1000000LL);
    ws_result_record_tx(&res, (const uint8_t *)"QR", 2, 40 * 1000000LL);
    const ws_tx_record *t = res.tx_record;
    cr_assert_not_null(t);
    cr_assert_eq(t->nwrites, 2);
    cr_assert_eq(t->len, 10);
    cr_assert_eq(memcmp(t->data, "abcdefghij", 10), 0);
    cr_assert_eq(t->writes[1].pause_ms, 30);
    cr_assert_eq(t->left_out, 8);
    cr_assert_eq(t->left_out_writes, 2);

    /* The record as a reproducer. */
    res.behavior = WS_BEHAVIOR_FAILED;
    res.behavior_close = WS_CLOSE_VERDICT_OK;
    strcpy(res.reason, "Expected an echo.\nGot none.");
    res.http_status = 101;
    res.remote_close_code = 1002;
    ws_lf_repro r;
    cr_assert(ws_lf_repro_from_case(&res, "ws://127.0.0.1:9/", &r));
    cr_assert_eq(r.oracle, WS_LF_MUST);
    cr_assert_not(r.client_mode);
    cr_assert_str_eq(r.detail, "Expected an echo. Got none.");
    cr_assert_str_eq(r.target, "ws://127.0.0.1:9/");
    cr_assert(strncmp(r.shape, "hs101 d0 p0 c1002", 17) == 0, "%s", r.shape);
    cr_assert(strstr(r.note, "case 3.2"), "%s", r.note);
    cr_assert(strstr(r.note, "truncated at 10 octets: 8 octets (2 more writes) not recorded"), "%s",
              r.note);
    cr_assert_eq(r.nacts, 3); /* send, pause 30, send */
    cr_assert_eq(r.acts[0].kind, WS_LF_SEND);
    cr_assert_eq(r.acts[1].kind, WS_LF_PAUSE);
    cr_assert_eq(r.acts[1].ms, 30);
    cr_assert_eq(r.acts[2].len, 6);
    ws_lf_repro_free(&r);
    ws_result_free(&res);
    cr_assert_null(res.tx_record);
}

Test(tx_record, off_unless_asked)
{
    ws_case_result res;
    ws_result_init(&res, &test_case, 1);
    ws_result_record_start(&res, 0);
    ws_result_record_tx(&res, (const uint8_t *)"abcd", 4, 0);
    cr_assert_null(res.tx_record);
    ws_lf_repro r;
    cr_assert_not(ws_lf_repro_from_case(&res, "ws://h/", &r));
    ws_result_free(&res);
}

/* ------------------------------------------------------- client mode */

static const char request[] =
    "GET /s1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

/* A response head (with the right accept unless `accept` is given) plus frames. */
static size_t session(uint8_t *out, const char *accept, const uint8_t *frames, size_t n,
                      size_t *head)
{
    char good[WS_ACCEPT_LEN + 1];
    ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, good);
    int k = snprintf((char *)out, 512,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept ? accept : good);
    *head = (size_t)k;
    memcpy(out + k, frames, n);
    return (size_t)k + n;
}

Test(client_model, echo_owed_for_unmasked_frames)
{
    static const uint8_t frames[] = {0x81, 0x02, 'h', 'i', 0x89, 0x00};
    uint8_t buf[600];
    size_t head, len = session(buf, NULL, frames, sizeof frames, &head);
    static ws_lf_expect e;
    ws_lf_expect_build_client(buf, len, head, request, sizeof request - 1, &e);
    cr_assert_not(e.hs_must_reject);
    cr_assert_eq(e.end, WS_LF_M_CLEAN);
    cr_assert_eq(e.ndata, 1);
    cr_assert_eq(e.npings, 1);
    static ws_lf_obs o;
    memset(&o, 0, sizeof o);
    o.hs_done = true;
    o.hs_status = 101;
    cr_assert_not(ws_lf_settled_client(&e, &o));
    o.ev[o.nev++] = e.data[0];
    o.ndata = 1;
    o.ev[o.nev++] = e.pings[0];
    o.npongs = 1;
    char d[256];
    cr_assert(ws_lf_settled_client(&e, &o));
    cr_assert_not(ws_lf_judge_client(&e, &o, d, sizeof d), "%s", d);
    o.peer_err = WS_ERR_MASK_MISSING; /* the client sent an unmasked frame */
    cr_assert(ws_lf_judge_client(&e, &o, d, sizeof d));
    cr_assert(strstr(d, "MASK_MISSING"), "%s", d);
}

Test(client_model, masked_server_frame_must_fail)
{
    static const uint8_t frames[] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    uint8_t buf[600];
    size_t head, len = session(buf, NULL, frames, sizeof frames, &head);
    static ws_lf_expect e;
    ws_lf_expect_build_client(buf, len, head, request, sizeof request - 1, &e);
    cr_assert_eq(e.end, WS_LF_M_FAIL);
    cr_assert_eq(e.violation, WS_ERR_MASK_UNEXPECTED);
    cr_assert_eq(e.ndata, 0);
    static ws_lf_obs o;
    memset(&o, 0, sizeof o);
    o.hs_done = true;
    o.hs_status = 101;
    o.ev[o.nev++] = (ws_lf_msg){WS_OP_TEXT, 2, 0};
    o.ndata = 1;
    char d[256];
    cr_assert(ws_lf_judge_client(&e, &o, d, sizeof d));
    cr_assert(strstr(d, "MASK_UNEXPECTED"), "%s", d);
}

Test(client_model, bad_or_refused_handshake)
{
    static const uint8_t frames[] = {0x81, 0x02, 'h', 'i'};
    uint8_t buf[600];
    size_t head, len = session(buf, "dGhlIHNhbXBsZSBub25jZQ==", frames, sizeof frames, &head);
    static ws_lf_expect e;
    ws_lf_expect_build_client(buf, len, head, request, sizeof request - 1, &e);
    cr_assert(e.hs_must_reject);
    cr_assert_eq(e.hs_err, WS_ERR_HS_ACCEPT);
    cr_assert_not(e.may_stay_open);
    static ws_lf_obs o;
    memset(&o, 0, sizeof o);
    o.hs_done = true;
    o.hs_status = 101;
    char d[256];
    cr_assert_not(ws_lf_settled_client(&e, &o)); /* it must close */
    o.ev[o.nev++] = (ws_lf_msg){WS_OP_TEXT, 2, 0};
    o.ndata = 1;
    cr_assert(ws_lf_judge_client(&e, &o, d, sizeof d));
    cr_assert(strstr(d, "HS_ACCEPT"), "%s", d);

    const char refused[] = "HTTP/1.1 404 Not Found\r\n\r\n";
    ws_lf_expect_build_client((const uint8_t *)refused, sizeof refused - 1, sizeof refused - 1,
                              request, sizeof request - 1, &e);
    cr_assert(e.hs_must_reject);
    cr_assert(e.may_stay_open);
    memset(&o, 0, sizeof o);
    o.hs_done = true;
    o.hs_status = 101;
    cr_assert(ws_lf_settled_client(&e, &o)); /* plain HTTP: it may keep the connection */
    cr_assert_not(ws_lf_judge_client(&e, &o, d, sizeof d));
}

Test(client_model, session_renders_the_accept_token)
{
    static ws_lf_session s;
    cr_assert(ws_lf_client_seed(&s, 0));
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    cr_assert(ws_lf_session_render(&s, &r));
    size_t len, head;
    uint8_t *all = ws_lf_repro_concat(&r, &len, &head);
    cr_assert_not_null(all);
    cr_assert(memmem(all, head, "Sec-WebSocket-Accept: {accept}\r\n", 32));
    cr_assert_eq(all[head], 0x81); /* an unmasked text frame */
    cr_assert_eq(all[head + 1], 13);
    free(all);
    ws_lf_repro_free(&r);
    size_t n = 0;
    while (ws_lf_client_seed(&s, n))
        n++;
    cr_assert_geq(n, 4);
}

Test(client_model, accept_token_replaced_in_short_writes)
{
    ws_lf_repro r, out;
    ws_lf_repro_init(&r);
    /* Writes made of tokens only: each grows 3.5 times. */
    cr_assert(ws_lf_repro_send(&r, (const uint8_t *)"{accept}{accept}", 16));
    cr_assert(ws_lf_repro_act(&r, WS_LF_PAUSE, 7));
    cr_assert(ws_lf_repro_send(&r, (const uint8_t *)"{acc", 4));
    cr_assert(ws_lf_repro_send(&r, (const uint8_t *)"ept}", 4));
    cr_assert(ws_lf_client_substitute(&r, "dGhlIHNhbXBsZSBub25jZQ==", &out));
    cr_assert_eq(out.nacts, 4);
    cr_assert_eq(out.acts[0].len, 56);
    cr_assert_eq(
        memcmp(out.acts[0].data, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 56),
        0);
    cr_assert_eq(out.acts[1].kind, WS_LF_PAUSE);
    cr_assert_eq(out.acts[1].ms, 7);
    /* A token split over two writes stays as it is. */
    cr_assert_eq(out.acts[2].len, 4);
    cr_assert_eq(memcmp(out.acts[2].data, "{acc", 4), 0);
    ws_lf_repro_free(&out);
    ws_lf_repro_free(&r);
}
