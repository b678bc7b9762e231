/*
 * Live fuzzing of a WebSocket server or client under test (`wsspec fuzz`,
 * `wsspec fuzz --client`) and replay of the reproducers it saves
 * (`wsspec replay`).
 *
 * Files, one concern each:
 *   session.c    the session model (handshake, frames, write boundaries,
 *                pauses, half-close/reset) and its mutation; rendering to actions
 *   structure.c  structure-aware session mutations (MSB-set lengths, control
 *                frames between fragments, empty payloads, floods)
 *   repro.c      the reproducer file format (versioned text), --to-chunks
 *   runner.c     running actions over ws_conn and observing the peer
 *   model.c      what a conformant echo peer must do with the bytes sent, the
 *                protocol judge and the response shape (feedback signal)
 *   supervise.c  the peer process (--exec): start, restart, exit status,
 *                signals, sanitizer reports, RSS
 *   oracle.c     one session evaluated against every oracle
 *   minimize.c   fewer actions, fewer bytes, same oracle
 *   fuzz.c       the fuzzing loop: seeds, corpus, feedback, findings, -j
 *   replay.c     `wsspec replay`
 *   wirelog.c    the octets of one run, captured and printed frame by frame
 *   case_repro.c a FAILED conformance case as a reproducer (test-server --save-repro)
 *   client_session.c  client mode: the response and server frames, their mutation
 *   client_model.c    client mode: what a conformant echo client must do, the judge
 *   client_target.c   client mode: listening, the client process, one session run
 *   client_fuzz.c     client mode: the fuzzing loop, findings
 */
#ifndef WSSPEC_LIVEFUZZ_H
#define WSSPEC_LIVEFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "driver/case.h"
#include "driver/result.h"
#include "wsspec/error.h"
#include "wsspec/mutator.h"
#include "wsspec/net.h"
#include "wsspec/url.h"

/* ------------------------------------------------------------ oracles */

typedef enum {
    WS_LF_NONE,
    WS_LF_CRASH,        /* the peer process died (exit status or signal) */
    WS_LF_SANITIZER,    /* a sanitizer report appeared in the peer's stderr */
    WS_LF_UNREACHABLE,  /* the peer stopped accepting connections */
    WS_LF_UNRESPONSIVE, /* the sanity probe (handshake + echo) failed */
    WS_LF_RSS,          /* the peer's resident memory went over --rss-limit */
    WS_LF_HANG,         /* owed answers did not come within --hang-ms */
    WS_LF_MUST,         /* the peer broke a protocol MUST (the echo model's judgement) */
    WS_LF_ORACLE_COUNT_
} ws_lf_oracle;

const char *ws_lf_oracle_name(ws_lf_oracle o);
bool ws_lf_oracle_parse(const char *s, size_t len, ws_lf_oracle *out);

/* ------------------------------------------------- reproducer (repro.c) */

typedef enum { WS_LF_SEND, WS_LF_PAUSE, WS_LF_SHUTDOWN, WS_LF_RESET } ws_lf_act_kind;

typedef struct {
    ws_lf_act_kind kind;
    uint8_t *data; /* SEND: the octets of one TCP write (owned) */
    size_t len;
    uint32_t repeat; /* SEND: written this many times in a row (0 and 1: once) */
    int ms;          /* PAUSE */
} ws_lf_action;

/* At most this many octets in one repeated SEND (data times repeat). */
#define WS_LF_REPEAT_MAX_OCTETS (256u << 20)

#define WS_LF_REPRO_VERSION 1

typedef struct {
    int version;
    bool client_mode; /* "mode client": wsspec was the server of a client under test */
    char target[512];
    ws_lf_action *acts;
    size_t nacts, cap;
    ws_lf_oracle oracle;
    char detail[256]; /* one line: the oracle's explanation */
    char shape[256];  /* the observed response shape */
    char note[256];   /* free text, e.g. the minimisation figures */
} ws_lf_repro;

