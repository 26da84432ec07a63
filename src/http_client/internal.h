/* src/http_client/internal.h — what the HTTP client's files share: URLs
 * (url.c), request bodies (body.c) and the client itself (client.c).
 * Never installed. */
#ifndef SWIRL_HTTP_CLIENT_INTERNAL_H
#define SWIRL_HTTP_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <swirl/http_client.h>

#include "core/internal.h"

/* A parsed URL. */
typedef struct hc_url {
    bool https, ipv6;
    char host[256]; /* without brackets */
    int port;
    char *target; /* path and query, "/" at least; owned */
} hc_url_t;

/* Parse `url` strictly: 0, or SWIRL_EBADARG with a message naming it. */
int swirl__hc_url_parse(hc_url_t *u, const char *url);
/* Resolve a Location (len bytes) against base into out: 0 or SWIRL_EPROTO. */
int swirl__hc_url_resolve(hc_url_t *out, const hc_url_t *base, const char *loc, size_t len);
/* Append "scheme://host[:port]" and, with_target, the path and query. */
int swirl__hc_url_format(const hc_url_t *u, bool with_target, swirl_buf_t *out);
/* "host[:port]" for the Host header (the port only when not the default). */
int swirl__hc_url_authority(const hc_url_t *u, char *buf, size_t size);
void swirl__hc_url_free(hc_url_t *u);

/* A request body made of pieces: bytes in memory, or a file's contents,
 * produced a bounded piece at a time (body.c). */
typedef struct hc_piece {
    char *data; /* owned bytes, or NULL for a file */
    size_t len;
    char *path;    /* a file, opened when reached */
    uint64_t size; /* its size when the request started (it must not change) */
} hc_piece_t;

typedef struct hc_body {
    hc_piece_t *pieces;
    size_t n, cap;
    uint64_t total; /* Content-Length */
    /* the reading position */
    size_t cur;
    uint64_t off; /* in the current piece */
    int fd;       /* the current file, or -1 */
} hc_body_t;

void swirl__hc_body_init(hc_body_t *b);
void swirl__hc_body_destroy(hc_body_t *b);
/* Copy bytes in as a piece. */
int swirl__hc_body_add_bytes(hc_body_t *b, const void *data, size_t len);
/* A multipart/form-data body from `parts` with `boundary`; files are
 * stat'ed now (errors name them) and read when sent. */
int swirl__hc_body_form(hc_body_t *b, const swirl_http_form_part_t *parts, size_t n,
                        const char *boundary);
/* Back to the start (a retried or redirected request sends it again). */
void swirl__hc_body_rewind(hc_body_t *b);
/* The next at most `max` bytes into buf: their count, 0 at the end, or a
 * negative code naming the file. */
ssize_t swirl__hc_body_read(hc_body_t *b, char *buf, size_t max);

#endif
