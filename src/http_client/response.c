/* src/http_client/response.c — reading a response: the head found and
 * parsed (interim 1xx skipped), the body framed (length, chunked, until
 * close), inflated, and handed to the data callback, the file or memory;
 * at its end the connection back to the pool, then the done callback (a
 * redirect is left to client.c: call->redirect_due). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "http_client/internal.h"

static void sink(swirl_http_call_t *call, const char *data, size_t len);
static void emit(swirl_http_call_t *call, const char *data, size_t len);
static void complete(swirl_http_call_t *call);
static void body_feed(swirl_http_call_t *call, const char *data, size_t len);
static bool is_redirect(int status);
static void head_done(swirl_http_call_t *call, size_t extra);

/* Decoded body bytes to where they go: the data callback, the file, memory. */
static void sink(swirl_http_call_t *call, const char *data, size_t len) {
    if (len == 0 || call->done)
        return;
    call->body_bytes += len;
    if (call->on_data) {
        swirl_http_response_t res;
        swirl__hc_fill_res(call, &res);
        int rc = call->on_data(call, call->user, &res, data, len);
        if (rc < 0)
            swirl__hc_fail(call, rc, "stopped by the data callback");
        return;
    }
    if (call->dl_fd >= 0) {
        while (len > 0) {
            ssize_t w = write(call->dl_fd, data, len);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return swirl__hc_fail(call, w < 0 ? swirl__neg_errno() : -EIO, "download to %s: %s",
                                      call->download_path, strerror(w < 0 ? errno : EIO));
            data += w;
            len -= (size_t)w;
        }
        return;
    }
    if (swirl_buf_size(&call->body_buf) + len > call->max_body)
        return swirl__hc_fail(call, SWIRL_ETOOBIG, "body over %zu bytes (max_body)",
                              call->max_body);
    if (swirl_buf_append(&call->body_buf, data, len) < 0)
        swirl__hc_fail(call, -ENOMEM, "body: out of memory");
}

