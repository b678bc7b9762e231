/*
 * `wsspec replay FILE [URL] [--exec CMD]`: run a reproducer's actions byte for
 * byte against a peer, judge them with the same oracles as `wsspec fuzz`, and
 * say whether the outcome is the one the file recorded.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "livefuzz/livefuzz.h"

int ws_lf_replay(const char *file, const char *url, const char *exec_cmd, int hang_ms,
                 long rss_limit_mb, bool allow_remote)
{
    ws_lf_repro r;
    char err[512];
    if (ws_lf_repro_load(file, &r, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        return 2;
    }
    if (r.client_mode) {
        fprintf(stderr, "wsspec replay: %s: client-mode reproducers are not supported yet\n", file);
        ws_lf_repro_free(&r);
        return 2;
    }
    if (!url)
        url = r.target;
    if (!url[0]) {
        fprintf(stderr, "wsspec replay: %s has no target: give a URL\n", file);
        ws_lf_repro_free(&r);
        return 2;
    }
    static ws_lf_target t;
    char stderr_path[128];
    snprintf(stderr_path, sizeof stderr_path, "/tmp/wsspec-replay-%d.stderr", (int)getpid());
    if (ws_lf_target_init(&t, url, exec_cmd, stderr_path, allow_remote, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        ws_lf_repro_free(&r);
        return 2;
    }
    t.hang_ms = hang_ms;
    t.rss_limit_kb = rss_limit_mb * 1024;
    if (ws_lf_target_start(&t, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: target unreachable: %s\n", err);
        ws_lf_target_stop(&t);
        ws_lf_repro_free(&r);
        return 3;
    }
    ws_lf_verdict v;
    ws_lf_evaluate(&t, &r, &v);
    if (v.oracle == WS_LF_NONE && (r.oracle == WS_LF_CRASH || r.oracle == WS_LF_SANITIZER))
        ws_lf_check_process(&t, 300, &v);
    ws_lf_target_stop(&t);
    if (exec_cmd)
        unlink(stderr_path);
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
