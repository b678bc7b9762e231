/*
 * The part of `wsspec test-server` that outlives argument parsing: case
 * selection, one run per server, progress on the terminal, incremental
 * per-case reports, and the final summary and exit status.
 */
#ifndef WSSPEC_CLI_OUTPUT_H
#define WSSPEC_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/case.h"
#include "driver/pattern.h"
#include "driver/runner.h"
#include "driver/spec.h"
#include "baseline.h"
#include "report.h"

/* Octets of one case's writes kept for --save-repro; the rest is counted. */
#define WS_REPRO_RECORD_LIMIT (1u << 20)

typedef struct {
    bool strict, quiet;
    const char *outdir;
    char command_line[2048];
    const ws_case **cases; /* selected, in id order */
    size_t *indices;       /* 1-based position of each in the full list */
    size_t ncases;
    ws_report_agent agents[64];
    size_t nagents;
    bool unreachable;
    double t_start;
    const char *junit_path; /* --junit FILE, or NULL */
    ws_baseline baseline;   /* --baseline FILE */
    bool have_baseline;
    const char *save_repro_dir; /* --save-repro DIR, or NULL */
    bool repro_prefix;          /* several servers: prefix file names with the agent */
    size_t repros_saved;
    const char *target_now;
    /* progress */
    bool tty, color;
    size_t done, failed, total;
    const char *agent_now;
} ws_cli_run;

/* Select the cases matching `cases` (all when empty) and not `excludes`.
 * Returns 0, or WS_EXIT_USAGE with a message when nothing matches. */
int ws_cli_select(ws_cli_run *run, const ws_registry *reg, unsigned role,
                  const ws_pattern_list *cases, const ws_pattern_list *excludes);
/* The agent named `name`, created (with every selected case not yet run)
 * if new; NULL when there are too many. */
ws_report_agent *ws_cli_agent(ws_cli_run *run, const char *name);
/* Progress and the per-case report after a case finished. */
void ws_cli_case_done(ws_cli_run *run, ws_report_agent *a, ws_case_result *r);
/* Write index.json and run.json now. */
bool ws_cli_write_index(ws_cli_run *run, bool complete);
void ws_cli_command_line(ws_cli_run *run, int argc, char **argv);
/* Load --baseline before anything runs: a bad file is a usage error. */
int ws_cli_load_baseline(ws_cli_run *run, const char *path);
/* The exclude-agent-cases patterns of `spec` that apply to `agent`. */
void ws_cli_agent_excludes(const ws_spec *spec, const char *agent, ws_pattern_list *out);
/* Probe the server, then run every selected case against it. */
void ws_cli_run_server(ws_cli_run *run, const ws_target *t, const char *agent, int jobs,
                       const ws_pattern_list *agent_excludes);
/* Write index.json/run.json, print the summary; returns the exit status. */
int ws_cli_finish(ws_cli_run *run, bool interrupted);
void ws_cli_run_free(ws_cli_run *run);

#endif
