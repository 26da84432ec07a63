/* tests/integration/test_ws_client.c — the WebSocket client (swirl/ws_client.h)
 * against real servers: swirl's own WebSocket server (forked, from
 * ws_harness.h), `swirl serve` over TLS (wss://), Python's `websockets`
 * server and hand-written hostile servers (ws_client_peer.py): echo of
 * every length form, fragments, pings, subprotocols, permessage-deflate
 * with and without context takeover, both close handshakes, bad URLs and
 * options, and every way a server can break the protocol. */
#include <sys/stat.h>

#include "ws_harness.h"
#include <swirl/ws_client.h>

TU_SUITE(ws_client);

/* ---- a session: one client on its own loop, every callback recorded -----------------------------
 */

#define MAXMSG 64

typedef struct sess sess_t;
struct sess {
    swirl_loop_t *loop;
    swirl_ws_client_t *c;
    int opens, errors, closes, msgs;
    int err;
    char errmsg[1024];
    int code;
    char reason[128];
    bool clean;
    int ops[MAXMSG];
    char *data[MAXMSG];
    size_t lens[MAXMSG];
    void (*on_open)(sess_t *s);
    void (*on_msg)(sess_t *s, int op, const char *d, size_t n);
    void (*on_err)(sess_t *s);
    int64_t guard;
    bool timed_out;
    int step;
    void *arg;
    bool free_at_end; /* free the client inside on_close / on_error */
    int free_at_msg;  /* free it inside the n-th message (1-based), 0: never */
};

static void s_open(swirl_ws_client_t *c, void *u) {
    sess_t *s = u;
    cr_assert_eq(c, s->c);
    s->opens++;
    cr_assert_eq(swirl_ws_client_state(c), SWIRL_WS_CLIENT_OPEN);
    if (s->on_open)
        s->on_open(s);
}

static void s_msg(swirl_ws_client_t *c, void *u, int op, const char *d, size_t n) {
    sess_t *s = u;
    (void)c;
    cr_assert_eq(s->closes + s->errors, 0, "no message after the end");
    if (s->msgs < MAXMSG) {
        s->ops[s->msgs] = op;
        s->data[s->msgs] = malloc(n + 1);
        cr_assert(s->data[s->msgs]);
        memcpy(s->data[s->msgs], d, n);
        s->data[s->msgs][n] = 0;
        s->lens[s->msgs] = n;
    }
    s->msgs++;
    if (s->free_at_msg == s->msgs) {
        swirl_ws_client_free(c);
        s->c = NULL;
        return;
    }
    if (s->on_msg)
        s->on_msg(s, op, d, n);
}

static void s_close(swirl_ws_client_t *c, void *u, int code, const char *reason, size_t rlen,
                    bool clean) {
    sess_t *s = u;
    (void)c;
    cr_assert_eq(s->closes, 0, "one close");
    s->closes++;
    s->code = code;
    snprintf(s->reason, sizeof(s->reason), "%.*s", (int)rlen, reason);
    s->clean = clean;
    swirl_loop_stop(s->loop);
    if (s->free_at_end) {
        swirl_ws_client_free(c);
        s->c = NULL;
    }
}

static void s_error(swirl_ws_client_t *c, void *u, int status) {
    sess_t *s = u;
    cr_assert_eq(s->closes, 0, "no error after the close");
    s->errors++;
    s->err = status;
    snprintf(s->errmsg, sizeof(s->errmsg), "%s", swirl_ws_client_errmsg(c));
    cr_assert_eq(swirl_ws_client_errcode(c), status);
    if (s->on_err)
        s->on_err(s);
    if (s->opens == 0) /* connect failures end here */
        swirl_loop_stop(s->loop);
    if (s->free_at_end && s->c) {
        s->c = NULL; /* an open one gets its close from inside the free */
        swirl_ws_client_free(c);
    }
}

static const swirl_ws_client_callbacks_t cbs = {s_open, s_msg, s_close, s_error};

static void s_guard(swirl_loop_t *loop, int64_t id, void *u) {
    (void)id;
    sess_t *s = u;
    s->guard = 0;
    s->timed_out = true;
    swirl_loop_stop(loop);
}

