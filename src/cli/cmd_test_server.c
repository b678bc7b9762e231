/* wsspec test-server: run conformance cases against servers under test. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "driver/case.h"
#include "driver/pattern.h"
#include "driver/scheduler.h"
#include "driver/spec.h"
#include "report.h"
#include "wsspec/net.h"

#define DEFAULT_OUTDIR "wsspec-reports/servers"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

#define DEFLATE_CACHE_MAX ((size_t)256 << 20)

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: wsspec test-server URL [URL...] [OPTIONS]\n"
        "  -c, --cases LIST      ids or globs, comma-separated (default: all), e.g. \"1.*,6.4.*\"\n"
        "  -x, --exclude LIST    ids or globs to leave out\n"
        "  -o, --outdir DIR      report directory (default: " DEFAULT_OUTDIR ")\n"
        "      --agent NAME      agent name for a single URL (default: Server header)\n"
        "      --spec FILE       an Autobahn fuzzingclient.json, taken as is\n"
        "  -j, --jobs N          cases run in parallel (default: %d here)\n"
        "      --timeout SECONDS scale of the per-case timers (default 1 = Autobahn's)\n"
        "      --level N         zlib level of wsspec's compressed messages, 0 (stored)\n"
        "                        to 9 (smallest); default 1 (fastest); any is valid\n"
        "                        (spec file: options.compressionLevel)\n"
        "      --strict          count NON-STRICT as a failure too\n"
        "      --junit FILE      also write JUnit XML for CI\n"
        "      --baseline FILE   accepted results (an earlier index.json or a pattern list):\n"
        "                        exit 1 only on regressions\n"
        "      --save-repro DIR  save each FAILED case as DIR/case-ID.repro ('wsspec replay')\n"
        "  -q, --quiet           no progress line\n"
        "exit status: 0 no case FAILED, 1 some case FAILED, 2 usage error, 3 server unreachable\n",
        ws_default_jobs());
}

typedef struct {
    char *url;
    char *agent; /* NULL: from the Server header */
    char *sni, *origin, *protocols;
    ws_pattern_list extra_excludes; /* exclude-agent-cases that match this agent */
    int level;                      /* the spec's compressionLevel, or -1 */
} server_arg;

typedef struct {
    server_arg servers[64];
    size_t nservers;
    ws_pattern_list cases, excludes;
    const char *outdir;
    const char *agent;
    const char *spec_path;
    const char *junit, *baseline;
    const char *save_repro;
    int jobs;
    double scale;
    int level; /* -1: WS_DEFLATE_DEFAULT_LEVEL */
    bool strict, quiet;
} options;

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "wsspec test-server: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return WS_EXIT_USAGE;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0) || v > 1000)
        return false;
    *out = v;
    return true;
}

static char *join_protocols(char **p, size_t n)
{
    if (n == 0)
        return NULL;
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(p[i]) + 2;
    char *s = calloc(1, len);
    for (size_t i = 0; s && i < n; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, p[i]);
    }
    return s;
}

/* Copy a list of patterns (validated) into a pattern list. */
static int patterns_from(char **items, size_t n, ws_pattern_list *out, const char *what)
{
    char err[256];
    for (size_t i = 0; i < n; i++)
        if (!ws_pattern_valid(items[i], err, sizeof err)) {
            fprintf(stderr, "wsspec test-server: %s: %s\n", what, err);
            return -1;
        }
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items)
        return -1;
    for (size_t i = 0; i < n; i++)
        out->items[i] = strdup(items[i]);
    out->n = n;
    return 0;
}

