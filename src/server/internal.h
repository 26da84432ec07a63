/* src/server/internal.h — the server's private state, shared by the files of
 * src/server; never installed.
 *
 * Process picture: PROCESS mode has a master (reactor threads own the
 * connections), a manager (forks and respawns workers) and workers; BASE
 * mode has workers that own their connections, plus a manager when there
 * is more than one. Connections are described in a table in shared memory
 * so any worker can ask about any connection. */
#ifndef SWIRL_SERVER_INTERNAL_H
#define SWIRL_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <swirl/core.h>
#include <swirl/protocol.h>
#include <swirl/server.h>

#include "../net/tls.h"
#include "settings.h"

#define SWIRL__MAX_REACTORS 64
#define SWIRL__MAX_WORKERS 1024
#define SWIRL__MAX_PROCESSES 64 /* user processes (swirl_server_add_process) */
/* Largest packet on a reactor<->worker socket (SOCK_SEQPACKET), and the
 * most fds one packet carries. */
#define SWIRL__PACKET_MAX (64 * 1024)
#define SWIRL__PACKET_FDS 16

struct swirl_port {
    swirl_server_t *srv;
    int index;
    char host[256];
    int port;
    swirl_sock_type_t type;
    swirl__port_settings_t own; /* keys set on the port itself (own.set_mask) */
    swirl__port_settings_t eff; /* at start: the server's values overlaid with own */
    int fd;                     /* listening (or datagram) socket, after bind */
    int bound_port;
    swirl_framing_t framing; /* built from the effective settings at start */
    /* package_length_func set on the port itself (swirl_port_set_length_fn) */
    bool length_fn_set;
    swirl_framing_length_fn length_fn;
    void *length_user;
    int effective_backlog;
    bool nodelay;
    /* TLS (created with SWIRL_SOCK_SSL): the context new connections use,
     * swapped by a reload; the one before stays alive one more reload, as
     * a reactor thread may be between reading the pointer and SSL_new */
    bool ssl;
    SSL_CTX *_Atomic tls_ctx;
    SSL_CTX *tls_ctx_old;
    /* swirl_port_on: CONNECT, RECEIVE, CLOSE, PACKET (other slots unused) */
    struct {
        swirl_server_cb cb;
        void *user;
    } on[SWIRL_ON__COUNT];
};

/* One connection, in shared memory. The owner (reactor thread or BASE
 * worker) writes it; anyone reads. `session` is 0 for a free slot. */
/* The slots of swirl__conn_t's per-protocol area. Slot
 * SWIRL__CONN_PROTO_STATUS is the protocol's status, which connection_info
 * reports as websocket_status: 0 none, 1 known to the protocol but holding
 * no state of it in this process, above 1 state held in this process (the
 * connection never moves to another one). The others mean what the layer
 * that sets them says. */
enum { SWIRL__CONN_PROTO_STATUS = 0, SWIRL__CONN_PROTO_SLOTS = 2 };

typedef struct swirl__conn {
    _Atomic int64_t session;
    int fd;
    int owner; /* reactor id (PROCESS) or worker id (BASE) */
    int port_index;
    _Atomic uint32_t uid;
    swirl_addr_t peer;
    double connect_time;
    _Atomic int64_t last_ms;     /* CLOCK_MONOTONIC ms of the last data received (loop time) */
    _Atomic int64_t out_pending; /* bytes buffered for the peer */
    /* The owner holds socket_buffer_size or more for the peer (Swoole's
     * conn->overflow): a PROCESS worker's sends fail until it drains. */
    _Atomic int overflow;
    /* PROCESS: received bytes handed to workers and not yet processed; the
     * reactor stops reading while these plus the output exceed half of
     * socket_buffer_size, and a worker that brings them back under a
     * quarter while `throttled` is set tells the reactor (MSG_CREDIT). */
    _Atomic int64_t in_flight;
    _Atomic int throttled;
    /* A small area the protocol layer above (src/websocket/) names and
     * owns, zeroed at accept; see SWIRL__CONN_PROTO_STATUS. */
    _Atomic int proto[SWIRL__CONN_PROTO_SLOTS];
} swirl__conn_t;

