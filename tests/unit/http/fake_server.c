/* tests/unit/http/fake_server.c — a fake owner for src/http: the server
 * functions the HTTP layer calls (swirl_server_new/on/send/close/pause/
 * resume/loop, swirl__server_sendfile_fd, ...) over the real settings
 * engine and a real event loop, with no process, socket or shared memory.
 * What the HTTP layer sends to a connection is kept in that connection's
 * output, the closes, pauses and drain watches it asks for are recorded,
 * and the test delivers the events the real server would (fake_receive,
 * fake_closed, ...). The HTTP sources are compiled into the test binary with
 * this file, so src/server is not linked. One server per test process. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "fake_server.h"
#include "server/internal.h"

static struct {
    swirl_loop_t *loop;
    struct {
        const char *name;
        swirl_server_cb cb;
        void *user;
    } on[16];
    int non;
    fake_conn_t conns[FAKE_MAX_FD];
} fake;

fake_conn_t *fake_conn(int64_t fd) {
    cr_assert(fd > 0 && fd < FAKE_MAX_FD, "fake server: no connection %lld", (long long)fd);
    return &fake.conns[fd];
}

int swirl_server_new(swirl_server_t **out, const char *host, int port, int mode,
                     swirl_sock_type_t type) {
    swirl_server_t *srv = calloc(1, sizeof(*srv));
    swirl_port_t *p = calloc(1, sizeof(*p));
    srv->ports = calloc(1, sizeof(*srv->ports));
    cr_assert(srv && p && srv->ports && swirl_loop_new(&fake.loop) == 0);
    srv->mode = mode;
    swirl__server_settings_init(&srv->settings);
    swirl__port_settings_init(&srv->port_defaults);
    swirl__port_settings_init(&p->own);
    p->srv = srv;
    snprintf(p->host, sizeof(p->host), "%s", host ? host : "127.0.0.1");
    p->port = port;
    p->type = type;
    p->fd = -1;
    srv->ports[0] = p;
    srv->nports = 1;
    *out = srv;
    return 0;
}

void swirl_server_free(swirl_server_t *srv) {
    for (int i = 0; i < FAKE_MAX_FD; i++)
        swirl_buf_destroy(&fake.conns[i].out);
    swirl_loop_free(fake.loop);
    fake.loop = NULL;
    free(srv->ports[0]);
    free(srv->ports);
    free(srv);
}

int swirl_server_set_text(swirl_server_t *srv, const char *key, const char *text) {
    return swirl__settings_apply_text(&srv->settings, &srv->port_defaults, key, text);
}

int swirl_server_on(swirl_server_t *srv, const char *name, swirl_server_cb cb, void *user) {
    (void)srv;
    cr_assert_lt(fake.non, 16);
    fake.on[fake.non].name = name;
    fake.on[fake.non].cb = cb;
    fake.on[fake.non++].user = user;
    return 0;
}

/* The real server starts processes; the fake only resolves the port's
 * settings as start does, and leaves the rest to the test. */
int swirl_server_start(swirl_server_t *srv) {
    swirl__port_settings_merge(&srv->ports[0]->eff, &srv->port_defaults, &srv->ports[0]->own);
    srv->started = true;
    return 0;
}

swirl_loop_t *swirl_server_loop(swirl_server_t *srv) {
    (void)srv;
    return fake.loop;
}

pid_t swirl_server_master_pid(const swirl_server_t *srv) {
    (void)srv;
    return getpid();
}

const swirl__port_settings_t *swirl__port_settings(const swirl_port_t *port) { return &port->eff; }

int swirl_server_send(swirl_server_t *srv, int64_t fd, const void *data, size_t len) {
    (void)srv;
    fake_conn_t *c = fake_conn(fd);
    if (c->closed)
        return swirl__error(SWIRL_ECLOSED, "send to connection %lld: no such connection",
                            (long long)fd);
    return swirl_buf_append(&c->out, data, len);
}

int swirl_server_close(swirl_server_t *srv, int64_t fd, bool reset) {
    fake_conn_t *c = fake_conn(fd);
    if (c->closed)
        return swirl__error(SWIRL_ECLOSED, "close connection %lld: no such connection",
                            (long long)fd);
    if (!reset && srv->flush)
        srv->flush(srv->layer_user, fd);
    c->closed = true;
    c->reset = reset;
    return 0;
}

int swirl_server_pause(swirl_server_t *srv, int64_t fd) {
    (void)srv;
    fake_conn(fd)->paused = true;
    return 0;
}

int swirl_server_resume(swirl_server_t *srv, int64_t fd) {
    (void)srv;
    fake_conn(fd)->paused = false;
    return 0;
}

