/* src/websocket/client.c — the WebSocket client: an async swirl_client_t
 * carries the bytes (TCP or TLS); this file drives the opening handshake
 * (client_handshake.c checks it), reads server frames (unmasked, checked
 * as the server checks a client's), sends masked ones, and runs the close
 * handshake with its timeout. Every end goes through finish() or
 * fail_connect(), which run the last callback once. */
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"
#include "client_internal.h"
#include "internal.h" /* permessage-deflate (deflate.c) */
#include <swirl/client.h>

struct swirl_ws_client {
    swirl_loop_t *loop;
    swirl_ws_client_callbacks_t cbs;
    void *user;
    swirl_ws_client_state_t state;
    char name[256]; /* the URL, for messages */
    swirl__wsc_url_t url;
    swirl_ws_client_options_t o; /* the strings below are our copies */
    char **headers, **protocols;
    char *ca_file, *host_name;
    swirl_client_t *conn;
    int64_t timer; /* the connect + handshake deadline, then the close deadline */
    char key[25], accept[29];
    swirl_buf_t head; /* the 101 being gathered */
    size_t head_scan;
    /* the server's answer head once it came (a copy), parsed: for
     * swirl_ws_client_response */
    char *resp;
    swirl_http_header_t *resp_hdrs;
    size_t resp_n;
    int resp_status;
    swirl__wsc_agreed_t agreed;
    z_stream inflater;
    bool inflater_ready;
    z_stream deflater;
    int deflater_bits;
    swirl_buf_t zout;
    /* frames in */
    uint8_t hdr[SWIRL_WS_HEADER_MAX];
    size_t hdr_len;
    bool in_frame;
    swirl_ws_header_t h;
    uint64_t got;
    uint8_t ctrl[SWIRL_WS_CONTROL_MAX];
    swirl_buf_t msg;
    int msg_opcode; /* the data message being read, 0 when none */
    bool compressed;
    uint64_t wire; /* its payload bytes as sent */
    swirl_utf8_t utf8;
    bool discard; /* failed, or the server's close came: the rest is ignored */
    /* frames out */
    swirl_buf_t out;
    int sending; /* the opcode of a fragmented message being sent, 0 when none */
    uint8_t rnd[256];
    size_t rnd_left;
    /* the end */
    bool close_sent, close_got, io_error;
    bool failed; /* a fault ended (or is ending) the connection */
    int end_code;
    char end_reason[SWIRL_WS_CONTROL_MAX];
    size_t end_reason_len;
    int err_code;
    char err_msg[768];
    int depth;
    bool free_pending;
};

/* ---- errors and calling back ----------------------------------------------------------------- */

/* Record the client's error (and the thread's); returns code. */
static int __attribute__((format(printf, 3, 4)))
set_err(swirl_ws_client_t *c, int code, const char *fmt, ...) {
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    c->err_code = code;
    snprintf(c->err_msg, sizeof(c->err_msg), "websocket %s: %s", c->name, why);
    return swirl__error(code, "%s", c->err_msg);
}

static void enter(swirl_ws_client_t *c) { c->depth++; }

static void destroy(swirl_ws_client_t *c);

/* After a user callback: true when the client is gone or ended (the
 * caller stops touching its connection; when gone, the memory too). */
static bool leave(swirl_ws_client_t *c) {
    if (--c->depth == 0 && c->free_pending) {
        destroy(c);
        return true;
    }
    return c->free_pending || c->state == SWIRL_WS_CLIENT_CLOSED;
}

static void clear_timer(swirl_ws_client_t *c) {
    if (c->timer)
        swirl_timer_clear(c->loop, c->timer);
    c->timer = 0;
}

static void drop_conn(swirl_ws_client_t *c) {
    clear_timer(c);
    if (c->conn)
        swirl_client_free(c->conn); /* safe inside its callbacks: it defers */
    c->conn = NULL;
}

/* The connect, TLS or handshake failed: on_error, the end. */
static void fail_connect(swirl_ws_client_t *c, int code) {
    drop_conn(c);
    c->state = SWIRL_WS_CLIENT_CLOSED;
    enter(c);
    c->cbs.on_error(c, c->user, code);
    leave(c);
}

/* An open connection ended: on_close with what was recorded, the end. */
static void finish(swirl_ws_client_t *c) {
    drop_conn(c);
    c->state = SWIRL_WS_CLIENT_CLOSED;
    bool clean = c->close_sent && c->close_got && !c->io_error && !c->failed;
    if (!c->cbs.on_close)
        return;
    enter(c);
    c->cbs.on_close(c, c->user, c->end_code, c->end_reason, c->end_reason_len, clean);
    leave(c);
}

/* Report a fault of an open connection through on_error (the connection
 * itself is handled by the caller). False when the client is gone/ended. */
static bool report(swirl_ws_client_t *c, int code) {
    enter(c);
    c->cbs.on_error(c, c->user, code);
    return !leave(c);
}

