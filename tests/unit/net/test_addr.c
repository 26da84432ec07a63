/* tests/unit/net/test_addr.c — address parsing and formatting for every
 * socket kind, the error codes and messages for malformed input, splitting
 * "host:port", and the socket-kind helpers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <swirl/net.h>

#include "testutil.h"

/* Parse, then check format(), host() and port() give back what we meant. */
static void roundtrip(swirl_sock_type_t type, const char *in, int port, const char *want_fmt,
                      const char *want_host, int want_port) {
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, type, in, port), 0, "parse \"%s\": %s", in,
                 swirl_last_error_msg());
    char buf[SWIRL_ADDR_STRLEN];
    int n = swirl_addr_format(&a, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen(want_fmt), "format length for \"%s\"", in);
    cr_assert_str_eq(buf, want_fmt);
    n = swirl_addr_host(&a, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen(want_host));
    cr_assert_str_eq(buf, want_host);
    cr_assert_eq(swirl_addr_port(&a), want_port);
}

/* A failing parse must give `code` and a message containing `needle`. */
static void parse_fails(swirl_sock_type_t type, const char *in, int port, int code,
                        const char *needle) {
    swirl_addr_t a;
    swirl_clear_error();
    int rc = swirl_addr_parse(&a, type, in, port);
    cr_assert_eq(rc, code, "parse \"%s\" port %d: got %d (%s), want %d", in ? in : "(null)", port,
                 rc, swirl_err_name(rc), code);
    cr_assert_eq(swirl_last_error(), code);
    cr_assert(strstr(swirl_last_error_msg(), needle), "message \"%s\" should contain \"%s\"",
              swirl_last_error_msg(), needle);
}

Test(addr, ipv4_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    roundtrip(SWIRL_SOCK_TCP, "127.0.0.1", 8080, "127.0.0.1:8080", "127.0.0.1", 8080);
    roundtrip(SWIRL_SOCK_UDP, "0.0.0.0", 0, "0.0.0.0:0", "0.0.0.0", 0);
    roundtrip(SWIRL_SOCK_TCP, "255.255.255.255", 65535, "255.255.255.255:65535", "255.255.255.255",
              65535);
    roundtrip(SWIRL_SOCK_TCP, "localhost", 80, "127.0.0.1:80", "127.0.0.1", 80);
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_TCP, "10.1.2.3", 443), 0);
    cr_assert_eq(a.u.sa.sa_family, AF_INET);
    cr_assert_eq(a.len, sizeof(struct sockaddr_in));
    cr_assert_eq(ntohs(a.u.in.sin_port), 443);
    TU_FD_END();
}

Test(addr, ipv6_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    roundtrip(SWIRL_SOCK_TCP6, "::1", 8080, "[::1]:8080", "::1", 8080);
    roundtrip(SWIRL_SOCK_TCP6, "[::1]", 80, "[::1]:80", "::1", 80);
    roundtrip(SWIRL_SOCK_UDP6, "::", 0, "[::]:0", "::", 0);
    roundtrip(SWIRL_SOCK_TCP6, "localhost", 1, "[::1]:1", "::1", 1);
    roundtrip(SWIRL_SOCK_TCP6, "0.0.0.0", 9, "[::]:9", "::", 9);
    roundtrip(SWIRL_SOCK_TCP6, "2001:DB8::0:1", 65535, "[2001:db8::1]:65535", "2001:db8::1", 65535);
    roundtrip(SWIRL_SOCK_TCP6, "::ffff:1.2.3.4", 5, "[::ffff:1.2.3.4]:5", "::ffff:1.2.3.4", 5);
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UDP6, "fe80::1", 53), 0);
    cr_assert_eq(a.u.sa.sa_family, AF_INET6);
    cr_assert_eq(a.len, sizeof(struct sockaddr_in6));
    TU_FD_END();
}

Test(addr, unix_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    roundtrip(SWIRL_SOCK_UNIX_STREAM, "/tmp/x.sock", 0, "unix:/tmp/x.sock", "/tmp/x.sock", 0);
    roundtrip(SWIRL_SOCK_UNIX_DGRAM, "rel/path", 1234, "unix:rel/path", "rel/path", 0);
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UNIX_STREAM, "/tmp/x.sock", 0), 0);
    cr_assert_eq(a.u.sa.sa_family, AF_UNIX);
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + strlen("/tmp/x.sock") + 1);
    TU_FD_END();
}

