/* src/server/connio.c — the connections one owner holds and their state
 * machine: accept, read, frame, deliver, write what is owed, flow control,
 * the close handshake, heartbeat and timeouts, datagrams, the TLS
 * handshake's course. The owner is a reactor thread in PROCESS mode and a
 * worker in BASE mode; what happens to each event is the owner's business
 * (swirl__io_ops_t), what it asks of a connection is conn_calls.c's. This
 * file calls down into conn_tls.c and conn_file.c, never the other way. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "conn.h"

#define ACCEPTS_PER_WAKEUP 64
#define DGRAMS_PER_WAKEUP 32

typedef struct {
    swirl__io_t *io;
    swirl_port_t *port;
} binding_t;

swirl__conn_t *swirl__conn_slot(swirl_server_t *srv, int owner, int fd) {
    return &srv->conns[(size_t)owner * (size_t)srv->fd_cap + (size_t)fd];
}

swirl__conn_t *swirl__conn_get(swirl_server_t *srv, int64_t session) {
    if (session <= 0 || !srv->conns)
        return NULL;
    uint32_t e = atomic_load_explicit(&srv->sessions[(uint64_t)session & (srv->nsessions - 1)],
                                      memory_order_acquire);
    if (e == 0)
        return NULL;
    swirl__conn_t *c = &srv->conns[e - 1];
    return atomic_load_explicit(&c->session, memory_order_acquire) == session ? c : NULL;
}

/* The next session id whose entry is free, claimed for slot `index`
 * (0: the table is full, which max_conn makes all but impossible). */
static int64_t session_claim(swirl_server_t *srv, int64_t index) {
    for (uint32_t tries = 0; tries < srv->nsessions; tries++) {
        int64_t id = atomic_fetch_add(&srv->shared->session_round, 1) + 1;
        uint32_t expected = 0;
        if (atomic_compare_exchange_strong(&srv->sessions[(uint64_t)id & (srv->nsessions - 1)],
                                           &expected, (uint32_t)index + 1))
            return id;
    }
    return 0;
}

static void session_free(swirl_server_t *srv, int64_t session, int64_t index) {
    uint32_t expected = (uint32_t)index + 1;
    atomic_compare_exchange_strong(&srv->sessions[(uint64_t)session & (srv->nsessions - 1)],
                                   &expected, 0);
}

/* A socket closed with input unread makes the kernel send a reset, which
 * can destroy the last replies before the peer reads them. A connection
 * closing is not read, so what its peer sent meanwhile is dropped just
 * before the close (at most 1 MiB; more, and the reset is deserved). */
static void drop_input(int fd) {
    char sink[16384]; /* not io->rbuf: a callback may be reading it */
    for (int i = 0; i < 64; i++)
        if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
            return;
}

/* Free a connection's slot and descriptor (`closed`: counted as a close;
 * not when it moved to another worker, whose input is never touched). */
static void conn_release(swirl__io_t *io, int fd, bool closed) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    if (atomic_load(&c->session) == 0)
        return;
    if (l->ack_timer > 0)
        swirl_timer_clear(io->loop, l->ack_timer);
    if (l->hs_timer > 0)
        swirl_timer_clear(io->loop, l->hs_timer);
    swirl_loop_del(io->loop, fd);
    if (l->ssl)
        swirl__tls_free(l->ssl);
    if (closed && l->closing && !l->broken)
        drop_input(fd);
    close(fd);
    swirl_buf_destroy(&l->in);
    swirl_buf_destroy(&l->after);
    for (swirl__file_t *f = l->files, *next; f; f = next) {
        next = f->next;
        close(f->fd);
        swirl_free(f);
    }
    memset(l, 0, sizeof(*l));
    atomic_store(&c->out_pending, 0);
    atomic_store(&c->overflow, 0);
    int64_t session = atomic_load(&c->session);
    atomic_store_explicit(&c->session, 0, memory_order_release);
    session_free(io->srv, session, c - io->srv->conns);
    atomic_fetch_sub(&io->srv->shared->connection_num, 1);
    if (closed)
        atomic_fetch_add(&io->srv->shared->close_count, 1);
}

