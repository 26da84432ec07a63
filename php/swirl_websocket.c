/* swirl_websocket.c — Swoole\WebSocket\Server (swoole_websocket_server),
 * Swoole\WebSocket\Frame (swoole_websocket_frame) and
 * Swoole\WebSocket\CloseFrame (swoole_websocket_closeframe) on
 * swirl_ws_server_t.
 *
 * WebSocket\Server is a Swoole\Http\Server whose object also holds the C
 * WebSocket server (server_obj.ws, made by Server::__construct for this
 * class and its subclasses). Its events (stubs/websocket.stub.php says
 * what each gets):
 * - handshake ($request, $response): the user answers the upgrade request
 *   through $response, as in Swoole: a 101 with Upgrade, Connection and the
 *   right Sec-WebSocket-Accept makes the connection a WebSocket when the
 *   callback returns (the C layer watches for that 101: see
 *   swirl_ws_handshake_cb in swirl/websocket.h); anything else is sent and
 *   the connection closed. The return value is not used (the seed's
 *   "return true on success" is kept by any callback that sends its 101).
 *   There is no PHP call for the standard answer: a user who wants it
 *   leaves the handshake event unset (then open is called). With a
 *   handshake callback open is never called, as in Swoole.
 * - open ($server, $request), message ($server, $frame): a Frame, or a
 *   CloseFrame for a close frame delivered by open_websocket_close_frame;
 *   the C layer answers such a close after the callback (the client's
 *   code) unless the callback did (disconnect()), then ends the
 *   connection.
 * - close and request are Server's and Http\Server's (a plain request on
 *   the WebSocket port goes to the request callback; without one it gets
 *   426 from the C layer).
 *
 * Exceptions: one thrown by open or message is reported as a warning
 * (swirl_php_server_call with `survive`), the connection is closed with
 * 1011 (server error), and the worker goes on with its other connections:
 * one faulty message should not end every client of the worker. One thrown
 * by handshake is a warning too, and the request is answered 500 if it was
 * not answered (then closed by the C layer); a 101 sent before the throw
 * stands.
 *
 * Bad input to push/disconnect (a bad opcode, a control frame over 125
 * bytes or fragmented, a close code a peer may not send, a reason over 123
 * bytes, a connection that is not an established WebSocket) is a warning
 * naming the fault, and false. pack() only makes bytes and takes what
 * Swoole's does: any opcode 0..10 and control frames of any length (made
 * final); a CloseFrame's reason stays within 123 bytes. A connection that is simply gone is false
 * without a warning (as Server::send; swoole_last_error() tells), so that a
 * broadcast racing with closes stays quiet.
 *
 * pack() and unpack() use the frame code of swirl/protocol.h
 * (swirl_ws_header_write / _parse, swirl_ws_unmask); unpack() is quiet
 * about bytes that do not hold a whole frame yet (a stream reader calls it
 * again with more) and warns about a malformed one. */
#include "swirl_server.h"

#include <ext/random/php_random.h>
#include <zend_exceptions.h>

#include "stubs/websocket_arginfo.h"

zend_class_entry *swirl_php_ws_server_ce;
static zend_class_entry *frame_ce;
static zend_class_entry *close_frame_ce;

/* The property slots of Frame and CloseFrame (found once at MINIT, so a
 * frame is filled without a property lookup per message). */
static uint32_t slot_fd, slot_data, slot_opcode, slot_flags, slot_finish, slot_code, slot_reason;

enum { FLAG_FIN = 1, FLAG_COMPRESS = 2, FLAG_RSV1 = 4, FLAG_RSV2 = 8, FLAG_RSV3 = 16,
       FLAG_MASK = 32 };

/* ---- frames as PHP objects -------------------------------------------------------------------- */

static void slot_long(zend_object *obj, uint32_t slot, zend_long v) {
    zval *z = OBJ_PROP(obj, slot);
    zval_ptr_dtor(z);
    ZVAL_LONG(z, v);
}

