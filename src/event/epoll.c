/* src/event/epoll.c — the epoll backend (level-triggered). The loop keeps
 * per-fd state; this file only translates between it and the kernel. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "../core/internal.h"
#include "backend.h"
#include "internal.h"

#define EPOLL_BATCH 256

typedef struct {
    int epfd;
    struct epoll_event events[EPOLL_BATCH];
} epoll_state_t;

static int epoll_init(swirl_loop_t *loop) {
    epoll_state_t *st = swirl_malloc(sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (st->epfd < 0) {
        int rc = swirl__neg_errno();
        swirl_free(st);
        return rc;
    }
    loop->backend = st;
    return 0;
}

static void epoll_destroy(swirl_loop_t *loop) {
    epoll_state_t *st = loop->backend;
    if (!st)
        return;
    close(st->epfd);
    swirl_free(st);
    loop->backend = NULL;
}

static uint32_t to_epoll(int events) {
    uint32_t e = 0;
    if (events & SWIRL_EV_READ)
        e |= EPOLLIN | EPOLLRDHUP;
    if (events & SWIRL_EV_WRITE)
        e |= EPOLLOUT;
    return e;
}

static int epoll_ctl_fd(swirl_loop_t *loop, int fd, int old_events, int new_events, uint64_t data) {
    epoll_state_t *st = loop->backend;
    struct epoll_event ev = {.events = to_epoll(new_events), .data.u64 = data};
    int op;
    if (new_events == 0) {
        if (old_events == 0)
            return 0;
        op = EPOLL_CTL_DEL;
    } else {
        op = old_events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    }
    if (epoll_ctl(st->epfd, op, fd, &ev) == 0)
        return 0;
    /* A caller that closed the fd before removing it already took it out
     * of the epoll set; removing it is then done. */
    if (op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT))
        return 0;
    /* The same fd number, closed and reopened behind our back: re-add. */
    if (op == EPOLL_CTL_MOD && errno == ENOENT && epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
        return 0;
    return swirl__neg_errno();
}

static int epoll_poll(swirl_loop_t *loop, int timeout_ms, swirl__ready_t *out, int max) {
    epoll_state_t *st = loop->backend;
    if (max > EPOLL_BATCH)
        max = EPOLL_BATCH;
    int n = epoll_wait(st->epfd, st->events, max, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : swirl__neg_errno();
    for (int i = 0; i < n; i++) {
        uint32_t e = st->events[i].events;
        int ev = 0;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLPRI))
            ev |= SWIRL_EV_READ;
        if (e & EPOLLOUT)
            ev |= SWIRL_EV_WRITE;
        if (e & (EPOLLERR | EPOLLHUP))
            ev |= SWIRL_EV_ERROR;
        out[i].data = st->events[i].data.u64;
        out[i].events = ev;
    }
    return n;
}

const swirl__backend_ops_t swirl__backend_epoll = {
    .name = "epoll",
    .init = epoll_init,
    .destroy = epoll_destroy,
    .ctl = epoll_ctl_fd,
    .poll = epoll_poll,
};
