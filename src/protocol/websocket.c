/* src/protocol/websocket.c — WebSocket frame headers, masking, the
 * handshake's accept key (OpenSSL SHA-1 and base64) and an incremental
 * UTF-8 validator. No state beyond what the caller keeps: the server
 * (src/websocket/) drives these over each connection's bytes. */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#include "../core/internal.h"
#include <swirl/protocol.h>

int swirl_ws_header_parse(const void *data, size_t n, uint8_t rsv_allowed, swirl_ws_header_t *h) {
    const uint8_t *p = data;
    if (n < 2)
        return 0;
    h->fin = p[0] & 0x80;
    h->rsv = (uint8_t)((p[0] >> 4) & 0x7);
    h->opcode = p[0] & 0x0f;
    h->masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    if (h->rsv & ~rsv_allowed)
        return swirl__error(SWIRL_EPROTO, "websocket: reserved bits 0x%x set without an "
                                          "extension", h->rsv);
    bool control = h->opcode & 0x8;
    if (!swirl_ws_opcode_valid(h->opcode))
        return swirl__error(SWIRL_EPROTO, "websocket: reserved opcode %u", h->opcode);
    if (control && !h->fin)
        return swirl__error(SWIRL_EPROTO, "websocket: fragmented control frame (opcode %u)",
                            h->opcode);
    if (control && len > SWIRL_WS_CONTROL_MAX)
        return swirl__error(SWIRL_EPROTO, "websocket: control frame (opcode %u) with a payload "
                                          "over 125 bytes", h->opcode);
    size_t size = 2;
    if (len == 126) {
        if (n < 4)
            return 0;
        len = (uint64_t)p[2] << 8 | p[3];
        if (len < 126) /* RFC 6455 §5.2: the minimal encoding, always */
            return swirl__error(SWIRL_EPROTO, "websocket: length %u not in its minimal encoding",
                                (unsigned)len);
        size = 4;
    } else if (len == 127) {
        if (n < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | p[2 + i];
        if (len >> 63)
            return swirl__error(SWIRL_EPROTO, "websocket: 64-bit length with its top bit set");
        if (len <= 0xffff)
            return swirl__error(SWIRL_EPROTO, "websocket: length %llu not in its minimal encoding",
                                (unsigned long long)len);
        size = 10;
    }
    if (h->masked) {
        if (n < size + 4)
            return 0;
        memcpy(h->mask, p + size, 4);
        size += 4;
    }
    h->len = len;
    h->size = size;
    return (int)size;
}

size_t swirl_ws_header_write(void *out, bool fin, int opcode, uint64_t len, const uint8_t *mask) {
    uint8_t *p = out;
    p[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    uint8_t m = mask ? 0x80 : 0;
    size_t size;
    if (len < 126) {
        p[1] = (uint8_t)(m | len);
        size = 2;
    } else if (len <= 0xffff) {
        p[1] = m | 126;
        p[2] = (uint8_t)(len >> 8);
        p[3] = (uint8_t)len;
        size = 4;
    } else {
        p[1] = m | 127;
        for (int i = 0; i < 8; i++)
            p[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        size = 10;
    }
    if (mask) {
        memcpy(p + size, mask, 4);
        size += 4;
    }
    return size;
}

void swirl_ws_unmask_copy(void *dst, const void *src, size_t n, const uint8_t mask[4],
                          uint64_t offset) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    size_t i = 0;
    /* head bytes until the mask phase is 0, then 8 bytes at a time */
    for (; i < n && (offset + i) % 4; i++)
        d[i] = s[i] ^ mask[(offset + i) % 4];
    uint32_t m32;
    memcpy(&m32, mask, 4);
    uint64_t m64 = (uint64_t)m32 << 32 | m32;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        v ^= m64;
        memcpy(d + i, &v, 8);
    }
    for (; i < n; i++)
        d[i] = s[i] ^ mask[(offset + i) % 4];
}

void swirl_ws_unmask(void *p, size_t n, const uint8_t mask[4], uint64_t offset) {
    swirl_ws_unmask_copy(p, p, n, mask, offset);
}

static int b64val(char c) {
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

int swirl_ws_accept_key(const char *key, size_t len, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /* 16 bytes in base64: 22 characters, then "==" */
    if (!key || len != 24 || key[22] != '=' || key[23] != '=')
        return swirl__error(SWIRL_EPROTO, "websocket: Sec-WebSocket-Key is not 16 bytes in "
                                          "base64 (%zu characters)", key ? len : 0);
    for (size_t i = 0; i < 22; i++)
        if (b64val(key[i]) < 0)
            return swirl__error(SWIRL_EPROTO, "websocket: Sec-WebSocket-Key has a byte 0x%02x "
                                              "that is not base64", (unsigned char)key[i]);
    if (b64val(key[21]) & 0xf) /* the last character carries 2 bits: the rest must be 0 */
        return swirl__error(SWIRL_EPROTO, "websocket: Sec-WebSocket-Key is not canonical "
                                          "base64");
    unsigned char buf[24 + sizeof(guid) - 1], digest[SHA_DIGEST_LENGTH];
    memcpy(buf, key, 24);
    memcpy(buf + 24, guid, sizeof(guid) - 1);
    SHA1(buf, sizeof(buf), digest);
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH); /* 28 chars + NUL */
    return 0;
}

bool swirl_ws_close_code_valid(int code) {
    if (code >= 3000 && code <= 4999)
        return true;
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

bool swirl_ws_opcode_valid(int opcode) {
    return (opcode >= SWIRL_WS_CONTINUATION && opcode <= SWIRL_WS_BINARY) ||
           (opcode >= SWIRL_WS_CLOSE && opcode <= SWIRL_WS_PONG);
}

int swirl_ws_frame_check(int opcode, bool fin, size_t len) {
    if (!swirl_ws_opcode_valid(opcode))
        return swirl__error(SWIRL_EBADARG, "opcode %d is not a WebSocket opcode", opcode);
    if (opcode < SWIRL_WS_CLOSE)
        return 0;
    if (len > SWIRL_WS_CONTROL_MAX)
        return swirl__error(SWIRL_EBADARG,
                            "a control frame (opcode %d) has at most 125 bytes, not %zu", opcode,
                            len);
    if (!fin)
        return swirl__error(SWIRL_EBADARG, "a control frame (opcode %d) is never fragmented",
                            opcode);
    return 0;
}

int swirl_ws_close_payload(const void *p, size_t n, int *code, const char **reason,
                           size_t *reason_len) {
    const unsigned char *b = p;
    if (n == 1)
        return swirl__error(SWIRL_EPROTO, "a close frame's payload is empty or starts with a "
                                          "2-byte code, not 1 byte");
    *code = n >= 2 ? b[0] << 8 | b[1] : SWIRL_WS_CLOSE_NO_STATUS;
    *reason = n > 2 ? (const char *)b + 2 : "";
    *reason_len = n > 2 ? n - 2 : 0;
    return 0;
}

int swirl_ws_close_check(int64_t code, const void *reason, size_t len) {
    if (code < 0 || code > 65535 || !swirl_ws_close_code_valid((int)code))
        return swirl__error(SWIRL_EBADARG,
                            "close code %lld is not one to send (1000-1003, 1007-1011, 3000-4999)",
                            (long long)code);
    if (len > SWIRL_WS_CONTROL_MAX - 2)
        return swirl__error(SWIRL_EBADARG, "the close reason has %zu bytes: at most 123", len);
    swirl_utf8_t u = {0};
    if ((len && memchr(reason, '\0', len)) || !swirl_utf8_feed(&u, reason, len) ||
        !swirl_utf8_complete(&u))
        return swirl__error(SWIRL_EBADARG, "the close reason must be UTF-8 text without NUL bytes");
    return 0;
}

bool swirl_utf8_feed(swirl_utf8_t *u, const void *data, size_t n) {
    const uint8_t *p = data, *e = p + n;
    while (p < e) {
        if (u->need == 0) {
            /* ASCII runs, 8 bytes at a time */
            while (e - p >= 8) {
                uint64_t v;
                memcpy(&v, p, 8);
                if (v & 0x8080808080808080ull)
                    break;
                p += 8;
            }
            if (p == e)
                break;
            uint8_t c = *p++;
            if (c < 0x80)
                continue;
            if (c >= 0xc2 && c <= 0xdf) {
                *u = (swirl_utf8_t){1, 0x80, 0xbf};
            } else if (c >= 0xe0 && c <= 0xef) {
                /* E0: no overlong (A0..); ED: no surrogates (..9F) */
                *u = (swirl_utf8_t){2, c == 0xe0 ? 0xa0 : 0x80, c == 0xed ? 0x9f : 0xbf};
            } else if (c >= 0xf0 && c <= 0xf4) {
                /* F0: no overlong (90..); F4: nothing past U+10FFFF (..8F) */
                *u = (swirl_utf8_t){3, c == 0xf0 ? 0x90 : 0x80, c == 0xf4 ? 0x8f : 0xbf};
            } else {
                return false; /* 80..C1 (continuation or overlong lead), F5..FF */
            }
        } else {
            uint8_t c = *p++;
            if (c < u->lo || c > u->hi)
                return false;
            u->need--;
            u->lo = 0x80;
            u->hi = 0xbf;
        }
    }
    return true;
}

bool swirl_utf8_complete(const swirl_utf8_t *u) { return u->need == 0; }

int swirl_ws_frame_append(swirl_buf_t *out, bool fin, uint8_t rsv, int opcode, const void *p,
                          size_t n, const uint8_t *mask) {
    if (n > SIZE_MAX - SWIRL_WS_HEADER_MAX)
        return swirl__error(SWIRL_ETOOBIG, "websocket: a frame of %zu bytes", n);
    int rc = swirl_buf_reserve(out, SWIRL_WS_HEADER_MAX + n);
    if (rc < 0)
        return swirl__error(rc, "websocket: a frame of %zu bytes:", n);
    uint8_t *dst = (uint8_t *)out->data + out->len;
    size_t h = swirl_ws_header_write(dst, fin, opcode, n, mask);
    dst[0] |= (uint8_t)((rsv & 0x7) << 4);
    if (n && mask)
        swirl_ws_unmask_copy(dst + h, p, n, mask, 0);
    else if (n)
        memcpy(dst + h, p, n);
    out->len += h + n;
    return 0;
}
