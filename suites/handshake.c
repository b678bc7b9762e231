/* Family 20, Opening handshake, server side (RFC 6455 §4.1, §4.2.1,
 * §4.2.2, §4.4). Autobahn has no handshake cases; these ids are wsspec's. */
#include "driver/case.h"

#define REQ_RFC    "RFC 6455 §4.2.1"
#define ACCEPT_REQ "A valid opening request is accepted with a correct 101 response."
#define REFUSE_REQ                                                                                 \
    "A request missing a required element is refused with an HTTP error status (§4.2.1: the "     \
    "server MUST respond with 400 Bad Request or stop processing the handshake)."
#define ABSURD_REQ                                                                                 \
    "An absurd request is refused without harm: the server answers 4xx or closes, and still "      \
    "serves the next client."
#define HELLO_STEPS WS_STEPS(WS_SEND({.opcode = 1, WS_DATA("Hello, handshake!")}))

/* The opening request of Firefox 128 for a SockJS-style path, verbatim. */
static const char firefox_request[] =
    "GET /chat/046/rnfjawvk/websocket HTTP/1.1\r\n"
    "Host: {host}\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: */*\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Origin: http://{host}\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
    "Sec-WebSocket-Key: {key}\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-Fetch-Dest: empty\r\n"
    "Sec-Fetch-Mode: websocket\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n"
    "Upgrade: websocket\r\n"
    "\r\n";

#define HS(...)                                                                                    \
    .hs = &(const ws_hs_request)                                                                   \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define ACCEPTED(id_, rfc_, title_, ...)                                                           \
    {                                                                                              \
        .id = id_, .rfc = rfc_, .title = title_, .requirement = ACCEPT_REQ, HELLO_STEPS,           \
        .end = WS_END_KILL, .end_ms = 1000, HS(__VA_ARGS__)                                        \
    }
#define REFUSED(id_, title_, ...)                                                                  \
    {                                                                                              \
        .id = id_, .rfc = REQ_RFC, .title = title_, .requirement = REFUSE_REQ, .end = WS_END_KILL, \
        .end_ms = 1000, .hs_expect = WS_HS_REJECT, .flags = WS_CASE_PROBE_AFTER, HS(__VA_ARGS__)   \
    }
#define WRONG_VERSION(id_, title_, ...)                                                            \
    {                                                                                              \
        .id = id_, .rfc = "RFC 6455 §4.4", .title = title_,                                        \
        .requirement =                                                                             \
            "A request for a version the server does not speak is refused with an HTTP "           \
            "error (426 Upgrade Required) and Sec-WebSocket-Version: 13.",                         \
        .end = WS_END_KILL, .end_ms = 1000, .hs_expect = WS_HS_REJECT_VERSION,                     \
        .flags = WS_CASE_PROBE_AFTER, HS(__VA_ARGS__)                                              \
    }
#define ABSURD(id_, title_, ...)                                                                   \
    {                                                                                              \
        .id = id_, .rfc = "RFC 6455 §10.4", .title = title_, .requirement = ABSURD_REQ,            \
        .end = WS_END_KILL, .end_ms = 1000, .hs_expect = WS_HS_REJECT,                             \
        .flags = WS_CASE_PROBE_AFTER, HS(__VA_ARGS__)                                              \
    }

static const ws_case cases[] = {
    /* 20.1: valid requests in their many shapes */
    ACCEPTED("20.1.1", REQ_RFC, "A standard opening request", .method = NULL),
    {.id = "20.1.2",
     .rfc = REQ_RFC,
     .title = "Firefox's opening request, verbatim",
     .requirement = "Connection: keep-alive, Upgrade (a token list), an offered extension and a "
                    "SockJS-style path are all valid.",
     .end = WS_END_CLOSE,
     .end_ms = 100,
     HS(.raw = firefox_request, .extensions = "permessage-deflate", .allow_extensions = true)},
    ACCEPTED("20.1.3", "RFC 6455 §4.2.1", "Header names in odd letter case and reverse order",
             .odd_case = true),
    ACCEPTED("20.1.4", REQ_RFC, "Upgrade and Connection as token lists with odd spacing",
             .upgrade = "  WebSocket ", .connection = "keep-alive ,  upgrade  "),
    ACCEPTED("20.1.5", REQ_RFC, "The request in one-octet TCP writes", .chop = 1),
    ACCEPTED("20.1.6", "RFC 6455 §4.1", "The first frame in the same TCP write as the request",
             .first_frame = true),
    ACCEPTED("20.1.7", "RFC 6455 §4.2.2", "Two subprotocols offered: at most one may be chosen",
             .protocols = "chat, superchat"),
    ACCEPTED("20.1.8", "RFC 6455 §9.1", "An unknown extension offered must not be accepted",
             .extensions = "x-wsspec-unknown; foo=1"),
    ACCEPTED("20.1.9", REQ_RFC, "Extra and unknown headers are ignored",
             .extra = "X-Custom: 1\r\nCookie: a=b; c=d\r\nAccept: */*\r\n"),
    /* 20.2: required elements missing or wrong */
    REFUSED("20.2.1", "No Upgrade header", .omit = WS_HDR_UPGRADE),
    REFUSED("20.2.2", "Upgrade names another protocol", .upgrade = "h2c"),
    REFUSED("20.2.3", "No Connection header", .omit = WS_HDR_CONNECTION),
    REFUSED("20.2.4", "Connection without the Upgrade token", .connection = "keep-alive"),
    REFUSED("20.2.5", "No Sec-WebSocket-Key", .omit = WS_HDR_KEY),
    REFUSED("20.2.6", "Sec-WebSocket-Key is not base64", .key = "this is not base64!!!!!!"),
    REFUSED("20.2.7", "Sec-WebSocket-Key decodes to 15 octets", .key = "AAAAAAAAAAAAAAAAAAAA"),
    REFUSED("20.2.8", "Sec-WebSocket-Key decodes to 17 octets", .key = "AAAAAAAAAAAAAAAAAAAAAAA="),
    REFUSED("20.2.9", "Sec-WebSocket-Key sent twice",
            .extra = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
    REFUSED("20.2.10", "POST instead of GET", .method = "POST"),
    REFUSED("20.2.11", "HTTP/1.0 request", .http = "HTTP/1.0"),
    REFUSED("20.2.12", "No Host header", .omit = WS_HDR_HOST),
    /* 20.3: versions the server does not speak */
    REFUSED("20.3.1", "No Sec-WebSocket-Version", .omit = WS_HDR_VERSION),
    WRONG_VERSION("20.3.2", "Sec-WebSocket-Version: 8 (a draft version)", .version = "8",
                  .may_accept = true),
    WRONG_VERSION("20.3.3", "Sec-WebSocket-Version: 14", .version = "14"),
    WRONG_VERSION("20.3.4", "Sec-WebSocket-Version: abc", .version = "abc"),
    /* 20.4: absurd requests */
    ABSURD("20.4.1", "10 000 header lines", .filler_headers = 10000),
    ABSURD("20.4.2", "A 1 MiB header line", .long_value = 1 << 20),
    ABSURD("20.4.3", "A 1 MiB Sec-WebSocket-Protocol list with long runs of spaces",
           .long_value = 1 << 20, .long_name = "Sec-WebSocket-Protocol",
           .long_fill = "p,                                                              "),
    ABSURD("20.4.4", "An extension parameter with an unterminated quote",
           .extensions = "permessage-deflate; client_max_window_bits=\"10", .may_ignore = true),
};

void ws_suite_handshake(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ws_case c = cases[i];
        c.roles = WS_FOR_SERVERS;
        ws_registry_add(r, &c);
    }
}
