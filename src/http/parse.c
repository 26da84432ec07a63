/* src/http/parse.c — the HTTP server's parse loop, in the worker that
 * owns the connection, and the dispatch of each request to the handler.
 *
 * A connection's requests are handled one at a time, in order: the next
 * pipelined request is not looked at until the current response has ended,
 * so responses always leave in request order. That needs every request of
 * a connection to reach the same worker: dispatch_mode 1 and 3 are refused
 * at start.
 *
 * Bytes are parsed where they arrive when the buffer of the connection is
 * empty (the common case: one whole request per read, no copy); what is
 * left is kept in the connection's buffer. Chunked bodies are decoded in
 * place in that buffer, and the framing behind the decoded bytes is cut
 * off after each read, so it holds the head, the body so far and nothing
 * else. The head is searched for once per read
 * (swirl_http_head_end resumes where it stopped) and bad bytes in an
 * unfinished head are refused at once (swirl_http_check_partial).
 *
 * Limits: a head without its end past http_max_request_line bytes before
 * the first LF is 414, past http_max_header_size 431; more than
 * http_max_headers lines 431; a body (Content-Length, or chunked so far)
 * past package_max_length 413 (before reading it, so Expect: 100-continue
 * gets the 413 instead of a 100). A client has http_header_timeout seconds
 * from connecting (or from its last response) to send a whole head: then
 * 408 if it had started one, else a quiet close; once the head is in, a
 * gap of http_header_timeout without a byte of the body is 408 too. An
 * HTTP/1.1 request without exactly one Host is 400. Every refusal closes the connection
 * after the answer and costs nothing else. An Upgrade request goes to
 * the upgrade hook (swirl__http_upgrade_t, set by the WebSocket server);
 * when the hook switches the connection (P_UPGRADED), every later byte
 * is the other protocol's. Any other Upgrade or CONNECT request is
 * answered as a plain request and the connection then closed.
 *
 * A client that shuts its side down (SHUT_WR) gets an answer to every
 * whole request it sent before, in order, then the close (on_peer_eof). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

/* ---- dispatch ---------------------------------------------------------------------------------
 */

/* Call the handler for the request whose head is head[0..c->head_len).
 * `up`: a multipart body already parsed into fields and files (freed here,
 * which removes its temp files, when the handler returns). `parsed`: the
 * head as parsed in this pass (its fields point into `head`), or NULL to
 * parse it again (it was parsed in an earlier read and may have moved). */
static void dispatch(swirl_http_server_t *hs, http_conn_t *c, const char *head, const char *body,
                     size_t body_len, http_upload_t *up, const swirl_http_request_t *parsed) {
    swirl_http_req_t req = {.hs = hs,
                            .fd = c->fd,
                            .head = head,
                            .body = body,
                            .body_len = body_len,
                            .time = swirl_time_now()};
    if (parsed) {
        req.p = *parsed;
    } else {
        swirl_http_request_init(&req.p, hs->hdrs, (size_t)hs->conf->http_max_headers);
        if (swirl_http_parse_head(&req.p, head, c->head_len) < 0)
            req.p.status = -1; /* parsed fine before: cannot be */
    }
    if (req.p.status < 0) {
        swirl__http_upload_free(up);
        swirl__http_reject(hs, c, 500, "request head changed");
        return;
    }
    if (up && swirl__http_upload_attach(up, &req) < 0) {
        swirl__http_upload_free(up);
        swirl__http_reject(hs, c, 503, "out of memory for the request's fields");
        return;
    }
    swirl_http_resp_t *resp = swirl__http_resp_new(hs, c, &req.p);
    if (!resp) {
        swirl__http_reject(hs, c, 503, "out of memory");
        return;
    }
    c->phase = P_BUSY;
    c->resp = resp;
    resp->in_dispatch = true;
    bool served =
        req.p.upgrade && hs->upgrade.request && (c->proto & SWIRL__HTTP_PROTO_WS) &&
        hs->upgrade.request(hs->upgrade.user, &req, resp);
    if (!served)
        served = hs->conf->enable_static_handler && swirl__http_static(hs, &req, resp);
    if (!served)
        hs->handler(hs, &req, resp, hs->user);
    swirl__http_req_release(&req);
    swirl__http_upload_free(up);
    if (!resp->finished && !resp->detached) {
        swirl_log_warning("http: the request handler returned without ending the response to "
                          "%.*s %.*s; ended for it%s",
                          (int)req.p.method_len, req.p.method, (int)req.p.target_len, req.p.target,
                          resp->head_sent ? "" : " with 500");
        if (!resp->head_sent)
            swirl_http_resp_status(resp, 500, NULL);
        swirl_http_resp_end(resp, NULL, 0);
    }
    resp->in_dispatch = false;
    if (resp->finished)
        swirl__http_resp_free(resp);
}

