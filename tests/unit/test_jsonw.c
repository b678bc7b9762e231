/* Unit tests for the JSON writer and atomic file writer (src/util/jsonw.c). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json.h"
#include "util/jsonw.h"

/* The finished text (copied; caller frees). Fails the test on error. */
static char *finish(ws_jsonw *w)
{
    const char *data;
    size_t len;
    char err[128] = "";
    cr_assert(ws_jsonw_finish(w, &data, &len, err, sizeof(err)), "%s", err);
    cr_assert_eq(strlen(data), len);
    char *copy = strdup(data);
    ws_jsonw_free(w);
    return copy;
}

static char *one_string(const char *s, size_t len)
{
    ws_jsonw w;
    ws_jsonw_init(&w, 0);
    ws_jsonw_stringn(&w, s, len);
    return finish(&w);
}

Test(jsonw, compact_layout)
{
    ws_jsonw w;
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "a");
    ws_jsonw_int64(&w, 1);
    ws_jsonw_key(&w, "b");
    ws_jsonw_begin_array(&w);
    ws_jsonw_bool(&w, true);
    ws_jsonw_null(&w);
    ws_jsonw_begin_object(&w);
    ws_jsonw_end_object(&w);
    ws_jsonw_begin_array(&w);
    ws_jsonw_end_array(&w);
    ws_jsonw_string(&w, "x");
    ws_jsonw_end_array(&w);
    ws_jsonw_key(&w, "c");
    ws_jsonw_string(&w, NULL);
    ws_jsonw_end_object(&w);
    char *out = finish(&w);
    cr_expect_str_eq(out, "{\"a\":1,\"b\":[true,null,{},[],\"x\"],\"c\":null}");
    free(out);
}

/* Same layout as Python 3: json.dumps(obj, indent=3) + "\n". */
Test(jsonw, pretty_layout_indent_3)
{
    ws_jsonw w;
    ws_jsonw_init(&w, 3);
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "agent");
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "1.1.1");
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "behavior");
    ws_jsonw_string(&w, "OK");
    ws_jsonw_key(&w, "duration");
    ws_jsonw_int64(&w, 2);
    ws_jsonw_end_object(&w);
    ws_jsonw_end_object(&w);
    ws_jsonw_key(&w, "empty");
    ws_jsonw_begin_array(&w);
    ws_jsonw_end_array(&w);
    ws_jsonw_key(&w, "list");
    ws_jsonw_begin_array(&w);
    ws_jsonw_double(&w, 0.5);
    ws_jsonw_begin_object(&w);
    ws_jsonw_end_object(&w);
    ws_jsonw_end_array(&w);
    ws_jsonw_end_object(&w);
    char *out = finish(&w);
    cr_expect_str_eq(out, "{\n"
                          "   \"agent\": {\n"
                          "      \"1.1.1\": {\n"
                          "         \"behavior\": \"OK\",\n"
                          "         \"duration\": 2\n"
                          "      }\n"
                          "   },\n"
                          "   \"empty\": [],\n"
                          "   \"list\": [\n"
                          "      0.5,\n"
                          "      {}\n"
                          "   ]\n"
                          "}\n");
    free(out);
}

Test(jsonw, string_escapes)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"plain", 5, "\"plain\""},
        {"\"\\/", 3, "\"\\\"\\\\/\""},
        {"\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\""},
        {"\x00\x01\x1F\x7F", 4, "\"\\u0000\\u0001\\u001F\x7F\""},
        {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9, "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""},
        /* invalid UTF-8: each offending byte becomes \u00XX */
        {"\xFF", 1, "\"\\u00FF\""},
        {"\x80", 1, "\"\\u0080\""},
        {"\xC3\x28", 2, "\"\\u00C3(\""},
        {"\xC0\xAF", 2, "\"\\u00C0\\u00AF\""},
        {"\xED\xA0\x80", 3, "\"\\u00ED\\u00A0\\u0080\""},
        {"\xF4\x90\x80\x80", 4, "\"\\u00F4\\u0090\\u0080\\u0080\""},
        {"a\xE2\x82", 3, "\"a\\u00E2\\u0082\""},
        {"\xE2\x82\xAC\xE2", 4, "\"\xE2\x82\xAC\\u00E2\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = one_string(cases[i].in, cases[i].len);
        cr_expect_str_eq(out, cases[i].out, "case %zu", i);
        free(out);
    }
}

