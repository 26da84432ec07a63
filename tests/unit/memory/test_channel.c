/* tests/unit/memory/test_channel.c — the shared message channel: order,
 * wrap-around, full and too-big, timeouts, 2 producers and 2 consumers
 * (every message exactly once), a consumer woken by another process, and
 * producers killed mid-push. */
#include <sched.h>
#include <stdio.h>

#include "memtest.h"

Test(channel, order_wrap_and_stats, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 64), 0);
    char buf[64];
    swirl_shm_channel_stats_t st;
    /* Odd sizes, many times round the ring. */
    for (int k = 0; k < 1000; k++) {
        char msg[40];
        int n = snprintf(msg, sizeof(msg), "m%d-%.*s", k, k % 23, "abcdefghijklmnopqrstuvw");
        cr_assert_eq(swirl_shm_channel_push(c, msg, (size_t)n), 0);
        cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
        cr_assert_eq(st.messages, 1);
        cr_assert_eq(st.bytes_used, 4 + (size_t)n);
        cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 0), n);
        cr_assert_eq(memcmp(buf, msg, (size_t)n), 0, "message %d", k);
    }
    /* Exactly full: 4 messages of 12 bytes (+4 each) in 64. */
    for (int k = 0; k < 4; k++)
        cr_assert_eq(swirl_shm_channel_push(c, "twelve bytes", 12), 0);
    cr_assert_eq(swirl_shm_channel_push(c, "", 0), SWIRL_EFULL);
    MT_MSG_HAS("full");
    cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
    cr_assert_eq(st.messages, 4);
    cr_assert_eq(st.bytes_used, 64);
    cr_assert_eq(st.capacity, 64);
    cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 0), 12);
    cr_assert_eq(swirl_shm_channel_push(c, "", 0), 0, "empty messages are allowed");
    for (int k = 0; k < 3; k++)
        cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 0), 12);
    cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 0), 0, "the empty one");
    cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
    cr_assert_eq(st.messages, 0);
    cr_assert_eq(st.bytes_used, 0);
    swirl_shm_channel_free(c);
    TU_FD_END();
}

Test(channel, too_big_and_small_buffer, .timeout = 30) {
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 64), 0);
    char big[100] = {0}, buf[64];
    cr_assert_eq(swirl_shm_channel_push(c, big, 61), SWIRL_ETOOBIG);
    MT_MSG_HAS("61 bytes");
    MT_MSG_HAS("64 bytes");
    cr_assert_eq(swirl_shm_channel_push(c, big, 60), 0, "60 + 4 fills it exactly");
    cr_assert_eq(swirl_shm_channel_pop(c, buf, 10, 0), SWIRL_ETOOBIG);
    MT_MSG_HAS("60 bytes");
    swirl_shm_channel_stats_t st;
    cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
    cr_assert_eq(st.messages, 1, "the message stays");
    cr_assert_eq(swirl_shm_channel_pop(c, buf, 60, 0), 60);
    swirl_shm_channel_free(c);

    cr_assert_eq(swirl_shm_channel_new(&c, 8), SWIRL_EBADARG);
    MT_MSG_HAS("capacity must be");
    cr_assert_eq(swirl_shm_channel_new(&c, (size_t)SWIRL_SHM_CHANNEL_MAX + 1), SWIRL_EBADARG);
}

Test(channel, empty_pop_times_out, .timeout = 30) {
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 1024), 0);
    char buf[16];
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 0), -ETIMEDOUT);
    cr_assert_lt(swirl_clock_ms() - t0, 50);
    t0 = swirl_clock_ms();
    cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), 150), -ETIMEDOUT);
    uint64_t waited = swirl_clock_ms() - t0;
    cr_assert_geq(waited, 145);
    cr_assert_lt(waited, 2000);
    swirl_shm_channel_free(c);
}

static int late_pusher(void *arg) {
    usleep(100000);
    return swirl_shm_channel_push(arg, "wake", 4) == 0 ? 0 : 1;
}

Test(channel, sleeping_consumer_woken_by_another_process, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 1024), 0);
    pid_t pid = mt_fork(late_pusher, c);
    char buf[16];
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_shm_channel_pop(c, buf, sizeof(buf), -1), 4);
    cr_assert_geq(swirl_clock_ms() - t0, 90);
    cr_assert_eq(memcmp(buf, "wake", 4), 0);
    mt_reap_ok(pid);
    swirl_shm_channel_free(c);
    mt_no_children();
    TU_FD_END();
}

/* ---- 2 producers, 2 consumers -------------------------------------------------------------- */

#define PER_PRODUCER 50000

/* A message: producer id, sequence number, then (seq % 50) filler bytes
 * that repeat the low byte of seq. */
struct msg_head {
    uint32_t producer, seq;
};

static size_t make_msg(char *buf, uint32_t producer, uint32_t seq) {
    struct msg_head h = {producer, seq};
    memcpy(buf, &h, sizeof(h));
    size_t fill = seq % 50;
    memset(buf + sizeof(h), (int)(seq & 0xff), fill);
    return sizeof(h) + fill;
}