static void slot_str(zend_object *obj, uint32_t slot, const char *p, size_t n) {
    zval *z = OBJ_PROP(obj, slot);
    zval_ptr_dtor(z);
    ZVAL_STRINGL(z, p, n);
}

/* A property of a frame the user made (it may have been unset, or be a
 * reference): NULL when unset. */
static zval *slot_get(zend_object *obj, uint32_t slot) {
    zval *z = OBJ_PROP(obj, slot);
    ZVAL_DEREF(z);
    return Z_TYPE_P(z) == IS_UNDEF ? NULL : z;
}

/* A new Frame (or CloseFrame for a close opcode) into out. `flags`:
 * SWOOLE_WEBSOCKET_FLAG_* bits. A close payload is read by
 * swirl_ws_close_payload (the caller refused a 1-byte one). */
static void frame_new(zval *out, int64_t fd, const char *data, size_t len, int opcode, bool fin,
                      int flags) {
    bool close = opcode == SWIRL_WS_CLOSE;
    object_init_ex(out, close ? close_frame_ce : frame_ce);
    zend_object *obj = Z_OBJ_P(out);
    slot_long(obj, slot_fd, (zend_long)fd);
    slot_str(obj, slot_data, data, len);
    slot_long(obj, slot_opcode, opcode);
    slot_long(obj, slot_flags, flags | (fin ? FLAG_FIN : 0));
    ZVAL_BOOL(OBJ_PROP(obj, slot_finish), fin);
    int code;
    const char *reason;
    size_t reason_len;
    if (close && swirl_ws_close_payload(data, len, &code, &reason, &reason_len) == 0) {
        slot_long(obj, slot_code, code);
        slot_str(obj, slot_reason, reason, reason_len);
    }
}

/* For Swoole\Http\Client's message event (php_swirl.h). */
void swirl_php_ws_frame_new(zval *out, const char *data, size_t len, int opcode, bool fin) {
    frame_new(out, 0, data, len, opcode, fin, 0);
}

/* A frame to send, from push()/pack()'s arguments or a Frame object. */
typedef struct {
    const char *data; /* the payload (into a string PHP holds, or buf) */
    size_t len;
    int opcode;
    bool fin;
    int flags;                            /* FLAG_RSV* and FLAG_MASK (pack only) */
    bool close_frame;                     /* a CloseFrame: code and reason below */
    int code;
    const char *reason;
    size_t reason_len;
    char buf[SWIRL_WS_CONTROL_MAX + 1]; /* a CloseFrame's payload */
} out_frame_t;

/* $finish of push()/pack(): a bool, or SWOOLE_WEBSOCKET_FLAG_* bits. */
static bool flags_arg(zval *z, uint32_t arg, int *flags) {
    if (!z) {
        *flags = FLAG_FIN;
        return true;
    }
    ZVAL_DEREF(z);
    switch (Z_TYPE_P(z)) {
    case IS_TRUE:
        *flags = FLAG_FIN;
        return true;
    case IS_FALSE:
        *flags = 0;
        return true;
    case IS_LONG:
        if (Z_LVAL_P(z) & ~(zend_long)(FLAG_FIN | FLAG_COMPRESS | FLAG_RSV1 | FLAG_RSV2 |
                                       FLAG_RSV3 | FLAG_MASK)) {
            zend_argument_value_error(arg, "must be a bool or SWOOLE_WEBSOCKET_FLAG_* bits");
            return false;
        }
        *flags = (int)Z_LVAL_P(z);
        return true;
    default:
        zend_argument_type_error(arg, "must be of type int|bool, %s given", zend_zval_type_name(z));
        return false;
    }
}

/* Fill f from a Frame object (its data, opcode, finish and flags; a
 * CloseFrame's payload is its code and reason) or from a string with the
 * opcode and flags given. NULL, or why it cannot be sent. */
