/*
 * Readers for Autobahn|Testsuite spec files, taken as is:
 *  - fuzzingclient.json (wsspec tests servers): ws_spec_load();
 *  - fuzzingserver.json (wsspec tests clients): ws_spec_load_server().
 *
 * Internal module. Everything in the result is owned by it (strings are
 * copied) and released by the matching *_free(). Files larger than
 * WS_SPEC_MAX_FILE bytes are rejected. Errors are one line, starting with the
 * file name and naming the key path, e.g.
 *   "spec.json: servers[1].url: expected a string"
 *   "spec.json: line 3, column 14: expected ',' or '}'"
 *
 * Rules (Autobahn's keys, checked a bit more strictly than Autobahn does):
 *  - the root must be an object; unknown keys are ignored (e.g. "webport");
 *  - known keys must have the documented type; null is not accepted;
 *  - strings must not contain NUL (\u0000);
 *  - URLs must start with ws:// or wss:// (full parsing is the caller's job);
 *  - "cases" is required (may be empty); "cases", "exclude-cases" and the
 *    lists in "exclude-agent-cases" must hold valid case patterns
 *    (see ws_pattern_valid()); agent patterns (the keys of
 *    "exclude-agent-cases") may be any non-empty string;
 *  - "protocols" entries must be non-empty RFC 7230 tokens;
 *  - "options" must be an object. Every member is kept as compact JSON text
 *    (ws_spec_option_json()); the recognised ones below are also checked and
 *    decoded: failByDrop (boolean), openHandshakeTimeout,
 *    closeHandshakeTimeout, serverConnectionDropTimeout (finite numbers >= 0,
 *    seconds). Unknown options are kept but otherwise ignored.
 */
#ifndef WS_DRIVER_SPEC_H
#define WS_DRIVER_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define WS_SPEC_MAX_FILE ((size_t)1 << 20) /* 1 MiB */

#define WS_SPEC_DEFAULT_OUTDIR_SERVERS "./reports/servers"
#define WS_SPEC_DEFAULT_OUTDIR_CLIENTS "./reports/clients"

typedef struct {
    char *key;  /* option name */
    char *json; /* its value as compact JSON text */
} ws_spec_option;

typedef struct {
    ws_spec_option *items; /* in file order (duplicates kept; last wins) */
    size_t n;
    bool has_fail_by_drop;
    bool fail_by_drop;
    bool has_open_handshake_timeout;
    double open_handshake_timeout;
    bool has_close_handshake_timeout;
    double close_handshake_timeout;
    bool has_server_connection_drop_timeout;
    double server_connection_drop_timeout;
    /* wsspec's own key: the zlib level of wsspec's compressed messages
     * (like --level), 0..9. */
    bool has_compression_level;
    int compression_level;
} ws_spec_options;

/* One entry of fuzzingclient "servers". Absent optional strings are NULL. */
typedef struct {
    char *url; /* required */
    char *agent;
    char *hostname; /* SNI for wss:// */
    char *origin;
    char **protocols;
    size_t n_protocols;
    ws_spec_options options;
} ws_spec_server;

/* One member of "exclude-agent-cases": {agent: [case patterns]}. */
typedef struct {
    char *agent; /* agent pattern */
    char **cases;
    size_t n_cases;
} ws_spec_agent_cases;

/* fuzzingclient.json */
typedef struct {
    char *outdir; /* WS_SPEC_DEFAULT_OUTDIR_SERVERS if absent */
    ws_spec_options options;
    ws_spec_server *servers; /* "servers" is required but may be empty */
    size_t n_servers;
    char **cases;
    size_t n_cases;
    char **exclude_cases;
    size_t n_exclude_cases;
    ws_spec_agent_cases *exclude_agent_cases;
    size_t n_exclude_agent_cases;
} ws_spec;

/* fuzzingserver.json */
typedef struct {
    char *url;    /* required: listen URL */
    char *outdir; /* WS_SPEC_DEFAULT_OUTDIR_CLIENTS if absent */
    char *key;    /* TLS key file, or NULL */
    char *cert;   /* TLS certificate file, or NULL */
    char **protocols;
    size_t n_protocols;
    ws_spec_options options;
    char **cases;
    size_t n_cases;
    char **exclude_cases;
    size_t n_exclude_cases;
    ws_spec_agent_cases *exclude_agent_cases;
    size_t n_exclude_agent_cases;
} ws_spec_fuzzingserver;

/* Load a file. Return 0, or -1 with err set and *out zeroed. */
int ws_spec_load(const char *path, ws_spec *out, char *err, size_t errcap);
int ws_spec_load_server(const char *path, ws_spec_fuzzingserver *out, char *err, size_t errcap);

/* Same, from text; `name` prefixes error messages (e.g. the file name). */
int ws_spec_parse(const char *name, const char *text, size_t len, ws_spec *out, char *err,
                  size_t errcap);
int ws_spec_parse_server(const char *name, const char *text, size_t len, ws_spec_fuzzingserver *out,
                         char *err, size_t errcap);

void ws_spec_free(ws_spec *spec);
void ws_spec_fuzzingserver_free(ws_spec_fuzzingserver *spec);

/* JSON text of option `key` (last duplicate wins), or NULL if absent. */
const char *ws_spec_option_json(const ws_spec_options *opts, const char *key);

#endif
