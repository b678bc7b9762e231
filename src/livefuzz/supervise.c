/*
 * The peer process under --exec: started as `/bin/sh -c "exec CMD"` in its
 * own process group (so the PID is the server's own, for /proc/PID/status),
 * stdout to /dev/null, stderr appended to a log that is scanned for
 * sanitizer reports. Exit status and signal come from waitpid().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "livefuzz/livefuzz.h"
#include "wsspec/net.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

ws_err ws_lf_proc_start(ws_lf_proc *p, char *err, size_t cap)
{
    char line[2100];
    snprintf(line, sizeof line, "exec %s", p->cmd);
    int efd = open(p->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (efd < 0) {
        snprintf(err, cap, "%s: %s", p->stderr_path, strerror(errno));
        return WS_ERR_IO;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(efd);
        snprintf(err, cap, "fork: %s", strerror(errno));
        return WS_ERR_IO;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        dup2(efd, 2);
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(efd);
    p->pid = pid;
    p->scanned = 0;
    p->starts++;
    return WS_OK;
}

static void describe(int status, char *detail, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(detail, cap, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(detail, cap, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(detail, cap, "ended (wait status %d)", status);
}

bool ws_lf_proc_dead(ws_lf_proc *p, int wait_ms, char *detail, size_t cap)
{
    if (p->pid <= 0) {
        snprintf(detail, cap, "not running");
        return true;
    }
    int64_t deadline = ws_deadline_ms(wait_ms);
    for (;;) {
        int status;
        pid_t w = waitpid(p->pid, &status, WNOHANG);
        if (w == p->pid) {
            describe(status, detail, cap);
            killpg(p->pid, SIGKILL); /* children it left behind */
            p->pid = 0;
            return true;
        }
        if (w < 0 && errno != EINTR) {
            snprintf(detail, cap, "waitpid: %s", strerror(errno));
            p->pid = 0;
            return true;
        }
        if (ws_now_ns() >= deadline)
            return false;
        sleep_ms(10);
    }
}

void ws_lf_proc_stop(ws_lf_proc *p)
{
    if (p->pid <= 0)
        return;
    char d[64];
    killpg(p->pid, SIGTERM);
    if (!ws_lf_proc_dead(p, 1000, d, sizeof d)) {
        killpg(p->pid, SIGKILL);
        ws_lf_proc_dead(p, 1000, d, sizeof d);
    }
    p->pid = 0;
}

long ws_lf_proc_rss_kb(const ws_lf_proc *p)
{
    if (p->pid <= 0)
        return -1;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)p->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

bool ws_lf_proc_sanitizer(ws_lf_proc *p, char *out, size_t cap)
{
    static const char *const marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                        "runtime error:",          "WARNING: ThreadSanitizer",
                                        "ERROR: MemorySanitizer",  "SUMMARY: UndefinedBehavior"};
    struct stat st;
    if (stat(p->stderr_path, &st) != 0 || st.st_size <= p->scanned)
        return false;
    FILE *f = fopen(p->stderr_path, "r");
    if (!f)
        return false;
    fseeko(f, p->scanned, SEEK_SET);
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
            if (strstr(line, marks[i])) {
                line[strcspn(line, "\r\n")] = 0;
                snprintf(out, cap, "%s", line);
                found = true;
                break;
            }
    }
    p->scanned = ftello(f);
    fclose(f);
    return found;
}

bool ws_lf_wait_listening(const ws_url *url, int timeout_ms)
{
    int64_t deadline = ws_deadline_ms(timeout_ms);
    while (ws_now_ns() < deadline) {
        ws_conn *c = NULL;
        char d[128];
        if (ws_conn_connect(url, NULL, ws_deadline_ms(500), &c, d, sizeof d) == WS_OK) {
            ws_conn_close(c);
            return true;
        }
        sleep_ms(20);
    }
    return false;
}
