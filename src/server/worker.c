/* src/server/worker.c — a worker process: its loop, the messages it gets
 * from reactor threads (PROCESS) or owns connections itself (BASE), its
 * mailbox for messages from other workers, their dispatch to the user's
 * callbacks, and its graceful stop. What it sends goes through outbox.c;
 * the methods a user's callback calls (send, close, ...) are in send.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"
#include "worker.h"
#include "../process/internal.h"

#define PACKETS_PER_WAKEUP 64

/* ---- incoming -------------------------------------------------------------------------- */

static void count_request(swirl__worker_t *w) {
    w->requests++;
    atomic_fetch_add(&w->srv->shared->request_count, 1);
    atomic_fetch_add(&w->srv->shared->workers[w->id].requests, 1);
    int64_t max = w->max_request;
    if (max > 0 && w->requests >= max) {
        if (!w->stopping)
            swirl_log_debug("worker %d: max_request %lld reached; exiting to be replaced", w->id,
                            (long long)max);
        swirl__w_begin_stop(w, "max_request");
    }
}

/* The reactor counted these bytes as in flight; if it stopped reading the
 * connection for them and the backlog is now low, tell it to read again. */
static void give_credit(swirl__worker_t *w, const swirl__msg_t *h, size_t len) {
    swirl__conn_t *c = swirl__conn_get(w->srv, h->session);
    if (!c)
        return; /* closed meanwhile: its counters are reset on reuse */
    int64_t left = atomic_fetch_sub(&c->in_flight, (int64_t)len) - (int64_t)len;
    if (left <= swirl__flow_high(w->srv) / 2 && atomic_exchange(&c->throttled, 0)) {
        swirl__msg_t m = {.type = SWIRL__MSG_CREDIT, .session = h->session, .reactor_id = w->id};
        swirl__w_enqueue(w, &w->to_reactor[h->reactor_id], &m, NULL, 0, NULL, 0);
    }
}

/* `file`: the fd the message carries (-1: none), closed here if unused. */
static void handle(swirl__worker_t *w, const swirl__msg_t *h, const char *p, size_t len, int file) {
    swirl_event_t ev = {.fd = h->session, .reactor_id = h->reactor_id};
    switch (h->type) {
    case SWIRL__MSG_CONNECT:
        ev.type = SWIRL_ON_CONNECT;
        swirl__w_emit(w, &ev);
        break;
    case SWIRL__MSG_DATA:
        ev.type = SWIRL_ON_RECEIVE;
        ev.data = p;
        ev.len = len;
        swirl__w_emit(w, &ev);
        count_request(w);
        give_credit(w, h, len);
        break;
    case SWIRL__MSG_CLOSE:
        if (w->base) { /* another worker asks us to close one of ours */
            swirl__io_close(&w->io, h->session, h->flags & SWIRL__F_RESET);
            break;
        }
        if (h->flags & SWIRL__F_EMIT) {
            ev.type = SWIRL_ON_CLOSE;
            swirl__w_emit(w, &ev);
        }
        if (h->flags & SWIRL__F_ACK) { /* the reactor waits for every worker's word */
            swirl__msg_t a = {.type = SWIRL__MSG_CLOSE, .flags = SWIRL__F_ACK,
                              .session = h->session, .reactor_id = w->id};
            swirl__w_enqueue(w, &w->to_reactor[h->reactor_id], &a, NULL, 0, NULL, 0);
        }
        break;
    case SWIRL__MSG_EOF:
        if (!w->srv->peer_eof || !w->srv->peer_eof(w->srv->layer_user, h->session))
            swirl_server_close(w->srv, h->session, false);
        break;
    case SWIRL__MSG_PACKET: {
        if (len < sizeof(swirl_addr_t) || h->aux >= w->srv->nports)
            break;
        swirl_addr_t from;
        memcpy(&from, p, sizeof(from));
        ev.type = SWIRL_ON_PACKET;
        ev.addr = &from;
        ev.server_fd = w->srv->ports[h->aux]->fd;
        ev.data = p + sizeof(from);
        ev.len = len - sizeof(from);
        ev.fd = 0;
        swirl__w_emit(w, &ev);
        count_request(w);
        break;
    }
    case SWIRL__MSG_BUFFER_FULL:
    case SWIRL__MSG_BUFFER_EMPTY:
        if (w->base && h->type == SWIRL__MSG_BUFFER_FULL) { /* another worker asks */
            swirl__io_watch_drain(&w->io, h->session);
            break;
        }
        ev.type = h->type == SWIRL__MSG_BUFFER_FULL ? SWIRL_ON_BUFFER_FULL : SWIRL_ON_BUFFER_EMPTY;
        swirl__w_emit(w, &ev);
        break;
    case SWIRL__MSG_PIPE:
        ev.type = SWIRL_ON_PIPE_MESSAGE;
        ev.worker_id = h->reactor_id; /* the sender */
        ev.fd = 0;
        ev.data = p;
        ev.len = len;
        swirl__w_emit(w, &ev);
        break;
    case SWIRL__MSG_SENDFILE: { /* BASE: another worker opened it for one of ours */
        int rc = w->base ? swirl__io_sendfile_msg(&w->io, h, p, file) : 0;
        if (rc == SWIRL_ECLOSED) /* the peer left: no warning per client */
            swirl_log_debug("worker %d: %s", w->id, swirl_last_error_msg());
        else if (rc < 0)
            swirl_log_warning("worker %d: %s", w->id, swirl_last_error_msg());
        file = w->base ? -1 : file; /* taken */
        break;
    }
    case SWIRL__MSG_SEND: /* BASE: bytes for one of our connections */
        swirl__io_send(&w->io, h->session, p, len);
        break;
    case SWIRL__MSG_PAUSE:
    case SWIRL__MSG_RESUME:
        swirl__io_pause(&w->io, h->session, h->type == SWIRL__MSG_PAUSE);
        break;
    case SWIRL__MSG_COMMAND:
        swirl__command_serve(w->srv, h, p, len);
        break;
    case SWIRL__MSG_TASK:
    case SWIRL__MSG_FINISH:
        if (swirl__task_handle(w, h, p, len))
            swirl__w_begin_stop(w, "task_max_request");
        break;
    default:
        break;
    }
    if (file >= 0)
        close(file);
}