static bool check_msg(const char *buf, int len, struct msg_head *h) {
    if (len < (int)sizeof(*h))
        return false;
    memcpy(h, buf, sizeof(*h));
    if ((size_t)len != sizeof(*h) + h->seq % 50)
        return false;
    for (int i = (int)sizeof(*h); i < len; i++)
        if ((unsigned char)buf[i] != (h->seq & 0xff))
            return false;
    return true;
}

struct mpmc {
    swirl_shm_channel_t *c;
    volatile unsigned char *seen; /* [2][PER_PRODUCER] */
    volatile int *go;
    uint32_t id;
};

static int producer(void *arg) {
    struct mpmc *m = arg;
    char buf[128];
    while (!*m->go)
        sched_yield();
    for (uint32_t s = 0; s < PER_PRODUCER; s++) {
        size_t n = make_msg(buf, m->id, s);
        int rc;
        while ((rc = swirl_shm_channel_push(m->c, buf, n)) == SWIRL_EFULL)
            sched_yield();
        if (rc != 0)
            return 1;
    }
    return 0;
}

static int consumer(void *arg) {
    struct mpmc *m = arg;
    char buf[128];
    int64_t last[2] = {-1, -1};
    for (;;) {
        int n = swirl_shm_channel_pop(m->c, buf, sizeof(buf), 20000);
        if (n == 0)
            return 0; /* the stop message */
        struct msg_head h;
        if (n < 0 || !check_msg(buf, n, &h) || h.producer > 1 || h.seq >= PER_PRODUCER)
            return 1;
        if ((int64_t)h.seq <= last[h.producer])
            return 2; /* one producer's messages come out in order */
        last[h.producer] = h.seq;
        __atomic_add_fetch(&m->seen[h.producer * PER_PRODUCER + h.seq], 1, __ATOMIC_RELAXED);
    }
}

Test(channel, two_producers_two_consumers_exactly_once, .timeout = 120) {
    TU_FD_BEGIN();
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 4096), 0); /* small: full and wrapping often */
    unsigned char *seen =
        mmap(NULL, 2 * PER_PRODUCER, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(seen, MAP_FAILED);
    volatile int *go = mt_shared_ints(1);
    struct mpmc m[2] = {{c, seen, go, 0}, {c, seen, go, 1}};
    pid_t cons[2] = {mt_fork(consumer, &m[0]), mt_fork(consumer, &m[1])};
    pid_t prod[2] = {mt_fork(producer, &m[0]), mt_fork(producer, &m[1])};
    *go = 1;
    mt_reap_ok(prod[0]);
    mt_reap_ok(prod[1]);
    for (int k = 0; k < 2; k++) /* one stop message per consumer */
        while (swirl_shm_channel_push(c, "", 0) == SWIRL_EFULL)
            sched_yield();
    mt_reap_ok(cons[0]);
    mt_reap_ok(cons[1]);
    for (int p = 0; p < 2; p++)
        for (int s = 0; s < PER_PRODUCER; s++)
            cr_assert_eq(seen[p * PER_PRODUCER + s], 1, "producer %d message %d seen %d times", p,
                         s, seen[p * PER_PRODUCER + s]);
    swirl_shm_channel_stats_t st;
    cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
    cr_assert_eq(st.messages, 0);
    munmap(seen, 2 * PER_PRODUCER);
    munmap((void *)go, sizeof(int));
    swirl_shm_channel_free(c);
    mt_no_children();
    TU_FD_END();
}

/* ---- producers killed mid-push ------------------------------------------------------------- */

static int endless_producer(void *arg) {
    char buf[128];
    for (uint32_t s = 0;; s++) {
        size_t n = make_msg(buf, 0, s);
        while (swirl_shm_channel_push(arg, buf, n) == SWIRL_EFULL)
            ;
    }
    return 0;
}

Test(channel, producer_killed_mid_push_leaves_whole_messages, .timeout = 60) {
    TU_FD_BEGIN();
    swirl_shm_channel_t *c;
    cr_assert_eq(swirl_shm_channel_new(&c, 512), 0);
    char buf[128];
    unsigned seed = 99;
    for (int round = 0; round < 30; round++) {
        pid_t pid = mt_fork(endless_producer, c);
        int take = 50 + (int)(rand_r(&seed) % 2000);
        int64_t last = -1;
        for (int k = 0; k < take; k++) {
            int n = swirl_shm_channel_pop(c, buf, sizeof(buf), 10000);
            struct msg_head h;
            cr_assert(n >= 0 && check_msg(buf, n, &h), "round %d: bad message (%d)", round, n);
            cr_assert_gt((int64_t)h.seq, last);
            last = h.seq;
        }
        kill(pid, SIGKILL);
        mt_reap(pid);
        /* Whatever it left is whole. */
        int n;
        while ((n = swirl_shm_channel_pop(c, buf, sizeof(buf), 0)) >= 0) {
            struct msg_head h;
            cr_assert(check_msg(buf, n, &h), "round %d: a torn message after the kill", round);
        }
        cr_assert_eq(n, -ETIMEDOUT);
    }
    swirl_shm_channel_stats_t st;
    cr_assert_eq(swirl_shm_channel_stats(c, &st), 0);
    cr_assert_eq(st.messages, 0);
    cr_assert_eq(st.bytes_used, 0);
    swirl_shm_channel_free(c);
    mt_no_children();
    TU_FD_END();
}
