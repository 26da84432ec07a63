/* tools/bench_ws.c — `swirl bench ws URL`: WebSocket echo round trips on
 * the bench engine (bench.c). Each connection's first round is the
 * handshake (101 and the accept key checked; not timed, not counted); then
 * every round sends one masked binary message and waits for its echo,
 * checked byte for byte. Messages alternate between two payloads, so a
 * stale echo does not pass. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <swirl/swirl.h>

#include "bench.h"
#include "cli.h"

#define CMD "swirl bench ws"
#define MAX_SIZE (16L * 1024 * 1024)
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

typedef struct {
    bench_url_t url;
    size_t size;
    char *handshake;
    size_t handshake_len;
    uint8_t *plain[2]; /* the two payloads */
    uint8_t *frame[2]; /* each as a masked frame: header + masked payload */
    size_t frame_len[2], header_len;
} ws_t;

typedef struct {
    bench_conn_t base;
    bool open; /* the handshake is done */
    int which; /* the payload of this round */
    uint8_t hdr[SWIRL_WS_HEADER_MAX];
    size_t hdr_len;
    bool in_payload;
    uint64_t len, got; /* the echo's payload */
    swirl_buf_t head;  /* the 101's head */
} ws_conn_t;

static void ws_round(bench_conn_t *bc) {
    ws_conn_t *c = (ws_conn_t *)bc;
    const ws_t *w = bc->b->user;
    if (!c->open) {
        swirl_buf_clear(&c->head);
        bc->len = w->handshake_len;
        return;
    }
    c->which = (int)(bc->round & 1);
    c->hdr_len = 0;
    c->in_payload = false;
    bc->len = w->frame_len[c->which];
}

static int ws_iov(bench_conn_t *bc, size_t off, struct iovec iov[2]) {
    ws_conn_t *c = (ws_conn_t *)bc;
    const ws_t *w = bc->b->user;
    if (!c->open)
        iov[0] = (struct iovec){w->handshake + off, w->handshake_len - off};
    else
        iov[0] = (struct iovec){w->frame[c->which] + off, w->frame_len[c->which] - off};
    return 1;
}

static long handshake_data(ws_conn_t *c, const char *p, size_t n) {
    bench_conn_t *bc = &c->base;
    if (swirl_buf_append(&c->head, p, n) < 0) {
        bench_fail(bc, "out of memory");
        return -1;
    }
    const char *all = swirl_buf_bytes(&c->head);
    size_t len = swirl_buf_size(&c->head);
    const char *end = memmem(all, len, "\r\n\r\n", 4);
    if (!end) {
        if (len > 16384) {
            bench_fail(bc, "a handshake answer over 16 KB");
            return -1;
        }
        return 0;
    }
    if (len < 12 || memcmp(all, "HTTP/1.1 101", 12) != 0) {
        bench_fail(bc, "handshake refused: \"%.*s\"",
                   (int)(memchr(all, '\r', len) ? (const char *)memchr(all, '\r', len) - all : 40),
                   all);
        return -1;
    }
    if ((size_t)(end + 4 - all) != len) {
        bench_fail(bc, "bytes after the 101, before any message was sent");
        return -1;
    }
    if (!memmem(all, len, ACCEPT, sizeof(ACCEPT) - 1)) {
        bench_fail(bc, "the 101 lacks the right Sec-WebSocket-Accept");
        return -1;
    }
    c->open = true;
    swirl_buf_destroy(&c->head);
    bc->answered = 0; /* set-up: not a message */
    return 1;
}

static long ws_data(bench_conn_t *bc, const unsigned char *p, size_t n) {
    ws_conn_t *c = (ws_conn_t *)bc;
    const ws_t *w = bc->b->user;
    if (!c->open)
        return handshake_data(c, (const char *)p, n);
    while (n > 0) {
        if (!c->in_payload) {
            size_t take = SWIRL_WS_HEADER_MAX - c->hdr_len;
            if (take > n)
                take = n;
            memcpy(c->hdr + c->hdr_len, p, take);
            swirl_ws_header_t h;
            int rc = swirl_ws_header_parse(c->hdr, c->hdr_len + take, 0, &h);
            if (rc < 0) {
                bench_fail(bc, "round %" PRIu32 ": %s", bc->round, swirl_last_error_msg());
                return -1;
            }
            if (rc == 0) {
                c->hdr_len += take;
                return 0;
            }
            if (h.masked || !h.fin || h.opcode != SWIRL_WS_BINARY || h.len != w->size) {
                bench_fail(bc,
                           "round %" PRIu32 ": echo frame: opcode %d, fin %d, masked %d, "
                           "%llu bytes (expected a final binary frame of %zu)",
                           bc->round, h.opcode, h.fin, h.masked, (unsigned long long)h.len,
                           w->size);
                return -1;
            }
            size_t used = (size_t)rc - c->hdr_len;
            p += used;
            n -= used;
            c->hdr_len = 0;
            c->in_payload = true;
            c->len = h.len;
            c->got = 0;
        }
        size_t take = n < c->len - c->got ? n : (size_t)(c->len - c->got);
        if (memcmp(p, w->plain[c->which] + c->got, take) != 0) {
            bench_fail(bc, "round %" PRIu32 ": echo differs within bytes %llu..%llu", bc->round,
                       (unsigned long long)c->got, (unsigned long long)(c->got + take));
            return -1;
        }
        c->got += take;
        p += take;
        n -= take;
        if (c->got == c->len) {
            if (n) {
                bench_fail(bc, "round %" PRIu32 ": %zu bytes after the echo", bc->round, n);
                return -1;
            }
            return 1;
        }
    }
    return 0;
}

