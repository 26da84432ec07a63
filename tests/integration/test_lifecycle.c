/* tests/integration/test_lifecycle.c — the server's processes over time:
 * a worker killed or crashing at start, reload under load, max_request,
 * graceful shutdown with requests in flight, kill -9 of the master, the pid
 * file, log reopening, stop(worker_id). Real processes, real signals. */
#include <pwd.h>
#include <sys/stat.h>

#include "server_harness.h"

TU_SUITE(lifecycle);

#define MSG_LEN 24

/* ---- the server side --------------------------------------------------------------------- */

typedef struct {
    int mode;
    int workers;
    int reactors;
    const char *settings[8][2];
    int sleep_ms;     /* receive handler sleeps this long first */
    int crash_worker; /* this worker id exits 3 at every start (-1: none) */
    bool user_timer;  /* each worker holds a timer of its own, released in workerExit */
} lc_cfg_t;

static int64_t lc_timer; /* the worker's user timer (user_timer), in each worker */
static void lc_tick(swirl_loop_t *loop, int64_t id, void *user) {}

static void lc_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    const lc_cfg_t *c = user;
    int idx;
    if (ev->len >= 13 && sscanf(ev->data, "in flight %d", &idx) == 1)
        th_record("recv %d", idx);
    if (c->sleep_ms)
        usleep((useconds_t)c->sleep_ms * 1000);
    if (ev->len == 6 && memcmp(ev->data, "stopme", 6) == 0) {
        int rc = swirl_server_stop_worker(srv, ev->worker_id);
        th_record("stopme %d rc %d", ev->worker_id, rc);
        int bad = swirl_server_stop_worker(srv, 99);
        th_record("stop99 rc %d msg %s", bad, swirl_last_error_msg());
        swirl_server_send(srv, ev->fd, "stopping", 8);
        return;
    }
    if (ev->len == 6 && memcmp(ev->data, "reload", 6) == 0) {
        int rc = swirl_server_reload(srv, false);
        th_record("reload rc %d msg %s", rc, rc < 0 ? swirl_last_error_msg() : "");
        swirl_server_send(srv, ev->fd, "reloaded", 8);
        return;
    }
    if (swirl_server_send(srv, ev->fd, ev->data, ev->len) < 0)
        th_record("sendfail %s", swirl_last_error_msg());
}

static void lc_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    const lc_cfg_t *c = user;
    th_record("workerstart %d %d", ev->worker_id, (int)getpid());
    if (ev->worker_id == c->crash_worker)
        _exit(3);
    if (c->user_timer)
        lc_timer = swirl_timer_tick(swirl_server_loop(srv), 1000, lc_tick, NULL);
}

static void lc_worker_exit(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("workerexit %d %d", ev->worker_id, (int)getpid());
    if (lc_timer > 0) /* released: the worker may go */
        swirl_timer_clear(swirl_server_loop(srv), lc_timer);
    lc_timer = 0;
}

static void lc_worker_stop(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("workerstop %d %d", ev->worker_id, (int)getpid());
}

static void lc_worker_error(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("workererror %d %d %d %d", ev->worker_id, (int)ev->pid, ev->exit_code, ev->signo);
}

static void lc_configure(swirl_server_t *srv, void *arg) {
    lc_cfg_t *c = arg;
    char n[16];
    snprintf(n, sizeof(n), "%d", c->workers);
    swirl_server_set_text(srv, "worker_num", n);
    if (c->mode == SWIRL_MODE_PROCESS) {
        snprintf(n, sizeof(n), "%d", c->reactors ? c->reactors : 1);
        swirl_server_set_text(srv, "reactor_num", n);
    }
    for (int i = 0; i < 8 && c->settings[i][0]; i++)
        if (swirl_server_set_text(srv, c->settings[i][0], c->settings[i][1]) < 0)
            _exit(5);
    swirl_server_on(srv, "receive", lc_receive, c);
    swirl_server_on(srv, "workerStart", lc_worker_start, c);
    swirl_server_on(srv, "workerExit", lc_worker_exit, c);
    swirl_server_on(srv, "workerStop", lc_worker_stop, c);
    swirl_server_on(srv, "workerError", lc_worker_error, c);
}

/* ---- reading the event log ------------------------------------------------------------- */