/* ---- frames out ------------------------------------------------------------------------------ */

static int next_mask(swirl_ws_client_t *c, uint8_t mask[4]) {
    if (c->rnd_left < 4) {
        if (RAND_bytes(c->rnd, sizeof(c->rnd)) != 1)
            return set_err(c, SWIRL_EPROTO, "no random bytes for a frame mask");
        c->rnd_left = sizeof(c->rnd);
    }
    memcpy(mask, c->rnd + sizeof(c->rnd) - c->rnd_left, 4);
    c->rnd_left -= 4;
    return 0;
}

/* One masked frame out. 0 or a negative code (the client's error). */
static int put_frame(swirl_ws_client_t *c, bool fin, uint8_t rsv, int opcode, const void *p,
                     size_t n) {
    uint8_t mask[4];
    int rc = next_mask(c, mask);
    if (rc < 0)
        return rc;
    swirl_buf_clear(&c->out);
    rc = swirl_ws_frame_append(&c->out, fin, rsv, opcode, p, n, mask);
    if (rc < 0)
        return set_err(c, rc, "a frame of %zu bytes: out of memory", n);
    ssize_t w = swirl_client_send(c->conn, swirl_buf_bytes(&c->out), swirl_buf_size(&c->out));
    if (c->out.cap > (1 << 20)) /* do not keep a big message's copy around */
        swirl_buf_destroy(&c->out);
    if (w < 0)
        return set_err(c, (int)w, "send: %s", swirl_client_errmsg(c->conn));
    return 0;
}

/* Our close frame (code 0: none). */
static int put_close(swirl_ws_client_t *c, int code, const char *reason, size_t len) {
    uint8_t p[SWIRL_WS_CONTROL_MAX];
    size_t n = 0;
    if (code) {
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        if (len > SWIRL_WS_CONTROL_MAX - 2)
            len = SWIRL_WS_CONTROL_MAX - 2;
        if (len)
            memcpy(p + 2, reason, len);
        n = 2 + len;
    }
    c->close_sent = true;
    return put_frame(c, true, 0, SWIRL_WS_CLOSE, p, n);
}

/* ---- the close ------------------------------------------------------------------------------- */

static void on_timer(swirl_loop_t *loop, int64_t id, void *user);

static void arm_close_timer(swirl_ws_client_t *c) {
    clear_timer(c);
    int64_t id =
        swirl_timer_after(c->loop, (int64_t)(c->o.close_timeout * 1000 + 0.999), on_timer, c);
    if (id > 0)
        c->timer = id;
}

static void set_end(swirl_ws_client_t *c, int code, const char *reason, size_t len) {
    c->end_code = code;
    if (len > sizeof(c->end_reason))
        len = sizeof(c->end_reason);
    memcpy(c->end_reason, reason, len);
    c->end_reason_len = len;
}

/* Fail the connection (RFC 6455 §7.1.7): our close frame with `ws_code`,
 * on_error(code) with the message, then wait for the server to close
 * (close_timeout at most). Always false: the caller reads no further. */
static bool __attribute__((format(printf, 4, 5)))
fail(swirl_ws_client_t *c, int ws_code, int code, const char *fmt, ...) {
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    set_err(c, code, "%s", why);
    c->failed = true;
    c->discard = true;
    c->state = SWIRL_WS_CLIENT_CLOSING;
    static const char *const short_reason[] = {"protocol error", "invalid UTF-8", "message too big",
                                               "internal error"};
    const char *r = ws_code == SWIRL_WS_CLOSE_PROTOCOL   ? short_reason[0]
                    : ws_code == SWIRL_WS_CLOSE_BAD_DATA ? short_reason[1]
                    : ws_code == SWIRL_WS_CLOSE_TOO_BIG  ? short_reason[2]
                                                         : short_reason[3];
    if (!c->close_sent) {
        set_end(c, ws_code, r, strlen(r));
        int saved = c->err_code;
        char msg[sizeof(c->err_msg)];
        memcpy(msg, c->err_msg, sizeof(msg));
        put_close(c, ws_code, r, strlen(r)); /* best effort: its failure is not the news */
        c->err_code = saved;
        memcpy(c->err_msg, msg, sizeof(msg));
        swirl__error(saved, "%s", msg);
    }
    arm_close_timer(c);
    report(c, code);
    return false;
}

static void on_timer(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    swirl_ws_client_t *c = user;
    c->timer = 0;
    if (c->state == SWIRL_WS_CLIENT_CONNECTING) {
        fail_connect(c,
                     set_err(c, -ETIMEDOUT, "%s timed out after %g s",
                             c->conn && swirl_client_is_connected(c->conn) ? "the opening handshake"
                                                                           : "connect",
                             c->o.timeout));
        return;
    }
    if (c->state != SWIRL_WS_CLIENT_CLOSING)
        return;
    if (c->close_got || c->failed) { /* answered, or failed (already reported) */
        finish(c);
        return;
    }
    /* our close was not answered */
    c->failed = true;
    if (!report(c, set_err(c, -ETIMEDOUT, "the server did not answer the close within %g s",
                           c->o.close_timeout)))
        return;
    finish(c);
}

