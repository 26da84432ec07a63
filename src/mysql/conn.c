/* src/mysql/conn.c — one MySQL/MariaDB connection on the loop: the
 * connector's non-blocking calls (_start/_cont) driven by the fd's
 * readiness and timers, a queue of operations run one at a time, rows as a
 * callback stream, timeouts, and teardown that cancels what is pending. */
#include "mysql/internal.h"

#include <errno.h>
#include <errmsg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/internal.h"

static void run(swirl_mysql_t *c, int ready);
static void io_cb(swirl_loop_t *loop, int fd, int events, void *user);
static void hard_close(swirl_mysql_t *c);

void swirl_mysql_config_init(swirl_mysql_config_t *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->port = 3306;
    cfg->charset = "utf8mb4";
    cfg->connect_timeout = 5;
}

static int dup_opt(char **dst, const char *s) {
    *dst = NULL;
    if (!s)
        return 0;
    *dst = swirl_strdup(s);
    return *dst ? 0 : -ENOMEM;
}

static void destroy(swirl_mysql_t *c) {
    swirl_free(c->host);
    swirl_free(c->sock);
    swirl_free(c->user);
    swirl_free(c->password);
    swirl_free(c->database);
    swirl_free(c->charset);
    swirl_free(c);
}

int swirl_mysql_new(swirl_mysql_t **out, swirl_loop_t *loop, const swirl_mysql_config_t *cfg) {
    if (!out || !loop || !cfg)
        return swirl__error(SWIRL_EBADARG, "mysql new: missing loop or config");
    if (cfg->port > 65535)
        return swirl__error(SWIRL_EBADPORT, "mysql new: port %u out of range", cfg->port);
    if (!cfg->unix_socket && (!cfg->host || !*cfg->host))
        return swirl__error(SWIRL_EBADADDR, "mysql new: no host and no unix_socket");
    swirl_mysql_t *c = swirl_calloc(1, sizeof(*c));
    if (!c)
        return swirl__error(-ENOMEM, "mysql new:");
    c->loop = loop;
    c->fd = -1;
    c->port = cfg->port ? cfg->port : 3306;
    c->connect_timeout = cfg->connect_timeout;
    c->query_timeout = cfg->query_timeout;
    if (dup_opt(&c->host, cfg->unix_socket ? "localhost" : cfg->host) ||
        dup_opt(&c->sock, cfg->unix_socket) || dup_opt(&c->user, cfg->user) ||
        dup_opt(&c->password, cfg->password) || dup_opt(&c->database, cfg->database) ||
        dup_opt(&c->charset, cfg->charset ? cfg->charset : "utf8mb4")) {
        destroy(c);
        return swirl__error(-ENOMEM, "mysql new:");
    }
    if (cfg->unix_socket)
        snprintf(c->where, sizeof(c->where), "unix:%s", cfg->unix_socket);
    else
        snprintf(c->where, sizeof(c->where), "%s:%u", cfg->host, c->port);
    *out = c;
    return 0;
}

/* ---- results and errors ------------------------------------------------------------------ */

/* Errors after which the session is gone, whatever the connector thinks. */
static bool errno_kills(unsigned e) {
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_SERVER_LOST_EXTENDED ||
           e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR || e == CR_UNKNOWN_HOST ||
           e == 1927 /* ER_CONNECTION_KILLED */ || e == 1053 /* ER_SERVER_SHUTDOWN */ ||
           e == CR_COMMANDS_OUT_OF_SYNC || e == CR_MALFORMED_PACKET;
}

static void fail_my(swirl_mysql_t *c, swirl_mysql_result_t *res, const char *what) {
    swirl__mysql_fail_res(c, res, what, mysql_errno(c->my), mysql_sqlstate(c->my),
                          mysql_error(c->my));
}

