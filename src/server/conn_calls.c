/* src/server/conn_calls.c — what an owner asks of one of its connections:
 * send bytes or a file, close, pause, acknowledge a close notice, look
 * again at its flow control, watch its output drain. Calls down into the
 * connection table (connio.c, conn_file.c: conn.h); nothing calls up here
 * but the owner (reactor.c, worker.c). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "conn.h"

static void on_broken(swirl_loop_t *loop, void *user);

/* A write failed (the peer reset, or no memory): the connection is dead,
 * but the writer may be inside a callback that still holds state the close
 * event frees (an HTTP or WebSocket connection). So a failed write only
 * marks it: nothing more is read or sent, and it is torn down once the
 * current callback has returned — by deliver() for the receive callback,
 * else by a deferred call (or, short of memory for that, by the next
 * writability or error event, which it is made to watch). */
static void conn_broken(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    l->closing = true;
    if (l->broken)
        return;
    l->broken = true;
    if (!l->in_deliver && !l->tearing)
        ref_defer(io, fd, on_broken);
    swirl__conn_set_interest(io, fd);
}

static void on_broken(swirl_loop_t *loop, void *user) {
    swirl__io_t *io;
    swirl__conn_t *c = ref_take(user, &io);
    if (c && local_of(io, c->fd)->broken && !local_of(io, c->fd)->tearing)
        swirl__conn_teardown(io, c->fd);
}

static int io_send(swirl__io_t *io, int64_t session, const void *data, size_t len, bool over);

int swirl__io_send(swirl__io_t *io, int64_t session, const void *data, size_t len) {
    return io_send(io, session, data, len, false);
}

int swirl__io_send_over(swirl__io_t *io, int64_t session, const void *data, size_t len) {
    return io_send(io, session, data, len, true);
}

static int io_send(swirl__io_t *io, int64_t session, const void *data, size_t len, bool over) {
    swirl__conn_t *c = owned(io, session);
    if (!c || local_of(io, c->fd)->closing)
        return swirl__error(SWIRL_ECLOSED, "send to connection %lld: closed", (long long)session);
    int fd = c->fd;
    swirl__local_t *lf = local_of(io, fd);
    if (!owed(io, fd))
        lf->out_ms = swirl_loop_now(io->loop); /* send_timeout counts from here */
    ssize_t n;
    if (lf->files) { /* wait behind the files, under the same limit */
        size_t queued = swirl_buf_size(&lf->after) + swirl_loop_pending(io->loop, fd);
        n = !over && queued + len > (size_t)io->srv->settings.socket_buffer_size
                ? SWIRL_EBUFFULL
                : (swirl_buf_append(&lf->after, data, len) < 0 ? -ENOMEM : (ssize_t)len);
    } else if (over && swirl_loop_pending(io->loop, fd) + len > conn_write_limit(io->srv)) {
        /* the fd's limit, raised for this write */
        swirl_loop_set_write_limit(io->loop, fd, swirl_loop_pending(io->loop, fd) + len);
        n = swirl_loop_write(io->loop, fd, data, len);
        swirl_loop_set_write_limit(io->loop, fd, conn_write_limit(io->srv));
    } else {
        n = swirl_loop_write(io->loop, fd, data, len);
    }
    if (n == SWIRL_EBUFFULL) {
        swirl__local_t *l = local_of(io, fd);
        atomic_store(&c->overflow, 1);
        if (!l->full) {
            l->full = true;
            io->ops->on_buffer(io, c, true);
        }
        return swirl__error(SWIRL_EBUFFULL,
                            "send to connection %lld: output buffer full (socket_buffer_size %lld)",
                            (long long)session, (long long)io->srv->settings.socket_buffer_size);
    }
    if (n < 0) {
        conn_broken(io, fd);
        return swirl__error(SWIRL_ECLOSED, "send to connection %lld: %s", (long long)session,
                            swirl_strerror((int)n));
    }
    size_t pending = swirl_loop_pending(io->loop, fd);
    atomic_store(&c->out_pending, (int64_t)pending);
    if (pending > 0)
        swirl__conn_set_interest(io, fd);
    if (over &&
        pending + swirl_buf_size(&lf->after) >= (size_t)io->srv->settings.socket_buffer_size) {
        atomic_store(&c->overflow, 1);
        if (!lf->full) { /* bufferEmpty (and the reactor's hold ends) once drained */
            lf->full = true;
            io->ops->on_buffer(io, c, true);
        }
    }
    return 0;
}

