/* src/core/conf.c — the settings engine of conf.h: lookup with "did you
 * mean", conversion of values and text into typed slots, and the messages
 * naming key and value. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/conf.h"
#include "core/internal.h"

#define KIB ((int64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

swirl_value_t swirl_value_string(const char *s) {
    swirl_value_t v = {SWIRL_VALUE_STRING, {.s = s ? s : ""}, s ? strlen(s) : 0};
    return v;
}

/* ---- lookup -------------------------------------------------------------------------------- */

const swirl__conf_key_t *swirl__conf_find(const swirl__conf_table_t *t, const char *name) {
    for (size_t i = 0; name && i < t->count; i++)
        if (strcmp(t->keys[i].name, name) == 0 ||
            (t->keys[i].alias && strcmp(t->keys[i].alias, name) == 0))
            return &t->keys[i];
    return NULL;
}

/* Edit distance between `a` and `b`; `b` is a table name (short), so one
 * row of len(b)+1 cells fits on the stack. Gives up (returns SIZE_MAX) on
 * names too long to be worth suggesting for. */
static size_t levenshtein(const char *a, const char *b) {
    size_t lb = strlen(b);
    size_t row[65];
    if (lb >= sizeof(row) / sizeof(row[0]))
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void swirl__conf_quote(char *out, size_t size, const char *s, size_t len) {
    static const size_t shown_max = 48;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len && i < shown_max && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '\r':
            esc = "\\r";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\0':
            esc = "\\0";
            break;
        default:
            break;
        }
        if (esc)
            o += (size_t)snprintf(out + o, size - o, "%s", esc);
        else if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (len > shown_max && o + 5 < size)
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o++] = '"';
    out[o] = '\0';
}

int swirl__conf_unknown(const swirl__conf_table_t *t, const char *name) {
    char shown[256];
    if (!name)
        return swirl__error(SWIRL_ESETTING, "%s name is NULL", t->what);
    size_t nlen = strlen(name);
    swirl__conf_quote(shown, sizeof(shown), name, nlen);
    size_t limit = nlen / 3 > 2 ? nlen / 3 : 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < t->count; i++) {
        const char *names[2] = {t->keys[i].name, t->keys[i].alias};
        for (int k = 0; k < 2 && names[k]; k++) {
            size_t d = levenshtein(name, names[k]);
            if (d < best_d) {
                best_d = d;
                best = names[k];
            }
        }
    }
    if (best && best_d <= limit)
        return swirl__error(SWIRL_ESETTING, "unknown %s %s (did you mean \"%s\"?)", t->what, shown,
                            best);
    return swirl__error(SWIRL_ESETTING, "unknown %s %s", t->what, shown);
}

/* ---- messages ------------------------------------------------------------------------------ */

static bool client_style(const swirl__conf_table_t *t) {
    return t->style == SWIRL__CONF_STYLE_CLIENT;
}

/* True if no value of v's type can fit `k` (a bool for a number...). */
static bool wrong_type(const swirl__conf_key_t *k, swirl_value_t v) {
    switch (k->store) {
    case SWIRL__CONF_I64:
    case SWIRL__CONF_F64:
        return v.type != SWIRL_VALUE_INT && v.type != SWIRL_VALUE_FLOAT &&
               v.type != SWIRL_VALUE_STRING;
    case SWIRL__CONF_BOOL:
        return v.type != SWIRL_VALUE_BOOL && v.type != SWIRL_VALUE_INT &&
               v.type != SWIRL_VALUE_STRING;
    default:
        return v.type != SWIRL_VALUE_STRING;
    }
}

/* The value as given, for messages: 9, 1.5, true, "abc" (the client's
 * style names the type of a value that does not fit: the integer 9). */
static void describe(const swirl__conf_table_t *t, const swirl__conf_key_t *k, char *out,
                     size_t size, swirl_value_t v) {
    bool named = client_style(t) && wrong_type(k, v);
    switch (v.type) {
    case SWIRL_VALUE_INT:
        snprintf(out, size, "%s%lld", named ? "the integer " : "", (long long)v.u.i);
        break;
    case SWIRL_VALUE_FLOAT:
        snprintf(out, size, "%s%g", named ? "the number " : "", v.u.f);
        break;
    case SWIRL_VALUE_BOOL:
        snprintf(out, size, "%s%s", named ? "the bool " : "", v.u.b ? "true" : "false");
        break;
    case SWIRL_VALUE_STRING:
        if (!v.u.s)
            snprintf(out, size, "a NULL string");
        else
            swirl__conf_quote(out, size, v.u.s, v.len);
        break;
    default:
        snprintf(out, size, "a value of unknown type %d", (int)v.type);
        break;
    }
}

