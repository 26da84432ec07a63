/* swirl_server_methods.c — the methods of Swoole\Server that act on a
 * running server (connections, tasks, messages, timers, listeners, user
 * processes, heartbeat) and of Swoole\Server\Port. The class itself, its
 * events, construction and settings are in swirl_server.c. */
#include "swirl_server.h"

#include <zend_interfaces.h>

#include <SAPI.h>
#include <ext/standard/php_var.h>
#include <main/php_output.h>
#include <zend_exceptions.h>
#include <zend_smart_str.h>

#include <errno.h>
#include <unistd.h>

/* $server_socket as swirl takes it: negative picks one, a value past int
 * is no fd of the server (refused by name, not truncated to another fd). */
static int sock_arg(zend_long fd) { return fd < 0 ? -1 : fd > INT_MAX ? INT_MAX : (int)fd; }

PHP_METHOD(Swoole_Server, send) {
    zend_string *sfd = NULL, *data;
    zend_long lfd = 0, server_socket = -1;
    ZEND_PARSE_PARAMETERS_START(2, 3)
    Z_PARAM_STR_OR_LONG(sfd, lfd)
    Z_PARAM_STR(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(server_socket)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (sfd && (ZSTR_VAL(sfd)[0] == '/' || ZSTR_VAL(sfd)[0] == '@')) {
        /* a Unix datagram peer's path (or abstract name) */
        swirl_addr_t to;
        int rc = swirl_addr_parse(&to, SWIRL_SOCK_UNIX_DGRAM, ZSTR_VAL(sfd), 0);
        if (rc == 0)
            rc = swirl_server_sendto(srv, &to, ZSTR_VAL(data), ZSTR_LEN(data),
                                     sock_arg(server_socket));
        DGRAM_RESULT(rc);
    }
    if (sfd) {
        /* any other string is a connection id, as Swoole reads it ("12") */
        zval z;
        ZVAL_STR(&z, sfd);
        lfd = zval_get_long(&z);
    }
    int rc = swirl_server_send(srv, lfd, ZSTR_VAL(data), ZSTR_LEN(data));
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, sendto) {
    zend_string *ip, *data;
    zend_long port, server_socket = -1;
    ZEND_PARSE_PARAMETERS_START(3, 4)
    Z_PARAM_STR(ip)
    Z_PARAM_LONG(port)
    Z_PARAM_STR(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(server_socket)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (port < 0 || port > 65535) {
        zend_argument_value_error(2, "must be between 0 and 65535");
        RETURN_THROWS();
    }
    swirl_addr_t to;
    /* a Unix peer is a path, or "@name" for an abstract one (what an
     * autobound client such as Swoole\Client's shows in `address`) */
    const char *h = ZSTR_VAL(ip);
    swirl_sock_type_t t = strchr(h, ':')              ? SWIRL_SOCK_UDP6
                          : h[0] == '/' || h[0] == '@' ? SWIRL_SOCK_UNIX_DGRAM
                                                       : SWIRL_SOCK_UDP;
    int rc = swirl_addr_parse(&to, t, h, (int)port);
    if (rc == 0)
        rc = swirl_server_sendto(srv, &to, ZSTR_VAL(data), ZSTR_LEN(data), sock_arg(server_socket));
    DGRAM_RESULT(rc);
}

PHP_METHOD(Swoole_Server, sendfile) {
    zend_long fd, offset = 0, length = 0;
    zend_string *path;
    ZEND_PARSE_PARAMETERS_START(2, 4)
    Z_PARAM_LONG(fd)
    Z_PARAM_PATH_STR(path)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(offset)
    Z_PARAM_LONG(length)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (offset < 0 || length < 0) {
        zend_value_error("offset and length must not be negative");
        RETURN_THROWS();
    }
    int rc = swirl_server_sendfile(srv, fd, ZSTR_VAL(path), (off_t)offset, (size_t)length);
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, close) {
    zend_long fd;
    bool reset = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_LONG(fd)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(reset)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    int rc = swirl_server_close(srv, fd, reset);
    if (rc == 0 && server_from(Z_OBJ_P(ZEND_THIS))->http)
        swirl_php_http_closing(fd); /* its response needs no end now */
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, exist) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    RETURN_BOOL(swirl_server_exist(srv, fd));
}

PHP_METHOD(Swoole_Server, pause) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    int rc = swirl_server_pause(srv, fd);
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, resume) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    int rc = swirl_server_resume(srv, fd);
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, bind) {
    zend_long fd, uid;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_LONG(fd)
    Z_PARAM_LONG(uid)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (uid < 0 || uid > UINT32_MAX) {
        zend_argument_value_error(2, "must be between 0 and %u", UINT32_MAX);
        RETURN_THROWS();
    }
    int rc = swirl_server_bind(srv, fd, (uint32_t)uid);
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, getClientInfo) {
    zend_long fd, reactor_id = -1;
    bool ignore = false;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_LONG(fd)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(reactor_id)
    Z_PARAM_BOOL(ignore)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    swirl_conn_info_t ci;
    if (swirl_server_connection_info(srv, fd, &ci) < 0)
        RETURN_FALSE;
    array_init(return_value);
    add_assoc_long(return_value, "server_port", ci.server_port);
    add_assoc_long(return_value, "server_fd", ci.server_fd);
    add_assoc_long(return_value, "socket_type", ci.sock_type);
    add_assoc_long(return_value, "remote_port", ci.remote_port);
    add_assoc_string(return_value, "remote_ip", ci.remote_ip);
    add_assoc_long(return_value, "reactor_id", ci.reactor_id);
    add_assoc_long(return_value, "connect_time", (zend_long)ci.connect_time);
    add_assoc_long(return_value, "last_time", (zend_long)ci.last_time);
    add_assoc_double(return_value, "last_recv_time", ci.last_time);
    add_assoc_long(return_value, "close_errno", 0);
    if (ci.uid)
        add_assoc_long(return_value, "uid", ci.uid);
    if (ci.websocket_status)
        add_assoc_long(return_value, "websocket_status", ci.websocket_status);
}

