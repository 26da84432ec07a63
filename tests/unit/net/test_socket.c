/* tests/unit/net/test_socket.c — listen/connect/accept for every socket kind
 * over real loopback sockets, the error codes and messages, Unix path
 * handling, socket options, EMFILE shedding and the I/O wrappers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <swirl/net.h>

#include "testutil.h"

/* ---- helpers --------------------------------------------------------------------------- */

static void wait_for(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    cr_assert_eq(poll(&p, 1, 5000), 1, "fd %d never became ready", fd);
}

static void assert_nonblock_cloexec(int fd, const char *what) {
    int fl = fcntl(fd, F_GETFL);
    int fdfl = fcntl(fd, F_GETFD);
    cr_assert(fl >= 0 && (fl & O_NONBLOCK), "%s: O_NONBLOCK not set", what);
    cr_assert(fdfl >= 0 && (fdfl & FD_CLOEXEC), "%s: FD_CLOEXEC not set", what);
}

static int getopt_int(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof(v);
    cr_assert_eq(getsockopt(fd, level, name, &v, &len), 0, "getsockopt: %s", strerror(errno));
    return v;
}

static int listen_ok(swirl_sock_type_t type, const char *host, const swirl_listen_opts_t *o) {
    int fd = -1;
    int rc = swirl_net_listen(type, host, 0, o, &fd);
    cr_assert_eq(rc, 0, "listen %s %s: %s", swirl_sock_type_name(type), host,
                 swirl_last_error_msg());
    assert_nonblock_cloexec(fd, "listen fd");
    return fd;
}

static int port_of(int fd) {
    swirl_addr_t a;
    cr_assert_eq(swirl_net_local_addr(fd, &a), 0);
    return swirl_addr_port(&a);
}

/* Connect and wait for the connection to be set up. */
static int connect_ok(swirl_sock_type_t type, const char *host, int port) {
    int fd = -1;
    int rc = swirl_net_connect(type, host, port, &fd);
    if (rc == -EINPROGRESS)
        rc = swirl_net_connect_wait(fd, 5000);
    cr_assert_eq(rc, 0, "connect %s %s:%d: %s (%s)", swirl_sock_type_name(type), host, port,
                 swirl_strerror(rc), swirl_last_error_msg());
    assert_nonblock_cloexec(fd, "connected fd");
    return fd;
}

static int accept_ok(int lfd, swirl_addr_t *peer) {
    wait_for(lfd, POLLIN);
    int fd = -1;
    cr_assert_eq(swirl_net_accept(lfd, peer, &fd), 0, "accept: %s", swirl_last_error_msg());
    assert_nonblock_cloexec(fd, "accepted fd");
    return fd;
}

/* Write all of msg to `from`, read exactly as much from `to`. */
static void pass(int from, int to, const char *msg) {
    size_t len = strlen(msg);
    cr_assert_eq(swirl_net_write(from, msg, len), (ssize_t)len);
    char buf[256] = {0};
    size_t got = 0;
    while (got < len) {
        wait_for(to, POLLIN);
        ssize_t n = swirl_net_read(to, buf + got, sizeof(buf) - 1 - got);
        if (n == -EAGAIN)
            continue;
        cr_assert_gt(n, 0, "read: %s", swirl_strerror((int)n));
        got += (size_t)n;
    }
    cr_assert_eq(got, len);
    cr_assert_str_eq(buf, msg);
}

/* Listen, connect, accept, and talk both ways on a stream kind. */
static void stream_roundtrip(swirl_sock_type_t type, const char *host) {
    int lfd = listen_ok(type, host, NULL);
    int port = port_of(lfd);
    if (type != SWIRL_SOCK_UNIX_STREAM)
        cr_assert_gt(port, 0);
    int c = connect_ok(type, host, port);
    swirl_addr_t peer;
    int s = accept_ok(lfd, &peer);
    if (type == SWIRL_SOCK_UNIX_STREAM) {
        cr_assert_eq(peer.u.sa.sa_family, AF_UNIX);
    } else {
        /* The peer accept reports is the client's own local address. */
        cr_assert_eq(swirl_addr_port(&peer), port_of(c));
        swirl_addr_t theirs;
        cr_assert_eq(swirl_net_peer_addr(c, &theirs), 0);
        cr_assert_eq(swirl_addr_port(&theirs), port);
    }
    pass(c, s, "ping from client");
    pass(s, c, "pong from server");
    swirl_net_close(c);
    wait_for(s, POLLIN);
    char b;
    cr_assert_eq(swirl_net_read(s, &b, 1), 0, "EOF after the client closed");
    swirl_net_close(s);
    swirl_net_close(lfd);
}

