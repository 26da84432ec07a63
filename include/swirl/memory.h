/* swirl/memory.h — objects in shared memory that every process of a server
 * reads and writes: Table (a fixed-size hash table of typed rows), Lock,
 * Atomic counters, and a bounded message Channel.
 *
 * Every object lives in an anonymous shared mapping (MAP_SHARED |
 * MAP_ANONYMOUS) made when it is created, so it is shared by the process
 * that created it and by every process forked from it AFTERWARDS (at the
 * same address: a handle created before fork() is used as is in the
 * children). A process started any other way cannot reach it.
 *
 * `*_free` unmaps the object in the calling process only and frees the
 * handle there; the other processes keep using it, and the memory goes
 * back to the system when the last process that maps it unmaps it or exits.
 * Use a handle after freeing it in the same process: undefined behaviour.
 *
 * All calls are safe from several processes (and threads) at once. Errors
 * are negative codes with a message naming the culprit
 * (swirl_last_error_msg()), as everywhere in swirl. */
#ifndef SWIRL_MEMORY_H
#define SWIRL_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* ---- Table ------------------------------------------------------------------------------ */
/* ======================================================================================== */

/* A hash table of `rows` rows in shared memory, Swoole\Table's model: declare
 * typed columns, create, then set / get / incr / del rows by key from any
 * process. Keys are byte strings of 0..63 bytes (the empty key too, as
 * Swoole 6.2's).
 *
 * Memory (swirl_table_memory_size): one mapping of
 *     rows * row_size  +  buckets * 4  +  stripes * 40  +  128 bytes,
 * rounded up to whole pages, where row_size = 72 (key and links) + the
 * columns' bytes (int: its size, float: 8, string of n: 4 + n + 1; each
 * aligned to its natural size) rounded up to 8; buckets is the smallest power
 * of two >= rows and stripes = min(buckets, 1024). About row_size + 8 bytes
 * per row, plus the stripes' 40 KiB at most (40 bytes a row below 1024 rows). Exactly `rows` keys
 * fit whatever they hash to; the next insert fails with SWIRL_EFULL and changes nothing.
 *
 * Locking: each key hashes to a bucket, and each bucket to one of `stripes`
 * robust process-shared mutexes; every read and write of a row holds its
 * stripe's mutex, so a row is never seen half-written. Inserting or
 * deleting also takes a pool mutex for a moment. A process killed while
 * holding a stripe (kill -9 in the middle of a set) does not block the
 * others: the next locker recovers the mutex. The row that process was
 * writing may then hold a partial update (some columns new, some old), and a
 * process killed in the middle of an insert or a delete may leak that one
 * row slot (the table then holds one row fewer) and leave count() one off.
 * Nothing else is affected. */
typedef struct swirl_table swirl_table_t;

/* A copy of one row (its key and every column), owned by the caller; made
 * for one table by swirl_table_row_new and filled by swirl_table_get or
 * swirl_table_next. */
typedef struct swirl_table_row swirl_table_row_t;

/* Column types (Swoole 5's Table::TYPE_INT, TYPE_FLOAT, TYPE_STRING). */
enum {
    SWIRL_TABLE_INT = 1,    /* signed integer of 1, 2, 4 or 8 bytes */
    SWIRL_TABLE_FLOAT = 2,  /* double */
    SWIRL_TABLE_STRING = 3, /* up to n bytes */
};

#define SWIRL_TABLE_KEY_MAX 63  /* longest key, in bytes */
#define SWIRL_TABLE_NAME_MAX 63 /* longest column name, in bytes */
#define SWIRL_TABLE_ROWS_MAX (1u << 30)

/* One column's value for swirl_table_set: the column by `column` (its
 * name) or, when `column` is NULL, by `index`; `type` says which member of
 * `v` is used and must be the column's type. Plain data: build it with the
 * helpers below or fill it directly. */
typedef struct swirl_table_value {
    const char *column;
    int index;
    int type;
    union {
        int64_t i; /* SWIRL_TABLE_INT */
        double f;  /* SWIRL_TABLE_FLOAT */
        struct {
            const void *ptr; /* SWIRL_TABLE_STRING: len bytes, any content */
            size_t len;
        } s;
    } v;
} swirl_table_value_t;

