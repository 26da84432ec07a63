/* tests/unit/async/test_async.c — the async module: file reads and writes
 * on the pool while the loop keeps its timers, error reporting, many jobs,
 * freeing a loop with jobs in flight, DNS (numeric, localhost, .invalid,
 * cache, timeout) and the pool after fork. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <swirl/swirl.h>
#include <time.h>
#include <unistd.h>

#include "async/internal.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct {
    int calls;
    int status;
    char *data; /* a copy of what the read returned */
    size_t len;
    char msg[512];
} result_t;

static void on_read(swirl_loop_t *loop, int status, const void *data, size_t len, void *user) {
    result_t *r = user;
    r->calls++;
    r->status = status;
    r->len = len;
    free(r->data);
    r->data = NULL;
    if (status == 0) {
        cr_assert_not_null(data, "data is never NULL on success");
        r->data = malloc(len + 1);
        cr_assert_not_null(r->data);
        memcpy(r->data, data, len);
        r->data[len] = '\0';
    } else {
        cr_assert_null(data);
        cr_assert_eq(swirl_last_error(), status);
        snprintf(r->msg, sizeof(r->msg), "%s", swirl_last_error_msg());
    }
}

static void on_write(swirl_loop_t *loop, int status, void *user) {
    result_t *r = user;
    r->calls++;
    r->status = status;
    if (status < 0) {
        cr_assert_eq(swirl_last_error(), status);
        snprintf(r->msg, sizeof(r->msg), "%s", swirl_last_error_msg());
    }
}

/* Submit one read and run the loop until it has nothing left: the pending
 * job alone must keep swirl_loop_run going. */