/* ---- the parse loop ---------------------------------------------------------------------------
 */

static size_t first_line_len(const char *p, size_t n) {
    const char *nl = memchr(p, '\n', n);
    return nl ? (size_t)(nl - p) : n;
}

#define GONE ((size_t)-1)

/* A connection's next request waits while the answers it owes are many:
 * past half of socket_buffer_size in bytes (as the owner's flow control
 * counts them), or HTTP_FILES_AHEAD files answered since they last
 * drained (each queued file holds an open fd until it is sent). A client
 * pipelining requests without reading the answers is then held back by
 * TCP: its connection is paused, and taken up again on the bufferEmpty
 * the owner sends once everything owed is out. Without this, every
 * request already read was answered at once: a queued file per request
 * (the fds of the process ran out) and answers past socket_buffer_size
 * (the connection was cut). */
#define HTTP_FILES_AHEAD 16

static bool held_back(swirl_http_server_t *hs, http_conn_t *c) {
    if (c->held)
        return true;
    int64_t owed = swirl__server_owed(hs->srv, c->fd);
    if (hs->batch_fd == c->fd)
        owed += (int64_t)swirl_buf_size(&hs->batch);
    if (c->files_ahead < HTTP_FILES_AHEAD && owed < hs->srv->settings.socket_buffer_size / 2)
        return false;
    /* the answers batched so far go first: the drain is watched behind them */
    if (hs->batch_fd == c->fd && swirl__http_flush_batch(hs) < 0) {
        if (swirl_last_error() != SWIRL_ECLOSED) {
            swirl_log_warning("http: responses to connection %lld cut, closing it: %s",
                              (long long)c->fd, swirl_last_error_msg());
            swirl__http_close_later(hs, c);
        }
        return true;
    }
    c->held = true;
    if (!c->paused) {
        swirl_server_pause(hs->srv, c->fd);
        c->paused = true;
    }
    /* may answer at once (on_buffer_empty): then a deferred call goes on */
    if (swirl__server_watch_drain(hs->srv, c->fd) < 0)
        c->held = false; /* the connection is gone */
    return true;
}

/* Is r's body multipart/form-data that we parse (http_parse_post)? */
static bool is_multipart(swirl_http_server_t *hs, const swirl_http_request_t *r) {
    static const char mt[] = "multipart/form-data";
    if (!hs->conf->http_parse_post)
        return false;
    const swirl_http_header_t *h = swirl_http_find_header(r, "content-type");
    return h && h->value_len >= sizeof(mt) - 1 && strncasecmp(h->value, mt, sizeof(mt) - 1) == 0;
}

/* P_STREAM: hand the body bytes in q[0..m) to the multipart parser;
 * *off advances past what was used. 1: the body is complete; 0: more is
 * needed; -1: refused (answered, closing). */