/* Listen, connect, and talk both ways on a datagram kind: the server
 * answers whatever address recvfrom reports. */
static void dgram_roundtrip(swirl_sock_type_t type, const char *host) {
    int sfd = listen_ok(type, host, NULL);
    int port = port_of(sfd);
    if (type != SWIRL_SOCK_UNIX_DGRAM)
        cr_assert_gt(port, 0);
    int c = connect_ok(type, host, port);
    cr_assert_eq(swirl_net_write(c, "hello", 5), 5);
    wait_for(sfd, POLLIN);
    char buf[64];
    swirl_addr_t from;
    cr_assert_eq(swirl_net_recvfrom(sfd, buf, sizeof(buf), &from), 5);
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    if (type == SWIRL_SOCK_UNIX_DGRAM) {
        char text[SWIRL_ADDR_STRLEN];
        swirl_addr_format(&from, text, sizeof(text));
        cr_assert(strncmp(text, "unix:@", 6) == 0, "autobound sender, got %s", text);
    } else {
        cr_assert_eq(swirl_addr_port(&from), port_of(c));
        swirl_addr_t peer; /* a "connected" datagram socket has a default peer */
        cr_assert_eq(swirl_net_peer_addr(c, &peer), 0);
        cr_assert_eq(swirl_addr_port(&peer), port);
    }
    cr_assert_eq(swirl_net_sendto(sfd, "world!", 6, &from), 6);
    wait_for(c, POLLIN);
    cr_assert_eq(swirl_net_read(c, buf, sizeof(buf)), 6);
    cr_assert_eq(memcmp(buf, "world!", 6), 0);
    cr_assert_eq(swirl_net_recvfrom(sfd, buf, sizeof(buf), NULL), -EAGAIN);
    swirl_net_close(c);
    swirl_net_close(sfd);
}

/* ---- every socket kind ----------------------------------------------------------------- */

Test(socket, tcp_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    stream_roundtrip(SWIRL_SOCK_TCP, "127.0.0.1");
    stream_roundtrip(SWIRL_SOCK_TCP, "localhost");
    TU_FD_END();
}

Test(socket, tcp6_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    stream_roundtrip(SWIRL_SOCK_TCP6, "::1");
    stream_roundtrip(SWIRL_SOCK_TCP6, "[::1]");
    TU_FD_END();
}

Test(socket, udp_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    dgram_roundtrip(SWIRL_SOCK_UDP, "127.0.0.1");
    TU_FD_END();
}

Test(socket, udp6_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    dgram_roundtrip(SWIRL_SOCK_UDP6, "::1");
    TU_FD_END();
}

Test(socket, unix_stream_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "us");
    stream_roundtrip(SWIRL_SOCK_UNIX_STREAM, path);
    unlink(path);
    TU_FD_END();
}

Test(socket, unix_dgram_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "ud");
    dgram_roundtrip(SWIRL_SOCK_UNIX_DGRAM, path);
    unlink(path);
    TU_FD_END();
}

Test(socket, abstract_unix_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    char name[108];
    snprintf(name, sizeof(name), "@swirl-test-abstract-%d", (int)getpid());
    stream_roundtrip(SWIRL_SOCK_UNIX_STREAM, name);
    dgram_roundtrip(SWIRL_SOCK_UNIX_DGRAM, name);
    /* Nothing was created on disk, and the name reads back with its '@'. */
    int fd = listen_ok(SWIRL_SOCK_UNIX_STREAM, name, NULL);
    swirl_addr_t a;
    char text[SWIRL_ADDR_STRLEN];
    cr_assert_eq(swirl_net_local_addr(fd, &a), 0);
    swirl_addr_host(&a, text, sizeof(text));
    cr_assert_str_eq(text, name);
    swirl_net_close(fd);
    TU_FD_END();
}

/* ---- errors that name the address ------------------------------------------------------ */

/* Listen twice on one port: the second gets -EADDRINUSE, stores no fd, and
 * its message is `want_fmt` with the port filled in. */