static result_t sync_read(swirl_loop_t *loop, const char *path, int64_t off, size_t len) {
    result_t r = {0};
    cr_assert_eq(swirl_async_read_file(loop, path, off, len, on_read, &r), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(r.calls, 1);
    return r;
}

static result_t sync_write(swirl_loop_t *loop, const char *path, const char *data, size_t len,
                           int64_t off, int flags) {
    result_t r = {0};
    cr_assert_eq(swirl_async_write_file(loop, path, data, len, off, flags, on_write, &r), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(r.calls, 1);
    return r;
}

static void write_plain(const char *path, const char *data) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
    close(fd);
}

static void wait_pool_idle(void) {
    for (int i = 0; i < 2000 && swirl__async_pool_busy() > 0; i++)
        usleep(5000);
    cr_assert_eq(swirl__async_pool_busy(), 0, "pool jobs never came back");
}

/* Before fork(): every pool thread parked. glibc's malloc is fork-safe,
 * but ASan's allocator (this toolchain's) is not: a pool thread still
 * starting up inside it when the test forks leaves its lock taken in the
 * child. The module does not need this; the sanitizer build does. */
static void wait_pool_parked(void) {
    for (int i = 0; i < 2000 && swirl__async_pool_parked() < swirl__async_pool_threads(); i++)
        usleep(5000);
    cr_assert_eq(swirl__async_pool_parked(), swirl__async_pool_threads());
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ---- the loop keeps running during 100 MB of I/O ----------------------------------------- */

#define BIG (100u * 1024 * 1024)

typedef struct {
    swirl_loop_t *loop;
    const char *path;
    unsigned char *src;
    int64_t tick;
    uint64_t last_ms, max_gap_ms;
    int ticks;
    bool measuring;
    int phase; /* 0 writing, 1 reading, 2 done */
    int status;
    uint64_t sum;
    size_t len;
} big_t;

static void big_tick(swirl_loop_t *loop, int64_t id, void *user) {
    big_t *b = user;
    uint64_t now = swirl_clock_ms();
    if (b->measuring && b->last_ms) {
        uint64_t gap = now - b->last_ms;
        if (gap > b->max_gap_ms)
            b->max_gap_ms = gap;
        b->ticks++;
    }
    b->last_ms = now;
}

static void big_read_done(swirl_loop_t *loop, int status, const void *data, size_t len,
                          void *user) {
    big_t *b = user;
    b->measuring = false;
    b->status = status;
    b->len = len;
    if (status == 0)
        b->sum = fnv1a(data, len);
    b->phase = 2;
    swirl_timer_clear(loop, b->tick);
}

static void big_write_done(swirl_loop_t *loop, int status, void *user) {
    big_t *b = user;
    cr_assert_eq(status, (int)BIG, "write: %s", swirl_last_error_msg());
    b->phase = 1;
    b->last_ms = 0; /* restart the gap measure at the next tick */
    cr_assert_eq(swirl_async_read_file(loop, b->path, 0, 0, big_read_done, b), 0);
}

Test(async, big_file_does_not_block_the_loop, .timeout = 120) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "async-big");
    big_t b = {.path = path};
    b.src = malloc(BIG);
    cr_assert_not_null(b.src);
    uint64_t x = 88172645463325252ull; /* xorshift64 */
    for (size_t i = 0; i < BIG; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        memcpy(b.src + i, &x, 8);
    }
    uint64_t want = fnv1a(b.src, BIG);
    cr_assert_eq(swirl_loop_new(&b.loop), 0);
    b.tick = swirl_timer_tick(b.loop, 10, big_tick, &b);
    cr_assert_gt(b.tick, 0);
    b.measuring = true;
    cr_assert_eq(swirl_async_write_file(b.loop, path, b.src, BIG, 0,
                                        SWIRL_ASYNC_CREATE | SWIRL_ASYNC_TRUNC | SWIRL_ASYNC_NOCOPY,
                                        big_write_done, &b),
                 0);
    cr_assert_eq(swirl_loop_run(b.loop), 0);
    cr_assert_eq(b.phase, 2);
    cr_assert_eq(b.status, 0);
    cr_assert_eq(b.len, (size_t)BIG);
    cr_assert_eq(b.sum, want, "the 100 MB did not round-trip");
    cr_assert_gt(b.ticks, 0, "no tick ran while the I/O was in flight");
    cr_assert_lt(b.max_gap_ms, 200, "the loop was blocked for %llu ms",
                 (unsigned long long)b.max_gap_ms);
    cr_log_info("100 MB write+read: %d ticks, largest gap %llu ms", b.ticks,
                (unsigned long long)b.max_gap_ms);
    swirl_loop_free(b.loop);
    free(b.src);
    unlink(path);
    TU_FD_END();
}

/* ---- ranges, append, truncate, empty ----------------------------------------------------- */

Test(async, ranges, .timeout = 20) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "async-range");
    write_plain(path, "0123456789");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    struct {
        int64_t off;
        size_t len;
        const char *want;
    } cases[] = {{0, 0, "0123456789"}, {2, 3, "234"}, {8, 10, "89"}, {3, 0, "3456789"},
                 {10, 0, ""},          {20, 5, ""},   {0, 1, "0"},   {9, 1, "9"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        result_t r = sync_read(loop, path, cases[i].off, cases[i].len);
        cr_assert_eq(r.status, 0, "case %zu: %s", i, r.msg);
        cr_assert_eq(r.len, strlen(cases[i].want), "case %zu", i);
        cr_assert_str_eq(r.data, cases[i].want, "case %zu", i);
        free(r.data);
    }
    swirl_loop_free(loop);
    unlink(path);
    TU_FD_END();
}

