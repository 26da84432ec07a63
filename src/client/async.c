/* src/client/async.c — the client on an event loop: connect (and the TLS
 * handshake) driven by readiness with a timer for the timeout, framed
 * receives delivered one message per callback, sends buffered by the loop
 * (or, over TLS, by the client until SSL_write takes them), and closes that
 * are safe from inside any of the client's callbacks. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <swirl/async.h>

#include "client/internal.h"

#define READS_PER_WAKEUP 8 /* plain sockets: cap so one busy client cannot starve the loop */
#define READ_CHUNK (64 * 1024)

static void on_readable(swirl_loop_t *loop, int fd, int events, void *user);
static void on_writable(swirl_loop_t *loop, int fd, int events, void *user);

/* The read interest of an established connection: none while paused. */
static int rd(const swirl_client_t *c) { return c->paused ? 0 : SWIRL_EV_READ; }

int swirl_client_set_callbacks(swirl_client_t *c, swirl_loop_t *loop,
                               const swirl_client_callbacks_t *cbs, void *user) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "client callbacks: NULL client");
    if (!c->async)
        return swirl__client_fail(c, SWIRL_ENOTSUP,
                                  "client callbacks: this is a blocking client (new with async)");
    if (c->state != CS_IDLE)
        return swirl__client_fail(c, SWIRL_ESTATE, "client callbacks: set them before connect");
    if (!loop || !cbs || !cbs->on_receive || !cbs->on_error)
        return swirl__client_fail(c, SWIRL_EBADARG, "client callbacks: missing %s",
                                  !loop              ? "the loop"
                                  : !cbs             ? "the callbacks"
                                  : !cbs->on_receive ? "the receive callback"
                                                     : "the error callback");
    c->loop = loop;
    c->cbs = *cbs;
    c->user = user;
    return 0;
}

/* ---- calling back -----------------------------------------------------------------------
 * Around every user callback: depth counts them, so a free from inside only
 * marks the client; the last one out releases it. leave() says whether the
 * client is gone (the caller must not touch it then). */

static void enter(swirl_client_t *c) { c->depth++; }

static bool leave(swirl_client_t *c) {
    if (--c->depth == 0 && c->free_pending) {
        swirl__client_destroy(c);
        return true;
    }
    return c->free_pending;
}

static void clear_timers(swirl_client_t *c) {
    if (swirl__client_foreign(c)) { /* the timers were in the parent's loop */
        c->timer = c->notify = c->resume = 0;
        return;
    }
    if (c->loop && c->timer)
        swirl_timer_clear(c->loop, c->timer);
    if (c->loop && c->notify)
        swirl_timer_clear(c->loop, c->notify);
    if (c->loop && c->resume)
        swirl_timer_clear(c->loop, c->resume);
    c->timer = c->notify = c->resume = 0;
}

/* A name being resolved for an async connect. The lookup cannot be
 * cancelled, so the client forgets it (c = NULL) if it closes or is freed
 * first; the callback then only frees this. */
struct client_lookup {
    swirl_client_t *c;
    int port;
};

void swirl__client_async_release(swirl_client_t *c) {
    clear_timers(c);
    if (c->lookup) {
        c->lookup->c = NULL;
        c->lookup = NULL;
    }
    if (c->loop && c->fd >= 0 && !swirl__client_foreign(c) && swirl_loop_has(c->loop, c->fd))
        swirl_loop_del(c->loop, c->fd);
}

void swirl__client_destroy(swirl_client_t *c) {
    swirl__client_async_release(c);
    swirl__client_drop(c);
    swirl__client_tls_free_ctx(c);
    swirl__client_settings_destroy(&c->set);
    swirl_free(c->tls_name);
    swirl_free(c->key);
    swirl_free(c);
}

/* Close the socket, keeping `in`'s memory while a callback may still read
 * the data it was handed. */
static void drop(swirl_client_t *c) {
    swirl__client_async_release(c);
    if (c->depth > 0) {
        swirl_buf_t keep = c->in;
        swirl_buf_clear(&keep);
        c->in = (swirl_buf_t){0};
        swirl__client_drop(c);
        c->in = keep;
    } else {
        swirl__client_drop(c);
    }
}

/* A connect that failed: report it through on_error; nothing was established. */
static void fail_connect(swirl_client_t *c, int code) {
    drop(c);
    enter(c);
    c->cbs.on_error(c, c->user, code);
    leave(c);
}