/* Parse one packet; chunks are gathered in `rx` until the last arrives.
 * fds[nfds]: the fds it carried, all taken (used or closed). */
static void parse_packet(swirl__worker_t *w, const char *pkt, size_t n, swirl_buf_t *rx,
                           const int *fds, int nfds) {
    size_t off = 0;
    int next = 0;
    while (off + sizeof(swirl__msg_t) <= n) {
        swirl__msg_t h;
        memcpy(&h, pkt + off, sizeof(h));
        off += sizeof(h);
        if (h.len > n - off)
            break; /* malformed: cannot happen between our own processes */
        const char *p = pkt + off;
        off += h.len;
        int ends = h.flags & (SWIRL__F_BEGIN | SWIRL__F_END);
        if (ends == (SWIRL__F_BEGIN | SWIRL__F_END)) {
            handle(w, &h, p, h.len, swirl__chan_take_fd(&h, fds, nfds, &next));
            continue;
        }
        if (h.flags & SWIRL__F_BEGIN)
            swirl_buf_clear(rx);
        else if (swirl_buf_size(rx) == 0)
            continue; /* the start went to a worker that died: drop the rest */
        if (swirl_buf_append(rx, p, h.len) < 0) {
            swirl_log_error("worker %d: out of memory reassembling a %s message; dropped", w->id,
                            h.type == SWIRL__MSG_PIPE ? "pipe" : "data");
            swirl_buf_destroy(rx);
            continue;
        }
        if (h.flags & SWIRL__F_END) {
            handle(w, &h, swirl_buf_bytes(rx), swirl_buf_size(rx), -1);
            swirl_buf_clear(rx);
            if (rx->cap > 1024 * 1024)
                swirl_buf_destroy(rx); /* do not keep a 10 MB buffer for ever */
        }
    }
    swirl__chan_close_rest(fds, nfds, next);
}

static bool any_partial(const swirl__worker_t *w) {
    int nr = swirl__w_reactor_count(w);
    for (int r = 0; r < nr; r++)
        if (swirl_buf_size(&w->rx_reactor[r]) > 0)
            return true;
    for (int i = 0; i < w->srv->worker_num; i++)
        if (swirl_buf_size(&w->rx_worker[i]) > 0)
            return true;
    return false;
}

