/*
 * `wsspec replay FILE [URL] [--exec CMD]` (mode server) and `wsspec replay
 * FILE --client --listen HOST:PORT [--exec CMD]` (mode client): run a
 * reproducer's actions byte for byte against a peer, judge them with the
 * same oracles as `wsspec fuzz`, and say whether the outcome is the one the
 * file recorded. Unless quiet, the wire log of the run (both directions,
 * frame by frame) comes first; the last line is always "same: ..." or
 * "different: ...".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "livefuzz/livefuzz.h"

/* Mode server: 0 with v set, or an exit status. */
static int run_server(const ws_lf_replay_opts *opt, const ws_lf_repro *r, const char *stderr_path,
                      ws_lf_verdict *v, ws_lf_capture *cap)
{
    const char *url = opt->url ? opt->url : r->target;
    char err[512];
    if (!url[0]) {
        fprintf(stderr, "wsspec replay: %s has no target: give a URL\n", opt->file);
        return 2;
    }
    static ws_lf_target t;
    if (ws_lf_target_init(&t, url, opt->exec_cmd, stderr_path, opt->allow_remote, err,
                          sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        return 2;
    }
    t.hang_ms = opt->hang_ms;
    t.rss_limit_kb = opt->rss_limit_mb * 1024;
    if (ws_lf_target_start(&t, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: target unreachable: %s\n", err);
        ws_lf_target_stop(&t);
        return 3;
    }
    ws_lf_evaluate_capture(&t, r, v, cap);
    if (v->oracle == WS_LF_NONE && (r->oracle == WS_LF_CRASH || r->oracle == WS_LF_SANITIZER))
        ws_lf_check_process(&t, 300, v);
    ws_lf_target_stop(&t);
    return 0;
}

/* Mode client: wsspec listens and the client connects. */
static int run_client(const ws_lf_replay_opts *opt, const ws_lf_repro *r, const char *stderr_path,
                      ws_lf_verdict *v, ws_lf_capture *cap)
{
    char err[512];
    if (!opt->listen) {
        fprintf(stderr,
                "wsspec replay: %s is a client-mode reproducer: give --client --listen "
                "HOST:PORT (and --exec \"CLIENT COMMAND {url}\")\n",
                opt->file);
        return 2;
    }
    static ws_lf_client_target t;
    if (ws_lf_client_init(&t, opt->listen, opt->exec_cmd, stderr_path, opt->allow_remote, err,
                          sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        return 2;
    }
    t.hang_ms = opt->hang_ms;
    t.rss_limit_kb = opt->rss_limit_mb * 1024;
    t.connect_ms = 10000;
    t.batch = 1;
    ws_lf_client_evaluate(&t, r, v, cap);
    ws_lf_client_stop(&t);
    if (v->oracle == WS_LF_UNREACHABLE) {
        fprintf(stderr, "wsspec replay: %s\n", v->detail);
        return 3;
    }
    return 0;
}

int ws_lf_replay(const ws_lf_replay_opts *opt)
{
    ws_lf_repro r;
    char err[512];
    if (ws_lf_repro_load(opt->file, &r, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        return 2;
    }
    if (!r.client_mode && (opt->client || opt->listen)) {
        fprintf(stderr, "wsspec replay: %s is a server-mode reproducer: give a URL, not --client\n",
                opt->file);
        ws_lf_repro_free(&r);
        return 2;
    }
    char stderr_path[128];
    snprintf(stderr_path, sizeof stderr_path, "/tmp/wsspec-replay-%d.stderr", (int)getpid());
    ws_lf_verdict v;
    static ws_lf_capture cap;
    ws_lf_capture *capp = opt->quiet ? NULL : &cap;
    int rc = r.client_mode ? run_client(opt, &r, stderr_path, &v, capp)
                           : run_server(opt, &r, stderr_path, &v, capp);
    if (opt->exec_cmd)
        unlink(stderr_path);
    if (rc != 0) {
        ws_lf_capture_free(&cap);
        ws_lf_repro_free(&r);
        return rc;
    }
    if (capp) {
        ws_lf_wirelog_print(&cap, r.client_mode, stdout);
        ws_lf_capture_free(&cap);
    }
    bool same = v.oracle == r.oracle &&
                (r.oracle != WS_LF_NONE || !r.shape[0] || strcmp(v.shape, r.shape) == 0);
    if (same)
        printf("same: %s%s%s%s\n", ws_lf_oracle_name(v.oracle), v.detail[0] ? " (" : "", v.detail,
               v.detail[0] ? ")" : "");
    else
        printf("different: recorded %s%s%s, observed %s%s%s%s [%s]\n", ws_lf_oracle_name(r.oracle),
               r.detail[0] ? ": " : "", r.detail, ws_lf_oracle_name(v.oracle),
               v.detail[0] ? " (" : "", v.detail, v.detail[0] ? ")" : "", v.shape);
    ws_lf_repro_free(&r);
    return same ? 0 : 1;
}
