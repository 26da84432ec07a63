/* swirl_event.c — Swoole\Event and the swoole_event_* functions, on the
 * loop of this process (swirl_php_loop()), and the registry they share with
 * Swoole\Timer, Process::signal and ::alarm (swirl_timer.c, swirl_event.h).
 *
 * State: one per-process registry of the PHP callables given to the loop:
 * fds (keyed by fd), timers (by id), signals (by number) and deferred calls.
 * Every callable and every added thing (stream, int, object) stays
 * referenced until it is removed, fires for the last time, or the registry
 * is cleared. A forked child (Swoole\Process, pcntl_fork) inherits the
 * registry but not the loop (swirl_loop.c releases it there): the first use
 * in the child finds the pid changed and drops the inherited registry
 * without touching any loop.
 *
 * An swirl_php_entry_t being called is never freed under the call: removal during a
 * callback marks it dead and the dispatcher frees it afterwards.
 *
 * A script that registered anything and never ran the loop gets it run at
 * its end, as Swoole: a shutdown function (Swoole\Event::rshutdown,
 * registered at first use) runs the loop, then releases every callable
 * before PHP destroys the script's objects. A callback that throws (or calls
 * exit()) stops the loop; the exception reaches the caller of wait() (or PHP
 * reports it) and the loop is not run again at shutdown. */
/* ext-sockets' Socket object layout (header only: no symbol of sockets.so
 * is used, see is_socket_object) */
#ifndef HAVE_SOCKETS
#define HAVE_SOCKETS 1
#endif
#include "php_swirl.h"

#include <ext/sockets/php_sockets.h>
#include <ext/standard/basic_functions.h>
#include <main/php_streams.h>
#include <ext/spl/spl_array.h>
#include <zend_exceptions.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "stubs/event_arginfo.h"
#include "swirl_event.h"

#define SW_EVENT_READ 512
#define SW_EVENT_WRITE 1024

swirl_php_registry_t swirl_php_ev;

void swirl_php_entry_free(swirl_php_entry_t *e) {
    zval_ptr_dtor(&e->target);
    zval_ptr_dtor(&e->cb);
    zval_ptr_dtor(&e->wcb);
    for (uint32_t i = 0; i < e->nparams; i++) {
        zval_ptr_dtor(&e->params[i]);
    }
    if (e->params) {
        efree(e->params);
    }
    efree(e);
}

swirl_php_entry_t *swirl_php_entry_new(int64_t key) {
    swirl_php_entry_t *e = ecalloc(1, sizeof(swirl_php_entry_t));
    ZVAL_UNDEF(&e->target);
    ZVAL_UNDEF(&e->cb);
    ZVAL_UNDEF(&e->wcb);
    e->key = key;
    return e;
}

/* Take e out of its table; freed now or, if it is being called, after. */
void swirl_php_entry_drop(HashTable *ht, swirl_php_entry_t *e) {
    zend_hash_index_del(ht, (zend_ulong)e->key);
    if (e->running) {
        e->dead = true;
    } else {
        swirl_php_entry_free(e);
    }
}

static void drop_all(HashTable *ht) {
    swirl_php_entry_t *e;
    ZEND_HASH_FOREACH_PTR(ht, e) {
        if (e->running) {
            e->dead = true;
        } else {
            swirl_php_entry_free(e);
        }
    }
    ZEND_HASH_FOREACH_END();
    zend_hash_destroy(ht);
}

static void defer_cb(swirl_loop_t *loop, void *user);

/* Take fd swirl_php_entry_t e out of the loop: a Swoole\Process added is unwatched (it
 * holds the loop otherwise), any other fd removed. */
static void fd_unregister(swirl_php_entry_t *e) {
    if (e->is_process) {
        swirl_process_t *proc = swirl_php_process_of(&e->target);
        if (proc && swirl_process_fd(proc) >= 0) {
            swirl_process_unwatch(proc);
        }
    } else {
        swirl_loop_del(swirl_php_ev.loop, (int)e->key);
    }
}

/* Forget every registration. With `unregister`, also remove them from the
 * loop (false in a forked child, where the loop is already gone). */
