/* src/net/addr.c — socket addresses: the socket kinds, parsing host/port text
 * for each kind, and formatting addresses back to text. Names are never
 * resolved here: a server's path must not block on DNS. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/net.h>

#include "../core/internal.h"

/* Room for an abstract name: sun_path holds a leading NUL instead of a
 * terminating one, so a name may use every byte. */
#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

bool swirl_sock_is_stream(swirl_sock_type_t type) {
    return type == SWIRL_SOCK_TCP || type == SWIRL_SOCK_TCP6 || type == SWIRL_SOCK_UNIX_STREAM;
}

const char *swirl_sock_type_name(swirl_sock_type_t type) {
    switch (type) {
    case SWIRL_SOCK_TCP:
        return "tcp";
    case SWIRL_SOCK_UDP:
        return "udp";
    case SWIRL_SOCK_TCP6:
        return "tcp6";
    case SWIRL_SOCK_UDP6:
        return "udp6";
    case SWIRL_SOCK_UNIX_STREAM:
        return "unix_stream";
    case SWIRL_SOCK_UNIX_DGRAM:
        return "unix_dgram";
    }
    return NULL;
}

static int parse_unix(swirl_addr_t *out, const char *kind, const char *path) {
    size_t n = strlen(path);
    struct sockaddr_un *un = &out->u.un;
    bool abstract = path[0] == '@';
    if (n == 0 || (abstract && n == 1))
        return swirl__error(SWIRL_EBADADDR, "address \"%s\" for %s: expected a path or @name", path,
                            kind);
    /* A path needs its terminating NUL inside sun_path; an abstract name's
     * '@' becomes the leading NUL, so it may fill sun_path exactly. */
    size_t max = abstract ? SUN_PATH_MAX : SUN_PATH_MAX - 1;
    if (n > max)
        return swirl__error(SWIRL_EBADADDR,
                            "address \"%.200s%s\" for %s: %zu bytes long, a unix socket %s "
                            "holds at most %zu",
                            path, n > 200 ? "..." : "", kind, n, abstract ? "name" : "path", max);
    un->sun_family = AF_UNIX;
    if (abstract) {
        /* The length is part of an abstract name: count exactly its bytes. */
        un->sun_path[0] = '\0';
        memcpy(un->sun_path + 1, path + 1, n - 1);
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        memcpy(un->sun_path, path, n + 1);
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

static int parse_ip4(swirl_addr_t *out, const char *kind, const char *host, int port) {
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h, &out->u.in.sin_addr) != 1)
        return swirl__error(SWIRL_EBADADDR,
                            "address \"%.200s\" for %s: expected a numeric IPv4 address (or "
                            "localhost)",
                            host, kind);
    out->u.in.sin_family = AF_INET;
    out->u.in.sin_port = htons((uint16_t)port);
    out->len = sizeof(struct sockaddr_in);
    return 0;
}

static int parse_ip6(swirl_addr_t *out, const char *kind, const char *host, int port) {
    /* "[::1]" as written in URLs is accepted as well as "::1". */
    char buf[INET6_ADDRSTRLEN];
    size_t n = strlen(host);
    const char *h = host;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        h = buf;
    }
    if (strcmp(h, "localhost") == 0)
        h = "::1";
    else if (strcmp(h, "0.0.0.0") == 0)
        h = "::"; /* "every address", as a user coming from IPv4 writes it */
    if (inet_pton(AF_INET6, h, &out->u.in6.sin6_addr) != 1)
        return swirl__error(SWIRL_EBADADDR,
                            "address \"%.200s\" for %s: expected a numeric IPv6 address (or "
                            "localhost)",
                            host, kind);
    out->u.in6.sin6_family = AF_INET6;
    out->u.in6.sin6_port = htons((uint16_t)port);
    out->len = sizeof(struct sockaddr_in6);
    return 0;
}

