/* tests/integration/test_client.c — the client against swirl's own servers:
 * echo with EOF and length framing (one whole message per recv, up to 8 MB),
 * UDP and Unix sockets, timeouts, refused connections and unknown names,
 * keep-alive reuse, sendfile, the async client on a loop, and bad input.
 * The real third-party peers (redis, nginx over TLS) are in
 * test_client_real.c, linked into the same binary. */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "client_test.h"

TU_SUITE(client_async);
TU_SUITE(client_dgram);
TU_SUITE(client_errors);
TU_SUITE(client_framing);
TU_SUITE(client_keep);
TU_SUITE(client_sendfile);

/* ---- the servers under test ------------------------------------------------------------- */

typedef struct {
    const char *settings[8][2]; /* key, text; NULL-terminated */
    bool silent;                /* receive nothing back */
} srv_cfg_t;

static void cb_echo(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    if (ev->len == 6 && memcmp(ev->data, "quit\r\n", 6) == 0) {
        swirl_server_close(srv, ev->fd, false);
        return;
    }
    swirl_server_send(srv, ev->fd, ev->data, ev->len);
}

static void cb_silent(swirl_server_t *srv, const swirl_event_t *ev, void *user) {}

static void cb_packet(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_server_sendto(srv, ev->addr, ev->data, ev->len, ev->server_fd);
}

static void configure(swirl_server_t *srv, void *arg) {
    srv_cfg_t *c = arg;
    swirl_server_set_text(srv, "worker_num", "1");
    for (int i = 0; i < 8 && c->settings[i][0]; i++)
        if (swirl_server_set_text(srv, c->settings[i][0], c->settings[i][1]) < 0)
            _exit(5);
    swirl_server_on(srv, "receive", c->silent ? cb_silent : cb_echo, NULL);
    swirl_server_on(srv, "packet", cb_packet, NULL);
}

static th_server_t start_echo(swirl_sock_type_t type, const char *host, srv_cfg_t *cfg) {
    return th_start(host, 0, SWIRL_MODE_BASE, type, configure, cfg);
}

static swirl_client_t *new_client(int type) {
    swirl_client_t *c;
    int rc = swirl_client_new(&c, type, false, NULL);
    cr_assert_eq(rc, 0, "new: %s", swirl_last_error_msg());
    return c;
}

static void set_text(swirl_client_t *c, const char *k, const char *v) {
    cr_assert_eq(swirl_client_set_text(c, k, v), 0, "%s: %s", k, swirl_last_error_msg());
}

static void connect_ok(swirl_client_t *c, const char *host, int port) {
    int rc = swirl_client_connect(c, host, port, 5);
    cr_assert_eq(rc, 0, "connect %s:%d: %s", host, port, swirl_last_error_msg());
    cr_assert(swirl_client_is_connected(c));
}

/* ---- framing --------------------------------------------------------------------------- */

Test(client_framing, eof_split_one_message_per_recv, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.settings = {{"open_eof_split", "true"}, {"package_eof", "\\r\\n"}}};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    /* the seed's example 1, with split so each recv is one line */
    cr_assert_eq(swirl_client_set_bool(c, "open_eof_check", true), 0);
    cr_assert_eq(swirl_client_set_bool(c, "open_eof_split", true), 0);
    set_text(c, "package_eof", "\r\n");
    cr_assert_eq(swirl_client_set_int(c, "package_max_length", 1024 * 1024 * 2), 0);
    connect_ok(c, "127.0.0.1", s.port);
    const char *msgs[] = {"a\r\n", "bb\r\n", "ccc\r\n"};
    cr_assert_eq(swirl_client_send(c, "a\r\nbb\r\nccc\r\n", 12), 12);
    char buf[64];
    for (int i = 0; i < 3; i++) {
        ssize_t n = swirl_client_recv(c, buf, sizeof(buf), 0);
        cr_assert_eq(n, (ssize_t)strlen(msgs[i]), "message %d: %zd (%s)", i, n,
                     swirl_last_error_msg());
        cr_assert_eq(memcmp(buf, msgs[i], (size_t)n), 0);
    }
    /* a message cut across writes still comes whole */
    cr_assert_eq(swirl_client_send(c, "hel", 3), 3);
    usleep(50000);
    cr_assert_eq(swirl_client_send(c, "lo\r\n", 4), 4);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 7);
    cr_assert_eq(memcmp(buf, "hello\r\n", 7), 0);
    cr_assert_eq(swirl_client_close(c, false), 0);
    cr_assert_not(swirl_client_is_connected(c));
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

