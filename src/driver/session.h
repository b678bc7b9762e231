/*
 * One WebSocket connection driven by wsspec as the client: the I/O half of
 * the runner. It frames and masks what the runner sends, parses and checks
 * everything the peer sends, answers Pings and Closes as a conformant
 * client would, and records the evidence.
 */
#ifndef WSSPEC_DRIVER_SESSION_H
#define WSSPEC_DRIVER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/match.h"
#include "driver/plan.h"
#include "driver/result.h"
#include "driver/runner.h"
#include "wsspec/deflate.h"
#include "wsspec/frame.h"
#include "wsspec/net.h"
#include "wsspec/utf8.h"

#define WS_SESSION_RBUF (64 * 1024)

typedef struct {
    const ws_target *t;
    const ws_plan *plan;
    bool as_server; /* wsspec is the server: it sends unmasked, expects masked */
    ws_case_result *res;
    ws_conn *conn;
    int64_t t0;
    uint64_t rng;

    ws_parser parser;
    bool rx_failed; /* the peer broke a rule: ignore what follows */
    uint8_t rbuf[WS_SESSION_RBUF];

    /* the message or control frame being received */
    bool in_msg;
    uint8_t msg_op;
    uint64_t msg_len;
    ws_utf8 utf8;
    uint8_t msg_preview[WS_PREVIEW_MAX];
    size_t msg_preview_len;
    uint8_t ctrl[WS_MAX_CONTROL_PAYLOAD];
    size_t ctrl_len;
    ws_wire_frame rx_frame;
    bool rx_frame_open; /* rx_frame's header arrived, its end not yet */

    ws_match ok, ns;
    char mismatch[300];

    bool peer_closed; /* a Close frame arrived */
    bool sent_close;
    bool tcp_closed;

    uint8_t *held;
    size_t held_len, held_off;

    int64_t first_tx_ns, last_rx_ns;
    uint64_t rx_payload_octets;

    /* permessage-deflate (RFC 7692), when the case offers it */
    bool pmd_agreed;
    bool msg_compressed; /* the message being received has RSV1 */
    ws_deflater deflater;
    ws_inflater inflater;
} ws_session;

void ws_session_init(ws_session *s, const ws_target *t, const ws_plan *plan, ws_case_result *res,
                     bool as_server);
/* As the server: answer a client's opening request on an accepted
 * connection (ownership of conn passes to the session), with the case's
 * deliberate variant of the response if any; then process `leftover`. */
bool ws_session_answer(ws_session *s, ws_conn *conn, const char *key, const char *request,
                       size_t request_len, const uint8_t *leftover, size_t leftover_len,
                       const uint8_t *extra, size_t extra_len);
/* Whether frames wsspec sends are masked: as the client, unless the frame
 * breaks the rule on purpose; as the server, only then. */
static inline bool ws_session_masks(const ws_session *s, bool break_rule)
{
    return s->as_server ? break_rule : !break_rule;
}
/* Connect and run the opening handshake, the case's variant of it if any,
 * with `extra` octets appended to the request's TCP write. True when a
 * WebSocket connection is open; otherwise res says what happened (status,
 * refusal, timeout) and why. */
bool ws_session_open(ws_session *s, const uint8_t *extra, size_t extra_len);
/* Feed octets received from the peer through the parser and checks. */
void ws_session_process(ws_session *s, uint8_t *buf, size_t len);
void ws_session_free(ws_session *s);

void ws_session_mask_key(ws_session *s, uint8_t key[4]);
/* Record a frame about to be sent (wire log, counts, close bookkeeping). */
void ws_session_log_tx(ws_session *s, const ws_frame_spec *spec, const uint8_t *payload,
                       size_t len);
/* Write octets as one TCP write (large buffers in slices, reading between). */
void ws_session_write(ws_session *s, const uint8_t *buf, size_t len);
void ws_session_hold(ws_session *s, const uint8_t *buf, size_t len);
void ws_session_release(ws_session *s, size_t count);
/* Read once (until deadline) and process what arrived. */
void ws_session_pump(ws_session *s, int64_t deadline);
/* A pause ended with the connection open. */
void ws_session_mark(ws_session *s, const char *tag);
/* Send a Close (once) and remember who closed first. */
void ws_session_close(ws_session *s, uint16_t code, const char *reason);
/* The closing handshake: wait for the peer's Close and its TCP close. */
void ws_session_finish_close(ws_session *s, int64_t timeout_ms);
bool ws_session_stopped(const ws_session *s);

/* permessage-deflate (compression.c). After a 101, check the server's
 * Sec-WebSocket-Extensions (ext, NULL if absent) against the case's offer:
 * WS_OK with s->pmd_agreed set or not (not agreed: the case is
 * UNIMPLEMENTED), or an error when the response breaks RFC 7692 (the
 * connection must be failed). */
ws_err ws_session_pmd_negotiate(ws_session *s, const char *ext, size_t ext_len, char *detail,
                                size_t detail_cap);
/* As the server: answer a client's offers (NULL: none) for a case that
 * offers compression; `response` receives the Sec-WebSocket-Extensions
 * value to send ("" to decline: the case is then UNIMPLEMENTED). */
ws_err ws_session_pmd_answer(ws_session *s, const char *offers, size_t offers_len, char *response,
                             size_t response_cap);
/* Feed a compressed message's payload chunk (message_end at its last
 * frame); the inflated octets go to the same checks as plain payload. */
void ws_session_inflate(ws_session *s, const uint8_t *data, size_t len, bool message_end);
/* Compress one message for sending: a malloc'd payload in *out. */
ws_err ws_session_deflate(ws_session *s, const uint8_t *in, size_t len, uint8_t **out,
                          size_t *out_len);
/* Compress a data-set slice for sending; key names it (or NULL). When the
 * compressor resets after every message and the target has a deflate
 * cache, the octets come from / go to the cache. *out is valid until the
 * cache is deleted or, when *owned is set, until the caller frees *owned. */
ws_err ws_session_deflate_slice(ws_session *s, const ws_deflate_key *key, const uint8_t *in,
                                size_t len, const uint8_t **out, size_t *out_len, uint8_t **owned);
/* The octets of a received message, after any decompression. */
void ws_session_deliver(ws_session *s, const uint8_t *data, size_t len);
void ws_session_pmd_free(ws_session *s);
void ws_session_note(ws_session *s, const char *msg);
/* The peer broke a rule: record it and fail the connection (§7.1.7). */
void ws_session_violation(ws_session *s, ws_err e, const char *detail);
void ws_session_set_perf(ws_session *s, const int64_t *rtts_us, size_t n, int64_t total_ns);
/* Record the octets received and the throughput over elapsed_ns: octets
 * sent plus received, in MB/s (10^6 octets); 0 when no time passed. */
void ws_session_set_throughput(ws_session *s, int64_t elapsed_ns);
/* A per-case timer of ms milliseconds under the target's time scale (a
 * scale of 0 or less counts as 1). */
int64_t ws_session_scaled_ms(const ws_target *t, int64_t ms);

#endif
