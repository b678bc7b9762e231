/*
 * Streaming comparison of what the peer sends with a list of expected
 * events. Payloads are compared chunk by chunk as they arrive, so a 16 MiB
 * echo is never held in memory.
 */
#ifndef WSSPEC_DRIVER_MATCH_H
#define WSSPEC_DRIVER_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/plan.h"

typedef struct {
    const ws_expect_list *list;
    size_t pos;    /* events matched so far */
    uint64_t off;  /* octets matched inside the current event */
    bool in_event; /* between begin and end */
    bool dead;     /* diverged: can no longer match */
    char why[300]; /* first divergence, for the verdict's reason */
} ws_match;

void ws_match_init(ws_match *m, const ws_expect_list *list);
void ws_match_begin(ws_match *m, ws_ev_kind kind);
void ws_match_data(ws_match *m, const uint8_t *data, size_t len);
void ws_match_end(ws_match *m);
/* Every expected event arrived and nothing else. */
bool ws_match_done(const ws_match *m);

const char *ws_ev_kind_name(ws_ev_kind k);

#endif
