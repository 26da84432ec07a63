/* swirl_loop.c — the event loop PHP code of this process uses: the
 * server's loop inside a server's worker (set by the Server code when a
 * worker starts), otherwise the module's own, made when first needed.
 *
 * State: one per-process singleton (`php_loop`). A child made by fork
 * (pcntl_fork or Swoole\Process) must not use its parent's loop, whose
 * epoll set it shares: pthread_atfork releases it there without touching
 * that set (swirl_loop_forget), and the child makes its own when needed. */
#include <pthread.h>

#include "php_swirl.h"

static struct {
    swirl_loop_t *own;     /* the module's loop, or NULL */
    swirl_loop_t *current; /* a loop set from outside (a server worker's), or NULL */
    pthread_once_t once;
} php_loop = {NULL, NULL, PTHREAD_ONCE_INIT};

static void after_fork_in_child(void) {
    if (php_loop.own)
        swirl_loop_forget(php_loop.own);
    php_loop.own = NULL;
    php_loop.current = NULL;
}

static void setup(void) { pthread_atfork(NULL, NULL, after_fork_in_child); }

/* setup() must run after the core's first swirl_loop_new: fork's child
 * handlers run in the order they were registered, and the core's handler
 * releases the lock of its loop list, which swirl_loop_forget takes; ours
 * registered first would wait for it forever in the child. */
swirl_loop_t *swirl_php_loop(void) {
    if (php_loop.current)
        return php_loop.current;
    if (!php_loop.own && swirl_loop_new(&php_loop.own) < 0) {
        swirl_php_warn(swirl_last_error());
        return NULL;
    }
    pthread_once(&php_loop.once, setup);
    return php_loop.own;
}

bool swirl_php_loop_is_external(void) { return php_loop.current != NULL; }

swirl_loop_t *swirl_php_loop_if_any(void) {
    return php_loop.current ? php_loop.current : php_loop.own;
}

void swirl_php_set_loop(swirl_loop_t *loop) {
    pthread_once(&php_loop.once, setup);
    if (loop != swirl_php_loop_if_any())
        swirl_php_event_loop_change(loop);
    php_loop.current = loop;
}

void swirl_php_loop_free(void) {
    if (php_loop.own)
        swirl_loop_free(php_loop.own);
    php_loop.own = NULL;
}
