/* tests/integration/test_tls.c — TLS listeners with real certificates made
 * by `openssl req`, real clients (OpenSSL in this process, `openssl
 * s_client`, curl): echo in both modes, sendfile over TLS, TLS 1.0
 * refused, plain text and cut handshakes costing only their connection,
 * client certificates, certificates loaded again on reload, bad settings. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <swirl/swirl.h>

#include "cli_harness.h"
#include "server_harness.h"

TU_SUITE(tls);

/* ---- certificates ------------------------------------------------------------------------- */

static char dir[128];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "command failed (%d): %s", rc, cmd);
}

/* A self-signed certificate for localhost with common name `cn`, into
 * dir/<name>.crt and dir/<name>.key. */
static void make_cert(const char *name, const char *cn) {
    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/%s.key -out %s/%s.crt -subj /CN=%s "
       "-addext subjectAltName=DNS:localhost -days 2 2>/dev/null",
       dir, name, dir, name, cn);
}

static void setup_dir(void) {
    if (access("/usr/bin/openssl", X_OK) != 0)
        cr_skip_test(
            "openssl is not installed (Debian package openssl; scripts/deps.sh installs it)");
    tu_tmp_path(dir, sizeof(dir), "tls");
    cr_assert_eq(mkdir(dir, 0700), 0);
    make_cert("server", "first.test");
}

/* Also the .fini of every test, so a failed one leaves nothing in /tmp. */
static void cleanup_dir(void) {
    if (!dir[0])
        return;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_tls: could not remove %s\n", dir);
    dir[0] = 0;
}

static char *path_of(const char *file) {
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, file);
    return p;
}

/* ---- the server -------------------------------------------------------------------------------
 */

static void echo_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    if (ev->len == 6 && memcmp(ev->data, "stats?", 6) == 0) {
        swirl_server_stats_t st;
        swirl_server_stats(srv, &st);
        char b[64];
        int n = snprintf(b, sizeof(b), "failed=%lld", (long long)st.tls_failed_count);
        swirl_server_send(srv, ev->fd, b, (size_t)n);
        return;
    }
    swirl_server_send(srv, ev->fd, ev->data, ev->len);
}

typedef struct {
    int workers;
    bool verify_peer;
} cfg_t;

static void tls_configure(swirl_server_t *srv, void *arg) {
    cfg_t *c = arg;
    char n[16];
    snprintf(n, sizeof(n), "%d", c->workers ? c->workers : 1);
    swirl_server_set_text(srv, "worker_num", n);
    swirl_server_set_text(srv, "ssl_cert_file", path_of("server.crt"));
    swirl_server_set_text(srv, "ssl_key_file", path_of("server.key"));
    if (c->verify_peer) {
        swirl_server_set_text(srv, "ssl_verify_peer", "true");
        swirl_server_set_text(srv, "ssl_client_cert_file", path_of("ca.crt"));
    }
    swirl_server_on(srv, "receive", echo_receive, NULL);
}

static th_server_t start_tls(int mode, cfg_t *cfg) {
    return th_start("127.0.0.1", 0, mode, (swirl_sock_type_t)(SWIRL_SOCK_TCP | SWIRL_SOCK_SSL),
                    tls_configure, cfg);
}

/* ---- a blocking TLS client ------------------------------------------------------------------ */

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
} tls_client_t;

/* Connect and handshake, verifying the server against dir/server.crt for
 * "localhost". Returns false if the handshake failed. */
static bool tls_connect(tls_client_t *t, int port, int max_version, const char *cert,
                        const char *key) {
    memset(t, 0, sizeof(*t));
    t->ctx = SSL_CTX_new(TLS_client_method());
    cr_assert_not_null(t->ctx);
    if (max_version) {
        SSL_CTX_set_min_proto_version(t->ctx, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(t->ctx, max_version);
        SSL_CTX_set_security_level(t->ctx, 0);
    }
    cr_assert_eq(SSL_CTX_load_verify_locations(t->ctx, path_of("server.crt"), NULL), 1);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    if (cert) {
        cr_assert_eq(SSL_CTX_use_certificate_file(t->ctx, cert, SSL_FILETYPE_PEM), 1);
        cr_assert_eq(SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM), 1);
    }
    t->fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", port);
    struct timeval tv = {5, 0};
    setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    t->ssl = SSL_new(t->ctx);
    SSL_set_fd(t->ssl, t->fd);
    SSL_set_tlsext_host_name(t->ssl, "localhost");
    SSL_set1_host(t->ssl, "localhost");
    ERR_clear_error();
    return SSL_connect(t->ssl) == 1;
}

