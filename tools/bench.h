/* tools/bench.h — what the `swirl bench` kinds share: a fixed-size latency
 * histogram, and the closed-loop load engine (bench.c) that connects,
 * sends each connection's round, reads, reconnects after failures, ticks
 * a line a second and prints the report. A kind (bench_tcp.c,
 * bench_http.c) says what a round sends and when the answer is whole. */
#ifndef SWIRL_BENCH_H
#define SWIRL_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Log-linear buckets, HdrHistogram's layout: values below 2^SUB are counted
 * exactly; above that every power of two is split into 2^SUB equal buckets,
 * so a value is known to within 1/2^SUB (under 1%) across the whole 64-bit
 * range. Fixed size: recording never allocates. */
#define BENCH_HIST_SUB 7
#define BENCH_HIST_MASK ((1u << BENCH_HIST_SUB) - 1)
#define BENCH_HIST_BUCKETS ((64 - BENCH_HIST_SUB + 1) << BENCH_HIST_SUB)

typedef struct {
    uint64_t count[BENCH_HIST_BUCKETS];
    uint64_t total;
} bench_hist_t;

static inline unsigned bench_hist_index(uint64_t v) {
    if (v <= BENCH_HIST_MASK)
        return (unsigned)v;
    unsigned shift = 63u - (unsigned)__builtin_clzll(v) - BENCH_HIST_SUB;
    return ((shift + 1) << BENCH_HIST_SUB) | (unsigned)((v >> shift) & BENCH_HIST_MASK);
}

static inline void bench_hist_record(bench_hist_t *h, uint64_t v) {
    h->count[bench_hist_index(v)]++;
    h->total++;
}

/* The middle of bucket `idx`. */
static inline double bench_hist_value(unsigned idx) {
    if (idx <= BENCH_HIST_MASK)
        return (double)idx;
    unsigned shift = (idx >> BENCH_HIST_SUB) - 1;
    uint64_t low = (uint64_t)((idx & BENCH_HIST_MASK) | (1u << BENCH_HIST_SUB)) << shift;
    return (double)low + (double)((1ull << shift) - 1) / 2.0;
}

/* The value at quantile `q` (0 < q <= 1): the smallest bucket holding at
 * least q of the samples. 0 when empty. */
static inline double bench_hist_quantile(const bench_hist_t *h, double q) {
    if (h->total == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->total + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= rank)
            return bench_hist_value(i);
    }
    return bench_hist_value(BENCH_HIST_BUCKETS - 1);
}

/* ---- the engine (bench.c) ------------------------------------------------------------------ */

#include <stdbool.h>
#include <sys/uio.h>
#include <swirl/swirl.h>

#define BENCH_MAX_CONNS 100000
#define BENCH_MAX_SECONDS 3600
#define BENCH_READ_CHUNK (64 * 1024)

typedef struct bench bench_t;
typedef struct bench_conn bench_conn_t;

typedef struct bench_kind {
    const char *cmd;  /* "swirl bench tcp": starts every message */
    size_t conn_size; /* the kind's connection struct, which starts with a bench_conn_t */
    /* The connection is open (again): set up the next round and set c->len
     * to the bytes it sends (the engine then sends them). */
    void (*round)(bench_conn_t *c);
    /* This round's bytes from offset `off` (< c->len), in at most 2 iovecs
     * (their count). Never copied by the engine. */
    int (*iov)(bench_conn_t *c, size_t off, struct iovec iov[2]);
    /* n bytes came back: 0 more are due; > 0 the round is complete (it
     * answered c->answered requests: 1 unless the kind says otherwise, 0
     * for a round that only sets up, which is not timed); < 0 the kind
     * called bench_fail. */
    long (*data)(bench_conn_t *c, const unsigned char *p, size_t n);
    /* The server closed the connection: as data (> 0: complete); 0 means
     * it was not expected (counted as an error). NULL: never expected. */
    long (*eof)(bench_conn_t *c);
    /* Free what the kind keeps in a connection, at the end (NULL: nothing). */
    void (*cleanup)(bench_conn_t *c);
} bench_kind_t;

