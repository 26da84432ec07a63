/* swirl_pool.c — Swoole\Process\Pool (swoole_process_pool) on
 * swirl_process_pool_t: N forked workers, supervised and replaced by the
 * master, optionally competing for messages from one queue.
 *
 * The C pool ends a worker with _exit(), which would skip PHP's request
 * shutdown there (output buffers, shutdown functions, destructors). So a
 * PHP worker never gets back to that _exit: the C on_worker_stop hook (which
 * the pool calls in every worker that leaves normally) runs the PHP
 * workerStop callback and then leaves through zend_bailout(), as a
 * Swoole\Process child does, and PHP exits with EG(exit_status). A callback
 * that throws (or calls exit()) leaves the same way at once: "Uncaught ..."
 * is reported and the worker exits with 255 (or exit()'s status), and the
 * master replaces it as it replaces any worker that dies. */
#include "php_swirl.h"

#include <main/php_output.h>
#include <zend_exceptions.h>

#include <signal.h>
#include <unistd.h>

#include "stubs/pool_arginfo.h"

enum { EV_WORKER_START, EV_WORKER_STOP, EV_MESSAGE, EV_START, EV_SHUTDOWN, EV_COUNT };
static const char *const ev_names[EV_COUNT] = {"workerstart", "workerstop", "message", "start",
                                               "shutdown"};

typedef struct {
    swirl_process_pool_t *pool;
    int ipc;
    bool running;
    bool coroutine; /* accepted; no coroutines yet */
    zval cb[EV_COUNT]; /* UNDEF when not set */
    zend_object std;
} pool_obj;

static zend_class_entry *pool_ce;
static zend_object_handlers pool_handlers;

static inline pool_obj *pool_from(zend_object *o) {
    return (pool_obj *)((char *)o - XtOffsetOf(pool_obj, std));
}

