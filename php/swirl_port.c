/* swirl_port.c — Swoole's multi-protocol ports on an Http\Server or
 * WebSocket\Server (seed 002 §2.4): what each extra port speaks is the
 * core's rule (swirl_http_port_protocols: a port given no settings speaks
 * what the main one does, one given settings only what they say), and the
 * binding maps it:
 * - a port that speaks HTTP takes request, and on a WebSocket server
 *   handshake, beforeHandshakeResponse, open and message callbacks of its
 *   own; an event it has none for goes to the server's;
 * - a port that does not speak HTTP is a plain TCP (or UDP) port with its
 *   own connect, receive, close and packet callbacks (falling back to the
 *   server's, as on a Swoole\Server);
 * - Port::getCallback($name): the callback set on the port, or null.
 * At start, a plain stream port with no receive callback (its own or the
 * server's) and a datagram port with no packet callback are fatal errors
 * with Swoole's "require onReceive callback" / "require onPacket
 * callback"; a callback its protocol never calls is a warning. */
#include "swirl_server.h"

#include <zend_interfaces.h>

static const struct {
    const char *name;
    int which;
} port_events[] = {
    {"connect", PCB_CONNECT},
    {"receive", PCB_RECEIVE},
    {"close", PCB_CLOSE},
    {"packet", PCB_PACKET},
    {"request", PCB_HTTP + HCB_REQUEST},
    {"handshake", PCB_HTTP + HCB_HANDSHAKE},
    {"beforeHandshakeResponse", PCB_HTTP + HCB_BEFORE_HANDSHAKE},
    {"open", PCB_HTTP + HCB_OPEN},
    {"message", PCB_HTTP + HCB_MESSAGE},
};

int swirl_php_port_event(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof port_events / sizeof port_events[0]; i++)
        if (swirl_php_event_is(name, len, port_events[i].name))
            return port_events[i].which;
    return -1;
}

static const char *port_event_name(int which) {
    for (size_t i = 0; i < sizeof port_events / sizeof port_events[0]; i++)
        if (port_events[i].which == which)
            return port_events[i].name;
    return "?";
}

/* The Port objects of the server's extra listeners: call fn for each. */
#define FOR_EACH_PORT(o, p)                                                                        \
    zval rv_,                                                                                      \
        *ports_ = zend_read_property(swirl_php_server_ce, &(o)->std, "ports", sizeof("ports") - 1, \
                                     1, &rv_),                                                     \
        *z_;                                                                                       \
    if (Z_TYPE_P(ports_) == IS_ARRAY)                                                              \
        ZEND_HASH_FOREACH_VAL(Z_ARR_P(ports_), z_)                                                 \
    if (Z_TYPE_P(z_) == IS_OBJECT && Z_OBJCE_P(z_) == swirl_php_port_ce &&                         \
        port_from(Z_OBJ_P(z_))->port)                                                              \
        for (port_obj *p = port_from(Z_OBJ_P(z_)); p; p = NULL)

zval *swirl_php_port_hcb(server_obj *o, const swirl_port_t *port, int hcb) {
    if (port) {
        FOR_EACH_PORT(o, p) {
            if (p->port == port && Z_TYPE(p->cb[PCB_HTTP + hcb]) != IS_UNDEF)
                return &p->cb[PCB_HTTP + hcb];
        }
        ZEND_HASH_FOREACH_END();
    }
    return &o->hcb[hcb];
}

bool swirl_php_ports_have(server_obj *o, int which) {
    bool found = false;
    FOR_EACH_PORT(o, p) { found |= Z_TYPE(p->cb[which]) != IS_UNDEF; }
    ZEND_HASH_FOREACH_END();
    return found;
}

/* Is a callback for server event `type` set, on the server or (when
 * `port` is not NULL) on that port? */
static bool has_cb(server_obj *o, port_obj *p, int which, swirl_event_type_t type) {
    return Z_TYPE(o->cb[type]) != IS_UNDEF || (p && Z_TYPE(p->cb[which]) != IS_UNDEF);
}

