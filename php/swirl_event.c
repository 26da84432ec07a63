/* swirl_event.c — Swoole\Event, Swoole\Timer, Swoole\Process::signal and
 * ::alarm, and the swoole_event_* / swoole_timer_* functions, on the loop of
 * this process (swirl_php_loop()).
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
 * An entry being called is never freed under the call: removal during a
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
#include <zend_exceptions.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "stubs/event_arginfo.h"

#define SW_EVENT_READ 512
#define SW_EVENT_WRITE 1024

typedef struct entry {
    zval target;   /* fd: what was added; unused otherwise */
    zval cb;       /* fd: read callback; timer, signal, defer: the callback */
    zval wcb;      /* fd: write callback */
    zval *params;  /* timer: extra arguments */
    uint32_t nparams;
    int64_t key;   /* fd, timer id or signo */
    int events;    /* fd: SW_EVENT_* */
    bool tick;     /* timer: repeating */
    bool dead;     /* removed while running */
    bool is_process; /* fd: a Swoole\Process watched through swirl_process_watch */
    int running;
    struct entry *next; /* defer list */
} entry;

static struct {
    pid_t pid;              /* the process the registry belongs to; 0: empty */
    swirl_loop_t *loop;     /* the loop it registered in */
    HashTable fds, timers, signals;
    entry *defers;          /* deferred calls not run yet (malloc'd, see defer_cb) */
    bool shutdown_registered;
    bool aborted;           /* a callback called exit(): do not run the loop at shutdown */
    bool running;           /* inside Event::wait */
    bool bailed;            /* a callback died of a fatal error: bail out once out of the loop */
} ev;

