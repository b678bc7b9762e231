/*
 * wsspec-badpeer: a deliberately broken WebSocket echo server.
 *
 *   wsspec-badpeer --listen HOST:PORT [--violate NAME[,NAME...]]...
 *   wsspec-badpeer --list
 *
 * With no --violate it is a conformant echo server, with permessage-deflate
 * (RFC 7692) when a client offers it. Once listening it prints
 * exactly one line, "listening on HOST:PORT", to stdout. It runs until
 * killed, one thread per connection. Usage errors exit with status 2.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "badpeer.h"

#define BP_MAX_CONNECTIONS 128 /* more concurrent clients are turned away */

static const bp_violation violations[] = {
#define BP_VIOLATION_ROW_(id, name, desc) {name, desc, BP_V(id)},
    BP_VIOLATION_MAP(BP_VIOLATION_ROW_)
#undef BP_VIOLATION_ROW_
};

static atomic_int active_connections;

typedef struct {
    const char *listen;
    bp_flags violations;
    bool list;
} bp_options;

/* ---------------------------------------------------------- command line */

static void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "wsspec-badpeer: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (usage: wsspec-badpeer --listen HOST:PORT [--violate NAME[,NAME...]] "
                    "| --list)\n");
    exit(2);
}

static const bp_violation *find_violation(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof violations / sizeof violations[0]; i++)
        if (strlen(violations[i].name) == len && memcmp(violations[i].name, name, len) == 0)
            return &violations[i];
    return NULL;
}

/* Add the comma-separated names in `list` to *set. */
static void parse_violations(const char *list, bp_flags *set)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const bp_violation *v = find_violation(p, len);
        if (!v) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), p);
            usage_error("unknown violation '%s' (see --list)", name);
        }
        *set |= v->flag;
        if (!end) return;
        p = end + 1;
    }
}

/* The value of "--name VALUE" or "--name=VALUE" at argv[*i], or NULL if
 * argv[*i] is not that option. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=') return arg + n + 1;
    if (arg[n] != '\0') return NULL;
    if (*i + 1 >= argc) usage_error("%s needs a value", name);
    return argv[++*i];
}

static bp_options parse_options(int argc, char **argv)
{
    bp_options o = {0};
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (strcmp(argv[i], "--list") == 0)
            o.list = true;
        else if ((val = option_value(argc, argv, &i, "--listen")))
            o.listen = val;
        else if ((val = option_value(argc, argv, &i, "--violate")))
            parse_violations(val, &o.violations);
        else
            usage_error("unknown argument '%s'", argv[i]);
    }
    if (!o.list && !o.listen) usage_error("%s is required", "--listen");
    return o;
}

static void print_violations(void)
{
    for (size_t i = 0; i < sizeof violations / sizeof violations[0]; i++)
        printf("%-24s %s\n", violations[i].name, violations[i].description);
}

/* ------------------------------------------------------------- serving */

typedef struct {
    int fd;
    bp_flags violations;
} bp_job;

static void *connection_thread(void *arg)
{
    bp_job job = *(bp_job *)arg;
    free(arg);
    bp_serve(job.fd, job.violations);
    atomic_fetch_sub(&active_connections, 1);
    return NULL;
}

/* Hand an accepted socket to a detached thread; close it if that fails. */
static void spawn(int fd, bp_flags v)
{
    if (atomic_fetch_add(&active_connections, 1) >= BP_MAX_CONNECTIONS) goto refuse;
    bp_job *job = malloc(sizeof *job);
    if (!job) goto refuse;
    *job = (bp_job){fd, v};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    int rc = pthread_create(&tid, &attr, connection_thread, job);
    pthread_attr_destroy(&attr);
    if (rc == 0) return;
    free(job);
refuse:
    atomic_fetch_sub(&active_connections, 1);
    close(fd);
}

static void accept_loop(int lfd, bp_flags v)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            spawn(fd, v);
        } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            usleep(100 * 1000); /* out of resources: let connections finish */
        } else if (errno != EINTR && errno != ECONNABORTED) {
            perror("wsspec-badpeer: accept");
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    bp_options o = parse_options(argc, argv);
    if (o.list) {
        print_violations();
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    char bound[300], err[300];
    int lfd = bp_listen(o.listen, bound, sizeof bound, err, sizeof err);
    if (lfd < 0) {
        fprintf(stderr, "wsspec-badpeer: %s\n", err);
        return 1;
    }
    printf("listening on %s\n", bound);
    fflush(stdout);
    accept_loop(lfd, o.violations);
    return 0;
}
