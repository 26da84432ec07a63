/* src/server/send.c — the methods a worker's callbacks call on connections:
 * send, close, pause, resume, sendfile, and messages to other workers. A
 * connection this worker owns (BASE) is acted on at once; any other's
 * owner gets a message. And sendto: a datagram out of one of the server's
 * datagram sockets, from any process. */
#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"
#include "worker.h"

static swirl__worker_t *self_of(swirl_server_t *srv) { return srv->worker; }

static int need_worker(swirl_server_t *srv, const char *what) {
    if (srv->role != SWIRL__ROLE_WORKER || !srv->worker)
        return swirl__error(SWIRL_ESTATE, "%s: only a worker can do this", what);
    return 0;
}

/* A process without a worker loop (master, manager, user process), or a
 * task worker (no pipe to the reactors, no queue to the owners): it writes
 * straight to the connection's owner (direct.c). */
static bool is_direct(swirl_server_t *srv) {
    swirl__worker_t *w = srv->worker;
    if (!srv->started || !srv->shared)
        return false;
    return !w || srv->role != SWIRL__ROLE_WORKER || w->task;
}

/* PROCESS mode: the worker queues the bytes for the connection's reactor
 * and goes on (its loop writes the queue as the pipe takes it: a callback
 * that sends much does not wait for a slow master, as Swoole's). The
 * reactor takes what it reads even past socket_buffer_size, as Swoole's
 * master. What bounds it: a send fails, as Swoole's, while the reactor
 * holds socket_buffer_size or more for the peer (`overflow`, cleared as it
 * drains below), and when this worker's queue to that reactor already
 * holds SWIRL__WORKER_QUEUE_FACTOR times socket_buffer_size (at most
 * 1 GiB; Swoole's worker queues up to 4 GiB), so a loop that sends without
 * end stops. A peer that never reads is reset by send_timeout, and what is
 * still queued for it is dropped when it reaches the reactor. */
#define SWIRL__WORKER_QUEUE_FACTOR 32

static int send_to_reactor(swirl_server_t *srv, swirl__worker_t *w, swirl__conn_t *c, int64_t fd,
                           const void *data, size_t len) {
    swirl__outq_t *q = &w->to_reactor[c->owner];
    int64_t most = srv->settings.socket_buffer_size * SWIRL__WORKER_QUEUE_FACTOR;
    most = most > ((int64_t)1 << 30) ? (int64_t)1 << 30 : most;
    bool over = atomic_load(&c->overflow);
    if (over || (int64_t)(swirl_buf_size(&q->buf) + len) > most) {
        if (over) /* the reactor said bufferFull when it passed the mark */
            return swirl__error(SWIRL_EBUFFULL,
                                "send to connection %lld: output buffer full (socket_buffer_size "
                                "%lld)",
                                (long long)fd, (long long)srv->settings.socket_buffer_size);
        swirl_event_t ev = {.type = SWIRL_ON_BUFFER_FULL, .fd = fd, .reactor_id = c->owner};
        swirl__w_emit(w, &ev);
        return swirl__error(SWIRL_EBUFFULL,
                            "send to connection %lld: this worker's queue to its reactor holds "
                            "%zu bytes (%d times socket_buffer_size)",
                            (long long)fd, swirl_buf_size(&q->buf), SWIRL__WORKER_QUEUE_FACTOR);
    }
    atomic_fetch_add(&c->out_pending, (int64_t)len);
    swirl__msg_t h = {.type = SWIRL__MSG_SEND, .session = fd, .reactor_id = w->id};
    return swirl__w_enqueue(w, q, &h, NULL, 0, data, len);
}

/* When a wait for room must end: send_timeout from now (0: never). */
static uint64_t deadline(swirl_server_t *srv) {
    double t = srv->settings.send_timeout;
    return t > 0 ? swirl_clock_ms() + (uint64_t)(t * 1000.0) : UINT64_MAX;
}

