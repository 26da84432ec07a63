/* src/websocket/server.c — the WebSocket server: after the handshake
 * (handshake.c, an upgrade of the HTTP server's connection), frames parsed
 * as they arrive in the worker that owns the connection.
 *
 * A frame's payload is unmasked straight into the message being built, a
 * piece at a time, so a message is copied once whatever its fragments, and
 * text is checked for UTF-8 as its bytes arrive (a bad byte fails the
 * connection before the rest comes). Control frames (at most 125 bytes)
 * are gathered apart and may come between fragments.
 *
 * websocket_status lives in the shared connection table, so any worker
 * can push to any connection and knows whether it is established. When a
 * close frame was sent (status CLOSING) a close from the client ends the
 * connection; otherwise the client's close is answered with its code and
 * the connection ends. Failing a connection sends a close frame with the
 * code and the reason, then closes. Nothing is sent after a close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "../http/internal.h"
#include "internal.h"
#include "settings.h"
#include <swirl/websocket.h>

#define CLOSE_WAIT_MS 5000 /* after our close frame, how long the client has to answer */

/* ---- status in shared memory -------------------------------------------------------------- */

int swirl_ws_status(swirl_ws_server_t *ws, int64_t fd) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket: status: no server");
    swirl__conn_t *c = swirl__conn_get(ws->hs->srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "websocket: connection %lld is gone", (long long)fd);
    return atomic_load(&c->proto[SLOT_STATUS]);
}

bool swirl_ws_exist(swirl_ws_server_t *ws, int64_t fd) {
    return ws && swirl__conn_get(ws->hs->srv, fd) != NULL;
}

bool swirl_ws_is_established(swirl_ws_server_t *ws, int64_t fd) {
    return ws && swirl_ws_status(ws, fd) == SWIRL_WS_STATUS_ACTIVE;
}

/* ---- sending ------------------------------------------------------------------------------ */

/* One frame, header and payload in one send; `rsv1`: a compressed message. */
static int send_frame_rsv(swirl_ws_server_t *ws, int64_t fd, int opcode, bool fin, bool rsv1,
                          const void *p, size_t n) {
    swirl_buf_t *o = &ws->out;
    o->start = o->len = 0;
    if (swirl_buf_reserve(o, SWIRL_WS_HEADER_MAX + n) < 0)
        return swirl__error(-ENOMEM, "websocket: frame of %zu bytes:", n);
    size_t hl = swirl_ws_header_write(o->data, fin, opcode, n, NULL);
    if (rsv1)
        o->data[0] |= 0x40;
    if (n)
        memcpy(o->data + hl, p, n);
    swirl_buf_commit(o, hl + n);
    int rc = swirl_server_send(ws->hs->srv, fd, o->data, hl + n);
    o->start = o->len = 0;
    if (o->cap > (1u << 20)) /* a big message: do not keep its memory */
        swirl_buf_destroy(o);
    return rc;
}

static int send_frame(swirl_ws_server_t *ws, int64_t fd, int opcode, bool fin, const void *p,
                      size_t n) {
    return send_frame_rsv(ws, fd, opcode, fin, false, p, n);
}

static int send_close(swirl_ws_server_t *ws, int64_t fd, int code, const char *reason,
                      size_t rlen) {
    uint8_t p[SWIRL_WS_CONTROL_MAX];
    size_t n = 0;
    if (code) {
        if (rlen > SWIRL_WS_CONTROL_MAX - 2)
            rlen = SWIRL_WS_CONTROL_MAX - 2;
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        if (rlen)
            memcpy(p + 2, reason, rlen);
        n = 2 + rlen;
    }
    return send_frame(ws, fd, SWIRL_WS_CLOSE, true, p, n);
}

