/*
 * wsspec fuzz URL [--exec CMD] [--seconds N | --runs N] [--seed S] [-j N]
 *                 [--corpus DIR] [--findings DIR] [--rss-limit MB] [--hang-ms MS]
 *                 [--stop-after N] [--no-suite-seeds] [--allow-remote]
 * wsspec fuzz --client --listen HOST:PORT [--exec "CLIENT {url}"] [--seconds N | --runs N]
 *                 [--seed S] [--findings DIR] [--rss-limit MB] [--hang-ms MS] [--allow-remote]
 * wsspec replay FILE [URL] [--exec CMD] [--hang-ms MS] [--rss-limit MB] [--allow-remote] [--quiet]
 * wsspec replay FILE --client --listen HOST:PORT [--exec CMD] [--hang-ms MS] [--quiet]
 * wsspec replay --to-chunks FILE > out.bin
 *
 * Live fuzzing of a server or client under test and replay of its
 * reproducers (src/livefuzz/). Bad flags: one line on stderr, exit 2.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "livefuzz/livefuzz.h"

static const char fuzz_usage[] =
    "usage: wsspec fuzz URL [--exec \"SERVER COMMAND\"] [--seconds N | --runs N] [--seed S]\n"
    "                   [-j N] [--corpus DIR] [--findings DIR] [--rss-limit MB] [--hang-ms MS]\n"
    "                   [--stop-after N] [--no-suite-seeds] [--allow-remote]\n"
    "       wsspec fuzz --client --listen HOST:PORT [--exec \"CLIENT COMMAND {url}\"]\n"
    "                   [--seconds N | --runs N] [--seed S] [--findings DIR] [--rss-limit MB]\n"
    "                   [--hang-ms MS] [--allow-remote]\n"
    "Fuzz a WebSocket server (or, with --client, a client: {url} in the command becomes\n"
    "ws://HOST:PORT/s<N>) with mutated sessions; save minimized reproducers of findings.\n"
    "Exit: 0 no finding, 1 findings saved, 2 usage, 3 target unreachable at start.\n";

static const char replay_usage[] =
    "usage: wsspec replay FILE [URL] [--exec \"SERVER COMMAND\"] [--hang-ms MS] [--rss-limit MB]\n"
    "                     [--allow-remote] [-q|--quiet]\n"
    "       wsspec replay FILE --client --listen HOST:PORT [--exec \"CLIENT COMMAND {url}\"]\n"
    "                     [--hang-ms MS] [--rss-limit MB] [--allow-remote] [-q|--quiet]\n"
    "       wsspec replay --to-chunks FILE > out.bin\n"
    "Replay a reproducer: prints the wire log (not with --quiet), then 'same: ...' (exit 0)\n"
    "or 'different: ...' (exit 1) as the last line.\n";

static int bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "wsspec %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try 'wsspec %s --help')\n", cmd);
    return WS_EXIT_USAGE;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: true and *v set; *v NULL if missing. */
static bool flag(int argc, char **argv, int *i, const char *name, const char **v)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *v = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != 0)
        return false;
    *v = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

static bool number(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || *end || d < lo || d > hi)
        return false;
    *out = d;
    return true;
}

int ws_cmd_fuzz(int argc, char **argv)
{
    ws_lf_config cfg = {.seed = 1, .jobs = 1, .findings_dir = "wsspec-findings", .hang_ms = 2000};
    bool have_seconds = false, have_runs = false;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        double d;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(fuzz_usage, stdout);
            return WS_EXIT_OK;
        } else if (strcmp(argv[i], "--allow-remote") == 0) {
            cfg.allow_remote = true;
        } else if (strcmp(argv[i], "--no-suite-seeds") == 0) {
            cfg.corpus_seeds_only = true;
        } else if (flag(argc, argv, &i, "--stop-after", &v)) {
            if (!number(v, 1, 1e6, &d))
                return bad("fuzz", "--stop-after needs a positive number of findings");
            cfg.stop_after = (int)d;
        } else if (strcmp(argv[i], "--client") == 0) {
            cfg.client_mode = true;
        } else if (flag(argc, argv, &i, "--listen", &v)) {
            if (!v || !*v)
                return bad("fuzz", "--listen needs HOST:PORT");
            cfg.listen = v;
        } else if (flag(argc, argv, &i, "--exec", &v)) {
            if (!v || !*v)
                return bad("fuzz", "--exec needs a command");
            cfg.exec_cmd = v;
        } else if (flag(argc, argv, &i, "--seconds", &v)) {
            if (!number(v, 0.1, 1e7, &d))
                return bad("fuzz", "--seconds needs a number of seconds > 0");
            cfg.seconds = d;
            have_seconds = true;
        } else if (flag(argc, argv, &i, "--runs", &v)) {
            if (!number(v, 1, 1e15, &d))
                return bad("fuzz", "--runs needs a positive count");
            cfg.runs = (uint64_t)d;
            have_runs = true;
        } else if (flag(argc, argv, &i, "--seed", &v)) {
            if (!number(v, 0, 1.8e19, &d))
                return bad("fuzz", "--seed needs a non-negative integer");
            cfg.seed = strtoull(v, NULL, 10);
        } else if (flag(argc, argv, &i, "-j", &v) || flag(argc, argv, &i, "--jobs", &v)) {
            if (!number(v, 1, 64, &d))
                return bad("fuzz", "-j needs a worker count in 1-64");
            cfg.jobs = (int)d;
        } else if (flag(argc, argv, &i, "--corpus", &v)) {
            if (!v || !*v)
                return bad("fuzz", "--corpus needs a directory");
            cfg.corpus_dir = v;
        } else if (flag(argc, argv, &i, "--findings", &v)) {
            if (!v || !*v)
                return bad("fuzz", "--findings needs a directory");
            cfg.findings_dir = v;
        } else if (flag(argc, argv, &i, "--rss-limit", &v)) {
            if (!number(v, 1, 1e7, &d))
                return bad("fuzz", "--rss-limit needs megabytes > 0");
            cfg.rss_limit_mb = (long)d;
        } else if (flag(argc, argv, &i, "--hang-ms", &v)) {
            if (!number(v, 10, 3.6e6, &d))
                return bad("fuzz", "--hang-ms needs milliseconds (10-3600000)");
            cfg.hang_ms = (int)d;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return bad("fuzz", "unknown option '%s'", argv[i]);
        } else if (cfg.url) {
            return bad("fuzz", "one URL only ('%s' and '%s')", cfg.url, argv[i]);
        } else {
            cfg.url = argv[i];
        }
    }
    if (cfg.client_mode || cfg.listen) {
        if (!cfg.client_mode || !cfg.listen)
            return bad("fuzz", "client mode needs both --client and --listen HOST:PORT");
        if (cfg.url)
            return bad("fuzz", "client mode takes no URL ('%s'): the client connects to --listen",
                       cfg.url);
        if (cfg.jobs != 1 || cfg.corpus_dir || cfg.corpus_seeds_only)
            return bad("fuzz", "client mode runs one job and keeps no --corpus");
    } else if (!cfg.url) {
        return bad("fuzz", "missing the server URL");
    }
    if (have_seconds && have_runs)
        return bad("fuzz", "give --seconds or --runs, not both");
    if (!have_seconds && !have_runs)
        cfg.seconds = 60;
    if (cfg.rss_limit_mb && !cfg.exec_cmd)
        return bad("fuzz", "--rss-limit needs --exec (wsspec samples the process it started)");
    return cfg.client_mode ? ws_lf_client_fuzz(&cfg) : ws_lf_fuzz(&cfg);
}

