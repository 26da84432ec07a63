/* swirl_process.c — Swoole\Process (swoole_process) on swirl_process_t: a
 * forked child running a PHP callable, the pipe between parent and child,
 * stdio redirection, System V message queues, and the statics (kill, wait,
 * daemon, setaffinity).
 *
 * The child runs the callable inside start() and must never come back out
 * of it into the parent's script: when the callable returns (or calls
 * exit()), the child leaves through zend_bailout(), so PHP's own request
 * shutdown runs there (output flushed into the pipe when redirected,
 * shutdown functions, destructors) and the process exits with
 * EG(exit_status). */
#include "php_swirl.h"

#include <SAPI.h>
#include <main/php_output.h>
#include <zend_exceptions.h>
#include <zend_execute.h>

#include <errno.h>
#include <string.h>
#include <limits.h>
#include <sys/ipc.h>
#include <sys/resource.h>

#include "stubs/process_arginfo.h"

typedef struct {
    swirl_process_t *proc;
    bool server_child; /* run by a server's manager (Server::addProcess) */
    zend_object std;
} process_obj;

static zend_class_entry *process_ce;
static zend_object_handlers process_handlers;

static inline process_obj *process_from(zend_object *o) {
    return (process_obj *)((char *)o - XtOffsetOf(process_obj, std));
}

