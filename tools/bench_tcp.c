/* tools/bench_tcp.c — `swirl bench tcp`: a closed-loop echo load generator
 * on swirl's event loop. Each connection sends one message, waits for the
 * whole echo, checks it byte for byte and sends the next; the report gives
 * round trips per second, latency percentiles and every error seen. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <swirl/swirl.h>

#include "bench.h"
#include "cli.h"

#define CMD "swirl bench tcp"
#define MAX_CONNS 100000
#define MAX_SIZE (16L * 1024 * 1024)
#define MAX_SECONDS 3600
#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 16 /* one connection echoing megabytes must not starve the rest */
#define RECONNECT_MS 50     /* a server that refuses or resets is not hammered in a tight loop */
#define MAX_ERROR_LINES 20
/* Messages are windows into one random pattern; a window's start depends on
 * the connection and the round. A prime span means consecutive rounds of a
 * connection never start at the same place, so a stale or crossed echo of
 * the same length still differs. */
#define PATTERN_SPAN 65521u

typedef enum { CONN_IDLE, CONN_CONNECTING, CONN_OPEN } conn_state_t;

typedef struct bench bench_t;

typedef struct {
    bench_t *b;
    int id;
    int fd;
    conn_state_t state;
    bool want_write;     /* EV_WRITE armed: the kernel refused part of the message */
    uint32_t round;      /* rounds started on this connection, over its reconnects */
    size_t start;        /* this round's offset into the pattern */
    size_t sent, got;    /* bytes of this round's message sent and echoed back */
    uint64_t t0_ns;      /* when this round's first byte was offered */
    int64_t retry_timer; /* pending reconnect, 0 if none */
    unsigned char header[4];
} conn_t;

struct bench {
    const char *host; /* or the Unix path */
    int port;
    swirl_sock_type_t type;
    long nconns;
    long seconds;
    size_t size;    /* body bytes */
    bool framing;   /* 4-byte big-endian length before the body */
    size_t msg_len; /* what goes out (and must come back) per round */
    char target[SWIRL_ADDR_STRLEN];

    swirl_loop_t *loop;
    conn_t *conns;
    unsigned char *pattern; /* size + PATTERN_SPAN bytes */
    unsigned char *scratch; /* READ_CHUNK bytes, shared: one thread, one read at a time */
    bool stopping;
    int64_t tick_timer, end_timer;
    int ticks;
    uint64_t requests, last_requests, errors, error_lines;
    uint64_t t_start_ns, t_end_ns;
    bench_hist_t hist; /* round-trip latency in ns */
};

static void conn_connect(conn_t *c);
static void round_start(conn_t *c);

/* ---- failures --------------------------------------------------------------------------- */

static void conn_drop(conn_t *c) {
    if (c->fd >= 0) {
        swirl_loop_del(c->b->loop, c->fd);
        swirl_net_close(c->fd);
    }
    c->fd = -1;
    c->state = CONN_IDLE;
    c->want_write = false;
}

static void on_retry(swirl_loop_t *loop, int64_t id, void *user) {
    conn_t *c = user;
    c->retry_timer = 0;
    conn_connect(c);
}

/* Count an error, say what it was (the first few), close the connection and
 * connect it again shortly. */
__attribute__((format(printf, 2, 3))) static void conn_fail(conn_t *c, const char *fmt, ...) {
    bench_t *b = c->b;
    b->errors++;
    if (b->error_lines < MAX_ERROR_LINES) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, CMD ": connection %d: ", c->id);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    } else if (b->error_lines == MAX_ERROR_LINES) {
        fprintf(stderr, CMD ": further errors are counted, not shown\n");
    }
    b->error_lines++;
    conn_drop(c);
    if (b->stopping)
        return;
    int64_t id = swirl_timer_after(b->loop, RECONNECT_MS, on_retry, c);
    c->retry_timer = id > 0 ? id : 0;
}

/* ---- sending ---------------------------------------------------------------------------- */

