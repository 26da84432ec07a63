/* tests/integration/test_redis.c — the Redis client (swirl/redis.h) against
 * a real redis-server each test starts on a free port and a private Unix
 * socket (killed in teardown), and against small fake servers (forked
 * children) that break the protocol, truncate, stall or close. */
#include <arpa/inet.h>
#include <swirl/redis.h>

#include "client_test.h"

TU_SUITE(redis);

#define REDIS "/usr/bin/redis-server"

/* ---- the server ------------------------------------------------------------------------------ */

typedef struct {
    pid_t pid;
    int port;
    char dir[128];
    char sock[200];
} srv_t;

static srv_t S;

static void srv_start_on(srv_t *s, int port, const char *pass) {
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    char *argv[32] = {REDIS, "--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly",
                      "no", "--daemonize", "no", "--unixsocket", s->sock, "--dir", s->dir, "--enable-debug-command", "yes", NULL};
    int n = 17;
    if (pass) {
        argv[n++] = "--requirepass";
        argv[n++] = (char *)pass;
        argv[n] = NULL;
    }
    s->port = port;
    s->pid = tc_spawn(argv, NULL);
    if (!tc_wait_port(s->pid, port)) {
        tc_kill(s->pid);
        s->pid = 0;
        cr_assert_fail("redis-server did not start on port %d", port);
    }
    for (int i = 0; i < 500 && access(s->sock, F_OK) != 0; i++)
        usleep(10000);
}

static void srv_start(srv_t *s, const char *pass) {
    if (access(REDIS, X_OK) != 0)
        cr_skip_test("%s is missing (apt-get install redis-server)", REDIS);
    tu_tmp_path(s->dir, sizeof(s->dir), "redis");
    cr_assert_eq(mkdir(s->dir, 0700), 0);
    snprintf(s->sock, sizeof(s->sock), "%s/redis.sock", s->dir);
    srv_start_on(s, tc_free_port(), pass);
}

static void srv_stop(srv_t *s) {
    if (s->pid > 0)
        tc_kill(s->pid);
    s->pid = 0;
    if (s->dir[0]) {
        unlink(s->sock);
        rmdir(s->dir);
        s->dir[0] = 0;
    }
}

static void teardown(void) { srv_stop(&S); }

/* ---- helpers --------------------------------------------------------------------------------- */

typedef struct {
    int calls;
    int status;
    int type;
    long long integer;
    char str[256];
    size_t len;
    size_t count;
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
    x->type = swirl_redis_reply_type(rep);
    x->integer = swirl_redis_reply_integer(rep);
    x->count = swirl_redis_reply_count(rep);
    size_t len;
    const char *s = swirl_redis_reply_str(rep, &len);
    if (s) {
        x->len = len;
        memcpy(x->str, s, len < sizeof(x->str) - 1 ? len : sizeof(x->str) - 1);
        x->str[len < sizeof(x->str) - 1 ? len : sizeof(x->str) - 1] = 0;
    }
}

typedef struct {
    int connects, disconnects, closes;
    int last_status;
} evs_t;

static void on_ev(swirl_redis_t *r, int ev, int status, void *user) {
    (void)r;
    evs_t *e = user;
    e->last_status = status;
    if (ev == SWIRL_REDIS_EV_CONNECT)
        e->connects += status == 0;
    else if (ev == SWIRL_REDIS_EV_DISCONNECT)
        e->disconnects++;
    else if (ev == SWIRL_REDIS_EV_CLOSE)
        e->closes++;
    if (ev == SWIRL_REDIS_EV_CONNECT && status < 0)
        e->closes++;
}

/* Run the loop until *flag >= want (or 20 s pass: then fail). */
static void run_until(swirl_loop_t *loop, const int *flag, int want) {
    for (int i = 0; i < 20000 && *flag < want; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_geq(*flag, want, "waited in vain (%d of %d)", *flag, want);
}

static void cmd(swirl_redis_t *r, res_t *x, const char *a0, const char *a1, const char *a2) {
    const char *argv[3] = {a0, a1, a2};
    int argc = a2 ? 3 : a1 ? 2 : 1;
    int rc = swirl_redis_command(r, argc, argv, NULL, on_res, x);
    cr_assert_eq(rc, 0, "%s: %s", a0, swirl_last_error_msg());
}

static swirl_redis_t *client(swirl_loop_t *loop, const swirl_redis_options_t *o, evs_t *e,
                             bool unix_sock) {
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, o), 0);
    swirl_redis_set_event_cb(r, on_ev, e);
    if (unix_sock)
        cr_assert_eq(swirl_redis_connect_unix(r, S.sock), 0);
    else
        cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", S.port), 0);
    return r;
}

/* ---- basic ----------------------------------------------------------------------------------- */

static void basic_over(bool unix_sock) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, unix_sock);
    res_t set = {0}, get = {0}, nil = {0}, incr = {0}, err = {0}, lr = {0}, bin = {0};
    cmd(r, &set, "SET", "k", "hello"); /* queued until connected */
    run_until(loop, &e.connects, 1);
    cmd(r, &get, "GET", "k", NULL);
    cmd(r, &nil, "GET", "nothing", NULL);
    cmd(r, &incr, "INCR", "n", NULL);
    cmd(r, &err, "NOSUCHCOMMAND", NULL, NULL);
    const char *rp[4] = {"RPUSH", "l", "a", "b"};
    res_t push = {0};
    cr_assert_eq(swirl_redis_command(r, 4, rp, NULL, on_res, &push), 0);
    cmd(r, &lr, "LRANGE", "l", "0");
    const char *bs[3] = {"SET", "bin", "a\0b\r\nc"};
    size_t bl[3] = {3, 3, 6};
    res_t bset = {0};
    cr_assert_eq(swirl_redis_command(r, 3, bs, bl, on_res, &bset), 0);
    cmd(r, &bin, "GET", "bin", NULL);
    run_until(loop, &bin.calls, 1);
    cr_assert_eq(set.status, 0);
    cr_assert_eq(set.type, SWIRL_REDIS_STATUS);
    cr_assert_str_eq(set.str, "OK");
    cr_assert_eq(get.type, SWIRL_REDIS_STRING);
    cr_assert_str_eq(get.str, "hello");
    cr_assert_eq(nil.type, SWIRL_REDIS_NIL);
    cr_assert_eq(incr.type, SWIRL_REDIS_INTEGER);
    cr_assert_eq(incr.integer, 1);
    cr_assert_eq(err.status, 0, "an error reply is a reply");
    cr_assert_eq(err.type, SWIRL_REDIS_ERROR);
    cr_assert(strstr(err.str, "unknown command"), "%s", err.str);
    cr_assert_eq(lr.type, SWIRL_REDIS_ERROR, "LRANGE needs 3 arguments: %s", lr.str);
    cr_assert_eq(push.integer, 2);
    cr_assert_eq(bin.len, 6);
    cr_assert_eq(memcmp(bin.str, "a\0b\r\nc", 6), 0);
    cr_assert_eq(swirl_redis_pending(r), 0);
    cr_assert_eq(swirl_redis_state(r), SWIRL_REDIS_READY);
    cr_assert_geq(swirl_redis_fd(r), 0);
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing is left in the loop");
    swirl_loop_free(loop);
}

