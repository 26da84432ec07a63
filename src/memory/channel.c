/* src/memory/channel.c — a bounded many-producer many-consumer queue of
 * messages in shared memory: a byte ring of length-prefixed messages under a
 * robust mutex, with a futex that sleeping consumers wait on.
 *
 * Each side's state (message count and ring offset) is one 64-bit word
 * written with a single store after the bytes are copied, so a process
 * killed in the middle of a push or a pop leaves either the old state or the
 * new one, never half of each. */
#include <string.h>
#include <swirl/core.h>
#include <swirl/memory.h>

#include "core/internal.h"
#include "internal.h"

#define RING_OFFSET 128

struct swirl_shm_channel {
    pthread_mutex_t mutex;
    uint32_t capacity; /* ring bytes; never changes */
    uint32_t waiters;  /* consumers asleep or about to be (mutex) */
    uint32_t seq;      /* futex word, bumped by every push */
    uint32_t pad;
    uint64_t wstate; /* messages pushed << 32 | write offset (mutex) */
    uint64_t rstate; /* messages popped << 32 | read offset (mutex) */
};
_Static_assert(sizeof(struct swirl_shm_channel) <= RING_OFFSET, "channel head fits");

static unsigned char *ring(swirl_shm_channel_t *c) { return (unsigned char *)c + RING_OFFSET; }

/* Messages queued and ring bytes they take, from the two state words. */
static void usage(const swirl_shm_channel_t *c, uint32_t *messages, uint32_t *used) {
    uint64_t w = __atomic_load_n(&c->wstate, __ATOMIC_ACQUIRE);
    uint64_t r = __atomic_load_n(&c->rstate, __ATOMIC_ACQUIRE);
    uint32_t n = (uint32_t)(w >> 32) - (uint32_t)(r >> 32);
    uint32_t woff = (uint32_t)w, roff = (uint32_t)r;
    *messages = n;
    if (n == 0)
        *used = 0;
    else /* equal offsets with messages queued: the ring is exactly full */
        *used = woff > roff ? woff - roff : woff + c->capacity - roff;
}

static void ring_put(swirl_shm_channel_t *c, uint32_t off, const void *src, size_t n) {
    size_t first = c->capacity - off < n ? c->capacity - off : n;
    memcpy(ring(c) + off, src, first);
    memcpy(ring(c), (const unsigned char *)src + first, n - first);
}

static void ring_get(swirl_shm_channel_t *c, uint32_t off, void *dst, size_t n) {
    size_t first = c->capacity - off < n ? c->capacity - off : n;
    memcpy(dst, ring(c) + off, first);
    memcpy((unsigned char *)dst + first, ring(c), n - first);
}

static uint32_t advance(const swirl_shm_channel_t *c, uint32_t off, size_t n) {
    return (uint32_t)(((size_t)off + n) % c->capacity);
}

static int lock(swirl_shm_channel_t *c) {
    int rc = swirl__mutex_lock(&c->mutex, NULL);
    if (rc == 1) {
        swirl_log_warning("channel: a process died holding its lock; recovered (no message is "
                          "half in the queue)");
        return 0;
    }
    return rc < 0 ? swirl__error(rc, "channel: lock:") : 0;
}

int swirl_shm_channel_new(swirl_shm_channel_t **out, size_t capacity) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "channel: out is NULL");
    if (capacity < SWIRL_SHM_CHANNEL_MIN || capacity > SWIRL_SHM_CHANNEL_MAX)
        return swirl__error(SWIRL_EBADARG, "channel: capacity must be %u..%u bytes, got %zu",
                            SWIRL_SHM_CHANNEL_MIN, SWIRL_SHM_CHANNEL_MAX, capacity);
    void *mem;
    int rc = swirl__shm_map(RING_OFFSET + capacity, "channel", &mem);
    if (rc < 0)
        return rc;
    swirl_shm_channel_t *c = mem;
    if ((rc = swirl__mutex_init(&c->mutex)) < 0) {
        swirl__shm_unmap(mem, RING_OFFSET + capacity);
        return swirl__error(rc, "channel: initialising its mutex:");
    }
    c->capacity = (uint32_t)capacity;
    *out = c;
    return 0;
}

void swirl_shm_channel_free(swirl_shm_channel_t *c) {
    if (c)
        swirl__shm_unmap(c, RING_OFFSET + (size_t)c->capacity);
}

