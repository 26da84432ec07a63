/* src/server/worker.h — a worker process's state, shared by worker.c (the
 * loop, messages in, the stop), outbox.c (messages out), send.c (the
 * connection methods), task.c and task_mq.c (tasks). Never installed. */
#ifndef SWIRL_SERVER_WORKER_H
#define SWIRL_SERVER_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "internal.h"

typedef struct swirl__worker swirl__worker_t;
/* Handle one packet and the fds it carried (all taken; NULL, 0: none);
 * chunks are gathered in `rx` until the last arrives. */
typedef void (*swirl__w_packet_fn)(swirl__worker_t *w, const char *pkt, size_t n, swirl_buf_t *rx,
                                   const int *fds, int nfds);

/* A worker's task state, task.c's and task_mq.c's: the tasks it sent and
 * the results it waits for, and in a task worker the task it runs. */
typedef struct swirl__tasks {
    int64_t task_seq;     /* ids of the tasks this worker sent */
    swirl_buf_t deferred; /* mailbox packets read while in taskwait: [u32 len][packet]... */
    bool deferred_queued;
    int64_t cur_task;  /* task worker: the task running */
    bool cur_running;  /* ... if any */
    bool cur_noreply;  /* sent by the master, the manager or a user process: no result */
    int cur_src;       /* its sender */
    bool cur_wait;     /* sent by taskwait */
    bool cur_finished; /* finish() was called for it */
    /* task_ipc_mode 2, 3 (task_mq.c) */
    swirl_buf_t mq_pending; /* worker: tasks the full queue did not take yet:
                             * [u32 n][long type][msg text], n = sizeof(long) + text */
    int64_t mq_timer;       /* its retry timer */
    int pump_fd[2];         /* task worker: [0] the loop's end, [1] the pump's */
    pthread_t pump;
    bool pump_on;
    atomic_bool pump_quit;
    char *pump_buf;
} swirl__tasks_t;

struct swirl__worker {
    swirl_server_t *srv;
    int id; /* 0..worker_num-1; task workers follow */
    swirl_loop_t *loop;
    bool base;
    bool task;                 /* a task worker */
    swirl__io_t io;            /* BASE mode: the connections this worker owns */
    swirl__outq_t *to_reactor; /* PROCESS: one queue per reactor thread */
    swirl__outq_t *to_worker;  /* one queue per mailbox */
    swirl__outq_t *to_task;    /* one queue per task worker */
    swirl_buf_t *rx_reactor;   /* chunk reassembly per reactor socket */
    swirl_buf_t *rx_worker;    /* per source worker */
    bool flush_queued;
    char *pkt;
    /* worker.c's packet handler, for the inputs task.c and task_mq.c read
     * (the taskbox, the task queue's pump, packets kept during a taskwait):
     * they hand packets down through it and never call back into worker.c */
    swirl__w_packet_fn on_packet;
    int64_t requests;
    int64_t max_request;    /* max_request plus this worker's share of max_request_grace */
    bool stopping;          /* asked to stop: finishing its work */
    bool reads_all;         /* stopping for the shutdown: every input is read again */
    uint64_t stop_deadline; /* swirl_clock_ms() by which it exits regardless */
    int64_t stop_timer;
    swirl__tasks_t tk; /* tasks sent, run, and their queues (task.c, task_mq.c) */
};

/* Mark this worker busy (1) or idle (0) in shared memory (stats). */
static inline void swirl__w_set_busy(swirl__worker_t *w, int busy) {
    atomic_store_explicit(&w->srv->shared->workers[w->id].busy, busy, memory_order_relaxed);
}

/* Emit an event from this worker: its id set, busy while the callback runs
 * (not its own lifecycle's: workerExit, as Swoole's). */
static inline void swirl__w_emit(swirl__worker_t *w, swirl_event_t *ev) {
    bool work = ev->type != SWIRL_ON_WORKER_EXIT;
    if (work)
        swirl__w_set_busy(w, 1);
    ev->worker_id = ev->type == SWIRL_ON_PIPE_MESSAGE ? ev->worker_id : w->id;
    swirl__emit(w->srv, ev);
    if (work)
        swirl__w_set_busy(w, 0);
}