static void conn_free(swirl__io_t *io, int fd) { conn_release(io, fd, true); }

/* Tell the owner the connection closes (once). Returns the number of
 * acknowledgements still awaited. */
static int conn_notify(swirl__io_t *io, int fd) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    if (l->notified)
        return l->acks_pending;
    l->notified = true;
    l->tearing = true;
    int acks = io->ops->on_close(io, c);
    l = local_of(io, fd);
    l->tearing = false;
    l->acks_pending = acks;
    return acks;
}

static void set_interest(swirl__io_t *io, int fd);
static void tls_fail(swirl__io_t *io, int fd, const char *why);
static void tls_step(swirl__io_t *io, int fd);
static void schedule_reread(swirl__io_t *io, int fd);

static void on_ack_timeout(swirl_loop_t *loop, int64_t id, void *user);

/* The peer is gone or must go now: tell the owner, free the slot. */
static void conn_teardown(swirl__io_t *io, int fd) {
    conn_notify(io, fd);
    conn_free(io, fd);
}

static bool after_callback(swirl__io_t *io, int fd);

/* The peer finished sending (EOF): stop reading. An owner that keeps the
 * connection (on_eof: replies to what came before are still to come)
 * closes it itself; else tell the owner and free the connection once its
 * replies are written. */
static void conn_peer_closed(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    l->peer_eof = true;
    if (io->ops->on_eof) {
        l->in_deliver = true; /* a close asked for meanwhile waits until it returns */
        bool kept = io->ops->on_eof(io, conn_of(io, fd));
        if (!after_callback(io, fd))
            return;
        if (kept) {
            set_interest(io, fd); /* writes only, until the owner closes it */
            return;
        }
    }
    l = local_of(io, fd);
    if (conn_notify(io, fd) == 0) {
        if (!owed(io, fd))
            conn_free(io, fd);
        else
            set_interest(io, fd);
        return;
    }
    l = local_of(io, fd);
    set_interest(io, fd);
    int64_t t = swirl_timer_after(io->loop, SWIRL__ACK_WAIT_MS, on_ack_timeout, io);
    if (t > 0)
        swirl_timer_set_machinery(io->loop, t);
    l->ack_timer = t > 0 ? t : 0;
    if (t < 0)
        conn_free(io, fd);
}

/* A close asked for on this side (not a reset, nothing owed): as for a
 * peer's EOF, the slot and the socket stay until every owner has heard of
 * it, so the close callback still finds the connection (connection_info,
 * as Swoole's onClose does) and its fd number cannot be reused meanwhile;
 * nothing is read any more. Then the socket is closed. */
static void conn_close_here(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    l->closing = true;
    if (conn_notify(io, fd) == 0) {
        conn_free(io, fd);
        return;
    }
    l = local_of(io, fd);
    set_interest(io, fd); /* closing: no events, out of the poll set */
    int64_t t = swirl_timer_after(io->loop, SWIRL__ACK_WAIT_MS, on_ack_timeout, io);
    if (t > 0)
        swirl_timer_set_machinery(io->loop, t);
    l->ack_timer = t > 0 ? t : 0;
    if (t < 0)
        conn_free(io, fd);
}