Test(async, append_truncate_overwrite_empty, .timeout = 20) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "async-write");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    const int ct = SWIRL_ASYNC_CREATE | SWIRL_ASYNC_TRUNC;

    result_t w = sync_write(loop, path, "abc", 3, 0, ct);
    cr_assert_eq(w.status, 3);
    w = sync_write(loop, path, "def", 3, 999, SWIRL_ASYNC_APPEND); /* offset ignored */
    cr_assert_eq(w.status, 3);
    result_t r = sync_read(loop, path, 0, 0);
    cr_assert_str_eq(r.data, "abcdef");
    free(r.data);

    w = sync_write(loop, path, "X", 1, 1, 0); /* in place: the rest is kept */
    cr_assert_eq(w.status, 1);
    r = sync_read(loop, path, 0, 0);
    cr_assert_str_eq(r.data, "aXcdef");
    free(r.data);

    w = sync_write(loop, path, "z", 1, 0, SWIRL_ASYNC_TRUNC | SWIRL_ASYNC_SYNC);
    cr_assert_eq(w.status, 1);
    r = sync_read(loop, path, 0, 0);
    cr_assert_str_eq(r.data, "z");
    free(r.data);

    /* data is copied at call time: changing it right after does not matter */
    char buf[] = "copied";
    cr_assert_eq(swirl_async_write_file(loop, path, buf, 6, 0, ct, on_write, &w), 0);
    memset(buf, '!', 6);
    w.calls = 0;
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(w.status, 6);
    r = sync_read(loop, path, 0, 0);
    cr_assert_str_eq(r.data, "copied");
    free(r.data);

    /* empty: a zero-byte write truncates to nothing, a read gives 0 bytes */
    w = sync_write(loop, path, NULL, 0, 0, ct);
    cr_assert_eq(w.status, 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 0);
    r = sync_read(loop, path, 0, 0);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(r.len, 0);
    free(r.data);

    /* EXCL on an existing file */
    w = sync_write(loop, path, "x", 1, 0, SWIRL_ASYNC_CREATE | SWIRL_ASYNC_EXCL);
    cr_assert_eq(w.status, -EEXIST);
    cr_assert(strstr(w.msg, path), "%s", w.msg);

    swirl_loop_free(loop);
    unlink(path);
    TU_FD_END();
}

Test(async, proc_file_of_unknown_size, .timeout = 20) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    result_t r = sync_read(loop, "/proc/self/status", 0, 0); /* st_size says 0 */
    cr_assert_eq(r.status, 0, "%s", r.msg);
    cr_assert(strstr(r.data, "Name:"));
    free(r.data);
    swirl_loop_free(loop);
}

/* ---- errors name the path ---------------------------------------------------------------- */

Test(async, errors_name_the_path, .timeout = 20) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    char dir[128], missing[160], secret[128];
    tu_tmp_path(dir, sizeof(dir), "async-dir");
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(missing, sizeof(missing), "%s/nope", dir);

    result_t r = sync_read(loop, missing, 0, 0);
    cr_assert_eq(r.status, -ENOENT);
    cr_assert(strstr(r.msg, missing), "%s", r.msg);
    cr_log_info("missing: %s", r.msg);

    r = sync_read(loop, dir, 0, 0);
    cr_assert_eq(r.status, -EISDIR);
    cr_assert(strstr(r.msg, dir), "%s", r.msg);

    r = sync_write(loop, dir, "x", 1, 0, 0);
    cr_assert_eq(r.status, -EISDIR);
    cr_assert(strstr(r.msg, dir), "%s", r.msg);

    r = sync_write(loop, missing, "x", 1, 0, 0); /* no CREATE: must exist */
    cr_assert_eq(r.status, -ENOENT);
    cr_assert(strstr(r.msg, missing), "%s", r.msg);

    /* Permission: root reads anything, so drop the effective uid (for every
     * thread: glibc's seteuid reaches the pool threads too) and take it back. */
    tu_tmp_path(secret, sizeof(secret), "async-secret");
    write_plain(secret, "s");
    cr_assert_eq(chmod(secret, 0600), 0);
    bool root = geteuid() == 0;
    if (root)
        cr_assert_eq(seteuid(65534), 0);
    else
        cr_assert_eq(chmod(secret, 0), 0);
    r = sync_read(loop, secret, 0, 0);
    cr_assert_eq(r.status, -EACCES);
    cr_assert(strstr(r.msg, secret), "%s", r.msg);
    cr_log_info("permission: %s", r.msg);
    r = sync_write(loop, secret, "x", 1, 0, 0);
    cr_assert_eq(r.status, -EACCES);
    cr_assert(strstr(r.msg, secret), "%s", r.msg);
    if (root)
        cr_assert_eq(seteuid(0), 0);

    /* bad arguments: an error returned, no callback ever */
    result_t never = {0};
    cr_assert_eq(swirl_async_read_file(loop, NULL, 0, 0, on_read, &never), SWIRL_EBADARG);
    cr_assert_eq(swirl_async_read_file(loop, secret, -1, 0, on_read, &never), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), secret));
    cr_assert_eq(swirl_async_read_file(loop, secret, 0, 0, NULL, &never), SWIRL_EBADARG);
    cr_assert_eq(swirl_async_write_file(loop, secret, NULL, 3, 0, 0, on_write, &never),
                 SWIRL_EBADARG);
    cr_assert_eq(swirl_async_write_file(loop, secret, "x", 1, 0, 1 << 20, on_write, &never),
                 SWIRL_EBADARG);
    cr_assert_eq(
        swirl_async_write_file(loop, secret, "x", (size_t)INT32_MAX + 1, 0, 0, on_write, &never),
        SWIRL_ETOOBIG);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(never.calls, 0);

    swirl_loop_free(loop);
    unlink(secret);
    rmdir(dir);
    TU_FD_END();
}

