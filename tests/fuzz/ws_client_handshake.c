/* tests/fuzz/ws_client_handshake.c — libFuzzer target for the WebSocket
 * client's check of a server's 101 (src/websocket/client_handshake.c):
 * the first byte picks what was offered (subprotocols, permessage-deflate
 * and its parameters) and whether the input follows a valid 101's first
 * lines (so the fuzzer reaches the subprotocol and extension rules). A
 * head accepted must agree with the offer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/protocol.h>

#include "fuzz.h"
#include "websocket/client_internal.h"

/* RFC 6455's example key */
static const char accept_key[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
static const char prefix[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                             "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    static const char *const protos[] = {"chat", "superchat", NULL};
    const char *const *offered = mode & 1 ? protos : NULL;
    o.deflate = mode & 2;
    o.client_max_window_bits = mode & 4 ? -1 : (mode & 8 ? 10 : 0);
    o.server_max_window_bits = mode & 16 ? 12 : 0;
    o.server_no_context_takeover = mode & 32;
    bool pre = mode & 64;
    size_t plen = pre ? sizeof(prefix) - 1 : 0;
    char *head = malloc(plen + size + 1);
    if (!head)
        return 0;
    memcpy(head, prefix, plen);
    memcpy(head + plen, data, size);
    size_t scan = 0;
    ssize_t e = swirl_http_head_end(head, plen + size, &scan);
    if (e > 0) {
        swirl__wsc_agreed_t a;
        if (swirl__wsc_check_response(head, (size_t)e, accept_key, offered, &o, &a) == 0) {
            FUZZ_CHECK(!a.protocol[0] || (offered && (strcmp(a.protocol, "chat") == 0 ||
                                                      strcmp(a.protocol, "superchat") == 0)));
            FUZZ_CHECK(!a.deflate || o.deflate);
            FUZZ_CHECK(!a.deflate || (a.client_bits >= 8 && a.client_bits <= 15));
            FUZZ_CHECK(!a.deflate || o.client_max_window_bits <= 0 ||
                       a.client_bits <= o.client_max_window_bits);
            FUZZ_CHECK(!a.deflate || !o.server_no_context_takeover || a.server_no_context);
        }
    }
    free(head);
    return 0;
}
