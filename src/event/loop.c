/* src/event/loop.c — the reactor: fd registration, dispatch with stale-event
 * skipping, buffered non-blocking writes, deferred calls and the run loop.
 * Timers live in timer.c and signals in signal.c. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <swirl/net.h>

#include "../core/internal.h"
#include "internal.h"

/* Per-process singleton: every loop of this process, so that a child made
 * by swirl_process_start can release the ones it inherited (their epoll
 * sets are shared with the parent). Loops are made in several threads
 * (reactors), hence the lock; pthread_atfork holds it across fork so the
 * child never sees the list half-changed. */
static struct {
    pthread_mutex_t lock;
    pthread_once_t once;
    swirl_loop_t *head;
} process_loops = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_ONCE_INIT, NULL};

static void registry_lock(void) { pthread_mutex_lock(&process_loops.lock); }
static void registry_unlock(void) { pthread_mutex_unlock(&process_loops.lock); }
static void registry_setup(void) {
    pthread_atfork(registry_lock, registry_unlock, registry_unlock);
}

static void registry_add(swirl_loop_t *loop) {
    pthread_once(&process_loops.once, registry_setup);
    registry_lock();
    loop->reg_prev = NULL;
    loop->reg_next = process_loops.head;
    if (process_loops.head)
        process_loops.head->reg_prev = loop;
    process_loops.head = loop;
    registry_unlock();
}

static void registry_del(swirl_loop_t *loop) {
    registry_lock();
    if (loop->reg_prev)
        loop->reg_prev->reg_next = loop->reg_next;
    else if (process_loops.head == loop)
        process_loops.head = loop->reg_next;
    if (loop->reg_next)
        loop->reg_next->reg_prev = loop->reg_prev;
    loop->reg_prev = loop->reg_next = NULL;
    registry_unlock();
}

void swirl__loops_forget_inherited(void) {
    while (process_loops.head)
        swirl_loop_forget(process_loops.head);
}

int swirl_loop_new(swirl_loop_t **out) {
    if (!out)
        return SWIRL_EBADARG;
    swirl_loop_t *loop = swirl_calloc(1, sizeof(*loop));
    if (!loop)
        return -ENOMEM;
    loop->ops = &swirl__backend_epoll;
    loop->sigfd = -1;
    sigemptyset(&loop->sigset);
    sigemptyset(&loop->was_blocked);
    int rc = loop->ops->init(loop);
    if (rc < 0) {
        swirl_free(loop);
        return swirl__error(rc, "event loop: %s backend:", swirl__backend_epoll.name);
    }
    loop->now_ns = swirl_clock_ns();
    registry_add(loop);
    *out = loop;
    return 0;
}

void swirl_loop_free(swirl_loop_t *loop) {
    if (!loop)
        return;
    registry_del(loop);
    if (loop->ext_free)
        loop->ext_free(loop, false);
    swirl__signals_free(loop);
    swirl__timers_free(loop);
    for (swirl__defer_t *d = loop->defer_head, *next; d; d = next) {
        next = d->next;
        swirl_free(d);
    }
    for (int fd = 0; fd < loop->fds_cap; fd++)
        swirl_buf_destroy(&loop->fds[fd].wbuf);
    swirl_free(loop->fds);
    loop->ops->destroy(loop);
    swirl_free(loop);
}

void swirl_loop_forget(swirl_loop_t *loop) {
    if (!loop)
        return;
    registry_del(loop);
    if (loop->ext_free)
        loop->ext_free(loop, true);
    if (loop->sigfd >= 0)
        close(loop->sigfd); /* the signals stay blocked: the child sets its own mask */
    swirl__timers_free(loop);
    for (swirl__defer_t *d = loop->defer_head, *next; d; d = next) {
        next = d->next;
        swirl_free(d);
    }
    for (int fd = 0; fd < loop->fds_cap; fd++)
        swirl_buf_destroy(&loop->fds[fd].wbuf);
    swirl_free(loop->fds);
    loop->ops->destroy(loop); /* closes the epoll fd: no epoll_ctl */
    swirl_free(loop);
}