/* Connect to url with opts (NULL: defaults) and run until the end (or 30 s). */
static void run(sess_t *s, const char *url, const swirl_ws_client_options_t *opts) {
    cr_assert_eq(swirl_loop_new(&s->loop), 0);
    cr_assert_eq(swirl_ws_client_new(&s->c, s->loop, url, opts, &cbs, s), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_ws_client_connect(s->c), 0, "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_ws_client_state(s->c), SWIRL_WS_CLIENT_CONNECTING);
    swirl_ws_client_t *c = s->c;
    cr_assert_eq(swirl_ws_client_connect(c), SWIRL_ESTATE);
    s->guard = swirl_timer_after(s->loop, 30000, s_guard, s);
    swirl_loop_run(s->loop);
    if (s->guard)
        swirl_timer_clear(s->loop, s->guard);
    cr_assert_not(s->timed_out, "the session ended (opens %d msgs %d errors %d: %s)", s->opens,
                  s->msgs, s->errors, s->errmsg);
}

static void done(sess_t *s) {
    swirl_ws_client_free(s->c);
    s->c = NULL;
    swirl_loop_run_once(s->loop, 0);
    swirl_loop_free(s->loop);
    for (int i = 0; i < s->msgs && i < MAXMSG; i++)
        free(s->data[i]);
}

static char url_buf[256];
static const char *url_of(const char *scheme, int port, const char *path) {
    snprintf(url_buf, sizeof(url_buf), "%s://127.0.0.1:%d%s", scheme, port, path);
    return url_buf;
}

/* ---- Python peers (ws_client_peer.py)
 * ------------------------------------------------------------ */

static pid_t peer_pid;

static int peer(const char *mode) {
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 is missing (scripts/deps.sh installs it)");
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0)
            dup2(null, 2);
        execl("/usr/bin/python3", "python3",
              SWIRL_SOURCE_DIR "/tests/integration/ws_client_peer.py", mode, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    peer_pid = pid;
    char line[128] = "";
    size_t n = 0;
    while (n + 1 < sizeof(line) && !strchr(line, '\n')) {
        struct pollfd pf = {p[0], POLLIN, 0};
        if (poll(&pf, 1, 20000) <= 0)
            break;
        ssize_t r = read(p[0], line + n, sizeof(line) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        line[n] = 0;
    }
    close(p[0]);
    if (strstr(line, "no websockets"))
        cr_skip_test("python3-websockets is not installed (scripts/deps.sh installs it)");
    int port = 0;
    cr_assert_eq(sscanf(line, "port %d", &port), 1, "the peer %s started: \"%s\"", mode, line);
    return port;
}

static void teardown(void) {
    if (peer_pid > 0) {
        kill(peer_pid, SIGKILL);
        waitpid(peer_pid, NULL, 0);
        peer_pid = 0;
    }
    stop();
}

/* ---- the API: URLs, options, states
 * --------------------------------------------------------------- */

Test(ws_client, bad_urls_are_refused_naming_the_fault, .timeout = 30) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    static const struct {
        const char *url, *why;
        int code;
    } bad[] = {
        {"http://127.0.0.1/", "scheme", SWIRL_EBADADDR},
        {"ws:/127.0.0.1/", "scheme", SWIRL_EBADADDR},
        {"ws://", "host", SWIRL_EBADADDR},
        {"ws://:80/", "host", SWIRL_EBADADDR},
        {"ws://exa mple.com/", "byte 0x20", SWIRL_EBADADDR},
        {"ws://example.com/a b", "byte 0x20", SWIRL_EBADADDR},
        {"ws://example.com/\x7f", "byte 0x7f", SWIRL_EBADADDR},
        {"ws://example.com/#frag", "fragment", SWIRL_EBADADDR},
        {"ws://user:pw@example.com/", "user info", SWIRL_EBADADDR},
        {"ws://example.com:0/", "port 0", SWIRL_EBADPORT},
        {"ws://example.com:65536/", "port 65536", SWIRL_EBADPORT},
        {"ws://example.com:/", "bad port", SWIRL_EBADADDR},
        {"ws://example.com:8x/", "bad port", SWIRL_EBADADDR},
        {"ws://example.com:123456/", "bad port", SWIRL_EBADADDR},
        {"ws://[::1/", "without ']'", SWIRL_EBADADDR},
        {"ws://[::g]/", "bad IPv6", SWIRL_EBADADDR},
        {"ws://[::1]x/", "junk after", SWIRL_EBADADDR},
        {"ws://exa..mple/", "bad or missing host", SWIRL_EBADADDR},
        {"ws://exa$mple/", "bad or missing host", SWIRL_EBADADDR},
        {"ws://example.com/%zz", "%-escape", SWIRL_EBADADDR},
        {"ws://example.com/%4", "%-escape", SWIRL_EBADADDR},
        {NULL, "no URL", SWIRL_EBADADDR},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        swirl_ws_client_t *c = (void *)1;
        int rc = swirl_ws_client_new(&c, loop, bad[i].url, NULL, &cbs, NULL);
        cr_assert_eq(rc, bad[i].code, "%s: %d (%s)", bad[i].url, rc, swirl_last_error_msg());
        cr_assert(strstr(swirl_last_error_msg(), bad[i].why), "%s: \"%s\" names %s", bad[i].url,
                  swirl_last_error_msg(), bad[i].why);
    }
    /* good ones */
    static const char *good[] = {"ws://example.com", "WSS://example.com:8443/x?y=1&z=%20",
                                 "ws://[::1]:9000/chat", "ws://127.0.0.1?x",
                                 "ws://a-b_c.example.org./"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        swirl_ws_client_t *c;
        cr_assert_eq(swirl_ws_client_new(&c, loop, good[i], NULL, &cbs, NULL), 0, "%s: %s", good[i],
                     swirl_last_error_msg());
        cr_assert_eq(swirl_ws_client_state(c), SWIRL_WS_CLIENT_IDLE);
        cr_assert_eq(swirl_ws_client_send(c, SWIRL_WS_TEXT, "x", 1), SWIRL_ESTATE);
        cr_assert_eq(swirl_ws_client_close(c, 1000, NULL), SWIRL_ESTATE);
        swirl_ws_client_free(c); /* never started: no callback */
    }
    swirl_loop_free(loop);
}

Test(ws_client, bad_options_and_callbacks_are_refused, .timeout = 30) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_ws_client_t *c;
    swirl_ws_client_callbacks_t none = {0};
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", NULL, &none, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "message callback"));
    cr_assert_eq(swirl_ws_client_new(&c, NULL, "ws://x/", NULL, &cbs, NULL), SWIRL_EBADARG);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.timeout = 0;
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
    swirl_ws_client_options_init(&o);
    o.max_message = 0;
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
    swirl_ws_client_options_init(&o);
    o.deflate = true;
    o.client_max_window_bits = 7;
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "client_max_window_bits"));
    const char *h1[] = {"Sec-WebSocket-Key", "x", NULL};
    const char *h2[] = {"X-Bad", "a\r\nb", NULL};
    const char *h3[] = {"Bad Name", "a", NULL};
    const char *h4[] = {"X-Odd", NULL};
    const char *const *hs[] = {h1, h2, h3, h4};
    const char *why[] = {"client's own", "control byte", "not a token", "no value"};
    for (int i = 0; i < 4; i++) {
        swirl_ws_client_options_init(&o);
        o.headers = hs[i];
        cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
        cr_assert(strstr(swirl_last_error_msg(), why[i]), "%s", swirl_last_error_msg());
    }
    const char *p1[] = {"chat", "a b", NULL};
    const char *p2[] = {"chat", "chat", NULL};
    swirl_ws_client_options_init(&o);
    o.subprotocols = p1;
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
    o.subprotocols = p2;
    cr_assert_eq(swirl_ws_client_new(&c, loop, "ws://x/", &o, &cbs, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "twice"));
    swirl_loop_free(loop);
}

Test(ws_client, refused_connect_is_one_error, .timeout = 30) {
    cr_assert_eq(swirl_ws_client_response(NULL, NULL, NULL), 0);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    sess_t s = {0};
    run(&s, url_of("ws", ntohs(a.sin_port), "/"), NULL);
    close(fd);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, -ECONNREFUSED, "%d %s", s.err, s.errmsg);
    cr_assert(strstr(s.errmsg, "ws://127.0.0.1:"), "%s", s.errmsg);
    cr_assert_eq(s.opens + s.closes + s.msgs, 0);
    cr_assert_eq(swirl_ws_client_state(s.c), SWIRL_WS_CLIENT_CLOSED);
    cr_assert_eq(swirl_ws_client_connect(s.c), SWIRL_ESTATE, "a client connects once");
    cr_assert_eq(swirl_ws_client_response(s.c, NULL, NULL), 0, "no answer came");
    done(&s);
}

/* ---- echo against swirl's server and Python's
 * ------------------------------------------------------ */

static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 1 << 20};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
static const char utf8_text[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";

static char *pattern(size_t n, int seed, bool compressible) {
    char *p = malloc(n + 1);
    cr_assert(p);
    for (size_t i = 0; i < n; i++)
        p[i] = compressible ? "abcabcabd"[i % 9]
                            : (char)((i * 7 + (size_t)seed * 13 + (i >> 8)) & 0xff);
    return p;
}

static bool compressible_echo;

static void echo_open(sess_t *s) {
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, utf8_text, strlen(utf8_text)), 0);
    for (size_t i = 0; i < NSIZES; i++) {
        char *p = pattern(sizes[i], (int)i, compressible_echo);
        cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_BINARY, p, sizes[i]), 0, "%s",
                     swirl_ws_client_errmsg(s->c));
        free(p);
    }
    /* a fragmented text with a ping between its fragments */
    cr_assert_eq(swirl_ws_client_send_frame(s->c, SWIRL_WS_TEXT, false, "frag", 4), 0);
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, "x", 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_ws_client_send_frame(s->c, SWIRL_WS_BINARY, true, "x", 1), SWIRL_EBADARG);
    cr_assert_eq(swirl_ws_client_ping(s->c, "between", 7), 0);
    cr_assert_eq(swirl_ws_client_send_frame(s->c, SWIRL_WS_CONTINUATION, false, "men", 3), 0);
    cr_assert_eq(swirl_ws_client_send_frame(s->c, SWIRL_WS_CONTINUATION, true, "ted", 3), 0);
    cr_assert_eq(swirl_ws_client_send_frame(s->c, SWIRL_WS_CONTINUATION, true, "x", 1),
                 SWIRL_EBADARG, "nothing to continue");
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, "\xc3\x28", 2), SWIRL_EBADARG,
                 "text is UTF-8");
    cr_assert_eq(swirl_ws_client_send(s->c, 5, "x", 1), SWIRL_EBADARG);
    char big[126] = {0};
    cr_assert_eq(swirl_ws_client_ping(s->c, big, 126), SWIRL_EBADARG);
}

