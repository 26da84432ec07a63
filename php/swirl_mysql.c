/* swirl_mysql.c — Swoole\MySQL (swoole_mysql): the callback API of seed 002
 * §1.4 on swirl's C MySQL client (include/swirl/mysql.h). The binding only
 * converts: the queue, timeouts, errors and teardown are the C client's.
 *
 * - The object holds a reference on itself from connect() until the
 *   connection is gone and nothing is queued, so a script may drop its
 *   variable and still get its callbacks; held objects are on a
 *   per-process list (`held_mysql`), closed without callbacks when the
 *   Event registry is cleared (script end after the loop, a forked child).
 * - Each query's callback is kept in a small record (`req_t`) with the rows
 *   gathered so far; the C client calls `on_done` exactly once per query
 *   (-ECANCELED when the connection is freed first), which calls PHP and
 *   frees the record.
 * - The close callback runs once per connection: when the server closes an
 *   idle one, after the last queued callback when a failure took the
 *   connection (or on close(), after the cancelled ones), or at the latest
 *   when connect() starts a new connection.
 *
 * State: one per-process list of held connections (`held_mysql`). */
#include "php_swirl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zend_exceptions.h>

#include "stubs/mysql_arginfo.h"

static zend_class_entry *mysql_ce, *mysql_exception_ce;
static zend_object_handlers mysql_handlers;

typedef struct mysql_obj {
    swirl_mysql_t *c; /* NULL until connect(), and after close() */
    zval on_close;    /* UNDEF when not set */
    bool held;
    bool quiet;      /* being dropped: no PHP is called */
    bool was_up;     /* connected since the last close callback */
    unsigned queued; /* queries (and the connect) whose callbacks are due */
    pid_t pid;       /* the process whose loop it connected in */
    struct mysql_obj *prev, *next;
    zend_object std;
} mysql_obj;

typedef struct {
    mysql_obj *o;
    zval cb;
    zval rows; /* UNDEF until the first row */
    bool connect;
} req_t;

static struct { mysql_obj *head; } held_mysql;

static inline mysql_obj *mysql_from(zend_object *obj) {
    return (mysql_obj *)((char *)obj - XtOffsetOf(mysql_obj, std));
}

static void set_long(mysql_obj *o, const char *name, zend_long v) {
    zend_update_property_long(mysql_ce, &o->std, name, strlen(name), v);
}

static void set_str(mysql_obj *o, const char *name, const char *v) {
    zend_update_property_string(mysql_ce, &o->std, name, strlen(name), v);
}

static void set_bool(mysql_obj *o, const char *name, bool v) {
    zend_update_property_bool(mysql_ce, &o->std, name, strlen(name), v);
}

static void hold(mysql_obj *o) {
    if (o->held)
        return;
    GC_ADDREF(&o->std);
    o->held = true;
    o->prev = NULL;
    o->next = held_mysql.head;
    if (held_mysql.head)
        held_mysql.head->prev = o;
    held_mysql.head = o;
}

static void unlink_held(mysql_obj *o) {
    if (o->prev)
        o->prev->next = o->next;
    else if (held_mysql.head == o)
        held_mysql.head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
}

/* Let go of the self reference; `o` may be freed by this. */
static void release(mysql_obj *o) {
    if (!o->held)
        return;
    unlink_held(o);
    o->held = false;
    OBJ_RELEASE(&o->std);
}

static void sync_state(mysql_obj *o) {
    bool up = o->c && swirl_mysql_connected(o->c);
    set_bool(o, "connected", up);
    if (!up)
        set_long(o, "sock", -1);
}

/* The connection ended: the close callback, once. */
static void fire_close(mysql_obj *o) {
    if (!o->was_up)
        return;
    o->was_up = false;
    sync_state(o);
    if (o->quiet || Z_ISUNDEF(o->on_close))
        return;
    zval args[1], cb;
    ZVAL_OBJ_COPY(&args[0], &o->std);
    ZVAL_COPY(&cb, &o->on_close);
    swirl_php_event_call(&cb, 1, args);
    zval_ptr_dtor(&cb);
    zval_ptr_dtor(&args[0]);
}

