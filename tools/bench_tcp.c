/* tools/bench_tcp.c — `swirl bench tcp`: echo round trips on the bench
 * engine (bench.c). Each round sends one message, waits for the whole
 * echo and checks it byte for byte. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "bench.h"
#include "cli.h"

#define CMD "swirl bench tcp"
#define MAX_SIZE (16L * 1024 * 1024)
/* Messages are windows into one random pattern; a window's start depends on
 * the connection and the round. A prime span means consecutive rounds of a
 * connection never start at the same place, so a stale or crossed echo of
 * the same length still differs. */
#define PATTERN_SPAN 65521u

typedef struct {
    size_t size;            /* body bytes */
    bool framing;           /* 4-byte big-endian length before the body */
    size_t msg_len;         /* what goes out (and must come back) per round */
    unsigned char *pattern; /* size + PATTERN_SPAN bytes */
} tcp_t;

typedef struct {
    bench_conn_t base;
    size_t start; /* this round's offset into the pattern */
    size_t got;   /* bytes of this round's message echoed back */
    unsigned char header[4];
} tcp_conn_t;

static void tcp_round(bench_conn_t *bc) {
    tcp_conn_t *c = (tcp_conn_t *)bc;
    const tcp_t *t = bc->b->user;
    c->start = (size_t)(((uint64_t)(uint32_t)bc->id * 2654435761u + (uint64_t)bc->round * 40503u) %
                        PATTERN_SPAN);
    uint32_t len = (uint32_t)t->size;
    c->header[0] = (unsigned char)(len >> 24);
    c->header[1] = (unsigned char)(len >> 16);
    c->header[2] = (unsigned char)(len >> 8);
    c->header[3] = (unsigned char)len;
    c->got = 0;
    bc->len = t->msg_len;
}

/* The header lives in the connection, the body in the shared pattern. */
static int tcp_iov(bench_conn_t *bc, size_t off, struct iovec iov[2]) {
    tcp_conn_t *c = (tcp_conn_t *)bc;
    const tcp_t *t = bc->b->user;
    size_t hdr = t->framing ? 4 : 0;
    int n = 0;
    if (off < hdr)
        iov[n++] = (struct iovec){c->header + off, hdr - off};
    size_t body_off = off < hdr ? 0 : off - hdr;
    iov[n++] = (struct iovec){t->pattern + c->start + body_off, t->size - body_off};
    return n;
}

/* Check `n` echoed bytes, which belong at offset c->got of the message.
 * Returns the offset of the first wrong byte, or (size_t)-1 if all match. */
static size_t check(const tcp_conn_t *c, const tcp_t *t, const unsigned char *p, size_t n,
                    unsigned char *want) {
    size_t hdr = t->framing ? 4 : 0;
    size_t off = c->got, i = 0;
    for (; i < n && off + i < hdr; i++) {
        if (p[i] != c->header[off + i]) {
            *want = c->header[off + i];
            return off + i;
        }
    }
    if (i == n)
        return (size_t)-1;
    const unsigned char *expect = t->pattern + c->start + (off + i - hdr);
    if (memcmp(p + i, expect, n - i) == 0)
        return (size_t)-1;
    size_t j = 0;
    while (p[i + j] == expect[j])
        j++;
    *want = expect[j];
    return off + i + j;
}

static long tcp_data(bench_conn_t *bc, const unsigned char *p, size_t n) {
    tcp_conn_t *c = (tcp_conn_t *)bc;
    const tcp_t *t = bc->b->user;
    if (n > bc->sent - c->got) {
        bench_fail(bc, "round %" PRIu32 ": %zu bytes came back, only %zu were sent", bc->round,
                   c->got + n, bc->sent);
        return -1;
    }
    unsigned char want = 0;
    size_t bad = check(c, t, p, n, &want);
    if (bad != (size_t)-1) {
        bench_fail(bc,
                   "round %" PRIu32 ": mismatch at byte %zu of %zu (expected 0x%02x, got "
                   "0x%02x)",
                   bc->round, bad, t->msg_len, want, p[bad - c->got]);
        return -1;
    }
    c->got += n;
    return c->got == t->msg_len ? 1 : 0;
}

static const bench_kind_t tcp_kind = {CMD, sizeof(tcp_conn_t), tcp_round, tcp_iov, tcp_data, NULL,
                                      NULL};

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl bench tcp [--host H] [--port P] [-c CONNS] [-d SECONDS]\n"
            "                       [--size BYTES] [--framing none|length] [--unix PATH]\n"
            "                       [--tls]\n"
            "  --host H                echo server address (IPv4 or IPv6; default 127.0.0.1)\n"
            "  --port P                its port, 1..65535 (default 9501)\n"
            "  --unix PATH             connect to a Unix stream socket instead\n"
            "  --tls                   speak TLS (certificates not verified, sessions resumed)\n"
            "  -c, --connections N     concurrent connections, 1..%d (default 64)\n"
            "  -d, --duration S        seconds to run, 1..%d (default 5)\n"
            "  --size BYTES            message body, 1..%ld (default 64)\n"
            "  --framing F             none (default) or length: a 4-byte big-endian length\n"
            "                          before each body, as `swirl echo --framing length` wants\n"
            "Each connection sends a message, waits for the whole echo, checks it and\n"
            "repeats. Prints a line a second to stderr and the totals to stdout. Exits 0\n"
            "when no error was seen (connect failures, mismatches, unexpected closes),\n"
            "1 otherwise, 2 for bad options.\n",
            BENCH_MAX_CONNS, BENCH_MAX_SECONDS, MAX_SIZE);
}

static int parse(bench_t *b, tcp_t *t, int argc, char **argv) {
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"connections", required_argument, NULL, 'c'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"tls", no_argument, NULL, 'T'},
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
        case 'd':
        case 'T':
            if (bench_parse_common(b, ch, optarg) < 0)
                return 2;
            break;
        case 's':
            if (cli_parse_long(CMD, "--size", optarg, 1, MAX_SIZE, &v) < 0)
                return 2;
            t->size = (size_t)v;
            break;
        case 'f': {
            bool none;
            if (cli_parse_either(CMD, "--framing", optarg, "none", "length", &none) < 0)
                return 2;
            t->framing = !none;
            break;
        }
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
    int rc = bench_prepare(b);
    return rc ? rc : -1; /* -1: go on */
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

int swirl_bench_tcp(int argc, char **argv) {
    bench_t *b = swirl_calloc(1, sizeof(*b));
    tcp_t t = {.size = 64};
    if (!b) {
        fprintf(stderr, CMD ": out of memory\n");
        return 1;
    }
    *b = (bench_t){.kind = &tcp_kind,
                   .user = &t,
                   .host = "127.0.0.1",
                   .port = 9501,
                   .nconns = 64,
                   .seconds = 5};
    int code = parse(b, &t, argc, argv);
    if (code >= 0)
        goto out;
    code = 1;
    t.msg_len = t.size + (t.framing ? 4 : 0);
    t.pattern = swirl_malloc(t.size + PATTERN_SPAN);
    if (!t.pattern) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    fill_pattern(t.pattern, t.size + PATTERN_SPAN);
    code = bench_run(b);
out:
    swirl_free(t.pattern);
    swirl_free(b);
    return code;
}
