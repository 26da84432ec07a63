/* tests/unit/core/test_buffer.c — growable buffers with a read cursor. */
#include <stdint.h>
#include <string.h>
#include <swirl/swirl.h>

#include "testutil.h"

Test(buffer, append_consume_keep_order) {
    swirl_buf_t b;
    swirl_buf_init(&b);
    cr_assert_eq(swirl_buf_size(&b), 0);
    char expect[100000];
    size_t n = 0, consumed = 0;
    for (int i = 0; i < 5000; i++) {
        char piece[32];
        int len = snprintf(piece, sizeof(piece), "<%d>", i);
        cr_assert_eq(swirl_buf_append(&b, piece, (size_t)len), 0);
        memcpy(expect + n, piece, (size_t)len);
        n += (size_t)len;
        if (i % 3 == 0) { /* consume a little, so the cursor moves */
            size_t c = swirl_buf_size(&b) / 2;
            cr_assert_eq(memcmp(swirl_buf_bytes(&b), expect + consumed, c), 0);
            swirl_buf_consume(&b, c);
            consumed += c;
        }
    }
    cr_assert_eq(swirl_buf_size(&b), n - consumed);
    cr_assert_eq(memcmp(swirl_buf_bytes(&b), expect + consumed, n - consumed), 0);
    swirl_buf_consume(&b, SIZE_MAX);
    cr_assert_eq(swirl_buf_size(&b), 0);
    swirl_buf_destroy(&b);
    cr_assert_null(b.data);
}

Test(buffer, reserve_slides_before_growing) {
    swirl_buf_t b;
    swirl_buf_init(&b);
    cr_assert_eq(swirl_buf_reserve(&b, 1000), 0);
    size_t cap = b.cap;
    memset(b.data, 'a', 1000);
    swirl_buf_commit(&b, 1000);
    swirl_buf_consume(&b, 900);
    char *before = b.data;
    cr_assert_eq(swirl_buf_reserve(&b, cap - 200), 0);
    cr_assert_eq(b.cap, cap, "room made by sliding, not growing");
    cr_assert_eq(b.data, before);
    cr_assert_eq(b.start, 0);
    cr_assert_eq(swirl_buf_size(&b), 100);
    cr_assert_eq(swirl_buf_reserve(&b, SIZE_MAX), SWIRL_ETOOBIG);
    cr_assert_eq(swirl_buf_size(&b), 100, "a failed reserve changes nothing");
    swirl_buf_destroy(&b);
}

Test(buffer, appendf_and_clear) {
    swirl_buf_t b;
    swirl_buf_init(&b);
    cr_assert_eq(swirl_buf_appendf(&b, "%s=%d;", "a", 1), 0);
    cr_assert_eq(swirl_buf_appendf(&b, "%0300d", 7), 0);
    cr_assert_eq(swirl_buf_size(&b), 4 + 300);
    cr_assert_eq(memcmp(swirl_buf_bytes(&b), "a=1;000", 7), 0);
    swirl_buf_clear(&b);
    cr_assert_eq(swirl_buf_size(&b), 0);
    cr_assert_not_null(b.data, "clear keeps the memory");
    cr_assert_eq(swirl_buf_append(&b, NULL, 0), 0);
    swirl_buf_destroy(&b);
}
