/* swirl_server.h — what the two files of Swoole\Server share: the
 * objects of Swoole\Server and Swoole\Server\Port, and the helpers the
 * methods (swirl_server_methods.c) use from the core of the class
 * (swirl_server.c: objects, events, construction, settings). */
#ifndef PHP_SWIRL_SERVER_H
#define PHP_SWIRL_SERVER_H

#include <errno.h>

#include "php_swirl.h"

enum { TASK_RAW = 0, TASK_SERIALIZED = 1 };

/* The events of Swoole\Http\Server and Swoole\WebSocket\Server beyond
 * Swoole\Server's (swirl_http.c, swirl_websocket.c). */
enum { HCB_REQUEST, HCB_HANDSHAKE, HCB_OPEN, HCB_MESSAGE, HCB_BEFORE_HANDSHAKE, HCB__COUNT };

typedef struct {
    swirl_server_t *srv;      /* the TCP server (owned by http when there is one) */
    swirl_http_server_t *http; /* Http\Server and WebSocket\Server (owned by ws if set) */
    swirl_ws_server_t *ws;     /* WebSocket\Server */
    zval cb[SWIRL_ON__COUNT]; /* UNDEF when not set */
    zval hcb[HCB__COUNT];     /* the HTTP and WebSocket events, UNDEF when not set */
    zval procs;               /* array: the Process objects of addProcess, kept alive */
    zval commands;            /* array: name -> the callable of addCommand */
    HashTable finish_cbs;     /* task id -> the finish callable given to task() */
    int port_cbs;             /* callbacks set on extra ports */
    zval length_fn;           /* package_length_func of set(), UNDEF when not set */
    int event;                /* the event being dispatched, or -1 */
    bool started;
    bool in_task;       /* inside a task callback */
    bool task_finished; /* finish() was called for the current task */
    bool task_waited;   /* the current task came from taskwait (it takes one result) */
    int64_t task_id;    /* the current task's id (in_task) */
    zend_object std;
} server_obj;

extern zend_class_entry *swirl_php_server_ce;
extern zend_class_entry *swirl_php_http_server_ce; /* swirl_http.c */
extern zend_class_entry *swirl_php_ws_server_ce;   /* swirl_websocket.c */

/* Swoole\Server\Port: one listener. `port` is NULL for the main listener,
 * whose set() and on() are the server's. Its callbacks: the connection
 * events, then the HTTP and WebSocket ones (PCB_HTTP + HCB_*). */
