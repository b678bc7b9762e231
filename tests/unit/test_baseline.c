/* Baselines and `wsspec diff` (reports/baseline.c). */
#include "report_fixture.h"

#include <sys/stat.h>

#include "baseline.h"

static void parse_ok(const char *text, ws_baseline *b)
{
    char err[512] = "";
    cr_assert(ws_baseline_parse(text, strlen(text), "base", b, err, sizeof err), "%s", err);
}

static void parse_bad(const char *text, const char *want_err)
{
    ws_baseline b;
    char err[512] = "";
    cr_assert_not(ws_baseline_parse(text, strlen(text), "base", &b, err, sizeof err), "%s", text);
    cr_expect(strstr(err, want_err), "error '%s' lacks '%s'", err, want_err);
    cr_expect_null(strchr(err, '\n'), "one line: %s", err);
}

static const ws_diff_item *item(const ws_baseline_diff *d, const char *agent, const char *id)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->items[i].id, id) == 0 && strcmp(d->items[i].agent, agent) == 0)
            return &d->items[i];
    return NULL;
}

Test(baseline, verdict_ranking)
{
    cr_expect_gt(ws_result_rank(WS_RESULT_OK), ws_result_rank(WS_RESULT_INFORMATIONAL));
    cr_expect_gt(ws_result_rank(WS_RESULT_INFORMATIONAL), ws_result_rank(WS_RESULT_NON_STRICT));
    cr_expect_gt(ws_result_rank(WS_RESULT_NON_STRICT), ws_result_rank(WS_RESULT_UNIMPLEMENTED));
    cr_expect_gt(ws_result_rank(WS_RESULT_UNIMPLEMENTED), ws_result_rank(WS_RESULT_FAILED));
    cr_expect_eq(ws_result_parse("non-strict"), WS_RESULT_NON_STRICT);
    cr_expect_eq(ws_result_parse("PASSED"), -1);
}

/* Fixture verdicts: 1.1.1 OK, 1.1.2 NON-STRICT, 2.1 FAILED, 2.2 UNIMPLEMENTED,
 * 2.3 INFORMATIONAL, 9.1.1 OK. */
Test(baseline, pattern_rules_last_match_wins)
{
    ws_baseline b;
    parse_ok("# accepted results\n"
             "*      OK\n"
             "1.1.*  NON-STRICT   # late UTF-8 failure, issue #12\n"
             "2.2    FAILED\n"
             "2.3    ANY          # timing\n"
             "\n"
             "   7.7.7 OK\n",
             &b);
    cr_expect(b.patterns);
    cr_expect_eq(b.n, 5u);
    cr_expect_str_eq(b.rules[1].comment, "late UTF-8 failure, issue #12");
    ws_report_agent a;
    fx_agent(&a, "srv", false);
    ws_baseline_diff d;
    ws_baseline_compare(&b, &a, 1, &d);
    cr_expect_eq(item(&d, "srv", "1.1.1")->kind, WS_DIFF_IMPROVED);  /* NON-STRICT -> OK */
    cr_expect_eq(item(&d, "srv", "1.1.2")->kind, WS_DIFF_UNCHANGED); /* NON-STRICT */
    cr_expect_eq(item(&d, "srv", "2.1")->kind, WS_DIFF_REGRESSION);  /* OK -> FAILED */
    cr_expect_eq(item(&d, "srv", "2.2")->kind, WS_DIFF_IMPROVED);    /* FAILED -> UNIMPL */
    cr_expect_eq(item(&d, "srv", "2.3")->kind, WS_DIFF_UNCHANGED);   /* ANY */
    cr_expect_eq(item(&d, "srv", "9.1.1")->kind, WS_DIFF_UNCHANGED);
    cr_expect_eq(item(&d, "", "7.7.7")->kind, WS_DIFF_MISSING);
    cr_expect_eq(d.count[WS_DIFF_REGRESSION], 1u);
    cr_expect(ws_baseline_has_regressions(&d));
    char *text = ws_baseline_diff_format(&d, false);
    cr_assert(text);
    cr_expect(strstr(text, "Regressions: 1\n  srv"), "%s", text);
    cr_expect(strstr(text, "2.1        OK -> FAILED   [line 2: * OK]"), "%s", text);
    cr_expect(strstr(text, "[line 3: 1.1.* NON-STRICT # late UTF-8 failure, issue #12]"), "%s",
              text);
    cr_expect(strstr(text, "Missing (accepted, but did not run): 1"), "%s", text);
    cr_expect(strstr(text, "1 regression, 2 improved, 3 unchanged, 0 new, 1 missing\n"), "%s",
              text);
    free(text);
    ws_baseline_diff_free(&d);
    fx_agent_free(&a);
    ws_baseline_free(&b);
}