static void fail_code(swirl_mysql_t *c, swirl_mysql_result_t *res, int status, const char *what,
                      const char *why) {
    res->status = status;
    res->server_errno = 0;
    res->sqlstate = "";
    snprintf(c->msg, sizeof(c->msg), "mysql %s: %s: %s", c->where, what, why);
    res->message = c->msg;
}

static const char *op_name(const swirl__mysql_op_t *op) {
    switch (op->kind) {
    case OP_CONNECT:
        return "connect";
    case OP_QUERY:
        return "query";
    case OP_PING:
        return "ping";
    case OP_PREPARE:
        return "prepare";
    case OP_EXECUTE:
        return "execute";
    default:
        return "close statement";
    }
}

/* ---- operations -------------------------------------------------------------------------- */

static void op_free(swirl__mysql_op_t *op) {
    if (op->stmt) {
        swirl_mysql_stmt_t *s = op->stmt;
        s->ops--;
        /* a statement freed by its user goes with its close op */
        if (op->kind == OP_STMT_CLOSE) {
            swirl_mysql_t *c = s->c;
            for (swirl_mysql_stmt_t **pp = &c->stmts; *pp; pp = &(*pp)->next)
                if (*pp == s) {
                    *pp = s->next;
                    break;
                }
            if (s->st)
                mysql_stmt_close(s->st); /* detached (connection gone) or already closed */
            swirl_free(s);
        }
    }
    swirl_free(op);
}

static swirl__mysql_op_t *pop(swirl_mysql_t *c) {
    swirl__mysql_op_t *op = c->head;
    if (op) {
        c->head = op->next;
        if (!c->head)
            c->tail = NULL;
        c->nops--;
    }
    return op;
}

/* Call op's done with res, then free op. Returns false if the connection
 * was freed by the callback. */
static bool finish(swirl_mysql_t *c, swirl__mysql_op_t *op, swirl_mysql_result_t *res) {
    if (op->txn > 0 && res->status != 0)
        c->in_txn = false; /* a begin that failed left no transaction */
    c->idle_since = swirl_loop_now(c->loop); /* the pool's health check counts from here */
    if (op->done) {
        c->depth++;
        op->done(c, op->user, res);
        c->depth--;
    }
    op_free(op);
    return !c->freed;
}

/* Fail each op of `list` exactly once (whatever the callbacks do). */
static void fail_list(swirl_mysql_t *c, swirl__mysql_op_t *list, int status, const char *why) {
    while (list) {
        swirl__mysql_op_t *op = list;
        list = op->next;
        swirl_mysql_result_t res = {0};
        fail_code(c, &res, status, op_name(op), why);
        if (op->kind == OP_STMT_CLOSE)
            op_free(op);
        else
            finish(c, op, &res);
    }
}

/* Take the whole queue: ops queued by the callbacks that follow (a new
 * connect) go to a fresh one. */
static swirl__mysql_op_t *take_queue(swirl_mysql_t *c) {
    swirl__mysql_op_t *list = c->head;
    c->head = c->tail = NULL;
    c->nops = 0;
    return list;
}

/* Fail every op queued now, each once. False if the connection was freed. */
static bool fail_queue(swirl_mysql_t *c, int status, const char *why) {
    fail_list(c, take_queue(c), status, why);
    return !c->freed;
}

static void clear_timer(swirl_mysql_t *c, int64_t *id) {
    if (*id > 0)
        swirl_timer_clear(c->loop, *id);
    *id = 0;
}

/* ---- the fd ------------------------------------------------------------------------------ */

/* Watch what the connector waits for on its current socket (a new one after
 * a retry gets registered, close-on-exec). Idle, the fd is watched for
 * reading: a readable idle connection was closed by the server. */