/* Decode a single-string document with the reader. */
static void reparse_string(const char *text, char **s, size_t *len)
{
    char err[128];
    ws_json_doc *d = ws_json_parse(text, strlen(text), err, sizeof(err));
    cr_assert_not_null(d, "writer output rejected by reader: %s", err);
    const char *p;
    cr_assert(ws_json_string(ws_json_root(d), &p, len));
    *s = malloc(*len + 1);
    memcpy(*s, p, *len + 1);
    ws_json_free(d);
}

/* Bytes 0x80-0xFF that are not valid UTF-8 read back as U+0080-U+00FF. */
static size_t latin1_to_utf8(const unsigned char *in, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] < 0x80) {
            out[o++] = in[i];
        } else {
            out[o++] = (unsigned char)(0xC0 | (in[i] >> 6));
            out[o++] = (unsigned char)(0x80 | (in[i] & 0x3F));
        }
    }
    return o;
}

Test(jsonw, every_byte_roundtrips_through_reader)
{
    unsigned char all[256], want[512];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    /* Each byte alone. */
    for (int i = 0; i < 256; i++) {
        char *out = one_string((const char *)all + i, 1), *s;
        size_t len;
        reparse_string(out, &s, &len);
        size_t wl = latin1_to_utf8(all + i, 1, want);
        cr_expect_eq(len, wl, "byte %d", i);
        cr_expect(memcmp(s, want, wl) == 0, "byte %d", i);
        free(out);
        free(s);
    }
    /* All 256 bytes in one string: 0x00-0x7F exact, every high byte is invalid here. */
    char *out = one_string((const char *)all, 256), *s;
    size_t len;
    reparse_string(out, &s, &len);
    size_t wl = latin1_to_utf8(all, 256, want);
    cr_expect_eq(len, wl);
    cr_expect(memcmp(s, want, wl) == 0);
    free(out);
    free(s);
    /* Valid UTF-8 of every length round-trips byte for byte. */
    static const char valid[] = "a\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
                                "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\x00z";
    out = one_string(valid, sizeof(valid) - 1);
    reparse_string(out, &s, &len);
    cr_expect_eq(len, sizeof(valid) - 1);
    cr_expect(memcmp(s, valid, len) == 0);
    free(out);
    free(s);
}

