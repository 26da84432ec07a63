/* swirl_redis.c — Swoole\Redis (swoole_redis), Swoole's asynchronous Redis
 * client, on swirl_redis_t. The binding only wraps the C client: it turns
 * PHP arguments into a command's argv and replies into PHP values, as
 * Swoole's swoole_redis does (integer: int, bulk: string, nil: null,
 * status: its text, error: false with errCode -1 and errMsg the text,
 * array: an array of those).
 *
 * It runs on swirl_php_loop(): a worker's loop, or the script's, run at the
 * script's end like the async Swoole\Client. While connecting or connected
 * the object holds a reference on itself (and each pending command one
 * more), so the callbacks run even when the script dropped its variable.
 * When the loop is left for good (the Event registry is cleared) every held
 * client is freed without callbacks.
 *
 * State: one per-process list of held clients (`held`). */
#include "php_swirl.h"

#include <errno.h>
#include <swirl/redis.h>
#include <unistd.h>

#include "stubs/redis_arginfo.h"

enum { ST_CONNECT = 0, ST_READY = 1, ST_WAIT_RESULT = 2, ST_SUBSCRIBE = 3, ST_CLOSED = 4 };

typedef struct redis_obj {
    swirl_redis_t *r;
    zval on_connect, on_close, on_message; /* UNDEF when not set */
    double timeout;
    zend_string *password;
    zend_long database;
    bool held, quiet, connected;
    pid_t pid;
    struct redis_obj *prev, *next;
    zend_object std;
} redis_obj;

static zend_class_entry *redis_ce;
static zend_object_handlers redis_handlers;
static struct { redis_obj *head; } held;

static inline redis_obj *from(zend_object *obj) {
    return (redis_obj *)((char *)obj - XtOffsetOf(redis_obj, std));
}

static void set_err(redis_obj *o, zend_long code, const char *msg) {
    zend_update_property_long(redis_ce, &o->std, "errCode", sizeof("errCode") - 1, code);
    zend_update_property_string(redis_ce, &o->std, "errMsg", sizeof("errMsg") - 1, msg);
}

static void hold(redis_obj *o) {
    if (o->held)
        return;
    GC_ADDREF(&o->std);
    o->held = true;
    o->prev = NULL;
    o->next = held.head;
    if (held.head)
        held.head->prev = o;
    held.head = o;
}

/* `o` may be freed by this. */
static void release(redis_obj *o) {
    if (!o->held)
        return;
    if (o->prev)
        o->prev->next = o->next;
    else
        held.head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
    o->held = false;
    OBJ_RELEASE(&o->std);
}

static void call(redis_obj *o, zval *cb, zval *arg) {
    if (o->quiet || Z_ISUNDEF_P(cb))
        return;
    zval args[2], fn;
    ZVAL_OBJ_COPY(&args[0], &o->std);
    if (arg)
        ZVAL_COPY_VALUE(&args[1], arg);
    ZVAL_COPY(&fn, cb);
    swirl_php_event_call(&fn, arg ? 2 : 1, args);
    zval_ptr_dtor(&fn);
    zval_ptr_dtor(&args[0]);
}

static void to_zval(redis_obj *o, const swirl_redis_reply_t *rep, zval *out) {
    size_t len;
    const char *s;
    switch (swirl_redis_reply_type(rep)) {
    case SWIRL_REDIS_INTEGER:
        ZVAL_LONG(out, (zend_long)swirl_redis_reply_integer(rep));
        break;
    case SWIRL_REDIS_STRING:
        s = swirl_redis_reply_str(rep, &len);
        ZVAL_STRINGL(out, s, len);
        break;
    case SWIRL_REDIS_STATUS:
        s = swirl_redis_reply_str(rep, &len);
        if (len)
            ZVAL_STRINGL(out, s, len);
        else
            ZVAL_TRUE(out);
        break;
    case SWIRL_REDIS_ERROR:
        s = swirl_redis_reply_str(rep, &len);
        set_err(o, -1, s);
        ZVAL_FALSE(out);
        break;
    case SWIRL_REDIS_ARRAY: {
        size_t n = swirl_redis_reply_count(rep);
        array_init_size(out, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
            zval v;
            to_zval(o, swirl_redis_reply_element(rep, i), &v);
            add_next_index_zval(out, &v);
        }
        break;
    }
    default:
        ZVAL_NULL(out);
    }
}

/* ---- the C callbacks ------------------------------------------------------------------------ */

typedef struct {
    redis_obj *o; /* holds a reference */
    zval cb;
} pending_t;