PHP_METHOD(Swoole_Server, getClientList) {
    zend_long start = 0, count = 10;
    ZEND_PARSE_PARAMETERS_START(0, 2)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(start)
    Z_PARAM_LONG(count)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (count < 1 || count > 100) {
        zend_argument_value_error(2, "must be between 1 and 100");
        RETURN_THROWS();
    }
    int64_t ids[100];
    int n = swirl_server_connection_list(srv, start, ids, (int)count);
    if (n <= 0)
        RETURN_FALSE; /* as Swoole: none */
    array_init(return_value);
    for (int i = 0; i < n; i++)
        add_next_index_long(return_value, ids[i]);
}

PHP_METHOD(Swoole_Server, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    swirl_server_stats_t st;
    memset(&st, 0, sizeof st);
    array_init(return_value);
    if (swirl_server_stats(srv, &st) < 0)
        return;
    zval *rv = return_value;
    add_assoc_long(rv, "start_time", (zend_long)st.start_time);
    add_assoc_long(rv, "connection_num", st.connection_num);
    add_assoc_long(rv, "abort_count", st.rejected_count);
    add_assoc_long(rv, "accept_count", st.accept_count);
    add_assoc_long(rv, "close_count", st.close_count);
    add_assoc_long(rv, "worker_num", st.worker_num);
    add_assoc_long(rv, "task_worker_num", st.task_worker_num);
    add_assoc_long(rv, "idle_worker_num", st.idle_worker_num);
    add_assoc_long(rv, "tasking_num", st.tasking_num);
    add_assoc_long(rv, "task_idle_worker_num", st.task_idle_worker_num);
    add_assoc_long(rv, "request_count", st.request_count);
    add_assoc_long(rv, "dispatch_count", st.dispatch_count);
    add_assoc_long(rv, "worker_request_count", st.worker_request_count);
    add_assoc_long(rv, "task_queue_num", st.task_queue_num);
    add_assoc_long(rv, "task_queue_bytes", st.task_queue_bytes);
    add_assoc_long(rv, "task_rejected_count", st.task_rejected_count);
    add_assoc_long(rv, "tls_failed_count", st.tls_failed_count);
}