/* The pids that ran worker `id`, in order; returns how many (up to max). */
static int worker_pids(const th_server_t *s, int id, int *pids, int max) {
    char *log = th_read_log(s);
    int n = 0;
    for (char *p = log; p && *p && n < max;) {
        int wid, pid;
        if (sscanf(p, "workerstart %d %d", &wid, &pid) == 2 && wid == id)
            pids[n++] = pid;
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    free(log);
    return n;
}

/* ---- clients that keep requests going -------------------------------------------------- */

/* `n` connections, each sending a numbered MSG_LEN-byte request as soon as
 * the last one's echo came back whole and checked. */
typedef struct {
    int fd;
    size_t got;
    bool waiting; /* a request is out */
    bool half;    /* only its first half is: the rest goes in the next round */
    long seq;
    char want[MSG_LEN + 1];
    char back[MSG_LEN];
} lc_client_t;

typedef struct {
    lc_client_t *c;
    int n;
    long sent, answered, errors;
    bool split; /* every other request is sent in two halves, rounds apart */
} lc_load_t;

/* A request ends with a newline, so a server splitting on "\n" (open_eof_split)
 * sees the same messages. */
static void lc_send_next(lc_load_t *l, lc_client_t *c, int i) {
    char head[64];
    int n = snprintf(head, sizeof(head), "c%03d req %ld ", i, c->seq++);
    memset(c->want, '.', MSG_LEN);
    memcpy(c->want, head, (size_t)n < MSG_LEN ? (size_t)n : MSG_LEN);
    c->want[MSG_LEN - 1] = '\n';
    c->want[MSG_LEN] = 0;
    c->got = 0;
    c->waiting = true;
    c->half = l->split && c->seq % 2 == 0;
    th_send_all(c->fd, c->want, c->half ? MSG_LEN / 2 : MSG_LEN);
    l->sent++;
}

static void lc_load_open(lc_load_t *l, int n, int port) {
    l->c = calloc((size_t)n, sizeof(lc_client_t));
    l->n = n;
    l->sent = l->answered = l->errors = 0;
    l->split = false;
    for (int i = 0; i < n; i++) {
        l->c[i].fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", port);
        lc_send_next(l, &l->c[i], i);
    }
}

/* Run the load for `ms`; `each` (if any) is called every `every_ms`. */
static void lc_load_run(lc_load_t *l, int ms, int every_ms, void (*each)(void *), void *arg) {
    struct pollfd *pf = calloc((size_t)l->n, sizeof(*pf));
    uint64_t end = swirl_clock_ms() + (uint64_t)ms, next = swirl_clock_ms() + (uint64_t)every_ms;
    bool stopping = false;
    for (int i = 0; i < l->n; i++)
        if (!l->c[i].waiting)
            lc_send_next(l, &l->c[i], i);
    for (;;) {
        uint64_t now = swirl_clock_ms();
        if (each && every_ms > 0 && now >= next && !stopping) {
            each(arg);
            next = now + (uint64_t)every_ms;
        }
        if (now >= end)
            stopping = true; /* collect the answers still owed, send nothing new */
        if (stopping && l->answered == l->sent)
            break;
        bool halves = false;
        for (int i = 0; i < l->n; i++) {
            if (l->c[i].half) { /* the rest of a request sent in two */
                th_send_all(l->c[i].fd, l->c[i].want + MSG_LEN / 2, MSG_LEN - MSG_LEN / 2);
                l->c[i].half = false;
                halves = true;
            }
            pf[i] = (struct pollfd){l->c[i].fd, POLLIN, 0};
        }
        int r = poll(pf, (nfds_t)l->n, 10000);
        cr_assert(r > 0 || halves, "no answer for 10 s (%ld sent, %ld answered)", l->sent,
                  l->answered);
        for (int i = 0; i < l->n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            lc_client_t *c = &l->c[i];
            ssize_t k = recv(c->fd, c->back + c->got, MSG_LEN - c->got, MSG_DONTWAIT);
            if (k <= 0) {
                l->errors++;
                cr_assert_fail("client %d: connection %s after %ld answers", i,
                               k == 0 ? "closed" : strerror(errno), l->answered);
            }
            c->got += (size_t)k;
            if (c->got < MSG_LEN)
                continue;
            cr_assert_eq(memcmp(c->back, c->want, MSG_LEN), 0,
                         "client %d: got \"%.24s\" for \"%s\"", i, c->back, c->want);
            l->answered++;
            c->waiting = false;
            if (!stopping)
                lc_send_next(l, c, i);
        }
    }
    free(pf);
}

static void lc_load_close(lc_load_t *l) {
    for (int i = 0; i < l->n; i++)
        close(l->c[i].fd);
    free(l->c);
}

/* ---- a worker killed, a worker crashing at start ---------------------------------------- */

Test(lifecycle, killed_worker_is_replaced_and_reported, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 2, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    lc_load_t l;
    lc_load_open(&l, 4, s.port);
    lc_load_run(&l, 100, 0, NULL, NULL);
    int pids[8];
    cr_assert_eq(worker_pids(&s, 0, pids, 8), 1);
    cr_assert_eq(kill(pids[0], SIGKILL), 0);
    uint64_t t0 = swirl_clock_ms();
    cr_assert(th_wait_lines(&s, "workerstart 0 ", 2, 5000), "worker 0 was not replaced");
    uint64_t took = swirl_clock_ms() - t0;
    char want[64];
    snprintf(want, sizeof(want), "workererror 0 %d 0 9", pids[0]);
    cr_assert(th_wait_lines(&s, want, 1, 2000), "workerError did not report pid %d, signal 9",
              pids[0]);
    cr_log_info("worker 0 replaced %llu ms after kill -9", (unsigned long long)took);
    /* the connections (held by the reactor) go on */
    lc_load_run(&l, 300, 0, NULL, NULL);
    cr_assert_eq(l.errors, 0);
    lc_load_close(&l);
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, worker_crashing_at_start_is_restarted_with_backoff, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 2, .crash_worker = 1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    usleep(3000 * 1000);
    int starts = th_count_lines(&s, "workerstart 1 ");
    /* back-off 0.1, 0.2, 0.4, 0.8, 1.6 s: about 5 starts in 3 s, not thousands */
    cr_assert_geq(starts, 3, "worker 1 was not restarted (%d starts)", starts);
    cr_assert_leq(starts, 8, "fork storm: %d starts of a crashing worker in 3 s", starts);
    cr_assert_geq(th_count_lines(&s, "workererror 1 "), starts - 1);
    /* the other worker serves meanwhile (dispatch by connection: try a few) */
    int served = 0;
    for (int i = 0; i < 8; i++) {
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        struct timeval tv = {0, 300000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        th_send_all(fd, "ping", 4);
        char b[4];
        served += th_recv_upto(fd, b, 4) == 4;
        close(fd);
    }
    cr_assert_gt(served, 0, "the healthy worker answered nothing");
    cr_assert_eq(th_stop(&s), 0, "the master stays up and stops cleanly");
}

/* ---- reload and max_request under load ---------------------------------------------------- */

static void send_usr1(void *arg) { kill(*(pid_t *)arg, SIGUSR1); }

Test(lifecycle, reload_under_load_loses_nothing, .timeout = 120) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS,
                    .workers = 3,
                    .reactors = 2,
                    .crash_worker = -1,
                    .user_timer = true};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 3, 5000));
    lc_load_t l;
    lc_load_open(&l, 20, s.port);
    /* ten SIGUSR1, one every 200 ms, while 20 clients keep sending */
    lc_load_run(&l, 2100, 200, send_usr1, &s.pid);
    lc_load_run(&l, 500, 0, NULL, NULL); /* the last reload finishes under load too */
    cr_log_info("reload under load: %ld requests sent, %ld answered, %ld errors", l.sent,
                l.answered, l.errors);
    cr_assert_eq(l.answered, l.sent);
    cr_assert_eq(l.errors, 0);
    for (int id = 0; id < 3; id++) {
        int pids[64];
        int n = worker_pids(&s, id, pids, 64);
        cr_assert_geq(n, 2, "worker %d was never replaced", id);
        for (int k = 1; k < n; k++)
            cr_assert_neq(pids[k], pids[0], "worker %d: same pid after reload", id);
    }
    cr_assert_eq(th_count_lines(&s, "workererror"), 0, "a reload is not an error");
    cr_assert_geq(th_count_lines(&s, "workerexit"), 3, "workerExit runs on reload");
    cr_assert_eq(th_count_lines(&s, "sendfail"), 0);
    lc_load_close(&l);
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, max_request_rotates_workers_without_loss, .timeout = 120) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS,
                    .workers = 2,
                    .crash_worker = -1,
                    /* exactly every 100 requests (no random grace) */
                    .settings = {{"max_request", "100"}, {"max_request_grace", "0"}}};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    lc_load_t l;
    lc_load_open(&l, 10, s.port);
    while (l.sent < 1200)
        lc_load_run(&l, 200, 0, NULL, NULL);
    cr_assert_eq(l.answered, l.sent);
    int starts = th_count_lines(&s, "workerstart");
    cr_assert_geq(starts, 2 + 1200 / 100 - 2, "workers did not rotate: %d starts", starts);
    cr_assert_eq(th_count_lines(&s, "workererror"), 0);
    lc_load_close(&l);
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, reload_in_base_mode_replaces_workers, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_BASE, .workers = 2, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "reload", 6);
    char b[8];
    th_recv_exact(fd, b, 8); /* the answer is written before the worker goes */
    cr_assert_eq(memcmp(b, "reloaded", 8), 0);
    cr_assert(th_wait_lines(&s, "workerstart", 4, 5000), "both workers replaced");
    cr_assert(th_wait_lines(&s, "reload rc 0", 1, 1000));
    /* the connection went to the new worker, which answers on it */
    th_send_all(fd, "hello", 5);
    th_recv_exact(fd, b, 5);
    cr_assert_eq(memcmp(b, "hello", 5), 0);
    close(fd);
    /* and the new ones serve new connections */
    fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "hello", 5);
    th_recv_exact(fd, b, 5);
    close(fd);
    cr_assert_eq(th_stop(&s), 0);
}

