/* src/server/server.c — the server object: construction, listeners,
 * settings, callbacks, and start (bind, shared memory, socket pairs, then
 * the mode's process layout), and the control calls (shutdown, reload,
 * stop_worker). The queries any process answers from shared memory are in
 * query.c; the methods on connections and datagrams in send.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <grp.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"
#include "worker.h"
#include "../process/internal.h"

static const char *const event_names[SWIRL_ON__COUNT] = {
    "start",      "shutdown",    "managerStart", "managerStop", "workerStart",
    "workerStop", "workerError", "connect",      "receive",     "packet",
    "close",      "pipeMessage", "bufferFull",   "bufferEmpty", "workerExit",
    "task",       "finish",      "beforeReload", "afterReload", "beforeShutdown"};

static int add_port(swirl_server_t *srv, const char *host, int port, swirl_sock_type_t type,
                    swirl_port_t **out) {
    bool ssl = ((int)type & SWIRL_SOCK_SSL) != 0;
    type = (swirl_sock_type_t)((int)type & ~SWIRL_SOCK_SSL);
    swirl_addr_t probe;
    int rc = swirl_addr_parse(&probe, type, host, port); /* validates host, port and type */
    if (rc < 0)
        return rc;
    /* after the type is known to have a name (an unknown one had none) */
    if (ssl && !swirl_sock_is_stream(type))
        return swirl__error(SWIRL_EBADARG,
                            "listen %s:%d: SSL needs a stream socket (TCP, TCP6 or "
                            "UNIX_STREAM), not %s (DTLS is not supported)",
                            host, port, swirl_sock_type_name(type));
    if (strlen(host) >= sizeof(((swirl_port_t *)0)->host))
        return swirl__error(SWIRL_EBADADDR, "host \"%.32s...\": too long", host);
    swirl_port_t **ports = swirl_realloc(srv->ports, (size_t)(srv->nports + 1) * sizeof(*ports));
    if (!ports)
        return swirl__error(-ENOMEM, "listen:");
    srv->ports = ports;
    swirl_port_t *p = swirl_calloc(1, sizeof(*p));
    if (!p)
        return swirl__error(-ENOMEM, "listen:");
    p->srv = srv;
    p->index = srv->nports;
    snprintf(p->host, sizeof(p->host), "%s", host);
    p->port = port;
    p->type = type;
    p->ssl = ssl;
    p->fd = -1;
    swirl__port_settings_init(&p->own);
    srv->ports[srv->nports++] = p;
    if (out)
        *out = p;
    return 0;
}

int swirl_server_new(swirl_server_t **out, const char *host, int port, int mode,
                     swirl_sock_type_t sock_type) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "server: out is NULL");
    if (mode != SWIRL_MODE_BASE && mode != SWIRL_MODE_PROCESS)
        return swirl__error(
            SWIRL_EBADARG, "server mode %d: expected SWIRL_MODE_BASE (1) or SWIRL_MODE_PROCESS (2)",
            mode);
    swirl_server_t *srv = swirl_calloc(1, sizeof(*srv));
    if (!srv)
        return swirl__error(-ENOMEM, "server:");
    srv->mode = mode;
    srv->task_mq = -1;
    srv->worker_id = -1;
    srv->cmd_reply[0] = srv->cmd_reply[1] = srv->cmd_manager[0] = srv->cmd_manager[1] = -1;
    swirl__server_settings_init(&srv->settings);
    swirl__port_settings_init(&srv->port_defaults);
    int rc = add_port(srv, host ? host : "", port, sock_type, NULL);
    if (rc < 0) {
        swirl_server_free(srv);
        return rc;
    }
    *out = srv;
    return 0;
}

void swirl_server_free(swirl_server_t *srv) {
    if (!srv)
        return;
    swirl__server_tls_free(srv);
    swirl__command_free(srv);
    for (int i = 0; i < srv->nports; i++)
        swirl_free(srv->ports[i]);
    swirl_free(srv->ports);
    swirl_free(srv);
}

int swirl_server_listen(swirl_server_t *srv, const char *host, int port,
                        swirl_sock_type_t sock_type, swirl_port_t **out) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "listen: the server is already started");
    return add_port(srv, host ? host : "", port, sock_type, out);
}

