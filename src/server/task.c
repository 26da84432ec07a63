/* src/server/task.c — task workers: a worker hands data to a task worker
 * over that task worker's socket pair (task_ipc_mode 1; modes 2 and 3 use
 * a message queue instead, see task_mq.c) and gets the result back in its
 * mailbox, as an onFinish event (task) or as the return of a
 * blocking call (taskwait, taskwait_multi).
 *
 * - A task is one message. Data that does not fit in one packet goes
 *   through a temp file in task_tmpdir, named swirl-task-<master pid>-*,
 *   which the reader removes; the master removes any left by a task worker
 *   killed before reading it.
 * - The queue of each task worker is bounded (task_queue_max tasks): past
 *   it, task() fails at once with SWIRL_EQUEUEFULL naming the task worker,
 *   and stats count the refusal. A task is never silently dropped.
 * - taskwait blocks the worker (as in Swoole) on its mailbox only; other
 *   packets read meanwhile are kept and handled right after it returns, so
 *   nothing is lost or reordered. A result that comes after its taskwait
 *   timed out is dropped (the caller was told: -ETIMEDOUT). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../process/internal.h"
#include "worker.h"

#define PAYLOAD_MAX (SWIRL__PACKET_MAX - sizeof(swirl__msg_t))
/* A TASK's aux: the task worker's index, and this bit when its sender has no
 * worker loop to take a result */
#define AUX_NOREPLY 0x8000u
/* ... and this one when it was made by swirl_server_task_pack (sent into
 * the queue from outside: counted in no task worker's queue) */
#define AUX_OUTSIDE 0x4000u

/* ---- temp files -------------------------------------------------------------------------- */

static int tmp_write(swirl_server_t *srv, const void *data, size_t len, char *path, size_t size) {
    snprintf(path, size, "%s/swirl-task-%d-XXXXXX", srv->settings.task_tmpdir,
             (int)srv->master_pid);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return swirl__error(swirl__neg_errno(), "task: temp file in task_tmpdir \"%s\":",
                            srv->settings.task_tmpdir);
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int rc = swirl__error(n < 0 ? swirl__neg_errno() : -EIO, "task: writing \"%s\":", path);
            close(fd);
            unlink(path);
            return rc;
        }
        p += n;
        left -= (size_t)n;
    }
    close(fd);
    return 0;
}

/* Read and remove the temp file named by a TMPFILE payload. */
static int tmp_take(const char *p, size_t len, swirl_buf_t *out) {
    char path[4096];
    snprintf(path, sizeof(path), "%.*s", (int)len, p);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return swirl__error(swirl__neg_errno(), "task: temp file \"%s\":", path);
    unlink(path);
    char chunk[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = swirl__error(swirl__neg_errno(), "task: reading \"%s\":", path);
        if (n <= 0)
            break;
        if ((rc = swirl_buf_append(out, chunk, (size_t)n)) < 0)
            break;
    }
    close(fd);
    return rc;
}

void swirl__task_tmp_cleanup(swirl_server_t *srv) {
    if (srv->task_worker_num == 0)
        return;
    DIR *d = opendir(srv->settings.task_tmpdir);
    if (!d)
        return;
    char prefix[64];
    int n = snprintf(prefix, sizeof(prefix), "swirl-task-%d-", (int)srv->master_pid);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, (size_t)n) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* Queue one TASK or FINISH message, through a temp file if it is big:
 * to `q`, or (type > 0) to the message queue with that type. */
static int put_payload(swirl__worker_t *w, swirl__outq_t *q, long type, swirl__msg_t *h,
                       const void *data, size_t len) {
    size_t max = type > 0 ? w->srv->task_mq_max - sizeof(*h) : PAYLOAD_MAX;
    char path[4200];
    if (len > max) {
        int rc = tmp_write(w->srv, data, len, path, sizeof(path));
        if (rc < 0)
            return rc;
        h->flags |= SWIRL__F_TMPFILE;
        data = path;
        len = strlen(path);
    }
    int rc = type > 0 ? swirl__task_mq_put(w, type, h, data, len)
                      : swirl__w_enqueue(w, q, h, NULL, 0, data, len);
    if (rc < 0 && (h->flags & SWIRL__F_TMPFILE))
        unlink(path);
    return rc;
}

/* ---- sending tasks ------------------------------------------------------------------------- */