/* An established connection ends: on_error first if it broke, then on_close. */
static void end_connection(swirl_client_t *c, int code) {
    drop(c);
    enter(c);
    if (code < 0)
        c->cbs.on_error(c, c->user, code);
    if (!c->free_pending && c->state == CS_IDLE && c->cbs.on_close)
        c->cbs.on_close(c, c->user);
    leave(c);
}

void swirl__client_async_close(swirl_client_t *c, bool notify) {
    bool established = c->state == CS_CONNECTED;
    drop(c);
    if (notify && established && c->cbs.on_close) {
        enter(c);
        c->cbs.on_close(c, c->user);
        leave(c);
    }
}

/* ---- connecting -------------------------------------------------------------------------- */

static void connected(swirl_client_t *c) {
    clear_timers(c);
    c->state = CS_CONNECTED;
    c->paused = false;
    int rc = swirl_loop_set(c->loop, c->fd, SWIRL_EV_READ, on_readable, on_writable);
    if (rc == 0 && !c->tls)
        rc = swirl_loop_set_write_limit(c->loop, c->fd,
                                        c->set.socket_buffer_size > 0
                                            ? (size_t)c->set.socket_buffer_size
                                            : SWIRL_LOOP_WRITE_LIMIT_DEFAULT);
    if (rc < 0) {
        fail_connect(c, swirl__client_fail(c, rc, "connect to %s: loop:", c->peer_name));
        return;
    }
    if (c->cbs.on_connect) {
        enter(c);
        c->cbs.on_connect(c, c->user);
        leave(c);
    }
}

static void handshake_step(swirl_client_t *c) {
    int want = 0;
    int rc = swirl__client_tls_handshake(c, &want);
    if (rc == 0) {
        connected(c);
    } else if (rc == -EAGAIN) {
        rc = swirl_loop_set(c->loop, c->fd, want, on_readable, on_writable);
        if (rc < 0)
            fail_connect(c,
                         swirl__client_fail(c, rc, "TLS handshake with %s: loop:", c->peer_name));
    } else {
        fail_connect(c, rc);
    }
}

/* The socket became writable (or failed) while connect(2) was under way. */
static void connect_done(swirl_client_t *c) {
    int rc = swirl_net_connect_result(c->fd);
    if (rc < 0) {
        fail_connect(c, swirl__client_fail(c, rc, "connect to %s:", c->peer_name));
        return;
    }
    if (!c->ssl) {
        connected(c);
        return;
    }
    c->state = CS_HANDSHAKE;
    if ((rc = swirl__client_tls_setup(c, c->tls_name)) < 0)
        fail_connect(c, rc);
    else
        handshake_step(c);
}

static void on_connect_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_client_t *c = user;
    c->timer = 0;
    fail_connect(c,
                 swirl__client_fail(c, -ETIMEDOUT, "%s %s: timed out",
                                    c->state == CS_HANDSHAKE ? "TLS handshake with" : "connect to",
                                    c->peer_name));
}

/* An error found inside swirl_client_connect, reported on the next round
 * (a function that returns must not call back). */
static void on_notify(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_client_t *c = user;
    c->notify = 0;
    fail_connect(c, c->pending_err);
}

static int notify_later(swirl_client_t *c, int code) {
    c->pending_err = code;
    int64_t id = swirl_timer_after(c->loop, 0, on_notify, c);
    if (id < 0) {
        drop(c);
        return swirl__client_fail(c, (int)id, "connect to %s: timer:", c->peer_name);
    }
    c->notify = id;
    return 0;
}

/* Start connect(2) to the first address: the rest is in the callbacks. */
static int start_connect(swirl_client_t *c, const swirl_addr_t *addrs, size_t n) {
    int rc = swirl__client_open(c, &addrs[0], &c->fd);
    if (rc < 0 && rc != -EINPROGRESS)
        return notify_later(c, rc);
    /* Connected at once or not: the first writability reports it. */
    rc = swirl_loop_add(c->loop, c->fd, SWIRL_EV_WRITE, on_readable, on_writable, c);
    if (rc < 0) {
        swirl__client_fail(c, rc, "connect to %s: loop:", c->peer_name);
        drop(c);
        return rc;
    }
    return 0;
}

