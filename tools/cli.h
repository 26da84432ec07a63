/* tools/cli.h — the subcommands of the `swirl` command. */
#ifndef SWIRL_CLI_H
#define SWIRL_CLI_H

/* `swirl echo ...`: returns the process exit code. */
int swirl_cli_echo(int argc, char **argv);

/* `swirl serve ...`: the HTTP server; returns the process exit code. */
int swirl_cli_serve(int argc, char **argv);

/* `swirl bench <kind> ...`: returns the process exit code. */
int swirl_cli_bench(int argc, char **argv);

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/server.h>

/* Parse `text` as a decimal integer in min..max for option `opt` of command
 * `cmd`. Returns 0, or prints `cmd: opt: expected an integer min..max, got
 * "text"` to stderr and returns -1. */
static inline int cli_parse_long(const char *cmd, const char *opt, const char *text, long min,
                                   long max, long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < min || v > max) {
        fprintf(stderr, "%s: %s: expected an integer %ld..%ld, got \"%s\"\n", cmd, opt, min, max,
                text);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parse a two-way option value: `one` gives true, `other` false. Returns
 * 0, or prints `cmd: opt: expected ONE or OTHER, got "text"` and returns -1. */
static inline int cli_parse_either(const char *cmd, const char *opt, const char *text,
                                   const char *one, const char *other, bool *out) {
    if (strcmp(text, one) == 0 || strcmp(text, other) == 0) {
        *out = strcmp(text, one) == 0;
        return 0;
    }
    fprintf(stderr, "%s: %s: expected %s or %s, got \"%s\"\n", cmd, opt, one, other, text);
    return -1;
}

/* Parse a --mode value: "base" or "process". Returns 0, or prints the
 * error as cli_parse_long does and returns -1. */
static inline int cli_parse_mode(const char *cmd, const char *text, int *mode) {
    if (strcmp(text, "base") == 0 || strcmp(text, "process") == 0) {
        *mode = text[0] == 'b' ? SWIRL_MODE_BASE : SWIRL_MODE_PROCESS;
        return 0;
    }
    fprintf(stderr, "%s: --mode: expected base or process, got \"%s\"\n", cmd, text);
    return -1;
}

#endif
