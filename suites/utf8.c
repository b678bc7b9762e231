/* Family 6, UTF-8 handling (RFC 6455 §5.6, §8.1): text messages must be
 * valid UTF-8 as a whole (not per frame), and an endpoint that receives
 * invalid UTF-8 fails the connection with 1007. */
#include <string.h>

#include "driver/case.h"

#define UTF8_RFC    "RFC 6455 §8.1"
#define VALID_REQ   "Valid UTF-8 text is echoed, however it is fragmented."
#define INVALID_REQ "Invalid UTF-8 in a text message fails the connection (close 1007)."
#define FAST_REQ                                                                                   \
    "The connection is failed as soon as the text can no longer become valid UTF-8, before the "   \
    "rest of the message arrives (fail-fast; failing only at the end is NON-STRICT)."

#define KOSME       "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
#define MIXED       "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!"
#define INVALID_HEX "cebae1bdb9cf83cebcceb5eda080656469746564"

static const ws_case cases[] = {
    {.id = "6.1.1",
     .rfc = UTF8_RFC,
     .title = "Empty text message",
     .requirement = VALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.1.2",
     .rfc = UTF8_RFC,
     .title = "Text message in three empty fragments",
     .requirement = VALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true}, {.more = true}, {0})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.1.3",
     .rfc = UTF8_RFC,
     .title = "Text in three fragments, the outer two empty",
     .requirement = VALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true}, {.more = true, WS_DATA("middle frame payload")},
                      {0})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.2.1",
     .rfc = UTF8_RFC,
     .title = "Valid UTF-8 text in one frame",
     .requirement = VALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, WS_DATA(MIXED)})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.2.2",
     .rfc = UTF8_RFC,
     .title = "Valid UTF-8 text in two frames split on a code point",
     .requirement = VALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, WS_DATA("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6")},
                      {WS_DATA("\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!")})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.2.3",
     .rfc = UTF8_RFC,
     .title = "Valid UTF-8 text in one-octet frames (splits inside code points)",
     .requirement = "Validity is judged on the whole message, not on each frame.",
     WS_STEPS(WS_SEND({.opcode = 1, WS_DATA(MIXED), .fragment = 1})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.2.4",
     .rfc = UTF8_RFC,
     .title = "Greek 'kosme' in one-octet frames",
     .requirement = "Validity is judged on the whole message, not on each frame.",
     WS_STEPS(WS_SEND({.opcode = 1, WS_DATA(KOSME), .fragment = 1})),
     .end = WS_END_CLOSE,
     .end_ms = 1000},
    {.id = "6.3.1",
     .rfc = UTF8_RFC,
     .title = "Invalid UTF-8 (a surrogate) in one frame",
     .requirement = INVALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .gen = WS_GEN_HEX, .data = INVALID_HEX})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    {.id = "6.3.2",
     .rfc = UTF8_RFC,
     .title = "Invalid UTF-8 (a surrogate) in one-octet frames",
     .requirement = INVALID_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .gen = WS_GEN_HEX, .data = INVALID_HEX, .fragment = 1})),
     .end = WS_END_KILL,
     .end_ms = 1000},
    /* 6.4.x: three parts with 1 s pauses; part 2 makes the text invalid. */
    {.id = "6.4.1",
     .rfc = UTF8_RFC,
     .title = "Fail-fast: three fragments, the second invalid (U+110000)",
     .requirement = FAST_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, WS_DATA(KOSME)}),
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "A"},
              WS_SEND({.more = true, WS_DATA("\xf4\x90\x80\x80")}),
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "B"}, WS_SEND({WS_DATA("edited")})),
     .end = WS_END_KILL,
     .end_ms = 1000,
     .flags = WS_CASE_FAIL_FAST | WS_CASE_TIMED},
    {.id = "6.4.2",
     .rfc = UTF8_RFC,
     .title = "Fail-fast: three fragments, the invalid octet alone in the second",
     .requirement = FAST_REQ,
     WS_STEPS(WS_SEND({.opcode = 1, .more = true, WS_DATA(KOSME "\xf4")}),
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "A"},
              WS_SEND({.more = true, WS_DATA("\x90")}),
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "B"},
              WS_SEND({WS_DATA("\x80\x80"
                               "edited")})),
     .end = WS_END_KILL,
     .end_ms = 1000,
     .flags = WS_CASE_FAIL_FAST | WS_CASE_TIMED},
    {.id = "6.4.3",
     .rfc = UTF8_RFC,
     .title = "Fail-fast: one frame in three TCP writes, the second invalid (U+110000)",
     .requirement = FAST_REQ,
     WS_STEPS({.kind = WS_STEP_SEND,
               .hold = 10,
               WS_FRAMES({.opcode = 1,
                          WS_DATA(KOSME "\xf4\x90\x80\x80"
                                        "edited")})},
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "A"},
              {.kind = WS_STEP_RELEASE, .count = 4},
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "B"}, {.kind = WS_STEP_RELEASE}),
     .end = WS_END_KILL,
     .end_ms = 1000,
     .flags = WS_CASE_FAIL_FAST | WS_CASE_TIMED},
    {.id = "6.4.4",
     .rfc = UTF8_RFC,
     .title = "Fail-fast: one frame in three TCP writes, the invalid octet alone in the second",
     .requirement = FAST_REQ,
     WS_STEPS({.kind = WS_STEP_SEND,
               .hold = 9,
               WS_FRAMES({.opcode = 1,
                          WS_DATA(KOSME "\xf4\x90\x80\x80"
                                        "edited")})},
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "A"},
              {.kind = WS_STEP_RELEASE, .count = 1},
              {.kind = WS_STEP_PAUSE, .ms = 1000, .mark = "B"}, {.kind = WS_STEP_RELEASE}),
     .end = WS_END_KILL,
     .end_ms = 1000,
     .flags = WS_CASE_FAIL_FAST | WS_CASE_TIMED},
};

