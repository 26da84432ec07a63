/* tests/integration/test_http_client_attack.c — the HTTP client against a
 * hostile server (http_client_attack_server.py, started by the tests on
 * port 0): responses that must leave their connection unusable, a chunk
 * size that overflows, a head dripped a byte at a time, 1xx floods, a
 * reset mid-body, redirects to odd places; and from the API side: the
 * client freed or the call cancelled from inside the data callback, a
 * thousand requests queued then freed. Each failure must reach the done
 * callback once, as an error naming it, and the next request must work. */
#include <errno.h>

#include <swirl/swirl.h>

#include "cli_harness.h"

#define PYTHON "/usr/bin/python3"

static child_t srv = {.pid = -1, .out = -1, .err = -1};

static void stop_server(void) {
    if (srv.pid > 0 || srv.out >= 0)
        reap(&srv);
    srv = (child_t){.pid = -1, .out = -1, .err = -1};
    tu_guard_fini();
}

TestSuite(http_client_attack, .init = tu_guard_init, .fini = stop_server);

static int srv_start(void) {
    if (access(PYTHON, X_OK) != 0)
        cr_skip_test("%s is missing (apt-get install python3)", PYTHON);
    char *argv[] = {PYTHON, SWIRL_SOURCE_DIR "/tests/integration/http_client_attack_server.py",
                    NULL};
    srv = spawn(PYTHON, argv);
    char buf[128];
    read_until(srv.out, buf, sizeof(buf), "\n", 10000);
    char *at = strstr(buf, "PORT ");
    cr_assert(at, "the hostile server did not start: %s", buf);
    return atoi(at + 5);
}

typedef struct {
    int done, status, http_status;
    char body[256];
    char err[600];
} result_t;

static void on_done(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                    int status) {
    (void)call;
    result_t *r = user;
    r->done++;
    r->status = status;
    r->http_status = res->status;
    size_t n = res->body_len < sizeof(r->body) - 1 ? res->body_len : sizeof(r->body) - 1;
    if (res->body)
        memcpy(r->body, res->body, n);
    r->body[n] = 0;
    snprintf(r->err, sizeof(r->err), "%s", res->error ? res->error : "");
}

static void wait_done(swirl_loop_t *loop, result_t *r) {
    for (int i = 0; i < 4000 && !r->done; i++)
        swirl_loop_run_once(loop, 5);
    cr_assert_eq(r->done, 1, "the done callback ran %d times", r->done);
}

static void opts(swirl_http_request_options_t *o, char *url, size_t size, int port,
                 const char *path, result_t *r) {
    snprintf(url, size, "http://127.0.0.1:%d%s", port, path);
    swirl_http_request_options_init(o);
    o->url = url;
    o->on_done = on_done;
    o->user = r;
    memset(r, 0, sizeof(*r));
}

static void get(swirl_loop_t *loop, swirl_http_client_t *hc, int port, const char *path,
                result_t *r) {
    char url[256];
    swirl_http_request_options_t o;
    opts(&o, url, sizeof(url), port, path, r);
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0, "%s", swirl_last_error_msg());
    wait_done(loop, r);
}