void ws_lf_repro_init(ws_lf_repro *r);
void ws_lf_repro_free(ws_lf_repro *r);
void ws_lf_repro_clear_actions(ws_lf_repro *r);
bool ws_lf_repro_send(ws_lf_repro *r, const uint8_t *data, size_t len);
bool ws_lf_repro_act(ws_lf_repro *r, ws_lf_act_kind kind, int ms);
/* The octets sent, repeated writes counted as often as they are written. */
size_t ws_lf_repro_bytes(const ws_lf_repro *r);

/* Write the text form. */
void ws_lf_repro_write(const ws_lf_repro *r, FILE *out);
ws_err ws_lf_repro_save(const ws_lf_repro *r, const char *path, char *err, size_t cap);
/* Parse the text form; on error a one-line message "NAME:LINE: what" in err. */
ws_err ws_lf_repro_parse(const char *text, size_t len, const char *name, ws_lf_repro *r, char *err,
                         size_t cap);
ws_err ws_lf_repro_load(const char *path, ws_lf_repro *r, char *err, size_t cap);

/* The sent octets as one buffer (malloc'd; repeated writes repeated), and
 * where the HTTP head ends in it (0 if no end of head was sent). */
uint8_t *ws_lf_repro_concat(const ws_lf_repro *r, size_t *len, size_t *head_len);

/* The sent octets read in order without joining them, so a flood stays one
 * write in memory however often it is repeated. */
typedef struct {
    const ws_lf_repro *r;
    size_t act, off;
    uint32_t rep;
} ws_lf_cursor;
void ws_lf_cursor_init(ws_lf_cursor *c, const ws_lf_repro *r);
/* Up to cap octets into dst; 0 at the end. */
size_t ws_lf_cursor_read(ws_lf_cursor *c, uint8_t *dst, size_t cap);
/* Where the HTTP head ends in the sent octets: 0 if no end of head was sent
 * within the first max octets. */
size_t ws_lf_repro_head_len(const ws_lf_repro *r, size_t max);

/* fuzz_common.h chunked input for the in-process frame target: flags 0
 * (server role), chunk sizes = the write boundaries after the head (at most
 * 15, each clamped to 1..255), stream = the octets after the head. */
ws_err ws_lf_repro_to_chunks(const ws_lf_repro *r, uint8_t **out, size_t *len);

/* ---------------------------------------------------- session (session.c) */

#define WS_LF_HS_MAX     20480
#define WS_LF_ARENA      32768
#define WS_LF_MAX_CUTS   16
#define WS_LF_STREAM_MAX (WS_LF_ARENA + 16 * WS_MUT_MAX_FRAMES)

typedef struct {
    uint32_t at;       /* offset in the frame stream where a TCP write ends */
    uint16_t pause_ms; /* pause after that write */
} ws_lf_cut;

typedef enum { WS_LF_END_NONE, WS_LF_END_SHUTDOWN, WS_LF_END_RESET } ws_lf_end;

typedef struct {
    char hs[WS_LF_HS_MAX]; /* the opening request as sent, empty line included */
    size_t hs_len;
    size_t hs_split;     /* > 0: the request goes in two writes, split here */
    bool hs_with_frames; /* the first frame octets share the request's write */
    ws_mut_seq seq;
    uint8_t arena[WS_LF_ARENA];
    ws_lf_cut cuts[WS_LF_MAX_CUTS];
    size_t ncuts;
    uint8_t end; /* ws_lf_end */
    /* flood_count > 1: frame flood_frame is sent flood_count times in a row
     * (one repeated write; at most WS_LF_FLOOD_MAX_OCTETS) */
    uint32_t flood_frame, flood_count;
} ws_lf_session;

#define WS_LF_FLOOD_MAX_OCTETS (128u << 20)

/* A valid opening request for host_port/resource with a fixed key, no frames. */
void ws_lf_session_default(ws_lf_session *s, const char *host_port, const char *resource);
/* The frames (and request shape) of a conformance case; false if it does not fit. */
bool ws_lf_session_from_case(ws_lf_session *s, const ws_case *c, const char *host_port,
                             const char *resource);
