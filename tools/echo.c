/* tools/echo.c — `swirl echo`: an echo server on swirl's server, in PROCESS
 * (default) or BASE mode. Bytes come back as they came, or with framing,
 * whole messages re-framed the same way; --udp also echoes datagrams. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "cli.h"

typedef struct {
    const char *host;
    int port;
    const char *unix_path;
    bool udp;
    int mode;
    const char *framing;
    int task_workers;
    bool competing;      /* task_ipc_mode 3 */
    swirl_port_t *dgram; /* the datagram listener (--udp) */
} echo_opts_t;

static void on_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    /* with framing on, ev->data is one whole message, header or EOF included */
    int rc = swirl_server_send(srv, ev->fd, ev->data, ev->len);
    if (rc < 0 && rc != SWIRL_ECLOSED)
        swirl_log_warning("echo: %s", swirl_last_error_msg());
}

/* --task-workers: every message goes through a task that returns it. The
 * task carries the session id (8 bytes) in front of the message. A reply
 * that comes back after the client shut down its side finds the connection
 * closed (the close is not held for tasks in flight). */
static void on_receive_task(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    char *buf = malloc(8 + ev->len);
    if (!buf) {
        swirl_log_error("echo: out of memory; closing connection %lld", (long long)ev->fd);
        swirl_server_close(srv, ev->fd, true);
        return;
    }
    memcpy(buf, &ev->fd, 8);
    memcpy(buf + 8, ev->data, ev->len);
    /* one task worker per connection: its results come back in order
     * (task_ipc_mode 3 cannot choose: the task workers compete, and the
     * order holds only for a client that waits for each echo) */
    const echo_opts_t *o = user;
    int dst = o->competing ? -1 : (int)(ev->fd % o->task_workers);
    if (swirl_server_task(srv, buf, 8 + ev->len, dst) < 0) {
        /* never a silent loss: the client sees its connection closed */
        swirl_log_warning("echo: %s; closing connection %lld", swirl_last_error_msg(),
                          (long long)ev->fd);
        swirl_server_close(srv, ev->fd, true);
    }
    free(buf);
}

static void on_task(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_server_finish(srv, ev->data, ev->len);
}

static void on_finish(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    int64_t fd;
    if (ev->len < 8)
        return;
    memcpy(&fd, ev->data, 8);
    int rc = swirl_server_send(srv, fd, ev->data + 8, ev->len - 8);
    if (rc < 0 && rc != SWIRL_ECLOSED)
        swirl_log_warning("echo: %s", swirl_last_error_msg());
}

static void on_packet(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    if (swirl_server_sendto(srv, ev->addr, ev->data, ev->len, ev->server_fd) < 0)
        swirl_log_warning("echo: %s", swirl_last_error_msg());
}

static void on_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    const echo_opts_t *o = user;
    if (o->unix_path)
        printf("swirl echo: listening on unix:%s", o->unix_path);
    else if (strchr(o->host, ':'))
        printf("swirl echo: listening on [%s]:%d", o->host, swirl_server_port(srv));
    else
        printf("swirl echo: listening on %s:%d", o->host, swirl_server_port(srv));
    printf(" (%s mode, framing %s", o->mode == SWIRL_MODE_BASE ? "base" : "process", o->framing);
    if (o->udp && o->unix_path)
        printf(", datagrams on unix:%s.dgram", o->unix_path);
    else if (o->udp) /* the same port, unless --port 0 picked two free ones */
        printf(", datagrams on udp port %d", o->dgram ? swirl_port_bound_port(o->dgram) : 0);
    printf(")\n");
    fflush(stdout);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl echo [--host H] [--port P] [--mode base|process] [--workers N]\n"
            "                  [--reactors N] [--framing none|eof|length] [--udp] [--unix PATH]\n"
            "                  [--task-workers N] [--task-ipc-mode 1|2|3] [--max-request N]\n"
            "                  [--max-wait-time S]\n"
            "                  [--daemonize] [--pid-file F] [--log-file F]\n"
            "  --host H        address to listen on (IPv4 or IPv6; default 127.0.0.1)\n"
            "  --port P        port, 0..65535; 0 picks a free one (default 9501)\n"
            "  --mode M        process (default: reactor threads + worker processes) or base\n"
            "  --workers N     worker processes (worker_num; default: CPU count)\n"
            "  --reactors N    reactor threads in process mode (reactor_num)\n"
            "  --framing F     none (bytes as they come), eof (\\r\\n-terminated messages),\n"
            "                  length (4-byte big-endian length, then the body)\n"
            "  --udp           also echo datagrams on the same port (with --port 0, a free one\n"
            "                  of its own, printed at start; Unix: PATH.dgram)\n"
            "  --unix PATH     listen on a Unix stream socket instead of TCP\n"
            "  --task-workers N  send every message through a task worker and back\n"
            "  --task-ipc-mode M 1 sockets (default), 2 message queue, 3 message queue with\n"
            "                    competing task workers (3 keeps a connection's order only\n"
            "                    for a client that waits for each echo)\n"
            "  --max-request N   replace a worker after N messages\n"
            "  --max-wait-time S seconds a stopping worker may finish its work (default 3)\n"
            "  --daemonize       detach once listening (use with --pid-file, --log-file)\n"
            "  --pid-file F      write the master's pid to F (removed at exit)\n"
            "  --log-file F      append the log to F (SIGRTMIN reopens it)\n"
            "Signals: SIGTERM/SIGINT stop gracefully, SIGUSR1 reloads workers, SIGUSR2 task\n"
            "workers only, SIGRTMIN reopens the log file.\n"
            "Prints \"listening on ...\" once ready; SIGINT or SIGTERM stops it.\n");
}