static void tls_close(tls_client_t *t) {
    if (t->ssl) {
        SSL_shutdown(t->ssl);
        SSL_free(t->ssl);
    }
    if (t->fd > 0)
        close(t->fd);
    SSL_CTX_free(t->ctx);
    ERR_clear_error();
    memset(t, 0, sizeof(*t));
}

static void tls_send(tls_client_t *t, const void *data, size_t len) {
    size_t done = 0;
    while (done < len) {
        int n = SSL_write(t->ssl, (const char *)data + done, (int)(len - done));
        cr_assert_gt(n, 0, "SSL_write failed");
        done += (size_t)n;
    }
}

/* Read exactly len bytes; false if the connection ended first. */
static bool tls_recv(tls_client_t *t, void *data, size_t len) {
    size_t got = 0;
    while (got < len) {
        int n = SSL_read(t->ssl, (char *)data + got, (int)(len - got));
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return true;
}

static void tls_echo_once(int port, const char *msg) {
    tls_client_t t;
    cr_assert(tls_connect(&t, port, 0, NULL, NULL), "handshake failed");
    tls_send(&t, msg, strlen(msg));
    char buf[256] = {0};
    cr_assert(tls_recv(&t, buf, strlen(msg)));
    cr_assert_str_eq(buf, msg);
    tls_close(&t);
}

static long long failed_count(int port) {
    tls_client_t t;
    cr_assert(tls_connect(&t, port, 0, NULL, NULL));
    tls_send(&t, "stats?", 6);
    char buf[64] = {0};
    int n = SSL_read(t.ssl, buf, sizeof(buf) - 1);
    cr_assert_gt(n, 0);
    tls_close(&t);
    long long v = -1;
    sscanf(buf, "failed=%lld", &v);
    return v;
}

/* ---- echo ------------------------------------------------------------------------------------ */

static void echo_big(int mode) {
    setup_dir();
    cfg_t cfg = {.workers = 2};
    th_server_t s = start_tls(mode, &cfg);
    tls_echo_once(s.port, "hello over TLS");
    /* 1 MB through in 64 KiB steps: partial writes and bytes left inside
     * OpenSSL on the server's side */
    tls_client_t t;
    cr_assert(tls_connect(&t, s.port, 0, NULL, NULL));
    cr_assert_str_eq(SSL_get_version(t.ssl), "TLSv1.3");
    static char out[65536], in[65536];
    for (int i = 0; i < 16; i++) {
        for (size_t k = 0; k < sizeof(out); k++)
            out[k] = (char)(k * 31 + (size_t)i);
        tls_send(&t, out, sizeof(out));
        cr_assert(tls_recv(&t, in, sizeof(in)));
        cr_assert(memcmp(in, out, sizeof(in)) == 0, "echo %d differs", i);
    }
    tls_close(&t);
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}

Test(tls, echo_base_mode, .timeout = 60, .fini = cleanup_dir) { echo_big(SWIRL_MODE_BASE); }
Test(tls, echo_process_mode, .timeout = 60, .fini = cleanup_dir) { echo_big(SWIRL_MODE_PROCESS); }

Test(tls, openssl_s_client_echo, .timeout = 60, .fini = cleanup_dir) {
    setup_dir();
    cfg_t cfg = {0};
    th_server_t s = start_tls(SWIRL_MODE_PROCESS, &cfg);
    char port[16];
    snprintf(port, sizeof(port), "127.0.0.1:%d", s.port);
    int in[2];
    cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
    int o[2];
    cr_assert_eq(pipe2(o, O_CLOEXEC), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        dup2(o[1], 2);
        execl("/usr/bin/openssl", "openssl", "s_client", "-quiet", "-connect", port, "-CAfile",
              path_of("server.crt"), "-verify_return_error", "-verify_hostname", "localhost",
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(o[1]);
    cr_assert_eq(write(in[1], "ping from s_client\n", 19), 19);
    char buf[4096];
    read_until(o[0], buf, sizeof(buf), "ping from s_client", 5000);
    cr_assert(strstr(buf, "ping from s_client"), "s_client printed: %s", buf);
    close(in[1]); /* s_client sees EOF on stdin and closes */
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(o[0]);
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}

/* ---- what costs only one connection ---------------------------------------------------------- */

Test(tls, tls10_refused_plain_text_and_cut_handshakes_cost_one_connection, .timeout = 60,
     .fini = cleanup_dir) {
    setup_dir();
    cfg_t cfg = {0};
    th_server_t s = start_tls(SWIRL_MODE_PROCESS, &cfg);

    tls_client_t old;
    cr_assert_not(tls_connect(&old, s.port, TLS1_VERSION, NULL, NULL), "TLS 1.0 was accepted");
    tls_close(&old);

    /* a plain HTTP request: closed, nothing answered */
    int fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    cr_assert(th_closed_by_peer(fd));
    close(fd);

    /* a handshake cut in the middle by the client */
    static const unsigned char part[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
                                         0x01, 0xfc, 0x03, 0x03, 0x11, 0x22, 0x33};
    fd = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(fd, part, sizeof(part));
    close(fd);

    /* ... and one left hanging: the server gives up after 10 s */
    int hang = th_connect(SWIRL_SOCK_TCP, "127.0.0.1", s.port);
    th_send_all(hang, part, sizeof(part));

    /* meanwhile everyone else is served */
    tls_echo_once(s.port, "still serving");

    bool closed = false;
    for (int i = 0; i < 4 && !closed; i++) /* th_closed_by_peer waits 5 s a time */
        closed = th_closed_by_peer(hang);
    cr_assert(closed, "the hanging handshake was never closed");
    close(hang);
    cr_assert_geq(failed_count(s.port), 4, "TLS 1.0, plain, cut, hanging");
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}

/* ---- client certificates -------------------------------------------------------------------- */

Test(tls, client_certificates_are_required_when_asked, .timeout = 60, .fini = cleanup_dir) {
    setup_dir();
    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/ca.key -out %s/ca.crt "
       "-subj /CN=test-ca -days 2 2>/dev/null",
       dir, dir);
    sh("openssl req -newkey rsa:2048 -nodes -keyout %s/client.key -out %s/client.csr "
       "-subj /CN=client 2>/dev/null && openssl x509 -req -in %s/client.csr -CA %s/ca.crt "
       "-CAkey %s/ca.key -CAcreateserial -out %s/client.crt -days 2 2>/dev/null",
       dir, dir, dir, dir, dir, dir);
    cfg_t cfg = {.verify_peer = true};
    th_server_t s = start_tls(SWIRL_MODE_BASE, &cfg);
    /* without a certificate: refused (in TLS 1.3 the refusal may come with
     * the first read rather than the handshake) */
    tls_client_t t;
    bool ok = tls_connect(&t, s.port, 0, NULL, NULL);
    if (ok) {
        char c = 'x';
        ok = SSL_write(t.ssl, &c, 1) == 1 && SSL_read(t.ssl, &c, 1) > 0;
    }
    cr_assert_not(ok, "served a client without a certificate");
    tls_close(&t);
    /* with one signed by the CA: served */
    cr_assert(tls_connect(&t, s.port, 0, path_of("client.crt"), path_of("client.key")));
    tls_send(&t, "with cert", 9);
    char buf[16] = {0};
    cr_assert(tls_recv(&t, buf, 9));
    cr_assert_str_eq(buf, "with cert");
    tls_close(&t);
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}

/* ---- reload loads the certificate again --------------------------------------------------- */

static bool peer_cn_is(int port, const char *cn) {
    tls_client_t t;
    if (!tls_connect(&t, port, 0, NULL, NULL)) {
        tls_close(&t);
        return false;
    }
    X509 *x = SSL_get1_peer_certificate(t.ssl);
    char name[256] = {0};
    if (x)
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, name, sizeof(name));
    X509_free(x);
    tls_close(&t);
    return strcmp(name, cn) == 0;
}

static void reload_case(int mode) {
    setup_dir();
    cfg_t cfg = {.workers = 2};
    th_server_t s = start_tls(mode, &cfg);
    cr_assert(peer_cn_is(s.port, "first.test"));
    make_cert("server", "second.test"); /* the same files, a new certificate */
    cr_assert(!peer_cn_is(s.port, "second.test"), "picked up without a reload");
    kill(s.pid, SIGUSR1);
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        usleep(50000);
        seen = peer_cn_is(s.port, "second.test");
    }
    cr_assert(seen, "the new certificate was not loaded by the reload");
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}