/* Nothing more can come: the connection is down and nothing is queued. */
static void maybe_release(mysql_obj *o) {
    if (o->queued == 0 && !(o->c && swirl_mysql_connected(o->c)))
        release(o);
}

/* ---- the C callbacks ---------------------------------------------------------------------- */

static void on_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    req_t *r = user;
    if (r->o->quiet)
        return;
    if (Z_ISUNDEF(r->rows))
        array_init(&r->rows);
    zval assoc;
    array_init_size(&assoc, row->columns);
    for (unsigned i = 0; i < row->columns; i++) {
        zval v;
        const char *s = row->values[i];
        if (!s) {
            ZVAL_NULL(&v);
        } else if (row->kinds[i] == SWIRL_MYSQL_INT) {
            char *end;
            errno = 0;
            long long n = strtoll(s, &end, 10);
            if (errno == 0 && *end == 0 && end != s)
                ZVAL_LONG(&v, (zend_long)n);
            else /* BIGINT UNSIGNED past PHP_INT_MAX stays a string */
                ZVAL_STRINGL(&v, s, row->lengths[i]);
        } else if (row->kinds[i] == SWIRL_MYSQL_DOUBLE) {
            ZVAL_DOUBLE(&v, zend_strtod(s, NULL));
        } else {
            ZVAL_STRINGL(&v, s, row->lengths[i]);
        }
        zend_symtable_str_update(Z_ARRVAL(assoc), row->names[i], strlen(row->names[i]), &v);
    }
    add_next_index_zval(&r->rows, &assoc);
}

static void on_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    req_t *r = user;
    mysql_obj *o = r->o;
    GC_ADDREF(&o->std);
    o->queued--;
    zval result;
    if (res->status == 0) {
        if (r->connect) {
            o->was_up = true;
            set_long(o, "connect_errno", 0);
            set_str(o, "connect_error", "");
            set_long(o, "sock", swirl_mysql_fd(c));
            ZVAL_TRUE(&result);
        } else if (res->columns > 0) {
            if (Z_ISUNDEF(r->rows))
                array_init(&r->rows);
            ZVAL_COPY_VALUE(&result, &r->rows);
            ZVAL_UNDEF(&r->rows);
        } else {
            set_long(o, "affected_rows", (zend_long)res->affected_rows);
            set_long(o, "insert_id", (zend_long)res->insert_id);
            ZVAL_TRUE(&result);
        }
    } else {
        zend_long code = res->server_errno ? (zend_long)res->server_errno : abs(res->status);
        const char *msg = res->message && *res->message ? res->message : swirl_strerror(res->status);
        set_long(o, r->connect ? "connect_errno" : "errno", code);
        set_str(o, r->connect ? "connect_error" : "error", msg);
        if (r->connect) { /* Swoole sets both for a failed connect */
            set_long(o, "errno", code);
            set_str(o, "error", msg);
        }
        ZVAL_FALSE(&result);
    }
    sync_state(o);
    if (!o->quiet) {
        zval args[2], cb;
        ZVAL_OBJ_COPY(&args[0], &o->std);
        ZVAL_COPY_VALUE(&args[1], &result);
        ZVAL_COPY(&cb, &r->cb);
        swirl_php_event_call(&cb, 2, args);
        zval_ptr_dtor(&cb);
        zval_ptr_dtor(&args[0]);
    }
    zval_ptr_dtor(&result);
    zval_ptr_dtor(&r->rows);
    zval_ptr_dtor(&r->cb);
    efree(r);
    /* the connection is gone (a failure took it, or close()): the close
     * callback once its last queued callback has run */
    if (o->queued == 0 && !(o->c && swirl_mysql_connected(o->c)))
        fire_close(o);
    maybe_release(o);
    OBJ_RELEASE(&o->std);
}

