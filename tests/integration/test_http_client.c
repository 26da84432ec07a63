/* tests/integration/test_http_client.c — the HTTP client against real
 * servers the tests start: a small Python server (http_client_server.py:
 * every framing, gzip, redirects, and hostile replies), `swirl serve`
 * (uploads), nginx (keep-alive counted by nginx's $connection, gzip, a
 * 100 MB download, TLS verified and refused) and Python's http.server. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <swirl/swirl.h>

#include "cli_harness.h"

TU_SUITE(http_client);

#define PYTHON "/usr/bin/python3"
#define NGINX "/usr/sbin/nginx"
#define OPENSSL "/usr/bin/openssl"

/* ---- the servers ---------------------------------------------------------------------------- */

static child_t py = {.pid = -1, .out = -1, .err = -1};
static child_t ngx = {.pid = -1, .out = -1, .err = -1};
static char ngx_dir[128];

static void stop_servers(void) {
    if (py.pid > 0 || py.out >= 0)
        reap(&py);
    if (ngx.pid > 0 || ngx.out >= 0) {
        reap(&ngx);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", ngx_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", ngx_dir);
    }
    py = ngx = (child_t){.pid = -1, .out = -1, .err = -1};
    tu_guard_fini();
}

TestSuite(http_client_real, .init = tu_guard_init, .fini = stop_servers);

/* Start http_client_server.py; its port. */
static int py_start(void) {
    if (access(PYTHON, X_OK) != 0)
        cr_skip_test("%s is missing (apt-get install python3)", PYTHON);
    char *argv[] = {PYTHON, SWIRL_SOURCE_DIR "/tests/integration/http_client_server.py", NULL};
    py = spawn(PYTHON, argv);
    char buf[128];
    read_until(py.out, buf, sizeof(buf), "\n", 10000);
    char *at = strstr(buf, "PORT ");
    cr_assert(at, "the Python server did not start: %s", buf);
    return atoi(at + 5);
}

