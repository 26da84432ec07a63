/* tests/unit/event/test_timer.c — timers: order and punctuality, ticks,
 * clearing from any callback, 100 000 timers, bad arguments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "testutil.h"

/* Lateness allowed before a timer counts as late: generous, because CI
 * machines (and ASan) are slow; early is never allowed. */
#define LATE_MS 100

typedef struct {
    uint64_t start_ns;
    int64_t fired[16];
    int64_t delay_ms[16];
    int n;
} order_t;

static void rec_order(swirl_loop_t *loop, int64_t id, void *user) {
    order_t *o = user;
    o->delay_ms[o->n] = (int64_t)((swirl_clock_ns() - o->start_ns) / 1000000);
    o->fired[o->n++] = id;
}

Test(timer, fire_in_deadline_order_never_early, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    order_t o = {0};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    o.start_ns = swirl_clock_ns();
    int64_t t30 = swirl_timer_after(loop, 30, rec_order, &o);
    int64_t t10 = swirl_timer_after(loop, 10, rec_order, &o);
    int64_t t20 = swirl_timer_after(loop, 20, rec_order, &o);
    int64_t t10b = swirl_timer_after(loop, 10, rec_order, &o); /* same deadline: after t10 */
    cr_assert(t30 > 0 && t10 > t30 && t20 > t10 && t10b > t20, "ids are positive and increasing");
    cr_assert_eq(swirl_timer_count(loop), 4);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(o.n, 4);
    int64_t want[4] = {t10, t10b, t20, t30};
    int64_t ms[4] = {10, 10, 20, 30};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(o.fired[i], want[i], "position %d", i);
        cr_assert_geq(o.delay_ms[i], ms[i], "timer of %lld ms fired early, at %lld ms",
                      (long long)ms[i], (long long)o.delay_ms[i]);
        cr_assert_lt(o.delay_ms[i], ms[i] + LATE_MS, "timer of %lld ms fired at %lld ms",
                     (long long)ms[i], (long long)o.delay_ms[i]);
    }
    cr_assert_eq(swirl_timer_count(loop), 0);
    swirl_loop_free(loop);
    TU_FD_END();
}

typedef struct {
    int runs;
    int stop_at;
    uint64_t start_ns; /* read just before the tick was added */
    bool too_soon;
} tick_t;

static void on_tick(swirl_loop_t *loop, int64_t id, void *user) {
    tick_t *t = user;
    /* Run k is due no earlier than k periods after the add; a late run may
     * be followed closely by an on-time one (the phase is kept), so gaps
     * between runs prove nothing. */
    if (swirl_clock_ns() < t->start_ns + (uint64_t)(t->runs + 1) * 5000000)
        t->too_soon = true;
    cr_assert(swirl_timer_exists(loop, id), "a tick is still pending inside its callback");
    if (++t->runs == t->stop_at)
        cr_assert_eq(swirl_timer_clear(loop, id), 0);
}

Test(timer, tick_repeats_and_stops_when_cleared_in_its_callback, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    tick_t t = {.stop_at = 5};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    t.start_ns = swirl_clock_ns();
    int64_t id = swirl_timer_tick(loop, 5, on_tick, &t);
    cr_assert_gt(id, 0);
    cr_assert_eq(swirl_loop_run(loop), 0); /* ends because the tick was cleared */
    cr_assert_eq(t.runs, 5);
    cr_assert_not(t.too_soon);
    cr_assert_not(swirl_timer_exists(loop, id));
    cr_assert_eq(swirl_timer_clear(loop, id), -ENOENT);
    swirl_loop_free(loop);
    TU_FD_END();
}

static void count_only(swirl_loop_t *loop, int64_t id, void *user) { (*(int *)user)++; }

static void stop_tick_later(swirl_loop_t *loop, int64_t id, void *user) {
    cr_assert_eq(swirl_timer_clear(loop, *(int64_t *)user), 0);
}

Test(timer, tick_cleared_from_another_timer_stops, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int runs = 0;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    int64_t tick = swirl_timer_tick(loop, 10, count_only, &runs);
    cr_assert_gt(swirl_timer_after(loop, 55, stop_tick_later, &tick), 0);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_geq(runs, 1);
    cr_assert_leq(runs, 5);
    swirl_loop_free(loop);
    TU_FD_END();
}