static int stream_body(swirl_http_server_t *hs, http_conn_t *c, const char *q, size_t m,
                       size_t max_body, size_t *off) {
    const char *data = q;
    size_t n, used;
    if (!c->stream_chunked) {
        n = used = m < c->body_left ? m : (size_t)c->body_left;
        c->body_left -= n;
    } else {
        if (swirl_buf_reserve(&hs->scratch, m) < 0) {
            swirl__http_reject(hs, c, 503, "out of memory decoding a chunked body");
            return -1;
        }
        char *out = hs->scratch.data + hs->scratch.len; /* reserved, not committed */
        ssize_t u = swirl_http_chunked_decode(&c->ck, q, m, out, &n);
        if (u < 0) {
            swirl__http_reject(hs, c, u == SWIRL_ETOOBIG ? 413 : 400, c->ck.error);
            return -1;
        }
        if (c->ck.total > max_body) {
            swirl__http_reject(hs, c, 413, "chunked body larger than package_max_length");
            return -1;
        }
        used = (size_t)u;
        data = out;
    }
    *off += used;
    if (n && swirl__http_upload_feed(c->up, data, n) < 0) {
        int code = swirl_last_error() == SWIRL_ETOOBIG ? 413
                   : swirl_last_error() == -ENOMEM     ? 503
                                                       : 400;
        swirl__http_reject(hs, c, code, swirl_last_error_msg());
        return -1;
    }
    bool end = c->stream_chunked ? swirl_http_chunked_done(&c->ck) : c->body_left == 0;
    if (!end)
        return 0;
    if (!swirl__http_upload_complete(c->up)) {
        swirl__http_reject(hs, c, 400, "multipart body ended before its closing boundary");
        return -1;
    }
    return 1;
}

/* Handle the requests in p[0..n) (a request starts at p). `owned`: p is
 * the connection's buffer, which may be written (chunked bodies are decoded
 * in place); otherwise a chunked request stops the loop so the caller
 * copies the bytes first. Returns the bytes used, or GONE when the
 * connection was closed by the handler (c is freed then). */