static void echo_msg(sess_t *s, int op, const char *d, size_t n) {
    (void)op, (void)d, (void)n;
    /* text, sizes, pong, fragmented text: then close */
    if (s->msgs == 1 + (int)NSIZES + 2) {
        char long_reason[125];
        memset(long_reason, 'r', 124);
        long_reason[124] = 0;
        cr_assert_eq(swirl_ws_client_close(s->c, 1005, NULL), SWIRL_EBADARG, "1005 is not sent");
        cr_assert_eq(swirl_ws_client_close(s->c, 0, "why"), SWIRL_EBADARG, "a reason needs a code");
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, long_reason), SWIRL_EBADARG);
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, "\xc3\x28"), SWIRL_EBADARG);
        cr_assert_eq(swirl_ws_client_state(s->c), SWIRL_WS_CLIENT_OPEN, "nothing sent");
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, "done"), 0);
        cr_assert_eq(swirl_ws_client_state(s->c), SWIRL_WS_CLIENT_CLOSING);
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, "again"), SWIRL_ESTATE);
        cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, "late", 4), SWIRL_ESTATE);
    }
}

/* The echoes in order; the pong may come anywhere (a server answers a
 * ping as soon as it reads it, before echoing what came earlier). */
static void check_echo(sess_t *s) {
    cr_assert_eq(s->opens, 1);
    cr_assert_eq(s->errors, 0, "%s", s->errmsg);
    cr_assert_eq(s->msgs, 1 + (int)NSIZES + 2);
    int pongs = 0, k = 0;
    for (int m = 0; m < s->msgs; m++) {
        if (s->ops[m] == SWIRL_WS_PONG) {
            cr_assert_str_eq(s->data[m], "between");
            pongs++;
            continue;
        }
        if (k == 0) {
            cr_assert_eq(s->ops[m], SWIRL_WS_TEXT);
            cr_assert_str_eq(s->data[m], utf8_text);
        } else if (k <= (int)NSIZES) {
            size_t i = (size_t)k - 1;
            char *p = pattern(sizes[i], (int)i, compressible_echo);
            cr_assert_eq(s->ops[m], SWIRL_WS_BINARY, "message %d: opcode %d", m, s->ops[m]);
            cr_assert_eq(s->lens[m], sizes[i]);
            cr_assert_eq(memcmp(s->data[m], p, sizes[i]), 0, "echo of %zu bytes", sizes[i]);
            free(p);
        } else {
            cr_assert_eq(s->ops[m], SWIRL_WS_TEXT);
            cr_assert_str_eq(s->data[m], "fragmented");
        }
        k++;
    }
    cr_assert_eq(pongs, 1);
    cr_assert_eq(s->closes, 1);
    cr_assert(s->clean, "a clean close");
    cr_assert_eq(s->code, 1000);
}

static void swirl_echo(const char *mode, bool deflate) {
    int port = start((variant_t){.mode = mode, .deflate = deflate});
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.deflate = deflate;
    compressible_echo = deflate;
    run(&s, url_of("ws", port, "/echo?x=1"), &o);
    check_echo(&s);
    cr_assert_eq(swirl_ws_client_deflate(s.c), deflate, "%s", swirl_ws_client_extensions(s.c));
    if (deflate)
        cr_assert(strstr(swirl_ws_client_extensions(s.c), "permessage-deflate"));
    done(&s);
}

Test(ws_client, swirl_echo_base, .timeout = 60, .fini = teardown) { swirl_echo("base", false); }
Test(ws_client, swirl_echo_process, .timeout = 60, .fini = teardown) {
    swirl_echo("process", false);
}
Test(ws_client, swirl_echo_deflate, .timeout = 60, .fini = teardown) { swirl_echo("base", true); }

Test(ws_client, python_echo_deflate_no_context, .timeout = 60, .fini = teardown) {
    int port = peer("echo");
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.deflate = true;
    o.server_no_context_takeover = true;
    compressible_echo = true;
    run(&s, url_of("ws", port, "/"), &o);
    check_echo(&s);
    cr_assert(swirl_ws_client_deflate(s.c));
    cr_assert(strstr(swirl_ws_client_extensions(s.c), "server_no_context_takeover"), "%s",
              swirl_ws_client_extensions(s.c));
    done(&s);
}

Test(ws_client, python_echo_deflate_context_takeover_and_window_bits, .timeout = 60,
     .fini = teardown) {
    int port = peer("echo-ctx");
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.deflate = true;
    o.server_max_window_bits = 12;
    compressible_echo = true;
    run(&s, url_of("ws", port, "/"), &o);
    check_echo(&s);
    const char *ext = swirl_ws_client_extensions(s.c);
    cr_assert(strstr(ext, "server_max_window_bits=10") && strstr(ext, "client_max_window_bits=9"),
              "%s", ext);
    done(&s);
}

Test(ws_client, python_echo_plain, .timeout = 60, .fini = teardown) {
    int port = peer("echo-plain");
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.deflate = true; /* offered, declined */
    compressible_echo = false;
    run(&s, url_of("ws", port, "/"), &o);
    check_echo(&s);
    cr_assert_not(swirl_ws_client_deflate(s.c));
    cr_assert_str_eq(swirl_ws_client_extensions(s.c), "");
    done(&s);
}

/* ---- subprotocols, headers, the server's close, pings
 * ---------------------------------------------- */

static void send_cmd_open(sess_t *s) {
    const char *cmd = s->arg;
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, cmd, strlen(cmd)), 0);
}

Test(ws_client, swirl_subprotocol_chosen_and_server_close, .timeout = 60, .fini = teardown) {
    int port = start((variant_t){.mode = "base", .handshake_cb = true});
    const char *protos[] = {"superchat", "other", NULL};
    const char *headers[] = {"X-Test", "yes", "Origin", "http://example.com", NULL};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.subprotocols = protos;
    o.headers = headers;
    sess_t s = {.on_open = send_cmd_open, .arg = "cmd:close:4001:bye now"};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_str_eq(swirl_ws_client_protocol(s.c), "superchat");
    const swirl_http_header_t *h = NULL;
    size_t n = 0;
    cr_assert_eq(swirl_ws_client_response(s.c, &h, &n), 101);
    bool upgrade = false;
    for (size_t i = 0; i < n; i++)
        upgrade |= h[i].name_len == 7 && strncasecmp(h[i].name, "upgrade", 7) == 0 &&
                   h[i].value_len == 9 && strncasecmp(h[i].value, "websocket", 9) == 0;
    cr_assert(upgrade, "the 101's headers are kept (%zu)", n);
    cr_assert_eq(s.closes, 1);
    cr_assert_eq(s.code, 4001);
    cr_assert_str_eq(s.reason, "bye now");
    cr_assert(s.clean);
    done(&s);
}

