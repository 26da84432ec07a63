/* tests/integration/test_client_real.c — the client against real servers the
 * test starts and kills: Debian's redis-server (plain TCP, EOF framing) and
 * nginx over HTTPS with a self-signed certificate made by openssl (TLS
 * verification against a CA file, the system store, the host name, a client
 * certificate, and the async client's handshake in the loop). */
#include <arpa/inet.h>

#include "client_test.h"

TU_SUITE(client_real);
TU_SUITE(client_tls);

#define REDIS "/usr/bin/redis-server"
#define NGINX "/usr/sbin/nginx"
#define OPENSSL "/usr/bin/openssl"

/* ---- redis --------------------------------------------------------------------------------- */

static void expect_reply(swirl_client_t *c, const char *want) {
    char buf[256];
    ssize_t n = swirl_client_recv(c, buf, sizeof(buf), 0);
    cr_assert_eq(n, (ssize_t)strlen(want), "reply %zd: %s", n, n < 0 ? swirl_last_error_msg() : "");
    cr_assert_eq(memcmp(buf, want, (size_t)n), 0, "got \"%.*s\", want \"%s\"", (int)n, buf, want);
}

Test(client_real, redis_ping_set_get, .timeout = 60) {
    if (access(REDIS, X_OK) != 0)
        cr_skip_test("%s is missing (apt-get install redis-server)", REDIS);
    TU_FD_BEGIN();
    int port = tc_free_port();
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    char *argv[] = {REDIS, "--port",       p,    "--bind",      "127.0.0.1", "--save",
                    "",    "--appendonly", "no", "--daemonize", "no",        NULL};
    pid_t pid = tc_spawn(argv, NULL);
    if (!tc_wait_port(pid, port)) {
        tc_kill(pid);
        cr_assert_fail("redis-server did not start on port %d", port);
    }
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, false, NULL), 0);
    cr_assert_eq(swirl_client_set_bool(c, "open_eof_split", true), 0);
    cr_assert_eq(swirl_client_set_text(c, "package_eof", "\r\n"), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", port, 5), 0, "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_send(c, "PING\r\n", 6), 6);
    expect_reply(c, "+PONG\r\n");
    const char *set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    cr_assert_eq(swirl_client_send(c, set, strlen(set)), (ssize_t)strlen(set));
    expect_reply(c, "+OK\r\n");
    cr_assert_eq(swirl_client_send(c, "GET k\r\n", 7), 7);
    expect_reply(c, "$1\r\n"); /* one line per recv with open_eof_split */
    expect_reply(c, "v\r\n");
    cr_assert_eq(swirl_client_send(c, "GET nothing\r\n", 13), 13);
    expect_reply(c, "$-1\r\n");
    swirl_client_free(c);
    tc_kill(pid);
    TU_FD_END();
}

/* ---- nginx over HTTPS ---------------------------------------------------------------------- */

typedef struct {
    char dir[128];
    pid_t pid;
    int port;        /* TLS, no client certificate */
    int port_client; /* TLS, client certificate required */
} nginx_t;

