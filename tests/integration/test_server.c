/* tests/integration/test_server.c — the server over real sockets and real
 * processes, in both modes: echo under load for every stream kind, framing,
 * datagrams, dispatch modes and event order, a killed worker, max_conn,
 * heartbeat, pipe messages, connection info and stats, bad settings. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>

#include "server_harness.h"

TU_SUITE(server_dgram);
TU_SUITE(server_dispatch);
TU_SUITE(server_errors);
TU_SUITE(server_framing);
TU_SUITE(server_limits);
TU_SUITE(server_load);
TU_SUITE(server_more);
TU_SUITE(server_process);
TU_SUITE(server_workers);

/* ---- callbacks used by the servers under test ------------------------------------------- */

/* Echo, or answer a few commands. */
static void cb_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[512];
    int n = -1;
    if (ev->len == 4 && memcmp(ev->data, "whoa", 4) == 0) {
        n = snprintf(out, sizeof(out), "w%d", ev->worker_id);
    } else if (ev->len == 5 && memcmp(ev->data, "stats", 5) == 0) {
        swirl_server_stats_t st;
        swirl_server_stats(srv, &st);
        n = snprintf(out, sizeof(out), "conn=%lld accept=%lld rejected=%lld workers=%d.",
                     (long long)st.connection_num, (long long)st.accept_count,
                     (long long)st.rejected_count, st.worker_num);
    } else if (ev->len == 4 && memcmp(ev->data, "info", 4) == 0) {
        swirl_conn_info_t ci;
        if (swirl_server_connection_info(srv, ev->fd, &ci) == 0)
            n = snprintf(out, sizeof(out), "port=%d remote=%s:%d uid=%u exist=%d.", ci.server_port,
                         ci.remote_ip, ci.remote_port, ci.uid, swirl_server_exist(srv, ev->fd));
    } else if (ev->len > 5 && memcmp(ev->data, "bind ", 5) == 0) {
        swirl_server_bind(srv, ev->fd, (uint32_t)atoi(ev->data + 5));
        n = snprintf(out, sizeof(out), "bound");
    } else if (ev->len == 4 && memcmp(ev->data, "pipe", 4) == 0) {
        char msg[64];
        int m = snprintf(msg, sizeof(msg), "%lld %d", (long long)ev->fd, ev->worker_id);
        swirl_server_send_message(srv, msg, (size_t)m, ev->worker_id == 0 ? 1 : 0);
        return;
    } else if (ev->len == 4 && memcmp(ev->data, "quit", 4) == 0) {
        swirl_server_send(srv, ev->fd, "bye", 3);
        swirl_server_close(srv, ev->fd, false);
        return;
    }
    th_record("%d receive %lld %zu", ev->worker_id, (long long)ev->fd, ev->len);
    int rc = n >= 0 ? swirl_server_send(srv, ev->fd, out, (size_t)n)
                    : swirl_server_send(srv, ev->fd, ev->data, ev->len);
    if (rc < 0)
        th_record("%d sendfail %lld %s", ev->worker_id, (long long)ev->fd, swirl_strerror(rc));
}

static void cb_connect(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("%d connect %lld", ev->worker_id, (long long)ev->fd);
}

static void cb_close(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("%d close %lld", ev->worker_id, (long long)ev->fd);
}

static void cb_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("%d workerstart %d", ev->worker_id, (int)getpid());
}

static void cb_pipe(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    long long fd;
    int from;
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*s", (int)ev->len, ev->data);
    if (sscanf(buf, "%lld %d", &fd, &from) == 2) {
        char out[64];
        int n = snprintf(out, sizeof(out), "piped %d->%d", from, swirl_server_worker_id(srv));
        swirl_server_send(srv, fd, out, (size_t)n);
    }
}

static void cb_packet(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char peer[SWIRL_ADDR_STRLEN];
    swirl_addr_format(ev->addr, peer, sizeof(peer));
    th_record("%d packet %s %zu", ev->worker_id, peer, ev->len);
    swirl_server_sendto(srv, ev->addr, ev->data, ev->len, ev->server_fd);
}

typedef struct {
    int workers;
    int reactors;
    const char *settings[16][2]; /* key, text; NULL-terminated */
    bool lifecycle;              /* record connect/close */
} cfg_t;

static void configure(swirl_server_t *srv, void *arg) {
    cfg_t *c = arg;
    char n[16];
    snprintf(n, sizeof(n), "%d", c->workers ? c->workers : 2);
    swirl_server_set_text(srv, "worker_num", n);
    snprintf(n, sizeof(n), "%d", c->reactors ? c->reactors : 2);
    swirl_server_set_text(srv, "reactor_num", n);
    for (int i = 0; i < 16 && c->settings[i][0]; i++)
        if (swirl_server_set_text(srv, c->settings[i][0], c->settings[i][1]) < 0)
            _exit(5);
    swirl_server_on(srv, "receive", cb_receive, NULL);
    swirl_server_on(srv, "packet", cb_packet, NULL);
    swirl_server_on(srv, "pipeMessage", cb_pipe, NULL);
    swirl_server_on(srv, "workerStart", cb_worker_start, NULL);
    if (c->lifecycle) {
        swirl_server_on(srv, "connect", cb_connect, NULL);
        swirl_server_on(srv, "close", cb_close, NULL);
    }
}

/* ---- echo under load: 200 clients x 1000 messages ---------------------------------------- */

#define CLIENTS 200
#define ROUNDS 1000

static void load_echo(int mode, swirl_sock_type_t type, const char *host) {
    TU_FD_BEGIN();
    char path[128];
    if (type == SWIRL_SOCK_UNIX_STREAM) {
        tu_tmp_path(path, sizeof(path), "sock");
        host = path;
    }
    cfg_t cfg = {.workers = 2, .reactors = 2};
    th_server_t s = th_start(host, 0, mode, type, configure, &cfg);
    int *fds = malloc(CLIENTS * sizeof(int));
    for (int i = 0; i < CLIENTS; i++)
        fds[i] = th_connect(type, host, s.port);
    char msg[64], back[64];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < CLIENTS; i++) {
            snprintf(msg, sizeof(msg), "client %03d round %04d....", i, r);
            th_send_all(fds[i], msg, 24);
        }
        for (int i = 0; i < CLIENTS; i++) {
            snprintf(msg, sizeof(msg), "client %03d round %04d....", i, r);
            th_recv_exact(fds[i], back, 24);
            cr_assert_eq(memcmp(back, msg, 24), 0, "client %d round %d: got \"%.24s\"", i, r, back);
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        close(fds[i]);
    free(fds);
    cr_assert_eq(th_stop(&s), 0, "server exit code");
    TU_FD_END();
}

