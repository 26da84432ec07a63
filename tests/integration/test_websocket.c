/* tests/integration/test_websocket.c — the WebSocket server's C API over
 * real sockets, in BASE and PROCESS mode: open, the handshake callback and
 * subprotocols, push/disconnect/status, control frames delivered on
 * request, bad handshakes and settings, permessage-deflate (every offer
 * combination, context takeover, RSV1 misuse, bombs) and pings on an
 * interval with the heartbeat. The protocol categories are in
 * test_websocket_conformance.c. */
#include "ws_harness.h"

TU_SUITE(websocket);

/* ---- the API ------------------------------------------------------------------------------------ */

static void api(const char *mode) {
    int port = start((variant_t){.mode = mode});
    /* open pushes a welcome */
    int fd = ws_open(port, "/welcome", NULL);
    expect_echo(fd, SWIRL_WS_TEXT, "welcome", 7);
    msg_out(fd, SWIRL_WS_TEXT, "cmd:status", 10);
    in_frame_t f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "status 3 est 1 exist 1 gone 0/-1007");
    free(f.data);
    msg_out(fd, SWIRL_WS_TEXT, "cmd:pushbad", 11);
    f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "1 1 1 1", "bad pushes refused with their codes");
    free(f.data);
    /* disconnect from the server: close with code and reason, answered, closed */
    msg_out(fd, SWIRL_WS_TEXT, "cmd:close:4001:bye now", 22);
    f = frame_in(fd, 5000);
    cr_assert_eq(f.opcode, SWIRL_WS_CLOSE);
    cr_assert_eq(f.len, 9);
    cr_assert_eq(f.data[0] << 8 | f.data[1], 4001);
    cr_assert_eq(memcmp(f.data + 2, "bye now", 7), 0);
    free(f.data);
    msg_out(fd, SWIRL_WS_CLOSE, "\x0f\xa1", 2);
    uint8_t b;
    struct pollfd pf = {fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 3000), 0);
    cr_assert_leq(recv(fd, &b, 1, 0), 0, "closed after the client's answer, nothing more sent");
    close(fd);
    /* a plain request still gets the HTTP handler */
    fd = dial(port);
    put(fd, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n", 28);
    char head[2048];
    read_head(fd, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 200 "), "%s", head);
    close(fd);
    /* bad handshakes: no upgrade, the reason said */
    static const struct {
        const char *req, *status, *why;
    } bad[] = {
        {"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
         "426 ", "Sec-WebSocket-Version: 13"},
        {"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n",
         "400 ", "no Sec-WebSocket-Key"},
        {"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short==\r\n\r\n",
         "400 ", "not 16 bytes"},
        {"POST / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Content-Length: 0\r\n\r\n",
         "400 ", "GET"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fd = dial(port);
        put(fd, bad[i].req, strlen(bad[i].req));
        char out[4096] = "";
        size_t n = 0;
        for (;;) {
            pf = (struct pollfd){fd, POLLIN, 0};
            if (poll(&pf, 1, 3000) <= 0)
                break;
            ssize_t r = recv(fd, out + n, sizeof(out) - 1 - n, 0);
            if (r <= 0)
                break;
            n += (size_t)r;
            out[n] = 0;
        }
        cr_assert(strstr(out, bad[i].status) && strstr(out, bad[i].why) && !strstr(out, " 101 "),
                  "case %zu: %s", i, out);
        close(fd);
    }
    stop();

    /* the handshake callback: refusal, subprotocols, no open */
    port = start((variant_t){.mode = mode, .handshake_cb = true});
    static const char deny[] =
        "GET /deny HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    fd = dial(port);
    put(fd, deny, sizeof(deny) - 1);
    read_head(fd, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 403 "), "%s", head);
    close(fd);
    static const char sub[] =
        "GET /welcome HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: other, superchat\r\n\r\n";
    int ws = dial(port);
    put(ws, sub, sizeof(sub) - 1);
    read_head(ws, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 101 ") && strstr(head, "Sec-WebSocket-Protocol: superchat"),
              "%s", head);
    msg_out(ws, SWIRL_WS_TEXT, "hi", 2);
    expect_echo(ws, SWIRL_WS_TEXT, "hi", 2); /* no welcome first: open is not called */
    close(ws);
    stop();

    /* control frames delivered to message on request */
    port = start((variant_t){.mode = mode, .control_frames = true});
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_PING, "pp", 2);
    f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "got ping pp", "the ping went to message, no pong");
    free(f.data);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe9going", 7);
    f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "got close 1001 going");
    free(f.data);
    f = frame_in(fd, 5000);
    cr_assert_eq(f.opcode, SWIRL_WS_CLOSE);
    cr_assert_eq(f.data[0] << 8 | f.data[1], 4000);
    free(f.data);
    /* the callback's answer ended it: no wait for another close */
    pf = (struct pollfd){fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 2000), 0, "closed at once after answering the client's close");
    cr_assert_leq(recv(fd, &b, 1, 0), 0);
    close(fd);
    /* a delivered close the callback leaves alone: answered with its code */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x0f\xa2quiet", 7);
    f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "got close 4002 quiet", "%s", f.data);
    free(f.data);
    pf = (struct pollfd){fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 2000), 0);
    f = frame_in(fd, 2000);
    cr_assert_eq(f.opcode, SWIRL_WS_CLOSE);
    cr_assert_eq(f.data[0] << 8 | f.data[1], 4002);
    free(f.data);
    pf = (struct pollfd){fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 2000), 0, "closed after the server's answer");
    cr_assert_leq(recv(fd, &b, 1, 0), 0);
    close(fd);
    stop();
}

