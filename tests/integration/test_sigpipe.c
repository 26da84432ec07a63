/* tests/integration/test_sigpipe.c — the library never changes the
 * process's signal dispositions, and SIGPIPE left at its default kills no
 * server and no client whose peer resets in the middle of a write: plain
 * TCP, TLS and sendfile, in both server modes. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <swirl/swirl.h>

#include "server_harness.h"

#define BIG (8 * 1024 * 1024)

static char dir[128], big[160], crt[160], key[160];

/* A directory with a BIG file and, for TLS, a self-signed certificate. */
static void setup(bool tls) {
    tu_tmp_path(dir, sizeof(dir), "sigpipe");
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(big, sizeof(big), "%s/big", dir);
    snprintf(crt, sizeof(crt), "%s/s.crt", dir);
    snprintf(key, sizeof(key), "%s/s.key", dir);
    FILE *f = fopen(big, "we");
    cr_assert(f);
    cr_assert_eq(ftruncate(fileno(f), BIG), 0);
    fclose(f);
    if (!tls)
        return;
    if (access("/usr/bin/openssl", X_OK) != 0)
        cr_skip_test("openssl is not installed (scripts/deps.sh installs it)");
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
             "-subj /CN=localhost -days 2 2>/dev/null",
             key, crt);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void cleanup(void) {
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (dir[0] && system(cmd) != 0)
        fprintf(stderr, "test_sigpipe: could not remove %s\n", dir);
}

/* ---- the server: "pid?" answers its pid and SIGPIPE's disposition, "big"
 * sends BIG bytes, "file" sends the BIG file --------------------------------------------- */

static void on_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    (void)user;
    if (ev->len >= 4 && memcmp(ev->data, "pid?", 4) == 0) {
        struct sigaction sa;
        sigaction(SIGPIPE, NULL, &sa);
        char b[64];
        int n = snprintf(b, sizeof(b), "pid=%d pipe=%s\n", (int)getpid(),
                         sa.sa_handler == SIG_DFL ? "default" : "changed");
        swirl_server_send(srv, ev->fd, b, (size_t)n);
    } else if (ev->len >= 4 && memcmp(ev->data, "file", 4) == 0) {
        swirl_server_sendfile(srv, ev->fd, big, 0, 0);
    } else if (ev->len >= 3 && memcmp(ev->data, "big", 3) == 0) {
        static char chunk[1024 * 1024];
        memset(chunk, 'x', sizeof(chunk));
        for (int i = 0; i < BIG / (int)sizeof(chunk); i++)
            if (swirl_server_send(srv, ev->fd, chunk, sizeof(chunk)) < 0)
                break;
    }
}

static void configure(swirl_server_t *srv, void *arg) {
    bool tls = *(bool *)arg;
    signal(SIGPIPE, SIG_DFL);
    swirl_server_set_text(srv, "worker_num", "1");
    swirl_server_set_text(srv, "buffer_output_size", "16M");
    swirl_server_set_text(srv, "socket_buffer_size", "16M");
    if (tls) {
        swirl_server_set_text(srv, "ssl_cert_file", crt);
        swirl_server_set_text(srv, "ssl_key_file", key);
    }
    swirl_server_on(srv, "receive", on_receive, NULL);
}

/* ---- a client: the swirl client, TLS without verification ------------------------------- */

static swirl_client_t *client(const th_server_t *s, bool tls) {
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | (tls ? SWIRL_SOCK_SSL : 0), false, NULL), 0);
    if (tls)
        cr_assert_eq(swirl_client_set_bool(c, "ssl_verify_peer", false), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s->port, 5), 0, "connect (server gone?): %s",
                 swirl_last_error_msg());
    return c;
}

/* The pid of the worker serving `c`, checking SIGPIPE is still at its
 * default there. */