int swirl_server_on_event(swirl_server_t *srv, swirl_event_type_t type, swirl_server_cb cb,
                          void *user) {
    if ((int)type < 0 || type >= SWIRL_ON__COUNT)
        return swirl__error(SWIRL_EBADARG, "on: unknown event %d", (int)type);
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "on(%s): the server is already started",
                            event_names[type]);
    srv->on[type].cb = cb;
    srv->on[type].user = user;
    return 0;
}

const char *swirl_server_event_name(swirl_event_type_t type) {
    return (int)type >= 0 && type < SWIRL_ON__COUNT ? event_names[type] : NULL;
}

int swirl_server_event_type(const char *name) {
    if (!name)
        return swirl__error(SWIRL_EBADARG, "on: event name is NULL");
    const char *n = name;
    if (strncasecmp(n, "on", 2) == 0 && strlen(n) > 2)
        n += 2;
    for (int i = 0; i < SWIRL_ON__COUNT; i++)
        if (strcasecmp(n, event_names[i]) == 0)
            return i;
    return swirl__error(SWIRL_EBADARG,
                        "on: unknown event \"%s\" (events: start, shutdown, managerStart, "
                        "managerStop, workerStart, workerStop, workerError, connect, receive, "
                        "packet, close, pipeMessage, bufferFull, bufferEmpty, workerExit, task, "
                        "finish, beforeReload, afterReload, beforeShutdown)",
                        name);
}

int swirl_server_on(swirl_server_t *srv, const char *name, swirl_server_cb cb, void *user) {
    int type = swirl_server_event_type(name);
    return type < 0 ? type : swirl_server_on_event(srv, (swirl_event_type_t)type, cb, user);
}

int swirl_port_on(swirl_port_t *port, const char *name, swirl_server_cb cb, void *user) {
    int type = swirl_server_event_type(name);
    if (type < 0)
        return type;
    if (type != SWIRL_ON_CONNECT && type != SWIRL_ON_RECEIVE && type != SWIRL_ON_CLOSE &&
        type != SWIRL_ON_PACKET)
        return swirl__error(SWIRL_EBADARG, "port on(%s): a port has only connect, receive, close "
                                           "and packet callbacks", name);
    if (port->srv->started)
        return swirl__error(SWIRL_ESTATE, "port on(%s): the server is already started", name);
    port->on[type].cb = cb;
    port->on[type].user = user;
    return 0;
}

int swirl_server_set(swirl_server_t *srv, const char *key, swirl_value_t value) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "set %s: the server is already started", key);
    return swirl__settings_apply(&srv->settings, &srv->port_defaults, key, value);
}

int swirl_server_set_text(swirl_server_t *srv, const char *key, const char *text) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "set %s: the server is already started", key);
    return swirl__settings_apply_text(&srv->settings, &srv->port_defaults, key, text);
}

int swirl_port_set(swirl_port_t *port, const char *key, swirl_value_t value) {
    if (port->srv->started)
        return swirl__error(SWIRL_ESTATE, "set %s: the server is already started", key);
    return swirl__settings_apply(NULL, &port->own, key, value);
}

int swirl_server_set_length_fn(swirl_server_t *srv, swirl_framing_length_fn fn, void *user) {
    if (!srv)
        return swirl__error(SWIRL_EBADARG, "package_length_func: NULL server");
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "package_length_func: the server is already started");
    srv->length_fn = fn;
    srv->length_user = fn ? user : NULL;
    return 0;
}

int swirl_port_set_length_fn(swirl_port_t *port, swirl_framing_length_fn fn, void *user) {
    if (!port)
        return swirl__error(SWIRL_EBADARG, "package_length_func: NULL port");
    if (port->srv->started)
        return swirl__error(SWIRL_ESTATE, "package_length_func: the server is already started");
    port->length_fn_set = fn != NULL;
    port->length_fn = fn;
    port->length_user = fn ? user : NULL;
    return 0;
}

const swirl__port_settings_t *swirl__port_settings(const swirl_port_t *port) { return &port->eff; }

/* ---- start -------------------------------------------------------------------------------- */

