/* tools/bench.c — the closed-loop load engine of `swirl bench` and the
 * `swirl bench <kind>` dispatcher.
 *
 * Each connection runs rounds: the kind says what a round sends, the
 * engine sends it (from the kind's memory, never copied), reads what
 * comes back into one shared buffer and hands it to the kind, which says
 * when the round is complete and how many requests it answered. A round's
 * latency is from its first byte offered to its last byte back. A failed
 * connection is counted, reported (the first few) and connected again
 * after a short pause, so a restarting server is measured, not hammered. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"
#include "cli.h"

#define READS_PER_WAKEUP 16 /* one connection reading megabytes must not starve the rest */
#define RECONNECT_MS 50
#define MAX_ERROR_LINES 20

enum { CONN_IDLE, CONN_CONNECTING, CONN_OPEN };

static bench_conn_t *conn_at(bench_t *b, long i) {
    return (bench_conn_t *)(void *)(b->conns + (size_t)i * b->kind->conn_size);
}

static void conn_connect(bench_conn_t *c);

static void conn_drop(bench_conn_t *c) {
    if (c->ssl) {
        /* no close_notify (the close is the end), but marked as shut down:
         * OpenSSL would otherwise take the session as broken and never
         * resume it */
        SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    c->tls_ready = false;
    if (c->fd >= 0) {
        swirl_loop_del(c->b->loop, c->fd);
        swirl_net_close(c->fd);
    }
    c->fd = -1;
    c->state = CONN_IDLE;
    c->want_write = false;
}

static void on_retry(swirl_loop_t *loop, int64_t id, void *user) {
    bench_conn_t *c = user;
    c->retry_timer = 0;
    conn_connect(c);
}

static void say(bench_conn_t *c, const char *fmt, va_list ap) {
    bench_t *b = c->b;
    b->errors++;
    if (b->error_lines < MAX_ERROR_LINES) {
        fprintf(stderr, "%s: connection %d: ", b->kind->cmd, c->id);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    } else if (b->error_lines == MAX_ERROR_LINES) {
        fprintf(stderr, "%s: further errors are counted, not shown\n", b->kind->cmd);
    }
    b->error_lines++;
}

void bench_error(bench_conn_t *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say(c, fmt, ap);
    va_end(ap);
}

void bench_fail(bench_conn_t *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say(c, fmt, ap);
    va_end(ap);
    conn_drop(c);
    if (c->b->stopping)
        return;
    int64_t id = swirl_timer_after(c->b->loop, RECONNECT_MS, on_retry, c);
    c->retry_timer = id > 0 ? id : 0;
}

/* ---- sending ---------------------------------------------------------------------------- */

static int arm_write(bench_conn_t *c, bool on) {
    if (c->want_write == on)
        return 0;
    c->want_write = on;
    return swirl_loop_set(c->b->loop, c->fd, SWIRL_EV_READ | (on ? SWIRL_EV_WRITE : 0), NULL, NULL);
}

/* Offer the rest of this round's bytes to the kernel; what it refuses is
 * sent when the socket becomes writable. */
static void conn_send_tls(bench_conn_t *c) {
    while (c->sent < c->len) {
        struct iovec iov[2];
        c->b->kind->iov(c, c->sent, iov);
        size_t w = 0;
        ERR_clear_error();
        if (SSL_write_ex(c->ssl, iov[0].iov_base, iov[0].iov_len, &w) != 1) {
            int err = SSL_get_error(c->ssl, 0);
            if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
                if (arm_write(c, err == SSL_ERROR_WANT_WRITE) < 0)
                    bench_fail(c, "arming for write: %s", swirl_last_error_msg());
                return;
            }
            bench_fail(c, "TLS write (round %" PRIu32 "): %s", c->round,
                       ERR_reason_error_string(ERR_peek_last_error())
                           ? ERR_reason_error_string(ERR_peek_last_error())
                           : strerror(errno));
            return;
        }
        c->sent += w;
    }
    if (arm_write(c, false) < 0)
        bench_fail(c, "disarming write: %s", swirl_last_error_msg());
}