static void on_resolved(swirl_loop_t *loop, int status, const swirl_addr_t *found, size_t n,
                        void *user) {
    struct client_lookup *l = user;
    swirl_client_t *c = l->c;
    int port = l->port;
    swirl_free(l);
    if (!c)
        return; /* closed or freed meanwhile */
    c->lookup = NULL;
    if (c->state != CS_CONNECTING)
        return;
    if (status < 0) {
        char why[300];
        snprintf(why, sizeof(why), "%s", swirl_last_error_msg());
        fail_connect(c, swirl__client_fail(c, SWIRL_EBADADDR, "connect to %s: cannot resolve: %s",
                                           c->peer_name, why));
        return;
    }
    swirl_addr_t addrs[8];
    size_t k = n < 8 ? n : 8;
    for (size_t i = 0; i < k; i++) {
        addrs[i] = found[i];
        if (addrs[i].u.sa.sa_family == AF_INET)
            addrs[i].u.in.sin_port = htons((uint16_t)port);
        else
            addrs[i].u.in6.sin6_port = htons((uint16_t)port);
    }
    int rc = start_connect(c, addrs, k);
    if (rc < 0)
        fail_connect(c, rc);
}

int swirl__client_async_connect(swirl_client_t *c, const char *host, int port, double timeout) {
    if (!c->loop)
        return swirl__client_fail(c, SWIRL_EBADARG,
                                  "connect to %s: an async client needs "
                                  "swirl_client_set_callbacks first",
                                  c->peer_name);
    bool unix_kind = c->type == SWIRL_SOCK_UNIX_STREAM || c->type == SWIRL_SOCK_UNIX_DGRAM;
    if (!unix_kind && (port < 1 || port > 65535))
        return swirl__client_fail(c, SWIRL_EBADPORT, "port %d for %s \"%.200s\": expected 1..65535",
                                  port, swirl_sock_type_name(c->type), host);
    swirl_addr_t addrs[8];
    size_t n = 0;
    int rc = swirl_addr_parse(&addrs[0], c->type, host, port);
    if (rc < 0 && (unix_kind || rc != SWIRL_EBADADDR))
        return swirl__client_keep_error(c, rc); /* bad input: returned, no callback */
    if (timeout >= 0) {
        int64_t id =
            swirl_timer_after(c->loop, (int64_t)(timeout * 1000 + 0.999), on_connect_timeout, c);
        if (id < 0)
            return swirl__client_fail(c, (int)id, "connect to %s: timer:", c->peer_name);
        c->timer = id;
    }
    c->state = CS_CONNECTING;
    if (rc == 0)
        return start_connect(c, addrs, 1);
    (void)n;
    /* A host name: resolved without blocking (swirl_dns_lookup, cached per
     * process); the connect goes on from the callback. The connect timeout
     * above covers the lookup too. */
    struct client_lookup *l = swirl_malloc(sizeof(*l));
    if (!l) {
        clear_timers(c);
        c->state = CS_IDLE;
        return swirl__client_fail(c, -ENOMEM, "connect to %s:", c->peer_name);
    }
    l->c = c;
    l->port = port;
    bool v6 = c->type == SWIRL_SOCK_TCP6 || c->type == SWIRL_SOCK_UDP6;
    rc = swirl_dns_lookup(c->loop, host, v6 ? AF_INET6 : AF_INET, 0, on_resolved, l);
    if (rc < 0) {
        swirl_free(l);
        return notify_later(c, swirl__client_fail(c, rc,
                                                  "connect to %s: cannot resolve host "
                                                  "\"%.200s\": %s",
                                                  c->peer_name, host, swirl_strerror(rc)));
    }
    c->lookup = l;
    return 0;
}

/* ---- connected I/O ----------------------------------------------------------------------- */

/* Hand every complete message in `in` to on_receive. False if the client
 * is gone or closed meanwhile. */
static bool deliver(swirl_client_t *c) {
    while (c->state == CS_CONNECTED && !c->paused && swirl_buf_size(&c->in) > 0) {
        size_t have = swirl_buf_size(&c->in);
        ssize_t m = swirl_framing_next(&c->framing, swirl_buf_bytes(&c->in), have, &c->scan_from);
        if (m == 0)
            return true;
        if (m < 0) {
            swirl__client_fail(c, (int)m,
                               m == SWIRL_ETOOBIG
                                   ? "receive from %s: message longer than package_max_length; "
                                     "connection closed"
                                   : "receive from %s: bad length field; connection closed",
                               c->peer_name);
            end_connection(c, (int)m);
            return false;
        }
        enter(c);
        c->cbs.on_receive(c, swirl_buf_bytes(&c->in), (size_t)m, c->user);
        if (leave(c))
            return false;
        if (c->state != CS_CONNECTED)
            return false; /* closed (and its buffer cleared) by the callback */
        swirl_buf_consume(&c->in, (size_t)m);
        c->scan_from = 0;
    }
    return c->state == CS_CONNECTED;
}

