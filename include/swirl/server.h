/* swirl/server.h — the server: listeners, settings, events and the methods
 * workers call, in BASE and PROCESS modes (Swoole's server model).
 *
 * A connection is named by its session id ("fd" in Swoole's API): a
 * positive 64-bit integer unique for the server's life, never the reuse of
 * a closed connection's number. */
#ifndef SWIRL_SERVER_H
#define SWIRL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/core.h>
#include <swirl/error.h>
#include <swirl/event.h>
#include <swirl/net.h>
#include <swirl/process.h>
#include <swirl/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A server: its listeners, settings, callbacks and processes. */
typedef struct swirl_server swirl_server_t;
/* An extra listening port (swirl_server_listen); owned by its server. */
typedef struct swirl_port swirl_port_t;

/* Modes, with Swoole's values. */
enum { SWIRL_MODE_BASE = 1, SWIRL_MODE_PROCESS = 2 };

/* ---- settings ---------------------------------------------------------------------------- */

/* Values (swirl_value_t) are declared in swirl/core.h. */

/* Where a setting applies. */
enum {
    SWIRL_SETTING_SERVER = 1, /* the whole server (worker_num, ...) */
    SWIRL_SETTING_PORT = 2,   /* per listener; set on the server it is every port's default */
    SWIRL_SETTING_BYTES = 4,  /* beside the scope: a byte count (text may end in K, M or G) */
};

/* The description of one setting, from the one table every face shares. */
typedef struct swirl_setting_info {
    const char *name;
    swirl_value_type_t type;
    int64_t min, max;         /* range for INT (and FLOAT) settings */
    const char *default_text; /* the default, as text ("CPU count" for computed ones) */
    const char *doc;          /* one line */
    unsigned scope;           /* SWIRL_SETTING_* bits */
} swirl_setting_info_t;

/* Every setting, in table order. Static; *count receives the number. */
SWIRL_API const swirl_setting_info_t *swirl_settings_list(size_t *count);
/* The setting called `name`, or NULL. */
SWIRL_API const swirl_setting_info_t *swirl_setting_find(const char *name);

/* Set `key` before start. Values are converted the way a Swoole user
 * expects (an integer given as "4", a bool given as 1 or "on"); anything
 * else is SWIRL_ESETTING with a last-error message naming the key, the
 * expected type or range and the value given, or for an unknown key the
 * nearest known name ("did you mean `worker_num`?"). Nothing changes on
 * error. After start: SWIRL_ESTATE. */
SWIRL_API int swirl_server_set(swirl_server_t *srv, const char *key, swirl_value_t value);
/* The same, parsing `text` as the key's type (for command lines and files). */
SWIRL_API int swirl_server_set_text(swirl_server_t *srv, const char *key, const char *text);
/* A port's own value for a port-scoped key (SWIRL_ESETTING for a
 * server-wide key). */
SWIRL_API int swirl_port_set(swirl_port_t *port, const char *key, swirl_value_t value);

/* Cut the stream with `fn` (Swoole's package_length_func; see
 * swirl_framing_length_fn in swirl/protocol.h), called with `user`, on
 * every stream listener of the server that sets no function of its own
 * (swirl_server_set_length_fn), or on this one (swirl_port_set_length_fn).
 * It takes effect where open_length_check is on and replaces
 * package_length_type/offset/body_offset there; package_max_length still
 * bounds what it returns (a longer length, or a negative one, closes that
 * connection). It may be called again with more bytes while a message is
 * incomplete, so it must answer from the bytes alone. It runs where the
 * connection is read: in a BASE worker, or in PROCESS mode in the master's
 * reactor threads, several at once (it must then be thread-safe). NULL:
 * the length field again (a port: the server's function again). Returns
 * 0, SWIRL_EBADARG, or SWIRL_ESTATE once started. */
SWIRL_API int swirl_server_set_length_fn(swirl_server_t *srv, swirl_framing_length_fn fn,
                                         void *user);
SWIRL_API int swirl_port_set_length_fn(swirl_port_t *port, swirl_framing_length_fn fn, void *user);

/* ---- events ------------------------------------------------------------------------------ */