Test(server_load, process_tcp, .timeout = 120) { load_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, "127.0.0.1"); }
Test(server_load, process_tcp6, .timeout = 120) { load_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP6, "::1"); }
Test(server_load, process_unix, .timeout = 120) { load_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_UNIX_STREAM, NULL); }
Test(server_load, base_tcp, .timeout = 120) { load_echo(SWIRL_MODE_BASE, SWIRL_SOCK_TCP, "127.0.0.1"); }
Test(server_load, base_tcp6, .timeout = 120) { load_echo(SWIRL_MODE_BASE, SWIRL_SOCK_TCP6, "::1"); }
Test(server_load, base_unix, .timeout = 120) { load_echo(SWIRL_MODE_BASE, SWIRL_SOCK_UNIX_STREAM, NULL); }

/* ---- framing ---------------------------------------------------------------------------- */

static size_t put_len(char type, unsigned char *hdr, size_t body) {
    size_t size = strchr("cC", type) ? 1 : strchr("sSnv", type) ? 2 : 4;
    uint64_t v = body;
    for (size_t i = 0; i < size; i++) {
        bool big = type == 'n' || type == 'N';
        /* host order is little-endian here, like v and V */
        hdr[big ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
    }
    return size;
}

Test(server_framing, length_every_type_both_modes, .timeout = 60) {
    const char *types = "cCsSnNlLvV";
    for (int mode = 1; mode <= 2; mode++) {
        for (const char *t = types; *t; t++) {
            char tstr[2] = {*t, 0}, off[8];
            size_t size = strchr("cC", *t) ? 1 : strchr("sSnv", *t) ? 2 : 4;
            snprintf(off, sizeof(off), "%zu", size);
            cfg_t cfg = {.workers = 2,
                         .settings = {{"open_length_check", "true"},
                                      {"package_length_type", tstr},
                                      {"package_length_offset", "0"},
                                      {"package_body_offset", off}}};
            th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
            int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
            /* three messages in one write, then one split into single bytes */
            unsigned char buf[600];
            size_t n = 0;
            for (int k = 0; k < 3; k++) {
                size_t body = 50 + (size_t)k * 20;
                n += put_len(*t, buf + n, body);
                memset(buf + n, 'a' + k, body);
                n += body;
            }
            th_send_all(fd, buf, n);
            unsigned char back[600];
            th_recv_exact(fd, back, n);
            cr_assert_eq(memcmp(back, buf, n), 0, "type %c mode %d", *t, mode);
            size_t one = put_len(*t, buf, 100);
            memset(buf + one, 'z', 100);
            for (size_t i = 0; i < one + 100; i++)
                th_send_all(fd, buf + i, 1);
            th_recv_exact(fd, back, one + 100);
            cr_assert_eq(memcmp(back, buf, one + 100), 0);
            close(fd);
            th_stop(&s);
        }
    }
}

Test(server_framing, ten_megabytes_whole_through_process_mode, .timeout = 60) {
    cfg_t cfg = {.workers = 2,
                 .settings = {{"open_length_check", "true"},
                              {"package_length_type", "N"},
                              {"package_body_offset", "4"},
                              {"package_max_length", "16M"},
                              {"buffer_output_size", "16M"},
                              {"socket_buffer_size", "32M"}}};
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    size_t body = 10 * 1000 * 1000;
    unsigned char *msg = malloc(body + 4), *back = malloc(body + 4);
    put_len('N', msg, body);
    for (size_t i = 0; i < body; i++)
        msg[4 + i] = (unsigned char)(i * 131 + i / 7);
    th_send_all(fd, msg, body + 4);
    th_recv_exact(fd, back, body + 4);
    cr_assert_eq(memcmp(back, msg, body + 4), 0);
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "receive") && strstr(log, " 10000004\n"), "one receive of the whole: %s",
              log);
    free(log);
    free(msg);
    free(back);
    close(fd);
    th_stop(&s);
}

Test(server_framing, over_max_length_closes_only_that_connection, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.settings = {{"open_length_check", "true"},
                                  {"package_length_type", "N"},
                                  {"package_body_offset", "4"},
                                  {"package_max_length", "1000"}}};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int good = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int bad = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        unsigned char hdr[4];
        put_len('N', hdr, 5000);
        th_send_all(bad, hdr, 4);
        cr_assert(th_closed_by_peer(bad), "oversized message closes its connection");
        unsigned char ok[14];
        put_len('N', ok, 10);
        memcpy(ok + 4, "0123456789", 10);
        th_send_all(good, ok, 14);
        unsigned char back[14];
        th_recv_exact(good, back, 14);
        cr_assert_eq(memcmp(back, ok, 14), 0, "the other connection keeps working");
        close(good);
        close(bad);
        th_stop(&s);
    }
}

/* EOF framing: the reply to each delivery is "<len>" so boundaries show. */
static void cb_len_reply(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[32];
    int n = snprintf(out, sizeof(out), "<%zu>", ev->len);
    swirl_server_send(srv, ev->fd, out, (size_t)n);
}

static void configure_eof(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "package_eof", "\\r\\n");
    swirl_server_set_text(srv, (const char *)arg, "true");
    swirl_server_on(srv, "receive", cb_len_reply, NULL);
}

