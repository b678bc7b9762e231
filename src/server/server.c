/*
 * The echo server's event loops: cfg.threads threads, each with its own
 * epoll set (level-triggered) and its own connections, non-blocking sockets
 * through ws_conn. All I/O happens here; the protocol lives in
 * conn_state.c. The listening socket is in every epoll set with
 * EPOLLEXCLUSIVE, so a new connection wakes one loop, and a loop that is
 * busy compressing is not the one that takes it. A connection stays on the
 * loop that accepted it: no locks on the data path. The only shared
 * mutable state is the connection count (for max_connections) and the
 * next connection id, both atomic.
 *
 * Per connection, reading stops while more than WS_SRV_OUT_HIGH_WATER octets
 * of output are unsent (a peer that does not read cannot make the server
 * buffer without bound), and each read event handles at most READ_BUDGET
 * reads so that one fast peer cannot starve the others.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsspec/close.h"
#include "wsspec/server.h"
#include "server/server_internal.h"

#define READ_BUF_SIZE    (64 * 1024)
#define READ_BUDGET      16
#define ACCEPT_BUDGET    64
#define TICK_MS          100
#define CLOSE_TIMEOUT_MS 10000 /* to flush the final output once closing */
#define MAX_EVENTS       256

#define MAX_THREADS 256

/* What every loop shares: read-only after start, except the atomics. */
typedef struct {
    ws_server_config cfg; /* defaults applied */
    int lfd;
    ws_tls_server *tls;
    volatile sig_atomic_t *stop;
    atomic_int nconns; /* over all loops, for max_connections */
    atomic_uint_fast64_t next_id;
    atomic_bool failed; /* a loop's epoll_wait failed: every loop stops */
} shared_state;

/* One event loop and the connections it accepted. */
typedef struct {
    shared_state *sh;
    ws_server_config cfg; /* a copy of sh->cfg, for the loop's own reads */
    int epfd, lfd;
    ws_srv_conn *conns; /* doubly linked */
    uint8_t *rbuf;
    int64_t listen_paused_until; /* after EMFILE and the like */
    bool listen_registered;
    ws_err error; /* why serve_loop returned early */
    int error_errno;
} server;

/* ------------------------------------------------------------ logging */

static void slog(const server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void slog(const server *s, const char *fmt, ...)
{
    if (s->cfg.quiet || !s->cfg.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->cfg.log(s->cfg.log_ctx, line);
}

static void log_end(const server *s, const ws_srv_conn *c)
{
    char what[64] = "";
    if (c->close_code < 0)
        snprintf(what, sizeof what, "HTTP %d", -c->close_code);
    else if (c->close_code > 0)
        snprintf(what, sizeof what, "close %d", c->close_code);
    else
        snprintf(what, sizeof what, "no close frame");
    slog(s, "#%llu %s: ended (%s, %llu messages)%s%s", (unsigned long long)c->id, c->peer, what,
         (unsigned long long)c->messages, c->end_error != WS_OK ? ": " : "",
         c->end_error != WS_OK ? ws_err_name(c->end_error) : "");
}

/* ------------------------------------------------------------ connections */

static void conn_free(server *s, ws_srv_conn *c)
{
    log_end(s, c);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, ws_conn_fd(c->conn), NULL);
    ws_conn_close(c->conn);
    ws_srv_conn_release(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    atomic_fetch_sub(&s->sh->nconns, 1);
    free(c);
}

static void conn_end(ws_srv_conn *c, ws_err why)
{
    if (c->end_error == WS_OK)
        c->end_error = why;
    c->state = WS_SRV_DONE;
}

static bool may_read(const ws_srv_conn *c)
{
    switch (c->state) {
    case WS_SRV_HANDSHAKE:
    case WS_SRV_OPEN:
        return ws_srv_buf_pending(&c->out) < WS_SRV_OUT_HIGH_WATER;
    case WS_SRV_CLOSING: /* input is discarded; reading notices a peer that went away */
    case WS_SRV_LINGER:
        return !c->peer_eof;
    default:
        return false;
    }
}

static void flush(ws_srv_conn *c)
{
    while (ws_srv_buf_pending(&c->out) > 0) {
        size_t n = 0;
        bool other = false;
        ws_err e = ws_conn_try_write(c->conn, c->out.data + c->out.pos, ws_srv_buf_pending(&c->out),
                                     &n, &other);
        if (e == WS_INCOMPLETE) {
            c->write_wants_read = other;
            return;
        }
        if (e != WS_OK) {
            conn_end(c, e);
            return;
        }
        ws_srv_buf_consume(&c->out, n);
    }
    c->write_wants_read = false;
}

static void do_reads(server *s, ws_srv_conn *c)
{
    for (int i = 0; may_read(c); i++) {
        if (i >= READ_BUDGET && ws_conn_pending(c->conn) == 0)
            return; /* epoll comes back */
        size_t n = 0;
        bool other = false;
        ws_err e = ws_conn_try_read(c->conn, s->rbuf, READ_BUF_SIZE, &n, &other);
        if (e == WS_INCOMPLETE) {
            c->read_wants_write = other;
            return;
        }
        c->read_wants_write = false;
        if (e == WS_ERR_CLOSED && (c->state == WS_SRV_CLOSING || c->state == WS_SRV_LINGER)) {
            c->peer_eof = true; /* expected: flush what is left, then close */
            return;
        }
        if (e != WS_OK) {
            conn_end(c, e);
            return;
        }
        e = ws_srv_conn_input(c, s->rbuf, n);
        if (e != WS_OK) {
            conn_end(c, e);
            return;
        }
        flush(c);
        if (c->state == WS_SRV_DONE)
            return;
    }
}

static void update_events(server *s, ws_srv_conn *c)
{
    uint32_t ev = 0;
    if (may_read(c) || c->write_wants_read)
        ev |= EPOLLIN;
    if (ws_srv_buf_pending(&c->out) > 0 || c->read_wants_write)
        ev |= EPOLLOUT;
    if (ev == c->epoll_events)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, ws_conn_fd(c->conn), &e) == 0)
        c->epoll_events = ev;
    else
        conn_end(c, WS_ERR_IO);
}

