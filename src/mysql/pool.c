/* src/mysql/pool.c — a pool of connections to one server: requests wait in
 * order for an idle connection (pinged first when it sat idle too long), a
 * new one while under the size, and a lost connection is dropped so the
 * next request gets a fresh one (seed 002 §9.13: pool, async, reconnect). */
#include "mysql/internal.h"

#include <errno.h>
#include <string.h>

#include "core/internal.h"

typedef struct preq {
    struct preq *next;
    bool acquire;
    char *sql;
    size_t len;
    swirl_mysql_row_cb row;
    swirl_mysql_done_cb done;
    void *user;
} preq_t;

typedef struct slot {
    struct slot *next;
    swirl_mysql_pool_t *p;
    swirl_mysql_t *c;
    preq_t *req;   /* the request it serves (or connects/pings for), or NULL */
    bool acquired; /* handed to a caller until swirl_mysql_pool_release */
} slot_t;

struct swirl_mysql_pool {
    swirl_loop_t *loop;
    swirl_mysql_config_t cfg; /* strings are the copies below */
    char *host, *sock, *user, *password, *database, *charset;
    unsigned size, nconn;
    uint64_t idle_check_ms;
    slot_t *slots;
    preq_t *head, *tail;
    size_t nwait;
    bool dispatching, closing;
};

static void dispatch(swirl_mysql_pool_t *p);

static char *dup_or_null(const char *s, bool *oom) {
    if (!s)
        return NULL;
    char *d = swirl_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static void pool_destroy(swirl_mysql_pool_t *p) {
    swirl_free(p->host);
    swirl_free(p->sock);
    swirl_free(p->user);
    swirl_free(p->password);
    swirl_free(p->database);
    swirl_free(p->charset);
    swirl_free(p);
}

int swirl_mysql_pool_new(swirl_mysql_pool_t **out, swirl_loop_t *loop,
                         const swirl_mysql_config_t *cfg, unsigned size) {
    if (!out || !loop || !cfg || size < 1 || size > 1024)
        return swirl__error(SWIRL_EBADARG, "mysql pool: size %u: expected 1..1024", size);
    if (!cfg->unix_socket && (!cfg->host || !*cfg->host))
        return swirl__error(SWIRL_EBADADDR, "mysql pool: no host and no unix_socket");
    swirl_mysql_pool_t *p = swirl_calloc(1, sizeof(*p));
    if (!p)
        return swirl__error(-ENOMEM, "mysql pool:");
    bool oom = false;
    p->loop = loop;
    p->cfg = *cfg;
    p->cfg.host = p->host = dup_or_null(cfg->host, &oom);
    p->cfg.unix_socket = p->sock = dup_or_null(cfg->unix_socket, &oom);
    p->cfg.user = p->user = dup_or_null(cfg->user, &oom);
    p->cfg.password = p->password = dup_or_null(cfg->password, &oom);
    p->cfg.database = p->database = dup_or_null(cfg->database, &oom);
    p->cfg.charset = p->charset = dup_or_null(cfg->charset, &oom);
    if (oom) {
        pool_destroy(p);
        return swirl__error(-ENOMEM, "mysql pool:");
    }
    p->size = size;
    p->idle_check_ms = 30000;
    *out = p;
    return 0;
}

void swirl_mysql_pool_set_idle_check(swirl_mysql_pool_t *p, uint64_t ms) { p->idle_check_ms = ms; }
unsigned swirl_mysql_pool_size(const swirl_mysql_pool_t *p) { return p->nconn; }
size_t swirl_mysql_pool_waiting(const swirl_mysql_pool_t *p) { return p->nwait; }

static void push_front(swirl_mysql_pool_t *p, preq_t *r) {
    r->next = p->head;
    p->head = r;
    if (!p->tail)
        p->tail = r;
    p->nwait++;
}

static preq_t *pop_req(swirl_mysql_pool_t *p) {
    preq_t *r = p->head;
    if (r) {
        p->head = r->next;
        if (!p->head)
            p->tail = NULL;
        p->nwait--;
    }
    return r;
}

/* Drop a slot and free its connection (safe inside the connection's callbacks). */
static void slot_drop(swirl_mysql_pool_t *p, slot_t *s) {
    for (slot_t **pp = &p->slots; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    p->nconn--;
    swirl_mysql_t *c = s->c;
    swirl_free(s);
    swirl_mysql_free(c);
}

static void req_done(preq_t *r, swirl_mysql_t *c, const swirl_mysql_result_t *res) {
    r->done(c, r->user, res);
    swirl_free(r);
}

static void on_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    slot_t *s = user;
    if (s->req && s->req->row)
        s->req->row(c, s->req->user, row);
}

/* A request finished on slot s: answer it, then keep the connection if it
 * is healthy and outside a transaction. */
static void on_query_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    slot_t *s = user;
    swirl_mysql_pool_t *p = s->p;
    preq_t *r = s->req;
    s->req = NULL;
    if (r)
        req_done(r, c, res);
    if (p->closing)
        return;
    if (!swirl_mysql_connected(c) || swirl_mysql_in_transaction(c) || swirl_mysql_pending(c) > 0)
        slot_drop(p, s);
    dispatch(p);
}