static zend_object *process_create_object(zend_class_entry *ce) {
    process_obj *o = zend_object_alloc(sizeof(process_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &process_handlers;
    return &o->std;
}

/* The parent's end of the pipe is closed with the object (the child reads
 * end of file); the child itself is neither killed nor reaped. */
static void process_free_object(zend_object *obj) {
    process_obj *o = process_from(obj);
    swirl_process_free(o->proc);
    zend_object_std_dtor(obj);
}

static swirl_process_t *this_process(zval *this_) {
    process_obj *o = process_from(Z_OBJ_P(this_));
    if (!o->proc) {
        zend_throw_error(NULL, "Swoole\\Process is not constructed");
    }
    return o->proc;
}

#define PROCESS_THIS(var)                                                                          \
    swirl_process_t *var = this_process(ZEND_THIS);                                                \
    if (!var) {                                                                                    \
        RETURN_THROWS();                                                                           \
    }

/* $process->pid and $process->pipe from the C object. */
static void update_props(zend_object *obj) {
    swirl_process_t *p = process_from(obj)->proc;
    zend_update_property_long(process_ce, obj, "pid", sizeof("pid") - 1, swirl_process_pid(p));
    int fd = swirl_process_fd(p);
    if (fd >= 0) {
        zend_update_property_long(process_ce, obj, "pipe", sizeof("pipe") - 1, fd);
    } else {
        zend_update_property_null(process_ce, obj, "pipe", sizeof("pipe") - 1);
    }
}

/* Runs in the child, inside swirl_process_start; never returns. */
static void child_main(swirl_process_t *proc, void *user) {
    zend_object *obj = user;
    /* Output the parent had buffered but not sent is the parent's to send. */
    php_output_discard_all();
    update_props(obj);

    /* The callable is held for the call: the callback may overwrite
     * $process->callback, which would free it (and its $this) under it. */
    zval rv, arg, cb;
    ZVAL_COPY(&cb, zend_read_property(process_ce, obj, "callback", sizeof("callback") - 1, 1, &rv));
    ZVAL_OBJ(&arg, obj);
    zval retval;
    ZVAL_UNDEF(&retval);
    if (call_user_function(NULL, NULL, &cb, &retval, 1, &arg) == SUCCESS) {
        zval_ptr_dtor(&retval);
    }
    zval_ptr_dtor(&cb);
    if (EG(exception)) {
        if (zend_is_unwind_exit(EG(exception))) {
            zend_clear_exception(); /* exit() in the callback: EG(exit_status) is set */
        } else {
            zend_exception_error(EG(exception), E_ERROR); /* "Uncaught ...", status 255 */
            EG(exit_status) = 255;
        }
    }
    if (process_from(obj)->server_child) {
        /* a server's user process: run what the callable left in the loop
         * (as Swoole), then _exit; PHP's shutdown would free the master's
         * server */
        zval fn, rv2;
        ZVAL_STRING(&fn, "swoole_event_wait");
        ZVAL_UNDEF(&rv2);
        int status = EG(exit_status);
        zend_try {
            if (!EG(exception) && call_user_function(NULL, NULL, &fn, &rv2, 0, NULL) == SUCCESS)
                zval_ptr_dtor(&rv2);
            php_output_end_all();
        }
        zend_end_try();
        zval_ptr_dtor(&fn);
        if (EG(exception) && !zend_is_unwind_exit(EG(exception))) {
            zend_exception_error(EG(exception), E_ERROR);
            status = 255;
        } else if (EG(exit_status)) {
            status = EG(exit_status);
        }
        sapi_flush();
        fflush(NULL);
        _exit(status);
    }
    zend_bailout();
}

PHP_METHOD(Swoole_Process, __construct) {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    bool redirect = false;
    bool coroutine = false; /* accepted: the callback runs as a plain process (no coroutines yet) */
    zval *pipe = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_FUNC(fci, fcc)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(redirect)
        Z_PARAM_ZVAL(pipe)
        Z_PARAM_BOOL(coroutine)
    ZEND_PARSE_PARAMETERS_END();
    (void)coroutine;
    process_obj *o = process_from(Z_OBJ_P(ZEND_THIS));
    if (o->proc) {
        zend_throw_error(NULL, "Swoole\\Process is already constructed");
        RETURN_THROWS();
    }
    zend_long type = SWIRL_PIPE_STREAM;
    if (pipe) {
        /* int|bool as the engine coerces a declared int|bool ("2" and 2.0
         * are 2, null is 0 with a deprecation), or a TypeError: Z_PARAM_ZVAL
         * checks no type */
        if (Z_TYPE_P(pipe) == IS_NULL) {
            php_error_docref(NULL, E_DEPRECATED,
                             "Passing null to parameter #3 ($pipe_type) of type int|bool is "
                             "deprecated");
            if (EG(exception))
                RETURN_THROWS();
            ZVAL_LONG(pipe, 0);
        } else if (Z_TYPE_P(pipe) != IS_LONG && Z_TYPE_P(pipe) != IS_TRUE &&
                   Z_TYPE_P(pipe) != IS_FALSE &&
                   !zend_verify_scalar_type_hint(MAY_BE_LONG | MAY_BE_BOOL, pipe,
                                                 ZEND_ARG_USES_STRICT_TYPES(), true)) {
            if (!EG(exception))
                zend_argument_type_error(3, "must be of type int|bool, %s given",
                                         zend_zval_type_name(pipe));
            RETURN_THROWS();
        }
        type = Z_TYPE_P(pipe) == IS_TRUE    ? SWIRL_PIPE_STREAM
               : Z_TYPE_P(pipe) == IS_FALSE ? SWIRL_PIPE_NONE
                                            : Z_LVAL_P(pipe);
    }
    if (type < SWIRL_PIPE_NONE || type > SWIRL_PIPE_DGRAM) {
        zend_argument_value_error(3, "must be false/0 (no pipe), true/1 (SOCK_STREAM) or 2 (SOCK_DGRAM)");
        RETURN_THROWS();
    }
    int rc = swirl_process_new(&o->proc, child_main, &o->std, redirect, (int)type);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
    zend_update_property(process_ce, Z_OBJ_P(ZEND_THIS), "callback", sizeof("callback") - 1,
                         &fci.function_name);
    zend_update_property_long(process_ce, Z_OBJ_P(ZEND_THIS), "id", sizeof("id") - 1,
                              swirl_process_id(o->proc));
    update_props(Z_OBJ_P(ZEND_THIS));
}

PHP_METHOD(Swoole_Process, start) {
    ZEND_PARSE_PARAMETERS_NONE();
    PROCESS_THIS(p);
    /* The callable may have been replaced since the constructor (Swoole
     * checks it too, with this message). */
    zval rv, *cb = zend_read_property(process_ce, Z_OBJ_P(ZEND_THIS), "callback",
                                      sizeof("callback") - 1, 1, &rv);
    if (!zend_is_callable(cb, 0, NULL)) {
        php_error_docref(NULL, E_WARNING, "illegal callback function");
        RETURN_FALSE;
    }
    /* What PHP wrote but has not flushed to the fd yet would be written twice. */
    fflush(stdout);
    pid_t pid = swirl_process_start(p);
    if (pid < 0) {
        swirl_php_warn(pid);
        RETURN_FALSE;
    }
    update_props(Z_OBJ_P(ZEND_THIS));
    RETURN_LONG(pid);
}

PHP_METHOD(Swoole_Process, name) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    int rc = swirl_process_set_name(ZSTR_VAL(name));
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, exec) {
    zend_string *path;
    HashTable *args;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_PATH_STR(path)
        Z_PARAM_ARRAY_HT(args)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    uint32_t n = zend_hash_num_elements(args);
    char **argv = safe_emalloc(n + 2, sizeof(char *), 0);
    zend_string **strs = safe_emalloc(n + 1, sizeof(zend_string *), 0);
    uint32_t i = 0;
    zval *zv;
    argv[0] = ZSTR_VAL(path);
    ZEND_HASH_FOREACH_VAL(args, zv) {
        strs[i] = zval_get_string(zv);
        argv[i + 1] = ZSTR_VAL(strs[i]);
        i++;
    }
    ZEND_HASH_FOREACH_END();
    argv[i + 1] = NULL;
    int rc = EG(exception) ? 0 : swirl_process_exec(p, ZSTR_VAL(path), argv);
    for (uint32_t j = 0; j < i; j++) {
        zend_string_release(strs[j]);
    }
    efree(strs);
    efree(argv);
    if (EG(exception)) {
        RETURN_THROWS();
    }
    swirl_php_warn(rc); /* exec only returns on failure */
    RETURN_FALSE;
}

PHP_METHOD(Swoole_Process, write) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    if (ZSTR_LEN(data) == 0) {
        zend_argument_value_error(1, "must not be empty");
        RETURN_THROWS();
    }
    ssize_t n = swirl_process_write(p, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0) {
        if (INI_BOOL("swoole.display_errors"))
            swirl_php_warn((int)n);
        RETURN_FALSE;
    }
    RETURN_LONG(n);
}

