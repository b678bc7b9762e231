/*
 * Sec-WebSocket-Extensions (RFC 6455 §9.1) and permessage-deflate
 * negotiation (RFC 7692 §5, §7.1).
 *
 * Parsing works in place, like the handshake parser: every name and value
 * points into the caller's input (or, for a quoted value that contained
 * backslash escapes, into a caller-provided scratch buffer), offers and
 * parameters go into caller arrays. Nothing is allocated, nothing is global,
 * and every function is a pure function of its arguments, so each one can be
 * fed fuzzer bytes directly.
 *
 * Grammar (RFC 6455 §9.1 with RFC 7230 OWS and quoted-string), strict:
 *   extension-list = 1#extension
 *   extension      = token *( OWS ";" OWS param )
 *   param          = token [ OWS "=" OWS ( token / quoted-string ) ]
 * A quoted value must be a token after unescaping. Control characters other
 * than HTAB are rejected anywhere. Empty list elements ("a,,b", "a,") are
 * rejected unless ws_ext_list.allow_empty_elements is set (RFC 7230 §7 asks
 * recipients to skip them; a conformance tool wants to see them).
 *
 * Parameter names and extension names are compared case-sensitively, as
 * RFC 7692 writes them.
 *
 * Error codes: WS_ERR_HTTP_SYNTAX for grammar errors (the kind and octet
 * offset are in ws_ext_list.error / error_pos), WS_ERR_BUFFER_TOO_SMALL when
 * a caller array or buffer is full, WS_ERR_INVALID_ARG for NULL arguments,
 * WS_PMD_ERR_PARAM for permessage-deflate parameter errors. Functions that
 * take (char *detail, size_t detail_cap) write a NUL-terminated explanation
 * there on failure; detail may be NULL.
 */
#ifndef WSSPEC_EXTENSIONS_H
#define WSSPEC_EXTENSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "wsspec/error.h"

/* The extension token of RFC 7692. */
#define WS_PMD_NAME "permessage-deflate"

/*
 * The error for an invalid, unknown, duplicated or unexpected
 * permessage-deflate parameter. error.h has no dedicated code; until one
 * exists (proposed: EXT_PARAM) this is WS_ERR_HS_EXTENSION and the detail
 * buffer says what was wrong.
 */
#define WS_PMD_ERR_PARAM WS_ERR_EXT_PARAM

/* One extension parameter. */
typedef struct {
    const char *name; /* into the input; a token */
    size_t name_len;
    const char *value; /* NULL when the parameter has no "=" */
    size_t value_len;
    bool has_value;
    bool quoted; /* the value was a quoted-string; value is the unescaped text */
} ws_ext_param;

/* One element of the extension list: a name and its parameters. */
typedef struct {
    const char *name; /* into the input; a token */
    size_t name_len;
    ws_ext_param *params; /* into ws_ext_list.params */
    size_t num_params;
} ws_ext_offer;

/* What went wrong in a parse (ws_ext_list.error). */
typedef enum {
    WS_EXT_SYNTAX_OK = 0,
    WS_EXT_SYNTAX_EMPTY,          /* the value has no extension at all */
    WS_EXT_SYNTAX_EMPTY_ELEMENT,  /* ",," or a leading or trailing "," */
    WS_EXT_SYNTAX_BAD_NAME,       /* extension name missing or not a token */
    WS_EXT_SYNTAX_EMPTY_PARAM,    /* ";;", ";," or ";" at the end */
    WS_EXT_SYNTAX_BAD_PARAM_NAME, /* parameter name not a token */
    WS_EXT_SYNTAX_MISSING_VALUE,  /* "=" followed by nothing */
    WS_EXT_SYNTAX_BAD_VALUE,      /* unquoted value not a token */
    WS_EXT_SYNTAX_UNTERMINATED_QUOTE,
    WS_EXT_SYNTAX_QUOTED_NOT_TOKEN, /* quoted value is not a token once unescaped */
    WS_EXT_SYNTAX_CONTROL_CHAR,     /* a CTL other than HTAB, or NUL */
    WS_EXT_SYNTAX_UNEXPECTED_CHAR,  /* e.g. "a b", "a=b c", "a;b\"x\"" */
} ws_ext_syntax;

/* Parse output. Initialise with ws_ext_list_init(); each parse appends. */
typedef struct {
    ws_ext_offer *offers;
    size_t offers_cap;
    size_t num_offers;
    ws_ext_param *params;
    size_t params_cap;
    size_t num_params;
    char *scratch; /* unescaped quoted values; may be NULL */
    size_t scratch_cap;
    size_t scratch_len;
    bool allow_empty_elements; /* skip empty list elements instead of failing */
    ws_ext_syntax error;       /* set by a failed parse */
    size_t error_pos;          /* offset in the input of the offending octet */
} ws_ext_list;

/* Point `list` at caller arrays and clear it. scratch may be NULL (then a
 * quoted value containing a backslash gives WS_ERR_BUFFER_TOO_SMALL). */
void ws_ext_list_init(ws_ext_list *list, ws_ext_offer *offers, size_t offers_cap,
                      ws_ext_param *params, size_t params_cap, char *scratch, size_t scratch_cap);

/* Human-readable name of a syntax error kind. Static storage. */
const char *ws_ext_syntax_message(ws_ext_syntax kind);

/*
 * Parse one Sec-WebSocket-Extensions field value in[0..len) and append its
 * offers to `list` (call once per header line to combine several). Reads
 * exactly len octets; `in` need not be NUL-terminated and must outlive the
 * list. Returns WS_OK, WS_ERR_HTTP_SYNTAX (list->error, list->error_pos),
 * WS_ERR_BUFFER_TOO_SMALL (offers, params or scratch full) or
 * WS_ERR_INVALID_ARG. On failure the list holds what was parsed before the
 * error, which the caller should not use.
 */