/* A column's value for swirl_table_set: an INT, a FLOAT, or the `len`
 * bytes at `p` for a STRING (copied by the table). */
static inline swirl_table_value_t swirl_table_int(const char *column, int64_t v) {
    swirl_table_value_t x = {column, 0, SWIRL_TABLE_INT, {.i = v}};
    return x;
}
static inline swirl_table_value_t swirl_table_float(const char *column, double v) {
    swirl_table_value_t x = {column, 0, SWIRL_TABLE_FLOAT, {.f = v}};
    return x;
}
static inline swirl_table_value_t swirl_table_string(const char *column, const void *p,
                                                     size_t len) {
    swirl_table_value_t x = {column, 0, SWIRL_TABLE_STRING, {.i = 0}};
    x.v.s.ptr = p;
    x.v.s.len = len;
    return x;
}

/* Start a table of `rows` rows (1..SWIRL_TABLE_ROWS_MAX) with no columns
 * and no shared memory yet (the handle is a small heap object). On success
 * stores it in *out and returns 0; otherwise a negative code (SWIRL_EBADARG,
 * -ENOMEM) and *out is untouched. */
SWIRL_API int swirl_table_new(swirl_table_t **out, size_t rows);

/* Add a column, before swirl_table_create. `name`: 1..63 bytes, unique.
 * `type` SWIRL_TABLE_INT with `size` 1, 2, 4 or 8 (0 means 8),
 * SWIRL_TABLE_FLOAT (`size` ignored: 8), or SWIRL_TABLE_STRING with `size`
 * n >= 1 bytes (at most 1 MiB). Returns 0, SWIRL_EBADARG (bad name, type or
 * size; a duplicate name), SWIRL_ESTATE (already created) or -ENOMEM. */
SWIRL_API int swirl_table_column(swirl_table_t *t, const char *name, int type, size_t size);

/* Allocate the shared memory (zeroed: no rows). Call before forking the
 * processes that share it. Returns 0, SWIRL_ESTATE (no column, or already
 * created), or a negative code when the mapping fails. */
SWIRL_API int swirl_table_create(swirl_table_t *t);

/* Unmap the table in this process and free the handle (other processes
 * keep theirs). Safe before create. NULL is a no-op. */
SWIRL_API void swirl_table_free(swirl_table_t *t);

/* The bytes of shared memory the table takes (or will take, before
 * create, with the columns declared so far): the formula above. */
SWIRL_API size_t swirl_table_memory_size(const swirl_table_t *t);

/* The number of rows it holds at most (the `rows` given to new). */
SWIRL_API size_t swirl_table_size(const swirl_table_t *t);

/* ---- columns ---- */

/* The number of columns. */
SWIRL_API int swirl_table_column_count(const swirl_table_t *t);
/* Column `i` (0-based, in declaration order): its name (owned by the table,
 * NUL-terminated), type and size (int: 1..8, float: 8, string: n). Any
 * out-pointer may be NULL. 0, or SWIRL_EBADARG for a bad index. */
SWIRL_API int swirl_table_column_info(const swirl_table_t *t, int i, const char **name, int *type,
                                      size_t *size);
/* The index of the column called `name`, or SWIRL_EBADARG when there is none. */
SWIRL_API int swirl_table_column_index(const swirl_table_t *t, const char *name);

/* ---- rows ---- */

/* Set the columns given in `values[0..n)` of the row `key` (klen bytes),
 * inserting it when missing (a new row starts with every column 0 / 0.0 /
 * ""); columns not given keep their values. All values are checked before
 * anything is written: an unknown column, a type that is not the column's,
 * or a string longer than its column fails the whole call (SWIRL_EBADARG,
 * SWIRL_ETOOBIG) and changes nothing. An int is stored in the column's
 * width: narrower ints keep the low bytes (two's complement wrap, 300 in a
 * 1-byte column reads back as 44). Errors: SWIRL_EBADARG (empty key),
 * SWIRL_ETOOBIG (key over 63 bytes), SWIRL_EFULL (a new key and no free
 * row), SWIRL_ESTATE (not created). */