/* Counters in shared memory. */
typedef struct swirl__shared {
    double start_time;
    _Atomic int64_t connection_num;
    _Atomic int64_t session_round; /* the last session id given */
    _Atomic int64_t accept_count;
    _Atomic int64_t close_count;
    _Atomic int64_t rejected_count;
    _Atomic int64_t tls_failed_count; /* TLS handshakes that failed or timed out */
    _Atomic int64_t request_count;
    _Atomic int64_t dispatch_count;
    _Atomic int shutdown; /* set once: everyone stops */
    _Atomic pid_t manager_pid;
    _Atomic int64_t task_rejected; /* task() refused: queue full */
    _Atomic int task_no_idle;      /* a task found no idle task worker (the manager warns) */
    struct {
        _Atomic pid_t pid;
        _Atomic int busy; /* inside a callback (dispatch_mode 3) */
        _Atomic int64_t requests;
        _Atomic int64_t tasks_queued; /* task workers: sent to it and not yet done */
        _Atomic int64_t task_bytes;   /* their data */
        _Atomic int sigterm;          /* this copy is stopping on a SIGTERM (set by itself) */
        _Atomic int exiting;          /* this copy is stopping (workerExit ran); 0 once restarted */
    } workers[SWIRL__MAX_WORKERS];    /* workers, then task workers */
    _Atomic pid_t proc_pids[SWIRL__MAX_PROCESSES]; /* user processes (the manager sets them) */
} swirl__shared_t;

/* Messages between reactor threads and workers, packed into packets:
 * [hdr][payload] ... A message larger than a packet travels as consecutive
 * chunks (BEGIN on the first, END on the last); nothing interleaves them on
 * one socket because each socket has one writer thread. */
enum {
    SWIRL__MSG_CONNECT = 1, /* r->w */
    SWIRL__MSG_DATA,        /* r->w: payload = received message */
    SWIRL__MSG_CLOSE,       /* r->w: connection closed; w->r: close it (flags: RESET) */
    SWIRL__MSG_PACKET,      /* r->w: payload = swirl_addr_t + datagram; aux = port index */
    SWIRL__MSG_SEND,        /* w->r: payload = bytes for the peer */
    SWIRL__MSG_PAUSE,       /* w->r */
    SWIRL__MSG_RESUME,      /* w->r */
    SWIRL__MSG_PIPE,        /* w->r->w: aux = destination, reactor forwards; session = source */
    SWIRL__MSG_BUFFER_FULL, /* r->w */
    SWIRL__MSG_BUFFER_EMPTY,
    SWIRL__MSG_SENDFILE, /* w->r (w->w in BASE): the open file (F_FD); payload = int64
                          * offset, int64 length, the path (for messages only) */
    SWIRL__MSG_CREDIT,   /* w->r: the connection's in_flight fell: read it again */
    SWIRL__MSG_TASK,     /* w->task worker: session = task id, reactor_id = sender,
                          * payload = data, or a temp file's path (F_TMPFILE) */
    SWIRL__MSG_FINISH,   /* task worker->w (mailbox): session = task id, payload as TASK */
    SWIRL__MSG_HANDOFF,  /* BASE w->its successor: a connection, its fd in SCM_RIGHTS; aux =
                          * port index, payload = swirl__handoff_t + the bytes read and
                          * not yet handled */
    SWIRL__MSG_EOF,      /* r->w: the peer finished sending (srv->peer_eof is set); the
                          * worker closes the connection when its replies are out */
    SWIRL__MSG_COMMAND,  /* caller->worker, task worker, manager: session = request id,
                          * aux = command id; the reply on srv->cmd_reply: session as
                          * asked, aux = SWIRL__CMD_* status */
};

/* What travels with a connection handed to the next worker. */
typedef struct swirl__handoff {
    swirl_addr_t peer;
    double connect_time;
} swirl__handoff_t;
/* RESET: close with RST; EMIT: run the close callback (only the
 * connection's worker does); ACK: a worker acknowledges a close notice. */
enum {
    SWIRL__F_BEGIN = 1,
    SWIRL__F_END = 2,
    SWIRL__F_RESET = 4,
    SWIRL__F_EMIT = 8,
    SWIRL__F_ACK = 16,
    SWIRL__F_TMPFILE = 32, /* TASK/FINISH: the payload is the path of a temp file */
    SWIRL__F_WAIT = 64,    /* TASK/FINISH: sent by taskwait: the result is not an onFinish */
    SWIRL__F_FD = 128      /* the message carries an fd (SCM_RIGHTS, in its packet's order) */
};