static void registry_clear(bool unregister) {
    if (!swirl_php_ev.pid) {
        return;
    }
    /* async clients first: they are in the loop too (swirl_client.c) */
    swirl_php_client_drop_all(unregister && swirl_php_ev.pid == getpid());
    swirl_php_redis_drop_all(unregister && swirl_php_ev.pid == getpid());
    swirl_php_mysql_drop_all(unregister && swirl_php_ev.pid == getpid());
    swirl_loop_t *loop = swirl_php_ev.loop;
    if (unregister && loop) {
        swirl_php_entry_t *e;
        ZEND_HASH_FOREACH_PTR(&swirl_php_ev.fds, e) {
            fd_unregister(e);
        }
        ZEND_HASH_FOREACH_END();
        ZEND_HASH_FOREACH_PTR(&swirl_php_ev.timers, e) {
            swirl_timer_clear(loop, e->key);
        }
        ZEND_HASH_FOREACH_END();
        ZEND_HASH_FOREACH_PTR(&swirl_php_ev.signals, e) {
            swirl_process_signal(loop, (int)e->key, NULL, NULL);
        }
        ZEND_HASH_FOREACH_END();
    }
    swirl_php_ev.pid = 0;
    drop_all(&swirl_php_ev.fds);
    drop_all(&swirl_php_ev.timers);
    drop_all(&swirl_php_ev.signals);
    /* A deferred call still queued in the loop keeps its (malloc'd) record,
     * emptied here, and frees it when it runs; a forked child's never runs. */
    for (swirl_php_entry_t *d = swirl_php_ev.defers; d; d = d->next) {
        zval_ptr_dtor(&d->cb);
        ZVAL_UNDEF(&d->cb);
        d->dead = true;
    }
    swirl_php_ev.defers = NULL;
}

/* The registry of this process, made on first use; NULL (with a warning)
 * if there is no loop. */
bool swirl_php_registry(void) {
    if (swirl_php_ev.pid && swirl_php_ev.pid != getpid()) {
        registry_clear(false); /* inherited through fork: the loop is not ours */
        swirl_php_ev.aborted = false;
        swirl_php_ev.running = false;
        swirl_php_ev.bailed = false;
    }
    if (swirl_php_ev.pid) {
        return true;
    }
    swirl_loop_t *loop = swirl_php_loop();
    if (!loop) {
        return false;
    }
    swirl_php_ev.loop = loop;
    swirl_php_ev.pid = getpid();
    zend_hash_init(&swirl_php_ev.fds, 8, NULL, NULL, 0);
    zend_hash_init(&swirl_php_ev.timers, 8, NULL, NULL, 0);
    zend_hash_init(&swirl_php_ev.signals, 8, NULL, NULL, 0);
    if (!swirl_php_ev.shutdown_registered) {
        php_shutdown_function_entry sf;
        memset(&sf, 0, sizeof sf);
        zval fn;
        ZVAL_STRING(&fn, "Swoole\\Event::rshutdown");
        if (zend_fcall_info_init(&fn, 0, &sf.fci, &sf.fci_cache, NULL, NULL) == SUCCESS &&
            register_user_shutdown_function("swirl_event_rshutdown",
                                            sizeof("swirl_event_rshutdown") - 1, &sf)) {
            swirl_php_ev.shutdown_registered = true;
        } else {
            zval_ptr_dtor(&fn);
        }
    }
    return true;
}

/* ---- calling PHP ------------------------------------------------------------------------ */

/* Call cb(args...). On an exception (or exit()) stop the loop: the
 * exception goes up to whoever runs the loop. The callable is held for the
 * call: one that replaces or removes itself (Event::set, Event::del,
 * Timer::clear, Process::signal) would otherwise free the running closure
 * or its $this. */
void swirl_php_event_call(zval *cb, uint32_t argc, zval *argv) {
    swirl_php_event_call_ret(cb, argc, argv, NULL);
}