/* A handshake callback that writes its own 101 (status, headers, end) gets
 * an established connection when its accept key is right; a wrong key or
 * no answer at all ends the connection after what was sent. */
static void own_101(const char *mode) {
    int port = start((variant_t){.mode = mode, .handshake_cb = true});
    char req[512], head[2048];
    static const char fmt[] =
        "GET %s HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    int fd = dial(port);
    int n = snprintf(req, sizeof(req), fmt, "/own");
    put(fd, req, (size_t)n);
    read_head(fd, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 101 ") &&
                  strstr(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") &&
                  strstr(head, "X-Early-Push-Refused: yes"),
              "%s", head);
    msg_out(fd, SWIRL_WS_TEXT, "hello", 5);
    expect_echo(fd, SWIRL_WS_TEXT, "hello", 5);
    msg_out(fd, SWIRL_WS_TEXT, "cmd:status", 10);
    in_frame_t f = frame_in(fd, 5000);
    cr_assert_str_eq((char *)f.data, "status 3 est 1 exist 1 gone 0/-1007");
    free(f.data);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_close(fd, 1000, "own 101: the client's close answered");
    close(fd);
    /* the request and a frame in one write: the frame waits for the 101 */
    fd = dial(port);
    n = snprintf(req, sizeof(req), fmt, "/own");
    static const uint8_t mask[4] = {1, 2, 3, 4};
    uint8_t fr[16];
    size_t h = swirl_ws_header_write(fr, true, SWIRL_WS_TEXT, 2, mask);
    memcpy(fr + h, "yo", 2);
    swirl_ws_unmask(fr + h, 2, mask, 0);
    memcpy(req + n, fr, h + 2);
    put(fd, req, (size_t)n + h + 2);
    read_head(fd, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 101 "), "%s", head);
    expect_echo(fd, SWIRL_WS_TEXT, "yo", 2);
    close(fd);
    /* a wrong accept key, no answer: the answer, then the end */
    static const struct {
        const char *path, *status;
    } bad[] = {{"/own-wrong", "HTTP/1.1 101 "}, {"/own-none", "HTTP/1.1 500 "}};
    for (size_t i = 0; i < 2; i++) {
        fd = dial(port);
        n = snprintf(req, sizeof(req), fmt, bad[i].path);
        put(fd, req, (size_t)n);
        read_head(fd, head, sizeof(head));
        cr_assert(strstr(head, bad[i].status), "%s: %s", bad[i].path, head);
        uint8_t b[64];
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t r = 1;
        while (r > 0) { /* a body (500) may come first, then the end */
            cr_assert_gt(poll(&pf, 1, 5000), 0, "%s: closed", bad[i].path);
            r = recv(fd, b, sizeof(b), 0);
        }
        cr_assert_leq(r, 0, "%s: closed by the server", bad[i].path);
        close(fd);
    }
    stop();
}

Test(websocket, handshake_callback_own_101_base, .timeout = 60, .fini = stop) {
    own_101("base");
}
Test(websocket, handshake_callback_own_101_process, .timeout = 60, .fini = stop) {
    own_101("process");
}

Test(websocket, api_base, .timeout = 120, .fini = stop) { api("base"); }
Test(websocket, api_process, .timeout = 120, .fini = stop) { api("process"); }

/* A client that sends messages and then shuts its side down (SHUT_WR)
 * gets every echo, in order, before the connection ends. */
static void messages_then_shut_wr(const char *mode) {
    int port = start((variant_t){.mode = mode});
    int fd = ws_open(port, "/", NULL);
    char m[32];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(m, sizeof(m), "m%d", i);
        msg_out(fd, SWIRL_WS_TEXT, m, (size_t)n);
    }
    shutdown(fd, SHUT_WR);
    for (int i = 0; i < 100; i++) {
        int n = snprintf(m, sizeof(m), "m%d", i);
        expect_echo(fd, SWIRL_WS_TEXT, m, (size_t)n);
    }
    close(fd);
    stop();
}
Test(websocket, messages_then_shut_wr_base, .timeout = 60, .fini = stop) {
    messages_then_shut_wr("base");
}
Test(websocket, messages_then_shut_wr_process, .timeout = 60, .fini = stop) {
    messages_then_shut_wr("process");
}

Test(websocket, bad_settings_and_no_message_callback, .timeout = 30) {
    swirl_ws_server_t *ws;
    cr_assert_eq(swirl_ws_server_new(&ws, "127.0.0.1", 0, SWIRL_MODE_BASE), 0);
    cr_assert_eq(swirl_ws_server_start(ws), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "swirl_ws_on_message"), "%s",
              swirl_last_error_msg());
    swirl_ws_on_message(ws, t_message, NULL);
    cr_assert_lt(swirl_http_server_set_text(swirl_ws_server_http(ws), "websocket_compression",
                                            "maybe"), 0);
    cr_assert(strstr(swirl_last_error_msg(), "websocket_compression"), "%s",
              swirl_last_error_msg());
    cr_assert_eq(swirl_ws_on_message(ws, NULL, NULL), SWIRL_EBADARG);
    swirl_ws_server_free(ws);
}

