/*
 * The live fuzzing loop. Seeds are the conformance cases' own frames (the
 * registry, made concrete by the plan) plus --corpus reproducers; each
 * session is a corpus entry mutated one to four times. A session whose
 * response shape (handshake status, echo/Pong counts, close code, how the
 * connection ended, timing class) was never seen joins the corpus: the
 * grey-box feedback. A session that fires an oracle is confirmed by a second
 * run, minimised, and saved as a reproducer; the peer is restarted when it
 * died. Workers (-j) run sessions concurrently under a read lock; finding
 * handling takes the write lock so it runs alone.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/net.h"

#define MAX_CORPUS     1024
#define SHAPE_SLOTS    (1u << 14)
#define PROBE_EVERY_NS 2000000000LL
#define MAX_PER_KIND   3

typedef struct {
    ws_lf_session *s;
    bool seed;
} entry;

typedef struct {
    const ws_lf_config *cfg;
    ws_lf_target t;
    pthread_rwlock_t rw;
    pthread_mutex_t mu, proc_mu;
    entry corpus[MAX_CORPUS];
    size_t ncorpus, nseeds, next_seed;
    uint64_t *shapes;
    size_t nshapes;
    uint64_t sessions, started;
    int64_t t0, deadline, last_probe, first_finding_ns;
    int nfindings, per_kind[WS_LF_ORACLE_COUNT_];
    char sigs[64][128];
    size_t nsigs;
} fuzzer;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static bool done(fuzzer *f)
{
    return interrupted || (f->deadline && ws_now_ns() >= f->deadline) ||
           (f->cfg->stop_after > 0 && f->nfindings >= f->cfg->stop_after);
}

/* Under f->mu. True if the shape is new (and records it). */
static bool new_shape(fuzzer *f, uint64_t h)
{
    if (h == 0)
        h = 1;
    size_t i = (size_t)(h & (SHAPE_SLOTS - 1));
    for (size_t k = 0; k < SHAPE_SLOTS; k++, i = (i + 1) & (SHAPE_SLOTS - 1)) {
        if (f->shapes[i] == h)
            return false;
        if (f->shapes[i] == 0) {
            if (f->nshapes + 1 >= SHAPE_SLOTS / 2)
                return false;
            f->shapes[i] = h;
            f->nshapes++;
            return true;
        }
    }
    return false;
}

static bool add_entry(fuzzer *f, const ws_lf_session *s, bool seed)
{
    size_t i = f->ncorpus;
    if (i == MAX_CORPUS) { /* replace a random non-seed entry */
        if (f->nseeds >= MAX_CORPUS)
            return false;
        i = f->nseeds + (size_t)(ws_now_ns() % (int64_t)(MAX_CORPUS - f->nseeds));
    } else {
        f->corpus[i].s = malloc(sizeof(ws_lf_session));
        if (!f->corpus[i].s)
            return false;
        f->ncorpus++;
    }
    ws_lf_session_copy(f->corpus[i].s, s);
    f->corpus[i].seed = seed;
    if (seed)
        f->nseeds++;
    return true;
}

static void load_seeds(fuzzer *f)
{
    static ws_lf_session s;
    ws_lf_session_default(&s, f->t.host_port, f->t.resource);
    add_entry(f, &s, true);
    ws_registry *reg = f->cfg->corpus_seeds_only ? NULL : ws_registry_all();
    for (size_t i = 0; reg && i < ws_registry_count(reg); i++) {
        const ws_case *c = ws_registry_get(reg, i);
        if (ws_case_applies(c, WS_FOR_SERVERS) && f->ncorpus < MAX_CORPUS / 2 &&
            ws_lf_session_from_case(&s, c, f->t.host_port, f->t.resource))
            add_entry(f, &s, true);
    }
    if (reg)
        ws_registry_free(reg);
    DIR *d = f->cfg->corpus_dir ? opendir(f->cfg->corpus_dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL && f->ncorpus < MAX_CORPUS - 64) {
        size_t n = strlen(de->d_name);
        if (n < 7 || strcmp(de->d_name + n - 6, ".repro") != 0)
            continue;
        char path[4096], err[256];
        snprintf(path, sizeof path, "%s/%s", f->cfg->corpus_dir, de->d_name);
        ws_lf_repro r;
        if (ws_lf_repro_load(path, &r, err, sizeof err) != WS_OK) {
            fprintf(stderr, "wsspec fuzz: skipping corpus file: %s\n", err);
            continue;
        }
        if (ws_lf_session_from_repro(&s, &r))
            add_entry(f, &s, true);
        ws_lf_repro_free(&r);
    }
    if (d)
        closedir(d);
}