static void on_conn_write(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__io_t *io = user;
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    if (l->broken) {
        conn_teardown(io, fd);
        return;
    }
    l->out_ms = swirl_loop_now(loop); /* writable: the peer takes bytes */
    if (events & SWIRL_EV_ERROR) {
        if (l->handshaking)
            tls_fail(io, fd, "connection error during the handshake");
        else
            conn_teardown(io, fd);
        return;
    }
    if (l->handshaking) {
        tls_step(io, fd);
        return;
    }
    int rc = swirl__conn_pump(io, fd);
    if (rc < 0 && rc != -EAGAIN) {
        conn_teardown(io, fd);
        return;
    }
    l = local_of(io, fd);
    size_t pending = swirl_loop_pending(loop, fd) + swirl_buf_size(&l->after);
    atomic_store(&c->out_pending, (int64_t)pending);
    if (pending < (size_t)io->srv->settings.socket_buffer_size)
        atomic_store(&c->overflow, 0);
    if (owed(io, fd)) {
        set_interest(io, fd);
        return;
    }
    if (l->full) {
        l->full = false;
        io->ops->on_buffer(io, c, false);
    }
    if (l->closing && !l->notified) { /* the last byte is out: close */
        conn_close_here(io, fd);
        return;
    }
    if ((l->closing || l->peer_eof) && l->notified && l->acks_pending == 0) {
        conn_teardown(io, fd);
        return;
    }
    set_interest(io, fd);
}

static void on_conn_read(swirl_loop_t *loop, int fd, int events, void *user);

/* Flow control: a peer that sends faster than its replies drain (or than
 * the workers keep up with) is not read until the backlog — output not yet
 * taken by the kernel plus input handed to workers and not yet processed —
 * falls from the high mark (swirl__flow_high: half of socket_buffer_size,
 * or max_queued_bytes) to half of it. Memory per connection
 * stays bounded and replies of an echo-like protocol never overrun the
 * output limit. Returns whether the connection is throttled now. */
static bool throttle(swirl__io_t *io, int fd) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    int64_t high = swirl__flow_high(io->srv), low = high / 2;
    int64_t backlog = (int64_t)(swirl_loop_pending(io->loop, fd) + swirl_buf_size(&l->after));
    if (!l->throttled && backlog + atomic_load(&c->in_flight) >= high)
        l->throttled = true;
    if (l->throttled) {
        /* ask the workers for a word when they catch up, then look again:
         * one may have caught up just now and found no one asking */
        atomic_store(&c->throttled, 1);
        if (backlog + atomic_load(&c->in_flight) <= low) {
            l->throttled = false;
            atomic_store(&c->throttled, 0);
        }
    }
    return l->throttled;
}

/* Read while not paused, throttled or closing; write-watch while bytes are
 * owed. */
static void set_interest(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    if (l->handshaking) {
        swirl_loop_set(io->loop, fd, l->hs_want ? l->hs_want : SWIRL_EV_READ, on_conn_read,
                       on_conn_write);
        return;
    }
    bool throttled = throttle(io, fd);
    int ev =
        (l->paused || throttled || l->closing || l->peer_eof || io->draining) ? 0 : SWIRL_EV_READ;
    if (owed(io, fd) || l->broken)
        ev |= SWIRL_EV_WRITE;
    swirl_loop_set(io->loop, fd, ev, on_conn_read, on_conn_write);
    /* bytes OpenSSL already decrypted make no epoll event: read them now */
    if ((ev & SWIRL_EV_READ) && l->ssl && !l->reread && SSL_has_pending(l->ssl))
        schedule_reread(io, fd);
}

/* ---- TLS ------------------------------------------------------------------------------------
 * On an SSL listener a connection first completes its handshake; only then
 * does the owner hear of it (connect event). A handshake that fails, is
 * cut, or takes longer than TLS_HANDSHAKE_MS costs that connection alone:
 * counted (tls_failed_count), one debug line, closed. The steps are
 * conn_tls.c's; what follows each is decided here. */
#define TLS_HANDSHAKE_MS 10000

static void tls_fail(swirl__io_t *io, int fd, const char *why) {
    swirl__conn_tls_failed(io, &conn_of(io, fd)->peer, why);
    local_of(io, fd)->notified = true; /* the owner never heard of it */
    conn_free(io, fd);
}

static void on_hs_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__io_t *io = user;
    for (int fd = 0; fd < io->local_cap; fd++)
        if (io->local[fd].hs_timer == id) {
            io->local[fd].hs_timer = 0;
            tls_fail(io, fd, "handshake not done within 10 s");
            return;
        }
}

