/* src/server/command.c — Swoole's server commands: a named handler added
 * before start, run on request in the master, the manager, a worker or a
 * task worker, its reply brought back to the one process that may ask (the
 * master in PROCESS mode, worker 0 in BASE mode).
 *
 * A request is one COMMAND message (session = request id, aux = command
 * id), written whole by direct.c into the receiver's socket: a worker's
 * mailbox, a task worker's task socket, the manager's command socket. The
 * receiver runs the handler and writes the reply, one COMMAND message with
 * the same request id, into the reply socket (cmd_reply), which only the
 * caller reads. The caller waits for it with poll until its deadline;
 * replies with another id (late ones, of requests that timed out) are
 * dropped, so a reply never reaches a call it does not belong to. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "../core/internal.h"
#include "internal.h"

#define NAME_MAX_LEN 63
#define CHUNK (SWIRL__PACKET_MAX - sizeof(swirl__msg_t))
#define ACCEPTABLE                                                                                 \
    (SWIRL_COMMAND_MASTER | SWIRL_COMMAND_EVENT_WORKER | SWIRL_COMMAND_TASK_WORKER |               \
     SWIRL_COMMAND_MANAGER)

/* A reply's status (the aux of its header). */
enum { CMD_OK = 0, CMD_FAILED, CMD_UNKNOWN, CMD_TOOBIG };

struct swirl__command {
    char name[NAME_MAX_LEN + 1];
    int types;
    swirl_command_fn fn;
    void *user;
};

int swirl_server_add_command(swirl_server_t *srv, const char *name, int accepted_types,
                             swirl_command_fn fn, void *user) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "server is running, can't add command");
    if (!name || !fn)
        return swirl__error(SWIRL_EBADARG, "add_command: name and handler are required");
    size_t n = strlen(name);
    if (n == 0 || n > NAME_MAX_LEN)
        return swirl__error(SWIRL_EBADARG, "add_command: a name of 1 to %d bytes, got %zu",
                            NAME_MAX_LEN, n);
    if (accepted_types & SWIRL_COMMAND_REACTOR_THREAD)
        return swirl__error(SWIRL_EBADARG, "only support worker/task_worker process");
    if ((accepted_types & ACCEPTABLE) == 0 || (accepted_types & ~ACCEPTABLE) != 0)
        return swirl__error(SWIRL_EBADARG,
                            "add_command \"%s\": accepted process types 0x%x: expected "
                            "SWIRL_COMMAND_MASTER, _MANAGER, _EVENT_WORKER, _TASK_WORKER bits",
                            name, (unsigned)accepted_types);
    for (int i = 0; i < srv->ncommands; i++)
        if (strcmp(srv->commands[i].name, name) == 0)
            return swirl__error(SWIRL_EEXISTS, "add_command: command \"%s\" already exists", name);
    if (srv->ncommands >= UINT16_MAX - 1)
        return swirl__error(SWIRL_EFULL, "add_command: too many commands");
    struct swirl__command *c =
        swirl_realloc(srv->commands, (size_t)(srv->ncommands + 1) * sizeof(*c));
    if (!c)
        return swirl__error(-ENOMEM, "add_command:");
    srv->commands = c;
    c = &srv->commands[srv->ncommands++];
    memcpy(c->name, name, n + 1);
    c->types = accepted_types;
    c->fn = fn;
    c->user = user;
    return 0;
}

void swirl__command_free(swirl_server_t *srv) {
    swirl_free(srv->commands);
    srv->commands = NULL;
    srv->ncommands = 0;
}

static int make_pair(int sv[2]) {
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
        sv[0] = sv[1] = -1;
        return swirl__error(swirl__neg_errno(), "server: command socketpair:");
    }
    return 0;
}

int swirl__command_open(swirl_server_t *srv) {
    srv->cmd_reply[0] = srv->cmd_reply[1] = srv->cmd_manager[0] = srv->cmd_manager[1] = -1;
    if (srv->ncommands == 0)
        return 0;
    if (make_pair(srv->cmd_reply) < 0)
        return swirl_last_error();
    return make_pair(srv->cmd_manager);
}

void swirl__command_close(swirl_server_t *srv) {
    for (int k = 0; k < 2; k++) {
        swirl_net_close(srv->cmd_reply[k]);
        swirl_net_close(srv->cmd_manager[k]);
        srv->cmd_reply[k] = srv->cmd_manager[k] = -1;
    }
}

