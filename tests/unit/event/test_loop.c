/* tests/unit/event/test_loop.c — fd registration, dispatch, stale events,
 * buffered writes and their limits, deferred calls, stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "testutil.h"

static void make_pair(int sv[2]) {
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
}

Test(loop, empty_loop_returns_at_once, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_str_eq(swirl_loop_backend(loop), "epoll");
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(swirl_loop_run_once(loop, 0), 0);
    /* "until something happens" with nothing that could: it waited for ever */
    cr_assert_eq(swirl_loop_run_once(loop, -1), 0);
    swirl_loop_free(loop);
    swirl_loop_free(NULL);
    TU_FD_END();
}

typedef struct {
    int reads;
    int writes;
    int last_events;
    char data[64];
} io_state_t;

static void read_and_del(swirl_loop_t *loop, int fd, int events, void *user) {
    io_state_t *st = user;
    st->reads++;
    st->last_events = events;
    ssize_t n = read(fd, st->data, sizeof(st->data) - 1);
    if (n > 0)
        st->data[n] = 0;
    swirl_loop_del(loop, fd);
}

Test(loop, read_callback_gets_data_then_loop_ends, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    io_state_t st = {0};
    make_pair(sv);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, read_and_del, NULL, &st), 0);
    cr_assert(swirl_loop_has(loop, sv[0]));
    cr_assert_eq(write(sv[1], "ping", 4), 4);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(st.reads, 1);
    cr_assert(st.last_events & SWIRL_EV_READ);
    cr_assert_str_eq(st.data, "ping");
    cr_assert_not(swirl_loop_has(loop, sv[0]));
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

static void never(swirl_loop_t *loop, int fd, int events, void *user) {
    cr_assert_fail("callback for fd %d must not run (events 0x%x)", fd, events);
}

Test(loop, bad_registrations_are_clear_errors, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    make_pair(sv);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, -1, SWIRL_EV_READ, never, NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "-1"));
    cr_assert_eq(swirl_loop_add(loop, sv[0], 0, never, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, NULL, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_WRITE, never, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_add(loop, sv[0], 0x40, never, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, never, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, never, NULL, NULL), SWIRL_EEXISTS);
    cr_assert(strstr(swirl_last_error_msg(), "already registered"));
    cr_assert_eq(swirl_loop_set(loop, sv[1], SWIRL_EV_READ, never, NULL), SWIRL_ENOTREG);
    cr_assert_eq(swirl_loop_set(loop, sv[0], SWIRL_EV_WRITE, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_del(loop, sv[1]), SWIRL_ENOTREG);
    cr_assert_eq(swirl_loop_write(loop, sv[1], "x", 1), SWIRL_ENOTREG);
    cr_assert_eq(swirl_loop_set_write_limit(loop, sv[1], 10), SWIRL_ENOTREG);
    /* A regular file or /dev/null cannot be polled: the backend's error
     * comes back, naming the fd and why. */
    const char *unpollable[] = {"/proc/self/stat", "/dev/null"};
    for (int i = 0; i < 2; i++) {
        int file = open(unpollable[i], O_RDONLY | O_CLOEXEC);
        cr_assert_geq(file, 0);
        cr_assert_eq(swirl_loop_add(loop, file, SWIRL_EV_READ, never, NULL, NULL), -EPERM);
        char want[32];
        snprintf(want, sizeof(want), "fd %d: epoll cannot watch", file);
        cr_assert(strstr(swirl_last_error_msg(), want), "%s", swirl_last_error_msg());
        cr_assert_not(swirl_loop_has(loop, file));
        close(file);
    }
    cr_assert_eq(swirl_loop_del(loop, sv[0]), 0);
    cr_assert_eq(swirl_loop_run(loop), 0); /* nothing left: returns */
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

/* A callback removes and closes another ready fd, then registers a fresh
 * fd that reuses its number: the event collected for the old fd must not
 * reach the new registration. */
typedef struct {
    int victim; /* fd to close */
    int reused; /* the new fd that took its number */
    int peer;   /* other end of the new pair */
    int victim_peer;
    int fired;
} stale_t;

static void killer(swirl_loop_t *loop, int fd, int events, void *user) {
    stale_t *st = user;
    char c;
    cr_assert_eq(read(fd, &c, 1), 1);
    st->fired++;
    swirl_loop_del(loop, fd);
    /* epoll reports in the order fds became ready: a before b */
    cr_assert(swirl_loop_has(loop, st->victim), "the victim ran first; the test proves nothing");
    swirl_loop_del(loop, st->victim);
    close(st->victim);
    int sv[2];
    make_pair(sv);
    if (sv[0] != st->victim) { /* make the new fd take the victim's number */
        cr_assert_eq(dup3(sv[0], st->victim, O_CLOEXEC), st->victim);
        close(sv[0]);
    }
    st->reused = st->victim;
    st->peer = sv[1];
    cr_assert_eq(swirl_loop_add(loop, st->reused, SWIRL_EV_READ, never, NULL, NULL), 0);
}

static void victim_cb(swirl_loop_t *loop, int fd, int events, void *user) {
    stale_t *st = user;
    char c;
    cr_assert_eq(read(fd, &c, 1), 1);
    st->fired++;
    swirl_loop_del(loop, fd);
}

Test(loop, stale_events_of_a_removed_fd_are_skipped, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int a[2], b[2];
    stale_t st = {.reused = -1, .peer = -1};
    make_pair(a);
    make_pair(b);
    st.victim = b[0];
    st.victim_peer = b[1];
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, a[0], SWIRL_EV_READ, killer, NULL, &st), 0);
    cr_assert_eq(swirl_loop_add(loop, b[0], SWIRL_EV_READ, victim_cb, NULL, &st), 0);
    cr_assert_eq(write(a[1], "a", 1), 1);
    cr_assert_eq(write(b[1], "b", 1), 1);
    /* Both are ready in the same epoll_wait; epoll reports in ready-list order. */
    cr_assert_geq(swirl_loop_run_once(loop, 1000), 0);
    cr_assert_eq(st.fired, 1);
    cr_assert_eq(st.reused, b[0]);
    /* the new fd is idle; one more round must not call `never` either */
    cr_assert_geq(swirl_loop_run_once(loop, 0), 0);
    swirl_loop_del(loop, st.reused);
    close(st.reused);
    close(st.peer);
    swirl_loop_free(loop);
    close(a[0]);
    close(a[1]);
    close(b[1]);
    TU_FD_END();
}