/* A port that refuses connections while *fd stays open (bound, not listening). */
static int tc_refusing_port(int *fd) {
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

static void url_of(char *buf, size_t size, int port, const char *path) {
    snprintf(buf, size, "http://127.0.0.1:%d%s", port, path);
}

/* ---- running requests ----------------------------------------------------------------------- */

typedef struct {
    int done, status, http_status, redirects;
    char body[4096];
    size_t body_len;
    uint64_t body_bytes;
    char err[600];
    char url[300];
    char encoding[32]; /* the response's Content-Encoding */
} result_t;

static void on_done(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                    int status) {
    (void)call;
    result_t *r = user;
    r->done++;
    r->status = status;
    r->http_status = res->status;
    r->redirects = res->redirects;
    r->body_len = res->body_len < sizeof(r->body) - 1 ? res->body_len : sizeof(r->body) - 1;
    if (res->body)
        memcpy(r->body, res->body, r->body_len);
    r->body[r->body_len] = 0;
    r->body_bytes = res->body_bytes;
    snprintf(r->err, sizeof(r->err), "%s", res->error ? res->error : "");
    snprintf(r->url, sizeof(r->url), "%s", res->url ? res->url : "");
    r->encoding[0] = 0;
    for (size_t i = 0; i < res->nheaders; i++)
        if (res->headers[i].name_len == 16 &&
            strncasecmp(res->headers[i].name, "content-encoding", 16) == 0)
            snprintf(r->encoding, sizeof(r->encoding), "%.*s", (int)res->headers[i].value_len,
                     res->headers[i].value);
}

/* Run the loop until every result in rs[0..n) is done (or 20 s pass). */
static void wait_all(swirl_loop_t *loop, result_t *rs, int n) {
    for (int i = 0; i < 4000; i++) {
        int done = 0;
        for (int k = 0; k < n; k++)
            done += rs[k].done > 0;
        if (done == n)
            return;
        swirl_loop_run_once(loop, 5);
    }
    cr_assert_fail("requests did not end in 20 s");
}

static void opts_for(swirl_http_request_options_t *o, const char *url, result_t *r) {
    swirl_http_request_options_init(o);
    o->url = url;
    o->on_done = on_done;
    o->user = r;
    memset(r, 0, sizeof(*r));
}

/* One request, run to its end. */
static void run(swirl_loop_t *loop, swirl_http_client_t *hc, swirl_http_request_options_t *o,
                result_t *r) {
    int rc = swirl_http_client_request(hc, o, NULL);
    cr_assert_eq(rc, 0, "request %s: %s", o->url, swirl_last_error_msg());
    wait_all(loop, r, 1);
    cr_assert_eq(r->done, 1, "the done callback ran %d times", r->done);
}

static void get(swirl_loop_t *loop, swirl_http_client_t *hc, int port, const char *path,
                result_t *r) {
    char url[256];
    url_of(url, sizeof(url), port, path);
    swirl_http_request_options_t o;
    opts_for(&o, url, r);
    run(loop, hc, &o, r);
}

#define SETUP()                                                                                    \
    swirl_loop_t *loop;                                                                            \
    swirl_http_client_t *hc;                                                                       \
    cr_assert_eq(swirl_loop_new(&loop), 0);                                                        \
    cr_assert_eq(swirl_http_client_new(&hc, loop), 0)

#define TEARDOWN()                                                                                 \
    do {                                                                                           \
        swirl_http_client_free(hc);                                                                \
        swirl_loop_run_once(loop, 0);                                                              \
        swirl_loop_free(loop);                                                                     \
    } while (0)

/* ---- bad input: no server needed ------------------------------------------------------------ */

Test(http_client, malformed_urls_and_options_are_refused_by_name, .timeout = 30) {
    SETUP();
    static const char *const bad[][2] = {
        {"ftp://example.com/", "scheme is not http or https"},
        {"example.com/x", "no http:// or https:// scheme"},
        {"http://", "no host"},
        {"http:///path", "no host"},
        {"http://exa mple.com/", "invalid character in the host"},
        {"http://example.com:/", "empty port"},
        {"http://example.com:0/", "port out of range"},
        {"http://example.com:65536/", "port out of range"},
        {"http://example.com:8x/", "port is not a number"},
        {"http://user:pw@example.com/", "credentials"},
        {"http://[::1/", "malformed [IPv6] host"},
        {"http://[zz::1]/", "malformed [IPv6] host"},
        {"http://a..b/", "empty label"},
        {"http://example.com/a b", "space in the path"},
        {"http://example.com/a\x01", "control character"},
        {"http://example.com/\xc3\xa9", "non-ASCII"},
        {"http://ex%41mple.com/", "percent-encoded host"},
    };
    result_t r;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        swirl_http_request_options_t o;
        opts_for(&o, bad[i][0], &r);
        int rc = swirl_http_client_request(hc, &o, NULL);
        cr_assert_eq(rc, SWIRL_EBADARG, "%s: %d", bad[i][0], rc);
        cr_assert(strstr(swirl_last_error_msg(), bad[i][1]), "%s: \"%s\"", bad[i][0],
                  swirl_last_error_msg());
    }
    swirl_http_request_options_t o;
    opts_for(&o, "http://127.0.0.1:1/", &r);
    o.method = "GE T";
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), SWIRL_EBADARG);
    o.method = "GET";
    const char *hdr[] = {"X-Bad", "a\r\nInjected: 1", NULL};
    o.headers = hdr;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "X-Bad"));
    const char *hdr2[] = {"Bad Name", "v", NULL};
    o.headers = hdr2;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), SWIRL_EBADARG);
    o.headers = NULL;
    o.proxy = "https://127.0.0.1:2";
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), SWIRL_ENOTSUP);
    o.proxy = "http://127.0.0.1:2/x y";
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "proxy"), "%s", swirl_last_error_msg());
    o.proxy = NULL;
    swirl_http_form_part_t part = {.name = "f", .path = "/nonexistent/file"};
    o.form = &part;
    o.nform = 1;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), -ENOENT);
    cr_assert(strstr(swirl_last_error_msg(), "/nonexistent/file"));
    o.form = NULL;
    o.download_path = "/nonexistent/dir/file";
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), -ENOENT);
    cr_assert_eq(r.done, 0, "no callback after a refused request");
    TEARDOWN();
}

Test(http_client, connection_refused_and_unresolvable_reach_the_callback, .timeout = 30) {
    SETUP();
    int fd;
    int port = tc_refusing_port(&fd);
    result_t r;
    get(loop, hc, port, "/", &r);
    cr_assert_eq(r.status, -ECONNREFUSED, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "127.0.0.1"), "%s", r.err);
    close(fd);
    swirl_http_request_options_t o;
    opts_for(&o, "http://no-such-host.invalid/", &r);
    run(loop, hc, &o, &r);
    cr_assert_lt(r.status, 0);
    cr_assert(strstr(r.err, "no-such-host.invalid"), "%s", r.err);
    TEARDOWN();
}

/* ---- the Python server ---------------------------------------------------------------------- */

