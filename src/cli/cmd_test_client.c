/* wsspec test-client: listen, and run the cases on clients that connect
 * with Autobahn's URL protocol (or on the one --exec starts). */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "driver/fuzzingserver.h"
#include "driver/pattern.h"
#include "driver/spec.h"

#define DEFAULT_OUTDIR "wsspec-reports/clients"

/* stop_flag ends serving (the harness exited, /updateReports, a signal, the
 * deadline); the cases already running finish unless abort_flag is set too
 * (a signal, the deadline). */
static volatile sig_atomic_t stop_flag, abort_flag, signalled;

static void on_signal(int sig)
{
    (void)sig;
    signalled = 1;
    abort_flag = 1;
    stop_flag = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wsspec test-client --listen HOST:PORT [OPTIONS]\n"
            "  --listen HOST:PORT    where clients under test connect (port 0: any free port)\n"
            "  -c, --cases LIST      ids or globs, comma-separated (default: all for clients)\n"
            "  -x, --exclude LIST    ids or globs to leave out\n"
            "  -o, --outdir DIR      report directory (default: " DEFAULT_OUTDIR ")\n"
            "      --spec FILE       an Autobahn fuzzingserver.json, taken as is\n"
            "      --exec COMMAND    start the client harness: {url} and {agent} are replaced;\n"
            "                        wsspec stops when it exits\n"
            "      --agent NAME      agent name for {agent} (default: client)\n"
            "      --tls-cert FILE, --tls-key FILE   listen with TLS (wss://)\n"
            "      --timeout SECONDS scale of the per-case timers\n"
            "      --level N         zlib level of wsspec's compressed messages, 0 (stored)\n"
            "                        to 9 (smallest); default 1 (fastest); any is valid\n"
            "      --deadline SECONDS stop serving after this long (default 3600)\n"
            "      --keep-serving    do not stop after /updateReports\n"
            "      --strict          count NON-STRICT as a failure too\n"
            "      --junit FILE      also write JUnit XML for CI\n"
            "      --baseline FILE   accepted results: exit 1 only on regressions\n"
            "  -q, --quiet           no progress line\n"
            "Clients use Autobahn's URL protocol: /getCaseCount, /runCase?case=N&agent=NAME,\n"
            "/updateReports?agent=NAME (also /getCaseInfo, /getCaseStatus, /stopServer).\n"
            "wsspec stops after /updateReports, when the --exec command exits, at the\n"
            "--deadline, or on Ctrl-C; the harness's output goes to OUTDIR/client-AGENT.log.\n");
}

/* --exec: run the harness with {url} and {agent} replaced; stop when it exits. */
typedef struct {
    char *command;
    pid_t pid;
    int status;
    volatile sig_atomic_t done;
} exec_job;

typedef struct {
    ws_cli_run *run;
    bool any_case;
    bool keep_serving;
    exec_job *job; /* --exec, else NULL */
    const char *log_path;
    pthread_t waiter;
    bool waiting;
} client_ctx;

static void *exec_thread(void *arg);

