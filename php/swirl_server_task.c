/* swirl_server_task.c — Swoole\Server\Task (task_use_object) and the event
 * objects of event_object => true (Swoole\Server\Event, Packet,
 * PipeMessage, StatusInfo, TaskResult): the objects Swoole passes its
 * callbacks instead of separate arguments, and the settings that ask for
 * them (the PHP binding's own; the C library has no use for them). */
#include "swirl_server.h"

#include <time.h>
#include <zend_exceptions.h>

/* Swoole's bits of Task::$flags (SWOOLE_TASK_*) */
enum {
    SWIRL_PHP_TASK_TMPFILE = 1,
    SWIRL_PHP_TASK_SERIALIZE = 1 << 1,
    SWIRL_PHP_TASK_NONBLOCK = 1 << 2,
    SWIRL_PHP_TASK_CALLBACK = 1 << 3,
    SWIRL_PHP_TASK_WAITALL = 1 << 4,
    SWIRL_PHP_TASK_COROUTINE = 1 << 5,
    SWIRL_PHP_TASK_PEEK = 1 << 6,
    SWIRL_PHP_TASK_NOREPLY = 1 << 7,
};

#include "stubs/server_task_arginfo.h"

static zend_class_entry *task_ce, *event_ce, *packet_ce, *pipe_ce, *status_ce, *result_ce;

/* ---- the two settings ------------------------------------------------------------------- */

bool swirl_php_task_setting(const char *key, size_t len) {
    return (len == sizeof("task_use_object") - 1 && memcmp(key, "task_use_object", len) == 0) ||
           (len == sizeof("event_object") - 1 && memcmp(key, "event_object", len) == 0);
}

/* Is `key` true in the server's $setting? */
static bool setting_on(server_obj *o, const char *key) {
    zval rv, *all = zend_read_property(swirl_php_server_ce, &o->std, "setting",
                                       sizeof("setting") - 1, 1, &rv);
    if (Z_TYPE_P(all) != IS_ARRAY)
        return false;
    zval *v = zend_hash_str_find(Z_ARRVAL_P(all), key, strlen(key));
    return v && zend_is_true(v);
}

/* ---- Swoole\Server\Task ---------------------------------------------------------------- */

/* The object carries the server it came from and whether it is the task
 * running now (finish() is only possible then). */
typedef struct {
    zend_object *server; /* a reference, or NULL */
    int64_t id;
    zend_object std;
} task_obj;

static zend_object_handlers task_handlers;

static task_obj *task_from(zend_object *o) {
    return (task_obj *)((char *)o - XtOffsetOf(task_obj, std));
}

static zend_object *task_create(zend_class_entry *ce) {
    task_obj *t = zend_object_alloc(sizeof(task_obj), ce);
    zend_object_std_init(&t->std, ce);
    object_properties_init(&t->std, ce);
    t->std.handlers = &task_handlers;
    return &t->std;
}

static void task_free(zend_object *obj) {
    task_obj *t = task_from(obj);
    if (t->server)
        OBJ_RELEASE(t->server);
    t->server = NULL;
    zend_object_std_dtor(obj);
}