/* PROCESS mode with send_yield: a worker's send that does not fit in the connection's
 * socket_buffer_size waits, as Swoole's worker does behind its pipe to the
 * master, outside the loop: its queue to the reactor is written as the pipe
 * takes it, then it waits until the reactor has read all of it (SIOCOUTQ of
 * the pipe is 0, so out_pending is the reactor's own count) and the bytes
 * fit. Ends when they fit (0), the connection is gone (SWIRL_ECLOSED) or
 * send_timeout passes (-ETIMEDOUT). The reactor never waits for a worker,
 * so the wait cannot deadlock; while the reactor drains the socket there
 * is no fd to watch here, so it looks again every few milliseconds. */
static int wait_reactor(swirl_server_t *srv, swirl__worker_t *w, int64_t fd, size_t len) {
    uint64_t end = deadline(srv);
    for (;;) {
        swirl__conn_t *c = swirl__conn_get(srv, fd);
        if (!c)
            return swirl__error(SWIRL_ECLOSED,
                                "send to connection %lld: closed while waiting for "
                                "room",
                                (long long)fd);
        int owner = c->owner;
        swirl__outq_t *q = &w->to_reactor[owner];
        int pipe = srv->pipes[owner][w->id][1];
        if (swirl_buf_size(&q->buf) > 0) {
            int rc = swirl__outq_flush(q, pipe);
            if (rc < 0 && rc != -EAGAIN)
                return rc;
        }
        bool queued = swirl_buf_size(&q->buf) > 0;
        int inpipe = 0;
        if (!queued && ioctl(pipe, SIOCOUTQ, &inpipe) != 0)
            inpipe = 0; /* not known: out_pending alone */
        if (!queued && inpipe == 0 &&
            atomic_load(&c->out_pending) + (int64_t)len <= srv->settings.socket_buffer_size)
            return 0;
        uint64_t now = swirl_clock_ms();
        if (now >= end)
            return swirl__error(-ETIMEDOUT,
                                "send to connection %lld: no room in its output "
                                "buffer within send_timeout",
                                (long long)fd);
        uint64_t left = end - now;
        struct pollfd p = {.fd = pipe, .events = queued ? POLLOUT : 0};
        int cap = queued ? 1000 : 5;
        if (poll(&p, 1, left > (uint64_t)cap ? cap : (int)left) < 0 && errno != EINTR)
            return swirl__error(swirl__neg_errno(),
                                "send to connection %lld: poll:", (long long)fd);
    }
}

