/* src/http/request.c — what a request callback reads. Everything points
 * into the connection's bytes (valid during the callback) except path and
 * query, which are NUL-terminated copies made the first time they are
 * asked for. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "internal.h"

const char *swirl_http_req_method(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.method_len;
    return req->p.method;
}

const char *swirl_http_req_uri(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.target_len;
    return req->p.target;
}

static size_t path_len(const swirl_http_req_t *req) {
    const char *q = memchr(req->p.target, '?', req->p.target_len);
    return q ? (size_t)(q - req->p.target) : req->p.target_len;
}

static char *copy(const char *p, size_t n) {
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

const char *swirl_http_req_path(const swirl_http_req_t *req, size_t *len) {
    swirl_http_req_t *r = (swirl_http_req_t *)req; /* the cached copy is ours to make */
    size_t n = path_len(req);
    if (!r->path && !(r->path = copy(req->p.target, n)))
        return NULL;
    if (len)
        *len = n;
    return r->path;
}

const char *swirl_http_req_query(const swirl_http_req_t *req, size_t *len) {
    swirl_http_req_t *r = (swirl_http_req_t *)req;
    size_t at = path_len(req);
    const char *q = at < req->p.target_len ? req->p.target + at + 1 : "";
    size_t n = at < req->p.target_len ? req->p.target_len - at - 1 : 0;
    if (!r->query && !(r->query = copy(q, n)))
        return NULL;
    if (len)
        *len = n;
    return r->query;
}

const char *swirl_http_req_protocol(const swirl_http_req_t *req) {
    return req->p.minor ? "HTTP/1.1" : "HTTP/1.0";
}

const char *swirl_http_req_header(const swirl_http_req_t *req, const char *name, size_t *len) {
    const swirl_http_header_t *h = name ? swirl_http_find_header(&req->p, name) : NULL;
    if (!h)
        return NULL;
    if (len)
        *len = h->value_len;
    return h->value;
}

size_t swirl_http_req_header_count(const swirl_http_req_t *req) { return req->p.nheaders; }

int swirl_http_req_header_at(const swirl_http_req_t *req, size_t i, const char **name,
                             size_t *name_len, const char **value, size_t *value_len) {
    if (i >= req->p.nheaders)
        return swirl__error(SWIRL_EBADARG, "http request: header %zu: there are %zu", i,
                            req->p.nheaders);
    const swirl_http_header_t *h = &req->p.headers[i];
    if (name)
        *name = h->name;
    if (name_len)
        *name_len = h->name_len;
    if (value)
        *value = h->value;
    if (value_len)
        *value_len = h->value_len;
    return 0;
}

const char *swirl_http_req_body(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->body_len;
    return req->body;
}

const char *swirl_http_req_raw_head(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.head_len;
    return req->head;
}

int64_t swirl_http_req_fd(const swirl_http_req_t *req) { return req->fd; }

double swirl_http_req_time(const swirl_http_req_t *req) { return req->time; }