enum {
    PCB_CONNECT,
    PCB_RECEIVE,
    PCB_CLOSE,
    PCB_PACKET,
    PCB_HTTP,
    PCB__COUNT = PCB_HTTP + HCB__COUNT
};
typedef struct {
    swirl_port_t *port;
    zend_object *server; /* a reference */
    zval cb[PCB__COUNT];
    zval length_fn; /* package_length_func of the port's set(), UNDEF when not set */
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

/* A datagram send's result: as SEND_RESULT, except that a peer with no room
 * (its socket buffer full: EAGAIN, ENOBUFS) is false without a warning, as
 * Swoole's non-blocking sendto (swoole_last_error() tells it). */
#define DGRAM_RESULT(rc)                                                                           \
    do {                                                                                           \
        if ((rc) == -EAGAIN || (rc) == -ENOBUFS)                                                   \
            RETURN_FALSE;                                                                          \
        SEND_RESULT(rc);                                                                           \
    } while (0)

/* The C callback of every event: calls the PHP callable set for it. */
void swirl_php_server_dispatch(swirl_server_t *srv, const swirl_event_t *ev, void *user);
/* Call `cb` with args[0..n-1] for the server `o` (args[0] is set to the
 * server when `with_server`). A fatal error or exit() ends the process (as
 * in every event). An exception: with `survive` it is reported as a
 * warning ("Uncaught ... in the <what> callback"), cleared, and false is
 * returned; without, it ends the process as Swoole does. */
bool swirl_php_server_call(server_obj *o, zval *cb, zval *args, uint32_t n, bool with_server,
                           bool survive, const char *what);
/* As swirl_php_server_call surviving an exception, the callable's return
 * value in *ret (UNDEF after an exception; the caller releases it). */
bool swirl_php_server_call_ret(server_obj *o, zval *cb, zval *args, uint32_t n, bool with_server,
                               const char *what, zval *ret);
/* Hook an event of the server to swirl_php_server_dispatch: through the
 * HTTP layer for connect, close and workerStop when there is one. */
int swirl_php_server_hook(server_obj *o, swirl_event_type_t type);

/* Http\Server and WebSocket\Server (swirl_http.c, swirl_websocket.c):
 * on() for their own events: 1 if `name` is one (set, or warned and
 * *failed), 0 if it is not theirs. */
static inline bool swirl_php_event_is(const char *name, size_t len, const char *event) {
    size_t n = strlen(event);
    if (len == n + 2 && strncasecmp(name, "on", 2) == 0) {
        name += 2;
        len -= 2;
    }
    return len == n && strncasecmp(name, event, n) == 0;
}
int swirl_php_http_on(server_obj *o, const char *name, size_t len, zval *cb, bool *failed);
int swirl_php_ws_on(server_obj *o, const char *name, size_t len, zval *cb, bool *failed);
/* Before start: what the HTTP or WebSocket layer must hook (the request
 * handler, a default for a missing one); false with a warning if it cannot
 * start. */
bool swirl_php_http_prepare(server_obj *o);
/* A worker of an HTTP server stops (after the C layer dropped its
 * connections): release the responses still detached. */
void swirl_php_http_worker_stop(void);
/* Server::close($fd) of an HTTP connection: its open response, if any,
 * is ended quietly after its callback (the client is being dropped). */
void swirl_php_http_closing(int64_t fd);
bool swirl_php_ws_prepare(server_obj *o);

/* Swoole\Http\Request and Response objects for the C request and
 * response (swirl_http.c). The request is filled from `req` now (header,
 * server, get, post, cookie, files, fd; upload temp files are made known
 * to move_uploaded_file); its raw body is read from `req` while it is
 * valid: call swirl_php_request_done when the callback has returned (it
 * keeps a copy of the body if the object lives on, and forgets the
 * uploads). The response refers to `resp` (through this worker's table of
 * open responses) until it is ended; call swirl_php_response_done after
 * the callback: unless detached, the C layer ends it then, and the object
 * no longer refers to it. */
void swirl_php_request_new(zval *out, server_obj *o, swirl_http_req_t *req);
void swirl_php_request_done(zval *request);
/* Set up class Swoole\Http\Request (registered by swirl_http_minit). */
void swirl_php_request_minit(zend_class_entry *ce);
void swirl_php_response_new(zval *out, server_obj *o, swirl_http_resp_t *resp);
void swirl_php_response_done(zval *response);

/* A PHP value for a task or pipe message: a string as it is, anything
 * else serialized, behind one byte saying which. */
zend_string *swirl_php_pack_value(zval *v);
void swirl_php_unpack_value(const char *data, size_t len, zval *out);
/* A result of the current task (finish() or onTask's return value); true
 * when sent. A failure warns, except a finish that timed out
 * (socket_send_timeout), which the core logs as Swoole does. */
bool swirl_php_finish_value(server_obj *o, zval *v);
/* swirl_server_event_type for a PHP string (a NUL inside: SWIRL_EBADARG). */
int swirl_php_server_event_type(const char *name, size_t len);
/* Apply a PHP array of settings to the server, or to one port (port_only:
 * per-port keys only). False if a key failed (each is warned). */
bool swirl_php_apply_settings(zend_object *obj, zend_class_entry *ce, swirl_server_t *srv,
                              swirl_port_t *port, bool port_only, HashTable *settings);
/* package_length_func (swirl_server_lenfunc.c): `val` (a callable, or
 * null for none) kept in `slot` and set on `port` (NULL: the server,
 * `srv`); refused in PROCESS mode (read from `server`'s mode). False with
 * a warning naming the problem. */
bool swirl_php_set_length_func(zend_object *server, swirl_server_t *srv, swirl_port_t *port,
                               zval *slot, zval *val);
/* The Swoole\Server\Port object of a listener (port NULL: the main one). */
zend_object *swirl_php_add_port(server_obj *o, swirl_port_t *port, const char *host, zend_long num,
                                zend_long type);
/* swirl_server_task.c: Swoole\Server\Task and the event objects. Is `key`
 * one of the binding's own settings (task_use_object, event_object)? */
bool swirl_php_task_setting(const char *key, size_t len);
/* With event_object (or task_use_object for onTask): args[1..n-1] of event
 * `ev` become one object in args[1]; the new count. */
uint32_t swirl_php_event_objects(server_obj *o, const swirl_event_t *ev, zval *args, uint32_t n);
/* Multi-protocol ports (swirl_port.c). The PCB_* index of an event name
 * a port takes (Swoole's spelling, any case, "on" prefix or not), or -1. */
int swirl_php_port_event(const char *name, size_t len);
/* The HTTP or WebSocket callback (HCB_*) for the connections of `port`:
 * the port's own if set, else the server's (UNDEF when neither is). */
zval *swirl_php_port_hcb(server_obj *o, const swirl_port_t *port, int hcb);
/* Before start of an HTTP or WebSocket server: each extra port's callbacks
 * against what it speaks (a plain stream port needs receive, a datagram
 * one packet; a callback the port's protocol never calls is a warning).
 * False after a fatal error's message ("require on... callback", as
 * Swoole) or a warning. */
bool swirl_php_ports_prepare(server_obj *o);
/* Does any extra port have callback `which` (PCB_*)? */
bool swirl_php_ports_have(server_obj *o, int which);

/* The open connections' fds, into an array. */
void swirl_php_all_connections(swirl_server_t *srv, zval *out);

#endif
