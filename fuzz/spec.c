/*
 * Fuzz target: the Autobahn spec-file readers (ws_spec_parse for
 * fuzzingclient.json, ws_spec_parse_server for fuzzingserver.json), and
 * through them the strict JSON reader (src/util/json.c).
 *
 * Input: the JSON text, given to both readers. Checked:
 *  - the result is 0 or -1; on -1 the error is a NUL-terminated line
 *    starting with the file name and *out is all zero; a tiny error buffer
 *    is never overrun;
 *  - on 0, what spec.h promises: URLs start with ws:// or wss://, outdir is
 *    set, every case pattern is valid (ws_pattern_valid) and matches itself
 *    when it has no '*', protocols are non-empty; and the reader is
 *    deterministic (a second parse gives the same counts).
 * Inputs above WS_SPEC_MAX_FILE are rejected by the reader; the fuzzer's
 * max_len keeps them far smaller anyway.
 */
#include <string.h>
#include <strings.h>

#include "driver/pattern.h"
#include "driver/spec.h"
#include "fuzz_common.h"

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void check_err(int rc, const char *err, size_t cap, const void *out, size_t out_size)
{
    FZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0)
        return;
    FZ_CHECK(memchr(err, 0, cap) != NULL);
    FZ_CHECK(cap < 12 || strncmp(err, "fuzz.json", strlen(err) < 9 ? strlen(err) : 9) == 0);
    FZ_CHECK(all_zero(out, out_size));
}

static void check_cases(char **cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char err[128];
        FZ_CHECK(cases[i] && ws_pattern_valid(cases[i], err, sizeof err));
        if (!strchr(cases[i], '*'))
            FZ_CHECK(ws_pattern_match(cases[i], cases[i]));
    }
}

static bool ws_url_prefix(const char *u)
{
    return u && (strncasecmp(u, "ws://", 5) == 0 || strncasecmp(u, "wss://", 6) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[256], tiny[8];
    ws_spec s, s2;
    int rc = ws_spec_parse("fuzz.json", text, size, &s, err, sizeof err);
    check_err(rc, err, sizeof err, &s, sizeof s);
    if (rc == 0) {
        FZ_CHECK(s.outdir != NULL);
        for (size_t i = 0; i < s.n_servers; i++) {
            FZ_CHECK(ws_url_prefix(s.servers[i].url));
            for (size_t k = 0; k < s.servers[i].n_protocols; k++)
                FZ_CHECK(s.servers[i].protocols[k] && s.servers[i].protocols[k][0]);
        }
        check_cases(s.cases, s.n_cases);
        check_cases(s.exclude_cases, s.n_exclude_cases);
        for (size_t i = 0; i < s.n_exclude_agent_cases; i++)
            check_cases(s.exclude_agent_cases[i].cases, s.exclude_agent_cases[i].n_cases);
        FZ_CHECK(ws_spec_parse("fuzz.json", text, size, &s2, err, sizeof err) == 0);
        FZ_CHECK(s2.n_servers == s.n_servers && s2.n_cases == s.n_cases);
        ws_spec_free(&s2);
        ws_spec_free(&s);
    } else {
        rc = ws_spec_parse("fuzz.json", text, size, &s2, tiny, sizeof tiny);
        check_err(rc, tiny, sizeof tiny, &s2, sizeof s2);
        FZ_CHECK(rc == -1);
    }

    ws_spec_fuzzingserver f;
    rc = ws_spec_parse_server("fuzz.json", text, size, &f, err, sizeof err);
    check_err(rc, err, sizeof err, &f, sizeof f);
    if (rc == 0) {
        FZ_CHECK(ws_url_prefix(f.url) && f.outdir != NULL);
        for (size_t k = 0; k < f.n_protocols; k++)
            FZ_CHECK(f.protocols[k] && f.protocols[k][0]);
        check_cases(f.cases, f.n_cases);
        check_cases(f.exclude_cases, f.n_exclude_cases);
        ws_spec_fuzzingserver_free(&f);
    }
    return 0;
}