static void conn_send(bench_conn_t *c) {
    if (c->ssl) {
        conn_send_tls(c);
        return;
    }
    while (c->sent < c->len) {
        struct iovec iov[2];
        int n = c->b->kind->iov(c, c->sent, iov);
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (arm_write(c, true) < 0)
                    bench_fail(c, "arming for write: %s", swirl_last_error_msg());
                return;
            }
            bench_fail(c, "send (round %" PRIu32 "): %s", c->round, strerror(errno));
            return;
        }
        c->sent += (size_t)w;
    }
    if (arm_write(c, false) < 0)
        bench_fail(c, "disarming write: %s", swirl_last_error_msg());
}

static void round_start(bench_conn_t *c) {
    c->round++;
    c->sent = 0;
    c->len = 0;
    c->answered = 1;
    c->reconnect = false;
    c->t0_ns = swirl_clock_ns();
    c->b->kind->round(c);
    conn_send(c);
}

/* The round is complete with `answered` requests: the next one, on this
 * connection or a new one. */
static void round_done(bench_conn_t *c) {
    bench_t *b = c->b;
    if (c->answered > 0) { /* a set-up round (a handshake) is not timed */
        bench_hist_record(&b->hist, swirl_clock_ns() - c->t0_ns);
        b->rounds++;
        b->requests += (uint64_t)c->answered;
    }
    if (c->reconnect) {
        conn_drop(c);
        conn_connect(c);
    } else {
        round_start(c);
    }
}

/* ---- receiving -------------------------------------------------------------------------- */

static void tls_handshake(bench_conn_t *c);

/* Decrypted bytes: a count, 0 at the end, -EAGAIN, or -EPROTO. */
static ssize_t tls_read(bench_conn_t *c) {
    size_t got = 0;
    ERR_clear_error();
    if (SSL_read_ex(c->ssl, c->b->scratch, BENCH_READ_CHUNK, &got) == 1)
        return (ssize_t)got;
    switch (SSL_get_error(c->ssl, 0)) {
    case SSL_ERROR_WANT_READ:
        return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        arm_write(c, true);
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (!ERR_peek_last_error())
            return errno && errno != EAGAIN ? -errno : 0;
        /* fall through */
    default:
        return -EPROTO;
    }
}

static void on_readable(swirl_loop_t *loop, int fd, int events, void *user) {
    bench_conn_t *c = user;
    bench_t *b = c->b;
    if (c->ssl && !c->tls_ready) {
        tls_handshake(c);
        return;
    }
    /* under TLS, read until OpenSSL is empty: bytes it holds make no event */
    for (int reads = 0; reads < READS_PER_WAKEUP || (c->ssl && SSL_has_pending(c->ssl)); reads++) {
        ssize_t n = c->ssl ? tls_read(c) : swirl_net_read(fd, b->scratch, BENCH_READ_CHUNK);
        if (n == -EAGAIN)
            return;
        long done;
        if (n == 0) {
            done = b->kind->eof ? b->kind->eof(c) : 0;
            if (done == 0)
                bench_fail(c, "server closed the connection in round %" PRIu32, c->round);
            else if (done > 0) {
                c->reconnect = true; /* the server's close ended the round */
                round_done(c);
            }
            return;
        }
        if (n < 0) {
            bench_fail(c, "read (round %" PRIu32 "): %s", c->round, swirl_strerror((int)n));
            return;
        }
        done = b->kind->data(c, b->scratch, (size_t)n);
        if (done < 0)
            return; /* failed by the kind */
        if (done > 0) {
            round_done(c);
            return; /* the next answer cannot be here yet */
        }
    }
}

/* ---- connecting ------------------------------------------------------------------------- */