int swirl_server_send(swirl_server_t *srv, int64_t fd, const void *data, size_t len) {
    if (is_direct(srv)) {
        swirl__conn_t *c = swirl__conn_get(srv, fd);
        if (!c)
            return swirl__error(SWIRL_ECLOSED, "send to connection %lld: no such connection",
                                (long long)fd);
        if (len > (size_t)srv->settings.buffer_output_size)
            return swirl__error(SWIRL_ETOOBIG,
                                "send to connection %lld: %zu bytes is more than "
                                "buffer_output_size (%lld)",
                                (long long)fd, len, (long long)srv->settings.buffer_output_size);
        if (atomic_load(&c->out_pending) + (int64_t)len > srv->settings.socket_buffer_size)
            return swirl__error(SWIRL_EBUFFULL,
                                "send to connection %lld: output buffer full "
                                "(socket_buffer_size %lld)",
                                (long long)fd, (long long)srv->settings.socket_buffer_size);
        return swirl__direct_send(srv, c, fd, data, len);
    }
    int rc = need_worker(srv, "send");
    if (rc < 0)
        return rc;
    swirl__worker_t *w = self_of(srv);
    swirl__conn_t *c = swirl__conn_get(srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "send to connection %lld: no such connection",
                            (long long)fd);
    /* BASE, its own connection: written from here, no message between
     * processes, so no buffer_output_size (as Swoole's, which checks it in
     * PROCESS mode only). socket_buffer_size bounds what waits as Swoole's
     * does: a send is refused once the bytes waiting reach it, and the one
     * that crosses it is taken (send_yield: waits for room instead) */
    if (w->base && c->owner == w->id) {
        if (srv->settings.send_yield)
            return swirl__io_send_wait(&w->io, fd, data, len, deadline(srv));
        if (atomic_load(&c->out_pending) < srv->settings.socket_buffer_size)
            return swirl__io_send_over(&w->io, fd, data, len);
        return swirl__io_send(&w->io, fd, data, len);
    }
    if (len > (size_t)srv->settings.buffer_output_size)
        return swirl__error(SWIRL_ETOOBIG,
                            "send to connection %lld: %zu bytes is more than buffer_output_size "
                            "(%lld)",
                            (long long)fd, len, (long long)srv->settings.buffer_output_size);
    int64_t pending = atomic_load(&c->out_pending);
    if (!w->base && srv->settings.send_yield &&
        pending + (int64_t)len > srv->settings.socket_buffer_size &&
        (int64_t)len <= srv->settings.socket_buffer_size) {
        int wrc = wait_reactor(srv, w, fd, len);
        if (wrc < 0)
            return wrc;
        c = swirl__conn_get(srv, fd);
        if (!c)
            return swirl__error(SWIRL_ECLOSED,
                                "send to connection %lld: closed while waiting for "
                                "room",
                                (long long)fd);
        pending = atomic_load(&c->out_pending);
    }
    if (!w->base && !srv->settings.send_yield)
        return send_to_reactor(srv, w, c, fd, data, len);
    if (pending + (int64_t)len > srv->settings.socket_buffer_size) {
        swirl_event_t ev = {.type = SWIRL_ON_BUFFER_FULL, .fd = fd, .reactor_id = c->owner};
        swirl__w_emit(w, &ev);
        /* ask the owner to say when it drains (it answers with bufferEmpty) */
        swirl__msg_t h = {.type = SWIRL__MSG_BUFFER_FULL, .session = fd, .reactor_id = w->id};
        swirl__w_enqueue(w, w->base ? &w->to_worker[c->owner] : &w->to_reactor[c->owner], &h, NULL,
                         0, NULL, 0);
        return swirl__error(SWIRL_EBUFFULL,
                            "send to connection %lld: output buffer full (socket_buffer_size "
                            "%lld)",
                            (long long)fd, (long long)srv->settings.socket_buffer_size);
    }
    atomic_fetch_add(&c->out_pending, (int64_t)len);
    swirl__msg_t h = {.type = SWIRL__MSG_SEND, .session = fd, .reactor_id = w->id};
    swirl__outq_t *q = w->base ? &w->to_worker[c->owner] : &w->to_reactor[c->owner];
    return swirl__w_enqueue(w, q, &h, NULL, 0, data, len);
}

int64_t swirl__server_owed(swirl_server_t *srv, int64_t fd) {
    swirl__conn_t *c = srv->role == SWIRL__ROLE_WORKER ? swirl__conn_get(srv, fd) : NULL;
    return c ? atomic_load(&c->out_pending) : 0;
}

int swirl__server_watch_drain(swirl_server_t *srv, int64_t fd) {
    if (is_direct(srv))
        return swirl__error(SWIRL_ENOTSUP, "watch drain of connection %lld: only in a worker",
                            (long long)fd);
    int rc = need_worker(srv, "watch drain");
    if (rc < 0)
        return rc;
    swirl__worker_t *w = self_of(srv);
    swirl__conn_t *c = swirl__conn_get(srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "watch drain of connection %lld: no such connection",
                            (long long)fd);
    if (w->base && c->owner == w->id) {
        swirl__io_watch_drain(&w->io, fd);
        return 0;
    }
    swirl__msg_t h = {.type = SWIRL__MSG_BUFFER_FULL, .session = fd, .reactor_id = w->id};
    swirl__outq_t *q = w->base ? &w->to_worker[c->owner] : &w->to_reactor[c->owner];
    return swirl__w_enqueue(w, q, &h, NULL, 0, NULL, 0);
}