Test(http_client_real, framings_and_keep_alive, .timeout = 60) {
    int port = py_start();
    SETUP();
    result_t r;
    get(loop, hc, port, "/hello", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.http_status, 200);
    cr_assert_str_eq(r.body, "hello");
    for (int i = 0; i < 5; i++) {
        get(loop, hc, port, "/chunked", &r);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert_str_eq(r.body, "hello chunked world");
    }
    get(loop, hc, port, "/chunked-ext", &r);
    cr_assert_str_eq(r.body, "hello");
    get(loop, hc, port, "/continue", &r);
    cr_assert_eq(r.http_status, 200);
    cr_assert_str_eq(r.body, "after interim");
    get(loop, hc, port, "/no-content", &r);
    cr_assert_eq(r.http_status, 204);
    cr_assert_eq(r.body_len, 0);
    char url[256];
    url_of(url, sizeof(url), port, "/hello");
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.method = "HEAD";
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_len, 0);
    /* all of the above on one connection: the server accepted one */
    get(loop, hc, port, "/count", &r);
    cr_assert_str_eq(r.body, "1");
    cr_assert_eq(swirl_http_client_connections(hc), 1);
    cr_assert_eq(swirl_http_client_idle(hc), 1);
    /* a body until close: a new connection after it */
    get(loop, hc, port, "/close", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "until close");
    get(loop, hc, port, "/count", &r);
    cr_assert_str_eq(r.body, "2");
    /* keep_alive off: Connection: close, never pooled */
    opts_for(&o, url, &r);
    o.keep_alive = false;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    get(loop, hc, port, "/count", &r);
    cr_assert_str_eq(r.body, "3");
    TEARDOWN();
}

Test(http_client_real, bodies_from_memory, .timeout = 60) {
    int port = py_start();
    SETUP();
    char url[256];
    url_of(url, sizeof(url), port, "/echo?q=1");
    static char big[3 << 20];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    result_t r;
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.method = "PUT";
    o.body = big;
    o.body_len = sizeof(big);
    const char *hdr[] = {"Content-Type", "application/x-test", NULL};
    o.headers = hdr;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.body, "PUT /echo?q=1 len=3145728 sha="), "%s", r.body);
    cr_assert(strstr(r.body, "ctype=application/x-test"), "%s", r.body);
    opts_for(&o, url, &r);
    o.method = "POST";
    run(loop, hc, &o, &r);
    cr_assert(strstr(r.body, "POST /echo?q=1 len=0 "), "%s", r.body);
    TEARDOWN();
}

Test(http_client_real, gzip_and_deflate, .timeout = 60) {
    int port = py_start();
    SETUP();
    result_t r;
    get(loop, hc, port, "/gzip", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_bytes, 8000);
    cr_assert_str_eq(r.encoding, "gzip");
    cr_assert_eq(memcmp(r.body, "gzipped gzipped ", 16), 0);
    get(loop, hc, port, "/gzip-chunked", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_bytes, 13 * 5000);
    get(loop, hc, port, "/deflate", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_len, 1300);
    get(loop, hc, port, "/raw-deflate", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_len, 1200);
    /* a bomb: 64 MiB of zeros in a few KB, past max_inflated */
    char url[256];
    url_of(url, sizeof(url), port, "/bomb");
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.max_inflated = 1 << 20;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_ETOOBIG, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "max_inflated"), "%s", r.err);
    get(loop, hc, port, "/bad-gzip", &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "gzip"), "%s", r.err);
    get(loop, hc, port, "/cut-gzip", &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "cut short"), "%s", r.err);
    /* decompress off: the bytes as sent */
    url_of(url, sizeof(url), port, "/gzip");
    opts_for(&o, url, &r);
    o.decompress = false;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0);
    cr_assert_eq((unsigned char)r.body[0], 0x1f);
    TEARDOWN();
}

Test(http_client_real, redirects, .timeout = 60) {
    int port = py_start();
    SETUP();
    char url[256];
    result_t r;
    swirl_http_request_options_t o;
    url_of(url, sizeof(url), port, "/redirect/3");
    opts_for(&o, url, &r);
    o.max_redirects = 5;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "landed");
    cr_assert_eq(r.redirects, 3);
    cr_assert(strstr(r.url, "/redirect/0"), "%s", r.url);
    /* not followed by default; stops at max_redirects */
    get(loop, hc, port, "/redirect/3", &r);
    cr_assert_eq(r.http_status, 302);
    cr_assert_str_eq(r.body, "moved");
    opts_for(&o, url, &r);
    o.max_redirects = 2;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.http_status, 302);
    cr_assert_eq(r.redirects, 2);
    /* a redirect whose body runs until the close */
    url_of(url, sizeof(url), port, "/redirect-close");
    opts_for(&o, url, &r);
    o.max_redirects = 1;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "landed");
    /* a relative Location */
    url_of(url, sizeof(url), port, "/relative");
    opts_for(&o, url, &r);
    o.max_redirects = 1;
    run(loop, hc, &o, &r);
    cr_assert_str_eq(r.body, "landed");
    /* 303: GET, without the body; 307: the same method and body */
    url_of(url, sizeof(url), port, "/see-other");
    opts_for(&o, url, &r);
    o.max_redirects = 1;
    o.method = "POST";
    o.body = "data";
    o.body_len = 4;
    run(loop, hc, &o, &r);
    cr_assert(strstr(r.body, "GET /echo len=0"), "%s", r.body);
    url_of(url, sizeof(url), port, "/temp");
    o.url = url;
    r.done = 0;
    run(loop, hc, &o, &r);
    cr_assert(strstr(r.body, "POST /echo len=4"), "%s", r.body);
    /* credentials stay with their origin: 127.0.0.1 -> localhost drops them */
    url_of(url, sizeof(url), port, "/cross");
    opts_for(&o, url, &r);
    o.max_redirects = 1;
    const char *creds[] = {"Authorization", "Basic c2VjcmV0", "Cookie", "s=1", NULL};
    o.headers = creds;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.body, "auth=- cookie=-"), "%s", r.body);
    url_of(url, sizeof(url), port, "/temp");
    o.url = url;
    r.done = 0;
    run(loop, hc, &o, &r);
    cr_assert(strstr(r.body, "auth=Basic c2VjcmV0 cookie=s=1"), "same origin keeps them: %s",
              r.body);
    url_of(url, sizeof(url), port, "/bad-location");
    opts_for(&o, url, &r);
    o.max_redirects = 1;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "ftp://example.com/x"), "%s", r.err);
    TEARDOWN();
}