/* ---- many jobs, and a loop freed under them ---------------------------------------------- */

#define MANY 200

typedef struct {
    int calls[MANY];
    int done;
} many_t;

typedef struct {
    many_t *m;
    int i;
} many_arg_t;

static void many_read(swirl_loop_t *loop, int status, const void *data, size_t len, void *user) {
    many_arg_t *a = user;
    cr_assert_eq(status, 0);
    char want[32];
    snprintf(want, sizeof(want), "file %d", a->i % 10);
    cr_assert_eq(len, strlen(want));
    cr_assert_eq(memcmp(data, want, len), 0);
    a->m->calls[a->i]++;
    a->m->done++;
}

Test(async, many_concurrent_jobs_complete_once, .timeout = 60) {
    TU_FD_BEGIN();
    char paths[10][128];
    for (int i = 0; i < 10; i++) {
        char body[32];
        tu_tmp_path(paths[i], sizeof(paths[i]), "async-many");
        snprintf(body, sizeof(body), "file %d", i);
        write_plain(paths[i], body);
    }
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    many_t m = {0};
    many_arg_t args[MANY];
    for (int i = 0; i < MANY; i++) {
        args[i] = (many_arg_t){&m, i};
        cr_assert_eq(swirl_async_read_file(loop, paths[i % 10], 0, 0, many_read, &args[i]), 0);
    }
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(m.done, MANY);
    for (int i = 0; i < MANY; i++)
        cr_assert_eq(m.calls[i], 1, "job %d ran %d times", i, m.calls[i]);
    cr_assert_leq(swirl__async_pool_threads(), SWIRL_ASYNC_THREADS);
    swirl_loop_free(loop);
    for (int i = 0; i < 10; i++)
        unlink(paths[i]);
    TU_FD_END();
}

static void must_not_run_read(swirl_loop_t *l, int s, const void *d, size_t n, void *u) {
    cr_assert_fail("a freed loop's read callback ran");
}
static void must_not_run_write(swirl_loop_t *l, int s, void *u) {
    cr_assert_fail("a freed loop's write callback ran");
}
static void must_not_run_dns(swirl_loop_t *l, int s, const swirl_addr_t *a, size_t n, void *u) {
    cr_assert_fail("a freed loop's dns callback ran");
}

