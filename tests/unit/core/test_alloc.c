/* tests/unit/core/test_alloc.c — the replaceable allocator, and that out of
 * memory is an error returned, never a crash. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <swirl/swirl.h>

#include "testutil.h"

/* A failing allocator: the first `budget` allocations succeed. */
static long budget;
static long calls;
static void *f_malloc(size_t n) { return calls++, budget-- > 0 ? malloc(n) : NULL; }
static void *f_calloc(size_t c, size_t n) { return calls++, budget-- > 0 ? calloc(c, n) : NULL; }
static void *f_realloc(void *p, size_t n) { return calls++, budget-- > 0 ? realloc(p, n) : NULL; }
static const swirl_allocator_t failing = {f_malloc, f_calloc, f_realloc, free};

Test(alloc, replacement_is_used_and_missing_functions_refused) {
    cr_assert_eq(swirl_set_allocator(&(swirl_allocator_t){f_malloc, NULL, f_realloc, free}),
                 SWIRL_EBADARG);
    budget = 1000;
    calls = 0;
    cr_assert_eq(swirl_set_allocator(&failing), 0);
    void *p = swirl_malloc(10);
    cr_assert_not_null(p);
    cr_assert_eq(calls, 1);
    swirl_free(p);
    cr_assert_null(swirl_calloc(SIZE_MAX / 2, 4), "overflow is refused before allocating");
    cr_assert_eq(swirl_set_allocator(NULL), 0);
    char *s = swirl_strdup("hello");
    cr_assert_str_eq(s, "hello");
    swirl_free(s);
    swirl_free(NULL);
}

static void cb_timer(swirl_loop_t *loop, int64_t id, void *user) {}
static void cb_defer(swirl_loop_t *loop, void *user) {}

/* Every allocation point of loop creation, timers, defers and buffers fails
 * cleanly in turn: an error code comes back and nothing leaks (ASan). */
Test(alloc, every_allocation_failure_is_an_error, .timeout = 30) {
    TU_FD_BEGIN();
    for (long b = 0; b < 12; b++) {
        budget = b;
        swirl_set_allocator(&failing);
        swirl_loop_t *loop = NULL;
        int rc = swirl_loop_new(&loop);
        if (rc < 0) {
            cr_assert_eq(rc, -ENOMEM);
            swirl_set_allocator(NULL);
            continue;
        }
        int64_t t = swirl_timer_after(loop, 1000, cb_timer, NULL);
        cr_assert(t > 0 || t == -ENOMEM, "timer: %lld", (long long)t);
        int d = swirl_loop_defer(loop, cb_defer, NULL);
        cr_assert(d == 0 || d == -ENOMEM);
        swirl_buf_t buf;
        swirl_buf_init(&buf);
        int a = swirl_buf_append(&buf, "abc", 3);
        cr_assert(a == 0 || a == -ENOMEM);
        swirl_buf_destroy(&buf);
        swirl_loop_free(loop);
        swirl_set_allocator(NULL);
    }
    TU_FD_END();
}