/* ---- permessage-deflate ------------------------------------------------------------------------- */

/* Raw deflate of p[0..n) with a sync flush and the 00 00 ff ff tail cut,
 * continuing the stream z (context takeover) unless reset. */
static size_t squeeze(z_stream *z, const void *p, size_t n, uint8_t *out, size_t size) {
    z->next_in = (Bytef *)(uintptr_t)p;
    z->avail_in = (uInt)n;
    z->next_out = out;
    z->avail_out = (uInt)size;
    cr_assert_eq(deflate(z, Z_SYNC_FLUSH), Z_OK);
    cr_assert_eq(z->avail_in, 0);
    size_t k = size - z->avail_out;
    cr_assert_geq(k, 4);
    return k - 4;
}

static size_t unsqueeze(const uint8_t *p, size_t n, uint8_t *out, size_t size) {
    z_stream z = {0};
    cr_assert_eq(inflateInit2(&z, -15), Z_OK);
    uint8_t *in = malloc(n + 4);
    memcpy(in, p, n);
    memcpy(in + n, "\x00\x00\xff\xff", 4);
    z.next_in = in;
    z.avail_in = (uInt)(n + 4);
    z.next_out = out;
    z.avail_out = (uInt)size;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    cr_assert(rc == Z_OK || rc == Z_STREAM_END, "the server's message inflates (%d)", rc);
    size_t k = size - z.avail_out;
    inflateEnd(&z);
    free(in);
    return k;
}

static const char offer[] = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

static int ws_open_deflate(int port, const char *extensions, char *head, size_t size) {
    int fd = dial(port);
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "%sSec-WebSocket-Version: 13\r\n%s\r\n", key_hdr, extensions);
    put(fd, req, (size_t)n);
    read_head(fd, head, size);
    cr_assert(strstr(head, "HTTP/1.1 101 "), "%s", head);
    return fd;
}