static void tls_begin(swirl__io_t *io, swirl_port_t *port, int fd) {
    if (swirl__conn_tls_begin(io, port, fd) < 0) {
        tls_fail(io, fd, "no memory for the TLS state");
        return;
    }
    int64_t t = swirl_timer_after(io->loop, TLS_HANDSHAKE_MS, on_hs_timeout, io);
    if (t > 0)
        swirl_timer_set_machinery(io->loop, t);
    local_of(io, fd)->hs_timer = t > 0 ? t : 0;
    tls_step(io, fd); /* the ClientHello may be here already */
}

/* One handshake step (readiness came); on success the owner hears of it. */
static void tls_step(swirl__io_t *io, int fd) {
    char why[200];
    int r = swirl__conn_tls_step(io, fd, why, sizeof(why));
    if (r == -EAGAIN) {
        set_interest(io, fd);
        return;
    }
    if (r < 0) {
        tls_fail(io, fd, why);
        return;
    }
    swirl__local_t *l = local_of(io, fd);
    if (l->hs_timer > 0)
        swirl_timer_clear(io->loop, l->hs_timer);
    l->hs_timer = 0;
    swirl__conn_t *c = conn_of(io, fd);
    int64_t session = atomic_load(&c->session);
    io->ops->on_connect(io, c);
    if (atomic_load(&c->session) == session && !local_of(io, fd)->tearing)
        set_interest(io, fd);
}

/* The deferred reread (schedule_reread): read unless reading is off now. */
static void on_reread(swirl_loop_t *loop, void *user) {
    swirl__io_t *io;
    swirl__conn_t *c = ref_take(user, &io);
    if (!c)
        return;
    swirl__local_t *l = local_of(io, c->fd);
    l->reread = false;
    if (l->paused || l->throttled || l->closing || l->peer_eof || l->tearing || io->draining)
        return; /* set_interest schedules it again when reading resumes */
    on_conn_read(loop, c->fd, SWIRL_EV_READ, io);
}

/* Read again from a deferred call: OpenSSL holds bytes no epoll event announces. */
static void schedule_reread(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    if (l->reread)
        return;
    /* if it cannot be scheduled, the next epoll event for this socket reads it */
    l->reread = ref_defer(io, fd, on_reread);
}

/* Hand one message to the owner. A close requested by its callback, or a
 * write of its that failed, waits until the callback returns, so `data`
 * (and whatever the callback holds) stays valid throughout. A connection
 * closing is not read any more, even while its output drains. Returns
 * false if the connection is gone or closing afterwards. */
static bool deliver(swirl__io_t *io, int fd, const char *data, size_t len) {
    swirl__conn_t *c = conn_of(io, fd);
    local_of(io, fd)->in_deliver = true;
    io->ops->on_data(io, c, data, len);
    return after_callback(io, fd);
}

/* A callback run with in_deliver set has returned: carry out the close or
 * teardown it asked for. Returns false if the connection is gone or
 * closing now. */
static bool after_callback(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    l->in_deliver = false;
    if (l->broken) {
        conn_teardown(io, fd);
        return false;
    }
    if (!l->closing)
        return true;
    if (owed(io, fd))
        set_interest(io, fd); /* writes only, then closes (on_conn_write) */
    else
        conn_close_here(io, fd);
    return false;
}

static void take_input(swirl__io_t *io, int fd, const char *data, size_t n);

static void on_conn_read(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl__io_t *io = user;
    swirl__local_t *l = local_of(io, fd);
    if (l->handshaking) {
        tls_step(io, fd);
        return;
    }
    if (l->closing)
        return; /* an event collected before the close: nothing more is read */
    bool more = false;
    ssize_t n =
        l->ssl ? swirl__conn_tls_read(io, fd, &more) : swirl_net_read(fd, io->rbuf, READ_SIZE);
    if (more)
        schedule_reread(io, fd);
    if (n == -EAGAIN)
        return;
    if (n == 0) {
        conn_peer_closed(io, fd);
        return;
    }
    if (n < 0) {
        conn_teardown(io, fd);
        return;
    }
    take_input(io, fd, io->rbuf, (size_t)n);
}