const char *swirl_loop_backend(const swirl_loop_t *loop) { return loop->ops->name; }

uint64_t swirl_loop_now(const swirl_loop_t *loop) { return loop->now_ns / 1000000u; }

void swirl_loop_stop(swirl_loop_t *loop) { loop->stop = true; }

/* ---- fd table ---------------------------------------------------------------------------- */

static swirl__fd_t *fd_get(const swirl_loop_t *loop, int fd) {
    if (fd < 0 || fd >= loop->fds_cap || !loop->fds[fd].registered)
        return NULL;
    return &loop->fds[fd];
}

static int fd_table_grow(swirl_loop_t *loop, int fd) {
    if (fd < loop->fds_cap)
        return 0;
    int cap = loop->fds_cap ? loop->fds_cap : 64;
    while (cap <= fd)
        cap = cap > INT_MAX / 2 ? INT_MAX : cap * 2;
    swirl__fd_t *p = swirl_realloc(loop->fds, (size_t)cap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    memset(p + loop->fds_cap, 0, (size_t)(cap - loop->fds_cap) * sizeof(*p));
    loop->fds = p;
    loop->fds_cap = cap;
    return 0;
}

static uint64_t pack(int fd, uint32_t gen) { return ((uint64_t)gen << 32) | (uint32_t)fd; }

/* Arm in the backend what the owner asked for, plus writability while bytes
 * wait in the buffer. */
static int fd_rearm(swirl_loop_t *loop, int fd) {
    swirl__fd_t *e = &loop->fds[fd];
    int want = e->user_events;
    if (swirl_buf_size(&e->wbuf) > 0 && e->error == 0)
        want |= SWIRL_EV_WRITE;
    if (want == e->armed_events)
        return 0;
    int rc = loop->ops->ctl(loop, fd, e->armed_events, want, pack(fd, e->gen));
    if (rc == 0)
        e->armed_events = (uint8_t)want;
    return rc;
}

static int fd_add(swirl_loop_t *loop, int fd, int events, swirl_io_cb on_read, swirl_io_cb on_write,
                  void *user, bool internal) {
    int rc = fd_table_grow(loop, fd);
    if (rc < 0)
        return rc;
    swirl__fd_t *e = &loop->fds[fd];
    swirl_buf_t keep = e->wbuf; /* reuse memory left by an earlier registration */
    swirl_buf_clear(&keep);
    *e = (swirl__fd_t){.on_read = on_read,
                       .on_write = on_write,
                       .user = user,
                       .wbuf = keep,
                       .write_limit = SWIRL_LOOP_WRITE_LIMIT_DEFAULT,
                       .gen = ++loop->next_gen,
                       .registered = 1,
                       .internal = internal,
                       .user_events = (uint8_t)events};
    rc = fd_rearm(loop, fd);
    if (rc < 0) {
        e->registered = 0;
        return rc;
    }
    if (!internal)
        loop->user_fds++;
    return 0;
}

int swirl_loop_add(swirl_loop_t *loop, int fd, int events, swirl_io_cb on_read,
                   swirl_io_cb on_write, void *user) {
    if (fd < 0)
        return swirl__error(SWIRL_EBADARG, "loop add: bad fd %d", fd);
    if ((events & ~(SWIRL_EV_READ | SWIRL_EV_WRITE)) ||
        !(events & (SWIRL_EV_READ | SWIRL_EV_WRITE)))
        return swirl__error(SWIRL_EBADARG,
                            "loop add fd %d: events must be READ and/or WRITE, got 0x%x", fd,
                            (unsigned)events);
    if (((events & SWIRL_EV_READ) && !on_read) || ((events & SWIRL_EV_WRITE) && !on_write))
        return swirl__error(SWIRL_EBADARG, "loop add fd %d: missing callback for an event", fd);
    if (fd_get(loop, fd))
        return swirl__error(SWIRL_EEXISTS, "loop add fd %d: already registered", fd);
    int rc = fd_add(loop, fd, events, on_read, on_write, user, false);
    if (rc == -EPERM)
        return swirl__error(rc,
                            "loop add fd %d: epoll cannot watch it (a regular file or /dev/null is "
                            "always ready: read or write it directly):",
                            fd);
    if (rc < 0)
        return swirl__error(rc, "loop add fd %d:", fd);
    return 0;
}

int swirl_loop_set(swirl_loop_t *loop, int fd, int events, swirl_io_cb on_read,
                   swirl_io_cb on_write) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop set fd %d: not registered", fd);
    if (events & ~(SWIRL_EV_READ | SWIRL_EV_WRITE))
        return swirl__error(SWIRL_EBADARG, "loop set fd %d: bad events 0x%x", fd, (unsigned)events);
    swirl_io_cb r = on_read ? on_read : e->on_read;
    swirl_io_cb w = on_write ? on_write : e->on_write;
    if (((events & SWIRL_EV_READ) && !r) || ((events & SWIRL_EV_WRITE) && !w))
        return swirl__error(SWIRL_EBADARG, "loop set fd %d: missing callback for an event", fd);
    e->on_read = r;
    e->on_write = w;
    e->user_events = (uint8_t)events;
    int rc = fd_rearm(loop, fd);
    return rc < 0 ? swirl__error(rc, "loop set fd %d:", fd) : 0;
}