Test(addr, abstract_roundtrip, .timeout = 10) {
    TU_FD_BEGIN();
    roundtrip(SWIRL_SOCK_UNIX_STREAM, "@swirl", 0, "unix:@swirl", "@swirl", 0);
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UNIX_DGRAM, "@swirl", 0), 0);
    /* Leading NUL, no trailing one: the length is exactly the name's. */
    cr_assert_eq(a.u.un.sun_path[0], '\0');
    cr_assert_eq(memcmp(a.u.un.sun_path + 1, "swirl", 5), 0);
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 6);
    TU_FD_END();
}

Test(addr, unix_length_limits, .timeout = 10) {
    TU_FD_BEGIN();
    size_t cap = sizeof(((struct sockaddr_un *)0)->sun_path);
    char path[512];
    swirl_addr_t a;
    char buf[SWIRL_ADDR_STRLEN];

    /* A path keeps its NUL inside sun_path: cap - 1 bytes fit, cap do not. */
    memset(path, 'p', cap - 1);
    path[0] = '/';
    path[cap - 1] = '\0';
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UNIX_STREAM, path, 0), 0);
    cr_assert_eq(swirl_addr_format(&a, buf, sizeof(buf)), (int)(cap - 1 + 5));
    path[cap - 1] = 'p';
    path[cap] = '\0';
    parse_fails(SWIRL_SOCK_UNIX_STREAM, path, 0, SWIRL_EBADADDR, "/ppppp");
    cr_assert(strstr(swirl_last_error_msg(), "at most"));

    /* An abstract name's '@' is the leading NUL: it may fill sun_path. */
    memset(path, 'n', cap);
    path[0] = '@';
    path[cap] = '\0';
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UNIX_DGRAM, path, 0), 0);
    int n = swirl_addr_format(&a, buf, sizeof(buf));
    cr_assert_eq(n, (int)(cap + 5));
    cr_assert_str_eq(buf + 5, path);
    path[cap] = 'n';
    path[cap + 1] = '\0';
    parse_fails(SWIRL_SOCK_UNIX_DGRAM, path, 0, SWIRL_EBADADDR, "@nnnn");

    /* A very long path is quoted (shortened) and its length given. */
    memset(path, 'q', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    parse_fails(SWIRL_SOCK_UNIX_STREAM, path, 0, SWIRL_EBADADDR, "511 bytes");
    TU_FD_END();
}

Test(addr, malformed_ipv4, .timeout = 10) {
    TU_FD_BEGIN();
    parse_fails(SWIRL_SOCK_TCP, "300.1.1.1", 80, SWIRL_EBADADDR, "address \"300.1.1.1\" for tcp");
    cr_assert_str_eq(swirl_last_error_msg(),
                     "address \"300.1.1.1\" for tcp: expected a numeric IPv4 address (or "
                     "localhost)");
    parse_fails(SWIRL_SOCK_TCP, "abc", 80, SWIRL_EBADADDR, "\"abc\"");
    parse_fails(SWIRL_SOCK_TCP, "::1", 80, SWIRL_EBADADDR, "\"::1\" for tcp");
    parse_fails(SWIRL_SOCK_UDP, "1.2.3", 80, SWIRL_EBADADDR, "\"1.2.3\" for udp");
    parse_fails(SWIRL_SOCK_TCP, "", 80, SWIRL_EBADADDR, "address \"\" for tcp");
    parse_fails(SWIRL_SOCK_TCP, " 1.2.3.4", 80, SWIRL_EBADADDR, "\" 1.2.3.4\"");
    parse_fails(SWIRL_SOCK_TCP, "example.com", 80, SWIRL_EBADADDR, "example.com");
    TU_FD_END();
}

Test(addr, malformed_ipv6, .timeout = 10) {
    TU_FD_BEGIN();
    parse_fails(SWIRL_SOCK_TCP6, "1.2.3.4", 80, SWIRL_EBADADDR, "\"1.2.3.4\" for tcp6");
    cr_assert(strstr(swirl_last_error_msg(), "IPv6"));
    parse_fails(SWIRL_SOCK_UDP6, ":::", 80, SWIRL_EBADADDR, "\":::\" for udp6");
    parse_fails(SWIRL_SOCK_TCP6, "[::1", 80, SWIRL_EBADADDR, "\"[::1\"");
    parse_fails(SWIRL_SOCK_TCP6, "[]", 80, SWIRL_EBADADDR, "\"[]\"");
    parse_fails(SWIRL_SOCK_TCP6, "", 80, SWIRL_EBADADDR, "\"\" for tcp6");
    TU_FD_END();
}

Test(addr, null_and_empty, .timeout = 10) {
    TU_FD_BEGIN();
    parse_fails(SWIRL_SOCK_TCP, NULL, 80, SWIRL_EBADADDR, "for tcp");
    parse_fails(SWIRL_SOCK_UNIX_STREAM, NULL, 0, SWIRL_EBADADDR, "for unix_stream");
    parse_fails(SWIRL_SOCK_UNIX_STREAM, "", 0, SWIRL_EBADADDR, "\"\" for unix_stream");
    parse_fails(SWIRL_SOCK_UNIX_DGRAM, "@", 0, SWIRL_EBADADDR, "\"@\" for unix_dgram");
    cr_assert_eq(swirl_addr_parse(NULL, SWIRL_SOCK_TCP, "1.2.3.4", 1), SWIRL_EBADARG);
    TU_FD_END();
}

Test(addr, bad_port, .timeout = 10) {
    TU_FD_BEGIN();
    parse_fails(SWIRL_SOCK_TCP, "127.0.0.1", -1, SWIRL_EBADPORT, "port -1");
    parse_fails(SWIRL_SOCK_TCP, "127.0.0.1", 70000, SWIRL_EBADPORT, "port 70000");
    cr_assert(strstr(swirl_last_error_msg(), "0..65535"));
    parse_fails(SWIRL_SOCK_UDP6, "::1", 65536, SWIRL_EBADPORT, "port 65536 for udp6");
    /* A Unix address has no port: whatever is given is ignored. */
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_UNIX_STREAM, "/tmp/s", -5), 0);
    TU_FD_END();
}

Test(addr, split_host_port, .timeout = 10) {
    static const struct {
        const char *in;
        bool v6;
        const char *host; /* NULL: not host:port */
        int port;
    } cases[] = {
        {"127.0.0.1:8080", false, "127.0.0.1", 8080},
        {"example.org:1", false, "example.org", 1},
        {"[::1]:443", false, "::1", 443},
        {"[::1]:443", true, "::1", 443},
        {"host:99999", false, "host", 99999}, /* range: the caller's check */
        {"host:123456", false, NULL, 0},
        {"host:", false, NULL, 0},
        {"host:8x", false, NULL, 0},
        {"host", false, NULL, 0},
        {":80", false, NULL, 0},
        {"[]:80", false, NULL, 0},
        {"::1", false, NULL, 0},
        {"fe80::1:80", false, NULL, 0}, /* a bare IPv6 address */
        {"host:80", true, NULL, 0},     /* IPv6 wants brackets */
        {"[::1:80", false, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char host[64] = "untouched";
        int port = -1;
        bool ok = swirl_addr_split(cases[i].in, cases[i].v6, host, sizeof(host), &port);
        cr_assert_eq(ok, cases[i].host != NULL, "%s", cases[i].in);
        if (ok) {
            cr_assert_str_eq(host, cases[i].host, "%s", cases[i].in);
            cr_assert_eq(port, cases[i].port, "%s", cases[i].in);
        } else {
            cr_assert_str_eq(host, "untouched", "%s", cases[i].in);
            cr_assert_eq(port, -1, "%s", cases[i].in);
        }
    }
    char small[4];
    int port = -1;
    cr_assert_not(swirl_addr_split("long-name:80", false, small, sizeof(small), &port));
    cr_assert(swirl_addr_split("abc:80", false, small, sizeof(small), &port));
    cr_assert_str_eq(small, "abc");
}

Test(addr, bad_type, .timeout = 10) {
    TU_FD_BEGIN();
    parse_fails(0, "127.0.0.1", 80, SWIRL_EBADARG, "socket type 0");
    parse_fails(7, "127.0.0.1", 80, SWIRL_EBADARG, "socket type 7");
    TU_FD_END();
}

Test(addr, format_truncates_like_snprintf, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_addr_t a;
    cr_assert_eq(swirl_addr_parse(&a, SWIRL_SOCK_TCP, "192.168.100.200", 12345), 0);
    char buf[8];
    int n = swirl_addr_format(&a, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen("192.168.100.200:12345"));
    cr_assert_str_eq(buf, "192.168");
    cr_assert_eq(swirl_addr_format(&a, NULL, 0), n);
    cr_assert_eq(swirl_addr_host(&a, buf, 4), (int)strlen("192.168.100.200"));
    cr_assert_str_eq(buf, "192");
    TU_FD_END();
}

Test(addr, unnamed_and_unknown, .timeout = 10) {
    TU_FD_BEGIN();
    swirl_addr_t a;
    memset(&a, 0, sizeof(a));
    char buf[SWIRL_ADDR_STRLEN];
    /* An unnamed Unix socket (e.g. an accepted client) has only a family. */
    a.u.un.sun_family = AF_UNIX;
    a.len = sizeof(sa_family_t);
    cr_assert_eq(swirl_addr_format(&a, buf, sizeof(buf)), 5);
    cr_assert_str_eq(buf, "unix:");
    cr_assert_eq(swirl_addr_port(&a), 0);
    /* A length past sun_path must not make host() read beyond it. */
    a.len = sizeof(a.u);
    memset(a.u.un.sun_path, 'z', sizeof(a.u.un.sun_path));
    cr_assert_eq(swirl_addr_host(&a, buf, sizeof(buf)), (int)sizeof(a.u.un.sun_path));

    a.u.sa.sa_family = AF_PACKET;
    cr_assert_eq(swirl_addr_format(&a, buf, sizeof(buf)), SWIRL_EBADADDR);
    cr_assert_eq(swirl_addr_host(&a, buf, sizeof(buf)), SWIRL_EBADADDR);
    cr_assert_eq(swirl_addr_port(&a), 0);
    cr_assert_eq(swirl_addr_port(NULL), 0);
    TU_FD_END();
}

Test(addr, sock_type_helpers, .timeout = 10) {
    TU_FD_BEGIN();
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_TCP), "tcp");
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_UDP), "udp");
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_TCP6), "tcp6");
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_UDP6), "udp6");
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_UNIX_STREAM), "unix_stream");
    cr_assert_str_eq(swirl_sock_type_name(SWIRL_SOCK_UNIX_DGRAM), "unix_dgram");
    cr_assert_null(swirl_sock_type_name(0));
    cr_assert_null(swirl_sock_type_name(7));
    cr_assert_null(swirl_sock_type_name(-1));

    cr_assert(swirl_sock_is_stream(SWIRL_SOCK_TCP));
    cr_assert(swirl_sock_is_stream(SWIRL_SOCK_TCP6));
    cr_assert(swirl_sock_is_stream(SWIRL_SOCK_UNIX_STREAM));
    cr_assert_not(swirl_sock_is_stream(SWIRL_SOCK_UDP));
    cr_assert_not(swirl_sock_is_stream(SWIRL_SOCK_UDP6));
    cr_assert_not(swirl_sock_is_stream(SWIRL_SOCK_UNIX_DGRAM));
    cr_assert_not(swirl_sock_is_stream(0));
    /* Swoole's numbering, which the PHP binding passes through. */
    cr_assert_eq(SWIRL_SOCK_TCP, 1);
    cr_assert_eq(SWIRL_SOCK_UDP, 2);
    cr_assert_eq(SWIRL_SOCK_TCP6, 3);
    cr_assert_eq(SWIRL_SOCK_UDP6, 4);
    cr_assert_eq(SWIRL_SOCK_UNIX_STREAM, 5);
    cr_assert_eq(SWIRL_SOCK_UNIX_DGRAM, 6);
    TU_FD_END();
}
