/* src/client/client.c — the client object and its blocking mode: connect
 * with a deadline (names and sockets: socket.c), TLS handshake, framed
 * receives (one whole message per call, the rest kept), sends, datagrams
 * and sendfile.
 * Sockets are always non-blocking; every wait is a poll() with a timeout. */
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/internal.h"

#define READ_CHUNK (64 * 1024)
#define MAX_ADDRS 8

/* ---- lifecycle --------------------------------------------------------------------------- */

int swirl_client_new(swirl_client_t **out, int sock_type, bool async, const char *key) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "client: no place to store the client");
    int base = sock_type & ~(SWIRL_SOCK_SSL | SWIRL_CLIENT_KEEP);
    bool ssl = sock_type & SWIRL_SOCK_SSL, keep = sock_type & SWIRL_CLIENT_KEEP;
    const char *kind = swirl_sock_type_name((swirl_sock_type_t)base);
    if (!kind)
        return swirl__error(SWIRL_EBADARG,
                            "client socket type %d: expected TCP, UDP, TCP6, UDP6, UNIX_STREAM or "
                            "UNIX_DGRAM (1..6), optionally | SWIRL_SOCK_SSL | SWIRL_CLIENT_KEEP",
                            sock_type);
    bool stream = swirl_sock_is_stream((swirl_sock_type_t)base);
    if (ssl && !stream)
        return swirl__error(SWIRL_ENOTSUP, "client socket type %s | SSL: TLS needs a stream socket",
                            kind);
    if (keep && (!stream || async))
        return swirl__error(SWIRL_ENOTSUP,
                            "client socket type %s | KEEP: keep-alive is for blocking stream "
                            "clients",
                            kind);
    swirl_client_t *c = swirl_calloc(1, sizeof(*c));
    if (!c)
        return swirl__error(-ENOMEM, "client: out of memory");
    if (key && !(c->key = swirl_strdup(key))) {
        swirl_free(c);
        return swirl__error(-ENOMEM, "client: out of memory");
    }
    c->type = (swirl_sock_type_t)base;
    c->ssl = ssl;
    c->keep = keep;
    c->async = async;
    c->stream = stream;
    c->fd = -1;
    swirl__client_settings_init(&c->set);
    swirl_framing_init(&c->framing);
    *out = c;
    return 0;
}

/* ---- settings ---------------------------------------------------------------------------- */

/* Settings are taken before connect; an unknown key is named first. */
static int settable(swirl_client_t *c, const char *key) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "client setting: NULL client");
    if (c->state == CS_IDLE)
        return 0;
    int rc = swirl__client_settings_known(key);
    if (rc < 0)
        return swirl__client_keep_error(c, rc);
    return swirl__client_fail(c, SWIRL_ESTATE, "%s: settings are taken before connect", key);
}

int swirl_client_set(swirl_client_t *c, const char *key, swirl_value_t value) {
    int rc = settable(c, key);
    if (rc == 0 && (rc = swirl__client_settings_apply(&c->set, key, value)) < 0)
        swirl__client_keep_error(c, rc);
    return rc;
}

int swirl_client_set_int(swirl_client_t *c, const char *key, int64_t value) {
    return swirl_client_set(c, key, swirl_value_int(value));
}

int swirl_client_set_float(swirl_client_t *c, const char *key, double value) {
    return swirl_client_set(c, key, swirl_value_float(value));
}

int swirl_client_set_bool(swirl_client_t *c, const char *key, bool value) {
    return swirl_client_set(c, key, swirl_value_bool(value));
}

int swirl_client_set_text(swirl_client_t *c, const char *key, const char *text) {
    int rc = settable(c, key);
    if (rc == 0 && (rc = swirl__client_settings_apply_text(&c->set, key, text)) < 0)
        swirl__client_keep_error(c, rc);
    return rc;
}

bool swirl_client_is_framed(const swirl_client_t *c) {
    return c && c->stream && (c->length_fn || swirl__framing_conf_on(&c->set.framing));
}

int swirl_client_set_length_fn(swirl_client_t *c, swirl_framing_length_fn fn, void *user) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "package_length_func: NULL client");
    if (c->state != CS_IDLE)
        return swirl__client_fail(c, SWIRL_ESTATE,
                                  "package_length_func: settings are taken before connect");
    if (!c->stream && fn)
        return swirl__client_fail(c, SWIRL_ENOTSUP,
                                  "package_length_func: a datagram client has no stream to cut");
    c->length_fn = fn;
    c->length_user = user;
    return 0;
}

