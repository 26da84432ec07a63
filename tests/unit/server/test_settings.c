/* tests/unit/server/test_settings.c — the settings table: defaults, every
 * key's accepted and refused values, messages, aliases, suggestions for
 * misspelt keys, scopes, the text form, and that a failed set changes
 * nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "server/settings.h"
#include "testutil.h"

static swirl__server_settings_t S;
static swirl__port_settings_t P;

static void fresh(void) {
    swirl__server_settings_init(&S);
    swirl__port_settings_init(&P);
    swirl_clear_error();
}

static int set(const char *key, swirl_value_t v) { return swirl__settings_apply(&S, &P, key, v); }
static int set_text(const char *key, const char *text) {
    return swirl__settings_apply_text(&S, &P, key, text);
}

/* A failed call: SWIRL_ESETTING, the struct bytes untouched, and a message
 * holding each of the NULL-terminated needles. */
static void check_failed(int rc, const swirl__server_settings_t *s0,
                         const swirl__port_settings_t *p0, const char *what, ...) {
    cr_assert_eq(rc, SWIRL_ESETTING, "%s: rc %d", what, rc);
    cr_assert_eq(swirl_last_error(), SWIRL_ESETTING, "%s", what);
    cr_assert(memcmp(&S, s0, sizeof(S)) == 0, "%s: server settings changed", what);
    cr_assert(memcmp(&P, p0, sizeof(P)) == 0, "%s: port settings changed", what);
    const char *msg = swirl_last_error_msg();
    va_list ap;
    va_start(ap, what);
    for (const char *n; (n = va_arg(ap, const char *)) != NULL;)
        cr_assert(strstr(msg, n), "%s: message \"%s\" lacks \"%s\"", what, msg, n);
    va_end(ap);
}