bool swirl_php_ports_prepare(server_obj *o) {
    /* the main port first, as Swoole: its own callback is required */
    if (o->ws && Z_TYPE(o->hcb[HCB_MESSAGE]) == IS_UNDEF) {
        php_error_docref(NULL, E_ERROR, "require onMessage callback");
        return false;
    }
    if (o->http && !o->ws && Z_TYPE(o->hcb[HCB_REQUEST]) == IS_UNDEF) {
        php_error_docref(NULL, E_ERROR, "require onRequest callback");
        return false;
    }
    if (!o->http) {
        zval rv, *tz = zend_read_property(swirl_php_server_ce, &o->std, "type", 4, 1, &rv);
        zend_long type = Z_TYPE_P(tz) == IS_LONG ? Z_LVAL_P(tz) : SWIRL_SOCK_TCP;
        bool stream = swirl_sock_is_stream((swirl_sock_type_t)(type & ~SWIRL_SOCK_SSL));
        if (!stream && !has_cb(o, NULL, PCB_PACKET, SWIRL_ON_PACKET)) {
            php_error_docref(NULL, E_ERROR, "require onPacket callback");
            return false;
        }
        if (stream && !has_cb(o, NULL, PCB_RECEIVE, SWIRL_ON_RECEIVE)) {
            php_error_docref(NULL, E_ERROR, "require onReceive callback");
            return false;
        }
    }
    FOR_EACH_PORT(o, p) {
        zval hrv, *host = zend_read_property(swirl_php_port_ce, &p->std, "host", 4, 1, &hrv);
        zend_long num = swirl_port_bound_port(p->port) > 0 ? swirl_port_bound_port(p->port) : 0;
        zval prv, *pz = zend_read_property(swirl_php_port_ce, &p->std, "port", 4, 1, &prv);
        if (!num && Z_TYPE_P(pz) == IS_LONG)
            num = Z_LVAL_P(pz);
        const char *h = Z_TYPE_P(host) == IS_STRING ? Z_STRVAL_P(host) : "?";
        int proto = o->http ? swirl_http_port_protocols(o->http, p->port) : 0;
        zval lrv, *tz = zend_read_property(swirl_php_port_ce, &p->std, "type", 4, 1, &lrv);
        zend_long type = Z_TYPE_P(tz) == IS_LONG ? Z_LVAL_P(tz) : 0;
        bool stream = swirl_sock_is_stream((swirl_sock_type_t)(type & ~SWIRL_SOCK_SSL));
        if (!stream && Z_TYPE(p->cb[PCB_PACKET]) == IS_UNDEF &&
            Z_TYPE(o->cb[SWIRL_ON_PACKET]) == IS_UNDEF) {
            php_error_docref(NULL, E_ERROR, "require onPacket callback");
            return false;
        }
        if (stream && !proto && Z_TYPE(p->cb[PCB_RECEIVE]) == IS_UNDEF &&
            Z_TYPE(o->cb[SWIRL_ON_RECEIVE]) == IS_UNDEF) {
            php_error_docref(NULL, E_ERROR, "require onReceive callback");
            return false;
        }
        /* callbacks its protocol never calls */
        for (int w = 0; w < PCB__COUNT; w++) {
            if (Z_TYPE(p->cb[w]) == IS_UNDEF)
                continue;
            const char *why = NULL;
            if (w >= PCB_HTTP && !proto)
                why = "does not speak HTTP (its settings leave open_http_protocol off)";
            else if (w == PCB_RECEIVE && proto)
                why = "speaks HTTP: its bytes go to the request callback";
            else if (w >= PCB_HTTP && w != PCB_HTTP + HCB_REQUEST && !(proto & SWIRL_HTTP_PROTO_WS))
                why = "does not speak WebSocket (open_websocket_protocol is off)";
            if (why) {
                php_error_docref(NULL, E_WARNING,
                                 "port %s:" ZEND_LONG_FMT " %s: its `%s` callback is never called",
                                 h, num, why, port_event_name(w));
            }
        }
    }
    ZEND_HASH_FOREACH_END();
    return true;
}

PHP_METHOD(Swoole_Server_Port, getCallback) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    port_obj *p = port_from(Z_OBJ_P(ZEND_THIS));
    if (!p->server) {
        zend_throw_error(NULL, "Swoole\\Server\\Port is not a server's port");
        RETURN_THROWS();
    }
    if (!p->port) { /* the main listener: the server's */
        zval zname;
        ZVAL_STR(&zname, name);
        zend_call_method_with_1_params(p->server, p->server->ce, NULL, "getcallback", return_value,
                                       &zname);
        return;
    }
    int which = swirl_php_port_event(ZSTR_VAL(name), ZSTR_LEN(name));
    if (which < 0 || Z_TYPE(p->cb[which]) == IS_UNDEF)
        RETURN_NULL();
    RETURN_COPY(&p->cb[which]);
}