/* Rebuild a session from a reproducer's actions. */
bool ws_lf_session_from_repro(ws_lf_session *s, const ws_lf_repro *r);
void ws_lf_session_copy(ws_lf_session *d, const ws_lf_session *s);
void ws_lf_session_mutate(ws_lf_session *s, ws_rng *rng);
/* One structure-aware mutation (structure.c). */
void ws_lf_mutate_structure(ws_lf_session *s, ws_rng *rng);
/* Request lines (the request line included) and dropping header lines. */
size_t ws_lf_session_nlines(const ws_lf_session *s);
bool ws_lf_session_drop_lines(ws_lf_session *s, size_t first, size_t count);
/* The actions (replacing r's). */
bool ws_lf_session_render(const ws_lf_session *s, ws_lf_repro *r);

/* -------------------------------------------------- the model (model.c) */

#define WS_LF_MAX_EVENTS 64

typedef struct {
    uint8_t op; /* WS_OP_TEXT / WS_OP_BINARY / WS_OP_PONG */
    uint32_t len;
    uint64_t hash;
} ws_lf_msg;

typedef enum {
    WS_LF_M_CLEAN, /* every frame valid, no Close: echoes are owed */
    WS_LF_M_FAIL,  /* a frame breaks a rule: the peer must fail the connection */
    WS_LF_M_CLOSE, /* a Close was sent: the peer must answer and close */
} ws_lf_model_end;

typedef struct {
    bool head_sent;      /* a complete request head was sent */
    bool judge_frames;   /* the request parsed: the frames are judged after a 101 */
    bool hs_must_reject; /* the request breaks a MUST: a 101 is a violation */
    ws_err hs_err;
    bool has_key;
    char key[64];
    ws_lf_model_end end;
    ws_err violation;
    ws_lf_msg data[WS_LF_MAX_EVENTS];
    size_t ndata;
    ws_lf_msg pings[WS_LF_MAX_EVENTS];
    size_t npings;
    bool overflow;      /* more events than kept: echoes are not judged */
    bool open_tail;     /* a text message turned invalid but did not end: the peer may fail
                           now or at its end, so events after the listed ones are optional */
    bool may_stay_open; /* client mode: a non-101 answer; the client need not close */
} ws_lf_expect;

typedef enum {
    WS_LF_OBS_OPEN,   /* still open when observation stopped */
    WS_LF_OBS_EOF,    /* the peer closed TCP */
    WS_LF_OBS_RESET,  /* reset or I/O error */
    WS_LF_OBS_NOCONN, /* could not connect */
} ws_lf_obs_end;

typedef struct {
    bool hs_done; /* a complete response head arrived */
    int hs_status;
    bool hs_accept_ok;
    bool hs_extensions;             /* the 101 negotiated an extension: frames are not judged */
    ws_lf_msg ev[WS_LF_MAX_EVENTS]; /* data messages and pongs as received */
    size_t nev, ndata, npongs;
    bool ev_overflow;
    bool got_close;
    bool close_has_code;
    uint16_t close_code;
    ws_err close_err; /* the Close payload broke §5.5.1 / §7.4 */
    ws_err peer_err;  /* the peer's frames broke framing (client-side parser) */
    ws_lf_obs_end end;
    bool settled;           /* everything owed arrived, or the connection ended */
    int64_t first_reply_ns; /* from the last write to the first octet back; -1 none */
    int64_t elapsed_ns;
    char detail[160];
} ws_lf_obs;

/* What a conformant echo server owes for the octets r sends; the frames are
 * read through a cursor in 64 KiB pieces, so memory does not grow with the
 * session. */
void ws_lf_expect_build(const ws_lf_repro *r, ws_lf_expect *e);
/* The frame part of the model for octets already joined: stream parsed as
 * the peer parses it (a client: frames must be unmasked; a server: masked). */
