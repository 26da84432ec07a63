/* src/http/conn.c — the HTTP server's connections in a worker: the table
 * (fd -> http_conn_t), the head and body timeout, and what a connection
 * does between requests (the deferred resume or close, the lingering close
 * after a 413, the switch to an upgraded protocol). It sits below the parse
 * loop (server.c) and the responses (response.c), and calls up only
 * through the server's two hooks: `resume` (parse what is buffered) and
 * `reject` (answer with an error status and close). */
#include <errno.h>

#include "../core/internal.h"
#include "internal.h"

static size_t slot_of(const swirl_http_server_t *hs, int64_t fd) {
    uint64_t h = (uint64_t)fd * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (hs->nbuckets - 1);
}

http_conn_t *swirl__http_conn_find(swirl_http_server_t *hs, int64_t fd) {
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
    if (t > 0) /* the server's own: not user work */
        swirl_timer_set_machinery(swirl_server_loop(hs->srv), t);
    c->timer = t > 0 ? t : 0;
}

static void disarm_timer(swirl_http_server_t *hs, http_conn_t *c) {
    if (c->timer)
        swirl_timer_clear(swirl_server_loop(hs->srv), c->timer);
    c->timer = 0;
}

http_conn_t *swirl__http_conn_add(swirl_http_server_t *hs, int64_t fd) {
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

void swirl__http_conn_remove(swirl_http_server_t *hs, int64_t fd) {
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
            c->resp->c = NULL;          /* a detached response: its end finds the connection gone */
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
        if (t > 0) /* the server's own: not user work */
            swirl_timer_set_machinery(loop, t);
        c->timer = t > 0 ? t : 0;
        return;
    }
    if (in_body(c)) {
        uint64_t gap = swirl_loop_now(loop) - c->rx_ms;
        if (gap < limit) {
            int64_t t = swirl_timer_after(loop, (int64_t)(limit - gap), on_head_timeout, c);
            if (t > 0) /* the server's own: not user work */
                swirl_timer_set_machinery(loop, t);
            c->timer = t > 0 ? t : 0;
            return;
        }
        c->hs->reject(c->hs, c, 408, "request body stalled for http_header_timeout");
        return;
    }
    uint64_t waited = swirl_loop_now(loop) - c->head_since;
    if (waited < limit) { /* a later wait: the rest of its time */
        int64_t t = swirl_timer_after(loop, (int64_t)(limit - waited), on_head_timeout, c);
        if (t > 0) /* the server's own: not user work */
            swirl_timer_set_machinery(loop, t);
        c->timer = t > 0 ? t : 0;
        return;
    }
    if (swirl_buf_size(&c->in) > 0)
        c->hs->reject(c->hs, c, 408, "no whole request head within http_header_timeout");
    else
        swirl_server_close(c->hs->srv, c->fd, false); /* idle keep-alive connection */
}

/* ---- deferred work ------------------------------------------------------------------------------
 */

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
    http_conn_t *c = swirl__http_conn_find(hs, fd);
    if (!c)
        return;
    if (c->phase == P_HEAD) {
        if (c->paused) {
            swirl_server_resume(hs->srv, fd);
            c->paused = false;
        }
        if (swirl_buf_size(&c->in) > 0)
            hs->resume(hs, c);
        if (!(c = swirl__http_conn_find(hs, fd)))
            return;
    }
    /* the client finished sending and every whole request it sent is
     * answered: what is left is a request cut short, never to complete */
    if (c->peer_eof && (c->phase == P_HEAD || in_body(c)))
        swirl__http_close_later(hs, c);
}

void swirl__http_later(swirl_http_server_t *hs, int64_t fd, bool close_it) {
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
        swirl__http_later(hs, c->fd,
                          true); /* after the bytes queued: the close keeps their order */
        return;
    }
    c->phase = P_HEAD;
    arm_timer(hs, c);
    if (!in_loop && (swirl_buf_size(&c->in) > 0 || c->paused || c->peer_eof))
        swirl__http_later(hs, c->fd, false);
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
    if (t > 0) /* the server's own: not user work */
        swirl_timer_set_machinery(swirl_server_loop(hs->srv), t);
    if (t > 0)
        c->timer = t;
    else
        swirl__http_later(hs, c->fd, true);
}

void *swirl__http_upgraded_state(swirl_http_server_t *hs, int64_t fd) {
    http_conn_t *c = swirl__http_conn_find(hs, fd);
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
void swirl__http_upgraded_rest(swirl_http_server_t *hs, http_conn_t *c) {
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
    swirl__http_later(hs, c->fd, true);
}
