/*
 * JUnit XML report (--junit FILE), for CI systems.
 *
 * <testsuites> holds one <testsuite> per agent and family (name
 * "AGENT: 1 Framing"), one <testcase> per case that ran:
 *   name      "1.1.1 Text message with payload length 0"
 *   classname "<agent file prefix>.<family> <family title>"
 *   time      seconds
 *   <properties> verdict (overall), behavior, behaviorClose, rfc
 * FAILED                       -> <failure type="FAILED" message=REASON>
 *                                 with expected vs observed in its text
 * NON-STRICT                   -> a property only; a <failure
 *                                 type="NON-STRICT"> when strict
 * INFORMATIONAL                -> a property only (and the reason in
 *                                 <system-out>), never a failure
 * UNIMPLEMENTED                -> <skipped message=...>
 * Everything is XML-escaped (ws_html_escape): characters XML 1.0 does not
 * allow and invalid UTF-8 become visible \uXXXX / \xNN text.
 */
#ifndef WSSPEC_REPORTS_REPORT_JUNIT_H
#define WSSPEC_REPORTS_REPORT_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* Write the file atomically. false + one-line err on failure. */
bool ws_report_junit(const char *path, const ws_report_agent *agents, size_t nagents, bool strict,
                     char *err, size_t errcap);

/* One line describing what the peer did: messages received, its close
 * code and reason, how TCP ended. Peer bytes are copied raw (escape them). */
void ws_report_observed(const ws_case_result *r, char *out, size_t cap);

#endif