/* BASE mode: a stopping worker hands its connections to its successor, so
 * clients that keep their connections busy across reloads lose nothing —
 * no connection closed under them, every request answered. Half of the
 * requests are sent in two halves (a round apart): with framing, a stopping
 * worker may hold the first half, which goes along with the connection. */
static void reload_base_under_load(bool framed) {
    lc_cfg_t cfg = {
        .mode = SWIRL_MODE_BASE,
        .workers = 2,
        .crash_worker = -1,
        .settings = {{"open_eof_split", framed ? "true" : "false"}, {"package_eof", "\n"}}};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    lc_load_t l;
    lc_load_open(&l, 64, s.port);
    l.split = framed;
    /* seven SIGUSR1, one every 300 ms, while 64 clients keep sending */
    lc_load_run(&l, 2100, 300, send_usr1, &s.pid);
    lc_load_run(&l, 500, 0, NULL, NULL);
    cr_log_info("BASE reload under load: %ld requests sent, %ld answered, %ld errors", l.sent,
                l.answered, l.errors);
    cr_assert_eq(l.answered, l.sent);
    cr_assert_eq(l.errors, 0);
    for (int id = 0; id < 2; id++) {
        int pids[64];
        cr_assert_geq(worker_pids(&s, id, pids, 64), 2, "worker %d was never replaced", id);
    }
    cr_assert_eq(th_count_lines(&s, "workererror"), 0, "a reload is not an error");
    cr_assert_eq(th_count_lines(&s, "sendfail"), 0);
    lc_load_close(&l);
    cr_assert_eq(th_stop(&s), 0);
}