/* Hostile replies: each is an error naming it, and the next request on the
 * same client works. */
Test(http_client_real, hostile_replies, .timeout = 60) {
    int port = py_start();
    SETUP();
    static const struct {
        const char *path;
        int status;
        const char *says;
    } cases[] = {
        {"/garbage", SWIRL_EPROTO, "malformed response head: malformed HTTP version"},
        {"/smuggle", SWIRL_EPROTO, "both Content-Length and Transfer-Encoding"},
        {"/bad-chunk", SWIRL_EPROTO, "malformed chunked body"},
        {"/truncated", SWIRL_ECLOSED, "mid-body"},
        {"/truncated-chunked", SWIRL_ECLOSED, "mid-body"},
        {"/close-now", SWIRL_ECLOSED, "before the response head"},
        {"/half-head", SWIRL_ECLOSED, "before the response head"},
        {"/big-head", SWIRL_ETOOBIG, "max_head"},
        {"/many-headers", SWIRL_ETOOBIG, "too many headers"},
        {"/huge-length", SWIRL_ETOOBIG, "Content-Length too large"},
    };
    result_t r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        get(loop, hc, port, cases[i].path, &r);
        cr_assert_eq(r.status, cases[i].status, "%s: %d %s", cases[i].path, r.status, r.err);
        cr_assert(strstr(r.err, cases[i].says), "%s: \"%s\"", cases[i].path, r.err);
        cr_assert(strstr(r.err, cases[i].path), "the error names the URL: %s", r.err);
        get(loop, hc, port, "/hello", &r);
        cr_assert_eq(r.status, 0, "after %s: %s", cases[i].path, r.err);
        cr_assert_str_eq(r.body, "hello");
    }
    /* a body without end, until close: bounded by max_body */
    char url[256];
    url_of(url, sizeof(url), port, "/endless");
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.max_body = 1 << 20;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_ETOOBIG, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "max_body"), "%s", r.err);
    /* a redirect loop ends at max_redirects with the last 302 */
    url_of(url, sizeof(url), port, "/loop");
    opts_for(&o, url, &r);
    o.max_redirects = 5;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.http_status, 302);
    cr_assert_eq(r.redirects, 5);
    /* 101 to a plain GET: the head is the response, the connection is not kept */
    get(loop, hc, port, "/switch", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.http_status, 101);
    cr_assert_eq(r.body_len, 0);
    /* more bytes than the response: it is whole, the connection is not kept */
    get(loop, hc, port, "/count", &r);
    int before = atoi(r.body);
    get(loop, hc, port, "/extra", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "ok");
    get(loop, hc, port, "/count", &r);
    cr_assert_eq(atoi(r.body), before + 1);
    TEARDOWN();
}

Test(http_client_real, timeouts_per_phase, .timeout = 60) {
    int port = py_start();
    SETUP();
    char url[256];
    result_t r;
    swirl_http_request_options_t o;
    url_of(url, sizeof(url), port, "/stall-head");
    opts_for(&o, url, &r);
    o.head_timeout = 0.3;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, -ETIMEDOUT, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "head_timeout"), "%s", r.err);
    url_of(url, sizeof(url), port, "/stall-body");
    opts_for(&o, url, &r);
    o.body_timeout = 0.3;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, -ETIMEDOUT, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "body_timeout"), "%s", r.err);
    get(loop, hc, port, "/hello", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    TEARDOWN();
}

/* The server closes a kept connection (0.3 s after its answer, without
 * reading what came meanwhile): a GET sent on it is retried once on a new
 * connection; a POST is not (it may have been acted on) and reports it. */
