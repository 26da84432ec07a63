/* tests/integration/test_tasks.c — task workers over real processes, in
 * each task_ipc_mode (1 sockets, 2 message queue, 3 message queue with
 * competing task workers): task and finish, big data through temp files,
 * taskwait and its timeout, taskwait_multi, the bounded queue, a burst
 * past the kernel's queue size, reloading task workers only (no task
 * lost), task_max_request, no message queue or temp file left, and the errors for bad
 * configurations. */
#include <dirent.h>
#include <sys/msg.h>
#include <sys/stat.h>

#include "server_harness.h"

TU_SUITE(tasks);

static char tk_tmpdir[128];

/* Client commands (one per message):
 *   "task <text>"      -> task(); the finish event sends back "finish <id> <TEXT>"
 *   "big <n>"          -> task() with n bytes; finish sends "bigok <n> <sum>"
 *   "wait <ms> <to>"   -> taskwait (task sleeps ms, timeout to ms): "waited <res>" or "timeout"
 *   "multi"            -> taskwait_multi of 3 tasks: "multi <r0>|<r1>|<r2>"
 *   "flood <n>"        -> n task()s at once: "flood <ok> <full> <rejected in stats>"
 *   "burst <n> <size> [ms]" -> n task()s of size bytes each (each sleeping ms):
 *                        "burst <ok>", then n finishes
 *   "to <dst>"         -> task() to task worker dst: a finish, or "error <message>"
 * The task callback: "sleep <ms> ..." or "<fd> sleep <ms> ..." sleeps
 * first; the result is the data upper-cased (big data: its length and byte
 * sum). Task destinations are -1 in mode 3 (it cannot choose). */

static int tk_mode = 1; /* task_ipc_mode of the running test */

static unsigned sum_bytes(const char *p, size_t n) {
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + (unsigned char)p[i];
    return s;
}

static void tk_task(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("task %lld from %d len %zu in %d", (long long)ev->task_id, ev->worker_id, ev->len,
              swirl_server_worker_id(srv));
    int ms = 0;
    if ((sscanf(ev->data, "sleep %d", &ms) == 1 || sscanf(ev->data, "%*d sleep %d", &ms) == 1) &&
        ms > 0)
        usleep((useconds_t)ms * 1000);
    if (ev->len > 4096) { /* big: answer big too, so the result takes a temp file as well */
        char *out = malloc(ev->len);
        for (size_t i = 0; i < ev->len; i++)
            out[i] = (char)(ev->data[i] ^ 0x55);
        swirl_server_finish(srv, out, ev->len);
        free(out);
        return;
    }
    char out[512];
    size_t n = ev->len < sizeof(out) ? ev->len : sizeof(out);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(ev->data[i] >= 'a' && ev->data[i] <= 'z' ? ev->data[i] - 32 : ev->data[i]);
    swirl_server_finish(srv, out, n);
    /* a taskwait takes one result (a plain task() may have several) */
    int again =
        ev->task_flags & SWIRL_TASK_WAITED ? swirl_server_finish(srv, out, n) : SWIRL_ESTATE;
    if (again != SWIRL_ESTATE)
        th_record("second finish was not refused: %d", again);
}

/* The finish event has no connection: the client's fd travels in the data
 * ("<fd> <text>"), and comes back upper-cased the same way. */
static void tk_finish(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("finish %lld len %zu", (long long)ev->task_id, ev->len);
    if (ev->len > 4096) { /* "big": the first 8 bytes (xor 0x55) are the fd */
        char head[9];
        for (int i = 0; i < 8; i++)
            head[i] = (char)(ev->data[i] ^ 0x55);
        head[8] = 0;
        long long fd = atoll(head);
        char *plain = malloc(ev->len);
        for (size_t i = 0; i < ev->len; i++)
            plain[i] = (char)(ev->data[i] ^ 0x55);
        char out[96];
        int n =
            snprintf(out, sizeof(out), "bigok %zu %u", ev->len, sum_bytes(plain + 8, ev->len - 8));
        free(plain);
        swirl_server_send(srv, fd, out, (size_t)n);
        return;
    }
    long long fd = 0;
    int skip = 0;
    if (sscanf(ev->data, "%lld %n", &fd, &skip) < 1)
        return;
    char out[600];
    int n = snprintf(out, sizeof(out), "finish %lld %.*s", (long long)ev->task_id,
                     (int)ev->len - skip, ev->data + skip);
    swirl_server_send(srv, fd, out, (size_t)n);
}