int swirl_ws_push(swirl_ws_server_t *ws, int64_t fd, const void *data, size_t len, int opcode,
                  bool finish) {
    if (!ws || (!data && len))
        return swirl__error(SWIRL_EBADARG, "websocket: push: no server or no data");
    int rc = swirl_ws_frame_check(opcode, finish, len);
    if (rc < 0)
        return swirl__error(rc, "websocket: push: %s", swirl_last_error_msg());
    bool control = opcode >= SWIRL_WS_CLOSE;
    int st = swirl_ws_status(ws, fd);
    if (st < 0)
        return st;
    if (st != SWIRL_WS_STATUS_ACTIVE)
        return swirl__error(SWIRL_ESTATE,
                            "websocket: push to connection %lld: not an "
                            "established WebSocket (status %d)",
                            (long long)fd, st);
    /* a whole data message to a connection that agreed to permessage-deflate
     * is compressed on its own (so any worker can do it), unless short */
    swirl__conn_t *sc = swirl__conn_get(ws->hs->srv, fd);
    int bits = sc ? atomic_load(&sc->proto[SLOT_DEFLATE_BITS]) : 0;
    const swirl__http_settings_t *s = ws->hs->conf;
    if (bits && finish && !control && opcode != SWIRL_WS_CONTINUATION &&
        len >= (size_t)s->compression_min_length) {
        swirl_buf_clear(&ws->zout);
        rc = swirl__ws_compress(&ws->deflater, &ws->deflater_bits, bits,
                                (int)s->http_compression_level, data, len, &ws->zout);
        if (rc < 0)
            return rc;
        rc = send_frame_rsv(ws, fd, opcode, true, true, swirl_buf_bytes(&ws->zout),
                            swirl_buf_size(&ws->zout));
        if (ws->zout.cap > (1u << 20))
            swirl_buf_destroy(&ws->zout);
        return rc;
    }
    return send_frame(ws, fd, opcode, finish, data, len);
}

/* ---- the connection's end ------------------------------------------------------------------- */

static void on_close_wait(swirl_loop_t *loop, int64_t id, void *user) {
    ws_conn_t *c = user;
    c->close_timer = 0;
    swirl_server_close(c->ws->hs->srv, c->fd, false);
}

/* Fail the connection: a close frame naming why, then close. */
static void fail(ws_conn_t *c, int code, const char *why) {
    swirl_ws_server_t *ws = c->ws;
    swirl_log_debug("websocket: connection %lld: %d %s", (long long)c->fd, code, why);
    c->done = true;
    swirl__ws_set_status(ws, c->fd, SWIRL_WS_STATUS_CLOSING);
    send_close(ws, c->fd, code, why, strlen(why));
    swirl_server_close(ws->hs->srv, c->fd, false); /* after the close frame */
}

int swirl_ws_disconnect(swirl_ws_server_t *ws, int64_t fd, int code, const char *reason) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket: disconnect: no server");
    if (code == 0)
        code = SWIRL_WS_CLOSE_NORMAL;
    size_t rl = reason ? strlen(reason) : 0;
    int rc = swirl_ws_close_check(code, reason, rl);
    if (rc < 0)
        return swirl__error(rc, "websocket: disconnect: %s", swirl_last_error_msg());
    int st = swirl_ws_status(ws, fd);
    if (st < 0)
        return st;
    if (st != SWIRL_WS_STATUS_ACTIVE)
        return swirl__error(SWIRL_ESTATE,
                            "websocket: disconnect %lld: not an established "
                            "WebSocket (status %d)",
                            (long long)fd, st);
    swirl__ws_set_status(ws, fd, SWIRL_WS_STATUS_CLOSING);
    rc = send_close(ws, fd, code, reason, rl);
    ws_conn_t *c =
        swirl__ws_state(ws, fd); /* NULL in another worker: the client's answer ends it */
    if (c && c->peer_closed) {   /* this answers the client's close: nothing more to wait for */
        c->done = true;
        swirl_server_close(ws->hs->srv, fd, false);
    } else if (c && !c->close_timer) {
        int64_t t =
            swirl_timer_after(swirl_server_loop(ws->hs->srv), CLOSE_WAIT_MS, on_close_wait, c);
        if (t > 0) /* the server's own: not user work */
            swirl_timer_set_machinery(swirl_server_loop(ws->hs->srv), t);
        c->close_timer = t > 0 ? t : 0;
    }
    return rc;
}

/* ---- frames in ------------------------------------------------------------------------------ */

/* Call the message callback; false when the connection went meanwhile. */
static bool deliver(ws_conn_t *c, swirl_ws_frame_t *f) {
    swirl_ws_server_t *ws = c->ws;
    int64_t fd = c->fd;
    f->fd = fd;
    f->finish = true;
    ws->on_message(ws, f, ws->message_user);
    return swirl__ws_state(ws, fd) == c;
}