#define FAILS(call, ...)                                                                           \
    do {                                                                                           \
        swirl__server_settings_t s0_ = S;                                                          \
        swirl__port_settings_t p0_ = P;                                                            \
        check_failed((call), &s0_, &p0_, #call, __VA_ARGS__, (const char *)NULL);                  \
    } while (0)

#define MSG_IS(expect) cr_assert_str_eq(swirl_last_error_msg(), (expect))

/* Keys whose default is found at start (the struct holds 0 / ""). */
static const char *const computed[] = {"reactor_num", "worker_num", "max_conn",
                                       "heartbeat_idle_time", "log_file", "pid_file",
                                       "user", "group", "chroot", "document_root",
                                       "ssl_cert_file", "ssl_key_file", "ssl_ciphers",
                                       "ssl_client_cert_file", "max_request_grace"};

static bool is_computed(const char *name) {
    for (size_t i = 0; i < sizeof(computed) / sizeof(computed[0]); i++)
        if (strcmp(computed[i], name) == 0)
            return true;
    return false;
}

/* ---- the table ----------------------------------------------------------------------------- */

Test(settings, list_entries_complete, .timeout = 5) {
    size_t n = 0;
    const swirl_setting_info_t *list = swirl_settings_list(&n);
    cr_assert_not_null(list);
    cr_assert_eq(n, 73); /* 71, and open_http_protocol, open_websocket_protocol */
    for (size_t i = 0; i < n; i++) {
        const swirl_setting_info_t *e = &list[i];
        cr_assert(e->name && *e->name, "entry %zu has no name", i);
        cr_assert(e->doc && *e->doc, "%s has no doc", e->name);
        cr_assert(e->default_text && *e->default_text, "%s has no default", e->name);
        cr_assert(e->type >= SWIRL_VALUE_INT && e->type <= SWIRL_VALUE_STRING, "%s", e->name);
        unsigned scope = e->scope & ~(unsigned)SWIRL_SETTING_BYTES;
        cr_assert(scope == SWIRL_SETTING_SERVER || scope == SWIRL_SETTING_PORT, "%s", e->name);
        if (e->scope & SWIRL_SETTING_BYTES)
            cr_assert_eq(e->type, SWIRL_VALUE_INT, "%s: a byte count is an integer", e->name);
        cr_assert_leq(e->min, e->max, "%s", e->name);
        for (const char *c = e->name; *c; c++)
            cr_assert((*c >= 'a' && *c <= 'z') || *c == '_', "%s: not lower-case", e->name);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(list[j].name, e->name, "duplicate key");
        cr_assert_eq(swirl_setting_find(e->name), e, "%s", e->name);
    }
    cr_assert_eq(swirl_settings_list(NULL), list);
}

Test(settings, find, .timeout = 5) {
    const swirl_setting_info_t *w = swirl_setting_find("worker_num");
    cr_assert_not_null(w);
    cr_assert_str_eq(w->name, "worker_num");
    cr_assert_eq(w->type, SWIRL_VALUE_INT);
    cr_assert_eq(w->min, 1);
    cr_assert_eq(w->max, 1024);
    cr_assert_eq(w->scope, SWIRL_SETTING_SERVER);
    cr_assert_str_eq(w->default_text, "CPU count");

    const swirl_setting_info_t *eof = swirl_setting_find("package_eof");
    cr_assert_not_null(eof);
    cr_assert_eq(eof->type, SWIRL_VALUE_STRING);
    cr_assert_eq(eof->scope, SWIRL_SETTING_PORT);

    cr_assert_eq(swirl_setting_find("max_connection"), swirl_setting_find("max_conn"));
    cr_assert_null(swirl_setting_find("Worker_num"), "lookup is case-sensitive");
    cr_assert_null(swirl_setting_find("worker_nun"));
    cr_assert_null(swirl_setting_find(""));
    cr_assert_null(swirl_setting_find(NULL));
}

Test(settings, value_string, .timeout = 5) {
    swirl_value_t v = swirl_value_string("abc");
    cr_assert_eq(v.type, SWIRL_VALUE_STRING);
    cr_assert_eq(v.len, 3);
    cr_assert_str_eq(v.u.s, "abc");
    v = swirl_value_string("");
    cr_assert_eq(v.len, 0);
    v = swirl_value_string(NULL);
    cr_assert_eq(v.type, SWIRL_VALUE_STRING);
    cr_assert_eq(v.len, 0);
    cr_assert_not_null(v.u.s);
}

/* ---- defaults ------------------------------------------------------------------------------ */

/* Applying a key's default_text to freshly initialised structs changes no
 * byte: so init and the table agree, key by key. */
Test(settings, defaults_match_table, .timeout = 5) {
    size_t n, ncomputed = 0;
    const swirl_setting_info_t *list = swirl_settings_list(&n);
    for (size_t i = 0; i < n; i++) {
        fresh();
        if (is_computed(list[i].name)) {
            ncomputed++;
            continue;
        }
        swirl__server_settings_t s0 = S;
        swirl__port_settings_t p0 = P;
        cr_assert_eq(set_text(list[i].name, list[i].default_text), 0, "%s = \"%s\": %s",
                     list[i].name, list[i].default_text, swirl_last_error_msg());
        cr_assert(memcmp(&S, &s0, sizeof(S)) == 0, "%s: server default differs", list[i].name);
        P.set_mask = p0.set_mask; /* now marked as set, which is the point of set_mask */
        cr_assert(memcmp(&P, &p0, sizeof(P)) == 0, "%s: port default differs", list[i].name);
    }
    cr_assert_eq(ncomputed, sizeof(computed) / sizeof(computed[0]));
}

Test(settings, default_values, .timeout = 5) {
    fresh();
    cr_assert_eq(S.reactor_num, 0);
    cr_assert_eq(S.worker_num, 0);
    cr_assert_eq(S.max_request, 0);
    cr_assert_eq(S.max_conn, 0);
    cr_assert_eq(S.dispatch_mode, 2);
    cr_assert_eq(S.heartbeat_check_interval, 0);
    cr_assert_eq(S.heartbeat_idle_time, 0);
    cr_assert_eq(S.send_timeout, 60.0);
    cr_assert_eq(S.max_idle_time, 0.0);
    cr_assert_eq(S.buffer_output_size, 2 * 1024 * 1024);
    cr_assert_eq(S.socket_buffer_size, 2 * 1024 * 1024);
    cr_assert_eq(S.enable_reuse_port, false);
    cr_assert_eq(S.open_cpu_affinity, false);
    cr_assert_eq(S.enable_coroutine, true);
    cr_assert_eq(S.log_level, SWIRL_LOG_INFO);
    cr_assert_str_eq(S.log_file, "");

    cr_assert_eq(P.open_eof_check, false);
    cr_assert_eq(P.open_eof_split, false);
    cr_assert_eq(P.package_eof_len, 2);
    cr_assert(memcmp(P.package_eof, "\r\n", 2) == 0);
    cr_assert_eq(P.open_length_check, false);
    cr_assert_eq(P.package_length_type, 'N');
    cr_assert_eq(P.package_length_offset, 0);
    cr_assert_eq(P.package_body_offset, 0);
    cr_assert_eq(P.package_max_length, 2 * 1024 * 1024);
    cr_assert_eq(P.open_tcp_nodelay, false);
    cr_assert_eq(P.tcp_defer_accept, 0);
    cr_assert_eq(P.tcp_fastopen, false);
    cr_assert_eq(P.backlog, 512);
}

/* ---- every key, from the table ------------------------------------------------------------ */

Test(settings, every_key_accepts_its_type, .timeout = 5) {
    size_t n;
    const swirl_setting_info_t *list = swirl_settings_list(&n);
    for (size_t i = 0; i < n; i++) {
        const swirl_setting_info_t *e = &list[i];
        fresh();
        switch (e->type) {
        case SWIRL_VALUE_INT:
        case SWIRL_VALUE_FLOAT:
            cr_assert_eq(set(e->name, swirl_value_int(e->min)), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set(e->name, swirl_value_int(e->max)), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set(e->name, swirl_value_float((double)e->min)), 0, "%s",
                         swirl_last_error_msg());
            {
                char txt[32];
                snprintf(txt, sizeof(txt), "%lld", (long long)e->min);
                cr_assert_eq(set(e->name, swirl_value_string(txt)), 0, "%s",
                             swirl_last_error_msg());
                cr_assert_eq(set_text(e->name, txt), 0, "%s", swirl_last_error_msg());
            }
            break;
        case SWIRL_VALUE_BOOL:
            cr_assert_eq(set(e->name, swirl_value_bool(true)), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set(e->name, swirl_value_bool(false)), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set(e->name, swirl_value_int(1)), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set(e->name, swirl_value_string("on")), 0, "%s", swirl_last_error_msg());
            cr_assert_eq(set_text(e->name, "no"), 0, "%s", swirl_last_error_msg());
            break;
        case SWIRL_VALUE_STRING:
            /* "N" suits every string key: an EOF, a length type, a file name. */
            cr_assert_eq(set(e->name, swirl_value_string("N")), 0, "%s: %s", e->name,
                         swirl_last_error_msg());
            cr_assert_eq(set_text(e->name, "N"), 0, "%s: %s", e->name, swirl_last_error_msg());
            break;
        }
    }
}

Test(settings, every_key_rejects_wrong_type, .timeout = 5) {
    size_t n;
    const swirl_setting_info_t *list = swirl_settings_list(&n);
    for (size_t i = 0; i < n; i++) {
        const char *k = list[i].name;
        fresh();
        switch (list[i].type) {
        case SWIRL_VALUE_INT:
            FAILS(set(k, swirl_value_bool(true)), k, "got true");
            FAILS(set(k, swirl_value_string("abc")), k, "got \"abc\"");
            FAILS(set(k, swirl_value_float(1.5)), k, "got 1.5");
            FAILS(set(k, swirl_value_string("")), k, "got \"\"");
            FAILS(set(k, swirl_value_string("0x10")), k, "got \"0x10\"");
            FAILS(set(k, swirl_value_string("1 ")), k, "got \"1 \"");
            FAILS(set_text(k, "abc"), k, "got \"abc\"");
            break;
        case SWIRL_VALUE_FLOAT:
            FAILS(set(k, swirl_value_bool(true)), k, "got true");
            FAILS(set(k, swirl_value_string("abc")), k, "got \"abc\"");
            break;
        case SWIRL_VALUE_BOOL:
            FAILS(set(k, swirl_value_float(0.5)), k, "got 0.5");
            FAILS(set(k, swirl_value_string("maybe")), k, "got \"maybe\"");
            FAILS(set(k, swirl_value_string("")), k, "got \"\"");
            FAILS(set_text(k, "2"), k, "got \"2\"");
            break;
        case SWIRL_VALUE_STRING:
            FAILS(set(k, swirl_value_int(12345)), k, "got 12345");
            FAILS(set(k, swirl_value_bool(false)), k, "got false");
            FAILS(set(k, swirl_value_float(2.5)), k, "got 2.5");
            break;
        }
    }
}

Test(settings, every_key_rejects_out_of_range, .timeout = 5) {
    size_t n;
    const swirl_setting_info_t *list = swirl_settings_list(&n);
    for (size_t i = 0; i < n; i++) {
        const swirl_setting_info_t *e = &list[i];
        const char *k = e->name;
        char got[64];
        fresh();
        switch (e->type) {
        case SWIRL_VALUE_INT:
        case SWIRL_VALUE_FLOAT:
            snprintf(got, sizeof(got), "got %lld", (long long)e->min - 1);
            FAILS(set(k, swirl_value_int(e->min - 1)), k, got);
            snprintf(got, sizeof(got), "got \"%lld\"", (long long)e->min - 1);
            {
                char txt[32];
                snprintf(txt, sizeof(txt), "%lld", (long long)e->min - 1);
                FAILS(set_text(k, txt), k, got);
            }
            if (e->max < INT64_MAX) {
                snprintf(got, sizeof(got), "got %lld", (long long)e->max + 1);
                FAILS(set(k, swirl_value_int(e->max + 1)), k, got);
            } else {
                FAILS(set_text(k, "9223372036854775808"), k, "9223372036854775808");
                FAILS(set(k, swirl_value_float(1e19)), k, "got 1e+19");
            }
            break;
        case SWIRL_VALUE_STRING: {
            size_t len = (size_t)e->max + 1;
            char *s = malloc(len + 1);
            memset(s, 'N', len);
            s[len] = '\0';
            snprintf(got, sizeof(got), "%zu", len);
            FAILS(set(k, swirl_value_string(s)), k, (e->max > 1 ? got : "\"NN\""));
            free(s);
            if (e->min > 0)
                FAILS(set(k, swirl_value_string("")), k, (e->max > 1 ? "got 0" : "got \"\""));
            break;
        }
        default:
            break;
        }
    }
}

/* ---- messages ------------------------------------------------------------------------------ */

Test(settings, messages, .timeout = 5) {
    fresh();
    cr_assert_eq(set("worker_num", swirl_value_string("abc")), SWIRL_ESETTING);
    MSG_IS("worker_num: expected an integer 1..1024, got \"abc\"");
    cr_assert_eq(set("worker_num", swirl_value_int(0)), SWIRL_ESETTING);
    MSG_IS("worker_num: expected an integer 1..1024, got 0");
    cr_assert_eq(set("dispatch_mode", swirl_value_int(9)), SWIRL_ESETTING);
    MSG_IS("dispatch_mode: expected an integer 1..5, got 9");
    cr_assert_eq(set("package_eof", swirl_value_string("")), SWIRL_ESETTING);
    MSG_IS("package_eof: expected 1..8 bytes, got 0 (\"\")");
    cr_assert_eq(set("package_length_type", swirl_value_string("x")), SWIRL_ESETTING);
    MSG_IS("package_length_type: expected one of c C s S n N l L v V, got \"x\"");
    cr_assert_eq(set("max_request", swirl_value_int(-1)), SWIRL_ESETTING);
    MSG_IS("max_request: expected an integer >= 0, got -1");
    cr_assert_eq(set_text("send_timeout", "-0.5"), SWIRL_ESETTING);
    MSG_IS("send_timeout: expected a number 0..86400, got \"-0.5\"");
    cr_assert_eq(set_text("max_idle_time", "soon"), SWIRL_ESETTING);
    MSG_IS("max_idle_time: expected a number 0..86400, got \"soon\"");
    cr_assert_eq(set("open_tcp_nodelay", swirl_value_string("maybe")), SWIRL_ESETTING);
    MSG_IS("open_tcp_nodelay: expected a bool (true/false, on/off, yes/no, 1/0), got \"maybe\"");
    /* Unprintable bytes are escaped, long values cut short. */
    cr_assert_eq(set("backlog", swirl_value_string("a\r\n\x01")), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "got \"a\\r\\n\\x01\""), "%s", swirl_last_error_msg());
    char lng[300];
    memset(lng, '7', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    cr_assert_eq(set("package_eof", swirl_value_string(lng)), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "got 299 (\"777"), "%s", swirl_last_error_msg());
    cr_assert(strstr(swirl_last_error_msg(), "...\")"), "%s", swirl_last_error_msg());
}

