/* src/http_client/client.c — the HTTP/1.1 client's connections: opened
 * through the client layer's async swirl_client_t (name lookup, connect
 * timeout, TLS), tunnelled through a proxy's CONNECT, the request written
 * (the body a piece at a time), a lost connection retried or reported,
 * redirects followed; and the client's API. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <swirl/client.h>
#include <unistd.h>
#include <zlib.h>

#include "http_client/internal.h"

static void conn_lost(hc_conn_t *conn, int status, const char *why);
static void tunnel_open(swirl_http_call_t *call);
static void on_tunnel_tls(swirl_loop_t *loop, int64_t id, void *user);
static void tunnel_answer(swirl_http_call_t *call, const char *data, size_t len);
static void on_cli_connect(swirl_client_t *cli, void *user);
static void on_cli_receive(swirl_client_t *cli, const char *data, size_t len, void *user);
static void on_cli_error(swirl_client_t *cli, void *user, int status);
static void on_cli_close(swirl_client_t *cli, void *user);
static int set_text(swirl_client_t *cli, const char *key, const char *v);
static bool has_header(const swirl_http_call_t *call, const char *name);
static void on_pump(swirl_loop_t *loop, int64_t id, void *user);
static void pump(swirl_http_call_t *call);
static void drop_header(swirl_http_call_t *call, const char *name);

/* A connection's loss (the server closed, an error, a connect failure). */
static void conn_lost(hc_conn_t *conn, int status, const char *why) {
    if (conn->dead)
        return;
    swirl_http_call_t *call = conn->call;
    bool was_connected = conn->connected;
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", why ? why : "");
    swirl__hc_conn_close(conn);
    if (!call || call->done)
        return;
    if (call->state == ST_BODY && call->mode == BODY_CLOSE && status == 0) {
        /* the body ran until the close: it is whole */
        call->state = ST_DONE;
        if (call->redirecting)
            return swirl__hc_do_redirect(call);
        if (call->zinit && !call->zend)
            return swirl__hc_fail(call, SWIRL_EPROTO, "compressed body cut short");
        return swirl__hc_finish(call, 0);
    }
    if (call->reused && !call->retried && !call->got_bytes &&
        (call->idempotent || !call->sent_any) && call->state <= ST_HEAD) {
        /* a kept connection the server had closed already: once more, on a new one */
        call->retried = true;
        call->reused = false;
        if (call->pump_timer)
            swirl_timer_clear(call->hc->loop, call->pump_timer);
        call->pump_timer = 0;
        swirl__hc_body_rewind(&call->body);
        swirl__hc_start_attempt(call);
        return;
    }
    if (!was_connected)
        return swirl__hc_fail(call, status < 0 ? status : SWIRL_ECLOSED, "connect: %s",
                              msg[0] ? msg : "the proxy closed the connection");
    if (status < 0)
        return swirl__hc_fail(call, status, "%s", msg);
    if (call->state == ST_BODY)
        return swirl__hc_fail(call, SWIRL_ECLOSED,
                              "the server closed the connection mid-body (%llu body bytes read)",
                              (unsigned long long)call->body_bytes);
    return swirl__hc_fail(call, SWIRL_ECLOSED,
                          "the server closed the connection before the response head");
}

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
        return swirl__hc_fail(call, rc, "out of memory");
    }
    conn->tunnel = TUNNEL_WAIT;
    ssize_t w = swirl_client_send(conn->cli, swirl_buf_bytes(&h), swirl_buf_size(&h));
    swirl_buf_destroy(&h);
    if (w < 0)
        return swirl__hc_fail(call, (int)w, "proxy CONNECT: %s", swirl_client_errmsg(conn->cli));
    swirl__hc_arm(call, call->head_timeout);
}

/* The proxy said yes: TLS from the loop (the client layer's rule: not from
 * inside its receive callback). */
static void on_tunnel_tls(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    swirl__hc_enter(call->hc);
    hc_conn_t *conn = call->conn;
    if (!call->done && conn) {
        conn->tunnel = TUNNEL_TLS;
        const char *name = call->tls_host_name ? call->tls_host_name : call->url.host;
        int rc = swirl_client_start_tls(conn->cli, name,
                                        call->connect_timeout > 0 ? call->connect_timeout : -1);
        if (rc < 0)
            swirl__hc_fail(call, rc, "TLS through the proxy: %s", swirl_client_errmsg(conn->cli));
    }
    swirl__hc_leave(call->hc);
}