static void flush_tls(swirl_client_t *c);

static void read_ready(swirl_client_t *c) {
    for (int i = 0; c->tls || i < READS_PER_WAKEUP; i++) {
        if (c->paused)
            return; /* deliver() stopped: what is read waits in the kernel */
        int want = 0;
        ssize_t n = swirl__client_read_some(c, READ_CHUNK, &want);
        if (n == -EAGAIN) {
            if (want == SWIRL_EV_WRITE) /* TLS wants to write before it can read */
                swirl_loop_set(c->loop, c->fd, rd(c) | SWIRL_EV_WRITE, NULL, NULL);
            return;
        }
        if (n == 0) {
            c->peer_closed = true;
            if (deliver(c) && !c->paused)
                end_connection(c, 0); /* paused: on_resume ends it */
            return;
        }
        if (n < 0) {
            end_connection(c, (int)n);
            return;
        }
        if (!deliver(c))
            return;
    }
}

static void on_readable(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_client_t *c = user;
    switch (c->state) {
    case CS_CONNECTING:
        connect_done(c);
        break;
    case CS_HANDSHAKE:
        handshake_step(c);
        break;
    case CS_CONNECTED: {
        if (events & SWIRL_EV_ERROR) {
            int err = swirl_loop_fd_error(loop, fd);
            if (err < 0) {
                end_connection(c, swirl__client_fail(c, err, "send to %s:", c->peer_name));
                return;
            }
        }
        read_ready(c);
        break;
    }
    default:
        break;
    }
}

static void on_writable(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_client_t *c = user;
    switch (c->state) {
    case CS_CONNECTING:
        connect_done(c);
        break;
    case CS_HANDSHAKE:
        handshake_step(c);
        break;
    case CS_CONNECTED:
        if (c->tls) {
            flush_tls(c);
            if (c->state == CS_CONNECTED && !c->free_pending)
                read_ready(c); /* in case a read was waiting for this */
        }
        break;
    default:
        break;
    }
}

/* Give SSL_write what is queued; watch writability while some is left. */
static void flush_tls(swirl_client_t *c) {
    while (swirl_buf_size(&c->out) > 0) {
        int want = 0;
        ssize_t n =
            swirl__client_tls_write(c, swirl_buf_bytes(&c->out), swirl_buf_size(&c->out), &want);
        if (n == -EAGAIN) {
            swirl_loop_set(c->loop, c->fd, rd(c) | want, NULL, NULL);
            return;
        }
        if (n < 0) {
            end_connection(c, (int)n);
            return;
        }
        swirl_buf_consume(&c->out, (size_t)n);
    }
    swirl_loop_set(c->loop, c->fd, rd(c), NULL, NULL);
}

ssize_t swirl__client_async_send(swirl_client_t *c, const void *data, size_t len) {
    if (!c->tls) {
        ssize_t n = swirl_loop_write(c->loop, c->fd, data, len);
        if (n < 0)
            swirl__client_fail(c, (int)n, "send to %s:", c->peer_name);
        return n;
    }
    size_t limit = c->set.socket_buffer_size > 0 ? (size_t)c->set.socket_buffer_size
                                                 : SWIRL_LOOP_WRITE_LIMIT_DEFAULT;
    if (swirl_buf_size(&c->out) + len > limit)
        return swirl__client_fail(c, SWIRL_EBUFFULL,
                                  "send to %s: %zu bytes would pass socket_buffer_size %zu",
                                  c->peer_name, swirl_buf_size(&c->out) + len, limit);
    int rc = swirl_buf_append(&c->out, data, len);
    if (rc < 0)
        return swirl__client_fail(c, rc, "send to %s: out of memory", c->peer_name);
    /* Write now when nothing was waiting; a failure shows in the callbacks. */
    if (swirl_buf_size(&c->out) == len)
        swirl_loop_set(c->loop, c->fd, rd(c) | SWIRL_EV_WRITE, NULL, NULL);
    return (ssize_t)len;
}