Test(async, free_loop_with_jobs_in_flight, .timeout = 60) {
    TU_FD_BEGIN();
    char path[128], out[128];
    tu_tmp_path(path, sizeof(path), "async-inflight");
    tu_tmp_path(out, sizeof(out), "async-inflight-out");
    char *blob = malloc(1 << 20);
    cr_assert_not_null(blob);
    memset(blob, 'q', 1 << 20);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_eq(write(fd, blob, 1 << 20), 1 << 20);
    close(fd);

    for (int round = 0; round < 5; round++) {
        swirl_loop_t *loop;
        cr_assert_eq(swirl_loop_new(&loop), 0);
        swirl_dns_cache_clear();
        atomic_store(&swirl__dns_test_delay_ms, 20);
        for (int i = 0; i < 40; i++)
            cr_assert_eq(swirl_async_read_file(loop, path, 0, 0, must_not_run_read, NULL), 0);
        cr_assert_eq(swirl_async_write_file(loop, out, blob, 1 << 20, 0,
                                            SWIRL_ASYNC_CREATE | SWIRL_ASYNC_TRUNC,
                                            must_not_run_write, NULL),
                     0);
        cr_assert_eq(swirl_dns_lookup(loop, "localhost", AF_UNSPEC, 5, must_not_run_dns, NULL), 0);
        cr_assert_eq(swirl_dns_lookup(loop, "127.0.0.1", AF_UNSPEC, 0, must_not_run_dns, NULL), 0);
        if (round % 2) /* some results already back in the done list, some not */
            usleep(20000);
        swirl_loop_free(loop);
    }
    atomic_store(&swirl__dns_test_delay_ms, 0);
    wait_pool_idle(); /* the dropped results are freed by the pool: ASan checks nothing leaks */
    free(blob);
    unlink(path);
    unlink(out);
    TU_FD_END();
}

/* ---- DNS --------------------------------------------------------------------------------- */

typedef struct {
    int calls;
    int status;
    size_t n;
    swirl_addr_t addrs[SWIRL_DNS_MAX_ADDRS];
    char msg[512];
    uint64_t at_ms;
} dns_t;

static void on_dns(swirl_loop_t *loop, int status, const swirl_addr_t *addrs, size_t n,
                   void *user) {
    dns_t *d = user;
    d->calls++;
    d->status = status;
    d->n = n;
    d->at_ms = swirl_clock_ms();
    if (status > 0) {
        cr_assert_eq((size_t)status, n);
        memcpy(d->addrs, addrs, n * sizeof(*addrs));
    } else {
        cr_assert_null(addrs);
        cr_assert_eq(swirl_last_error(), status);
        snprintf(d->msg, sizeof(d->msg), "%s", swirl_last_error_msg());
    }
}

static dns_t sync_dns(swirl_loop_t *loop, const char *host, int family, int64_t timeout) {
    dns_t d = {0};
    cr_assert_eq(swirl_dns_lookup(loop, host, family, timeout, on_dns, &d), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(d.calls, 0, "never called from inside the submit");
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(d.calls, 1);
    return d;
}

static bool has_host(const dns_t *d, const char *want) {
    for (size_t i = 0; i < d->n; i++) {
        char buf[64];
        swirl_addr_host(&d->addrs[i], buf, sizeof(buf));
        if (strcmp(buf, want) == 0)
            return true;
    }
    return false;
}

Test(async, dns_numeric_without_the_pool, .timeout = 20) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    unsigned long calls = swirl__dns_resolver_calls();
    dns_t d = sync_dns(loop, "192.0.2.7", AF_UNSPEC, 0);
    cr_assert_eq(d.status, 1);
    cr_assert(has_host(&d, "192.0.2.7"));
    cr_assert_eq(d.addrs[0].u.sa.sa_family, AF_INET);
    d = sync_dns(loop, "::1", AF_INET6, 0);
    cr_assert_eq(d.status, 1);
    cr_assert(has_host(&d, "::1"));
    d = sync_dns(loop, "[2001:db8::5]", AF_UNSPEC, 0);
    cr_assert(has_host(&d, "2001:db8::5"));
    cr_assert_eq(swirl__dns_resolver_calls(), calls, "a numeric address reached getaddrinfo");
    cr_assert_eq(swirl__async_pool_threads(), 0, "the pool was started for numeric lookups");

    dns_t never = {0};
    cr_assert_eq(swirl_dns_lookup(loop, "10.0.0.1", AF_INET6, 0, on_dns, &never), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "10.0.0.1"));
    cr_assert_eq(swirl_dns_lookup(loop, "", AF_UNSPEC, 0, on_dns, &never), SWIRL_EBADARG);
    cr_assert_eq(swirl_dns_lookup(loop, "x", 12345, 0, on_dns, &never), SWIRL_EBADARG);
    cr_assert_eq(swirl_dns_lookup(loop, "x", AF_INET, -1, on_dns, &never), SWIRL_EBADARG);
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    cr_assert_eq(swirl_dns_lookup(loop, longname, AF_INET, 0, on_dns, &never), SWIRL_EBADARG);
    cr_assert_eq(swirl_loop_run(loop), 0);
    cr_assert_eq(never.calls, 0);
    swirl_loop_free(loop);
}