SWIRL_API int swirl_table_set(swirl_table_t *t, const void *key, size_t klen,
                              const swirl_table_value_t *values, size_t n);

/* Copy the whole row `key` into `row` (made for this table), consistently:
 * never half of one set and half of another. 0, SWIRL_ENOTFOUND, or the
 * key errors of swirl_table_set. */
SWIRL_API int swirl_table_get(swirl_table_t *t, const void *key, size_t klen,
                              swirl_table_row_t *row);

/* One column of row `key`, by column name. The type must be the column's
 * (SWIRL_EBADARG otherwise). The string getter copies the value into
 * buf[0..cap) and NUL-terminates it, storing its length in *len; a buffer
 * smaller than length + 1 gives SWIRL_ETOOBIG (nothing copied, *len set).
 * 0, SWIRL_ENOTFOUND, or the key errors of swirl_table_set. */
SWIRL_API int swirl_table_get_int(swirl_table_t *t, const void *key, size_t klen,
                                  const char *column, int64_t *out);
SWIRL_API int swirl_table_get_float(swirl_table_t *t, const void *key, size_t klen,
                                    const char *column, double *out);
SWIRL_API int swirl_table_get_string(swirl_table_t *t, const void *key, size_t klen,
                                     const char *column, char *buf, size_t cap, size_t *len);

/* 1 if row `key` exists, 0 if not, or a negative code (key errors). */
SWIRL_API int swirl_table_exists(swirl_table_t *t, const void *key, size_t klen);

/* Delete row `key`: its slot is free for another key at once. 0,
 * SWIRL_ENOTFOUND, or the key errors. */
SWIRL_API int swirl_table_del(swirl_table_t *t, const void *key, size_t klen);

/* Add `by` to int column `column` of row `key`, atomically (read, add and
 * write under the row's lock), inserting the row zeroed when missing (as
 * Swoole). The sum wraps in the column's width. The new value goes to *out
 * (may be NULL). decr subtracts. 0, or SWIRL_EBADARG (no such column, not an
 * int column), SWIRL_EFULL, the key errors. */
SWIRL_API int swirl_table_incr(swirl_table_t *t, const void *key, size_t klen, const char *column,
                               int64_t by, int64_t *out);
SWIRL_API int swirl_table_decr(swirl_table_t *t, const void *key, size_t klen, const char *column,
                               int64_t by, int64_t *out);
/* The same for a float column. */
SWIRL_API int swirl_table_incr_float(swirl_table_t *t, const void *key, size_t klen,
                                     const char *column, double by, double *out);
SWIRL_API int swirl_table_decr_float(swirl_table_t *t, const void *key, size_t klen,
                                     const char *column, double by, double *out);

/* The number of rows in the table now (0 before create). */
SWIRL_API size_t swirl_table_count(const swirl_table_t *t);

/* Created and not destroyed (by any process). */
SWIRL_API bool swirl_table_ready(const swirl_table_t *t);

/* Destroy the table for every process that shares it (Swoole's
 * Table::destroy): it is marked destroyed in the shared memory, so each
 * later call on it in any process fails with SWIRL_ESTATE, and unmapped in
 * this one (swirl_table_free still frees the handle; the others' mappings
 * go with their handles). 0 or SWIRL_ESTATE (not created, or destroyed). */
SWIRL_API int swirl_table_destroy(swirl_table_t *t);

/* Swoole's Table::stats(). */
typedef struct {
    uint64_t num;                       /* rows in use */
    uint64_t inserts, updates, deletes; /* sets that added a row, sets of an existing row, dels */
    uint64_t conflicts;                 /* inserts into a bucket that already held a row */
    uint32_t conflict_max_level;        /* the longest chain an insert made */
    uint64_t total_rows, free_rows;
} swirl_table_stats_t;

/* Fill *out. 0 or SWIRL_ESTATE (not created, or destroyed). */
SWIRL_API int swirl_table_stats(const swirl_table_t *t, swirl_table_stats_t *out);