static int need_sender(swirl_server_t *srv, const char *what) {
    swirl__worker_t *w = srv->worker;
    if (srv->role != SWIRL__ROLE_WORKER || !w)
        return swirl__error(SWIRL_ESTATE, "%s: only a worker can do this", what);
    if (w->task)
        return swirl__error(SWIRL_ESTATE, "%s: a task worker cannot send tasks", what);
    if (srv->task_worker_num == 0)
        return swirl__error(SWIRL_ESTATE, "%s: no task workers (set task_worker_num)", what);
    return 0;
}

/* The counter of the tasks this process sent (a worker's, or the direct
 * senders' own: master, manager, user process). */
static int64_t *task_seq_of(swirl_server_t *srv) {
    swirl__worker_t *w = srv->role == SWIRL__ROLE_WORKER ? srv->worker : NULL;
    return w ? &w->tk.task_seq : &srv->direct_task_seq;
}

/* The task worker for `dst` (-1: the one with the shortest queue, idle
 * first; ties go round robin). */
static int pick_task_worker(swirl_server_t *srv, int dst) {
    if (dst >= 0)
        return dst;
    int n = srv->task_worker_num, start = (int)(*task_seq_of(srv) % n);
    int best = start;
    int64_t best_q = INT64_MAX;
    for (int k = 0; k < n; k++) {
        int t = (start + k) % n;
        int id = srv->worker_num + t;
        int64_t q = atomic_load(&srv->shared->workers[id].tasks_queued) * 2 +
                    atomic_load(&srv->shared->workers[id].busy);
        if (q < best_q) {
            best_q = q;
            best = t;
        }
    }
    /* every task worker busy or with a queue: the manager warns once a
     * second at most, as Swoole's master timer does; the task still goes to
     * the least loaded one (task_ipc_mode 3 has no choice to warn about) */
    if (best_q > 0 && srv->settings.task_ipc_mode != 3)
        atomic_store(&srv->shared->task_no_idle, 1);
    return best;
}

/* Check `dst`, choose the task worker and count the task in its queue
 * (task_queue_max); its index, or an error. */
static int reserve(swirl_server_t *srv, const void *data, size_t len, int dst) {
    if (dst < -1 || dst >= srv->task_worker_num)
        return swirl__error(SWIRL_EBADARG, "task: destination task worker %d: expected -1 (any) "
                                           "or 0..%d",
                            dst, srv->task_worker_num - 1);
    if (!data && len > 0)
        return swirl__error(SWIRL_EBADARG, "task: no data");
    if (dst >= 0 && srv->settings.task_ipc_mode == 3)
        return swirl__error(SWIRL_EBADARG, "task: destination task worker %d: task_ipc_mode 3 "
                                           "(competing) cannot choose one; pass -1",
                            dst);
    int t = pick_task_worker(srv, dst);
    int id = srv->worker_num + t;
    int64_t queued = atomic_fetch_add(&srv->shared->workers[id].tasks_queued, 1);
    if (queued >= srv->settings.task_queue_max) {
        atomic_fetch_sub(&srv->shared->workers[id].tasks_queued, 1);
        atomic_fetch_add(&srv->shared->task_rejected, 1);
        return swirl__error(SWIRL_EQUEUEFULL, "task: task worker %d has %lld tasks queued "
                                              "(task_queue_max %lld)",
                            t, (long long)queued, (long long)srv->settings.task_queue_max);
    }
    return t;
}

static int64_t send_task(swirl_server_t *srv, const void *data, size_t len, int dst, bool wait,
                         int *to) {
    swirl__worker_t *w = srv->worker;
    bool mq = srv->task_mq >= 0;
    int t = reserve(srv, data, len, dst);
    if (t < 0)
        return t;
    int id = srv->worker_num + t;
    int64_t task_id = ++w->tk.task_seq;
    swirl__msg_t h = {.type = SWIRL__MSG_TASK, .flags = wait ? SWIRL__F_WAIT : 0,
                      .aux = (uint16_t)t, .session = task_id, .reactor_id = w->id};
    int rc = put_payload(w, &w->to_task[t], mq ? swirl__task_mq_type(srv, t) : 0, &h, data, len);
    if (rc < 0) {
        atomic_fetch_sub(&srv->shared->workers[id].tasks_queued, 1);
        return rc;
    }
    atomic_fetch_add(&srv->shared->workers[id].task_bytes, (int64_t)len);
    if (!mq)
        swirl__w_flush_task_queue(w, t);
    if (to)
        *to = t;
    return task_id;
}