/* Bytes read from `fd` (or handed over with it): frame and deliver them. */
static void take_input(swirl__io_t *io, int fd, const char *data, size_t n) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    swirl_port_t *port = io->srv->ports[c->port_index];
    atomic_store(&c->last_ms, (int64_t)swirl_loop_now(io->loop)); /* cached: no clock call */
    int64_t session = atomic_load(&c->session);
    if (port->framing.kind == SWIRL_FRAMING_NONE) {
        if (deliver(io, fd, data, n) && throttle(io, fd))
            set_interest(io, fd);
        return;
    }
    if (swirl_buf_append(&l->in, data, n) < 0) {
        swirl_log_error("server: connection %lld: out of memory buffering input; closing",
                        (long long)session);
        conn_teardown(io, fd);
        return;
    }
    while (swirl_buf_size(&l->in) > 0 && atomic_load(&c->session) == session && !l->closing) {
        ssize_t m = swirl_framing_next(&port->framing, swirl_buf_bytes(&l->in),
                                       swirl_buf_size(&l->in), &l->scan_from);
        if (m == 0)
            break;
        if (m < 0) {
            char peer[SWIRL_ADDR_STRLEN];
            swirl_addr_format(&c->peer, peer, sizeof(peer));
            swirl_log_warning("server: connection %lld from %s: %s (package_max_length %zu); "
                              "closing it",
                              (long long)session, peer,
                              m == SWIRL_ETOOBIG        ? "message too large"
                              : port->framing.length_fn ? "package_length_func: malformed data"
                                                        : "bad length field",
                              port->framing.max_length);
            conn_teardown(io, fd);
            return;
        }
        if (!deliver(io, fd, swirl_buf_bytes(&l->in), (size_t)m))
            return; /* closed by the callback (BASE mode) */
        l = local_of(io, fd);
        swirl_buf_consume(&l->in, (size_t)m);
        l->scan_from = 0;
    }
    if (atomic_load(&c->session) == session && throttle(io, fd))
        set_interest(io, fd);
}

