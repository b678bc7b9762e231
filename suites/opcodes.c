/* Family 4, Opcodes: reserved data opcodes 3-7 (4.1) and reserved control
 * opcodes 11-15 (4.2) (RFC 6455 §5.2: an unknown opcode fails the connection). */
#include "driver/case.h"

#define OP_RFC "RFC 6455 §5.2"
#define OP_REQ "A frame with a reserved opcode fails the connection."

/* Per subgroup: the frames for positions 1-5 use opcodes base+0 .. base+4. */
static const struct {
    int shape; /* 0: alone, empty; 1: alone, payload; 2-4: after a valid text */
    ws_write_mode write;
} shapes[] = {{0, WS_WRITE_TOGETHER},
              {1, WS_WRITE_TOGETHER},
              {2, WS_WRITE_TOGETHER},
              {3, WS_WRITE_TOGETHER},
              {3, WS_WRITE_CHOP}};

void ws_suite_opcodes(ws_registry *r)
{
    for (int group = 1; group <= 2; group++) {
        int base = group == 1 ? 3 : 11;
        for (int i = 0; i < 5; i++) {
            int op = base + i;
            ws_send_frame *f = ws_registry_alloc(r, 3 * sizeof *f);
            ws_step *s = ws_registry_alloc(r, sizeof *s);
            if (!f || !s)
                return;
            size_t n = 0;
            const char *title;
            if (shapes[i].shape >= 2)
                f[n++] = (ws_send_frame){.opcode = 1, WS_DATA("Hello, world!")};
            f[n] = (ws_send_frame){.opcode = (uint8_t)op};
            if (shapes[i].shape == 1)
                f[n] = (ws_send_frame){.opcode = (uint8_t)op, WS_DATA("reserved opcode payload")};
            else if (shapes[i].shape == 3)
                f[n] = (ws_send_frame){.opcode = (uint8_t)op, WS_DATA("Hello, world!")};
            n++;
            if (shapes[i].shape >= 2)
                f[n++] = (ws_send_frame){.opcode = 9};
            switch (shapes[i].shape) {
            case 0:
                title = "Frame with reserved opcode %d";
                break;
            case 1:
                title = "Frame with reserved opcode %d and a payload";
                break;
            default:
                title = shapes[i].write == WS_WRITE_CHOP
                            ? "Valid text, reserved opcode %d, Ping, one octet per TCP write"
                            : "Valid text, then reserved opcode %d, then Ping";
            }
            *s = (ws_step){.kind = WS_STEP_SEND,
                           .frames = f,
                           .nframes = n,
                           .write = shapes[i].write,
                           .chop = 1};
            ws_case c = {.id = ws_registry_printf(r, "4.%d.%d", group, i + 1),
                         .rfc = OP_RFC,
                         .title = ws_registry_printf(r, title, op),
                         .requirement = OP_REQ,
                         .steps = s,
                         .nsteps = 1,
                         .end = WS_END_KILL,
                         .end_ms = 1000};
            ws_registry_add(r, &c);
        }
    }
}
