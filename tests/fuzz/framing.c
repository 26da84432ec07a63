/* tests/fuzz/framing.c — libFuzzer target for stream framing
 * (src/protocol/framing.c): EOF split, EOF check and length-field rules.
 *
 * Input: byte 0 picks the rule (0 EOF split, 1 EOF check, 2 length),
 * byte 1 its shape (EOF length 1..8, then that many EOF bytes; or the
 * length type, then the field offset and body offset bytes), two bytes
 * package_max_length (1..4096), one byte seeds the read sizes; the rest is
 * the stream. The stream arrives in reads of 1..64 bytes into a buffer and
 * is cut as connio.c cuts it (scan_from kept between reads, reset after
 * each message). Invariants: a message is never empty, never longer than
 * what is buffered nor than package_max_length; the messages and what is
 * left reproduce the stream; EOF split messages end at their first EOF;
 * a length message is body_offset + its field long, and writing its
 * length back (swirl_framing_put_length) gives the same bytes; split and
 * length framing cut the same messages however the reads fall. */
#include <string.h>
#include <swirl/core.h>
#include <swirl/protocol.h>

#include "fuzz.h"

#define MAX_MSGS 4096

typedef struct {
    size_t ends[MAX_MSGS]; /* where each message ends in the stream */
    size_t count;
    ssize_t verdict; /* 0: stream used up (with a rest), else the error */
} cut_t;

static void check_message(const swirl_framing_t *f, const uint8_t *m, size_t n) {
    FUZZ_CHECK(n > 0 && n <= f->max_length);
    if (f->kind == SWIRL_FRAMING_EOF && f->eof_split) {
        FUZZ_CHECK(n >= f->eof_len && memcmp(m + n - f->eof_len, f->eof, f->eof_len) == 0);
        FUZZ_CHECK(!memmem(m, n - 1, f->eof, f->eof_len)); /* the first EOF ends it */
    } else if (f->kind == SWIRL_FRAMING_EOF) {
        FUZZ_CHECK(n >= f->eof_len && memcmp(m + n - f->eof_len, f->eof, f->eof_len) == 0);
    } else if (f->kind == SWIRL_FRAMING_LENGTH) {
        FUZZ_CHECK(n >= f->body_offset && n >= (size_t)f->length_offset + f->length_size);
        uint8_t *copy = malloc(n);
        FUZZ_CHECK(copy);
        memcpy(copy, m, n);
        FUZZ_CHECK(swirl_framing_put_length(f, copy, n - f->body_offset) == 0);
        FUZZ_CHECK(memcmp(copy, m, n) == 0);
        free(copy);
    }
}

/* Cut s[0..n) arriving in reads of sizes from `seed` (0: all at once). */
static void cut(const swirl_framing_t *f, const uint8_t *s, size_t n, unsigned seed, cut_t *out) {
    swirl_buf_t in;
    swirl_buf_init(&in);
    size_t fed = 0, done = 0, scan = 0;
    out->count = 0;
    out->verdict = 0;
    while (fed < n && out->verdict == 0) {
        size_t step = n - fed;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            size_t want = 1 + (seed >> 16) % 64;
            step = want < step ? want : step;
        }
        FUZZ_CHECK(swirl_buf_append(&in, s + fed, step) == 0);
        fed += step;
        while (swirl_buf_size(&in) > 0) {
            ssize_t m = swirl_framing_next(f, swirl_buf_bytes(&in), swirl_buf_size(&in), &scan);
            if (m == 0)
                break;
            if (m < 0) {
                FUZZ_CHECK(m == SWIRL_ETOOBIG || m == SWIRL_EPROTO);
                out->verdict = m;
                break;
            }
            FUZZ_CHECK((size_t)m <= swirl_buf_size(&in));
            /* the buffer holds exactly the stream after what was delivered */
            FUZZ_CHECK(memcmp(swirl_buf_bytes(&in), s + done, (size_t)m) == 0);
            check_message(f, (const uint8_t *)swirl_buf_bytes(&in), (size_t)m);
            done += (size_t)m;
            if (out->count < MAX_MSGS)
                out->ends[out->count++] = done;
            swirl_buf_consume(&in, (size_t)m);
            scan = 0;
        }
    }
    FUZZ_CHECK(out->verdict != 0 || done + swirl_buf_size(&in) == n);
    swirl_buf_destroy(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 6)
        return 0;
    swirl_framing_t f;
    swirl_framing_init(&f);
    size_t i = 2;
    int kind = data[0] % 3;
    if (kind < 2) {
        size_t len = 1 + data[1] % SWIRL_FRAMING_EOF_MAX;
        if (size < i + len + 3)
            return 0;
        FUZZ_CHECK(swirl_framing_set_eof(&f, data + i, len, kind == 0) == 0);
        i += len;
    } else {
        if (size < 9)
            return 0;
        static const char types[] = "cCsSnNlLvV";
        FUZZ_CHECK(swirl_framing_set_length(&f, types[data[1] % 10], data[2] % 16, data[3] % 24) ==
                   0);
        i += 2;
    }
    FUZZ_CHECK(swirl_framing_set_max_length(&f, 1 + (data[i] | (size_t)data[i + 1] << 8) % 4096) ==
               0);
    unsigned seed = data[i + 2] | 1u;
    i += 3;
    static cut_t a, b; /* big: not on the stack */
    cut(&f, data + i, size - i, seed, &a);
    cut(&f, data + i, size - i, 0, &b);
    if (f.kind == SWIRL_FRAMING_LENGTH || f.eof_split) {
        /* the same messages and the same verdict, whatever the reads */
        FUZZ_CHECK(a.count == b.count && a.verdict == b.verdict);
        FUZZ_CHECK(memcmp(a.ends, b.ends, a.count * sizeof(a.ends[0])) == 0);
    }
    return 0;
}
