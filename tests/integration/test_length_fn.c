/* tests/integration/test_length_fn.c — package_length_func on the server
 * (swirl_server_set_length_fn, swirl_port_set_length_fn): a real server
 * in BASE and PROCESS mode, cut by a C length function, talked to over
 * real sockets. The messages are "<digits>:<body>", the digits counting
 * the body; the server answers each delivery with "<its length>" so the
 * cuts show. */
#include <stdint.h>
#include "server_harness.h"

/* "<digits>:" then that many bytes: the whole length once the ':' is
 * there, 0 before, -1 for anything else before it. */
static ssize_t digits_colon(const void *data, size_t len, void *user) {
    (void)user;
    const char *p = data;
    size_t body = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == ':')
            return i == 0 ? -1 : (ssize_t)(i + 1 + body);
        if (p[i] < '0' || p[i] > '9' || i >= 9)
            return -1;
        body = body * 10 + (size_t)(p[i] - '0');
    }
    return 0;
}

/* The whole stream is one message of `n` bytes, n given by the first byte
 * (a port's own function). */
static ssize_t first_byte(const void *data, size_t len, void *user) {
    (void)len;
    (void)user;
    return ((const unsigned char *)data)[0];
}

static void cb_len_reply(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    char out[32];
    int n = snprintf(out, sizeof(out), "<%zu>", ev->len);
    swirl_server_send(srv, ev->fd, out, (size_t)n);
}

typedef struct {
    const char *max_length; /* package_max_length, or NULL */
    bool length_check;      /* open_length_check */
    swirl_port_t *port;     /* extra listener (port test) */
} cfg_t;

static void configure(swirl_server_t *srv, void *arg) {
    cfg_t *c = arg;
    swirl_server_set_text(srv, "worker_num", "2");
    swirl_server_set_text(srv, "reactor_num", "2");
    if (c->length_check)
        swirl_server_set_text(srv, "open_length_check", "true");
    if (c->max_length)
        swirl_server_set_text(srv, "package_max_length", c->max_length);
    if (swirl_server_set_length_fn(srv, digits_colon, NULL) < 0)
        _exit(5);
    swirl_server_on(srv, "receive", cb_len_reply, NULL);
}

static void expect(int fd, const char *want) {
    char back[256] = {0};
    size_t n = strlen(want);
    cr_assert_lt(n, sizeof(back));
    th_recv_exact(fd, back, n);
    cr_assert_str_eq(back, want);
}

Test(server_length_fn, whole_byte_by_byte_and_many_in_one_read, .timeout = 60) {
    for (int mode = SWIRL_MODE_BASE; mode <= SWIRL_MODE_PROCESS; mode++) {
        cfg_t cfg = {.length_check = true};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "5:hello", 7); /* whole */
        expect(fd, "<7>");
        th_send_all(fd, "1:a2:bb10:0123456789", 20); /* three in one write */
        expect(fd, "<3><4><13>");
        const char *one = "12:abcdefghijkl"; /* one byte at a time: 0 until the ':' */
        for (size_t i = 0; i < strlen(one); i++) {
            th_send_all(fd, one + i, 1);
            usleep(2000);
        }
        expect(fd, "<15>");
        th_send_all(fd, "3", 1); /* the header cut, then the rest and the next */
        usleep(20000);
        th_send_all(fd, ":xyz0:", 6);
        expect(fd, "<5><2>");
        close(fd);
        cr_assert_eq(th_stop(&s), 0, "mode %d", mode);
    }
}

Test(server_length_fn, negative_closes_only_that_connection, .timeout = 60) {
    for (int mode = SWIRL_MODE_BASE; mode <= SWIRL_MODE_PROCESS; mode++) {
        cfg_t cfg = {.length_check = true};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int good = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int bad = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(good, "2:o", 3);
        th_send_all(bad, "x:junk", 6);
        cr_assert(th_closed_by_peer(bad), "mode %d: a negative length closes it", mode);
        th_send_all(good, "k", 1);
        expect(good, "<4>");
        close(good);
        close(bad);
        cr_assert_eq(th_stop(&s), 0);
    }
}