static void conn_open(bench_conn_t *c, bool registered) {
    bench_t *b = c->b;
    if (b->type != SWIRL_SOCK_UNIX_STREAM)
        swirl_net_set_nodelay(c->fd, true); /* a request must not wait for an ACK */
    int rc = registered ? swirl_loop_set(b->loop, c->fd, SWIRL_EV_READ, NULL, NULL)
                        : swirl_loop_add(b->loop, c->fd, SWIRL_EV_READ, on_readable, NULL, c);
    if (rc < 0) {
        bench_fail(c, "watching the socket: %s", swirl_last_error_msg());
        return;
    }
    c->state = CONN_OPEN;
    c->want_write = false;
    if (b->tls) {
        c->ssl = SSL_new(b->tls_ctx);
        if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
            bench_fail(c, "TLS: no memory for a connection");
            return;
        }
        SSL_set_connect_state(c->ssl);
        if (b->tls_session)
            SSL_set_session(c->ssl, b->tls_session);
        tls_handshake(c);
        return;
    }
    round_start(c);
}

static void tls_handshake(bench_conn_t *c) {
    bench_t *b = c->b;
    ERR_clear_error();
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->tls_ready = true;
        b->tls_handshakes++;
        if (SSL_session_reused(c->ssl))
            b->tls_resumed++;
        if (arm_write(c, false) < 0) {
            bench_fail(c, "disarming write: %s", swirl_last_error_msg());
            return;
        }
        round_start(c);
        return;
    }
    int err = SSL_get_error(c->ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (arm_write(c, err == SSL_ERROR_WANT_WRITE) < 0)
            bench_fail(c, "arming for write: %s", swirl_last_error_msg());
        return;
    }
    unsigned long e = ERR_peek_last_error();
    bench_fail(c, "TLS handshake with %s: %s", b->target,
               e ? ERR_reason_error_string(e) : "connection closed");
    ERR_clear_error();
}

static void on_writable(swirl_loop_t *loop, int fd, int events, void *user) {
    bench_conn_t *c = user;
    if (c->state == CONN_CONNECTING) {
        int rc = swirl_net_connect_result(fd);
        if (rc < 0)
            bench_fail(c, "connect %s: %s", c->b->target, swirl_strerror(rc));
        else
            conn_open(c, true);
        return;
    }
    if (c->ssl && !c->tls_ready) {
        tls_handshake(c);
        return;
    }
    conn_send(c);
}

static void conn_connect(bench_conn_t *c) {
    bench_t *b = c->b;
    int fd = -1;
    int rc = swirl_net_connect(b->type, b->host, b->port, &fd);
    if (rc == 0) {
        c->fd = fd;
        conn_open(c, false);
        return;
    }
    if (rc != -EINPROGRESS) {
        bench_fail(c, "%s", swirl_last_error_msg());
        return;
    }
    c->fd = fd;
    c->state = CONN_CONNECTING;
    if (swirl_loop_add(b->loop, fd, SWIRL_EV_WRITE, on_readable, on_writable, c) < 0)
        bench_fail(c, "watching the socket: %s", swirl_last_error_msg());
}

/* ---- the run ---------------------------------------------------------------------------- */

static void finish(bench_t *b) {
    if (b->stopping)
        return;
    b->stopping = true;
    b->t_end_ns = swirl_clock_ns();
    for (long i = 0; i < b->nconns; i++) {
        bench_conn_t *c = conn_at(b, i);
        if (c->retry_timer)
            swirl_timer_clear(b->loop, c->retry_timer);
        c->retry_timer = 0;
        conn_drop(c);
    }
    swirl_timer_clear(b->loop, b->tick_timer);
    swirl_timer_clear(b->loop, b->end_timer);
    swirl_signal_del(b->loop, SIGINT);
    swirl_signal_del(b->loop, SIGTERM);
    swirl_loop_stop(b->loop);
}