/* A length-framed message: 4-byte big-endian length, then the body. */
static void put_frame(swirl_buf_t *b, size_t len, unsigned seed) {
    uint32_t be = htonl((uint32_t)len);
    cr_assert_eq(swirl_buf_append(b, &be, 4), 0);
    cr_assert_eq(swirl_buf_reserve(b, len), 0);
    for (size_t i = 0; i < len; i++)
        b->data[b->len + i] = (char)((i * 31 + seed) & 0xff);
    swirl_buf_commit(b, len);
}

Test(client_framing, length_messages_up_to_8mb, .timeout = 60) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.settings = {{"open_length_check", "true"},
                                  {"package_length_type", "N"},
                                  {"package_body_offset", "4"},
                                  {"package_max_length", "16M"},
                                  {"buffer_output_size", "32M"},
                                  {"socket_buffer_size", "64M"}}};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    /* the seed's example 2 (open_length_check given as 1) */
    cr_assert_eq(swirl_client_set_int(c, "open_length_check", 1), 0);
    set_text(c, "package_length_type", "N");
    cr_assert_eq(swirl_client_set_int(c, "package_length_offset", 0), 0);
    cr_assert_eq(swirl_client_set_int(c, "package_body_offset", 4), 0);
    set_text(c, "package_max_length", "16M");
    set_text(c, "read_timeout", "20");
    set_text(c, "write_timeout", "20");
    connect_ok(c, "127.0.0.1", s.port);
    size_t sizes[] = {0, 1, 1000, 100000, 8 * 1024 * 1024};
    swirl_buf_t all = {0}, got = {0};
    for (size_t i = 0; i < 5; i++)
        put_frame(&all, sizes[i], (unsigned)i);
    /* everything at once: the replies come back-to-back on the stream */
    cr_assert_eq(swirl_client_send(c, swirl_buf_bytes(&all), swirl_buf_size(&all)),
                 (ssize_t)swirl_buf_size(&all), "%s", swirl_last_error_msg());
    size_t off = 0;
    for (size_t i = 0; i < 5; i++) {
        swirl_buf_clear(&got);
        ssize_t n = swirl_client_recv_buf(c, &got, 0);
        cr_assert_eq(n, (ssize_t)(sizes[i] + 4), "message %zu: %zd (%s)", i, n,
                     swirl_last_error_msg());
        cr_assert_eq(memcmp(swirl_buf_bytes(&got), all.data + off, (size_t)n), 0);
        off += (size_t)n;
    }
    /* a fixed buffer too small: refused, the message stays for the next call */
    swirl_buf_clear(&all);
    put_frame(&all, 5000, 7);
    cr_assert_eq(swirl_client_send(c, swirl_buf_bytes(&all), swirl_buf_size(&all)), 5004);
    char small[100];
    cr_assert_eq(swirl_client_recv(c, small, sizeof(small), 0), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "5004 bytes"), "%s", swirl_last_error_msg());
    char *big = malloc(6000);
    cr_assert_eq(swirl_client_recv(c, big, 6000, MSG_PEEK), 5004);
    cr_assert_eq(swirl_client_recv(c, big, 6000, 0), 5004);
    cr_assert_eq(memcmp(big, all.data, 5004), 0);
    free(big);
    swirl_buf_destroy(&all);
    swirl_buf_destroy(&got);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

Test(client_framing, over_package_max_length_closes, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    set_text(c, "open_length_check", "on");
    set_text(c, "package_body_offset", "4");
    set_text(c, "package_max_length", "1024");
    connect_ok(c, "127.0.0.1", s.port);
    swirl_buf_t b = {0};
    put_frame(&b, 4000, 1);
    cr_assert_eq(swirl_client_send(c, swirl_buf_bytes(&b), swirl_buf_size(&b)), 4004);
    char buf[8192];
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "package_max_length 1024"), "%s",
              swirl_last_error_msg());
    cr_assert_not(swirl_client_is_connected(c));
    cr_assert_eq(swirl_client_fd(c), -1);
    swirl_buf_destroy(&b);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

Test(client_framing, without_framing_and_waitall, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    cr_assert_eq(swirl_client_set_bool(c, "open_tcp_nodelay", true), 0);
    cr_assert_eq(swirl_client_set_int(c, "socket_buffer_size", 1024 * 1024 * 2), 0);
    connect_ok(c, "localhost", s.port);
    cr_assert_eq(swirl_client_send(c, "0123456789", 10), 10);
    char buf[16] = {0};
    cr_assert_eq(swirl_client_recv(c, buf, 4, MSG_WAITALL), 4);
    cr_assert_eq(memcmp(buf, "0123", 4), 0);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT), 6);
    cr_assert_eq(memcmp(buf, "456789", 6), 0);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

