/* tests/unit/protocol/test_multipart.c — the streaming multipart/form-data
 * parser: bodies fed whole, one byte at a time and split at every point
 * give the same parts; part data full of near-delimiters survives intact;
 * every refusal names what is wrong. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/core.h>
#include <swirl/protocol.h>

/* What the callbacks saw, as text: "[name|filename|type]data..." per part,
 * with data pieces joined. */
typedef struct {
    char *log;
    size_t len, cap;
    int fail_at_begin; /* >0: the nth begin returns an error */
    int begins;
} rec_t;

static void put(rec_t *r, const char *p, size_t n) {
    if (r->len + n + 1 > r->cap) {
        r->cap = (r->len + n + 1) * 2;
        r->log = realloc(r->log, r->cap);
        cr_assert(r->log);
    }
    memcpy(r->log + r->len, p, n);
    r->len += n;
    r->log[r->len] = 0;
}

static int on_begin(void *user, const swirl_multipart_part_t *part) {
    rec_t *r = user;
    if (++r->begins == r->fail_at_begin)
        return SWIRL_ETOOBIG;
    cr_assert_eq(strlen(part->name), part->name_len, "name is NUL-terminated at its length");
    cr_assert_eq(strlen(part->type), part->type_len);
    char b[600];
    int n = snprintf(b, sizeof(b), "[%s|%s|%s]", part->name,
                     part->filename ? part->filename : "(none)", part->type);
    put(r, b, (size_t)n);
    return 0;
}

static int on_data(void *user, const char *p, size_t n) {
    cr_assert_gt(n, 0, "no empty data pieces");
    put(user, p, n);
    return 0;
}

static int on_end(void *user) {
    put(user, "{end}", 5);
    return 0;
}

static const swirl_multipart_cbs_t cbs = {on_begin, on_data, on_end};

/* Parse body in pieces of `step` bytes (0: whole); the record, or NULL
 * with *err set when the parse failed. `done`: whether it saw the end. */
static char *parse(const char *boundary, const char *body, size_t len, size_t step, int *err,
                   bool *done) {
    rec_t r = {0};
    swirl_multipart_t *mp;
    cr_assert_eq(swirl_multipart_new(&mp, boundary, strlen(boundary), &cbs, &r), 0, "%s",
                 swirl_last_error_msg());
    *err = 0;
    for (size_t off = 0; off < len;) {
        size_t n = step && len - off > step ? step : len - off;
        int rc = swirl_multipart_feed(mp, body + off, n);
        if (rc < 0) {
            *err = rc;
            break;
        }
        off += n;
    }
    *done = swirl_multipart_done(mp);
    swirl_multipart_free(mp);
    if (*err) {
        free(r.log);
        return NULL;
    }
    if (!r.log)
        r.log = strdup("");
    return r.log;
}

/* The same record whole, byte by byte, and split in two at every point. */
static void check(const char *boundary, const char *body, size_t len, const char *want) {
    int err;
    bool done;
    char *got = parse(boundary, body, len, 0, &err, &done);
    cr_assert_eq(err, 0, "whole: %s", swirl_last_error_msg());
    cr_assert(done, "whole: the closing delimiter was seen");
    cr_assert_str_eq(got, want);
    free(got);
    got = parse(boundary, body, len, 1, &err, &done);
    cr_assert_eq(err, 0, "byte by byte: %s", swirl_last_error_msg());
    cr_assert_str_eq(got, want, "byte by byte");
    free(got);
    for (size_t cut = 1; cut < len; cut++) {
        rec_t r = {0};
        swirl_multipart_t *mp;
        cr_assert_eq(swirl_multipart_new(&mp, boundary, strlen(boundary), &cbs, &r), 0);
        cr_assert_eq(swirl_multipart_feed(mp, body, cut), 0, "cut %zu: %s", cut,
                     swirl_last_error_msg());
        cr_assert_eq(swirl_multipart_feed(mp, body + cut, len - cut), 0, "cut %zu: %s", cut,
                     swirl_last_error_msg());
        cr_assert(swirl_multipart_done(mp));
        cr_assert_str_eq(r.log ? r.log : "", want, "split at %zu", cut);
        swirl_multipart_free(mp);
        free(r.log);
    }
}

#define CHECK(b, body, want) check(b, body, sizeof(body) - 1, want)