/* Move the connection as far as it can go without blocking. */
static void conn_progress(server *s, ws_srv_conn *c)
{
    ws_srv_state before = c->state;
    flush(c);
    if (c->state != WS_SRV_DONE)
        do_reads(s, c);
    if (c->state == WS_SRV_CLOSING && ws_srv_buf_pending(&c->out) == 0) {
        /* Our last octets are out: the server closes TCP first (§7.1.1). */
        (void)ws_conn_shutdown_write(c->conn);
        c->state = c->peer_eof ? WS_SRV_DONE : WS_SRV_LINGER;
    }
    if (c->state == WS_SRV_LINGER && c->peer_eof)
        c->state = WS_SRV_DONE;
    if (c->state != before) {
        if (c->state == WS_SRV_OPEN) {
            c->deadline = 0;
            slog(s, "#%llu %s: open%s", (unsigned long long)c->id, c->peer,
                 c->pmd ? " (permessage-deflate)" : "");
        } else if (c->state == WS_SRV_CLOSING) {
            c->deadline = ws_deadline_ms(CLOSE_TIMEOUT_MS);
        } else if (c->state == WS_SRV_LINGER) {
            c->deadline = ws_deadline_ms(WS_SERVER_LINGER_MS);
        }
    }
    if (c->state == WS_SRV_DONE) {
        conn_free(s, c);
        return;
    }
    update_events(s, c);
    if (c->state == WS_SRV_DONE)
        conn_free(s, c);
}

static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[INET6_ADDRSTRLEN + 8] = "?", p[8] = "?";
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
        (void)getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                          NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, cap, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
}

