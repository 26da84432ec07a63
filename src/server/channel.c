/* src/server/channel.c — packet queues between reactor threads and workers.
 * Messages are packed into SOCK_SEQPACKET packets of up to 64 KiB, many per
 * packet under load (one send() carries them all), and a message larger
 * than a packet travels as consecutive chunks. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../core/internal.h"
#include "internal.h"

void swirl__outq_init(swirl__outq_t *q) {
    memset(q, 0, sizeof(*q));
    q->open_at = SIZE_MAX;
}

void swirl__outq_destroy(swirl__outq_t *q) {
    swirl_buf_destroy(&q->buf);
    q->open_at = SIZE_MAX;
}

/* Append one message of hdr + payload pieces (already chunk-sized). */
static int put_one(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                   const void *b, size_t blen) {
    size_t need = sizeof(*hdr) + alen + blen;
    uint32_t plen = 0;
    if (q->open_at != SIZE_MAX)
        memcpy(&plen, swirl_buf_bytes(&q->buf) + q->open_at, 4);
    if (q->open_at == SIZE_MAX || plen + need > SWIRL__PACKET_MAX) {
        int rc = swirl_buf_reserve(&q->buf, 4 + need);
        if (rc < 0)
            return rc;
        q->open_at = swirl_buf_size(&q->buf);
        plen = 0;
        swirl_buf_append(&q->buf, &plen, 4);
    } else {
        int rc = swirl_buf_reserve(&q->buf, need);
        if (rc < 0)
            return rc;
    }
    swirl_buf_append(&q->buf, hdr, sizeof(*hdr));
    swirl_buf_append(&q->buf, a, alen);
    swirl_buf_append(&q->buf, b, blen);
    plen += (uint32_t)need;
    memcpy(swirl_buf_bytes(&q->buf) + q->open_at, &plen, 4);
    return 0;
}

int swirl__outq_put(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                    const void *b, size_t blen) {
    const size_t chunk = SWIRL__PACKET_MAX - sizeof(swirl__msg_t);
    size_t total = alen + blen;
    swirl__msg_t h = *hdr;
    if (total <= chunk) {
        h.len = (uint32_t)total;
        h.flags |= SWIRL__F_BEGIN | SWIRL__F_END;
        return put_one(q, &h, a, alen, b, blen);
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
        int rc = put_one(q, &h, first ? a : NULL, first ? alen : 0, (const char *)b + off, n);
        if (rc < 0)
            return rc;
        off += n;
        first = false;
    }
    return 0;
}

int swirl__outq_flush(swirl__outq_t *q, int fd) {
    while (swirl_buf_size(&q->buf) > 0) {
        uint32_t plen;
        memcpy(&plen, swirl_buf_bytes(&q->buf), 4);
        ssize_t n = send(fd, swirl_buf_bytes(&q->buf) + 4, plen, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : swirl__neg_errno();
        }
        swirl_buf_consume(&q->buf, 4 + (size_t)plen);
        if (q->open_at != SIZE_MAX)
            q->open_at = q->open_at == 0 ? SIZE_MAX : q->open_at - (4 + plen);
    }
    q->open_at = SIZE_MAX;
    return 0;
}