static const char *frame_out(out_frame_t *f, zend_object *obj, zend_string *str, zend_long opcode,
                             int flags) {
    memset(f, 0, offsetof(out_frame_t, buf));
    if (!obj) {
        f->data = ZSTR_VAL(str);
        f->len = ZSTR_LEN(str);
        f->opcode = opcode < INT_MIN || opcode > INT_MAX ? INT_MIN : (int)opcode;
        f->fin = flags & FLAG_FIN;
        f->flags = flags & ~(FLAG_FIN | FLAG_COMPRESS);
        return NULL;
    }
    zval *z = slot_get(obj, slot_opcode);
    f->opcode = !z                                              ? SWIRL_WS_TEXT
                : Z_LVAL_P(z) < INT_MIN || Z_LVAL_P(z) > INT_MAX ? INT_MIN
                                                                : (int)Z_LVAL_P(z);
    f->fin = !(z = slot_get(obj, slot_finish)) || Z_TYPE_P(z) == IS_TRUE;
    f->flags = (z = slot_get(obj, slot_flags)) ? (int)(Z_LVAL_P(z) & (FLAG_RSV1 | FLAG_RSV2 |
                                                                      FLAG_RSV3 | FLAG_MASK))
                                               : 0;
    if (instanceof_function(obj->ce, close_frame_ce)) {
        zval *code = slot_get(obj, slot_code), *reason = slot_get(obj, slot_reason);
        f->close_frame = true;
        f->opcode = SWIRL_WS_CLOSE;
        f->code = code ? (int)(Z_LVAL_P(code) < 0 || Z_LVAL_P(code) > 65535 ? -1 : Z_LVAL_P(code))
                       : SWIRL_WS_CLOSE_NORMAL;
        f->reason = reason ? Z_STRVAL_P(reason) : "";
        f->reason_len = reason ? Z_STRLEN_P(reason) : 0;
        if (f->code < 0)
            return "the close code is not between 0 and 65535";
        if (f->reason_len > SWIRL_WS_CONTROL_MAX - 2)
            return "the close reason has more than 123 bytes";
        f->buf[0] = (char)(f->code >> 8);
        f->buf[1] = (char)f->code;
        memcpy(f->buf + 2, f->reason, f->reason_len);
        f->data = f->buf;
        f->len = 2 + f->reason_len;
        return NULL;
    }
    z = slot_get(obj, slot_data);
    f->data = z ? Z_STRVAL_P(z) : "";
    f->len = z ? Z_STRLEN_P(z) : 0;
    return NULL;
}

/* Can f be sent as one frame (swirl_ws_frame_check)? NULL, or why not
 * (written into why). */
static const char *frame_fault(const out_frame_t *f, char *why, size_t size) {
    if (swirl_ws_frame_check(f->opcode, f->fin, f->len) == 0)
        return NULL;
    snprintf(why, size, "%s%s", swirl_last_error_msg(),
             swirl_ws_opcode_valid(f->opcode) ? "" : " (WEBSOCKET_OPCODE_*)");
    return why;
}

/* The bytes of frame f, masked with a random key when it asks. */
static zend_string *frame_bytes(const out_frame_t *f) {
    zend_string *s = zend_string_alloc(SWIRL_WS_HEADER_MAX + f->len, 0);
    uint8_t key[4] = {0};
    bool mask = f->flags & FLAG_MASK;
    if (mask && php_random_bytes_silent(key, sizeof key) != SUCCESS) {
        for (int i = 0; i < 4; i++) /* no system randomness: still a mask */
            key[i] = (uint8_t)php_mt_rand();
    }
    unsigned char *p = (unsigned char *)ZSTR_VAL(s);
    size_t hl = swirl_ws_header_write(p, f->fin, f->opcode, f->len, mask ? key : NULL);
    p[0] |= (uint8_t)(((f->flags & FLAG_RSV1) ? 0x40 : 0) | ((f->flags & FLAG_RSV2) ? 0x20 : 0) |
                      ((f->flags & FLAG_RSV3) ? 0x10 : 0));
    if (f->len)
        memcpy(p + hl, f->data, f->len);
    if (mask)
        swirl_ws_unmask(p + hl, f->len, key, 0);
    ZSTR_LEN(s) = hl + f->len;
    ZSTR_VAL(s)[ZSTR_LEN(s)] = '\0';
    return s;
}

