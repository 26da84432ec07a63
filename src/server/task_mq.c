/* src/server/task_mq.c — task_ipc_mode 2 and 3: tasks go through one
 * System V message queue instead of the task workers' sockets.
 *
 * - Mode 2: a task is sent with type t+1 and only task worker t takes it
 *   (a destination can be chosen, as in mode 1). Mode 3: every task has
 *   type 1 and the task workers compete for them; a destination cannot be
 *   chosen (task() says so).
 * - The queue is private to the server (created by the master before any
 *   fork, removed by it at exit, so `ipcs -q` shows nothing after a
 *   shutdown). A master killed with SIGKILL cannot remove it: the log
 *   names it at start (`ipcrm -q ID` removes it).
 * - A message holds one task: [swirl__msg_t][data]. Data past the system's
 *   msgmax goes through a temp file, as in mode 1.
 * - Sending never blocks: when the kernel's queue is full (msgmnb bytes,
 *   16 KiB by default) the worker keeps the task in order in user space
 *   and retries every few milliseconds; a stopping worker exits only when
 *   they are all sent. The task_queue_max bound is counted the same way as
 *   in mode 1 (per task worker; in mode 3 per slot, chosen as the least
 *   loaded, and carried in the message so the runner gives it back).
 * - Reading: a message queue has no file descriptor, so each task worker
 *   runs one thread (the pump) that takes one message at a time from the
 *   queue and passes it to the loop over a private socket pair. It takes
 *   the next only when the loop has run the last one (a credit byte), so a
 *   busy task worker never holds tasks an idle one could run (mode 3).
 *   Stopping for a reload stops the pump (a flag, and SIGRTMIN+1 sent to
 *   the pump thread to break its wait; the signal is reserved in task
 *   workers of these modes): what it had taken is run, what is still in
 *   the queue waits for the next task worker. Stopping for a shutdown, it
 *   runs until the queue is empty. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../process/internal.h"
#include "worker.h"

#define RETRY_MS 2

long swirl__task_mq_type(const swirl_server_t *srv, int t) {
    return srv->settings.task_ipc_mode == 2 ? t + 1 : 1;
}

/* ---- sending (workers) -------------------------------------------------------------------- */

static void on_retry(swirl_loop_t *loop, int64_t id, void *user);

/* Send what is pending, in order, until the queue is full. */
static void send_pending(swirl__worker_t *w) {
    swirl_server_t *srv = w->srv;
    while (swirl_buf_size(&w->tk.mq_pending) > 0) {
        const char *b = swirl_buf_bytes(&w->tk.mq_pending);
        uint32_t n;
        memcpy(&n, b, 4);
        int rc = swirl__msgq_send(srv->task_mq, b + 4, n - sizeof(long), true);
        if (rc == -EAGAIN)
            break;
        if (rc < 0) { /* the queue is gone (shutdown): say which task is lost */
            swirl__msg_t h;
            memcpy(&h, b + 4 + sizeof(long), sizeof(h));
            swirl_log_error("worker %d: task %lld not sent: %s", w->id, (long long)h.session,
                            swirl_last_error_msg());
            atomic_fetch_sub(&srv->shared->workers[srv->worker_num + h.aux].tasks_queued, 1);
        }
        swirl_buf_consume(&w->tk.mq_pending, 4 + n);
    }
    if (swirl_buf_size(&w->tk.mq_pending) > 0 && w->tk.mq_timer == 0) {
        int64_t t = swirl_timer_after(w->loop, RETRY_MS, on_retry, w);
        if (t > 0)
            swirl_timer_set_machinery(w->loop, t);
        w->tk.mq_timer = t > 0 ? t : 0;
    }
}

static void on_retry(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__worker_t *w = user;
    w->tk.mq_timer = 0;
    send_pending(w);
}