static void port_in_use(swirl_sock_type_t type, const char *host, const char *want_fmt) {
    int a = listen_ok(type, host, NULL);
    int port = port_of(a);
    int b = -1;
    cr_assert_eq(swirl_net_listen(type, host, port, NULL, &b), -EADDRINUSE);
    cr_assert_eq(b, -1, "nothing stored on failure");
    cr_assert_eq(swirl_last_error(), -EADDRINUSE);
    char want[128];
    snprintf(want, sizeof(want), want_fmt, port);
    cr_assert_str_eq(swirl_last_error_msg(), want);
    swirl_net_close(a);
}

Test(socket, port_in_use, .timeout = 10) {
    TU_FD_BEGIN();
    port_in_use(SWIRL_SOCK_TCP, "127.0.0.1", "listen tcp 127.0.0.1:%d: Address already in use");
    port_in_use(SWIRL_SOCK_UDP, "127.0.0.1", "listen udp 127.0.0.1:%d: Address already in use");
    port_in_use(SWIRL_SOCK_TCP6, "::1", "listen tcp6 [::1]:%d: Address already in use");
    port_in_use(SWIRL_SOCK_UDP6, "::1", "listen udp6 [::1]:%d: Address already in use");
    TU_FD_END();
}

Test(socket, reuseport_shares_a_port, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    o.reuse_port = true;
    int a = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", &o);
    int b = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", port_of(a), &o, &b), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(getopt_int(b, SOL_SOCKET, SO_REUSEPORT), 1);
    swirl_net_close(b);
    swirl_net_close(a);
    TU_FD_END();
}

static void listen_fails(swirl_sock_type_t type, const char *host, int port, int code,
                         const char *needle) {
    int fd = -1;
    swirl_clear_error();
    int rc = swirl_net_listen(type, host, port, NULL, &fd);
    cr_assert_eq(rc, code, "listen \"%s\" %d: got %s, want %s", host ? host : "(null)", port,
                 swirl_err_name(rc), swirl_err_name(code));
    cr_assert_eq(fd, -1);
    cr_assert(strstr(swirl_last_error_msg(), needle), "message \"%s\" should contain \"%s\"",
              swirl_last_error_msg(), needle);
    fd = -1;
    swirl_clear_error();
    rc = swirl_net_connect(type, host, port, &fd);
    cr_assert_eq(rc, code, "connect \"%s\" %d: got %s", host ? host : "(null)", port,
                 swirl_err_name(rc));
    cr_assert_eq(fd, -1);
    cr_assert(strstr(swirl_last_error_msg(), needle), "message \"%s\" should contain \"%s\"",
              swirl_last_error_msg(), needle);
}

Test(socket, malformed_addresses, .timeout = 10) {
    TU_FD_BEGIN();
    listen_fails(SWIRL_SOCK_TCP, "300.1.1.1", 80, SWIRL_EBADADDR,
                 "address \"300.1.1.1\" for tcp: expected a numeric IPv4 address");
    listen_fails(SWIRL_SOCK_TCP, "abc", 80, SWIRL_EBADADDR, "\"abc\"");
    listen_fails(SWIRL_SOCK_TCP, "::1", 80, SWIRL_EBADADDR, "\"::1\" for tcp");
    listen_fails(SWIRL_SOCK_TCP6, "1.2.3.4", 80, SWIRL_EBADADDR, "\"1.2.3.4\" for tcp6");
    listen_fails(SWIRL_SOCK_UDP, "", 80, SWIRL_EBADADDR, "\"\" for udp");
    listen_fails(SWIRL_SOCK_TCP, NULL, 80, SWIRL_EBADADDR, "for tcp");
    listen_fails(SWIRL_SOCK_TCP, "127.0.0.1", -1, SWIRL_EBADPORT, "port -1");
    listen_fails(SWIRL_SOCK_UDP6, "::1", 70000, SWIRL_EBADPORT, "port 70000");
    listen_fails(0, "127.0.0.1", 80, SWIRL_EBADARG, "socket type 0");
    char path[300];
    memset(path, 'x', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    listen_fails(SWIRL_SOCK_UNIX_STREAM, path, 0, SWIRL_EBADADDR, "/xxxxxxxx");
    listen_fails(SWIRL_SOCK_UNIX_DGRAM, path, 0, SWIRL_EBADADDR, "for unix_dgram");
    TU_FD_END();
}

Test(socket, bad_arguments, .timeout = 10) {
    TU_FD_BEGIN();
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", 1, NULL), SWIRL_EBADARG);
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    o.backlog = 0;
    int fd = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, &o, &fd), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "backlog 0"), "%s", swirl_last_error_msg());
    swirl_listen_opts_init(&o);
    o.rcvbuf = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, &o, &fd), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "rcvbuf -1"), "%s", swirl_last_error_msg());
    swirl_listen_opts_init(&o);
    o.unix_mode = 010000;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, "@x", 0, &o, &fd), SWIRL_EBADARG);
    cr_assert_eq(fd, -1);
    TU_FD_END();
}