void ws_lf_model_frames(const uint8_t *stream, size_t n, bool peer_is_client, ws_lf_expect *e);
bool ws_lf_settled(const ws_lf_expect *e, const ws_lf_obs *o);
/* MUST violations visible in the observation; detail gets one line. */
bool ws_lf_judge(const ws_lf_expect *e, const ws_lf_obs *o, char *detail, size_t cap);
/* A short text naming the response shape, and its hash (the feedback signal). */
uint64_t ws_lf_shape(const ws_lf_obs *o, char *out, size_t cap);
uint64_t ws_lf_hash(const uint8_t *d, size_t n, uint64_t h);

/* ------------------------------------------- wire capture (wirelog.c) */

typedef enum { WS_LF_CAP_TX, WS_LF_CAP_RX, WS_LF_CAP_NOTE } ws_lf_cap_kind;

typedef struct {
    uint8_t kind; /* ws_lf_cap_kind */
    int64_t t_ns; /* since the capture started */
    size_t off, len;
} ws_lf_cap_item;

/* What one run wrote and read, in order (bounded; the rest is counted). */
typedef struct {
    int64_t t0;
    uint8_t *data;
    size_t len, cap;
    ws_lf_cap_item *items;
    size_t n, items_cap;
    uint64_t left_out;
} ws_lf_capture;

void ws_lf_capture_reset(ws_lf_capture *c);
/* c may be NULL (nothing captured). */
void ws_lf_capture_add(ws_lf_capture *c, ws_lf_cap_kind kind, const void *d, size_t n);
void ws_lf_capture_note(ws_lf_capture *c, const char *text);
void ws_lf_capture_free(ws_lf_capture *c);
/* Decode and print both directions, one frame per line (client_mode:
 * wsspec was the server, the peer's head is a request). */
void ws_lf_wirelog_print(const ws_lf_capture *c, bool client_mode, FILE *out);

/* ------------------------------------ client mode (client_model.c) */

/* What a conformant echo client must do with the octets wsspec (the server)
 * sent: its opening response judged against the client's request (key and
 * offers), then the frames, which must be unmasked. */
void ws_lf_expect_build_client(const uint8_t *sent, size_t len, size_t head_len,
                               const char *request, size_t request_len, ws_lf_expect *e);
bool ws_lf_settled_client(const ws_lf_expect *e, const ws_lf_obs *o);
bool ws_lf_judge_client(const ws_lf_expect *e, const ws_lf_obs *o, char *detail, size_t cap);

/* ---------------------------------------------------- runner (runner.c) */

/* Run the actions against url (a fresh TCP connection) and observe until
 * settled or hang_ms after the last action. */
void ws_lf_run(const ws_url *url, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
               ws_lf_obs *o);
/* The same, capturing the octets both ways into cap (reset first). */
void ws_lf_run_capture(const ws_url *url, const ws_lf_repro *r, const ws_lf_expect *e, int hang_ms,
                       ws_lf_obs *o, ws_lf_capture *cap);
/* Client mode: run the actions over an accepted connection whose request
 * was read (early: octets that followed it); conn is closed at the end. */
void ws_lf_run_accepted(ws_conn *c, const uint8_t *early, size_t early_len, const ws_lf_repro *r,
                        const ws_lf_expect *e, int hang_ms, ws_lf_obs *o, ws_lf_capture *cap);
/* The sanity probe: a valid handshake and one echoed text message. */
bool ws_lf_probe(const ws_url *url, const char *host_port, const char *resource, int timeout_ms,
                 char *detail, size_t cap);

/* ------------------------------------------------ supervision (supervise.c) */

typedef struct {
    char cmd[2048];
    pid_t pid; /* 0: not running */
    char stderr_path[4096];
    off_t scanned; /* stderr octets already scanned for sanitizer reports */
    int starts;
} ws_lf_proc;

/* Start `/bin/sh -c "exec CMD"` in its own process group, stdout to
 * /dev/null, stderr appended to stderr_path (truncated first). */
