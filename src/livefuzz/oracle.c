/*
 * One session judged by every oracle, in this order: the peer process died
 * (crash, or a sanitizer report in its stderr), it stopped accepting
 * connections, it went over --rss-limit, it broke a protocol MUST (model.c),
 * or it did not settle within --hang-ms - then the sanity probe tells a hang
 * (the probe fails too) from a peer that just never failed the connection
 * or answered a Close (a MUST).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/net.h"

static bool is_loopback(const ws_url *u)
{
    char host[256];
    if (u->host_len >= sizeof host)
        return false;
    memcpy(host, u->host, u->host_len);
    host[u->host_len] = 0;
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0 || strcmp(host, "0:0:0:0:0:0:0:1") == 0;
}

ws_err ws_lf_target_init(ws_lf_target *t, const char *url, const char *exec_cmd,
                         const char *stderr_path, bool allow_remote, char *err, size_t cap)
{
    memset(t, 0, sizeof *t);
    if (strlen(url) >= sizeof t->url_text) {
        snprintf(err, cap, "URL too long");
        return WS_ERR_INVALID_ARG;
    }
    strcpy(t->url_text, url);
    ws_err e = ws_url_parse(t->url_text, &t->url);
    if (e != WS_OK) {
        snprintf(err, cap, "bad URL '%s': %s", url, ws_err_message(e));
        return e;
    }
    if (!allow_remote && !is_loopback(&t->url)) {
        snprintf(err, cap, "'%s' is not a loopback address: pass --allow-remote to fuzz it", url);
        return WS_ERR_CONFIG;
    }
    if (!ws_url_host_port(&t->url, t->host_port, sizeof t->host_port) ||
        !ws_url_resource(&t->url, t->resource, sizeof t->resource)) {
        snprintf(err, cap, "URL too long");
        return WS_ERR_INVALID_ARG;
    }
    t->exec_cmd = exec_cmd;
    if (exec_cmd) {
        if (strlen(exec_cmd) >= sizeof t->proc.cmd) {
            snprintf(err, cap, "--exec command too long");
            return WS_ERR_INVALID_ARG;
        }
        strcpy(t->proc.cmd, exec_cmd);
        snprintf(t->proc.stderr_path, sizeof t->proc.stderr_path, "%s", stderr_path);
    }
    t->hang_ms = 2000;
    return WS_OK;
}

ws_err ws_lf_target_start(ws_lf_target *t, char *err, size_t cap)
{
    if (!t->exec_cmd)
        return WS_OK;
    ws_lf_proc_stop(&t->proc);
    ws_err e = ws_lf_proc_start(&t->proc, err, cap);
    if (e != WS_OK)
        return e;
    int64_t deadline = ws_deadline_ms(10000);
    while (ws_now_ns() < deadline) {
        char d[128];
        if (ws_lf_proc_dead(&t->proc, 0, d, sizeof d)) {
            snprintf(err, cap, "the peer command ended at start (%s)", d);
            return WS_ERR_CONNECT;
        }
        if (ws_lf_wait_listening(&t->url, 100))
            return WS_OK;
    }
    snprintf(err, cap, "the peer command did not listen on %s within 10 s", t->host_port);
    return WS_ERR_CONNECT;
}

void ws_lf_target_stop(ws_lf_target *t)
{
    if (t->exec_cmd)
        ws_lf_proc_stop(&t->proc);
}

static void set(ws_lf_verdict *v, ws_lf_oracle o, const char *detail)
{
    v->oracle = o;
    snprintf(v->detail, sizeof v->detail, "%s", detail);
}

/* Process oracles after a session; true when one fired. */
static bool process_oracles_unlocked(ws_lf_target *t, bool abnormal, ws_lf_verdict *v)
{
    if (!t->exec_cmd)
        return false;
    char d[64], line[180];
    if (ws_lf_proc_dead(&t->proc, abnormal ? 300 : 0, d, sizeof d)) {
        bool san = ws_lf_proc_sanitizer(&t->proc, line, sizeof line);
        if (san)
            snprintf(v->detail, sizeof v->detail, "%s; %s", d, line);
        else
            snprintf(v->detail, sizeof v->detail, "%s", d);
        v->oracle = san ? WS_LF_SANITIZER : WS_LF_CRASH;
        return true;
    }
    if (ws_lf_proc_sanitizer(&t->proc, line, sizeof line)) {
        set(v, WS_LF_SANITIZER, line);
        return true;
    }
    long kb = ws_lf_proc_rss_kb(&t->proc);
    if (t->rss_limit_kb > 0 && kb > t->rss_limit_kb) {
        snprintf(line, sizeof line, "peak resident set %ld MiB over the %ld MiB limit", kb / 1024,
                 t->rss_limit_kb / 1024);
        set(v, WS_LF_RSS, line);
        return true;
    }
    return false;
}

static bool process_oracles(ws_lf_target *t, bool abnormal, ws_lf_verdict *v)
{
    if (t->proc_lock)
        pthread_mutex_lock(t->proc_lock);
    bool fired = process_oracles_unlocked(t, abnormal, v);
    if (t->proc_lock)
        pthread_mutex_unlock(t->proc_lock);
    return fired;
}

