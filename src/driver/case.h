/*
 * The case model. A conformance case is a declaration: an id, the RFC
 * section it checks, a title, what wsspec sends (frames, TCP write
 * boundaries, pauses) and how the case ends. What a conformant peer must
 * answer is *derived* from what is sent (see plan.c: an echo peer that
 * follows RFC 6455 to the letter), so a new case is a few lines of data.
 *
 * Suites (the files in suites/) hold only these declarations; they never open a
 * socket or read a clock.
 */
#ifndef WSSPEC_DRIVER_CASE_H
#define WSSPEC_DRIVER_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a frame's payload comes from. */
typedef enum {
    WS_GEN_LITERAL,        /* .data, .len octets (strings may contain NUL) */
    WS_GEN_FILL,           /* .len copies of .fill */
    WS_GEN_HEX,            /* .data is hex digits */
    WS_GEN_TEXT,           /* .len octets of deterministic printable ASCII */
    WS_GEN_BINARY,         /* .len octets of deterministic pseudo-random binary */
    WS_GEN_REPEAT,         /* .data (a NUL-terminated string) repeated up to .len octets */
    WS_GEN_CORPUS,         /* .len-octet slices of data set number .fill (see ws_corpus);
                              in round trips, each message is the next slice */
    WS_GEN_ZEROS_DEFLATED, /* .len zero octets, sent compressed: a decompression bomb */
} ws_gen;

/* One frame to send; zero-initialised fields mean: FIN set, no RSV, masked
 * with a fresh random key, minimal length encoding. */
typedef struct {
    uint8_t opcode;
    bool more;   /* FIN = 0 */
    uint8_t rsv; /* 3-bit RSV field */
    ws_gen gen;
    const char *data;
    size_t len;
    uint8_t fill;
    bool coded; /* close frames: a status code precedes .data */
    uint16_t code;
    size_t fragment;       /* > 0: send the payload as one message in frames of this size */
    bool unmasked;         /* no mask: a server MUST fail the connection (§5.1) */
    bool zero_mask;        /* mask with the key 00 00 00 00 (valid) */
    uint8_t len_form;      /* 0: minimal; 16 or 64: force that length encoding (§5.2) */
    uint64_t declared_len; /* > 0: the header claims this length instead of the real one */
    bool compress;         /* permessage-deflate: compress the message, RSV1 on its first
                              frame (.fragment then splits the compressed payload) */
} ws_send_frame;

/* Standard opening-request headers, for ws_hs_request.omit. */
enum {
    WS_HDR_HOST = 1 << 0,
    WS_HDR_UPGRADE = 1 << 1,
    WS_HDR_CONNECTION = 1 << 2,
    WS_HDR_KEY = 1 << 3,
    WS_HDR_VERSION = 1 << 4,
};

/* How a handshake case shapes the opening request (RFC 6455 §4.1). Zero
 * fields keep the standard request. */
typedef struct {
    const char *method;  /* NULL: GET */
    const char *http;    /* NULL: HTTP/1.1 */
    unsigned omit;       /* WS_HDR_* left out */
    const char *upgrade; /* replacement values; NULL keeps the standard one */
    const char *connection;
    const char *key;
    const char *version;
    const char *protocols;  /* Sec-WebSocket-Protocol offered */
    const char *extensions; /* Sec-WebSocket-Extensions offered */
    const char *extra;      /* further header lines, each "Name: value" + CRLF */
    const char *raw;        /* the whole head verbatim; {host} and {key} are substituted */
    size_t chop;            /* write the request in TCP writes of this many octets */
    size_t filler_headers;  /* add this many filler header lines */
    size_t long_value;      /* add one header whose value has this many octets */
    const char *long_name;  /* that header's name (default X-Long) */
    const char *long_fill;  /* the octets repeated in that value (default "a") */
    bool odd_case;          /* header names in odd letter case, in reverse order */
    bool first_frame;       /* the first SEND step goes in the request's TCP write */
    bool allow_extensions;  /* the server may accept the offered extensions */
    bool may_ignore;        /* accepting while ignoring the bad header is NON-STRICT */
    bool may_accept;        /* accepting is allowed (a server may speak that version) */
    bool may_refuse;        /* refusing the request (4xx) is as good as accepting it */
} ws_hs_request;