ws_err ws_lf_proc_start(ws_lf_proc *p, char *err, size_t cap);
/* True if the process has ended (waiting up to wait_ms); detail says how. */
bool ws_lf_proc_dead(ws_lf_proc *p, int wait_ms, char *detail, size_t cap);
void ws_lf_proc_stop(ws_lf_proc *p);
/* Peak resident set size (VmHWM) in KiB from /proc/PID/status, or -1: memory
 * that grew and was freed again within one session still counts. */
long ws_lf_proc_rss_kb(const ws_lf_proc *p);
/* A sanitizer report line in the stderr written since the last call. */
bool ws_lf_proc_sanitizer(ws_lf_proc *p, char *line, size_t cap);
/* Wait until url accepts TCP connections. */
bool ws_lf_wait_listening(const ws_url *url, int timeout_ms);

/* ----------------------------------------------------- oracles (oracle.c) */

typedef struct {
    char url_text[512];
    ws_url url;
    char host_port[300];
    char resource[512];
    const char *exec_cmd; /* NULL: no process supervision */
    ws_lf_proc proc;
    int hang_ms;
    long rss_limit_kb; /* 0: none */
    void *proc_lock;   /* a pthread_mutex_t serialising process checks (-j), or NULL */
} ws_lf_target;

typedef struct {
    ws_lf_oracle oracle;
    char detail[256];
    char shape[256];
    uint64_t shape_hash;
} ws_lf_verdict;

/* Parse the URL, check the host is loopback unless allow_remote. Exit-2 errors. */
ws_err ws_lf_target_init(ws_lf_target *t, const char *url, const char *exec_cmd,
                         const char *stderr_path, bool allow_remote, char *err, size_t cap);
/* Start (or restart) the peer when supervised and wait until it listens. */
ws_err ws_lf_target_start(ws_lf_target *t, char *err, size_t cap);
void ws_lf_target_stop(ws_lf_target *t);
/* Run one session and judge it with every oracle (the sanity probe runs
 * when the session did not settle). Restarts a supervised peer that is not
 * running first. */
void ws_lf_evaluate(ws_lf_target *t, const ws_lf_repro *r, ws_lf_verdict *v);
/* The same, capturing the session's octets both ways (NULL: none). */
void ws_lf_evaluate_capture(ws_lf_target *t, const ws_lf_repro *r, ws_lf_verdict *v,
                            ws_lf_capture *cap);
/* The process oracles once more, giving a peer up to wait_ms to die (a
 * crash that comes just after a session that asked for no answer). */
bool ws_lf_check_process(ws_lf_target *t, int wait_ms, ws_lf_verdict *v);
/* The interval probe: NONE or UNRESPONSIVE / UNREACHABLE / CRASH. */
void ws_lf_check_alive(ws_lf_target *t, ws_lf_verdict *v);

/* ---------------------------------- client mode sessions (client_session.c) */

/* A valid 101 response ("Sec-WebSocket-Accept: {accept}"), no frames. */
void ws_lf_client_session_default(ws_lf_session *s);
/* Seed i (0, 1, ...): a few unmasked message patterns; false past the last. */
bool ws_lf_client_seed(ws_lf_session *s, size_t i);
void ws_lf_client_mutate(ws_lf_session *s, ws_rng *r);

/* ----------------------------------- client mode target (client_target.c) */

typedef struct {
    int fd; /* listening socket */
    char host[256];
    uint16_t port;
    char base_url[300]; /* ws://HOST:PORT */
    const char *exec_cmd;
    char cmd_template[2048]; /* --exec with "{url}" */
    ws_lf_proc proc;
    int batch;      /* the answer to getCaseCount */
    int hang_ms;    /* default 2000 */
    int connect_ms; /* how long to wait for the client's next connection */
    long rss_limit_kb;
    int early_deaths; /* the client died before connecting (not blamed on a session) */
} ws_lf_client_target;

typedef struct {
    ws_conn *conn;
    char request[WS_LF_HS_MAX];
    size_t request_len;
    uint8_t early[WS_LF_HS_MAX]; /* octets after the request head */
    size_t early_len;
    char key[64];
} ws_lf_client_conn;

