/* The server side of client testing; see fuzzingserver.h. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver/fuzzingserver.h"
#include "driver/runner.h"
#include "wsspec/close.h"
#include "wsspec/frame.h"
#include "wsspec/handshake.h"

#define MAX_CLIENTS        128
#define REQUEST_TIMEOUT_MS 5000
#define STATUS_WAIT_MS     60000

typedef struct {
    const ws_fuzzingserver *fs;
    pthread_mutex_t lock;
    atomic_int active;
    atomic_int stop_requested;
} server_state;

typedef struct {
    server_state *st;
    int fd;
} client_job;

/* The value of query parameter `name` in target, decoded into out. */
static bool query_param(const char *target, size_t len, const char *name, char *out, size_t cap)
{
    const char *q = memchr(target, '?', len);
    if (!q)
        return false;
    size_t nl = strlen(name);
    const char *end = target + len;
    for (const char *p = q + 1; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t n = 0;
            for (const char *v = p + nl + 1; v < stop && n + 1 < cap; v++) {
                if (*v == '%' && stop - v >= 3) {
                    unsigned byte;
                    if (sscanf(v + 1, "%2x", &byte) == 1) {
                        out[n++] = (char)byte;
                        v += 2;
                        continue;
                    }
                }
                out[n++] = *v == '+' ? ' ' : *v;
            }
            out[n] = 0;
            return true;
        }
        p = stop + 1;
    }
    return false;
}

static bool path_is(const ws_http_request *req, const char *path)
{
    size_t n = strlen(path);
    return req->target_len >= n && strncmp(req->target, path, n) == 0 &&
           (req->target_len == n || req->target[n] == '?');
}

/* Which case a request names: case=N (1-based) or casetuple=X.Y.Z. */
static const ws_case *requested_case(const ws_fuzzingserver *fs, const ws_http_request *req,
                                     size_t *index)
{
    char v[64];
    if (query_param(req->target, req->target_len, "case", v, sizeof v)) {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*end || n < 1 || n > fs->ncases)
            return NULL;
        *index = n - 1;
        return fs->cases[n - 1];
    }
    if (query_param(req->target, req->target_len, "casetuple", v, sizeof v))
        for (size_t i = 0; i < fs->ncases; i++)
            if (strcmp(fs->cases[i]->id, v) == 0) {
                *index = i;
                return fs->cases[i];
            }
    return NULL;
}

/* A plain control connection: 101, one optional text message, close 1000. */
static void answer_control(ws_conn *c, const char *key, const char *text)
{
    char accept[WS_ACCEPT_LEN + 1], resp[512];
    ws_accept_key(key, strlen(key), accept);
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                     "Server: wsspec/" WSSPEC_VERSION "\r\n\r\n",
                     accept);
    int64_t deadline = ws_deadline_ms(REQUEST_TIMEOUT_MS);
    if (ws_conn_write(c, resp, (size_t)n, deadline) != WS_OK)
        return;
    uint8_t frame[WS_MAX_HEADER_SIZE + 1024];
    size_t len;
    ws_frame_spec text_spec = {.fin = true, .opcode = WS_OP_TEXT};
    if (text && ws_frame_write(&text_spec, (const uint8_t *)text, strlen(text), frame, sizeof frame,
                               &len) == WS_OK)
        ws_conn_write(c, frame, len, deadline);
    uint8_t payload[2];
    ws_close_build(1000, (const uint8_t *)"", 0, payload);
    ws_frame_spec close_spec = {.fin = true, .opcode = WS_OP_CLOSE};
    if (ws_frame_write(&close_spec, payload, 2, frame, sizeof frame, &len) == WS_OK)
        ws_conn_write(c, frame, len, deadline);
    /* Wait briefly for the client's Close, then close TCP (server first). */
    uint8_t buf[1024];
    size_t got;
    int64_t until = ws_deadline_ms(1000);
    while (ws_conn_read(c, buf, sizeof buf, &got, until) == WS_OK)
        if (got >= 2 && (buf[0] & 0x0f) == WS_OP_CLOSE)
            break;
}