/* A task from a process without a worker loop (the master, the manager, a
 * user process): written at once to the task worker's socket or to the
 * queue (direct.c), marked AUX_NOREPLY: no one waits for its result,
 * finish() in its task worker is refused. Its sender is named as Swoole
 * names it: 0 for the master and the manager, a user process's own id.
 * Ids count from 0 in each such process. */
static int64_t direct_task(swirl_server_t *srv, const void *data, size_t len, int dst) {
    if (srv->task_worker_num == 0)
        return swirl__error(SWIRL_ESTATE, "task: no task workers (set task_worker_num)");
    int t = reserve(srv, data, len, dst);
    if (t < 0)
        return t;
    int id = srv->worker_num + t;
    bool mq = srv->task_mq >= 0;
    int64_t task_id = srv->direct_task_seq++;
    swirl__msg_t h = {.type = SWIRL__MSG_TASK, .aux = (uint16_t)(t | AUX_NOREPLY),
                      .session = task_id, .reactor_id = srv->sender_id};
    size_t max = mq ? srv->task_mq_max - sizeof(h) : PAYLOAD_MAX;
    char path[4200];
    const void *p = data;
    size_t n = len;
    int rc = 0;
    if (len > max) {
        if ((rc = tmp_write(srv, data, len, path, sizeof(path))) < 0)
            goto fail;
        h.flags |= SWIRL__F_TMPFILE;
        p = path;
        n = strlen(path);
    }
    if (mq) {
        char msg[SWIRL__PACKET_MAX];
        h.len = (uint32_t)n;
        h.flags |= SWIRL__F_BEGIN | SWIRL__F_END;
        memcpy(msg, &h, sizeof(h));
        memcpy(msg + sizeof(h), p, n);
        rc = swirl__msgq_send_bytes(srv->task_mq, swirl__task_mq_type(srv, t), msg,
                                    sizeof(h) + n, false);
    } else {
        rc = swirl__direct_put(srv, srv->taskbox[t][0], &h, NULL, 0, p, n);
    }
    if (rc < 0) {
        if (h.flags & SWIRL__F_TMPFILE)
            unlink(path);
        goto fail;
    }
    atomic_fetch_add(&srv->shared->workers[id].task_bytes, (int64_t)len);
    return task_id;
fail:
    atomic_fetch_sub(&srv->shared->workers[id].tasks_queued, 1);
    return rc;
}

int64_t swirl_server_task(swirl_server_t *srv, const void *data, size_t len, int dst) {
    if (srv->started && srv->shared && (srv->role != SWIRL__ROLE_WORKER || !srv->worker))
        return direct_task(srv, data, len, dst);
    int rc = need_sender(srv, "task");
    return rc < 0 ? rc : send_task(srv, data, len, dst, false, NULL);
}

/* Send what is queued for task worker `t` now, waiting for room until
 * `deadline` (swirl_clock_ms). */
static int flush_now(swirl__worker_t *w, int t, uint64_t deadline) {
    if (w->srv->task_mq >= 0)
        return swirl__task_mq_flush(w, deadline) ? 0 : -ETIMEDOUT;
    swirl__outq_t *q = &w->to_task[t];
    int fd = w->srv->taskbox[t][0];
    for (;;) {
        int rc = swirl__outq_flush(q, fd);
        if (rc != -EAGAIN)
            return rc;
        uint64_t now = swirl_clock_ms();
        if (now >= deadline)
            return -ETIMEDOUT;
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, (int)(deadline - now));
    }
}

/* Keep a packet read during a taskwait for the loop to handle afterwards. */
static void on_deferred(swirl_loop_t *loop, void *user);

