/* tools/bench_http.c — `swirl bench http URL`: HTTP/1.1 requests on the
 * bench engine (bench.c). A round sends --pipeline requests in one write
 * and waits for as many whole responses; each response is framed as a
 * client must (Content-Length, chunked, or the close of the connection)
 * and its status checked: anything but 2xx or 3xx is counted as an error.
 * With --keepalive off every request says Connection: close and each
 * round uses a new connection, as a browser without keep-alive would. A
 * server that answers Connection: close ends the round there (the
 * requests it answered count) and the connection is made again. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <swirl/swirl.h>

#include "bench.h"
#include "cli.h"

#define CMD "swirl bench http"
#define MAX_PIPELINE 1024
#define MAX_HEAD (64 * 1024) /* a response head longer than this is an error */
#define MAX_HEADERS_OPT 32

typedef struct {
    bench_url_t url;
    long pipeline;
    bool keepalive;
    const char *headers[MAX_HEADERS_OPT];
    int nheaders;
    char *req;      /* the request, --pipeline times */
    size_t req_len; /* of all of them */
    char *discard;  /* decoded chunked bodies go here, unread */
} http_t;

enum { H_HEAD, H_BODY, H_CHUNKED, H_UNTIL_CLOSE };

typedef struct {
    bench_conn_t base;
    int state;
    long answered;    /* responses complete in this round */
    uint64_t left;    /* H_BODY: body bytes still due */
    bool close_after; /* the current response said Connection: close */
    swirl_http_chunked_t ck;
    swirl_buf_t head; /* a head that spans reads */
} http_conn_t;

static void http_round(bench_conn_t *bc) {
    http_conn_t *c = (http_conn_t *)bc;
    const http_t *h = bc->b->user;
    c->state = H_HEAD;
    c->answered = 0;
    c->close_after = false;
    swirl_buf_clear(&c->head);
    bc->len = h->req_len;
    bc->reconnect = !h->keepalive;
}

static int http_iov(bench_conn_t *bc, size_t off, struct iovec iov[2]) {
    const http_t *h = bc->b->user;
    iov[0] = (struct iovec){h->req + off, h->req_len - off};
    return 1;
}

static bool header_is(const char *line, size_t n, const char *name, const char **value,
                      size_t *vlen) {
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return false;
    const char *v = line + nl + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *value = v;
    *vlen = (size_t)(e - v);
    return true;
}

/* The head p[0..n) (CRLF CRLF included) of one response: sets up reading
 * its body. Returns 1 for a final response, 0 for a 1xx one (no body,
 * another head follows), -1 when failed. */
static int parse_head(http_conn_t *c, const char *p, size_t n) {
    bench_conn_t *bc = &c->base;
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' || p[9] < '1' || p[9] > '5' ||
        p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9') {
        bench_fail(bc, "round %" PRIu32 ": not an HTTP/1.x status line: \"%.*s\"", bc->round,
                   (int)(n < 40 ? n : 40), p);
        return -1;
    }
    int status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (status < 200)
        return 0;
    if (status >= 400)
        bench_error(bc, "round %" PRIu32 ": status %d", bc->round, status);
    bool chunked = false, have_len = false;
    uint64_t len = 0;
    c->close_after = p[7] == '0'; /* HTTP/1.0 without keep-alive: it closes */
    const char *line = memchr(p, '\n', n);
    for (line = line ? line + 1 : p + n; line < p + n - 2;) {
        const char *eol = memchr(line, '\r', (size_t)(p + n - line));
        size_t ll = (size_t)(eol - line);
        const char *v;
        size_t vl;
        if (header_is(line, ll, "content-length", &v, &vl)) {
            char *end;
            unsigned long long x = strtoull(v, &end, 10);
            if (vl == 0 || end != v + vl || (have_len && x != len)) {
                bench_fail(bc, "round %" PRIu32 ": bad Content-Length \"%.*s\"", bc->round, (int)vl,
                           v);
                return -1;
            }
            have_len = true;
            len = x;
        } else if (header_is(line, ll, "transfer-encoding", &v, &vl)) {
            chunked = vl >= 7 && strncasecmp(v + vl - 7, "chunked", 7) == 0;
        } else if (header_is(line, ll, "connection", &v, &vl)) {
            if (vl == 5 && strncasecmp(v, "close", 5) == 0)
                c->close_after = true;
            else if (vl == 10 && strncasecmp(v, "keep-alive", 10) == 0)
                c->close_after = false;
        }
        line = eol + 2;
    }
    if (chunked) {
        swirl_http_chunked_init(&c->ck);
        c->state = H_CHUNKED;
    } else if (have_len || status == 204 || status == 304) {
        c->left = have_len && status != 204 && status != 304 ? len : 0;
        c->state = H_BODY;
    } else {
        c->state = H_UNTIL_CLOSE;
    }
    return 1;
}

