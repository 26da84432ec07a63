/* tests/fuzz/multipart.c — libFuzzer target for the streaming
 * multipart/form-data parser (src/protocol/multipart.c).
 *
 * Input: a first line (up to LF) is a Content-Type value, whose boundary
 * (swirl_multipart_boundary) parses the rest; when it has none the
 * boundary "b" does. The body is parsed whole, one byte at a time, and in
 * pieces of sizes from its first byte. Invariants: the three parses see
 * the same parts (names, filenames, types, data, ends) and give the same
 * result; callbacks come in order (begin, data..., end); names and types
 * are NUL-terminated at their length; no data piece is empty; no part's
 * data holds the delimiter; a parse that reports done read the close. */
#include <string.h>
#include <swirl/core.h>
#include <swirl/protocol.h>

#include "fuzz.h"

typedef struct {
    swirl_buf_t log;  /* "B name|filename|type\n", data, "E\n" */
    swirl_buf_t data; /* the current part's data */
    const char *delim;
    size_t dlen;
    bool in_part;
} rec_t;

static int on_begin(void *user, const swirl_multipart_part_t *part) {
    rec_t *r = user;
    FUZZ_CHECK(!r->in_part);
    FUZZ_CHECK(part->name && strlen(part->name) == part->name_len && part->name_len > 0);
    FUZZ_CHECK(part->type && strlen(part->type) == part->type_len);
    FUZZ_CHECK(!part->filename || strlen(part->filename) == part->filename_len);
    r->in_part = true;
    swirl_buf_clear(&r->data);
    FUZZ_CHECK(swirl_buf_append(&r->log, "B ", 2) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, part->name, part->name_len) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, "|", 1) == 0);
    if (part->filename)
        FUZZ_CHECK(swirl_buf_append(&r->log, part->filename, part->filename_len) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, "|", 1) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, part->type, part->type_len) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, "\n", 1) == 0);
    return 0;
}

static int on_data(void *user, const char *p, size_t n) {
    rec_t *r = user;
    FUZZ_CHECK(r->in_part && n > 0);
    FUZZ_CHECK(swirl_buf_append(&r->data, p, n) == 0);
    FUZZ_CHECK(swirl_buf_append(&r->log, p, n) == 0);
    return 0;
}

static int on_end(void *user) {
    rec_t *r = user;
    FUZZ_CHECK(r->in_part);
    FUZZ_CHECK(swirl_buf_size(&r->data) == 0 ||
               !memmem(swirl_buf_bytes(&r->data), swirl_buf_size(&r->data), r->delim, r->dlen));
    r->in_part = false;
    FUZZ_CHECK(swirl_buf_append(&r->log, "E\n", 2) == 0);
    return 0;
}

static const swirl_multipart_cbs_t cbs = {on_begin, on_data, on_end};

/* Parse body[0..n) in pieces (step 0: whole; else sizes from `seed`). */
static int parse(const char *b, size_t blen, const uint8_t *body, size_t n, size_t step,
                 unsigned seed, rec_t *r, bool *done) {
    char delim[4 + SWIRL_MULTIPART_BOUNDARY_MAX];
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, b, blen);
    swirl_buf_init(&r->log);
    swirl_buf_init(&r->data);
    r->delim = delim;
    r->dlen = 4 + blen;
    r->in_part = false;
    swirl_multipart_t *mp;
    FUZZ_CHECK(swirl_multipart_new(&mp, b, blen, &cbs, r) == 0);
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0;) {
        size_t k = n - off;
        if (step == 1) {
            k = 1;
        } else if (step) {
            seed = seed * 1103515245u + 12345u;
            size_t want = 1 + (seed >> 16) % 97;
            k = want < k ? want : k;
        }
        rc = swirl_multipart_feed(mp, (const char *)body + off, k);
        off += k;
    }
    if (rc == 0)
        rc = swirl_multipart_feed(mp, "", 0); /* an empty feed changes nothing */
    *done = swirl_multipart_done(mp);
    if (*done)
        FUZZ_CHECK(!r->in_part);
    swirl_multipart_free(mp);
    swirl_buf_destroy(&r->data);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    const char *b = "b";
    size_t blen = 1;
    const uint8_t *body = data;
    if (nl) {
        const char *bb;
        size_t bl;
        if (swirl_multipart_boundary((const char *)data, (size_t)(nl - data), &bb, &bl) == 0) {
            FUZZ_CHECK(bl > 0 && bl <= SWIRL_MULTIPART_BOUNDARY_MAX);
            FUZZ_CHECK(bb >= (const char *)data && bb + bl <= (const char *)nl);
            b = bb;
            blen = bl;
        }
        body = nl + 1;
    }
    size_t n = (size_t)(data + size - body);
    rec_t whole, bytes, pieces;
    bool dw, db, dp;
    int rw = parse(b, blen, body, n, 0, 0, &whole, &dw);
    int rb = parse(b, blen, body, n, 1, 0, &bytes, &db);
    int rp = parse(b, blen, body, n, 2, n ? body[0] : 0, &pieces, &dp);
    FUZZ_CHECK(rw == rb && rw == rp && dw == db && dw == dp);
    FUZZ_CHECK(rw == 0 || rw == SWIRL_EPROTO);
    FUZZ_CHECK(swirl_buf_size(&whole.log) == swirl_buf_size(&bytes.log) &&
               swirl_buf_size(&whole.log) == swirl_buf_size(&pieces.log));
    size_t n_log = swirl_buf_size(&whole.log);
    FUZZ_CHECK(n_log == 0 ||
               memcmp(swirl_buf_bytes(&whole.log), swirl_buf_bytes(&bytes.log), n_log) == 0);
    FUZZ_CHECK(n_log == 0 ||
               memcmp(swirl_buf_bytes(&whole.log), swirl_buf_bytes(&pieces.log), n_log) == 0);
    swirl_buf_destroy(&whole.log);
    swirl_buf_destroy(&bytes.log);
    swirl_buf_destroy(&pieces.log);
    return 0;
}
