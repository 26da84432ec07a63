/* src/event/backend.h — the small ops table every poller implements.
 * epoll.c is the default; io_uring.c will plug in behind the same table. */
#ifndef SWIRL_EVENT_BACKEND_H
#define SWIRL_EVENT_BACKEND_H

#include <stdint.h>
#include <swirl/event.h>

/* One ready fd as the backend reports it: `data` is what was registered
 * (the loop packs fd and generation into it), `events` SWIRL_EV_* bits. */
typedef struct swirl__ready {
    uint64_t data;
    int events;
} swirl__ready_t;

typedef struct swirl__backend_ops {
    const char *name;
    /* Set up backend state in loop->backend. 0 or a negative errno. */
    int (*init)(swirl_loop_t *loop);
    void (*destroy)(swirl_loop_t *loop);
    /* Move `fd` from watching `old_events` to `new_events` (either may be 0:
     * add, modify or remove). 0 or a negative errno. */
    int (*ctl)(swirl_loop_t *loop, int fd, int old_events, int new_events, uint64_t data);
    /* Wait up to timeout_ms (-1 forever) and fill at most `max` entries.
     * Returns the count (0 on timeout or EINTR) or a negative errno. */
    int (*poll)(swirl_loop_t *loop, int timeout_ms, swirl__ready_t *out, int max);
} swirl__backend_ops_t;

extern const swirl__backend_ops_t swirl__backend_epoll;

#endif