Test(multipart, fields_and_files) {
    CHECK("XyZ",
          "--XyZ\r\n"
          "Content-Disposition: form-data; name=\"title\"\r\n"
          "\r\n"
          "hello world\r\n"
          "--XyZ\r\n"
          "content-disposition: form-data; name=\"a\"; filename=\"a.txt\"\r\n"
          "Content-Type: text/plain\r\n"
          "\r\n"
          "line1\r\nline2\r\n\r\n"
          "--XyZ\r\n"
          "Content-Disposition: form-data; name=empty; filename=\"\"\r\n"
          "Content-Type: application/octet-stream\r\n"
          "\r\n"
          "\r\n"
          "--XyZ--\r\n",
          "[title|(none)|]hello world{end}"
          "[a|a.txt|text/plain]line1\r\nline2\r\n{end}"
          "[empty||application/octet-stream]{end}");
}

Test(multipart, near_delimiters_in_data_are_data) {
    /* CRs, CRLFs, "--", the boundary without its CRLF, the boundary cut
     * one byte short, CR CR LF, and a data byte right before a delimiter */
    CHECK("bnd",
          "--bnd\r\n"
          "Content-Disposition: form-data; name=f; filename=x.bin\r\n\r\n"
          "\r\r\n\r\n-\r\n--\r\n--b\r\n--bn\r\n--bnX--bnd\r\r\r\n--bn\rd\r"
          "\r\n--bnd\r\n"
          "Content-Disposition: form-data; name=g\r\n\r\n"
          "\r\n"
          "\r\n--bnd--",
          "[f|x.bin|]\r\r\n\r\n-\r\n--\r\n--b\r\n--bn\r\n--bnX--bnd\r\r\r\n--bn\rd\r{end}"
          "[g|(none)|]\r\n{end}");
}

Test(multipart, preamble_padding_epilogue_and_quoted_parameters) {
    CHECK("b",
          "this is a preamble\r\nwith --b inside a line\r\n"
          "--b  \t\r\n"
          "Content-Disposition: form-data; name=\"q\\\"x\"; filename=\"C:\\\\dir\\\\f.txt\"\r\n"
          "X-Other:   kept out  \r\n"
          "\r\n"
          "1\r\n"
          "--b\r\n"
          "Content-Disposition: form-data ; name = two ;filename=\"t;x\"\r\n"
          "Content-Type:  image/png \r\n"
          "\r\n"
          "2\r\n"
          "--b--\r\nepilogue --b\r\n--b\r\n",
          "[q\"x|C:\\dir\\f.txt|]1{end}"
          "[two|t;x|image/png]2{end}");
}

/* Random part data rich in CR, LF, '-' and pieces of the boundary, split
 * at random points: what comes out is exactly what went in. */
Test(multipart, random_data_survives_random_splits) {
    static const char alphabet[] = "\r\n-bB0";
    const char *boundary = "bB0-";
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        size_t dl = (size_t)(rand_r(&seed) % 200);
        char data[256];
        for (size_t i = 0; i < dl; i++)
            data[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        data[dl] = 0;
        if (memmem(data, dl, "\r\n--bB0-", 8))
            continue; /* the delimiter itself: not data */
        char body[600], want[600];
        int n = snprintf(body, sizeof(body),
                         "--bB0-\r\nContent-Disposition: form-data; name=r\r\n\r\n%s\r\n--bB0---",
                         data);
        snprintf(want, sizeof(want), "[r|(none)|]%s%s", data, dl ? "{end}" : "{end}");
        rec_t r = {0};
        swirl_multipart_t *mp;
        cr_assert_eq(swirl_multipart_new(&mp, boundary, strlen(boundary), &cbs, &r), 0);
        for (int off = 0; off < n;) {
            int k = 1 + rand_r(&seed) % 9;
            if (k > n - off)
                k = n - off;
            cr_assert_eq(swirl_multipart_feed(mp, body + off, (size_t)k), 0, "round %d: %s",
                         round, swirl_last_error_msg());
            off += k;
        }
        cr_assert(swirl_multipart_done(mp), "round %d", round);
        cr_assert_eq(r.len, strlen(want), "round %d: %zu bytes out, %zu expected", round, r.len,
                     strlen(want));
        cr_assert_eq(memcmp(r.log, want, r.len), 0, "round %d", round);
        swirl_multipart_free(mp);
        free(r.log);
    }
}