/* ---- conversions --------------------------------------------------------------------------- */

Test(settings, int_conversions, .timeout = 5) {
    fresh();
    cr_assert_eq(set("worker_num", swirl_value_int(4)), 0);
    cr_assert_eq(S.worker_num, 4);
    cr_assert_eq(set("worker_num", swirl_value_float(8.0)), 0);
    cr_assert_eq(S.worker_num, 8);
    cr_assert_eq(set("worker_num", swirl_value_string("16")), 0);
    cr_assert_eq(S.worker_num, 16);
    cr_assert_eq(set("worker_num", swirl_value_string("+3")), 0);
    cr_assert_eq(S.worker_num, 3);
    FAILS(set("worker_num", swirl_value_float(4.5)), "worker_num", "got 4.5");
    FAILS(set("worker_num", swirl_value_bool(true)), "worker_num", "got true");
    /* Suffixes only for byte counts. */
    FAILS(set("worker_num", swirl_value_string("2K")), "worker_num", "\"2K\"");
    cr_assert_eq(set("package_max_length", swirl_value_string("64K")), 0);
    cr_assert_eq(P.package_max_length, 64 * 1024);
    /* A counted string need not be NUL-terminated; one holding a NUL is no number. */
    swirl_value_t v = {SWIRL_VALUE_STRING, {.s = "123456"}, 2};
    cr_assert_eq(set("backlog", v), 0);
    cr_assert_eq(P.backlog, 12);
    swirl_value_t z = {SWIRL_VALUE_STRING, {.s = "1\0002"}, 3};
    FAILS(set("backlog", z), "backlog", "\"1\\02\"");
    swirl_value_t nul = {SWIRL_VALUE_STRING, {.s = NULL}, 3};
    FAILS(set("backlog", nul), "backlog", "NULL");
    swirl_value_t odd = {(swirl_value_type_t)99, {.i = 0}, 0};
    FAILS(set("backlog", odd), "backlog", "unknown type");
    FAILS(set("worker_num", swirl_value_float(1.0 / 0.0)), "worker_num", "inf");
    FAILS(set("worker_num", swirl_value_float(0.0 / 0.0)), "worker_num", "nan");
}