Test(server_framing, eof_split_and_check, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_eof,
                                 "open_eof_split");
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "a\r\nbb\r\n", 7);
        char back[64] = {0};
        th_recv_exact(fd, back, 6);
        cr_assert_str_eq(back, "<3><4>");
        const char *pieces[] = {"cc", "c\r", "\nd", "\r", "\n"};
        for (int i = 0; i < 5; i++) {
            th_send_all(fd, pieces[i], strlen(pieces[i]));
            usleep(20000);
        }
        memset(back, 0, sizeof(back));
        th_recv_exact(fd, back, 6);
        cr_assert_str_eq(back, "<5><3>", "split across writes: %s", back);
        close(fd);
        th_stop(&s);

        s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_eof, "open_eof_check");
        fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "x\r\ny\r\n", 6);
        memset(back, 0, sizeof(back));
        th_recv_exact(fd, back, 3);
        cr_assert_str_eq(back, "<6>", "without split the whole chunk is one delivery");
        close(fd);
        th_stop(&s);
    }
}

/* open_eof_check: a read that ends with the EOF is still refused past
 * package_max_length (it was delivered whole; found by the framing
 * fuzzer, tests/fuzz/regressions/framing/). */
static void configure_eof_small(swirl_server_t *srv, void *arg) {
    configure_eof(srv, arg);
    swirl_server_set_text(srv, "package_max_length", "16");
}

Test(server_framing, eof_check_refuses_past_package_max_length, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s =
            th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_eof_small, "open_eof_check");
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "short\r\n", 7);
        char back[64] = {0};
        th_recv_exact(fd, back, 3);
        cr_assert_str_eq(back, "<7>");
        th_send_all(fd, "forty bytes, far past the limit.....\r\n", 38);
        memset(back, 0, sizeof(back));
        ssize_t n = recv(fd, back, sizeof(back) - 1, 0);
        cr_assert(n <= 0, "mode %d: a 38-byte message past package_max_length 16 was delivered: %s",
                  mode, back);
        close(fd);
        th_stop(&s);
    }
}

/* ---- datagrams ---------------------------------------------------------------------------- */

static void datagram_echo(int mode, swirl_sock_type_t type, const char *host) {
    char path[128];
    if (type == SWIRL_SOCK_UNIX_DGRAM) {
        tu_tmp_path(path, sizeof(path), "dgram");
        host = path;
    }
    cfg_t cfg = {.workers = 2};
    th_server_t s = th_start(host, 0, mode, type, configure, &cfg);
    int fd;
    int rc = swirl_net_connect(type, host, s.port, &fd);
    cr_assert_eq(rc, 0, "%s", swirl_last_error_msg());
    swirl_addr_t mine;
    swirl_net_local_addr(fd, &mine);
    char mine_text[SWIRL_ADDR_STRLEN];
    swirl_addr_format(&mine, mine_text, sizeof(mine_text));
    for (int i = 0; i < 20; i++) {
        char msg[32], back[64];
        int n = snprintf(msg, sizeof(msg), "datagram %d", i);
        cr_assert_eq(send(fd, msg, (size_t)n, 0), n);
        struct pollfd p = {fd, POLLIN, 0};
        cr_assert_gt(poll(&p, 1, 5000), 0, "no echo for datagram %d", i);
        cr_assert_eq(recv(fd, back, sizeof(back), 0), n);
        cr_assert_eq(memcmp(back, msg, (size_t)n), 0);
    }
    close(fd);
    char *log = th_read_log(&s);
    char want[SWIRL_ADDR_STRLEN + 16];
    snprintf(want, sizeof(want), "packet %s 10", mine_text);
    cr_assert(strstr(log, want), "the packet event names the sender %s:\n%s", mine_text, log);
    free(log);
    th_stop(&s);
}

Test(server_dgram, udp_process, .timeout = 30) { datagram_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_UDP, "127.0.0.1"); }
Test(server_dgram, udp_base, .timeout = 30) { datagram_echo(SWIRL_MODE_BASE, SWIRL_SOCK_UDP, "127.0.0.1"); }
Test(server_dgram, udp6_process, .timeout = 30) { datagram_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_UDP6, "::1"); }
Test(server_dgram, unix_dgram_process, .timeout = 30) { datagram_echo(SWIRL_MODE_PROCESS, SWIRL_SOCK_UNIX_DGRAM, NULL); }
Test(server_dgram, unix_dgram_base, .timeout = 30) { datagram_echo(SWIRL_MODE_BASE, SWIRL_SOCK_UNIX_DGRAM, NULL); }

/* ---- dispatch modes and event order ------------------------------------------------------- */

#define ORDER_CONNS 16
#define ORDER_MSGS 5

typedef struct {
    long long fd;
    int events[64]; /* 'c' connect, 'r' receive, 'x' close, in log order */
    int workers[64];
    int n;
} fd_trace_t;

static int trace_index(fd_trace_t *t, int *nt, long long fd) {
    for (int i = 0; i < *nt; i++)
        if (t[i].fd == fd)
            return i;
    t[*nt].fd = fd;
    t[*nt].n = 0;
    return (*nt)++;
}

