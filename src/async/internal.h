/* src/async/internal.h — the thread pool's job interface, shared by pool.c,
 * file.c and dns.c, and the hooks the tests use; never installed. */
#ifndef SWIRL_ASYNC_INTERNAL_H
#define SWIRL_ASYNC_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <swirl/async.h>

typedef struct swirl__aloop swirl__aloop_t;
typedef struct swirl__job swirl__job_t;

/* One request. The file and DNS modules embed it first in their own job
 * struct and fill the three functions. */
struct swirl__job {
    swirl__job_t *next;
    swirl__aloop_t *al;
    /* Runs on a pool thread (NULL for a job posted straight to the loop). */
    void (*work)(swirl__job_t *job);
    /* Runs on the loop's thread with the result; must free the job. */
    void (*done)(swirl_loop_t *loop, swirl__job_t *job);
    /* Frees the job without calling back (its loop was freed). Any thread. */
    void (*release)(swirl__job_t *job);
    bool counted; /* counted in loop->pending_work (loop thread only) */
};

/* Make `loop` able to take jobs: its completion eventfd is made on first
 * use. 0, SWIRL_ESTATE for a loop inherited across fork, or a negative
 * errno; the last error names `what`. */
int swirl__async_attach(swirl_loop_t *loop, const char *what);

/* Queue an attached loop's job on the pool (starting the pool if needed).
 * 0, or a negative code naming `what` (the job is then untouched). */
int swirl__async_submit(swirl_loop_t *loop, swirl__job_t *job, const char *what);

/* Hand a job whose result is already known straight to the loop: its
 * `done` runs in this or the next iteration, never from inside this call. */
void swirl__async_post(swirl_loop_t *loop, swirl__job_t *job);

/* Stop counting `job` as work that keeps its loop alive (a DNS lookup
 * past its timeout). Loop thread only. */
void swirl__async_uncount(swirl_loop_t *loop, swirl__job_t *job);

/* ---- for tests ---- */

/* Pool threads running in this process (0 before the first job, and in a
 * child after fork until its first job). */
int swirl__async_pool_threads(void);
/* Pool threads waiting for a job (all of them: the pool is quiet). */
int swirl__async_pool_parked(void);
/* Jobs queued or running on the pool (0: every job came back). */
int swirl__async_pool_busy(void);
/* Calls that reached getaddrinfo in this process. */
unsigned long swirl__dns_resolver_calls(void);
/* Test hook: pool threads sleep this long before each getaddrinfo, so a
 * lookup can be made to outlive its timeout without a slow network. */
extern _Atomic int swirl__dns_test_delay_ms;

#endif