Test(settings, bool_conversions, .timeout = 5) {
    fresh();
    cr_assert_eq(set("open_tcp_nodelay", swirl_value_int(2)), 0);
    cr_assert_eq(P.open_tcp_nodelay, true);
    cr_assert_eq(set("open_tcp_nodelay", swirl_value_int(0)), 0);
    cr_assert_eq(P.open_tcp_nodelay, false);
    static const char *const yes[] = {"true", "on", "yes", "1", "TRUE", "On", "YES"};
    static const char *const no[] = {"false", "off", "no", "0", "False", "OFF", "No"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        cr_assert_eq(set_text("enable_reuse_port", yes[i]), 0, "%s", yes[i]);
        cr_assert_eq(S.enable_reuse_port, true, "%s", yes[i]);
        cr_assert_eq(set("enable_reuse_port", swirl_value_string(no[i])), 0, "%s", no[i]);
        cr_assert_eq(S.enable_reuse_port, false, "%s", no[i]);
    }
    FAILS(set_text("enable_reuse_port", "yess"), "enable_reuse_port", "\"yess\"");
}

Test(settings, string_values, .timeout = 5) {
    fresh();
    cr_assert_eq(set("package_eof", swirl_value_string("\n")), 0);
    cr_assert_eq(P.package_eof_len, 1);
    cr_assert_eq(P.package_eof[0], '\n');
    cr_assert_eq(P.package_eof[1], '\0', "old bytes cleared");
    /* Binary EOFs: embedded NULs, all 8 bytes. */
    swirl_value_t v = {SWIRL_VALUE_STRING, {.s = "\0\1\2\3\4\5\6\7"}, 8};
    cr_assert_eq(set("package_eof", v), 0);
    cr_assert_eq(P.package_eof_len, 8);
    cr_assert(memcmp(P.package_eof, "\0\1\2\3\4\5\6\7", 8) == 0);

    for (const char *t = "cCsSnNlLvV"; *t; t++) {
        char s[2] = {*t, 0};
        cr_assert_eq(set("package_length_type", swirl_value_string(s)), 0, "%s", s);
        cr_assert_eq(P.package_length_type, *t);
    }
    FAILS(set("package_length_type", swirl_value_string("")), "package_length_type", "\"\"");
    FAILS(set("package_length_type", swirl_value_string("q")), "package_length_type", "\"q\"");
    swirl_value_t nul = {SWIRL_VALUE_STRING, {.s = ""}, 1};
    FAILS(set("package_length_type", nul), "package_length_type", "\"\\0\"");

    cr_assert_eq(set("log_file", swirl_value_string("/tmp/swirl.log")), 0);
    cr_assert_str_eq(S.log_file, "/tmp/swirl.log");
    cr_assert_eq(set("log_file", swirl_value_string("/x")), 0);
    cr_assert_str_eq(S.log_file, "/x");
    cr_assert_eq(S.log_file[3], '\0', "rest of the old path cleared");
    cr_assert_eq(set("log_file", swirl_value_string("")), 0);
    cr_assert_str_eq(S.log_file, "");
    swirl_value_t pn = {SWIRL_VALUE_STRING, {.s = "a\0b"}, 3};
    FAILS(set("log_file", pn), "log_file", "NUL", "\"a\\0b\"");
    char longpath[4097];
    memset(longpath, 'p', 4095);
    longpath[4095] = '\0';
    cr_assert_eq(set("log_file", swirl_value_string(longpath)), 0);
    cr_assert_eq(strlen(S.log_file), 4095);
    longpath[4095] = 'p';
    longpath[4096] = '\0';
    FAILS(set("log_file", swirl_value_string(longpath)), "log_file", "0..4095", "4096");
}