static void run_dispatch(int mode, int dispatch) {
    char d[4];
    snprintf(d, sizeof(d), "%d", dispatch);
    cfg_t cfg = {.workers = 3, .reactors = 2, .lifecycle = true, .settings = {{"dispatch_mode", d}}};
    th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
    for (int i = 0; i < ORDER_CONNS; i++) {
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        char back[64];
        if (dispatch == 5) { /* bind to a uid first: later messages follow the uid */
            char cmd[32];
            int n = snprintf(cmd, sizeof(cmd), "bind %d", 100 + i);
            th_send_all(fd, cmd, (size_t)n);
            th_recv_exact(fd, back, 5);
        }
        for (int m = 0; m < ORDER_MSGS; m++) {
            th_send_all(fd, "msg!!", 5);
            th_recv_exact(fd, back, 5);
        }
        close(fd);
    }
    usleep(300000); /* the last close events reach the log */
    char *log = th_read_log(&s);
    th_stop(&s);
    fd_trace_t *t = calloc(ORDER_CONNS * 2, sizeof(*t));
    int nt = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        int w;
        char ev[32];
        long long fd;
        if (sscanf(line, "%d %31s %lld", &w, ev, &fd) != 3 || !strcmp(ev, "workerstart"))
            continue;
        fd_trace_t *tr = &t[trace_index(t, &nt, fd)];
        cr_assert_lt(tr->n, 64);
        tr->workers[tr->n] = w;
        tr->events[tr->n++] = ev[0] == 'c' && ev[1] == 'o' && ev[2] == 'n' ? 'c'
                              : ev[0] == 'r'                              ? 'r'
                                                                          : 'x';
    }
    cr_assert_eq(nt, ORDER_CONNS, "dispatch %d: %d connections seen", dispatch, nt);
    bool lifecycle = dispatch != 1 && dispatch != 3;
    int msgs = ORDER_MSGS + (dispatch == 5 ? 1 : 0); /* the bind command is a receive too */
    for (int i = 0; i < nt; i++) {
        fd_trace_t *tr = &t[i];
        int want = msgs + (lifecycle ? 2 : 0);
        cr_assert_eq(tr->n, want, "dispatch %d fd %lld: %d events, want %d", dispatch, tr->fd,
                     tr->n, want);
        if (!lifecycle) {
            for (int k = 0; k < tr->n; k++)
                cr_assert_eq(tr->events[k], 'r');
            continue;
        }
        cr_assert_eq(tr->events[0], 'c', "dispatch %d: connect first", dispatch);
        cr_assert_eq(tr->events[tr->n - 1], 'x', "dispatch %d: close last", dispatch);
        for (int k = 1; k < tr->n - 1; k++)
            cr_assert_eq(tr->events[k], 'r');
        if (dispatch == 2 || dispatch == 4)
            for (int k = 1; k < tr->n; k++)
                cr_assert_eq(tr->workers[k], tr->workers[0], "dispatch %d keeps fd %lld on one worker",
                             dispatch, tr->fd);
        if (dispatch == 5) /* after the bind, every message goes to uid % workers */
            for (int k = 2; k < tr->n - 1; k++)
                cr_assert_eq(tr->workers[k], tr->workers[2]);
    }
    free(t);
    free(log);
}

Test(server_dispatch, modes_1_to_5_process, .timeout = 60) {
    for (int d = 1; d <= 5; d++)
        run_dispatch(SWIRL_MODE_PROCESS, d);
}

Test(server_dispatch, base_mode_order, .timeout = 30) { run_dispatch(SWIRL_MODE_BASE, 2); }

/* ---- a worker killed with SIGKILL --------------------------------------------------------- */

Test(server_process, killed_worker_loses_no_other_connection, .timeout = 60) {
    cfg_t cfg = {.workers = 2, .reactors = 2, .lifecycle = true};
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure, &cfg);
    enum { N = 12 };
    int fds[N], owner[N];
    for (int i = 0; i < N; i++) {
        fds[i] = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fds[i], "whoa", 4);
        char back[8] = {0};
        th_recv_exact(fds[i], back, 2);
        owner[i] = back[1] - '0';
    }
    /* the pid of worker 0, from its workerStart line */
    char *log = th_read_log(&s);
    char *p = strstr(log, "0 workerstart ");
    cr_assert_not_null(p);
    pid_t victim = atoi(p + strlen("0 workerstart "));
    free(log);
    cr_assert_eq(kill(victim, SIGKILL), 0);
    usleep(200000);
    for (int i = 0; i < N; i++) {
        th_send_all(fds[i], "after", 5);
        char back[8];
        size_t got = th_recv_upto(fds[i], back, 5);
        if (owner[i] == 1)
            cr_assert_eq(got, 5, "a connection of the surviving worker must keep working");
        else /* the killed worker's connections live in the master: answered by its replacement */
            cr_assert(got == 5 || got == 0, "never a hang: got %zu bytes", got);
    }
    for (int i = 0; i < N; i++)
        close(fds[i]);
    log = th_read_log(&s);
    int starts = 0;
    for (char *q = log; (q = strstr(q, "0 workerstart ")); q++)
        starts++;
    cr_assert_eq(starts, 2, "worker 0 was replaced");
    free(log);
    th_stop(&s);
}

/* ---- max_conn, heartbeat, pipe messages, info and stats ----------------------------------- */

Test(server_limits, max_conn_closes_only_the_extra_connection, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.workers = 1, .reactors = 1, .settings = {{"max_conn", "5"}}};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int fds[5];
        char back[128];
        for (int i = 0; i < 5; i++) {
            fds[i] = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
            th_send_all(fds[i], "ping!", 5);
            th_recv_exact(fds[i], back, 5);
        }
        int extra = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        cr_assert(th_closed_by_peer(extra), "mode %d: the 6th connection is closed at once", mode);
        close(extra);
        th_send_all(fds[0], "stats", 5);
        memset(back, 0, sizeof(back));
        size_t n = th_recv_until(fds[0], back, sizeof(back) - 1, '.');
        back[n] = 0;
        cr_assert(strstr(back, "conn=5 accept=5 rejected=1"), "stats: %s", back);
        for (int i = 1; i < 5; i++) {
            th_send_all(fds[i], "still", 5);
            th_recv_exact(fds[i], back, 5);
        }
        for (int i = 0; i < 5; i++)
            close(fds[i]);
        th_stop(&s);
    }
}

Test(server_limits, heartbeat_closes_idle_connections, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.workers = 1,
                     .settings = {{"heartbeat_check_interval", "1"}, {"heartbeat_idle_time", "1"}}};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int idle = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int busy = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        char back[8];
        for (int i = 0; i < 8; i++) { /* 2.4 s of traffic on one, silence on the other */
            th_send_all(busy, "beat!", 5);
            th_recv_exact(busy, back, 5);
            usleep(300000);
        }
        cr_assert(th_closed_by_peer(idle), "mode %d: the idle connection is closed", mode);
        th_send_all(busy, "alive", 5);
        th_recv_exact(busy, back, 5);
        close(idle);
        close(busy);
        th_stop(&s);
    }
}

Test(server_workers, pipe_message_and_cross_worker_send, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.workers = 2};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        /* try connections until one lands on each worker */
        bool seen[2] = {false, false};
        for (int i = 0; i < 20 && !(seen[0] && seen[1]); i++) {
            int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
            char back[32] = {0};
            th_send_all(fd, "whoa", 4);
            th_recv_exact(fd, back, 2);
            int w = back[1] - '0';
            th_send_all(fd, "pipe", 4);
            char want[32];
            snprintf(want, sizeof(want), "piped %d->%d", w, 1 - w);
            memset(back, 0, sizeof(back));
            th_recv_exact(fd, back, strlen(want));
            cr_assert_str_eq(back, want, "mode %d", mode);
            seen[w] = true;
            close(fd);
        }
        cr_assert((seen[0] && seen[1]) || mode == SWIRL_MODE_BASE, "both workers took part");
        th_stop(&s);
    }
}

