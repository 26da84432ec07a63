/* tests/unit/core/test_nopipe.c — writes that raise SIGPIPE (to a pipe
 * without reader) never reach the process: around one call (begin/end), or
 * for a whole run of a server's thread (hold/release), with SIGPIPE at its
 * default disposition; and the thread's mask is as it was afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "testutil.h"

static bool blocked(void) {
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    return sigismember(&now, SIGPIPE) == 1;
}

static bool pending(void) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGPIPE) == 1;
}

/* A pipe whose reader has gone: its write end. */
static int broken_pipe(void) {
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    close(p[0]);
    return p[1];
}

Test(nopipe, one_call_raises_nothing_and_restores_the_mask, .timeout = 5) {
    signal(SIGPIPE, SIG_DFL);
    int fd = broken_pipe();
    swirl__nopipe_t g;
    swirl__nopipe_begin(&g);
    cr_assert(blocked());
    cr_assert_eq(write(fd, "x", 1), -1);
    cr_assert_eq(errno, EPIPE);
    swirl__nopipe_end(&g);
    cr_assert_not(blocked(), "SIGPIPE left blocked");
    cr_assert_not(pending(), "the write's SIGPIPE left pending");
    close(fd);
}

Test(nopipe, a_hold_covers_every_call_until_released, .timeout = 5) {
    signal(SIGPIPE, SIG_DFL);
    int fd = broken_pipe();
    swirl__nopipe_t hold, inner, g;
    swirl__nopipe_hold(&hold);
    swirl__nopipe_hold(&inner); /* nested: the outer one goes on */
    for (int i = 0; i < 3; i++) {
        swirl__nopipe_begin(&g);
        cr_assert_eq(write(fd, "x", 1), -1);
        swirl__nopipe_end(&g);
        cr_assert(blocked(), "a call under a hold unblocked SIGPIPE");
    }
    swirl__nopipe_release(&inner);
    cr_assert(blocked(), "the inner release ended the outer hold");
    cr_assert(pending()); /* raised, kept blocked: taken away at the release */
    swirl__nopipe_release(&hold);
    cr_assert_not(blocked(), "SIGPIPE left blocked after the run");
    cr_assert_not(pending(), "a SIGPIPE of the run left pending");
    close(fd);
}

Test(nopipe, a_hold_keeps_the_callers_own_block, .timeout = 5) {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    swirl__nopipe_t hold;
    swirl__nopipe_hold(&hold);
    swirl__nopipe_release(&hold);
    cr_assert(blocked(), "the caller had SIGPIPE blocked: it stays so");
}

Test(nopipe, a_child_unblocks_all_and_holds_nothing, .timeout = 5) {
    signal(SIGPIPE, SIG_DFL);
    swirl__nopipe_t hold;
    swirl__nopipe_hold(&hold);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        swirl__signals_unblock_all();
        int fd = broken_pipe();
        swirl__nopipe_t g;
        swirl__nopipe_begin(&g); /* not held any more: blocks for this call */
        ssize_t n = write(fd, "x", 1);
        swirl__nopipe_end(&g);
        _exit(n == -1 && !blocked() && !pending() ? 0 : 1);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    swirl__nopipe_release(&hold);
    cr_assert(WIFEXITED(st), "the child died of signal %d", WTERMSIG(st));
    cr_assert_eq(WEXITSTATUS(st), 0);
}