void swirl_php_event_call_ret(zval *cb, uint32_t argc, zval *argv, zval *ret) {
    if (ret) {
        ZVAL_UNDEF(ret);
    }
    if (EG(exception) || swirl_php_ev.bailed) {
        return; /* an earlier callback of this iteration threw or died */
    }
    zval rv, fn;
    ZVAL_UNDEF(&rv);
    ZVAL_COPY(&fn, cb);
    /* a fatal error must not longjmp over the C loop's frames: it is
     * caught here and raised again once the loop has returned */
    volatile bool bailed = false;
    zend_try { call_user_function(NULL, NULL, &fn, &rv, argc, argv); }
    zend_catch { bailed = true; }
    zend_end_try();
    zval_ptr_dtor(&fn);
    if (ret && !bailed && !EG(exception)) {
        ZVAL_COPY_VALUE(ret, &rv);
    } else {
        zval_ptr_dtor(&rv);
    }
    if ((bailed || EG(exception)) && swirl_php_loop_is_external()) {
        swirl_php_server_callback_failed(bailed); /* a server's process: it ends */
    }
    if (bailed) {
        swirl_php_ev.bailed = true;
        if (swirl_php_ev.loop) {
            swirl_loop_stop(swirl_php_ev.loop);
        }
        return;
    }
    if (EG(exception)) {
        /* exit() in a callback ends the script: the loop is not run again at
         * its end. An uncaught exception ends it as a fatal error. */
        if (zend_is_unwind_exit(EG(exception))) {
            swirl_php_ev.aborted = true;
        }
        if (swirl_php_ev.loop) {
            swirl_loop_stop(swirl_php_ev.loop);
        }
    }
}

bool swirl_php_event_autorun(void) { return swirl_php_registry(); }

bool swirl_php_event_running(void) { return swirl_php_ev.running && swirl_php_ev.pid == getpid(); }


/* ---- fds ---------------------------------------------------------------------------------- */

/* ext-sockets' Socket, if that extension is loaded: looked up by name at
 * run time, so swirl.so does not need sockets.so to load. */
static bool is_socket_object(zval *z, int *fd) {
    zend_class_entry *ce = zend_hash_str_find_ptr(CG(class_table), "socket", sizeof("socket") - 1);
    if (!ce || Z_OBJCE_P(z) != ce)
        return false;
    *fd = Z_SOCKET_P(z)->bsd_socket;
    return true;
}

/* The fd behind what was given to swoole_event_add: an int, a stream, an
 * ext-sockets Socket, a Swoole\Process (its pipe). -1 with a
 * TypeError/ValueError thrown. */
static int to_fd(zval *z, swirl_process_t **proc) {
    *proc = NULL;
    switch (Z_TYPE_P(z)) {
    case IS_LONG:
        if (Z_LVAL_P(z) < 0 || Z_LVAL_P(z) > INT_MAX) {
            zend_argument_value_error(1, "must be a valid file descriptor, " ZEND_LONG_FMT " given", Z_LVAL_P(z));
            return -1;
        }
        return (int)Z_LVAL_P(z);
    case IS_RESOURCE: {
        php_stream *stream = (php_stream *)zend_fetch_resource2_ex(z, NULL, php_file_le_stream(),
                                                                   php_file_le_pstream());
        if (!stream) {
            zend_argument_type_error(1, "must be a stream resource, %s resource given",
                                     zend_rsrc_list_get_rsrc_type(Z_RES_P(z)) ?: "unknown");
            return -1;
        }
        int fd = -1;
        if (php_stream_cast(stream, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                            (void **)&fd, 1) != SUCCESS || fd < 0) {
            zend_argument_value_error(1, "is a stream without a file descriptor");
            return -1;
        }
        return (int)fd;
    }
    case IS_OBJECT: {
        int sfd;
        if (is_socket_object(z, &sfd)) {
            if (sfd < 0) {
                zend_argument_value_error(1, "is a Socket that has already been closed");
                return -1;
            }
            return sfd;
        }
        swirl_process_t *p = swirl_php_process_of(z);
        if (p) {
            int fd = swirl_process_fd(p);
            if (fd < 0) {
                zend_argument_value_error(1, "is a Swoole\\Process without a pipe");
                return -1;
            }
            *proc = p;
            return fd;
        }
        zend_argument_type_error(1, "must be a file descriptor, a stream, a Socket or a Swoole\\Process, %s given",
                                 ZSTR_VAL(Z_OBJCE_P(z)->name));
        return -1;
    }
    default:
        zend_argument_type_error(1, "must be a file descriptor, a stream, a Socket or a Swoole\\Process, %s given",
                                 zend_zval_type_name(z));
        return -1;
    }
}

/* What was added has been closed since (fclose() of the stream,
 * socket_close(), Process::close()): its fd is no longer its own. */
static bool target_closed(zval *z) {
    int sfd;
    switch (Z_TYPE_P(z)) {
    case IS_RESOURCE:
        return Z_RES_P(z)->ptr == NULL || Z_RES_P(z)->type < 0;
    case IS_OBJECT:
        if (is_socket_object(z, &sfd)) {
            return sfd < 0;
        }
        return swirl_php_process_of(z) && swirl_process_fd(swirl_php_process_of(z)) < 0;
    default:
        return false;
    }
}