/* A send that waits in place for room (send_yield without coroutines):
 * while the bytes do not fit in socket_buffer_size, wait for the socket to
 * take some and write what is owed, outside the loop (nothing else of this
 * owner runs meanwhile, as a blocking send). Ends with the bytes queued,
 * SWIRL_ECLOSED once the connection fails or closes, or -ETIMEDOUT when no
 * room came before `deadline_ms` (swirl_clock_ms; UINT64_MAX: none). */
int swirl__io_send_wait(swirl__io_t *io, int64_t session, const void *data, size_t len,
                        uint64_t deadline_ms) {
    if (len > (size_t)io->srv->settings.socket_buffer_size) /* it never fits */
        return swirl__io_send(io, session, data, len);
    for (;;) {
        int rc = swirl__io_send(io, session, data, len);
        if (rc != SWIRL_EBUFFULL)
            return rc;
        swirl__conn_t *c = owned(io, session);
        if (!c || local_of(io, c->fd)->closing)
            return swirl__error(SWIRL_ECLOSED,
                                "send to connection %lld: closed while waiting "
                                "for room",
                                (long long)session);
        int fd = c->fd;
        uint64_t now = swirl_clock_ms();
        if (now >= deadline_ms)
            return swirl__error(-ETIMEDOUT,
                                "send to connection %lld: no room in its output "
                                "buffer within send_timeout",
                                (long long)session);
        uint64_t left = deadline_ms - now;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
        if (n < 0 && errno != EINTR)
            return swirl__error(swirl__neg_errno(),
                                "send to connection %lld: poll:", (long long)session);
        if (n <= 0)
            continue;
        swirl__local_t *l = local_of(io, fd);
        ssize_t w = swirl_loop_flush_fd(io->loop, fd);
        if (w >= 0 && (l->files || swirl_buf_size(&l->after) > 0)) {
            w = swirl__conn_pump(io, fd);
            w = w == -EAGAIN ? 0 : w;
        }
        if (w < 0) {
            conn_broken(io, fd);
            return swirl__error(SWIRL_ECLOSED, "send to connection %lld: %s", (long long)session,
                                swirl_strerror((int)w));
        }
        l->out_ms = swirl_loop_now(io->loop); /* progress, for send_timeout's reset */
        atomic_store(&c->out_pending,
                     (int64_t)(swirl_loop_pending(io->loop, fd) + swirl_buf_size(&l->after)));
    }
}

int swirl__io_close(swirl__io_t *io, int64_t session, bool reset) {
    swirl__conn_t *c = owned(io, session);
    if (!c || local_of(io, c->fd)->tearing)
        return swirl__error(SWIRL_ECLOSED, "close connection %lld: already closed",
                            (long long)session);
    int fd = c->fd;
    if (local_of(io, fd)->broken)
        return 0; /* a write failed: torn down after the current callback */
    if (local_of(io, fd)->in_deliver) {
        local_of(io, fd)->closing = true; /* done when the callback returns */
        if (reset) {
            struct linger lg = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        }
        return 0;
    }
    if (reset) {
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    } else if (owed(io, fd)) {
        local_of(io, fd)->closing = true; /* after the last byte is written */
        swirl__conn_set_interest(io, fd);
        return 0;
    } else if (!local_of(io, fd)->notified) {
        swirl__conn_close_here(io, fd);
        return 0;
    }
    swirl__conn_teardown(io, fd); /* a reset, or already told (peer EOF): at once */
    return 0;
}

void swirl__io_close_all(swirl__io_t *io) {
    for (int fd = 0; fd < io->local_cap && fd < io->srv->fd_cap; fd++) {
        int64_t session = atomic_load(&conn_of(io, fd)->session);
        swirl__local_t *l = local_of(io, fd);
        if (session != 0 && !l->closing && !l->tearing && !l->notified)
            swirl__io_close(io, session, false);
    }
}

int swirl__io_pause(swirl__io_t *io, int64_t session, bool pause) {
    swirl__conn_t *c = owned(io, session);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "%s connection %lld: closed", pause ? "pause" : "resume",
                            (long long)session);
    local_of(io, c->fd)->paused = pause;
    swirl__conn_set_interest(io, c->fd);
    return 0;
}

