/* swirl/event.h — the event loop: fd readiness, buffered writes, deferred
 * calls, timers and signals, one loop per thread or process.
 *
 * A loop is not thread-safe: every call on a loop must come from the thread
 * that runs it. Callbacks run on that thread, one at a time. */
#ifndef SWIRL_EVENT_H
#define SWIRL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An event loop: fd watches, timers, signals and deferred calls. */
typedef struct swirl_loop swirl_loop_t;

/* Event bits, for registration and as the `events` argument of callbacks. */
enum {
    SWIRL_EV_READ = 1 << 0,  /* readable (or the peer hung up: read() returns 0) */
    SWIRL_EV_WRITE = 1 << 1, /* writable */
    /* Only ever passed to callbacks: the fd reported an error or hang-up, or
     * flushing its write buffer failed (swirl_loop_fd_error() tells why). The
     * owner should remove and close it. */
    SWIRL_EV_ERROR = 1 << 2,
};

/* Called when `fd` is ready. `events` holds SWIRL_EV_* bits. The callback
 * may remove or close any fd, including its own; events already collected
 * for a removed fd are then skipped. */
typedef void (*swirl_io_cb)(swirl_loop_t *loop, int fd, int events, void *user);
/* A timer fired; `id` is the timer's id. */
typedef void (*swirl_timer_cb)(swirl_loop_t *loop, int64_t id, void *user);
/* A deferred call, or a generic "run this" callback. */
typedef void (*swirl_defer_cb)(swirl_loop_t *loop, void *user);
/* Signal `signo` arrived (delivered inside the loop, never in a raw handler). */
typedef void (*swirl_signal_cb)(swirl_loop_t *loop, int signo, void *user);

/* Default limit of one fd's write buffer: 2 MiB (Swoole's socket_buffer_size). */
#define SWIRL_LOOP_WRITE_LIMIT_DEFAULT (2u * 1024 * 1024)

/* ---- the loop -------------------------------------------------------------------------- */

/* Create a loop on the default backend (epoll). On success stores it in
 * *out and returns 0; otherwise a negative code and *out is untouched. */
SWIRL_API int swirl_loop_new(swirl_loop_t **out);

/* Free the loop. Registered fds are NOT closed (they belong to the caller),
 * pending buffered writes are dropped, timers and deferred calls are
 * discarded without running, and signals it watched are unblocked. Must not
 * be called from inside the loop's callbacks. NULL is a no-op. */
SWIRL_API void swirl_loop_free(swirl_loop_t *loop);

/* In a child process after fork(): release an inherited loop's memory and
 * the loop's own descriptors (epoll, signalfd) without touching the epoll
 * set, which the child shares with its parent. Registered fds are left
 * alone. Use instead of swirl_loop_free in the child. NULL is a no-op. */
SWIRL_API void swirl_loop_forget(swirl_loop_t *loop);

/* Run until swirl_loop_stop() or until nothing is left: no registered fd,
 * no pending timer, no deferred call and no watched signal. Returns 0, or a
 * negative code if the backend failed. Not re-entrant. */
SWIRL_API int swirl_loop_run(swirl_loop_t *loop);

/* Run one iteration: wait up to `timeout_ms` (-1 = until something
 * happens, 0 = poll) and dispatch what is ready, the expired timers and the
 * deferred calls. A loop with no work (see swirl_loop_run) only polls: -1
 * would wait for ever. Returns 1 if the loop still has work, 0 if not, or a
 * negative code. */
SWIRL_API int swirl_loop_run_once(swirl_loop_t *loop, int timeout_ms);

/* Make swirl_loop_run() return after the current iteration. Safe from any
 * callback of this loop. */
SWIRL_API void swirl_loop_stop(swirl_loop_t *loop);

/* The backend's name ("epoll"). Static string. */
SWIRL_API const char *swirl_loop_backend(const swirl_loop_t *loop);

/* The loop's cached monotonic time in ms, updated once per iteration. */
SWIRL_API uint64_t swirl_loop_now(const swirl_loop_t *loop);

/* ---- file descriptors ------------------------------------------------------------------ */