static int arm_write(conn_t *c, bool on) {
    if (c->want_write == on)
        return 0;
    c->want_write = on;
    return swirl_loop_set(c->b->loop, c->fd, SWIRL_EV_READ | (on ? SWIRL_EV_WRITE : 0), NULL, NULL);
}

/* Offer the rest of this round's message to the kernel; what it refuses is
 * sent when the socket becomes writable. The bytes are never copied: the
 * header lives in the connection, the body in the shared pattern. */
static void conn_send(conn_t *c) {
    bench_t *b = c->b;
    size_t hdr = b->framing ? 4 : 0;
    while (c->sent < b->msg_len) {
        struct iovec iov[2];
        int n = 0;
        if (c->sent < hdr)
            iov[n++] = (struct iovec){c->header + c->sent, hdr - c->sent};
        size_t body_off = c->sent < hdr ? 0 : c->sent - hdr;
        iov[n++] = (struct iovec){b->pattern + c->start + body_off, b->size - body_off};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (arm_write(c, true) < 0)
                    conn_fail(c, "arming for write: %s", swirl_last_error_msg());
                return;
            }
            conn_fail(c, "send (round %" PRIu32 "): %s", c->round, strerror(errno));
            return;
        }
        c->sent += (size_t)w;
    }
    if (arm_write(c, false) < 0)
        conn_fail(c, "disarming write: %s", swirl_last_error_msg());
}

static void round_start(conn_t *c) {
    bench_t *b = c->b;
    c->round++;
    c->start = (size_t)(((uint64_t)(uint32_t)c->id * 2654435761u + (uint64_t)c->round * 40503u) %
                        PATTERN_SPAN);
    uint32_t len = (uint32_t)b->size;
    c->header[0] = (unsigned char)(len >> 24);
    c->header[1] = (unsigned char)(len >> 16);
    c->header[2] = (unsigned char)(len >> 8);
    c->header[3] = (unsigned char)len;
    c->sent = c->got = 0;
    c->t0_ns = swirl_clock_ns();
    conn_send(c);
}

/* ---- receiving -------------------------------------------------------------------------- */

/* Check `n` echoed bytes, which belong at offset c->got of the message.
 * Returns the offset of the first wrong byte, or (size_t)-1 if all match. */
static size_t check(const conn_t *c, const unsigned char *p, size_t n, unsigned char *want) {
    const bench_t *b = c->b;
    size_t hdr = b->framing ? 4 : 0;
    size_t off = c->got, i = 0;
    for (; i < n && off + i < hdr; i++) {
        if (p[i] != c->header[off + i]) {
            *want = c->header[off + i];
            return off + i;
        }
    }
    if (i == n)
        return (size_t)-1;
    const unsigned char *expect = b->pattern + c->start + (off + i - hdr);
    if (memcmp(p + i, expect, n - i) == 0)
        return (size_t)-1;
    size_t j = 0;
    while (p[i + j] == expect[j])
        j++;
    *want = expect[j];
    return off + i + j;
}

static void on_readable(swirl_loop_t *loop, int fd, int events, void *user) {
    conn_t *c = user;
    bench_t *b = c->b;
    for (int reads = 0; reads < READS_PER_WAKEUP; reads++) {
        ssize_t n = swirl_net_read(fd, b->scratch, READ_CHUNK);
        if (n == -EAGAIN)
            return;
        if (n == 0) {
            conn_fail(c,
                      "server closed the connection in round %" PRIu32 " (%zu of %zu bytes back)",
                      c->round, c->got, b->msg_len);
            return;
        }
        if (n < 0) {
            conn_fail(c, "read (round %" PRIu32 "): %s", c->round, swirl_strerror((int)n));
            return;
        }
        if ((size_t)n > c->sent - c->got) {
            conn_fail(c, "round %" PRIu32 ": %zu bytes came back, only %zu were sent", c->round,
                      c->got + (size_t)n, c->sent);
            return;
        }
        unsigned char want = 0;
        size_t bad = check(c, b->scratch, (size_t)n, &want);
        if (bad != (size_t)-1) {
            conn_fail(
                c, "round %" PRIu32 ": mismatch at byte %zu of %zu (expected 0x%02x, got 0x%02x)",
                c->round, bad, b->msg_len, want, b->scratch[bad - c->got]);
            return;
        }
        c->got += (size_t)n;
        if (c->got == b->msg_len) {
            bench_hist_record(&b->hist, swirl_clock_ns() - c->t0_ns);
            b->requests++;
            round_start(c);
            return; /* the next echo cannot be here yet */
        }
    }
}