static void json_escape(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 7 < cap; in++) {
        unsigned char ch = (unsigned char)*in;
        if (ch == '"' || ch == '\\') {
            out[n++] = '\\';
            out[n++] = (char)ch;
        } else if (ch < 0x20) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
        } else {
            out[n++] = (char)ch;
        }
    }
    out[n] = 0;
}

static void run_requested_case(server_state *st, ws_conn *c, const ws_http_request *req,
                               const char *key, const char *head, size_t head_len,
                               const uint8_t *rest, size_t rest_len)
{
    const ws_fuzzingserver *fs = st->fs;
    char agent[128];
    size_t index;
    const ws_case *cs = requested_case(fs, req, &index);
    if (!query_param(req->target, req->target_len, "agent", agent, sizeof agent) || !agent[0] ||
        !cs) {
        const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        ws_conn_write(c, bad, sizeof bad - 1, ws_deadline_ms(1000));
        ws_conn_close(c);
        return;
    }
    ws_case_result *r = malloc(sizeof *r);
    if (!r) {
        ws_conn_close(c);
        return;
    }
    ws_result_init(r, cs, fs->indices[index]);
    snprintf(r->agent, sizeof r->agent, "%s", agent);
    ws_target t = {.time_scale = fs->time_scale,
                   .set_deflate_level = fs->set_deflate_level,
                   .deflate_level = fs->deflate_level,
                   .stop = fs->abort_cases};
    ws_accepted acc = {.conn = c,
                       .key = key,
                       .request = head,
                       .request_len = head_len,
                       .leftover = rest,
                       .leftover_len = rest_len};
    ws_run_case_as_server(&t, &acc, cs, r);
    pthread_mutex_lock(&st->lock);
    fs->on_result(fs->ctx, agent, r);
    pthread_mutex_unlock(&st->lock);
}

static void wait_status(server_state *st, ws_conn *c, const ws_http_request *req, const char *key)
{
    const ws_fuzzingserver *fs = st->fs;
    char agent[128], msg[256];
    size_t index;
    const ws_case *cs = requested_case(fs, req, &index);
    if (!cs || !query_param(req->target, req->target_len, "agent", agent, sizeof agent)) {
        answer_control(c, key, NULL);
        return;
    }
    const char *behavior = NULL;
    int64_t until = ws_deadline_ms(STATUS_WAIT_MS);
    while (!behavior && ws_now_ns() < until && !*fs->stop) {
        pthread_mutex_lock(&st->lock);
        behavior = fs->status_of(fs->ctx, agent, cs);
        pthread_mutex_unlock(&st->lock);
        if (!behavior)
            usleep(20000);
    }
    snprintf(msg, sizeof msg, "{\"behavior\": \"%s\"}", behavior ? behavior : "MISSING");
    answer_control(c, key, msg);
}