Test(redis, basic_tcp, .fini = teardown, .timeout = 60) { basic_over(false); }
Test(redis, basic_unix, .fini = teardown, .timeout = 60) { basic_over(true); }

Test(redis, arrays_and_bad_calls, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, NULL), 0);
    res_t x = {0};
    const char *get[2] = {"GET", "k"};
    cr_assert_eq(swirl_redis_command(r, 2, get, NULL, on_res, &x), SWIRL_ESTATE, "not connected");
    cr_assert_eq(swirl_redis_connect(r, "", 1), SWIRL_EBADADDR);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", 70000), SWIRL_EBADPORT);
    cr_assert(strstr(swirl_last_error_msg(), "70000"), "%s", swirl_last_error_msg());
    swirl_redis_set_event_cb(r, on_ev, &e);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", S.port), 0);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", S.port), SWIRL_ESTATE);
    cr_assert_eq(swirl_redis_command(r, 0, get, NULL, on_res, &x), SWIRL_EBADARG);
    cr_assert_eq(swirl_redis_command(r, 2, get, NULL, NULL, NULL), SWIRL_EBADARG);
    const char *mon[1] = {"monitor"};
    cr_assert_eq(swirl_redis_command(r, 1, mon, NULL, on_res, &x), SWIRL_ENOTSUP);
    cr_assert_eq(swirl_redis_subscribe(r, false, "c", 1), SWIRL_EBADARG, "no message callback");
    run_until(loop, &e.connects, 1);
    const char *rp[5] = {"RPUSH", "l", "a", "", "c"};
    res_t push = {0}, lr = {0};
    cr_assert_eq(swirl_redis_command(r, 5, rp, NULL, on_res, &push), 0);
    cmd(r, &lr, "LRANGE", "l", "0");
    /* a nested array: MULTI/EXEC gives an array of replies */
    res_t m = {0}, q1 = {0}, q2 = {0}, ex = {0};
    cmd(r, &m, "MULTI", NULL, NULL);
    cmd(r, &q1, "INCR", "z", NULL);
    const char *lrange[4] = {"LRANGE", "l", "0", "-1"};
    cr_assert_eq(swirl_redis_command(r, 4, lrange, NULL, on_res, &q2), 0);
    cr_assert_eq(swirl_redis_command(r, 1, (const char *[]){"EXEC"}, NULL, on_res, &ex), 0);
    run_until(loop, &ex.calls, 1);
    cr_assert_eq(push.integer, 3);
    cr_assert_eq(ex.type, SWIRL_REDIS_ARRAY);
    cr_assert_eq(ex.count, 2);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* Walks EXEC's reply (checked in a callback: replies live only there). */
static void on_exec(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)r;
    int *ok = user;
    cr_assert_eq(status, 0);
    const swirl_redis_reply_t *list = swirl_redis_reply_element(rep, 1);
    cr_assert_eq(swirl_redis_reply_type(swirl_redis_reply_element(rep, 0)), SWIRL_REDIS_INTEGER);
    cr_assert_eq(swirl_redis_reply_count(list), 3);
    size_t len = 9;
    cr_assert_str_eq(swirl_redis_reply_str(swirl_redis_reply_element(list, 0), NULL), "a");
    cr_assert_str_eq(swirl_redis_reply_str(swirl_redis_reply_element(list, 1), &len), "");
    cr_assert_eq(len, 0);
    cr_assert_null(swirl_redis_reply_element(list, 3));
    cr_assert_null(swirl_redis_reply_str(list, &len));
    cr_assert_eq(len, 0);
    *ok = 1;
}

Test(redis, reply_view_of_nested_arrays, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    const char *rp[5] = {"RPUSH", "l", "a", "", "c"};
    res_t x = {0}, m = {0}, q1 = {0}, q2 = {0};
    cr_assert_eq(swirl_redis_command(r, 5, rp, NULL, on_res, &x), 0);
    cmd(r, &m, "MULTI", NULL, NULL);
    cmd(r, &q1, "INCR", "z", NULL);
    const char *lrange[4] = {"LRANGE", "l", "0", "-1"};
    cr_assert_eq(swirl_redis_command(r, 4, lrange, NULL, on_res, &q2), 0);
    int ok = 0;
    cr_assert_eq(swirl_redis_command(r, 1, (const char *[]){"EXEC"}, NULL, on_exec, &ok), 0);
    run_until(loop, &ok, 1);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- pipelining -------------------------------------------------------------------------------- */

typedef struct {
    int next; /* the INCR value the next reply must carry */
    int bad;
} seq_t;

static void on_seq(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)r;
    seq_t *s = user;
    if (status != 0 || swirl_redis_reply_integer(rep) != s->next)
        s->bad++;
    s->next++;
}

Test(redis, ten_thousand_pipelined, .fini = teardown, .timeout = 120) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    run_until(loop, &e.connects, 1);
    seq_t s = {.next = 1};
    const char *argv[2] = {"INCR", "counter"};
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_seq, &s), 0);
    cr_assert_eq(swirl_redis_pending(r), 10000);
    run_until(loop, &s.next, 10001);
    cr_assert_eq(s.bad, 0, "replies out of order or failed: %d", s.bad);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- pub/sub across two processes ------------------------------------------------------------ */

typedef struct {
    int n;
    int subs;
    char last_kind[16];
    char last_chan[64];
    char last_pattern[64];
    char last_payload[64];
} msgs_t;

static void on_msg(swirl_redis_t *r, const swirl_redis_reply_t *m, void *user) {
    (void)r;
    msgs_t *x = user;
    const char *kind = swirl_redis_reply_str(swirl_redis_reply_element(m, 0), NULL);
    snprintf(x->last_kind, sizeof(x->last_kind), "%s", kind);
    if (strcmp(kind, "message") == 0) {
        snprintf(x->last_chan, sizeof(x->last_chan), "%s",
                 swirl_redis_reply_str(swirl_redis_reply_element(m, 1), NULL));
        snprintf(x->last_payload, sizeof(x->last_payload), "%s",
                 swirl_redis_reply_str(swirl_redis_reply_element(m, 2), NULL));
        x->n++;
    } else if (strcmp(kind, "pmessage") == 0) {
        snprintf(x->last_pattern, sizeof(x->last_pattern), "%s",
                 swirl_redis_reply_str(swirl_redis_reply_element(m, 1), NULL));
        snprintf(x->last_chan, sizeof(x->last_chan), "%s",
                 swirl_redis_reply_str(swirl_redis_reply_element(m, 2), NULL));
        snprintf(x->last_payload, sizeof(x->last_payload), "%s",
                 swirl_redis_reply_str(swirl_redis_reply_element(m, 3), NULL));
        x->n++;
    } else if (strstr(kind, "subscribe")) {
        x->subs++;
    }
}

/* The publisher: a child with a loop and a client of its own; publishes
 * until someone listens, then `count` messages; exits 0 when all went. */
