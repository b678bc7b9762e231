/*
 * Verdicts, with the meanings Autobahn|Testsuite gives them.
 *
 * Every case gets two: `behavior` (what the peer sent back) and
 * `behaviorClose` (how the connection ended). The overall result of a case
 * is the worse of the two.
 */
#ifndef WSSPEC_VERDICT_H
#define WSSPEC_VERDICT_H

#include <stdbool.h>

/* Ordered from best to worst. */
typedef enum {
    WS_BEHAVIOR_OK,
    WS_BEHAVIOR_INFORMATIONAL,
    WS_BEHAVIOR_UNIMPLEMENTED,
    WS_BEHAVIOR_NON_STRICT,
    WS_BEHAVIOR_FAILED,
} ws_behavior;

typedef enum {
    WS_CLOSE_VERDICT_OK,
    WS_CLOSE_VERDICT_INFORMATIONAL,
    WS_CLOSE_VERDICT_WRONG_CODE,
    WS_CLOSE_VERDICT_UNCLEAN,
    WS_CLOSE_VERDICT_FAILED_BY_CLIENT,
    WS_CLOSE_VERDICT_FAILED,
} ws_close_verdict;

/* The overall result, used by the exit status, summaries and JUnit. */
typedef enum {
    WS_RESULT_OK,
    WS_RESULT_INFORMATIONAL,
    WS_RESULT_UNIMPLEMENTED,
    WS_RESULT_NON_STRICT,
    WS_RESULT_FAILED,
} ws_result;

/* "OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED". */
const char *ws_behavior_name(ws_behavior b);
/* "OK", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "INFORMATIONAL", "FAILED". */
const char *ws_close_verdict_name(ws_close_verdict v);
const char *ws_result_name(ws_result r);

/* The worse of the two verdicts: any close verdict other than OK and
 * INFORMATIONAL fails the case. */
ws_result ws_result_of(ws_behavior b, ws_close_verdict c);

#endif