static void fd_del(swirl_loop_t *loop, int fd) {
    swirl__fd_t *e = &loop->fds[fd];
    loop->ops->ctl(loop, fd, e->armed_events, 0, 0);
    if (!e->internal)
        loop->user_fds--;
    if (e->machinery)
        loop->machinery_fds--;
    e->machinery = 0;
    e->registered = 0;
    e->armed_events = 0;
    e->gen = 0;
    swirl_buf_clear(&e->wbuf);
    /* Give back a large buffer now rather than hold it for a future fd. */
    if (e->wbuf.cap > 64 * 1024)
        swirl_buf_destroy(&e->wbuf);
}

int swirl_loop_del(swirl_loop_t *loop, int fd) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop del fd %d: not registered", fd);
    fd_del(loop, fd);
    return 0;
}

bool swirl_loop_has(const swirl_loop_t *loop, int fd) {
    const swirl__fd_t *e = fd_get(loop, fd);
    return e && !e->internal;
}

int swirl_loop_set_machinery(swirl_loop_t *loop, int fd) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop machinery fd %d: not registered", fd);
    if (!e->machinery) {
        e->machinery = 1;
        loop->machinery_fds++;
    }
    return 0;
}

size_t swirl_loop_user_work(const swirl_loop_t *loop) {
    return (loop->user_fds - loop->machinery_fds) +
           (swirl_timer_count(loop) - loop->machinery_timers) + loop->pending_work;
}

int swirl__loop_add_internal(swirl_loop_t *loop, int fd, swirl_io_cb on_read, void *user) {
    return fd_add(loop, fd, SWIRL_EV_READ, on_read, NULL, user, true);
}

void swirl__loop_del_internal(swirl_loop_t *loop, int fd) {
    if (fd_get(loop, fd))
        fd_del(loop, fd);
}

/* ---- buffered writes --------------------------------------------------------------------- */

