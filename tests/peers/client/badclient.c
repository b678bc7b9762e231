/*
 * wsspec-badclient: a deliberately breakable Autobahn-style test client.
 *
 *   wsspec-badclient --url ws://HOST:PORT --agent NAME [--violate NAME[,NAME...]]...
 *                    [--cases N] [--deflate]
 *   wsspec-badclient --list
 *
 * Runs the canonical client loop of the Autobahn fuzzingserver protocol:
 * GET /getCaseCount (one text message with the number of cases), then
 * /runCase?case=N&agent=NAME for N = 1..count (echo every message until the
 * connection closes), then /updateReports?agent=NAME. --cases N runs at most
 * N cases. --deflate offers permessage-deflate (RFC 7692). Prints one line
 * per connection to stdout.
 *
 * Exit status: 0 when the loop completed (a case whose connection fails is
 * part of a test, not an error), 1 when getCaseCount gave no count or
 * updateReports could not be opened, 2 for usage errors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badclient.h"

#define BC_RESOURCE_MAX 2048

static const bc_violation violations[] = {
#define BC_VIOLATION_ROW_(id, name, desc) {name, desc, BC_V(id)},
    BC_VIOLATION_MAP(BC_VIOLATION_ROW_)
#undef BC_VIOLATION_ROW_
};

typedef struct {
    const char *url;
    const char *agent;
    bc_flags violations;
    long long max_cases; /* -1: no limit */
    bool list;
} bc_options;

/* ---------------------------------------------------------- command line */

static void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "wsspec-badclient: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (usage: wsspec-badclient --url ws://HOST:PORT --agent NAME "
                    "[--violate NAME[,NAME...]] [--cases N] [--deflate] | --list)\n");
    exit(2);
}

static const bc_violation *find_violation(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof violations / sizeof violations[0]; i++)
        if (strlen(violations[i].name) == len && memcmp(violations[i].name, name, len) == 0)
            return &violations[i];
    return NULL;
}

/* Add the comma-separated names in `list` to *set. */
static void parse_violations(const char *list, bc_flags *set)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const bc_violation *v = find_violation(p, len);
        if (!v) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), p);
            usage_error("unknown violation '%s' (see --list)", name);
        }
        *set |= v->flag;
        if (!end)
            return;
        p = end + 1;
    }
}

/* The value of "--name VALUE" or "--name=VALUE" at argv[*i], or NULL if
 * argv[*i] is not that option. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        usage_error("%s needs a value", name);
    return argv[++*i];
}

static long long parse_count(const char *s)
{
    if (*s < '0' || *s > '9')
        usage_error("--cases wants a number, not '%s'", s);
    errno = 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end != '\0' || errno != 0 || n > 1000000)
        usage_error("--cases wants a number up to 1000000, not '%s'", s);
    return n;
}

static bc_options parse_options(int argc, char **argv)
{
    bc_options o = {.max_cases = -1};
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (strcmp(argv[i], "--list") == 0)
            o.list = true;
        else if (strcmp(argv[i], "--deflate") == 0)
            o.violations |= BC_OPT_DEFLATE;
        else if ((val = option_value(argc, argv, &i, "--url")))
            o.url = val;
        else if ((val = option_value(argc, argv, &i, "--agent")))
            o.agent = val;
        else if ((val = option_value(argc, argv, &i, "--violate")))
            parse_violations(val, &o.violations);
        else if ((val = option_value(argc, argv, &i, "--cases")))
            o.max_cases = parse_count(val);
        else
            usage_error("unknown argument '%s'", argv[i]);
    }
    if (o.list)
        return o;
    if (!o.url)
        usage_error("%s is required", "--url");
    if (!o.agent || !*o.agent)
        usage_error("%s is required", "--agent");
    return o;
}

static void print_violations(void)
{
    for (size_t i = 0; i < sizeof violations / sizeof violations[0]; i++)
        printf("%-24s %s\n", violations[i].name, violations[i].description);
}

/* ------------------------------------------------------------- requests */

typedef struct {
    ws_url url;
    char host[300];              /* Host header: "host:port" */
    char base[BC_RESOURCE_MAX];  /* the URL's path without a trailing '/' */
    char agent[BC_RESOURCE_MAX]; /* percent-encoded */
    bc_flags v;
    uint8_t *buf;
} bc_client;

static void percent_encode(const char *in, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        if (n + 4 > cap)
            usage_error("%s: agent name too long", in);
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
}

