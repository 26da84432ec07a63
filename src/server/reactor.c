/* src/server/reactor.c — PROCESS mode's reactor threads: each owns its
 * share of the connections and hands messages to workers over
 * SOCK_SEQPACKET pairs, batching many messages per packet; the master
 * (master.c) starts them, moves them through the shutdown phases and joins
 * them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

#define PACKETS_PER_WAKEUP 64

struct swirl__reactor {
    swirl_server_t *srv;
    int id;
    pthread_t thread;
    swirl_loop_t *loop;
    swirl__io_t io;
    swirl__outq_t out[SWIRL__MAX_WORKERS];
    bool flush_queued;
    int wakefd;
    unsigned rr;
    char *pkt;
    int rc;
    _Atomic int phase; /* the master's word at a wake-up: PHASE_* */
    uint64_t deadline; /* SWIRL__PHASE_CLOSE: swirl_clock_ms() by which to be done */
};

/* ---- to workers -------------------------------------------------------------------------- */

static void on_pipe(swirl_loop_t *loop, int fd, int events, void *user);

static void flush_all(swirl_loop_t *loop, void *user) {
    swirl__reactor_t *r = user;
    r->flush_queued = false;
    for (int w = 0; w < r->srv->worker_num; w++) {
        swirl__outq_t *q = &r->out[w];
        if (swirl_buf_size(&q->buf) == 0 || q->want_write)
            continue;
        int fd = r->srv->pipes[r->id][w][0];
        int rc = swirl__outq_flush(q, fd);
        if (rc == -EAGAIN) {
            q->want_write = true;
            swirl_loop_set(loop, fd, SWIRL_EV_READ | SWIRL_EV_WRITE, NULL, on_pipe);
        } else if (rc < 0) {
            swirl_log_error("reactor %d: to worker %d: %s", r->id, w, swirl_strerror(rc));
        }
    }
}

static void put(swirl__reactor_t *r, int worker, const swirl__msg_t *h, const void *a, size_t alen,
                const void *b, size_t blen) {
    if (swirl__outq_put(&r->out[worker], h, a, alen, b, blen) < 0) {
        swirl_log_error("reactor %d: out of memory queueing for worker %d; message dropped", r->id,
                        worker);
        return;
    }
    if (!r->flush_queued) {
        r->flush_queued = true;
        swirl_loop_defer(r->loop, flush_all, r);
    }
}