Test(server_workers, connection_info_exist_close, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.workers = 2};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        swirl_addr_t mine;
        swirl_net_local_addr(fd, &mine);
        th_send_all(fd, "info", 4);
        char back[256] = {0}, want[256];
        snprintf(want, sizeof(want), "port=%d remote=127.0.0.1:%d uid=0 exist=1.", s.port,
                 swirl_addr_port(&mine));
        th_recv_exact(fd, back, strlen(want));
        cr_assert_str_eq(back, want);
        th_send_all(fd, "quit", 4);
        memset(back, 0, sizeof(back));
        th_recv_exact(fd, back, 3);
        cr_assert_str_eq(back, "bye", "bytes sent before close arrive");
        cr_assert(th_closed_by_peer(fd), "close(fd) closes it");
        close(fd);
        th_stop(&s);
    }
}

/* The close callback still finds the connection (Swoole's onClose may call
 * connection_info): when the server closed it, and when the client did. */
static void cb_close_info(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_conn_info_t ci;
    if (swirl_server_connection_info(srv, ev->fd, &ci) == 0)
        th_record("closeinfo %lld port=%d remote=%s", (long long)ev->fd, ci.server_port,
                  ci.remote_ip);
    else
        th_record("closeinfo %lld none", (long long)ev->fd);
}

static void configure_close_info(swirl_server_t *srv, void *arg) {
    configure(srv, arg);
    swirl_server_on(srv, "close", cb_close_info, NULL);
}

Test(server_workers, connection_info_in_close_callback, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        cfg_t cfg = {.workers = 2};
        th_server_t s =
            th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_close_info, &cfg);
        char want[64];
        snprintf(want, sizeof(want), "port=%d remote=127.0.0.1", s.port);
        /* the server closes: "quit" answers "bye" and closes */
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "quit", 4);
        char back[8] = {0};
        th_recv_exact(fd, back, 3);
        cr_assert(th_closed_by_peer(fd), "mode %d: quit closes the connection", mode);
        close(fd);
        cr_assert(th_wait_lines(&s, "closeinfo", 1, 5000), "mode %d: no close callback", mode);
        /* the client closes */
        fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "x", 1);
        th_recv_exact(fd, back, 1);
        close(fd);
        cr_assert(th_wait_lines(&s, "closeinfo", 2, 5000), "mode %d: no second close", mode);
        char *log = th_read_log(&s);
        int found = 0;
        for (char *l = strstr(log, "closeinfo"); l; l = strstr(l + 1, "closeinfo"))
            found += strncmp(strchr(l, ' ') + 1 + strcspn(strchr(l, ' ') + 1, " ") + 1, want,
                             strlen(want)) == 0;
        cr_assert_eq(found, 2, "mode %d: connection_info in both close callbacks: %s", mode, log);
        free(log);
        th_stop(&s);
    }
}

/* Direct children of this process (from /proc). */
static int child_count(void) {
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    int count = 0;
    for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
        count++;
    return count;
}

/* ---- bad input ----------------------------------------------------------------------------- */

Test(server_errors, bad_settings_are_clear_errors, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_set(srv, "worker_nun", swirl_value_int(2)), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "worker_num"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_set(srv, "worker_num", swirl_value_string("abc")), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "\"abc\""), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_set(srv, "worker_num", swirl_value_int(0)), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "worker_num"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_on(srv, "recieve", cb_receive, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "\"recieve\""));
    cr_assert_eq(swirl_server_start(srv), SWIRL_ESTATE, "no receive callback");
    cr_assert(strstr(swirl_last_error_msg(), "receive"));
    swirl_server_free(srv);
    cr_assert_eq(swirl_server_new(&srv, "300.1.1.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP),
                 SWIRL_EBADADDR);
    cr_assert(strstr(swirl_last_error_msg(), "300.1.1.1"));
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 70000, SWIRL_MODE_BASE, SWIRL_SOCK_TCP),
                 SWIRL_EBADPORT);
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, 7, SWIRL_SOCK_TCP), SWIRL_EBADARG);
}

/* sendto goes out through one of the server's datagram sockets only: the
 * fd of a TCP connection of the process took the bytes into its stream. */
Test(server_errors, sendto_refuses_an_fd_that_is_not_its_datagram_socket, .timeout = 10) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(listen(lfd, 1), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    int cfd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", ntohs(sa.sin_port));
    int pfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    cr_assert_geq(pfd, 0);

    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_UDP), 0);
    swirl_addr_t to;
    cr_assert_eq(swirl_addr_parse(&to, SWIRL_SOCK_UDP, "127.0.0.1", 9), 0);
    cr_assert_eq(swirl_server_sendto(srv, &to, "INJECTED", 8, cfd), SWIRL_EBADARG);
    char want[96];
    snprintf(want, sizeof(want), "fd %d is not a datagram socket", cfd);
    cr_assert(strstr(swirl_last_error_msg(), want), "%s", swirl_last_error_msg());
    char buf[16];
    cr_assert_eq(recv(pfd, buf, sizeof(buf), MSG_DONTWAIT), -1, "nothing reached the connection");
    cr_assert_eq(errno, EAGAIN);
    swirl_server_free(srv);
    close(cfd);
    close(pfd);
    close(lfd);
}

Test(server_errors, port_in_use_starts_nothing, .timeout = 20) {
    cfg_t cfg = {.workers = 1};
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure, &cfg);
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", s.port, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP), 0);
    swirl_server_on(srv, "receive", cb_receive, NULL);
    int rc = swirl_server_start(srv); /* in this process: it must fail before any fork */
    cr_assert_eq(rc, -EADDRINUSE);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", s.port);
    cr_assert(strstr(swirl_last_error_msg(), want), "%s", swirl_last_error_msg());
    cr_assert_eq(child_count(), 1, "only the first server's process: nothing was started");
    swirl_server_free(srv);
    th_stop(&s);
}

