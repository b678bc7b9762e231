/*
 * wsspec-badpeer: a WebSocket echo server that is conformant by default and
 * breaks exactly one rule per --violate switch, so the test suite can show
 * that each conformance case both passes and fails.
 *
 * Files:
 *   badpeer.c          command line, the violation table, listener, threads
 *   badpeer_conn.c     socket helpers and the opening handshake
 *   badpeer_session.c  frames, the session loop, failing the connection
 *   badpeer_message.c  messages, echo, ping/pong, close handshake (badpeer_session.h)
 *   badpeer_deflate.c  permessage-deflate: negotiation, inflating, deflating
 */
#ifndef WSSPEC_BADPEER_H
#define WSSPEC_BADPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wsspec/deflate.h"
#include "wsspec/extensions.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"

/*
 * X(ID, "name", "what it breaks")
 * Entries marked CONTROL break nothing the RFC requires: conformance cases
 * must still be judged OK (or NON-STRICT) with them.
 */
#define BP_VIOLATION_MAP(X)                                                                        \
    X(NO_ECHO, "no-echo", "never echo data messages")                                              \
    X(CORRUPT_ECHO, "corrupt-echo",                                                                \
      "echo with the last payload octet XOR 1 (an empty message is echoed as one octet)")          \
    X(WRONG_TYPE_ECHO, "wrong-type-echo", "echo text messages as binary and binary as text")       \
    X(FRAGMENT_ECHO, "fragment-echo",                                                              \
      "CONTROL: echo each message as 2 frames (valid per RFC 6455 5.4; must stay OK)")             \
    X(SLOW_ECHO, "slow-echo", "wait 3 s before every echo")                                        \
    X(SMALL_MESSAGE_LIMIT, "small-message-limit",                                                  \
      "close 1009 on messages over 64 KiB (legal policy, but fails the big-message cases)")        \
    X(NO_PONG, "no-pong", "never answer pings (RFC 6455 5.5.2)")                                   \
    X(BAD_PONG, "bad-pong", "answer pings with a wrong payload (RFC 6455 5.5.3)")                  \
    X(LATEST_PONG_ONLY, "latest-pong-only",                                                        \
      "answer only the last of several pings received in one read (fails 2.10)")                   \
    X(ACCEPT_RSV, "accept-rsv", "ignore RSV bits although no extension was negotiated (5.2)")      \
    X(ACCEPT_RESERVED_OPCODE, "accept-reserved-opcode",                                            \
      "silently ignore frames with reserved opcodes instead of failing (5.2)")                     \
    X(ACCEPT_BAD_CONTROL, "accept-bad-control",                                                    \
      "accept control frames over 125 octets or fragmented, answer pings anyway (5.5)")            \
    X(ACCEPT_BAD_FRAGMENTS, "accept-bad-fragments",                                                \
      "no continuation checks: orphan continuations ignored, a new data frame restarts (5.4)")     \
    X(ACCEPT_UNMASKED, "accept-unmasked", "accept unmasked client frames (5.1)")                   \
    X(ACCEPT_MSB_LENGTH, "accept-msb-length",                                                      \
      "on a 64-bit length with the MSB set keep waiting (payload discarded) instead of failing")   \
    X(NO_UTF8_CHECK, "no-utf8-check", "never validate UTF-8 in text messages (8.1)")               \
    X(UTF8_FAIL_LATE, "utf8-fail-late",                                                            \
      "validate UTF-8 only once the whole message arrived (NON-STRICT in 6.4.x)")                  \
    X(UTF8_ACCEPT_TRUNCATED, "utf8-accept-truncated",                                              \
      "accept a text message that ends inside a code point (no end-of-message check)")             \
    X(REJECT_NONCHARACTERS, "reject-noncharacters",                                                \
      "too strict: treat U+FDD0-FDEF and U+xFFFE/xFFFF as invalid UTF-8 (fails 6.22, 6.23)")       \
    X(BATCH_BEFORE_ECHO, "batch-before-echo",                                                      \
      "hold replies while input follows (20 ms), drop them if a later frame fails: NON-STRICT")    \
    X(WRONG_CLOSE_CODE, "wrong-close-code",                                                        \
      "reply to every close with 1002, fail errors with 1000")                                     \
    X(NO_CLOSE_REPLY, "no-close-reply", "never answer a close frame; ignore all later input")      \
    X(ACCEPT_BAD_CLOSE, "accept-bad-close",                                                        \
      "accept any close payload (1 octet, bad code, bad UTF-8, over 125) and reply 1000")          \
    X(NO_TCP_CLOSE, "no-tcp-close",                                                                \
      "after the close handshake wait for the client to drop TCP (the server must close first)")   \
    X(DATA_AFTER_CLOSE, "data-after-close",                                                        \
      "after replying to a close keep echoing and answering pings for 300 ms (5.5.1)")             \
    X(CLOSE_ON_ERROR_SILENTLY, "close-on-error-silently",                                          \
      "CONTROL: on errors drop TCP without a close frame (valid per 7.1.7; must stay OK)")         \
    X(MASK_SERVER_FRAMES, "mask-server-frames", "mask every frame the server sends (5.1)")         \
    X(BAD_ACCEPT, "bad-accept", "send a wrong Sec-WebSocket-Accept (4.2.2)")                       \
    X(NO_HANDSHAKE, "no-handshake", "answer the opening handshake with 404 Not Found")             \
    X(ACCEPT_ANY_REQUEST, "accept-any-request",                                                    \
      "answer 101 to any request, even one RFC 6455 4.2.1 says to refuse")                         \
    X(NO_VERSION_HEADER, "no-version-header",                                                      \
      "refuse an unsupported version with 400 and no Sec-WebSocket-Version (4.4)")                 \
    X(STALL_AFTER_HANDSHAKE, "stall-after-handshake", "never read anything after the handshake")   \
    X(PMD_RSV1_ON_CONTROL, "pmd-rsv1-on-control",                                                  \
      "permessage-deflate: ignore RSV1 on a control frame (RFC 7692 6)")                           \
    X(PMD_RSV1_ON_CONTINUATION, "pmd-rsv1-on-continuation",                                        \
      "permessage-deflate: ignore RSV1 on a continuation frame (RFC 7692 6)")                      \
    X(PMD_IGNORE_BAD_DATA, "pmd-ignore-bad-data",                                                  \
      "permessage-deflate: drop a message that does not inflate and go on (RFC 7692 7.2.2)")       \
    X(PMD_IGNORE_BOMB, "pmd-ignore-bomb",                                                          \
      "permessage-deflate: a message inflating past the limit is dropped, the connection kept")    \
    X(PMD_REFUSE_UNCOMPRESSED, "pmd-refuse-uncompressed",                                          \
      "permessage-deflate: fail on a message without RSV1 (RFC 7692 6 allows it)")                 \
    X(PMD_INFLATE_PER_FRAME, "pmd-inflate-per-frame",                                              \
      "permessage-deflate: inflate each frame as if it ended the message (RFC 7692 7.2.1)")        \
    X(PMD_KEEP_CONTEXT, "pmd-keep-context",                                                        \
      "permessage-deflate: keep the compression context although server_no_context_takeover "      \
      "was agreed (RFC 7692 7.1.1.1)")                                                             \
    X(PMD_ACCEPT_BAD_WINDOW, "pmd-accept-bad-window",                                              \
      "permessage-deflate: accept an offer with window bits outside 8..15 (RFC 7692 7.1.2)")       \
    X(PMD_ACCEPT_REPEATED, "pmd-accept-repeated",                                                  \
      "permessage-deflate: accept an offer with a repeated parameter (RFC 7692 7.1)")              \
    X(PMD_ACCEPT_UNKNOWN, "pmd-accept-unknown",                                                    \
      "permessage-deflate: accept an offer with an unknown parameter (RFC 7692 7.1)")              \
    X(PMD_ACCEPT_FLAG_VALUE, "pmd-accept-flag-value",                                              \
      "permessage-deflate: accept a value on *_no_context_takeover (RFC 7692 7.1.1)")

