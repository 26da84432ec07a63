/* src/protocol/framing.c — cutting a byte stream into messages: by a
 * delimiter (package_eof) or by a length field (package_length_type with
 * PHP pack() codes). Pure functions over caller-owned bytes. */
#include <endian.h>
#include <string.h>
#include <swirl/protocol.h>

#include "../core/internal.h"
#include "framing_conf.h"

void swirl_framing_init(swirl_framing_t *f) {
    memset(f, 0, sizeof(*f));
    f->kind = SWIRL_FRAMING_NONE;
    f->max_length = SWIRL_PACKAGE_MAX_LENGTH_DEFAULT;
}

int swirl_framing_set_eof(swirl_framing_t *f, const void *eof, size_t len, bool split) {
    if (!eof || len == 0 || len > SWIRL_FRAMING_EOF_MAX)
        return swirl__error(SWIRL_ESETTING, "package_eof: expected 1..%d bytes, got %zu",
                            SWIRL_FRAMING_EOF_MAX, eof ? len : 0);
    f->kind = SWIRL_FRAMING_EOF;
    memcpy(f->eof, eof, len);
    f->eof_len = (uint8_t)len;
    f->eof_split = split;
    return 0;
}

static int type_size(char type) {
    switch (type) {
    case 'c':
    case 'C':
        return 1;
    case 's':
    case 'S':
    case 'n':
    case 'v':
        return 2;
    case 'l':
    case 'L':
    case 'N':
    case 'V':
        return 4;
    default:
        return 0;
    }
}

int swirl_framing_set_length(swirl_framing_t *f, char type, uint32_t offset, uint32_t body_offset) {
    int size = type_size(type);
    if (size == 0)
        return swirl__error(SWIRL_ESETTING,
                            "package_length_type: expected one of c C s S n N l L v V, got \"%c\"",
                            type > 32 && type < 127 ? type : '?');
    if (offset > 64 * 1024 || body_offset > 64 * 1024)
        return swirl__error(SWIRL_ESETTING,
                            "package_length_offset/package_body_offset: at most 65536, got %u/%u",
                            offset, body_offset);
    f->kind = SWIRL_FRAMING_LENGTH;
    f->length_fn = NULL;
    f->length_type = type;
    f->length_size = (uint8_t)size;
    f->length_offset = offset;
    f->body_offset = body_offset;
    return 0;
}

int swirl_framing_set_max_length(swirl_framing_t *f, size_t max_length) {
    if (max_length < 1)
        return swirl__error(SWIRL_ESETTING, "package_max_length: must be at least 1, got %zu",
                            max_length);
    f->max_length = max_length;
    return 0;
}

/* Decode the length field at p; negative values come back negative. */
static int64_t get_length(char type, const unsigned char *p) {
    uint16_t u16;
    uint32_t u32;
    switch (type) {
    case 'c':
        return (int8_t)p[0];
    case 'C':
        return p[0];
    case 's':
        memcpy(&u16, p, 2);
        return (int16_t)u16;
    case 'S':
        memcpy(&u16, p, 2);
        return u16;
    case 'n':
        memcpy(&u16, p, 2);
        return be16toh(u16);
    case 'v':
        memcpy(&u16, p, 2);
        return le16toh(u16);
    case 'l':
        memcpy(&u32, p, 4);
        return (int32_t)u32;
    case 'L':
        memcpy(&u32, p, 4);
        return u32;
    case 'N':
        memcpy(&u32, p, 4);
        return be32toh(u32);
    case 'V':
        memcpy(&u32, p, 4);
        return le32toh(u32);
    default:
        return -1;
    }
}

static ssize_t next_eof(const swirl_framing_t *f, const unsigned char *p, size_t len,
                        size_t *scan_from) {
    if (!f->eof_split) {
        /* open_eof_check: deliver what we have once it ends with the EOF. */
        if (len > f->max_length)
            return SWIRL_ETOOBIG; /* even when it ends with the EOF */
        if (len >= f->eof_len && memcmp(p + len - f->eof_len, f->eof, f->eof_len) == 0)
            return (ssize_t)len;
        return 0;
    }
    size_t from = scan_from ? *scan_from : 0;
    /* The delimiter may straddle the previous end: back up eof_len - 1. */
    from = from >= f->eof_len ? from - (f->eof_len - 1) : 0;
    const unsigned char *hit = NULL;
    if (len > from)
        hit = memmem(p + from, len - from, f->eof, f->eof_len);
    if (hit) {
        size_t n = (size_t)(hit - p) + f->eof_len;
        return n > f->max_length ? SWIRL_ETOOBIG : (ssize_t)n;
    }
    if (scan_from)
        *scan_from = len;
    return len >= f->max_length ? SWIRL_ETOOBIG : 0;
}

