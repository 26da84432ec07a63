/* tests/integration/test_halfclose.c — no accepted request is lost, over
 * real sockets, in a server of the test's own (forked), BASE and PROCESS
 * mode:
 * - a client that pipelines requests and then shuts its side down
 *   (SHUT_WR) gets an answer to each, in order, then the close: answered
 *   at once, answered later (a detached response ended from a timer, or
 *   from a task worker's result), or a large answer still draining when
 *   the FIN comes;
 * - a handler that closes its connection (swirl_server_close, or a
 *   Connection: close answer) in the middle of a pipelined batch: the
 *   answers before it are sent first;
 * - a plain TCP server with framing: every message sent before SHUT_WR is
 *   answered. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <swirl/swirl.h>

#include "forkserver.h"
#include "rawsock.h"
#include "server_harness.h"

TU_SUITE(halfclose);

#define BIG (1024 * 1024) /* a body larger than the socket buffers: still draining at the FIN */

/* ---- the server ---------------------------------------------------------------------------- */

static swirl_http_server_t *the_hs;

static void on_late(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop;
    (void)id;
    swirl_http_resp_t *resp = user;
    swirl_http_resp_end(resp, "late", 4);
}

static void handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    (void)user;
    size_t n;
    const char *path = swirl_http_req_path(req, &n);
    swirl_server_t *srv = swirl_http_server_base(hs);
    if (strncmp(path, "/slow", 5) == 0) { /* answered 100 ms later, from a timer */
        swirl_http_resp_detach(resp);
        swirl_timer_after(swirl_server_loop(srv), 100, on_late, resp);
    } else if (strncmp(path, "/task", 5) == 0) { /* answered with a task worker's result */
        swirl_http_resp_detach(resp);
        swirl_server_task(srv, &resp, sizeof(resp), -1);
    } else if (strncmp(path, "/big", 4) == 0) {
        char *b = malloc(BIG);
        memset(b, 'b', BIG);
        swirl_http_resp_end(resp, b, BIG);
        free(b);
    } else if (strncmp(path, "/close", 6) == 0) { /* answers, then closes */
        swirl_http_resp_end(resp, path, n);
        swirl_server_close(srv, swirl_http_req_fd(req), false);
    } else if (strncmp(path, "/cc", 3) == 0) {
        swirl_http_resp_header(resp, "Connection", "close");
        swirl_http_resp_end(resp, path, n);
    } else {
        swirl_http_resp_end(resp, path, n);
    }
}

static void on_task(swirl_server_t *srv, const swirl_event_t *ev, void *u) {
    (void)u;
    swirl_server_finish(srv, ev->data, ev->len);
}

static void on_finish(swirl_server_t *srv, const swirl_event_t *ev, void *u) {
    (void)srv;
    (void)u;
    swirl_http_resp_t *resp;
    if (ev->len != sizeof(resp))
        return;
    memcpy(&resp, ev->data, sizeof(resp));
    swirl_http_resp_end(resp, "task", 4);
}

static int run_server(void *arg) {
    const char *mode = arg;
    if (swirl_http_server_new(&the_hs, "127.0.0.1", 0,
                              strcmp(mode, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE) < 0)
        return 3;
    swirl_http_server_set_text(the_hs, "worker_num", "1");
    swirl_http_server_set_text(the_hs, "reactor_num", "1");
    swirl_http_server_set_text(the_hs, "task_worker_num", "1");
    swirl_http_server_set_text(the_hs, "log_level", "5");
    /* room for the answers of a client that reads none until it is done */
    swirl_http_server_set_text(the_hs, "socket_buffer_size", "16777216");
    swirl_http_server_on_request(the_hs, handler, NULL);
    swirl_http_server_on(the_hs, "task", on_task, NULL);
    swirl_http_server_on(the_hs, "finish", on_finish, NULL);
    swirl_http_server_on(the_hs, "workerStart", tu_report_port, NULL);
    int rc = swirl_http_server_start(the_hs);
    swirl_http_server_free(the_hs);
    return rc < 0 ? 4 : 0;
}

/* Fork an HTTP server in `mode` ("base" or "process"), one worker and one
 * task worker; its port. */
static pid_t start(const char *mode, int *port) {
    return tu_fork_server(run_server, (void *)mode, port);
}

static void stop(pid_t pid) {
    int status = tu_stop_server(pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server exited badly (%d)",
              status);
}

/* ---- the client ---------------------------------------------------------------------------- */

/* Everything until the server closes (or 20 s of silence: a lost answer
 * must fail the test, not hang it); *closed says which. */
static size_t read_to_close(int fd, char *buf, size_t size, bool *closed) {
    size_t n = 0;
    *closed = false;
    while (n < size - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 20000) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, size - 1 - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *closed = r == 0;
            break;
        }
        n += (size_t)r;
    }
    buf[n] = 0;
    return n;
}

