/* From evidence to verdicts, with Autobahn's rules (see the README's
 * "Verdicts" section) and a reason a person can act on. */
#include <stdio.h>
#include <string.h>

#include "driver/result.h"
#include "wsspec/frame.h"

static bool code_expected(const ws_plan *p, int code)
{
    for (size_t i = 0; i < p->nclose_codes; i++)
        if (p->close_codes[i] == code)
            return true;
    return false;
}

static void codes_text(const ws_plan *p, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < p->nclose_codes && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? " or " : "", p->close_codes[i]);
}

static ws_close_verdict decide_close(const ws_plan *p, ws_case_result *r)
{
    char codes[64];
    codes_text(p, codes, sizeof codes);
    if (p->closed_by_me != r->closed_by_me) {
        if (p->closed_by_me)
            snprintf(r->reason_close, sizeof r->reason_close,
                     "The peer closed first (%s), but wsspec was to close the connection.",
                     r->remote_close_code >= 0 ? "close frame" : "TCP drop");
        else
            snprintf(r->reason_close, sizeof r->reason_close,
                     "Expected the peer to fail the connection (close %s or a TCP drop); it did "
                     "not, and wsspec had to close (code %d).",
                     codes, r->local_close_code);
        return WS_CLOSE_VERDICT_FAILED;
    }
    if (p->require_clean && !r->was_clean) {
        snprintf(r->reason_close, sizeof r->reason_close, "The close was not clean: %s.",
                 r->was_not_clean_reason[0] ? r->was_not_clean_reason : "unknown");
        return WS_CLOSE_VERDICT_UNCLEAN;
    }
    if (r->remote_close_code > 0 && !code_expected(p, r->remote_close_code)) {
        snprintf(r->reason_close, sizeof r->reason_close,
                 "The peer closed with code %d; expected %s (or no code).", r->remote_close_code,
                 codes);
        return WS_CLOSE_VERDICT_WRONG_CODE;
    }
    if (r->dropped_by_me && !r->as_server) {
        snprintf(r->reason_close, sizeof r->reason_close,
                 "wsspec had to drop the TCP connection; the server should close it "
                 "(RFC 6455 §7.1.1).");
        return WS_CLOSE_VERDICT_FAILED_BY_CLIENT;
    }
    if (r->remote_close_code > 0)
        snprintf(r->reason_close, sizeof r->reason_close,
                 "Connection closed as expected (peer code %d).", r->remote_close_code);
    else
        snprintf(r->reason_close, sizeof r->reason_close, "Connection closed as expected.");
    return WS_CLOSE_VERDICT_OK;
}

