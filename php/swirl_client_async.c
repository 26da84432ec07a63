/* swirl_client_async.c — the async Swoole\Client (SWOOLE_SOCK_ASYNC):
 * the per-process list of held clients and the C callbacks that call PHP.
 *
 * Async clients (SWOOLE_SOCK_ASYNC) run on swirl_php_loop(): the module's
 * loop, run by swoole_event_wait() or at the end of the script (the Event
 * registry's shutdown function, swirl_event.c), or a server worker's loop.
 * connect() needs the connect, receive, error and close callbacks for a
 * stream client, receive for a datagram one: a fatal error otherwise, as
 * Swoole. While a connection is under way or open the object holds a
 * reference on itself (`held`), so a script may drop its variable and the
 * callbacks still run; the reference goes when the connection ends (the
 * error callback of a failed connect, the close callback of an established
 * one, or close()). When the Event registry is cleared (the loop is left
 * for good: script end, swoole_event_exit(), a server worker stopping, a
 * forked child) every held client is closed without callbacks and let go.
 * The callables are shown to the cycle collector (get_gc).
 *
 * State: one per-process list of held async clients (`held_clients`). */
#include "swirl_client.h"

#include <unistd.h>

/* ---- holding async clients ---------------------------------------------------------------- */

static struct { client_obj *head; } held_clients;

void swirl_php_client_unlink_held(client_obj *o) {
    if (o->prev)
        o->prev->next = o->next;
    else if (held_clients.head == o)
        held_clients.head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
}

void swirl_php_client_hold(client_obj *o) {
    if (o->held)
        return;
    GC_ADDREF(&o->std);
    o->held = true;
    o->prev = NULL;
    o->next = held_clients.head;
    if (held_clients.head)
        held_clients.head->prev = o;
    held_clients.head = o;
}

/* Let go of the object's own reference; `o` may be freed by this. */
void swirl_php_client_release(client_obj *o) {
    if (!o->held)
        return;
    swirl_php_client_unlink_held(o);
    o->held = false;
    OBJ_RELEASE(&o->std);
}

/* Called by swirl_event.c when it clears its registry: the loop is being
 * left for good (`ours`: this process's loop, still alive) or was
 * inherited through fork (not ours: the C client, whose loop belongs to the
 * parent, only closes its socket when freed). Every held client is closed
 * without callbacks and let go. */
void swirl_php_client_drop_all(bool ours) {
    while (held_clients.head) {
        client_obj *o = held_clients.head;
        GC_ADDREF(&o->std); /* alive until we are done with it */
        o->quiet = true;
        if (ours && o->loop_pid == getpid())
            swirl_client_close(o->cli, true); /* -ESTATE when only connecting: closed anyway */
        swirl_php_client_release(o);
        o->quiet = false;
        sync_sock(o);
        OBJ_RELEASE(&o->std);
    }
}

/* ---- the C callbacks of async clients -----------------------------------------------------
 * Each keeps the object alive for its duration (a callback may drop the
 * last variable, close the client or swirl_php_client_release it), calls the PHP callable
 * through the Event module (an exception stops the loop and reaches
 * whoever runs it), and touches `o` no more after its final OBJ_RELEASE. */

static void call_php(client_obj *o, int which, zval *data) {
    if (o->quiet || Z_ISUNDEF(o->cb[which]))
        return;
    zval args[2], cb;
    uint32_t n = 1;
    ZVAL_OBJ_COPY(&args[0], &o->std);
    if (data) {
        ZVAL_COPY_VALUE(&args[1], data);
        n = 2;
    }
    ZVAL_COPY(&cb, &o->cb[which]); /* the callable may replace itself */
    swirl_php_event_call(&cb, n, args);
    zval_ptr_dtor(&cb);
    zval_ptr_dtor(&args[0]);
}

void swirl_php_client_on_connect(swirl_client_t *c, void *user) {
    client_obj *o = user;
    GC_ADDREF(&o->std);
    o->established = true;
    sync_sock(o);
    call_php(o, CB_CONNECT, NULL);
    OBJ_RELEASE(&o->std);
}

void swirl_php_client_on_receive(swirl_client_t *c, const char *data, size_t len, void *user) {
    client_obj *o = user;
    GC_ADDREF(&o->std);
    zval z;
    ZVAL_STRINGL(&z, data, len);
    call_php(o, CB_RECEIVE, &z);
    zval_ptr_dtor(&z);
    OBJ_RELEASE(&o->std);
}

/* A failed connect (nothing follows: the swirl_php_client_hold ends here unless the
 * callback connected again) or a broken connection (the close callback
 * follows and ends the swirl_php_client_hold). */
void swirl_php_client_on_error(swirl_client_t *c, void *user, int status) {
    client_obj *o = user;
    GC_ADDREF(&o->std);
    char msg[600];
    record_error(o, status, false, true, msg, sizeof msg);
    bool failed_connect = !o->established;
    unsigned gen = o->gen;
    call_php(o, CB_ERROR, NULL);
    if (failed_connect && o->gen == gen)
        swirl_php_client_release(o);
    OBJ_RELEASE(&o->std);
}

void swirl_php_client_on_close(swirl_client_t *c, void *user) {
    client_obj *o = user;
    GC_ADDREF(&o->std);
    o->established = false;
    sync_sock(o);
    unsigned gen = o->gen;
    call_php(o, CB_CLOSE, NULL);
    if (o->gen == gen)
        swirl_php_client_release(o);
    OBJ_RELEASE(&o->std);
}