/* How wsspec, as the server, shapes its answer to a client under test
 * (RFC 6455 §4.2.2). Zero fields give the correct 101 response. */
typedef struct {
    int status;          /* 0: 101 */
    const char *reason;  /* NULL: "Switching Protocols" */
    unsigned omit;       /* WS_HDR_UPGRADE, WS_HDR_CONNECTION, WS_HDR_KEY (the Accept) */
    const char *upgrade; /* replacement values */
    const char *connection;
    const char *accept; /* a wrong Sec-WebSocket-Accept */
    const char *extra;  /* further header lines, each "Name: value" + CRLF */
    size_t chop;        /* write the response in TCP writes of this many octets */
    bool odd_case;      /* header names in odd letter case */
    bool first_frame;   /* the first SEND step goes in the response's TCP write */
    /* With .pmd_offer: ask the client for client_no_context_takeover. */
    bool pmd_client_no_context_takeover;
} ws_hs_response;

typedef enum {
    WS_HS_ACCEPT,         /* 101 with a valid response, then the steps */
    WS_HS_REJECT,         /* refused: an HTTP error status, or the connection closed */
    WS_HS_REJECT_VERSION, /* refused with Sec-WebSocket-Version: 13 (§4.4) */
} ws_hs_expect;

typedef enum {
    WS_STEP_SEND,       /* send .frames, written as .write says */
    WS_STEP_PAUSE,      /* process what arrives for .ms; then, if the connection is
                           still open and .mark is set, record a timeout mark */
    WS_STEP_AWAIT,      /* wait (at most .ms) until every answer owed so far arrived */
    WS_STEP_ROUNDTRIPS, /* send .frames[0] .count times, each after the previous echo */
    WS_STEP_RELEASE,    /* write .count octets held back by an earlier SEND (0 = all) */
} ws_step_kind;

typedef enum {
    WS_WRITE_TOGETHER,  /* all frames of the step in one TCP write */
    WS_WRITE_FRAMEWISE, /* one TCP write per frame */
    WS_WRITE_CHOP,      /* the step's octets in writes of .chop octets */
} ws_write_mode;

typedef struct {
    ws_step_kind kind;
    const ws_send_frame *frames;
    size_t nframes;
    ws_write_mode write;
    size_t chop;
    int ms;
    const char *mark;
    int count;
    size_t hold; /* SEND: keep the last .hold octets back for a later RELEASE, so
                    a frame can arrive in parts with pauses between them */
} ws_step;

/* How the case ends once every step has run. */
typedef enum {
    WS_END_KILL,  /* wait .end_ms for the peer; then fail the connection (close 1001) */
    WS_END_CLOSE, /* wait .end_ms; then start a normal close (1000) */
} ws_end;

enum {
    WS_CASE_FAIL_FAST = 1 << 0,     /* 6.4.x: OK = one mark, NON-STRICT = two marks */
    WS_CASE_INFORMATIONAL = 1 << 1, /* always INFORMATIONAL: the report shows what happened */
    WS_CASE_CODE_FATAL = 1 << 2,    /* a WRONG CODE close also fails the behaviour (7.x) */
    WS_CASE_TIMED = 1 << 3,         /* measures time: runs after the parallel pool */
    WS_CASE_PERF = 1 << 4,          /* report throughput / round-trip figures */
    WS_CASE_NO_WIRELOG = 1 << 5,    /* bulk traffic: keep only the first frames */
    WS_CASE_LATEST_PONG = 1 << 6,   /* a Pong for only the last Ping is NON-STRICT (§5.5.3) */
    WS_CASE_PROBE_AFTER = 1 << 7,   /* then check the server still serves a valid handshake */
    WS_CASE_LENIENT = 1 << 8,       /* failing is OK; accepting and echoing is INFORMATIONAL */
};

