/* src/memory/internal.h — helpers shared by the memory module's files
 * (shared mappings, robust process-shared mutexes, futexes, deadlines);
 * never installed. */
#ifndef SWIRL_MEMORY_INTERNAL_H
#define SWIRL_MEMORY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* ---- shared mappings (shm.c) ---- */

/* Map `size` bytes (rounded up to whole pages) of zeroed MAP_SHARED |
 * MAP_ANONYMOUS memory: every process forked afterwards sees the same bytes
 * at the same address. `what` names the object in the error message. */
int swirl__shm_map(size_t size, const char *what, void **out);
/* Unmap what swirl__shm_map gave (same size). NULL is a no-op. */
void swirl__shm_unmap(void *addr, size_t size);
/* `size` rounded up to whole pages. */
size_t swirl__shm_page_round(size_t size);

/* ---- robust process-shared mutexes (shm.c) ---- */

/* Initialise `m` as PTHREAD_PROCESS_SHARED + PTHREAD_MUTEX_ROBUST. 0 or -errno. */
int swirl__mutex_init(pthread_mutex_t *m);
/* Lock `m`. Returns 0, 1 when the previous owner died holding it (the mutex
 * was made consistent again and is now held: the data it guards may hold a
 * partial update), or -errno. `deadline` (CLOCK_MONOTONIC, absolute) bounds
 * the wait: -ETIMEDOUT; NULL waits for ever. */
int swirl__mutex_lock(pthread_mutex_t *m, const struct timespec *deadline);
/* As swirl__mutex_lock without waiting: -EBUSY when held. */
int swirl__mutex_trylock(pthread_mutex_t *m);
/* 0 or -errno (-EPERM when this thread does not hold it). */
int swirl__mutex_unlock(pthread_mutex_t *m);

/* ---- futexes and time (shm.c) ---- */

/* The absolute CLOCK_MONOTONIC time `timeout_ms` from now. */
void swirl__deadline(struct timespec *ts, int timeout_ms);
/* Sleep while *addr == val (a shared, not private, futex), until woken or
 * `deadline` (absolute CLOCK_MONOTONIC; NULL: none). 0 when woken (maybe
 * spuriously), -EAGAIN when *addr != val, -ETIMEDOUT, -EINTR. */
int swirl__futex_wait(uint32_t *addr, uint32_t val, const struct timespec *deadline);
/* Wake up to `n` sleepers on `addr`; the number woken, or -errno. */
int swirl__futex_wake(uint32_t *addr, int n);

/* True when process `pid` no longer runs: gone, or a zombie not yet reaped. */
bool swirl__pid_dead(pid_t pid);

/* ---- test hooks (table.c) ---- */

typedef struct swirl_table swirl_table_t;
/* The hash bucket `key` falls in (tests build colliding keys with it). */
uint32_t swirl__table_bucket(const swirl_table_t *t, const void *key, size_t klen);
/* Take the lock that guards `key`'s row and keep it (tests kill the process
 * holding it). 0 or a negative code. */
int swirl__table_lock_key(swirl_table_t *t, const void *key, size_t klen);

#endif