typedef struct swirl__msg {
    uint32_t len; /* payload bytes in this chunk */
    uint8_t type;
    uint8_t flags;
    uint16_t aux; /* port index, destination worker, ... */
    int32_t reactor_id;
    int64_t session;
} swirl__msg_t;

/* An outgoing queue of packets for one socket (one writer thread). */
typedef struct swirl__outq {
    swirl_buf_t buf; /* [u32 packet length][packet] ... */
    size_t open_at;  /* offset of the open packet's length word, or SIZE_MAX */
    int *fds;        /* fds the queued packets carry, in order (owned until sent) */
    size_t nfds, fds_cap;
    bool flush_queued;
    bool want_write;
} swirl__outq_t;

void swirl__outq_init(swirl__outq_t *q);
/* Drop what is queued (closing the fds it carries) / and free it. */
void swirl__outq_clear(swirl__outq_t *q);
void swirl__outq_destroy(swirl__outq_t *q);
/* Append one message (split into chunks if needed). 0 or -ENOMEM. */
int swirl__outq_put(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                    const void *b, size_t blen);
/* Append one message (one chunk) carrying the open file `fd` (F_FD), which
 * the queue takes: closed once sent, or here on failure. 0 or < 0. */
int swirl__outq_put_fd(swirl__outq_t *q, const swirl__msg_t *hdr, const void *a, size_t alen,
                       const void *b, size_t blen, int fd);
/* Send whole packets until empty or the socket is full. 0 when empty,
 * -EAGAIN when bytes remain, or the error. */
int swirl__outq_flush(swirl__outq_t *q, int fd);
/* Receive one packet (up to SWIRL__PACKET_MAX bytes into pkt) and the fds
 * it carries, close-on-exec, into fds[SWIRL__PACKET_FDS]: as recv(2). */
ssize_t swirl__chan_recv(int fd, char *pkt, int *fds, int *nfds);
/* The fd message `h` carries (F_FD), the next of the packet's; -1 if none
 * (its sender's packet lost it). The caller owns it. */
int swirl__chan_take_fd(const swirl__msg_t *h, const int *fds, int nfds, int *next);
/* Close the packet's fds no message took. */
void swirl__chan_close_rest(const int *fds, int nfds, int next);

/* A file queued on a connection, sent with sendfile(2) in order with the
 * bytes around it. */
typedef struct swirl__file {
    struct swirl__file *next;
    int fd;
    off_t offset;
    size_t left;
    size_t head_len, head_off; /* bytes sent before the file (after the struct) */
} swirl__file_t;

/* Per-connection local state of the owner (not shared): input buffer,
 * queued files and the bytes sent after them. */
typedef struct swirl__local {
    swirl__file_t *files; /* head: being sent */
    swirl_buf_t after;    /* bytes queued behind the files */
    swirl_buf_t in;
    size_t scan_from;
    bool paused;
    bool throttled;   /* output + in-flight input over the high mark: not reading */
    bool closing;     /* asked to close: no more sends; close after output drains */
    bool peer_eof;    /* the peer finished sending: no more reads; replies still go out */
    bool full;        /* bufferFull reported; report bufferEmpty on drain */
    bool in_deliver;  /* the owner's callback is using this connection's input */
    bool tearing;     /* its close event is running */
    bool notified;    /* the owner was told it closed */
    bool broken;      /* a write failed: torn down once the current callback returns */
    uint64_t out_ms;  /* loop ms of the last output progress (or of the first byte owed) */
    int acks_pending; /* PROCESS: workers yet to acknowledge the close */
    int64_t ack_timer;
    int full_worker;
    /* TLS */
    SSL *ssl;
    bool handshaking;
    bool reread;     /* decrypted bytes wait inside OpenSSL: a read is scheduled */
    uint8_t hs_want; /* SWIRL_EV_* the handshake waits for */
    int64_t hs_timer;
} swirl__local_t;

typedef struct swirl__io swirl__io_t;

/* What an owner of connections does with events (PROCESS: hand to a
 * worker; BASE: run the user's callback). */