static void tk_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "%.*s", (int)(ev->len < 255 ? ev->len : 255), ev->data);
    char out[1024];
    int n = 0, a = 0, b = 0, ms = 0;
    if (strncmp(cmd, "task ", 5) == 0) {
        char data[300];
        int m = snprintf(data, sizeof(data), "%lld %s", (long long)ev->fd, cmd + 5);
        int64_t id = swirl_server_task(srv, data, (size_t)m, -1);
        if (id <= 0)
            n = snprintf(out, sizeof(out), "error %s", swirl_last_error_msg());
        else
            return; /* the finish event answers */
    } else if (sscanf(cmd, "big %d", &a) == 1) {
        char *data = malloc((size_t)a);
        snprintf(data, 9, "%08lld", (long long)ev->fd);
        for (int i = 8; i < a; i++)
            data[i] = (char)('a' + i % 26);
        int64_t id = swirl_server_task(srv, data, (size_t)a, -1);
        free(data);
        if (id > 0)
            return;
        n = snprintf(out, sizeof(out), "error %s", swirl_last_error_msg());
    } else if (sscanf(cmd, "wait %d %d", &a, &b) == 2) {
        char data[64];
        int m = snprintf(data, sizeof(data), "sleep %d please", a);
        swirl_buf_t res = {0};
        int rc = swirl_server_taskwait(srv, data, (size_t)m, b / 1000.0, -1, &res);
        if (rc == 0)
            n = snprintf(out, sizeof(out), "waited %.*s", (int)swirl_buf_size(&res),
                         swirl_buf_bytes(&res));
        else
            n = snprintf(out, sizeof(out), "%s %s", rc == -ETIMEDOUT ? "timeout" : "error",
                         swirl_last_error_msg());
        swirl_buf_destroy(&res);
    } else if (strcmp(cmd, "multi") == 0) {
        int d = tk_mode == 3 ? -1 : 0;
        swirl_task_data_t t[3] = {{"one", 3, -1}, {"two", 3, d}, {"three", 5, d < 0 ? -1 : 1}};
        swirl_buf_t res[3] = {{0}, {0}, {0}};
        int st[3];
        int done = swirl_server_taskwait_multi(srv, t, 3, 5.0, res, st);
        n = snprintf(out, sizeof(out), "multi %d %.*s|%.*s|%.*s", done,
                     (int)swirl_buf_size(&res[0]), swirl_buf_bytes(&res[0]),
                     (int)swirl_buf_size(&res[1]), swirl_buf_bytes(&res[1]),
                     (int)swirl_buf_size(&res[2]), swirl_buf_bytes(&res[2]));
        for (int i = 0; i < 3; i++)
            swirl_buf_destroy(&res[i]);
    } else if (sscanf(cmd, "flood %d", &a) == 1) {
        int ok = 0, full = 0;
        char msg[256] = "";
        for (int i = 0; i < a; i++) {
            char data[64];
            int m = snprintf(data, sizeof(data), "sleep 300 %lld", (long long)ev->fd);
            int64_t id = swirl_server_task(srv, data, (size_t)m, tk_mode == 3 ? -1 : 0);
            if (id > 0)
                ok++;
            else if (id == SWIRL_EQUEUEFULL) {
                full++;
                snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            }
        }
        swirl_server_stats_t st;
        swirl_server_stats(srv, &st);
        n = snprintf(out, sizeof(out), "flood %d %d %lld queued %lld [%s]", ok, full,
                     (long long)st.task_rejected_count, (long long)st.task_queue_num, msg);
    } else if (sscanf(cmd, "to %d", &a) == 1) {
        char data[64];
        int m = snprintf(data, sizeof(data), "%lld to %d", (long long)ev->fd, a);
        if (swirl_server_task(srv, data, (size_t)m, a) > 0)
            return;
        n = snprintf(out, sizeof(out), "error %s", swirl_last_error_msg());
    } else if (sscanf(cmd, "burst %d %d %d", &a, &b, &ms) >= 2) {
        char *data = malloc((size_t)b + 1);
        int ok = 0;
        for (int i = 0; i < a; i++) {
            int m = snprintf(data, (size_t)b + 1, "%lld sleep %d b%d ", (long long)ev->fd, ms, i);
            memset(data + m, 'x', (size_t)(b - m));
            ok += swirl_server_task(srv, data, (size_t)b, -1) > 0;
        }
        free(data);
        n = snprintf(out, sizeof(out), "burst %d ", ok);
    } else {
        n = snprintf(out, sizeof(out), "?");
    }
    swirl_server_send(srv, ev->fd, out, (size_t)n);
}

static void tk_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("workerstart %d %d", ev->worker_id, (int)getpid());
}

typedef struct {
    int workers, tasks;
    const char *settings[6][2];
} tk_cfg_t;

