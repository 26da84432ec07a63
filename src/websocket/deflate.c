/* src/websocket/deflate.c — permessage-deflate (RFC 7692) with zlib.
 *
 * Negotiation: the first permessage-deflate offer swirl can honour is
 * accepted, and the answer always carries server_no_context_takeover: every
 * message swirl sends is compressed on its own. That is what lets any
 * worker compress a push (with its own reusable deflate stream) to a
 * connection another worker owns. Messages from the client may use context
 * takeover: they are inflated in the owning worker with one stream per
 * connection, kept across messages. An offer asking for
 * server_max_window_bits=8 is declined (zlib's raw deflate cannot promise
 * a 256-byte window); a bad or repeated parameter declines that offer. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "internal.h"

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* One offer p[0..n) ("permessage-deflate; a; b=1"): true when it can be
 * honoured, with the answer's parameters in *out. */
static bool one_offer(const char *p, size_t n, swirl__ws_deflate_t *out) {
    swirl__ws_deflate_t d = {.server_bits = 15};
    bool seen[4] = {false, false, false, false};
    size_t i = 0;
    /* the extension name */
    while (i < n && is_ows(p[i]))
        i++;
    size_t s = i;
    while (i < n && p[i] != ';' && !is_ows(p[i]))
        i++;
    if (i - s != 18 || strncasecmp(p + s, "permessage-deflate", 18) != 0)
        return false;
    while (i < n) {
        while (i < n && (is_ows(p[i]) || p[i] == ';'))
            i++;
        if (i == n)
            break;
        s = i;
        while (i < n && p[i] != '=' && p[i] != ';' && !is_ows(p[i]))
            i++;
        size_t nl = i - s;
        const char *name = p + s;
        while (i < n && is_ows(p[i]))
            i++;
        const char *val = NULL;
        size_t vl = 0;
        if (i < n && p[i] == '=') {
            i++;
            while (i < n && is_ows(p[i]))
                i++;
            bool quoted = i < n && p[i] == '"';
            i += quoted;
            val = p + i;
            while (i < n && p[i] != ';' && p[i] != '"' && !is_ows(p[i]))
                i++;
            vl = (size_t)(p + i - val);
            i += quoted && i < n && p[i] == '"';
        }
        int bits = 0;
        if (val) {
            if (vl < 1 || vl > 2)
                return false;
            for (size_t k = 0; k < vl; k++)
                if (val[k] < '0' || val[k] > '9')
                    return false;
            bits = vl == 1 ? val[0] - '0' : (val[0] - '0') * 10 + val[1] - '0';
            if (bits < 8 || bits > 15)
                return false;
        }
        int which;
        if (nl == 26 && strncasecmp(name, "server_no_context_takeover", 26) == 0 && !val)
            which = 0;
        else if (nl == 26 && strncasecmp(name, "client_no_context_takeover", 26) == 0 && !val)
            which = 1;
        else if (nl == 22 && strncasecmp(name, "server_max_window_bits", 22) == 0 && val)
            which = 2;
        else if (nl == 22 && strncasecmp(name, "client_max_window_bits", 22) == 0)
            which = 3;
        else
            return false; /* unknown, or a value where none belongs */
        if (seen[which])
            return false;
        seen[which] = true;
        if (which == 1)
            d.client_no_context = true;
        else if (which == 2) {
            if (bits == 8)
                return false;
            d.server_bits = bits;
        }
    }
    *out = d;
    return true;
}

bool swirl__ws_deflate_negotiate(const char *v, size_t n, swirl__ws_deflate_t *out, char *answer,
                                 size_t size) {
    /* offers are comma-separated (commas never occur inside one here) */
    for (size_t i = 0; i < n;) {
        const char *e = memchr(v + i, ',', n - i);
        size_t len = e ? (size_t)(e - (v + i)) : n - i;
        swirl__ws_deflate_t d;
        if (one_offer(v + i, len, &d)) {
            *out = d;
            int k = snprintf(answer, size, "permessage-deflate; server_no_context_takeover");
            if (d.client_no_context && k > 0 && (size_t)k < size)
                k += snprintf(answer + k, size - (size_t)k, "; client_no_context_takeover");
            if (d.server_bits != 15 && k > 0 && (size_t)k < size)
                snprintf(answer + k, size - (size_t)k, "; server_max_window_bits=%d",
                         d.server_bits);
            return true;
        }
        i += len + 1;
    }
    return false;
}

