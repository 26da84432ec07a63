/* src/client/settings.c — the client's settings: one table of keys (the
 * server's names for the framing, Swoole's for the rest), typed setters that
 * validate against it, and the framing rule built from them at connect. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/internal.h"

enum {
    T_BOOL,    /* bool */
    T_INT,     /* int64_t */
    T_BYTES,   /* int64_t, text may end in K/M/G */
    T_SECONDS, /* double */
    T_STRING,  /* char * (owned copy) */
    T_EOF,     /* package_eof[] + package_eof_len */
    T_CHAR,    /* one of LENGTH_TYPES */
};

#define KIB ((int64_t)1024)
#define GIB (KIB * KIB * KIB)
#define SECONDS_MAX 86400.0 * 365

typedef struct key_info {
    const char *name;
    int type;
    int64_t min, max;
    size_t offset; /* in client_settings_t; SIZE_MAX: "timeout" (sets three) */
} key_info_t;

#define AT(f) offsetof(client_settings_t, f)

static const key_info_t keys[] = {
    {"open_eof_check", T_BOOL, 0, 1, AT(open_eof_check)},
    {"open_eof_split", T_BOOL, 0, 1, AT(open_eof_split)},
    {"package_eof", T_EOF, 1, SWIRL_FRAMING_EOF_MAX, AT(package_eof)},
    {"open_length_check", T_BOOL, 0, 1, AT(open_length_check)},
    {"package_length_type", T_CHAR, 1, 1, AT(package_length_type)},
    {"package_length_offset", T_INT, 0, 65536, AT(package_length_offset)},
    {"package_body_offset", T_INT, 0, 65536, AT(package_body_offset)},
    {"package_max_length", T_BYTES, 1, GIB, AT(package_max_length)},
    {"socket_buffer_size", T_BYTES, 0, GIB, AT(socket_buffer_size)},
    {"open_tcp_nodelay", T_BOOL, 0, 1, AT(open_tcp_nodelay)},
    {"bind_address", T_STRING, 1, 4095, AT(bind_address)},
    {"bind_port", T_INT, 0, 65535, AT(bind_port)},
    {"timeout", T_SECONDS, 0, 0, SIZE_MAX},
    {"connect_timeout", T_SECONDS, 0, 0, AT(connect_timeout)},
    {"read_timeout", T_SECONDS, 0, 0, AT(read_timeout)},
    {"write_timeout", T_SECONDS, 0, 0, AT(write_timeout)},
    {"ssl_cert_file", T_STRING, 1, 4095, AT(ssl_cert_file)},
    {"ssl_key_file", T_STRING, 1, 4095, AT(ssl_key_file)},
    {"ssl_verify_peer", T_BOOL, 0, 1, AT(ssl_verify_peer)},
    {"ssl_allow_self_signed", T_BOOL, 0, 1, AT(ssl_allow_self_signed)},
    {"ssl_cafile", T_STRING, 1, 4095, AT(ssl_cafile)},
    {"ssl_capath", T_STRING, 1, 4095, AT(ssl_capath)},
    {"ssl_host_name", T_STRING, 1, 255, AT(ssl_host_name)},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
static const char LENGTH_TYPES[] = "cCsSnNlLvV";

void swirl__client_settings_init(client_settings_t *s) {
    memset(s, 0, sizeof(*s));
    memcpy(s->package_eof, "\r\n", 2);
    s->package_eof_len = 2;
    s->package_length_type = 'N';
    s->package_max_length = SWIRL_PACKAGE_MAX_LENGTH_DEFAULT;
    s->connect_timeout = s->read_timeout = s->write_timeout = NAN;
    s->ssl_verify_peer = true;
}

void swirl__client_settings_destroy(client_settings_t *s) {
    char **strs[] = {&s->bind_address, &s->ssl_cert_file, &s->ssl_key_file,
                     &s->ssl_cafile,   &s->ssl_capath,    &s->ssl_host_name};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        swirl_free(*strs[i]);
        *strs[i] = NULL;
    }
}

int swirl__client_build_framing(swirl_client_t *c) {
    const client_settings_t *s = &c->set;
    swirl_framing_t *f = &c->framing;
    swirl_framing_init(f);
    int rc = swirl_framing_set_max_length(f, (size_t)s->package_max_length);
    if (rc == 0 && s->open_length_check)
        rc = swirl_framing_set_length(f, s->package_length_type, (uint32_t)s->package_length_offset,
                                      (uint32_t)s->package_body_offset);
    else if (rc == 0 && (s->open_eof_check || s->open_eof_split))
        rc = swirl_framing_set_eof(f, s->package_eof, s->package_eof_len, s->open_eof_split);
    return rc;
}