/* ---- the server's events ------------------------------------------------------------------- */

/* After an exception in a callback: the connection ends with 1011. */
static void server_error(server_obj *o, int64_t fd) {
    if (swirl_ws_status(o->ws, fd) == SWIRL_WS_STATUS_ACTIVE)
        swirl_ws_disconnect(o->ws, fd, SWIRL_WS_CLOSE_SERVER_ERROR, "");
}

/* The callback for event `hcb` of connection fd: its port's, else the server's. */
static zval *conn_cb(server_obj *o, int64_t fd, int hcb) {
    return swirl_php_port_hcb(o, swirl_http_server_conn_port(o->http, fd), hcb);
}

static void on_open(swirl_ws_server_t *ws, swirl_http_req_t *req, void *user) {
    (void)ws;
    server_obj *o = user;
    zval args[2];
    int64_t fd = swirl_http_req_fd(req);
    zval *cb = conn_cb(o, fd, HCB_OPEN);
    if (Z_TYPE_P(cb) == IS_UNDEF)
        return; /* only another port has one */
    swirl_php_request_new(&args[1], o, req);
    bool ok = swirl_php_server_call(o, cb, args, 2, true, true, "open");
    swirl_php_request_done(&args[1]);
    zval_ptr_dtor(&args[1]);
    if (!ok)
        server_error(o, fd);
}

static void on_message(swirl_ws_server_t *ws, const swirl_ws_frame_t *f, void *user) {
    (void)ws;
    server_obj *o = user;
    zval args[2];
    frame_new(&args[1], f->fd, f->data, f->len, f->opcode, f->finish, 0);
    bool ok = swirl_php_server_call(o, conn_cb(o, f->fd, HCB_MESSAGE), args, 2, true, true,
                                    "message");
    zval_ptr_dtor(&args[1]);
    if (!ok)
        server_error(o, f->fd);
}

static void on_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                         void *user) {
    (void)ws;
    server_obj *o = user;
    zval args[2];
    swirl_php_request_new(&args[0], o, req);
    swirl_php_response_new(&args[1], o, resp);
    zval *cb = conn_cb(o, swirl_http_req_fd(req), HCB_HANDSHAKE);
    if (!swirl_php_server_call(o, cb, args, 2, false, true, "handshake") &&
        !swirl_http_resp_finished(resp)) {
        swirl_http_resp_status(resp, 500, NULL); /* refused once a write was sent: then cut */
        swirl_http_resp_end(resp, "", 0);
    }
    swirl_php_request_done(&args[0]);
    swirl_php_response_done(&args[1]);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);
}

/* beforeHandshakeResponse: the server's own 101 is about to go; the
 * callback may add headers. A callback that throws fails the handshake
 * (the connection is closed), as Swoole's "handler error". */
static void on_before_response(swirl_ws_server_t *ws, swirl_http_req_t *req,
                               swirl_http_resp_t *resp, void *user) {
    (void)ws;
    server_obj *o = user;
    zval *cb = conn_cb(o, swirl_http_req_fd(req), HCB_BEFORE_HANDSHAKE);
    if (Z_TYPE_P(cb) == IS_UNDEF)
        return;
    zval args[3];
    swirl_php_request_new(&args[1], o, req);
    swirl_php_response_new(&args[2], o, resp);
    if (!swirl_php_server_call(o, cb, args, 3, true, true, "beforeHandshakeResponse") &&
        !swirl_http_resp_finished(resp)) {
        php_error_docref(NULL, E_WARNING, "Swoole\\WebSocket\\Server->onBeforeHandshakeResponse "
                                          "handler error");
        swirl_http_resp_status(resp, 500, NULL);
        swirl_http_resp_end(resp, "", 0); /* the handshake fails, the connection closes */
    }
    swirl_php_request_done(&args[1]);
    swirl_php_response_done(&args[2]);
    zval_ptr_dtor(&args[1]);
    zval_ptr_dtor(&args[2]);
}

