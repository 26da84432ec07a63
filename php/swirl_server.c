/* swirl_server.c — Swoole\Server (swoole_server) on swirl_server_t.
 *
 * The PHP callables given to on() are kept in the object, one per event,
 * and one C callback (swirl_php_server_dispatch, swirl_server_events.c)
 * calls them with Swoole's arguments. The C core runs every event in a process's main thread
 * (master, manager, worker, task worker), never on a reactor thread, so PHP
 * is only ever entered from the thread that runs the script. The methods
 * acting on a running server are in swirl_server_methods.c.
 *
 * Task and pipe-message data are PHP values: a string travels as it is, any
 * other value serialized (php_var_serialize), with one leading byte saying
 * which (TASK_RAW / TASK_SERIALIZED).
 *
 * A callback that throws, exits or dies with a fatal error ends its process
 * as in Swoole: PHP reports the error, what was echoed is flushed, and the
 * process _exits (255, or exit()'s status); the manager replaces a worker
 * that ends so. Forked children never run PHP's request shutdown (which
 * would free the server of the master). */
#include "swirl_server.h"

#include <SAPI.h>
#include <ext/standard/php_var.h>
#include <main/php_output.h>
#include <zend_exceptions.h>
#include <zend_smart_str.h>

#include <errno.h>
#include <unistd.h>

#include "stubs/server_arginfo.h"

zend_class_entry *swirl_php_server_ce;
zend_class_entry *swirl_php_port_ce;
static zend_object_handlers server_handlers;
static zend_object_handlers port_handlers;

static zend_object *server_create_object(zend_class_entry *ce) {
    server_obj *o = zend_object_alloc(sizeof(server_obj), ce);
    for (int i = 0; i < SWIRL_ON__COUNT; i++)
        ZVAL_UNDEF(&o->cb[i]);
    for (int i = 0; i < HCB__COUNT; i++)
        ZVAL_UNDEF(&o->hcb[i]);
    array_init(&o->procs);
    array_init(&o->commands);
    ZVAL_UNDEF(&o->length_fn);
    o->event = -1;
    zend_hash_init(&o->finish_cbs, 8, NULL, ZVAL_PTR_DTOR, 0);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &server_handlers;
    return &o->std;
}

static void server_free_object(zend_object *obj) {
    server_obj *o = server_from(obj);
    for (int i = 0; i < SWIRL_ON__COUNT; i++)
        zval_ptr_dtor(&o->cb[i]);
    for (int i = 0; i < HCB__COUNT; i++)
        zval_ptr_dtor(&o->hcb[i]);
    zend_hash_destroy(&o->finish_cbs);
    if (o->ws)
        swirl_ws_server_free(o->ws); /* with its HTTP and TCP servers */
    else if (o->http)
        swirl_http_server_free(o->http);
    else if (o->srv)
        swirl_server_free(o->srv);
    o->srv = NULL;
    o->http = NULL;
    o->ws = NULL;
    zend_object_std_dtor(obj);
    zval_ptr_dtor(&o->procs); /* after the server: its user processes referred to them */
    zval_ptr_dtor(&o->commands);
    zval_ptr_dtor(&o->length_fn); /* after the server, whose framing pointed to it */
}

/* The callables are part of the object for the cycle collector (a closure
 * that uses $server). */