/* beforeReload and afterReload (the manager) around a reload's
 * replacements, beforeShutdown (the master) before the workers stop. */
static void lc_before_reload(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("beforereload");
}
static void lc_after_reload(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("afterreload");
}
static void lc_before_shutdown(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("beforeshutdown");
}
static void lc_configure_reload_events(swirl_server_t *srv, void *arg) {
    lc_configure(srv, arg);
    cr_assert_eq(swirl_server_on(srv, "beforeReload", lc_before_reload, NULL), 0);
    cr_assert_eq(swirl_server_on(srv, "onAfterReload", lc_after_reload, NULL), 0);
    cr_assert_eq(swirl_server_on(srv, "BeforeShutdown", lc_before_shutdown, NULL), 0);
}

Test(lifecycle, reload_and_shutdown_events, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 2, .crash_worker = -1};
    th_server_t s =
        th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure_reload_events, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    cr_assert_eq(kill(s.pid, SIGUSR1), 0);
    cr_assert(th_wait_lines(&s, "afterreload", 1, 10000));
    cr_assert_eq(kill(s.pid, SIGTERM), 0);
    cr_assert(th_wait_lines(&s, "beforeshutdown", 1, 10000));
    cr_assert(th_wait_lines(&s, "workerstop", 4, 10000)); /* 2 of the reload, 2 of the end */
    char *log = th_read_log(&s);
    char *before = strstr(log, "beforereload"), *after = strstr(log, "afterreload");
    cr_assert(before && after && before < after, "%s", log);
    /* both workers stopped between the two (the new ones start meanwhile or just after) */
    int stops = 0;
    for (char *p = before; (p = strstr(p, "workerstop")) && p < after; p++)
        stops++;
    cr_assert_eq(stops, 2, "%s", log);
    char *shut = strstr(log, "beforeshutdown");
    cr_assert(shut && shut > after, "%s", log);
    cr_assert(strstr(shut, "workerstop"), "the workers stop after beforeShutdown: %s", log);
    free(log);
    /* SIGTERM was sent: a second one (th_stop) could come after start()
     * returned, when the process and its signals are the caller's again */
    int code = th_finish(&s, 0);
    cr_assert_eq(code, 0, "exit code after SIGTERM: %d", code);
}

/* Swoole's workerExit rule: it runs while a stopping worker's loop holds
 * something of the user's (a timer here), until that is released; a worker
 * that holds nothing of the user's stops without it. Both modes. */
Test(lifecycle, worker_exit_runs_while_the_user_holds_a_timer, .timeout = 60) {
    lc_cfg_t cfg = {
        .mode = SWIRL_MODE_PROCESS, .workers = 2, .crash_worker = -1, .user_timer = true};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    cr_assert_eq(kill(s.pid, SIGUSR1), 0);
    cr_assert(th_wait_lines(&s, "workerstart", 4, 10000));
    cr_assert(th_wait_lines(&s, "workerstop", 2, 10000));
    /* each stopped worker ran workerExit once: it released its timer then */
    cr_assert_eq(th_count_lines(&s, "workerexit"), 2);
    cr_assert_eq(th_count_lines(&s, "workerstop"), 2);
    cr_assert_eq(th_stop(&s), 0);
}