int swirl_php_ws_on(server_obj *o, const char *name, size_t len, zval *cb, bool *failed) {
    int which, rc;
    if (swirl_php_event_is(name, len, "handshake")) {
        which = HCB_HANDSHAKE;
        rc = swirl_ws_on_handshake(o->ws, on_handshake, o);
    } else if (swirl_php_event_is(name, len, "open")) {
        which = HCB_OPEN;
        rc = swirl_ws_on_open(o->ws, on_open, o);
    } else if (swirl_php_event_is(name, len, "message")) {
        which = HCB_MESSAGE;
        rc = swirl_ws_on_message(o->ws, on_message, o);
    } else if (swirl_php_event_is(name, len, "beforeHandshakeResponse")) {
        which = HCB_BEFORE_HANDSHAKE;
        rc = swirl_ws_on_before_response(o->ws, on_before_response, o);
    } else {
        return 0;
    }
    if (rc < 0) {
        swirl_php_warn(rc);
        *failed = true;
        return 1;
    }
    zval_ptr_dtor(&o->hcb[which]);
    ZVAL_COPY(&o->hcb[which], cb);
    return 1;
}

bool swirl_php_ws_prepare(server_obj *o) {
    if (Z_TYPE(o->hcb[HCB_MESSAGE]) == IS_UNDEF)
        return swirl_php_ports_prepare(o); /* "require onMessage callback" */
    /* the events the server has none for but a port has (conn_cb picks) */
    if (Z_TYPE(o->hcb[HCB_OPEN]) == IS_UNDEF && swirl_php_ports_have(o, PCB_HTTP + HCB_OPEN))
        swirl_ws_on_open(o->ws, on_open, o);
    if (Z_TYPE(o->hcb[HCB_BEFORE_HANDSHAKE]) == IS_UNDEF &&
        swirl_php_ports_have(o, PCB_HTTP + HCB_BEFORE_HANDSHAKE))
        swirl_ws_on_before_response(o->ws, on_before_response, o);
    /* a port's handshake callback: the core asks it for that port's connections only */
    zval rv, *ports = zend_read_property(swirl_php_server_ce, &o->std, "ports",
                                         sizeof("ports") - 1, 1, &rv),
             *z;
    if (Z_TYPE_P(ports) == IS_ARRAY) {
        ZEND_HASH_FOREACH_VAL(Z_ARR_P(ports), z) {
            if (Z_TYPE_P(z) != IS_OBJECT || Z_OBJCE_P(z) != swirl_php_port_ce)
                continue;
            port_obj *p = port_from(Z_OBJ_P(z));
            if (p->port && Z_TYPE(p->cb[PCB_HTTP + HCB_HANDSHAKE]) != IS_UNDEF &&
                swirl_ws_port_on_handshake(o->ws, p->port, on_handshake, o) < 0) {
                swirl_php_warn(swirl_last_error());
                return false;
            }
        }
        ZEND_HASH_FOREACH_END();
    }
    return swirl_php_ports_prepare(o);
}

/* ---- methods ------------------------------------------------------------------------------ */

