/* swirl_server.h — what the two files of Swoole\Server share: the
 * objects of Swoole\Server and Swoole\Server\Port, and the helpers the
 * methods (swirl_server_methods.c) use from the core of the class
 * (swirl_server.c: objects, events, construction, settings). */
#ifndef PHP_SWIRL_SERVER_H
#define PHP_SWIRL_SERVER_H

#include "php_swirl.h"

enum { TASK_RAW = 0, TASK_SERIALIZED = 1 };

typedef struct {
    swirl_server_t *srv;
    zval cb[SWIRL_ON__COUNT]; /* UNDEF when not set */
    zval procs;               /* array: the Process objects of addProcess, kept alive */
    HashTable finish_cbs;     /* task id -> the finish callable given to task() */
    HashTable fd_port;        /* fd -> its listener's socket, while port callbacks route */
    int port_cbs;             /* callbacks set on extra ports */
    int event;                /* the event being dispatched, or -1 */
    bool started;
    bool in_task;       /* inside a task callback */
    bool task_finished; /* finish() was called for the current task */
    zend_object std;
} server_obj;

extern zend_class_entry *swirl_php_server_ce;

/* Swoole\Server\Port: one listener. `port` is NULL for the main listener,
 * whose set() and on() are the server's. */
enum { PCB_CONNECT, PCB_RECEIVE, PCB_CLOSE, PCB_PACKET, PCB__COUNT };
typedef struct {
    swirl_port_t *port;
    zend_object *server; /* a reference */
    zval cb[PCB__COUNT];
    zend_object std;
} port_obj;

extern zend_class_entry *swirl_php_port_ce;

static inline port_obj *port_from(zend_object *o) {
    return (port_obj *)((char *)o - XtOffsetOf(port_obj, std));
}

/* Event names as Swoole spells them, in swirl_event_type_t order. */
static inline server_obj *server_from(zend_object *o) {
    return (server_obj *)((char *)o - XtOffsetOf(server_obj, std));
}

/* The server of $this, or NULL with an exception thrown (not constructed). */
swirl_server_t *swirl_php_this_server(zval *this_);

/* In a method: `var` = the server, or return with the exception. */
#define SERVER_THIS(var)                                                                           \
    swirl_server_t *var = swirl_php_this_server(ZEND_THIS);                                        \
    if (!var) {                                                                                    \
        RETURN_THROWS();                                                                           \
    }

#define UPDATE_LONG(obj, name, v)                                                                  \
    zend_update_property_long(swirl_php_server_ce, obj, name, sizeof(name) - 1, v)

/* A method's result from a swirl call: true, or false (a warning unless the
 * connection was simply closed). */
#define SEND_RESULT(rc)                                                                            \
    do {                                                                                           \
        if ((rc) < 0) {                                                                            \
            if ((rc) != SWIRL_ECLOSED)                                                             \
                swirl_php_warn(rc);                                                                \
            RETURN_FALSE;                                                                          \
        }                                                                                          \
        RETURN_TRUE;                                                                               \
    } while (0)

/* The C callback of every event: calls the PHP callable set for it. */
void swirl_php_server_dispatch(swirl_server_t *srv, const swirl_event_t *ev, void *user);

/* A PHP value for a task or pipe message: a string as it is, anything
 * else serialized, behind one byte saying which. */
zend_string *swirl_php_pack_value(zval *v);
void swirl_php_unpack_value(const char *data, size_t len, zval *out);
/* The current task's result (finish() or onTask's return value). */
void swirl_php_finish_value(server_obj *o, zval *v);
/* The event named (case-insensitive, with or without "on"), or -1. */
int swirl_php_server_event_type(const char *name, size_t len);
/* Apply a PHP array of settings to the server, or to one port (port_only:
 * per-port keys only). False if a key failed (each is warned). */
bool swirl_php_apply_settings(zend_object *obj, zend_class_entry *ce, swirl_server_t *srv,
                              swirl_port_t *port, bool port_only, HashTable *settings);
/* The Swoole\Server\Port object of a listener (port NULL: the main one). */
zend_object *swirl_php_add_port(server_obj *o, swirl_port_t *port, const char *host, zend_long num,
                                zend_long type);
/* The open connections' fds, into an array. */
void swirl_php_all_connections(swirl_server_t *srv, zval *out);

#endif