Test(ws_client, swirl_refused_handshake_is_an_error, .timeout = 60, .fini = teardown) {
    int port = start((variant_t){.mode = "base", .handshake_cb = true});
    sess_t s = {0};
    run(&s, url_of("ws", port, "/deny"), NULL);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, SWIRL_EPROTO);
    cr_assert(strstr(s.errmsg, "answered 403"), "%s", s.errmsg);
    cr_assert_eq(s.opens + s.closes, 0);
    /* the refusal's head stays readable */
    const swirl_http_header_t *h = NULL;
    size_t n = 99;
    cr_assert_eq(swirl_ws_client_response(s.c, &h, &n), 403);
    cr_assert(h && n > 0);
    cr_assert_eq(swirl_ws_client_response(s.c, NULL, NULL), 403);
    done(&s);
}

Test(ws_client, python_subprotocol_and_close_codes, .timeout = 60, .fini = teardown) {
    int port = peer("echo-plain");
    const char *protos[] = {"x-none", "chat", NULL};
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.subprotocols = protos;
    sess_t s = {.on_open = send_cmd_open, .arg = "close:4002:later \xe2\x82\xac"};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_str_eq(swirl_ws_client_protocol(s.c), "chat");
    cr_assert_eq(s.code, 4002);
    cr_assert_str_eq(s.reason, "later \xe2\x82\xac");
    cr_assert(s.clean);
    done(&s);
}

static void ping_msg(sess_t *s, int op, const char *d, size_t n) {
    (void)d, (void)n;
    if (op == SWIRL_WS_PING)
        swirl_ws_client_close(s->c, 1000, NULL);
}

Test(ws_client, python_ping_is_answered_and_delivered, .timeout = 60, .fini = teardown) {
    int port = peer("echo-plain");
    sess_t s = {.on_open = send_cmd_open, .on_msg = ping_msg, .arg = "ping:are you there"};
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.msgs, 1);
    cr_assert_eq(s.ops[0], SWIRL_WS_PING);
    cr_assert_str_eq(s.data[0], "are you there");
    cr_assert(s.clean);
    cr_assert_eq(s.code, 1000);
    done(&s);
}

/* ---- max_message, freeing
 * ---------------------------------------------------------------------------- */

static void big_open(sess_t *s) {
    size_t n = (size_t)(uintptr_t)s->arg;
    char *p = pattern(n, 1, false);
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_BINARY, p, n), 0);
    free(p);
}

Test(ws_client, swirl_message_over_max_fails_1009, .timeout = 60, .fini = teardown) {
    int port = start((variant_t){.mode = "base"});
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.max_message = 1 << 20;
    sess_t s = {.on_open = big_open, .arg = (void *)(uintptr_t)((1 << 20) + 1)};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, SWIRL_ETOOBIG, "%s", s.errmsg);
    cr_assert(strstr(s.errmsg, "max_message"), "%s", s.errmsg);
    cr_assert_eq(s.msgs, 0);
    cr_assert_eq(s.closes, 1);
    cr_assert_eq(s.code, 1009);
    cr_assert_not(s.clean);
    done(&s);
}

static void free_on_open(sess_t *s) {
    cr_assert_eq(swirl_ws_client_send(s->c, SWIRL_WS_TEXT, "queued", 6), 0);
    swirl_ws_client_free(s->c); /* inside its own callback */
    swirl_loop_stop(s->loop);
}

Test(ws_client, free_inside_on_open_gives_one_close, .timeout = 60, .fini = teardown) {
    int port = start((variant_t){.mode = "base"});
    sess_t s = {.on_open = free_on_open};
    cr_assert_eq(swirl_loop_new(&s.loop), 0);
    cr_assert_eq(swirl_ws_client_new(&s.c, s.loop, url_of("ws", port, "/"), NULL, &cbs, &s), 0);
    cr_assert_eq(swirl_ws_client_connect(s.c), 0);
    swirl_loop_run(s.loop);
    cr_assert_eq(s.opens, 1);
    cr_assert_eq(s.closes, 1);
    cr_assert_eq(s.code, 1006);
    cr_assert_str_eq(s.reason, "client freed");
    cr_assert_not(s.clean);
    cr_assert_eq(s.errors, 0);
    swirl_loop_run_once(s.loop, 0);
    swirl_loop_free(s.loop);
}

Test(ws_client, free_while_connecting_gives_one_cancel, .timeout = 60, .fini = teardown) {
    int port = peer("stall-silent");
    sess_t s = {0};
    cr_assert_eq(swirl_loop_new(&s.loop), 0);
    cr_assert_eq(swirl_ws_client_new(&s.c, s.loop, url_of("ws", port, "/"), NULL, &cbs, &s), 0);
    cr_assert_eq(swirl_ws_client_connect(s.c), 0);
    swirl_loop_run_once(s.loop, 50);
    swirl_ws_client_free(s.c);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, -ECANCELED);
    cr_assert_eq(s.opens + s.closes, 0);
    swirl_loop_run(s.loop); /* nothing left: returns */
    cr_assert_eq(s.errors, 1, "nothing after");
    swirl_loop_free(s.loop);
}

/* ---- hostile servers
 * ---------------------------------------------------------------------------------- Each a
 * scripted answer (ws_client_peer.py). Before the 101: one error naming the fault, nothing else.
 * After it: the error, then a close that is not clean with the code we failed with. Then the loop
 * goes on: a second client on the same loop still works against swirl's server. */

typedef struct {
    const char *mode;
    int err;          /* the error */
    const char *why;  /* in its message */
    int code;         /* close code; 0: the handshake failed (no open, no close) */
    bool deflate;     /* offer permessage-deflate */
    int msgs;         /* messages delivered before the fault */
    bool close_first; /* the client closes once open */
} hostile_t;

static void close_on_open(sess_t *s) {
    const hostile_t *h = s->arg;
    if (h->close_first)
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, "bye"), 0);
}