typedef struct {
    int64_t victim;
    int victim_runs;
    int killer_runs;
} kill_t;

static void victim_cb(swirl_loop_t *loop, int64_t id, void *user) {
    ((kill_t *)user)->victim_runs++;
}

static void killer_cb(swirl_loop_t *loop, int64_t id, void *user) {
    kill_t *k = user;
    k->killer_runs++;
    cr_assert_eq(swirl_timer_clear(loop, k->victim), 0);
    cr_assert_not(swirl_timer_exists(loop, k->victim));
    /* its own id: a once-timer is no longer pending inside its callback */
    cr_assert_eq(swirl_timer_clear(loop, id), -ENOENT);
}

Test(timer, timer_cleared_inside_another_callback_never_fires, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    /* Same deadline, created after the killer: both are due in the same
     * round, and the victim must still be skipped. */
    kill_t k = {0};
    cr_assert_gt(swirl_timer_after(loop, 10, killer_cb, &k), 0);
    k.victim = swirl_timer_after(loop, 10, victim_cb, &k);
    kill_t k2 = {0}; /* and a later one */
    cr_assert_gt(swirl_timer_after(loop, 5, killer_cb, &k2), 0);
    k2.victim = swirl_timer_after(loop, 30, victim_cb, &k2);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(k.killer_runs, 1);
    cr_assert_eq(k.victim_runs, 0);
    cr_assert_eq(k2.killer_runs, 1);
    cr_assert_eq(k2.victim_runs, 0);
    swirl_loop_free(loop);
    TU_FD_END();
}

