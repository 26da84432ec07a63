/* src/websocket/handshake.c — the WebSocket handshake: the upgrade
 * request checked, Sec-WebSocket-Accept, the subprotocol and
 * permessage-deflate answer, the 101 that switches the HTTP connection
 * to the frames of server.c.
 *
 * A handshake callback may answer with swirl_ws_handshake, or write its
 * own 101 (status, Upgrade, Connection, Sec-WebSocket-Accept), as Swoole's
 * PHP users do. For the second, the connection is switched to this
 * protocol before the callback (pending), so that ending a 101 does not
 * make the HTTP layer close it; when the callback returns, its answer
 * decides (user_handshake). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "../http/internal.h"
#include "internal.h"
#include "settings.h"
#include <swirl/websocket.h>

static ws_conn_t *conn_new(swirl_ws_server_t *ws, int64_t fd) {
    ws_conn_t *c = swirl_calloc(1, sizeof(*c));
    if (c) {
        c->ws = ws;
        c->fd = fd;
    }
    return c;
}

/* The 101 is given: frames flow from now on (permessage-deflate with a
 * window of `deflate_bits`, 0 when not agreed). */
static void establish(ws_conn_t *c, int deflate_bits) {
    swirl_ws_server_t *ws = c->ws;
    swirl__conn_t *sc = swirl__conn_get(ws->hs->srv, c->fd);
    if (sc)
        atomic_store(&sc->proto[SLOT_DEFLATE_BITS], deflate_bits);
    c->pending = false;
    swirl__ws_set_status(ws, c->fd, SWIRL_WS_STATUS_ACTIVE);
    ws->track(ws, c);
}

/* ---- the handshake -------------------------------------------------------------------------- */

static bool has_token(const char *v, size_t n, const char *token) {
    size_t tl = strlen(token);
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
            return true;
    }
    return false;
}

static int refuse(swirl_http_resp_t *resp, int status, const char *why) {
    swirl_http_resp_status(resp, status, NULL);
    swirl_http_resp_header(resp, "Content-Type", "text/plain");
    if (status == 426)
        swirl_http_resp_header(resp, "Sec-WebSocket-Version", "13");
    char body[256];
    int n = snprintf(body, sizeof(body), "%d: %s\n", status, why);
    swirl_http_resp_end(resp, body, (size_t)n);
    return swirl__error(SWIRL_EPROTO, "websocket handshake: %s", why);
}

int swirl_ws_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                       const char *protocols) {
    if (!ws || !req || !resp)
        return swirl__error(SWIRL_EBADARG, "websocket: handshake: missing argument");
    size_t n;
    const char *m = swirl_http_req_method(req, &n);
    if (n != 3 || memcmp(m, "GET", 3) != 0)
        return refuse(resp, 400, "a WebSocket handshake is a GET request");
    if (req->p.minor != 1)
        return refuse(resp, 400, "a WebSocket handshake needs HTTP/1.1");
    const char *up = swirl_http_req_header(req, "upgrade", &n);
    if (!up || !has_token(up, n, "websocket"))
        return refuse(resp, 400, "Upgrade is not websocket");
    const char *ver = swirl_http_req_header(req, "sec-websocket-version", &n);
    if (!ver || n != 2 || memcmp(ver, "13", 2) != 0)
        return refuse(resp, 426,
                      ver ? "Sec-WebSocket-Version is not 13"
                          : "no Sec-WebSocket-Version (13 is spoken here)");
    const char *key = swirl_http_req_header(req, "sec-websocket-key", &n);
    char accept[29];
    if (!key)
        return refuse(resp, 400, "no Sec-WebSocket-Key");
    if (swirl_ws_accept_key(key, n, accept) < 0)
        return refuse(resp, 400, swirl_last_error_msg() + strlen("websocket: "));
    /* the first of the server's protocols the client offers */
    char chosen[128] = "";
    const char *offer = swirl_http_req_header(req, "sec-websocket-protocol", &n);
    for (const char *p = protocols; offer && p && *p && !chosen[0];) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l && *p == ' ')
            p++, l--;
        while (l && p[l - 1] == ' ')
            l--;
        char tok[128];
        if (l && l < sizeof(tok)) {
            memcpy(tok, p, l);
            tok[l] = 0;
            if (has_token(offer, n, tok))
                memcpy(chosen, tok, l + 1);
        }
        p = e ? e + 1 : p + strlen(p);
    }
    /* inside a handshake callback the connection is switched already */
    int64_t fd = swirl_http_req_fd(req);
    ws_conn_t *c = swirl__ws_state(ws, fd);
    bool fresh = !c || !c->pending;
    if (fresh && !(c = conn_new(ws, fd)))
        return refuse(resp, 503, "out of memory");
    /* permessage-deflate, when on and offered */
    char ext[160] = "";
    swirl__ws_deflate_t agreed = {0};
    const char *offers = swirl_http_req_header(req, "sec-websocket-extensions", &n);
    if (ws->conf->websocket_compression && offers &&
        swirl__ws_deflate_negotiate(offers, n, &agreed, ext, sizeof(ext))) {
        if (inflateInit2(&c->inflater, -15) != Z_OK) {
            if (fresh)
                swirl_free(c);
            return refuse(resp, 503, "out of memory");
        }
        c->deflate = true;
        c->client_no_context = agreed.client_no_context;
    }
    if (fresh && swirl__http_switch(resp, c) < 0) {
        if (c->deflate)
            inflateEnd(&c->inflater);
        swirl_free(c);
        return swirl__error(SWIRL_ECLOSED, "websocket: handshake: the connection is gone");
    }
    swirl_http_resp_status(resp, 101, NULL);
    swirl_http_resp_header(resp, "Upgrade", "websocket");
    swirl_http_resp_header(resp, "Connection", "Upgrade");
    swirl_http_resp_header(resp, "Sec-WebSocket-Accept", accept);
    if (chosen[0])
        swirl_http_resp_header(resp, "Sec-WebSocket-Protocol", chosen);
    if (c->deflate)
        swirl_http_resp_header(resp, "Sec-WebSocket-Extensions", ext);
    if (ws->before_response) {
        ws->before_response(ws, req, resp, ws->before_response_user);
        if (swirl_http_resp_finished(resp) || !swirl__ws_state(ws, fd)) {
            swirl_server_close(ws->hs->srv, fd, false);
            return swirl__error(SWIRL_ECLOSED, "websocket: handshake: the response was ended (or "
                                               "the connection closed) before its 101");
        }
    }
    establish(c, c->deflate ? agreed.server_bits : 0);
    int rc = swirl_http_resp_end(resp, NULL, 0);
    /* the 101 first: then whatever open sends */
    if (rc == 0)
        rc = swirl__http_flush_batch(ws->hs);
    return rc;
}

