/* src/http_client/url.c — the client's URLs: http(s) URLs parsed strictly
 * (scheme, host, port, path and query; what is wrong is named), and a
 * redirect's Location resolved against the URL it came from. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "http_client/internal.h"

void swirl__hc_url_free(hc_url_t *u) {
    swirl_free(u->target);
    u->target = NULL;
}

static bool host_char(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '-' || c == '.' ||
           c == '_';
}

/* path and query bytes: visible ASCII (non-ASCII must come percent-encoded) */
static bool target_char(unsigned char c) { return c >= 0x21 && c <= 0x7e; }

static int bad(const char *url, const char *why) {
    return swirl__error(SWIRL_EBADARG, "URL \"%.200s\": %s", url, why);
}

/* host (reg-name, IPv4 or [IPv6]) from p[0..n) into u */
static int parse_host(hc_url_t *u, const char *url, const char *p, size_t n) {
    if (n == 0)
        return bad(url, "no host");
    if (p[0] == '[') {
        if (n < 3 || p[n - 1] != ']' || n - 2 >= sizeof(u->host))
            return bad(url, "malformed [IPv6] host");
        memcpy(u->host, p + 1, n - 2);
        u->host[n - 2] = 0;
        struct in6_addr a6;
        if (inet_pton(AF_INET6, u->host, &a6) != 1)
            return bad(url, "malformed [IPv6] host");
        u->ipv6 = true;
        return 0;
    }
    if (n > 253)
        return bad(url, "host name longer than 253 bytes");
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!host_char(c))
            return bad(url, c == '%' ? "percent-encoded host" : "invalid character in the host");
        if (c == '.') {
            if (label == 0)
                return bad(url, "empty label in the host");
            label = 0;
        } else if (++label > 63) {
            return bad(url, "host label longer than 63 bytes");
        }
    }
    memcpy(u->host, p, n);
    u->host[n] = 0;
    return 0;
}

int swirl__hc_url_parse(hc_url_t *u, const char *url) {
    memset(u, 0, sizeof(*u));
    if (!url)
        return swirl__error(SWIRL_EBADARG, "URL: NULL");
    const char *p = url;
    if (strncasecmp(p, "http://", 7) == 0) {
        p += 7;
    } else if (strncasecmp(p, "https://", 8) == 0) {
        u->https = true;
        p += 8;
    } else {
        const char *colon = strstr(url, "://");
        return bad(url, colon ? "scheme is not http or https" : "no http:// or https:// scheme");
    }
    /* authority: up to /, ? or # */
    size_t alen = strcspn(p, "/?#");
    const char *a = p, *ae = p + alen;
    for (const char *q = a; q < ae; q++)
        if (*q == '@')
            return bad(url, "credentials (user@) in the URL are not supported");
    const char *hend = ae;
    u->port = u->https ? 443 : 80;
    const char *colon = NULL;
    if (*a == '[') {
        const char *rb = memchr(a, ']', alen);
        if (!rb)
            return bad(url, "malformed [IPv6] host");
        if (rb + 1 < ae) {
            if (rb[1] != ':')
                return bad(url, "junk after the [IPv6] host");
            colon = rb + 1;
        }
    } else {
        colon = memchr(a, ':', alen);
    }
    if (colon) {
        hend = colon;
        const char *d = colon + 1;
        if (d == ae)
            return bad(url, "empty port");
        long port = 0;
        for (; d < ae; d++) {
            if (*d < '0' || *d > '9')
                return bad(url, "port is not a number");
            port = port * 10 + (*d - '0');
            if (port > 65535)
                return bad(url, "port out of range (1..65535)");
        }
        if (port < 1)
            return bad(url, "port out of range (1..65535)");
        u->port = (int)port;
    }
    int rc = parse_host(u, url, a, (size_t)(hend - a));
    if (rc < 0)
        return rc;
    /* path and query, without the fragment */
    const char *t = ae;
    size_t tlen = strcspn(t, "#");
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!target_char(c))
            return bad(url, c == ' '    ? "space in the path or query"
                            : c >= 0x80 ? "non-ASCII byte in the path or query (percent-encode it)"
                                        : "control character in the path or query");
    }
    bool slash = tlen > 0 && t[0] == '/';
    u->target = swirl_malloc(tlen + 2);
    if (!u->target)
        return swirl__error(-ENOMEM, "URL \"%.200s\": out of memory", url);
    size_t k = 0;
    if (!slash)
        u->target[k++] = '/';
    memcpy(u->target + k, t, tlen);
    u->target[k + tlen] = 0;
    return 0;
}