static void write_reply(swirl_server_t *srv, int64_t req, int status, const char *p, size_t n) {
    swirl__msg_t r = {
        .type = SWIRL__MSG_COMMAND, .session = req, .aux = (uint16_t)status, .reactor_id = -1};
    if (swirl__direct_put(srv, srv->cmd_reply[1], &r, NULL, 0, p, n) < 0)
        swirl_log_warning("command: the reply to request %lld is lost: %s", (long long)req,
                          swirl_last_error_msg());
}

/* Run command `id` (1-based) here: 0 with the reply in `out`, or a CMD_* status. */
static int run_here(swirl_server_t *srv, int id, const char *p, size_t len, swirl_buf_t *out) {
    if (id < 1 || id > srv->ncommands) {
        swirl_log_error("Unknown command[command_id=%d]", id);
        return CMD_UNKNOWN;
    }
    const struct swirl__command *c = &srv->commands[id - 1];
    return c->fn(srv, c->name, p, len, out, c->user) < 0 ? CMD_FAILED : CMD_OK;
}

void swirl__command_serve(swirl_server_t *srv, const swirl__msg_t *h, const char *p, size_t len) {
    swirl_buf_t out;
    swirl_buf_init(&out);
    int status = run_here(srv, h->aux, p, len, &out);
    size_t n = status == CMD_OK ? swirl_buf_size(&out) : 0;
    if (n > CHUNK) {
        swirl_log_warning("command: a reply of %zu bytes: at most %zu", n, (size_t)CHUNK);
        status = CMD_TOOBIG;
        n = 0;
    }
    write_reply(srv, h->session, status, swirl_buf_bytes(&out), n);
    swirl_buf_destroy(&out);
}

static void on_manager_cmd(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_server_t *srv = user;
    char *pkt = swirl_malloc(SWIRL__PACKET_MAX);
    if (!pkt) {
        swirl_log_error("manager: out of memory reading a command");
        return;
    }
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(fd, pkt, SWIRL__PACKET_MAX, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < (ssize_t)sizeof(swirl__msg_t))
            break;
        swirl__msg_t h;
        memcpy(&h, pkt, sizeof(h));
        if (h.type == SWIRL__MSG_COMMAND && h.len <= (size_t)n - sizeof(h))
            swirl__command_serve(srv, &h, pkt + sizeof(h), h.len);
    }
    swirl_free(pkt);
}

int swirl__command_manager_listen(swirl_server_t *srv, swirl_loop_t *loop) {
    if (srv->cmd_manager[1] < 0)
        return 0;
    int rc = swirl_loop_add(loop, srv->cmd_manager[1], SWIRL_EV_READ, on_manager_cmd, NULL, srv);
    return rc < 0 ? rc : 0;
}

static const char *type_name(int type) {
    switch (type) {
    case SWIRL_COMMAND_MASTER:
        return "master";
    case SWIRL_COMMAND_MANAGER:
        return "manager";
    case SWIRL_COMMAND_EVENT_WORKER:
        return "worker";
    case SWIRL_COMMAND_TASK_WORKER:
        return "task_worker";
    case SWIRL_COMMAND_REACTOR_THREAD:
        return "reactor_thread";
    default:
        return "unknown";
    }
}

/* Wait for the reply to request `req` until `deadline` (swirl_clock_ms). */
static int await_reply(swirl_server_t *srv, int64_t req, uint64_t deadline, swirl_buf_t *reply,
                       const char *name) {
    char *pkt = swirl_malloc(SWIRL__PACKET_MAX);
    if (!pkt)
        return swirl__error(-ENOMEM, "command:");
    int rc;
    for (;;) {
        ssize_t n = recv(srv->cmd_reply[0], pkt, SWIRL__PACKET_MAX, MSG_DONTWAIT);
        if (n >= (ssize_t)sizeof(swirl__msg_t)) {
            swirl__msg_t h;
            memcpy(&h, pkt, sizeof(h));
            if (h.type != SWIRL__MSG_COMMAND || h.session != req || h.len > (size_t)n - sizeof(h))
                continue; /* a late reply to an earlier request: not ours */
            if (h.aux == CMD_OK)
                rc = swirl_buf_append(reply, pkt + sizeof(h), h.len) < 0
                         ? swirl__error(-ENOMEM, "command:")
                         : 0;
            else if (h.aux == CMD_UNKNOWN)
                rc = swirl__error(SWIRL_ENOTFOUND, "Unknown command[%s]", name);
            else if (h.aux == CMD_TOOBIG)
                rc = swirl__error(SWIRL_ETOOBIG,
                                  "command \"%s\": its reply is larger than %zu "
                                  "bytes",
                                  name, (size_t)CHUNK);
            else
                rc = swirl__error(SWIRL_EPROTO, "command \"%s\": the handler failed", name);
            break;
        }
        if (n >= 0)
            continue; /* a runt: not ours */
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            rc = swirl__error(swirl__neg_errno(), "command: recv:");
            break;
        }
        uint64_t now = swirl_clock_ms();
        if (now >= deadline) {
            rc = swirl__error(-ETIMEDOUT, "command \"%s\": no reply in time", name);
            break;
        }
        struct pollfd p = {srv->cmd_reply[0], POLLIN, 0};
        if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR) {
            rc = swirl__error(swirl__neg_errno(), "command: poll:");
            break;
        }
    }
    swirl_free(pkt);
    return rc;
}