/* ---- datagrams and Unix sockets ------------------------------------------------------------ */

Test(client_dgram, udp_echo_and_sendto, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_UDP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_UDP);
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_send(c, "ping", 4), 4);
    char buf[64];
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 4, "%s", swirl_last_error_msg());
    cr_assert_eq(memcmp(buf, "ping", 4), 0);
    swirl_addr_t peer;
    cr_assert_eq(swirl_client_getpeername(c, &peer), 0);
    cr_assert_eq(swirl_addr_port(&peer), s.port);
    swirl_client_free(c);

    /* an unconnected client: sendto, then the reply and its sender */
    c = new_client(SWIRL_SOCK_UDP);
    cr_assert_eq(swirl_client_sendto(c, "127.0.0.1", s.port, "hey", 3), 3, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 3, "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_getpeername(c, &peer), 0);
    cr_assert_eq(swirl_addr_port(&peer), s.port);
    cr_assert_eq(swirl_client_close(c, false), 0);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

Test(client_dgram, unix_stream_and_dgram, .timeout = 30) {
    TU_FD_BEGIN();
    char path[128];
    srv_cfg_t cfg = {.settings = {{"open_eof_split", "true"}}};
    tu_tmp_path(path, sizeof(path), "cli-us");
    th_server_t s = start_echo(SWIRL_SOCK_UNIX_STREAM, path, &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_UNIX_STREAM);
    set_text(c, "open_eof_split", "true");
    connect_ok(c, path, 0);
    cr_assert_eq(swirl_client_send(c, "one\r\ntwo\r\n", 10), 10);
    char buf[64];
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 5);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 5);
    cr_assert_eq(memcmp(buf, "two\r\n", 5), 0);
    swirl_client_free(c);
    th_stop(&s);
    unlink(path);

    tu_tmp_path(path, sizeof(path), "cli-ud");
    s = start_echo(SWIRL_SOCK_UNIX_DGRAM, path, &cfg);
    c = new_client(SWIRL_SOCK_UNIX_DGRAM);
    connect_ok(c, path, 0);
    cr_assert_eq(swirl_client_send(c, "datagram", 8), 8);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), 8, "%s", swirl_last_error_msg());
    cr_assert_eq(memcmp(buf, "datagram", 8), 0);
    swirl_client_free(c);
    th_stop(&s);
    unlink(path);
    TU_FD_END();
}

/* ---- failures with clear messages ---------------------------------------------------------- */

Test(client_errors, recv_timeout_names_peer, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.silent = true};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    cr_assert_eq(swirl_client_set_float(c, "read_timeout", 0.3), 0);
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_send(c, "anyone?", 7), 7);
    char buf[16], want[64];
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), -ETIMEDOUT);
    uint64_t took = swirl_clock_ms() - t0;
    cr_assert(took >= 250 && took < 3000, "timed out after %llu ms", (unsigned long long)took);
    snprintf(want, sizeof(want), "recv from 127.0.0.1:%d: timed out", s.port);
    cr_assert(strstr(swirl_last_error_msg(), want), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_errcode(c), -ETIMEDOUT);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

Test(client_errors, refused_and_unresolvable, .timeout = 30) {
    TU_FD_BEGIN();
    int hold;
    int port = tc_refusing_port(&hold);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    char want[64];
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", port, 2), -ECONNREFUSED);
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    cr_assert(strstr(swirl_last_error_msg(), want), "%s", swirl_last_error_msg());
    cr_assert(strstr(swirl_client_errmsg(c), "refused"), "%s", swirl_client_errmsg(c));
    cr_assert_not(swirl_client_is_connected(c));
    int rc = swirl_client_connect(c, "no-such-host.invalid", 80, 5);
    cr_assert_eq(rc, SWIRL_EBADADDR, "%s", swirl_strerror(rc));
    cr_assert(strstr(swirl_last_error_msg(), "no-such-host.invalid:80"), "%s",
              swirl_last_error_msg());
    swirl_client_free(c);
    close(hold);
    TU_FD_END();
}