Test(socket, bind_permission_denied_names_address, .timeout = 10) {
    TU_FD_BEGIN();
    char path[128];
    snprintf(path, sizeof(path), "/proc/swirl-cannot-be-here-%d", (int)getpid());
    int fd = -1;
    int rc = swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, path, 0, NULL, &fd);
    cr_assert_lt(rc, 0);
    cr_assert_eq(fd, -1);
    cr_assert(strstr(swirl_last_error_msg(), path), "%s", swirl_last_error_msg());
    TU_FD_END();
}

/* ---- Unix paths ------------------------------------------------------------------------ */

Test(socket, stale_unix_socket_is_replaced, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "stale");
    /* A server that died without unlinking leaves its socket file behind. */
    int dead = listen_ok(SWIRL_SOCK_UNIX_STREAM, path, NULL);
    swirl_net_close(dead);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));

    int fd = listen_ok(SWIRL_SOCK_UNIX_STREAM, path, NULL);
    int c = connect_ok(SWIRL_SOCK_UNIX_STREAM, path, 0);
    int s = accept_ok(fd, NULL);
    pass(c, s, "after replacing");
    swirl_net_close(c);
    swirl_net_close(s);
    swirl_net_close(fd);

    /* The same for datagram sockets. */
    int d = listen_ok(SWIRL_SOCK_UNIX_DGRAM, path, NULL);
    swirl_net_close(d);
    d = listen_ok(SWIRL_SOCK_UNIX_DGRAM, path, NULL);
    swirl_net_close(d);
    unlink(path);
    TU_FD_END();
}

Test(socket, live_unix_socket_is_refused, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "live");
    int a = listen_ok(SWIRL_SOCK_UNIX_STREAM, path, NULL);
    int b = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, path, 0, NULL, &b), -EADDRINUSE);
    cr_assert_eq(b, -1);
    cr_assert(strstr(swirl_last_error_msg(), path), "%s", swirl_last_error_msg());
    /* Still served by the first listener. */
    int c = connect_ok(SWIRL_SOCK_UNIX_STREAM, path, 0);
    int s = accept_ok(a, NULL);
    swirl_net_close(c);
    swirl_net_close(s);
    swirl_net_close(a);

    int d = listen_ok(SWIRL_SOCK_UNIX_DGRAM, path, NULL);
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_DGRAM, path, 0, NULL, &b), -EADDRINUSE);
    swirl_net_close(d);
    unlink(path);
    TU_FD_END();
}

Test(socket, live_abstract_name_is_refused, .timeout = 10) {
    TU_FD_BEGIN();
    char name[64];
    snprintf(name, sizeof(name), "@swirl-test-inuse-%d", (int)getpid());
    int a = listen_ok(SWIRL_SOCK_UNIX_STREAM, name, NULL);
    int b = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, name, 0, NULL, &b), -EADDRINUSE);
    cr_assert(strstr(swirl_last_error_msg(), name), "%s", swirl_last_error_msg());
    swirl_net_close(a);
    TU_FD_END();
}

Test(socket, regular_file_is_not_deleted, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "file");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("precious", f);
    fclose(f);
    int fd = -1;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, path, 0, NULL, &fd), -EADDRINUSE);
    cr_assert_eq(fd, -1);
    cr_assert(strstr(swirl_last_error_msg(), path), "%s", swirl_last_error_msg());
    cr_assert(strstr(swirl_last_error_msg(), "not a socket"), "%s", swirl_last_error_msg());
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "the file must survive");
    cr_assert(S_ISREG(st.st_mode));
    cr_assert_eq(st.st_size, 8);
    unlink(path);
    TU_FD_END();
}

