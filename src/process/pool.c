/* src/process/pool.c — a process pool: N workers taking messages from one
 * shared queue (a unix SOCK_SEQPACKET pair, or a System V message queue),
 * supervised by the process that started them.
 *
 * The master runs a loop that watches SIGCHLD, SIGTERM and SIGINT through
 * signalfd: a worker that exits is replaced by the supervisor
 * (supervisor.c: after a delay doubling from 100 ms to 5 s while workers
 * keep dying within a second of starting, having served nothing that the
 * pool counts), and a shutdown sends SIGTERM to every worker, again every 100 ms (a SIGTERM
 * that lands between a worker's flag check and its blocking receive would
 * otherwise be missed), then SIGKILL after 3 s.
 *
 * A worker handles SIGTERM by setting a flag, which its receive loop
 * checks: the message in hand is finished, on_worker_stop runs, the worker
 * exits 0. The flag is a per-process singleton (`pool_worker_stop`), as a
 * signal handler needs. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <swirl/core.h>
#include <swirl/net.h>
#include <swirl/process.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "internal.h"

#define POOL_MAX_WORKERS 1024
#define POOL_SOCK_MAX_MSG (64 * 1024)
#define POOL_READ_MS 60000 /* Swoole's default socket read timeout */
#define STOP_RESEND_MS 100
#define STOP_KILL_MS 3000
#define POOL_PIPE_MAX_MSG (2 * 1024 * 1024) /* Swoole's input buffer size */

static volatile sig_atomic_t pool_worker_stop;

struct swirl_process_pool {
    int worker_num;
    int ipc;
    key_t key;
    int msgq;       /* SWIRL_IPC_MSGQUEUE */
    int sock[2];    /* SWIRL_IPC_UNIXSOCK: both ends, every process reads [1], writes [0] */
    int (*pipes)[2]; /* SWIRL_IPC_UNIXSOCK: worker i's own datagram pair, [0] to it, [1] its end */
    /* shared (MAP_SHARED) with the workers: each worker's latest pid, then
     * [worker_num + id]: 1 when that worker left its loop on SIGTERM */
    pid_t *pids;
    size_t msg_max;  /* largest message */
    int64_t kill_ms; /* after a shutdown began: SIGKILL then (max_wait_time) */
    int64_t read_ms; /* SWIRL_IPC_SOCKET: the longest wait for a message's bytes */
    bool message_bus; /* worker pipes carry framed chunks (swirl_process_pool_set_message_bus) */
    /* SWIRL_IPC_SOCKET: the listening socket, the connection of the message
     * in hand (a worker's) and its answer; ctl: workers tell the master
     * about a detach ([1] written by workers, [0] read by the master) */
    int listen_fd;
    char *unix_path; /* a "unix:/path" listener's file, removed with the pool (by its master) */
    int conn;
    char *resp;
    size_t resp_len, resp_cap;
    int ctl[2];
    bool detached;
    uint32_t bus_seq; /* this process's next message number */
    swirl_pool_worker_cb on_worker_start, on_worker_stop;
    swirl_pool_message_cb on_message;
    swirl_pool_start_cb on_start, on_starting, on_shutdown, on_stopped;
    void *user;
    bool started;
    pid_t master_pid;
    int worker_id; /* in a worker; -1 in the master */
    /* the master's supervision */
    swirl_loop_t *loop;
    swirl__supervisor_t sup;
    uint64_t stop_began_ms;
    int64_t stop_timer;
};