/* The events a callback can be set for (swirl_server_on names them). */
typedef enum {
    SWIRL_ON_START = 0, /* master: the server is up (listening, workers forked) */
    SWIRL_ON_SHUTDOWN,  /* master: about to exit */
    SWIRL_ON_MANAGER_START,
    SWIRL_ON_MANAGER_STOP,
    SWIRL_ON_WORKER_START, /* worker: worker_id */
    SWIRL_ON_WORKER_STOP,  /* worker: worker_id */
    SWIRL_ON_WORKER_ERROR, /* manager: worker_id, pid, exit_code, signo */
    SWIRL_ON_CONNECT,      /* worker: fd, reactor_id */
    SWIRL_ON_RECEIVE,      /* worker: fd, reactor_id, data/len */
    SWIRL_ON_PACKET,       /* worker: data/len, addr (UDP and Unix datagram) */
    SWIRL_ON_CLOSE,        /* worker: fd, reactor_id */
    SWIRL_ON_PIPE_MESSAGE, /* worker: worker_id (the sender), data/len */
    SWIRL_ON_BUFFER_FULL,  /* worker: fd */
    SWIRL_ON_BUFFER_EMPTY, /* worker: fd */
    SWIRL_ON_WORKER_EXIT,  /* worker: stopping (reload, max_request, shutdown) while its loop
                            * still holds something of the user's (swirl_loop_user_work:
                            * timers, fds); again at each stop check until released: clear
                            * your timers here. Not run when nothing is held (Swoole's rule) */
    SWIRL_ON_TASK,         /* task worker: task_id, worker_id (the sender), data/len; call
                            * swirl_server_finish to send a result */
    SWIRL_ON_FINISH,       /* the worker that sent the task: task_id, data/len (the result) */
    /* manager: a reload (all workers or the task workers) begins */
    SWIRL_ON_BEFORE_RELOAD,
    /* manager: the last worker of the reload has exited (its successor may still start) */
    SWIRL_ON_AFTER_RELOAD,
    /* master (the manager in BASE mode): shutdown begins, the workers still run */
    SWIRL_ON_BEFORE_SHUTDOWN,
    SWIRL_ON__COUNT
} swirl_event_type_t;

/* What an event carries; fields that do not apply are 0/NULL. Valid only
 * during the callback. */
typedef struct swirl_event {
    swirl_event_type_t type;
    int64_t fd;     /* session id */
    int reactor_id; /* reactor thread (PROCESS) or worker (BASE) that owns the connection */
    int worker_id;  /* this worker, or the sender for PIPE_MESSAGE */
    const char *data;
    size_t len;
    const swirl_addr_t *addr; /* PACKET: the peer */
    int server_fd;            /* PACKET: the socket it came in on (for swirl_server_sendto) */
    pid_t pid;                /* WORKER_ERROR */
    int exit_code, signo;     /* WORKER_ERROR */
    int64_t task_id;          /* TASK, FINISH */
    int task_flags;           /* TASK: SWIRL_TASK_* */
    /* CONNECT, RECEIVE, CLOSE, PACKET: the listener the connection (or
     * datagram) came in on (NULL once the connection is gone) */
    const swirl_port_t *port;
} swirl_event_t;

/* How a task was sent (swirl_event_t.task_flags). */
enum {
    SWIRL_TASK_WAITED = 1,  /* by taskwait / taskwait_multi: the sender blocks for the result */
    SWIRL_TASK_NOREPLY = 2, /* by the master, the manager or a user process: finish is refused */
    SWIRL_TASK_TMPFILE = 4  /* its data came through a temp file (larger than a message) */
};

/* A callback: the event (its fields as the event type says) and the
 * `user` pointer given to swirl_server_on. */
typedef void (*swirl_server_cb)(swirl_server_t *srv, const swirl_event_t *ev, void *user);

/* ---- lifecycle --------------------------------------------------------------------------- */

/* Create a server listening on host:port (port 0: a free one, readable
 * after start with swirl_server_port) in `mode` with `sock_type`. Nothing
 * is opened until start. Returns 0 and *out, or SWIRL_EBADARG /
 * SWIRL_EBADADDR / SWIRL_EBADPORT with a message naming the bad argument. */
SWIRL_API int swirl_server_new(swirl_server_t **out, const char *host, int port, int mode,
                               swirl_sock_type_t sock_type);
/* Free a server that is not running (or has returned from start). */
SWIRL_API void swirl_server_free(swirl_server_t *srv);

/* Another listener with its own port-scoped settings. *out (may be NULL)
 * receives the port, owned by the server. */
SWIRL_API int swirl_server_listen(swirl_server_t *srv, const char *host, int port,
                                  swirl_sock_type_t sock_type, swirl_port_t **out);