static unsigned rnd(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

Test(timer, hundred_thousand_timers_added_and_cleared, .timeout = 60) {
    TU_FD_BEGIN();
    enum { N = 100000 };
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    int64_t *ids = malloc(N * sizeof(*ids));
    int runs = 0;
    unsigned seed = 42;
    for (int i = 0; i < N; i++) {
        ids[i] = swirl_timer_after(loop, 1000 + rnd(&seed) % 100000, count_only, &runs);
        cr_assert_gt(ids[i], 0);
        if (i)
            cr_assert_gt(ids[i], ids[i - 1]);
    }
    cr_assert_eq(swirl_timer_count(loop), N);
    /* clear in a shuffled order, checking membership as we go */
    for (int i = N - 1; i > 0; i--) {
        int j = (int)(rnd(&seed) % (unsigned)(i + 1));
        int64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    for (int i = 0; i < N; i++) {
        cr_assert(swirl_timer_exists(loop, ids[i]));
        cr_assert_eq(swirl_timer_clear(loop, ids[i]), 0);
        cr_assert_not(swirl_timer_exists(loop, ids[i]));
        if (i % 9973 == 0)
            cr_assert_eq(swirl_timer_count(loop), (size_t)(N - i - 1));
    }
    cr_assert_eq(swirl_timer_count(loop), 0);
    cr_assert_eq(swirl_loop_run(loop), 0); /* nothing pending: returns at once */
    cr_assert_eq(runs, 0);
    free(ids);
    swirl_loop_free(loop);
    TU_FD_END();
}

typedef struct {
    uint64_t max_lo_fired; /* the latest lower bound of any deadline fired so far */
    int runs;
    int out_of_order;
    int early;
} many_t;

/* A timer's true deadline is the clock read inside swirl_timer_after plus
 * its delay: somewhere in [lo, hi], from reads just before and after the add.
 * Firing is certainly out of order only if this one's hi is below an earlier
 * one's lo; certainly early only if now is below lo. No slack is assumed. */
typedef struct {
    many_t *m;
    uint64_t lo, hi;
} many_arg_t;

static void many_cb(swirl_loop_t *loop, int64_t id, void *user) {
    many_arg_t *a = user;
    many_t *m = a->m;
    if (a->hi < m->max_lo_fired)
        m->out_of_order++;
    if (a->lo > m->max_lo_fired)
        m->max_lo_fired = a->lo;
    if (swirl_clock_ns() < a->lo)
        m->early++;
    m->runs++;
}

Test(timer, hundred_thousand_timers_fire_in_deadline_order, .timeout = 60) {
    TU_FD_BEGIN();
    enum { N = 100000 };
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    many_t m = {0};
    many_arg_t *args = malloc(N * sizeof(*args));
    unsigned seed = 7;
    for (int i = 0; i < N; i++) {
        uint64_t ms = rnd(&seed) % 200;
        args[i].m = &m;
        args[i].lo = swirl_clock_ns() + ms * 1000000;
        cr_assert_gt(swirl_timer_after(loop, (int64_t)ms, many_cb, &args[i]), 0);
        args[i].hi = swirl_clock_ns() + ms * 1000000;
    }
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(m.runs, N);
    cr_assert_eq(m.out_of_order, 0);
    cr_assert_eq(m.early, 0);
    free(args);
    swirl_loop_free(loop);
    TU_FD_END();
}

typedef struct {
    int rearms;
    int io_seen_at; /* rearm count when the I/O callback ran */
} starve_t;

static void rearm0(swirl_loop_t *loop, int64_t id, void *user) {
    starve_t *s = user;
    if (++s->rearms < 1000)
        cr_assert_gt(swirl_timer_after(loop, 0, rearm0, s), 0);
}

static void io_once(swirl_loop_t *loop, int fd, int events, void *user) {
    starve_t *s = user;
    char c;
    cr_assert_eq(read(fd, &c, 1), 1);
    s->io_seen_at = s->rearms;
    swirl_loop_del(loop, fd);
}

Test(timer, zero_delay_rearm_does_not_starve_io, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    cr_assert_eq(swirl_loop_new(&loop), 0);
    starve_t s = {.io_seen_at = -1};
    cr_assert_gt(swirl_timer_after(loop, 0, rearm0, &s), 0);
    cr_assert_eq(swirl_loop_add(loop, sv[0], SWIRL_EV_READ, io_once, NULL, &s), 0);
    cr_assert_eq(write(sv[1], "x", 1), 1);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(s.rearms, 1000);
    cr_assert_geq(s.io_seen_at, 0);
    cr_assert_lt(s.io_seen_at, 5, "I/O waited for %d timer rounds", s.io_seen_at);
    swirl_loop_free(loop);
    close(sv[0]);
    close(sv[1]);
    TU_FD_END();
}

Test(timer, bad_arguments_are_clear_errors, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    int runs = 0;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_timer_after(loop, 10, NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "callback"));
    cr_assert_eq(swirl_timer_after(loop, -1, count_only, &runs), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "-1"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_timer_tick(loop, 0, count_only, &runs), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), ">= 1"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_timer_clear(loop, 0), -ENOENT);
    cr_assert_eq(swirl_timer_clear(loop, -5), -ENOENT);
    cr_assert_eq(swirl_timer_clear(loop, 12345), -ENOENT);
    cr_assert_not(swirl_timer_exists(loop, 12345));
    cr_assert_eq(swirl_timer_count(loop), 0);
    /* timers never fired are freed with the loop (ASan checks the leak) */
    cr_assert_gt(swirl_timer_after(loop, 100000, count_only, &runs), 0);
    cr_assert_gt(swirl_timer_tick(loop, 100000, count_only, &runs), 0);
    swirl_loop_free(loop);
    cr_assert_eq(runs, 0);
    TU_FD_END();
}

static void rec_order_noop(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id, (void)user;
}

typedef struct {
    swirl_timer_info_t in_cb;
    int64_t made;
    uint64_t round_in_cb;
    int runs;
} info_t;

static void rec_info(swirl_loop_t *loop, int64_t id, void *user) {
    info_t *r = user;
    r->runs++;
    r->round_in_cb = swirl_timer_round(loop);
    cr_assert_eq(swirl_timer_info(loop, id, &r->in_cb), 0, "a tick is pending in its callback");
    if (r->runs == 2) {
        swirl_timer_clear(loop, id);
        r->made = swirl_timer_after(loop, 0, rec_order_noop, NULL);
    }
}

