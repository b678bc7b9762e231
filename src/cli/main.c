/* wsspec: the command-line entry point. */
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
    fprintf(out,
            "wsspec %s - WebSocket (RFC 6455) conformance test suite\n"
            "\n"
            "usage: wsspec COMMAND [OPTIONS]\n"
            "\n"
            "commands:\n"
            "  test-server URL [URL...]   run the conformance cases against servers\n"
            "  test-client --listen H:P   run them against clients (Autobahn's URL protocol)\n"
            "  list [PATTERN]             list cases: id, RFC section, title\n"
            "  show ID                    describe one case: steps and expectation\n"
            "  serve --listen HOST:PORT   run the reference echo server\n"
            "  fuzz URL [--exec CMD]      fuzz a server live; save minimized reproducers\n"
            "  replay FILE [URL]          replay a reproducer: same or different\n"
            "  diff OLD NEW               compare two runs (index.json files or report dirs)\n"
            "  version                    print the version\n"
            "\n"
            "Run 'wsspec COMMAND --help' for a command's options.\n",
            WSSPEC_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "test-server") == 0)
        return ws_cmd_test_server(argc - 1, argv + 1);
    if (strcmp(cmd, "test-client") == 0)
        return ws_cmd_test_client(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return ws_cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "show") == 0)
        return ws_cmd_show(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return ws_cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "fuzz") == 0)
        return ws_cmd_fuzz(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return ws_cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "diff") == 0) {
        if (argc != 4 || argv[2][0] == '-') {
            fprintf(stderr,
                    "usage: wsspec diff OLD NEW   (index.json files or report directories)\n");
            return 2;
        }
        return ws_diff_index_files(argv[2], argv[3], stdout);
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("wsspec %s\n", WSSPEC_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "wsspec: unknown command '%s' (try 'wsspec --help')\n", cmd);
    return 2;
}
