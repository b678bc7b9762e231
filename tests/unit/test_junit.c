/* JUnit XML report (reports/junit_report.c), checked by string and by a
 * real XML consumer (tests/e2e/junit_check.py, Python's ElementTree). */
#include "report_fixture.h"

#include "report_junit.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += k)
        n++;
    return n;
}

static char *write_junit(ws_report_agent *agents, size_t n, bool strict, char *path, size_t cap)
{
    char dir[64], err[512] = "";
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, cap, "%s/junit.xml", dir);
    cr_assert(ws_report_junit(path, agents, n, strict, err, sizeof err), "%s", err);
    return fx_slurp(path, NULL);
}

static void consumer(const char *path, int tests, int failures, int skipped, int suites)
{
    if (!fx_have_python()) {
        cr_log_warn("/usr/bin/python3 missing: junit_check.py skipped");
        return;
    }
    char script[4096], cmd[8192];
    fx_script("junit_check.py", script, sizeof script);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s' '%s' --tests %d --failures %d --skipped %d --suites %d >&2",
             script, path, tests, failures, skipped, suites);
    cr_expect_eq(system(cmd), 0, "junit_check.py rejected %s", path);
}

static void cleanup(char *xml, const char *path)
{
    free(xml);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    fx_rmdir(dir);
}

/* Fixture verdicts: OK, NON-STRICT, FAILED, UNIMPLEMENTED, INFORMATIONAL, OK
 * in families 1 (2 cases), 2 (3 cases), 9 (1 case). */
Test(junit, structure_and_verdict_mapping)
{
    ws_report_agent a;
    fx_agent(&a, "agent/1.0", false);
    char path[4096];
    char *xml = write_junit(&a, 1, false, path, sizeof path);
    cr_expect(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50) == 0);
    cr_expect_eq(count(xml, "<testsuite "), 3u);
    cr_expect_eq(count(xml, "<testcase "), 6u);
    cr_expect_eq(count(xml, "<failure "), 1u, "only FAILED fails");
    cr_expect_eq(count(xml, "<skipped "), 1u, "UNIMPLEMENTED is skipped");
    cr_expect(strstr(xml, "<testsuite name=\"agent/1.0: 2 Pings/Pongs\" tests=\"3\" "
                          "failures=\"1\" errors=\"0\" skipped=\"1\""));
    cr_expect(strstr(xml, "<testcase name=\"1.1.1 Text &lt;b&gt;bold&lt;/b&gt; &amp; more\" "
                          "classname=\"agent_1_0.1 Framing\" time=\"0.012\">"));
    cr_expect(strstr(xml, "<property name=\"verdict\" value=\"NON-STRICT\"/>"));
    cr_expect(strstr(xml, "<property name=\"verdict\" value=\"INFORMATIONAL\"/>"));
    cr_expect(strstr(xml, "<failure type=\"FAILED\" message=\""));
    cr_expect(strstr(xml, "expected: OK: receive text 5 octets."));
    cr_expect(strstr(xml, "observed: received text 5 octets; peer closed with code 1000"));
    consumer(path, 6, 1, 1, 3);
    cleanup(xml, path);
    fx_agent_free(&a);
}

Test(junit, strict_makes_non_strict_a_failure)
{
    ws_report_agent a;
    fx_agent(&a, "agent", false);
    char path[4096];
    char *xml = write_junit(&a, 1, true, path, sizeof path);
    cr_expect_eq(count(xml, "<failure "), 2u);
    cr_expect(strstr(xml, "<failure type=\"NON-STRICT\""));
    cr_expect_eq(count(xml, "type=\"INFORMATIONAL\""), 0u, "INFORMATIONAL never fails");
    consumer(path, 6, 2, 1, 3);
    cleanup(xml, path);
    fx_agent_free(&a);
}

Test(junit, hostile_bytes_are_escaped_and_xml_stays_valid)
{
    ws_report_agent a[2];
    fx_agent(&a[0], HOSTILE_SCRIPT "\x01\xff", true);
    fx_agent(&a[1], "plain", false);
    a[1].results[4].ran = false; /* not run: not reported */
    char path[4096];
    char *xml = write_junit(a, 2, false, path, sizeof path);
    size_t len = strlen(xml);
    cr_expect(ws_utf8_is_valid((const uint8_t *)xml, len));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)xml[i];
        cr_expect(c >= 0x20 || c == '\n' || c == '\t', "control 0x%02x at %zu", c, i);
    }
    cr_expect_null(strstr(xml, "<script"));
    cr_expect_null(strstr(xml, "<img"));
    cr_expect_null(strstr(xml, "\xef\xbf\xbf"), "U+FFFF is not allowed in XML 1.0");
    cr_expect(strstr(xml, "name=\"&lt;script&gt;alert(1)&lt;/script&gt;\\x01\\xff: 1 Framing\""));
    cr_expect(strstr(xml, "message=\"Peer sent &quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
    cr_expect(strstr(xml, "\\x00z\\x01\\x1b[31m\\u0085\\uFFFF&#39;&amp;"), "close reason");
    consumer(path, 11, 2, 2, 6);
    cleanup(xml, path);
    fx_agent_free(&a[0]);
    fx_agent_free(&a[1]);
}

Test(junit, no_results_is_an_empty_valid_document)
{
    char path[4096];
    char *xml = write_junit(NULL, 0, false, path, sizeof path);
    cr_expect(strstr(xml, "<testsuites name=\"wsspec\" tests=\"0\" failures=\"0\""));
    consumer(path, 0, 0, 0, 0);
    cleanup(xml, path);
}

Test(junit, unwritable_path_is_a_one_line_error)
{
    char err[512] = "";
    cr_assert_not(ws_report_junit("/nonexistent/dir/junit.xml", NULL, 0, false, err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/dir/junit.xml"), "%s", err);
    cr_expect_null(strchr(err, '\n'));
}

Test(junit, observed_summary)
{
    ws_report_agent a;
    fx_agent(&a, "x", false);
    char out[300];
    ws_report_observed(&a.results[0], out, sizeof out);
    cr_expect_str_eq(out, "received text 5 octets; peer closed with code 1000; TCP closed "
                          "cleanly");
    ws_report_observed(&a.results[0], out, 10);
    cr_expect_eq(strlen(out), 9u, "truncated safely");
    fx_agent_free(&a);
}
