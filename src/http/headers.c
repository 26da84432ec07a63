/* src/http/headers.c — a response's status and headers as the user sets
 * them: checked (no CR/LF/NUL, valid names), framed once into the
 * response's header buffer, the ones swirl adds itself noted (so it does
 * not add them twice), and cookies built by their rules. response.c builds
 * the head from them and sends the body. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "internal.h"

int swirl__http_resp_usable(swirl_http_resp_t *resp, const char *what) {
    if (!resp)
        return swirl__error(SWIRL_EBADARG, "http response: %s: no response", what);
    if (resp->finished)
        return swirl__error(SWIRL_ESTATE, "http response: %s: the response has ended", what);
    return 0;
}

int swirl_http_resp_status(swirl_http_resp_t *resp, int code, const char *reason) {
    int rc = swirl__http_resp_usable(resp, "status");
    if (rc < 0)
        return rc;
    if (resp->head_sent)
        return swirl__error(SWIRL_ESTATE, "http response: status %d: the headers are sent", code);
    if (code < 100 || code > 999)
        return swirl__error(SWIRL_EBADARG, "http response: status %d: expected 100..999", code);
    if (reason && (strpbrk(reason, "\r\n") || strlen(reason) >= sizeof(resp->reason)))
        return swirl__error(SWIRL_EBADARG,
                            "http response: reason \"%.40s\": no CR or LF, at "
                            "most %zu bytes",
                            reason, sizeof(resp->reason) - 1);
    resp->status = code;
    size_t rl = reason ? strlen(reason) : 0; /* < sizeof(reason): checked above */
    memcpy(resp->reason, reason ? reason : "", rl);
    resp->reason[rl] = 0;
    return 0;
}

/* The H_* bit of a header name (n bytes, any case), or 0. */
unsigned swirl__http_known_header(const char *name, size_t n) {
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"content-length", H_CONTENT_LENGTH},
                 {"content-type", H_CONTENT_TYPE},
                 {"date", H_DATE},
                 {"server", H_SERVER},
                 {"connection", H_CONNECTION},
                 {"transfer-encoding", H_TRANSFER_ENCODING},
                 {"content-encoding", H_CONTENT_ENCODING},
                 {"vary", H_VARY}};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == n && strncasecmp(name, known[i].name, n) == 0)
            return known[i].bit;
    return 0;
}

/* Does value[0..n) hold "close" in any case? */
static bool says_close(const char *value, size_t n) {
    for (size_t i = 0; i + 5 <= n; i++)
        if (strncasecmp(value + i, "close", 5) == 0)
            return true;
    return false;
}

/* What a user header line implies besides itself: a header swirl no longer
 * adds, Connection: close, the user's own Transfer-Encoding, the
 * Content-Type that compression looks at. */
static void note_header(swirl_http_resp_t *resp, const char *name, size_t nl, const char *value,
                        size_t vl) {
    unsigned bit = swirl__http_known_header(name, nl);
    resp->user_set |= bit;
    if (bit == H_CONNECTION && says_close(value, vl))
        resp->keep_alive = false;
    if (bit == H_TRANSFER_ENCODING)
        resp->chunked = true;
    if (bit == H_CONTENT_LENGTH) { /* digits only: checked by frame_header */
        resp->length = 0;
        for (size_t i = 0; i < vl; i++)
            resp->length = resp->length * 10 + (value[i] - '0');
    }
    if (bit == H_CONTENT_TYPE) {
        size_t k = vl < sizeof(resp->ctype) - 1 ? vl : sizeof(resp->ctype) - 1;
        memcpy(resp->ctype, value, k);
        resp->ctype[k] = 0;
    }
}

int swirl_http_header_check(const char *name, const char *value) {
    if (!name || !*name || !value)
        return swirl__error(SWIRL_EBADARG, "http response: header: empty name or no value");
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p == ':' || *p == 0x7f)
            return swirl__error(SWIRL_EBADARG,
                                "http response: header name \"%s\": no spaces, "
                                "colons or control characters",
                                name);
    if (strpbrk(value, "\r\n"))
        return swirl__error(SWIRL_EBADARG, "http response: header \"%s\": the value holds CR or LF",
                            name);
    return 0;
}

/* Before the head is built: 0, or the error of `what` on a finished or sent response. */
int swirl__http_head_open(swirl_http_resp_t *resp, const char *what, const char *name) {
    int rc = swirl__http_resp_usable(resp, what);
    if (rc < 0)
        return rc;
    if (resp->head_sent)
        return swirl__error(SWIRL_ESTATE, "http response: %s%s%s%s: the headers are sent", what,
                            name ? " \"" : "", name ? name : "", name ? "\"" : "");
    return 0;
}