static zend_object *pool_create_object(zend_class_entry *ce) {
    pool_obj *o = zend_object_alloc(sizeof(pool_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &pool_handlers;
    for (int i = 0; i < EV_COUNT; i++)
        ZVAL_UNDEF(&o->cb[i]);
    return &o->std;
}

/* In a worker this only frees memory: the C pool keeps a private queue
 * alive there (only its master removes it). */
static void pool_free_object(zend_object *obj) {
    pool_obj *o = pool_from(obj);
    swirl_process_pool_free(o->pool);
    o->pool = NULL;
    for (int i = 0; i < EV_COUNT; i++)
        zval_ptr_dtor(&o->cb[i]);
    zend_object_std_dtor(obj);
}

static HashTable *pool_get_gc(zend_object *obj, zval **table, int *n) {
    pool_obj *o = pool_from(obj);
    *table = o->cb;
    *n = EV_COUNT;
    return zend_std_get_properties(obj);
}

/* Leave the worker through PHP's request shutdown; never returns. */
static ZEND_NORETURN void worker_leave(void) {
    if (EG(exception)) {
        if (zend_is_unwind_exit(EG(exception))) {
            zend_clear_exception(); /* exit(): EG(exit_status) is set */
        } else {
            zend_exception_error(EG(exception), E_ERROR); /* "Uncaught ...", status 255 */
            EG(exit_status) = 255;
        }
    }
    zend_bailout();
}

/* Call event `ev` with ($pool, extra); a throw leaves the worker. */
static void call_event(pool_obj *o, int ev, zval *extra, bool in_worker) {
    if (Z_ISUNDEF(o->cb[ev]))
        return;
    zval args[2], retval;
    ZVAL_OBJ(&args[0], &o->std);
    int n = 1;
    if (extra) {
        ZVAL_COPY_VALUE(&args[1], extra);
        n = 2;
    }
    ZVAL_UNDEF(&retval);
    zval fn;
    ZVAL_COPY(&fn, &o->cb[ev]); /* held for the call: on() may replace it meanwhile */
    if (call_user_function(NULL, NULL, &fn, &retval, n, args) == SUCCESS)
        zval_ptr_dtor(&retval);
    zval_ptr_dtor(&fn);
    if (EG(exception) && in_worker)
        worker_leave();
}

static void set_bool(pool_obj *o, const char *name, bool v) {
    zend_update_property_bool(pool_ce, &o->std, name, strlen(name), v);
}
static void set_long(pool_obj *o, const char *name, zend_long v) {
    zend_update_property_long(pool_ce, &o->std, name, strlen(name), v);
}

static void on_worker_start(swirl_process_pool_t *pool, int worker_id, void *user) {
    pool_obj *o = user;
    /* Output the master had buffered but not sent is the master's to send. */
    php_output_discard_all();
    /* the master's getProcess() objects hold the master's side of the pipes */
    zend_update_property_null(pool_ce, &o->std, "workers", sizeof("workers") - 1);
    set_bool(o, "running", true);
    set_bool(o, "workerRunning", true);
    set_long(o, "workerPid", getpid());
    set_long(o, "workerId", worker_id);
    zval id;
    ZVAL_LONG(&id, worker_id);
    call_event(o, EV_WORKER_START, &id, true);
}

static void on_worker_stop(swirl_process_pool_t *pool, int worker_id, void *user) {
    pool_obj *o = user;
    set_bool(o, "running", false);
    set_bool(o, "workerRunning", false);
    zval id;
    ZVAL_LONG(&id, worker_id);
    call_event(o, EV_WORKER_STOP, &id, true);
    worker_leave();
}

static void on_message(swirl_process_pool_t *pool, int worker_id, const void *data, size_t len,
                       void *user) {
    pool_obj *o = user;
    zval z;
    ZVAL_STRINGL(&z, data, len);
    call_event(o, EV_MESSAGE, &z, true);
    zval_ptr_dtor(&z);
}

/* Before the first fork, as Swoole's onStart; the master's timers run on
 * the pool's loop while it runs. */
static void on_starting(swirl_process_pool_t *pool, void *user) {
    pool_obj *o = user;
    swirl_php_set_loop(swirl_process_pool_loop(pool));
    set_bool(o, "running", true);
    call_event(o, EV_START, NULL, false);
    if (EG(exception))
        swirl_process_pool_shutdown(pool); /* rethrown by start() */
}

/* The loop goes next: the master's timers and watches on it go first. */
static void on_stopped(swirl_process_pool_t *pool, void *user) {
    swirl_php_set_loop(NULL);
}

static void on_shutdown(swirl_process_pool_t *pool, void *user) {
    pool_obj *o = user;
    set_bool(o, "running", false);
    set_bool(o, "workerRunning", false);
    if (EG(exception))
        return; /* start() rethrows it */
    call_event(o, EV_SHUTDOWN, NULL, false);
}

#define POOL_THIS(var)                                                                             \
    pool_obj *var = pool_from(Z_OBJ_P(ZEND_THIS));                                                 \
    if (!var->pool) {                                                                              \
        zend_throw_error(NULL, "Swoole\\Process\\Pool is not constructed");                        \
        RETURN_THROWS();                                                                           \
    }

PHP_METHOD(Swoole_Process_Pool, __construct) {
    zend_long num, ipc = SWIRL_IPC_NONE, key = 0;
    bool coroutine = false;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_LONG(num)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(ipc)
        Z_PARAM_LONG(key)
        Z_PARAM_BOOL(coroutine)
    ZEND_PARSE_PARAMETERS_END();
    pool_obj *o = pool_from(Z_OBJ_P(ZEND_THIS));
    if (o->pool) {
        zend_throw_error(NULL, "Swoole\\Process\\Pool is already constructed");
        RETURN_THROWS();
    }
    if (num <= 0 || num > 1024) {
        zend_argument_value_error(1, "must be between 1 and 1024");
        RETURN_THROWS();
    }
    if (ipc != SWIRL_IPC_NONE && ipc != SWIRL_IPC_UNIXSOCK && ipc != SWIRL_IPC_MSGQUEUE &&
        ipc != SWIRL_IPC_SOCKET) {
        zend_argument_value_error(2, "must be SWOOLE_IPC_NONE, SWOOLE_IPC_MSGQUEUE, SWOOLE_IPC_UNIXSOCK or SWOOLE_IPC_SOCKET");
        RETURN_THROWS();
    }
    if (key < INT_MIN || key > INT_MAX) {
        zend_argument_value_error(3, "must be a 32-bit System V key");
        RETURN_THROWS();
    }
    if (coroutine && ipc != SWIRL_IPC_NONE && ipc != SWIRL_IPC_UNIXSOCK) {
        zend_throw_error(NULL, "the parameter $ipc_type must be SWOOLE_IPC_UNIXSOCK when enable coroutine");
        RETURN_THROWS();
    }
    int rc = swirl_process_pool_new(&o->pool, (int)num, (int)ipc, (key_t)key);
    if (rc < 0) {
        o->pool = NULL;
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
    o->ipc = (int)ipc;
    o->coroutine = coroutine;
    swirl_process_pool_set_user(o->pool, o);
    swirl_process_pool_on_worker_start(o->pool, on_worker_start);
    swirl_process_pool_on_worker_stop(o->pool, on_worker_stop);
    if (ipc != SWIRL_IPC_NONE)
        swirl_process_pool_on_message(o->pool, on_message);
    swirl_process_pool_on_starting(o->pool, on_starting);
    swirl_process_pool_on_shutdown(o->pool, on_shutdown);
    swirl_process_pool_on_stopped(o->pool, on_stopped);
}

PHP_METHOD(Swoole_Process_Pool, on) {
    zend_string *name;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    if (o->running) {
        php_error_docref(NULL, E_WARNING, "the pool is running: set callbacks before start()");
        RETURN_FALSE;
    }
    zend_string *lc = zend_string_tolower(name);
    const char *n = ZSTR_VAL(lc);
    if (strncmp(n, "on", 2) == 0 && ZSTR_LEN(lc) > 2) /* 'onMessage' is accepted too */
        n += 2;
    int ev = -1;
    for (int i = 0; i < EV_COUNT; i++)
        if (strcmp(n, ev_names[i]) == 0)
            ev = i;
    zend_string_release(lc);
    if (ev < 0) {
        php_error_docref(NULL, E_WARNING,
                         "unknown event '%s': a pool has workerStart, workerStop, message, start and shutdown",
                         ZSTR_VAL(name));
        RETURN_FALSE;
    }
    if (ev == EV_MESSAGE && o->ipc == SWIRL_IPC_NONE) {
        php_error_docref(NULL, E_WARNING,
                         "a pool without a queue (SWOOLE_IPC_NONE) gets no message event");
        RETURN_FALSE;
    }
    zval_ptr_dtor(&o->cb[ev]);
    ZVAL_COPY(&o->cb[ev], &fci.function_name);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process_Pool, start) {
    ZEND_PARSE_PARAMETERS_NONE();
    POOL_THIS(o);
    if (o->ipc == SWIRL_IPC_NONE && Z_ISUNDEF(o->cb[EV_WORKER_START])) {
        php_error_docref(NULL, E_WARNING, "a pool without a queue needs a workerStart callback");
        RETURN_FALSE;
    }
    if (o->ipc != SWIRL_IPC_NONE && Z_ISUNDEF(o->cb[EV_MESSAGE])) {
        php_error_docref(NULL, E_WARNING, "a pool with a queue needs a message callback");
        RETURN_FALSE;
    }
    if (o->running) {
        php_error_docref(NULL, E_WARNING, "the pool is already running");
        RETURN_FALSE;
    }
    /* What PHP wrote but has not flushed would be written again by every worker. */
    fflush(stdout);
    zend_update_property_long(pool_ce, &o->std, "master_pid", sizeof("master_pid") - 1, getpid());
    o->running = true;
    GC_ADDREF(&o->std); /* the workers' callbacks use it */
    int rc = swirl_process_pool_start(o->pool);
    o->running = false;
    zend_update_property_null(pool_ce, &o->std, "workers", sizeof("workers") - 1);
    set_bool(o, "running", false);
    OBJ_RELEASE(&o->std);
    if (EG(exception))
        RETURN_THROWS();
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process_Pool, set) {
    HashTable *ht;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(ht)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    zend_string *key;
    zval *v;
    ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, v) {
        if (!key) {
            php_error_docref(NULL, E_WARNING, "settings are named: got a numeric key");
            continue;
        }
        if (zend_string_equals_literal(key, "enable_coroutine")) {
            o->coroutine = zend_is_true(v); /* accepted: no coroutines yet */
        } else if (zend_string_equals_literal(key, "max_wait_time")) {
            double sec = zval_get_double(v);
            if (sec < 0)
                sec = 0; /* Swoole clamps it */
            int rc = swirl_process_pool_set_max_wait(o->pool, sec > 4294967295.0 ? INT64_C(4294967295000) : (int64_t)(sec * 1000));
            if (rc < 0)
                swirl_php_warn(rc);
        } else if (zend_string_equals_literal(key, "max_package_size")) {
            if (zval_get_long(v) < 0)
                php_error_docref(NULL, E_WARNING,
                                 "max_package_size must be greater than or equal to 0, got " ZEND_LONG_FMT,
                                 zval_get_long(v));
            /* accepted: a message is one datagram (up to 2 MiB) */
        } else if (zend_string_equals_literal(key, "enable_message_bus")) {
            int rc = swirl_process_pool_set_message_bus(o->pool, zend_is_true(v));
            if (rc < 0)
                swirl_php_warn(rc);
        } else {
            php_error_docref(NULL, E_WARNING,
                             "unknown pool setting '%s': a pool has enable_coroutine, max_wait_time, "
                             "max_package_size and enable_message_bus",
                             ZSTR_VAL(key));
        }
    }
    ZEND_HASH_FOREACH_END();
}

PHP_METHOD(Swoole_Process_Pool, getProcess) {
    zend_long id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    if (!o->running)
        RETURN_FALSE; /* as Swoole: only while the pool runs */
    int n = swirl_process_pool_worker_num(o->pool);
    if (id >= n) {
        php_error_docref(NULL, E_WARNING, "invalid worker_id[" ZEND_LONG_FMT "]", id);
        RETURN_FALSE;
    }
    if (id < 0) {
        id = swirl_process_pool_worker_id(o->pool);
        if (id < 0) {
            php_error_docref(NULL, E_WARNING, "the master has no worker of its own: give a worker_id");
            RETURN_FALSE;
        }
    }
    pid_t pid = swirl_process_pool_worker_pid(o->pool, (int)id);
    zval rv, *workers = zend_read_property(pool_ce, &o->std, "workers", sizeof("workers") - 1, 1, &rv);
    zval arr;
    if (Z_TYPE_P(workers) != IS_ARRAY) {
        array_init(&arr);
        zend_update_property(pool_ce, &o->std, "workers", sizeof("workers") - 1, &arr);
        zval_ptr_dtor(&arr);
        workers = zend_read_property(pool_ce, &o->std, "workers", sizeof("workers") - 1, 1, &rv);
    }
    ZVAL_DEREF(workers);
    SEPARATE_ARRAY(workers);
    zval *cached = zend_hash_index_find(Z_ARRVAL_P(workers), id);
    if (cached) {
        swirl_php_process_set_pid(cached, pid);
        RETURN_COPY(cached);
    }
    int fd = o->ipc == SWIRL_IPC_UNIXSOCK ? swirl_process_pool_worker_fd(o->pool, (int)id) : -1;
    zval proc;
    if (!swirl_php_process_attach(&proc, fd, pid, (int)id))
        RETURN_FALSE;
    zend_hash_index_update(Z_ARRVAL_P(workers), id, &proc);
    RETURN_COPY(&proc);
}

PHP_METHOD(Swoole_Process_Pool, listen) {
    zend_string *host;
    zend_long port = 0, backlog = 2048;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_STR(host)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(port)
        Z_PARAM_LONG(backlog)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    if (o->running) {
        php_error_docref(NULL, E_WARNING, "process pool is started. unable to listen");
        RETURN_FALSE;
    }
    if (o->ipc != SWIRL_IPC_SOCKET) {
        php_error_docref(NULL, E_WARNING, "unsupported ipc type[%d]", o->ipc);
        RETURN_FALSE;
    }
    if (port < 0 || port > 65535 || backlog < 0 || backlog > INT_MAX) {
        zend_value_error("port " ZEND_LONG_FMT " (0..65535) or backlog " ZEND_LONG_FMT " out of range",
                         port, backlog);
        RETURN_THROWS();
    }
    int rc = swirl_process_pool_listen(o->pool, ZSTR_VAL(host), (int)port, (int)backlog);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process_Pool, write) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    if (o->ipc != SWIRL_IPC_SOCKET) {
        php_error_docref(NULL, E_WARNING, "unsupported ipc type[%d]", o->ipc);
        RETURN_FALSE;
    }
    if (ZSTR_LEN(data) == 0)
        RETURN_FALSE; /* as Swoole: nothing to add */
    RETURN_BOOL(swirl_process_pool_write(o->pool, ZSTR_VAL(data), ZSTR_LEN(data)) == 0);
}

PHP_METHOD(Swoole_Process_Pool, detach) {
    ZEND_PARSE_PARAMETERS_NONE();
    POOL_THIS(o);
    if (!o->running)
        RETURN_FALSE;
    int rc = swirl_process_pool_detach(o->pool);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process_Pool, sendMessage) {
    zend_string *msg;
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(msg)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    POOL_THIS(o);
    if (!o->running) {
        php_error_docref(NULL, E_WARNING, "process pool is not started.");
        RETURN_FALSE;
    }
    if (o->ipc != SWIRL_IPC_UNIXSOCK) {
        php_error_docref(NULL, E_WARNING,
                         "unsupported ipc type[%d], sendMessage requires SWOOLE_IPC_UNIXSOCK", o->ipc);
        RETURN_FALSE;
    }
    if (id < 0 || id >= swirl_process_pool_worker_num(o->pool)) {
        php_error_docref(NULL, E_WARNING, "invalid worker_id[" ZEND_LONG_FMT "]", id);
        RETURN_FALSE;
    }
    int rc = swirl_process_pool_send(o->pool, (int)id, ZSTR_VAL(msg), ZSTR_LEN(msg));
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process_Pool, shutdown) {
    ZEND_PARSE_PARAMETERS_NONE();
    POOL_THIS(o);
    zval rv, *mp = zend_read_property(pool_ce, &o->std, "master_pid", sizeof("master_pid") - 1, 1, &rv);
    if (Z_TYPE_P(mp) != IS_LONG || Z_LVAL_P(mp) <= 0) {
        php_error_docref(NULL, E_WARNING, "the pool is not running");
        RETURN_FALSE;
    }
    swirl_process_pool_shutdown(o->pool);
    RETURN_TRUE;
}

void swirl_pool_minit(void) {
    pool_ce = register_class_Swoole_Process_Pool();
    pool_ce->create_object = pool_create_object;
    memcpy(&pool_handlers, zend_get_std_object_handlers(), sizeof pool_handlers);
    pool_handlers.offset = XtOffsetOf(pool_obj, std);
    pool_handlers.free_obj = pool_free_object;
    pool_handlers.get_gc = pool_get_gc;
    pool_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_process_pool", pool_ce);
}