/* ---- frames in ------------------------------------------------------------------------------- */

static bool deliver(swirl_ws_client_t *c, int opcode, const char *p, size_t n) {
    enter(c);
    c->cbs.on_message(c, c->user, opcode, p ? p : "", n);
    return !leave(c);
}

/* The server's close frame. False when the client is gone/ended. */
static bool got_close(swirl_ws_client_t *c, const uint8_t *p, size_t n) {
    int code;
    const char *reason;
    size_t rlen;
    if (swirl_ws_close_payload(p, n, &code, &reason, &rlen) < 0)
        return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO, "a close frame of 1 byte");
    if (n >= 2 && !swirl_ws_close_code_valid(code))
        return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO,
                    "close code %d is not one a server may send", code);
    swirl_utf8_t u = {0};
    if (!swirl_utf8_feed(&u, reason, rlen) || !swirl_utf8_complete(&u))
        return fail(c, SWIRL_WS_CLOSE_BAD_DATA, SWIRL_EPROTO, "the close reason is not UTF-8");
    c->close_got = true;
    c->discard = true;
    set_end(c, code, reason, rlen);
    if (c->close_sent) { /* the answer to ours */
        finish(c);
        return false;
    }
    /* the server started it: answer with its code, wait for it to close */
    c->state = SWIRL_WS_CLIENT_CLOSING;
    int rc = put_close(c, code == SWIRL_WS_CLOSE_NO_STATUS ? 0 : code, "", 0);
    if (rc < 0) {
        finish(c);
        return false;
    }
    arm_close_timer(c);
    return true;
}

/* A whole frame has been read. False when the client is gone/ended. */
static bool frame_done(swirl_ws_client_t *c) {
    c->in_frame = false;
    const swirl_ws_header_t *h = &c->h;
    size_t n = (size_t)h->len;
    switch (h->opcode) {
    case SWIRL_WS_PING:
        if (!c->close_sent && put_frame(c, true, 0, SWIRL_WS_PONG, c->ctrl, n) < 0) {
            c->io_error = true;
            if (!report(c, c->err_code))
                return false;
            finish(c);
            return false;
        }
        return deliver(c, SWIRL_WS_PING, (const char *)c->ctrl, n);
    case SWIRL_WS_PONG:
        return deliver(c, SWIRL_WS_PONG, (const char *)c->ctrl, n);
    case SWIRL_WS_CLOSE:
        return got_close(c, c->ctrl, n);
    default:
        break;
    }
    if (!h->fin)
        return true;
    bool text = c->msg_opcode == SWIRL_WS_TEXT;
    if (c->compressed) {
        int rc = swirl__ws_inflate_end_message(&c->inflater, &c->msg, c->o.max_message,
                                               text ? &c->utf8 : NULL, c->agreed.server_no_context);
        if (rc < 0)
            return fail(c,
                        rc == SWIRL_ETOOBIG   ? SWIRL_WS_CLOSE_TOO_BIG
                        : rc == SWIRL_EBADARG ? SWIRL_WS_CLOSE_BAD_DATA
                                              : SWIRL_WS_CLOSE_PROTOCOL,
                        rc == SWIRL_EBADARG ? SWIRL_EPROTO : rc, "compressed message: %s",
                        swirl_last_error_msg());
    }
    if (text && !swirl_utf8_complete(&c->utf8))
        return fail(c, SWIRL_WS_CLOSE_BAD_DATA, SWIRL_EPROTO,
                    "a text message ends inside a UTF-8 sequence");
    int op = c->msg_opcode;
    c->msg_opcode = 0;
    bool alive = deliver(c, op, swirl_buf_bytes(&c->msg), swirl_buf_size(&c->msg));
    if (alive) {
        swirl_buf_clear(&c->msg);
        if (c->msg.cap > (1 << 20))
            swirl_buf_destroy(&c->msg);
    }
    return alive;
}

/* A frame's header has been read: check it. False when the client is
 * gone/ended. */