ssize_t swirl_framing_next(const swirl_framing_t *f, const void *data, size_t len,
                           size_t *scan_from) {
    const unsigned char *p = data;
    switch (f->kind) {
    case SWIRL_FRAMING_NONE:
        return (ssize_t)len;
    case SWIRL_FRAMING_EOF:
        return next_eof(f, p, len, scan_from);
    case SWIRL_FRAMING_LENGTH:
        break;
    }
    if (f->length_fn) {
        if (len == 0)
            return 0;
        ssize_t n = f->length_fn(data, len, f->length_user);
        if (n < 0)
            return SWIRL_EPROTO;
        if ((uint64_t)n > f->max_length)
            return SWIRL_ETOOBIG;
        if (n == 0) /* still no length in max_length bytes: the message cannot fit */
            return len >= f->max_length ? SWIRL_ETOOBIG : 0;
        return len >= (size_t)n ? n : 0;
    }
    if (len < (size_t)f->length_offset + f->length_size)
        return 0;
    int64_t body = get_length(f->length_type, p + f->length_offset);
    if (body < 0)
        return SWIRL_EPROTO;
    uint64_t total = (uint64_t)f->body_offset + (uint64_t)body;
    if (total > f->max_length)
        return SWIRL_ETOOBIG;
    if (total == 0 || total < (uint64_t)f->length_offset + f->length_size)
        return SWIRL_EPROTO; /* a message that ends inside its own length field */
    return len >= total ? (ssize_t)total : 0;
}

int swirl_framing_set_length_fn(swirl_framing_t *f, swirl_framing_length_fn fn, void *user) {
    if (!f || !fn)
        return swirl__error(SWIRL_EBADARG, "package_length_func: no function");
    f->kind = SWIRL_FRAMING_LENGTH;
    f->length_fn = fn;
    f->length_user = user;
    return 0;
}

int swirl_framing_put_length(const swirl_framing_t *f, void *header, size_t body_len) {
    unsigned char *p = (unsigned char *)header + f->length_offset;
    uint64_t max;
    switch (f->length_type) {
    case 'c':
        max = INT8_MAX;
        break;
    case 'C':
        max = UINT8_MAX;
        break;
    case 's':
        max = INT16_MAX;
        break;
    case 'S':
    case 'n':
    case 'v':
        max = UINT16_MAX;
        break;
    case 'l':
        max = INT32_MAX;
        break;
    default:
        max = UINT32_MAX;
        break;
    }
    if (f->kind != SWIRL_FRAMING_LENGTH)
        return SWIRL_EBADARG;
    /* the field holds the bytes after body_offset, i.e. the body */
    if ((uint64_t)body_len > max)
        return SWIRL_ETOOBIG;
    uint16_t u16;
    uint32_t u32;
    switch (f->length_type) {
    case 'c':
    case 'C':
        p[0] = (unsigned char)body_len;
        break;
    case 's':
    case 'S':
        u16 = (uint16_t)body_len;
        memcpy(p, &u16, 2);
        break;
    case 'n':
        u16 = htobe16((uint16_t)body_len);
        memcpy(p, &u16, 2);
        break;
    case 'v':
        u16 = htole16((uint16_t)body_len);
        memcpy(p, &u16, 2);
        break;
    case 'l':
    case 'L':
        u32 = (uint32_t)body_len;
        memcpy(p, &u32, 4);
        break;
    case 'N':
        u32 = htobe32((uint32_t)body_len);
        memcpy(p, &u32, 4);
        break;
    case 'V':
        u32 = htole32((uint32_t)body_len);
        memcpy(p, &u32, 4);
        break;
    }
    return 0;
}

int swirl__framing_conf_build(const swirl__framing_conf_t *fc, swirl_framing_t *f) {
    swirl_framing_init(f);
    int rc = swirl_framing_set_max_length(f, (size_t)fc->package_max_length);
    if (rc == 0 && fc->open_length_check)
        rc = swirl_framing_set_length(f, fc->package_length_type,
                                      (uint32_t)fc->package_length_offset,
                                      (uint32_t)fc->package_body_offset);
    else if (rc == 0 && (fc->open_eof_check || fc->open_eof_split))
        rc = swirl_framing_set_eof(f, fc->package_eof, fc->package_eof_len, fc->open_eof_split);
    return rc;
}