typedef struct swirl__io_ops {
    void (*on_connect)(swirl__io_t *io, swirl__conn_t *c);
    void (*on_data)(swirl__io_t *io, swirl__conn_t *c, const char *data, size_t len);
    /* The connection is closing. Returns how many acknowledgements to wait
     * for (swirl__io_ack) before its slot may be freed: replies already on
     * their way are written first. 0: free now. */
    int (*on_close)(swirl__io_t *io, swirl__conn_t *c);
    void (*on_packet)(swirl__io_t *io, swirl_port_t *port, const swirl_addr_t *from,
                      const char *data, size_t len);
    void (*on_buffer)(swirl__io_t *io, swirl__conn_t *c, bool full);
    /* The peer finished sending (EOF). Returns true when the owner keeps
     * the connection for the replies still to come and closes it itself
     * (swirl__io_close); false: it closes now, as on_close says. */
    bool (*on_eof)(swirl__io_t *io, swirl__conn_t *c);
} swirl__io_ops_t;

/* The connections owned by one thread (reactor) or process (BASE worker). */
struct swirl__io {
    swirl_server_t *srv;
    swirl_loop_t *loop;
    int owner;
    const swirl__io_ops_t *ops;
    swirl__local_t *local; /* indexed by fd */
    int local_cap;
    int reserve_fd;
    int64_t heartbeat_timer;
    int64_t timeout_timer;
    char *rbuf;     /* read buffer */
    void *user;     /* the reactor or worker */
    void *bindings; /* one per listener: what its callbacks get */
    bool draining;  /* stopping: no accepts, no reads; replies still go out */
};

int swirl__io_init(swirl__io_t *io, swirl_server_t *srv, swirl_loop_t *loop, int owner,
                   const swirl__io_ops_t *ops, void *user);
/* Register the listeners (stream: accept, datagram: read). */
int swirl__io_listen(swirl__io_t *io);
void swirl__io_destroy(swirl__io_t *io);
/* Stopping, first step: accept nothing more and read no connection (nor
 * datagram socket) again; what is owed to peers is still written. */
void swirl__io_quiesce(swirl__io_t *io);
/* Close every connection once its output is written (the owner is told). */
void swirl__io_close_all(swirl__io_t *io);
/* Stopping for a reload (BASE): accept nothing more, read on, and hand
 * each connection at a message boundary (nothing owed, no request in hand)
 * to the successor over `sock` with SCM_RIGHTS, with the bytes read and
 * not yet handled; close those that cannot move (TLS, WebSocket) once
 * their output is written. Called again until none is left. */
void swirl__io_handoff(swirl__io_t *io, int sock);
/* Take the connections handed over on `sock` (the predecessor's): each as
 * if accepted now, then its bytes as if read now. */
void swirl__io_take_handoffs(swirl__io_t *io, int sock);
/* Connections this owner holds. */
int swirl__io_count(swirl__io_t *io);
int swirl__io_send(swirl__io_t *io, int64_t session, const void *data, size_t len);
/* As swirl__io_send, past socket_buffer_size if need be (a worker's send
 * the reactor has read; `overflow` is set then, and the worker sends no
 * more until it drains). */
int swirl__io_send_over(swirl__io_t *io, int64_t session, const void *data, size_t len);
/* As swirl__io_send, but a send that does not fit waits in place for room
 * until `deadline_ms` (swirl_clock_ms; UINT64_MAX: none): conn_calls.c. */
int swirl__io_send_wait(swirl__io_t *io, int64_t session, const void *data, size_t len,
                        uint64_t deadline_ms);
int swirl__io_close(swirl__io_t *io, int64_t session, bool reset);
int swirl__io_pause(swirl__io_t *io, int64_t session, bool pause);
/* Open the file at `path` to send it: read-only, close-on-exec, without
 * blocking on a FIFO or device (refused: only a regular file is sent);
 * the fd with *st filled, or < 0 with the error set. */
int swirl__file_open(const char *path, struct stat *st);
/* A SENDFILE message and the fd it carried (-1 if lost), which it takes:
 * queued on the connection; on failure the connection is closed. */
int swirl__io_sendfile_msg(swirl__io_t *io, const swirl__msg_t *h, const char *p, int file);
/* Queue [offset, offset+length) (length 0: to its end) of an open file,
 * which it takes (closed on every path), on `session`, sent zero-copy after
 * what was sent before it; `size`: its size when the caller knows it is a regular
 * file (else -1: checked here); `path` only names it in errors. `head`
 * (may be NULL): bytes sent just before the file with MSG_MORE, so a
 * short head and the file's first bytes leave in one segment. */