/* ---- more listeners, flow control, buffers, sendfile, connection_list --------------------- */

static void cb_resume(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_server_t *srv = ((void **)user)[0];
    int64_t fd = (int64_t)(intptr_t)((void **)user)[1];
    th_record("resumed %lld", (long long)fd);
    swirl_server_resume(srv, fd);
    free(user);
}

static void cb_misc(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[128];
    if (ev->len == 5 && memcmp(ev->data, "pause", 5) == 0) {
        swirl_server_pause(srv, ev->fd);
        void **arg = malloc(2 * sizeof(void *));
        arg[0] = srv;
        arg[1] = (void *)(intptr_t)ev->fd;
        swirl_timer_after(swirl_server_loop(srv), 300, cb_resume, arg);
        th_record("paused %lld", (long long)ev->fd);
        return;
    }
    if (ev->len == 5 && memcmp(ev->data, "flood", 5) == 0) {
        static char chunk[16384];
        int sent = 0, rc;
        while ((rc = swirl_server_send(srv, ev->fd, chunk, sizeof(chunk))) == 0)
            sent++;
        th_record("flood %d %s", sent, rc == SWIRL_EBUFFULL ? "EBUFFULL" : swirl_err_name(rc));
        return;
    }
    if (ev->len > 5 && memcmp(ev->data, "file ", 5) == 0) {
        char path[128];
        snprintf(path, sizeof(path), "%.*s", (int)ev->len - 5, ev->data + 5);
        int rc = swirl_server_sendfile(srv, ev->fd, path, 0, 0);
        th_record("sendfile %d", rc);
        return;
    }
    if (ev->len == 4 && memcmp(ev->data, "list", 4) == 0) {
        int64_t ids[64];
        int n = swirl_server_connection_list(srv, 0, ids, 64);
        int mine = 0, sorted = 1;
        for (int i = 0; i < n; i++) {
            mine += ids[i] == ev->fd;
            if (i && ids[i] <= ids[i - 1])
                sorted = 0;
        }
        /* a start below every id lists the same: the free slots (id 0) are no connection */
        int64_t from_neg[64];
        int n2 = swirl_server_connection_list(srv, -1, from_neg, 64);
        int same = n2 == n && memcmp(from_neg, ids, sizeof(*ids) * (size_t)n) == 0;
        int m = snprintf(out, sizeof(out), "n=%d mine=%d sorted=%d same=%d.", n, mine, sorted,
                         same);
        swirl_server_send(srv, ev->fd, out, (size_t)m);
        return;
    }
    th_record("receive %zu %.*s", ev->len, (int)ev->len, ev->data);
    swirl_server_send(srv, ev->fd, ev->data, ev->len);
}

static void cb_full(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("bufferfull %lld", (long long)ev->fd);
}

static void cb_empty(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("bufferempty %lld", (long long)ev->fd);
}

static int second_port; /* in the server child */

static void configure_misc(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "2");
    swirl_server_set_text(srv, "socket_buffer_size", "262144");
    swirl_server_on(srv, "receive", cb_misc, NULL);
    swirl_server_on(srv, "bufferFull", cb_full, NULL);
    swirl_server_on(srv, "bufferEmpty", cb_empty, NULL);
    if (arg) { /* a second listener with its own framing */
        /* set on the server, inherited by the second port (which does not set it) */
        swirl_server_set_text(srv, "package_max_length", "1000");
        swirl_port_t *p;
        if (swirl_server_listen(srv, "127.0.0.1", *(int *)arg, SWIRL_SOCK_TCP, &p) < 0)
            _exit(6);
        swirl_port_set(p, "open_length_check", swirl_value_bool(true));
        swirl_port_set(p, "package_length_type", swirl_value_string("N"));
        swirl_port_set(p, "package_body_offset", swirl_value_int(4));
        second_port = *(int *)arg;
    }
}

static bool log_has_in_order(const th_server_t *s, const char *a, const char *b) {
    char *log = th_read_log(s);
    char *pa = strstr(log, a), *pb = strstr(log, b);
    bool ok = pa && pb && pa < pb;
    free(log);
    return ok;
}

Test(server_more, pause_resume_orders_reads, .timeout = 30) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_misc, NULL);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "pause", 5);
        /* in PROCESS mode the worker's pause reaches the reactor a moment
         * after the worker logged it: send once it surely has */
        cr_assert(th_wait_lines(&s, "paused ", 1, 5000), "mode %d: not paused", mode);
        usleep(50000);
        th_send_all(fd, "later", 5);
        char back[8];
        th_recv_exact(fd, back, 5);
        cr_assert(log_has_in_order(&s, "resumed", "receive 5 later"),
                  "mode %d: nothing is read while paused", mode);
        close(fd);
        th_stop(&s);
    }
}

Test(server_more, buffer_full_then_empty, .timeout = 90) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_misc, NULL);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        /* the client reads nothing until the flood stops: the kernel's
         * buffers fill, then the server's 256 KiB socket_buffer_size */
        th_send_all(fd, "flood", 5);
        usleep(300000);
        char *log = th_read_log(&s);
        cr_assert(strstr(log, "EBUFFULL"), "mode %d: send stops with EBUFFULL: %s", mode, log);
        cr_assert(strstr(log, "bufferfull"), "mode %d: bufferFull fired: %s", mode, log);
        int sent = 0;
        sscanf(strstr(log, "flood ") + 6, "%d", &sent);
        free(log);
        cr_assert_gt(sent, 0);
        size_t want = (size_t)sent * 16384, got = 0;
        char *buf = malloc(want + 1);
        got = th_recv_upto(fd, buf, want);
        free(buf);
        cr_assert_eq(got, want, "every accepted byte arrives");
        usleep(300000);
        log = th_read_log(&s);
        cr_assert(strstr(log, "bufferempty"), "mode %d: bufferEmpty fired once drained: %s", mode,
                  log);
        free(log);
        close(fd);
        th_stop(&s);
    }
}