static int watch(swirl_mysql_t *c, int wait) {
    int fd = c->my ? (int)mysql_get_socket(c->my) : -1;
    if (fd != c->fd && c->fd >= 0) {
        swirl_loop_del(c->loop, c->fd);
        c->fd = -1;
    }
    if (fd < 0)
        return 0;
    int ev = 0;
    if (wait & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT))
        ev |= SWIRL_EV_READ;
    if (wait & MYSQL_WAIT_WRITE)
        ev |= SWIRL_EV_WRITE;
    if (!wait)
        ev = SWIRL_EV_READ;
    if (c->fd < 0) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        int rc = swirl_loop_add(c->loop, fd, ev, io_cb, io_cb, c);
        if (rc < 0)
            return rc;
        c->fd = fd;
        return 0;
    }
    int rc = swirl_loop_set(c->loop, fd, ev, io_cb, io_cb);
    if (rc < 0) { /* the number was closed and reused under us: register it afresh */
        swirl_loop_del(c->loop, fd);
        c->fd = -1;
        rc = swirl_loop_add(c->loop, fd, ev, io_cb, io_cb, c);
        if (rc == 0)
            c->fd = fd;
    }
    return rc;
}

static void wait_timer_cb(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_mysql_t *c = user;
    c->wait_timer = 0;
    c->depth++;
    run(c, MYSQL_WAIT_TIMEOUT);
    c->depth--;
    if (c->freed && !c->depth)
        swirl_mysql_free(c);
}

/* The connector returned `wait`: wait for it. False if that failed (the
 * connection is then closed and its ops failed). */
static int await(swirl_mysql_t *c, int wait) {
    c->wait = wait;
    clear_timer(c, &c->wait_timer);
    if (wait & MYSQL_WAIT_TIMEOUT) {
        int64_t id = swirl_timer_after(c->loop, mysql_get_timeout_value_ms(c->my), wait_timer_cb, c);
        if (id < 0)
            return (int)id;
        c->wait_timer = id;
    }
    return watch(c, wait);
}

/* Close the session without waiting on the server: the socket is shut down
 * first, so the connector's last writes (COM_QUIT) and the reads of an
 * unfinished result fail at once instead of blocking. */
static void hard_close(swirl_mysql_t *c) {
    clear_timer(c, &c->deadline);
    clear_timer(c, &c->wait_timer);
    if (c->fd >= 0) {
        swirl_loop_del(c->loop, c->fd);
        c->fd = -1;
    }
    if (c->my) {
        int fd = (int)mysql_get_socket(c->my);
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
        swirl__mysql_stmt_reset_result(c);
        if (c->res)
            mysql_free_result(c->res);
        swirl__mysql_stmts_drop(c);
        mysql_close(c->my);
    }
    c->res = NULL;
    swirl_free(c->names);
    c->names = NULL;
    c->my = NULL;
    c->wait = 0;
    c->state = C_DOWN;
    c->in_txn = false;
}

/* The running op failed with res and took the connection with it: close,
 * tell the op, then fail what was queued behind it. False if freed. */
static bool fail_conn(swirl_mysql_t *c, swirl_mysql_result_t *res) {
    swirl__mysql_op_t *op = pop(c);
    swirl__mysql_op_t *rest = take_queue(c);
    char why[sizeof(c->msg)];
    snprintf(why, sizeof(why), "not run: the connection failed before (%s)", res->message);
    hard_close(c);
    if (op)
        finish(c, op, res);
    fail_list(c, rest, SWIRL_ECLOSED, why);
    return !c->freed;
}

static void kick_cb(swirl_loop_t *loop, int64_t id, void *user);

/* After callbacks run outside run(): start what they queued. */
static void resume(swirl_mysql_t *c) {
    if (c->head && !c->running && !c->wait && !c->kick && !c->freed) {
        int64_t id = swirl_timer_after(c->loop, 0, kick_cb, c);
        if (id > 0)
            c->kick = id;
    }
}