Test(socket, unix_mode_is_applied, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "mode");
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    o.unix_mode = 0600;
    int fd = listen_ok(SWIRL_SOCK_UNIX_STREAM, path, &o);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    swirl_net_close(fd);
    unlink(path);
    TU_FD_END();
}

Test(socket, unix_connect_missing_path, .timeout = 10) {
    TU_FD_BEGIN();
    char path[108];
    tu_tmp_path(path, sizeof(path), "missing");
    int fd = -1;
    cr_assert_eq(swirl_net_connect(SWIRL_SOCK_UNIX_STREAM, path, 0, &fd), -ENOENT);
    cr_assert_eq(fd, -1);
    cr_assert(strstr(swirl_last_error_msg(), path), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_net_connect(SWIRL_SOCK_UNIX_DGRAM, path, 0, &fd), -ENOENT);
    cr_assert_eq(fd, -1);
    TU_FD_END();
}

/* ---- options --------------------------------------------------------------------------- */

Test(socket, listen_options_applied, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    cr_assert_eq(o.backlog, 512);
    cr_assert(o.reuse_addr);
    o.tcp_nodelay = true;
    o.reuse_port = true;
    o.defer_accept = 5;
    o.fastopen = 16;
    o.rcvbuf = 65536;
    o.sndbuf = 32768;
    int fd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", &o);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEPORT), 1);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    /* The kernel keeps defer-accept as a retransmit count: it reads back
     * rounded up, never as 0. */
    cr_assert_geq(getopt_int(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 5);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_FASTOPEN), 16);
    /* Linux doubles the value asked for, for its bookkeeping. */
    cr_assert_geq(getopt_int(fd, SOL_SOCKET, SO_RCVBUF), 65536);
    cr_assert_geq(getopt_int(fd, SOL_SOCKET, SO_SNDBUF), 32768);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);

    /* TCP_NODELAY is inherited by accepted sockets. defer_accept holds the
     * connection back until data arrives, so send some first. */
    int c = connect_ok(SWIRL_SOCK_TCP, "127.0.0.1", port_of(fd));
    cr_assert_eq(swirl_net_write(c, "x", 1), 1);
    int s = accept_ok(fd, NULL);
    cr_assert_eq(getopt_int(s, IPPROTO_TCP, TCP_NODELAY), 1);
    swirl_net_close(s);
    swirl_net_close(c);
    swirl_net_close(fd);
    TU_FD_END();
}

Test(socket, default_options, .timeout = 10) {
    TU_FD_BEGIN();
    int fd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEPORT), 0);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 0);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    swirl_net_close(fd);
    /* UDP never gets SO_REUSEADDR (it would let two servers share a port). */
    fd = listen_ok(SWIRL_SOCK_UDP, "127.0.0.1", NULL);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEADDR), 0);
    swirl_net_close(fd);
    TU_FD_END();
}

