/* swirl/async.h — blocking work off the loop: whole-file and ranged reads
 * and writes, and DNS lookups, run on a small per-process thread pool with
 * the result delivered back on the loop that asked.
 *
 * Threads: SWIRL_ASYNC_THREADS pool threads per process, started by the
 * first request, with every signal blocked. Callbacks never run on a pool
 * thread: each loop that used this module owns one eventfd that the pool
 * signals, and the callback runs on the loop's thread during an iteration.
 * A loop with requests outstanding stays alive (swirl_loop_run does not
 * return while one is pending).
 *
 * Errors: every submit function returns 0 or a negative code; one that
 * returns an error never calls its callback. A callback with a negative
 * status runs with that status as the thread's last error, so inside the
 * callback swirl_last_error_msg() tells which path or host failed and why
 * ("read file /etc/x: open: No such file or directory").
 *
 * Freeing a loop: allowed with requests in flight (not from inside one of
 * its callbacks, as for every loop). Jobs already running finish on the
 * pool, their results are dropped and freed, their callbacks never run.
 *
 * fork(): pool threads do not survive fork, so a child starts with no pool
 * and the first request in the child starts a new one. Requests the parent
 * had in flight are the parent's; in the child they are abandoned. A loop
 * inherited from the parent must be released with swirl_loop_forget (as
 * swirl_process_start does) and cannot submit requests in the child
 * (SWIRL_ESTATE): make a new loop there. */
#ifndef SWIRL_ASYNC_H
#define SWIRL_ASYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <swirl/error.h>
#include <swirl/event.h>
#include <swirl/net.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Threads in each process's pool. */
#define SWIRL_ASYNC_THREADS 4

/* ---- files ----------------------------------------------------------------------------- */

/* A read finished. status is 0 and data[0..len) holds the bytes read, or
 * status is a negative code (data NULL, len 0). data is owned by swirl and
 * valid only during the callback; len may be shorter than asked when the
 * file ends first. */
typedef void (*swirl_async_read_cb)(swirl_loop_t *loop, int status, const void *data, size_t len,
                                    void *user);

/* Read `length` bytes of `path` from `offset` (length 0: up to the end of
 * the file; offset 0 and length 0: the whole file). The file is read on a
 * pool thread, in 1 MiB chunks, into one buffer that holds the whole range
 * for the callback: reading 100 MB needs 100 MB of memory. Files whose size
 * is not known in advance (/proc files, FIFOs) are read until their end.
 *
 * Returns 0 (cb runs later, once, on this loop's thread) or a negative code
 * without calling cb: SWIRL_EBADARG (NULL path or callback, negative
 * offset), SWIRL_ESTATE (a loop inherited across fork), -ENOMEM, or the
 * error starting the pool. Failures met while reading reach cb: -ENOENT,
 * -EISDIR, -EACCES, -ENOMEM (range too large for memory), ... */
SWIRL_API int swirl_async_read_file(swirl_loop_t *loop, const char *path, int64_t offset,
                                    size_t length, swirl_async_read_cb cb, void *user);

/* Flags for swirl_async_write_file (OR them). */
enum {
    SWIRL_ASYNC_CREATE = 1 << 0, /* create the file if missing (mode 0666 minus the umask) */
    SWIRL_ASYNC_TRUNC = 1 << 1,  /* truncate it to 0 bytes first */
    SWIRL_ASYNC_APPEND = 1 << 2, /* write at its end (offset ignored) */
    SWIRL_ASYNC_EXCL = 1 << 3,   /* with CREATE: fail with -EEXIST if it exists */
    SWIRL_ASYNC_SYNC = 1 << 4,   /* fdatasync before reporting success */
    /* Do not copy `data`: the caller keeps it valid and unchanged until the
     * callback (or until the loop is freed). Without it the bytes are
     * copied at call time and the caller may reuse them at once. */
    SWIRL_ASYNC_NOCOPY = 1 << 5,
};

/* A write finished: status is the number of bytes written (all of them),
 * or a negative code. */
typedef void (*swirl_async_write_cb)(swirl_loop_t *loop, int status, void *user);

/* Write data[0..len) to `path` at `offset` (or at the end with
 * SWIRL_ASYNC_APPEND), with the SWIRL_ASYNC_* `flags`. Without
 * SWIRL_ASYNC_CREATE the file must exist; without SWIRL_ASYNC_TRUNC bytes
 * outside the written range are kept. Data is copied at call time unless
 * SWIRL_ASYNC_NOCOPY. len is at most INT_MAX (the callback's status counts
 * the bytes).
 *
 * Returns 0 (cb runs later, once) or a negative code without calling cb:
 * SWIRL_EBADARG (NULL path or callback, NULL data with len > 0, negative
 * offset, unknown flag), SWIRL_ETOOBIG (len > INT_MAX), SWIRL_ESTATE,
 * -ENOMEM. Failures met while writing reach cb (-ENOENT, -EISDIR, -EACCES,
 * -ENOSPC, ...). */
SWIRL_API int swirl_async_write_file(swirl_loop_t *loop, const char *path, const void *data,
                                     size_t len, int64_t offset, int flags, swirl_async_write_cb cb,
                                     void *user);

/* ---- DNS ------------------------------------------------------------------------------- */

/* Most addresses one lookup reports. */
#define SWIRL_DNS_MAX_ADDRS 16
/* The per-process cache of successful lookups: entries and lifetime. */
#define SWIRL_DNS_CACHE_SIZE 128
#define SWIRL_DNS_CACHE_TTL_MS 60000

/* A lookup finished. status is the number of addresses n (>= 1) and
 * addrs[0..n) holds them (port 0, IPv4 and/or IPv6 as asked, in the
 * resolver's order, no duplicates), or status is negative (addrs NULL,
 * n 0): -ETIMEDOUT (the lookup's timeout passed), SWIRL_ENOTFOUND (no such
 * host, or no address of the family asked), -EAGAIN (temporary resolver
 * failure), -EIO (resolver failure), -ENOMEM. The last-error message names
 * the host and carries the resolver's own text (gai_strerror). addrs is
 * valid only during the callback. */
typedef void (*swirl_dns_cb)(swirl_loop_t *loop, int status, const swirl_addr_t *addrs, size_t n,
                             void *user);

/* Resolve `host` (a name or a numeric IPv4/IPv6 address) to addresses of
 * `family`: AF_UNSPEC (both), AF_INET or AF_INET6.
 *
 * A numeric address and a name found in the cache are answered without the
 * pool, from a deferred call of this iteration; other names go through
 * getaddrinfo on a pool thread, and their successful answers are cached for
 * SWIRL_DNS_CACHE_TTL_MS (at most SWIRL_DNS_CACHE_SIZE names per process;
 * the oldest goes first). Failures are not cached.
 *
 * timeout_ms > 0 bounds the wait: at the deadline cb gets -ETIMEDOUT and
 * the loop no longer waits for the lookup; its late answer is dropped
 * (though still cached). 0 means no limit beyond the resolver's own.
 *
 * Returns 0 (cb runs later, once) or a negative code without calling cb:
 * SWIRL_EBADARG (NULL or empty host, a name longer than 253 bytes, a bad
 * family, negative timeout, NULL cb, a numeric address of the other
 * family), SWIRL_ESTATE, -ENOMEM. */
SWIRL_API int swirl_dns_lookup(swirl_loop_t *loop, const char *host, int family, int64_t timeout_ms,
                               swirl_dns_cb cb, void *user);

/* Empty this process's DNS cache. */
SWIRL_API void swirl_dns_cache_clear(void);

#ifdef __cplusplus
}
#endif
#endif