/* One response is complete: the round's end, or 0 to read the next. */
static long response_done(http_conn_t *c, size_t rest) {
    bench_conn_t *bc = &c->base;
    const http_t *h = bc->b->user;
    c->answered++;
    c->state = H_HEAD;
    bc->answered = c->answered;
    if (c->close_after) {
        bc->reconnect = true; /* the server closes: the rest of the round is not answered */
        return 1;
    }
    if (c->answered < h->pipeline)
        return 0;
    if (rest) {
        bench_fail(bc, "round %" PRIu32 ": %zu bytes after the last response", bc->round, rest);
        return -1;
    }
    return 1;
}

static long http_data(bench_conn_t *bc, const unsigned char *data, size_t n) {
    http_conn_t *c = (http_conn_t *)bc;
    http_t *h = bc->b->user;
    const char *p = (const char *)data;
    while (n > 0) {
        switch (c->state) {
        case H_HEAD: {
            size_t held = swirl_buf_size(&c->head);
            const char *e = NULL;
            size_t used;
            const char *head;
            if (held == 0 && (e = memmem(p, n, "\r\n\r\n", 4))) {
                head = p;
                used = (size_t)(e + 4 - p);
            } else {
                size_t take = n < MAX_HEAD ? n : MAX_HEAD;
                if (swirl_buf_append(&c->head, p, take) < 0) {
                    bench_fail(bc, "out of memory");
                    return -1;
                }
                const char *all = swirl_buf_bytes(&c->head);
                size_t from = held > 3 ? held - 3 : 0;
                e = memmem(all + from, held + take - from, "\r\n\r\n", 4);
                if (!e) {
                    if (held + take >= MAX_HEAD) {
                        bench_fail(bc, "round %" PRIu32 ": a response head over %d bytes",
                                   bc->round, MAX_HEAD);
                        return -1;
                    }
                    return 0;
                }
                head = all;
                used = (size_t)(e + 4 - all) - held; /* of p */
            }
            int rc = parse_head(c, head, (size_t)(e + 4 - head));
            swirl_buf_clear(&c->head);
            p += used;
            n -= used;
            if (rc < 0)
                return -1;
            if (rc > 0 && c->state == H_BODY && c->left == 0) {
                long done = response_done(c, n);
                if (done)
                    return done;
            }
            break;
        }
        case H_BODY: {
            size_t take = n < c->left ? n : (size_t)c->left;
            c->left -= take;
            p += take;
            n -= take;
            if (c->left == 0) {
                long done = response_done(c, n);
                if (done)
                    return done;
            }
            break;
        }
        case H_CHUNKED: {
            size_t out;
            size_t k = n < BENCH_READ_CHUNK ? n : BENCH_READ_CHUNK;
            ssize_t used = swirl_http_chunked_decode(&c->ck, p, k, h->discard, &out);
            if (used < 0) {
                bench_fail(bc, "round %" PRIu32 ": bad chunked body: %s", bc->round, c->ck.error);
                return -1;
            }
            p += used;
            n -= (size_t)used;
            if (swirl_http_chunked_done(&c->ck)) {
                long done = response_done(c, n);
                if (done)
                    return done;
            }
            break;
        }
        default: /* H_UNTIL_CLOSE */
            return 0;
        }
    }
    return 0;
}

static long http_eof(bench_conn_t *bc) {
    http_conn_t *c = (http_conn_t *)bc;
    if (c->state != H_UNTIL_CLOSE)
        return 0;
    c->state = H_HEAD;
    bc->answered = c->answered + 1;
    return 1;
}

static void http_cleanup(bench_conn_t *bc) { swirl_buf_destroy(&((http_conn_t *)bc)->head); }

