/* tests/integration/test_cli_bench.c — `swirl bench tcp` against the
 * reference echo server: real round trips with and without length framing,
 * errors counted when nothing listens, and its answers to bad options. */
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

/* Run `swirl bench tcp` with `args` (NULL-terminated) and collect it all. */
static void bench(result_t *r, char *const args[]) {
    char *argv[32] = {"swirl", "bench", "tcp"};
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
