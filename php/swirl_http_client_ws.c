/* swirl_http_client_ws.c — the WebSocket part of Swoole\Http\Client
 * (swoole_http_client): upgrade(), push(), the message event and close()'s
 * close handshake, on swirl_ws_client_t (swirl/ws_client.h). Every
 * WebSocket rule (the URL, the 101's check, framing, masking, UTF-8,
 * permessage-deflate, pings, the close handshake, timeouts) is the C
 * client's; this file converts values and maps what happens to Swoole's
 * callbacks and properties:
 * - upgrade($path, $cb) opens a WebSocket connection of its own (the HTTP
 *   part's kept connection is not reused) with the requestHeaders and
 *   cookies of setHeaders()/setCookies() (the handshake's own headers are
 *   the C client's; a Sec-WebSocket-Protocol header becomes the
 *   subprotocols offered) and set()'s timeout (the handshake's, and how
 *   long close() waits for the answer), websocket_compression,
 *   ssl_verify_peer, ssl_cafile and ssl_host_name. $cb gets the client once
 *   the 101 is checked (statusCode 101, headers), or once the upgrade
 *   failed: statusCode is then the server's status when it refused (403,
 *   ...), -1 when the connection could not be made (after the error
 *   event), -2 on a timeout, -3 when the server closed or broke the
 *   handshake (a 101 that fails the check among them); errCode is 8504
 *   (SWOOLE_ERROR_WEBSOCKET_HANDSHAKE_FAILED) when an answer came, else the
 *   failure's code; errMsg the C client's message naming it.
 * - message ($cli, $frame): a Swoole\WebSocket\Frame per message (whole,
 *   inflated), ping and pong (a ping is already answered), and the
 *   server's close frame as a CloseFrame (code, reason) before close.
 * - close, once, when an upgraded connection ended (after the server's
 *   close, our close(), or a fault, which errCode/errMsg name), or after
 *   a failed upgrade that had reached the server.
 * While the WebSocket lives the object holds a reference on itself, so
 * the callbacks run even if the script dropped its variable. */
#include "swirl_http_client.h"

#include <ext/standard/url.h>
#include <zend_smart_str.h>

#define WS_BAD_OPCODE 8502       /* SWOOLE_ERROR_WEBSOCKET_BAD_OPCODE */
#define WS_UNCONNECTED 8503      /* SWOOLE_ERROR_WEBSOCKET_UNCONNECTED */
#define WS_HANDSHAKE_FAILED 8504 /* SWOOLE_ERROR_WEBSOCKET_HANDSHAKE_FAILED */

#define UPDATE_LONG(name, v)                                                                       \
    zend_update_property_long(swirl_hcli_ce, &o->std, name, sizeof(name) - 1, v)
#define UPDATE_STR(name, v)                                                                        \
    zend_update_property_string(swirl_hcli_ce, &o->std, name, sizeof(name) - 1, v)

static void set_err(hcli_obj *o, zend_long code, const char *msg) {
    UPDATE_LONG("errCode", code);
    UPDATE_STR("errMsg", msg ? msg : "");
}

static void ws_hold(hcli_obj *o) {
    if (!o->ws_held) {
        GC_ADDREF(&o->std);
        o->ws_held = true;
    }
}

static void ws_release(hcli_obj *o) {
    if (o->ws_held) {
        o->ws_held = false;
        OBJ_RELEASE(&o->std);
    }
}

bool swirl_hcli_ws_live(hcli_obj *o) {
    return o->ws && !o->ws_closed && o->pid == getpid() &&
           swirl_ws_client_state(o->ws) != SWIRL_WS_CLIENT_CLOSED;
}

/* statusCode, headers (lower-case names) from the server's answer, body "". */
static void set_head(hcli_obj *o, zend_long code) {
    const swirl_http_header_t *h = NULL;
    size_t n = 0;
    swirl_ws_client_response(o->ws, &h, &n);
    zval headers;
    array_init(&headers);
    for (size_t i = 0; i < n; i++) {
        zend_string *name = zend_string_tolower(zend_string_init(h[i].name, h[i].name_len, 0));
        zval v;
        ZVAL_STRINGL(&v, h[i].value, h[i].value_len);
        zend_symtable_update(Z_ARRVAL(headers), name, &v);
        zend_string_release(name);
    }
    UPDATE_LONG("statusCode", code);
    zend_update_property(swirl_hcli_ce, &o->std, "headers", sizeof("headers") - 1, &headers);
    UPDATE_STR("body", "");
    zval_ptr_dtor(&headers);
}

