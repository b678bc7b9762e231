/*
 * A plan is a case made concrete: the payload octets of every frame, and
 * the expectation derived from them by simulating a strictly conformant
 * echo peer (RFC 6455 §5.4-§5.6, §7, §8.1):
 *   - each complete text/binary message comes back as one message of the
 *     same type and content; each Ping comes back as a Pong;
 *   - the first frame that breaks a rule ends the simulation: nothing after
 *     it is answered, and the peer must fail the connection (1002, or 1007
 *     for invalid UTF-8);
 *   - a Close from wsspec ends the simulation too; the peer must answer it
 *     (1000 or the same code when valid, 1002 when malformed).
 * A case whose violation comes after some valid messages also accepts, as
 * NON-STRICT, a peer that failed before echoing them (Autobahn's meaning).
 */
#ifndef WSSPEC_DRIVER_PLAN_H
#define WSSPEC_DRIVER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/case.h"
#include "wsspec/error.h"

/* Events a peer can produce that verdicts compare. */
typedef enum {
    WS_EV_TEXT,
    WS_EV_BINARY,
    WS_EV_PING,
    WS_EV_PONG,
    WS_EV_MARK, /* a pause ended with the connection still open */
} ws_ev_kind;

typedef struct {
    ws_ev_kind kind;
    const uint8_t *data; /* owned by the plan (or the mark's tag) */
    size_t len;
} ws_expect_event;

typedef struct {
    ws_expect_event *events;
    size_t n;
} ws_expect_list;

/* A frame with its payload made concrete. */
typedef struct {
    ws_send_frame spec;
    uint8_t *payload;
    size_t len;
    bool owns_payload; /* the first piece of a declared frame owns the octets */
} ws_plan_frame;

typedef struct {
    const ws_step *step;
    ws_plan_frame *frames;
    size_t nframes;
    const uint8_t *corpus; /* WS_GEN_CORPUS round trips: the data set sliced */
    size_t corpus_len;
    size_t owed_after; /* OK events owed once this step has been sent */
} ws_plan_step;

/* How the model ended. */
typedef enum {
    WS_MODEL_CLEAN,       /* every frame valid, no Close sent */
    WS_MODEL_PROTOCOL,    /* a frame breaks a framing rule */
    WS_MODEL_UTF8,        /* a text message is not UTF-8 */
    WS_MODEL_CLOSE_VALID, /* wsspec sent a valid Close */
    WS_MODEL_CLOSE_BAD,   /* wsspec sent a malformed Close */
} ws_model_end;

typedef struct {
    const ws_case *c;
    ws_plan_step *steps;
    size_t nsteps;

    ws_model_end model_end;
    ws_err violation; /* for PROTOCOL/UTF8/CLOSE_BAD: the rule broken */
    ws_expect_list ok;
    ws_expect_list non_strict; /* n == 0 and events == NULL: none */
    bool has_non_strict;

    /* behaviorClose expectation (Autobahn's expectedClose). */
    bool closed_by_me;
    uint16_t close_codes[3];
    size_t nclose_codes;
    bool require_clean;
    bool wrong_endpoint_fatal; /* the peer had to close: wsspec closing fails the case */
    bool finish_when_done;     /* close as soon as every OK event arrived */
    uint64_t octets_out;       /* payload octets sent, for throughput */

    uint8_t **owned; /* reassembled fragmented messages the expectations point at */
    size_t nowned;
} ws_plan;

/* Offset of the i-th `len`-octet slice of a data set of `total` octets. */
static inline size_t ws_corpus_slice(size_t i, size_t len, size_t total)
{
    return len >= total ? 0 : (i * len) % (total - len + 1);
}

/* Build the plan for c. Returns WS_OK or WS_ERR_NOMEM. */
ws_err ws_plan_build(const ws_case *c, ws_plan *plan);
void ws_plan_free(ws_plan *plan);

/* One line describing what a conformant peer does, for `show` and reports. */
void ws_plan_describe(const ws_plan *plan, char *out, size_t cap);

#endif
