/* src/http/server.c — the HTTP server: swirl_http_server_t over a
 * swirl_server_t, the server events it takes (receive, connect, close,
 * bufferEmpty, workerStart/Stop/Exit), a client's half-close and a close
 * asked for mid-pass. Bytes go to the parse loop (parse.c); connections
 * are conn.c's; responses response.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

/* The client finished sending (a half-close, SHUT_WR): every whole
 * request it sent before is answered, in order, then the connection is
 * closed (on_later), as nginx does. The connection is kept while a
 * response is under way or bytes wait behind one; else it closes now. */
static bool on_peer_eof(void *user, int64_t fd) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = swirl__http_conn_find(hs, fd);
    if (!c || c->phase == P_UPGRADED || c->phase == P_CLOSED)
        return false;
    if (swirl_buf_size(&c->in) == 0)
        return false; /* nothing behind: closed now; a response under way is
                       * the peer's leaving, as in Swoole (onClose, not writable) */
    c->peer_eof = true;
    if (c->phase == P_BUSY)
        return true; /* swirl__http_done goes on with what waits */
    swirl__http_later(hs, fd, false); /* a response just ended: the requests behind it, then the close */
    return true;
}

/* A close of `fd` was asked for (swirl_server_close): the responses made
 * in this parse pass go before it, and no later request is handled. */
static void on_flush(void *user, int64_t fd) {
    swirl_http_server_t *hs = user;
    if (hs->batch_fd == fd && swirl__http_flush_batch(hs) < 0)
        swirl_log_debug("http: responses to connection %lld before its close: %s", (long long)fd,
                        swirl_last_error_msg());
    http_conn_t *c = swirl__http_conn_find(hs, fd);
    if (!c || c->phase == P_UPGRADED)
        return;
    c->close_asked = true;
    if (c->phase != P_BUSY) /* a response under way: swirl__http_done */
        c->phase = P_CLOSED;
}

static int worker_setup(swirl_http_server_t *hs);

/* ---- multi-protocol listeners ------------------------------------------------------------------- */

int swirl_http_port_protocols(const swirl_http_server_t *hs, const swirl_port_t *port) {
    if (!hs || !port || !swirl_sock_is_stream(port->type))
        return 0;
    const swirl_server_t *srv = hs->srv;
    int first = SWIRL__HTTP_PROTO_HTTP;
    if (hs->upgrade.request || srv->port_defaults.open_websocket_protocol ||
        srv->ports[0]->own.open_websocket_protocol)
        first |= SWIRL__HTTP_PROTO_WS;
    if (port->index == 0 || port->own.set_mask == 0)
        return first;
    if (port->own.open_websocket_protocol)
        return SWIRL__HTTP_PROTO_HTTP | SWIRL__HTTP_PROTO_WS;
    return port->own.open_http_protocol ? SWIRL__HTTP_PROTO_HTTP : 0;
}

const swirl_port_t *swirl_http_server_conn_port(const swirl_http_server_t *hs, int64_t fd) {
    if (!hs)
        return NULL;
    swirl__conn_t *c = swirl__conn_get(hs->srv, fd);
    return c ? hs->srv->ports[c->port_index] : NULL;
}

/* The protocols of the listener of an event's connection (ev->port, set by
 * the server's dispatch; the first listener's when unknown). */
static int event_protocols(const swirl_http_server_t *hs, const swirl_event_t *ev) {
    const swirl_port_t *port = ev->port ? ev->port : swirl_http_server_conn_port(hs, ev->fd);
    return swirl_http_port_protocols(hs, port ? port : hs->srv->ports[0]);
}

/* A connection of a listener that speaks HTTP: its state, made on its
 * first event. NULL (and the connection closed) when out of memory. */
static http_conn_t *http_conn(swirl_server_t *srv, swirl_http_server_t *hs,
                              const swirl_event_t *ev, int proto) {
    http_conn_t *c = swirl__http_conn_find(hs, ev->fd);
    if (!c && (worker_setup(hs) < 0 || !(c = swirl__http_conn_add(hs, ev->fd)))) {
        swirl_log_error("http: out of memory for connection %lld; closing it", (long long)ev->fd);
        swirl_server_close(srv, ev->fd, true);
        return NULL;
    }
    c->proto = proto;
    return c;
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
    int proto = event_protocols(hs, ev);
    if (!proto) { /* a listener of another protocol: the application's bytes */
        if (hs->on_receive)
            hs->on_receive(srv, ev, hs->on_receive_user);
        return;
    }
    http_conn_t *c = http_conn(srv, hs, ev, proto);
    if (c)
        swirl__http_feed(hs, c, ev->data, ev->len);
}

