/* tests/unit/server/test_connio.c — the connection table of one owner
 * (src/server/connio.c) driven by a fake owner (its swirl__io_ops_t) and
 * a loop run by hand, over real Unix stream sockets: data in, framing, a
 * close from inside a callback, a failed write that only marks the
 * connection, pause and resume, a full output buffer, a half-close. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <swirl/swirl.h>

#include "server/internal.h"
#include "testutil.h"

/* ---- the fake owner: records what connio tells it, and acts as a test asks ---------------- */

typedef struct {
    int connects, closes, eofs, fulls, drains;
    int64_t session;
    char data[8][64]; /* messages in order */
    int ndata;
    bool close_in_data; /* on_data closes the connection */
    bool send_in_data;  /* on_data sends "reply" */
    int send_rc;        /* what that send returned */
    bool alive_after;   /* the slot was still there when on_data returned */
    bool keep_on_eof;   /* on_eof keeps the connection for a reply */
} owner_t;

static owner_t O;

static void on_connect(swirl__io_t *io, swirl__conn_t *c) {
    O.connects++;
    O.session = atomic_load(&c->session);
}

static void on_data(swirl__io_t *io, swirl__conn_t *c, const char *data, size_t len) {
    if (O.ndata < 8)
        snprintf(O.data[O.ndata++], sizeof(O.data[0]), "%.*s", (int)len, data);
    if (O.send_in_data)
        O.send_rc = swirl__io_send(io, O.session, "reply", 5);
    if (O.close_in_data)
        cr_assert_eq(swirl__io_close(io, O.session, false), 0);
    /* whatever was asked, the connection and `data` stay until we return */
    O.alive_after = swirl__conn_get(io->srv, O.session) != NULL;
    cr_assert_eq(memcmp(data, O.data[O.ndata - 1], len < 63 ? len : 63), 0);
}

static int on_close(swirl__io_t *io, swirl__conn_t *c) {
    O.closes++;
    return 0;
}

static void on_buffer(swirl__io_t *io, swirl__conn_t *c, bool full) {
    if (full)
        O.fulls++;
    else
        O.drains++;
}

static bool on_eof(swirl__io_t *io, swirl__conn_t *c) {
    O.eofs++;
    return O.keep_on_eof;
}

static const swirl__io_ops_t ops = {.on_connect = on_connect,
                                    .on_data = on_data,
                                    .on_close = on_close,
                                    .on_buffer = on_buffer,
                                    .on_eof = on_eof};

/* ---- a server that is never started: its table in plain memory, one owner ------------------ */

typedef struct {
    swirl_server_t *srv;
    swirl_loop_t *loop;
    swirl__io_t io;
    char path[108];
    int peer; /* the client's end */
} rig_t;

static void rig_up(rig_t *r, const char *socket_buffer_size) {
    memset(&O, 0, sizeof(O));
    tu_tmp_path(r->path, sizeof(r->path), "connio");
    cr_assert_eq(swirl_server_new(&r->srv, r->path, 0, SWIRL_MODE_BASE, SWIRL_SOCK_UNIX_STREAM), 0);
    if (socket_buffer_size)
        cr_assert_eq(swirl_server_set_text(r->srv, "socket_buffer_size", socket_buffer_size), 0);
    swirl_server_t *srv = r->srv;
    srv->fd_cap = 1024;
    srv->owners = 1;
    srv->max_conn = 100;
    srv->shared = calloc(1, sizeof(swirl__shared_t));
    srv->conns = calloc((size_t)srv->fd_cap, sizeof(swirl__conn_t));
    srv->nsessions = 1024;
    srv->sessions = calloc(srv->nsessions, sizeof(*srv->sessions));
    cr_assert(srv->shared && srv->conns && srv->sessions);
    swirl_port_t *port = srv->ports[0];
    swirl_framing_init(&port->framing);
    cr_assert_eq(swirl_net_listen(SWIRL_SOCK_UNIX_STREAM, r->path, 0, NULL, &port->fd), 0, "%s",
                 swirl_last_error_msg());
    cr_assert_eq(swirl_loop_new(&r->loop), 0);
    cr_assert_eq(swirl__io_init(&r->io, srv, r->loop, 0, &ops, NULL), 0);
    cr_assert_eq(swirl__io_listen(&r->io), 0);
    int rc = swirl_net_connect(SWIRL_SOCK_UNIX_STREAM, r->path, 0, &r->peer);
    cr_assert(rc == 0 || rc == -EINPROGRESS, "connect: %s", swirl_strerror(rc));
    swirl_net_set_nonblock(r->peer, false);
    for (int i = 0; i < 100 && !O.connects; i++)
        swirl_loop_run_once(r->loop, 100);
    cr_assert_eq(O.connects, 1, "the owner heard of the connection");
}

