/* src/redis/redis.c — the Redis client: hiredis's async context driven by a
 * swirl loop (the adapter: its add/del read/write hooks become the fd's
 * watch in the loop), one timer for command deadlines, one for the connect
 * phase, one for the reconnect back-off.
 *
 * hiredis (0.14) trusts the server: an extra reply, or a pub/sub reply of
 * the wrong shape, trips an assert() or runs a stale callback. Every reply
 * object hiredis builds goes through our wrappers of its reader functions
 * (check_*), which refuse what does not fit what we sent; a refusal is a
 * reader error, and hiredis drops the connection as for any bad reply. */
#include <errno.h>
#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <swirl/core.h>
#include <swirl/redis.h>

#include "core/internal.h"

_Static_assert(SWIRL_REDIS_STRING == REDIS_REPLY_STRING && SWIRL_REDIS_ARRAY == REDIS_REPLY_ARRAY &&
                   SWIRL_REDIS_INTEGER == REDIS_REPLY_INTEGER &&
                   SWIRL_REDIS_NIL == REDIS_REPLY_NIL && SWIRL_REDIS_STATUS == REDIS_REPLY_STATUS &&
                   SWIRL_REDIS_ERROR == REDIS_REPLY_ERROR,
               "swirl's reply types are hiredis's");

#define MAX_ARRAY (64 * 1024 * 1024) /* elements of one array reply: more is refused */

/* One command: sent (in `sent`, in order) or waiting for a connection. */
typedef struct req {
    struct req *prev, *next;
    swirl_redis_reply_cb cb; /* NULL: an internal command (AUTH, SELECT) */
    void *user;
    uint64_t deadline; /* loop ms; 0: none */
    char *cmd;         /* formatted, while queued */
    size_t len;
    int kind; /* internal: 'A' AUTH, 'S' SELECT, 'P' PING (when neither) */
} req_t;

typedef struct {
    req_t *head, *tail;
    size_t n;
} rlist_t;

typedef struct sub {
    struct sub *next;
    bool pattern;
    bool leaving; /* UNSUBSCRIBE sent, its confirmation not seen yet */
    size_t len;
    char name[];
} sub_t;

/* One connection's adapter state (hiredis's ev.data; ac->data is the client). */
typedef struct conn {
    swirl_redis_t *r;
    redisAsyncContext *ac;
    int fd;
    int mask;                                   /* SWIRL_EV_* watched in the loop */
    bool want_write;                            /* a deferred flush is to write (see flush) */
    bool added;                                 /* registered in the loop */
    redisReplyObjectFunctions fn, *orig;        /* the reader's functions: ours, hiredis's */
    size_t expect;                              /* regular replies still to parse */
    int top_kind;                               /* pub/sub reply being parsed: see check_* */
    int fail_code;                              /* what NULL replies mean on this connection */
    req_t *timed_out;                           /* gets -ETIMEDOUT, the rest fail_code */
    char bad[160];                              /* why we refused a reply ("" if we did not) */
} conn_t;

struct swirl_redis {
    swirl_loop_t *loop;
    swirl_redis_options_t opt;
    char *password;
    char *host, *path;
    int port;
    int state;
    bool ever_ready;
    redisAsyncContext *ac;
    rlist_t sent, queue;
    sub_t *subs;
    size_t nsubs;
    size_t handshake; /* AUTH/SELECT replies still awaited */
    int lost_code;    /* why hiredis dropped the connection (set as it cleans up) */
    int64_t cmd_timer, conn_timer, retry_timer;
    uint64_t retry_ms;
    int depth;
    bool freed;
    int in_io;          /* inside io_cb: a deferred call runs before the loop iteration ends */
    bool flush_pending; /* a deferred flush is scheduled (it holds a depth) */
    bool flushing;      /* inside the deferred flush: hiredis's addWrite arms EPOLLOUT */
    uint64_t conn_gen;  /* bumped on every new connection */
    uint64_t flush_gen; /* the connection the pending flush is for */
    swirl_redis_event_cb on_event;
    void *event_user;
    swirl_redis_message_cb on_message;
    void *message_user;
    char where[128]; /* "redis 127.0.0.1:6379" */
    char errmsg[400];
};

static void conn_lost(swirl_redis_t *r, int code);
static void drop(swirl_redis_t *r, int code, req_t *timed_out);
static void arm_cmd_timer(swirl_redis_t *r);
static int start_connect(swirl_redis_t *r);

/* ---- small helpers ------------------------------------------------------------------------ */