static void hostile(hostile_t h) {
    int port = peer(h.mode);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.deflate = h.deflate;
    o.timeout = 1;
    o.close_timeout = 1;
    sess_t s = {.on_open = close_on_open, .arg = &h};
    run(&s, url_of("ws", port, "/"), &o);
    if (h.err) {
        cr_assert_eq(s.errors, 1, "%s: one error (%s)", h.mode, s.errmsg);
        cr_assert_eq(s.err, h.err, "%s: error %d (%s)", h.mode, s.err, s.errmsg);
        cr_assert(strstr(s.errmsg, h.why), "%s: \"%s\" names \"%s\"", h.mode, s.errmsg, h.why);
    } else {
        cr_assert_eq(s.errors, 0, "%s: %s", h.mode, s.errmsg);
    }
    cr_assert_eq(s.msgs, h.msgs, "%s: %d messages", h.mode, s.msgs);
    if (!h.code) {
        cr_assert_eq(s.opens + s.closes, 0, "%s: never open", h.mode);
    } else {
        cr_assert_eq(s.opens, 1, "%s", h.mode);
        cr_assert_eq(s.closes, 1, "%s", h.mode);
        cr_assert_eq(s.code, h.code, "%s: close code %d", h.mode, s.code);
        cr_assert_eq(s.clean, h.err == 0, "%s: clean only without a fault", h.mode);
    }
    cr_assert_eq(swirl_ws_client_state(s.c), SWIRL_WS_CLIENT_CLOSED);
    /* the loop goes on: another client on it */
    swirl_loop_t *loop = s.loop;
    swirl_ws_client_free(s.c);
    int port2 = start((variant_t){.mode = "base"});
    sess_t s2 = {.loop = loop, .on_open = echo_open, .on_msg = echo_msg};
    compressible_echo = false;
    cr_assert_eq(swirl_ws_client_new(&s2.c, loop, url_of("ws", port2, "/"), NULL, &cbs, &s2), 0);
    cr_assert_eq(swirl_ws_client_connect(s2.c), 0);
    swirl_loop_run(loop);
    check_echo(&s2);
    s.c = NULL;
    for (int i = 0; i < s2.msgs && i < MAXMSG; i++)
        free(s2.data[i]);
    swirl_ws_client_free(s2.c);
    done(&s);
}

#define HOSTILE_TEST(name, ...)                                                                    \
    Test(ws_client, hostile_##name, .timeout = 60, .fini = teardown) {                             \
        hostile((hostile_t){__VA_ARGS__});                                                         \
    }

HOSTILE_TEST(bad_accept, "bad-accept", SWIRL_EPROTO, "Sec-WebSocket-Accept is \"AAAA", 0)
HOSTILE_TEST(not_101, "not-101", SWIRL_EPROTO, "answered 403 Forbidden, not 101", 0)
HOSTILE_TEST(no_upgrade, "no-upgrade", SWIRL_EPROTO, "Upgrade is \"\"", 0)
HOSTILE_TEST(bad_head, "bad-head", SWIRL_EPROTO, "bad response", 0)
HOSTILE_TEST(huge_head, "huge-head", SWIRL_EPROTO, "over 16384 bytes", 0)
HOSTILE_TEST(subprotocol_not_offered, "proto-not-offered", SWIRL_EPROTO,
             "subprotocol \"evil\", which was not offered", 0)
HOSTILE_TEST(extension_not_offered, "ext-not-offered", SWIRL_EPROTO,
             "extension \"x-evil\", which was not offered", 0)
HOSTILE_TEST(deflate_bad_parameter, "deflate-bad-param", SWIRL_EPROTO,
             "server_max_window_bits needs a value 8..15", 0, .deflate = true)
HOSTILE_TEST(stall_mid_head, "stall-head", -ETIMEDOUT, "opening handshake timed out", 0)
HOSTILE_TEST(stall_silent, "stall-silent", -ETIMEDOUT, "opening handshake timed out", 0)
HOSTILE_TEST(close_before_101, "close-before-101", SWIRL_ECLOSED, "before its answer", 0)
HOSTILE_TEST(masked_frame, "masked", SWIRL_EPROTO, "a masked frame from the server", 1002)
HOSTILE_TEST(reserved_opcode, "reserved-opcode", SWIRL_EPROTO, "reserved opcode 3", 1002)
HOSTILE_TEST(fragmented_control, "frag-control", SWIRL_EPROTO, "fragmented control frame", 1002)
HOSTILE_TEST(rsv_bit, "rsv-bit", SWIRL_EPROTO, "reserved bits", 1002)
HOSTILE_TEST(oversize_frame, "oversize", SWIRL_ETOOBIG, "over max_message", 1009)
HOSTILE_TEST(invalid_utf8, "bad-utf8", SWIRL_EPROTO, "not UTF-8", 1007)
HOSTILE_TEST(invalid_utf8_after_split_valid, "bad-utf8-split", SWIRL_EPROTO, "not UTF-8", 1007,
             .msgs = 1)
HOSTILE_TEST(continuation_without_message, "bad-continuation", SWIRL_EPROTO,
             "continuation frame without a message", 1002)
HOSTILE_TEST(close_code_1005_sent, "bad-close-code", SWIRL_EPROTO, "close code 1005", 1002)
HOSTILE_TEST(close_of_1_byte, "close-1-byte", SWIRL_EPROTO, "close frame of 1 byte", 1002)
HOSTILE_TEST(deflate_bomb, "bomb", SWIRL_ETOOBIG, "larger than", 1009, .deflate = true)
HOSTILE_TEST(closes_without_close_frame, "no-close-frame", SWIRL_ECLOSED, "without a close frame",
             1006, .msgs = 1)
HOSTILE_TEST(never_answers_close, "never-answer-close", -ETIMEDOUT,
             "did not answer the close within 1 s", 1000, .msgs = 1, .close_first = true)
HOSTILE_TEST(server_close_then_silence, "server-close", 0, "", 4001)
HOSTILE_TEST(too_many_headers, "many-headers", SWIRL_EPROTO, "bad response", 0)
HOSTILE_TEST(http10_101, "http10-101", SWIRL_EPROTO, "HTTP/1.0", 0)
HOSTILE_TEST(accept_twice, "dup-accept", SWIRL_EPROTO, "Sec-WebSocket-Accept twice", 0)
HOSTILE_TEST(chopped_101_then_a_message, "chop-101", 0, "", 1000, .msgs = 1, .close_first = true)
HOSTILE_TEST(deflate_rsv1_on_continuation, "deflate-rsv1-cont", SWIRL_EPROTO,
             "RSV1 on a continuation frame", 1002, .deflate = true)
HOSTILE_TEST(deflate_garbage, "deflate-garbage", SWIRL_EPROTO, "not valid deflate data", 1002,
             .deflate = true)
HOSTILE_TEST(deflate_text_not_utf8, "deflate-bad-utf8", SWIRL_EPROTO, "not UTF-8", 1007,
             .deflate = true)
HOSTILE_TEST(utf8_fails_fast_mid_frame, "utf8-failfast", SWIRL_EPROTO, "not UTF-8", 1007)
HOSTILE_TEST(eof_mid_frame, "eof-mid-frame", SWIRL_ECLOSED, "without a close frame", 1006)

static void welcome_msg(sess_t *s, int op, const char *d, size_t n) {
    (void)d, (void)n;
    if (op == SWIRL_WS_BINARY)
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, NULL), 0);
}

Test(ws_client, frames_right_behind_the_101_and_ping_between_fragments, .timeout = 60,
     .fini = teardown) {
    int port = peer("welcome-behind-101");
    sess_t s = {.on_msg = welcome_msg};
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.msgs, 3);
    cr_assert_eq(s.ops[0], SWIRL_WS_TEXT);
    cr_assert_str_eq(s.data[0], "one");
    cr_assert_eq(s.ops[1], SWIRL_WS_PING);
    cr_assert_str_eq(s.data[1], "mid");
    cr_assert_eq(s.ops[2], SWIRL_WS_BINARY);
    cr_assert_str_eq(s.data[2], "two");
    cr_assert(s.clean);
    done(&s);
}