PHP_METHOD(Swoole_Server, task) {
    zval *data;
    zend_long dst = -1;
    zend_fcall_info fci = empty_fcall_info;
    zend_fcall_info_cache fcc = empty_fcall_info_cache;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_ZVAL(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(dst)
    Z_PARAM_FUNC_OR_NULL(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    zend_string *packed = swirl_php_pack_value(data);
    if (!packed)
        RETURN_THROWS();
    int64_t id = swirl_server_task(srv, ZSTR_VAL(packed), ZSTR_LEN(packed),
                                   dst < -1 || dst > INT_MAX ? INT_MAX : (int)dst);
    zend_string_release(packed);
    if (id < 0) {
        swirl_php_warn((int)id);
        RETURN_FALSE;
    }
    if (ZEND_FCI_INITIALIZED(fci)) {
        server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
        Z_TRY_ADDREF(fci.function_name);
        zend_hash_index_update(&o->finish_cbs, (zend_ulong)id, &fci.function_name);
    }
    RETURN_LONG(id);
}

/* The longest taskwait: a year (a longer or infinite one would not fit the
 * C layer's millisecond deadline). */
#define TASKWAIT_MAX_SECONDS (86400.0 * 365)

PHP_METHOD(Swoole_Server, taskwait) {
    zval *data;
    double timeout = 0.5;
    zend_long dst = -1;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_ZVAL(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_DOUBLE(timeout)
    Z_PARAM_LONG(dst)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (timeout > TASKWAIT_MAX_SECONDS)
        timeout = TASKWAIT_MAX_SECONDS; /* INF: as long as it may (NaN is refused below) */
    zend_string *packed = swirl_php_pack_value(data);
    if (!packed)
        RETURN_THROWS();
    swirl_buf_t result;
    swirl_buf_init(&result);
    int rc = swirl_server_taskwait(srv, ZSTR_VAL(packed), ZSTR_LEN(packed), timeout,
                                   dst < -1 || dst > INT_MAX ? INT_MAX : (int)dst, &result);
    zend_string_release(packed);
    if (rc < 0) {
        swirl_buf_destroy(&result);
        if (rc != -ETIMEDOUT)
            swirl_php_warn(rc);
        RETURN_FALSE;
    }
    swirl_php_unpack_value(result.data + result.start, result.len - result.start, return_value);
    swirl_buf_destroy(&result);
}

bool swirl_php_finish_value(server_obj *o, zval *v) {
    zend_string *packed = swirl_php_pack_value(v);
    if (!packed)
        return false;
    int rc = swirl_server_finish(o->srv, ZSTR_VAL(packed), ZSTR_LEN(packed));
    zend_string_release(packed);
    if (rc < 0 && rc != -ETIMEDOUT)
        swirl_php_warn(rc);
    if (rc == 0)
        o->task_finished = true;
    return rc == 0;
}

PHP_METHOD(Swoole_Server, finish) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    RETURN_BOOL(swirl_php_finish_value(o, data));
}

PHP_METHOD(Swoole_Server, sendMessage) {
    zval *msg;
    zend_long dst;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_ZVAL(msg)
    Z_PARAM_LONG(dst)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    zend_string *packed = swirl_php_pack_value(msg);
    if (!packed)
        RETURN_THROWS();
    int rc = swirl_server_send_message(srv, ZSTR_VAL(packed), ZSTR_LEN(packed),
                                       dst < 0 || dst > INT_MAX ? -1 : (int)dst);
    zend_string_release(packed);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, getLastError) {
    ZEND_PARSE_PARAMETERS_NONE();
    /* a connection gone: Swoole's SWOOLE_ERROR_SESSION_NOT_EXIST */
    RETURN_LONG(swirl_php_errcode(swirl_last_error()));
}

PHP_METHOD(Swoole_Server, getMasterPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    RETURN_LONG(swirl_server_master_pid(srv));
}

PHP_METHOD(Swoole_Server, getManagerPid) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    RETURN_LONG(swirl_server_manager_pid(srv));
}

PHP_METHOD(Swoole_Server, getWorkerId) {
    ZEND_PARSE_PARAMETERS_NONE();
    SERVER_THIS(srv);
    int id = swirl_server_worker_id(srv);
    if (id < 0)
        RETURN_FALSE;
    RETURN_LONG(id);
}

PHP_METHOD(Swoole_Server, getWorkerPid) {
    zend_long id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (id < 0) {
        if (swirl_server_worker_id(srv) < 0)
            RETURN_FALSE;
        RETURN_LONG(getpid());
    }
    pid_t pid = swirl_server_worker_pid(srv, id > INT_MAX ? INT_MAX : (int)id);
    if (pid <= 0)
        RETURN_FALSE;
    RETURN_LONG(pid);
}

PHP_METHOD(Swoole_Server, getWorkerStatus) {
    zend_long id = -1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (swirl_server_master_pid(srv) <= 0) {
        php_error_docref(NULL, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (id < 0)
        id = swirl_server_worker_id(srv);
    int st = id < 0 || id > INT_MAX ? -1 : swirl_server_worker_status(srv, (int)id);
    if (st < 0)
        RETURN_FALSE;
    RETURN_LONG(st);
}

PHP_METHOD(Swoole_Server, sendwait) {
    zend_long fd;
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_LONG(fd)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    int rc = swirl_server_send(srv, fd, ZSTR_VAL(data), ZSTR_LEN(data));
    SEND_RESULT(rc);
}

PHP_METHOD(Swoole_Server, taskWaitMulti) {
    HashTable *tasks;
    double timeout = 0.5;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_ARRAY_HT(tasks)
    Z_PARAM_OPTIONAL
    Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (timeout > TASKWAIT_MAX_SECONDS)
        timeout = TASKWAIT_MAX_SECONDS;
    uint32_t n = zend_hash_num_elements(tasks);
    if (n == 0) {
        zend_argument_value_error(1, "must not be empty");
        RETURN_THROWS();
    }
    if (n > 1024) {
        zend_argument_value_error(1, "must hold at most 1024 tasks");
        RETURN_THROWS();
    }
    zend_string **packed = ecalloc(n, sizeof *packed);
    swirl_task_data_t *td = ecalloc(n, sizeof *td);
    swirl_buf_t *results = ecalloc(n, sizeof *results);
    int *status = ecalloc(n, sizeof *status);
    uint32_t i = 0;
    zval *v;
    bool failed = false;
    ZEND_HASH_FOREACH_VAL(tasks, v) {
        ZVAL_DEREF(v);
        if (!(packed[i] = swirl_php_pack_value(v))) {
            failed = true;
            break;
        }
        td[i].data = ZSTR_VAL(packed[i]);
        td[i].len = ZSTR_LEN(packed[i]);
        td[i].dst = -1;
        swirl_buf_init(&results[i]);
        i++;
    }
    ZEND_HASH_FOREACH_END();
    int rc = 0;
    if (!failed) {
        rc = swirl_server_taskwait_multi(srv, td, n, timeout, results, status);
        if (rc < 0) {
            swirl_php_warn(rc);
            RETVAL_FALSE;
        } else {
            array_init(return_value);
            zend_string *key;
            zend_ulong idx;
            uint32_t k = 0;
            ZEND_HASH_FOREACH_KEY(tasks, idx, key) {
                if (status[k] == 0) {
                    zval r;
                    swirl_php_unpack_value(results[k].data + results[k].start,
                                           results[k].len - results[k].start, &r);
                    if (key)
                        zend_hash_update(Z_ARR_P(return_value), key, &r);
                    else
                        zend_hash_index_update(Z_ARR_P(return_value), idx, &r);
                }
                k++;
            }
            ZEND_HASH_FOREACH_END();
        }
    }
    for (uint32_t k = 0; k < i; k++) {
        zend_string_release(packed[k]);
        swirl_buf_destroy(&results[k]);
    }
    efree(packed);
    efree(td);
    efree(results);
    efree(status);
    if (failed)
        RETURN_THROWS();
}

/* This process's server loop, made the loop of Swoole\Timer too; NULL with
 * a warning naming the context when there is none. */
static bool server_loop_ready(zval *this_) {
    server_obj *o = server_from(Z_OBJ_P(this_));
    if (!o->srv) {
        zend_throw_error(NULL, "Swoole\\Server is not constructed");
        return false;
    }
    swirl_loop_t *loop = swirl_server_loop(o->srv);
    if (!loop) {
        const char *where = !o->started ? "before start(): use Swoole\\Timer, or a server callback"
                            : o->event == SWIRL_ON_START
                                ? "the start callback of a BASE server with one worker and no "
                                  "manager: use workerStart"
                            : swirl_server_master_pid(o->srv) != getpid() &&
                                    swirl_server_manager_pid(o->srv) != getpid() &&
                                    swirl_server_worker_id(o->srv) < 0
                                ? "in a user process (addProcess): use Swoole\\Timer there"
                                : "after the server stopped";
        php_error_docref(NULL, E_WARNING, "the server has no event loop in this process (%s)",
                         where);
        return false;
    }
    if (swirl_php_loop_if_any() != loop)
        swirl_php_set_loop(loop);
    return true;
}

PHP_METHOD(Swoole_Server, tick) {
    if (!server_loop_ready(ZEND_THIS))
        RETURN_FALSE;
    swirl_php_timer_add(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

PHP_METHOD(Swoole_Server, after) {
    if (!server_loop_ready(ZEND_THIS))
        RETURN_FALSE;
    swirl_php_timer_add(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

PHP_METHOD(Swoole_Server, defer) {
    if (!server_loop_ready(ZEND_THIS))
        RETURN_FALSE;
    swirl_php_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

PHP_METHOD(Swoole_Server, clearTimer) { swirl_php_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

PHP_METHOD(Swoole_Server, listen) {
    zend_string *host;
    zend_long port, type = SWIRL_SOCK_TCP;
    ZEND_PARSE_PARAMETERS_START(2, 3)
    Z_PARAM_STR(host)
    Z_PARAM_LONG(port)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (port < 0 || port > 65535) {
        zend_argument_value_error(2, "must be between 0 and 65535");
        RETURN_THROWS();
    }
    if (ZSTR_LEN(host) != strlen(ZSTR_VAL(host)) || type < 0 || type > INT_MAX) {
        zend_argument_value_error(ZSTR_LEN(host) != strlen(ZSTR_VAL(host)) ? 1 : 3, "is not valid");
        RETURN_THROWS();
    }
    swirl_port_t *p = NULL;
    int rc = swirl_server_listen(srv, ZSTR_VAL(host), (int)port, (swirl_sock_type_t)type, &p);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    zend_object *obj =
        swirl_php_add_port(server_from(Z_OBJ_P(ZEND_THIS)), p, ZSTR_VAL(host), port, type);
    RETURN_OBJ_COPY(obj);
}

PHP_METHOD(Swoole_Server, addProcess) {
    zval *proc;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_OBJECT(proc)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    swirl_process_t *p = swirl_php_process_of(proc);
    if (!p) {
        zend_argument_type_error(1, "must be of type Swoole\\Process, %s given",
                                 zend_zval_type_name(proc));
        RETURN_THROWS();
    }
    int rc = swirl_server_add_process_object(srv, p);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    swirl_php_process_mark_server(proc);
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    Z_ADDREF_P(proc);
    add_next_index_zval(&o->procs, proc);
    RETURN_LONG(rc);
}

/* Every open connection's fd (none outside a running server). */
void swirl_php_all_connections(swirl_server_t *srv, zval *out) {
    array_init(out);
    swirl_server_stats_t st;
    if (!srv || swirl_server_stats(srv, &st) < 0)
        return;
    int cap = (int)st.connection_num + 256;
    int64_t *ids = safe_emalloc((size_t)cap, sizeof *ids, 0);
    int n = swirl_server_connection_list(srv, 0, ids, cap);
    for (int i = 0; i < n; i++)
        add_next_index_long(out, ids[i]);
    efree(ids);
}

PHP_METHOD(Swoole_Server, heartbeat) {
    bool close_them = true;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(close_them)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    swirl_server_stats_t st;
    int cap = swirl_server_stats(srv, &st) == 0 ? (int)st.connection_num + 256 : 1;
    int64_t *ids = safe_emalloc((size_t)cap, sizeof *ids, 0);
    int n = swirl_server_heartbeat(srv, close_them, ids, cap);
    if (n < 0) {
        efree(ids);
        swirl_php_warn(n);
        RETURN_FALSE;
    }
    array_init(return_value);
    for (int i = 0; i < n; i++)
        add_next_index_long(return_value, ids[i]);
    efree(ids);
}

/* $server->connections: built when read. */
PHP_METHOD(Swoole_Server_Port, __construct) { ZEND_PARSE_PARAMETERS_NONE(); }

#define PORT_THIS(var)                                                                             \
    port_obj *var = port_from(Z_OBJ_P(ZEND_THIS));                                                 \
    if (!var->server) {                                                                            \
        zend_throw_error(NULL, "Swoole\\Server\\Port is not a server's port");                     \
        RETURN_THROWS();                                                                           \
    }

PHP_METHOD(Swoole_Server_Port, set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    PORT_THIS(p);
    server_obj *o = server_from(p->server);
    RETURN_BOOL(swirl_php_apply_settings(Z_OBJ_P(ZEND_THIS), swirl_php_port_ce, o->srv, p->port,
                                         !p->port, settings));
}

PHP_METHOD(Swoole_Server_Port, on) {
    zend_string *name;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(name)
    Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    PORT_THIS(p);
    server_obj *o = server_from(p->server);
    int which = swirl_php_port_event(ZSTR_VAL(name), ZSTR_LEN(name));
    if (which < 0 || (which >= PCB_HTTP && !o->http) ||
        (which >= PCB_HTTP + HCB_HANDSHAKE && !o->ws)) {
        php_error_docref(NULL, E_WARNING,
                         "unknown event types[%s] (a port has connect, receive, close and packet; "
                         "request on an HTTP server; handshake, beforeHandshakeResponse, open "
                         "and message on a WebSocket server)",
                         ZSTR_VAL(name));
        RETURN_FALSE;
    }
    if (o->started) {
        php_error_docref(NULL, E_WARNING, "the server has already been started");
        RETURN_FALSE;
    }
    if (!p->port) { /* the main listener: the server's own callback */
        zval zname;
        ZVAL_STR(&zname, name);
        zend_call_method_with_2_params(p->server, p->server->ce, NULL, "on", return_value, &zname,
                                       &fci.function_name);
        return;
    }
    if (Z_TYPE(p->cb[which]) == IS_UNDEF && which < PCB_HTTP)
        o->port_cbs++;
    zval_ptr_dtor(&p->cb[which]);
    ZVAL_COPY(&p->cb[which], &fci.function_name);
    RETURN_TRUE;
}
