/* src/memory/lock.c — Swoole\Lock: mutex, rwlock, spinlock, semaphore and
 * file lock, shared by the processes forked after creation. The state of
 * all but the file lock lives in one shared page.
 *
 * The mutex and the spinlock record their holder's pid, and any process may
 * unlock them: Swoole hands a mutex from one process to another that way
 * (a pthread mutex refuses an unlock by another process, robust or not, and
 * its waiter then sleeps for ever). A waiter that finds the holder dead
 * takes the lock over. */
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <string.h>
#include <swirl/core.h>
#include <swirl/memory.h>
#include <unistd.h>

#include "core/internal.h"
#include "internal.h"

/* The mutex: a futex word holding the holder's pid (0: free), and how many
 * processes sleep on it, so an unlock without sleepers makes no system
 * call. */
struct pid_mutex {
    uint32_t owner;
    uint32_t sleepers;
};

union lock_state {
    struct pid_mutex mutex;
    pthread_rwlock_t rw;
    sem_t sem;
    uint32_t spin_owner; /* pid of the holder, 0 when free */
};

struct swirl_lock {
    int type;
    int fd;                   /* file lock */
    union lock_state *shared; /* the others */
};

static const char *lock_name(int type) {
    switch (type) {
    case SWIRL_LOCK_RWLOCK:
        return "rwlock";
    case SWIRL_LOCK_FILELOCK:
        return "file lock";
    case SWIRL_LOCK_MUTEX:
        return "mutex";
    case SWIRL_LOCK_SEM:
        return "semaphore";
    default:
        return "spinlock";
    }
}

static int init_rwlock(pthread_rwlock_t *rw) {
    pthread_rwlockattr_t attr;
    int rc = pthread_rwlockattr_init(&attr);
    if (rc)
        return -rc;
    rc = pthread_rwlockattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    /* glibc prefers readers by default, which lets a stream of readers starve a writer. */
    if (!rc)
        rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    if (!rc)
        rc = pthread_rwlock_init(rw, &attr);
    pthread_rwlockattr_destroy(&attr);
    return -rc;
}

int swirl_lock_new(swirl_lock_t **out, int type, const char *path) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "lock: out is NULL");
    if (type < SWIRL_LOCK_RWLOCK || type > SWIRL_LOCK_SPINLOCK)
        return swirl__error(SWIRL_EBADARG,
                            "lock: unknown type %d (expected SWIRL_LOCK_RWLOCK 1, FILELOCK 2, "
                            "MUTEX 3, SEM 4 or SPINLOCK 5)",
                            type);
    if (type == SWIRL_LOCK_FILELOCK && (!path || !*path))
        return swirl__error(SWIRL_EBADARG, "lock: a file lock needs a path");
    swirl_lock_t *l = swirl_calloc(1, sizeof(*l));
    if (!l)
        return swirl__error(-ENOMEM, "lock: out of memory");
    l->type = type;
    l->fd = -1;
    int rc = 0;
    if (type == SWIRL_LOCK_FILELOCK) {
        do
            l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        while (l->fd < 0 && errno == EINTR);
        if (l->fd < 0) {
            rc = swirl__neg_errno();
            swirl_free(l);
            return swirl__error(rc, "lock: cannot open the lock file \"%s\":", path);
        }
        *out = l;
        return 0;
    }
    void *mem;
    if ((rc = swirl__shm_map(sizeof(union lock_state), "lock", &mem)) < 0)
        goto fail_map;
    l->shared = mem;
    switch (type) {
    case SWIRL_LOCK_RWLOCK:
        rc = init_rwlock(&l->shared->rw);
        break;
    case SWIRL_LOCK_SEM:
        rc = sem_init(&l->shared->sem, 1, 1) < 0 ? swirl__neg_errno() : 0;
        break;
    default: /* mutex, spinlock: the zeroed page is a free lock */
        break;
    }
    if (rc < 0) {
        swirl__error(rc, "lock: initialising the %s:", lock_name(type));
        goto fail_init;
    }
    *out = l;
    return 0;

fail_init:
    swirl__shm_unmap(l->shared, sizeof(union lock_state));
fail_map:
    swirl_free(l);
    return rc;
}

void swirl_lock_free(swirl_lock_t *l) {
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    swirl__shm_unmap(l->shared, sizeof(union lock_state));
    swirl_free(l);
}

int swirl_lock_type(const swirl_lock_t *l) { return l ? l->type : SWIRL_EBADARG; }