int swirl_addr_parse(swirl_addr_t *out, swirl_sock_type_t type, const char *host, int port) {
    const char *kind = swirl_sock_type_name(type);
    if (!kind)
        return swirl__error(SWIRL_EBADARG, "socket type %d: expected 1..6", (int)type);
    if (!out)
        return swirl__error(SWIRL_EBADARG, "address for %s: no place to store it", kind);
    if (!host)
        return swirl__error(SWIRL_EBADADDR, "address (null) for %s: expected a host", kind);
    memset(out, 0, sizeof(*out));
    if (type == SWIRL_SOCK_UNIX_STREAM || type == SWIRL_SOCK_UNIX_DGRAM)
        return parse_unix(out, kind, host);
    if (port < 0 || port > 65535)
        return swirl__error(SWIRL_EBADPORT, "port %d for %s \"%.200s\": expected 0..65535", port,
                            kind, host);
    if (type == SWIRL_SOCK_TCP || type == SWIRL_SOCK_UDP)
        return parse_ip4(out, kind, host, port);
    return parse_ip6(out, kind, host, port);
}

bool swirl_addr_split(const char *text, bool v6, char *host, size_t size, int *port) {
    const char *colon = strrchr(text, ':');
    if (!colon || !colon[1] || strlen(colon + 1) > 5)
        return false;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    const char *start = text, *end = colon;
    if (text[0] == '[') {
        if (colon == text || colon[-1] != ']')
            return false;
        start = text + 1;
        end = colon - 1;
    } else if (v6 || memchr(text, ':', (size_t)(colon - text))) {
        return false; /* a bare IPv6 address, not host:port */
    }
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= size)
        return false;
    memcpy(host, start, n);
    host[n] = '\0';
    *port = (int)strtol(colon + 1, NULL, 10);
    return true;
}

int swirl_addr_host(const swirl_addr_t *addr, char *buf, size_t size) {
    if (!addr || (!buf && size > 0))
        return swirl__error(SWIRL_EBADARG, "address host: NULL argument");
    char tmp[SWIRL_ADDR_STRLEN];
    switch (addr->u.sa.sa_family) {
    case AF_INET:
        inet_ntop(AF_INET, &addr->u.in.sin_addr, tmp, sizeof(tmp));
        break;
    case AF_INET6:
        inet_ntop(AF_INET6, &addr->u.in6.sin6_addr, tmp, sizeof(tmp));
        break;
    case AF_UNIX: {
        /* `len` says how much of sun_path is the name; an unnamed socket
         * (an accepted Unix peer) has none and shows as "". */
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = addr->len > off ? addr->len - off : 0;
        if (n > SUN_PATH_MAX)
            n = SUN_PATH_MAX;
        const char *p = addr->u.un.sun_path;
        if (n > 0 && p[0] == '\0') {
            tmp[0] = '@';
            memcpy(tmp + 1, p + 1, n - 1);
            tmp[n] = '\0';
        } else {
            size_t len = strnlen(p, n);
            memcpy(tmp, p, len);
            tmp[len] = '\0';
        }
        break;
    }
    default:
        return swirl__error(SWIRL_EBADADDR, "address family %d: expected IPv4, IPv6 or unix",
                            (int)addr->u.sa.sa_family);
    }
    return snprintf(buf, size, "%s", tmp);
}

int swirl_addr_format(const swirl_addr_t *addr, char *buf, size_t size) {
    char host[SWIRL_ADDR_STRLEN];
    int rc = swirl_addr_host(addr, host, sizeof(host));
    if (rc < 0)
        return rc;
    if (!buf && size > 0)
        return swirl__error(SWIRL_EBADARG, "address format: NULL buffer");
    switch (addr->u.sa.sa_family) {
    case AF_INET:
        return snprintf(buf, size, "%s:%d", host, swirl_addr_port(addr));
    case AF_INET6:
        return snprintf(buf, size, "[%s]:%d", host, swirl_addr_port(addr));
    default:
        return snprintf(buf, size, "unix:%s", host);
    }
}

int swirl_addr_port(const swirl_addr_t *addr) {
    if (!addr)
        return 0;
    switch (addr->u.sa.sa_family) {
    case AF_INET:
        return ntohs(addr->u.in.sin_port);
    case AF_INET6:
        return ntohs(addr->u.in6.sin6_port);
    default:
        return 0;
    }
}