int swirl__io_sendfile_fd(swirl__io_t *io, int64_t session, int file, int64_t size, off_t offset,
                          size_t length, const char *path, const void *head, size_t head_len);
/* swirl_server_sendfile from an open file, which it takes, after `head`:
 * sent from that fd when this worker owns the connection (BASE mode), else
 * the head is sent and the fd handed to the owner (SCM_RIGHTS): no path is
 * opened twice, and the owner reads the file with this worker's rights. */
/* What connection `fd` owes its peer, as far as this process knows
 * (bytes buffered; a file queued is not counted), and a request for a
 * bufferEmpty event on it once everything owed (files included) is out,
 * delivered to the worker its events go to. */
int64_t swirl__server_owed(swirl_server_t *srv, int64_t fd);
int swirl__server_watch_drain(swirl_server_t *srv, int64_t fd);
int swirl__server_sendfile_fd(swirl_server_t *srv, int64_t fd, int file, int64_t size,
                              const char *path, off_t offset, size_t length, const void *head,
                              size_t head_len);
/* Report bufferEmpty for `session` once its output drains (now if it has). */
void swirl__io_watch_drain(swirl__io_t *io, int64_t session);
/* Re-evaluate whether to read a connection (after a worker's MSG_CREDIT). */
void swirl__io_recheck(swirl__io_t *io, int64_t session);
/* One acknowledgement of a close notice (see swirl__io_ops_t.on_close). */
void swirl__io_ack(swirl__io_t *io, int64_t session);

/* Bounded wait for close acknowledgements (a worker may have died). */
#define SWIRL__ACK_WAIT_MS 5000

/* The connection table. */
swirl__conn_t *swirl__conn_get(swirl_server_t *srv, int64_t session); /* NULL if gone */
swirl__conn_t *swirl__conn_slot(swirl_server_t *srv, int owner, int fd);

struct swirl_server {
    int mode;
    swirl_port_t **ports;
    int nports;
    unsigned char tls_ticket_keys[SWIRL__TLS_TICKET_KEYS_LEN]; /* one set for all processes */
    swirl__server_settings_t settings;
    swirl__port_settings_t port_defaults;
    /* package_length_func for ports that set none (swirl_server_set_length_fn) */
    swirl_framing_length_fn length_fn;
    void *length_user;
    struct {
        swirl_server_cb cb;
        void *user;
    } on[SWIRL_ON__COUNT];
    struct {
        swirl_server_process_fn fn;
        void *user;
        swirl_process_t *proc;     /* or a process object (add_process_object) */
    } procs[SWIRL__MAX_PROCESSES]; /* user processes, supervised by the manager */
    int nprocs;
    bool started;
    swirl_loop_t *master_loop; /* the caller's loop for the master (swirl_server_set_master_loop) */
    bool start_in_worker; /* BASE, one worker, no manager: the start event comes from the
                             worker, once its loop exists (timers set in it run there) */

