/* examples/c/line_server.c — a line protocol on swirl's server in PROCESS
 * mode: reactor threads read and frame ("\r\n"-terminated lines), worker
 * processes answer. Each line comes back as "worker N: <line>".
 *
 *   line_server [PORT]      (0 or none: a free port; it prints which)
 *   printf 'hi\r\n' | nc -q1 127.0.0.1 PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

static void on_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    printf("listening on port %d\n", swirl_server_port(srv)); /* the master, once bound */
    fflush(stdout);
}

static void on_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    /* ev->data is one whole line, "\r\n" included (open_eof_split) */
    char head[32];
    int n = snprintf(head, sizeof(head), "worker %d: ", ev->worker_id);
    if (swirl_server_send(srv, ev->fd, head, (size_t)n) < 0 ||
        swirl_server_send(srv, ev->fd, ev->data, ev->len) < 0)
        fprintf(stderr, "%s\n", swirl_last_error_msg()); /* e.g. the peer's buffer is full */
}

static void on_shutdown(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    printf("stopped after SIGTERM\n");
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    swirl_server_t *srv;
    if (swirl_server_new(&srv, "127.0.0.1", port, SWIRL_MODE_PROCESS, SWIRL_SOCK_TCP) < 0 ||
        swirl_server_set_text(srv, "worker_num", "2") < 0 ||
        swirl_server_set(srv, "open_eof_split", swirl_value_bool(true)) < 0 ||
        swirl_server_set(srv, "package_eof", swirl_value_string("\r\n")) < 0 ||
        swirl_server_set(srv, "package_max_length", swirl_value_int(64 * 1024)) < 0) {
        fprintf(stderr, "%s\n", swirl_last_error_msg()); /* names the bad setting or address */
        return 1;
    }
    swirl_server_on(srv, "start", on_start, NULL);
    swirl_server_on(srv, "receive", on_receive, NULL);
    swirl_server_on(srv, "shutdown", on_shutdown, NULL);
    int rc = swirl_server_start(srv); /* blocks until SIGTERM / SIGINT / swirl_server_shutdown */
    if (rc < 0)
        fprintf(stderr, "%s\n", swirl_last_error_msg());
    swirl_server_free(srv);
    return rc < 0 ? 1 : 0;
}
