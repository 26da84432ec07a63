/* tests/integration/test_command.c — server commands (swirl_server_add_command,
 * swirl_server_command) on real processes: a request from the master (PROCESS
 * mode) or worker 0 (BASE mode) to the master itself, the manager, a worker
 * and a task worker, and back; the bad cases (unknown command, a type the
 * command does not take, an id out of range, a handler that fails, a reply
 * too big, a caller that may not ask, a reply that comes too late and must
 * not reach the next call). Each caller records its results in the event
 * log, which the test reads once the server has exited. */
#include "server_harness.h"

TU_SUITE(command);

/* "who": replies "<pid> <worker id>" from wherever it runs. */
static int cmd_who(swirl_server_t *srv, const char *name, const char *data, size_t len,
                   swirl_buf_t *reply, void *user) {
    char s[64];
    int n = snprintf(s, sizeof s, "%d %d", (int)getpid(), swirl_server_worker_id(srv));
    return swirl_buf_append(reply, s, (size_t)n);
}

static int cmd_echo(swirl_server_t *srv, const char *name, const char *data, size_t len,
                    swirl_buf_t *reply, void *user) {
    return swirl_buf_append(reply, data, len);
}

static int cmd_fail(swirl_server_t *srv, const char *name, const char *data, size_t len,
                    swirl_buf_t *reply, void *user) {
    return -1;
}

static int cmd_big(swirl_server_t *srv, const char *name, const char *data, size_t len,
                   swirl_buf_t *reply, void *user) {
    static char big[70000];
    return swirl_buf_append(reply, big, sizeof big);
}

/* Sleeps well past the caller's timeout, then replies. */
static int cmd_slow(swirl_server_t *srv, const char *name, const char *data, size_t len,
                    swirl_buf_t *reply, void *user) {
    usleep(500 * 1000);
    return swirl_buf_append(reply, "late", 4);
}

/* From a worker, a command may not be sent: replies the error code. */
static int cmd_nested(swirl_server_t *srv, const char *name, const char *data, size_t len,
                      swirl_buf_t *reply, void *user) {
    swirl_buf_t r;
    swirl_buf_init(&r);
    int rc = swirl_server_command(srv, "who", 0, SWIRL_COMMAND_MASTER, NULL, 0, &r, 1000);
    swirl_buf_destroy(&r);
    char s[32];
    int n = snprintf(s, sizeof s, "%d", rc);
    return swirl_buf_append(reply, s, (size_t)n);
}

static void noop(swirl_server_t *srv, const swirl_event_t *ev, void *user) {}

/* Run one command and record "<tag> <rc> <reply>". */
static void ask(swirl_server_t *srv, const char *tag, const char *name, int id, int type,
                const char *data, int timeout_ms) {
    swirl_buf_t r;
    swirl_buf_init(&r);
    int rc =
        swirl_server_command(srv, name, id, type, data, data ? strlen(data) : 0, &r, timeout_ms);
    th_record("%s %d %.*s", tag, rc, (int)swirl_buf_size(&r), (const char *)swirl_buf_bytes(&r));
    swirl_buf_destroy(&r);
}

