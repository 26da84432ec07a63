/* tests/integration/test_websocket.c — the WebSocket server over real
 * sockets, driven by a raw client written here that builds every frame by
 * hand. It reproduces the categories of ../shared/conformance/websocket.md
 * (1 framing, 2 ping/pong, 3 reserved bits, 4 opcodes, 5 fragmentation,
 * 6 UTF-8, 7 close, 9 limits up to 16 MiB, 10 large outgoing messages)
 * against an echo server in BASE and PROCESS mode, and checks the C API:
 * open, the handshake callback and subprotocols, push/disconnect/status,
 * control frames delivered on request, bad handshakes. */
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

/* ---- the server under test ------------------------------------------------------------------ */

typedef struct {
    const char *mode;
    bool deflate;       /* websocket_compression */
    bool pings;         /* websocket_ping_interval 1, heartbeat_idle_time 3 */
    bool handshake_cb;  /* own handshake: /deny refused, subprotocols offered */
    bool control_frames; /* open_websocket_close_frame and _ping_frame */
    const char *max;    /* package_max_length */
} variant_t;

static void t_open(swirl_ws_server_t *ws, swirl_http_req_t *req, void *u) {
    (void)u;
    const char *path = swirl_http_req_path(req, NULL);
    if (path && strcmp(path, "/welcome") == 0)
        swirl_ws_push(ws, swirl_http_req_fd(req), "welcome", 7, SWIRL_WS_TEXT, true);
}

static void t_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                        void *u) {
    (void)u;
    const char *path = swirl_http_req_path(req, NULL);
    if (path && strcmp(path, "/deny") == 0) {
        swirl_http_resp_status(resp, 403, NULL);
        swirl_http_resp_end(resp, "no", 2);
        return;
    }
    swirl_ws_handshake(ws, req, resp, "chat, superchat");
}

static void t_message(swirl_ws_server_t *ws, const swirl_ws_frame_t *f, void *u) {
    (void)u;
    char out[512];
    if (f->opcode == SWIRL_WS_CLOSE) { /* delivered: answer it ourselves */
        int n = snprintf(out, sizeof(out), "got close %d %.*s", f->code, (int)f->reason_len,
                         f->reason);
        swirl_ws_push(ws, f->fd, out, (size_t)n, SWIRL_WS_TEXT, true);
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

static void t_request(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                      void *u) {
    (void)hs;
    (void)req;
    (void)u;
    swirl_http_resp_end(resp, "plain http", 10);
}

static void on_worker_start(swirl_server_t *srv, const swirl_event_t *ev, void *u) {
    (void)ev;
    int *fd = u;
    int port = swirl_server_port(srv);
    if (*fd >= 0 && write(*fd, &port, sizeof(port)) == sizeof(port)) {
        close(*fd);
        *fd = -1;
    }
}

static pid_t server_pid;

static int start(variant_t v) {
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        swirl_ws_server_t *ws;
        if (swirl_ws_server_new(&ws, "127.0.0.1", 0,
                                strcmp(v.mode, "base") ? SWIRL_MODE_PROCESS : SWIRL_MODE_BASE) < 0)
            _exit(3);
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
        static int pipe_fd;
        pipe_fd = p[1];
        swirl_http_server_on(hs, "workerStart", on_worker_start, &pipe_fd);
        int rc = swirl_ws_server_start(ws);
        swirl_ws_server_free(ws);
        _exit(rc < 0 ? 4 : 0);
    }
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    cr_assert_gt(poll(&pf, 1, 10000), 0, "the server did not start");
    int port;
    cr_assert_eq(read(p[0], &port, sizeof(port)), (ssize_t)sizeof(port));
    close(p[0]);
    server_pid = pid;
    return port;
}

static void stop(void) {
    if (server_pid <= 0)
        return;
    kill(server_pid, SIGTERM);
    int status;
    for (int i = 0; i < 1000 && waitpid(server_pid, &status, WNOHANG) != server_pid; i++)
        usleep(10000);
    server_pid = 0;
}

/* ---- the raw client --------------------------------------------------------------------------- */

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void put(int fd, const void *p, size_t n) {
    const char *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may have closed on purpose */
        b += w;
        n -= (size_t)w;
    }
}

