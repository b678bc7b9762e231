/* Family 9, Limits and performance: large messages, many frames, small TCP
 * writes and sequential round trips. Unlike Autobahn, wsspec checks the
 * content of every echo, not only its length, and reports throughput and
 * round-trip latency. */
#include "driver/case.h"

#define PERF_FLAGS (WS_CASE_TIMED | WS_CASE_PERF | WS_CASE_NO_WIRELOG)
#define KIB        1024
#define MIB        (1024 * 1024)

static void add(ws_registry *r, const char *id, const char *title, const char *req, ws_step *s,
                int end_ms)
{
    ws_case c = {.id = id,
                 .rfc = "RFC 6455 §5.4",
                 .title = title,
                 .requirement = req,
                 .steps = s,
                 .nsteps = 1,
                 .end = WS_END_KILL,
                 .end_ms = end_ms,
                 .flags = PERF_FLAGS};
    ws_registry_add(r, &c);
}

static ws_step *one_frame(ws_registry *r, int binary, size_t len, size_t fragment)
{
    ws_send_frame *f = ws_registry_alloc(r, sizeof *f);
    ws_step *s = ws_registry_alloc(r, sizeof *s);
    if (!f || !s)
        return NULL;
    *f = (ws_send_frame){.opcode = binary ? 2 : 1,
                         .gen = binary ? WS_GEN_BINARY : WS_GEN_TEXT,
                         .len = len,
                         .fragment = fragment};
    *s = (ws_step){.kind = WS_STEP_SEND, .frames = f, .nframes = 1};
    return s;
}

void ws_suite_limits(ws_registry *r)
{
    static const size_t big[] = {64 * KIB, 256 * KIB, 1 * MIB, 4 * MIB, 8 * MIB, 16 * MIB};
    static const size_t frag[] = {64,       256,       1 * KIB, 4 * KIB, 16 * KIB,
                                  64 * KIB, 256 * KIB, 1 * MIB, 4 * MIB};
    static const size_t chops[] = {64, 128, 256, 512, 1024, 2048};
    static const size_t rtt[] = {0, 16, 64, 256, 1024, 4096};
    for (int b = 0; b < 2; b++) {
        const char *kind = b ? "binary" : "text";
        for (size_t i = 0; i < 6; i++) {
            ws_step *s = one_frame(r, b, big[i], 0);
            if (!s)
                return;
            add(r, ws_registry_printf(r, "9.%d.%zu", 1 + b, i + 1),
                ws_registry_printf(r, "One %s message of %zu KiB in one frame", kind, big[i] / KIB),
                "A large message is echoed whole and unchanged.", s,
                big[i] <= 1 * MIB ? 10000 : 100000);
        }
        for (size_t i = 0; i < 9; i++) {
            ws_step *s = one_frame(r, b, 4 * MIB, frag[i]);
            if (!s)
                return;
            add(r, ws_registry_printf(r, "9.%d.%zu", 3 + b, i + 1),
                ws_registry_printf(r, "A 4 MiB %s message in frames of %zu octets", kind, frag[i]),
                "A message in many fragments is reassembled and echoed unchanged.", s, 100000);
        }
        for (size_t i = 0; i < 6; i++) {
            ws_step *s = one_frame(r, b, 1 * MIB, 0);
            if (!s)
                return;
            s->write = WS_WRITE_CHOP;
            s->chop = chops[i];
            add(r, ws_registry_printf(r, "9.%d.%zu", 5 + b, i + 1),
                ws_registry_printf(r, "A 1 MiB %s frame in TCP writes of %zu octets", kind,
                                   chops[i]),
                "A frame arriving in many small TCP segments is echoed unchanged.", s, 100000);
        }
        for (size_t i = 0; i < 6; i++) {
            ws_step *s = one_frame(r, b, rtt[i], 0);
            if (!s)
                return;
            s->kind = WS_STEP_ROUNDTRIPS;
            s->count = 1000;
            add(r, ws_registry_printf(r, "9.%d.%zu", 7 + b, i + 1),
                ws_registry_printf(r, "1000 sequential round trips of %zu-octet %s messages",
                                   rtt[i], kind),
                "Each message is echoed before the next is sent.", s, 60000);
        }
    }
}