static int grow_local(swirl__io_t *io, int fd) {
    if (fd < io->local_cap)
        return 0;
    int cap = io->local_cap ? io->local_cap : 1024;
    while (cap <= fd)
        cap *= 2;
    swirl__local_t *p = swirl_realloc(io->local, (size_t)cap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    memset(p + io->local_cap, 0, (size_t)(cap - io->local_cap) * sizeof(*p));
    io->local = p;
    io->local_cap = cap;
    return 0;
}

static void reject(swirl__io_t *io, int fd, const char *why) {
    int64_t n = atomic_fetch_add(&io->srv->shared->rejected_count, 1);
    if (n == 0 || (n + 1) % 1000 == 0) /* once, then every 1000th: never a flood */
        swirl_log_warning("server: new connection closed at once: %s (%lld so far)", why,
                          (long long)(n + 1));
    close(fd);
}

/* Take a new connection: accepted, or `moved` from the worker this one
 * replaces (NULL if not). Returns whether it is still open. */
static bool adopt(swirl__io_t *io, swirl_port_t *port, int fd, const swirl_addr_t *peer,
                  const swirl__handoff_t *moved) {
    swirl_server_t *srv = io->srv;
    if (atomic_load(&srv->shared->connection_num) >= srv->max_conn) {
        reject(io, fd, "max_conn reached");
        return false;
    }
    if (fd >= srv->fd_cap || grow_local(io, fd) < 0) {
        reject(io, fd, "descriptor beyond the connection table");
        return false;
    }
    if (port->nodelay)
        swirl_net_set_nodelay(fd, true);
    swirl__conn_t *c = conn_of(io, fd);
    int64_t session = session_claim(srv, c - srv->conns);
    if (session == 0) {
        reject(io, fd, "no free session id");
        return false;
    }
    c->fd = fd;
    c->owner = io->owner;
    c->port_index = port->index;
    atomic_store(&c->uid, 0);
    for (int i = 0; i < SWIRL__CONN_PROTO_SLOTS; i++)
        atomic_store(&c->proto[i], 0);
    c->peer = *peer;
    c->connect_time = moved ? moved->connect_time : swirl_time_now();
    atomic_store(&c->last_ms, (int64_t)swirl_loop_now(io->loop));
    atomic_store(&c->out_pending, 0);
    atomic_store(&c->in_flight, 0);
    atomic_store(&c->throttled, 0);
    memset(local_of(io, fd), 0, sizeof(swirl__local_t));
    local_of(io, fd)->out_ms = swirl_loop_now(io->loop);
    if (swirl_loop_add(io->loop, fd, SWIRL_EV_READ, on_conn_read, on_conn_write, io) < 0) {
        session_free(srv, session, c - srv->conns);
        reject(io, fd, swirl_last_error_msg());
        return false;
    }
    swirl_loop_set_write_limit(io->loop, fd, conn_write_limit(srv));
    swirl_loop_set_machinery(io->loop, fd); /* the server's: not user work */
    atomic_store_explicit(&c->session, session, memory_order_release);
    atomic_fetch_add(&srv->shared->connection_num, 1);
    if (!moved)
        atomic_fetch_add(&srv->shared->accept_count, 1);
    if (port->ssl) {
        tls_begin(io, port, fd);
        return true;
    }
    io->ops->on_connect(io, c);
    return atomic_load(&c->session) == session;
}

static void on_accept(swirl_loop_t *loop, int lfd, int events, void *user) {
    binding_t *b = user;
    for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
        int fd;
        swirl_addr_t peer;
        int rc = swirl_net_accept(lfd, &peer, &fd);
        if (rc == -EAGAIN)
            return;
        if (rc == -EMFILE || rc == -ENFILE) {
            int64_t n = atomic_fetch_add(&b->io->srv->shared->rejected_count, 1);
            if (n == 0 || (n + 1) % 1000 == 0)
                swirl_log_warning("server: out of file descriptors; shedding new connections");
            if (swirl_net_accept_shed(lfd, &b->io->reserve_fd) < 0)
                return;
            continue;
        }
        if (rc < 0) {
            swirl_log_warning("server: accept on port %d: %s", b->port->bound_port,
                              swirl_strerror(rc));
            return;
        }
        adopt(b->io, b->port, fd, &peer, NULL);
    }
}

static void on_dgram(swirl_loop_t *loop, int fd, int events, void *user) {
    binding_t *b = user;
    for (int i = 0; i < DGRAMS_PER_WAKEUP; i++) {
        swirl_addr_t from;
        ssize_t n = swirl_net_recvfrom(fd, b->io->rbuf, READ_SIZE, &from);
        if (n < 0)
            return;
        b->io->ops->on_packet(b->io, b->port, &from, b->io->rbuf, (size_t)n);
    }
}

static void on_heartbeat(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__io_t *io = user;
    swirl_server_t *srv = io->srv;
    int64_t idle = swirl__heartbeat_idle(srv);
    int64_t cutoff = (int64_t)swirl_loop_now(loop) - idle * 1000;
    int top = io->local_cap < srv->fd_cap ? io->local_cap : srv->fd_cap;
    for (int fd = 0; fd < top; fd++) {
        swirl__conn_t *c = conn_of(io, fd);
        if (swirl__conn_idle(c, cutoff)) {
            swirl_log_debug("server: connection %lld idle for over %llds; closing it",
                            (long long)atomic_load(&c->session), (long long)idle);
            conn_teardown(io, fd);
        }
    }
}

/* send_timeout and max_idle_time: one tick per owner, at a quarter of the
 * shorter one (10 ms to 5 s), closes connections whose owed output made
 * no progress for send_timeout, or that neither received nor sent for
 * max_idle_time. A connection that owes output is reset (its peer is not
 * reading: a graceful close would wait on it again); an idle one closes
 * as a close asked for here. */