static void deadline_cb(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_mysql_t *c = user;
    c->deadline = 0;
    if (!c->head)
        return;
    swirl_mysql_result_t res = {0};
    double t = c->head->kind == OP_CONNECT ? c->connect_timeout : c->query_timeout;
    char why[64];
    snprintf(why, sizeof(why), "timed out after %g s", t);
    fail_code(c, &res, -ETIMEDOUT, op_name(c->head), why);
    c->depth++;
    c->running = true;
    bool alive = fail_conn(c, &res);
    c->running = false;
    c->depth--;
    if (!alive || c->freed) {
        if (!c->depth)
            swirl_mysql_free(c);
        return;
    }
    watch(c, 0);
    resume(c);
}

static void io_cb(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_mysql_t *c = user;
    if (!c->wait) {
        /* idle and readable: the server closed the session (KILL,
         * wait_timeout, shutdown) */
        hard_close(c);
        if (c->on_close) {
            c->depth++;
            c->on_close(c, c->close_user);
            c->depth--;
            if (c->freed && !c->depth)
                swirl_mysql_free(c);
            else
                resume(c);
        }
        return;
    }
    int ready = 0;
    if (events & (SWIRL_EV_READ | SWIRL_EV_ERROR))
        ready |= MYSQL_WAIT_READ;
    if (events & (SWIRL_EV_WRITE | SWIRL_EV_ERROR))
        ready |= MYSQL_WAIT_WRITE;
    c->depth++;
    run(c, ready);
    c->depth--;
    if (c->freed && !c->depth)
        swirl_mysql_free(c);
}

/* ---- the steps --------------------------------------------------------------------------- */

static int arm_deadline(swirl_mysql_t *c, swirl__mysql_op_t *op) {
    double t = op->kind == OP_CONNECT ? c->connect_timeout : c->query_timeout;
    if (t <= 0 || op->kind == OP_STMT_CLOSE)
        return 0;
    int64_t ms = (int64_t)(t * 1000.0 + 0.5);
    int64_t id = swirl_timer_after(c->loop, ms < 1 ? 1 : ms, deadline_cb, c);
    if (id < 0)
        return (int)id;
    c->deadline = id;
    return 0;
}

static int connect_step(swirl_mysql_t *c, swirl__mysql_op_t *op, int ready, bool *finished,
                        swirl_mysql_result_t *res) {
    int w;
    if (!op->started) {
        op->started = true;
        c->my = mysql_init(NULL);
        swirl__mysql_library_used = true;
        if (!c->my) {
            fail_code(c, res, -ENOMEM, "connect", "out of memory");
            *finished = true;
            return 0;
        }
        c->state = C_CONNECTING;
        c->gen++;
        mysql_options(c->my, MYSQL_OPT_NONBLOCK, 0);
        mysql_options(c->my, MYSQL_SET_CHARSET_NAME, c->charset);
        if (c->sock) {
            unsigned proto = MYSQL_PROTOCOL_SOCKET;
            mysql_options(c->my, MYSQL_OPT_PROTOCOL, &proto);
        } else {
            unsigned proto = MYSQL_PROTOCOL_TCP;
            mysql_options(c->my, MYSQL_OPT_PROTOCOL, &proto);
        }
        w = mysql_real_connect_start(&c->ret_my, c->my, c->host, c->user, c->password,
                                     c->database, c->port, c->sock, 0);
    } else {
        w = mysql_real_connect_cont(&c->ret_my, c->my, ready);
    }
    if (w)
        return w;
    *finished = true;
    if (!c->ret_my) {
        fail_my(c, res, "connect");
        /* the connector's own errors on a refused/unknown peer close nothing
         * more: hard_close (in fail_conn) releases the handle */
        return 0;
    }
    c->state = C_UP;
    return 0;
}