int swirl__task_mq_put(swirl__worker_t *w, long type, const swirl__msg_t *h, const void *data,
                       size_t len) {
    swirl_server_t *srv = w->srv;
    size_t text = sizeof(*h) + len;
    if (text > srv->task_mq_max)
        return swirl__error(SWIRL_ETOOBIG, "task: %zu bytes do not fit in a message of the queue "
                                          "(msgmax %zu)",
                            text, srv->task_mq_max);
    size_t mark = swirl_buf_size(&w->tk.mq_pending);
    uint32_t n = (uint32_t)(sizeof(long) + text);
    swirl__msg_t hh = *h;
    hh.len = (uint32_t)len;
    hh.flags |= SWIRL__F_BEGIN | SWIRL__F_END; /* one whole message */
    /* built at the end of the pending list; sent from there at once when
     * nothing is waiting before it */
    if (swirl_buf_append(&w->tk.mq_pending, &n, 4) < 0 ||
        swirl_buf_append(&w->tk.mq_pending, &type, sizeof(type)) < 0 ||
        swirl_buf_append(&w->tk.mq_pending, &hh, sizeof(hh)) < 0 ||
        swirl_buf_append(&w->tk.mq_pending, data, len) < 0) {
        w->tk.mq_pending.len = w->tk.mq_pending.start + mark;
        return swirl__error(-ENOMEM, "task:");
    }
    if (mark > 0)
        return 0; /* behind others: the retry timer sends it */
    int rc = swirl__msgq_send(srv->task_mq, swirl_buf_bytes(&w->tk.mq_pending) + 4, n - sizeof(long),
                              true);
    if (rc == -EAGAIN) {
        send_pending(w); /* arms the retry */
        return 0;
    }
    swirl_buf_consume(&w->tk.mq_pending, 4 + n);
    return rc;
}

bool swirl__task_mq_flush(swirl__worker_t *w, uint64_t deadline) {
    for (;;) {
        send_pending(w);
        if (swirl_buf_size(&w->tk.mq_pending) == 0)
            return true;
        if (swirl_clock_ms() >= deadline)
            return false;
        usleep(1000);
    }
}

/* ---- the pump (task workers) ------------------------------------------------------------- */

/* The pump is woken from its blocking calls by this signal (EINTR: the
 * handler does nothing and is installed without SA_RESTART); only the pump
 * thread has it unblocked. */
#define SIG_WAKE (SIGRTMIN + 1)

static void on_wake(int signo) { SWIRL__UNUSED(signo); }

