/* tools/main.c — the `swirl` command: picks a subcommand. */
#include <stdio.h>
#include <string.h>
#include <swirl/swirl.h>

#include "cli.h"

static void usage(FILE *out) {
    fprintf(out, "usage: swirl <command> [options]\n"
                 "\n"
                 "commands:\n"
                 "  echo [options]               echo server (PROCESS or BASE mode, framing, UDP, Unix)\n"
                 "  serve [options]              HTTP server: static files, /hello, /stats, /echo\n"
                 "  bench tcp [options]          echo load generator: round trips/s, latency\n"
                 "  version                      print the version\n"
                 "  help                         this text\n"
                 "\n"
                 "`swirl <command> --help` describes a command's options.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "echo") == 0)
        return swirl_cli_echo(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return swirl_cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return swirl_cli_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        swirl_loop_t *loop = NULL;
        const char *backend = swirl_loop_new(&loop) == 0 ? swirl_loop_backend(loop) : "none";
        printf("swirl %s (event backend: %s)\n", swirl_version_string(), backend);
        swirl_loop_free(loop);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "swirl: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return 2;
}