/* The socket listens: only now may the harness connect. */
static void on_listen(void *ctx, uint16_t port)
{
    client_ctx *cc = ctx;
    if (!cc->run->quiet)
        fprintf(stderr, "wsspec test-client: listening on port %u\n", port);
    exec_job *job = cc->job;
    if (!job)
        return;
    job->pid = fork();
    if (job->pid == 0) {
        /* The harness's output is kept beside the report. */
        int fd = open(cc->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execl("/bin/sh", "sh", "-c", job->command, (char *)NULL);
        _exit(127);
    }
    cc->waiting = job->pid > 0 && pthread_create(&cc->waiter, NULL, exec_thread, job) == 0;
}

static void on_result(void *ctx, const char *agent, ws_case_result *r)
{
    client_ctx *cc = ctx;
    ws_report_agent *a = ws_cli_agent(cc->run, agent);
    size_t i = 0;
    while (a && i < a->nresults && a->results[i].c != r->c)
        i++;
    if (!a || i == a->nresults) {
        ws_result_free(r);
        free(r);
        return;
    }
    ws_result_free(&a->results[i]);
    a->results[i] = *r;
    free(r);
    cc->any_case = true;
    cc->run->agent_now = a->name;
    ws_cli_case_done(cc->run, a, &a->results[i]);
}

static const char *status_of(void *ctx, const char *agent, const ws_case *c)
{
    client_ctx *cc = ctx;
    for (size_t k = 0; k < cc->run->nagents; k++) {
        ws_report_agent *a = &cc->run->agents[k];
        if (strcmp(a->name, agent) != 0)
            continue;
        for (size_t i = 0; i < a->nresults; i++)
            if (a->results[i].c == c && a->results[i].ran)
                return ws_behavior_name(a->results[i].behavior);
    }
    return NULL;
}

static void on_update_reports(void *ctx, const char *agent)
{
    client_ctx *cc = ctx;
    (void)agent;
    ws_cli_write_index(cc->run, true);
    /* The client loop is over: report and stop, unless told to serve on. */
    if (!cc->keep_serving)
        stop_flag = 1;
}

static char *substitute(const char *tmpl, const char *url, const char *agent)
{
    size_t cap = strlen(tmpl) + 1;
    for (const char *p = tmpl; (p = strchr(p, '{')); p++)
        cap += strlen(url) + strlen(agent);
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{url}", 5) == 0) {
            o += sprintf(o, "%s", url);
            p += 5;
        } else if (strncmp(p, "{agent}", 7) == 0) {
            o += sprintf(o, "%s", agent);
            p += 7;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

static void *exec_thread(void *arg)
{
    exec_job *job = arg;
    while (waitpid(job->pid, &job->status, 0) < 0 && !stop_flag)
        ;
    job->done = 1;
    stop_flag = 1;
    return NULL;
}

/* --deadline: stop serving once it passes, whatever the clients do. */
static volatile sig_atomic_t deadline_hit;

static void *deadline_thread(void *arg)
{
    int64_t deadline = *(int64_t *)arg;
    while (!stop_flag) {
        if (ws_now_ns() >= deadline) {
            deadline_hit = 1;
            abort_flag = 1;
            stop_flag = 1;
            break;
        }
        usleep(100000);
    }
    return NULL;
}

int ws_cmd_test_client(int argc, char **argv)
{
    static const struct option longopts[] = {{"listen", required_argument, 0, 'L'},
                                             {"cases", required_argument, 0, 'c'},
                                             {"exclude", required_argument, 0, 'x'},
                                             {"outdir", required_argument, 0, 'o'},
                                             {"spec", required_argument, 0, 'S'},
                                             {"exec", required_argument, 0, 'E'},
                                             {"agent", required_argument, 0, 'A'},
                                             {"tls-cert", required_argument, 0, 'C'},
                                             {"tls-key", required_argument, 0, 'K'},
                                             {"timeout", required_argument, 0, 'T'},
                                             {"strict", no_argument, 0, 's'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {"junit", required_argument, 0, 'J'},
                                             {"baseline", required_argument, 0, 'B'},
                                             {"deadline", required_argument, 0, 'D'},
                                             {"keep-serving", no_argument, 0, 'K' + 256},
                                             {"level", required_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    const char *listen = NULL, *outdir = NULL, *spec_path = NULL, *exec_cmd = NULL;
    const char *agent = "client", *cert = NULL, *key = NULL, *junit = NULL, *baseline = NULL;
    ws_pattern_list cases = {0}, excludes = {0};
    double scale = 1.0, deadline_s = 3600;
    int level = -1; /* -1: WS_DEFLATE_DEFAULT_LEVEL */
    bool keep_serving = false;
    bool strict = false, quiet = false;
    char err[512];
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:x:o:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'L':
            listen = optarg;
            break;
        case 'c':
        case 'x':
            if (ws_pattern_list_parse(optarg, ch == 'c' ? &cases : &excludes, err, sizeof err)) {
                fprintf(stderr, "wsspec test-client: %s: %s\n", ch == 'c' ? "--cases" : "--exclude",
                        err);
                return WS_EXIT_USAGE;
            }
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'S':
            spec_path = optarg;
            break;
        case 'E':
            exec_cmd = optarg;
            break;
        case 'A':
            agent = optarg;
            break;
        case 'C':
            cert = optarg;
            break;
        case 'K':
            key = optarg;
            break;
        case 'T': {
            char *end;
            scale = strtod(optarg, &end);
            if (*end || !(scale > 0) || scale > 1000) {
                fprintf(stderr, "wsspec test-client: --timeout: '%s' is not a positive number\n",
                        optarg);
                return WS_EXIT_USAGE;
            }
            break;
        }
        case 'V':
            if (!ws_cli_parse_level(optarg, &level)) {
                fprintf(stderr,
                        "wsspec test-client: --level: '%s' is not a zlib level from 0 to 9\n",
                        optarg);
                return WS_EXIT_USAGE;
            }
            break;
        case 's':
            strict = true;
            break;
        case 'J':
            junit = optarg;
            break;
        case 'D': {
            char *end;
            deadline_s = strtod(optarg, &end);
            if (*end || !(deadline_s > 0)) {
                fprintf(stderr,
                        "wsspec test-client: --deadline: '%s' is not a positive number "
                        "of seconds\n",
                        optarg);
                return WS_EXIT_USAGE;
            }
            break;
        }
        case 'K' + 256:
            keep_serving = true;
            break;
        case 'B':
            baseline = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr,
                    "wsspec test-client: unknown option or missing value '%s' (try --help)\n",
                    argv[optind - 1]);
            return WS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "wsspec test-client: unexpected argument '%s' (try --help)\n",
                argv[optind]);
        return WS_EXIT_USAGE;
    }
    ws_spec_fuzzingserver spec = {0};
    bool have_spec = false;
    char spec_listen[300] = "";
    if (spec_path) {
        if (ws_spec_load_server(spec_path, &spec, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec test-client: %s\n", err);
            return WS_EXIT_USAGE;
        }
        have_spec = true;
        ws_url u;
        if (!listen && ws_url_parse(spec.url, &u) == WS_OK) {
            snprintf(spec_listen, sizeof spec_listen, "%.*s:%u", (int)u.host_len, u.host, u.port);
            listen = spec_listen;
        }
        if (!outdir)
            outdir = spec.outdir;
        if (!cert)
            cert = spec.cert;
        if (!key)
            key = spec.key;
        if (!cases.n) {
            cases.items = calloc(spec.n_cases + 1, sizeof *cases.items);
            for (size_t i = 0; cases.items && i < spec.n_cases; i++)
                cases.items[cases.n++] = strdup(spec.cases[i]);
        }
        if (!excludes.n) {
            excludes.items = calloc(spec.n_exclude_cases + 1, sizeof *excludes.items);
            for (size_t i = 0; excludes.items && i < spec.n_exclude_cases; i++)
                excludes.items[excludes.n++] = strdup(spec.exclude_cases[i]);
        }
    }
    int rc = 0;
    char host[256];
    uint16_t port = 0;
    ws_tls_server *tls = NULL;
    if (!listen) {
        fprintf(stderr, "wsspec test-client: --listen HOST:PORT is required\n");
        rc = WS_EXIT_USAGE;
    } else if (ws_parse_host_port(listen, host, sizeof host, &port) != WS_OK) {
        fprintf(stderr, "wsspec test-client: --listen: '%s' is not HOST:PORT\n", listen);
        rc = WS_EXIT_USAGE;
    } else if ((cert != NULL) != (key != NULL)) {
        fprintf(stderr, "wsspec test-client: --tls-cert and --tls-key go together\n");
        rc = WS_EXIT_USAGE;
    } else if (cert && !(tls = ws_tls_server_new(cert, key, err, sizeof err))) {
        fprintf(stderr, "wsspec test-client: TLS: %s\n", err);
        rc = WS_EXIT_USAGE;
    }
    ws_registry *reg = rc ? NULL : ws_registry_all();
    ws_cli_run run = {.strict = strict,
                      .quiet = quiet,
                      .outdir = outdir ? outdir : DEFAULT_OUTDIR,
                      .junit_path = junit};
    if (!rc && !reg)
        rc = WS_EXIT_USAGE;
    if (!rc)
        rc = ws_cli_select(&run, reg, WS_FOR_CLIENTS, &cases, &excludes);
    if (!rc && baseline)
        rc = ws_cli_load_baseline(&run, baseline);
    if (!rc && !ws_report_mkdir(run.outdir, err, sizeof err)) {
        fprintf(stderr, "wsspec test-client: %s\n", err);
        rc = WS_EXIT_USAGE;
    }
    exec_job job = {0};
    if (!rc) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        ws_cli_command_line(&run, argc, argv);
        client_ctx cc = {.run = &run, .keep_serving = keep_serving};
        ws_fuzzingserver fs = {.host = host,
                               .port = port,
                               .tls = tls,
                               .cases = run.cases,
                               .indices = run.indices,
                               .ncases = run.ncases,
                               .time_scale = scale,
                               .set_deflate_level = level >= 0,
                               .deflate_level = level,
                               .stop = &stop_flag,
                               .abort_cases = &abort_flag,
                               .on_listen = on_listen,
                               .on_result = on_result,
                               .status_of = status_of,
                               .on_update_reports = on_update_reports,
                               .ctx = &cc};
        if (exec_cmd) {
            /* Listen first on a known port so {url} is right: port 0 is resolved
             * by binding a probe socket in ws_fuzzingserver_run; here the port
             * must be given. */
            char url[300];
            snprintf(url, sizeof url, "%s://%s:%u", tls ? "wss" : "ws", host, port);
            job.command = substitute(exec_cmd, url, agent);
            if (port == 0 || !job.command) {
                fprintf(stderr, "wsspec test-client: --exec needs an explicit port in --listen\n");
                rc = WS_EXIT_USAGE;
            }
        }
        char log[4096];
        if (!rc && job.command) {
            snprintf(log, sizeof log, "%s/client-%s.log", run.outdir, agent);
            cc.job = &job;
            cc.log_path = log;
        }
        int64_t deadline = ws_now_ns() + (int64_t)(deadline_s * 1e9);
        pthread_t timer;
        bool timing = !rc && pthread_create(&timer, NULL, deadline_thread, &deadline) == 0;
        if (!rc) {
            ws_err e = ws_fuzzingserver_run(&fs, err, sizeof err);
            if (e != WS_OK) {
                fprintf(stderr, "wsspec test-client: cannot listen on %s: %s\n", listen, err);
                rc = WS_EXIT_USAGE;
            }
        }
        stop_flag = 1;
        if (timing)
            pthread_join(timer, NULL);
        if (deadline_hit)
            fprintf(stderr, "wsspec test-client: the --deadline of %g s passed\n", deadline_s);
        if (cc.waiting) {
            /* Let the harness finish after updateReports, then stop it. */
            for (int i = 0; i < 50 && !job.done; i++)
                usleep(100000);
            if (!job.done)
                kill(job.pid, SIGTERM);
            pthread_join(cc.waiter, NULL);
        }
        if (!rc) {
            bool interrupted = signalled || deadline_hit;
            if (job.command && WIFEXITED(job.status) && WEXITSTATUS(job.status) != 0 && !quiet)
                fprintf(stderr, "wsspec test-client: the client command exited with status %d\n",
                        WEXITSTATUS(job.status));
            rc = ws_cli_finish(&run, interrupted);
            if (!cc.any_case) {
                fprintf(stderr, "wsspec test-client: no client ran a case\n");
                rc = WS_EXIT_UNREACHABLE;
            }
        }
    }
    free(job.command);
    ws_cli_run_free(&run);
    ws_registry_free(reg);
    ws_tls_server_free(tls);
    ws_pattern_list_free(&cases);
    ws_pattern_list_free(&excludes);
    if (have_spec)
        ws_spec_fuzzingserver_free(&spec);
    return rc;
}