/* Kept as [u32 len][u32 nfds][int fds...][packet]: the fds it carried go with it. */
static void keep_packet(swirl__worker_t *w, const char *pkt, size_t n, const int *fds, int nfds) {
    uint32_t pfx[2] = {(uint32_t)n, (uint32_t)nfds};
    size_t fl = (size_t)nfds * sizeof(int);
    if (swirl_buf_reserve(&w->tk.deferred, sizeof(pfx) + fl + n) < 0) {
        swirl_log_error("worker %d: out of memory keeping a message during taskwait; dropped",
                        w->id);
        swirl__chan_close_rest(fds, nfds, 0);
        return;
    }
    swirl_buf_append(&w->tk.deferred, pfx, sizeof(pfx));
    swirl_buf_append(&w->tk.deferred, fds, fl);
    swirl_buf_append(&w->tk.deferred, pkt, n);
    if (!w->tk.deferred_queued) {
        w->tk.deferred_queued = true;
        swirl_loop_defer(w->loop, on_deferred, w);
    }
}

static void on_deferred(swirl_loop_t *loop, void *user) {
    swirl__worker_t *w = user;
    w->tk.deferred_queued = false;
    swirl_buf_t all = w->tk.deferred; /* handlers may defer more: start a new list */
    memset(&w->tk.deferred, 0, sizeof(w->tk.deferred));
    size_t off = 0, n = swirl_buf_size(&all);
    const char *b = swirl_buf_bytes(&all);
    while (off + 8 <= n) {
        uint32_t pfx[2];
        memcpy(pfx, b + off, 8);
        off += 8;
        int fds[SWIRL__PACKET_FDS], nfds = (int)pfx[1];
        memcpy(fds, b + off, (size_t)nfds * sizeof(int));
        off += (size_t)nfds * sizeof(int);
        uint32_t len = pfx[0];
        const char *pkt = b + off;
        off += len;
        /* as read_packets does for the mailbox: reassembly per sending worker */
        swirl_buf_t *rx = &w->rx_worker[0];
        swirl__msg_t h;
        memcpy(&h, pkt, sizeof(h));
        if (h.reactor_id >= 0 && h.reactor_id < w->srv->worker_num)
            rx = &w->rx_worker[h.reactor_id];
        w->on_packet(w, pkt, len, rx, fds, nfds);
    }
    swirl_buf_destroy(&all);
}

typedef struct {
    int64_t id;
    swirl_buf_t *out;
    int status; /* 1 waiting, 0 done, <0 error */
} waited_t;

/* Scan one mailbox packet for FINISH messages of the tasks waited for;
 * each one taken is marked (type 0) so the loop skips it later. */
static int take_results(char *pkt, size_t n, waited_t *wt, size_t nw) {
    int found = 0;
    size_t off = 0;
    while (off + sizeof(swirl__msg_t) <= n) {
        swirl__msg_t h;
        memcpy(&h, pkt + off, sizeof(h));
        off += sizeof(h);
        if (h.len > n - off)
            break;
        const char *p = pkt + off;
        off += h.len;
        if (h.type != SWIRL__MSG_FINISH || !(h.flags & SWIRL__F_WAIT))
            continue;
        for (size_t i = 0; i < nw; i++)
            if (wt[i].id == h.session && wt[i].status == 1) {
                int rc = h.flags & SWIRL__F_TMPFILE ? tmp_take(p, h.len, wt[i].out)
                                                    : swirl_buf_append(wt[i].out, p, h.len);
                wt[i].status = rc < 0 ? rc : 0;
                found++;
                swirl__msg_t done = h;
                done.type = 0;
                memcpy(pkt + off - h.len - sizeof(h), &done, sizeof(done));
            }
    }
    return found;
}