Test(settings, log_level, .timeout = 5) {
    fresh();
    cr_assert_eq(set("log_level", swirl_value_int(0)), 0);
    cr_assert_eq(S.log_level, SWIRL_LOG_DEBUG);
    cr_assert_eq(set_text("log_level", "warning"), 0);
    cr_assert_eq(S.log_level, SWIRL_LOG_WARNING);
    cr_assert_eq(set("log_level", swirl_value_string("error")), 0);
    cr_assert_eq(S.log_level, SWIRL_LOG_ERROR);
    cr_assert_eq(set_text("log_level", "debug"), 0);
    cr_assert_eq(S.log_level, SWIRL_LOG_DEBUG);
    cr_assert_eq(set_text("log_level", "6"), 0);
    cr_assert_eq(S.log_level, SWIRL_LOG_NONE);
    FAILS(set_text("log_level", "loud"), "log_level", "\"loud\"", "debug");
    FAILS(set("log_level", swirl_value_int(7)), "log_level", "got 7");
    cr_assert_eq(swirl_last_error(), SWIRL_ESETTING, "our code, not log_level_parse's");
}

/* ---- text form ----------------------------------------------------------------------------- */

Test(settings, text_ints_and_sizes, .timeout = 5) {
    fresh();
    cr_assert_eq(set_text("worker_num", "4"), 0);
    cr_assert_eq(S.worker_num, 4);
    cr_assert_eq(set_text("buffer_output_size", "2M"), 0);
    cr_assert_eq(S.buffer_output_size, 2 * 1024 * 1024);
    cr_assert_eq(set_text("socket_buffer_size", "512k"), 0);
    cr_assert_eq(S.socket_buffer_size, 512 * 1024);
    cr_assert_eq(set_text("package_max_length", "1G"), 0);
    cr_assert_eq(P.package_max_length, 1024 * 1024 * 1024);
    cr_assert_eq(set_text("package_max_length", "100"), 0);
    cr_assert_eq(P.package_max_length, 100);
    FAILS(set_text("package_max_length", "2G"), "package_max_length", "\"2G\"");
    FAILS(set_text("package_max_length", "2T"), "package_max_length", "\"2T\"");
    FAILS(set_text("package_max_length", "2MB"), "package_max_length", "\"2MB\"");
    FAILS(set_text("package_max_length", "M"), "package_max_length", "\"M\"");
    FAILS(set_text("package_max_length", "99999999999G"), "package_max_length", "99999999999G");
    FAILS(set_text("worker_num", "0x10"), "worker_num", "\"0x10\"");
    FAILS(set_text("worker_num", "4M"), "worker_num", "\"4M\"");
    FAILS(set_text("worker_num", "-"), "worker_num", "\"-\"");
    FAILS(set_text("max_request", "99999999999999999999"), "max_request", "99999999999999999999");
    cr_assert_eq(set_text("max_request", "9223372036854775807"), 0);
    cr_assert_eq(S.max_request, INT64_MAX);
    FAILS(set_text("worker_num", NULL), "worker_num", "no value");
}