    /* resolved at start */
    int worker_num, reactor_num;
    int64_t max_conn;
    int fd_cap;           /* slots per owner */
    int owners;           /* reactor_num (PROCESS) or worker_num (BASE) */
    swirl__conn_t *conns; /* owners * fd_cap slots, shared */
    /* Session ids are numbered 1, 2, 3... as Swoole's fds are (code written
     * for Swoole prints them and expects the first connection to be 1):
     * sessions[id & (nsessions - 1)] is its slot + 1 (0: free), shared. */
    _Atomic uint32_t *sessions;
    uint32_t nsessions; /* a power of two >= max_conn */
    size_t conns_bytes;
    swirl__shared_t *shared;
    /* PROCESS mode: socket pairs [reactor][worker][0 master end, 1 worker end] */
    int (*pipes)[SWIRL__MAX_WORKERS][2];
    /* every mode: one mailbox per worker, [0] anyone writes, [1] the worker reads */
    int (*mailbox)[2];
    /* BASE with a manager: one per worker, [0] the stopping worker hands its
     * connections in, [1] its successor takes them */
    int (*handoff)[2];
    /* May connection `fd` move to another worker now (BASE reload)? Set by
     * the layer that parses its bytes (src/http/): 1 yes, the bytes it
     * holds unhandled appended to `bytes`; 0 not yet (a request in hand);
     * < 0 never (another protocol now). NULL: each read is a message. */
    int (*handoff_check)(void *user, int64_t fd, swirl_buf_t *bytes);
    void *handoff_user;
    /* Set by the same layer, called in the worker that handles connection
     * `fd`. peer_eof: its peer finished sending (a half-close); true keeps
     * the connection open for the replies to what came before, the layer
     * closing it once they are out (swirl_server_close); false closes it
     * now, as without the hook. flush: a close of `fd` was asked for: send
     * what the layer still holds for it first. */
    bool (*peer_eof)(void *user, int64_t fd);
    void (*flush)(void *user, int64_t fd);
    /* Set by the same layer: the worker begins to stop (before workerExit,
     * which runs only while the user's code holds something). */
    void (*stopping)(void *user);
    void *layer_user;
    /* BASE with enable_reuse_port and a manager: the SO_REUSEPORT socket of
     * each worker but 0 on each TCP port ([worker * nports + port], -1:
     * none, the port's own socket is shared). The master makes and keeps
     * them, so connections the kernel queues on one while its worker is
     * replaced wait for the successor instead of being reset. */
    int *reuse_fds;
    /* one task socket per task worker, [0] workers write, [1] it reads */
    int (*taskbox)[2];
    int task_worker_num;
    /* task_ipc_mode 2, 3: the System V message queue (-1: none) and the
     * text bytes one message holds (the system's msgmax, at most a packet) */
    int task_mq;
    size_t task_mq_max;
    /* the user and group workers switch to (settings user, group), checked at start */
    bool set_uid, set_gid;
    uid_t run_uid;
    gid_t run_gid;
    pid_t master_pid;

    /* this process */
    int role; /* SWIRL__ROLE_* */
    int worker_id;
    swirl_loop_t *loop;
    void *worker; /* swirl__worker_t in a worker */
    int64_t direct_task_seq; /* ids of the tasks sent by this process without a worker loop */
    /* commands (command.c): added before start, inherited by every process */
    struct swirl__command *commands;
    int ncommands;
    int cmd_reply[2];   /* [0] the caller reads replies, [1] handlers write them */
    int cmd_manager[2]; /* [0] the caller writes, [1] the manager reads */
    int64_t cmd_seq;    /* the last request id (the caller's) */
    int sender_id; /* how such a process signs its tasks and messages, as Swoole: 0 in the
                    * master and the manager, worker_num + task_worker_num + k in user process k */
};

/* direct.c: the channel of a process without a worker loop (master,
 * manager, user process; a PROCESS task worker's sends): one whole message,
 * written now (waiting up to send_timeout for room) to socket `fd`. */
int swirl__direct_put(swirl_server_t *srv, int fd, const swirl__msg_t *hdr, const void *a,
                      size_t alen, const void *b, size_t blen);
/* Bytes for connection `c` (session `fd`), in as many messages as they need. */
int swirl__direct_send(swirl_server_t *srv, swirl__conn_t *c, int64_t fd, const void *data,
                       size_t len);
/* A CLOSE, PAUSE or RESUME of connection `c`. */
int swirl__direct_simple(swirl_server_t *srv, swirl__conn_t *c, int64_t fd, int type, int flags);

/* command.c: the sockets of commands (at start, when there are commands;
 * -1 otherwise) and their closing; a COMMAND message received: run the
 * handler here and write the reply; the manager's socket watched in its loop. */
int swirl__command_open(swirl_server_t *srv);
void swirl__command_close(swirl_server_t *srv);
void swirl__command_serve(swirl_server_t *srv, const swirl__msg_t *h, const char *p, size_t len);
int swirl__command_manager_listen(swirl_server_t *srv, swirl_loop_t *loop);
void swirl__command_free(swirl_server_t *srv);

enum { SWIRL__ROLE_MASTER = 1, SWIRL__ROLE_MANAGER, SWIRL__ROLE_WORKER };

/* The effective port-scoped settings of a port (valid from start on). */
const swirl__port_settings_t *swirl__port_settings(const swirl_port_t *port);

/* Call the user's callback for an event, if any: the port's own for a
 * listener's event (swirl_port_on), else the server's. */
