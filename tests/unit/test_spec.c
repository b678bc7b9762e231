/* Unit tests for the Autobahn spec readers (src/driver/spec.c). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/spec.h"

/* Write text to a fresh temp file whose name is stored in path. */
static void write_temp(char *path, size_t cap, const char *text, size_t len)
{
    snprintf(path, cap, "/tmp/wsspec_spec_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static int parse(const char *text, ws_spec *s, char *err, size_t cap)
{
    return ws_spec_parse("spec.json", text, strlen(text), s, err, cap);
}

Test(spec, autobahn_default_loads_from_file)
{
    static const char text[] =
        "{\"outdir\": \"./reports/servers\", \"servers\": [{\"url\": \"ws://127.0.0.1:9001\"}],\n"
        " \"cases\": [\"*\"], \"exclude-cases\": [], \"exclude-agent-cases\": {}}\n";
    char path[64], err[256] = "";
    write_temp(path, sizeof(path), text, sizeof(text) - 1);
    ws_spec s;
    cr_assert_eq(ws_spec_load(path, &s, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(s.outdir, "./reports/servers");
    cr_assert_eq(s.n_servers, 1);
    cr_expect_str_eq(s.servers[0].url, "ws://127.0.0.1:9001");
    cr_expect_null(s.servers[0].agent);
    cr_expect_null(s.servers[0].hostname);
    cr_expect_null(s.servers[0].origin);
    cr_expect_eq(s.servers[0].n_protocols, 0);
    cr_expect_eq(s.servers[0].options.n, 0);
    cr_assert_eq(s.n_cases, 1);
    cr_expect_str_eq(s.cases[0], "*");
    cr_expect_eq(s.n_exclude_cases, 0);
    cr_expect_eq(s.n_exclude_agent_cases, 0);
    cr_expect_eq(s.options.n, 0);
    ws_spec_free(&s);
    ws_spec_free(&s); /* idempotent */
    unlink(path);
}

Test(spec, full_fuzzingclient_spec)
{
    static const char text[] =
        "{\n"
        "  \"outdir\": \"./out\",\n"
        "  \"options\": {\"failByDrop\": true, \"openHandshakeTimeout\": 2.5,\n"
        "              \"compressionLevel\": 0,\n"
        "              \"futureOption\": {\"x\": [1, 2.5, \"s\", null, false]}},\n"
        "  \"servers\": [\n"
        "    {\"agent\": \"A\", \"url\": \"ws://127.0.0.1:9010\", \"options\": {\"version\": "
        "18}},\n"
        "    {\"agent\": \"B\", \"url\": \"wss://localhost:9011/p?q=1\", \"hostname\": "
        "\"example.org\",\n"
        "     \"origin\": \"http://example.org\", \"protocols\": [\"chat\", \"v2.json\"],\n"
        "     \"options\": {\"closeHandshakeTimeout\": 0, \"serverConnectionDropTimeout\": 3,\n"
        "                 \"failByDrop\": false}}\n"
        "  ],\n"
        "  \"cases\": [\"1.*\", \"12.*.1\", \"9.7.*\"],\n"
        "  \"exclude-cases\": [\"9.*\", \"12.2.*\"],\n"
        "  \"exclude-agent-cases\": {\"Autobahn*\": [\"7.9.*\"], \"B\": []},\n"
        "  \"webport\": 8080, \"unknown\": {\"deep\": [[]]}\n"
        "}\n";
    ws_spec s;
    char err[256] = "";
    cr_assert_eq(parse(text, &s, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(s.outdir, "./out");
    cr_expect(s.options.has_fail_by_drop && s.options.fail_by_drop);
    cr_expect(s.options.has_open_handshake_timeout);
    cr_expect_eq(s.options.open_handshake_timeout, 2.5);
    cr_expect_not(s.options.has_close_handshake_timeout);
    cr_expect(s.options.has_compression_level);
    cr_expect_eq(s.options.compression_level, 0);
    cr_expect_not(s.servers[1].options.has_compression_level);
    cr_expect_eq(s.options.n, 4);
    cr_expect_str_eq(ws_spec_option_json(&s.options, "futureOption"),
                     "{\"x\":[1,2.5,\"s\",null,false]}");
    cr_expect_str_eq(ws_spec_option_json(&s.options, "failByDrop"), "true");
    cr_expect_null(ws_spec_option_json(&s.options, "nope"));
    cr_assert_eq(s.n_servers, 2);
    cr_expect_str_eq(s.servers[0].agent, "A");
    cr_expect_str_eq(ws_spec_option_json(&s.servers[0].options, "version"), "18");
    const ws_spec_server *b = &s.servers[1];
    cr_expect_str_eq(b->url, "wss://localhost:9011/p?q=1");
    cr_expect_str_eq(b->hostname, "example.org");
    cr_expect_str_eq(b->origin, "http://example.org");
    cr_assert_eq(b->n_protocols, 2);
    cr_expect_str_eq(b->protocols[1], "v2.json");
    cr_expect(b->options.has_close_handshake_timeout);
    cr_expect_eq(b->options.close_handshake_timeout, 0);
    cr_expect_eq(b->options.server_connection_drop_timeout, 3);
    cr_expect(b->options.has_fail_by_drop && !b->options.fail_by_drop);
    cr_assert_eq(s.n_cases, 3);
    cr_expect_str_eq(s.cases[1], "12.*.1");
    cr_assert_eq(s.n_exclude_cases, 2);
    cr_expect_str_eq(s.exclude_cases[1], "12.2.*");
    cr_assert_eq(s.n_exclude_agent_cases, 2);
    cr_expect_str_eq(s.exclude_agent_cases[0].agent, "Autobahn*");
    cr_assert_eq(s.exclude_agent_cases[0].n_cases, 1);
    cr_expect_str_eq(s.exclude_agent_cases[0].cases[0], "7.9.*");
    cr_expect_str_eq(s.exclude_agent_cases[1].agent, "B");
    cr_expect_eq(s.exclude_agent_cases[1].n_cases, 0);
    ws_spec_free(&s);
}

Test(spec, defaults_and_empty_servers)
{
    ws_spec s;
    char err[256] = "";
    cr_assert_eq(parse("{\"servers\": [], \"cases\": []}", &s, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(s.outdir, WS_SPEC_DEFAULT_OUTDIR_SERVERS);
    cr_expect_eq(s.n_servers, 0);
    cr_expect_eq(s.n_cases, 0);
    ws_spec_free(&s);
}

Test(spec, bad_specs_give_one_line_errors)
{
#define SRV   "\"servers\": [{\"url\": \"ws://h:1\"}]"
#define CASES "\"cases\": [\"*\"]"
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"[]", "spec.json: top level: expected an object, got an array"},
        {"", "spec.json: line 1, column 1: unexpected end of input, expected a value"},
        {"{\n  \"servers\": [],\n  \"cases\": [\"*\"],\n}",
         "spec.json: line 3, column 17: trailing comma is not allowed"},
        {"{\"servers\": [] \"cases\": []}", "spec.json: line 1, column 16: expected ',' or '}'"},
        {"{" CASES "}", "spec.json: servers: missing (required): an array of {\"url\": ...}"},
        {"{\"servers\": {}, " CASES "}", "spec.json: servers: expected an array, got an object"},
        {"{\"servers\": [{\"url\": \"ws://a\"}, {\"url\": 5}], " CASES "}",
         "spec.json: servers[1].url: expected a string, got a number"},
        {"{\"servers\": [{\"agent\": \"x\"}], " CASES "}",
         "spec.json: servers[0].url: missing (required)"},
        {"{\"servers\": [\"ws://a\"], " CASES "}",
         "spec.json: servers[0]: expected an object, got a string"},
        {"{\"servers\": [{\"url\": \"http://a\"}], " CASES "}",
         "spec.json: servers[0].url: expected a ws:// or wss:// URL"},
        {"{\"servers\": [{\"url\": \"\"}], " CASES "}",
         "spec.json: servers[0].url: must not be empty"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"agent\": null}], " CASES "}",
         "spec.json: servers[0].agent: expected a string, got null"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"hostname\": 1}], " CASES "}",
         "spec.json: servers[0].hostname: expected a string, got a number"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"origin\": \"a\\u0000b\"}], " CASES "}",
         "spec.json: servers[0].origin: string contains a NUL character"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"protocols\": \"chat\"}], " CASES "}",
         "spec.json: servers[0].protocols: expected an array of strings, got a string"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"protocols\": [\"ok\", \"a b\"]}], " CASES "}",
         "spec.json: servers[0].protocols[1]: subprotocol is not a valid HTTP token"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"options\": []}], " CASES "}",
         "spec.json: servers[0].options: expected an object, got an array"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"options\": {\"failByDrop\": \"no\"}}], " CASES "}",
         "spec.json: servers[0].options.failByDrop: expected a boolean, got a string"},
        {"{" SRV ", \"options\": {\"compressionLevel\": 10}, " CASES "}",
         "spec.json: options.compressionLevel: must be a whole number from 0 to 9"},
        {"{" SRV ", \"options\": {\"compressionLevel\": 1.5}, " CASES "}",
         "spec.json: options.compressionLevel: must be a whole number from 0 to 9"},
        {"{\"servers\": [{\"url\": \"ws://a\", \"options\": {\"compressionLevel\": \"1\"}}], " CASES
         "}",
         "spec.json: servers[0].options.compressionLevel: expected a zlib level (0 to 9), got a "
         "string"},
        {"{" SRV ", \"options\": {\"openHandshakeTimeout\": -1}, " CASES "}",
         "spec.json: options.openHandshakeTimeout: must be >= 0"},
        {"{" SRV ", \"options\": {\"closeHandshakeTimeout\": \"1\"}, " CASES "}",
         "spec.json: options.closeHandshakeTimeout: expected a number (seconds), got a string"},
        {"{" SRV "}", "spec.json: cases: missing (required): an array of case patterns"},
        {"{" SRV ", \"cases\": \"*\"}",
         "spec.json: cases: expected an array of strings, got a string"},
        {"{" SRV ", \"cases\": [\"1.*\", 5]}",
         "spec.json: cases[1]: expected a string, got a number"},
        {"{" SRV ", \"cases\": [\"1 .1\"]}",
         "spec.json: cases[0]: \"1 .1\": invalid character space in case pattern "
         "(allowed: 0-9 A-Z a-z . * _ -)"},
        {"{" SRV ", \"cases\": [\"\"]}", "spec.json: cases[0]: must not be empty"},
        {"{" SRV ", " CASES ", \"exclude-cases\": {}}",
         "spec.json: exclude-cases: expected an array of strings, got an object"},
        {"{" SRV ", " CASES ", \"exclude-agent-cases\": []}",
         "spec.json: exclude-agent-cases: expected an object {agent: [case patterns]}, got an "
         "array"},
        {"{" SRV ", " CASES ", \"exclude-agent-cases\": {\"ag\": \"1.*\"}}",
         "spec.json: exclude-agent-cases[\"ag\"]: expected an array of strings, got a string"},
        {"{" SRV ", " CASES ", \"exclude-agent-cases\": {\"ag\": [\"1.*\", \"x/y\"]}}",
         "spec.json: exclude-agent-cases[\"ag\"][1]: \"x/y\": invalid character '/' in case "
         "pattern (allowed: 0-9 A-Z a-z . * _ -)"},
        {"{" SRV ", " CASES ", \"exclude-agent-cases\": {\"\": []}}",
         "spec.json: exclude-agent-cases[\"\"]: agent pattern must not be empty"},
        {"{" SRV ", " CASES ", \"outdir\": 3}",
         "spec.json: outdir: expected a string, got a number"},
        {"{" SRV ", " CASES ", \"outdir\": \"\"}", "spec.json: outdir: must not be empty"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ws_spec s;
        char err[300] = "";
        cr_expect_eq(parse(cases[i].text, &s, err, sizeof(err)), -1, "case %zu", i);
        cr_expect_str_eq(err, cases[i].err, "case %zu", i);
        cr_expect_null(strchr(err, '\n'), "one line");
        cr_expect_null(s.servers);
        cr_expect_null(s.outdir);
        cr_expect_null(s.cases);
        ws_spec_free(&s);
    }
#undef SRV
#undef CASES
}

Test(spec, file_errors_and_size_limit)
{
    ws_spec s;
    char err[300];
    cr_expect_eq(ws_spec_load("/nonexistent/dir/spec.json", &s, err, sizeof(err)), -1);
    cr_expect_str_eq(err, "/nonexistent/dir/spec.json: cannot open: No such file or directory");

    /* Exactly 1 MiB (padded with spaces) loads; one byte more is rejected. */
    static const char body[] = "{\"servers\": [{\"url\": \"ws://h:1\"}], \"cases\": [\"*\"]}";
    size_t n = WS_SPEC_MAX_FILE;
    char *big = malloc(n + 1);
    cr_assert_not_null(big);
    memset(big, ' ', n + 1);
    memcpy(big, body, sizeof(body) - 1);
    char path[64];
    write_temp(path, sizeof(path), big, n);
    cr_expect_eq(ws_spec_load(path, &s, err, sizeof(err)), 0, "%s", err);
    ws_spec_free(&s);
    unlink(path);
    write_temp(path, sizeof(path), big, n + 1);
    cr_expect_eq(ws_spec_load(path, &s, err, sizeof(err)), -1);
    char want[128];
    snprintf(want, sizeof(want), "%s: file is larger than 1 MiB", path);
    cr_expect_str_eq(err, want);
    unlink(path);
    free(big);

    /* Syntax errors carry the file name. */
    write_temp(path, sizeof(path), "{\n  \"cases\": [\"*\"\n}", 19);
    cr_expect_eq(ws_spec_load(path, &s, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: line 3, column 1: expected ',' or ']'", path);
    cr_expect_str_eq(err, want);
    unlink(path);
}

Test(spec, fuzzingserver_spec)
{
    static const char dflt[] =
        "{\"url\": \"ws://127.0.0.1:9001\", \"outdir\": \"./reports/clients\",\n"
        " \"cases\": [\"*\"], \"exclude-cases\": [], \"exclude-agent-cases\": {}}";
    char path[64], err[300] = "";
    write_temp(path, sizeof(path), dflt, sizeof(dflt) - 1);
    ws_spec_fuzzingserver s;
    cr_assert_eq(ws_spec_load_server(path, &s, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(s.url, "ws://127.0.0.1:9001");
    cr_expect_str_eq(s.outdir, "./reports/clients");
    cr_expect_null(s.key);
    cr_expect_null(s.cert);
    cr_assert_eq(s.n_cases, 1);
    ws_spec_fuzzingserver_free(&s);
    unlink(path);

    static const char full[] =
        "{\"url\": \"wss://0.0.0.0:9443\", \"key\": \"k.pem\", \"cert\": \"c.pem\",\n"
        " \"protocols\": [\"wamp.2.json\"], \"options\": {\"failByDrop\": false},\n"
        " \"webport\": 8080, \"cases\": [\"1.*\"], \"exclude-cases\": [\"1.1.2\"],\n"
        " \"exclude-agent-cases\": {\"Chrome*\": [\"1.1.1\"]}}";
    cr_assert_eq(ws_spec_parse_server("fs.json", full, sizeof(full) - 1, &s, err, sizeof(err)), 0,
                 "%s", err);
    cr_expect_str_eq(s.url, "wss://0.0.0.0:9443");
    cr_expect_str_eq(s.outdir, WS_SPEC_DEFAULT_OUTDIR_CLIENTS);
    cr_expect_str_eq(s.key, "k.pem");
    cr_expect_str_eq(s.cert, "c.pem");
    cr_assert_eq(s.n_protocols, 1);
    cr_expect_str_eq(s.protocols[0], "wamp.2.json");
    cr_expect(s.options.has_fail_by_drop && !s.options.fail_by_drop);
    cr_assert_eq(s.n_exclude_cases, 1);
    cr_assert_eq(s.n_exclude_agent_cases, 1);
    cr_expect_str_eq(s.exclude_agent_cases[0].agent, "Chrome*");
    ws_spec_fuzzingserver_free(&s);

    static const struct {
        const char *text, *err;
    } bad[] = {
        {"{\"cases\": [\"*\"]}", "fs.json: url: missing (required): the listen URL"},
        {"{\"url\": 9001, \"cases\": [\"*\"]}", "fs.json: url: expected a string, got a number"},
        {"{\"url\": \"ws://a\", \"key\": \"\", \"cases\": [\"*\"]}",
         "fs.json: key: must not be empty"},
        {"{\"url\": \"ws://a\", \"cert\": [], \"cases\": [\"*\"]}",
         "fs.json: cert: expected a string, got an array"},
        {"{\"url\": \"ws://a\", \"protocols\": [\"\"], \"cases\": [\"*\"]}",
         "fs.json: protocols[0]: must not be empty"},
        {"{\"url\": \"ws://a\"}", "fs.json: cases: missing (required): an array of case patterns"},
        {"\"x\"", "fs.json: top level: expected an object, got a string"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(
            ws_spec_parse_server("fs.json", bad[i].text, strlen(bad[i].text), &s, err, sizeof(err)),
            -1, "case %zu", i);
        cr_expect_str_eq(err, bad[i].err, "case %zu", i);
        cr_expect_null(s.url);
        ws_spec_fuzzingserver_free(&s);
    }
}