static bool frame_start(swirl_ws_client_t *c) {
    const swirl_ws_header_t *h = &c->h;
    if (h->masked)
        return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO,
                    "a masked frame from the server (opcode %u)", h->opcode);
    bool control = h->opcode & 0x8;
    if ((h->rsv & 0x4) && (control || h->opcode == SWIRL_WS_CONTINUATION))
        return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO, "RSV1 on a %s frame",
                    control ? "control" : "continuation");
    if (!control) {
        if (h->opcode == SWIRL_WS_CONTINUATION && !c->msg_opcode)
            return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO,
                        "a continuation frame without a message to continue");
        if (h->opcode != SWIRL_WS_CONTINUATION && c->msg_opcode)
            return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO,
                        "a new message (opcode %u) inside a fragmented one", h->opcode);
        if (h->opcode != SWIRL_WS_CONTINUATION) {
            c->msg_opcode = h->opcode;
            c->compressed = h->rsv & 0x4;
            c->utf8 = (swirl_utf8_t){0};
            c->wire = 0;
            swirl_buf_clear(&c->msg);
        }
        /* the payload as sent: a compressed one may be a little longer
         * than what it inflates to, never much */
        uint64_t limit = c->o.max_message + (c->compressed ? 1024 : 0);
        if (c->wire > limit || h->len > limit - c->wire)
            return fail(c, SWIRL_WS_CLOSE_TOO_BIG, SWIRL_ETOOBIG,
                        "a message over max_message (%zu bytes): a frame of %llu bytes",
                        c->o.max_message, (unsigned long long)h->len);
        c->wire += h->len;
    }
    c->in_frame = true;
    c->got = 0;
    return h->len == 0 ? frame_done(c) : true;
}

/* Payload bytes p[0..n) of the current frame. */
static bool frame_bytes(swirl_ws_client_t *c, const char *p, size_t n) {
    if (c->h.opcode & 0x8) {
        memcpy(c->ctrl + c->got, p, n);
        return true;
    }
    bool text = c->msg_opcode == SWIRL_WS_TEXT;
    if (c->compressed) {
        int rc = swirl__ws_inflate(&c->inflater, p, n, &c->msg, c->o.max_message,
                                   text ? &c->utf8 : NULL);
        if (rc < 0)
            return fail(c,
                        rc == SWIRL_ETOOBIG   ? SWIRL_WS_CLOSE_TOO_BIG
                        : rc == SWIRL_EBADARG ? SWIRL_WS_CLOSE_BAD_DATA
                                              : SWIRL_WS_CLOSE_PROTOCOL,
                        rc == SWIRL_EBADARG ? SWIRL_EPROTO : rc, "compressed message: %s",
                        swirl_last_error_msg());
        return true;
    }
    if (text && !swirl_utf8_feed(&c->utf8, p, n))
        return fail(c, SWIRL_WS_CLOSE_BAD_DATA, SWIRL_EPROTO, "a text message that is not UTF-8");
    if (swirl_buf_append(&c->msg, p, n) < 0)
        return fail(c, SWIRL_WS_CLOSE_SERVER_ERROR, -ENOMEM,
                    "out of memory for a message of %zu bytes", swirl_buf_size(&c->msg) + n);
    return true;
}

/* Bytes from the server once open. False when the client is gone/ended. */
static bool feed(swirl_ws_client_t *c, const char *p, size_t n) {
    uint8_t rsv = c->agreed.deflate ? 0x4 : 0;
    while (n > 0) {
        if (c->discard)
            return true;
        if (!c->in_frame) {
            size_t take = sizeof(c->hdr) - c->hdr_len;
            if (take > n)
                take = n;
            memcpy(c->hdr + c->hdr_len, p, take);
            int rc = swirl_ws_header_parse(c->hdr, c->hdr_len + take, rsv, &c->h);
            if (rc < 0)
                return fail(c, SWIRL_WS_CLOSE_PROTOCOL, SWIRL_EPROTO, "%s", swirl_last_error_msg());
            if (rc == 0) {
                c->hdr_len += take;
                p += take;
                n -= take;
                continue;
            }
            size_t used = (size_t)rc - c->hdr_len;
            c->hdr_len = 0;
            p += used;
            n -= used;
            if (!frame_start(c))
                return false;
            continue;
        }
        uint64_t left = c->h.len - c->got;
        size_t take = left < n ? (size_t)left : n;
        if (!frame_bytes(c, p, take))
            return false;
        c->got += take;
        p += take;
        n -= take;
        if (c->got == c->h.len && !frame_done(c))
            return false;
    }
    return true;
}

/* ---- the connection's callbacks -------------------------------------------------------------- */

static void conn_connect(swirl_client_t *conn, void *user) {
    (void)conn;
    swirl_ws_client_t *c = user;
    int rc = swirl__wsc_make_key(c->key, c->accept);
    swirl_buf_t req = {0};
    if (rc == 0)
        rc = swirl__wsc_request(&req, &c->url, c->key, (const char *const *)c->headers,
                                (const char *const *)c->protocols, &c->o);
    if (rc < 0) {
        swirl_buf_destroy(&req);
        fail_connect(c, set_err(c, rc, "the opening request: %s", swirl_last_error_msg()));
        return;
    }
    ssize_t w = swirl_client_send(c->conn, swirl_buf_bytes(&req), swirl_buf_size(&req));
    swirl_buf_destroy(&req);
    if (w < 0)
        fail_connect(c,
                     set_err(c, (int)w, "the opening request: %s", swirl_client_errmsg(c->conn)));
}

