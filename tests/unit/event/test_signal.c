/* tests/unit/event/test_signal.c — signals delivered inside the loop. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "testutil.h"

typedef struct {
    int got[65];
    int stop_after;
    int total;
} sig_t_;

static void on_sig(swirl_loop_t *loop, int signo, void *user) {
    sig_t_ *s = user;
    s->got[signo]++;
    if (++s->total >= s->stop_after) {
        swirl_signal_del(loop, SIGUSR1);
        swirl_signal_del(loop, SIGUSR2);
    }
}

static bool blocked(int signo) {
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, signo);
}

Test(signal, raised_signals_reach_the_loop, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    sig_t_ s = {.stop_after = 2};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR1, on_sig, &s), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR2, on_sig, &s), 0);
    cr_assert(blocked(SIGUSR1));
    cr_assert_eq(kill(getpid(), SIGUSR1), 0); /* would kill the process if not caught */
    cr_assert_eq(kill(getpid(), SIGUSR2), 0);
    cr_assert_eq(swirl_loop_run(loop), 0); /* ends once both are unwatched */
    cr_assert_eq(s.got[SIGUSR1], 1);
    cr_assert_eq(s.got[SIGUSR2], 1);
    cr_assert_not(blocked(SIGUSR1), "the previous (unblocked) state is restored");
    cr_assert_not(blocked(SIGUSR2));
    swirl_loop_free(loop);
    TU_FD_END();
}

Test(signal, signal_from_another_process, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    sig_t_ s = {.stop_after = 1};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR1, on_sig, &s), 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) { /* no Criterion calls in the child: it would report as a stranger */
        usleep(20000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    cr_assert_geq(pid, 0);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(s.got[SIGUSR1], 1);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    swirl_loop_free(loop);
    TU_FD_END();
}

Test(signal, a_watched_signal_keeps_the_loop_alive_until_stop, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    sig_t_ s = {.stop_after = 100};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR1, on_sig, &s), 0);
    cr_assert_eq(swirl_loop_run_once(loop, 10), 1, "a watched signal is work");
    cr_assert_eq(swirl_signal_del(loop, SIGUSR1), 0);
    cr_assert_eq(swirl_loop_run_once(loop, 0), 0);
    swirl_loop_free(loop);
    TU_FD_END();
}

Test(signal, previously_blocked_signal_stays_blocked, .timeout = 5) {
    TU_FD_BEGIN();
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &one, NULL);
    swirl_loop_t *loop;
    sig_t_ s = {.stop_after = 100};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR2, on_sig, &s), 0);
    swirl_loop_free(loop); /* unwatches everything */
    cr_assert(blocked(SIGUSR2));
    TU_FD_END();
}

Test(signal, bad_signals_are_clear_errors, .timeout = 5) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    sig_t_ s = {0};
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_signal_add(loop, SIGKILL, on_sig, &s), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "signal 9"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_signal_add(loop, SIGSTOP, on_sig, &s), SWIRL_EBADARG);
    cr_assert_eq(swirl_signal_add(loop, 0, on_sig, &s), SWIRL_EBADARG);
    cr_assert_eq(swirl_signal_add(loop, 99, on_sig, &s), SWIRL_EBADARG);
    cr_assert_eq(swirl_signal_add(loop, SIGUSR1, NULL, &s), SWIRL_EBADARG);
    cr_assert_eq(swirl_signal_del(loop, SIGUSR1), -ENOENT);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
    TU_FD_END();
}