static void call_message(hcli_obj *o, const char *data, size_t len, int opcode) {
    if (Z_ISUNDEF(o->on_message))
        return;
    zval args[2], fn;
    ZVAL_OBJ_COPY(&args[0], &o->std);
    swirl_php_ws_frame_new(&args[1], data, len, opcode, true);
    ZVAL_COPY(&fn, &o->on_message);
    swirl_php_event_call(&fn, 2, args);
    zval_ptr_dtor(&fn);
    zval_ptr_dtor(&args[1]);
    zval_ptr_dtor(&args[0]);
}

/* ---- the C client's callbacks ------------------------------------------------------------ */

static void ws_open(swirl_ws_client_t *c, void *user) {
    hcli_obj *o = user;
    o->ws_upgraded = true;
    if (o->ws_quiet)
        return;
    set_head(o, swirl_ws_client_response(c, NULL, NULL));
    set_err(o, 0, "");
    zval cb;
    ZVAL_COPY_VALUE(&cb, &o->ws_cb);
    ZVAL_UNDEF(&o->ws_cb);
    GC_ADDREF(&o->std);
    swirl_hcli_call(o, &cb);
    zval_ptr_dtor(&cb);
    OBJ_RELEASE(&o->std);
}

static void ws_message(swirl_ws_client_t *c, void *user, int opcode, const char *data, size_t len) {
    (void)c;
    hcli_obj *o = user;
    if (o->ws_quiet)
        return;
    GC_ADDREF(&o->std);
    call_message(o, data, len, opcode);
    OBJ_RELEASE(&o->std);
}

static void ws_close(swirl_ws_client_t *c, void *user, int code, const char *reason,
                     size_t reason_len, bool clean) {
    (void)c;
    hcli_obj *o = user;
    o->ws_closed = true;
    if (o->ws_quiet) {
        ws_release(o);
        return;
    }
    GC_ADDREF(&o->std);
    ws_release(o);
    if (clean) { /* the server's close frame, as Swoole's client delivered it */
        set_err(o, 0, "");
        char buf[SWIRL_WS_CONTROL_MAX];
        size_t n = 0;
        if (code != SWIRL_WS_CLOSE_NO_STATUS) {
            buf[0] = (char)(code >> 8);
            buf[1] = (char)code;
            n = reason_len > sizeof(buf) - 2 ? sizeof(buf) - 2 : reason_len;
            memcpy(buf + 2, reason, n);
            n += 2;
        }
        call_message(o, buf, n, SWIRL_WS_CLOSE);
    }
    swirl_hcli_call(o, &o->on_close);
    OBJ_RELEASE(&o->std);
}

static void ws_error(swirl_ws_client_t *c, void *user, int status) {
    hcli_obj *o = user;
    if (o->ws_upgraded) { /* a fault of an open connection: on_close follows */
        if (!o->ws_quiet)
            set_err(o, swirl_php_errcode(status), swirl_ws_client_errmsg(c));
        return;
    }
    /* the upgrade failed: nothing follows */
    o->ws_closed = true;
    if (o->ws_quiet) {
        ws_release(o);
        return;
    }
    int answered = swirl_ws_client_response(c, NULL, NULL);
    /* a TLS handshake that failed is a failed connect, as Swoole's (the
     * C client reports it as SWIRL_EPROTO naming the TLS handshake) */
    bool tls = status == SWIRL_EPROTO && strstr(swirl_ws_client_errmsg(c), "TLS handshake");
    zend_long code = answered > 0 && answered != 101                               ? answered
                     : answered == 101                                             ? -3
                     : status == -ETIMEDOUT                                        ? -2
                     : !tls && (status == SWIRL_EPROTO || status == SWIRL_ECLOSED) ? -3
                                                                                   : -1;
    GC_ADDREF(&o->std);
    ws_release(o);
    set_head(o, code);
    set_err(o, answered > 0 ? WS_HANDSHAKE_FAILED : swirl_php_errcode(status),
            swirl_ws_client_errmsg(c));
    zval cb;
    ZVAL_COPY_VALUE(&cb, &o->ws_cb);
    ZVAL_UNDEF(&o->ws_cb);
    if (code == -1)
        swirl_hcli_call(o, &o->on_error);
    swirl_hcli_call(o, &cb);
    zval_ptr_dtor(&cb);
    if (code != -1)
        swirl_hcli_call(o, &o->on_close);
    OBJ_RELEASE(&o->std);
}