/* ---- deferred calls ---------------------------------------------------------------------- */

typedef struct {
    int order[16];
    int n;
    swirl_loop_t *loop;
} defer_log_t;

static void rec(swirl_loop_t *loop, void *user);
static int defer_tag[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static defer_log_t *g_log; /* test-local: Criterion runs each test in its own process */

static void rec(swirl_loop_t *loop, void *user) {
    int tag = *(int *)user;
    g_log->order[g_log->n++] = tag;
    if (tag == 1) /* deferred from a deferred call: next iteration */
        cr_assert_eq(swirl_loop_defer(loop, rec, &defer_tag[7]), 0);
}

Test(loop, deferred_calls_run_once_in_order, .timeout = 5) {
    TU_FD_BEGIN();
    defer_log_t log = {0};
    g_log = &log;
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(swirl_loop_defer(loop, rec, &defer_tag[i]), 0);
    cr_assert_eq(swirl_loop_defer(loop, NULL, NULL), SWIRL_EBADARG);
    /* first iteration: 0..3 run (1 defers 7), and 7 waits */
    cr_assert_eq(swirl_loop_run_once(loop, -1), 1);
    cr_assert_eq(log.n, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(log.order[i], i);
    cr_assert_eq(swirl_loop_run_once(loop, -1), 0);
    cr_assert_eq(log.n, 5);
    cr_assert_eq(log.order[4], 7);
    cr_assert_eq(swirl_loop_run(loop), 0); /* nothing runs twice */
    cr_assert_eq(log.n, 5);
    swirl_loop_free(loop);
    TU_FD_END();
}

Test(loop, free_discards_pending_defers_without_running, .timeout = 5) {
    TU_FD_BEGIN();
    defer_log_t log = {0};
    g_log = &log;
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_defer(loop, rec, &defer_tag[2]), 0);
    swirl_loop_free(loop); /* must not leak (ASan checks) nor run it */
    cr_assert_eq(log.n, 0);
    TU_FD_END();
}

/* ---- stop -------------------------------------------------------------------------------- */

static void stop_on_read(swirl_loop_t *loop, int fd, int events, void *user) {
    char c;
    cr_assert_eq(read(fd, &c, 1), 1);
    (*(int *)user)++;
    swirl_loop_stop(loop);
}

Test(loop, stop_returns_with_fds_still_registered, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2], calls = 0;
    make_pair(sv);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, stop_on_read, NULL, &calls), 0);
    cr_assert_eq(write(sv[1], "ab", 2), 2);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(calls, 1);
    cr_assert(swirl_loop_has(loop, sv[0]));
    cr_assert_eq(swirl_loop_run(loop), 0); /* can run again: stop was consumed */
    cr_assert_eq(calls, 2);
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