int swirl_server_taskwait_multi(swirl_server_t *srv, const swirl_task_data_t *tasks, size_t n,
                                double timeout, swirl_buf_t *results, int *status) {
    int rc = need_sender(srv, "taskwait");
    if (rc < 0)
        return rc;
    if (n == 0 || !tasks || !results || !status || n > 4096)
        return swirl__error(SWIRL_EBADARG, "taskwait: expected 1..4096 tasks with result and "
                                           "status arrays");
    if (!(timeout > 0))
        return swirl__error(SWIRL_EBADARG, "taskwait: timeout %g: expected seconds > 0", timeout);
    swirl__worker_t *w = srv->worker;
    uint64_t deadline = swirl_clock_ms() + (uint64_t)(timeout * 1000.0 + 0.5);
    waited_t *wt = swirl_calloc(n, sizeof(*wt));
    if (!wt)
        return swirl__error(-ENOMEM, "taskwait:");
    size_t pending = 0;
    for (size_t i = 0; i < n; i++) {
        int t = 0;
        int64_t id = send_task(srv, tasks[i].data, tasks[i].len, tasks[i].dst, true, &t);
        wt[i] = (waited_t){id > 0 ? id : 0, &results[i], id > 0 ? 1 : (int)id};
        if (id > 0 && (rc = flush_now(w, t, deadline)) < 0 && rc != -ETIMEDOUT)
            wt[i].status = rc;
        pending += wt[i].status == 1;
    }
    int fd = srv->mailbox[w->id][1];
    while (pending > 0) {
        uint64_t now = swirl_clock_ms();
        if (now >= deadline)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(deadline - now)) <= 0)
            continue;
        int fds[SWIRL__PACKET_FDS], nfds;
        ssize_t got = swirl__chan_recv(fd, w->pkt, fds, &nfds);
        if (got <= 0)
            continue;
        pending -= (size_t)take_results(w->pkt, (size_t)got, wt, n);
        keep_packet(w, w->pkt, (size_t)got, fds, nfds); /* everything else in it is the loop's */
    }
    int done = 0;
    for (size_t i = 0; i < n; i++) {
        status[i] = wt[i].status == 1 ? -ETIMEDOUT : wt[i].status;
        done += status[i] == 0;
    }
    swirl_free(wt);
    return done;
}

int swirl_server_taskwait(swirl_server_t *srv, const void *data, size_t len, double timeout,
                          int dst, swirl_buf_t *result) {
    swirl_task_data_t t = {data, len, dst};
    int status = 0;
    int rc = swirl_server_taskwait_multi(srv, &t, 1, timeout, result, &status);
    if (rc < 0)
        return rc;
    if (status == -ETIMEDOUT)
        return swirl__error(-ETIMEDOUT, "taskwait: no result within %g s", timeout);
    if (status < 0)
        return status; /* the message was left by the failing step */
    return 0;
}

/* ---- a task as bytes ---------------------------------------------------------------------- */

int swirl_server_task_pack(const void *data, size_t len, swirl_buf_t *out) {
    if (!out || (!data && len > 0))
        return swirl__error(SWIRL_EBADARG, "task pack: no data or no buffer");
    if (len > UINT32_MAX - sizeof(swirl__msg_t))
        return swirl__error(SWIRL_ETOOBIG, "task pack: %zu bytes: at most %zu", len,
                            (size_t)(UINT32_MAX - sizeof(swirl__msg_t)));
    swirl__msg_t h = {.type = SWIRL__MSG_TASK, .flags = SWIRL__F_BEGIN | SWIRL__F_END,
                      .aux = AUX_NOREPLY | AUX_OUTSIDE, .len = (uint32_t)len, .reactor_id = -1};
    int rc = swirl_buf_reserve(out, sizeof(h) + len);
    if (rc < 0)
        return swirl__error(rc, "task pack:");
    swirl_buf_append(out, &h, sizeof(h));
    swirl_buf_append(out, data, len);
    return 0;
}

int swirl_server_task_unpack(const void *packed, size_t n, const char **data, size_t *len) {
    swirl__msg_t h;
    if (!packed || n < sizeof(h))
        return swirl__error(SWIRL_EBADARG, "task unpack: %zu bytes: not a task message", n);
    memcpy(&h, packed, sizeof(h));
    if (h.type != SWIRL__MSG_TASK || h.len != n - sizeof(h) || (h.flags & SWIRL__F_TMPFILE) ||
        (h.flags & (SWIRL__F_BEGIN | SWIRL__F_END)) != (SWIRL__F_BEGIN | SWIRL__F_END))
        return swirl__error(SWIRL_EBADARG, "task unpack: %zu bytes: not a task message", n);
    *data = (const char *)packed + sizeof(h);
    *len = h.len;
    return 0;
}

/* ---- in the task worker ---------------------------------------------------------------------- */

