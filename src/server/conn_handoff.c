/* src/server/conn_handoff.c — a BASE worker's connections handed to its
 * successor on a reload, and taken by it. The connection table is
 * connio.c's (conn.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../core/internal.h"
#include "conn.h"

/* ---- hand-off (BASE reload) -----------------------------------------------------------------
 * A stopping worker's connections go to its successor over a socket pair
 * of the master's (srv->handoff[id]): packets of [swirl__msg_t][swirl__handoff_t]
 * [bytes] per connection, their fds in SCM_RIGHTS, in the same order. The
 * kernel holds a descriptor in flight while nobody has it open, so the
 * peer's socket never closes and what it sends meanwhile waits in its
 * receive buffer for the successor. */
#define HANDOFF_FDS SWIRL_NET_MAX_FDS /* connections per packet */

/* May the connection on `fd` move now? 1 yes (its unhandled bytes
 * appended to `bytes`), 0 not yet, < 0 never. */
static int movable(swirl__io_t *io, int fd, swirl_buf_t *bytes) {
    swirl__conn_t *c = conn_of(io, fd);
    swirl__local_t *l = local_of(io, fd);
    /* a protocol status past 1: the layer above holds its state here (a
     * WebSocket handshake or frames) */
    if (l->ssl || l->handshaking || atomic_load(&c->proto[SWIRL__CONN_PROTO_STATUS]) > 1)
        return -1; /* its state lives in this process */
    if (owed(io, fd) || l->paused || l->in_deliver)
        return 0;
    swirl_server_t *srv = io->srv;
    int ok = srv->handoff_check
                 ? srv->handoff_check(srv->handoff_user, atomic_load(&c->session), bytes)
                 : 1;
    if (ok == 1 && swirl_buf_append(bytes, swirl_buf_bytes(&l->in), swirl_buf_size(&l->in)) < 0)
        return 0;
    return ok;
}

/* The connections of the packet are gone from here: the owner hears of a
 * close (the session ends; the successor makes a new one), the slot and
 * this process's descriptor are freed. If the packet could not go, they
 * are closed instead (after their output, as before hand-off existed). */
static void handoff_flush(swirl__io_t *io, int sock, swirl_buf_t *pkt, int *fds, int *n) {
    if (*n == 0)
        return;
    ssize_t sent = swirl_net_send_fds(sock, swirl_buf_bytes(pkt), swirl_buf_size(pkt), fds, *n);
    int rc = sent < 0 ? (int)sent : 0;
    if (rc < 0)
        swirl_log_warning("server: handing %d connections to the next worker: %s; closing them", *n,
                          swirl_strerror(rc));
    else
        swirl_log_debug("server: %d connections handed to the next worker", *n);
    for (int i = 0; i < *n; i++) {
        int fd = fds[i];
        if (rc < 0) {
            swirl__io_close(io, atomic_load(&conn_of(io, fd)->session), false);
            continue;
        }
        local_of(io, fd)->closing = true; /* nothing more goes out from here */
        swirl__conn_notify(io, fd);
        swirl__conn_release(io, fd, false);
    }
    *n = 0;
    swirl_buf_clear(pkt);
}

