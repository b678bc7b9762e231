#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "driver/scheduler.h"

typedef struct {
    const ws_schedule *s;
    size_t *order; /* indices into results, in run order */
    size_t n;
    atomic_size_t next;
    pthread_mutex_t lock;
} pool;

static void run_one(pool *p, size_t idx)
{
    const ws_schedule *s = p->s;
    ws_case_result *r = &s->results[idx];
    if (s->target->stop && *s->target->stop)
        return;
    ws_run_case(s->target, r->c, r);
    pthread_mutex_lock(&p->lock);
    if (s->on_done)
        s->on_done(s->ctx, r);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            return NULL;
        run_one(p, p->order[i]);
    }
}

/* Throughput cases that measure timing run alone, after the pool. */
static bool serial(unsigned flags)
{
    return (flags & WS_CASE_TIMED) && (flags & WS_CASE_PERF);
}

int ws_default_jobs(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    /* Most cases wait on the peer, not on the CPU. */
    long jobs = cpus * 4;
    return (int)(jobs < 4 ? 4 : jobs > 32 ? 32 : jobs);
}

void ws_schedule_run(const ws_schedule *s)
{
    size_t *order = malloc((s->n ? s->n : 1) * sizeof *order);
    if (!order)
        return;
    pool p = {.s = s, .order = order};
    pthread_mutex_init(&p.lock, NULL);
    /* Phase 1: pause-based timing cases first, then everything else but
     * throughput cases, in parallel. */
    for (size_t i = 0; i < s->n; i++) {
        unsigned f = s->results[i].c->flags;
        if ((f & WS_CASE_TIMED) && !(f & WS_CASE_PERF))
            order[p.n++] = i;
    }
    for (size_t i = 0; i < s->n; i++) {
        unsigned f = s->results[i].c->flags;
        if (!((f & WS_CASE_TIMED) && !(f & WS_CASE_PERF)) && !serial(f))
            order[p.n++] = i;
    }
    int jobs = s->jobs > 0 ? s->jobs : 1;
    pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
    int started = 0;
    atomic_init(&p.next, 0);
    for (int i = 0; threads && i < jobs && (size_t)i < p.n; i++)
        if (pthread_create(&threads[i], NULL, worker, &p) == 0)
            started++;
    if (started == 0)
        worker(&p);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    /* Phase 2: throughput cases, one at a time. */
    for (size_t i = 0; i < s->n; i++)
        if (serial(s->results[i].c->flags))
            run_one(&p, i);
    pthread_mutex_destroy(&p.lock);
    free(order);
}
