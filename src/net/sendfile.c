/* src/net/sendfile.c — zero-copy file-to-socket transfer. Kept apart from
 * socket.c because, unlike send(), sendfile() has no MSG_NOSIGNAL: a closed
 * peer raises SIGPIPE, which this file keeps from ever reaching the process. */
#include <errno.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <time.h>
#include <swirl/net.h>

#include "../core/internal.h"

ssize_t swirl_net_sendfile(int out_fd, int in_fd, off_t *offset, size_t count) {
    /* Block SIGPIPE for this thread around the call; if the call raised
     * one (EPIPE), take it off the pending set before unblocking. A SIGPIPE
     * that was already pending under the caller's own mask is not ours to
     * eat, hence the check before. */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    bool was_pending = false;
    if (sigismember(&old, SIGPIPE) == 1) {
        sigset_t pending;
        was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    }

    ssize_t n;
    while ((n = sendfile(out_fd, in_fd, offset, count)) < 0 && errno == EINTR)
        ;
    int rc = n >= 0 ? 0 : swirl__neg_errno();

    if (rc == -EPIPE && !was_pending) {
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc < 0 ? rc : n;
}