static void start_req(slot_t *s) {
    swirl_mysql_pool_t *p = s->p;
    preq_t *r = s->req;
    if (r->acquire) {
        s->req = NULL;
        s->acquired = true;
        swirl_mysql_result_t res = {0};
        res.message = res.sqlstate = "";
        req_done(r, s->c, &res);
        return;
    }
    int rc = swirl_mysql_query(s->c, r->sql, r->len, on_row, on_query_done, s);
    if (rc < 0) { /* the connection went down meanwhile: try another */
        s->req = NULL;
        push_front(p, r);
        slot_drop(p, s);
    }
}

static void on_connect_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    slot_t *s = user;
    swirl_mysql_pool_t *p = s->p;
    if (p->closing) {
        if (s->req) {
            preq_t *r = s->req;
            s->req = NULL;
            req_done(r, c, res);
        }
        return;
    }
    if (res->status != 0) { /* the request that asked for it gets the error */
        preq_t *r = s->req;
        s->req = NULL;
        slot_drop(p, s);
        if (r)
            req_done(r, NULL, res);
        dispatch(p);
        return;
    }
    start_req(s);
    dispatch(p);
}

static void on_ping_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    slot_t *s = user;
    swirl_mysql_pool_t *p = s->p;
    if (p->closing) {
        if (s->req) {
            preq_t *r = s->req;
            s->req = NULL;
            req_done(r, c, res);
        }
        return;
    }
    if (res->status != 0 || !swirl_mysql_connected(c)) {
        /* stale: the request goes back to the front, a new connection follows */
        preq_t *r = s->req;
        s->req = NULL;
        if (r)
            push_front(p, r);
        slot_drop(p, s);
        dispatch(p);
        return;
    }
    start_req(s);
    dispatch(p);
}

/* An idle connection was closed by the server. */
static void on_conn_close(swirl_mysql_t *c, void *user) {
    slot_t *s = user;
    if (!s->acquired && !s->req && !s->p->closing)
        slot_drop(s->p, s);
}

static slot_t *idle_slot(swirl_mysql_pool_t *p) {
    for (slot_t *s = p->slots; s; s = s->next)
        if (!s->req && !s->acquired && swirl_mysql_connected(s->c) && swirl_mysql_pending(s->c) == 0)
            return s;
    return NULL;
}