/* The bodies of the responses in buf[0..n), in order ("big:<length>" for a
 * body of BIG bytes), joined by spaces; the number of responses. */
static int bodies(const char *buf, size_t n, char *out, size_t size) {
    int count = 0;
    size_t off = 0, o = 0;
    out[0] = 0;
    while (off < n) {
        const char *end = memmem(buf + off, n - off, "\r\n\r\n", 4);
        if (!end || strncmp(buf + off, "HTTP/1.1 200", 12) != 0)
            break;
        const char *cl = memmem(buf + off, (size_t)(end - (buf + off)), "Content-Length: ", 16);
        if (!cl)
            break;
        size_t len = strtoul(cl + 16, NULL, 10);
        const char *body = end + 4;
        if ((size_t)(body - buf) + len > n)
            break; /* cut short */
        int w = len == BIG
                    ? snprintf(out + o, size - o, "%sbig", count ? " " : "")
                    : snprintf(out + o, size - o, "%s%.*s", count ? " " : "", (int)len, body);
        o += (size_t)w < size - o ? (size_t)w : size - o - 1;
        off = (size_t)(body - buf) + len;
        count++;
    }
    return count;
}

/* Pipeline GETs of `targets` (space separated), shut down the writing side
 * if `shut`, read until closed: the bodies received must be `want`. */
static void pipeline(const char *mode, const char *targets, bool shut, const char *want) {
    int port;
    pid_t pid = start(mode, &port);
    int fd = tu_dial(port);
    char list[4096], req[65536];
    snprintf(list, sizeof(list), "%s", targets);
    size_t r = 0;
    for (char *save, *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save))
        r += (size_t)snprintf(req + r, sizeof(req) - r, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", t);
    cr_assert(tu_send_all(fd, req, r), "send: %s", strerror(errno));
    if (shut)
        shutdown(fd, SHUT_WR);
    size_t size = 8 * BIG;
    char *buf = malloc(size), got[8192];
    bool closed;
    size_t n = read_to_close(fd, buf, size, &closed);
    bodies(buf, n, got, sizeof(got));
    close(fd);
    free(buf);
    stop(pid);
    cr_expect_str_eq(got, want, "%s: got \"%s\", want \"%s\" (%zu bytes read)", mode, got, want, n);
    cr_expect(closed, "%s: the connection was not closed after the answers", mode);
}

/* ---- 1. pipelined requests, then SHUT_WR ------------------------------------------------------
 */

static void plain_50(const char *mode) {
    char targets[2048], want[2048];
    size_t t = 0, w = 0;
    for (int i = 0; i < 50; i++) {
        t += (size_t)snprintf(targets + t, sizeof(targets) - t, "%s/n%d", i ? " " : "", i);
        w += (size_t)snprintf(want + w, sizeof(want) - w, "%s/n%d", i ? " " : "", i);
    }
    pipeline(mode, targets, true, want);
}
Test(halfclose, fifty_pipelined_then_shut_wr_base, .timeout = 60) { plain_50("base"); }
Test(halfclose, fifty_pipelined_then_shut_wr_process, .timeout = 60) { plain_50("process"); }

Test(halfclose, behind_a_detached_answer_then_shut_wr_base, .timeout = 60) {
    pipeline("base", "/a /slow /b /c", true, "/a late /b /c");
}
Test(halfclose, behind_a_detached_answer_then_shut_wr_process, .timeout = 60) {
    pipeline("process", "/a /slow /b /c", true, "/a late /b /c");
}

Test(halfclose, behind_a_task_answer_then_shut_wr_base, .timeout = 60) {
    pipeline("base", "/a /task /b /slow /c", true, "/a task /b late /c");
}
Test(halfclose, behind_a_task_answer_then_shut_wr_process, .timeout = 60) {
    pipeline("process", "/a /task /b /slow /c", true, "/a task /b late /c");
}