static void tk_configure(swirl_server_t *srv, void *arg) {
    tk_cfg_t *c = arg;
    char n[16];
    snprintf(n, sizeof(n), "%d", tk_mode);
    swirl_server_set_text(srv, "task_ipc_mode", n);
    snprintf(n, sizeof(n), "%d", c->workers);
    swirl_server_set_text(srv, "worker_num", n);
    snprintf(n, sizeof(n), "%d", c->tasks);
    swirl_server_set_text(srv, "task_worker_num", n);
    swirl_server_set_text(srv, "task_tmpdir", tk_tmpdir);
    for (int i = 0; i < 6 && c->settings[i][0]; i++)
        if (swirl_server_set_text(srv, c->settings[i][0], c->settings[i][1]) < 0)
            _exit(5);
    swirl_server_on(srv, "receive", tk_receive, NULL);
    swirl_server_on(srv, "task", tk_task, NULL);
    swirl_server_on(srv, "finish", tk_finish, NULL);
    swirl_server_on(srv, "workerStart", tk_worker_start, NULL);
}

static void tk_setup(void) {
    tu_tmp_path(tk_tmpdir, sizeof(tk_tmpdir), "taskdir");
    cr_assert_eq(mkdir(tk_tmpdir, 0700), 0);
}

/* Files left in the task temp dir. */
static int tk_leftovers(void) {
    DIR *d = opendir(tk_tmpdir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void tk_teardown(void) { rmdir(tk_tmpdir); }

/* The process of thread `tid` (the kernel records the thread that last
 * sent to or read a queue: a task worker reads it on a thread of its own). */
static long tgid_of(long tid) {
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%ld/status", tid);
    FILE *f = fopen(path, "re");
    long tgid = tid;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Tgid: %ld", &tgid) == 1)
            break;
    if (f)
        fclose(f);
    return tgid;
}

/* Message queues (/proc/sysvipc/msg) last sent to or read from by one of
 * `pids` (or a thread of one). */
static int tk_queues_of(const int *pids, int npids) {
    FILE *f = fopen("/proc/sysvipc/msg", "re");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        long key, id, perms, cbytes, qnum, lspid, lrpid;
        if (sscanf(line, "%ld %ld %lo %ld %ld %ld %ld", &key, &id, &perms, &cbytes, &qnum, &lspid,
                   &lrpid) != 7)
            continue; /* the header */
        lspid = tgid_of(lspid);
        lrpid = tgid_of(lrpid);
        for (int i = 0; i < npids; i++)
            if (pids[i] == lspid || pids[i] == lrpid) {
                n++;
                break;
            }
    }
    fclose(f);
    return n;
}

/* Stop the server; in modes 2 and 3 its message queue existed while it ran
 * and is gone after. */
static void tk_stop(th_server_t *s) {
    char *log = th_read_log(s);
    int pids[64], n = 0;
    for (char *p = log; (p = strstr(p, "workerstart ")) && n < 64; p++) {
        int id, pid;
        if (sscanf(p, "workerstart %d %d", &id, &pid) == 2)
            pids[n++] = pid;
    }
    free(log);
    if (tk_mode > 1)
        cr_assert_eq(tk_queues_of(pids, n), 1, "the server's message queue is in use");
    cr_assert_eq(th_stop(s), 0);
    cr_assert_eq(tk_queues_of(pids, n), 0, "message queue left after the shutdown (ipcs -q)");
    cr_assert_eq(tk_leftovers(), 0, "temp files left in %s", tk_tmpdir);
}

/* Each test runs in every task_ipc_mode. */
#define TK_TEST(name, secs)                                                                        \
    static void name(void);                                                                        \
    Test(tasks, name##_mode1, .init = tk_setup, .fini = tk_teardown, .timeout = secs) {            \
        tk_mode = 1;                                                                               \
        name();                                                                                    \
    }                                                                                              \
    Test(tasks, name##_mode2, .init = tk_setup, .fini = tk_teardown, .timeout = secs) {            \
        tk_mode = 2;                                                                               \
        name();                                                                                    \
    }                                                                                              \
    Test(tasks, name##_mode3, .init = tk_setup, .fini = tk_teardown, .timeout = secs) {            \
        tk_mode = 3;                                                                               \
        name();                                                                                    \
    }                                                                                              \
    static void name(void)

static size_t ask(int fd, const char *cmd, char *out, size_t size) {
    th_send_all(fd, cmd, strlen(cmd));
    struct pollfd p = {fd, POLLIN, 0};
    cr_assert_gt(poll(&p, 1, 10000), 0, "no answer to \"%s\"", cmd);
    ssize_t n = recv(fd, out, size - 1, 0);
    cr_assert_gt(n, 0, "\"%s\": connection closed", cmd);
    out[n] = 0;
    return (size_t)n;
}

TK_TEST(task_and_finish_round_trip, 30) {
    tk_cfg_t cfg = {.workers = 2, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    /* all up first: in mode 3 the task workers that are up take the tasks */
    cr_assert(th_wait_lines(&s, "workerstart", 4, 3000));
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[1024];
    for (int i = 0; i < 20; i++) {
        char cmd[64], want[64];
        snprintf(cmd, sizeof(cmd), "task hello %d", i);
        snprintf(want, sizeof(want), " HELLO %d", i);
        ask(fd, cmd, out, sizeof(out));
        cr_assert(strncmp(out, "finish ", 7) == 0 && strstr(out, want), "got \"%s\"", out);
    }
    close(fd);
    char *log = th_read_log(&s);
    cr_assert(strstr(log, " in 2\n") && strstr(log, " in 3\n"),
              "both task workers (ids 2, 3) ran tasks:\n%s", log);
    cr_assert_null(strstr(log, "second finish"), "%s", log);
    free(log);
    tk_stop(&s);
}

TK_TEST(megabyte_data_both_ways_through_temp_files, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 1};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[256];
    int size = 1 << 20;
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "big %d", size);
    ask(fd, cmd, out, sizeof(out));
    /* what the worker sent after the 8-byte session id, computed here */
    char *data = malloc((size_t)size);
    for (int i = 8; i < size; i++)
        data[i] = (char)('a' + i % 26);
    unsigned want_sum = sum_bytes(data + 8, (size_t)size - 8);
    free(data);
    unsigned got_sum;
    size_t got_len;
    cr_assert_eq(sscanf(out, "bigok %zu %u", &got_len, &got_sum), 2, "got \"%s\"", out);
    cr_assert_eq(got_len, (size_t)size);
    cr_assert_eq(got_sum, want_sum, "the data changed on the way");
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "task 1 from 0 len 1048576"), "%s", log);
    cr_assert(strstr(log, "finish 1 len 1048576"), "%s", log);
    free(log);
    close(fd);
    tk_stop(&s);
}

