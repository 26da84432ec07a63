/* tests/unit/http/test_http_server.c — src/http/server.c (the parse loop,
 * pipelining, refusals, closes) and src/http/response.c (heads, lengths,
 * chunked bodies, detached and unfinished responses, files) driven through
 * the fake owner of fake_server.c: bytes go in as the server's receive
 * events, and what the HTTP layer sends, closes and pauses is read back
 * from the fake, with no process or socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_server.h"
#include "testutil.h"

static swirl_http_server_t *hs;
static swirl_server_t *srv;
static swirl_http_resp_t *detached; /* the response /detach left open */

/* Answers "<method> <path> <body>"; a few paths do otherwise. */
static void handler(swirl_http_server_t *h, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    (void)h, (void)user;
    size_t ml, pl, bl;
    const char *m = swirl_http_req_method(req, &ml), *p = swirl_http_req_path(req, &pl);
    const char *b = swirl_http_req_body(req, &bl);
    if (pl == 7 && memcmp(p, "/chunks", 7) == 0) {
        swirl_http_resp_header(resp, "X-Kind", "chunks");
        swirl_http_resp_write(resp, "ab", 2);
        swirl_http_resp_write(resp, "cd", 2);
        swirl_http_resp_end(resp, NULL, 0);
    } else if (pl == 7 && memcmp(p, "/detach", 7) == 0) {
        cr_assert_eq(swirl_http_resp_detach(resp), 0);
        detached = resp;
    } else if (pl == 8 && memcmp(p, "/nothing", 8) == 0) {
        /* returns without an answer */
    } else if (pl == 5 && memcmp(p, "/file", 5) == 0) {
        cr_assert_eq(swirl_http_resp_sendfile(resp, getenv("FAKE_FILE"), 0, 0), 0);
    } else {
        char out[512];
        int n = snprintf(out, sizeof(out), "%.*s %.*s %.*s", (int)ml, m, (int)pl, p, (int)bl,
                         b ? b : "");
        swirl_http_resp_status(resp, 201, NULL);
        swirl_http_resp_end(resp, out, (size_t)n);
    }
}

static void setup(void) {
    cr_assert_eq(swirl_http_server_new(&hs, "127.0.0.1", 0, SWIRL_MODE_BASE), 0);
    srv = swirl_http_server_base(hs);
    cr_assert_eq(swirl_http_server_set_text(hs, "http_compression", "false"), 0);
    swirl_log_set_level(SWIRL_LOG_ERROR); /* the fake does not apply log_level */
    cr_assert_eq(swirl_http_server_on_request(hs, handler, NULL), 0);
    cr_assert_eq(swirl_http_server_start(hs), 0);
    fake_worker_start(srv);
}

static void teardown(void) { swirl_http_server_free(hs); }