void swirl_client_free(swirl_client_t *c) {
    if (!c || c->free_pending)
        return;
    if (c->state != CS_IDLE) {
        if (c->async)
            swirl__client_async_close(c, false);
        else
            swirl_client_close(c, false);
    }
    if (c->depth > 0) {
        c->free_pending = true; /* inside a callback: async.c frees after it returns */
        swirl__client_async_release(c);
        return;
    }
    swirl__client_destroy(c);
}

/* ---- waiting ----------------------------------------------------------------------------- */

static int to_ms(double seconds) {
    if (seconds < 0)
        return -1;
    double ms = seconds * 1000 + 0.999; /* round up, without libm */
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Wait until `fd` is ready for `events` (SWIRL_EV_*) or `ms` pass (-1:
 * forever). 0, or -ETIMEDOUT naming `op` and the peer. */
static int wait_fd(swirl_client_t *c, int events, int ms, const char *op) {
    struct pollfd p = {.fd = c->fd, .events = 0};
    if (events & SWIRL_EV_READ)
        p.events |= POLLIN;
    if (events & SWIRL_EV_WRITE)
        p.events |= POLLOUT;
    uint64_t deadline = ms >= 0 ? swirl_clock_ms() + (uint64_t)ms : 0;
    for (;;) {
        int wait = -1;
        if (ms >= 0) {
            uint64_t now = swirl_clock_ms();
            wait = now >= deadline ? 0 : (int)(deadline - now);
        }
        int n = poll(&p, 1, wait);
        if (n > 0)
            return 0; /* errors and hang-ups show in the next call */
        if (n == 0)
            return swirl__client_fail(c, -ETIMEDOUT, "%s %s: timed out after %.3g s", op,
                                      c->peer_name, ms / 1000.0);
        if (errno != EINTR)
            return swirl__client_fail(c, swirl__neg_errno(), "%s %s: poll:", op, c->peer_name);
    }
}

/* Milliseconds left until `deadline_ms` (0 = none: -1). */
static int left_ms(uint64_t deadline_ms) {
    if (!deadline_ms)
        return -1;
    uint64_t now = swirl_clock_ms();
    return now >= deadline_ms ? 0 : (int)(deadline_ms - now);
}

/* ---- addresses --------------------------------------------------------------------------- */

/* ---- connect ----------------------------------------------------------------------------- */

/* Set up what every connect needs: names, timeouts, framing, the TLS name. */
static int prepare(swirl_client_t *c, const char *host, int port, double timeout, double *ct) {
    if (c->state != CS_IDLE)
        return swirl__client_fail(c, SWIRL_ESTATE, "connect to %.200s: already connected to %s",
                                  host ? host : "(null)", c->peer_name);
    if (!host || !host[0])
        return swirl__client_fail(c, SWIRL_EBADADDR, "connect: no host given");
    /* a year at most (as the timeout settings): beyond, milliseconds
     * overflow; a negative or infinite timeout means no limit */
    if (isnan(timeout) || (timeout > 86400.0 * 365 && !isinf(timeout)))
        return swirl__client_fail(c, SWIRL_EBADARG,
                                  "connect to %.200s: timeout %g s: expected at most a year, or "
                                  "a negative value for none",
                                  host, timeout);
    if (isinf(timeout))
        timeout = -1;
    if (c->fd >= 0) { /* an unconnected datagram socket from sendto */
        swirl_net_close(c->fd);
        c->fd = -1;
    }
    swirl__client_name_peer(c->peer_name, sizeof(c->peer_name), c->type, host, port);
    snprintf(c->pool_key, sizeof(c->pool_key), "%s", c->key ? c->key : c->peer_name);
    const client_settings_t *s = &c->set;
    *ct = timeout > 0                 ? timeout
          : timeout < 0               ? -1
          : isnan(s->connect_timeout) ? SWIRL_CLIENT_CONNECT_TIMEOUT_DEFAULT
                                      : s->connect_timeout;
    c->read_timeout = isnan(s->read_timeout) ? *ct : s->read_timeout;
    c->write_timeout = isnan(s->write_timeout) ? *ct : s->write_timeout;
    if (c->stream) {
        int rc = swirl__framing_conf_build(&s->framing, &c->framing);
        if (rc == 0 && c->length_fn)
            rc = swirl_framing_set_length_fn(&c->framing, c->length_fn, c->length_user);
        if (rc < 0)
            return swirl__client_keep_error(c, rc);
    }
    swirl_free(c->tls_name);
    c->tls_name = NULL;
    if (c->ssl && !(c->tls_name = swirl_strdup(host)))
        return swirl__client_fail(c, -ENOMEM, "connect to %s: out of memory", c->peer_name);
    return 0;
}

/* Drive the TLS handshake until done or the deadline. */
static int handshake_sync(swirl_client_t *c, uint64_t deadline, double ct) {
    int rc = swirl__client_tls_setup(c, c->tls_name);
    while (rc == 0) {
        int want = 0;
        rc = swirl__client_tls_handshake(c, &want);
        if (rc != -EAGAIN)
            break;
        rc = wait_fd(c, want, left_ms(deadline), "TLS handshake with");
        if (rc == -ETIMEDOUT)
            rc = swirl__client_fail(c, -ETIMEDOUT, "TLS handshake with %s: timed out after %.3g s",
                                    c->peer_name, ct);
    }
    return rc;
}

int swirl_client_connect(swirl_client_t *c, const char *host, int port, double timeout) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "connect: NULL client");
    double ct = 0;
    int rc = prepare(c, host, port, timeout, &ct);
    if (rc < 0)
        return rc;
    c->owner = getpid();
    if (c->async)
        return swirl__client_async_connect(c, host, port, ct);
    if (c->keep && swirl__pool_take(c->pool_key, c->type, c->ssl, &c->fd, &c->tls) == 0) {
        c->state = CS_CONNECTED;
        return 0;
    }
    uint64_t deadline = ct >= 0 ? swirl_clock_ms() + (uint64_t)to_ms(ct) : 0;
    swirl_addr_t addrs[MAX_ADDRS];
    size_t n;
    if ((rc = swirl__client_resolve(c, host, port, addrs, MAX_ADDRS, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = swirl__client_open(c, &addrs[i], &c->fd);
        if (rc == -EINPROGRESS) {
            rc = wait_fd(c, SWIRL_EV_WRITE, left_ms(deadline), "connect to");
            if (rc == 0 && (rc = swirl_net_connect_result(c->fd)) < 0)
                swirl__client_fail(c, rc, "connect to %s:", c->peer_name);
            if (rc < 0) {
                swirl_net_close(c->fd);
                c->fd = -1;
            }
        }
        if (rc == 0 || rc == -ETIMEDOUT)
            break; /* the deadline covers every address: no time left for the next */
    }
    if (rc < 0)
        return rc;
    if (c->ssl && (rc = handshake_sync(c, deadline, ct)) < 0) {
        swirl__client_drop(c);
        return rc;
    }
    c->state = CS_CONNECTED;
    return 0;
}

/* ---- receiving --------------------------------------------------------------------------- */

/* The next deliverable unit in `in`: a whole message (framing), or what is
 * there (at least `need` bytes unless EOF). Reads and waits as needed.
 * Returns its length, 0 at EOF with nothing to deliver, or a negative code. */
static ssize_t next_unit(swirl_client_t *c, size_t need, int flags) {
    for (;;) {
        size_t have = swirl_buf_size(&c->in);
        if (c->framing.kind != SWIRL_FRAMING_NONE) {
            if (have > 0) {
                ssize_t m =
                    swirl_framing_next(&c->framing, swirl_buf_bytes(&c->in), have, &c->scan_from);
                if (m > 0)
                    return m;
                if (m < 0) {
                    int code = (int)m;
                    if (code == SWIRL_ETOOBIG)
                        swirl__client_fail(c, code,
                                           "recv from %s: message longer than "
                                           "package_max_length %zu; connection closed",
                                           c->peer_name, c->framing.max_length);
                    else
                        swirl__client_fail(c, code,
                                           "recv from %s: bad length field; connection closed",
                                           c->peer_name);
                    swirl__client_drop(c);
                    return code;
                }
            }
            if (c->peer_closed)
                return 0; /* an unfinished message at EOF is dropped with the connection */
        } else {
            if (have >= need || (have > 0 && c->peer_closed))
                return (ssize_t)have;
            if (c->peer_closed)
                return 0;
        }
        int want = 0;
        ssize_t n = swirl__client_read_some(c, READ_CHUNK, &want);
        if (n == 0) {
            c->peer_closed = true;
        } else if (n == -EAGAIN) {
            if (flags & MSG_DONTWAIT) {
                if (c->framing.kind == SWIRL_FRAMING_NONE && have > 0)
                    return (ssize_t)have; /* not waiting beats MSG_WAITALL, as recv(2) */
                return swirl__client_fail(c, -EAGAIN, "recv from %s: nothing to read yet",
                                          c->peer_name);
            }
            int rc = wait_fd(c, want, to_ms(c->read_timeout), "recv from");
            if (rc < 0)
                return rc;
        } else if (n < 0) {
            return n;
        }
    }
}

static int recv_check(swirl_client_t *c, int flags, const char *op) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "%s: NULL client", op);
    if (flags & ~(MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT))
        return swirl__client_fail(c, SWIRL_EBADARG,
                                  "%s: flags 0x%x: expected MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT",
                                  op, (unsigned)flags);
    if (c->async)
        return swirl__client_fail(c, SWIRL_ENOTSUP,
                                  "%s: an async client receives through its receive callback", op);
    if (c->state != CS_CONNECTED && !(!c->stream && c->fd >= 0))
        return swirl__client_fail(c, SWIRL_ESTATE, "%s: the client is not connected", op);
    return 0;
}