/* Read until `needle` or silence; returns bytes (NUL-terminated). */
static size_t read_head(int fd, char *buf, size_t size) {
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
static int ws_open(int port, const char *path, const char *extra) {
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
static void frame_out(int fd, bool fin, int rsv, int opcode, const void *p, size_t n,
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

static void msg_out(int fd, int opcode, const void *p, size_t n) {
    frame_out(fd, true, 0, opcode, p, n, 0, false);
}

static bool fill(int fd, uint8_t *p, size_t n, int timeout_ms) {
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
static in_frame_t frame_in(int fd, int timeout_ms) {
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

static void expect_echo(int fd, int opcode, const void *p, size_t n) {
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
static void expect_close(int fd, int code, const char *label) {
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

/* ---- conformance categories ------------------------------------------------------------------- */

static void framing(int port) { /* 1 */
    static const size_t sizes[] = {0, 1, 125, 126, 127, 128, 65535, 65536};
    int fd = ws_open(port, "/", NULL);
    char *buf = malloc(65536);
    cr_assert(buf);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        memset(buf, 'a' + (int)i, sizes[i]);
        msg_out(fd, SWIRL_WS_TEXT, buf, sizes[i]);
        expect_echo(fd, SWIRL_WS_TEXT, buf, sizes[i]);
        for (size_t k = 0; k < sizes[i]; k++)
            buf[k] = (char)(k * 31);
        msg_out(fd, SWIRL_WS_BINARY, buf, sizes[i]);
        expect_echo(fd, SWIRL_WS_BINARY, buf, sizes[i]);
    }
    /* chopped into small pieces */
    memset(buf, 'z', 300);
    frame_out(fd, true, 0, SWIRL_WS_TEXT, buf, 300, 7, false);
    expect_echo(fd, SWIRL_WS_TEXT, buf, 300);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 65536, 4096, false);
    expect_echo(fd, SWIRL_WS_BINARY, buf, 65536);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 65536, 997, false); /* odd chops */
    expect_echo(fd, SWIRL_WS_BINARY, buf, 65536);
    free(buf);
    close(fd);
}

static void ping_pong(int port) { /* 2 */
    int fd = ws_open(port, "/", NULL);
    char p[126];
    memset(p, 'p', sizeof(p));
    msg_out(fd, SWIRL_WS_PING, "", 0);
    expect_echo(fd, SWIRL_WS_PONG, "", 0);
    msg_out(fd, SWIRL_WS_PING, p, 125);
    expect_echo(fd, SWIRL_WS_PONG, p, 125);
    msg_out(fd, SWIRL_WS_PING, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 8); /* binary payload */
    expect_echo(fd, SWIRL_WS_PONG, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 8);
    frame_out(fd, true, 0, SWIRL_WS_PING, p, 125, 1, false); /* 125 bytes, a byte a write */
    expect_echo(fd, SWIRL_WS_PONG, p, 125);
    msg_out(fd, SWIRL_WS_PONG, "", 0);        /* unsolicited, empty: ignored */
    msg_out(fd, SWIRL_WS_PONG, "unasked", 7); /* ignored */
    msg_out(fd, SWIRL_WS_PING, "after pong", 10);
    expect_echo(fd, SWIRL_WS_PONG, "after pong", 10);
    for (int i = 0; i < 10; i++)
        frame_out(fd, true, 0, SWIRL_WS_PING, "ten", 3, 1, false);
    for (int i = 0; i < 10; i++)
        expect_echo(fd, SWIRL_WS_PONG, "ten", 3);
    msg_out(fd, SWIRL_WS_TEXT, "after", 5);
    expect_echo(fd, SWIRL_WS_TEXT, "after", 5);
    close(fd);
    /* a 126-byte ping fails the connection */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_PING, p, 126);
    expect_close(fd, 1002, "126-byte ping");
    close(fd);
}

static void reserved_bits_and_opcodes(int port) { /* 3, 4 */
    static const int ops[] = {SWIRL_WS_TEXT, SWIRL_WS_BINARY, SWIRL_WS_PING, SWIRL_WS_CLOSE};
    for (int rsv = 1; rsv <= 7; rsv++) {
        int fd = ws_open(port, "/", NULL);
        frame_out(fd, true, rsv, ops[rsv % 4], "x", rsv % 4 == 3 ? 0 : 1, 0, false);
        char label[64];
        snprintf(label, sizeof(label), "RSV %d", rsv);
        expect_close(fd, 1002, label);
        close(fd);
    }
    static const int reserved[] = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        int fd = ws_open(port, "/", NULL);
        msg_out(fd, SWIRL_WS_TEXT, "ok", 2);
        expect_echo(fd, SWIRL_WS_TEXT, "ok", 2);
        msg_out(fd, reserved[i], "x", 1);
        char label[64];
        snprintf(label, sizeof(label), "opcode %d", reserved[i]);
        expect_close(fd, 1002, label);
        close(fd);
    }
}

static void fragmentation(int port) { /* 5 */
    int fd = ws_open(port, "/", NULL);
    frame_out(fd, false, 0, SWIRL_WS_TEXT, "frag", 4, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_PING, "mid", 3, 0, false); /* control between fragments */
    frame_out(fd, false, 0, SWIRL_WS_CONTINUATION, "ment", 4, 1, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, "ed", 2, 0, false);
    expect_echo(fd, SWIRL_WS_PONG, "mid", 3);
    expect_echo(fd, SWIRL_WS_TEXT, "fragmented", 10);
    /* empty fragments */
    frame_out(fd, false, 0, SWIRL_WS_BINARY, "", 0, 0, false);
    frame_out(fd, false, 0, SWIRL_WS_CONTINUATION, "", 0, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, "", 0, 0, false);
    expect_echo(fd, SWIRL_WS_BINARY, "", 0);
    close(fd);
    static const struct {
        bool fin1;
        int op1;
        bool fin2;
        int op2;
        const char *label;
    } bad[] = {
        {true, SWIRL_WS_CONTINUATION, true, 0, "continuation with nothing to continue"},
        {false, SWIRL_WS_TEXT, true, SWIRL_WS_TEXT, "a new message inside a fragmented one"},
        {false, SWIRL_WS_PING, true, 0, "a fragmented ping"},
        {false, SWIRL_WS_PONG, true, 0, "a fragmented pong"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fd = ws_open(port, "/", NULL);
        frame_out(fd, bad[i].fin1, 0, bad[i].op1, "a", 1, 0, false);
        if (bad[i].op2)
            frame_out(fd, bad[i].fin2, 0, bad[i].op2, "b", 1, 0, false);
        expect_close(fd, 1002, bad[i].label);
        close(fd);
    }
}

/* Category 6 in breadth: Markus Kuhn's UTF-8 stress cases (boundaries,
 * noncharacters, 5- and 6-byte forms, lone and truncated sequences,
 * impossible bytes, overlong forms, surrogates). Valid text is echoed,
 * also when every byte is its own fragment; invalid text is 1007. */
static void utf8_sequences(int port) {
    static const char *const valid[] = {
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", "\x00", "\x7f", "\xc2\x80",
        "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
        "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd",
        "\xef\xbf\xbe", "\xef\xbb\xbf", "\xf4\x8f\xbf\xbe", "\xe2\x82\xac\xf0\x9f\x98\x80"};
    static const size_t valid_len[] = {11, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 3, 3, 3, 4, 7};
    static const char *const invalid[] = {
        "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xf4\x90\x80\x80", "\x80",
        "\xbf", "\x80\xbf", "\x80\xbf\x80", "\xc0 ", "\xe0 ", "\xf0 ", "\xf8 ", "\xfc ",
        "\xc0", "\xe0\x80", "\xf0\x80\x80", "\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfe",
        "\xff", "\xfe\xfe\xff\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
        "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xc0\x80", "\xe0\x80\x80",
        "\xf0\x80\x80\x80", "\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80",
        "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf",
        "\xed\xa0\x80\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf", "ok\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"};
    int fd = ws_open(port, "/", NULL);
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        size_t n = valid_len[i];
        msg_out(fd, SWIRL_WS_TEXT, valid[i], n);
        expect_echo(fd, SWIRL_WS_TEXT, valid[i], n);
        for (size_t k = 0; k < n; k++) /* a fragment per byte */
            frame_out(fd, k + 1 == n, 0, k ? SWIRL_WS_CONTINUATION : SWIRL_WS_TEXT, valid[i] + k,
                      1, 0, false);
        expect_echo(fd, SWIRL_WS_TEXT, valid[i], n);
    }
    close(fd);
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        size_t n = strlen(invalid[i]);
        for (int per_byte = 0; per_byte <= 1; per_byte++) {
            fd = ws_open(port, "/", NULL);
            if (!per_byte)
                msg_out(fd, SWIRL_WS_TEXT, invalid[i], n);
            else
                for (size_t k = 0; k < n; k++)
                    frame_out(fd, k + 1 == n, 0, k ? SWIRL_WS_CONTINUATION : SWIRL_WS_TEXT,
                              invalid[i] + k, 1, 0, false);
            char label[64];
            snprintf(label, sizeof(label), "invalid UTF-8 case %zu%s", i,
                     per_byte ? " (a fragment per byte)" : "");
            expect_close(fd, 1007, label);
            close(fd);
        }
    }
}

/* Whether the peer fails text on the first bad byte, before the frame
 * ends (swirl does; websockets checks whole frames). */
static bool fail_fast = true;

static void utf8(int port) { /* 6 */
    static const char text[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xf0\x9f\x98\x80";
    size_t n = sizeof(text) - 1;
    int fd = ws_open(port, "/", NULL);
    for (size_t cut = 1; cut < n; cut++) { /* split across two frames, anywhere */
        frame_out(fd, false, 0, SWIRL_WS_TEXT, text, cut, 0, false);
        frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, text + cut, n - cut, 0, false);
        expect_echo(fd, SWIRL_WS_TEXT, text, n);
    }
    close(fd);
    static const char *const bad[] = {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
                                      "ok\xce", "\xe0\x80\xaf"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fd = ws_open(port, "/", NULL);
        msg_out(fd, SWIRL_WS_TEXT, bad[i], strlen(bad[i]));
        char label[64];
        snprintf(label, sizeof(label), "bad UTF-8 %zu", i);
        expect_close(fd, 1007, label);
        close(fd);
    }
    utf8_sequences(port);
    if (!fail_fast)
        return;
    /* fail fast: a bad byte at the start of a 1 MB text frame of which only
     * the first 64 KB are sent: the close comes before the rest */
    fd = ws_open(port, "/", NULL);
    size_t big = 1 << 20;
    uint8_t head[SWIRL_WS_HEADER_MAX];
    static const uint8_t mask[4] = {0, 0, 0, 0};
    size_t h = swirl_ws_header_write(head, true, SWIRL_WS_TEXT, big, mask);
    put(fd, head, h);
    char *part = calloc(1, 65536);
    cr_assert(part);
    memset(part, 'a', 65536);
    part[10] = (char)0xff;
    put(fd, part, 65536);
    free(part);
    expect_close(fd, 1007, "fail fast");
    close(fd);
}

static void close_paths(int port) { /* 7 */
    int fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_close(fd, 1000, "close 1000 echoed");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "", 0);
    expect_close(fd, 0, "empty close echoed");
    close(fd);
    char p[125];
    memset(p, 'r', sizeof(p));
    p[0] = 0x0f;
    p[1] = (char)0xa0; /* 4000 */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, p, 125);
    expect_close(fd, 4000, "125-byte close");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03", 1);
    expect_close(fd, 1002, "1-byte close payload");
    close(fd);
    char p126[126];
    memset(p126, 'r', sizeof(p126));
    p126[0] = 0x03;
    p126[1] = (char)0xe8;
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, p126, 126);
    expect_close(fd, 1002, "126-byte close payload");
    close(fd);
    static const int good_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                                     3000, 3999, 4000, 4999};
    for (size_t i = 0; i < sizeof(good_codes) / sizeof(good_codes[0]); i++) {
        fd = ws_open(port, "/", NULL);
        char c[2] = {(char)(good_codes[i] >> 8), (char)good_codes[i]};
        msg_out(fd, SWIRL_WS_CLOSE, c, 2);
        char label[64];
        snprintf(label, sizeof(label), "close code %d echoed", good_codes[i]);
        expect_close(fd, good_codes[i], label);
        close(fd);
    }
    static const int bad_codes[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(bad_codes) / sizeof(bad_codes[0]); i++) {
        fd = ws_open(port, "/", NULL);
        char c[2] = {(char)(bad_codes[i] >> 8), (char)bad_codes[i]};
        msg_out(fd, SWIRL_WS_CLOSE, c, 2);
        char label[64];
        snprintf(label, sizeof(label), "close code %d", bad_codes[i]);
        expect_close(fd, 1002, label);
        close(fd);
    }
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8\xff", 3);
    expect_close(fd, 1007, "close reason not UTF-8");
    close(fd);
    /* nothing is answered after the close */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    msg_out(fd, SWIRL_WS_TEXT, "late", 4);
    expect_close(fd, 1000, "text after close");
    close(fd);
}