/* Stopping for a reload (or max_request), a worker reads on only to
 * complete a message it has begun; what is left in the socket pairs is the
 * next worker's. Stopping for shutdown, it reads everything (the reactors
 * read no more from clients, so that ends). */
static inline bool swirl__w_draining_all(const swirl__worker_t *w) {
    return atomic_load(&w->srv->shared->shutdown) != 0;
}

/* Does this worker still read from reactor `r`? */
static inline bool swirl__w_reads_on(swirl__worker_t *w, int r) {
    return !w->stopping || swirl__w_draining_all(w) || swirl_buf_size(&w->rx_reactor[r]) > 0;
}

/* Reactor threads this worker talks to: none for a BASE worker or a task worker. */
static inline int swirl__w_reactor_count(const swirl__worker_t *w) {
    return w->base || w->task ? 0 : w->srv->reactor_num;
}

/* ---- outbox.c: the outgoing queues ---- */
/* Queue a message (header, then `a` and `b`); flushed with the others at
 * the end of this loop round. */
int swirl__w_enqueue(swirl__worker_t *w, swirl__outq_t *q, const swirl__msg_t *h, const void *a,
                     size_t alen, const void *b, size_t blen);
/* As swirl__w_enqueue, the message carrying the open file `fd` (taken:
 * closed once sent or on failure). */
int swirl__w_enqueue_fd(swirl__worker_t *w, swirl__outq_t *q, const swirl__msg_t *h, const void *a,
                        size_t alen, const void *b, size_t blen, int fd);
/* Flush every queue now (a loop defer callback; `user` is the worker). */
void swirl__w_flush_all(swirl_loop_t *loop, void *user);
/* A full queue's socket became writable: flush it (loop callback). */
void swirl__w_on_out_writable(swirl_loop_t *loop, int fd, int events, void *user);
/* Flush the queue to task worker `t` now, not at the end of this loop
 * round: a task starts while its sender is still busy, as Swoole's. */
void swirl__w_flush_task_queue(swirl__worker_t *w, int t);
/* Send what is queued to worker `i` now, waiting up to `timeout_ms` for
 * its mailbox to take it all. 0; -ETIMEDOUT (what is left stays queued);
 * or the send's error. */
int swirl__w_drain_to_worker(swirl__worker_t *w, int i, int timeout_ms);
/* Bytes still queued to reactors or other workers (or to the task queue). */
bool swirl__w_output_queued(swirl__worker_t *w);

/* ---- worker.c ---- */
/* Stop gracefully (`why` for the log): take no new work, finish what was
 * begun, send what is owed, then leave the loop. */
void swirl__w_begin_stop(swirl__worker_t *w, const char *why);

/* task.c */
/* A TASK message (task worker) or a FINISH message (worker); true when
 * the task worker has now run task_max_request tasks and must stop. */
bool swirl__task_handle(swirl__worker_t *w, const swirl__msg_t *h, const char *p, size_t len);
/* Task worker: watch its task socket. */
int swirl__task_worker_listen(swirl__worker_t *w);
/* Master at exit: remove temp files of this server left by a killed task worker. */
void swirl__task_tmp_cleanup(swirl_server_t *srv);
/* A task worker: is a task left that it must still run before it exits? */
bool swirl__task_input_left(swirl__worker_t *w);
/* A task worker begins to stop / is done (release what listen set up). */
void swirl__task_worker_stopping(swirl__worker_t *w);
void swirl__task_worker_reads_all(swirl__worker_t *w);
void swirl__task_worker_close(swirl__worker_t *w);

/* task_mq.c: task_ipc_mode 2 and 3 */
long swirl__task_mq_type(const swirl_server_t *srv, int t);
/* Send one task message (never blocks; kept in order when the queue is full). */
int swirl__task_mq_put(swirl__worker_t *w, long type, const swirl__msg_t *h, const void *data,
                       size_t len);
/* Send what is pending now, waiting for room until `deadline`; all sent? */
bool swirl__task_mq_flush(swirl__worker_t *w, uint64_t deadline);
int swirl__task_mq_listen(swirl__worker_t *w);
void swirl__task_mq_stopping(swirl__worker_t *w);
bool swirl__task_mq_input_left(swirl__worker_t *w);
void swirl__task_mq_close(swirl__worker_t *w);

#endif
