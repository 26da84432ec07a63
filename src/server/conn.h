/* src/server/conn.h — what the connection table (connio.c) shares with its
 * TLS handshake machine (conn_tls.c), its file pump (conn_file.c) and the
 * BASE reload's hand-off (conn_handoff.c). Private to those four files. */
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

/* connio.c: the table and its state machine */
void swirl__conn_free(swirl__io_t *io, int fd);         /* close and free the slot now */
void swirl__conn_broken(swirl__io_t *io, int fd);       /* a write failed: mark, defer */
void swirl__conn_set_interest(swirl__io_t *io, int fd); /* the events to watch, from its state */
bool swirl__conn_owed(swirl__io_t *io, int fd);         /* bytes or files still to write */
swirl__conn_t *swirl__conn_owned(swirl__io_t *io, int64_t session); /* NULL: not this owner's */
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
void swirl__conn_on_read(swirl_loop_t *loop, int fd, int events, void *user); /* readable */

/* conn_tls.c: the handshake, then decrypted reads */
/* Start the handshake of a connection accepted on an SSL port. */
void swirl__conn_tls_begin(swirl__io_t *io, swirl_port_t *port, int fd);
/* One handshake step (readiness came); on success the owner hears of it. */
void swirl__conn_tls_step(swirl__io_t *io, int fd);
/* The handshake failed: counted, logged at debug level, closed. */
void swirl__conn_tls_fail(swirl__io_t *io, int fd, const char *why);
/* Read decrypted bytes into io->rbuf: count, 0 at the end, < 0 error. */
ssize_t swirl__conn_tls_read(swirl__io_t *io, int fd);
/* Read again from a deferred call: OpenSSL holds bytes no epoll event announces. */
void swirl__conn_tls_schedule_reread(swirl__io_t *io, int fd);

/* conn_file.c: send queued files, then the bytes queued behind them.
 * 0, -EAGAIN (wait for writability) or an error (the connection is broken). */
int swirl__conn_pump(swirl__io_t *io, int fd);

#endif