/* Watch `fd` (which the caller keeps owning; it should be non-blocking).
 * `events` picks SWIRL_EV_READ and/or SWIRL_EV_WRITE; `on_read` runs when
 * readable, `on_write` when writable (either may be NULL if its event is not
 * asked for). Returns 0, SWIRL_EXISTS if `fd` is already registered,
 * SWIRL_EBADARG for a negative fd, a missing callback or no event bit, or a
 * negative errno from the backend (e.g. -EPERM for a regular file). */
SWIRL_API int swirl_loop_add(swirl_loop_t *loop, int fd, int events, swirl_io_cb on_read,
                             swirl_io_cb on_write, void *user);

/* Change what is watched on a registered fd. Callbacks given as NULL keep
 * their current value. Returns 0, SWIRL_ENOTREG or SWIRL_EBADARG. */
SWIRL_API int swirl_loop_set(swirl_loop_t *loop, int fd, int events, swirl_io_cb on_read,
                             swirl_io_cb on_write);

/* Stop watching `fd` (does not close it). Bytes still buffered for it are
 * dropped. Returns 0 or SWIRL_ENOTREG. Safe inside any callback. */
SWIRL_API int swirl_loop_del(swirl_loop_t *loop, int fd);

/* True if `fd` is registered in this loop. */
SWIRL_API bool swirl_loop_has(const swirl_loop_t *loop, int fd);

/* Write without ever blocking (Swoole's swoole_event_write). What the
 * kernel takes now is written; the rest is kept in the fd's write buffer
 * and sent, in order, as the fd becomes writable. Bytes are never reordered
 * or split between calls. `fd` must be registered.
 *
 * Returns `len` when every byte was written or buffered; SWIRL_EBUFFULL,
 * writing nothing, when the bytes already buffered plus `len` would exceed
 * the fd's limit (swirl_loop_set_write_limit); SWIRL_ENOTREG; or a negative
 * errno if the fd is broken (e.g. -EPIPE), also when an earlier buffered
 * flush failed. */
SWIRL_API ssize_t swirl_loop_write(swirl_loop_t *loop, int fd, const void *data, size_t len);

/* Send now, without waiting, what is buffered for `fd` (as far as the
 * kernel takes it), for a caller that waits for room in place rather than
 * in the loop. Returns the bytes still buffered (>= 0), SWIRL_ENOTREG, or
 * the negative errno that broke the fd (its buffer dropped). */
SWIRL_API ssize_t swirl_loop_flush_fd(swirl_loop_t *loop, int fd);

/* Set the most bytes `fd` may hold buffered (default
 * SWIRL_LOOP_WRITE_LIMIT_DEFAULT). 0 or SWIRL_ENOTREG. */
SWIRL_API int swirl_loop_set_write_limit(swirl_loop_t *loop, int fd, size_t limit);

/* Bytes buffered for `fd` and not yet taken by the kernel (0 if none or not
 * registered). */
SWIRL_API size_t swirl_loop_pending(const swirl_loop_t *loop, int fd);

/* The error that broke `fd`'s buffered writes (negative errno), or 0. */
SWIRL_API int swirl_loop_fd_error(const swirl_loop_t *loop, int fd);

/* ---- deferred calls -------------------------------------------------------------------- */

/* Run `cb(loop, user)` once at the end of the current iteration (after the
 * I/O and timer callbacks), in the order deferred. A call deferred from a
 * deferred call runs in the next iteration. Returns 0 or -ENOMEM. */
SWIRL_API int swirl_loop_defer(swirl_loop_t *loop, swirl_defer_cb cb, void *user);

/* Run `cb(loop, user)` at the end of every iteration, after its timers:
 * after the deferred calls, or before them with `before` (Swoole's
 * Event::cycle). It does not keep the loop alive. NULL removes it; one
 * per loop, a new one replaces the old. */
SWIRL_API void swirl_loop_set_cycle(swirl_loop_t *loop, swirl_defer_cb cb, void *user, bool before);

/* What the loop holds for its users: registered fds and pending timers
 * (less those marked as the owner's machinery below) and jobs in flight
 * on the async pool. Its own fds (signalfd, the async eventfd), watched
 * signals and deferred calls never count. A server asks it when a worker
 * stops (Swoole's onWorkerExit rule: that event runs while user code
 * still holds something in the loop). */