typedef struct {
    fuzzer *f;
    ws_lf_oracle want;
    ws_lf_repro r;
    ws_lf_verdict v;
} check_ctx;

static bool reproduces(void *ctx, const ws_lf_session *s)
{
    check_ctx *c = ctx;
    if (!ws_lf_session_render(s, &c->r))
        return false;
    /* A hung peer stays hung: each check of a hang starts from a fresh one. */
    char err[256];
    if (c->f->t.exec_cmd && (c->want == WS_LF_HANG || c->want == WS_LF_RSS) &&
        ws_lf_target_start(&c->f->t, err, sizeof err) != WS_OK)
        return false;
    ws_lf_evaluate(&c->f->t, &c->r, &c->v);
    if (c->v.oracle == WS_LF_NONE && (c->want == WS_LF_CRASH || c->want == WS_LF_SANITIZER))
        ws_lf_check_process(&c->f->t, 150, &c->v);
    return c->v.oracle == c->want;
}

static bool known(fuzzer *f, const ws_lf_verdict *v, char *sig, size_t cap)
{
    snprintf(sig, cap, "%s:%.60s", ws_lf_oracle_name(v->oracle), v->detail);
    /* Numbers in MUST details (echo indexes, sizes) do not make a new bug. */
    if (v->oracle == WS_LF_MUST || v->oracle == WS_LF_HANG)
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

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[8192];
    size_t n;
    while (out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (out)
        fclose(out);
    if (in)
        fclose(in);
}

/* Under the write lock: confirm, minimise, save. */
static void handle_candidate(fuzzer *f, const ws_lf_session *found, const ws_lf_verdict *first)
{
    char sig[128];
    int64_t seen_at = ws_now_ns() - f->t0;
    if (known(f, first, sig, sizeof sig)) {
        if ((first->oracle == WS_LF_HANG || first->oracle == WS_LF_RSS) && f->t.exec_cmd) {
            char err[256];
            ws_lf_target_start(&f->t, err, sizeof err);
        }
        return;
    }
    check_ctx *c = calloc(1, sizeof *c);
    ws_lf_session *s = malloc(sizeof *s);
    if (!c || !s) {
        free(c);
        free(s);
        return;
    }
    c->f = f;
    c->want = first->oracle;
    ws_lf_repro_init(&c->r);
    ws_lf_session_copy(s, found);
    /* An rss finding with --exec is minimized when the session alone, on a
     * fresh peer, still goes over the limit (a flood); otherwise it is the
     * sum of earlier sessions and saved as it is. */
    bool cumulative = first->oracle == WS_LF_UNRESPONSIVE ||
                      (first->oracle == WS_LF_UNREACHABLE && !f->t.exec_cmd) ||
                      (first->oracle == WS_LF_RSS && (!f->t.exec_cmd || !reproduces(c, s)));
    bool confirmed = cumulative || reproduces(c, s) || reproduces(c, s);
    if (!confirmed) {
        ws_lf_repro_free(&c->r);
        free(c);
        free(s);
        return;
    }
    ws_lf_session_render(s, &c->r);
    size_t acts0 = c->r.nacts, bytes0 = ws_lf_repro_bytes(&c->r);
    int tries = 0;
    int64_t t_min = ws_now_ns();
    if (!cumulative) {
        int budget_ms = first->oracle == WS_LF_HANG ? 60000 : 20000;
        int64_t until = ws_deadline_ms(budget_ms);
        /* Bounded: never more than 10 s past --seconds. */
        if (f->deadline && until > f->deadline + 10000000000LL)
            until = f->deadline + 10000000000LL;
        tries = ws_lf_minimize(s, reproduces, c, 200, until);
        /* Every step was checked by a run; the minimized session must
         * reproduce once more (within two runs; the last run gives the saved
         * observation), otherwise the original is kept. */
        if (!reproduces(c, s) && !reproduces(c, s)) {
            ws_lf_session_copy(s, found);
            if (!reproduces(c, s))
                c->v = *first;
            tries = -tries;
        }
    } else {
        c->v = *first;
    }
    ws_lf_session_render(s, &c->r);
    ws_lf_repro *r = &c->r;
    r->oracle = first->oracle;
    snprintf(r->target, sizeof r->target, "%s", f->t.url_text);
    snprintf(r->detail, sizeof r->detail, "%s",
             c->v.oracle == first->oracle ? c->v.detail : first->detail);
    snprintf(r->shape, sizeof r->shape, "%s", c->v.shape);
    snprintf(r->note, sizeof r->note,
             "minimized from %zu actions/%zu octets to %zu actions/%zu octets (%d runs, %.1f s)",
             acts0, bytes0, r->nacts, ws_lf_repro_bytes(r), tries,
             (double)(ws_now_ns() - t_min) / 1e9);
    if (tries < 0)
        snprintf(r->note, sizeof r->note,
                 "minimization did not reproduce; original kept: %zu actions/%zu octets", acts0,
                 bytes0);
    if (cumulative)
        snprintf(r->note, sizeof r->note,
                 "not minimized (%s is cumulative): %zu actions/%zu octets",
                 ws_lf_oracle_name(first->oracle), acts0, bytes0);
    f->nfindings++;
    f->per_kind[first->oracle]++;
    if (f->nsigs < 64)
        snprintf(f->sigs[f->nsigs++], sizeof f->sigs[0], "%s", sig);
    if (f->first_finding_ns == 0)
        f->first_finding_ns = seen_at;
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/%s-%03d.repro", f->cfg->findings_dir,
             ws_lf_oracle_name(first->oracle), f->nfindings);
    if (ws_lf_repro_save(r, path, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec fuzz: %s\n", err);
    } else {
        printf("finding: %s (%s) -> %s\n  %s\n", ws_lf_oracle_name(first->oracle), r->detail, path,
               r->note);
        if (f->t.exec_cmd) {
            char spath[4200];
            snprintf(spath, sizeof spath, "%s.stderr", path);
            copy_file(f->t.proc.stderr_path, spath);
        }
        fflush(stdout);
    }
    char d[64];
    if (f->t.exec_cmd && (first->oracle == WS_LF_HANG || first->oracle == WS_LF_RSS ||
                          ws_lf_proc_dead(&f->t.proc, 0, d, sizeof d)))
        ws_lf_target_start(&f->t, err, sizeof err);
    ws_lf_repro_free(&c->r);
    free(c);
    free(s);
}

static void save_corpus(fuzzer *f, const ws_lf_repro *r, const ws_lf_verdict *v)
{
    if (!f->cfg->corpus_dir)
        return;
    ws_lf_repro copy = *r;
    copy.oracle = WS_LF_NONE;
    snprintf(copy.target, sizeof copy.target, "%s", f->t.url_text);
    snprintf(copy.shape, sizeof copy.shape, "%s", v->shape);
    copy.detail[0] = copy.note[0] = 0;
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/live-%016llx.repro", f->cfg->corpus_dir,
             (unsigned long long)v->shape_hash);
    ws_lf_repro_save(&copy, path, err, sizeof err);
}