static bool on_control(ws_conn_t *c) {
    swirl_ws_server_t *ws = c->ws;
    const swirl__ws_settings_t *s = ws->conf;
    size_t n = (size_t)c->h.len;
    swirl_ws_frame_t f = {.data = (const char *)c->ctrl, .len = n, .opcode = c->h.opcode};
    switch (c->h.opcode) {
    case SWIRL_WS_PING:
        if (s->open_websocket_ping_frame)
            return deliver(c, &f);
        send_frame(ws, c->fd, SWIRL_WS_PONG, true, c->ctrl, n);
        return true;
    case SWIRL_WS_PONG:
        return s->open_websocket_pong_frame ? deliver(c, &f) : true;
    default: /* CLOSE */
        break;
    }
    if (swirl_ws_close_payload(c->ctrl, n, &f.code, &f.reason, &f.reason_len) < 0) {
        fail(c, SWIRL_WS_CLOSE_PROTOCOL, "close frame with a 1-byte payload");
        return false;
    }
    int code = f.code;
    if (n >= 2) {
        if (!swirl_ws_close_code_valid(code)) {
            char why[64];
            snprintf(why, sizeof(why), "close code %d is not one a peer may send", code);
            fail(c, SWIRL_WS_CLOSE_PROTOCOL, why);
            return false;
        }
        swirl_utf8_t u = {0};
        if (!swirl_utf8_feed(&u, f.reason, f.reason_len) || !swirl_utf8_complete(&u)) {
            fail(c, SWIRL_WS_CLOSE_BAD_DATA, "close reason is not UTF-8");
            return false;
        }
    }
    if (s->open_websocket_close_frame) {
        /* the callback may answer (swirl_ws_disconnect, which then ends the
         * connection at once); if it does not, it is answered below */
        c->peer_closed = true;
        if (!deliver(c, &f))
            return false;
    }
    int st = swirl_ws_status(ws, c->fd);
    c->done = true;
    if (st == SWIRL_WS_STATUS_ACTIVE) { /* the client began it: answer with its code */
        swirl__ws_set_status(ws, c->fd, SWIRL_WS_STATUS_CLOSING);
        send_close(ws, c->fd, n >= 2 ? code : 0, NULL, 0);
    }
    swirl_server_close(ws->hs->srv, c->fd, false);
    return false;
}

/* Inflating failed with rc: fail the connection with the matching code. */
static void inflate_failed(ws_conn_t *c, int rc) {
    const char *why = swirl_last_error_msg();
    if (strncmp(why, "websocket: ", 11) == 0)
        why += 11;
    fail(c,
         rc == SWIRL_ETOOBIG   ? SWIRL_WS_CLOSE_TOO_BIG
         : rc == SWIRL_EBADARG ? SWIRL_WS_CLOSE_BAD_DATA
         : rc == -ENOMEM       ? SWIRL_WS_CLOSE_SERVER_ERROR
                               : SWIRL_WS_CLOSE_PROTOCOL,
         why);
}

/* The frame in c->h is complete. False when the connection ended. */
static bool frame_end(ws_conn_t *c) {
    c->in_frame = false;
    if (c->h.opcode & 0x8)
        return on_control(c);
    if (!c->h.fin)
        return true;
    if (c->compressed) {
        size_t max = (size_t)swirl__port_settings(c->ws->hs->srv->ports[0])->package_max_length;
        int rc = swirl__ws_inflate_end_message(&c->inflater, &c->msg, max,
                                               c->msg_opcode == SWIRL_WS_TEXT ? &c->utf8 : NULL,
                                               c->client_no_context);
        if (rc < 0) {
            inflate_failed(c, rc);
            return false;
        }
        c->compressed = false;
    }
    if (c->msg_opcode == SWIRL_WS_TEXT && !swirl_utf8_complete(&c->utf8)) {
        fail(c, SWIRL_WS_CLOSE_BAD_DATA, "text message ends inside a UTF-8 sequence");
        return false;
    }
    swirl_ws_frame_t f = {
        .data = swirl_buf_bytes(&c->msg), .len = swirl_buf_size(&c->msg), .opcode = c->msg_opcode};
    if (!f.data)
        f.data = "";
    c->msg_opcode = 0;
    bool alive = deliver(c, &f);
    if (alive) {
        if (c->msg.cap > (1u << 20))
            swirl_buf_destroy(&c->msg);
        else
            swirl_buf_clear(&c->msg);
    }
    return alive;
}