/* Deliver the rows of a text result one by one. */
static int query_step(swirl_mysql_t *c, swirl__mysql_op_t *op, int ready, bool *finished,
                      swirl_mysql_result_t *res) {
    for (;;) {
        int w;
        if (op->phase == 0) { /* send and read the first answer */
            w = op->started ? mysql_real_query_cont(&c->ret_int, c->my, ready)
                            : mysql_real_query_start(&c->ret_int, c->my, op->sql, op->len);
            op->started = true;
            if (w)
                return w;
            if (c->ret_int) {
                fail_my(c, res, op_name(op));
                *finished = true;
                return 0;
            }
            unsigned n = mysql_field_count(c->my);
            if (n == 0) {
                res->affected_rows = mysql_affected_rows(c->my);
                res->insert_id = mysql_insert_id(c->my);
                res->warnings = mysql_warning_count(c->my);
                *finished = true;
                return 0;
            }
            c->res = mysql_use_result(c->my);
            if (!c->res) {
                fail_my(c, res, op_name(op));
                *finished = true;
                return 0;
            }
            if (swirl__mysql_columns(c, mysql_fetch_fields(c->res), mysql_num_fields(c->res))) {
                fail_code(c, res, -ENOMEM, op_name(op), "out of memory");
                *finished = true;
                return 0;
            }
            c->rows = 0;
            op->phase = 1;
            op->started = false;
        }
        /* phase 1: rows */
        w = op->started ? mysql_fetch_row_cont(&c->ret_row, c->res, ready)
                        : mysql_fetch_row_start(&c->ret_row, c->res);
        op->started = true;
        if (w)
            return w;
        op->started = false;
        ready = 0;
        if (!c->ret_row) {
            res->columns = c->ncols;
            res->rows = c->rows;
            if (mysql_errno(c->my))
                fail_my(c, res, op_name(op));
            else
                res->warnings = mysql_warning_count(c->my);
            mysql_free_result(c->res); /* every row was read: no I/O */
            c->res = NULL;
            swirl_free(c->names);
            c->names = NULL;
            *finished = true;
            return 0;
        }
        c->rows++;
        if (op->row) {
            swirl_mysql_row_t row = {c->ncols, c->names, (const char *const *)c->ret_row,
                                     mysql_fetch_lengths(c->res), c->kinds};
            c->depth++;
            op->row(c, op->user, &row);
            c->depth--;
            if (c->freed || c->head != op)
                return -1; /* freed inside the callback: the free cancels the op */
        }
    }
}

static int ping_step(swirl_mysql_t *c, swirl__mysql_op_t *op, int ready, bool *finished,
                     swirl_mysql_result_t *res) {
    int w = op->started ? mysql_ping_cont(&c->ret_int, c->my, ready)
                        : mysql_ping_start(&c->ret_int, c->my);
    op->started = true;
    if (w)
        return w;
    *finished = true;
    if (c->ret_int)
        fail_my(c, res, "ping");
    return 0;
}

/* Run the queue from its head: `ready` is the readiness the connector
 * waited for (0 to start). Returns when the connector waits, the queue is
 * empty, or the connection was freed by a callback. */