Test(server_more, sendfile_and_connection_list, .timeout = 30) {
    char path[128];
    tu_tmp_path(path, sizeof(path), "sendfile");
    size_t size = 1 << 20;
    unsigned char *data = malloc(size);
    for (size_t i = 0; i < size; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    FILE *f = fopen(path, "we");
    fwrite(data, 1, size, f);
    fclose(f);
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_misc, NULL);
        int others[3];
        for (int i = 0; i < 3; i++)
            others[i] = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        usleep(100000);
        th_send_all(fd, "list", 4);
        char back[64] = {0};
        th_recv_exact(fd, back, strlen("n=4 mine=1 sorted=1 same=1."));
        cr_assert_str_eq(back, "n=4 mine=1 sorted=1 same=1.");
        char cmd[160];
        int n = snprintf(cmd, sizeof(cmd), "file %s", path);
        th_send_all(fd, cmd, (size_t)n);
        unsigned char *got = malloc(size);
        th_recv_exact(fd, got, size);
        cr_assert_eq(memcmp(got, data, size), 0, "mode %d: the file arrives byte for byte", mode);
        free(got);
        for (int i = 0; i < 3; i++)
            close(others[i]);
        close(fd);
        th_stop(&s);
    }
    free(data);
    unlink(path);
}

/* A client that sends without reading its echoes: the server stops reading
 * it (flow control) instead of buffering without bound or failing sends,
 * and once the client reads, every byte comes back in order. */
static void flow_control(int mode) {
    cfg_t cfg = {.workers = 2, .reactors = 1, .settings = {{"socket_buffer_size", "256K"}}};
    th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    /* more than the kernel's socket buffers on both sides can absorb */
    size_t total = 32u << 20, sent = 0, got = 0;
    char *data = malloc(total), *back = malloc(total);
    cr_assert(data && back);
    for (size_t i = 0; i < total; i++)
        data[i] = (char)(i * 7 % 253);
    /* phase 1: write only, until the server has stopped taking bytes */
    int stalls = 0;
    while (sent < total && stalls < 5) {
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, 200) == 0) {
            stalls++;
            continue;
        }
        ssize_t n = send(fd, data + sent, total - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        cr_assert(n > 0 || errno == EAGAIN, "send: %s", strerror(errno));
        if (n > 0)
            sent += (size_t)n;
    }
    cr_assert_lt(sent, total, "the server kept reading 32 MiB nobody read back");
    /* phase 2: read everything back while sending the rest */
    while (got < total) {
        struct pollfd p = {fd, (short)(POLLIN | (sent < total ? POLLOUT : 0)), 0};
        cr_assert_gt(poll(&p, 1, 10000), 0, "echo stalled at %zu/%zu", got, total);
        if ((p.revents & POLLOUT) && sent < total) {
            ssize_t n = send(fd, data + sent, total - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, back + got, total - got, MSG_DONTWAIT);
            cr_assert_neq(n, 0, "server closed the connection at %zu/%zu", got, total);
            if (n > 0)
                got += (size_t)n;
        }
    }
    cr_assert_eq(memcmp(back, data, total), 0, "echo differs");
    free(data);
    free(back);
    close(fd);
    char *log = th_read_log(&s);
    cr_assert_null(strstr(log, "sendfail"), "a send failed: %s", strstr(log, "sendfail"));
    free(log);
    th_stop(&s);
}

Test(server_more, flow_control_process, .timeout = 60) { flow_control(SWIRL_MODE_PROCESS); }
Test(server_more, flow_control_base, .timeout = 60) { flow_control(SWIRL_MODE_BASE); }

Test(server_more, second_listener_has_its_own_settings, .timeout = 30) {
    /* a free port for the second listener */
    int probe;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, NULL, &probe), 0);
    swirl_addr_t a;
    swirl_net_local_addr(probe, &a);
    int port2 = swirl_addr_port(&a);
    close(probe);
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure_misc,
                             &port2);
    int raw = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    int framed = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", port2);
    th_send_all(raw, "plain", 5);
    char back[16] = {0};
    th_recv_exact(raw, back, 5);
    cr_assert_str_eq(back, "plain");
    unsigned char msg[9] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    th_send_all(framed, msg, 4); /* header alone: no delivery yet */
    usleep(100000);
    th_send_all(framed, msg + 4, 5);
    unsigned char got[9];
    th_recv_exact(framed, got, 9);
    cr_assert_eq(memcmp(got, msg, 9), 0);
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "receive 5 plain"));
    cr_assert(strstr(log, "receive 9 "), "the framed message arrives whole: %s", log);
    cr_assert_null(strstr(log, "receive 4 "), "no partial delivery of the framed message");
    free(log);
    /* package_max_length 1000 came from the server: a 2000-byte message
     * closes that connection, and only that one */
    unsigned char big[4] = {0, 0, 0x07, 0xd0};
    th_send_all(framed, big, 4);
    char rest[16];
    ssize_t n = recv(framed, rest, sizeof(rest), 0); /* the harness's receive timeout applies */
    cr_assert(n == 0 || (n < 0 && errno == ECONNRESET), "oversize message: closed, got %zd (%s)",
              n, n < 0 ? strerror(errno) : "data");
    th_send_all(raw, "still", 5);
    th_recv_exact(raw, back, 5);
    cr_assert_eq(memcmp(back, "still", 5), 0);
    close(raw);
    close(framed);
    th_stop(&s);
}

static void configure_reuse(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "3");
    swirl_server_set_text(srv, "enable_reuse_port", "true");
    swirl_server_on(srv, "receive", cb_receive, NULL);
    swirl_server_on(srv, "workerStart", cb_worker_start, NULL);
}

Test(server_more, base_reuse_port_spreads_connections, .timeout = 30) {
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP, configure_reuse, NULL);
    /* each worker opens its own socket before its workerStart: wait for all three */
    for (int id = 0; id < 3; id++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "%d workerstart", id);
        cr_assert(th_wait_lines(&s, prefix, 1, 5000), "worker %d did not start", id);
    }
    bool seen[3] = {false, false, false};
    for (int i = 0; i < 60; i++) {
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "whoa", 4);
        char back[4] = {0};
        th_recv_exact(fd, back, 2);
        seen[back[1] - '0'] = true;
        close(fd);
    }
    cr_assert(seen[0] && seen[1] && seen[2], "every worker accepted some: %d %d %d", seen[0],
              seen[1], seen[2]);
    th_stop(&s);
}