static void deflate_cases(const char *mode) {
    int port = start((variant_t){.mode = mode, .deflate = true, .max = "64K"});
    char head[2048];
    int fd = ws_open_deflate(port, offer, head, sizeof(head));
    cr_assert(strstr(head, "Sec-WebSocket-Extensions: permessage-deflate; "
                           "server_no_context_takeover\r\n"), "%s", head);
    /* two compressed messages on one client stream (context takeover) */
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    static uint8_t out[1 << 17], back[1 << 17];
    const char *texts[] = {"compressed hello, compressed hello, compressed hello \xe2\x82\xac",
                           "compressed hello, again: the window remembers"};
    for (int i = 0; i < 2; i++) {
        size_t k = squeeze(&z, texts[i], strlen(texts[i]), out, sizeof(out));
        frame_out(fd, true, 0x4, SWIRL_WS_TEXT, out, k, 0, false);
        in_frame_t f = frame_in(fd, 5000);
        cr_assert_eq(f.opcode, SWIRL_WS_TEXT);
        cr_assert(f.rsv1, "the echo is compressed (%zu bytes)", f.len);
        size_t m = unsqueeze(f.data, f.len, back, sizeof(back));
        cr_assert_eq(m, strlen(texts[i]));
        cr_assert_eq(memcmp(back, texts[i], m), 0);
        free(f.data);
    }
    /* a fragmented compressed message: RSV1 on the first frame only */
    static char big[30000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 23);
    size_t k = squeeze(&z, big, sizeof(big), out, sizeof(out));
    frame_out(fd, false, 0x4, SWIRL_WS_BINARY, out, k / 2, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, out + k / 2, k - k / 2, 3, false);
    in_frame_t f = frame_in(fd, 5000);
    cr_assert(f.rsv1);
    cr_assert_eq(unsqueeze(f.data, f.len, back, sizeof(back)), sizeof(big));
    cr_assert_eq(memcmp(back, big, sizeof(big)), 0);
    free(f.data);
    /* short messages and uncompressed ones from the client are fine too */
    msg_out(fd, SWIRL_WS_TEXT, "tiny", 4);
    f = frame_in(fd, 5000);
    cr_assert(!f.rsv1 && f.len == 4 && memcmp(f.data, "tiny", 4) == 0, "short: sent plain");
    free(f.data);
    deflateEnd(&z);
    close(fd);

    /* failures: RSV1 on a continuation or a control frame, bad deflate data,
     * a bomb past package_max_length, compressed text that is not UTF-8 */
    z_stream y = {0};
    cr_assert_eq(deflateInit2(&y, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    fd = ws_open_deflate(port, offer, head, sizeof(head));
    frame_out(fd, false, 0, SWIRL_WS_TEXT, "ab", 2, 0, false);
    frame_out(fd, true, 0x4, SWIRL_WS_CONTINUATION, "cd", 2, 0, false);
    expect_close(fd, 1002, "RSV1 on a continuation");
    close(fd);
    fd = ws_open_deflate(port, offer, head, sizeof(head));
    frame_out(fd, true, 0x4, SWIRL_WS_PING, "", 0, 0, false);
    expect_close(fd, 1002, "RSV1 on a ping");
    close(fd);
    fd = ws_open_deflate(port, offer, head, sizeof(head));
    frame_out(fd, true, 0x4, SWIRL_WS_BINARY, "\xff\xff\xff\xff\xff", 5, 0, false);
    expect_close(fd, 1002, "bad deflate data");
    close(fd);
    fd = ws_open_deflate(port, offer, head, sizeof(head));
    static char zeros[1 << 20];
    k = squeeze(&y, zeros, sizeof(zeros), out, sizeof(out));
    cr_assert_lt(k, 4096, "1 MiB of zeros compresses small");
    frame_out(fd, true, 0x4, SWIRL_WS_BINARY, out, k, 0, false);
    expect_close(fd, 1009, "inflated past package_max_length");
    close(fd);
    deflateReset(&y);
    fd = ws_open_deflate(port, offer, head, sizeof(head));
    k = squeeze(&y, "ok \xed\xa0\x80", 6, out, sizeof(out));
    frame_out(fd, true, 0x4, SWIRL_WS_TEXT, out, k, 0, false);
    expect_close(fd, 1007, "compressed text not UTF-8");
    close(fd);
    deflateEnd(&y);

    /* offers swirl cannot honour: declined, the connection works plain */
    static const char *const declined[] = {
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n",
        "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n",
    };
    for (size_t i = 0; i < sizeof(declined) / sizeof(declined[0]); i++) {
        fd = ws_open_deflate(port, declined[i], head, sizeof(head));
        cr_assert(!strstr(head, "Sec-WebSocket-Extensions"), "offer %zu declined: %s", i, head);
        msg_out(fd, SWIRL_WS_TEXT, "plain text here, long enough to be worth compressing", 52);
        expect_echo(fd, SWIRL_WS_TEXT, "plain text here, long enough to be worth compressing", 52);
        close(fd);
    }
    /* the second offer when the first cannot be: window bits answered */
    fd = ws_open_deflate(port,
                         "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8, "
                         "permessage-deflate; server_max_window_bits=10; "
                         "client_no_context_takeover\r\n",
                         head, sizeof(head));
    cr_assert(strstr(head, "Sec-WebSocket-Extensions: permessage-deflate; "
                           "server_no_context_takeover; client_no_context_takeover; "
                           "server_max_window_bits=10\r\n"), "%s", head);
    close(fd);
    stop();
}

/* Categories 12 and 13 in breadth: every combination of the offer's
 * parameters (client_no_context_takeover; server_max_window_bits none, 9,
 * 12, 15; client_max_window_bits none, bare, 9, 15), each carrying text and
 * binary messages of 64 B to 64 KiB compressed by a client that keeps (or,
 * when it said so, drops) its context; every echo is inflated with the
 * window the answer promised, so a server that used a larger one fails. */
static void deflate_matrix(const char *mode) {
    int port = start((variant_t){.mode = mode, .deflate = true});
    static const char *const server_bits[] = {"", "; server_max_window_bits=9",
                                              "; server_max_window_bits=12",
                                              "; server_max_window_bits=15"};
    static const int server_wbits[] = {15, 9, 12, 15};
    static const char *const client_bits[] = {"", "; client_max_window_bits",
                                              "; client_max_window_bits=9",
                                              "; client_max_window_bits=15"};
    static const int client_wbits[] = {15, 15, 9, 15};
    static char msg[65536];
    /* printable noise repeated every 8 KiB: only a window over 8 KiB finds
     * the repeats, so a server that ignored server_max_window_bits fails */
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(msg); i++) {
        x = x * 1103515245u + 12345u;
        msg[i] = i < 8192 ? (char)(33 + (x >> 16) % 94) : msg[i - 8192];
    }
    static uint8_t out[1 << 18], back[1 << 18];
    int combos = 0;
    for (int nc = 0; nc <= 1; nc++)
        for (int sb = 0; sb < 4; sb++)
            for (int cb = 0; cb < 4; cb++) {
                char ext[256], head[2048];
                snprintf(ext, sizeof(ext), "Sec-WebSocket-Extensions: permessage-deflate%s%s%s\r\n",
                         nc ? "; client_no_context_takeover" : "", server_bits[sb],
                         client_bits[cb]);
                int fd = ws_open_deflate(port, ext, head, sizeof(head));
                cr_assert(strstr(head, "Sec-WebSocket-Extensions: permessage-deflate; "
                                       "server_no_context_takeover"), "%s -> %s", ext, head);
                cr_assert_eq(!!strstr(head, "client_no_context_takeover"), nc, "%s", head);
                if (server_wbits[sb] != 15) {
                    char want[64];
                    snprintf(want, sizeof(want), "server_max_window_bits=%d", server_wbits[sb]);
                    cr_assert(strstr(head, want), "%s -> %s", ext, head);
                }
                z_stream z = {0};
                cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, -client_wbits[cb], 8,
                                          Z_DEFAULT_STRATEGY), Z_OK);
                for (size_t n = 64; n <= sizeof(msg); n *= 4) /* (from compression_min_length on) */
                    for (int op = SWIRL_WS_TEXT; op <= SWIRL_WS_BINARY; op++) {
                        if (nc)
                            deflateReset(&z);
                        size_t k = squeeze(&z, msg, n, out, sizeof(out));
                        frame_out(fd, true, 0x4, op, out, k, 0, false);
                        in_frame_t f = frame_in(fd, 5000);
                        cr_assert(!f.eof && f.opcode == op && f.rsv1, "%s: %zu bytes", ext, n);
                        /* inflate with the promised window */
                        z_stream u = {0};
                        cr_assert_eq(inflateInit2(&u, -server_wbits[sb]), Z_OK);
                        uint8_t *in = malloc(f.len + 4);
                        memcpy(in, f.data, f.len);
                        memcpy(in + f.len, "\x00\x00\xff\xff", 4);
                        u.next_in = in;
                        u.avail_in = (uInt)(f.len + 4);
                        /* out in 64-byte steps: zlib then holds only its window of what came
                         * before, so a distance past the promise is an error */
                        size_t made = 0;
                        int rc = Z_OK;
                        while (rc == Z_OK && made < sizeof(back) - 64) {
                            u.next_out = back + made;
                            u.avail_out = 64;
                            rc = inflate(&u, Z_SYNC_FLUSH);
                            made += 64 - u.avail_out;
                            if (u.avail_in == 0 && u.avail_out > 0)
                                break;
                        }
                        cr_assert(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR,
                                  "%s: the echo of %zu bytes inflates within %d window bits (%d)",
                                  ext, n, server_wbits[sb], rc);
                        cr_assert_eq(made, n);
                        cr_assert_eq(memcmp(back, msg, n), 0);
                        inflateEnd(&u);
                        free(in);
                        free(f.data);
                    }
                deflateEnd(&z);
                close(fd);
                combos++;
            }
    cr_log_info("permessage-deflate: %d offer combinations, 12 messages each", combos);
    cr_assert_eq(combos, 32);
    stop();
}

