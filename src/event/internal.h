/* src/event/internal.h — the loop's private state, shared by loop.c,
 * timer.c, signal.c and the backends; never installed. */
#ifndef SWIRL_EVENT_INTERNAL_H
#define SWIRL_EVENT_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <swirl/core.h>
#include <swirl/event.h>

#include "backend.h"

#define SWIRL__READY_MAX 256

/* Writes an fd's bytes instead of write(2) (TLS: SSL_write). Returns the
 * count taken, -EAGAIN, or a negative errno. */
typedef ssize_t (*swirl__writer_fn)(void *ctx, int fd, const void *data, size_t len);

/* Per-fd state, in a table indexed by fd (fds are small and dense). */
typedef struct swirl__fd {
    swirl__writer_fn writer; /* NULL: write(2) */
    void *writer_ctx;
    swirl_io_cb on_read;
    swirl_io_cb on_write;
    void *user;
    swirl_buf_t wbuf;   /* bytes the kernel has not taken yet */
    size_t write_limit; /* most bytes wbuf may hold */
    uint32_t gen;       /* changes on every add: events for an older gen are stale */
    int error;          /* a buffered flush failed with this; the fd is broken */
    uint8_t registered;
    uint8_t internal;     /* the loop's own fd (signalfd): not counted as user work */
    uint8_t machinery;    /* the owner's (swirl_loop_set_machinery): not user work either */
    uint8_t user_events;  /* SWIRL_EV_* the owner asked for */
    uint8_t armed_events; /* SWIRL_EV_* currently in the backend */
} swirl__fd_t;

typedef struct swirl__timer swirl__timer_t;

typedef struct swirl__defer {
    struct swirl__defer *next;
    swirl_defer_cb cb;
    void *user;
} swirl__defer_t;

struct swirl_loop {
    const swirl__backend_ops_t *ops;
    swirl_loop_t *reg_prev, *reg_next; /* this process's loops (loop.c) */
    void *backend;
    swirl__ready_t ready[SWIRL__READY_MAX];

    swirl__fd_t *fds;
    int fds_cap;
    size_t user_fds; /* registered fds that keep the loop alive */
    size_t machinery_fds, machinery_timers; /* of those fds, and of the timers: the owner's */
    /* Work another layer runs for this loop elsewhere (async jobs on the
     * thread pool): keeps the loop alive like a user fd. */
    size_t pending_work;
    /* State another layer hangs on the loop (the async module's completion
     * eventfd), released through `ext_free` when the loop is freed or, with
     * forget = true, forgotten in a child (no epoll_ctl then). */
    void *ext;
    void (*ext_free)(swirl_loop_t *loop, bool forget);
    uint32_t next_gen;

    uint64_t now_ns; /* cached monotonic time, refreshed each iteration */
    bool stop;
    bool running;

    /* timers: a min-heap by (deadline, seq) plus an id -> timer map */
    swirl__timer_t **heap;
    size_t heap_len, heap_cap;
    swirl__timer_t **map; /* open addressing, linear probing, power-of-two size */
    size_t map_cap;
    uint64_t next_timer_seq;
    uint64_t timer_round;   /* timer passes done (swirl_timer_round) */
    uint64_t timer_base_ns; /* when the first timer was made; 0 before */

    /* the end-of-iteration callback (swirl_loop_set_cycle) */
    swirl_defer_cb cycle_cb;
    void *cycle_user;
    bool cycle_before;

    /* deferred calls, FIFO */
    swirl__defer_t *defer_head, *defer_tail;

    /* signals */
    int sigfd;
    sigset_t sigset;      /* watched signals */
    sigset_t was_blocked; /* of the watched ones, those already blocked before */
    int nsignals;
    struct {
        swirl_signal_cb cb;
        void *user;
    } sig[65];
};

/* ---- for the layers above: their state and work on a loop ----
 * The loop's fields are the event layer's; other layers go through these. */

/* Hang another layer's state on the loop (the async module's completion
 * eventfd), with `ext_free` to release it when the loop is freed (forget =
 * false) or forgotten in a child (forget = true: no epoll_ctl then); NULL,
 * NULL detaches it without a call. One hanger per loop. */
static inline void swirl__loop_set_ext(swirl_loop_t *loop, void *ext,
                                       void (*ext_free)(swirl_loop_t *loop, bool forget)) {
    loop->ext = ext;
    loop->ext_free = ext_free;
}
/* The state hung on the loop, or NULL. */
static inline void *swirl__loop_ext(const swirl_loop_t *loop) { return loop->ext; }
/* One more piece of work runs elsewhere for this loop (a job on the thread
 * pool): it keeps the loop alive like a user fd until swirl__loop_work_done. */
static inline void swirl__loop_work_add(swirl_loop_t *loop) { loop->pending_work++; }
/* That work is over (its result delivered, or dropped). */
static inline void swirl__loop_work_done(swirl_loop_t *loop) { loop->pending_work--; }

/* Register one of the loop's own fds (not counted as user work). */
int swirl__loop_add_internal(swirl_loop_t *loop, int fd, swirl_io_cb on_read, void *user);
/* Remove it again. */
void swirl__loop_del_internal(swirl_loop_t *loop, int fd);

/* Route a registered fd's writes (swirl_loop_write and its buffered
 * flushes) through `writer`; NULL restores write(2). SWIRL_ENOTREG. */
int swirl__loop_set_writer(swirl_loop_t *loop, int fd, swirl__writer_fn writer, void *ctx);

/* In a child just forked: release every loop the parent had, as
 * swirl_loop_forget does (used by swirl_process_start). */
void swirl__loops_forget_inherited(void);

/* timer.c */
/* Nanoseconds until the first timer is due (0 if overdue), or -1 if none. */
int64_t swirl__timers_next(swirl_loop_t *loop);
/* Run every timer due at loop->now_ns (not those created while running). */
void swirl__timers_run(swirl_loop_t *loop);
void swirl__timers_free(swirl_loop_t *loop);

/* signal.c */
void swirl__signals_free(swirl_loop_t *loop);

#endif