/* ---- send_yield: a send that does not fit waits for room ---------------------------------- */

/* "bulk": 64 sends of 64 KiB (4 MiB, sixteen times socket_buffer_size) in
 * one callback, "huge" 1024 of them (more than the kernel's buffers hold);
 * each waits for room instead of failing. */
static void cb_bulk(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    bool huge = ev->len == 4 && memcmp(ev->data, "huge", 4) == 0; /* 64 MiB */
    if (huge || (ev->len == 4 && memcmp(ev->data, "bulk", 4) == 0)) {
        static char chunk[65536];
        int sent = 0, rc = 0, n = huge ? 1024 : 64;
        while (sent < n && (rc = swirl_server_send(srv, ev->fd, chunk, sizeof(chunk))) == 0)
            sent++;
        th_record("bulk %d %s", sent, rc == 0 ? "ok" : swirl_err_name(rc));
        return;
    }
    th_record("echo %.*s", (int)ev->len, ev->data);
    swirl_server_send(srv, ev->fd, ev->data, ev->len);
}

static void configure_yield(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "socket_buffer_size", "262144");
    swirl_server_set_text(srv, "send_yield", "true");
    swirl_server_set_text(srv, "send_timeout", arg ? (const char *)arg : "60");
    swirl_server_on(srv, "receive", cb_bulk, NULL);
}

Test(send_yield, a_send_that_does_not_fit_waits_for_a_slow_reader, .timeout = 60) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_yield, NULL);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "bulk", 4);
        usleep(200000); /* read late: the sends must have waited, not failed */
        size_t want = 64 * 65536;
        char *buf = malloc(want);
        cr_assert(buf);
        size_t got = th_recv_upto(fd, buf, want);
        free(buf);
        cr_assert_eq(got, want, "mode %d: every byte arrives (%zu)", mode, got);
        cr_assert(th_wait_lines(&s, "bulk 64 ok", 1, 5000), "mode %d: all 64 sends succeeded",
                  mode);
        close(fd);
        th_stop(&s);
    }
}

Test(send_yield, the_wait_ends_for_a_client_that_never_reads, .timeout = 60) {
    for (int mode = 1; mode <= 2; mode++) {
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_yield, "0.5");
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int rcvbuf = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        th_send_all(fd, "huge", 4);
        /* never read: the wait ends (send_timeout, or the connection reset
         * for owing output that long), the send fails, the worker goes on */
        cr_assert(th_wait_lines(&s, "bulk ", 1, 20000), "mode %d: the wait ended", mode);
        char *log = th_read_log(&s);
        cr_assert(!strstr(log, "bulk 1024 ok") &&
                      (strstr(log, "ETIMEDOUT") || strstr(log, "SWIRL_ECLOSED")),
                  "mode %d: a send failed with ETIMEDOUT or SWIRL_ECLOSED: %s", mode, log);
        free(log);
        int other = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(other, "ping", 4);
        char back[4];
        th_recv_exact(other, back, 4);
        cr_assert_eq(memcmp(back, "ping", 4), 0, "mode %d: the worker serves again", mode);
        close(other);
        close(fd);
        th_stop(&s);
    }
}

/* ---- PROCESS: a worker's sends wait in its own queue, not in the master -------------------- */

static void configure_queue(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "socket_buffer_size", "262144"); /* its queue: 8 MiB at most */
    swirl_server_set_text(srv, "send_timeout", arg ? (const char *)arg : "60");
    swirl_server_on(srv, "receive", cb_bulk, NULL);
}

Test(process_queue, a_callback_sends_more_than_the_buffer_and_all_of_it_arrives, .timeout = 60) {
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure_queue,
                             NULL);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "bulk", 4);
    /* 4 MiB, sixteen times socket_buffer_size, accepted at once: the
     * worker's callback returns while the reactor drains its queue */
    cr_assert(th_wait_lines(&s, "bulk 64 ok", 1, 5000), "all 64 sends succeeded");
    usleep(200000);
    size_t want = 64 * 65536;
    char *buf = malloc(want);
    cr_assert(buf);
    size_t got = th_recv_upto(fd, buf, want);
    free(buf);
    cr_assert_eq(got, want, "every byte arrives (%zu)", got);
    /* a loop without end stops at the queue's bound */
    th_send_all(fd, "huge", 4);
    cr_assert(th_wait_lines(&s, "bulk ", 2, 10000), "the huge send ended");
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "SWIRL_EBUFFULL"), "it ended with SWIRL_EBUFFULL: %s", log);
    free(log);
    close(fd);
    th_stop(&s);
}

Test(process_queue, a_client_that_never_reads_is_reset_and_the_worker_goes_on, .timeout = 60) {
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure_queue,
                             "0.5");
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    int rcvbuf = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    th_send_all(fd, "bulk", 4);
    cr_assert(th_wait_lines(&s, "bulk 64 ok", 1, 5000), "the sends were queued");
    /* never read: send_timeout resets the connection, what was queued for
     * it is dropped, and the worker serves others meanwhile and after */
    int other = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(other, "ping", 4);
    char back[4];
    th_recv_exact(other, back, 4);
    cr_assert_eq(memcmp(back, "ping", 4), 0, "the worker serves another connection");
    sleep(2);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    int rcv = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    size_t total = 0;
    char *buf = malloc(1 << 16);
    cr_assert(buf);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n;
    while ((n = recv(fd, buf, 1 << 16, 0)) > 0)
        total += (size_t)n;
    free(buf);
    cr_assert(n == 0 || errno == ECONNRESET, "the connection was closed (%s)", strerror(errno));
    cr_assert_lt(total, (size_t)64 * 65536, "not everything was sent: it was reset (%zu)", total);
    th_send_all(other, "pong", 4);
    th_recv_exact(other, back, 4);
    cr_assert_eq(memcmp(back, "pong", 4), 0, "and still serves it");
    close(other);
    close(fd);
    th_stop(&s);
}