Test(async, dns_localhost_and_cache, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_dns_cache_clear();
    unsigned long calls = swirl__dns_resolver_calls();
    dns_t d = sync_dns(loop, "localhost", AF_INET, 10000);
    cr_assert_geq(d.status, 1, "%s", d.msg);
    cr_assert(has_host(&d, "127.0.0.1"));
    cr_assert_eq(swirl__dns_resolver_calls(), calls + 1);

    /* the second lookup (any case) comes from the cache: getaddrinfo is not called */
    dns_t again = sync_dns(loop, "LocalHost", AF_INET, 10000);
    cr_assert_eq(again.status, d.status);
    cr_assert_eq(memcmp(again.addrs, d.addrs, d.n * sizeof(d.addrs[0])), 0);
    cr_assert_eq(swirl__dns_resolver_calls(), calls + 1, "the cache did not answer");

    /* another family is another entry */
    dns_t any = sync_dns(loop, "localhost", AF_UNSPEC, 10000);
    cr_assert_geq(any.status, 1, "%s", any.msg);
    cr_assert(has_host(&any, "127.0.0.1") || has_host(&any, "::1"));
    cr_assert_eq(swirl__dns_resolver_calls(), calls + 2);

    swirl_dns_cache_clear();
    sync_dns(loop, "localhost", AF_INET, 10000);
    cr_assert_eq(swirl__dns_resolver_calls(), calls + 3, "the cleared cache still answered");
    swirl_loop_free(loop);
    wait_pool_idle();
    TU_FD_END();
}

Test(async, dns_invalid_name_fails_clearly, .timeout = 60) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    /* RFC 6761: .invalid never resolves. Without a network the resolver may
     * answer "temporary failure" instead of "no such name". */
    dns_t d = sync_dns(loop, "no-such-host.swirl.invalid", AF_UNSPEC, 30000);
    cr_assert(d.status == SWIRL_ENOTFOUND || d.status == -EAGAIN, "status %d: %s", d.status, d.msg);
    cr_assert(strstr(d.msg, "no-such-host.swirl.invalid"), "%s", d.msg);
    cr_log_info("invalid: %s", d.msg);
    /* failures are not cached */
    unsigned long calls = swirl__dns_resolver_calls();
    sync_dns(loop, "no-such-host.swirl.invalid", AF_UNSPEC, 30000);
    cr_assert_eq(swirl__dns_resolver_calls(), calls + 1);
    swirl_loop_free(loop);
}