static void worker_exit_skipped(int mode) {
    lc_cfg_t cfg = {.mode = mode, .workers = 2, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    cr_assert_eq(kill(s.pid, SIGUSR1), 0);
    cr_assert(th_wait_lines(&s, "workerstart", 4, 10000));
    cr_assert(th_wait_lines(&s, "workerstop", 2, 10000));
    cr_assert_eq(th_count_lines(&s, "workerexit"), 0, "nothing of the user's: no workerExit");
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, worker_exit_is_skipped_when_the_user_holds_nothing_process, .timeout = 60) {
    worker_exit_skipped(SWIRL_MODE_PROCESS);
}

Test(lifecycle, worker_exit_is_skipped_when_the_user_holds_nothing_base, .timeout = 60) {
    worker_exit_skipped(SWIRL_MODE_BASE);
}

/* A SIGTERM that comes while the master shuts down (a second one from an
 * impatient supervisor; here from onShutdown itself, deterministically) is
 * one more request to stop, never the default action once the master's
 * signals are given back: the master ends normally, exit status 0. */
static void lc_term_again(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("shutdown");
    kill(getpid(), SIGTERM);
}
static void lc_configure_term_again(swirl_server_t *srv, void *arg) {
    lc_configure(srv, arg);
    cr_assert_eq(swirl_server_on(srv, "shutdown", lc_term_again, NULL), 0);
}

Test(lifecycle, a_second_sigterm_during_shutdown_is_not_fatal, .timeout = 30) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 1, .crash_worker = -1};
    th_server_t s =
        th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure_term_again, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 1, 5000));
    cr_assert_eq(th_finish(&s, SIGTERM), 0, "the master ended by the second SIGTERM");
}

/* swirl_server_set_master_loop: a timer already in the caller's loop runs
 * in the master (PROCESS); refused once started is checked by the API. */
static void lc_premade_tick(swirl_loop_t *loop, int64_t id, void *user) {
    th_record("premade %d", (int)getpid());
}
static void lc_configure_master_loop(swirl_server_t *srv, void *arg) {
    lc_configure(srv, arg);
    swirl_loop_t *loop; /* in the server's child: no Criterion calls */
    if (swirl_loop_new(&loop) < 0 || swirl_timer_tick(loop, 20, lc_premade_tick, NULL) <= 0 ||
        swirl_server_set_master_loop(srv, loop) < 0)
        _exit(5);
}

Test(lifecycle, master_runs_the_callers_loop, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 1, .crash_worker = -1};
    th_server_t s =
        th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure_master_loop, &cfg);
    cr_assert(th_wait_lines(&s, "premade", 3, 10000));
    char *log = th_read_log(&s), want[32];
    snprintf(want, sizeof want, "premade %d", (int)s.pid);
    cr_assert(strstr(log, want), "the timer runs in the master (%d): %s", (int)s.pid, log);
    free(log);
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, reload_in_base_mode_keeps_connections_under_load, .timeout = 120) {
    reload_base_under_load(false);
}

Test(lifecycle, reload_in_base_mode_keeps_framed_connections_under_load, .timeout = 120) {
    reload_base_under_load(true);
}

/* BASE mode with enable_reuse_port: each worker but 0 accepts on its own
 * SO_REUSEPORT socket, to which the kernel keeps sending new connections
 * while the worker stops. Those sockets belong to the master, so a
 * connection queued on one while its worker is replaced waits for the
 * successor instead of being reset. Clients connect, ask once and close,
 * again and again, across reloads. */
Test(lifecycle, reload_with_reuse_port_resets_no_new_connection, .timeout = 120) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_BASE,
                    .workers = 2,
                    .crash_worker = -1,
                    .settings = {{"enable_reuse_port", "true"}}};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    enum { N = 16 };
    uint64_t end = swirl_clock_ms() + 2100, next = swirl_clock_ms() + 300;
    long done = 0;
    while (swirl_clock_ms() < end) {
        if (swirl_clock_ms() >= next) {
            kill(s.pid, SIGUSR1);
            next = swirl_clock_ms() + 300;
        }
        int fds[N];
        for (int i = 0; i < N; i++)
            fds[i] = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        for (int i = 0; i < N; i++) {
            char msg[16], back[16];
            int n = snprintf(msg, sizeof(msg), "n%ld\n", done + i);
            th_send_all(fds[i], msg, (size_t)n);
            size_t got = th_recv_upto(fds[i], back, (size_t)n);
            cr_assert_eq(got, (size_t)n, "connection %ld: %zu of %d bytes back (%s)", done + i, got,
                         n, errno ? strerror(errno) : "closed");
            cr_assert_eq(memcmp(back, msg, (size_t)n), 0);
            close(fds[i]);
        }
        done += N;
    }
    cr_log_info("reuse_port reload: %ld connections answered", done);
    for (int id = 0; id < 2; id++) {
        int pids[64];
        cr_assert_geq(worker_pids(&s, id, pids, 64), 2, "worker %d was never replaced", id);
    }
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, stop_worker_restarts_one_and_bad_calls_are_errors, .timeout = 60) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 2, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "stopme", 6);
    char b[8];
    th_recv_exact(fd, b, 8);
    cr_assert(th_wait_lines(&s, "workerstart", 3, 5000), "a new worker started");
    cr_assert(th_wait_lines(&s, "stop99 rc", 1, 1000));
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "stopme") && strstr(log, " rc 0"), "%s", log);
    cr_assert(strstr(log, "stop worker 99: expected 0..1"), "%s", log);
    free(log);
    th_send_all(fd, "still", 5); /* PROCESS mode: the connection outlives its worker */
    th_recv_exact(fd, b, 5);
    cr_assert_eq(memcmp(b, "still", 5), 0);
    close(fd);
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, reload_without_manager_is_a_clear_error, .timeout = 30) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_BASE, .workers = 1, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "reload", 6);
    char b[8];
    th_recv_exact(fd, b, 8);
    close(fd);
    cr_assert(th_wait_lines(&s, "reload rc", 1, 2000));
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "no manager process"), "%s", log);
    free(log);
    cr_assert_eq(th_stop(&s), 0);
}

