/* Families 12 and 13, permessage-deflate (RFC 7692) with Autobahn's ids:
 * 1000 sequential echoes per case, each message the next slice of a data
 * set, compressed, checked octet by octet. UNIMPLEMENTED when the peer does
 * not agree to the extension.
 *   12.N: data set N (see corpora.c) with the default offer;
 *   13.N: the JSON data set with seven different offers. */
#include <stdio.h>

#include "driver/case.h"

#define PMD_RFC   "RFC 7692 §7"
#define PMD_FLAGS (WS_CASE_PERF | WS_CASE_NO_WIRELOG)

/* Autobahn's 18 settings, in order: message size, fragment size, deadline. */
static const struct {
    size_t size, fragment;
    int deadline_s;
} settings[18] = {
    {16, 0, 60},         {64, 0, 60},          {256, 0, 120},      {1024, 0, 240},
    {4096, 0, 480},      {8192, 0, 480},       {16384, 0, 480},    {32768, 0, 480},
    {65536, 0, 480},     {131072, 0, 480},     {8192, 256, 480},   {16384, 256, 480},
    {32768, 256, 480},   {65536, 256, 480},    {131072, 256, 480}, {131072, 1024, 480},
    {131072, 4096, 480}, {131072, 32768, 480},
};

#define CLIENT_PARAMS "client_no_context_takeover; client_max_window_bits"

static const char *const offers_13[7] = {
    "permessage-deflate; " CLIENT_PARAMS,
    "permessage-deflate; " CLIENT_PARAMS "; server_no_context_takeover",
    "permessage-deflate; " CLIENT_PARAMS "; server_max_window_bits=9",
    "permessage-deflate; " CLIENT_PARAMS "; server_max_window_bits=15",
    "permessage-deflate; " CLIENT_PARAMS "; server_no_context_takeover; server_max_window_bits=9",
    "permessage-deflate; " CLIENT_PARAMS "; server_no_context_takeover; server_max_window_bits=15",
    "permessage-deflate; " CLIENT_PARAMS "; server_no_context_takeover; server_max_window_bits=9, "
    "permessage-deflate; " CLIENT_PARAMS "; server_no_context_takeover, "
    "permessage-deflate; " CLIENT_PARAMS,
};

static void add_family(ws_registry *r, int family, int group, int corpus, uint8_t opcode,
                       const char *offer)
{
    for (int k = 0; k < 18; k++) {
        ws_send_frame *f = ws_registry_alloc(r, sizeof *f);
        ws_step *s = ws_registry_alloc(r, sizeof *s);
        if (!f || !s)
            return;
        *f = (ws_send_frame){.opcode = opcode,
                             .gen = WS_GEN_CORPUS,
                             .fill = (uint8_t)corpus,
                             .len = settings[k].size,
                             .fragment = settings[k].fragment,
                             .compress = true};
        *s = (ws_step){.kind = WS_STEP_ROUNDTRIPS, .frames = f, .nframes = 1, .count = 1000};
        char frag[48] = "";
        if (settings[k].fragment)
            snprintf(frag, sizeof frag, ", in %zu-octet frames", settings[k].fragment);
        ws_case c = {
            .id = ws_registry_printf(r, "%d.%d.%d", family, group, k + 1),
            .rfc = PMD_RFC,
            .title = ws_registry_printf(r, "1000 compressed %s messages of %zu octets from %s%s",
                                        opcode == 1 ? "text" : "binary", settings[k].size,
                                        ws_corpus_name(corpus), frag),
            .requirement = "Compressed messages are decompressed, echoed (compressed or not) and "
                           "arrive back unchanged, 1000 times in a row.",
            .steps = s,
            .nsteps = 1,
            .end = WS_END_KILL,
            .end_ms = settings[k].deadline_s * 1000,
            .flags = PMD_FLAGS,
            .pmd_offer = offer,
        };
        ws_registry_add(r, &c);
    }
}

void ws_suite_compression(ws_registry *r)
{
    static const uint8_t opcodes[5] = {1, 2, 2, 1, 2}; /* 12.3 prose goes as binary */
    for (int set = 1; set <= 5; set++)
        add_family(r, 12, set, set, opcodes[set - 1], "permessage-deflate; client_max_window_bits");
    for (int v = 1; v <= 7; v++)
        add_family(r, 13, v, 1, 1, offers_13[v - 1]);
}