static int cpu_count(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* user, group, chroot: checked before anything starts, so a typo is an
 * error at the terminal rather than workers failing in a loop. */
static int resolve_identity(swirl_server_t *srv) {
    const swirl__server_settings_t *s = &srv->settings;
    srv->set_uid = srv->set_gid = false;
    if (s->user[0]) {
        errno = 0;
        struct passwd *pw = getpwnam(s->user);
        if (!pw)
            return swirl__error(SWIRL_ESETTING, "user \"%s\": %s", s->user,
                                errno ? strerror(errno) : "no such user");
        srv->set_uid = srv->set_gid = true;
        srv->run_uid = pw->pw_uid;
        srv->run_gid = pw->pw_gid;
        if (geteuid() != 0 && pw->pw_uid != geteuid())
            return swirl__error(SWIRL_ESETTING,
                                "user \"%s\": switching to it needs root "
                                "(running as uid %d)",
                                s->user, (int)geteuid());
    }
    if (s->group[0]) {
        errno = 0;
        struct group *gr = getgrnam(s->group);
        if (!gr)
            return swirl__error(SWIRL_ESETTING, "group \"%s\": %s", s->group,
                                errno ? strerror(errno) : "no such group");
        srv->set_gid = true;
        srv->run_gid = gr->gr_gid;
        if (geteuid() != 0 && gr->gr_gid != getegid())
            return swirl__error(SWIRL_ESETTING, "group \"%s\": switching to it needs root",
                                s->group);
    }
    if (s->chroot[0]) {
        struct stat st;
        if (stat(s->chroot, &st) != 0 || !S_ISDIR(st.st_mode))
            return swirl__error(SWIRL_ESETTING, "chroot \"%s\": not a directory", s->chroot);
        if (geteuid() != 0)
            return swirl__error(SWIRL_ESETTING, "chroot \"%s\": needs root", s->chroot);
    }
    return 0;
}

/* Detach from the terminal: the caller's process exits 0 (as with Swoole's
 * daemonize) and a grandchild in its own session carries on, its stdio on
 * /dev/null. The working directory is kept, so relative paths in settings
 * still mean what they meant. */
static int daemonize(swirl_server_t *srv) {
    if (!srv->settings.log_file[0])
        swirl_log_warning("server: daemonize without log_file: the log goes to /dev/null");
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return swirl__error(swirl__neg_errno(), "daemonize: fork:");
        if (pid > 0)
            _exit(0);
        if (i == 0 && setsid() < 0)
            return swirl__error(swirl__neg_errno(), "daemonize: setsid:");
    }
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nul < 0)
        return swirl__error(swirl__neg_errno(), "daemonize: /dev/null:");
    dup2(nul, 0);
    dup2(nul, 1);
    if (!srv->settings.log_file[0])
        dup2(nul, 2);
    close(nul);
    srv->master_pid = getpid();
    return 0;
}