int swirl_process_pool_new(swirl_process_pool_t **out, int worker_num, int ipc_type,
                           key_t msgqueue_key) {
    if (!out)
        return SWIRL_EBADARG;
    if (worker_num < 1 || worker_num > POOL_MAX_WORKERS)
        return swirl__error(SWIRL_EBADARG, "pool: worker_num %d: expected 1..%d", worker_num,
                            POOL_MAX_WORKERS);
    if (ipc_type < SWIRL_IPC_NONE || ipc_type > SWIRL_IPC_SOCKET)
        return swirl__error(SWIRL_EBADARG,
                            "pool: ipc_type %d: expected 0 (none), 1 (unix socket), 2 "
                            "(message queue) or 3 (socket)",
                            ipc_type);
    swirl_process_pool_t *p = swirl_calloc(1, sizeof(*p));
    if (!p)
        return swirl__error(-ENOMEM, "pool:");
    int rc;
    p->worker_num = worker_num;
    p->ipc = ipc_type;
    p->key = msgqueue_key;
    p->msgq = -1;
    p->sock[0] = p->sock[1] = -1;
    p->listen_fd = p->conn = -1;
    p->ctl[0] = p->ctl[1] = -1;
    p->worker_id = -1;
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, p->ctl) != 0) {
        rc = swirl__neg_errno();
        goto fail;
    }
    p->kill_ms = STOP_KILL_MS;
    p->read_ms = POOL_READ_MS;
    p->pids = mmap(NULL, 2 * sizeof(pid_t) * (size_t)worker_num, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->pids == MAP_FAILED) {
        p->pids = NULL;
        rc = swirl__neg_errno();
        goto fail;
    }
    if (ipc_type == SWIRL_IPC_UNIXSOCK) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->sock) != 0) {
            rc = swirl__neg_errno();
            goto fail;
        }
        p->msg_max = POOL_SOCK_MAX_MSG;
        p->pipes = swirl_calloc((size_t)worker_num, sizeof(*p->pipes));
        if (!p->pipes) {
            rc = -ENOMEM;
            goto fail;
        }
        for (int i = 0; i < worker_num; i++)
            p->pipes[i][0] = p->pipes[i][1] = -1;
        for (int i = 0; i < worker_num; i++) {
            if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, p->pipes[i]) != 0) {
                rc = swirl__neg_errno();
                goto fail;
            }
        }
    } else if (ipc_type == SWIRL_IPC_MSGQUEUE) {
        rc = swirl__msgq_create(msgqueue_key, &p->msgq);
        if (rc < 0)
            goto fail;
        swirl__msgq_limits(&p->msg_max, NULL);
    } else if (ipc_type == SWIRL_IPC_SOCKET) {
        p->msg_max = POOL_PIPE_MAX_MSG;
    }
    *out = p;
    return 0;

fail:
    swirl_process_pool_free(p);
    return swirl__error(rc, "pool:");
}

void swirl_process_pool_free(swirl_process_pool_t *p) {
    if (!p)
        return;
    for (int i = 0; i < 2; i++) {
        if (p->sock[i] >= 0)
            close(p->sock[i]);
        if (p->ctl[i] >= 0)
            close(p->ctl[i]);
    }
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    if (p->unix_path && p->worker_id < 0)
        unlink(p->unix_path);
    swirl_free(p->unix_path);
    if (p->conn >= 0)
        close(p->conn);
    swirl_free(p->resp);
    for (int i = 0; p->pipes && i < p->worker_num; i++)
        for (int j = 0; j < 2; j++)
            if (p->pipes[i][j] >= 0)
                close(p->pipes[i][j]);
    swirl_free(p->pipes);
    if (p->pids)
        munmap(p->pids, 2 * sizeof(pid_t) * (size_t)p->worker_num);
    /* a private queue dies with its pool; a keyed one is for whoever feeds it */
    if (p->msgq >= 0 && p->key == 0 && p->worker_id < 0)
        swirl__msgq_remove(p->msgq);
    swirl__supervisor_destroy(&p->sup);
    swirl_free(p);
}

void swirl_process_pool_on_worker_start(swirl_process_pool_t *p, swirl_pool_worker_cb cb) {
    p->on_worker_start = cb;
}
void swirl_process_pool_on_worker_stop(swirl_process_pool_t *p, swirl_pool_worker_cb cb) {
    p->on_worker_stop = cb;
}
void swirl_process_pool_on_message(swirl_process_pool_t *p, swirl_pool_message_cb cb) {
    p->on_message = cb;
}
void swirl_process_pool_on_start(swirl_process_pool_t *p, swirl_pool_start_cb cb) {
    p->on_start = cb;
}
void swirl_process_pool_on_starting(swirl_process_pool_t *p, swirl_pool_start_cb cb) {
    p->on_starting = cb;
}
void swirl_process_pool_on_shutdown(swirl_process_pool_t *p, swirl_pool_start_cb cb) {
    p->on_shutdown = cb;
}
void swirl_process_pool_on_stopped(swirl_process_pool_t *p, swirl_pool_start_cb cb) {
    p->on_stopped = cb;
}
void swirl_process_pool_set_user(swirl_process_pool_t *p, void *user) { p->user = user; }

int swirl_process_pool_set_max_wait(swirl_process_pool_t *p, int64_t ms) {
    if (ms < 0)
        return swirl__error(SWIRL_EBADARG, "pool: max_wait_time %lld ms: expected >= 0",
                            (long long)ms);
    p->kill_ms = ms;
    return 0;
}