static void tunnel_answer(swirl_http_call_t *call, const char *data, size_t len) {
    hc_conn_t *conn = call->conn;
    if (swirl_buf_append(&conn->tin, data, len) < 0)
        return swirl__hc_fail(call, -ENOMEM, "out of memory");
    const char *p = swirl_buf_bytes(&conn->tin);
    size_t n = swirl_buf_size(&conn->tin), scan = 0;
    ssize_t e = swirl_http_head_end(p, n, &scan);
    if (e == 0) {
        if (n > call->max_head)
            return swirl__hc_fail(call, SWIRL_ETOOBIG, "proxy's answer to CONNECT over %zu bytes",
                                  call->max_head);
        return;
    }
    swirl_http_header_t h[MAX_HEADERS];
    swirl_http_response_head_t rh;
    swirl_http_response_head_init(&rh, h, MAX_HEADERS);
    int rc = swirl_http_parse_response_head(&rh, p, (size_t)e);
    if (rc < 0)
        return swirl__hc_fail(call, rc, "proxy's answer to CONNECT: %s", rh.error);
    if (rh.status < 200 || rh.status > 299)
        return swirl__hc_fail(call, SWIRL_EPROTO, "the proxy refused CONNECT: %d %.*s", rh.status,
                              (int)rh.reason_len, rh.reason);
    if ((size_t)e != n)
        return swirl__hc_fail(call, SWIRL_EPROTO, "bytes after the proxy's answer to CONNECT");
    swirl_buf_destroy(&conn->tin);
    int64_t id = swirl_timer_after(call->hc->loop, 0, on_tunnel_tls, call);
    if (id < 0)
        return swirl__hc_fail(call, (int)id, "timer:");
    call->pump_timer = id;
}

static void on_cli_connect(swirl_client_t *cli, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    swirl__hc_enter(hc);
    if (conn->tunnel == TUNNEL_NEED && conn->call)
        tunnel_open(conn->call);
    else if (conn->call) {
        conn->connected = true;
        conn->tunnel = TUNNEL_NONE;
        swirl__hc_send_request(conn->call);
    }
    swirl__hc_leave(hc);
}

static void on_cli_receive(swirl_client_t *cli, const char *data, size_t len, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    swirl__hc_enter(hc);
    if (conn->dead)
        ;
    else if (!conn->call)
        swirl__hc_conn_close(
            conn); /* bytes on an idle connection: not ours to read, so not reusable */
    else if (conn->tunnel == TUNNEL_WAIT)
        tunnel_answer(conn->call, data, len);
    else {
        swirl_http_call_t *call = conn->call;
        swirl__hc_feed(call, data, len);
        if (call->redirect_due && !call->done) {
            call->redirect_due = false;
            swirl__hc_do_redirect(call);
        }
    }
    swirl__hc_leave(hc);
}

static void on_cli_error(swirl_client_t *cli, void *user, int status) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    swirl__hc_enter(hc);
    conn_lost(conn, status, swirl_client_errmsg(cli));
    swirl__hc_leave(hc);
}

static void on_cli_close(swirl_client_t *cli, void *user) {
    hc_conn_t *conn = user;
    swirl_http_client_t *hc = conn->hc;
    SWIRL__UNUSED(cli);
    swirl__hc_enter(hc);
    conn_lost(conn, 0, NULL);
    swirl__hc_leave(hc);
}

static int set_text(swirl_client_t *cli, const char *key, const char *v) {
    return v ? swirl_client_set_text(cli, key, v) : 0;
}

