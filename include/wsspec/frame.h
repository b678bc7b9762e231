/*
 * The frame codec (RFC 6455 §5.2): an incremental parser that checks traffic
 * strictly, and a forge that writes any frame, valid or deliberately broken.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * No I/O, no allocation, no global state: the parser lives in caller memory
 * and reports payload chunks as pointers into the caller's input buffer.
 */
#ifndef WSSPEC_FRAME_H
#define WSSPEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsspec/error.h"

/* Opcodes, RFC 6455 §5.2 / §11.8. 3-7 and 11-15 are reserved. */
enum {
    WS_OP_CONT = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

/* RSV bits as they sit in the 3-bit field (RFC 6455 §5.2). */
enum { WS_RSV1 = 4, WS_RSV2 = 2, WS_RSV3 = 1 };

/* The longest control-frame payload (RFC 6455 §5.5). */
#define WS_MAX_CONTROL_PAYLOAD 125
/* The longest frame header: 2 + 8 (64-bit length) + 4 (mask key). */
#define WS_MAX_HEADER_SIZE 14

/* Which of the three payload-length encodings a frame used (RFC 6455 §5.2). */
typedef enum {
    WS_LEN_AUTO = 0, /* forge only: the minimal encoding for the length */
    WS_LEN_7 = 7,
    WS_LEN_16 = 16,
    WS_LEN_64 = 64,
} ws_len_form;

static inline bool ws_opcode_is_control(unsigned op)
{
    return (op & 0x8) != 0;
}

static inline bool ws_opcode_is_reserved(unsigned op)
{
    return (op >= 3 && op <= 7) || op >= 11;
}

/* A decoded frame header. */
typedef struct {
    bool fin;
    uint8_t rsv;    /* 3 bits: WS_RSV1 | WS_RSV2 | WS_RSV3 */
    uint8_t opcode; /* 0-15 */
    bool masked;
    uint8_t mask_key[4];
    uint64_t payload_len;
    ws_len_form len_form; /* WS_LEN_7, _16 or _64 as seen on the wire */
    bool len_minimal;     /* false if a shorter encoding could have held the length */
    uint8_t header_size;  /* 2-14 octets */
} ws_frame_header;

/* Who the parser's owner is: a server expects masked frames, a client unmasked ones. */
typedef enum { WS_ROLE_SERVER, WS_ROLE_CLIENT } ws_role;

/* Parser settings. Zero-initialised means: server role, no extension RSV
 * bits allowed, no size limit beyond 2^63-1, non-minimal lengths accepted,
 * fragmentation checked. */
typedef struct {
    ws_role role;
    uint8_t allowed_rsv;       /* RSV bits a negotiated extension permits */
    uint64_t max_payload;      /* 0 = no limit */
    bool reject_non_minimal;   /* report WS_ERR_NON_MINIMAL_LENGTH */
    bool skip_mask_check;      /* accept masked and unmasked frames in either role */
    bool skip_fragment_check;  /* do not track message fragmentation (§5.4) */
    bool whole_frames;         /* report a frame that is wholly in the input as one
                                  WS_EVENT_FRAME instead of HEADER + PAYLOAD */
} ws_parser_config;

/* What one call to ws_parser_feed() produced. */
typedef enum {
    WS_EVENT_NONE,    /* all input consumed, nothing to report: feed more */
    WS_EVENT_HEADER,  /* ev.header is complete */
    WS_EVENT_PAYLOAD, /* ev.data/ev.len is an unmasked payload chunk */
    WS_EVENT_FRAME,   /* whole_frames only: header and the entire (unmasked) payload */
} ws_event_type;

typedef struct {
    ws_event_type type;
    ws_frame_header header; /* the current frame's header, for every event type */
    uint8_t *data;          /* WS_EVENT_PAYLOAD: chunk inside the caller's buffer */
    size_t len;
    uint64_t offset;  /* WS_EVENT_PAYLOAD: offset of data inside the frame payload */
    bool frame_done;  /* the frame ends with this event (HEADER of an empty frame, or
                         the last PAYLOAD chunk) */
    bool message_done; /* frame_done and the frame has FIN (data) or is a control frame */
} ws_frame_event;

typedef enum {
    WS_PARSE_HEADER,
    WS_PARSE_PAYLOAD,
    WS_PARSE_FAILED,
} ws_parse_state;

/* Parser state. Opaque in spirit; the fields are public so it can live on the stack. */
typedef struct {
    ws_parser_config cfg;
    ws_parse_state state;
    uint8_t hbuf[WS_MAX_HEADER_SIZE]; /* header octets gathered so far */
    uint8_t hlen;
    ws_frame_header header;
    uint64_t remaining;     /* payload octets still to come in this frame */
    bool in_message;        /* a fragmented data message is open (§5.4) */
    uint8_t message_opcode; /* WS_OP_TEXT or WS_OP_BINARY while in_message */
    ws_err error;           /* the error that put the parser in WS_PARSE_FAILED */
    uint64_t total_consumed;
} ws_parser;

/* Initialise a parser in caller storage. cfg may be NULL for defaults. */
void ws_parser_init(ws_parser *p, const ws_parser_config *cfg);

/*
 * Feed input. Consumes at most `len` octets of `buf`, sets *consumed, and
 * fills *ev with at most one event. Payload chunks are unmasked *in place*
 * in `buf` and ev->data points at them. Call again with the rest of the
 * buffer until *consumed == len and ev->type == WS_EVENT_NONE.
 *
 * Any split of the input gives the same sequence of headers and the same
 * payload octets.
 *
 * Returns WS_OK, or an error naming the violated rule; after an error the
 * parser stays failed and every further call returns the same error.
 */
ws_err ws_parser_feed(ws_parser *p, uint8_t *buf, size_t len, size_t *consumed,
                      ws_frame_event *ev);

/* A frame for the forge: every field is written exactly as given. */
typedef struct {
    bool fin;
    uint8_t rsv;    /* any 3-bit value */
    uint8_t opcode; /* any 4-bit value, reserved ones included */
    bool masked;
    uint8_t mask_key[4];
    ws_len_form len_form; /* WS_LEN_AUTO for the minimal encoding */
    bool lie_length;      /* write declared_len instead of the real payload length */
    uint64_t declared_len;
} ws_frame_spec;

/* Octets the header of `spec` takes for a payload of payload_len octets. */
size_t ws_frame_header_size(const ws_frame_spec *spec, uint64_t payload_len);

/*
 * Write the frame header for `spec` and a payload of payload_len octets into
 * out (at least WS_MAX_HEADER_SIZE octets). Returns the header size, or 0 if
 * the length cannot be written in the requested form (more than 125 in
 * WS_LEN_7, more than 65535 in WS_LEN_16) or len_form is not a known form.
 */
size_t ws_frame_write_header(const ws_frame_spec *spec, uint64_t payload_len, uint8_t *out);

/*
 * Write a whole frame (header + payload, masked if spec->masked) into out.
 * Returns WS_OK and sets *out_len, WS_ERR_BUFFER_TOO_SMALL, or
 * WS_ERR_INVALID_ARG when the length does not fit the requested form.
 */
ws_err ws_frame_write(const ws_frame_spec *spec, const uint8_t *payload, size_t payload_len,
                      uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * XOR `len` octets in place with the 4-octet key, where buf[0] is octet
 * `offset` of the payload (so a payload can be (un)masked in chunks).
 * Works a machine word at a time.
 */
void ws_mask(uint8_t *buf, size_t len, const uint8_t key[4], uint64_t offset);

#endif
