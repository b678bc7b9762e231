#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "driver/scheduler.h"
#include "livefuzz/livefuzz.h"
#include "report_html.h"
#include "report_junit.h"
#include "wsspec/net.h"

static double now_s(void)
{
    return (double)ws_now_ns() / 1e9;
}

int ws_cli_select(ws_cli_run *run, const ws_registry *reg, unsigned role,
                  const ws_pattern_list *cases, const ws_pattern_list *excludes)
{
    size_t n = ws_registry_count(reg);
    run->cases = calloc(n ? n : 1, sizeof *run->cases);
    run->indices = calloc(n ? n : 1, sizeof *run->indices);
    if (!run->cases || !run->indices)
        return WS_EXIT_USAGE;
    for (size_t i = 0; i < n; i++) {
        const ws_case *c = ws_registry_get(reg, i);
        if (!ws_case_applies(c, role))
            continue;
        if (cases->n && !ws_pattern_list_match((const char *const *)cases->items, cases->n, c->id))
            continue;
        if (excludes->n &&
            ws_pattern_list_match((const char *const *)excludes->items, excludes->n, c->id))
            continue;
        run->cases[run->ncases] = c;
        run->indices[run->ncases++] = i + 1;
    }
    if (run->ncases == 0) {
        fprintf(stderr, "wsspec: no case matches the selection (see 'wsspec list')\n");
        return WS_EXIT_USAGE;
    }
    run->tty = isatty(STDERR_FILENO);
    run->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    run->t_start = now_s();
    return 0;
}

void ws_cli_command_line(ws_cli_run *run, int argc, char **argv)
{
    size_t n = (size_t)snprintf(run->command_line, sizeof run->command_line, "wsspec");
    for (int i = 0; i < argc && n < sizeof run->command_line; i++)
        n += (size_t)snprintf(run->command_line + n, sizeof run->command_line - n, " %s", argv[i]);
}

void ws_cli_agent_excludes(const ws_spec *spec, const char *agent, ws_pattern_list *out)
{
    memset(out, 0, sizeof *out);
    if (!agent)
        return;
    for (size_t i = 0; i < spec->n_exclude_agent_cases; i++) {
        const ws_spec_agent_cases *ac = &spec->exclude_agent_cases[i];
        if (!ws_pattern_match(ac->agent, agent))
            continue;
        char **grown = realloc(out->items, (out->n + ac->n_cases) * sizeof *grown);
        if (!grown)
            return;
        out->items = grown;
        for (size_t k = 0; k < ac->n_cases; k++)
            out->items[out->n++] = strdup(ac->cases[k]);
    }
}

static void progress(ws_cli_run *run)
{
    if (run->quiet)
        return;
    if (run->tty) {
        fprintf(stderr, "\r%s: %zu/%zu cases, %zu failed   ", run->agent_now, run->done, run->total,
                run->failed);
        if (run->done == run->total)
            fprintf(stderr, "\n");
    } else if (run->done % 50 == 0 || run->done == run->total) {
        fprintf(stderr, "%s: %zu/%zu cases, %zu failed\n", run->agent_now, run->done, run->total,
                run->failed);
    }
    fflush(stderr);
}

typedef struct {
    ws_cli_run *run;
    ws_report_agent *agent;
} done_ctx;

void ws_cli_case_done(ws_cli_run *run, ws_report_agent *a, ws_case_result *r)
{
    if (!r->ran)
        return; /* interrupted */
    run->done++;
    if (r->result == WS_RESULT_FAILED || (run->strict && r->result == WS_RESULT_NON_STRICT))
        run->failed++;
    char err[512];
    if (!ws_report_case_json(run->outdir, a, r, err, sizeof err))
        fprintf(stderr, "%swsspec: cannot write the report of case %s: %s\n", run->tty ? "\n" : "",
                r->c->id, err);
    if (run->save_repro_dir && r->result == WS_RESULT_FAILED) {
        char path[4096];
        if (ws_lf_save_case_repro(run->save_repro_dir, run->repro_prefix ? a->file_prefix : NULL, r,
                                  run->target_now, path, sizeof path, err, sizeof err) == WS_OK)
            run->repros_saved++;
        else if (path[0])
            fprintf(stderr, "%swsspec: cannot save the reproducer of case %s: %s\n",
                    run->tty ? "\n" : "", r->c->id, err);
    }
    ws_result_record_free(r);
    progress(run);
}

static void on_done(void *ctx, ws_case_result *r)
{
    done_ctx *d = ctx;
    ws_cli_case_done(d->run, d->agent, r);
}

static void unique_agent_name(ws_cli_run *run, ws_report_agent *a, const char *name)
{
    snprintf(a->name, sizeof a->name, "%.120s", name);
    for (int k = 2; k < 100; k++) {
        bool clash = false;
        char prefix[128];
        ws_report_file_prefix(a->name, prefix, sizeof prefix);
        for (size_t i = 0; i < run->nagents; i++)
            if (strcmp(run->agents[i].file_prefix, prefix) == 0)
                clash = true;
        if (!clash) {
            snprintf(a->file_prefix, sizeof a->file_prefix, "%s", prefix);
            return;
        }
        snprintf(a->name, sizeof a->name, "%.100s-%d", name, k);
    }
}

