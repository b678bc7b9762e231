/* The live-fuzzing reproducer format: write -> read round trip, one-line
 * errors naming the line, the --to-chunks converter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livefuzz/livefuzz.h"

static char *write_text(const ws_lf_repro *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    ws_lf_repro_write(r, f);
    fclose(f);
    return buf;
}

Test(repro, write_read_round_trip)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    const char head[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    uint8_t big[100];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    cr_assert(ws_lf_repro_send(&r, (const uint8_t *)head, sizeof head - 1));
    cr_assert(ws_lf_repro_act(&r, WS_LF_PAUSE, 25));
    cr_assert(ws_lf_repro_send(&r, big, sizeof big));
    cr_assert(ws_lf_repro_send(&r, (const uint8_t *)"", 0));
    cr_assert(ws_lf_repro_act(&r, WS_LF_SHUTDOWN, 0));
    cr_assert(ws_lf_repro_act(&r, WS_LF_RESET, 0));
    r.oracle = WS_LF_CRASH;
    strcpy(r.target, "ws://127.0.0.1:9001/");
    strcpy(r.detail, "exit status 3");
    strcpy(r.shape, "hs101 d1 p0 -0 eof t0");
    strcpy(r.note, "minimized from 9 actions/900 octets to 2 actions/160 octets");
    size_t len;
    char *text = write_text(&r, &len);
    ws_lf_repro back;
    char err[256];
    cr_assert_eq(ws_lf_repro_parse(text, len, "mem", &back, err, sizeof err), WS_OK, "%s", err);
    cr_assert_eq(back.version, WS_LF_REPRO_VERSION);
    cr_assert_eq(back.oracle, WS_LF_CRASH);
    cr_assert_str_eq(back.target, r.target);
    cr_assert_str_eq(back.detail, r.detail);
    cr_assert_str_eq(back.shape, r.shape);
    cr_assert_str_eq(back.note, r.note);
    cr_assert_eq(back.nacts, r.nacts);
    for (size_t i = 0; i < r.nacts; i++) {
        cr_assert_eq(back.acts[i].kind, r.acts[i].kind);
        cr_assert_eq(back.acts[i].len, r.acts[i].len);
        cr_assert_eq(back.acts[i].ms, r.acts[i].ms);
        if (r.acts[i].len)
            cr_assert_eq(memcmp(back.acts[i].data, r.acts[i].data, r.acts[i].len), 0);
    }
    size_t len2;
    char *again = write_text(&back, &len2);
    cr_assert_eq(len2, len);
    cr_assert_eq(memcmp(text, again, len), 0, "write(read(write(x))) == write(x)");
    free(text);
    free(again);
    ws_lf_repro_free(&r);
    ws_lf_repro_free(&back);
}

static void expect_error(const char *text, const char *want)
{
    ws_lf_repro r;
    char err[256] = "";
    cr_assert_neq(ws_lf_repro_parse(text, strlen(text), "f.repro", &r, err, sizeof err), WS_OK);
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
    cr_assert(strstr(err, want), "'%s' does not contain '%s'", err, want);
    ws_lf_repro_free(&r);
}

Test(repro, malformed_files_name_the_line)
{
    expect_error("send 00\n", "f.repro:1: expected 'wsspec-repro 1' first");
    expect_error("# c\nwsspec-repro 2\n", "f.repro:2: unsupported format version '2'");
    expect_error("wsspec-repro 1\nmode server\nsend 0g\n", "f.repro:3: bad hex");
    expect_error("wsspec-repro 1\nsend 012\n", "f.repro:2: bad hex");
    expect_error("wsspec-repro 1\n\npause soon\n", "f.repro:3: pause needs milliseconds");
    expect_error("wsspec-repro 1\nfrobnicate\n", "f.repro:2: unknown keyword 'frobnicate'");
    expect_error("wsspec-repro 1\npause 1\n+ 00\n", "f.repro:3: '+' continuation without");
    expect_error("wsspec-repro 1\noracle boom\n", "f.repro:2: unknown oracle 'boom'");
    expect_error("wsspec-repro 1\nreset now\n", "f.repro:2: 'reset' takes no argument");
    expect_error("", "f.repro:1: not a wsspec reproducer");
}

Test(repro, continuation_lines_and_comments)
{
    const char text[] = "# hello\nwsspec-repro 1\nsend 0102\n+ 03 04\n  # between\npause 7\n";
    ws_lf_repro r;
    char err[256];
    cr_assert_eq(ws_lf_repro_parse(text, sizeof text - 1, "t", &r, err, sizeof err), WS_OK, "%s",
                 err);
    cr_assert_eq(r.nacts, 2);
    cr_assert_eq(r.acts[0].len, 4);
    cr_assert_eq(r.acts[0].data[3], 4);
    cr_assert_eq(r.acts[1].ms, 7);
    ws_lf_repro_free(&r);
}

Test(repro, to_chunks)
{
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    const char head[] = "GET / HTTP/1.1\r\n\r\n";
    const uint8_t f1[] = {0x81, 0x80, 1, 2, 3, 4}, f2[] = {0x89, 0x80, 0, 0, 0, 0};
    ws_lf_repro_send(&r, (const uint8_t *)head, sizeof head - 1);
    ws_lf_repro_send(&r, f1, sizeof f1);
    ws_lf_repro_send(&r, f2, sizeof f2);
    uint8_t *out;
    size_t len;
    cr_assert_eq(ws_lf_repro_to_chunks(&r, &out, &len), WS_OK);
    cr_assert_eq(len, 2 + 2 + 12);
    cr_assert_eq(out[0], 0);
    cr_assert_eq(out[1], 2);
    cr_assert_eq(out[2], 6);
    cr_assert_eq(out[3], 6);
    cr_assert_eq(memcmp(out + 4, f1, 6), 0);
    free(out);
    ws_lf_repro_free(&r);
}

Test(repro, repeated_writes)
{
    const char text[] = "wsspec-repro 1\nsend 0a0b\nrepeat 3\npause 1\n";
    ws_lf_repro r;
    char err[256];
    cr_assert_eq(ws_lf_repro_parse(text, sizeof text - 1, "t", &r, err, sizeof err), WS_OK, "%s",
                 err);
    cr_assert_eq(r.nacts, 2);
    cr_assert_eq(r.acts[0].repeat, 3);
    cr_assert_eq(ws_lf_repro_bytes(&r), 6);
    size_t len, head;
    uint8_t *all = ws_lf_repro_concat(&r, &len, &head);
    cr_assert_eq(len, 6);
    cr_assert_eq(memcmp(all, "\x0a\x0b\x0a\x0b\x0a\x0b", 6), 0);
    free(all);
    char *out = write_text(&r, &len);
    cr_assert(strstr(out, "\nrepeat 3\n"), "%s", out);
    free(out);
    ws_lf_repro_free(&r);
    expect_error("wsspec-repro 1\nrepeat 2\n", "f.repro:2: 'repeat' must follow a 'send'");
    expect_error("wsspec-repro 1\nsend 00\nrepeat 0\n", "f.repro:3: repeat needs a count");
    expect_error("wsspec-repro 1\nsend 00\nrepeat 2\nrepeat 2\n", "f.repro:4: 'repeat' must");
}

/* A session with a flood renders as one repeated write after its frame and
 * comes back from the reproducer with the same flood. */
