/* src/protocol/http_response.c — HTTP/1.1 response heads, for clients.
 *
 * The request parser's sibling (http_parser.c) with the same strictness,
 * because a client that reads a response differently from a proxy in front
 * of it can be fed a second, forged response: CRLF only, no obs-fold, token
 * header names, no whitespace before a colon, no control characters in
 * values, one Content-Length of digits only, no Content-Length with
 * Transfer-Encoding, chunked as the only transfer coding, none in
 * HTTP/1.0. What frames the body (RFC 9112 §6.3) is worked out here once:
 * no body for 1xx, 204, 304 and a HEAD's response, else chunked, else
 * Content-Length, else until the server closes. Zero-copy, no allocation. */
#include <string.h>
#include <swirl/protocol.h>

#include "http_internal.h"

static bool tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
           (c && memchr("!#$%&'*+-.^_`|~", c, 15));
}

/* field value and reason phrase bytes: visible ASCII, obs-text, SP, HTAB */
static bool vchar(unsigned char c) {
    return (c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t';
}

static int fail(swirl_http_response_head_t *r, int code, const char *why) {
    r->error = why;
    return code;
}

#define ieq swirl__http_ieq
#define each_token swirl__http_each_token

static void on_connection(const char *t, size_t n, void *arg) {
    swirl_http_response_head_t *r = arg;
    if (ieq(t, n, "close"))
        r->conn_close = true;
    else if (ieq(t, n, "keep-alive"))
        r->conn_keep_alive = true;
    else if (ieq(t, n, "upgrade"))
        r->conn_upgrade = true;
}

static int special_header(swirl_http_response_head_t *r, const char *name, size_t nlen,
                          const char *v, size_t vlen) {
    switch (nlen) {
    case 7:
        if (ieq(name, nlen, "upgrade"))
            r->has_upgrade = true;
        return 0;
    case 10:
        if (ieq(name, nlen, "connection"))
            each_token(v, vlen, on_connection, r);
        return 0;
    case 14:
        if (ieq(name, nlen, "content-length")) {
            if (r->content_length >= 0)
                return fail(r, SWIRL_EPROTO, "more than one Content-Length");
            uint64_t n = 0;
            int status;
            const char *why = swirl__http_content_length(v, vlen, &n, &status);
            if (why)
                return fail(r, status == 413 ? SWIRL_ETOOBIG : SWIRL_EPROTO, why);
            r->content_length = (int64_t)n;
        }
        return 0;
    case 17:
        if (ieq(name, nlen, "transfer-encoding")) {
            if (r->te_seen)
                return fail(r, SWIRL_EPROTO, "more than one Transfer-Encoding");
            r->te_seen = true;
            int status;
            const char *why = swirl__http_transfer_encoding(v, vlen, &status);
            if (why)
                return fail(r, SWIRL_EPROTO, why);
            r->chunked = true;
        }
        return 0;
    default:
        return 0;
    }
}

void swirl_http_response_head_init(swirl_http_response_head_t *r, swirl_http_header_t *headers,
                                   size_t max_headers) {
    memset(r, 0, sizeof(*r));
    r->headers = headers;
    r->max_headers = max_headers;
    r->content_length = -1;
}

int swirl_http_parse_response_head(swirl_http_response_head_t *r, const char *buf, size_t len) {
    swirl_http_header_t *hdrs = r->headers;
    size_t max = r->max_headers;
    bool head_request = r->head_request;
    swirl_http_response_head_init(r, hdrs, max);
    r->head_request = head_request;
    const char *p = buf, *end = buf + len;

    /* status-line = HTTP-version SP 3DIGIT SP [reason-phrase] CRLF; a
     * missing SP before an empty reason is taken (common, and harmless) */
    static const char pattern[] = "HTTP/1.9 999";
    if (len < sizeof(pattern) - 1)
        return fail(r, SWIRL_EPROTO, "status line too short");
    for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
        bool ok = pattern[i] == '9' ? p[i] >= '0' && p[i] <= '9' : p[i] == pattern[i];
        if (!ok)
            return fail(r, SWIRL_EPROTO,
                        i < 8 ? "malformed HTTP version" : "malformed status code");
    }
    if (p[7] != '0' && p[7] != '1')
        return fail(r, SWIRL_EPROTO, "HTTP version not supported");
    r->minor = p[7] - '0';
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (r->status < 100 || r->status > 599)
        return fail(r, SWIRL_EPROTO, "status code out of range (100..599)");
    p += sizeof(pattern) - 1;
    if (p < end && *p == ' ')
        p++;
    else if (p >= end || *p != '\r')
        return fail(r, SWIRL_EPROTO, "malformed status code");
    r->reason = p;
    while (p < end && vchar((unsigned char)*p))
        p++;
    r->reason_len = (size_t)(p - r->reason);
    if (p + 1 >= end || p[0] != '\r' || p[1] != '\n')
        return fail(r, SWIRL_EPROTO,
                    p < end && *p == '\n'   ? "bare LF in the status line"
                    : p < end && *p != '\r' ? "invalid character in the reason"
                                            : "status line not ended by CRLF");
    p += 2;

    /* header-field = field-name ":" OWS field-value OWS CRLF */
    for (;;) {
        if (p >= end)
            return fail(r, SWIRL_EPROTO, "head not ended by an empty line");
        if (*p == '\r') {
            if (p + 1 >= end || p[1] != '\n')
                return fail(r, SWIRL_EPROTO, "bare CR in the head");
            p += 2;
            break;
        }
        const char *s = p;
        while (p < end && tchar((unsigned char)*p))
            p++;
        if (p >= end)
            return fail(r, SWIRL_EPROTO, "header line not ended");
        bool ws = *p == ' ' || *p == '\t';
        if (p == s)
            return fail(r, SWIRL_EPROTO,
                        ws           ? "obs-fold or whitespace before a header"
                        : *p == ':'  ? "empty header name"
                        : *p == '\n' ? "bare LF in the head"
                                     : "invalid character in a header name");
        if (*p != ':')
            return fail(r, SWIRL_EPROTO,
                        ws ? "whitespace before a header's colon"
                           : "invalid character in a header name");
        const char *name = s;
        size_t nlen = (size_t)(p - s);
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        s = p;
        while (p < end && vchar((unsigned char)*p))
            p++;
        if (p >= end)
            return fail(r, SWIRL_EPROTO, "header line not ended");
        if (*p != '\r')
            return fail(r, SWIRL_EPROTO,
                        *p == '\n' ? "bare LF in a header" : "invalid character in a header value");
        if (p + 1 >= end || p[1] != '\n')
            return fail(r, SWIRL_EPROTO, "bare CR in a header");
        const char *ve = p;
        while (ve > s && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        p += 2;
        if (r->nheaders >= max)
            return fail(r, SWIRL_ETOOBIG, "too many headers");
        hdrs[r->nheaders++] = (swirl_http_header_t){name, nlen, s, (size_t)(ve - s)};
        int rc = special_header(r, name, nlen, s, (size_t)(ve - s));
        if (rc < 0)
            return rc;
    }
    r->head_len = (size_t)(p - buf);

    if (r->chunked && r->content_length >= 0)
        return fail(r, SWIRL_EPROTO, "both Content-Length and Transfer-Encoding");
    if (r->te_seen && r->minor == 0)
        return fail(r, SWIRL_EPROTO, "Transfer-Encoding in an HTTP/1.0 response");
    r->no_body = r->status < 200 || r->status == 204 || r->status == 304 || r->head_request;
    if (r->no_body)
        r->chunked = false;
    r->until_close = !r->no_body && !r->chunked && r->content_length < 0;
    r->upgrade = r->status == 101 && r->conn_upgrade && r->has_upgrade;
    r->keep_alive = (r->minor == 1 ? !r->conn_close : (r->conn_keep_alive && !r->conn_close)) &&
                    !r->until_close && r->status != 101; /* a 101 leaves HTTP, upgrade or not */
    return 0;
}

const swirl_http_header_t *swirl_http_response_find_header(const swirl_http_response_head_t *r,
                                                           const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (ieq(r->headers[i].name, r->headers[i].name_len, name))
            return &r->headers[i];
    return NULL;
}
