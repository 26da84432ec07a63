/* src/server/conn_tls.c — the TLS handshake machine of a server's
 * connections, run by their owner's loop, and the reads of decrypted bytes
 * (bytes OpenSSL already holds make no epoll event: a deferred call reads
 * them). The connection table is connio.c's (conn.h). */
#include <errno.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "conn.h"

/* ---- TLS ------------------------------------------------------------------------------------
 * On an SSL listener a connection first completes its handshake; only then
 * does the owner hear of it (connect event). A handshake that fails, is
 * cut, or takes longer than TLS_HANDSHAKE_MS costs that connection alone:
 * counted (tls_failed_count), one debug line, closed. */
#define TLS_HANDSHAKE_MS 10000

static void on_hs_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    swirl__io_t *io = user;
    for (int fd = 0; fd < io->local_cap; fd++)
        if (io->local[fd].hs_timer == id) {
            io->local[fd].hs_timer = 0;
            swirl__conn_tls_fail(io, fd, "handshake not done within 10 s");
            return;
        }
}

void swirl__conn_tls_fail(swirl__io_t *io, int fd, const char *why) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    atomic_fetch_add(&io->srv->shared->tls_failed_count, 1);
    if (swirl_log_get_level() <= SWIRL_LOG_DEBUG) {
        char peer[SWIRL_ADDR_STRLEN];
        swirl_addr_format(&c->peer, peer, sizeof(peer));
        swirl_log_debug("server: TLS handshake with %s failed: %s; closed", peer, why);
    }
    l->notified = true; /* the owner never heard of it */
    swirl__conn_free(io, fd);
}

void swirl__conn_tls_step(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    char why[200];
    int want = 0;
    int r = swirl__tls_handshake(l->ssl, &want, why, sizeof(why));
    if (r == -EAGAIN) {
        l->hs_want = want == SWIRL__TLS_WANT_WRITE ? SWIRL_EV_WRITE : SWIRL_EV_READ;
        swirl__conn_set_interest(io, fd);
        return;
    }
    if (r < 0) {
        swirl__conn_tls_fail(io, fd, why);
        return;
    }
    l->handshaking = false;
    if (l->hs_timer > 0)
        swirl_timer_clear(io->loop, l->hs_timer);
    l->hs_timer = 0;
    swirl__conn_t *c = conn_of(io, fd);
    int64_t session = atomic_load(&c->session);
    io->ops->on_connect(io, c);
    if (atomic_load(&c->session) == session && !local_of(io, fd)->tearing)
        swirl__conn_set_interest(io, fd);
}

void swirl__conn_tls_begin(swirl__io_t *io, swirl_port_t *port, int fd) {
    swirl__local_t *l = local_of(io, fd);
    SSL_CTX *ctx = atomic_load(&port->tls_ctx);
    l->ssl = ctx ? swirl__tls_new(ctx, fd, true) : NULL;
    if (!l->ssl) {
        swirl__conn_tls_fail(io, fd, "no memory for the TLS state");
        return;
    }
    swirl__loop_set_writer(io->loop, fd, swirl__tls_write, l->ssl);
    l->handshaking = true;
    int64_t t = swirl_timer_after(io->loop, TLS_HANDSHAKE_MS, on_hs_timeout, io);
    l->hs_timer = t > 0 ? t : 0;
    swirl__conn_tls_step(io, fd); /* the ClientHello may be here already */
}

/* Read decrypted bytes into io->rbuf: as many as OpenSSL has, up to
 * READ_SIZE. What is left inside OpenSSL (or an end seen after some data)
 * is read by a scheduled call, as no epoll event will come for it. */
ssize_t swirl__conn_tls_read(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    size_t got = 0;
    while (got < READ_SIZE) {
        int want;
        ssize_t n = swirl__tls_read(l->ssl, io->rbuf + got, READ_SIZE - got, &want, NULL, 0);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (got == 0)
            return n;
        if (n != -EAGAIN)
            swirl__conn_tls_schedule_reread(io, fd); /* the end or the error, next time */
        return (ssize_t)got;
    }
    if (SSL_has_pending(l->ssl))
        swirl__conn_tls_schedule_reread(io, fd);
    return (ssize_t)got;
}