static pid_t fork_publisher(const char *chan, int count) {
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid != 0)
        return pid;
    swirl_loop_t *loop;
    if (swirl_loop_new(&loop) != 0)
        _exit(2);
    swirl_redis_t *r;
    evs_t e = {0};
    if (swirl_redis_new(&r, loop, NULL) != 0 || swirl_redis_connect(r, "127.0.0.1", S.port) != 0)
        _exit(3);
    swirl_redis_set_event_cb(r, on_ev, &e);
    for (int i = 0; i < 20000 && e.connects < 1; i++)
        swirl_loop_run_once(loop, 1);
    for (int tries = 0; tries < 2000; tries++) { /* until the subscriber is there */
        res_t x = {0};
        const char *argv[3] = {"PUBLISH", chan, "hello?"};
        swirl_redis_command(r, 3, argv, NULL, on_res, &x);
        while (x.calls == 0)
            swirl_loop_run_once(loop, 10);
        if (x.integer >= 1)
            break;
        usleep(10000);
    }
    res_t last = {0};
    for (int i = 0; i < count; i++) {
        char p[32];
        snprintf(p, sizeof(p), "m%d", i);
        const char *argv[3] = {"PUBLISH", chan, p};
        swirl_redis_command(r, 3, argv, NULL, on_res, &last);
    }
    for (int i = 0; i < 20000 && last.calls < count; i++)
        swirl_loop_run_once(loop, 1);
    swirl_redis_free(r);
    swirl_loop_free(loop);
    _exit(last.calls == count ? 0 : 4);
}

Test(redis, pubsub_across_processes, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    msgs_t m = {0};
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, NULL), 0);
    swirl_redis_set_event_cb(r, on_ev, &e);
    swirl_redis_set_message_cb(r, on_msg, &m);
    cr_assert_eq(swirl_redis_subscribe(r, false, "news", 4), 0, "before connect: sent at connect");
    cr_assert_eq(swirl_redis_subscribe(r, false, "news", 4), 0, "twice is once");
    cr_assert_eq(swirl_redis_subscriptions(r), 1);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", S.port), 0);
    run_until(loop, &m.subs, 1);
    const char *ps[2] = {"PSUBSCRIBE", "ne*"};
    cr_assert_eq(swirl_redis_command(r, 2, ps, NULL, NULL, NULL), 0);
    run_until(loop, &m.subs, 2);
    res_t x = {0};
    const char *get[2] = {"GET", "k"};
    cr_assert_eq(swirl_redis_command(r, 2, get, NULL, on_res, &x), SWIRL_ESTATE,
                 "only (un)subscribe while subscribed");
    pid_t pub = fork_publisher("news", 50);
    /* each message comes twice: by the channel and by the pattern */
    run_until(loop, &m.n, 100);
    int st = 0;
    cr_assert_eq(waitpid(pub, &st, 0), pub);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "publisher exit %d", st);
    cr_assert_str_eq(m.last_payload, "m49");
    cr_assert_str_eq(m.last_chan, "news");
    cr_assert_eq(swirl_redis_unsubscribe(r, false, "other", 5), -ENOENT);
    cr_assert_eq(swirl_redis_unsubscribe(r, false, NULL, 0), 0);
    cr_assert_eq(swirl_redis_unsubscribe(r, true, "ne*", 3), 0);
    run_until(loop, &m.subs, 4);
    cr_assert_eq(swirl_redis_subscriptions(r), 0);
    cr_assert_str_eq(m.last_kind, "punsubscribe");
    /* plain commands again */
    cr_assert_eq(swirl_redis_command(r, 2, get, NULL, on_res, &x), 0);
    run_until(loop, &x.calls, 1);
    cr_assert_eq(x.type, SWIRL_REDIS_NIL);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- a restart mid-stream -------------------------------------------------------------------- */

typedef struct {
    res_t first, again;
} reissue_t;

/* Fails with the connection, and sends a command again from its callback:
 * that one waits for the next connection. */
static void on_reissue(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    reissue_t *x = user;
    on_res(r, status, rep, &x->first);
    const char *argv[2] = {"INCR", "again"};
    cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_res, &x->again), 0, "%s",
                 swirl_last_error_msg());
}

Test(redis, server_restart_reconnects, .fini = teardown, .timeout = 90) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.reconnect_min = 0.05;
    o.reconnect_max = 0.2;
    o.database = 2;
    evs_t e = {0}, es = {0};
    msgs_t m = {0};
    swirl_redis_t *r = client(loop, &o, &e, false);
    swirl_redis_t *sub;
    cr_assert_eq(swirl_redis_new(&sub, loop, &o), 0);
    swirl_redis_set_event_cb(sub, on_ev, &es);
    swirl_redis_set_message_cb(sub, on_msg, &m);
    cr_assert_eq(swirl_redis_subscribe(sub, false, "ch", 2), 0);
    cr_assert_eq(swirl_redis_connect(sub, "127.0.0.1", S.port), 0);
    run_until(loop, &e.connects, 1);
    run_until(loop, &m.subs, 1);
    /* commands in flight when the server dies: a slow one, then more */
    res_t slow = {0}, after[5] = {{0}};
    cmd(r, &slow, "DEBUG", "SLEEP", "2");
    for (int i = 0; i < 5; i++)
        cmd(r, &after[i], "INCR", "x", NULL);
    reissue_t re = {0};
    const char *ping[1] = {"PING"};
    cr_assert_eq(swirl_redis_command(r, 1, ping, NULL, on_reissue, &re), 0);
    for (int i = 0; i < 20; i++)
        swirl_loop_run_once(loop, 5); /* let them go out */
    kill(-S.pid, SIGKILL);
    waitpid(S.pid, NULL, 0);
    run_until(loop, &after[4].calls, 1);
    cr_assert_eq(slow.calls, 1);
    cr_assert_eq(slow.status, SWIRL_ECLOSED, "%d %s", slow.status, slow.err);
    cr_assert(strstr(slow.err, "127.0.0.1"), "names the server: %s", slow.err);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(after[i].status, SWIRL_ECLOSED);
    run_until(loop, &e.disconnects, 1);
    /* issued while the server is down: queued */
    res_t queued = {0};
    cmd(r, &queued, "SET", "y", "1");
    cr_assert_eq(swirl_redis_state(r), SWIRL_REDIS_RECONNECTING);
    unlink(S.sock);
    srv_start_on(&S, S.port, NULL);
    run_until(loop, &e.connects, 2);
    run_until(loop, &queued.calls, 1);
    cr_assert_eq(queued.status, 0, "%s", queued.err);
    cr_assert_str_eq(queued.str, "OK");
    cr_assert_eq(after[0].calls, 1, "each pending callback once");
    cr_assert_eq(re.first.status, SWIRL_ECLOSED);
    run_until(loop, &re.again.calls, 1);
    cr_assert_eq(re.again.status, 0, "sent again from a failing callback: %s", re.again.err);
    cr_assert_eq(re.again.integer, 1);
    /* the subscription came back (after SELECT 2: pub/sub is not per db) */
    run_until(loop, &es.connects, 2);
    run_until(loop, &m.subs, 2);
    res_t pub = {0};
    cmd(r, &pub, "PUBLISH", "ch", "back");
    run_until(loop, &m.n, 1);
    cr_assert_str_eq(m.last_payload, "back");
    res_t get = {0};
    cmd(r, &get, "GET", "y", NULL);
    run_until(loop, &get.calls, 1);
    cr_assert_str_eq(get.str, "1", "SELECT 2 again after the reconnect");
    swirl_redis_free(sub);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- AUTH and SELECT ------------------------------------------------------------------------- */

