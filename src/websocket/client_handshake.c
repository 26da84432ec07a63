/* src/websocket/client_handshake.c — the WebSocket client's opening
 * handshake: the strict URL parser, the request (key, subprotocols, the
 * permessage-deflate offer), and the check of the server's 101 (RFC 6455
 * §4.1, RFC 7692 §7), parsed by the protocol layer's response parser. */
#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "client_internal.h"

/* ---- the URL ------------------------------------------------------------------------------- */

void swirl__wsc_url_free(swirl__wsc_url_t *u) {
    swirl_free(u->host);
    swirl_free(u->host_header);
    swirl_free(u->target);
    memset(u, 0, sizeof(*u));
}

static bool is_hex(char c) { return isxdigit((unsigned char)c) != 0; }

/* A host name: labels of letters, digits, '-' and '_', joined by dots. */
static bool host_name_ok(const char *h, size_t n) {
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (isalnum((unsigned char)c) || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 || n > 1; /* "example.com." ends a name; "." alone does not */
}

int swirl__wsc_url_parse(const char *url, swirl__wsc_url_t *u) {
    memset(u, 0, sizeof(*u));
    if (!url)
        return swirl__error(SWIRL_EBADADDR, "websocket client: no URL");
    size_t len = strlen(url);
    if (len > 8192)
        return swirl__error(SWIRL_EBADADDR, "websocket client: URL of %zu bytes (at most 8192)",
                            len);
    const char *p;
    if (strncasecmp(url, "ws://", 5) == 0) {
        p = url + 5;
    } else if (strncasecmp(url, "wss://", 6) == 0) {
        p = url + 6;
        u->tls = true;
    } else {
        return swirl__error(SWIRL_EBADADDR,
                            "websocket client: URL \"%.200s\": the scheme must be ws:// or wss://",
                            url);
    }
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": byte 0x%02x at %zu (a URL "
                                "is visible ASCII)",
                                url, (unsigned char)*q, (size_t)(q - url));
    if (strchr(url, '#'))
        return swirl__error(SWIRL_EBADADDR,
                            "websocket client: URL \"%.200s\": a fragment (#) is not allowed", url);
    size_t alen = strcspn(p, "/?");
    const char *auth = p, *rest = p + alen;
    if (memchr(auth, '@', alen))
        return swirl__error(SWIRL_EBADADDR,
                            "websocket client: URL \"%.200s\": user info (@) is not allowed", url);
    const char *host = auth, *port_s = NULL;
    size_t hlen, plen = 0;
    char addr6[INET6_ADDRSTRLEN + 1];
    if (alen && auth[0] == '[') {
        const char *close = memchr(auth, ']', alen);
        if (!close)
            return swirl__error(SWIRL_EBADADDR, "websocket client: URL \"%.200s\": '[' without ']'",
                                url);
        host = auth + 1;
        hlen = (size_t)(close - host);
        struct in6_addr a6;
        if (hlen == 0 || hlen >= sizeof(addr6))
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": bad IPv6 address", url);
        memcpy(addr6, host, hlen);
        addr6[hlen] = 0;
        if (inet_pton(AF_INET6, addr6, &a6) != 1)
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": bad IPv6 address \"%s\"", url,
                                addr6);
        u->v6 = true;
        const char *after = close + 1;
        if (after < auth + alen) {
            if (*after != ':')
                return swirl__error(SWIRL_EBADADDR,
                                    "websocket client: URL \"%.200s\": junk after ']'", url);
            port_s = after + 1;
            plen = (size_t)(auth + alen - port_s);
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
        if (colon) {
            port_s = colon + 1;
            plen = (size_t)(auth + alen - port_s);
        }
        if (!host_name_ok(host, hlen))
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": bad or missing host \"%.*s\"",
                                url, (int)(hlen > 200 ? 200 : hlen), host);
    }
    u->port = u->tls ? 443 : 80;
    if (port_s) {
        long v = 0;
        if (plen == 0 || plen > 5)
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": bad port (1..65535)", url);
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)port_s[i]))
                return swirl__error(SWIRL_EBADADDR,
                                    "websocket client: URL \"%.200s\": bad port (1..65535)", url);
            v = v * 10 + (port_s[i] - '0');
        }
        if (v < 1 || v > 65535)
            return swirl__error(SWIRL_EBADPORT,
                                "websocket client: URL \"%.200s\": port %ld out of 1..65535", url,
                                v);
        u->port = (int)v;
    }
    for (const char *q = rest; *q; q++)
        if (*q == '%' && !(is_hex(q[1]) && is_hex(q[2])))
            return swirl__error(SWIRL_EBADADDR,
                                "websocket client: URL \"%.200s\": a bad %%-escape at %zu", url,
                                (size_t)(q - url));
    u->host = swirl_malloc(hlen + 1);
    u->host_header = swirl_malloc(hlen + 16);
    u->target = swirl_malloc(strlen(rest) + 2);
    if (!u->host || !u->host_header || !u->target) {
        swirl__wsc_url_free(u);
        return swirl__error(-ENOMEM, "websocket client: URL:");
    }
    memcpy(u->host, host, hlen);
    u->host[hlen] = 0;
    bool default_port = u->port == (u->tls ? 443 : 80);
    snprintf(u->host_header, hlen + 16, "%s%s%s", u->v6 ? "[" : "", u->host, u->v6 ? "]" : "");
    if (!default_port || port_s) {
        size_t k = strlen(u->host_header);
        if (!default_port)
            snprintf(u->host_header + k, hlen + 16 - k, ":%d", u->port);
    }
    snprintf(u->target, strlen(rest) + 2, "%s%s", rest[0] == '/' ? "" : "/", rest);
    return 0;
}