static void set_err(swirl_redis_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(swirl_redis_t *r, const char *fmt, ...) {
    char m[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", r->where, m);
}

static int fail(swirl_redis_t *r, int code, const char *what) {
    set_err(r, "%s", what);
    return swirl__error(code, "%s", r->errmsg);
}

static void push(rlist_t *l, req_t *q) {
    q->next = NULL;
    q->prev = l->tail;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
    l->n++;
}

static void unlink_req(rlist_t *l, req_t *q) {
    if (q->prev)
        q->prev->next = q->next;
    else
        l->head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        l->tail = q->prev;
    q->prev = q->next = NULL;
    l->n--;
}

static void req_free(req_t *q) {
    swirl_free(q->cmd);
    swirl_free(q);
}

/* Decimal digits of v. */
static size_t ndigits(size_t v) {
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Write v in decimal at p, `n` (its ndigits) bytes; returns p + n. */
static char *put_dec(char *p, size_t v, size_t n) {
    for (size_t i = n; i > 0; i--) {
        p[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

/* The size of a command in RESP (an array of bulk strings), or 0 if it
 * overflows. */
static size_t resp_size(int argc, const size_t *lens) {
    size_t total = 1 + ndigits((size_t)argc) + 2;
    for (int i = 0; i < argc; i++) {
        size_t one = 1 + ndigits(lens[i]) + 2 + 2;
        if (lens[i] > SIZE_MAX - one || total > SIZE_MAX - one - lens[i])
            return 0;
        total += one + lens[i];
    }
    return total;
}

/* Write the command in RESP at out (resp_size bytes). hiredis's
 * redisFormatCommandArgv writes the same bytes through sprintf and a
 * malloc of its own: this one is cheaper per command and may write into a
 * stack buffer. */
static void resp_write(char *out, int argc, const char *const *argv, const size_t *lens) {
    char *p = out;
    *p++ = '*';
    p = put_dec(p, (size_t)argc, ndigits((size_t)argc));
    *p++ = '\r';
    *p++ = '\n';
    for (int i = 0; i < argc; i++) {
        *p++ = '$';
        p = put_dec(p, lens[i], ndigits(lens[i]));
        *p++ = '\r';
        *p++ = '\n';
        memcpy(p, argv[i], lens[i]);
        p += lens[i];
        *p++ = '\r';
        *p++ = '\n';
    }
}

/* Seconds to whole milliseconds, rounded up (no libm). */
static int64_t ms_of(double s) {
    double ms = s * 1000.0;
    int64_t n = (int64_t)ms;
    return (double)n < ms ? n + 1 : n;
}

static void enter(swirl_redis_t *r) { r->depth++; }

static void destroy(swirl_redis_t *r) {
    while (r->subs) {
        sub_t *s = r->subs;
        r->subs = s->next;
        swirl_free(s);
    }
    swirl_free(r->password);
    swirl_free(r->host);
    swirl_free(r->path);
    swirl_free(r);
}

/* Leave a callback section; returns true if the client is gone now. */
static bool leave(swirl_redis_t *r) {
    if (--r->depth == 0 && r->freed) {
        destroy(r);
        return true;
    }
    return false;
}

static void emit(swirl_redis_t *r, int ev, int status) {
    if (r->on_event && !r->freed)
        r->on_event(r, ev, status, r->event_user);
}

static void complete(swirl_redis_t *r, req_t *q, int status, const redisReply *rep) {
    if (q->cb)
        q->cb(r, status, (const swirl_redis_reply_t *)rep, q->user);
}

/* Fail every queued (unsent) command with `code`. */
static void fail_queue(swirl_redis_t *r, int code) {
    while (r->queue.head) {
        req_t *q = r->queue.head;
        unlink_req(&r->queue, q);
        complete(r, q, code, NULL);
        req_free(q);
    }
}

static void clear_timer(swirl_redis_t *r, int64_t *id) {
    if (*id > 0)
        swirl_timer_clear(r->loop, *id);
    *id = 0;
}

static sub_t *find_sub(swirl_redis_t *r, bool pattern, const char *name, size_t len) {
    for (sub_t *s = r->subs; s; s = s->next)
        if (s->pattern == pattern && s->len == len && memcmp(s->name, name, len) == 0)
            return s;
    return NULL;
}

static void drop_sub(swirl_redis_t *r, sub_t *s) {
    for (sub_t **p = &r->subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            swirl_free(s);
            r->nsubs--;
            return;
        }
}

/* ---- the loop adapter --------------------------------------------------------------------- */

static bool live(const swirl_redis_t *r);

static void io_cb(swirl_loop_t *loop, int fd, int events, void *user, bool write) {
    (void)loop, (void)fd, (void)events;
    conn_t *c = user;
    swirl_redis_t *r = c->r;
    redisAsyncContext *ac = c->ac;
    enter(r);
    r->in_io++;
    if (write) {
        redisAsyncHandleWrite(ac); /* may free c */
    } else {
        redisAsyncHandleRead(ac);
        /* hiredis keeps what it has not parsed yet (one unfinished bulk or
         * line: it parses every whole reply) with no bound of its own */
        if (r->ac == ac && !r->freed &&
            ac->c.reader->len - ac->c.reader->pos > r->opt.max_pending) {
            set_err(r, "a reply element over %zu bytes (max_pending); connection dropped",
                    r->opt.max_pending);
            drop(r, SWIRL_ETOOBIG, NULL);
            conn_lost(r, SWIRL_ETOOBIG);
        }
    }
    r->in_io--;
    leave(r);
}

static void on_readable(swirl_loop_t *l, int fd, int ev, void *u) { io_cb(l, fd, ev, u, false); }
static void on_writable(swirl_loop_t *l, int fd, int ev, void *u) { io_cb(l, fd, ev, u, true); }

static void ev_update(conn_t *c) {
    swirl_loop_t *loop = c->r->loop;
    if (c->mask == 0) {
        if (c->added)
            swirl_loop_del(loop, c->fd);
        c->added = false;
    } else if (!c->added) {
        if (swirl_loop_add(loop, c->fd, c->mask, on_readable, on_writable, c) == 0)
            c->added = true;
    } else {
        swirl_loop_set(loop, c->fd, c->mask, NULL, NULL);
    }
}

static void ev_add_read(void *p) {
    conn_t *c = p;
    int was = c->mask;
    c->mask |= SWIRL_EV_READ;
    if (c->mask != was) /* hiredis asks again on every command and read */
        ev_update(c);
}
static void ev_del_read(void *p) {
    conn_t *c = p;
    int was = c->mask;
    c->mask &= ~SWIRL_EV_READ;
    if (c->mask != was) /* hiredis asks again on every command and read */
        ev_update(c);
}
/* The deferred flush: the commands issued during this loop iteration go
 * out in one write at its end, without arming EPOLLOUT (two epoll_ctl and
 * one more epoll_wait per batch). It holds the client (a depth) until it
 * has run, and writes only to the connection it was scheduled for. It is
 * scheduled only from inside io_cb: the loop runs its deferred calls before
 * the iteration (swirl_loop_run_once) returns, and the loop cannot be freed
 * from inside its callbacks, so it always runs. */
static void on_flush(swirl_loop_t *loop, void *user) {
    (void)loop;
    swirl_redis_t *r = user;
    r->flush_pending = false;
    if (!r->freed && r->conn_gen == r->flush_gen && live(r)) {
        conn_t *c = r->ac->ev.data;
        if (c->want_write) {
            c->want_write = false;
            r->flushing = true;
            redisAsyncHandleWrite(r->ac); /* may free c; an unfinished write arms EPOLLOUT */
            r->flushing = false;
        }
    }
    leave(r); /* the depth taken when scheduled */
}

static void ev_add_write(void *p) {
    conn_t *c = p;
    swirl_redis_t *r = c->r;
    if (c->mask & SWIRL_EV_WRITE)
        return; /* armed already (connecting, or an unfinished write): hiredis writes then */
    if (!r->flushing && r->in_io > 0 && r->ac == c->ac && live(r)) {
        c->want_write = true;
        if (r->flush_pending && r->flush_gen == r->conn_gen)
            return;
        if (!r->flush_pending && swirl_loop_defer(r->loop, on_flush, r) == 0) {
            enter(r);
            r->flush_pending = true;
            r->flush_gen = r->conn_gen;
            return;
        }
        c->want_write = false; /* cannot defer: EPOLLOUT as before */
    }
    int was = c->mask;
    c->mask |= SWIRL_EV_WRITE;
    if (c->mask != was) /* hiredis asks again on every command and read */
        ev_update(c);
}
static void ev_del_write(void *p) {
    conn_t *c = p;
    c->want_write = false;
    int was = c->mask;
    c->mask &= ~SWIRL_EV_WRITE;
    if (c->mask != was) /* hiredis asks again on every command and read */
        ev_update(c);
}
/* hiredis is freeing the context (it closes the fd right after). */
static int lost_code(swirl_redis_t *r, const redisAsyncContext *ac, conn_t *c);
static void ev_cleanup(void *p) {
    conn_t *c = p;
    swirl_redis_t *r = c->r;
    if (r->ac == c->ac) /* hiredis dropped it: say why while we still know */
        r->lost_code = c->fail_code ? c->fail_code : lost_code(r, c->ac, c);
    c->mask = 0;
    ev_update(c);
    swirl_free(c);
}

/* ---- the reply checks (hiredis's reader functions, wrapped) ----------------------------- */

enum { K_NONE, K_MESSAGE, K_PMESSAGE, K_SUB, K_UNSUB };

static bool refuse(conn_t *c, const char *why) {
    if (!c->bad[0])
        snprintf(c->bad, sizeof(c->bad), "%s", why);
    return false;
}

/* A top-level reply (its first object) is starting. */
static bool check_top(conn_t *c, int type, long long elements) {
    c->top_kind = K_NONE;
    if (c->expect > 0) {
        c->expect--;
        return true;
    }
    if (!(c->ac->c.flags & REDIS_SUBSCRIBED)) {
        /* hiredis treats an unasked error reply as the server's goodbye */
        return type == REDIS_REPLY_ERROR ? true : refuse(c, "a reply to no command");
    }
    if (type != REDIS_REPLY_ARRAY || elements < 3 || elements > 4)
        return refuse(c, "a pub/sub reply that is not a message");
    c->top_kind = -1; /* kind not known until element 0 */
    return true;
}

/* Element `idx` of a pub/sub reply. */
static bool check_sub_elem(conn_t *c, int idx, int type, const char *s, size_t len,
                           int elements) {
    if (idx == 0) {
        if (type != REDIS_REPLY_STRING)
            return refuse(c, "a pub/sub reply of the wrong shape");
        int k = K_NONE;
        bool p = len > 0 && (s[0] == 'p' || s[0] == 'P');
        const char *w = s + (p ? 1 : 0);
        size_t wl = len - (p ? 1 : 0);
        if (wl == 7 && strncasecmp(w, "message", 7) == 0)
            k = p ? K_PMESSAGE : K_MESSAGE;
        else if (wl == 9 && strncasecmp(w, "subscribe", 9) == 0)
            k = K_SUB;
        else if (wl == 11 && strncasecmp(w, "unsubscribe", 11) == 0)
            k = K_UNSUB;
        if (k == K_NONE || (k == K_PMESSAGE) != (elements == 4))
            return refuse(c, "a pub/sub reply of an unknown kind");
        c->top_kind = k * 2 + (p ? 1 : 0);
        return true;
    }
    int k = c->top_kind / 2;
    bool p = c->top_kind & 1;
    if (idx == 1) {
        if (type != REDIS_REPLY_STRING || !find_sub(c->r, p, s, len))
            return refuse(c, "a pub/sub reply for a name not subscribed");
        return true;
    }
    if (k == K_SUB || k == K_UNSUB)
        return type == REDIS_REPLY_INTEGER ? true : refuse(c, "a pub/sub count that is no integer");
    return type == REDIS_REPLY_STRING ? true : refuse(c, "a pub/sub payload that is no string");
}

static bool check(const redisReadTask *t, const char *s, size_t len, long long elements) {
    conn_t *c = t->privdata;
    if (t->type == REDIS_REPLY_ARRAY && elements > MAX_ARRAY)
        return refuse(c, "an array reply too long");
    if (!t->parent)
        return check_top(c, t->type, elements);
    if (c->top_kind == K_NONE)
        return true;
    if (t->parent->parent)
        return refuse(c, "a nested array in a pub/sub reply");
    return check_sub_elem(c, t->idx, t->type, s, len, t->parent->elements);
}

static void *w_string(const redisReadTask *t, char *s, size_t len) {
    conn_t *c = t->privdata;
    return check(t, s, len, 0) ? c->orig->createString(t, s, len) : NULL;
}
static void *w_array(const redisReadTask *t, int n) {
    conn_t *c = t->privdata;
    return check(t, NULL, 0, n) ? c->orig->createArray(t, n) : NULL;
}
static void *w_integer(const redisReadTask *t, long long v) {
    conn_t *c = t->privdata;
    return check(t, NULL, 0, 0) ? c->orig->createInteger(t, v) : NULL;
}
static void *w_nil(const redisReadTask *t) {
    conn_t *c = t->privdata;
    return check(t, NULL, 0, 0) ? c->orig->createNil(t) : NULL;
}

/* ---- hiredis callbacks ---------------------------------------------------------------------- */

/* The code and message for a connection hiredis dropped. */
static int lost_code(swirl_redis_t *r, const redisAsyncContext *ac, conn_t *c) {
    if (c && c->bad[0]) {
        set_err(r, "protocol error: the server sent %s", c->bad);
        return SWIRL_EPROTO;
    }
    switch (ac->err) {
    case REDIS_ERR_EOF:
        set_err(r, "connection closed by the server");
        return SWIRL_ECLOSED;
    case REDIS_ERR_PROTOCOL:
        set_err(r, "protocol error: %s", ac->errstr ? ac->errstr : "bad reply");
        return SWIRL_EPROTO;
    case REDIS_ERR_OOM:
        set_err(r, "out of memory reading a reply");
        return -ENOMEM;
    case REDIS_ERR_OTHER:
        set_err(r, "the server closed the connection: %s", ac->errstr ? ac->errstr : "error");
        return SWIRL_ECLOSED;
    default:
        set_err(r, "connection lost: %s", ac->errstr ? ac->errstr : "I/O error");
        return SWIRL_ECLOSED;
    }
}

/* AUTH and SELECT answered: what was queued goes out first, then the event. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata);
static void become_ready(swirl_redis_t *r) {
    clear_timer(r, &r->conn_timer);
    r->state = SWIRL_REDIS_READY;
    r->ever_ready = true;
    r->retry_ms = 0;
    while (r->queue.head && r->ac) {
        req_t *w = r->queue.head;
        unlink_req(&r->queue, w);
        int code = 0;
        if (r->ac->c.flags & REDIS_SUBSCRIBED) {
            set_err(r, "command: only (P)(UN)SUBSCRIBE while subscribed");
            code = SWIRL_ESTATE;
        } else if (redisAsyncFormattedCommand(r->ac, on_reply, w, w->cmd, w->len) != REDIS_OK) {
            set_err(r, "command: the connection is closing");
            code = SWIRL_ECLOSED;
        }
        if (code) {
            complete(r, w, code, NULL);
            req_free(w);
            continue;
        }
        ((conn_t *)r->ac->ev.data)->expect++;
        swirl_free(w->cmd);
        w->cmd = NULL;
        push(&r->sent, w);
    }
    arm_cmd_timer(r);
    if (r->state == SWIRL_REDIS_READY)
        emit(r, SWIRL_REDIS_EV_CONNECT, 0);
}

/* Regular replies, and NULL for each pending one when the context goes. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    swirl_redis_t *r = ac->data;
    conn_t *c = ac->ev.data;
    req_t *q = privdata;
    if (!q)
        return;
    if (!reply) {
        if (c->fail_code == 0)
            c->fail_code = lost_code(r, ac, c);
        int code = q == c->timed_out ? -ETIMEDOUT : c->fail_code;
        unlink_req(&r->sent, q);
        if (q->kind)
            r->handshake--;
        complete(r, q, code, NULL);
        req_free(q);
        return;
    }
    if (q != r->sent.head)
        return; /* cannot happen: replies come in order (see check_top) */
    unlink_req(&r->sent, q);
    redisReply *rep = reply;
    if (q->kind) {
        r->handshake--;
        if (rep->type == REDIS_REPLY_ERROR && q->kind != 'P' && r->state == SWIRL_REDIS_CONNECTING) {
            int code = q->kind == 'A' ? -EACCES : -EINVAL;
            set_err(r, "%s refused: %.*s", q->kind == 'A' ? "AUTH" : "SELECT", (int)rep->len,
                    rep->str);
            req_free(q);
            char keep[sizeof(r->errmsg)];
            memcpy(keep, r->errmsg, sizeof(keep));
            redisAsyncContext *old = r->ac;
            r->ac = NULL;
            ((conn_t *)old->ev.data)->fail_code = code;
            redisAsyncFree(old); /* in a callback: done when it returns */
            memcpy(r->errmsg, keep, sizeof(keep));
            r->opt.reconnect = false; /* a wrong password does not get better */
            conn_lost(r, code);
            return;
        }
        req_free(q);
        if (r->handshake == 0 && r->state == SWIRL_REDIS_CONNECTING)
            become_ready(r);
        return;
    }
    complete(r, q, 0, rep);
    req_free(q);
    if (!r->sent.head && !r->queue.head)
        clear_timer(r, &r->cmd_timer);
}

/* Pub/sub replies (already checked to be well formed and ours). */
static void on_sub(redisAsyncContext *ac, void *reply, void *privdata) {
    (void)privdata;
    swirl_redis_t *r = ac->data;
    redisReply *rep = reply;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 3)
        return;
    const redisReply *k = rep->element[0], *n = rep->element[1];
    bool p = k->len > 0 && (k->str[0] == 'p' || k->str[0] == 'P');
    if (strcasecmp(k->str + (p ? 1 : 0), "unsubscribe") == 0) {
        /* ours or the server's own doing: hiredis forgets the name here, so
         * do we (a later message for it is then refused, never run through a
         * stale hiredis callback) */
        sub_t *s = find_sub(r, p, n->str, n->len);
        if (s)
            drop_sub(r, s);
    }
    if (r->on_message && !r->freed)
        r->on_message(r, (const swirl_redis_reply_t *)rep, r->message_user);
}

/* Send one (P)SUBSCRIBE or (P)UNSUBSCRIBE for one name. */
static int send_sub(swirl_redis_t *r, bool pattern, bool on, const char *name, size_t len) {
    const char *argv[2] = {on ? (pattern ? "PSUBSCRIBE" : "SUBSCRIBE")
                              : (pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE"),
                           name};
    size_t lens[2] = {strlen(argv[0]), len};
    return redisAsyncCommandArgv(r->ac, on_sub, NULL, 2, argv, lens) == REDIS_OK ? 0 : -ENOMEM;
}

static int send_internal(swirl_redis_t *r, int kind, int argc, const char **argv,
                         const size_t *lens) {
    req_t *q = swirl_calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->kind = kind;
    if (redisAsyncCommandArgv(r->ac, on_reply, q, argc, argv, lens) != REDIS_OK) {
        swirl_free(q);
        return -ENOMEM;
    }
    ((conn_t *)r->ac->ev.data)->expect++;
    push(&r->sent, q);
    r->handshake++;
    return 0;
}

static void drop(swirl_redis_t *r, int code, req_t *timed_out);
static void on_drop_later(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    swirl_redis_t *r = user;
    r->retry_timer = 0;
    enter(r);
    if (r->ac) {
        drop(r, -ENOMEM, NULL);
        conn_lost(r, -ENOMEM);
    }
    leave(r);
}

static void on_connect(const redisAsyncContext *cac, int status) {
    swirl_redis_t *r = cac->data;
    redisAsyncContext *ac = (redisAsyncContext *)cac;
    if (r->ac != ac)
        return;
    if (status != REDIS_OK) {
        int e = errno;
        set_err(r, "connect: %s", ac->errstr ? ac->errstr : strerror(e));
        r->ac = NULL; /* hiredis frees it when we return */
        conn_lost(r, e > 0 ? -e : SWIRL_ECLOSED);
        return;
    }
    /* AUTH, SELECT, the subscriptions; ready when the first two answered */
    int rc = 0;
    if (r->password) {
        const char *argv[2] = {"AUTH", r->password};
        size_t lens[2] = {4, r->opt.password_len};
        rc = send_internal(r, 'A', 2, argv, lens);
    }
    if (rc == 0 && r->opt.database >= 0) {
        char db[16];
        snprintf(db, sizeof(db), "%d", r->opt.database);
        const char *argv[2] = {"SELECT", db};
        size_t lens[2] = {6, strlen(db)};
        rc = send_internal(r, 'S', 2, argv, lens);
    }
    /* Neither: a PING. Ready comes from a reply callback, never from this
     * one: hiredis goes on using the context after onConnect returns, so
     * nothing here may free it (a user's close in the connect event would).
     * Before the subscriptions: hiredis takes a reply once subscribed as
     * pub/sub. */
    if (rc == 0 && r->handshake == 0) {
        const char *argv[1] = {"PING"};
        size_t lens[1] = {4};
        rc = send_internal(r, 'P', 1, argv, lens);
    }
    for (sub_t *s = r->subs; rc == 0 && s; s = s->next)
        rc = send_sub(r, s->pattern, true, s->name, s->len);
    if (rc < 0) {
        /* dropped from a 0 ms timer: not from inside onConnect (see above) */
        set_err(r, "out of memory sending the handshake");
        ((conn_t *)ac->ev.data)->fail_code = -ENOMEM;
        int64_t id = swirl_timer_after(r->loop, 0, on_drop_later, r);
        if (id > 0)
            r->retry_timer = id;
    }
}

static void on_disconnect(const redisAsyncContext *cac, int status) {
    (void)status;
    swirl_redis_t *r = cac->data;
    if (r->ac != cac)
        return; /* we dropped it ourselves and have dealt with it */
    int code = r->lost_code ? r->lost_code : SWIRL_ECLOSED;
    r->lost_code = 0;
    r->ac = NULL;
    conn_lost(r, code);
}

/* ---- connection life ------------------------------------------------------------------------ */

/* Drop the current connection ourselves: pending commands get `code`
 * (`timed_out` gets -ETIMEDOUT). */
static void drop(swirl_redis_t *r, int code, req_t *timed_out) {
    redisAsyncContext *ac = r->ac;
    if (!ac)
        return;
    conn_t *c = ac->ev.data;
    c->fail_code = code;
    c->timed_out = timed_out;
    r->ac = NULL;
    char keep[sizeof(r->errmsg)];
    memcpy(keep, r->errmsg, sizeof(keep));
    redisAsyncFree(ac); /* runs the NULL replies now, or when hiredis's callback returns */
    memcpy(r->errmsg, keep, sizeof(keep));
}

static void on_retry(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    swirl_redis_t *r = user;
    r->retry_timer = 0;
    enter(r);
    if (r->state == SWIRL_REDIS_RECONNECTING)
        start_connect(r);
    leave(r);
}

/* The connection is gone (r->ac already NULL). */
static void conn_lost(swirl_redis_t *r, int code) {
    clear_timer(r, &r->conn_timer);
    for (sub_t *s = r->subs, *n; s; s = n) {
        n = s->next;
        if (s->leaving)
            drop_sub(r, s);
    }
    if (r->state == SWIRL_REDIS_CLOSED)
        return;
    if (!r->ever_ready) {
        r->state = SWIRL_REDIS_CLOSED;
        fail_queue(r, code);
        clear_timer(r, &r->cmd_timer);
        emit(r, SWIRL_REDIS_EV_CONNECT, code);
        return;
    }
    if (!r->opt.reconnect) {
        r->state = SWIRL_REDIS_CLOSED;
        fail_queue(r, code);
        clear_timer(r, &r->cmd_timer);
        emit(r, SWIRL_REDIS_EV_CLOSE, code);
        return;
    }
    r->state = SWIRL_REDIS_RECONNECTING;
    uint64_t lo = (uint64_t)(r->opt.reconnect_min * 1000.0);
    uint64_t hi = (uint64_t)(r->opt.reconnect_max * 1000.0);
    r->retry_ms = r->retry_ms == 0 ? lo : r->retry_ms * 2;
    if (r->retry_ms > hi)
        r->retry_ms = hi;
    int64_t id = swirl_timer_after(r->loop, (int64_t)r->retry_ms, on_retry, r);
    r->retry_timer = id > 0 ? id : 0;
    emit(r, SWIRL_REDIS_EV_DISCONNECT, code);
}

static void on_conn_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    swirl_redis_t *r = user;
    r->conn_timer = 0;
    enter(r);
    set_err(r, "connect timed out after %.3g s", r->opt.connect_timeout);
    drop(r, -ETIMEDOUT, NULL);
    conn_lost(r, -ETIMEDOUT);
    leave(r);
}

static int start_connect(swirl_redis_t *r) {
    redisAsyncContext *ac =
        r->path ? redisAsyncConnectUnix(r->path) : redisAsyncConnect(r->host, r->port);
    r->state = SWIRL_REDIS_CONNECTING;
    conn_t *c = ac ? swirl_calloc(1, sizeof(*c)) : NULL;
    if (!ac || !c || ac->err) {
        int code = !ac || !c ? -ENOMEM : SWIRL_ECLOSED;
        if (ac && ac->err && errno > 0)
            code = -errno;
        set_err(r, "connect: %s", ac && ac->err ? ac->errstr : "out of memory");
        swirl_free(c);
        if (ac)
            redisAsyncFree(ac);
        conn_lost(r, code);
        return code;
    }
    int fl = fcntl(ac->c.fd, F_GETFD);
    if (fl >= 0)
        fcntl(ac->c.fd, F_SETFD, fl | FD_CLOEXEC);
    c->r = r;
    c->ac = ac;
    c->fd = ac->c.fd;
    r->conn_gen++;
    c->orig = ac->c.reader->fn;
    c->fn = *c->orig;
    c->fn.createString = w_string;
    c->fn.createArray = w_array;
    c->fn.createInteger = w_integer;
    c->fn.createNil = w_nil;
    ac->c.reader->fn = &c->fn;
    ac->c.reader->privdata = c;
    ac->data = r;
    ac->ev.data = c;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    r->ac = ac;
    ev_add_write(c); /* the connect completes on the first writable event */
    if (!c->added) {
        set_err(r, "connect: cannot watch the socket");
        drop(r, -ENOMEM, NULL);
        conn_lost(r, -ENOMEM);
        return -ENOMEM;
    }
    if (r->opt.connect_timeout > 0) {
        int64_t id = swirl_timer_after(r->loop, ms_of(r->opt.connect_timeout),
                                       on_conn_timeout, r);
        r->conn_timer = id > 0 ? id : 0;
    }
    return 0;
}

/* The first connect runs from a 0 ms timer: its failure is never reported
 * from inside swirl_redis_connect. */
static void on_first(swirl_loop_t *loop, int64_t id, void *user) {
    (void)loop, (void)id;
    swirl_redis_t *r = user;
    r->retry_timer = 0;
    enter(r);
    if (r->state == SWIRL_REDIS_CONNECTING)
        start_connect(r);
    leave(r);
}

/* ---- command deadlines ------------------------------------------------------------------------ */

static void on_cmd_timeout(swirl_loop_t *loop, int64_t id, void *user);

static void arm_cmd_timer(swirl_redis_t *r) {
    if (r->opt.command_timeout <= 0 || r->cmd_timer > 0)
        return;
    uint64_t due = 0;
    if (r->sent.head && r->sent.head->deadline)
        due = r->sent.head->deadline;
    if (r->queue.head && r->queue.head->deadline && (!due || r->queue.head->deadline < due))
        due = r->queue.head->deadline;
    if (!due)
        return;
    uint64_t now = swirl_loop_now(r->loop);
    int64_t id = swirl_timer_after(r->loop, due > now ? (int64_t)(due - now) : 0, on_cmd_timeout, r);
    r->cmd_timer = id > 0 ? id : 0;
}

static void on_cmd_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    (void)id;
    swirl_redis_t *r = user;
    r->cmd_timer = 0;
    enter(r);
    uint64_t now = swirl_loop_now(loop);
    /* queued ones time out alone: nothing was sent */
    while (r->queue.head && r->queue.head->deadline && r->queue.head->deadline <= now &&
           !r->freed) {
        req_t *q = r->queue.head;
        unlink_req(&r->queue, q);
        set_err(r, "command timed out after %.3g s (not connected)", r->opt.command_timeout);
        complete(r, q, -ETIMEDOUT, NULL);
        req_free(q);
    }
    req_t *h = r->sent.head;
    if (h && h->deadline && h->deadline <= now && r->ac && !r->freed) {
        set_err(r, "command timed out after %.3g s; connection dropped", r->opt.command_timeout);
        drop(r, SWIRL_ECLOSED, h);
        conn_lost(r, -ETIMEDOUT);
    }
    if (!r->freed)
        arm_cmd_timer(r);
    leave(r);
}

/* ---- public API ------------------------------------------------------------------------------- */

void swirl_redis_options_init(swirl_redis_options_t *o) {
    memset(o, 0, sizeof(*o));
    o->connect_timeout = 3;
    o->database = -1;
    o->reconnect = true;
    o->reconnect_min = 0.1;
    o->reconnect_max = 5;
    o->queue_max = 1024;
    o->max_pending = 512u << 20;
}

int swirl_redis_new(swirl_redis_t **out, swirl_loop_t *loop, const swirl_redis_options_t *opt) {
    if (!out || !loop)
        return swirl__error(SWIRL_EBADARG, "redis: NULL %s", !out ? "out" : "loop");
    swirl_redis_options_t o;
    if (opt)
        o = *opt;
    else
        swirl_redis_options_init(&o);
    if (o.reconnect_min <= 0 || o.reconnect_max < o.reconnect_min || o.connect_timeout != o.connect_timeout ||
        o.command_timeout != o.command_timeout || o.reconnect_max > 86400 || o.connect_timeout > 86400 ||
        o.command_timeout > 86400)
        return swirl__error(SWIRL_EBADARG,
                            "redis: bad options (reconnect_min %g, reconnect_max %g, timeouts %g/%g)",
                            o.reconnect_min, o.reconnect_max, o.connect_timeout, o.command_timeout);
    if (o.database < -1)
        return swirl__error(SWIRL_EBADARG, "redis: database %d: expected 0 or more", o.database);
    swirl_redis_t *r = swirl_calloc(1, sizeof(*r));
    if (!r)
        return swirl__error(-ENOMEM, "redis: out of memory");
    r->loop = loop;
    if (o.max_pending == 0)
        o.max_pending = 512u << 20;
    r->opt = o;
    if (o.password) {
        r->password = swirl_malloc(o.password_len + 1);
        if (!r->password) {
            swirl_free(r);
            return swirl__error(-ENOMEM, "redis: out of memory");
        }
        memcpy(r->password, o.password, o.password_len);
        r->password[o.password_len] = 0;
    }
    r->opt.password = NULL;
    snprintf(r->where, sizeof(r->where), "redis");
    *out = r;
    return 0;
}

void swirl_redis_set_event_cb(swirl_redis_t *r, swirl_redis_event_cb cb, void *user) {
    r->on_event = cb;
    r->event_user = user;
}

void swirl_redis_set_message_cb(swirl_redis_t *r, swirl_redis_message_cb cb, void *user) {
    r->on_message = cb;
    r->message_user = user;
}

static int connect_common(swirl_redis_t *r) {
    r->state = SWIRL_REDIS_CONNECTING;
    int64_t id = swirl_timer_after(r->loop, 0, on_first, r);
    if (id < 0) {
        r->state = SWIRL_REDIS_IDLE;
        return fail(r, (int)id, "connect: cannot start a timer");
    }
    r->retry_timer = id;
    return 0;
}

int swirl_redis_connect(swirl_redis_t *r, const char *host, int port) {
    if (!r)
        return swirl__error(SWIRL_EBADARG, "redis connect: NULL client");
    if (r->state != SWIRL_REDIS_IDLE)
        return fail(r, SWIRL_ESTATE, "connect: the client is not idle");
    if (!host || !*host || strlen(host) > 255 || strpbrk(host, " \t\r\n/"))
        return swirl__error(SWIRL_EBADADDR, "redis connect: bad host \"%s\"", host ? host : "");
    if (port <= 0 || port > 65535)
        return swirl__error(SWIRL_EBADPORT, "redis connect %s: port %d out of range", host, port);
    r->host = swirl_strdup(host);
    if (!r->host)
        return swirl__error(-ENOMEM, "redis: out of memory");
    r->port = port;
    snprintf(r->where, sizeof(r->where), "redis %s:%d", host, port);
    return connect_common(r);
}

int swirl_redis_connect_unix(swirl_redis_t *r, const char *path) {
    if (!r)
        return swirl__error(SWIRL_EBADARG, "redis connect: NULL client");
    if (r->state != SWIRL_REDIS_IDLE)
        return fail(r, SWIRL_ESTATE, "connect: the client is not idle");
    if (!path || !*path || strlen(path) >= 108)
        return swirl__error(SWIRL_EBADADDR, "redis connect: bad socket path \"%s\"",
                            path ? path : "");
    r->path = swirl_strdup(path);
    if (!r->path)
        return swirl__error(-ENOMEM, "redis: out of memory");
    snprintf(r->where, sizeof(r->where), "redis unix:%s", path);
    return connect_common(r);
}

/* A connection that takes commands: connected, and not being torn down by
 * hiredis (a command issued from a callback of its teardown waits for the
 * next connection instead). */
static bool live(const swirl_redis_t *r) {
    return r->ac && (r->ac->c.flags & REDIS_CONNECTED) &&
           !(r->ac->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING));
}

static bool is_word(const char *a, size_t alen, const char *w) {
    return alen == strlen(w) && strncasecmp(a, w, alen) == 0;
}

int swirl_redis_command(swirl_redis_t *r, int argc, const char *const *argv, const size_t *lens,
                        swirl_redis_reply_cb cb, void *user) {
    if (!r || argc < 1 || !argv || !argv[0])
        return swirl__error(SWIRL_EBADARG, "redis command: no command");
    size_t l0 = lens ? lens[0] : strlen(argv[0]);
    for (int i = 0; i < argc; i++)
        if (!argv[i])
            return fail(r, SWIRL_EBADARG, "command: a NULL argument");
    bool unsub = is_word(argv[0], l0, "unsubscribe") || is_word(argv[0], l0, "punsubscribe");
    bool sub = is_word(argv[0], l0, "subscribe") || is_word(argv[0], l0, "psubscribe");
    if (sub || unsub) {
        if (cb)
            return fail(r, SWIRL_EBADARG, "command: (un)subscribe replies go to the message callback");
        bool p = argv[0][0] == 'p' || argv[0][0] == 'P';
        if (unsub && argc == 1)
            return swirl_redis_unsubscribe(r, p, NULL, 0);
        if (sub && argc == 1)
            return fail(r, SWIRL_EBADARG, "command: subscribe to what?");
        for (int i = 1; i < argc; i++) {
            size_t li = lens ? lens[i] : strlen(argv[i]);
            int rc = sub ? swirl_redis_subscribe(r, p, argv[i], li)
                         : swirl_redis_unsubscribe(r, p, argv[i], li);
            if (rc < 0 && !(unsub && rc == -ENOENT))
                return rc;
        }
        return 0;
    }
    if (!cb)
        return fail(r, SWIRL_EBADARG, "command: no callback");
    if (is_word(argv[0], l0, "monitor"))
        return fail(r, SWIRL_ENOTSUP, "command: MONITOR is not supported");
    if (r->state == SWIRL_REDIS_CLOSED || r->state == SWIRL_REDIS_IDLE || r->freed)
        return fail(r, SWIRL_ESTATE,
                    r->state == SWIRL_REDIS_IDLE ? "command: not connected" : "command: closed");
    if (r->nsubs > 0 || (r->ac && (r->ac->c.flags & REDIS_SUBSCRIBED)))
        return fail(r, SWIRL_ESTATE, "command: only (P)(UN)SUBSCRIBE while subscribed");
    bool now = r->state == SWIRL_REDIS_READY && live(r);
    if (!now && r->queue.n >= r->opt.queue_max)
        return fail(r, SWIRL_EQUEUEFULL, "command: not connected, and the queue is full");
    req_t *q = swirl_calloc(1, sizeof(*q));
    if (!q)
        return fail(r, -ENOMEM, "command: out of memory");
    /* hiredis's formatter takes non-const pointers */
    size_t stack_lens[16];
    size_t *lv = stack_lens;
    if (!lens) {
        if (argc > 16 && !(lv = swirl_calloc((size_t)argc, sizeof(size_t)))) {
            swirl_free(q);
            return fail(r, -ENOMEM, "command: out of memory");
        }
        for (int i = 0; i < argc; i++)
            lv[i] = strlen(argv[i]);
    }
    /* sent now and small: formatted on the stack (hiredis copies it) */
    char small[512];
    size_t n = resp_size(argc, lens ? lens : lv);
    char *cmd = now && n > 0 && n <= sizeof(small) ? small : n > 0 ? swirl_malloc(n) : NULL;
    if (cmd)
        resp_write(cmd, argc, argv, lens ? lens : lv);
    if (lv != stack_lens)
        swirl_free(lv);
    if (!cmd) {
        swirl_free(q);
        return fail(r, -ENOMEM, n ? "command: out of memory" : "command: too long");
    }
    q->cb = cb;
    q->user = user;
    q->cmd = cmd == small ? NULL : cmd;
    q->len = n;
    if (r->opt.command_timeout > 0)
        q->deadline = swirl_loop_now(r->loop) + (uint64_t)ms_of(r->opt.command_timeout);
    if (now) {
        if (redisAsyncFormattedCommand(r->ac, on_reply, q, cmd, q->len) != REDIS_OK) {
            req_free(q);
            return fail(r, SWIRL_ECLOSED, "command: the connection is closing");
        }
        ((conn_t *)r->ac->ev.data)->expect++;
        swirl_free(q->cmd);
        q->cmd = NULL;
        push(&r->sent, q);
    } else {
        push(&r->queue, q);
    }
    arm_cmd_timer(r);
    return 0;
}

int swirl_redis_subscribe(swirl_redis_t *r, bool pattern, const char *name, size_t len) {
    if (!r || !name || len == 0)
        return swirl__error(SWIRL_EBADARG, "redis subscribe: no name");
    if (!r->on_message)
        return fail(r, SWIRL_EBADARG, "subscribe: no message callback");
    if (r->state == SWIRL_REDIS_CLOSED || r->freed)
        return fail(r, SWIRL_ESTATE, "subscribe: closed");
    sub_t *s = find_sub(r, pattern, name, len);
    if (s)
        return s->leaving ? fail(r, -EBUSY, "subscribe: its unsubscribe is under way") : 0;
    s = swirl_malloc(sizeof(*s) + len + 1);
    if (!s)
        return fail(r, -ENOMEM, "subscribe: out of memory");
    s->pattern = pattern;
    s->leaving = false;
    s->len = len;
    memcpy(s->name, name, len);
    s->name[len] = 0;
    if (live(r)) {
        /* connected: hiredis registers the name as it sends it; otherwise
         * the handshake sends every subscription */
        if (send_sub(r, pattern, true, name, len) < 0) {
            swirl_free(s);
            return fail(r, -ENOMEM, "subscribe: out of memory");
        }
    }
    s->next = r->subs;
    r->subs = s;
    r->nsubs++;
    return 0;
}

int swirl_redis_unsubscribe(swirl_redis_t *r, bool pattern, const char *name, size_t len) {
    if (!r)
        return swirl__error(SWIRL_EBADARG, "redis unsubscribe: NULL client");
    if (r->state == SWIRL_REDIS_CLOSED || r->freed)
        return fail(r, SWIRL_ESTATE, "unsubscribe: closed");
    bool found = false;
    for (sub_t *s = r->subs, *n; s; s = n) {
        n = s->next;
        if (s->pattern != pattern || s->leaving)
            continue;
        if (name && (s->len != len || memcmp(s->name, name, len) != 0))
            continue;
        found = true;
        if (live(r) && send_sub(r, pattern, false, s->name, s->len) == 0)
            s->leaving = true; /* dropped when the confirmation comes */
        else
            drop_sub(r, s);
    }
    if (name && !found)
        return fail(r, -ENOENT, "unsubscribe: not subscribed to it");
    return 0;
}

/* Close the connection and cancel everything; `events`: report EV_CLOSE. */
static void shut(swirl_redis_t *r, bool events) {
    int was = r->state;
    r->state = SWIRL_REDIS_CLOSED;
    clear_timer(r, &r->cmd_timer);
    clear_timer(r, &r->conn_timer);
    clear_timer(r, &r->retry_timer);
    set_err(r, "closed by the caller");
    drop(r, -ECANCELED, NULL);
    fail_queue(r, -ECANCELED);
    for (sub_t *s = r->subs, *n; s; s = n) {
        n = s->next;
        drop_sub(r, s);
    }
    if (events && was != SWIRL_REDIS_CLOSED && was != SWIRL_REDIS_IDLE)
        emit(r, SWIRL_REDIS_EV_CLOSE, 0);
}

void swirl_redis_close(swirl_redis_t *r) {
    if (!r || r->freed)
        return;
    enter(r);
    shut(r, true);
    leave(r);
}

void swirl_redis_free(swirl_redis_t *r) {
    if (!r || r->freed)
        return;
    enter(r);
    r->freed = true;
    shut(r, false);
    leave(r);
}

int swirl_redis_state(const swirl_redis_t *r) { return r ? r->state : SWIRL_REDIS_CLOSED; }
size_t swirl_redis_pending(const swirl_redis_t *r) { return r ? r->sent.n + r->queue.n : 0; }
size_t swirl_redis_subscriptions(const swirl_redis_t *r) { return r ? r->nsubs : 0; }
int swirl_redis_fd(const swirl_redis_t *r) {
    return r && r->ac && (r->ac->c.flags & REDIS_CONNECTED) ? r->ac->c.fd : -1;
}
const char *swirl_redis_errmsg(const swirl_redis_t *r) { return r ? r->errmsg : ""; }

/* ---- replies ---------------------------------------------------------------------------------- */

int swirl_redis_reply_type(const swirl_redis_reply_t *rep) {
    return rep ? ((const redisReply *)rep)->type : 0;
}

long long swirl_redis_reply_integer(const swirl_redis_reply_t *rep) {
    const redisReply *x = (const redisReply *)rep;
    return x && x->type == REDIS_REPLY_INTEGER ? x->integer : 0;
}

const char *swirl_redis_reply_str(const swirl_redis_reply_t *rep, size_t *len) {
    const redisReply *x = (const redisReply *)rep;
    bool ok = x && (x->type == REDIS_REPLY_STRING || x->type == REDIS_REPLY_STATUS ||
                    x->type == REDIS_REPLY_ERROR);
    if (len)
        *len = ok ? x->len : 0;
    return ok ? x->str : NULL;
}

size_t swirl_redis_reply_count(const swirl_redis_reply_t *rep) {
    const redisReply *x = (const redisReply *)rep;
    return x && x->type == REDIS_REPLY_ARRAY ? x->elements : 0;
}

const swirl_redis_reply_t *swirl_redis_reply_element(const swirl_redis_reply_t *rep, size_t i) {
    const redisReply *x = (const redisReply *)rep;
    if (!x || x->type != REDIS_REPLY_ARRAY || i >= x->elements)
        return NULL;
    return (const swirl_redis_reply_t *)x->element[i];
}