static void run_all(swirl_server_t *srv) {
    ask(srv, "master", "who", 0, SWIRL_COMMAND_MASTER, NULL, 0);
    ask(srv, "manager", "who", 0, SWIRL_COMMAND_MANAGER, NULL, 0);
    ask(srv, "worker1", "who", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "task0", "who", 0, SWIRL_COMMAND_TASK_WORKER, NULL, 0);
    ask(srv, "echo", "echo", 1, SWIRL_COMMAND_EVENT_WORKER, "{\"a\":1}", 0);
    ask(srv, "unknown", "nope", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "wrongtype", "echo", 0, SWIRL_COMMAND_TASK_WORKER, NULL, 0);
    ask(srv, "twotypes", "who", 0, SWIRL_COMMAND_MASTER | SWIRL_COMMAND_MANAGER, NULL, 0);
    ask(srv, "range", "who", 2, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "negative", "who", -1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "taskrange", "who", 1, SWIRL_COMMAND_TASK_WORKER, NULL, 0);
    ask(srv, "fail", "fail", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "failmaster", "fail", 0, SWIRL_COMMAND_MASTER, NULL, 0);
    ask(srv, "big", "big", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "nested", "nested", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    ask(srv, "slow", "slow", 1, SWIRL_COMMAND_EVENT_WORKER, NULL, 50);
    /* the late "late" reply comes while this one waits: it must be dropped */
    ask(srv, "after", "echo", 1, SWIRL_COMMAND_EVENT_WORKER, "mine", 0);
    int rc = swirl_server_add_command(srv, "later", SWIRL_COMMAND_MASTER, cmd_who, NULL);
    th_record("addlater %d", rc);
}

static void add_all(swirl_server_t *srv) {
    int all = SWIRL_COMMAND_MASTER | SWIRL_COMMAND_MANAGER | SWIRL_COMMAND_EVENT_WORKER |
              SWIRL_COMMAND_TASK_WORKER;
    swirl_server_add_command(srv, "who", all, cmd_who, NULL);
    swirl_server_add_command(srv, "echo", SWIRL_COMMAND_EVENT_WORKER, cmd_echo, NULL);
    swirl_server_add_command(srv, "fail", all, cmd_fail, NULL);
    swirl_server_add_command(srv, "big", SWIRL_COMMAND_EVENT_WORKER, cmd_big, NULL);
    swirl_server_add_command(srv, "slow", SWIRL_COMMAND_EVENT_WORKER, cmd_slow, NULL);
    swirl_server_add_command(srv, "nested", SWIRL_COMMAND_EVENT_WORKER, cmd_nested, NULL);
    swirl_server_set(srv, "worker_num", swirl_value_int(2));
    swirl_server_set(srv, "task_worker_num", swirl_value_int(1));
    swirl_server_on(srv, "task", noop, NULL);
    swirl_server_on(srv, "receive", noop, NULL);
}

static void process_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    run_all(srv);
    swirl_server_shutdown(srv);
    th_on_start(srv, ev, user);
}

static void configure_process(swirl_server_t *srv, void *arg) {
    add_all(srv);
    swirl_server_on(srv, "start", process_start, NULL);
}

/* The log's line for `tag`, or "" (static). */
static const char *line_of(const char *log, const char *tag) {
    static char out[256];
    out[0] = 0;
    FILE *f = fopen(log, "r");
    if (!f)
        return out;
    char line[256];
    size_t n = strlen(tag);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, tag, n) == 0 && line[n] == ' ') {
            line[strcspn(line, "\n")] = 0;
            snprintf(out, sizeof out, "%s", line + n + 1);
            break;
        }
    fclose(f);
    return out;
}

static int rc_of(const char *log, const char *tag) { return atoi(line_of(log, tag)); }

/* "<rc> <pid> <worker id>" of a "who" reply. */
static void who_of(const char *log, const char *tag, int *pid, int *wid) {
    int rc = -1;
    *pid = *wid = -99;
    cr_assert_eq(sscanf(line_of(log, tag), "%d %d %d", &rc, pid, wid), 3, "%s: %s", tag,
                 line_of(log, tag));
    cr_assert_eq(rc, 0);
}

static void check_errors(const char *log) {
    cr_expect_str_eq(line_of(log, "echo"), "0 {\"a\":1}");
    cr_expect_eq(rc_of(log, "unknown"), SWIRL_ENOTFOUND);
    cr_expect_eq(rc_of(log, "wrongtype"), SWIRL_EBADARG);
    cr_expect_eq(rc_of(log, "twotypes"), SWIRL_EBADARG);
    cr_expect_eq(rc_of(log, "range"), SWIRL_EBADARG);
    cr_expect_eq(rc_of(log, "negative"), SWIRL_EBADARG);
    cr_expect_eq(rc_of(log, "taskrange"), SWIRL_EBADARG);
    cr_expect_eq(rc_of(log, "fail"), SWIRL_EPROTO);
    cr_expect_eq(rc_of(log, "failmaster"), SWIRL_EPROTO);
    cr_expect_eq(rc_of(log, "big"), SWIRL_ETOOBIG);
    cr_expect_str_eq(line_of(log, "slow"), "-110 ");
    cr_expect_str_eq(line_of(log, "after"), "0 mine");
    cr_expect_eq(rc_of(log, "addlater"), SWIRL_ESTATE);
}

/* Wait for the server to exit on its own (it shuts itself down), keep a
 * copy of its log in `copy`, and check no process of it is left. */
