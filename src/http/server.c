/* src/http/server.c — the HTTP server: per-connection state in the worker
 * that owns the connection, the parse loop, dispatch.
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

/* ---- connections ------------------------------------------------------------------------------ */

static size_t slot_of(const swirl_http_server_t *hs, int64_t fd) {
    uint64_t h = (uint64_t)fd * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (hs->nbuckets - 1);
}

static http_conn_t *conn_find(swirl_http_server_t *hs, int64_t fd) {
    if (!hs->buckets)
        return NULL;
    for (http_conn_t *c = hs->buckets[slot_of(hs, fd)]; c; c = c->next)
        if (c->fd == fd)
            return c;
    return NULL;
}

static int grow(swirl_http_server_t *hs) {
    size_t n = hs->nbuckets ? hs->nbuckets * 2 : 256;
    http_conn_t **b = swirl_calloc(n, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < hs->nbuckets; i++)
        for (http_conn_t *c = hs->buckets[i], *next; c; c = next) {
            next = c->next;
            size_t k = (size_t)(((uint64_t)c->fd * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (n - 1);
            c->next = b[k];
            b[k] = c;
        }
    swirl_free(hs->buckets);
    hs->buckets = b;
    hs->nbuckets = n;
    return 0;
}

static void on_head_timeout(swirl_loop_t *loop, int64_t id, void *user);
static void upgraded_rest(swirl_http_server_t *hs, http_conn_t *c);

/* The head timeout is lazy: a connection starting to wait for a head only
 * notes the time; its one timer is armed when none is pending, and when
 * it fires early (the connection answered requests meanwhile) it is armed
 * again for what is left. So a keep-alive request costs no timer work. */
static void arm_timer(swirl_http_server_t *hs, http_conn_t *c) {
    int64_t secs = hs->conf->http_header_timeout;
    if (secs <= 0)
        return;
    c->head_since = swirl_loop_now(swirl_server_loop(hs->srv));
    if (c->timer)
        return;
    int64_t t = swirl_timer_after(swirl_server_loop(hs->srv), secs * 1000, on_head_timeout, c);
    c->timer = t > 0 ? t : 0;
}

static void disarm_timer(swirl_http_server_t *hs, http_conn_t *c) {
    if (c->timer)
        swirl_timer_clear(swirl_server_loop(hs->srv), c->timer);
    c->timer = 0;
}

static http_conn_t *conn_add(swirl_http_server_t *hs, int64_t fd) {
    if ((hs->nconns + 1) * 2 > hs->nbuckets && grow(hs) < 0)
        return NULL;
    http_conn_t *c = swirl_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->hs = hs;
    c->fd = fd;
    size_t k = slot_of(hs, fd);
    c->next = hs->buckets[k];
    hs->buckets[k] = c;
    hs->nconns++;
    arm_timer(hs, c);
    return c;
}

static void conn_remove(swirl_http_server_t *hs, int64_t fd) {
    if (!hs->buckets)
        return;
    for (http_conn_t **pp = &hs->buckets[slot_of(hs, fd)]; *pp; pp = &(*pp)->next) {
        http_conn_t *c = *pp;
        if (c->fd != fd)
            continue;
        *pp = c->next;
        hs->nconns--;
        disarm_timer(hs, c);
        if (c->resp)
            c->resp->c = NULL; /* a detached response: its end finds the connection gone */
        swirl__http_upload_free(c->up); /* an upload cut short: its temp files go */
        if (c->up_state && hs->upgrade.gone)
            hs->upgrade.gone(hs->upgrade.user, fd, &c->up_state);
        swirl_buf_destroy(&c->in);
        swirl_free(c);
        return;
    }
}

/* A request whose body is still coming: its timer (armed for the head)
 * stays while bytes keep coming, and ends it with 408 after a gap of
 * http_header_timeout without any (nginx's client_body_timeout). */
static bool in_body(const http_conn_t *c) {
    return c->phase == P_BODY || c->phase == P_CHUNKED || c->phase == P_STREAM;
}

static void on_head_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    http_conn_t *c = user;
    c->timer = 0;
    if (c->phase != P_HEAD && !in_body(c))
        return; /* armed again when it waits for a head next */
    uint64_t limit = (uint64_t)c->hs->conf->http_header_timeout * 1000;
    if (c->held) { /* we wait for the client to read, not it for us (send_timeout's case) */
        int64_t t = swirl_timer_after(loop, (int64_t)limit, on_head_timeout, c);
        c->timer = t > 0 ? t : 0;
        return;
    }
    if (in_body(c)) {
        uint64_t gap = swirl_loop_now(loop) - c->rx_ms;
        if (gap < limit) {
            int64_t t = swirl_timer_after(loop, (int64_t)(limit - gap), on_head_timeout, c);
            c->timer = t > 0 ? t : 0;
            return;
        }
        swirl__http_reject(c->hs, c, 408, "request body stalled for http_header_timeout");
        return;
    }
    uint64_t waited = swirl_loop_now(loop) - c->head_since;
    if (waited < limit) { /* a later wait: the rest of its time */
        int64_t t = swirl_timer_after(loop, (int64_t)(limit - waited), on_head_timeout, c);
        c->timer = t > 0 ? t : 0;
        return;
    }
    if (swirl_buf_size(&c->in) > 0)
        swirl__http_reject(c->hs, c, 408, "no whole request head within http_header_timeout");
    else
        swirl_server_close(c->hs->srv, c->fd, false); /* idle keep-alive connection */
}

/* ---- dispatch --------------------------------------------------------------------------------- */

/* Call the handler for the request whose head is head[0..c->head_len).
 * `up`: a multipart body already parsed into fields and files (freed here,
 * which removes its temp files, when the handler returns). `parsed`: the
 * head as parsed in this pass (its fields point into `head`), or NULL to
 * parse it again (it was parsed in an earlier read and may have moved). */
static void dispatch(swirl_http_server_t *hs, http_conn_t *c, const char *head, const char *body,
                     size_t body_len, http_upload_t *up, const swirl_http_request_t *parsed) {
    swirl_http_req_t req = {.hs = hs, .fd = c->fd, .head = head, .body = body,
                            .body_len = body_len, .time = swirl_time_now()};
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
    bool served = req.p.upgrade && hs->upgrade.request &&
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
                          (int)req.p.method_len, req.p.method, (int)req.p.target_len,
                          req.p.target, resp->head_sent ? "" : " with 500");
        if (!resp->head_sent)
            swirl_http_resp_status(resp, 500, NULL);
        swirl_http_resp_end(resp, NULL, 0);
    }
    resp->in_dispatch = false;
    if (resp->finished)
        swirl__http_resp_free(resp);
}

