/*
 * Hand-built results for the report tests (test_html, test_junit,
 * test_baseline): one agent per call, results of every verdict, and a
 * hostile variant whose peer-controlled bytes try to break the markup.
 */
#ifndef WSSPEC_TEST_REPORT_FIXTURE_H
#define WSSPEC_TEST_REPORT_FIXTURE_H

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/result.h"
#include "report.h"
#include "wsspec/utf8.h"

#define HOSTILE_SCRIPT "<script>alert(1)</script>"
#define HOSTILE_IMG    "\"><img src=x onerror=alert(1)>"
/* Both, then invalid UTF-8, a NUL, C0/C1 controls and a noncharacter. */
#define HOSTILE_ALL     HOSTILE_SCRIPT HOSTILE_IMG "\xff\xfe\x00z\x01\x1b[31m\xc2\x85\xef\xbf\xbf'&"
#define HOSTILE_ALL_LEN (sizeof(HOSTILE_ALL) - 1)

static const ws_step fx_steps[] = {
    {.kind = WS_STEP_SEND,
     .frames = (const ws_send_frame[]){{.opcode = 1, .data = "Hello", .len = 5},
                                       {.opcode = 9, .data = "\x01\x02\xff", .len = 3}},
     .nframes = 2},
    {.kind = WS_STEP_PAUSE, .ms = 10, .mark = "m1"},
};

/* Cases in two families, plus a performance case. */
static const ws_case fx_cases[] = {
    {.id = "1.1.1",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.2",
     .title = "Text <b>bold</b> & more",
     .requirement = "A text message is echoed.",
     .steps = fx_steps,
     .nsteps = 2,
     .end = WS_END_CLOSE,
     .end_ms = 100},
    {.id = "1.1.2",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.2",
     .title = "Second case",
     .requirement = NULL,
     .steps = fx_steps,
     .nsteps = 1,
     .end = WS_END_CLOSE,
     .end_ms = 100},
    {.id = "2.1",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.5.2",
     .title = "Ping",
     .requirement = "Pong.",
     .steps = fx_steps,
     .nsteps = 1,
     .end = WS_END_KILL,
     .end_ms = 100},
    {.id = "2.2",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.5.2",
     .title = "Ping 2",
     .steps = fx_steps,
     .nsteps = 1,
     .end = WS_END_KILL,
     .end_ms = 100},
    {.id = "2.3",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.5.2",
     .title = "Ping 3",
     .steps = fx_steps,
     .nsteps = 1,
     .end = WS_END_KILL,
     .end_ms = 100},
    {.id = "9.1.1",
     .rfc = "RFC 6455 \xc2\xa7"
            "5.4",
     .title = "Perf",
     .steps = fx_steps,
     .nsteps = 1,
     .end = WS_END_KILL,
     .end_ms = 100,
     .flags = WS_CASE_PERF | WS_CASE_TIMED},
};
#define FX_NCASES (sizeof fx_cases / sizeof *fx_cases)

static void fx_set(ws_case_result *r, ws_behavior b, ws_close_verdict c)
{
    r->behavior = b;
    r->behavior_close = c;
    r->result = ws_result_of(b, c);
}

static void fx_wire(ws_case_result *r, bool tx, uint8_t op, const void *data, size_t len,
                    int64_t t_us)
{
    ws_wire_frame f = {.t_us = t_us,
                       .tx = tx,
                       .opcode = op,
                       .fin = true,
                       .masked = tx,
                       .mask_key = {1, 2, 3, 4},
                       .len = len};
    f.preview_len = (uint8_t)(len < WS_PREVIEW_MAX ? len : WS_PREVIEW_MAX);
    memcpy(f.preview, data, f.preview_len);
    ws_result_add_wire(r, &f);
}

/*
 * One agent with one result per fixture case. Verdicts, in case order:
 * OK, NON-STRICT, FAILED, UNIMPLEMENTED, INFORMATIONAL, OK (perf).
 * hostile: peer-controlled fields carry HOSTILE_ALL.
 */
