/* src/http_client/client.c — the HTTP/1.1 client: a request's life on one
 * connection at a time (taken from the per-client keep-alive pool or opened
 * through the client layer's async swirl_client_t, which does the name
 * lookup, the connect timeout and TLS), the response read with the
 * protocol layer's head parser and chunked decoder, bodies inflated,
 * redirects followed, and the pool kept bounded.
 *
 * Every way in (an API call, a connection's callback, a timer) counts
 * itself in hc->depth; calls and connections that end meanwhile go to a
 * dead list freed when the last one leaves, so a user callback may cancel,
 * start requests or free the client at any point. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <swirl/client.h>
#include <unistd.h>
#include <zlib.h>

#include "http_client/internal.h"

#define MAX_HEADERS 100
#define PIECE (64 * 1024)      /* body bytes read, decoded or inflated at a time */
#define SEND_HIGH (256 * 1024) /* stop reading a request body past this much unsent */
#define PUMP_WAIT_MS 2         /* then look again after this long */

typedef struct hc_conn hc_conn_t;

struct swirl_http_client {
    swirl_loop_t *loop;
    hc_conn_t *idle; /* idle connections, newest first */
    size_t nidle, per_host, total;
    uint64_t idle_ms;
    swirl_http_call_t *calls; /* requests in flight */
    hc_conn_t *dead_conns;    /* freed when depth comes back to 0 */
    swirl_http_call_t *dead_calls;
    int depth;
    bool free_pending;
    uint64_t connections;
};

enum { TUNNEL_NONE, TUNNEL_NEED, TUNNEL_WAIT, TUNNEL_TLS };

struct hc_conn {
    swirl_http_client_t *hc;
    swirl_client_t *cli;
    char *key;
    int tunnel;             /* https through a proxy: CONNECT, its answer, then TLS */
    swirl_buf_t tin;        /* the proxy's answer to CONNECT */
    hc_conn_t *prev, *next; /* the idle list, or the dead list (next only) */
    swirl_http_call_t *call;
    bool idle, connected, dead;
    uint64_t idle_since;
};

enum { ST_CONNECT, ST_SEND, ST_HEAD, ST_BODY, ST_DONE };
enum { BODY_NONE, BODY_LEN, BODY_CHUNKED, BODY_CLOSE };
enum { Z_NONE, Z_GZIP, Z_DEFLATE };

struct swirl_http_call {
    swirl_http_client_t *hc;
    swirl_http_call_t *prev, *next;
    /* the request, copied */
    char *method;
    bool is_head, idempotent;
    char **hdrs; /* name, value, ... */
    size_t nhdrs;
    hc_body_t body;
    bool send_length; /* Content-Length even when 0 (POST, PUT, PATCH, a body) */
    char boundary[48];
    char *download_path;
    int dl_fd;
    double connect_timeout, head_timeout, body_timeout;
    int max_redirects;
    bool decompress, keep_alive, verify_peer, allow_self_signed;
    size_t max_head, max_body;
    uint64_t max_inflated;
    char *ca_file, *cert_file, *key_file, *tls_host_name;
    hc_url_t proxy;
    bool use_proxy;
    swirl_http_done_cb on_done;
    swirl_http_data_cb on_data;
    void *user;
    /* where it is */
    hc_url_t url;
    char *url_str;
    int state;
    hc_conn_t *conn;
    bool reused, retried, got_bytes, body_sent, no_reuse, redirecting;
    int redirects;
    swirl_buf_t in; /* the head (kept: the headers point into it) */
    size_t scan;
    swirl_http_header_t harr[MAX_HEADERS];
    swirl_http_response_head_t rh;
    bool have_head;
    int mode;
    uint64_t left;
    swirl_http_chunked_t ck;
    char *scratch; /* PIECE bytes: chunked decoding, inflating */
    int zkind;
    bool zinit, zend;
    z_stream z;
    uint64_t inflated;
    swirl_buf_t body_buf;
    uint64_t body_bytes;
    int64_t timer, pump_timer;
    uint64_t deadline, timer_at; /* the phase's end; when the timer fires */
    char err[512];
    bool done;
};

static void conn_close(hc_conn_t *conn);
static void start_attempt(swirl_http_call_t *call);
static void send_request(swirl_http_call_t *call);
static void finish(swirl_http_call_t *call, int status);

/* ---- entering and leaving ------------------------------------------------------------------ */

static void enter(swirl_http_client_t *hc) { hc->depth++; }

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

static void leave(swirl_http_client_t *hc) {
    if (--hc->depth > 0)
        return;
    reap(hc);
    if (hc->free_pending)
        swirl_free(hc);
}

/* ---- errors -------------------------------------------------------------------------------- */

static void fail(swirl_http_call_t *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(swirl_http_call_t *call, int code, const char *fmt, ...) {
    if (call->done)
        return;
    int n = snprintf(call->err, sizeof(call->err), "%s %s: ", call->method, call->url_str);
    if (n < 0 || (size_t)n >= sizeof(call->err))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->err + n, sizeof(call->err) - (size_t)n, fmt, ap);
    va_end(ap);
    finish(call, code);
}