static unsigned hash_addr(const swirl_addr_t *a) {
    const unsigned char *p = (const unsigned char *)&a->u.in.sin_addr;
    size_t n = 4;
    if (a->u.sa.sa_family == AF_INET6) {
        p = (const unsigned char *)&a->u.in6.sin6_addr;
        n = 16;
    }
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Which worker gets this connection's next event (dispatch_mode). */
static int pick(swirl__reactor_t *r, swirl__conn_t *c) {
    swirl_server_t *srv = r->srv;
    unsigned n = (unsigned)srv->worker_num;
    int64_t session = atomic_load(&c->session);
    switch (srv->settings.dispatch_mode) {
    case 1:
        return (int)(r->rr++ % n);
    case 3:
        for (unsigned i = 0; i < n; i++) {
            unsigned w = (r->rr + i) % n;
            if (!atomic_load_explicit(&srv->shared->workers[w].busy, memory_order_relaxed)) {
                r->rr = w + 1;
                return (int)w;
            }
        }
        return (int)(r->rr++ % n);
    case 4:
        return (int)(hash_addr(&c->peer) % n);
    case 5: {
        uint32_t uid = atomic_load(&c->uid);
        if (uid)
            return (int)(uid % n);
        return (int)((uint64_t)session % n); /* not bound yet: by connection */
    }
    default:
        return (int)((uint64_t)session % n);
    }
}

/* Modes 1 and 3 spread one connection's messages over workers, so no worker
 * could see its connect and close in order with them: as in Swoole, those
 * two events are not delivered in these modes. */
static bool has_lifecycle(const swirl_server_t *srv) {
    return srv->settings.dispatch_mode != 1 && srv->settings.dispatch_mode != 3;
}

static void r_connect(swirl__io_t *io, swirl__conn_t *c) {
    swirl__reactor_t *r = io->user;
    if (!has_lifecycle(r->srv))
        return;
    swirl__msg_t h = {
        .type = SWIRL__MSG_CONNECT, .session = atomic_load(&c->session), .reactor_id = r->id};
    put(r, pick(r, c), &h, NULL, 0, NULL, 0);
}

static void r_data(swirl__io_t *io, swirl__conn_t *c, const char *data, size_t len) {
    swirl__reactor_t *r = io->user;
    swirl__msg_t h = {
        .type = SWIRL__MSG_DATA, .session = atomic_load(&c->session), .reactor_id = r->id};
    atomic_fetch_add(&c->in_flight, (int64_t)len); /* the worker takes it off (credit) */
    put(r, pick(r, c), &h, NULL, 0, data, len);
    atomic_fetch_add_explicit(&r->srv->shared->dispatch_count, 1, memory_order_relaxed);
}

/* Every worker may still hold messages of this connection (modes 1, 3 and
 * 5 spread them): each gets the notice, the connection's own worker runs
 * the close callback, and each acknowledges after what it sent before. */
static int r_close(swirl__io_t *io, swirl__conn_t *c) {
    swirl__reactor_t *r = io->user;
    if (atomic_load(&r->phase) >= SWIRL__PHASE_CLOSE)
        return 0; /* shutting down and the workers are gone: no one to tell */
    int owner = has_lifecycle(r->srv) ? pick(r, c) : -1;
    for (int w = 0; w < r->srv->worker_num; w++) {
        swirl__msg_t h = {.type = SWIRL__MSG_CLOSE,
                          .session = atomic_load(&c->session),
                          .reactor_id = r->id,
                          .flags = (uint8_t)(SWIRL__F_ACK | (w == owner ? SWIRL__F_EMIT : 0))};
        put(r, w, &h, NULL, 0, NULL, 0);
    }
    return r->srv->worker_num;
}

static void r_packet(swirl__io_t *io, swirl_port_t *port, const swirl_addr_t *from,
                     const char *data, size_t len) {
    swirl__reactor_t *r = io->user;
    swirl__msg_t h = {.type = SWIRL__MSG_PACKET, .aux = (uint16_t)port->index, .reactor_id = r->id};
    unsigned w = r->srv->settings.dispatch_mode == 4 ? hash_addr(from) : r->rr++;
    put(r, (int)(w % (unsigned)r->srv->worker_num), &h, from, sizeof(*from), data, len);
}

static void r_buffer(swirl__io_t *io, swirl__conn_t *c, bool full) {
    swirl__reactor_t *r = io->user;
    swirl__msg_t h = {.type = full ? SWIRL__MSG_BUFFER_FULL : SWIRL__MSG_BUFFER_EMPTY,
                      .session = atomic_load(&c->session),
                      .reactor_id = r->id};
    /* to the worker the connection's events go to (modes 1 and 3 have none) */
    int w = has_lifecycle(r->srv) ? pick(r, c)
                                  : (int)((uint64_t)h.session % (unsigned)r->srv->worker_num);
    put(r, w, &h, NULL, 0, NULL, 0);
}

/* The peer finished sending: with a layer that answers what came before
 * (srv->peer_eof), its worker hears of it after those messages and asks
 * for the close when its replies are out. */
static bool r_eof(swirl__io_t *io, swirl__conn_t *c) {
    swirl__reactor_t *r = io->user;
    if (!r->srv->peer_eof || !has_lifecycle(r->srv) || atomic_load(&r->phase) >= SWIRL__PHASE_CLOSE)
        return false;
    swirl__msg_t h = {
        .type = SWIRL__MSG_EOF, .session = atomic_load(&c->session), .reactor_id = r->id};
    put(r, pick(r, c), &h, NULL, 0, NULL, 0);
    return true;
}

static const swirl__io_ops_t reactor_ops = {r_connect, r_data, r_close, r_packet, r_buffer, r_eof};

/* ---- from workers ------------------------------------------------------------------------ */

/* `file`: the fd the message carries (-1: none), closed here if unused. */
static void handle(swirl__reactor_t *r, const swirl__msg_t *h, const char *p, int file) {
    switch (h->type) {
    case SWIRL__MSG_SEND:
        /* taken even past socket_buffer_size, as Swoole's master: the
         * worker bounds what it queues (send.c), and sends no more while
         * this holds socket_buffer_size or more (`overflow`) */
        swirl__io_send_over(&r->io, h->session, p, h->len);
        break;
    case SWIRL__MSG_CLOSE:
        if (h->flags & SWIRL__F_ACK)
            swirl__io_ack(&r->io, h->session);
        else
            swirl__io_close(&r->io, h->session, h->flags & SWIRL__F_RESET);
        break;
    case SWIRL__MSG_PAUSE:
    case SWIRL__MSG_RESUME:
        swirl__io_pause(&r->io, h->session, h->type == SWIRL__MSG_PAUSE);
        break;
    case SWIRL__MSG_SENDFILE: { /* the file the worker opened, as its user, in its chroot */
        int rc = swirl__io_sendfile_msg(&r->io, h, p, file);
        /* a peer gone in the middle is no fault here: not a warning per
         * client, which would let clients grow the log at will */
        if (rc == SWIRL_ECLOSED)
            swirl_log_debug("reactor %d: %s", r->id, swirl_last_error_msg());
        else if (rc < 0)
            swirl_log_warning("reactor %d: %s", r->id, swirl_last_error_msg());
        file = -1; /* taken */
        break;
    }
    case SWIRL__MSG_CREDIT:
        swirl__io_recheck(&r->io, h->session);
        break;
    case SWIRL__MSG_BUFFER_FULL: /* a worker found it full: report when it drains */
        swirl__io_watch_drain(&r->io, h->session);
        break;
    default:
        break;
    }
    if (file >= 0)
        close(file);
}

static void on_pipe(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__reactor_t *r = user;
    if (events & SWIRL_EV_WRITE) {
        for (int w = 0; w < r->srv->worker_num; w++)
            if (r->srv->pipes[r->id][w][0] == fd && r->out[w].want_write) {
                if (swirl__outq_flush(&r->out[w], fd) != -EAGAIN) {
                    r->out[w].want_write = false;
                    swirl_loop_set(loop, fd, SWIRL_EV_READ, NULL, NULL);
                }
            }
    }
    if (!(events & (SWIRL_EV_READ | SWIRL_EV_ERROR)))
        return;
    for (int i = 0; i < PACKETS_PER_WAKEUP; i++) {
        int fds[SWIRL__PACKET_FDS], nfds, next = 0;
        ssize_t n = swirl__chan_recv(fd, r->pkt, fds, &nfds);
        if (n <= 0)
            return;
        size_t off = 0;
        while (off + sizeof(swirl__msg_t) <= (size_t)n) {
            swirl__msg_t h;
            memcpy(&h, r->pkt + off, sizeof(h));
            off += sizeof(h);
            if (h.len > (size_t)n - off)
                break;
            handle(r, &h, r->pkt + off, swirl__chan_take_fd(&h, fds, nfds, &next));
            off += h.len;
        }
        swirl__chan_close_rest(fds, nfds, next);
    }
}

static void close_check(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__reactor_t *r = user;
    if (swirl__io_count(&r->io) == 0)
        swirl_loop_stop(loop);
    else if (swirl_clock_ms() >= r->deadline) {
        swirl_log_warning("reactor %d: %d connections still had output to write at shutdown; "
                          "closing them",
                          r->id, swirl__io_count(&r->io));
        swirl_loop_stop(loop);
    }
}

static void on_wake(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__reactor_t *r = user;
    uint64_t v;
    if (read(fd, &v, sizeof(v)) < 0) {
        /* nothing: a wake-up is a wake-up */
    }
    switch (atomic_load(&r->phase)) {
    case SWIRL__PHASE_QUIESCE:
        swirl__io_quiesce(&r->io);
        break;
    case SWIRL__PHASE_CLOSE:
        swirl__io_quiesce(&r->io);
        swirl__io_close_all(&r->io);
        r->deadline = swirl_clock_ms() + 1000u * (uint64_t)(r->srv->settings.max_wait_time + 1);
        if (swirl_timer_tick(loop, 10, close_check, r) < 0)
            swirl_loop_stop(loop);
        close_check(loop, 0, r);
        break;
    case SWIRL__PHASE_END:
        swirl_loop_stop(loop);
        break;
    default:
        break;
    }
}

void swirl__reactors_set_phase(swirl__reactor_t **reactors, int n, int phase) {
    for (int i = 0; i < n; i++) {
        atomic_store(&reactors[i]->phase, phase);
        uint64_t one = 1;
        if (write(reactors[i]->wakefd, &one, sizeof(one)) < 0) {
            /* the eventfd cannot be full here */
        }
    }
}

static void *reactor_main(void *arg) {
    swirl__reactor_t *r = arg;
    swirl_server_t *srv = r->srv;
    for (int w = 0; w < srv->worker_num; w++) {
        r->rc =
            swirl_loop_add(r->loop, srv->pipes[r->id][w][0], SWIRL_EV_READ, on_pipe, on_pipe, r);
        if (r->rc < 0)
            return NULL;
    }
    if ((r->rc = swirl_loop_add(r->loop, r->wakefd, SWIRL_EV_READ, on_wake, NULL, r)) < 0)
        return NULL;
    if ((r->rc = swirl__io_listen(&r->io)) < 0)
        return NULL;
    swirl__nopipe_t pipe_hold; /* its writes (sendfile) need no mask change each */
    swirl__nopipe_hold(&pipe_hold);
    r->rc = swirl_loop_run(r->loop);
    swirl__nopipe_release(&pipe_hold);
    /* stopping: close what we own; workers are told through the pipes */
    swirl__io_destroy(&r->io);
    flush_all(r->loop, r);
    return NULL;
}

static void reactor_free(swirl__reactor_t *r) {
    for (int w = 0; w < SWIRL__MAX_WORKERS; w++)
        swirl__outq_destroy(&r->out[w]);
    if (r->io.srv)
        swirl__io_destroy(&r->io);
    swirl_net_close(r->wakefd);
    swirl_free(r->pkt);
    swirl_loop_free(r->loop);
    swirl_free(r);
}

swirl__reactor_t *swirl__reactor_start(swirl_server_t *srv, int id) {
    swirl__reactor_t *r = swirl_calloc(1, sizeof(*r));
    if (!r) {
        swirl__error(-ENOMEM, "server: reactor %d: %s", id, swirl_last_error_msg());
        return NULL;
    }
    r->srv = srv;
    r->id = id;
    r->wakefd = -1;
    for (int w = 0; w < SWIRL__MAX_WORKERS; w++)
        swirl__outq_init(&r->out[w]);
    if (swirl_loop_new(&r->loop) < 0 || !(r->pkt = swirl_malloc(SWIRL__PACKET_MAX)) ||
        (r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
        swirl__io_init(&r->io, srv, r->loop, id, &reactor_ops, r) < 0) {
        swirl__error(-ENOMEM, "server: reactor %d: %s", id, swirl_last_error_msg());
        reactor_free(r);
        return NULL;
    }
    int rc = pthread_create(&r->thread, NULL, reactor_main, r);
    if (rc != 0) {
        swirl__error(-rc, "server: starting reactor thread %d:", id);
        reactor_free(r);
        return NULL;
    }
    return r;
}

int swirl__reactor_join(swirl__reactor_t *r) {
    pthread_join(r->thread, NULL);
    int rc = r->rc;
    reactor_free(r); /* the thread already closed its connections */
    return rc;
}