Test(socket, ipv6_only_option, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    int fd = listen_ok(SWIRL_SOCK_TCP6, "::", &o);
    cr_assert_eq(getopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
    /* Dual stack: an IPv4 client reaches the "::" listener. */
    int c = connect_ok(SWIRL_SOCK_TCP, "127.0.0.1", port_of(fd));
    swirl_addr_t peer;
    int s = accept_ok(fd, &peer);
    char text[SWIRL_ADDR_STRLEN];
    swirl_addr_host(&peer, text, sizeof(text));
    cr_assert_str_eq(text, "::ffff:127.0.0.1");
    swirl_net_close(s);
    swirl_net_close(c);
    swirl_net_close(fd);

    o.ipv6_only = true;
    fd = listen_ok(SWIRL_SOCK_UDP6, "::", &o);
    cr_assert_eq(getopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    swirl_net_close(fd);
    TU_FD_END();
}

Test(socket, option_setters, .timeout = 10) {
    TU_FD_BEGIN();
    int fd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    cr_assert_eq(swirl_net_set_nodelay(fd, true), 0);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    cr_assert_eq(swirl_net_set_nodelay(fd, false), 0);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_NODELAY), 0);
    cr_assert_eq(swirl_net_set_reuseport(fd, true), 0);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_REUSEPORT), 1);
    int before = getopt_int(fd, SOL_SOCKET, SO_SNDBUF);
    cr_assert_eq(swirl_net_set_bufsize(fd, 100000, 0), 0);
    cr_assert_geq(getopt_int(fd, SOL_SOCKET, SO_RCVBUF), 100000);
    cr_assert_eq(getopt_int(fd, SOL_SOCKET, SO_SNDBUF), before, "0 leaves sndbuf alone");
    cr_assert_eq(swirl_net_set_bufsize(fd, -1, 0), -EINVAL);
    cr_assert_eq(swirl_net_set_defer_accept(fd, 3), 0);
    cr_assert_gt(getopt_int(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    cr_assert_eq(swirl_net_set_fastopen(fd, 8), 0);
    cr_assert_eq(getopt_int(fd, IPPROTO_TCP, TCP_FASTOPEN), 8);

    cr_assert_eq(swirl_net_set_nonblock(fd, false), 0);
    cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    cr_assert_eq(swirl_net_set_nonblock(fd, true), 0);
    cr_assert_neq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    swirl_net_close(fd);

    /* Wrong kind of socket or fd: a negative errno, nothing else. */
    char name[64];
    snprintf(name, sizeof(name), "@swirl-test-opts-%d", (int)getpid());
    int u = listen_ok(SWIRL_SOCK_UNIX_STREAM, name, NULL);
    cr_assert_lt(swirl_net_set_nodelay(u, true), 0);
    swirl_net_close(u);
    cr_assert_eq(swirl_net_set_nodelay(-1, true), -EBADF);
    cr_assert_eq(swirl_net_set_nonblock(-1, true), -EBADF);
    swirl_addr_t a;
    cr_assert_eq(swirl_net_local_addr(-1, &a), -EBADF);
    cr_assert_eq(swirl_net_peer_addr(-1, &a), -EBADF);
    swirl_net_close(-1); /* a no-op */
    TU_FD_END();
}

/* ---- connect results ------------------------------------------------------------------- */

/* A port nobody listens on: bind one, read it, close it. */
static int closed_port(void) {
    int fd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    int port = port_of(fd);
    swirl_net_close(fd);
    return port;
}

Test(socket, connect_refused, .timeout = 10) {
    TU_FD_BEGIN();
    int port = closed_port();
    int fd = -1;
    int rc = swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", port, &fd);
    if (rc == -EINPROGRESS) {
        cr_assert_geq(fd, 0);
        cr_assert_eq(swirl_net_connect_wait(fd, 5000), -ECONNREFUSED);
        swirl_net_close(fd);
    } else {
        cr_assert_eq(rc, -ECONNREFUSED);
        cr_assert_eq(fd, -1);
        char want[32];
        snprintf(want, sizeof(want), "127.0.0.1:%d", port);
        cr_assert(strstr(swirl_last_error_msg(), want));
    }

    fd = -1;
    rc = swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", port, &fd);
    if (rc == -EINPROGRESS) {
        wait_for(fd, POLLOUT);
        cr_assert_eq(swirl_net_connect_result(fd), -ECONNREFUSED);
        swirl_net_close(fd);
    } else {
        cr_assert_eq(rc, -ECONNREFUSED);
    }
    cr_assert_eq(swirl_net_connect_result(-1), -EBADF);
    cr_assert_eq(swirl_net_connect_wait(-1, 100), -EBADF);
    TU_FD_END();
}

Test(socket, connect_wait_times_out, .timeout = 10) {
    TU_FD_BEGIN();
    /* With the accept queue full and nobody accepting, Linux drops further
     * SYNs: those connects stay in progress. */
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    o.backlog = 1;
    int lfd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", &o);
    int port = port_of(lfd);
    int fds[8];
    int n = 0, timed_out = 0;
    for (; n < 8 && !timed_out; n++) {
        fds[n] = -1;
        int rc = swirl_net_connect(SWIRL_SOCK_TCP, "127.0.0.1", port, &fds[n]);
        if (rc == -EINPROGRESS)
            rc = swirl_net_connect_wait(fds[n], 200);
        if (rc == -ETIMEDOUT)
            timed_out = 1;
        else
            cr_assert_eq(rc, 0, "%s", swirl_strerror(rc));
    }
    cr_assert(timed_out, "no connect ever stalled");
    for (int i = 0; i < n; i++)
        swirl_net_close(fds[i]);
    swirl_net_close(lfd);
    TU_FD_END();
}

/* ---- accept ---------------------------------------------------------------------------- */

Test(socket, accept_empty_is_eagain, .timeout = 10) {
    TU_FD_BEGIN();
    int lfd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    int fd = -1;
    cr_assert_eq(swirl_net_accept(lfd, NULL, &fd), -EAGAIN);
    cr_assert_eq(fd, -1);
    swirl_net_close(lfd);
    cr_assert_eq(swirl_net_accept(-1, NULL, &fd), -EBADF);
    TU_FD_END();
}

Test(socket, reserve_fd, .timeout = 10) {
    TU_FD_BEGIN();
    int r = swirl_net_reserve_fd();
    cr_assert_geq(r, 0);
    cr_assert(fcntl(r, F_GETFD) & FD_CLOEXEC);
    cr_assert_eq(fcntl(r, F_GETFL) & O_ACCMODE, O_RDONLY);
    swirl_net_close(r);
    TU_FD_END();
}

/* The fd number the next open would get: the lowest one free. */
static int lowest_free_fd(void) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    close(fd);
    return fd;
}

