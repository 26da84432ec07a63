/* swirl_server_events.c — the events of Swoole\Server: the one C callback
 * (swirl_php_server_dispatch) that calls the PHP callables with Swoole's
 * arguments, how a callback that throws or dies ends its process, and the
 * PHP values carried by tasks and pipe messages (see swirl_server.c). */
#include "swirl_server.h"

#include <SAPI.h>
#include <ext/standard/php_var.h>
#include <main/php_output.h>
#include <zend_exceptions.h>
#include <zend_smart_str.h>

#include <errno.h>
#include <unistd.h>

/* ---- PHP values over task and message pipes ----------------------------------------------- */

zend_string *swirl_php_pack_value(zval *v) {
    if (Z_TYPE_P(v) == IS_STRING) {
        zend_string *s = zend_string_alloc(Z_STRLEN_P(v) + 1, 0);
        ZSTR_VAL(s)[0] = TASK_RAW;
        memcpy(ZSTR_VAL(s) + 1, Z_STRVAL_P(v), Z_STRLEN_P(v));
        ZSTR_VAL(s)[ZSTR_LEN(s)] = '\0';
        return s;
    }
    smart_str buf = {0};
    smart_str_appendc(&buf, TASK_SERIALIZED);
    php_serialize_data_t var_hash;
    PHP_VAR_SERIALIZE_INIT(var_hash);
    php_var_serialize(&buf, v, &var_hash);
    PHP_VAR_SERIALIZE_DESTROY(var_hash);
    if (EG(exception)) {
        smart_str_free(&buf);
        return NULL;
    }
    return smart_str_extract(&buf);
}

void swirl_php_unpack_value(const char *data, size_t len, zval *out) {
    if (len > 0 && data[0] == TASK_SERIALIZED) {
        const unsigned char *p = (const unsigned char *)data + 1;
        php_unserialize_data_t var_hash;
        PHP_VAR_UNSERIALIZE_INIT(var_hash);
        if (!php_var_unserialize(out, &p, (const unsigned char *)data + len, &var_hash)) {
            zval_ptr_dtor(out);
            ZVAL_FALSE(out);
            if (!EG(exception))
                php_error_docref(NULL, E_WARNING, "task data could not be unserialized");
        }
        PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
    } else if (len > 0 && data[0] == TASK_RAW) {
        ZVAL_STRINGL(out, data + 1, len - 1);
    } else {
        ZVAL_STRINGL(out, data, len); /* not from PHP: as it came */
    }
}

/* ---- events ------------------------------------------------------------------------------- */

/* Send what PHP still holds of this process's output, then end it. */
static ZEND_NORETURN void leave_process(int status) {
    zend_try { php_output_end_all(); }
    zend_end_try();
    sapi_flush();
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}

ZEND_NORETURN void swirl_php_server_callback_failed(bool bailed) {
    if (bailed)
        leave_process(EG(exit_status) ? EG(exit_status) : 255); /* a fatal error, reported */
    if (zend_is_unwind_exit(EG(exception))) {
        zend_clear_exception();
        leave_process(EG(exit_status));
    }
    zend_exception_error(EG(exception), E_ERROR); /* "PHP Fatal error: Uncaught ..." */
    leave_process(255);
}

