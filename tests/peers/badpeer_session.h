/*
 * wsspec-badpeer: the state of one session, shared by badpeer_session.c
 * (frames and the session loop) and badpeer_message.c (messages and the
 * replies to them). Private to those two files.
 */
#ifndef WSSPEC_BADPEER_SESSION_H
#define WSSPEC_BADPEER_SESSION_H

#include "wsspec/frame.h"
#include "wsspec/utf8.h"

#include "badpeer.h"

#define BP_MAX_MESSAGE (32u * 1024 * 1024) /* larger messages: close 1009 */
#define BP_CTL_CAP     4096                /* control payload kept; > 125 only under accept-* */

/* Where the session is. Input is processed only in OPEN and LINGER. */
typedef enum {
    PH_OPEN,   /* normal operation */
    PH_LINGER, /* data-after-close: close answered, still processing */
    PH_CLOSED, /* close answered: close TCP */
    PH_IGNORE, /* no-close-reply: close received, ignore everything */
    PH_FAILED, /* protocol error in fail_err: fail the connection */
    PH_ABORT,  /* transport error: just close the socket */
} bp_phase;

/* What the current frame's payload is for. */
typedef enum { FK_DATA, FK_CONTROL, FK_DISCARD } bp_frame_kind;

/* Incremental code point decoder used only to spot noncharacters. */
typedef struct {
    uint32_t cp;
    uint8_t need; /* continuation octets still expected */
} bp_nonchar;

typedef struct {
    int fd;
    bp_flags v;
    bp_phase phase;
    ws_err fail_err;
    bool close_sent;
    ws_parser parser;
    bp_frame_kind frame_kind;
    /* the data message being gathered */
    bool msg_open;
    bool msg_compressed; /* RSV1 on its first frame, permessage-deflate agreed */
    bool msg_dropped;    /* pmd-ignore-*: the rest of the message is discarded */
    uint8_t msg_opcode;
    uint8_t *msg;
    size_t msg_len, msg_cap, msg_limit;
    ws_utf8 utf8;
    bp_nonchar nonchar;
    /* the control frame being gathered */
    uint8_t ctl[BP_CTL_CAP];
    size_t ctl_len;
    /* latest-pong-only: the pong not sent yet */
    uint8_t pong[BP_CTL_CAP];
    size_t pong_len;
    bool pong_pending;
    /* batch-before-echo: replies queued during one read */
    uint8_t *outq;
    size_t outq_len, outq_cap;
    bp_pmd pmd;
    uint8_t rbuf[BP_READ_SIZE];
} bp_conn;

static inline bool has(const bp_conn *c, bp_flags v)
{
    return bp_has(c->v, v);
}

static inline bool accepting_input(const bp_conn *c)
{
    return c->phase == PH_OPEN || c->phase == PH_LINGER;
}

static inline void fail(bp_conn *c, ws_err e)
{
    if (!accepting_input(c))
        return;
    c->phase = PH_FAILED;
    c->fail_err = e;
}

/* ---------------------------------------------------- badpeer_message.c */

/* Start gathering a data message (RSV1 set and permessage-deflate agreed:
 * compressed). */
void bp_begin_message(bp_conn *c, uint8_t opcode, bool compressed);
/* Append octets of the (uncompressed) message being gathered. */
void bp_message_add(bp_conn *c, const uint8_t *p, size_t len);
/* Inflate a chunk of a compressed message into the message buffer. */
void bp_inflate_chunk(bp_conn *c, const uint8_t *p, size_t len, bool message_end);
/* The message arrived whole: check it and echo it. */
void bp_finish_message(bp_conn *c);
/* Answer the control frame gathered in c->ctl. */
void bp_handle_control(bp_conn *c, uint8_t opcode);
/* Write everything held back: the pending pong, then the queue. */
void bp_flush_output(bp_conn *c);
/* Send a close frame, with a code or empty. */
void bp_send_close(bp_conn *c, bool with_code, uint16_t code);

#endif