/* Apply a setting, turning the table's message into the command's. */
static int set(swirl_server_t *srv, const char *key, const char *text) {
    if (swirl_server_set_text(srv, key, text) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        return -1;
    }
    return 0;
}

int swirl_cli_echo(int argc, char **argv) {
    echo_opts_t o = {
        .host = "127.0.0.1", .port = 9501, .mode = SWIRL_MODE_PROCESS, .framing = "none"};
    const char *workers = NULL, *reactors = NULL;
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"reactors", required_argument, NULL, 'r'},
                                         {"framing", required_argument, NULL, 'f'},
                                         {"udp", no_argument, NULL, 'u'},
                                         {"unix", required_argument, NULL, 'x'},
                                         {"task-workers", required_argument, NULL, 'T'},
                                         {"task-ipc-mode", required_argument, NULL, 'I'},
                                         {"max-request", required_argument, NULL, 'M'},
                                         {"max-wait-time", required_argument, NULL, 'W'},
                                         {"daemonize", no_argument, NULL, 'D'},
                                         {"pid-file", required_argument, NULL, 'P'},
                                         {"log-file", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    /* settings straight from options, applied (and checked) by the table */
    const char *direct[7][2] = {{"task_worker_num", NULL}, {"max_request", NULL},
                                {"max_wait_time", NULL},   {"daemonize", NULL},
                                {"pid_file", NULL},        {"log_file", NULL},
                                {"task_ipc_mode", NULL}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            o.host = optarg;
            break;
        case 'p': {
            long v;
            if (cli_parse_long("swirl echo", "--port", optarg, 0, 65535, &v) < 0)
                return 2;
            o.port = (int)v;
            break;
        }
        case 'm':
            if (cli_parse_mode("swirl echo", optarg, &o.mode) < 0)
                return 2;
            break;
        case 'w':
            workers = optarg;
            break;
        case 'r':
            reactors = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "none") && strcmp(optarg, "eof") && strcmp(optarg, "length")) {
                fprintf(stderr, "swirl echo: --framing: expected none, eof or length, got \"%s\"\n",
                        optarg);
                return 2;
            }
            o.framing = optarg;
            break;
        case 'u':
            o.udp = true;
            break;
        case 'x':
            o.unix_path = optarg;
            break;
        case 'T':
            direct[0][1] = optarg;
            break;
        case 'I':
            direct[6][1] = optarg;
            break;
        case 'M':
            direct[1][1] = optarg;
            break;
        case 'W':
            direct[2][1] = optarg;
            break;
        case 'D':
            direct[3][1] = "true";
            break;
        case 'P':
            direct[4][1] = optarg;
            break;
        case 'L':
            direct[5][1] = optarg;
            break;
        case 'H':
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

    swirl_server_t *srv;
    swirl_sock_type_t type = o.unix_path           ? SWIRL_SOCK_UNIX_STREAM
                             : strchr(o.host, ':') ? SWIRL_SOCK_TCP6
                                                   : SWIRL_SOCK_TCP;
    if (swirl_server_new(&srv, o.unix_path ? o.unix_path : o.host, o.port, o.mode, type) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        return 1;
    }
    int exit_code = 2;
    char dgram_path[256];
    if ((workers && set(srv, "worker_num", workers) < 0) ||
        (reactors && set(srv, "reactor_num", reactors) < 0))
        goto out;
    for (int i = 0; i < 7; i++)
        if (direct[i][1] && set(srv, direct[i][0], direct[i][1]) < 0)
            goto out;
    o.task_workers = direct[0][1] ? atoi(direct[0][1]) : 0;
    o.competing = direct[6][1] && strcmp(direct[6][1], "3") == 0;
    bool tasks = o.task_workers > 0;
    if (strcmp(o.framing, "eof") == 0) {
        if (set(srv, "open_eof_split", "true") < 0 || set(srv, "package_eof", "\\r\\n") < 0)
            goto out;
    } else if (strcmp(o.framing, "length") == 0) {
        if (set(srv, "open_length_check", "true") < 0 || set(srv, "package_length_type", "N") < 0 ||
            set(srv, "package_length_offset", "0") < 0 || set(srv, "package_body_offset", "4") < 0)
            goto out;
    }
    if (o.udp) {
        int rc;
        if (o.unix_path) {
            snprintf(dgram_path, sizeof(dgram_path), "%s.dgram", o.unix_path);
            rc = swirl_server_listen(srv, dgram_path, 0, SWIRL_SOCK_UNIX_DGRAM, NULL);
        } else {
            rc = swirl_server_listen(srv, o.host, o.port,
                                     type == SWIRL_SOCK_TCP6 ? SWIRL_SOCK_UDP6 : SWIRL_SOCK_UDP,
                                     &o.dgram);
        }
        if (rc < 0) {
            fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
            goto out;
        }
        swirl_server_on(srv, "packet", on_packet, &o);
    }
    swirl_server_on(srv, "receive", tasks ? on_receive_task : on_receive, &o);
    if (tasks) {
        swirl_server_on(srv, "task", on_task, &o);
        swirl_server_on(srv, "finish", on_finish, &o);
    }
    swirl_server_on(srv, "start", on_start, &o);
    exit_code = 1;
    if (swirl_server_start(srv) < 0) {
        fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
        goto out;
    }
    exit_code = 0;
out:
    swirl_server_free(srv);
    return exit_code;
}