int swirl_server_finish(swirl_server_t *srv, const void *data, size_t len) {
    swirl__worker_t *w = srv->worker;
    if (srv->role != SWIRL__ROLE_WORKER || !w || !w->task || !w->tk.cur_running)
        return swirl__error(SWIRL_ESTATE, "finish: only inside a task callback");
    if (w->tk.cur_finished && w->tk.cur_wait)
        return swirl__error(SWIRL_ESTATE,
                            "finish: task %lld already has its result (a taskwait "
                            "takes one)",
                            (long long)w->tk.cur_task);
    if (w->tk.cur_noreply)
        return swirl__error(SWIRL_ESTATE, "finish: task %lld came from the master, the manager or "
                                          "a user process: there is no worker to send its result "
                                          "to",
                            (long long)w->tk.cur_task);
    /* socket_send_timeout: what is queued for that worker goes first, or
     * this result fails after the timeout (Swoole's blocking send) */
    double t = srv->settings.socket_send_timeout;
    if (t > 0) {
        int rc = swirl__w_drain_to_worker(w, w->tk.cur_src,
                                          t * 1000 >= INT_MAX ? INT_MAX : (int)(t * 1000));
        if (rc == -ETIMEDOUT)
            swirl_log_warning("Server::finish() (ERRNO 9014): send result to worker timed out");
        if (rc < 0)
            return swirl__error(rc,
                                "finish: task %lld: worker %d did not take its results in %g s:",
                                (long long)w->tk.cur_task, w->tk.cur_src, t);
    }
    w->tk.cur_finished = true;
    swirl__msg_t h = {.type = SWIRL__MSG_FINISH, .flags = w->tk.cur_wait ? SWIRL__F_WAIT : 0,
                      .session = w->tk.cur_task, .reactor_id = w->id};
    return put_payload(w, &w->to_worker[w->tk.cur_src], 0, &h, data, len);
}

static bool run_task(swirl__worker_t *w, const swirl__msg_t *h, const char *p, size_t len) {
    swirl_server_t *srv = w->srv;
    swirl_buf_t file = {0};
    const char *data = p;
    if (h->flags & SWIRL__F_TMPFILE) {
        if (tmp_take(p, len, &file) < 0) {
            swirl_log_error("task worker %d: task %lld from worker %d lost: %s",
                            w->id - srv->worker_num, (long long)h->session, h->reactor_id,
                            swirl_last_error_msg());
            len = 0;
            data = NULL;
        } else {
            data = swirl_buf_bytes(&file);
            len = swirl_buf_size(&file);
        }
    }
    w->tk.cur_task = h->session;
    w->tk.cur_running = true;
    w->tk.cur_noreply = h->aux & AUX_NOREPLY;
    w->tk.cur_src = h->reactor_id;
    w->tk.cur_wait = h->flags & SWIRL__F_WAIT;
    w->tk.cur_finished = false;
    atomic_store(&srv->shared->workers[w->id].busy, 1);
    int flags = (h->flags & SWIRL__F_WAIT ? SWIRL_TASK_WAITED : 0) |
                (h->aux & AUX_NOREPLY ? SWIRL_TASK_NOREPLY : 0) |
                (h->flags & SWIRL__F_TMPFILE ? SWIRL_TASK_TMPFILE : 0);
    swirl_event_t ev = {.type = SWIRL_ON_TASK, .task_id = h->session, .worker_id = h->reactor_id,
                        .fd = 0, .data = data ? data : "", .len = len, .task_flags = flags};
    swirl__emit(srv, &ev);
    atomic_store(&srv->shared->workers[w->id].busy, 0);
    w->tk.cur_task = 0;
    w->tk.cur_running = false;
    swirl_buf_destroy(&file);
    /* given back to the slot it was counted in (its task worker, or in
     * mode 3 the one the sender chose) */
    int t = h->aux & ~(AUX_NOREPLY | AUX_OUTSIDE);
    int slot = srv->worker_num + (t < srv->task_worker_num ? t : 0);
    if (!(h->aux & AUX_OUTSIDE)) {
        atomic_fetch_sub(&srv->shared->workers[slot].tasks_queued, 1);
        atomic_fetch_sub(&srv->shared->workers[slot].task_bytes, (int64_t)len);
    }
    atomic_fetch_add(&srv->shared->workers[w->id].requests, 1);
    int64_t max = srv->settings.task_max_request;
    if (max > 0 && ++w->requests >= max) {
        if (!w->stopping)
            swirl_log_info("task worker %d: task_max_request %lld reached; exiting to be replaced",
                           w->id - srv->worker_num, (long long)max);
        return true;
    }
    return false;
}

