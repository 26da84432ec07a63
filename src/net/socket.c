/* src/net/socket.c — listen, connect, accept, reads and writes, socket
 * options. Every socket is non-blocking and close-on-exec from birth (no
 * window for a fork+exec to inherit it); EINTR is retried here so no caller
 * ever sees it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <swirl/net.h>

#include "../core/internal.h"

void swirl_listen_opts_init(swirl_listen_opts_t *opts) {
    if (!opts)
        return;
    memset(opts, 0, sizeof(*opts));
    opts->backlog = 512;
    opts->reuse_addr = true;
}

void swirl_net_close(int fd) {
    /* Linux releases the fd even when close reports EINTR: retrying could
     * close an fd another thread has just been given. */
    if (fd >= 0)
        close(fd);
}

static bool is_unix(swirl_sock_type_t type) {
    return type == SWIRL_SOCK_UNIX_STREAM || type == SWIRL_SOCK_UNIX_DGRAM;
}

static int open_socket(swirl_sock_type_t type) {
    int domain = AF_UNIX;
    if (type == SWIRL_SOCK_TCP || type == SWIRL_SOCK_UDP)
        domain = AF_INET;
    else if (type == SWIRL_SOCK_TCP6 || type == SWIRL_SOCK_UDP6)
        domain = AF_INET6;
    int kind = swirl_sock_is_stream(type) ? SOCK_STREAM : SOCK_DGRAM;
    int fd = socket(domain, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd < 0 ? swirl__neg_errno() : fd;
}

/* "tcp 127.0.0.1:80" or "unix_stream /run/x.sock": how messages name an
 * address (a Unix path reads better without the "unix:" prefix). */
static void describe(char *buf, size_t size, swirl_sock_type_t type, const swirl_addr_t *addr) {
    char text[SWIRL_ADDR_STRLEN];
    if (is_unix(type))
        swirl_addr_host(addr, text, sizeof(text));
    else
        swirl_addr_format(addr, text, sizeof(text));
    snprintf(buf, size, "%s %s", swirl_sock_type_name(type), text);
}

/* ---- options --------------------------------------------------------------------------- */

static int setopt(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : swirl__neg_errno();
}

int swirl_net_set_nonblock(int fd, bool on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return swirl__neg_errno();
    int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    if (want == fl)
        return 0;
    return fcntl(fd, F_SETFL, want) == 0 ? 0 : swirl__neg_errno();
}

int swirl_net_set_nodelay(int fd, bool on) { return setopt(fd, IPPROTO_TCP, TCP_NODELAY, on); }

int swirl_net_set_reuseport(int fd, bool on) { return setopt(fd, SOL_SOCKET, SO_REUSEPORT, on); }

int swirl_net_set_bufsize(int fd, int rcvbuf, int sndbuf) {
    if (rcvbuf < 0 || sndbuf < 0)
        return -EINVAL;
    int rc = 0;
    if (rcvbuf > 0)
        rc = setopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
    if (rc == 0 && sndbuf > 0)
        rc = setopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf);
    return rc;
}

int swirl_net_set_defer_accept(int fd, int seconds) {
    return setopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, seconds);
}

int swirl_net_set_fastopen(int fd, int queue_len) {
    return setopt(fd, IPPROTO_TCP, TCP_FASTOPEN, queue_len);
}

int swirl_net_local_addr(int fd, swirl_addr_t *out) {
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->u);
    return getsockname(fd, &out->u.sa, &out->len) == 0 ? 0 : swirl__neg_errno();
}

int swirl_net_peer_addr(int fd, swirl_addr_t *out) {
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->u);
    return getpeername(fd, &out->u.sa, &out->len) == 0 ? 0 : swirl__neg_errno();
}

/* ---- listen ---------------------------------------------------------------------------- */

static int check_listen_opts(const swirl_listen_opts_t *o, const char *what) {
    const struct {
        const char *name;
        int value, min;
    } checks[] = {{"backlog", o->backlog, 1},   {"defer_accept", o->defer_accept, 0},
                  {"fastopen", o->fastopen, 0}, {"rcvbuf", o->rcvbuf, 0},
                  {"sndbuf", o->sndbuf, 0},     {"unix_mode", o->unix_mode, 0}};
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (checks[i].value < checks[i].min)
            return swirl__error(SWIRL_EBADARG, "listen %s: %s %d: expected %d or more", what,
                                checks[i].name, checks[i].value, checks[i].min);
    if (o->unix_mode > 07777)
        return swirl__error(SWIRL_EBADARG, "listen %s: unix_mode %#o: expected 0..07777", what,
                            (unsigned)o->unix_mode);
    return 0;
}