static void limits(int port) { /* 9, 10, and masking, 1009 */
    int fd = ws_open(port, "/", NULL);
    size_t sizes[] = {1 << 16, 1 << 20, 16 << 20};
    for (size_t i = 0; i < 3; i++) {
        size_t n = sizes[i];
        char *buf = malloc(n);
        cr_assert(buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)(k * 13 + i);
        /* in 64 KB fragments, each written in 4 KB pieces */
        for (size_t off = 0; off < n; off += 65536) {
            size_t k = n - off < 65536 ? n - off : 65536;
            frame_out(fd, off + k == n, 0, off ? SWIRL_WS_CONTINUATION : SWIRL_WS_BINARY,
                      buf + off, k, 0, false);
        }
        expect_echo(fd, SWIRL_WS_BINARY, buf, n);
        free(buf);
    }
    close(fd);
    fd = ws_open(port, "/", NULL);
    frame_out(fd, true, 0, SWIRL_WS_TEXT, "naked", 5, 0, true);
    expect_close(fd, 1002, "unmasked client frame");
    close(fd);
}

/* Category 9 in breadth: messages of 64 KiB to 16 MiB in one frame; a 4
 * MiB message in fragments of 64 B to 4 MiB; a 1 MiB message written in
 * chops of 64 B to 2 KiB; 1 000 messages of 0 B to 4 KiB in a row. Text and
 * binary each. */