/* A header is complete: check it against the connection's state. */
static bool frame_begin(ws_conn_t *c) {
    swirl_ws_header_t *h = &c->h;
    size_t max = (size_t)swirl__port_settings(c->ws->hs->srv->ports[0])->package_max_length;
    if (!h->masked) {
        fail(c, SWIRL_WS_CLOSE_PROTOCOL, "client frame not masked");
        return false;
    }
    if ((h->rsv & 0x4) && (h->opcode & 0x8 || h->opcode == SWIRL_WS_CONTINUATION)) {
        fail(c, SWIRL_WS_CLOSE_PROTOCOL, "RSV1 on a control frame or a continuation");
        return false;
    }
    if (!(h->opcode & 0x8)) {
        if (h->opcode == SWIRL_WS_CONTINUATION && c->msg_opcode == 0) {
            fail(c, SWIRL_WS_CLOSE_PROTOCOL, "continuation frame with no message to continue");
            return false;
        }
        if (h->opcode != SWIRL_WS_CONTINUATION && c->msg_opcode != 0) {
            fail(c, SWIRL_WS_CLOSE_PROTOCOL, "new message inside a fragmented one");
            return false;
        }
        if (h->opcode != SWIRL_WS_CONTINUATION) {
            c->msg_opcode = h->opcode;
            c->utf8 = (swirl_utf8_t){0};
            c->compressed = h->rsv & 0x4;
            swirl_buf_clear(&c->msg);
        }
        /* (a compressed message's inflated size is checked as it inflates) */
        if (h->len > max || (!c->compressed && swirl_buf_size(&c->msg) + h->len > max)) {
            char why[96];
            snprintf(why, sizeof(why), "message larger than package_max_length (%zu bytes)", max);
            fail(c, SWIRL_WS_CLOSE_TOO_BIG, why);
            return false;
        }
    }
    c->in_frame = true;
    c->got = 0;
    return true;
}

static void on_data(void *user, int64_t fd, void **state, const char *p, size_t n) {
    ws_conn_t *c = *state;
    (void)user;
    (void)fd;
    c->last_rx = swirl_loop_now(swirl_server_loop(c->ws->hs->srv));
    if (c->pending) { /* frames before the handshake was answered (RFC 6455 §4.1) */
        c->done = true;
        c->pending = false;
        swirl_server_close(c->ws->hs->srv, c->fd, false);
        return;
    }
    while (n > 0 && !c->done) {
        if (!c->in_frame) {
            size_t take = SWIRL_WS_HEADER_MAX - c->hdr_len;
            if (take > n)
                take = n;
            memcpy(c->hdr + c->hdr_len, p, take);
            int rc = swirl_ws_header_parse(c->hdr, c->hdr_len + take, c->deflate ? 0x4 : 0, &c->h);
            if (rc < 0) {
                fail(c, SWIRL_WS_CLOSE_PROTOCOL, swirl_last_error_msg() + strlen("websocket: "));
                return;
            }
            if (rc == 0) {
                c->hdr_len += take;
                return; /* all of p was header bytes */
            }
            size_t used = (size_t)rc - c->hdr_len;
            p += used;
            n -= used;
            c->hdr_len = 0;
            if (!frame_begin(c))
                return;
            if (c->h.len == 0 && !frame_end(c))
                return;
            continue;
        }
        uint64_t left = c->h.len - c->got;
        size_t take = n < left ? n : (size_t)left;
        if (c->h.opcode & 0x8) {
            swirl_ws_unmask_copy(c->ctrl + c->got, p, take, c->h.mask, c->got);
        } else if (c->compressed) {
            swirl_ws_server_t *ws = c->ws;
            size_t max = (size_t)swirl__port_settings(ws->hs->srv->ports[0])->package_max_length;
            swirl_buf_clear(&ws->scratch);
            if (swirl_buf_reserve(&ws->scratch, take) < 0) {
                fail(c, SWIRL_WS_CLOSE_SERVER_ERROR, "out of memory for the message");
                return;
            }
            swirl_ws_unmask_copy(ws->scratch.data, p, take, c->h.mask, c->got);
            int rc = swirl__ws_inflate(&c->inflater, ws->scratch.data, take, &c->msg, max,
                                       c->msg_opcode == SWIRL_WS_TEXT ? &c->utf8 : NULL);
            if (rc < 0) {
                inflate_failed(c, rc);
                return;
            }
        } else {
            if (swirl_buf_reserve(&c->msg, take) < 0) { /* as bytes come: no promise is paid */
                fail(c, SWIRL_WS_CLOSE_SERVER_ERROR, "out of memory for the message");
                return;
            }
            char *dst = c->msg.data + c->msg.len;
            swirl_ws_unmask_copy(dst, p, take, c->h.mask, c->got);
            swirl_buf_commit(&c->msg, take);
            if (c->msg_opcode == SWIRL_WS_TEXT && !swirl_utf8_feed(&c->utf8, dst, take)) {
                fail(c, SWIRL_WS_CLOSE_BAD_DATA, "text message is not UTF-8");
                return;
            }
        }
        c->got += take;
        p += take;
        n -= take;
        if (c->got == c->h.len && !frame_end(c))
            return;
    }
}

