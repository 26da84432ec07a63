/* tests/integration/test_cli_bench.c — `swirl bench tcp` against the
 * reference echo server: real round trips with and without length framing,
 * errors counted when nothing listens, and its answers to bad options;
 * `swirl bench http` against `swirl serve`, the reference's canned HTTP
 * answer and a Python server that answers chunked, with 1xx and with
 * Connection: close. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "cli_harness.h"

TU_SUITE(cli_bench);

static int start_reference(child_t *c) {
    char *argv[] = {"bench_reference_echo", "0", NULL};
    *c = spawn(REFERENCE_BIN, argv);
    char line[256];
    read_until(c->out, line, sizeof(line), "\n", 5000);
    char *p = strstr(line, "listening on 127.0.0.1:");
    cr_assert_not_null(p, "no listening line, got \"%s\"", line);
    return atoi(p + strlen("listening on 127.0.0.1:"));
}

/* The number on the report line "key: N", or -1 if there is none. */
static double field(const char *out, const char *key) {
    size_t k = strlen(key);
    for (const char *p = out; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, k) == 0 && p[k] == ':')
            return strtod(p + k + 1, NULL);
    return -1;
}

typedef struct {
    int code;
    char out[2048];
    char err[4096];
} result_t;

/* Run `swirl bench KIND` with `args` (NULL-terminated) and collect it all. */
static void bench_kind(result_t *r, const char *kind, char *const args[]) {
    char *argv[32] = {"swirl", "bench", (char *)kind};
    int n = 3;
    for (; args[n - 3]; n++)
        argv[n] = args[n - 3];
    argv[n] = NULL;
    child_t c = spawn(SWIRL_BIN, argv);
    read_until(c.out, r->out, sizeof(r->out), "duration_s:", 10000);
    r->code = wait_exit(&c, 10000);
    read_until(c.err, r->err, sizeof(r->err), NULL, 100);
    reap(&c);
}

static void bench(result_t *r, char *const args[]) { bench_kind(r, "tcp", args); }

static void expect_clean_run(const result_t *r, int conns) {
    cr_assert_eq(r->code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", r->code, r->out, r->err);
    cr_assert_gt(field(r->out, "requests"), 0, "%s", r->out);
    cr_assert_gt(field(r->out, "round_trips_per_sec"), 0, "%s", r->out);
    cr_assert_gt(field(r->out, "latency_p50_us"), 0, "%s", r->out);
    cr_assert_geq(field(r->out, "latency_p99_us"), field(r->out, "latency_p50_us"), "%s", r->out);
    cr_assert_eq(field(r->out, "errors"), 0, "%s", r->out);
    cr_assert_eq(field(r->out, "connections"), conns, "%s", r->out);
    cr_assert_geq(field(r->out, "duration_s"), 0.9, "%s", r->out);
    cr_assert(strstr(r->err, "1s: "), "a progress line each second: %s", r->err);
}

Test(cli_bench, round_trips_against_the_reference, .timeout = 60) {
    child_t srv;
    int port = start_reference(&srv);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    result_t r;
    bench(&r, (char *[]){"--host", "127.0.0.1", "--port", portstr, "-c", "4", "-d", "1", NULL});
    expect_clean_run(&r, 4);
    /* bigger than the socket buffers: partial writes on both sides */
    bench(&r, (char *[]){"--port", portstr, "-c", "2", "-d", "1", "--size", "3000000", NULL});
    expect_clean_run(&r, 2);
    reap(&srv);
}

Test(cli_bench, length_framing_round_trips, .timeout = 60) {
    child_t srv;
    int port = start_reference(&srv);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    result_t r;
    /* the reference echoes bytes, so a framed message comes back framed */
    bench(&r, (char *[]){"--port", portstr, "-c", "4", "-d", "1", "--framing", "length", NULL});
    expect_clean_run(&r, 4);
    reap(&srv);
}

Test(cli_bench, refused_connections_are_errors, .timeout = 60) {
    int lfd;
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", 0, NULL, &lfd), 0);
    swirl_addr_t a;
    cr_assert_eq(swirl_net_local_addr(lfd, &a), 0);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", swirl_addr_port(&a));
    swirl_net_close(lfd); /* nothing listens there now */
    result_t r;
    bench(&r, (char *[]){"--port", portstr, "-c", "2", "-d", "1", NULL});
    cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_assert_gt(field(r.out, "errors"), 0, "%s", r.out);
    cr_assert_eq(field(r.out, "requests"), 0, "%s", r.out);
    cr_assert(strstr(r.err, "refused"), "says why: %s", r.err);
    cr_assert(strstr(r.err, portstr), "names the address: %s", r.err);
}

static void expect_usage_error(char *const argv[], const char *needle) {
    child_t c = spawn(SWIRL_BIN, argv);
    char err[4096];
    read_until(c.err, err, sizeof(err), needle, 5000);
    cr_assert_eq(wait_exit(&c, 5000), 2, "exit code for %s", needle);
    cr_assert(strstr(err, needle), "stderr lacks \"%s\": %s", needle, err);
    reap(&c);
}

Test(cli_bench, bad_options_are_clear_errors, .timeout = 30) {
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "-c", "x", NULL},
                       "swirl bench tcp: -c: expected an integer 1..100000, got \"x\"");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "-c", "0", NULL}, "got \"0\"");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "-d", "-3", NULL},
                       "-d: expected an integer");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "--size", "16777217", NULL},
                       "--size: expected an integer 1..16777216, got \"16777217\"");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "--framing", "eof", NULL},
                       "--framing: expected none or length, got \"eof\"");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "--port", "70000", NULL}, "\"70000\"");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "--host", "300.1.1.1", NULL},
                       "300.1.1.1");
    expect_usage_error((char *[]){"swirl", "bench", "tcp", "--bogus", NULL}, "usage");
    expect_usage_error((char *[]){"swirl", "bench", NULL}, "usage: swirl bench");
    expect_usage_error((char *[]){"swirl", "bench", "udp", NULL}, "unknown kind \"udp\"");
}

