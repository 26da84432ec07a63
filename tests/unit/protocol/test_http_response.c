/* tests/unit/protocol/test_http_response.c — the HTTP/1.1 response head
 * parser: good heads (each framing: length, chunked, until close, no body),
 * 1xx, 204/304, HEAD responses, keep-alive and upgrade, and every refusal.
 * Each head is placed against an unmapped page, so an over-read crashes. */
#include <criterion/criterion.h>
#include <string.h>
#include <swirl/protocol.h>
#include <sys/mman.h>
#include <unistd.h>

static swirl_http_header_t hdrs[8];
static swirl_http_response_head_t R;
static char *guard_mem;
static long page;

/* Copy s so that its last byte is the last before the guard page. */
static const char *guarded(const char *s, size_t n) {
    if (!guard_mem) {
        page = sysconf(_SC_PAGESIZE);
        guard_mem = mmap(NULL, (size_t)page * 4, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(guard_mem, MAP_FAILED);
        cr_assert_eq(mprotect(guard_mem + page * 3, (size_t)page, PROT_NONE), 0);
    }
    cr_assert_leq(n, (size_t)page * 3);
    char *p = guard_mem + page * 3 - n;
    memcpy(p, s, n);
    return p;
}

/* Find the head's end and parse it: 0 or the error. */
static int parse_as(const char *s, bool head_request) {
    size_t n = strlen(s), scan = 0;
    const char *p = guarded(s, n);
    swirl_http_response_head_init(&R, hdrs, 8);
    R.head_request = head_request;
    ssize_t e = swirl_http_head_end(p, n, &scan);
    cr_assert_gt(e, 0, "no head end in %s", s);
    return swirl_http_parse_response_head(&R, p, (size_t)e);
}

static int parse(const char *s) { return parse_as(s, false); }

static void refused(const char *s, int code, const char *why) {
    int rc = parse(s);
    cr_assert_eq(rc, code, "%s: want %d, got %d (%s)", s, code, rc, R.error ? R.error : "");
    cr_assert_not_null(R.error);
    cr_assert(strstr(R.error, why), "%s: error \"%s\" does not say \"%s\"", s, R.error, why);
}

Test(http_response, content_length) {
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A:  v  \r\n\r\nbody"), 0);
    cr_assert_eq(R.minor, 1);
    cr_assert_eq(R.status, 200);
    cr_assert_eq(R.reason_len, 2);
    cr_assert_eq(memcmp(R.reason, "OK", 2), 0);
    cr_assert_eq(R.content_length, 12);
    cr_assert(!R.chunked && !R.no_body && !R.until_close && R.keep_alive && !R.upgrade);
    cr_assert_eq(R.nheaders, 2);
    cr_assert_eq(R.head_len, strlen("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A:  v  \r\n\r\n"));
    const swirl_http_header_t *h = swirl_http_response_find_header(&R, "x-a");
    cr_assert_not_null(h);
    cr_assert_eq(h->value_len, 1);
    cr_assert_eq(h->value[0], 'v');
    cr_assert_null(swirl_http_response_find_header(&R, "x-b"));
}

Test(http_response, chunked_and_until_close) {
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"), 0);
    cr_assert(R.chunked && R.keep_alive && !R.until_close);
    cr_assert_eq(R.content_length, -1);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), 0);
    cr_assert(R.until_close && !R.keep_alive && !R.chunked);
    cr_assert_eq(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
                 0);
    cr_assert(R.keep_alive && R.minor == 0);
    cr_assert_eq(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), 0);
    cr_assert(!R.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n"),
                 0);
    cr_assert(!R.keep_alive);
}

