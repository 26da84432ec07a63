/* swirl/mysql.h — a MySQL/MariaDB client on the swirl loop (MariaDB
 * Connector/C in its non-blocking mode): connections with a queue of
 * queries, prepared statements, transactions, and a pool of connections.
 *
 * Every operation completes through one `done` callback with a
 * swirl_mysql_result_t; rows of a result come before it, one call of the
 * `row` callback each. A function that returns an error never calls its
 * callbacks. Callbacks may call any function of this header, including
 * swirl_mysql_free on the connection they were called for (not
 * swirl_mysql_pool_free). The connector's library is initialised by the
 * first connection (mysql_library_init, not thread-safe): a program with
 * threads makes its first connection, or calls mysql_library_init, before
 * starting them; swirl_mysql_library_end releases it at exit. */
#ifndef SWIRL_MYSQL_H
#define SWIRL_MYSQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One connection (opaque): swirl_mysql_new / swirl_mysql_free. */
typedef struct swirl_mysql swirl_mysql_t;
/* A prepared statement of one connection (opaque): swirl_mysql_prepare /
 * swirl_mysql_stmt_free; freed with its connection too. */
typedef struct swirl_mysql_stmt swirl_mysql_stmt_t;
/* A pool of connections to one server (opaque): swirl_mysql_pool_new /
 * swirl_mysql_pool_free. */
typedef struct swirl_mysql_pool swirl_mysql_pool_t;

/* Where and how to connect. Strings are copied by swirl_mysql_new /
 * swirl_mysql_pool_new. */
typedef struct {
    const char *host;        /* host name or IP address ("127.0.0.1" by default) */
    unsigned port;           /* 0: 3306 */
    const char *unix_socket; /* a Unix socket path: used instead of host/port when set */
    const char *user;        /* NULL: the connector's default (the login name) */
    const char *password;    /* NULL: none */
    const char *database;    /* NULL: none selected */
    const char *charset;     /* NULL: "utf8mb4" */
    double connect_timeout;  /* seconds for connect + handshake; <= 0: none (default 5) */
    double query_timeout;    /* seconds for each query, prepare, execute, ping; <= 0: none (default 0) */
} swirl_mysql_config_t;

/* Fill `cfg` with the defaults above. */
SWIRL_API void swirl_mysql_config_init(swirl_mysql_config_t *cfg);

/* A value's type: a bound parameter's, a result column's. */
typedef enum {
    SWIRL_MYSQL_NULL,
    SWIRL_MYSQL_INT,
    SWIRL_MYSQL_DOUBLE,
    SWIRL_MYSQL_TEXT,
} swirl_mysql_type_t;

/* How an operation ended, passed to its `done` callback; valid during the
 * call only. `status` is 0, or:
 *   SWIRL_EREMOTE  the server refused it (server_errno, sqlstate, message);
 *   SWIRL_ECLOSED  the connection could not be made or was lost;
 *   -ETIMEDOUT     past connect_timeout / query_timeout (the connection is closed);
 *   -ECANCELED     the connection, statement or pool was freed first;
 *   SWIRL_EPROTO   the connector reported another client error (server_errno 2000..2999);
 *   -ENOMEM        out of memory. */
typedef struct {
    int status;
    unsigned server_errno; /* the server's or connector's error number (1064, 2013), or 0 */
    const char *sqlstate;  /* "42000", or "" */
    const char *message;   /* names the operation, the server and the error; "" on success */
    uint64_t affected_rows;
    uint64_t insert_id;
    unsigned warnings;
    unsigned columns; /* columns of the result (0: a statement without rows) */
    uint64_t rows;    /* rows delivered */
} swirl_mysql_result_t;

/* One row, valid during the `row` call only. values[i] is NULL for SQL
 * NULL; all values are text (the text protocol's form, also for prepared
 * statements), lengths[i] bytes plus a terminating NUL. kinds[i] is the
 * column's natural type (a swirl_mysql_type_t: SWIRL_MYSQL_INT for the
 * integer types and YEAR, SWIRL_MYSQL_DOUBLE for FLOAT and DOUBLE,
 * SWIRL_MYSQL_TEXT for the rest, DECIMAL included), for a caller that
 * converts. */