static HashTable *server_get_gc(zend_object *obj, zval **table, int *n) {
    server_obj *o = server_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    for (int i = 0; i < SWIRL_ON__COUNT; i++)
        zend_get_gc_buffer_add_zval(buf, &o->cb[i]);
    for (int i = 0; i < HCB__COUNT; i++)
        zend_get_gc_buffer_add_zval(buf, &o->hcb[i]);
    zend_get_gc_buffer_add_zval(buf, &o->procs);
    zend_get_gc_buffer_add_zval(buf, &o->commands);
    zend_get_gc_buffer_add_zval(buf, &o->length_fn);
    zval *z;
    ZEND_HASH_FOREACH_VAL(&o->finish_cbs, z) { zend_get_gc_buffer_add_zval(buf, z); }
    ZEND_HASH_FOREACH_END();
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

swirl_server_t *swirl_php_this_server(zval *this_) {
    server_obj *o = server_from(Z_OBJ_P(this_));
    if (!o->srv)
        zend_throw_error(NULL, "Swoole\\Server is not constructed");
    return o->srv;
}

/* ---- ports -------------------------------------------------------------------------------- */

static zend_object *port_create_object(zend_class_entry *ce) {
    port_obj *p = zend_object_alloc(sizeof(port_obj), ce);
    for (int i = 0; i < PCB__COUNT; i++)
        ZVAL_UNDEF(&p->cb[i]);
    ZVAL_UNDEF(&p->length_fn);
    zend_object_std_init(&p->std, ce);
    object_properties_init(&p->std, ce);
    p->std.handlers = &port_handlers;
    return &p->std;
}

static void port_free_object(zend_object *obj) {
    port_obj *p = port_from(obj);
    for (int i = 0; i < PCB__COUNT; i++)
        zval_ptr_dtor(&p->cb[i]);
    zval_ptr_dtor(&p->length_fn);
    if (p->server)
        OBJ_RELEASE(p->server);
    p->server = NULL;
    zend_object_std_dtor(obj);
}

static HashTable *port_get_gc(zend_object *obj, zval **table, int *n) {
    port_obj *p = port_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    for (int i = 0; i < PCB__COUNT; i++)
        zend_get_gc_buffer_add_zval(buf, &p->cb[i]);
    zend_get_gc_buffer_add_zval(buf, &p->length_fn);
    if (p->server)
        zend_get_gc_buffer_add_obj(buf, p->server);
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

/* A Port object for `port` (NULL: the main listener), appended to the
 * server's `ports`; returns it (borrowed). */
zend_object *swirl_php_add_port(server_obj *o, swirl_port_t *port, const char *host, zend_long num,
                                zend_long type) {
    zend_object *obj = port_create_object(swirl_php_port_ce);
    port_obj *p = port_from(obj);
    p->port = port;
    p->server = &o->std;
    GC_ADDREF(&o->std);
    zend_update_property_string(swirl_php_port_ce, obj, "host", sizeof("host") - 1, host);
    zend_update_property_long(swirl_php_port_ce, obj, "port", sizeof("port") - 1, num);
    zend_update_property_long(swirl_php_port_ce, obj, "type", sizeof("type") - 1, type);
    zval rv, *ports = zend_read_property(swirl_php_server_ce, &o->std, "ports", sizeof("ports") - 1,
                                         1, &rv);
    zval arr, item;
    if (Z_TYPE_P(ports) == IS_ARRAY)
        ZVAL_ARR(&arr, zend_array_dup(Z_ARR_P(ports)));
    else
        array_init(&arr);
    ZVAL_OBJ(&item, obj);
    add_next_index_zval(&arr, &item); /* the array owns the new object */
    zend_update_property(swirl_php_server_ce, &o->std, "ports", sizeof("ports") - 1, &arr);
    zval_ptr_dtor(&arr);
    return obj;
}

/* ---- methods ------------------------------------------------------------------------------ */

PHP_METHOD(Swoole_Server, __construct) {
    zend_string *host = NULL;
    zend_long port = 0, mode = SWIRL_MODE_BASE, type = SWIRL_SOCK_TCP; /* Swoole >= 5: BASE */
    ZEND_PARSE_PARAMETERS_START(0, 4)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR(host)
    Z_PARAM_LONG(port)
    Z_PARAM_LONG(mode)
    Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    if (o->srv) {
        zend_throw_error(NULL, "Swoole\\Server is already constructed");
        RETURN_THROWS();
    }
    const char *h = host ? ZSTR_VAL(host) : "0.0.0.0";
    if (host && ZSTR_LEN(host) != strlen(h)) {
        zend_argument_value_error(1, "must not contain any null bytes");
        RETURN_THROWS();
    }
    if (port < 0 || port > 65535) {
        zend_argument_value_error(2, "must be between 0 and 65535");
        RETURN_THROWS();
    }
    if (mode != SWIRL_MODE_BASE && mode != SWIRL_MODE_PROCESS) {
        zend_argument_value_error(3, "must be SWOOLE_BASE or SWOOLE_PROCESS");
        RETURN_THROWS();
    }
    if (type < 0 || type > INT_MAX) {
        zend_argument_value_error(4, "must be a SWOOLE_SOCK_* type");
        RETURN_THROWS();
    }
    int rc;
    bool ws =
        swirl_php_ws_server_ce && instanceof_function(Z_OBJCE_P(ZEND_THIS), swirl_php_ws_server_ce);
    if (ws || instanceof_function(Z_OBJCE_P(ZEND_THIS), swirl_php_http_server_ce)) {
        /* Http\Server and WebSocket\Server: TCP or TCP6 (by the host), | SWOOLE_SSL */
        zend_long base = type & ~(zend_long)SWIRL_SOCK_SSL;
        if (base != SWIRL_SOCK_TCP && base != SWIRL_SOCK_TCP6) {
            zend_argument_value_error(4, "must be SWOOLE_SOCK_TCP or SWOOLE_SOCK_TCP6, "
                                         "optionally | SWOOLE_SSL, for an HTTP server");
            RETURN_THROWS();
        }
        int m = (int)mode | (int)(type & SWIRL_SOCK_SSL);
        if (ws) {
            rc = swirl_ws_server_new(&o->ws, h, (int)port, m);
            o->http = rc < 0 ? NULL : swirl_ws_server_http(o->ws);
        } else {
            rc = swirl_http_server_new(&o->http, h, (int)port, m);
        }
        if (rc >= 0) {
            o->srv = swirl_http_server_base(o->http);
            swirl_http_server_fields(o->http, SWIRL_HTTP_FIELDS_PHP); /* $_COOKIE's rules */
        }
    } else {
        rc = swirl_server_new(&o->srv, h, (int)port, (int)mode, (swirl_sock_type_t)type);
    }
    if (rc < 0) {
        o->srv = NULL;
        o->http = NULL;
        o->ws = NULL;
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    zend_update_property_string(swirl_php_server_ce, obj, "host", sizeof("host") - 1, h);
    UPDATE_LONG(obj, "port", port);
    UPDATE_LONG(obj, "mode", mode);
    UPDATE_LONG(obj, "type", type);
    swirl_php_add_port(o, NULL, h, port, type);
}

/* Apply `settings` to the server, or to `port` (an extra listener), or
 * with `port_only` to the server but only its per-port keys (the main
 * Port's set()); merge what was accepted into the `setting` property of
 * `obj`. False if any key failed (each with a warning naming it). */
typedef struct {
    swirl_server_t *srv;
    swirl_port_t *port;
    bool port_only;
    zend_object *server; /* the Server object */
    zval *length_fn;     /* where package_length_func is kept */
} apply_ctx_t;

static bool apply_one(void *arg, zend_string *key, zend_ulong idx, zval *val) {
    apply_ctx_t *a = arg;
    if (!key) {
        php_error_docref(NULL, E_WARNING,
                         "setting " ZEND_ULONG_FMT ": a setting's key must be its name", idx);
        return false;
    }
    if (zend_string_equals_literal(key, "package_length_func"))
        return swirl_php_set_length_func(a->server, a->srv, a->port, a->length_fn, val);
    swirl_value_t v;
    if (!swirl_php_value(val, &v)) {
        php_error_docref(NULL, E_WARNING, "setting `%s`: %s is not a valid value", ZSTR_VAL(key),
                         zend_zval_type_name(val));
        return false;
    }
    int rc;
    if (swirl_php_task_setting(ZSTR_VAL(key), ZSTR_LEN(key)))
        return true; /* the binding's own (swirl_server_task.c reads $setting) */
    const swirl_setting_info_t *info = swirl_setting_find(ZSTR_VAL(key));
    if (info && (info->scope & SWIRL_SETTING_BYTES) && Z_TYPE_P(val) == IS_STRING) {
        /* a size as PHP reads one ("2M", "1g"), and Swoole's fatal error for
         * what is not one */
        zend_string *err = NULL;
        zend_long n = zend_ini_parse_quantity(Z_STR_P(val), &err);
        if (err) {
            char msg[512];
            snprintf(msg, sizeof msg, "failed to parse '%s' to size, Error: %s", Z_STRVAL_P(val),
                     ZSTR_VAL(err));
            zend_string_release(err);
            php_error_docref(NULL, E_ERROR, "%s", msg);
            return false;
        }
        v = swirl_value_int(n);
    }
    if (ZSTR_LEN(key) != strlen(ZSTR_VAL(key))) {
        rc = SWIRL_EBADARG;
    } else if (a->port_only && info && !(info->scope & SWIRL_SETTING_PORT)) {
        php_error_docref(NULL, E_WARNING,
                         "setting `%s`: a server-wide setting, not accepted by a port "
                         "(set it with Swoole\\Server::set)",
                         ZSTR_VAL(key));
        return false;
    } else {
        rc = a->port ? swirl_port_set(a->port, ZSTR_VAL(key), v)
                     : swirl_server_set(a->srv, ZSTR_VAL(key), v);
    }
    if (rc < 0) {
        const char *msg = swirl_php_error_msg(rc);
        if (strstr(msg, ZSTR_VAL(key)))
            php_error_docref(NULL, E_WARNING, "%s", msg);
        else
            php_error_docref(NULL, E_WARNING, "setting `%s`: %s", ZSTR_VAL(key), msg);
        return false;
    }
    return true;
}

bool swirl_php_apply_settings(zend_object *obj, zend_class_entry *ce, swirl_server_t *srv,
                              swirl_port_t *port, bool port_only, HashTable *settings) {
    zend_object *server = obj;
    zval *slot;
    if (ce == swirl_php_port_ce) {
        port_obj *p = port_from(obj);
        server = p->server;
        slot = &p->length_fn;
    } else {
        slot = &server_from(obj)->length_fn;
    }
    apply_ctx_t a = {srv, port, port_only, server, slot};
    return swirl_php_settings_merge(obj, ce, settings, apply_one, &a);
}

PHP_METHOD(Swoole_Server, set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    RETURN_BOOL(swirl_php_apply_settings(Z_OBJ_P(ZEND_THIS), swirl_php_server_ce, srv, NULL, false,
                                         settings));
}

int swirl_php_server_hook(server_obj *o, swirl_event_type_t type) {
    if (o->http &&
        (type == SWIRL_ON_CONNECT || type == SWIRL_ON_CLOSE || type == SWIRL_ON_WORKER_START ||
         type == SWIRL_ON_WORKER_STOP || type == SWIRL_ON_RECEIVE || type == SWIRL_ON_PACKET))
        return swirl_http_server_on(o->http, swirl_server_event_name(type),
                                    swirl_php_server_dispatch, o);
    return swirl_server_on_event(o->srv, type, swirl_php_server_dispatch, o);
}

/* The core's event called `name` (a PHP string: no NUL inside), or a
 * negative error. */
int swirl_php_server_event_type(const char *name, size_t len) {
    return strlen(name) == len ? swirl_server_event_type(name) : SWIRL_EBADARG;
}

PHP_METHOD(Swoole_Server, on) {
    zend_string *name;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(name)
    Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    if (o->http) {
        bool failed = false;
        if (swirl_php_http_on(o, ZSTR_VAL(name), ZSTR_LEN(name), &fci.function_name, &failed) ||
            (o->ws &&
             swirl_php_ws_on(o, ZSTR_VAL(name), ZSTR_LEN(name), &fci.function_name, &failed)))
            RETURN_BOOL(!failed);
    }
    int type = swirl_php_server_event_type(ZSTR_VAL(name), ZSTR_LEN(name));
    int rc = type < 0 ? swirl_server_on(srv, ZSTR_VAL(name), swirl_php_server_dispatch, o)
                      : swirl_php_server_hook(o, type);
    if (type < 0 && rc == 0)
        rc = SWIRL_EBADARG; /* a NUL inside the name */
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    zval_ptr_dtor(&o->cb[type]);
    ZVAL_COPY(&o->cb[type], &fci.function_name);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, getCallback) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    (void)srv;
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    zval *cb = NULL;
    static const struct {
        const char *name;
        int which;
    } hev[] = {{"request", HCB_REQUEST},
               {"handshake", HCB_HANDSHAKE},
               {"open", HCB_OPEN},
               {"message", HCB_MESSAGE},
               {"beforeHandshakeResponse", HCB_BEFORE_HANDSHAKE}};
    if (o->http)
        for (size_t i = 0; i < sizeof hev / sizeof hev[0] && !cb; i++)
            if (swirl_php_event_is(ZSTR_VAL(name), ZSTR_LEN(name), hev[i].name))
                cb = &o->hcb[hev[i].which];
    for (int type = 0; type < SWIRL_ON__COUNT && !cb; type++) /* an unknown name: null */
        if (swirl_php_event_is(ZSTR_VAL(name), ZSTR_LEN(name), swirl_server_event_name(type)))
            cb = &o->cb[type];
    if (!cb || Z_TYPE_P(cb) == IS_UNDEF)
        RETURN_NULL();
    RETURN_COPY(cb);
}

PHP_METHOD(Swoole_Server, start) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    if (o->started) {
        php_error_docref(NULL, E_WARNING,
                         "The server have been shutdown, unable to execute %s->start()",
                         ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
        RETURN_FALSE;
    }
    /* as Swoole: not inside a loop that runs (the server would run in its
     * callback, and switching this process's loop drops what is in it) */
    if (swirl_php_loop_is_external() || swirl_php_event_running()) {
        php_error_docref(NULL, E_WARNING,
                         "the event loop of this process is running (a callback of "
                         "Swoole\\Event, Swoole\\Timer or a server): a server cannot start "
                         "inside it");
        RETURN_FALSE;
    }
    /* workerStart sets this process's loop, workerStop clears it */
    if (o->ws     ? !swirl_php_ws_prepare(o)
        : o->http ? !swirl_php_http_prepare(o)
                  : !swirl_php_ports_prepare(o))
        RETURN_FALSE;
    if (Z_TYPE(o->cb[SWIRL_ON_WORKER_START]) == IS_UNDEF)
        swirl_php_server_hook(o, SWIRL_ON_WORKER_START);
    if (Z_TYPE(o->cb[SWIRL_ON_WORKER_STOP]) == IS_UNDEF)
        swirl_php_server_hook(o, SWIRL_ON_WORKER_STOP);
    if (Z_TYPE(o->cb[SWIRL_ON_START]) == IS_UNDEF)
        swirl_php_server_hook(o, SWIRL_ON_START);
    /* the loops of the master and the manager: taken at their start, let go at their end */
    static const swirl_event_type_t always[] = {SWIRL_ON_MANAGER_START, SWIRL_ON_MANAGER_STOP,
                                                SWIRL_ON_SHUTDOWN, SWIRL_ON_FINISH};
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        if (Z_TYPE(o->cb[always[i]]) == IS_UNDEF)
            swirl_php_server_hook(o, always[i]);
    if (o->port_cbs) {
        /* events of extra ports with their own callbacks: the server's
         * dispatch picks the port's (port_callback) */
        static const swirl_event_type_t routed[] = {SWIRL_ON_CONNECT, SWIRL_ON_RECEIVE,
                                                    SWIRL_ON_CLOSE, SWIRL_ON_PACKET};
        zval rv,
            *ports = zend_read_property(swirl_php_server_ce, &o->std, "ports", sizeof("ports") - 1,
                                        1, &rv),
            *z;
        for (size_t i = 0; i < sizeof routed / sizeof routed[0]; i++) {
            bool need = false;
            if (Z_TYPE_P(ports) == IS_ARRAY) {
                ZEND_HASH_FOREACH_VAL(Z_ARR_P(ports), z) {
                    if (Z_TYPE_P(z) == IS_OBJECT && Z_OBJCE_P(z) == swirl_php_port_ce &&
                        Z_TYPE(port_from(Z_OBJ_P(z))->cb[i]) != IS_UNDEF)
                        need = true;
                }
                ZEND_HASH_FOREACH_END();
            }
            if (need && Z_TYPE(o->cb[routed[i]]) == IS_UNDEF)
                swirl_php_server_hook(o, routed[i]);
        }
    }
    /* swoole_async_set's socket_send_timeout, unless set() gave the server its own */
    double send_timeout = swirl_php_async_send_timeout();
    zval srv_rv, *setting = zend_read_property(swirl_php_server_ce, &o->std, "setting",
                                               sizeof("setting") - 1, 1, &srv_rv);
    if (send_timeout >= 0 && !(Z_TYPE_P(setting) == IS_ARRAY &&
                               zend_hash_str_exists(Z_ARR_P(setting), "socket_send_timeout",
                                                    sizeof("socket_send_timeout") - 1)))
        swirl_server_set(srv, "socket_send_timeout", swirl_value_float(send_timeout));
    /* timers made before start (in this process's own loop) run in the
     * master of a PROCESS server, as Swoole's */
    swirl_server_set_master_loop(srv, swirl_php_loop_if_any());
    /* what PHP wrote but has not flushed would be written by every child */
    sapi_flush();
    fflush(stdout);
    o->started = true;
    GC_ADDREF(&o->std); /* the callbacks' `user` while it runs */
    UPDATE_LONG(Z_OBJ_P(ZEND_THIS), "master_pid", getpid());
    int rc = o->ws     ? swirl_ws_server_start(o->ws)
             : o->http ? swirl_http_server_start(o->http)
                       : swirl_server_start(srv);
    swirl_php_set_loop(NULL);
    OBJ_RELEASE(&o->std);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, shutdown) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    int rc = swirl_server_shutdown(srv);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, reload) {
    bool task_only = false;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(task_only)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    int rc = swirl_server_reload(srv, task_only);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, stop) {
    zend_long id = -1;
    bool wait_reactor = false;
    ZEND_PARSE_PARAMETERS_START(0, 2)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(id)
    Z_PARAM_BOOL(wait_reactor)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (id < 0)
        id = swirl_server_worker_id(srv);
    int rc = id < 0 || id > INT_MAX ? SWIRL_EBADARG : swirl_server_stop_worker(srv, (int)id);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* A failed send-like call: false, and a warning unless the connection is
 * simply gone (Swoole is quiet then too; swoole_last_error() tells). */

static zval *server_read_property(zend_object *obj, zend_string *name, int type, void **cache_slot,
                                  zval *rv) {
    if (zend_string_equals_literal(name, "connections")) {
        swirl_php_all_connections(server_from(obj)->srv, rv);
        return rv;
    }
    return zend_std_read_property(obj, name, type, cache_slot, rv);
}

static int server_has_property(zend_object *obj, zend_string *name, int check, void **cache_slot) {
    if (zend_string_equals_literal(name, "connections"))
        return 1;
    return zend_std_has_property(obj, name, check, cache_slot);
}

void swirl_server_minit(int module_number) {
    /* Swoole's log lines ("[date #pid.0]\tWARNING\t..."), at its default level, INFO */
    swirl_log_set_style(SWIRL_LOG_STYLE_SWOOLE);
    register_server_symbols(module_number);
    swirl_php_server_ce = register_class_Swoole_Server();
    swirl_php_server_ce->create_object = server_create_object;
    memcpy(&server_handlers, zend_get_std_object_handlers(), sizeof server_handlers);
    server_handlers.offset = XtOffsetOf(server_obj, std);
    server_handlers.free_obj = server_free_object;
    server_handlers.get_gc = server_get_gc;
    server_handlers.clone_obj = NULL;
    server_handlers.read_property = server_read_property;
    server_handlers.has_property = server_has_property;
    swirl_php_alias("swoole_server", swirl_php_server_ce);

    swirl_php_port_ce = register_class_Swoole_Server_Port();
    swirl_php_port_ce->create_object = port_create_object;
    memcpy(&port_handlers, zend_get_std_object_handlers(), sizeof port_handlers);
    port_handlers.offset = XtOffsetOf(port_obj, std);
    port_handlers.free_obj = port_free_object;
    port_handlers.get_gc = port_get_gc;
    port_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_server_port", swirl_php_port_ce);
}