int swirl_process_pool_set_read_timeout(swirl_process_pool_t *p, int64_t ms) {
    if (ms <= 0 || ms > INT64_MAX / 4)
        return swirl__error(SWIRL_EBADARG, "pool: read timeout %lld ms: expected > 0",
                            (long long)ms);
    p->read_ms = ms;
    return 0;
}

int swirl_process_pool_worker_num(const swirl_process_pool_t *p) { return p->worker_num; }

int swirl_process_pool_worker_id(const swirl_process_pool_t *p) { return p->worker_id; }

pid_t swirl_process_pool_master_pid(const swirl_process_pool_t *p) { return p->master_pid; }

bool swirl_process_pool_running(const swirl_process_pool_t *p) {
    return p->loop && !swirl__supervisor_stopping(&p->sup);
}

int swirl_process_pool_listen(swirl_process_pool_t *p, const char *host, int port, int backlog) {
    if (p->ipc != SWIRL_IPC_SOCKET)
        return swirl__error(SWIRL_ESTATE, "pool: listen: only a SWIRL_IPC_SOCKET pool listens");
    if (p->started)
        return swirl__error(SWIRL_ESTATE, "pool: listen: the pool is running");
    if (p->listen_fd >= 0)
        return swirl__error(SWIRL_ESTATE, "pool: listen: it listens already");
    if (!host || !*host)
        return swirl__error(SWIRL_EBADARG, "pool: listen: no host");
    swirl_listen_opts_t o;
    swirl_listen_opts_init(&o);
    if (backlog > 0)
        o.backlog = backlog;
    swirl_sock_type_t type = SWIRL_SOCK_TCP;
    if (strncmp(host, "unix:/", 6) == 0) {
        type = SWIRL_SOCK_UNIX_STREAM;
        host += 5;
        port = 0;
    } else if (strchr(host, ':')) {
        type = SWIRL_SOCK_TCP6;
    }
    char *path = NULL;
    if (type == SWIRL_SOCK_UNIX_STREAM) {
        size_t n = strlen(host) + 1;
        path = swirl_malloc(n);
        if (!path)
            return swirl__error(-ENOMEM, "pool: listen:");
        memcpy(path, host, n);
    }
    int fd;
    int rc = swirl_net_listen(type, host, port, &o, &fd);
    if (rc < 0) {
        swirl_free(path);
        return rc;
    }
    p->unix_path = path;
    p->listen_fd = fd; /* non-blocking: workers wait with poll and compete in accept */
    return 0;
}

int swirl_process_pool_write(swirl_process_pool_t *p, const void *data, size_t len) {
    if (p->conn < 0)
        return swirl__error(SWIRL_ESTATE, "pool: write: no connection (only while a message "
                            "of a SWIRL_IPC_SOCKET pool is handled)");
    if (len == 0)
        return swirl__error(SWIRL_EBADARG, "pool: write: nothing to write");
    if (len > UINT32_MAX - p->resp_len)
        return swirl__error(SWIRL_ETOOBIG, "pool: write: the answer is over 4 GiB");
    if (p->resp_len + len > p->resp_cap) {
        size_t cap = p->resp_cap ? p->resp_cap : 4096;
        while (cap < p->resp_len + len)
            cap *= 2;
        char *b = swirl_realloc(p->resp, cap);
        if (!b)
            return swirl__error(-ENOMEM, "pool: write:");
        p->resp = b;
        p->resp_cap = cap;
    }
    memcpy(p->resp + p->resp_len, data, len);
    p->resp_len += len;
    return 0;
}

int swirl_process_pool_detach(swirl_process_pool_t *p) {
    if (p->worker_id < 0)
        return swirl__error(SWIRL_ESTATE, "pool: detach: only in a worker");
    if (p->detached)
        return swirl__error(SWIRL_ESTATE, "pool: detach: already detached");
    int32_t msg[2] = {p->worker_id, (int32_t)getpid()};
    for (;;) {
        if (send(p->ctl[1], msg, sizeof msg, MSG_NOSIGNAL) >= 0)
            break;
        if (errno == EINTR)
            continue;
        return swirl__error(swirl__neg_errno(), "pool: detach:");
    }
    p->detached = true; /* its loop ends after the message in hand */
    return 0;
}

