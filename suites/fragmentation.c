/* Family 5, Fragmentation (RFC 6455 §5.4). */
#include "driver/case.h"

#define FRAG_RFC  "RFC 6455 §5.4"
#define F1        WS_DATA("fragment1")
#define F2        WS_DATA("fragment2")
#define F3        WS_DATA("fragment3")
#define F4        WS_DATA("fragment4")
#define F5        WS_DATA("fragment5")
#define ONE_WRITE WS_WRITE_TOGETHER
#define FRAMEWISE WS_WRITE_FRAMEWISE

/* One SEND step with a chosen write mode (chop mode writes single octets). */
#define SENDW(mode, ...)                                                                           \
    {                                                                                              \
        .kind = WS_STEP_SEND, .write = (mode), .chop = 1, WS_FRAMES(__VA_ARGS__)                   \
    }
#define BYTEWISE WS_WRITE_CHOP

#define ORPHAN_REQ "A continuation frame with no message to continue fails the connection."
#define ECHO_REQ   "A fragmented message is reassembled and echoed as one message."
#define INTERLEAVE_REQ                                                                             \
    "Control frames may be injected between fragments and are answered at once; the message is "   \
    "then echoed whole."

static const ws_case cases[] = {
    {.id = "5.1",
     .rfc = "RFC 6455 §5.5",
     .title = "Ping fragmented into two frames",
     .requirement = "Control frames MUST NOT be fragmented: the connection is failed.",
     WS_STEPS(WS_SEND({.opcode = 9, .more = true, F1}, {.opcode = 0, F2})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "5.2",
     .rfc = "RFC 6455 §5.5",
     .title = "Pong fragmented into two frames",
     .requirement = "Control frames MUST NOT be fragmented: the connection is failed.",
     WS_STEPS(WS_SEND({.opcode = 10, .more = true, F1}, {.opcode = 0, F2})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "5.3",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments, one TCP write",
     .requirement = ECHO_REQ,
     WS_STEPS(SENDW(ONE_WRITE, {.opcode = 1, .more = true, F1}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "5.4",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments, one TCP write per frame",
     .requirement = ECHO_REQ,
     WS_STEPS(SENDW(FRAMEWISE, {.opcode = 1, .more = true, F1}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "5.5",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments, one octet per TCP write",
     .requirement = ECHO_REQ,
     WS_STEPS(SENDW(BYTEWISE, {.opcode = 1, .more = true, F1}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "5.6",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments with a Ping between them",
     .requirement = INTERLEAVE_REQ,
     WS_STEPS(SENDW(ONE_WRITE, {.opcode = 1, .more = true, F1},
                    {.opcode = 9, WS_DATA("ping payload")}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "5.7",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments with a Ping between them, one TCP write per frame",
     .requirement = INTERLEAVE_REQ,
     WS_STEPS(SENDW(FRAMEWISE, {.opcode = 1, .more = true, F1},
                    {.opcode = 9, WS_DATA("ping payload")}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "5.8",
     .rfc = FRAG_RFC,
     .title = "Text in two fragments with a Ping between them, one octet per TCP write",
     .requirement = INTERLEAVE_REQ,
     WS_STEPS(SENDW(BYTEWISE, {.opcode = 1, .more = true, F1},
                    {.opcode = 9, WS_DATA("ping payload")}, {F2})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
#define ORPHAN(id_, fin_more, mode, how)                                                           \
    {                                                                                              \
        .id = id_, .rfc = FRAG_RFC,                                                                \
        .title = "Continuation (FIN " how ") with nothing to continue", .requirement = ORPHAN_REQ, \
        WS_STEPS(SENDW(mode, {.opcode = 0, .more = fin_more, WS_DATA("non-continuation payload")}, \
                       {.opcode = 1, WS_DATA("Hello, world!")})),                                  \
        .end = WS_END_KILL, .end_ms = 1000                                                         \
    }
    ORPHAN("5.9", false, ONE_WRITE, "= 1, then text; one TCP write"),
    ORPHAN("5.10", false, FRAMEWISE, "= 1, then text; one TCP write per frame"),
    ORPHAN("5.11", false, BYTEWISE, "= 1, then text; one octet per TCP write"),
    ORPHAN("5.12", true, ONE_WRITE, "= 0, then text; one TCP write"),
    ORPHAN("5.13", true, FRAMEWISE, "= 0, then text; one TCP write per frame"),
    ORPHAN("5.14", true, BYTEWISE, "= 0, then text; one octet per TCP write"),
    {.id = "5.15",
     .rfc = FRAG_RFC,
     .title = "A complete fragmented text, then an orphan continuation, then text",
     .requirement = "The first message is echoed; the orphan continuation fails the connection.",
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, F1}, {F2}, {.opcode = 0, .more = true, F3},
                      {.opcode = 1, F4})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "5.16",
     .rfc = FRAG_RFC,
     .title = "Orphan continuation (FIN = 0), then a fragmented text; twice",
     .requirement = ORPHAN_REQ,
     WS_STEPS(WS_SEND({.opcode = 0, .more = true, F1}, {.opcode = 1, .more = true, F2}, {F3},
                      {.opcode = 0, .more = true, F1}, {.opcode = 1, .more = true, F2}, {F3})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "5.17",
     .rfc = FRAG_RFC,
     .title = "Orphan continuation (FIN = 1), then a fragmented text; twice",
     .requirement = ORPHAN_REQ,
     WS_STEPS(WS_SEND({.opcode = 0, F1}, {.opcode = 1, .more = true, F2}, {F3}, {.opcode = 0, F1},
                      {.opcode = 1, .more = true, F2}, {F3})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "5.18",
     .rfc = FRAG_RFC,
     .title = "A new text frame inside a fragmented text",
     .requirement = "Fragments of one message are not interleaved with another data frame: the "
                    "connection is failed.",
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, F1}, {.opcode = 1, F2})),
     .end = WS_END_KILL,
     .end_ms = 1000},
#define FIVE_PART(id_, mode, how)                                                                  \
    {                                                                                              \
        .id = id_, .rfc = FRAG_RFC,                                                                \
        .title = "Text in five fragments with two Pings and a 1 s pause" how,                      \
        .requirement = INTERLEAVE_REQ,                                                             \
        WS_STEPS(SENDW(mode, {.opcode = 1, .more = true, F1}, {.more = true, F2},                  \
                       {.opcode = 9, WS_DATA("pongme 1!")}),                                       \
                 {.kind = WS_STEP_PAUSE, .ms = 1000},                                              \
                 SENDW(mode, {.more = true, F3}, {.more = true, F4},                               \
                       {.opcode = 9, WS_DATA("pongme 2!")}, {F5})),                                \
        .end = WS_END_CLOSE, .end_ms = 1000, .flags = WS_CASE_TIMED                                \
    }
    FIVE_PART("5.19", ONE_WRITE, ""),
    FIVE_PART("5.20", FRAMEWISE, ", one TCP write per frame"),
};

void ws_suite_fragmentation(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