static void fd_dispatch(int fd, bool write) {
    zval *zp = zend_hash_index_find(&swirl_php_ev.fds, (zend_ulong)fd);
    if (!zp) {
        return;
    }
    swirl_php_entry_t *e = Z_PTR_P(zp);
    zval *cb = write ? &e->wcb : &e->cb;
    if (Z_ISUNDEF_P(cb)) {
        cb = write ? &e->cb : &e->wcb; /* an error reported to the side that has one */
        if (Z_ISUNDEF_P(cb)) {
            return;
        }
    }
    zval arg;
    ZVAL_COPY(&arg, &e->target);
    e->running++;
    swirl_php_event_call(cb, 1, &arg);
    /* closed by its callback: it leaves the loop (the kernel already
     * dropped the fd from the epoll set; nothing would ever wake it) */
    if (!e->dead && target_closed(&e->target)) {
        fd_unregister(e);
        swirl_php_entry_drop(&swirl_php_ev.fds, e);
    }
    e->running--;
    zval_ptr_dtor(&arg);
    if (e->dead && !e->running) {
        swirl_php_entry_free(e);
    }
}

static void on_read(swirl_loop_t *loop, int fd, int events, void *user) { fd_dispatch(fd, false); }
static void on_write(swirl_loop_t *loop, int fd, int events, void *user) { fd_dispatch(fd, true); }
static void on_process_read(swirl_process_t *p, void *user) {
    fd_dispatch(swirl_process_fd(p), false);
}

static int to_swirl_events(zend_long flags) {
    return ((flags & SW_EVENT_READ) ? SWIRL_EV_READ : 0) | ((flags & SW_EVENT_WRITE) ? SWIRL_EV_WRITE : 0);
}

static void set_cb(zval *dst, zend_fcall_info *fci) {
    zval_ptr_dtor(dst);
    ZVAL_COPY(dst, &fci->function_name);
}

static void do_add(INTERNAL_FUNCTION_PARAMETERS) {
    zval *target;
    zend_fcall_info rfci = empty_fcall_info, wfci = empty_fcall_info;
    zend_fcall_info_cache rfcc = empty_fcall_info_cache, wfcc = empty_fcall_info_cache;
    zend_long flags = SW_EVENT_READ;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_ZVAL(target)
        Z_PARAM_OPTIONAL
        Z_PARAM_FUNC_OR_NULL(rfci, rfcc)
        Z_PARAM_FUNC_OR_NULL(wfci, wfcc)
        Z_PARAM_LONG(flags)
    ZEND_PARSE_PARAMETERS_END();
    swirl_process_t *proc;
    int fd = to_fd(target, &proc);
    if (fd < 0) {
        RETURN_THROWS();
    }
    if (!ZEND_FCI_INITIALIZED(rfci) && !ZEND_FCI_INITIALIZED(wfci)) {
        php_error_docref(NULL, E_WARNING, "both read and write callbacks are empty");
        RETURN_FALSE;
    }
    /* As Swoole: only a write callback given with the default flags means "watch writes". */
    if (!ZEND_FCI_INITIALIZED(rfci) && flags == SW_EVENT_READ) {
        flags = SW_EVENT_WRITE;
    }
    if (!(flags & (SW_EVENT_READ | SW_EVENT_WRITE))) {
        zend_argument_value_error(4, "must contain SWOOLE_EVENT_READ and/or SWOOLE_EVENT_WRITE");
        RETURN_THROWS();
    }
    if ((flags & SW_EVENT_READ) && !ZEND_FCI_INITIALIZED(rfci)) {
        php_error_docref(NULL, E_WARNING, "fd %d: SWOOLE_EVENT_READ without a read callback", fd);
        RETURN_FALSE;
    }
    if ((flags & SW_EVENT_WRITE) && !ZEND_FCI_INITIALIZED(wfci)) {
        php_error_docref(NULL, E_WARNING, "fd %d: SWOOLE_EVENT_WRITE without a write callback", fd);
        RETURN_FALSE;
    }
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    swirl_php_entry_t *old = zend_hash_index_find_ptr(&swirl_php_ev.fds, (zend_ulong)fd);
    if (old && target_closed(&old->target)) {
        /* the fd number of a stream closed since: it is a new file now */
        fd_unregister(old);
        swirl_php_entry_drop(&swirl_php_ev.fds, old);
        old = NULL;
    }
    if (old) {
        php_error_docref(NULL, E_WARNING, "fd %d: already added to the event loop (use swoole_event_set)", fd);
        RETURN_FALSE;
    }
    int rc;
    if (proc) {
        rc = swirl_process_watch(proc, swirl_php_ev.loop, on_process_read, NULL);
        if (rc == 0 && (flags & SW_EVENT_WRITE)) {
            rc = swirl_loop_set(swirl_php_ev.loop, fd, to_swirl_events(flags), NULL, on_write);
            if (rc < 0) {
                swirl_process_unwatch(proc);
            }
        }
    } else {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0) {
            php_error_docref(NULL, E_WARNING, "fd %d: %s", fd, strerror(errno));
            RETURN_FALSE;
        }
        rc = swirl_loop_add(swirl_php_ev.loop, fd, to_swirl_events(flags), on_read, on_write, NULL);
        if (rc == 0 && !(fl & O_NONBLOCK)) {
            fcntl(fd, F_SETFL, fl | O_NONBLOCK); /* as Swoole: the loop never blocks on it */
        }
    }
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    swirl_php_entry_t *e = swirl_php_entry_new(fd);
    ZVAL_COPY(&e->target, target);
    if (ZEND_FCI_INITIALIZED(rfci)) {
        set_cb(&e->cb, &rfci);
    }
    if (ZEND_FCI_INITIALIZED(wfci)) {
        set_cb(&e->wcb, &wfci);
    }
    e->events = (int)(flags & (SW_EVENT_READ | SW_EVENT_WRITE));
    e->is_process = proc != NULL;
    zend_hash_index_add_new_ptr(&swirl_php_ev.fds, (zend_ulong)fd, e);
    RETURN_LONG(fd);
}

