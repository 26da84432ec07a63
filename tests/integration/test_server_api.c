/* tests/integration/test_server_api.c — the server's calls a binding wraps
 * rather than re-codes: the event names table, a port's own callbacks and
 * the listener in each event, and heartbeat(), over real sockets and
 * processes in both modes. */
#include <ctype.h>

#include "server_harness.h"

/* ---- event names --------------------------------------------------------------------------- */

Test(server_api, event_names_and_types_round_trip, .timeout = 10) {
    for (int i = 0; i < SWIRL_ON__COUNT; i++) {
        const char *name = swirl_server_event_name((swirl_event_type_t)i);
        cr_assert(name && *name, "event %d has a name", i);
        cr_assert_eq(swirl_server_event_type(name), i, "%s", name);
        char other[64];
        snprintf(other, sizeof(other), "on%s", name);
        cr_assert_eq(swirl_server_event_type(other), i, "%s", other);
        for (char *p = other; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        cr_assert_eq(swirl_server_event_type(other), i, "%s", other);
    }
    cr_assert_str_eq(swirl_server_event_name(SWIRL_ON_PIPE_MESSAGE), "pipeMessage");
    cr_assert_str_eq(swirl_server_event_name(SWIRL_ON_WORKER_START), "workerStart");
    cr_assert_null(swirl_server_event_name(SWIRL_ON__COUNT));
    cr_assert_null(swirl_server_event_name((swirl_event_type_t)-1));
    cr_assert_eq(swirl_server_event_type("recieve"), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "\"recieve\""), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_event_type("on"), SWIRL_EBADARG);
    cr_assert_eq(swirl_server_event_type(NULL), SWIRL_EBADARG);
}

Test(server_api, on_refuses_an_unknown_event_by_name, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_on(srv, "onWorkerExit", NULL, NULL), 0);
    cr_assert_eq(swirl_server_on(srv, "workerExited", NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "\"workerExited\""), "%s", swirl_last_error_msg());
    swirl_server_free(srv);
}

/* ---- per-port callbacks ------------------------------------------------------------------- */

static swirl_port_t *extra_port; /* in the server child */

/* The server's: "where" answers "main <extra port's number> <ev->port is
 * the main listener>"; connect and close are recorded with their port. */
static void cb_main(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[64];
    int len = snprintf(out, sizeof(out), "main %d %d\n", swirl_port_bound_port(extra_port),
                       ev->port && ev->port != extra_port);
    swirl_server_send(srv, ev->fd, out, (size_t)len);
}

static void cb_port_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[64];
    int len = snprintf(out, sizeof(out), "port %.*s %d %s\n", (int)ev->len, ev->data,
                       ev->port == extra_port, (const char *)user);
    swirl_server_send(srv, ev->fd, out, (size_t)len);
}

static void cb_record(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("%s %s %s", swirl_server_event_name(ev->type), (const char *)user,
              !ev->port                ? "none"
              : ev->port == extra_port ? "extra"
                                       : "main");
}

static void configure_ports(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_on(srv, "receive", cb_main, NULL);
    swirl_server_on(srv, "connect", cb_record, "server");
    swirl_server_on(srv, "close", cb_record, "server");
    if (swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_TCP, &extra_port) < 0)
        _exit(6);
    if (swirl_port_on(extra_port, "onReceive", cb_port_receive, "own") < 0 ||
        swirl_port_on(extra_port, "close", cb_record, "port") < 0)
        _exit(7);
}

Test(server_api, a_port_has_its_own_callbacks_and_events_name_their_port, .timeout = 60) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_ports, NULL);
        int a = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        char back[64] = {0};
        int extra = 0, is_main = 0;
        th_send_all(a, "where", 5);
        back[th_recv_until(a, back, sizeof(back) - 1, '\n')] = 0;
        cr_assert_eq(sscanf(back, "main %d %d", &extra, &is_main), 2, "mode %d: %s", mode, back);
        cr_assert(extra > 0 && is_main, "mode %d: %s", mode, back);
        int b = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", extra);
        th_send_all(b, "hi", 2);
        memset(back, 0, sizeof(back));
        back[th_recv_until(b, back, sizeof(back) - 1, '\n')] = 0;
        cr_assert_str_eq(back, "port hi 1 own\n", "mode %d", mode);
        close(a);
        close(b);
        /* connect: the server's for both; close: each port's own */
        cr_assert(th_wait_lines(&s, "close ", 2, 10000), "mode %d", mode);
        cr_assert_eq(th_count_lines(&s, "connect server main"), 1, "mode %d", mode);
        cr_assert_eq(th_count_lines(&s, "connect server extra"), 1, "mode %d", mode);
        cr_assert_eq(th_count_lines(&s, "close server main"), 1, "mode %d", mode);
        cr_assert_eq(th_count_lines(&s, "close port extra"), 1, "mode %d", mode);
        cr_assert_eq(th_stop(&s), 0, "mode %d: server exit code", mode);
    }
}

