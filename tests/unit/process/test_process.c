/* tests/unit/process/test_process.c — process objects with real forks:
 * pipes, redirection, exec, message queues, wait/kill/daemon/alarm/signal,
 * affinity and names; no fd, zombie or System V queue left behind. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <swirl/swirl.h>

#include "testutil.h"

/* Every child reaped, none left. */
static void assert_no_children(void) {
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD);
}

/* A System V queue with this key exists (listed in /proc/sysvipc/msg). */
static bool queue_exists(key_t key) {
    FILE *f = fopen("/proc/sysvipc/msg", "re");
    cr_assert_not_null(f);
    char line[512];
    bool found = false;
    if (fgets(line, sizeof(line), f)) /* header */
        while (fgets(line, sizeof(line), f)) {
            long k;
            if (sscanf(line, "%ld", &k) == 1 && (key_t)k == key)
                found = true;
        }
    fclose(f);
    return found;
}

static swirl_process_status_t wait_for(pid_t pid) {
    swirl_process_status_t st = {0};
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    st.pid = pid;
    st.code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    st.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return st;
}

/* read exactly n bytes from the pipe (stream) */
static void read_all(swirl_process_t *p, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = swirl_process_read(p, buf + got, n - got);
        cr_assert_gt(r, 0, "read: %zd (%s) after %zu of %zu bytes", r, swirl_strerror((int)r), got,
                     n);
        got += (size_t)r;
    }
}

/* ---- creation ------------------------------------------------------------------------------ */

static void noop(swirl_process_t *p, void *u) {}