/* The registered swirl_php_entry_t for the fd of `target`, or NULL (with a warning
 * unless quiet). */
static swirl_php_entry_t *find_fd(zval *target, int *fdp, bool quiet) {
    if (target_closed(target) &&
        (Z_TYPE_P(target) == IS_RESOURCE || Z_TYPE_P(target) == IS_OBJECT) &&
        swirl_php_registry()) {
        /* closed since it was added: found by identity, not by its fd */
        swirl_php_entry_t *e;
        ZEND_HASH_FOREACH_PTR(&swirl_php_ev.fds, e) {
            if (Z_TYPE(e->target) == Z_TYPE_P(target) &&
                (Z_TYPE_P(target) == IS_RESOURCE ? Z_RES(e->target) == Z_RES_P(target)
                                                 : Z_OBJ(e->target) == Z_OBJ_P(target))) {
                *fdp = (int)e->key;
                return e;
            }
        }
        ZEND_HASH_FOREACH_END();
        *fdp = -1;
        if (!quiet) {
            php_error_docref(NULL, E_WARNING, "%s was closed and is not in the event loop",
                             Z_TYPE_P(target) == IS_RESOURCE ? "the stream"
                                                             : ZSTR_VAL(Z_OBJCE_P(target)->name));
        }
        return NULL;
    }
    swirl_process_t *proc;
    int fd = to_fd(target, &proc);
    *fdp = fd;
    if (fd < 0) {
        return NULL;
    }
    if (swirl_php_registry()) {
        zval *zp = zend_hash_index_find(&swirl_php_ev.fds, (zend_ulong)fd);
        if (zp) {
            return Z_PTR_P(zp);
        }
    }
    if (!quiet) {
        php_error_docref(NULL, E_WARNING, "fd %d: not in the event loop", fd);
    }
    return NULL;
}

