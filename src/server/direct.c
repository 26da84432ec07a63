/* src/server/direct.c — the channel of the processes that have no worker
 * loop of their own: the master (its callbacks and timers), the manager, the
 * user processes, and a task worker's sends to connections in PROCESS mode
 * (a task worker has no pipe to the reactors).
 *
 * Such a process writes each message at once, whole, in a packet of its
 * own (BEGIN and END set), straight into the socket of its receiver, waiting
 * for room until send_timeout: a reactor thread through the worker end of
 * worker 0's pipe (the master, the manager and their children hold it), a
 * worker's mailbox, a task worker's task socket. A SOCK_SEQPACKET socket
 * takes each packet whole, so several writers never interleave inside one;
 * and a whole message needs no reassembly, so it never mixes into the
 * chunks another writer is sending on the same socket. Bytes for a
 * connection larger than a packet go as several SEND messages, in order. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "../core/internal.h"
#include "internal.h"

#define CHUNK (SWIRL__PACKET_MAX - sizeof(swirl__msg_t))

static int wait_ms(const swirl_server_t *srv) {
    double t = srv->settings.send_timeout > 0 ? srv->settings.send_timeout : 60.0;
    return (int)(t * 1000.0 + 0.5);
}

int swirl__direct_put(swirl_server_t *srv, int fd, const swirl__msg_t *hdr, const void *a,
                      size_t alen, const void *b, size_t blen) {
    if (fd < 0)
        return swirl__error(SWIRL_ESTATE, "channel: this process has no way to that receiver");
    if (alen + blen > CHUNK)
        return swirl__error(SWIRL_ETOOBIG, "channel: a message of %zu bytes from this process: "
                                           "at most %zu",
                            alen + blen, (size_t)CHUNK);
    char pkt[SWIRL__PACKET_MAX];
    swirl__msg_t h = *hdr;
    h.len = (uint32_t)(alen + blen);
    h.flags |= SWIRL__F_BEGIN | SWIRL__F_END;
    memcpy(pkt, &h, sizeof(h));
    if (alen)
        memcpy(pkt + sizeof(h), a, alen);
    if (blen)
        memcpy(pkt + sizeof(h) + alen, b, blen);
    size_t n = sizeof(h) + alen + blen;
    uint64_t deadline = swirl_clock_ms() + (uint64_t)wait_ms(srv);
    for (;;) {
        ssize_t rc = send(fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (rc >= 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != ENOBUFS)
            return swirl__error(swirl__neg_errno(), "channel: send:");
        uint64_t now = swirl_clock_ms();
        if (now >= deadline)
            return swirl__error(-ETIMEDOUT, "channel: the receiver took nothing for %d ms",
                                wait_ms(srv));
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
            return swirl__error(swirl__neg_errno(), "channel: poll:");
    }
}

/* The socket that reaches the owner of connection `c`. */
static int owner_fd(swirl_server_t *srv, const swirl__conn_t *c) {
    if (srv->mode == SWIRL_MODE_PROCESS)
        return srv->pipes ? srv->pipes[c->owner][0][1] : -1;
    return srv->mailbox ? srv->mailbox[c->owner][0] : -1;
}

int swirl__direct_send(swirl_server_t *srv, swirl__conn_t *c, int64_t fd, const void *data,
                       size_t len) {
    int out = owner_fd(srv, c);
    swirl__msg_t h = {.type = SWIRL__MSG_SEND, .session = fd, .reactor_id = -1};
    size_t off = 0;
    do {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        atomic_fetch_add(&c->out_pending, (int64_t)n);
        int rc = swirl__direct_put(srv, out, &h, NULL, 0, (const char *)data + off, n);
        if (rc < 0) {
            atomic_fetch_sub(&c->out_pending, (int64_t)n);
            return rc;
        }
        off += n;
    } while (off < len);
    return 0;
}

int swirl__direct_simple(swirl_server_t *srv, swirl__conn_t *c, int64_t fd, int type, int flags) {
    swirl__msg_t h = {
        .type = (uint8_t)type, .flags = (uint8_t)flags, .session = fd, .reactor_id = -1};
    return swirl__direct_put(srv, owner_fd(srv, c), &h, NULL, 0, NULL, 0);
}