/* The headers that frame the body, which swirl must be able to keep
 * true: one Content-Length of at most 18 digits, a Transfer-Encoding of
 * "chunked" only (swirl writes the chunks), never both. `replaced`: the
 * H_* bit whose lines are about to go (header_set). */
static int frame_header(const swirl_http_resp_t *resp, const char *name, size_t nl,
                        const char *value, size_t vl, unsigned replaced) {
    unsigned bit = swirl__http_known_header(name, nl);
    if (bit != H_CONTENT_LENGTH && bit != H_TRANSFER_ENCODING)
        return 0;
    if (resp->user_set & (H_CONTENT_LENGTH | H_TRANSFER_ENCODING) & ~replaced)
        return swirl__error(SWIRL_EBADARG,
                            "http response: header \"%s\": a Content-Length or "
                            "Transfer-Encoding is set already (replace it)",
                            name);
    if (bit == H_TRANSFER_ENCODING && strcasecmp(value, "chunked") != 0)
        return swirl__error(SWIRL_EBADARG,
                            "http response: header \"%s: %.40s\": only chunked is "
                            "written",
                            name, value);
    if (bit == H_CONTENT_LENGTH && (vl == 0 || vl > 18 || strspn(value, "0123456789") != vl))
        return swirl__error(SWIRL_EBADARG,
                            "http response: header \"%s: %.40s\": 1 to 18 digits "
                            "expected",
                            name, value);
    return 0;
}

int swirl_http_resp_header(swirl_http_resp_t *resp, const char *name, const char *value) {
    int rc = swirl__http_head_open(resp, "header", name);
    if (rc < 0 || (rc = swirl_http_header_check(name, value)) < 0)
        return rc;
    size_t nl = strlen(name), vl = strlen(value);
    if ((rc = frame_header(resp, name, nl, value, vl, 0)) < 0)
        return rc;
    /* one reservation, then plain copies */
    swirl_buf_t *h = &resp->headers;
    if (swirl_buf_reserve(h, nl + vl + 4) < 0)
        return swirl__error(-ENOMEM, "http response: header:");
    note_header(resp, name, nl, value, vl);
    char *o = h->data + h->len;
    memcpy(o, name, nl);
    memcpy(o + nl, ": ", 2);
    memcpy(o + nl + 2, value, vl);
    memcpy(o + nl + 2 + vl, "\r\n", 2);
    swirl_buf_commit(h, nl + vl + 4);
    return 0;
}

int swirl_http_resp_header_set(swirl_http_resp_t *resp, const char *name, const char *value) {
    int rc = swirl__http_head_open(resp, "header", name);
    if (rc < 0)
        return rc;
    /* checked before anything is removed: a refused value leaves the old lines */
    if (!name || !*name)
        return swirl__error(SWIRL_EBADARG, "http response: header: empty name");
    if (value && ((rc = swirl_http_header_check(name, value)) < 0 ||
                  (rc = frame_header(resp, name, strlen(name), value, strlen(value),
                                     swirl__http_known_header(name, strlen(name)))) < 0))
        return rc;
    /* drop the lines called `name` in place, and replay what the others
     * imply; each line is "Name: value\r\n", as swirl_http_resp_header wrote it */
    swirl_buf_t *h = &resp->headers;
    char *p = swirl_buf_bytes(h), *end = p + swirl_buf_size(h), *w = p;
    size_t want = strlen(name);
    resp->user_set = 0;
    resp->ctype[0] = 0;
    resp->chunked = false;
    resp->length = -1;
    resp->keep_alive = resp->keep_alive_asked;
    while (p < end) {
        char *eol = (char *)memchr(p, '\n', (size_t)(end - p)) + 1;
        size_t len = (size_t)(eol - p);
        size_t nl = (size_t)((char *)memchr(p, ':', len) - p);
        if (nl != want || strncasecmp(p, name, nl) != 0) {
            note_header(resp, p, nl, p + nl + 2, len - nl - 4);
            memmove(w, p, len);
            w += len;
        }
        p = eol;
    }
    h->len = (size_t)(w - h->data);
    return value ? swirl_http_resp_header(resp, name, value) : 0;
}

static bool cookie_safe_attr(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < ' ' || *p == 0x7f)
            return false;
    return true;
}

static bool cookie_safe(const char *s, bool value) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == ';' || *p == ',' ||
            (value && (*p == '"' || *p == '\\')) || (!value && strchr("()<>@:\\\"/[]?={}", *p)))
            return false;
    return true;
}