static void do_set(INTERNAL_FUNCTION_PARAMETERS) {
    zval *target;
    zend_fcall_info rfci = empty_fcall_info, wfci = empty_fcall_info;
    zend_fcall_info_cache rfcc = empty_fcall_info_cache, wfcc = empty_fcall_info_cache;
    zend_long flags = 0;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_ZVAL(target)
        Z_PARAM_OPTIONAL
        Z_PARAM_FUNC_OR_NULL(rfci, rfcc)
        Z_PARAM_FUNC_OR_NULL(wfci, wfcc)
        Z_PARAM_LONG(flags)
    ZEND_PARSE_PARAMETERS_END();
    int fd;
    swirl_php_entry_t *e = find_fd(target, &fd, false);
    if (!e) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    int events = flags ? (int)(flags & (SW_EVENT_READ | SW_EVENT_WRITE)) : e->events;
    if (flags && !events) {
        zend_argument_value_error(4, "must contain SWOOLE_EVENT_READ and/or SWOOLE_EVENT_WRITE");
        RETURN_THROWS();
    }
    bool has_r = ZEND_FCI_INITIALIZED(rfci) || !Z_ISUNDEF(e->cb);
    bool has_w = ZEND_FCI_INITIALIZED(wfci) || !Z_ISUNDEF(e->wcb);
    if (((events & SW_EVENT_READ) && !has_r) || ((events & SW_EVENT_WRITE) && !has_w)) {
        php_error_docref(NULL, E_WARNING, "fd %d: %s without a %s callback", fd,
                         (events & SW_EVENT_READ) && !has_r ? "SWOOLE_EVENT_READ" : "SWOOLE_EVENT_WRITE",
                         (events & SW_EVENT_READ) && !has_r ? "read" : "write");
        RETURN_FALSE;
    }
    int rc = swirl_loop_set(swirl_php_ev.loop, fd, to_swirl_events(events),
                            e->is_process ? NULL : on_read, on_write);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    if (ZEND_FCI_INITIALIZED(rfci)) {
        set_cb(&e->cb, &rfci);
    }
    if (ZEND_FCI_INITIALIZED(wfci)) {
        set_cb(&e->wcb, &wfci);
    }
    e->events = events;
    RETURN_TRUE;
}

static void do_del(INTERNAL_FUNCTION_PARAMETERS) {
    zval *target;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(target)
    ZEND_PARSE_PARAMETERS_END();
    int fd;
    swirl_php_entry_t *e = find_fd(target, &fd, false);
    if (!e) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    fd_unregister(e);
    swirl_php_entry_drop(&swirl_php_ev.fds, e);
    RETURN_TRUE;
}

static void do_isset(INTERNAL_FUNCTION_PARAMETERS) {
    zval *target;
    zend_long events = SW_EVENT_READ | SW_EVENT_WRITE;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(target)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(events)
    ZEND_PARSE_PARAMETERS_END();
    int fd;
    swirl_php_entry_t *e = find_fd(target, &fd, true);
    if (EG(exception)) {
        RETURN_THROWS();
    }
    RETURN_BOOL(e && (e->events & events));
}