static void finish_keep_log(th_server_t *s, char *copy, size_t cap) {
    tu_tmp_path(copy, cap, "cmdlog");
    bool exited = false;
    for (int i = 0; i < 2000 && !exited; i++) {
        exited = waitpid(s->pid, NULL, WNOHANG) == s->pid;
        if (!exited)
            usleep(10000);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cp %s %s", s->log, copy);
    int cp = system(cmd);
    if (!exited) {
        kill(-s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    for (int i = 0; i < 200 && kill(-s->pid, 0) == 0; i++)
        usleep(10000);
    bool leftovers = kill(-s->pid, 0) == 0;
    if (leftovers)
        kill(-s->pid, SIGKILL);
    unlink(s->log);
    cr_assert(exited, "the server did not shut itself down");
    cr_assert_not(leftovers, "server processes left behind after stop");
    cr_assert_eq(cp, 0);
}

Test(command, process_mode_replies_and_errors, .timeout = 60) {
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, configure_process, NULL);
    char log[128];
    finish_keep_log(&s, log, sizeof log);
    int pid, wid;
    who_of(log, "master", &pid, &wid);
    cr_expect_eq(pid, s.pid);
    cr_expect_eq(wid, -1);
    who_of(log, "manager", &pid, &wid);
    cr_expect_neq(pid, s.pid);
    cr_expect_eq(wid, -1);
    who_of(log, "worker1", &pid, &wid);
    cr_expect_eq(wid, 1);
    who_of(log, "task0", &pid, &wid);
    cr_expect_eq(wid, 2);
    check_errors(log);
    cr_expect_eq(rc_of(log, "nested"), 0);
    cr_expect_str_eq(line_of(log, "nested"), "0 -1012"); /* SWIRL_ESTATE in a worker */
    unlink(log);
}

/* BASE mode: worker 0 asks (its own id 0 is the master: in place). */
static void base_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    if (ev->worker_id != 0)
        return;
    ask(srv, "self", "who", 0, SWIRL_COMMAND_EVENT_WORKER, NULL, 0);
    run_all(srv);
    swirl_server_shutdown(srv);
}

static void configure_base(swirl_server_t *srv, void *arg) {
    add_all(srv);
    swirl_server_on(srv, "workerStart", base_worker_start, NULL);
}

Test(command, base_mode_worker_zero_asks, .timeout = 60) {
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP, configure_base, NULL);
    char log[128];
    finish_keep_log(&s, log, sizeof log);
    int pid, wid;
    who_of(log, "self", &pid, &wid);
    cr_expect_eq(wid, 0);
    who_of(log, "master", &pid, &wid);
    cr_expect_eq(wid, 0);
    who_of(log, "manager", &pid, &wid);
    cr_expect_eq(pid, s.pid); /* BASE: the process that started is the manager */
    who_of(log, "worker1", &pid, &wid);
    cr_expect_eq(wid, 1);
    who_of(log, "task0", &pid, &wid);
    cr_expect_eq(wid, 2);
    check_errors(log);
    cr_expect_str_eq(line_of(log, "nested"), "0 -1012");
    unlink(log);
}

Test(command, refused_before_start_and_bad_additions, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP), 0);
    int all = SWIRL_COMMAND_MASTER | SWIRL_COMMAND_EVENT_WORKER;
    cr_expect_eq(swirl_server_add_command(srv, "a", all, cmd_who, NULL), 0);
    cr_expect_eq(swirl_server_add_command(srv, "a", all, cmd_who, NULL), SWIRL_EEXISTS);
    cr_expect_eq(swirl_server_add_command(srv, "", all, cmd_who, NULL), SWIRL_EBADARG);
    cr_expect_eq(swirl_server_add_command(srv, "b", SWIRL_COMMAND_REACTOR_THREAD, cmd_who, NULL),
                 SWIRL_EBADARG);
    cr_expect_str_eq(swirl_last_error_msg(), "only support worker/task_worker process");
    cr_expect_eq(swirl_server_add_command(srv, "b", 0, cmd_who, NULL), SWIRL_EBADARG);
    cr_expect_eq(swirl_server_add_command(srv, "b", 1 << 9, cmd_who, NULL), SWIRL_EBADARG);
    cr_expect_eq(swirl_server_add_command(srv, "b", all, NULL, NULL), SWIRL_EBADARG);
    swirl_buf_t r;
    swirl_buf_init(&r);
    cr_expect_eq(swirl_server_command(srv, "a", 0, SWIRL_COMMAND_MASTER, NULL, 0, &r, 0),
                 SWIRL_ESTATE);
    swirl_buf_destroy(&r);
    swirl_server_free(srv);
}