Test(http_response, no_body_statuses) {
    cr_assert_eq(parse("HTTP/1.1 100 Continue\r\n\r\n"), 0);
    cr_assert(R.no_body && R.status == 100 && R.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 204 No Content\r\n\r\n"), 0);
    cr_assert(R.no_body && !R.until_close && R.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"), 0);
    cr_assert(R.no_body && R.keep_alive);
    cr_assert_eq(R.content_length, 99); /* given, frames nothing */
    cr_assert_eq(parse("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"), 0);
    cr_assert(R.no_body && !R.chunked);
}

Test(http_response, head_request) {
    cr_assert_eq(parse_as("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", true), 0);
    cr_assert(R.no_body && R.keep_alive && R.head_request);
    cr_assert_eq(R.content_length, 1000);
    cr_assert_eq(parse_as("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true), 0);
    cr_assert(R.no_body && !R.chunked && R.keep_alive);
    cr_assert_eq(parse_as("HTTP/1.1 200 OK\r\n\r\n", true), 0);
    cr_assert(R.no_body && !R.until_close && R.keep_alive);
}

Test(http_response, upgrade) {
    cr_assert_eq(parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: keep-alive, Upgrade\r\n\r\n"),
                 0);
    cr_assert(R.upgrade && R.no_body && !R.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\n"), 0);
    cr_assert(!R.upgrade);    /* no Upgrade header */
    cr_assert(!R.keep_alive); /* but the connection has switched all the same */
    cr_assert_eq(parse("HTTP/1.1 101 Switching Protocols\r\n\r\n"), 0);
    cr_assert(!R.upgrade && !R.keep_alive);
    cr_assert_eq(parse("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                       "Content-Length: 0\r\n\r\n"),
                 0);
    cr_assert(!R.upgrade);
}

Test(http_response, status_line_forms) {
    cr_assert_eq(parse("HTTP/1.1 404 \r\n\r\n"), 0);
    cr_assert_eq(R.reason_len, 0);
    cr_assert_eq(parse("HTTP/1.1 404\r\n\r\n"), 0);
    cr_assert(R.status == 404 && R.reason_len == 0);
    cr_assert_eq(parse("HTTP/1.1 500 Internal \t Server \xc3\xa9rror\r\n\r\n"), 0);
    cr_assert_eq(R.reason_len, strlen("Internal \t Server \xc3\xa9rror"));
    cr_assert_eq(parse("HTTP/1.1 599 x\r\n\r\n"), 0);
}

Test(http_response, bad_status_lines) {
    refused("HTTP/2.0 200 OK\r\n\r\n", SWIRL_EPROTO, "malformed HTTP version");
    refused("HTTP/1.2 200 OK\r\n\r\n", SWIRL_EPROTO, "not supported");
    refused("http/1.1 200 OK\r\n\r\n", SWIRL_EPROTO, "malformed HTTP version");
    refused("ICY 200 OK\r\n\r\n", SWIRL_EPROTO, "malformed HTTP version");
    refused("HTTP/1\r\n\r\n", SWIRL_EPROTO, "too short");
    refused("HTTP/1.1 20 OK\r\n\r\n", SWIRL_EPROTO, "malformed status code");
    refused("HTTP/1.1 2000 OK\r\n\r\n", SWIRL_EPROTO, "malformed status code");
    refused("HTTP/1.1 099 OK\r\n\r\n", SWIRL_EPROTO, "out of range");
    refused("HTTP/1.1 600 OK\r\n\r\n", SWIRL_EPROTO, "out of range");
    refused("HTTP/1.1  200 OK\r\n\r\n", SWIRL_EPROTO, "malformed status code");
    refused("HTTP/1.1 200 OK\n\r\n", SWIRL_EPROTO, "bare LF in the status line");
    refused("HTTP/1.1 200 O\x01K\r\n\r\n", SWIRL_EPROTO, "invalid character in the reason");
    refused("HTTP/1.1 200 O\rK\r\n\r\n", SWIRL_EPROTO, "status line not ended by CRLF");
    refused("\r\nHTTP/1.1 200 OK\r\n\r\n", SWIRL_EPROTO, "malformed HTTP version");
}

Test(http_response, bad_headers) {
    refused("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", SWIRL_EPROTO, "obs-fold");
    refused("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", SWIRL_EPROTO, "whitespace before a header's colon");
    refused("HTTP/1.1 200 OK\r\n: a\r\n\r\n", SWIRL_EPROTO, "empty header name");
    refused("HTTP/1.1 200 OK\r\nX(y): a\r\n\r\n", SWIRL_EPROTO,
            "invalid character in a header name");
    refused("HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", SWIRL_EPROTO,
            "invalid character in a header value");
    refused("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", SWIRL_EPROTO, "bare CR in a header");
    refused("HTTP/1.1 200 OK\r\nX: a\n\r\n", SWIRL_EPROTO, "bare LF in a header");
    refused("HTTP/1.1 200 OK\r\nX: a\r\n\n", SWIRL_EPROTO, "bare LF in the head");
    refused("HTTP/1.1 200 OK\r\nX\r\n\r\n", SWIRL_EPROTO, "invalid character in a header name");
}

Test(http_response, framing_conflicts) {
    refused("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", SWIRL_EPROTO,
            "more than one Content-Length");
    refused("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n", SWIRL_EPROTO, "not a number");
    refused("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", SWIRL_EPROTO, "not a number");
    refused("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", SWIRL_EPROTO, "not a number");
    refused("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", SWIRL_EPROTO, "empty Content-Length");
    refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", SWIRL_ETOOBIG,
            "too large");
    refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            SWIRL_EPROTO, "both Content-Length and Transfer-Encoding");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            SWIRL_EPROTO, "both Content-Length and Transfer-Encoding");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", SWIRL_EPROTO,
            "must end with chunked");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", SWIRL_EPROTO,
            "other than chunked");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            SWIRL_EPROTO, "more than one Transfer-Encoding");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", SWIRL_EPROTO, "malformed");
    refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", SWIRL_EPROTO, "malformed");
    refused("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", SWIRL_EPROTO, "HTTP/1.0");
}

Test(http_response, too_many_headers) {
    char buf[1024] = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 9; i++)
        strcat(buf, "X: y\r\n");
    strcat(buf, "\r\n");
    refused(buf, SWIRL_ETOOBIG, "too many headers");
}

/* Every prefix of a good head that ends before its empty line is refused
 * (never read past the end): the parse is only for whole heads, but a
 * caller's wrong length must not crash it. */
Test(http_response, every_prefix_is_safe) {
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX: y\r\n\r\n";
    size_t n = strlen(s);
    for (size_t k = 0; k < n; k++) {
        const char *p = guarded(s, k);
        swirl_http_response_head_init(&R, hdrs, 8);
        cr_assert_lt(swirl_http_parse_response_head(&R, p, k), 0, "prefix %zu accepted", k);
    }
    const char *p = guarded(s, n);
    swirl_http_response_head_init(&R, hdrs, 8);
    cr_assert_eq(swirl_http_parse_response_head(&R, p, n), 0);
}

/* A chunked body after a parsed head decodes with the shared decoder. */
Test(http_response, chunked_body_after_head) {
    const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    cr_assert_eq(parse(s), 0);
    char body[64];
    strcpy(body, s + R.head_len);
    swirl_http_chunked_t c;
    swirl_http_chunked_init(&c);
    size_t out = 0;
    ssize_t used = swirl_http_chunked_decode(&c, body, strlen(body), body, &out);
    cr_assert_eq(used, (ssize_t)strlen(s + R.head_len));
    cr_assert(swirl_http_chunked_done(&c));
    cr_assert_eq(out, 11);
    cr_assert_eq(memcmp(body, "hello world", 11), 0);
}