TK_TEST(taskwait_result_and_timeout, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[1024];
    ask(fd, "wait 10 5000", out, sizeof(out));
    cr_assert_str_eq(out, "waited SLEEP 10 PLEASE");
    ask(fd, "wait 600 100", out, sizeof(out));
    cr_assert(strncmp(out, "timeout ", 8) == 0 && strstr(out, "no result within 0.1 s"),
              "got \"%s\"", out);
    /* the late result is dropped, not delivered as a finish event; the worker goes on */
    usleep(800000);
    ask(fd, "multi", out, sizeof(out));
    cr_assert_str_eq(out, "multi 3 ONE|TWO|THREE");
    ask(fd, "task after", out, sizeof(out));
    cr_assert(strstr(out, " AFTER"), "got \"%s\"", out);
    close(fd);
    char *log = th_read_log(&s);
    int finishes = 0;
    for (char *p = log; (p = strstr(p, "finish ")); p++)
        finishes++;
    cr_assert_eq(finishes, 1, "only the plain task() gets a finish event:\n%s", log);
    free(log);
    tk_stop(&s);
}

TK_TEST(full_queue_fails_at_once_and_is_counted, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 1, .settings = {{"task_queue_max", "2"}}};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[1024];
    uint64_t t0 = swirl_clock_ms();
    ask(fd, "flood 5", out, sizeof(out));
    uint64_t took = swirl_clock_ms() - t0;
    cr_assert(strncmp(out, "flood 2 3 3 queued 2 ", 21) == 0, "got \"%s\"", out);
    cr_assert(strstr(out, "task worker 0 has 2 tasks queued (task_queue_max 2)"), "%s", out);
    cr_log_info("5 task() calls, 3 refused, in %llu ms", (unsigned long long)took);
    close(fd);
    tk_stop(&s);
}

TK_TEST(sigusr2_reloads_only_task_workers, 30) {
    tk_cfg_t cfg = {.workers = 2, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 4, 2000));
    cr_assert_eq(kill(s.pid, SIGUSR2), 0);
    cr_assert(th_wait_lines(&s, "workerstart 2 ", 2, 3000) &&
              th_wait_lines(&s, "workerstart 3 ", 2, 3000));
    int starts[4];
    for (int id = 0; id < 4; id++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "workerstart %d ", id);
        starts[id] = th_count_lines(&s, prefix);
    }
    cr_assert_eq(starts[0], 1, "worker 0 untouched");
    cr_assert_eq(starts[1], 1, "worker 1 untouched");
    cr_assert_eq(starts[2], 2, "task worker 0 replaced");
    cr_assert_eq(starts[3], 2, "task worker 1 replaced");
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[256];
    ask(fd, "task still", out, sizeof(out));
    cr_assert(strstr(out, " STILL"), "got \"%s\"", out);
    close(fd);
    tk_stop(&s);
}

/* Read from `fd` until `count` occurrences of `word` (10 s at most). */
static int tk_read_count(int fd, const char *word, int count, char *buf, size_t size) {
    size_t len = 0;
    int seen = 0;
    uint64_t end = swirl_clock_ms() + 10000;
    while (seen < count && swirl_clock_ms() < end && len < size - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = 0;
        seen = 0;
        for (char *q = buf; (q = strstr(q, word)); q++)
            seen++;
    }
    buf[len] = 0;
    return seen;
}

