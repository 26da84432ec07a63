/* bench/ws_client/wsc.c — the WebSocket client side of bench/ws_client:
 * CONNS swirl_ws_client_t on one loop, each sending a SIZE-byte binary
 * message and waiting for its echo (checked) before the next, for SECONDS.
 * Prints round trips, errors and this process's CPU seconds (getrusage)
 * over the timed part.
 * usage: wsc URL CONNS SECONDS SIZE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <swirl/swirl.h>

static swirl_loop_t *loop;
static char *payload;
static size_t size;
static long trips, errors, live;
static int started, conns;
static bool over;
static double cpu0, t0;

static double cpu_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void on_open(swirl_ws_client_t *c, void *user) {
    (void)user;
    if (++started == conns) { /* the clock starts with every connection open */
        cpu0 = cpu_now();
        t0 = swirl_time_now();
    }
    if (swirl_ws_client_send(c, SWIRL_WS_BINARY, payload, size) < 0)
        errors++;
}

static void on_message(swirl_ws_client_t *c, void *user, int op, const char *d, size_t n) {
    (void)user;
    if (op != SWIRL_WS_BINARY)
        return;
    if (n != size || memcmp(d, payload, n) != 0)
        errors++;
    if (started == conns && !over)
        trips++;
    if (over) {
        swirl_ws_client_close(c, 1000, NULL);
        return;
    }
    if (swirl_ws_client_send(c, SWIRL_WS_BINARY, payload, size) < 0)
        errors++;
}

static void on_close(swirl_ws_client_t *c, void *user, int code, const char *r, size_t rl,
                     bool clean) {
    (void)c, (void)user, (void)code, (void)r, (void)rl;
    if (!clean)
        errors++;
    if (--live == 0)
        swirl_loop_stop(loop);
}

static void on_error(swirl_ws_client_t *c, void *user, int status) {
    (void)user, (void)status;
    fprintf(stderr, "%s\n", swirl_ws_client_errmsg(c));
    errors++;
    if (swirl_ws_client_state(c) == SWIRL_WS_CLIENT_CLOSED && --live == 0)
        swirl_loop_stop(loop);
}

static double cpu_end, t_end;
static void on_over(swirl_loop_t *l, int64_t id, void *user) {
    (void)l, (void)id, (void)user;
    over = true;
    cpu_end = cpu_now();
    t_end = swirl_time_now();
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: wsc URL CONNS SECONDS SIZE\n");
        return 2;
    }
    conns = atoi(argv[2]);
    double seconds = atof(argv[3]);
    size = (size_t)atol(argv[4]);
    payload = malloc(size + 1);
    for (size_t i = 0; i < size; i++)
        payload[i] = (char)(i * 7);
    if (swirl_loop_new(&loop) < 0)
        return 1;
    swirl_ws_client_callbacks_t cbs = {on_open, on_message, on_close, on_error};
    swirl_ws_client_t **cs = calloc((size_t)conns, sizeof(*cs));
    for (int i = 0; i < conns; i++) {
        if (swirl_ws_client_new(&cs[i], loop, argv[1], NULL, &cbs, NULL) < 0 ||
            swirl_ws_client_connect(cs[i]) < 0) {
            fprintf(stderr, "%s\n", swirl_last_error_msg());
            return 1;
        }
        live++;
    }
    swirl_timer_after(loop, (int64_t)(seconds * 1000), on_over, NULL);
    swirl_loop_run(loop);
    for (int i = 0; i < conns; i++)
        swirl_ws_client_free(cs[i]);
    free(cs);
    swirl_loop_free(loop);
    free(payload);
    printf("round_trips: %ld\nerrors: %ld\ncpu_seconds: %.3f\nwall_seconds: %.3f\n", trips, errors,
           cpu_end - cpu0, t_end - t0);
    return errors ? 1 : 0;
}
