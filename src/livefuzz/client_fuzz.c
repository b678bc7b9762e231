/*
 * `wsspec fuzz --client --listen HOST:PORT --exec "CLIENT {url}"`: the live
 * fuzzing loop for a client under test, one job. Seeds are a few unmasked
 * message patterns after a valid 101; each session is a corpus entry mutated
 * one to four times (client_session.c). A session whose shape was never seen
 * joins the corpus. A session that fires an oracle is confirmed by a second
 * run on the client's next connection, minimised (each step checked by a
 * run) and saved as a reproducer with "mode client".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "livefuzz/livefuzz.h"

#define MAX_CORPUS    256
#define MAX_PER_KIND  3
#define MAX_SHAPES    4096
#define CONNECT_MS    10000
#define MINIMIZE_MS   15000
#define MINIMIZE_RUNS 120

typedef struct {
    const ws_lf_config *cfg;
    ws_lf_client_target t;
    ws_lf_session *corpus[MAX_CORPUS];
    size_t ncorpus, nseeds;
    uint64_t shapes[MAX_SHAPES];
    size_t nshapes;
    uint64_t sessions;
    int64_t t0, deadline, first_finding_ns;
    int nfindings, per_kind[WS_LF_ORACLE_COUNT_];
    char sigs[64][128];
    size_t nsigs;
    bool unreachable; /* the client never connected */
    int stalls;       /* times the client stopped connecting */
} cfuzzer;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static bool done(const cfuzzer *f)
{
    return interrupted || (f->deadline && ws_now_ns() >= f->deadline) ||
           (f->cfg->runs && f->sessions >= f->cfg->runs) ||
           (f->cfg->stop_after > 0 && f->nfindings >= f->cfg->stop_after);
}

static bool new_shape(cfuzzer *f, uint64_t h)
{
    for (size_t i = 0; i < f->nshapes; i++)
        if (f->shapes[i] == h)
            return false;
    if (f->nshapes < MAX_SHAPES)
        f->shapes[f->nshapes++] = h;
    return true;
}

static void add_entry(cfuzzer *f, const ws_lf_session *s)
{
    size_t i = f->ncorpus;
    if (i == MAX_CORPUS) {
        i = f->nseeds + (size_t)(ws_now_ns() % (int64_t)(MAX_CORPUS - f->nseeds));
    } else {
        f->corpus[i] = malloc(sizeof(ws_lf_session));
        if (!f->corpus[i])
            return;
        f->ncorpus++;
    }
    ws_lf_session_copy(f->corpus[i], s);
}

typedef struct {
    cfuzzer *f;
    ws_lf_oracle want;
    ws_lf_repro r;
    ws_lf_verdict v;
} check_ctx;

static bool reproduces(void *ctx, const ws_lf_session *s)
{
    check_ctx *c = ctx;
    if (!ws_lf_session_render(s, &c->r))
        return false;
    /* A hung client stays hung, and a client that dies late would be
     * blamed on the next check: each check of a hang or a death starts a
     * fresh client. */
    bool fresh = c->want == WS_LF_HANG || c->want == WS_LF_CRASH || c->want == WS_LF_SANITIZER;
    if (fresh && c->f->t.exec_cmd)
        ws_lf_proc_stop(&c->f->t.proc);
    ws_lf_client_evaluate(&c->f->t, &c->r, &c->v, NULL);
    return c->v.oracle == c->want;
}

static bool known(cfuzzer *f, const ws_lf_verdict *v, char *sig, size_t cap)
{
    snprintf(sig, cap, "%s:%.60s", ws_lf_oracle_name(v->oracle), v->detail);
    for (char *p = sig; *p; p++)
        if (*p >= '0' && *p <= '9')
            *p = '#';
    if (f->per_kind[v->oracle] >= MAX_PER_KIND)
        return true;
    for (size_t i = 0; i < f->nsigs; i++)
        if (strcmp(f->sigs[i], sig) == 0)
            return true;
    return false;
}

