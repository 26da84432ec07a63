/* src/mysql/internal.h — what the MySQL client's files share: the
 * connection object (conn.c), its operations queue and prepared statements
 * (stmt.c), and the hooks the pool (pool.c) sets on its connections. */
#ifndef SWIRL_MYSQL_INTERNAL_H
#define SWIRL_MYSQL_INTERNAL_H

#include <mysql.h>
#include <swirl/mysql.h>

typedef enum { OP_CONNECT, OP_QUERY, OP_PING, OP_PREPARE, OP_EXECUTE, OP_STMT_CLOSE } op_kind_t;

/* One queued operation. `sql` and the text of `params` live in the same
 * allocation as the op. */
typedef struct swirl__mysql_op {
    struct swirl__mysql_op *next;
    op_kind_t kind;
    int phase;    /* step inside the operation */
    bool started; /* the current step's _start was called (next is _cont) */
    int txn;      /* +1 begin, -1 commit/rollback, 0 */
    char *sql;
    size_t len;
    swirl_mysql_stmt_t *stmt;
    swirl_mysql_param_t *params;
    size_t nparams;
    swirl_mysql_row_cb row;
    swirl_mysql_done_cb done;
    void *user;
} swirl__mysql_op_t;

struct swirl_mysql_stmt {
    swirl_mysql_t *c;
    MYSQL_STMT *st;    /* made when the PREPARE runs */
    uint64_t gen;      /* the connection's generation it was prepared on */
    bool prepared;     /* the server took it */
    bool freed;        /* swirl_mysql_stmt_free was called: a close op is queued */
    unsigned ops;      /* queued operations that point at it */
    struct swirl_mysql_stmt *next; /* the connection's statements */
};

typedef enum { C_DOWN, C_CONNECTING, C_UP } conn_state_t;

struct swirl_mysql {
    swirl_loop_t *loop;
    MYSQL *my; /* NULL while down */
    conn_state_t state;
    uint64_t gen; /* counts connects: statements of an older one are dead */
    /* the configuration, copied */
    char *host, *sock, *user, *password, *database, *charset;
    unsigned port;
    double connect_timeout, query_timeout;
    char where[160]; /* "127.0.0.1:3306" or "unix:/path", for messages */

    int fd;             /* registered with the loop, or -1 */
    int64_t deadline;   /* timer of the running operation's timeout, or 0 */
    int64_t wait_timer; /* timer the connector asked for (MYSQL_WAIT_TIMEOUT), or 0 */
    int64_t kick;       /* 0 ms timer that starts an idle connection's queue, or 0 */
    int wait;           /* what the connector waits for (MYSQL_WAIT_*), 0 if not inside an op */

    swirl__mysql_op_t *head, *tail; /* head runs first */
    size_t nops;
    bool running; /* run() is processing the queue */
    int depth;    /* user callbacks on the stack */
    bool freed;   /* swirl_mysql_free was called inside a callback */
    bool in_txn;

    /* the current result */
    MYSQL_RES *res;
    const char **names;   /* the columns' names, followed by their kinds (one allocation) */
    unsigned char *kinds; /* inside the names' allocation */
    unsigned ncols;
    uint64_t rows;
    MYSQL_RES *meta;   /* a statement's result metadata (the names point into it) */
    MYSQL_BIND *rbind; /* a statement's result buffers */
    char **rbuf;
    unsigned long *rlen;
    my_bool *rnull, *rerr;
    MYSQL_BIND *pbind;

    /* return slots of the connector's _start/_cont calls */
    MYSQL *ret_my;
    int ret_int;
    my_bool ret_bool;
    MYSQL_ROW ret_row;

    swirl_mysql_stmt_t *stmts;
    swirl_mysql_close_cb on_close;
    void *close_user;
    uint64_t idle_since; /* loop time the queue last went empty (the pool's health check) */
    char msg[640];
};

/* stmt.c: the prepared statement steps of run(); each returns the
 * connector's wait status (0: the step finished, its result is handled). */
int swirl__mysql_stmt_step(swirl_mysql_t *c, swirl__mysql_op_t *op, int ready, bool *finished,
                           swirl_mysql_result_t *res);
/* Release a statement's result buffers (after a result, on failure). */
void swirl__mysql_stmt_reset_result(swirl_mysql_t *c);
/* The connection went down: every statement's MYSQL_STMT is released. */
void swirl__mysql_stmts_drop(swirl_mysql_t *c);
/* Free the statement objects themselves (the connection goes). */
void swirl__mysql_stmts_free_all(swirl_mysql_t *c);
/* Fill res from the connector's error on `c` (`what`: the operation). */
void swirl__mysql_fail_res(swirl_mysql_t *c, swirl_mysql_result_t *res, const char *what,
                           unsigned err, const char *state, const char *text);
/* True once this process called mysql_init (common.c). */
extern bool swirl__mysql_library_used;
/* Allocate c->names and c->kinds for n columns from `fields`; -ENOMEM. */
int swirl__mysql_columns(swirl_mysql_t *c, const MYSQL_FIELD *fields, unsigned n);
/* Queue an op (conn.c); on failure the caller still owns it. */
int swirl__mysql_enqueue(swirl_mysql_t *c, swirl__mysql_op_t *op);
/* A new op with room for `extra` bytes after it. NULL on OOM. */
swirl__mysql_op_t *swirl__mysql_op_new(op_kind_t kind, size_t extra);

#endif