int64_t swirl__server_owed(swirl_server_t *srv, int64_t fd) {
    (void)srv;
    return fake_conn(fd)->owed;
}

int swirl__server_watch_drain(swirl_server_t *srv, int64_t fd) {
    (void)srv;
    fake_conn(fd)->drain_watches++;
    return 0;
}

bool swirl_server_exist(swirl_server_t *srv, int64_t fd) {
    (void)srv;
    return fd > 0 && !fake_conn(fd)->closed;
}

int swirl_server_connection_info(swirl_server_t *srv, int64_t fd, swirl_conn_info_t *info) {
    (void)srv;
    memset(info, 0, sizeof(*info));
    if (fake_conn(fd)->closed)
        return swirl__error(SWIRL_ECLOSED, "connection %lld: no such connection", (long long)fd);
    snprintf(info->remote_ip, sizeof(info->remote_ip), "192.0.2.7");
    info->remote_port = 40000 + (int)fd;
    return 0;
}

/* No shared connection table: a connection not closed is one of the first
 * listener's. */
swirl__conn_t *swirl__conn_get(swirl_server_t *srv, int64_t session) {
    static swirl__conn_t open_conn;
    (void)srv;
    return session > 0 && session < FAKE_MAX_FD && !fake.conns[session].closed ? &open_conn
                                                                               : NULL;
}

int swirl__file_open(const char *path, struct stat *st) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return swirl__error(swirl__neg_errno(), "open %s:", path);
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return swirl__error(SWIRL_EBADARG, "%s: not a regular file", path);
    }
    return fd;
}

/* The head, then the file's bytes as they are now; the file is the fake's
 * to close, as it is the server's. */
int swirl__server_sendfile_fd(swirl_server_t *srv, int64_t fd, int file, int64_t size,
                              const char *path, off_t offset, size_t length, const void *head,
                              size_t head_len) {
    (void)srv, (void)size, (void)path;
    fake_conn_t *c = fake_conn(fd);
    int rc = swirl_buf_append(&c->out, head, head_len);
    char chunk[4096];
    while (rc == 0 && length > 0) {
        ssize_t r = pread(file, chunk, length < sizeof(chunk) ? length : sizeof(chunk), offset);
        if (r <= 0)
            break;
        rc = swirl_buf_append(&c->out, chunk, (size_t)r);
        offset += r;
        length -= (size_t)r;
    }
    close(file);
    c->files++;
    return rc;
}

/* ---- what the test does in the real server's place ----------------------------------------- */

static void emit(swirl_server_t *srv, const char *name, swirl_event_t *ev) {
    for (int i = 0; i < fake.non; i++)
        if (strcasecmp(fake.on[i].name, name) == 0)
            fake.on[i].cb(srv, ev, fake.on[i].user);
}

void fake_worker_start(swirl_server_t *srv) {
    emit(srv, "workerStart", &(swirl_event_t){.type = SWIRL_ON_WORKER_START});
}

void fake_connect(swirl_server_t *srv, int64_t fd) {
    fake_conn_t *c = fake_conn(fd);
    swirl_buf_destroy(&c->out);
    memset(c, 0, sizeof(*c));
    emit(srv, "connect", &(swirl_event_t){.type = SWIRL_ON_CONNECT, .fd = fd});
}

void fake_receive(swirl_server_t *srv, int64_t fd, const void *data, size_t len) {
    cr_assert(!fake_conn(fd)->closed, "bytes for connection %lld after its close", (long long)fd);
    emit(srv, "receive",
         &(swirl_event_t){.type = SWIRL_ON_RECEIVE, .fd = fd, .data = data, .len = len});
}

void fake_closed(swirl_server_t *srv, int64_t fd) {
    fake_conn(fd)->closed = true;
    emit(srv, "close", &(swirl_event_t){.type = SWIRL_ON_CLOSE, .fd = fd});
}

void fake_drained(swirl_server_t *srv, int64_t fd) {
    fake_conn(fd)->owed = 0;
    emit(srv, "bufferEmpty", &(swirl_event_t){.type = SWIRL_ON_BUFFER_EMPTY, .fd = fd});
}

void fake_run(void) {
    for (int i = 0; i < 100 && swirl_loop_run_once(fake.loop, 0) > 0; i++)
        ;
}

size_t fake_take(int64_t fd, char *out, size_t size) {
    fake_conn_t *c = fake_conn(fd);
    size_t n = swirl_buf_size(&c->out) < size - 1 ? swirl_buf_size(&c->out) : size - 1;
    if (n)
        memcpy(out, swirl_buf_bytes(&c->out), n);
    out[n] = 0;
    swirl_buf_consume(&c->out, swirl_buf_size(&c->out));
    return n;
}
