/* bench/redis/bench_redis.c — swirl's Redis client in the loop of one
 * process, as redis-benchmark drives a server: one connection, N SETs then N
 * GETs, P commands sent at a time (the next P once all P replies came).
 * Prints "SET: <requests/s>" and "GET: <requests/s>" as redis-benchmark -q
 * does, then "cpu: <seconds>" of this process (user + system).
 *
 *   bench_redis PORT N P */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <swirl/swirl.h>
#include <time.h>

typedef struct {
    swirl_redis_t *r;
    const char *cmd;
    long left;     /* commands still to send */
    int depth;     /* P */
    int in_batch;  /* replies of the current batch still awaited */
    long errors;
    bool ready, done;
} bench_t;

static void send_batch(bench_t *b);

static void on_reply(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    (void)r;
    bench_t *b = user;
    if (status < 0 || swirl_redis_reply_type(rep) == SWIRL_REDIS_ERROR)
        b->errors++;
    if (--b->in_batch == 0) {
        if (b->left > 0)
            send_batch(b);
        else
            b->done = true;
    }
}

static void send_batch(bench_t *b) {
    static const char *set[3] = {"SET", "key:__rand_int__", "xxx"};
    static const char *get[2] = {"GET", "key:__rand_int__"};
    bool is_set = strcmp(b->cmd, "SET") == 0;
    for (int i = 0; i < b->depth && b->left > 0; i++, b->left--) {
        if (swirl_redis_command(b->r, is_set ? 3 : 2, is_set ? set : get, NULL, on_reply, b) < 0) {
            fprintf(stderr, "bench_redis: %s\n", swirl_last_error_msg());
            exit(1);
        }
        b->in_batch++;
    }
}

static void on_event(swirl_redis_t *r, int ev, int status, void *user) {
    bench_t *b = user;
    if (ev == SWIRL_REDIS_EV_CONNECT && status == 0)
        b->ready = true;
    else {
        fprintf(stderr, "bench_redis: %s\n", swirl_redis_errmsg(r));
        exit(1);
    }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: bench_redis PORT N P\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long n = atol(argv[2]);
    int depth = atoi(argv[3]);
    swirl_loop_t *loop;
    bench_t b = {.depth = depth};
    if (swirl_loop_new(&loop) < 0 || swirl_redis_new(&b.r, loop, NULL) < 0)
        return 1;
    swirl_redis_set_event_cb(b.r, on_event, &b);
    if (swirl_redis_connect(b.r, "127.0.0.1", port) < 0) {
        fprintf(stderr, "bench_redis: %s\n", swirl_last_error_msg());
        return 1;
    }
    while (!b.ready)
        swirl_loop_run_once(loop, -1);
    const char *cmds[2] = {"SET", "GET"};
    for (int c = 0; c < 2; c++) {
        b.cmd = cmds[c];
        b.left = n;
        b.done = false;
        double t0 = now();
        send_batch(&b);
        while (!b.done)
            swirl_loop_run_once(loop, -1);
        printf("%s: %.2f requests per second\n", b.cmd, (double)n / (now() - t0));
    }
    swirl_redis_free(b.r);
    swirl_loop_free(loop);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("cpu: %.3f\n", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    return b.errors ? 1 : 0;
}
