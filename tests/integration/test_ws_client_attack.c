/* tests/integration/test_ws_client_attack.c — the WebSocket client against
 * more hostile servers (ws_client_attack_peer.py, on port 0): 64-bit
 * lengths at and past 2^63, lengths not in their minimal encoding, a ping
 * with a 16-bit length, frames after the server's close, a message over
 * max_message in 2000 fragments, a session a byte at a time. Each ends in
 * one on_error naming the fault and one on_close (or a clean close), never
 * a crash, a hang or a callback after the end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <swirl/swirl.h>

#include "cli_harness.h"

typedef struct {
    swirl_loop_t *loop;
    swirl_ws_client_t *c;
    int opens, errors, closes, msgs, pings;
    int err, code;
    bool clean, timed_out;
    char errmsg[600];
    size_t last_len;
    char last[16];
} sess_t;

static void s_open(swirl_ws_client_t *c, void *u) {
    (void)c;
    ((sess_t *)u)->opens++;
}

static void s_msg(swirl_ws_client_t *c, void *u, int op, const char *d, size_t n) {
    sess_t *s = u;
    cr_assert_eq(s->closes, 0, "a message after the close");
    if (op == SWIRL_WS_PING) {
        s->pings++;
        return;
    }
    s->msgs++;
    s->last_len = n;
    snprintf(s->last, sizeof(s->last), "%.*s", (int)(n < 15 ? n : 15), d);
    if (strcmp(s->last, "last") == 0) /* the end of the bytewise session: we close */
        cr_assert_eq(swirl_ws_client_close(c, 1000, "bye"), 0);
}

static void s_close(swirl_ws_client_t *c, void *u, int code, const char *reason, size_t rlen,
                    bool clean) {
    (void)c;
    (void)reason;
    (void)rlen;
    sess_t *s = u;
    cr_assert_eq(s->closes, 0, "one close");
    s->closes++;
    s->code = code;
    s->clean = clean;
    swirl_loop_stop(s->loop);
}

static void s_error(swirl_ws_client_t *c, void *u, int status) {
    sess_t *s = u;
    cr_assert_eq(s->closes, 0, "no error after the close");
    s->errors++;
    s->err = status;
    snprintf(s->errmsg, sizeof(s->errmsg), "%s", swirl_ws_client_errmsg(c));
    if (s->opens == 0)
        swirl_loop_stop(s->loop);
}

static const swirl_ws_client_callbacks_t cbs = {s_open, s_msg, s_close, s_error};

static void s_guard(swirl_loop_t *loop, int64_t id, void *u) {
    (void)id;
    ((sess_t *)u)->timed_out = true;
    swirl_loop_stop(loop);
}

static pid_t peer_pid;

static void teardown(void) {
    if (peer_pid > 0) {
        kill(peer_pid, SIGKILL);
        waitpid(peer_pid, NULL, 0);
        peer_pid = 0;
    }
}

TestSuite(ws_client_attack, .fini = teardown);

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
              SWIRL_SOURCE_DIR "/tests/integration/ws_client_attack_peer.py", mode, (char *)NULL);
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

/* A session against the peer in `mode`, run to its end (or 30 s). */
static void session(sess_t *s, const char *mode, size_t max_message) {
    memset(s, 0, sizeof(*s));
    int port = peer(mode);
    char url[128];
    snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", port);
    swirl_ws_client_options_t o;
    swirl_ws_client_options_init(&o);
    if (max_message)
        o.max_message = max_message;
    cr_assert_eq(swirl_loop_new(&s->loop), 0);
    cr_assert_eq(swirl_ws_client_new(&s->c, s->loop, url, &o, &cbs, s), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_ws_client_connect(s->c), 0, "%s", swirl_last_error_msg());
    int64_t guard = swirl_timer_after(s->loop, 30000, s_guard, s);
    swirl_loop_run(s->loop);
    if (!s->timed_out)
        swirl_timer_clear(s->loop, guard);
    cr_assert_not(s->timed_out, "%s: the session did not end (errors %d: %s)", mode, s->errors,
                  s->errmsg);
    /* nothing more after the end */
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(s->loop, 5);
    cr_assert_eq(s->closes, 1, "%s: %d closes", mode, s->closes);
    swirl_ws_client_free(s->c);
    swirl_loop_run_once(s->loop, 0);
    swirl_loop_free(s->loop);
    teardown();
}

static void refused(const char *mode, int err, int code, const char *says, size_t max_message) {
    sess_t s;
    session(&s, mode, max_message);
    cr_assert_eq(s.opens, 1, "%s", mode);
    cr_assert_eq(s.errors, 1, "%s: %d errors", mode, s.errors);
    cr_assert_eq(s.err, err, "%s: %d %s", mode, s.err, s.errmsg);
    cr_assert(strstr(s.errmsg, says), "%s: \"%s\"", mode, s.errmsg);
    cr_assert_eq(s.code, code, "%s: close code %d", mode, s.code);
    cr_assert_eq(s.msgs, 0, "%s: %d messages", mode, s.msgs);
}

Test(ws_client_attack, lengths_at_and_past_2_63, .timeout = 60) {
    refused("len-2^63-1", SWIRL_ETOOBIG, SWIRL_WS_CLOSE_TOO_BIG, "max_message", 0);
    refused("len-2^63", SWIRL_EPROTO, SWIRL_WS_CLOSE_PROTOCOL, "top bit", 0);
    refused("len-max", SWIRL_EPROTO, SWIRL_WS_CLOSE_PROTOCOL, "top bit", 0);
}

/* RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the
 * length"; a ping's 7-bit length may not say that 16 bits follow. */
Test(ws_client_attack, lengths_not_in_their_minimal_encoding, .timeout = 60) {
    refused("nonminimal-16", SWIRL_EPROTO, SWIRL_WS_CLOSE_PROTOCOL, "minimal", 0);
    refused("nonminimal-64", SWIRL_EPROTO, SWIRL_WS_CLOSE_PROTOCOL, "minimal", 0);
    refused("ping-126", SWIRL_EPROTO, SWIRL_WS_CLOSE_PROTOCOL, "control frame", 0);
}

Test(ws_client_attack, a_message_over_max_in_2000_fragments, .timeout = 60) {
    refused("many-fragments", SWIRL_ETOOBIG, SWIRL_WS_CLOSE_TOO_BIG, "max_message", 64 * 1024);
}

Test(ws_client_attack, frames_after_the_servers_close_are_dropped, .timeout = 60) {
    sess_t s;
    session(&s, "after-close", 0);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.code, 1000);
    cr_assert_eq(s.msgs, 0, "a message after the close frame was delivered");
    cr_assert_eq(s.pings, 0, "a ping after the close frame was delivered");
}

Test(ws_client_attack, a_session_a_byte_at_a_time, .timeout = 120) {
    sess_t s;
    session(&s, "bytewise", 0);
    cr_assert_eq(s.errors, 0, "%s", s.errmsg);
    cr_assert_eq(s.msgs, 2, "%d messages", s.msgs);
    cr_assert_eq(s.pings, 1);
    cr_assert_str_eq(s.last, "last");
    cr_assert(s.clean && s.code == 1000, "close %d clean %d", s.code, s.clean);
}
