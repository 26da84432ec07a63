/* tests/fuzz/websocket_frame.c — libFuzzer target for the WebSocket frame
 * reader (`make fuzz`: clang, ASan + UBSan). The input is read as a
 * client's byte stream would be: frame headers parsed (short inputs must
 * ask for more, never over-read), payloads unmasked in pieces that must
 * agree with unmasking whole, text fed to the UTF-8 validator split in two
 * and whole (same verdict), a 24-byte prefix tried as a handshake key, and
 * each header written back and parsed again to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char accept[29];
    if (size >= 24)
        swirl_ws_accept_key((const char *)data, 24, accept);
    size_t off = 0;
    while (off < size) {
        swirl_ws_header_t h;
        int rc = swirl_ws_header_parse(data + off, size - off, 0x7, &h);
        if (rc <= 0)
            break;
        uint8_t back[SWIRL_WS_HEADER_MAX];
        size_t bn = swirl_ws_header_write(back, h.fin, h.opcode, h.len, h.masked ? h.mask : NULL);
        swirl_ws_header_t h2;
        if (swirl_ws_header_parse(back, bn, 0x7, &h2) != (int)bn || h2.len != h.len ||
            h2.opcode != h.opcode || h2.fin != h.fin)
            abort();
        off += (size_t)rc;
        size_t n = h.len < size - off ? (size_t)h.len : size - off;
        uint8_t *whole = malloc(n + 1), *parts = malloc(n + 1);
        if (!whole || !parts) {
            free(whole);
            free(parts);
            return 0;
        }
        swirl_ws_unmask_copy(whole, data + off, n, h.mask, 0);
        size_t cut = n ? data[off] % (n + 1) : 0;
        memcpy(parts, data + off, n);
        swirl_ws_unmask(parts, cut, h.mask, 0);
        swirl_ws_unmask(parts + cut, n - cut, h.mask, cut);
        if (memcmp(whole, parts, n) != 0)
            abort();
        swirl_utf8_t a = {0}, b = {0};
        bool one = swirl_utf8_feed(&a, whole, n) && swirl_utf8_complete(&a);
        bool two = swirl_utf8_feed(&b, whole, cut) && swirl_utf8_feed(&b, whole + cut, n - cut) &&
                   swirl_utf8_complete(&b);
        if (one != two)
            abort();
        free(whole);
        free(parts);
        off += n;
    }
    return 0;
}