/* ---- connecting ------------------------------------------------------------------------- */

static void conn_open(conn_t *c, bool registered) {
    bench_t *b = c->b;
    if (b->type != SWIRL_SOCK_UNIX_STREAM)
        swirl_net_set_nodelay(c->fd, true); /* a request must not wait for an ACK */
    int rc = registered ? swirl_loop_set(b->loop, c->fd, SWIRL_EV_READ, NULL, NULL)
                        : swirl_loop_add(b->loop, c->fd, SWIRL_EV_READ, on_readable, NULL, c);
    if (rc < 0) {
        conn_fail(c, "watching the socket: %s", swirl_last_error_msg());
        return;
    }
    c->state = CONN_OPEN;
    c->want_write = false;
    round_start(c);
}

static void on_writable(swirl_loop_t *loop, int fd, int events, void *user) {
    conn_t *c = user;
    if (c->state == CONN_CONNECTING) {
        int rc = swirl_net_connect_result(fd);
        if (rc < 0)
            conn_fail(c, "connect %s: %s", c->b->target, swirl_strerror(rc));
        else
            conn_open(c, true);
        return;
    }
    conn_send(c);
}

static void conn_connect(conn_t *c) {
    bench_t *b = c->b;
    int fd = -1;
    int rc = swirl_net_connect(b->type, b->host, b->port, &fd);
    if (rc == 0) {
        c->fd = fd;
        conn_open(c, false);
        return;
    }
    if (rc != -EINPROGRESS) {
        conn_fail(c, "%s", swirl_last_error_msg());
        return;
    }
    c->fd = fd;
    c->state = CONN_CONNECTING;
    if (swirl_loop_add(b->loop, fd, SWIRL_EV_WRITE, on_readable, on_writable, c) < 0)
        conn_fail(c, "watching the socket: %s", swirl_last_error_msg());
}

/* ---- the run ---------------------------------------------------------------------------- */

static void finish(bench_t *b) {
    if (b->stopping)
        return;
    b->stopping = true;
    b->t_end_ns = swirl_clock_ns();
    for (long i = 0; i < b->nconns; i++) {
        conn_t *c = &b->conns[i];
        if (c->retry_timer)
            swirl_timer_clear(b->loop, c->retry_timer);
        c->retry_timer = 0;
        conn_drop(c);
    }
    swirl_timer_clear(b->loop, b->tick_timer);
    swirl_timer_clear(b->loop, b->end_timer);
    swirl_signal_del(b->loop, SIGINT);
    swirl_signal_del(b->loop, SIGTERM);
    swirl_loop_stop(b->loop);
}

static void on_tick(swirl_loop_t *loop, int64_t id, void *user) {
    bench_t *b = user;
    b->ticks++;
    fprintf(stderr, "%ds: %" PRIu64 " rt/s, errors %" PRIu64 "\n", b->ticks,
            b->requests - b->last_requests, b->errors);
    b->last_requests = b->requests;
}

static void on_end(swirl_loop_t *loop, int64_t id, void *user) { finish(user); }

static void on_signal(swirl_loop_t *loop, int signo, void *user) { finish(user); }

