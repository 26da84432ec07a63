/* src/http_client/core.c — what every part of the HTTP client stands on:
 * entering and leaving (requests and connections that end meanwhile are
 * freed when the last way in leaves), ending a request once, closing a
 * connection, the bounded keep-alive pool, and the phase timer. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "http_client/internal.h"

static void reap(swirl_http_client_t *hc);
static void idle_unlink(hc_conn_t *conn);
static void on_timer(swirl_loop_t *loop, int64_t id, void *user);

void swirl__hc_enter(swirl_http_client_t *hc) { hc->depth++; }

static void reap(swirl_http_client_t *hc) {
    while (hc->dead_conns) {
        hc_conn_t *c = hc->dead_conns;
        hc->dead_conns = c->next;
        swirl_buf_destroy(&c->tin);
        swirl_free(c->key);
        swirl_free(c);
    }
    while (hc->dead_calls) {
        swirl_http_call_t *call = hc->dead_calls;
        hc->dead_calls = call->next;
        for (size_t i = 0; i < call->nhdrs; i++)
            swirl_free(call->hdrs[i]);
        swirl_free(call->hdrs);
        swirl_free(call->method);
        swirl__hc_body_destroy(&call->body);
        swirl_free(call->download_path);
        swirl_free(call->ca_file);
        swirl_free(call->cert_file);
        swirl_free(call->key_file);
        swirl_free(call->tls_host_name);
        swirl__hc_url_free(&call->proxy);
        swirl__hc_url_free(&call->url);
        swirl_free(call->url_str);
        swirl_buf_destroy(&call->in);
        swirl_buf_destroy(&call->body_buf);
        swirl_free(call->scratch);
        swirl_free(call);
    }
}

void swirl__hc_leave(swirl_http_client_t *hc) {
    if (--hc->depth > 0)
        return;
    reap(hc);
    if (hc->free_pending)
        swirl_free(hc);
}

void swirl__hc_fail(swirl_http_call_t *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void swirl__hc_fail(swirl_http_call_t *call, int code, const char *fmt, ...) {
    if (call->done)
        return;
    int n = snprintf(call->err, sizeof(call->err), "%s %s: ", call->method, call->url_str);
    if (n < 0 || (size_t)n >= sizeof(call->err))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->err + n, sizeof(call->err) - (size_t)n, fmt, ap);
    va_end(ap);
    swirl__hc_finish(call, code);
}

static void idle_unlink(hc_conn_t *conn) {
    swirl_http_client_t *hc = conn->hc;
    if (!conn->idle)
        return;
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        hc->idle = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    conn->idle = false;
    hc->nidle--;
}

/* Close and let go of a connection (its client's callbacks do nothing
 * more: the client is freed, and the conn is dead). */
void swirl__hc_conn_close(hc_conn_t *conn) {
    if (conn->dead)
        return;
    idle_unlink(conn);
    conn->dead = true;
    if (conn->call && conn->call->conn == conn)
        conn->call->conn = NULL;
    conn->call = NULL;
    swirl_client_t *cli = conn->cli;
    conn->cli = NULL;
    if (cli)
        swirl_client_free(cli); /* closes; safe inside its own callbacks */
    conn->next = conn->hc->dead_conns;
    conn->hc->dead_conns = conn;
}

void swirl__hc_pool_put(hc_conn_t *conn) {
    swirl_http_client_t *hc = conn->hc;
    conn->call = NULL;
    if (hc->free_pending || hc->total == 0 || hc->per_host == 0 ||
        !swirl_client_is_connected(conn->cli)) {
        swirl__hc_conn_close(conn);
        return;
    }
    /* the oldest of the same host past per_host, and the oldest of all past total */
    size_t same = 0;
    hc_conn_t *oldest_same = NULL, *last = NULL;
    for (hc_conn_t *c = hc->idle; c; c = c->next) {
        if (strcmp(c->key, conn->key) == 0) {
            same++;
            oldest_same = c;
        }
        last = c;
    }
    if (same >= hc->per_host && oldest_same)
        swirl__hc_conn_close(oldest_same);
    else if (hc->nidle >= hc->total && last)
        swirl__hc_conn_close(last);
    conn->idle = true;
    conn->idle_since = swirl_loop_now(hc->loop);
    conn->prev = NULL;
    conn->next = hc->idle;
    if (hc->idle)
        hc->idle->prev = conn;
    hc->idle = conn;
    hc->nidle++;
}

/* A plain idle connection the server closed (or wrote to) since the loop
 * last looked: readable now means EOF or stray bytes, so it is not reused.
 * A TLS one may be readable for a session ticket: the retry covers it. */
static bool stale(hc_conn_t *c) {
    if (c->tls)
        return false;
    int fd = swirl_client_fd(c->cli);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return fd < 0 || poll(&p, 1, 0) != 0;
}

hc_conn_t *swirl__hc_pool_take(swirl_http_client_t *hc, const char *key) {
    uint64_t now = swirl_loop_now(hc->loop);
    hc_conn_t *c = hc->idle;
    while (c) {
        hc_conn_t *next = c->next;
        if (now - c->idle_since >= hc->idle_ms || !swirl_client_is_connected(c->cli) ||
            (strcmp(c->key, key) == 0 && stale(c))) {
            swirl__hc_conn_close(c);
        } else if (strcmp(c->key, key) == 0) {
            idle_unlink(c);
            return c;
        }
        c = next;
    }
    return NULL;
}