/* Body bytes as they came (after chunked decoding): inflated if need be. */
static void emit(swirl_http_call_t *call, const char *data, size_t len) {
    if (call->redirecting || len == 0)
        return;
    if (call->zkind == Z_NONE)
        return sink(call, data, len);
    if (!call->zinit) {
        /* "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2); some servers send it raw */
        int bits = 15 + 32; /* gzip or zlib, by the header */
        unsigned char b0 = (unsigned char)data[0];
        if (call->zkind == Z_DEFLATE && ((b0 & 0x0f) != 8 || (b0 >> 4) > 7))
            bits = -15;
        memset(&call->z, 0, sizeof(call->z));
        if (inflateInit2(&call->z, bits) != Z_OK)
            return swirl__hc_fail(call, -ENOMEM, "inflate: out of memory");
        call->zinit = true;
    }
    if (call->zend)
        return; /* bytes after the compressed stream's end: ignored */
    call->z.next_in = (Bytef *)(uintptr_t)data;
    call->z.avail_in = (uInt)len;
    while (call->z.avail_in > 0 && !call->done && !call->zend) {
        char out[PIECE];
        call->z.next_out = (Bytef *)out;
        call->z.avail_out = sizeof(out);
        int zr = inflate(&call->z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            return swirl__hc_fail(call, SWIRL_EPROTO, "malformed %s body: %s",
                                  call->zkind == Z_GZIP ? "gzip" : "deflate",
                                  call->z.msg ? call->z.msg : "inflate error");
        size_t n = sizeof(out) - call->z.avail_out;
        call->inflated += n;
        if (call->inflated > call->max_inflated)
            return swirl__hc_fail(call, SWIRL_ETOOBIG,
                                  "inflated body over %llu bytes (max_inflated)",
                                  (unsigned long long)call->max_inflated);
        sink(call, out, n);
        if (zr == Z_STREAM_END)
            call->zend = true;
        else if (zr == Z_BUF_ERROR && n == 0)
            break;
    }
}

/* The response has ended: the connection back to the pool (or closed), then
 * the redirect or the callback. */
static void complete(swirl_http_call_t *call) {
    if (call->done)
        return;
    call->state = ST_DONE;
    if (call->zinit && !call->zend && !call->redirecting)
        return swirl__hc_fail(call, SWIRL_EPROTO, "compressed body cut short");
    hc_conn_t *conn = call->conn;
    if (conn) {
        call->conn = NULL;
        bool reuse = call->keep_alive && call->rh.keep_alive && !call->no_reuse &&
                     call->body_sent && call->mode != BODY_CLOSE && !call->rh.upgrade;
        if (reuse)
            swirl__hc_pool_put(conn);
        else
            swirl__hc_conn_close(conn);
    }
    if (call->redirecting) { /* client.c follows it once the bytes are handled */
        call->redirect_due = true;
        return;
    }
    swirl__hc_finish(call, 0);
}

static void body_feed(swirl_http_call_t *call, const char *data, size_t len) {
    if (len == 0 || call->done)
        return;
    call->deadline = call->body_timeout >= 0
                         ? swirl_loop_now(call->hc->loop) + (uint64_t)(call->body_timeout * 1000)
                         : 0;
    switch (call->mode) {
    case BODY_LEN: {
        size_t n = len < call->left ? len : (size_t)call->left;
        emit(call, data, n);
        call->left -= n;
        if (call->left == 0) {
            if (len > n)
                call->no_reuse = true; /* more than the response: the connection is suspect */
            complete(call);
        }
        return;
    }
    case BODY_CHUNKED:
        while (len > 0 && !call->done) {
            size_t n = len < PIECE ? len : PIECE;
            memcpy(call->scratch, data, n);
            size_t out = 0;
            ssize_t used =
                swirl_http_chunked_decode(&call->ck, call->scratch, n, call->scratch, &out);
            if (used < 0)
                return swirl__hc_fail(call, (int)used, "malformed chunked body: %s",
                                      call->ck.error);
            emit(call, call->scratch, out);
            data += used;
            len -= (size_t)used;
            if (swirl_http_chunked_done(&call->ck)) {
                if (len > 0)
                    call->no_reuse = true;
                return complete(call);
            }
        }
        return;
    case BODY_CLOSE:
        emit(call, data, len);
        return;
    default:
        call->no_reuse = true;
        return;
    }
}

static bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The head is whole and parsed: set up the body; `extra` bytes came after
 * the head (a response that ends with its head and has more behind it
 * answers a request never sent: its connection is not kept). */
static void head_done(swirl_http_call_t *call, size_t extra) {
    swirl_http_response_head_t *rh = &call->rh;
    call->have_head = true;
    call->state = ST_BODY;
    call->redirecting = is_redirect(rh->status) && call->redirects < call->max_redirects &&
                        swirl_http_response_find_header(rh, "location");
    call->zkind = Z_NONE;
    const swirl_http_header_t *ce = swirl_http_response_find_header(rh, "content-encoding");
    if (ce && call->decompress && !rh->no_body) {
        if ((ce->value_len == 4 && strncasecmp(ce->value, "gzip", 4) == 0) ||
            (ce->value_len == 6 && strncasecmp(ce->value, "x-gzip", 6) == 0))
            call->zkind = Z_GZIP;
        else if (ce->value_len == 7 && strncasecmp(ce->value, "deflate", 7) == 0)
            call->zkind = Z_DEFLATE;
    }
    if (call->dl_fd >= 0 && !call->redirecting) {
        if (ftruncate(call->dl_fd, 0) < 0 || lseek(call->dl_fd, 0, SEEK_SET) < 0)
            return swirl__hc_fail(call, swirl__neg_errno(), "download to %s: %s",
                                  call->download_path, strerror(errno));
    }
    if (rh->upgrade || rh->status == 101) {
        call->no_reuse = true;
        call->mode = BODY_NONE;
    } else if (rh->no_body) {
        call->mode = BODY_NONE;
    } else if (rh->chunked) {
        call->mode = BODY_CHUNKED;
        swirl_http_chunked_init(&call->ck);
    } else if (rh->content_length >= 0) {
        call->mode = BODY_LEN;
        call->left = (uint64_t)rh->content_length;
    } else {
        call->mode = BODY_CLOSE;
    }
    if (call->mode == BODY_CHUNKED && !call->scratch) {
        call->scratch = swirl_malloc(PIECE);
        if (!call->scratch)
            return swirl__hc_fail(call, -ENOMEM, "out of memory");
    }
    if (call->mode == BODY_NONE || (call->mode == BODY_LEN && call->left == 0)) {
        if (extra > 0)
            call->no_reuse = true;
        return complete(call);
    }
    swirl__hc_arm(call, call->body_timeout);
}

/* Bytes from the connection. */
void swirl__hc_feed(swirl_http_call_t *call, const char *data, size_t len) {
    call->got_bytes = true;
    if (call->state == ST_BODY)
        return body_feed(call, data, len);
    if (call->state == ST_DONE) {
        call->no_reuse = true;
        return;
    }
    if (swirl_buf_append(&call->in, data, len) < 0)
        return swirl__hc_fail(call, -ENOMEM, "out of memory");
    for (;;) {
        const char *p = swirl_buf_bytes(&call->in);
        size_t n = swirl_buf_size(&call->in);
        ssize_t e = swirl_http_head_end(p, n, &call->scan);
        if (e == 0) {
            if (n > call->max_head)
                return swirl__hc_fail(call, SWIRL_ETOOBIG,
                                      "response head over %zu bytes (max_head)", call->max_head);
            return;
        }
        if ((size_t)e > call->max_head)
            return swirl__hc_fail(call, SWIRL_ETOOBIG, "response head over %zu bytes (max_head)",
                                  call->max_head);
        swirl_http_response_head_init(&call->rh, call->harr, MAX_HEADERS);
        call->rh.head_request = call->is_head;
        int rc = swirl_http_parse_response_head(&call->rh, p, (size_t)e);
        if (rc < 0)
            return swirl__hc_fail(call, rc, "malformed response head: %s", call->rh.error);
        if (call->rh.status >= 100 && call->rh.status < 200 && call->rh.status != 101) {
            /* an interim response (100 Continue, 103 Early Hints): the final one follows */
            swirl_buf_consume(&call->in, (size_t)e);
            call->scan = 0;
            continue;
        }
        /* the head stays at the buffer's start (the headers point into it);
         * what came after it is body */
        head_done(call, n - (size_t)e);
        if (!call->done && n > (size_t)e)
            body_feed(call, p + e, n - (size_t)e);
        return;
    }
}
