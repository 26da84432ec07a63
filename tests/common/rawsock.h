/* tests/common/rawsock.h — the raw client of the integration tests that talk
 * HTTP or WebSocket bytes to a server on 127.0.0.1: connect, send all,
 * read what comes. Blocking sockets; every wait is bounded by a poll, so a
 * lost answer fails the test instead of hanging it. */
#ifndef SWIRL_TEST_RAWSOCK_H
#define SWIRL_TEST_RAWSOCK_H

#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A blocking TCP connection to 127.0.0.1:port (the test fails when refused). */
static inline int tu_dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "connect to port %d: %s", port,
                 strerror(errno));
    return fd;
}

/* Send all of p[0..n) (no SIGPIPE); false when the peer stopped taking it
 * (it may close on purpose, on bad input). */
static inline bool tu_send_all(int fd, const void *p, size_t n) {
    const char *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += (size_t)w;
        n -= (size_t)w;
    }
    return true;
}

/* Everything the peer sends until it closes or `quiet_ms` pass without a
 * byte; *closed says which (when not NULL). NUL-terminated; the byte count. */
static inline size_t tu_read_all(int fd, char *buf, size_t size, int quiet_ms, bool *closed) {
    size_t n = 0;
    bool eof = false;
    buf[0] = 0;
    while (n < size - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, quiet_ms) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, size - 1 - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            eof = true;
            break;
        }
        n += (size_t)r;
        buf[n] = 0;
    }
    if (closed)
        *closed = eof;
    return n;
}

#endif