/* ---- buffered writes --------------------------------------------------------------------- */

#define SLOW_TOTAL (4u * 1024 * 1024)

typedef struct {
    int rfd;
    size_t received;
    bool mismatch;
    size_t first_bad;
} slow_reader_t;

static unsigned char pattern(size_t i) { return (unsigned char)((i * 7 + i / 251) % 253); }

static void slow_read_tick(swirl_loop_t *loop, int64_t id, void *user) {
    slow_reader_t *r = user;
    unsigned char buf[32 * 1024]; /* a little per tick: the writer must buffer */
    ssize_t n = read(r->rfd, buf, sizeof(buf));
    for (ssize_t i = 0; i < n; i++, r->received++)
        if (!r->mismatch && buf[i] != pattern(r->received)) {
            r->mismatch = true;
            r->first_bad = r->received;
        }
    if (r->received >= SLOW_TOTAL)
        swirl_timer_clear(loop, id);
}

static void no_read(swirl_loop_t *loop, int fd, int events, void *user) {}

Test(loop, buffered_write_to_slow_reader_delivers_every_byte_in_order, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    make_pair(sv);
    int small = 16 * 1024;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    cr_assert_eq(swirl_loop_new(&loop), 0);
    /* The writer only asks for reads; the loop arms writability itself. */
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, no_read, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_set_write_limit(loop, sv[0], SLOW_TOTAL), 0);
    unsigned char *data = malloc(SLOW_TOTAL);
    for (size_t i = 0; i < SLOW_TOTAL; i++)
        data[i] = pattern(i);
    /* Uneven chunk sizes, so chunk boundaries fall everywhere. */
    size_t off = 0, chunk = 1;
    while (off < SLOW_TOTAL) {
        size_t n = chunk < SLOW_TOTAL - off ? chunk : SLOW_TOTAL - off;
        cr_assert_eq(swirl_loop_write(loop, sv[0], data + off, n), (ssize_t)n);
        off += n;
        chunk = chunk * 3 % 65521 + 1;
    }
    cr_assert_gt(swirl_loop_pending(loop, sv[0]), 0, "the peer cannot have taken 4 MiB yet");
    slow_reader_t r = {.rfd = sv[1]};
    cr_assert_gt(swirl_timer_tick(loop, 1, slow_read_tick, &r), 0);
    while (r.received < SLOW_TOTAL)
        cr_assert_geq(swirl_loop_run_once(loop, 100), 0);
    cr_assert_not(r.mismatch, "byte %zu out of order", r.first_bad);
    cr_assert_eq(r.received, SLOW_TOTAL);
    cr_assert_eq(swirl_loop_pending(loop, sv[0]), 0);
    free(data);
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