Test(websocket, permessage_deflate_parameter_matrix, .timeout = 180, .fini = stop) {
    deflate_matrix("process");
}

Test(websocket, permessage_deflate_base, .timeout = 120, .fini = stop) { deflate_cases("base"); }
Test(websocket, permessage_deflate_process, .timeout = 120, .fini = stop) {
    deflate_cases("process");
}

/* ---- pings on an interval ----------------------------------------------------------------------- */

/* A silent client is pinged every second; one that answers with pongs
 * stays, one that does not is closed by the heartbeat (idle 3 s). */
static void pings(const char *mode) {
    int port = start((variant_t){.mode = mode, .pings = true});
    int live = ws_open(port, "/", NULL), dead = ws_open(port, "/", NULL);
    uint64_t t0 = swirl_clock_ms();
    int pings_seen = 0;
    while (swirl_clock_ms() - t0 < 5000) { /* answer every ping on `live` */
        in_frame_t f = frame_in(live, 200);
        if (f.eof)
            continue;
        cr_assert_eq(f.opcode, SWIRL_WS_PING);
        cr_assert_eq(f.len, 5);
        pings_seen++;
        msg_out(live, SWIRL_WS_PONG, f.data, f.len);
        free(f.data);
    }
    cr_assert_geq(pings_seen, 3, "about one ping a second: %d in 5 s", pings_seen);
    msg_out(live, SWIRL_WS_TEXT, "still here", 10);
    in_frame_t f;
    do { /* a ping may come first */
        f = frame_in(live, 3000);
        cr_assert_not(f.eof, "the answering client is still connected");
        if (f.opcode == SWIRL_WS_PING)
            free(f.data);
    } while (f.opcode == SWIRL_WS_PING);
    cr_assert(f.len == 10 && memcmp(f.data, "still here", 10) == 0);
    free(f.data);
    /* the silent one got pings, answered none, and is gone */
    bool closed = false;
    for (int i = 0; i < 50 && !closed; i++) {
        uint8_t b[256];
        struct pollfd pf = {dead, POLLIN, 0};
        if (poll(&pf, 1, 100) > 0)
            closed = recv(dead, b, sizeof(b), 0) <= 0;
    }
    cr_assert(closed, "the client that never answered was closed by the heartbeat");
    close(live);
    close(dead);
    stop();
}

Test(websocket, pings_keep_live_peers_and_find_dead_ones_base, .timeout = 60, .fini = stop) {
    pings("base");
}
Test(websocket, pings_keep_live_peers_and_find_dead_ones_process, .timeout = 60, .fini = stop) {
    pings("process");
}

