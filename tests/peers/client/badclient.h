/*
 * wsspec-badclient: an Autobahn-style WebSocket test client (the testee side
 * of `wsspec test-client`) that is conformant by default and breaks exactly
 * one rule per --violate switch, so every client-testing verdict can be shown
 * to pass and to fail.
 *
 * Files:
 *   badclient.c          command line, the violation table, the canonical loop
 *   badclient_conn.c     sockets (blocking, with timeouts) and the opening handshake
 *   badclient_session.c  frames: validation, echo, ping/pong, close handshake
 *   badclient_deflate.c  permessage-deflate: the offer, the answer's check, the codecs
 */
#ifndef WSSPEC_BADCLIENT_H
#define WSSPEC_BADCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wsspec/deflate.h"
#include "wsspec/error.h"
#include "wsspec/handshake.h"
#include "wsspec/url.h"

/*
 * X(ID, "name", "what it breaks")
 * Entries marked CONTROL break nothing the RFC requires: the client-testing
 * cases must still be judged OK with them.
 */
#define BC_VIOLATION_MAP(X)                                                                        \
    X(NO_ECHO, "no-echo", "never echo data messages")                                              \
    X(CORRUPT_ECHO, "corrupt-echo",                                                                \
      "echo with the last payload octet XOR 1 (an empty message is echoed as one octet)")          \
    X(NO_MASK, "no-mask", "send every frame unmasked (RFC 6455 5.1, 5.3)")                         \
    X(ZERO_MASK, "zero-mask",                                                                      \
      "CONTROL: mask every frame with the key 00 00 00 00 (valid per 5.3; must stay OK)")          \
    X(ACCEPT_BAD_ACCEPT, "accept-bad-accept",                                                      \
      "skip the Sec-WebSocket-Accept check of the 101 response (4.1)")                             \
    X(ACCEPT_NO_UPGRADE, "accept-no-upgrade",                                                      \
      "skip the Upgrade: websocket and Connection: Upgrade checks of the 101 response (4.1)")      \
    X(ACCEPT_ANY_EXTENSION, "accept-any-extension",                                                \
      "ignore Sec-WebSocket-Extensions the client did not offer (4.1)")                            \
    X(ACCEPT_ANY_PROTOCOL, "accept-any-protocol",                                                  \
      "ignore a Sec-WebSocket-Protocol the client did not offer (4.1)")                            \
    X(ACCEPT_NON_101, "accept-non-101",                                                            \
      "treat any response status as 101 Switching Protocols (4.1)")                                \
    X(ACCEPT_MASKED_FRAMES, "accept-masked-frames",                                                \
      "accept masked frames from the server instead of failing (5.1)")                             \
    X(NO_UTF8_CHECK, "no-utf8-check", "never validate UTF-8 in text messages (8.1)")               \
    X(UTF8_FAIL_LATE, "utf8-fail-late",                                                            \
      "validate UTF-8 only once the whole message arrived (NON-STRICT in 6.4.x)")                  \
    X(ACCEPT_RSV, "accept-rsv", "ignore RSV bits although no extension was negotiated (5.2)")      \
    X(ACCEPT_RESERVED_OPCODE, "accept-reserved-opcode",                                            \
      "silently ignore frames with reserved opcodes instead of failing (5.2)")                     \
    X(NO_PONG, "no-pong", "never answer pings (5.5.2)")                                            \
    X(NO_CLOSE_REPLY, "no-close-reply",                                                            \
      "never answer a close frame; wait for the server to drop TCP (5.5.1)")                       \
    X(WRONG_CLOSE_CODE, "wrong-close-code", "reply to every close with 1002 (5.5.1)")              \
    X(CLOSE_TCP_FIRST, "close-tcp-first",                                                          \
      "drop TCP right after replying to a close instead of waiting for the server (7.1.1)")        \
    X(PMD_KEEP_CONTEXT, "pmd-keep-context",                                                        \
      "with --deflate: keep the compression context although client_no_context_takeover was "      \
      "agreed (RFC 7692 7.1.1.2)")                                                                 \
    X(CRASH_LONG_PING, "crash-long-ping",                                                          \
      "abort (SIGABRT, a planted crash for the live fuzzer) on a Ping of more than 64 octets")

enum {
#define BC_VIOLATION_BIT_(id, name, desc) BC_BIT_##id,
    BC_VIOLATION_MAP(BC_VIOLATION_BIT_)
#undef BC_VIOLATION_BIT_
        BC_VIOLATION_COUNT
};

/* A set of violations, one bit each. */
typedef uint64_t bc_flags;

#define BC_V(id) ((bc_flags)1 << BC_BIT_##id)

_Static_assert(BC_VIOLATION_COUNT <= 63, "bc_flags holds at most 63 violations");

/* --deflate, an option rather than a violation: offer permessage-deflate.
 * It rides in the top bit of the flags, which no violation uses. */