/* The connections the server accepted so far (a new one counts itself). */
static int count(swirl_loop_t *loop, swirl_http_client_t *hc, int port) {
    result_t r;
    get(loop, hc, port, "/count", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    return atoi(r.body);
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

/* A 101 switches the connection away from HTTP whatever its headers say
 * (here none): it is never kept for the next request, which the server
 * would otherwise answer on the switched connection. */
Test(http_client_attack, a_bare_101_does_not_leave_its_connection_in_the_pool, .timeout = 60) {
    int port = srv_start();
    SETUP();
    int before = count(loop, hc, port);
    result_t r;
    get(loop, hc, port, "/switch-bare", &r);
    cr_assert_eq(r.http_status, 101, "%d %s", r.status, r.err);
    cr_assert_eq(count(loop, hc, port), before + 1, "the switched connection was reused");
    TEARDOWN();
}

/* Bytes after a response that has no body (Content-Length: 0, 204) are a
 * response to a request never sent: the connection is suspect and is not
 * kept (as after a body followed by more bytes). */
Test(http_client_attack, bytes_after_a_bodiless_response_are_not_kept, .timeout = 60) {
    int port = srv_start();
    SETUP();
    static const char *const paths[] = {"/zero-extra", "/204-extra"};
    for (size_t i = 0; i < 2; i++) {
        int before = count(loop, hc, port);
        result_t r;
        get(loop, hc, port, paths[i], &r);
        cr_assert_eq(r.status, 0, "%s: %s", paths[i], r.err);
        cr_assert_eq(r.body[0], 0, "%s: the forged response became the body", paths[i]);
        int after = count(loop, hc, port);
        cr_assert_eq(after, before + 1, "%s: the connection with a forged response was reused",
                     paths[i]);
    }
    TEARDOWN();
}

Test(http_client_attack, protocol_breakers_reach_the_callback_and_the_client_goes_on,
     .timeout = 60) {
    int port = srv_start();
    SETUP();
    static const struct {
        const char *path;
        int status;
        const char *says;
    } cases[] = {
        {"/chunk-overflow", SWIRL_EPROTO, "chunk size too large"},
        {"/chunk-overflow-17", SWIRL_EPROTO, "chunk size too large"},
        {"/reset-mid-body", 0, "mid-body"},
        {"/loc/file", SWIRL_EPROTO, "scheme is not http or https"},
        {"/loc/javascript", SWIRL_EPROTO, "scheme is not http or https"},
        {"/loc/v6", SWIRL_EPROTO, "IPv6"},
        {"/loc/port0", SWIRL_EPROTO, "port out of range"},
        {"/loc/port-big", SWIRL_EPROTO, "port out of range"},
        {"/loc/userinfo", SWIRL_EPROTO, "credentials"},
        {"/loc/space", SWIRL_EPROTO, "space"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char url[256];
        result_t r;
        swirl_http_request_options_t o;
        opts(&o, url, sizeof(url), port, cases[i].path, &r);
        o.max_redirects = 3;
        cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0);
        wait_done(loop, &r);
        if (cases[i].status)
            cr_assert_eq(r.status, cases[i].status, "%s: %d %s", cases[i].path, r.status, r.err);
        else
            cr_assert_lt(r.status, 0, "%s: %d %s", cases[i].path, r.status, r.err);
        cr_assert(strstr(r.err, cases[i].says), "%s: \"%s\"", cases[i].path, r.err);
        result_t h;
        get(loop, hc, port, "/hello", &h);
        cr_assert_eq(h.status, 0, "after %s: %s", cases[i].path, h.err);
        cr_assert_str_eq(h.body, "hello");
    }
    /* RFC 3986 §5.2.2: an empty reference is the base URL itself (here a
     * loop that ends at max_redirects), "?a=1" the base path with that query */
    result_t r;
    char url[256];
    swirl_http_request_options_t o;
    opts(&o, url, sizeof(url), port, "/loc/empty", &r);
    o.max_redirects = 3;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0);
    wait_done(loop, &r);
    cr_assert_eq(r.status, 0, "%d %s", r.status, r.err);
    cr_assert_eq(r.http_status, 302);
    opts(&o, url, sizeof(url), port, "/loc/query", &r);
    o.max_redirects = 3;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0);
    wait_done(loop, &r);
    cr_assert_eq(r.status, 0, "%d %s", r.status, r.err);
    cr_assert_str_eq(r.body, "/loc/query?a=1");
    TEARDOWN();
}

Test(http_client_attack, a_response_a_byte_at_a_time_and_a_flood_of_interim_ones, .timeout = 60) {
    int port = srv_start();
    SETUP();
    result_t r;
    get(loop, hc, port, "/bytewise", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "abcd");
    get(loop, hc, port, "/interim-flood", &r);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.body, "after the flood");
    TEARDOWN();
}

/* A head that drips a byte at a time never resets head_timeout: it is the
 * head's whole time, not an idle time. */
