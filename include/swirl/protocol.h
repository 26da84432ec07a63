/* swirl/protocol.h — stream framing: cutting a byte stream into messages,
 * EOF-delimited or length-prefixed. Shared by the server and the client. */
#ifndef SWIRL_PROTOCOL_H
#define SWIRL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SWIRL_FRAMING_NONE = 0,   /* bytes as they come */
    SWIRL_FRAMING_EOF = 1,    /* open_eof_check / open_eof_split + package_eof */
    SWIRL_FRAMING_LENGTH = 2, /* open_length_check + package_length_type/offset/body_offset */
} swirl_framing_kind_t;

#define SWIRL_FRAMING_EOF_MAX 8 /* longest package_eof */
#define SWIRL_PACKAGE_MAX_LENGTH_DEFAULT (2u * 1024 * 1024)

/* A framing rule. Plain data; fill with swirl_framing_init() and one of the
 * setters, which validate. */
typedef struct swirl_framing {
    swirl_framing_kind_t kind;
    char eof[SWIRL_FRAMING_EOF_MAX];
    uint8_t eof_len;
    bool eof_split;         /* deliver one message per EOF (else: a chunk ending in EOF) */
    char length_type;       /* one of "cCsSnNlLvV", as PHP's pack() */
    uint8_t length_size;    /* bytes of the length field, from length_type */
    uint32_t length_offset; /* where the length field starts */
    uint32_t body_offset;   /* where the counted part starts: message = body_offset + length */
    size_t max_length;      /* package_max_length: a longer message is an error */
} swirl_framing_t;

/* No framing, package_max_length 2 MiB. */
SWIRL_API void swirl_framing_init(swirl_framing_t *f);

/* EOF framing with `eof` (1..8 bytes). `split`: one message per EOF
 * (open_eof_split); otherwise a delivery is everything up to a read that
 * ends with EOF (open_eof_check). Returns 0 or SWIRL_ESETTING naming the
 * problem. */
SWIRL_API int swirl_framing_set_eof(swirl_framing_t *f, const void *eof, size_t len, bool split);

/* Length framing: the length field has pack() type `type` (c C s S n N l L
 * v V) at `offset`; the message is `body_offset` + that length bytes long.
 * The field must fit before the body (offset + size <= body_offset is not
 * required: Swoole allows the length to count itself). Returns 0 or
 * SWIRL_ESETTING. */
SWIRL_API int swirl_framing_set_length(swirl_framing_t *f, char type, uint32_t offset,
                                       uint32_t body_offset);

/* Largest message (package_max_length), >= 1. Returns 0 or SWIRL_ESETTING. */
SWIRL_API int swirl_framing_set_max_length(swirl_framing_t *f, size_t max_length);

/* Find the first complete message at the start of data[0..len).
 * Returns its length (> 0); 0 if more bytes are needed; SWIRL_ETOOBIG if the
 * message is (or will be) longer than max_length; SWIRL_EPROTO for a
 * negative length field. `*scan_from` (start at 0 for a new message) lets
 * EOF framing resume its search where the last call stopped instead of
 * rescanning; it is updated on a 0 return. With SWIRL_FRAMING_NONE returns
 * len (everything is one chunk). */
SWIRL_API ssize_t swirl_framing_next(const swirl_framing_t *f, const void *data, size_t len,
                                     size_t *scan_from);

/* Write the length field for a body of `body_len` bytes into `header` (which
 * has at least body_offset bytes; other header bytes are left alone), so a
 * sender can frame messages the same way. Returns 0, or SWIRL_ETOOBIG if the
 * length does not fit the type. */
SWIRL_API int swirl_framing_put_length(const swirl_framing_t *f, void *header, size_t body_len);

#ifdef __cplusplus
}
#endif
#endif