/* ---- the parse loop --------------------------------------------------------------------------- */

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
        int code = swirl_last_error() == SWIRL_ETOOBIG ? 413 : swirl_last_error() == -ENOMEM ? 503
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
                    swirl__http_reject(hs, c, 414, "request line longer than http_max_request_line");
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
            if (conn_find(hs, fd) != c)
                return GONE;
        } else if (c->phase == P_BODY) {
            size_t need = c->head_len + (size_t)c->body_left;
            if (m < need)
                break;
            off += need;
            int64_t fd = c->fd;
            dispatch(hs, c, q, q + c->head_len, (size_t)c->body_left, NULL,
                     have_head ? &head : NULL);
            if (conn_find(hs, fd) != c)
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
            if (conn_find(hs, fd) != c)
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
        swirl_log_warning("http: responses to connection %lld cut, closing it: %s",
                          (long long)fd, swirl_last_error_msg());
        swirl__http_close_later(hs, c);
    }
    hs->batch_fd = 0;
    return used;
}

/* Handle what is in the connection's buffer. */
static void consume_buffered(swirl_http_server_t *hs, http_conn_t *c) {
    c->want_owned = false;
    size_t n = consume_batched(hs, c, swirl_buf_bytes(&c->in), swirl_buf_size(&c->in), true);
    if (n == GONE)
        return;
    swirl_buf_consume(&c->in, n);
    if (c->phase == P_UPGRADED)
        upgraded_rest(hs, c);
}

/* Feed bytes that arrived for `c`. */
static void feed(swirl_http_server_t *hs, http_conn_t *c, const char *data, size_t len) {
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
            consume_buffered(hs, c);
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
    consume_buffered(hs, c);
}

/* ---- deferred work ------------------------------------------------------------------------------ */

