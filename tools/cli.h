/* tools/cli.h — the subcommands of the `swirl` command. */
#ifndef SWIRL_CLI_H
#define SWIRL_CLI_H

/* `swirl echo ...`: returns the process exit code. */
int swirl_cli_echo(int argc, char **argv);

/* `swirl serve ...`: the HTTP server; returns the process exit code. */
int swirl_cli_serve(int argc, char **argv);

/* `swirl bench <kind> ...`: returns the process exit code. */
int swirl_cli_bench(int argc, char **argv);

#endif