/* ---- shutdown ---------------------------------------------------------------------------- */

static void shutdown_in_flight(int mode) {
    char pid_path[128];
    tu_tmp_path(pid_path, sizeof(pid_path), "pid");
    lc_cfg_t cfg = {.mode = mode,
                    .workers = 4,
                    .reactors = 2,
                    .sleep_ms = 200,
                    .crash_worker = -1,
                    .settings = {{"pid_file", pid_path}, {"max_wait_time", "20"}}};
    th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    /* the pid file names the master */
    FILE *f = fopen(pid_path, "r");
    cr_assert_not_null(f, "pid file %s missing", pid_path);
    int pid = 0;
    cr_assert_eq(fscanf(f, "%d", &pid), 1);
    fclose(f);
    cr_assert_eq(pid, s.pid);
    /* 50 requests, each taking 200 ms in a worker */
    enum { N = 50 };
    int fds[N];
    char msg[N][MSG_LEN + 1];
    for (int i = 0; i < N; i++) {
        fds[i] = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        snprintf(msg[i], sizeof(msg[i]), "in flight %03d .........", i);
        th_send_all(fds[i], msg[i], MSG_LEN);
    }
    /* every worker is busy with one; the rest wait in the server (or, on a
     * very slow machine, still in the kernel: those are not in flight) */
    cr_assert(th_wait_lines(&s, "recv ", 4, 10000));
    usleep(100000);
    cr_assert_eq(kill(s.pid, SIGTERM), 0);
    int answered = 0;
    bool ok[N];
    for (int i = 0; i < N; i++) {
        char back[MSG_LEN];
        struct timeval tv = {25, 0};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        errno = 0;
        size_t got = th_recv_upto(fds[i], back, MSG_LEN);
        ok[i] = got == MSG_LEN && memcmp(back, msg[i], MSG_LEN) == 0;
        answered += ok[i];
        if (!ok[i]) /* not answered: then closed deliberately, never left hanging */
            cr_assert(got == 0 && errno != EAGAIN && errno != EWOULDBLOCK,
                      "request %d: %zu bytes, then %s", i, got, strerror(errno));
        close(fds[i]);
    }
    /* every request a worker started was answered */
    for (int i = 0; i < N; i++) {
        char want[32];
        snprintf(want, sizeof(want), "recv %d\n", i);
        char *log = th_read_log(&s);
        bool started = strstr(log, want) != NULL;
        free(log);
        cr_assert(!started || ok[i], "request %d reached a worker but got no answer", i);
    }
    cr_log_info("SIGTERM with %d requests sent: %d answered", N, answered);
    cr_assert_geq(answered, 4);
    int code = th_finish(&s, 0); /* SIGTERM was sent: a second one could come after start
                                  * returned, when the process is the caller's again */
    cr_assert_eq(code, 0, "exit code after SIGTERM: %d", code);
    struct stat st;
    cr_assert_neq(stat(pid_path, &st), 0, "the pid file is removed at exit");
}

Test(lifecycle, sigterm_answers_requests_in_flight_process, .timeout = 90) {
    shutdown_in_flight(SWIRL_MODE_PROCESS);
}

Test(lifecycle, sigterm_answers_requests_in_flight_base, .timeout = 90) {
    shutdown_in_flight(SWIRL_MODE_BASE);
}

Test(lifecycle, kill9_of_the_master_leaves_no_process, .timeout = 30) {
    /* orphans come to this process, which reaps them: a dead process must
     * not linger as a zombie of the group (this machine's pid 1 may never
     * reap), so "still in the group" means "still running" */
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 3, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 3, 5000));
    pid_t pgid = s.pid;
    cr_assert_eq(kill(s.pid, SIGKILL), 0);
    uint64_t t0 = swirl_clock_ms();
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        if (kill(-pgid, 0) != 0 || swirl_clock_ms() - t0 >= 1000)
            break;
        usleep(5000);
    }
    bool left = kill(-pgid, 0) == 0;
    if (left)
        kill(-pgid, SIGKILL);
    cr_assert_not(left, "swirl processes still alive 1 s after kill -9 of the master");
    cr_log_info("all gone %llu ms after kill -9", (unsigned long long)(swirl_clock_ms() - t0));
    unlink(s.log);
}