typedef struct {
    const char *id;  /* "5.19": Autobahn's id for Autobahn's cases */
    const char *rfc; /* "RFC 6455 §5.4" */
    const char *title;
    const char *requirement; /* the MUST/SHOULD in wsspec's own words; may be NULL */
    const ws_step *steps;
    size_t nsteps;
    ws_end end;
    int end_ms;
    unsigned flags;
    const ws_hs_request *hs; /* NULL: the standard opening request */
    ws_hs_expect hs_expect;
    const ws_hs_response *hs_response; /* testing clients: NULL, the correct answer */
    const char *pmd_offer;             /* permessage-deflate offer; UNIMPLEMENTED if not agreed */
    unsigned roles;                    /* WS_FOR_*; 0: servers and clients */
} ws_case;

/* Which peers a case applies to. */
enum { WS_FOR_SERVERS = 1, WS_FOR_CLIENTS = 2 };

static inline bool ws_case_applies(const ws_case *c, unsigned role)
{
    return c->roles == 0 || (c->roles & role) != 0;
}

/* Compound-literal helpers that keep declarations short. */
#define WS_COUNT(type, ...) (sizeof((type[]){__VA_ARGS__}) / sizeof(type))
#define WS_FRAMES(...)                                                                             \
    .frames = (const ws_send_frame[]){__VA_ARGS__},                                                \
    .nframes = WS_COUNT(const ws_send_frame, __VA_ARGS__)
#define WS_STEPS(...)                                                                              \
    .steps = (const ws_step[]){__VA_ARGS__}, .nsteps = WS_COUNT(const ws_step, __VA_ARGS__)
/* A literal payload: WS_DATA("Hello") */
#define WS_DATA(s) .data = (s), .len = sizeof(s) - 1
/* One SEND step of frames written together. */
#define WS_SEND(...)                                                                               \
    {                                                                                              \
        .kind = WS_STEP_SEND, WS_FRAMES(__VA_ARGS__)                                               \
    }

/* A growable list of cases. Generated families allocate their strings and
 * arrays from the registry's arena, which owns them. */
typedef struct ws_registry ws_registry;

ws_registry *ws_registry_new(void);
void ws_registry_free(ws_registry *r);
/* Append a case (copied by value; its pointers must outlive the registry or
 * come from ws_registry_alloc). Returns false when out of memory. */
bool ws_registry_add(ws_registry *r, const ws_case *c);
void *ws_registry_alloc(ws_registry *r, size_t size);
char *ws_registry_strdup(ws_registry *r, const char *s);
char *ws_registry_printf(ws_registry *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t ws_registry_count(const ws_registry *r);
const ws_case *ws_registry_get(const ws_registry *r, size_t i);
const ws_case *ws_registry_find(const ws_registry *r, const char *id);

/* Every case of every suite, sorted by id. */
ws_registry *ws_registry_all(void);

/* Family titles for summaries: "1" -> "Framing". */
const char *ws_family_title(const char *id);

/* Suites: each adds its cases. */
void ws_suite_framing(ws_registry *r);
void ws_suite_pings(ws_registry *r);
void ws_suite_reserved(ws_registry *r);
void ws_suite_opcodes(ws_registry *r);
void ws_suite_fragmentation(ws_registry *r);
void ws_suite_utf8(ws_registry *r);
void ws_suite_close(ws_registry *r);
void ws_suite_limits(ws_registry *r);
void ws_suite_misc(ws_registry *r);
void ws_suite_handshake(ws_registry *r);
void ws_suite_masking(ws_registry *r);
void ws_suite_client_handshake(ws_registry *r);
void ws_suite_compression(ws_registry *r);
void ws_suite_compression_negative(ws_registry *r);

/* Deterministic data sets for the compression cases (suites/corpora.c):
 * 1 JSON text, 2 a bitmap, 3 prose, 4 HTML, 5 a PDF-like binary. Returns a
 * malloc'd buffer of *len octets (the caller frees it), or NULL. */
uint8_t *ws_corpus_generate(int which, size_t *len);
const char *ws_corpus_name(int which);

#endif
