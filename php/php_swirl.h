/* php_swirl.h — what the files of the swirl PHP extension share: the module
 * entry, each class family's MINIT, and how a failed libswirl call becomes a
 * PHP warning or exception carrying swirl's own message. */
#ifndef PHP_SWIRL_H
#define PHP_SWIRL_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <php.h>
#include <swirl/swirl.h>

extern zend_module_entry swirl_module_entry;
#define phpext_swirl_ptr &swirl_module_entry

#define PHP_SWIRL_VERSION SWIRL_VERSION_STRING

/* The module registers as "swoole" (the file stays swirl.so) and reports the
 * Swoole API level it implements: phpversion('swoole'), SWOOLE_VERSION,
 * SWOOLE_VERSION_ID and the MAJOR/MINOR/RELEASE constants, swoole_version().
 * 6.2.2 (Swoole's newest release for PHP 8.2, whose tests are swirl's oracle):
 * frameworks switch on it, e.g. Laravel Octane declares its Table subclass
 * with typed column()/set() (swirl's signatures) when SWOOLE_VERSION_ID >=
 * 50000. swirl's own version stays in SWIRL_VERSION and `php --ri swoole`. */
#define SWIRL_SWOOLE_MAJOR 6
#define SWIRL_SWOOLE_MINOR 2
#define SWIRL_SWOOLE_RELEASE 2
#define SWIRL_SWOOLE_VERSION "6.2.2"
#define SWIRL_SWOOLE_VERSION_ID                                                                    \
    (SWIRL_SWOOLE_MAJOR * 10000 + SWIRL_SWOOLE_MINOR * 100 + SWIRL_SWOOLE_RELEASE)

/* swoole_strerror()'s $type (SWOOLE_STRERROR_*, Swoole's values). */
#define SWIRL_STRERROR_SYSTEM 0
#define SWIRL_STRERROR_GAI 1
#define SWIRL_STRERROR_DNS 2
#define SWIRL_STRERROR_SWOOLE 3

/* Swoole's global functions and their constants (swirl_functions.c);
 * Swoole\Constant (swirl_constant.c). */
void swirl_functions_minit(int module_number);
void swirl_functions_mshutdown(void);
void swirl_constant_minit(void);
/* socket_send_timeout as swoole_async_set last set it (seconds, clamped to
 * what a server takes: 0 for Swoole's "no limit", <= 0, which swirl reads
 * as "never wait"; at most 86400), -1 if never set. Server::start gives it
 * to a server that set none of its own. */
double swirl_php_async_send_timeout(void);
/* Swoole's message for one of its codes (SWOOLE_ERROR_*), NULL if none. */
const char *swirl_php_swoole_strerror(zend_long code);

/* Swoole\Exception (swoole_exception). */
extern zend_class_entry *swirl_ce_exception;

/* Each class family registers its classes and snake_case aliases. */
void swirl_table_minit(void);
void swirl_lock_minit(void);
void swirl_atomic_minit(void);
void swirl_process_minit(void);
void swirl_pool_minit(void);               /* Swoole\Process\Pool (swirl_pool.c) */
void swirl_event_minit(int module_number); /* Event, Timer, swoole_event_*, swoole_timer_* */
/* Swoole\Server and the server constants (swirl_server.c). */
void swirl_server_minit(int module_number);
void swirl_server_task_minit(int module_number); /* swirl_server_task.c */
void swirl_http_minit(void);                   /* Http\Server, Request, Response (swirl_http*.c) */
void swirl_websocket_minit(int module_number); /* WebSocket\Server, frames, constants */
/* A new Swoole\WebSocket\Frame (a CloseFrame for a close opcode, its code
 * and reason read from the payload) into out, fd 0 (swirl_websocket.c). */
void swirl_php_ws_frame_new(zval *out, const char *data, size_t len, int opcode, bool fin);
/* Swoole\Client and the client constants (swirl_client.c). */
void swirl_client_minit(int module_number);
/* Swoole\Http\Client (swirl_http_client.c). */
void swirl_http_client_minit(void);
/* Swoole\Redis (swirl_redis.c). */
void swirl_redis_minit(int module_number);

/* The loop of this process (swirl_loop.c): inside a server's worker the
 * server's (swirl_php_set_loop, called by the Server code when a worker
 * starts; NULL when it stops), otherwise the module's own, made on first
 * use; NULL with a warning if it cannot be made. A forked child starts
 * with none. */
swirl_loop_t *swirl_php_loop(void);
/* The same without making one: NULL if none exists yet. */
swirl_loop_t *swirl_php_loop_if_any(void);
void swirl_php_set_loop(swirl_loop_t *loop);
/* Free the module's own loop (at module shutdown). */
void swirl_php_loop_free(void);

/* A code of swirl's (-errno or SWIRL_E*) as Swoole gives it to PHP: the
 * errno value, positive, or Swoole's SWOOLE_ERROR_* code for the same
 * failure (the one map, swirl.c). What swoole_last_error(), swoole_errno(),
 * Server::getLastError(), the errCode properties and Swoole\Exception's
 * code report. A positive code is returned as it is. */