/* ---- lookup and messages --------------------------------------------------------------- */

static const key_info_t *find(const char *name) {
    for (size_t i = 0; name && i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static const char *expected(const key_info_t *k, char *buf, size_t size) {
    switch (k->type) {
    case T_BOOL:
        return "a bool";
    case T_INT:
        snprintf(buf, size, "an integer %lld..%lld", (long long)k->min, (long long)k->max);
        return buf;
    case T_BYTES:
        snprintf(buf, size, "a byte count %lld..%lld (K, M or G suffix allowed)", (long long)k->min,
                 (long long)k->max);
        return buf;
    case T_SECONDS:
        return "seconds as a number (negative: no limit)";
    case T_EOF:
        return "a string of 1..8 bytes";
    case T_CHAR:
        return "one of c C s S n N l L v V";
    default:
        snprintf(buf, size, "a string of 1..%lld bytes", (long long)k->max);
        return buf;
    }
}

/* Check that `c` may be configured and `key` exists; *out = its row. */
static int lookup(swirl_client_t *c, const char *key, const key_info_t **out) {
    if (!c)
        return swirl__error(SWIRL_EBADARG, "client setting: NULL client");
    if (!key)
        return swirl__client_fail(c, SWIRL_ESETTING, "client setting: NULL name");
    *out = find(key);
    if (!*out)
        return swirl__client_fail(c, SWIRL_ESETTING, "unknown client setting \"%.100s\"", key);
    if (c->state != CS_IDLE)
        return swirl__client_fail(c, SWIRL_ESTATE, "%s: settings are taken before connect", key);
    return 0;
}

static int bad(swirl_client_t *c, const key_info_t *k, const char *got_fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(swirl_client_t *c, const key_info_t *k, const char *got_fmt, ...) {
    char got[160], want[96];
    va_list ap;
    va_start(ap, got_fmt);
    vsnprintf(got, sizeof(got), got_fmt, ap);
    va_end(ap);
    return swirl__client_fail(c, SWIRL_ESETTING, "%s: expected %s, got %s", k->name,
                              expected(k, want, sizeof(want)), got);
}

/* ---- storing --------------------------------------------------------------------------- */

static void *field(swirl_client_t *c, const key_info_t *k) { return (char *)&c->set + k->offset; }

static int store_int(swirl_client_t *c, const key_info_t *k, int64_t v) {
    if (v < k->min || v > k->max)
        return bad(c, k, "%lld", (long long)v);
    *(int64_t *)field(c, k) = v;
    return 0;
}

static int store_bool(swirl_client_t *c, const key_info_t *k, bool v) {
    *(bool *)field(c, k) = v;
    return 0;
}

static int store_seconds(swirl_client_t *c, const key_info_t *k, double v) {
    if (isnan(v) || v > SECONDS_MAX || v < -SECONDS_MAX)
        return bad(c, k, "%g", v);
    if (k->offset == SIZE_MAX)
        c->set.connect_timeout = c->set.read_timeout = c->set.write_timeout = v;
    else
        *(double *)field(c, k) = v;
    return 0;
}

static int store_string(swirl_client_t *c, const key_info_t *k, const char *s, size_t len) {
    if (k->type == T_EOF) {
        if (len < 1 || len > SWIRL_FRAMING_EOF_MAX)
            return bad(c, k, "%zu bytes", len);
        memcpy(c->set.package_eof, s, len);
        c->set.package_eof_len = len;
        return 0;
    }
    if (k->type == T_CHAR) {
        if (len != 1 || !s[0] || !strchr(LENGTH_TYPES, s[0]))
            return bad(c, k, "\"%.20s\"", s);
        c->set.package_length_type = s[0];
        return 0;
    }
    if (len < (size_t)k->min || len > (size_t)k->max)
        return bad(c, k, "%zu bytes", len);
    char *copy = swirl_strdup(s);
    if (!copy)
        return swirl__client_fail(c, -ENOMEM, "%s: out of memory", k->name);
    char **slot = field(c, k);
    swirl_free(*slot);
    *slot = copy;
    return 0;
}

/* ---- the setters ----------------------------------------------------------------------- */

int swirl_client_set_int(swirl_client_t *c, const char *key, int64_t value) {
    const key_info_t *k;
    int rc = lookup(c, key, &k);
    if (rc < 0)
        return rc;
    switch (k->type) {
    case T_BOOL:
        if (value != 0 && value != 1)
            return bad(c, k, "%lld", (long long)value);
        return store_bool(c, k, value == 1);
    case T_INT:
    case T_BYTES:
        return store_int(c, k, value);
    case T_SECONDS:
        return store_seconds(c, k, (double)value);
    default:
        return bad(c, k, "the integer %lld", (long long)value);
    }
}

int swirl_client_set_float(swirl_client_t *c, const char *key, double value) {
    const key_info_t *k;
    int rc = lookup(c, key, &k);
    if (rc < 0)
        return rc;
    switch (k->type) {
    case T_SECONDS:
        return store_seconds(c, k, value);
    case T_INT:
    case T_BYTES:
        if (!(value >= -9e18 && value <= 9e18) || value != (double)(int64_t)value)
            return bad(c, k, "%g", value);
        return store_int(c, k, (int64_t)value);
    default:
        return bad(c, k, "the number %g", value);
    }
}

int swirl_client_set_bool(swirl_client_t *c, const char *key, bool value) {
    const key_info_t *k;
    int rc = lookup(c, key, &k);
    if (rc < 0)
        return rc;
    if (k->type != T_BOOL)
        return bad(c, k, "the bool %s", value ? "true" : "false");
    return store_bool(c, k, value);
}

static bool parse_int(const char *s, bool bytes, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
        return false;
    int64_t mult = 1;
    if (bytes && *end) {
        switch (*end++) {
        case 'k':
        case 'K':
            mult = KIB;
            break;
        case 'm':
        case 'M':
            mult = KIB * KIB;
            break;
        case 'g':
        case 'G':
            mult = GIB;
            break;
        default:
            return false;
        }
    }
    return !*end && !__builtin_mul_overflow((int64_t)v, mult, out);
}

/* Decode \r \n \t \\ \0 \xHH in place; false on a bad escape. */
static bool unescape(char *s, size_t *len) {
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '\\') {
            s[o++] = s[i];
            continue;
        }
        char e = s[++i];
        if (e == 'r' || e == 'n' || e == 't' || e == '\\' || e == '0') {
            s[o++] = e == 'r' ? '\r' : e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : '\\';
        } else if (e == 'x' && s[i + 1] && s[i + 2]) {
            char hex[3] = {s[i + 1], s[i + 2], 0}, *end;
            long v = strtol(hex, &end, 16);
            if (*end)
                return false;
            s[o++] = (char)v;
            i += 2;
        } else {
            return false;
        }
    }
    *len = o;
    return true;
}

int swirl_client_set_text(swirl_client_t *c, const char *key, const char *text) {
    const key_info_t *k;
    int rc = lookup(c, key, &k);
    if (rc < 0)
        return rc;
    if (!text)
        return bad(c, k, "NULL");
    int64_t i;
    double d;
    char *end;
    switch (k->type) {
    case T_BOOL: {
        static const char *const yes[] = {"true", "on", "yes", "1"}, *const no[] = {"false", "off",
                                                                                    "no", "0"};
        for (size_t j = 0; j < 4; j++) {
            if (strcasecmp(text, yes[j]) == 0)
                return store_bool(c, k, true);
            if (strcasecmp(text, no[j]) == 0)
                return store_bool(c, k, false);
        }
        return bad(c, k, "\"%.40s\"", text);
    }
    case T_INT:
    case T_BYTES:
        if (!parse_int(text, k->type == T_BYTES, &i))
            return bad(c, k, "\"%.40s\"", text);
        return store_int(c, k, i);
    case T_SECONDS:
        d = strtod(text, &end);
        if (end == text || *end)
            return bad(c, k, "\"%.40s\"", text);
        return store_seconds(c, k, d);
    case T_EOF: {
        char tmp[64];
        size_t len;
        if (strlen(text) >= sizeof(tmp))
            return bad(c, k, "%zu bytes", strlen(text));
        strcpy(tmp, text);
        if (!unescape(tmp, &len))
            return bad(c, k, "a bad escape in \"%.40s\"", text);
        return store_string(c, k, tmp, len);
    }
    default:
        return store_string(c, k, text, strlen(text));
    }
}