static int simple(swirl_server_t *srv, int64_t fd, int type, int flags, const char *what) {
    if (is_direct(srv)) {
        swirl__conn_t *c = swirl__conn_get(srv, fd);
        if (!c)
            return swirl__error(SWIRL_ECLOSED, "%s connection %lld: no such connection", what,
                                (long long)fd);
        return swirl__direct_simple(srv, c, fd, type, flags);
    }
    int rc = need_worker(srv, what);
    if (rc < 0)
        return rc;
    swirl__worker_t *w = self_of(srv);
    swirl__conn_t *c = swirl__conn_get(srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "%s connection %lld: no such connection", what,
                            (long long)fd);
    if (w->base && c->owner == w->id) {
        if (type == SWIRL__MSG_CLOSE)
            return swirl__io_close(&w->io, fd, flags & SWIRL__F_RESET);
        return swirl__io_pause(&w->io, fd, type == SWIRL__MSG_PAUSE);
    }
    swirl__msg_t h = {
        .type = (uint8_t)type, .flags = (uint8_t)flags, .session = fd, .reactor_id = w->id};
    swirl__outq_t *q = w->base ? &w->to_worker[c->owner] : &w->to_reactor[c->owner];
    return swirl__w_enqueue(w, q, &h, NULL, 0, NULL, 0);
}

int swirl_server_close(swirl_server_t *srv, int64_t fd, bool reset) {
    if (!reset && srv->flush && srv->role == SWIRL__ROLE_WORKER)
        srv->flush(srv->layer_user, fd); /* what the layer above holds goes before the close */
    return simple(srv, fd, SWIRL__MSG_CLOSE, reset ? SWIRL__F_RESET : 0, "close");
}

int swirl_server_pause(swirl_server_t *srv, int64_t fd) {
    return simple(srv, fd, SWIRL__MSG_PAUSE, 0, "pause");
}

int swirl_server_resume(swirl_server_t *srv, int64_t fd) {
    return simple(srv, fd, SWIRL__MSG_RESUME, 0, "resume");
}

/* The worker opens the file, as its user and in its chroot, and the
 * connection's owner sends from that fd: no path is opened twice. */
int swirl_server_sendfile(swirl_server_t *srv, int64_t fd, const char *path, off_t offset,
                          size_t length) {
    int rc = need_worker(srv, "sendfile");
    if (rc < 0)
        return rc;
    if (!path || offset < 0)
        return swirl__error(SWIRL_EBADARG, "sendfile: bad path or negative offset");
    if (!swirl__conn_get(srv, fd))
        return swirl__error(SWIRL_ECLOSED, "sendfile to connection %lld: no such connection",
                            (long long)fd);
    struct stat st;
    int file = swirl__file_open(path, &st);
    if (file < 0)
        return file;
    if (offset > st.st_size) {
        close(file);
        return swirl__error(SWIRL_EBADARG, "sendfile \"%s\": offset %lld past its end (%lld)", path,
                            (long long)offset, (long long)st.st_size);
    }
    return swirl__server_sendfile_fd(srv, fd, file, st.st_size, path, offset, length, NULL, 0);
}

int swirl__server_sendfile_fd(swirl_server_t *srv, int64_t fd, int file, int64_t size,
                              const char *path, off_t offset, size_t length, const void *head,
                              size_t head_len) {
    int rc = is_direct(srv) ? swirl__error(SWIRL_ENOTSUP,
                                           "sendfile to connection %lld: only a worker sends files "
                                           "(not a task worker, the master, the manager or a user "
                                           "process)",
                                           (long long)fd)
                            : need_worker(srv, "sendfile");
    swirl__worker_t *w = self_of(srv);
    swirl__conn_t *c = rc < 0 ? NULL : swirl__conn_get(srv, fd);
    if (c && w->base && c->owner == w->id)
        return swirl__io_sendfile_fd(&w->io, fd, file, size, offset, length, path, head, head_len);
    if (rc == 0 && !c)
        rc = swirl__error(SWIRL_ECLOSED, "sendfile to connection %lld: no such connection",
                          (long long)fd);
    if (rc == 0 && head_len)
        rc = swirl_server_send(srv, fd, head, head_len);
    if (rc < 0) {
        close(file);
        return rc;
    }
    /* the fd travels with the message; the path only names it in errors */
    size_t plen = strlen(path);
    int64_t range[2] = {(int64_t)offset, (int64_t)length};
    swirl__msg_t h = {.type = SWIRL__MSG_SENDFILE, .session = fd, .reactor_id = w->id};
    swirl__outq_t *q = w->base ? &w->to_worker[c->owner] : &w->to_reactor[c->owner];
    return swirl__w_enqueue_fd(w, q, &h, range, sizeof(range), path, plen < 1024 ? plen : 1024,
                               file);
}