ssize_t swirl_loop_write(swirl_loop_t *loop, int fd, const void *data, size_t len) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop write fd %d: not registered", fd);
    if (e->error)
        return swirl__error(e->error, "loop write fd %d:", fd);
    if (len == 0)
        return 0;
    size_t pending = swirl_buf_size(&e->wbuf);
    if (len > e->write_limit || pending > e->write_limit - len)
        return swirl__error(SWIRL_EBUFFULL,
                            "loop write fd %d: %zu bytes would pass the write buffer limit "
                            "(%zu buffered, limit %zu)",
                            fd, len, pending, e->write_limit);
    size_t done = 0;
    if (pending == 0) {
        ssize_t n =
            e->writer ? e->writer(e->writer_ctx, fd, data, len) : swirl_net_write(fd, data, len);
        if (n < 0 && n != -EAGAIN) {
            e->error = (int)n;
            return swirl__error((int)n, "loop write fd %d:", fd);
        }
        if (n == (ssize_t)len)
            return (ssize_t)len;
        done = n > 0 ? (size_t)n : 0;
    }
    int rc = swirl_buf_append(&e->wbuf, (const char *)data + done, len - done);
    if (rc < 0) {
        if (done > 0) {
            /* Part went out and the rest cannot be kept: the stream is cut. */
            e->error = rc;
            swirl_buf_clear(&e->wbuf);
        }
        return swirl__error(rc, "loop write fd %d: buffering %zu bytes:", fd, len - done);
    }
    rc = fd_rearm(loop, fd);
    if (rc < 0) {
        e->error = rc;
        return swirl__error(rc, "loop write fd %d: arming for write:", fd);
    }
    return (ssize_t)len;
}

int swirl__loop_set_writer(swirl_loop_t *loop, int fd, swirl__writer_fn writer, void *ctx) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop writer fd %d: not registered", fd);
    e->writer = writer;
    e->writer_ctx = ctx;
    return 0;
}

int swirl_loop_set_write_limit(swirl_loop_t *loop, int fd, size_t limit) {
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->internal)
        return swirl__error(SWIRL_ENOTREG, "loop write limit fd %d: not registered", fd);
    e->write_limit = limit;
    return 0;
}

size_t swirl_loop_pending(const swirl_loop_t *loop, int fd) {
    const swirl__fd_t *e = fd_get(loop, fd);
    return e ? swirl_buf_size(&e->wbuf) : 0;
}

int swirl_loop_fd_error(const swirl_loop_t *loop, int fd) {
    const swirl__fd_t *e = fd_get(loop, fd);
    return e ? e->error : 0;
}

/* Send what is buffered. Returns 0 (all sent, or the kernel is full) or
 * the error that broke the fd (buffer dropped). */
static int flush(swirl_loop_t *loop, int fd) {
    swirl__fd_t *e = &loop->fds[fd];
    while (swirl_buf_size(&e->wbuf) > 0) {
        ssize_t n =
            e->writer
                ? e->writer(e->writer_ctx, fd, swirl_buf_bytes(&e->wbuf), swirl_buf_size(&e->wbuf))
                : swirl_net_write(fd, swirl_buf_bytes(&e->wbuf), swirl_buf_size(&e->wbuf));
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            e->error = (int)n;
            swirl_buf_clear(&e->wbuf);
            break;
        }
        swirl_buf_consume(&e->wbuf, (size_t)n);
    }
    fd_rearm(loop, fd);
    return e->error;
}