typedef struct {
    swirl_http_server_t *hs;
    int64_t fd;
    bool close;
} later_t;

static void on_later(swirl_loop_t *loop, void *user) {
    later_t *l = user;
    swirl_http_server_t *hs = l->hs;
    int64_t fd = l->fd;
    bool close_it = l->close;
    swirl_free(l);
    if (close_it) {
        swirl_server_close(hs->srv, fd, false);
        return;
    }
    http_conn_t *c = conn_find(hs, fd);
    if (!c)
        return;
    if (c->phase == P_HEAD) {
        if (c->paused) {
            swirl_server_resume(hs->srv, fd);
            c->paused = false;
        }
        if (swirl_buf_size(&c->in) > 0)
            consume_buffered(hs, c);
        if (!(c = conn_find(hs, fd)))
            return;
    }
    /* the client finished sending and every whole request it sent is
     * answered: what is left is a request cut short, never to complete */
    if (c->peer_eof && (c->phase == P_HEAD || in_body(c)))
        swirl__http_close_later(hs, c);
}

static void later(swirl_http_server_t *hs, int64_t fd, bool close_it) {
    later_t *l = swirl_malloc(sizeof(*l));
    if (!l) {
        if (close_it)
            swirl_server_close(hs->srv, fd, false);
        return;
    }
    *l = (later_t){hs, fd, close_it};
    if (swirl_loop_defer(swirl_server_loop(hs->srv), on_later, l) < 0) {
        swirl_free(l);
        if (close_it)
            swirl_server_close(hs->srv, fd, false);
    }
}

/* The response of `c` is complete: close, or wait for the next request
 * (handling at once what a pipelining client already sent, unless we are
 * inside the parse loop, which goes on by itself). */
void swirl__http_done(swirl_http_server_t *hs, http_conn_t *c, bool keep_alive, bool in_loop) {
    c->resp = NULL;
    if (c->phase == P_UPGRADED) { /* the 101 is out: the other protocol has it now */
        disarm_timer(hs, c);
        return;
    }
    if (!keep_alive || c->close_asked) {
        c->phase = P_CLOSED;
        later(hs, c->fd, true); /* after the bytes queued: the close keeps their order */
        return;
    }
    c->phase = P_HEAD;
    arm_timer(hs, c);
    if (!in_loop && (swirl_buf_size(&c->in) > 0 || c->paused || c->peer_eof))
        later(hs, c->fd, false);
}

static void on_linger_end(swirl_loop_t *loop, int64_t id, void *user) {
    http_conn_t *c = user;
    c->timer = 0;
    swirl_server_close(c->hs->srv, c->fd, false);
}

/* After a 413 the client is most likely still sending the body it was
 * refused: closing at once would make its kernel answer our close with a
 * reset that can destroy the 413 before it is read. So the connection
 * stays open for HTTP_LINGER_MS (or until the client closes), its bytes
 * read and dropped (P_CLOSED ignores them), as nginx's lingering close. */
#define HTTP_LINGER_MS 5000
void swirl__http_linger(swirl_http_server_t *hs, http_conn_t *c) {
    c->phase = P_CLOSED;
    swirl__http_upload_free(c->up); /* a refused upload's files go at once */
    c->up = NULL;
    disarm_timer(hs, c);
    int64_t t = swirl_timer_after(swirl_server_loop(hs->srv), HTTP_LINGER_MS, on_linger_end, c);
    if (t > 0)
        c->timer = t;
    else
        later(hs, c->fd, true);
}

void *swirl__http_upgraded_state(swirl_http_server_t *hs, int64_t fd) {
    http_conn_t *c = conn_find(hs, fd);
    return c && c->phase == P_UPGRADED ? c->up_state : NULL;
}

int swirl__http_switch(swirl_http_resp_t *resp, void *state) {
    http_conn_t *c = resp->c;
    if (!c)
        return -1;
    c->phase = P_UPGRADED;
    c->up_state = state;
    return 0;
}

/* Hand what a switched connection has buffered to its protocol. */
static void upgraded_rest(swirl_http_server_t *hs, http_conn_t *c) {
    size_t n = swirl_buf_size(&c->in);
    if (n == 0)
        return;
    /* moved out first: the protocol may close the connection (freeing c) */
    swirl_buf_t rest = c->in;
    swirl_buf_init(&c->in);
    hs->upgrade.data(hs->upgrade.user, c->fd, &c->up_state, swirl_buf_bytes(&rest), n);
    swirl_buf_destroy(&rest);
}