typedef struct {
    unsigned columns;
    const char *const *names; /* column names (aliases) */
    const char *const *values;
    const unsigned long *lengths;
    const unsigned char *kinds;
} swirl_mysql_row_t;

/* One row of a result (before the operation's done). */
typedef void (*swirl_mysql_row_cb)(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row);
/* The operation ended: called exactly once per queued operation. In a pool
 * request that never got a connection (cancelled, or its connect failed)
 * `c` is NULL. */
typedef void (*swirl_mysql_done_cb)(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res);
/* The connection was lost or closed while no operation was running on it
 * (the server went away, was killed, timed out the session). */
typedef void (*swirl_mysql_close_cb)(swirl_mysql_t *c, void *user);

/* Release the connector's global state (mysql_library_end) if a connection
 * initialised it: at program exit, or when a module that used this client
 * is unloaded, after every connection and pool is freed. */
SWIRL_API void swirl_mysql_library_end(void);

/* ---- one connection -------------------------------------------------------------------- */

/* Make a connection object on `loop` (nothing is sent yet). 0 and *out, or
 * SWIRL_EBADARG / -ENOMEM. */
SWIRL_API int swirl_mysql_new(swirl_mysql_t **out, swirl_loop_t *loop,
                              const swirl_mysql_config_t *cfg);

/* Free the connection: each queued or running operation's `done` gets
 * -ECANCELED once (from inside this call), then nothing more; prepared
 * statements are freed. Safe inside the connection's own callbacks (the
 * memory goes when they return). NULL is a no-op. */
SWIRL_API void swirl_mysql_free(swirl_mysql_t *c);

/* Connect (TCP or Unix socket, authenticate, select the database, set the
 * charset). `done` gets 0 or the error. Returns 0, or SWIRL_ESTATE if the
 * connection is connecting or connected. A connection that failed or was
 * lost may connect again. */
SWIRL_API int swirl_mysql_connect(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);

/* Queue `sql` (len bytes; the text is copied). Operations run one at a time
 * in the order queued; queued before connect is done, they wait for it.
 * Each row of the result goes to `row` (may be NULL), then `done` gets the
 * counts. Returns 0, SWIRL_EBADARG (no done) or SWIRL_ESTATE (not connected
 * and not connecting) or -ENOMEM. */
SWIRL_API int swirl_mysql_query(swirl_mysql_t *c, const char *sql, size_t len,
                                swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user);

/* Transactions: "START TRANSACTION", "COMMIT", "ROLLBACK" as queries.
 * begin is refused with SWIRL_ESTATE inside a transaction, commit and
 * rollback outside one. */
SWIRL_API int swirl_mysql_begin(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);
SWIRL_API int swirl_mysql_commit(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);
SWIRL_API int swirl_mysql_rollback(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);
/* True between a begin that succeeded (or was queued) and its commit/rollback. */
SWIRL_API bool swirl_mysql_in_transaction(const swirl_mysql_t *c);

/* Queue a health check (COM_PING). */
SWIRL_API int swirl_mysql_ping(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user);

/* Called when the connection goes away while idle (see swirl_mysql_close_cb). */
SWIRL_API void swirl_mysql_on_close(swirl_mysql_t *c, swirl_mysql_close_cb cb, void *user);

/* True once connected and until the connection is lost. */
SWIRL_API bool swirl_mysql_connected(const swirl_mysql_t *c);
/* The connection's socket, or -1 (owned by the client: never close it). */
SWIRL_API int swirl_mysql_fd(const swirl_mysql_t *c);
/* The server's id of this session (for KILL), or 0 if not connected. */
SWIRL_API unsigned long swirl_mysql_thread_id(const swirl_mysql_t *c);
/* Operations queued or running. */
SWIRL_API size_t swirl_mysql_pending(const swirl_mysql_t *c);
/* Escape `len` bytes of `from` for a quoted string literal into `to`
 * (room for 2 * len + 1 bytes; NUL-terminated) with the connection's
 * charset. Returns the bytes written (without the NUL). */
