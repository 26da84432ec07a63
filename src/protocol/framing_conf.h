/* src/protocol/framing_conf.h — the framing settings (open_eof_check,
 * package_length_type...) that server ports and the client both take: one
 * list of keys, the fields they fill, and the rule built from them. Never
 * installed. */
#ifndef SWIRL_PROTOCOL_FRAMING_CONF_H
#define SWIRL_PROTOCOL_FRAMING_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/protocol.h>

#include "core/conf.h"

/* The framing keys, one row each, for the settings engine (core/conf.h):
 *   XX(field, TYPE, min, max, default_text, store, flags, len_field, doc)
 * TYPE is a SWIRL_VALUE_* suffix, store a SWIRL__CONF_* store, flags
 * SWIRL__CONF_* flags. The field is the key and the member of
 * swirl__framing_conf_t; len_field is the member holding a BLOB's length
 * (other rows repeat their field). A CHAR row takes SWIRL__FRAMING_LENGTH_TYPES. */
#define SWIRL__FRAMING_KEYS(XX)                                                                    \
    XX(open_eof_check, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0, open_eof_check,                   \
       "deliver data only up to and including package_eof")                                        \
    XX(open_eof_split, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0, open_eof_split,                   \
       "split data at package_eof: one receive event per message")                                 \
    XX(package_eof, STRING, 1, SWIRL_FRAMING_EOF_MAX, "\\r\\n", SWIRL__CONF_BLOB,                  \
       SWIRL__CONF_ESCAPES, package_eof_len, "the bytes that end a message (1..8)")                \
    XX(open_length_check, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0, open_length_check,             \
       "deliver length-prefixed messages")                                                         \
    XX(package_length_type, STRING, 1, 1, "N", SWIRL__CONF_CHAR, 0, package_length_type,           \
       "type of the length field, as PHP pack: c C s S n N l L v V")                               \
    XX(package_length_offset, INT, 0, 65536, "0", SWIRL__CONF_I64, 0, package_length_offset,       \
       "offset of the length field in the header")                                                 \
    XX(package_body_offset, INT, 0, 65536, "0", SWIRL__CONF_I64, 0, package_body_offset,           \
       "offset where the length starts counting (the header size)")                                \
    XX(package_max_length, INT, 1, (INT64_C(1) << 30), "2M", SWIRL__CONF_I64, SWIRL__CONF_BYTES,   \
       package_max_length, "largest message or request body; larger closes the connection")

/* The pack() types package_length_type takes. */
#define SWIRL__FRAMING_LENGTH_TYPES "cCsSnNlLvV"

/* A row of SWIRL__FRAMING_KEYS as the engine's swirl__conf_key_t for the
 * struct type T holding SWIRL__FRAMING_CONF_FIELDS:
 *   #define XXF_KEY(...) SWIRL__FRAMING_CONF_KEY(my_settings_t, __VA_ARGS__)
 *   SWIRL__FRAMING_KEYS(XXF_KEY) */
#define SWIRL__FRAMING_CONF_KEY(T, f, type, min, max, deflt, store, flags, len, doc)               \
    {#f,                                                                                           \
     NULL,                                                                                         \
     store,                                                                                        \
     flags,                                                                                        \
     (min),                                                                                        \
     (max),                                                                                        \
     offsetof(T, f),                                                                               \
     sizeof(((T *)0)->f),                                                                          \
     offsetof(T, len),                                                                             \
     SWIRL__FRAMING_LENGTH_TYPES,                                                                  \
     deflt},

/* The fields the keys fill, as a list, so that a settings struct can hold
 * them both as its own members and as a swirl__framing_conf_t (an
 * anonymous union of the two). */
#define SWIRL__FRAMING_CONF_FIELDS                                                                 \
    bool open_eof_check, open_eof_split;                                                           \
    char package_eof[SWIRL_FRAMING_EOF_MAX];                                                       \
    size_t package_eof_len; /* 1..8 bytes, default "\r\n" */                                       \
    bool open_length_check;                                                                        \
    char package_length_type;      /* one of cCsSnNlLvV, default 'N' */                            \
    int64_t package_length_offset; /* 0..65536, default 0 */                                       \
    int64_t package_body_offset;   /* 0..65536, default 0 */                                       \
    int64_t package_max_length;    /* 1..1 GiB, default 2 MiB */

typedef struct swirl__framing_conf {
    SWIRL__FRAMING_CONF_FIELDS
} swirl__framing_conf_t;

/* Fill `f` with the rule the settings ask for: length framing if
 * open_length_check, else EOF framing if open_eof_check or open_eof_split,
 * else none; package_max_length in every case. 0, or SWIRL_ESETTING. */
int swirl__framing_conf_build(const swirl__framing_conf_t *fc, swirl_framing_t *f);

/* True if the settings cut the stream into messages. */
static inline bool swirl__framing_conf_on(const swirl__framing_conf_t *fc) {
    return fc->open_length_check || fc->open_eof_check || fc->open_eof_split;
}

#endif