Test(tls, reload_loads_the_certificate_again_process_mode, .timeout = 60, .fini = cleanup_dir) {
    reload_case(SWIRL_MODE_PROCESS);
}
Test(tls, reload_loads_the_certificate_again_base_mode, .timeout = 60, .fini = cleanup_dir) {
    reload_case(SWIRL_MODE_BASE);
}

/* ---- bad settings --------------------------------------------------------------------------- */

static int start_inline(const char *k1, const char *v1, const char *k2, const char *v2) {
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE,
                                  (swirl_sock_type_t)(SWIRL_SOCK_TCP | SWIRL_SOCK_SSL)),
                 0);
    swirl_server_on(srv, "receive", echo_receive, NULL);
    if (k1)
        cr_assert_eq(swirl_server_set_text(srv, k1, v1), 0, "%s", swirl_last_error_msg());
    if (k2)
        cr_assert_eq(swirl_server_set_text(srv, k2, v2), 0, "%s", swirl_last_error_msg());
    int rc = swirl_server_start(srv);
    swirl_server_free(srv);
    return rc;
}

Test(tls, bad_settings_are_named, .timeout = 30, .fini = cleanup_dir) {
    setup_dir();
    cr_assert_eq(start_inline(NULL, NULL, NULL, NULL), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "ssl_cert_file: required"), "%s",
              swirl_last_error_msg());
    cr_assert_eq(start_inline("ssl_cert_file", "/no/such.crt", NULL, NULL), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "/no/such.crt"), "%s", swirl_last_error_msg());
    make_cert("other", "other.test");
    cr_assert_eq(
        start_inline("ssl_cert_file", path_of("server.crt"), "ssl_key_file", path_of("other.key")),
        SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "does not match"), "%s", swirl_last_error_msg());
    /* certificate and key in one file from here on */
    sh("cat %s/server.crt %s/server.key > %s/server.pem", dir, dir, dir);
    cr_assert_eq(start_inline("ssl_cert_file", path_of("server.pem"), "ssl_protocols", "TLSv9"),
                 SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "\"TLSv9\""), "%s", swirl_last_error_msg());
    cr_assert_eq(start_inline("ssl_cert_file", path_of("server.pem"), "ssl_verify_peer", "true"),
                 SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "ssl_client_cert_file"), "%s", swirl_last_error_msg());
    swirl_server_t *srv;
    cr_assert_eq(swirl_server_new(&srv, "127.0.0.1", 0, SWIRL_MODE_BASE,
                                  (swirl_sock_type_t)(SWIRL_SOCK_UDP | SWIRL_SOCK_SSL)),
                 SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "DTLS"), "%s", swirl_last_error_msg());
    cleanup_dir();
}