Test(client_errors, bad_input, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, 99, false, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "99"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_UDP | SWIRL_SOCK_SSL, false, NULL), SWIRL_ENOTSUP);
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP, true, NULL),
                 SWIRL_ENOTSUP);
    cr_assert_eq(swirl_client_new(NULL, SWIRL_SOCK_TCP, false, NULL), SWIRL_EBADARG);
    c = new_client(SWIRL_SOCK_TCP);
    cr_assert_eq(swirl_client_set_int(c, "open_eof_chekc", 1), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "open_eof_chekc"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_set_text(c, "open_tcp_nodelay", "maybe"), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "open_tcp_nodelay: expected a bool"), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_client_set_bool(c, "package_max_length", true), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "package_max_length"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_set_int(c, "bind_port", 70000), SWIRL_ESETTING);
    cr_assert_eq(swirl_client_set_text(c, "package_length_type", "X"), SWIRL_ESETTING);
    cr_assert_eq(swirl_client_set_text(c, "package_eof", "123456789"), SWIRL_ESETTING);
    cr_assert_eq(swirl_client_set_float(c, "timeout", NAN), SWIRL_ESETTING);
    cr_assert_eq(swirl_client_set_int(c, "ssl_cafile", 3), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "ssl_cafile: expected a string"), "%s",
              swirl_last_error_msg());
    /* every key of the seed's six set() examples is accepted */
    cr_assert_eq(swirl_client_set_int(c, "socket_buffer_size", 2 * 1024 * 1024), 0);
    set_text(c, "ssl_cert_file", "/nonexistent/cert.pem");
    set_text(c, "ssl_key_file", "/nonexistent/key.pem");
    set_text(c, "bind_address", "127.0.0.1");
    cr_assert_eq(swirl_client_set_int(c, "bind_port", 0), 0);
    cr_assert_eq(swirl_client_set_float(c, "timeout", 1.5), 0);
    char buf[8];
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "not connected"), "%s", swirl_last_error_msg());
    /* connect timeouts: NaN and more than a year refused, naming the value */
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", 9, NAN), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "timeout nan s"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", 9, 1e300), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "timeout 1e+300 s"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_send(c, "x", 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_client_recv(c, buf, sizeof(buf), 0x40000000), SWIRL_EBADARG);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", 70000, 1), SWIRL_EBADPORT);
    cr_assert(strstr(swirl_last_error_msg(), "70000"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", 0, 1), SWIRL_EBADPORT);
    cr_assert_eq(swirl_client_connect(c, NULL, 80, 1), SWIRL_EBADADDR);
    cr_assert_eq(swirl_client_close(c, false), SWIRL_ESTATE);
    cr_assert_eq(swirl_client_sendto(c, "127.0.0.1", 1, "x", 1), SWIRL_ENOTSUP);
    swirl_client_free(c);
    TU_FD_END();
}

Test(client_errors, send_after_close_and_settings_after_connect, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_set_bool(c, "open_tcp_nodelay", true), SWIRL_ESTATE);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 1), SWIRL_ESTATE);
    swirl_addr_t local, peer;
    cr_assert_eq(swirl_client_getsockname(c, &local), 0);
    cr_assert_eq(swirl_client_getpeername(c, &peer), 0);
    cr_assert_eq(swirl_addr_port(&peer), s.port);
    cr_assert_gt(swirl_addr_port(&local), 0);
    cr_assert_eq(swirl_client_close(c, false), 0);
    cr_assert_eq(swirl_client_send(c, "x", 1), SWIRL_ESTATE);
    cr_assert(strstr(swirl_client_errmsg(c), "not connected"));
    cr_assert_eq(swirl_client_getsockname(c, &local), SWIRL_ESTATE);
    /* and it can connect again */
    connect_ok(c, "127.0.0.1", s.port);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

/* ---- keep-alive ---------------------------------------------------------------------------- */

static int local_port(swirl_client_t *c) {
    swirl_addr_t a;
    cr_assert_eq(swirl_client_getsockname(c, &a), 0);
    return swirl_addr_port(&a);
}