static void run(swirl_mysql_t *c, int ready) {
    if (c->running)
        return;
    c->running = true;
    while (c->head && !c->freed) {
        swirl__mysql_op_t *op = c->head;
        swirl_mysql_result_t res = {0};
        bool finished = false;
        int w;
        if (!op->started && op->phase == 0 && !c->deadline && arm_deadline(c, op) < 0) {
            fail_code(c, &res, -ENOMEM, op_name(op), "out of memory for its timer");
            pop(c);
            if (!finish(c, op, &res))
                goto out;
            continue;
        }
        if (op->kind != OP_CONNECT && c->state != C_UP) {
            pop(c);
            clear_timer(c, &c->deadline);
            if (op->kind == OP_STMT_CLOSE) {
                op_free(op);
                continue;
            }
            fail_code(c, &res, SWIRL_ECLOSED, op_name(op), "not connected");
            if (!finish(c, op, &res))
                goto out;
            continue;
        }
        switch (op->kind) {
        case OP_CONNECT:
            w = connect_step(c, op, ready, &finished, &res);
            break;
        case OP_QUERY:
            w = query_step(c, op, ready, &finished, &res);
            break;
        case OP_PING:
            w = ping_step(c, op, ready, &finished, &res);
            break;
        default:
            w = swirl__mysql_stmt_step(c, op, ready, &finished, &res);
            break;
        }
        if (w < 0) /* a row callback freed the connection */
            goto out;
        ready = 0;
        if (!finished) {
            int rc = await(c, w);
            if (rc == 0) {
                c->running = false;
                return;
            }
            fail_code(c, &res, rc, op_name(op), "cannot watch the connection's socket");
            if (!fail_conn(c, &res))
                goto out;
            continue;
        }
        c->wait = 0;
        clear_timer(c, &c->deadline);
        clear_timer(c, &c->wait_timer);
        if (res.status != 0 && (op->kind == OP_CONNECT || errno_kills(res.server_errno) ||
                                res.status == -ENOMEM)) {
            if (!fail_conn(c, &res))
                goto out;
            continue;
        }
        if (res.status == 0 && op->txn)
            c->in_txn = op->txn > 0;
        pop(c);
        if (op->kind == OP_STMT_CLOSE) {
            op_free(op);
            continue;
        }
        if (!finish(c, op, &res))
            goto out;
    }
    if (!c->freed) {
        c->idle_since = swirl_loop_now(c->loop);
        watch(c, 0);
    }
out:
    c->running = false;
}

static void kick_cb(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_mysql_t *c = user;
    c->kick = 0;
    c->depth++;
    if (!c->wait)
        run(c, 0);
    c->depth--;
    if (c->freed && !c->depth)
        swirl_mysql_free(c);
}

int swirl__mysql_enqueue(swirl_mysql_t *c, swirl__mysql_op_t *op) {
    if (!c->head && !c->running && !c->kick) {
        int64_t id = swirl_timer_after(c->loop, 0, kick_cb, c);
        if (id < 0)
            return swirl__error((int)id, "mysql %s: %s:", c->where, op_name(op));
        c->kick = id;
    }
    op->next = NULL;
    if (c->tail)
        c->tail->next = op;
    else
        c->head = op;
    c->tail = op;
    c->nops++;
    return 0;
}

/* ---- public calls ------------------------------------------------------------------------ */

int swirl_mysql_connect(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user) {
    if (!c || c->freed)
        return swirl__error(SWIRL_EBADARG, "mysql connect: no connection");
    if (c->state != C_DOWN || (c->head && c->head->kind == OP_CONNECT))
        return swirl__error(SWIRL_ESTATE, "mysql %s: connect: already %s", c->where,
                            c->state == C_UP ? "connected" : "connecting");
    swirl__mysql_op_t *op = swirl__mysql_op_new(OP_CONNECT, 0);
    if (!op)
        return swirl__error(-ENOMEM, "mysql %s: connect:", c->where);
    op->done = done;
    op->user = user;
    /* connect goes before anything queued while down */
    if (c->head && !c->running && !c->kick) {
        int64_t id = swirl_timer_after(c->loop, 0, kick_cb, c);
        if (id < 0) {
            swirl_free(op);
            return swirl__error((int)id, "mysql %s: connect:", c->where);
        }
        c->kick = id;
    }
    if (c->head) {
        op->next = c->head;
        c->head = op;
        c->nops++;
        return 0;
    }
    int rc = swirl__mysql_enqueue(c, op);
    if (rc < 0)
        swirl_free(op);
    return rc;
}

static bool can_queue(const swirl_mysql_t *c) {
    return c->state != C_DOWN || (c->head && c->head->kind == OP_CONNECT);
}

