/* bench/reference/echo.c — the yardstick for `swirl echo`: about the least
 * work a single-threaded epoll echo server can do. Level-triggered; reads
 * 64 KiB at a time and writes it straight back; what the kernel refuses is
 * kept and the connection is not read again until it has drained.
 *
 * With --http it is the yardstick for `swirl serve`'s /hello instead: it
 * answers every request head (each CRLF CRLF, found across reads; bodies
 * are not expected) with one canned "hello world" response, parsing
 * nothing else.
 *
 *     bench_reference_echo [--http] PORT     (0 picks a free port)
 *
 * Plain libc, no swirl: it measures the floor, not our code. */
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define MAX_EVENTS 256

typedef struct {
    char *data; /* bytes read but not yet written back */
    size_t off, len, cap;
} pending_t;

static int ep;
static pending_t *pend; /* indexed by fd */
static size_t npend;
static char chunk[CHUNK];
static bool http;                /* --http */
static unsigned char match[65536]; /* per fd: bytes of "\r\n\r\n" matched at the end of the last read */
static const char canned[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
                             "\r\nhello world";
static char replies[CHUNK / 4 * (sizeof(canned) - 1)];

static void die(const char *what) {
    fprintf(stderr, "bench_reference_echo: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void conn_close(int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    if ((size_t)fd < npend) {
        free(pend[fd].data);
        pend[fd] = (pending_t){0};
    }
}

static void watch(int fd, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(ep, op, fd, &ev) != 0)
        die("epoll_ctl");
}

/* Keep data[0..len) for later: the kernel did not take it. */
static int keep(int fd, const char *data, size_t len) {
    if ((size_t)fd >= npend) {
        size_t n = npend ? npend : 1024;
        while (n <= (size_t)fd)
            n *= 2;
        pending_t *p = realloc(pend, n * sizeof(*p));
        if (!p)
            return -1;
        memset(p + npend, 0, (n - npend) * sizeof(*p));
        pend = p;
        npend = n;
    }
    pending_t *p = &pend[fd];
    if (p->cap < len) {
        char *d = realloc(p->data, len);
        if (!d)
            return -1;
        p->data = d;
        p->cap = len;
    }
    memcpy(p->data, data, len);
    p->off = 0;
    p->len = len;
    watch(fd, EPOLL_CTL_MOD, EPOLLOUT); /* stop reading until this is out */
    return 0;
}

static void on_read(int fd) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        conn_close(fd);
        return;
    }
    const char *out = chunk;
    if (http) { /* one canned response per request head */
        if (fd >= (int)sizeof(match)) {
            conn_close(fd);
            return;
        }
        size_t heads = 0;
        unsigned m = match[fd];
        for (ssize_t i = 0; i < n; i++) {
            char want = "\r\n\r\n"[m];
            m = chunk[i] == want ? m + 1 : (chunk[i] == '\r' ? 1 : 0);
            if (m == 4) {
                memcpy(replies + heads * (sizeof(canned) - 1), canned, sizeof(canned) - 1);
                heads++;
                m = 0;
            }
        }
        match[fd] = (unsigned char)m;
        out = replies;
        n = (ssize_t)(heads * (sizeof(canned) - 1));
        if (n == 0)
            return;
    }
    ssize_t w = send(fd, out, (size_t)n, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN) {
            conn_close(fd);
            return;
        }
        w = 0;
    }
    if (w < n && keep(fd, out + w, (size_t)(n - w)) < 0)
        conn_close(fd);
}

static void on_write(int fd) {
    pending_t *p = &pend[fd];
    ssize_t w = send(fd, p->data + p->off, p->len - p->off, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR)
            conn_close(fd);
        return;
    }
    p->off += (size_t)w;
    if (p->off == p->len) {
        p->off = p->len = 0;
        watch(fd, EPOLL_CTL_MOD, EPOLLIN);
    }
}

int main(int argc, char **argv) {
    char *end = NULL;
    http = argc == 3 && strcmp(argv[1], "--http") == 0;
    const char *arg = argc == 2 ? argv[1] : (http ? argv[2] : "");
    long port = strtol(arg, &end, 10);
    if ((argc != 2 && !http) || *end || end == arg || port < 0 || port > 65535) {
        fprintf(stderr, "usage: bench_reference_echo [--http] PORT   (0..65535; 0 picks a free "
                        "one)\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(addr);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        die("bind 127.0.0.1");
    if (listen(lfd, 512) != 0)
        die("listen");
    if (getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0)
        die("getsockname");
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            uint32_t e = evs[i].events;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
                    watch(c, EPOLL_CTL_ADD, EPOLLIN);
                continue;
            }
            if (e & EPOLLOUT)
                on_write(fd);
            else if (e & (EPOLLIN | EPOLLHUP | EPOLLERR))
                on_read(fd);
        }
    }
}
