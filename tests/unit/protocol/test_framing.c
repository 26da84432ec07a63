/* tests/unit/protocol/test_framing.c — EOF and length framing, every
 * package_length_type, limits and bad settings; inputs sit against an
 * unmapped page so an over-read crashes. */
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "testutil.h"

/* Run framing over `data` fed in pieces of `step` bytes, the way a socket
 * delivers it; collect message lengths. Returns the count or a negative code. */
static int feed(const swirl_framing_t *f, const char *data, size_t len, size_t step, size_t *lens,
                int max) {
    char *buf = malloc(len + 1);
    size_t have = 0, off = 0, scan = 0;
    int count = 0;
    while (off < len || have > 0) {
        size_t n = step < len - off ? step : len - off;
        memcpy(buf + have, data + off, n);
        have += n;
        off += n;
        for (;;) {
            void *g = tu_guarded(buf, have);
            ssize_t m = swirl_framing_next(f, g, have, &scan);
            tu_guarded_free(g, have);
            if (m < 0) {
                free(buf);
                return (int)m;
            }
            if (m == 0)
                break;
            cr_assert_lt(count, max);
            lens[count++] = (size_t)m;
            memmove(buf, buf + m, have - (size_t)m);
            have -= (size_t)m;
            scan = 0;
            if (have == 0)
                break;
        }
        if (off == len)
            break;
    }
    free(buf);
    return count;
}

Test(framing, eof_split_one_message_per_delimiter_any_chop) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    cr_assert_eq(swirl_framing_set_eof(&f, "\r\n", 2, true), 0);
    const char *in = "hello\r\nworld\r\n\r\nlast one\r\n";
    size_t lens[8];
    for (size_t step = 1; step <= strlen(in); step++) {
        int n = feed(&f, in, strlen(in), step, lens, 8);
        cr_assert_eq(n, 4, "step %zu gave %d", step, n);
        cr_assert_eq(lens[0], 7);
        cr_assert_eq(lens[1], 7);
        cr_assert_eq(lens[2], 2);
        cr_assert_eq(lens[3], 10);
    }
}

Test(framing, eof_check_without_split_delivers_whole_chunks) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    cr_assert_eq(swirl_framing_set_eof(&f, "\n", 1, false), 0);
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "a\nb", 3, &scan), 0);
    cr_assert_eq(swirl_framing_next(&f, "a\nb\n", 4, &scan), 4);
}

Test(framing, eof_longer_than_max_is_too_big) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    swirl_framing_set_eof(&f, "END", 3, true);
    swirl_framing_set_max_length(&f, 10);
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "0123456789abc", 13, &scan), SWIRL_ETOOBIG);
    scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "0123456END", 10, &scan), 10);
    scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "01234567END", 11, &scan), SWIRL_ETOOBIG);
}

/* Encode a message of `body` bytes with each type and read it back. */
Test(framing, length_every_type_roundtrips) {
    const char *types = "cCsSnNlLvV";
    for (const char *t = types; *t; t++) {
        swirl_framing_t f;
        swirl_framing_init(&f);
        cr_assert_eq(swirl_framing_set_length(&f, *t, 2, 6), 0, "type %c", *t);
        size_t body = (*t == 'c') ? 100 : 120;
        char msg[6 + 200];
        memset(msg, 'x', sizeof(msg));
        cr_assert_eq(swirl_framing_put_length(&f, msg, body), 0);
        size_t lens[4];
        /* two messages back to back, chopped in 3s */
        char two[2 * sizeof(msg)];
        memcpy(two, msg, 6 + body);
        memcpy(two + 6 + body, msg, 6 + body);
        cr_assert_eq(feed(&f, two, 2 * (6 + body), 3, lens, 4), 2, "type %c", *t);
        cr_assert_eq(lens[0], 6 + body);
        cr_assert_eq(lens[1], 6 + body);
    }
}

Test(framing, length_byte_orders_are_as_pack) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    swirl_framing_set_length(&f, 'N', 0, 4);
    size_t scan = 0;
    unsigned char be[] = {0, 0, 1, 0}; /* 256, big-endian */
    cr_assert_eq(swirl_framing_next(&f, be, 4, &scan), 0, "needs 4 + 256 bytes");
    swirl_framing_set_length(&f, 'V', 0, 4);
    unsigned char le[] = {2, 0, 0, 0, 'a', 'b'}; /* 2, little-endian */
    cr_assert_eq(swirl_framing_next(&f, le, 6, &scan), 6);
    swirl_framing_set_length(&f, 'n', 0, 2);
    unsigned char n16[] = {0, 1, 'z'};
    cr_assert_eq(swirl_framing_next(&f, n16, 3, &scan), 3);
}