void swirl__http_close_later(swirl_http_server_t *hs, http_conn_t *c) {
    c->phase = P_CLOSED;
    swirl__http_upload_free(c->up);
    c->up = NULL;
    disarm_timer(hs, c);
    later(hs, c->fd, true);
}

/* The client finished sending (a half-close, SHUT_WR): every whole
 * request it sent before is answered, in order, then the connection is
 * closed (on_later), as nginx does. The connection is kept while a
 * response is under way or bytes wait behind one; else it closes now. */
static bool on_peer_eof(void *user, int64_t fd) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = conn_find(hs, fd);
    if (!c || c->phase == P_UPGRADED || c->phase == P_CLOSED)
        return false;
    if (swirl_buf_size(&c->in) == 0)
        return false; /* nothing behind: closed now; a response under way is
                       * the peer's leaving, as in Swoole (onClose, not writable) */
    c->peer_eof = true;
    if (c->phase == P_BUSY)
        return true; /* swirl__http_done goes on with what waits */
    later(hs, fd, false); /* a response just ended: the requests behind it, then the close */
    return true;
}

/* A close of `fd` was asked for (swirl_server_close): the responses made
 * in this parse pass go before it, and no later request is handled. */
static void on_flush(void *user, int64_t fd) {
    swirl_http_server_t *hs = user;
    if (hs->batch_fd == fd && swirl__http_flush_batch(hs) < 0)
        swirl_log_debug("http: responses to connection %lld before its close: %s", (long long)fd,
                        swirl_last_error_msg());
    http_conn_t *c = conn_find(hs, fd);
    if (!c || c->phase == P_UPGRADED)
        return;
    c->close_asked = true;
    if (c->phase != P_BUSY) /* a response under way: swirl__http_done */
        c->phase = P_CLOSED;
}

/* ---- server events ------------------------------------------------------------------------------ */

static int worker_setup(swirl_http_server_t *hs) {
    if (hs->hdrs)
        return 0;
    hs->hdrs = swirl_calloc((size_t)hs->conf->http_max_headers, sizeof(*hs->hdrs));
    return hs->hdrs ? 0 : -ENOMEM;
}

static void on_receive(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = conn_find(hs, ev->fd);
    if (!c && (worker_setup(hs) < 0 || !(c = conn_add(hs, ev->fd)))) {
        swirl_log_error("http: out of memory for connection %lld; closing it", (long long)ev->fd);
        swirl_server_close(srv, ev->fd, true);
        return;
    }
    feed(hs, c, ev->data, ev->len);
}

static void on_connect(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    if (!conn_find(hs, ev->fd) && (worker_setup(hs) < 0 || !conn_add(hs, ev->fd))) {
        swirl_log_error("http: out of memory for connection %lld; closing it", (long long)ev->fd);
        swirl_server_close(srv, ev->fd, true);
        return;
    }
    if (hs->upgrade.opened)
        hs->upgrade.opened(hs->upgrade.user, ev->fd);
    if (hs->on_connect)
        hs->on_connect(srv, ev, hs->on_connect_user);
}

/* Everything owed to a held connection is out: take its requests up again
 * (and tell the application, which may have asked too). */
static void on_buffer_empty(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = conn_find(hs, ev->fd);
    if (c && c->held) {
        c->held = false;
        c->files_ahead = 0;
        later(hs, c->fd, false); /* resumes reading, handles what it holds */
    }
    if (hs->on_buffer_empty)
        hs->on_buffer_empty(srv, ev, hs->on_buffer_empty_user);
}

/* A PROCESS worker begins to stop (a reload, max_request): a held
 * connection's bufferEmpty would go to its successor, which has none of
 * the requests this one read and holds. Such a connection is closed once
 * its answers are out (a pipelining client sends the rest again, as after
 * any close between responses), not left paused for ever. (A BASE worker
 * gets its bufferEmpty itself, and hands the connection on after.) */