/* A Unix path that already exists is replaced only when it is a socket
 * nobody answers on any more (a server that died without unlinking). A live
 * socket, or anything that is not a socket, is left alone: never delete a
 * user's file because a config pointed at it. */
static int clear_stale_unix(swirl_sock_type_t type, const swirl_addr_t *addr, const char *what) {
    const char *path = addr->u.un.sun_path;
    struct stat st;
    if (path[0] == '\0' || lstat(path, &st) != 0)
        return 0; /* abstract, or nothing there (bind reports other trouble) */
    if (!S_ISSOCK(st.st_mode))
        return swirl__error(-EADDRINUSE, "listen %s: %s (the path exists and is not a socket)",
                            what, swirl_strerror(-EADDRINUSE));
    int probe = open_socket(type);
    if (probe < 0)
        return swirl__error(probe, "listen %s: probing the existing socket:", what);
    int rc;
    while ((rc = connect(probe, &addr->u.sa, addr->len)) != 0 && errno == EINTR)
        ;
    int err = rc == 0 ? 0 : errno;
    close(probe);
    /* Only ECONNREFUSED proves nobody is there. Success or EAGAIN (backlog
     * full) mean a live server (which sees our probe as a connection that
     * closes at once); anything else (EACCES, EPROTOTYPE for the other
     * socket kind) leaves us unsure, so the file is not ours to remove. */
    if (err == 0 || err == EAGAIN)
        return swirl__error(-EADDRINUSE, "listen %s: %s (a live socket is bound there)", what,
                            swirl_strerror(-EADDRINUSE));
    if (err != ECONNREFUSED)
        return swirl__error(-EADDRINUSE, "listen %s: %s (the socket there could not be probed: %s)",
                            what, swirl_strerror(-EADDRINUSE), swirl_strerror(-err));
    if (unlink(path) != 0 && errno != ENOENT)
        return swirl__error(swirl__neg_errno(), "listen %s: removing the stale socket:", what);
    return 0;
}

static int apply_listen_opts(int fd, swirl_sock_type_t type, const swirl_listen_opts_t *o) {
    int rc = 0;
    bool tcp = type == SWIRL_SOCK_TCP || type == SWIRL_SOCK_TCP6;
    bool ip = !is_unix(type);
    /* SO_REUSEADDR lets a restarted TCP server bind past TIME_WAIT. On UDP
     * it would let two servers silently share a port, so it stays TCP-only
     * (sharing on purpose is what reuse_port is for). */
    if (tcp && o->reuse_addr)
        rc = setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0 && ip && o->reuse_port)
        rc = swirl_net_set_reuseport(fd, true);
    /* Always set: the default comes from a sysctl (bindv6only). */
    if (rc == 0 && (type == SWIRL_SOCK_TCP6 || type == SWIRL_SOCK_UDP6))
        rc = setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, o->ipv6_only);
    if (rc == 0)
        rc = swirl_net_set_bufsize(fd, o->rcvbuf, o->sndbuf);
    if (rc == 0 && tcp && o->tcp_nodelay)
        rc = swirl_net_set_nodelay(fd, true);
    if (rc == 0 && tcp && o->defer_accept > 0)
        rc = swirl_net_set_defer_accept(fd, o->defer_accept);
    if (rc == 0 && tcp && o->fastopen > 0)
        rc = swirl_net_set_fastopen(fd, o->fastopen);
    return rc;
}