Test(client_keep, reuse_same_local_port_and_replace_dead, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.settings = {{"open_eof_split", "true"}}};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    char buf[64];
    swirl_client_t *a = new_client(SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP);
    connect_ok(a, "127.0.0.1", s.port);
    int port_a = local_port(a);
    cr_assert_eq(swirl_client_close(a, false), 0);
    cr_assert_eq(swirl_client_pool_size(), 1);
    swirl_client_free(a);

    swirl_client_t *b = new_client(SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP);
    connect_ok(b, "127.0.0.1", s.port);
    cr_assert_eq(local_port(b), port_a, "the pooled connection is reused");
    cr_assert_eq(swirl_client_pool_size(), 0);
    cr_assert_eq(swirl_client_send(b, "hi\r\n", 4), 4);
    cr_assert_eq(swirl_client_recv(b, buf, sizeof(buf), 0), 4);
    /* the server drops it while it sits in the pool: the next client gets a new one */
    cr_assert_eq(swirl_client_send(b, "quit\r\n", 6), 6);
    usleep(200000);
    swirl_client_free(b); /* free = close without force: back to the pool */
    cr_assert_eq(swirl_client_pool_size(), 1);
    swirl_client_t *d = new_client(SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP);
    connect_ok(d, "127.0.0.1", s.port);
    cr_assert_neq(local_port(d), port_a, "a dead pooled connection is replaced");
    cr_assert_eq(swirl_client_send(d, "ok\r\n", 4), 4);
    cr_assert_eq(swirl_client_recv(d, buf, sizeof(buf), 0), 4);
    /* a named key, and force */
    cr_assert_eq(swirl_client_close(d, true), 0);
    cr_assert_eq(swirl_client_pool_size(), 0);
    swirl_client_free(d);
    swirl_client_t *k1, *k2;
    cr_assert_eq(swirl_client_new(&k1, SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP, false, "mykey"), 0);
    connect_ok(k1, "127.0.0.1", s.port);
    int port_k = local_port(k1);
    swirl_client_free(k1);
    cr_assert_eq(swirl_client_new(&k2, SWIRL_SOCK_TCP | SWIRL_CLIENT_KEEP, false, "other"), 0);
    connect_ok(k2, "127.0.0.1", s.port);
    cr_assert_neq(local_port(k2), port_k, "another key does not take it");
    swirl_client_free(k2);
    cr_assert_eq(swirl_client_pool_clear(), 2);
    th_stop(&s);
    TU_FD_END();
}

/* ---- sendfile ------------------------------------------------------------------------------ */

Test(client_sendfile, range_of_a_file, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    char path[128];
    tu_tmp_path(path, sizeof(path), "cli-file");
    FILE *f = fopen(path, "we");
    for (int i = 0; i < 100000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_sendfile(c, path, 10, 50000), 50000, "%s", swirl_last_error_msg());
    char *buf = malloc(50000);
    cr_assert_eq(swirl_client_recv(c, buf, 50000, MSG_WAITALL), 50000);
    for (int i = 0; i < 50000; i++)
        cr_assert_eq(buf[i], 'a' + (i + 10) % 26, "byte %d", i);
    free(buf);
    cr_assert_lt(swirl_client_sendfile(c, path, 99999, 10), 0);
    cr_assert(strstr(swirl_last_error_msg(), path), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_sendfile(c, "/nonexistent/file", 0, 0), -ENOENT);
    cr_assert(strstr(swirl_last_error_msg(), "/nonexistent/file"));
    unlink(path);
    swirl_client_free(c);
    th_stop(&s);
    TU_FD_END();
}

/* A FIFO (or device) is refused at once: opening it must not wait for a writer. */
Test(client_sendfile, a_fifo_is_refused_without_waiting, .timeout = 30) {
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    char path[128];
    tu_tmp_path(path, sizeof(path), "cli-fifo");
    cr_assert_eq(mkfifo(path, 0600), 0);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_sendfile(c, path, 0, 0), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "not a regular file"), "%s", swirl_last_error_msg());
    /* the client still works */
    cr_assert_eq(swirl_client_send(c, "ok", 2), 2);
    char back[3] = {0};
    cr_assert_eq(swirl_client_recv(c, back, 2, MSG_WAITALL), 2);
    cr_assert_str_eq(back, "ok");
    unlink(path);
    swirl_client_free(c);
    th_stop(&s);
}

/* ---- async --------------------------------------------------------------------------------- */

typedef struct {
    char log[512];
    int receives, errors, closes;
    int last_error;
    bool free_in_close;
} async_t;

static void a_log(async_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void a_log(async_t *a, const char *fmt, ...) {
    size_t n = strlen(a->log);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->log + n, sizeof(a->log) - n, fmt, ap);
    va_end(ap);
}

static void a_connect(swirl_client_t *c, void *user) {
    a_log(user, "connect,");
    cr_assert_eq(swirl_client_send(c, "hello\r\nworld\r\n", 14), 14);
}

static void a_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    async_t *a = user;
    a_log(a, "recv:%.*s,", (int)(len - 2), data);
    if (++a->receives == 2)
        swirl_client_close(c, false);
}