Test(settings, text_escapes, .timeout = 5) {
    fresh();
    cr_assert_eq(set_text("package_eof", "\\r\\n\\r\\n"), 0);
    cr_assert_eq(P.package_eof_len, 4);
    cr_assert(memcmp(P.package_eof, "\r\n\r\n", 4) == 0);
    cr_assert_eq(set_text("package_eof", "\\x00\\xfF\\t\\\\"), 0);
    cr_assert_eq(P.package_eof_len, 4);
    cr_assert(memcmp(P.package_eof, "\0\xff\t\\", 4) == 0);
    cr_assert_eq(set_text("package_eof", "\\0END"), 0);
    cr_assert_eq(P.package_eof_len, 4);
    cr_assert(memcmp(P.package_eof, "\0END", 4) == 0);
    FAILS(set_text("package_eof", "\\q"), "package_eof", "escape", "\"\\\\q\"");
    FAILS(set_text("package_eof", "\\x4"), "package_eof", "escape");
    FAILS(set_text("package_eof", "\\xZZ"), "package_eof", "escape");
    FAILS(set_text("package_eof", "ab\\"), "package_eof", "escape at byte 2");
    FAILS(set_text("package_eof", ""), "package_eof", "got 0");
    FAILS(set_text("package_eof", "\\r\\n\\r\\n\\r\\n\\r\\n\\r"), "package_eof", "got 9");
    /* A long text goes through the heap path and still fails cleanly. */
    char big[400];
    for (size_t i = 0; i + 4 < sizeof(big); i += 4)
        memcpy(big + i, "\\x41", 4);
    big[396] = '\0';
    FAILS(set_text("package_eof", big), "package_eof", "got 99");
    /* Other string keys take text as is. */
    cr_assert_eq(set_text("log_file", "/tmp/a\\n"), 0);
    cr_assert_str_eq(S.log_file, "/tmp/a\\n");
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* Swoole's keys of issue 19: output_buffer_size is buffer_output_size;
 * max_request_grace not set is -1 (computed at a worker's start); the
 * kernel buffer keys are per port, past the 64th row (set_mask counts the
 * port rows only); byte counts say so. */
Test(settings, swoole_keys_of_issue_19, .timeout = 5) {
    fresh();
    cr_assert_eq(S.max_request_grace, -1);
    cr_assert_eq(set("output_buffer_size", swirl_value_int(4096)), 0);
    cr_assert_eq(S.buffer_output_size, 4096);
    cr_assert_eq(set_text("max_request_grace", "0"), 0);
    cr_assert_eq(S.max_request_grace, 0);
    cr_assert_eq(set_text("max_queued_bytes", "1M"), 0);
    cr_assert_eq(S.max_queued_bytes, 1024 * 1024);
    cr_assert_eq(set_text("message_queue_key", "4242"), 0);
    cr_assert_eq(S.message_queue_key, 4242);
    cr_assert_eq(set_text("single_thread", "true"), 0);
    cr_assert(S.single_thread);
    cr_assert_eq(set_text("send_yield", "true"), 0);
    cr_assert(S.send_yield);
    cr_assert_eq(S.socket_send_timeout, 0); /* the default: a finish never waits */
    cr_assert_eq(set_text("socket_send_timeout", "0.5"), 0);
    cr_assert_eq(S.socket_send_timeout, 0.5);
    FAILS(set("socket_send_timeout", swirl_value_float(-1)), "socket_send_timeout");
    FAILS(set("max_queued_bytes", swirl_value_int(-1)), "max_queued_bytes");
    cr_assert_eq(set_text("kernel_socket_send_buffer_size", "64K"), 0);
    cr_assert_eq(P.kernel_socket_send_buffer_size, 65536);
    cr_assert_eq(set_text("kernel_socket_recv_buffer_size", "128K"), 0);
    cr_assert_eq(P.kernel_socket_recv_buffer_size, 131072);
    swirl__port_settings_t own, out;
    swirl__port_settings_init(&own);
    cr_assert_eq(swirl__settings_apply_text(NULL, &own, "kernel_socket_send_buffer_size", "8K"), 0);
    swirl__port_settings_merge(&out, &P, &own);
    cr_assert_eq(out.kernel_socket_send_buffer_size, 8192, "the port's own value");
    cr_assert_eq(out.kernel_socket_recv_buffer_size, 131072, "the server's, inherited");
    cr_assert(swirl_setting_find("max_queued_bytes")->scope & SWIRL_SETTING_BYTES);
    cr_assert(swirl_setting_find("kernel_socket_send_buffer_size")->scope & SWIRL_SETTING_BYTES);
    cr_assert_not(swirl_setting_find("worker_num")->scope & SWIRL_SETTING_BYTES);
}

Test(settings, alias_max_connection, .timeout = 5) {
    fresh();
    cr_assert_eq(set("max_connection", swirl_value_int(1000)), 0);
    cr_assert_eq(S.max_conn, 1000);
    cr_assert_eq(set_text("max_connection", "2000"), 0);
    cr_assert_eq(S.max_conn, 2000);
    cr_assert_eq(set("max_conn", swirl_value_int(3000)), 0);
    cr_assert_eq(S.max_conn, 3000);
    FAILS(set("max_connection", swirl_value_int(0)), "max_conn", "got 0");
}

Test(settings, did_you_mean, .timeout = 5) {
    fresh();
    FAILS(set("worker_nun", swirl_value_int(4)), "worker_nun");
    MSG_IS("unknown setting \"worker_nun\" (did you mean \"worker_num\"?)");
    FAILS(set("dispatchmode", swirl_value_int(1)), "dispatchmode");
    MSG_IS("unknown setting \"dispatchmode\" (did you mean \"dispatch_mode\"?)");
    FAILS(set_text("heartbeat_check_intervl", "5"), "heartbeat_check_intervl");
    MSG_IS("unknown setting \"heartbeat_check_intervl\" (did you mean "
           "\"heartbeat_check_interval\"?)");
    FAILS(set("max_connections", swirl_value_int(4)), "max_connections");
    MSG_IS("unknown setting \"max_connections\" (did you mean \"max_connection\"?)");
    FAILS(set("Worker_Num", swirl_value_int(4)), "Worker_Num", "did you mean \"worker_num\"");
}

Test(settings, no_suggestion_when_nothing_close, .timeout = 5) {
    fresh();
    FAILS(set("zzzz", swirl_value_int(4)), "zzzz");
    MSG_IS("unknown setting \"zzzz\"");
    FAILS(set("", swirl_value_int(4)), "unknown setting \"\"");
    MSG_IS("unknown setting \"\"");
    FAILS(set(NULL, swirl_value_int(4)), "NULL");
    FAILS(set_text(NULL, "4"), "NULL");
    char huge[2000];
    memset(huge, 'w', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    FAILS(set(huge, swirl_value_int(4)), "unknown setting \"www", "...\"");
}

Test(settings, scopes, .timeout = 5) {
    fresh();
    swirl__server_settings_t s0 = S;
    swirl__port_settings_t p0 = P;
    /* A port's own settings: server-wide keys refused. */
    cr_assert_eq(swirl__settings_apply(NULL, &P, "worker_num", swirl_value_int(4)), SWIRL_ESETTING);
    MSG_IS("worker_num: not a per-port setting (it applies to the whole server)");
    cr_assert_eq(swirl__settings_apply_text(NULL, &P, "log_file", "/tmp/x"), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "log_file: not a per-port setting"));
    /* No port: per-port keys refused. */
    cr_assert_eq(swirl__settings_apply(&S, NULL, "package_eof", swirl_value_string("\n")),
                 SWIRL_ESETTING);
    MSG_IS("package_eof: a per-port setting, not accepted here");
    cr_assert(memcmp(&S, &s0, sizeof(S)) == 0);
    cr_assert(memcmp(&P, &p0, sizeof(P)) == 0);
    /* Each struct alone takes its own keys. */
    cr_assert_eq(swirl__settings_apply(NULL, &P, "backlog", swirl_value_int(64)), 0);
    cr_assert_eq(P.backlog, 64);
    cr_assert_eq(swirl__settings_apply_text(&S, NULL, "worker_num", "2"), 0);
    cr_assert_eq(S.worker_num, 2);
    /* Unknown keys are reported as such whatever the scope. */
    cr_assert_eq(swirl__settings_apply(NULL, NULL, "zzzz", swirl_value_int(1)), SWIRL_ESETTING);
    MSG_IS("unknown setting \"zzzz\"");
}

/* Each key, given a distinct value through the text form, lands in its own
 * field (and no other key's field moves). */
Test(settings, each_key_sets_its_field, .timeout = 5) {
    fresh();
    cr_assert_eq(set_text("reactor_num", "3"), 0);
    cr_assert_eq(set_text("worker_num", "5"), 0);
    cr_assert_eq(set_text("max_request", "7"), 0);
    cr_assert_eq(set_text("max_conn", "11"), 0);
    cr_assert_eq(set_text("dispatch_mode", "3"), 0);
    cr_assert_eq(set_text("heartbeat_check_interval", "13"), 0);
    cr_assert_eq(set_text("heartbeat_idle_time", "17"), 0);
    cr_assert_eq(set_text("send_timeout", "0.25"), 0);
    cr_assert_eq(set("max_idle_time", swirl_value_float(1.5)), 0);
    cr_assert_eq(set_text("buffer_output_size", "19"), 0);
    cr_assert_eq(set_text("socket_buffer_size", "23"), 0);
    cr_assert_eq(set_text("enable_reuse_port", "1"), 0);
    cr_assert_eq(set_text("open_cpu_affinity", "1"), 0);
    cr_assert_eq(set_text("enable_coroutine", "0"), 0);
    cr_assert_eq(set_text("log_level", "notice"), 0);
    cr_assert_eq(set_text("log_file", "/l"), 0);
    cr_assert_eq(set_text("open_eof_check", "1"), 0);
    cr_assert_eq(set_text("open_eof_split", "1"), 0);
    cr_assert_eq(set_text("package_eof", "|"), 0);
    cr_assert_eq(set_text("open_length_check", "1"), 0);
    cr_assert_eq(set_text("package_length_type", "v"), 0);
    cr_assert_eq(set_text("package_length_offset", "29"), 0);
    cr_assert_eq(set_text("package_body_offset", "31"), 0);
    cr_assert_eq(set_text("package_max_length", "37"), 0);
    cr_assert_eq(set_text("open_tcp_nodelay", "1"), 0);
    cr_assert_eq(set_text("tcp_defer_accept", "41"), 0);
    cr_assert_eq(set_text("tcp_fastopen", "1"), 0);
    cr_assert_eq(set_text("backlog", "43"), 0);
    cr_assert_eq(set_text("max_wait_time", "47"), 0);
    cr_assert_eq(set_text("pid_file", "/run/x.pid"), 0);
    cr_assert_eq(S.max_wait_time, 47);
    cr_assert_str_eq(S.pid_file, "/run/x.pid");

    cr_assert_eq(S.reactor_num, 3);
    cr_assert_eq(S.worker_num, 5);
    cr_assert_eq(S.max_request, 7);
    cr_assert_eq(S.max_conn, 11);
    cr_assert_eq(S.dispatch_mode, 3);
    cr_assert_eq(S.heartbeat_check_interval, 13);
    cr_assert_eq(S.heartbeat_idle_time, 17);
    cr_assert_eq(S.send_timeout, 0.25);
    cr_assert_eq(S.max_idle_time, 1.5);
    cr_assert_eq(S.buffer_output_size, 19);
    cr_assert_eq(S.socket_buffer_size, 23);
    cr_assert_eq(S.enable_reuse_port, true);
    cr_assert_eq(S.open_cpu_affinity, true);
    cr_assert_eq(S.enable_coroutine, false);
    cr_assert_eq(S.log_level, SWIRL_LOG_NOTICE);
    cr_assert_str_eq(S.log_file, "/l");
    cr_assert_eq(P.open_eof_check, true);
    cr_assert_eq(P.open_eof_split, true);
    cr_assert_eq(P.package_eof_len, 1);
    cr_assert_eq(P.package_eof[0], '|');
    cr_assert_eq(P.open_length_check, true);
    cr_assert_eq(P.package_length_type, 'v');
    cr_assert_eq(P.package_length_offset, 29);
    cr_assert_eq(P.package_body_offset, 31);
    cr_assert_eq(P.package_max_length, 37);
    cr_assert_eq(P.open_tcp_nodelay, true);
    cr_assert_eq(P.tcp_defer_accept, 41);
    cr_assert_eq(P.tcp_fastopen, true);
    cr_assert_eq(P.backlog, 43);
}

/* A port inherits each key it does not set itself from the server's
 * defaults, key by key. */
Test(settings, port_inherits_unset_keys, .timeout = 5) {
    fresh();
    cr_assert_eq(set_text("package_max_length", "1000"), 0);
    cr_assert_eq(set_text("package_length_type", "n"), 0);
    swirl__port_settings_t own, eff;
    swirl__port_settings_init(&own);
    cr_assert_eq(own.set_mask, 0);
    cr_assert_eq(swirl__settings_apply_text(NULL, &own, "open_length_check", "true"), 0);
    cr_assert_eq(swirl__settings_apply_text(NULL, &own, "package_length_type", "N"), 0);
    cr_assert_eq(swirl__settings_apply_text(NULL, &own, "package_eof", "||"), 0);
    /* a failed set marks nothing */
    cr_assert_eq(swirl__settings_apply_text(NULL, &own, "backlog", "-1"), SWIRL_ESETTING);
    swirl__port_settings_merge(&eff, &P, &own);
    cr_assert_eq(eff.open_length_check, true);
    cr_assert_eq(eff.package_length_type, 'N', "own value wins");
    cr_assert_eq(eff.package_max_length, 1000, "inherited from the server");
    cr_assert_eq(eff.backlog, P.backlog, "failed set: the server's value");
    cr_assert_eq(eff.package_eof_len, 2);
    cr_assert_eq(memcmp(eff.package_eof, "||", 2), 0);
}