static void nginx_start(nginx_t *n) {
    if (access(NGINX, X_OK) != 0 || access(OPENSSL, X_OK) != 0)
        cr_skip_test("%s or %s is missing (apt-get install nginx openssl)", NGINX, OPENSSL);
    tu_tmp_path(n->dir, sizeof(n->dir), "cli-nginx");
    cr_assert_eq(mkdir(n->dir, 0700), 0);
    const char *req = OPENSSL " req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=%s "
                              "-addext subjectAltName=DNS:%s -keyout %s/%s.key -out %s/%s.pem "
                              ">/dev/null 2>&1";
    cr_assert(tc_sh(req, "localhost", "localhost", n->dir, "server", n->dir, "server"),
              "openssl req failed");
    cr_assert(tc_sh(req, "swirl-client", "swirl-client", n->dir, "client", n->dir, "client"),
              "openssl req failed");
    n->port = tc_free_port();
    n->port_client = tc_free_port();
    char conf[256];
    snprintf(conf, sizeof(conf), "%s/nginx.conf", n->dir);
    FILE *f = fopen(conf, "we");
    cr_assert(f);
    const char *d = n->dir;
    fprintf(f,
            "daemon off;\nmaster_process off;\npid %s/nginx.pid;\nerror_log %s/error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n  access_log off;\n  client_body_temp_path %s;\n  proxy_temp_path %s;\n"
            "  fastcgi_temp_path %s;\n  uwsgi_temp_path %s;\n  scgi_temp_path %s;\n"
            "  ssl_certificate %s/server.pem;\n  ssl_certificate_key %s/server.key;\n"
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n"
            "    location / { return 200 \"hello from nginx\\n\"; }\n  }\n"
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n"
            "    ssl_verify_client on;\n    ssl_client_certificate %s/client.pem;\n"
            "    location / { return 200 \"client $ssl_client_s_dn\\n\"; }\n  }\n}\n",
            d, d, d, d, d, d, d, d, d, n->port, n->port_client, d);
    fclose(f);
    char errlog[256];
    snprintf(errlog, sizeof(errlog), "%s/error.log", d);
    char *argv[] = {NGINX, "-p", n->dir, "-c", conf, "-e", errlog, NULL};
    n->pid = tc_spawn(argv, NULL);
    if (!tc_wait_port(n->pid, n->port) || !tc_wait_port(n->pid, n->port_client)) {
        tc_kill(n->pid);
        tc_sh("cat %s/error.log >&2; rm -rf %s", d, d);
        cr_assert_fail("nginx did not start");
    }
}

static void nginx_stop(nginx_t *n) {
    tc_kill(n->pid);
    tc_sh("rm -rf %s", n->dir);
}

static swirl_client_t *tls_client(nginx_t *n, bool async, const char *cafile) {
    swirl_client_t *c;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL, async, NULL), 0);
    if (cafile) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", n->dir, cafile);
        cr_assert_eq(swirl_client_set_text(c, "ssl_cafile", path), 0);
    }
    return c;
}

static const char GET[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* Send GET / and read the whole response (until the server closes). */
static void http_get(swirl_client_t *c, swirl_buf_t *resp) {
    cr_assert_eq(swirl_client_send(c, GET, sizeof(GET) - 1), (ssize_t)sizeof(GET) - 1);
    ssize_t n;
    while ((n = swirl_client_recv_buf(c, resp, 0)) > 0) {
    }
    cr_assert_eq(n, 0, "recv: %s", swirl_last_error_msg());
    cr_assert_eq(swirl_buf_append(resp, "", 1), 0);
}

Test(client_tls, nginx_verified_by_cafile, .timeout = 60) {
    TU_FD_BEGIN();
    nginx_t n;
    nginx_start(&n);
    swirl_client_t *c = tls_client(&n, false, "server.pem");
    int rc = swirl_client_connect(c, "localhost", n.port, 5);
    cr_assert_eq(rc, 0, "%s", swirl_last_error_msg());
    swirl_buf_t resp = {0};
    http_get(c, &resp);
    cr_assert(strncmp(swirl_buf_bytes(&resp), "HTTP/1.1 200 OK\r\n", 17) == 0, "%s",
              swirl_buf_bytes(&resp));
    cr_assert(strstr(swirl_buf_bytes(&resp), "\r\n\r\nhello from nginx\n"));
    swirl_buf_destroy(&resp);
    swirl_client_free(c);

    /* sendfile over TLS: the request itself comes from a file */
    char path[256];
    snprintf(path, sizeof(path), "%s/request", n.dir);
    FILE *f = fopen(path, "we");
    fputs(GET, f);
    fclose(f);
    c = tls_client(&n, false, "server.pem");
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), 0, "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_client_sendfile(c, path, 0, 0), (ssize_t)sizeof(GET) - 1);
    char buf[64];
    cr_assert_eq(swirl_client_recv(c, buf, 15, MSG_WAITALL), 15);
    cr_assert_eq(memcmp(buf, "HTTP/1.1 200 OK", 15), 0);
    swirl_client_free(c);
    nginx_stop(&n);
    TU_FD_END();
}