/* Cases whose opening request must be refused (RFC 6455 §4.2.1, §4.4). */
static void decide_refusal(const ws_plan *p, ws_case_result *r)
{
    bool version = p->c->hs_expect == WS_HS_REJECT_VERSION;
    r->behavior = WS_BEHAVIOR_FAILED;
    r->behavior_close = WS_CLOSE_VERDICT_OK;
    snprintf(r->reason_close, sizeof r->reason_close, "No WebSocket connection, as expected.");
    if (r->http_status == 101 && r->handshake_ok && p->c->hs && p->c->hs->may_ignore) {
        r->behavior = WS_BEHAVIOR_NON_STRICT;
        snprintf(r->reason, sizeof r->reason,
                 "NON-STRICT: accepted the request and ignored the malformed header instead of "
                 "refusing it.");
    } else if (r->http_status == 101 && r->handshake_ok && p->c->hs && p->c->hs->may_accept) {
        r->behavior = WS_BEHAVIOR_INFORMATIONAL;
        r->behavior_close = WS_CLOSE_VERDICT_INFORMATIONAL;
        snprintf(r->reason, sizeof r->reason,
                 "Informational: the server accepted this version, which it may also speak.");
    } else if (r->http_status == 101) {
        snprintf(r->reason, sizeof r->reason,
                 "The server accepted (101) a request it must refuse.");
        r->behavior_close = WS_CLOSE_VERDICT_FAILED;
        snprintf(r->reason_close, sizeof r->reason_close, "A WebSocket connection was opened.");
    } else if (r->http_status >= 400 && version && !r->hs_version_13) {
        snprintf(r->reason, sizeof r->reason,
                 "Refused with status %d but without a Sec-WebSocket-Version header naming 13 "
                 "(RFC 6455 §4.4 requires it).",
                 r->http_status);
    } else if (r->http_status >= 400) {
        r->behavior = WS_BEHAVIOR_OK;
        snprintf(r->reason, sizeof r->reason, "Refused with status %d.", r->http_status);
    } else if (r->hs_closed && !version) {
        r->behavior = WS_BEHAVIOR_OK;
        snprintf(r->reason, sizeof r->reason, "Refused by closing the connection.");
    } else if (r->hs_closed) {
        snprintf(r->reason, sizeof r->reason,
                 "Closed the connection without the error status and Sec-WebSocket-Version "
                 "header RFC 6455 §4.4 requires.");
    } else if (r->http_status > 0) {
        snprintf(r->reason, sizeof r->reason,
                 "Answered with status %d; expected an error status (4xx) or a closed "
                 "connection.",
                 r->http_status);
    } else {
        snprintf(r->reason, sizeof r->reason,
                 "No answer while the connection stayed open: the server neither refused nor "
                 "accepted the request.");
        r->behavior_close = WS_CLOSE_VERDICT_FAILED;
        snprintf(r->reason_close, sizeof r->reason_close, "The server left the request hanging.");
    }
}

/* Non-minimal lengths: the sender MUST use the minimal form (§5.2), but a
 * receiver may accept others; rejecting is OK, accepting informational. */
static bool decide_lenient(const ws_plan *p, ws_case_result *r, bool ok_matched)
{
    if (!(p->c->flags & WS_CASE_LENIENT))
        return false;
    if (ok_matched && r->peer_violation == WS_OK) {
        r->behavior = WS_BEHAVIOR_INFORMATIONAL;
        r->behavior_close = WS_CLOSE_VERDICT_INFORMATIONAL;
        snprintf(r->reason, sizeof r->reason,
                 "Accepted the frame and echoed it (allowed; a strict peer fails the "
                 "connection).");
        snprintf(r->reason_close, sizeof r->reason_close, "Informational.");
    } else if (r->nevents == 0 && !r->closed_by_me && r->peer_violation == WS_OK &&
               (r->remote_close_code <= 0 || r->remote_close_code == 1002)) {
        r->behavior = WS_BEHAVIOR_OK;
        r->behavior_close = WS_CLOSE_VERDICT_OK;
        snprintf(r->reason, sizeof r->reason, "Rejected the non-minimal length encoding.");
        snprintf(r->reason_close, sizeof r->reason_close, "The peer failed the connection.");
    } else {
        r->behavior = WS_BEHAVIOR_FAILED;
        r->behavior_close = r->closed_by_me ? WS_CLOSE_VERDICT_FAILED : WS_CLOSE_VERDICT_OK;
        snprintf(r->reason, sizeof r->reason,
                 "Neither echoed the message nor failed the connection cleanly (%zu event(s), "
                 "peer close code %d).",
                 r->nevents, r->remote_close_code);
        snprintf(r->reason_close, sizeof r->reason_close, "See the behaviour.");
    }
    return true;
}

/* Evidence for permessage-deflate cases: the size on the wire of each
 * compressed message received (RSV1 on its first frame), as " Compressed
 * messages received: 61, 61 octets." appended to the reason. */
