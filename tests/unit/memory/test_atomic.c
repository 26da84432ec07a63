/* tests/unit/memory/test_atomic.c — 32- and 64-bit shared counters: exact
 * totals from 4 processes, cmpset, and Swoole's futex wait / wakeup across
 * processes. */
#include <sched.h>

#include "memtest.h"

#define ADDS 100000

struct adders {
    swirl_atomic_t *a32;
    swirl_atomic64_t *a64;
    volatile int *go;
};

static int add_child(void *arg) {
    struct adders *x = arg;
    while (!*x->go)
        sched_yield();
    for (int k = 0; k < ADDS; k++) {
        swirl_atomic_add(x->a32, 1);
        swirl_atomic64_add(x->a64, 3);
        swirl_atomic64_sub(x->a64, 1);
        /* a cmpset loop: an increment built from compare-and-set */
        uint32_t v;
        do
            v = swirl_atomic_get(x->a32);
        while (!swirl_atomic_cmpset(x->a32, v, v + 1));
    }
    return 0;
}

Test(atomic, four_processes_exact_totals, .timeout = 60) {
    TU_FD_BEGIN();
    struct adders x;
    cr_assert_eq(swirl_atomic_new(&x.a32, 0), 0);
    cr_assert_eq(swirl_atomic64_new(&x.a64, (int64_t)1 << 40), 0);
    x.go = mt_shared_ints(1);
    pid_t pids[4];
    for (int p = 0; p < 4; p++)
        pids[p] = mt_fork(add_child, &x);
    *x.go = 1;
    for (int p = 0; p < 4; p++)
        mt_reap_ok(pids[p]);
    cr_assert_eq(swirl_atomic_get(x.a32), 2u * 4 * ADDS);
    cr_assert_eq(swirl_atomic64_get(x.a64), ((int64_t)1 << 40) + 2 * 4 * ADDS);
    munmap((void *)x.go, sizeof(int));
    swirl_atomic_free(x.a32);
    swirl_atomic64_free(x.a64);
    mt_no_children();
    TU_FD_END();
}

Test(atomic, arithmetic_and_cmpset, .timeout = 30) {
    swirl_atomic_t *a;
    cr_assert_eq(swirl_atomic_new(&a, 5), 0);
    cr_assert_eq(swirl_atomic_add(a, 3), 8);
    cr_assert_eq(swirl_atomic_sub(a, 10), UINT32_MAX - 1, "unsigned: wraps");
    swirl_atomic_set(a, 7);
    cr_assert(swirl_atomic_cmpset(a, 7, 9));
    cr_assert_not(swirl_atomic_cmpset(a, 7, 11));
    cr_assert_eq(swirl_atomic_get(a), 9);
    swirl_atomic_free(a);

    swirl_atomic64_t *b;
    cr_assert_eq(swirl_atomic64_new(&b, -5), 0);
    cr_assert_eq(swirl_atomic64_sub(b, 10), -15, "signed");
    cr_assert_eq(swirl_atomic64_add(b, INT64_MAX), INT64_MAX - 15);
    swirl_atomic64_set(b, (int64_t)1 << 33);
    cr_assert(swirl_atomic64_cmpset(b, (int64_t)1 << 33, 1));
    cr_assert_not(swirl_atomic64_cmpset(b, (int64_t)1 << 33, 2));
    cr_assert_eq(swirl_atomic64_get(b), 1);
    swirl_atomic64_free(b);
}

Test(atomic, wait_semantics_and_timeout, .timeout = 30) {
    swirl_atomic_t *a;
    cr_assert_eq(swirl_atomic_new(&a, 0), 0);
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_atomic_wait(a, 120), -ETIMEDOUT);
    uint64_t waited = swirl_clock_ms() - t0;
    cr_assert_geq(waited, 115);
    cr_assert_lt(waited, 2000);
    cr_assert_eq(swirl_atomic_wait(a, 0), -ETIMEDOUT, "0: do not sleep");
    swirl_atomic_set(a, 1);
    cr_assert_eq(swirl_atomic_wait(a, 1000), 0, "value 1: returns at once");
    cr_assert_eq(swirl_atomic_get(a), 0, "and resets to 0");
    swirl_atomic_set(a, 5);
    cr_assert_eq(swirl_atomic_wait(a, 1000), -EAGAIN);
    cr_assert_eq(swirl_atomic_wakeup(a, 1), 0, "wakeup only acts on 0");
    cr_assert_eq(swirl_atomic_get(a), 5);
    swirl_atomic_set(a, 0);
    cr_assert_eq(swirl_atomic_wakeup(a, 1), 0, "nobody waits");
    cr_assert_eq(swirl_atomic_get(a), 1, "but the wakeup is pending");
    cr_assert_eq(swirl_atomic_wait(a, 0), 0);
    cr_assert_eq(swirl_atomic_wakeup(a, 0), SWIRL_EBADARG);
    MT_MSG_HAS("wakeup of 0 waiters");
    swirl_atomic_free(a);

    swirl_atomic64_t *b;
    cr_assert_eq(swirl_atomic64_new(&b, 0), 0);
    cr_assert_eq(swirl_atomic64_wait(b, 50), -ETIMEDOUT);
    swirl_atomic64_set(b, (int64_t)1 << 32); /* low word 0, value not 0 */
    cr_assert_eq(swirl_atomic64_wait(b, 50), -EAGAIN);
    swirl_atomic64_set(b, 1);
    cr_assert_eq(swirl_atomic64_wait(b, 50), 0);
    cr_assert_eq(swirl_atomic64_get(b), 0);
    swirl_atomic64_free(b);
}