typedef struct {
    fuzzer *f;
    int id;
} worker_arg;

static void *worker(void *arg)
{
    fuzzer *f = ((worker_arg *)arg)->f;
    ws_rng rng;
    ws_rng_seed(&rng, f->cfg->seed * 7919 + (uint64_t)((worker_arg *)arg)->id);
    ws_lf_session *cur = malloc(sizeof *cur);
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    while (cur && !done(f)) {
        bool mutate = true;
        pthread_mutex_lock(&f->mu);
        if (f->cfg->runs && f->started >= f->cfg->runs) {
            pthread_mutex_unlock(&f->mu);
            break;
        }
        f->started++;
        size_t idx;
        if (f->next_seed < f->nseeds) {
            idx = f->next_seed++;
            mutate = false;
        } else {
            idx = (size_t)ws_rng_below(&rng, f->ncorpus);
        }
        ws_lf_session_copy(cur, f->corpus[idx].s);
        bool probe = ws_now_ns() - f->last_probe > PROBE_EVERY_NS;
        if (probe)
            f->last_probe = ws_now_ns();
        pthread_mutex_unlock(&f->mu);
        for (unsigned k = 1 + (unsigned)ws_rng_below(&rng, 4); mutate && k > 0; k--)
            ws_lf_session_mutate(cur, &rng);
        if (!ws_lf_session_render(cur, &r))
            continue;
        ws_lf_verdict v;
        int64_t t_s = ws_now_ns();
        pthread_rwlock_rdlock(&f->rw);
        ws_lf_evaluate(&f->t, &r, &v);
        pthread_rwlock_unlock(&f->rw);
        pthread_mutex_lock(&f->mu);
        f->sessions++;
        if (getenv("WSSPEC_FUZZ_TRACE"))
            fprintf(stderr, "session %llu: %.1fms %s %s\n", (unsigned long long)f->sessions,
                    (double)(ws_now_ns() - t_s) / 1e6, v.shape, ws_lf_oracle_name(v.oracle));
        bool fresh = v.oracle == WS_LF_NONE && new_shape(f, v.shape_hash);
        if (fresh && add_entry(f, cur, false))
            save_corpus(f, &r, &v);
        pthread_mutex_unlock(&f->mu);
        if (v.oracle != WS_LF_NONE) {
            pthread_rwlock_wrlock(&f->rw);
            handle_candidate(f, cur, &v);
            pthread_rwlock_unlock(&f->rw);
        } else if (probe) {
            pthread_rwlock_wrlock(&f->rw);
            ws_lf_check_alive(&f->t, &v);
            if (v.oracle != WS_LF_NONE)
                handle_candidate(f, cur, &v);
            pthread_rwlock_unlock(&f->rw);
        }
    }
    ws_lf_repro_free(&r);
    free(cur);
    return NULL;
}