Test(redis, auth_right_and_wrong, .fini = teardown, .timeout = 60) {
    srv_start(&S, "s3cret");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.password = "s3cret";
    o.password_len = 6;
    evs_t e = {0};
    swirl_redis_t *r = client(loop, &o, &e, true);
    res_t x = {0};
    cmd(r, &x, "SET", "a", "1");
    run_until(loop, &x.calls, 1);
    cr_assert_eq(x.status, 0);
    cr_assert_str_eq(x.str, "OK");
    swirl_redis_free(r);

    o.password = "wrong";
    o.password_len = 5;
    evs_t e2 = {0};
    swirl_redis_t *w = client(loop, &o, &e2, false);
    res_t y = {0};
    cmd(w, &y, "GET", "a", NULL);
    run_until(loop, &e2.closes, 1);
    cr_assert_eq(e2.last_status, -EACCES);
    cr_assert_eq(y.calls, 1);
    cr_assert_eq(y.status, -EACCES);
    cr_assert(strstr(y.err, "AUTH refused"), "%s", y.err);
    cr_assert_eq(swirl_redis_state(w), SWIRL_REDIS_CLOSED);
    swirl_redis_free(w);

    /* no password at all: the server's NOAUTH is a reply */
    evs_t e3 = {0};
    swirl_redis_t *n = client(loop, NULL, &e3, false);
    res_t z = {0};
    cmd(n, &z, "GET", "a", NULL);
    run_until(loop, &z.calls, 1);
    cr_assert_eq(z.type, SWIRL_REDIS_ERROR);
    cr_assert(strstr(z.str, "NOAUTH"), "%s", z.str);
    swirl_redis_free(n);
    swirl_loop_free(loop);
}

Test(redis, select_database, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.database = 3;
    evs_t e = {0}, e0 = {0}, eb = {0};
    swirl_redis_t *r3 = client(loop, &o, &e, false);
    swirl_redis_t *r0 = client(loop, NULL, &e0, false);
    res_t s = {0}, g3 = {0}, g0 = {0};
    cmd(r3, &s, "SET", "where", "three");
    cmd(r3, &g3, "GET", "where", NULL);
    run_until(loop, &g3.calls, 1);
    cmd(r0, &g0, "GET", "where", NULL);
    run_until(loop, &g0.calls, 1);
    cr_assert_str_eq(g3.str, "three");
    cr_assert_eq(g0.type, SWIRL_REDIS_NIL);
    o.database = 100000;
    swirl_redis_t *bad = client(loop, &o, &eb, false);
    run_until(loop, &eb.closes, 1);
    cr_assert_eq(eb.last_status, -EINVAL);
    cr_assert(strstr(swirl_redis_errmsg(bad), "SELECT refused"), "%s", swirl_redis_errmsg(bad));
    swirl_redis_free(bad);
    swirl_redis_free(r3);
    swirl_redis_free(r0);
    o.database = -2;
    swirl_redis_t *no;
    cr_assert_eq(swirl_redis_new(&no, loop, &o), SWIRL_EBADARG);
    swirl_loop_free(loop);
}

/* ---- timeouts -------------------------------------------------------------------------------- */

Test(redis, command_timeout_drops_and_reconnects, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.command_timeout = 0.3;
    o.reconnect_min = 0.05;
    evs_t e = {0};
    swirl_redis_t *r = client(loop, &o, &e, false);
    run_until(loop, &e.connects, 1);
    res_t slow = {0}, next = {0};
    cmd(r, &slow, "DEBUG", "SLEEP", "1");
    cmd(r, &next, "SET", "t", "1");
    run_until(loop, &next.calls, 1);
    cr_assert_eq(slow.status, -ETIMEDOUT);
    cr_assert(strstr(slow.err, "timed out"), "%s", slow.err);
    cr_assert_eq(next.status, SWIRL_ECLOSED, "dropped with the connection");
    run_until(loop, &e.connects, 2);
    /* the server may still be asleep (its backlog took the reconnect): a
     * GET may time out again, until it wakes */
    res_t ok = {0};
    for (int i = 0; i < 30 && (ok.calls == 0 || ok.status != 0); i++) {
        if (swirl_redis_state(r) != SWIRL_REDIS_READY) {
            int want = e.connects + 1;
            run_until(loop, &e.connects, want);
        }
        memset(&ok, 0, sizeof(ok));
        cmd(r, &ok, "GET", "t", NULL);
        run_until(loop, &ok.calls, 1);
    }
    cr_assert_eq(ok.status, 0, "%s", ok.err);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- fake servers ----------------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int port;
    bool drip; /* write the script one byte at a time */
} fake_t;

static fake_t F;

static void fake_stop(void) {
    if (F.pid > 0) {
        kill(F.pid, SIGKILL);
        waitpid(F.pid, NULL, 0);
    }
    F.pid = 0;
}

/* A server that answers the first read of each of `conns` connections with
 * `script` (len bytes), then closes it (`close_after`) or holds it open. */
static void fake_start(const char *script, size_t len, bool close_after, int conns) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(listen(lfd, 8), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
    F.port = ntohs(a.sin_port);
    F.pid = fork();
    cr_assert_geq(F.pid, 0);
    if (F.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int keep[16];
        for (int i = 0; i < conns && i < 16; i++) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0)
                _exit(1);
            char buf[4096];
            if (len && read(fd, buf, sizeof(buf)) <= 0)
                _exit(0);
            for (size_t off = 0; len && off < len; off += F.drip ? 1 : len) {
                if (write(fd, script + off, F.drip ? 1 : len) < 0)
                    _exit(1);
                if (F.drip)
                    usleep(1000);
            }
            if (close_after)
                close(fd);
            else
                keep[i] = fd;
        }
        (void)keep;
        pause();
        _exit(0);
    }
    close(lfd);
}

static void fake_teardown(void) { fake_stop(); }

/* One command against the fake; returns its result, the client freed. */
/* The client's handshake is a PING (no AUTH, no SELECT): the fake answers
 * it first, then the script goes on (len 0: no answer at all). */
#define PONG "+PONG\r\n"
static void fake_start_ponged(const char *script, size_t len, bool close_after, int conns) {
    char buf[4096];
    cr_assert_lt(len + 7, sizeof(buf));
    memcpy(buf, PONG, 7);
    memcpy(buf + 7, script, len);
    if (len)
        fake_start(buf, len + 7, close_after, conns);
    else
        fake_start("", 0, close_after, conns);
}

static res_t one_against_fake(const char *script, size_t len, bool close_after,
                              const swirl_redis_options_t *o, evs_t *e) {
    fake_start_ponged(script, len, close_after, 4);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, o), 0);
    swirl_redis_set_event_cb(r, on_ev, e);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    res_t x = {0};
    cmd(r, &x, "GET", "k", NULL);
    run_until(loop, &x.calls, 1);
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing left in the loop");
    swirl_loop_free(loop);
    fake_stop();
    return x;
}