/* In a method: `var` = the C WebSocket server, or return with the exception. */
#define WS_THIS(var)                                                                               \
    SERVER_THIS(var##_base);                                                                       \
    (void)var##_base;                                                                              \
    swirl_ws_server_t *var = server_from(Z_OBJ_P(ZEND_THIS))->ws;                                  \
    if (!var) {                                                                                    \
        zend_throw_error(NULL, "Swoole\\WebSocket\\Server is not constructed");                    \
        RETURN_THROWS();                                                                           \
    }

/* disconnect() with checks that name the fault (swirl_ws_close_check; code
 * 0 is 1000): false with a warning. */
static int do_disconnect(swirl_ws_server_t *ws, zend_long fd, zend_long code, const char *reason,
                         size_t rlen) {
    int rc = swirl_ws_close_check(code ? code : SWIRL_WS_CLOSE_NORMAL, reason, rlen);
    if (rc < 0) {
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        return rc;
    }
    char r[SWIRL_WS_CONTROL_MAX];
    memcpy(r, reason, rlen);
    r[rlen] = '\0';
    rc = swirl_ws_disconnect(ws, (int64_t)fd, (int)code, r);
    if (rc < 0 && rc != SWIRL_ECLOSED)
        swirl_php_warn(rc);
    return rc;
}

PHP_METHOD(Swoole_WebSocket_Server, push) {
    zend_long fd, opcode = SWIRL_WS_TEXT;
    zend_object *obj = NULL;
    zend_string *str = NULL;
    zval *finish = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 4)
    Z_PARAM_LONG(fd)
    Z_PARAM_OBJ_OF_CLASS_OR_STR(obj, frame_ce, str)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(opcode)
    Z_PARAM_ZVAL(finish)
    ZEND_PARSE_PARAMETERS_END();
    WS_THIS(ws);
    int flags;
    if (!flags_arg(finish, 4, &flags))
        RETURN_THROWS();
    out_frame_t f;
    char why[128];
    const char *fault = frame_out(&f, obj, str, opcode, flags);
    if (!fault && f.opcode != SWIRL_WS_CLOSE) /* a close is checked as disconnect() */
        fault = frame_fault(&f, why, sizeof why);
    if (fault) {
        php_error_docref(NULL, E_WARNING, "push to connection " ZEND_LONG_FMT ": %s", fd, fault);
        RETURN_FALSE;
    }
    if (f.opcode == SWIRL_WS_CLOSE) {
        /* the close handshake: disconnect() with the payload's code and reason */
        if (!f.close_frame) {
            if (swirl_ws_close_payload(f.data, f.len, &f.code, &f.reason, &f.reason_len) < 0) {
                php_error_docref(NULL, E_WARNING,
                                 "push to connection " ZEND_LONG_FMT ": a close payload is "
                                 "empty or starts with a 2-byte code, not 1 byte",
                                 fd);
                RETURN_FALSE;
            }
            if (f.code == SWIRL_WS_CLOSE_NO_STATUS)
                f.code = 0; /* an empty payload: disconnect()'s default */
        }
        RETURN_BOOL(do_disconnect(ws, fd, f.code, f.reason, f.reason_len) == 0);
    }
    int rc = swirl_ws_push(ws, (int64_t)fd, f.data, f.len, f.opcode, f.fin);
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_WebSocket_Server, disconnect) {
    zend_long fd, code = SWIRL_WS_CLOSE_NORMAL;
    zend_string *reason = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_LONG(fd)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(code)
    Z_PARAM_STR(reason)
    ZEND_PARSE_PARAMETERS_END();
    WS_THIS(ws);
    RETURN_BOOL(do_disconnect(ws, fd, code, reason ? ZSTR_VAL(reason) : "",
                              reason ? ZSTR_LEN(reason) : 0) == 0);
}

PHP_METHOD(Swoole_WebSocket_Server, isEstablished) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    WS_THIS(ws);
    RETURN_BOOL(swirl_ws_is_established(ws, (int64_t)fd));
}

PHP_METHOD(Swoole_WebSocket_Server, pack) {
    zend_long opcode = SWIRL_WS_TEXT;
    zend_object *obj = NULL;
    zend_string *str = NULL;
    zval *finish = NULL;
    bool mask = false;
    ZEND_PARSE_PARAMETERS_START(1, 4)
    Z_PARAM_OBJ_OF_CLASS_OR_STR(obj, frame_ce, str)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(opcode)
    Z_PARAM_ZVAL(finish)
    Z_PARAM_BOOL(mask)
    ZEND_PARSE_PARAMETERS_END();
    int flags;
    if (!flags_arg(finish, 3, &flags))
        RETURN_THROWS();
    out_frame_t f;
    const char *fault = frame_out(&f, obj, str, opcode, flags);
    /* pack() only makes bytes, and takes what Swoole's takes: any opcode
     * from 0 to 10 (reserved ones too) and control frames of any length,
     * which it always marks final. The protocol's limits are checked
     * where frames go on the wire (push, disconnect) and where they come
     * in. */
    if (!fault && (f.opcode < 0 || f.opcode > SWIRL_WS_PONG))
        fault = "the opcode must be between 0 and 10 (WEBSOCKET_OPCODE_*)";
    if (fault) {
        php_error_docref(NULL, E_WARNING, "%s", fault);
        RETURN_FALSE;
    }
    if (f.opcode >= SWIRL_WS_CLOSE)
        f.fin = true;
    if (mask)
        f.flags |= FLAG_MASK;
    RETURN_NEW_STR(frame_bytes(&f));
}