static void update_worker_props(server_obj *o, int worker_id) {
    zend_object *obj = &o->std;
    swirl_server_stats_t st;
    bool task = false;
    if (worker_id >= 0 && swirl_server_stats(o->srv, &st) == 0)
        task = worker_id >= st.worker_num;
    UPDATE_LONG(obj, "worker_id", worker_id);
    UPDATE_LONG(obj, "worker_pid", getpid());
    zend_update_property_bool(swirl_php_server_ce, obj, "taskworker", sizeof("taskworker") - 1,
                              task);
    UPDATE_LONG(obj, "master_pid", swirl_server_master_pid(o->srv));
    UPDATE_LONG(obj, "manager_pid", swirl_server_manager_pid(o->srv));
    int port = swirl_server_port(o->srv);
    if (port > 0)
        UPDATE_LONG(obj, "port", port);
    zval rv,
        *ports = zend_read_property(swirl_php_server_ce, obj, "ports", sizeof("ports") - 1, 1, &rv),
        *z;
    if (Z_TYPE_P(ports) == IS_ARRAY) {
        ZEND_HASH_FOREACH_VAL(Z_ARR_P(ports), z) {
            if (Z_TYPE_P(z) != IS_OBJECT || Z_OBJCE_P(z) != swirl_php_port_ce)
                continue;
            port_obj *p = port_from(Z_OBJ_P(z));
            int bound = p->port ? swirl_port_bound_port(p->port) : port;
            if (bound > 0)
                zend_update_property_long(swirl_php_port_ce, Z_OBJ_P(z), "port", sizeof("port") - 1,
                                          bound);
        }
        ZEND_HASH_FOREACH_END();
    }
}

/* The callback of an extra port for this connection (or datagram) event, or
 * NULL: the server's. The core names the listener (ev->port). */
static zval *port_callback(server_obj *o, const swirl_event_t *ev) {
    int which;
    switch (ev->type) {
    case SWIRL_ON_CONNECT:
        which = PCB_CONNECT;
        break;
    case SWIRL_ON_RECEIVE:
        which = PCB_RECEIVE;
        break;
    case SWIRL_ON_CLOSE:
        which = PCB_CLOSE;
        break;
    case SWIRL_ON_PACKET:
        which = PCB_PACKET;
        break;
    default:
        return NULL;
    }
    if (!o->port_cbs || !ev->port)
        return NULL;
    zval rv,
        *ports =
            zend_read_property(swirl_php_server_ce, &o->std, "ports", sizeof("ports") - 1, 1, &rv),
        *z;
    if (Z_TYPE_P(ports) != IS_ARRAY)
        return NULL;
    ZEND_HASH_FOREACH_VAL(Z_ARR_P(ports), z) {
        if (Z_TYPE_P(z) != IS_OBJECT || Z_OBJCE_P(z) != swirl_php_port_ce)
            continue;
        port_obj *p = port_from(Z_OBJ_P(z));
        if (p->port && p->port == ev->port)
            return Z_TYPE(p->cb[which]) == IS_UNDEF ? NULL : &p->cb[which];
    }
    ZEND_HASH_FOREACH_END();
    return NULL;
}

/* Call `cb` for event `type` (-1: none of the server's) with args[0] = the
 * server if with_server; see swirl_server.h. */
static bool call_php(server_obj *o, int type, zval *cb, zval *args, uint32_t n, bool with_server,
                     bool survive, const char *what, zval *ret) {
    zval retval, fn;
    ZVAL_UNDEF(&retval);
    if (with_server)
        ZVAL_OBJ(&args[0], &o->std);
    ZVAL_COPY(&fn, cb);           /* held for the call: on() may replace it meanwhile */
    volatile bool bailed = false; /* set after a longjmp: kept in memory */
    zend_try {
        call_user_function(NULL, NULL, &fn, &retval, n, args);
        if (!EG(exception) && type == SWIRL_ON_TASK && Z_TYPE(retval) != IS_UNDEF &&
            Z_TYPE(retval) != IS_NULL && !(o->task_finished && o->task_waited))
            swirl_php_finish_value(o, &retval);
        if (ret && !EG(exception)) /* the caller takes the return value */
            ZVAL_COPY(ret, &retval);
    }
    zend_catch { bailed = true; }
    zend_end_try();
    zval_ptr_dtor(&retval);
    zval_ptr_dtor(&fn);
    if (bailed)
        leave_process(EG(exit_status) ? EG(exit_status) : 255); /* a fatal error, reported */
    if (EG(exception)) {
        if (zend_is_unwind_exit(EG(exception))) {
            zend_clear_exception();
            leave_process(EG(exit_status));
        }
        if (survive) {
            /* the rest of the process's work goes on: the exception is
             * reported (class, message, where) and dropped */
            zend_object *ex = EG(exception);
            GC_ADDREF(ex);
            zend_clear_exception();
            zval rv1, rv2, rv3, *msg, *file, *line;
            msg = zend_read_property(ex->ce, ex, "message", sizeof("message") - 1, 1, &rv1);
            file = zend_read_property(ex->ce, ex, "file", sizeof("file") - 1, 1, &rv2);
            line = zend_read_property(ex->ce, ex, "line", sizeof("line") - 1, 1, &rv3);
            php_error_docref(NULL, E_WARNING, "Uncaught %s in the %s callback: %s in %s:" ZEND_LONG_FMT,
                             ZSTR_VAL(ex->ce->name), what,
                             Z_TYPE_P(msg) == IS_STRING ? Z_STRVAL_P(msg) : "",
                             Z_TYPE_P(file) == IS_STRING ? Z_STRVAL_P(file) : "?",
                             Z_TYPE_P(line) == IS_LONG ? Z_LVAL_P(line) : 0);
            OBJ_RELEASE(ex);
            return false;
        }
        /* "PHP Fatal error: Uncaught ...", as Swoole: the process ends */
        zend_exception_error(EG(exception), E_ERROR);
        leave_process(255);
    }
    return true;
}

