/* tests/integration/test_http_ports.c — multi-protocol listeners of an
 * HTTP server over real sockets: a listener whose own settings leave HTTP
 * off is plain TCP (its bytes, framed by its settings, go to the receive
 * callback), one with no settings of its own speaks HTTP as the first,
 * one with open_http_protocol speaks HTTP; the rule itself
 * (swirl_http_port_protocols) and the start refusals. */
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <swirl/swirl.h>

#include "forkserver.h"
#include "rawsock.h"

TU_SUITE(http_ports);

static swirl_port_t *eof_port, *plain_http_port, *http_port;

/* workerStart: the three ports to the parent (first, eof, inheriting, http). */
static void report_ports(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    if (ev->worker_id != 0 || tu_port_fd < 0)
        return;
    int ports[4] = {swirl_server_port(srv), swirl_port_bound_port(eof_port),
                    swirl_port_bound_port(plain_http_port), swirl_port_bound_port(http_port)};
    if (send(tu_port_fd, ports, sizeof(ports), MSG_NOSIGNAL) == sizeof(ports)) {
        close(tu_port_fd);
        tu_port_fd = -1;
    }
}

static void handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    (void)hs;
    (void)req;
    (void)user;
    swirl_http_resp_end(resp, "http", 4);
}

/* The plain listener's messages, answered "R:<message>". */
static void on_plain(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    char out[256];
    int n = snprintf(out, sizeof(out), "R:%.*s", (int)ev->len, (const char *)ev->data);
    swirl_server_send(srv, ev->fd, out, (size_t)n);
}

static int run(void *arg) {
    const char *mode = arg;
    swirl_http_server_t *hs;
    if (swirl_http_server_new(&hs, "127.0.0.1", 0,
                              strcmp(mode, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE) < 0)
        return 3;
    swirl_server_t *srv = swirl_http_server_base(hs);
    swirl_http_server_set_text(hs, "worker_num", "1");
    swirl_http_server_set_text(hs, "reactor_num", "1");
    if (swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &eof_port) < 0 ||
        swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &plain_http_port) < 0 ||
        swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &http_port) < 0)
        return 3;
    if (swirl_port_set(eof_port, "open_eof_split", swirl_value_bool(true)) < 0 ||
        swirl_port_set(http_port, "open_http_protocol", swirl_value_bool(true)) < 0)
        return 5;
    swirl_http_server_on_request(hs, handler, NULL);
    swirl_http_server_on(hs, "receive", on_plain, NULL);
    swirl_http_server_on(hs, "workerStart", report_ports, NULL);
    int rc = swirl_http_server_start(hs);
    swirl_http_server_free(hs);
    return rc < 0 ? 4 : 0;
}

static pid_t start_run(int (*fn)(void *), const char *mode, int ports[4]) {
    int p[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(p[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        tu_port_fd = p[1];
        int rc = fn((void *)mode);
        TU_LEAK_CHECK();
        _exit(rc);
    }
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    bool up = poll(&pf, 1, 20000) > 0 && read(p[0], ports, 4 * sizeof(int)) == 4 * sizeof(int);
    close(p[0]);
    if (!up) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cr_assert_fail("the server did not start");
    }
    return pid;
}

static pid_t start(const char *mode, int ports[4]) { return start_run(run, mode, ports); }

/* Send `req` to `port`, read until `want` is in the answer (or 5 s). */
static bool answers(int port, const char *req, const char *want) {
    int fd = tu_dial(port);
    tu_send_all(fd, req, strlen(req));
    char buf[4096];
    size_t n = 0;
    buf[0] = 0;
    while (!strstr(buf, want)) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = 0;
    }
    close(fd);
    if (!strstr(buf, want))
        cr_log_error("port %d: wanted \"%s\", got \"%s\"", port, want, buf);
    return strstr(buf, want) != NULL;
}

