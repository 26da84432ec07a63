/* tests/fuzz/http_parser.c — libFuzzer target for the HTTP/1.1 request
 * parser and the chunked decoder (`make fuzz`: 60 s, clang, ASan + UBSan).
 * Each input is parsed as a server connection would: the head found,
 * checked while partial, parsed, then a chunked body decoded in place; and
 * the head search resumed after a first part must agree with a fresh one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

#include "fuzz.h"

static void run(const char *p, size_t n) {
    swirl_http_header_t h[32];
    swirl_http_request_t r;
    swirl_http_request_init(&r, h, 32);
    size_t scan = 0;
    ssize_t e = swirl_http_head_end(p, n, &scan);
    if (e <= 0) {
        swirl_http_check_partial(&r, p, n);
        return;
    }
    if (swirl_http_parse_head(&r, p, (size_t)e) < 0 || !r.chunked)
        return;
    char *body = malloc(n - (size_t)e + 1);
    if (!body)
        return;
    memcpy(body, p + e, n - (size_t)e);
    swirl_http_chunked_t c;
    swirl_http_chunked_init(&c);
    size_t out = 0;
    swirl_http_chunked_decode(&c, body, n - (size_t)e, body, &out);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* a copy of exactly `size` bytes, so ASan sees any read past the end */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    run(p, size);
    /* a search resumed after a first part must find what a fresh one finds */
    size_t cut = size ? data[0] % (size + 1) : 0, resumed = 0, fresh = 0;
    if (swirl_http_head_end(p, cut, &resumed) == 0 &&
        swirl_http_head_end(p, size, &resumed) != swirl_http_head_end(p, size, &fresh))
        abort();
    free(p);
    return 0;
}