/* A port's listening (or datagram) socket and the port it is bound to, once
 * the server has started (in its children too); -1 and the port given
 * before. A connection's swirl_conn_info_t.server_fd (and a packet event's
 * server_fd) names its port. */
SWIRL_API int swirl_port_fd(const swirl_port_t *port);
SWIRL_API int swirl_port_bound_port(const swirl_port_t *port);

/* The name of event `type` as Swoole spells it, without "on" ("receive",
 * "workerStart"), or NULL for a type outside the enum. */
SWIRL_API const char *swirl_server_event_name(swirl_event_type_t type);
/* The event called `name` (case-insensitive, with or without "on":
 * "receive", "onReceive", "WorkerStart"), or SWIRL_EBADARG naming it. */
SWIRL_API int swirl_server_event_type(const char *name);

/* Register `cb` for the event called `name` (as swirl_server_event_type
 * reads it). Returns 0 or SWIRL_EBADARG naming the unknown event. */
SWIRL_API int swirl_server_on(swirl_server_t *srv, const char *name, swirl_server_cb cb,
                              void *user);
SWIRL_API int swirl_server_on_event(swirl_server_t *srv, swirl_event_type_t type,
                                    swirl_server_cb cb, void *user);
/* Register `cb` for the connect, receive, close or packet event (named as
 * swirl_server_on reads it) of this listener's connections (datagrams):
 * it replaces the server's callback for them (NULL: the server's again).
 * A protocol layer's server (http, websocket) takes these events for
 * itself: its callbacks read ev->port instead. Returns 0, SWIRL_EBADARG
 * naming another event, or SWIRL_ESTATE once started. */
SWIRL_API int swirl_port_on(swirl_port_t *port, const char *name, swirl_server_cb cb, void *user);

/* A user process (Swoole's addProcess): after start, the manager forks a
 * process that runs fn(srv, process_id, user) and starts it again whenever
 * it exits (after a growing delay if it keeps exiting within a second). It
 * dies with the manager and gets SIGTERM at shutdown (default action:
 * exit; a process that handles SIGTERM itself is killed max_wait_time + 1 s
 * later). Not restarted by reloads. Before start; returns the process id
 * (0, 1, ...) or SWIRL_EBADARG / SWIRL_ESTATE. */
typedef void (*swirl_server_process_fn)(swirl_server_t *srv, int process_id, void *user);
SWIRL_API int swirl_server_add_process(swirl_server_t *srv, swirl_server_process_fn fn, void *user);

/* The same with a process object (Swoole's addProcess(Swoole\Process)):
 * the manager runs the object's function as its child side, with stdio
 * redirected if the object asks for it, and restarts it the same way. Both
 * ends of the object's pipe stay open in every process of the server, so
 * workers write to the user process with swirl_process_write(proc, ...)
 * (blocking unless watched in the worker's loop) and it reads them with
 * swirl_process_read; the same pipe serves every restart. The object must
 * not be started, not be added twice, and must outlive the server. Returns
 * the process id or SWIRL_EBADARG / SWIRL_ESTATE. */
SWIRL_API int swirl_server_add_process_object(swirl_server_t *srv, swirl_process_t *proc);

/* Bind, fork, serve; blocks in the master until shutdown, then returns 0
 * (in every forked child it never returns: children _exit). Fails before
 * starting anything on a missing callback (receive for stream servers,
 * packet for datagram ones), a port in use or a bad address, with a message
 * naming it. */
SWIRL_API int swirl_server_start(swirl_server_t *srv);

/* Stop the server (from any of its processes): workers finish their current
 * callback, everything exits, start returns. */
SWIRL_API int swirl_server_shutdown(swirl_server_t *srv);

/* Replace every worker, one at a time (as SIGUSR1 to the master does): each
 * finishes its work first (up to max_wait_time), runs workerExit and
 * workerStop, and its successor starts. In PROCESS mode no connection is
 * dropped and no request lost. `task_workers_only` is SIGUSR2's reload.
 * From any process of the server. SWIRL_ESTATE if there is no manager (a
 * BASE server with one worker). */
SWIRL_API int swirl_server_reload(swirl_server_t *srv, bool task_workers_only);

/* Stop worker `worker_id` gracefully; the manager starts a new one. */
SWIRL_API int swirl_server_stop_worker(swirl_server_t *srv, int worker_id);