static int resolve(swirl_server_t *srv) {
    const swirl__server_settings_t *s = &srv->settings;
    bool streams = false, dgrams = false; /* a port without its own callback */
    for (int i = 0; i < srv->nports; i++) {
        if (swirl_sock_is_stream(srv->ports[i]->type))
            streams |= !srv->ports[i]->on[SWIRL_ON_RECEIVE].cb;
        else
            dgrams |= !srv->ports[i]->on[SWIRL_ON_PACKET].cb;
    }
    if (streams && !srv->on[SWIRL_ON_RECEIVE].cb)
        return swirl__error(SWIRL_ESTATE, "start: a stream server needs a receive callback "
                                          "(on \"receive\")");
    if (dgrams && !srv->on[SWIRL_ON_PACKET].cb)
        return swirl__error(SWIRL_ESTATE, "start: a datagram server needs a packet callback "
                                          "(on \"packet\")");
    srv->task_worker_num = (int)s->task_worker_num;
    if (srv->task_worker_num > 0) {
        /* as Swoole: the finish callback only when a result comes back */
        if (!srv->on[SWIRL_ON_TASK].cb)
            return swirl__error(SWIRL_ESTATE,
                                "start: task_worker_num %d needs a task callback (on \"task\")",
                                srv->task_worker_num);
        if (s->task_ipc_mode != 1) {
            size_t msgmax;
            swirl__msgq_limits(&msgmax, NULL);
            if (msgmax < sizeof(swirl__msg_t) + 4200)
                return swirl__error(SWIRL_ESETTING,
                                    "task_ipc_mode %lld: this system's message "
                                    "size limit (kernel.msgmax %zu bytes) is too "
                                    "small; at least %zu is needed",
                                    (long long)s->task_ipc_mode, msgmax,
                                    sizeof(swirl__msg_t) + 4200);
            srv->task_mq_max = msgmax < SWIRL__PACKET_MAX ? msgmax : SWIRL__PACKET_MAX;
        }
    }
    int rc = resolve_identity(srv);
    if (rc < 0)
        return rc;
    srv->worker_num = s->worker_num ? (int)s->worker_num : cpu_count();
    if (srv->worker_num + srv->task_worker_num > SWIRL__MAX_WORKERS)
        return swirl__error(SWIRL_ESETTING,
                            "worker_num %d + task_worker_num %d: at most %d "
                            "processes in all",
                            srv->worker_num, srv->task_worker_num, SWIRL__MAX_WORKERS);
    srv->reactor_num = s->single_thread ? 1 : s->reactor_num ? (int)s->reactor_num : cpu_count();
    if (srv->reactor_num > srv->worker_num)
        srv->reactor_num = srv->worker_num; /* a reactor without a worker to feed is waste */
    if (srv->reactor_num > SWIRL__MAX_REACTORS)
        srv->reactor_num = SWIRL__MAX_REACTORS;
    struct rlimit rl;
    int64_t nofile = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (int64_t)rl.rlim_cur : 1024;
    if (nofile > (1 << 20))
        nofile = 1 << 20;
    srv->max_conn = s->max_conn ? s->max_conn : nofile;
    if (srv->max_conn > nofile) {
        swirl_log_warning("server: max_conn %lld is more than the fd limit (ulimit -n = %lld); "
                          "using %lld",
                          (long long)srv->max_conn, (long long)nofile, (long long)nofile);
        srv->max_conn = nofile;
    }
    int64_t cap = srv->max_conn + 1024;
    srv->fd_cap = (int)(cap < nofile ? cap : nofile);
    srv->owners = srv->mode == SWIRL_MODE_PROCESS ? srv->reactor_num : srv->worker_num;
    return 0;
}

/* kernel_socket_send/recv_buffer_size on a listener: its accepted
 * connections inherit them. One the kernel refuses is logged (the socket
 * keeps the kernel's size). */
static void kernel_buffers(int fd, const swirl__port_settings_t *ps) {
    const struct {
        int opt;
        int64_t v;
        const char *name;
    } b[] = {{SO_SNDBUF, ps->kernel_socket_send_buffer_size, "kernel_socket_send_buffer_size"},
             {SO_RCVBUF, ps->kernel_socket_recv_buffer_size, "kernel_socket_recv_buffer_size"}};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        int v = b[i].v > INT_MAX ? INT_MAX : (int)b[i].v;
        if (v > 0 && setsockopt(fd, SOL_SOCKET, b[i].opt, &v, sizeof v) < 0)
            swirl_log_warning("server: %s %d: %s", b[i].name, v, strerror(errno));
    }
}

static int bind_ports(swirl_server_t *srv) {
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        swirl__port_settings_merge(&p->eff, &srv->port_defaults, &p->own);
        const swirl__port_settings_t *ps = &p->eff;
        (void)swirl__framing_conf_build(&ps->framing, &p->framing); /* validated when set */
        /* package_length_func: the port's own, else the server's; it
         * replaces the length field where open_length_check is on */
        swirl_framing_length_fn lfn = p->length_fn_set ? p->length_fn : srv->length_fn;
        if (lfn && p->framing.kind == SWIRL_FRAMING_LENGTH)
            (void)swirl_framing_set_length_fn(&p->framing, lfn,
                                              p->length_fn_set ? p->length_user : srv->length_user);
        p->nodelay = ps->open_tcp_nodelay;
        if (!p->ssl && (p->own.set_mask & swirl__settings_ssl_mask()))
            swirl_log_warning("listener %s:%d: ssl_* settings given but the listener was not "
                              "created with SWIRL_SOCK_SSL: it speaks plain text",
                              p->host, p->port);
        swirl_listen_opts_t o;
        swirl_listen_opts_init(&o);
        o.backlog = (int)ps->backlog;
        o.reuse_port = srv->settings.enable_reuse_port;
        o.tcp_nodelay = ps->open_tcp_nodelay;
        o.defer_accept = (int)ps->tcp_defer_accept;
        o.fastopen = ps->tcp_fastopen ? 128 : 0;
        int rc = swirl_net_listen(p->type, p->host, p->port, &o, &p->fd);
        if (rc < 0)
            return rc;
        kernel_buffers(p->fd, ps);
        swirl_addr_t a;
        swirl_net_local_addr(p->fd, &a);
        p->bound_port = swirl_addr_port(&a);
    }
    return 0;
}