/* ---- the request --------------------------------------------------------------------------- */

static bool is_tchar(unsigned char c) { return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c)); }

static bool is_token(const char *s, size_t n) {
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

static const char *const own_headers[] = {
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-accept",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
};

int swirl__wsc_check_options(const swirl_ws_client_options_t *o) {
    for (size_t i = 0; o->headers && o->headers[i]; i += 2) {
        const char *name = o->headers[i], *value = o->headers[i + 1];
        if (!value)
            return swirl__error(SWIRL_EBADARG,
                                "websocket client: header \"%.100s\" has no value (headers are "
                                "name, value pairs)",
                                name);
        if (!is_token(name, strlen(name)))
            return swirl__error(SWIRL_EBADARG,
                                "websocket client: header name \"%.100s\" is not a token", name);
        for (size_t k = 0; k < sizeof(own_headers) / sizeof(own_headers[0]); k++)
            if (strcasecmp(name, own_headers[k]) == 0)
                return swirl__error(SWIRL_EBADARG,
                                    "websocket client: header %s is the client's own (set "
                                    "subprotocols or deflate instead)",
                                    name);
        for (const char *v = value; *v; v++)
            if ((unsigned char)*v < 0x20 && *v != '\t')
                return swirl__error(SWIRL_EBADARG,
                                    "websocket client: header %.100s: control byte 0x%02x in "
                                    "its value",
                                    name, (unsigned char)*v);
    }
    for (size_t i = 0; o->subprotocols && o->subprotocols[i]; i++) {
        const char *s = o->subprotocols[i];
        if (!is_token(s, strlen(s)) || strlen(s) > 255)
            return swirl__error(SWIRL_EBADARG,
                                "websocket client: subprotocol \"%.100s\" is not a token (of at "
                                "most 255 bytes)",
                                s);
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->subprotocols[k], s) == 0)
                return swirl__error(SWIRL_EBADARG,
                                    "websocket client: subprotocol \"%.100s\" offered twice", s);
    }
    return 0;
}

int swirl__wsc_make_key(char key[25], char accept[29]) {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return swirl__error(SWIRL_EPROTO, "websocket client: no random bytes for the key");
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw)); /* 24 characters + NUL */
    return swirl_ws_accept_key(key, 24, accept);
}