static void on_connect(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    int proto = event_protocols(hs, ev);
    if (proto && !http_conn(srv, hs, ev, proto))
        return;
    if (hs->upgrade.opened && (proto & SWIRL__HTTP_PROTO_WS))
        hs->upgrade.opened(hs->upgrade.user, ev->fd);
    if (hs->on_connect)
        hs->on_connect(srv, ev, hs->on_connect_user);
}

/* Everything owed to a held connection is out: take its requests up again
 * (and tell the application, which may have asked too). */
static void on_buffer_empty(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    http_conn_t *c = swirl__http_conn_find(hs, ev->fd);
    if (c && c->held) {
        c->held = false;
        c->files_ahead = 0;
        swirl__http_later(hs, c->fd, false); /* resumes reading, handles what it holds */
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
static void on_stopping(void *user) {
    swirl_http_server_t *hs = user;
    for (size_t i = 0; hs->srv->mode == SWIRL_MODE_PROCESS && i < hs->nbuckets; i++)
        for (http_conn_t *c = hs->buckets[i]; c; c = c->next)
            if (c->held) {
                c->held = false;
                swirl__http_close_later(hs, c);
            }
}

static void on_worker_exit(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    if (hs->on_worker_exit)
        hs->on_worker_exit(srv, ev, hs->on_worker_exit_user);
}

static void on_close(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    swirl_http_server_t *hs = user;
    swirl__http_conn_remove(hs, ev->fd);
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
    http_conn_t *c = swirl__http_conn_find(hs, fd);
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
            swirl__http_conn_remove(hs, hs->buckets[i]->fd);
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
    hs->resume = swirl__http_consume_buffered;
    hs->reject = swirl__http_reject;
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
    hs->srv->stopping = on_stopping;
    hs->srv->layer_user = hs;
    *out = hs;
    return 0;
}

void swirl_http_server_free(swirl_http_server_t *hs) {
    if (!hs)
        return;
    for (size_t i = 0; i < hs->nbuckets; i++)
        while (hs->buckets[i])
            swirl__http_conn_remove(hs, hs->buckets[i]->fd);
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
    if (strcasecmp(name, "receive") == 0 || strcasecmp(name, "onReceive") == 0) {
        hs->on_receive = cb; /* listeners of another protocol */
        hs->on_receive_user = user;
        return 0;
    }
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
    for (int i = 0; i < hs->srv->nports; i++) {
        const swirl_port_t *p = hs->srv->ports[i];
        int proto = swirl_http_port_protocols(hs, p);
        if ((proto & SWIRL__HTTP_PROTO_WS) && !hs->upgrade.request)
            return swirl__error(SWIRL_ESETTING, "listener %s:%d: open_websocket_protocol needs a "
                                                "WebSocket server (swirl_ws_server_new)",
                                p->host, p->port);
    }
    swirl__port_settings_t *eff = swirl_malloc(sizeof(*eff));
    if (!eff)
        return swirl__error(-ENOMEM, "http server: start:");
    for (int i = 0; i < hs->srv->nports; i++) {
        const swirl_port_t *p = hs->srv->ports[i];
        if (!swirl_http_port_protocols(hs, p))
            continue;
        /* HTTP frames its own requests: a framing rule of another protocol
         * on an HTTP listener (its own or the server's) would cut them apart */
        swirl__port_settings_merge(eff, &hs->srv->port_defaults, &p->own);
        if (swirl__framing_conf_on(&eff->framing)) {
            swirl_free(eff);
            return swirl__error(SWIRL_ESETTING,
                                "listener %s:%d speaks HTTP and has open_eof_check, open_eof_split "
                                "or open_length_check: HTTP frames its requests itself (set them "
                                "on a listener of another protocol, with open_http_protocol off)",
                                p->host, p->port);
        }
    }
    swirl_free(eff);
    for (int i = 0; i < hs->srv->nports; i++) {
        const swirl_port_t *p = hs->srv->ports[i];
        if (!swirl_http_port_protocols(hs, p) && swirl_sock_is_stream(p->type) &&
            !p->on[SWIRL_ON_RECEIVE].cb && !hs->on_receive)
            return swirl__error(SWIRL_ESTATE, "listener %s:%d does not speak HTTP (its own "
                                              "settings leave open_http_protocol off): it needs "
                                              "a receive callback (on \"receive\")",
                                p->host, p->port);
    }
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