static void read_packets(swirl__worker_t *w, int fd, swirl_buf_t *rx_one, bool mailbox) {
    for (int i = 0; i < PACKETS_PER_WAKEUP; i++) {
        if (w->stopping && !swirl__w_draining_all(w) && !any_partial(w))
            return; /* at a message boundary: leave the rest */
        int fds[SWIRL__PACKET_FDS], nfds;
        ssize_t n = swirl__chan_recv(fd, w->pkt, fds, &nfds);
        if (n <= 0)
            return;
        swirl_buf_t *rx = rx_one ? rx_one : &w->rx_worker[0];
        if (mailbox && (size_t)n >= sizeof(swirl__msg_t)) {
            swirl__msg_t h;
            memcpy(&h, w->pkt, sizeof(h));
            /* a packet in a mailbox comes from one worker: its id is in every header */
            if (h.reactor_id >= 0 && h.reactor_id < w->srv->worker_num)
                rx = &w->rx_worker[h.reactor_id];
        }
        parse_packet(w, w->pkt, (size_t)n, rx, fds, nfds);
    }
}

static void on_reactor_pipe(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    if (events & SWIRL_EV_WRITE) {
        swirl__w_on_out_writable(loop, fd, events, user);
        if (!(events & SWIRL_EV_READ))
            return;
    }
    for (int r = 0; r < w->srv->reactor_num; r++)
        if (w->srv->pipes[r][w->id][1] == fd) {
            read_packets(w, fd, &w->rx_reactor[r], false);
            if (w->stopping && !swirl__w_reads_on(w, r)) /* level-triggered: stop watching */
                swirl_loop_set(loop, fd, w->to_reactor[r].want_write ? SWIRL_EV_WRITE : 0, NULL,
                               NULL);
            return;
        }
}

static void on_mailbox(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    read_packets(w, fd, NULL, true);
    if (w->stopping && !swirl__w_draining_all(w) && !any_partial(w))
        swirl_loop_set(loop, fd, 0, NULL, NULL);
}

/* ---- BASE mode: this worker's own connections ---------------------------------------------- */

/* The connections of the worker this one replaces (a reload). */
static void on_handoff(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__worker_t *w = user;
    swirl__io_take_handoffs(&w->io, fd);
}

static void base_connect(swirl__io_t *io, swirl__conn_t *c) {
    swirl_event_t ev = {.type = SWIRL_ON_CONNECT, .fd = atomic_load(&c->session),
                        .reactor_id = io->owner};
    swirl__w_emit(io->user, &ev);
}

static void base_data(swirl__io_t *io, swirl__conn_t *c, const char *data, size_t len) {
    swirl_event_t ev = {.type = SWIRL_ON_RECEIVE, .fd = atomic_load(&c->session),
                        .reactor_id = io->owner, .data = data, .len = len};
    swirl__w_emit(io->user, &ev);
    count_request(io->user);
}

static int base_close(swirl__io_t *io, swirl__conn_t *c) {
    swirl_event_t ev = {.type = SWIRL_ON_CLOSE, .fd = atomic_load(&c->session),
                        .reactor_id = io->owner};
    swirl__w_emit(io->user, &ev);
    return 0; /* our replies were written synchronously: nothing to wait for */
}

static void base_packet(swirl__io_t *io, swirl_port_t *port, const swirl_addr_t *from,
                        const char *data, size_t len) {
    swirl_event_t ev = {.type = SWIRL_ON_PACKET, .addr = from, .server_fd = port->fd,
                        .data = data, .len = len, .reactor_id = io->owner};
    swirl__w_emit(io->user, &ev);
    count_request(io->user);
}

static void base_buffer(swirl__io_t *io, swirl__conn_t *c, bool full) {
    swirl_event_t ev = {.type = full ? SWIRL_ON_BUFFER_FULL : SWIRL_ON_BUFFER_EMPTY,
                        .fd = atomic_load(&c->session), .reactor_id = io->owner};
    swirl__w_emit(io->user, &ev);
}

