/* src/server/conn_file.c — files sent on a server's connections: queued
 * in order with the bytes sent around them, pumped with sendfile(2) (or,
 * over TLS, read in pieces into the write buffer) as the socket takes
 * them. The connection table is connio.c's (conn.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "conn.h"

/* Send queued files while the kernel takes them; when the last is done,
 * hand the bytes queued behind them to the loop. Returns 0, -EAGAIN (wait
 * for writability) or an error (the connection is broken). */
/* The files are out: hand the bytes queued behind them to the loop. */
static int queue_after(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    if (swirl_buf_size(&l->after) > 0) {
        ssize_t n =
            swirl_loop_write(io->loop, fd, swirl_buf_bytes(&l->after), swirl_buf_size(&l->after));
        if (n < 0)
            return (int)n;
        swirl_buf_clear(&l->after);
    }
    return 0;
}

/* TLS has no sendfile: the file is read in pieces into the loop's write
 * buffer (through SSL_write), keeping at most TLS_FILE_AHEAD bytes
 * queued ahead of the socket. */
#define TLS_FILE_AHEAD (256 * 1024)

static int pump_tls(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    char chunk[16384];
    while (l->files) {
        swirl__file_t *f = l->files;
        if (f->head_off < f->head_len) {
            ssize_t w = swirl_loop_write(io->loop, fd, (const char *)(f + 1) + f->head_off,
                                         f->head_len - f->head_off);
            if (w < 0)
                return (int)w;
            f->head_off = f->head_len;
        }
        while (f->left > 0) {
            if (swirl_loop_pending(io->loop, fd) >= TLS_FILE_AHEAD)
                return -EAGAIN;
            size_t want = f->left < sizeof(chunk) ? f->left : sizeof(chunk);
            ssize_t n = pread(f->fd, chunk, want, f->offset);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) { /* the file shrank under us (or broke): stop here */
                f->left = 0;
                break;
            }
            ssize_t w = swirl_loop_write(io->loop, fd, chunk, (size_t)n);
            if (w < 0)
                return (int)w;
            f->offset += n;
            f->left -= (size_t)n;
        }
        l->files = f->next;
        close(f->fd);
        swirl_free(f);
    }
    return queue_after(io, fd);
}

int swirl__conn_pump(swirl__io_t *io, int fd) {
    swirl__local_t *l = local_of(io, fd);
    if (l->ssl)
        return pump_tls(io, fd);
    while (l->files) {
        if (swirl_loop_pending(io->loop, fd) > 0)
            return -EAGAIN; /* bytes queued before the file go first */
        swirl__file_t *f = l->files;
        while (f->head_off < f->head_len) { /* the head, held back for the file's bytes */
            ssize_t w = send(fd, (const char *)(f + 1) + f->head_off, f->head_len - f->head_off,
                             MSG_NOSIGNAL | MSG_DONTWAIT | (f->left ? MSG_MORE : 0));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : -errno;
            f->head_off += (size_t)w;
        }
        size_t chunk = f->left < (1u << 20) ? f->left : (1u << 20);
        ssize_t n = chunk ? swirl_net_sendfile(fd, f->fd, &f->offset, chunk) : 0;
        if (n == -EAGAIN)
            return -EAGAIN;
        if (n < 0)
            return (int)n;
        f->left -= (size_t)n;
        if (f->left > 0 && n > 0)
            continue;
        /* done, or the file shrank under us: move on either way */
        l->files = f->next;
        close(f->fd);
        swirl_free(f);
    }
    return queue_after(io, fd);
}

int swirl__file_open(const char *path, struct stat *st) {
    /* O_NONBLOCK: opening a FIFO or a device must not wait (for a writer, a
     * carrier, ...); the type is checked before anything reads it */
    int file = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (file < 0)
        return swirl__error(swirl__neg_errno(), "sendfile \"%s\":", path);
    if (fstat(file, st) != 0 || !S_ISREG(st->st_mode)) {
        close(file);
        return swirl__error(SWIRL_EBADARG, "sendfile \"%s\": not a regular file", path);
    }
    return file;
}