int ws_lf_fuzz(const ws_lf_config *cfg)
{
    static fuzzer fz;
    fuzzer *f = &fz;
    memset(f, 0, sizeof *f);
    f->cfg = cfg;
    char err[512], stderr_path[4096];
    snprintf(stderr_path, sizeof stderr_path, "%s/peer-stderr.log", cfg->findings_dir);
    if (ws_lf_target_init(&f->t, cfg->url, cfg->exec_cmd, stderr_path, cfg->allow_remote, err,
                          sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec fuzz: %s\n", err);
        return 2;
    }
    if (mkdir(cfg->findings_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "wsspec fuzz: cannot create %s: %s\n", cfg->findings_dir, strerror(errno));
        return 2;
    }
    if (cfg->corpus_dir && mkdir(cfg->corpus_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "wsspec fuzz: cannot create %s: %s\n", cfg->corpus_dir, strerror(errno));
        return 2;
    }
    f->t.hang_ms = cfg->hang_ms;
    f->t.rss_limit_kb = cfg->rss_limit_mb * 1024;
    f->t.proc_lock = &f->proc_mu;
    pthread_mutex_init(&f->mu, NULL);
    pthread_mutex_init(&f->proc_mu, NULL);
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&f->rw, &ra);
    f->shapes = calloc(SHAPE_SLOTS, sizeof *f->shapes);
    int status = 0;
    if (!f->shapes) {
        fprintf(stderr, "wsspec fuzz: out of memory\n");
        return 2;
    }
    if (ws_lf_target_start(&f->t, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec fuzz: target unreachable: %s\n", err);
        status = 3;
    } else {
        ws_lf_verdict v;
        ws_lf_check_alive(&f->t, &v);
        if (v.oracle != WS_LF_NONE) {
            fprintf(stderr, "wsspec fuzz: target unreachable at start: %s\n", v.detail);
            status = 3;
        }
    }
    if (status == 0) {
        struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        load_seeds(f);
        f->t0 = f->last_probe = ws_now_ns();
        f->deadline = cfg->seconds > 0 ? f->t0 + (int64_t)(cfg->seconds * 1e9) : 0;
        printf("wsspec fuzz: %s, %zu seeds, seed %llu, %d job%s, %.0f s / %llu runs\n",
               f->t.url_text, f->nseeds, (unsigned long long)cfg->seed, cfg->jobs,
               cfg->jobs == 1 ? "" : "s", cfg->seconds, (unsigned long long)cfg->runs);
        fflush(stdout);
        int jobs = cfg->jobs < 1 ? 1 : cfg->jobs > 64 ? 64 : cfg->jobs;
        pthread_t th[64];
        worker_arg args[64];
        int started = 0;
        for (int i = 1; i < jobs; i++) {
            args[i] = (worker_arg){f, i};
            if (pthread_create(&th[i], NULL, worker, &args[i]) == 0)
                started = i;
        }
        args[0] = (worker_arg){f, 0};
        worker(&args[0]);
        for (int i = 1; i <= started; i++)
            pthread_join(th[i], NULL);
        double secs = (double)(ws_now_ns() - f->t0) / 1e9;
        printf("wsspec fuzz: %llu sessions in %.1f s (%.0f/s), corpus %zu (%zu seeds), "
               "%zu shapes, %d finding%s",
               (unsigned long long)f->sessions, secs, secs > 0 ? (double)f->sessions / secs : 0.0,
               f->ncorpus, f->nseeds, f->nshapes, f->nfindings, f->nfindings == 1 ? "" : "s");
        if (f->first_finding_ns)
            printf(", first after %.1f s", (double)f->first_finding_ns / 1e9);
        printf("\n");
        status = f->nfindings ? 1 : 0;
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    ws_lf_target_stop(&f->t);
    for (size_t i = 0; i < f->ncorpus; i++)
        free(f->corpus[i].s);
    free(f->shapes);
    pthread_rwlock_destroy(&f->rw);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->proc_mu);
    return status;
}
