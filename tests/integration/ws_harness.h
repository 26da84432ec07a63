/* tests/integration/ws_harness.h — what the WebSocket tests share: the
 * server under test (a forked swirl_ws_server in a chosen variant:
 * BASE/PROCESS, compression, pings, handshake callback, delivered control
 * frames) and a raw client that builds every frame by hand and checks
 * every frame the server sends (unmasked, valid header). */
#ifndef SWIRL_TEST_WS_HARNESS_H
#define SWIRL_TEST_WS_HARNESS_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <swirl/swirl.h>
#include <zlib.h>

#include "forkserver.h"
#include "rawsock.h"
#include "testutil.h"

#define WSH static __attribute__((unused))

/* ---- the server under test ------------------------------------------------------------------ */

typedef struct {
    const char *mode;
    bool deflate;       /* websocket_compression */
    bool pings;         /* websocket_ping_interval 1, heartbeat_idle_time 3 */
    bool handshake_cb;  /* own handshake: /deny refused, subprotocols offered */
    bool control_frames; /* open_websocket_close_frame and _ping_frame */
    const char *max;    /* package_max_length */
} variant_t;

WSH void t_open(swirl_ws_server_t *ws, swirl_http_req_t *req, void *u) {
    (void)u;
    const char *path = swirl_http_req_path(req, NULL);
    if (path && strcmp(path, "/welcome") == 0)
        swirl_ws_push(ws, swirl_http_req_fd(req), "welcome", 7, SWIRL_WS_TEXT, true);
}

WSH void t_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                        void *u) {
    (void)u;
    const char *path = swirl_http_req_path(req, NULL);
    if (path && strcmp(path, "/deny") == 0) {
        swirl_http_resp_status(resp, 403, NULL);
        swirl_http_resp_end(resp, "no", 2);
        return;
    }
    /* the callback's own 101, as a PHP user writes it: /own with the right
     * accept key, /own-wrong with another one; /own-none answers nothing */
    if (path && strncmp(path, "/own", 4) == 0) {
        if (strcmp(path, "/own-none") == 0)
            return;
        size_t kl;
        const char *key = swirl_http_req_header(req, "sec-websocket-key", &kl);
        char accept[29] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        if (strcmp(path, "/own") == 0)
            cr_assert_eq(swirl_ws_accept_key(key, kl, accept), 0);
        swirl_http_resp_status(resp, 101, NULL);
        swirl_http_resp_header(resp, "Upgrade", "websocket");
        swirl_http_resp_header(resp, "Connection", "Upgrade");
        swirl_http_resp_header(resp, "Sec-WebSocket-Accept", accept);
        /* not yet a WebSocket while the callback runs */
        bool early = swirl_ws_push(ws, swirl_http_req_fd(req), "x", 1, SWIRL_WS_TEXT, true) ==
                     SWIRL_ESTATE;
        swirl_http_resp_header(resp, "X-Early-Push-Refused", early ? "yes" : "no");
        swirl_http_resp_end(resp, NULL, 0);
        return;
    }
    swirl_ws_handshake(ws, req, resp, "chat, superchat");
}

WSH void t_message(swirl_ws_server_t *ws, const swirl_ws_frame_t *f, void *u) {
    (void)u;
    char out[512];
    if (f->opcode == SWIRL_WS_CLOSE) { /* delivered: answer it ourselves */
        int n = snprintf(out, sizeof(out), "got close %d %.*s", f->code, (int)f->reason_len,
                         f->reason);
        swirl_ws_push(ws, f->fd, out, (size_t)n, SWIRL_WS_TEXT, true);
        if (f->reason_len == 5 && memcmp(f->reason, "quiet", 5) == 0)
            return; /* left to the server to answer */
        swirl_ws_disconnect(ws, f->fd, 4000, "as you wish");
        return;
    }
    if (f->opcode == SWIRL_WS_PING) {
        int n = snprintf(out, sizeof(out), "got ping %.*s", (int)f->len, f->data);
        swirl_ws_push(ws, f->fd, out, (size_t)n, SWIRL_WS_TEXT, true);
        return;
    }
    if (f->len > 4 && f->len < 256 && memcmp(f->data, "cmd:", 4) == 0) {
        int code = 0;
        char reason[200] = "", cmd[256];
        memcpy(cmd, f->data, f->len); /* the message is not NUL-terminated */
        cmd[f->len] = 0;
        if (sscanf(cmd, "cmd:close:%d:%199[^\n]", &code, reason) >= 1) {
            swirl_ws_disconnect(ws, f->fd, code, reason);
        } else if (f->len == 10 && memcmp(f->data, "cmd:status", 10) == 0) {
            int n = snprintf(out, sizeof(out), "status %d est %d exist %d gone %d/%d",
                             swirl_ws_status(ws, f->fd), swirl_ws_is_established(ws, f->fd),
                             swirl_ws_exist(ws, f->fd), swirl_ws_exist(ws, 123456789),
                             swirl_ws_status(ws, 123456789));
            swirl_ws_push(ws, f->fd, out, (size_t)n, SWIRL_WS_TEXT, true);
        } else if (f->len == 11 && memcmp(f->data, "cmd:pushbad", 11) == 0) {
            char big[200] = {0};
            int a = swirl_ws_push(ws, f->fd, "x", 1, 5, true);
            int b = swirl_ws_push(ws, f->fd, big, 126, SWIRL_WS_PING, true);
            int c = swirl_ws_push(ws, 123456789, "x", 1, SWIRL_WS_TEXT, true);
            int d = swirl_ws_disconnect(ws, f->fd, 1005, NULL);
            int n = snprintf(out, sizeof(out), "%d %d %d %d", a == SWIRL_EBADARG,
                             b == SWIRL_EBADARG, c == SWIRL_ECLOSED, d == SWIRL_EBADARG);
            swirl_ws_push(ws, f->fd, out, (size_t)n, SWIRL_WS_TEXT, true);
        }
        return;
    }
    swirl_ws_push(ws, f->fd, f->data, f->len, f->opcode, true); /* echo */
}