static void append_compressed_sizes(ws_case_result *r)
{
    char sizes[8 * 22 + 1] = ""; /* eight sizes of up to 20 digits, with ", " */
    size_t used = 0, listed = 0;
    bool more = false, in_compressed = false;
    uint64_t message = 0;
    for (size_t i = 0; i < r->nwire; i++) {
        const ws_wire_frame *f = &r->wire[i];
        if (f->tx || ws_opcode_is_control(f->opcode))
            continue;
        if (f->opcode != WS_OP_CONT) {
            in_compressed = (f->rsv & WS_RSV1) != 0;
            message = 0;
        }
        if (!in_compressed)
            continue;
        message += f->len;
        if (!f->fin)
            continue;
        in_compressed = false;
        if (listed == 8) {
            more = true;
            continue;
        }
        used += (size_t)snprintf(sizes + used, sizeof sizes - used, "%s%llu", listed ? ", " : "",
                                 (unsigned long long)message);
        listed++;
    }
    if (!listed)
        return;
    size_t len = strlen(r->reason);
    snprintf(r->reason + len, sizeof r->reason - len,
             " Compressed messages received (octets on the wire): %s%s.", sizes,
             more ? ", ..." : "");
}

static void decide_accepted(const ws_plan *p, ws_case_result *r, bool ok_matched,
                            bool non_strict_matched, const char *mismatch)
{
    if (!r->handshake_ok && p->c->hs && p->c->hs->may_refuse && r->http_status >= 400) {
        r->behavior = WS_BEHAVIOR_OK;
        r->behavior_close = WS_CLOSE_VERDICT_OK;
        snprintf(r->reason, sizeof r->reason, "Refused the request with status %d.",
                 r->http_status);
        snprintf(r->reason_close, sizeof r->reason_close, "No WebSocket connection.");
        return;
    }
    if (!r->handshake_ok) {
        r->behavior = WS_BEHAVIOR_FAILED;
        r->behavior_close = WS_CLOSE_VERDICT_FAILED;
        if (!r->reason[0])
            snprintf(r->reason, sizeof r->reason, "The opening handshake did not complete.");
        snprintf(r->reason_close, sizeof r->reason_close, "No WebSocket connection.");
        return;
    }
    if (p->c->flags & WS_CASE_INFORMATIONAL) {
        r->behavior = WS_BEHAVIOR_INFORMATIONAL;
        r->behavior_close = WS_CLOSE_VERDICT_INFORMATIONAL;
        snprintf(r->reason, sizeof r->reason,
                 "Informational: %zu event(s) received, peer close code %d.", r->nevents,
                 r->remote_close_code);
        snprintf(r->reason_close, sizeof r->reason_close, "Informational.");
        return;
    }
    if (decide_lenient(p, r, ok_matched))
        return;
    if (r->pmd_unimplemented) {
        r->behavior = WS_BEHAVIOR_UNIMPLEMENTED;
        snprintf(r->reason, sizeof r->reason,
                 "The peer did not agree to permessage-deflate (offered: %s).", p->c->pmd_offer);
        /* wsspec closed at once with 1000: judge only that close. */
        r->behavior_close = r->was_clean ? WS_CLOSE_VERDICT_OK : WS_CLOSE_VERDICT_UNCLEAN;
        snprintf(r->reason_close, sizeof r->reason_close, "%s",
                 r->was_clean ? "Closed normally; nothing else to judge."
                              : "The close after declining was not clean.");
        return;
    }

    if (ok_matched) {
        r->behavior = WS_BEHAVIOR_OK;
        snprintf(r->reason, sizeof r->reason, "Received what a conformant peer sends.");
    } else if (p->has_non_strict && non_strict_matched) {
        r->behavior = WS_BEHAVIOR_NON_STRICT;
        snprintf(r->reason, sizeof r->reason, "%s",
                 (p->c->flags & WS_CASE_FAIL_FAST)
                     ? "NON-STRICT: the peer failed the connection only after the whole message "
                       "arrived, not as soon as the text became invalid (fail-late)."
                 : (p->c->flags & WS_CASE_LATEST_PONG)
                     ? "NON-STRICT: the peer answered only the most recent Ping (allowed by "
                       "RFC 6455 §5.5.3)."
                     : "NON-STRICT: the peer failed the connection before answering the valid "
                       "messages sent ahead of the invalid frame.");
    } else {
        r->behavior = WS_BEHAVIOR_FAILED;
        snprintf(r->reason, sizeof r->reason, "%s",
                 mismatch && mismatch[0] ? mismatch : "Received something else than expected.");
    }

    r->behavior_close = decide_close(p, r);

    if (r->peer_violation != WS_OK) {
        r->behavior = WS_BEHAVIOR_FAILED;
        snprintf(r->reason, sizeof r->reason, "The peer broke a rule: %s (%s)%s%s.",
                 ws_err_message(r->peer_violation), ws_err_rfc(r->peer_violation),
                 r->peer_violation_detail[0] ? ": " : "", r->peer_violation_detail);
    }
    if (p->wrong_endpoint_fatal && r->closed_by_me && r->behavior != WS_BEHAVIOR_FAILED) {
        r->behavior = WS_BEHAVIOR_FAILED;
        snprintf(r->reason, sizeof r->reason,
                 "The peer never failed the connection: it did not detect the invalid UTF-8 "
                 "(wsspec had to close).");
    }
    if ((p->c->flags & WS_CASE_CODE_FATAL) && r->behavior_close == WS_CLOSE_VERDICT_WRONG_CODE) {
        r->behavior = WS_BEHAVIOR_FAILED;
        snprintf(r->reason, sizeof r->reason, "%s", r->reason_close);
    }
    if (p->c->pmd_offer && !(p->c->flags & WS_CASE_PERF))
        append_compressed_sizes(r);
}