ssize_t swirl_loop_flush_fd(swirl_loop_t *loop, int fd) {
    if (!fd_get(loop, fd))
        return SWIRL_ENOTREG;
    int rc = flush(loop, fd);
    return rc < 0 ? rc : (ssize_t)swirl_buf_size(&loop->fds[fd].wbuf);
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static void dispatch(swirl_loop_t *loop, const swirl__ready_t *r) {
    int fd = (int)(uint32_t)r->data;
    uint32_t gen = (uint32_t)(r->data >> 32);
    swirl__fd_t *e = fd_get(loop, fd);
    if (!e || e->gen != gen)
        return; /* removed (and maybe reused) by an earlier callback this round */
    int ev = r->events;
    if ((ev & (SWIRL_EV_WRITE | SWIRL_EV_ERROR)) && swirl_buf_size(&e->wbuf) > 0) {
        if (flush(loop, fd) < 0) {
            ev |= SWIRL_EV_ERROR;
            e = &loop->fds[fd];
            if (!(e->user_events & (SWIRL_EV_READ | SWIRL_EV_WRITE)))
                return; /* nobody to tell now; the next write returns the error */
        }
    }
    e = &loop->fds[fd];
    int user_ev = ev & (e->user_events | SWIRL_EV_ERROR);
    if ((e->user_events & SWIRL_EV_READ) && (user_ev & (SWIRL_EV_READ | SWIRL_EV_ERROR))) {
        e->on_read(loop, fd, user_ev, e->user);
        e = fd_get(loop, fd);
        if (!e || e->gen != gen)
            return;
        user_ev &= ~SWIRL_EV_ERROR; /* reported once */
    }
    if ((e->user_events & SWIRL_EV_WRITE) && (user_ev & (SWIRL_EV_WRITE | SWIRL_EV_ERROR)))
        e->on_write(loop, fd, user_ev, e->user);
}

static void run_defers(swirl_loop_t *loop) {
    swirl__defer_t *d = loop->defer_head;
    loop->defer_head = loop->defer_tail = NULL; /* deferred from here on: next round */
    while (d) {
        swirl__defer_t *next = d->next;
        d->cb(loop, d->user);
        swirl_free(d);
        d = next;
    }
}

int swirl_loop_defer(swirl_loop_t *loop, swirl_defer_cb cb, void *user) {
    if (!cb)
        return swirl__error(SWIRL_EBADARG, "defer: callback is NULL");
    swirl__defer_t *d = swirl_malloc(sizeof(*d));
    if (!d)
        return swirl__error(-ENOMEM, "defer:");
    d->next = NULL;
    d->cb = cb;
    d->user = user;
    if (loop->defer_tail)
        loop->defer_tail->next = d;
    else
        loop->defer_head = d;
    loop->defer_tail = d;
    return 0;
}

void swirl_loop_set_cycle(swirl_loop_t *loop, swirl_defer_cb cb, void *user, bool before) {
    loop->cycle_cb = cb;
    loop->cycle_user = cb ? user : NULL;
    loop->cycle_before = before;
}

static bool alive(const swirl_loop_t *loop) {
    return loop->user_fds > 0 || loop->pending_work > 0 || loop->heap_len > 0 || loop->defer_head ||
           loop->nsignals > 0;
}

int swirl_loop_run_once(swirl_loop_t *loop, int timeout_ms) {
    loop->now_ns = swirl_clock_ns();
    int timeout = timeout_ms;
    if (loop->defer_head) {
        timeout = 0;
    } else {
        int64_t next = swirl__timers_next(loop);
        if (next >= 0) {
            int64_t ms = (next + 999999) / 1000000; /* round up: never wake early */
            if (ms > INT_MAX)
                ms = INT_MAX;
            if (timeout < 0 || ms < timeout)
                timeout = (int)ms;
        }
    }
    if (timeout < 0 && !alive(loop))
        timeout = 0; /* nothing left that could end the wait: poll once */
    int n = loop->ops->poll(loop, timeout, loop->ready, SWIRL__READY_MAX);
    if (n < 0)
        return swirl__error(n, "event loop: %s wait:", loop->ops->name);
    loop->now_ns = swirl_clock_ns();
    for (int i = 0; i < n; i++)
        dispatch(loop, &loop->ready[i]);
    swirl__timers_run(loop);
    if (loop->cycle_cb && loop->cycle_before)
        loop->cycle_cb(loop, loop->cycle_user);
    run_defers(loop);
    if (loop->cycle_cb && !loop->cycle_before)
        loop->cycle_cb(loop, loop->cycle_user);
    return alive(loop) ? 1 : 0;
}

int swirl_loop_run(swirl_loop_t *loop) {
    if (loop->running)
        return swirl__error(SWIRL_ESTATE, "event loop: already running");
    loop->running = true;
    int rc = 0;
    while (!loop->stop && alive(loop)) {
        rc = swirl_loop_run_once(loop, -1);
        if (rc < 0)
            break;
        rc = 0;
    }
    loop->stop = false;
    loop->running = false;
    return rc;
}