int swirl_net_listen(swirl_sock_type_t type, const char *host, int port,
                     const swirl_listen_opts_t *opts, int *fd_out) {
    swirl_listen_opts_t defaults;
    if (!opts) {
        swirl_listen_opts_init(&defaults);
        opts = &defaults;
    }
    swirl_addr_t addr;
    int rc = swirl_addr_parse(&addr, type, host, port);
    if (rc < 0)
        return rc;
    char what[SWIRL_ADDR_STRLEN + 16];
    describe(what, sizeof(what), type, &addr);
    if (!fd_out)
        return swirl__error(SWIRL_EBADARG, "listen %s: no place to store the fd", what);
    if ((rc = check_listen_opts(opts, what)) < 0)
        return rc;
    bool path = is_unix(type) && addr.u.un.sun_path[0] != '\0';
    if (path && (rc = clear_stale_unix(type, &addr, what)) < 0)
        return rc;

    int fd = open_socket(type);
    if (fd < 0)
        return swirl__error(fd, "listen %s: socket:", what);
    if ((rc = apply_listen_opts(fd, type, opts)) < 0) {
        swirl__error(rc, "listen %s: setting socket options:", what);
        goto fail_close;
    }
    if (bind(fd, &addr.u.sa, addr.len) != 0) {
        rc = swirl__error(swirl__neg_errno(), "listen %s:", what);
        goto fail_close;
    }
    /* From here a path exists on disk that we made: failures remove it. */
    if (path && opts->unix_mode && chmod(addr.u.un.sun_path, (mode_t)opts->unix_mode) != 0) {
        rc = swirl__error(swirl__neg_errno(), "listen %s: chmod %#o:", what,
                          (unsigned)opts->unix_mode);
        goto fail_unlink;
    }
    if (swirl_sock_is_stream(type) && listen(fd, opts->backlog) != 0) {
        rc = swirl__error(swirl__neg_errno(), "listen %s:", what);
        goto fail_unlink;
    }
    *fd_out = fd;
    return 0;

fail_unlink:
    if (path)
        unlink(addr.u.un.sun_path);
fail_close:
    close(fd);
    return rc;
}

/* ---- connect --------------------------------------------------------------------------- */

int swirl_net_connect(swirl_sock_type_t type, const char *host, int port, int *fd_out) {
    swirl_addr_t addr;
    int rc = swirl_addr_parse(&addr, type, host, port);
    if (rc < 0)
        return rc;
    char what[SWIRL_ADDR_STRLEN + 16];
    describe(what, sizeof(what), type, &addr);
    if (!fd_out)
        return swirl__error(SWIRL_EBADARG, "connect %s: no place to store the fd", what);
    int fd = open_socket(type);
    if (fd < 0)
        return swirl__error(fd, "connect %s: socket:", what);
    if (type == SWIRL_SOCK_UNIX_DGRAM) {
        /* An unbound Unix datagram client has no address the server could
         * reply to. Binding with only the family asks the kernel for a
         * unique abstract name (autobind): no file to clean up. */
        struct sockaddr_un self = {.sun_family = AF_UNIX};
        if (bind(fd, (struct sockaddr *)&self, sizeof(sa_family_t)) != 0) {
            rc = swirl__error(swirl__neg_errno(), "connect %s: autobind:", what);
            goto fail_close;
        }
    }
    while (connect(fd, &addr.u.sa, addr.len) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EINPROGRESS) {
            *fd_out = fd; /* not a failure: the caller waits for writability */
            return -EINPROGRESS;
        }
        /* A Unix stream connect gets EAGAIN when the listener's backlog is
         * full; unlike EINPROGRESS nothing is under way, so it fails. */
        rc = swirl__error(swirl__neg_errno(), "connect %s:", what);
        goto fail_close;
    }
    *fd_out = fd;
    return 0;

fail_close:
    close(fd);
    return rc;
}

int swirl_net_connect_result(int fd) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return swirl__neg_errno();
    return -err;
}

int swirl_net_connect_wait(int fd, int timeout_ms) {
    if (fd < 0)
        return -EBADF; /* poll() would silently skip it and time out */
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    uint64_t deadline = timeout_ms >= 0 ? swirl_clock_ms() + (uint64_t)timeout_ms : 0;
    for (;;) {
        int wait = -1;
        if (timeout_ms >= 0) {
            uint64_t now = swirl_clock_ms();
            wait = now >= deadline ? 0 : (int)(deadline - now);
        }
        int n = poll(&p, 1, wait);
        if (n < 0 && errno == EINTR)
            continue; /* with the time left, not a fresh timeout */
        if (n < 0)
            return swirl__neg_errno();
        if (n == 0)
            return -ETIMEDOUT;
        if (p.revents & POLLNVAL)
            return -EBADF;
        return swirl_net_connect_result(fd);
    }
}

