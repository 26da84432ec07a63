/* tests/integration/cli_harness.h — run a real binary as a child with its
 * stdout and stderr on pipes, read what it prints, wait for its exit, and
 * always reap it. Shared by the tests of the `swirl` command. */
#ifndef SWIRL_CLI_HARNESS_H
#define SWIRL_CLI_HARNESS_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

typedef struct {
    pid_t pid;
    int out; /* child's stdout */
    int err; /* child's stderr */
} child_t;

__attribute__((unused)) static child_t spawn(const char *bin, char *const argv[]) {
    int o[2], e[2];
    cr_assert_eq(pipe2(o, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(e, O_CLOEXEC), 0);
    pid_t pid = fork();
    if (pid == 0) { /* no Criterion calls in the child: it would report as a stranger */
        dup2(o[1], 1);
        dup2(e[1], 2);
        execv(bin, argv);
        _exit(127);
    }
    cr_assert_geq(pid, 0);
    close(o[1]);
    close(e[1]);
    return (child_t){pid, o[0], e[0]};
}

/* Read from fd until `needle` (if any) shows up, EOF, or `timeout_ms` of
 * silence; buf is NUL-terminated. */
__attribute__((unused)) static void read_until(int fd, char *buf, size_t size, const char *needle,
                                               int timeout_ms) {
    size_t n = 0;
    buf[0] = 0;
    while (n < size - 1 && !(needle && strstr(buf, needle))) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0)
            break;
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = 0;
    }
}

/* The child's exit code (128 + signal if killed), or -1 after killing it
 * when it did not exit within `timeout_ms`. */
__attribute__((unused)) static int wait_exit(child_t *c, int timeout_ms) {
    int status = 0;
    for (int i = 0; i < timeout_ms / 10; i++) {
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid) {
            c->pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    c->pid = -1;
    return -1;
}

/* Kill the child if it still runs, reap it, close its pipes. */
__attribute__((unused)) static void reap(child_t *c) {
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
    }
    close(c->out);
    close(c->err);
}

#ifdef SWIRL_BIN
/* A `swirl serve` under test and the port it listens on. */
typedef struct {
    child_t c;
    int port;
} serve_t;

/* Start `swirl serve --port 0 --mode MODE` with one worker and one reactor,
 * then the arguments of `suite` and of `extra` (NULL-terminated lists, or
 * NULL); the port from its "http://127.0.0.1:PORT/" line. */
__attribute__((unused)) static serve_t serve_spawn(const char *mode, const char *const *suite,
                                                   const char *const *extra) {
    char *argv[40] = {SWIRL_BIN,    "serve",     "--port", "0",          "--mode",
                      (char *)mode, "--workers", "1",      "--reactors", "1"};
    int n = 10;
    const char *const *lists[2] = {suite, extra};
    for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l] && lists[l][i] && n < 38; i++)
            argv[n++] = (char *)lists[l][i];
    argv[n] = NULL;
    serve_t s = {.c = spawn(SWIRL_BIN, argv)};
    char buf[512];
    read_until(s.c.out, buf, sizeof(buf), "/\n", 10000);
    char *at = strstr(buf, "http://127.0.0.1:");
    if (!at) {
        char err[2048];
        read_until(s.c.err, err, sizeof(err), NULL, 200);
        reap(&s.c);
        cr_assert_fail("swirl serve did not start: %s %s", buf, err);
    }
    s.port = atoi(at + strlen("http://127.0.0.1:"));
    return s;
}
#endif

#endif
