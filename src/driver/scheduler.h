/*
 * Running many cases against one server: a pool of worker threads, each
 * case on its own connection. Cases that measure throughput (9.x) run
 * afterwards, one at a time, so parallel load does not distort them;
 * pause-based timing cases (5.19, 5.20, 6.4.x) start first so their waits
 * overlap with the rest of the pool.
 */
#ifndef WSSPEC_DRIVER_SCHEDULER_H
#define WSSPEC_DRIVER_SCHEDULER_H

#include <stddef.h>

#include "driver/result.h"
#include "driver/runner.h"

typedef struct {
    const ws_target *target;
    ws_case_result *results; /* one per case, initialised with ws_result_init */
    size_t n;
    int jobs;
    /* Called after each case, from a worker thread, one call at a time. */
    void (*on_done)(void *ctx, ws_case_result *r);
    void *ctx;
} ws_schedule;

void ws_schedule_run(const ws_schedule *s);

/* A sensible default for -j on this machine. */
int ws_default_jobs(void);

#endif