Test(baseline, uncovered_cases_are_new)
{
    ws_baseline b;
    parse_ok("2.*  FAILED\n", &b);
    ws_report_agent a;
    fx_agent(&a, "srv", false);
    ws_baseline_diff d;
    ws_baseline_compare(&b, &a, 1, &d);
    cr_expect_eq(d.count[WS_DIFF_NEW], 3u); /* 1.1.1, 1.1.2, 9.1.1 */
    cr_expect_eq(d.count[WS_DIFF_REGRESSION], 0u);
    cr_expect_eq(d.count[WS_DIFF_IMPROVED], 2u); /* 2.2 UNIMPL, 2.3 INFO */
    cr_expect_not(ws_baseline_has_regressions(&d));
    ws_baseline_diff_free(&d);
    fx_agent_free(&a);
    ws_baseline_free(&b);
}

static const char index_json[] =
    "{\n"
    "   \"srv/1.0\": {\n"
    "      \"1.1.1\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\", \"duration\": 1,\n"
    "                 \"remoteCloseCode\": 1000, \"reportfile\": \"x.json\"},\n"
    "      \"1.1.2\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\"},\n"
    "      \"2.1\": {\"behavior\": \"OK\", \"behaviorClose\": \"WRONG CODE\"},\n"
    "      \"2.2\": {\"behavior\": \"UNIMPLEMENTED\", \"behaviorClose\": \"OK\"},\n"
    "      \"4.4.4\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\"}\n"
    "   }\n"
    "}\n";

Test(baseline, index_json_single_agent_applies_to_any_name)
{
    ws_baseline b;
    parse_ok(index_json, &b);
    cr_expect_not(b.patterns);
    cr_expect_eq(b.n, 5u);
    cr_expect_eq(b.rules[2].result, WS_RESULT_FAILED, "computed like ws_result_of");
    ws_report_agent a;
    fx_agent(&a, "srv/2.0", false); /* a new version: another name */
    ws_baseline_diff d;
    ws_baseline_compare(&b, &a, 1, &d);
    cr_expect_eq(item(&d, "srv/2.0", "1.1.1")->kind, WS_DIFF_UNCHANGED);
    cr_expect_eq(item(&d, "srv/2.0", "1.1.2")->kind, WS_DIFF_REGRESSION); /* OK -> NON-STRICT */
    cr_expect_eq(item(&d, "srv/2.0", "2.1")->kind, WS_DIFF_UNCHANGED);    /* FAILED */
    cr_expect_eq(item(&d, "srv/2.0", "2.2")->kind, WS_DIFF_UNCHANGED);
    cr_expect_eq(item(&d, "srv/2.0", "2.3")->kind, WS_DIFF_NEW);
    cr_expect_eq(item(&d, "srv/2.0", "4.4.4")->kind, WS_DIFF_MISSING);
    cr_expect_eq(d.count[WS_DIFF_NEW], 2u); /* 2.3, 9.1.1 */
    ws_baseline_diff_free(&d);
    fx_agent_free(&a);
    ws_baseline_free(&b);
}

Test(baseline, index_json_several_agents_match_by_name)
{
    ws_baseline b;
    parse_ok("{\"a\": {\"1.1.1\": {\"behavior\": \"FAILED\", \"behaviorClose\": \"OK\"}},"
             " \"b\": {\"1.1.1\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\"}}}",
             &b);
    ws_report_agent ag[2];
    fx_agent(&ag[0], "a", false);
    fx_agent(&ag[1], "c", false);
    ws_baseline_diff d;
    ws_baseline_compare(&b, ag, 2, &d);
    cr_expect_eq(item(&d, "a", "1.1.1")->kind, WS_DIFF_IMPROVED);
    cr_expect_eq(item(&d, "c", "1.1.1")->kind, WS_DIFF_NEW, "no baseline agent named c");
    cr_expect_eq(item(&d, "b", "1.1.1")->kind, WS_DIFF_MISSING);
    ws_baseline_diff_free(&d);
    fx_agent_free(&ag[0]);
    fx_agent_free(&ag[1]);
    ws_baseline_free(&b);
}

