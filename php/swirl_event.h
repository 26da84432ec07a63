/* swirl_event.h — the per-process registry of the PHP callables given to
 * the loop, shared by swirl_event.c (fds, deferred calls, the loop's runs)
 * and swirl_timer.c (timers, signals). See swirl_event.c for its rules. */
#ifndef SWIRL_PHP_EVENT_H
#define SWIRL_PHP_EVENT_H

#include "php_swirl.h"

typedef struct swirl_php_entry {
    zval target;   /* fd: what was added; unused otherwise */
    zval cb;       /* fd: read callback; timer, signal, defer: the callback */
    zval wcb;      /* fd: write callback */
    zval *params;  /* timer: extra arguments */
    uint32_t nparams;
    int64_t key;   /* fd, timer id or signo */
    int events;    /* fd: SW_EVENT_* (swirl_event.c) */
    bool tick;     /* timer: repeating */
    bool dead;     /* removed while running */
    bool is_process; /* fd: a Swoole\Process watched through swirl_process_watch */
    int running;
    struct swirl_php_entry *next; /* defer list */
} swirl_php_entry_t;

typedef struct {
    pid_t pid;              /* the process the registry belongs to; 0: empty */
    swirl_loop_t *loop;     /* the loop it registered in */
    HashTable fds, timers, signals;
    swirl_php_entry_t *defers; /* deferred calls not run yet (malloc'd, see defer_cb) */
    bool shutdown_registered;
    bool aborted;           /* a callback called exit(): do not run the loop at shutdown */
    bool running;           /* inside Event::wait */
    bool bailed;            /* a callback died of a fatal error: bail out once out of the loop */
} swirl_php_registry_t;

/* The registry of this process (a per-process singleton). */
extern swirl_php_registry_t swirl_php_ev;

/* The registry, made on first use (and dropped when inherited through
 * fork); false (with a warning) if there is no loop. */
bool swirl_php_registry(void);
/* A new entry for `key` (callables UNDEF), and its release. */
swirl_php_entry_t *swirl_php_entry_new(int64_t key);
void swirl_php_entry_free(swirl_php_entry_t *e);
/* Take e out of its table; freed now or, if it is being called, after. */
void swirl_php_entry_drop(HashTable *ht, swirl_php_entry_t *e);

/* Move the timers of the registry from one loop to another (swirl_timer.c). */
void swirl_php_timers_move(swirl_loop_t *from, swirl_loop_t *to, HashTable *timers,
                           HashTable *moved);

/* Timer::list()'s class, Swoole\Timer\Iterator (swirl_timer.c). */
void swirl_php_timer_minit(zend_class_entry *iterator_ce);

#endif
