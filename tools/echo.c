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
} echo_opts_t;

static void on_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    /* with framing on, ev->data is one whole message, header or EOF included */
    int rc = swirl_server_send(srv, ev->fd, ev->data, ev->len);
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
    printf(" (%s mode, framing %s%s)\n", o->mode == SWIRL_MODE_BASE ? "base" : "process",
           o->framing, o->udp ? ", datagrams too" : "");
    fflush(stdout);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl echo [--host H] [--port P] [--mode base|process] [--workers N]\n"
            "                  [--reactors N] [--framing none|eof|length] [--udp] [--unix PATH]\n"
            "  --host H        address to listen on (IPv4 or IPv6; default 127.0.0.1)\n"
            "  --port P        port, 0..65535; 0 picks a free one (default 9501)\n"
            "  --mode M        process (default: reactor threads + worker processes) or base\n"
            "  --workers N     worker processes (worker_num; default: CPU count)\n"
            "  --reactors N    reactor threads in process mode (reactor_num)\n"
            "  --framing F     none (bytes as they come), eof (\\r\\n-terminated messages),\n"
            "                  length (4-byte big-endian length, then the body)\n"
            "  --udp           also echo datagrams on the same port (Unix: PATH.dgram)\n"
            "  --unix PATH     listen on a Unix stream socket instead of TCP\n"
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
    echo_opts_t o = {.host = "127.0.0.1", .port = 9501, .mode = SWIRL_MODE_PROCESS,
                     .framing = "none"};
    const char *workers = NULL, *reactors = NULL, *port_text = "9501";
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'h'},  {"port", required_argument, NULL, 'p'},
        {"mode", required_argument, NULL, 'm'},  {"workers", required_argument, NULL, 'w'},
        {"reactors", required_argument, NULL, 'r'}, {"framing", required_argument, NULL, 'f'},
        {"udp", no_argument, NULL, 'u'},         {"unix", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'H'},        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            o.host = optarg;
            break;
        case 'p': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 65535) {
                fprintf(stderr, "swirl echo: --port: expected an integer 0..65535, got \"%s\"\n",
                        optarg);
                return 2;
            }
            o.port = (int)v;
            port_text = optarg;
            break;
        }
        case 'm':
            if (strcmp(optarg, "base") == 0)
                o.mode = SWIRL_MODE_BASE;
            else if (strcmp(optarg, "process") == 0)
                o.mode = SWIRL_MODE_PROCESS;
            else {
                fprintf(stderr, "swirl echo: --mode: expected base or process, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'w':
            workers = optarg;
            break;
        case 'r':
            reactors = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "none") && strcmp(optarg, "eof") && strcmp(optarg, "length")) {
                fprintf(stderr,
                        "swirl echo: --framing: expected none, eof or length, got \"%s\"\n",
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
        case 'H':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    (void)port_text;
    if (optind < argc) {
        fprintf(stderr, "swirl echo: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    swirl_server_t *srv;
    swirl_sock_type_t type = o.unix_path          ? SWIRL_SOCK_UNIX_STREAM
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
                                     NULL);
        }
        if (rc < 0) {
            fprintf(stderr, "swirl echo: %s\n", swirl_last_error_msg());
            goto out;
        }
        swirl_server_on(srv, "packet", on_packet, &o);
    }
    swirl_server_on(srv, "receive", on_receive, &o);
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