Test(process, bad_arguments_are_named, .timeout = 5) {
    swirl_process_t *p = NULL;
    cr_assert_eq(swirl_process_new(&p, NULL, NULL, false, 0), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "function"));
    cr_assert_eq(swirl_process_new(&p, noop, NULL, false, 3), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "pipe type 3"), "%s", swirl_last_error_msg());
    cr_assert_null(p);
    cr_assert_eq(swirl_process_new(&p, noop, NULL, false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_process_fd(p), -1);
    cr_assert_eq(swirl_process_write(p, "x", 1), SWIRL_ESTATE);
    char c;
    cr_assert_eq(swirl_process_read(p, &c, 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_exec(p, "/bin/true", NULL), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_push(p, "x", 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_set_pdeathsig(p, 999), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_unwatch(p), SWIRL_ENOTREG);
    cr_assert_eq(swirl_process_watch(p, NULL, NULL, NULL), SWIRL_ESTATE, "no pipe to watch");
    swirl_process_free(p);
}

/* ---- the pipe ------------------------------------------------------------------------------ */

static void say_hello(swirl_process_t *p, void *u) {
    char msg[64];
    int n = snprintf(msg, sizeof(msg), "hello from %ld", (long)getpid());
    swirl_process_write(p, msg, (size_t)n);
    cr_assert_eq(swirl_process_pid(p), getpid());
}

Test(process, start_and_stream_pipe_both_ways, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, say_hello, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_gt(pid, 0);
    cr_assert_eq(swirl_process_pid(p), pid);
    cr_assert_eq(swirl_process_start(p), SWIRL_ESTATE);
    char buf[64] = {0}, want[64];
    snprintf(want, sizeof(want), "hello from %ld", (long)pid);
    read_all(p, buf, strlen(want));
    cr_assert_str_eq(buf, want);
    cr_assert_eq(swirl_process_read(p, buf, sizeof(buf)), 0, "end of file when the child exits");
    swirl_process_status_t st;
    cr_assert_eq(swirl_process_wait(true, &st), pid);
    cr_assert_eq(st.code, 0);
    cr_assert_eq(st.signal, 0);
    swirl_process_free(p);
    assert_no_children();
    TU_FD_END();
}

static void upper_echo(swirl_process_t *p, void *u) {
    /* stdin and stdout are the pipe */
    char line[256];
    while (fgets(line, sizeof(line), stdin)) {
        for (char *c = line; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c -= 32;
        printf("%s", line);
        fflush(stdout);
    }
    printf("bye"); /* no newline, no flush: the exit flushes it */
}

Test(process, redirected_stdio_goes_through_the_pipe, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    /* no pipe asked for: redirection forces a stream pipe */
    cr_assert_eq(swirl_process_new(&p, upper_echo, NULL, true, SWIRL_PIPE_NONE), 0);
    cr_assert_geq(swirl_process_fd(p), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_gt(pid, 0);
    cr_assert_eq(swirl_process_write(p, "abc\n", 4), 4);
    char buf[64] = {0};
    read_all(p, buf, 4);
    cr_assert_str_eq(buf, "ABC\n");
    cr_assert_eq(shutdown(swirl_process_fd(p), SHUT_WR), 0); /* the child's stdin ends */
    memset(buf, 0, sizeof(buf));
    read_all(p, buf, 3);
    cr_assert_str_eq(buf, "bye");
    cr_assert_eq(wait_for(pid).code, 0);
    swirl_process_free(p);
    TU_FD_END();
}

static void exec_cat(swirl_process_t *p, void *u) {
    char *const argv[] = {"cat", NULL};
    swirl_process_exec(p, "/bin/cat", argv);
    _exit(99);
}

Test(process, exec_with_redirection_talks_to_the_program, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, exec_cat, NULL, true, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_gt(pid, 0);
    const char *msg = "round trip through /bin/cat\n";
    cr_assert_eq(swirl_process_write(p, msg, strlen(msg)), (ssize_t)strlen(msg));
    char buf[64] = {0};
    read_all(p, buf, strlen(msg));
    cr_assert_str_eq(buf, msg);
    /* cat got stdio and what the test runner left inheritable, nothing of
     * swirl's: every fd swirl opens is close-on-exec */
    char path[64], link[256];
    int extra = 0, inheritable = 0;
    for (int fd = 3; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)pid, fd);
        if (readlink(path, link, sizeof(link)) > 0)
            extra++;
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            inheritable++;
    }
    cr_assert_eq(extra, inheritable, "cat inherited %d fds beyond stdio, %d were inheritable",
                 extra, inheritable);
    swirl_process_close(p); /* cat reads end of file and exits */
    cr_assert_eq(swirl_process_close(p), SWIRL_ESTATE);
    swirl_process_status_t st = wait_for(pid);
    cr_assert_eq(st.code, 0);
    cr_assert_eq(st.signal, 0);
    swirl_process_free(p);
    TU_FD_END();
}

static void exec_missing(swirl_process_t *p, void *u) {
    int rc = swirl_process_exec(p, "/nonexistent/program", NULL);
    const char *msg = swirl_last_error_msg();
    swirl_process_write(p, msg, strlen(msg));
    swirl_process_exit(rc == -ENOENT ? 3 : 4);
}

Test(process, exec_of_a_missing_program_is_an_error_naming_it, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, exec_missing, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = swirl_process_read(p, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    cr_assert(strstr(buf, "/nonexistent/program"), "message: %s", buf);
    cr_assert_eq(wait_for(pid).code, 3);
    swirl_process_free(p);
    TU_FD_END();
}

static void dgram_writer(swirl_process_t *p, void *u) {
    static char big[1000];
    memset(big, 'b', sizeof(big));
    swirl_process_write(p, "a", 1);
    swirl_process_write(p, big, 100);
    swirl_process_write(p, big, 1000);
}

Test(process, datagram_pipe_keeps_message_boundaries, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, dgram_writer, NULL, false, SWIRL_PIPE_DGRAM), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_eq(wait_for(pid).code, 0); /* all three are queued by now */
    char buf[8192];
    cr_assert_eq(swirl_process_read(p, buf, sizeof(buf)), 1);
    cr_assert_eq(swirl_process_read(p, buf, sizeof(buf)), 100);
    /* too small a buffer: an error naming the size, and the message stays */
    cr_assert_eq(swirl_process_read(p, buf, 10), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "1000 bytes"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_read(p, buf, sizeof(buf)), 1000);
    swirl_process_free(p);
    TU_FD_END();
}

#define MB (1024 * 1024)

static void sum_reader(swirl_process_t *p, void *u) {
    char buf[65536];
    size_t total = 0;
    unsigned long sum = 0;
    while (total < MB) {
        ssize_t n = swirl_process_read(p, buf, sizeof(buf));
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            sum += (unsigned char)buf[i] * (unsigned long)((total + (size_t)i) % 251 + 1);
        total += (size_t)n;
    }
    char reply[64];
    int len = snprintf(reply, sizeof(reply), "%zu %lu", total, sum);
    swirl_process_write(p, reply, (size_t)len);
}

Test(process, one_megabyte_stream_write_arrives_whole, .timeout = 20) {
    TU_FD_BEGIN();
    char *data = malloc(MB);
    unsigned long sum = 0;
    for (size_t i = 0; i < MB; i++) {
        data[i] = (char)(i * 7 + 3);
        sum += (unsigned char)data[i] * (unsigned long)(i % 251 + 1);
    }
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, sum_reader, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_eq(swirl_process_write(p, data, MB), MB);
    char reply[64] = {0}, want[64];
    snprintf(want, sizeof(want), "%d %lu", MB, sum);
    read_all(p, reply, strlen(want));
    cr_assert_str_eq(reply, want);
    cr_assert_eq(wait_for(pid).code, 0);
    swirl_process_free(p);
    free(data);
    TU_FD_END();
}

/* ---- several children, the pipes watched in a loop ---------------------------------------- */

#define NCHILD 3

typedef struct {
    swirl_process_t *procs[NCHILD];
    int sibling_fds[NCHILD]; /* the parent's end of each pipe, by number */
    char got[NCHILD][64];
    int eof[NCHILD];
    int done;
    bool first_alive_at_others_eof;
} family_t;

static void child_reports(swirl_process_t *p, void *u) {
    family_t *f = u;
    /* the parent's ends of the other pipes are closed here */
    int open_siblings = 0;
    for (int i = 0; i < NCHILD; i++)
        if (f->procs[i] != p && f->sibling_fds[i] >= 0 && fcntl(f->sibling_fds[i], F_GETFD) >= 0) {
            /* the number may have been reused by our own end: check it is not ours */
            if (f->sibling_fds[i] != swirl_process_fd(p))
                open_siblings++;
        }
    char msg[64];
    int n = snprintf(msg, sizeof(msg), "%ld:%d", (long)getpid(), open_siblings);
    swirl_process_write(p, msg, (size_t)n);
    /* the first child lives on until the parent has seen the others end */
    if (p == f->procs[0]) {
        char go[8];
        swirl_process_read(p, go, sizeof(go));
    }
}

static void on_child_pipe(swirl_process_t *p, void *u) {
    family_t *f = u;
    int k = -1;
    for (int i = 0; i < NCHILD; i++)
        if (f->procs[i] == p)
            k = i;
    char buf[64];
    ssize_t n = swirl_process_read(p, buf, sizeof(buf) - 1);
    if (n == -EAGAIN)
        return;
    if (n > 0) {
        buf[n] = 0;
        size_t have = strlen(f->got[k]);
        if (have + (size_t)n < sizeof(f->got[k]))
            memcpy(f->got[k] + have, buf, (size_t)n + 1);
        return;
    }
    f->eof[k] = 1;
    swirl_process_unwatch(p);
    f->done++;
    if (k != 0 && f->done == NCHILD - 1) {
        /* children 1 and 2 ended while child 0, forked before their pipes
         * were used, is still running: it holds none of their ends */
        f->first_alive_at_others_eof = kill(swirl_process_pid(f->procs[0]), 0) == 0 && !f->eof[0];
        swirl_process_write(f->procs[0], "go", 2);
    }
}

Test(process, pipes_watched_right_after_each_fork_reach_only_their_parent, .timeout = 10) {
    /* The "wrong" order of seed 002: each pipe is watched before the next
     * fork. Each child must still see no sibling pipe, and each pipe must
     * end when its own child exits although later children hold nothing. */
    TU_FD_BEGIN();
    family_t f = {0};
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    for (int i = 0; i < NCHILD; i++) {
        cr_assert_eq(swirl_process_new(&f.procs[i], child_reports, &f, false, SWIRL_PIPE_STREAM),
                     0);
        f.sibling_fds[i] = swirl_process_fd(f.procs[i]);
    }
    pid_t pids[NCHILD];
    for (int i = 0; i < NCHILD; i++) {
        pids[i] = swirl_process_start(f.procs[i]);
        cr_assert_gt(pids[i], 0);
        cr_assert_eq(swirl_process_watch(f.procs[i], loop, on_child_pipe, &f), 0);
    }
    cr_assert_eq(swirl_process_watch(f.procs[0], loop, on_child_pipe, &f), SWIRL_ESTATE);
    while (f.done < NCHILD)
        cr_assert_geq(swirl_loop_run_once(loop, 5000), 0);
    cr_assert(f.first_alive_at_others_eof);
    for (int i = 0; i < NCHILD; i++) {
        char want[64];
        snprintf(want, sizeof(want), "%ld:0", (long)pids[i]);
        cr_assert_str_eq(f.got[i], want);
        cr_assert_eq(wait_for(pids[i]).code, 0);
        swirl_process_free(f.procs[i]);
    }
    swirl_loop_free(loop);
    assert_no_children();
    TU_FD_END();
}

static void loop_in_child(swirl_process_t *p, void *u) {
    /* the parent's loop was released in here; a fresh one works */
    swirl_loop_t *loop;
    if (swirl_loop_new(&loop) != 0)
        _exit(5);
    char buf[128];
    ssize_t n = swirl_process_read(p, buf, sizeof(buf));
    if (n > 0)
        swirl_process_write(p, buf, (size_t)n);
    swirl_loop_free(loop);
}

typedef struct {
    swirl_process_t *p;
    char got[128];
    size_t len;
} echo_t;

static void on_echo(swirl_process_t *p, void *u) {
    echo_t *e = u;
    ssize_t n = swirl_process_read(p, e->got + e->len, sizeof(e->got) - 1 - e->len);
    if (n > 0)
        e->len += (size_t)n;
    else if (n == 0)
        swirl_process_unwatch(p);
}

Test(process, writes_through_the_loop_when_watched, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    echo_t e = {0};
    cr_assert_eq(swirl_process_new(&e.p, loop_in_child, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(e.p);
    cr_assert_eq(swirl_process_watch(e.p, loop, on_echo, &e), 0);
    cr_assert_eq(swirl_process_write(e.p, "async hello", 11), 11);
    cr_assert_eq(swirl_loop_run(loop), 0); /* until the pipe ends and is unwatched */
    cr_assert_str_eq(e.got, "async hello");
    cr_assert_eq(wait_for(pid).code, 0);
    swirl_process_free(e.p);
    swirl_loop_free(loop);
    TU_FD_END();
}

/* ---- message queues ------------------------------------------------------------------------ */

static void pop_three(swirl_process_t *p, void *u) {
    int pipefd = *(int *)u;
    char buf[8192];
    for (int i = 0; i < 3; i++) {
        ssize_t n = swirl_process_pop(p, buf, sizeof(buf));
        if (n <= 0)
            _exit(2);
        buf[n] = '\n';
        if (write(pipefd, buf, (size_t)n + 1) < 0)
            _exit(3);
    }
}

Test(process, queue_messages_pushed_before_start_are_popped_by_the_child, .timeout = 10) {
    TU_FD_BEGIN();
    int fds[2];
    cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, pop_three, &fds[1], false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_process_stat_queue(p, NULL, NULL), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_use_queue(p, 0, 2), 0);
    cr_assert_eq(swirl_process_push(p, "one", 3), 0);
    cr_assert_eq(swirl_process_push(p, "two", 3), 0);
    cr_assert_eq(swirl_process_push(p, "three", 5), 0);
    size_t msgs = 0, bytes = 0;
    cr_assert_eq(swirl_process_stat_queue(p, &msgs, &bytes), 0);
    cr_assert_eq(msgs, 3);
    cr_assert_eq(bytes, 11);
    pid_t pid = swirl_process_start(p);
    close(fds[1]);
    char buf[64] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    cr_assert_str_eq(buf, "one\ntwo\nthree\n");
    cr_assert_eq(wait_for(pid).code, 0);
    cr_assert_eq(swirl_process_stat_queue(p, &msgs, &bytes), 0);
    cr_assert_eq(msgs, 0);
    cr_assert_eq(tu_queues_sent_by(getpid()), 1);
    cr_assert_eq(swirl_process_free_queue(p), 0);
    cr_assert_eq(tu_queues_sent_by(getpid()), 0, "the private queue is gone");
    swirl_process_free(p);
    TU_FD_END();
}

static void pop_one_then_die(swirl_process_t *p, void *u) {
    char buf[64];
    ssize_t n = swirl_process_pop(p, buf, sizeof(buf));
    swirl_process_exit(n == 5 && memcmp(buf, "msg-0", 5) == 0 ? 9 : 8);
}

Test(process, queue_messages_outlive_their_reader_and_go_with_free_queue, .timeout = 10) {
    TU_FD_BEGIN();
    key_t key = (key_t)(0x5e000000 | (getpid() & 0xffffff));
    swirl_process_t *writer, *reader1, *reader2;
    cr_assert_eq(swirl_process_new(&writer, noop, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_use_queue(writer, key, SWIRL_MSGQUEUE_BALANCE), 0);
    for (int i = 0; i < 4; i++) {
        char m[16];
        int len = snprintf(m, sizeof(m), "msg-%d", i);
        cr_assert_eq(swirl_process_push(writer, m, (size_t)len), 0);
    }
    /* a first reader takes one and dies */
    cr_assert_eq(swirl_process_new(&reader1, pop_one_then_die, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_use_queue(reader1, key, 0), 0);
    pid_t pid = swirl_process_start(reader1);
    cr_assert_eq(wait_for(pid).code, 9);
    /* a later one, which did not exist when they were pushed, gets the rest */
    cr_assert_eq(swirl_process_new(&reader2, noop, NULL, false, 0), 0);
    cr_assert_eq(
        swirl_process_use_queue(reader2, key, SWIRL_MSGQUEUE_BALANCE | SWIRL_PROCESS_IPC_NOWAIT),
        0);
    char buf[64];
    for (int i = 1; i < 4; i++) {
        ssize_t n = swirl_process_pop(reader2, buf, sizeof(buf));
        cr_assert_eq(n, 5);
        cr_assert_eq(buf[4], '0' + i);
    }
    cr_assert_eq(swirl_process_pop(reader2, buf, sizeof(buf)), -EAGAIN);
    cr_assert(queue_exists(key));
    cr_assert_eq(swirl_process_free_queue(writer), 0);
    cr_assert(!queue_exists(key), "free_queue removed the queue");
    cr_assert_eq(swirl_process_free_queue(writer), SWIRL_ESTATE);
    cr_assert_lt(swirl_process_pop(reader2, buf, sizeof(buf)), 0);
    swirl_process_free(writer);
    swirl_process_free(reader1);
    swirl_process_free(reader2);
    TU_FD_END();
}

static void pop_own(swirl_process_t *p, void *u) {
    char buf[64];
    ssize_t n = swirl_process_pop(p, buf, sizeof(buf));
    if (n <= 0)
        _exit(2);
    buf[n] = 0;
    swirl_process_exit(atoi(buf)); /* what it got, as its exit code */
}

Test(process, orient_queue_delivers_to_the_process_pushed_through, .timeout = 10) {
    TU_FD_BEGIN();
    key_t key = (key_t)(0x5f000000 | (getpid() & 0xffffff));
    swirl_process_t *a, *b;
    cr_assert_eq(swirl_process_new(&a, pop_own, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_new(&b, pop_own, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_use_queue(a, key, SWIRL_MSGQUEUE_ORIENT), 0);
    cr_assert_eq(swirl_process_use_queue(b, key, SWIRL_MSGQUEUE_ORIENT), 0);
    /* b's message first: a must still get its own */
    cr_assert_eq(swirl_process_push(b, "22", 2), 0);
    cr_assert_eq(swirl_process_push(a, "11", 2), 0);
    pid_t pa = swirl_process_start(a), pb = swirl_process_start(b);
    cr_assert_eq(wait_for(pa).code, 11);
    cr_assert_eq(wait_for(pb).code, 22);
    cr_assert_eq(swirl_process_free_queue(a), 0);
    swirl_process_free(a);
    swirl_process_free(b);
    TU_FD_END();
}

Test(process, queue_bad_inputs, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, noop, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_use_queue(p, 0, 7), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "mode 7"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_pop(p, NULL, 0), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_use_queue(p, 0, SWIRL_MSGQUEUE_BALANCE | SWIRL_PROCESS_IPC_NOWAIT),
                 0);
    char buf[16];
    cr_assert_eq(swirl_process_pop(p, buf, sizeof(buf)), -EAGAIN);
    cr_assert(strstr(swirl_last_error_msg(), "empty"));
    static char big[70000];
    cr_assert_eq(swirl_process_push(p, big, sizeof(big)), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "70000 bytes"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_push(p, big, 0), SWIRL_EBADARG);
    /* a message longer than the buffer stays in the queue */
    cr_assert_eq(swirl_process_push(p, "0123456789abcdefXYZ", 19), 0);
    cr_assert_eq(swirl_process_pop(p, buf, sizeof(buf)), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "longer than 16 bytes"), "%s", swirl_last_error_msg());
    char big_buf[64];
    cr_assert_eq(swirl_process_pop(p, big_buf, sizeof(big_buf)), 19);
    /* fill it: a non-blocking push then says so */
    int rc = 0, pushed = 0;
    while ((rc = swirl_process_push(p, big, 8000)) == 0)
        pushed++;
    cr_assert_eq(rc, -EAGAIN);
    cr_assert_gt(pushed, 0);
    cr_assert(strstr(swirl_last_error_msg(), "full"));
    cr_assert_eq(swirl_process_free_queue(p), 0);
    swirl_process_free(p);
    TU_FD_END();
}

/* ---- wait, kill, exit ---------------------------------------------------------------------- */

static void exit_seven(swirl_process_t *p, void *u) { swirl_process_exit(7); }
static void sleep_long(swirl_process_t *p, void *u) {
    for (;;)
        pause();
}

Test(process, wait_reports_exit_codes_and_signals, .timeout = 10) {
    TU_FD_BEGIN();
    cr_assert_eq(swirl_process_wait(false, NULL), -ECHILD);
    cr_assert_eq(swirl_process_wait(true, NULL), -ECHILD);
    swirl_process_t *a, *b;
    cr_assert_eq(swirl_process_new(&a, exit_seven, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_new(&b, sleep_long, NULL, false, 0), 0);
    pid_t pb = swirl_process_start(b);
    cr_assert_eq(swirl_process_wait(false, NULL), 0, "nothing has ended yet");
    pid_t pa = swirl_process_start(a);
    swirl_process_status_t st = {0};
    cr_assert_eq(swirl_process_wait(true, &st), pa);
    cr_assert_eq(st.pid, pa);
    cr_assert_eq(st.code, 7);
    cr_assert_eq(st.signal, 0);
    cr_assert_eq(swirl_process_kill(pb, 0), 0, "alive");
    cr_assert_eq(swirl_process_kill(pb, SIGKILL), 0);
    cr_assert_eq(swirl_process_wait(true, &st), pb);
    cr_assert_eq(st.code, 0);
    cr_assert_eq(st.signal, SIGKILL);
    cr_assert_eq(swirl_process_kill(pb, 0), -ESRCH, "reaped: gone");
    cr_assert_eq(swirl_process_kill(0, SIGTERM), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_kill(-1, SIGTERM), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "pid -1"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_kill(getpid(), 1000), SWIRL_EBADARG);
    swirl_process_free(a);
    swirl_process_free(b);
    assert_no_children();
    TU_FD_END();
}

static void exit_zero_flushes(swirl_process_t *p, void *u) {
    printf("buffered"); /* stdout is the pipe, fully buffered until exit */
    swirl_process_exit(0);
}

Test(process, exit_zero_flushes_stdio, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, exit_zero_flushes, NULL, true, 0), 0);
    pid_t pid = swirl_process_start(p);
    char buf[32] = {0};
    read_all(p, buf, 8);
    cr_assert_str_eq(buf, "buffered");
    cr_assert_eq(wait_for(pid).code, 0);
    swirl_process_free(p);
    TU_FD_END();
}

/* ---- daemon -------------------------------------------------------------------------------- */

static void become_daemon(swirl_process_t *p, void *u) {
    const char *path = u;
    if (swirl_process_daemon(false, false) != 0)
        _exit(2);
    char cwd[256] = "", in[256] = "";
    if (!getcwd(cwd, sizeof(cwd)))
        strcpy(cwd, "?");
    ssize_t n = readlink("/proc/self/fd/0", in, sizeof(in) - 1);
    if (n > 0)
        in[n] = 0;
    char tmp[300];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%ld %ld %s %s\n", (long)getpid(), (long)getsid(0), cwd, in);
        fclose(f);
        rename(tmp, path);
    }
    for (;;)
        pause();
}

Test(process, daemon_detaches_into_its_own_session, .timeout = 10) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "daemon");
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, become_daemon, path, false, 0), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_eq(wait_for(pid).code, 0, "the process that called daemon exits 0");
    FILE *f = NULL;
    for (int i = 0; i < 500 && !(f = fopen(path, "r")); i++)
        usleep(10000);
    cr_assert_not_null(f, "the daemon wrote nothing");
    long dpid, sid;
    char cwd[256], in[256];
    cr_assert_eq(fscanf(f, "%ld %ld %255s %255s", &dpid, &sid, cwd, in), 4);
    fclose(f);
    unlink(path);
    cr_assert_eq(sid, dpid, "a session of its own");
    cr_assert_neq(dpid, (long)pid);
    cr_assert_str_eq(cwd, "/");
    cr_assert_str_eq(in, "/dev/null");
    cr_assert_eq(swirl_process_kill((pid_t)dpid, SIGKILL), 0);
    swirl_process_free(p);
    TU_FD_END();
}