static ssize_t recv_datagram(swirl_client_t *c, void *buf, size_t size, int flags) {
    for (;;) {
        swirl_addr_t from;
        memset(&from, 0, sizeof(from));
        from.len = sizeof(from.u);
        ssize_t n = recvfrom(c->fd, buf, size, flags & MSG_PEEK, &from.u.sa, &from.len);
        if (n >= 0) {
            c->last_from = from;
            c->have_from = true;
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return swirl__client_fail(c, swirl__neg_errno(), "recv from %s:", c->peer_name);
        if (flags & MSG_DONTWAIT)
            return swirl__client_fail(c, -EAGAIN, "recv from %s: nothing to read yet",
                                      c->peer_name);
        int rc = wait_fd(c, SWIRL_EV_READ, to_ms(c->read_timeout), "recv from");
        if (rc < 0)
            return rc;
    }
}

/* Hand `n` bytes of `in` over: consume them unless peeking. */
static void delivered(swirl_client_t *c, size_t n, int flags) {
    if (flags & MSG_PEEK)
        return;
    swirl_buf_consume(&c->in, n);
    c->scan_from = 0;
}

ssize_t swirl_client_recv(swirl_client_t *c, void *buf, size_t size, int flags) {
    int rc = recv_check(c, flags, "recv");
    if (rc < 0)
        return rc;
    if (!buf || size == 0)
        return swirl__client_fail(c, SWIRL_EBADARG, "recv: an empty buffer (size %zu)", size);
    if (!c->stream)
        return recv_datagram(c, buf, size, flags);
    bool framed = c->framing.kind != SWIRL_FRAMING_NONE;
    ssize_t n = next_unit(c, (flags & MSG_WAITALL) && !framed ? size : 1, flags);
    if (n <= 0)
        return n;
    if (framed && (size_t)n > size)
        return swirl__client_fail(c, SWIRL_ETOOBIG,
                                  "recv from %s: a message of %zd bytes does not fit the buffer of "
                                  "%zu bytes (it stays queued: use swirl_client_recv_buf)",
                                  c->peer_name, n, size);
    if ((size_t)n > size)
        n = (ssize_t)size;
    memcpy(buf, swirl_buf_bytes(&c->in), (size_t)n);
    delivered(c, (size_t)n, flags);
    return n;
}

ssize_t swirl_client_recv_buf(swirl_client_t *c, swirl_buf_t *out, int flags) {
    int rc = recv_check(c, flags, "recv");
    if (rc < 0)
        return rc;
    if (!out)
        return swirl__client_fail(c, SWIRL_EBADARG, "recv: NULL buffer");
    if (!c->stream) {
        if ((rc = swirl_buf_reserve(out, 65536)) < 0)
            return swirl__client_fail(c, rc, "recv: out of memory");
        ssize_t n = recv_datagram(c, out->data + out->len, 65536, flags);
        if (n > 0)
            swirl_buf_commit(out, (size_t)n);
        return n;
    }
    ssize_t n = next_unit(c, 1, flags);
    if (n <= 0)
        return n;
    if ((rc = swirl_buf_append(out, swirl_buf_bytes(&c->in), (size_t)n)) < 0)
        return swirl__client_fail(c, rc, "recv from %s: no memory for %zd bytes", c->peer_name, n);
    delivered(c, (size_t)n, flags);
    return n;
}

/* ---- sending ----------------------------------------------------------------------------- */

static ssize_t write_some(swirl_client_t *c, const void *p, size_t len, int *want) {
    if (c->tls)
        return swirl__client_tls_write(c, p, len, want);
    ssize_t n = swirl_net_write(c->fd, p, len);
    if (n == -EAGAIN)
        *want = SWIRL_EV_WRITE;
    else if (n < 0)
        swirl__client_fail(c, (int)n, "send to %s:", c->peer_name);
    return n;
}

static ssize_t write_all(swirl_client_t *c, const void *data, size_t len) {
    const char *p = data;
    size_t done = 0;
    while (done < len || (len == 0 && !c->stream && done == 0)) {
        int want = 0;
        ssize_t n = write_some(c, p + done, len - done, &want);
        if (n == -EAGAIN) {
            int rc = wait_fd(c, want, to_ms(c->write_timeout), "send to");
            if (rc < 0)
                return rc;
            continue;
        }
        if (n < 0)
            return n;
        done += (size_t)n;
        if (!c->stream)
            break; /* one datagram */
    }
    return (ssize_t)len;
}

ssize_t swirl_client_send(swirl_client_t *c, const void *data, size_t len) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "send: NULL client");
    if (c->state != CS_CONNECTED)
        return swirl__client_fail(c, SWIRL_ESTATE, "send: the client is not connected");
    if (!data && len > 0)
        return swirl__client_fail(c, SWIRL_EBADARG, "send to %s: NULL data", c->peer_name);
    if (c->async)
        return swirl__client_async_send(c, data, len);
    return write_all(c, data, len);
}