Test(halfclose, large_answer_draining_at_shut_wr_base, .timeout = 60) {
    pipeline("base", "/big /a /big /slow /b", true, "big /a big late /b");
}
Test(halfclose, large_answer_draining_at_shut_wr_process, .timeout = 60) {
    pipeline("process", "/big /a /big /slow /b", true, "big /a big late /b");
}

/* ---- 2. a close in the middle of a batch ------------------------------------------------------
 */

Test(halfclose, close_in_a_batch_sends_the_answers_before_base, .timeout = 60) {
    pipeline("base", "/a /b /close /c", false, "/a /b /close");
}
Test(halfclose, close_in_a_batch_sends_the_answers_before_process, .timeout = 60) {
    pipeline("process", "/a /b /close /c", false, "/a /b /close");
}
Test(halfclose, close_after_a_detached_answer_sends_the_answers_before_base, .timeout = 60) {
    pipeline("base", "/slow /a /b /close /c", false, "late /a /b /close");
}
Test(halfclose, close_after_a_detached_answer_sends_the_answers_before_process, .timeout = 60) {
    pipeline("process", "/slow /a /b /close /c", false, "late /a /b /close");
}
Test(halfclose, connection_close_answer_in_a_batch_base, .timeout = 60) {
    pipeline("base", "/slow /a /cc /c", false, "late /a /cc");
}
Test(halfclose, connection_close_answer_in_a_batch_process, .timeout = 60) {
    pipeline("process", "/a /cc /c", false, "/a /cc");
}

/* ---- 3. plain TCP with framing: messages, then SHUT_WR ----------------------------------------
 */

/* Each message ("<text>\r\n") is echoed; "big" gets BIG bytes of 'x' then "big". */
static void on_message(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    if (ev->len == 5 && memcmp(ev->data, "big\r\n", 5) == 0) {
        char *b = malloc(BIG);
        memset(b, 'x', BIG);
        swirl_server_send(srv, ev->fd, b, BIG);
        free(b);
    }
    swirl_server_send(srv, ev->fd, ev->data, ev->len);
}

static void configure_tcp(swirl_server_t *srv, void *arg) {
    (void)arg;
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "reactor_num", "1");
    swirl_server_set_text(srv, "log_level", "5");
    swirl_server_set_text(srv, "socket_buffer_size", "16777216");
    swirl_server_set_text(srv, "package_eof", "\\r\\n");
    swirl_server_set_text(srv, "open_eof_split", "true");
    swirl_server_on(srv, "receive", on_message, NULL);
}

static void tcp_messages(int mode) {
    th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_tcp, NULL);
    int fd = tu_dial(s.port);
    char out[8192], want[8192];
    size_t o = 0;
    for (int i = 0; i < 200; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\r\n", i % 50 == 7 ? "big" : "m");
    cr_assert(tu_send_all(fd, out, o), "send: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    size_t size = 8 * BIG;
    char *buf = malloc(size);
    bool closed;
    size_t n = read_to_close(fd, buf, size, &closed);
    close(fd);
    /* what came, with each run of BIG 'x' shown as "X" */
    size_t w = 0, g = 0;
    for (size_t i = 0; i < n && g < sizeof(want) - 1;) {
        if (buf[i] == 'x' && i + BIG <= n) {
            want[g++] = 'X';
            i += BIG;
        } else {
            want[g++] = buf[i++];
        }
    }
    want[g] = 0;
    free(buf);
    char expect[8192];
    for (int i = 0; i < 200; i++)
        w += (size_t)snprintf(expect + w, sizeof(expect) - w, "%s\r\n", i % 50 == 7 ? "Xbig" : "m");
    th_stop(&s);
    cr_expect_str_eq(want, expect, "mode %d: replies lost (%zu bytes read)", mode, n);
    cr_expect(closed, "mode %d: the connection was not closed after the replies", mode);
}

Test(halfclose, tcp_messages_then_shut_wr_base, .timeout = 60) { tcp_messages(SWIRL_MODE_BASE); }
Test(halfclose, tcp_messages_then_shut_wr_process, .timeout = 60) {
    tcp_messages(SWIRL_MODE_PROCESS);
}