Test(http_client_real, a_kept_connection_closed_by_the_server, .timeout = 60) {
    int port = py_start();
    SETUP();
    result_t r;
    get(loop, hc, port, "/drop-after", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(swirl_http_client_idle(hc), 1);
    get(loop, hc, port, "/hello", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "hello");
    cr_assert_eq(swirl_http_client_connections(hc), 2, "retried on a second connection");
    /* closed while idle, seen before reuse (the socket reads EOF): even a
     * POST goes on a new connection, nothing lost */
    get(loop, hc, port, "/drop-now", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    usleep(100000); /* the server's FIN arrives; the loop does not run meanwhile */
    char url[256];
    url_of(url, sizeof(url), port, "/echo");
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.method = "POST";
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%d %s", r.status, r.err);
    cr_assert(strstr(r.body, "POST /echo len=0"), "%s", r.body);
    get(loop, hc, port, "/drop-after", &r);
    opts_for(&o, url, &r);
    o.method = "POST";
    run(loop, hc, &o, &r);
    cr_assert(r.status == SWIRL_ECLOSED || r.status == -ECONNRESET, "%d %s", r.status, r.err);
    TEARDOWN();
}

typedef struct {
    int calls;
    int status;
} cancel_t;

static void on_cancelled(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                         int status) {
    (void)call;
    (void)res;
    cancel_t *c = user;
    c->calls++;
    c->status = status;
}

Test(http_client_real, free_with_requests_in_flight, .timeout = 60) {
    int port = py_start();
    SETUP();
    char url[256];
    url_of(url, sizeof(url), port, "/stall-head");
    cancel_t c[4] = {{0}};
    swirl_http_call_t *calls[4];
    for (int i = 0; i < 4; i++) {
        swirl_http_request_options_t o;
        swirl_http_request_options_init(&o);
        o.url = url;
        o.on_done = on_cancelled;
        o.user = &c[i];
        cr_assert_eq(swirl_http_client_request(hc, &o, &calls[i]), 0);
    }
    for (int i = 0; i < 20; i++)
        swirl_loop_run_once(loop, 10);
    swirl_http_call_cancel(calls[3]);
    cr_assert_eq(c[3].calls, 1);
    cr_assert_eq(c[3].status, -ECANCELED);
    swirl_http_client_free(hc);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(c[i].calls, 1, "request %d: %d callbacks", i, c[i].calls);
        cr_assert_eq(c[i].status, -ECANCELED);
    }
    for (int i = 0; i < 10; i++)
        swirl_loop_run_once(loop, 10);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(c[i].calls, 1);
    swirl_loop_free(loop);
}

typedef struct {
    swirl_http_client_t *hc;
    int calls, status, freed_at;
} freeing_t;

static freeing_t *freeing_all;

/* The first request to end frees the client from its callback. */
static void on_done_free(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                         int status) {
    (void)call;
    (void)res;
    freeing_t *f = user;
    f->calls++;
    f->status = status;
    if (freeing_all->hc) {
        swirl_http_client_t *hc = freeing_all->hc;
        freeing_all->hc = NULL;
        f->freed_at = 1;
        swirl_http_client_free(hc);
        swirl_http_client_free(hc); /* twice from inside: harmless */
    }
}

Test(http_client_real, free_from_inside_a_done_callback, .timeout = 60) {
    int port = py_start();
    SETUP();
    char fast[256], slow[256];
    url_of(fast, sizeof(fast), port, "/hello");
    url_of(slow, sizeof(slow), port, "/stall-head");
    freeing_t f[3] = {{.hc = hc}, {0}, {0}};
    freeing_all = &f[0];
    for (int i = 0; i < 3; i++) {
        swirl_http_request_options_t o;
        swirl_http_request_options_init(&o);
        o.url = i == 0 ? fast : slow;
        o.on_done = on_done_free;
        o.user = &f[i];
        cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0);
    }
    for (int i = 0; i < 400 && !f[0].calls; i++)
        swirl_loop_run_once(loop, 10);
    cr_assert_eq(f[0].calls, 1);
    cr_assert_eq(f[0].status, 0);
    for (int i = 1; i < 3; i++) {
        cr_assert_eq(f[i].calls, 1, "request %d: %d callbacks", i, f[i].calls);
        cr_assert_eq(f[i].status, -ECANCELED);
    }
    for (int i = 0; i < 10; i++)
        swirl_loop_run_once(loop, 10);
    swirl_loop_free(loop);
}

static int stream_count(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                        const char *data, size_t len) {
    (void)call;
    (void)data;
    (void)res;
    result_t *r = user;
    r->body_len += len;
    return r->body_len > 100 ? SWIRL_ETOOBIG : 0;
}