/* The port actually bound by the first listener (after start; in children too). */
SWIRL_API int swirl_server_port(const swirl_server_t *srv);

/* ---- in a worker ------------------------------------------------------------------------- */

/* This process's event loop (timers in a worker belong to that worker). */
SWIRL_API swirl_loop_t *swirl_server_loop(swirl_server_t *srv);
/* Before start: the master of a PROCESS server runs `loop` (the caller's;
 * NULL: one of its own) instead of making one, so timers and events
 * already in it run in the master (Swoole's timers made before start).
 * The server adds only its signal handlers to it and removes them at the
 * end; the loop is not freed. Ignored in BASE mode. 0, or SWIRL_ESTATE
 * once started. */
SWIRL_API int swirl_server_set_master_loop(swirl_server_t *srv, swirl_loop_t *loop);
/* This worker's id (0..worker_num-1), or -1 outside workers. */
SWIRL_API int swirl_server_worker_id(const swirl_server_t *srv);
/* The master's pid, and the manager's (0 before the server started, or
 * when there is none). */
SWIRL_API pid_t swirl_server_master_pid(const swirl_server_t *srv);
SWIRL_API pid_t swirl_server_manager_pid(const swirl_server_t *srv);
/* The pid of worker `id` of a running server: workers, then task workers,
 * then user processes (worker_num + task_worker_num + k); 0 if it is not
 * running or `id` is out of range. */
SWIRL_API pid_t swirl_server_worker_pid(const swirl_server_t *srv, int id);

/* Send `len` bytes to connection `fd`. Returns 0; SWIRL_ECLOSED if the
 * connection is gone; SWIRL_EBUFFULL (and a bufferFull event) if its output
 * buffer would pass socket_buffer_size; SWIRL_ETOOBIG past
 * buffer_output_size. */
SWIRL_API int swirl_server_send(swirl_server_t *srv, int64_t fd, const void *data, size_t len);
/* Send a file's bytes [offset, offset+length) (length 0: to the end). */
SWIRL_API int swirl_server_sendfile(swirl_server_t *srv, int64_t fd, const char *path, off_t offset,
                                    size_t length);
/* Send a datagram from the server's datagram socket `server_fd` (from the
 * PACKET event; -1 picks the first datagram listener of the address family).
 * Any other fd is SWIRL_EBADARG: the bytes never leave through it. */
SWIRL_API int swirl_server_sendto(swirl_server_t *srv, const swirl_addr_t *to, const void *data,
                                  size_t len, int server_fd);
/* Close a connection once what was sent to it is written (reset: at once,
 * with RST). The close event follows; as after a client's close, the
 * connection is still known there (swirl_server_connection_info) and its
 * socket is closed once the close callback has run, in both modes. */
SWIRL_API int swirl_server_close(swirl_server_t *srv, int64_t fd, bool reset);
/* True if connection `fd` is open. */
SWIRL_API bool swirl_server_exist(swirl_server_t *srv, int64_t fd);
/* Stop / restart reading from a connection (flow control). */
SWIRL_API int swirl_server_pause(swirl_server_t *srv, int64_t fd);
SWIRL_API int swirl_server_resume(swirl_server_t *srv, int64_t fd);
/* Bind connection `fd` to `uid` (dispatch_mode 5 routes by it). */
SWIRL_API int swirl_server_bind(swirl_server_t *srv, int64_t fd, uint32_t uid);

/* What swirl_server_connection_info reports about a connection. */
typedef struct swirl_conn_info {
    int reactor_id;
    int server_port;
    int server_fd;
    char remote_ip[64];
    int remote_port;
    double connect_time; /* wall-clock seconds */
    double last_time;    /* last data received */
    uint32_t uid;
    swirl_sock_type_t sock_type;
    int websocket_status; /* 0 not WebSocket; 1 connection, 2 handshake, 3 active, 4 closing */
} swirl_conn_info_t;

/* Fill *out for connection `fd`. 0 or SWIRL_ECLOSED. */
SWIRL_API int swirl_server_connection_info(swirl_server_t *srv, int64_t fd, swirl_conn_info_t *out);
/* Up to `max` open connections with session id > start_fd, in id order
 * within each reactor; returns the count. */
SWIRL_API int swirl_server_connection_list(swirl_server_t *srv, int64_t start_fd, int64_t *out,
                                           int max);