PHP_METHOD(Swoole_WebSocket_Server, unpack) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    swirl_ws_header_t h;
    int rc = swirl_ws_header_parse(ZSTR_VAL(data), ZSTR_LEN(data), 0x7, &h);
    if (rc < 0) {
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        RETURN_FALSE;
    }
    if (rc == 0 || ZSTR_LEN(data) - (size_t)rc < h.len)
        RETURN_FALSE; /* not a whole frame yet */
    const char *payload = ZSTR_VAL(data) + rc;
    size_t n = (size_t)h.len;
    char *copy = NULL;
    if (h.masked && n) {
        copy = emalloc(n);
        swirl_ws_unmask_copy(copy, payload, n, h.mask, 0);
        payload = copy;
    }
    int code;
    const char *reason;
    size_t reason_len;
    if (h.opcode == SWIRL_WS_CLOSE &&
        swirl_ws_close_payload(payload, n, &code, &reason, &reason_len) < 0) {
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        if (copy)
            efree(copy);
        RETURN_FALSE;
    }
    int flags = ((h.rsv & 0x4) ? FLAG_RSV1 : 0) | ((h.rsv & 0x2) ? FLAG_RSV2 : 0) |
                ((h.rsv & 0x1) ? FLAG_RSV3 : 0) | (h.masked ? FLAG_MASK : 0);
    frame_new(return_value, 0, payload, n, h.opcode, h.fin, flags);
    if (copy)
        efree(copy);
}

PHP_METHOD(Swoole_WebSocket_Frame, __toString) {
    ZEND_PARSE_PARAMETERS_NONE();
    out_frame_t f;
    char why[128];
    const char *fault = frame_out(&f, Z_OBJ_P(ZEND_THIS), NULL, 0, 0);
    if (!fault)
        fault = frame_fault(&f, why, sizeof why);
    if (fault) {
        zend_value_error("%s", fault);
        RETURN_THROWS();
    }
    RETURN_NEW_STR(frame_bytes(&f));
}

/* The slot of property `name` of ce. */
static uint32_t slot_of(zend_class_entry *ce, const char *name) {
    zend_property_info *pi = zend_hash_str_find_ptr(&ce->properties_info, name, strlen(name));
    ZEND_ASSERT(pi && !(pi->flags & ZEND_ACC_STATIC));
    return pi->offset;
}

void swirl_websocket_minit(int module_number) {
    register_websocket_symbols(module_number);
    swirl_php_ws_server_ce = register_class_Swoole_WebSocket_Server(swirl_php_http_server_ce);
    swirl_php_alias("swoole_websocket_server", swirl_php_ws_server_ce);

    frame_ce = register_class_Swoole_WebSocket_Frame();
    swirl_php_alias("swoole_websocket_frame", frame_ce);
    close_frame_ce = register_class_Swoole_WebSocket_CloseFrame(frame_ce);
    swirl_php_alias("swoole_websocket_closeframe", close_frame_ce);
    slot_fd = slot_of(frame_ce, "fd");
    slot_data = slot_of(frame_ce, "data");
    slot_opcode = slot_of(frame_ce, "opcode");
    slot_flags = slot_of(frame_ce, "flags");
    slot_finish = slot_of(frame_ce, "finish");
    slot_code = slot_of(close_frame_ce, "code");
    slot_reason = slot_of(close_frame_ce, "reason");
}