struct bench_conn {
    bench_t *b;
    int id;
    int fd;
    int state;
    bool want_write;     /* EV_WRITE armed: the kernel refused part of the round */
    bool reconnect;      /* close and connect again after this round (no keep-alive) */
    uint32_t round;      /* rounds started on this connection, over its reconnects */
    size_t len, sent;    /* this round's bytes, and how many went out */
    long answered;       /* requests this round answered (set by the kind; default 1) */
    uint64_t t0_ns;      /* when this round began */
    int64_t retry_timer; /* pending reconnect, 0 if none */
    struct ssl_st *ssl;  /* TLS (b->tls), NULL otherwise */
    bool tls_ready;      /* handshake done */
};

struct bench {
    const bench_kind_t *kind;
    void *user;       /* the kind's settings */
    const char *host; /* or the Unix path */
    int port;
    swirl_sock_type_t type;
    long nconns, seconds;
    char target[SWIRL_ADDR_STRLEN];

    swirl_loop_t *loop;
    unsigned char *conns;   /* nconns * kind->conn_size */
    unsigned char *scratch; /* BENCH_READ_CHUNK bytes: one thread, one read at a time */
    bool stopping;
    int64_t tick_timer, end_timer;
    int ticks;
    uint64_t rounds, requests, last_requests, errors, error_lines;
    uint64_t t_start_ns, t_end_ns;
    bench_hist_t hist; /* round latency in ns */
    /* TLS (--tls, https://, wss://): certificates are not verified (this
     * measures; it does not authenticate); sessions are resumed */
    bool tls;
    struct ssl_ctx_st *tls_ctx;
    struct ssl_session_st *tls_session; /* the latest the server gave: resumed next */
    uint64_t tls_handshakes, tls_resumed;
};

/* Count an error and say what it was (the first few). bench_fail also
 * closes the connection and connects it again shortly. */
void bench_error(bench_conn_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_fail(bench_conn_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Options every kind takes: -c (connections), -d (seconds) and 'T'
 * (--tls), into b (b->kind set). 0, or the error printed and -1. */
int bench_parse_common(bench_t *b, int opt, const char *text);

/* A URL's parts: host as written (for a Host header), its numeric
 * address (resolved once, here), port and path. */
typedef struct {
    char host[256];
    char addr[256];
    int port;
    char path[2048];
    bool tls; /* the URL was in tls_scheme */
} bench_url_t;

/* Split "SCHEME//host[:port][/path]" (scheme like "http://"; host a name,
 * an address or [IPv6]) and resolve the host. A URL in `tls_scheme`
 * ("https://") sets out->tls and defaults to port 443. 0, or the error
 * printed (naming the URL and what is wrong) and -1. */
int bench_parse_url(const char *cmd, const char *url, const char *scheme, const char *tls_scheme,
                    int default_port, bench_url_t *out);

/* After getopt: the one URL left in argv, parsed (bench_parse_url, port 80
 * by default) into *url and made the target of b, which is then prepared
 * (bench_prepare). -1 to go on, or 2 with the error printed. */
int bench_take_url(bench_t *b, int argc, char **argv, const char *scheme, const char *tls_scheme,
                   bench_url_t *url);

/* Check the target (b->host, b->port, b->type) and the fd limit for
 * b->nconns; 0, or the error printed and 2 (bad options). */
int bench_prepare(bench_t *b);

/* Run b (kind, user, target, nconns, seconds set): connect, load, report
 * on stdout. The process exit code: 0 no error, 1 errors or a failure. */
int bench_run(bench_t *b);

int swirl_bench_tcp(int argc, char **argv);
int swirl_bench_http(int argc, char **argv);
int swirl_bench_ws(int argc, char **argv);

#endif