WSH void t_request(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                      void *u) {
    (void)hs;
    (void)req;
    (void)u;
    swirl_http_resp_end(resp, "plain http", 10);
}

static pid_t server_pid __attribute__((unused));

WSH int run_server(void *arg) {
    const variant_t v = *(const variant_t *)arg;
    swirl_ws_server_t *ws;
    if (swirl_ws_server_new(&ws, "127.0.0.1", 0,
                            strcmp(v.mode, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE) < 0)
        return 3;
    swirl_http_server_t *hs = swirl_ws_server_http(ws);
    swirl_http_server_set_text(hs, "worker_num", "1");
    swirl_http_server_set_text(hs, "reactor_num", "1");
    swirl_http_server_set_text(hs, "log_level", "warning");
    swirl_http_server_set_text(hs, "package_max_length", v.max ? v.max : "20M");
    swirl_http_server_set_text(hs, "buffer_output_size", "40M");
    swirl_http_server_set_text(hs, "socket_buffer_size", "80M");
    if (v.deflate)
        swirl_http_server_set_text(hs, "websocket_compression", "true");
    if (v.pings) {
        swirl_http_server_set_text(hs, "websocket_ping_interval", "1");
        swirl_http_server_set_text(hs, "heartbeat_check_interval", "1");
        swirl_http_server_set_text(hs, "heartbeat_idle_time", "3");
    }
    if (v.control_frames) {
        swirl_http_server_set_text(hs, "open_websocket_close_frame", "true");
        swirl_http_server_set_text(hs, "open_websocket_ping_frame", "true");
    }
    if (v.handshake_cb)
        swirl_ws_on_handshake(ws, t_handshake, NULL);
    else
        swirl_http_server_on_request(hs, t_request, NULL);
    swirl_ws_on_open(ws, t_open, NULL);
    swirl_ws_on_message(ws, t_message, NULL);
    swirl_http_server_on(hs, "workerStart", tu_report_port, NULL);
    int rc = swirl_ws_server_start(ws);
    swirl_ws_server_free(ws);
    return rc < 0 ? 4 : 0;
}

WSH int start(variant_t v) {
    int port;
    server_pid = tu_fork_server(run_server, &v, &port);
    return port;
}

WSH void stop(void) {
    if (server_pid <= 0)
        return;
    tu_stop_server(server_pid);
    server_pid = 0;
}

/* ---- the raw client --------------------------------------------------------------------------- */

WSH int dial(int port) {
    int fd = tu_dial(port), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

WSH void put(int fd, const void *p, size_t n) {
    tu_send_all(fd, p, n); /* the server may have closed on purpose */
}

/* Read until `needle` or silence; returns bytes (NUL-terminated). */
WSH size_t read_head(int fd, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = 0;
    while (n + 1 < size && !strstr(buf, "\r\n\r\n")) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, 1, 0); /* byte by byte: no frame bytes taken */
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = 0;
    }
    return n;
}

static const char key_hdr[] = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

