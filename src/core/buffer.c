/* src/core/buffer.c — growable byte buffers with a read cursor. Consumed
 * space at the front is reclaimed by sliding the live bytes down only when
 * that avoids a reallocation, so appends stay amortised O(1). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <swirl/core.h>

void swirl_buf_init(swirl_buf_t *buf) { memset(buf, 0, sizeof(*buf)); }

void swirl_buf_destroy(swirl_buf_t *buf) {
    swirl_free(buf->data);
    swirl_buf_init(buf);
}

int swirl_buf_reserve(swirl_buf_t *buf, size_t n) {
    if (buf->cap - buf->len >= n)
        return 0;
    size_t live = buf->len - buf->start;
    if (n > SIZE_MAX / 2 - live)
        return SWIRL_ETOOBIG;
    size_t need = live + n;
    /* Sliding the live bytes to the front beats growing when that makes room. */
    if (buf->start > 0 && buf->cap >= need) {
        memmove(buf->data, buf->data + buf->start, live);
        buf->start = 0;
        buf->len = live;
        return 0;
    }
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = swirl_malloc(cap);
    if (!p)
        return -ENOMEM;
    if (live)
        memcpy(p, buf->data + buf->start, live);
    swirl_free(buf->data);
    buf->data = p;
    buf->cap = cap;
    buf->start = 0;
    buf->len = live;
    return 0;
}

int swirl_buf_append(swirl_buf_t *buf, const void *data, size_t n) {
    if (n == 0)
        return 0;
    int rc = swirl_buf_reserve(buf, n);
    if (rc < 0)
        return rc;
    memcpy(buf->data + buf->len, data, n);
    buf->len += n;
    return 0;
}

int swirl_buf_appendf(swirl_buf_t *buf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SWIRL_EBADARG;
    /* +1 for the NUL vsnprintf writes; it is not counted as live. */
    int rc = swirl_buf_reserve(buf, (size_t)n + 1);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

void swirl_buf_consume(swirl_buf_t *buf, size_t n) {
    size_t live = buf->len - buf->start;
    if (n >= live) {
        buf->start = buf->len = 0;
        return;
    }
    buf->start += n;
}

void swirl_buf_clear(swirl_buf_t *buf) { buf->start = buf->len = 0; }