Test(repro, session_flood_round_trip)
{
    static ws_lf_session s, back;
    ws_lf_session_default(&s, "127.0.0.1:9001", "/");
    ws_mut_frame start = {.fin = false, .opcode = 1, .masked = true, .form = 7, .len = 2};
    ws_mut_frame cont = {.fin = false, .opcode = 0, .masked = true, .form = 16, .len = 200};
    uint8_t p[200];
    memset(p, 'x', sizeof p);
    cr_assert(ws_mut_seq_add(&s.seq, &start, p, 2));
    cr_assert(ws_mut_seq_add(&s.seq, &cont, p, 200));
    s.flood_frame = 1;
    s.flood_count = 1000;
    ws_lf_repro r;
    ws_lf_repro_init(&r);
    cr_assert(ws_lf_session_render(&s, &r));
    cr_assert_eq(r.nacts, 3);
    cr_assert_eq(r.acts[2].repeat, 999);
    cr_assert_eq(r.acts[2].len, 208);
    cr_assert_eq(ws_lf_repro_bytes(&r), s.hs_len + 8 + 1000 * 208);
    cr_assert(ws_lf_session_from_repro(&back, &r));
    cr_assert_eq(back.seq.nf, 2);
    cr_assert_eq(back.flood_frame, 1);
    cr_assert_eq(back.flood_count, 1000);
    /* The flood is bounded. */
    s.flood_count = 4000000;
    cr_assert(ws_lf_session_render(&s, &r));
    cr_assert_leq(ws_lf_repro_bytes(&r), s.hs_len + 8 + WS_LF_FLOOD_MAX_OCTETS);
    ws_lf_repro_free(&r);
}