/* 40 tasks of 4000 bytes: far past the kernel's message queue (16 KiB by
 * default) in modes 2 and 3, and past the socket buffer in mode 1; task()
 * never blocks and every task runs. */
TK_TEST(burst_past_the_queue_size_runs_every_task, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "burst 40 4000", 13);
    static char buf[1 << 16];
    int got = tk_read_count(fd, "finish ", 40, buf, sizeof(buf));
    cr_assert(strstr(buf, "burst 40 "), "every task() accepted");
    cr_assert_eq(got, 40, "40 results, got %d", got);
    for (int i = 0; i < 40; i++) {
        char want[16];
        snprintf(want, sizeof(want), " B%d X", i);
        cr_assert(strstr(buf, want), "task %d ran", i);
    }
    close(fd);
    tk_stop(&s);
}

/* Tasks queued while the task workers are reloaded: the old ones finish
 * the task they run, the new ones take the rest; none is lost. */
TK_TEST(reload_with_tasks_queued_loses_none, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 3, 2000));
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "burst 30 200 40", 15);
    usleep(100000);
    cr_assert_eq(kill(s.pid, SIGUSR2), 0);
    static char buf[1 << 16];
    int got = tk_read_count(fd, "finish ", 30, buf, sizeof(buf));
    cr_assert_eq(got, 30, "30 results, got %d:\n%s", got, buf);
    cr_assert(th_wait_lines(&s, "workerstart 1 ", 2, 3000), "task worker 0 was replaced");
    cr_assert(th_wait_lines(&s, "workerstart 2 ", 2, 3000), "task worker 1 was replaced");
    char *log = th_read_log(&s);
    cr_assert_eq(th_count_lines(&s, "workerstart"), 5, "%s", log);
    free(log);
    close(fd);
    tk_stop(&s);
}

/* task_max_request 2: a task worker stops once it has run two tasks (it
 * finishes the packet in hand: in mode 1 one packet may carry them all)
 * and is replaced at once (it served, so no back-off); the tasks queued
 * behind it are its successor's, and none is lost. */
TK_TEST(task_max_request_replaces_the_task_worker, 30) {
    tk_cfg_t cfg = {.workers = 1, .tasks = 1, .settings = {{"task_max_request", "2"}}};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 3000));
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "burst 5 100", 11);
    static char buf[1 << 14];
    int got = tk_read_count(fd, "finish ", 5, buf, sizeof(buf));
    cr_assert_eq(got, 5, "5 results, got %d:\n%s", got, buf);
    char *log = th_read_log(&s);
    cr_assert(th_wait_lines(&s, "workerstart 1 ", 2, 5000), "task worker 0 was not replaced:\n%s",
              log);
    free(log);
    close(fd);
    tk_stop(&s);
}

Test(tasks, mode2_sends_to_the_chosen_task_worker, .init = tk_setup, .fini = tk_teardown,
     .timeout = 30) {
    tk_mode = 2;
    tk_cfg_t cfg = {.workers = 1, .tasks = 3};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[256];
    for (int dst = 2; dst >= 0; dst--) {
        char cmd[16];
        snprintf(cmd, sizeof(cmd), "to %d", dst);
        ask(fd, cmd, out, sizeof(out));
        cr_assert(strstr(out, " TO "), "got \"%s\"", out);
        char line[64];
        snprintf(line, sizeof(line), "in %d\n", 1 + dst);
        char *log = th_read_log(&s);
        cr_assert(strstr(log, line), "task worker %d ran it:\n%s", dst, log);
        free(log);
    }
    ask(fd, "to 3", out, sizeof(out));
    cr_assert(strstr(out, "destination task worker 3"), "got \"%s\"", out);
    close(fd);
    tk_stop(&s);
}

Test(tasks, mode3_refuses_a_destination, .init = tk_setup, .fini = tk_teardown, .timeout = 30) {
    tk_mode = 3;
    tk_cfg_t cfg = {.workers = 1, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    char out[256];
    ask(fd, "to 1", out, sizeof(out));
    cr_assert(strstr(out, "error task: destination task worker 1: task_ipc_mode 3 (competing)"),
              "got \"%s\"", out);
    ask(fd, "to -1", out, sizeof(out));
    cr_assert(strstr(out, " TO -1"), "got \"%s\"", out);
    close(fd);
    tk_stop(&s);
}

/* The first string of /proc/<pid>/cmdline (what ps shows). */
static void tk_cmdline(int pid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(out, 1, size - 1, f) : 0;
    out[n] = 0;
    if (f)
        fclose(f);
}

static int tk_ppid(int pid) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    int ppid = -1;
    if (f && fgets(line, sizeof(line), f)) {
        char *p = strrchr(line, ')');
        if (p)
            sscanf(p + 2, "%*c %d", &ppid);
    }
    if (f)
        fclose(f);
    return ppid;
}