/* The server closed an idle connection. */
static void on_conn_close(swirl_mysql_t *c, void *user) {
    mysql_obj *o = user;
    GC_ADDREF(&o->std);
    fire_close(o);
    maybe_release(o);
    OBJ_RELEASE(&o->std);
}

/* ---- the object --------------------------------------------------------------------------- */

static zend_object *mysql_create_object(zend_class_entry *ce) {
    mysql_obj *o = zend_object_alloc(sizeof(mysql_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &mysql_handlers;
    ZVAL_UNDEF(&o->on_close);
    return &o->std;
}

/* Free the C connection quietly: its queued callbacks get no PHP call.
 * In a forked child the connection is the parent's (its socket and the
 * loop's epoll set are shared): it is forgotten, never closed. */
static void drop_conn(mysql_obj *o) {
    if (!o->c)
        return;
    bool was_quiet = o->quiet;
    o->quiet = true;
    swirl_mysql_t *c = o->c;
    o->c = NULL;
    if (o->pid == getpid())
        swirl_mysql_free(c); /* the callbacks free their records */
    o->quiet = was_quiet;
}

static void mysql_free_object(zend_object *obj) {
    mysql_obj *o = mysql_from(obj);
    if (o->held) {
        unlink_held(o);
        o->held = false;
    }
    GC_ADDREF(obj); /* the cancellations' callbacks touch the object */
    drop_conn(o);
    GC_DELREF(obj);
    zval_ptr_dtor(&o->on_close);
    zend_object_std_dtor(obj);
}

static HashTable *mysql_get_gc(zend_object *obj, zval **table, int *n) {
    mysql_obj *o = mysql_from(obj);
    *table = &o->on_close;
    *n = Z_ISUNDEF(o->on_close) ? 0 : 1;
    return zend_std_get_properties(obj);
}

/* The Event registry is being cleared (see swirl_php_client_drop_all). */
void swirl_php_mysql_drop_all(bool ours) {
    while (held_mysql.head) {
        mysql_obj *o = held_mysql.head;
        GC_ADDREF(&o->std);
        if (!ours)
            o->pid = 0; /* inherited: forget the C connection */
        drop_conn(o);
        o->was_up = false;
        o->queued = 0;
        release(o);
        OBJ_RELEASE(&o->std);
    }
}

/* ---- methods ------------------------------------------------------------------------------ */

PHP_METHOD(Swoole_MySQL, __construct) { ZEND_PARSE_PARAMETERS_NONE(); }

static req_t *req_new(mysql_obj *o, zval *cb, bool connect) {
    req_t *r = emalloc(sizeof(*r));
    r->o = o;
    ZVAL_COPY(&r->cb, cb);
    ZVAL_UNDEF(&r->rows);
    r->connect = connect;
    return r;
}

static void req_free(req_t *r) {
    zval_ptr_dtor(&r->cb);
    efree(r);
}

static const char *cfg_str(HashTable *ht, const char *key, bool *missing) {
    zval *z = zend_hash_str_find(ht, key, strlen(key));
    if (!z) {
        if (missing)
            *missing = true;
        return NULL;
    }
    if (Z_TYPE_P(z) != IS_STRING)
        convert_to_string(z);
    return Z_STRVAL_P(z);
}

PHP_METHOD(Swoole_MySQL, connect) {
    HashTable *cfg_ht;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_ARRAY_HT(cfg_ht)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    mysql_obj *o = mysql_from(Z_OBJ_P(ZEND_THIS));
    if (o->c && (swirl_mysql_connected(o->c) || swirl_mysql_pending(o->c) > 0)) {
        php_error_docref(NULL, E_WARNING, "mysql client is already connected");
        RETURN_FALSE;
    }
    /* a copy whose strings the config borrows until swirl_mysql_new copies them */
    zval copy;
    ZVAL_ARR(&copy, zend_array_dup(cfg_ht));
    HashTable *ht = Z_ARRVAL(copy);
    bool missing = false;
    swirl_mysql_config_t cfg;
    swirl_mysql_config_init(&cfg);
    const char *host = cfg_str(ht, "host", &missing);
    cfg.user = cfg_str(ht, "user", &missing);
    cfg.password = cfg_str(ht, "password", &missing);
    cfg.database = cfg_str(ht, "database", &missing);
    if (missing) {
        zval_ptr_dtor(&copy);
        php_error_docref(NULL, E_WARNING,
                         "server_config needs host, user, password and database");
        RETURN_FALSE;
    }
    if (strncmp(host, "unix:", 5) == 0) {
        cfg.unix_socket = host + 5;
        while (cfg.unix_socket[0] == '/' && cfg.unix_socket[1] == '/')
            cfg.unix_socket++;
    } else if (host[0] == '/') {
        cfg.unix_socket = host;
    } else {
        cfg.host = host;
    }
    zval *z;
    if ((z = zend_hash_str_find(ht, "port", 4)) != NULL) {
        zend_long port = zval_get_long(z);
        if (port < 0 || port > 65535) {
            zval_ptr_dtor(&copy);
            zend_argument_value_error(1, "port must be 0..65535, " ZEND_LONG_FMT " given", port);
            RETURN_THROWS();
        }
        cfg.port = (unsigned)port;
    }
    const char *charset = cfg_str(ht, "charset", NULL);
    if (charset)
        cfg.charset = charset;
    cfg.connect_timeout = 1.0;
    if ((z = zend_hash_str_find(ht, "timeout", 7)) != NULL)
        cfg.connect_timeout = zval_get_double(z);
    if ((z = zend_hash_str_find(ht, "query_timeout", 13)) != NULL)
        cfg.query_timeout = zval_get_double(z);
    if (!(cfg.connect_timeout == cfg.connect_timeout) || !(cfg.query_timeout == cfg.query_timeout)) {
        zval_ptr_dtor(&copy);
        zend_argument_value_error(1, "timeout must be a number");
        RETURN_THROWS();
    }
    swirl_loop_t *loop = swirl_php_loop();
    if (!loop || !swirl_php_event_autorun()) {
        zval_ptr_dtor(&copy);
        RETURN_FALSE;
    }
    fire_close(o); /* a connection lost before: its close callback first */
    drop_conn(o);  /* a closed or failed connection of before */
    int rc = swirl_mysql_new(&o->c, loop, &cfg);
    if (rc < 0) {
        o->c = NULL;
        zval_ptr_dtor(&copy);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    o->pid = getpid();
    swirl_mysql_on_close(o->c, on_conn_close, o);
    zend_hash_str_del(ht, "password", 8);
    zend_update_property(mysql_ce, &o->std, "serverInfo", sizeof("serverInfo") - 1, &copy);
    zval_ptr_dtor(&copy);
    req_t *r = req_new(o, cb, true);
    rc = swirl_mysql_connect(o->c, on_done, r);
    if (rc < 0) {
        req_free(r);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    o->queued++;
    hold(o);
    RETURN_TRUE;
}

typedef int (*txn_fn)(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);

/* Queue a query (sql != NULL) or a transaction step (fn). */
static void queue(INTERNAL_FUNCTION_PARAMETERS, mysql_obj *o, zend_string *sql, zval *cb,
                  txn_fn fn) {
    if (!o->c || !(swirl_mysql_connected(o->c) || swirl_mysql_pending(o->c) > 0) ||
        o->pid != getpid()) {
        php_error_docref(NULL, E_WARNING, "mysql client is not connected to server");
        RETURN_FALSE;
    }
    req_t *r = req_new(o, cb, false);
    int rc = sql ? swirl_mysql_query(o->c, ZSTR_VAL(sql), ZSTR_LEN(sql), on_row, on_done, r)
                 : fn(o->c, on_done, r);
    if (rc < 0) {
        req_free(r);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    o->queued++;
    hold(o);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_MySQL, query) {
    zend_string *sql;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(sql)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    queue(INTERNAL_FUNCTION_PARAM_PASSTHRU, mysql_from(Z_OBJ_P(ZEND_THIS)), sql, cb, NULL);
}

static void txn(INTERNAL_FUNCTION_PARAMETERS, txn_fn fn, bool begin) {
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(1, "must be a valid callback");
        RETURN_THROWS();
    }
    mysql_obj *o = mysql_from(Z_OBJ_P(ZEND_THIS));
    if (o->c && begin && swirl_mysql_in_transaction(o->c)) {
        zend_throw_exception(mysql_exception_ce, "There is already an active transaction.", 21);
        RETURN_THROWS();
    }
    if (o->c && !begin && !swirl_mysql_in_transaction(o->c)) {
        zend_throw_exception(mysql_exception_ce, "No active transaction.", 22);
        RETURN_THROWS();
    }
    queue(INTERNAL_FUNCTION_PARAM_PASSTHRU, o, NULL, cb, fn);
}

PHP_METHOD(Swoole_MySQL, begin) { txn(INTERNAL_FUNCTION_PARAM_PASSTHRU, swirl_mysql_begin, true); }
PHP_METHOD(Swoole_MySQL, commit) { txn(INTERNAL_FUNCTION_PARAM_PASSTHRU, swirl_mysql_commit, false); }
PHP_METHOD(Swoole_MySQL, rollback) {
    txn(INTERNAL_FUNCTION_PARAM_PASSTHRU, swirl_mysql_rollback, false);
}

PHP_METHOD(Swoole_MySQL, escape) {
    zend_string *s;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(s)
    ZEND_PARSE_PARAMETERS_END();
    mysql_obj *o = mysql_from(Z_OBJ_P(ZEND_THIS));
    zend_string *out = zend_string_alloc(ZSTR_LEN(s) * 2, 0);
    size_t n = swirl_mysql_escape(o->pid == getpid() ? o->c : NULL, ZSTR_VAL(out), ZSTR_VAL(s),
                                  ZSTR_LEN(s));
    ZSTR_VAL(out)[n] = 0;
    ZSTR_LEN(out) = n;
    RETURN_NEW_STR(out);
}

PHP_METHOD(Swoole_MySQL, on) {
    zend_string *name;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(name)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    if (!zend_string_equals_literal_ci(name, "close") &&
        !zend_string_equals_literal_ci(name, "onclose")) {
        php_error_docref(NULL, E_WARNING, "unknown event type [%s]: Swoole\\MySQL has 'close' only",
                         ZSTR_VAL(name));
        RETURN_FALSE;
    }
    mysql_obj *o = mysql_from(Z_OBJ_P(ZEND_THIS));
    zval_ptr_dtor(&o->on_close);
    ZVAL_COPY(&o->on_close, cb);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_MySQL, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    mysql_obj *o = mysql_from(Z_OBJ_P(ZEND_THIS));
    if (!o->c || o->pid != getpid()) {
        RETURN_FALSE;
    }
    bool up = swirl_mysql_connected(o->c) || swirl_mysql_pending(o->c) > 0;
    GC_ADDREF(&o->std);
    swirl_mysql_t *c = o->c;
    o->c = NULL;
    swirl_mysql_free(c); /* each queued callback: false, errno ECANCELED */
    fire_close(o);
    maybe_release(o);
    OBJ_RELEASE(&o->std);
    RETURN_BOOL(up);
}

void swirl_mysql_minit(void) {
    mysql_ce = register_class_Swoole_MySQL();
    mysql_ce->create_object = mysql_create_object;
    memcpy(&mysql_handlers, zend_get_std_object_handlers(), sizeof(mysql_handlers));
    mysql_handlers.offset = XtOffsetOf(mysql_obj, std);
    mysql_handlers.free_obj = mysql_free_object;
    mysql_handlers.get_gc = mysql_get_gc;
    mysql_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_mysql", mysql_ce);
    mysql_exception_ce = register_class_Swoole_MySQL_Exception(swirl_ce_exception);
    swirl_php_alias("swoole_mysql_exception", mysql_exception_ce);
}
