/* tests/unit/net/test_sendfile.c — swirl_net_sendfile over a real TCP pair:
 * a large file arrives byte-exact, the offset advances, bad fds give a
 * negative errno, and a closed peer never raises SIGPIPE. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/net.h>

#include "testutil.h"

#define FILE_SIZE (1024 * 1024)

/* A temp file of `size` pseudo-random bytes (so a misplaced chunk shows),
 * unlinked at once: the fd keeps it alive. The bytes go to *data. */
static int temp_file(size_t size, unsigned char **data) {
    char path[108];
    tu_tmp_path(path, sizeof(path), "sendfile");
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
    unlink(path);
    unsigned char *d = malloc(size);
    cr_assert_not_null(d);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        d[i] = (unsigned char)x;
    }
    for (size_t off = 0; off < size;) {
        ssize_t n = write(fd, d + off, size - off);
        cr_assert_gt(n, 0);
        off += (size_t)n;
    }
    *data = d;
    return fd;
}

/* A connected TCP pair over loopback: *a is the accepted end. */
static void tcp_pair(int *a, int *b) {
    int lfd = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, NULL, &lfd), 0, "%s",
                 swirl_last_error_msg());
    swirl_addr_t addr;
    cr_assert_eq(swirl_net_local_addr(lfd, &addr), 0);
    int rc = swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", swirl_addr_port(&addr), b);
    if (rc == -EINPROGRESS)
        rc = swirl_net_connect_wait(*b, 5000);
    cr_assert_eq(rc, 0);
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 5000), 1);
    cr_assert_eq(swirl_net_accept(lfd, NULL, a), 0);
    swirl_net_close(lfd);
}

/* Send file[*offset, *offset + count) from `out` while reading it on `in`
 * into `got`, one loop polling both ends (the socket buffers are far
 * smaller than the file). Returns the bytes received. */
static size_t transfer(int out, int file, off_t *offset, size_t count, int in, unsigned char *got) {
    size_t sent = 0, recvd = 0;
    while (recvd < count) {
        struct pollfd p[2] = {{.fd = in, .events = POLLIN}, {.fd = out, .events = POLLOUT}};
        cr_assert_gt(poll(p, sent < count ? 2 : 1, 5000), 0, "transfer stalled");
        if (sent < count && (p[1].revents & POLLOUT)) {
            off_t before = *offset;
            ssize_t n = swirl_net_sendfile(out, file, offset, count - sent);
            if (n != -EAGAIN) {
                cr_assert_gt(n, 0, "sendfile: %s", swirl_strerror((int)n));
                cr_assert_eq(*offset, before + n, "offset advances by what was sent");
                sent += (size_t)n;
            }
        }
        if (p[0].revents & POLLIN) {
            ssize_t n = swirl_net_read(in, got + recvd, count - recvd);
            if (n != -EAGAIN) {
                cr_assert_gt(n, 0, "read: %s", swirl_strerror((int)n));
                recvd += (size_t)n;
            }
        }
    }
    return recvd;
}

Test(sendfile, one_megabyte_arrives_exact, .timeout = 10) {
    TU_FD_BEGIN();
    unsigned char *data;
    int file = temp_file(FILE_SIZE, &data);
    int s, c;
    tcp_pair(&s, &c);
    unsigned char *got = calloc(1, FILE_SIZE);
    cr_assert_not_null(got);
    off_t off = 0;
    cr_assert_eq(transfer(s, file, &off, FILE_SIZE, c, got), FILE_SIZE);
    cr_assert_eq(off, FILE_SIZE);
    cr_assert(memcmp(got, data, FILE_SIZE) == 0, "bytes differ");
    /* Nothing more than asked for, and at the end of the file: 0. */
    char extra;
    cr_assert_eq(swirl_net_read(c, &extra, 1), -EAGAIN);
    cr_assert_eq(swirl_net_sendfile(s, file, &off, 100), 0);
    free(got);
    free(data);
    swirl_net_close(c);
    swirl_net_close(s);
    swirl_net_close(file);
    TU_FD_END();
}