static void on_tick(swirl_loop_t *loop, int64_t id, void *user) {
    bench_t *b = user;
    b->ticks++;
    fprintf(stderr, "%ds: %" PRIu64 " req/s, errors %" PRIu64 "\n", b->ticks,
            b->requests - b->last_requests, b->errors);
    b->last_requests = b->requests;
}

static void on_end(swirl_loop_t *loop, int64_t id, void *user) { finish(user); }

static void on_signal(swirl_loop_t *loop, int signo, void *user) { finish(user); }

static int loop_run(bench_t *b) {
    const char *cmd = b->kind->cmd;
    int rc = swirl_loop_new(&b->loop);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", cmd, swirl_last_error_msg());
        return 1;
    }
    b->t_start_ns = swirl_clock_ns();
    b->tick_timer = swirl_timer_tick(b->loop, 1000, on_tick, b);
    b->end_timer = swirl_timer_after(b->loop, b->seconds * 1000, on_end, b);
    if (b->tick_timer < 0 || b->end_timer < 0) {
        fprintf(stderr, "%s: %s\n", cmd, swirl_last_error_msg());
        swirl_loop_free(b->loop);
        return 1;
    }
    /* Ctrl-C ends the run early, still with a report. */
    swirl_signal_add(b->loop, SIGINT, on_signal, b);
    swirl_signal_add(b->loop, SIGTERM, on_signal, b);
    for (long i = 0; i < b->nconns; i++)
        conn_connect(conn_at(b, i));
    rc = swirl_loop_run(b->loop);
    if (rc < 0)
        fprintf(stderr, "%s: event loop: %s\n", cmd, swirl_strerror(rc));
    finish(b); /* no-op after a normal end */
    swirl_loop_free(b->loop);
    return rc < 0 ? 1 : 0;
}

static void report(const bench_t *b) {
    double secs = (double)(b->t_end_ns - b->t_start_ns) / 1e9;
    if (b->requests == 0)
        fprintf(stderr, "%s: no request was answered\n", b->kind->cmd);
    printf("requests: %" PRIu64 "\n", b->requests);
    printf("requests_per_sec: %.1f\n", secs > 0 ? (double)b->requests / secs : 0.0);
    printf("round_trips_per_sec: %.1f\n", secs > 0 ? (double)b->rounds / secs : 0.0);
    printf("latency_p50_us: %.1f\n", bench_hist_quantile(&b->hist, 0.50) / 1000.0);
    printf("latency_p99_us: %.1f\n", bench_hist_quantile(&b->hist, 0.99) / 1000.0);
    printf("errors: %" PRIu64 "\n", b->errors);
    printf("connections: %ld\n", b->nconns);
    if (b->tls)
        printf("tls_handshakes: %" PRIu64 "\ntls_resumed: %" PRIu64 "\n", b->tls_handshakes,
               b->tls_resumed);
    printf("duration_s: %.2f\n", secs);
    fflush(stdout);
}

/* Raise the soft fd limit if the connections would not fit under it. */
static int ensure_fds(const char *cmd, long nconns) {
    struct rlimit rl;
    rlim_t need = (rlim_t)nconns + 32;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        fprintf(stderr, "%s: -c: %ld connections need %llu open files; the limit is %llu\n", cmd,
                nconns, (unsigned long long)need, (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "%s: -c: cannot raise the open file limit to %llu: %s\n", cmd,
                (unsigned long long)need, strerror(errno));
        return -1;
    }
    return 0;
}

int bench_parse_common(bench_t *b, int opt, const char *text) {
    if (opt == 'T') {
        b->tls = true;
        return 0;
    }
    if (opt == 'c')
        return cli_parse_long(b->kind->cmd, "-c", text, 1, BENCH_MAX_CONNS, &b->nconns);
    return cli_parse_long(b->kind->cmd, "-d", text, 1, BENCH_MAX_SECONDS, &b->seconds);
}