/* ---- signals and alarms in the loop --------------------------------------------------------- */

typedef struct {
    int ticks;
    int reaped;
    pid_t pids[3];
} sig_state_t;

static void on_alarm(swirl_loop_t *loop, int signo, void *user) {
    sig_state_t *s = user;
    if (++s->ticks == 3) {
        swirl_process_alarm(0, SWIRL_ALARM_REAL);
        swirl_process_signal(loop, SIGALRM, NULL, NULL);
    }
}

Test(process, alarm_ticks_until_stopped, .timeout = 10) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    sig_state_t s = {0};
    cr_assert_eq(swirl_process_signal(loop, SIGALRM, on_alarm, &s), 0);
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_process_alarm(20000, SWIRL_ALARM_REAL), 0);
    cr_assert_eq(swirl_loop_run(loop), 0); /* ends when the signal is no longer watched */
    cr_assert_eq(s.ticks, 3);
    cr_assert_geq(swirl_clock_ms() - t0, 55, "three 20 ms periods");
    cr_assert_eq(swirl_process_alarm(1000, 5), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "type 5"));
    swirl_loop_free(loop);
}

static void on_sigchld(swirl_loop_t *loop, int signo, void *user) {
    sig_state_t *s = user;
    swirl_process_status_t st;
    pid_t pid;
    /* several children may end for one signal: wait until none is left */
    while ((pid = swirl_process_wait(false, &st)) > 0) {
        for (int i = 0; i < 3; i++)
            if (s->pids[i] == pid && st.code == 7)
                s->reaped++;
    }
    if (s->reaped == 3)
        swirl_process_signal(loop, SIGCHLD, NULL, NULL);
}