Test(framing, negative_or_self_cutting_lengths_are_protocol_errors) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    swirl_framing_set_length(&f, 'c', 0, 1);
    unsigned char neg[] = {0xff, 0};
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, neg, 2, &scan), SWIRL_EPROTO);
    swirl_framing_set_length(&f, 'l', 0, 0); /* the length counts the whole message */
    int32_t n = -5;
    cr_assert_eq(swirl_framing_next(&f, &n, 4, &scan), SWIRL_EPROTO);
    n = 2; /* ends inside its own length field */
    cr_assert_eq(swirl_framing_next(&f, &n, 4, &scan), SWIRL_EPROTO);
    n = 4;
    cr_assert_eq(swirl_framing_next(&f, &n, 4, &scan), 4);
}

Test(framing, length_over_max_is_known_from_the_header_alone) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    swirl_framing_set_length(&f, 'N', 0, 4);
    swirl_framing_set_max_length(&f, 1000);
    unsigned char hdr[] = {0, 0, 0x10, 0}; /* 4096 */
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, hdr, 4, &scan), SWIRL_ETOOBIG);
    unsigned char part[] = {0, 0}; /* header not complete yet */
    cr_assert_eq(swirl_framing_next(&f, part, 2, &scan), 0);
}

Test(framing, none_passes_everything) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "abc", 3, &scan), 3);
}

Test(framing, bad_settings_name_the_setting) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    cr_assert_eq(swirl_framing_set_length(&f, 'q', 0, 4), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "package_length_type"));
    cr_assert(strstr(swirl_last_error_msg(), "\"q\""));
    cr_assert_eq(swirl_framing_set_eof(&f, "", 0, true), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "package_eof"));
    cr_assert_eq(swirl_framing_set_eof(&f, "123456789", 9, true), SWIRL_ESETTING);
    cr_assert_eq(swirl_framing_set_max_length(&f, 0), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "package_max_length"));
    cr_assert_eq(swirl_framing_set_length(&f, 'N', 70000, 4), SWIRL_ESETTING);
    cr_assert_eq(f.kind, SWIRL_FRAMING_NONE, "failed setters change nothing");
    swirl_framing_set_length(&f, 'C', 0, 1);
    char hdr[1];
    cr_assert_eq(swirl_framing_put_length(&f, hdr, 300), SWIRL_ETOOBIG);
}

/* package_length_func: "<len>|<body>" messages, the length told by a function */
static ssize_t bar_length(const void *data, size_t len, void *user) {
    int *calls = user;
    (*calls)++;
    const char *bar = memchr(data, '|', len);
    if (!bar)
        return len > 5 ? -1 : 0; /* 5 digits at most */
    return atoi(data) + (bar - (const char *)data) + 1;
}

Test(framing, length_function_decides_the_message) {
    swirl_framing_t f;
    swirl_framing_init(&f);
    int calls = 0;
    cr_assert_eq(swirl_framing_set_length_fn(&f, NULL, NULL), SWIRL_EBADARG);
    cr_assert_eq(swirl_framing_set_length_fn(&f, bar_length, &calls), 0);
    cr_assert_eq(f.kind, SWIRL_FRAMING_LENGTH);
    size_t scan = 0;
    cr_assert_eq(swirl_framing_next(&f, "", 0, &scan), 0, "no bytes: the function is not asked");
    cr_assert_eq(calls, 0);
    cr_assert_eq(swirl_framing_next(&f, "3", 1, &scan), 0, "more bytes needed");
    cr_assert_eq(swirl_framing_next(&f, "3|ab", 4, &scan), 0, "the body is not complete");
    cr_assert_eq(swirl_framing_next(&f, "3|abcNEXT", 9, &scan), 5);
    cr_assert_eq(swirl_framing_next(&f, "123456", 6, &scan), SWIRL_EPROTO, "negative: bad data");
    swirl_framing_set_max_length(&f, 100);
    cr_assert_eq(swirl_framing_next(&f, "200|", 4, &scan), SWIRL_ETOOBIG);
    cr_assert_eq(calls, 5);
    /* 0 (need more) with max_length bytes there: it can never fit */
    swirl_framing_set_max_length(&f, 4);
    cr_assert_eq(swirl_framing_next(&f, "123", 3, &scan), 0);
    cr_assert_eq(swirl_framing_next(&f, "1234", 4, &scan), SWIRL_ETOOBIG);
    cr_assert_eq(calls, 7);
    /* a length field again replaces the function */
    swirl_framing_set_length(&f, 'C', 0, 1);
    cr_assert_null(f.length_fn);
    unsigned char m[] = {2, 'a', 'b'};
    cr_assert_eq(swirl_framing_next(&f, m, 3, &scan), 3);
    cr_assert_eq(calls, 7);
}