/* Testing a client against a broken opening response (§4.1): it must fail
 * the connection and never use it. */
static void decide_client_refusal(ws_case_result *r)
{
    r->behavior = WS_BEHAVIOR_FAILED;
    r->behavior_close = WS_CLOSE_VERDICT_OK;
    snprintf(r->reason_close, sizeof r->reason_close, "No WebSocket connection, as expected.");
    if (r->nevents > 0 || r->peer_violation != WS_OK) {
        snprintf(r->reason, sizeof r->reason,
                 "The client accepted the invalid opening response and used the connection "
                 "(%zu message(s) or control frame(s) received).",
                 r->nevents);
        r->behavior_close = WS_CLOSE_VERDICT_FAILED;
        snprintf(r->reason_close, sizeof r->reason_close, "The connection was treated as open.");
    } else if (r->remote_close_code >= 0) {
        r->behavior = WS_BEHAVIOR_NON_STRICT;
        snprintf(r->reason, sizeof r->reason,
                 "NON-STRICT: the client refused the response but sent a Close frame on a "
                 "connection that never opened (code %d).",
                 r->remote_close_code);
    } else if (r->peer_dropped_tcp) {
        r->behavior = WS_BEHAVIOR_OK;
        snprintf(r->reason, sizeof r->reason, "The client failed the connection.");
    } else {
        snprintf(r->reason, sizeof r->reason,
                 "The client neither failed the connection nor answered: it kept the TCP "
                 "connection open.");
        r->behavior_close = WS_CLOSE_VERDICT_FAILED;
        snprintf(r->reason_close, sizeof r->reason_close, "wsspec had to close the connection.");
    }
}

void ws_verdict_decide(const ws_plan *p, ws_case_result *r, bool ok_matched,
                       bool non_strict_matched, const char *mismatch)
{
    ws_plan_describe(p, r->expectation, sizeof r->expectation);
    if (p->c->hs_expect != WS_HS_ACCEPT && r->as_server)
        decide_client_refusal(r);
    else if (p->c->hs_expect != WS_HS_ACCEPT)
        decide_refusal(p, r);
    else
        decide_accepted(p, r, ok_matched, non_strict_matched, mismatch);
    if (r->probe_failed) {
        r->behavior = WS_BEHAVIOR_FAILED;
        snprintf(r->reason, sizeof r->reason,
                 "Right after this case the server no longer completes a valid opening "
                 "handshake: %s",
                 r->probe_detail);
    }
    r->result = ws_result_of(r->behavior, r->behavior_close);
}