int swirl_shm_channel_push(swirl_shm_channel_t *c, const void *data, size_t len) {
    if (!c || (len && !data))
        return swirl__error(SWIRL_EBADARG, "channel: push: channel or data is NULL");
    if (len > c->capacity - 4)
        return swirl__error(SWIRL_ETOOBIG,
                            "channel: a message of %zu bytes (+4 for its length) can never fit "
                            "in a channel of %u bytes",
                            len, c->capacity);
    int rc = lock(c);
    if (rc < 0)
        return rc;
    uint32_t messages, used;
    usage(c, &messages, &used);
    if (4 + len > c->capacity - used) {
        swirl__mutex_unlock(&c->mutex);
        return swirl__error(SWIRL_EFULL,
                            "channel: full: %u messages in %u of %u bytes, no room for %zu + 4",
                            messages, used, c->capacity, len);
    }
    uint64_t w = c->wstate;
    uint32_t off = (uint32_t)w;
    uint32_t l = (uint32_t)len;
    ring_put(c, off, &l, 4);
    ring_put(c, advance(c, off, 4), data, len);
    /* Commit: one store makes the whole message visible. */
    uint64_t pushed = (w >> 32) + 1;
    __atomic_store_n(&c->wstate, (pushed << 32) | advance(c, off, 4 + len), __ATOMIC_RELEASE);
    __atomic_add_fetch(&c->seq, 1, __ATOMIC_RELEASE);
    uint32_t waiters = c->waiters;
    swirl__mutex_unlock(&c->mutex);
    if (waiters)
        swirl__futex_wake(&c->seq, 1);
    return 0;
}

int swirl_shm_channel_pop(swirl_shm_channel_t *c, void *buf, size_t cap, int timeout_ms) {
    if (!c || (cap && !buf))
        return swirl__error(SWIRL_EBADARG, "channel: pop: channel or buffer is NULL");
    struct timespec deadline, *dl = NULL;
    if (timeout_ms > 0) {
        swirl__deadline(&deadline, timeout_ms);
        dl = &deadline;
    }
    int rc = lock(c);
    if (rc < 0)
        return rc;
    uint32_t messages, used;
    for (;;) {
        usage(c, &messages, &used);
        if (messages > 0)
            break;
        if (timeout_ms == 0 || rc == -ETIMEDOUT) {
            swirl__mutex_unlock(&c->mutex);
            return -ETIMEDOUT;
        }
        /* Sleep on `seq` as it is now: a push after we unlock changes it,
         * so its wakeup cannot be missed. */
        uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
        c->waiters++;
        swirl__mutex_unlock(&c->mutex);
        rc = swirl__futex_wait(&c->seq, seq, dl);
        int lrc = lock(c);
        if (lrc < 0)
            return lrc;
        c->waiters--;
        if (rc < 0 && rc != -EAGAIN && rc != -EINTR && rc != -ETIMEDOUT) {
            swirl__mutex_unlock(&c->mutex);
            return swirl__error(rc, "channel: pop: waiting:");
        }
    }
    uint64_t r = c->rstate;
    uint32_t off = (uint32_t)r, len;
    ring_get(c, off, &len, 4);
    if (len > cap) {
        swirl__mutex_unlock(&c->mutex);
        return swirl__error(SWIRL_ETOOBIG,
                            "channel: pop: the next message has %u bytes, the buffer %zu (it "
                            "stays queued)",
                            len, cap);
    }
    ring_get(c, advance(c, off, 4), buf, len);
    uint64_t popped = (r >> 32) + 1;
    __atomic_store_n(&c->rstate, (popped << 32) | advance(c, off, 4 + (size_t)len),
                     __ATOMIC_RELEASE);
    uint32_t waiters = c->waiters;
    swirl__mutex_unlock(&c->mutex);
    /* More messages and more sleepers: pass the wakeup on, in case the
     * push that was meant for them woke us instead. */
    if (messages > 1 && waiters)
        swirl__futex_wake(&c->seq, 1);
    return (int)len;
}

int swirl_shm_channel_stats(swirl_shm_channel_t *c, swirl_shm_channel_stats_t *out) {
    if (!c || !out)
        return swirl__error(SWIRL_EBADARG, "channel: stats: channel or out is NULL");
    int rc = lock(c);
    if (rc < 0)
        return rc;
    uint32_t messages, used;
    usage(c, &messages, &used);
    swirl__mutex_unlock(&c->mutex);
    out->messages = messages;
    out->bytes_used = used;
    out->capacity = c->capacity;
    return 0;
}
