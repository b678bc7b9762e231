/*
 * Report writers. They read only finished results; every octet that came
 * from the peer is escaped by the JSON writer (invalid UTF-8 included).
 */
#ifndef WSSPEC_REPORTS_REPORT_H
#define WSSPEC_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/result.h"

typedef struct {
    char name[128];        /* as shown in reports */
    char file_prefix[128]; /* lowercased, [a-z0-9_] only (Autobahn's rule) */
    ws_case_result *results;
    size_t nresults;
} ws_report_agent;

/* "<prefix>_case_1_1_1.json" into out. */
void ws_report_case_filename(const ws_report_agent *a, const ws_case_result *r, const char *ext,
                             char *out, size_t cap);
/* Autobahn's agent-to-file-prefix rule. */
void ws_report_file_prefix(const char *agent, char *out, size_t cap);

/* OUTDIR/<prefix>_case_X_Y_Z.json, written atomically. */
bool ws_report_case_json(const char *outdir, const ws_report_agent *a, const ws_case_result *r,
                         char *err, size_t errcap);

/* OUTDIR/index.json in Autobahn's schema (agent → case id → verdicts) for
 * every result that ran, and OUTDIR/run.json with wsspec's own summary
 * (complete or interrupted, command line, duration). */
bool ws_report_index_json(const char *outdir, const ws_report_agent *agents, size_t nagents,
                          bool complete, const char *command_line, double seconds, char *err,
                          size_t errcap);

/* Create the directory (and parents). */
bool ws_report_mkdir(const char *dir, char *err, size_t errcap);

#endif