static void limits_matrix(int port) {
    int fd = ws_open(port, "/", NULL);
    size_t top = 16u << 20;
    char *buf = malloc(top);
    cr_assert(buf);
    for (size_t k = 0; k < top; k++)
        buf[k] = (char)('a' + k % 26);
    static const int ops[] = {SWIRL_WS_TEXT, SWIRL_WS_BINARY};
    for (int o = 0; o < 2; o++) {
        for (size_t n = 64u << 10; n <= top; n *= 4) { /* 9.1, 9.2: 64K 256K 1M 4M 16M */
            msg_out(fd, ops[o], buf, n);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t frag = 64; frag <= (4u << 20); frag *= 4) { /* 9.3, 9.4 */
            size_t n = 4u << 20;
            for (size_t off = 0; off < n; off += frag)
                frame_out(fd, off + frag >= n, 0, off ? SWIRL_WS_CONTINUATION : ops[o], buf + off,
                          n - off < frag ? n - off : frag, 0, false);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t chop = 64; chop <= 2048; chop *= 2) { /* 9.5, 9.6 */
            size_t n = 1u << 20;
            uint8_t *f = malloc(n + SWIRL_WS_HEADER_MAX);
            static const uint8_t mask[4] = {9, 8, 7, 6};
            size_t h = swirl_ws_header_write(f, true, ops[o], n, mask);
            swirl_ws_unmask_copy(f + h, buf, n, mask, 0);
            for (size_t off = 0; off < h + n; off += chop)
                put(fd, f + off, off + chop > h + n ? h + n - off : chop);
            free(f);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t n = 0; n <= 4096; n = n ? n * 4 : 16) { /* 9.7, 9.8: 0 16 64 256 1K 4K */
            for (int i = 0; i < 1000; i++)
                msg_out(fd, ops[o], buf, n);
            for (int i = 0; i < 1000; i++)
                expect_echo(fd, ops[o], buf, n);
        }
    }
    free(buf);
    close(fd);
}

