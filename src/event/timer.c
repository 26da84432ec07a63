/* src/event/timer.c — timers: a binary min-heap ordered by (deadline, seq)
 * for O(log n) add/clear and O(1) next-deadline, plus an id -> timer hash
 * map so clear/exists by id are O(1). Deadlines are monotonic nanoseconds,
 * so a timer never fires before its time. */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../core/internal.h"
#include "internal.h"

struct swirl__timer {
    int64_t id;
    uint64_t deadline; /* ns, monotonic */
    uint64_t seq;      /* creation order; breaks deadline ties, bounds one run */
    uint64_t interval; /* ns; 0 for a one-shot timer */
    swirl_timer_cb cb;
    void *user;
    size_t heap_idx;
    uint64_t round;      /* the pass it was made in */
    uint64_t exec_count; /* runs of a tick */
    bool running;        /* its callback is on the stack */
    bool cleared; /* cleared while running: free once the callback returns */
    bool machinery; /* the owner's (swirl_timer_set_machinery) */
};

/* ---- heap -------------------------------------------------------------------------------- */

static bool before(const swirl__timer_t *a, const swirl__timer_t *b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_place(swirl_loop_t *loop, size_t i, swirl__timer_t *t) {
    loop->heap[i] = t;
    t->heap_idx = i;
}

static void sift_up(swirl_loop_t *loop, size_t i) {
    swirl__timer_t *t = loop->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, loop->heap[parent]))
            break;
        heap_place(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_place(loop, i, t);
}

static void sift_down(swirl_loop_t *loop, size_t i) {
    swirl__timer_t *t = loop->heap[i];
    size_t n = loop->heap_len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(loop->heap[c + 1], loop->heap[c]))
            c++;
        if (!before(loop->heap[c], t))
            break;
        heap_place(loop, i, loop->heap[c]);
        i = c;
    }
    heap_place(loop, i, t);
}

static int heap_push(swirl_loop_t *loop, swirl__timer_t *t) {
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        swirl__timer_t **p = swirl_realloc(loop->heap, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        loop->heap = p;
        loop->heap_cap = cap;
    }
    heap_place(loop, loop->heap_len++, t);
    sift_up(loop, t->heap_idx);
    if (t->machinery)
        loop->machinery_timers++;
    return 0;
}

