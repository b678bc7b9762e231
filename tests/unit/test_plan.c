/* The case registry and the expectations derived from each declaration. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "driver/case.h"
#include "driver/plan.h"
#include "wsspec/utf8.h"

static ws_registry *reg;

static void setup(void)
{
    reg = ws_registry_all();
    cr_assert_not_null(reg);
}

static void teardown(void)
{
    ws_registry_free(reg);
}

TestSuite(plan, .init = setup, .fini = teardown);

Test(plan, registry_has_autobahn_counts_and_unique_ids)
{
    static const struct {
        const char *family;
        size_t count;
    } families[] = {{"1.", 16},  {"2.", 11},  {"3.", 7},   {"4.", 10},   {"5.", 20},
                    {"6.", 145}, {"7.", 37},  {"9.", 54},  {"10.", 1},   {"20.", 29},
                    {"21.", 16}, {"22.", 20}, {"12.", 90}, {"13.", 126}, {"23.", 16}};
    /* Autobahn's 301 in families 1-7, 9, 10 and 216 in 12-13; wsspec's own 20-23. */
    cr_assert_eq(ws_registry_count(reg), 301 + 29 + 16 + 20 + 216 + 16);
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        size_t n = 0;
        for (size_t i = 0; i < ws_registry_count(reg); i++)
            if (strncmp(ws_registry_get(reg, i)->id, families[f].family,
                        strlen(families[f].family)) == 0)
                n++;
        cr_assert_eq(n, families[f].count, "family %s: %zu cases", families[f].family, n);
    }
    for (size_t i = 0; i < ws_registry_count(reg); i++) {
        const ws_case *c = ws_registry_get(reg, i);
        cr_assert(c->rfc && (strncmp(c->rfc, "RFC 6455 §", strlen("RFC 6455 §")) == 0 ||
                             strncmp(c->rfc, "RFC 7692 §", strlen("RFC 7692 §")) == 0),
                  "%s", c->id);
        cr_assert(c->title && c->title[0], "%s has no title", c->id);
        cr_assert_gt(c->end_ms, 0, "%s has no timer", c->id);
        if (i > 0)
            cr_assert_neq(strcmp(ws_registry_get(reg, i - 1)->id, c->id), 0, "duplicate %s", c->id);
    }
}

static ws_plan plan_of(const char *id)
{
    const ws_case *c = ws_registry_find(reg, id);
    cr_assert_not_null(c, "no case %s", id);
    ws_plan p;
    cr_assert_eq(ws_plan_build(c, &p), WS_OK);
    return p;
}

static void assert_codes(const ws_plan *p, const uint16_t *codes, size_t n)
{
    cr_assert_eq(p->nclose_codes, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p->close_codes[i], codes[i]);
}

Test(plan, echo_case_expects_echo_and_clean_close)
{
    ws_plan p = plan_of("1.1.8");
    cr_assert_eq(p.model_end, WS_MODEL_CLEAN);
    cr_assert_eq(p.ok.n, 1);
    cr_assert_eq(p.ok.events[0].kind, WS_EV_TEXT);
    cr_assert_eq(p.ok.events[0].len, 65536);
    cr_assert(p.closed_by_me && p.require_clean && p.finish_when_done);
    assert_codes(&p, (uint16_t[]){1000}, 1);
    ws_plan_free(&p);
}

Test(plan, invalid_frame_after_valid_message_allows_non_strict)
{
    ws_plan p = plan_of("3.2");
    cr_assert_eq(p.model_end, WS_MODEL_PROTOCOL);
    cr_assert_eq(p.violation, WS_ERR_RSV_NOT_NEGOTIATED);
    cr_assert_eq(p.ok.n, 1); /* the valid message; no Pong for the Ping after the bad frame */
    cr_assert(p.has_non_strict);
    cr_assert_eq(p.non_strict.n, 0);
    cr_assert(!p.closed_by_me);
    assert_codes(&p, (uint16_t[]){1002}, 1);
    ws_plan_free(&p);

    p = plan_of("3.1");
    cr_assert(!p.has_non_strict);
    cr_assert_eq(p.ok.n, 0);
    ws_plan_free(&p);
}

Test(plan, interleaved_pings_answered_in_order)
{
    ws_plan p = plan_of("5.19");
    cr_assert_eq(p.ok.n, 3);
    cr_assert_eq(p.ok.events[0].kind, WS_EV_PONG);
    cr_assert_eq(memcmp(p.ok.events[0].data, "pongme 1!", 9), 0);
    cr_assert_eq(p.ok.events[1].kind, WS_EV_PONG);
    cr_assert_eq(p.ok.events[2].kind, WS_EV_TEXT);
    cr_assert_eq(p.ok.events[2].len, 45);
    cr_assert_eq(memcmp(p.ok.events[2].data, "fragment1fragment2fragment3fragment4fragment5", 45),
                 0);
    ws_plan_free(&p);
}