/* ---- HTTPS with curl through `swirl serve --cert --key` ------------------------------------ */

Test(tls, swirl_serve_https_with_curl, .timeout = 60, .fini = cleanup_dir) {
    setup_dir();
    if (access("/usr/bin/curl", X_OK) != 0)
        cr_skip_test("curl is not installed");
    cr_assert_eq(mkdir(path_of("root"), 0700), 0);
    sh("head -c 3000000 /dev/urandom > %s/root/big.bin", dir);
    char *argv[] = {SWIRL_BIN,   "serve",
                    "--port",    "0",
                    "--workers", "2",
                    "--root",    path_of("root"),
                    "--cert",    path_of("server.crt"),
                    "--key",     path_of("server.key"),
                    NULL};
    child_t c = spawn(SWIRL_BIN, argv);
    char buf[512];
    read_until(c.out, buf, sizeof(buf), "/\n", 10000);
    char *at = strstr(buf, "https://127.0.0.1:");
    cr_assert_not_null(at, "swirl serve said: %s", buf);
    int port = atoi(at + strlen("https://127.0.0.1:"));
    char out[256];
    snprintf(out, sizeof(out), "%s/out", dir);
    sh("curl -sk --http1.1 https://127.0.0.1:%d/hello -o %s -w '%%{http_version} %%{http_code}' "
       "> %s.meta",
       port, out, out);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    char body[64] = {0};
    cr_assert_not_null(fgets(body, sizeof(body), f));
    fclose(f);
    cr_assert_str_eq(body, "hello world");
    sh("grep -q '^1.1 200$' %s.meta", out);
    sh("curl -sk -d 'posted body' https://127.0.0.1:%d/echo | grep -q '^posted body$'", port);
    /* a static file goes through TLS in pieces (no sendfile under TLS) */
    sh("curl -sk https://127.0.0.1:%d/big.bin -o %s/got.bin && cmp -s %s/got.bin %s/root/big.bin",
       port, dir, dir, dir);
    sh("bash -c 'cmp -s <(curl -sk -r 1000-1999 https://127.0.0.1:%d/big.bin) "
       "<(head -c 2000 %s/root/big.bin | tail -c 1000)'",
       port, dir);
    kill(c.pid, SIGTERM);
    cr_assert_eq(wait_exit(&c, 10000), 0);
    reap(&c);
    cleanup_dir();
}