Test(redis_hostile, bad_type_byte, .fini = fake_teardown, .timeout = 30) {
    evs_t e = {0};
    res_t x = one_against_fake("?what\r\n", 7, false, NULL, &e);
    cr_assert_eq(x.status, SWIRL_EPROTO, "%d %s", x.status, x.err);
    cr_assert(strstr(x.err, "protocol error"), "%s", x.err);
}

Test(redis_hostile, truncated_then_closed, .fini = fake_teardown, .timeout = 30) {
    evs_t e = {0};
    res_t x = one_against_fake("$10\r\nabc", 8, true, NULL, &e);
    cr_assert_eq(x.status, SWIRL_ECLOSED, "%d %s", x.status, x.err);
    cr_assert(strstr(x.err, "closed by the server"), "%s", x.err);
}

Test(redis_hostile, closed_before_any_reply, .fini = fake_teardown, .timeout = 30) {
    evs_t e = {0};
    res_t x = one_against_fake("", 0, true, NULL, &e);
    cr_assert_eq(x.status, SWIRL_ECLOSED, "%d %s", x.status, x.err);
}

Test(redis_hostile, two_replies_for_one_command, .fini = fake_teardown, .timeout = 30) {
    /* hiredis alone would assert() on the second */
    evs_t e = {0};
    res_t x = one_against_fake("+OK\r\n+EXTRA\r\n", 13, false, NULL, &e);
    cr_assert_eq(x.calls, 1);
    cr_assert_eq(x.status, 0);
    cr_assert_str_eq(x.str, "OK");
}

Test(redis_hostile, bad_lengths, .fini = fake_teardown, .timeout = 30) {
    evs_t e = {0};
    res_t x = one_against_fake("$-7\r\n", 5, false, NULL, &e);
    cr_assert_eq(x.status, SWIRL_EPROTO, "%d %s", x.status, x.err);
    x = one_against_fake("*2147483647\r\n", 13, false, NULL, &e);
    cr_assert_eq(x.status, SWIRL_EPROTO, "%d %s", x.status, x.err);
    cr_assert(strstr(x.err, "too long"), "%s", x.err);
    x = one_against_fake(":12x\r\n", 6, false, NULL, &e);
    cr_assert_eq(x.status, SWIRL_EPROTO, "%d %s", x.status, x.err);
    x = one_against_fake("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", 44,
                         false, NULL, &e);
    cr_assert_eq(x.status, SWIRL_EPROTO, "too deep: %d %s", x.status, x.err);
}

Test(redis_hostile, stalled_server_times_out, .fini = fake_teardown, .timeout = 30) {
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.command_timeout = 0.2;
    o.reconnect = false;
    evs_t e = {0};
    res_t x = one_against_fake(PONG, 7, false, &o, &e); /* a second PONG: the GET's answer stalls */
    cr_assert_eq(x.status, 0);
    memset(&e, 0, sizeof(e));
    x = one_against_fake("$5\r\nab", 6, false, &o, &e); /* part of a reply, then nothing */
    cr_assert_eq(x.status, -ETIMEDOUT, "%d %s", x.status, x.err);
    cr_assert_eq(e.closes, 1, "reconnect off: closed");
    memset(&e, 0, sizeof(e));
    x = one_against_fake("$2000000000\r\n", 13, false, &o, &e); /* a huge length, then nothing */
    cr_assert_eq(x.status, -ETIMEDOUT, "%d %s", x.status, x.err);
    memset(&e, 0, sizeof(e));
    o.command_timeout = 0;
    o.connect_timeout = 0.2;
    x = one_against_fake("", 0, false, &o, &e); /* not even the handshake's PING is answered */
    cr_assert_eq(x.status, -ETIMEDOUT, "%d %s", x.status, x.err);
    cr_assert_eq(e.closes, 1, "a first connect that fails closes");
}

Test(redis_hostile, stalled_handshake_is_a_connect_timeout, .fini = fake_teardown,
     .timeout = 30) {
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.connect_timeout = 0.2;
    o.password = "pw";
    o.password_len = 2;
    evs_t e = {0};
    fake_start("", 0, false, 1); /* accepts, never answers AUTH */
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    swirl_redis_set_event_cb(r, on_ev, &e);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    res_t x = {0};
    cmd(r, &x, "GET", "k", NULL);
    run_until(loop, &x.calls, 1);
    cr_assert_eq(x.status, -ETIMEDOUT);
    cr_assert_eq(e.last_status, -ETIMEDOUT);
    cr_assert(strstr(swirl_redis_errmsg(r), "connect timed out"), "%s", swirl_redis_errmsg(r));
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

Test(redis_hostile, refused_connect, .timeout = 30) {
    int hold;
    int port = tc_refusing_port(&hold);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_t *r;
    evs_t e = {0};
    cr_assert_eq(swirl_redis_new(&r, loop, NULL), 0);
    swirl_redis_set_event_cb(r, on_ev, &e);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", port), 0);
    cr_assert_eq(e.closes, 0, "never from inside connect");
    res_t x = {0};
    cmd(r, &x, "GET", "k", NULL);
    run_until(loop, &e.closes, 1);
    cr_assert_eq(e.last_status, -ECONNREFUSED, "%d %s", e.last_status, swirl_redis_errmsg(r));
    cr_assert_eq(x.status, -ECONNREFUSED);
    swirl_redis_free(r);
    swirl_loop_free(loop);
    close(hold);
}

/* Subscribed, the fake sends pub/sub replies of the wrong shape. */
static void sub_against_fake(const char *script, size_t len) {
    fake_start_ponged(script, len, false, 1);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.reconnect = false;
    swirl_redis_t *r;
    evs_t e = {0};
    msgs_t m = {0};
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    swirl_redis_set_event_cb(r, on_ev, &e);
    swirl_redis_set_message_cb(r, on_msg, &m);
    cr_assert_eq(swirl_redis_subscribe(r, false, "c", 1), 0);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    run_until(loop, &e.closes, 1);
    cr_assert_eq(e.last_status, SWIRL_EPROTO, "%d %s", e.last_status, swirl_redis_errmsg(r));
    cr_assert_geq(m.subs, 1, "the good confirmation came through");
    swirl_redis_free(r);
    swirl_loop_free(loop);
    fake_stop();
}

#define SUBOK "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"

Test(redis_hostile, pubsub_garbage, .fini = fake_teardown, .timeout = 60) {
    sub_against_fake(SUBOK "*1\r\n$7\r\nmessage\r\n", sizeof(SUBOK "*1\r\n$7\r\nmessage\r\n") - 1);
    sub_against_fake(SUBOK "*3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$1\r\nx\r\n",
                     sizeof(SUBOK "*3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$1\r\nx\r\n") - 1);
    sub_against_fake(SUBOK "*3\r\n:1\r\n$1\r\nc\r\n$1\r\nx\r\n",
                     sizeof(SUBOK "*3\r\n:1\r\n$1\r\nc\r\n$1\r\nx\r\n") - 1);
    sub_against_fake(SUBOK "+PONG\r\n", sizeof(SUBOK "+PONG\r\n") - 1);
    sub_against_fake(SUBOK "*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n$1\r\nx\r\n",
                     sizeof(SUBOK "*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n$1\r\nx\r\n") - 1);
    /* the server unsubscribes us by itself, then sends a message for the name */
    sub_against_fake(SUBOK "*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n"
                           "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n",
                     sizeof(SUBOK "*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n"
                                  "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n") - 1);
    sub_against_fake(SUBOK "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n*1\r\n:1\r\n",
                     sizeof(SUBOK "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n*1\r\n:1\r\n") - 1);
}

/* ---- freeing with commands in flight ------------------------------------------------------- */

typedef struct {
    int calls, cancelled, other;
} cnt_t;

static void on_count(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)r, (void)rep;
    cnt_t *c = user;
    c->calls++;
    if (status == -ECANCELED)
        c->cancelled++;
    else if (status != 0)
        c->other++;
}