static int64_t timeouts_tick_ms(const swirl_server_t *srv) {
    double t = 0;
    const double v[2] = {srv->settings.send_timeout, srv->settings.max_idle_time};
    for (int i = 0; i < 2; i++)
        if (v[i] > 0 && (t == 0 || v[i] < t))
            t = v[i];
    if (t == 0)
        return 0;
    int64_t ms = (int64_t)(t * 1000 / 4);
    return ms < 10 ? 10 : ms > 5000 ? 5000 : ms;
}

static void on_timeouts(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__io_t *io = user;
    swirl_server_t *srv = io->srv;
    uint64_t now = swirl_loop_now(loop);
    uint64_t send_ms = (uint64_t)(srv->settings.send_timeout * 1000);
    uint64_t idle_ms = (uint64_t)(srv->settings.max_idle_time * 1000);
    int top = io->local_cap < srv->fd_cap ? io->local_cap : srv->fd_cap;
    for (int fd = 0; fd < top; fd++) {
        swirl__conn_t *c = conn_of(io, fd);
        swirl__local_t *l = local_of(io, fd);
        int64_t session = atomic_load(&c->session);
        if (session == 0 || l->handshaking || l->notified || l->tearing || l->broken)
            continue;
        bool owes = owed(io, fd);
        uint64_t in = (uint64_t)atomic_load(&c->last_ms);
        uint64_t last = in > l->out_ms ? in : l->out_ms;
        const char *why = NULL;
        if (owes && send_ms && now - l->out_ms >= send_ms)
            why = "its output made no progress for send_timeout";
        else if (idle_ms && now - last >= idle_ms)
            why = "it was idle for max_idle_time";
        if (!why)
            continue;
        swirl_log_debug("server: connection %lld closed: %s", (long long)session, why);
        if (owes) {
            struct linger lg = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            conn_teardown(io, fd);
        } else if (!l->closing) {
            conn_close_here(io, fd);
        }
    }
}

int swirl__io_init(swirl__io_t *io, swirl_server_t *srv, swirl_loop_t *loop, int owner,
                   const swirl__io_ops_t *ops, void *user) {
    memset(io, 0, sizeof(*io));
    io->srv = srv;
    io->loop = loop;
    io->owner = owner;
    io->ops = ops;
    io->user = user;
    io->reserve_fd = swirl_net_reserve_fd();
    io->rbuf = swirl_malloc(READ_SIZE);
    if (!io->rbuf) {
        swirl_net_close(io->reserve_fd);
        return -ENOMEM;
    }
    if (srv->settings.heartbeat_check_interval > 0) {
        io->heartbeat_timer =
            swirl_timer_tick(loop, srv->settings.heartbeat_check_interval * 1000, on_heartbeat, io);
        if (io->heartbeat_timer < 0) {
            swirl_free(io->rbuf);
            swirl_net_close(io->reserve_fd);
            return (int)io->heartbeat_timer;
        }
        swirl_timer_set_machinery(loop, io->heartbeat_timer);
    }
    int64_t tick = timeouts_tick_ms(srv);
    if (tick > 0) {
        io->timeout_timer = swirl_timer_tick(loop, tick, on_timeouts, io);
        if (io->timeout_timer < 0) {
            int rc = (int)io->timeout_timer;
            if (io->heartbeat_timer > 0)
                swirl_timer_clear(loop, io->heartbeat_timer);
            swirl_free(io->rbuf);
            swirl_net_close(io->reserve_fd);
            return rc;
        }
        swirl_timer_set_machinery(loop, io->timeout_timer);
    }
    return 0;
}