/* ---- swirl's own client against swirl's TLS server ---------------------------------------- */

Test(tls, swirl_client_verifies_and_talks_to_a_swirl_tls_server, .timeout = 60,
     .fini = cleanup_dir) {
    setup_dir();
    cfg_t cfg = {.workers = 2};
    th_server_t s = start_tls(SWIRL_MODE_PROCESS, &cfg);
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL, false, NULL), 0);
    cr_assert_eq(swirl_client_set_text(c, "ssl_cafile", path_of("server.crt")), 0);
    cr_assert_eq(swirl_client_set_text(c, "ssl_host_name", "localhost"), 0);
    /* length framing on the client: the echo of one framed message comes back whole */
    cr_assert_eq(swirl_client_set_bool(c, "open_length_check", true), 0);
    cr_assert_eq(swirl_client_set_text(c, "package_length_type", "N"), 0);
    cr_assert_eq(swirl_client_set_int(c, "package_body_offset", 4), 0);
    cr_assert_eq(swirl_client_set_int(c, "package_max_length", 1 << 20), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", s.port, 5.0), 0, "%s",
                 swirl_last_error_msg());
    size_t body = 300000;
    unsigned char *msg = malloc(body + 4), *back = malloc(body + 4);
    msg[0] = 0, msg[1] = (unsigned char)(body >> 16), msg[2] = (unsigned char)(body >> 8),
    msg[3] = (unsigned char)body;
    for (size_t i = 0; i < body; i++)
        msg[4 + i] = (unsigned char)(i * 13);
    cr_assert_eq(swirl_client_send(c, msg, body + 4), (ssize_t)(body + 4));
    cr_assert_eq(swirl_client_recv(c, back, body + 4, 0), (ssize_t)(body + 4));
    cr_assert(memcmp(back, msg, body + 4) == 0);
    free(msg);
    free(back);
    swirl_client_free(c);
    /* verified against the system store instead: a self-signed certificate is refused */
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL, false, NULL), 0);
    cr_assert_lt(swirl_client_connect(c, "localhost", s.port, 5.0), 0);
    cr_assert(strstr(swirl_last_error_msg(), "certificate"), "%s", swirl_last_error_msg());
    swirl_client_free(c);
    cr_assert_eq(th_stop(&s), 0);
    cleanup_dir();
}
