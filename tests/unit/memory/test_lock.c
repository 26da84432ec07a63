/* tests/unit/memory/test_lock.c — every lock type across processes: mutual
 * exclusion counted on a plain shared counter, trylock and lockwait against
 * a holder in another process, readers and writers, a holder killed with
 * SIGKILL, and the errors. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>

#include "memtest.h"

static char lock_path[128];

static swirl_lock_t *make_lock(int type) {
    swirl_lock_t *l;
    if (type == SWIRL_LOCK_FILELOCK)
        tu_tmp_path(lock_path, sizeof(lock_path), "lock");
    cr_assert_eq(swirl_lock_new(&l, type, type == SWIRL_LOCK_FILELOCK ? lock_path : NULL), 0,
                 "lock type %d: %s", type, swirl_last_error_msg());
    cr_assert_eq(swirl_lock_type(l), type);
    return l;
}

static void drop_lock(swirl_lock_t *l) {
    int type = swirl_lock_type(l);
    swirl_lock_free(l);
    if (type == SWIRL_LOCK_FILELOCK)
        unlink(lock_path);
}

/* ---- mutual exclusion -------------------------------------------------------------------- */

struct counting {
    swirl_lock_t *lock;
    volatile long *counter; /* plain, not atomic: only the lock protects it */
    volatile int *go;       /* all children start together */
    int loops;
};

static int count_child(void *arg) {
    struct counting *c = arg;
    while (!*c->go)
        sched_yield();
    for (int k = 0; k < c->loops; k++) {
        if (swirl_lock_lock(c->lock) < 0)
            return 1;
        long v = *c->counter;
        if (k % 64 == 0)
            sched_yield(); /* widen the window a lost update would need */
        *c->counter = v + 1;
        if (swirl_lock_unlock(c->lock) < 0)
            return 2;
    }
    return 0;
}

static void exclusion(int type, int loops) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(type);
    volatile int *shared = mt_shared_ints(4);
    volatile long *counter = (volatile long *)shared;
    struct counting c = {l, counter, shared + 2, loops};
    pid_t pids[4];
    for (int p = 0; p < 4; p++)
        pids[p] = mt_fork(count_child, &c);
    shared[2] = 1;
    for (int p = 0; p < 4; p++)
        mt_reap_ok(pids[p]);
    cr_assert_eq(*counter, 4L * loops, "type %d: %ld of %ld increments", type, *counter,
                 4L * loops);
    munmap((void *)shared, 4 * sizeof(int));
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
}

Test(lock, mutex_excludes, .timeout = 60) { exclusion(SWIRL_LOCK_MUTEX, 50000); }
Test(lock, rwlock_excludes, .timeout = 60) { exclusion(SWIRL_LOCK_RWLOCK, 50000); }
Test(lock, sem_excludes, .timeout = 60) { exclusion(SWIRL_LOCK_SEM, 50000); }
Test(lock, spinlock_excludes, .timeout = 60) { exclusion(SWIRL_LOCK_SPINLOCK, 50000); }
Test(lock, filelock_excludes, .timeout = 60) { exclusion(SWIRL_LOCK_FILELOCK, 20000); }

/* ---- against a holder in another process ---------------------------------------------------- */

/* The child's view while the parent holds the lock: trylock busy, lockwait
 * times out after about its timeout; then (parent released) trylock works. */
struct probe {
    swirl_lock_t *lock;
    int to_parent, from_parent; /* pipe ends */
};

static int probe_child(void *arg) {
    struct probe *p = arg;
    char c;
    if (swirl_lock_trylock(p->lock) != -EBUSY)
        return 1;
    uint64_t t0 = swirl_clock_ms();
    if (swirl_lock_lockwait(p->lock, 150) != -ETIMEDOUT)
        return 2;
    uint64_t waited = swirl_clock_ms() - t0;
    if (waited < 140 || waited > 2000)
        return 3;
    if (write(p->to_parent, "1", 1) != 1 || read(p->from_parent, &c, 1) != 1)
        return 4;
    /* released now */
    if (swirl_lock_lockwait(p->lock, 2000) != 0)
        return 5;
    if (swirl_lock_unlock(p->lock) != 0)
        return 6;
    if (swirl_lock_trylock(p->lock) != 0)
        return 7;
    if (swirl_lock_unlock(p->lock) != 0)
        return 8;
    return 0;
}