int swirl_process_pool_worker_fd(const swirl_process_pool_t *p, int worker_id) {
    if (!p->pipes)
        return swirl__error(SWIRL_ESTATE, "pool: only a SWIRL_IPC_UNIXSOCK pool has worker pipes");
    if (worker_id < 0 || worker_id >= p->worker_num)
        return swirl__error(SWIRL_EBADARG, "pool: worker_id %d: expected 0..%d", worker_id,
                            p->worker_num - 1);
    return p->pipes[worker_id][worker_id == p->worker_id ? 1 : 0];
}

/* ---- the message bus: a message in chunks of one datagram each ------------------------------
 * Each chunk starts with a bus_head; a receiver puts a sender's chunks
 * together (chunks of one sender arrive in order: one socket, datagrams). */
#define BUS_CHUNK (60 * 1024)
#define BUS_MAX_MSG (256u * 1024 * 1024)
#define BUS_SENDERS 64 /* messages being put together at once, per worker */

typedef struct {
    int32_t sender; /* its pid */
    uint32_t seq, total, offset;
} bus_head;

typedef struct {
    int32_t sender;
    uint32_t seq, total, have;
    char *buf;
} bus_part;

int swirl_process_pool_set_message_bus(swirl_process_pool_t *p, bool on) {
    if (on && !p->pipes)
        return swirl__error(SWIRL_ESTATE, "pool: the message bus needs a SWIRL_IPC_UNIXSOCK pool");
    if (p->started)
        return swirl__error(SWIRL_ESTATE, "pool: message bus: the pool is running");
    p->message_bus = on;
    return 0;
}

/* Send all of one datagram, waiting while the pipe is full. */
static int send_wait(int fd, const struct iovec *iov, int n) {
    struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};
    for (;;) {
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                return swirl__neg_errno();
            continue;
        }
        return swirl__neg_errno();
    }
}

static int bus_send(swirl_process_pool_t *p, int fd, int worker_id, const void *data, size_t len) {
    if (len > BUS_MAX_MSG)
        return swirl__error(SWIRL_ETOOBIG, "pool: send to worker %d: %zu bytes (at most %u)",
                            worker_id, len, BUS_MAX_MSG);
    bus_head h = {.sender = (int32_t)getpid(), .seq = p->bus_seq++, .total = (uint32_t)len};
    size_t off = 0;
    do {
        size_t n = len - off < BUS_CHUNK ? len - off : BUS_CHUNK;
        h.offset = (uint32_t)off;
        struct iovec iov[2] = {{&h, sizeof h}, {(char *)data + off, n}};
        int rc = send_wait(fd, iov, 2);
        if (rc < 0)
            return swirl__error(rc, "pool: send to worker %d:", worker_id);
        off += n;
    } while (off < len);
    return 0;
}

/* One chunk arrived: the whole message when it is complete (*out, owned by
 * the caller), else NULL. */
static char *bus_take(bus_part *parts, const char *chunk, size_t n, uint32_t *len) {
    bus_head h;
    if (n < sizeof h)
        return NULL;
    memcpy(&h, chunk, sizeof h);
    chunk += sizeof h;
    n -= sizeof h;
    if (h.total > BUS_MAX_MSG || h.offset > h.total || n > h.total - h.offset)
        return NULL; /* not ours */
    bus_part *slot = NULL, *free_slot = NULL;
    for (int i = 0; i < BUS_SENDERS; i++) {
        if (parts[i].buf && parts[i].sender == h.sender)
            slot = &parts[i];
        else if (!parts[i].buf && !free_slot)
            free_slot = &parts[i];
    }
    if (slot && (slot->seq != h.seq || h.offset != slot->have)) {
        swirl_free(slot->buf); /* its sender died mid-way: that message is lost */
        slot->buf = NULL;
        free_slot = slot;
        slot = NULL;
    }
    if (!slot) {
        if (h.offset != 0 || !free_slot)
            return NULL;
        free_slot->buf = swirl_malloc(h.total ? h.total : 1);
        if (!free_slot->buf) {
            swirl_log_error("pool: no memory for a message of %u bytes", h.total);
            return NULL;
        }
        slot = free_slot;
        slot->sender = h.sender;
        slot->seq = h.seq;
        slot->total = h.total;
        slot->have = 0;
    }
    memcpy(slot->buf + slot->have, chunk, n);
    slot->have += (uint32_t)n;
    if (slot->have < slot->total)
        return NULL;
    char *whole = slot->buf;
    *len = slot->total;
    slot->buf = NULL;
    return whole;
}

