/* tests/fuzz/http_server.c — libFuzzer target for the HTTP server's
 * connection state machine (src/http/server.c with request.c, response.c,
 * upload.c, static.c): a real swirl HTTP server in BASE mode with one
 * worker runs in a thread of the fuzzer, listening on a Unix socket; each
 * input is one connection's bytes.
 *
 * The input is cut at each "@@@" into writes; the next write waits until
 * the server has read the last one (SIOCOUTQ drops to 0), so the server's
 * reads fall where the input says: heads split across reads, bodies
 * after 100-continue, pipelined requests in one read. Then the client
 * shuts its side and reads every byte until the server closes, and waits
 * for the server's close event, so all the work of an input is done
 * within it. Limits are small (request line 256, head 1024, 16 headers,
 * package_max_length 2048) so that inputs reach them; uploads are parsed
 * (http_parse_post) into a temp dir; files are served from a root beside
 * which a file holds a secret. The handler answers by its path: /chunked
 * in chunks, /detach later from the loop (the connection stays busy with
 * what was pipelined behind), /gzip compressed, /status 404, else at once.
 *
 * Invariants: the server closes the connection once the client is done
 * (no hang); every response the handler made arrives, in request order
 * (its X-Seq header counts them); the secret file beside document_root is
 * never served; when no HEAD request is in what was sent (a HEAD response's
 * length is not its body's) the output is whole responses and nothing
 * else: a status line, a head, then Content-Length bytes or chunks. */
#include <dirent.h>
#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <swirl/event.h>
#include <swirl/http.h>
#include <swirl/server.h>

#include "fuzz.h"

#define SECRET "SWIRL-FUZZ-SECRET-OUTSIDE-ROOT"

static struct {
    pthread_once_t once;
    swirl_http_server_t *hs;
    char dir[64];
    char sock[96];
    atomic_int ready;
    atomic_long closes;
    long handled; /* handler calls of the current input (worker thread only) */
    long connects;
} g = {.once = PTHREAD_ONCE_INIT};

typedef struct {
    swirl_http_resp_t *resp;
    size_t len;
    char line[600];
} later_t;

/* A detached response ended from the loop, after the handler returned. */
static void end_later(swirl_loop_t *loop, void *user) {
    later_t *l = user;
    swirl_http_resp_end(l->resp, l->line, l->len); /* frees it, even when its connection is gone */
    free(l);
}

static void handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    char seq[32], line[600];
    snprintf(seq, sizeof(seq), "%ld", ++g.handled);
    swirl_http_resp_header(resp, "X-Seq", seq);
    size_t ml, pl, bl;
    const char *m = swirl_http_req_method(req, &ml);
    const char *path = swirl_http_req_path(req, &pl);
    const char *body = swirl_http_req_body(req, &bl);
    unsigned sum = 0;
    for (size_t i = 0; i < bl; i++)
        sum = sum * 31 + (unsigned char)body[i];
    const swirl_http_file_t *files;
    size_t nfiles = swirl_http_req_files(req, &files);
    const swirl_http_param_t *params;
    size_t nposts = swirl_http_req_params(req, SWIRL_HTTP_POST, &params);
    size_t nquery = swirl_http_req_params(req, SWIRL_HTTP_GET, &params);
    size_t ncookies = swirl_http_req_params(req, SWIRL_HTTP_COOKIE, &params);
    /* the path as hex: no byte of the request comes back raw */
    char hex[2 * 64 + 1] = "";
    for (size_t i = 0; i < pl && i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)path[i]);
    int n = snprintf(line, sizeof(line),
                     "%.*s %s body=%zu sum=%u files=%zu post=%zu get=%zu "
                     "cookies=%zu\n",
                     (int)(ml < 16 ? ml : 16), m, hex, bl, sum, nfiles, nposts, nquery, ncookies);
    if (pl >= 8 && memcmp(path, "/chunked", 8) == 0) {
        swirl_http_resp_write(resp, line, (size_t)n);
        swirl_http_resp_write(resp, "more\n", 5);
        swirl_http_resp_end(resp, NULL, 0);
    } else if (pl >= 7 && memcmp(path, "/detach", 7) == 0) {
        /* the connection waits busy (pipelined bytes held) until the loop ends it */
        later_t *l = malloc(sizeof(*l));
        FUZZ_CHECK(l && swirl_http_resp_detach(resp) == 0);
        l->resp = resp;
        l->len = (size_t)n;
        memcpy(l->line, line, l->len);
        FUZZ_CHECK(swirl_loop_defer(swirl_server_loop(swirl_http_server_base(hs)), end_later, l) ==
                   0);
    } else if (pl >= 5 && memcmp(path, "/gzip", 5) == 0) {
        swirl_http_resp_compress(resp, 1);
        swirl_http_resp_end(resp, line, (size_t)n);
    } else if (pl >= 7 && memcmp(path, "/status", 7) == 0) {
        swirl_http_resp_status(resp, 404, NULL);
        swirl_http_resp_end(resp, line, (size_t)n);
    } else {
        swirl_http_resp_end(resp, line, (size_t)n);
    }
}