static void ports_case(const char *mode) {
    int ports[4];
    pid_t pid = start(mode, ports);
    const char *get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    cr_expect(answers(ports[0], get, "\r\n\r\nhttp"), "the first listener speaks HTTP");
    cr_expect(answers(ports[2], get, "\r\n\r\nhttp"), "a listener with no settings inherits HTTP");
    cr_expect(answers(ports[3], get, "\r\n\r\nhttp"), "open_http_protocol: HTTP");
    cr_expect(answers(ports[1], "one\r\ntwo\r\n", "R:one\r\nR:two\r\n"),
              "the EOF-framed listener is plain TCP: its messages go to receive");
    cr_expect(answers(ports[1], get, "R:GET / HTTP/1.1\r\n"),
              "a request line on the plain listener is a message, not a request");
    int status = tu_stop_server(pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit");
}

Test(http_ports, plain_and_http_listeners_base, .timeout = 60) { ports_case("base"); }
Test(http_ports, plain_and_http_listeners_process, .timeout = 60) { ports_case("process"); }

/* swirl_http_server_start's result when it refuses (it must not start). */
static int swirl_http_start_refusal(swirl_http_server_t *hs) {
    int rc = swirl_http_server_start(hs);
    cr_assert_lt(rc, 0, "start refused");
    return rc;
}

Test(http_ports, the_rule_and_refusals, .timeout = 30) {
    swirl_http_server_t *hs;
    cr_assert_eq(swirl_http_server_new(&hs, "127.0.0.1", 0, SWIRL_MODE_BASE), 0);
    swirl_server_t *srv = swirl_http_server_base(hs);
    swirl_port_t *none, *eof, *http, *ws, *udp, *off;
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &none), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &eof), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &http), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &ws), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_UDP, &udp), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &off), 0);
    cr_assert_eq(swirl_port_set(eof, "open_length_check", swirl_value_bool(true)), 0);
    cr_assert_eq(swirl_port_set(http, "open_http_protocol", swirl_value_bool(true)), 0);
    cr_assert_eq(swirl_port_set(ws, "open_websocket_protocol", swirl_value_bool(true)), 0);
    cr_assert_eq(swirl_port_set(off, "open_http_protocol", swirl_value_bool(false)), 0);
    cr_expect_eq(swirl_http_port_protocols(hs, none), SWIRL_HTTP_PROTO_HTTP);
    cr_expect_eq(swirl_http_port_protocols(hs, eof), 0);
    cr_expect_eq(swirl_http_port_protocols(hs, http), SWIRL_HTTP_PROTO_HTTP);
    cr_expect_eq(swirl_http_port_protocols(hs, ws), SWIRL_HTTP_PROTO_HTTP | SWIRL_HTTP_PROTO_WS);
    cr_expect_eq(swirl_http_port_protocols(hs, udp), 0);
    cr_expect_eq(swirl_http_port_protocols(hs, off), 0);
    cr_expect_eq(swirl_http_port_protocols(NULL, none), 0);
    swirl_http_server_on_request(hs, handler, NULL);
    /* a WebSocket listener needs a WebSocket server */
    cr_expect_lt(swirl_http_server_start(hs), 0);
    cr_expect(strstr(swirl_last_error_msg(), "open_websocket_protocol"), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_port_set(ws, "open_websocket_protocol", swirl_value_bool(false)), 0);
    /* a plain stream listener needs a receive callback */
    cr_expect_lt(swirl_http_server_start(hs), 0);
    cr_expect(strstr(swirl_last_error_msg(), "receive callback"), "%s", swirl_last_error_msg());
    /* an HTTP listener with a framing rule of its own */
    swirl_http_server_on(hs, "receive", on_plain, NULL);
    cr_assert_eq(swirl_port_set(http, "open_eof_check", swirl_value_bool(true)), 0);
    cr_expect_eq(swirl_http_start_refusal(hs), SWIRL_ESETTING);
    cr_expect(strstr(swirl_last_error_msg(), "speaks HTTP"), "%s", swirl_last_error_msg());
    swirl_http_server_free(hs);
}

/* ---- WebSocket listeners: a listener's own handshake callback, beforeHandshakeResponse ---- */

static void ws_message(swirl_ws_server_t *ws, const swirl_ws_frame_t *f, void *u) {
    (void)u;
    swirl_ws_push(ws, f->fd, f->data, f->len, f->opcode, true);
}

/* the server's own 101 gets a header */
static void ws_before(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                      void *u) {
    (void)ws;
    (void)req;
    (void)u;
    swirl_http_resp_header(resp, "X-Before", "yes");
}

/* the second listener's own handshake: refused */
static void ws_refuse(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                      void *u) {
    (void)ws;
    (void)req;
    (void)u;
    swirl_http_resp_status(resp, 403, NULL);
    swirl_http_resp_end(resp, "no", 2);
}

static int run_ws(void *arg) {
    swirl_ws_server_t *ws;
    if (swirl_ws_server_new(&ws, "127.0.0.1", 0,
                            strcmp(arg, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE) < 0)
        return 3;
    swirl_server_t *srv = swirl_ws_server_base(ws);
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "reactor_num", "1");
    if (swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &eof_port) < 0 ||
        swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &plain_http_port) < 0 ||
        swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &http_port) < 0)
        return 3;
    /* eof_port: its own handshake; plain_http_port: HTTP only; http_port: as the first */
    if (swirl_port_set(plain_http_port, "open_http_protocol", swirl_value_bool(true)) < 0)
        return 5;
    swirl_ws_on_message(ws, ws_message, NULL);
    swirl_ws_on_before_response(ws, ws_before, NULL);
    swirl_ws_port_on_handshake(ws, eof_port, ws_refuse, NULL);
    swirl_http_server_on_request(swirl_ws_server_http(ws), handler, NULL);
    swirl_server_on(srv, "workerStart", report_ports, NULL);
    int rc = swirl_ws_server_start(ws);
    swirl_ws_server_free(ws);
    return rc < 0 ? 4 : 0;
}

static const char upgrade[] = "GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: "
                              "Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

static void ws_case(const char *mode) {
    int ports[4];
    pid_t pid = start_run(run_ws, mode, ports);
    cr_expect(answers(ports[0], upgrade, "X-Before: yes\r\n"),
              "the server's own 101, with what beforeHandshakeResponse added");
    cr_expect(answers(ports[3], upgrade, "X-Before: yes\r\n"), "a listener as the first");
    cr_expect(answers(ports[1], upgrade, "HTTP/1.1 403 "), "the listener's own handshake");
    cr_expect(answers(ports[2], upgrade, "\r\n\r\nhttp"),
              "an HTTP-only listener: an upgrade request is a request");
    int status = tu_stop_server(pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit");
}

Test(http_ports, websocket_listeners_base, .timeout = 60) { ws_case("base"); }
Test(http_ports, websocket_listeners_process, .timeout = 60) { ws_case("process"); }