int bench_parse_url(const char *cmd, const char *url, const char *scheme, const char *tls_scheme,
                    int default_port, bench_url_t *u) {
    size_t tl = strlen(tls_scheme), sl = strlen(scheme);
    u->tls = strncasecmp(url, tls_scheme, tl) == 0 && strncmp(url + tl, "://", 3) == 0;
    if (u->tls)
        default_port = 443;
    else if (strncasecmp(url, scheme, sl) != 0) {
        fprintf(stderr, "%s: %s: expected a URL starting with %s or %s\n", cmd, url, scheme,
                tls_scheme);
        return -1;
    }
    const char *p = url + (u->tls ? tl + 3 : sl), *slash = strchr(p, '/');
    size_t auth = slash ? (size_t)(slash - p) : strlen(p);
    if (auth == 0 || auth >= sizeof(u->host)) {
        fprintf(stderr, "%s: %s: no host, or a host too long\n", cmd, url);
        return -1;
    }
    memcpy(u->host, p, auth);
    u->host[auth] = 0;
    snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
    for (const char *q = u->path; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) {
            fprintf(stderr,
                    "%s: %s: the path has a space or a control byte (percent-encode "
                    "it)\n",
                    cmd, url);
            return -1;
        }
    char name[256];
    const char *port = NULL;
    if (u->host[0] == '[') {
        const char *close = strchr(u->host, ']');
        if (!close || (close[1] && close[1] != ':')) {
            fprintf(stderr, "%s: %s: bad [IPv6] host\n", cmd, url);
            return -1;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(close - u->host - 1), u->host + 1);
        port = close[1] ? close + 2 : NULL;
    } else {
        const char *colon = strchr(u->host, ':');
        snprintf(name, sizeof(name), "%.*s", (int)(colon ? (size_t)(colon - u->host) : auth),
                 u->host);
        port = colon ? colon + 1 : NULL;
    }
    long v = default_port;
    if (port && cli_parse_long(cmd, "URL port", port, 1, 65535, &v) < 0)
        return -1;
    u->port = (int)v;
    /* a name is resolved once, here (blocking is fine before the run) */
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0 || !res) {
        fprintf(stderr, "%s: %s: cannot resolve \"%s\": %s\n", cmd, url, name, gai_strerror(rc));
        return -1;
    }
    rc = getnameinfo(res->ai_addr, res->ai_addrlen, u->addr, sizeof(u->addr), NULL, 0,
                     NI_NUMERICHOST);
    freeaddrinfo(res);
    if (rc != 0) {
        fprintf(stderr, "%s: %s: \"%s\": %s\n", cmd, url, name, gai_strerror(rc));
        return -1;
    }
    return 0;
}

int bench_take_url(bench_t *b, int argc, char **argv, const char *scheme, const char *tls_scheme,
                   bench_url_t *url) {
    const char *cmd = b->kind->cmd;
    if (optind != argc - 1) {
        if (optind < argc)
            fprintf(stderr, "%s: one URL, please (extra \"%s\")\n", cmd, argv[argc - 1]);
        else
            fprintf(stderr, "%s: which URL?\n", cmd);
        return 2;
    }
    if (bench_parse_url(cmd, argv[optind], scheme, tls_scheme, 80, url) < 0)
        return 2;
    b->tls |= url->tls;
    b->host = url->addr;
    b->port = url->port;
    b->type = strchr(url->addr, ':') ? SWIRL_SOCK_TCP6 : SWIRL_SOCK_TCP;
    int rc = bench_prepare(b);
    return rc ? rc : -1;
}

int bench_prepare(bench_t *b) {
    swirl_addr_t addr;
    if (swirl_addr_parse(&addr, b->type, b->host, b->port) < 0) {
        fprintf(stderr, "%s: %s\n", b->kind->cmd, swirl_last_error_msg());
        return 2;
    }
    swirl_addr_format(&addr, b->target, sizeof(b->target));
    return ensure_fds(b->kind->cmd, b->nconns) < 0 ? 2 : 0;
}