int swirl_server_command(swirl_server_t *srv, const char *name, int process_id, int process_type,
                         const void *data, size_t len, swirl_buf_t *reply, int timeout_ms) {
    if (!srv->started || !srv->shared)
        return swirl__error(SWIRL_ESTATE, "server is not running");
    if (!name || !reply || (len && !data))
        return swirl__error(SWIRL_EBADARG, "command: name and reply are required");
    int id = 0;
    for (int i = 0; i < srv->ncommands && !id; i++)
        if (strcmp(srv->commands[i].name, name) == 0)
            id = i + 1;
    if (!id)
        return swirl__error(SWIRL_ENOTFOUND, "Unknown command[%s]", name);
    bool process = srv->mode == SWIRL_MODE_PROCESS;
    if (process && srv->role != SWIRL__ROLE_MASTER)
        return swirl__error(SWIRL_ESTATE, "command() can only be used in master process");
    if (!process && (srv->role != SWIRL__ROLE_WORKER || srv->worker_id != 0))
        return swirl__error(SWIRL_ESTATE, "command() can only be used in worker process 0");
    /* Swoole's aliases: BASE worker 0 is the caller itself; PROCESS
     * "reactor thread reactor_num" is the master */
    if (!process && process_type == SWIRL_COMMAND_EVENT_WORKER && process_id == 0)
        process_type = SWIRL_COMMAND_MASTER;
    if (process && process_type == SWIRL_COMMAND_REACTOR_THREAD && process_id == srv->reactor_num) {
        process_type = SWIRL_COMMAND_MASTER;
        process_id = 0;
    }
    const struct swirl__command *c = &srv->commands[id - 1];
    if (!(process_type & c->types) || (process_type & (process_type - 1)) != 0)
        return swirl__error(SWIRL_EBADARG, "command \"%s\": unsupported [process_type] %d (%s)",
                            name, process_type, type_name(process_type));
    if (len > CHUNK)
        return swirl__error(SWIRL_ETOOBIG, "command \"%s\": a request of %zu bytes: at most %zu",
                            name, len, (size_t)CHUNK);
    if (process_type == SWIRL_COMMAND_MASTER) {
        int rc = c->fn(srv, c->name, data, len, reply, c->user);
        return rc < 0 ? swirl__error(SWIRL_EPROTO, "command \"%s\": the handler failed", name) : 0;
    }
    int fd;
    if (process_type == SWIRL_COMMAND_EVENT_WORKER) {
        if (process_id < 0 || process_id >= srv->worker_num)
            return swirl__error(SWIRL_EBADARG, "invalid worker_id[%d]", process_id);
        fd = srv->mailbox[process_id][0];
    } else if (process_type == SWIRL_COMMAND_TASK_WORKER) {
        if (process_id < 0 || process_id >= srv->task_worker_num)
            return swirl__error(SWIRL_EBADARG, "invalid task_worker_id[%d]", process_id);
        if (!srv->taskbox)
            return swirl__error(SWIRL_ENOTSUP,
                                "command \"%s\": task workers on a message queue "
                                "(task_ipc_mode %lld) take no commands",
                                name, (long long)srv->settings.task_ipc_mode);
        fd = srv->taskbox[process_id][0];
    } else {
        if (srv->mode == SWIRL_MODE_BASE && srv->worker_num == 1 && srv->task_worker_num == 0 &&
            srv->nprocs == 0)
            return swirl__error(SWIRL_EBADARG, "command \"%s\": this server has no manager", name);
        fd = srv->cmd_manager[0];
    }
    uint64_t deadline =
        swirl_clock_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : SWIRL_COMMAND_TIMEOUT_MS);
    int64_t req = ++srv->cmd_seq;
    swirl__msg_t h = {
        .type = SWIRL__MSG_COMMAND, .session = req, .aux = (uint16_t)id, .reactor_id = -1};
    int rc = swirl__direct_put(srv, fd, &h, NULL, 0, data, len);
    if (rc < 0)
        return rc;
    return await_reply(srv, req, deadline, reply, name);
}