static size_t consume(swirl_http_server_t *hs, http_conn_t *c, char *p, size_t n, bool owned) {
    const swirl__http_settings_t *s = hs->conf;
    size_t max_body = (size_t)swirl__port_settings(hs->srv->ports[0])->package_max_length;
    size_t off = 0;
    while (c->phase == P_HEAD || c->phase == P_BODY || c->phase == P_CHUNKED ||
           c->phase == P_STREAM) {
        char *q = p + off;
        size_t m = n - off;
        swirl_http_request_t head;
        bool have_head = false;
        if (c->phase == P_HEAD) {
            /* empty lines before a request are ignored (RFC 9112 §2.2) */
            while (c->scan == 0 && m >= 2 && q[0] == '\r' && q[1] == '\n')
                q += 2, m -= 2, off += 2;
            if (m == 0 || (m == 1 && q[0] == '\r'))
                break;
            if (held_back(hs, c))
                break; /* the bytes wait in the connection's buffer */
            ssize_t e = swirl_http_head_end(q, m, &c->scan);
            if (e == 0) {
                if (first_line_len(q, m) > (size_t)s->http_max_request_line) {
                    swirl__http_reject(hs, c, 414,
                                       "request line longer than http_max_request_line");
                    break;
                }
                if (m > (size_t)s->http_max_header_size) {
                    swirl__http_reject(hs, c, 431, "request head larger than http_max_header_size");
                    break;
                }
                swirl_http_request_t r;
                swirl_http_request_init(&r, hs->hdrs, (size_t)s->http_max_headers);
                if (swirl_http_check_partial(&r, q, m) < 0)
                    swirl__http_reject(hs, c, r.status, r.error);
                break;
            }
            if (first_line_len(q, (size_t)e) > (size_t)s->http_max_request_line) {
                swirl__http_reject(hs, c, 414, "request line longer than http_max_request_line");
                break;
            }
            if ((size_t)e > (size_t)s->http_max_header_size) {
                swirl__http_reject(hs, c, 431, "request head larger than http_max_header_size");
                break;
            }
            swirl_http_request_t r;
            swirl_http_request_init(&r, hs->hdrs, (size_t)s->http_max_headers);
            if (swirl_http_parse_head(&r, q, (size_t)e) < 0) {
                swirl__http_reject(hs, c, r.status, r.error);
                break;
            }
            head = r; /* the head is at q: valid if the body is here too */
            have_head = true;
            if (r.minor == 1 && r.host_count != 1) {
                swirl__http_reject(hs, c, 400, "an HTTP/1.1 request needs one Host header");
                break;
            }
            if (r.content_length > 0 && (uint64_t)r.content_length > max_body) {
                c->body_unsent = r.expect_continue && r.minor == 1;
                swirl__http_reject(hs, c, 413, "body larger than package_max_length");
                break;
            }
            bool stream = (r.chunked || r.content_length > 0) && is_multipart(hs, &r);
            if (r.chunked && !owned && !stream) {
                c->want_owned = true; /* decoded in place: in the connection's buffer */
                break;
            }
            if (stream) {
                int rc = swirl__http_upload_new(&c->up, hs, &r, q, (size_t)e);
                if (rc < 0) {
                    swirl__http_reject(hs, c, rc == -ENOMEM ? 503 : 400, swirl_last_error_msg());
                    break;
                }
            }
            c->head_len = (size_t)e;
            c->keep_alive = r.keep_alive && !r.upgrade;
            c->scan = 0;
            c->continue_sent = false;
            /* the head timer stays: it finds the connection busy, or waiting anew */
            if (stream) {
                /* the head is copied: the body is parsed and dropped as it comes */
                c->stream_chunked = r.chunked;
                if (r.chunked)
                    swirl_http_chunked_init(&c->ck);
                c->body_left = (uint64_t)r.content_length;
                c->phase = P_STREAM;
            } else if (r.chunked) {
                swirl_http_chunked_init(&c->ck);
                c->raw_off = (size_t)e;
                c->body_len = 0;
                c->phase = P_CHUNKED;
            } else {
                c->body_left = (uint64_t)r.content_length;
                c->phase = P_BODY;
            }
            bool whole = !r.chunked && m - (size_t)e >= (size_t)r.content_length;
            if (r.expect_continue && !whole && r.minor == 1) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                swirl_server_send(hs->srv, c->fd, cont, sizeof(cont) - 1);
                c->continue_sent = true;
            }
            if (stream) {
                off += (size_t)e;
                continue;
            }
        }
        if (c->phase == P_STREAM) {
            int rc = stream_body(hs, c, q, m, max_body, &off);
            if (rc < 0)
                break; /* refused */
            if (rc == 0)
                break; /* wants more */
            http_upload_t *up = c->up;
            c->up = NULL;
            int64_t fd = c->fd;
            dispatch(hs, c, swirl__http_upload_head(up), NULL, 0, up, NULL);
            if (swirl__http_conn_find(hs, fd) != c)
                return GONE;
        } else if (c->phase == P_BODY) {
            size_t need = c->head_len + (size_t)c->body_left;
            if (m < need)
                break;
            off += need;
            int64_t fd = c->fd;
            dispatch(hs, c, q, q + c->head_len, (size_t)c->body_left, NULL,
                     have_head ? &head : NULL);
            if (swirl__http_conn_find(hs, fd) != c)
                return GONE; /* the handler closed it */
        } else if (c->phase == P_CHUNKED) {
            size_t out = 0;
            ssize_t used = swirl_http_chunked_decode(&c->ck, q + c->raw_off, m - c->raw_off,
                                                     q + c->head_len + c->body_len, &out);
            if (used < 0) {
                swirl__http_reject(hs, c, used == SWIRL_ETOOBIG ? 413 : 400, c->ck.error);
                break;
            }
            c->raw_off += (size_t)used;
            c->body_len += out;
            if (c->ck.total > max_body) {
                swirl__http_reject(hs, c, 413, "chunked body larger than package_max_length");
                break;
            }
            if (!swirl_http_chunked_done(&c->ck)) {
                /* all was used: drop the framing behind the decoded body, so
                 * the buffer holds the head and the body, never the raw bytes
                 * (p is the connection's buffer: P_CHUNKED is always owned) */
                c->in.len = c->in.start + off + c->head_len + c->body_len;
                c->raw_off = c->head_len + c->body_len;
                break;
            }
            off += c->raw_off;
            int64_t fd = c->fd;
            dispatch(hs, c, q, q + c->head_len, c->body_len, NULL, NULL);
            if (swirl__http_conn_find(hs, fd) != c)
                return GONE;
        }
    }
    return off;
}