Test(baseline, bad_files_give_one_line_errors)
{
    parse_bad("1.1.1\n", "base:1: expected 'PATTERN VERDICT [# comment]', found 1 word");
    parse_bad("# c\n1.1.1 OK extra\n", "base:2: expected");
    parse_bad("1.1.1 PASSED\n", "base:1: unknown verdict 'PASSED'");
    parse_bad("1.1.<1> OK\n", "base:1: bad case pattern '1.1.<1>'");
    parse_bad("{\"a\": ", "base: not valid JSON: line 1");
    parse_bad("[1, 2]", "base: expected an index.json object of agents, found an array");
    parse_bad("{\"a\": []}", "agent \"a\": expected an object of cases");
    parse_bad("{\"a\": {\"1.1\": {\"behavior\": \"GREAT\"}}}",
              "agent \"a\" case 1.1: unknown behavior 'GREAT'");
    parse_bad("{\"a\": {\"1.1\": {\"behaviorClose\": \"OK\"}}}", "no \"behavior\"");
    parse_bad("{\"a\": {\"1.1\": {\"behavior\": \"OK\", \"behaviorClose\": \"MEH\"}}}",
              "unknown behaviorClose 'MEH'");
    ws_baseline b;
    char err[512] = "";
    cr_expect_not(ws_baseline_load("/nonexistent/base.txt", &b, err, sizeof err));
    cr_expect_str_eq(err, "/nonexistent/base.txt: No such file or directory");
}

Test(baseline, empty_text_baseline_makes_everything_new)
{
    ws_baseline b;
    parse_ok("# nothing accepted yet\n\n", &b);
    ws_report_agent a;
    fx_agent(&a, "srv", false);
    ws_baseline_diff d;
    ws_baseline_compare(&b, &a, 1, &d);
    cr_expect_eq(d.count[WS_DIFF_NEW], FX_NCASES);
    ws_baseline_diff_free(&d);
    fx_agent_free(&a);
    ws_baseline_free(&b);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

Test(baseline, diff_command_on_files_and_directories)
{
    char dir[64], old_path[256], new_dir[256], new_path[512], bad[256];
    fx_tmpdir(dir, sizeof dir);
    snprintf(old_path, sizeof old_path, "%s/old.json", dir);
    write_text(old_path, index_json);
    snprintf(new_dir, sizeof new_dir, "%s/new", dir);
    cr_assert_eq(mkdir(new_dir, 0755), 0);
    snprintf(new_path, sizeof new_path, "%s/index.json", new_dir);
    write_text(new_path, "{\"srv/1.1\": {"
                         "\"1.1.1\": {\"behavior\": \"FAILED\", \"behaviorClose\": \"OK\"},"
                         "\"2.1\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\"},"
                         "\"5.5\": {\"behavior\": \"OK\", \"behaviorClose\": \"OK\"}}}");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(ws_diff_index_files(old_path, new_dir, out), 1);
    fclose(out);
    cr_expect(strstr(buf, "Regressions: 1\n  srv/1.1                  1.1.1      OK -> FAILED\n"),
              "%s", buf);
    cr_expect(strstr(buf, "Improved: 1\n  srv/1.1                  2.1        FAILED -> OK\n"),
              "%s", buf);
    cr_expect(strstr(buf, "New (no accepted verdict): 1"), "%s", buf);
    cr_expect(strstr(buf, "1 regression, 1 improved, 0 unchanged, 1 new, 3 missing"), "%s", buf);
    free(buf);

    /* No regression: exit 0. Same file against itself. */
    out = open_memstream(&buf, &len);
    cr_expect_eq(ws_diff_index_files(new_path, new_path, out), 0);
    fclose(out);
    cr_expect(strstr(buf, "0 regressions, 0 improved, 3 unchanged"), "%s", buf);
    free(buf);

    /* Bad input: 2 and a one-line reason. */
    char err[512] = "";
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    write_text(bad, "{\"x\": 1}");
    out = open_memstream(&buf, &len);
    cr_expect_eq(ws_diff_index_files_err(old_path, bad, out, err, sizeof err), 2);
    cr_expect(strstr(err, "bad.json: agent \"x\": expected an object of cases"), "%s", err);
    cr_expect_eq(ws_diff_index_files_err(dir, new_dir, out, err, sizeof err), 2,
                 "a directory without index.json");
    cr_expect(strstr(err, "/index.json: No such file or directory"), "%s", err);
    write_text(bad, "* OK\n");
    cr_expect_eq(ws_diff_index_files_err(bad, new_path, out, err, sizeof err), 1,
                 "a text baseline works as OLD");
    cr_expect_eq(ws_diff_index_files_err(old_path, bad, out, err, sizeof err), 2);
    cr_expect(strstr(err, "not an index.json"), "%s", err);
    fclose(out);
    free(buf);
    unlink(bad);
    unlink(old_path);
    unlink(new_path);
    rmdir(new_dir);
    fx_rmdir(dir);
}