/* ---- accept ---------------------------------------------------------------------------- */

int swirl_net_accept(int lfd, swirl_addr_t *peer, int *fd_out) {
    swirl_addr_t tmp;
    swirl_addr_t *a = peer ? peer : &tmp;
    for (;;) {
        memset(a, 0, sizeof(*a));
        a->len = sizeof(a->u);
        int fd = accept4(lfd, &a->u.sa, &a->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            *fd_out = fd;
            return 0;
        }
        /* ECONNABORTED: the client reset before we got to it; the next one
         * in the queue may be fine. */
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN)
            return -EAGAIN; /* the normal end of an accept loop: no message */
        return swirl__error(swirl__neg_errno(), "accept on fd %d:", lfd);
    }
}

int swirl_net_reserve_fd(void) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd < 0 ? swirl__error(swirl__neg_errno(), "reserve fd: open /dev/null:") : fd;
}

int swirl_net_accept_shed(int lfd, int *reserve_fd) {
    /* At EMFILE the waiting connections cannot be accepted, so the listen
     * socket stays readable and a level-triggered loop spins. Spending the
     * reserve fd on one of them lets us close it: the client sees EOF
     * instead of hanging, and the queue drains. */
    if (*reserve_fd >= 0) {
        close(*reserve_fd);
        *reserve_fd = -1;
    }
    int fd;
    int rc = swirl_net_accept(lfd, NULL, &fd);
    if (rc == 0)
        close(fd);
    int r = swirl_net_reserve_fd();
    *reserve_fd = r >= 0 ? r : -1;
    return rc;
}

/* ---- reads and writes ------------------------------------------------------------------ */

ssize_t swirl_net_read(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return swirl__neg_errno(); /* EWOULDBLOCK is EAGAIN on Linux */
    }
}

ssize_t swirl_net_write(int fd, const void *buf, size_t len) {
    /* send(MSG_NOSIGNAL) turns a closed peer into -EPIPE instead of a
     * process-killing SIGPIPE; pipes and files cannot take send(): their
     * write(2) runs with SIGPIPE blocked (a pipe without reader raises it). */
    ssize_t n;
    while ((n = send(fd, buf, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n >= 0 || errno != ENOTSOCK)
        return n >= 0 ? n : swirl__neg_errno();
    swirl__nopipe_t g;
    swirl__nopipe_begin(&g);
    while ((n = write(fd, buf, len)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        n = swirl__neg_errno();
    swirl__nopipe_end(&g);
    return n;
}

ssize_t swirl_net_recvfrom(int fd, void *buf, size_t len, swirl_addr_t *from) {
    for (;;) {
        ssize_t n;
        if (from) {
            memset(from, 0, sizeof(*from));
            from->len = sizeof(from->u);
            n = recvfrom(fd, buf, len, 0, &from->u.sa, &from->len);
        } else {
            n = recv(fd, buf, len, 0);
        }
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return swirl__neg_errno();
    }
}

typedef union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * SWIRL_NET_MAX_FDS)];
} fd_ctl_t;

ssize_t swirl_net_send_fds(int fd, const void *buf, size_t len, const int *fds, int nfds) {
    if (nfds < 0 || nfds > SWIRL_NET_MAX_FDS)
        return -EINVAL;
    fd_ctl_t ctl;
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        m.msg_control = ctl.buf;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        memset(ctl.buf, 0, m.msg_controllen); /* the header's padding is sent too */
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
    }
    ssize_t n;
    while ((n = sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return n < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : n;
}

ssize_t swirl_net_recv_fds(int fd, void *buf, size_t cap, int *fds, int max, int *nfds) {
    fd_ctl_t ctl;
    struct iovec iov = {buf, cap};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;
    *nfds = 0;
    do {
        m.msg_control = ctl.buf;
        m.msg_controllen = sizeof(ctl.buf);
        n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int f;
            memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            if (*nfds < max)
                fds[(*nfds)++] = f;
            else
                close(f);
        }
    }
    return n;
}

ssize_t swirl_net_sendto(int fd, const void *buf, size_t len, const swirl_addr_t *to) {
    for (;;) {
        ssize_t n = to ? sendto(fd, buf, len, MSG_NOSIGNAL, &to->u.sa, to->len)
                       : send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return swirl__neg_errno();
    }
}
