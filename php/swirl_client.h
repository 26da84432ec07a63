/* swirl_client.h — what the two files of Swoole\Client share: the object,
 * the helpers that report into its properties (errCode, errMsg, sock),
 * and the async part (swirl_client_async.c: held clients, the C
 * callbacks) that the methods (swirl_client.c) use. */
#ifndef PHP_SWIRL_CLIENT_H
#define PHP_SWIRL_CLIENT_H

#include "php_swirl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { CB_CONNECT, CB_RECEIVE, CB_ERROR, CB_CLOSE, CB__COUNT };

typedef struct client_obj {
    swirl_client_t *cli; /* NULL until constructed */
    zval cb[CB__COUNT];  /* async callbacks; UNDEF when not set */
    int kind;            /* the swirl_sock_type_t, without flags */
    bool async;
    bool stream;
    bool held;        /* holds a reference on itself (async, connection under way or open) */
    bool established; /* async: the connect callback ran for this connection */
    bool quiet;       /* being dropped: the C callbacks call no PHP */
    pid_t loop_pid;   /* async: the process whose loop the client was connected in */
    unsigned gen;     /* async: counts connect() calls, see release_if_same */
    bool keep;        /* SWOOLE_KEEP */
    zval length_fn;   /* package_length_func; UNDEF when not set */
    zval zsocket;     /* getSocket()'s Socket (UNDEF: none yet) ... */
    unsigned zsocket_of;            /* ... made for this connection (see conns) */
    unsigned conns;                 /* counts successful connect() calls */
    struct client_obj *prev, *next; /* in held_clients while held */
    zend_object std;
} client_obj;

/* Swoole\Client (registered by swirl_client_minit). */
extern zend_class_entry *swirl_php_client_ce;

static inline client_obj *client_from(zend_object *obj) {
    return (client_obj *)((char *)obj - XtOffsetOf(client_obj, std));
}

static inline void update_long(client_obj *o, const char *name, zend_long v) {
    zend_update_property_long(swirl_php_client_ce, &o->std, name, strlen(name), v);
}

/* $sock follows the C client's socket. */
static inline void sync_sock(client_obj *o) {
    update_long(o, "sock", o->cli ? swirl_client_fd(o->cli) : -1);
}

/* Record a failure: errCode (swirl_php_errcode; -ETIMEDOUT shown as EAGAIN when
 * `timeout_is_eagain`) and errMsg. The message of a call that just failed
 * is this thread's last error (every failing swirl call sets it, the C
 * client's own as well); `from_client` takes the C client's record
 * instead, for failures reported later by the loop. Returns the message
 * (a copy in `msg`). */
static inline const char *record_error(client_obj *o, int code, bool timeout_is_eagain,
                                       bool from_client, char *msg, size_t size) {
    const char *m = NULL;
    if (from_client && swirl_client_errcode(o->cli) == code && *swirl_client_errmsg(o->cli))
        m = swirl_client_errmsg(o->cli);
    else
        m = swirl_php_error_msg(code);
    snprintf(msg, size, "%s", m);
    int shown = code == -ETIMEDOUT && timeout_is_eagain ? EAGAIN : swirl_php_errcode(code);
    update_long(o, "errCode", shown);
    zend_update_property_string(swirl_php_client_ce, &o->std, "errMsg", sizeof("errMsg") - 1, msg);
    sync_sock(o);
    return msg;
}

/* Take `o` off the list of held clients (it is on it). */
void swirl_php_client_unlink_held(client_obj *o);
/* Hold a reference on `o` while its connection is under way or open. */
void swirl_php_client_hold(client_obj *o);
/* Let go of the object's own reference; `o` may be freed by this. */
void swirl_php_client_release(client_obj *o);
/* The C callbacks of an async client (`user`: its client_obj). */
void swirl_php_client_on_connect(swirl_client_t *c, void *user);
void swirl_php_client_on_receive(swirl_client_t *c, const char *data, size_t len, void *user);
void swirl_php_client_on_error(swirl_client_t *c, void *user, int status);
void swirl_php_client_on_close(swirl_client_t *c, void *user);

#endif