/* Iterate: start with *cursor = 0 and call until it returns 0. Each call
 * copies the next row in use (slot order, not insertion order) into `row`
 * under that row's lock, so the copy is never torn, advances *cursor and
 * returns 1; 0 when there are no more rows; a negative code on error.
 * Safe while other processes write: every row present for the whole
 * iteration is seen exactly once; a row inserted or deleted meanwhile may
 * or may not be seen, and a key deleted and re-inserted meanwhile may be
 * seen twice (it can land in a later slot). */
SWIRL_API int swirl_table_next(swirl_table_t *t, size_t *cursor, swirl_table_row_t *row);

/* ---- row copies ---- */

/* A row buffer for table `t` (which must be created and must outlive it):
 * a heap object of about the row's size, owned by the caller. 0, or
 * SWIRL_ESTATE (not created), -ENOMEM. */
SWIRL_API int swirl_table_row_new(const swirl_table_t *t, swirl_table_row_t **out);
/* Free it. NULL is a no-op. */
SWIRL_API void swirl_table_row_free(swirl_table_row_t *row);
/* The row's key (NUL-terminated copy, owned by the row) and its length. */
SWIRL_API const char *swirl_table_row_key(const swirl_table_row_t *row, size_t *len);
/* Column `col` (its index) of the row. The type must be the column's
 * (SWIRL_EBADARG otherwise, as for a bad index). The string accessor points
 * into the row (NUL-terminated, valid until the row is refilled or freed). */
SWIRL_API int swirl_table_row_int(const swirl_table_row_t *row, int col, int64_t *out);
SWIRL_API int swirl_table_row_float(const swirl_table_row_t *row, int col, double *out);
SWIRL_API int swirl_table_row_string(const swirl_table_row_t *row, int col, const char **ptr,
                                     size_t *len);

/* ======================================================================================== */
/* ---- Lock ------------------------------------------------------------------------------- */
/* ======================================================================================== */

/* A lock shared by processes (Swoole\Lock). The type values are Swoole's
 * (SWOOLE_RWLOCK 1, SWOOLE_FILELOCK 2, SWOOLE_MUTEX 3, SWOOLE_SEM 4,
 * SWOOLE_SPINLOCK 5).
 *
 * Memory: one page (4 KiB) of shared memory for the lock's state; the file
 * lock takes none but holds an fd (O_CLOEXEC) in each process.
 *
 * A process killed while holding it:
 * - MUTEX: it records its owner's pid; a waiter (asleep on a futex, it
 *   checks every 100 ms) sees that process gone (or a zombie) and takes
 *   the lock over; what it guarded may be half updated.
 * - SPINLOCK: likewise, checked by a waiter that has spun a while.
 *   For both, if the pid has been reused by then, the lock stays held.
 * - FILELOCK: the kernel releases it (fcntl record lock).
 * - RWLOCK and SEM: no owner is recorded, so nothing can tell the lock is
 *   orphaned: it stays held for good and lock() blocks for ever. Use
 *   lockwait() with a timeout where a holder can die.
 *
 * The locks are not recursive: locking twice from one process deadlocks
 * (or, for the rwlock, fails with -EDEADLK). The mutex and the spinlock
 * may be unlocked by any process, not only their holder (Swoole hands a
 * mutex between processes so). */
typedef struct swirl_lock swirl_lock_t;

/* Lock kinds, with Swoole's values. */
enum {
    SWIRL_LOCK_RWLOCK = 1,   /* pthread rwlock, writers preferred */
    SWIRL_LOCK_FILELOCK = 2, /* fcntl() record lock on a file */
    SWIRL_LOCK_MUTEX = 3,    /* futex of the owner's pid */
    SWIRL_LOCK_SEM = 4,      /* POSIX semaphore of value 1 */
    SWIRL_LOCK_SPINLOCK = 5, /* busy-waiting, with a yield after a while */
};

/* Make a lock of `type`. `path` is required for SWIRL_LOCK_FILELOCK (the
 * file is created 0666 if missing, never removed) and ignored otherwise.
 * POSIX record locks belong to a process, not to an fd: the file lock
 * excludes processes from one another (a parent and its forked children
 * included) but not threads of one process, and closing any other fd of
 * the same file in a process drops its lock. 0, or SWIRL_EBADARG (bad
 * type, missing path), a negative errno naming the path it could not
 * open, -ENOMEM. */