static HashTable *task_gc(zend_object *obj, zval **table, int *n) {
    task_obj *t = task_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    if (t->server)
        zend_get_gc_buffer_add_obj(buf, t->server);
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

/* Swoole's flag bits of a task (Task::$flags). */
static zend_long task_flags(const swirl_event_t *ev) {
    zend_long f = 0;
    if (!(ev->task_flags & SWIRL_TASK_WAITED))
        f |= SWIRL_PHP_TASK_NONBLOCK;
    if (ev->task_flags & SWIRL_TASK_NOREPLY)
        f |= SWIRL_PHP_TASK_NOREPLY;
    if (ev->task_flags & SWIRL_TASK_TMPFILE)
        f |= SWIRL_PHP_TASK_TMPFILE;
    if (ev->len > 0 && ev->data[0] == TASK_SERIALIZED)
        f |= SWIRL_PHP_TASK_SERIALIZE;
    return f;
}

#define SET_LONG(ce, obj, name, v) zend_update_property_long(ce, obj, name, sizeof(name) - 1, v)
#define SET_DOUBLE(ce, obj, name, v)                                                               \
    zend_update_property_double(ce, obj, name, sizeof(name) - 1, v)
#define SET_ZVAL(ce, obj, name, v) zend_update_property(ce, obj, name, sizeof(name) - 1, v)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* onTask's arguments as objects: args[1] the Task, args[2..3] released. */
static uint32_t make_task(server_obj *o, const swirl_event_t *ev, zval *args) {
    zval task;
    object_init_ex(&task, task_ce);
    task_obj *t = task_from(Z_OBJ(task));
    t->server = &o->std;
    GC_ADDREF(t->server);
    t->id = ev->task_id;
    zend_object *obj = Z_OBJ(task);
    SET_ZVAL(task_ce, obj, "data", &args[3]);
    SET_DOUBLE(task_ce, obj, "dispatch_time", now());
    SET_LONG(task_ce, obj, "id", ev->task_id);
    SET_LONG(task_ce, obj, "worker_id", ev->worker_id);
    SET_LONG(task_ce, obj, "flags", task_flags(ev));
    zval_ptr_dtor(&args[1]);
    zval_ptr_dtor(&args[2]);
    zval_ptr_dtor(&args[3]);
    ZVAL_COPY_VALUE(&args[1], &task);
    return 2;
}

PHP_METHOD(Swoole_Server_Task, finish) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    task_obj *t = task_from(Z_OBJ_P(ZEND_THIS));
    if (!t->server) {
        php_error_docref(NULL, E_WARNING, "finish: this Task did not come from a server");
        RETURN_FALSE;
    }
    server_obj *o = server_from(t->server);
    if (!o->in_task || o->task_id != t->id) {
        php_error_docref(NULL, E_WARNING,
                         "finish: task " ZEND_LONG_FMT " is not running (a result is given "
                         "during its onTask)",
                         (zend_long)t->id);
        RETURN_FALSE;
    }
    RETURN_BOOL(swirl_php_finish_value(o, data));
}

PHP_METHOD(Swoole_Server_Task, pack) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    zend_string *packed = swirl_php_pack_value(data);
    if (!packed)
        RETURN_THROWS();
    swirl_buf_t out;
    swirl_buf_init(&out);
    int rc = swirl_server_task_pack(ZSTR_VAL(packed), ZSTR_LEN(packed), &out);
    zend_string_release(packed);
    if (rc < 0) {
        swirl_buf_destroy(&out);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETVAL_STRINGL((const char *)out.data + out.start, out.len - out.start);
    swirl_buf_destroy(&out);
}

PHP_METHOD(Swoole_Server_Task, unpack) {
    zend_string *packed;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(packed)
    ZEND_PARSE_PARAMETERS_END();
    const char *data;
    size_t len;
    int rc = swirl_server_task_unpack(ZSTR_VAL(packed), ZSTR_LEN(packed), &data, &len);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    swirl_php_unpack_value(data, len, return_value);
}

/* ---- the event objects ------------------------------------------------------------------ */

/* Move args[from..n-1] out: released (their values were copied into the object). */
static void release(zval *args, uint32_t from, uint32_t n) {
    for (uint32_t i = from; i < n; i++)
        zval_ptr_dtor(&args[i]);
}

