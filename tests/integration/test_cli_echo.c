/* tests/integration/test_cli_echo.c — the real `swirl` binary: echo server
 * over real sockets, SIGTERM shutdown, and its errors for bad input. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "cli_harness.h"

TU_SUITE(cli_echo);

static int start_echo_argv(child_t *c, char *const argv[]) {
    *c = spawn(SWIRL_BIN, argv);
    char line[256];
    read_until(c->out, line, sizeof(line), "\n", 5000);
    char *p = strstr(line, "listening on 127.0.0.1:");
    cr_assert_not_null(p, "no listening line, got \"%s\"", line);
    return atoi(p + strlen("listening on 127.0.0.1:"));
}

static int start_echo(child_t *c) {
    char *argv[] = {"swirl", "echo", "--port", "0", NULL};
    return start_echo_argv(c, argv);
}

static void roundtrip(int port, const char *msg, size_t len) {
    int fd;
    int rc = swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", port, &fd);
    if (rc == -EINPROGRESS)
        rc = swirl_net_connect_wait(fd, 5000);
    cr_assert_eq(rc, 0, "connect: %s", swirl_strerror(rc));
    size_t sent = 0, got = 0;
    char *back = malloc(len + 1);
    while (got < len) {
        struct pollfd p = {fd, (short)(POLLIN | (sent < len ? POLLOUT : 0)), 0};
        cr_assert_gt(poll(&p, 1, 5000), 0, "echo stalled at %zu/%zu bytes", got, len);
        if ((p.revents & POLLOUT) && sent < len) {
            ssize_t n = swirl_net_write(fd, msg + sent, len - sent);
            if (n > 0)
                sent += (size_t)n;
        }
        if (p.revents & (POLLIN | POLLHUP)) {
            ssize_t n = swirl_net_read(fd, back + got, len - got);
            cr_assert_neq(n, 0, "server closed early");
            if (n > 0)
                got += (size_t)n;
        }
    }
    cr_assert_eq(memcmp(back, msg, len), 0);
    free(back);
    swirl_net_close(fd);
}

Test(cli_echo, echoes_and_stops_cleanly_on_sigterm, .timeout = 30) {
    child_t c;
    int port = start_echo(&c);
    cr_assert_gt(port, 0);
    roundtrip(port, "hi", 2);
    size_t big = 3 * 1024 * 1024; /* more than the socket buffers: backpressure path */
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)(i * 31 % 251);
    roundtrip(port, data, big);
    free(data);
    for (int i = 0; i < 20; i++)
        roundtrip(port, "again", 5);
    cr_assert_eq(kill(c.pid, SIGTERM), 0);
    cr_assert_eq(wait_exit(&c, 5000), 0, "exit code after SIGTERM");
    reap(&c);
}

Test(cli_echo, port_in_use_is_a_clear_error, .timeout = 30) {
    child_t a;
    int port = start_echo(&a);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    char *argv[] = {"swirl", "echo", "--port", portstr, NULL};
    child_t b = spawn(SWIRL_BIN, argv);
    char err[512];
    read_until(b.err, err, sizeof(err), "\n", 5000);
    cr_assert_eq(wait_exit(&b, 5000), 1);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    cr_assert(strstr(err, want), "message names the address: %s", err);
    cr_assert(strstr(err, "in use"), "message says why: %s", err);
    reap(&b);
    kill(a.pid, SIGINT);
    cr_assert_eq(wait_exit(&a, 5000), 0, "SIGINT stops it cleanly too");
    reap(&a);
}

Test(cli_echo, task_workers_carry_every_message, .timeout = 60) {
    child_t c;
    char *argv[] = {"swirl", "echo", "--port", "0", "--task-workers", "2", "--workers", "2",
                    "--max-request", "50", NULL};
    int port = start_echo_argv(&c, argv);
    roundtrip(port, "through a task", 14);
    size_t big = 1024 * 1024; /* chunks bigger than one message: temp files both ways */
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)(i * 7 % 251);
    roundtrip(port, data, big);
    free(data);
    for (int i = 0; i < 120; i++) /* workers rotate (max_request 50) on the way */
        roundtrip(port, "again", 5);
    cr_assert_eq(kill(c.pid, SIGTERM), 0);
    cr_assert_eq(wait_exit(&c, 5000), 0);
    reap(&c);
}

/* --udp with --port 0: the datagram listener's port is its own, printed at
 * start (the help said "the same port", and nothing told which) */
Test(cli_echo, udp_port_is_printed_and_echoes, .timeout = 30) {
    child_t c;
    char *argv[] = {"swirl", "echo", "--port", "0", "--udp", NULL};
    c = spawn(SWIRL_BIN, argv);
    char line[256];
    read_until(c.out, line, sizeof(line), "\n", 5000);
    char *p = strstr(line, "datagrams on udp port ");
    cr_assert_not_null(p, "no datagram port in \"%s\"", line);
    int port = atoi(p + strlen("datagrams on udp port "));
    cr_assert_gt(port, 0, "%s", line);
    int fd;
    cr_assert_eq(swirl_net_connect(SWIRL_SOCK_UDP, "127.0.0.1", port, &fd), 0);
    cr_assert_eq(swirl_net_write(fd, "ping", 4), 4);
    struct pollfd pf = {fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 5000), 0, "no echo from udp port %d", port);
    char back[16];
    cr_assert_eq(swirl_net_read(fd, back, sizeof(back)), 4);
    cr_assert_eq(memcmp(back, "ping", 4), 0);
    swirl_net_close(fd);
    cr_assert_eq(kill(c.pid, SIGTERM), 0);
    cr_assert_eq(wait_exit(&c, 5000), 0);
    reap(&c);
}