Test(socket, accept_shed_on_emfile, .timeout = 10) {
    TU_FD_BEGIN();
    int lfd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    int reserve = swirl_net_reserve_fd();
    cr_assert_geq(reserve, 0);
    int c = connect_ok(SWIRL_SOCK_TCP, "127.0.0.1", port_of(lfd));
    wait_for(lfd, POLLIN);

    /* Criterion runs this test in its own process. Fds numbered at or
     * above the limit stay open; only new ones must fit below it, so a
     * limit at the lowest free number makes the next accept fail (EMFILE). */
    struct rlimit old, low;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = (rlim_t)lowest_free_fd();
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    int fd = -1;
    int rc_accept = swirl_net_accept(lfd, NULL, &fd);
    int rc_shed = swirl_net_accept_shed(lfd, &reserve);
    int rc_empty = swirl_net_accept_shed(lfd, &reserve);
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);

    cr_assert_eq(rc_accept, -EMFILE, "accept: %s", swirl_strerror(rc_accept));
    cr_assert_eq(fd, -1);
    cr_assert_eq(rc_shed, 0, "shed: %s", swirl_strerror(rc_shed));
    cr_assert_eq(rc_empty, -EAGAIN);
    cr_assert_geq(reserve, 0, "the reserve is taken again");
    /* The shed client sees the connection closed, not a hang. */
    wait_for(c, POLLIN);
    char b;
    ssize_t n = swirl_net_read(c, &b, 1);
    cr_assert(n == 0 || n == -ECONNRESET, "client read %zd", n);
    swirl_net_close(c);
    swirl_net_close(reserve);
    swirl_net_close(lfd);
    TU_FD_END();
}

/* ---- reads and writes ------------------------------------------------------------------ */

Test(socket, read_write_eagain, .timeout = 10) {
    TU_FD_BEGIN();
    int lfd = listen_ok(SWIRL_SOCK_TCP, "127.0.0.1", NULL);
    int c = connect_ok(SWIRL_SOCK_TCP, "127.0.0.1", port_of(lfd));
    int s = accept_ok(lfd, NULL);
    char buf[65536];
    cr_assert_eq(swirl_net_read(s, buf, sizeof(buf)), -EAGAIN);
    /* Nobody reads: the send buffer fills and writes report -EAGAIN. */
    memset(buf, 'w', sizeof(buf));
    ssize_t n;
    size_t total = 0;
    while ((n = swirl_net_write(c, buf, sizeof(buf))) > 0)
        total += (size_t)n;
    cr_assert_eq(n, -EAGAIN);
    cr_assert_gt(total, 0);
    swirl_net_close(s);
    swirl_net_close(c);
    swirl_net_close(lfd);
    TU_FD_END();
}