/* A new connection for the call; 0, or an error naming it (the conn is gone). */
int swirl__hc_conn_open(swirl_http_call_t *call, const char *key) {
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
    conn->tls = tls || tunnel;
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

static bool has_header(const swirl_http_call_t *call, const char *name) {
    for (size_t i = 0; i < call->nhdrs; i += 2)
        if (strcasecmp(call->hdrs[i], name) == 0)
            return true;
    return false;
}

void swirl__hc_on_start(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    swirl__hc_enter(call->hc);
    if (!call->done && call->conn)
        swirl__hc_send_request(call);
    swirl__hc_leave(call->hc);
}

static void on_pump(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_call_t *call = user;
    SWIRL__UNUSED(loop);
    SWIRL__UNUSED(id);
    call->pump_timer = 0;
    swirl__hc_enter(call->hc);
    if (!call->done)
        pump(call);
    swirl__hc_leave(call->hc);
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
                return swirl__hc_fail(call, (int)id, "send: timer:");
            call->pump_timer = id;
            return;
        }
        ssize_t n = swirl__hc_body_read(&call->body, buf, sizeof(buf));
        if (n < 0) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            return swirl__hc_fail(call, (int)n, "%s", msg);
        }
        if (n == 0) {
            call->body_sent = true;
            break;
        }
        ssize_t w = swirl_client_send(cli, buf, (size_t)n);
        if (w < 0)
            return swirl__hc_fail(call, (int)w, "send: %s", swirl_client_errmsg(cli));
    }
    if (call->body_sent && call->state == ST_SEND) {
        call->state = ST_HEAD;
        swirl__hc_arm(call, call->head_timeout);
    }
}

void swirl__hc_send_request(swirl_http_call_t *call) {
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
        return swirl__hc_fail(call, rc, "out of memory");
    }
    call->state = ST_SEND;
    call->body_sent = false;
    swirl_client_t *cli = call->conn->cli;
    ssize_t w = swirl_client_send(cli, swirl_buf_bytes(&h), swirl_buf_size(&h));
    swirl_buf_destroy(&h);
    if (w < 0)
        return swirl__hc_fail(call, (int)w, "send: %s", swirl_client_errmsg(cli));
    call->sent_any = true;
    pump(call);
}

/* Take a pooled connection or open one; a failure ends the call. */
void swirl__hc_start_attempt(swirl_http_call_t *call) {
    call->sent_any = false;
    char *key = swirl__hc_conn_key(call);
    if (!key)
        return swirl__hc_fail(call, -ENOMEM, "out of memory");
    hc_conn_t *conn = call->keep_alive ? swirl__hc_pool_take(call->hc, key) : NULL;
    if (conn) {
        swirl_free(key);
        conn->call = call;
        call->conn = conn;
        call->reused = true;
        swirl__hc_send_request(call);
        return;
    }
    int rc = swirl__hc_conn_open(call, key);
    swirl_free(key);
    if (rc < 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
        swirl__hc_fail(call, rc, "connect: %s", msg);
    }
}

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

void swirl__hc_do_redirect(swirl_http_call_t *call) {
    const swirl_http_header_t *loc = swirl_http_response_find_header(&call->rh, "location");
    hc_url_t next;
    int rc = swirl__hc_url_resolve(&next, &call->url, loc->value, loc->value_len);
    if (rc < 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
        return swirl__hc_fail(call, rc, "%s", msg);
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
            return swirl__hc_fail(call, -ENOMEM, "out of memory");
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
        return swirl__hc_fail(call, -ENOMEM, "out of memory");
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
    swirl__hc_start_attempt(call);
}

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
    swirl__hc_enter(hc);
    while (hc->nidle > total) {
        hc_conn_t *last = hc->idle;
        while (last->next)
            last = last->next;
        swirl__hc_conn_close(last);
    }
    swirl__hc_leave(hc);
    return 0;
}

void swirl_http_client_free(swirl_http_client_t *hc) {
    if (!hc || hc->free_pending)
        return;
    swirl__hc_enter(hc);
    hc->free_pending = true;
    while (hc->calls) {
        swirl_http_call_t *call = hc->calls;
        snprintf(call->err, sizeof(call->err), "%s %s: cancelled (the HTTP client was freed)",
                 call->method, call->url_str);
        swirl__hc_finish(call, -ECANCELED);
    }
    while (hc->idle)
        swirl__hc_conn_close(hc->idle);
    swirl__hc_leave(hc);
}

void swirl_http_call_cancel(swirl_http_call_t *call) {
    if (!call || call->done)
        return;
    swirl_http_client_t *hc = call->hc;
    swirl__hc_enter(hc);
    snprintf(call->err, sizeof(call->err), "%s %s: cancelled", call->method, call->url_str);
    swirl__hc_finish(call, -ECANCELED);
    swirl__hc_leave(hc);
}

size_t swirl_http_client_idle(const swirl_http_client_t *hc) { return hc ? hc->nidle : 0; }

uint64_t swirl_http_client_connections(const swirl_http_client_t *hc) {
    return hc ? hc->connections : 0;
}