/* BASE with enable_reuse_port: worker 0 accepts on the port's socket,
 * every other worker on its own SO_REUSEPORT socket (made here, in the
 * master), so the kernel spreads connections evenly instead of waking
 * every worker for each. One that cannot be made is logged and its worker
 * shares the port's socket. */
static int open_reuse_ports(swirl_server_t *srv) {
    if (srv->mode != SWIRL_MODE_BASE || !srv->settings.enable_reuse_port || srv->worker_num < 2)
        return 0;
    size_t n = (size_t)srv->worker_num * (size_t)srv->nports;
    srv->reuse_fds = swirl_malloc(n * sizeof(int));
    if (!srv->reuse_fds)
        return swirl__error(-ENOMEM, "server: reuse_port sockets:");
    for (size_t k = 0; k < n; k++)
        srv->reuse_fds[k] = -1;
    for (int w = 1; w < srv->worker_num; w++)
        for (int i = 0; i < srv->nports; i++) {
            swirl_port_t *p = srv->ports[i];
            if (p->type != SWIRL_SOCK_TCP && p->type != SWIRL_SOCK_TCP6)
                continue;
            const swirl__port_settings_t *ps = &p->eff;
            swirl_listen_opts_t o;
            swirl_listen_opts_init(&o);
            o.backlog = (int)ps->backlog;
            o.reuse_port = true;
            o.tcp_nodelay = ps->open_tcp_nodelay;
            o.defer_accept = (int)ps->tcp_defer_accept;
            o.fastopen = ps->tcp_fastopen ? 128 : 0;
            int *fd = &srv->reuse_fds[w * srv->nports + i];
            if (swirl_net_listen(p->type, p->host, p->bound_port, &o, fd) < 0) {
                *fd = -1;
                swirl_log_warning("worker %d: %s; sharing the master's socket", w,
                                  swirl_last_error_msg());
            } else {
                kernel_buffers(*fd, ps);
            }
        }
    return 0;
}

static void close_ports(swirl_server_t *srv) {
    if (srv->reuse_fds) {
        for (int k = 0; k < srv->worker_num * srv->nports; k++)
            swirl_net_close(srv->reuse_fds[k]);
        swirl_free(srv->reuse_fds);
        srv->reuse_fds = NULL;
    }
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        if (p->fd < 0)
            continue;
        swirl_net_close(p->fd);
        p->fd = -1;
        if ((p->type == SWIRL_SOCK_UNIX_STREAM || p->type == SWIRL_SOCK_UNIX_DGRAM) && p->host[0] &&
            p->host[0] != '@' && srv->role == SWIRL__ROLE_MASTER)
            unlink(p->host);
    }
}

/* A channel's kernel buffer: room for a burst of packets before EAGAIN. */
#define PAIR_BUFFER (1024 * 1024)

