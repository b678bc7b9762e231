/*
 * Client mode's target: wsspec listens, starts the client under test
 * (--exec, "{url}" replaced by ws://HOST:PORT/s<N>) and waits for its
 * connections. Autobahn-style clients first ask /getCaseCount (answered with
 * the batch size), run /runCase?case=N for each, then /updateReports; every
 * other connection, whatever its path, is one fuzzing session. A client that
 * exits with status 0 is started again; any other end is a crash.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"

#define REQUEST_MS   2000
#define CONTROL_MS   1000
#define ACCEPT_TOKEN "{accept}"

static bool loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0;
}

ws_err ws_lf_client_init(ws_lf_client_target *t, const char *listen, const char *exec_cmd,
                         const char *stderr_path, bool allow_remote, char *err, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->hang_ms = 2000;
    t->batch = 50;
    uint16_t port;
    if (ws_parse_host_port(listen, t->host, sizeof t->host, &port) != WS_OK) {
        snprintf(err, cap, "--listen wants HOST:PORT, not '%s'", listen);
        return WS_ERR_CONFIG;
    }
    if (!allow_remote && !loopback(t->host)) {
        snprintf(err, cap, "'%s' is not a loopback address: pass --allow-remote to listen on it",
                 t->host);
        return WS_ERR_CONFIG;
    }
    if (exec_cmd && strlen(exec_cmd) >= sizeof t->cmd_template) {
        snprintf(err, cap, "--exec command too long");
        return WS_ERR_INVALID_ARG;
    }
    char detail[200];
    ws_err e = ws_listen(t->host, port, &t->fd, &t->port, detail, sizeof detail);
    if (e != WS_OK) {
        snprintf(err, cap, "cannot listen on %s: %s", listen, detail);
        return WS_ERR_CONNECT;
    }
    bool v6 = strchr(t->host, ':') != NULL;
    snprintf(t->base_url, sizeof t->base_url, "ws://%s%s%s:%u", v6 ? "[" : "", t->host,
             v6 ? "]" : "", (unsigned)t->port);
    if (exec_cmd) {
        t->exec_cmd = exec_cmd;
        snprintf(t->cmd_template, sizeof t->cmd_template, "%s", exec_cmd);
        snprintf(t->proc.stderr_path, sizeof t->proc.stderr_path, "%s", stderr_path);
    }
    return WS_OK;
}

void ws_lf_client_stop(ws_lf_client_target *t)
{
    if (t->exec_cmd)
        ws_lf_proc_stop(&t->proc);
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

/* Start the client with {url} replaced. */
static ws_err start_client(ws_lf_client_target *t, char *err, size_t cap)
{
    char url[400];
    snprintf(url, sizeof url, "%s/s%d", t->base_url, t->proc.starts + 1);
    size_t o = 0;
    const char *p = t->cmd_template;
    while (*p && o + 1 < sizeof t->proc.cmd) {
        if (strncmp(p, "{url}", 5) == 0) {
            size_t n = strlen(url);
            if (o + n >= sizeof t->proc.cmd)
                break;
            memcpy(t->proc.cmd + o, url, n);
            o += n;
            p += 5;
        } else {
            t->proc.cmd[o++] = *p++;
        }
    }
    t->proc.cmd[o] = 0;
    return ws_lf_proc_start(&t->proc, err, cap);
}

/* Write a frame (unmasked) with a small payload. */
static void send_frame(ws_conn *c, uint8_t opcode, const uint8_t *payload, size_t len)
{
    uint8_t frame[WS_MAX_HEADER_SIZE + 128];
    ws_frame_spec spec = {.fin = true, .opcode = opcode};
    size_t n;
    if (len <= 125 && ws_frame_write(&spec, payload, len, frame, sizeof frame, &n) == WS_OK)
        ws_conn_write(c, frame, n, ws_deadline_ms(CONTROL_MS));
}

/* getCaseCount / updateReports: a valid 101, the count (or nothing), a Close. */
static void serve_control(ws_lf_client_target *t, ws_conn *c, const char *key, bool count)
{
    char accept[WS_ACCEPT_LEN + 1], resp[256];
    ws_accept_key(key, strlen(key), accept);
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    ws_conn_write(c, resp, (size_t)n, ws_deadline_ms(CONTROL_MS));
    if (count) {
        char text[24];
        int k = snprintf(text, sizeof text, "%d", t->batch);
        send_frame(c, WS_OP_TEXT, (const uint8_t *)text, (size_t)k);
    }
    uint8_t close_payload[2] = {0x03, 0xe8};
    send_frame(c, WS_OP_CLOSE, close_payload, 2);
    /* Wait for the client's Close (its first octets), then close TCP first,
     * as the server does (§7.1.1). */
    uint8_t buf[4096];
    size_t got;
    ws_conn_read(c, buf, sizeof buf, &got, ws_deadline_ms(CONTROL_MS));
    ws_conn_close(c);
}