int swirl__hc_url_format(const hc_url_t *u, bool with_target, swirl_buf_t *out) {
    bool dflt = u->port == (u->https ? 443 : 80);
    int rc = swirl_buf_appendf(out, "%s://%s%s%s", u->https ? "https" : "http", u->ipv6 ? "[" : "",
                               u->host, u->ipv6 ? "]" : "");
    if (rc == 0 && !dflt)
        rc = swirl_buf_appendf(out, ":%d", u->port);
    if (rc == 0 && with_target)
        rc = swirl_buf_appendf(out, "%s", u->target);
    return rc;
}

int swirl__hc_url_authority(const hc_url_t *u, char *buf, size_t size) {
    bool dflt = u->port == (u->https ? 443 : 80);
    int n = dflt ? snprintf(buf, size, "%s%s%s", u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "")
                 : snprintf(buf, size, "%s%s%s:%d", u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "",
                            u->port);
    return n < 0 || (size_t)n >= size ? SWIRL_ETOOBIG : 0;
}

/* The bytes of loc[0..len) before its first '/', '?' or '#': where a
 * scheme's colon would be. Bounded by len: a Location points into the
 * response head, which is not NUL-terminated. */
static size_t scheme_span(const char *loc, size_t len) {
    size_t i = 0;
    while (i < len && loc[i] != '/' && loc[i] != '?' && loc[i] != '#')
        i++;
    return i;
}

int swirl__hc_url_resolve(hc_url_t *out, const hc_url_t *base, const char *loc, size_t len) {
    swirl_buf_t b;
    swirl_buf_init(&b);
    int rc = 0;
    if (len >= 7 && (strncasecmp(loc, "http://", 7) == 0 ||
                     (len >= 8 && strncasecmp(loc, "https://", 8) == 0))) {
        rc = swirl_buf_append(&b, loc, len);
    } else if (len >= 2 && loc[0] == '/' && loc[1] == '/') {
        rc = swirl_buf_appendf(&b, "%s:", base->https ? "https" : "http");
        if (rc == 0)
            rc = swirl_buf_append(&b, loc, len);
    } else if (memchr(loc, ':', scheme_span(loc, len))) {
        rc = swirl__error(SWIRL_EPROTO, "redirect to \"%.*s\": scheme is not http or https",
                          (int)(len > 200 ? 200 : len), loc);
    } else {
        rc = swirl__hc_url_format(base, false, &b);
        if (rc == 0 && len > 0 && loc[0] == '/') {
            rc = swirl_buf_append(&b, loc, len);
        } else if (rc == 0 && (len == 0 || loc[0] == '#' || loc[0] == '?')) {
            /* RFC 3986 §5.2.2: the base's path, and its query unless loc has one */
            size_t plen =
                len > 0 && loc[0] == '?' ? strcspn(base->target, "?") : strlen(base->target);
            rc = swirl_buf_append(&b, base->target, plen);
            if (rc == 0)
                rc = swirl_buf_append(&b, loc, len);
        } else if (rc == 0) {
            /* relative: the base's directory (its path up to the last /), then loc */
            size_t plen = strcspn(base->target, "?");
            while (plen > 0 && base->target[plen - 1] != '/')
                plen--;
            rc = swirl_buf_append(&b, base->target, plen);
            if (rc == 0)
                rc = swirl_buf_append(&b, loc, len);
        }
    }
    if (rc == 0)
        rc = swirl_buf_append(&b, "", 1);
    if (rc == 0) {
        rc = swirl__hc_url_parse(out, swirl_buf_bytes(&b));
        if (rc == SWIRL_EBADARG) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            rc = swirl__error(SWIRL_EPROTO, "redirect: %s", msg);
        }
    }
    swirl_buf_destroy(&b);
    return rc;
}