Test(tasks, process_titles_name_every_role, .init = tk_setup, .fini = tk_teardown, .timeout = 30) {
    tk_mode = 1;
    tk_cfg_t cfg = {.workers = 2, .tasks = 2};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, tk_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 4, 3000));
    char *log = th_read_log(&s), title[256];
    const char *want[4] = {"swirl: worker 0", "swirl: worker 1", "swirl: task worker 0",
                           "swirl: task worker 1"};
    int manager = -1;
    for (int id = 0; id < 4; id++) {
        char prefix[32];
        int pid = 0;
        snprintf(prefix, sizeof(prefix), "workerstart %d ", id);
        char *line = strstr(log, prefix);
        cr_assert(line && sscanf(line + strlen(prefix), "%d", &pid) == 1);
        tk_cmdline(pid, title, sizeof(title));
        cr_assert_str_eq(title, want[id]);
        manager = tk_ppid(pid);
    }
    free(log);
    tk_cmdline(manager, title, sizeof(title));
    cr_assert_str_eq(title, "swirl: manager");
    tk_cmdline(s.pid, title, sizeof(title));
    cr_assert_str_eq(title, "swirl: master");
    tk_stop(&s);
}

/* ---- bad configurations: refused at start, in this process, nothing forked ---------------- */

static void nop(swirl_server_t *srv, const swirl_event_t *ev, void *user) {}

Test(tasks, bad_configurations_are_clear_errors, .timeout = 10) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP), 0);
    swirl_server_on(srv, "receive", nop, NULL);
    cr_assert_eq(swirl_server_set_text(srv, "task_worker_num", "2"), 0);
    cr_assert_eq(swirl_server_start(srv), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "needs a task callback"), "%s",
              swirl_last_error_msg());
    swirl_server_on(srv, "task", nop, NULL);
    swirl_server_on(srv, "finish", nop, NULL);
    cr_assert_eq(swirl_server_set_text(srv, "task_ipc_mode", "4"), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "task_ipc_mode"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_set_text(srv, "task_worker_num", "-1"), SWIRL_ESETTING);
    /* outside a worker, the task methods refuse */
    cr_assert_eq(swirl_server_task(srv, "x", 1, -1), SWIRL_ESTATE);
    cr_assert_eq(swirl_server_finish(srv, "x", 1), SWIRL_ESTATE);
    swirl_buf_t res = {0};
    cr_assert_eq(swirl_server_taskwait(srv, "x", 1, 1.0, -1, &res), SWIRL_ESTATE);
    /* and the process-control calls of a server that is not running */
    cr_assert_eq(swirl_server_worker_requests(srv, 0), SWIRL_ESTATE);
    cr_assert_eq(swirl_server_reload(srv, false), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "not running"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_stop_worker(srv, 0), SWIRL_ESTATE);
    swirl_server_free(srv);
}

/* Tasks from processes without a worker loop (direct.c): the master's start
 * callback and the manager's; each reaches a task worker marked
 * SWIRL_TASK_NOREPLY, signed 0, with ids from 0 in each process, and
 * finish refuses it. The manager also sends a message to a task worker. */
static void dt_task(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    int fin = swirl_server_finish(srv, "x", 1);
    th_record("dtask %lld from %d flags %d data %.*s finish %s", (long long)ev->task_id,
              ev->worker_id, ev->task_flags, (int)ev->len, ev->data,
              fin == SWIRL_ESTATE ? "refused" : "accepted");
}

static void dt_message(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("dmessage in %d from %d: %.*s", swirl_server_worker_id(srv), ev->worker_id,
              (int)ev->len, ev->data);
}

static void dt_send(swirl_server_t *srv, const char *from) {
    int64_t id = swirl_server_task(srv, from, strlen(from), -1);
    th_record("dsent %s %lld", from, (long long)id);
}

static void dt_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    dt_send(srv, "master");
    dt_send(srv, "master");
    th_on_start(srv, ev, user); /* (the harness's, which this one replaces) */
}

static void dt_manager_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    dt_send(srv, "manager");
    /* 1: the first task worker (worker_num 1) */
    int rc = swirl_server_send_message(srv, "hi", 2, 1);
    th_record("dmessage sent %d", rc);
}

static void dt_configure(swirl_server_t *srv, void *arg) {
    tk_configure(srv, arg);
    swirl_server_on(srv, "task", dt_task, NULL);
    swirl_server_on(srv, "start", dt_start, NULL);
    swirl_server_on(srv, "managerStart", dt_manager_start, NULL);
    swirl_server_on(srv, "pipeMessage", dt_message, NULL);
}