static void conn_new(server *s, int fd)
{
    char peer[64];
    peer_name(fd, peer, sizeof peer);
    int open_now = atomic_fetch_add(&s->sh->nconns, 1);
    if (open_now >= s->cfg.max_connections) {
        atomic_fetch_sub(&s->sh->nconns, 1);
        slog(s, "%s: refused, %d connections open", peer, open_now);
        close(fd);
        return;
    }
    char detail[160] = "";
    ws_conn *conn = NULL;
    ws_srv_conn *c = calloc(1, sizeof *c);
    ws_err e = c ? ws_conn_adopt(fd, s->sh->tls, &conn, detail, sizeof detail) : WS_ERR_NOMEM;
    if (e == WS_OK) {
        c->conn = conn;
        e = ws_srv_conn_init(c, s->cfg.max_message, !s->cfg.no_deflate);
        if (s->cfg.set_deflate_level)
            c->deflate_level = s->cfg.deflate_level;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (e == WS_OK && epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        e = WS_ERR_IO;
    if (e != WS_OK) {
        slog(s, "%s: dropped: %s %s", peer, ws_err_name(e), detail);
        if (conn)
            ws_conn_close(conn);
        else if (!c)
            close(fd); /* ws_conn_adopt closes fd itself on failure */
        if (c)
            ws_srv_conn_release(c);
        free(c);
        atomic_fetch_sub(&s->sh->nconns, 1);
        return;
    }
    c->epoll_events = EPOLLIN;
    c->id = atomic_fetch_add(&s->sh->next_id, 1) + 1;
    memcpy(c->peer, peer, sizeof c->peer);
    c->deadline = ws_deadline_ms(s->cfg.handshake_timeout_ms);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    slog(s, "#%llu %s: connected", (unsigned long long)c->id, peer);
}

/* ------------------------------------------------------------ listener */

static void listener_set(server *s, bool on)
{
    if (on == s->listen_registered)
        return;
    /* EPOLLEXCLUSIVE cannot be modified: remove and add again. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
    if (epoll_ctl(s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->lfd, &ev) == 0)
        s->listen_registered = on;
}

static void do_accepts(server *s)
{
    for (int i = 0; i < ACCEPT_BUDGET; i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            conn_new(s, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        /* Out of descriptors or memory: stop accepting for a moment rather than spin. */
        slog(s, "accept: %s; pausing for %d ms", strerror(errno), TICK_MS);
        s->listen_paused_until = ws_deadline_ms(TICK_MS);
        listener_set(s, false);
        return;
    }
}

/* ------------------------------------------------------------ loop */

static void expire(server *s, int64_t now)
{
    ws_srv_conn *next;
    for (ws_srv_conn *c = s->conns; c; c = next) {
        next = c->next;
        if (c->deadline && now >= c->deadline) {
            /* Lingering until the deadline is a normal end, not an error. */
            if (c->state != WS_SRV_LINGER)
                conn_end(c, WS_ERR_TIMEOUT);
            conn_free(s, c);
        }
    }
    if (s->listen_paused_until && now >= s->listen_paused_until) {
        s->listen_paused_until = 0;
        listener_set(s, true);
    }
}

/* On stop: tell open peers we are going away (best effort), then drop everything. */
static void shutdown_all(server *s)
{
    while (s->conns) {
        ws_srv_conn *c = s->conns;
        if (c->state == WS_SRV_OPEN) {
            uint8_t frame[4] = {0x88, 2, WS_CLOSE_GOING_AWAY >> 8, WS_CLOSE_GOING_AWAY & 0xff};
            if (ws_srv_buf_append(&c->out, frame, sizeof frame) == WS_OK)
                c->close_code = 1001;
            flush(c);
        }
        conn_free(s, c);
    }
}

static bool stopping(const server *s)
{
    return *s->sh->stop || atomic_load(&s->sh->failed);
}

static void serve_loop(server *s)
{
    struct epoll_event events[MAX_EVENTS];
    int64_t next_tick = ws_deadline_ms(TICK_MS);
    while (!stopping(s)) {
        int n = epoll_wait(s->epfd, events, MAX_EVENTS, TICK_MS);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            s->error = WS_ERR_IO;
            s->error_errno = errno;
            atomic_store(&s->sh->failed, true);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                do_accepts(s);
            else
                conn_progress(s, events[i].data.ptr);
        }
        int64_t now = ws_now_ns();
        if (now >= next_tick) {
            expire(s, now);
            next_tick = now + (int64_t)TICK_MS * 1000000;
        }
    }
}

/* Set up loop s (its epoll set with the listening socket, its read buffer). */
static ws_err loop_init(server *s, shared_state *sh, char *detail, size_t detail_cap)
{
    memset(s, 0, sizeof *s);
    s->sh = sh;
    s->cfg = sh->cfg;
    s->lfd = sh->lfd;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->rbuf = malloc(READ_BUF_SIZE);
    if (!s->rbuf) {
        snprintf(detail, detail_cap, "out of memory");
        return WS_ERR_NOMEM;
    }
    if (s->epfd >= 0)
        listener_set(s, true);
    if (s->epfd < 0 || !s->listen_registered) {
        snprintf(detail, detail_cap, "epoll: %s", strerror(errno));
        return WS_ERR_IO;
    }
    return WS_OK;
}

/* Tell this loop's peers we are going away, then release the loop. */
static void loop_end(server *s)
{
    shutdown_all(s);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s->rbuf);
}

static void *loop_thread(void *arg)
{
    serve_loop(arg);
    return NULL;
}

