/* src/memory/atomic.c — Swoole\Atomic and Atomic\Long: counters in a shared
 * page, with Swoole's futex wait / wakeup. The handle is the page itself. */
#include <swirl/memory.h>

#include "core/internal.h"
#include "internal.h"

/* The value is the first word of the page. The 64-bit one sleeps on its
 * low 32-bit half, which on a little-endian machine is the first 4 bytes. */
struct swirl_atomic {
    uint32_t value;
};
struct swirl_atomic64 {
    int64_t value;
};
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "swirl_atomic64 wait/wakeup assume a little-endian machine"
#endif

#define SEQ __ATOMIC_SEQ_CST

/* The 1 -> 0 step of wait: 1 when taken, 0 when the value is 0 (sleep),
 * -1 for any other value. */
static int take32(void *p) {
    uint32_t one = 1;
    if (__atomic_compare_exchange_n((uint32_t *)p, &one, 0, false, SEQ, SEQ))
        return 1;
    return one == 0 ? 0 : -1;
}
static int take64(void *p) {
    int64_t one = 1;
    if (__atomic_compare_exchange_n((int64_t *)p, &one, 0, false, SEQ, SEQ))
        return 1;
    return one == 0 ? 0 : -1;
}

/* Swoole's wait: a pending wakeup (value 1) is taken at once; value 0
 * sleeps on the futex word (the value's first 32 bits) until a wakeup or
 * the deadline; woken but beaten to it by another waiter, sleep again. */
static int wait_on(void *value, int (*take)(void *), int timeout_ms) {
    struct timespec deadline, *dl = NULL;
    if (timeout_ms >= 0) {
        swirl__deadline(&deadline, timeout_ms);
        dl = &deadline;
    }
    for (;;) {
        int got = take(value);
        if (got == 1)
            return 0;
        if (got < 0)
            return -EAGAIN;
        if (timeout_ms == 0)
            return -ETIMEDOUT;
        int rc = swirl__futex_wait(value, 0, dl);
        if (rc == -ETIMEDOUT) /* a wakeup that raced with the timeout still counts */
            return take(value) == 1 ? 0 : -ETIMEDOUT;
        /* Woken (Swoole's rule): one of the waiters a wakeup woke takes it,
         * the others return too, empty-handed. */
        if (rc == 0)
            return take(value) == 1 ? 0
                                    : swirl__error(-EAGAIN, "atomic: wait: woken, but another "
                                                            "waiter took the wakeup");
        if (rc < 0 && rc != -EAGAIN && rc != -EINTR)
            return swirl__error(rc, "atomic: wait:");
    }
}

static int wake(void *value, int n) {
    int rc = swirl__futex_wake(value, n);
    return rc < 0 ? swirl__error(rc, "atomic: wakeup:") : rc;
}

static int bad_count(int n) {
    return swirl__error(SWIRL_EBADARG, "atomic: wakeup of %d waiters (expected >= 1)", n);
}

/* ---- 32-bit ------------------------------------------------------------------------------- */

int swirl_atomic_new(swirl_atomic_t **out, uint32_t initial) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "atomic: out is NULL");
    void *mem;
    int rc = swirl__shm_map(sizeof(swirl_atomic_t), "atomic", &mem);
    if (rc < 0)
        return rc;
    swirl_atomic_t *a = mem;
    __atomic_store_n(&a->value, initial, SEQ);
    *out = a;
    return 0;
}

void swirl_atomic_free(swirl_atomic_t *a) { swirl__shm_unmap(a, sizeof(*a)); }

uint32_t swirl_atomic_add(swirl_atomic_t *a, uint32_t n) {
    return __atomic_add_fetch(&a->value, n, SEQ);
}
uint32_t swirl_atomic_sub(swirl_atomic_t *a, uint32_t n) {
    return __atomic_sub_fetch(&a->value, n, SEQ);
}
uint32_t swirl_atomic_get(const swirl_atomic_t *a) { return __atomic_load_n(&a->value, SEQ); }
void swirl_atomic_set(swirl_atomic_t *a, uint32_t v) { __atomic_store_n(&a->value, v, SEQ); }
bool swirl_atomic_cmpset(swirl_atomic_t *a, uint32_t cmp, uint32_t set) {
    return __atomic_compare_exchange_n(&a->value, &cmp, set, false, SEQ, SEQ);
}

int swirl_atomic_wait(swirl_atomic_t *a, int timeout_ms) {
    return wait_on(&a->value, take32, timeout_ms);
}

/* Only a 0 -> 1 transition wakes anyone (Swoole's rule). */
int swirl_atomic_wakeup(swirl_atomic_t *a, int n) {
    if (n < 1)
        return bad_count(n);
    return swirl_atomic_cmpset(a, 0, 1) ? wake(&a->value, n) : 0;
}

/* ---- 64-bit ------------------------------------------------------------------------------- */

int swirl_atomic64_new(swirl_atomic64_t **out, int64_t initial) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "atomic64: out is NULL");
    void *mem;
    int rc = swirl__shm_map(sizeof(swirl_atomic64_t), "atomic64", &mem);
    if (rc < 0)
        return rc;
    swirl_atomic64_t *a = mem;
    __atomic_store_n(&a->value, initial, SEQ);
    *out = a;
    return 0;
}

void swirl_atomic64_free(swirl_atomic64_t *a) { swirl__shm_unmap(a, sizeof(*a)); }

/* Wrapping arithmetic, done unsigned so overflow is defined. */
int64_t swirl_atomic64_add(swirl_atomic64_t *a, int64_t n) {
    return (int64_t)__atomic_add_fetch((uint64_t *)&a->value, (uint64_t)n, SEQ);
}
int64_t swirl_atomic64_sub(swirl_atomic64_t *a, int64_t n) {
    return (int64_t)__atomic_sub_fetch((uint64_t *)&a->value, (uint64_t)n, SEQ);
}
int64_t swirl_atomic64_get(const swirl_atomic64_t *a) { return __atomic_load_n(&a->value, SEQ); }
void swirl_atomic64_set(swirl_atomic64_t *a, int64_t v) { __atomic_store_n(&a->value, v, SEQ); }
bool swirl_atomic64_cmpset(swirl_atomic64_t *a, int64_t cmp, int64_t set) {
    return __atomic_compare_exchange_n(&a->value, &cmp, set, false, SEQ, SEQ);
}

int swirl_atomic64_wait(swirl_atomic64_t *a, int timeout_ms) {
    return wait_on(&a->value, take64, timeout_ms);
}

int swirl_atomic64_wakeup(swirl_atomic64_t *a, int n) {
    if (n < 1)
        return bad_count(n);
    return swirl_atomic64_cmpset(a, 0, 1) ? wake(&a->value, n) : 0;
}
