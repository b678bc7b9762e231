/*
 * Subcommands of the wsspec executable. Each takes the arguments after the
 * program name (argv[0] is the subcommand's own name) and returns the exit
 * status.
 */
#ifndef WSSPEC_CLI_COMMANDS_H
#define WSSPEC_CLI_COMMANDS_H

#include <stdbool.h>

/* wsspec serve: the reference echo server. */
int ws_cmd_serve(int argc, char **argv);
/* wsspec test-server: run cases against servers under test. */
int ws_cmd_test_server(int argc, char **argv);
/* wsspec test-client: run cases against clients under test. */
int ws_cmd_test_client(int argc, char **argv);
/* wsspec list / show: the case catalogue. */
int ws_cmd_list(int argc, char **argv);
int ws_cmd_show(int argc, char **argv);
/* wsspec fuzz / replay: live fuzzing and its reproducers. */
int ws_cmd_fuzz(int argc, char **argv);
int ws_cmd_replay(int argc, char **argv);

/* Exit statuses shared by the commands. */
enum {
    WS_EXIT_OK = 0,
    WS_EXIT_FAILED = 1,        /* at least one case FAILED */
    WS_EXIT_USAGE = 2,         /* bad flags, bad config */
    WS_EXIT_UNREACHABLE = 3,   /* a server could not be reached / never completed a handshake */
    WS_EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM: partial results were written */
};

/* --level: a zlib level written as one digit, 0..9. */
static inline bool ws_cli_parse_level(const char *s, int *level)
{
    if (!s || s[0] < '0' || s[0] > '9' || s[1] != '\0')
        return false;
    *level = s[0] - '0';
    return true;
}

#endif
