/* Family 7, Close handling (RFC 6455 §5.5.1, §7.1, §7.4). wsspec starts the
 * closing handshake in every case; the peer must answer it correctly. */
#include "driver/case.h"

#define CLOSE_RFC "RFC 6455 §5.5.1"
#define CODE_RFC  "RFC 6455 §7.4"
#define HELLO     WS_DATA("Hello World!")
#define CLOSE_1000                                                                                 \
    {                                                                                              \
        .opcode = 8, .coded = true, .code = 1000                                                   \
    }
#define KILL .end = WS_END_KILL, .end_ms = 1000, .flags = WS_CASE_CODE_FATAL

#define AFTER_CLOSE_REQ                                                                            \
    "After sending its Close the peer sends no more data; frames that follow a Close are ignored " \
    "and the close completes cleanly."

static const ws_case cases[] = {
    {.id = "7.1.1",
     .rfc = "RFC 6455 §7.1.2",
     .title = "Text message, then a normal close",
     .requirement = "The message is echoed, then the close is answered and TCP is closed by the "
                    "server.",
     WS_STEPS(WS_SEND({.opcode = 1, HELLO}), {.kind = WS_STEP_AWAIT, .ms = 1000},
              WS_SEND(CLOSE_1000)),
     KILL},
    {.id = "7.1.2",
     .rfc = CLOSE_RFC,
     .title = "Close, then a second Close",
     .requirement = AFTER_CLOSE_REQ,
     WS_STEPS(WS_SEND(CLOSE_1000, {.opcode = 8})),
     KILL},
    {.id = "7.1.3",
     .rfc = CLOSE_RFC,
     .title = "Close, then a Ping",
     .requirement = AFTER_CLOSE_REQ,
     WS_STEPS(WS_SEND(CLOSE_1000, {.opcode = 9})),
     KILL},
    {.id = "7.1.4",
     .rfc = CLOSE_RFC,
     .title = "Close, then a text message",
     .requirement = AFTER_CLOSE_REQ,
     WS_STEPS(WS_SEND(CLOSE_1000, {.opcode = 1, HELLO})),
     KILL},
    {.id = "7.1.5",
     .rfc = CLOSE_RFC,
     .title = "Close in the middle of a fragmented text",
     .requirement = "A Close may arrive between fragments; the partial message is dropped and the "
                    "close is answered normally.",
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, WS_DATA("fragment1")}, CLOSE_1000,
                      {WS_DATA("fragment2")})),
     KILL},
    {.id = "7.1.6",
     .rfc = CLOSE_RFC,
     .title = "Large text, small text, Close and Ping back to back",
     .requirement = "Informational: shows whether messages queued before the Close were echoed.",
     WS_STEPS(WS_SEND({.opcode = 1, .gen = WS_GEN_REPEAT, .data = "BAsd7&jh23", .len = 262144},
                      {.opcode = 1, HELLO}, CLOSE_1000, {.opcode = 9})),
     .end = WS_END_KILL,
     .end_ms = 1000,
     .flags = WS_CASE_INFORMATIONAL},
    {.id = "7.3.1",
     .rfc = CLOSE_RFC,
     .title = "Close without payload",
     .requirement = "A Close without a status code is valid and answered normally.",
     WS_STEPS(WS_SEND({.opcode = 8})),
     KILL},
    {.id = "7.3.2",
     .rfc = CLOSE_RFC,
     .title = "Close with a one-octet payload",
     .requirement = "A close payload, if present, starts with a two-octet code: one octet is a "
                    "protocol error.",
     WS_STEPS(WS_SEND({.opcode = 8, WS_DATA("a")})),
     KILL},
    {.id = "7.3.3",
     .rfc = CLOSE_RFC,
     .title = "Close with code 1000 and no reason",
     .requirement = "Answered normally.",
     WS_STEPS(WS_SEND(CLOSE_1000)),
     KILL},
    {.id = "7.3.4",
     .rfc = CLOSE_RFC,
     .title = "Close with code 1000 and a reason",
     .requirement = "Answered normally.",
     WS_STEPS(WS_SEND({.opcode = 8, .coded = true, .code = 1000, HELLO})),
     KILL},
    {.id = "7.3.5",
     .rfc = CLOSE_RFC,
     .title = "Close with a 123-octet reason (125-octet payload)",
     .requirement = "The longest close payload is valid and answered normally.",
     WS_STEPS(WS_SEND(
         {.opcode = 8, .coded = true, .code = 1000, .gen = WS_GEN_FILL, .fill = '*', .len = 123})),
     KILL},
    {.id = "7.3.6",
     .rfc = "RFC 6455 §5.5",
     .title = "Close with a 124-octet reason (126 octets)",
     .requirement = "A control frame longer than 125 octets is a protocol error.",
     WS_STEPS(WS_SEND(
         {.opcode = 8, .coded = true, .code = 1000, .gen = WS_GEN_FILL, .fill = '*', .len = 124})),
     KILL},
    {.id = "7.5.1",
     .rfc = "RFC 6455 §8.1",
     .title = "Close with a reason that is not UTF-8",
     .requirement = "The close reason must be valid UTF-8; otherwise the connection is failed "
                    "(1002 or 1007).",
     WS_STEPS(WS_SEND({.opcode = 8,
                       .coded = true,
                       .code = 1000,
                       .gen = WS_GEN_HEX,
                       .data = "cebae1bdb9cf83cebcceb5eda080656469746564"})),
     KILL},
};

static const uint16_t valid_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                       1010, 1011, 3000, 3999, 4000, 4999};
static const uint16_t invalid_codes[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
static const uint16_t undefined_codes[] = {5000, 65535};

static void add_code_cases(ws_registry *r, const char *group, const uint16_t *codes, size_t n,
                           const char *title, const char *req, const char *rfc, unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        ws_send_frame *f = ws_registry_alloc(r, sizeof *f);
        ws_step *s = ws_registry_alloc(r, sizeof *s);
        if (!f || !s)
            return;
        *f = (ws_send_frame){.opcode = 8, .coded = true, .code = codes[i]};
        *s = (ws_step){.kind = WS_STEP_SEND, .frames = f, .nframes = 1};
        ws_case c = {.id = ws_registry_printf(r, "%s.%zu", group, i + 1),
                     .rfc = rfc,
                     .title = ws_registry_printf(r, title, codes[i]),
                     .requirement = req,
                     .steps = s,
                     .nsteps = 1,
                     .end = WS_END_KILL,
                     .end_ms = 1000,
                     .flags = flags};
        ws_registry_add(r, &c);
    }
}

void ws_suite_close(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
    add_code_cases(r, "7.7", valid_codes, sizeof valid_codes / sizeof *valid_codes,
                   "Close with valid code %u",
                   "A valid code is answered with 1000 or the same code, and a clean close.",
                   CODE_RFC, WS_CASE_CODE_FATAL);
    add_code_cases(r, "7.9", invalid_codes, sizeof invalid_codes / sizeof *invalid_codes,
                   "Close with invalid code %u",
                   "A code that must not be sent is a protocol error: the peer answers 1002 or "
                   "drops the connection.",
                   CODE_RFC, WS_CASE_CODE_FATAL);
    add_code_cases(r, "7.13", undefined_codes, sizeof undefined_codes / sizeof *undefined_codes,
                   "Close with code %u, outside every defined range",
                   "Informational: the RFC does not say how to treat codes of 5000 and above.",
                   CODE_RFC, WS_CASE_INFORMATIONAL);
}