int swirl__wsc_request(swirl_buf_t *out, const swirl__wsc_url_t *u, const char *key,
                       const char *const *headers, const char *const *protocols,
                       const swirl_ws_client_options_t *o) {
    bool own_host = false;
    for (size_t i = 0; headers && headers[i]; i += 2)
        own_host |= strcasecmp(headers[i], "host") == 0;
    int rc = swirl_buf_appendf(out, "GET %s HTTP/1.1\r\n", u->target);
    if (!own_host && rc == 0)
        rc = swirl_buf_appendf(out, "Host: %s\r\n", u->host_header);
    if (rc == 0)
        rc = swirl_buf_appendf(out,
                               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n",
                               key);
    for (size_t i = 0; rc == 0 && protocols && protocols[i]; i++)
        rc = swirl_buf_appendf(out, "%s%s%s", i ? ", " : "Sec-WebSocket-Protocol: ", protocols[i],
                               protocols[i + 1] ? "" : "\r\n");
    if (rc == 0 && o->deflate) {
        rc = swirl_buf_appendf(out, "Sec-WebSocket-Extensions: permessage-deflate");
        if (rc == 0 && o->client_no_context_takeover)
            rc = swirl_buf_appendf(out, "; client_no_context_takeover");
        if (rc == 0 && o->server_no_context_takeover)
            rc = swirl_buf_appendf(out, "; server_no_context_takeover");
        if (rc == 0 && o->server_max_window_bits)
            rc = swirl_buf_appendf(out, "; server_max_window_bits=%d", o->server_max_window_bits);
        if (rc == 0 && o->client_max_window_bits == 0)
            rc = swirl_buf_appendf(out, "; client_max_window_bits");
        else if (rc == 0 && o->client_max_window_bits > 0)
            rc = swirl_buf_appendf(out, "; client_max_window_bits=%d", o->client_max_window_bits);
        if (rc == 0)
            rc = swirl_buf_appendf(out, "\r\n");
    }
    for (size_t i = 0; rc == 0 && headers && headers[i]; i += 2)
        rc = swirl_buf_appendf(out, "%s: %s\r\n", headers[i], headers[i + 1]);
    if (rc == 0)
        rc = swirl_buf_appendf(out, "\r\n");
    return rc < 0 ? swirl__error(rc, "websocket client: the request:") : 0;
}

/* ---- the answer ---------------------------------------------------------------------------- */

static bool ows(char c) { return c == ' ' || c == '\t'; }