/* consume, with the responses it makes sent together at the end (a
 * pipelining client gets them in one write). */
static size_t consume_batched(swirl_http_server_t *hs, http_conn_t *c, char *p, size_t n,
                              bool owned) {
    int64_t fd = c->fd;
    hs->batch_fd = fd;
    size_t used = consume(hs, c, p, n, owned);
    if (used == GONE) {
        /* closed by the handler: what it batched before went first (flush) */
        hs->batch.start = hs->batch.len = 0;
    } else if (swirl__http_flush_batch(hs) < 0 && swirl_last_error() != SWIRL_ECLOSED) {
        swirl_log_warning("http: responses to connection %lld cut, closing it: %s", (long long)fd,
                          swirl_last_error_msg());
        swirl__http_close_later(hs, c);
    }
    hs->batch_fd = 0;
    return used;
}

/* Handle what is in the connection's buffer. */
void swirl__http_consume_buffered(swirl_http_server_t *hs, http_conn_t *c) {
    c->want_owned = false;
    size_t n = consume_batched(hs, c, swirl_buf_bytes(&c->in), swirl_buf_size(&c->in), true);
    if (n == GONE)
        return;
    swirl_buf_consume(&c->in, n);
    if (c->phase == P_UPGRADED)
        swirl__http_upgraded_rest(hs, c);
}

/* Feed bytes that arrived for `c`. */
void swirl__http_feed(swirl_http_server_t *hs, http_conn_t *c, const char *data, size_t len) {
    c->rx_ms = swirl_loop_now(swirl_server_loop(hs->srv));
    if (c->phase == P_CLOSED)
        return; /* after a refusal or Connection: close: ignored */
    if (c->phase == P_UPGRADED) {
        hs->upgrade.data(hs->upgrade.user, c->fd, &c->up_state, data, len);
        return;
    }
    if (swirl_buf_size(&c->in) == 0 && (c->phase == P_HEAD || c->phase == P_STREAM)) {
        /* not written when not owned: the cast is for the owned case's sake */
        size_t used = consume_batched(hs, c, (char *)data, len, false);
        if (used == GONE || used == len || c->phase == P_CLOSED)
            return;
        data += used;
        len -= used;
        if (c->phase == P_UPGRADED) { /* frames right behind the handshake */
            hs->upgrade.data(hs->upgrade.user, c->fd, &c->up_state, data, len);
            return;
        }
        if (swirl_buf_append(&c->in, data, len) < 0) {
            swirl__http_reject(hs, c, 503, "out of memory buffering the request");
            return;
        }
        if (c->want_owned)
            swirl__http_consume_buffered(hs, c);
        return;
    }
    if (swirl_buf_append(&c->in, data, len) < 0) {
        swirl__http_reject(hs, c, 503, "out of memory buffering the request");
        return;
    }
    if (c->phase == P_BUSY) { /* a detached response is pending: hold, bounded */
        const swirl__http_settings_t *s = hs->conf;
        size_t cap = (size_t)s->http_max_header_size +
                     (size_t)swirl__port_settings(hs->srv->ports[0])->package_max_length;
        if (swirl_buf_size(&c->in) > cap && !c->paused) {
            swirl_server_pause(hs->srv, c->fd);
            c->paused = true;
        }
        return;
    }
    swirl__http_consume_buffered(hs, c);
}
