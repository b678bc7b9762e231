/* Family 3, Reserved bits: RSV1-3 set with no extension negotiated
 * (RFC 6455 §5.2: "MUST be 0 unless an extension is negotiated"). */
#include "driver/case.h"

#define RSV_RFC "RFC 6455 §5.2"
#define RSV_REQ                                                                                    \
    "A frame with a non-zero RSV field and no extension that defines it fails the connection."
#define HELLO WS_DATA("Hello, world!")

static const ws_case cases[] = {
    {.id = "3.1",
     .rfc = RSV_RFC,
     .title = "Text frame with RSV = 1",
     .requirement = RSV_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .rsv = 1, HELLO})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.2",
     .rfc = RSV_RFC,
     .title = "Valid text, then text with RSV = 2, then Ping",
     .requirement = RSV_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, HELLO}, {.opcode = 1, .rsv = 2, HELLO}, {.opcode = 9})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.3",
     .rfc = RSV_RFC,
     .title = "Valid text, then text with RSV = 3, then Ping, one TCP write per frame",
     .requirement = RSV_REQ,
     WS_STEPS({.kind = WS_STEP_SEND,
               .write = WS_WRITE_FRAMEWISE,
               WS_FRAMES({.opcode = 1, HELLO}, {.opcode = 1, .rsv = 3, HELLO}, {.opcode = 9})}),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.4",
     .rfc = RSV_RFC,
     .title = "Valid text, then text with RSV = 4, then Ping, one octet per TCP write",
     .requirement = RSV_REQ,
     WS_STEPS({.kind = WS_STEP_SEND,
               .write = WS_WRITE_CHOP,
               .chop = 1,
               WS_FRAMES({.opcode = 1, HELLO}, {.opcode = 1, .rsv = 4, HELLO}, {.opcode = 9})}),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.5",
     .rfc = RSV_RFC,
     .title = "Binary frame with RSV = 5",
     .requirement = RSV_REQ,
     WS_STEPS(WS_SEND({.opcode = 2, .rsv = 5, WS_DATA("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.6",
     .rfc = RSV_RFC,
     .title = "Binary frame with RSV = 6",
     .requirement = RSV_REQ,
     WS_STEPS(WS_SEND({.opcode = 2, .rsv = 6, HELLO})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "3.7",
     .rfc = RSV_RFC,
     .title = "Close frame with RSV = 7",
     .requirement = RSV_REQ,
     WS_STEPS(WS_SEND({.opcode = 8, .rsv = 7})),
     .end = WS_END_KILL,
     .end_ms = 1000},
};

void ws_suite_reserved(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