static int make_pair_sized(int sv[2], int size) {
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        return swirl__error(swirl__neg_errno(), "server: socketpair:");
    for (int i = 0; i < 2; i++) {
        setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    return 0;
}

static int make_pair(int sv[2]) { return make_pair_sized(sv, PAIR_BUFFER); }

static void close_pairs(swirl_server_t *srv) {
    swirl__command_close(srv);
    if (srv->pipes) {
        for (int r = 0; r < srv->reactor_num; r++)
            for (int w = 0; w < srv->worker_num; w++)
                for (int k = 0; k < 2; k++)
                    swirl_net_close(srv->pipes[r][w][k]);
        swirl_free(srv->pipes);
        srv->pipes = NULL;
    }
    if (srv->mailbox) {
        for (int w = 0; w < srv->worker_num; w++)
            for (int k = 0; k < 2; k++)
                swirl_net_close(srv->mailbox[w][k]);
        swirl_free(srv->mailbox);
        srv->mailbox = NULL;
    }
    if (srv->task_mq >= 0) {
        swirl__msgq_remove(srv->task_mq);
        srv->task_mq = -1;
    }
    if (srv->handoff) {
        for (int w = 0; w < srv->worker_num; w++)
            for (int k = 0; k < 2; k++)
                swirl_net_close(srv->handoff[w][k]);
        swirl_free(srv->handoff);
        srv->handoff = NULL;
    }
    if (srv->taskbox) {
        for (int t = 0; t < srv->task_worker_num; t++)
            for (int k = 0; k < 2; k++)
                swirl_net_close(srv->taskbox[t][k]);
        swirl_free(srv->taskbox);
        srv->taskbox = NULL;
    }
}

static int open_pairs(swirl_server_t *srv) {
    srv->mailbox = swirl_calloc((size_t)srv->worker_num, sizeof(*srv->mailbox));
    if (!srv->mailbox)
        return swirl__error(-ENOMEM, "server: mailboxes:");
    for (int w = 0; w < srv->worker_num; w++)
        srv->mailbox[w][0] = srv->mailbox[w][1] = -1;
    /* a worker's mailbox (task results, pipe messages) holds about
     * socket_buffer_size unread, as Swoole's worker pipes: past it senders
     * queue, and a finish with socket_send_timeout waits; never less than
     * two packets */
    int64_t box = srv->settings.socket_buffer_size;
    box = box < 2 * SWIRL__PACKET_MAX ? 2 * SWIRL__PACKET_MAX
          : box > PAIR_BUFFER         ? PAIR_BUFFER
                                      : box;
    for (int w = 0; w < srv->worker_num; w++)
        if (make_pair_sized(srv->mailbox[w], (int)box) < 0)
            return swirl_last_error();
    if (swirl__command_open(srv) < 0)
        return swirl_last_error();
    if (srv->mode == SWIRL_MODE_BASE && srv->worker_num > 1) { /* reloads hand connections on */
        srv->handoff = swirl_calloc((size_t)srv->worker_num, sizeof(*srv->handoff));
        if (!srv->handoff)
            return swirl__error(-ENOMEM, "server: hand-off sockets:");
        for (int w = 0; w < srv->worker_num; w++)
            srv->handoff[w][0] = srv->handoff[w][1] = -1;
        for (int w = 0; w < srv->worker_num; w++)
            if (make_pair(srv->handoff[w]) < 0)
                return swirl_last_error();
    }
    if (srv->task_worker_num > 0 && srv->settings.task_ipc_mode != 1) {
        if (swirl__msgq_create((key_t)srv->settings.message_queue_key, &srv->task_mq) < 0)
            return swirl_last_error();
        swirl_log_debug("server: task message queue %d (ipcs -q)", srv->task_mq);
    } else if (srv->task_worker_num > 0) {
        srv->taskbox = swirl_calloc((size_t)srv->task_worker_num, sizeof(*srv->taskbox));
        if (!srv->taskbox)
            return swirl__error(-ENOMEM, "server: task sockets:");
        for (int t = 0; t < srv->task_worker_num; t++)
            srv->taskbox[t][0] = srv->taskbox[t][1] = -1;
        for (int t = 0; t < srv->task_worker_num; t++)
            if (make_pair(srv->taskbox[t]) < 0)
                return swirl_last_error();
    }
    if (srv->mode != SWIRL_MODE_PROCESS)
        return 0;
    srv->pipes = swirl_calloc((size_t)srv->reactor_num, sizeof(*srv->pipes));
    if (!srv->pipes)
        return swirl__error(-ENOMEM, "server: reactor pipes:");
    for (int r = 0; r < srv->reactor_num; r++)
        for (int w = 0; w < SWIRL__MAX_WORKERS; w++)
            srv->pipes[r][w][0] = srv->pipes[r][w][1] = -1;
    for (int r = 0; r < srv->reactor_num; r++)
        for (int w = 0; w < srv->worker_num; w++)
            if (make_pair(srv->pipes[r][w]) < 0)
                return swirl_last_error();
    return 0;
}

static int map_shared(swirl_server_t *srv) {
    size_t nslots = (size_t)srv->owners * (size_t)srv->fd_cap;
    /* the session table: at most max_conn connections are open (a few more
     * when reactor threads race the check), so a free entry is near */
    uint64_t want = (uint64_t)(srv->max_conn > 0 ? srv->max_conn : 1) + 64;
    if (want > nslots)
        want = nslots;
    srv->nsessions = 1024;
    while (srv->nsessions < want && srv->nsessions < (1u << 30))
        srv->nsessions <<= 1;
    size_t table = (size_t)srv->nsessions * sizeof(uint32_t);
    srv->conns_bytes = sizeof(swirl__shared_t) + nslots * sizeof(swirl__conn_t) + table;
    /* pages are only backed once touched: a big table costs what it holds */
    void *p = mmap(NULL, srv->conns_bytes, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return swirl__error(swirl__neg_errno(),
                            "server: shared memory of %zu bytes:", srv->conns_bytes);
    srv->shared = p;
    srv->conns = (swirl__conn_t *)((char *)p + sizeof(swirl__shared_t));
    srv->sessions = (_Atomic uint32_t *)(srv->conns + nslots);
    srv->shared->start_time = swirl_time_now();
    return 0;
}

static void unmap_shared(swirl_server_t *srv) {
    if (srv->shared)
        munmap(srv->shared, srv->conns_bytes);
    srv->shared = NULL;
    srv->conns = NULL;
    srv->sessions = NULL;
}

/* The pid file: written once the ports are bound, removed at exit if it
 * still names this process. */
static int write_pid_file(const swirl_server_t *srv) {
    const char *path = srv->settings.pid_file;
    if (!path[0])
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return swirl__error(swirl__neg_errno(), "pid_file \"%s\":", path);
    char line[32];
    int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
    ssize_t w = write(fd, line, (size_t)n);
    int rc = w == n ? 0 : swirl__error(w < 0 ? swirl__neg_errno() : -EIO, "pid_file \"%s\":", path);
    close(fd);
    return rc;
}

static void remove_pid_file(const swirl_server_t *srv) {
    const char *path = srv->settings.pid_file;
    if (!path[0])
        return;
    char line[32] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, line, sizeof(line) - 1);
    close(fd);
    if (n > 0 && atoi(line) == (int)getpid())
        unlink(path);
}

int swirl_server_start(swirl_server_t *srv) {
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "start: the server is already started");
    int rc = resolve(srv);
    if (rc < 0)
        return rc;
    if (srv->settings.log_file[0] && (rc = swirl_log_set_file(srv->settings.log_file)) < 0)
        return rc;
    swirl_log_set_level((int)srv->settings.log_level);
    srv->started = true;
    srv->role = SWIRL__ROLE_MASTER;
    srv->master_pid = getpid();
    if ((rc = bind_ports(srv)) < 0)
        goto out;
    if ((rc = swirl__server_tls_setup(srv)) < 0)
        goto out;
    if (srv->settings.daemonize && (rc = daemonize(srv)) < 0)
        goto out;
    if ((rc = write_pid_file(srv)) < 0)
        goto out;
    swirl__set_title("master", -1);
    swirl_log_set_role('#', 0);
    if ((rc = map_shared(srv)) < 0)
        goto out;
    if ((rc = open_pairs(srv)) < 0 || (rc = open_reuse_ports(srv)) < 0)
        goto out;
    if (srv->mode == SWIRL_MODE_PROCESS) {
        rc = swirl__process_mode_run(srv);
    } else if (srv->worker_num == 1 && srv->task_worker_num == 0 && srv->nprocs == 0) {
        /* one worker, no manager: this process is the worker (which emits
         * the start event once its loop exists) */
        srv->start_in_worker = true;
        rc = swirl__worker_run(srv, 0);
        srv->start_in_worker = false;
        srv->role = SWIRL__ROLE_MASTER;
        swirl_event_t ev = {.type = SWIRL_ON_SHUTDOWN};
        swirl__emit(srv, &ev);
    } else {
        srv->role = SWIRL__ROLE_MANAGER;
        rc = swirl__manager_run(srv);
        srv->role = SWIRL__ROLE_MASTER;
        swirl_event_t ev = {.type = SWIRL_ON_SHUTDOWN};
        swirl__emit(srv, &ev);
    }
out:
    swirl__task_tmp_cleanup(srv);
    remove_pid_file(srv);
    close_pairs(srv);
    unmap_shared(srv);
    close_ports(srv);
    swirl__server_tls_free(srv);
    srv->started = false;
    return rc;
}