Test(redis, free_with_commands_in_flight, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    cnt_t c = {0};
    const char *argv[3] = {"DEBUG", "SLEEP", "0.2"};
    /* queued (not connected yet) */
    for (int i = 0; i < 10; i++)
        cr_assert_eq(swirl_redis_command(r, 3, argv, NULL, on_count, &c), 0);
    run_until(loop, &e.connects, 1);
    for (int i = 0; i < 10; i++) /* sent */
        cr_assert_eq(swirl_redis_command(r, 3, argv, NULL, on_count, &c), 0);
    swirl_loop_run_once(loop, 0);
    swirl_redis_free(r);
    cr_assert_eq(c.calls, 20, "each callback once: %d", c.calls);
    cr_assert_eq(c.cancelled, 20);
    cr_assert_eq(e.closes, 0, "no event after free");
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

typedef struct {
    swirl_redis_t *r;
    cnt_t c;
    bool freed;
} freer_t;

static void free_inside(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    freer_t *f = user;
    on_count(r, status, rep, &f->c);
    if (!f->freed) {
        f->freed = true;
        swirl_redis_free(f->r); /* the others get their cancellation when this returns */
    }
}

Test(redis, free_inside_a_reply_callback, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    freer_t f = {0};
    f.r = client(loop, NULL, &e, false);
    run_until(loop, &e.connects, 1);
    const char *argv[2] = {"INCR", "q"};
    for (int i = 0; i < 50; i++)
        cr_assert_eq(swirl_redis_command(f.r, 2, argv, NULL, free_inside, &f), 0);
    run_until(loop, &f.c.calls, 50);
    cr_assert_eq(f.c.calls, 50);
    cr_assert_eq(f.c.cancelled, 49, "the first got its reply, the rest a cancellation");
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

static void close_inside(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    cnt_t *c = user;
    on_count(r, status, rep, c);
    swirl_redis_close(r);
    const char *argv[1] = {"PING"};
    cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_count, c), SWIRL_ESTATE);
}

Test(redis, close_inside_a_reply_callback, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    run_until(loop, &e.connects, 1);
    cnt_t c = {0};
    const char *argv[1] = {"PING"};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, close_inside, &c), 0);
    run_until(loop, &e.closes, 1);
    cr_assert_eq(c.calls, 5);
    cr_assert_eq(c.cancelled, 4);
    cr_assert_eq(e.last_status, 0);
    cr_assert_eq(swirl_redis_state(r), SWIRL_REDIS_CLOSED);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

Test(redis, queue_bound, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.queue_max = 3;
    evs_t e = {0};
    swirl_redis_t *r = client(loop, &o, &e, false);
    cnt_t c = {0};
    const char *argv[1] = {"PING"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_count, &c), 0);
    cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_count, &c), SWIRL_EQUEUEFULL);
    run_until(loop, &c.calls, 3);
    cr_assert_eq(c.other + c.cancelled, 0);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* ---- more attacks ------------------------------------------------------------------------------ */

Test(redis_hostile, replies_one_byte_at_a_time, .fini = fake_teardown, .timeout = 30) {
    F.drip = true;
    evs_t e = {0};
    res_t x = one_against_fake("*2\r\n$5\r\nhello\r\n:42\r\n", 20, false, NULL, &e);
    F.drip = false;
    cr_assert_eq(x.status, 0, "%d %s", x.status, x.err);
    cr_assert_eq(x.type, SWIRL_REDIS_ARRAY);
    cr_assert_eq(x.count, 2);
}

static void close_on_connect(swirl_redis_t *r, int ev, int status, void *user) {
    evs_t *e = user;
    on_ev(r, ev, status, user);
    if (ev == SWIRL_REDIS_EV_CONNECT && status == 0) {
        if (e->disconnects == 100)
            swirl_redis_free(r);
        else
            swirl_redis_close(r);
    }
}

Test(redis, close_or_free_inside_the_connect_event, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    for (int k = 0; k < 2; k++) {
        evs_t e = {.disconnects = k ? 100 : 0};
        swirl_redis_t *r;
        cr_assert_eq(swirl_redis_new(&r, loop, NULL), 0);
        swirl_redis_set_event_cb(r, close_on_connect, &e);
        cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", S.port), 0);
        res_t x = {0};
        cmd(r, &x, "GET", "k", NULL);
        run_until(loop, &e.connects, 1);
        cr_assert_eq(x.calls, 1);
        cr_assert_eq(x.status, -ECANCELED, "sent first, then cancelled: %d", x.status);
        if (k == 0) {
            cr_assert_eq(e.closes, 1);
            swirl_redis_free(r);
        }
        cr_assert_eq(swirl_loop_run(loop), 0, "nothing left");
    }
    swirl_loop_free(loop);
}

typedef struct {
    swirl_redis_t *r;
    int msgs;
} msgfree_t;

static void free_in_msg(swirl_redis_t *r, const swirl_redis_reply_t *m, void *user) {
    (void)m;
    msgfree_t *f = user;
    f->msgs++;
    swirl_redis_free(r);
}

Test(redis, free_inside_the_message_callback, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    msgfree_t f = {0};
    cr_assert_eq(swirl_redis_new(&f.r, loop, NULL), 0);
    swirl_redis_set_message_cb(f.r, free_in_msg, &f);
    cr_assert_eq(swirl_redis_subscribe(f.r, false, "a", 1), 0);
    cr_assert_eq(swirl_redis_subscribe(f.r, false, "b", 1), 0);
    cr_assert_eq(swirl_redis_connect(f.r, "127.0.0.1", S.port), 0);
    run_until(loop, &f.msgs, 1);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing left");
    cr_assert_eq(f.msgs, 1, "nothing after the free");
    swirl_loop_free(loop);
}

