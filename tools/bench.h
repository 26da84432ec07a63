/* tools/bench.h — what the `swirl bench` kinds share: a fixed-size latency
 * histogram and option parsing whose errors name the option and the value.
 * Header-only (static inline) so each kind stays one file. */
#ifndef SWIRL_BENCH_H
#define SWIRL_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Log-linear buckets, HdrHistogram's layout: values below 2^SUB are counted
 * exactly; above that every power of two is split into 2^SUB equal buckets,
 * so a value is known to within 1/2^SUB (under 1%) across the whole 64-bit
 * range. Fixed size: recording never allocates. */
#define BENCH_HIST_SUB 7
#define BENCH_HIST_MASK ((1u << BENCH_HIST_SUB) - 1)
#define BENCH_HIST_BUCKETS ((64 - BENCH_HIST_SUB + 1) << BENCH_HIST_SUB)

typedef struct {
    uint64_t count[BENCH_HIST_BUCKETS];
    uint64_t total;
} bench_hist_t;

static inline unsigned bench_hist_index(uint64_t v) {
    if (v <= BENCH_HIST_MASK)
        return (unsigned)v;
    unsigned shift = 63u - (unsigned)__builtin_clzll(v) - BENCH_HIST_SUB;
    return ((shift + 1) << BENCH_HIST_SUB) | (unsigned)((v >> shift) & BENCH_HIST_MASK);
}

static inline void bench_hist_record(bench_hist_t *h, uint64_t v) {
    h->count[bench_hist_index(v)]++;
    h->total++;
}

/* The middle of bucket `idx`. */
static inline double bench_hist_value(unsigned idx) {
    if (idx <= BENCH_HIST_MASK)
        return (double)idx;
    unsigned shift = (idx >> BENCH_HIST_SUB) - 1;
    uint64_t low = (uint64_t)((idx & BENCH_HIST_MASK) | (1u << BENCH_HIST_SUB)) << shift;
    return (double)low + (double)((1ull << shift) - 1) / 2.0;
}

/* The value at quantile `q` (0 < q <= 1): the smallest bucket holding at
 * least q of the samples. 0 when empty. */
static inline double bench_hist_quantile(const bench_hist_t *h, double q) {
    if (h->total == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->total + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= rank)
            return bench_hist_value(i);
    }
    return bench_hist_value(BENCH_HIST_BUCKETS - 1);
}

#endif
