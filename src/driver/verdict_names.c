#include "wsspec/verdict.h"

const char *ws_behavior_name(ws_behavior b)
{
    switch (b) {
    case WS_BEHAVIOR_OK:
        return "OK";
    case WS_BEHAVIOR_INFORMATIONAL:
        return "INFORMATIONAL";
    case WS_BEHAVIOR_UNIMPLEMENTED:
        return "UNIMPLEMENTED";
    case WS_BEHAVIOR_NON_STRICT:
        return "NON-STRICT";
    case WS_BEHAVIOR_FAILED:
        return "FAILED";
    }
    return "FAILED";
}

const char *ws_close_verdict_name(ws_close_verdict v)
{
    switch (v) {
    case WS_CLOSE_VERDICT_OK:
        return "OK";
    case WS_CLOSE_VERDICT_INFORMATIONAL:
        return "INFORMATIONAL";
    case WS_CLOSE_VERDICT_WRONG_CODE:
        return "WRONG CODE";
    case WS_CLOSE_VERDICT_UNCLEAN:
        return "UNCLEAN";
    case WS_CLOSE_VERDICT_FAILED_BY_CLIENT:
        return "FAILED BY CLIENT";
    case WS_CLOSE_VERDICT_FAILED:
        return "FAILED";
    }
    return "FAILED";
}

const char *ws_result_name(ws_result r)
{
    switch (r) {
    case WS_RESULT_OK:
        return "OK";
    case WS_RESULT_INFORMATIONAL:
        return "INFORMATIONAL";
    case WS_RESULT_UNIMPLEMENTED:
        return "UNIMPLEMENTED";
    case WS_RESULT_NON_STRICT:
        return "NON-STRICT";
    case WS_RESULT_FAILED:
        return "FAILED";
    }
    return "FAILED";
}

ws_result ws_result_of(ws_behavior b, ws_close_verdict c)
{
    if (b == WS_BEHAVIOR_FAILED)
        return WS_RESULT_FAILED;
    if (c != WS_CLOSE_VERDICT_OK && c != WS_CLOSE_VERDICT_INFORMATIONAL)
        return WS_RESULT_FAILED;
    switch (b) {
    case WS_BEHAVIOR_NON_STRICT:
        return WS_RESULT_NON_STRICT;
    case WS_BEHAVIOR_UNIMPLEMENTED:
        return WS_RESULT_UNIMPLEMENTED;
    case WS_BEHAVIOR_INFORMATIONAL:
        return WS_RESULT_INFORMATIONAL;
    default:
        return WS_RESULT_OK;
    }
}