Test(redis, socket_is_close_on_exec_and_big_values_pass, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    cr_assert_eq(swirl_redis_fd(r), -1, "not connected yet");
    run_until(loop, &e.connects, 1);
    int fd = swirl_redis_fd(r);
    cr_assert_geq(fd, 0);
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    size_t big = 8u << 20;
    char *v = malloc(big);
    cr_assert_not_null(v);
    for (size_t i = 0; i < big; i++)
        v[i] = (char)(i * 7);
    const char *argv[3] = {"SET", "big", v};
    size_t lens[3] = {3, 3, big};
    res_t s = {0}, st = {0};
    cr_assert_eq(swirl_redis_command(r, 3, argv, lens, on_res, &s), 0);
    cmd(r, &st, "STRLEN", "big", NULL);
    run_until(loop, &st.calls, 1);
    cr_assert_eq(st.integer, (long long)big);
    free(v);
    swirl_redis_free(r);
    swirl_loop_free(loop);
}

/* A server that answers the handshake and hangs up, again and again: the
 * client reconnects with its back-off, pending commands fail once each,
 * and no descriptor is left when it is freed. */
Test(redis_hostile, reconnect_churn_leaks_nothing, .fini = fake_teardown, .timeout = 60) {
    TU_FD_BEGIN();
    fake_start(PONG, 7, true, 16);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.reconnect_min = 0.01;
    o.reconnect_max = 0.04;
    swirl_redis_t *r;
    evs_t e = {0};
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    swirl_redis_set_event_cb(r, on_ev, &e);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    cnt_t c = {0};
    const char *argv[1] = {"PING"};
    for (int round = 1; round <= 5; round++) {
        run_until(loop, &e.disconnects, round);
        /* queued while reconnecting: each fails once when its connection goes */
        cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_count, &c), 0);
    }
    run_until(loop, &e.disconnects, 8);
    cr_assert_geq(e.connects, 5);
    swirl_redis_free(r);
    cr_assert_eq(c.calls, 5, "each once: %d", c.calls);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
    fake_stop();
    TU_FD_END();
}

/* ---- the deferred flush --------------------------------------------------------------------- */
/* Commands issued inside the client's I/O callbacks go out in one write
 * deferred to the end of the loop iteration (no EPOLLOUT): the chain, the
 * batch and an unfinished (big) write from a reply callback; a free or a
 * lost connection between the issue and the flush. */

typedef struct {
    swirl_redis_t *r;
    int left;         /* INCRs still to chain */
    int calls, bad;   /* replies, wrong ones */
    long long expect; /* the next INCR value */
    int batch;        /* issue this many at once from the last reply */
    char *big;        /* a value to SET from a reply callback */
    size_t big_len;
    res_t big_set, big_len_res;
} chain_t;

static void on_chain(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    chain_t *c = user;
    c->calls++;
    if (status != 0 || swirl_redis_reply_type(rep) != SWIRL_REDIS_INTEGER ||
        swirl_redis_reply_integer(rep) != c->expect)
        c->bad++;
    c->expect++;
    const char *argv[2] = {"INCR", "chain"};
    if (c->left > 0) {
        c->left--;
        cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_chain, c), 0);
    } else if (c->batch > 0) {
        for (; c->batch > 0; c->batch--)
            cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_chain, c), 0);
        const char *set[3] = {"SET", "bigchain", c->big};
        size_t lens[3] = {3, 8, c->big_len};
        cr_assert_eq(swirl_redis_command(r, 3, set, lens, on_res, &c->big_set), 0);
        cmd(r, &c->big_len_res, "STRLEN", "bigchain", NULL);
    }
}

Test(redis, commands_from_reply_callbacks_chain_batch_and_big, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    run_until(loop, &e.connects, 1);
    chain_t c = {.r = r, .left = 199, .expect = 1, .batch = 16, .big_len = 4u << 20};
    c.big = malloc(c.big_len);
    cr_assert_not_null(c.big);
    memset(c.big, 'b', c.big_len);
    const char *argv[2] = {"INCR", "chain"};
    cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_chain, &c), 0);
    run_until(loop, &c.big_len_res.calls, 1);
    cr_assert_eq(c.calls, 216, "%d", c.calls);
    cr_assert_eq(c.bad, 0, "every INCR in order");
    cr_assert_eq(c.big_set.status, 0, "%s", c.big_set.err);
    cr_assert_eq(c.big_len_res.integer, (long long)c.big_len, "the big SET went out whole");
    cr_assert_eq(swirl_redis_pending(r), 0);
    free(c.big);
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing is left in the loop");
    swirl_loop_free(loop);
}

/* A reply callback issues commands, then frees (or closes) the client:
 * the flush is still pending; each command gets one cancellation. */
typedef struct {
    cnt_t c;
    bool done;
    bool close_only;
} issue_free_t;

static void issue_then_free(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep,
                            void *user) {
    issue_free_t *f = user;
    on_count(r, status, rep, &f->c);
    if (f->done)
        return;
    f->done = true;
    const char *argv[2] = {"INCR", "q"};
    for (int i = 0; i < 10; i++)
        cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, on_count, &f->c), 0);
    if (f->close_only)
        swirl_redis_close(r);
    else
        swirl_redis_free(r);
}

static void issue_then_free_over(bool close_only) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    run_until(loop, &e.connects, 1);
    issue_free_t f = {.close_only = close_only};
    const char *argv[1] = {"PING"};
    cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, issue_then_free, &f), 0);
    cr_assert_eq(swirl_redis_command(r, 1, argv, NULL, on_count, &f.c), 0);
    run_until(loop, &f.c.calls, 12);
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(f.c.calls, 12, "each callback once: %d", f.c.calls);
    cr_assert_eq(f.c.cancelled, 11, "the PING got its reply, the rest a cancellation");
    if (close_only) {
        cr_assert_eq(swirl_redis_state(r), SWIRL_REDIS_CLOSED);
        swirl_redis_free(r);
    }
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing is left in the loop");
    swirl_loop_free(loop);
    /* nothing reached the server: INCR q was never applied */
    swirl_redis_t *r2;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e2 = {0};
    r2 = client(loop, NULL, &e2, false);
    res_t g = {0};
    cmd(r2, &g, "GET", "q", NULL);
    run_until(loop, &g.calls, 1);
    cr_assert_eq(g.type, SWIRL_REDIS_NIL, "a cancelled command was written: %s", g.str);
    swirl_redis_free(r2);
    swirl_loop_free(loop);
}

Test(redis, free_right_after_issuing_in_a_reply_callback, .fini = teardown, .timeout = 60) {
    issue_then_free_over(false);
}

Test(redis, close_right_after_issuing_in_a_reply_callback, .fini = teardown, .timeout = 60) {
    issue_then_free_over(true);
}

/* The connection is lost between the issue and the flush: the server's
 * reply to the first command comes with the start of an element over
 * max_pending, so the client drops the connection after the reply
 * callbacks (which issued a second command) in the same I/O callback. The
 * second command fails once with SWIRL_ETOOBIG, the flush finds no
 * connection, and the next connection works. */
typedef struct {
    int calls, status;
    res_t second;
    bool issued;
} lost_t;

static void issue_second(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)rep;
    lost_t *l = user;
    l->calls++;
    l->status = status;
    if (!l->issued) {
        l->issued = true;
        cmd(r, &l->second, "GET", "second", NULL);
    }
}