Test(client_tls, verify_failures_are_clear, .timeout = 60) {
    TU_FD_BEGIN();
    nginx_t n;
    nginx_start(&n);
    char want[64];
    snprintf(want, sizeof(want), "localhost:%d", n.port);
    /* the system store does not know a self-signed certificate */
    swirl_client_t *c = tls_client(&n, false, NULL);
    int rc = swirl_client_connect(c, "localhost", n.port, 5);
    cr_assert_eq(rc, SWIRL_EPROTO, "%s", swirl_strerror(rc));
    const char *msg = swirl_last_error_msg();
    cr_assert(strstr(msg, "certificate verify failed: self-signed certificate"), "%s", msg);
    cr_assert(strstr(msg, want), "%s", msg);
    cr_assert_not(swirl_client_is_connected(c));
    cr_assert_eq(swirl_client_fd(c), -1);
    swirl_client_free(c);
    /* ... unless self-signed certificates are allowed */
    c = tls_client(&n, false, NULL);
    cr_assert_eq(swirl_client_set_bool(c, "ssl_allow_self_signed", true), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), 0, "%s", swirl_last_error_msg());
    swirl_client_free(c);
    /* the right CA, the wrong name */
    c = tls_client(&n, false, "server.pem");
    cr_assert_eq(swirl_client_set_text(c, "ssl_host_name", "example.com"), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), SWIRL_EPROTO);
    cr_assert(strstr(swirl_last_error_msg(), "hostname mismatch"), "%s", swirl_last_error_msg());
    swirl_client_free(c);
    /* by IP address: the certificate names localhost only */
    c = tls_client(&n, false, "server.pem");
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", n.port, 5), SWIRL_EPROTO);
    cr_assert(strstr(swirl_last_error_msg(), "certificate verify failed"), "%s",
              swirl_last_error_msg());
    swirl_client_free(c);
    /* verification off */
    c = tls_client(&n, false, NULL);
    cr_assert_eq(swirl_client_set_bool(c, "ssl_verify_peer", false), 0);
    cr_assert_eq(swirl_client_connect(c, "127.0.0.1", n.port, 5), 0, "%s", swirl_last_error_msg());
    swirl_client_free(c);
    /* a CA file that is not there */
    c = tls_client(&n, false, "missing.pem");
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "missing.pem"), "%s", swirl_last_error_msg());
    swirl_client_free(c);
    nginx_stop(&n);
    TU_FD_END();
}

Test(client_tls, client_certificate, .timeout = 60) {
    TU_FD_BEGIN();
    nginx_t n;
    nginx_start(&n);
    /* without one: nginx answers 400 */
    swirl_client_t *c = tls_client(&n, false, "server.pem");
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port_client, 5), 0, "%s",
                 swirl_last_error_msg());
    swirl_buf_t resp = {0};
    http_get(c, &resp);
    cr_assert(strncmp(swirl_buf_bytes(&resp), "HTTP/1.1 400", 12) == 0, "%s",
              swirl_buf_bytes(&resp));
    swirl_client_free(c);
    /* with ssl_cert_file / ssl_key_file (the seed's example 5) */
    c = tls_client(&n, false, "server.pem");
    char cert[256], key[256];
    snprintf(cert, sizeof(cert), "%s/client.pem", n.dir);
    snprintf(key, sizeof(key), "%s/client.key", n.dir);
    cr_assert_eq(swirl_client_set_text(c, "ssl_cert_file", cert), 0);
    cr_assert_eq(swirl_client_set_text(c, "ssl_key_file", key), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port_client, 5), 0, "%s",
                 swirl_last_error_msg());
    swirl_buf_clear(&resp);
    http_get(c, &resp);
    cr_assert(strncmp(swirl_buf_bytes(&resp), "HTTP/1.1 200 OK", 15) == 0, "%s",
              swirl_buf_bytes(&resp));
    cr_assert(strstr(swirl_buf_bytes(&resp), "client CN=swirl-client"), "%s",
              swirl_buf_bytes(&resp));
    swirl_buf_destroy(&resp);
    swirl_client_free(c);
    /* a key that does not match the certificate */
    c = tls_client(&n, false, "server.pem");
    snprintf(key, sizeof(key), "%s/server.key", n.dir);
    cr_assert_eq(swirl_client_set_text(c, "ssl_cert_file", cert), 0);
    cr_assert_eq(swirl_client_set_text(c, "ssl_key_file", key), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port_client, 5), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "ssl_key_file"), "%s", swirl_last_error_msg());
    swirl_client_free(c);
    nginx_stop(&n);
    TU_FD_END();
}