Test(loop, full_write_buffer_refuses_the_whole_write, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    make_pair(sv);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, no_read, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_set_write_limit(loop, sv[0], 64 * 1024), 0);
    char chunk[4096];
    memset(chunk, 'x', sizeof(chunk));
    ssize_t rc;
    int accepted = 0;
    /* The peer never reads: the kernel fills, then the buffer fills. */
    while ((rc = swirl_loop_write(loop, sv[0], chunk, sizeof(chunk))) == (ssize_t)sizeof(chunk))
        cr_assert_lt(++accepted, 100000);
    cr_assert_eq(rc, SWIRL_EBUFFULL);
    cr_assert_str_eq(swirl_strerror(SWIRL_EBUFFULL), "write buffer full");
    cr_assert(strstr(swirl_last_error_msg(), "limit 65536"), "%s", swirl_last_error_msg());
    size_t pending = swirl_loop_pending(loop, sv[0]);
    cr_assert_gt(pending, 0);
    cr_assert_leq(pending, 64 * 1024);
    /* refused writes leave the buffer untouched; a write that fits still goes in */
    cr_assert_eq(swirl_loop_write(loop, sv[0], chunk, sizeof(chunk)), SWIRL_EBUFFULL);
    cr_assert_eq(swirl_loop_pending(loop, sv[0]), pending);
    size_t room = 64 * 1024 - pending;
    if (room > 0)
        cr_assert_eq(swirl_loop_write(loop, sv[0], chunk, room < 4096 ? room : 4096),
                     (ssize_t)(room < 4096 ? room : 4096));
    /* a single write over the limit is refused even on an empty buffer */
    int c[2];
    make_pair(c);
    cr_assert_eq(swirl_loop_add(loop, c[0], SWIRL_EV_READ, no_read, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_set_write_limit(loop, c[0], 100), 0);
    cr_assert_eq(swirl_loop_write(loop, c[0], chunk, 101), SWIRL_EBUFFULL);
    cr_assert_eq(swirl_loop_write(loop, c[0], chunk, 100), 100);
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    close(c[0]);
    close(c[1]);
    TU_FD_END();
}

static void err_read(swirl_loop_t *loop, int fd, int events, void *user) {
    io_state_t *st = user;
    st->reads++;
    st->last_events |= events;
    char buf[16];
    if (read(fd, buf, sizeof(buf)) <= 0 || (events & SWIRL_EV_ERROR)) {
        swirl_loop_del(loop, fd);
    }
}

Test(loop, write_to_a_closed_peer_is_an_error_not_a_signal, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    make_pair(sv);
    close(sv[1]);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, no_read, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_write(loop, sv[0], "x", 1), -EPIPE); /* and no SIGPIPE */
    cr_assert_eq(swirl_loop_fd_error(loop, sv[0]), -EPIPE);
    cr_assert_eq(swirl_loop_write(loop, sv[0], "x", 1), -EPIPE); /* stays broken */
    swirl_loop_free(loop);
    close(sv[0]);
    TU_FD_END();
}

Test(loop, failed_flush_reaches_the_owner_as_an_error_event, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    make_pair(sv);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    cr_assert_eq(swirl_loop_new(&loop), 0);
    io_state_t st = {0};
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, err_read, NULL, &st), 0);
    static char big[256 * 1024];
    cr_assert_eq(swirl_loop_write(loop, sv[0], big, sizeof(big)), (ssize_t)sizeof(big));
    cr_assert_gt(swirl_loop_pending(loop, sv[0]), 0);
    close(sv[1]); /* the peer goes away with bytes still owed */
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_geq(st.reads, 1);
    cr_assert(st.last_events & SWIRL_EV_ERROR);
    swirl_loop_free(loop);
    close(sv[0]);
    TU_FD_END();
}

static void on_writable(swirl_loop_t *loop, int fd, int events, void *user) {
    io_state_t *st = user;
    st->writes++;
    st->last_events = events;
    cr_assert_eq(swirl_loop_set(loop, fd, SWIRL_EV_READ, no_read, NULL), 0);
    swirl_loop_del(loop, fd);
}

Test(loop, write_interest_and_set, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    io_state_t st = {0};
    make_pair(sv);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, no_read, NULL, &st), 0);
    cr_assert_eq(swirl_loop_set(loop, sv[0], SWIRL_EV_READ | SWIRL_EV_WRITE, NULL, on_writable), 0);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(st.writes, 1);
    cr_assert(st.last_events & SWIRL_EV_WRITE);
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

