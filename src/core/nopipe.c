/* src/core/nopipe.c — writes that cannot say MSG_NOSIGNAL (sendfile, write
 * to a pipe or FIFO, the log's write to a piped stderr) without SIGPIPE
 * ever reaching the process: the library never changes the process's
 * signal dispositions, so it blocks SIGPIPE for the calling thread around
 * such a call and takes away the one the call raised; a thread running a
 * server's loop holds it blocked for the whole run (held). */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "internal.h"

/* This thread holds SIGPIPE blocked (swirl__nopipe_hold): per thread by
 * nature, inherited with the mask by a fork. */
static _Thread_local bool held;

static void drain(void) {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    const struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
}

void swirl__nopipe_begin(swirl__nopipe_t *g) {
    g->held = held;
    if (held)
        return;
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
    if (g->held)
        return;
    if (!g->was_pending)
        drain();
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

void swirl__nopipe_hold(swirl__nopipe_t *g) {
    swirl__nopipe_begin(g);
    held = true;
}

void swirl__nopipe_release(swirl__nopipe_t *g) {
    if (g->held)
        return; /* an outer hold goes on */
    held = false;
    if (!g->was_pending)
        drain();
    if (sigismember(&g->old, SIGPIPE) != 1) { /* only SIGPIPE: the run may have blocked others */
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &pipe_set, NULL);
    }
}

void swirl__signals_unblock_all(void) {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    held = false;
}