/* ---- log reopening ------------------------------------------------------------------------ */

static bool file_has(const char *path, const char *needle, int ms) {
    for (int i = 0; i <= ms / 10; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            char buf[8192];
            size_t n = fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
            buf[n] = 0;
            if (strstr(buf, needle))
                return true;
        }
        usleep(10000);
    }
    return false;
}

Test(lifecycle, sigrtmin_reopens_the_log_file, .timeout = 30) {
    char log_path[128], rotated[160];
    tu_tmp_path(log_path, sizeof(log_path), "log");
    snprintf(rotated, sizeof(rotated), "%s.1", log_path);
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS,
                    .workers = 2,
                    .crash_worker = -1,
                    /* "shutting down" is a DEBUG line */
                    .settings = {{"log_file", log_path}, {"log_level", "debug"}}};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, lc_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 5000));
    cr_assert_eq(rename(log_path, rotated), 0); /* what logrotate does */
    cr_assert_eq(kill(s.pid, SIGRTMIN), 0);
    struct stat st;
    for (int i = 0; i < 200 && stat(log_path, &st) != 0; i++)
        usleep(10000);
    cr_assert_eq(stat(log_path, &st), 0, "the log file was not reopened");
    usleep(100000); /* the manager too */
    kill(s.pid, SIGUSR1);
    cr_assert(file_has(log_path, "Server is reloading all workers now", 5000),
              "the manager still writes to the rotated file");
    cr_assert_eq(th_stop(&s), 0);
    cr_assert(file_has(log_path, "shutting down", 1000), "the master writes to the new file");
    unlink(log_path);
    unlink(rotated);
}

/* ---- user, group, chroot ------------------------------------------------------------------ */

static void whoami_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char out[64];
    int n = snprintf(out, sizeof(out), "uid %d gid %d", (int)getuid(), (int)getgid());
    swirl_server_send(srv, ev->fd, out, (size_t)n);
}

static void whoami_configure(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "2");
    swirl_server_set_text(srv, "user", (const char *)arg);
    swirl_server_on(srv, "receive", whoami_receive, NULL);
}

Test(lifecycle, workers_run_as_the_configured_user, .timeout = 30) {
    struct passwd *pw = getpwnam("nobody");
    if (geteuid() != 0 || !pw) {
        cr_skip_test("needs root and a \"nobody\" user to switch to");
        return;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, whoami_configure, "nobody");
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "who", 3);
    char out[64] = {0};
    cr_assert_gt(recv(fd, out, sizeof(out) - 1, 0), 0); /* one small reply */
    char want[64];
    snprintf(want, sizeof(want), "uid %d gid %d", (int)uid, (int)gid);
    cr_assert_str_eq(out, want);
    close(fd);
    cr_assert_eq(th_stop(&s), 0, "the master (still root) stops everything");
}

Test(lifecycle, bad_user_group_chroot_are_clear_errors, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP), 0);
    swirl_server_on(srv, "receive", whoami_receive, NULL);
    cr_assert_eq(swirl_server_set_text(srv, "user", "no-such-user-xyz"), 0);
    cr_assert_eq(swirl_server_start(srv), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "user \"no-such-user-xyz\""), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_server_set_text(srv, "user", ""), 0);
    cr_assert_eq(swirl_server_set_text(srv, "group", "no-such-group-xyz"), 0);
    cr_assert_eq(swirl_server_start(srv), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "group \"no-such-group-xyz\""), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_server_set_text(srv, "group", ""), 0);
    cr_assert_eq(swirl_server_set_text(srv, "chroot", "/no/such/dir"), 0);
    cr_assert_eq(swirl_server_start(srv), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "chroot \"/no/such/dir\": not a directory"), "%s",
              swirl_last_error_msg());
    swirl_server_free(srv);
}

/* ---- user processes ------------------------------------------------------------------------ */

static void proc_forever(swirl_server_t *srv, int id, void *user) {
    th_record("proc %d %d", id, (int)getpid());
    for (;;)
        pause(); /* SIGTERM (default action) ends it */
}

static void proc_brief(swirl_server_t *srv, int id, void *user) {
    /* 1 worker, no task worker: user process `id` is process 1 + id; its pid
     * must be in the table as soon as it runs, each restart included */
    bool listed = swirl_server_worker_pid(srv, 1 + id) == getpid();
    th_record("brief %d %d %s", id, (int)getpid(), listed ? "listed" : "unlisted");
}

static void procs_configure(swirl_server_t *srv, void *arg) {
    lc_cfg_t *c = arg;
    lc_configure(srv, c);
    if (swirl_server_add_process(srv, proc_forever, NULL) != 0 ||
        swirl_server_add_process(srv, proc_brief, NULL) != 1)
        _exit(7);
}