int swirl_process_pool_send(swirl_process_pool_t *p, int worker_id, const void *data, size_t len) {
    int fd = swirl_process_pool_worker_fd(p, worker_id);
    if (fd < 0)
        return fd;
    if (len == 0)
        return swirl__error(SWIRL_EBADARG, "pool: send: an empty message");
    if (p->message_bus)
        return bus_send(p, fd, worker_id, data, len);
    for (;;) {
        ssize_t n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            return swirl__error(-EAGAIN, "pool: send to worker %d: its pipe is full", worker_id);
        if (errno == EMSGSIZE)
            return swirl__error(SWIRL_ETOOBIG, "pool: send to worker %d: %zu bytes is more than one "
                                "datagram can hold", worker_id, len);
        return swirl__error(swirl__neg_errno(), "pool: send to worker %d:", worker_id);
    }
}

swirl_loop_t *swirl_process_pool_loop(swirl_process_pool_t *p) { return p->loop; }

pid_t swirl_process_pool_worker_pid(const swirl_process_pool_t *p, int worker_id) {
    if (worker_id < 0 || worker_id >= p->worker_num)
        return 0;
    if (p->worker_id < 0)
        return swirl__supervisor_pid(&p->sup, worker_id);
    return __atomic_load_n(&p->pids[worker_id], __ATOMIC_ACQUIRE);
}

int swirl_process_pool_push(swirl_process_pool_t *p, const void *data, size_t len) {
    if (p->ipc == SWIRL_IPC_NONE)
        return swirl__error(SWIRL_ESTATE, "pool: push: this pool has no queue");
    if (len == 0 || len > p->msg_max)
        return swirl__error(len ? SWIRL_ETOOBIG : SWIRL_EBADARG,
                            "pool: push: a message of %zu bytes (1..%zu)", len, p->msg_max);
    if (p->ipc == SWIRL_IPC_UNIXSOCK) {
        for (;;) {
            ssize_t n = send(p->sock[0], data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n >= 0)
                return 0;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return -EAGAIN;
            return swirl__error(swirl__neg_errno(), "pool: push of %zu bytes:", len);
        }
    }
    return swirl__msgq_send_bytes(p->msgq, 1, data, len, true);
}

void swirl_process_pool_shutdown(swirl_process_pool_t *p) {
    if (p->worker_id >= 0 || getpid() != p->master_pid) {
        if (p->master_pid > 0)
            kill(p->master_pid, SIGTERM);
        return;
    }
    if (!p->loop)
        return; /* not running (its shutdown hook may call this again) */
    if (!swirl__supervisor_stopping(&p->sup)) {
        swirl__supervisor_stop(&p->sup);
        if (p->on_shutdown)
            p->on_shutdown(p, p->user);
        p->stop_began_ms = swirl_clock_ms();
        for (int i = 0; i < p->worker_num; i++)
            if (swirl__supervisor_pid(&p->sup, i) > 0)
                kill(swirl__supervisor_pid(&p->sup, i), SIGTERM);
        if (swirl__supervisor_alive(&p->sup) == 0 && p->loop)
            swirl_loop_stop(p->loop);
    }
}

/* ---- a worker ------------------------------------------------------------------------------ */

static void on_sigterm(int signo) {
    (void)signo;
    pool_worker_stop = 1;
}

/* Read exactly `len` bytes from a connection by `deadline` (swirl_clock_ms
 * clock): 0, or -1 (closed, an error, too slow: a client that sends part of
 * a message then nothing must not hold the worker forever). */
static int read_full(int fd, void *buf, size_t len, int64_t deadline) {
    size_t done = 0;
    while (done < len) {
        int64_t left = deadline - (int64_t)swirl_clock_ms();
        if (left <= 0)
            return -1;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r < 0 && errno == EINTR && !pool_worker_stop)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = recv(fd, (char *)buf + done, len - done, MSG_DONTWAIT);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EINTR) && !pool_worker_stop)
            continue;
        else
            return -1;
    }
    return 0;
}

/* SWIRL_IPC_SOCKET: accept a connection and read one message from it
 * ({uint32 big-endian length}{bytes}, Swoole's framing): its length (the
 * connection stays in p->conn for the answer), -EAGAIN when there was none
 * (another worker took it, a signal, a malformed one: dropped), or a
 * negative errno to stop on. */
