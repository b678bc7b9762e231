/* Family 23, permessage-deflate: what Autobahn never checks (RFC 7692). */
#include "driver/case.h"

#define OFFER "permessage-deflate; client_max_window_bits"
#define KILL  .end = WS_END_KILL, .end_ms = 2000
#define HELLO WS_DATA("Hello, compression!")
/* The same message twice: a short one, within any window a server may use,
 * and a long one, above the size under which some servers send echoes
 * uncompressed (1024 octets for node's ws). A compressor that keeps its
 * context deflates each second copy to a few octets. */
#define SHORT_AGAIN                                                                                \
    {                                                                                              \
        .opcode = 1, .compress = true,                                                             \
        WS_DATA("permessage-deflate: the same message again, and each copy must stand alone.")     \
    }
#define LONG_AGAIN                                                                                 \
    {                                                                                              \
        .opcode = 1, .compress = true, .gen = WS_GEN_TEXT, .len = 2000                             \
    }
#define DECLINE_REQ                                                                                \
    "A server MUST decline an offer with an invalid, unknown or repeated parameter (RFC 7692 "     \
    "§5.1): no permessage-deflate in its answer, or a refused handshake."
#define DECLINED(id_, title_, offer_)                                                              \
    {                                                                                              \
        .id = id_, .rfc = "RFC 7692 §5.1", .title = title_, .requirement = DECLINE_REQ,            \
        WS_STEPS(WS_SEND({.opcode = 1, HELLO})), KILL, .roles = WS_FOR_SERVERS,                    \
        .hs = &(const ws_hs_request)                                                               \
        {                                                                                          \
            .extensions = offer_, .may_refuse = true                                               \
        }                                                                                          \
    }

static const ws_case cases[] = {
    {.id = "23.1.1",
     .rfc = "RFC 7692 §6",
     .title = "RSV1 on a Ping",
     .requirement = "RSV1 marks a compressed message; on a control frame it fails the connection.",
     WS_STEPS(WS_SEND({.opcode = 9, .rsv = 4, HELLO})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.2",
     .rfc = "RFC 7692 §6",
     .title = "RSV1 on a continuation frame",
     .requirement = "RSV1 is set only on the first frame of a message.",
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, HELLO}, {.rsv = 4, HELLO})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.3",
     .rfc = "RFC 6455 §5.2",
     .title = "RSV1 without permessage-deflate",
     .requirement = "Without a negotiated extension RSV1 fails the connection.",
     WS_STEPS(WS_SEND({.opcode = 1, .rsv = 4, HELLO})),
     KILL},
    {.id = "23.1.4",
     .rfc = "RFC 7692 §7.2.2",
     .title = "A compressed frame that is not deflate",
     .requirement = "Data that does not inflate fails the connection.",
     WS_STEPS(WS_SEND({.opcode = 2, .rsv = 4, WS_DATA("\xff\xff\xff\xff\xfe\xfd")})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.5",
     .rfc = "RFC 7692 §8",
     .title = "A 256 KiB frame inflating to 256 MiB (a decompression bomb)",
     .requirement = "The peer refuses a message over its limit while inflating (1009), without "
                    "allocating the whole of it.",
     WS_STEPS(WS_SEND({.opcode = 2, .gen = WS_GEN_ZEROS_DEFLATED, .len = 256u << 20})),
     .end = WS_END_KILL,
     .end_ms = 5000,
     .pmd_offer = OFFER},
    {.id = "23.1.6",
     .rfc = "RFC 7692 §6",
     .title = "An uncompressed message inside a compressed session",
     .requirement = "A message without RSV1 is not compressed, and is valid.",
     WS_STEPS(WS_SEND({.opcode = 1, HELLO})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.7",
     .rfc = "RFC 7692 §6",
     .title = "Compressed, uncompressed and compressed messages in turn",
     .requirement = "Each message says whether it is compressed; the context carries over.",
     WS_STEPS(WS_SEND({.opcode = 1, .compress = true, HELLO}, {.opcode = 2, HELLO},
                      {.opcode = 1, .compress = true, HELLO})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.8",
     .rfc = "RFC 7692 §7.2.1",
     .title = "A compressed message in 1-octet frames",
     .requirement = "The compressed payload may be fragmented anywhere.",
     WS_STEPS(WS_SEND({.opcode = 1, .compress = true, .fragment = 1, HELLO})),
     KILL,
     .pmd_offer = OFFER},
    {.id = "23.1.9",
     .rfc = "RFC 7692 §7.1.1.1",
     .title = "server_no_context_takeover is honoured",
     .requirement = "With server_no_context_takeover agreed the server resets its compressor "
                    "after every message: each compressed message must inflate with a fresh "
                    "inflater (the sizes received are shown; with the context kept, the later "
                    "copies shrink).",
     WS_STEPS(WS_SEND(SHORT_AGAIN, SHORT_AGAIN, LONG_AGAIN, LONG_AGAIN)),
     KILL,
     .roles = WS_FOR_SERVERS,
     .pmd_offer = "permessage-deflate; server_no_context_takeover; client_max_window_bits"},
    /* 23.3: the client side. wsspec, as the server, accepts the client's
     * offer and asks for client_no_context_takeover (RFC 7692 §7.1.1.2). */
    {.id = "23.3.1",
     .rfc = "RFC 7692 §7.1.1.2",
     .title = "client_no_context_takeover is honoured",
     .requirement = "With client_no_context_takeover in the server's answer the client resets "
                    "its compressor after every message: each compressed message must inflate "
                    "with a fresh inflater (the sizes received are shown).",
     WS_STEPS(WS_SEND(SHORT_AGAIN, SHORT_AGAIN, LONG_AGAIN, LONG_AGAIN)),
     KILL,
     .roles = WS_FOR_CLIENTS,
     .hs_response = &(const ws_hs_response){.pmd_client_no_context_takeover = true},
     .pmd_offer = OFFER},
    DECLINED("23.2.1", "Offer with server_max_window_bits=7",
             "permessage-deflate; server_max_window_bits=7"),
    DECLINED("23.2.2", "Offer with server_max_window_bits=16",
             "permessage-deflate; server_max_window_bits=16"),
    DECLINED("23.2.3", "Offer with client_max_window_bits=7",
             "permessage-deflate; client_max_window_bits=7"),
    DECLINED("23.2.4", "Offer with a repeated parameter",
             "permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
    DECLINED("23.2.5", "Offer with an unknown parameter", "permessage-deflate; x-wsspec=1"),
    DECLINED("23.2.6", "Offer with a value on server_no_context_takeover",
             "permessage-deflate; server_no_context_takeover=1"),
};

void ws_suite_compression_negative(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
