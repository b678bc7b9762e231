/* Family 1, Framing: text and binary messages whose lengths cross the 7-bit,
 * 16-bit and 64-bit payload length encodings (RFC 6455 §5.2). */
#include "driver/case.h"

#define LEN_RFC "RFC 6455 §5.2"

static const struct {
    size_t len;
    size_t chop; /* 0: one write */
    int kill_ms;
} sizes[] = {
    {0, 0, 1000},   {125, 0, 1000},    {126, 0, 1000},    {127, 0, 1000},
    {128, 0, 1000}, {65535, 0, 10000}, {65536, 0, 10000}, {65536, 997, 10000},
};

void ws_suite_framing(ws_registry *r)
{
    for (int binary = 0; binary < 2; binary++) {
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            ws_send_frame *f = ws_registry_alloc(r, sizeof *f);
            ws_step *s = ws_registry_alloc(r, sizeof *s);
            if (!f || !s)
                return;
            *f = (ws_send_frame){.opcode = binary ? 2 : 1,
                                 .gen = WS_GEN_FILL,
                                 .fill = binary ? 0xfe : '*',
                                 .len = sizes[i].len};
            *s = (ws_step){.kind = WS_STEP_SEND, .frames = f, .nframes = 1};
            if (sizes[i].chop) {
                s->write = WS_WRITE_CHOP;
                s->chop = sizes[i].chop;
            }
            ws_case c = {
                .id = ws_registry_printf(r, "1.%d.%zu", binary + 1, i + 1),
                .rfc = LEN_RFC,
                .title = ws_registry_printf(
                    r, "%s message of %zu octets%s", binary ? "Binary" : "Text", sizes[i].len,
                    sizes[i].chop ? ", written in 997-octet TCP chops" : ""),
                .requirement = "A length in the 7-bit, 16-bit or 64-bit encoding is read correctly "
                               "and the message is echoed unchanged.",
                .steps = s,
                .nsteps = 1,
                .end = WS_END_KILL,
                .end_ms = sizes[i].kill_ms,
            };
            ws_registry_add(r, &c);
        }
    }
}