Test(async, dns_timeout_fires_and_late_answer_is_dropped, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_dns_cache_clear();
    /* Test hook: the pool sleeps 600 ms before getaddrinfo, standing in for
     * a resolver that does not answer. */
    atomic_store(&swirl__dns_test_delay_ms, 600);
    dns_t d = {0};
    uint64_t start = swirl_clock_ms();
    cr_assert_eq(swirl_dns_lookup(loop, "localhost", AF_INET, 50, on_dns, &d), 0);
    /* the loop returns at the deadline, not when the pool is done */
    cr_assert_eq(swirl_loop_run(loop), 0);
    uint64_t waited = swirl_clock_ms() - start;
    cr_assert_eq(d.calls, 1);
    cr_assert_eq(d.status, -ETIMEDOUT);
    cr_assert(strstr(d.msg, "localhost"), "%s", d.msg);
    cr_assert_geq(d.at_ms - start, 50);
    cr_assert_lt(waited, 500, "waited %llu ms for a 50 ms timeout", (unsigned long long)waited);
    cr_log_info("timeout: %s after %llu ms", d.msg, (unsigned long long)(d.at_ms - start));

    /* the late answer comes back to the loop and is dropped: no second call */
    wait_pool_idle();
    atomic_store(&swirl__dns_test_delay_ms, 0);
    swirl_loop_run_once(loop, 100);
    cr_assert_eq(d.calls, 1);
    /* ...but cached, so the next lookup is immediate */
    unsigned long calls = swirl__dns_resolver_calls();
    dns_t again = sync_dns(loop, "localhost", AF_INET, 50);
    cr_assert_geq(again.status, 1);
    cr_assert_eq(swirl__dns_resolver_calls(), calls);
    swirl_loop_free(loop);
    TU_FD_END();
}

/* ---- fork -------------------------------------------------------------------------------- */

static int child_uses_async(swirl_loop_t *parent_loop, const char *path) {
    if (swirl__async_pool_threads() != 0)
        return 10; /* the parent's threads are not here: no pool yet */
    result_t r = {0};
    if (parent_loop) {
        if (swirl_async_read_file(parent_loop, path, 0, 0, on_read, &r) != SWIRL_ESTATE)
            return 11;
        swirl_loop_forget(parent_loop);
    }
    swirl_loop_t *loop;
    if (swirl_loop_new(&loop) != 0)
        return 12;
    if (swirl_async_read_file(loop, path, 0, 0, on_read, &r) != 0 || swirl_loop_run(loop) != 0)
        return 13;
    if (r.calls != 1 || r.status != 0 || strcmp(r.data, "forked") != 0)
        return 14;
    free(r.data);
    if (swirl__async_pool_threads() != SWIRL_ASYNC_THREADS)
        return 15;
    swirl_dns_cache_clear();
    dns_t d = {0};
    if (swirl_dns_lookup(loop, "localhost", AF_INET, 10000, on_dns, &d) != 0 ||
        swirl_loop_run(loop) != 0 || d.calls != 1 || d.status < 1)
        return 16;
    swirl_loop_free(loop);
    return 0;
}

Test(async, child_after_fork_gets_a_new_pool, .timeout = 30) {
    char path[128];
    tu_tmp_path(path, sizeof(path), "async-fork");
    write_plain(path, "forked");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    result_t r = sync_read(loop, path, 0, 0);
    free(r.data);
    cr_assert_eq(swirl__async_pool_threads(), SWIRL_ASYNC_THREADS);
    wait_pool_parked();
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a test that timed out */
        _exit(child_uses_async(loop, path));
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st));
    cr_assert_eq(WEXITSTATUS(st), 0, "child failed at step %d", WEXITSTATUS(st));
    /* the parent's pool is untouched */
    r = sync_read(loop, path, 0, 0);
    cr_assert_str_eq(r.data, "forked");
    free(r.data);
    swirl_loop_free(loop);
    unlink(path);
}

static void process_main(swirl_process_t *proc, void *user) {
    /* swirl_process_start already forgot the parent's loops */
    swirl_process_exit(child_uses_async(NULL, user));
}

Test(async, swirl_process_child_gets_a_new_pool, .timeout = 30) {
    char path[128];
    tu_tmp_path(path, sizeof(path), "async-proc");
    write_plain(path, "forked");
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    result_t r = sync_read(loop, path, 0, 0);
    free(r.data);
    wait_pool_parked();
    swirl_process_t *proc;
    cr_assert_eq(swirl_process_new(&proc, process_main, path, false, 0), 0);
    pid_t pid = swirl_process_start(proc);
    cr_assert_gt(pid, 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st));
    cr_assert_eq(WEXITSTATUS(st), 0, "child failed at step %d", WEXITSTATUS(st));
    swirl_process_free(proc);
    swirl_loop_free(loop);
    unlink(path);
}
