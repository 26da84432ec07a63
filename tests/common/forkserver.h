/* tests/common/forkserver.h — a server under test in a child process of its
 * own: tu_fork_server forks, the child builds its server in `run` and has
 * tu_report_port (a workerStart callback) tell the parent the port once a
 * worker is ready to serve; tu_stop_server ends it. */
#ifndef SWIRL_TEST_FORKSERVER_H
#define SWIRL_TEST_FORKSERVER_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <swirl/swirl.h>

#include "testutil.h"

/* In the child: where tu_report_port writes the port (-1 once written). */
static int tu_port_fd __attribute__((unused)) = -1;

/* workerStart callback: worker 0 (not a task worker), once up, tells the
 * parent the port. */
static inline void tu_report_port(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    if (ev->worker_id != 0)
        return;
    int port = swirl_server_port(srv);
    if (tu_port_fd >= 0 && send(tu_port_fd, &port, sizeof(port), MSG_NOSIGNAL) == sizeof(port)) {
        close(tu_port_fd);
        tu_port_fd = -1;
    }
}

/* Fork a child (killed with the test) that runs run(arg), checks for
 * leaks (under ASan) and exits with run's result; `run` builds a server,
 * sets tu_report_port for workerStart and starts it. Waits up to 20 s for
 * the port: the child's pid, the port in *port. */
static inline pid_t tu_fork_server(int (*run)(void *arg), void *arg, int *port) {
    int p[2];
    /* a socket: a worker started again later writes to it without SIGPIPE */
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork");
    if (pid == 0) {
        close(p[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        tu_port_fd = p[1];
        int rc = run(arg);
        TU_LEAK_CHECK();
        _exit(rc);
    }
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    bool up = poll(&pf, 1, 20000) > 0 && read(p[0], port, sizeof(*port)) == sizeof(*port);
    close(p[0]);
    if (!up) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cr_assert_fail("the server did not start");
    }
    return pid;
}

/* An HTTP server of one worker and one reactor running `handler` in `mode`
 * ("base" or "process"), with two lists of settings ("key", "value", ...,
 * NULL, or NULL): the suite's, then the test's. */
typedef struct tu_http_spec {
    const char *mode;
    swirl_http_handler handler;
    const char *const *settings[2];
    swirl_http_fields_t fields; /* swirl_http_server_fields (0: the plain rules) */
} tu_http_spec_t;

/* tu_fork_server's `run` for a tu_http_spec_t: exit code 3 when the server
 * cannot be made, 5 on a refused setting, 6 on refused field rules, 4 when
 * start fails, else 0. */
static inline int tu_run_http(void *arg) {
    const tu_http_spec_t *spec = arg;
    swirl_http_server_t *hs;
    int mode = strcmp(spec->mode, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE;
    if (swirl_http_server_new(&hs, "127.0.0.1", 0, mode) < 0)
        return 3;
    swirl_http_server_set_text(hs, "worker_num", "1");
    swirl_http_server_set_text(hs, "reactor_num", "1");
    for (int l = 0; l < 2; l++)
        for (int i = 0; spec->settings[l] && spec->settings[l][i]; i += 2)
            if (swirl_http_server_set_text(hs, spec->settings[l][i], spec->settings[l][i + 1]) <
                0) {
                fprintf(stderr, "%s\n", swirl_last_error_msg());
                return 5;
            }
    swirl_http_server_on_request(hs, spec->handler, NULL);
    if (swirl_http_server_fields(hs, spec->fields) < 0)
        return 6;
    swirl_http_server_on(hs, "workerStart", tu_report_port, NULL);
    int rc = swirl_http_server_start(hs);
    swirl_http_server_free(hs);
    return rc < 0 ? 4 : 0;
}

/* Fork the server `spec` describes; its pid, its port in *port. */
static inline pid_t tu_fork_http(const tu_http_spec_t *spec, int *port) {
    return tu_fork_server(tu_run_http, (void *)spec, port);
}

/* SIGTERM, up to 10 s for the exit, then SIGKILL; the wait status. */
static inline int tu_stop_server(pid_t pid) {
    kill(pid, SIGTERM);
    int status = -1;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

#endif