/* Every connection of a WebSocket server waits for its handshake
 * (WEBSOCKET_STATUS_CONNECTION, seed 002 §8.4) until it asks to upgrade. */
static void on_opened(void *user, int64_t fd) {
    swirl__ws_set_status(user, fd, SWIRL_WS_STATUS_CONNECTION);
}

static void on_gone(void *user, int64_t fd, void **state) {
    ws_conn_t *c = *state;
    (void)user;
    (void)fd;
    if (c->close_timer)
        swirl_timer_clear(swirl_server_loop(c->ws->hs->srv), c->close_timer);
    if (c->deflate)
        inflateEnd(&c->inflater);
    if (c->prev)
        c->prev->next = c->next;
    else if (c->ws->conns == c)
        c->ws->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    swirl_buf_destroy(&c->msg);
    swirl_free(c);
    *state = NULL;
}

/* ---- pings on an interval ------------------------------------------------------------------- */

/* websocket_ping_interval: at each tick of the interval, every connection
 * of this process silent since about the last tick gets a ping; a live
 * peer's pong is traffic, so heartbeat_idle_time closes only peers that
 * stopped answering. "Silent" is half an interval: the pong to the last
 * ping arrives just after that tick, and must not skip the next one. */
static void on_ping_tick(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_ws_server_t *ws = user;
    (void)id;
    uint64_t now = swirl_loop_now(loop);
    uint64_t every = (uint64_t)ws->conf->websocket_ping_interval * 1000;
    for (ws_conn_t *c = ws->conns; c; c = c->next)
        if (!c->done && now - c->last_rx >= every / 2 &&
            swirl_ws_status(ws, c->fd) == SWIRL_WS_STATUS_ACTIVE)
            send_frame(ws, c->fd, SWIRL_WS_PING, true, "swirl", 5);
}

static void track(swirl_ws_server_t *ws, ws_conn_t *c) {
    swirl_loop_t *loop = swirl_server_loop(ws->hs->srv);
    c->last_rx = swirl_loop_now(loop);
    c->next = ws->conns;
    if (ws->conns)
        ws->conns->prev = c;
    ws->conns = c;
    int64_t secs = ws->conf->websocket_ping_interval;
    if (secs > 0 && !ws->ping_timer) { /* once per process, at its first WebSocket */
        int64_t t = swirl_timer_tick(loop, secs * 1000, on_ping_tick, ws);
        if (t > 0) /* the server's own: not user work */
            swirl_timer_set_machinery(loop, t);
        ws->ping_timer = t > 0 ? t : 0;
    }
}

/* ---- the server ----------------------------------------------------------------------------- */

