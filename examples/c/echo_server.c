/* examples/c/echo_server.c — the smallest useful swirl program: a TCP echo
 * server on the event loop, with a timer and clean shutdown on SIGTERM.
 *
 *   cc echo_server.c $(pkg-config --cflags --libs swirl) -o echo_server
 *   ./echo_server 9000     # port 0 picks a free one; the port is printed
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <swirl/swirl.h>

static void on_data(swirl_loop_t *loop, int fd, int events, void *user) {
    char buf[16384];
    ssize_t n = swirl_net_read(fd, buf, sizeof(buf));
    if (n == -EAGAIN)
        return;
    /* EOF, a read error, or a peer too slow for the write buffer: hang up. */
    if (n <= 0 || swirl_loop_write(loop, fd, buf, (size_t)n) < 0) {
        swirl_loop_del(loop, fd);
        swirl_net_close(fd);
    }
}

static void on_accept(swirl_loop_t *loop, int lfd, int events, void *user) {
    int fd;
    while (swirl_net_accept(lfd, NULL, &fd) == 0) {
        if (swirl_loop_add(loop, fd, SWIRL_EV_READ, on_data, NULL, NULL) < 0)
            swirl_net_close(fd);
    }
}

static void on_tick(swirl_loop_t *loop, int64_t id, void *user) {
    (*(long *)user)++; /* a timer belongs to the loop that runs it */
}

static void on_term(swirl_loop_t *loop, int signo, void *user) { swirl_loop_stop(loop); }

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9000;
    swirl_loop_t *loop;
    int lfd;
    long ticks = 0;
    signal(SIGPIPE, SIG_IGN);
    if (swirl_loop_new(&loop) < 0 ||
        swirl_net_listen(SWIRL_SOCK_TCP, "127.0.0.1", port, NULL, &lfd) < 0) {
        fprintf(stderr, "echo_server: %s\n", swirl_last_error_msg());
        return 1;
    }
    swirl_loop_add(loop, lfd, SWIRL_EV_READ, on_accept, NULL, NULL);
    swirl_timer_tick(loop, 1000, on_tick, &ticks);
    swirl_signal_add(loop, SIGTERM, on_term, NULL);

    swirl_addr_t addr;
    swirl_net_local_addr(lfd, &addr);
    printf("listening on port %d (swirl %s)\n", swirl_addr_port(&addr), swirl_version_string());
    fflush(stdout);

    swirl_loop_run(loop);
    swirl_net_close(lfd);
    swirl_loop_free(loop); /* connections still open are closed by exit */
    printf("stopped after %ld ticks\n", ticks);
    return 0;
}