static void on_worker_exit(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    for (size_t i = 0; srv->mode == SWIRL_MODE_PROCESS && i < hs->nbuckets; i++)
        for (http_conn_t *c = hs->buckets[i]; c; c = c->next)
            if (c->held) {
                c->held = false;
                swirl__http_close_later(hs, c);
            }
    if (hs->on_worker_exit)
        hs->on_worker_exit(srv, ev, hs->on_worker_exit_user);
}

static void on_close(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    conn_remove(hs, ev->fd);
    if (hs->on_close)
        hs->on_close(srv, ev, hs->on_close_user);
}

/* A BASE worker stopping for a reload hands its connections to its
 * successor (src/server/connio.c): one moves only between requests (or
 * with a request whose head, or head and part of its body, is all it
 * holds), and what it holds goes along, to be parsed again there. A
 * response under way, a body being decoded or streamed: not yet. A
 * connection switched to another protocol never moves. */
static int handoff_check(void *user, int64_t fd, swirl_buf_t *bytes) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = conn_find(hs, fd);
    if (!c)
        return 1;
    if (c->phase == P_UPGRADED)
        return -1;
    if ((c->phase != P_HEAD && c->phase != P_BODY) || c->resp || c->paused || c->up ||
        hs->batch_fd == fd)
        return 0;
    return swirl_buf_append(bytes, swirl_buf_bytes(&c->in), swirl_buf_size(&c->in)) < 0 ? 0 : 1;
}

static void release_spare(swirl_http_server_t *hs) {
    if (hs->spare) {
        swirl_buf_destroy(&hs->spare->headers);
        swirl_free(hs->spare);
        hs->spare = NULL;
    }
}

/* A worker starting (first, or again after one was killed mid-upload)
 * removes the upload temp files its server's dead workers left. */
static void on_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    if (hs->conf->http_parse_post)
        swirl__http_upload_sweep(hs, swirl_server_master_pid(srv));
    if (hs->on_worker_start)
        hs->on_worker_start(srv, ev, hs->on_worker_start_user);
}

static void on_worker_stop(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    for (size_t i = 0; i < hs->nbuckets; i++)
        while (hs->buckets[i])
            conn_remove(hs, hs->buckets[i]->fd);
    release_spare(hs);
    if (hs->on_worker_stop)
        hs->on_worker_stop(srv, ev, hs->on_worker_stop_user);
}

/* ---- the public API ------------------------------------------------------------------------------ */

int swirl_http_server_new(swirl_http_server_t **out, const char *host, int port, int mode) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "http server: no place for the result");
    swirl_http_server_t *hs = swirl_calloc(1, sizeof(*hs));
    if (!hs)
        return swirl__error(-ENOMEM, "http server:");
    hs->root_fd = -1;
    bool v6 = host && strchr(host, ':');
    int ssl = mode & SWIRL_SOCK_SSL; /* HTTPS */
    int rc = swirl_server_new(&hs->srv, host, port, mode & ~SWIRL_SOCK_SSL,
                              (v6 ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP) | ssl);
    if (rc < 0) {
        swirl_free(hs);
        return rc;
    }
    hs->conf = &hs->srv->settings.http;
    /* a head and a file (or answers sent apart) must not wait for Nagle */
    swirl_server_set_text(hs->srv, "open_tcp_nodelay", "true");
    swirl_server_on(hs->srv, "receive", on_receive, hs);
    swirl_server_on(hs->srv, "connect", on_connect, hs);
    swirl_server_on(hs->srv, "close", on_close, hs);
    swirl_server_on(hs->srv, "workerStart", on_worker_start, hs);
    swirl_server_on(hs->srv, "workerStop", on_worker_stop, hs);
    swirl_server_on(hs->srv, "bufferEmpty", on_buffer_empty, hs);
    swirl_server_on(hs->srv, "workerExit", on_worker_exit, hs);
    hs->srv->handoff_check = handoff_check;
    hs->srv->handoff_user = hs;
    hs->srv->peer_eof = on_peer_eof;
    hs->srv->flush = on_flush;
    hs->srv->layer_user = hs;
    *out = hs;
    return 0;
}

