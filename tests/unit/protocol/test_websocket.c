/* tests/unit/protocol/test_websocket.c — WebSocket frame headers (every
 * length form, both ways, fed short), refusals with reasons, masking in
 * pieces, the RFC 6455 accept-key example and bad keys, close codes, the
 * checks of frames and closes to send and of a close payload, and the
 * UTF-8 validator on valid text split anywhere and on every kind of
 * bad sequence; headers parsed against an unmapped guard page. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

#include "testutil.h"

Test(websocket, header_round_trip_in_every_length_form) {
    static const uint64_t lens[] = {0, 1, 125, 126, 127, 65535, 65536, 1u << 24, 1ull << 40};
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        for (int m = 0; m <= 1; m++) {
            uint8_t buf[SWIRL_WS_HEADER_MAX];
            size_t n = swirl_ws_header_write(buf, i % 2, SWIRL_WS_BINARY, lens[i], m ? mask : NULL);
            size_t want = (lens[i] < 126 ? 2 : lens[i] <= 0xffff ? 4 : 10) + (m ? 4 : 0);
            cr_assert_eq(n, want, "len %llu: %zu header bytes", (unsigned long long)lens[i], n);
            swirl_ws_header_t h;
            for (size_t k = 0; k < n; k++) /* short: more bytes needed */
                cr_assert_eq(swirl_ws_header_parse(buf, k, 0, &h), 0);
            void *g = tu_guarded(buf, n);
            cr_assert_eq(swirl_ws_header_parse(g, n, 0, &h), (int)n);
            tu_guarded_free(g, n);
            cr_assert_eq(h.len, lens[i]);
            cr_assert_eq(h.fin, (bool)(i % 2));
            cr_assert_eq(h.opcode, SWIRL_WS_BINARY);
            cr_assert_eq(h.masked, (bool)m);
            if (m)
                cr_assert_eq(memcmp(h.mask, mask, 4), 0);
        }
}