static void on_reply(swirl_redis_t *r, int status, const swirl_redis_reply_t *rep, void *user) {
    pending_t *p = user;
    redis_obj *o = p->o;
    zval result;
    if (status < 0) {
        set_err(o, -status, swirl_redis_errmsg(r));
        ZVAL_FALSE(&result);
    } else {
        to_zval(o, rep, &result);
    }
    call(o, &p->cb, &result);
    zval_ptr_dtor(&result);
    zval_ptr_dtor(&p->cb);
    efree(p);
    OBJ_RELEASE(&o->std);
}

static void on_message(swirl_redis_t *r, const swirl_redis_reply_t *msg, void *user) {
    (void)r;
    redis_obj *o = user;
    GC_ADDREF(&o->std);
    zval m;
    to_zval(o, msg, &m);
    call(o, &o->on_message, &m);
    zval_ptr_dtor(&m);
    OBJ_RELEASE(&o->std);
}

static void on_event(swirl_redis_t *r, int ev, int status, void *user) {
    redis_obj *o = user;
    GC_ADDREF(&o->std);
    if (ev == SWIRL_REDIS_EV_CONNECT) {
        zval ok;
        ZVAL_BOOL(&ok, status == 0);
        if (status < 0)
            set_err(o, -status, swirl_redis_errmsg(r));
        else
            o->connected = true;
        zend_update_property_long(redis_ce, &o->std, "sock", sizeof("sock") - 1,
                                  swirl_redis_fd(r));
        call(o, &o->on_connect, &ok);
        if (status < 0)
            release(o);
    } else if (ev == SWIRL_REDIS_EV_CLOSE) {
        if (status < 0)
            set_err(o, -status, swirl_redis_errmsg(r));
        call(o, &o->on_close, NULL);
        release(o);
    }
    OBJ_RELEASE(&o->std);
}

/* Called when the Event registry is cleared: the loop is left for good.
 * `ours`: the loop is this process's; otherwise (a forked child) the
 * client's loop is the parent's, and it is only let go (its memory stays:
 * freeing it would change the parent's epoll set). */
void swirl_php_redis_drop_all(bool ours) {
    while (held.head) {
        redis_obj *o = held.head;
        GC_ADDREF(&o->std);
        o->quiet = true;
        if (ours && o->pid == getpid())
            swirl_redis_free(o->r);
        o->r = NULL;
        release(o);
        OBJ_RELEASE(&o->std);
    }
}

/* ---- the object ------------------------------------------------------------------------------ */