int swirl_http_resp_cookie(swirl_http_resp_t *resp, const swirl_http_cookie_t *k) {
    int rc = swirl__http_resp_usable(resp, "cookie");
    if (rc < 0)
        return rc;
    if (!k || !k->name || !*k->name || !cookie_safe(k->name, false))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie name \"%s\": a token is "
                            "expected",
                            k && k->name ? k->name : "");
    const char *v = k->value ? k->value : "";
    if (k->raw && !cookie_safe(v, true))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": raw value with "
                            "characters a cookie cannot hold",
                            k->name);
    const char *ss = k->samesite && *k->samesite ? k->samesite : NULL;
    if (ss && strcasecmp(ss, "Strict") && strcasecmp(ss, "Lax") && strcasecmp(ss, "None"))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": samesite \"%s\": "
                            "expected Strict, Lax or None",
                            k->name, ss);
    const char *pr = k->priority && *k->priority ? k->priority : NULL;
    if (pr && strcasecmp(pr, "Low") && strcasecmp(pr, "Medium") && strcasecmp(pr, "High"))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": priority \"%s\": "
                            "expected Low, Medium or High",
                            k->name, pr);
    if (ss && strcasecmp(ss, "None") == 0 && !k->secure)
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": SameSite=None needs "
                            "secure",
                            k->name);
    /* an expiry must print as a 4-digit year (PHP's setcookie refuses past
     * 9999 too): gmtime_r fails, or strftime prints a longer year, beyond */
    struct tm tm;
    time_t t = (time_t)k->expires;
    if (k->expires > 0 && (k->expires > SWIRL_HTTP_COOKIE_EXPIRES_MAX || !gmtime_r(&t, &tm)))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": expires %lld is past "
                            "year 9999",
                            k->name, (long long)k->expires);
    if ((k->path && (strpbrk(k->path, ";\r\n") || !cookie_safe_attr(k->path))) ||
        (k->domain && (strpbrk(k->domain, ";\r\n") || !cookie_safe_attr(k->domain))))
        return swirl__error(SWIRL_EBADARG,
                            "http response: cookie \"%s\": path or domain with "
                            "';' or control characters",
                            k->name);
    swirl_buf_t b = {0};
    char num[96];
    rc = swirl_buf_append(&b, k->name, strlen(k->name)) < 0 || swirl_buf_append(&b, "=", 1) < 0;
    for (const unsigned char *p = (const unsigned char *)v; rc == 0 && *p; p++) {
        bool plain = k->raw || (*p >= '0' && *p <= '9') ||
                     ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || strchr("-._~", *p);
        if (plain)
            rc = swirl_buf_append(&b, p, 1) < 0;
        else {
            int n = snprintf(num, sizeof(num), "%%%02X", *p);
            rc = swirl_buf_append(&b, num, (size_t)n) < 0;
        }
    }
    if (rc == 0 && k->expires > 0) { /* tm: made above */
        size_t n = strftime(num, sizeof(num), "; expires=%a, %d %b %Y %H:%M:%S GMT", &tm);
        int64_t age = k->expires - (int64_t)time(NULL);
        n += (size_t)snprintf(num + n, sizeof(num) - n, "; Max-Age=%lld",
                              (long long)(age > 0 ? age : 0));
        rc = swirl_buf_append(&b, num, n) < 0;
    }
    const struct {
        const char *key, *val;
    } attrs[] = {
        {"; path=", k->path}, {"; domain=", k->domain}, {"; SameSite=", ss}, {"; Priority=", pr}};
    for (size_t i = 0; rc == 0 && i < sizeof(attrs) / sizeof(attrs[0]); i++)
        if (attrs[i].val && *attrs[i].val)
            rc = swirl_buf_append(&b, attrs[i].key, strlen(attrs[i].key)) < 0 ||
                 swirl_buf_append(&b, attrs[i].val, strlen(attrs[i].val)) < 0;
    if (rc == 0 && k->secure)
        rc = swirl_buf_append(&b, "; secure", 8) < 0;
    if (rc == 0 && k->httponly)
        rc = swirl_buf_append(&b, "; HttpOnly", 10) < 0;
    if (rc == 0)
        rc = swirl_buf_append(&b, "", 1) < 0; /* NUL */
    rc = rc ? swirl__error(-ENOMEM, "http response: cookie:")
            : swirl_http_resp_header(resp, "Set-Cookie", swirl_buf_bytes(&b));
    swirl_buf_destroy(&b);
    return rc;
}