Test(http_client_real, streamed_body_and_download, .timeout = 60) {
    int port = py_start();
    SETUP();
    char url[256], path[128];
    result_t r;
    swirl_http_request_options_t o;
    url_of(url, sizeof(url), port, "/chunked");
    opts_for(&o, url, &r);
    o.on_data = stream_count;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.body_bytes, 19);
    cr_assert_eq(r.body_len, 0, "streamed bodies are not kept");
    url_of(url, sizeof(url), port, "/gzip");
    opts_for(&o, url, &r);
    o.on_data = stream_count; /* stops past 100 bytes */
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_ETOOBIG, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "data callback"), "%s", r.err);
    tu_tmp_path(path, sizeof(path), "hc-dl");
    url_of(url, sizeof(url), port, "/gzip-chunked");
    opts_for(&o, url, &r);
    o.download_path = path;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 13 * 5000);
    /* a failed download leaves no partial file */
    url_of(url, sizeof(url), port, "/truncated");
    opts_for(&o, url, &r);
    o.download_path = path;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_ECLOSED);
    cr_assert_neq(stat(path, &st), 0, "the partial file was removed");
    TEARDOWN();
}

Test(http_client_real, http_proxy_absolute_form, .timeout = 60) {
    int port = py_start();
    SETUP();
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", port);
    result_t r;
    swirl_http_request_options_t o;
    opts_for(&o, "http://origin.invalid:8080/echo?x=1", &r);
    o.proxy = proxy;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.body, "GET http://origin.invalid:8080/echo?x=1 "), "%s", r.body);
    TEARDOWN();
}

/* ---- swirl serve: uploads -------------------------------------------------------------------- */

static uint64_t fnv1a64_file(const char *path) {
    FILE *f = fopen(path, "rbe");
    cr_assert(f);
    uint64_t h = 14695981039346656037ULL;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = (h ^ (unsigned char)c) * 1099511628211ULL;
    fclose(f);
    return h;
}

Test(http_client_real, multipart_upload_to_swirl_serve, .timeout = 120) {
    const char *const extra[] = {"--set", "package_max_length=64M", NULL};
    serve_t s = serve_spawn("base", NULL, extra);
    SETUP();
    char path[128];
    tu_tmp_path(path, sizeof(path), "hc-up");
    FILE *f = fopen(path, "we");
    cr_assert(f);
    for (int i = 0; i < (5 << 20) / 16; i++)
        fprintf(f, "%015d\n", i);
    fclose(f);
    swirl_http_form_part_t parts[] = {
        {.name = "note", .value = "hi there", .value_len = 8},
        {.name = "f", .path = path, .filename = "data.txt", .content_type = "text/plain"},
    };
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/upload", s.port);
    result_t r;
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.method = "POST";
    o.form = parts;
    o.nform = 2;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.http_status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "field note=hi there"), "%s", r.body);
    char want[256];
    snprintf(want, sizeof(want), "file f data.txt text/plain %d 0 %016llx", 5 << 20,
             (unsigned long long)fnv1a64_file(path));
    cr_assert(strstr(r.body, want), "want \"%s\" in:\n%s", want, r.body);
    /* and a body from memory to /echo */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", s.port);
    opts_for(&o, url, &r);
    o.method = "POST";
    o.body = "echo me";
    o.body_len = 7;
    run(loop, hc, &o, &r);
    cr_assert_str_eq(r.body, "echo me");
    unlink(path);
    TEARDOWN();
    kill(s.c.pid, SIGTERM);
    wait_exit(&s.c, 10000);
    reap(&s.c);
}

/* ---- nginx ------------------------------------------------------------------------------------
 */

static int ngx_port, ngx_tls_port, ngx_cert_port;