Test(plan, close_cases_derive_their_codes)
{
    ws_plan p = plan_of("7.7.2"); /* valid 1001 */
    cr_assert_eq(p.model_end, WS_MODEL_CLOSE_VALID);
    assert_codes(&p, (uint16_t[]){1000, 1001}, 2);
    cr_assert(p.closed_by_me && p.require_clean);
    ws_plan_free(&p);

    p = plan_of("7.3.2"); /* one-octet payload */
    cr_assert_eq(p.model_end, WS_MODEL_CLOSE_BAD);
    assert_codes(&p, (uint16_t[]){1002}, 1);
    cr_assert(p.closed_by_me && !p.require_clean);
    ws_plan_free(&p);

    p = plan_of("7.5.1"); /* reason not UTF-8 */
    assert_codes(&p, (uint16_t[]){1002, 1007}, 2);
    ws_plan_free(&p);

    p = plan_of("7.3.6"); /* 126-octet close: too long, still wsspec's close */
    cr_assert_eq(p.model_end, WS_MODEL_CLOSE_BAD);
    cr_assert(p.closed_by_me);
    ws_plan_free(&p);

    p = plan_of("7.9.3"); /* 1004 */
    cr_assert_eq(p.violation, WS_ERR_CLOSE_CODE_INVALID);
    ws_plan_free(&p);

    p = plan_of("3.7"); /* Close with RSV: a framing error, the peer must close */
    cr_assert_eq(p.model_end, WS_MODEL_PROTOCOL);
    cr_assert(!p.closed_by_me);
    ws_plan_free(&p);
}

Test(plan, fail_fast_cases_use_marks)
{
    ws_plan p = plan_of("6.4.3");
    cr_assert_eq(p.ok.n, 1);
    cr_assert_eq(p.ok.events[0].kind, WS_EV_MARK);
    cr_assert(p.has_non_strict);
    cr_assert_eq(p.non_strict.n, 2);
    cr_assert(p.wrong_endpoint_fatal);
    assert_codes(&p, (uint16_t[]){1007}, 1);
    ws_plan_free(&p);
}

Test(plan, fragmented_payloads_are_split)
{
    ws_plan p = plan_of("9.3.1"); /* 4 MiB in 64-octet frames */
    cr_assert_eq(p.steps[0].nframes, 4 * 1024 * 1024 / 64);
    cr_assert_eq(p.steps[0].frames[0].spec.opcode, 1);
    cr_assert(p.steps[0].frames[0].spec.more);
    cr_assert_eq(p.steps[0].frames[1].spec.opcode, 0);
    cr_assert(!p.steps[0].frames[65535].spec.more);
    cr_assert_eq(p.ok.n, 1);
    cr_assert_eq(p.ok.events[0].len, 4 * 1024 * 1024);
    ws_plan_free(&p);

    p = plan_of("9.7.6"); /* 1000 round trips */
    cr_assert_eq(p.ok.n, 1000);
    ws_plan_free(&p);
}

/* 6.5-6.23: the validator and the table agree on every sequence, and the
 * derived close code follows: 1000 for valid, 1007 for invalid. */
size_t ws_suite_utf8_sequence_count(void);
bool ws_suite_utf8_sequence(size_t i, const char **hex, bool *valid);

Test(plan, utf8_sequences_agree_with_validator)
{
    cr_assert_eq(ws_suite_utf8_sequence_count(), 132);
    size_t valid_count = 0;
    for (size_t i = 0; i < ws_suite_utf8_sequence_count(); i++) {
        const char *hex;
        bool valid;
        cr_assert(ws_suite_utf8_sequence(i, &hex, &valid));
        uint8_t buf[64];
        size_t n = strlen(hex) / 2;
        for (size_t k = 0; k < n; k++)
            sscanf(hex + 2 * k, "%2hhx", &buf[k]);
        cr_assert_eq(ws_utf8_is_valid(buf, n), valid, "sequence %zu (%s)", i, hex);
        valid_count += valid;
    }
    size_t ok_cases = 0;
    for (size_t i = 0; i < ws_registry_count(reg); i++) {
        const ws_case *c = ws_registry_get(reg, i);
        int g;
        if (sscanf(c->id, "6.%d.", &g) != 1 || g < 5)
            continue;
        ws_plan p = plan_of(c->id);
        if (p.model_end == WS_MODEL_CLEAN)
            ok_cases++;
        else
            assert_codes(&p, (uint16_t[]){1007}, 1);
        ws_plan_free(&p);
    }
    cr_assert_eq(ok_cases, valid_count);
}

Test(plan, every_case_builds_and_describes)
{
    for (size_t i = 0; i < ws_registry_count(reg); i++) {
        const ws_case *c = ws_registry_get(reg, i);
        ws_plan p;
        cr_assert_eq(ws_plan_build(c, &p), WS_OK, "%s", c->id);
        char text[600];
        ws_plan_describe(&p, text, sizeof text);
        cr_assert_gt(strlen(text), 10);
        ws_plan_free(&p);
    }
}
