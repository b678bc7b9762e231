/* Family 2, Pings and Pongs (RFC 6455 §5.5.2, §5.5.3). */
#include "driver/case.h"

#define PING_RFC "RFC 6455 §5.5.2"
#define PONG_RFC "RFC 6455 §5.5.3"

static const ws_case cases[] = {
    {.id = "2.1",
     .rfc = PING_RFC,
     .title = "Ping without payload",
     .requirement = "A Ping is answered by a Pong with the same (empty) payload.",
     WS_STEPS(WS_SEND({.opcode = 9})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "2.2",
     .rfc = PING_RFC,
     .title = "Ping with a short text payload",
     .requirement = "The Pong carries the Ping's application data unchanged.",
     WS_STEPS(WS_SEND({.opcode = 9, WS_DATA("Hello, world!")})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "2.3",
     .rfc = PING_RFC,
     .title = "Ping with a short binary payload",
     .requirement = "The Pong carries the Ping's application data unchanged.",
     WS_STEPS(WS_SEND({.opcode = 9, WS_DATA("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "2.4",
     .rfc = PING_RFC,
     .title = "Ping with a 125-octet payload (the maximum)",
     .requirement = "Control frames may carry up to 125 octets; the Pong echoes them.",
     WS_STEPS(WS_SEND({.opcode = 9, .gen = WS_GEN_FILL, .fill = 0xfe, .len = 125})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "2.5",
     .rfc = "RFC 6455 §5.5",
     .title = "Ping with a 126-octet payload",
     .requirement = "A control frame longer than 125 octets is a protocol error: the connection "
                    "is failed.",
     WS_STEPS(WS_SEND({.opcode = 9, .gen = WS_GEN_FILL, .fill = 0xfe, .len = 126})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "2.6",
     .rfc = PING_RFC,
     .title = "Ping with a 125-octet payload, one octet per TCP write",
     .requirement = "A Ping arriving in many TCP segments is answered like any other.",
     WS_STEPS({.kind = WS_STEP_SEND,
               .write = WS_WRITE_CHOP,
               .chop = 1,
               WS_FRAMES({.opcode = 9, .gen = WS_GEN_FILL, .fill = 0xfe, .len = 125})}),
     .end = WS_END_CLOSE,
     .end_ms = 2000},
    {.id = "2.7",
     .rfc = PONG_RFC,
     .title = "Unsolicited Pong without payload",
     .requirement = "An unsolicited Pong is ignored: no answer is expected.",
     WS_STEPS(WS_SEND({.opcode = 10}, {.opcode = 8, .coded = true, .code = 1000})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "2.8",
     .rfc = PONG_RFC,
     .title = "Unsolicited Pong with payload",
     .requirement = "An unsolicited Pong is ignored: no answer is expected.",
     WS_STEPS(WS_SEND({.opcode = 10, WS_DATA("unsolicited pong payload")},
                      {.opcode = 8, .coded = true, .code = 1000})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "2.9",
     .rfc = PONG_RFC,
     .title = "Unsolicited Pong, then a Ping",
     .requirement = "The unsolicited Pong is ignored and the Ping gets exactly one Pong.",
     WS_STEPS(WS_SEND({.opcode = 10, WS_DATA("unsolicited pong payload")},
                      {.opcode = 9, WS_DATA("ping payload")})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
#define TEN_PINGS                                                                                  \
    {.opcode = 9, WS_DATA("payload-0")}, {.opcode = 9, WS_DATA("payload-1")},                      \
        {.opcode = 9, WS_DATA("payload-2")}, {.opcode = 9, WS_DATA("payload-3")},                  \
        {.opcode = 9, WS_DATA("payload-4")}, {.opcode = 9, WS_DATA("payload-5")},                  \
        {.opcode = 9, WS_DATA("payload-6")}, {.opcode = 9, WS_DATA("payload-7")},                  \
        {.opcode = 9, WS_DATA("payload-8")},                                                       \
    {                                                                                              \
        .opcode = 9, WS_DATA("payload-9")                                                          \
    }
    {.id = "2.10",
     .rfc = PING_RFC,
     .title = "Ten Pings sent back to back",
     .requirement = "Each Ping is answered, in order. Answering only the most recent Ping is "
                    "allowed (§5.5.3: the endpoint MAY elect to send a Pong for only the most "
                    "recently processed Ping) and judged NON-STRICT.",
     WS_STEPS(WS_SEND(TEN_PINGS)),
     .end = WS_END_CLOSE,
     .end_ms = 3000,
     .flags = WS_CASE_LATEST_PONG},
    {.id = "2.11",
     .rfc = PING_RFC,
     .title = "Ten Pings, one octet per TCP write",
     .requirement = "As 2.10, with every octet in its own TCP write.",
     WS_STEPS({.kind = WS_STEP_SEND, .write = WS_WRITE_CHOP, .chop = 1, WS_FRAMES(TEN_PINGS)}),
     .end = WS_END_CLOSE,
     .end_ms = 3000,
     .flags = WS_CASE_LATEST_PONG},
};

void ws_suite_pings(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