/* Is there a "Sec-WebSocket-Accept: <want>" line among the user's headers
 * of resp? */
static bool accept_sent(const swirl_http_resp_t *resp, const char *want) {
    static const char name[] = "sec-websocket-accept:";
    const char *p = swirl_buf_bytes(&resp->headers), *end = p + swirl_buf_size(&resp->headers);
    size_t wl = strlen(want);
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        size_t n = (size_t)(line_end - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n >= sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
            const char *v = p + sizeof(name) - 1, *ve = p + n;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            if ((size_t)(ve - v) == wl && memcmp(v, want, wl) == 0)
                return true;
        }
        p = eol ? eol + 1 : end;
    }
    return false;
}

/* The handshake callback answers the upgrade request. The connection is
 * switched first (pending), so that a 101 the callback writes itself does
 * not end it. When the callback returns: swirl_ws_handshake inside it has
 * settled everything; a 101 it ended with the right Sec-WebSocket-Accept
 * establishes the connection (no permessage-deflate: the callback agreed
 * to none); anything else (a refusal, a wrong or missing accept key, a
 * response left open) ends the connection after what was sent. The answer
 * must be given in the callback: a detached response cannot be watched
 * for its end. */
static void user_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                           swirl_ws_handshake_cb cb, void *user) {
    int64_t fd = swirl_http_req_fd(req);
    ws_conn_t *c = conn_new(ws, fd);
    if (!c) {
        refuse(resp, 503, "out of memory");
        return;
    }
    c->pending = true;
    if (swirl__http_switch(resp, c) < 0) {
        swirl_free(c);
        return; /* gone: nobody to answer */
    }
    cb(ws, req, resp, user);
    if (swirl__ws_state(ws, fd) != c || !c->pending)
        return; /* gone meanwhile, or swirl_ws_handshake answered */
    const char *why = NULL;
    size_t kl;
    const char *key = swirl_http_req_header(req, "sec-websocket-key", &kl);
    char want[29];
    if (!resp->finished) {
        why = resp->detached ? "its response was detached (answer within the callback)"
                             : "it returned without answering (refused with 500)";
        if (!resp->detached) {
            if (!resp->head_sent)
                swirl_http_resp_status(resp, 500, NULL);
            swirl_http_resp_end(resp, NULL, 0);
        }
    } else if (resp->status == 101 &&
               (!key || swirl_ws_accept_key(key, kl, want) < 0 || !accept_sent(resp, want))) {
        why = "its 101 has no Sec-WebSocket-Accept matching the request's key";
    } else if (resp->status == 101) {
        establish(c, 0);
        swirl__http_flush_batch(ws->hs); /* the 101 before anything pushed */
        return;
    }
    if (why)
        swirl_log_warning("websocket: handshake callback for connection %lld: %s; closing it",
                          (long long)fd, why);
    /* a refusal (or a broken 101): what was sent goes out, then the end */
    c->done = true;
    c->pending = false;
    swirl__http_flush_batch(ws->hs);
    swirl_server_close(ws->hs->srv, fd, false);
}

bool swirl__ws_on_upgrade(void *user, swirl_http_req_t *req, swirl_http_resp_t *resp) {
    swirl_ws_server_t *ws = user;
    size_t n;
    const char *up = swirl_http_req_header(req, "upgrade", &n);
    if (!up || !has_token(up, n, "websocket"))
        return false; /* not ours: a plain request */
    int64_t fd = swirl_http_req_fd(req);
    swirl__ws_set_status(ws, fd, SWIRL_WS_STATUS_HANDSHAKE);
    /* the listener's own handshake callback, else the server's */
    swirl_ws_handshake_cb cb = ws->on_handshake;
    void *cb_user = ws->handshake_user;
    const swirl_port_t *port = swirl_http_server_conn_port(ws->hs, fd);
    if (port && port->index < ws->nport_hs && ws->port_hs[port->index].cb) {
        cb = ws->port_hs[port->index].cb;
        cb_user = ws->port_hs[port->index].user;
    }
    if (cb) {
        user_handshake(ws, req, resp, cb, cb_user);
        return true;
    }
    if (swirl_ws_handshake(ws, req, resp, NULL) == 0 && ws->on_open)
        ws->on_open(ws, req, ws->open_user);
    return true;
}