enum {
#define BP_VIOLATION_BIT_(id, name, desc) BP_BIT_##id,
    BP_VIOLATION_MAP(BP_VIOLATION_BIT_)
#undef BP_VIOLATION_BIT_
        BP_VIOLATION_COUNT
};

/* A set of violations, one bit each. */
typedef uint64_t bp_flags;

#define BP_V(id) ((bp_flags)1 << BP_BIT_##id)

_Static_assert(BP_VIOLATION_COUNT <= 64, "bp_flags holds at most 64 violations");

/* One row of the violation table. */
typedef struct {
    const char *name;
    const char *description;
    bp_flags flag;
} bp_violation;

static inline bool bp_has(bp_flags set, bp_flags v)
{
    return (set & v) != 0;
}

/* Timeouts and limits shared by the files. */
#define BP_IO_TIMEOUT_MS 10000 /* SO_RCVTIMEO / SO_SNDTIMEO */
#define BP_DRAIN_MS      2000  /* how long a closing server reads before close() */
#define BP_WAIT_DROP_MS  60000 /* longest wait for the client to drop TCP */
#define BP_READ_SIZE     (64 * 1024)

/* ------------------------------------------------------ badpeer_conn.c */

/* Set SO_RCVTIMEO and SO_SNDTIMEO; the receive one alone with _recv_. */
bool bp_set_timeouts(int fd, int ms);
bool bp_set_recv_timeout(int fd, int ms);