/* Each bad body is refused, whole and byte by byte, with a reason naming
 * what is wrong. */
Test(multipart, bad_bodies_are_refused_with_a_reason) {
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", "without Content-Disposition"},
        {"--b\r\n\r\nx\r\n--b--", "without Content-Disposition"},
        {"--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--", "not form-data"},
        {"--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--", "unterminated"},
        {"--b\r\nContent-Disposition: form-data; name=a\r\n folded\r\n\r\n--b--", "folded"},
        {"--b\r\nno colon here\r\n\r\n--b--", "without a name and a colon"},
        {"--b\r\nContent-Type : x\r\n\r\n--b--", "whitespace in a part header name"},
        {"--b\r\nContent-Disposition: form-data; name=a\n\n\r\n--b--", "CRLF"},
        {"--bX\r\n", "after a boundary"},
        {"--b\rX", "CR without LF"},
        {"--b-X", "single '-'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        for (size_t step = 0; step <= 1; step++) {
            int err;
            bool done;
            char *got = parse("b", bad[i].body, strlen(bad[i].body), step, &err, &done);
            cr_assert_null(got, "case %zu accepted: %s", i, got);
            cr_assert_eq(err, SWIRL_EPROTO, "case %zu: %d", i, err);
            cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "case %zu: \"%s\" lacks \"%s\"",
                      i, swirl_last_error_msg(), bad[i].why);
        }
    /* headers past the limit */
    size_t n = SWIRL_MULTIPART_HEAD_MAX + 100;
    char *big = malloc(n + 16);
    cr_assert(big);
    memcpy(big, "--b\r\nX-A: ", 10);
    memset(big + 10, 'a', n - 10);
    int err;
    bool done;
    cr_assert_null(parse("b", big, n, 0, &err, &done));
    cr_assert(strstr(swirl_last_error_msg(), "part headers larger than"), "%s",
              swirl_last_error_msg());
    free(big);
    /* a body cut before its closing delimiter is not done */
    static const char cut[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nxx\r\n--b";
    char *got = parse("b", cut, sizeof(cut) - 1, 0, &err, &done);
    cr_assert_eq(err, 0);
    cr_assert_not(done, "no closing delimiter yet");
    free(got);
    /* a feed after an error is refused */
    rec_t r = {0};
    swirl_multipart_t *mp;
    cr_assert_eq(swirl_multipart_new(&mp, "b", 1, &cbs, &r), 0);
    cr_assert_eq(swirl_multipart_feed(mp, "--b!", 4), SWIRL_EPROTO);
    cr_assert_eq(swirl_multipart_feed(mp, "\r\n", 2), SWIRL_ESTATE);
    swirl_multipart_free(mp);
    free(r.log);
}

/* A control byte in a part's headers is refused: a NUL would cut the name
 * or filename handed on as C strings ("a.php\0.jpg"). An empty
 * Content-Type is "" (on_begin checks every string ends at its length).
 * Found by the multipart fuzzer (tests/fuzz/regressions/multipart/). */
Test(multipart, control_bytes_in_part_headers_and_an_empty_type) {
    static const char nul[] = "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                              "filename=\"a.php\0.jpg\"\r\n\r\nx\r\n--b--";
    static const char del[] = "--b\r\nContent-Disposition: form-data; name=\"a\x7f\"\r\n\r\n--b--";
    const struct {
        const char *body;
        size_t len;
        const char *why;
    } bad[] = {{nul, sizeof(nul) - 1, "control byte 0x00"}, {del, sizeof(del) - 1, "0x7f"}};
    for (size_t i = 0; i < 2; i++)
        for (size_t step = 0; step <= 1; step++) {
            int err;
            bool done;
            char *got = parse("b", bad[i].body, bad[i].len, step, &err, &done);
            cr_assert_null(got, "case %zu accepted: %s", i, got);
            cr_assert_eq(err, SWIRL_EPROTO);
            cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "%s", swirl_last_error_msg());
        }
    const char *body = "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Type:\r\n\r\n"
                       "x\r\n--b--";
    int err;
    bool done;
    char *got = parse("b", body, strlen(body), 0, &err, &done);
    cr_assert(got && done, "%s", swirl_last_error_msg());
    cr_assert_str_eq(got, "[a|(none)|]x{end}");
    free(got);
}