static void handle(server_state *st, ws_conn *c)
{
    const ws_fuzzingserver *fs = st->fs;
    char head[WS_HTTP_DEFAULT_MAX_HEAD + 1];
    size_t have = 0, head_len = 0;
    ws_http_request req;
    ws_http_header hdrs[64];
    ws_err e = WS_INCOMPLETE;
    int64_t deadline = ws_deadline_ms(REQUEST_TIMEOUT_MS);
    while (e == WS_INCOMPLETE && have < WS_HTTP_DEFAULT_MAX_HEAD) {
        size_t n;
        if (ws_conn_read(c, head + have, WS_HTTP_DEFAULT_MAX_HEAD - have, &n, deadline) != WS_OK)
            break;
        have += n;
        e = ws_http_parse_request(head, have, WS_HTTP_DEFAULT_MAX_HEAD, &req, hdrs, 64, &head_len);
    }
    ws_hs_request_info info;
    if (e != WS_OK || ws_handshake_check_request(&req, &info) != WS_OK) {
        const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        ws_conn_write(c, bad, sizeof bad - 1, ws_deadline_ms(1000));
        ws_conn_close(c);
        return;
    }
    char key[64], msg[1024], esc[600];
    snprintf(key, sizeof key, "%.*s", (int)info.key_len, info.key);
    if (path_is(&req, "/runCase")) {
        run_requested_case(st, c, &req, key, head, head_len, (const uint8_t *)head + head_len,
                           have - head_len);
        return; /* the runner owns and closes the connection */
    }
    if (path_is(&req, "/getCaseCount")) {
        snprintf(msg, sizeof msg, "%zu", fs->ncases);
        answer_control(c, key, msg);
    } else if (path_is(&req, "/getCaseInfo")) {
        size_t index;
        const ws_case *cs = requested_case(fs, &req, &index);
        json_escape(cs ? cs->title : "", esc, sizeof esc);
        snprintf(msg, sizeof msg, "{\"id\": \"%s\", \"description\": \"%s\"}", cs ? cs->id : "",
                 esc);
        answer_control(c, key, cs ? msg : NULL);
    } else if (path_is(&req, "/getCaseStatus")) {
        wait_status(st, c, &req, key);
    } else if (path_is(&req, "/updateReports")) {
        char agent[128] = "";
        query_param(req.target, req.target_len, "agent", agent, sizeof agent);
        pthread_mutex_lock(&st->lock);
        fs->on_update_reports(fs->ctx, agent);
        pthread_mutex_unlock(&st->lock);
        answer_control(c, key, NULL);
    } else if (path_is(&req, "/stopServer")) {
        answer_control(c, key, NULL);
        atomic_store(&st->stop_requested, 1);
    } else {
        const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        ws_conn_write(c, nf, sizeof nf - 1, ws_deadline_ms(1000));
    }
    ws_conn_close(c);
}

static void *client_thread(void *arg)
{
    client_job *job = arg;
    ws_conn *c;
    char why[128];
    /* The TLS handshake, if any, runs here so a slow client delays no one. */
    if (ws_conn_accept(job->fd, job->st->fs->tls, ws_deadline_ms(REQUEST_TIMEOUT_MS), &c, why,
                       sizeof why) == WS_OK)
        handle(job->st, c);
    atomic_fetch_sub(&job->st->active, 1);
    free(job);
    return NULL;
}

ws_err ws_fuzzingserver_run(const ws_fuzzingserver *fs, char *detail, size_t detail_cap)
{
    int lfd;
    uint16_t port;
    ws_err e = ws_listen(fs->host, fs->port, &lfd, &port, detail, detail_cap);
    if (e != WS_OK)
        return e;
    server_state st = {.fs = fs};
    pthread_mutex_init(&st.lock, NULL);
    atomic_init(&st.active, 0);
    atomic_init(&st.stop_requested, 0);
    if (fs->on_listen)
        fs->on_listen(fs->ctx, port);
    while (!*fs->stop && !atomic_load(&st.stop_requested)) {
        /* At the limit, connections wait in the listen backlog until a case
         * ends: a harness runs its next case while the last one's server
         * side is still finishing, and no case may be refused for that. */
        if (atomic_load(&st.active) >= MAX_CLIENTS) {
            usleep(5000);
            continue;
        }
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        client_job *job = malloc(sizeof *job);
        if (!job) {
            close(fd);
            continue;
        }
        *job = (client_job){&st, fd};
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        atomic_fetch_add(&st.active, 1);
        if (pthread_create(&th, &attr, client_thread, job) != 0) {
            atomic_fetch_sub(&st.active, 1);
            close(fd);
            free(job);
        }
        pthread_attr_destroy(&attr);
    }
    close(lfd);
    /* Let running cases finish (they are bounded by their own deadlines). */
    while (atomic_load(&st.active) > 0)
        usleep(10000);
    pthread_mutex_destroy(&st.lock);
    return WS_OK;
}