static void *pump_main(void *arg) {
    swirl__worker_t *w = arg;
    int fd = w->tk.pump_fd[1], q = w->srv->task_mq;
    long type = swirl__task_mq_type(w->srv, w->id - w->srv->worker_num);
    char *msg = w->tk.pump_buf;
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIG_WAKE);
    pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
    while (!atomic_load(&w->tk.pump_quit)) {
        char credit;
        ssize_t n = recv(fd, &credit, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* with a credit: wait for a message (or to be told to quit) */
        while ((n = msgrcv(q, msg, w->srv->task_mq_max, type, 0)) < 0 && errno == EINTR &&
               !atomic_load(&w->tk.pump_quit))
            ;
        if (n < 0) {
            if (errno != EINTR && errno != EIDRM && errno != EINVAL) /* EIDRM: removed at exit */
                swirl_log_error("task worker %d: message queue %d: %s",
                                w->id - w->srv->worker_num, q, strerror(errno));
            break;
        }
        /* a message taken always reaches the loop: one packet, and the
         * socket has room for it (one credit, one message) */
        ssize_t s;
        while ((s = send(fd, msg + sizeof(long), (size_t)n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
            ;
        if (s < 0) {
            swirl_log_error("task worker %d: task lost passing it to the loop: %s",
                            w->id - w->srv->worker_num, strerror(errno));
            break;
        }
    }
    return NULL;
}

static void grant(swirl__worker_t *w) {
    if (!w->tk.pump_on)
        return;
    char c = 1;
    while (send(w->tk.pump_fd[0], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EINTR)
        ;
}

/* One message of the queue is one whole TASK message (the queue has a key
 * anyone may write to with task_ipc_mode 2 and 3, Swoole's
 * message_queue_key): anything else is dropped with a warning. */
static bool one_task(const char *p, size_t n) {
    swirl__msg_t h;
    if (n < sizeof(h))
        return false;
    memcpy(&h, p, sizeof(h));
    return h.type == SWIRL__MSG_TASK && h.len == n - sizeof(h) &&
           (h.flags & (SWIRL__F_BEGIN | SWIRL__F_END)) == (SWIRL__F_BEGIN | SWIRL__F_END);
}

static void on_pump(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(fd, w->pkt, SWIRL__PACKET_MAX, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        if (one_task(w->pkt, (size_t)n))
            w->on_packet(w, w->pkt, (size_t)n, &w->rx_worker[0], NULL, 0);
        else
            swirl_log_warning("task worker %d: bad task packet of %zd bytes from the message "
                              "queue (not a task message of this server): dropped",
                              w->id - w->srv->worker_num, n);
        grant(w);
    }
}

/* Tell the pump to quit and wait for it: signalled until it has left (a
 * signal that came just before it blocked would be missed). */
static void pump_stop(swirl__worker_t *w) {
    if (!w->tk.pump_on)
        return;
    w->tk.pump_on = false;
    atomic_store(&w->tk.pump_quit, true);
    for (;;) {
        pthread_kill(w->tk.pump, SIG_WAKE);
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 2000000;
        if (t.tv_nsec >= 1000000000) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000;
        }
        if (pthread_timedjoin_np(w->tk.pump, NULL, &t) == 0)
            return;
    }
}

int swirl__task_mq_listen(swirl__worker_t *w) {
    w->tk.pump_fd[0] = w->tk.pump_fd[1] = -1;
    w->tk.pump_buf = swirl_malloc(sizeof(long) + w->srv->task_mq_max);
    if (!w->tk.pump_buf)
        return swirl__error(-ENOMEM, "task worker: message buffer:");
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, w->tk.pump_fd) != 0)
        return swirl__error(swirl__neg_errno(), "task worker: socket pair:");
    int rc = swirl_net_set_nonblock(w->tk.pump_fd[0], true);
    if (rc < 0)
        return rc;
    if ((rc = swirl_loop_add(w->loop, w->tk.pump_fd[0], SWIRL_EV_READ, on_pump, NULL, w)) < 0)
        return rc;
    swirl_loop_set_machinery(w->loop, w->tk.pump_fd[0]);
    struct sigaction sa = {.sa_handler = on_wake}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_WAKE, &sa, NULL);
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIG_WAKE);
    pthread_sigmask(SIG_BLOCK, &wake, NULL); /* the loop's thread never takes it */
    atomic_store(&w->tk.pump_quit, false);
    if ((rc = pthread_create(&w->tk.pump, NULL, pump_main, w)) != 0)
        return swirl__error(-rc, "task worker: pump thread:");
    w->tk.pump_on = true;
    grant(w);
    return 0;
}

void swirl__task_mq_stopping(swirl__worker_t *w) {
    if (!atomic_load(&w->srv->shared->shutdown))
        pump_stop(w); /* the queue's tasks are the next task worker's */
}

bool swirl__task_mq_input_left(swirl__worker_t *w) {
    if (w->tk.pump_on) {
        size_t n = 0;
        if (swirl__msgq_stat(w->srv->task_mq, &n, NULL) == 0 && n > 0)
            return true; /* shutting down: the queue is drained first */
        pump_stop(w);   /* nothing more can come: what the pump took is below */
    }
    char byte;
    return recv(w->tk.pump_fd[0], &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void swirl__task_mq_close(swirl__worker_t *w) {
    pump_stop(w);
    for (int k = 0; k < 2; k++)
        if (w->tk.pump_fd[k] >= 0) {
            if (k == 0 && w->loop)
                swirl_loop_del(w->loop, w->tk.pump_fd[0]);
            close(w->tk.pump_fd[k]);
            w->tk.pump_fd[k] = -1;
        }
    swirl_free(w->tk.pump_buf);
    w->tk.pump_buf = NULL;
}
