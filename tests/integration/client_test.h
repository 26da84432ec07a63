/* tests/integration/client_test.h — what the client tests share: the server
 * harness, a free port, and starting / stopping third-party servers. */
#ifndef SWIRL_CLIENT_TEST_H
#define SWIRL_CLIENT_TEST_H

#include <stdarg.h>
#include <sys/stat.h>

#include "server_harness.h"

/* A free TCP port on 127.0.0.1 (bound, read, closed: another process may
 * take it, so only for servers the test starts at once). */
__attribute__((unused)) static int tc_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A port that refuses connections for as long as *fd stays open: bound
 * without listen, so nobody else can take it meanwhile. */
__attribute__((unused)) static int tc_refusing_port(int *fd) {
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

/* Run argv (argv[0] a full path) in its own process group, dying with the
 * test; stdout/stderr to `log` (or /dev/null). Returns the pid. */
__attribute__((unused)) static pid_t tc_spawn(char *const argv[], const char *log) {
    pid_t test_pid = getpid();
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != test_pid)
            _exit(126);
        int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

/* Wait up to 10 s until 127.0.0.1:port accepts; false if `pid` died first. */
__attribute__((unused)) static bool tc_wait_port(pid_t pid, int port) {
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return false;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
        close(fd);
        if (rc == 0)
            return true;
        usleep(10000);
    }
    return false;
}

/* SIGTERM the process group, SIGKILL after 5 s, reap; nothing is left. */
__attribute__((unused)) static void tc_kill(pid_t pid) {
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            break;
        usleep(10000);
        if (i == 499) {
            kill(-pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
    }
    kill(-pid, SIGKILL); /* anything it left in its group */
}

/* Run a shell command, true if it exited 0. */
__attribute__((unused)) static bool tc_sh(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#endif