static void ws_cleanup(bench_conn_t *bc) { swirl_buf_destroy(&((ws_conn_t *)bc)->head); }

static long ws_eof(bench_conn_t *bc) {
    (void)bc;
    return 0;
}

static const bench_kind_t ws_kind = {CMD,    sizeof(ws_conn_t), ws_round, ws_iov, ws_data,
                                     ws_eof, ws_cleanup};

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl bench ws URL [-c CONNS] [-d SECONDS] [--size BYTES] [--tls]\n"
            "  URL                     ws://host[:port][/path] (an echo endpoint), or wss://\n"
            "  --tls                   TLS also with a ws:// URL (certificates not verified)\n"
            "  -c, --connections N     concurrent connections, 1..%d (default 64)\n"
            "  -d, --duration S        seconds to run, 1..%d (default 5)\n"
            "  --size BYTES            message size, 0..%ld (default 64)\n"
            "Each connection does the handshake, then sends a binary message, waits for its\n"
            "echo, checks it and repeats. Prints a line a second to stderr and the totals to\n"
            "stdout, as `swirl bench tcp` (requests = messages echoed). Exits 0 when no error\n"
            "was seen, 1 otherwise, 2 for bad options.\n",
            BENCH_MAX_CONNS, BENCH_MAX_SECONDS, MAX_SIZE);
}

static int parse(bench_t *b, ws_t *w, int argc, char **argv) {
    static const struct option opts[] = {{"connections", required_argument, NULL, 'c'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"tls", no_argument, NULL, 'T'},
                                         {"size", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static char name[] = CMD;
    int ch;
    long v;
    argv[0] = name;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
        case 'd':
        case 'T':
            if (bench_parse_common(b, ch, optarg) < 0)
                return 2;
            break;
        case 's':
            if (cli_parse_long(CMD, "--size", optarg, 0, MAX_SIZE, &v) < 0)
                return 2;
            w->size = (size_t)v;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    int rc = bench_take_url(b, argc, argv, "ws://", "wss", &w->url);
    if (rc == 2 && optind != argc - 1)
        usage(stderr);
    return rc;
}

static int build(ws_t *w) {
    swirl_buf_t hs = {0};
    if (swirl_buf_appendf(&hs,
                          "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: " KEY "\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n",
                          w->url.path, w->url.host) < 0)
        return -1;
    w->handshake = hs.data;
    w->handshake_len = swirl_buf_size(&hs);
    static const uint8_t mask[4] = {0x5a, 0xc3, 0x17, 0x88};
    for (int k = 0; k < 2; k++) {
        w->plain[k] = swirl_malloc(w->size + 1);
        w->frame[k] = swirl_malloc(w->size + SWIRL_WS_HEADER_MAX);
        if (!w->plain[k] || !w->frame[k])
            return -1;
        uint64_t x = 0x9e3779b97f4a7c15ull + (uint64_t)k;
        for (size_t i = 0; i < w->size; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w->plain[k][i] = (uint8_t)(x >> 24);
        }
        size_t h = swirl_ws_header_write(w->frame[k], true, SWIRL_WS_BINARY, w->size, mask);
        swirl_ws_unmask_copy(w->frame[k] + h, w->plain[k], w->size, mask, 0);
        w->frame_len[k] = h + w->size;
    }
    return 0;
}

int swirl_bench_ws(int argc, char **argv) {
    bench_t *b = swirl_calloc(1, sizeof(*b));
    ws_t *w = swirl_calloc(1, sizeof(*w));
    int code = 1;
    if (!b || !w) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    w->size = 64;
    *b = (bench_t){.kind = &ws_kind, .user = w, .nconns = 64, .seconds = 5};
    code = parse(b, w, argc, argv);
    if (code >= 0)
        goto out;
    code = 1;
    if (build(w) < 0) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    code = bench_run(b);
out:
    if (w) {
        swirl_free(w->handshake);
        for (int k = 0; k < 2; k++) {
            swirl_free(w->plain[k]);
            swirl_free(w->frame[k]);
        }
    }
    swirl_free(w);
    swirl_free(b);
    return code;
}