void ws_cli_run_server(ws_cli_run *run, const ws_target *t, const char *agent, int jobs,
                       const ws_pattern_list *agent_excludes)
{
    char server[128] = "", detail[512] = "", hostport[300];
    ws_url_host_port(&t->url, hostport, sizeof hostport);
    if (ws_probe_server(t, server, sizeof server, detail, sizeof detail) != WS_OK) {
        fprintf(stderr, "wsspec test-server: %s: %s\n", t->url_text, detail);
        run->unreachable = true;
        return;
    }
    if (run->nagents >= 64)
        return;
    ws_report_agent *a = &run->agents[run->nagents];
    unique_agent_name(run, a, agent ? agent : server[0] ? server : hostport);
    a->results = calloc(run->ncases, sizeof *a->results);
    if (!a->results)
        return;
    run->nagents++;
    for (size_t i = 0; i < run->ncases; i++) {
        const ws_case *c = run->cases[i];
        ws_result_init(&a->results[a->nresults], c, run->indices[i]);
        snprintf(a->results[a->nresults].agent, sizeof a->results[0].agent, "%s", a->name);
        if (agent_excludes->n && ws_pattern_list_match((const char *const *)agent_excludes->items,
                                                       agent_excludes->n, c->id))
            continue;
        a->nresults++;
    }
    if (!run->quiet)
        fprintf(stderr, "wsspec: testing %s (agent \"%s\"): %zu cases, %d in parallel\n",
                t->url_text, a->name, a->nresults, jobs);
    run->done = run->failed = 0;
    run->total = a->nresults;
    run->agent_now = a->name;
    run->target_now = t->url_text;
    if (run->save_repro_dir)
        for (size_t i = 0; i < a->nresults; i++)
            a->results[i].tx_record_limit = WS_REPRO_RECORD_LIMIT;
    done_ctx ctx = {run, a};
    ws_schedule s = {.target = t,
                     .results = a->results,
                     .n = a->nresults,
                     .jobs = jobs,
                     .on_done = on_done,
                     .ctx = &ctx};
    ws_schedule_run(&s);
}

static const char *paint(const ws_cli_run *run, ws_result r)
{
    if (!run->color)
        return "";
    switch (r) {
    case WS_RESULT_OK:
        return "\033[32m";
    case WS_RESULT_FAILED:
        return "\033[31m";
    case WS_RESULT_NON_STRICT:
        return "\033[33m";
    default:
        return "\033[36m";
    }
}

static void print_summary(const ws_cli_run *run, const ws_report_agent *a)
{
    const char *reset = run->color ? "\033[0m" : "";
    printf("\n%s\n", a->name);
    printf("  %-22s %6s %6s %10s %13s %13s %7s\n", "family", "cases", "OK", "NON-STRICT",
           "INFORMATIONAL", "UNIMPLEMENTED", "FAILED");
    size_t i = 0, totals[5] = {0}, total_ran = 0;
    while (i < a->nresults) {
        const char *fam = ws_family_title(a->results[i].c->id);
        size_t counts[5] = {0}, ran = 0;
        for (; i < a->nresults && strcmp(ws_family_title(a->results[i].c->id), fam) == 0; i++)
            if (a->results[i].ran) {
                counts[a->results[i].result]++;
                ran++;
            }
        for (int k = 0; k < 5; k++)
            totals[k] += counts[k];
        total_ran += ran;
        if (ran == 0)
            continue;
        printf("  %-22s %6zu %6zu %10zu %13zu %13zu %s%7zu%s\n", fam, ran, counts[WS_RESULT_OK],
               counts[WS_RESULT_NON_STRICT], counts[WS_RESULT_INFORMATIONAL],
               counts[WS_RESULT_UNIMPLEMENTED],
               counts[WS_RESULT_FAILED] ? paint(run, WS_RESULT_FAILED) : "",
               counts[WS_RESULT_FAILED], counts[WS_RESULT_FAILED] ? reset : "");
    }
    printf("  %-22s %6zu %6zu %10zu %13zu %13zu %7zu\n", "total", total_ran, totals[0], totals[3],
           totals[1], totals[2], totals[4]);
    size_t shown = 0;
    for (size_t k = 0; k < a->nresults; k++) {
        const ws_case_result *r = &a->results[k];
        if (!r->ran || r->result == WS_RESULT_OK || r->result == WS_RESULT_INFORMATIONAL)
            continue;
        if (shown++ == 25) {
            printf("  ... more in index.json\n");
            break;
        }
        printf("  %s%-10s%s %-8s %s / %s: %s%s%s\n", paint(run, r->result),
               ws_result_name(r->result), reset, r->c->id, ws_behavior_name(r->behavior),
               ws_close_verdict_name(r->behavior_close),
               r->behavior != WS_BEHAVIOR_OK ? r->reason : r->reason_close,
               r->behavior != WS_BEHAVIOR_OK && r->behavior_close != WS_CLOSE_VERDICT_OK ? " " : "",
               r->behavior != WS_BEHAVIOR_OK && r->behavior_close != WS_CLOSE_VERDICT_OK
                   ? r->reason_close
                   : "");
    }
}