/* The 101 has come (head[0..end)); the bytes after it are frames. */
static void opened(swirl_ws_client_t *c, size_t end) {
    /* kept whatever the check says: a refused upgrade shows its status */
    c->resp = swirl_malloc(end + 1);
    c->resp_hdrs = swirl_calloc(SWIRL__WSC_HEADERS_MAX, sizeof(*c->resp_hdrs));
    if (!c->resp || !c->resp_hdrs) {
        fail_connect(c, set_err(c, -ENOMEM, "the server's answer: out of memory"));
        return;
    }
    memcpy(c->resp, swirl_buf_bytes(&c->head), end);
    c->resp[end] = 0;
    swirl_http_response_head_t r;
    swirl_http_response_head_init(&r, c->resp_hdrs, SWIRL__WSC_HEADERS_MAX);
    if (swirl_http_parse_response_head(&r, c->resp, end) == 0) {
        c->resp_status = r.status;
        c->resp_n = r.nheaders;
    }
    int rc = swirl__wsc_check_response(swirl_buf_bytes(&c->head), end, c->accept,
                                       (const char *const *)c->protocols, &c->o, &c->agreed);
    if (rc < 0) {
        fail_connect(c, set_err(c, rc, "%s", swirl_last_error_msg()));
        return;
    }
    if (c->agreed.deflate) {
        memset(&c->inflater, 0, sizeof(c->inflater));
        if (inflateInit2(&c->inflater, -15) != Z_OK) {
            fail_connect(c, set_err(c, -ENOMEM, "permessage-deflate: no inflate stream"));
            return;
        }
        c->inflater_ready = true;
    }
    clear_timer(c);
    c->state = SWIRL_WS_CLIENT_OPEN;
    if (c->cbs.on_open) {
        enter(c);
        c->cbs.on_open(c, c->user);
        if (leave(c))
            return;
    }
    /* frames right behind the 101 */
    size_t rest = swirl_buf_size(&c->head) - end;
    if (rest) {
        swirl_buf_t keep = c->head;
        c->head = (swirl_buf_t){0};
        feed(c, swirl_buf_bytes(&keep) + end, rest);
        swirl_buf_destroy(&keep);
    } else {
        swirl_buf_destroy(&c->head);
    }
}

static void conn_receive(swirl_client_t *conn, const char *data, size_t len, void *user) {
    (void)conn;
    swirl_ws_client_t *c = user;
    if (c->state == SWIRL_WS_CLIENT_CONNECTING) {
        /* all of it: frames may follow the 101 in the same read (the head
         * itself is bounded below, and a read by READ_CHUNK) */
        if (swirl_buf_append(&c->head, data, len) < 0) {
            fail_connect(c, set_err(c, -ENOMEM, "the server's answer: out of memory"));
            return;
        }
        ssize_t end =
            swirl_http_head_end(swirl_buf_bytes(&c->head), swirl_buf_size(&c->head), &c->head_scan);
        if (end > SWIRL__WSC_HEAD_MAX)
            fail_connect(c, set_err(c, SWIRL_EPROTO,
                                    "handshake: the server's answer head is over %d bytes",
                                    SWIRL__WSC_HEAD_MAX));
        else if (end > 0)
            opened(c, (size_t)end);
        else if (swirl_buf_size(&c->head) > SWIRL__WSC_HEAD_MAX)
            fail_connect(c, set_err(c, SWIRL_EPROTO,
                                    "handshake: the server's answer head is over %d bytes",
                                    SWIRL__WSC_HEAD_MAX));
        return;
    }
    if (c->state == SWIRL_WS_CLIENT_OPEN || c->state == SWIRL_WS_CLIENT_CLOSING)
        feed(c, data, len);
}

static void conn_error(swirl_client_t *conn, void *user, int status) {
    swirl_ws_client_t *c = user;
    if (c->state == SWIRL_WS_CLIENT_CONNECTING) {
        fail_connect(c, set_err(c, status, "%s", swirl_client_errmsg(conn)));
        return;
    }
    if (c->state != SWIRL_WS_CLIENT_OPEN && c->state != SWIRL_WS_CLIENT_CLOSING)
        return;
    /* a broken connection: on_close follows from the connection */
    c->io_error = true;
    if (!c->failed) {
        c->failed = true;
        set_err(c, status, "%s", swirl_client_errmsg(conn));
        if (!c->close_got)
            set_end(c, SWIRL_WS_CLOSE_ABNORMAL, "", 0);
        report(c, status);
    }
}

static void conn_close(swirl_client_t *conn, void *user) {
    (void)conn;
    swirl_ws_client_t *c = user;
    switch (c->state) {
    case SWIRL_WS_CLIENT_CONNECTING:
        fail_connect(c, set_err(c, SWIRL_ECLOSED,
                                "handshake: the server closed the connection before its answer"));
        return;
    case SWIRL_WS_CLIENT_OPEN:
        if (!c->io_error) {
            c->failed = true;
            set_end(c, SWIRL_WS_CLOSE_ABNORMAL, "", 0);
            if (!report(c, set_err(c, SWIRL_ECLOSED,
                                   "the server closed the connection without a close frame")))
                return;
        }
        finish(c);
        return;
    case SWIRL_WS_CLIENT_CLOSING:
        if (!c->close_got && !c->failed) { /* we sent ours; none came back */
            c->failed = true;
            set_end(c, SWIRL_WS_CLOSE_ABNORMAL, "", 0);
            if (!report(c, set_err(c, SWIRL_ECLOSED,
                                   "the server closed the connection without answering the "
                                   "close")))
                return;
        }
        finish(c);
        return;
    default:
        return;
    }
}