int swirl_server_shutdown(swirl_server_t *srv) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "shutdown: the server is not running");
    /* the master (in BASE mode with several workers: the manager, which is
     * the process that started; with one: the worker) shuts everything
     * down gracefully on SIGTERM */
    return kill(srv->master_pid, SIGTERM) == 0
               ? 0
               : swirl__error(swirl__neg_errno(), "shutdown: kill:");
}

int swirl_server_add_process(swirl_server_t *srv, swirl_server_process_fn fn, void *user) {
    if (!fn)
        return swirl__error(SWIRL_EBADARG, "add_process: no function");
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "add_process: the server is already started");
    if (srv->nprocs >= SWIRL__MAX_PROCESSES)
        return swirl__error(SWIRL_EBADARG, "add_process: at most %d user processes",
                            SWIRL__MAX_PROCESSES);
    srv->procs[srv->nprocs].fn = fn;
    srv->procs[srv->nprocs].user = user;
    srv->procs[srv->nprocs].proc = NULL;
    return srv->nprocs++;
}

int swirl_server_add_process_object(swirl_server_t *srv, swirl_process_t *proc) {
    if (!proc)
        return swirl__error(SWIRL_EBADARG, "add_process: no process object");
    if (proc->started)
        return swirl__error(SWIRL_ESTATE, "add_process: the process object was already started");
    if (srv->started)
        return swirl__error(SWIRL_ESTATE, "add_process: the server is already started");
    for (int i = 0; i < srv->nprocs; i++)
        if (srv->procs[i].proc == proc)
            return swirl__error(SWIRL_ESTATE,
                                "add_process: the process object was already added (user process "
                                "%d): one object runs one process",
                                i);
    if (srv->nprocs >= SWIRL__MAX_PROCESSES)
        return swirl__error(SWIRL_EBADARG, "add_process: at most %d user processes",
                            SWIRL__MAX_PROCESSES);
    srv->procs[srv->nprocs].fn = NULL;
    srv->procs[srv->nprocs].user = NULL;
    srv->procs[srv->nprocs].proc = proc;
    return srv->nprocs++;
}