static void save_finding(cfuzzer *f, ws_lf_repro *r, const char *path)
{
    char err[256];
    if (ws_lf_repro_save(r, path, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec fuzz: %s\n", err);
        return;
    }
    printf("finding: %s (%s) -> %s\n  %s\n", ws_lf_oracle_name(r->oracle), r->detail, path,
           r->note);
    if (f->t.exec_cmd) {
        char spath[4200];
        snprintf(spath, sizeof spath, "%s.stderr", path);
        FILE *in = fopen(f->t.proc.stderr_path, "rb"), *out = in ? fopen(spath, "wb") : NULL;
        char buf[8192];
        size_t n;
        while (out && (n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        if (out)
            fclose(out);
        if (in)
            fclose(in);
    }
    fflush(stdout);
}

static void handle_candidate(cfuzzer *f, const ws_lf_session *found, const ws_lf_verdict *first)
{
    char sig[128];
    int64_t seen_at = ws_now_ns() - f->t0;
    if (known(f, first, sig, sizeof sig))
        return;
    static check_ctx c;
    static ws_lf_session s;
    c.f = f;
    c.want = first->oracle;
    ws_lf_repro_init(&c.r);
    ws_lf_session_copy(&s, found);
    if (!reproduces(&c, &s) && !reproduces(&c, &s)) {
        ws_lf_repro_free(&c.r);
        return;
    }
    ws_lf_session_render(&s, &c.r);
    size_t acts0 = c.r.nacts, bytes0 = ws_lf_repro_bytes(&c.r);
    int64_t t_min = ws_now_ns(), until = ws_deadline_ms(MINIMIZE_MS);
    if (f->deadline && until > f->deadline + 10000000000LL)
        until = f->deadline + 10000000000LL;
    int tries = ws_lf_minimize(&s, reproduces, &c, MINIMIZE_RUNS, until);
    if (!reproduces(&c, &s) && !reproduces(&c, &s)) {
        ws_lf_session_copy(&s, found);
        if (!reproduces(&c, &s))
            c.v = *first;
        tries = -tries;
    }
    ws_lf_session_render(&s, &c.r);
    ws_lf_repro *r = &c.r;
    r->client_mode = true;
    r->oracle = first->oracle;
    snprintf(r->target, sizeof r->target, "%s", f->t.base_url);
    snprintf(r->detail, sizeof r->detail, "%s",
             c.v.oracle == first->oracle ? c.v.detail : first->detail);
    snprintf(r->shape, sizeof r->shape, "%s", c.v.shape);
    if (tries < 0)
        snprintf(r->note, sizeof r->note,
                 "minimization did not reproduce; original kept: %zu actions/%zu octets", acts0,
                 bytes0);
    else
        snprintf(
            r->note, sizeof r->note,
            "minimized from %zu actions/%zu octets to %zu actions/%zu octets (%d runs, %.1f s)",
            acts0, bytes0, r->nacts, ws_lf_repro_bytes(r), tries,
            (double)(ws_now_ns() - t_min) / 1e9);
    f->nfindings++;
    f->per_kind[first->oracle]++;
    if (f->nsigs < 64)
        snprintf(f->sigs[f->nsigs++], sizeof f->sigs[0], "%s", sig);
    if (f->first_finding_ns == 0)
        f->first_finding_ns = seen_at;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%03d.repro", f->cfg->findings_dir,
             ws_lf_oracle_name(first->oracle), f->nfindings);
    save_finding(f, r, path);
    if (first->oracle == WS_LF_HANG && f->t.exec_cmd)
        ws_lf_proc_stop(&f->t.proc);
    ws_lf_repro_free(&c.r);
}

static void run_loop(cfuzzer *f)
{
    ws_rng rng;
    ws_rng_seed(&rng, f->cfg->seed * 7919);
    static ws_lf_session cur;
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    size_t next_seed = 0;
    while (!done(f)) {
        bool mutate = next_seed >= f->nseeds;
        size_t idx = mutate ? (size_t)ws_rng_below(&rng, f->ncorpus) : next_seed++;
        ws_lf_session_copy(&cur, f->corpus[idx]);
        for (unsigned k = 1 + (unsigned)ws_rng_below(&rng, 4); mutate && k > 0; k--)
            ws_lf_client_mutate(&cur, &rng);
        if (!ws_lf_session_render(&cur, &r))
            continue;
        ws_lf_verdict v;
        int64_t t_s = ws_now_ns();
        ws_lf_client_evaluate(&f->t, &r, &v, NULL);
        f->sessions++;
        if (getenv("WSSPEC_FUZZ_TRACE"))
            fprintf(stderr, "session %llu: %.1fms %s %s %s\n", (unsigned long long)f->sessions,
                    (double)(ws_now_ns() - t_s) / 1e6, v.shape, ws_lf_oracle_name(v.oracle),
                    v.detail);
        if (v.oracle == WS_LF_UNREACHABLE) {
            /* At start: the client cannot be reached. Later: it stopped
             * connecting (stuck after a session); start it again. */
            fprintf(stderr, "wsspec fuzz: %s\n", v.detail);
            if (f->sessions == 1 || !f->t.exec_cmd || ++f->stalls > 3) {
                f->unreachable = f->sessions == 1;
                break;
            }
            ws_lf_proc_stop(&f->t.proc);
            continue;
        }
        if (v.oracle == WS_LF_NONE && new_shape(f, v.shape_hash))
            add_entry(f, &cur);
        if (v.oracle != WS_LF_NONE)
            handle_candidate(f, &cur, &v);
    }
    ws_lf_repro_free(&r);
}

int ws_lf_client_fuzz(const ws_lf_config *cfg)
{
    static cfuzzer fz;
    cfuzzer *f = &fz;
    memset(f, 0, sizeof *f);
    f->cfg = cfg;
    char err[512], stderr_path[4096];
    if (mkdir(cfg->findings_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "wsspec fuzz: cannot create %s: %s\n", cfg->findings_dir, strerror(errno));
        return 2;
    }
    snprintf(stderr_path, sizeof stderr_path, "%s/client-stderr.log", cfg->findings_dir);
    if (ws_lf_client_init(&f->t, cfg->listen, cfg->exec_cmd, stderr_path, cfg->allow_remote, err,
                          sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec fuzz: %s\n", err);
        return 2;
    }
    f->t.hang_ms = cfg->hang_ms;
    f->t.connect_ms = CONNECT_MS;
    f->t.rss_limit_kb = cfg->rss_limit_mb * 1024;
    static ws_lf_session s;
    for (size_t i = 0; ws_lf_client_seed(&s, i) && f->ncorpus < MAX_CORPUS; i++)
        add_entry(f, &s);
    f->nseeds = f->ncorpus;
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    f->t0 = ws_now_ns();
    f->deadline = cfg->seconds > 0 ? f->t0 + (int64_t)(cfg->seconds * 1e9) : 0;
    printf("wsspec fuzz: client mode, listening on %s, %zu seeds, seed %llu, %.0f s / %llu runs\n",
           f->t.base_url, f->nseeds, (unsigned long long)cfg->seed, cfg->seconds,
           (unsigned long long)cfg->runs);
    fflush(stdout);
    int status = 0;
    run_loop(f);
    double secs = (double)(ws_now_ns() - f->t0) / 1e9;
    printf("wsspec fuzz: %llu sessions in %.1f s (%.0f/s), corpus %zu (%zu seeds), %zu shapes, "
           "%d client starts, %d finding%s",
           (unsigned long long)f->sessions, secs, secs > 0 ? (double)f->sessions / secs : 0.0,
           f->ncorpus, f->nseeds, f->nshapes, f->t.proc.starts, f->nfindings,
           f->nfindings == 1 ? "" : "s");
    if (f->first_finding_ns)
        printf(", first after %.1f s", (double)f->first_finding_ns / 1e9);
    printf("\n");
    status = f->nfindings ? 1 : f->unreachable ? 3 : 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    ws_lf_client_stop(&f->t);
    for (size_t i = 0; i < f->ncorpus; i++)
        free(f->corpus[i]);
    return status;
}
