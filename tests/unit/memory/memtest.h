/* tests/unit/memory/memtest.h — helpers for the memory module's tests:
 * forked children that report through their exit status, reaping, and a
 * check that no child is left behind. */
#ifndef SWIRL_MEMTEST_H
#define SWIRL_MEMTEST_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* Run fn(arg) in a child; the child exits with its result (0 = good) and
 * never returns into Criterion. */
static inline pid_t mt_fork(int (*fn)(void *), void *arg) {
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

/* Reap `pid` and return its wait status. */
static inline int mt_reap(pid_t pid) {
    int status = 0;
    pid_t r;
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    cr_assert_eq(r, pid, "waitpid %d: %s", (int)pid, strerror(errno));
    return status;
}

/* Reap `pid` and check it exited with 0. */
static inline void mt_reap_ok(pid_t pid) {
    int status = mt_reap(pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "child %d: status 0x%x (exit %d, signal %d)", (int)pid, status,
              WIFEXITED(status) ? WEXITSTATUS(status) : -1,
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* No child left, running or zombie. */
static inline void mt_no_children(void) {
    errno = 0;
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD);
}

/* The last error message contains `part`. */
#define MT_MSG_HAS(part)                                                                           \
    cr_assert(strstr(swirl_last_error_msg(), (part)) != NULL, "message \"%s\" lacks \"%s\"",       \
              swirl_last_error_msg(), (part))

/* A word in shared memory for flags between a test and its children. */
static inline volatile int *mt_shared_ints(size_t n) {
    void *p =
        mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    return p;
}

#endif