/* The pool key: everything a connection was made with. */
char *swirl__hc_conn_key(const swirl_http_call_t *call) {
    swirl_buf_t b;
    swirl_buf_init(&b);
    int rc = swirl_buf_appendf(
        &b, "%d|%s|%d|%s|%d|%s|%s|%s|%d%d|%s", call->url.https, call->url.host, call->url.port,
        call->use_proxy ? call->proxy.host : "", call->use_proxy ? call->proxy.port : 0,
        call->ca_file ? call->ca_file : "", call->cert_file ? call->cert_file : "",
        call->key_file ? call->key_file : "", call->verify_peer, call->allow_self_signed,
        call->tls_host_name ? call->tls_host_name : "");
    if (rc == 0)
        rc = swirl_buf_append(&b, "", 1);
    if (rc < 0) {
        swirl_buf_destroy(&b);
        return NULL;
    }
    return b.data; /* start is 0: nothing was consumed */
}

static void on_timer(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    swirl_http_client_t *hc = call->hc;
    SWIRL__UNUSED(id);
    call->timer = 0;
    if (call->done || !call->deadline)
        return;
    uint64_t now = swirl_loop_now(loop);
    if (now < call->deadline) { /* moved on since (body bytes came): wait the rest */
        int64_t nid = swirl_timer_after(loop, (int64_t)(call->deadline - now), on_timer, call);
        call->timer = nid > 0 ? nid : 0;
        call->timer_at = call->deadline;
        return;
    }
    swirl__hc_enter(hc);
    if (call->state == ST_BODY)
        swirl__hc_fail(call, -ETIMEDOUT, "no body bytes for %g s (body_timeout)",
                       call->body_timeout);
    else
        swirl__hc_fail(call, -ETIMEDOUT, "no response head within %g s (head_timeout)",
                       call->head_timeout);
    swirl__hc_leave(hc);
}

/* The phase's deadline: ms from now (< 0: none). */
void swirl__hc_arm(swirl_http_call_t *call, double seconds) {
    swirl_http_client_t *hc = call->hc;
    if (seconds < 0) {
        if (call->timer)
            swirl_timer_clear(hc->loop, call->timer);
        call->timer = 0;
        call->deadline = 0;
        return;
    }
    int64_t ms = (int64_t)(seconds * 1000 + 0.5);
    call->deadline = swirl_loop_now(hc->loop) + (uint64_t)ms;
    if (call->timer && call->timer_at > call->deadline) { /* a later phase's shorter wait */
        swirl_timer_clear(hc->loop, call->timer);
        call->timer = 0;
    }
    if (!call->timer) {
        int64_t id = swirl_timer_after(hc->loop, ms, on_timer, call);
        call->timer = id > 0 ? id : 0;
        call->timer_at = call->deadline;
    }
}

void swirl__hc_fill_res(const swirl_http_call_t *call, swirl_http_response_t *res) {
    memset(res, 0, sizeof(*res));
    if (call->have_head) {
        res->status = call->rh.status;
        res->minor = call->rh.minor;
        res->reason = call->rh.reason;
        res->reason_len = call->rh.reason_len;
        res->headers = call->rh.headers;
        res->nheaders = call->rh.nheaders;
    }
    res->body = swirl_buf_size(&call->body_buf) ? swirl_buf_bytes(&call->body_buf) : NULL;
    res->body_len = swirl_buf_size(&call->body_buf);
    res->body_bytes = call->body_bytes;
    res->url = call->url_str;
    res->redirects = call->redirects;
    res->error = call->err[0] ? call->err : NULL;
}

void swirl__hc_finish(swirl_http_call_t *call, int status) {
    if (call->done)
        return;
    call->done = true;
    call->state = ST_DONE;
    swirl_http_client_t *hc = call->hc;
    swirl__hc_enter(hc);
    if (call->timer)
        swirl_timer_clear(hc->loop, call->timer);
    if (call->pump_timer)
        swirl_timer_clear(hc->loop, call->pump_timer);
    call->timer = call->pump_timer = 0;
    if (call->conn) /* the response did not end: the connection cannot be reused */
        swirl__hc_conn_close(call->conn);
    if (call->zinit)
        inflateEnd(&call->z);
    call->zinit = false;
    swirl__hc_body_rewind(&call->body); /* closes a file being sent */
    if (call->dl_fd >= 0) {
        int crc = close(call->dl_fd);
        call->dl_fd = -1;
        if (status == 0 && crc < 0) {
            int n = snprintf(call->err, sizeof(call->err), "%s %s: download to %s: %s",
                             call->method, call->url_str, call->download_path, strerror(errno));
            SWIRL__UNUSED(n);
            status = swirl__neg_errno();
        }
        if (status < 0)
            unlink(call->download_path); /* no partial file left behind */
    }
    if (status < 0 && !call->err[0])
        snprintf(call->err, sizeof(call->err), "%s %s: %s", call->method, call->url_str,
                 swirl_strerror(status));
    /* off the live list, onto the dead one (freed when depth is back to 0) */
    if (call->prev)
        call->prev->next = call->next;
    else
        hc->calls = call->next;
    if (call->next)
        call->next->prev = call->prev;
    call->prev = NULL;
    call->next = hc->dead_calls;
    hc->dead_calls = call;
    swirl_http_response_t res;
    swirl__hc_fill_res(call, &res);
    if (status < 0)
        swirl__error(status, "%s", call->err);
    call->on_done(call, call->user, &res, status);
    swirl__hc_leave(hc);
}