#define BC_OPT_DEFLATE ((bc_flags)1 << 63)

/* One row of the violation table. */
typedef struct {
    const char *name;
    const char *description;
    bc_flags flag;
} bc_violation;

static inline bool bc_has(bc_flags set, bc_flags v)
{
    return (set & v) != 0;
}

#ifndef WSSPEC_VERSION
#define WSSPEC_VERSION "dev"
#endif

/* Timeouts and limits shared by the files. */
#define BC_IO_TIMEOUT_MS    15000 /* SO_RCVTIMEO / SO_SNDTIMEO, and connect() */
#define BC_WAIT_CLOSE_MS    1000  /* how long to wait for the server to drop TCP */
#define BC_READ_SIZE        (64 * 1024)
#define BC_MAX_MESSAGE      ((uint64_t)64 * 1024 * 1024) /* larger messages: close 1009 */
#define BC_MAX_COUNT_LENGTH 64                           /* getCaseCount answer */

/* --------------------------------------------------- badclient_deflate.c */

#define BC_PMD_OFFER "permessage-deflate; client_max_window_bits"

/* The codecs of one connection. */
typedef struct {
    bool on; /* permessage-deflate agreed and the codecs set up */
    ws_deflater deflater;
    ws_inflater inflater;
} bc_pmd;

/*
 * Check the server's Sec-WebSocket-Extensions answer `ext` (the header, or
 * NULL when there is none) against BC_PMD_OFFER and set up the codecs for
 * what was agreed (pmd-keep-context: the compressor keeps its context).
 * Returns WS_OK (pmd->on tells whether the extension is in use), or the
 * error for which the client must fail the connection.
 */
ws_err bc_pmd_start(const ws_http_header *ext, bc_flags v, bc_pmd *pmd);

/* The compressed payload of msg[0..len): malloc'd, *out_len octets; NULL
 * when out of memory. */
uint8_t *bc_pmd_compress(bc_pmd *p, const uint8_t *msg, size_t len, size_t *out_len);
void bc_pmd_end(bc_pmd *p);

/* ------------------------------------------------------ badclient_conn.c */

/* Connect a TCP socket to the URL's host and port, with BC_IO_TIMEOUT_MS for
 * connect, send and receive. Returns the socket or -1 (message in err). */
int bc_connect(const ws_url *u, char *err, size_t err_cap);

/* Send every octet of a, then of b (b may be NULL/0). False on error/timeout. */
bool bc_send2(int fd, const void *a, size_t alen, const void *b, size_t blen);

/* recv() retried on EINTR: > 0 octets, 0 on EOF, -1 on error or timeout. */
ssize_t bc_recv(int fd, void *buf, size_t cap);

/* Read and discard until the server drops TCP, an error, or max_ms; then close(). */
void bc_wait_for_drop(int fd, int max_ms);

/* Fill buf with random octets (getrandom). */
void bc_random(void *buf, size_t len);

/*
 * The client side of the opening handshake on fd for `resource` (the request
 * target) and `host` (the Host header). Reads the response into buf
 * (capacity cap) and checks it strictly, except for what the violations
 * waive. On success returns WS_OK and *leftover is the number of octets after
 * the response head (already moved to buf[0]), and with --deflate *pmd is
 * set up from the answer. On failure returns the WS_ERR_* that failed;
 * nothing has been sent after the request.
 */
ws_err bc_handshake(int fd, bc_flags v, const char *host, const char *resource, uint8_t *buf,
                    size_t cap, size_t *leftover, bc_pmd *pmd);

/* --------------------------------------------------- badclient_session.c */

typedef enum {
    BC_MODE_COUNT,  /* getCaseCount: keep the first text message, echo nothing */
    BC_MODE_CASE,   /* runCase: echo every message */
    BC_MODE_REPORT, /* updateReports: echo nothing, wait for the close */
} bc_mode;

/* How a connection ended, for the one-line log. */
typedef struct {
    ws_err handshake;   /* WS_OK once the 101 was accepted */
    ws_err failure;     /* WS_OK, or the error that made the client fail the connection */
    int close_received; /* close code from the server, 1005 without one, -1 if none */
    int close_sent;     /* close code the client sent, 1005 empty, -1 if none */
    bool dropped;       /* the TCP connection ended without a complete close handshake */
    uint64_t messages;  /* data messages received */
    char text[BC_MAX_COUNT_LENGTH + 1]; /* BC_MODE_COUNT: the first text message */
    bool has_text;
} bc_outcome;

/*
 * Run one connection to its end: the opening handshake on fd, then frames
 * until the connection closes. Always closes fd. buf (capacity cap, at least
 * BC_READ_SIZE) is scratch space.
 */
void bc_session(int fd, bc_flags v, bc_mode mode, const char *host, const char *resource,
                uint8_t *buf, size_t cap, bc_outcome *out);

#endif