/* Run the loop until `cond` holds (at most ~5 s of waiting for events). */
#define RUN_UNTIL(r, cond)                                                                         \
    for (int i_ = 0; i_ < 50 && !(cond); i_++)                                                     \
    swirl_loop_run_once((r)->loop, 100)

static void rig_down(rig_t *r) {
    if (r->peer >= 0)
        close(r->peer);
    swirl__io_destroy(&r->io);
    swirl_loop_free(r->loop);
    swirl_port_t *port = r->srv->ports[0];
    close(port->fd);
    port->fd = -1;
    free(r->srv->shared);
    free(r->srv->conns);
    free((void *)r->srv->sessions);
    r->srv->shared = NULL;
    r->srv->conns = NULL;
    r->srv->sessions = NULL;
    swirl_server_free(r->srv);
    unlink(r->path);
}

static void peer_send(rig_t *r, const char *s) {
    cr_assert_eq(send(r->peer, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Read what the server sent, until EOF or nothing more comes. */
static size_t peer_read(rig_t *r, char *buf, size_t size, bool *eof) {
    size_t got = 0;
    *eof = false;
    while (got < size) {
        struct pollfd p = {r->peer, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) {
            swirl_loop_run_once(r->loop, 50);
            if (poll(&p, 1, 50) <= 0)
                break;
        }
        ssize_t n = recv(r->peer, buf + got, size - got, MSG_DONTWAIT);
        if (n == 0) {
            *eof = true;
            break;
        }
        if (n < 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* ---- tests ----------------------------------------------------------------------------------- */

Test(connio, data_in_reaches_the_owner, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    peer_send(&r, "hello");
    RUN_UNTIL(&r, O.ndata == 1);
    cr_assert_eq(O.ndata, 1);
    cr_assert_str_eq(O.data[0], "hello");
    cr_assert_eq(swirl__io_count(&r.io), 1);
    rig_down(&r);
    TU_FD_END();
}

Test(connio, framing_cuts_one_message_per_eof, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    cr_assert_eq(swirl_framing_set_eof(&r.srv->ports[0]->framing, "\r\n", 2, true), 0);
    peer_send(&r, "a\r\nbb\r\nccc");
    RUN_UNTIL(&r, O.ndata == 2);
    cr_assert_eq(O.ndata, 2, "the unfinished third message waits");
    cr_assert_str_eq(O.data[0], "a\r\n");
    cr_assert_str_eq(O.data[1], "bb\r\n");
    swirl_loop_run_once(r.loop, 50);
    cr_assert_eq(O.ndata, 2);
    peer_send(&r, "\r\n");
    RUN_UNTIL(&r, O.ndata == 3);
    cr_assert_str_eq(O.data[2], "ccc\r\n");
    rig_down(&r);
    TU_FD_END();
}

Test(connio, close_from_inside_the_callback_waits_until_it_returns, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    O.send_in_data = true;
    O.close_in_data = true;
    peer_send(&r, "bye");
    RUN_UNTIL(&r, O.closes == 1);
    cr_assert(O.alive_after, "the slot was freed under the callback");
    cr_assert_eq(O.send_rc, 0);
    cr_assert_eq(O.closes, 1, "the owner hears of the close once");
    char buf[64];
    bool eof;
    size_t n = peer_read(&r, buf, sizeof(buf), &eof);
    cr_assert_eq(n, 5, "the reply sent before the close arrives");
    cr_assert_eq(memcmp(buf, "reply", 5), 0);
    cr_assert(eof, "then the connection is closed");
    cr_assert_null(swirl__conn_get(r.srv, O.session));
    cr_assert_eq(swirl__io_count(&r.io), 0);
    rig_down(&r);
    TU_FD_END();
}

Test(connio, failed_write_only_marks_the_connection, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    O.send_in_data = true;
    /* the peer's message is in the socket, then the peer is gone: the
     * reply to it fails inside the callback */
    peer_send(&r, "last words");
    close(r.peer);
    r.peer = -1;
    RUN_UNTIL(&r, O.ndata == 1);
    cr_assert_eq(O.ndata, 1);
    cr_assert_eq(O.send_rc, SWIRL_ECLOSED, "the failed send says so");
    cr_assert(O.alive_after, "a failed write tears nothing down under the callback");
    RUN_UNTIL(&r, O.closes == 1);
    cr_assert_eq(O.closes, 1, "torn down once the callback returned");
    cr_assert_null(swirl__conn_get(r.srv, O.session));
    rig_down(&r);
    TU_FD_END();
}

Test(connio, failed_write_outside_a_callback_defers_the_teardown, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    close(r.peer);
    r.peer = -1;
    /* the loop has not run: the owner's send is the first to find out */
    cr_assert_eq(swirl__io_send(&r.io, O.session, "x", 1), SWIRL_ECLOSED);
    cr_assert_eq(O.closes, 0, "not torn down inside the send");
    cr_assert_not_null(swirl__conn_get(r.srv, O.session));
    RUN_UNTIL(&r, O.closes == 1);
    cr_assert_eq(O.closes, 1);
    cr_assert_null(swirl__conn_get(r.srv, O.session));
    rig_down(&r);
    TU_FD_END();
}

Test(connio, paused_connection_is_not_read_until_resumed, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    cr_assert_eq(swirl__io_pause(&r.io, O.session, true), 0);
    peer_send(&r, "wait");
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(r.loop, 20);
    cr_assert_eq(O.ndata, 0, "read while paused");
    cr_assert_eq(swirl__io_pause(&r.io, O.session, false), 0);
    RUN_UNTIL(&r, O.ndata == 1);
    cr_assert_str_eq(O.data[0], "wait");
    rig_down(&r);
    TU_FD_END();
}

Test(connio, full_buffer_refuses_and_drained_buffer_says_so, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, "64K");
    static char chunk[16384];
    memset(chunk, 'z', sizeof(chunk));
    int rc = 0, sent = 0;
    for (int i = 0; i < 1000 && rc == 0; i++)
        if ((rc = swirl__io_send(&r.io, O.session, chunk, sizeof(chunk))) == 0)
            sent++;
    cr_assert_eq(rc, SWIRL_EBUFFULL, "the limit holds: %s", swirl_strerror(rc));
    cr_assert_eq(O.fulls, 1, "the owner hears of it once");
    cr_assert_not_null(swirl__conn_get(r.srv, O.session), "a full buffer costs no connection");
    size_t total = 0;
    static char buf[1 << 20];
    bool eof = false;
    while (total < (size_t)sent * sizeof(chunk) && !eof) {
        size_t n = peer_read(&r, buf, sizeof(buf), &eof);
        total += n;
        if (n == 0)
            swirl_loop_run_once(r.loop, 50);
    }
    cr_assert_eq(total, (size_t)sent * sizeof(chunk), "every accepted byte arrives");
    RUN_UNTIL(&r, O.drains == 1);
    cr_assert_eq(O.drains, 1, "and the owner hears the buffer drained");
    rig_down(&r);
    TU_FD_END();
}

Test(connio, half_close_keeps_the_connection_for_the_reply, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    O.keep_on_eof = true;
    peer_send(&r, "question");
    shutdown(r.peer, SHUT_WR);
    RUN_UNTIL(&r, O.eofs == 1);
    cr_assert_eq(O.ndata, 1);
    cr_assert_eq(O.eofs, 1);
    cr_assert_eq(O.closes, 0, "kept: the owner closes it");
    cr_assert_eq(swirl__io_send(&r.io, O.session, "answer", 6), 0);
    cr_assert_eq(swirl__io_close(&r.io, O.session, false), 0);
    char buf[64];
    bool eof;
    size_t n = peer_read(&r, buf, sizeof(buf), &eof);
    cr_assert_eq(n, 6);
    cr_assert_eq(memcmp(buf, "answer", 6), 0);
    cr_assert(eof);
    RUN_UNTIL(&r, O.closes == 1);
    cr_assert_eq(O.closes, 1);
    rig_down(&r);
    TU_FD_END();
}

Test(connio, half_close_not_kept_closes_after_telling_the_owner, .timeout = 20) {
    TU_FD_BEGIN();
    rig_t r;
    rig_up(&r, NULL);
    shutdown(r.peer, SHUT_WR);
    RUN_UNTIL(&r, O.closes == 1);
    cr_assert_eq(O.eofs, 1);
    cr_assert_eq(O.closes, 1);
    char buf[8];
    bool eof;
    cr_assert_eq(peer_read(&r, buf, sizeof(buf), &eof), 0);
    cr_assert(eof, "the server closed its side");
    rig_down(&r);
    TU_FD_END();
}
