/*
 * wsspec serve: run the reference echo server until SIGINT or SIGTERM.
 *
 *   wsspec serve [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]
 *                [--max-message BYTES] [--max-connections N] [--no-deflate]
 *                [--level N] [--threads N] [--quiet]
 *
 * SIGPIPE: the transport never raises it (send with MSG_NOSIGNAL, also under
 * TLS), so its disposition is left alone.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsspec/deflate.h"
#include "wsspec/net.h"
#include "wsspec/server.h"
#include "cli/commands.h"

#define DEFAULT_LISTEN "127.0.0.1:9001"
#define MAX_THREADS    256

/* The only mutable global: set by the signal handler, read by the server loop. */
static volatile sig_atomic_t serve_stop;

static void on_signal(int sig)
{
    (void)sig;
    serve_stop = 1;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wsspec serve [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
            "                    [--max-message BYTES] [--max-connections N] [--no-deflate]\n"
            "                    [--level N] [--threads N] [--quiet]\n"
            "\n"
            "Run the reference WebSocket echo server (default --listen " DEFAULT_LISTEN ").\n"
            "HOST may be an IPv4 address, a name or [IPv6]; PORT 0 picks a free port.\n"
            "permessage-deflate (RFC 7692) is negotiated when offered, unless --no-deflate.\n"
            "  --level N     zlib level of compressed echoes, 0 (stored, no compression)\n"
            "                to 9 (smallest); default %d (fastest)\n"
            "  --threads N   event loops, one thread each (default: online CPUs, here %d)\n",
            WS_DEFLATE_DEFAULT_LEVEL, online_cpus());
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr naming the problem; exit status 2. */
static int bad_usage(const char *fmt, ...)
{
    fputs("wsspec serve: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see wsspec serve --help)\n", stderr);
    return 2;
}

/* A decimal number in [min, max]. */
static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

typedef struct {
    char host[256];
    ws_server_config cfg;
} serve_opts;

/* Match "--name VALUE" or "--name=VALUE"; advances *i past a separate value. */
static bool flag_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, serve_opts *o)
{
    const char *listen = DEFAULT_LISTEN;
    o->cfg.threads = online_cpus();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        uint64_t num;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->cfg.quiet = true;
        } else if (strcmp(a, "--no-deflate") == 0) {
            o->cfg.no_deflate = true;
        } else if (flag_value(argc, argv, &i, "--listen", &v)) {
            if (!v)
                return bad_usage("%s needs HOST:PORT", a);
            listen = v;
        } else if (flag_value(argc, argv, &i, "--tls-cert", &v)) {
            if (!v || !*v)
                return bad_usage("%s needs a file", a);
            o->cfg.tls_cert = v;
        } else if (flag_value(argc, argv, &i, "--tls-key", &v)) {
            if (!v || !*v)
                return bad_usage("%s needs a file", a);
            o->cfg.tls_key = v;
        } else if (flag_value(argc, argv, &i, "--max-message", &v)) {
            if (!parse_u64(v, 1, (uint64_t)1 << 40, &num))
                return bad_usage("--max-message needs a byte count from 1 to 2^40, not '%s'",
                                 v ? v : "");
            o->cfg.max_message = num;
        } else if (flag_value(argc, argv, &i, "--max-connections", &v)) {
            if (!parse_u64(v, 1, 1000000, &num))
                return bad_usage("--max-connections needs a number from 1 to 1000000, not '%s'",
                                 v ? v : "");
            o->cfg.max_connections = (int)num;
        } else if (flag_value(argc, argv, &i, "--level", &v)) {
            if (!parse_u64(v, 0, 9, &num))
                return bad_usage("--level needs a zlib level from 0 to 9, not '%s'", v ? v : "");
            o->cfg.set_deflate_level = true;
            o->cfg.deflate_level = (int)num;
        } else if (flag_value(argc, argv, &i, "--threads", &v)) {
            if (!parse_u64(v, 1, MAX_THREADS, &num))
                return bad_usage("--threads needs a number from 1 to %d, not '%s'", MAX_THREADS,
                                 v ? v : "");
            o->cfg.threads = (int)num;
        } else if (a[0] == '-') {
            return bad_usage("unknown option '%s'", a);
        } else {
            return bad_usage("unexpected argument '%s'", a);
        }
    }
    if ((o->cfg.tls_cert == NULL) != (o->cfg.tls_key == NULL))
        return bad_usage("%s", "--tls-cert and --tls-key must be given together");
    ws_err e = ws_parse_host_port(listen, o->host, sizeof o->host, &o->cfg.port);
    if (e != WS_OK)
        return bad_usage("bad --listen address '%s': expected HOST:PORT", listen);
    o->cfg.host = o->host;
    return -1;
}

static void print_listening(void *ctx, uint16_t port)
{
    const serve_opts *o = ctx;
    bool v6 = strchr(o->host, ':') != NULL;
    printf("wsspec serve: listening on %s://%s%s%s:%u\n", o->cfg.tls_cert ? "wss" : "ws",
           v6 ? "[" : "", o->host, v6 ? "]" : "", (unsigned)port);
    fflush(stdout);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "wsspec serve: %s\n", line);
}

int ws_cmd_serve(int argc, char **argv)
{
    serve_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    o.cfg.on_listen = print_listening;
    o.cfg.on_listen_ctx = &o;
    o.cfg.log = log_line;

    /* No SA_RESTART: a signal interrupts epoll_wait and the loop sees the flag. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    serve_stop = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char detail[256] = "";
    ws_err e = ws_server_run(&o.cfg, &serve_stop, NULL, detail, sizeof detail);
    if (e != WS_OK) {
        fprintf(stderr, "wsspec serve: %s\n", detail[0] ? detail : ws_err_message(e));
        return 1;
    }
    return 0;
}
