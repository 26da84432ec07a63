/* src/core/internal.h — core helpers shared by every layer; never installed. */
#ifndef SWIRL_CORE_INTERNAL_H
#define SWIRL_CORE_INTERNAL_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <swirl/core.h>

/* Record `code` and a printf-formatted message naming the culprit as this
 * thread's last error, and return `code` (so `return swirl__error(...)`).
 * A message ending in ':' gets swirl_strerror(code) appended. */
int swirl__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -errno of the current errno, never 0 (falls back to -EIO). */
static inline int swirl__neg_errno(void) { return errno > 0 ? -errno : -EIO; }

/* The value of the hex digit `c` (0..15), or -1. */
static inline int swirl__hexval(int c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

#define SWIRL__UNUSED(x) ((void)(x))

/* nopipe.c: a write without MSG_NOSIGNAL (sendfile, a pipe) raises SIGPIPE
 * when the reader has gone; the library never changes the process's signal
 * dispositions, so it blocks SIGPIPE for this thread around the call:
 *     swirl__nopipe_t g; swirl__nopipe_begin(&g); write(...); swirl__nopipe_end(&g); */
typedef struct swirl__nopipe {
    sigset_t old;
    bool was_pending; /* a SIGPIPE already pending under the caller's mask: not ours */
    bool held;        /* the thread holds SIGPIPE blocked: nothing to do */
} swirl__nopipe_t;
/* Block SIGPIPE for this thread, remembering the mask in `g`. */
void swirl__nopipe_begin(swirl__nopipe_t *g);
/* Take away a SIGPIPE the call raised (whatever it returned: a sendfile
 * that moved some bytes before the peer's reset raised one all the same),
 * then restore the mask. */
void swirl__nopipe_end(swirl__nopipe_t *g);
/* A thread that runs a server's loop (a worker, a reactor thread) holds
 * SIGPIPE blocked for the whole run instead: begin/end then cost nothing
 * (sendfile per response was paying three system calls for the mask). A
 * SIGPIPE raised meanwhile stays pending, blocked, in that thread; release
 * takes it away and unblocks SIGPIPE again if it was not blocked before. */
void swirl__nopipe_hold(swirl__nopipe_t *g);
void swirl__nopipe_release(swirl__nopipe_t *g);
/* A new child of the library: unblock every signal, and hold nothing. */
void swirl__signals_unblock_all(void);

#endif