static ws_err apply_defaults(const ws_server_config *in, ws_server_config *out, char *detail,
                             size_t detail_cap)
{
    *out = *in;
    if (!out->host)
        out->host = "127.0.0.1";
    if (!out->max_message)
        out->max_message = WS_SERVER_DEFAULT_MAX_MESSAGE;
    if (!out->max_connections)
        out->max_connections = WS_SERVER_DEFAULT_MAX_CONNECTIONS;
    if (!out->handshake_timeout_ms)
        out->handshake_timeout_ms = WS_SERVER_HANDSHAKE_TIMEOUT_MS;
    if (!out->threads)
        out->threads = 1;
    if (out->threads < 0 || out->threads > MAX_THREADS) {
        snprintf(detail, detail_cap, "threads must be 1..%d", MAX_THREADS);
        return WS_ERR_CONFIG;
    }
    if (out->max_connections < 0 || out->handshake_timeout_ms < 0) {
        snprintf(detail, detail_cap, "max_connections and handshake_timeout_ms must be positive");
        return WS_ERR_CONFIG;
    }
    if ((out->tls_cert == NULL) != (out->tls_key == NULL)) {
        snprintf(detail, detail_cap, "TLS needs both a certificate and a key");
        return WS_ERR_CONFIG;
    }
    if (out->set_deflate_level && (out->deflate_level < 0 || out->deflate_level > 9)) {
        snprintf(detail, detail_cap, "deflate_level must be 0..9");
        return WS_ERR_CONFIG;
    }
    if (out->max_message > (uint64_t)SIZE_MAX / 4) {
        snprintf(detail, detail_cap, "max_message is too large");
        return WS_ERR_CONFIG;
    }
    return WS_OK;
}

ws_err ws_server_run(const ws_server_config *cfg, volatile sig_atomic_t *stop,
                     uint16_t *bound_port_out, char *detail, size_t detail_cap)
{
    char dummy[1];
    if (!detail || detail_cap == 0) {
        detail = dummy;
        detail_cap = sizeof dummy;
    }
    detail[0] = '\0';
    if (!cfg || !stop)
        return WS_ERR_INVALID_ARG;
    shared_state sh = {.lfd = -1, .stop = stop};
    ws_err e = apply_defaults(cfg, &sh.cfg, detail, detail_cap);
    if (e != WS_OK)
        return e;
    int nloops = sh.cfg.threads;
    server *loops = calloc((size_t)nloops, sizeof *loops);
    pthread_t *tids = calloc((size_t)nloops, sizeof *tids);
    if (!loops || !tids) {
        free(loops);
        free(tids);
        return WS_ERR_NOMEM;
    }
    for (int i = 0; i < nloops; i++)
        loops[i].epfd = -1;
    if (sh.cfg.tls_cert) {
        sh.tls = ws_tls_server_new(sh.cfg.tls_cert, sh.cfg.tls_key, detail, detail_cap);
        if (!sh.tls)
            e = WS_ERR_TLS;
    }
    uint16_t port = 0;
    if (e == WS_OK)
        e = ws_listen(sh.cfg.host, sh.cfg.port, &sh.lfd, &port, detail, detail_cap);
    int ready = 0;
    while (e == WS_OK && ready < nloops) {
        e = loop_init(&loops[ready], &sh, detail, detail_cap);
        ready++; /* loop_end releases what it got, also after a failure */
    }
    int started = 1; /* loop 0 runs on this thread */
    if (e == WS_OK) {
        for (; started < nloops; started++) {
            int rc = pthread_create(&tids[started], NULL, loop_thread, &loops[started]);
            if (rc != 0) {
                snprintf(detail, detail_cap, "cannot start event loop %d: %s", started,
                         strerror(rc));
                e = WS_ERR_NOMEM;
                atomic_store(&sh.failed, true);
                break;
            }
        }
    }
    if (e == WS_OK) {
        if (bound_port_out)
            *bound_port_out = port;
        if (sh.cfg.on_listen)
            sh.cfg.on_listen(sh.cfg.on_listen_ctx, port);
        serve_loop(&loops[0]);
    }
    for (int i = 1; i < started && i < nloops; i++)
        pthread_join(tids[i], NULL);
    for (int i = 0; i < ready; i++) {
        if (e == WS_OK && loops[i].error != WS_OK) {
            e = loops[i].error;
            snprintf(detail, detail_cap, "epoll_wait: %s", strerror(loops[i].error_errno));
        }
        loop_end(&loops[i]);
    }
    if (sh.lfd >= 0)
        close(sh.lfd);
    ws_tls_server_free(sh.tls);
    free(loops);
    free(tids);
    return e;
}