Test(process, sigchld_in_the_loop_reaps_every_child, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    sig_state_t s = {0};
    cr_assert_eq(swirl_process_signal(loop, SIGCHLD, on_sigchld, &s), 0);
    swirl_process_t *p[3];
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(swirl_process_new(&p[i], exit_seven, NULL, false, 0), 0);
        s.pids[i] = swirl_process_start(p[i]);
    }
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(s.reaped, 3);
    cr_assert_eq(swirl_process_signal(NULL, SIGCHLD, on_sigchld, &s), SWIRL_EBADARG);
    for (int i = 0; i < 3; i++)
        swirl_process_free(p[i]);
    swirl_loop_free(loop);
    assert_no_children();
    TU_FD_END();
}

/* ---- affinity and names -------------------------------------------------------------------- */

static void pin_to_cpu0(swirl_process_t *p, void *u) {
    int bad = swirl_cpu_num() + 5;
    int rc = swirl_process_set_affinity(&bad, 1);
    char msg[300];
    int n = snprintf(msg, sizeof(msg), "%d|%s|", rc, swirl_last_error_msg());
    int zero = 0;
    rc = swirl_process_set_affinity(&zero, 1);
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%d|%d|%d", rc, CPU_COUNT(&set),
                  CPU_ISSET(0, &set) ? 1 : 0);
    swirl_process_write(p, msg, (size_t)n);
}