int swirl_server_send_message(swirl_server_t *srv, const void *data, size_t len, int dst) {
    if (!srv->started || !srv->shared)
        return swirl__error(SWIRL_ESTATE, "send_message: the server is not running");
    int all = srv->worker_num + srv->task_worker_num;
    swirl__worker_t *w = srv->role == SWIRL__ROLE_WORKER ? self_of(srv) : NULL;
    int self = w ? w->id : -1;
    if (dst < 0 || dst >= all || dst == self)
        return swirl__error(SWIRL_EBADARG,
                            "send_message: destination worker %d: expected 0..%d and not this "
                            "worker (%d)",
                            dst, all - 1, self);
    bool to_task = dst >= srv->worker_num;
    if (to_task && !srv->taskbox)
        return swirl__error(SWIRL_ENOTSUP, "send_message: to task worker %d: only with "
                                           "task_ipc_mode 1 (unix sockets)",
                            dst - srv->worker_num);
    swirl__msg_t h = {.type = SWIRL__MSG_PIPE, .reactor_id = w ? self : srv->sender_id};
    if (!w) { /* master, manager, user process: one whole packet, now */
        int fd = to_task ? srv->taskbox[dst - srv->worker_num][0] : srv->mailbox[dst][0];
        return swirl__direct_put(srv, fd, &h, NULL, 0, data, len);
    }
    swirl__outq_t *q = to_task ? &w->to_task[dst - srv->worker_num] : &w->to_worker[dst];
    return swirl__w_enqueue(w, q, &h, NULL, 0, data, len);
}

swirl_loop_t *swirl_server_loop(swirl_server_t *srv) { return srv->loop; }

int swirl_server_set_master_loop(swirl_server_t *srv, swirl_loop_t *loop) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "set_master_loop: the server is already started");
    srv->master_loop = loop;
    return 0;
}

int swirl_server_worker_id(const swirl_server_t *srv) {
    return srv->role == SWIRL__ROLE_WORKER ? srv->worker_id : -1;
}

int swirl_server_sendto(swirl_server_t *srv, const swirl_addr_t *to, const void *data, size_t len,
                        int server_fd) {
    if (!to)
        return swirl__error(SWIRL_EBADARG, "sendto: no address");
    int fd = server_fd;
    if (fd >= 0) {
        /* only through one of its datagram sockets: any other fd of the
         * process (a connection, a client's socket) would carry the bytes */
        bool ours = false;
        for (int i = 0; i < srv->nports && !ours; i++)
            ours = srv->ports[i]->fd == fd && !swirl_sock_is_stream(srv->ports[i]->type);
        if (!ours)
            return swirl__error(SWIRL_EBADARG,
                                "sendto: fd %d is not a datagram socket of this server", fd);
    } else {
        for (int i = 0; i < srv->nports && fd < 0; i++) {
            swirl_port_t *p = srv->ports[i];
            int fam = p->type == SWIRL_SOCK_UDP          ? AF_INET
                      : p->type == SWIRL_SOCK_UDP6       ? AF_INET6
                      : p->type == SWIRL_SOCK_UNIX_DGRAM ? AF_UNIX
                                                         : -1;
            if (fam == to->u.sa.sa_family)
                fd = p->fd;
        }
        if (fd < 0)
            return swirl__error(SWIRL_ENOTSUP, "sendto: no datagram listener for that address "
                                               "family");
    }
    ssize_t n = swirl_net_sendto(fd, data, len, to);
    if (n < 0) {
        char where[SWIRL_ADDR_STRLEN];
        swirl_addr_format(to, where, sizeof(where));
        return swirl__error((int)n, "sendto %s:", where);
    }
    return 0;
}