ssize_t swirl_client_sendto(swirl_client_t *c, const char *host, int port, const void *data,
                            size_t len) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "sendto: NULL client");
    if (c->stream)
        return swirl__client_fail(c, SWIRL_ENOTSUP, "sendto: a %s client sends with send",
                                  swirl_sock_type_name(c->type));
    if (!host || (!data && len > 0))
        return swirl__client_fail(c, SWIRL_EBADARG, "sendto: NULL %s", host ? "data" : "host");
    char saved[sizeof(c->peer_name)];
    memcpy(saved, c->peer_name, sizeof(saved));
    swirl__client_name_peer(c->peer_name, sizeof(c->peer_name), c->type, host, port);
    swirl_addr_t to;
    size_t n;
    int rc = swirl__client_resolve(c, host, port, &to, 1, &n);
    if (rc == 0 && c->fd < 0) {
        int fd;
        if ((rc = swirl__client_socket(c, to.u.sa.sa_family, &fd)) == 0) {
            const client_settings_t *st = &c->set;
            double ct = isnan(st->connect_timeout) ? SWIRL_CLIENT_CONNECT_TIMEOUT_DEFAULT
                                                   : st->connect_timeout;
            c->fd = fd;
            c->owner = getpid();
            c->read_timeout = isnan(st->read_timeout) ? ct : st->read_timeout;
            c->write_timeout = isnan(st->write_timeout) ? ct : st->write_timeout;
        }
    }
    ssize_t sent = rc;
    while (rc == 0) {
        sent = swirl_net_sendto(c->fd, data, len, &to);
        if (sent != -EAGAIN)
            break;
        rc = wait_fd(c, SWIRL_EV_WRITE, to_ms(c->write_timeout), "sendto");
        sent = rc;
    }
    if (sent < 0 && sent != rc)
        swirl__client_fail(c, (int)sent, "sendto %s:", c->peer_name);
    if (c->state == CS_CONNECTED)
        memcpy(c->peer_name, saved, sizeof(saved));
    return sent;
}

