/* tests/unit/http/fake_server.h — the fake owner the HTTP layer's unit
 * tests run src/http against (fake_server.c): what it recorded per
 * connection, and the events the test delivers in the real server's place. */
#ifndef SWIRL_TEST_FAKE_SERVER_H
#define SWIRL_TEST_FAKE_SERVER_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <swirl/swirl.h>

enum { FAKE_MAX_FD = 64 }; /* connections are 1..FAKE_MAX_FD-1 */

/* What the HTTP layer did to one connection. */
typedef struct fake_conn {
    swirl_buf_t out;   /* bytes sent (swirl_server_send, sendfile heads and files) */
    bool closed;       /* swirl_server_close asked (or fake_closed) */
    bool reset;        /* ... with reset */
    bool paused;       /* swirl_server_pause without a resume since */
    int drain_watches; /* swirl__server_watch_drain calls */
    int files;         /* files handed over (swirl__server_sendfile_fd) */
    int64_t owed;      /* what swirl__server_owed answers (the test sets it) */
} fake_conn_t;

/* Connection `fd`'s record. */
fake_conn_t *fake_conn(int64_t fd);

/* The events of a worker: it starts; a connection opens; bytes arrive; the
 * connection is gone (onClose); everything owed to it is out (bufferEmpty). */
void fake_worker_start(swirl_server_t *srv);
void fake_connect(swirl_server_t *srv, int64_t fd);
void fake_receive(swirl_server_t *srv, int64_t fd, const void *data, size_t len);
void fake_closed(swirl_server_t *srv, int64_t fd);
void fake_drained(swirl_server_t *srv, int64_t fd);

/* Run the loop's due work (deferred calls, expired timers) without waiting. */
void fake_run(void);

/* Move what was sent to `fd` into out[0..size) (NUL-terminated); the count. */
size_t fake_take(int64_t fd, char *out, size_t size);

#endif