static zend_object *redis_create(zend_class_entry *ce) {
    redis_obj *o = zend_object_alloc(sizeof(redis_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &redis_handlers;
    ZVAL_UNDEF(&o->on_connect);
    ZVAL_UNDEF(&o->on_close);
    ZVAL_UNDEF(&o->on_message);
    o->timeout = 3;
    o->database = -1;
    return &o->std;
}

static void redis_free(zend_object *obj) {
    redis_obj *o = from(obj);
    o->quiet = true;
    if (o->r && o->pid == getpid())
        swirl_redis_free(o->r);
    o->r = NULL;
    zval_ptr_dtor(&o->on_connect);
    zval_ptr_dtor(&o->on_close);
    zval_ptr_dtor(&o->on_message);
    if (o->password)
        zend_string_release(o->password);
    zend_object_std_dtor(obj);
}

static HashTable *redis_get_gc(zend_object *obj, zval **table, int *n) {
    redis_obj *o = from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    zend_get_gc_buffer_add_zval(buf, &o->on_connect);
    zend_get_gc_buffer_add_zval(buf, &o->on_close);
    zend_get_gc_buffer_add_zval(buf, &o->on_message);
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

PHP_METHOD(Swoole_Redis, __construct) {
    zval *zopts = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_OR_NULL(zopts)
    ZEND_PARSE_PARAMETERS_END();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    if (!zopts)
        return;
    HashTable *opts = Z_ARRVAL_P(zopts);
    zval *v;
    if ((v = zend_hash_str_find(opts, "timeout", sizeof("timeout") - 1)))
        o->timeout = zval_get_double(v);
    if ((v = zend_hash_str_find(opts, "password", sizeof("password") - 1)) &&
        Z_TYPE_P(v) != IS_NULL)
        o->password = zval_get_string(v);
    if ((v = zend_hash_str_find(opts, "database", sizeof("database") - 1)))
        o->database = zval_get_long(v);
    zend_update_property(redis_ce, &o->std, "setting", sizeof("setting") - 1, zopts);
}

PHP_METHOD(Swoole_Redis, on) {
    zend_string *name;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    if (o->r) {
        php_error_docref(NULL, E_WARNING, "Must be called before connecting.");
        RETURN_FALSE;
    }
    zval *slot;
    const char *prop;
    if (zend_string_equals_literal_ci(name, "close")) {
        slot = &o->on_close;
        prop = "onClose";
    } else if (zend_string_equals_literal_ci(name, "message")) {
        slot = &o->on_message;
        prop = "onMessage";
    } else {
        php_error_docref(NULL, E_WARNING, "Unknown event type[%s]", ZSTR_VAL(name));
        RETURN_FALSE;
    }
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    zval_ptr_dtor(slot);
    ZVAL_COPY(slot, cb);
    zend_update_property(redis_ce, &o->std, prop, strlen(prop), cb);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Redis, connect) {
    zend_string *host;
    zend_long port;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_STR(host)
        Z_PARAM_LONG(port)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(3, "must be a valid callback");
        RETURN_THROWS();
    }
    if (ZSTR_LEN(host) == 0) {
        php_error_docref(NULL, E_WARNING, "redis server host is empty.");
        RETURN_FALSE;
    }
    if (o->r) {
        php_error_docref(NULL, E_WARNING, "redis client is already connected.");
        RETURN_FALSE;
    }
    bool unix_sock = ZSTR_LEN(host) > 6 && strncasecmp(ZSTR_VAL(host), "unix:/", 6) == 0;
    if (!unix_sock && (port <= 0 || port > 65535)) {
        php_error_docref(NULL, E_WARNING, "redis server port is invalid.");
        RETURN_FALSE;
    }
    swirl_loop_t *loop = swirl_php_loop();
    if (!loop || !swirl_php_event_autorun())
        RETURN_FALSE;
    swirl_redis_options_t opt;
    swirl_redis_options_init(&opt);
    opt.connect_timeout = o->timeout;
    opt.reconnect = false; /* Swoole's client closes for good on a loss */
    opt.database = o->database >= 0 ? (int)o->database : -1;
    if (o->password) {
        opt.password = ZSTR_VAL(o->password);
        opt.password_len = ZSTR_LEN(o->password);
    }
    swirl_redis_t *r;
    int rc = swirl_redis_new(&r, loop, &opt);
    if (rc < 0) {
        set_err(o, -rc, swirl_last_error_msg());
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        RETURN_FALSE;
    }
    swirl_redis_set_event_cb(r, on_event, o);
    swirl_redis_set_message_cb(r, on_message, o);
    /* unix:/path: the path begins at the slash */
    rc = unix_sock ? swirl_redis_connect_unix(r, ZSTR_VAL(host) + 5)
                   : swirl_redis_connect(r, ZSTR_VAL(host), (int)port);
    if (rc < 0) {
        set_err(o, -rc, swirl_last_error_msg());
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        swirl_redis_free(r);
        RETURN_FALSE;
    }
    o->r = r;
    o->pid = getpid();
    zval_ptr_dtor(&o->on_connect);
    ZVAL_COPY(&o->on_connect, cb);
    zend_update_property(redis_ce, &o->std, "onConnect", sizeof("onConnect") - 1, cb);
    zend_update_property_str(redis_ce, &o->std, "host", sizeof("host") - 1, host);
    zend_update_property_long(redis_ce, &o->std, "port", sizeof("port") - 1, port);
    hold(o);
    RETURN_TRUE;
}

static bool is_sub(zend_string *c) {
    return zend_string_equals_literal_ci(c, "subscribe") ||
           zend_string_equals_literal_ci(c, "psubscribe") ||
           zend_string_equals_literal_ci(c, "unsubscribe") ||
           zend_string_equals_literal_ci(c, "punsubscribe");
}

PHP_METHOD(Swoole_Redis, __call) {
    zend_string *command;
    HashTable *params;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(command)
        Z_PARAM_ARRAY_HT(params)
    ZEND_PARSE_PARAMETERS_END();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    int st = o->r ? swirl_redis_state(o->r) : SWIRL_REDIS_IDLE;
    if (!o->r || st == SWIRL_REDIS_IDLE) {
        php_error_docref(NULL, E_WARNING, "redis client is not connected.");
        RETURN_FALSE;
    }
    if (st == SWIRL_REDIS_CLOSED || o->pid != getpid()) {
        php_error_docref(NULL, E_WARNING, "redis client connection is closed.");
        RETURN_FALSE;
    }
    bool sub = is_sub(command);
    if (!sub && swirl_redis_subscriptions(o->r) > 0) {
        php_error_docref(NULL, E_WARNING, "redis client is waiting for subscribed messages.");
        RETURN_FALSE;
    }
    uint32_t n = zend_hash_num_elements(params);
    zval *cb = NULL;
    if (!sub) {
        cb = n ? zend_hash_index_find(params, n - 1) : NULL;
        if (!cb || !zend_is_callable(cb, 0, NULL)) {
            php_error_docref(NULL, E_WARNING, "the last argument must be a callback.");
            RETURN_FALSE;
        }
        n--;
    }
    const char **argv = ecalloc(n + 1, sizeof(char *));
    size_t *lens = ecalloc(n + 1, sizeof(size_t));
    zend_string **strs = ecalloc(n + 1, sizeof(zend_string *));
    argv[0] = ZSTR_VAL(command);
    lens[0] = ZSTR_LEN(command);
    uint32_t i = 1;
    zval *v;
    ZEND_HASH_FOREACH_VAL(params, v) {
        if (i > n)
            break;
        if (sub && zend_is_callable(v, 0, NULL)) { /* a callback given to subscribe: unused */
            n--;
            continue;
        }
        strs[i] = zval_get_string(v);
        argv[i] = ZSTR_VAL(strs[i]);
        lens[i] = ZSTR_LEN(strs[i]);
        i++;
    }
    ZEND_HASH_FOREACH_END();
    int rc;
    if (sub) {
        if (Z_ISUNDEF(o->on_message)) {
            php_error_docref(NULL, E_WARNING, "%s needs on('message') set before connect",
                             ZSTR_VAL(command));
            rc = SWIRL_EBADARG;
        } else {
            rc = swirl_redis_command(o->r, (int)n + 1, argv, lens, NULL, NULL);
        }
    } else {
        pending_t *p = emalloc(sizeof(*p));
        p->o = o;
        ZVAL_COPY(&p->cb, cb);
        GC_ADDREF(&o->std);
        rc = swirl_redis_command(o->r, (int)n + 1, argv, lens, on_reply, p);
        if (rc < 0) {
            zval_ptr_dtor(&p->cb);
            efree(p);
            GC_DELREF(&o->std); /* the caller holds $this: never the last */
        }
    }
    for (uint32_t j = 1; j <= n; j++)
        if (strs[j])
            zend_string_release(strs[j]);
    efree(strs);
    efree(lens);
    efree(argv);
    if (rc < 0) {
        if (rc != SWIRL_EBADARG || sub == false) {
            set_err(o, -rc, swirl_last_error_msg());
            php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Redis, getState) {
    ZEND_PARSE_PARAMETERS_NONE();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    if (!o->r)
        RETURN_LONG(o->connected ? ST_CLOSED : ST_CONNECT);
    switch (swirl_redis_state(o->r)) {
    case SWIRL_REDIS_IDLE:
    case SWIRL_REDIS_CONNECTING:
        RETURN_LONG(ST_CONNECT);
    case SWIRL_REDIS_READY:
        if (swirl_redis_subscriptions(o->r))
            RETURN_LONG(ST_SUBSCRIBE);
        RETURN_LONG(swirl_redis_pending(o->r) ? ST_WAIT_RESULT : ST_READY);
    default:
        RETURN_LONG(ST_CLOSED);
    }
}

PHP_METHOD(Swoole_Redis, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    redis_obj *o = from(Z_OBJ_P(ZEND_THIS));
    if (!o->r || o->pid != getpid() || swirl_redis_state(o->r) == SWIRL_REDIS_CLOSED)
        RETURN_FALSE;
    swirl_redis_close(o->r); /* the close callback, then the hold goes */
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Redis, __destruct) { ZEND_PARSE_PARAMETERS_NONE(); }

void swirl_redis_minit(int module_number) {
    (void)module_number;
    redis_ce = register_class_Swoole_Redis();
    redis_ce->create_object = redis_create;
    memcpy(&redis_handlers, zend_get_std_object_handlers(), sizeof redis_handlers);
    redis_handlers.offset = XtOffsetOf(redis_obj, std);
    redis_handlers.free_obj = redis_free;
    redis_handlers.get_gc = redis_get_gc;
    redis_handlers.clone_obj = NULL;
    zend_declare_class_constant_long(redis_ce, ZEND_STRL("STATE_CONNECT"), ST_CONNECT);
    zend_declare_class_constant_long(redis_ce, ZEND_STRL("STATE_READY"), ST_READY);
    zend_declare_class_constant_long(redis_ce, ZEND_STRL("STATE_WAIT_RESULT"), ST_WAIT_RESULT);
    zend_declare_class_constant_long(redis_ce, ZEND_STRL("STATE_SUBSCRIBE"), ST_SUBSCRIBE);
    zend_declare_class_constant_long(redis_ce, ZEND_STRL("STATE_CLOSED"), ST_CLOSED);
    REGISTER_LONG_CONSTANT("SWOOLE_REDIS_STATE_CONNECT", ST_CONNECT, CONST_CS | CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_REDIS_STATE_READY", ST_READY, CONST_CS | CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_REDIS_STATE_WAIT_RESULT", ST_WAIT_RESULT,
                           CONST_CS | CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_REDIS_STATE_SUBSCRIBE", ST_SUBSCRIBE,
                           CONST_CS | CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_REDIS_STATE_CLOSED", ST_CLOSED, CONST_CS | CONST_PERSISTENT);
    swirl_php_alias("swoole_redis", redis_ce);
}