static void busy_and_timeout(int type) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(type);
    int up[2], down[2];
    cr_assert_eq(pipe2(up, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(down, O_CLOEXEC), 0);
    cr_assert_eq(swirl_lock_lock(l), 0);
    struct probe p = {l, up[1], down[0]};
    pid_t pid = mt_fork(probe_child, &p);
    char c;
    cr_assert_eq(read(up[0], &c, 1), 1, "the child failed before its first report");
    cr_assert_eq(swirl_lock_unlock(l), 0);
    cr_assert_eq(write(down[1], "1", 1), 1);
    mt_reap_ok(pid);
    for (int i = 0; i < 2; i++) {
        close(up[i]);
        close(down[i]);
    }
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
}

Test(lock, mutex_busy_and_timeout, .timeout = 30) { busy_and_timeout(SWIRL_LOCK_MUTEX); }
Test(lock, rwlock_busy_and_timeout, .timeout = 30) { busy_and_timeout(SWIRL_LOCK_RWLOCK); }
Test(lock, sem_busy_and_timeout, .timeout = 30) { busy_and_timeout(SWIRL_LOCK_SEM); }
Test(lock, spinlock_busy_and_timeout, .timeout = 30) { busy_and_timeout(SWIRL_LOCK_SPINLOCK); }
Test(lock, filelock_busy_and_timeout, .timeout = 30) { busy_and_timeout(SWIRL_LOCK_FILELOCK); }

/* ---- readers and writers ----------------------------------------------------------------- */

/* Parent holds the read side: another reader gets in, a writer does not. */
static int reader_child(void *arg) {
    swirl_lock_t *l = arg;
    if (swirl_lock_trylock_read(l) != 0)
        return 1;
    if (swirl_lock_trylock(l) != -EBUSY) /* the parent still reads */
        return 2;
    if (swirl_lock_unlock(l) != 0)
        return 3;
    if (swirl_lock_trylock(l) != -EBUSY)
        return 4;
    if (swirl_lock_lockwait(l, 50) != -ETIMEDOUT)
        return 5;
    return 0;
}

/* Parent holds the write side: no reader gets in, not even within a time-out. */
static int blocked_reader_child(void *arg) {
    swirl_lock_t *l = arg;
    if (swirl_lock_trylock_read(l) != -EBUSY)
        return 1;
    return swirl_lock_lockwait_read(l, 50) == -ETIMEDOUT ? 0 : 2;
}

/* Parent holds the read side: a reader with a time-out gets in at once. */
static int timed_reader_child(void *arg) {
    swirl_lock_t *l = arg;
    if (swirl_lock_lockwait_read(l, 2000) != 0)
        return 1;
    return swirl_lock_unlock(l) == 0 ? 0 : 2;
}

static void readers_writers(int type) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(type);
    cr_assert_eq(swirl_lock_lock_read(l), 0);
    mt_reap_ok(mt_fork(reader_child, l));
    mt_reap_ok(mt_fork(timed_reader_child, l));
    cr_assert_eq(swirl_lock_unlock(l), 0);
    cr_assert_eq(swirl_lock_lock(l), 0);
    mt_reap_ok(mt_fork(blocked_reader_child, l));
    cr_assert_eq(swirl_lock_unlock(l), 0);
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
}

Test(lock, rwlock_readers_share_writer_excludes, .timeout = 30) {
    readers_writers(SWIRL_LOCK_RWLOCK);
}
Test(lock, filelock_readers_share_writer_excludes, .timeout = 30) {
    readers_writers(SWIRL_LOCK_FILELOCK);
}

/* Other types: the read calls are the exclusive ones. */
Test(lock, read_side_of_a_mutex_is_exclusive, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(SWIRL_LOCK_MUTEX);
    cr_assert_eq(swirl_lock_lock_read(l), 0);
    mt_reap_ok(mt_fork(blocked_reader_child, l));
    cr_assert_eq(swirl_lock_unlock(l), 0);
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
}

/* ---- a holder killed --------------------------------------------------------------------- */

static int hold_and_report(void *arg) {
    struct probe *p = arg;
    if (swirl_lock_lock(p->lock) != 0)
        return 1;
    if (write(p->to_parent, "L", 1) != 1)
        return 2;
    for (;;)
        pause();
}

/* Kill the holder, and take the lock before reaping it (it is a zombie). */
static int killed_holder(int type, int timeout_ms) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(type);
    int up[2];
    cr_assert_eq(pipe2(up, O_CLOEXEC), 0);
    struct probe p = {l, up[1], -1};
    pid_t pid = mt_fork(hold_and_report, &p);
    char c;
    cr_assert_eq(read(up[0], &c, 1), 1);
    cr_assert_eq(swirl_lock_trylock(l), -EBUSY);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    usleep(20000);
    int rc = swirl_lock_lockwait(l, timeout_ms);
    if (rc == 0)
        cr_assert_eq(swirl_lock_unlock(l), 0);
    int status = mt_reap(pid);
    cr_assert(WIFSIGNALED(status));
    close(up[0]);
    close(up[1]);
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
    return rc;
}