static const swirl_ws_client_callbacks_t ws_cbs = {ws_open, ws_message, ws_close, ws_error};

/* ---- upgrade ------------------------------------------------------------------------------ */

/* The options' lists: strings owned here, a NULL-terminated array. */
typedef struct {
    zend_string **s;
    const char **v;
    size_t n, cap;
} list_t;

static void list_add(list_t *l, zend_string *s) {
    if (l->n + 2 > l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->s = erealloc(l->s, l->cap * sizeof(*l->s));
        l->v = erealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->s[l->n] = s;
    l->v[l->n++] = ZSTR_VAL(s);
    l->v[l->n] = NULL;
}

static void list_free(list_t *l) {
    for (size_t i = 0; i < l->n; i++)
        zend_string_release(l->s[i]);
    if (l->s)
        efree(l->s);
    if (l->v)
        efree(l->v);
}

/* The handshake's own headers: the C client writes them. */
static bool own_header(zend_string *k) {
    static const char *const own[] = {"upgrade",
                                      "connection",
                                      "sec-websocket-key",
                                      "sec-websocket-version",
                                      "sec-websocket-accept",
                                      "sec-websocket-extensions"};
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        if (strcasecmp(ZSTR_VAL(k), own[i]) == 0)
            return true;
    return false;
}

/* Sec-WebSocket-Protocol "a, b" into the subprotocols offered. */
static void add_protocols(list_t *p, zend_string *v) {
    const char *s = ZSTR_VAL(v), *end = s + ZSTR_LEN(v);
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
            s++;
        const char *t = s;
        while (t < end && *t != ',')
            t++;
        const char *e = t;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s)
            list_add(p, zend_string_init(s, (size_t)(e - s), 0));
        s = t;
    }
}

static void fill_headers(hcli_obj *o, list_t *h, list_t *p) {
    zval rv;
    zval *headers = zend_read_property(swirl_hcli_ce, &o->std, "requestHeaders",
                                       sizeof("requestHeaders") - 1, 1, &rv);
    bool cookie = false;
    if (Z_TYPE_P(headers) == IS_ARRAY) {
        zend_string *k;
        zval *v;
        ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(headers), k, v) {
            if (!k || own_header(k))
                continue;
            zend_string *s = zval_get_string(v);
            if (strcasecmp(ZSTR_VAL(k), "sec-websocket-protocol") == 0) {
                add_protocols(p, s);
                zend_string_release(s);
                continue;
            }
            cookie |= strcasecmp(ZSTR_VAL(k), "cookie") == 0;
            list_add(h, zend_string_copy(k));
            list_add(h, s);
        }
        ZEND_HASH_FOREACH_END();
    }
    zval *cookies =
        zend_read_property(swirl_hcli_ce, &o->std, "cookies", sizeof("cookies") - 1, 1, &rv);
    if (cookie || Z_TYPE_P(cookies) != IS_ARRAY)
        return;
    smart_str c = {0};
    zend_string *k;
    zval *v;
    ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(cookies), k, v) {
        if (!k)
            continue;
        zend_string *s = zval_get_string(v);
        zend_string *e = php_url_encode(ZSTR_VAL(s), ZSTR_LEN(s));
        if (c.s)
            smart_str_appends(&c, "; ");
        smart_str_append(&c, k);
        smart_str_appendc(&c, '=');
        smart_str_append(&c, e);
        zend_string_release(e);
        zend_string_release(s);
    }
    ZEND_HASH_FOREACH_END();
    smart_str_0(&c);
    if (c.s) {
        list_add(h, zend_string_init("Cookie", 6, 0));
        list_add(h, c.s);
    }
}

/* Forget a WebSocket that has ended (or, quiet, end it). */
static void drop_ws(hcli_obj *o) {
    if (!o->ws)
        return;
    swirl_ws_client_t *c = o->ws;
    o->ws = NULL;
    o->ws_quiet = true;
    swirl_ws_client_free(c);
    o->ws_quiet = false;
}