static void too_big(int port) {
    int fd = ws_open(port, "/", NULL);
    char *buf = calloc(1, 70000);
    cr_assert(buf);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 70000, 0, false);
    expect_close(fd, 1009, "message over package_max_length");
    close(fd);
    /* fragments adding up past it */
    fd = ws_open(port, "/", NULL);
    frame_out(fd, false, 0, SWIRL_WS_BINARY, buf, 40000, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, buf, 40000, 0, false);
    expect_close(fd, 1009, "fragments over package_max_length");
    close(fd);
    free(buf);
}

static void conformance(const char *mode) {
    int port = start((variant_t){.mode = mode});
    framing(port);
    ping_pong(port);
    reserved_bits_and_opcodes(port);
    fragmentation(port);
    utf8(port);
    close_paths(port);
    limits(port);
    limits_matrix(port);
    stop();
    port = start((variant_t){.mode = mode, .max = "64K"});
    too_big(port);
    stop();
}

Test(websocket, conformance_categories_base, .timeout = 180, .fini = stop) {
    conformance("base");
}
Test(websocket, conformance_categories_process, .timeout = 180, .fini = stop) {
    conformance("process");
}

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
    close(fd);
    stop();
}

Test(websocket, api_base, .timeout = 120, .fini = stop) { api("base"); }
Test(websocket, api_process, .timeout = 120, .fini = stop) { api("process"); }

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