static void nginx_start(void) {
    if (access(NGINX, X_OK) != 0 || access(OPENSSL, X_OK) != 0)
        cr_skip_test("%s or %s is missing (apt-get install nginx-light openssl)", NGINX, OPENSSL);
    tu_tmp_path(ngx_dir, sizeof(ngx_dir), "hc-nginx");
    cr_assert_eq(mkdir(ngx_dir, 0700), 0);
    const char *d = ngx_dir;
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             OPENSSL " req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                     "-addext subjectAltName=DNS:localhost -keyout %s/server.key -out "
                     "%s/server.pem >/dev/null 2>&1 && " OPENSSL
                     " req -x509 -newkey rsa:2048 -nodes "
                     "-days 1 -subj /CN=swirl-client -keyout %s/client.key -out %s/client.pem "
                     ">/dev/null 2>&1 && mkdir %s/www && truncate -s 100M "
                     "%s/www/big && printf 'small file\\n' > %s/www/small && "
                     "for i in $(seq 1 2000); do echo \"line $i of text\"; done > %s/www/text.txt",
             d, d, d, d, d, d, d, d);
    cr_assert_eq(system(cmd), 0, "setting up nginx's files failed");
    int fd1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
        fd2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(b);
    cr_assert_eq(bind(fd1, (struct sockaddr *)&b, sizeof(b)), 0);
    cr_assert_eq(getsockname(fd1, (struct sockaddr *)&b, &len), 0);
    ngx_port = ntohs(b.sin_port);
    b.sin_port = 0;
    cr_assert_eq(bind(fd2, (struct sockaddr *)&b, sizeof(b)), 0);
    cr_assert_eq(getsockname(fd2, (struct sockaddr *)&b, &len), 0);
    ngx_tls_port = ntohs(b.sin_port);
    int fd3 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    b.sin_port = 0;
    cr_assert_eq(bind(fd3, (struct sockaddr *)&b, sizeof(b)), 0);
    cr_assert_eq(getsockname(fd3, (struct sockaddr *)&b, &len), 0);
    ngx_cert_port = ntohs(b.sin_port);
    close(fd1);
    close(fd2);
    close(fd3);
    char conf[256];
    snprintf(conf, sizeof(conf), "%s/nginx.conf", d);
    FILE *f = fopen(conf, "we");
    cr_assert(f);
    fprintf(f,
            "daemon off;\nmaster_process off;\npid %s/nginx.pid;\nerror_log %s/error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n  access_log off;\n  client_body_temp_path %s;\n  proxy_temp_path %s;\n"
            "  fastcgi_temp_path %s;\n  uwsgi_temp_path %s;\n  scgi_temp_path %s;\n"
            "  keepalive_requests 10000;\n  gzip on;\n  gzip_types text/plain;\n"
            "  gzip_min_length 0;\n  default_type text/plain;\n"
            "  server {\n    listen 127.0.0.1:%d;\n    root %s/www;\n"
            "    location = /conn { return 200 \"$connection\"; }\n  }\n"
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n"
            "    ssl_certificate %s/server.pem;\n    ssl_certificate_key %s/server.key;\n"
            "    root %s/www;\n  }\n"
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n"
            "    ssl_certificate %s/server.pem;\n    ssl_certificate_key %s/server.key;\n"
            "    ssl_verify_client on;\n    ssl_client_certificate %s/client.pem;\n"
            "    location / { return 200 \"client $ssl_client_s_dn\"; }\n  }\n}\n",
            d, d, d, d, d, d, d, ngx_port, d, ngx_tls_port, d, d, d, ngx_cert_port, d, d, d);
    fclose(f);
    char *argv[] = {NGINX, "-p", ngx_dir, "-c", conf, NULL};
    ngx = spawn(NGINX, argv);
    for (int i = 0; i < 500; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in c = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)ngx_tls_port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(fd, (struct sockaddr *)&c, sizeof(c));
        close(fd);
        if (rc == 0)
            return;
        usleep(20000);
    }
    cr_assert_fail("nginx did not start");
}

Test(http_client_real, nginx_keep_alive_and_gzip, .timeout = 60) {
    nginx_start();
    SETUP();
    result_t r;
    char first[32] = "";
    for (int i = 0; i < 20; i++) {
        get(loop, hc, ngx_port, "/conn", &r);
        cr_assert_eq(r.status, 0, "%s", r.err);
        if (i == 0)
            snprintf(first, sizeof(first), "%.31s", r.body);
        cr_assert_str_eq(r.body, first, "request %d on connection %s, not %s", i, r.body, first);
    }
    cr_assert_eq(swirl_http_client_connections(hc), 1);
    get(loop, hc, ngx_port, "/text.txt", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char txt[256];
    snprintf(txt, sizeof(txt), "%s/www/text.txt", ngx_dir);
    struct stat st;
    cr_assert_eq(stat(txt, &st), 0);
    cr_assert_str_eq(r.encoding, "gzip", "nginx did not compress it");
    cr_assert_eq(r.body_bytes, (uint64_t)st.st_size, "%llu inflated bytes, the file has %lld",
                 (unsigned long long)r.body_bytes, (long long)st.st_size);
    cr_assert_eq(memcmp(r.body, "line 1 of text\nline 2 of text\n", 30), 0);
    TEARDOWN();
}

Test(http_client_real, nginx_100mb_download_to_a_file, .timeout = 120) {
    nginx_start();
    SETUP();
    char path[128], url[256];
    tu_tmp_path(path, sizeof(path), "hc-big");
    url_of(url, sizeof(url), ngx_port, "/big");
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    result_t r;
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.download_path = path;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    getrusage(RUSAGE_SELF, &ru1);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 100 << 20);
    cr_assert_eq(r.body_bytes, 100u << 20);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test \"$(sha256sum < %s)\" = \"$(sha256sum < %s/www/big)\"", path,
             ngx_dir);
    cr_assert_eq(system(cmd), 0, "the file's hash differs from nginx's");
    /* streamed: the peak memory grew by far less than the body */
    cr_assert_lt(ru1.ru_maxrss - ru0.ru_maxrss, 32 * 1024, "max RSS grew by %ld KiB",
                 ru1.ru_maxrss - ru0.ru_maxrss);
    unlink(path);
    TEARDOWN();
}