PHP_METHOD(Swoole_Http_Client, upgrade) {
    zend_string *path;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(path)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    hcli_obj *o = hcli_from(Z_OBJ_P(ZEND_THIS));
    if (memchr(ZSTR_VAL(path), 0, ZSTR_LEN(path))) {
        zend_argument_value_error(1, "must not contain any null bytes");
        RETURN_THROWS();
    }
    if (Z_ISUNDEF(o->on_message)) {
        php_error_docref(NULL, E_WARNING,
                         "cannot use the upgrade method, must first register "
                         "the onMessage event callback.");
        RETURN_FALSE;
    }
    if (o->pid && o->pid != getpid()) {
        php_error_docref(NULL, E_WARNING, "this client was used in process %d, not this one",
                         (int)o->pid);
        RETURN_FALSE;
    }
    if (o->call || swirl_hcli_ws_live(o)) {
        php_error_docref(NULL, E_WARNING, "a request is already in flight on this client");
        RETURN_FALSE;
    }
    swirl_loop_t *loop = swirl_php_loop();
    if (!loop || !swirl_php_event_autorun())
        RETURN_FALSE;
    drop_ws(o); /* an upgrade that ended before */
    zval rv;
    zval *host = zend_read_property(swirl_hcli_ce, &o->std, "host", 4, 1, &rv);
    zval *port = zend_read_property(swirl_hcli_ce, &o->std, "port", 4, 1, &rv);
    zval *ssl = zend_read_property(swirl_hcli_ce, &o->std, "ssl", 3, 1, &rv);
    const char *h = Z_TYPE_P(host) == IS_STRING ? Z_STRVAL_P(host) : "";
    bool v6 = strchr(h, ':') != NULL;
    const char *p = ZSTR_VAL(path);
    zend_string *url = zend_strpprintf(
        0, "%s://%s%s%s:" ZEND_LONG_FMT "%s%s", zend_is_true(ssl) ? "wss" : "ws", v6 ? "[" : "", h,
        v6 ? "]" : "", zval_get_long(port), p[0] == '/' ? "" : "/", p);
    swirl_ws_client_options_t opt;
    swirl_ws_client_options_init(&opt);
    if (o->timeout > 0) /* the handshake's, and our close's wait for the answer */
        opt.timeout = opt.close_timeout = o->timeout > 86400 ? 86400 : o->timeout;
    opt.deflate = o->websocket_compression;
    opt.verify_peer = o->verify_peer;
    opt.ca_file = o->cafile ? ZSTR_VAL(o->cafile) : NULL;
    opt.host_name = o->host_name ? ZSTR_VAL(o->host_name) : NULL;
    list_t hd = {0}, protos = {0};
    fill_headers(o, &hd, &protos);
    opt.headers = hd.n ? hd.v : NULL;
    opt.subprotocols = protos.n ? protos.v : NULL;
    swirl_ws_client_t *c = NULL;
    int rc = swirl_ws_client_new(&c, loop, ZSTR_VAL(url), &opt, &ws_cbs, o);
    list_free(&hd);
    list_free(&protos);
    zend_string_release(url);
    if (rc == 0 && (rc = swirl_ws_client_connect(c)) < 0) {
        set_err(o, swirl_php_errcode(rc), swirl_ws_client_errmsg(c));
        swirl_ws_client_free(c); /* idle or failed to start: no callback */
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    if (rc < 0) {
        set_err(o, swirl_php_errcode(rc), swirl_php_error_msg(rc));
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    o->ws = c;
    o->pid = getpid();
    set_err(o, 0, "");
    o->ws_upgraded = o->ws_closed = false;
    zval_ptr_dtor(&o->ws_cb);
    ZVAL_COPY(&o->ws_cb, cb);
    ws_hold(o);
    RETURN_TRUE;
}

/* ---- push and close ------------------------------------------------------------------------ */

PHP_METHOD(Swoole_Http_Client, push) {
    zend_string *data;
    zend_long opcode = SWIRL_WS_TEXT;
    bool finish = true;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_STR(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(opcode)
    Z_PARAM_BOOL(finish)
    ZEND_PARSE_PARAMETERS_END();
    hcli_obj *o = hcli_from(Z_OBJ_P(ZEND_THIS));
    if (!swirl_hcli_ws_live(o) || !o->ws_upgraded ||
        swirl_ws_client_state(o->ws) != SWIRL_WS_CLIENT_OPEN) {
        bool refused = o->ws && !o->ws_upgraded && o->ws_closed;
        const char *why = refused ? "websocket handshake failed, cannot push data."
                          : o->ws && !o->ws_closed && o->ws_upgraded
                              ? "the connection is closing, cannot push data."
                              : "not connected to the server";
        set_err(o, refused ? WS_HANDSHAKE_FAILED : WS_UNCONNECTED, why);
        php_error_docref(NULL, E_WARNING, "%s", why);
        RETURN_FALSE;
    }
    const char *d = ZSTR_VAL(data);
    size_t n = ZSTR_LEN(data);
    int rc;
    switch (opcode) {
    case SWIRL_WS_CLOSE: {
        /* the close handshake, with the payload's code and reason */
        int code = SWIRL_WS_CLOSE_NORMAL;
        const char *reason = NULL;
        size_t reason_len = 0;
        char buf[SWIRL_WS_CONTROL_MAX];
        if (n && swirl_ws_close_payload(d, n, &code, &reason, &reason_len) < 0) {
            set_err(o, WS_BAD_OPCODE, "a close payload is a 2-byte code and a reason");
            php_error_docref(NULL, E_WARNING,
                             "push: a close payload is empty or a 2-byte code "
                             "and a reason, not 1 byte");
            RETURN_FALSE;
        }
        if (reason_len >= sizeof(buf) || (reason && memchr(reason, 0, reason_len))) {
            set_err(o, WS_BAD_OPCODE, "a close reason has at most 123 bytes, no NUL");
            php_error_docref(NULL, E_WARNING,
                             "push: a close reason has at most 123 bytes of UTF-8, no NUL");
            RETURN_FALSE;
        }
        if (reason)
            memcpy(buf, reason, reason_len);
        buf[reason_len] = 0;
        rc = swirl_ws_client_close(o->ws, code == SWIRL_WS_CLOSE_NO_STATUS ? 0 : code,
                                   reason_len ? buf : NULL);
        break;
    }
    case SWIRL_WS_TEXT:
    case SWIRL_WS_BINARY:
        rc = finish ? swirl_ws_client_send(o->ws, (int)opcode, d, n)
                    : swirl_ws_client_send_frame(o->ws, (int)opcode, false, d, n);
        break;
    case SWIRL_WS_CONTINUATION:
    case SWIRL_WS_PING:
    case SWIRL_WS_PONG:
        rc = swirl_ws_client_send_frame(o->ws, (int)opcode, finish, d, n);
        break;
    default:
        set_err(o, WS_BAD_OPCODE, "bad opcode");
        php_error_docref(NULL, E_WARNING,
                         "push: opcode " ZEND_LONG_FMT " is not a WEBSOCKET_OPCODE_* one", opcode);
        RETURN_FALSE;
    }
    if (rc < 0) {
        set_err(o, swirl_php_errcode(rc), swirl_php_error_msg(rc));
        if (rc == SWIRL_EBADARG)
            php_error_docref(NULL, E_WARNING, "push: %s", swirl_php_error_msg(rc));
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

bool swirl_hcli_ws_close(hcli_obj *o) {
    swirl_ws_client_state_t st = swirl_ws_client_state(o->ws);
    if (st == SWIRL_WS_CLIENT_OPEN)
        return swirl_ws_client_close(o->ws, SWIRL_WS_CLOSE_NORMAL, NULL) == 0;
    if (st != SWIRL_WS_CLIENT_CONNECTING && st != SWIRL_WS_CLIENT_IDLE)
        return false; /* closing already */
    /* still upgrading: it ends without its callback, as a request's close() */
    GC_ADDREF(&o->std);
    drop_ws(o);
    ws_release(o);
    zval_ptr_dtor(&o->ws_cb);
    ZVAL_UNDEF(&o->ws_cb);
    swirl_hcli_call(o, &o->on_close);
    OBJ_RELEASE(&o->std);
    return true;
}

void swirl_hcli_ws_free(hcli_obj *o) {
    o->ws_held = false; /* the object is going: no reference to drop */
    if (o->ws && o->pid == getpid())
        drop_ws(o);
    o->ws = NULL; /* a forked child leaves its parent's connection alone */
    zval_ptr_dtor(&o->ws_cb);
    ZVAL_UNDEF(&o->ws_cb);
}

void swirl_hcli_ws_gc(hcli_obj *o, zend_get_gc_buffer *buf) {
    zend_get_gc_buffer_add_zval(buf, &o->ws_cb);
}