Test(http_client_attack, a_dripping_head_does_not_defeat_head_timeout, .timeout = 60) {
    int port = srv_start();
    SETUP();
    char url[256];
    result_t r;
    swirl_http_request_options_t o;
    opts(&o, url, sizeof(url), port, "/head-drip", &r);
    o.head_timeout = 0.5;
    cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0);
    wait_done(loop, &r);
    cr_assert_eq(r.status, -ETIMEDOUT, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, "head_timeout"), "%s", r.err);
    TEARDOWN();
}

/* ---- the API side: freeing and cancelling from inside the callbacks ----------------------------
 */

typedef struct {
    swirl_http_client_t *hc;
    swirl_http_call_t *call;
    int data_calls, done_calls, status;
    int what; /* 0: cancel the call, 1: free the client */
} inside_t;

static int on_data_inside(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                          const char *data, size_t len) {
    (void)res;
    (void)data;
    (void)len;
    inside_t *t = user;
    t->data_calls++;
    if (t->what == 0) {
        swirl_http_call_cancel(call);
        swirl_http_call_cancel(call); /* twice: harmless */
    } else if (t->hc) {
        swirl_http_client_t *hc = t->hc;
        t->hc = NULL;
        swirl_http_client_free(hc);
    }
    return 0;
}

static void on_done_inside(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                           int status) {
    (void)call;
    (void)res;
    inside_t *t = user;
    t->done_calls++;
    t->status = status;
}

Test(http_client_attack, cancel_or_free_from_inside_the_data_callback, .timeout = 60) {
    int port = srv_start();
    static const char *const paths[] = {"/hello", "/bytewise", "/reset-mid-body"};
    for (int what = 0; what < 2; what++) {
        for (size_t p = 0; p < 3; p++) {
            SETUP();
            char url[256];
            snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, paths[p]);
            inside_t t = {.hc = hc, .what = what};
            swirl_http_request_options_t o;
            swirl_http_request_options_init(&o);
            o.url = url;
            o.on_data = on_data_inside;
            o.on_done = on_done_inside;
            o.user = &t;
            cr_assert_eq(swirl_http_client_request(hc, &o, &t.call), 0);
            for (int i = 0; i < 2000 && !t.done_calls; i++)
                swirl_loop_run_once(loop, 5);
            cr_assert_eq(t.done_calls, 1, "%s: %d done callbacks", paths[p], t.done_calls);
            cr_assert_eq(t.data_calls, 1, "%s: %d data callbacks", paths[p], t.data_calls);
            cr_assert_eq(t.status, -ECANCELED, "%s: %d", paths[p], t.status);
            for (int i = 0; i < 5; i++)
                swirl_loop_run_once(loop, 5);
            cr_assert_eq(t.done_calls, 1);
            if (t.hc)
                swirl_http_client_free(t.hc);
            swirl_loop_run_once(loop, 0);
            swirl_loop_free(loop);
        }
    }
}

typedef struct {
    int calls, cancelled, other;
} many_t;

static void on_done_many(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                         int status) {
    (void)call;
    (void)res;
    many_t *m = user;
    m->calls++;
    if (status == -ECANCELED)
        m->cancelled++;
    else
        m->other++;
}

/* A thousand requests to a head that never comes, then the client freed:
 * each callback once, with the cancellation. */
Test(http_client_attack, a_thousand_requests_queued_then_freed, .timeout = 60) {
    int port = srv_start();
    SETUP();
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/head-drip", port);
    many_t m = {0};
    enum { N = 1000 };
    for (int i = 0; i < N; i++) {
        swirl_http_request_options_t o;
        swirl_http_request_options_init(&o);
        o.url = url;
        o.on_done = on_done_many;
        o.user = &m;
        cr_assert_eq(swirl_http_client_request(hc, &o, NULL), 0, "request %d: %s", i,
                     swirl_last_error_msg());
    }
    for (int i = 0; i < 20; i++)
        swirl_loop_run_once(loop, 5);
    swirl_http_client_free(hc);
    cr_assert_eq(m.calls, N, "%d callbacks (%d other errors)", m.calls, m.other);
    for (int i = 0; i < 10; i++)
        swirl_loop_run_once(loop, 5);
    cr_assert_eq(m.calls, N);
    swirl_loop_free(loop);
}