/* ---- pausing ----------------------------------------------------------------------------- */

/* Reading resumed with messages already buffered: hand them over, then
 * read what the kernel kept. */
static void on_resume(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_client_t *c = user;
    c->resume = 0;
    if (c->state == CS_CONNECTED && !c->paused && deliver(c) && c->peer_closed &&
        swirl_buf_size(&c->in) == 0)
        end_connection(c, 0);
}

int swirl_client_pause(swirl_client_t *c, bool pause) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "client pause: NULL client");
    if (!c->async)
        return swirl__client_fail(c, SWIRL_ENOTSUP,
                                  "client %s: only an async client can stop reading",
                                  pause ? "sleep" : "wakeup");
    if (c->state != CS_CONNECTED || swirl__client_foreign(c))
        return swirl__client_fail(c, SWIRL_ESTATE, "client %s: not connected",
                                  pause ? "sleep" : "wakeup");
    if (c->paused == pause)
        return 0;
    c->paused = pause;
    int events = rd(c);
    if (c->tls && swirl_buf_size(&c->out) > 0)
        events |= SWIRL_EV_WRITE;
    int rc = swirl_loop_set(c->loop, c->fd, events, NULL, NULL);
    if (rc < 0) {
        c->paused = !pause;
        return swirl__client_fail(c, rc, "client %s: loop:", pause ? "sleep" : "wakeup");
    }
    if (!pause && (swirl_buf_size(&c->in) > 0 || c->peer_closed) && !c->resume) {
        int64_t id = swirl_timer_after(c->loop, 0, on_resume, c);
        if (id < 0)
            return swirl__client_fail(c, (int)id, "client wakeup: timer:");
        c->resume = id;
    }
    return 0;
}

size_t swirl_client_pending(const swirl_client_t *c) {
    if (!c || !c->async || c->state != CS_CONNECTED || !c->loop || swirl__client_foreign(c))
        return 0;
    return swirl_loop_pending(c->loop, c->fd) + swirl_buf_size(&c->out);
}

int swirl_client_start_tls(swirl_client_t *c, const char *host, double timeout) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "client start_tls: NULL client");
    if (!c->async || !c->stream)
        return swirl__client_fail(c, SWIRL_ENOTSUP,
                                  "client start_tls: only an async stream client can");
    if (c->state != CS_CONNECTED || swirl__client_foreign(c))
        return swirl__client_fail(c, SWIRL_ESTATE, "client start_tls: not connected");
    if (c->tls)
        return swirl__client_fail(c, SWIRL_ESTATE, "client start_tls: %s is TLS already",
                                  c->peer_name);
    if (swirl_buf_size(&c->in) > 0 || swirl_loop_pending(c->loop, c->fd) > 0)
        return swirl__client_fail(c, SWIRL_ESTATE, "client start_tls: %s has bytes not yet %s",
                                  c->peer_name, swirl_buf_size(&c->in) > 0 ? "delivered" : "sent");
    char *name = host ? swirl_strdup(host) : NULL;
    if (host && !name)
        return swirl__client_fail(c, -ENOMEM, "client start_tls: out of memory");
    int rc = swirl__client_tls_setup(c, name);
    if (rc < 0) {
        swirl_free(name);
        return rc;
    }
    if (timeout >= 0) {
        int64_t id =
            swirl_timer_after(c->loop, (int64_t)(timeout * 1000 + 0.999), on_connect_timeout, c);
        if (id < 0) {
            SSL_free(c->tls);
            c->tls = NULL;
            swirl_free(name);
            return swirl__client_fail(c, (int)id, "client start_tls: timer:");
        }
        c->timer = id;
    }
    /* the handshake starts from the loop (writable at once), never from here */
    rc = swirl_loop_set(c->loop, c->fd, SWIRL_EV_WRITE, on_readable, on_writable);
    if (rc < 0) {
        clear_timers(c);
        SSL_free(c->tls);
        c->tls = NULL;
        swirl_free(name);
        return swirl__client_fail(c, rc, "client start_tls: loop:");
    }
    swirl_free(c->tls_name);
    c->tls_name = name;
    c->ssl = true;
    c->state = CS_HANDSHAKE;
    return 0;
}