int swirl_php_errcode(int code);

/* The message for a failed call that returned `code`: swirl's last error
 * message when it is about that code, else swirl_strerror(code). */
const char *swirl_php_error_msg(int code);

/* E_WARNING naming the failed call's culprit, as Swoole warns (and, as
 * Swoole's own warnings, not shown with ini swoole.display_errors off). */
#define swirl_php_warn(code)                                                                       \
    do {                                                                                           \
        if (INI_BOOL("swoole.display_errors"))                                                     \
            php_error_docref(NULL, E_WARNING, "%s", swirl_php_error_msg(code));                    \
    } while (0)

/* A setting's PHP value as the C setters take it (swirl_server_set,
 * swirl_client_set): a bool, int, float or string (its bytes, NULs
 * included, borrowed from `val`). False for any other type. */
bool swirl_php_value(zval *val, swirl_value_t *out);

/* One setting for swirl_php_settings_merge: `key` (NULL for an integer key
 * `idx`) and its value, dereferenced. Applies it, warning as it sees fit;
 * true when taken. */
typedef bool (*swirl_php_setting_fn)(void *ctx, zend_string *key, zend_ulong idx, zval *val);

/* Server::set, Port::set and Client::set: `apply` each entry of
 * `settings`, and merge those taken into the `setting` property of `obj`
 * (class `ce`). False if any entry was refused. */
bool swirl_php_settings_merge(zend_object *obj, zend_class_entry *ce, HashTable *settings,
                              swirl_php_setting_fn apply, void *ctx);

/* Throw Swoole\Exception with the failed call's message and its code. */
void swirl_php_throw(int code);

/* A timeout in seconds given by a script, in milliseconds: -1 for a
 * negative or NaN one (what that means is the caller's), INT_MAX at most
 * (+INF included). Never an undefined float to integer conversion. */
int swirl_php_timeout_ms(double seconds);

/* Register `name` (a snake_case Swoole name) as another name of `ce`. */
void swirl_php_alias(const char *name, zend_class_entry *ce);

/* Event/Timer helpers (swirl_event.c): the swirl_process_t of a
 * Swoole\Process object, or NULL if `z` is not one (swirl_process.c); true
 * when swirl_php_loop() is a loop set from outside (a server worker's),
 * which its owner runs (swirl_loop.c). */
swirl_process_t *swirl_php_process_of(zval *z);
/* Pool::getProcess (swirl_process.c): a Swoole\Process for a pool's worker. */
bool swirl_php_process_attach(zval *out, int fd, pid_t pid, int id);
void swirl_php_process_set_pid(zval *z, pid_t pid);
bool swirl_php_loop_is_external(void);

/* Server helpers (swirl_timer.c, swirl_event.c, swirl_process.c): Server::tick/after/
 * clearTimer/defer; the registry follows a loop change; a Process run by a
 * server's manager (addProcess) leaves with _exit, not PHP's shutdown. */
void swirl_php_timer_add(INTERNAL_FUNCTION_PARAMETERS, bool tick);
void swirl_php_timer_clear(INTERNAL_FUNCTION_PARAMETERS);
void swirl_php_defer(INTERNAL_FUNCTION_PARAMETERS);
void swirl_php_event_loop_change(swirl_loop_t *next);
bool swirl_php_process_mark_server(zval *z);

/* Client helpers. swirl_event.c: make sure the loop runs at the end of the
 * script (the Event registry and its shutdown function; false with a
 * warning if there is no loop), and call a PHP callback from the loop as
 * Event callbacks are called (an exception or exit() stops the loop).
 * swirl_client_async.c: called when the Event registry is cleared, closes the
 * async clients without callbacks and drops their references (`ours`:
 * the loop is this process's, else inherited through fork). */
bool swirl_php_event_autorun(void);
/* Inside Event::wait()/dispatch() (or the loop run at the script's end) of
 * this process (swirl_event.c). */
bool swirl_php_event_running(void);
/* A callback run by a server's loop (Server::tick, Timer, Event, an async
 * client in a worker) threw, called exit() or died of a fatal error
 * (`bailed`): as for the server's own callbacks, the error is reported,
 * output flushed and the process _exits (255, or exit()'s status)
 * (swirl_server.c). */
ZEND_NORETURN void swirl_php_server_callback_failed(bool bailed);
void swirl_php_event_call(zval *cb, uint32_t argc, zval *argv);
/* The same, keeping the callable's return value in *ret (UNDEF when it
 * threw, died or was not called: the caller owns a defined one). */
void swirl_php_event_call_ret(zval *cb, uint32_t argc, zval *argv, zval *ret);
void swirl_php_client_drop_all(bool ours);
void swirl_php_redis_drop_all(bool ours); /* swirl_redis.c */
/* Swoole\MySQL (swirl_mysql.c): its classes, and the same drop as
 * swirl_php_client_drop_all for its connections. */
void swirl_mysql_minit(void);
void swirl_php_mysql_drop_all(bool ours);

#endif