static int to_chunks(const char *file)
{
    ws_lf_repro r;
    char err[512];
    if (ws_lf_repro_load(file, &r, err, sizeof err) != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", err);
        return WS_EXIT_USAGE;
    }
    if (r.client_mode) {
        fprintf(stderr, "wsspec replay: %s: --to-chunks takes server-mode reproducers only\n",
                file);
        ws_lf_repro_free(&r);
        return WS_EXIT_USAGE;
    }
    uint8_t *out;
    size_t len;
    ws_err e = ws_lf_repro_to_chunks(&r, &out, &len);
    ws_lf_repro_free(&r);
    if (e != WS_OK) {
        fprintf(stderr, "wsspec replay: %s\n", ws_err_message(e));
        return WS_EXIT_USAGE;
    }
    size_t w = fwrite(out, 1, len, stdout);
    free(out);
    return w == len && fflush(stdout) == 0 ? WS_EXIT_OK : WS_EXIT_FAILED;
}

int ws_cmd_replay(int argc, char **argv)
{
    ws_lf_replay_opts opt = {.hang_ms = 2000};
    bool chunks = false;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        double d;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(replay_usage, stdout);
            return WS_EXIT_OK;
        } else if (strcmp(argv[i], "--to-chunks") == 0) {
            chunks = true;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            opt.quiet = true;
        } else if (strcmp(argv[i], "--allow-remote") == 0) {
            opt.allow_remote = true;
        } else if (strcmp(argv[i], "--client") == 0) {
            opt.client = true;
        } else if (flag(argc, argv, &i, "--listen", &v)) {
            if (!v || !*v)
                return bad("replay", "--listen needs HOST:PORT");
            opt.listen = v;
        } else if (flag(argc, argv, &i, "--exec", &v)) {
            if (!v || !*v)
                return bad("replay", "--exec needs a command");
            opt.exec_cmd = v;
        } else if (flag(argc, argv, &i, "--hang-ms", &v)) {
            if (!number(v, 10, 3.6e6, &d))
                return bad("replay", "--hang-ms needs milliseconds (10-3600000)");
            opt.hang_ms = (int)d;
        } else if (flag(argc, argv, &i, "--rss-limit", &v)) {
            if (!number(v, 1, 1e7, &d))
                return bad("replay", "--rss-limit needs megabytes > 0");
            opt.rss_limit_mb = (long)d;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return bad("replay", "unknown option '%s'", argv[i]);
        } else if (!opt.file) {
            opt.file = argv[i];
        } else if (!opt.url) {
            opt.url = argv[i];
        } else {
            return bad("replay", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!opt.file)
        return bad("replay", "missing the reproducer FILE");
    if (chunks)
        return opt.url || opt.exec_cmd || opt.client ? bad("replay", "--to-chunks takes only FILE")
                                                     : to_chunks(opt.file);
    if (opt.rss_limit_mb && !opt.exec_cmd)
        return bad("replay", "--rss-limit needs --exec (wsspec samples the process it started)");
    if (opt.client != (opt.listen != NULL))
        return bad("replay", "client mode needs both --client and --listen HOST:PORT");
    if (opt.client && opt.url)
        return bad("replay", "client mode takes no URL ('%s')", opt.url);
    return ws_lf_replay(&opt);
}