void swirl__io_ack(swirl__io_t *io, int64_t session) {
    swirl__conn_t *c = owned(io, session);
    if (!c)
        return; /* freed already (reset, error or timeout) */
    int fd = c->fd;
    swirl__local_t *l = local_of(io, fd);
    if (l->acks_pending > 0 && --l->acks_pending > 0)
        return;
    if (!owed(io, fd))
        swirl__conn_free(io, fd);
    /* else: freed when the output drains (on_conn_write) */
}

void swirl__io_recheck(swirl__io_t *io, int64_t session) {
    swirl__conn_t *c = owned(io, session);
    if (c && !local_of(io, c->fd)->tearing)
        swirl__conn_set_interest(io, c->fd);
}

void swirl__io_watch_drain(swirl__io_t *io, int64_t session) {
    swirl__conn_t *c = owned(io, session);
    if (!c)
        return;
    swirl__local_t *l = local_of(io, c->fd);
    if (owed(io, c->fd)) { /* bytes, or files and the bytes behind them */
        l->full = true;    /* on_conn_write reports bufferEmpty */
        return;
    }
    atomic_store(&c->out_pending, 0);
    io->ops->on_buffer(io, c, false); /* already drained */
}

int swirl__io_sendfile_msg(swirl__io_t *io, const swirl__msg_t *h, const char *p, int file) {
    int64_t range[2];
    if (h->len < sizeof(range)) {
        if (file >= 0)
            close(file);
        return swirl__error(SWIRL_EBADARG, "sendfile to connection %lld: bad message",
                            (long long)h->session);
    }
    memcpy(range, p, sizeof(range));
    char path[4096];
    snprintf(path, sizeof(path), "%.*s", (int)(h->len - sizeof(range)), p + sizeof(range));
    int rc = file < 0 ? swirl__error(SWIRL_EBADARG, "sendfile \"%s\": the file was lost on its way",
                                     path)
                      : swirl__io_sendfile_fd(io, h->session, file, -1, (off_t)range[0],
                                              (size_t)range[1], path, NULL, 0);
    /* what was sent before promised these bytes: a stream without them is cut */
    if (rc < 0 && rc != SWIRL_ECLOSED)
        swirl__io_close(io, h->session, true);
    return rc;
}

int swirl__io_sendfile_fd(swirl__io_t *io, int64_t session, int file, int64_t size, off_t offset,
                          size_t length, const char *path, const void *head, size_t head_len) {
    swirl__conn_t *c = owned(io, session);
    if (!c || local_of(io, c->fd)->closing) {
        close(file);
        return swirl__error(SWIRL_ECLOSED, "sendfile to connection %lld: closed",
                            (long long)session);
    }
    struct stat st;
    if (size < 0) { /* not known to be a regular file yet */
        if (fstat(file, &st) != 0 || !S_ISREG(st.st_mode))
            size = -1;
        else
            size = st.st_size;
    }
    if (size < 0 || offset < 0 || offset > size) {
        close(file);
        return swirl__error(SWIRL_EBADARG,
                            "sendfile \"%s\": not a regular file, or offset %lld past its end",
                            path, (long long)offset);
    }
    size_t avail = (size_t)(size - offset);
    swirl__file_t *f = swirl_malloc(sizeof(*f) + head_len);
    if (!f) {
        close(file);
        return swirl__error(-ENOMEM, "sendfile:");
    }
    *f =
        (swirl__file_t){NULL, file, offset, length && length < avail ? length : avail, head_len, 0};
    if (head_len)
        memcpy(f + 1, head, head_len);
    swirl__local_t *l = local_of(io, c->fd);
    if (!owed(io, c->fd))
        l->out_ms = swirl_loop_now(io->loop);
    swirl__file_t **tail = &l->files;
    while (*tail)
        tail = &(*tail)->next;
    *tail = f;
    int rc = swirl__conn_pump(io, c->fd);
    if (rc < 0 && rc != -EAGAIN) {
        conn_broken(io, c->fd);
        return swirl__error(SWIRL_ECLOSED, "sendfile to connection %lld: %s", (long long)session,
                            swirl_strerror(rc));
    }
    swirl__conn_set_interest(io, c->fd);
    return 0;
}