/* ---- swirl bench http ---------------------------------------------------------------------- */

static int start_serve_with(child_t *c, const char *cert) {
    char *argv[] = {"swirl",      "serve", "--port", "0", "--workers", "1", cert ? "--cert" : NULL,
                    (char *)cert, NULL};
    *c = spawn(SWIRL_BIN, argv);
    char line[256];
    read_until(c->out, line, sizeof(line), "/\n", 10000);
    const char *scheme = cert ? "https://127.0.0.1:" : "http://127.0.0.1:";
    char *p = strstr(line, scheme);
    cr_assert_not_null(p, "swirl serve did not start: \"%s\"", line);
    return atoi(p + strlen(scheme));
}

static int start_serve(child_t *c) { return start_serve_with(c, NULL); }

static void stop(child_t *c) {
    kill(c->pid, SIGTERM);
    wait_exit(c, 10000);
    reap(c);
}

Test(cli_bench, http_keepalive_pipelined_and_not, .timeout = 60) {
    child_t srv;
    int port = start_serve(&srv);
    char url[128], nf[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", port);
    snprintf(nf, sizeof(nf), "http://localhost:%d/no-such-page", port);
    result_t r;
    bench_kind(&r, "http", (char *[]){url, "-c", "4", "-d", "1", NULL});
    expect_clean_run(&r, 4);
    cr_assert_eq(field(r.out, "requests_per_sec"), field(r.out, "round_trips_per_sec"), "%s",
                 r.out);
    bench_kind(&r, "http", (char *[]){url, "-c", "2", "-d", "1", "--pipeline", "16", NULL});
    expect_clean_run(&r, 2);
    double ratio = field(r.out, "requests_per_sec") / field(r.out, "round_trips_per_sec");
    cr_assert(ratio > 15.9 && ratio < 16.1, "16 requests a round: %s", r.out);
    bench_kind(&r, "http",
               (char *[]){url, "-c", "2", "-d", "1", "--keepalive", "off", "-H",
                          "Accept: text/plain", NULL});
    expect_clean_run(&r, 2);
    /* a 404 is an error, counted, and the exit code says so */
    bench_kind(&r, "http", (char *[]){nf, "-c", "1", "-d", "1", NULL});
    cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_assert_gt(field(r.out, "errors"), 0, "%s", r.out);
    cr_assert(strstr(r.err, "status 404"), "%s", r.err);
    stop(&srv);
}

/* TLS: https:// and wss:// against `swirl serve --cert` (certificate and
 * key in one file made by openssl), sessions resumed when connections are
 * not kept; https:// against a plain port fails the handshake, said. */
Test(cli_bench, tls_https_and_wss_against_swirl_serve, .timeout = 90) {
    if (access("/usr/bin/openssl", X_OK) != 0)
        cr_skip_test("openssl is not installed");
    char pem[128], cmd[1536];
    snprintf(pem, sizeof(pem), "/tmp/swirl-test-bench-%d.pem", (int)getpid());
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s.key -out %s.crt -subj "
             "/CN=localhost -days 2 2>/dev/null && cat %s.crt %s.key > %s && rm %s.crt %s.key",
             pem, pem, pem, pem, pem, pem, pem);
    cr_assert_eq(system(cmd), 0);
    child_t srv;
    int port = start_serve_with(&srv, pem);
    char url[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", port);
    result_t r;
    bench_kind(&r, "http", (char *[]){url, "-c", "4", "-d", "1", NULL});
    expect_clean_run(&r, 4);
    cr_assert_eq(field(r.out, "tls_handshakes"), 4, "%s", r.out);
    bench_kind(&r, "http", (char *[]){url, "-c", "2", "-d", "1", "--keepalive", "off", NULL});
    expect_clean_run(&r, 2);
    double hs = field(r.out, "tls_handshakes"), resumed = field(r.out, "tls_resumed");
    cr_assert(hs > 10 && resumed > hs / 2, "sessions resumed: %s", r.out);
    snprintf(url, sizeof(url), "wss://127.0.0.1:%d/ws", port);
    bench_kind(&r, "ws", (char *[]){url, "-c", "2", "-d", "1", "--size", "100000", NULL});
    expect_clean_run(&r, 2);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", port);
    bench_kind(&r, "http", (char *[]){url, "-c", "1", "-d", "1", "--tls", NULL});
    expect_clean_run(&r, 1);
    stop(&srv);
    unlink(pem);
    /* TLS to a plain port: the handshake fails, and the error says so */
    port = start_serve(&srv);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello", port);
    bench_kind(&r, "http", (char *[]){url, "-c", "1", "-d", "1", NULL});
    cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_assert(strstr(r.err, "TLS handshake"), "%s", r.err);
    stop(&srv);
}

Test(cli_bench, http_against_the_reference_canned_answer, .timeout = 60) {
    char *argv[] = {"bench_reference_echo", "--http", "0", NULL};
    child_t srv = spawn(REFERENCE_BIN, argv);
    char line[256];
    read_until(srv.out, line, sizeof(line), "\n", 5000);
    char *p = strstr(line, "listening on 127.0.0.1:");
    cr_assert_not_null(p, "%s", line);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", atoi(p + 23));
    result_t r;
    bench_kind(&r, "http", (char *[]){url, "-c", "8", "-d", "1", "--pipeline", "4", NULL});
    expect_clean_run(&r, 8);
    reap(&srv);
}

/* Chunked bodies with extensions and trailers, a 100 before a response,
 * and Connection: close every fifth response (the round ends there and
 * the connection is made again): all read right, no error. */
static const char chunky_py[] =
    "import socket, threading\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', 0)); s.listen(64)\n"
    "print('port', s.getsockname()[1], flush=True)\n"
    "def serve(c):\n"
    "    buf = b''; n = 0\n"
    "    while True:\n"
    "        d = c.recv(65536)\n"
    "        if not d: break\n"
    "        buf += d\n"
    "        while b'\\r\\n\\r\\n' in buf:\n"
    "            head, buf = buf.split(b'\\r\\n\\r\\n', 1); n += 1\n"
    "            out = b'HTTP/1.1 100 Continue\\r\\n\\r\\n' if n % 3 == 0 else b''\n"
    "            if n % 5 == 0:\n"
    "                c.sendall(out + b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n'\n"
    "                          b'Connection: close\\r\\n\\r\\nok'); c.close(); return\n"
    "            c.sendall(out + b'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'\n"
    "                      b'5;x=y\\r\\nhello\\r\\n6\\r\\n world\\r\\n0\\r\\nT: 1\\r\\n\\r\\n')\n"
    "    c.close()\n"
    "while True:\n"
    "    c, _ = s.accept()\n"
    "    threading.Thread(target=serve, args=(c,), daemon=True).start()\n";

Test(cli_bench, http_chunked_1xx_and_server_close, .timeout = 60) {
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        cr_skip_test("python3 is not installed (scripts/deps.sh installs it)");
    child_t srv =
        spawn("/usr/bin/env", (char *[]){"env", "python3", "-c", (char *)chunky_py, NULL});
    char line[256];
    read_until(srv.out, line, sizeof(line), "\n", 10000);
    char *p = strstr(line, "port ");
    cr_assert_not_null(p, "%s", line);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", atoi(p + 5));
    result_t r;
    bench_kind(&r, "http", (char *[]){url, "-c", "2", "-d", "1", NULL});
    expect_clean_run(&r, 2);
    bench_kind(&r, "http", (char *[]){url, "-c", "2", "-d", "1", "--pipeline", "3", NULL});
    expect_clean_run(&r, 2);
    stop(&srv);
}

Test(cli_bench, http_bad_options_are_clear_errors, .timeout = 30) {
    expect_usage_error((char *[]){"swirl", "bench", "http", NULL}, "which URL?");
    expect_usage_error((char *[]){"swirl", "bench", "http", "ftp://x/", NULL},
                       "expected a URL starting with http://");
    expect_usage_error((char *[]){"swirl", "bench", "http", "https://127.0.0.1:0/", NULL},
                       "URL port: expected an integer 1..65535, got \"0\"");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://127.0.0.1:0/", NULL},
                       "URL port: expected an integer 1..65535, got \"0\"");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://[::1/", NULL},
                       "bad [IPv6] host");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://no-such-host.invalid/", NULL},
                       "cannot resolve \"no-such-host.invalid\"");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://127.0.0.1/a b", NULL},
                       "the path has a space");
    expect_usage_error(
        (char *[]){"swirl", "bench", "http", "http://127.0.0.1/", "--pipeline", "0", NULL},
        "--pipeline: expected an integer 1..1024, got \"0\"");
    expect_usage_error(
        (char *[]){"swirl", "bench", "http", "http://127.0.0.1/", "--keepalive", "maybe", NULL},
        "--keepalive: expected on or off, got \"maybe\"");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://127.0.0.1/", "--keepalive",
                                  "off", "--pipeline", "2", NULL},
                       "--pipeline 2 needs --keepalive on");
    expect_usage_error(
        (char *[]){"swirl", "bench", "http", "http://127.0.0.1/", "-H", "nocolon", NULL},
        "-H: expected 'Name: value'");
    expect_usage_error((char *[]){"swirl", "bench", "http", "http://a/", "http://b/", NULL},
                       "one URL, please");
}