Test(process, affinity_to_cpu0_and_to_a_cpu_that_does_not_exist, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, pin_to_cpu0, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    char buf[300] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = swirl_process_read(p, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    cr_assert_eq(wait_for(pid).code, 0);
    char want[200];
    int bad = swirl_cpu_num() + 5;
    snprintf(want, sizeof(want), "%d|affinity: CPU %d does not exist", SWIRL_EBADARG, bad);
    cr_assert(strncmp(buf, want, strlen(want)) == 0, "got %s", buf);
    cr_assert(strstr(buf, "|0|1|1"), "pinned to CPU 0 only: %s", buf);
    int none = 0;
    cr_assert_eq(swirl_process_set_affinity(&none, 0), SWIRL_EBADARG);
    swirl_process_free(p);
    TU_FD_END();
}

static void named(swirl_process_t *p, void *u) {
    swirl_process_set_name("swirl-proc-test");
    swirl_process_write(p, "r", 1);
    char c;
    swirl_process_read(p, &c, 1); /* until the parent has looked */
}

Test(process, name_shows_in_proc, .timeout = 10) {
    TU_FD_BEGIN();
    cr_assert_eq(swirl_process_set_name(""), SWIRL_EBADARG);
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, named, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    char c;
    cr_assert_eq(swirl_process_read(p, &c, 1), 1);
    char path[64], comm[64] = {0}, cmdline[256] = {0};
    snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(comm, sizeof(comm), f));
    fclose(f);
    cr_assert_str_eq(comm, "swirl-proc-test\n");
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_gt(fread(cmdline, 1, sizeof(cmdline) - 1, f), 0);
    fclose(f);
    cr_assert_str_eq(cmdline, "swirl-proc-test", "ps shows the title");
    swirl_process_close(p);
    cr_assert_eq(wait_for(pid).code, 0);
    swirl_process_free(p);
    TU_FD_END();
}