void ws_lf_evaluate(ws_lf_target *t, const ws_lf_repro *r, ws_lf_verdict *v)
{
    ws_lf_evaluate_capture(t, r, v, NULL);
}

void ws_lf_evaluate_capture(ws_lf_target *t, const ws_lf_repro *r, ws_lf_verdict *v,
                            ws_lf_capture *cap)
{
    memset(v, 0, sizeof *v);
    char err[256];
    /* A peer that is already dead died of an earlier session: restart it
     * rather than blame this one. */
    if (t->exec_cmd) {
        char pre[64];
        if (t->proc_lock)
            pthread_mutex_lock(t->proc_lock);
        if (t->proc.pid > 0 && ws_lf_proc_dead(&t->proc, 0, pre, sizeof pre))
            t->proc.pid = 0;
        ws_err se = t->proc.pid <= 0 ? ws_lf_target_start(t, err, sizeof err) : WS_OK;
        if (t->proc_lock)
            pthread_mutex_unlock(t->proc_lock);
        if (se != WS_OK) {
            set(v, WS_LF_UNREACHABLE, err);
            return;
        }
    }
    static _Thread_local ws_lf_expect e;
    static _Thread_local ws_lf_obs o;
    ws_lf_expect_build(r, &e);
    for (int tries = 0; tries < 3; tries++) {
        ws_lf_run_capture(&t->url, r, &e, t->hang_ms, &o, cap);
        if (o.end != WS_LF_OBS_NOCONN)
            break;
        if (t->exec_cmd && process_oracles(t, true, v))
            return; /* died before this session connected */
    }
    v->shape_hash = ws_lf_shape(&o, v->shape, sizeof v->shape);
    /* The kernel closes a dead peer's sockets, so its death is usually visible
     * at once; a connection that ended without a Close gets a short grace. */
    bool abnormal = o.end == WS_LF_OBS_RESET || o.end == WS_LF_OBS_NOCONN ||
                    (o.end == WS_LF_OBS_EOF && !o.got_close && o.hs_status == 101);
    if (process_oracles(t, abnormal, v))
        return;
    if (o.end == WS_LF_OBS_NOCONN) {
        snprintf(err, sizeof err, "stopped accepting connections (%s)", o.detail);
        set(v, WS_LF_UNREACHABLE, err);
        return;
    }
    if (ws_lf_judge(&e, &o, err, sizeof err)) {
        set(v, WS_LF_MUST, err);
        return;
    }
    if (o.settled)
        return;
    char pd[160];
    bool alive = ws_lf_probe(&t->url, t->host_port, t->resource, t->hang_ms, pd, sizeof pd);
    if (process_oracles(t, !alive, v))
        return;
    if (!alive) {
        snprintf(err, sizeof err, "no answer within %d ms and the sanity probe failed (%s)",
                 t->hang_ms, pd);
        set(v, WS_LF_HANG, err);
    } else if (e.end == WS_LF_M_FAIL) {
        snprintf(err, sizeof err, "did not fail the connection within %d ms after %s", t->hang_ms,
                 ws_err_name(e.violation));
        set(v, WS_LF_MUST, err);
    } else if (e.end == WS_LF_M_CLOSE) {
        snprintf(err, sizeof err, "did not answer a Close within %d ms", t->hang_ms);
        set(v, WS_LF_MUST, err);
    } else {
        snprintf(err, sizeof err, "owed echoes/Pongs missing after %d ms (the probe still works)",
                 t->hang_ms);
        set(v, WS_LF_HANG, err);
    }
}

bool ws_lf_check_process(ws_lf_target *t, int wait_ms, ws_lf_verdict *v)
{
    if (!t->exec_cmd)
        return false;
    char d[64];
    if (t->proc_lock)
        pthread_mutex_lock(t->proc_lock);
    bool dead = t->proc.pid > 0 && ws_lf_proc_dead(&t->proc, wait_ms, d, sizeof d);
    if (t->proc_lock)
        pthread_mutex_unlock(t->proc_lock);
    if (!dead)
        return process_oracles(t, false, v);
    char line[180];
    bool san = ws_lf_proc_sanitizer(&t->proc, line, sizeof line);
    v->oracle = san ? WS_LF_SANITIZER : WS_LF_CRASH;
    if (san)
        snprintf(v->detail, sizeof v->detail, "%s; %s", d, line);
    else
        snprintf(v->detail, sizeof v->detail, "%s", d);
    return true;
}

void ws_lf_check_alive(ws_lf_target *t, ws_lf_verdict *v)
{
    memset(v, 0, sizeof *v);
    char d[160];
    if (ws_lf_probe(&t->url, t->host_port, t->resource, t->hang_ms, d, sizeof d))
        return;
    if (process_oracles(t, true, v))
        return;
    set(v, strstr(d, "cannot connect") ? WS_LF_UNREACHABLE : WS_LF_UNRESPONSIVE, d);
}