Test(lifecycle, user_processes_are_supervised, .timeout = 30) {
    lc_cfg_t cfg = {.mode = SWIRL_MODE_PROCESS, .workers = 1, .crash_worker = -1};
    th_server_t s = th_start("127.0.0.1", 0, cfg.mode, SWIRL_SOCK_TCP, procs_configure, &cfg);
    cr_assert(th_wait_lines(&s, "proc 0 ", 1, 5000), "the user process did not start");
    char *log = th_read_log(&s);
    int pid = 0;
    sscanf(strstr(log, "proc 0 "), "proc 0 %d", &pid);
    free(log);
    cr_assert_gt(pid, 0);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    cr_assert(th_wait_lines(&s, "proc 0 ", 2, 5000), "the killed user process was not restarted");
    usleep(2000 * 1000);
    int brief = th_count_lines(&s, "brief 1 ");
    /* exits at once every time: restarted, with back-off (0.1, 0.2, 0.4, 0.8 s...) */
    cr_assert_geq(brief, 2, "not restarted: %d runs", brief);
    cr_assert_leq(brief, 8, "restart storm: %d runs in 2 s", brief);
    cr_assert_eq(th_count_lines(&s, "unlisted"), 0,
                 "a user process ran before swirl_server_worker_pid gave its pid");
    /* the server serves meanwhile */
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "hello", 5);
    char b[5];
    th_recv_exact(fd, b, 5);
    close(fd);
    cr_assert_eq(th_stop(&s), 0, "stops, user processes included (none left behind)");
}

/* A process object as a user process: workers write to it through its pipe. */
static swirl_process_t *relay_proc;

static void relay_main(swirl_process_t *p, void *user) {
    th_record("relay up %d", (int)getpid());
    char buf[256];
    ssize_t n;
    while ((n = swirl_process_read(p, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = 0;
        th_record("relay got %s", buf);
    }
}

static void relay_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_process_write(relay_proc, ev->data, ev->len);
    swirl_server_send(srv, ev->fd, "ok", 2);
}

static void relay_configure(swirl_server_t *srv, void *arg) {
    swirl_server_set_text(srv, "worker_num", "2");
    swirl_server_on(srv, "receive", relay_receive, NULL);
    if (swirl_process_new(&relay_proc, relay_main, NULL, false, SWIRL_PIPE_DGRAM) != 0 ||
        swirl_server_add_process_object(srv, relay_proc) != 0)
        _exit(7);
}

static void relay_say(int port, const char *msg) {
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", port);
    th_send_all(fd, msg, strlen(msg));
    char b[2];
    th_recv_exact(fd, b, 2);
    close(fd);
}

Test(lifecycle, a_process_object_as_user_process_hears_the_workers, .timeout = 30) {
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, relay_configure, NULL);
    cr_assert(th_wait_lines(&s, "relay up ", 1, 5000), "the user process did not start");
    relay_say(s.port, "first");
    cr_assert(th_wait_lines(&s, "relay got first", 1, 5000), "a worker's write did not arrive");
    char *log = th_read_log(&s);
    int pid = 0;
    sscanf(strstr(log, "relay up "), "relay up %d", &pid);
    free(log);
    cr_assert_gt(pid, 0);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    cr_assert(th_wait_lines(&s, "relay up ", 2, 5000), "not restarted");
    relay_say(s.port, "second");
    cr_assert(th_wait_lines(&s, "relay got second", 1, 5000), "the pipe died with the process");
    cr_assert_eq(th_stop(&s), 0);
}

Test(lifecycle, add_process_object_bad_calls, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_add_process_object(srv, NULL), SWIRL_EBADARG);
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, relay_main, NULL, false, SWIRL_PIPE_NONE), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_gt(pid, 0);
    cr_assert_eq(swirl_server_add_process_object(srv, p), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "already started"));
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    swirl_process_free(p);
    /* one object runs one process: added twice is refused */
    cr_assert_eq(swirl_process_new(&p, relay_main, NULL, false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_server_add_process_object(srv, p), 0);
    cr_assert_eq(swirl_server_add_process_object(srv, p), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "already added (user process 0)"), "%s",
              swirl_last_error_msg());
    swirl_server_free(srv);
    swirl_process_free(p);
}

Test(lifecycle, unknown_socket_type_with_ssl_is_named, .timeout = 10) {
    swirl_server_t *srv = NULL;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE,
                                  (swirl_sock_type_t)(99 | SWIRL_SOCK_SSL)),
                 SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "socket type 99"), "%s", swirl_last_error_msg());
    cr_assert_null(srv);
}

Test(lifecycle, add_process_bad_calls, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_add_process(srv, NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "add_process: no function"));
    for (int i = 0; i < 64; i++)
        cr_assert_eq(swirl_server_add_process(srv, proc_brief, NULL), i);
    cr_assert_eq(swirl_server_add_process(srv, proc_brief, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "at most 64"), "%s", swirl_last_error_msg());
    swirl_server_free(srv);
}