static void heap_remove(swirl_loop_t *loop, swirl__timer_t *t) {
    if (t->machinery)
        loop->machinery_timers--;
    size_t i = t->heap_idx;
    swirl__timer_t *last = loop->heap[--loop->heap_len];
    if (last == t)
        return;
    heap_place(loop, i, last);
    if (i > 0 && before(last, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

/* ---- id map: linear probing with backward-shift deletion (no tombstones) ----------------- */

static size_t slot_of(int64_t id, size_t cap) {
    uint64_t h =
        (uint64_t)id * 0x9E3779B97F4A7C15ull; /* Fibonacci hashing spreads sequential ids */
    return (size_t)(h >> 32) & (cap - 1);
}

static swirl__timer_t *map_find(const swirl_loop_t *loop, int64_t id) {
    if (loop->map_cap == 0)
        return NULL;
    for (size_t i = slot_of(id, loop->map_cap);; i = (i + 1) & (loop->map_cap - 1)) {
        swirl__timer_t *t = loop->map[i];
        if (!t)
            return NULL;
        if (t->id == id)
            return t;
    }
}

static void map_put_nogrow(swirl__timer_t **map, size_t cap, swirl__timer_t *t) {
    size_t i = slot_of(t->id, cap);
    while (map[i])
        i = (i + 1) & (cap - 1);
    map[i] = t;
}

static int map_put(swirl_loop_t *loop, swirl__timer_t *t) {
    /* keep the load factor under 1/2; every pending timer is in the heap */
    if ((loop->heap_len + 1) * 2 > loop->map_cap) {
        size_t cap = loop->map_cap ? loop->map_cap * 2 : 128;
        swirl__timer_t **m = swirl_calloc(cap, sizeof(*m));
        if (!m)
            return -ENOMEM;
        for (size_t i = 0; i < loop->map_cap; i++)
            if (loop->map[i])
                map_put_nogrow(m, cap, loop->map[i]);
        swirl_free(loop->map);
        loop->map = m;
        loop->map_cap = cap;
    }
    map_put_nogrow(loop->map, loop->map_cap, t);
    return 0;
}

static void map_del(swirl_loop_t *loop, int64_t id) {
    size_t mask = loop->map_cap - 1;
    size_t i = slot_of(id, loop->map_cap);
    while (loop->map[i]->id != id)
        i = (i + 1) & mask;
    /* Shift later members of the probe run back so lookups never stop at
     * the hole before reaching them. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; loop->map[j]; j = (j + 1) & mask) {
        size_t home = slot_of(loop->map[j]->id, loop->map_cap);
        /* move j into the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            loop->map[hole] = loop->map[j];
            hole = j;
        }
    }
    loop->map[hole] = NULL;
}

/* ---- public API -------------------------------------------------------------------------- */

/* Per-process singleton: timer ids are unique across the loops of a process
 * (a forked child goes on from its parent's count), so a timer moved to
 * another loop (swirl_timer_move) keeps its id. */
static _Atomic int64_t swirl__timer_ids = 1;

static int64_t timer_add(swirl_loop_t *loop, int64_t ms, bool repeat, swirl_timer_cb cb,
                         void *user) {
    const char *what = repeat ? "timer tick" : "timer after";
    if (!cb)
        return swirl__error(SWIRL_EBADARG, "%s: callback is NULL", what);
    if (ms < (repeat ? 1 : 0) || ms > INT64_MAX / 2000000)
        return swirl__error(SWIRL_EBADARG, "%s: interval must be %s ms, got %lld", what,
                            repeat ? ">= 1" : ">= 0", (long long)ms);
    swirl__timer_t *t = swirl_malloc(sizeof(*t));
    if (!t)
        return swirl__error(-ENOMEM, "%s:", what);
    uint64_t now = swirl_clock_ns();
    if (loop->timer_base_ns == 0)
        loop->timer_base_ns = now;
    *t = (swirl__timer_t){.id = atomic_fetch_add(&swirl__timer_ids, 1),
                          .deadline = now + (uint64_t)ms * 1000000u,
                          .round = loop->timer_round,
                          .seq = loop->next_timer_seq,
                          .interval = repeat ? (uint64_t)ms * 1000000u : 0,
                          .cb = cb,
                          .user = user};
    if (map_put(loop, t) < 0) {
        swirl_free(t);
        return swirl__error(-ENOMEM, "%s:", what);
    }
    if (heap_push(loop, t) < 0) {
        map_del(loop, t->id);
        swirl_free(t);
        return swirl__error(-ENOMEM, "%s:", what);
    }
    loop->next_timer_seq++;
    return t->id;
}

int64_t swirl_timer_after(swirl_loop_t *loop, int64_t ms, swirl_timer_cb cb, void *user) {
    return timer_add(loop, ms, false, cb, user);
}

int64_t swirl_timer_tick(swirl_loop_t *loop, int64_t ms, swirl_timer_cb cb, void *user) {
    return timer_add(loop, ms, true, cb, user);
}

int swirl_timer_clear(swirl_loop_t *loop, int64_t id) {
    swirl__timer_t *t = id > 0 ? map_find(loop, id) : NULL;
    if (!t)
        return swirl__error(-ENOENT, "timer clear: no pending timer %lld", (long long)id);
    heap_remove(loop, t);
    map_del(loop, id);
    if (t->running)
        t->cleared = true;
    else
        swirl_free(t);
    return 0;
}

int swirl_timer_set_machinery(swirl_loop_t *loop, int64_t id) {
    swirl__timer_t *t = id > 0 ? map_find(loop, id) : NULL;
    if (!t)
        return swirl__error(-ENOENT, "timer machinery: no pending timer %lld", (long long)id);
    if (!t->machinery) {
        t->machinery = true;
        loop->machinery_timers++;
    }
    return 0;
}

bool swirl_timer_exists(const swirl_loop_t *loop, int64_t id) {
    return id > 0 && map_find(loop, id) != NULL;
}

size_t swirl_timer_count(const swirl_loop_t *loop) { return loop->heap_len; }

int swirl_timer_info(const swirl_loop_t *loop, int64_t id, swirl_timer_info_t *out) {
    const swirl__timer_t *t = id > 0 ? map_find(loop, id) : NULL;
    if (!t || !out)
        return swirl__error(-ENOENT, "timer info: no pending timer %lld", (long long)id);
    out->due_ms = (int64_t)((t->deadline - loop->timer_base_ns) / 1000000u);
    uint64_t now = swirl_clock_ns();
    out->left_ms = t->deadline > now ? (int64_t)((t->deadline - now + 999999u) / 1000000u) : 0;
    out->interval_ms = (int64_t)(t->interval / 1000000u);
    out->exec_count = t->exec_count;
    out->round = t->round;
    return 0;
}

uint64_t swirl_timer_round(const swirl_loop_t *loop) { return loop->timer_round; }

int64_t swirl_timer_move(swirl_loop_t *from, int64_t id, swirl_loop_t *to) {
    swirl__timer_t *t = id > 0 ? map_find(from, id) : NULL;
    if (!t)
        return swirl__error(-ENOENT, "timer move: no pending timer %lld", (long long)id);
    if (t->running)
        return swirl__error(SWIRL_ESTATE, "timer move: timer %lld is running", (long long)id);
    if (from == to)
        return id;
    /* ids are unique in the process: one taken in `to` only by a timer
     * moved there from a loop of another thread's count (never, today) */
    int64_t nid = map_find(to, id) ? atomic_fetch_add(&swirl__timer_ids, 1) : id;
    /* make room in `to` first, so a failure leaves the timer where it was */
    if (to->heap_len == to->heap_cap) {
        size_t cap = to->heap_cap ? to->heap_cap * 2 : 64;
        swirl__timer_t **p = swirl_realloc(to->heap, cap * sizeof(*p));
        if (!p)
            return swirl__error(-ENOMEM, "timer move:");
        to->heap = p;
        to->heap_cap = cap;
    }
    int64_t old = t->id;
    t->id = nid;
    if (map_put(to, t) < 0) {
        t->id = old;
        return swirl__error(-ENOMEM, "timer move:");
    }
    t->id = old;
    heap_remove(from, t);
    map_del(from, old);
    t->id = nid;
    if (to->timer_base_ns == 0)
        to->timer_base_ns = from->timer_base_ns ? from->timer_base_ns : swirl_clock_ns();
    t->round = to->timer_round;
    t->seq = to->next_timer_seq++;
    heap_push(to, t); /* cannot fail: room was made above */
    return nid;
}

/* ---- driving ----------------------------------------------------------------------------- */

int64_t swirl__timers_next(swirl_loop_t *loop) {
    if (loop->heap_len == 0)
        return -1;
    uint64_t d = loop->heap[0]->deadline;
    return d <= loop->now_ns ? 0 : (int64_t)(d - loop->now_ns);
}

void swirl__timers_run(swirl_loop_t *loop) {
    /* Timers created (or rescheduled) while running get a seq at or past
     * this mark and wait for the next iteration, so a timer that re-arms
     * itself with 0 ms cannot pin the loop here. */
    uint64_t seq_mark = loop->next_timer_seq;
    while (loop->heap_len > 0) {
        swirl__timer_t *t = loop->heap[0];
        if (t->deadline > loop->now_ns || t->seq >= seq_mark)
            break;
        int64_t id = t->id;
        if (t->interval == 0) {
            heap_remove(loop, t);
            map_del(loop, id);
            t->cb(loop, id, t->user);
            swirl_free(t);
            continue;
        }
        /* Reschedule before the call so the callback sees it pending; skip
         * missed periods instead of firing them in a burst. */
        uint64_t next = t->deadline + t->interval;
        if (next <= loop->now_ns)
            next = loop->now_ns + t->interval;
        t->deadline = next;
        t->seq = loop->next_timer_seq++;
        sift_down(loop, t->heap_idx);
        t->running = true;
        t->exec_count++;
        t->cb(loop, id, t->user);
        t->running = false;
        if (t->cleared)
            swirl_free(t);
    }
    loop->timer_round++;
}

void swirl__timers_free(swirl_loop_t *loop) {
    for (size_t i = 0; i < loop->heap_len; i++)
        swirl_free(loop->heap[i]);
    loop->machinery_timers = 0;
    swirl_free(loop->heap);
    swirl_free(loop->map);
    loop->heap = NULL;
    loop->map = NULL;
    loop->heap_len = loop->heap_cap = loop->map_cap = 0;
}