/* Swoole's heartbeat(), from any process of a running server: of the
 * first `max` open connections in id order, those that received nothing
 * for over heartbeat_idle_time seconds (0: 2 x
 * heartbeat_check_interval; the rule of the heartbeat's own timer) go to
 * out[], closed if `close`. Returns their count (0 before start), or
 * SWIRL_ESTATE when neither setting is set. */
SWIRL_API int swirl_server_heartbeat(swirl_server_t *srv, bool close, int64_t *out, int max);

/* Counters of the whole server (swirl_server_stats). */
typedef struct swirl_server_stats {
    double start_time;
    int64_t connection_num;
    int64_t accept_count;
    int64_t close_count;
    int64_t rejected_count;   /* closed at once: over max_conn */
    int64_t tls_failed_count; /* TLS handshakes that failed or timed out (SSL listeners) */
    int worker_num;
    int idle_worker_num;
    int64_t request_count;        /* receive + packet events, all workers */
    int64_t worker_request_count; /* this worker's */
    int64_t dispatch_count;
    int task_worker_num;
    int tasking_num;             /* task workers running a task now */
    int task_idle_worker_num;    /* task workers running none and with none sent to them */
    int64_t task_queue_num;      /* tasks sent and not yet done, all task workers */
    int64_t task_queue_bytes;    /* their data */
    int64_t task_rejected_count; /* task() refused: a queue was full */
} swirl_server_stats_t;

/* Fill *out from the server's shared counters (in any of its processes).
 * 0, or SWIRL_ESTATE when the server is not running. */
SWIRL_API int swirl_server_stats(swirl_server_t *srv, swirl_server_stats_t *out);

/* Requests (receive/packet events; tasks for a task worker) handled by
 * worker `worker_id` (task workers follow the workers), across its restarts. */
SWIRL_API int64_t swirl_server_worker_requests(swirl_server_t *srv, int worker_id);

/* Worker `worker_id`'s state (task workers follow the workers), Swoole's
 * numbers: busy inside a request's callback (receive, packet, task, ...;
 * not workerStart/Exit/Stop, not a timer), idle otherwise, exit once it
 * has begun to stop (until its successor starts). */
enum { SWIRL_WORKER_BUSY = 1, SWIRL_WORKER_IDLE = 2, SWIRL_WORKER_EXIT = 3 };
SWIRL_API int swirl_server_worker_status(swirl_server_t *srv, int worker_id);

/* ---- tasks (task_worker_num > 0; see src/server/task.c) ------------------------------- */

/* Send `len` bytes to a task worker (`dst` 0..task_worker_num-1, or -1: the
 * least busy). Returns the task id (> 0, unique in this worker); its result,
 * if the task callback calls swirl_server_finish, comes to this worker's
 * finish event. From the master, the manager or a user process (a running
 * server's callbacks and timers there) the task is written at once, its id
 * counts from 0 in that process, and it gets no result: its task event has
 * SWIRL_TASK_NOREPLY and swirl_server_finish refuses it. SWIRL_EQUEUEFULL
 * at once when that task worker already has task_queue_max tasks waiting;
 * SWIRL_ESTATE in a task worker, outside a running server or without task
 * workers; SWIRL_EBADARG for a `dst` out of range, or any `dst` but -1 with
 * task_ipc_mode 3 (the task workers compete for tasks). The data is
 * copied. */
SWIRL_API int64_t swirl_server_task(swirl_server_t *srv, const void *data, size_t len, int dst);

/* Send a task and block this worker until its result arrives (appended to
 * `result`, which the caller owns) or `timeout` seconds pass (-ETIMEDOUT).
 * Other events wait meanwhile and run after it returns. */
SWIRL_API int swirl_server_taskwait(swirl_server_t *srv, const void *data, size_t len,
                                    double timeout, int dst, swirl_buf_t *result);

/* One task of swirl_server_taskwait_multi. */
typedef struct swirl_task_data {
    const void *data;
    size_t len;
    int dst; /* -1: any task worker */
} swirl_task_data_t;

/* Send `n` tasks at once and wait up to `timeout` seconds for all: result i
 * goes to results[i] (caller-owned buffers), status[i] is 0, -ETIMEDOUT or
 * the error that stopped that task. Returns how many completed. */
SWIRL_API int swirl_server_taskwait_multi(swirl_server_t *srv, const swirl_task_data_t *tasks,
                                          size_t n, double timeout, swirl_buf_t *results,
                                          int *status);