static ssize_t socket_take(swirl_process_pool_t *p, int id, char *buf, size_t cap) {
    struct pollfd pf = {.fd = p->listen_fd, .events = POLLIN};
    if (poll(&pf, 1, -1) < 0)
        return errno == EINTR ? -EAGAIN : swirl__neg_errno();
    int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
            return -EAGAIN;
        swirl_log_error("pool: worker %d: accept: %s", id, strerror(errno));
        return swirl__neg_errno();
    }
    uint32_t be;
    int64_t deadline = (int64_t)swirl_clock_ms() + p->read_ms;
    if (read_full(c, &be, sizeof be, deadline) == 0) {
        uint32_t n = ntohl(be);
        if (n > 0 && n <= cap && read_full(c, buf, n, deadline) == 0) {
            p->conn = c;
            p->resp_len = 0;
            return (ssize_t)n;
        }
    }
    close(c);
    return -EAGAIN;
}

/* After the message callback: send what it wrote (length-prefixed), close. */
static void socket_answer(swirl_process_pool_t *p) {
    if (p->conn < 0)
        return;
    if (p->resp_len > 0) {
        uint32_t be = htonl((uint32_t)p->resp_len);
        struct iovec iov[2] = {{&be, sizeof be}, {p->resp, p->resp_len}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
        size_t left = sizeof be + p->resp_len;
        while (left > 0) {
            ssize_t n = sendmsg(p->conn, &mh, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break; /* the client is gone: nobody to tell */
            left -= (size_t)n;
            while (n > 0 && mh.msg_iovlen > 0) {
                size_t take = (size_t)n < mh.msg_iov[0].iov_len ? (size_t)n : mh.msg_iov[0].iov_len;
                mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + take;
                mh.msg_iov[0].iov_len -= take;
                n -= (ssize_t)take;
                if (mh.msg_iov[0].iov_len == 0) {
                    mh.msg_iov++;
                    mh.msg_iovlen--;
                }
            }
        }
        p->resp_len = 0;
    }
    close(p->conn);
    p->conn = -1;
}

static void worker_run(swirl_process_pool_t *p, int id) __attribute__((noreturn));
static void worker_run(swirl_process_pool_t *p, int id) {
    p->worker_id = id;
    p->loop = NULL;
    pool_worker_stop = 0;
    __atomic_store_n(&p->pids[id], getpid(), __ATOMIC_RELEASE);
    __atomic_store_n(&p->pids[p->worker_num + id], 0, __ATOMIC_RELEASE);
    /* SIGTERM ends a worker at once while it runs on_worker_start (Swoole's
     * rule: its work there is the caller's to make interruptible); the
     * receive loop then stops between two messages. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigterm; /* no SA_RESTART: a blocking receive returns EINTR */
    sigemptyset(&sa.sa_mask);
    /* set while signals are still blocked (as the master's loop had them):
     * a SIGTERM already pending is taken by the handler, not lost */
    if (p->on_worker_start || p->ipc == SWIRL_IPC_NONE)
        signal(SIGTERM, SIG_DFL);
    else
        sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the master, which stops the workers */
    signal(SIGPIPE, SIG_DFL);
    swirl__signals_unblock_all();

    if (p->on_worker_start)
        p->on_worker_start(p, id, p->user);
    if (p->ipc != SWIRL_IPC_NONE) {
        sigaction(SIGTERM, &sa, NULL);
        size_t cap = p->ipc == SWIRL_IPC_UNIXSOCK ? POOL_PIPE_MAX_MSG : p->msg_max;
        bus_part parts[BUS_SENDERS];
        memset(parts, 0, sizeof parts);
        long *msg = swirl_malloc(sizeof(long) + cap);
        if (!msg) {
            swirl_log_error("pool: worker %d: no memory for a %zu-byte message buffer", id, cap);
            _exit(1);
        }
        while (!pool_worker_stop && !p->detached) {
            ssize_t n;
            if (p->ipc == SWIRL_IPC_SOCKET) {
                n = socket_take(p, id, (char *)(msg + 1), cap);
                if (n == -EAGAIN)
                    continue;
                if (n < 0)
                    break;
                p->on_message(p, id, msg + 1, (size_t)n, p->user);
                socket_answer(p);
                continue;
            }
            if (p->ipc == SWIRL_IPC_UNIXSOCK) {
                /* the shared queue, or this worker's own pipe */
                struct pollfd pf[2] = {{.fd = p->sock[1], .events = POLLIN},
                                       {.fd = p->pipes[id][1], .events = POLLIN}};
                if (poll(pf, 2, -1) < 0) {
                    if (errno == EINTR)
                        continue;
                    swirl_log_error("pool: worker %d: poll: %s", id, strerror(errno));
                    break;
                }
                int fd = pf[1].revents ? p->pipes[id][1] : p->sock[1];
                n = recv(fd, msg + 1, cap, MSG_DONTWAIT);
                if (n < 0 && errno == EAGAIN)
                    continue; /* another worker took it */
                if (n >= 0 && p->message_bus && fd == p->pipes[id][1]) {
                    uint32_t whole_len;
                    char *whole = bus_take(parts, (const char *)(msg + 1), (size_t)n, &whole_len);
                    if (whole) {
                        p->on_message(p, id, whole, whole_len, p->user);
                        swirl_free(whole);
                    }
                    continue;
                }
            } else
                n = msgrcv(p->msgq, msg, cap, 0, MSG_NOERROR);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EIDRM || errno == EINVAL) /* the queue was removed */
                    break;
                swirl_log_error("pool: worker %d: receive: %s", id, strerror(errno));
                break;
            }
            if (n == 0 && p->ipc == SWIRL_IPC_UNIXSOCK)
                break; /* unreachable while the master holds the pair, but be safe */
            p->on_message(p, id, msg + 1, (size_t)n, p->user);
        }
        swirl_free(msg);
        for (int i = 0; i < BUS_SENDERS; i++)
            swirl_free(parts[i].buf);
        if (pool_worker_stop) /* asked to stop: its master replaces it at once */
            __atomic_store_n(&p->pids[p->worker_num + id], 1, __ATOMIC_RELEASE);
    }
    if (p->on_worker_stop)
        p->on_worker_stop(p, id, p->user);
    fflush(NULL);
    _exit(0);
}

