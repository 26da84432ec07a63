/* src/client/socket.c — a client's socket: peer names and their
 * resolution, a non-blocking socket with the settings applied, connected;
 * reads into the receive buffer (through TLS when there is a session); and
 * dropping it all. Shared by the blocking client (client.c) and the async
 * one (async.c). */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/internal.h"

bool swirl__client_foreign(const swirl_client_t *c) { return c->owner && c->owner != getpid(); }

void swirl__client_drop(swirl_client_t *c) {
    if (c->tls && swirl__client_foreign(c))
        SSL_free(c->tls); /* the parent's session: no close_notify from here */
    else
        swirl__tls_free(c->tls);
    c->tls = NULL;
    swirl_net_close(c->fd);
    c->fd = -1;
    swirl_buf_destroy(&c->in);
    swirl_buf_destroy(&c->out);
    c->scan_from = 0;
    c->peer_closed = false;
    c->state = CS_IDLE;
}

static bool is_unix(swirl_sock_type_t t) {
    return t == SWIRL_SOCK_UNIX_STREAM || t == SWIRL_SOCK_UNIX_DGRAM;
}

static bool is_v6(swirl_sock_type_t t) { return t == SWIRL_SOCK_TCP6 || t == SWIRL_SOCK_UDP6; }

void swirl__client_name_peer(char *buf, size_t size, swirl_sock_type_t type, const char *host,
                             int port) {
    if (is_unix(type))
        snprintf(buf, size, "%.200s", host);
    else if (strchr(host, ':') && host[0] != '[')
        snprintf(buf, size, "[%.200s]:%d", host, port);
    else
        snprintf(buf, size, "%.200s:%d", host, port);
}

int swirl__client_resolve(swirl_client_t *c, const char *host, int port, swirl_addr_t *addrs,
                          size_t max, size_t *n) {
    char what[300];
    swirl__client_name_peer(what, sizeof(what), c->type, host, port);
    *n = 0;
    if (!is_unix(c->type) && (port < 1 || port > 65535))
        return swirl__client_fail(c, SWIRL_EBADPORT, "port %d for %s \"%.200s\": expected 1..65535",
                                  port, swirl_sock_type_name(c->type), host);
    int rc = swirl_addr_parse(&addrs[0], c->type, host, port);
    if (rc == 0) {
        *n = 1;
        return 0;
    }
    if (rc != SWIRL_EBADADDR || is_unix(c->type) || !host[0])
        return swirl__client_keep_error(c, rc);
    /* A name: getaddrinfo blocks, which a blocking client may do (the
     * async client resolves with swirl_dns_lookup). */
    struct addrinfo hints = {.ai_family = is_v6(c->type) ? AF_INET6 : AF_INET,
                             .ai_socktype = c->stream ? SOCK_STREAM : SOCK_DGRAM};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        int code = gai == EAI_SYSTEM ? swirl__neg_errno() : SWIRL_EBADADDR;
        return swirl__client_fail(c, code, "connect to %s: cannot resolve host \"%.200s\": %s",
                                  what, host,
                                  gai == EAI_SYSTEM ? strerror(-code) : gai_strerror(gai));
    }
    for (struct addrinfo *ai = res; ai && *n < max; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(addrs[0].u))
            continue;
        memset(&addrs[*n], 0, sizeof(addrs[0]));
        memcpy(&addrs[*n].u, ai->ai_addr, ai->ai_addrlen);
        addrs[*n].len = ai->ai_addrlen;
        (*n)++;
    }
    freeaddrinfo(res);
    if (*n == 0)
        return swirl__client_fail(c, SWIRL_EBADADDR, "connect to %s: no address for \"%.200s\"",
                                  what, host);
    return 0;
}

/* ---- sockets ----------------------------------------------------------------------------- */

/* A non-blocking socket for `family` with the settings applied and bound
 * to bind_address/bind_port when set. */
int swirl__client_socket(swirl_client_t *c, int family, int *fd_out) {
    int fd =
        socket(family, (c->stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return swirl__client_fail(c, swirl__neg_errno(), "connect to %s: socket:", c->peer_name);
    int rc = 0;
    const client_settings_t *s = &c->set;
    if (s->socket_buffer_size > 0 && (rc = swirl_net_set_bufsize(fd, (int)s->socket_buffer_size,
                                                                 (int)s->socket_buffer_size)) < 0) {
        rc =
            swirl__client_fail(c, rc, "socket_buffer_size %lld:", (long long)s->socket_buffer_size);
        goto fail;
    }
    if (s->open_tcp_nodelay && !is_unix(c->type) && c->stream &&
        (rc = swirl_net_set_nodelay(fd, true)) < 0) {
        rc = swirl__client_fail(c, rc, "open_tcp_nodelay:");
        goto fail;
    }
    if (s->bind_address || s->bind_port) {
        swirl_addr_t local;
        const char *h = s->bind_address ? s->bind_address : is_v6(c->type) ? "::" : "0.0.0.0";
        if ((rc = swirl_addr_parse(&local, c->type, h, (int)s->bind_port)) < 0) {
            rc =
                swirl__client_fail(c, rc, "bind_address \"%.200s\": %s", h, swirl_last_error_msg());
            goto fail;
        }
        int one = 1;
        if (s->bind_port)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, &local.u.sa, local.len) != 0) {
            rc = swirl__client_fail(c, swirl__neg_errno(), "bind %.200s port %lld:", h,
                                    (long long)s->bind_port);
            goto fail;
        }
    } else if (c->type == SWIRL_SOCK_UNIX_DGRAM) {
        /* autobind: a unique abstract name the server can answer to */
        struct sockaddr_un self = {.sun_family = AF_UNIX};
        if (bind(fd, (struct sockaddr *)&self, sizeof(sa_family_t)) != 0) {
            rc =
                swirl__client_fail(c, swirl__neg_errno(), "connect to %s: autobind:", c->peer_name);
            goto fail;
        }
    }
    *fd_out = fd;
    return 0;

fail:
    close(fd);
    return rc;
}

int swirl__client_open(swirl_client_t *c, const swirl_addr_t *addr, int *fd_out) {
    int fd, rc = swirl__client_socket(c, addr->u.sa.sa_family, &fd);
    if (rc < 0)
        return rc;
    /* An interrupted connect goes on in the background: wait for it as for
     * EINPROGRESS (retrying would give EALREADY). */
    if (connect(fd, &addr->u.sa, addr->len) != 0) {
        if (errno == EINPROGRESS || errno == EINTR) {
            *fd_out = fd;
            return -EINPROGRESS;
        }
        rc = swirl__client_fail(c, swirl__neg_errno(), "connect to %s:", c->peer_name);
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

ssize_t swirl__client_read_some(swirl_client_t *c, size_t max, int *want) {
    int rc = swirl_buf_reserve(&c->in, max);
    if (rc < 0)
        return swirl__client_fail(c, rc, "recv from %s: no memory for %zu bytes", c->peer_name,
                                  max);
    char *at = c->in.data + c->in.len;
    ssize_t n;
    if (c->tls) {
        n = swirl__client_tls_read(c, at, max, want);
    } else {
        n = swirl_net_read(c->fd, at, max);
        if (n == -EAGAIN)
            *want = SWIRL_EV_READ;
        else if (n == -ECONNRESET)
            n = 0; /* a reset is the peer going away, as an EOF */
        else if (n < 0)
            swirl__client_fail(c, (int)n, "recv from %s:", c->peer_name);
    }
    if (n > 0)
        swirl_buf_commit(&c->in, (size_t)n);
    return n;
}