SWIRL_API int swirl_lock_new(swirl_lock_t **out, int type, const char *path);
/* Unmap (close, for the file lock) in this process and free the handle.
 * Free it unlocked. NULL is a no-op. */
SWIRL_API void swirl_lock_free(swirl_lock_t *lock);
/* Its type. */
SWIRL_API int swirl_lock_type(const swirl_lock_t *lock);

/* Take it (exclusively: the write side of an rwlock or file lock), waiting
 * as long as it takes. 0 or a negative code. */
SWIRL_API int swirl_lock_lock(swirl_lock_t *lock);
/* Take it if free now: 0, or -EBUSY when held. */
SWIRL_API int swirl_lock_trylock(swirl_lock_t *lock);
/* Take it within `timeout_ms` (< 0: wait for ever, as lock): 0 or
 * -ETIMEDOUT. The file lock polls (every millisecond or so) since fcntl
 * has no timed wait. */
SWIRL_API int swirl_lock_lockwait(swirl_lock_t *lock, int timeout_ms);
/* Release it (whichever side is held). 0, or -EPERM when a mutex,
 * spinlock or semaphore is not held (by any process). */
SWIRL_API int swirl_lock_unlock(swirl_lock_t *lock);
/* Shared (read) side for RWLOCK and FILELOCK: any number of readers, no
 * writer. On the other types these are lock and trylock. */
SWIRL_API int swirl_lock_lock_read(swirl_lock_t *lock);
SWIRL_API int swirl_lock_trylock_read(swirl_lock_t *lock);
/* The shared side within `timeout_ms` (< 0: wait for ever), as lockwait:
 * 0 or -ETIMEDOUT. lockwait on the types without a shared side. */
SWIRL_API int swirl_lock_lockwait_read(swirl_lock_t *lock, int timeout_ms);

/* ======================================================================================== */
/* ---- Atomic ----------------------------------------------------------------------------- */
/* ======================================================================================== */

/* A counter in shared memory: 32-bit unsigned (Swoole\Atomic) and 64-bit
 * signed (Swoole\Atomic\Long). The handle points into the shared mapping
 * itself: one page (4 KiB) per counter, no heap. Every operation is one
 * sequentially consistent atomic instruction; arithmetic wraps. */
typedef struct swirl_atomic swirl_atomic_t;
typedef struct swirl_atomic64 swirl_atomic64_t;

/* Make a counter holding `initial`. 0, or a negative code if mapping fails. */
SWIRL_API int swirl_atomic_new(swirl_atomic_t **out, uint32_t initial);
/* Unmap it in this process. NULL is a no-op. */
SWIRL_API void swirl_atomic_free(swirl_atomic_t *a);
/* Add / subtract `n`; the new value. */
SWIRL_API uint32_t swirl_atomic_add(swirl_atomic_t *a, uint32_t n);
SWIRL_API uint32_t swirl_atomic_sub(swirl_atomic_t *a, uint32_t n);
SWIRL_API uint32_t swirl_atomic_get(const swirl_atomic_t *a);
SWIRL_API void swirl_atomic_set(swirl_atomic_t *a, uint32_t v);
/* If the value is `cmp`, make it `set` and return true; else false. */
SWIRL_API bool swirl_atomic_cmpset(swirl_atomic_t *a, uint32_t cmp, uint32_t set);
/* Swoole's wait: if the value is 1, make it 0 and return 0 at once. If it
 * is 0, sleep (futex) until swirl_atomic_wakeup makes it 1 — then take it
 * back to 0 and return 0 — or until `timeout_ms` passes: -ETIMEDOUT
 * (timeout_ms < 0: no limit; 0: do not sleep). Any other value: -EAGAIN at
 * once (Swoole's wait fails the same way). As in Swoole, every waiter a
 * wakeup woke returns: the one that takes the 1 with 0, the others with
 * -EAGAIN (a signal or a wakeup that came before the sleep: it sleeps again). */