ws_err ws_ext_parse(ws_ext_list *list, const char *in, size_t len, char *detail, size_t detail_cap);

/* True if the offer's name is exactly `name` (NUL-terminated). */
bool ws_ext_is(const ws_ext_offer *offer, const char *name);

/*
 * Write offers[0..n) as an extension list: "a; p; q=v, b". Names and
 * unquoted values are written verbatim (so a test can forge bad ones);
 * quoted values are wrapped in '"' with '"' and '\' escaped. out receives a
 * NUL; *len (may be NULL) excludes it. WS_ERR_BUFFER_TOO_SMALL if it does
 * not fit, WS_ERR_INVALID_ARG for NULL pointers.
 */
ws_err ws_ext_write(const ws_ext_offer *offers, size_t n, char *out, size_t cap, size_t *len);

/* ---- permessage-deflate ------------------------------------------------- */

/* permessage-deflate parameters, in an offer or in a response. */
typedef struct {
    bool server_no_context_takeover;
    bool client_no_context_takeover;
    int server_max_window_bits; /* 0 = absent, else 8..15 */
    int client_max_window_bits; /* 0 = absent, -1 = present without a value, else 8..15 */
} ws_pmd_params;

/*
 * Validate one permessage-deflate offer (server side, RFC 7692 §5.1, §7.1):
 * the name must be WS_PMD_NAME; every parameter known and not repeated; the
 * *_no_context_takeover parameters without a value; server_max_window_bits
 * with, client_max_window_bits with or without, a value that is a decimal
 * integer 8..15 with no leading zero (quoted values are accepted when they
 * unquote to that). Returns WS_OK with *out filled, WS_PMD_ERR_PARAM (the
 * server must decline this offer) or WS_ERR_INVALID_ARG.
 */
ws_err ws_pmd_parse_offer(const ws_ext_offer *offer, ws_pmd_params *out, char *detail,
                          size_t detail_cap);

/* What a server is willing to do. All zero = accept what the client asks,
 * use 15-bit windows, keep context. */
typedef struct {
    bool server_no_context_takeover; /* always reset our compressor per message */
    bool client_no_context_takeover; /* ask the client to reset its compressor */
    int server_max_window_bits;      /* 0 = 15; our largest compression window */
    int client_max_window_bits;      /* 0 = no wish; limit asked of a client that allows it */
    bool refuse_server_no_context_takeover; /* decline offers that require it */
} ws_pmd_server_policy;

/*
 * Choose the response to a validated offer (RFC 7692 §7.1): honour the
 * client's server_no_context_takeover and server_max_window_bits, include
 * client_max_window_bits only if the offer allows it (echoing the offered
 * value when the policy has none, to let the server use a smaller inflate
 * window). policy NULL = defaults. Returns WS_OK with *agreed (never -1 in
 * client_max_window_bits), WS_ERR_HS_EXTENSION if the policy cannot meet
 * the offer (decline it and try the next one), WS_ERR_CONFIG for a policy
 * with windows outside 8..15, WS_ERR_INVALID_ARG.
 */
ws_err ws_pmd_accept(const ws_pmd_params *offer, const ws_pmd_server_policy *policy,
                     ws_pmd_params *agreed);

/*
 * Check a server's response element against the offer the client sent
 * (client side, RFC 7692 §5.1, §7.1): name WS_PMD_NAME; no unknown or
 * duplicate parameter; no value on *_no_context_takeover; window bits with
 * a value in 8..15; client_max_window_bits only if offered; if the offer had
 * server_no_context_takeover the response has it; if the offer had
 * server_max_window_bits=N the response has a value <= N. A response value
 * of client_max_window_bits above the offered value is accepted (the client
 * may always use a smaller window). Returns WS_OK with *agreed (the
 * response's parameters), WS_PMD_ERR_PARAM (the client must fail the
 * connection) or WS_ERR_INVALID_ARG. When the client sent several
 * permessage-deflate offers, the response is valid if it passes against
 * any one of them.
 */
ws_err ws_pmd_check_response(const ws_pmd_params *offered, const ws_ext_offer *response,
                             ws_pmd_params *agreed, char *detail, size_t detail_cap);

/*
 * Write "permessage-deflate" plus the parameters of `p`, in the order
 * server_no_context_takeover, client_no_context_takeover,
 * server_max_window_bits, client_max_window_bits. The offer writer allows
 * client_max_window_bits = -1 (no value); the response writer does not.
 * out receives a NUL; *len (may be NULL) excludes it. Returns WS_OK,
 * WS_ERR_BUFFER_TOO_SMALL or WS_ERR_INVALID_ARG (a window outside 8..15).
 */
ws_err ws_pmd_write_offer(const ws_pmd_params *p, char *out, size_t cap, size_t *len);
ws_err ws_pmd_write_response(const ws_pmd_params *p, char *out, size_t cap, size_t *len);

/* How to set up the compressor and the decompressor of one endpoint. */
typedef struct {
    int deflate_window_bits; /* for ws_deflate_init: 8..15 */
    bool deflate_no_context_takeover;
    int inflate_window_bits; /* for ws_inflate_init: 8..15 */
    bool inflate_no_context_takeover;
} ws_pmd_setup;

/*
 * Translate agreed parameters into compressor/decompressor settings for the
 * server (is_server) or the client: each side compresses with its own
 * *_max_window_bits (absent = 15) and no_context_takeover, and decompresses
 * with the peer's. Decompressing with exactly the agreed window and
 * resetting when the peer promised no context takeover is strict: a peer
 * that breaks its promise produces "invalid distance too far back".
 */
void ws_pmd_setup_for(const ws_pmd_params *agreed, bool is_server, ws_pmd_setup *out);

#endif