Test(jsonw, string_max_cuts_at_utf8_boundary)
{
    static const struct {
        const char *in;
        size_t max;
        const char *out;
    } cases[] = {
        {"abc", 3, "\"abc\""},
        {"abc", 5, "\"abc\""},
        {"abcd", 3, "\"abc \xE2\x80\xA6\""},
        {"abc", 0, "\" \xE2\x80\xA6\""},
        {"a\xC3\xA9z", 2, "\"a \xE2\x80\xA6\""},
        {"a\xC3\xA9z", 3, "\"a\xC3\xA9 \xE2\x80\xA6\""},
        {"\xE2\x82\xAC\xE2\x82\xAC", 5, "\"\xE2\x82\xAC \xE2\x80\xA6\""},
        {"\xF0\x9F\x98\x80!", 3, "\" \xE2\x80\xA6\""},
        {"\xFF\xFE\xFD", 2, "\"\\u00FF\\u00FE \xE2\x80\xA6\""},
        {"x\n\"yz", 3, "\"x\\n\\\" \xE2\x80\xA6\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ws_jsonw w;
        ws_jsonw_init(&w, 0);
        ws_jsonw_string_max(&w, cases[i].in, strlen(cases[i].in), cases[i].max);
        char *out = finish(&w);
        cr_expect_str_eq(out, cases[i].out, "case %zu", i);
        free(out);
    }
}

Test(jsonw, numbers)
{
    ws_jsonw w;
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_array(&w);
    ws_jsonw_int64(&w, INT64_MIN);
    ws_jsonw_int64(&w, INT64_MAX);
    ws_jsonw_uint64(&w, UINT64_MAX);
    ws_jsonw_double(&w, 0.1);
    ws_jsonw_double(&w, -2.5);
    ws_jsonw_double(&w, 1e300);
    ws_jsonw_double(&w, 3.0);
    ws_jsonw_double(&w, NAN);
    ws_jsonw_double(&w, INFINITY);
    ws_jsonw_double(&w, -INFINITY);
    ws_jsonw_double(&w, 1.0 / 3.0);
    ws_jsonw_double(&w, 5e-324);
    ws_jsonw_end_array(&w);
    char *out = finish(&w);
    cr_expect_str_eq(out, "[-9223372036854775808,9223372036854775807,18446744073709551615,0.1,"
                          "-2.5,1e+300,3,null,null,null,0.3333333333333333,4.94065645841247e-324]");
    char err[128];
    ws_json_doc *d = ws_json_parse(out, strlen(out), err, sizeof(err));
    cr_assert_not_null(d, "%s", err);
    double third = 0, tiny = 0;
    int64_t mn = 0;
    ws_json_number(ws_json_array_at(ws_json_root(d), 10), &third);
    ws_json_number(ws_json_array_at(ws_json_root(d), 11), &tiny);
    ws_json_int64(ws_json_array_at(ws_json_root(d), 0), &mn);
    cr_expect_eq(third, 1.0 / 3.0, "doubles round-trip exactly");
    cr_expect_eq(tiny, 5e-324);
    cr_expect_eq(mn, INT64_MIN);
    ws_json_free(d);
    free(out);
}

Test(jsonw, misuse_is_reported_not_fatal)
{
    char err[128];
    ws_jsonw w;
    /* value in an object without a key */
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_object(&w);
    ws_jsonw_int64(&w, 1);
    ws_jsonw_end_object(&w);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    cr_expect_str_eq(err, "JSON writer: calls out of order (internal error)");
    ws_jsonw_free(&w);
    /* mismatched end, key outside an object, two keys in a row, two roots */
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_object(&w);
    ws_jsonw_end_array(&w);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    ws_jsonw_free(&w);
    ws_jsonw_init(&w, 0);
    ws_jsonw_key(&w, "k");
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    ws_jsonw_free(&w);
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "a");
    ws_jsonw_key(&w, "b");
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    ws_jsonw_free(&w);
    ws_jsonw_init(&w, 0);
    ws_jsonw_null(&w);
    ws_jsonw_null(&w);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    ws_jsonw_free(&w);
    /* incomplete documents */
    ws_jsonw_init(&w, 0);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    cr_expect_str_eq(err, "JSON writer: document is incomplete");
    ws_jsonw_begin_array(&w);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    ws_jsonw_free(&w);
    /* depth: 64 containers fine, 65 is misuse */
    for (int n = 64; n <= 65; n++) {
        ws_jsonw_init(&w, 1);
        for (int i = 0; i < n; i++)
            ws_jsonw_begin_array(&w);
        for (int i = 0; i < n; i++)
            ws_jsonw_end_array(&w);
        cr_expect_eq(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)), n == 64, "depth %d", n);
        ws_jsonw_free(&w);
    }
    /* OOM flag is sticky and reported at the end */
    ws_jsonw_init(&w, 0);
    ws_jsonw_begin_array(&w);
    w.buf.oom = true;
    ws_jsonw_int64(&w, 1);
    ws_jsonw_end_array(&w);
    cr_expect_not(ws_jsonw_finish(&w, NULL, NULL, err, sizeof(err)));
    cr_expect_str_eq(err, "JSON writer: out of memory");
    ws_jsonw_free(&w);
}

Test(jsonw, reader_writer_roundtrip)
{
    static const char *const docs[] = {
        "{\"a\":[1,-2,0.5,1e+300,true,false,null,\"\"],\"b\":{\"c\":{}},\"d\":[]}",
        "[\"\\u0000\\u001F\\\"\\\\\\n\",\"\xC3\xA9\xF0\x9F\x98\x80\",{\"\xE2\x82\xAC\":1}]",
        "{\"dup\":1,\"dup\":2}",
        "[[[[[[[[[[[[[[[[\"deep\"]]]]]]]]]]]]]]]]",
        "-9223372036854775808",
        "\"x\"",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        char err[128];
        ws_json_doc *d = ws_json_parse(docs[i], strlen(docs[i]), err, sizeof(err));
        cr_assert_not_null(d, "doc %zu: %s", i, err);
        ws_jsonw w;
        ws_jsonw_init(&w, 0);
        ws_jsonw_value(&w, ws_json_root(d));
        char *out = finish(&w);
        cr_expect_str_eq(out, docs[i], "doc %zu", i);
        free(out);
        ws_json_free(d);
    }
}