Test(multipart, a_callback_error_stops_the_parse) {
    rec_t r = {.fail_at_begin = 2};
    swirl_multipart_t *mp;
    cr_assert_eq(swirl_multipart_new(&mp, "b", 1, &cbs, &r), 0);
    static const char body[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                               "--b\r\nContent-Disposition: form-data; name=c\r\n\r\n2\r\n--b--";
    cr_assert_eq(swirl_multipart_feed(mp, body, sizeof(body) - 1), SWIRL_ETOOBIG);
    cr_assert_str_eq(r.log, "[a|(none)|]1{end}");
    cr_assert_not(swirl_multipart_done(mp));
    swirl_multipart_free(mp);
    free(r.log);
}

/* A Content-Type ending in whitespace: the parameter loop stepped past
 * its end and read the byte after it (ASan: heap-buffer-overflow; found by
 * the multipart fuzzer). Copied to exactly their length so ASan sees it. */
Test(multipart, boundary_of_a_type_ending_in_whitespace) {
    static const struct {
        const char *ct, *want; /* want NULL: no boundary */
    } cases[] = {
        {"multipart/form-data; a=b ", NULL},
        {"multipart/form-data;  \t", NULL},
        {"multipart/form-data; boundary=x\t", "x"},
        {"multipart/form-data; boundary=\"y\"  ", "y"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(cases[i].ct);
        char *ct = malloc(n);
        cr_assert(ct);
        memcpy(ct, cases[i].ct, n);
        const char *b;
        size_t bl;
        int rc = swirl_multipart_boundary(ct, n, &b, &bl);
        if (cases[i].want) {
            cr_assert_eq(rc, 0, "case %zu: %s", i, swirl_last_error_msg());
            cr_assert(bl == strlen(cases[i].want) && memcmp(b, cases[i].want, bl) == 0);
        } else {
            cr_assert_eq(rc, SWIRL_EPROTO, "case %zu", i);
            cr_assert(strstr(swirl_last_error_msg(), "no boundary"), "%s", swirl_last_error_msg());
        }
        free(ct);
    }
}

Test(multipart, boundary_from_content_type) {
    static const struct {
        const char *ct, *want;
    } good[] = {
        {"multipart/form-data; boundary=abc", "abc"},
        {"Multipart/Form-Data;boundary=\"a b:c\"", "a b:c"},
        {"multipart/form-data; charset=utf-8; BOUNDARY=----WebKitFormBoundary7MA4YWxk",
         "----WebKitFormBoundary7MA4YWxk"},
        {"multipart/form-data; boundary=x ; other=1", "x"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *b;
        size_t bl;
        cr_assert_eq(swirl_multipart_boundary(good[i].ct, strlen(good[i].ct), &b, &bl), 0,
                     "%s: %s", good[i].ct, swirl_last_error_msg());
        cr_assert_eq(bl, strlen(good[i].want), "%s", good[i].ct);
        cr_assert_eq(memcmp(b, good[i].want, bl), 0, "%s", good[i].ct);
    }
    static const struct {
        const char *ct, *why;
    } bad[] = {
        {"text/plain; boundary=a", "not multipart/form-data"},
        {"multipart/form-data", "no boundary"},
        {"multipart/form-data; charset=utf-8", "no boundary"},
        {"multipart/form-data; boundary=", "empty boundary"},
        {"multipart/form-data; boundary=\"abc", "unterminated"},
        {"multipart/form-data; boundary=a{b", "0x7b"},
        {"multipart/form-data; boundary=\"ab \"", "ends with a space"},
        {"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234"
         "567890123456789X",
         "boundary of 71 bytes"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *b;
        size_t bl;
        cr_assert_eq(swirl_multipart_boundary(bad[i].ct, strlen(bad[i].ct), &b, &bl),
                     SWIRL_EPROTO, "%s accepted", bad[i].ct);
        cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "%s: \"%s\" lacks \"%s\"",
                  bad[i].ct, swirl_last_error_msg(), bad[i].why);
    }
    swirl_multipart_t *mp;
    cr_assert_eq(swirl_multipart_new(&mp, "a\nb", 3, &cbs, NULL), SWIRL_EPROTO);
    cr_assert_eq(swirl_multipart_new(&mp, "ab", 2, NULL, NULL), SWIRL_EBADARG);
}