/* ---- swirl bench ws ------------------------------------------------------------------------- */

Test(cli_bench, ws_echo_round_trips_checked, .timeout = 60) {
    child_t srv;
    int port = start_serve(&srv);
    char url[128], bad[128];
    snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws", port);
    snprintf(bad, sizeof(bad), "ws://127.0.0.1:%d/nowhere", port);
    result_t r;
    bench_kind(&r, "ws", (char *[]){url, "-c", "4", "-d", "1", NULL});
    expect_clean_run(&r, 4);
    bench_kind(&r, "ws", (char *[]){url, "-c", "2", "-d", "1", "--size", "200000", NULL});
    expect_clean_run(&r, 2);
    bench_kind(&r, "ws", (char *[]){url, "-c", "1", "-d", "1", "--size", "0", NULL});
    expect_clean_run(&r, 1);
    /* a refused handshake is an error, said */
    bench_kind(&r, "ws", (char *[]){bad, "-c", "1", "-d", "1", NULL});
    cr_assert_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_assert(strstr(r.err, "handshake refused: \"HTTP/1.1 404"), "%s", r.err);
    stop(&srv);
}

Test(cli_bench, ws_bad_options_are_clear_errors, .timeout = 30) {
    expect_usage_error((char *[]){"swirl", "bench", "ws", NULL}, "which URL?");
    expect_usage_error((char *[]){"swirl", "bench", "ws", "http://127.0.0.1/", NULL},
                       "expected a URL starting with ws://");
    expect_usage_error((char *[]){"swirl", "bench", "ws", "wss://[::1/", NULL}, "bad [IPv6] host");
    expect_usage_error((char *[]){"swirl", "bench", "ws", "ws://127.0.0.1/", "--size", "-1", NULL},
                       "--size: expected an integer 0..16777216, got \"-1\"");
}