/* ---- a child dies with its parent ---------------------------------------------------------- */

static void grandchild(swirl_process_t *p, void *u) {
    for (;;)
        pause();
}

static void parent_of_one(swirl_process_t *p, void *u) {
    swirl_process_t *g;
    if (swirl_process_new(&g, grandchild, NULL, false, 0) != 0)
        _exit(2);
    if (u && swirl_process_set_pdeathsig(g, 0) != 0) /* asked to outlive us */
        _exit(3);
    pid_t pid = swirl_process_start(g);
    swirl_process_write(p, &pid, sizeof(pid));
    for (;;)
        pause();
}

/* True once `pid` is gone or a zombie (PID 1 may not reap it here). */
static bool dead(pid_t pid) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    bool zombie = false;
    if (fgets(line, sizeof(line), f)) {
        char *rp = strrchr(line, ')');
        zombie = rp && rp[1] == ' ' && rp[2] == 'Z';
    }
    fclose(f);
    return zombie;
}

Test(process, a_child_dies_with_its_parent, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, parent_of_one, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    pid_t g = 0;
    read_all(p, (char *)&g, sizeof(g));
    cr_assert_gt(g, 0);
    cr_assert(!dead(g));
    kill(pid, SIGKILL);
    cr_assert_eq(wait_for(pid).signal, SIGKILL);
    for (int i = 0; i < 300 && !dead(g); i++)
        usleep(10000);
    cr_assert(dead(g), "the grandchild outlived its parent");
    swirl_process_free(p);
    TU_FD_END();
}