/* A task's data as one task message (appended to `out`), and back: the
 * data inside such a message (pointing into `packed`), SWIRL_EBADARG if it
 * is not one. */
SWIRL_API int swirl_server_task_pack(const void *data, size_t len, swirl_buf_t *out);
SWIRL_API int swirl_server_task_unpack(const void *packed, size_t n, const char **data,
                                       size_t *len);

/* In a task callback: a result of the task, to the finish event of the
 * worker that sent it (several are allowed, each its own event, as
 * Swoole's; a task sent by taskwait takes one: a second is SWIRL_ESTATE).
 * With socket_send_timeout > 0, what is already queued for that worker
 * must go to it first: if it takes none of it within the timeout, the
 * warning "Server::finish() (ERRNO 9014): send result to worker timed out"
 * is logged and -ETIMEDOUT returned (the result is not sent). With 0 (the
 * default) results queue in this process's memory and it never waits. */
SWIRL_API int swirl_server_finish(swirl_server_t *srv, const void *data, size_t len);

/* Deliver `len` bytes to worker `dst`'s pipeMessage event (`dst`: a worker
 * or, with task_ipc_mode 1, a task worker: worker_num + i), from a worker,
 * a task worker, the master, the manager or a user process (these last
 * three send at once, at most one packet: 64 KiB less a header). */
SWIRL_API int swirl_server_send_message(swirl_server_t *srv, const void *data, size_t len, int dst);

/* ---- commands (Swoole's Server::addCommand / command) ---------------------------------- */

/* Process types, Swoole's values (bits, for a command's accepted types). */
enum {
    SWIRL_COMMAND_MASTER = 1 << 1,
    SWIRL_COMMAND_REACTOR_THREAD = 1 << 2, /* takes no command but as the master (below) */
    SWIRL_COMMAND_EVENT_WORKER = 1 << 3,
    SWIRL_COMMAND_TASK_WORKER = 1 << 4,
    SWIRL_COMMAND_MANAGER = 1 << 5,
};
/* How long swirl_server_command waits for a reply when given no timeout. */
#define SWIRL_COMMAND_TIMEOUT_MS 10000

/* A command's handler: runs in the process the command was sent to, with
 * the command's name and the request's bytes; appends its reply to
 * `reply`. 0, or < 0: the command failed (the caller gets SWIRL_EPROTO). */
typedef int (*swirl_command_fn)(swirl_server_t *srv, const char *name, const char *data, size_t len,
                                swirl_buf_t *reply, void *user);

/* Before start: command `name` (1..63 bytes, unique) runs `fn` in the
 * processes of the types in `accepted_types` (SWIRL_COMMAND_* bits; not
 * REACTOR_THREAD). SWIRL_ESTATE once started, SWIRL_EEXISTS for a name
 * already added, SWIRL_EBADARG otherwise. */
SWIRL_API int swirl_server_add_command(swirl_server_t *srv, const char *name, int accepted_types,
                                       swirl_command_fn fn, void *user);

/* Run command `name` in process `process_id` of `process_type` (one
 * SWIRL_COMMAND_* value; the id counts within its type: worker 0..,
 * task worker 0..; ignored for the master and the manager) with `len`
 * bytes (at most 64 KiB less a header), and wait up to `timeout_ms` (<= 0:
 * SWIRL_COMMAND_TIMEOUT_MS) for its reply, appended to `reply`. As
 * Swoole, only the master may call it in PROCESS mode, only worker 0 in
 * BASE mode (there worker 0 is the master: EVENT_WORKER 0 runs in place),
 * and REACTOR_THREAD with the id reactor_num is the master. A command for
 * the master runs in place. Errors: SWIRL_ESTATE (not running, or not the
 * process that may call), SWIRL_ENOTFOUND (no such command), SWIRL_EBADARG
 * (a type the command does not accept, an id out of range), SWIRL_ENOTSUP
 * (task workers on a message queue: task_ipc_mode 2, 3), SWIRL_ETOOBIG
 * (the request, or the reply, is larger than a packet), SWIRL_EPROTO (the
 * handler failed), -ETIMEDOUT (no reply in time; a late reply is dropped,
 * never given to a later call). Calls are one at a time: the caller waits
 * on a socket of its own and matches the reply to its request's id. */
SWIRL_API int swirl_server_command(swirl_server_t *srv, const char *name, int process_id,
                                   int process_type, const void *data, size_t len,
                                   swirl_buf_t *reply, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
