/* src/event/signal.c — signals delivered inside the loop through one
 * signalfd per loop: the signal is blocked, so no asynchronous handler ever
 * runs, and the loop reads it like any other fd. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

static void on_signalfd(swirl_loop_t *loop, int fd, int events, void *user) {
    struct signalfd_siginfo si[16];
    for (;;) {
        ssize_t n = read(fd, si, sizeof(si));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
            int signo = (int)si[i].ssi_signo;
            /* An earlier callback in this batch may have stopped watching it. */
            if (signo > 0 && signo < 65 && sigismember(&loop->sigset, signo) && loop->sig[signo].cb)
                loop->sig[signo].cb(loop, signo, loop->sig[signo].user);
            if (loop->sigfd != fd)
                return; /* the last watched signal was removed: fd is gone */
        }
    }
}

int swirl_signal_add(swirl_loop_t *loop, int signo, swirl_signal_cb cb, void *user) {
    if (signo <= 0 || signo >= 65 || signo > SIGRTMAX || signo == SIGKILL || signo == SIGSTOP)
        return swirl__error(SWIRL_EBADARG, "signal %d: cannot be watched", signo);
    if (!cb)
        return swirl__error(SWIRL_EBADARG, "signal %d: callback is NULL", signo);
    if (sigismember(&loop->sigset, signo)) {
        loop->sig[signo].cb = cb;
        loop->sig[signo].user = user;
        return 0;
    }
    sigset_t one, old;
    sigemptyset(&one);
    sigaddset(&one, signo);
    int rc = pthread_sigmask(SIG_BLOCK, &one, &old);
    if (rc != 0)
        return swirl__error(-rc, "signal %d: blocking:", signo);
    sigset_t next = loop->sigset;
    sigaddset(&next, signo);
    int fd = signalfd(loop->sigfd, &next, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        rc = swirl__neg_errno();
        goto fail_unblock;
    }
    if (loop->sigfd < 0) {
        rc = swirl__loop_add_internal(loop, fd, on_signalfd, NULL);
        if (rc < 0) {
            close(fd);
            goto fail_unblock;
        }
        loop->sigfd = fd;
    }
    loop->sigset = next;
    if (sigismember(&old, signo))
        sigaddset(&loop->was_blocked, signo);
    loop->sig[signo].cb = cb;
    loop->sig[signo].user = user;
    loop->nsignals++;
    return 0;

fail_unblock:
    if (!sigismember(&old, signo))
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    return swirl__error(rc, "signal %d: signalfd:", signo);
}

static void unwatch(swirl_loop_t *loop, int signo) {
    sigdelset(&loop->sigset, signo);
    loop->sig[signo].cb = NULL;
    loop->sig[signo].user = NULL;
    loop->nsignals--;
    if (!sigismember(&loop->was_blocked, signo)) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signo);
        /* One that came while watched but was not read yet was the loop's:
         * consume it, so unblocking does not run its default action (a
         * second SIGTERM during a graceful stop must not kill the process). */
        struct timespec zero = {0, 0};
        while (sigtimedwait(&one, NULL, &zero) == signo) {
        }
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    }
    sigdelset(&loop->was_blocked, signo);
}

int swirl_signal_del(swirl_loop_t *loop, int signo) {
    if (signo <= 0 || signo >= 65 || !sigismember(&loop->sigset, signo))
        return swirl__error(-ENOENT, "signal %d: not watched", signo);
    sigset_t next = loop->sigset;
    sigdelset(&next, signo);
    /* Narrow the signalfd before unblocking, so nothing slips between. */
    if (loop->nsignals > 1)
        signalfd(loop->sigfd, &next, SFD_NONBLOCK | SFD_CLOEXEC);
    unwatch(loop, signo);
    if (loop->nsignals == 0) {
        swirl__loop_del_internal(loop, loop->sigfd);
        close(loop->sigfd);
        loop->sigfd = -1;
    }
    return 0;
}

void swirl__signals_free(swirl_loop_t *loop) {
    for (int s = 1; s < 65 && loop->nsignals > 0; s++)
        if (sigismember(&loop->sigset, s))
            unwatch(loop, s);
    if (loop->sigfd >= 0) {
        swirl__loop_del_internal(loop, loop->sigfd);
        close(loop->sigfd);
        loop->sigfd = -1;
    }
}