Test(server_api, port_on_refuses_other_events, .timeout = 10) {
    swirl_server_t *srv;
    swirl_port_t *p;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_listen(srv, "127.0.0.1", 0, SWIRL_SOCK_UDP, &p), 0);
    cr_assert_eq(swirl_port_on(p, "packet", NULL, NULL), 0);
    cr_assert_eq(swirl_port_on(p, "workerStart", NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "workerStart"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_port_on(p, "recv", NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "\"recv\""), "%s", swirl_last_error_msg());
    swirl_server_free(srv);
}

/* ---- heartbeat() ----------------------------------------------------------------------------- */

/* "hb": run heartbeat() (closing what it lists) and answer "n=<count>
 * self=<0|1> rc=<error>"; anything else is echoed. */
static void cb_heartbeat(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    if (ev->len != 2 || memcmp(ev->data, "hb", 2) != 0) {
        swirl_server_send(srv, ev->fd, ev->data, ev->len);
        return;
    }
    int64_t ids[16];
    int n = swirl_server_heartbeat(srv, true, ids, 16);
    bool self = false;
    for (int i = 0; i < n; i++)
        self |= ids[i] == ev->fd;
    char out[64];
    int len =
        snprintf(out, sizeof(out), "n=%d self=%d rc=%d\n", n < 0 ? 0 : n, self, n < 0 ? n : 0);
    swirl_server_send(srv, ev->fd, out, (size_t)len);
}

static void configure_heartbeat(swirl_server_t *srv, void *arg) {
    const char *idle = arg;
    swirl_server_set_text(srv, "worker_num", "1");
    if (idle)
        swirl_server_set_text(srv, "heartbeat_idle_time", idle);
    swirl_server_on(srv, "receive", cb_heartbeat, NULL);
}

static void ask(int fd, char *out, size_t cap) {
    th_send_all(fd, "hb", 2);
    out[th_recv_until(fd, out, cap - 1, '\n')] = 0;
}

Test(server_api, heartbeat_lists_and_closes_idle_connections, .timeout = 60) {
    for (int mode = 1; mode <= 2; mode++) {
        /* no check_interval: no timer closes anything, only the call */
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_heartbeat, "2");
        int idle = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int busy = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        char back[64] = {0};
        th_send_all(idle, "x", 1); /* accepted and seen by the server */
        th_recv_exact(idle, back, 1);
        usleep(2200 * 1000); /* over heartbeat_idle_time of silence on both */
        ask(busy, back, sizeof(back));
        /* the asking connection has just received: only the other is idle */
        cr_assert_str_eq(back, "n=1 self=0 rc=0\n", "mode %d", mode);
        cr_assert(th_closed_by_peer(idle), "mode %d: the idle connection is closed", mode);
        ask(busy, back, sizeof(back));
        cr_assert_str_eq(back, "n=0 self=0 rc=0\n", "mode %d: the busy one stays", mode);
        close(idle);
        close(busy);
        cr_assert_eq(th_stop(&s), 0, "mode %d: server exit code", mode);
    }
}

Test(server_api, heartbeat_without_its_settings_is_an_error, .timeout = 30) {
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure_heartbeat, NULL);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char back[64] = {0}, want[64];
    ask(fd, back, sizeof(back));
    snprintf(want, sizeof(want), "n=0 self=0 rc=%d\n", SWIRL_ESTATE);
    cr_assert_str_eq(back, want);
    close(fd);
    cr_assert_eq(th_stop(&s), 0, "server exit code");

    /* before start: the settings are checked, there is no connection */
    swirl_server_t *srv;
    int64_t ids[4];
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_heartbeat(srv, true, ids, 4), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "heartbeat_idle_time"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_set_text(srv, "heartbeat_check_interval", "3"), 0);
    cr_assert_eq(swirl_server_heartbeat(srv, true, ids, 4), 0);
    swirl_server_free(srv);
}