/* A dead client: true and v set when it did not exit with status 0. */
static bool client_died(ws_lf_client_target *t, int wait_ms, ws_lf_verdict *v)
{
    char d[64], line[180];
    if (!t->exec_cmd || t->proc.pid <= 0 || !ws_lf_proc_dead(&t->proc, wait_ms, d, sizeof d))
        return false;
    bool san = ws_lf_proc_sanitizer(&t->proc, line, sizeof line);
    if (!san && strcmp(d, "exit status 0") == 0)
        return false; /* it finished its loop: started again when needed */
    v->oracle = san ? WS_LF_SANITIZER : WS_LF_CRASH;
    if (san)
        snprintf(v->detail, sizeof v->detail, "%s; %s", d, line);
    else
        snprintf(v->detail, sizeof v->detail, "%s", d);
    return true;
}

ws_err ws_lf_client_next(ws_lf_client_target *t, int timeout_ms, ws_lf_client_conn *out,
                         ws_lf_verdict *v, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    int64_t deadline = ws_deadline_ms(timeout_ms);
    while (ws_now_ns() < deadline) {
        if (t->exec_cmd && t->proc.pid <= 0) {
            ws_err e = start_client(t, err, cap);
            if (e != WS_OK)
                return e;
        }
        struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0) {
            if (client_died(t, 0, v))
                return WS_ERR_CLOSED;
            continue;
        }
        int fd = accept4(t->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ws_conn *c = NULL;
        char why[128];
        if (ws_conn_accept(fd, NULL, ws_deadline_ms(REQUEST_MS), &c, why, sizeof why) != WS_OK)
            continue;
        /* The request head. */
        size_t len = 0, hl = 0;
        ws_err e = WS_INCOMPLETE;
        ws_http_request req;
        static ws_http_header hdrs[128];
        int64_t until = ws_deadline_ms(REQUEST_MS);
        while (e == WS_INCOMPLETE && len < sizeof out->request) {
            size_t n = 0;
            if (ws_conn_read(c, out->request + len, sizeof out->request - len, &n, until) != WS_OK)
                break;
            len += n;
            e = ws_http_parse_request(out->request, len, sizeof out->request, &req, hdrs, 128, &hl);
        }
        if (e != WS_OK) {
            ws_conn_close(c);
            continue;
        }
        size_t count = 0;
        const ws_http_header *k =
            ws_http_find(req.headers, req.num_headers, "Sec-WebSocket-Key", &count);
        char key[64] = "";
        if (k && k->value_len < sizeof key) {
            memcpy(key, k->value, k->value_len);
            key[k->value_len] = 0;
        }
        char target[256];
        snprintf(target, sizeof target, "%.*s", (int)(req.target_len < 255 ? req.target_len : 255),
                 req.target);
        if (strstr(target, "getCaseCount") || strstr(target, "updateReports")) {
            serve_control(t, c, key, strstr(target, "getCaseCount") != NULL);
            continue;
        }
        out->conn = c;
        out->request_len = hl;
        out->early_len = len - hl;
        memcpy(out->early, out->request + hl, out->early_len);
        snprintf(out->key, sizeof out->key, "%s", key);
        return WS_OK;
    }
    snprintf(err, cap, "no client connected within %d ms", timeout_ms);
    return WS_ERR_TIMEOUT;
}

bool ws_lf_client_substitute(const ws_lf_repro *in, const char *key, ws_lf_repro *out)
{
    char accept[WS_ACCEPT_LEN + 1];
    ws_accept_key(key, strlen(key), accept);
    size_t tl = sizeof ACCEPT_TOKEN - 1;
    ws_lf_repro_init(out);
    for (size_t i = 0; i < in->nacts; i++) {
        const ws_lf_action *a = &in->acts[i];
        if (a->kind != WS_LF_SEND) {
            if (!ws_lf_repro_act(out, a->kind, a->ms))
                return false;
            continue;
        }
        /* Each token (tl octets) grows to WS_ACCEPT_LEN octets. */
        uint8_t *buf = malloc(a->len + (a->len / tl + 1) * WS_ACCEPT_LEN);
        if (!buf)
            return false;
        size_t n = 0;
        for (size_t k = 0; k < a->len;) {
            if (k + tl <= a->len && memcmp(a->data + k, ACCEPT_TOKEN, tl) == 0) {
                memcpy(buf + n, accept, WS_ACCEPT_LEN);
                n += WS_ACCEPT_LEN;
                k += tl;
            } else {
                buf[n++] = a->data[k++];
            }
        }
        bool ok = ws_lf_repro_send(out, buf, n);
        free(buf);
        if (!ok)
            return false;
        out->acts[out->nacts - 1].repeat = a->repeat;
    }
    return true;
}