static void entry_free(entry *e) {
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

static entry *entry_new(int64_t key) {
    entry *e = ecalloc(1, sizeof(entry));
    ZVAL_UNDEF(&e->target);
    ZVAL_UNDEF(&e->cb);
    ZVAL_UNDEF(&e->wcb);
    e->key = key;
    return e;
}

/* Take e out of its table; freed now or, if it is being called, after. */
static void entry_drop(HashTable *ht, entry *e) {
    zend_hash_index_del(ht, (zend_ulong)e->key);
    if (e->running) {
        e->dead = true;
    } else {
        entry_free(e);
    }
}

static void drop_all(HashTable *ht) {
    entry *e;
    ZEND_HASH_FOREACH_PTR(ht, e) {
        if (e->running) {
            e->dead = true;
        } else {
            entry_free(e);
        }
    }
    ZEND_HASH_FOREACH_END();
    zend_hash_destroy(ht);
}

static void defer_cb(swirl_loop_t *loop, void *user);

/* Take fd entry e out of the loop: a Swoole\Process added is unwatched (it
 * holds the loop otherwise), any other fd removed. */
static void fd_unregister(entry *e) {
    if (e->is_process) {
        swirl_process_t *proc = swirl_php_process_of(&e->target);
        if (proc && swirl_process_fd(proc) >= 0) {
            swirl_process_unwatch(proc);
        }
    } else {
        swirl_loop_del(ev.loop, (int)e->key);
    }
}

/* Forget every registration. With `unregister`, also remove them from the
 * loop (false in a forked child, where the loop is already gone). */
static void registry_clear(bool unregister) {
    if (!ev.pid) {
        return;
    }
    /* async clients first: they are in the loop too (swirl_client.c) */
    swirl_php_client_drop_all(unregister && ev.pid == getpid());
    swirl_loop_t *loop = ev.loop;
    if (unregister && loop) {
        entry *e;
        ZEND_HASH_FOREACH_PTR(&ev.fds, e) {
            fd_unregister(e);
        }
        ZEND_HASH_FOREACH_END();
        ZEND_HASH_FOREACH_PTR(&ev.timers, e) {
            swirl_timer_clear(loop, e->key);
        }
        ZEND_HASH_FOREACH_END();
        ZEND_HASH_FOREACH_PTR(&ev.signals, e) {
            swirl_process_signal(loop, (int)e->key, NULL, NULL);
        }
        ZEND_HASH_FOREACH_END();
    }
    ev.pid = 0;
    drop_all(&ev.fds);
    drop_all(&ev.timers);
    drop_all(&ev.signals);
    /* A deferred call still queued in the loop keeps its (malloc'd) record,
     * emptied here, and frees it when it runs; a forked child's never runs. */
    for (entry *d = ev.defers; d; d = d->next) {
        zval_ptr_dtor(&d->cb);
        ZVAL_UNDEF(&d->cb);
        d->dead = true;
    }
    ev.defers = NULL;
}

/* The registry of this process, made on first use; NULL (with a warning)
 * if there is no loop. */
static bool registry(void) {
    if (ev.pid && ev.pid != getpid()) {
        registry_clear(false); /* inherited through fork: the loop is not ours */
        ev.aborted = false;
        ev.running = false;
        ev.bailed = false;
    }
    if (ev.pid) {
        return true;
    }
    swirl_loop_t *loop = swirl_php_loop();
    if (!loop) {
        return false;
    }
    ev.loop = loop;
    ev.pid = getpid();
    zend_hash_init(&ev.fds, 8, NULL, NULL, 0);
    zend_hash_init(&ev.timers, 8, NULL, NULL, 0);
    zend_hash_init(&ev.signals, 8, NULL, NULL, 0);
    if (!ev.shutdown_registered) {
        php_shutdown_function_entry sf;
        memset(&sf, 0, sizeof sf);
        zval fn;
        ZVAL_STRING(&fn, "Swoole\\Event::rshutdown");
        if (zend_fcall_info_init(&fn, 0, &sf.fci, &sf.fci_cache, NULL, NULL) == SUCCESS &&
            register_user_shutdown_function("swirl_event_rshutdown",
                                            sizeof("swirl_event_rshutdown") - 1, &sf)) {
            ev.shutdown_registered = true;
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
static void call(zval *cb, uint32_t argc, zval *argv) {
    if (EG(exception) || ev.bailed) {
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
    zval_ptr_dtor(&rv);
    if ((bailed || EG(exception)) && swirl_php_loop_is_external()) {
        swirl_php_server_callback_failed(bailed); /* a server's process: it ends */
    }
    if (bailed) {
        ev.bailed = true;
        if (ev.loop) {
            swirl_loop_stop(ev.loop);
        }
        return;
    }
    if (EG(exception)) {
        /* exit() in a callback ends the script: the loop is not run again at
         * its end. An uncaught exception ends it as a fatal error. */
        if (zend_is_unwind_exit(EG(exception))) {
            ev.aborted = true;
        }
        if (ev.loop) {
            swirl_loop_stop(ev.loop);
        }
    }
}

bool swirl_php_event_autorun(void) { return registry(); }

bool swirl_php_event_running(void) { return ev.running && ev.pid == getpid(); }

void swirl_php_event_call(zval *cb, uint32_t argc, zval *argv) { call(cb, argc, argv); }

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
    zval *zp = zend_hash_index_find(&ev.fds, (zend_ulong)fd);
    if (!zp) {
        return;
    }
    entry *e = Z_PTR_P(zp);
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
    call(cb, 1, &arg);
    /* closed by its callback: it leaves the loop (the kernel already
     * dropped the fd from the epoll set; nothing would ever wake it) */
    if (!e->dead && target_closed(&e->target)) {
        fd_unregister(e);
        entry_drop(&ev.fds, e);
    }
    e->running--;
    zval_ptr_dtor(&arg);
    if (e->dead && !e->running) {
        entry_free(e);
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
    if (!registry()) {
        RETURN_FALSE;
    }
    entry *old = zend_hash_index_find_ptr(&ev.fds, (zend_ulong)fd);
    if (old && target_closed(&old->target)) {
        /* the fd number of a stream closed since: it is a new file now */
        fd_unregister(old);
        entry_drop(&ev.fds, old);
        old = NULL;
    }
    if (old) {
        php_error_docref(NULL, E_WARNING, "fd %d: already added to the event loop (use swoole_event_set)", fd);
        RETURN_FALSE;
    }
    int rc;
    if (proc) {
        rc = swirl_process_watch(proc, ev.loop, on_process_read, NULL);
        if (rc == 0 && (flags & SW_EVENT_WRITE)) {
            rc = swirl_loop_set(ev.loop, fd, to_swirl_events(flags), NULL, on_write);
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
        rc = swirl_loop_add(ev.loop, fd, to_swirl_events(flags), on_read, on_write, NULL);
        if (rc == 0 && !(fl & O_NONBLOCK)) {
            fcntl(fd, F_SETFL, fl | O_NONBLOCK); /* as Swoole: the loop never blocks on it */
        }
    }
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    entry *e = entry_new(fd);
    ZVAL_COPY(&e->target, target);
    if (ZEND_FCI_INITIALIZED(rfci)) {
        set_cb(&e->cb, &rfci);
    }
    if (ZEND_FCI_INITIALIZED(wfci)) {
        set_cb(&e->wcb, &wfci);
    }
    e->events = (int)(flags & (SW_EVENT_READ | SW_EVENT_WRITE));
    e->is_process = proc != NULL;
    zend_hash_index_add_new_ptr(&ev.fds, (zend_ulong)fd, e);
    RETURN_LONG(fd);
}

/* The registered entry for the fd of `target`, or NULL (with a warning
 * unless quiet). */
static entry *find_fd(zval *target, int *fdp, bool quiet) {
    if (target_closed(target) &&
        (Z_TYPE_P(target) == IS_RESOURCE || Z_TYPE_P(target) == IS_OBJECT) && registry()) {
        /* closed since it was added: found by identity, not by its fd */
        entry *e;
        ZEND_HASH_FOREACH_PTR(&ev.fds, e) {
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
    if (registry()) {
        zval *zp = zend_hash_index_find(&ev.fds, (zend_ulong)fd);
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
    entry *e = find_fd(target, &fd, false);
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
    int rc = swirl_loop_set(ev.loop, fd, to_swirl_events(events), e->is_process ? NULL : on_read, on_write);
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
    entry *e = find_fd(target, &fd, false);
    if (!e) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    fd_unregister(e);
    entry_drop(&ev.fds, e);
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
    entry *e = find_fd(target, &fd, true);
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
    entry *e = find_fd(target, &fd, false);
    if (!e) {
        if (EG(exception)) {
            RETURN_THROWS();
        }
        RETURN_FALSE;
    }
    ssize_t n = swirl_loop_write(ev.loop, fd, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0) {
        swirl_php_warn((int)n);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* A callback died of a fatal error inside the loop, which has returned
 * since: the bailout goes on from here, past the loop's frames. */
static void rethrow_bailout(void) {
    if (ev.bailed) {
        ev.bailed = false;
        ev.aborted = true;
        zend_bailout();
    }
}

/* Run the loop until nothing is left (or exit() / an exception). */
static void run_loop(void) {
    if (!registry()) {
        return;
    }
    if (swirl_php_loop_is_external()) {
        return; /* a server's worker: the server runs this loop */
    }
    if (ev.running) {
        php_error_docref(NULL, E_WARNING, "the event loop is already running");
        return;
    }
    ev.running = true;
    int rc = swirl_loop_run(ev.loop);
    ev.running = false;
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
    if (ev.pid == getpid() && !swirl_php_loop_is_external()) {
        registry_clear(true);
    }
}

static void defer_cb(swirl_loop_t *loop, void *user) {
    entry *d = user;
    if (!d->dead) {
        /* unlink */
        for (entry **pp = &ev.defers; *pp; pp = &(*pp)->next) {
            if (*pp == d) {
                *pp = d->next;
                break;
            }
        }
        call(&d->cb, 0, NULL);
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
    if (!registry()) {
        RETURN_FALSE;
    }
    entry *d = calloc(1, sizeof(entry));
    if (!d) {
        php_error_docref(NULL, E_WARNING, "out of memory");
        RETURN_FALSE;
    }
    ZVAL_COPY(&d->cb, &fci.function_name);
    int rc = swirl_loop_defer(ev.loop, defer_cb, d);
    if (rc < 0) {
        zval_ptr_dtor(&d->cb);
        free(d);
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    d->next = ev.defers;
    ev.defers = d;
    RETURN_TRUE;
}

static void do_dispatch(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!registry()) {
        RETURN_FALSE;
    }
    if (ev.running) {
        php_error_docref(NULL, E_WARNING, "the event loop is already running");
        RETURN_FALSE;
    }
    ev.running = true;
    int rc = swirl_loop_run_once(ev.loop, -1);
    ev.running = false;
    rethrow_bailout();
    if (rc < 0) {
        if (!EG(exception)) {
            swirl_php_warn(rc);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* ---- timers ------------------------------------------------------------------------------- */

static void on_timer(swirl_loop_t *loop, int64_t id, void *user) {
    zval *zp = zend_hash_index_find(&ev.timers, (zend_ulong)id);
    if (!zp) {
        return;
    }
    entry *e = Z_PTR_P(zp);
    e->running++;
    if (e->tick) {
        /* tick: function($timer_id, ...$params) */
        zval *argv = safe_emalloc(e->nparams + 1, sizeof(zval), 0);
        ZVAL_LONG(&argv[0], id);
        for (uint32_t i = 0; i < e->nparams; i++) {
            ZVAL_COPY(&argv[i + 1], &e->params[i]);
        }
        call(&e->cb, e->nparams + 1, argv);
        for (uint32_t i = 0; i < e->nparams; i++) {
            zval_ptr_dtor(&argv[i + 1]);
        }
        efree(argv);
    } else {
        /* after: function(...$params); the timer is over before it runs */
        zend_hash_index_del(&ev.timers, (zend_ulong)id);
        e->dead = true;
        call(&e->cb, e->nparams, e->params);
    }
    e->running--;
    if (e->dead && !e->running) {
        entry_free(e);
    }
}

static void add_timer(INTERNAL_FUNCTION_PARAMETERS, bool tick) {
    zend_long ms;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    zval *params = NULL;
    uint32_t nparams = 0;
    ZEND_PARSE_PARAMETERS_START(2, -1)
        Z_PARAM_LONG(ms)
        Z_PARAM_FUNC(fci, fcc)
        Z_PARAM_VARIADIC('*', params, nparams)
    ZEND_PARSE_PARAMETERS_END();
    if (ms < 1) {
        php_error_docref(NULL, E_WARNING, "Timer must be greater than or equal to 1, " ZEND_LONG_FMT " given", ms);
        RETURN_FALSE;
    }
    if (ms > 86400000LL * 365 * 100) {
        php_error_docref(NULL, E_WARNING, "Timer of " ZEND_LONG_FMT " ms is too long", ms);
        RETURN_FALSE;
    }
    if (!registry()) {
        RETURN_FALSE;
    }
    int64_t id = tick ? swirl_timer_tick(ev.loop, ms, on_timer, NULL)
                      : swirl_timer_after(ev.loop, ms, on_timer, NULL);
    if (id < 0) {
        swirl_php_warn((int)id);
        RETURN_FALSE;
    }
    entry *e = entry_new(id);
    ZVAL_COPY(&e->cb, &fci.function_name);
    e->tick = tick;
    if (nparams) {
        e->params = safe_emalloc(nparams, sizeof(zval), 0);
        for (uint32_t i = 0; i < nparams; i++) {
            ZVAL_COPY(&e->params[i], &params[i]);
        }
        e->nparams = nparams;
    }
    zend_hash_index_add_new_ptr(&ev.timers, (zend_ulong)id, e);
    RETURN_LONG(id);
}

static entry *find_timer(zend_long id) {
    if (ev.pid != getpid() || id <= 0) {
        return NULL;
    }
    return zend_hash_index_find_ptr(&ev.timers, (zend_ulong)id);
}

static void do_timer_clear(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    registry();
    entry *e = find_timer(id);
    if (!e) {
        RETURN_FALSE;
    }
    swirl_timer_clear(ev.loop, id);
    entry_drop(&ev.timers, e);
    RETURN_TRUE;
}

static void do_timer_exists(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    registry();
    RETURN_BOOL(find_timer(id) != NULL);
}

/* For Swoole\Server::tick/after/defer/clearTimer (swirl_server.c): the same
 * as the Timer/Event functions, on this process's loop. */
void swirl_php_timer_add(INTERNAL_FUNCTION_PARAMETERS, bool tick) {
    add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, tick);
}
void swirl_php_timer_clear(INTERNAL_FUNCTION_PARAMETERS) {
    do_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}
void swirl_php_defer(INTERNAL_FUNCTION_PARAMETERS) { do_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

/* The loop of this process is about to become `next`: what PHP registered
 * in another loop (a server process's, still alive now) is removed from it
 * and released, so nothing refers to that loop once it is freed. */
void swirl_php_event_loop_change(swirl_loop_t *next) {
    if (ev.pid == getpid() && ev.loop != next) {
        registry_clear(true);
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
PHP_FUNCTION(swoole_timer_tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_FUNCTION(swoole_timer_after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }
PHP_FUNCTION(swoole_timer_clear) { do_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_timer_exists) { do_timer_exists(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

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
    if (ev.pid && ev.pid != getpid()) {
        registry_clear(false);
        return;
    }
    if (!ev.pid || swirl_php_loop_is_external()) {
        return;
    }
    bool fatal = PG(last_error_type) & (E_ERROR | E_CORE_ERROR | E_COMPILE_ERROR | E_USER_ERROR);
    if (!ev.aborted && !fatal && !EG(exception)) {
        run_loop();
    }
    registry_clear(true);
}

PHP_METHOD(Swoole_Timer, tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_METHOD(Swoole_Timer, after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }
PHP_METHOD(Swoole_Timer, clear) { do_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Timer, exists) { do_timer_exists(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

PHP_METHOD(Swoole_Timer, clearAll) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!registry()) {
        RETURN_FALSE;
    }
    entry *e;
    ZEND_HASH_FOREACH_PTR(&ev.timers, e) {
        swirl_timer_clear(ev.loop, e->key);
        if (e->running) {
            e->dead = true;
        } else {
            entry_free(e);
        }
    }
    ZEND_HASH_FOREACH_END();
    zend_hash_clean(&ev.timers);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Timer, list) {
    ZEND_PARSE_PARAMETERS_NONE();
    array_init(return_value);
    if (!registry()) {
        return;
    }
    zend_ulong id;
    ZEND_HASH_FOREACH_NUM_KEY(&ev.timers, id) {
        add_next_index_long(return_value, (zend_long)id);
    }
    ZEND_HASH_FOREACH_END();
}

PHP_METHOD(Swoole_Timer, info) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    registry();
    entry *e = find_timer(id);
    if (!e) {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_long(return_value, "id", id);
    add_assoc_bool(return_value, "tick", e->tick);
    add_assoc_bool(return_value, "running", e->running > 0);
}

/* ---- Swoole\Process::signal, ::alarm ------------------------------------------------------ */

static void on_signal(swirl_loop_t *loop, int signo, void *user) {
    zval *zp = zend_hash_index_find(&ev.signals, (zend_ulong)signo);
    if (!zp) {
        return;
    }
    entry *e = Z_PTR_P(zp);
    zval arg;
    ZVAL_LONG(&arg, signo);
    e->running++;
    call(&e->cb, 1, &arg);
    e->running--;
    if (e->dead && !e->running) {
        entry_free(e);
    }
}

PHP_METHOD(Swoole_Process, signal) {
    zend_long signo;
    zend_fcall_info fci = empty_fcall_info;
    zend_fcall_info_cache fcc = empty_fcall_info_cache;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_LONG(signo)
        Z_PARAM_FUNC_OR_NULL(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    if (signo <= 0 || signo >= 65) {
        php_error_docref(NULL, E_WARNING, "invalid signal number " ZEND_LONG_FMT, signo);
        RETURN_FALSE;
    }
    if (!registry()) {
        RETURN_FALSE;
    }
    entry *old = zend_hash_index_find_ptr(&ev.signals, (zend_ulong)signo);
    if (!ZEND_FCI_INITIALIZED(fci)) {
        if (!old) {
            RETURN_TRUE; /* nothing to remove: Swoole is silent too */
        }
        swirl_process_signal(ev.loop, (int)signo, NULL, NULL);
        entry_drop(&ev.signals, old);
        RETURN_TRUE;
    }
    int rc = swirl_process_signal(ev.loop, (int)signo, on_signal, NULL);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    if (old) {
        entry_drop(&ev.signals, old);
    }
    entry *e = entry_new(signo);
    ZVAL_COPY(&e->cb, &fci.function_name);
    zend_hash_index_add_new_ptr(&ev.signals, (zend_ulong)signo, e);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Process, alarm) {
    zend_long usec, type = SWIRL_ALARM_REAL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(usec)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    if (type < INT_MIN || type > INT_MAX) {
        type = -1;
    }
    int rc = swirl_process_alarm(usec, (int)type);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

void swirl_event_minit(int module_number) {
    zend_register_functions(NULL, ext_functions, NULL, MODULE_PERSISTENT);
    register_event_symbols(module_number);
    zend_class_entry *event_ce = register_class_Swoole_Event();
    zend_class_entry *timer_ce = register_class_Swoole_Timer();
    swirl_php_alias("swoole_event", event_ce);
    swirl_php_alias("swoole_timer", timer_ce);
}