ssize_t swirl_client_sendfile(swirl_client_t *c, const char *path, off_t offset, size_t length) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "sendfile: NULL client");
    if (!c->stream)
        return swirl__client_fail(c, SWIRL_ENOTSUP, "sendfile: for stream clients");
    if (c->state != CS_CONNECTED)
        return swirl__client_fail(c, SWIRL_ESTATE, "sendfile: the client is not connected");
    if (!path)
        return swirl__client_fail(c, SWIRL_EBADARG, "sendfile: NULL path");
    /* O_NONBLOCK: a FIFO or device must not hold the open; its type is checked next */
    int in = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (in < 0)
        return swirl__client_fail(c, swirl__neg_errno(), "sendfile %.200s:", path);
    struct stat st;
    ssize_t rc = 0;
    char *chunk = NULL;
    if (fstat(in, &st) != 0) {
        rc = swirl__client_fail(c, swirl__neg_errno(), "sendfile %.200s: fstat:", path);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = swirl__client_fail(c, SWIRL_EBADARG, "sendfile %.200s: not a regular file", path);
        goto done;
    }
    if (offset < 0 || offset > st.st_size ||
        (length > 0 && (uint64_t)offset + length > (uint64_t)st.st_size)) {
        rc = swirl__client_fail(c, SWIRL_EBADARG,
                                "sendfile %.200s: offset %lld length %zu is outside its %lld bytes",
                                path, (long long)offset, length, (long long)st.st_size);
        goto done;
    }
    size_t total = length ? length : (size_t)(st.st_size - offset);
    size_t sent = 0;
    /* TLS and async clients copy the file through a buffer: SSL_write, or
     * the loop's write buffer (bounded by socket_buffer_size) */
    bool copy = c->tls || c->async;
    if (copy && !(chunk = swirl_malloc(READ_CHUNK))) {
        rc = swirl__client_fail(c, -ENOMEM, "sendfile %.200s: out of memory", path);
        goto done;
    }
    while (sent < total) {
        size_t want_n = total - sent;
        ssize_t n;
        if (copy) {
            n = pread(in, chunk, want_n < READ_CHUNK ? want_n : READ_CHUNK, offset);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                rc = swirl__client_fail(c, n < 0 ? swirl__neg_errno() : SWIRL_ECLOSED,
                                        "sendfile %.200s: read at %lld:", path, (long long)offset);
                goto done;
            }
            if ((rc = c->async ? swirl__client_async_send(c, chunk, (size_t)n)
                               : write_all(c, chunk, (size_t)n)) < 0)
                goto done;
            offset += n;
        } else {
            n = swirl_net_sendfile(c->fd, in, &offset, want_n);
            if (n == -EAGAIN) {
                if ((rc = wait_fd(c, SWIRL_EV_WRITE, to_ms(c->write_timeout), "sendfile to")) < 0)
                    goto done;
                continue;
            }
            if (n <= 0) {
                rc = swirl__client_fail(c, n < 0 ? (int)n : SWIRL_ECLOSED,
                                        "sendfile %.200s to %s:", path, c->peer_name);
                goto done;
            }
        }
        sent += (size_t)n;
    }
    rc = (ssize_t)sent;