static inline void swirl__emit(swirl_server_t *srv, swirl_event_t *ev) {
    /* the listener it came in on: the datagram's socket, or the connection's slot
     * (NULL for other events, or a connection already gone) */
    swirl_port_t *port = NULL;
    if (ev->type == SWIRL_ON_PACKET) {
        for (int i = 0; i < srv->nports && !port; i++)
            if (srv->ports[i]->fd == ev->server_fd)
                port = srv->ports[i];
    } else if (ev->type == SWIRL_ON_CONNECT || ev->type == SWIRL_ON_RECEIVE ||
               ev->type == SWIRL_ON_CLOSE) {
        swirl__conn_t *c = swirl__conn_get(srv, ev->fd);
        port = c ? srv->ports[c->port_index] : NULL;
    }
    ev->port = port;
    if (port && port->on[ev->type].cb)
        port->on[ev->type].cb(srv, ev, port->on[ev->type].user);
    else if (srv->on[ev->type].cb)
        srv->on[ev->type].cb(srv, ev, srv->on[ev->type].user);
}

/* ---- reactor threads (reactor.c) ---- */
typedef struct swirl__reactor swirl__reactor_t;
/* Shutting down, the master moves every reactor through these phases. */
enum {
    SWIRL__PHASE_RUN = 0,
    SWIRL__PHASE_QUIESCE, /* accept and read nothing more; write what workers send */
    SWIRL__PHASE_CLOSE,   /* the workers are gone: close each connection once written, then end */
    SWIRL__PHASE_END,     /* end now */
};
/* Start reactor thread `id` (its loop, its share of the connections); NULL
 * with the error set. */
swirl__reactor_t *swirl__reactor_start(swirl_server_t *srv, int id);
/* Tell each of `n` reactors to move to `phase` (SWIRL__PHASE_*). */
void swirl__reactors_set_phase(swirl__reactor_t **reactors, int n, int phase);
/* Wait for a reactor's thread to end and free it: its error, or 0. */
int swirl__reactor_join(swirl__reactor_t *r);

/* The heartbeat's rule, for its timer and swirl_server_heartbeat: the
 * seconds without traffic after which a connection is idle
 * (heartbeat_idle_time, or 2 x heartbeat_check_interval; 0: no check), and
 * whether slot `c` holds a connection idle since before `cutoff_ms`
 * (CLOCK_MONOTONIC ms). */
/* Flow control of a connection's input (connio.c throttle): it is not read
 * while its backlog is at or above the high mark, and again once it falls
 * to half of it: half of socket_buffer_size, or max_queued_bytes when set
 * (what Swoole calls it). */
static inline int64_t swirl__flow_high(const swirl_server_t *srv) {
    int64_t q = srv->settings.max_queued_bytes, half = srv->settings.socket_buffer_size / 2;
    return q > 0 ? q : half;
}

static inline int64_t swirl__heartbeat_idle(const swirl_server_t *srv) {
    int64_t idle = srv->settings.heartbeat_idle_time;
    return idle > 0 ? idle : 2 * srv->settings.heartbeat_check_interval;
}
static inline bool swirl__conn_idle(swirl__conn_t *c, int64_t cutoff_ms) {
    return atomic_load(&c->session) != 0 && atomic_load(&c->last_ms) < cutoff_ms;
}

/* master / manager / worker entry points */
int swirl__process_mode_run(swirl_server_t *srv); /* master of PROCESS mode */
int swirl__manager_run(
    swirl_server_t *srv); /* fork workers, supervise; returns in the manager only on shutdown */
/* Run worker `worker_id` in this process until it stops; 0 or an error. */
int swirl__worker_run(swirl_server_t *srv, int worker_id);
/* Fork one worker; returns its pid (in the parent). */
pid_t swirl__worker_spawn(swirl_server_t *srv, int worker_id);
/* Set the per-child defaults: die with the parent, default signals. */
void swirl__child_setup(pid_t parent);

/* ---- TLS listeners (tls.c) ---- */
/* Build every SSL listener's context (at start, in the master). 0 or
 * SWIRL_ESETTING naming the file or value. */
int swirl__server_tls_setup(swirl_server_t *srv);
/* Load the certificates again (reload): new connections use the new
 * contexts; a listener whose files fail keeps its old one (logged). */
void swirl__server_tls_reload(swirl_server_t *srv);
/* Free the contexts (at stop, or when start fails). */
void swirl__server_tls_free(swirl_server_t *srv);

#endif