/* What `k` expects, for messages: "an integer 1..1024". */
static void expected(const swirl__conf_table_t *t, const swirl__conf_key_t *k, char *out,
                     size_t size) {
    long long lo = (long long)k->min, hi = (long long)k->max;
    bool client = client_style(t);
    if (k->flags & SWIRL__CONF_LOGLEVEL) {
        snprintf(out, size,
                 "an integer %lld..%lld or a level name (debug, trace, info, notice, warning, "
                 "error, none)",
                 lo, hi);
        return;
    }
    switch (k->store) {
    case SWIRL__CONF_I64:
        if (k->flags & SWIRL__CONF_BYTES)
            snprintf(out, size, "a byte count %lld..%lld (%s, M or G suffix allowed)", lo, hi,
                     client ? "K" : "a K");
        else if (k->max == INT64_MAX)
            snprintf(out, size, "an integer >= %lld", lo);
        else
            snprintf(out, size, "an integer %lld..%lld", lo, hi);
        break;
    case SWIRL__CONF_F64:
        if (k->flags & SWIRL__CONF_SECONDS)
            snprintf(out, size, "seconds as a number (negative: no limit)");
        else
            snprintf(out, size, "a number %lld..%lld", lo, hi);
        break;
    case SWIRL__CONF_BOOL:
        snprintf(out, size, client ? "a bool" : "a bool (true/false, on/off, yes/no, 1/0)");
        break;
    case SWIRL__CONF_CHAR: {
        size_t o = (size_t)snprintf(out, size, "one of");
        for (const char *c = k->choices; *c && o + 3 < size; c++)
            o += (size_t)snprintf(out + o, size - o, " %c", *c);
        break;
    }
    case SWIRL__CONF_PATH:
    case SWIRL__CONF_STRDUP:
        if (!client) {
            snprintf(out, size, "a path of at most %lld bytes without NUL bytes", hi);
            break;
        }
        /* fall through */
    default:
        snprintf(out, size, "a string of %lld..%lld bytes", lo, hi);
        break;
    }
}

static int bad_value(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v) {
    char want[160], got[256];
    if (client_style(t) && v.type == SWIRL_VALUE_STRING && v.u.s && memchr(v.u.s, '\0', v.len))
        return swirl__error(SWIRL_ESETTING,
                            "setting `%s`: a string with a NUL byte is not a valid value", k->name);
    expected(t, k, want, sizeof(want));
    describe(t, k, got, sizeof(got), v);
    return swirl__error(SWIRL_ESETTING, "%s: expected %s, got %s", k->name, want, got);
}

static int bad_length(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v) {
    if (client_style(t)) {
        char want[160];
        expected(t, k, want, sizeof(want));
        return swirl__error(SWIRL_ESETTING, "%s: expected %s, got %zu bytes", k->name, want, v.len);
    }
    char got[256];
    describe(t, k, got, sizeof(got), v);
    return swirl__error(SWIRL_ESETTING, "%s: expected %lld..%lld bytes, got %zu (%s)", k->name,
                        (long long)k->min, (long long)k->max, v.len, got);
}

/* ---- parsing ------------------------------------------------------------------------------- */

/* Copy a counted string into a NUL-terminated buffer; false if it does not
 * fit or holds a NUL (never a valid number or bool). */