static bool base_eof(swirl__io_t *io, swirl__conn_t *c) {
    swirl_server_t *srv = io->srv;
    return srv->peer_eof && srv->peer_eof(srv->layer_user, atomic_load(&c->session));
}

static const swirl__io_ops_t base_ops = {base_connect, base_data,   base_close,
                                         base_packet,  base_buffer, base_eof};

/* ---- life ------------------------------------------------------------------------------ */

/* Is anything left to read where this worker must still read? */
static bool input_left(swirl__worker_t *w) {
    if (any_partial(w))
        return true;
    if (w->task)
        return swirl__task_input_left(w);
    if (!swirl__w_draining_all(w))
        return false;
    char byte;
    int nr = w->base ? 0 : w->srv->reactor_num;
    for (int r = 0; r < nr; r++)
        if (recv(w->srv->pipes[r][w->id][1], &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
            return true;
    return recv(w->srv->mailbox[w->id][1], &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* A BASE worker stopping for a reload (or max_request, or stop(id)) hands
 * its connections to its successor; stopping for the shutdown, it closes
 * them once their replies are written. */
static bool hands_off(const swirl__worker_t *w) {
    return w->base && w->srv->handoff && !swirl__w_draining_all(w);
}

static void base_stop_step(swirl__worker_t *w) {
    if (!w->base)
        return;
    if (hands_off(w)) {
        swirl__io_handoff(&w->io, w->srv->handoff[w->id][0]);
    } else if (!w->io.draining) { /* replies first */
        swirl__io_quiesce(&w->io);
        swirl__io_close_all(&w->io);
    }
}

/* A stop that began as a reload's became the shutdown's: a SIGTERM sent
 * to the whole process group (a terminal's kill -TERM -PGID, systemd's
 * default KillMode) reaches the workers before the master marks the
 * shutdown, and a worker stopping for a reload stops reading its inputs at
 * a message boundary (the rest is its successor's). There is no successor
 * now: watch them again, so every message already dispatched is handled
 * (before, they were left unread until max_wait_time, their requests
 * unanswered and the reactor waiting for its close acknowledgements). */
static void reads_all_again(swirl__worker_t *w) {
    if (w->reads_all || !swirl__w_draining_all(w))
        return;
    w->reads_all = true;
    for (int r = 0; r < swirl__w_reactor_count(w); r++)
        swirl_loop_set(w->loop, w->srv->pipes[r][w->id][1],
                       SWIRL_EV_READ | (w->to_reactor[r].want_write ? SWIRL_EV_WRITE : 0), NULL,
                       NULL);
    if (w->task)
        swirl__task_worker_reads_all(w);
    else
        swirl_loop_set(w->loop, w->srv->mailbox[w->id][1], SWIRL_EV_READ, NULL, NULL);
}

/* Swoole's onWorkerExit rule: while the stopping worker's loop holds
 * something of the user's (timers, fds, async jobs: not the server's own
 * sockets and timers, which are marked as the loop's machinery), workerExit
 * runs, at each check, so the code can release it; the worker leaves once
 * nothing is left or at max_wait_time. A worker that holds nothing never
 * runs it. Does the user's code still hold something? */
static bool user_holds(swirl__worker_t *w) {
    if (swirl_loop_user_work(w->loop) == 0)
        return false;
    swirl_event_t ev = {.type = SWIRL_ON_WORKER_EXIT, .worker_id = w->id};
    swirl__w_emit(w, &ev);
    return swirl_loop_user_work(w->loop) > 0;
}

/* While stopping: exit once the work is done, or at max_wait_time. */
static void stop_check(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__worker_t *w = user;
    reads_all_again(w);
    base_stop_step(w); /* connections that were busy may move now */
    bool conns = w->base && swirl__io_count(&w->io) > 0;
    bool in = input_left(w), out = swirl__w_output_queued(w);
    bool held = user_holds(w);
    if (!conns && !in && !out && !held) {
        swirl_loop_stop(loop);
        return;
    }
    if (swirl_clock_ms() >= w->stop_deadline) {
        swirl_log_warning("worker %d: max_wait_time (%llds) passed with work left (%s%s%s%s); "
                          "exiting anyway",
                          w->id, (long long)w->srv->settings.max_wait_time,
                          in ? "unread requests " : "", out ? "unsent replies " : "",
                          conns ? "open connections " : "",
                          held ? "timers or fds of the user's" : "");
        swirl_loop_stop(loop);
    }
}

/* The first check at the end of this loop round: an idle worker leaves
 * at once (a killed worker is replaced within a few ms, as in Swoole). */
static void stop_check_now(swirl_loop_t *loop, void *user) {
    swirl__worker_t *w = user;
    if (w->stopping && w->stop_timer > 0)
        stop_check(loop, w->stop_timer, w);
}

/* Stop gracefully: take no new work, finish what was begun, send what is
 * owed, then leave the loop (workerStop runs after it). */
void swirl__w_begin_stop(swirl__worker_t *w, const char *why) {
    if (w->stopping)
        return;
    w->stopping = true;
    w->stop_deadline = swirl_clock_ms() + (uint64_t)w->srv->settings.max_wait_time * 1000u;
    swirl_log_debug("worker %d: stopping (%s)", w->id, why);
    if (w->task)
        swirl__task_worker_stopping(w);
    atomic_store(&w->srv->shared->workers[w->id].exiting, 1);
    if (w->srv->stopping)
        w->srv->stopping(w->srv->layer_user);
    if (w->base && w->srv->handoff && swirl_loop_has(w->loop, w->srv->handoff[w->id][1]))
        swirl_loop_del(w->loop, w->srv->handoff[w->id][1]); /* what is left is the next one's */
    base_stop_step(w);
    int64_t t = swirl_timer_tick(w->loop, 10, stop_check, w);
    if (t > 0)
        swirl_timer_set_machinery(w->loop, t);
    w->stop_timer = t > 0 ? t : 0;
    if (t < 0)
        swirl_loop_stop(w->loop);
    else
        swirl_loop_defer(w->loop, stop_check_now, w);
}

static void on_reopen_signal(swirl_loop_t *loop, int signo, void *user) { swirl_log_reopen(); }

/* SIGTERM: stop (the manager sends it for a reload, a stop(worker_id) or
 * the shutdown, which it marks in shared memory first). A lone BASE worker
 * is the whole server: SIGTERM and SIGINT shut it down. */
static void on_stop_signal(swirl_loop_t *loop, int signo, void *user) {
    swirl__worker_t *w = user;
    bool alone = w->base && w->srv->worker_num == 1 && w->srv->role == SWIRL__ROLE_WORKER &&
                 getpid() == w->srv->master_pid;
    if (signo == SIGINT && !alone)
        return; /* Ctrl-C reaches the whole group: the master decides */
    if (alone) {
        swirl_log_debug("server: %s received, shutting down", strsignal(signo));
        atomic_store(&w->srv->shared->shutdown, 1);
    }
    atomic_store(&w->srv->shared->workers[w->id].sigterm, 1); /* the manager replaces it at once */
    swirl__w_begin_stop(w, strsignal(signo));
}

/* BASE mode with enable_reuse_port: worker 0 accepts on the port's socket,
 * every other worker on the SO_REUSEPORT socket the master made for its id
 * (server.c), which outlives it. */
static void own_listeners(swirl_server_t *srv, int id) {
    for (int i = 0; srv->reuse_fds && i < srv->nports; i++) {
        int fd = srv->reuse_fds[id * srv->nports + i];
        if (fd < 0)
            continue;
        close(srv->ports[i]->fd); /* this process's copy of the shared socket */
        srv->ports[i]->fd = fd;
    }
}

static void worker_free(swirl__worker_t *w) {
    int nr = swirl__w_reactor_count(w);
    for (int i = 0; w->to_task && i < w->srv->task_worker_num; i++)
        swirl__outq_destroy(&w->to_task[i]);
    swirl_free(w->to_task);
    swirl_buf_destroy(&w->tk.deferred);
    swirl_buf_destroy(&w->tk.mq_pending);
    for (int i = 0; w->to_reactor && i < nr; i++) {
        swirl__outq_destroy(&w->to_reactor[i]);
        swirl_buf_destroy(&w->rx_reactor[i]);
    }
    for (int i = 0; w->to_worker && i < w->srv->worker_num; i++) {
        swirl__outq_destroy(&w->to_worker[i]);
        swirl_buf_destroy(&w->rx_worker[i]);
    }
    swirl_free(w->to_reactor);
    swirl_free(w->rx_reactor);
    swirl_free(w->to_worker);
    swirl_free(w->rx_worker);
    swirl_free(w->pkt);
}

/* chroot, group, user (in that order: each needs the privileges the next
 * one gives up), before any user code runs in this worker. */
static int drop_privileges(swirl_server_t *srv, int id) {
    const swirl__server_settings_t *s = &srv->settings;
    if (s->chroot[0] && (chroot(s->chroot) != 0 || chdir("/") != 0))
        return swirl__error(swirl__neg_errno(), "worker %d: chroot \"%s\":", id, s->chroot);
    if (srv->set_gid && getegid() != srv->run_gid &&
        (setgroups(1, &srv->run_gid) != 0 || setgid(srv->run_gid) != 0))
        return swirl__error(swirl__neg_errno(), "worker %d: group %d:", id, (int)srv->run_gid);
    if (srv->set_uid && geteuid() != srv->run_uid && setuid(srv->run_uid) != 0)
        return swirl__error(swirl__neg_errno(), "worker %d: user \"%s\":", id, s->user);
    return 0;
}

/* A worker's own max_request, as Swoole: max_request plus a random share
 * of max_request_grace (not set: half of max_request when it is over 10),
 * so workers started together are not all replaced at once. */
static int64_t max_request_of(const swirl__server_settings_t *s) {
    int64_t max = s->max_request, grace = s->max_request_grace;
    if (max <= 0)
        return 0;
    if (grace < 0)
        grace = max > 10 ? max / 2 : 0;
    if (grace == 0)
        return max;
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
        r = (uint64_t)swirl_clock_us() ^ (uint64_t)getpid() * 2654435761u;
    int64_t extra = (int64_t)(r % ((uint64_t)grace + 1));
    return max > INT64_MAX - extra ? INT64_MAX : max + extra;
}

int swirl__worker_run(swirl_server_t *srv, int id) {
    swirl__worker_t w = {.srv = srv, .id = id, .task = id >= srv->worker_num,
                         .tk.pump_fd = {-1, -1}, .on_packet = parse_packet};
    w.base = srv->mode == SWIRL_MODE_BASE && !w.task;
    int rc = swirl_loop_new(&w.loop);
    if (rc < 0)
        return rc;
    srv->role = SWIRL__ROLE_WORKER;
    srv->worker_id = id;
    swirl_log_set_role(w.task ? '^' : '*', id);
    w.max_request = max_request_of(&srv->settings);
    srv->loop = w.loop;
    srv->worker = &w;
    atomic_store(&srv->shared->workers[id].pid, getpid());
    atomic_store(&srv->shared->workers[id].sigterm, 0);
    atomic_store(&srv->shared->workers[id].exiting, 0);
    if (getpid() != srv->master_pid)
        swirl__set_title(w.task ? "task worker" : "worker", w.task ? id - srv->worker_num : id);
    int nr = swirl__w_reactor_count(&w), nw = srv->worker_num, nt = srv->task_worker_num;
    w.pkt = swirl_malloc(SWIRL__PACKET_MAX);
    w.to_reactor = swirl_calloc((size_t)(nr ? nr : 1), sizeof(swirl__outq_t));
    w.rx_reactor = swirl_calloc((size_t)(nr ? nr : 1), sizeof(swirl_buf_t));
    w.to_worker = swirl_calloc((size_t)nw, sizeof(swirl__outq_t));
    w.rx_worker = swirl_calloc((size_t)nw, sizeof(swirl_buf_t));
    w.to_task = swirl_calloc((size_t)(nt ? nt : 1), sizeof(swirl__outq_t));
    if (!w.pkt || !w.to_reactor || !w.rx_reactor || !w.to_worker || !w.rx_worker || !w.to_task) {
        rc = -ENOMEM;
        goto out;
    }
    for (int i = 0; i < nr; i++)
        swirl__outq_init(&w.to_reactor[i]);
    for (int i = 0; i < nw; i++)
        swirl__outq_init(&w.to_worker[i]);
    for (int i = 0; i < nt; i++)
        swirl__outq_init(&w.to_task[i]);
    /* the server's own fds and timers are marked as the loop's machinery:
     * what else it holds is the user's (Swoole's workerExit rule) */
    for (int r = 0; r < nr; r++) {
        if ((rc = swirl_loop_add(w.loop, srv->pipes[r][id][1], SWIRL_EV_READ, on_reactor_pipe,
                                 on_reactor_pipe, &w)) < 0)
            goto out;
        swirl_loop_set_machinery(w.loop, srv->pipes[r][id][1]);
    }
    if (w.task) {
        rc = swirl__task_worker_listen(&w);
    } else {
        rc = swirl_loop_add(w.loop, srv->mailbox[id][1], SWIRL_EV_READ, on_mailbox, NULL, &w);
        if (rc == 0)
            swirl_loop_set_machinery(w.loop, srv->mailbox[id][1]);
    }
    if (rc < 0)
        goto out;
    if (w.base && srv->settings.enable_reuse_port && id > 0)
        own_listeners(srv, id);
    if (w.base) {
        if ((rc = swirl__io_init(&w.io, srv, w.loop, id, &base_ops, &w)) < 0)
            goto out;
        if ((rc = swirl__io_listen(&w.io)) < 0)
            goto out_io;
        if (srv->handoff && (rc = swirl_loop_add(w.loop, srv->handoff[id][1], SWIRL_EV_READ,
                                                 on_handoff, NULL, &w)) < 0)
            goto out_io;
        if (srv->handoff)
            swirl_loop_set_machinery(w.loop, srv->handoff[id][1]);
    }
    swirl_signal_add(w.loop, SIGTERM, on_stop_signal, &w);
    swirl_signal_add(w.loop, SIGINT, on_stop_signal, &w);
    swirl_signal_add(w.loop, SIGRTMIN, on_reopen_signal, &w);
    if ((rc = drop_privileges(srv, id)) < 0) {
        swirl_log_error("%s", swirl_last_error_msg());
        goto out_io;
    }

    swirl__nopipe_t pipe_hold; /* its writes (sendfile) need no mask change each */
    swirl__nopipe_hold(&pipe_hold);
    swirl_event_t ev = {.type = SWIRL_ON_START};
    if (srv->start_in_worker)
        swirl__emit(srv, &ev);
    ev = (swirl_event_t){.type = SWIRL_ON_WORKER_START, .worker_id = id};
    swirl__emit(srv, &ev);
    if (!atomic_load(&srv->shared->shutdown))
        rc = swirl_loop_run(w.loop);
    ev = (swirl_event_t){.type = SWIRL_ON_WORKER_STOP, .worker_id = id};
    swirl__emit(srv, &ev);
    swirl__w_flush_all(w.loop, &w);
    swirl__nopipe_release(&pipe_hold);
out_io:
    if (w.base)
        swirl__io_destroy(&w.io);
out:
    if (w.task)
        swirl__task_worker_close(&w);
    worker_free(&w);
    srv->worker = NULL;
    srv->loop = NULL;
    swirl_loop_free(w.loop);
    return rc;
}

void swirl__child_setup(pid_t parent) {
    /* die with the parent, so no child ever outlives a killed master */
    swirl__child_init(parent, SIGKILL);
    /* The control signals stay blocked until the child's loop watches them
     * (then they come through its signalfd, none lost): a SIGTERM sent by a
     * reload right after the fork must not kill the child before it has
     * set up. Everything else is unblocked. */
    sigset_t keep;
    sigemptyset(&keep);
    const int control[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGRTMIN};
    for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++)
        sigaddset(&keep, control[i]);
    pthread_sigmask(SIG_SETMASK, &keep, NULL);
}

pid_t swirl__worker_spawn(swirl_server_t *srv, int id) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid < 0 ? swirl__neg_errno() : pid;
    swirl__child_setup(parent);
    /* the manager's loop (and its signalfd) is the parent's business */
    swirl_loop_forget(srv->loop);
    srv->loop = NULL;
    int rc = swirl__worker_run(srv, id);
    _exit(rc < 0 ? 1 : 0);
}