/* A real consumer: Python's json module must accept the output. */
Test(jsonw, python_json_accepts_output)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("no /usr/bin/python3");
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    ws_jsonw w;
    ws_jsonw_init(&w, 3);
    ws_jsonw_begin_object(&w);
    ws_jsonw_key(&w, "s");
    ws_jsonw_stringn(&w, (const char *)all, 256);
    ws_jsonw_key(&w, "n");
    ws_jsonw_begin_array(&w);
    ws_jsonw_double(&w, 0.1);
    ws_jsonw_double(&w, NAN);
    ws_jsonw_uint64(&w, UINT64_MAX);
    ws_jsonw_end_array(&w);
    ws_jsonw_key(&w, "t");
    ws_jsonw_string_max(&w, "\xE2\x82\xAC\xE2\x82\xAC", 6, 4);
    ws_jsonw_end_object(&w);
    char *out = finish(&w);
    FILE *p = popen("/usr/bin/python3 -c 'import json,sys\n"
                    "d = json.loads(sys.stdin.buffer.read())\n"
                    "ok = d[\"s\"] == bytes(range(256)).decode(\"latin-1\")\n"
                    "ok = ok and d[\"n\"] == [0.1, None, 2**64 - 1]\n"
                    "ok = ok and d[\"t\"] == \"\\u20ac \\u2026\"\n"
                    "sys.exit(0 if ok else 3)'",
                    "w");
    cr_assert_not_null(p);
    fwrite(out, 1, strlen(out), p);
    int st = pclose(p);
    cr_expect_eq(st, 0, "python3 rejected the output (status %d):\n%s", st, out);
    free(out);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

Test(jsonw, write_file_atomic)
{
    char dir[] = "/tmp/wsspec_jsonw_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], tmp[300], err[256];
    snprintf(path, sizeof(path), "%s/index.json", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    cr_assert_eq(ws_write_file_atomic(path, "{\"a\":1}\n", 8, err, sizeof(err)), 0, "%s", err);
    size_t len;
    char *got = read_all(path, &len);
    cr_assert_not_null(got);
    cr_expect_eq(len, 8);
    cr_expect(memcmp(got, "{\"a\":1}\n", 8) == 0);
    free(got);
    cr_expect_neq(access(tmp, F_OK), 0, "no temp file left behind");
    /* Replacing an existing file; empty content is fine. */
    cr_assert_eq(ws_write_file_atomic(path, "", 0, err, sizeof(err)), 0, "%s", err);
    got = read_all(path, &len);
    cr_expect_eq(len, 0);
    free(got);
    /* Errors name the file and the operation. */
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/x.json", dir);
    cr_expect_eq(ws_write_file_atomic(bad, "x", 1, err, sizeof(err)), -1);
    cr_expect(strstr(err, "x.json.tmp: open: No such file or directory") != NULL, "%s", err);
    /* rename onto a directory fails; the temp file is removed */
    char sub[300], subtmp[310];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    snprintf(subtmp, sizeof(subtmp), "%s.tmp", sub);
    cr_assert_eq(mkdir(sub, 0755), 0);
    char f2[320];
    snprintf(f2, sizeof(f2), "%s/f", sub);
    cr_assert_eq(ws_write_file_atomic(f2, "x", 1, err, sizeof(err)), 0);
    cr_expect_eq(ws_write_file_atomic(sub, "x", 1, err, sizeof(err)), -1);
    cr_expect(strstr(err, ": rename: ") != NULL, "%s", err);
    cr_expect_neq(access(subtmp, F_OK), 0, "temp file removed after failure");
    cr_expect_eq(ws_write_file_atomic(NULL, "x", 1, err, sizeof(err)), -1);
    unlink(f2);
    rmdir(sub);
    unlink(path);
    cr_expect_eq(rmdir(dir), 0);
}