static void fx_agent(ws_report_agent *a, const char *name, bool hostile)
{
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    ws_report_file_prefix(a->name, a->file_prefix, sizeof a->file_prefix);
    a->results = calloc(FX_NCASES, sizeof *a->results);
    cr_assert(a->results);
    a->nresults = FX_NCASES;
    for (size_t i = 0; i < FX_NCASES; i++) {
        ws_case_result *r = &a->results[i];
        ws_result_init(r, &fx_cases[i], i + 1);
        r->ran = true;
        r->duration_ms = 12 + (int64_t)i;
        snprintf(r->started, sizeof r->started, "2025-01-02T03:04:05Z");
        snprintf(r->reason, sizeof r->reason, "Received what a conformant peer sends.");
        snprintf(r->reason_close, sizeof r->reason_close, "Connection closed as expected.");
        snprintf(r->expectation, sizeof r->expectation, "OK: receive text 5 octets.");
        r->handshake_ok = true;
        const char *req = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";
        ws_result_set_http(&r->http_request, &r->http_request_len, req, strlen(req));
        char resp[512];
        size_t n =
            (size_t)snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nServer: ");
        if (hostile) {
            memcpy(resp + n, HOSTILE_ALL, HOSTILE_ALL_LEN);
            n += HOSTILE_ALL_LEN;
        } else {
            n += (size_t)snprintf(resp + n, sizeof resp - n, "fixture/1.0");
        }
        n += (size_t)snprintf(resp + n, sizeof resp - n, "\r\n\r\n");
        ws_result_set_http(&r->http_response, &r->http_response_len, resp, n);
        snprintf(r->server_header, sizeof r->server_header, "%s",
                 hostile ? HOSTILE_SCRIPT HOSTILE_IMG : "fixture/1.0");
        fx_wire(r, true, 1, "Hello", 5, 10);
        const char *echo = hostile ? HOSTILE_ALL : "Hello";
        size_t elen = hostile ? HOSTILE_ALL_LEN : 5;
        fx_wire(r, false, 1, echo, elen, 900);
        ws_result_add_event(r, WS_EV_TEXT, elen, (const uint8_t *)echo, elen, 900);
        uint8_t big[200];
        memset(big, 'A', sizeof big);
        fx_wire(r, false, 2, big, sizeof big, 1200); /* longer than the preview */
        fx_wire(r, true, 8, "\x03\xe8", 2, 1500);
        r->closed_by_me = true;
        r->was_clean = true;
        r->local_close_code = 1000;
        r->remote_close_code = 1000;
        if (hostile) {
            memcpy(r->remote_close_reason, HOSTILE_ALL, HOSTILE_ALL_LEN);
            r->remote_close_reason_len = HOSTILE_ALL_LEN;
            fx_wire(r, false, 8, "\x03\xe8" HOSTILE_ALL, 2 + HOSTILE_ALL_LEN, 1600);
            snprintf(r->reason, sizeof r->reason, "Peer sent %s", HOSTILE_IMG);
            memcpy(r->was_not_clean_reason, HOSTILE_SCRIPT "\xff", 27);
            r->was_clean = false;
        }
        r->rx_octets = 300;
        r->tx_octets = 40;
        r->rx_frames[1] = 1;
        r->tx_frames[1] = 1;
        ws_result_count_chop(r->rx_chops, &r->nrx_chops, 300);
        ws_result_count_chop(r->tx_chops, &r->ntx_chops, 40);
        static const struct {
            ws_behavior b;
            ws_close_verdict c;
        } v[] = {
            {WS_BEHAVIOR_OK, WS_CLOSE_VERDICT_OK},
            {WS_BEHAVIOR_NON_STRICT, WS_CLOSE_VERDICT_OK},
            {WS_BEHAVIOR_FAILED, WS_CLOSE_VERDICT_WRONG_CODE},
            {WS_BEHAVIOR_UNIMPLEMENTED, WS_CLOSE_VERDICT_OK},
            {WS_BEHAVIOR_INFORMATIONAL, WS_CLOSE_VERDICT_INFORMATIONAL},
            {WS_BEHAVIOR_OK, WS_CLOSE_VERDICT_OK},
        };
        fx_set(r, v[i].b, v[i].c);
        if (fx_cases[i].flags & WS_CASE_PERF) {
            r->payload_octets = 65536;
            r->mbytes_per_s = 123.5;
        }
    }
}

static void fx_agent_free(ws_report_agent *a)
{
    for (size_t i = 0; i < a->nresults; i++)
        ws_result_free(&a->results[i]);
    free(a->results);
}

/* A fresh empty directory; caller removes it with fx_rmdir. */
static void fx_tmpdir(char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/wsspec-report-test-XXXXXX");
    cr_assert(mkdtemp(out), "mkdtemp");
}

static void fx_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%.3000s/%.255s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Whole file, NUL-terminated. */
__attribute__((unused)) static char *fx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* tests/e2e/<name>, found next to this file. */
__attribute__((unused)) static void fx_script(const char *name, char *out, size_t cap)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dirlen = slash ? (int)(slash - here) : 1;
    snprintf(out, cap, "%.*s/../e2e/%s", dirlen, slash ? here : ".", name);
}

__attribute__((unused)) static bool fx_have_python(void)
{
    return access("/usr/bin/python3", X_OK) == 0;
}

#endif