Test(server_length_fn, past_package_max_length_closes_it, .timeout = 60) {
    for (int mode = SWIRL_MODE_BASE; mode <= SWIRL_MODE_PROCESS; mode++) {
        cfg_t cfg = {.length_check = true, .max_length = "100"};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int good = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        int bad = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(bad, "98:", 3); /* 101 bytes in all */
        cr_assert(th_closed_by_peer(bad), "mode %d: past package_max_length closes it", mode);
        char msg[101];
        memcpy(msg, "97:", 3);
        memset(msg + 3, 'm', 97); /* exactly 100 */
        th_send_all(good, msg, 100);
        expect(good, "<100>");
        close(good);
        close(bad);
        cr_assert_eq(th_stop(&s), 0);
    }
}

Test(server_length_fn, no_length_within_package_max_length_closes_it, .timeout = 60) {
    for (int mode = SWIRL_MODE_BASE; mode <= SWIRL_MODE_PROCESS; mode++) {
        cfg_t cfg = {.length_check = true, .max_length = "8"};
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure, &cfg);
        int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(fd, "1234567", 7); /* 0: need more */
        usleep(20000);
        th_send_all(fd, "8", 1); /* 8 digits and still no ':': it cannot fit */
        cr_assert(th_closed_by_peer(fd), "mode %d: the buffer does not grow past the bound", mode);
        close(fd);
        cr_assert_eq(th_stop(&s), 0);
    }
}

Test(server_length_fn, no_effect_without_open_length_check, .timeout = 30) {
    cfg_t cfg = {.length_check = false};
    th_server_t s = th_start("127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP, configure, &cfg);
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "x:abc", 5); /* the function would refuse it: not called */
    expect(fd, "<5>");
    close(fd);
    cr_assert_eq(th_stop(&s), 0);
}

/* A second listener (a Unix socket, so its address is known before
 * start) with its own function; the main one keeps the server's. */
static char port_path[128];

static void configure_port(swirl_server_t *srv, void *arg) {
    cfg_t *c = arg;
    configure(srv, arg);
    if (swirl_server_listen(srv, port_path, 0, SWIRL_SOCK_UNIX_STREAM, &c->port) < 0 ||
        swirl_port_set(c->port, "open_length_check", swirl_value_bool(true)) < 0 ||
        swirl_port_set_length_fn(c->port, first_byte, NULL) < 0)
        _exit(6);
}

Test(server_length_fn, a_port_has_its_own, .timeout = 60) {
    for (int mode = SWIRL_MODE_BASE; mode <= SWIRL_MODE_PROCESS; mode++) {
        cfg_t cfg = {.length_check = true};
        tu_tmp_path(port_path, sizeof(port_path), "sock");
        th_server_t s = th_start("127.0.0.1", 0, mode, SWIRL_SOCK_TCP, configure_port, &cfg);
        int fd = th_connect(SWIRL_SOCK_UNIX_STREAM, port_path, 0);
        th_send_all(fd, "\005abcd\003xy", 8); /* the port's: by the first byte */
        expect(fd, "<5><3>");
        int main_fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
        th_send_all(main_fd, "2:ab", 4); /* the server's */
        expect(main_fd, "<4>");
        close(fd);
        close(main_fd);
        cr_assert_eq(th_stop(&s), 0);
        unlink(port_path);
    }
}

Test(server_length_fn, api_refusals) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE, SWIRL_SOCK_TCP), 0);
    cr_assert_eq(swirl_server_set_length_fn(NULL, digits_colon, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_port_set_length_fn(NULL, digits_colon, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_server_set_length_fn(srv, digits_colon, NULL), 0);
    cr_assert_eq(swirl_server_set_length_fn(srv, NULL, NULL), 0, "NULL: the length field again");
    swirl_server_free(srv);
}