static const bench_kind_t http_kind = {
    CMD, sizeof(http_conn_t), http_round, http_iov, http_data, http_eof, http_cleanup};

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl bench http URL [-c CONNS] [-d SECONDS] [--pipeline N]\n"
            "                        [--keepalive on|off] [-H 'Name: value']... [--tls]\n"
            "  URL                     http://host[:port][/path] (host: an address or a name),\n"
            "                          or https://... for TLS\n"
            "  --tls                   TLS also with an http:// URL (certificates are not\n"
            "                          verified; sessions are resumed on reconnects)\n"
            "  -c, --connections N     concurrent connections, 1..%d (default 64)\n"
            "  -d, --duration S        seconds to run, 1..%d (default 5)\n"
            "  --pipeline N            requests sent together per round, 1..%d (default 1)\n"
            "  --keepalive on|off      reuse connections (default on); off: Connection: close\n"
            "                          and a new connection per round\n"
            "  -H, --header 'N: V'     an extra request header (up to %d)\n"
            "Each connection sends its requests, reads every response whole (Content-Length,\n"
            "chunked or close) and repeats. A status of 400 or more is an error. Prints a line\n"
            "a second to stderr and the totals to stdout, as `swirl bench tcp`. Exits 0 when\n"
            "no error was seen, 1 otherwise, 2 for bad options.\n",
            BENCH_MAX_CONNS, BENCH_MAX_SECONDS, MAX_PIPELINE, MAX_HEADERS_OPT);
}

static int parse(bench_t *b, http_t *h, int argc, char **argv) {
    static const struct option opts[] = {{"connections", required_argument, NULL, 'c'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"tls", no_argument, NULL, 'T'},
                                         {"pipeline", required_argument, NULL, 'P'},
                                         {"keepalive", required_argument, NULL, 'k'},
                                         {"header", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static char name[] = CMD;
    int ch;
    argv[0] = name;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:H:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
        case 'd':
        case 'T':
            if (bench_parse_common(b, ch, optarg) < 0)
                return 2;
            break;
        case 'P':
            if (cli_parse_long(CMD, "--pipeline", optarg, 1, MAX_PIPELINE, &h->pipeline) < 0)
                return 2;
            break;
        case 'k':
            if (cli_parse_either(CMD, "--keepalive", optarg, "on", "off", &h->keepalive) < 0)
                return 2;
            break;
        case 'H': {
            const char *colon = strchr(optarg, ':');
            if (!colon || colon == optarg || strpbrk(optarg, "\r\n")) {
                fprintf(stderr, CMD ": -H: expected 'Name: value' on one line, got \"%s\"\n",
                        optarg);
                return 2;
            }
            if (h->nheaders == MAX_HEADERS_OPT) {
                fprintf(stderr, CMD ": -H: at most %d headers\n", MAX_HEADERS_OPT);
                return 2;
            }
            h->headers[h->nheaders++] = optarg;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    int rc = bench_take_url(b, argc, argv, "http://", "https", &h->url);
    if (rc == 2 && optind != argc - 1)
        usage(stderr);
    return rc;
}

/* The request, --pipeline times over. */
static int build_request(http_t *h) {
    swirl_buf_t one = {0}, all = {0};
    int rc = swirl_buf_appendf(&one, "GET %s HTTP/1.1\r\nHost: %s\r\n", h->url.path, h->url.host);
    for (int i = 0; i < h->nheaders && rc == 0; i++)
        rc = swirl_buf_appendf(&one, "%s\r\n", h->headers[i]);
    if (rc == 0)
        rc = swirl_buf_appendf(&one, "%s\r\n", h->keepalive ? "" : "Connection: close\r\n");
    for (long i = 0; i < h->pipeline && rc == 0; i++)
        rc = swirl_buf_append(&all, swirl_buf_bytes(&one), swirl_buf_size(&one));
    swirl_buf_destroy(&one);
    if (rc < 0) {
        swirl_buf_destroy(&all);
        return rc;
    }
    h->req = all.data; /* start is 0: nothing was consumed */
    h->req_len = swirl_buf_size(&all);
    return 0;
}

int swirl_bench_http(int argc, char **argv) {
    bench_t *b = swirl_calloc(1, sizeof(*b));
    http_t *h = swirl_calloc(1, sizeof(*h));
    int code = 1;
    if (!b || !h) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    h->pipeline = 1;
    h->keepalive = true;
    *b = (bench_t){.kind = &http_kind, .user = h, .nconns = 64, .seconds = 5};
    code = parse(b, h, argc, argv);
    if (code >= 0)
        goto out;
    code = 1;
    if (!h->keepalive && h->pipeline > 1) {
        fprintf(stderr, CMD ": --pipeline %ld needs --keepalive on\n", h->pipeline);
        code = 2;
        goto out;
    }
    h->discard = swirl_malloc(BENCH_READ_CHUNK);
    if (!h->discard || build_request(h) < 0) {
        fprintf(stderr, CMD ": out of memory\n");
        goto out;
    }
    code = bench_run(b);
out:
    if (h) {
        swirl_free(h->req);
        swirl_free(h->discard);
    }
    swirl_free(h);
    swirl_free(b);
    return code;
}