static int load_spec(options *o, ws_spec *spec)
{
    char err[512];
    if (ws_spec_load(o->spec_path, spec, err, sizeof err) != 0) {
        fprintf(stderr, "wsspec test-server: %s\n", err);
        return WS_EXIT_USAGE;
    }
    if (!o->outdir)
        o->outdir = spec->outdir;
    if (!o->cases.n && patterns_from(spec->cases, spec->n_cases, &o->cases, "cases") != 0)
        return WS_EXIT_USAGE;
    if (!o->excludes.n &&
        patterns_from(spec->exclude_cases, spec->n_exclude_cases, &o->excludes, "exclude-cases"))
        return WS_EXIT_USAGE;
    for (size_t i = 0; i < spec->n_servers && o->nservers < 64; i++) {
        server_arg *s = &o->servers[o->nservers++];
        s->url = spec->servers[i].url;
        s->agent = spec->servers[i].agent;
        s->sni = spec->servers[i].hostname;
        s->origin = spec->servers[i].origin;
        s->protocols = join_protocols(spec->servers[i].protocols, spec->servers[i].n_protocols);
        const ws_spec_options *so = &spec->servers[i].options;
        s->level = so->has_compression_level ? so->compression_level : -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {{"cases", required_argument, 0, 'c'},
                                             {"exclude", required_argument, 0, 'x'},
                                             {"outdir", required_argument, 0, 'o'},
                                             {"agent", required_argument, 0, 'A'},
                                             {"spec", required_argument, 0, 'S'},
                                             {"jobs", required_argument, 0, 'j'},
                                             {"timeout", required_argument, 0, 'T'},
                                             {"level", required_argument, 0, 'L'},
                                             {"strict", no_argument, 0, 's'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {"junit", required_argument, 0, 'J'},
                                             {"baseline", required_argument, 0, 'B'},
                                             {"save-repro", required_argument, 0, 'R'},
                                             {0, 0, 0, 0}};
    char err[256];
    double d;
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:x:o:j:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            ws_pattern_list_free(&o->cases);
            if (ws_pattern_list_parse(optarg, &o->cases, err, sizeof err) != 0)
                return fail_usage("--cases: %s", err);
            break;
        case 'x':
            ws_pattern_list_free(&o->excludes);
            if (ws_pattern_list_parse(optarg, &o->excludes, err, sizeof err) != 0)
                return fail_usage("--exclude: %s", err);
            break;
        case 'o':
            o->outdir = optarg;
            break;
        case 'A':
            o->agent = optarg;
            break;
        case 'S':
            o->spec_path = optarg;
            break;
        case 'j':
            if (!parse_number(optarg, &d) || d != (int)d || d > 256)
                return fail_usage("--jobs: '%s' is not a number from 1 to 256", optarg);
            o->jobs = (int)d;
            break;
        case 'T':
            if (!parse_number(optarg, &d))
                return fail_usage("--timeout: '%s' is not a positive number of seconds", optarg);
            o->scale = d;
            break;
        case 'L':
            if (!ws_cli_parse_level(optarg, &o->level))
                return fail_usage("--level: '%s' is not a zlib level from 0 to 9", optarg);
            break;
        case 's':
            o->strict = true;
            break;
        case 'J':
            o->junit = optarg;
            break;
        case 'B':
            o->baseline = optarg;
            break;
        case 'R':
            o->save_repro = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case ':':
            return fail_usage("option %s needs a value", argv[optind - 1]);
        default:
            return fail_usage("unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->nservers >= 64)
            return fail_usage("too many URLs (at most %s)", "64");
        o->servers[o->nservers].level = -1;
        o->servers[o->nservers++].url = argv[i];
    }
    return 0;
}

int ws_cmd_test_server(int argc, char **argv)
{
    options o = {.scale = 1.0, .level = -1};
    ws_spec spec = {0};
    bool have_spec = false;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    o.jobs = o.jobs ? o.jobs : ws_default_jobs();
    if (o.spec_path) {
        if ((rc = load_spec(&o, &spec)) != 0)
            return rc;
        have_spec = true;
    }
    if (o.nservers == 0)
        return fail_usage("no server URL given (try --help)%s", "");
    if (o.agent && o.nservers > 1)
        return fail_usage("--agent names a single URL; %s", "give one URL or use --spec");
    if (!o.outdir)
        o.outdir = DEFAULT_OUTDIR;

    /* Compressed data-set slices, reused by every case and server of the
     * run that agreed on no context takeover for wsspec's messages (a full
     * 12/13 run stores about 70 MiB). NULL: each is compressed anew. */
    ws_deflate_cache *cache = ws_deflate_cache_new(DEFLATE_CACHE_MAX);
    ws_target targets[64];
    for (size_t i = 0; i < o.nservers; i++) {
        ws_target *t = &targets[i];
        /* --level, else the server's options in the spec, else the spec's options. */
        int level = o.level >= 0 ? o.level : o.servers[i].level;
        if (level < 0 && have_spec && spec.options.has_compression_level)
            level = spec.options.compression_level;
        *t = (ws_target){.url_text = o.servers[i].url,
                         .sni = o.servers[i].sni,
                         .origin = o.servers[i].origin,
                         .protocols = o.servers[i].protocols,
                         .time_scale = o.scale,
                         .set_deflate_level = level >= 0,
                         .deflate_level = level,
                         .deflate_cache = cache,
                         .stop = &stop_flag};
        ws_err e = ws_url_parse(o.servers[i].url, &t->url);
        if (e != WS_OK) {
            fprintf(stderr, "wsspec test-server: bad URL '%s': %s\n", o.servers[i].url,
                    ws_err_message(e));
            ws_deflate_cache_del(cache);
            return WS_EXIT_USAGE;
        }
    }

    ws_registry *reg = ws_registry_all();
    if (!reg) {
        ws_deflate_cache_del(cache);
        fprintf(stderr, "wsspec test-server: out of memory\n");
        return WS_EXIT_USAGE;
    }
    ws_cli_run run = {
        .strict = o.strict, .quiet = o.quiet, .outdir = o.outdir, .junit_path = o.junit};
    rc = ws_cli_select(&run, reg, WS_FOR_SERVERS, &o.cases, &o.excludes);
    if (rc == 0 && o.baseline)
        rc = ws_cli_load_baseline(&run, o.baseline);
    if (rc == 0) {
        char err[512];
        if (!ws_report_mkdir(o.outdir, err, sizeof err) ||
            (o.save_repro && !ws_report_mkdir(o.save_repro, err, sizeof err))) {
            fprintf(stderr, "wsspec test-server: %s\n", err);
            rc = WS_EXIT_USAGE;
        }
        run.save_repro_dir = o.save_repro;
        run.repro_prefix = o.nservers > 1;
    }
    if (rc == 0) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        ws_cli_command_line(&run, argc, argv);
        for (size_t i = 0; i < o.nservers && !stop_flag; i++) {
            ws_pattern_list agent_excludes = {0};
            if (have_spec)
                ws_cli_agent_excludes(&spec, o.servers[i].agent, &agent_excludes);
            ws_cli_run_server(&run, &targets[i], o.agent ? o.agent : o.servers[i].agent, o.jobs,
                              &agent_excludes);
            ws_pattern_list_free(&agent_excludes);
        }
        rc = ws_cli_finish(&run, stop_flag != 0);
        if (o.save_repro && !o.quiet)
            fprintf(stderr, "wsspec: %zu reproducer%s of FAILED cases in %s\n", run.repros_saved,
                    run.repros_saved == 1 ? "" : "s", o.save_repro);
    }
    ws_cli_run_free(&run);
    ws_registry_free(reg);
    ws_deflate_cache_del(cache);
    ws_pattern_list_free(&o.cases);
    ws_pattern_list_free(&o.excludes);
    for (size_t i = 0; i < o.nservers; i++)
        if (have_spec)
            free(o.servers[i].protocols);
    if (have_spec)
        ws_spec_free(&spec);
    return rc;
}