Test(tasks, tasks_and_messages_from_the_master_and_the_manager, .init = tk_setup,
     .fini = tk_teardown, .timeout = 30) {
    tk_mode = 1;
    tk_cfg_t cfg = {.workers = 1, .tasks = 1};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, dt_configure, &cfg);
    cr_assert(th_wait_lines(&s, "dtask ", 3, 5000));
    cr_assert(th_wait_lines(&s, "dmessage in ", 1, 5000));
    char *log = th_read_log(&s);
    cr_assert(strstr(log, "dsent master 0\n") && strstr(log, "dsent master 1\n") &&
                  strstr(log, "dsent manager 0\n"),
              "%s", log);
    cr_assert(strstr(log, "dtask 0 from 0 flags 2 data master finish refused\n") &&
                  strstr(log, "dtask 1 from 0 flags 2 data master finish refused\n") &&
                  strstr(log, "dtask 0 from 0 flags 2 data manager finish refused\n"),
              "%s", log);
    cr_assert(strstr(log, "dmessage sent 0\n") && strstr(log, "dmessage in 1 from 0: hi\n"), "%s",
              log);
    free(log);
    tk_stop(&s);
}

/* A task as bytes (what Swoole\Server\Task::pack gives): back to its data;
 * other bytes are refused. */
Test(tasks, task_pack_and_unpack, .timeout = 10) {
    swirl_buf_t b = {0};
    cr_assert_eq(swirl_server_task_pack("hello", 5, &b), 0);
    const char *data;
    size_t len;
    cr_assert_eq(swirl_server_task_unpack(swirl_buf_bytes(&b), swirl_buf_size(&b), &data, &len), 0);
    cr_assert_eq(len, 5);
    cr_assert_eq(memcmp(data, "hello", 5), 0);
    cr_assert_eq(swirl_server_task_unpack(swirl_buf_bytes(&b), swirl_buf_size(&b) - 1, &data, &len),
                 SWIRL_EBADARG);
    cr_assert_eq(swirl_server_task_unpack("garbage", 7, &data, &len), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "not a task message"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_server_task_pack(NULL, 3, &b), SWIRL_EBADARG);
    swirl_buf_clear(&b);
    cr_assert_eq(swirl_server_task_pack("", 0, &b), 0);
    cr_assert_eq(swirl_server_task_unpack(swirl_buf_bytes(&b), swirl_buf_size(&b), &data, &len), 0);
    cr_assert_eq(len, 0);
    swirl_buf_destroy(&b);
}

/* The queue of task_ipc_mode 3 takes anything a process of the same user
 * sends: a message that is not one of this server's task messages is
 * dropped with a warning; a task made by swirl_server_task_pack runs (no
 * one to answer: finish refused). */
/* The process group of process (or thread) `pid`, -1 if gone. */
static int pgrp_of(long pid) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int g = -1;
    if (fgets(line, sizeof(line), f)) {
        const char *p = strrchr(line, ')');
        int ppid;
        if (p)
            sscanf(p + 1, " %*c %d %d", &ppid, &g);
    }
    fclose(f);
    return g;
}

/* The message queue last used by a process of the server's group. */
static int queue_of(pid_t group) {
    FILE *f = fopen("/proc/sysvipc/msg", "re");
    char line[512];
    int q = -1;
    while (f && q < 0 && fgets(line, sizeof(line), f)) {
        long key, id, perms, cbytes, qnum, lspid, lrpid;
        if (sscanf(line, "%ld %ld %lo %ld %ld %ld %ld", &key, &id, &perms, &cbytes, &qnum, &lspid,
                   &lrpid) != 7)
            continue;
        if (pgrp_of(lspid) == group || pgrp_of(lrpid) == group)
            q = (int)id;
    }
    if (f)
        fclose(f);
    return q;
}

Test(tasks, mode3_drops_a_bad_packet_and_runs_a_packed_task, .init = tk_setup, .fini = tk_teardown,
     .timeout = 30) {
    tk_mode = 3;
    char logf[160];
    tu_tmp_path(logf, sizeof(logf), "tasklog");
    tk_cfg_t cfg = {.workers = 1, .tasks = 1, .settings = {{"log_file", logf}}};
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, dt_configure, &cfg);
    cr_assert(th_wait_lines(&s, "workerstart", 2, 3000));
    cr_assert(th_wait_lines(&s, "dtask ", 3, 5000)); /* the master's and the manager's */
    int q = queue_of(s.pid);
    cr_assert_geq(q, 0, "the server's queue");
    struct {
        long type;
        char text[256];
    } m = {1, "\n\n\n\nhello, not a task"};
    cr_assert_eq(msgsnd(q, &m, strlen(m.text), 0), 0);
    swirl_buf_t b = {0};
    cr_assert_eq(swirl_server_task_pack("outside", 7, &b), 0);
    memcpy(m.text, swirl_buf_bytes(&b), swirl_buf_size(&b));
    cr_assert_eq(msgsnd(q, &m, swirl_buf_size(&b), 0), 0);
    swirl_buf_destroy(&b);
    cr_assert(th_wait_lines(&s, "dtask 0 from -1 flags 2 data outside finish refused", 1, 5000));
    tk_stop(&s);
    FILE *f = fopen(logf, "re");
    cr_assert_not_null(f);
    char all[8192] = "";
    size_t got = fread(all, 1, sizeof(all) - 1, f);
    all[got] = 0;
    fclose(f);
    unlink(logf);
    cr_assert(strstr(all, "task worker 0: bad task packet of 21 bytes from the message queue"),
              "%s", all);
}