/* Does the comma-separated list v[0..n) hold `token` (case-insensitive)? */
static bool list_has(const char *v, size_t n, const char *token) {
    size_t tl = strlen(token);
    for (size_t i = 0; i < n;) {
        while (i < n && (ows(v[i]) || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && ows(v[e - 1]))
            e--;
        if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
            return true;
    }
    return false;
}

/* One permessage-deflate parameter's value (token or quoted): 8..15, or -1. */
static int bits_value(const char *v, size_t n) {
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    if (n < 1 || n > 2 || !isdigit((unsigned char)v[0]) ||
        (n == 2 && !isdigit((unsigned char)v[1])))
        return -1;
    int b = n == 1 ? v[0] - '0' : (v[0] - '0') * 10 + v[1] - '0';
    if (n == 2 && v[0] == '0')
        return -1; /* no leading zero */
    return b >= 8 && b <= 15 ? b : -1;
}

/* The extensions the server answered, v[0..n): only permessage-deflate,
 * once, as offered (RFC 7692 §7.1). */
static int check_extensions(const char *v, size_t n, const swirl_ws_client_options_t *o,
                            swirl__wsc_agreed_t *a) {
    for (size_t i = 0; i < n;) {
        while (i < n && (ows(v[i]) || v[i] == ','))
            i++;
        if (i == n)
            break;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        const char *e = v + s;
        size_t el = i - s;
        /* the name */
        size_t k = 0;
        while (k < el && is_tchar((unsigned char)e[k]))
            k++;
        if (k != 18 || strncasecmp(e, "permessage-deflate", 18) != 0)
            return swirl__error(SWIRL_EPROTO,
                                "handshake: the server answered extension "
                                "\"%.*s\", which was not offered",
                                (int)(k ? (k > 100 ? 100 : k) : 1), k ? e : "?");
        if (!o->deflate)
            return swirl__error(SWIRL_EPROTO, "handshake: the server answered "
                                              "permessage-deflate, which was not offered");
        if (a->deflate)
            return swirl__error(SWIRL_EPROTO, "handshake: the server answered "
                                              "permessage-deflate twice");
        a->deflate = true;
        a->client_bits = o->client_max_window_bits > 0 ? o->client_max_window_bits : 15;
        bool seen[4] = {false, false, false, false};
        while (k < el) {
            while (k < el && ows(e[k]))
                k++;
            if (k == el)
                break;
            if (e[k] != ';')
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: permessage-deflate answer "
                                    "\"%.*s\" is malformed",
                                    (int)(el > 200 ? 200 : el), e);
            k++;
            while (k < el && ows(e[k]))
                k++;
            size_t ps = k;
            while (k < el && is_tchar((unsigned char)e[k]))
                k++;
            const char *pn = e + ps;
            size_t pl = k - ps;
            while (k < el && ows(e[k]))
                k++;
            const char *pv = NULL;
            size_t pvl = 0;
            if (k < el && e[k] == '=') {
                k++;
                while (k < el && ows(e[k]))
                    k++;
                pv = e + k;
                if (k < el && e[k] == '"') {
                    k++;
                    while (k < el && e[k] != '"')
                        k++;
                    k += k < el;
                } else {
                    while (k < el && is_tchar((unsigned char)e[k]))
                        k++;
                }
                pvl = (size_t)(e + k - pv);
            }
            int which = -1;
            if (pl == 26 && strncasecmp(pn, "server_no_context_takeover", 26) == 0)
                which = 0;
            else if (pl == 26 && strncasecmp(pn, "client_no_context_takeover", 26) == 0)
                which = 1;
            else if (pl == 22 && strncasecmp(pn, "server_max_window_bits", 22) == 0)
                which = 2;
            else if (pl == 22 && strncasecmp(pn, "client_max_window_bits", 22) == 0)
                which = 3;
            if (which < 0)
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: permessage-deflate parameter "
                                    "\"%.*s\" is unknown",
                                    (int)(pl > 100 ? 100 : pl), pn);
            if (seen[which])
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: permessage-deflate parameter "
                                    "%.*s twice",
                                    (int)pl, pn);
            seen[which] = true;
            if (which <= 1 && pv)
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: permessage-deflate parameter "
                                    "%.*s takes no value",
                                    (int)pl, pn);
            int bits = 0;
            if (which >= 2 && (!pv || (bits = bits_value(pv, pvl)) < 0))
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: permessage-deflate parameter "
                                    "%.*s needs a value 8..15",
                                    (int)pl, pn);
            if (which == 0)
                a->server_no_context = true;
            else if (which == 1)
                a->client_no_context = true;
            else if (which == 2 && o->server_max_window_bits && bits > o->server_max_window_bits)
                return swirl__error(SWIRL_EPROTO,
                                    "handshake: server_max_window_bits=%d "
                                    "answered, %d asked",
                                    bits, o->server_max_window_bits);
            else if (which == 3) {
                if (o->client_max_window_bits < 0)
                    return swirl__error(SWIRL_EPROTO, "handshake: client_max_window_bits "
                                                      "answered but not offered");
                if (o->client_max_window_bits > 0 && bits > o->client_max_window_bits)
                    return swirl__error(SWIRL_EPROTO,
                                        "handshake: client_max_window_bits=%d "
                                        "answered, %d offered",
                                        bits, o->client_max_window_bits);
                a->client_bits = bits;
            }
        }
        if (o->server_no_context_takeover && !a->server_no_context)
            return swirl__error(SWIRL_EPROTO, "handshake: server_no_context_takeover asked "
                                              "but not in the answer");
    }
    return 0;
}

