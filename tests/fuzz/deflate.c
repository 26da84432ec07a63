/* tests/fuzz/deflate.c — libFuzzer target for permessage-deflate
 * (src/websocket/deflate.c): hostile compressed messages inflated under a
 * size limit, as the WebSocket server inflates a client's messages.
 *
 * Input: byte 0 holds the flags (bit 0: text, checked as UTF-8; bit 1: the
 * client resets its context after each message; bits 2..4: the window
 * bits of the round trip below), bytes 1-2 the limit (package_max_length,
 * 1..65536), byte 3 the compression level; the rest is messages, each a
 * length byte then that many bytes. Each message is inflated twice, by
 * two streams that see the same messages: in two pieces and whole.
 * Invariants: the output never holds more than limit + 1 bytes (the byte
 * that shows the limit is passed), a success never more than the limit;
 * both streams agree on success and output. Each message's bytes are also
 * compressed (swirl__ws_compress) and inflated back to themselves. The
 * extension offers in Sec-WebSocket-Extensions are parsed from the same
 * bytes (swirl__ws_deflate_negotiate): an accepted offer has sane bits. */
#include <string.h>
#include <swirl/core.h>

#include "../../src/websocket/internal.h"
#include "fuzz.h"

typedef struct {
    z_stream z;
    swirl_buf_t out;
    bool failed;
} inflater_t;

static void inflater_init(inflater_t *in) {
    memset(in, 0, sizeof(*in));
    FUZZ_CHECK(inflateInit2(&in->z, -15) == Z_OK);
    swirl_buf_init(&in->out);
}

static void inflater_free(inflater_t *in) {
    inflateEnd(&in->z);
    swirl_buf_destroy(&in->out);
}

/* Inflate one message p[0..n) in pieces cut at `cut` (n: whole). */
static int message(inflater_t *in, const uint8_t *p, size_t n, size_t cut, size_t max, bool text,
                   bool reset) {
    swirl_utf8_t utf8 = {0};
    swirl_buf_clear(&in->out);
    int rc = swirl__ws_inflate(&in->z, p, cut, &in->out, max, text ? &utf8 : NULL);
    FUZZ_CHECK(swirl_buf_size(&in->out) <= max + 1);
    if (rc == 0 && cut < n) {
        rc = swirl__ws_inflate(&in->z, p + cut, n - cut, &in->out, max, text ? &utf8 : NULL);
        FUZZ_CHECK(swirl_buf_size(&in->out) <= max + 1);
    }
    if (rc == 0)
        rc = swirl__ws_inflate_end_message(&in->z, &in->out, max, text ? &utf8 : NULL, reset);
    FUZZ_CHECK(swirl_buf_size(&in->out) <= max + 1);
    FUZZ_CHECK(rc == 0 || rc == SWIRL_ETOOBIG || rc == SWIRL_EPROTO || rc == SWIRL_EBADARG);
    if (rc == 0)
        FUZZ_CHECK(swirl_buf_size(&in->out) <= max);
    else if (rc == SWIRL_ETOOBIG)
        FUZZ_CHECK(swirl_buf_size(&in->out) > max);
    return rc;
}

static void round_trip(const uint8_t *p, size_t n, int bits, int level, size_t max) {
    z_stream d;
    int d_bits = 0;
    memset(&d, 0, sizeof(d));
    swirl_buf_t packed;
    swirl_buf_init(&packed);
    FUZZ_CHECK(swirl__ws_compress(&d, &d_bits, bits, level, p, n, &packed) == 0);
    inflater_t in;
    inflater_init(&in);
    int rc = message(&in, (const uint8_t *)swirl_buf_bytes(&packed), swirl_buf_size(&packed),
                     swirl_buf_size(&packed), max, false, true);
    if (n <= max) {
        FUZZ_CHECK(rc == 0);
        FUZZ_CHECK(swirl_buf_size(&in.out) == n &&
                   (n == 0 || memcmp(swirl_buf_bytes(&in.out), p, n) == 0));
    } else {
        FUZZ_CHECK(rc == SWIRL_ETOOBIG);
    }
    inflater_free(&in);
    swirl_buf_destroy(&packed);
    deflateEnd(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4)
        return 0;
    bool text = data[0] & 1, reset = data[0] & 2;
    int bits = 9 + (data[0] >> 2) % 7;
    size_t max = 1 + (data[1] | (size_t)data[2] << 8);
    int level = data[3] % 10;
    const uint8_t *p = data + 4, *e = data + size;

    swirl__ws_deflate_t agreed;
    char answer[160];
    if (swirl__ws_deflate_negotiate((const char *)p, (size_t)(e - p), &agreed, answer,
                                    sizeof(answer)))
        FUZZ_CHECK(agreed.server_bits >= 9 && agreed.server_bits <= 15 &&
                   strncmp(answer, "permessage-deflate", 18) == 0);

    inflater_t split, whole;
    inflater_init(&split);
    inflater_init(&whole);
    while (p < e) {
        size_t n = *p++;
        if (n > (size_t)(e - p))
            n = (size_t)(e - p);
        size_t cut = n ? p[0] % (n + 1) : 0;
        int a = message(&split, p, n, cut, max, text, reset);
        int b = message(&whole, p, n, n, max, text, reset);
        FUZZ_CHECK((a < 0) == (b < 0));
        if (a < 0)
            break; /* the server closes the connection */
        size_t made = swirl_buf_size(&split.out);
        FUZZ_CHECK(made == swirl_buf_size(&whole.out));
        FUZZ_CHECK(made == 0 ||
                   memcmp(swirl_buf_bytes(&split.out), swirl_buf_bytes(&whole.out), made) == 0);
        round_trip(p, n, bits, level, max);
        p += n;
    }
    inflater_free(&split);
    inflater_free(&whole);
    return 0;
}
