/* src/server/conn_tls.c — the TLS mechanism of a server's connections:
 * start the handshake, take one step of it, account a failure, read
 * decrypted bytes. It reports outcomes; what follows from them (interest,
 * deadline, close, the owner told, rereads) is decided by connio.c, which
 * calls this file and is never called by it (conn.h). */
#include <errno.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "conn.h"

int swirl__conn_tls_begin(swirl__io_t *io, swirl_port_t *port, int fd) {
    swirl__local_t *l = local_of(io, fd);
    SSL_CTX *ctx = atomic_load(&port->tls_ctx);
    l->ssl = ctx ? swirl__tls_new(ctx, fd, true) : NULL;
    if (!l->ssl)
        return -ENOMEM;
    swirl__loop_set_writer(io->loop, fd, swirl__tls_write, l->ssl);
    l->handshaking = true;
    return 0;
}

int swirl__conn_tls_step(swirl__io_t *io, int fd, char *why, size_t cap) {
    swirl__local_t *l = local_of(io, fd);
    int want = 0;
    int r = swirl__tls_handshake(l->ssl, &want, why, cap);
    if (r == -EAGAIN)
        l->hs_want = want == SWIRL__TLS_WANT_WRITE ? SWIRL_EV_WRITE : SWIRL_EV_READ;
    else if (r == 0)
        l->handshaking = false;
    return r;
}

void swirl__conn_tls_failed(swirl__io_t *io, const swirl_addr_t *peer, const char *why) {
    atomic_fetch_add(&io->srv->shared->tls_failed_count, 1);
    if (swirl_log_get_level() <= SWIRL_LOG_DEBUG) {
        char text[SWIRL_ADDR_STRLEN];
        swirl_addr_format(peer, text, sizeof(text));
        swirl_log_debug("server: TLS handshake with %s failed: %s; closed", text, why);
    }
}

/* Read decrypted bytes into io->rbuf: as many as OpenSSL has, up to
 * READ_SIZE. What is left inside OpenSSL (or an end seen after some data)
 * sets *more: no epoll event will come for it, the caller reads again. */
ssize_t swirl__conn_tls_read(swirl__io_t *io, int fd, bool *more) {
    swirl__local_t *l = local_of(io, fd);
    size_t got = 0;
    *more = false;
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
            *more = true; /* the end or the error, next time */
        return (ssize_t)got;
    }
    *more = SSL_has_pending(l->ssl);
    return (ssize_t)got;
}