/* Send every octet of a, then of b (b may be NULL/0). False on error/timeout. */
bool bp_send2(int fd, const void *a, size_t alen, const void *b, size_t blen);

/* recv() retried on EINTR: > 0 octets, 0 on EOF, -1 on error or timeout. */
ssize_t bp_recv(int fd, void *buf, size_t cap);

/* Server closes first: FIN, then read and discard until EOF or BP_DRAIN_MS
 * (so unread input does not turn the close into a RST), then close(). */
void bp_close_gracefully(int fd);

/* Read and discard until the client drops TCP (or max_ms), then close(). */
void bp_wait_for_drop(int fd, int max_ms);

/* True if input (or EOF) arrives within ms. */
bool bp_wait_readable(int fd, int ms);

/* Read nothing; wait until the client hangs up (or max_ms), then close(). */
void bp_stall(int fd, int max_ms);

/* Bind and listen on "HOST:PORT" ("[v6]:PORT" too). Returns the socket or -1
 * (with a message in err); bound receives the actual "HOST:PORT". */
int bp_listen(const char *spec, char *bound, size_t bound_cap, char *err, size_t err_cap);

/*
 * Run the opening handshake on fd into buf (capacity cap). On success returns
 * true and *leftover is the number of octets after the request head (already
 * moved to buf[0]) and *pmd_on says whether permessage-deflate was agreed
 * (with *pmd_agreed). On failure the HTTP error answer has been sent and false
 * is returned; the caller closes fd.
 */
bool bp_handshake(int fd, bp_flags v, uint8_t *buf, size_t cap, size_t *leftover,
                  ws_pmd_params *pmd_agreed, bool *pmd_on);

/* --------------------------------------------------- badpeer_deflate.c */

#define BP_EXT_RESPONSE_MAX 160

/*
 * Choose the answer to the request's permessage-deflate offers: the first
 * valid one is accepted with what it asks. An offer that breaks a rule
 * a pmd-accept-* violation waives is accepted as if that parameter were
 * valid (or absent). Returns true with *agreed and the response value in
 * response, or false to decline.
 */
bool bp_pmd_negotiate(const ws_http_request *req, bp_flags v, ws_pmd_params *agreed,
                      char response[BP_EXT_RESPONSE_MAX]);

/* The error for a frame header under permessage-deflate, or WS_OK: RSV1
 * only on the first frame of a data message, and a message without it is
 * valid (RFC 7692 §6); pmd-rsv1-on-* and pmd-refuse-uncompressed bend this. */
ws_err bp_pmd_header_error(bp_flags v, const ws_frame_header *h);

/* Whether an inflate error is waived (pmd-ignore-bomb for
 * WS_ERR_MESSAGE_TOO_LARGE, pmd-ignore-bad-data for the others): the
 * message is then dropped and the connection kept. */
bool bp_pmd_waives(bp_flags v, ws_err e);

/* The codecs of one connection. */
typedef struct {
    bool on; /* permessage-deflate agreed and the codecs set up */
    ws_pmd_params agreed;
    ws_deflater deflater;
    ws_inflater inflater;
    uint64_t limit;
    int inflate_bits;
    bool inflate_reset;
} bp_pmd;

/* Set up the codecs for the agreed parameters (pmd-keep-context: the
 * compressor keeps its context whatever was agreed). */
ws_err bp_pmd_start(bp_pmd *p, const ws_pmd_params *agreed, bp_flags v, uint64_t limit);
/* The compressed payload of msg[0..len): malloc'd, *out_len octets; NULL
 * when out of memory. */
uint8_t *bp_pmd_compress(bp_pmd *p, const uint8_t *msg, size_t len, size_t *out_len);
/* Discard the inflater's state after an error, for the next message. */
ws_err bp_pmd_restart_inflater(bp_pmd *p);
void bp_pmd_end(bp_pmd *p);

/* --------------------------------------------------- badpeer_session.c */

/* Serve one accepted connection to its end and close fd. */
void bp_serve(int fd, bp_flags violations);

#endif