SWIRL_API size_t swirl_mysql_escape(swirl_mysql_t *c, char *to, const char *from, size_t len);

/* ---- prepared statements ----------------------------------------------------------------- */

/* One bound parameter; a TEXT value is copied when the execute is queued. */
typedef struct {
    swirl_mysql_type_t type;
    int64_t i;
    double d;
    const char *s;
    size_t len;
} swirl_mysql_param_t;

/* Queue a PREPARE of `sql`: *out is the statement handle at once (usable
 * for queuing executes); `done` says whether the server took it
 * (res->columns: its result columns). Returns 0 or as swirl_mysql_query. */
SWIRL_API int swirl_mysql_prepare(swirl_mysql_t *c, const char *sql, size_t len,
                                  swirl_mysql_stmt_t **out, swirl_mysql_done_cb done, void *user);

/* Queue an execution with `n` parameters (the statement's count, checked
 * when it runs: a mismatch is SWIRL_EBADARG in `done`). Rows and `done` as
 * for a query. */
SWIRL_API int swirl_mysql_execute(swirl_mysql_stmt_t *s, const swirl_mysql_param_t *params,
                                  size_t n, swirl_mysql_row_cb row, swirl_mysql_done_cb done,
                                  void *user);

/* Free the statement (its server side is closed when its turn comes);
 * executions queued for it get -ECANCELED. NULL is a no-op. */
SWIRL_API void swirl_mysql_stmt_free(swirl_mysql_stmt_t *s);

/* ---- a pool of connections --------------------------------------------------------------- */

/* Make a pool of at most `size` connections (1..1024) to one server on
 * `loop`; one per process (a forked child makes its own). 0 and *out, or
 * SWIRL_EBADARG / -ENOMEM. */
SWIRL_API int swirl_mysql_pool_new(swirl_mysql_pool_t **out, swirl_loop_t *loop,
                                   const swirl_mysql_config_t *cfg, unsigned size);

/* A connection idle longer than `ms` is pinged before it is reused (default
 * 30000; 0 pings before every reuse). */
SWIRL_API void swirl_mysql_pool_set_idle_check(swirl_mysql_pool_t *p, uint64_t ms);

/* Run `sql` on a pool connection: an idle one, a new one while fewer than
 * `size` exist, else the first that frees up (requests wait in order). A
 * connection lost on the way gives that request its error once and is
 * replaced for the next. `c` in the callbacks is the connection used.
 * Returns 0, SWIRL_EBADARG or -ENOMEM. */
SWIRL_API int swirl_mysql_pool_query(swirl_mysql_pool_t *p, const char *sql, size_t len,
                                     swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user);

/* Take a connection for the caller alone (a transaction, statements):
 * `done` gets it as `c` with status 0 (or the connect error), until
 * swirl_mysql_pool_release. */
SWIRL_API int swirl_mysql_pool_acquire(swirl_mysql_pool_t *p, swirl_mysql_done_cb done,
                                       void *user);
/* Give back a connection taken with swirl_mysql_pool_acquire. One left
 * inside a transaction, busy or lost is closed instead of reused. */
SWIRL_API void swirl_mysql_pool_release(swirl_mysql_pool_t *p, swirl_mysql_t *c);

/* Connections now open (idle or busy) and requests waiting for one. */
SWIRL_API unsigned swirl_mysql_pool_size(const swirl_mysql_pool_t *p);
SWIRL_API size_t swirl_mysql_pool_waiting(const swirl_mysql_pool_t *p);

/* Free the pool and its connections: every waiting or running request gets
 * -ECANCELED once. Connections still acquired are freed too (their
 * operations cancelled). Not inside one of the pool's callbacks. NULL is a
 * no-op. */
SWIRL_API void swirl_mysql_pool_free(swirl_mysql_pool_t *p);

#ifdef __cplusplus
}
#endif
#endif