int swirl_server_reload(swirl_server_t *srv, bool task_workers_only) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "reload: the server is not running");
    pid_t manager = atomic_load(&srv->shared->manager_pid);
    if (manager <= 0)
        return swirl__error(SWIRL_ESTATE, "reload: no manager process (a BASE server with one "
                                          "worker has none: nothing to reload it)");
    if (kill(manager, task_workers_only ? SIGUSR2 : SIGUSR1) < 0)
        return swirl__error(swirl__neg_errno(), "reload: signalling the manager:");
    return 0;
}

int swirl_server_stop_worker(swirl_server_t *srv, int worker_id) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "stop worker: the server is not running");
    if (worker_id < 0 || worker_id >= srv->worker_num)
        return swirl__error(SWIRL_EBADARG, "stop worker %d: expected 0..%d", worker_id,
                            srv->worker_num - 1);
    if (atomic_load(&srv->shared->manager_pid) <= 0)
        return swirl__error(SWIRL_ESTATE, "stop worker %d: no manager to start another", worker_id);
    pid_t pid = atomic_load(&srv->shared->workers[worker_id].pid);
    if (pid <= 0 || kill(pid, SIGTERM) < 0)
        return swirl__error(SWIRL_ESTATE, "stop worker %d: not running", worker_id);
    return 0;
}

int swirl_server_port(const swirl_server_t *srv) {
    return srv->nports > 0 ? srv->ports[0]->bound_port : 0;
}

int swirl_port_fd(const swirl_port_t *port) { return port->fd; }

int swirl_port_bound_port(const swirl_port_t *port) {
    return port->bound_port > 0 ? port->bound_port : port->port;
}

pid_t swirl_server_master_pid(const swirl_server_t *srv) { return srv->master_pid; }

pid_t swirl_server_worker_pid(const swirl_server_t *srv, int id) {
    if (!srv->shared || id < 0)
        return 0;
    int n = srv->worker_num + srv->task_worker_num;
    if (id < n)
        return atomic_load(&srv->shared->workers[id].pid);
    return id - n < srv->nprocs ? atomic_load(&srv->shared->proc_pids[id - n]) : 0;
}

pid_t swirl_server_manager_pid(const swirl_server_t *srv) {
    return srv->shared ? atomic_load(&srv->shared->manager_pid) : 0;
}
