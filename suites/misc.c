/* Family 10, Miscellaneous. */
#include "driver/case.h"

static const ws_case cases[] = {
    {.id = "10.1.1",
     .rfc = "RFC 6455 §5.4",
     .title = "64 KiB text sent in 1300-octet frames",
     .requirement = "A message fragmented by the sender is echoed whole.",
     WS_STEPS(
         WS_SEND({.opcode = 1, .gen = WS_GEN_FILL, .fill = '*', .len = 65536, .fragment = 1300})),
     .end = WS_END_KILL,
     .end_ms = 10000},
};

void ws_suite_misc(ws_registry *r)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ws_registry_add(r, &cases[i]);
}