/* ---- connections and the pool ------------------------------------------------------------- */

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
static void conn_close(hc_conn_t *conn) {
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

static void pool_put(hc_conn_t *conn) {
    swirl_http_client_t *hc = conn->hc;
    conn->call = NULL;
    if (hc->free_pending || hc->total == 0 || hc->per_host == 0 ||
        !swirl_client_is_connected(conn->cli)) {
        conn_close(conn);
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
        conn_close(oldest_same);
    else if (hc->nidle >= hc->total && last)
        conn_close(last);
    conn->idle = true;
    conn->idle_since = swirl_loop_now(hc->loop);
    conn->prev = NULL;
    conn->next = hc->idle;
    if (hc->idle)
        hc->idle->prev = conn;
    hc->idle = conn;
    hc->nidle++;
}

static hc_conn_t *pool_take(swirl_http_client_t *hc, const char *key) {
    uint64_t now = swirl_loop_now(hc->loop);
    hc_conn_t *c = hc->idle;
    while (c) {
        hc_conn_t *next = c->next;
        if (now - c->idle_since >= hc->idle_ms || !swirl_client_is_connected(c->cli)) {
            conn_close(c);
        } else if (strcmp(c->key, key) == 0) {
            idle_unlink(c);
            return c;
        }
        c = next;
    }
    return NULL;
}

/* The pool key: everything a connection was made with. */
static char *conn_key(const swirl_http_call_t *call) {
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

/* A connection's loss (the server closed, an error, a connect failure). */
static void conn_lost(hc_conn_t *conn, int status, const char *why) {
    if (conn->dead)
        return;
    swirl_http_call_t *call = conn->call;
    bool was_connected = conn->connected;
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", why ? why : "");
    conn_close(conn);
    if (!call || call->done)
        return;
    if (call->state == ST_BODY && call->mode == BODY_CLOSE && status == 0) {
        /* the body ran until the close: it is whole */
        call->state = ST_DONE;
        if (call->zinit && !call->zend && !call->redirecting)
            return fail(call, SWIRL_EPROTO, "compressed body cut short");
        return finish(call, 0);
    }
    if (call->reused && !call->retried && !call->got_bytes && call->idempotent &&
        call->state <= ST_HEAD) {
        /* a kept connection the server had closed already: once more, on a new one */
        call->retried = true;
        call->reused = false;
        if (call->pump_timer)
            swirl_timer_clear(call->hc->loop, call->pump_timer);
        call->pump_timer = 0;
        swirl__hc_body_rewind(&call->body);
        start_attempt(call);
        return;
    }
    if (!was_connected)
        return fail(call, status < 0 ? status : SWIRL_ECLOSED, "connect: %s",
                    msg[0] ? msg : "the proxy closed the connection");
    if (status < 0)
        return fail(call, status, "%s", msg);
    if (call->state == ST_BODY)
        return fail(call, SWIRL_ECLOSED,
                    "the server closed the connection mid-body (%llu body bytes read)",
                    (unsigned long long)call->body_bytes);
    return fail(call, SWIRL_ECLOSED, "the server closed the connection before the response head");
}

static void feed(swirl_http_call_t *call, const char *data, size_t len);
static void arm(swirl_http_call_t *call, double seconds);

/* ---- https through a proxy: CONNECT, then TLS in the tunnel ------------------------------ */

static void tunnel_open(swirl_http_call_t *call) {
    hc_conn_t *conn = call->conn;
    char auth[300];
    snprintf(auth, sizeof(auth), "%s%s%s:%d", call->url.ipv6 ? "[" : "", call->url.host,
             call->url.ipv6 ? "]" : "", call->url.port);
    swirl_buf_t h;
    swirl_buf_init(&h);
    int rc = swirl_buf_appendf(&h, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", auth, auth);
    if (rc < 0) {
        swirl_buf_destroy(&h);
        return fail(call, rc, "out of memory");
    }
    conn->tunnel = TUNNEL_WAIT;
    ssize_t w = swirl_client_send(conn->cli, swirl_buf_bytes(&h), swirl_buf_size(&h));
    swirl_buf_destroy(&h);
    if (w < 0)
        return fail(call, (int)w, "proxy CONNECT: %s", swirl_client_errmsg(conn->cli));
    arm(call, call->head_timeout);
}

/* The proxy said yes: TLS from the loop (the client layer's rule: not from
 * inside its receive callback). */
static void on_tunnel_tls(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    enter(call->hc);
    hc_conn_t *conn = call->conn;
    if (!call->done && conn) {
        conn->tunnel = TUNNEL_TLS;
        const char *name = call->tls_host_name ? call->tls_host_name : call->url.host;
        int rc = swirl_client_start_tls(conn->cli, name,
                                        call->connect_timeout > 0 ? call->connect_timeout : -1);
        if (rc < 0)
            fail(call, rc, "TLS through the proxy: %s", swirl_client_errmsg(conn->cli));
    }
    leave(call->hc);
}

static void tunnel_answer(swirl_http_call_t *call, const char *data, size_t len) {
    hc_conn_t *conn = call->conn;
    if (swirl_buf_append(&conn->tin, data, len) < 0)
        return fail(call, -ENOMEM, "out of memory");
    const char *p = swirl_buf_bytes(&conn->tin);
    size_t n = swirl_buf_size(&conn->tin), scan = 0;
    ssize_t e = swirl_http_head_end(p, n, &scan);
    if (e == 0) {
        if (n > call->max_head)
            return fail(call, SWIRL_ETOOBIG, "proxy's answer to CONNECT over %zu bytes",
                        call->max_head);
        return;
    }
    swirl_http_header_t h[MAX_HEADERS];
    swirl_http_response_head_t rh;
    swirl_http_response_head_init(&rh, h, MAX_HEADERS);
    int rc = swirl_http_parse_response_head(&rh, p, (size_t)e);
    if (rc < 0)
        return fail(call, rc, "proxy's answer to CONNECT: %s", rh.error);
    if (rh.status < 200 || rh.status > 299)
        return fail(call, SWIRL_EPROTO, "the proxy refused CONNECT: %d %.*s", rh.status,
                    (int)rh.reason_len, rh.reason);
    if ((size_t)e != n)
        return fail(call, SWIRL_EPROTO, "bytes after the proxy's answer to CONNECT");
    swirl_buf_destroy(&conn->tin);
    int64_t id = swirl_timer_after(call->hc->loop, 0, on_tunnel_tls, call);
    if (id < 0)
        return fail(call, (int)id, "timer:");
    call->pump_timer = id;
}

static void on_cli_connect(swirl_client_t *cli, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    enter(hc);
    if (conn->tunnel == TUNNEL_NEED && conn->call)
        tunnel_open(conn->call);
    else if (conn->call) {
        conn->connected = true;
        conn->tunnel = TUNNEL_NONE;
        send_request(conn->call);
    }
    leave(hc);
}

static void on_cli_receive(swirl_client_t *cli, const char *data, size_t len, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    enter(hc);
    if (conn->dead)
        ;
    else if (!conn->call)
        conn_close(conn); /* bytes on an idle connection: not ours to read, so not reusable */
    else if (conn->tunnel == TUNNEL_WAIT)
        tunnel_answer(conn->call, data, len);
    else
        feed(conn->call, data, len);
    leave(hc);
}

static void on_cli_error(swirl_client_t *cli, void *user, int status) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    enter(hc);
    conn_lost(conn, status, swirl_client_errmsg(cli));
    leave(hc);
}

static void on_cli_close(swirl_client_t *cli, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    enter(hc);
    conn_lost(conn, 0, NULL);
    leave(hc);
}

static int set_text(swirl_client_t *cli, const char *key, const char *v) {
    return v ? swirl_client_set_text(cli, key, v) : 0;
}

/* A new connection for the call; 0, or an error naming it (the conn is gone). */
static int conn_open(swirl_http_call_t *call, const char *key) {
    swirl_http_client_t *hc = call->hc;
    const hc_url_t *to = call->use_proxy ? &call->proxy : &call->url;
    bool tls = call->url.https && !call->use_proxy;
    bool tunnel = call->url.https && call->use_proxy;
    hc_conn_t *conn = swirl_calloc(1, sizeof(*conn));
    char *k = swirl_strdup(key);
    if (!conn || !k) {
        swirl_free(conn);
        swirl_free(k);
        return swirl__error(-ENOMEM, "HTTP client: out of memory");
    }
    conn->hc = hc;
    conn->key = k;
    conn->tunnel = tunnel ? TUNNEL_NEED : TUNNEL_NONE;
    int type = (to->ipv6 ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP) | (tls ? SWIRL_SOCK_SSL : 0);
    int rc = swirl_client_new(&conn->cli, type, true, NULL);
    if (rc < 0) {
        swirl_free(k);
        swirl_free(conn);
        return rc;
    }
    static const swirl_client_callbacks_t cbs = {
        .on_connect = on_cli_connect,
        .on_receive = on_cli_receive,
        .on_error = on_cli_error,
        .on_close = on_cli_close,
    };
    rc = swirl_client_set_callbacks(conn->cli, hc->loop, &cbs, conn);
    if (rc == 0)
        rc = swirl_client_set_bool(conn->cli, "open_tcp_nodelay", true);
    if (rc == 0 && (tls || tunnel)) {
        rc = swirl_client_set_bool(conn->cli, "ssl_verify_peer", call->verify_peer);
        if (rc == 0)
            rc = swirl_client_set_bool(conn->cli, "ssl_allow_self_signed", call->allow_self_signed);
        if (rc == 0)
            rc = set_text(conn->cli, "ssl_cafile", call->ca_file);
        if (rc == 0)
            rc = set_text(conn->cli, "ssl_cert_file", call->cert_file);
        if (rc == 0)
            rc = set_text(conn->cli, "ssl_key_file", call->key_file);
        if (rc == 0)
            rc = set_text(conn->cli, "ssl_host_name", call->tls_host_name);
    }
    conn->call = call;
    call->conn = conn;
    call->reused = false;
    call->state = ST_CONNECT;
    if (rc == 0)
        rc = swirl_client_connect(conn->cli, to->host, to->port,
                                  call->connect_timeout > 0 ? call->connect_timeout : -1);
    if (rc < 0) {
        call->conn = NULL;
        conn->call = NULL;
        conn->next = hc->dead_conns; /* freed with the others (dead: no callbacks) */
        conn->dead = true;
        swirl_client_free(conn->cli);
        conn->cli = NULL;
        hc->dead_conns = conn;
        return rc;
    }
    hc->connections++;
    return 0;
}

/* ---- timers --------------------------------------------------------------------------------- */

static void on_timer(swirl_loop_t *loop, int64_t id, void *user);

/* The phase's deadline: ms from now (< 0: none). */
static void arm(swirl_http_call_t *call, double seconds) {
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
    enter(hc);
    if (call->state == ST_BODY)
        fail(call, -ETIMEDOUT, "no body bytes for %g s (body_timeout)", call->body_timeout);
    else
        fail(call, -ETIMEDOUT, "no response head within %g s (head_timeout)", call->head_timeout);
    leave(hc);
}

/* ---- sending -------------------------------------------------------------------------------- */

static bool has_header(const swirl_http_call_t *call, const char *name) {
    for (size_t i = 0; i < call->nhdrs; i += 2)
        if (strcasecmp(call->hdrs[i], name) == 0)
            return true;
    return false;
}

static void pump(swirl_http_call_t *call);

static void on_start(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    enter(call->hc);
    if (!call->done && call->conn)
        send_request(call);
    leave(call->hc);
}

static void on_pump(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    enter(call->hc);
    if (!call->done)
        pump(call);
    leave(call->hc);
}

/* Send the body a piece at a time while the connection's buffer has room;
 * once all of it is queued, the head's wait begins. */
static void pump(swirl_http_call_t *call) {
    char buf[PIECE];
    while (!call->done && call->conn && !call->body_sent) {
        swirl_client_t *cli = call->conn->cli;
        if (swirl_client_pending(cli) > SEND_HIGH) {
            int64_t id = swirl_timer_after(call->hc->loop, PUMP_WAIT_MS, on_pump, call);
            if (id < 0)
                return fail(call, (int)id, "send: timer:");
            call->pump_timer = id;
            return;
        }
        ssize_t n = swirl__hc_body_read(&call->body, buf, sizeof(buf));
        if (n < 0) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            return fail(call, (int)n, "%s", msg);
        }
        if (n == 0) {
            call->body_sent = true;
            break;
        }
        ssize_t w = swirl_client_send(cli, buf, (size_t)n);
        if (w < 0)
            return fail(call, (int)w, "send: %s", swirl_client_errmsg(cli));
    }
    if (call->body_sent && call->state == ST_SEND) {
        call->state = ST_HEAD;
        arm(call, call->head_timeout);
    }
}

static void send_request(swirl_http_call_t *call) {
    swirl_buf_t h;
    swirl_buf_init(&h);
    char auth[300];
    swirl__hc_url_authority(&call->url, auth, sizeof(auth));
    int rc = swirl_buf_appendf(&h, "%s ", call->method);
    if (rc == 0 && call->use_proxy)
        rc = swirl__hc_url_format(&call->url, true, &h);
    else if (rc == 0)
        rc = swirl_buf_appendf(&h, "%s", call->url.target);
    if (rc == 0)
        rc = swirl_buf_appendf(&h, " HTTP/1.1\r\n");
    if (rc == 0 && !has_header(call, "host"))
        rc = swirl_buf_appendf(&h, "Host: %s\r\n", auth);
    for (size_t i = 0; rc == 0 && i < call->nhdrs; i += 2)
        rc = swirl_buf_appendf(&h, "%s: %s\r\n", call->hdrs[i], call->hdrs[i + 1]);
    if (rc == 0 && !has_header(call, "user-agent"))
        rc = swirl_buf_appendf(&h, "User-Agent: swirl\r\n");
    if (rc == 0 && call->decompress && !has_header(call, "accept-encoding"))
        rc = swirl_buf_appendf(&h, "Accept-Encoding: gzip, deflate\r\n");
    if (rc == 0 && !call->keep_alive && !has_header(call, "connection"))
        rc = swirl_buf_appendf(&h, "Connection: close\r\n");
    if (rc == 0 && call->boundary[0])
        rc = swirl_buf_appendf(&h, "Content-Type: multipart/form-data; boundary=%s\r\n",
                               call->boundary);
    if (rc == 0 && (call->send_length || call->body.total))
        rc =
            swirl_buf_appendf(&h, "Content-Length: %llu\r\n", (unsigned long long)call->body.total);
    if (rc == 0)
        rc = swirl_buf_appendf(&h, "\r\n");
    if (rc < 0) {
        swirl_buf_destroy(&h);
        return fail(call, rc, "out of memory");
    }
    call->state = ST_SEND;
    call->body_sent = false;
    swirl_client_t *cli = call->conn->cli;
    ssize_t w = swirl_client_send(cli, swirl_buf_bytes(&h), swirl_buf_size(&h));
    swirl_buf_destroy(&h);
    if (w < 0)
        return fail(call, (int)w, "send: %s", swirl_client_errmsg(cli));
    pump(call);
}

/* Take a pooled connection or open one; a failure ends the call. */
static void start_attempt(swirl_http_call_t *call) {
    char *key = conn_key(call);
    if (!key)
        return fail(call, -ENOMEM, "out of memory");
    hc_conn_t *conn = call->keep_alive ? pool_take(call->hc, key) : NULL;
    if (conn) {
        swirl_free(key);
        conn->call = call;
        call->conn = conn;
        call->reused = true;
        send_request(call);
        return;
    }
    int rc = conn_open(call, key);
    swirl_free(key);
    if (rc < 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
        fail(call, rc, "connect: %s", msg);
    }
}

/* ---- the response --------------------------------------------------------------------------- */

static void fill_res(const swirl_http_call_t *call, swirl_http_response_t *res) {
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

/* Decoded body bytes to where they go: the data callback, the file, memory. */
static void sink(swirl_http_call_t *call, const char *data, size_t len) {
    if (len == 0 || call->done)
        return;
    call->body_bytes += len;
    if (call->on_data) {
        swirl_http_response_t res;
        fill_res(call, &res);
        int rc = call->on_data(call, call->user, &res, data, len);
        if (rc < 0)
            fail(call, rc, "stopped by the data callback");
        return;
    }
    if (call->dl_fd >= 0) {
        while (len > 0) {
            ssize_t w = write(call->dl_fd, data, len);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return fail(call, w < 0 ? swirl__neg_errno() : -EIO, "download to %s: %s",
                            call->download_path, strerror(w < 0 ? errno : EIO));
            data += w;
            len -= (size_t)w;
        }
        return;
    }
    if (swirl_buf_size(&call->body_buf) + len > call->max_body)
        return fail(call, SWIRL_ETOOBIG, "body over %zu bytes (max_body)", call->max_body);
    if (swirl_buf_append(&call->body_buf, data, len) < 0)
        fail(call, -ENOMEM, "body: out of memory");
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
            return fail(call, -ENOMEM, "inflate: out of memory");
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
            return fail(call, SWIRL_EPROTO, "malformed %s body: %s",
                        call->zkind == Z_GZIP ? "gzip" : "deflate",
                        call->z.msg ? call->z.msg : "inflate error");
        size_t n = sizeof(out) - call->z.avail_out;
        call->inflated += n;
        if (call->inflated > call->max_inflated)
            return fail(call, SWIRL_ETOOBIG, "inflated body over %llu bytes (max_inflated)",
                        (unsigned long long)call->max_inflated);
        sink(call, out, n);
        if (zr == Z_STREAM_END)
            call->zend = true;
        else if (zr == Z_BUF_ERROR && n == 0)
            break;
    }
}

static void do_redirect(swirl_http_call_t *call);

/* The response has ended: the connection back to the pool (or closed), then
 * the redirect or the callback. */
static void complete(swirl_http_call_t *call) {
    if (call->done)
        return;
    call->state = ST_DONE;
    if (call->zinit && !call->zend && !call->redirecting)
        return fail(call, SWIRL_EPROTO, "compressed body cut short");
    hc_conn_t *conn = call->conn;
    if (conn) {
        call->conn = NULL;
        bool reuse = call->keep_alive && call->rh.keep_alive && !call->no_reuse &&
                     call->body_sent && call->mode != BODY_CLOSE && !call->rh.upgrade;
        if (reuse)
            pool_put(conn);
        else
            conn_close(conn);
    }
    if (call->redirecting)
        return do_redirect(call);
    finish(call, 0);
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
                return fail(call, (int)used, "malformed chunked body: %s", call->ck.error);
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

/* The head is whole and parsed: set up the body. */
static void head_done(swirl_http_call_t *call) {
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
            return fail(call, swirl__neg_errno(), "download to %s: %s", call->download_path,
                        strerror(errno));
    }
    if (rh->upgrade) {
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
            return fail(call, -ENOMEM, "out of memory");
    }
    if (call->mode == BODY_NONE || (call->mode == BODY_LEN && call->left == 0))
        return complete(call);
    arm(call, call->body_timeout);
}

/* Bytes from the connection. */
static void feed(swirl_http_call_t *call, const char *data, size_t len) {
    call->got_bytes = true;
    if (call->state == ST_BODY)
        return body_feed(call, data, len);
    if (call->state == ST_DONE) {
        call->no_reuse = true;
        return;
    }
    if (swirl_buf_append(&call->in, data, len) < 0)
        return fail(call, -ENOMEM, "out of memory");
    for (;;) {
        const char *p = swirl_buf_bytes(&call->in);
        size_t n = swirl_buf_size(&call->in);
        ssize_t e = swirl_http_head_end(p, n, &call->scan);
        if (e == 0) {
            if (n > call->max_head)
                return fail(call, SWIRL_ETOOBIG, "response head over %zu bytes (max_head)",
                            call->max_head);
            return;
        }
        if ((size_t)e > call->max_head)
            return fail(call, SWIRL_ETOOBIG, "response head over %zu bytes (max_head)",
                        call->max_head);
        swirl_http_response_head_init(&call->rh, call->harr, MAX_HEADERS);
        call->rh.head_request = call->is_head;
        int rc = swirl_http_parse_response_head(&call->rh, p, (size_t)e);
        if (rc < 0)
            return fail(call, rc, "malformed response head: %s", call->rh.error);
        if (call->rh.status >= 100 && call->rh.status < 200 && call->rh.status != 101) {
            /* an interim response (100 Continue, 103 Early Hints): the final one follows */
            swirl_buf_consume(&call->in, (size_t)e);
            call->scan = 0;
            continue;
        }
        /* the head stays at the buffer's start (the headers point into it);
         * what came after it is body */
        head_done(call);
        if (!call->done && n > (size_t)e)
            body_feed(call, p + e, n - (size_t)e);
        return;
    }
}

/* ---- redirects ------------------------------------------------------------------------------ */

static void drop_header(swirl_http_call_t *call, const char *name) {
    for (size_t i = 0; i < call->nhdrs;) {
        if (strcasecmp(call->hdrs[i], name) == 0) {
            swirl_free(call->hdrs[i]);
            swirl_free(call->hdrs[i + 1]);
            memmove(&call->hdrs[i], &call->hdrs[i + 2], (call->nhdrs - i - 2) * sizeof(char *));
            call->nhdrs -= 2;
        } else {
            i += 2;
        }
    }
}

static void do_redirect(swirl_http_call_t *call) {
    const swirl_http_header_t *loc = swirl_http_response_find_header(&call->rh, "location");
    hc_url_t next;
    int rc = swirl__hc_url_resolve(&next, &call->url, loc->value, loc->value_len);
    if (rc < 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
        return fail(call, rc, "%s", msg);
    }
    bool other = next.https != call->url.https || next.port != call->url.port ||
                 strcasecmp(next.host, call->url.host) != 0;
    if (other) { /* no credentials to another origin */
        drop_header(call, "authorization");
        drop_header(call, "cookie");
        drop_header(call, "proxy-authorization");
        drop_header(call, "host");
    }
    if (call->rh.status == 303 && !call->is_head) {
        char *get = swirl_strdup("GET");
        if (!get) {
            swirl__hc_url_free(&next);
            return fail(call, -ENOMEM, "out of memory");
        }
        swirl_free(call->method);
        call->method = get;
        call->idempotent = true;
        swirl__hc_body_destroy(&call->body);
        call->boundary[0] = 0;
        call->send_length = false;
        drop_header(call, "content-type");
        drop_header(call, "content-length");
    }
    swirl_buf_t s;
    swirl_buf_init(&s);
    rc = swirl__hc_url_format(&next, true, &s);
    if (rc == 0)
        rc = swirl_buf_append(&s, "", 1);
    if (rc < 0) {
        swirl_buf_destroy(&s);
        swirl__hc_url_free(&next);
        return fail(call, -ENOMEM, "out of memory");
    }
    swirl__hc_url_free(&call->url);
    call->url = next;
    swirl_free(call->url_str);
    call->url_str = s.data;
    call->redirects++;
    /* a fresh response */
    swirl_buf_clear(&call->in);
    call->scan = 0;
    call->have_head = false;
    call->redirecting = call->no_reuse = call->got_bytes = call->retried = false;
    call->zinit = call->zend = false;
    call->zkind = Z_NONE;
    call->inflated = 0;
    swirl_buf_clear(&call->body_buf);
    call->body_bytes = 0;
    swirl__hc_body_rewind(&call->body);
    if (call->timer)
        swirl_timer_clear(call->hc->loop, call->timer);
    call->timer = 0;
    call->deadline = 0;
    start_attempt(call);
}

/* ---- ending a call -------------------------------------------------------------------------- */

static void finish(swirl_http_call_t *call, int status) {
    if (call->done)
        return;
    call->done = true;
    call->state = ST_DONE;
    swirl_http_client_t *hc = call->hc;
    enter(hc);
    if (call->timer)
        swirl_timer_clear(hc->loop, call->timer);
    if (call->pump_timer)
        swirl_timer_clear(hc->loop, call->pump_timer);
    call->timer = call->pump_timer = 0;
    if (call->conn) /* the response did not end: the connection cannot be reused */
        conn_close(call->conn);
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
    fill_res(call, &res);
    if (status < 0)
        swirl__error(status, "%s", call->err);
    call->on_done(call, call->user, &res, status);
    leave(hc);
}

/* ---- the API -------------------------------------------------------------------------------- */

void swirl_http_request_options_init(swirl_http_request_options_t *o) {
    memset(o, 0, sizeof(*o));
    o->method = "GET";
    o->connect_timeout = 10;
    o->head_timeout = 30;
    o->body_timeout = 30;
    o->decompress = true;
    o->keep_alive = true;
    o->max_head = 64 * 1024;
    o->max_body = 64u * 1024 * 1024;
    o->max_inflated = UINT64_C(1) << 30;
    o->verify_peer = true;
}

int swirl_http_client_new(swirl_http_client_t **out, swirl_loop_t *loop) {
    if (!out || !loop)
        return swirl__error(SWIRL_EBADARG, "HTTP client: %s", !out ? "NULL out" : "NULL loop");
    swirl_http_client_t *hc = swirl_calloc(1, sizeof(*hc));
    if (!hc)
        return swirl__error(-ENOMEM, "HTTP client: out of memory");
    hc->loop = loop;
    hc->per_host = 8;
    hc->total = 64;
    hc->idle_ms = 30000;
    *out = hc;
    return 0;
}

int swirl_http_client_set_pool(swirl_http_client_t *hc, size_t per_host, size_t total,
                               double idle_timeout) {
    if (!hc || idle_timeout < 0 || idle_timeout > 86400 * 365)
        return swirl__error(SWIRL_EBADARG, "HTTP client pool: %s",
                            !hc ? "NULL client" : "idle_timeout out of range");
    hc->per_host = per_host;
    hc->total = total;
    hc->idle_ms = (uint64_t)(idle_timeout * 1000);
    enter(hc);
    while (hc->nidle > total) {
        hc_conn_t *last = hc->idle;
        while (last->next)
            last = last->next;
        conn_close(last);
    }
    leave(hc);
    return 0;
}

void swirl_http_client_free(swirl_http_client_t *hc) {
    if (!hc || hc->free_pending)
        return;
    enter(hc);
    hc->free_pending = true;
    while (hc->calls) {
        swirl_http_call_t *call = hc->calls;
        snprintf(call->err, sizeof(call->err), "%s %s: cancelled (the HTTP client was freed)",
                 call->method, call->url_str);
        finish(call, -ECANCELED);
    }
    while (hc->idle)
        conn_close(hc->idle);
    leave(hc);
}

void swirl_http_call_cancel(swirl_http_call_t *call) {
    if (!call || call->done)
        return;
    swirl_http_client_t *hc = call->hc;
    enter(hc);
    snprintf(call->err, sizeof(call->err), "%s %s: cancelled", call->method, call->url_str);
    finish(call, -ECANCELED);
    leave(hc);
}

size_t swirl_http_client_idle(const swirl_http_client_t *hc) { return hc ? hc->nidle : 0; }

uint64_t swirl_http_client_connections(const swirl_http_client_t *hc) {
    return hc ? hc->connections : 0;
}

static bool token(const char *s) {
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            return false;
    }
    return true;
}

static bool field_value(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 ? c != '\t' : c == 0x7f)
            return false;
    }
    return true;
}

