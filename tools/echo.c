/* tools/echo.c — `swirl echo`: a single-process TCP echo server on the event
 * loop. Reads are echoed with buffered writes; a connection whose peer does
 * not read stops being read until its buffer drains (backpressure). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "cli.h"

#define READ_CHUNK (64 * 1024)
#define ACCEPTS_PER_WAKEUP 64

typedef struct {
    swirl_loop_t *loop;
    int lfd;
    int reserve_fd;       /* spare fd for shedding connections on EMFILE */
    unsigned char *conns; /* conns[fd] != 0: fd is one of our connections */
    int conns_cap;
    long active;
} echo_t;

static void conn_close(echo_t *e, int fd) {
    swirl_loop_del(e->loop, fd);
    swirl_net_close(fd);
    e->conns[fd] = 0;
    e->active--;
}

static void on_conn_write(swirl_loop_t *loop, int fd, int events, void *user) {
    echo_t *e = user;
    if (events & SWIRL_EV_ERROR) {
        conn_close(e, fd);
        return;
    }
    if (swirl_loop_pending(loop, fd) == 0)
        swirl_loop_set(loop, fd, SWIRL_EV_READ, NULL, NULL); /* drained: read again */
}

static void on_conn_read(swirl_loop_t *loop, int fd, int events, void *user) {
    echo_t *e = user;
    char buf[READ_CHUNK];
    ssize_t n = swirl_net_read(fd, buf, sizeof(buf));
    if (n == -EAGAIN)
        return;
    if (n <= 0) {
        if (n < 0 && n != -ECONNRESET)
            swirl_log_info("echo: fd %d: read: %s", fd, swirl_strerror((int)n));
        conn_close(e, fd);
        return;
    }
    if (swirl_loop_write(loop, fd, buf, (size_t)n) < 0) {
        conn_close(e, fd);
        return;
    }
    /* The peer is not keeping up: stop reading until what it owes drains. */
    if (swirl_loop_pending(loop, fd) > 0)
        swirl_loop_set(loop, fd, SWIRL_EV_WRITE, NULL, on_conn_write);
}

static int track(echo_t *e, int fd) {
    if (fd >= e->conns_cap) {
        int cap = e->conns_cap ? e->conns_cap : 256;
        while (cap <= fd)
            cap *= 2;
        unsigned char *p = swirl_realloc(e->conns, (size_t)cap);
        if (!p)
            return -ENOMEM;
        memset(p + e->conns_cap, 0, (size_t)(cap - e->conns_cap));
        e->conns = p;
        e->conns_cap = cap;
    }
    e->conns[fd] = 1;
    e->active++;
    return 0;
}

static void on_accept(swirl_loop_t *loop, int lfd, int events, void *user) {
    echo_t *e = user;
    for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
        int fd;
        int rc = swirl_net_accept(lfd, NULL, &fd);
        if (rc == -EAGAIN)
            return;
        if (rc == -EMFILE || rc == -ENFILE) {
            swirl_log_warning("echo: out of file descriptors; closing a new connection");
            if (swirl_net_accept_shed(lfd, &e->reserve_fd) < 0)
                return;
            continue;
        }
        if (rc < 0) {
            swirl_log_warning("echo: accept: %s", swirl_strerror(rc));
            return;
        }
        if (track(e, fd) < 0 ||
            swirl_loop_add(loop, fd, SWIRL_EV_READ, on_conn_read, NULL, e) < 0) {
            swirl_log_warning("echo: fd %d: %s", fd, swirl_last_error_msg());
            if (fd < e->conns_cap && e->conns[fd]) {
                e->conns[fd] = 0;
                e->active--;
            }
            swirl_net_close(fd);
        }
    }
}

static void on_stop_signal(swirl_loop_t *loop, int signo, void *user) {
    swirl_log_info("echo: %s received, stopping", strsignal(signo));
    swirl_loop_stop(loop);
}

static void usage(FILE *out) {
    fprintf(out, "usage: swirl echo [--host H] [--port P]\n"
                 "  --host H   address to listen on (IPv4 or IPv6; default 127.0.0.1)\n"
                 "  --port P   port, 0..65535; 0 picks a free one (default 9501)\n"
                 "Prints \"listening on HOST:PORT\" once ready; SIGINT or SIGTERM stops it.\n");
}

static int parse_port(const char *s, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

int swirl_cli_echo(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 9501;
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, '?' + 256},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            host = optarg;
            break;
        case 'p':
            if (parse_port(optarg, &port) < 0) {
                fprintf(stderr, "swirl echo: --port: expected an integer 0..65535, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case '?' + 256:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "swirl echo: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    echo_t e = {.lfd = -1, .reserve_fd = -1};
    int exit_code = 1;
    swirl_sock_type_t type = strchr(host, ':') ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP;
    if (swirl_loop_new(&e.loop) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        return 1;
    }
    swirl_listen_opts_t lo;
    swirl_listen_opts_init(&lo);
    if (swirl_net_listen(type, host, port, &lo, &e.lfd) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        goto out;
    }
    e.reserve_fd = swirl_net_reserve_fd();
    if (swirl_loop_add(e.loop, e.lfd, SWIRL_EV_READ, on_accept, NULL, &e) < 0 ||
        swirl_signal_add(e.loop, SIGINT, on_stop_signal, &e) < 0 ||
        swirl_signal_add(e.loop, SIGTERM, on_stop_signal, &e) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        goto out;
    }
    swirl_addr_t addr;
    char text[SWIRL_ADDR_STRLEN];
    swirl_net_local_addr(e.lfd, &addr);
    swirl_addr_format(&addr, text, sizeof(text));
    printf("swirl echo: listening on %s\n", text);
    fflush(stdout);

    if (swirl_loop_run(e.loop) < 0)
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
    else
        exit_code = 0;

out:
    for (int fd = 0; fd < e.conns_cap; fd++)
        if (e.conns[fd])
            conn_close(&e, fd);
    if (e.lfd >= 0) {
        swirl_loop_del(e.loop, e.lfd);
        swirl_net_close(e.lfd);
    }
    swirl_net_close(e.reserve_fd);
    swirl_free(e.conns);
    swirl_loop_free(e.loop);
    return exit_code;
}