int swirl__io_listen(swirl__io_t *io) {
    swirl_server_t *srv = io->srv;
    binding_t *b = swirl_calloc((size_t)srv->nports, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        b[i] = (binding_t){io, p};
        int rc = swirl_loop_add(io->loop, p->fd, SWIRL_EV_READ,
                                swirl_sock_is_stream(p->type) ? on_accept : on_dgram, NULL, &b[i]);
        if (rc < 0) {
            for (int j = 0; j < i; j++)
                swirl_loop_del(io->loop, srv->ports[j]->fd);
            swirl_free(b);
            return rc;
        }
        swirl_loop_set_machinery(io->loop, p->fd);
    }
    io->bindings = b;
    return 0;
}

static void stop_accepting(swirl__io_t *io) {
    for (int i = 0; io->bindings && i < io->srv->nports; i++)
        if (swirl_loop_has(io->loop, io->srv->ports[i]->fd))
            swirl_loop_del(io->loop, io->srv->ports[i]->fd);
}

void swirl__io_quiesce(swirl__io_t *io) {
    if (io->draining)
        return;
    io->draining = true;
    stop_accepting(io);
    for (int fd = 0; fd < io->local_cap && fd < io->srv->fd_cap; fd++)
        if (atomic_load(&conn_of(io, fd)->session) != 0 && !local_of(io, fd)->tearing)
            set_interest(io, fd);
}

int swirl__io_count(swirl__io_t *io) {
    int n = 0;
    for (int fd = 0; fd < io->local_cap && fd < io->srv->fd_cap; fd++)
        n += atomic_load(&conn_of(io, fd)->session) != 0;
    return n;
}

void swirl__io_destroy(swirl__io_t *io) {
    for (int fd = 0; fd < io->local_cap && fd < io->srv->fd_cap; fd++)
        if (atomic_load(&conn_of(io, fd)->session) != 0)
            conn_teardown(io, fd);
    if (io->bindings) {
        for (int i = 0; i < io->srv->nports; i++)
            if (swirl_loop_has(io->loop, io->srv->ports[i]->fd))
                swirl_loop_del(io->loop, io->srv->ports[i]->fd);
        swirl_free(io->bindings);
    }
    if (io->heartbeat_timer > 0)
        swirl_timer_clear(io->loop, io->heartbeat_timer);
    if (io->timeout_timer > 0)
        swirl_timer_clear(io->loop, io->timeout_timer);
    swirl_free(io->local);
    swirl_free(io->rbuf);
    swirl_net_close(io->reserve_fd);
    memset(io, 0, sizeof(*io));
}

/* Acknowledgements did not all come (a worker died with the notice in
 * hand): free the connection anyway. Rare, so a scan is fine. */
static void on_ack_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__io_t *io = user;
    for (int fd = 0; fd < io->local_cap; fd++)
        if (io->local[fd].ack_timer == id) {
            io->local[fd].ack_timer = 0;
            swirl_log_warning("server: connection on fd %d: close not acknowledged within %d ms; "
                              "freeing it",
                              fd, SWIRL__ACK_WAIT_MS);
            conn_free(io, fd);
            return;
        }
}

/* ---- for conn_calls.c and conn_handoff.c (conn.h) ------------------------------------------ */

void swirl__conn_free(swirl__io_t *io, int fd) { conn_free(io, fd); }
void swirl__conn_teardown(swirl__io_t *io, int fd) { conn_teardown(io, fd); }
void swirl__conn_close_here(swirl__io_t *io, int fd) { conn_close_here(io, fd); }
void swirl__conn_set_interest(swirl__io_t *io, int fd) { set_interest(io, fd); }
void swirl__conn_release(swirl__io_t *io, int fd, bool closed) { conn_release(io, fd, closed); }
int swirl__conn_notify(swirl__io_t *io, int fd) { return conn_notify(io, fd); }
void swirl__conn_stop_accepting(swirl__io_t *io) { stop_accepting(io); }
bool swirl__conn_adopt(swirl__io_t *io, swirl_port_t *port, int fd, const swirl_addr_t *peer,
                       const swirl__handoff_t *moved) {
    return adopt(io, port, fd, peer, moved);
}
void swirl__conn_take_input(swirl__io_t *io, int fd, const char *data, size_t n) {
    take_input(io, fd, data, n);
}