static int run(bench_t *b) {
    int rc = swirl_loop_new(&b->loop);
    if (rc < 0) {
        fprintf(stderr, CMD ": %s\n", swirl_last_error_msg());
        return 1;
    }
    b->t_start_ns = swirl_clock_ns();
    b->tick_timer = swirl_timer_tick(b->loop, 1000, on_tick, b);
    b->end_timer = swirl_timer_after(b->loop, b->seconds * 1000, on_end, b);
    if (b->tick_timer < 0 || b->end_timer < 0) {
        fprintf(stderr, CMD ": %s\n", swirl_last_error_msg());
        swirl_loop_free(b->loop);
        return 1;
    }
    /* Ctrl-C ends the run early, still with a report. */
    swirl_signal_add(b->loop, SIGINT, on_signal, b);
    swirl_signal_add(b->loop, SIGTERM, on_signal, b);
    for (long i = 0; i < b->nconns; i++)
        conn_connect(&b->conns[i]);
    rc = swirl_loop_run(b->loop);
    if (rc < 0)
        fprintf(stderr, CMD ": event loop: %s\n", swirl_strerror(rc));
    finish(b); /* no-op after a normal end */
    swirl_loop_free(b->loop);
    return rc < 0 ? 1 : 0;
}

static void report(const bench_t *b) {
    double secs = (double)(b->t_end_ns - b->t_start_ns) / 1e9;
    if (b->requests == 0)
        fprintf(stderr, CMD ": no round trip completed\n");
    printf("requests: %" PRIu64 "\n", b->requests);
    printf("round_trips_per_sec: %.1f\n", secs > 0 ? (double)b->requests / secs : 0.0);
    printf("latency_p50_us: %.1f\n", bench_hist_quantile(&b->hist, 0.50) / 1000.0);
    printf("latency_p99_us: %.1f\n", bench_hist_quantile(&b->hist, 0.99) / 1000.0);
    printf("errors: %" PRIu64 "\n", b->errors);
    printf("connections: %ld\n", b->nconns);
    printf("duration_s: %.2f\n", secs);
    fflush(stdout);
}

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl bench tcp [--host H] [--port P] [-c CONNS] [-d SECONDS]\n"
            "                       [--size BYTES] [--framing none|length] [--unix PATH]\n"
            "  --host H                echo server address (IPv4 or IPv6; default 127.0.0.1)\n"
            "  --port P                its port, 1..65535 (default 9501)\n"
            "  --unix PATH             connect to a Unix stream socket instead\n"
            "  -c, --connections N     concurrent connections, 1..%d (default 64)\n"
            "  -d, --duration S        seconds to run, 1..%d (default 5)\n"
            "  --size BYTES            message body, 1..%ld (default 64)\n"
            "  --framing F             none (default) or length: a 4-byte big-endian length\n"
            "                          before each body, as `swirl echo --framing length` wants\n"
            "Each connection sends a message, waits for the whole echo, checks it and\n"
            "repeats. Prints a line a second to stderr and the totals to stdout. Exits 0\n"
            "when no error was seen (connect failures, mismatches, unexpected closes),\n"
            "1 otherwise, 2 for bad options.\n",
            MAX_CONNS, MAX_SECONDS, MAX_SIZE);
}

/* Raise the soft fd limit if `nconns` connections would not fit under it. */
static int ensure_fds(long nconns) {
    struct rlimit rl;
    rlim_t need = (rlim_t)nconns + 32;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        fprintf(stderr, CMD ": -c: %ld connections need %llu open files; the limit is %llu\n",
                nconns, (unsigned long long)need, (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, CMD ": -c: cannot raise the open file limit to %llu: %s\n",
                (unsigned long long)need, strerror(errno));
        return -1;
    }
    return 0;
}