/* ---- each kind --------------------------------------------------------------------------- */

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static bool past(const struct timespec *deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Spin a while, then yield; every so often check whether the holder still
 * lives, and take the lock over from a dead one. */
static int spin_lock(uint32_t *owner, bool try, const struct timespec *deadline) {
    uint32_t me = (uint32_t)getpid();
    for (unsigned spins = 0;; spins++) {
        uint32_t o = __atomic_load_n(owner, __ATOMIC_RELAXED);
        if (o == 0 &&
            __atomic_compare_exchange_n(owner, &o, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return 0;
        if (try)
            return -EBUSY;
        if (spins < 1000) {
            cpu_relax();
            continue;
        }
        if (deadline && past(deadline))
            return -ETIMEDOUT;
        if (spins % 64 == 0 && o && swirl__pid_dead((pid_t)o) &&
            __atomic_compare_exchange_n(owner, &o, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            swirl_log_warning("lock: spinlock holder %u died; lock taken over", o);
            return 0;
        }
        sched_yield();
    }
}

/* How long a sleeping waiter goes between checks that the mutex's holder
 * still lives: a dead holder wakes nobody. */
#define MUTEX_CHECK_MS 100

static bool before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int mutex_lock(struct pid_mutex *m, bool try, const struct timespec *deadline) {
    uint32_t me = (uint32_t)getpid();
    for (;;) {
        uint32_t o = 0;
        if (__atomic_compare_exchange_n(&m->owner, &o, me, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return 0;
        if (swirl__pid_dead((pid_t)o)) {
            if (__atomic_compare_exchange_n(&m->owner, &o, me, false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST)) {
                swirl_log_warning("lock: mutex holder %u died; lock taken over (what it guarded "
                                  "may hold a partial update)",
                                  o);
                return 0;
            }
            continue;
        }
        if (try)
            return -EBUSY;
        if (deadline && past(deadline))
            return -ETIMEDOUT;
        struct timespec until;
        swirl__deadline(&until, MUTEX_CHECK_MS);
        if (deadline && before(deadline, &until))
            until = *deadline;
        /* Counted before the futex compares the word: an unlock either sees
         * this sleeper or changes the word first (both sequentially
         * consistent), so no wakeup is lost. */
        __atomic_add_fetch(&m->sleepers, 1, __ATOMIC_SEQ_CST);
        int rc = swirl__futex_wait(&m->owner, o, &until);
        __atomic_sub_fetch(&m->sleepers, 1, __ATOMIC_SEQ_CST);
        if (rc < 0 && rc != -EAGAIN && rc != -ETIMEDOUT && rc != -EINTR)
            return rc;
    }
}

/* Any process may release it; -EPERM if it is free. */
static int mutex_unlock(struct pid_mutex *m) {
    if (__atomic_exchange_n(&m->owner, 0, __ATOMIC_SEQ_CST) == 0)
        return -EPERM;
    if (__atomic_load_n(&m->sleepers, __ATOMIC_SEQ_CST) > 0)
        swirl__futex_wake(&m->owner, 1);
    return 0;
}

static int file_lock(int fd, short type, bool wait) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int rc;
    do
        rc = fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
    while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return 0;
    if (!wait && (errno == EAGAIN || errno == EACCES))
        return -EBUSY;
    return swirl__neg_errno();
}

static int file_lockwait(int fd, short type, int timeout_ms) {
    struct timespec deadline;
    swirl__deadline(&deadline, timeout_ms);
    for (;;) {
        int rc = file_lock(fd, type, false);
        if (rc != -EBUSY)
            return rc;
        if (past(&deadline))
            return -ETIMEDOUT;
        struct timespec nap = {0, 1000000}; /* 1 ms: fcntl has no timed wait */
        nanosleep(&nap, NULL);
    }
}

static int sem_result(int rc) {
    if (rc == 0)
        return 0;
    return errno == EAGAIN ? -EBUSY : swirl__neg_errno();
}

static int check(const swirl_lock_t *l) {
    return l ? 0 : swirl__error(SWIRL_EBADARG, "lock: lock is NULL");
}

/* A failure other than busy / timed out is worth a message. */
static int result(const swirl_lock_t *l, const char *op, int rc) {
    if (rc < 0 && rc != -EBUSY && rc != -ETIMEDOUT)
        return swirl__error(rc, "lock: %s of the %s:", op, lock_name(l->type));
    return rc;
}

/* ---- the calls ------------------------------------------------------------------------- */

int swirl_lock_lock(swirl_lock_t *l) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    switch (l->type) {
    case SWIRL_LOCK_MUTEX:
        rc = mutex_lock(&l->shared->mutex, false, NULL);
        break;
    case SWIRL_LOCK_RWLOCK:
        rc = -pthread_rwlock_wrlock(&l->shared->rw);
        break;
    case SWIRL_LOCK_SEM:
        do
            rc = sem_wait(&l->shared->sem);
        while (rc < 0 && errno == EINTR);
        rc = rc < 0 ? swirl__neg_errno() : 0;
        break;
    case SWIRL_LOCK_FILELOCK:
        rc = file_lock(l->fd, F_WRLCK, true);
        break;
    default:
        rc = spin_lock(&l->shared->spin_owner, false, NULL);
    }
    return result(l, "lock", rc);
}

int swirl_lock_trylock(swirl_lock_t *l) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    switch (l->type) {
    case SWIRL_LOCK_MUTEX:
        rc = mutex_lock(&l->shared->mutex, true, NULL);
        break;
    case SWIRL_LOCK_RWLOCK:
        rc = -pthread_rwlock_trywrlock(&l->shared->rw);
        break;
    case SWIRL_LOCK_SEM:
        rc = sem_result(sem_trywait(&l->shared->sem));
        break;
    case SWIRL_LOCK_FILELOCK:
        rc = file_lock(l->fd, F_WRLCK, false);
        break;
    default:
        rc = spin_lock(&l->shared->spin_owner, true, NULL);
    }
    return result(l, "trylock", rc);
}

int swirl_lock_lockwait(swirl_lock_t *l, int timeout_ms) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    if (timeout_ms < 0)
        return swirl_lock_lock(l);
    struct timespec deadline;
    swirl__deadline(&deadline, timeout_ms);
    switch (l->type) {
    case SWIRL_LOCK_MUTEX:
        rc = mutex_lock(&l->shared->mutex, false, &deadline);
        break;
    case SWIRL_LOCK_RWLOCK:
        rc = -pthread_rwlock_clockwrlock(&l->shared->rw, CLOCK_MONOTONIC, &deadline);
        break;
    case SWIRL_LOCK_SEM:
        do
            rc = sem_clockwait(&l->shared->sem, CLOCK_MONOTONIC, &deadline);
        while (rc < 0 && errno == EINTR);
        rc = rc < 0 ? swirl__neg_errno() : 0;
        break;
    case SWIRL_LOCK_FILELOCK:
        rc = file_lockwait(l->fd, F_WRLCK, timeout_ms);
        break;
    default:
        rc = spin_lock(&l->shared->spin_owner, false, &deadline);
    }
    return result(l, "lockwait", rc);
}

int swirl_lock_unlock(swirl_lock_t *l) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    switch (l->type) {
    case SWIRL_LOCK_MUTEX:
        rc = mutex_unlock(&l->shared->mutex);
        break;
    case SWIRL_LOCK_RWLOCK:
        rc = -pthread_rwlock_unlock(&l->shared->rw);
        break;
    case SWIRL_LOCK_SEM: {
        int v = 0;
        /* Posting a free semaphore would let two holders in next time. */
        if (sem_getvalue(&l->shared->sem, &v) == 0 && v > 0)
            rc = -EPERM;
        else
            rc = sem_post(&l->shared->sem) < 0 ? swirl__neg_errno() : 0;
        break;
    }
    case SWIRL_LOCK_FILELOCK:
        rc = file_lock(l->fd, F_UNLCK, false);
        break;
    default:
        /* as the mutex: whoever holds it, any process may release it */
        if (__atomic_exchange_n(&l->shared->spin_owner, 0, __ATOMIC_RELEASE) == 0)
            rc = -EPERM;
    }
    return result(l, "unlock", rc);
}

int swirl_lock_lock_read(swirl_lock_t *l) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    if (l->type == SWIRL_LOCK_RWLOCK)
        return result(l, "read lock", -pthread_rwlock_rdlock(&l->shared->rw));
    if (l->type == SWIRL_LOCK_FILELOCK)
        return result(l, "read lock", file_lock(l->fd, F_RDLCK, true));
    return swirl_lock_lock(l);
}

int swirl_lock_trylock_read(swirl_lock_t *l) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    if (l->type == SWIRL_LOCK_RWLOCK)
        return result(l, "read trylock", -pthread_rwlock_tryrdlock(&l->shared->rw));
    if (l->type == SWIRL_LOCK_FILELOCK)
        return result(l, "read trylock", file_lock(l->fd, F_RDLCK, false));
    return swirl_lock_trylock(l);
}

int swirl_lock_lockwait_read(swirl_lock_t *l, int timeout_ms) {
    int rc = check(l);
    if (rc < 0)
        return rc;
    if (timeout_ms < 0)
        return swirl_lock_lock_read(l);
    if (l->type == SWIRL_LOCK_RWLOCK) {
        struct timespec deadline;
        swirl__deadline(&deadline, timeout_ms);
        return result(l, "read lockwait",
                      -pthread_rwlock_clockrdlock(&l->shared->rw, CLOCK_MONOTONIC, &deadline));
    }
    if (l->type == SWIRL_LOCK_FILELOCK)
        return result(l, "read lockwait", file_lockwait(l->fd, F_RDLCK, timeout_ms));
    return swirl_lock_lockwait(l, timeout_ms);
}