/* 6.5-6.23 */
static const struct {
    int group;
    const char *hex;
    bool valid;
} sequences[] = {
#include "utf8_sequences.inc"
};

static const char *const group_titles[] = {
    [5] = "Valid UTF-8 samples",
    [6] = "Every prefix of a text with multi-octet code points",
    [7] = "First code point of each sequence length",
    [8] = "Five- and six-octet forms",
    [9] = "Last code point of each sequence length",
    [10] = "Forms above U+10FFFF",
    [11] = "Boundary conditions",
    [12] = "Unexpected continuation octets",
    [13] = "Lead octets followed by a space",
    [14] = "Sequences missing their last continuation octet",
    [15] = "Concatenated incomplete sequences",
    [16] = "Octets that never appear in UTF-8",
    [17] = "Overlong forms of '/'",
    [18] = "Maximal overlong forms",
    [19] = "Overlong forms of NUL",
    [20] = "Lone UTF-16 surrogates",
    [21] = "Paired UTF-16 surrogates",
    [22] = "Non-characters (valid UTF-8)",
    [23] = "Specials U+FFF9-U+FFFF (valid UTF-8)",
};

/* For tests: the table's own idea of validity, to cross-check the validator. */
size_t ws_suite_utf8_sequence_count(void);
bool ws_suite_utf8_sequence(size_t i, const char **hex, bool *valid);

size_t ws_suite_utf8_sequence_count(void)
{
    return sizeof sequences / sizeof *sequences;
}

bool ws_suite_utf8_sequence(size_t i, const char **hex, bool *valid)
{
    if (i >= ws_suite_utf8_sequence_count())
        return false;
    *hex = sequences[i].hex;
    *valid = sequences[i].valid;
    return true;
}

void ws_suite_utf8(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
    int group = 0, pos = 0;
    for (size_t i = 0; i < sizeof sequences / sizeof *sequences; i++) {
        if (sequences[i].group != group) {
            group = sequences[i].group;
            pos = 0;
        }
        pos++;
        ws_send_frame *f = ws_registry_alloc(r, sizeof *f);
        ws_step *s = ws_registry_alloc(r, sizeof *s);
        if (!f || !s)
            return;
        *f = (ws_send_frame){.opcode = 1, .gen = WS_GEN_HEX, .data = sequences[i].hex};
        *s = (ws_step){.kind = WS_STEP_SEND, .frames = f, .nframes = 1};
        ws_case c = {
            .id = ws_registry_printf(r, "6.%d.%d", group, pos),
            .rfc = UTF8_RFC,
            .title = ws_registry_printf(r, "%s: %s (%s)", group_titles[group], sequences[i].hex,
                                        sequences[i].valid ? "valid" : "invalid"),
            .requirement = sequences[i].valid ? VALID_REQ : INVALID_REQ,
            .steps = s,
            .nsteps = 1,
            .end = WS_END_KILL,
            .end_ms = 500,
        };
        ws_registry_add(r, &c);
    }
}