/* ---- the raw client checked against an independent strict server --------------------------------- */

/* The same categories against Python's `websockets` (Debian
 * python3-websockets) as an echo server: the raw client's expectations
 * are RFC 6455's, not swirl's alone. Only "fail fast" is swirl's own. */
static const char peer_py[] =
    "import asyncio, websockets\n"
    "async def echo(ws, path=None):\n"
    "    try:\n"
    "        async for m in ws:\n"
    "            await ws.send(m)\n"
    "    except websockets.ConnectionClosed:\n"
    "        pass\n"
    "async def main():\n"
    "    async with websockets.serve(echo, '127.0.0.1', 0, max_size=20 * 2**20,\n"
    "                                compression=None, ping_interval=None) as s:\n"
    "        import sys\n"
    "        sys.stdout.write('port %d\\n' % s.sockets[0].getsockname()[1])\n"
    "        sys.stdout.flush()\n"
    "        await asyncio.Future()\n"
    "asyncio.run(main())\n";

Test(websocket, raw_client_agrees_with_python_websockets_server, .timeout = 180) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import websockets' 2>/dev/null") != 0)
        cr_skip_test("python3-websockets is not installed (scripts/deps.sh installs it)");
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        close(p[0]);
        execl("/usr/bin/python3", "python3", "-c", peer_py, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[64] = "";
    size_t got = 0;
    while (got < sizeof(line) - 1 && !strchr(line, '\n')) { /* the whole line, however written */
        struct pollfd pf = {p[0], POLLIN, 0};
        cr_assert_gt(poll(&pf, 1, 10000), 0, "the Python server did not start");
        ssize_t r = read(p[0], line + got, sizeof(line) - 1 - got);
        cr_assert_gt(r, 0, "the Python server did not start");
        got += (size_t)r;
        line[got] = 0;
    }
    close(p[0]);
    int port = atoi(line + 5);
    cr_assert_gt(port, 0, "%s", line);
    fail_fast = false;
    framing(port);
    ping_pong(port);
    reserved_bits_and_opcodes(port);
    fragmentation(port);
    utf8(port);
    close_paths(port);
    limits(port);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
