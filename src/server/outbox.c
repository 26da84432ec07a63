/* src/server/outbox.c — a worker's outgoing queues (outq.c), one per
 * reactor thread, worker mailbox and task worker: messages are queued, then
 * flushed together once per loop round; a socket that is full is watched
 * for writability and flushed again. */
#include <errno.h>
#include <poll.h>

#include "../core/internal.h"
#include "internal.h"
#include "worker.h"

/* Outgoing queues come in three kinds: 0 to reactor threads, 1 to worker
 * mailboxes, 2 to task workers. */
enum { KINDS = 3 };

static int out_fd(swirl__worker_t *w, int kind, int i) {
    return kind == 0 ? w->srv->pipes[i][w->id][1]
                     : (kind == 1 ? w->srv->mailbox[i][0] : w->srv->taskbox[i][0]);
}

static int out_count(const swirl__worker_t *w, int kind) {
    return kind == 0 ? swirl__w_reactor_count(w)
                     : (kind == 1 ? w->srv->worker_num : w->srv->task_worker_num);
}

static swirl__outq_t *out_q(swirl__worker_t *w, int kind, int i) {
    return kind == 0 ? &w->to_reactor[i] : (kind == 1 ? &w->to_worker[i] : &w->to_task[i]);
}

/* Flush queue `i` of `kind` now; a full socket is watched for room. */
static void flush_queue(swirl__worker_t *w, swirl_loop_t *loop, int kind, int i) {
    swirl__outq_t *q = out_q(w, kind, i);
    if (swirl_buf_size(&q->buf) == 0 || q->want_write)
        return;
    int fd = out_fd(w, kind, i);
    int rc = swirl__outq_flush(q, fd);
    if (rc == -EAGAIN) {
        q->want_write = true;
        /* the mailbox write end is not otherwise in our loop */
        if (swirl_loop_has(loop, fd))
            swirl_loop_set(loop, fd,
                           (kind == 0 && swirl__w_reads_on(w, i) ? SWIRL_EV_READ : 0) |
                               SWIRL_EV_WRITE,
                           NULL, swirl__w_on_out_writable);
        else if (swirl_loop_add(loop, fd, SWIRL_EV_WRITE, NULL, swirl__w_on_out_writable, w) == 0)
            swirl_loop_set_machinery(loop, fd);
    } else if (rc < 0) {
        swirl_log_error("worker %d: sending to %s %d: %s", w->id,
                        kind == 0 ? "reactor" : (kind == 1 ? "worker" : "task worker"), i,
                        swirl_strerror(rc));
        swirl__outq_clear(q);
    }
}

void swirl__w_flush_all(swirl_loop_t *loop, void *user) {
    swirl__worker_t *w = user;
    w->flush_queued = false;
    for (int kind = 0; kind < KINDS; kind++) {
        int n = out_count(w, kind);
        for (int i = 0; i < n; i++)
            flush_queue(w, loop, kind, i);
    }
}

void swirl__w_flush_task_queue(swirl__worker_t *w, int t) { flush_queue(w, w->loop, 2, t); }

void swirl__w_on_out_writable(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    for (int kind = 0; kind < KINDS; kind++) {
        int n = out_count(w, kind);
        for (int i = 0; i < n; i++) {
            if (out_fd(w, kind, i) != fd)
                continue;
            swirl__outq_t *q = out_q(w, kind, i);
            if (swirl__outq_flush(q, fd) == -EAGAIN)
                return;
            q->want_write = false;
            if (kind == 0)
                swirl_loop_set(loop, fd, swirl__w_reads_on(w, i) ? SWIRL_EV_READ : 0, NULL, NULL);
            else
                swirl_loop_del(loop, fd);
            return;
        }
    }
}

int swirl__w_enqueue(swirl__worker_t *w, swirl__outq_t *q, const swirl__msg_t *h, const void *a,
                     size_t alen, const void *b, size_t blen) {
    return swirl__w_enqueue_fd(w, q, h, a, alen, b, blen, -1);
}

int swirl__w_enqueue_fd(swirl__worker_t *w, swirl__outq_t *q, const swirl__msg_t *h, const void *a,
                        size_t alen, const void *b, size_t blen, int fd) {
    int rc = fd >= 0 ? swirl__outq_put_fd(q, h, a, alen, b, blen, fd)
                     : swirl__outq_put(q, h, a, alen, b, blen);
    if (rc < 0)
        return swirl__error(rc, "worker %d: queueing a message:", w->id);
    if (!w->flush_queued && !q->want_write) {
        w->flush_queued = true;
        swirl_loop_defer(w->loop, swirl__w_flush_all, w);
    }
    return 0;
}

int swirl__w_drain_to_worker(swirl__worker_t *w, int i, int timeout_ms) {
    swirl__outq_t *q = out_q(w, 1, i);
    int fd = out_fd(w, 1, i);
    uint64_t deadline = swirl_clock_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    while (swirl_buf_size(&q->buf) > 0) {
        int rc = swirl__outq_flush(q, fd);
        if (rc == 0)
            break;
        if (rc != -EAGAIN)
            return rc;
        uint64_t now = swirl_clock_ms();
        if (now >= deadline)
            return swirl__error(-ETIMEDOUT,
                                "worker %d: worker %d did not take what is queued for it in %d ms",
                                w->id, i, timeout_ms);
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
            return swirl__error(swirl__neg_errno(), "worker %d: waiting for worker %d:", w->id, i);
    }
    if (q->want_write) { /* drained here: the loop need not watch it */
        q->want_write = false;
        if (swirl_loop_has(w->loop, fd))
            swirl_loop_del(w->loop, fd);
    }
    return 0;
}

/* Bytes still queued to reactors or other workers. */
bool swirl__w_output_queued(swirl__worker_t *w) {
    for (int kind = 0; kind < KINDS; kind++)
        for (int i = 0; i < out_count(w, kind); i++)
            if (swirl_buf_size(&out_q(w, kind, i)->buf) > 0)
                return true;
    return swirl_buf_size(&w->tk.mq_pending) > 0;
}
