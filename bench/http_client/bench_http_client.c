/* bench/http_client/bench_http_client.c — load an HTTP server with swirl's
 * HTTP client: N request chains (each starts its next GET when the last
 * one is done), keep-alive, for D seconds on one loop; prints the requests,
 * the errors and this process's CPU seconds (user + system), so run.sh can
 * compare requests per client CPU-second with wrk's.
 *   bench_http_client URL CONNECTIONS SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <swirl/swirl.h>
#include <sys/resource.h>

typedef struct {
    swirl_http_client_t *hc;
    const char *url;
    uint64_t requests, errors;
    uint64_t end_ms;
    swirl_loop_t *loop;
    int running;
} bench_t;

static void next(bench_t *b);

static void on_done(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                    int status) {
    (void)call;
    bench_t *b = user;
    if (status == 0 && res->status == 200)
        b->requests++;
    else if (b->errors++ < 5)
        fprintf(stderr, "error: %d %s\n", res->status, res->error ? res->error : "");
    if (swirl_loop_now(b->loop) < b->end_ms)
        next(b);
    else
        b->running--;
}

static void next(bench_t *b) {
    swirl_http_request_options_t o;
    swirl_http_request_options_init(&o);
    o.url = b->url;
    o.decompress = false;
    o.on_done = on_done;
    o.user = b;
    if (swirl_http_client_request(b->hc, &o, NULL) < 0) {
        fprintf(stderr, "request: %s\n", swirl_last_error_msg());
        b->errors++;
        b->running--;
    }
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS\n", argv[0]);
        return 2;
    }
    int conns = atoi(argv[2]);
    double secs = atof(argv[3]);
    bench_t b = {.url = argv[1]};
    if (swirl_loop_new(&b.loop) < 0 || swirl_http_client_new(&b.hc, b.loop) < 0 ||
        swirl_http_client_set_pool(b.hc, (size_t)conns, (size_t)conns, 60) < 0) {
        fprintf(stderr, "setup: %s\n", swirl_last_error_msg());
        return 1;
    }
    swirl_loop_run_once(b.loop, 0);
    double cpu0 = cpu_seconds(), t0 = swirl_time_now();
    b.end_ms = swirl_loop_now(b.loop) + (uint64_t)(secs * 1000);
    b.running = conns;
    for (int i = 0; i < conns; i++)
        next(&b);
    while (b.running > 0)
        swirl_loop_run_once(b.loop, 100);
    double cpu = cpu_seconds() - cpu0, wall = swirl_time_now() - t0;
    printf("requests: %llu\nerrors: %llu\nseconds: %.2f\ncpu_seconds: %.2f\n"
           "requests_per_sec: %.0f\nrequests_per_cpu_sec: %.0f\nconnections_opened: %llu\n",
           (unsigned long long)b.requests, (unsigned long long)b.errors, wall, cpu,
           b.requests / wall, cpu > 0 ? b.requests / cpu : 0,
           (unsigned long long)swirl_http_client_connections(b.hc));
    swirl_http_client_free(b.hc);
    swirl_loop_free(b.loop);
    return b.errors ? 1 : 0;
}
