/* src/protocol/http_internal.h — what the request parser (http_parser.c)
 * and the response parser (http_response.c) share: one reading of the
 * header values that frame a message, so the two sides of a connection
 * can never disagree about where a body ends. */
#ifndef SWIRL_PROTOCOL_HTTP_INTERNAL_H
#define SWIRL_PROTOCOL_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* p[0..n) equals the lower-case literal `lit`, ASCII case-insensitively. */
bool swirl__http_ieq(const char *p, size_t n, const char *lit);

/* Call fn for each element of a comma-separated list (OWS trimmed; empty
 * elements skipped, as RFC 9110 §5.6.1 asks of recipients). */
void swirl__http_each_token(const char *p, size_t n, void (*fn)(const char *, size_t, void *),
                            void *arg);

/* A Content-Length value: NULL and *out, or why it is refused with the
 * status a server answers (400, or 413 past 2^53). */
const char *swirl__http_content_length(const char *v, size_t n, uint64_t *out, int *status);

/* A Transfer-Encoding value: NULL when it is `chunked` alone, or why it is
 * refused with the status a server answers (400 malformed, 501 a coding
 * swirl does not decode). */
const char *swirl__http_transfer_encoding(const char *v, size_t n, int *status);

#endif