/* Keep the newest session the server hands out (TLS 1.3 tickets come
 * after the handshake): the next connection resumes it. */
static int on_new_session(SSL *ssl, SSL_SESSION *sess) {
    bench_t *b = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (b->tls_session)
        SSL_SESSION_free(b->tls_session);
    b->tls_session = sess;
    return 1; /* we keep the reference */
}

static int tls_setup(bench_t *b) {
    b->tls_ctx = SSL_CTX_new(TLS_client_method());
    if (!b->tls_ctx) {
        fprintf(stderr, "%s: TLS: cannot make a context\n", b->kind->cmd);
        return -1;
    }
    SSL_CTX_set_app_data(b->tls_ctx, b);
    SSL_CTX_set_verify(b->tls_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(b->tls_ctx,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(b->tls_ctx,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(b->tls_ctx, on_new_session);
    static const unsigned char alpn[] = "\x08http/1.1";
    if (strcmp(b->kind->cmd, "swirl bench tcp") != 0)
        SSL_CTX_set_alpn_protos(b->tls_ctx, alpn, sizeof(alpn) - 1);
    return 0;
}

int bench_run(bench_t *b) {
    int code = 1;
    b->scratch = swirl_malloc(BENCH_READ_CHUNK);
    b->conns = swirl_calloc((size_t)b->nconns, b->kind->conn_size);
    if (!b->scratch || !b->conns) {
        fprintf(stderr, "%s: out of memory\n", b->kind->cmd);
        goto out;
    }
    for (long i = 0; i < b->nconns; i++) {
        bench_conn_t *c = conn_at(b, i);
        c->b = b;
        c->id = (int)i;
        c->fd = -1;
    }
    if (b->tls && tls_setup(b) < 0)
        goto out;
    if (loop_run(b) != 0)
        goto out;
    report(b);
    code = b->errors == 0 ? 0 : 1;
out:
    for (long i = 0; b->conns && b->kind->cleanup && i < b->nconns; i++)
        b->kind->cleanup(conn_at(b, i));
    swirl_free(b->conns);
    swirl_free(b->scratch);
    b->conns = b->scratch = NULL;
    if (b->tls_session)
        SSL_SESSION_free(b->tls_session);
    SSL_CTX_free(b->tls_ctx);
    b->tls_session = NULL;
    b->tls_ctx = NULL;
    return code;
}

/* ---- `swirl bench` ---------------------------------------------------------------------- */

static void bench_usage(FILE *out) {
    fprintf(out, "usage: swirl bench <kind> [options]\n"
                 "\n"
                 "kinds:\n"
                 "  tcp    echo round trips over TCP or a Unix socket (against `swirl echo`)\n"
                 "  http   HTTP/1.1 requests to a URL (keep-alive or not, pipelined or not)\n"
                 "  ws     WebSocket echo round trips (messages checked)\n"
                 "\n"
                 "`swirl bench <kind> --help` describes a kind's options.\n");
}

int swirl_cli_bench(int argc, char **argv) {
    if (argc < 2) {
        bench_usage(stderr);
        return 2;
    }
    const char *kind = argv[1];
    if (strcmp(kind, "tcp") == 0)
        return swirl_bench_tcp(argc - 1, argv + 1);
    if (strcmp(kind, "http") == 0)
        return swirl_bench_http(argc - 1, argv + 1);
    if (strcmp(kind, "ws") == 0)
        return swirl_bench_ws(argc - 1, argv + 1);
    if (strcmp(kind, "help") == 0 || strcmp(kind, "--help") == 0 || strcmp(kind, "-h") == 0) {
        bench_usage(stdout);
        return 0;
    }
    fprintf(stderr, "swirl bench: unknown kind \"%s\"\n\n", kind);
    bench_usage(stderr);
    return 2;
}