/* ---- wss:// against `swirl serve --cert`
 * ---------------------------------------------------------------- */

static pid_t serve_pid;
static char tls_dir[128];

static void serve_stop(void) {
    if (serve_pid > 0) {
        kill(serve_pid, SIGTERM);
        int st;
        for (int i = 0; i < 500 && waitpid(serve_pid, &st, WNOHANG) == 0; i++)
            usleep(10000);
        kill(serve_pid, SIGKILL);
        waitpid(serve_pid, NULL, WNOHANG);
        serve_pid = 0;
    }
    if (tls_dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tls_dir);
        cr_assert_eq(system(cmd), 0);
        tls_dir[0] = 0;
    }
    teardown();
}

/* `swirl serve` over TLS with a fresh self-signed certificate for
 * localhost (in tls_dir/cert.pem); its port. */
static int serve_tls(void) {
    if (access("/usr/bin/openssl", X_OK) != 0)
        cr_skip_test("/usr/bin/openssl is missing (apt-get install openssl)");
    tu_tmp_path(tls_dir, sizeof(tls_dir), "wscli-tls");
    cr_assert_eq(mkdir(tls_dir, 0700), 0);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
             "-addext subjectAltName=DNS:localhost -keyout %s/key.pem -out %s/cert.pem "
             ">/dev/null 2>&1",
             tls_dir, tls_dir);
    cr_assert_eq(system(cmd), 0, "openssl req");
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    char cert[200], key[200];
    snprintf(cert, sizeof(cert), "%s/cert.pem", tls_dir);
    snprintf(key, sizeof(key), "%s/key.pem", tls_dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        execl(SWIRL_BIN, "swirl", "serve", "--port", "0", "--workers", "1", "--cert", cert, "--key",
              key, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    serve_pid = pid;
    char line[256] = "";
    size_t n = 0;
    while (n + 1 < sizeof(line) && !strchr(line, '\n')) {
        struct pollfd pf = {p[0], POLLIN, 0};
        if (poll(&pf, 1, 20000) <= 0)
            break;
        ssize_t r = read(p[0], line + n, sizeof(line) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        line[n] = 0;
    }
    close(p[0]);
    int port = 0;
    const char *at = strstr(line, "https://127.0.0.1:");
    cr_assert(at && sscanf(at, "https://127.0.0.1:%d/", &port) == 1, "swirl serve: \"%s\"", line);
    return port;
}

Test(ws_client, wss_verified_with_the_ca_file, .timeout = 60, .fini = serve_stop) {
    int port = serve_tls();
    char url[128], ca[200];
    snprintf(url, sizeof(url), "wss://localhost:%d/ws", port); /* a name: resolved, SNI, checked */
    snprintf(ca, sizeof(ca), "%s/cert.pem", tls_dir);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.ca_file = ca;
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
    compressible_echo = false;
    run(&s, url, &o);
    check_echo(&s);
    done(&s);
    /* by address, with the name to check given */
    snprintf(url, sizeof(url), "wss://127.0.0.1:%d/ws", port);
    o.host_name = "localhost";
    sess_t s2 = {.on_open = echo_open, .on_msg = echo_msg};
    run(&s2, url, &o);
    check_echo(&s2);
    done(&s2);
}

Test(ws_client, wss_refused_without_trust_or_with_another_name, .timeout = 60, .fini = serve_stop) {
    int port = serve_tls();
    char url[128], ca[200];
    snprintf(url, sizeof(url), "wss://localhost:%d/ws", port);
    snprintf(ca, sizeof(ca), "%s/cert.pem", tls_dir);
    sess_t s = {0};
    run(&s, url, NULL); /* the system store does not know it */
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, SWIRL_EPROTO, "%d %s", s.err, s.errmsg);
    cr_assert(strstr(s.errmsg, "certificate verify failed"), "%s", s.errmsg);
    cr_assert_eq(s.opens + s.closes, 0);
    done(&s);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.ca_file = ca;
    o.host_name = "other.example";
    sess_t s2 = {0};
    run(&s2, url, &o);
    cr_assert_eq(s2.errors, 1);
    cr_assert_eq(s2.err, SWIRL_EPROTO, "%d %s", s2.err, s2.errmsg);
    cr_assert(strstr(s2.errmsg, "certificate verify failed"), "%s", s2.errmsg);
    done(&s2);
    /* and ws:// to the TLS port: no 101 (the server speaks TLS) */
    snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws", port);
    o.timeout = 2;
    sess_t s3 = {0};
    run(&s3, url, &o);
    cr_assert_eq(s3.errors, 1);
    cr_assert_eq(s3.opens, 0);
    done(&s3);
}

/* ---- the conformance categories, from the client's side
 * ------------------------------------------------- /work/shared/conformance/websocket.md lists
 * Autobahn's categories (what a server must do). Each that applies to a client is run here with the
 * server's part played by ws_client_peer.py: every category the file lists
 * must be one of these or one named as not applying. */

static const char *conformance_md(void) {
    static char path[512];
    snprintf(path, sizeof(path), "%s/../shared/conformance/websocket.md", SWIRL_SOURCE_DIR);
    return path;
}

/* The category numbers in the file's table ("| 1 framing | ..."). */
static int conformance_categories(int *cats, int max) {
    FILE *f = fopen(conformance_md(), "re");
    if (!f)
        cr_skip_test("%s is absent: the conformance categories are not checked", conformance_md());
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof(line), f) && n < max) {
        int a, b;
        if (sscanf(line, "| %d, %d ", &a, &b) == 2) {
            cats[n++] = a;
            if (n < max)
                cats[n++] = b;
        } else if (sscanf(line, "| %d ", &a) == 1) {
            cats[n++] = a;
        }
    }
    fclose(f);
    return n;
}

static void end_msg(sess_t *s, int op, const char *d, size_t n) {
    if (op == SWIRL_WS_TEXT && n == 3 && memcmp(d, "end", 3) == 0)
        cr_assert_eq(swirl_ws_client_close(s->c, 1000, NULL), 0);
}