static void do_write(INTERNAL_FUNCTION_PARAMETERS) {
    zval *target;
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(target)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    if (ZSTR_LEN(data) == 0) {
        zend_argument_value_error(2, "must not be empty");
        RETURN_THROWS();
    }
    int fd;
    swirl_php_entry_t *e = find_fd(target, &fd, false);
    if (!e) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    ssize_t n = swirl_loop_write(swirl_php_ev.loop, fd, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0) {
        swirl_php_warn((int)n);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* A callback died of a fatal error inside the loop, which has returned
 * since: the bailout goes on from here, past the loop's frames. */
static void rethrow_bailout(void) {
    if (swirl_php_ev.bailed) {
        swirl_php_ev.bailed = false;
        swirl_php_ev.aborted = true;
        zend_bailout();
    }
}

/* Run the loop until nothing is left (or exit() / an exception). */
static void run_loop(void) {
    if (!swirl_php_registry()) {
        return;
    }
    if (swirl_php_loop_is_external()) {
        return; /* a server's worker: the server runs this loop */
    }
    if (swirl_php_ev.running) {
        php_error_docref(NULL, E_WARNING, "the event loop is already running");
        return;
    }
    swirl_php_ev.running = true;
    /* As Swoole's loop: a first iteration that does not wait, so the timer
     * round and Event::cycle count it (Timer::stats()['round'] is 1 in the
     * first timer callback). */
    int rc = swirl_loop_run_once(swirl_php_ev.loop, 0);
    if (rc >= 0) {
        /* also when that iteration threw or called exit(): the stop it asked
         * for is taken (run returns at once) and not left for the next wait */
        rc = swirl_loop_run(swirl_php_ev.loop);
    }
    swirl_php_ev.running = false;
    rethrow_bailout();
    if (rc < 0 && !EG(exception)) {
        swirl_php_warn(rc);
    }
}

static void do_wait(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    run_loop();
}

static void do_exit(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_loop_t *loop = swirl_php_loop_if_any();
    if (loop) {
        swirl_loop_stop(loop);
    }
    /* As Swoole: the loop is left, and everything in it is dropped (fds,
     * timers), so the script end does not run it again. */
    if (swirl_php_ev.pid == getpid() && !swirl_php_loop_is_external()) {
        registry_clear(true);
    }
}

static void defer_cb(swirl_loop_t *loop, void *user) {
    swirl_php_entry_t *d = user;
    if (!d->dead) {
        /* unlink */
        for (swirl_php_entry_t **pp = &swirl_php_ev.defers; *pp; pp = &(*pp)->next) {
            if (*pp == d) {
                *pp = d->next;
                break;
            }
        }
        swirl_php_event_call(&d->cb, 0, NULL);
        zval_ptr_dtor(&d->cb);
    }
    free(d);
}

static void do_defer(INTERNAL_FUNCTION_PARAMETERS) {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    swirl_php_entry_t *d = calloc(1, sizeof(swirl_php_entry_t));
    if (!d) {
        php_error_docref(NULL, E_WARNING, "out of memory");
        RETURN_FALSE;
    }
    ZVAL_COPY(&d->cb, &fci.function_name);
    int rc = swirl_loop_defer(swirl_php_ev.loop, defer_cb, d);
    if (rc < 0) {
        zval_ptr_dtor(&d->cb);
        free(d);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    d->next = swirl_php_ev.defers;
    swirl_php_ev.defers = d;
    RETURN_TRUE;
}

static void do_dispatch(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    if (swirl_php_ev.running) {
        php_error_docref(NULL, E_WARNING, "the event loop is already running");
        RETURN_FALSE;
    }
    swirl_php_ev.running = true;
    int rc = swirl_loop_run_once(swirl_php_ev.loop, -1);
    swirl_php_ev.running = false;
    rethrow_bailout();
    if (rc < 0) {
        if (!EG(exception)) {
            swirl_php_warn(rc);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* Event::cycle: the callable run at the end of each iteration of this
 * process's loop (the registry's, kept until replaced or the registry is
 * cleared). Per-process singleton. */
static struct {
    pid_t pid;
    zval cb;
} swirl_php_cycle;

static void cycle_drop(void) {
    if (swirl_php_cycle.pid == getpid() && Z_TYPE(swirl_php_cycle.cb) != IS_UNDEF) {
        if (swirl_php_ev.loop) {
            swirl_loop_set_cycle(swirl_php_ev.loop, NULL, NULL, false);
        }
        zval_ptr_dtor(&swirl_php_cycle.cb);
    }
    ZVAL_UNDEF(&swirl_php_cycle.cb);
    swirl_php_cycle.pid = 0;
}

/* Release the callable, leaving the loop alone (cycle_cb then does nothing). */
static void cycle_forget(void) {
    if (swirl_php_cycle.pid == getpid() && Z_TYPE(swirl_php_cycle.cb) != IS_UNDEF) {
        zval_ptr_dtor(&swirl_php_cycle.cb);
    }
    ZVAL_UNDEF(&swirl_php_cycle.cb);
    swirl_php_cycle.pid = 0;
}

static void cycle_cb(swirl_loop_t *loop, void *user) {
    if (swirl_php_cycle.pid != getpid() || Z_TYPE(swirl_php_cycle.cb) == IS_UNDEF) {
        return;
    }
    swirl_php_event_call(&swirl_php_cycle.cb, 0, NULL);
}

static void do_cycle(INTERNAL_FUNCTION_PARAMETERS) {
    zend_fcall_info fci = empty_fcall_info;
    zend_fcall_info_cache fcc = empty_fcall_info_cache;
    bool before = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_FUNC_OR_NULL(fci, fcc)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(before)
    ZEND_PARSE_PARAMETERS_END();
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    if (swirl_php_cycle.pid != getpid()) {
        ZVAL_UNDEF(&swirl_php_cycle.cb); /* inherited through fork: not ours to free */
        swirl_php_cycle.pid = 0;
    }
    if (!ZEND_FCI_INITIALIZED(fci)) {
        if (swirl_php_cycle.pid == 0) {
            RETURN_FALSE; /* nothing to remove, as Swoole */
        }
        /* the running callable may be the one removed: free it after the call */
        zval old;
        ZVAL_COPY_VALUE(&old, &swirl_php_cycle.cb);
        ZVAL_UNDEF(&swirl_php_cycle.cb);
        swirl_php_cycle.pid = 0;
        swirl_loop_set_cycle(swirl_php_ev.loop, NULL, NULL, false);
        zval_ptr_dtor(&old);
        RETURN_TRUE;
    }
    zval old;
    ZVAL_UNDEF(&old);
    if (swirl_php_cycle.pid) {
        ZVAL_COPY_VALUE(&old, &swirl_php_cycle.cb);
    }
    ZVAL_COPY(&swirl_php_cycle.cb, &fci.function_name);
    swirl_php_cycle.pid = getpid();
    swirl_loop_set_cycle(swirl_php_ev.loop, cycle_cb, NULL, before);
    zval_ptr_dtor(&old);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Event, cycle) { do_cycle(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_cycle) { do_cycle(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

/* For Swoole\Server::defer (swirl_server.c). */
void swirl_php_defer(INTERNAL_FUNCTION_PARAMETERS) { do_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

/* The loop of this process is about to become `next`: what PHP registered
 * in another loop (a server process's, still alive now) is removed from it
 * and released, so nothing refers to that loop once it is freed. Except,
 * as Swoole: when the script's own loop gives way to a server's loop
 * (start()), its timers move there and keep running, with their ids
 * (swirl_timer_move keeps them unless the server's loop has used one). */
void swirl_php_event_loop_change(swirl_loop_t *next) {
    if (swirl_php_ev.pid != getpid() || swirl_php_ev.loop == next) {
        return;
    }
    bool move = next && !swirl_php_loop_is_external() && swirl_php_ev.loop &&
                zend_hash_num_elements(&swirl_php_ev.timers) > 0;
    HashTable moved;
    if (move) {
        zend_hash_init(&moved, 8, NULL, NULL, 0);
        swirl_php_timers_move(swirl_php_ev.loop, next, &swirl_php_ev.timers, &moved);
    }
    registry_clear(true);
    if (move) {
        swirl_php_ev.loop = next;
        swirl_php_ev.pid = getpid();
        zend_hash_init(&swirl_php_ev.fds, 8, NULL, NULL, 0);
        zend_hash_init(&swirl_php_ev.signals, 8, NULL, NULL, 0);
        swirl_php_ev.timers = moved;
    }
}

PHP_FUNCTION(swoole_event_add) { do_add(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_set) { do_set(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_del) { do_del(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_isset) { do_isset(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_write) { do_write(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_wait) { do_wait(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_exit) { do_exit(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_defer) { do_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_event_dispatch) { do_dispatch(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

PHP_METHOD(Swoole_Event, add) { do_add(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, set) { do_set(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, del) { do_del(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, isset) { do_isset(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, write) { do_write(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, wait) { do_wait(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, exit) { do_exit(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, defer) { do_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Event, dispatch) { do_dispatch(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

/* The shutdown function: run what the script left in the loop, unless a
 * callback threw or the script died of a fatal error; then release every
 * callable, before PHP destroys the script's objects. */
PHP_METHOD(Swoole_Event, rshutdown) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (swirl_php_ev.pid && swirl_php_ev.pid != getpid()) {
        registry_clear(false);
        return;
    }
    if (!swirl_php_ev.pid || swirl_php_loop_is_external()) {
        cycle_forget(); /* a server's loop: its owner frees it; only our callable goes */
        return;
    }
    bool fatal = PG(last_error_type) & (E_ERROR | E_CORE_ERROR | E_COMPILE_ERROR | E_USER_ERROR);
    if (!swirl_php_ev.aborted && !fatal && !EG(exception)) {
        if (zend_hash_num_elements(&swirl_php_ev.fds) ||
            zend_hash_num_elements(&swirl_php_ev.timers) ||
            zend_hash_num_elements(&swirl_php_ev.signals) || swirl_php_ev.defers) {
            /* Swoole 6's notice: the loop left for the script's end runs, and is deprecated */
            zend_error(
                E_DEPRECATED,
                "swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated");
        }
        run_loop();
    }
    cycle_drop();
    registry_clear(true);
}

void swirl_event_minit(int module_number) {
    zend_register_functions(NULL, ext_functions, NULL, MODULE_PERSISTENT);
    register_event_symbols(module_number);
    zend_class_entry *event_ce = register_class_Swoole_Event();
    zend_class_entry *timer_ce = register_class_Swoole_Timer();
    swirl_php_alias("swoole_event", event_ce);
    swirl_php_alias("swoole_timer", timer_ce);
    swirl_php_timer_minit(register_class_Swoole_Timer_Iterator(spl_ce_ArrayIterator));
}