SWIRL_API size_t swirl_loop_user_work(const swirl_loop_t *loop);
/* Mark registered fd `fd`, or pending timer `id`, as the owner's machinery
 * (a server's own sockets and timers): swirl_loop_user_work does not count
 * it; it still keeps swirl_loop_run going. Until the fd is removed or the
 * timer ends. 0, or SWIRL_ENOTREG / -ENOENT. */
SWIRL_API int swirl_loop_set_machinery(swirl_loop_t *loop, int fd);
SWIRL_API int swirl_timer_set_machinery(swirl_loop_t *loop, int64_t id);

/* ---- timers ---------------------------------------------------------------------------- */

/* Run `cb` once after `ms` milliseconds. Returns the timer's id (a positive
 * integer never reused in this process: ids are unique across its loops) or a negative code: SWIRL_EBADARG if
 * `cb` is NULL or `ms` is negative, -ENOMEM. Timers due at the same moment
 * fire in the order they were created. */
SWIRL_API int64_t swirl_timer_after(swirl_loop_t *loop, int64_t ms, swirl_timer_cb cb, void *user);

/* Run `cb` every `ms` milliseconds (ms >= 1) until cleared. If the loop
 * falls behind, missed runs are skipped rather than fired in a burst.
 * Returns the id or a negative code as swirl_timer_after. */
SWIRL_API int64_t swirl_timer_tick(swirl_loop_t *loop, int64_t ms, swirl_timer_cb cb, void *user);

/* Cancel a timer. Safe from any callback, including the timer's own (a
 * tick cleared from its callback never runs again). Returns 0, or -ENOENT
 * if no such timer is pending (already fired once-timers included). */
SWIRL_API int swirl_timer_clear(swirl_loop_t *loop, int64_t id);

/* True if timer `id` is pending. */
SWIRL_API bool swirl_timer_exists(const swirl_loop_t *loop, int64_t id);

/* Number of pending timers. */
SWIRL_API size_t swirl_timer_count(const swirl_loop_t *loop);

/* What swirl_timer_info tells of a pending timer. Times are milliseconds
 * since the loop's first timer was made (its timer base). */
typedef struct {
    int64_t due_ms;      /* when it runs next */
    int64_t left_ms;     /* ms from now until then (0 when due) */
    int64_t interval_ms; /* 0 for a once-timer */
    uint64_t exec_count; /* times a tick has run */
    uint64_t round;      /* the timer pass it was made in (swirl_timer_round then) */
} swirl_timer_info_t;

/* Fill *out for pending timer `id` (a tick is pending while its callback
 * runs). Returns 0 or -ENOENT. */
SWIRL_API int swirl_timer_info(const swirl_loop_t *loop, int64_t id, swirl_timer_info_t *out);

/* Move pending timer `id` from loop `from` to loop `to` (both of this
 * thread), with its deadline, period, callback and runs: it fires from
 * `to` from now on, with its id (unique in the process). Returns its id in `to`, -ENOENT (no such pending timer),
 * SWIRL_ESTATE (its callback is running) or -ENOMEM (nothing moved). */
SWIRL_API int64_t swirl_timer_move(swirl_loop_t *from, int64_t id, swirl_loop_t *to);

/* The loop's timer passes so far: each iteration runs its due timers in one
 * pass, then this count goes up by one. A timer made during a pass is not
 * run before the next pass. */
SWIRL_API uint64_t swirl_timer_round(const swirl_loop_t *loop);

/* ---- signals --------------------------------------------------------------------------- */

/* Deliver `signo` to `cb` inside the loop (through a signalfd). The signal
 * is blocked in the calling thread; for a process-directed signal to reach
 * the loop reliably, block it in every other thread too (threads created
 * after this call inherit the mask). A watched signal keeps the loop alive.
 * Replaces an earlier callback for the same signal. Returns 0, SWIRL_EBADARG
 * for SIGKILL, SIGSTOP or an invalid number, or a negative errno. */
SWIRL_API int swirl_signal_add(swirl_loop_t *loop, int signo, swirl_signal_cb cb, void *user);

/* Stop watching `signo` and restore its previous blocked state (also done
 * for every watched signal by swirl_loop_free). An instance that arrived
 * while watched and was not dispatched yet is consumed, not delivered with
 * its default action. Returns 0 or -ENOENT if it was not watched. */
SWIRL_API int swirl_signal_del(swirl_loop_t *loop, int signo);

#ifdef __cplusplus
}
#endif
#endif