static void a_error(swirl_client_t *c, void *user, int status) {
    async_t *a = user;
    a->errors++;
    a->last_error = status;
    a_log(a, "error:%s,", swirl_err_name(status));
}

static void a_close(swirl_client_t *c, void *user) {
    async_t *a = user;
    a->closes++;
    a_log(a, "close,");
    if (a->free_in_close)
        swirl_client_free(c);
}

static const swirl_client_callbacks_t a_cbs = {a_connect, a_receive, a_error, a_close};

static void run_loop(swirl_loop_t *loop) {
    for (int i = 0; i < 500 && swirl_loop_run_once(loop, 20) > 0; i++) {
    }
}

Test(client_async, connect_receive_close, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.settings = {{"open_eof_split", "true"}}};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, true, NULL), 0);
    async_t a = {0};
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 1), SWIRL_EBADARG, "no loop yet");
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &a_cbs, &a), 0);
    set_text(c, "open_eof_split", "1");
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 2), 0);
    cr_assert_str_eq(a.log, "", "nothing is reported from inside connect");
    cr_assert_eq(swirl_client_recv(c, a.log, 1, 0), SWIRL_ENOTSUP);
    run_loop(loop);
    cr_assert_str_eq(a.log, "connect,recv:hello,recv:world,close,");
    cr_assert_not(swirl_client_is_connected(c));

    /* again, on a Unix socket, freed from inside its close callback */
    char path[128];
    tu_tmp_path(path, sizeof(path), "cli-async");
    th_server_t u = start_echo(SWIRL_SOCK_UNIX_STREAM, path, &cfg);
    swirl_client_t *d;
    cr_assert_eq(swirl_client_new(&d, SWIRL_SOCK_UNIX_STREAM, true, NULL), 0);
    async_t b = {.free_in_close = true};
    cr_assert_eq(swirl_client_set_callbacks(d, loop, &a_cbs, &b), 0);
    set_text(d, "open_eof_split", "1");
    cr_assert_eq(swirl_client_connect(d, path, 0, 2), 0);
    run_loop(loop);
    cr_assert_str_eq(b.log, "connect,recv:hello,recv:world,close,");

    /* a host name: resolved in the loop (swirl_dns_lookup), then connected */
    swirl_client_t *n;
    cr_assert_eq(swirl_client_new(&n, SWIRL_SOCK_TCP, true, NULL), 0);
    async_t e = {0};
    cr_assert_eq(swirl_client_set_callbacks(n, loop, &a_cbs, &e), 0);
    set_text(n, "open_eof_split", "1");
    cr_assert_eq(swirl_client_connect(n, "localhost", s.port, 2), 0);
    cr_assert_str_eq(e.log, "", "nothing is reported from inside connect");
    run_loop(loop);
    cr_assert_str_eq(e.log, "connect,recv:hello,recv:world,close,");
    swirl_client_free(n);
    /* freed while its name is being resolved: no callback, nothing left */
    swirl_dns_cache_clear();
    cr_assert_eq(swirl_client_new(&n, SWIRL_SOCK_TCP, true, NULL), 0);
    async_t f = {0};
    cr_assert_eq(swirl_client_set_callbacks(n, loop, &a_cbs, &f), 0);
    cr_assert_eq(swirl_client_connect(n, "localhost", s.port, 2), 0);
    swirl_client_free(n);
    run_loop(loop);
    cr_assert_str_eq(f.log, "");

    swirl_client_free(c);
    swirl_loop_free(loop);
    th_stop(&s);
    th_stop(&u);
    unlink(path);
    TU_FD_END();
}

Test(client_async, error_callback_on_refused_and_timeout, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, true, NULL), 0);
    async_t a = {0};
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &a_cbs, &a), 0);
    int hold;
    int port = tc_refusing_port(&hold);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", port, 2), 0);
    run_loop(loop);
    cr_assert_str_eq(a.log, "error:ECONNREFUSED,");
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    cr_assert(strstr(swirl_client_errmsg(c), want), "%s", swirl_client_errmsg(c));
    /* a Unix path nobody listens on */
    a.log[0] = 0;
    swirl_client_t *u;
    cr_assert_eq(swirl_client_new(&u, SWIRL_SOCK_UNIX_STREAM, true, NULL), 0);
    cr_assert_eq(swirl_client_set_callbacks(u, loop, &a_cbs, &a), 0);
    cr_assert_eq(swirl_client_connect(u, "/nonexistent/sock", 0, 2), 0);
    run_loop(loop);
    cr_assert_str_eq(a.log, "error:ENOENT,");
    swirl_client_free(u);
    /* bad input is returned, with no callback */
    a.log[0] = 0;
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", 0, 1), SWIRL_EBADPORT);
    cr_assert_eq(swirl_client_connect(c, "no-such-host.invalid", 80, 1), 0,
                 "a name: reported later");
    run_loop(loop);
    cr_assert_str_eq(a.log, "error:SWIRL_EBADADDR,");
    swirl_client_free(c);
    swirl_loop_free(loop);
    close(hold);
    TU_FD_END();
}