Test(websocket, bad_headers_are_refused_with_a_reason) {
    static const struct {
        uint8_t b[10];
        size_t n;
        const char *why;
    } bad[] = {
        {{0xc1, 0x80}, 2, "reserved bits 0x4"},   /* RSV1 on text */
        {{0x91, 0x80}, 2, "reserved bits 0x1"},   /* RSV3 */
        {{0x83, 0x80}, 2, "reserved opcode 3"},
        {{0x87, 0x80}, 2, "reserved opcode 7"},
        {{0x8b, 0x80}, 2, "reserved opcode 11"},
        {{0x8f, 0x80}, 2, "reserved opcode 15"},
        {{0x09, 0x80}, 2, "fragmented control frame"},
        {{0x89, 0xfe, 0x00, 0x7e}, 4, "over 125 bytes"},
        {{0x88, 0xfe, 0x00, 0x7e}, 4, "over 125 bytes"},
        {{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1}, 10, "top bit"},
        {{0x82, 0xfe, 0x00, 0x7d}, 4, "length 125 not in its minimal encoding"},
        {{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 10, "length 65535 not in its minimal"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        swirl_ws_header_t h;
        cr_assert_eq(swirl_ws_header_parse(bad[i].b, bad[i].n, 0, &h), SWIRL_EPROTO, "case %zu",
                     i);
        cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "case %zu: \"%s\" lacks \"%s\"", i,
                  swirl_last_error_msg(), bad[i].why);
    }
    /* an RSV bit an extension allows is fine */
    swirl_ws_header_t h;
    const uint8_t rsv1[] = {0xc1, 0x00};
    cr_assert_eq(swirl_ws_header_parse(rsv1, 2, 0x4, &h), 2);
    cr_assert_eq(h.rsv, 0x4);
}

Test(websocket, unmask_in_any_pieces) {
    const uint8_t mask[4] = {1, 2, 3, 0xff};
    uint8_t plain[1000], masked[1000], out[1000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (uint8_t)(i * 7 + 3);
    swirl_ws_unmask_copy(masked, plain, sizeof(plain), mask, 0);
    for (size_t i = 0; i < sizeof(plain); i++)
        cr_assert_eq(masked[i], plain[i] ^ mask[i % 4]);
    for (size_t step = 1; step < 20; step++) {
        memcpy(out, masked, sizeof(out));
        for (size_t off = 0; off < sizeof(out); off += step) {
            size_t k = off + step > sizeof(out) ? sizeof(out) - off : step;
            swirl_ws_unmask(out + off, k, mask, off);
        }
        cr_assert_eq(memcmp(out, plain, sizeof(out)), 0, "pieces of %zu", step);
    }
}

Test(websocket, accept_key) {
    char out[29];
    /* RFC 6455 §1.3 */
    cr_assert_eq(swirl_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out), 0);
    cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    static const struct {
        const char *key, *why;
    } bad[] = {
        {"", "not 16 bytes"},
        {"dGhlIHNhbXBsZSBub25jZQ=", "not 16 bytes"},
        {"dGhlIHNhbXBsZSBub25jZQ==x", "not 16 bytes"},
        {"dGhlIHNhbXBsZSBub25jZ===", "0x3d"},
        {"dGhlIHNhbXBsZSBub25j*Q==", "0x2a"},
        {"dGhlIHNhbXBsZSBub25jZR==", "not canonical"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(swirl_ws_accept_key(bad[i].key, strlen(bad[i].key), out), SWIRL_EPROTO,
                     "%s accepted", bad[i].key);
        cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "%s: %s", bad[i].key,
                  swirl_last_error_msg());
    }
}

Test(websocket, close_codes) {
    static const int ok[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999};
    static const int no[] = {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        cr_assert(swirl_ws_close_code_valid(ok[i]), "%d", ok[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        cr_assert_not(swirl_ws_close_code_valid(no[i]), "%d", no[i]);
}

Test(websocket, frames_to_send_are_checked_with_a_reason) {
    for (int op = -1; op <= 16; op++) {
        bool known = op == 0 || op == 1 || op == 2 || op == 8 || op == 9 || op == 10;
        cr_assert_eq(swirl_ws_opcode_valid(op), known, "opcode %d", op);
        cr_assert_eq(swirl_ws_frame_check(op, true, 0), known ? 0 : SWIRL_EBADARG, "opcode %d", op);
    }
    cr_assert_str_eq(swirl_last_error_msg(), "opcode 16 is not a WebSocket opcode");
    /* data frames: any length, fragmented or not */
    cr_assert_eq(swirl_ws_frame_check(SWIRL_WS_TEXT, false, 1 << 20), 0);
    cr_assert_eq(swirl_ws_frame_check(SWIRL_WS_CONTINUATION, true, 126), 0);
    /* control frames: at most 125 bytes, never fragmented */
    cr_assert_eq(swirl_ws_frame_check(SWIRL_WS_PING, true, 125), 0);
    cr_assert_eq(swirl_ws_frame_check(SWIRL_WS_PING, true, 126), SWIRL_EBADARG);
    cr_assert_str_eq(swirl_last_error_msg(),
                     "a control frame (opcode 9) has at most 125 bytes, not 126");
    cr_assert_eq(swirl_ws_frame_check(SWIRL_WS_CLOSE, false, 2), SWIRL_EBADARG);
    cr_assert_str_eq(swirl_last_error_msg(), "a control frame (opcode 8) is never fragmented");
}

Test(websocket, close_payload_is_code_and_reason) {
    int code = 0;
    const char *reason = NULL;
    size_t rl = 99;
    cr_assert_eq(swirl_ws_close_payload("", 0, &code, &reason, &rl), 0);
    cr_assert_eq(code, SWIRL_WS_CLOSE_NO_STATUS);
    cr_assert_eq(rl, 0);
    cr_assert_str_eq(reason, "");
    cr_assert_eq(swirl_ws_close_payload("\x03\xe8", 2, &code, &reason, &rl), 0);
    cr_assert_eq(code, 1000);
    cr_assert_eq(rl, 0);
    cr_assert_eq(swirl_ws_close_payload("\x0f\xa0" "bye", 5, &code, &reason, &rl), 0);
    cr_assert_eq(code, 4000);
    cr_assert_eq(rl, 3);
    cr_assert_eq(memcmp(reason, "bye", 3), 0);
    cr_assert_eq(swirl_ws_close_payload("\x03", 1, &code, &reason, &rl), SWIRL_EPROTO);
    cr_assert(strstr(swirl_last_error_msg(), "not 1 byte"), "%s", swirl_last_error_msg());
}

Test(websocket, close_to_send_is_checked_with_a_reason) {
    char big[124];
    memset(big, 'r', sizeof(big));
    cr_assert_eq(swirl_ws_close_check(1000, "", 0), 0);
    cr_assert_eq(swirl_ws_close_check(4999, "\xc3\xa9t\xc3\xa9", 5), 0);
    cr_assert_eq(swirl_ws_close_check(3000, big, 123), 0);
    static const int64_t no[] = {-1, 0, 999, 1005, 1015, 5000, 70000, 65536 + 1000};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        cr_assert_eq(swirl_ws_close_check(no[i], "", 0), SWIRL_EBADARG, "%lld", (long long)no[i]);
    cr_assert_str_eq(swirl_last_error_msg(),
                     "close code 66536 is not one to send (1000-1003, 1007-1011, 3000-4999)");
    cr_assert_eq(swirl_ws_close_check(1000, big, 124), SWIRL_EBADARG);
    cr_assert_str_eq(swirl_last_error_msg(), "the close reason has 124 bytes: at most 123");
    cr_assert_eq(swirl_ws_close_check(1000, "a\0b", 3), SWIRL_EBADARG);
    cr_assert_str_eq(swirl_last_error_msg(),
                     "the close reason must be UTF-8 text without NUL bytes");
    cr_assert_eq(swirl_ws_close_check(1000, "\xc3", 1), SWIRL_EBADARG);
    cr_assert_eq(swirl_ws_close_check(1000, "\xed\xa0\x80", 3), SWIRL_EBADARG);
}

static bool utf8_whole(const char *s, size_t n) {
    swirl_utf8_t u = {0};
    return swirl_utf8_feed(&u, s, n) && swirl_utf8_complete(&u);
}

Test(websocket, utf8_valid_split_anywhere) {
    static const char text[] = "ascii, \xc3\xa9t\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80, "
                               "\xef\xbf\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80 end";
    size_t n = sizeof(text) - 1;
    cr_assert(utf8_whole(text, n));
    for (size_t cut = 0; cut <= n; cut++)
        for (size_t cut2 = cut; cut2 <= n; cut2 += 3) {
            swirl_utf8_t u = {0};
            cr_assert(swirl_utf8_feed(&u, text, cut));
            cr_assert(swirl_utf8_feed(&u, text + cut, cut2 - cut));
            cr_assert(swirl_utf8_feed(&u, text + cut2, n - cut2));
            cr_assert(swirl_utf8_complete(&u), "cut %zu %zu", cut, cut2);
        }
}

Test(websocket, utf8_invalid_sequences_fail_as_soon_as_seen) {
    static const struct {
        const char *s;
        size_t n, fail_at; /* the byte that makes it invalid */
    } bad[] = {
        {"\x80", 1, 0},                 /* a lone continuation */
        {"\xc0\x80", 2, 0},             /* overlong NUL */
        {"\xc1\xbf", 2, 0},             /* overlong */
        {"\xe0\x80\xaf", 3, 1},         /* overlong 3-byte */
        {"\xed\xa0\x80", 3, 1},         /* surrogate D800 */
        {"\xed\xbf\xbf", 3, 1},         /* surrogate DFFF */
        {"\xf0\x8f\xbf\xbf", 4, 1},     /* overlong 4-byte */
        {"\xf4\x90\x80\x80", 4, 1},     /* past U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 0},     /* F5 */
        {"\xff", 1, 0},
        {"a\xc3(", 3, 2},               /* a continuation missing */
        {"\xe2\x82(", 3, 2},
        {"ok ok ok ok \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80" "edited", 32, 24},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_not(utf8_whole(bad[i].s, bad[i].n), "case %zu accepted", i);
        /* bytes before the bad one are fine; the bad one fails at once */
        swirl_utf8_t u = {0};
        cr_assert(swirl_utf8_feed(&u, bad[i].s, bad[i].fail_at), "case %zu: early fail", i);
        cr_assert_not(swirl_utf8_feed(&u, bad[i].s + bad[i].fail_at, 1), "case %zu: not at %zu",
                      i, bad[i].fail_at);
    }
    /* a code point cut at the end is incomplete, not invalid */
    swirl_utf8_t u = {0};
    cr_assert(swirl_utf8_feed(&u, "\xf0\x9f\x98", 3));
    cr_assert_not(swirl_utf8_complete(&u));
}

Test(websocket, frame_append_masks_in_the_copy_and_parses_back) {
    static const size_t lens[] = {0, 1, 3, 125, 126, 65535, 65536, 100003};
    static const uint8_t mask[4] = {0xa1, 0x02, 0xff, 0x40};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        for (int m = 0; m <= 1; m++) {
            size_t n = lens[i];
            uint8_t *p = malloc(n + 1);
            cr_assert(p);
            for (size_t k = 0; k < n; k++)
                p[k] = (uint8_t)(k * 31 + 7);
            swirl_buf_t out = {0};
            cr_assert_eq(swirl_buf_append(&out, "x", 1), 0); /* appended after what is there */
            cr_assert_eq(
                swirl_ws_frame_append(&out, i % 2, 0x4, SWIRL_WS_TEXT, p, n, m ? mask : NULL), 0);
            const uint8_t *f = (const uint8_t *)swirl_buf_bytes(&out) + 1;
            size_t size = swirl_buf_size(&out) - 1;
            swirl_ws_header_t h;
            int hs = swirl_ws_header_parse(f, size, 0x4, &h);
            cr_assert_gt(hs, 0);
            cr_assert_eq(h.len, n);
            cr_assert_eq((size_t)hs + n, size);
            cr_assert_eq(h.rsv, 0x4);
            cr_assert_eq(h.masked, (bool)m);
            cr_assert_eq(h.fin, (bool)(i % 2));
            uint8_t *q = malloc(n + 1);
            cr_assert(q);
            memcpy(q, f + hs, n);
            if (m)
                swirl_ws_unmask(q, n, h.mask, 0);
            cr_assert_eq(memcmp(q, p, n), 0, "payload of %zu bytes back", n);
            free(q);
            free(p);
            swirl_buf_destroy(&out);
        }
}