/* ---- the master ---------------------------------------------------------------------------- */

static pid_t spawn(void *owner, int id) {
    swirl_process_pool_t *p = owner;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        swirl__child_init(p->master_pid, SIGKILL);
        swirl__loops_forget_inherited();
        worker_run(p, id);
    }
    if (pid < 0) {
        int rc = swirl__neg_errno();
        swirl_log_error("pool: fork of worker %d: %s", id, strerror(-rc));
        return rc;
    }
    __atomic_store_n(&p->pids[id], pid, __ATOMIC_RELEASE);
    return pid;
}

/* Any end comes back through the supervisor: soon after the start, it is
 * backed off (the pool counts no work, so a clean exit served nothing),
 * except an end by SIGTERM: someone asked that worker to stop, and it is
 * replaced at once and quietly (as Swoole). */
static int ended(void *owner, const swirl__child_end_t *e) {
    swirl_process_pool_t *p = owner;
    if (e->signo == SIGTERM ||
        (e->code == 0 && __atomic_load_n(&p->pids[p->worker_num + e->id], __ATOMIC_ACQUIRE)))
        return SWIRL__CHILD_EXPECTED; /* asked to stop (Process::kill($pid)): replaced at once */
    if (e->signo)
        swirl_log_warning("pool: worker %d (pid %ld) killed by signal %d", e->id, (long)e->pid,
                          e->signo);
    else if (e->code != 0)
        swirl_log_warning("pool: worker %d (pid %ld) exited with %d", e->id, (long)e->pid, e->code);
    return e->signo || e->code ? SWIRL__CHILD_FAILED : SWIRL__CHILD_CLEAN;
}

static const swirl__supervisor_ops_t pool_ops = {.spawn = spawn, .ended = ended};

static void reap(swirl_process_pool_t *p) {
    swirl__supervisor_reap(&p->sup);
    if (swirl__supervisor_stopping(&p->sup) && swirl__supervisor_alive(&p->sup) == 0)
        swirl_loop_stop(p->loop);
}

static void on_stop_tick(swirl_loop_t *loop, int64_t tid, void *user) {
    swirl_process_pool_t *p = user;
    bool late = (int64_t)(swirl_clock_ms() - p->stop_began_ms) >= p->kill_ms;
    for (int i = 0; i < p->worker_num; i++) {
        pid_t pid = swirl__supervisor_pid(&p->sup, i);
        if (pid > 0) {
            if (late)
                swirl_log_warning("pool: worker %d (pid %ld) did not stop in %lld ms: killed", i,
                                  (long)pid, (long long)p->kill_ms);
            kill(pid, late ? SIGKILL : SIGTERM);
        }
    }
}