static int queue_text(swirl_mysql_t *c, op_kind_t kind, const char *sql, size_t len, int txn,
                      swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user,
                      const char *what) {
    if (!c || c->freed || !done || (!sql && len))
        return swirl__error(SWIRL_EBADARG, "mysql %s: missing connection, text or callback", what);
    if (!can_queue(c))
        return swirl__error(SWIRL_ESTATE, "mysql %s: %s: not connected", c->where, what);
    swirl__mysql_op_t *op = swirl__mysql_op_new(kind, len + 1);
    if (!op)
        return swirl__error(-ENOMEM, "mysql %s: %s:", c->where, what);
    op->sql = (char *)(op + 1);
    if (len)
        memcpy(op->sql, sql, len);
    op->len = len;
    op->txn = txn;
    op->row = row;
    op->done = done;
    op->user = user;
    int rc = swirl__mysql_enqueue(c, op);
    if (rc < 0)
        swirl_free(op);
    if (rc == 0 && txn)
        c->in_txn = txn > 0; /* queued: the state the queue is heading for */
    return rc;
}

int swirl_mysql_query(swirl_mysql_t *c, const char *sql, size_t len, swirl_mysql_row_cb row,
                      swirl_mysql_done_cb done, void *user) {
    return queue_text(c, OP_QUERY, sql, len, 0, row, done, user, "query");
}

int swirl_mysql_begin(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user) {
    if (c && c->in_txn)
        return swirl__error(SWIRL_ESTATE, "mysql %s: begin: a transaction is already open",
                            c->where);
    return queue_text(c, OP_QUERY, "START TRANSACTION", 17, 1, NULL, done, user, "begin");
}

int swirl_mysql_commit(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user) {
    if (c && !c->in_txn)
        return swirl__error(SWIRL_ESTATE, "mysql %s: commit: no transaction is open", c->where);
    return queue_text(c, OP_QUERY, "COMMIT", 6, -1, NULL, done, user, "commit");
}

int swirl_mysql_rollback(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user) {
    if (c && !c->in_txn)
        return swirl__error(SWIRL_ESTATE, "mysql %s: rollback: no transaction is open", c->where);
    return queue_text(c, OP_QUERY, "ROLLBACK", 8, -1, NULL, done, user, "rollback");
}

bool swirl_mysql_in_transaction(const swirl_mysql_t *c) { return c && c->in_txn; }

int swirl_mysql_ping(swirl_mysql_t *c, swirl_mysql_done_cb done, void *user) {
    return queue_text(c, OP_PING, NULL, 0, 0, NULL, done, user, "ping");
}

void swirl_mysql_on_close(swirl_mysql_t *c, swirl_mysql_close_cb cb, void *user) {
    c->on_close = cb;
    c->close_user = user;
}

bool swirl_mysql_connected(const swirl_mysql_t *c) { return c && c->state == C_UP; }

int swirl_mysql_fd(const swirl_mysql_t *c) { return c && c->state == C_UP ? c->fd : -1; }

unsigned long swirl_mysql_thread_id(const swirl_mysql_t *c) {
    return c && c->state == C_UP ? mysql_thread_id(c->my) : 0;
}

size_t swirl_mysql_pending(const swirl_mysql_t *c) { return c ? c->nops : 0; }

size_t swirl_mysql_escape(swirl_mysql_t *c, char *to, const char *from, size_t len) {
    if (c && c->my && c->state == C_UP)
        return mysql_real_escape_string(c->my, to, from, (unsigned long)len);
    return mysql_escape_string(to, from, (unsigned long)len);
}

void swirl_mysql_free(swirl_mysql_t *c) {
    if (!c)
        return;
    if (c->depth > 0) { /* inside one of its callbacks: cancel now, free on the way out */
        if (!c->freed) {
            c->freed = true;
            clear_timer(c, &c->kick);
            hard_close(c);
            c->depth++; /* the cancellations' callbacks must not free it */
            fail_queue(c, -ECANCELED, "cancelled: the connection was freed");
            c->depth--;
        }
        return;
    }
    if (!c->freed) {
        c->freed = true;
        clear_timer(c, &c->kick);
        hard_close(c);
        c->depth++;
        fail_queue(c, -ECANCELED, "cancelled: the connection was freed");
        c->depth--;
    }
    swirl__mysql_stmts_free_all(c);
    destroy(c);
}