static void set(ws_lf_verdict *v, ws_lf_oracle o, const char *detail)
{
    v->oracle = o;
    snprintf(v->detail, sizeof v->detail, "%s", detail);
}

void ws_lf_client_evaluate(ws_lf_client_target *t, const ws_lf_repro *r, ws_lf_verdict *v,
                           ws_lf_capture *cap)
{
    memset(v, 0, sizeof *v);
    static ws_lf_client_conn cc;
    char err[256];
    ws_err ne = WS_ERR_TIMEOUT;
    /* A client that died before connecting died of an earlier session. */
    for (int tries = 0; tries < 3; tries++) {
        ws_lf_verdict pre = {0};
        ne = ws_lf_client_next(t, t->connect_ms, &cc, &pre, err, sizeof err);
        if (ne != WS_ERR_CLOSED)
            break;
        t->proc.pid = 0;
        t->early_deaths++;
    }
    if (ne != WS_OK) {
        set(v, WS_LF_UNREACHABLE, ne == WS_ERR_CLOSED ? "the client keeps dying at start" : err);
        return;
    }
    static ws_lf_repro sub;
    static ws_lf_expect e;
    static ws_lf_obs o;
    if (!ws_lf_client_substitute(r, cc.key, &sub)) {
        ws_lf_repro_free(&sub);
        ws_conn_close(cc.conn);
        set(v, WS_LF_NONE, "out of memory");
        return;
    }
    size_t len, head;
    uint8_t *all = ws_lf_repro_concat(&sub, &len, &head);
    if (all)
        ws_lf_expect_build_client(all, len, head, cc.request, cc.request_len, &e);
    free(all);
    if (cap) {
        ws_lf_capture_reset(cap);
        ws_lf_capture_add(cap, WS_LF_CAP_RX, cc.request, cc.request_len);
    }
    ws_lf_run_accepted(cc.conn, cc.early, cc.early_len, &sub, &e, t->hang_ms, &o, cap);
    ws_lf_repro_free(&sub);
    char shape[200];
    ws_lf_shape(&o, shape, sizeof shape);
    /* The shape starts with the answer sent, not the (always complete) request. */
    snprintf(v->shape, sizeof v->shape, "sent:%s %s",
             !e.head_sent       ? "part"
             : e.may_stay_open  ? "non101"
             : e.hs_must_reject ? "bad101"
                                : "101",
             strchr(shape, ' ') ? strchr(shape, ' ') + 1 : shape);
    v->shape_hash = ws_lf_hash((const uint8_t *)v->shape, strlen(v->shape), 0xcbf29ce484222325ULL);
    /* A client that drops the connection on its own after a valid opening
     * may have died: give its death a moment to show. */
    bool abnormal = o.end == WS_LF_OBS_RESET ||
                    (o.end == WS_LF_OBS_EOF && !o.got_close && e.head_sent && !e.hs_must_reject);
    if (client_died(t, abnormal ? 300 : 0, v))
        return;
    char line[180];
    if (t->exec_cmd && t->proc.pid > 0 && ws_lf_proc_sanitizer(&t->proc, line, sizeof line)) {
        set(v, WS_LF_SANITIZER, line);
        return;
    }
    long kb = t->exec_cmd ? ws_lf_proc_rss_kb(&t->proc) : -1;
    if (t->rss_limit_kb > 0 && kb > t->rss_limit_kb) {
        snprintf(line, sizeof line, "resident set %ld MiB over the %ld MiB limit", kb / 1024,
                 t->rss_limit_kb / 1024);
        set(v, WS_LF_RSS, line);
        return;
    }
    if (ws_lf_judge_client(&e, &o, err, sizeof err)) {
        set(v, WS_LF_MUST, err);
        return;
    }
    if (o.settled)
        return;
    if (e.end == WS_LF_M_FAIL) {
        snprintf(err, sizeof err, "did not fail the connection within %d ms after %s", t->hang_ms,
                 ws_err_name(e.violation));
        set(v, WS_LF_MUST, err);
    } else if (e.end == WS_LF_M_CLOSE) {
        snprintf(err, sizeof err, "did not answer a Close within %d ms", t->hang_ms);
        set(v, WS_LF_MUST, err);
    } else {
        snprintf(err, sizeof err, "owed echoes/Pongs missing after %d ms", t->hang_ms);
        set(v, WS_LF_HANG, err);
    }
}