Test(lock, mutex_holder_killed, .timeout = 30) {
    cr_assert_eq(killed_holder(SWIRL_LOCK_MUTEX, 5000), 0);
}
Test(lock, spinlock_holder_killed, .timeout = 30) {
    cr_assert_eq(killed_holder(SWIRL_LOCK_SPINLOCK, 5000), 0);
}
Test(lock, filelock_holder_killed, .timeout = 30) {
    cr_assert_eq(killed_holder(SWIRL_LOCK_FILELOCK, 5000), 0);
}
/* Documented: no owner is recorded, so the lock stays held; lockwait is the way out. */
Test(lock, sem_holder_killed_stays_held, .timeout = 30) {
    cr_assert_eq(killed_holder(SWIRL_LOCK_SEM, 100), -ETIMEDOUT);
}
Test(lock, rwlock_holder_killed_stays_held, .timeout = 30) {
    cr_assert_eq(killed_holder(SWIRL_LOCK_RWLOCK, 100), -ETIMEDOUT);
}

/* ---- handed between processes ------------------------------------------------------------ */

/* Swoole lets one process unlock a mutex another locked: the waiter must
 * wake. */
static int wait_for_handoff(void *arg) {
    struct probe *p = arg;
    if (write(p->to_parent, "W", 1) != 1)
        return 1;
    int rc = swirl_lock_lockwait(p->lock, 10000);
    if (rc != 0)
        return 2;
    return swirl_lock_unlock(p->lock) == 0 ? 0 : 3;
}

static int unlock_child(void *arg) { return swirl_lock_unlock(arg) == 0 ? 0 : 1; }

static void handoff(int type) {
    TU_FD_BEGIN();
    swirl_lock_t *l = make_lock(type);
    int up[2];
    cr_assert_eq(pipe2(up, O_CLOEXEC), 0);
    cr_assert_eq(swirl_lock_lock(l), 0);
    struct probe p = {l, up[1], -1};
    pid_t waiter = mt_fork(wait_for_handoff, &p);
    char c;
    cr_assert_eq(read(up[0], &c, 1), 1);
    usleep(50000); /* most likely asleep in the lock by now; either way it must get it */
    mt_reap_ok(mt_fork(unlock_child, l)); /* neither the holder nor the waiter */
    mt_reap_ok(waiter);
    cr_assert_eq(swirl_lock_trylock(l), 0, "free again after the waiter's unlock");
    cr_assert_eq(swirl_lock_unlock(l), 0);
    close(up[0]);
    close(up[1]);
    drop_lock(l);
    mt_no_children();
    TU_FD_END();
}

Test(lock, mutex_unlocked_by_another_process, .timeout = 60) { handoff(SWIRL_LOCK_MUTEX); }
Test(lock, spinlock_unlocked_by_another_process, .timeout = 60) { handoff(SWIRL_LOCK_SPINLOCK); }
Test(lock, sem_unlocked_by_another_process, .timeout = 60) { handoff(SWIRL_LOCK_SEM); }

/* ---- errors ------------------------------------------------------------------------------ */

Test(lock, errors, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_lock_t *l = NULL;
    cr_assert_eq(swirl_lock_new(&l, 0, NULL), SWIRL_EBADARG);
    MT_MSG_HAS("unknown type 0");
    cr_assert_eq(swirl_lock_new(&l, 6, NULL), SWIRL_EBADARG);
    MT_MSG_HAS("unknown type 6");
    cr_assert_eq(swirl_lock_new(&l, SWIRL_LOCK_FILELOCK, NULL), SWIRL_EBADARG);
    MT_MSG_HAS("needs a path");
    cr_assert_eq(swirl_lock_new(&l, SWIRL_LOCK_FILELOCK, "/nonexistent-dir/x.lock"), -ENOENT);
    MT_MSG_HAS("\"/nonexistent-dir/x.lock\"");
    cr_assert_null(l);

    /* Unlocking what is not held. */
    int types[] = {SWIRL_LOCK_MUTEX, SWIRL_LOCK_SEM, SWIRL_LOCK_SPINLOCK};
    for (int i = 0; i < 3; i++) {
        l = make_lock(types[i]);
        cr_assert_eq(swirl_lock_unlock(l), -EPERM, "type %d", types[i]);
        cr_assert_eq(swirl_lock_lock(l), 0);
        cr_assert_eq(swirl_lock_unlock(l), 0);
        drop_lock(l);
    }
    TU_FD_END();
}