/* ---- the API --------------------------------------------------------------------------------- */

void swirl_ws_client_options_init(swirl_ws_client_options_t *o) {
    memset(o, 0, sizeof(*o));
    o->timeout = 5;
    o->close_timeout = 5;
    o->max_message = 16u << 20;
    o->client_max_window_bits = 0;
    o->compression_level = 1;
    o->compression_min_length = 64;
    o->verify_peer = true;
}

/* A NULL-terminated copy of `v` (NULL stays NULL). */
static int copy_list(char ***out, const char *const *v) {
    *out = NULL;
    if (!v)
        return 0;
    size_t n = 0;
    while (v[n])
        n++;
    char **l = swirl_calloc(n + 1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    *out = l;
    for (size_t i = 0; i < n; i++)
        if (!(l[i] = swirl_strdup(v[i])))
            return -ENOMEM;
    return 0;
}

static void free_list(char **l) {
    for (size_t i = 0; l && l[i]; i++)
        swirl_free(l[i]);
    swirl_free(l);
}

static void destroy(swirl_ws_client_t *c) {
    if (c->conn)
        swirl_client_free(c->conn);
    clear_timer(c);
    if (c->inflater_ready)
        inflateEnd(&c->inflater);
    if (c->deflater_bits)
        deflateEnd(&c->deflater);
    swirl_buf_destroy(&c->zout);
    swirl_buf_destroy(&c->head);
    swirl_free(c->resp);
    swirl_free(c->resp_hdrs);
    swirl_buf_destroy(&c->msg);
    swirl_buf_destroy(&c->out);
    swirl__wsc_url_free(&c->url);
    free_list(c->headers);
    free_list(c->protocols);
    swirl_free(c->ca_file);
    swirl_free(c->host_name);
    swirl_free(c);
}

int swirl_ws_client_new(swirl_ws_client_t **out, swirl_loop_t *loop, const char *url,
                        const swirl_ws_client_options_t *opts,
                        const swirl_ws_client_callbacks_t *cbs, void *user) {
    if (!out || !loop || !cbs || !cbs->on_message || !cbs->on_error)
        return swirl__error(SWIRL_EBADARG, "websocket client: missing %s",
                            !out               ? "the out pointer"
                            : !loop            ? "the loop"
                            : !cbs             ? "the callbacks"
                            : !cbs->on_message ? "the message callback"
                                               : "the error callback");
    swirl_ws_client_options_t o;
    if (opts)
        o = *opts;
    else
        swirl_ws_client_options_init(&o);
    if (!(o.timeout > 0) || !(o.close_timeout > 0) || o.timeout > 86400 || o.close_timeout > 86400)
        return swirl__error(SWIRL_EBADARG,
                            "websocket client: timeout and close_timeout are seconds in "
                            "(0, 86400], not %g and %g",
                            o.timeout, o.close_timeout);
    if (o.max_message < 1 || o.max_message > ((size_t)1 << 30))
        return swirl__error(SWIRL_EBADARG, "websocket client: max_message %zu out of 1..1 GiB",
                            o.max_message);
    if (o.deflate && ((o.client_max_window_bits != -1 && o.client_max_window_bits != 0 &&
                       (o.client_max_window_bits < 8 || o.client_max_window_bits > 15)) ||
                      (o.server_max_window_bits != 0 &&
                       (o.server_max_window_bits < 8 || o.server_max_window_bits > 15)) ||
                      o.compression_level < 1 || o.compression_level > 9))
        return swirl__error(SWIRL_EBADARG,
                            "websocket client: deflate: client_max_window_bits -1, 0 or 8..15 "
                            "(%d), server_max_window_bits 0 or 8..15 (%d), compression_level "
                            "1..9 (%d)",
                            o.client_max_window_bits, o.server_max_window_bits,
                            o.compression_level);
    int rc = swirl__wsc_check_options(&o);
    if (rc < 0)
        return rc;
    swirl_ws_client_t *c = swirl_calloc(1, sizeof(*c));
    if (!c)
        return swirl__error(-ENOMEM, "websocket client:");
    snprintf(c->name, sizeof(c->name), "%.200s", url ? url : "(null)");
    if ((rc = swirl__wsc_url_parse(url, &c->url)) < 0) {
        destroy(c);
        return rc;
    }
    c->loop = loop;
    c->cbs = *cbs;
    c->user = user;
    c->o = o;
    if (copy_list(&c->headers, o.headers) < 0 || copy_list(&c->protocols, o.subprotocols) < 0 ||
        (o.ca_file && !(c->ca_file = swirl_strdup(o.ca_file))) ||
        (o.host_name && !(c->host_name = swirl_strdup(o.host_name)))) {
        destroy(c);
        return swirl__error(-ENOMEM, "websocket client:");
    }
    c->o.headers = (const char *const *)c->headers;
    c->o.subprotocols = (const char *const *)c->protocols;
    c->o.ca_file = c->ca_file;
    c->o.host_name = c->host_name;
    *out = c;
    return 0;
}

int swirl_ws_client_connect(swirl_ws_client_t *c) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "websocket client: NULL client");
    if (c->state != SWIRL_WS_CLIENT_IDLE || c->free_pending)
        return set_err(c, SWIRL_ESTATE, "connect: already started (a client connects once)");
    int type = (c->url.v6 ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP) | (c->url.tls ? SWIRL_SOCK_SSL : 0);
    swirl_client_t *conn;
    int rc = swirl_client_new(&conn, type, true, NULL);
    if (rc < 0)
        return set_err(c, rc, "connect: %s", swirl_last_error_msg());
    /* the send buffer holds a whole message: max_message plus room */
    uint64_t buf = (uint64_t)c->o.max_message * 2 + 65536;
    if (buf < (8u << 20))
        buf = 8u << 20;
    if (buf > (1u << 30))
        buf = 1u << 30;
    swirl_client_callbacks_t cb = {.on_connect = conn_connect,
                                   .on_receive = conn_receive,
                                   .on_error = conn_error,
                                   .on_close = conn_close};
    rc = swirl_client_set_int(conn, "socket_buffer_size", (int64_t)buf);
    if (rc == 0)
        rc = swirl_client_set_bool(conn, "open_tcp_nodelay", true);
    if (rc == 0 && c->url.tls) {
        rc = swirl_client_set_bool(conn, "ssl_verify_peer", c->o.verify_peer);
        if (rc == 0 && c->ca_file)
            rc = swirl_client_set_text(conn, "ssl_cafile", c->ca_file);
        if (rc == 0 && c->host_name)
            rc = swirl_client_set_text(conn, "ssl_host_name", c->host_name);
    }
    if (rc == 0)
        rc = swirl_client_set_callbacks(conn, c->loop, &cb, c);
    if (rc == 0)
        rc = swirl_client_connect(conn, c->url.host, c->url.port, c->o.timeout);
    if (rc < 0) {
        char why[400];
        snprintf(why, sizeof(why), "%s", swirl_client_errmsg(conn));
        swirl_client_free(conn);
        return set_err(c, rc, "connect: %s", why);
    }
    int64_t id = swirl_timer_after(c->loop, (int64_t)(c->o.timeout * 1000 + 0.999), on_timer, c);
    if (id < 0) {
        swirl_client_free(conn);
        return set_err(c, (int)id, "connect: no timer");
    }
    c->conn = conn;
    c->timer = id;
    c->state = SWIRL_WS_CLIENT_CONNECTING;
    return 0;
}

