/* src/memory/shm.c — the pieces every shared object is made of: anonymous
 * shared mappings, robust process-shared mutexes, futexes and deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/internal.h"
#include "internal.h"

size_t swirl__shm_page_round(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (size + page - 1) / page * page;
}

int swirl__shm_map(size_t size, const char *what, void **out) {
    size_t len = swirl__shm_page_round(size);
    if (len < size)
        return swirl__error(SWIRL_ETOOBIG, "%s: %zu bytes of shared memory is too large", what,
                            size);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        int err = swirl__neg_errno();
        return swirl__error(err, "%s: mapping %zu bytes of shared memory:", what, len);
    }
    *out = p;
    return 0;
}

void swirl__shm_unmap(void *addr, size_t size) {
    if (addr)
        munmap(addr, swirl__shm_page_round(size));
}

int swirl__mutex_init(pthread_mutex_t *m) {
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc)
        return -rc;
    rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (!rc)
        rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (!rc)
        rc = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return -rc;
}

/* A lock call's result: EOWNERDEAD means we hold it now but its previous
 * owner died inside; mark it consistent so it keeps working for everyone. */
static int after_lock(pthread_mutex_t *m, int rc) {
    if (rc == EOWNERDEAD) {
        pthread_mutex_consistent(m);
        return 1;
    }
    return -rc;
}

int swirl__mutex_lock(pthread_mutex_t *m, const struct timespec *deadline) {
    int rc =
        deadline ? pthread_mutex_clocklock(m, CLOCK_MONOTONIC, deadline) : pthread_mutex_lock(m);
    return after_lock(m, rc);
}

int swirl__mutex_trylock(pthread_mutex_t *m) { return after_lock(m, pthread_mutex_trylock(m)); }

int swirl__mutex_unlock(pthread_mutex_t *m) { return -pthread_mutex_unlock(m); }

void swirl__deadline(struct timespec *ts, int timeout_ms) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int swirl__futex_wait(uint32_t *addr, uint32_t val, const struct timespec *deadline) {
    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a
     * retry after EINTR never stretches the wait. No FUTEX_PRIVATE_FLAG:
     * the word is shared between processes. */
    long rc =
        syscall(SYS_futex, addr, FUTEX_WAIT_BITSET, val, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    if (rc == 0)
        return 0;
    return errno == EWOULDBLOCK ? -EAGAIN : swirl__neg_errno();
}

int swirl__futex_wake(uint32_t *addr, int n) {
    long rc = syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
    return rc < 0 ? swirl__neg_errno() : (int)rc;
}

bool swirl__pid_dead(pid_t pid) {
    if (pid <= 0)
        return false;
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return true;
    /* A killed process nobody has reaped yet still answers kill(): its
     * state in /proc says it is a zombie. */
    char path[64], buf[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno == ENOENT;
    ssize_t n;
    do
        n = read(fd, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}