int swirl__wsc_check_response(const char *head, size_t len, const char *accept,
                              const char *const *protocols, const swirl_ws_client_options_t *o,
                              swirl__wsc_agreed_t *a) {
    memset(a, 0, sizeof(*a));
    swirl_http_header_t hdrs[SWIRL__WSC_HEADERS_MAX];
    swirl_http_response_head_t r;
    swirl_http_response_head_init(&r, hdrs, SWIRL__WSC_HEADERS_MAX);
    int rc = swirl_http_parse_response_head(&r, head, len);
    if (rc < 0)
        return swirl__error(SWIRL_EPROTO, "handshake: bad response: %s",
                            r.error ? r.error : swirl_strerror(rc));
    if (r.status != 101)
        return swirl__error(SWIRL_EPROTO,
                            "handshake: the server answered %d %.*s, not 101 "
                            "Switching Protocols",
                            r.status, (int)(r.reason_len > 100 ? 100 : r.reason_len),
                            r.reason ? r.reason : "");
    if (r.minor != 1)
        return swirl__error(SWIRL_EPROTO, "handshake: a 101 over HTTP/1.0");
    const swirl_http_header_t *upgrade = NULL, *acc = NULL, *proto = NULL;
    bool conn_upgrade = false;
    swirl_buf_t ext = {0};
    for (size_t i = 0; i < r.nheaders; i++) {
        const swirl_http_header_t *h = &r.headers[i];
#define IS(n) (h->name_len == sizeof(n) - 1 && strncasecmp(h->name, n, sizeof(n) - 1) == 0)
        if (IS("upgrade")) {
            if (upgrade)
                rc = swirl__error(SWIRL_EPROTO, "handshake: Upgrade twice");
            upgrade = h;
        } else if (IS("connection")) {
            conn_upgrade |= list_has(h->value, h->value_len, "upgrade");
        } else if (IS("sec-websocket-accept")) {
            if (acc)
                rc = swirl__error(SWIRL_EPROTO, "handshake: Sec-WebSocket-Accept twice");
            acc = h;
        } else if (IS("sec-websocket-protocol")) {
            if (proto)
                rc = swirl__error(SWIRL_EPROTO, "handshake: Sec-WebSocket-Protocol twice");
            proto = h;
        } else if (IS("sec-websocket-extensions")) {
            if ((swirl_buf_size(&ext) && swirl_buf_append(&ext, ", ", 2) < 0) ||
                swirl_buf_append(&ext, h->value, h->value_len) < 0)
                rc = swirl__error(-ENOMEM, "websocket client: handshake:");
        }
#undef IS
        if (rc < 0)
            goto out;
    }
    if (!upgrade || upgrade->value_len != 9 || strncasecmp(upgrade->value, "websocket", 9) != 0) {
        rc = swirl__error(SWIRL_EPROTO, "handshake: Upgrade is \"%.*s\", not websocket",
                          upgrade ? (int)(upgrade->value_len > 100 ? 100 : upgrade->value_len) : 0,
                          upgrade ? upgrade->value : "");
        goto out;
    }
    if (!conn_upgrade) {
        rc = swirl__error(SWIRL_EPROTO, "handshake: no Connection: upgrade in the 101");
        goto out;
    }
    if (!acc || acc->value_len != 28 || memcmp(acc->value, accept, 28) != 0) {
        rc = swirl__error(SWIRL_EPROTO,
                          "handshake: Sec-WebSocket-Accept is \"%.*s\", "
                          "expected \"%s\"",
                          acc ? (int)(acc->value_len > 100 ? 100 : acc->value_len) : 0,
                          acc ? acc->value : "", accept);
        goto out;
    }
    if (proto) {
        bool offered = false;
        for (size_t i = 0; protocols && protocols[i]; i++)
            offered |= strlen(protocols[i]) == proto->value_len &&
                       memcmp(protocols[i], proto->value, proto->value_len) == 0;
        if (!offered) {
            rc = swirl__error(SWIRL_EPROTO,
                              "handshake: the server chose subprotocol "
                              "\"%.*s\", which was not offered",
                              (int)(proto->value_len > 100 ? 100 : proto->value_len), proto->value);
            goto out;
        }
        memcpy(a->protocol, proto->value, proto->value_len); /* a token offered: it fits */
    }
    if (swirl_buf_size(&ext)) {
        rc = check_extensions(swirl_buf_bytes(&ext), swirl_buf_size(&ext), o, a);
        if (rc < 0)
            goto out;
        snprintf(a->extensions, sizeof(a->extensions), "%.*s", (int)swirl_buf_size(&ext),
                 swirl_buf_bytes(&ext));
    }
    rc = 0;
out:
    swirl_buf_destroy(&ext);
    return rc;
}