/* A forked child that frees a client its parent connected in the parent's
 * loop must leave that loop alone: the child's copy of the loop shares the
 * parent's epoll set (or, when the child released it with swirl_loop_forget
 * as it should, is gone). Before the client knew its owner, the child's
 * free removed the socket from the shared epoll set and the parent never
 * heard from it again. */
static void fk_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    a_log(user, "recv:%.*s,", (int)(len - 2), data);
    swirl_client_close(c, false);
}

static void fk_connect(swirl_client_t *c, void *user) { a_log(user, "connect,"); }

static const swirl_client_callbacks_t fk_cbs = {fk_connect, fk_receive, a_error, a_close};

Test(client_async, forked_child_frees_the_parents_client, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.settings = {{"open_eof_split", "true"}}};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    for (int forget = 0; forget < 2; forget++) {
        swirl_client_t *c;
        cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, true, NULL), 0);
        async_t a = {0};
        cr_assert_eq(swirl_client_set_callbacks(c, loop, &fk_cbs, &a), 0);
        set_text(c, "open_eof_split", "1");
        cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 2), 0);
        for (int i = 0; i < 100 && !swirl_client_is_connected(c); i++)
            swirl_loop_run_once(loop, 20);
        cr_assert_str_eq(a.log, "connect,");
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            if (forget)
                swirl_loop_forget(loop);
            swirl_client_free(c); /* no callback, no loop call: only its socket closed */
            _exit(a.closes == 0 && a.errors == 0 ? 0 : 3);
        }
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
        /* the parent's connection and its loop registration are intact */
        cr_assert_eq(swirl_client_send(c, "after fork\r\n", 12), 12);
        run_loop(loop);
        cr_assert_str_eq(a.log, "connect,recv:after fork,close,", "forget=%d: %s", forget, a.log);
        swirl_client_free(c);
    }
    swirl_loop_free(loop);
    th_stop(&s);
    TU_FD_END();
}

/* A TLS client to a server that accepts and then says nothing: the
 * handshake times out, blocking (-ETIMEDOUT) and in the loop (error callback). */
Test(client_errors, tls_handshake_timeout, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {.silent = true};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL, false, NULL), 0);
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 0.3), -ETIMEDOUT);
    cr_assert_lt(swirl_clock_ms() - t0, 3000);
    cr_assert(strstr(swirl_last_error_msg(), "TLS handshake with 127.0.0.1:"), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_client_fd(c), -1);
    swirl_client_free(c);

    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL, true, NULL), 0);
    async_t a = {0};
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &a_cbs, &a), 0);
    cr_assert_eq(swirl_client_set_float(c, "connect_timeout", 0.3), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 0), 0);
    run_loop(loop);
    cr_assert_str_eq(a.log, "error:ETIMEDOUT,");
    cr_assert(strstr(swirl_client_errmsg(c), "TLS handshake with"), "%s", swirl_client_errmsg(c));
    swirl_client_free(c);
    swirl_loop_free(loop);
    th_stop(&s);
    TU_FD_END();
}

/* ---- pausing reading, package_length_func, async sendfile ------------------------------ */

static void pz_connect(swirl_client_t *c, void *user) {
    cr_assert_eq(swirl_client_pause(c, true), 0);
    cr_assert_eq(swirl_client_pause(c, true), 0, "pausing twice is harmless");
    cr_assert_eq(swirl_client_send(c, "hello\r\nworld\r\n", 14), 14, "sends go on while paused");
}

static void pz_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    async_t *a = user;
    a_log(a, "recv:%.*s,", (int)(len - 2), data);
    if (++a->receives == 1)
        cr_assert_eq(swirl_client_pause(c, true), 0, "paused from inside receive");
    else
        swirl_client_close(c, false);
}

static const swirl_client_callbacks_t pz_cbs = {pz_connect, pz_receive, a_error, a_close};

static void run_for(swirl_loop_t *loop, int iterations) {
    for (int i = 0; i < iterations; i++)
        swirl_loop_run_once(loop, 20);
}