static int ask_pid(swirl_client_t *c) {
    cr_assert_eq(swirl_client_send(c, "pid?", 4), 4);
    char b[64] = {0};
    size_t got = 0;
    while (got < sizeof(b) - 1 && !memchr(b, '\n', got)) {
        ssize_t n = swirl_client_recv(c, b + got, sizeof(b) - 1 - got, 0);
        cr_assert_gt(n, 0, "the server went away: %s", swirl_last_error_msg());
        got += (size_t)n;
    }
    int pid = 0;
    char pipe[16] = "";
    cr_assert_eq(sscanf(b, "pid=%d pipe=%15s", &pid, pipe), 2, "reply: %s", b);
    cr_assert_str_eq(pipe, "default", "the server changed SIGPIPE's disposition");
    return pid;
}

static int worker_pid(const th_server_t *s, bool tls) {
    swirl_client_t *c = client(s, tls);
    int pid = ask_pid(c);
    swirl_client_free(c);
    return pid;
}

/* Ask for `what`, take a little of it, then reset the connection (close
 * with unread bytes and a zero linger sends RST), a few times over; the
 * server's worker must be the same process afterwards, and SIGPIPE still
 * at its default there. */
static void reset_mid_write(int mode, bool tls, const char *what) {
    setup(tls);
    th_server_t s =
        th_start("127.0.0.1", 0, mode,
                 (swirl_sock_type_t)(SWIRL_SOCK_TCP | (tls ? SWIRL_SOCK_SSL : 0)), configure, &tls);
    int before = worker_pid(&s, tls);
    for (int i = 0; i < 4; i++) {
        swirl_client_t *c = client(&s, tls);
        cr_assert_eq(swirl_client_send(c, what, strlen(what)), (ssize_t)strlen(what));
        char b[4096];
        cr_assert_gt(swirl_client_recv(c, b, sizeof(b), 0), 0, "reset %d: the server went away: %s",
                     i, swirl_last_error_msg());
        struct linger lg = {1, 0};
        setsockopt(swirl_client_fd(c), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        shutdown(swirl_client_fd(c), SHUT_RDWR);
        swirl_client_free(c);
    }
    cr_assert_eq(worker_pid(&s, tls), before, "the worker died (SIGPIPE?) and was replaced");
    cr_assert_eq(th_stop(&s), 0);
    cleanup();
}

Test(sigpipe, base_plain_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_BASE, false, "big");
}
Test(sigpipe, process_plain_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_PROCESS, false, "big");
}
Test(sigpipe, base_sendfile_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_BASE, false, "file");
}
Test(sigpipe, process_sendfile_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_PROCESS, false, "file");
}
Test(sigpipe, base_tls_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_BASE, true, "big");
}
Test(sigpipe, process_tls_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_PROCESS, true, "big");
}
Test(sigpipe, process_tls_sendfile_reset_mid_write, .timeout = 60) {
    reset_mid_write(SWIRL_MODE_PROCESS, true, "file");
}

/* ---- the client: a server that resets while the client writes ---------------------------- */

static void client_reset_mid_write(bool tls, bool file) {
    setup(tls);
    signal(SIGPIPE, SIG_DFL);
    th_server_t s =
        th_start("127.0.0.1", 0, SWIRL_MODE_BASE,
                 (swirl_sock_type_t)(SWIRL_SOCK_TCP | (tls ? SWIRL_SOCK_SSL : 0)), configure, &tls);
    swirl_client_t *c = client(&s, tls);
    /* the worker that took the connection dies: the kernel resets it */
    kill(ask_pid(c), SIGKILL);
    static char chunk[1024 * 1024];
    memset(chunk, 'y', sizeof(chunk));
    ssize_t n = 0;
    for (int i = 0; i < 64 && n >= 0; i++)
        n = file ? swirl_client_sendfile(c, big, 0, BIG)
                 : swirl_client_send(c, chunk, sizeof(chunk));
    cr_assert_lt(n, 0, "writes to a reset peer kept succeeding");
    swirl_client_free(c);
    th_stop(&s);
    cleanup();
}

Test(sigpipe, client_plain_peer_resets, .timeout = 60) { client_reset_mid_write(false, false); }
Test(sigpipe, client_sendfile_peer_resets, .timeout = 60) { client_reset_mid_write(false, true); }
Test(sigpipe, client_tls_peer_resets, .timeout = 60) { client_reset_mid_write(true, false); }