/* The pid in `path`, or 0. */
static pid_t read_pid(const char *path) {
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

/* Alive and not a zombie (this process is the subreaper: it reaps them). */
static bool alive(pid_t pid) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    return kill(pid, 0) == 0;
}

Test(cli_echo, daemonize_pid_file_log_file_and_signals, .timeout = 60) {
    /* the daemon's processes are re-parented to this test, which reaps them */
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    char pid_path[128], log_path[128], port_text[16];
    tu_tmp_path(pid_path, sizeof(pid_path), "pid");
    tu_tmp_path(log_path, sizeof(log_path), "log");
    int probe; /* a free port: the daemon's own output goes to /dev/null */
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, NULL, &probe), 0);
    swirl_addr_t a;
    swirl_net_local_addr(probe, &a);
    int port = swirl_addr_port(&a);
    close(probe);
    snprintf(port_text, sizeof(port_text), "%d", port);
    char *argv[] = {"swirl", "echo", "--port", port_text, "--workers", "2", "--daemonize",
                    "--pid-file", pid_path, "--log-file", log_path, NULL};
    child_t c = spawn(SWIRL_BIN, argv);
    cr_assert_eq(wait_exit(&c, 5000), 0, "the command returns once the daemon runs");
    reap(&c);
    pid_t pid = 0;
    for (int i = 0; i < 500 && !(pid = read_pid(pid_path)); i++)
        usleep(10000);
    cr_assert_gt(pid, 0, "no pid file");
    cr_assert_neq(pid, c.pid, "the daemon is a new process");
    cr_assert_neq(getsid(pid), getsid(0), "the daemon has its own session");
    roundtrip(port, "daemon", 6);
    cr_assert_eq(kill(pid, SIGUSR1), 0);
    bool reloaded = false;
    for (int i = 0; i < 500 && !reloaded; i++) {
        FILE *f = fopen(log_path, "r");
        char buf[4096] = "";
        if (f) {
            size_t n = fread(buf, 1, sizeof(buf) - 1, f);
            buf[n] = 0;
            fclose(f);
        }
        reloaded = strstr(buf, "Server is reloading all workers now") != NULL; /* INFO */
        if (!reloaded)
            usleep(10000);
    }
    cr_assert(reloaded, "the reload went to the log file");
    roundtrip(port, "after reload", 12);
    cr_assert_eq(kill(pid, SIGTERM), 0);
    for (int i = 0; i < 500 && alive(pid); i++)
        usleep(10000);
    cr_assert_not(alive(pid), "the daemon did not stop on SIGTERM");
    struct stat st;
    cr_assert_neq(stat(pid_path, &st), 0, "pid file removed at exit");
    unlink(log_path);
}

static void expect_usage_error(char *const argv[], int code, const char *needle) {
    child_t c = spawn(SWIRL_BIN, argv);
    char err[1024];
    read_until(c.err, err, sizeof(err), needle, 5000);
    cr_assert_eq(wait_exit(&c, 5000), code);
    cr_assert(strstr(err, needle), "stderr lacks \"%s\": %s", needle, err);
    reap(&c);
}

Test(cli_echo, bad_options_are_clear_errors, .timeout = 30) {
    expect_usage_error((char *[]){"swirl", "echo", "--port", "70000", NULL}, 2, "\"70000\"");
    expect_usage_error((char *[]){"swirl", "echo", "--port", "abc", NULL}, 2, "--port");
    expect_usage_error((char *[]){"swirl", "echo", "--host", "300.1.1.1", "--port", "0", NULL}, 1,
                       "300.1.1.1");
    expect_usage_error((char *[]){"swirl", "echo", "--bogus", NULL}, 2, "usage");
    expect_usage_error((char *[]){"swirl", "frobnicate", NULL}, 2,
                       "unknown command \"frobnicate\"");
    expect_usage_error((char *[]){"swirl", NULL}, 2, "usage");
    expect_usage_error((char *[]){"swirl", "echo", "--task-workers", "many", NULL}, 2,
                       "task_worker_num: expected an integer 0..1024, got \"many\"");
    expect_usage_error((char *[]){"swirl", "echo", "--max-wait-time", "-1", NULL}, 2,
                       "max_wait_time");
    expect_usage_error((char *[]){"swirl", "echo", "--port", "0", "--pid-file",
                                  "/nonexistent-dir/x.pid", NULL},
                       1, "pid_file \"/nonexistent-dir/x.pid\"");
}

Test(cli_echo, version_prints_version_and_backend, .timeout = 10) {
    child_t c = spawn(SWIRL_BIN, (char *[]){"swirl", "version", NULL});
    char out[256];
    read_until(c.out, out, sizeof(out), "\n", 5000);
    cr_assert_eq(wait_exit(&c, 5000), 0);
    cr_assert(strstr(out, "swirl " SWIRL_VERSION_STRING), "%s", out);
    cr_assert(strstr(out, "epoll"), "%s", out);
    reap(&c);
}