/* A worker detached: it goes on alone, a new one takes its id. */
static void on_ctl(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_process_pool_t *p = user;
    int32_t msg[2];
    ssize_t n;
    while ((n = recv(fd, msg, sizeof msg, MSG_DONTWAIT)) == (ssize_t)sizeof msg ||
           (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        if (msg[0] >= 0 && msg[0] < p->worker_num && swirl__supervisor_pid(&p->sup, msg[0]) == msg[1])
            swirl__supervisor_detach(&p->sup, msg[0]);
    }
}

static void on_signal(swirl_loop_t *loop, int signo, void *user) {
    swirl_process_pool_t *p = user;
    if (signo == SIGCHLD) {
        reap(p);
        return;
    }
    swirl_process_pool_shutdown(p);
}

/* Messages nobody took: said in the log, so that none is lost silently. */
static void count_left(swirl_process_pool_t *p) {
    size_t left = 0;
    if (p->ipc == SWIRL_IPC_MSGQUEUE) {
        swirl__msgq_stat(p->msgq, &left, NULL);
        if (left && p->key != 0) {
            swirl_log_info("pool: %zu messages stay in message queue key %ld for the next run",
                           left, (long)p->key);
            return;
        }
    } else if (p->ipc == SWIRL_IPC_UNIXSOCK) {
        char c;
        while (recv(p->sock[1], &c, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
            left++;
    }
    if (left)
        swirl_log_warning("pool: %zu messages were still queued at shutdown and were not handled",
                          left);
}

int swirl_process_pool_start(swirl_process_pool_t *p) {
    if (p->started)
        return swirl__error(SWIRL_ESTATE, "pool: already running");
    if (p->worker_id >= 0)
        return swirl__error(SWIRL_ESTATE, "pool: start from one of its workers");
    if (p->ipc != SWIRL_IPC_NONE && !p->on_message)
        return swirl__error(SWIRL_EBADARG, "pool: a pool with a queue needs on_message");
    if (p->ipc == SWIRL_IPC_NONE && !p->on_worker_start)
        return swirl__error(SWIRL_EBADARG, "pool: a pool without a queue needs on_worker_start");
    if (p->ipc == SWIRL_IPC_SOCKET && p->listen_fd < 0)
        return swirl__error(SWIRL_ESTATE, "pool: a SWIRL_IPC_SOCKET pool must listen first");
    int rc = swirl_loop_new(&p->loop);
    if (rc < 0)
        return rc;
    swirl__supervisor_destroy(&p->sup); /* a previous run's */
    memset(&p->sup, 0, sizeof(p->sup));
    if ((rc = swirl__supervisor_init(&p->sup, p->loop, p->worker_num, &pool_ops, p)) < 0) {
        swirl_loop_free(p->loop);
        p->loop = NULL;
        return rc;
    }
    p->started = true;
    p->master_pid = getpid();
    /* watched before the first fork, so no early death is missed */
    const int sigs[] = {SIGCHLD, SIGTERM, SIGINT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        rc = swirl_signal_add(p->loop, sigs[i], on_signal, p);
        if (rc < 0) {
            swirl_loop_free(p->loop);
            p->loop = NULL;
            p->started = false;
            return rc;
        }
    }
    rc = swirl_loop_add(p->loop, p->ctl[0], SWIRL_EV_READ, on_ctl, NULL, p);
    if (rc < 0) {
        swirl_loop_free(p->loop);
        p->loop = NULL;
        p->started = false;
        return rc;
    }
    if (p->on_starting)
        p->on_starting(p, p->user);
    for (int id = 0; id < p->worker_num && !swirl__supervisor_stopping(&p->sup); id++)
        swirl__supervisor_start(&p->sup, id);
    if (p->on_start)
        p->on_start(p, p->user);
    p->stop_timer = 0;
    while (!(swirl__supervisor_stopping(&p->sup) && swirl__supervisor_alive(&p->sup) == 0)) {
        if (swirl__supervisor_stopping(&p->sup) && !p->stop_timer)
            p->stop_timer = swirl_timer_tick(p->loop, STOP_RESEND_MS, on_stop_tick, p);
        rc = swirl_loop_run_once(p->loop, -1);
        if (rc < 0)
            break;
    }
    count_left(p);
    if (p->on_stopped)
        p->on_stopped(p, p->user);
    swirl_loop_free(p->loop); /* unblocks SIGCHLD, SIGTERM, SIGINT again */
    p->loop = NULL;
    p->started = false; /* it may be started again */
    return rc < 0 ? rc : 0;
}
