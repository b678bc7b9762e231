/*
 * Echo server tests, part 4: the Sec-WebSocket-Extensions header and
 * permessage-deflate negotiation (RFC 7692 §5, §7.1); compressed messages
 * are in test_server_deflate.c.
 */
#include "server_harness.h"

TestSuite(server_pmd, .init = server_start, .fini = server_stop, .timeout = 30);

static void start_no_deflate(void)
{
    ws_server_config cfg = {.no_deflate = true};
    server_start_with(&cfg);
}

TestSuite(server_pmd_off, .init = start_no_deflate, .fini = server_stop, .timeout = 30);

/* ---- negotiation ---------------------------------------------------------- */

Test(server_pmd, plain_offer_is_accepted)
{
    ws_conn *c = open_pmd();
    ws_conn_close(c);
}

Test(server_pmd, window_bits_are_accepted)
{
    ws_conn *c =
        open_with("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
                  "permessage-deflate");
    ws_conn_close(c);
    c = open_with("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n",
                  "permessage-deflate; client_max_window_bits=10");
    ws_conn_close(c);
    c = open_with("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8; "
                  "client_max_window_bits=\"9\"\r\n",
                  "permessage-deflate; server_max_window_bits=8; client_max_window_bits=9");
    ws_conn_close(c);
    c = open_with("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
                  "server_no_context_takeover\r\n",
                  "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    ws_conn_close(c);
}

Test(server_pmd, invalid_offers_are_declined)
{
    static const char *const offers[] = {
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=08",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; x-unknown-param",
        "x-webkit-deflate-frame",
        "Permessage-Deflate",
    };
    for (size_t i = 0; i < sizeof offers / sizeof offers[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "Sec-WebSocket-Extensions: %s\r\n", offers[i]);
        ws_conn *c = open_with(line, NULL);
        /* Without the extension, RSV1 is a protocol error. */
        send_frame_rsv(c, true, WS_RSV1, WS_OP_TEXT, "\xf2\x00\x00", 3);
        expect_close(c, 1002);
        ws_conn_close(c);
    }
}

Test(server_pmd, first_acceptable_offer_wins)
{
    ws_conn *c = open_with("Sec-WebSocket-Extensions: x-foo; a=1, permessage-deflate; "
                           "server_max_window_bits=7, permessage-deflate; "
                           "server_no_context_takeover, permessage-deflate\r\n",
                           "permessage-deflate; server_no_context_takeover");
    ws_conn_close(c);
    /* Offers on several header lines form one list (RFC 7230 §3.2.2). */
    c = open_with("Sec-WebSocket-Extensions: permessage-deflate; foo\r\n"
                  "sec-websocket-extensions: permessage-deflate; client_max_window_bits=12\r\n",
                  "permessage-deflate; client_max_window_bits=12");
    ws_conn_close(c);
    /* Empty list elements are skipped (RFC 7230 §7). */
    c = open_with("Sec-WebSocket-Extensions: , permessage-deflate,, x-foo\r\n",
                  "permessage-deflate");
    ws_conn_close(c);
}

Test(server_pmd, malformed_header_gets_400)
{
    /* The 20.4.4 conformance case. */
    expect_400_with("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\r\n",
                    "Sec-WebSocket-Extensions");
    expect_400_with("Sec-WebSocket-Extensions: permessage-deflate; ;\r\n", "malformed");
    expect_400_with("Sec-WebSocket-Extensions: permessage deflate\r\n", "malformed");
    expect_400_with("Sec-WebSocket-Extensions: permessage-deflate; a=\r\n", "malformed");
    /* A bad second line spoils a good first one. */
    expect_400_with("Sec-WebSocket-Extensions: permessage-deflate\r\n"
                    "Sec-WebSocket-Extensions: x=\"\r\n",
                    "malformed");
}

Test(server_pmd, too_many_offers_get_400)
{
    char line[1024] = "Sec-WebSocket-Extensions: ";
    for (int i = 0; i < 40; i++)
        strcat(line, "x-a, ");
    strcat(line, "permessage-deflate\r\n");
    expect_400_with(line, "offers");
}

/* ---- --no-deflate ---------------------------------------------------------- */

Test(server_pmd_off, offers_are_declined)
{
    ws_conn *c = open_with("Sec-WebSocket-Extensions: permessage-deflate\r\n", NULL);
    send_frame(c, true, WS_OP_TEXT, "plain", 5);
    expect_echo(c, WS_OP_TEXT, "plain", 5);
    send_frame_rsv(c, true, WS_RSV1, WS_OP_TEXT, "\xf2\x00\x00", 3);
    expect_close(c, 1002);
    ws_conn_close(c);
}

Test(server_pmd_off, malformed_header_still_gets_400)
{
    expect_400_with("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\r\n",
                    "Sec-WebSocket-Extensions");
}