/* Listen on HOST:PORT (loopback unless allow_remote); exit-2 errors. */
ws_err ws_lf_client_init(ws_lf_client_target *t, const char *listen, const char *exec_cmd,
                         const char *stderr_path, bool allow_remote, char *err, size_t cap);
void ws_lf_client_stop(ws_lf_client_target *t);
/* The next session connection (its request read), starting the client when
 * it is not running and answering getCaseCount/updateReports on the way.
 * WS_ERR_CLOSED with v set when the client died (not with status 0),
 * WS_ERR_TIMEOUT when nothing connected in time. */
ws_err ws_lf_client_next(ws_lf_client_target *t, int timeout_ms, ws_lf_client_conn *out,
                         ws_lf_verdict *v, char *err, size_t cap);
/* The actions with every "{accept}" in the sent octets replaced by the
 * Sec-WebSocket-Accept value for key (out is initialised here). */
bool ws_lf_client_substitute(const ws_lf_repro *in, const char *key, ws_lf_repro *out);
/* Run one session (mode client) on the client's next connection and judge
 * it: crash, sanitizer, rss, must, hang; cap (or NULL) gets the wire log. */
void ws_lf_client_evaluate(ws_lf_client_target *t, const ws_lf_repro *r, ws_lf_verdict *v,
                           ws_lf_capture *cap);

/* -------------------------------------------------- minimizer (minimize.c) */

typedef bool (*ws_lf_reproduces_fn)(void *ctx, const ws_lf_session *s);

/* Shrink s while check() still says the oracle reproduces; stops at
 * max_tries checks or the deadline (ws_now_ns clock). Returns the checks run. */
int ws_lf_minimize(ws_lf_session *s, ws_lf_reproduces_fn check, void *ctx, int max_tries,
                   int64_t deadline);

/* ------------------------------------------------------ fuzzing (fuzz.c) */

typedef struct {
    const char *url;
    const char *exec_cmd;
    double seconds; /* 0: none */
    uint64_t runs;  /* 0: none */
    uint64_t seed;
    int jobs;
    const char *corpus_dir; /* NULL: none */
    const char *findings_dir;
    long rss_limit_mb;
    int hang_ms;
    bool allow_remote;
    int stop_after;         /* > 0: stop once this many findings are saved */
    bool corpus_seeds_only; /* no seeds from the suites: --corpus and one plain session */
    bool client_mode;       /* --client: fuzz a client under test */
    const char *listen;     /* --listen HOST:PORT (client mode) */
} ws_lf_config;

/* Returns the exit status: 0 no finding, 1 findings saved, 2 usage, 3 unreachable. */
int ws_lf_fuzz(const ws_lf_config *cfg);

/* ------------------------------------- conformance cases (case_repro.c) */

/* The octets a case wrote (res->tx_record) as a reproducer with oracle
 * `must`; false when nothing was recorded. */
bool ws_lf_repro_from_case(const ws_case_result *res, const char *target, ws_lf_repro *r);
/* Save it as DIR/[PREFIX-]case-ID.repro; the path written goes to path. */
ws_err ws_lf_save_case_repro(const char *dir, const char *prefix, const ws_case_result *res,
                             const char *target, char *path, size_t path_cap, char *err,
                             size_t cap);

/* Client mode (client_fuzz.c); the same exit statuses. */
int ws_lf_client_fuzz(const ws_lf_config *cfg);

typedef struct {
    const char *file;
    const char *url;      /* server mode: NULL for the file's target */
    const char *listen;   /* client mode: --listen HOST:PORT */
    const char *exec_cmd; /* NULL: the peer runs on its own */
    int hang_ms;
    long rss_limit_mb; /* 0: none */
    bool allow_remote;
    bool client; /* --client given */
    bool quiet;  /* no wire log */
} ws_lf_replay_opts;

/* `wsspec replay`: 0 same, 1 different, 2 usage/file errors, 3 unreachable. */
int ws_lf_replay(const ws_lf_replay_opts *opt);

#endif
