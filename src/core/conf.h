/* src/core/conf.h — the settings engine. Each layer declares a table of
 * keys next to the struct they fill (a key names a typed slot by offset);
 * this engine converts what a C, PHP or command-line caller hands in (a
 * swirl_value_t or text) into that slot: size suffixes, bools, C escapes,
 * ranges, "did you mean" for unknown keys, and messages that name the key
 * and the value given. Never installed. */
#ifndef SWIRL_CORE_CONF_H
#define SWIRL_CORE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/core.h>

/* What a slot holds. */
typedef enum {
    SWIRL__CONF_I64 = 1, /* int64_t in min..max */
    SWIRL__CONF_F64,     /* double in min..max */
    SWIRL__CONF_BOOL,    /* bool */
    SWIRL__CONF_PATH,    /* char[size]: min..max bytes without NUL, NUL-terminated */
    SWIRL__CONF_STRDUP,  /* char *: an owned copy (swirl_free) of min..max bytes without NUL */
    SWIRL__CONF_BLOB,    /* char[size]: min..max bytes (NULs allowed); the length is the
                          * size_t at len_offset */
    SWIRL__CONF_CHAR,    /* one char of `choices` */
} swirl__conf_store_t;

/* A key's flags. */
enum {
    SWIRL__CONF_BYTES = 1 << 0,    /* I64 byte count: text may end in K, M or G (1024s) */
    SWIRL__CONF_LOGLEVEL = 1 << 1, /* I64 that also takes a level name (swirl_log_level_parse) */
    SWIRL__CONF_ESCAPES = 1 << 2,  /* text decodes the C escapes \r \n \t \\ \0 \xHH */
    SWIRL__CONF_SECONDS = 1 << 3,  /* F64 of seconds, negative: no limit (named so in messages) */
    SWIRL__CONF_COMPUTED = 1 << 4, /* `deflt` describes a value found later: defaults leave 0 */
};

/* One key: its names, its slot in the table's struct and its rules. */
typedef struct swirl__conf_key {
    const char *name;
    const char *alias; /* another accepted name, or NULL */
    unsigned char store;
    unsigned char flags;
    int64_t min, max;    /* the value's range (I64, F64), the length's (strings) */
    size_t offset, size; /* the slot */
    size_t len_offset;   /* BLOB: where its size_t length lives */
    const char *choices; /* CHAR: the accepted chars */
    const char *deflt;   /* the default as text (valid input unless COMPUTED), or NULL */
} swirl__conf_key_t;

/* A table's message dialect. */
enum {
    SWIRL__CONF_STYLE_SERVER = 0, /* the server's (swirl_server_set) */
    /* Swoole's client: short type names ("a bool", "a string of 1..8
     * bytes, got 9 bytes"), a value of the wrong type named with its type
     * ("the integer 5"), a string holding a NUL byte where none is taken
     * named so, and a bool key takes only the integers 0 and 1. */
    SWIRL__CONF_STYLE_CLIENT = 1,
};

/* A layer's keys. */
typedef struct swirl__conf_table {
    const char *what; /* in "unknown <what> \"x\"": "setting", "client setting" */
    const swirl__conf_key_t *keys;
    size_t count;
    unsigned style; /* SWIRL__CONF_STYLE_* */
} swirl__conf_table_t;

/* The key called `name` (or aliased so), or NULL. */
const swirl__conf_key_t *swirl__conf_find(const swirl__conf_table_t *t, const char *name);

/* SWIRL_ESETTING with "unknown <what> \"name\"", followed by the nearest
 * name of the table when one is close: (did you mean "worker_num"?). */
int swirl__conf_unknown(const swirl__conf_table_t *t, const char *name);

/* Convert `v` per `k` and store it in the slot of `base`. Returns 0, or
 * SWIRL_ESETTING (-ENOMEM for a STRDUP copy) with the last error naming
 * the key, what it expects and the value given; nothing changes then. */
int swirl__conf_set(const swirl__conf_table_t *t, const swirl__conf_key_t *k, void *base,
                    swirl_value_t v);

/* Same, parsing NUL-terminated `text` per the key (C escapes decoded for
 * ESCAPES keys; a bad escape is an error naming its byte). */
int swirl__conf_set_text(const swirl__conf_table_t *t, const swirl__conf_key_t *k, void *base,
                         const char *text);

/* Store every key's `deflt` (those not COMPUTED) into `base`, which the
 * caller zeroed. The defaults are valid input by construction. */
void swirl__conf_defaults(const swirl__conf_table_t *t, void *base);

/* Free the STRDUP slots of `base` (set to NULL). */
void swirl__conf_release(const swirl__conf_table_t *t, void *base);

/* Copy `k`'s slot (and a BLOB's length) from `src` to `dst`, both of the
 * table's struct; not for STRDUP keys. */
void swirl__conf_copy(const swirl__conf_key_t *k, void *dst, const void *src);

/* Decode the C escapes \r \n \t \\ \0 \xHH of `text` into `out` (room for
 * strlen(text) bytes). Returns the decoded length, or -1 with *bad at the
 * faulty escape. */
ssize_t swirl__conf_unescape(const char *text, char *out, const char **bad);

/* `len` bytes of `s` as a quoted C-like string for messages (escaping what
 * is not printable, long values cut short with "..."). */
void swirl__conf_quote(char *out, size_t size, const char *s, size_t len);

#endif