uint32_t swirl_php_event_objects(server_obj *o, const swirl_event_t *ev, zval *args, uint32_t n) {
    bool events = setting_on(o, "event_object");
    if (ev->type == SWIRL_ON_TASK && n == 4 && (events || setting_on(o, "task_use_object")))
        return make_task(o, ev, args);
    if (!events)
        return n;
    zval obj;
    zend_object *z;
    switch (ev->type) {
    case SWIRL_ON_CONNECT:
    case SWIRL_ON_CLOSE:
    case SWIRL_ON_RECEIVE:
        if (n < 3)
            return n;
        object_init_ex(&obj, event_ce);
        z = Z_OBJ(obj);
        SET_LONG(event_ce, z, "reactor_id", ev->reactor_id);
        SET_LONG(event_ce, z, "fd", ev->fd);
        SET_DOUBLE(event_ce, z, "dispatch_time", now());
        if (n == 4)
            SET_ZVAL(event_ce, z, "data", &args[3]);
        break;
    case SWIRL_ON_PACKET: {
        if (n != 3 || Z_TYPE(args[2]) != IS_ARRAY)
            return n;
        object_init_ex(&obj, packet_ce);
        z = Z_OBJ(obj);
        HashTable *a = Z_ARRVAL(args[2]);
        zval *v;
        if ((v = zend_hash_str_find(a, "server_socket", sizeof("server_socket") - 1)))
            SET_ZVAL(packet_ce, z, "server_socket", v);
        if ((v = zend_hash_str_find(a, "server_port", sizeof("server_port") - 1)))
            SET_ZVAL(packet_ce, z, "server_port", v);
        SET_DOUBLE(packet_ce, z, "dispatch_time", now());
        if ((v = zend_hash_str_find(a, "address", sizeof("address") - 1)))
            SET_ZVAL(packet_ce, z, "address", v);
        if ((v = zend_hash_str_find(a, "port", sizeof("port") - 1)))
            SET_ZVAL(packet_ce, z, "port", v);
        SET_ZVAL(packet_ce, z, "data", &args[1]);
        break;
    }
    case SWIRL_ON_PIPE_MESSAGE:
        if (n != 3)
            return n;
        object_init_ex(&obj, pipe_ce);
        z = Z_OBJ(obj);
        SET_LONG(pipe_ce, z, "source_worker_id", ev->worker_id);
        SET_LONG(pipe_ce, z, "worker_id", ev->worker_id);
        SET_DOUBLE(pipe_ce, z, "dispatch_time", now());
        SET_ZVAL(pipe_ce, z, "data", &args[2]);
        break;
    case SWIRL_ON_WORKER_ERROR:
        if (n != 5)
            return n;
        object_init_ex(&obj, status_ce);
        z = Z_OBJ(obj);
        SET_LONG(status_ce, z, "worker_id", ev->worker_id);
        SET_LONG(status_ce, z, "worker_pid", ev->pid);
        /* the wait status as waitpid gives it */
        SET_LONG(status_ce, z, "status",
                 ev->signo ? (zend_long)(ev->signo & 0x7f) : (zend_long)((ev->exit_code & 0xff) << 8));
        SET_LONG(status_ce, z, "exit_code", ev->exit_code);
        SET_LONG(status_ce, z, "signal", ev->signo);
        break;
    case SWIRL_ON_FINISH:
        if (n != 3)
            return n;
        object_init_ex(&obj, result_ce);
        z = Z_OBJ(obj);
        SET_LONG(result_ce, z, "task_id", ev->task_id);
        SET_LONG(result_ce, z, "task_worker_id", ev->reactor_id);
        SET_DOUBLE(result_ce, z, "dispatch_time", now());
        SET_ZVAL(result_ce, z, "data", &args[2]);
        break;
    default:
        return n;
    }
    release(args, 1, n);
    ZVAL_COPY_VALUE(&args[1], &obj);
    return 2;
}

void swirl_server_task_minit(int module_number) {
    register_server_task_symbols(module_number);
    task_ce = register_class_Swoole_Server_Task();
    task_ce->create_object = task_create;
    memcpy(&task_handlers, zend_get_std_object_handlers(), sizeof task_handlers);
    task_handlers.offset = XtOffsetOf(task_obj, std);
    task_handlers.free_obj = task_free;
    task_handlers.get_gc = task_gc;
    task_handlers.clone_obj = NULL;
    event_ce = register_class_Swoole_Server_Event();
    packet_ce = register_class_Swoole_Server_Packet();
    pipe_ce = register_class_Swoole_Server_PipeMessage();
    status_ce = register_class_Swoole_Server_StatusInfo();
    result_ce = register_class_Swoole_Server_TaskResult();
}