Test(http_client_real, nginx_tls_verified_and_refused, .timeout = 60) {
    nginx_start();
    SETUP();
    char url[256], ca[256];
    snprintf(url, sizeof(url), "https://localhost:%d/small", ngx_tls_port);
    snprintf(ca, sizeof(ca), "%s/server.pem", ngx_dir);
    result_t r;
    swirl_http_request_options_t o;
    opts_for(&o, url, &r);
    o.ca_file = ca;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "small file\n");
    r.done = 0;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(swirl_http_client_connections(hc), 1, "the TLS connection was reused");
    /* no CA given: the system store does not know this certificate */
    opts_for(&o, url, &r);
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "certificate verify failed"), "%s", r.err);
    /* the right CA, the wrong name */
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/small", ngx_tls_port);
    opts_for(&o, url, &r);
    o.ca_file = ca;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    /* a client certificate: nginx checks it */
    char cert[256], key[256];
    snprintf(cert, sizeof(cert), "%s/client.pem", ngx_dir);
    snprintf(key, sizeof(key), "%s/client.key", ngx_dir);
    snprintf(url, sizeof(url), "https://localhost:%d/", ngx_cert_port);
    opts_for(&o, url, &r);
    o.ca_file = ca;
    o.cert_file = cert;
    o.key_file = key;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.http_status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "CN=swirl-client"), "%s", r.body);
    opts_for(&o, url, &r);
    o.ca_file = ca;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.http_status, 400, "without a certificate: %d %s", r.http_status, r.err);
    /* https through an HTTP proxy (CONNECT, then TLS in the tunnel), verified */
    int pport = py_start();
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", pport);
    snprintf(url, sizeof(url), "https://localhost:%d/small", ngx_tls_port);
    uint64_t opened = swirl_http_client_connections(hc);
    for (int i = 0; i < 2; i++) {
        opts_for(&o, url, &r);
        o.ca_file = ca;
        o.proxy = proxy;
        run(loop, hc, &o, &r);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert_str_eq(r.body, "small file\n");
    }
    cr_assert_eq(swirl_http_client_connections(hc), opened + 1, "the tunnel was reused");
    /* the tunnel's TLS is checked as any: no CA, refused */
    opts_for(&o, url, &r);
    o.proxy = proxy;
    run(loop, hc, &o, &r);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "certificate verify failed"), "%s", r.err);
    /* the proxy cannot reach the host: its 502 is an error naming it */
    int fd;
    int dead = tc_refusing_port(&fd);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", dead);
    opts_for(&o, url, &r);
    o.proxy = proxy;
    run(loop, hc, &o, &r);
    close(fd);
    cr_assert_eq(r.status, SWIRL_EPROTO, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "the proxy refused CONNECT: 502"), "%s", r.err);
    /* plain HTTP to the TLS port: nginx's 400 (plain) is a response, not a hang */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/small", ngx_tls_port);
    opts_for(&o, url, &r);
    run(loop, hc, &o, &r);
    cr_assert_eq(r.http_status, 400, "%d %s", r.status, r.err);
    TEARDOWN();
}

/* ---- Python's http.server ----------------------------------------------------------------------
 */

Test(http_client_real, python_http_server, .timeout = 60) {
    if (access(PYTHON, X_OK) != 0)
        cr_skip_test("%s is missing", PYTHON);
    char dir[128];
    tu_tmp_path(dir, sizeof(dir), "hc-pyhttp");
    cr_assert_eq(mkdir(dir, 0700), 0);
    char file[256];
    snprintf(file, sizeof(file), "%s/f.txt", dir);
    FILE *f = fopen(file, "we");
    cr_assert(f);
    fputs("from http.server\n", f);
    fclose(f);
    int fd;
    int port = tc_refusing_port(&fd);
    close(fd);
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    char *argv[] = {PYTHON, "-m", "http.server", "-b", "127.0.0.1", "-d", dir, p, NULL};
    py = spawn(PYTHON, argv);
    SETUP();
    result_t r;
    for (int i = 0; i < 200; i++) { /* until it listens */
        get(loop, hc, port, "/f.txt", &r);
        if (r.status != -ECONNREFUSED)
            break;
        usleep(20000);
    }
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "from http.server\n");
    get(loop, hc, port, "/missing", &r);
    cr_assert_eq(r.http_status, 404);
    TEARDOWN();
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