Test(socket, write_to_closed_peer_is_epipe_not_sigpipe, .timeout = 10) {
    TU_FD_BEGIN();
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    swirl_net_close(sv[1]);
    /* SIGPIPE's default action would kill this test process. */
    cr_assert_eq(swirl_net_write(sv[0], "x", 1), -EPIPE);
    swirl_net_close(sv[0]);

    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    /* Not a socket: the write() fallback. */
    cr_assert_eq(swirl_net_write(p[1], "pipe", 4), 4);
    char buf[8];
    cr_assert_eq(swirl_net_read(p[0], buf, sizeof(buf)), 4);
    cr_assert_eq(memcmp(buf, "pipe", 4), 0);
    swirl_net_close(p[0]);
    /* A pipe has no MSG_NOSIGNAL: ignore SIGPIPE here to see the errno. */
    signal(SIGPIPE, SIG_IGN);
    cr_assert_eq(swirl_net_write(p[1], "x", 1), -EPIPE);
    swirl_net_close(p[1]);
    cr_assert_eq(swirl_net_write(-1, "x", 1), -EBADF);
    cr_assert_eq(swirl_net_read(-1, buf, 1), -EBADF);
    TU_FD_END();
}

/* Each SIGALRM interrupts the blocking read below; the third one also
 * supplies the data (write() is async-signal-safe). */
static volatile sig_atomic_t alarms;
static int alarm_writer = -1;

static void on_alarm(int sig) {
    (void)sig;
    if (++alarms == 3) {
        ssize_t w = write(alarm_writer, "late", 4);
        (void)w;
    }
}

Test(socket, read_retries_eintr, .timeout = 10) {
    TU_FD_BEGIN();
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    cr_assert_eq(swirl_net_set_nonblock(sv[0], false), 0);
    alarm_writer = sv[1];
    /* Without SA_RESTART a blocking read fails with EINTR at every alarm;
     * the wrapper must retry and still return the data. */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = {.it_value = {.tv_usec = 20000}, .it_interval = {.tv_usec = 20000}};
    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    char buf[8];
    ssize_t n = swirl_net_read(sv[0], buf, sizeof(buf));
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    cr_assert_eq(n, 4, "read: %zd", n);
    cr_assert_eq(memcmp(buf, "late", 4), 0);
    cr_assert_geq(alarms, 3);
    swirl_net_close(sv[0]);
    swirl_net_close(sv[1]);
    TU_FD_END();
}

/* SCM_RIGHTS over a socket pair: the descriptors arrive close-on-exec and
 * usable; more than the reader takes are closed, not leaked; too many to
 * send is -EINVAL; nothing there is -EAGAIN. */
Test(socket, send_and_recv_fds, .timeout = 10) {
    int sp[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    int two[2] = {p[1], p[1]};
    cr_assert_eq(swirl_net_send_fds(sp[0], "hello", 5, two, 2), 5);
    char buf[16];
    int got[1], n = -1;
    cr_assert_eq(swirl_net_recv_fds(sp[1], buf, sizeof(buf), got, 1, &n), 5);
    cr_assert_eq(n, 1, "the reader takes one, the other is closed");
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    cr_assert(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
    cr_assert_eq(write(got[0], "x", 1), 1);
    close(got[0]);
    close(p[1]);
    char c;
    cr_assert_eq(read(p[0], &c, 1), 1);
    cr_assert_eq(read(p[0], &c, 1), 0, "every copy of the write end is closed");
    close(p[0]);
    int many[SWIRL_NET_MAX_FDS + 1] = {0};
    cr_assert_eq(swirl_net_send_fds(sp[0], "x", 1, many, SWIRL_NET_MAX_FDS + 1), -EINVAL);
    cr_assert_eq(swirl_net_send_fds(sp[0], "plain", 5, NULL, 0), 5);
    cr_assert_eq(swirl_net_recv_fds(sp[1], buf, sizeof(buf), got, 1, &n), 5);
    cr_assert_eq(n, 0);
    cr_assert_eq(swirl_net_recv_fds(sp[1], buf, sizeof(buf), got, 1, &n), -EAGAIN);
    close(sp[0]);
    close(sp[1]);
}

Test(socket, write_to_pipe_without_reader_is_epipe_not_sigpipe, .timeout = 10) {
    /* A pipe cannot take send(MSG_NOSIGNAL): write(2) raises SIGPIPE, whose
     * default action would kill this process. */
    signal(SIGPIPE, SIG_DFL);
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    close(p[0]);
    cr_assert_eq(swirl_net_write(p[1], "x", 1), -EPIPE);
    sigset_t pending, mask;
    cr_assert_eq(sigpending(&pending), 0);
    cr_assert_not(sigismember(&pending, SIGPIPE), "our SIGPIPE was taken away");
    cr_assert_eq(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
    cr_assert_not(sigismember(&mask, SIGPIPE), "the mask is restored");
    close(p[1]);
}