SWIRL_API int swirl_atomic_wait(swirl_atomic_t *a, int timeout_ms);
/* If the value is 0, make it 1 and wake up to `n` (>= 1) waiters; returns
 * the number woken (0 when the value was not 0, or nobody waited), or
 * SWIRL_EBADARG for n < 1. */
SWIRL_API int swirl_atomic_wakeup(swirl_atomic_t *a, int n);

/* The 64-bit counter: the same calls on int64_t. wait/wakeup work too:
 * they sleep on the futex of the low 32-bit word (futexes are 32-bit), with
 * the same 0 / 1 protocol on the whole 64-bit value. */
SWIRL_API int swirl_atomic64_new(swirl_atomic64_t **out, int64_t initial);
SWIRL_API void swirl_atomic64_free(swirl_atomic64_t *a);
SWIRL_API int64_t swirl_atomic64_add(swirl_atomic64_t *a, int64_t n);
SWIRL_API int64_t swirl_atomic64_sub(swirl_atomic64_t *a, int64_t n);
SWIRL_API int64_t swirl_atomic64_get(const swirl_atomic64_t *a);
SWIRL_API void swirl_atomic64_set(swirl_atomic64_t *a, int64_t v);
SWIRL_API bool swirl_atomic64_cmpset(swirl_atomic64_t *a, int64_t cmp, int64_t set);
SWIRL_API int swirl_atomic64_wait(swirl_atomic64_t *a, int timeout_ms);
SWIRL_API int swirl_atomic64_wakeup(swirl_atomic64_t *a, int n);

/* ======================================================================================== */
/* ---- Channel ---------------------------------------------------------------------------- */
/* ======================================================================================== */

/* A bounded queue of messages between processes (many producers, many
 * consumers): a ring of `capacity` bytes in shared memory where each
 * message takes 4 bytes (its length) + its bytes. Messages come out whole,
 * in the order they went in, each exactly once. Empty messages are allowed.
 *
 * Memory: one mapping of capacity + 128 bytes, rounded up to whole pages.
 * The handle points into it: no heap.
 *
 * A robust mutex guards the ring and a futex wakes sleeping consumers. A
 * process killed inside push or pop leaves the ring consistent: its
 * message is either wholly in the queue or not at all (a message popped by
 * a process killed right after is lost with it). */
typedef struct swirl_shm_channel swirl_shm_channel_t;

#define SWIRL_SHM_CHANNEL_MIN 16u        /* smallest capacity, bytes */
#define SWIRL_SHM_CHANNEL_MAX (1u << 30) /* largest capacity, bytes */

/* What swirl_shm_channel_stats reports. */
typedef struct swirl_shm_channel_stats {
    size_t messages;   /* messages queued now */
    size_t bytes_used; /* ring bytes they take (4 + length each) */
    size_t capacity;   /* ring size */
} swirl_shm_channel_stats_t;

/* Make a channel with a ring of `capacity` bytes (SWIRL_SHM_CHANNEL_MIN ..
 * SWIRL_SHM_CHANNEL_MAX). 0, SWIRL_EBADARG, or a negative code if mapping
 * fails. */
SWIRL_API int swirl_shm_channel_new(swirl_shm_channel_t **out, size_t capacity);
/* Unmap it in this process. NULL is a no-op. */
SWIRL_API void swirl_shm_channel_free(swirl_shm_channel_t *c);
/* Queue a copy of data[0..len) without waiting: 0, SWIRL_EFULL when there
 * is no room for it now, SWIRL_ETOOBIG when 4 + len exceeds the capacity
 * (it can never fit). */
SWIRL_API int swirl_shm_channel_push(swirl_shm_channel_t *c, const void *data, size_t len);
/* Take the oldest message into buf[0..cap): its length. Waits up to
 * `timeout_ms` for one (-1: for ever; 0: not at all): -ETIMEDOUT when none
 * came (also for 0). When the message is longer than `cap`: SWIRL_ETOOBIG
 * (the message naming its length) and the message stays first in the queue. */
SWIRL_API int swirl_shm_channel_pop(swirl_shm_channel_t *c, void *buf, size_t cap, int timeout_ms);
/* Counts now. 0. */
SWIRL_API int swirl_shm_channel_stats(swirl_shm_channel_t *c, swirl_shm_channel_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif
