/* tests/unit/client/test_settings.c — the client's settings table: its
 * defaults (the framing ones shared with server ports), every key's
 * refused values with the message naming key and value, "timeout" setting
 * the three timeouts, values taken as they are by swirl_client_set, and
 * swirl_client_is_framed. */
#include <math.h>
#include <string.h>
#include <swirl/swirl.h>

#include "client/settings.h"
#include "server/settings.h"
#include "testutil.h"

static client_settings_t S;

static void fresh(void) {
    swirl__client_settings_init(&S);
    swirl_clear_error();
}
static void done(void) { swirl__client_settings_destroy(&S); }

TestSuite(client_settings, .init = fresh, .fini = done, .timeout = 5);

static int set(const char *key, swirl_value_t v) {
    return swirl__client_settings_apply(&S, key, v);
}
static int set_text(const char *key, const char *text) {
    return swirl__client_settings_apply_text(&S, key, text);
}

#define FAILS(call, msg)                                                                           \
    do {                                                                                           \
        client_settings_t s0_ = S;                                                                 \
        cr_assert_eq((call), SWIRL_ESETTING, "%s", #call);                                         \
        cr_assert(memcmp(&S, &s0_, sizeof(S)) == 0, "%s changed the settings", #call);             \
        cr_assert_str_eq(swirl_last_error_msg(), (msg));                                           \
    } while (0)

Test(client_settings, defaults) {
    cr_assert(!S.open_eof_check && !S.open_eof_split && !S.open_length_check);
    cr_assert_eq(S.package_eof_len, 2);
    cr_assert(memcmp(S.package_eof, "\r\n", 2) == 0);
    cr_assert_eq(S.package_length_type, 'N');
    cr_assert_eq(S.package_max_length, SWIRL_PACKAGE_MAX_LENGTH_DEFAULT);
    cr_assert_eq(S.socket_buffer_size, 0);
    cr_assert(S.ssl_verify_peer);
    cr_assert(!S.ssl_allow_self_signed);
    cr_assert(isnan(S.connect_timeout) && isnan(S.read_timeout) && isnan(S.write_timeout));
    cr_assert_null(S.bind_address);
    cr_assert_null(S.ssl_cafile);
}

Test(client_settings, framing_defaults_match_the_server_ports) {
    swirl__port_settings_t p;
    swirl__port_settings_init(&p);
    cr_assert(memcmp(&p.framing, &S.framing, sizeof(S.framing)) == 0);
}

Test(client_settings, refused_values_name_key_and_value) {
    FAILS(set("open_eof_chekc", swirl_value_int(1)),
          "unknown client setting \"open_eof_chekc\" (did you mean \"open_eof_check\"?)");
    FAILS(set("open_eof_check", swirl_value_int(2)), "open_eof_check: expected a bool, got 2");
    FAILS(set_text("open_tcp_nodelay", "maybe"),
          "open_tcp_nodelay: expected a bool, got \"maybe\"");
    FAILS(set("package_max_length", swirl_value_bool(true)),
          "package_max_length: expected a byte count 1..1073741824 (K, M or G suffix allowed), "
          "got the bool true");
    FAILS(set("bind_port", swirl_value_int(70000)),
          "bind_port: expected an integer 0..65535, got 70000");
    FAILS(set_text("package_length_type", "X"),
          "package_length_type: expected one of c C s S n N l L v V, got \"X\"");
    FAILS(set_text("package_eof", "123456789"),
          "package_eof: expected a string of 1..8 bytes, got 9 bytes");
    FAILS(set("package_eof", swirl_value_string("")),
          "package_eof: expected a string of 1..8 bytes, got 0 bytes");
    FAILS(set("timeout", swirl_value_float(NAN)),
          "timeout: expected seconds as a number (negative: no limit), got nan");
    FAILS(set_text("timeout", "soon"),
          "timeout: expected seconds as a number (negative: no limit), got \"soon\"");
    FAILS(set("ssl_cafile", swirl_value_int(3)),
          "ssl_cafile: expected a string of 1..4095 bytes, got the integer 3");
    FAILS(set("ssl_cafile", ((swirl_value_t){SWIRL_VALUE_STRING, {.s = "a\0b"}, 3})),
          "setting `ssl_cafile`: a string with a NUL byte is not a valid value");
    FAILS(set("socket_buffer_size", swirl_value_string("3X")),
          "socket_buffer_size: expected a byte count 0..1073741824 (K, M or G suffix allowed), "
          "got \"3X\"");
    FAILS(set_text("package_eof", "\\q"),
          "package_eof: bad escape at byte 0 of \"\\\\q\" (known: \\r \\n \\t \\\\ \\0 \\xHH)");
}

Test(client_settings, timeout_sets_the_three) {
    cr_assert_eq(set("timeout", swirl_value_float(1.5)), 0);
    cr_assert_eq(S.connect_timeout, 1.5);
    cr_assert_eq(S.read_timeout, 1.5);
    cr_assert_eq(S.write_timeout, 1.5);
    cr_assert_eq(set_text("read_timeout", "-1"), 0);
    cr_assert_eq(S.read_timeout, -1.0);
    cr_assert_eq(S.connect_timeout, 1.5);
}

Test(client_settings, values_are_taken_as_they_are) {
    cr_assert_eq(set("package_eof", ((swirl_value_t){SWIRL_VALUE_STRING, {.s = "\\0\0"}, 3})), 0);
    cr_assert_eq(S.package_eof_len, 3);
    cr_assert(memcmp(S.package_eof, "\\0\0", 3) == 0);
    cr_assert_eq(set_text("package_eof", "\\r\\n\\r\\n"), 0);
    cr_assert_eq(S.package_eof_len, 4);
    cr_assert_eq(set("package_max_length", swirl_value_string("64K")), 0);
    cr_assert_eq(S.package_max_length, 64 * 1024);
    cr_assert_eq(set("open_eof_check", swirl_value_string("yes")), 0);
    cr_assert(S.open_eof_check);
    cr_assert_eq(set("bind_address", swirl_value_string("127.0.0.1")), 0);
    cr_assert_eq(set("bind_address", swirl_value_string("::1")), 0);
    cr_assert_str_eq(S.bind_address, "::1");
}

Test(client_settings, is_framed_follows_the_framing_keys) {
    swirl_client_t *c, *u;
    cr_assert_eq(swirl_client_new(&c, SWIRL_SOCK_TCP, false, NULL), 0);
    cr_assert_eq(swirl_client_new(&u, SWIRL_SOCK_UDP, false, NULL), 0);
    cr_assert(!swirl_client_is_framed(c));
    static const char *const keys[] = {"open_eof_check", "open_eof_split", "open_length_check"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        cr_assert_eq(swirl_client_set(c, keys[i], swirl_value_string("on")), 0);
        cr_assert(swirl_client_is_framed(c), "%s", keys[i]);
        cr_assert_eq(swirl_client_set_bool(c, keys[i], false), 0);
        cr_assert(!swirl_client_is_framed(c), "%s", keys[i]);
        /* a datagram client delivers datagrams whatever the settings */
        cr_assert_eq(swirl_client_set_int(u, keys[i], 1), 0);
        cr_assert(!swirl_client_is_framed(u), "%s", keys[i]);
    }
    cr_assert_eq(swirl_client_set(c, "open_eof_chek", swirl_value_bool(true)), SWIRL_ESETTING);
    cr_assert(strstr(swirl_client_errmsg(c), "did you mean \"open_eof_check\""), "%s",
              swirl_client_errmsg(c));
    cr_assert(!swirl_client_is_framed(NULL));
    swirl_client_free(c);
    swirl_client_free(u);
}