static int check_open(swirl_ws_client_t *c, const char *what) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "websocket client: NULL client");
    if (c->state != SWIRL_WS_CLIENT_OPEN || c->free_pending)
        return set_err(c, SWIRL_ESTATE, "%s: the connection is not open", what);
    return 0;
}

int swirl_ws_client_send(swirl_ws_client_t *c, int opcode, const void *data, size_t len) {
    int rc = check_open(c, "send");
    if (rc < 0)
        return rc;
    if (opcode != SWIRL_WS_TEXT && opcode != SWIRL_WS_BINARY)
        return set_err(c, SWIRL_EBADARG, "send: opcode %d is not text (1) or binary (2)", opcode);
    if (len && !data)
        return set_err(c, SWIRL_EBADARG, "send: NULL data of %zu bytes", len);
    if (c->sending)
        return set_err(c, SWIRL_ESTATE, "send: a fragmented message is being sent");
    if (opcode == SWIRL_WS_TEXT) {
        swirl_utf8_t u = {0};
        if (!swirl_utf8_feed(&u, data, len) || !swirl_utf8_complete(&u))
            return set_err(c, SWIRL_EBADARG, "send: a text message must be UTF-8");
    }
    if (c->agreed.deflate && c->agreed.client_bits >= 9 && len >= c->o.compression_min_length) {
        swirl_buf_clear(&c->zout);
        rc = swirl__ws_compress(&c->deflater, &c->deflater_bits, c->agreed.client_bits,
                                c->o.compression_level, data, len, &c->zout);
        if (rc < 0)
            return set_err(c, rc, "send: %s", swirl_last_error_msg());
        rc = put_frame(c, true, 0x4, opcode, swirl_buf_bytes(&c->zout), swirl_buf_size(&c->zout));
        if (c->zout.cap > (1 << 20))
            swirl_buf_destroy(&c->zout);
        return rc;
    }
    return put_frame(c, true, 0, opcode, data, len);
}