Test(client_tls, keep_alive_over_tls, .timeout = 60) {
    TU_FD_BEGIN();
    nginx_t n;
    nginx_start(&n);
    int ports[2];
    for (int i = 0; i < 2; i++) {
        swirl_client_t *c;
        cr_assert_eq(
            swirl_client_new(&c, SWIRL_SOCK_TCP | SWIRL_SOCK_SSL | SWIRL_CLIENT_KEEP, false, NULL),
            0);
        char ca[256];
        snprintf(ca, sizeof(ca), "%s/server.pem", n.dir);
        cr_assert_eq(swirl_client_set_text(c, "ssl_cafile", ca), 0);
        cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), 0, "%s",
                     swirl_last_error_msg());
        swirl_addr_t a;
        cr_assert_eq(swirl_client_getsockname(c, &a), 0);
        ports[i] = swirl_addr_port(&a);
        const char get[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        cr_assert_eq(swirl_client_send(c, get, sizeof(get) - 1), (ssize_t)sizeof(get) - 1);
        swirl_buf_t resp = {0};
        /* the body is the last thing: read until it is there */
        while (swirl_buf_size(&resp) == 0 ||
               !memmem(swirl_buf_bytes(&resp), swirl_buf_size(&resp), "nginx\n", 6))
            cr_assert_gt(swirl_client_recv_buf(c, &resp, 0), 0, "%s", swirl_last_error_msg());
        swirl_buf_destroy(&resp);
        swirl_client_free(c);
    }
    cr_assert_eq(ports[0], ports[1], "the TLS connection is reused");
    cr_assert_eq(swirl_client_pool_clear(), 1);
    nginx_stop(&n);
    TU_FD_END();
}

/* ---- async TLS ----------------------------------------------------------------------------- */

typedef struct {
    swirl_buf_t resp;
    int connects, errors, closes;
} tls_async_t;

static void t_connect(swirl_client_t *c, void *user) {
    ((tls_async_t *)user)->connects++;
    cr_assert_eq(swirl_client_send(c, GET, sizeof(GET) - 1), (ssize_t)sizeof(GET) - 1);
}
static void t_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    swirl_buf_append(&((tls_async_t *)user)->resp, data, len);
}
static void t_error(swirl_client_t *c, void *user, int status) { ((tls_async_t *)user)->errors++; }
static void t_close(swirl_client_t *c, void *user) { ((tls_async_t *)user)->closes++; }

Test(client_tls, async_handshake_in_the_loop, .timeout = 60) {
    TU_FD_BEGIN();
    nginx_t n;
    nginx_start(&n);
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_client_callbacks_t cbs = {t_connect, t_receive, t_error, t_close};
    tls_async_t t = {0};
    swirl_client_t *c = tls_client(&n, true, "server.pem");
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &cbs, &t), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), 0, "%s", swirl_last_error_msg());
    for (int i = 0; i < 500 && swirl_loop_run_once(loop, 20) > 0; i++) {
    }
    cr_assert_eq(t.connects, 1);
    cr_assert_eq(t.errors, 0, "%s", swirl_client_errmsg(c));
    cr_assert_eq(t.closes, 1);
    swirl_buf_append(&t.resp, "", 1);
    cr_assert(strstr(swirl_buf_bytes(&t.resp), "hello from nginx"), "%s", swirl_buf_bytes(&t.resp));
    swirl_client_free(c);
    /* and verification failing in the loop comes as an error callback */
    tls_async_t u = {0};
    c = tls_client(&n, true, NULL);
    cr_assert_eq(swirl_client_set_callbacks(c, loop, &cbs, &u), 0);
    cr_assert_eq(swirl_client_connect(c, "localhost", n.port, 5), 0);
    for (int i = 0; i < 500 && swirl_loop_run_once(loop, 20) > 0; i++) {
    }
    cr_assert_eq(u.connects, 0);
    cr_assert_eq(u.errors, 1);
    cr_assert_eq(swirl_client_errcode(c), SWIRL_EPROTO);
    cr_assert(strstr(swirl_client_errmsg(c), "certificate verify failed"), "%s",
              swirl_client_errmsg(c));
    swirl_client_free(c);
    swirl_buf_destroy(&t.resp);
    swirl_loop_free(loop);
    nginx_stop(&n);
    TU_FD_END();
}