void swirl__io_handoff(swirl__io_t *io, int sock) {
    swirl__conn_stop_accepting(io);
    swirl_buf_t pkt, bytes;
    swirl_buf_init(&pkt);
    swirl_buf_init(&bytes);
    int fds[HANDOFF_FDS], n = 0;
    for (int fd = 0; fd < io->local_cap && fd < io->srv->fd_cap; fd++) {
        swirl__conn_t *c = conn_of(io, fd);
        int64_t session = atomic_load(&c->session);
        swirl__local_t *l = local_of(io, fd);
        if (session == 0 || l->closing || l->tearing || l->notified || l->peer_eof)
            continue; /* on its way out already */
        swirl_buf_clear(&bytes);
        int ok = movable(io, fd, &bytes);
        if (ok < 0) {
            swirl__io_close(io, session, false);
            continue;
        }
        if (ok == 0)
            continue; /* a request in hand: next time */
        swirl__msg_t h = {.type = SWIRL__MSG_HANDOFF,
                          .flags = SWIRL__F_BEGIN | SWIRL__F_END,
                          .aux = (uint16_t)c->port_index,
                          .session = session,
                          .len = (uint32_t)(sizeof(swirl__handoff_t) + swirl_buf_size(&bytes))};
        size_t need = sizeof(h) + h.len;
        if (need > SWIRL__PACKET_MAX) {
            swirl_log_warning("server: connection %lld holds %zu bytes of a message, too many to "
                              "hand to the next worker; closing it",
                              (long long)session, swirl_buf_size(&bytes));
            swirl__io_close(io, session, false);
            continue;
        }
        if (n == HANDOFF_FDS || swirl_buf_size(&pkt) + need > SWIRL__PACKET_MAX)
            handoff_flush(io, sock, &pkt, fds, &n);
        swirl__handoff_t ho = {.peer = c->peer, .connect_time = c->connect_time};
        if (swirl_buf_append(&pkt, &h, sizeof(h)) < 0 ||
            swirl_buf_append(&pkt, &ho, sizeof(ho)) < 0 ||
            swirl_buf_append(&pkt, swirl_buf_bytes(&bytes), swirl_buf_size(&bytes)) < 0) {
            handoff_flush(io, sock, &pkt, fds, &n); /* this one waits for the next time */
            break;
        }
        fds[n++] = fd;
    }
    handoff_flush(io, sock, &pkt, fds, &n);
    swirl_buf_destroy(&pkt);
    swirl_buf_destroy(&bytes);
}

/* One packet of handed-over connections: adopt each with its bytes. */
static void take_packet(swirl__io_t *io, const char *pkt, size_t len, const int *fds, int nfds) {
    int next = 0;
    size_t off = 0;
    while (off + sizeof(swirl__msg_t) <= len) {
        swirl__msg_t h;
        memcpy(&h, pkt + off, sizeof(h));
        off += sizeof(h);
        if (h.len > len - off)
            break; /* malformed: cannot happen between our own processes */
        const char *p = pkt + off;
        off += h.len;
        if (h.type != SWIRL__MSG_HANDOFF || h.len < sizeof(swirl__handoff_t) || next >= nfds)
            continue;
        int fd = fds[next++];
        swirl__handoff_t ho;
        memcpy(&ho, p, sizeof(ho));
        if (h.aux >= io->srv->nports) {
            close(fd);
            continue;
        }
        if (!swirl__conn_adopt(io, io->srv->ports[h.aux], fd, &ho.peer, &ho))
            continue;
        size_t rest = h.len - sizeof(ho);
        if (rest > 0)
            swirl__conn_take_input(io, fd, p + sizeof(ho), rest);
    }
    for (; next < nfds; next++)
        close(fds[next]); /* none is left: still, close what came */
}

void swirl__io_take_handoffs(swirl__io_t *io, int sock) {
    char *pkt = swirl_malloc(SWIRL__PACKET_MAX);
    if (!pkt) {
        swirl_log_error("server: out of memory taking connections from the last worker; "
                        "trying again");
        return;
    }
    for (int i = 0; i < 16; i++) {
        int fds[HANDOFF_FDS], nfds;
        ssize_t n = swirl_net_recv_fds(sock, pkt, SWIRL__PACKET_MAX, fds, HANDOFF_FDS, &nfds);
        if (n <= 0) {
            while (nfds > 0)
                close(fds[--nfds]);
            break;
        }
        swirl_log_debug("server: %d connections taken from the last worker", nfds);
        take_packet(io, pkt, (size_t)n, fds, nfds);
    }
    swirl_free(pkt);
}