/* 1 framing, 2 ping/pong, 5 fragmentation, 6 valid UTF-8, 9 sizes */
static void conformance_good(void) {
    int port = peer("conformance");
    sess_t s = {.on_msg = end_msg};
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.code, 1000, "the server found our frames right (%d: %s)", s.code, s.reason);
    cr_assert(s.clean);
    int k = 0;
    static const size_t lens[] = {0, 1, 125, 126, 127, 65535, 65536};
    for (size_t i = 0; i < 7; i++) {
        cr_assert_eq(s.ops[k], SWIRL_WS_TEXT);
        cr_assert_eq(s.lens[k++], lens[i]);
        cr_assert_eq(s.ops[k], SWIRL_WS_BINARY);
        cr_assert_eq(s.lens[k], lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            cr_assert_eq((uint8_t)s.data[k][j], (uint8_t)(j & 0xff));
        k++;
    }
    cr_assert_eq(s.ops[k], SWIRL_WS_PING);
    cr_assert_eq(s.lens[k++], 0);
    cr_assert_eq(s.ops[k], SWIRL_WS_PING);
    cr_assert_eq(s.lens[k++], 125);
    for (int i = 0; i < 10; i++) {
        char p[8];
        snprintf(p, sizeof(p), "p%d", i);
        cr_assert_eq(s.ops[k], SWIRL_WS_PING);
        cr_assert_str_eq(s.data[k++], p);
    }
    cr_assert_eq(s.ops[k], SWIRL_WS_PONG);
    cr_assert_str_eq(s.data[k++], "unsolicited");
    cr_assert_eq(s.ops[k], SWIRL_WS_PING);
    cr_assert_str_eq(s.data[k++], "between");
    cr_assert_eq(s.ops[k], SWIRL_WS_PONG);
    cr_assert_str_eq(s.data[k++], "pong between");
    cr_assert_eq(s.ops[k], SWIRL_WS_TEXT);
    cr_assert_str_eq(s.data[k++], "fragmented");
    cr_assert_eq(s.ops[k], SWIRL_WS_BINARY);
    cr_assert_eq(s.lens[k], 10);
    cr_assert_eq(memcmp(s.data[k++], "\0\1\2\3\4\5\6\7\10\11", 10), 0);
    cr_assert_eq(s.ops[k], SWIRL_WS_TEXT);
    cr_assert_str_eq(s.data[k++], "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
                                  "\xf4\x8f\xbf\xbf\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");
    cr_assert_eq(s.ops[k], SWIRL_WS_BINARY);
    cr_assert_eq(s.lens[k], 4u << 20);
    for (size_t j = 0; j < (4u << 20); j += 4099)
        cr_assert_eq((uint8_t)s.data[k][j], (uint8_t)((j * 7) & 0xff));
    k++;
    cr_assert_str_eq(s.data[k++], "end");
    cr_assert_eq(s.msgs, k);
    done(&s);
}

/* One hostile mode per case: the error, the close code. */
static void expect_fail(const char *mode, int err, const char *why, int code) {
    int port = peer(mode);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.close_timeout = 1;
    sess_t s = {0};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 1, "%s: one error (%s)", mode, s.errmsg);
    cr_assert_eq(s.err, err, "%s: %d %s", mode, s.err, s.errmsg);
    cr_assert(strstr(s.errmsg, why), "%s: \"%s\" names \"%s\"", mode, s.errmsg, why);
    cr_assert_eq(s.code, code, "%s: code %d", mode, s.code);
    cr_assert_not(s.clean);
    done(&s);
    kill(peer_pid, SIGKILL);
    waitpid(peer_pid, NULL, 0);
    peer_pid = 0;
}

/* 3 reserved bits */
static void conformance_rsv(void) {
    static const char *const modes[] = {"rsv:1:1", "rsv:2:2", "rsv:3:1", "rsv:4:1",
                                        "rsv:5:2", "rsv:6:9", "rsv:7:8", "rsv:4:9"};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        expect_fail(modes[i], SWIRL_EPROTO, "reserved bits", 1002);
}

/* 4 opcodes */
static void conformance_opcodes(void) {
    static const int ops[] = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        char mode[32], why[32];
        snprintf(mode, sizeof(mode), "opcode:%d", ops[i]);
        snprintf(why, sizeof(why), "reserved opcode %d", ops[i]);
        expect_fail(mode, SWIRL_EPROTO, why, 1002);
    }
}

/* 5 fragmentation: the failing cases (the good ones are in conformance_good) */
static void conformance_fragments(void) {
    expect_fail("frag-control", SWIRL_EPROTO, "fragmented control frame", 1002);
    expect_fail("bad-continuation", SWIRL_EPROTO, "continuation frame without a message", 1002);
    expect_fail("new-inside-frag", SWIRL_EPROTO, "inside a fragmented one", 1002);
}

/* 6 invalid UTF-8: overlong forms, surrogates, past U+10FFFF, stray bytes,
 * truncated sequences; whole, and as a later fragment */
static void conformance_utf8(void) {
    static const char *const bad[] = {"c080",
                                      "c1bf",
                                      "e08080",
                                      "e09fbf",
                                      "eda080",
                                      "edbfbf",
                                      "f4908080",
                                      "f7bfbfbf",
                                      "f8888080",
                                      "fe",
                                      "ff",
                                      "80",
                                      "bf",
                                      "c2",
                                      "e282",
                                      "f09f98",
                                      "cebae1bdb9cf83cebcceb5eda080656469746564",
                                      "c0af",
                                      "e080af",
                                      "f08080af",
                                      "edadbfedb080"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char mode[96];
        snprintf(mode, sizeof(mode), "utf8bad:%s", bad[i]);
        expect_fail(mode, SWIRL_EPROTO, "UTF-8", 1007);
        snprintf(mode, sizeof(mode), "utf8bad-frag:%s", bad[i]);
        expect_fail(mode, SWIRL_EPROTO, "UTF-8", 1007);
    }
}

/* 7 close: payload lengths 0/1/125/126, invalid codes, a bad reason */
static void conformance_close(void) {
    static const int codes[] = {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char mode[32], why[48];
        snprintf(mode, sizeof(mode), "closecode:%d", codes[i]);
        snprintf(why, sizeof(why), "close code %d", codes[i]);
        if (codes[i] == 1012) /* assigned since RFC 6455 (Service Restart) but not in its list */
            continue;
        expect_fail(mode, SWIRL_EPROTO, why, 1002);
    }
    expect_fail("close-1-byte", SWIRL_EPROTO, "close frame of 1 byte", 1002);
    expect_fail("close126", SWIRL_EPROTO, "over 125 bytes", 1002);
    expect_fail("closebadutf8", SWIRL_EPROTO, "not UTF-8", 1007);
    /* 125 bytes: a clean close with the reason */
    int port = peer("close125");
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.close_timeout = 1;
    sess_t s = {0};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.code, 1000);
    cr_assert_eq(strlen(s.reason), 123);
    cr_assert(s.clean);
    done(&s);
}

/* 12, 13 permessage-deflate: the server's answers with each parameter */
static void conformance_deflate(void) {
    static const char *const modes[] = {
        "deflate:0:0:0:0", "deflate:1:0:0:0",  "deflate:0:1:0:0",   "deflate:1:1:0:0",
        "deflate:0:0:9:0", "deflate:0:0:15:0", "deflate:0:0:0:9",   "deflate:0:0:0:15",
        "deflate:1:1:9:9", "deflate:1:0:0:12", "deflate:1:0:12:10", "deflate:0:1:10:12"};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        int port = peer(modes[i]);
        swirl_ws_client_options_t o;
        swirl_ws_client_options_init(&o);
        o.deflate = true;
        sess_t s = {.on_open = echo_open, .on_msg = echo_msg};
        compressible_echo = true;
        run(&s, url_of("ws", port, "/"), &o);
        cr_assert_eq(s.errors, 0, "%s: %s", modes[i], s.errmsg);
        check_echo(&s);
        cr_assert(swirl_ws_client_deflate(s.c), "%s", modes[i]);
        done(&s);
        kill(peer_pid, SIGKILL);
        waitpid(peer_pid, NULL, 0);
        peer_pid = 0;
    }
}