Test(sendfile, range_from_offset, .timeout = 10) {
    TU_FD_BEGIN();
    unsigned char *data;
    int file = temp_file(FILE_SIZE, &data);
    int s, c;
    tcp_pair(&s, &c);
    unsigned char got[5000];
    off_t off = 1000;
    cr_assert_eq(transfer(s, file, &off, sizeof(got), c, got), sizeof(got));
    cr_assert_eq(off, 1000 + (off_t)sizeof(got));
    cr_assert(memcmp(got, data + 1000, sizeof(got)) == 0);
    /* An explicit offset leaves the file position alone. */
    cr_assert_eq(lseek(file, 0, SEEK_CUR), FILE_SIZE);
    cr_assert_eq(swirl_net_sendfile(s, file, &off, 0), 0);
    cr_assert_eq(off, 1000 + (off_t)sizeof(got));
    free(data);
    swirl_net_close(c);
    swirl_net_close(s);
    swirl_net_close(file);
    TU_FD_END();
}

Test(sendfile, bad_fds, .timeout = 10) {
    TU_FD_BEGIN();
    unsigned char *data;
    int file = temp_file(4096, &data);
    int s, c;
    tcp_pair(&s, &c);
    off_t off = 0;
    cr_assert_eq(swirl_net_sendfile(-1, file, &off, 10), -EBADF);
    cr_assert_eq(swirl_net_sendfile(s, -1, &off, 10), -EBADF);
    cr_assert_eq(off, 0, "a failed call does not move the offset");
    /* A socket cannot be the source. */
    ssize_t n = swirl_net_sendfile(s, c, &off, 10);
    cr_assert_lt(n, 0);
    cr_assert_neq(n, -EAGAIN);
    free(data);
    swirl_net_close(c);
    swirl_net_close(s);
    swirl_net_close(file);
    TU_FD_END();
}

Test(sendfile, closed_peer_is_an_error_not_sigpipe, .timeout = 10) {
    TU_FD_BEGIN();
    unsigned char *data;
    int file = temp_file(FILE_SIZE, &data);
    int s, c;
    tcp_pair(&s, &c);
    swirl_net_close(c);
    /* The first sends may still be buffered; once the RST is back, the
     * next one fails. SIGPIPE's default action would kill the process. */
    ssize_t n = 0;
    off_t off = 0;
    for (int i = 0; i < 1000 && n >= 0; i++) {
        n = swirl_net_sendfile(s, file, &off, 65536);
        if (n == -EAGAIN || n >= 0) {
            struct pollfd p = {.fd = s, .events = POLLOUT};
            poll(&p, 1, 10);
            n = 0;
        }
    }
    cr_assert(n == -EPIPE || n == -ECONNRESET, "got %zd (%s)", n, swirl_strerror((int)n));
    /* Our own SIGPIPE was taken off the pending set, and the mask restored. */
    sigset_t pending, mask;
    cr_assert_eq(sigpending(&pending), 0);
    cr_assert_not(sigismember(&pending, SIGPIPE));
    cr_assert_eq(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
    cr_assert_not(sigismember(&mask, SIGPIPE));
    free(data);
    swirl_net_close(s);
    swirl_net_close(file);
    TU_FD_END();
}

Test(sendfile, callers_pending_sigpipe_is_kept, .timeout = 10) {
    TU_FD_BEGIN();
    /* A SIGPIPE the caller blocked and has pending is not ours to eat. */
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    cr_assert_eq(sigprocmask(SIG_BLOCK, &pipe_set, NULL), 0);
    cr_assert_eq(raise(SIGPIPE), 0);
    unsigned char *data;
    int file = temp_file(65536, &data);
    int s, c;
    tcp_pair(&s, &c);
    swirl_net_close(c);
    ssize_t n = 0;
    off_t off = 0;
    for (int i = 0; i < 1000 && n >= 0; i++) {
        off = 0;
        n = swirl_net_sendfile(s, file, &off, 65536);
        if (n == -EAGAIN || n >= 0) {
            struct pollfd p = {.fd = s, .events = POLLOUT};
            poll(&p, 1, 10);
            n = 0;
        }
    }
    cr_assert_lt(n, 0);
    cr_assert_eq(sigpending(&pending), 0);
    cr_assert(sigismember(&pending, SIGPIPE), "the caller's SIGPIPE is still pending");
    signal(SIGPIPE, SIG_IGN); /* discards it before unblocking */
    cr_assert_eq(sigprocmask(SIG_UNBLOCK, &pipe_set, NULL), 0);
    free(data);
    swirl_net_close(s);
    swirl_net_close(file);
    TU_FD_END();
}