static void on_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    atomic_store(&g.ready, 1);
}

static void on_connect(swirl_server_t *srv, const swirl_event_t *ev, void *user) { g.connects++; }

static void on_close(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    atomic_fetch_add(&g.closes, 1);
}

static void *server_main(void *arg) {
    int rc = swirl_http_server_start(g.hs);
    fprintf(stderr, "fuzz http_server: the server stopped: %d %s\n", rc, swirl_last_error_msg());
    abort();
}

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "we");
    FUZZ_CHECK(f);
    fputs(text, f);
    fclose(f);
}

/* Remove the temp dir at exit (libFuzzer ends with exit()). */
static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[512];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void cleanup(void) { remove_tree(g.dir); }

static void setup(void) {
    snprintf(g.dir, sizeof(g.dir), "/tmp/swirl-fuzz-http-XXXXXX");
    FUZZ_CHECK(mkdtemp(g.dir));
    atexit(cleanup);
    char p[256];
    snprintf(p, sizeof(p), "%s/root", g.dir);
    FUZZ_CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof(p), "%s/root/a.txt", g.dir);
    put_file(p, "a static file\n");
    snprintf(p, sizeof(p), "%s/root/index.html", g.dir);
    put_file(p, "<p>index</p>\n");
    snprintf(p, sizeof(p), "%s/secret", g.dir);
    put_file(p, SECRET "\n");
    snprintf(p, sizeof(p), "%s/up", g.dir);
    FUZZ_CHECK(mkdir(p, 0700) == 0);
    snprintf(g.sock, sizeof(g.sock), "%s/sock", g.dir);

    swirl_log_set_level(SWIRL_LOG_ERROR); /* refusals are warnings: one per input */
    FUZZ_CHECK(swirl_http_server_new(&g.hs, "127.0.0.1", 0, SWIRL_MODE_BASE) == 0);
    swirl_server_t *srv = swirl_http_server_base(g.hs);
    FUZZ_CHECK(swirl_server_listen(srv, g.sock, 0, SWIRL_SOCK_UNIX_STREAM, NULL) == 0);
    static const char *const set[][2] = {
        {"worker_num", "1"},
        {"log_level", "error"},
        {"http_max_request_line", "256"},
        {"http_max_header_size", "1024"},
        {"http_max_headers", "16"},
        {"package_max_length", "2048"},
        {"http_parse_post", "true"},
        {"enable_static_handler", "true"},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        FUZZ_CHECK(swirl_http_server_set_text(g.hs, set[i][0], set[i][1]) == 0);
    /* cookies by PHP's rules (names as sent, the first of a key wins): the
     * plain rules' decoding is the query's, which every input reaches too */
    FUZZ_CHECK(swirl_http_server_fields(g.hs, SWIRL_HTTP_FIELDS_PHP) == 0);
    snprintf(p, sizeof(p), "%s/up", g.dir);
    FUZZ_CHECK(swirl_http_server_set_text(g.hs, "upload_tmp_dir", p) == 0);
    snprintf(p, sizeof(p), "%s/root", g.dir);
    FUZZ_CHECK(swirl_http_server_set_text(g.hs, "document_root", p) == 0);
    FUZZ_CHECK(swirl_http_server_on_request(g.hs, handler, NULL) == 0);
    FUZZ_CHECK(swirl_http_server_on(g.hs, "workerStart", on_worker_start, NULL) == 0);
    FUZZ_CHECK(swirl_http_server_on(g.hs, "connect", on_connect, NULL) == 0);
    FUZZ_CHECK(swirl_http_server_on(g.hs, "close", on_close, NULL) == 0);
    pthread_t t;
    FUZZ_CHECK(pthread_create(&t, NULL, server_main, NULL) == 0);
    pthread_detach(t);
    while (!atomic_load(&g.ready))
        usleep(1000);
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define DEADLINE_MS 20000 /* far beyond any honest answer: a hang */

/* Wait until the server has read all we wrote. */
static void drain_wait(int fd, uint64_t deadline) {
    for (;;) {
        int q = 0;
        if (ioctl(fd, SIOCOUTQ, &q) < 0 || q == 0)
            return;
        FUZZ_CHECK(now_ms() < deadline);
        usleep(50);
    }
}

/* Read what is there (waiting up to ms); false at the end. */
static bool read_some(int fd, swirl_buf_t *out, int ms) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, ms) <= 0)
        return true;
    char b[16384];
    ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
    if (n > 0) {
        FUZZ_CHECK(swirl_buf_append(out, b, (size_t)n) == 0);
        return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static const char *find(const char *p, const char *e, const char *s) {
    return e > p ? memmem(p, (size_t)(e - p), s, strlen(s)) : NULL;
}

/* The value of header `name` in the head h[0..n), or NULL. */
static const char *header(const char *h, const char *e, const char *name) {
    size_t nl = strlen(name);
    for (const char *l = find(h, e, "\r\n"); l && l + 2 < e; l = find(l + 2, e, "\r\n")) {
        if ((size_t)(e - l - 2) > nl + 1 && strncasecmp(l + 2, name, nl) == 0 && l[2 + nl] == ':')
            return l + 3 + nl;
    }
    return NULL;
}

/* The output is whole responses, one after another, and nothing else. */
static void check_responses(const char *p, size_t n) {
    const char *e = p + n;
    while (p < e) {
        FUZZ_CHECK(e - p > 12 && memcmp(p, "HTTP/1.", 7) == 0);
        const char *he = find(p, e, "\r\n\r\n");
        FUZZ_CHECK(he);
        he += 4;
        int status = atoi(p + 9);
        FUZZ_CHECK(status >= 100 && status <= 599);
        const char *cl = header(p, he, "content-length");
        const char *te = header(p, he, "transfer-encoding");
        if (status < 200 || status == 204 || status == 304) {
            FUZZ_CHECK(!te);
            p = he;
        } else if (te) {
            FUZZ_CHECK(!cl); /* never both */
            const char *q = he;
            for (;;) { /* chunks */
                char *end;
                unsigned long size = strtoul(q, &end, 16);
                FUZZ_CHECK(end > q && end + 2 <= e && memcmp(end, "\r\n", 2) == 0);
                q = end + 2;
                FUZZ_CHECK((size_t)(e - q) >= size + 2 && memcmp(q + size, "\r\n", 2) == 0);
                q += size + 2;
                if (size == 0)
                    break;
            }
            p = q;
        } else if (cl) {
            unsigned long len = strtoul(cl, NULL, 10);
            FUZZ_CHECK((size_t)(e - he) >= len);
            p = he + len;
        } else {
            p = e; /* to the close */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pthread_once(&g.once, setup);
    long closes = atomic_load(&g.closes);
    g.handled = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", g.sock);
    FUZZ_CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    uint64_t deadline = now_ms() + DEADLINE_MS;
    swirl_buf_t out, sent; /* sent: the input without its cuts */
    swirl_buf_init(&out);
    swirl_buf_init(&sent);
    const char *p = (const char *)data, *e = p + size;
    bool open = true;
    while (p < e && open) {
        const char *cut = find(p, e, "@@@");
        const char *stop = cut ? cut : e;
        FUZZ_CHECK(swirl_buf_append(&sent, p, (size_t)(stop - p)) == 0);
        while (p < stop && open) {
            ssize_t w = send(fd, p, (size_t)(stop - p), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0)
                p += w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                open = false; /* the server closed: the rest is not wanted */
            else
                open = read_some(fd, &out, 10); /* replies fill the other way */
            FUZZ_CHECK(now_ms() < deadline);
        }
        if (cut) {
            p = cut + 3;
            drain_wait(fd, deadline);
        }
    }
    shutdown(fd, SHUT_WR);
    while (read_some(fd, &out, 100))
        FUZZ_CHECK(now_ms() < deadline); /* the server must close */
    close(fd);
    while (atomic_load(&g.closes) == closes) { /* its close event: the input's work is done */
        FUZZ_CHECK(now_ms() < deadline);
        usleep(50);
    }

    size_t on = swirl_buf_size(&out);
    const char *o = on ? swirl_buf_bytes(&out) : "", *oe = o + on;
    if (getenv("SWIRL_FUZZ_VERBOSE")) /* what the server answered */
        fprintf(stderr, "---- %zu bytes in, %zu out:\n%.*s\n", size, on, (int)on, o);
    FUZZ_CHECK(!find(o, oe, SECRET));
    long seen = 0;
    for (const char *s = find(o, oe, "\r\nX-Seq: "); s; s = find(s + 1, oe, "\r\nX-Seq: "))
        FUZZ_CHECK(atol(s + 9) == ++seen); /* in order, none missing */
    FUZZ_CHECK(seen == g.handled);
    size_t sn = swirl_buf_size(&sent);
    if (sn == 0 || !memmem(swirl_buf_bytes(&sent), sn, "HEAD", 4))
        check_responses(o, on);
    swirl_buf_destroy(&out);
    swirl_buf_destroy(&sent);
    return 0;
}