TestSuite(http_server, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(http_response, .init = setup, .fini = teardown, .timeout = 30);

/* Feed `text` to connection `fd` in one read and run the loop's due work;
 * what was sent to it in out. */
static size_t exchange(int64_t fd, const char *text, char *out, size_t size) {
    fake_receive(srv, fd, text, strlen(text));
    fake_run();
    return fake_take(fd, out, size);
}

/* The same on a connection that opens first. */
static size_t exchange_new(int64_t fd, const char *text, char *out, size_t size) {
    fake_connect(srv, fd);
    return exchange(fd, text, out, size);
}

/* The body of the response at `resp` (after its blank line). */
static const char *body_of(const char *resp) {
    const char *b = strstr(resp, "\r\n\r\n");
    cr_assert(b, "no end of head in: %s", resp);
    return b + 4;
}

/* out without its Date header line (it names the second it was made). */
static void without_date(char *out) {
    char *d = strstr(out, "\r\nDate: ");
    if (d) {
        char *end = strstr(d + 2, "\r\n");
        memmove(d, end, strlen(end) + 1);
    }
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

Test(http_server, one_request_gets_one_answer_and_the_connection_stays) {
    char out[4096];
    exchange_new(5, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert(strncmp(out, "HTTP/1.1 201 Created\r\n", 22) == 0, "%s", out);
    cr_assert(strstr(out, "\r\nContent-Length: 7\r\n"), "%s", out);
    cr_assert_str_eq(body_of(out), "GET /a ");
    cr_assert(!fake_conn(5)->closed, "a keep-alive connection stays open");
}

Test(http_server, pipelined_requests_are_answered_in_order) {
    char out[8192];
    exchange_new(5,
                 "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                 "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                 "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
                 out, sizeof(out));
    cr_assert_eq(count(out, "HTTP/1.1 201 "), 3, "%s", out);
    const char *a = strstr(out, "GET /1 "), *b = strstr(out, "POST /2 abc"),
               *c = strstr(out, "GET /3 ");
    cr_assert(a && b && c && a < b && b < c, "in request order: %s", out);
}

Test(http_server, a_request_byte_by_byte_gets_the_same_answer) {
    const char *req = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    char whole[4096], bytes[4096];
    exchange_new(5, req, whole, sizeof(whole));
    fake_connect(srv, 6);
    for (size_t i = 0; req[i]; i++) {
        fake_receive(srv, 6, req + i, 1);
        fake_run();
    }
    fake_take(6, bytes, sizeof(bytes));
    without_date(whole);
    without_date(bytes);
    cr_assert_str_eq(bytes, whole);
    cr_assert_str_eq(body_of(bytes), "POST /p hello");
}

Test(http_server, a_bad_request_costs_only_its_connection) {
    char out[4096];
    fake_connect(srv, 5);
    fake_connect(srv, 6);
    exchange(5, "GET / HTTP/1.1\r\n\r\n", out, sizeof(out)); /* no Host */
    cr_assert(strncmp(out, "HTTP/1.1 400 ", 13) == 0, "%s", out);
    cr_assert(strstr(body_of(out), "Host"), "the answer says why: %s", out);
    fake_run();
    cr_assert(fake_conn(5)->closed, "the refused connection is closed");
    exchange(6, "GET /ok HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert_str_eq(body_of(out), "GET /ok ");
    cr_assert(!fake_conn(6)->closed);
}

Test(http_server, connection_close_closes_after_the_answer) {
    char out[4096];
    exchange_new(5, "GET /bye HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", out, sizeof(out));
    cr_assert_str_eq(body_of(out), "GET /bye ");
    cr_assert(fake_conn(5)->closed && !fake_conn(5)->reset, "closed gracefully after the answer");
}

Test(http_server, a_body_in_pieces_reaches_the_handler_whole) {
    char out[4096];
    fake_connect(srv, 5);
    cr_assert_eq(
        exchange(5, "PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01", out, sizeof(out)),
        0, "nothing before the body is whole: %s", out);
    cr_assert_eq(exchange(5, "2345", out, sizeof(out)), 0);
    exchange(5, "6789", out, sizeof(out));
    cr_assert_str_eq(body_of(out), "PUT /u 0123456789");
}

Test(http_server, a_chunked_body_is_decoded) {
    char out[4096];
    exchange_new(5,
                 "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n",
                 out, sizeof(out));
    cr_assert_str_eq(body_of(out), "POST /c abcdefg");
}

Test(http_server, a_closed_connection_is_forgotten) {
    char out[4096];
    fake_connect(srv, 5);
    cr_assert_eq(exchange(5, "GET /half HTTP/1.1\r\nHost:", out, sizeof(out)), 0);
    fake_closed(srv, 5);
    fake_connect(srv, 5); /* the same id again: a new connection, nothing of the old head */
    exchange(5, "GET /new HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert_eq(count(out, "HTTP/1.1 "), 1, "%s", out);
    cr_assert_str_eq(body_of(out), "GET /new ");
}

Test(http_response, write_sends_a_chunked_body) {
    char out[4096];
    exchange_new(5, "GET /chunks HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", out);
    cr_assert(strstr(out, "\r\nTransfer-Encoding: chunked\r\n"), "%s", out);
    cr_assert(strstr(out, "\r\nX-Kind: chunks\r\n"), "%s", out);
    cr_assert(!strstr(out, "Content-Length"), "%s", out);
    cr_assert_str_eq(body_of(out), "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n");
}

Test(http_response, an_http10_client_gets_the_body_then_the_close) {
    char out[4096];
    exchange_new(5, "GET /chunks HTTP/1.0\r\n\r\n", out, sizeof(out));
    cr_assert(!strstr(out, "Transfer-Encoding"), "%s", out);
    cr_assert_str_eq(body_of(out), "abcd");
    cr_assert(fake_conn(5)->closed, "the close ends the body");
}

Test(http_response, a_head_request_gets_the_length_and_no_body) {
    char out[4096];
    exchange_new(5, "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert(strstr(out, "\r\nContent-Length: 8\r\n"), "GET's length: %s", out);
    cr_assert_str_eq(body_of(out), "");
}

Test(http_response, a_detached_response_ends_later_and_the_next_waits_for_it) {
    char out[4096];
    exchange_new(5,
                 "GET /detach HTTP/1.1\r\nHost: h\r\n\r\n"
                 "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
                 out, sizeof(out));
    cr_assert_eq(out[0], 0, "nothing before the detached response ends: %s", out);
    cr_assert(detached);
    cr_assert_eq(swirl_http_resp_end(detached, "late", 4), 0);
    fake_run();
    fake_take(5, out, sizeof(out));
    const char *late = strstr(out, "\r\n\r\nlate"), *next = strstr(out, "GET /next");
    cr_assert(late && next && late < next, "the late answer, then the next: %s", out);
}

Test(http_response, a_handler_without_an_answer_gets_500) {
    char out[4096];
    exchange_new(5, "GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert(strncmp(out, "HTTP/1.1 500 ", 13) == 0, "%s", out);
    exchange(5, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    cr_assert_str_eq(body_of(out), "GET /after ");
}

Test(http_response, sendfile_sends_the_head_then_the_file) {
    char path[128], out[4096];
    tu_tmp_path(path, sizeof(path), "fakefile");
    FILE *f = fopen(path, "we");
    cr_assert(f);
    fputs("file body\n", f);
    fclose(f);
    setenv("FAKE_FILE", path, 1);
    exchange_new(5, "GET /file HTTP/1.1\r\nHost: h\r\n\r\n", out, sizeof(out));
    unlink(path);
    cr_assert(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", out);
    cr_assert(strstr(out, "\r\nContent-Length: 10\r\n"), "%s", out);
    cr_assert_str_eq(body_of(out), "file body\n");
    cr_assert_eq(fake_conn(5)->files, 1, "the file went to the owner by fd");
}

/* ---- requests parsed outside a server (Swoole's Http\Request::create) ------------------- */

Test(http_parser, pieces_then_fields_and_the_end) {
    swirl_http_parser_t *p;
    cr_assert_eq(swirl_http_parser_new(&p, NULL), 0);
    const char *req = "POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nCookie: c=3; d=4\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: 7\r\n\r\nk=v&z=9NEXT";
    size_t len = strlen(req);
    cr_assert_null(swirl_http_parser_method(p, NULL));
    cr_assert_eq(swirl_http_parser_feed(p, req, 3), 3);
    cr_assert_null(swirl_http_parser_method(p, NULL), "the method is not over yet");
    cr_assert_eq(swirl_http_parser_feed(p, req + 3, 10), 10);
    size_t ml = 0;
    const char *m = swirl_http_parser_method(p, &ml);
    cr_assert(m && ml == 4 && memcmp(m, "POST", 4) == 0);
    cr_assert_not(swirl_http_parser_head_done(p));
    cr_assert_null(swirl_http_parser_req(p));
    cr_assert_eq(swirl_http_parser_feed(p, req + 13, len - 13), (ssize_t)(len - 13 - 4),
                 "the bytes after the body are not this request's");
    cr_assert(swirl_http_parser_done(p));
    swirl_http_req_t *r = swirl_http_parser_req(p);
    cr_assert_not_null(r);
    cr_assert_str_eq(swirl_http_req_param(r, SWIRL_HTTP_GET, "y", NULL), "2");
    cr_assert_str_eq(swirl_http_req_param(r, SWIRL_HTTP_COOKIE, "d", NULL), "4");
    cr_assert_str_eq(swirl_http_req_param(r, SWIRL_HTTP_POST, "z", NULL), "9");
    size_t bl = 0;
    const char *body = swirl_http_req_body(r, &bl);
    cr_assert(bl == 7 && memcmp(body, "k=v&z=9", 7) == 0);
    cr_assert_eq(swirl_http_req_fd(r), -1);
    cr_assert_null(swirl_http_req_remote_ip(r), "no connection");
    cr_assert_eq(swirl_http_parser_feed(p, "x", 1), SWIRL_ESTATE, "complete");
    swirl_http_parser_free(p);
}

Test(http_parser, rules_and_refusals) {
    swirl_http_parser_t *p;
    swirl_http_parser_rules_t no_cookies = {.parse_cookie = false, .parse_post = true};
    cr_assert_eq(swirl_http_parser_new(&p, &no_cookies), 0);
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nCookie: c=3\r\n\r\n";
    cr_assert_eq(swirl_http_parser_feed(p, req, strlen(req)), (ssize_t)strlen(req));
    cr_assert(swirl_http_parser_done(p));
    cr_assert_eq(swirl_http_req_params(swirl_http_parser_req(p), SWIRL_HTTP_COOKIE, NULL), 0);
    swirl_http_parser_free(p);

    cr_assert_eq(swirl_http_parser_new(&p, NULL), 0);
    cr_assert_eq(swirl_http_parser_feed(p, "GET / HTTP/9.9\r\n\r\n", 18), SWIRL_EPROTO);
    cr_assert_eq(swirl_http_parser_feed(p, "\r\n", 2), SWIRL_EPROTO, "refused for good");
    swirl_http_parser_free(p);

    cr_assert_eq(swirl_http_parser_new(&p, NULL), 0);
    const char *ch = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    cr_assert_eq(swirl_http_parser_feed(p, ch, strlen(ch)), SWIRL_ENOTSUP);
    swirl_http_parser_free(p);

    swirl_http_parser_rules_t small = {.body_max = 10};
    cr_assert_eq(swirl_http_parser_new(&p, &small), 0);
    const char *big = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
    cr_assert_eq(swirl_http_parser_feed(p, big, strlen(big)), SWIRL_ETOOBIG);
    swirl_http_parser_free(p);
    swirl_http_parser_free(NULL);
}