Test(process, without_pdeathsig_a_child_outlives_its_parent, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, parent_of_one, (void *)1, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    pid_t g = 0;
    read_all(p, (char *)&g, sizeof(g));
    cr_assert_gt(g, 0);
    kill(pid, SIGKILL);
    cr_assert_eq(wait_for(pid).signal, SIGKILL);
    usleep(300000);
    cr_assert(!dead(g), "the grandchild died with its parent although pdeathsig was 0");
    kill(g, SIGKILL); /* reparented: not ours to reap */
    for (int i = 0; i < 300 && !dead(g); i++)
        usleep(10000);
    cr_assert(dead(g));
    swirl_process_free(p);
    TU_FD_END();
}

/* ---- setTimeout, setBlocking, id, priority, affinity, stdio_from -------------------------- */

static void wait_for_parent(swirl_process_t *p, void *u) {
    char c;
    swirl_process_read(p, &c, 1);
}

Test(process, read_timeout_and_non_blocking, .timeout = 10) {
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, wait_for_parent, NULL, false, SWIRL_PIPE_STREAM), 0);
    pid_t pid = swirl_process_start(p);
    cr_assert_gt(pid, 0);
    char buf[8];
    cr_assert_eq(swirl_process_set_timeout(p, 0.05), 0);
    cr_assert_eq(swirl_process_read(p, buf, sizeof buf), -ETIMEDOUT);
    cr_assert_eq(swirl_last_error(), -ETIMEDOUT);
    cr_assert_eq(swirl_process_set_timeout(p, -1), 0);
    cr_assert_eq(swirl_process_set_blocking(p, false), 0);
    cr_assert_eq(swirl_process_read(p, buf, sizeof buf), -EAGAIN);
    cr_assert_eq(swirl_process_set_blocking(p, true), 0);
    cr_assert_eq(swirl_process_set_timeout(p, 0.0 / 0.0), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_write(p, "x", 1), 1);
    swirl_process_status_t st = wait_for(pid);
    cr_assert_eq(st.code, 0);
    swirl_process_free(p);

    swirl_process_t *np;
    cr_assert_eq(swirl_process_new(&np, noop, NULL, false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_process_set_timeout(np, 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_set_blocking(np, false), SWIRL_ESTATE);
    swirl_process_free(np);
}

Test(process, ids_count_from_one_in_creation_order, .timeout = 5) {
    swirl_process_t *a, *b;
    cr_assert_eq(swirl_process_new(&a, noop, NULL, false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_process_new(&b, noop, NULL, false, SWIRL_PIPE_NONE), 0);
    cr_assert_eq(swirl_process_id(b), swirl_process_id(a) + 1);
    cr_assert_geq(swirl_process_id(a), 1);
    swirl_process_free(a);
    swirl_process_free(b);
}

Test(process, priority_and_its_errors, .timeout = 5) {
    swirl_process_t *p;
    cr_assert_eq(swirl_process_new(&p, noop, NULL, false, SWIRL_PIPE_NONE), 0);
    int self = 0, prio = -100;
    cr_assert_eq(swirl_process_get_priority(p, PRIO_PROCESS, &self, &prio), 0);
    cr_assert_eq(swirl_process_set_priority(p, PRIO_PROCESS, &self, prio + 1 > 19 ? 19 : prio + 1), 0);
    int now;
    cr_assert_eq(swirl_process_get_priority(p, PRIO_PROCESS, &self, &now), 0);
    cr_assert_eq(now, prio + 1 > 19 ? 19 : prio + 1);
    cr_assert_eq(swirl_process_get_priority(p, -1000, &self, &now), -EINVAL);
    cr_assert_eq(swirl_process_set_priority(p, -1000, &self, 5), -EINVAL);
    cr_assert_eq(swirl_process_get_priority(p, PRIO_USER, NULL, &now), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "must not be null"));
    swirl_process_free(p);
}

Test(process, affinity_lists_the_allowed_cpus, .timeout = 5) {
    int n = swirl_process_get_affinity(NULL, 0);
    cr_assert_geq(n, 1);
    int cpus[CPU_SETSIZE];
    cr_assert_eq(swirl_process_get_affinity(cpus, CPU_SETSIZE), n);
    for (int i = 1; i < n; i++)
        cr_assert_lt(cpus[i - 1], cpus[i]);
}

Test(process, stdio_from_moves_stdout, .timeout = 5) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int fds[3] = {-1, sv[1], -1};
        if (swirl_process_stdio_from(fds) != 0)
            _exit(2);
        if (write(STDOUT_FILENO, "ok", 2) != 2)
            _exit(3);
        _exit(0);
    }
    close(sv[1]);
    char buf[4] = {0};
    cr_assert_eq(read(sv[0], buf, 2), 2);
    cr_assert_str_eq(buf, "ok");
    close(sv[0]);
    swirl_process_status_t st = wait_for(pid);
    cr_assert_eq(st.code, 0);
    int bad[3] = {999, -1, -1};
    cr_assert_eq(swirl_process_stdio_from(bad), -EBADF);
}