done:
    swirl_free(chunk);
    close(in);
    return rc;
}

/* ---- closing and state ------------------------------------------------------------------- */

int swirl_client_close(swirl_client_t *c, bool force) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "close: NULL client");
    if (c->state == CS_IDLE) {
        if (c->fd >= 0) { /* an unconnected datagram socket */
            swirl__client_drop(c);
            return 0;
        }
        return swirl__client_fail(c, SWIRL_ESTATE, "close: the client is not connected");
    }
    if (c->async) {
        swirl__client_async_close(c, true);
        return 0;
    }
    if (c->keep && !force && !c->peer_closed && swirl_buf_size(&c->in) == 0 &&
        swirl__pool_put(c->pool_key, c->type, c->ssl, c->fd, c->tls) == 0) {
        c->fd = -1;
        c->tls = NULL;
    }
    swirl__client_drop(c);
    return 0;
}

bool swirl_client_is_connected(const swirl_client_t *c) { return c && c->state == CS_CONNECTED; }

int swirl_client_fd(const swirl_client_t *c) { return c ? c->fd : -1; }

int swirl_client_getsockname(const swirl_client_t *c, swirl_addr_t *out) {
    if (!c || !out)
        return swirl__error(SWIRL_EBADARG, "getsockname: NULL argument");
    if (c->fd < 0)
        return swirl__error(SWIRL_ESTATE, "getsockname: the client has no socket");
    return swirl_net_local_addr(c->fd, out);
}

int swirl_client_getpeername(const swirl_client_t *c, swirl_addr_t *out) {
    if (!c || !out)
        return swirl__error(SWIRL_EBADARG, "getpeername: NULL argument");
    if (c->fd < 0)
        return swirl__error(SWIRL_ESTATE, "getpeername: the client has no socket");
    if (!c->stream && c->state != CS_CONNECTED) {
        if (!c->have_from)
            return swirl__error(SWIRL_ESTATE, "getpeername: no datagram received yet");
        *out = c->last_from;
        return 0;
    }
    return swirl_net_peer_addr(c->fd, out);
}
