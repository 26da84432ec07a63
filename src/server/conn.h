/* src/server/conn.h — what the connection table (connio.c) shares with the
 * owner's calls on a connection (conn_calls.c), its TLS mechanism
 * (conn_tls.c), its file pump (conn_file.c) and the BASE reload's hand-off
 * (conn_handoff.c). Private to those five files. Their calls go one way:
 * conn_calls.c, conn_handoff.c -> connio.c -> conn_tls.c, conn_file.c.
 * conn_tls.c and conn_file.c call nothing of the others: they report an
 * outcome and connio.c (or conn_calls.c) acts on it. */
#ifndef SWIRL_SERVER_CONN_H
#define SWIRL_SERVER_CONN_H

#include "internal.h"

#define READ_SIZE (64 * 1024)

/* A connection named by its session, for a deferred call: it may be gone
 * (or its slot reused) by the time the call runs. */
typedef struct {
    swirl__io_t *io;
    int64_t session;
} swirl__conn_ref_t;

static inline swirl__local_t *local_of(swirl__io_t *io, int fd) { return &io->local[fd]; }

static inline swirl__conn_t *conn_of(swirl__io_t *io, int fd) {
    return swirl__conn_slot(io->srv, io->owner, fd);
}

/* Anything still owed to the peer: buffered bytes, files, bytes behind files. */
static inline bool owed(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    return swirl_loop_pending(io->loop, fd) > 0 || l->files || swirl_buf_size(&l->after) > 0;
}

/* The most a connection's loop buffer holds: socket_buffer_size, and in
 * PROCESS mode some slack, as workers check ahead only approximately. */
static inline size_t conn_write_limit(const swirl_server_t *srv) {
    size_t limit = (size_t)srv->settings.socket_buffer_size;
    if (srv->mode == SWIRL_MODE_PROCESS)
        limit += (size_t)srv->settings.buffer_output_size + 4 * SWIRL__PACKET_MAX;
    return limit;
}

/* The connection `session` if this owner holds it. */
static inline swirl__conn_t *owned(swirl__io_t *io, int64_t session) {
    swirl__conn_t *c = swirl__conn_get(io->srv, session);
    return c && c->owner == io->owner ? c : NULL;
}

/* Call `cb` for connection `fd` once the current callback has returned
 * (swirl_loop_defer); its `user` goes to ref_take. False if it could not
 * be scheduled (no memory). */
static inline bool ref_defer(swirl__io_t *io, int fd, swirl_defer_cb cb) {
    swirl__conn_ref_t *r = swirl_malloc(sizeof(*r));
    if (!r)
        return false;
    *r = (swirl__conn_ref_t){io, atomic_load(&conn_of(io, fd)->session)};
    if (swirl_loop_defer(io->loop, cb, r) < 0) {
        swirl_free(r);
        return false;
    }
    return true;
}

/* In a deferred call: the connection it was for, if this owner still
 * holds it (NULL: gone, or its slot reused); frees the reference. */
static inline swirl__conn_t *ref_take(void *user, swirl__io_t **io) {
    swirl__conn_ref_t *r = user;
    *io = r->io;
    swirl__conn_t *c = owned(r->io, r->session);
    swirl_free(r);
    return c;
}

/* connio.c: the table and its state machine, for conn_calls.c and conn_handoff.c */
void swirl__conn_free(swirl__io_t *io, int fd);         /* close and free the slot now */
void swirl__conn_teardown(swirl__io_t *io, int fd);     /* tell the owner, free the slot */
void swirl__conn_close_here(swirl__io_t *io, int fd);   /* a close asked for here, nothing owed */
void swirl__conn_set_interest(swirl__io_t *io, int fd); /* the events to watch, from its state */
/* Free the slot and descriptor now (`closed`: counted as a close; not when
 * the connection moved to another worker). */
void swirl__conn_release(swirl__io_t *io, int fd, bool closed);
int swirl__conn_notify(swirl__io_t *io, int fd); /* tell the owner (once); acks awaited */
void swirl__conn_stop_accepting(swirl__io_t *io);
/* Take a new connection, accepted or `moved` from the worker this one
 * replaces; whether it is still open. */
bool swirl__conn_adopt(swirl__io_t *io, swirl_port_t *port, int fd, const swirl_addr_t *peer,
                       const swirl__handoff_t *moved);
/* Bytes read from `fd` (or handed over with it): frame and deliver them. */
void swirl__conn_take_input(swirl__io_t *io, int fd, const char *data, size_t n);

/* conn_tls.c: the TLS mechanism; reports outcomes, decides nothing */
/* Start the handshake of a connection accepted on an SSL port (the SSL,
 * its writer, `handshaking` set): 0, or -ENOMEM. */
int swirl__conn_tls_begin(swirl__io_t *io, swirl_port_t *port, int fd);
/* One handshake step: 0 done (`handshaking` cleared), -EAGAIN waiting for
 * the event in `hs_want`, else failed with the reason in `why`. */
int swirl__conn_tls_step(swirl__io_t *io, int fd, char *why, size_t cap);
/* Account a failed handshake: counted (tls_failed_count), one debug line. */
void swirl__conn_tls_failed(swirl__io_t *io, const swirl_addr_t *peer, const char *why);
/* Read decrypted bytes into io->rbuf: count, 0 at the end, < 0 error;
 * *more: OpenSSL holds more (or the end), which no epoll event announces. */
ssize_t swirl__conn_tls_read(swirl__io_t *io, int fd, bool *more);

/* conn_file.c: send queued files, then the bytes queued behind them.
 * 0, -EAGAIN (wait for writability) or an error (the connection is broken). */
int swirl__conn_pump(swirl__io_t *io, int fd);

#endif
