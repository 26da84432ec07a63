/* tests/common/http_driver.h — drives swirl's HTTP parser the way a
 * server connection does (empty lines skipped, the head found and parsed,
 * a Content-Length or chunked body read, the next request), fed whole or
 * byte by byte, and says what came of the input. Test code only. */
#ifndef SWIRL_TEST_HTTP_DRIVER_H
#define SWIRL_TEST_HTTP_DRIVER_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

enum { V_RUNNING, V_ACCEPT, V_REJECT, V_CLOSE, V_UPGRADE, V_INCOMPLETE };
__attribute__((unused)) static const char *vname[] = {"RUNNING", "ACCEPT", "REJECT", "CLOSE", "UPGRADE", "INCOMPLETE"};

typedef struct {
    char buf[1 << 17];
    size_t len, off, scan;
    int phase; /* 0 head, 1 Content-Length body, 2 chunked body */
    uint64_t body_left;
    swirl_http_chunked_t ck;
    int messages, verdict;
    swirl_http_request_t req;
    swirl_http_header_t hdr[64];
    /* the first message, for field checks */
    char method[32];
    int nheaders, minor, keep_alive, upgrade;
    size_t body_len, first_body;
    const char *why;
    bool closed; /* stopped after a message that closes the connection */
    char target[1024];
    size_t target_len;
    char body1[8192]; /* the first message's body (its first 8 KiB) */
    size_t body1_len;
} drv_t;

__attribute__((unused)) static void drv_complete(drv_t *d) {
    if (d->messages == 0) {
        d->first_body = d->body_len;
        d->body1_len = d->body_len < sizeof(d->body1) ? d->body_len : sizeof(d->body1);
        memcpy(d->body1, d->buf + d->off - d->body_len, d->body1_len);
    }
    d->messages++;
    d->phase = 0;
    d->scan = d->off;
    if (d->req.upgrade) /* after its body, the rest is the other protocol's */
        d->verdict = V_UPGRADE;
    else if (!d->req.keep_alive)
        d->closed = true, d->verdict = V_CLOSE;
}

__attribute__((unused)) static void drv_run(drv_t *d) {
    while (d->verdict == V_RUNNING) {
        if (d->phase == 0) {
            /* empty lines before a request are ignored (RFC 9112 §2.2) */
            while (d->len - d->off >= 2 && d->scan == d->off && d->buf[d->off] == '\r' &&
                   d->buf[d->off + 1] == '\n')
                d->scan = d->off += 2;
            if (d->off == d->len || (d->len - d->off == 1 && d->buf[d->off] == '\r'))
                return; /* nothing yet, or maybe the start of an empty line */
            size_t rel = d->scan - d->off;
            ssize_t e = swirl_http_head_end(d->buf + d->off, d->len - d->off, &rel);
            d->scan = d->off + rel;
            if (e == 0) { /* refuse bad bytes now rather than wait for the rest */
                if (swirl_http_check_partial(&d->req, d->buf + d->off, d->len - d->off) < 0) {
                    d->verdict = V_REJECT;
                    d->why = d->req.error;
                }
                return;
            }
            if (swirl_http_parse_head(&d->req, d->buf + d->off, (size_t)e) < 0) {
                d->verdict = V_REJECT;
                d->why = d->req.error;
                return;
            }
            if (d->messages == 0) {
                snprintf(d->method, sizeof(d->method), "%.*s", (int)d->req.method_len,
                         d->req.method);
                d->nheaders = (int)d->req.nheaders;
                d->minor = d->req.minor;
                d->keep_alive = d->req.keep_alive;
                d->upgrade = d->req.upgrade;
                d->target_len = d->req.target_len < sizeof(d->target) ? d->req.target_len
                                                                       : sizeof(d->target);
                memcpy(d->target, d->req.target, d->target_len);
            }
            d->off += (size_t)e;
            d->body_len = 0;
            if (d->req.upgrade && (d->req.content_length == 0 || d->req.method_len == 7)) {
                d->messages++; /* CONNECT, or an upgrade without a body: the rest is not HTTP */
                d->verdict = V_UPGRADE;
                return;
            }
            if (d->req.chunked) {
                swirl_http_chunked_init(&d->ck);
                d->phase = 2;
            } else {
                d->body_left = (uint64_t)d->req.content_length;
                d->phase = 1;
            }
        }
        if (d->phase == 1) {
            size_t n = d->len - d->off;
            if (n > d->body_left)
                n = (size_t)d->body_left;
            d->off += n;
            d->body_left -= n;
            d->body_len += n;
            if (d->body_left > 0)
                return;
            drv_complete(d);
        } else if (d->phase == 2) {
            size_t out = 0;
            ssize_t used = swirl_http_chunked_decode(&d->ck, d->buf + d->off, d->len - d->off,
                                                     d->buf + d->off, &out);
            if (used < 0) {
                d->verdict = V_REJECT;
                d->why = d->ck.error;
                return;
            }
            /* decoded in place: what is left moves up behind the output */
            memmove(d->buf + d->off + out, d->buf + d->off + used, d->len - d->off - (size_t)used);
            d->len -= (size_t)used - out;
            d->off += out;
            d->body_len += out;
            d->scan = d->off;
            if (!swirl_http_chunked_done(&d->ck))
                return;
            drv_complete(d);
        }
    }
}

__attribute__((unused)) static void drv_feed(drv_t *d, const char *p, size_t n) {
    cr_assert_leq(d->len + n, sizeof(d->buf));
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    drv_run(d);
}

/* At the end of the input: ACCEPT (everything was whole messages),
 * INCOMPLETE (one is cut short), CLOSE (bytes came after a message that
 * closes the connection: ignored), or what stopped it. */
__attribute__((unused)) static int drv_end(drv_t *d) {
    if (d->closed)
        d->verdict = d->off == d->len ? V_ACCEPT : V_CLOSE;
    if (d->verdict == V_RUNNING)
        d->verdict = d->phase == 0 && d->off == d->len ? V_ACCEPT : V_INCOMPLETE;
    return d->verdict;
}

/* llhttp counts the messages completed before the input ends: ACCEPT n
 * and INCOMPLETE n say the same thing (n whole messages, no error). */
__attribute__((unused)) static int same(int v) { return v == V_INCOMPLETE ? V_ACCEPT : v; }

__attribute__((unused)) static const char *cur_name = ""; /* the case being run, for messages */

/* Run input whole and byte by byte; both must agree. */
__attribute__((unused)) static drv_t *drive(const char *in, size_t n) {
    drv_t *whole = calloc(1, sizeof(drv_t)), *bytes = calloc(1, sizeof(drv_t));
    swirl_http_request_init(&whole->req, whole->hdr, 64);
    swirl_http_request_init(&bytes->req, bytes->hdr, 64);
    drv_feed(whole, in, n);
    drv_end(whole);
    for (size_t i = 0; i < n; i++)
        drv_feed(bytes, in + i, 1);
    drv_end(bytes);
    cr_expect_eq(whole->verdict, bytes->verdict, "\"%s\": whole %s, byte by byte %s (%s)", cur_name,
                 vname[whole->verdict], vname[bytes->verdict], bytes->why ? bytes->why : "");
    cr_expect_eq(whole->messages, bytes->messages);
    free(bytes);
    return whole;
}

#endif
