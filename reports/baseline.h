/*
 * Baselines (--baseline FILE) and `wsspec diff OLD NEW`.
 *
 * A baseline is a set of accepted results. Two formats, told apart by the
 * first non-blank character ('{' or '[' = JSON):
 *
 * 1. An index.json written by wsspec or Autobahn|Testsuite
 *    ({agent: {case id: {"behavior": ..., "behaviorClose": ...}}}). The
 *    accepted result of a case is computed like ws_result_of(). Agents are
 *    matched by exact name; when the baseline holds exactly one agent, it
 *    applies to every agent of the run (so a version bump in the Server
 *    header does not lose the baseline).
 *
 * 2. A text file, one rule per line:
 *
 *        # wsspec baseline
 *        *        OK
 *        6.4.*    NON-STRICT     # fails late on invalid UTF-8; tracked in #123
 *        9.*      ANY            # timing-dependent, not compared
 *        12.1.1   FAILED
 *
 *    PATTERN is a case-id glob (driver/pattern.h: '*' matches any run,
 *    anchored at both ends); VERDICT is OK, INFORMATIONAL, NON-STRICT,
 *    UNIMPLEMENTED, FAILED (the overall result) or ANY (never compared).
 *    Text after '#' is a comment, shown next to the case in the diff. Blank
 *    and comment-only lines are ignored. When several lines match a case,
 *    the LAST one wins. Rules apply to every agent.
 *
 * Results are ranked OK > INFORMATIONAL > NON-STRICT > UNIMPLEMENTED >
 * FAILED. Against its accepted verdict a case is a regression (worse),
 * improved (better) or unchanged; a case no rule covers is new; a case the
 * baseline lists (JSON: each case; text: each pattern without '*' that
 * matched nothing) that did not run is missing. Only regressions fail a run.
 */
#ifndef WSSPEC_REPORTS_BASELINE_H
#define WSSPEC_REPORTS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

#define WS_BASELINE_ANY (-1)

typedef struct {
    char *agent;   /* JSON: the agent; text rules: NULL (every agent) */
    char *pattern; /* a case id (JSON) or a glob (text) */
    int result;    /* ws_result, or WS_BASELINE_ANY */
    char *comment; /* text rules: after '#', trimmed; else NULL */
    int line;      /* text rules: 1-based line number; JSON: 0 */
} ws_baseline_rule;

typedef struct {
    ws_baseline_rule *rules;
    size_t n;
    bool patterns; /* text format */
    char source[256];
} ws_baseline;

/* Parse text (either format); name is used in error messages. false + a
 * one-line err ("NAME:3: unknown verdict 'PASSED'") on bad input. */
bool ws_baseline_parse(const char *text, size_t len, const char *name, ws_baseline *out, char *err,
                       size_t errcap);
/* Read and parse a file; a directory means DIR/index.json. */
bool ws_baseline_load(const char *path, ws_baseline *out, char *err, size_t errcap);
void ws_baseline_free(ws_baseline *b);

/* Rank for comparisons: OK 4, INFORMATIONAL 3, NON-STRICT 2, UNIMPLEMENTED 1, FAILED 0. */
int ws_result_rank(ws_result r);
/* "OK"... -> ws_result; also accepts the behavior names. -1 if unknown. */
int ws_result_parse(const char *name);

typedef enum {
    WS_DIFF_REGRESSION,
    WS_DIFF_IMPROVED,
    WS_DIFF_UNCHANGED,
    WS_DIFF_NEW,
    WS_DIFF_MISSING,
} ws_diff_kind;

typedef struct {
    ws_diff_kind kind;
    char agent[128];
    char id[64];
    int old_result;               /* accepted (ws_result or WS_BASELINE_ANY); -1 for NEW */
    int new_result;               /* ws_result; -1 for MISSING */
    const ws_baseline_rule *rule; /* the accepting rule, or NULL (points into the baseline) */
} ws_diff_item;

typedef struct {
    ws_diff_item *items;
    size_t n, cap;
    size_t count[5]; /* per ws_diff_kind */
    bool oom;
} ws_baseline_diff;

/* One current result, as compared. */
typedef struct {
    const char *agent;
    const char *id;
    ws_result result;
} ws_current_result;

/* Compare the results that ran against the baseline. Items are ordered by
 * agent then case id. The diff points into b: keep b alive while using it. */
void ws_baseline_compare(const ws_baseline *b, const ws_report_agent *agents, size_t nagents,
                         ws_baseline_diff *out);
/* The same for a flat list of results (used by `wsspec diff`). */
void ws_baseline_compare_list(const ws_baseline *b, const ws_current_result *cur, size_t n,
                              ws_baseline_diff *out);
void ws_baseline_diff_free(ws_baseline_diff *d);

/* True if the diff holds at least one regression (exit status 1). */
bool ws_baseline_has_regressions(const ws_baseline_diff *d);

/*
 * The diff as readable text (malloc'd, NUL-terminated; NULL when out of
 * memory): regressions, improvements, new and missing cases, one per line
 * with the accepted and current verdicts and the rule's comment, then a
 * summary line. Unchanged cases are listed only if show_unchanged.
 */
char *ws_baseline_diff_format(const ws_baseline_diff *d, bool show_unchanged);

/*
 * `wsspec diff OLD NEW`: OLD and NEW are index.json files or directories
 * holding one (OLD may also be a text baseline). Prints the diff to out.
 * Returns 0 (no regression), 1 (regressions) or 2 (bad input: one line
 * "wsspec diff: <reason>" on stderr, or in err with the _err variant).
 */
int ws_diff_index_files(const char *old_path, const char *new_path, FILE *out);
int ws_diff_index_files_err(const char *old_path, const char *new_path, FILE *out, char *err,
                            size_t errcap);

#endif
