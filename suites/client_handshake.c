/* Family 22, Client handshake checks (RFC 6455 §4.1, §4.2.2): wsspec, as
 * the server, answers the client's opening request; with a broken answer
 * the client MUST fail the WebSocket connection and never use it. Only for
 * testing clients (wsspec test-client). */
#include "driver/case.h"

#define CLIENT_RFC "RFC 6455 §4.1"
#define BROKEN_REQ                                                                                 \
    "If the server's response is not a valid 101 for the request, the client MUST fail the "       \
    "WebSocket connection: close TCP and never treat the connection as open (it must not echo "    \
    "the message wsspec sends next)."
#define VALID_REQ   "A valid response in an unusual but legal form is accepted."
#define HELLO_STEPS WS_STEPS(WS_SEND({.opcode = 1, WS_DATA("Hello, client!")}))
#define RESP(...)                                                                                  \
    .hs_response = &(const ws_hs_response)                                                         \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

#define BROKEN(id_, title_, ...)                                                                   \
    {                                                                                              \
        .id = id_, .rfc = CLIENT_RFC, .title = title_, .requirement = BROKEN_REQ, HELLO_STEPS,     \
        .end = WS_END_KILL, .end_ms = 2000, .hs_expect = WS_HS_REJECT, .roles = WS_FOR_CLIENTS,    \
        RESP(__VA_ARGS__)                                                                          \
    }
#define VALID(id_, title_, ...)                                                                    \
    {                                                                                              \
        .id = id_, .rfc = CLIENT_RFC, .title = title_, .requirement = VALID_REQ, HELLO_STEPS,      \
        .end = WS_END_KILL, .end_ms = 1000, .roles = WS_FOR_CLIENTS, RESP(__VA_ARGS__)             \
    }

static const ws_case cases[] = {
    VALID("22.1.1", "A 101 with an empty reason phrase", .reason = ""),
    VALID("22.1.2", "Upgrade and Connection as odd-case token lists", .upgrade = "WebSocket",
          .connection = "keep-alive, UPGRADE"),
    VALID("22.1.3", "Extra unknown response headers", .extra = "X-Extra: 1\r\nSet-Cookie: a=b\r\n"),
    VALID("22.1.4", "Header names in odd letter case", .odd_case = true),
    VALID("22.1.5", "The response in one-octet TCP writes", .chop = 1),
    VALID("22.1.6", "The first frame in the same TCP write as the 101", .first_frame = true),
    VALID("22.1.7", "Connection: upgrade, keep-alive", .connection = "upgrade, keep-alive"),
    BROKEN("22.2.1", "Wrong Sec-WebSocket-Accept", .accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    BROKEN("22.2.2", "No Sec-WebSocket-Accept", .omit = WS_HDR_KEY),
    BROKEN("22.2.3", "No Upgrade header", .omit = WS_HDR_UPGRADE),
    BROKEN("22.2.4", "Upgrade names another protocol", .upgrade = "h2c"),
    BROKEN("22.2.5", "No Connection header", .omit = WS_HDR_CONNECTION),
    BROKEN("22.2.6", "Status 200 instead of 101", .status = 200, .reason = "OK"),
    BROKEN("22.2.7", "Status 403", .status = 403, .reason = "Forbidden"),
    BROKEN("22.2.10", "Status 302 (a redirect) instead of 101", .status = 302, .reason = "Found",
           .extra = "Location: /elsewhere\r\n"),
    BROKEN("22.2.8", "An extension the client did not offer",
           .extra = "Sec-WebSocket-Extensions: x-wsspec-unrequested\r\n"),
    BROKEN("22.2.9", "A subprotocol the client did not offer",
           .extra = "Sec-WebSocket-Protocol: x-wsspec-unrequested\r\n"),
    /* 22.3: permessage-deflate answers no client may accept (RFC 7692 §5.1,
     * §7.1.2): invalid whether or not the client offered the extension. */
    BROKEN("22.3.1", "permessage-deflate with server_max_window_bits=7",
           .extra = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7\r\n"),
    BROKEN("22.3.2", "permessage-deflate with an unknown parameter",
           .extra = "Sec-WebSocket-Extensions: permessage-deflate; x-wsspec=1\r\n"),
    BROKEN("22.3.3", "permessage-deflate with a repeated parameter",
           .extra = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                    "server_no_context_takeover\r\n"),
};

void ws_suite_client_handshake(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