PHP_METHOD(Swoole_Process, read) {
    zend_long size = 8192;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(size)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    if (size < 1 || size > 64 * 1024 * 1024) {
        zend_argument_value_error(1, "must be between 1 and %d", 64 * 1024 * 1024);
        RETURN_THROWS();
    }
    zend_string *buf = zend_string_alloc(size, 0);
    ssize_t n = swirl_process_read(p, ZSTR_VAL(buf), size);
    if (n < 0) {
        zend_string_efree(buf);
        /* ini swoole.display_errors=off silences it, as in Swoole */
        if (INI_BOOL("swoole.display_errors"))
            swirl_php_warn((int)n);
        RETURN_FALSE;
    }
    buf = zend_string_truncate(buf, n, 0);
    ZSTR_VAL(buf)[n] = '\0';
    RETURN_NEW_STR(buf);
}

PHP_METHOD(Swoole_Process, useQueue) {
    zend_long key = 0, mode = SWIRL_MSGQUEUE_BALANCE, capacity = -1;
    ZEND_PARSE_PARAMETERS_START(0, 3)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(key)
        Z_PARAM_LONG(mode)
        Z_PARAM_LONG(capacity)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    if (key < INT_MIN || key > INT_MAX) { /* key_t is 32 bits: another queue's key */
        zend_argument_value_error(1, "must be a 32-bit System V key");
        RETURN_THROWS();
    }
    if (key <= 0) {
        /* Swoole's default: one queue per script, ftok() of its path, so every
         * process object of the script shares it. */
        const char *file = zend_get_executed_filename();
        key_t k = file ? ftok(file, 1) : -1;
        if (k == -1) {
            php_error_docref(NULL, E_WARNING, "useQueue: ftok(%s) failed: %s", file ? file : "?",
                             strerror(errno));
            RETURN_FALSE;
        }
        key = k;
    }
    if (mode < INT_MIN || mode > INT_MAX) {
        mode = -1; /* refused by swirl with a message naming it */
    }
    int rc = swirl_process_use_queue(p, (key_t)key, (int)mode);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, statQueue) {
    ZEND_PARSE_PARAMETERS_NONE();
    PROCESS_THIS(p);
    size_t msgs, bytes;
    int rc = swirl_process_stat_queue(p, &msgs, &bytes);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    array_init(return_value);
    add_assoc_long(return_value, "queue_num", (zend_long)msgs);
    add_assoc_long(return_value, "queue_bytes", (zend_long)bytes);
}

