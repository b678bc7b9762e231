/* Verdict rules (Autobahn's meanings): behavior from the matched list,
 * behaviorClose from who closed, how, and with which code. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "driver/case.h"
#include "driver/plan.h"
#include "driver/result.h"

static ws_registry *reg;
static ws_plan plan;
static ws_case_result res;

static void load(const char *id)
{
    reg = ws_registry_all();
    const ws_case *c = ws_registry_find(reg, id);
    cr_assert_not_null(c);
    cr_assert_eq(ws_plan_build(c, &plan), WS_OK);
    ws_result_init(&res, c, 1);
    res.handshake_ok = true;
}

static void done(void)
{
    ws_result_free(&res);
    ws_plan_free(&plan);
    ws_registry_free(reg);
}

Test(verdict, echo_case_clean_close_is_ok)
{
    load("1.1.1");
    res.closed_by_me = true;
    res.was_clean = true;
    res.remote_close_code = 1000;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_OK);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_OK);
    cr_assert_eq(res.result, WS_RESULT_OK);
    done();
}

Test(verdict, missing_echo_fails_behavior_only)
{
    load("1.1.1");
    res.closed_by_me = true;
    res.was_clean = true;
    ws_verdict_decide(&plan, &res, false, false, "Expected a text message; received nothing.");
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_OK);
    cr_assert(strstr(res.reason, "Expected a text message"));
    done();
}

Test(verdict, unclean_close_fails_the_case)
{
    load("1.1.1");
    res.closed_by_me = true;
    res.was_clean = false;
    snprintf(res.was_not_clean_reason, sizeof res.was_not_clean_reason, "no TCP close");
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_OK);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_UNCLEAN);
    cr_assert_eq(res.result, WS_RESULT_FAILED); /* the worse of the two */
    done();
}

Test(verdict, peer_must_close_but_wsspec_did)
{
    load("3.1");
    res.closed_by_me = true;
    res.local_close_code = 1001;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_FAILED);
    cr_assert_eq(res.result, WS_RESULT_FAILED);
    done();
}

Test(verdict, wrong_code_and_drop_accepted)
{
    load("3.1");
    res.remote_close_code = 1000;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_WRONG_CODE);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_OK); /* outside 7.x a wrong code leaves behavior */
    done();
    load("3.1");
    res.remote_close_code = -1; /* a plain TCP drop is fine */
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.result, WS_RESULT_OK);
    done();
}

Test(verdict, non_strict_when_failed_before_echo)
{
    load("3.2");
    res.remote_close_code = 1002;
    ws_verdict_decide(&plan, &res, false, true, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_NON_STRICT);
    cr_assert_eq(res.result, WS_RESULT_NON_STRICT);
    done();
}

Test(verdict, close_family_wrong_code_fails_behavior)
{
    load("7.7.1");
    res.closed_by_me = true;
    res.was_clean = true;
    res.remote_close_code = 1002;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_WRONG_CODE);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    done();
}

Test(verdict, utf8_case_closed_by_wsspec_fails_behavior)
{
    load("6.3.1");
    res.closed_by_me = true;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    done();
}

Test(verdict, dropped_by_client)
{
    load("3.1");
    res.remote_close_code = 1002;
    res.dropped_by_me = true;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_FAILED_BY_CLIENT);
    done();
}

Test(verdict, informational_and_handshake_failure)
{
    load("7.13.1");
    ws_verdict_decide(&plan, &res, false, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_INFORMATIONAL);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_INFORMATIONAL);
    cr_assert_eq(res.result, WS_RESULT_INFORMATIONAL);
    done();
    load("1.1.1");
    res.handshake_ok = false;
    ws_verdict_decide(&plan, &res, false, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    cr_assert_eq(res.behavior_close, WS_CLOSE_VERDICT_FAILED);
    done();
}

Test(verdict, peer_violation_fails_behavior)
{
    load("1.1.1");
    res.closed_by_me = true;
    res.was_clean = true;
    res.peer_violation = WS_ERR_MASK_UNEXPECTED;
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    cr_assert(strstr(res.reason, "RFC 6455 §5.1"));
    done();
}

static void add_rx(uint8_t opcode, uint8_t rsv, bool fin, uint64_t len)
{
    ws_wire_frame f = {.opcode = opcode, .rsv = rsv, .fin = fin, .len = len};
    ws_result_add_wire(&res, &f);
}

/* permessage-deflate cases show the size of each compressed message received
 * (a fragmented one summed, uncompressed messages and control frames left out). */
Test(verdict, compressed_sizes_are_evidence)
{
    load("23.1.9");
    res.closed_by_me = true;
    res.was_clean = true;
    res.remote_close_code = 1000;
    add_rx(1, 4, true, 66);
    add_rx(1, 0, true, 77); /* uncompressed */
    add_rx(9, 0, true, 3);  /* a Ping */
    add_rx(1, 4, false, 1000);
    add_rx(0, 0, true, 673);
    ws_wire_frame tx = {.tx = true, .opcode = 1, .rsv = 4, .fin = true, .len = 99};
    ws_result_add_wire(&res, &tx);
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_OK);
    cr_assert(strstr(res.reason, "Compressed messages received (octets on the wire): 66, 1673."),
              "%s", res.reason);
    done();
}

Test(verdict, compressed_sizes_list_at_most_eight)
{
    load("23.1.9");
    for (int i = 0; i < 10; i++)
        add_rx(2, 4, true, 10 + (uint64_t)i);
    res.peer_violation = WS_ERR_DEFLATE_DATA;
    ws_verdict_decide(&plan, &res, false, false, NULL);
    cr_assert_eq(res.behavior, WS_BEHAVIOR_FAILED);
    cr_assert(strstr(res.reason, ": 10, 11, 12, 13, 14, 15, 16, 17, ...."), "%s", res.reason);
    done();
}

/* Cases without permessage-deflate keep their reason as it was. */
Test(verdict, no_sizes_without_pmd)
{
    load("1.1.1");
    res.closed_by_me = true;
    res.was_clean = true;
    add_rx(1, 4, true, 66);
    ws_verdict_decide(&plan, &res, true, false, NULL);
    cr_assert_null(strstr(res.reason, "Compressed"));
    done();
}