ws_report_agent *ws_cli_agent(ws_cli_run *run, const char *name)
{
    for (size_t i = 0; i < run->nagents; i++)
        if (strcmp(run->agents[i].name, name) == 0)
            return &run->agents[i];
    if (run->nagents >= 64)
        return NULL;
    ws_report_agent *a = &run->agents[run->nagents];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%.120s", name);
    ws_report_file_prefix(a->name, a->file_prefix, sizeof a->file_prefix);
    a->results = calloc(run->ncases ? run->ncases : 1, sizeof *a->results);
    if (!a->results)
        return NULL;
    for (size_t i = 0; i < run->ncases; i++) {
        ws_result_init(&a->results[i], run->cases[i], run->indices[i]);
        snprintf(a->results[i].agent, sizeof a->results[i].agent, "%s", a->name);
    }
    a->nresults = run->ncases;
    run->nagents++;
    run->total = run->ncases;
    run->agent_now = a->name;
    return a;
}

bool ws_cli_write_index(ws_cli_run *run, bool complete)
{
    char err[512];
    if (!run->nagents)
        return true;
    if (ws_report_index_json(run->outdir, run->agents, run->nagents, complete, run->command_line,
                             now_s() - run->t_start, err, sizeof err))
        return true;
    fprintf(stderr, "wsspec: cannot write index.json: %s\n", err);
    return false;
}

int ws_cli_load_baseline(ws_cli_run *run, const char *path)
{
    char err[512];
    if (!ws_baseline_load(path, &run->baseline, err, sizeof err)) {
        fprintf(stderr, "wsspec: --baseline: %s\n", err);
        return WS_EXIT_USAGE;
    }
    run->have_baseline = true;
    return 0;
}

/* HTML and JUnit after index.json; false if any could not be written. */
static bool write_reports(ws_cli_run *run, bool complete, double secs)
{
    char err[512], date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    ws_html_meta meta = {.version = WSSPEC_VERSION,
                         .date = date,
                         .command_line = run->command_line,
                         .seconds = secs,
                         .complete = complete};
    bool ok = true;
    if (run->nagents &&
        !ws_report_html(run->outdir, run->agents, run->nagents, &meta, err, sizeof err)) {
        fprintf(stderr, "wsspec: cannot write the HTML report: %s\n", err);
        ok = false;
    }
    if (run->junit_path && !ws_report_junit(run->junit_path, run->agents, run->nagents, run->strict,
                                            err, sizeof err)) {
        fprintf(stderr, "wsspec: cannot write %s: %s\n", run->junit_path, err);
        ok = false;
    }
    return ok;
}

int ws_cli_finish(ws_cli_run *run, bool interrupted)
{
    double secs = now_s() - run->t_start;
    bool wrote = ws_cli_write_index(run, !interrupted);
    wrote = write_reports(run, !interrupted, secs) && wrote;
    bool failed = false;
    for (size_t i = 0; i < run->nagents; i++) {
        print_summary(run, &run->agents[i]);
        for (size_t k = 0; k < run->agents[i].nresults; k++) {
            ws_result r = run->agents[i].results[k].result;
            if (run->agents[i].results[k].ran &&
                (r == WS_RESULT_FAILED || (run->strict && r == WS_RESULT_NON_STRICT)))
                failed = true;
        }
    }
    if (run->nagents)
        printf("\n%s in %.1f s. Report: %s/index.html (and index.json)\n",
               interrupted ? "Interrupted (partial results)" : "Done", secs, run->outdir);
    if (run->have_baseline && run->nagents) {
        ws_baseline_diff diff;
        ws_baseline_compare(&run->baseline, run->agents, run->nagents, &diff);
        char *text = ws_baseline_diff_format(&diff, false);
        if (text)
            printf("\nAgainst the baseline %s:\n%s", run->baseline.source, text);
        free(text);
        /* With a baseline, only regressions fail the run. */
        failed = ws_baseline_has_regressions(&diff);
        ws_baseline_diff_free(&diff);
    }
    fflush(stdout);
    if (run->unreachable)
        return WS_EXIT_UNREACHABLE;
    if (!wrote)
        return WS_EXIT_USAGE;
    if (failed)
        return WS_EXIT_FAILED;
    return interrupted ? WS_EXIT_INTERRUPTED : WS_EXIT_OK;
}

void ws_cli_run_free(ws_cli_run *run)
{
    for (size_t i = 0; i < run->nagents; i++) {
        for (size_t k = 0; k < run->ncases; k++)
            ws_result_free(&run->agents[i].results[k]);
        free(run->agents[i].results);
    }
    free(run->cases);
    free(run->indices);
    if (run->have_baseline)
        ws_baseline_free(&run->baseline);
}