/* Open a WebSocket on path; the fd (101 checked). */
WSH int ws_open(int port, const char *path, const char *extra) {
    int fd = dial(port);
    char req[1024], head[2048];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "%sSec-WebSocket-Version: 13\r\n%s\r\n",
                     path, key_hdr, extra ? extra : "");
    put(fd, req, (size_t)n);
    read_head(fd, head, sizeof(head));
    cr_assert(strstr(head, "HTTP/1.1 101 ") &&
                  strstr(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              "%s", head);
    return fd;
}

/* Send one frame, masked unless `unmasked`, written `chop` bytes at a time
 * (0: at once). */
WSH void frame_out(int fd, bool fin, int rsv, int opcode, const void *p, size_t n,
                      size_t chop, bool unmasked) {
    static const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    uint8_t *buf = malloc(n + SWIRL_WS_HEADER_MAX);
    cr_assert(buf);
    size_t h = swirl_ws_header_write(buf, fin, opcode, n, unmasked ? NULL : mask);
    buf[0] |= (uint8_t)(rsv << 4);
    memcpy(buf + h, p, n);
    if (!unmasked)
        swirl_ws_unmask(buf + h, n, mask, 0);
    if (!chop) {
        put(fd, buf, h + n);
    } else {
        for (size_t off = 0; off < h + n; off += chop) {
            put(fd, buf + off, off + chop > h + n ? h + n - off : chop);
            usleep(200);
        }
    }
    free(buf);
}

WSH void msg_out(int fd, int opcode, const void *p, size_t n) {
    frame_out(fd, true, 0, opcode, p, n, 0, false);
}

WSH bool fill(int fd, uint8_t *p, size_t n, int timeout_ms) {
    size_t got = 0;
    while (got < n) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, timeout_ms) <= 0)
            return false;
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

typedef struct {
    int opcode;
    bool fin;
    bool rsv1; /* compressed (permessage-deflate) */
    uint8_t *data;
    size_t len;
    bool eof; /* no frame: the connection closed (or silence) */
} in_frame_t;

/* Read one server frame (checked: unmasked, no RSV). */
WSH in_frame_t frame_in(int fd, int timeout_ms) {
    in_frame_t f = {0};
    uint8_t h[SWIRL_WS_HEADER_MAX];
    if (!fill(fd, h, 2, timeout_ms)) {
        f.eof = true;
        return f;
    }
    size_t need = 2 + ((h[1] & 0x7f) == 126 ? 2 : (h[1] & 0x7f) == 127 ? 8 : 0);
    cr_assert(fill(fd, h + 2, need - 2, timeout_ms));
    swirl_ws_header_t hd;
    cr_assert_eq(swirl_ws_header_parse(h, need, 0x4, &hd), (int)need, "a valid server frame");
    cr_assert_not(hd.masked, "server frames are never masked");
    f.rsv1 = hd.rsv & 0x4;
    f.opcode = hd.opcode;
    f.fin = hd.fin;
    f.len = (size_t)hd.len;
    f.data = malloc(f.len + 1);
    cr_assert(f.data);
    cr_assert(fill(fd, f.data, f.len, timeout_ms), "the payload of %zu bytes", f.len);
    f.data[f.len] = 0;
    return f;
}

WSH void expect_echo(int fd, int opcode, const void *p, size_t n) {
    in_frame_t f = frame_in(fd, 10000);
    cr_assert_not(f.eof, "an answer to %zu bytes", n);
    cr_assert_not(f.rsv1, "not compressed: no extension was agreed");
    cr_assert_eq(f.opcode, opcode);
    cr_assert(f.fin);
    cr_assert_eq(f.len, n);
    cr_assert_eq(memcmp(f.data, p, n), 0, "echo of %zu bytes", n);
    free(f.data);
}

/* The server closes: a close frame with `code` (0: an empty one), then
 * the end of the connection. */
WSH void expect_close(int fd, int code, const char *label) {
    in_frame_t f = frame_in(fd, 5000);
    cr_assert_not(f.eof, "%s: a close frame", label);
    cr_assert_eq(f.opcode, SWIRL_WS_CLOSE, "%s: opcode %d", label, f.opcode);
    if (code) {
        cr_assert_geq(f.len, 2, "%s", label);
        cr_assert_eq(f.data[0] << 8 | f.data[1], code, "%s: code %d", label,
                     f.data[0] << 8 | f.data[1]);
    } else {
        cr_assert_eq(f.len, 0, "%s", label);
    }
    free(f.data);
    uint8_t b;
    struct pollfd pf = {fd, POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 5000), 0, "%s: closed after", label);
    cr_assert_leq(recv(fd, &b, 1, 0), 0, "%s: nothing after the close frame", label);
}


#endif
