/* tests/unit/core/test_conf.c — the settings engine (core/conf.c) on a
 * table of its own: size suffixes, bools, C escapes, ranges, "did you
 * mean", the messages naming key and value in both dialects, owned
 * strings, defaults, and that a failed set changes nothing. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <swirl/swirl.h>

#include "core/conf.h"
#include "core/internal.h"
#include "testutil.h"

typedef struct demo {
    int64_t workers; /* 1..64, computed */
    int64_t buffer;  /* bytes 1..1 GiB, default 64K */
    int64_t level;   /* 0..6 or a level name */
    double wait;     /* seconds -10..10 */
    double ratio;    /* 0..1, default 0.5 */
    bool verbose;    /* default true */
    char dir[16];    /* a path of 0..15 bytes */
    char *name;      /* owned, 1..8 bytes */
    char eof[4];     /* 1..4 bytes, NULs allowed */
    size_t eof_len;
    char kind; /* one of abc, default 'b' */
} demo_t;

#define AT(f) offsetof(demo_t, f), sizeof(((demo_t *)0)->f)

static const swirl__conf_key_t keys[] = {
    {"workers", "worker_count", SWIRL__CONF_I64, SWIRL__CONF_COMPUTED, 1, 64, AT(workers), 0, NULL,
     "CPU count"},
    {"buffer", NULL, SWIRL__CONF_I64, SWIRL__CONF_BYTES, 1, INT64_C(1) << 30, AT(buffer), 0, NULL,
     "64K"},
    {"level", NULL, SWIRL__CONF_I64, SWIRL__CONF_LOGLEVEL, 0, 6, AT(level), 0, NULL, "2"},
    {"wait", NULL, SWIRL__CONF_F64, SWIRL__CONF_SECONDS, -10, 10, AT(wait), 0, NULL, NULL},
    {"ratio", NULL, SWIRL__CONF_F64, 0, 0, 1, AT(ratio), 0, NULL, "0.5"},
    {"verbose", NULL, SWIRL__CONF_BOOL, 0, 0, 1, AT(verbose), 0, NULL, "true"},
    {"dir", NULL, SWIRL__CONF_PATH, 0, 0, 15, AT(dir), 0, NULL, "/tmp"},
    {"name", NULL, SWIRL__CONF_STRDUP, 0, 1, 8, AT(name), 0, NULL, NULL},
    {"eof", NULL, SWIRL__CONF_BLOB, SWIRL__CONF_ESCAPES, 1, 4, AT(eof), offsetof(demo_t, eof_len),
     NULL, "\\r\\n"},
    {"kind", NULL, SWIRL__CONF_CHAR, 0, 1, 1, AT(kind), 0, "abc", "b"},
};

static const swirl__conf_table_t server_t = {"setting", keys, sizeof(keys) / sizeof(keys[0]),
                                             SWIRL__CONF_STYLE_SERVER};
static const swirl__conf_table_t client_t = {"client setting", keys, sizeof(keys) / sizeof(keys[0]),
                                             SWIRL__CONF_STYLE_CLIENT};

static demo_t D;

static void fresh(void) {
    memset(&D, 0, sizeof(D));
    swirl__conf_defaults(&server_t, &D);
    swirl_clear_error();
}

static void done(void) { swirl__conf_release(&server_t, &D); }

TestSuite(conf, .init = fresh, .fini = done, .timeout = 5);

static int set_in(const swirl__conf_table_t *t, const char *key, swirl_value_t v) {
    const swirl__conf_key_t *k = swirl__conf_find(t, key);
    cr_assert_not_null(k, "no key %s", key);
    return swirl__conf_set(t, k, &D, v);
}
static int set(const char *key, swirl_value_t v) { return set_in(&server_t, key, v); }
static int set_text(const char *key, const char *text) {
    return swirl__conf_set_text(&server_t, swirl__conf_find(&server_t, key), &D, text);
}
static swirl_value_t bytes(const char *s, size_t len) {
    return (swirl_value_t){SWIRL_VALUE_STRING, {.s = s}, len};
}

