/* src/server/outq.c — packet queues between reactor threads and workers.
 * Messages are packed into SOCK_SEQPACKET packets of up to 64 KiB, many per
 * packet under load (one send() carries them all), and a message larger
 * than a packet travels as consecutive chunks. A message may carry an open
 * file (F_FD): the fd rides with its packet as SCM_RIGHTS, so the receiver
 * uses the very file the sender opened and checked. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <swirl/net.h>

#include "../core/internal.h"
#include "internal.h"

void swirl__outq_init(swirl__outq_t *q) {
    memset(q, 0, sizeof(*q));
    q->open_at = SIZE_MAX;
}

/* Each packet in `buf` is [u32 length][u32 fds][packet]: `fds` of the
 * queue's fds, in order, go with it. */
#define PFX 8

void swirl__outq_clear(swirl__outq_t *q) {
    for (size_t i = 0; i < q->nfds; i++)
        close(q->fds[i]);
    q->nfds = 0;
    swirl_buf_clear(&q->buf);
    q->open_at = SIZE_MAX;
}

void swirl__outq_destroy(swirl__outq_t *q) {
    swirl__outq_clear(q);
    swirl_free(q->fds);
    q->fds = NULL;
    q->fds_cap = 0;
    swirl_buf_destroy(&q->buf);
}

/* Append one message of hdr + payload pieces (already chunk-sized), and
 * the fd it carries (-1: none; kept by the caller on failure). */
static int put_one(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                   const void *b, size_t blen, int fd) {
    size_t need = sizeof(*hdr) + alen + blen;
    uint32_t pfx[2] = {0, 0};
    if (q->open_at != SIZE_MAX)
        memcpy(pfx, swirl_buf_bytes(&q->buf) + q->open_at, PFX);
    if (fd >= 0 && q->nfds == q->fds_cap) {
        size_t cap = q->fds_cap ? q->fds_cap * 2 : 8;
        int *fds = swirl_realloc(q->fds, cap * sizeof(*fds));
        if (!fds)
            return -ENOMEM;
        q->fds = fds;
        q->fds_cap = cap;
    }
    if (q->open_at == SIZE_MAX || pfx[0] + need > SWIRL__PACKET_MAX ||
        (fd >= 0 && pfx[1] == SWIRL__PACKET_FDS)) {
        int rc = swirl_buf_reserve(&q->buf, PFX + need);
        if (rc < 0)
            return rc;
        q->open_at = swirl_buf_size(&q->buf);
        pfx[0] = pfx[1] = 0;
        swirl_buf_append(&q->buf, pfx, PFX);
    } else {
        int rc = swirl_buf_reserve(&q->buf, need);
        if (rc < 0)
            return rc;
    }
    swirl_buf_append(&q->buf, hdr, sizeof(*hdr));
    swirl_buf_append(&q->buf, a, alen);
    swirl_buf_append(&q->buf, b, blen);
    pfx[0] += (uint32_t)need;
    if (fd >= 0) {
        q->fds[q->nfds++] = fd;
        pfx[1]++;
    }
    memcpy(swirl_buf_bytes(&q->buf) + q->open_at, pfx, PFX);
    return 0;
}

int swirl__outq_put_fd(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                       const void *b, size_t blen, int fd) {
    swirl__msg_t h = *hdr;
    h.len = (uint32_t)(alen + blen);
    h.flags |= SWIRL__F_BEGIN | SWIRL__F_END | SWIRL__F_FD;
    int rc = alen + blen <= SWIRL__PACKET_MAX - sizeof(swirl__msg_t)
                 ? put_one(q, &h, a, alen, b, blen, fd)
                 : -EMSGSIZE; /* a message with a file is never cut in chunks */
    if (rc < 0)
        close(fd);
    return rc;
}

int swirl__outq_put(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                    const void *b, size_t blen) {
    const size_t chunk = SWIRL__PACKET_MAX - sizeof(swirl__msg_t);
    size_t total = alen + blen;
    swirl__msg_t h = *hdr;
    if (total <= chunk) {
        h.len = (uint32_t)total;
        h.flags |= SWIRL__F_BEGIN | SWIRL__F_END;
        return put_one(q, &h, a, alen, b, blen, -1);
    }
    /* Chunks: the first carries `a` (a small prefix such as an address)
     * plus the start of `b`; the rest carry `b` only. */
    size_t off = 0;
    bool first = true;
    while (off < blen || first) {
        size_t room = chunk - (first ? alen : 0);
        size_t n = blen - off < room ? blen - off : room;
        h = *hdr;
        h.len = (uint32_t)((first ? alen : 0) + n);
        h.flags = (uint8_t)(hdr->flags | (first ? SWIRL__F_BEGIN : 0) |
                            (off + n == blen ? SWIRL__F_END : 0));
        int rc = put_one(q, &h, first ? a : NULL, first ? alen : 0, (const char *)b + off, n, -1);
        if (rc < 0)
            return rc;
        off += n;
        first = false;
    }
    return 0;
}

int swirl__outq_flush(swirl__outq_t *q, int fd) {
    while (swirl_buf_size(&q->buf) > 0) {
        uint32_t pfx[2];
        memcpy(pfx, swirl_buf_bytes(&q->buf), PFX);
        ssize_t n =
            swirl_net_send_fds(fd, swirl_buf_bytes(&q->buf) + PFX, pfx[0], q->fds, (int)pfx[1]);
        /* ETOOMANYREFS: too many fds in flight; the reader takes them soon */
        if (n == -EAGAIN || n == -ETOOMANYREFS)
            return -EAGAIN;
        if (n < 0)
            return swirl__error((int)n, "channel: send:");
        if (pfx[1]) { /* the receiver has its own copies now */
            for (uint32_t i = 0; i < pfx[1]; i++)
                close(q->fds[i]);
            q->nfds -= pfx[1];
            memmove(q->fds, q->fds + pfx[1], q->nfds * sizeof(*q->fds));
        }
        swirl_buf_consume(&q->buf, PFX + (size_t)pfx[0]);
        if (q->open_at != SIZE_MAX)
            q->open_at = q->open_at == 0 ? SIZE_MAX : q->open_at - (PFX + pfx[0]);
    }
    q->open_at = SIZE_MAX;
    return 0;
}

ssize_t swirl__chan_recv(int fd, char *pkt, int *fds, int *nfds) {
    ssize_t n = swirl_net_recv_fds(fd, pkt, SWIRL__PACKET_MAX, fds, SWIRL__PACKET_FDS, nfds);
    if (n < 0)
        errno = (int)-n; /* as recv(2) */
    return n < 0 ? -1 : n;
}

int swirl__chan_take_fd(const swirl__msg_t *h, const int *fds, int nfds, int *next) {
    if (!(h->flags & SWIRL__F_FD))
        return -1;
    return *next < nfds ? fds[(*next)++] : -1;
}

void swirl__chan_close_rest(const int *fds, int nfds, int next) {
    for (int i = next; i < nfds; i++)
        close(fds[i]);
}