struct waiter {
    swirl_atomic_t *a32;
    swirl_atomic64_t *a64;
};

static int wait32_child(void *arg) {
    return swirl_atomic_wait(((struct waiter *)arg)->a32, 10000) == 0 ? 0 : 1;
}
/* woken by wakeup(3): the one that took it, or one of the others (-EAGAIN) */
static int wait64_child(void *arg) {
    int rc = swirl_atomic64_wait(((struct waiter *)arg)->a64, 10000);
    return rc == 0 ? 0 : rc == -EAGAIN ? 0 : 1;
}

static int wait32_count_child(void *arg) {
    struct waiter *w = arg;
    int rc = swirl_atomic_wait(w->a32, 10000);
    if (rc == 0)
        swirl_atomic64_add(w->a64, 1);
    return rc == 0 || rc == -EAGAIN ? 0 : 1;
}

/* One wakeup of 3 wakes all 3 sleepers: exactly one takes it (Swoole's rule). */
Test(atomic, one_wakeup_of_n_wakes_n_and_one_takes_it, .timeout = 60) {
    struct waiter w;
    cr_assert_eq(swirl_atomic_new(&w.a32, 0), 0);
    cr_assert_eq(swirl_atomic64_new(&w.a64, 0), 0); /* how many took it */
    pid_t pids[3];
    for (int p = 0; p < 3; p++)
        pids[p] = mt_fork(wait32_count_child, &w);
    /* the wakeup must find all three asleep: wait until the futex has them */
    uint64_t end = swirl_clock_ms() + 20000;
    int n = 0;
    usleep(200000);
    while (n < 3 && swirl_clock_ms() < end) {
        n += swirl_atomic_wakeup(w.a32, 3);
        if (n < 3) {
            /* fewer asleep than forked yet: let the taker's 1 be taken and try again */
            usleep(50000);
            swirl_atomic_set(w.a32, 0);
        }
    }
    for (int p = 0; p < 3; p++)
        mt_reap_ok(pids[p]);
    cr_assert_geq(swirl_atomic64_get(w.a64), 1, "one of them took the wakeup");
    swirl_atomic_free(w.a32);
    swirl_atomic64_free(w.a64);
    mt_no_children();
}

/* Three waiters in other processes; each wakeup lets exactly one through. */
Test(atomic, wakeup_from_another_process, .timeout = 60) {
    TU_FD_BEGIN();
    struct waiter w;
    cr_assert_eq(swirl_atomic_new(&w.a32, 0), 0);
    cr_assert_eq(swirl_atomic64_new(&w.a64, 0), 0);
    pid_t pids[6];
    for (int p = 0; p < 3; p++) {
        pids[p] = mt_fork(wait32_child, &w);
        pids[3 + p] = mt_fork(wait64_child, &w);
    }
    usleep(100000); /* let them fall asleep */
    int woken = 0, wakeups = 0;
    uint64_t end = swirl_clock_ms() + 20000;
    for (int done = 0; done < 6 && swirl_clock_ms() < end;) {
        if (swirl_atomic_get(w.a32) == 0 && wakeups < 3) {
            int n = swirl_atomic_wakeup(w.a32, 1);
            cr_assert_geq(n, 0);
            woken += n;
            wakeups++;
        }
        if (swirl_atomic64_get(w.a64) == 0 && wakeups < 6 && wakeups >= 3)
            wakeups += swirl_atomic64_wakeup(w.a64, 3) >= 0;
        /* reap whoever finished */
        int status;
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r > 0) {
            cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "waiter %d failed", (int)r);
            done++;
            for (int p = 0; p < 6; p++)
                if (pids[p] == r)
                    pids[p] = 0;
        } else {
            usleep(5000);
        }
    }
    for (int p = 0; p < 6; p++)
        cr_assert_eq(pids[p], 0, "waiter %d never woke", p);
    cr_assert_geq(woken, 1, "the first wakeup found a sleeper");
    cr_assert_eq(swirl_atomic_get(w.a32), 0);
    /* 64-bit: the waiters a wakeup(3) woke without taking it left, so a
     * later wakeup may have found nobody: it stays pending */
    cr_assert_leq(swirl_atomic64_get(w.a64), 1);
    swirl_atomic_free(w.a32);
    swirl_atomic64_free(w.a64);
    mt_no_children();
    TU_FD_END();
}