/* A failed set: SWIRL_ESETTING, D untouched, and exactly message `msg`. */
#define FAILS(call, msg)                                                                           \
    do {                                                                                           \
        demo_t d0_ = D;                                                                            \
        cr_assert_eq((call), SWIRL_ESETTING, "%s", #call);                                         \
        cr_assert(memcmp(&D, &d0_, sizeof(D)) == 0, "%s changed the struct", #call);               \
        cr_assert_str_eq(swirl_last_error_msg(), (msg));                                           \
    } while (0)

/* ---- defaults and lookup ----------------------------------------------------------------- */

Test(conf, defaults_are_applied_except_computed) {
    cr_assert_eq(D.workers, 0);
    cr_assert_eq(D.buffer, 64 * 1024);
    cr_assert_eq(D.level, 2);
    cr_assert_eq(D.ratio, 0.5);
    cr_assert(D.verbose);
    cr_assert_str_eq(D.dir, "/tmp");
    cr_assert_null(D.name);
    cr_assert_eq(D.eof_len, 2);
    cr_assert(memcmp(D.eof, "\r\n", 2) == 0);
    cr_assert_eq(D.kind, 'b');
}

Test(conf, find_by_name_and_alias) {
    cr_assert_eq(swirl__conf_find(&server_t, "workers"), &keys[0]);
    cr_assert_eq(swirl__conf_find(&server_t, "worker_count"), &keys[0]);
    cr_assert_null(swirl__conf_find(&server_t, "Workers"));
    cr_assert_null(swirl__conf_find(&server_t, NULL));
}

Test(conf, unknown_keys_suggest_the_nearest_name) {
    cr_assert_eq(swirl__conf_unknown(&server_t, "wrokers"), SWIRL_ESETTING);
    cr_assert_str_eq(swirl_last_error_msg(),
                     "unknown setting \"wrokers\" (did you mean \"workers\"?)");
    swirl__conf_unknown(&client_t, "worker_cuont");
    cr_assert_str_eq(swirl_last_error_msg(),
                     "unknown client setting \"worker_cuont\" (did you mean \"worker_count\"?)");
    swirl__conf_unknown(&server_t, "zzzzzzzzzzzz");
    cr_assert_str_eq(swirl_last_error_msg(), "unknown setting \"zzzzzzzzzzzz\"");
    swirl__conf_unknown(&server_t, "a\tb");
    cr_assert_str_eq(swirl_last_error_msg(), "unknown setting \"a\\tb\"");
    swirl__conf_unknown(&server_t, NULL);
    cr_assert_str_eq(swirl_last_error_msg(), "setting name is NULL");
}

/* ---- integers, sizes, ranges ------------------------------------------------------------- */

Test(conf, size_suffixes) {
    static const struct {
        const char *text;
        int64_t want;
    } ok[] = {
        {"2M", 2 << 20},          {"64K", 64 << 10}, {"64k", 64 << 10}, {"1G", INT64_C(1) << 30},
        {"1g", INT64_C(1) << 30}, {"+7", 7},         {"4096", 4096}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_assert_eq(set_text("buffer", ok[i].text), 0, "%s: %s", ok[i].text,
                     swirl_last_error_msg());
        cr_assert_eq(D.buffer, ok[i].want, "%s gave %lld", ok[i].text, (long long)D.buffer);
        cr_assert_eq(set("buffer", swirl_value_string(ok[i].text)), 0, "%s", ok[i].text);
    }
    FAILS(set_text("buffer", "2T"), "buffer: expected a byte count 1..1073741824 (a K, M or G "
                                    "suffix allowed), got \"2T\"");
    FAILS(set_text("buffer", "2G"), "buffer: expected a byte count 1..1073741824 (a K, M or G "
                                    "suffix allowed), got \"2G\"");
    FAILS(set_text("buffer", "1MB"), "buffer: expected a byte count 1..1073741824 (a K, M or G "
                                     "suffix allowed), got \"1MB\"");
    FAILS(set_text("buffer", "99999999999999999999"),
          "buffer: expected a byte count 1..1073741824 (a K, M or G suffix allowed), got "
          "\"99999999999999999999\"");
    FAILS(set_text("buffer", "9007199254740993G"),
          "buffer: expected a byte count 1..1073741824 (a K, M or G suffix allowed), got "
          "\"9007199254740993G\"");
    /* only byte counts take a suffix */
    FAILS(set_text("workers", "1K"), "workers: expected an integer 1..64, got \"1K\"");
    FAILS(set_text("workers", " 4"), "workers: expected an integer 1..64, got \" 4\"");
    FAILS(set_text("workers", ""), "workers: expected an integer 1..64, got \"\"");
}

Test(conf, integer_ranges_and_types) {
    cr_assert_eq(set("workers", swirl_value_int(64)), 0);
    cr_assert_eq(set("workers", swirl_value_float(3.0)), 0);
    cr_assert_eq(D.workers, 3);
    FAILS(set("workers", swirl_value_int(0)), "workers: expected an integer 1..64, got 0");
    FAILS(set("workers", swirl_value_int(65)), "workers: expected an integer 1..64, got 65");
    FAILS(set("workers", swirl_value_float(2.5)), "workers: expected an integer 1..64, got 2.5");
    FAILS(set("workers", swirl_value_float(NAN)), "workers: expected an integer 1..64, got nan");
    FAILS(set("workers", swirl_value_bool(true)), "workers: expected an integer 1..64, got true");
    FAILS(set("workers", bytes("4\0", 2)), "workers: expected an integer 1..64, got \"4\\0\"");
}

Test(conf, level_names) {
    cr_assert_eq(set_text("level", "warning"), 0);
    cr_assert_eq(D.level, SWIRL_LOG_WARNING);
    cr_assert_eq(set_text("level", "5"), 0);
    cr_assert_eq(D.level, 5);
    FAILS(set_text("level", "loud"), "level: expected an integer 0..6 or a level name (debug, "
                                     "trace, info, notice, warning, error, none), got \"loud\"");
}

/* ---- numbers ------------------------------------------------------------------------------ */

Test(conf, doubles_and_seconds) {
    cr_assert_eq(set_text("ratio", ".25"), 0);
    cr_assert_eq(D.ratio, 0.25);
    cr_assert_eq(set("ratio", swirl_value_int(1)), 0);
    cr_assert_eq(D.ratio, 1.0);
    cr_assert_eq(set("wait", swirl_value_float(-1)), 0);
    cr_assert_eq(D.wait, -1.0);
    FAILS(set("ratio", swirl_value_float(1.5)), "ratio: expected a number 0..1, got 1.5");
    FAILS(set_text("ratio", "inf"), "ratio: expected a number 0..1, got \"inf\"");
    FAILS(set_text("ratio", "0.5s"), "ratio: expected a number 0..1, got \"0.5s\"");
    FAILS(set("wait", swirl_value_float(NAN)),
          "wait: expected seconds as a number (negative: no limit), got nan");
    FAILS(set("wait", swirl_value_int(11)),
          "wait: expected seconds as a number (negative: no limit), got 11");
}

/* ---- bools -------------------------------------------------------------------------------- */

Test(conf, bool_words_as_swoole_and_php) {
    static const char *const yes[] = {"true", "TRUE", "on", "On", "yes", "YES", "1"};
    static const char *const no[] = {"false", "False", "off", "OFF", "no", "No", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        D.verbose = false;
        cr_assert_eq(set_text("verbose", yes[i]), 0, "%s", yes[i]);
        cr_assert(D.verbose, "%s", yes[i]);
        cr_assert_eq(set_text("verbose", no[i]), 0, "%s", no[i]);
        cr_assert(!D.verbose, "%s", no[i]);
    }
    FAILS(set_text("verbose", "maybe"),
          "verbose: expected a bool (true/false, on/off, yes/no, 1/0), got \"maybe\"");
    FAILS(set_text("verbose", "y"),
          "verbose: expected a bool (true/false, on/off, yes/no, 1/0), got \"y\"");
    FAILS(set("verbose", swirl_value_float(1)),
          "verbose: expected a bool (true/false, on/off, yes/no, 1/0), got 1");
}

Test(conf, bool_integers_per_dialect) {
    /* the server takes any integer as PHP's truth; the client only 0 and 1 */
    cr_assert_eq(set("verbose", swirl_value_int(0)), 0);
    cr_assert_eq(set("verbose", swirl_value_int(2)), 0);
    cr_assert(D.verbose);
    cr_assert_eq(set_in(&client_t, "verbose", swirl_value_int(0)), 0);
    cr_assert(!D.verbose);
    FAILS(set_in(&client_t, "verbose", swirl_value_int(2)), "verbose: expected a bool, got 2");
}

/* ---- strings and escapes ------------------------------------------------------------------ */

Test(conf, escapes_are_decoded_once) {
    char out[32];
    const char *bad = NULL;
    cr_assert_eq(swirl__conf_unescape("a\\r\\n\\t\\\\\\0\\x4A\\x7e", out, &bad), 8);
    cr_assert(memcmp(out, "a\r\n\t\\\0J~", 8) == 0);
    cr_assert_eq(swirl__conf_unescape("ok\\q", out, &bad), -1);
    cr_assert_str_eq(bad, "\\q");
    cr_assert_eq(swirl__conf_unescape("\\x4", out, &bad), -1);
    cr_assert_eq(swirl__conf_unescape("\\xg0", out, &bad), -1);
    cr_assert_eq(swirl__conf_unescape("end\\", out, &bad), -1);
    cr_assert_str_eq(bad, "\\");

    cr_assert_eq(set_text("eof", "\\0\\xff\\\\"), 0);
    cr_assert_eq(D.eof_len, 3);
    cr_assert(memcmp(D.eof, "\0\xff\\", 3) == 0);
    FAILS(set_text("eof", "ab\\z"),
          "eof: bad escape at byte 2 of \"ab\\\\z\" (known: \\r \\n \\t \\\\ \\0 \\xHH)");
    FAILS(set_text("eof", "\\r\\n\\r\\n\\r"),
          "eof: expected 1..4 bytes, got 5 (\"\\r\\n\\r\\n\\r\")");
    /* a value (not text) is taken as it is: no escapes, NULs kept */
    cr_assert_eq(set("eof", bytes("\\0\0", 3)), 0);
    cr_assert_eq(D.eof_len, 3);
    cr_assert(memcmp(D.eof, "\\0\0", 3) == 0);
    /* only ESCAPES keys decode */
    cr_assert_eq(set_text("dir", "a\\n"), 0);
    cr_assert_str_eq(D.dir, "a\\n");
}

Test(conf, hexval_is_one_for_all) {
    const char *digits = "0123456789abcdefABCDEF";
    for (const char *c = digits; *c; c++)
        cr_assert_eq(swirl__hexval(*c), (int)strtol((char[]){*c, 0}, NULL, 16), "%c", *c);
    cr_assert_eq(swirl__hexval('g'), -1);
    cr_assert_eq(swirl__hexval('/'), -1);
    cr_assert_eq(swirl__hexval('\0'), -1);
}

Test(conf, paths_and_owned_strings) {
    cr_assert_eq(set("dir", swirl_value_string("/var/run/x")), 0);
    cr_assert_str_eq(D.dir, "/var/run/x");
    cr_assert_eq(set("dir", swirl_value_string("")), 0);
    cr_assert_str_eq(D.dir, "");
    FAILS(set("dir", swirl_value_string("/a/very/long/path")),
          "dir: expected 0..15 bytes, got 17 (\"/a/very/long/path\")");
    FAILS(set("dir", bytes("a\0b", 3)),
          "dir: expected a path of at most 15 bytes without NUL bytes, got \"a\\0b\"");
    FAILS(set("dir", swirl_value_int(1)),
          "dir: expected a path of at most 15 bytes without NUL bytes, got 1");

    cr_assert_eq(set("name", swirl_value_string("one")), 0);
    cr_assert_eq(set("name", swirl_value_string("two")), 0); /* the first copy is freed */
    cr_assert_str_eq(D.name, "two");
    FAILS(set("name", swirl_value_string("")), "name: expected 1..8 bytes, got 0 (\"\")");
    swirl__conf_release(&server_t, &D);
    cr_assert_null(D.name);
}

Test(conf, chars_from_a_list) {
    cr_assert_eq(set_text("kind", "c"), 0);
    cr_assert_eq(D.kind, 'c');
    FAILS(set_text("kind", "d"), "kind: expected one of a b c, got \"d\"");
    FAILS(set_text("kind", "ab"), "kind: expected one of a b c, got \"ab\"");
    FAILS(set("kind", bytes("\0", 1)), "kind: expected one of a b c, got \"\\0\"");
}

/* ---- the client's dialect ----------------------------------------------------------------- */

Test(conf, client_dialect_names_wrong_types) {
    FAILS(set_in(&client_t, "workers", swirl_value_bool(true)),
          "workers: expected an integer 1..64, got the bool true");
    FAILS(set_in(&client_t, "verbose", swirl_value_float(0.5)),
          "verbose: expected a bool, got the number 0.5");
    FAILS(set_in(&client_t, "name", swirl_value_int(5)),
          "name: expected a string of 1..8 bytes, got the integer 5");
    FAILS(set_in(&client_t, "eof", swirl_value_string("12345")),
          "eof: expected a string of 1..4 bytes, got 5 bytes");
    FAILS(set_in(&client_t, "buffer", swirl_value_string("1X")),
          "buffer: expected a byte count 1..1073741824 (K, M or G suffix allowed), got \"1X\"");
    FAILS(set_in(&client_t, "name", bytes("a\0", 2)),
          "setting `name`: a string with a NUL byte is not a valid value");
    /* a value of the right type out of range is shown as it is */
    FAILS(set_in(&client_t, "workers", swirl_value_int(99)),
          "workers: expected an integer 1..64, got 99");
}

Test(conf, long_values_are_cut_short_in_messages) {
    char text[200];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    FAILS(set_text("verbose", text),
          "verbose: expected a bool (true/false, on/off, yes/no, 1/0), got "
          "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
}
