/* tests/fuzz/http_response.c — libFuzzer target for the HTTP/1.1 response
 * head parser (a client's side): each input's head is found, parsed twice
 * (as a GET's and as a HEAD's response), the results checked against each
 * other and against the bytes, then a chunked body decoded in place. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

#include "fuzz.h"

static void run(const char *p, size_t n) {
    swirl_http_header_t h[16];
    swirl_http_response_head_t r;
    swirl_http_response_head_init(&r, h, 16);
    size_t scan = 0;
    ssize_t e = swirl_http_head_end(p, n, &scan);
    if (e <= 0)
        return;
    int rc = swirl_http_parse_response_head(&r, p, (size_t)e);
    if (rc < 0) {
        FUZZ_CHECK(r.error != NULL);
        return;
    }
    FUZZ_CHECK(r.head_len == (size_t)e);
    FUZZ_CHECK(r.status >= 100 && r.status <= 599);
    FUZZ_CHECK(r.nheaders <= 16);
    FUZZ_CHECK(!(r.chunked && r.content_length >= 0));
    FUZZ_CHECK(!(r.until_close && r.keep_alive));
    FUZZ_CHECK(r.reason + r.reason_len <= p + e);
    for (size_t i = 0; i < r.nheaders; i++) {
        FUZZ_CHECK(r.headers[i].name_len > 0);
        FUZZ_CHECK(r.headers[i].value + r.headers[i].value_len <= p + e);
        FUZZ_CHECK(swirl_http_response_find_header(&r, "content-length") || 1);
    }
    /* the same head as a HEAD's response: same verdict, and no body */
    swirl_http_response_head_t hr;
    swirl_http_response_head_init(&hr, h, 16);
    hr.head_request = true;
    FUZZ_CHECK(swirl_http_parse_response_head(&hr, p, (size_t)e) == 0);
    FUZZ_CHECK(hr.no_body && !hr.chunked && !hr.until_close);
    if (!r.chunked)
        return;
    char *body = malloc(n - (size_t)e + 1);
    if (!body)
        return;
    memcpy(body, p + e, n - (size_t)e);
    swirl_http_chunked_t c;
    swirl_http_chunked_init(&c);
    size_t out = 0;
    ssize_t used = swirl_http_chunked_decode(&c, body, n - (size_t)e, body, &out);
    FUZZ_CHECK(used < 0 || (size_t)used <= n - (size_t)e);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* a copy of exactly `size` bytes, so ASan sees any read past the end */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    run(p, size);
    free(p);
    return 0;
}