static void client_init(bc_client *c, const bc_options *o)
{
    ws_err e = ws_url_parse(o->url, &c->url);
    if (e != WS_OK)
        usage_error("invalid --url '%s'", o->url);
    if (c->url.tls)
        usage_error("wss:// is not supported: '%s'", o->url);
    if (!ws_url_host_port(&c->url, c->host, sizeof c->host) ||
        !ws_url_resource(&c->url, c->base, sizeof c->base))
        usage_error("--url too long: '%s'", o->url);
    if (strchr(c->base, '?'))
        usage_error("--url must not have a query: '%s'", o->url);
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    percent_encode(o->agent, c->agent, sizeof c->agent);
    c->v = o->violations;
    c->buf = malloc(BC_READ_SIZE);
    if (!c->buf) {
        fprintf(stderr, "wsspec-badclient: out of memory\n");
        exit(1);
    }
}

/* Open one connection to base + path and run it to its end. False if the
 * TCP connection could not be made. */
static bool run(bc_client *c, const char *path, bc_mode mode, bc_outcome *out)
{
    char resource[BC_RESOURCE_MAX * 2 + 64];
    snprintf(resource, sizeof resource, "%s%s", c->base, path);
    char err[300];
    int fd = bc_connect(&c->url, err, sizeof err);
    if (fd < 0) {
        printf("%s: %s\n", path, err);
        fflush(stdout);
        return false;
    }
    bc_session(fd, c->v, mode, c->host, resource, c->buf, BC_READ_SIZE, out);
    return true;
}

static void log_outcome(const char *what, const bc_outcome *o)
{
    if (o->handshake != WS_OK) {
        printf("%s: handshake failed: %s\n", what, ws_err_name(o->handshake));
    } else if (o->failure != WS_OK && !o->dropped) {
        printf("%s: failed the connection: %s (sent close %d)\n", what, ws_err_name(o->failure),
               o->close_sent);
    } else if (o->dropped) {
        printf("%s: dropped after %llu message(s)%s%s\n", what, (unsigned long long)o->messages,
               o->failure != WS_OK ? ": " : "", o->failure != WS_OK ? ws_err_name(o->failure) : "");
    } else {
        printf("%s: closed after %llu message(s) (server %d, client %d)\n", what,
               (unsigned long long)o->messages, o->close_received, o->close_sent);
    }
    fflush(stdout);
}

/* The case count from getCaseCount's text message: a JSON non-negative integer. */
static long long case_count(const bc_outcome *o)
{
    if (o->handshake != WS_OK || !o->has_text)
        return -1;
    const char *p = o->text;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    char *end;
    long long n = strtoll(p, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
        end++;
    if (*end != '\0' || errno != 0 || n > 1000000)
        return -1;
    return n;
}

int main(int argc, char **argv)
{
    bc_options o = parse_options(argc, argv);
    if (o.list) {
        print_violations();
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    bc_client c;
    client_init(&c, &o);

    bc_outcome out;
    if (!run(&c, "/getCaseCount", BC_MODE_COUNT, &out)) {
        fprintf(stderr, "wsspec-badclient: cannot connect for getCaseCount\n");
        free(c.buf);
        return 1;
    }
    log_outcome("getCaseCount", &out);
    long long count = case_count(&out);
    if (count < 0) {
        fprintf(stderr, "wsspec-badclient: getCaseCount gave no case count\n");
        free(c.buf);
        return 1;
    }
    if (o.max_cases >= 0 && count > o.max_cases)
        count = o.max_cases;

    for (long long n = 1; n <= count; n++) {
        char path[BC_RESOURCE_MAX + 64], what[32];
        snprintf(path, sizeof path, "/runCase?case=%lld&agent=%s", n, c.agent);
        snprintf(what, sizeof what, "case %lld", n);
        if (run(&c, path, BC_MODE_CASE, &out))
            log_outcome(what, &out);
    }

    char path[BC_RESOURCE_MAX + 64];
    snprintf(path, sizeof path, "/updateReports?agent=%s", c.agent);
    if (!run(&c, path, BC_MODE_REPORT, &out)) {
        fprintf(stderr, "wsspec-badclient: cannot connect for updateReports\n");
        free(c.buf);
        return 1;
    }
    log_outcome("updateReports", &out);
    free(c.buf);
    if (out.handshake != WS_OK) {
        fprintf(stderr, "wsspec-badclient: updateReports failed\n");
        return 1;
    }
    return 0;
}