static void dispatch(swirl_mysql_pool_t *p) {
    if (p->dispatching || p->closing)
        return;
    p->dispatching = true;
    while (p->head) {
        slot_t *s = idle_slot(p);
        if (s) {
            s->req = pop_req(p);
            uint64_t now = swirl_loop_now(p->loop);
            if (now - s->c->idle_since >= p->idle_check_ms) {
                if (swirl_mysql_ping(s->c, on_ping_done, s) < 0) {
                    push_front(p, s->req);
                    s->req = NULL;
                    slot_drop(p, s);
                }
                continue;
            }
            start_req(s);
            continue;
        }
        if (p->nconn >= p->size)
            break;
        s = swirl_calloc(1, sizeof(*s));
        swirl_mysql_t *c = NULL;
        if (!s || swirl_mysql_new(&c, p->loop, &p->cfg) < 0) {
            swirl_free(s);
            break; /* no memory now: the requests wait for a connection to free up */
        }
        s->p = p;
        s->c = c;
        swirl_mysql_on_close(c, on_conn_close, s);
        s->req = pop_req(p);
        s->next = p->slots;
        p->slots = s;
        p->nconn++;
        if (swirl_mysql_connect(c, on_connect_done, s) < 0) {
            push_front(p, s->req);
            s->req = NULL;
            slot_drop(p, s);
            break;
        }
    }
    p->dispatching = false;
}

static int pool_queue(swirl_mysql_pool_t *p, bool acquire, const char *sql, size_t len,
                      swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user) {
    if (!p || p->closing || !done || (!acquire && !sql && len))
        return swirl__error(SWIRL_EBADARG, "mysql pool: missing pool, text or callback");
    preq_t *r = swirl_calloc(1, sizeof(*r) + len + 1);
    if (!r)
        return swirl__error(-ENOMEM, "mysql pool: query:");
    r->acquire = acquire;
    r->sql = (char *)(r + 1);
    if (len)
        memcpy(r->sql, sql, len);
    r->len = len;
    r->row = row;
    r->done = done;
    r->user = user;
    if (p->tail)
        p->tail->next = r;
    else
        p->head = r;
    p->tail = r;
    p->nwait++;
    /* an idle connection starts from its own 0 ms timer, a new one connects
     * from one: nothing is answered from inside this call */
    dispatch(p);
    return 0;
}

int swirl_mysql_pool_query(swirl_mysql_pool_t *p, const char *sql, size_t len,
                           swirl_mysql_row_cb row, swirl_mysql_done_cb done, void *user) {
    return pool_queue(p, false, sql, len, row, done, user);
}

int swirl_mysql_pool_acquire(swirl_mysql_pool_t *p, swirl_mysql_done_cb done, void *user) {
    return pool_queue(p, true, NULL, 0, NULL, done, user);
}

void swirl_mysql_pool_release(swirl_mysql_pool_t *p, swirl_mysql_t *c) {
    if (!p || !c)
        return;
    for (slot_t *s = p->slots; s; s = s->next)
        if (s->c == c && s->acquired) {
            s->acquired = false;
            if (!swirl_mysql_connected(c) || swirl_mysql_in_transaction(c) ||
                swirl_mysql_pending(c) > 0)
                slot_drop(p, s);
            dispatch(p);
            return;
        }
}

void swirl_mysql_pool_free(swirl_mysql_pool_t *p) {
    if (!p)
        return;
    p->closing = true;
    preq_t *r;
    while ((r = pop_req(p)) != NULL) {
        swirl_mysql_result_t res = {0};
        res.status = -ECANCELED;
        res.sqlstate = "";
        res.message = "mysql pool: cancelled: the pool was freed";
        req_done(r, NULL, &res);
    }
    while (p->slots) {
        slot_t *s = p->slots;
        p->slots = s->next;
        /* its running op (query, connect or ping) answers its request with
         * -ECANCELED from inside this free */
        swirl_mysql_free(s->c);
        if (s->req) {
            swirl_mysql_result_t res = {0};
            res.status = -ECANCELED;
            res.sqlstate = "";
            res.message = "mysql pool: cancelled: the pool was freed";
            req_done(s->req, NULL, &res);
        }
        swirl_free(s);
    }
    pool_destroy(p);
}
