/* tests/integration/server_harness.h — start a real swirl server in a
 * forked process (its own process group), learn its port, talk to it with
 * plain blocking sockets, and tear every process down at the end. */
#ifndef SWIRL_SERVER_HARNESS_H
#define SWIRL_SERVER_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "testutil.h"

typedef struct {
    pid_t pid;
    int port;
    char log[128]; /* events the server's callbacks record, one line each */
} th_server_t;

/* The test's configuration: set up `srv` (settings, callbacks) in the child. */
typedef void (*th_config_fn)(swirl_server_t *srv, void *arg);

/* Per-process state of the server child (each test is its own process). */
static int th_port_pipe = -1;
static char th_log_path[128];

__attribute__((unused)) static void th_on_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    int port = swirl_server_port(srv);
    /* every BASE worker says so; the parent read the first and left */
    if (send(th_port_pipe, &port, sizeof(port), MSG_NOSIGNAL) < 0) {
        /* the parent gave up: nothing to do */
    }
}

/* Append one line to the event log; O_APPEND keeps lines from many workers whole. */
__attribute__((unused)) static void th_record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((unused)) static void th_record(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    int fd = open(th_log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) < 0) {
            /* best effort */
        }
        close(fd);
    }
}

/* Fork a server: `host`/`port`/`mode`/`type` as swirl_server_new, then
 * config(srv, arg), then start. Returns once it listens. */
__attribute__((unused)) static th_server_t th_start(const char *host, int port, int mode, swirl_sock_type_t type,
                            th_config_fn config, void *arg) {
    th_server_t s = {0};
    tu_tmp_path(s.log, sizeof(s.log), "events");
    int p[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p), 0);
    pid_t test_pid = getpid();
    pid_t pid = fork();
    if (pid == 0) { /* no Criterion calls in here */
        setpgid(0, 0);
        /* a test killed by its timeout takes its server with it (the
         * server's own children die with the server the same way) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != test_pid)
            _exit(1);
        close(p[0]);
        th_port_pipe = p[1];
        snprintf(th_log_path, sizeof(th_log_path), "%s", s.log);
        swirl_server_t *srv;
        if (swirl_server_new(&srv, host, port, mode, type) < 0)
            _exit(3);
        swirl_server_on(srv, "start", th_on_start, NULL);
        config(srv, arg);
        int rc = swirl_server_start(srv);
        swirl_server_free(srv);
        TU_LEAK_CHECK();
        _exit(rc < 0 ? 4 : 0);
    }
    cr_assert_gt(pid, 0);
    setpgid(pid, pid);
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    int ready = poll(&pf, 1, 10000);
    ssize_t n = ready > 0 ? read(p[0], &s.port, sizeof(s.port)) : -1;
    close(p[0]);
    s.pid = pid;
    if (n != sizeof(s.port)) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cr_assert_fail("server did not start");
    }
    return s;
}

/* Wait for the server to exit (SIGKILL after 10 s) — `signal` first if it
 * is not 0 — and make sure no process of its group is left. Returns the
 * exit code (128 + signal if killed). */
__attribute__((unused)) static int th_finish(th_server_t *s, int signal) {
    int status = -1;
    if (s->pid <= 0)
        return -1;
    if (signal)
        kill(s->pid, signal);
    int code = -1;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        usleep(10000);
    }
    if (code < 0) {
        kill(-s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
    /* children die with their parent (PR_SET_PDEATHSIG): give them a moment */
    for (int i = 0; i < 200 && kill(-s->pid, 0) == 0; i++)
        usleep(10000);
    bool leftovers = kill(-s->pid, 0) == 0;
    if (leftovers)
        kill(-s->pid, SIGKILL);
    unlink(s->log);
    s->pid = 0;
    cr_assert_not(leftovers, "server processes left behind after stop");
    return code;
}

/* SIGTERM, then as th_finish. */
__attribute__((unused)) static int th_stop(th_server_t *s) { return th_finish(s, SIGTERM); }

/* ---- blocking clients ---------------------------------------------------------------------- */

__attribute__((unused)) static int th_connect(swirl_sock_type_t type, const char *host, int port) {
    int fd;
    int rc = swirl_net_connect(type, host, port, &fd);
    if (rc == -EINPROGRESS)
        rc = swirl_net_connect_wait(fd, 5000);
    cr_assert_eq(rc, 0, "connect %s:%d: %s", host, port, swirl_strerror(rc));
    swirl_net_set_nonblock(fd, false);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

__attribute__((unused)) static void th_send_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        cr_assert_gt(n, 0, "send: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

/* Read exactly len bytes; returns the count read before EOF/timeout. */
__attribute__((unused)) static size_t th_recv_upto(int fd, void *data, size_t len) {
    char *p = data;
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, p + got, len - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* Read until `end` arrives (included) or `len` bytes; returns the count. */
__attribute__((unused)) static size_t th_recv_until(int fd, char *data, size_t len, char end) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, data + got, len - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (memchr(data + got - (size_t)n, end, (size_t)n))
            break;
    }
    return got;
}

__attribute__((unused)) static void th_recv_exact(int fd, void *data, size_t len) {
    size_t got = th_recv_upto(fd, data, len);
    cr_assert_eq(got, len, "expected %zu bytes, got %zu", len, got);
}

/* True once the server closed the connection (EOF or reset) within 5 s. */
__attribute__((unused)) static bool th_closed_by_peer(int fd) {
    char c;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (;;) {
        ssize_t n = recv(fd, &c, 1, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0)
            return false;
    }
}

/* Lines of the event log. Caller frees with free(). */
__attribute__((unused)) static char *th_read_log(const th_server_t *s) {
    FILE *f = fopen(s->log, "re");
    if (!f)
        return calloc(1, 1);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* How many lines of the event log start with `prefix`. */
__attribute__((unused)) static int th_count_lines(const th_server_t *s, const char *prefix) {
    char *log = th_read_log(s);
    int n = 0;
    size_t len = strlen(prefix);
    for (char *p = log; p && *p;) {
        if (strncmp(p, prefix, len) == 0)
            n++;
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    free(log);
    return n;
}

/* Wait up to `ms` for `count` lines starting with `prefix`. */
__attribute__((unused)) static bool th_wait_lines(const th_server_t *s, const char *prefix,
                                                  int count, int ms) {
    for (int i = 0; i < ms / 10; i++) {
        if (th_count_lines(s, prefix) >= count)
            return true;
        usleep(10000);
    }
    return th_count_lines(s, prefix) >= count;
}

#endif
