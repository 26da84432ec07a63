/* src/core/nopipe.c — writes that cannot say MSG_NOSIGNAL (sendfile, write
 * to a pipe or FIFO, the log's write to a piped stderr) without SIGPIPE
 * ever reaching the process: the library never changes the process's
 * signal dispositions, so it blocks SIGPIPE for the calling thread around
 * such a call and takes away the one the call raised. */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "internal.h"

void swirl__nopipe_begin(swirl__nopipe_t *g) {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
    g->was_pending = false;
    if (sigismember(&g->old, SIGPIPE) == 1) {
        sigset_t pending;
        g->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    }
}

void swirl__nopipe_end(swirl__nopipe_t *g) {
    /* not only on -EPIPE: a sendfile that moved some bytes before the
     * peer's reset returns that count and has raised SIGPIPE all the same */
    if (!g->was_pending) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}
