/* swirl_timer.c — Swoole\Timer, the swoole_timer_* functions and
 * Swoole\Process::signal and ::alarm, on the registry of swirl_event.c
 * (swirl_event.h): timers by id, signals by number. */
#include "php_swirl.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "swirl_event.h"

/* ---- timers ------------------------------------------------------------------------------- */

/* Per-process singleton: the timer whose callback runs, with its state
 * as it was when called, so Timer::info() still answers (removed: true)
 * for a timer cleared from its own callback, as Swoole's does. */
static struct {
    swirl_php_entry_t *e;
    swirl_timer_info_t info;
} swirl_php_timer_now;

static void on_timer(swirl_loop_t *loop, int64_t id, void *user) {
    zval *zp = zend_hash_index_find(&swirl_php_ev.timers, (zend_ulong)id);
    if (!zp) {
        return;
    }
    swirl_php_entry_t *e = Z_PTR_P(zp);
    swirl_php_entry_t *outer = swirl_php_timer_now.e;
    swirl_timer_info_t outer_info = swirl_php_timer_now.info;
    swirl_php_timer_now.e = e;
    if (swirl_timer_info(loop, id, &swirl_php_timer_now.info) < 0) {
        memset(&swirl_php_timer_now.info, 0, sizeof swirl_php_timer_now.info);
    }
    e->running++;
    if (e->tick) {
        /* tick: function($timer_id, ...$params) */
        zval *argv = safe_emalloc(e->nparams + 1, sizeof(zval), 0);
        ZVAL_LONG(&argv[0], id);
        for (uint32_t i = 0; i < e->nparams; i++) {
            ZVAL_COPY(&argv[i + 1], &e->params[i]);
        }
        swirl_php_event_call(&e->cb, e->nparams + 1, argv);
        for (uint32_t i = 0; i < e->nparams; i++) {
            zval_ptr_dtor(&argv[i + 1]);
        }
        efree(argv);
    } else {
        /* after: function(...$params); the timer is over before it runs */
        zend_hash_index_del(&swirl_php_ev.timers, (zend_ulong)id);
        e->dead = true;
        swirl_php_event_call(&e->cb, e->nparams, e->params);
    }
    e->running--;
    swirl_php_timer_now.e = outer;
    swirl_php_timer_now.info = outer_info;
    if (e->dead && !e->running) {
        swirl_php_entry_free(e);
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
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    int64_t id = tick ? swirl_timer_tick(swirl_php_ev.loop, ms, on_timer, NULL)
                      : swirl_timer_after(swirl_php_ev.loop, ms, on_timer, NULL);
    if (id < 0) {
        swirl_php_warn((int)id);
        RETURN_FALSE;
    }
    swirl_php_entry_t *e = swirl_php_entry_new(id);
    ZVAL_COPY(&e->cb, &fci.function_name);
    e->tick = tick;
    if (nparams) {
        e->params = safe_emalloc(nparams, sizeof(zval), 0);
        for (uint32_t i = 0; i < nparams; i++) {
            ZVAL_COPY(&e->params[i], &params[i]);
        }
        e->nparams = nparams;
    }
    zend_hash_index_add_new_ptr(&swirl_php_ev.timers, (zend_ulong)id, e);
    RETURN_LONG(id);
}

static swirl_php_entry_t *find_timer(zend_long id) {
    if (swirl_php_ev.pid != getpid() || id <= 0) {
        return NULL;
    }
    return zend_hash_index_find_ptr(&swirl_php_ev.timers, (zend_ulong)id);
}

static void do_timer_clear(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    swirl_php_registry();
    swirl_php_entry_t *e = find_timer(id);
    if (!e) {
        RETURN_FALSE;
    }
    swirl_timer_clear(swirl_php_ev.loop, id);
    swirl_php_entry_drop(&swirl_php_ev.timers, e);
    RETURN_TRUE;
}

static void do_timer_exists(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    swirl_php_registry();
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
PHP_FUNCTION(swoole_timer_tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_FUNCTION(swoole_timer_after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }
PHP_FUNCTION(swoole_timer_clear) { do_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_timer_exists) { do_timer_exists(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

PHP_METHOD(Swoole_Timer, tick) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_METHOD(Swoole_Timer, after) { add_timer(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }
PHP_METHOD(Swoole_Timer, clear) { do_timer_clear(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Timer, exists) { do_timer_exists(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

static void timer_clear_all(INTERNAL_FUNCTION_PARAMETERS);
PHP_METHOD(Swoole_Timer, clearAll) { timer_clear_all(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_timer_clear_all) { timer_clear_all(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

static void timer_clear_all(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    swirl_php_entry_t *e;
    ZEND_HASH_FOREACH_PTR(&swirl_php_ev.timers, e) {
        swirl_timer_clear(swirl_php_ev.loop, e->key);
        if (e->running) {
            e->dead = true;
        } else {
            swirl_php_entry_free(e);
        }
    }
    ZEND_HASH_FOREACH_END();
    zend_hash_clean(&swirl_php_ev.timers);
    RETURN_TRUE;
}

/* The timers of `from` move to `to` (the process's loop becomes a server's
 * loop at its start: Swoole's timers made before start() keep running
 * there), with their deadlines, into `moved` under their ids in `to` (the
 * same ids unless `to` has used one already). A timer whose callback runs
 * now stays behind, to be dropped. */
void swirl_php_timers_move(swirl_loop_t *from, swirl_loop_t *to, HashTable *timers,
                           HashTable *moved) {
    uint32_t n = zend_hash_num_elements(timers), k = 0;
    zend_ulong *ids = safe_emalloc(n ? n : 1, sizeof(zend_ulong), 0);
    zend_ulong id;
    ZEND_HASH_FOREACH_NUM_KEY(timers, id) {
        ids[k++] = id;
    }
    ZEND_HASH_FOREACH_END();
    for (uint32_t i = 0; i < k; i++) {
        swirl_php_entry_t *e = zend_hash_index_find_ptr(timers, ids[i]);
        if (!e || e->running || e->dead) {
            continue; /* stays behind, to be dropped */
        }
        int64_t nid = swirl_timer_move(from, e->key, to);
        if (nid < 0) {
            continue; /* out of memory: dropped with the others */
        }
        zend_hash_index_del(timers, ids[i]); /* no destructor: the entry lives on in `moved` */
        e->key = nid;
        zend_hash_index_add_new_ptr(moved, (zend_ulong)nid, e);
    }
    efree(ids);
}

static zend_class_entry *timer_iterator_ce;

static void timer_list(zval *return_value) {
    zval ids;
    array_init(&ids);
    if (swirl_php_registry()) {
        zend_ulong id;
        ZEND_HASH_FOREACH_NUM_KEY(&swirl_php_ev.timers, id) {
            add_next_index_long(&ids, (zend_long)id);
        }
        ZEND_HASH_FOREACH_END();
    }
    object_init_ex(return_value, timer_iterator_ce);
    zend_call_known_instance_method_with_1_params(timer_iterator_ce->constructor,
                                                  Z_OBJ_P(return_value), NULL, &ids);
    zval_ptr_dtor(&ids);
}

/* Swoole's keys: exec_msec (next run, ms since this loop's first timer),
 * exec_count, interval (0 for after), round (the timer pass it was made
 * in), removed (cleared from its own callback, which still runs). */
static void timer_info(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(id)
    ZEND_PARSE_PARAMETERS_END();
    swirl_php_registry();
    swirl_timer_info_t in;
    bool removed = false;
    swirl_php_entry_t *e = find_timer(id);
    if (e && swirl_timer_info(swirl_php_ev.loop, id, &in) == 0) {
        /* pending */
    } else if (swirl_php_timer_now.e && swirl_php_timer_now.e->key == id &&
               swirl_php_ev.pid == getpid()) {
        in = swirl_php_timer_now.info;
        /* a tick cleared from its callback; an after() timer being run is not removed */
        removed = swirl_php_timer_now.e->tick && swirl_php_timer_now.e->dead;
    } else {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_long(return_value, "exec_msec", in.due_ms);
    add_assoc_long(return_value, "exec_count", (zend_long)in.exec_count);
    add_assoc_long(return_value, "interval", in.interval_ms);
    add_assoc_long(return_value, "round", (zend_long)in.round);
    add_assoc_bool(return_value, "removed", removed);
}

static void timer_stats(zval *return_value) {
    array_init(return_value);
    swirl_loop_t *loop = swirl_php_loop_if_any();
    bool init = loop && swirl_php_ev.pid == getpid();
    add_assoc_bool(return_value, "initialized", init);
    /* as Swoole's count: an after() timer is counted while its callback runs */
    zend_long num = init ? (zend_long)zend_hash_num_elements(&swirl_php_ev.timers) : 0;
    if (init && swirl_php_timer_now.e && !swirl_php_timer_now.e->tick) {
        num++;
    }
    add_assoc_long(return_value, "num", num);
    add_assoc_long(return_value, "round", init ? (zend_long)swirl_timer_round(loop) : 0);
}

PHP_METHOD(Swoole_Timer, list) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_list(return_value);
}
PHP_FUNCTION(swoole_timer_list) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_list(return_value);
}
PHP_METHOD(Swoole_Timer, info) { timer_info(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_FUNCTION(swoole_timer_info) { timer_info(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
PHP_METHOD(Swoole_Timer, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_stats(return_value);
}
PHP_FUNCTION(swoole_timer_stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    timer_stats(return_value);
}

void swirl_php_timer_minit(zend_class_entry *iterator_ce) { timer_iterator_ce = iterator_ce; }

/* ---- Swoole\Process::signal, ::alarm ------------------------------------------------------ */

static void on_signal(swirl_loop_t *loop, int signo, void *user) {
    zval *zp = zend_hash_index_find(&swirl_php_ev.signals, (zend_ulong)signo);
    if (!zp) {
        return;
    }
    swirl_php_entry_t *e = Z_PTR_P(zp);
    zval arg;
    ZVAL_LONG(&arg, signo);
    e->running++;
    swirl_php_event_call(&e->cb, 1, &arg);
    e->running--;
    if (e->dead && !e->running) {
        swirl_php_entry_free(e);
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
    if (!swirl_php_registry()) {
        RETURN_FALSE;
    }
    swirl_php_entry_t *old = zend_hash_index_find_ptr(&swirl_php_ev.signals, (zend_ulong)signo);
    if (!ZEND_FCI_INITIALIZED(fci)) {
        if (!old) {
            RETURN_TRUE; /* nothing to remove: Swoole is silent too */
        }
        swirl_process_signal(swirl_php_ev.loop, (int)signo, NULL, NULL);
        swirl_php_entry_drop(&swirl_php_ev.signals, old);
        RETURN_TRUE;
    }
    int rc = swirl_process_signal(swirl_php_ev.loop, (int)signo, on_signal, NULL);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    if (old) {
        swirl_php_entry_drop(&swirl_php_ev.signals, old);
    }
    swirl_php_entry_t *e = swirl_php_entry_new(signo);
    ZVAL_COPY(&e->cb, &fci.function_name);
    zend_hash_index_add_new_ptr(&swirl_php_ev.signals, (zend_ulong)signo, e);
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