Test(loop, many_fds_grow_the_table, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    enum { N = 300 };
    int fds[N][2];
    cr_assert_eq(swirl_loop_new(&loop), 0);
    for (int i = 0; i < N; i++) {
        make_pair(fds[i]);
        cr_assert_eq(swirl_loop_add(loop, fds[i][0], SWIRL_EV_READ, never, NULL, NULL), 0);
    }
    for (int i = 0; i < N; i++) {
        cr_assert_eq(swirl_loop_del(loop, fds[i][0]), 0);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
    TU_FD_END();
}

static void on_usr1(swirl_loop_t *loop, int signo, void *user) { (void)loop, (void)signo, (void)user; }
static void stop_loop(swirl_loop_t *loop, int64_t id, void *user) {
    (void)id, (void)user;
    swirl_loop_stop(loop);
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* /dev/null refused (as Swoole's Event::add(STDIN) with STDIN from
 * /dev/null) in a loop that watches a signal: the loop sleeps, it does not
 * spin. A CPU bound, not a duration: 0.5 s of waiting costs far less than
 * half of it in CPU time. */
Test(loop, a_refused_fd_leaves_no_busy_loop, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR1, on_usr1, NULL), 0);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(devnull, 0);
    cr_assert_eq(swirl_loop_add(loop, devnull, SWIRL_EV_READ, never, NULL, NULL), -EPERM);
    cr_assert_eq(swirl_loop_add(loop, devnull, SWIRL_EV_WRITE, NULL, never, NULL), -EPERM);
    cr_assert_gt(swirl_timer_after(loop, 500, stop_loop, NULL), 0);
    double before = cpu_seconds();
    uint64_t start = swirl_clock_ms();
    cr_assert_eq(swirl_loop_run(loop), 0);
    double cpu = cpu_seconds() - before, wall = (swirl_clock_ms() - start) / 1e3;
    cr_assert_gt(wall, 0.4, "the loop returned early: %.3f s", wall);
    cr_assert_lt(cpu, wall / 2, "%.3f s of CPU over %.3f s: the loop spins", cpu, wall);
    cr_assert_eq(swirl_signal_del(loop, SIGUSR1), 0);
    close(devnull);
    swirl_loop_free(loop);
    TU_FD_END();
}

static void nop_io(swirl_loop_t *loop, int fd, int events, void *user) {}
static void nop_timer(swirl_loop_t *loop, int64_t id, void *user) {}
static void clear_self(swirl_loop_t *loop, int64_t id, void *user) { swirl_timer_clear(loop, id); }
static void nop_signal(swirl_loop_t *loop, int signo, void *user) {}

/* swirl_loop_user_work: fds and timers of the user, not the owner's
 * machinery, not the loop's own signalfd; marks end with the fd or timer. */
Test(loop, user_work_counts_what_is_not_machinery, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 0);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR2, nop_signal, NULL), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 0); /* a watched signal is not user work */
    cr_assert_eq(swirl_loop_add(loop, a[0], SWIRL_EV_READ, nop_io, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_add(loop, b[0], SWIRL_EV_READ, nop_io, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 2);
    cr_assert_eq(swirl_loop_set_machinery(loop, a[0]), 0);
    cr_assert_eq(swirl_loop_set_machinery(loop, a[0]), 0); /* twice is once */
    cr_assert_eq(swirl_loop_user_work(loop), 1);
    cr_assert_eq(swirl_loop_set_machinery(loop, a[1]), SWIRL_ENOTREG);
    int64_t t1 = swirl_timer_tick(loop, 1000, nop_timer, NULL);
    int64_t t2 = swirl_timer_after(loop, 1000, nop_timer, NULL);
    cr_assert_eq(swirl_loop_user_work(loop), 3);
    cr_assert_eq(swirl_timer_set_machinery(loop, t1), 0);
    cr_assert_eq(swirl_timer_set_machinery(loop, t1), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 2);
    cr_assert_eq(swirl_timer_set_machinery(loop, 999999), -ENOENT);
    /* a machinery fd removed and the number registered again: the user's */
    cr_assert_eq(swirl_loop_del(loop, a[0]), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 2);
    cr_assert_eq(swirl_loop_add(loop, a[0], SWIRL_EV_READ, nop_io, NULL, NULL), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 3);
    cr_assert_eq(swirl_loop_del(loop, a[0]), 0);
    cr_assert_eq(swirl_loop_del(loop, b[0]), 0);
    cr_assert_eq(swirl_timer_clear(loop, t1), 0); /* a machinery timer cleared */
    cr_assert_eq(swirl_loop_user_work(loop), 1);
    cr_assert_eq(swirl_timer_clear(loop, t2), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 0);
    /* a machinery tick that clears itself while it runs */
    int64_t t3 = swirl_timer_tick(loop, 1, clear_self, NULL);
    cr_assert_eq(swirl_timer_set_machinery(loop, t3), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 0);
    swirl_signal_del(loop, SIGUSR2);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(swirl_timer_count(loop), 0);
    cr_assert_eq(swirl_loop_user_work(loop), 0);
    swirl_loop_free(loop);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
    TU_FD_END();
}