Test(timer, info_and_rounds, .timeout = 10) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_timer_info_t in;
    cr_assert_eq(swirl_timer_info(loop, 1, &in), -ENOENT);
    cr_assert_eq(swirl_timer_round(loop), 0);
    int64_t after = swirl_timer_after(loop, 500, rec_order_noop, NULL);
    cr_assert_eq(swirl_timer_info(loop, after, &in), 0);
    cr_assert(in.due_ms >= 500 && in.due_ms < 500 + LATE_MS, "due %lld", (long long)in.due_ms);
    cr_assert(in.left_ms > 0 && in.left_ms <= 500, "left %lld", (long long)in.left_ms);
    cr_assert_eq(in.interval_ms, 0);
    cr_assert_eq(in.exec_count, 0);
    cr_assert_eq(in.round, 0);
    info_t r = {0};
    int64_t tick = swirl_timer_tick(loop, 1, rec_info, &r);
    while (r.runs < 2)
        cr_assert_geq(swirl_loop_run_once(loop, -1), 0);
    cr_assert_eq(r.in_cb.interval_ms, 1);
    cr_assert_eq(r.in_cb.exec_count, 2, "the run under way counts");
    cr_assert_eq(r.in_cb.round, 0);
    cr_assert_geq(r.round_in_cb, 1);
    cr_assert_eq(swirl_timer_info(loop, tick, &in), -ENOENT, "cleared");
    cr_assert_eq(swirl_timer_info(loop, r.made, &in), 0);
    cr_assert_eq(in.round, r.round_in_cb, "made in the pass under way");
    uint64_t before = swirl_timer_round(loop);
    cr_assert_geq(swirl_loop_run_once(loop, 0), 0);
    cr_assert_eq(swirl_timer_round(loop), before + 1, "one pass per iteration");
    cr_assert_not(swirl_timer_exists(loop, r.made), "a 0 ms timer made in a pass runs in the next");
    swirl_timer_clear(loop, after);
    swirl_loop_free(loop);
}

static void count_fire(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    (*(int *)user)++;
}

Test(timer, move_between_loops_keeps_id_and_callback, .timeout = 10) {
    swirl_loop_t *a, *b;
    cr_assert_eq(swirl_loop_new(&a), 0);
    cr_assert_eq(swirl_loop_new(&b), 0);
    int fired_a = 0, fired_b = 0;
    int64_t t1 = swirl_timer_after(a, 30, count_fire, &fired_a);
    int64_t t2 = swirl_timer_tick(a, 5, count_fire, &fired_a);
    int64_t b1 = swirl_timer_after(b, 10000, count_fire, &fired_b);
    cr_assert(b1 != t1 && b1 != t2, "ids are unique across the loops of a process");
    cr_assert_eq(swirl_timer_move(a, 999999, b), -ENOENT);
    cr_assert_eq(swirl_timer_move(a, t2, b), t2, "the id is kept");
    int64_t m1 = swirl_timer_move(a, t1, b);
    cr_assert_eq(m1, t1);
    cr_assert_eq(swirl_timer_count(a), 0);
    cr_assert_not(swirl_timer_exists(a, t2));
    cr_assert(swirl_timer_exists(b, m1) && swirl_timer_exists(b, t2));
    swirl_timer_info_t in;
    cr_assert_eq(swirl_timer_info(b, t2, &in), 0);
    cr_assert_eq(in.interval_ms, 5);
    int64_t next = swirl_timer_after(b, 1, count_fire, &fired_b);
    cr_assert(next != m1 && next != t2 && next != b1, "new ids never reuse a moved one");
    uint64_t end = swirl_clock_ms() + 5000;
    while (swirl_timer_exists(b, m1) && swirl_clock_ms() < end)
        cr_assert_geq(swirl_loop_run_once(b, 50), 0);
    cr_assert_not(swirl_timer_exists(b, m1), "the moved once-timer fired from b");
    cr_assert_geq(fired_a, 2, "the moved tick ran from b (its callback and user kept)");
    cr_assert_eq(swirl_timer_clear(b, t2), 0);
    cr_assert_eq(swirl_timer_clear(b, b1), 0);
    swirl_loop_free(a);
    swirl_loop_free(b);
}