static void deliver_result(swirl__worker_t *w, const swirl__msg_t *h, const char *p, size_t len) {
    swirl_buf_t file = {0};
    if (h->flags & SWIRL__F_TMPFILE) {
        int rc = tmp_take(p, len, &file);
        if (h->flags & SWIRL__F_WAIT) { /* its taskwait gave up: the file is gone now too */
            swirl_buf_destroy(&file);
            return;
        }
        if (rc < 0) {
            swirl_log_error("worker %d: result of task %lld lost: %s", w->id,
                            (long long)h->session, swirl_last_error_msg());
            swirl_buf_destroy(&file);
            return;
        }
        p = swirl_buf_bytes(&file);
        len = swirl_buf_size(&file);
    }
    if (!(h->flags & SWIRL__F_WAIT) && !w->srv->on[SWIRL_ON_FINISH].cb) {
        swirl_log_warning("worker %d: the result of task %lld is dropped: no finish callback "
                          "(on \"finish\")",
                          w->id, (long long)h->session);
    } else if (!(h->flags & SWIRL__F_WAIT)) {
        swirl_event_t ev = {.type = SWIRL_ON_FINISH, .task_id = h->session, .worker_id = w->id,
                            .reactor_id = h->reactor_id, .data = p ? p : "", .len = len};
        swirl__w_emit(w, &ev);
    }
    swirl_buf_destroy(&file);
}

bool swirl__task_handle(swirl__worker_t *w, const swirl__msg_t *h, const char *p, size_t len) {
    if (h->type == SWIRL__MSG_TASK && w->task)
        return run_task(w, h, p, len);
    if (h->type == SWIRL__MSG_FINISH && !w->task)
        deliver_result(w, h, p, len);
    return false;
}

static void on_taskbox(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    for (int i = 0; i < 16; i++) {
        if (w->stopping && !atomic_load(&w->srv->shared->shutdown)) {
            swirl_loop_set(loop, fd, 0, NULL, NULL); /* the rest is the next task worker's */
            return;
        }
        ssize_t n = recv(fd, w->pkt, SWIRL__PACKET_MAX, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        /* a packet comes from one sender (its id in every header): a
         * message in chunks (a big sendMessage) is gathered per sender */
        swirl_buf_t *rx = &w->rx_worker[0];
        swirl__msg_t h;
        if ((size_t)n >= sizeof(h)) {
            memcpy(&h, w->pkt, sizeof(h));
            if (h.reactor_id >= 0 && h.reactor_id < w->srv->worker_num)
                rx = &w->rx_worker[h.reactor_id];
        }
        w->on_packet(w, w->pkt, (size_t)n, rx, NULL, 0);
    }
}

/* The stop turned out to be the shutdown's: read the taskbox to its end. */
void swirl__task_worker_reads_all(swirl__worker_t *w) {
    if (w->srv->task_mq >= 0)
        return; /* (the message queue's pump, once stopped, stays stopped) */
    int t = w->id - w->srv->worker_num;
    swirl_loop_set(w->loop, w->srv->taskbox[t][1], SWIRL_EV_READ, NULL, NULL);
}

int swirl__task_worker_listen(swirl__worker_t *w) {
    if (w->srv->task_mq >= 0)
        return swirl__task_mq_listen(w);
    int t = w->id - w->srv->worker_num;
    int rc = swirl_loop_add(w->loop, w->srv->taskbox[t][1], SWIRL_EV_READ, on_taskbox, NULL, w);
    return rc < 0 ? rc : swirl_loop_set_machinery(w->loop, w->srv->taskbox[t][1]);
}

bool swirl__task_input_left(swirl__worker_t *w) {
    if (w->srv->task_mq >= 0)
        return swirl__task_mq_input_left(w);
    if (!atomic_load(&w->srv->shared->shutdown))
        return false; /* a reload: what is queued is the next task worker's */
    char byte; /* shutting down: every queued task runs */
    return recv(w->srv->taskbox[w->id - w->srv->worker_num][1], &byte, 1,
                MSG_PEEK | MSG_DONTWAIT) > 0;
}

void swirl__task_worker_stopping(swirl__worker_t *w) {
    if (w->srv->task_mq >= 0)
        swirl__task_mq_stopping(w);
}

void swirl__task_worker_close(swirl__worker_t *w) {
    if (w->srv->task_mq >= 0)
        swirl__task_mq_close(w);
}