Test(client_async, pause_and_resume_reading, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, true, NULL), 0);
    cr_assert_eq(swirl_client_pause(c, true), SWIRL_ESTATE, "not connected");
    async_t p = {0};
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &pz_cbs, &p), 0);
    set_text(c, "open_eof_split", "1");
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 2), 0);
    run_for(loop, 15); /* the echo is back in the kernel by now, unread */
    cr_assert_str_eq(p.log, "", "nothing delivered while paused");
    cr_assert(swirl_client_is_connected(c));
    cr_assert_eq(swirl_client_pause(c, false), 0);
    cr_assert_str_eq(p.log, "", "nothing delivered from inside the resume call");
    run_for(loop, 15);
    cr_assert_str_eq(p.log, "recv:hello,", "paused again by the receive callback");
    cr_assert_eq(swirl_client_pause(c, false), 0);
    cr_assert_eq(swirl_client_pause(c, false), 0, "resuming twice is harmless");
    run_for(loop, 15);
    cr_assert_str_eq(p.log, "recv:hello,recv:world,close,");

    swirl_client_t *b = new_client(SWIRL_SOCK_TCP);
    cr_assert_eq(swirl_client_pause(b, true), SWIRL_ENOTSUP, "blocking clients do not pause");
    swirl_client_free(b);
    swirl_client_free(c);
    swirl_loop_free(loop);
    th_stop(&s);
    TU_FD_END();
}

/* "<len>|<body>" as package_length_func would tell */
static ssize_t bar_len(const void *data, size_t len, void *user) {
    (*(int *)user)++;
    const char *bar = memchr(data, '|', len);
    return bar ? atoi(data) + (bar - (const char *)data) + 1 : 0;
}

Test(client_framing, length_function, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    swirl_client_t *c = new_client(SWIRL_SOCK_TCP);
    int calls = 0;
    cr_assert_not(swirl_client_is_framed(c));
    cr_assert_eq(swirl_client_set_length_fn(c, bar_len, &calls), 0);
    cr_assert(swirl_client_is_framed(c));
    connect_ok(c, "127.0.0.1", s.port);
    cr_assert_eq(swirl_client_set_length_fn(c, NULL, NULL), SWIRL_ESTATE, "before connect only");
    cr_assert_eq(swirl_client_send(c, "3|abc10|0123456789", 18), 18);
    swirl_buf_t m;
    swirl_buf_init(&m);
    cr_assert_eq(swirl_client_recv_buf(c, &m, 0), 5);
    cr_assert_eq(memcmp(swirl_buf_bytes(&m), "3|abc", 5), 0);
    swirl_buf_clear(&m);
    cr_assert_eq(swirl_client_recv_buf(c, &m, 0), 13);
    cr_assert_eq(memcmp(swirl_buf_bytes(&m), "10|0123456789", 13), 0);
    cr_assert_geq(calls, 2);
    swirl_buf_destroy(&m);
    swirl_client_free(c);

    swirl_client_t *u = new_client(SWIRL_SOCK_UDP);
    cr_assert_eq(swirl_client_set_length_fn(u, bar_len, &calls), SWIRL_ENOTSUP);
    swirl_client_free(u);
    th_stop(&s);
    TU_FD_END();
}

static char sf_path[128];

static void sf_connect(swirl_client_t *c, void *user) {
    cr_assert_eq(swirl_client_sendfile(c, sf_path, 0, 0), 30000, "%s", swirl_last_error_msg());
}

static void sf_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    async_t *a = user;
    a->receives += (int)len;
    if (a->receives == 30000)
        swirl_client_close(c, false);
}

static const swirl_client_callbacks_t sf_cbs = {sf_connect, sf_receive, a_error, a_close};

Test(client_sendfile, async_client_queues_the_file, .timeout = 30) {
    TU_FD_BEGIN();
    srv_cfg_t cfg = {0};
    th_server_t s = start_echo(SWIRL_SOCK_TCP, "127.0.0.1", &cfg);
    async_t a = {0};
    char *path = sf_path;
    tu_tmp_path(path, sizeof sf_path, "cli-afile");
    FILE *f = fopen(path, "we");
    for (int i = 0; i < 30000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, true, NULL), 0);
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &sf_cbs, &a), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 2), 0);
    run_loop(loop);
    cr_assert_eq(a.receives, 30000);
    cr_assert_eq(a.closes, 1);
    cr_assert_eq(a.errors, 0);
    unlink(path);
    swirl_client_free(c);
    swirl_loop_free(loop);
    th_stop(&s);
    TU_FD_END();
}