void swirl_http_server_free(swirl_http_server_t *hs) {
    if (!hs)
        return;
    for (size_t i = 0; i < hs->nbuckets; i++)
        while (hs->buckets[i])
            conn_remove(hs, hs->buckets[i]->fd);
    swirl_free(hs->buckets);
    swirl_free(hs->hdrs);
    swirl_buf_destroy(&hs->out);
    swirl_buf_destroy(&hs->batch);
    swirl_buf_destroy(&hs->gz);
    swirl_buf_destroy(&hs->scratch);
    release_spare(hs);
    if (hs->root_fd >= 0)
        close(hs->root_fd);
    swirl_server_free(hs->srv);
    swirl_free(hs);
}

swirl_server_t *swirl_http_server_base(swirl_http_server_t *hs) { return hs ? hs->srv : NULL; }

int swirl_http_server_on_request(swirl_http_server_t *hs, swirl_http_handler fn, void *user) {
    if (!hs || !fn)
        return swirl__error(SWIRL_EBADARG, "http server: on request: no handler");
    hs->handler = fn;
    hs->user = user;
    return 0;
}

int swirl_http_server_on(swirl_http_server_t *hs, const char *name, swirl_server_cb cb,
                         void *user) {
    if (!hs || !name)
        return swirl__error(SWIRL_EBADARG, "http server: on: no event name");
    if (strcasecmp(name, "request") == 0)
        return swirl__error(SWIRL_EBADARG, "http server: on \"request\": use "
                                           "swirl_http_server_on_request");
    if (strcasecmp(name, "receive") == 0 || strcasecmp(name, "packet") == 0)
        return swirl__error(SWIRL_EBADARG, "http server: on \"%s\": the HTTP server receives the "
                                           "bytes itself", name);
    if (strcasecmp(name, "connect") == 0) {
        hs->on_connect = cb;
        hs->on_connect_user = user;
        return 0;
    }
    if (strcasecmp(name, "close") == 0) {
        hs->on_close = cb;
        hs->on_close_user = user;
        return 0;
    }
    if (strcasecmp(name, "workerStart") == 0) {
        hs->on_worker_start = cb;
        hs->on_worker_start_user = user;
        return 0;
    }
    if (strcasecmp(name, "workerStop") == 0) {
        hs->on_worker_stop = cb;
        hs->on_worker_stop_user = user;
        return 0;
    }
    if (strcasecmp(name, "bufferEmpty") == 0) {
        hs->on_buffer_empty = cb;
        hs->on_buffer_empty_user = user;
        return 0;
    }
    if (strcasecmp(name, "workerExit") == 0) {
        hs->on_worker_exit = cb;
        hs->on_worker_exit_user = user;
        return 0;
    }
    return swirl_server_on(hs->srv, name, cb, user);
}

int swirl_http_server_set_text(swirl_http_server_t *hs, const char *key, const char *text) {
    if (!hs)
        return swirl__error(SWIRL_EBADARG, "http server: set: no server");
    return swirl_server_set_text(hs->srv, key, text);
}

int swirl_http_server_start(swirl_http_server_t *hs) {
    if (!hs)
        return swirl__error(SWIRL_EBADARG, "http server: start: no server");
    if (!hs->handler)
        return swirl__error(SWIRL_ESTATE, "start: an HTTP server needs a request handler "
                                          "(swirl_http_server_on_request)");
    int64_t dm = hs->srv->settings.dispatch_mode;
    if (hs->srv->mode == SWIRL_MODE_PROCESS && (dm == 1 || dm == 3))
        return swirl__error(SWIRL_ESETTING, "dispatch_mode %lld: an HTTP server needs every "
                                            "request of a connection in one worker (2, 4 or 5) "
                                            "so pipelined responses stay in order",
                            (long long)dm);
    const char *root = hs->conf->document_root;
    if (hs->conf->enable_static_handler && !root[0])
        return swirl__error(SWIRL_ESETTING, "enable_static_handler: set document_root too");
    const char *up = hs->conf->upload_tmp_dir;
    if (hs->conf->http_parse_post && access(up, W_OK | X_OK) < 0)
        return swirl__error(SWIRL_ESETTING, "upload_tmp_dir \"%s\": %s (multipart uploads are "
                                            "written there)", up, strerror(errno));
    if (hs->conf->http_parse_post) /* what servers gone (or this one's workers) left */
        swirl__http_upload_sweep(hs, getpid());
    return swirl_server_start(hs->srv);
}