/* socket_send_timeout: a task worker's finish to a worker that takes
 * nothing (busy in its receive callback) waits that long for the worker's
 * mailbox to take what is queued for it, then fails with -ETIMEDOUT and
 * Swoole's warning in the log; the results sent before arrive once the
 * worker is free. Without it (0, the default) results queue and finish
 * never fails. The task starts while its sender is still busy (the task is
 * written at once, as Swoole's). Several results per task are allowed. The
 * worker waits for a marker file the task worker writes when done, so no
 * duration decides the outcome. */
static char st_marker[128], st_swirl_log[128];

static void st_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("task sent %lld", (long long)swirl_server_task(srv, "go", 2, -1));
    for (int i = 0; i < 2000 && access(st_marker, F_OK) != 0; i++)
        usleep(10000);
    th_record("worker free");
}

static void st_task(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    static char big[8000];
    memset(big, 'A', sizeof(big));
    int n = 0, rc = 0;
    while (n < 400 && (rc = swirl_server_finish(srv, big, sizeof(big))) == 0)
        n++;
    th_record("count %d", n);
    th_record("finished %s then %s",
              n == 400 ? "all"
              : n > 0  ? "some"
                       : "none",
              rc == 0            ? "ok"
              : rc == -ETIMEDOUT ? "timed out"
                                 : swirl_strerror(rc));
    int fd = open(st_marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

static void st_finish(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    th_record("result %zu", ev->len);
}

static void st_configure(swirl_server_t *srv, void *arg) {
    const char *timeout = arg;
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "task_worker_num", "1");
    swirl_server_set_text(srv, "task_tmpdir", tk_tmpdir);
    swirl_server_set_text(srv, "socket_buffer_size", "128K");
    swirl_server_set_text(srv, "log_file", st_swirl_log);
    if (timeout && swirl_server_set_text(srv, "socket_send_timeout", timeout) < 0)
        _exit(5);
    swirl_server_on(srv, "receive", st_receive, NULL);
    swirl_server_on(srv, "task", st_task, NULL);
    swirl_server_on(srv, "finish", st_finish, NULL);
}

static char *st_run(const char *timeout, int *results) {
    tu_tmp_path(st_marker, sizeof(st_marker), "marker");
    tu_tmp_path(st_swirl_log, sizeof(st_swirl_log), "swirllog");
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP, st_configure, (void *)timeout);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "x", 1);
    cr_assert(th_wait_lines(&s, "worker free", 1, 30000));
    cr_assert(th_wait_lines(&s, "count ", 1, 5000));
    char *log = th_read_log(&s);
    char *p = strstr(log, "count ");
    int sent = p ? atoi(p + 6) : 0;
    free(log);
    /* every result sent arrives once the worker is free */
    cr_assert(th_wait_lines(&s, "result 8000", sent, 20000));
    log = th_read_log(&s);
    *results = th_count_lines(&s, "result 8000");
    cr_assert_eq(*results, sent, "results %d, sent %d", *results, sent);
    close(fd);
    cr_assert_eq(th_stop(&s), 0);
    unlink(st_marker);
    return log;
}

Test(tasks, finish_waits_up_to_socket_send_timeout, .init = tk_setup, .fini = tk_teardown,
     .timeout = 60) {
    int results = 0;
    char *log = st_run("0.3", &results);
    cr_assert(strstr(log, "task sent 1\n"), "%s", log);
    cr_assert(strstr(log, "finished some then timed out\n"), "%s", log);
    /* the task ran while the worker waited for it */
    cr_assert(strstr(log, "finished some") < strstr(log, "worker free"), "%s", log);
    cr_assert_gt(results, 1);
    cr_assert_lt(results, 400);
    free(log);
    th_server_t swirl_log = {0};
    snprintf(swirl_log.log, sizeof(swirl_log.log), "%s", st_swirl_log);
    char *text = th_read_log(&swirl_log);
    cr_assert(strstr(text, "WARNING Server::finish() (ERRNO 9014): send result to worker "
                           "timed out\n"),
              "%s", text);
    free(text);
    unlink(st_swirl_log);
}

Test(tasks, finish_never_waits_without_socket_send_timeout, .init = tk_setup, .fini = tk_teardown,
     .timeout = 60) {
    int results = 0;
    char *log = st_run(NULL, &results);
    cr_assert(strstr(log, "finished all then ok\n"), "%s", log);
    cr_assert_eq(results, 400);
    free(log);
    unlink(st_swirl_log);
}