static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};

int swirl__ws_compress(z_stream *z, int *z_bits, int bits, int level, const void *in, size_t n,
                       swirl_buf_t *out) {
    if (*z_bits != bits) {
        if (*z_bits)
            deflateEnd(z);
        *z_bits = 0;
        memset(z, 0, sizeof(*z));
        if (deflateInit2(z, level, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return swirl__error(-ENOMEM, "websocket: deflate:");
        *z_bits = bits;
    } else if (deflateReset(z) != Z_OK) { /* server_no_context_takeover: each message alone */
        return swirl__error(SWIRL_EPROTO, "websocket: deflate reset failed");
    }
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    for (;;) {
        if (swirl_buf_reserve(out, n / 2 + 64) < 0)
            return swirl__error(-ENOMEM, "websocket: deflate:");
        z->next_out = (Bytef *)(out->data + out->len);
        z->avail_out = (uInt)(out->cap - out->len);
        size_t before = z->avail_out;
        int rc = deflate(z, Z_SYNC_FLUSH);
        out->len += before - z->avail_out;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return swirl__error(SWIRL_EPROTO, "websocket: deflate failed (%d)", rc);
        if (z->avail_in == 0 && z->avail_out > 0)
            break;
    }
    /* a sync flush ends with 00 00 ff ff: the receiver adds it back */
    if (swirl_buf_size(out) >= 4 && memcmp(out->data + out->len - 4, tail, 4) == 0)
        out->len -= 4;
    return 0;
}

int swirl__ws_inflate(z_stream *z, const void *in, size_t n, swirl_buf_t *out, size_t max,
                      swirl_utf8_t *utf8) {
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    for (;;) {
        /* never more than one byte past the limit (that byte is how a
         * message over the limit shows), whatever room the buffer has */
        size_t size = swirl_buf_size(out), left = size <= max ? max - size + 1 : 1;
        if (swirl_buf_reserve(out, left < 16384 ? left : 16384) < 0)
            return swirl__error(-ENOMEM, "websocket: inflate:");
        char *dst = out->data + out->len;
        size_t room = out->cap - out->len;
        if (room > left)
            room = left;
        z->next_out = (Bytef *)dst;
        z->avail_out = (uInt)room;
        size_t before = z->avail_out;
        int rc = inflate(z, Z_SYNC_FLUSH);
        size_t made = before - z->avail_out;
        out->len += made;
        if (swirl_buf_size(out) > max)
            return swirl__error(SWIRL_ETOOBIG,
                                "inflated message larger than "
                                "package_max_length (%zu bytes)",
                                max);
        if (utf8 && !swirl_utf8_feed(utf8, dst, made))
            return swirl__error(SWIRL_EBADARG, "text message is not UTF-8");
        if (rc == Z_STREAM_END && inflateReset(z) != Z_OK) /* a final block: a new stream next */
            return swirl__error(SWIRL_EPROTO, "websocket: inflate reset failed");
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return swirl__error(SWIRL_EPROTO, "compressed message is not valid deflate data");
        if (z->avail_in == 0 && z->avail_out > 0)
            return 0; /* all taken, all given out */
        if (rc == Z_BUF_ERROR && made == 0)
            return 0; /* no progress possible: wants more input */
    }
}

int swirl__ws_inflate_end_message(z_stream *z, swirl_buf_t *out, size_t max, swirl_utf8_t *utf8,
                                  bool reset) {
    int rc = swirl__ws_inflate(z, tail, sizeof(tail), out, max, utf8);
    if (rc == 0 && reset && inflateReset(z) != Z_OK)
        rc = swirl__error(SWIRL_EPROTO, "websocket: inflate reset failed");
    return rc;
}