int swirl_ws_client_send_frame(swirl_ws_client_t *c, int opcode, bool fin, const void *data,
                               size_t len) {
    int rc = check_open(c, "send frame");
    if (rc < 0)
        return rc;
    if (len && !data)
        return set_err(c, SWIRL_EBADARG, "send frame: NULL data of %zu bytes", len);
    if ((rc = swirl_ws_frame_check(opcode, fin, len)) < 0)
        return set_err(c, rc, "send frame: %s", swirl_last_error_msg());
    if (opcode == SWIRL_WS_CLOSE)
        return set_err(c, SWIRL_EBADARG, "send frame: a close goes through swirl_ws_client_close");
    if (opcode == SWIRL_WS_CONTINUATION && !c->sending)
        return set_err(c, SWIRL_EBADARG, "send frame: a continuation without a message");
    if ((opcode == SWIRL_WS_TEXT || opcode == SWIRL_WS_BINARY) && c->sending)
        return set_err(c, SWIRL_EBADARG,
                       "send frame: a new message inside the fragmented one being sent");
    rc = put_frame(c, fin, 0, opcode, data, len);
    if (rc == 0 && !(opcode & 0x8))
        c->sending = fin ? 0 : (opcode == SWIRL_WS_CONTINUATION ? c->sending : opcode);
    return rc;
}

int swirl_ws_client_ping(swirl_ws_client_t *c, const void *data, size_t len) {
    return swirl_ws_client_send_frame(c, SWIRL_WS_PING, true, data, len);
}

int swirl_ws_client_close(swirl_ws_client_t *c, int code, const char *reason) {
    int rc = check_open(c, "close");
    if (rc < 0)
        return rc;
    size_t rlen = reason ? strlen(reason) : 0;
    if (code == 0 && rlen)
        return set_err(c, SWIRL_EBADARG, "close: a reason needs a code");
    if (code && (rc = swirl_ws_close_check(code, reason, rlen)) < 0)
        return set_err(c, rc, "close: %s", swirl_last_error_msg());
    rc = put_close(c, code, reason, rlen);
    if (rc < 0) {
        c->close_sent = false;
        return rc;
    }
    c->state = SWIRL_WS_CLIENT_CLOSING;
    set_end(c, code ? code : SWIRL_WS_CLOSE_NO_STATUS, reason ? reason : "", rlen);
    arm_close_timer(c);
    return 0;
}

void swirl_ws_client_free(swirl_ws_client_t *c) {
    if (!c || c->free_pending)
        return;
    c->free_pending = true;
    enter(c); /* the last callbacks below must not free it under us */
    if (c->state == SWIRL_WS_CLIENT_CONNECTING) {
        drop_conn(c);
        c->state = SWIRL_WS_CLIENT_CLOSED;
        c->cbs.on_error(c, c->user, set_err(c, -ECANCELED, "freed while connecting"));
    } else if (c->state == SWIRL_WS_CLIENT_OPEN || c->state == SWIRL_WS_CLIENT_CLOSING) {
        if (!c->close_sent) {
            put_close(c, SWIRL_WS_CLOSE_GOING_AWAY, "", 0); /* best effort */
            set_end(c, SWIRL_WS_CLOSE_ABNORMAL, "client freed", 12);
        } else if (!c->close_got) {
            set_end(c, SWIRL_WS_CLOSE_ABNORMAL, "client freed", 12);
        }
        drop_conn(c);
        c->state = SWIRL_WS_CLIENT_CLOSED;
        bool clean = c->close_sent && c->close_got && !c->io_error && !c->failed;
        if (c->cbs.on_close)
            c->cbs.on_close(c, c->user, c->end_code, c->end_reason, c->end_reason_len, clean);
    } else {
        drop_conn(c);
    }
    leave(c);
}

swirl_ws_client_state_t swirl_ws_client_state(const swirl_ws_client_t *c) {
    return c ? c->state : SWIRL_WS_CLIENT_CLOSED;
}

const char *swirl_ws_client_protocol(const swirl_ws_client_t *c) {
    return c ? c->agreed.protocol : "";
}

const char *swirl_ws_client_extensions(const swirl_ws_client_t *c) {
    return c ? c->agreed.extensions : "";
}

bool swirl_ws_client_deflate(const swirl_ws_client_t *c) { return c && c->agreed.deflate; }

int swirl_ws_client_errcode(const swirl_ws_client_t *c) { return c ? c->err_code : 0; }

const char *swirl_ws_client_errmsg(const swirl_ws_client_t *c) { return c ? c->err_msg : ""; }

int swirl_ws_client_response(const swirl_ws_client_t *c, const swirl_http_header_t **headers,
                             size_t *n) {
    bool have = c && c->resp_status;
    if (headers)
        *headers = have ? c->resp_hdrs : NULL;
    if (n)
        *n = have ? c->resp_n : 0;
    return have ? c->resp_status : 0;
}