static int parse(bench_t *b, int argc, char **argv) {
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"connections", required_argument, NULL, 'c'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"size", required_argument, NULL, 's'},
                                         {"framing", required_argument, NULL, 'f'},
                                         {"unix", required_argument, NULL, 'u'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    static char name[] = CMD; /* getopt's own complaints start with argv[0] */
    const char *unix_path = NULL;
    long v;
    int ch;
    argv[0] = name;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            b->host = optarg;
            break;
        case 'p':
            if (cli_parse_long(CMD, "--port", optarg, 1, 65535, &v) < 0)
                return 2;
            b->port = (int)v;
            break;
        case 'c':
            if (cli_parse_long(CMD, "-c", optarg, 1, MAX_CONNS, &b->nconns) < 0)
                return 2;
            break;
        case 'd':
            if (cli_parse_long(CMD, "-d", optarg, 1, MAX_SECONDS, &b->seconds) < 0)
                return 2;
            break;
        case 's':
            if (cli_parse_long(CMD, "--size", optarg, 1, MAX_SIZE, &v) < 0)
                return 2;
            b->size = (size_t)v;
            break;
        case 'f':
            if (strcmp(optarg, "none") == 0) {
                b->framing = false;
            } else if (strcmp(optarg, "length") == 0) {
                b->framing = true;
            } else {
                fprintf(stderr, CMD ": --framing: expected none or length, got \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'u':
            unix_path = optarg;
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
        fprintf(stderr, CMD ": unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (unix_path) {
        b->type = SWIRL_SOCK_UNIX_STREAM;
        b->host = unix_path;
        b->port = 0;
    } else {
        b->type = strchr(b->host, ':') ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP;
    }
    swirl_addr_t addr;
    if (swirl_addr_parse(&addr, b->type, b->host, b->port) < 0) {
        fprintf(stderr, CMD ": %s: %s\n", unix_path ? "--unix" : "--host", swirl_last_error_msg());
        return 2;
    }
    swirl_addr_format(&addr, b->target, sizeof(b->target));
    if (ensure_fds(b->nconns) < 0)
        return 2;
    return -1; /* go on */
}

/* A fixed pseudo-random pattern (xorshift64): no byte repeats in a way a
 * shifted or stale echo could match. */
static void fill_pattern(unsigned char *p, size_t n) {
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
}

static int bench_tcp(int argc, char **argv) {
    bench_t *b = swirl_calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, CMD ": out of memory\n");
        return 1;
    }
    b->host = "127.0.0.1";
    b->port = 9501;
    b->nconns = 64;
    b->seconds = 5;
    b->size = 64;
    int code = parse(b, argc, argv);
    if (code >= 0)
        goto out;
    code = 1;
    b->msg_len = b->size + (b->framing ? 4 : 0);
    b->pattern = swirl_malloc(b->size + PATTERN_SPAN);
    b->scratch = swirl_malloc(READ_CHUNK);
    b->conns = swirl_calloc((size_t)b->nconns, sizeof(conn_t));
    if (!b->pattern || !b->scratch || !b->conns) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    fill_pattern(b->pattern, b->size + PATTERN_SPAN);
    for (long i = 0; i < b->nconns; i++)
        b->conns[i] = (conn_t){.b = b, .id = (int)i, .fd = -1};
    if (run(b) != 0)
        goto out;
    report(b);
    code = b->errors == 0 ? 0 : 1;
out:
    swirl_free(b->conns);
    swirl_free(b->scratch);
    swirl_free(b->pattern);
    swirl_free(b);
    return code;
}

/* ---- `swirl bench` ---------------------------------------------------------------------- */

static void bench_usage(FILE *out) {
    fprintf(out, "usage: swirl bench <kind> [options]\n"
                 "\n"
                 "kinds:\n"
                 "  tcp    echo round trips over TCP or a Unix socket (against `swirl echo`)\n"
                 "\n"
                 "`swirl bench <kind> --help` describes a kind's options.\n");
}

int swirl_cli_bench(int argc, char **argv) {
    if (argc < 2) {
        bench_usage(stderr);
        return 2;
    }
    const char *kind = argv[1];
    if (strcmp(kind, "tcp") == 0)
        return bench_tcp(argc - 1, argv + 1);
    if (strcmp(kind, "help") == 0 || strcmp(kind, "--help") == 0 || strcmp(kind, "-h") == 0) {
        bench_usage(stdout);
        return 0;
    }
    fprintf(stderr, "swirl bench: unknown kind \"%s\"\n\n", kind);
    bench_usage(stderr);
    return 2;
}