static char *dup_or_null(const char *s, bool *oom) {
    if (!s)
        return NULL;
    char *d = swirl_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* Copy and check the options into call; 0 or an error naming what is bad. */
static int setup(swirl_http_call_t *call, const swirl_http_request_options_t *o) {
    if (!o->on_done)
        return swirl__error(SWIRL_EBADARG, "HTTP request: no done callback");
    const char *method = o->method ? o->method : "GET";
    if (!token(method))
        return swirl__error(SWIRL_EBADARG, "HTTP request: method \"%.100s\" is not a token",
                            method);
    if (strcmp(method, "CONNECT") == 0)
        return swirl__error(SWIRL_ENOTSUP, "HTTP request: CONNECT is not a request this client "
                                           "makes");
    int rc = swirl__hc_url_parse(&call->url, o->url);
    if (rc < 0)
        return rc;
    if (o->proxy) {
        rc = swirl__hc_url_parse(&call->proxy, o->proxy);
        if (rc < 0) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            return swirl__error(rc, "proxy: %s", msg);
        }
        if (call->proxy.https)
            return swirl__error(SWIRL_ENOTSUP,
                                "proxy \"%.200s\": an https proxy is not "
                                "supported (give http://host:port)",
                                o->proxy);
        call->use_proxy = true;
    }
    if (o->body && o->form)
        return swirl__error(SWIRL_EBADARG, "HTTP request: a body and form parts: give one");
    if (o->download_path && o->on_data)
        return swirl__error(SWIRL_EBADARG, "HTTP request: download_path and on_data: give one");
    bool oom = false;
    call->method = dup_or_null(method, &oom);
    call->is_head = strcmp(method, "HEAD") == 0;
    call->idempotent = call->is_head || !strcmp(method, "GET") || !strcmp(method, "PUT") ||
                       !strcmp(method, "DELETE") || !strcmp(method, "OPTIONS") ||
                       !strcmp(method, "TRACE");
    call->send_length = o->body || o->form || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
                        !strcmp(method, "PATCH");
    size_t n = 0;
    while (o->headers && o->headers[n]) {
        if (!o->headers[n + 1])
            return swirl__error(SWIRL_EBADARG, "header \"%.100s\": no value", o->headers[n]);
        if (!token(o->headers[n]))
            return swirl__error(SWIRL_EBADARG, "header name \"%.100s\" is not a token",
                                o->headers[n]);
        if (!field_value(o->headers[n + 1]))
            return swirl__error(SWIRL_EBADARG,
                                "header \"%.100s\": control character in the "
                                "value",
                                o->headers[n]);
        if (!strcasecmp(o->headers[n], "content-length") ||
            !strcasecmp(o->headers[n], "transfer-encoding"))
            return swirl__error(SWIRL_EBADARG, "header \"%s\": the client frames the body itself",
                                o->headers[n]);
        n += 2;
    }
    if (n) {
        call->hdrs = swirl_calloc(n, sizeof(char *));
        if (!call->hdrs)
            return swirl__error(-ENOMEM, "HTTP request: out of memory");
        for (size_t i = 0; i < n; i++)
            call->hdrs[i] = dup_or_null(o->headers[i], &oom);
        call->nhdrs = n;
    }
    call->ca_file = dup_or_null(o->ca_file, &oom);
    call->cert_file = dup_or_null(o->cert_file, &oom);
    call->key_file = dup_or_null(o->key_file, &oom);
    call->tls_host_name = dup_or_null(o->tls_host_name, &oom);
    swirl_buf_t s;
    swirl_buf_init(&s);
    if (swirl__hc_url_format(&call->url, true, &s) < 0 || swirl_buf_append(&s, "", 1) < 0) {
        swirl_buf_destroy(&s);
        oom = true;
    } else {
        call->url_str = s.data;
    }
    if (oom)
        return swirl__error(-ENOMEM, "HTTP request: out of memory");
    if (o->body && o->body_len) {
        rc = swirl__hc_body_add_bytes(&call->body, o->body, o->body_len);
        if (rc < 0)
            return rc;
    }
    if (o->form) {
        unsigned char rnd[12];
        uint64_t t = swirl_clock_ns() ^ (uint64_t)(uintptr_t)call;
        for (size_t i = 0; i < sizeof(rnd); i++) {
            t = t * 6364136223846793005ULL + 1442695040888963407ULL;
            rnd[i] = (unsigned char)(t >> 56);
        }
        int k = snprintf(call->boundary, sizeof(call->boundary), "----swirl");
        for (size_t i = 0; i < sizeof(rnd); i++)
            k += snprintf(call->boundary + k, sizeof(call->boundary) - (size_t)k, "%02x", rnd[i]);
        rc = swirl__hc_body_form(&call->body, o->form, o->nform, call->boundary);
        if (rc < 0)
            return rc;
    }
    if (o->download_path) {
        call->download_path = swirl_strdup(o->download_path);
        if (!call->download_path)
            return swirl__error(-ENOMEM, "HTTP request: out of memory");
        call->dl_fd = open(o->download_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (call->dl_fd < 0)
            return swirl__error(swirl__neg_errno(), "download to %s:", o->download_path);
    }
    call->connect_timeout = o->connect_timeout;
    call->head_timeout = o->head_timeout;
    call->body_timeout = o->body_timeout;
    call->max_redirects = o->max_redirects > 0 ? o->max_redirects : 0;
    call->decompress = o->decompress;
    call->keep_alive = o->keep_alive;
    call->verify_peer = o->verify_peer;
    call->allow_self_signed = o->allow_self_signed;
    call->max_head = o->max_head ? o->max_head : 64 * 1024;
    call->max_body = o->max_body ? o->max_body : 64u * 1024 * 1024;
    call->max_inflated = o->max_inflated ? o->max_inflated : UINT64_C(1) << 30;
    call->on_done = o->on_done;
    call->on_data = o->on_data;
    call->user = o->user;
    return 0;
}

int swirl_http_client_request(swirl_http_client_t *hc, const swirl_http_request_options_t *o,
                              swirl_http_call_t **out) {
    if (!hc || !o)
        return swirl__error(SWIRL_EBADARG, "HTTP request: %s",
                            !hc ? "NULL client" : "NULL options");
    if (hc->free_pending)
        return swirl__error(SWIRL_ESTATE, "HTTP request: the client is being freed");
    swirl_http_call_t *call = swirl_calloc(1, sizeof(*call));
    if (!call)
        return swirl__error(-ENOMEM, "HTTP request: out of memory");
    call->hc = hc;
    call->dl_fd = -1;
    swirl__hc_body_init(&call->body);
    enter(hc);
    int rc = setup(call, o);
    if (rc < 0) {
        if (call->dl_fd >= 0) {
            close(call->dl_fd);
            call->dl_fd = -1;
            unlink(call->download_path);
        }
        call->done = true;
        call->next = hc->dead_calls;
        hc->dead_calls = call;
        leave(hc);
        return rc;
    }
    call->next = hc->calls;
    if (hc->calls)
        hc->calls->prev = call;
    hc->calls = call;
    /* connecting never calls back from here: a failure to start comes
     * through the done callback from the loop, as the client layer's */
    char *key = conn_key(call);
    hc_conn_t *conn = key && call->keep_alive ? pool_take(hc, key) : NULL;
    if (conn) {
        /* sent from the loop, so that a failure to send is never reported
         * from inside this call */
        conn->call = call;
        call->conn = conn;
        call->reused = true;
        call->state = ST_SEND;
        swirl_free(key);
        int64_t id = swirl_timer_after(hc->loop, 0, on_start, call);
        if (id > 0) {
            call->pump_timer = id;
            if (out)
                *out = call;
            leave(hc);
            return 0;
        }
        rc = (int)id;
        swirl__error(rc, "HTTP request: timer:");
        pool_put(conn);
        call->conn = NULL;
        key = NULL;
    } else {
        rc = key ? conn_open(call, key) : swirl__error(-ENOMEM, "HTTP request: out of memory");
        swirl_free(key);
    }
    if (rc < 0) {
        /* unlink from the live list and drop it: no callback */
        hc->calls = call->next;
        if (call->next)
            call->next->prev = NULL;
        call->done = true;
        if (call->dl_fd >= 0) {
            close(call->dl_fd);
            call->dl_fd = -1;
            unlink(call->download_path);
        }
        call->next = hc->dead_calls;
        hc->dead_calls = call;
        leave(hc);
        return rc;
    }
    if (out)
        *out = call;
    leave(hc);
    return 0;
}
