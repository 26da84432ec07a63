/* tests/integration/test_redis_attack.c — the Redis client against a hostile
 * server (redis_attack_server.py, port 0) that sends a reply element
 * without end or over max_pending: hiredis buffers an unfinished element
 * with no bound of its own, so the client drops the connection past
 * max_pending with SWIRL_ETOOBIG naming it, and the command's callback
 * gets it once. */
#include <errno.h>

#include <swirl/swirl.h>

#include "cli_harness.h"

#define PYTHON "/usr/bin/python3"

static child_t srv = {.pid = -1, .out = -1, .err = -1};

static void stop_server(void) {
    if (srv.pid > 0 || srv.out >= 0)
        reap(&srv);
    srv = (child_t){.pid = -1, .out = -1, .err = -1};
    tu_guard_fini();
}

TestSuite(redis_attack, .init = tu_guard_init, .fini = stop_server);

static int srv_start(const char *mode) {
    if (access(PYTHON, X_OK) != 0)
        cr_skip_test("%s is missing (apt-get install python3)", PYTHON);
    char *argv[] = {PYTHON, SWIRL_SOURCE_DIR "/tests/integration/redis_attack_server.py",
                    (char *)mode, NULL};
    srv = spawn(PYTHON, argv);
    char buf[128];
    read_until(srv.out, buf, sizeof(buf), "\n", 10000);
    char *at = strstr(buf, "PORT ");
    cr_assert(at, "the hostile server did not start: %s", buf);
    return atoi(at + 5);
}

typedef struct {
    int calls, status;
    size_t len;
    char err[400];
} res_t;

static void on_res(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    res_t *x = user;
    x->calls++;
    x->status = status;
    if (status < 0) {
        snprintf(x->err, sizeof(x->err), "%s", swirl_redis_errmsg(r));
        return;
    }
    swirl_redis_reply_str(rep, &x->len);
}

static res_t one(const char *mode) {
    int port = srv_start(mode);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.reconnect = false;
    o.max_pending = 1 << 20;
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", port), 0);
    res_t x = {0};
    const char *argv[] = {"GET", "k"};
    cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_res, &x), 0);
    for (int i = 0; i < 20000 && !x.calls; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(x.calls, 1, "%s: the callback ran %d times", mode, x.calls);
    swirl_redis_free(r);
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(x.calls, 1);
    swirl_loop_free(loop);
    stop_server();
    return x;
}

Test(redis_attack, a_reply_line_without_end_is_bounded_by_max_pending, .timeout = 60) {
    res_t x = one("endless-line");
    cr_assert_eq(x.status, SWIRL_ETOOBIG, "%d %s", x.status, x.err);
    cr_assert(strstr(x.err, "max_pending"), "%s", x.err);
}

Test(redis_attack, a_bulk_string_over_max_pending_is_refused, .timeout = 60) {
    res_t x = one("huge-bulk");
    cr_assert_eq(x.status, SWIRL_ETOOBIG, "%d %s", x.status, x.err);
    cr_assert(strstr(x.err, "max_pending"), "%s", x.err);
}

Test(redis_attack, a_bulk_string_under_max_pending_passes, .timeout = 60) {
    res_t x = one("ok-bulk");
    cr_assert_eq(x.status, 0, "%d %s", x.status, x.err);
    cr_assert_eq(x.len, 512u << 10);
}

/* The server answers, then resets the connection: a command issued from
 * that reply's callback goes out through the deferred flush into the
 * reset socket. It fails once with SWIRL_ECLOSED naming the reset, and the
 * process lives (SIGPIPE is left at its default here). */
typedef struct {
    res_t first, second;
} reset_t;

static void on_first_issue(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep,
                           void *user) {
    reset_t *t = user;
    on_res(r, status, rep, &t->first);
    usleep(20000); /* the reset most likely arrived: the write meets it */
    const char *argv[1] = {"PING"};
    cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_res, &t->second), 0);
}

Test(redis_attack, a_reset_after_a_reply_fails_the_next_command_once, .timeout = 60) {
    int port = srv_start("reset-after-reply");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.reconnect = false;
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", port), 0);
    reset_t t = {0};
    const char *argv[] = {"GET", "k"};
    cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_first_issue, &t), 0);
    for (int i = 0; i < 20000 && !t.second.calls; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(t.first.calls, 1);
    cr_assert_eq(t.first.status, 0, "%s", t.first.err);
    cr_assert_eq(t.second.calls, 1);
    cr_assert_eq(t.second.status, SWIRL_ECLOSED, "%d %s", t.second.status, t.second.err);
    cr_assert(strstr(t.second.err, "reset") || strstr(t.second.err, "closed"), "%s",
              t.second.err);
    swirl_redis_free(r);
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(t.second.calls, 1);
    swirl_loop_free(loop);
    stop_server();
}
