/* Family 21, Masking and length encoding (RFC 6455 §5.1, §5.2, §5.3). */
#include "driver/case.h"

#define MASK_RFC     "RFC 6455 §5.1"
#define UNMASKED_REQ "A server MUST close the connection on a frame that is not masked."
#define NONMIN_REQ                                                                                 \
    "The sender MUST use the minimal length encoding; a receiver may reject a non-minimal one "    \
    "(OK) or accept it (INFORMATIONAL)."
#define HELLO WS_DATA("Hello, world!")
#define KILL  .end = WS_END_KILL, .end_ms = 1000

static const ws_case cases[] = {
    {.id = "21.1.1",
     .rfc = MASK_RFC,
     .title = "Unmasked text frame",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .unmasked = true, HELLO})),
     KILL},
    {.id = "21.1.2",
     .rfc = MASK_RFC,
     .title = "Unmasked binary frame",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 2, .unmasked = true, .gen = WS_GEN_BINARY, .len = 300})),
     KILL},
    {.id = "21.1.3",
     .rfc = MASK_RFC,
     .title = "Unmasked Ping",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 9, .unmasked = true, HELLO})),
     KILL},
    {.id = "21.1.4",
     .rfc = MASK_RFC,
     .title = "Unmasked Close",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 8, .unmasked = true, .coded = true, .code = 1000})),
     KILL},
    {.id = "21.1.5",
     .rfc = MASK_RFC,
     .title = "Valid text, then an unmasked text frame",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, HELLO}, {.opcode = 1, .unmasked = true, HELLO})),
     KILL},
    {.id = "21.1.6",
     .rfc = MASK_RFC,
     .title = "Unmasked continuation of a masked text",
     .requirement = UNMASKED_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, HELLO}, {.unmasked = true, HELLO})),
     KILL},
    {.id = "21.2.1",
     .rfc = "RFC 6455 §5.3",
     .title = "Text masked with the key 00 00 00 00",
     .requirement = "Any 32-bit value is a valid masking key, zero included: the message is "
                    "echoed.",
     WS_STEPS(WS_SEND({.opcode = 1, .zero_mask = true, HELLO})),
     KILL},
    {.id = "21.2.2",
     .rfc = "RFC 6455 §5.3",
     .title = "Fragmented binary, every frame with the zero key",
     .requirement = "Any 32-bit value is a valid masking key, zero included.",
     WS_STEPS(WS_SEND(
         {.opcode = 2, .zero_mask = true, .gen = WS_GEN_BINARY, .len = 1000, .fragment = 300})),
     KILL},
    {.id = "21.3.1",
     .rfc = "RFC 6455 §5.2",
     .title = "5-octet text with a 16-bit length",
     .requirement = NONMIN_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .len_form = 16, WS_DATA("Hello")})),
     KILL,
     .flags = WS_CASE_LENIENT},
    {.id = "21.3.2",
     .rfc = "RFC 6455 §5.2",
     .title = "5-octet text with a 64-bit length",
     .requirement = NONMIN_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .len_form = 64, WS_DATA("Hello")})),
     KILL,
     .flags = WS_CASE_LENIENT},
    {.id = "21.3.3",
     .rfc = "RFC 6455 §5.2",
     .title = "200-octet binary with a 64-bit length",
     .requirement = NONMIN_REQ,
     WS_STEPS(WS_SEND({.opcode = 2, .len_form = 64, .gen = WS_GEN_BINARY, .len = 200})),
     KILL,
     .flags = WS_CASE_LENIENT},
    {.id = "21.3.4",
     .rfc = "RFC 6455 §5.2",
     .title = "Ping with a 16-bit length of 5",
     .requirement = NONMIN_REQ,
     WS_STEPS(WS_SEND({.opcode = 9, .len_form = 16, WS_DATA("Hello")})),
     KILL,
     .flags = WS_CASE_LENIENT},
    {.id = "21.4.1",
     .rfc = "RFC 6455 §5.2",
     .title = "64-bit length with the most significant bit set",
     .requirement = "The most significant bit of a 64-bit length MUST be 0: the connection is "
                    "failed at once, without waiting for (or allocating) 2^63 octets.",
     WS_STEPS(WS_SEND(
         {.opcode = 2, .declared_len = 0x8000000000000005ULL, .gen = WS_GEN_BINARY, .len = 16})),
     KILL},
    {.id = "21.4.2",
     .rfc = "RFC 6455 §5.2",
     .title = "64-bit length of 2^64-1",
     .requirement = "The most significant bit of a 64-bit length MUST be 0: the connection is "
                    "failed at once.",
     WS_STEPS(WS_SEND({.opcode = 1, .declared_len = 0xffffffffffffffffULL, HELLO})),
     KILL},
    {.id = "21.5.1",
     .rfc = "RFC 6455 §5.5.1",
     .title = "Close between the fragments of a binary message",
     .requirement = "A Close may arrive between fragments: the partial message is dropped and "
                    "the close is answered normally.",
     WS_STEPS(WS_SEND({.opcode = 2, .more = true, HELLO},
                      {.opcode = 8, .coded = true, .code = 1000}, {HELLO})),
     KILL,
     .flags = WS_CASE_CODE_FATAL},
    {.id = "21.5.2",
     .rfc = "RFC 6455 §5.5.1",
     .title = "Ping, then Close, between the fragments of a text message",
     .requirement = "The Ping is answered; then the close is answered normally and the partial "
                    "message dropped.",
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, HELLO}, {.opcode = 9, WS_DATA("ping")},
                      {.opcode = 8, .coded = true, .code = 1000}, {HELLO})),
     KILL,
     .flags = WS_CASE_CODE_FATAL},
};

void ws_suite_masking(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