bool swirl_php_server_call(server_obj *o, zval *cb, zval *args, uint32_t n, bool with_server,
                           bool survive, const char *what) {
    zval keep;
    ZVAL_COPY(&keep, cb); /* the callable may drop itself */
    bool ok = call_php(o, -1, &keep, args, n, with_server, survive, what, NULL);
    zval_ptr_dtor(&keep);
    return ok;
}

bool swirl_php_server_call_ret(server_obj *o, zval *cb, zval *args, uint32_t n, bool with_server,
                               const char *what, zval *ret) {
    zval keep;
    ZVAL_COPY(&keep, cb);
    ZVAL_UNDEF(ret);
    bool ok = call_php(o, -1, &keep, args, n, with_server, true, what, ret);
    zval_ptr_dtor(&keep);
    return ok;
}

void swirl_php_server_dispatch(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    server_obj *o = user;
    zend_object *obj = &o->std;
    zval args[5];
    uint32_t n = 1;
    zval *cb = port_callback(o, ev);
    zval *task_cb = NULL;
    if (!cb)
        cb = &o->cb[ev->type];
    if (ev->type == SWIRL_ON_FINISH &&
        (task_cb = zend_hash_index_find(&o->finish_cbs, (zend_ulong)ev->task_id)))
        cb = task_cb; /* task($data, $dst, $finish) */
    bool have = Z_TYPE_P(cb) != IS_UNDEF;
    if (!have && ev->type == SWIRL_ON_FINISH) /* a result and nothing to take it: as Swoole */
        php_error_docref(NULL, E_WARNING, "require 'onFinish' callback");

    switch (ev->type) {
    case SWIRL_ON_START:
    case SWIRL_ON_MANAGER_START:
        /* timers of the master's and manager's callbacks go in their loop */
        if (swirl_server_loop(srv))
            swirl_php_set_loop(swirl_server_loop(srv));
        update_worker_props(o, -1);
        break;
    case SWIRL_ON_SHUTDOWN:
    case SWIRL_ON_MANAGER_STOP:
        update_worker_props(o, -1);
        break;
    case SWIRL_ON_WORKER_START:
        /* timers and events PHP code adds here belong to this worker's loop */
        swirl_php_set_loop(swirl_server_loop(srv));
        update_worker_props(o, ev->worker_id);
        break;
    default:
        break;
    }

    if (have) {
        switch (ev->type) {
        case SWIRL_ON_WORKER_START:
        case SWIRL_ON_WORKER_STOP:
        case SWIRL_ON_WORKER_EXIT:
            ZVAL_LONG(&args[1], ev->worker_id);
            n = 2;
            break;
        case SWIRL_ON_WORKER_ERROR:
            ZVAL_LONG(&args[1], ev->worker_id);
            ZVAL_LONG(&args[2], ev->pid);
            ZVAL_LONG(&args[3], ev->exit_code);
            ZVAL_LONG(&args[4], ev->signo);
            n = 5;
            break;
        case SWIRL_ON_CONNECT:
        case SWIRL_ON_CLOSE:
            ZVAL_LONG(&args[1], ev->fd);
            ZVAL_LONG(&args[2], ev->reactor_id);
            n = 3;
            break;
        case SWIRL_ON_BUFFER_FULL:
        case SWIRL_ON_BUFFER_EMPTY:
            ZVAL_LONG(&args[1], ev->fd);
            n = 2;
            break;
        case SWIRL_ON_RECEIVE:
            ZVAL_LONG(&args[1], ev->fd);
            ZVAL_LONG(&args[2], ev->reactor_id);
            ZVAL_STRINGL(&args[3], ev->data ? ev->data : "", ev->len);
            n = 4;
            break;
        case SWIRL_ON_PACKET: {
            ZVAL_STRINGL(&args[1], ev->data ? ev->data : "", ev->len);
            array_init(&args[2]);
            char host[256] = "";
            if (ev->addr)
                swirl_addr_host(ev->addr, host, sizeof host);
            add_assoc_long(&args[2], "server_socket", ev->server_fd);
            add_assoc_long(&args[2], "server_port", swirl_server_port(srv));
            add_assoc_string(&args[2], "address", host);
            add_assoc_long(&args[2], "port", ev->addr ? swirl_addr_port(ev->addr) : 0);
            n = 3;
            break;
        }
        case SWIRL_ON_PIPE_MESSAGE:
            ZVAL_LONG(&args[1], ev->worker_id);
            swirl_php_unpack_value(ev->data, ev->len, &args[2]);
            n = 3;
            break;
        case SWIRL_ON_TASK:
            ZVAL_LONG(&args[1], ev->task_id);
            ZVAL_LONG(&args[2], ev->worker_id);
            swirl_php_unpack_value(ev->data, ev->len, &args[3]);
            n = 4;
            o->in_task = true;
            o->task_finished = false;
            o->task_waited = ev->task_flags & SWIRL_TASK_WAITED;
            o->task_id = ev->task_id;
            break;
        case SWIRL_ON_FINISH:
            ZVAL_LONG(&args[1], ev->task_id);
            swirl_php_unpack_value(ev->data, ev->len, &args[2]);
            n = 3;
            break;
        default:
            break;
        }
        n = swirl_php_event_objects(o, ev, args, n); /* event_object, task_use_object */
        if (EG(exception)) { /* an unserialize that threw */
            zend_exception_error(EG(exception), E_ERROR);
            leave_process(255);
        }
        zval keep;
        ZVAL_COPY(&keep, cb); /* the callable may drop itself */
        int outer = o->event;
        o->event = ev->type;
        call_php(o, ev->type, &keep, args, n, true, false, NULL, NULL);
        o->event = outer;
        zval_ptr_dtor(&keep);
        o->in_task = false;
        for (uint32_t i = 1; i < n; i++)
            zval_ptr_dtor(&args[i]);
    }
    if (task_cb)
        zend_hash_index_del(&o->finish_cbs, (zend_ulong)ev->task_id);

    /* the loop of the master or the manager is about to go: what PHP left in
     * it is released (and the worker's, below) */
    if (ev->type == SWIRL_ON_SHUTDOWN || ev->type == SWIRL_ON_MANAGER_STOP)
        swirl_php_set_loop(NULL);

    if (ev->type == SWIRL_ON_WORKER_STOP) {
        if (o->http)
            swirl_php_http_worker_stop();
        swirl_php_set_loop(NULL);
        /* a forked worker _exits: send what PHP buffered (not in the one process
         * of a single-worker BASE server, whose script goes on after start) */
        if (getpid() != swirl_server_master_pid(srv))
            php_output_end_all();
        sapi_flush();
        fflush(stdout);
        UPDATE_LONG(obj, "worker_id", -1);
    }
}