static bool to_cstr(char *buf, size_t size, const char *s, size_t len) {
    if (!s || len >= size || memchr(s, '\0', len))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

/* Decimal integer with an optional sign and, if `bytes`, one K/M/G suffix. */
static bool parse_int(const char *s, bool bytes, int64_t *out) {
    bool neg = false;
    int64_t v = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        int64_t d = *s - '0';
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, neg ? -d : d, &v))
            return false;
    }
    if (*s && bytes) {
        int64_t mult = 0;
        switch (*s) {
        case 'k':
        case 'K':
            mult = KIB;
            break;
        case 'm':
        case 'M':
            mult = MIB;
            break;
        case 'g':
        case 'G':
            mult = GIB;
            break;
        default:
            return false;
        }
        s++;
        if (__builtin_mul_overflow(v, mult, &v))
            return false;
    }
    if (*s)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out) {
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
        if (strcasecmp(s, yes[k]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[k]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_double(const char *s, double *out) {
    char *end;
    if (!*s || (*s != '-' && *s != '+' && *s != '.' && (*s < '0' || *s > '9')))
        return false;
    double d = strtod(s, &end);
    if (*end || d != d)
        return false;
    *out = d;
    return true;
}

/* ---- conversion ---------------------------------------------------------------------------- */

/* A converted value, ready to store. */
typedef struct conv {
    int64_t i;
    double f;
    bool b;
    const char *s;
    size_t len;
} conv_t;

static int convert_int(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v,
                       conv_t *c) {
    char buf[64];
    switch (v.type) {
    case SWIRL_VALUE_INT:
        c->i = v.u.i;
        break;
    case SWIRL_VALUE_FLOAT:
        /* Only integral values inside int64 (2^63 is exactly representable). */
        if (!(v.u.f >= -9223372036854775808.0 && v.u.f < 9223372036854775808.0) ||
            (double)(int64_t)v.u.f != v.u.f)
            return bad_value(t, k, v);
        c->i = (int64_t)v.u.f;
        break;
    case SWIRL_VALUE_STRING:
        if (!to_cstr(buf, sizeof(buf), v.u.s, v.len))
            return bad_value(t, k, v);
        if (!parse_int(buf, k->flags & SWIRL__CONF_BYTES, &c->i)) {
            int lvl;
            /* swirl_log_level_parse records its own error; ours replaces it. */
            if (!(k->flags & SWIRL__CONF_LOGLEVEL) || (lvl = swirl_log_level_parse(buf)) < 0)
                return bad_value(t, k, v);
            c->i = lvl;
        }
        break;
    default:
        return bad_value(t, k, v);
    }
    if (c->i < k->min || c->i > k->max)
        return bad_value(t, k, v);
    return 0;
}

static int convert_double(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v,
                          conv_t *c) {
    char buf[64];
    switch (v.type) {
    case SWIRL_VALUE_INT:
        c->f = (double)v.u.i;
        break;
    case SWIRL_VALUE_FLOAT:
        c->f = v.u.f;
        break;
    case SWIRL_VALUE_STRING:
        if (!to_cstr(buf, sizeof(buf), v.u.s, v.len) || !parse_double(buf, &c->f))
            return bad_value(t, k, v);
        break;
    default:
        return bad_value(t, k, v);
    }
    if (!(c->f >= (double)k->min && c->f <= (double)k->max))
        return bad_value(t, k, v);
    return 0;
}

static int convert_bool(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v,
                        conv_t *c) {
    char buf[16];
    switch (v.type) {
    case SWIRL_VALUE_BOOL:
        c->b = v.u.b;
        return 0;
    case SWIRL_VALUE_INT:
        if (client_style(t) && v.u.i != 0 && v.u.i != 1)
            return bad_value(t, k, v);
        c->b = v.u.i != 0;
        return 0;
    case SWIRL_VALUE_STRING:
        if (to_cstr(buf, sizeof(buf), v.u.s, v.len) && parse_bool(buf, &c->b))
            return 0;
        return bad_value(t, k, v);
    default:
        return bad_value(t, k, v);
    }
}

static int convert_string(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v,
                          conv_t *c) {
    if (v.type != SWIRL_VALUE_STRING || (!v.u.s && v.len > 0))
        return bad_value(t, k, v);
    c->s = v.u.s ? v.u.s : "";
    c->len = v.len;
    if (k->store == SWIRL__CONF_CHAR) {
        if (c->len != 1 || c->s[0] == '\0' || !strchr(k->choices, c->s[0]))
            return bad_value(t, k, v);
        return 0;
    }
    if (k->store != SWIRL__CONF_BLOB && memchr(c->s, '\0', c->len))
        return bad_value(t, k, v);
    if ((int64_t)c->len < k->min || (int64_t)c->len > k->max)
        return bad_length(t, k, v);
    return 0;
}

static int convert(const swirl__conf_table_t *t, const swirl__conf_key_t *k, swirl_value_t v,
                   conv_t *c) {
    switch (k->store) {
    case SWIRL__CONF_I64:
        return convert_int(t, k, v, c);
    case SWIRL__CONF_F64:
        return convert_double(t, k, v, c);
    case SWIRL__CONF_BOOL:
        return convert_bool(t, k, v, c);
    default:
        return convert_string(t, k, v, c);
    }
}

int swirl__conf_set(const swirl__conf_table_t *t, const swirl__conf_key_t *k, void *base,
                    swirl_value_t v) {
    conv_t c = {0};
    int rc = convert(t, k, v, &c);
    if (rc < 0)
        return rc;
    char *slot = (char *)base + k->offset;
    switch (k->store) {
    case SWIRL__CONF_I64:
        memcpy(slot, &c.i, sizeof(c.i));
        break;
    case SWIRL__CONF_F64:
        memcpy(slot, &c.f, sizeof(c.f));
        break;
    case SWIRL__CONF_BOOL:
        memcpy(slot, &c.b, sizeof(c.b));
        break;
    case SWIRL__CONF_CHAR:
        *slot = c.s[0];
        break;
    case SWIRL__CONF_STRDUP: {
        char *copy = swirl_malloc(c.len + 1), *old;
        if (!copy)
            return swirl__error(-ENOMEM, "%s:", k->name);
        memcpy(copy, c.s, c.len);
        copy[c.len] = '\0';
        memcpy(&old, slot, sizeof(old));
        swirl_free(old);
        memcpy(slot, &copy, sizeof(copy));
        break;
    }
    case SWIRL__CONF_BLOB:
        memcpy((char *)base + k->len_offset, &c.len, sizeof(c.len));
        /* fall through */
    default: /* PATH */
        memcpy(slot, c.s, c.len);
        memset(slot + c.len, 0, k->size - c.len);
        break;
    }
    return 0;
}

ssize_t swirl__conf_unescape(const char *text, char *out, const char **bad) {
    size_t o = 0;
    for (const char *s = text; *s; s++) {
        if (*s != '\\') {
            out[o++] = *s;
            continue;
        }
        *bad = s;
        switch (s[1]) {
        case 'r':
            out[o++] = '\r';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case '\\':
            out[o++] = '\\';
            break;
        case '0':
            out[o++] = '\0';
            break;
        case 'x': {
            int hi = swirl__hexval(s[2]), lo = hi < 0 ? -1 : swirl__hexval(s[3]);
            if (lo < 0)
                return -1;
            out[o++] = (char)(hi << 4 | lo);
            s += 2;
            break;
        }
        default:
            return -1;
        }
        s++;
    }
    return (ssize_t)o;
}

int swirl__conf_set_text(const swirl__conf_table_t *t, const swirl__conf_key_t *k, void *base,
                         const char *text) {
    if (!text)
        return swirl__error(SWIRL_ESETTING, "%s: no value given", k->name);
    if (!(k->flags & SWIRL__CONF_ESCAPES))
        return swirl__conf_set(t, k, base, swirl_value_string(text));

    size_t tlen = strlen(text);
    char small[64];
    char *buf = tlen < sizeof(small) ? small : swirl_malloc(tlen + 1);
    if (!buf)
        return swirl__error(-ENOMEM, "%s:", k->name);
    const char *bad = NULL;
    ssize_t n = swirl__conf_unescape(text, buf, &bad);
    int rc;
    if (n < 0) {
        char shown[256];
        swirl__conf_quote(shown, sizeof(shown), text, tlen);
        rc = swirl__error(SWIRL_ESETTING,
                          "%s: bad escape at byte %zu of %s (known: \\r \\n \\t \\\\ \\0 \\xHH)",
                          k->name, (size_t)(bad - text), shown);
    } else {
        swirl_value_t v = {SWIRL_VALUE_STRING, {.s = buf}, (size_t)n};
        rc = swirl__conf_set(t, k, base, v);
    }
    if (buf != small)
        swirl_free(buf);
    return rc;
}

/* ---- whole tables -------------------------------------------------------------------------- */

void swirl__conf_defaults(const swirl__conf_table_t *t, void *base) {
    for (size_t i = 0; i < t->count; i++) {
        const swirl__conf_key_t *k = &t->keys[i];
        if (!k->deflt || (k->flags & SWIRL__CONF_COMPUTED))
            continue;
        int rc = swirl__conf_set_text(t, k, base, k->deflt);
        /* Valid input by construction; each table's tests check every default. */
        assert(rc == 0);
        (void)rc;
    }
}

void swirl__conf_release(const swirl__conf_table_t *t, void *base) {
    for (size_t i = 0; i < t->count; i++) {
        if (t->keys[i].store != SWIRL__CONF_STRDUP)
            continue;
        char *slot = (char *)base + t->keys[i].offset, *s;
        memcpy(&s, slot, sizeof(s));
        swirl_free(s);
        s = NULL;
        memcpy(slot, &s, sizeof(s));
    }
}

void swirl__conf_copy(const swirl__conf_key_t *k, void *dst, const void *src) {
    memcpy((char *)dst + k->offset, (const char *)src + k->offset, k->size);
    if (k->store == SWIRL__CONF_BLOB)
        memcpy((char *)dst + k->len_offset, (const char *)src + k->len_offset, sizeof(size_t));
}
