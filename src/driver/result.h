/*
 * What one case run produced: two verdicts with their reasons, and the
 * evidence behind them (handshake both ways, the wire log, events, who
 * closed and how, octet and frame counts, performance figures).
 * Report writers read only this.
 */
#ifndef WSSPEC_DRIVER_RESULT_H
#define WSSPEC_DRIVER_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/case.h"
#include "driver/plan.h"
#include "wsspec/error.h"
#include "wsspec/verdict.h"

#define WS_PREVIEW_MAX    64    /* payload octets kept per frame/event */
#define WS_WIRELOG_MAX    400   /* frames kept per case; later ones are counted */
#define WS_EVENTS_MAX     2200  /* received events kept per case */
#define WS_HTTP_KEEP_MAX  16384 /* octets of each handshake message kept */
#define WS_CHOP_STATS_MAX 32    /* distinct TCP write/read sizes counted */

typedef struct {
    int64_t t_us; /* since the case started */
    bool tx;      /* sent by wsspec */
    uint8_t opcode, rsv;
    bool fin, masked;
    uint8_t mask_key[4];
    uint64_t len;
    uint8_t preview[WS_PREVIEW_MAX];
    uint8_t preview_len;
} ws_wire_frame;

typedef struct {
    ws_ev_kind kind;
    uint64_t len;
    uint8_t preview[WS_PREVIEW_MAX];
    uint8_t preview_len;
    int64_t t_us;
} ws_rx_event;

typedef struct {
    uint64_t size, count;
} ws_size_count;

/* The octets wsspec wrote, one entry per TCP write, kept for --save-repro.
 * Bounded: once `limit` octets or WS_TX_WRITES_MAX writes are kept, later
 * writes are only counted. */
#define WS_TX_WRITES_MAX 20000

typedef struct {
    size_t len;        /* octets of this write */
    uint32_t pause_ms; /* time since the previous write (or the connect) */
} ws_tx_write;

typedef struct {
    size_t limit;
    uint8_t *data;
    size_t len, cap;
    ws_tx_write *writes;
    size_t nwrites, writes_cap;
    uint64_t left_out, left_out_writes; /* octets and writes not kept */
    int64_t last_ns;                    /* when the previous write (or the connect) happened */
} ws_tx_record;

typedef struct {
    const ws_case *c;
    size_t index; /* 1-based position in the full case list */
    char agent[128];
    char started[32]; /* UTC, ISO 8601 */
    int64_t duration_ms;
    bool ran; /* false: not run (interrupted) */

    ws_behavior behavior;
    ws_close_verdict behavior_close;
    ws_result result;
    char reason[600];
    char reason_close[300];
    char expectation[600];

    /* opening handshake */
    bool as_server; /* wsspec was the server (testing a client) */
    bool handshake_ok;
    char *http_request; /* NUL-terminated, at most WS_HTTP_KEEP_MAX octets */
    size_t http_request_len;
    char *http_response;
    size_t http_response_len;
    char server_header[128];
    int http_status;    /* 0: no response */
    bool hs_closed;     /* the peer closed or reset before a complete response */
    bool hs_version_13; /* the response carried Sec-WebSocket-Version with 13 */
    bool probe_failed;  /* a valid handshake failed right after the case */
    char probe_detail[200];

    /* what the peer sent, as verdicts see it */
    ws_rx_event *events;
    size_t nevents, events_cap, events_dropped;

    ws_wire_frame *wire;
    size_t nwire, wire_cap, wire_dropped;

    /* closing */
    bool closed_by_me, failed_by_me, dropped_by_me, was_clean;
    bool open_handshake_timeout, close_handshake_timeout, server_drop_timeout;
    bool peer_dropped_tcp;
    char was_not_clean_reason[160];
    int local_close_code; /* -1: none sent */
    char local_close_reason[126];
    int remote_close_code; /* -1: none received, 0: close without code */
    char remote_close_reason[126];
    size_t remote_close_reason_len;
    ws_err peer_violation; /* a rule the peer broke, WS_OK if none */
    char peer_violation_detail[200];

    /* statistics */
    uint64_t rx_octets, tx_octets;
    bool pmd_unimplemented; /* the case offered permessage-deflate; the peer declined */
    char pmd_response[160]; /* the agreed Sec-WebSocket-Extensions */
    uint64_t tx_app_octets, tx_wire_octets; /* data payload before/after compression */
    uint64_t rx_wire_octets;                /* data payload as received */
    uint64_t rx_frames[16], tx_frames[16];
    ws_size_count rx_chops[WS_CHOP_STATS_MAX], tx_chops[WS_CHOP_STATS_MAX];
    size_t nrx_chops, ntx_chops;

    /* --save-repro: set tx_record_limit after ws_result_init to keep the
     * octets written (tx_record is allocated at the connect) */
    size_t tx_record_limit;
    ws_tx_record *tx_record;

    /* performance (WS_CASE_PERF) */
    uint64_t payload_octets; /* echoed payload octets */
    double mbytes_per_s;
    int64_t rtt_min_us, rtt_avg_us, rtt_p99_us, rtt_max_us;
} ws_case_result;

void ws_result_init(ws_case_result *r, const ws_case *c, size_t index);
void ws_result_free(ws_case_result *r);

/* Evidence helpers used by the runner. */
void ws_result_add_event(ws_case_result *r, ws_ev_kind kind, uint64_t len, const uint8_t *data,
                         size_t data_len, int64_t t_us);
void ws_result_add_wire(ws_case_result *r, const ws_wire_frame *f);
void ws_result_count_chop(ws_size_count *stats, size_t *n, uint64_t size);
void ws_result_set_http(char **dst, size_t *dst_len, const char *src, size_t len);
/* The connection is open (now_ns): start keeping writes if asked to. */
void ws_result_record_start(ws_case_result *r, int64_t now_ns);
/* One TCP write of buf[0, len) at now_ns. */
void ws_result_record_tx(ws_case_result *r, const uint8_t *buf, size_t len, int64_t now_ns);
void ws_result_record_free(ws_case_result *r);

/* Turn the evidence into the two verdicts (and reasons), per the plan. */
void ws_verdict_decide(const ws_plan *plan, ws_case_result *r, bool ok_matched,
                       bool non_strict_matched, const char *mismatch);

#endif