static void first_on_connect(swirl_redis_t *r, int ev, int status, void *user) {
    lost_t *l = user;
    if (ev == SWIRL_REDIS_EV_CONNECT && status == 0 && !l->issued && l->calls == 0) {
        const char *argv[2] = {"GET", "first"};
        cr_assert_eq(swirl_redis_command(r, 2, argv, NULL, issue_second, l), 0);
    }
}

Test(redis_hostile, connection_lost_between_issue_and_flush, .fini = fake_teardown, .timeout = 30) {
    /* the PING's reply, then (in the same write) the first command's, then
     * an unfinished 1000-byte bulk: all read at once */
    char script[256];
    int n = snprintf(script, sizeof(script), "+OK\r\n$1000\r\n");
    memset(script + n, 'x', 100);
    fake_start_ponged(script, (size_t)n + 100, false, 4);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.max_pending = 32;
    o.reconnect_min = 0.01;
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    lost_t l = {0};
    swirl_redis_set_event_cb(r, first_on_connect, &l);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    run_until(loop, &l.second.calls, 1);
    cr_assert_eq(l.calls, 1);
    cr_assert_eq(l.status, 0, "the first command got its +OK");
    cr_assert_eq(l.second.status, SWIRL_ETOOBIG, "%d %s", l.second.status, l.second.err);
    for (int i = 0; i < 50; i++)
        swirl_loop_run_once(loop, 1);
    cr_assert_eq(l.second.calls, 1, "once");
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing left in the loop");
    swirl_loop_free(loop);
    fake_stop();
}

/* ---- the command formatter ------------------------------------------------------------------ */
/* Values of every length across the digit counts and the 512-byte stack
 * buffer (sent now) or queued (before connect), and a 21-argument command
 * without lengths: each comes back byte for byte. */

typedef struct {
    int calls, bad;
    const char *want;
    size_t want_len;
} echo_t;

static void on_echo(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)r;
    echo_t *x = user;
    x->calls++;
    size_t len;
    const char *s = status == 0 ? swirl_redis_reply_str(rep, &len) : NULL;
    if (!s || len != x->want_len || memcmp(s, x->want, len) != 0)
        x->bad++;
}

Test(redis, every_length_goes_out_byte_for_byte, .fini = teardown, .timeout = 60) {
    srv_start(&S, NULL);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    evs_t e = {0};
    swirl_redis_t *r = client(loop, NULL, &e, false);
    static const size_t sizes[] = {0,   1,   9,   10,  99,  100, 470, 480,  484,   485,
                                   486, 490, 500, 511, 512, 513, 999, 1000, 65536, 100000};
    enum { N = sizeof(sizes) / sizeof(sizes[0]) };
    char *v = malloc(100000);
    cr_assert_not_null(v);
    for (size_t i = 0; i < 100000; i++)
        v[i] = (char)(i % 7 == 0 ? '\r' : i % 5 == 0 ? '\n' : i % 3 == 0 ? 0 : 'a' + i % 26);
    echo_t got[2][N];
    res_t sets[2][N];
    memset(got, 0, sizeof(got));
    memset(sets, 0, sizeof(sets));
    for (int pass = 0; pass < 2; pass++) { /* 0: queued before connect, 1: sent now */
        if (pass == 1)
            run_until(loop, &e.connects, 1);
        for (size_t i = 0; i < N; i++) {
            char key[32];
            int kl = snprintf(key, sizeof(key), "len:%d:%zu", pass, sizes[i]);
            const char *set[3] = {"SET", key, v};
            size_t sl[3] = {3, (size_t)kl, sizes[i]};
            cr_assert_eq(swirl_redis_command(r, 3, set, sl, on_res, &sets[pass][i]), 0);
            const char *get[2] = {"GET", key};
            size_t gl[2] = {3, (size_t)kl};
            got[pass][i] = (echo_t){.want = v, .want_len = sizes[i]};
            cr_assert_eq(swirl_redis_command(r, 2, get, gl, on_echo, &got[pass][i]), 0);
        }
    }
    const char *rp[21] = {"RPUSH", "many"};
    char items[19][8];
    for (int i = 0; i < 19; i++) {
        snprintf(items[i], sizeof(items[i]), "i%d", i);
        rp[i + 2] = items[i];
    }
    res_t push = {0}, last = {0};
    cr_assert_eq(swirl_redis_command(r, 21, rp, NULL, on_res, &push), 0);
    cmd(r, &last, "LINDEX", "many", "18");
    run_until(loop, &last.calls, 1);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N; i++) {
            cr_assert_eq(sets[pass][i].status, 0, "SET of %zu: %s", sizes[i], sets[pass][i].err);
            cr_assert_eq(got[pass][i].calls, 1);
            cr_assert_eq(got[pass][i].bad, 0, "pass %d: a value of %zu bytes came back changed",
                         pass, sizes[i]);
        }
    cr_assert_eq(push.integer, 19);
    cr_assert_str_eq(last.str, "i18");
    free(v);
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

/* A server that answers the handshake and then reads nothing: a 16 MiB SET
 * issued from the connect event (inside the client's I/O callback: the
 * deferred flush) fills the socket, the rest waits for EPOLLOUT, and the
 * command times out once; the loop does not spin or hang. */
typedef struct {
    res_t set, after;
    char *v;
    size_t len;
} stall_t;

static void big_on_connect(swirl_redis_t *r, int ev, int status, void *user) {
    stall_t *s = user;
    if (ev != SWIRL_REDIS_EV_CONNECT || status != 0 || s->set.calls || s->v == NULL)
        return;
    const char *argv[3] = {"SET", "big", s->v};
    size_t lens[3] = {3, 3, s->len};
    cr_assert_eq(swirl_redis_command(r, 3, argv, lens, on_res, &s->set), 0);
    cmd(r, &s->after, "PING", NULL, NULL);
    s->v = NULL; /* once */
}

Test(redis_hostile, a_server_that_stops_reading_times_the_flush_out, .fini = fake_teardown,
     .timeout = 30) {
    fake_start(PONG, 7, false, 1);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_redis_options_t o;
    swirl_redis_options_init(&o);
    o.command_timeout = 0.3;
    o.reconnect = false;
    swirl_redis_t *r;
    cr_assert_eq(swirl_redis_new(&r, loop, &o), 0);
    stall_t s = {.len = 16u << 20};
    char *v = malloc(s.len);
    cr_assert_not_null(v);
    memset(v, 'v', s.len);
    s.v = v;
    swirl_redis_set_event_cb(r, big_on_connect, &s);
    cr_assert_eq(swirl_redis_connect(r, "127.0.0.1", F.port), 0);
    int polls = 0;
    for (; polls < 20000 && s.after.calls == 0; polls++)
        swirl_loop_run_once(loop, 1000);
    cr_assert_eq(s.set.status, -ETIMEDOUT, "%d %s", s.set.status, s.set.err);
    cr_assert_eq(s.set.calls, 1);
    cr_assert_eq(s.after.calls, 1);
    cr_assert_lt(polls, 1000, "the loop spun: %d iterations", polls);
    swirl_redis_free(r);
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing left in the loop");
    swirl_loop_free(loop);
    free(v);
    fake_stop();
}