PHP_METHOD(Swoole_Process, freeQueue) {
    ZEND_PARSE_PARAMETERS_NONE();
    PROCESS_THIS(p);
    int rc = swirl_process_free_queue(p);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, push) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int rc = swirl_process_push(p, ZSTR_VAL(data), ZSTR_LEN(data));
    if (rc < 0) {
        if (rc != -EAGAIN) {
            swirl_php_warn(rc);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, pop) {
    zend_long size = 8192;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(size)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    if (size < 1 || size > 64 * 1024 * 1024) {
        zend_argument_value_error(1, "must be between 1 and %d", 64 * 1024 * 1024);
        RETURN_THROWS();
    }
    zend_string *buf = zend_string_alloc(size, 0);
    ssize_t n = swirl_process_pop(p, ZSTR_VAL(buf), size);
    if (n < 0) {
        zend_string_efree(buf);
        if (n != -EAGAIN) {
            swirl_php_warn((int)n);
        }
        RETURN_FALSE;
    }
    buf = zend_string_truncate(buf, n, 0);
    ZSTR_VAL(buf)[n] = '\0';
    RETURN_NEW_STR(buf);
}

PHP_METHOD(Swoole_Process, close) {
    zend_long which = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(which)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int rc = swirl_process_close(p);
    update_props(Z_OBJ_P(ZEND_THIS));
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, exit) {
    zend_long status = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(status)
    ZEND_PARSE_PARAMETERS_END();
    if (status == 0) {
        /* As PHP's exit: unwinds to the top, then the normal shutdown. */
        EG(exit_status) = 0;
        zend_throw_unwind_exit();
        RETURN_THROWS();
    }
    /* Any other status ends the process now, without PHP's shutdown, as
     * Swoole does; what was echoed is sent first. */
    php_output_end_all();
    sapi_flush();
    swirl_process_exit((int)(status & 0xff));
}

PHP_METHOD(Swoole_Process, kill) {
    zend_long pid, sig = SIGTERM;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(pid)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(sig)
    ZEND_PARSE_PARAMETERS_END();
    /* pid_t is 32 bits: a larger pid would be truncated to another
     * process's (1 - 2**32 to init's) */
    if (pid < INT_MIN || pid > INT_MAX || sig < 0 || sig > 64) {
        zend_value_error("invalid pid " ZEND_LONG_FMT " or signal " ZEND_LONG_FMT, pid, sig);
        RETURN_THROWS();
    }
    int rc = swirl_process_kill((pid_t)pid, (int)sig);
    if (rc < 0) {
        /* signal 0 asks whether it exists: "no" is an answer, not an error */
        if (!(sig == 0 && rc == -ESRCH)) {
            swirl_php_warn(rc);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, wait) {
    bool blocking = true;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(blocking)
    ZEND_PARSE_PARAMETERS_END();
    swirl_process_status_t st;
    pid_t pid = swirl_process_wait(blocking, &st);
    if (pid <= 0) {
        RETURN_FALSE; /* none ended (non-blocking) or no children: Swoole is silent too */
    }
    array_init(return_value);
    add_assoc_long(return_value, "pid", st.pid);
    add_assoc_long(return_value, "code", st.code);
    add_assoc_long(return_value, "signal", st.signal);
}

PHP_METHOD(Swoole_Process, daemon) {
    bool nochdir = true, noclose = true;
    HashTable *pipes = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 3)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(nochdir)
        Z_PARAM_BOOL(noclose)
        Z_PARAM_ARRAY_HT(pipes)
    ZEND_PARSE_PARAMETERS_END();
    fflush(stdout);
    if (pipes) {
        int fds[3] = {-1, -1, -1};
        int i = 0;
        zval *zv;
        ZEND_HASH_FOREACH_VAL(pipes, zv) {
            if (i == 3)
                break;
            ZVAL_DEREF(zv);
            if (Z_TYPE_P(zv) == IS_LONG) {
                fds[i] = Z_LVAL_P(zv) >= 0 && Z_LVAL_P(zv) <= INT_MAX ? (int)Z_LVAL_P(zv) : -1;
            } else if (Z_TYPE_P(zv) == IS_RESOURCE) {
                php_stream *stream = (php_stream *)zend_fetch_resource2_ex(
                    zv, NULL, php_file_le_stream(), php_file_le_pstream());
                int fd = -1;
                if (!stream || php_stream_cast(stream, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                                               (void **)&fd, 1) != SUCCESS || fd < 0) {
                    zend_argument_value_error(3, "must hold streams, file descriptors or null");
                    RETURN_THROWS();
                }
                fds[i] = (int)fd;
            } else if (Z_TYPE_P(zv) != IS_NULL) {
                zend_argument_value_error(3, "must hold streams, file descriptors or null");
                RETURN_THROWS();
            }
            i++;
        }
        ZEND_HASH_FOREACH_END();
        int rc = swirl_process_stdio_from(fds);
        if (rc < 0) {
            swirl_php_warn(rc);
            RETURN_FALSE;
        }
    }
    int rc = swirl_process_daemon(nochdir, noclose);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, setaffinity) {
    HashTable *set;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(set)
    ZEND_PARSE_PARAMETERS_END();
    uint32_t n = zend_hash_num_elements(set);
    if (n == 0) {
        zend_argument_value_error(1, "must not be empty");
        RETURN_THROWS();
    }
    int *cpus = safe_emalloc(n, sizeof(int), 0);
    uint32_t i = 0;
    zval *zv;
    ZEND_HASH_FOREACH_VAL(set, zv) {
        zend_long c = zval_get_long(zv);
        cpus[i++] = c < 0 || c > INT_MAX ? -1 : (int)c;
    }
    ZEND_HASH_FOREACH_END();
    int rc = swirl_process_set_affinity(cpus, n);
    efree(cpus);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, getAffinity) {
    ZEND_PARSE_PARAMETERS_NONE();
    int n = swirl_process_get_affinity(NULL, 0);
    if (n < 0) {
        swirl_php_warn(n);
        RETURN_FALSE;
    }
    int *cpus = safe_emalloc(n ? n : 1, sizeof(int), 0);
    n = swirl_process_get_affinity(cpus, (size_t)n);
    array_init(return_value);
    for (int i = 0; i < n; i++)
        add_next_index_long(return_value, cpus[i]);
    efree(cpus);
}

PHP_METHOD(Swoole_Process, setTimeout) {
    double seconds;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_DOUBLE(seconds)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int rc = swirl_process_set_timeout(p, seconds);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, setBlocking) {
    bool blocking;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_BOOL(blocking)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int rc = swirl_process_set_blocking(p, blocking);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* A zend_long outside int: a value no kernel call accepts (-1 is no valid `which`). */
static int int_or_bad(zend_long v) { return v < INT_MIN || v > INT_MAX ? -1 : (int)v; }

PHP_METHOD(Swoole_Process, setPriority) {
    zend_long which, prio, who = 0;
    bool who_null = true;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_LONG(which)
        Z_PARAM_LONG(prio)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG_OR_NULL(who, who_null)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int w = int_or_bad(who);
    int rc = swirl_process_set_priority(p, int_or_bad(which), who_null ? NULL : &w, int_or_bad(prio));
    if (rc == SWIRL_EBADARG)
        swirl_php_warn(rc); /* Swoole warns for a null $who; system errors are only in swoole_last_error() */
    RETURN_BOOL(rc == 0);
}

PHP_METHOD(Swoole_Process, getPriority) {
    zend_long which, who = 0;
    bool who_null = true;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(which)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG_OR_NULL(who, who_null)
    ZEND_PARSE_PARAMETERS_END();
    PROCESS_THIS(p);
    int w = int_or_bad(who), prio;
    int rc = swirl_process_get_priority(p, int_or_bad(which), who_null ? NULL : &w, &prio);
    if (rc == SWIRL_EBADARG)
        swirl_php_warn(rc);
    if (rc < 0)
        RETURN_FALSE;
    RETURN_LONG(prio);
}

/* Server::addProcess: the object's child side runs under the server's
 * manager. False if `z` is not a constructed Swoole\Process. */
bool swirl_php_process_mark_server(zval *z) {
    if (!swirl_php_process_of(z))
        return false;
    process_from(Z_OBJ_P(z))->server_child = true;
    return true;
}

/* Pool::getProcess: a Swoole\Process object for a pool's worker (see
 * swirl_process_attach). False with a warning if it cannot be made. */
bool swirl_php_process_attach(zval *out, int fd, pid_t pid, int id) {
    swirl_process_t *p;
    int rc = swirl_process_attach(&p, fd, pid, id);
    if (rc < 0) {
        swirl_php_warn(rc);
        return false;
    }
    object_init_ex(out, process_ce);
    process_from(Z_OBJ_P(out))->proc = p;
    zend_update_property_long(process_ce, Z_OBJ_P(out), "id", sizeof("id") - 1, id);
    update_props(Z_OBJ_P(out));
    return true;
}

/* Its pid changed (the pool restarted that worker). */
void swirl_php_process_set_pid(zval *z, pid_t pid) {
    zend_update_property_long(process_ce, Z_OBJ_P(z), "pid", sizeof("pid") - 1, pid);
}

swirl_process_t *swirl_php_process_of(zval *z) {
    if (Z_TYPE_P(z) != IS_OBJECT || !instanceof_function(Z_OBJCE_P(z), process_ce)) {
        return NULL;
    }
    return process_from(Z_OBJ_P(z))->proc;
}

void swirl_process_minit(void) {
    process_ce = register_class_Swoole_Process();
    process_ce->create_object = process_create_object;
    memcpy(&process_handlers, zend_get_std_object_handlers(), sizeof process_handlers);
    process_handlers.offset = XtOffsetOf(process_obj, std);
    process_handlers.free_obj = process_free_object;
    process_handlers.clone_obj = NULL; /* the pipe and the child belong to one object */
    swirl_php_alias("swoole_process", process_ce);
}