static const struct {
    int cat;
    void (*run)(void);
} applied[] = {
    {1, conformance_good},     {2, conformance_good},      {3, conformance_rsv},
    {4, conformance_opcodes},  {5, conformance_fragments}, {6, conformance_utf8},
    {7, conformance_close},    {9, conformance_good},      {12, conformance_deflate},
    {13, conformance_deflate},
};
/* 10 (auto-fragmentation of what a server sends) is about the sender's
 * side of a server; the client's own fragments are in swirl_echo_*. */
static const int not_applied[] = {10};

static void conformance(int which) {
    int cats[32];
    int n = conformance_categories(cats, 32);
    cr_assert_gt(n, 0, "categories in %s", conformance_md());
    for (int i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof(applied) / sizeof(applied[0]); k++)
            known |= applied[k].cat == cats[i];
        for (size_t k = 0; k < sizeof(not_applied) / sizeof(not_applied[0]); k++)
            known |= not_applied[k] == cats[i];
        cr_assert(known, "category %d of %s has no client-side case", cats[i], conformance_md());
    }
    for (size_t k = 0; k < sizeof(applied) / sizeof(applied[0]); k++)
        if (applied[k].cat == which) {
            applied[k].run();
            return;
        }
    cr_assert_fail("category %d", which);
}

Test(ws_client, conformance_1_2_5_6_9_good_frames, .timeout = 120, .fini = teardown) {
    conformance(1);
}
Test(ws_client, conformance_3_reserved_bits, .timeout = 120, .fini = teardown) { conformance(3); }
Test(ws_client, conformance_4_opcodes, .timeout = 120, .fini = teardown) { conformance(4); }
Test(ws_client, conformance_5_bad_fragments, .timeout = 120, .fini = teardown) { conformance(5); }
Test(ws_client, conformance_6_invalid_utf8, .timeout = 240, .fini = teardown) { conformance(6); }
Test(ws_client, conformance_7_close, .timeout = 120, .fini = teardown) { conformance(7); }
Test(ws_client, conformance_12_13_deflate, .timeout = 240, .fini = teardown) { conformance(12); }

/* ---- freeing inside the client's own callbacks
 * ------------------------------------------------------------ */

Test(ws_client, free_inside_on_error_of_a_failed_connect, .timeout = 30, .fini = teardown) {
    int port = peer("not-101");
    sess_t s = {.free_at_end = true};
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_eq(s.errors, 1);
    cr_assert_null(s.c);
    cr_assert_eq(s.closes, 0);
    done(&s);
}

Test(ws_client, free_inside_on_close, .timeout = 30, .fini = teardown) {
    int port = start((variant_t){.mode = "base"});
    sess_t s = {.on_open = echo_open, .on_msg = echo_msg, .free_at_end = true};
    compressible_echo = false;
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_null(s.c);
    check_echo(&s);
    done(&s);
}

Test(ws_client, free_inside_on_error_of_an_open_connection, .timeout = 30, .fini = teardown) {
    int port = peer("masked");
    sess_t s = {.free_at_end = true};
    run(&s, url_of("ws", port, "/"), NULL);
    cr_assert_null(s.c);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, SWIRL_EPROTO);
    cr_assert_eq(s.closes, 1, "the close comes from inside the free");
    cr_assert_eq(s.code, 1006);
    cr_assert_str_eq(s.reason, "client freed");
    cr_assert_not(s.clean);
    done(&s);
}

Test(ws_client, free_inside_on_message_with_frames_behind_it, .timeout = 30, .fini = teardown) {
    int port = peer("welcome-behind-101");
    sess_t s = {.free_at_msg = 1};
    cr_assert_eq(swirl_loop_new(&s.loop), 0);
    cr_assert_eq(swirl_ws_client_new(&s.c, s.loop, url_of("ws", port, "/"), NULL, &cbs, &s), 0);
    cr_assert_eq(swirl_ws_client_connect(s.c), 0);
    swirl_loop_run(s.loop); /* ends: nothing is left on the loop */
    cr_assert_null(s.c);
    cr_assert_eq(s.msgs, 1, "nothing after the free");
    cr_assert_eq(s.closes, 1);
    cr_assert_eq(s.code, 1006);
    cr_assert_eq(s.errors, 0);
    done(&s);
}

/* ---- a server that stops reading; names that do not resolve; IPv6
 * ------------------------------------------ */

static void fill_open(sess_t *s) {
    /* the send buffer is bounded: sends are refused once it is full, the
     * messages already queued stay whole */
    size_t n = 1 << 20;
    char *p = pattern(n, 3, false);
    int rc = 0, sent = 0;
    while ((rc = swirl_ws_client_send(s->c, SWIRL_WS_BINARY, p, n)) == 0 && sent < 1000)
        sent++;
    free(p);
    cr_assert_eq(rc, SWIRL_EBUFFULL, "refused once full (after %d MiB): %d", sent, rc);
    cr_assert(strstr(swirl_ws_client_errmsg(s->c), "send"), "%s", swirl_ws_client_errmsg(s->c));
    cr_assert_gt(sent, 4);
    cr_assert_eq(swirl_ws_client_state(s->c), SWIRL_WS_CLIENT_OPEN, "still open");
    cr_assert_eq(swirl_ws_client_close(s->c, 1000, NULL), 0, "the close frame is small");
}

Test(ws_client, server_that_stops_reading_fills_a_bounded_buffer, .timeout = 60, .fini = teardown) {
    int port = peer("no-read");
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.max_message = 1 << 20; /* the send buffer: 2 MiB + 64 KiB, at least 8 MiB */
    o.close_timeout = 1;
    sess_t s = {.on_open = fill_open};
    run(&s, url_of("ws", port, "/"), &o);
    cr_assert_eq(s.errors, 1);
    cr_assert_eq(s.err, -ETIMEDOUT, "%s", s.errmsg);
    cr_assert(strstr(s.errmsg, "did not answer the close"), "%s", s.errmsg);
    cr_assert_eq(s.closes, 1);
    cr_assert_not(s.clean);
    done(&s);
}

Test(ws_client, unresolvable_name_and_ipv6_refused, .timeout = 60) {
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    o.timeout = 3;
    sess_t s = {0};
    run(&s, "ws://no-such-host.invalid/", &o);
    cr_assert_eq(s.errors, 1);
    cr_assert(s.err == SWIRL_EBADADDR || s.err == -ETIMEDOUT, "%d %s", s.err, s.errmsg);
    cr_assert(strstr(s.errmsg, "no-such-host.invalid"), "%s", s.errmsg);
    done(&s);
    /* IPv6: a TCP6 socket to [::1] where nothing listens (the port of a
     * socket bound and not listening) */
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        cr_skip_test("no IPv6 loopback here");
    }
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    char url[64];
    snprintf(url, sizeof(url), "ws://[::1]:%d/", ntohs(a.sin6_port));
    sess_t s2 = {0};
    run(&s2, url, &o);
    close(fd);
    cr_assert_eq(s2.errors, 1);
    cr_assert_eq(s2.err, -ECONNREFUSED, "%d %s", s2.err, s2.errmsg);
    cr_assert(strstr(s2.errmsg, "[::1]"), "%s", s2.errmsg);
    done(&s2);
}