static void upgrade_required(swirl_http_server_t *hs, swirl_http_req_t *req,
                             swirl_http_resp_t *resp, void *user) {
    (void)hs;
    (void)req;
    (void)user;
    swirl_http_resp_status(resp, 426, NULL);
    swirl_http_resp_header(resp, "Upgrade", "websocket");
    swirl_http_resp_header(resp, "Content-Type", "text/plain");
    static const char body[] = "426: this server speaks WebSocket only\n";
    swirl_http_resp_end(resp, body, sizeof(body) - 1);
}

int swirl_ws_server_new(swirl_ws_server_t **out, const char *host, int port, int mode) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "websocket server: no place for the result");
    swirl_ws_server_t *ws = swirl_calloc(1, sizeof(*ws));
    if (!ws)
        return swirl__error(-ENOMEM, "websocket server:");
    int rc = swirl_http_server_new(&ws->hs, host, port, mode);
    if (rc < 0) {
        swirl_free(ws);
        return rc;
    }
    swirl_http_server_on_request(ws->hs, upgrade_required, NULL);
    ws->hs->upgrade =
        (swirl__http_upgrade_t){swirl__ws_on_upgrade, on_data, on_gone, ws, on_opened};
    ws->conf = &ws->hs->srv->settings.websocket;
    ws->track = track;
    *out = ws;
    return 0;
}

void swirl_ws_server_free(swirl_ws_server_t *ws) {
    if (!ws)
        return;
    swirl_http_server_free(ws->hs);
    swirl_buf_destroy(&ws->out);
    swirl_buf_destroy(&ws->zout);
    swirl_buf_destroy(&ws->scratch);
    swirl_free(ws->port_hs);
    if (ws->deflater_bits)
        deflateEnd(&ws->deflater);
    swirl_free(ws);
}

swirl_http_server_t *swirl_ws_server_http(swirl_ws_server_t *ws) { return ws ? ws->hs : NULL; }

swirl_server_t *swirl_ws_server_base(swirl_ws_server_t *ws) {
    return ws ? swirl_http_server_base(ws->hs) : NULL;
}

int swirl_ws_on_open(swirl_ws_server_t *ws, swirl_ws_open_cb cb, void *user) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket server: on open: no server");
    ws->on_open = cb;
    ws->open_user = user;
    return 0;
}

int swirl_ws_on_message(swirl_ws_server_t *ws, swirl_ws_message_cb cb, void *user) {
    if (!ws || !cb)
        return swirl__error(SWIRL_EBADARG, "websocket server: on message: no callback");
    ws->on_message = cb;
    ws->message_user = user;
    return 0;
}

int swirl_ws_on_handshake(swirl_ws_server_t *ws, swirl_ws_handshake_cb cb, void *user) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket server: on handshake: no server");
    ws->on_handshake = cb;
    ws->handshake_user = user;
    return 0;
}

int swirl_ws_port_on_handshake(swirl_ws_server_t *ws, const swirl_port_t *port,
                               swirl_ws_handshake_cb cb, void *user) {
    if (!ws || !port)
        return swirl__error(SWIRL_EBADARG, "websocket server: port on handshake: no server or "
                                           "port");
    if (port->index >= ws->nport_hs) {
        struct ws_port_handshake *a =
            swirl_realloc(ws->port_hs, (size_t)(port->index + 1) * sizeof(*a));
        if (!a)
            return swirl__error(-ENOMEM, "websocket server: port on handshake:");
        memset(a + ws->nport_hs, 0, (size_t)(port->index + 1 - ws->nport_hs) * sizeof(*a));
        ws->port_hs = a;
        ws->nport_hs = port->index + 1;
    }
    ws->port_hs[port->index].cb = cb;
    ws->port_hs[port->index].user = user;
    return 0;
}

int swirl_ws_on_before_response(swirl_ws_server_t *ws, swirl_ws_handshake_cb cb, void *user) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket server: on before response: no server");
    ws->before_response = cb;
    ws->before_response_user = user;
    return 0;
}

int swirl_ws_server_start(swirl_ws_server_t *ws) {
    if (!ws)
        return swirl__error(SWIRL_EBADARG, "websocket server: start: no server");
    if (!ws->on_message)
        return swirl__error(SWIRL_ESTATE, "start: a WebSocket server needs a message callback "
                                          "(swirl_ws_on_message)");
    return swirl_http_server_start(ws->hs);
}
