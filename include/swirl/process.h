/* swirl/process.h — child processes (Swoole's swoole_process) and process
 * pools (Swoole's Process\Pool).
 *
 * A process object wraps fork(): a function to run in the child, an
 * optional pipe between parent and child (a unix socket pair, stream or
 * datagram), optional redirection of the child's stdin and stdout into that
 * pipe, and optional use of a System V message queue. The statics (kill,
 * wait, daemon, signal, alarm, affinity, name) work on the calling process.
 *
 * What a child inherits, and what it does not:
 *   - Every descriptor swirl opens is close-on-exec, so a program started
 *     with swirl_process_exec() gets only stdin, stdout and stderr.
 *   - In the child, the parent's ends of the pipes of every other process
 *     object of this process are closed, so a parent that forks several
 *     children sees each pipe reach end-of-file when its own child exits,
 *     whatever the order of forks.
 *   - In the child, every event loop of the parent is released without
 *     touching the parent's epoll set (swirl_loop_forget): pointers to those
 *     loops must not be used there; the child makes its own loop if it needs
 *     one. This is what makes the trap of seed 002 ("register the pipes in
 *     the loop only after forking every child") harmless: a pipe watched
 *     before a later fork is never seen by that later child.
 *   - The child starts with no signal blocked and SIGPIPE at its default.
 *   - By default the child gets SIGKILL when the parent dies
 *     (PR_SET_PDEATHSIG), so no orphan is left behind by a crashed parent;
 *     swirl_process_set_pdeathsig() changes or removes that.
 *
 * Not thread-safe: one thread creates, starts and talks to a process
 * object. */
#ifndef SWIRL_PROCESS_H
#define SWIRL_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/error.h>
#include <swirl/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A child process running a callback (Swoole's Process). */
typedef struct swirl_process swirl_process_t;

/* The pipe between parent and child (the values of Swoole's $create_pipe). */
typedef enum {
    SWIRL_PIPE_NONE = 0,   /* no pipe */
    SWIRL_PIPE_STREAM = 1, /* SOCK_STREAM: bytes, writes may be merged or split on reading */
    SWIRL_PIPE_DGRAM = 2,  /* SOCK_DGRAM: every write is read as one message */
} swirl_pipe_type_t;

/* Message queue modes (swirl_process_use_queue), Swoole's values. */
enum {
    SWIRL_MSGQUEUE_ORIENT = 1,  /* messages go to the one process object they were pushed through */
    SWIRL_MSGQUEUE_BALANCE = 2, /* every process takes from one shared queue (Swoole's default) */
    SWIRL_PROCESS_IPC_NOWAIT = 256, /* or'ed into the mode: push and pop never block */
};

/* Runs in the child after start. When it returns the child flushes stdio
 * and exits with status 0. */
typedef void (*swirl_process_cb)(swirl_process_t *proc, void *user);

/* Create a process object (nothing is forked yet). `pipe_type` is one of
 * swirl_pipe_type_t; `redirect_stdio` makes the child's stdin and stdout the
 * pipe (a stream pipe is created if `pipe_type` is NONE, as Swoole forces
 * it). Returns 0 and stores the object in *out, or SWIRL_EBADARG (no
 * function, bad pipe type) / a negative errno from socketpair; *out is then
 * untouched. The caller owns the object and frees it with
 * swirl_process_free. */
SWIRL_API int swirl_process_new(swirl_process_t **out, swirl_process_cb fn, void *user,
                                bool redirect_stdio, int pipe_type);

/* Close this side's pipe end and free the object. The child (if any) is
 * neither killed nor waited for, and a message queue in use is kept (see
 * swirl_process_free_queue). NULL is a no-op. */
SWIRL_API void swirl_process_free(swirl_process_t *proc);

/* Signal the child gets when the parent dies (PR_SET_PDEATHSIG): SIGKILL by
 * default, 0 for none (the child may outlive the parent). Before start;
 * SWIRL_EBADARG for a bad signal, SWIRL_ESTATE after start. */
SWIRL_API int swirl_process_set_pdeathsig(swirl_process_t *proc, int signo);

/* Fork and run the function in the child (which never returns from this
 * call). In the parent returns the child's pid; SWIRL_ESTATE if this object
 * was already started, or a negative errno from fork. */
SWIRL_API pid_t swirl_process_start(swirl_process_t *proc);

/* The child's pid (in the parent after start, and in the child itself), or
 * 0 before start. */
SWIRL_API pid_t swirl_process_pid(const swirl_process_t *proc);

/* This side's end of the pipe (Swoole's $process->pipe): the parent's end
 * in the parent, the child's in the child; -1 without a pipe or after
 * swirl_process_close. Owned by the object. */
SWIRL_API int swirl_process_fd(const swirl_process_t *proc);

/* In the child: replace the program with `path` (no PATH search: give a
 * path to the file) and `argv` (NULL-terminated, argv[0] included; NULL
 * means { path, NULL }). With redirected stdio the parent then talks to
 * the new program through the pipe. Returns only on failure: -ENOENT,
 * -EACCES, ... with a message naming the path; SWIRL_ESTATE in the parent. */
SWIRL_API int swirl_process_exec(swirl_process_t *proc, const char *path, char *const argv[]);

/* Write to the pipe: the parent's writes are read by the child and the
 * child's by the parent. When the pipe is watched by a loop
 * (swirl_process_watch) the write never blocks: what the kernel does not
 * take now is buffered by the loop (swirl_loop_write; SWIRL_EBUFFULL past
 * its limit). Otherwise it blocks until every byte is written (stream) or
 * the message is sent (datagram; SWIRL_ETOOBIG naming the size if the
 * kernel cannot send it as one message). Returns `len`, -EPIPE when the
 * other side is gone, SWIRL_ESTATE without a pipe. */
SWIRL_API ssize_t swirl_process_write(swirl_process_t *proc, const void *data, size_t len);

/* Read from the pipe into `buf` (Swoole's default size is 8192). Blocks
 * until something arrives unless the pipe is watched by a loop (then
 * -EAGAIN when nothing is there). Stream: up to `cap` bytes of what
 * arrived. Datagram: one whole message; SWIRL_ETOOBIG naming its size if it
 * does not fit (the message stays, read it with a bigger buffer). Returns
 * the length, 0 at end of file (the other side closed), SWIRL_ESTATE
 * without a pipe. */
SWIRL_API ssize_t swirl_process_read(swirl_process_t *proc, void *buf, size_t cap);

/* Called when the pipe is readable, or at end of file (read then returns 0). */
typedef void (*swirl_process_read_cb)(swirl_process_t *proc, void *user);

/* Watch the pipe in `loop` (Swoole's swoole_event_add($process->pipe)):
 * the pipe becomes non-blocking, `on_read` runs when there is something to
 * read, and writes go through the loop. Returns 0, SWIRL_ESTATE without a
 * pipe or when already watched, or what swirl_loop_add returns. */
SWIRL_API int swirl_process_watch(swirl_process_t *proc, swirl_loop_t *loop,
                                  swirl_process_read_cb on_read, void *user);

/* Stop watching the pipe (it becomes blocking again; bytes the loop still
 * buffered for it are dropped). 0 or SWIRL_ENOTREG. */
SWIRL_API int swirl_process_unwatch(swirl_process_t *proc);

/* Close this side's pipe end (stops watching it first). The other side
 * reads end of file. 0, or SWIRL_ESTATE when there is no pipe (any more). */
SWIRL_API int swirl_process_close(swirl_process_t *proc);

/* ---- System V message queue -------------------------------------------------------------- */

/* Use a message queue for push/pop. `key` 0 makes a private queue, shared
 * by this process and every child forked afterwards; another key opens (or
 * creates, mode 0600) that queue, which other programs can open too.
 * `mode` is SWIRL_MSGQUEUE_BALANCE (0 means this) or SWIRL_MSGQUEUE_ORIENT,
 * optionally | SWIRL_PROCESS_IPC_NOWAIT. Messages survive the death of every
 * reader until the queue is removed. Usable before start: messages pushed
 * then are popped by the child. Returns 0, SWIRL_EBADARG for a bad mode, or
 * a negative errno naming the key. */
SWIRL_API int swirl_process_use_queue(swirl_process_t *proc, key_t key, int mode);

/* Push one message (1 byte at least; at most the system's msgmax, 8192 by
 * default: SWIRL_ETOOBIG naming both). Blocks while the queue is full, or
 * -EAGAIN with IPC_NOWAIT. 0, SWIRL_ESTATE without a queue, -EIDRM when the
 * queue was removed. */
SWIRL_API int swirl_process_push(swirl_process_t *proc, const void *data, size_t len);

/* Pop one message into `buf` (up to `cap` bytes, Swoole's default 8192).
 * Blocks while the queue is empty, or -EAGAIN with IPC_NOWAIT. A message
 * longer than `cap` stays in the queue: SWIRL_ETOOBIG. Returns its length,
 * SWIRL_ESTATE without a queue, -EIDRM when the queue was removed. */
SWIRL_API ssize_t swirl_process_pop(swirl_process_t *proc, void *buf, size_t cap);

/* Messages and bytes in the queue now (Swoole's statQueue: queue_num and
 * queue_bytes). 0 or a negative code. */
SWIRL_API int swirl_process_stat_queue(swirl_process_t *proc, size_t *messages, size_t *bytes);

/* Remove the queue (its messages are lost); this object stops using it.
 * 0, SWIRL_ESTATE without a queue, or a negative errno. */
SWIRL_API int swirl_process_free_queue(swirl_process_t *proc);

/* ---- statics: the calling process ------------------------------------------------------- */

/* Flush stdio and end the calling process with `status`: exit() for 0
 * (atexit handlers run), _exit() otherwise (they do not), as Swoole's
 * $process->exit. Never returns. */
SWIRL_API void swirl_process_exit(int status) __attribute__((noreturn));

/* Send `signo` to `pid` (signo 0 only tests that it exists). Returns 0,
 * -ESRCH if there is no such process, -EPERM, or SWIRL_EBADARG for a pid
 * <= 0 (process groups and "every process" are refused on purpose) or a bad
 * signal. */
SWIRL_API int swirl_process_kill(pid_t pid, int signo);

/* How a child ended. */
typedef struct {
    pid_t pid;
    int code;   /* exit status, 0 if killed by a signal */
    int signal; /* the signal that killed it, 0 if it exited */
} swirl_process_status_t;

/* An object for a process swirl did not fork through it (a pool's worker:
 * Swoole's Pool::getProcess): `fd` (-1: none) is a datagram pipe that
 * stays its owner's (never closed here; close refuses), `pid` its pid,
 * `id` what swirl_process_id returns. It cannot be started; read, write
 * and the queue calls work. */
SWIRL_API int swirl_process_attach(swirl_process_t **out, int fd, pid_t pid, int id);

/* Limit how long read and write wait on the pipe to `seconds` (< 0: no
 * limit); past it they return -ETIMEDOUT (Swoole's setTimeout). 0,
 * SWIRL_ESTATE without a pipe, SWIRL_EBADARG for NaN. */
SWIRL_API int swirl_process_set_timeout(swirl_process_t *proc, double seconds);

/* Non-blocking (false): read and write never wait, -EAGAIN when the pipe
 * has nothing to read or no room now; true restores waiting (Swoole's
 * setBlocking). A pipe watched by a loop stays non-blocking for the loop.
 * 0, or SWIRL_ESTATE without a pipe. */
SWIRL_API int swirl_process_set_blocking(swirl_process_t *proc, bool blocking);

/* The object's number: 1, 2, 3, ... in order of creation in this process
 * (Swoole's $process->id). */
SWIRL_API int swirl_process_id(const swirl_process_t *proc);

/* setpriority/getpriority (`which`: PRIO_PROCESS, PRIO_PGRP, PRIO_USER;
 * *who 0: the caller). `who` NULL means `proc`'s process (its pid: the
 * child in the parent, itself in the child; 0 before start), allowed with
 * PRIO_PROCESS only: SWIRL_EBADARG otherwise (Swoole's rule). 0, or the
 * negative errno (-EINVAL for a bad `which`, -ESRCH, -EACCES) with the
 * error set naming the call. */
SWIRL_API int swirl_process_set_priority(const swirl_process_t *proc, int which, const int *who,
                                         int prio);
SWIRL_API int swirl_process_get_priority(const swirl_process_t *proc, int which, const int *who,
                                         int *prio);

/* Reap one ended child of the calling process. Blocking waits for one;
 * non-blocking returns 0 at once when none has ended. Returns its pid (and
 * fills *st when not NULL), 0, or -ECHILD when there are no children. */
SWIRL_API pid_t swirl_process_wait(bool blocking, swirl_process_status_t *st);

/* Become a daemon: fork (the caller's process exits 0 in the parent), new
 * session, then chdir("/") unless `nochdir`, and stdin, stdout and stderr
 * on /dev/null unless `noclose`. Returns 0 in the daemon or a negative
 * errno (the caller's process is then unchanged). */
SWIRL_API int swirl_process_daemon(bool nochdir, bool noclose);

/* Make fds[0], fds[1], fds[2] the calling process's stdin, stdout and
 * stderr (dup2; a negative fd leaves that one as it is), as Swoole's
 * daemon($nochdir, $noclose, $pipes) does before it detaches. 0 or the
 * negative errno naming the fd. */
SWIRL_API int swirl_process_stdio_from(const int fds[3]);

/* Swoole's Process::signal: run `cb` in `loop` when `signo` arrives
 * (swirl_signal_add); a NULL `cb` stops watching it. 0 or a negative code
 * naming the signal. */
SWIRL_API int swirl_process_signal(swirl_loop_t *loop, int signo, swirl_signal_cb cb, void *user);

/* Interval timers (Swoole's Process::alarm types). */
enum {
    SWIRL_ALARM_REAL = 0,    /* wall clock, SIGALRM */
    SWIRL_ALARM_VIRTUAL = 1, /* user CPU time, SIGVTALRM */
    SWIRL_ALARM_PROF = 2,    /* user + system CPU time, SIGPROF */
};

/* Deliver the timer's signal every `usec` microseconds (the first after
 * `usec`); `usec` <= 0 stops it. Watch the signal with swirl_process_signal.
 * 0, SWIRL_EBADARG for a bad type, or a negative errno. */
SWIRL_API int swirl_process_alarm(int64_t usec, int type);

/* Let the calling process run only on `cpus` (ids from 0). SWIRL_EBADARG
 * naming a CPU that does not exist (and how many there are) or an empty
 * set; -EINVAL when none of them is usable here. */
SWIRL_API int swirl_process_set_affinity(const int *cpus, size_t n);

/* The CPUs the calling process may run on, ascending: up to `cap` ids are
 * stored in `cpus` (NULL: only count); returns how many there are, or a
 * negative errno. */
SWIRL_API int swirl_process_get_affinity(int *cpus, size_t cap);

/* The number of CPUs configured on this machine (Swoole's swoole_cpu_num). */
SWIRL_API int swirl_cpu_num(void);

/* Show `name` as the calling process's title in ps/top (over its command
 * line) and as its thread name (Swoole's swoole_set_process_name). 0 or
 * SWIRL_EBADARG for an empty name. */
SWIRL_API int swirl_process_set_name(const char *name);

/* ---- process pool ------------------------------------------------------------------------ */

/* A pool: `worker_num` processes fed from one shared work queue, started
 * and supervised by the calling process (the pool's master) until it is
 * shut down. A worker that dies is replaced (after a growing delay if it
 * keeps dying within a second of starting).
 *
 * The server's task workers follow this model (one queue, competing
 * workers, respawn); they keep their own code because they also route
 * results back to the worker that asked, count tasks and recycle on
 * task_max_request. */
typedef struct swirl_process_pool swirl_process_pool_t;

/* How work reaches the workers (Swoole's SWOOLE_IPC_* values). */
enum {
    SWIRL_IPC_NONE = 0,     /* no queue: each worker runs its on_worker_start and exits */
    SWIRL_IPC_UNIXSOCK = 1, /* a shared queue (workers compete) and a pipe per worker */
    SWIRL_IPC_MSGQUEUE = 2, /* a System V message queue: other programs may push too */
    SWIRL_IPC_SOCKET = 3,   /* a listening socket: each connection brings one message */
};

/* A worker started (in the worker; with SWIRL_IPC_NONE this is the work,
 * and the worker exits when it returns). */
typedef void (*swirl_pool_worker_cb)(swirl_process_pool_t *pool, int worker_id, void *user);
/* One message for a worker (in that worker). `data` is valid during the call. */
typedef void (*swirl_pool_message_cb)(swirl_process_pool_t *pool, int worker_id, const void *data,
                                      size_t len, void *user);
/* In the master, after the workers were forked: add timers or watch fds on
 * swirl_process_pool_loop(pool), push work. */
typedef void (*swirl_pool_start_cb)(swirl_process_pool_t *pool, void *user);

/* Create a pool of 1..1024 workers. For SWIRL_IPC_MSGQUEUE, `msgqueue_key`
 * picks the queue (0: a private one, removed when the pool is freed; other
 * keys are left in place for the programs that feed them). Returns 0 or
 * SWIRL_EBADARG / a negative errno with a message naming the argument. */
SWIRL_API int swirl_process_pool_new(swirl_process_pool_t **out, int worker_num, int ipc_type,
                                     key_t msgqueue_key);

/* Callbacks; before start. `user` is passed to every callback. on_message
 * is required with a queue, on_worker_start without one. */
SWIRL_API void swirl_process_pool_on_worker_start(swirl_process_pool_t *pool,
                                                  swirl_pool_worker_cb cb);
SWIRL_API void swirl_process_pool_on_worker_stop(swirl_process_pool_t *pool,
                                                 swirl_pool_worker_cb cb);
SWIRL_API void swirl_process_pool_on_message(swirl_process_pool_t *pool, swirl_pool_message_cb cb);
SWIRL_API void swirl_process_pool_on_start(swirl_process_pool_t *pool, swirl_pool_start_cb cb);
SWIRL_API void swirl_process_pool_set_user(swirl_process_pool_t *pool, void *user);
/* In the master, before the first worker is forked (Swoole's onStart
 * order); the loop exists (swirl_process_pool_loop). */
SWIRL_API void swirl_process_pool_on_starting(swirl_process_pool_t *pool, swirl_pool_start_cb cb);
/* In the master, once, when a shutdown begins (before the workers are
 * told to stop; Swoole's onShutdown). */
SWIRL_API void swirl_process_pool_on_shutdown(swirl_process_pool_t *pool, swirl_pool_start_cb cb);
/* In the master, after the last worker ended, just before start frees the
 * loop: release what the owner put on it. */
SWIRL_API void swirl_process_pool_on_stopped(swirl_process_pool_t *pool, swirl_pool_start_cb cb);
/* How long a shutdown waits for a worker before SIGKILL (default 3000 ms;
 * Swoole's max_wait_time). 0 or SWIRL_EBADARG for a negative value. */
SWIRL_API int swirl_process_pool_set_max_wait(swirl_process_pool_t *pool, int64_t ms);

/* The number of workers it was made with. */
SWIRL_API int swirl_process_pool_worker_num(const swirl_process_pool_t *pool);
/* In a worker its id, in the master -1. */
SWIRL_API int swirl_process_pool_worker_id(const swirl_process_pool_t *pool);
/* The master's pid once started (0 before). */
SWIRL_API pid_t swirl_process_pool_master_pid(const swirl_process_pool_t *pool);
/* In the master: started and no shutdown begun. */
SWIRL_API bool swirl_process_pool_running(const swirl_process_pool_t *pool);

/* SWIRL_IPC_SOCKET (Swoole's): listen on host:port (TCP; an IPv6 host
 * with ':'), or "unix:/path"; before start. Workers compete in accept; a
 * connection brings one message, {uint32 big-endian length}{bytes} (up to
 * 2 MiB, else it is dropped), for on_message; what the callback passes to
 * swirl_process_pool_write is sent back the same way, then the connection
 * is closed. 0, or SWIRL_ESTATE / the listen error naming the address. */
SWIRL_API int swirl_process_pool_listen(swirl_process_pool_t *pool, const char *host, int port,
                                        int backlog);
/* SWIRL_IPC_SOCKET: how long a worker waits for a connection's whole
 * message, from its accept (default 60000 ms, Swoole's socket read
 * timeout); a client too slow is closed and the worker takes the next one.
 * 0, or SWIRL_EBADARG for ms <= 0. */
SWIRL_API int swirl_process_pool_set_read_timeout(swirl_process_pool_t *pool, int64_t ms);
/* In on_message of a SWIRL_IPC_SOCKET pool: add to the answer. 0,
 * SWIRL_ESTATE outside, SWIRL_EBADARG for nothing. */
SWIRL_API int swirl_process_pool_write(swirl_process_pool_t *pool, const void *data, size_t len);
/* In a worker: leave the pool (Swoole's detach). The master starts a new
 * worker with this id at once and no longer waits for or restarts this
 * process; its receive loop ends after the message in hand (on_worker_stop
 * then runs). 0 or SWIRL_ESTATE (in the master, twice). */
SWIRL_API int swirl_process_pool_detach(swirl_process_pool_t *pool);

/* SWIRL_IPC_UNIXSOCK pools also give each worker a datagram pipe of its
 * own (Swoole's getProcess($id)->write() / sendMessage()): a message sent
 * to worker `id` is read by that worker only, through on_message (or read
 * from the fd this returns, before its receive loop). The fd to use for
 * worker `worker_id` from the calling process: its end in that worker,
 * the sending end elsewhere. SWIRL_ESTATE for other pools, SWIRL_EBADARG
 * for a bad id. Owned by the pool. */
SWIRL_API int swirl_process_pool_worker_fd(const swirl_process_pool_t *pool, int worker_id);
/* Send one message to worker `worker_id`'s pipe. As one datagram (up to
 * what the system lets one hold), never blocking: -EAGAIN when the pipe is
 * full. With the message bus on, in chunks the worker puts together (up to
 * 256 MiB), waiting while the pipe is full. 0, SWIRL_ETOOBIG,
 * SWIRL_EBADARG, SWIRL_ESTATE. */
/* Swoole's enable_message_bus: messages sent with swirl_process_pool_send
 * go in framed chunks, so they may be larger than a datagram; the worker
 * pipes then carry only those (not for raw reads and writes). Before start;
 * SWIRL_IPC_UNIXSOCK pools only (SWIRL_ESTATE otherwise). */
SWIRL_API int swirl_process_pool_set_message_bus(swirl_process_pool_t *pool, bool on);
SWIRL_API int swirl_process_pool_send(swirl_process_pool_t *pool, int worker_id, const void *data,
                                      size_t len);

/* Fork the workers and supervise them; blocks in the master until
 * swirl_process_pool_shutdown or SIGTERM/SIGINT, then stops the workers
 * (SIGTERM: a worker finishes the message in hand, runs on_worker_stop
 * and exits; SIGKILL after 3 s) and returns 0. A worker still in its
 * on_worker_start when SIGTERM comes ends at once (the default action).
 * Messages still queued at shutdown are counted in the log (a keyed System
 * V queue keeps them for the next run). It may be started again once it
 * returned. SWIRL_EBADARG naming a missing callback; SWIRL_ESTATE while
 * running or from a worker. Never returns in the workers. */
SWIRL_API int swirl_process_pool_start(swirl_process_pool_t *pool);

/* Queue one message for whichever worker takes it first. From the master
 * or any worker. Never blocks: -EAGAIN when the queue is full. 0,
 * SWIRL_ETOOBIG naming the size (the limit is the system's msgmax for a
 * message queue, 64 KiB for unix sockets), SWIRL_ESTATE without a queue. */
SWIRL_API int swirl_process_pool_push(swirl_process_pool_t *pool, const void *data, size_t len);

/* Ask the master to stop the pool (from the master: its loop callbacks or
 * on_start; from a worker: signals the master). */
SWIRL_API void swirl_process_pool_shutdown(swirl_process_pool_t *pool);

/* The master's loop while the pool runs (NULL otherwise or in a worker). */
SWIRL_API swirl_loop_t *swirl_process_pool_loop(swirl_process_pool_t *pool);

/* Pid of worker `worker_id` as the master knows it (0 while it is being
 * replaced or before start). */
SWIRL_API pid_t swirl_process_pool_worker_pid(const swirl_process_pool_t *pool, int worker_id);

/* Free the pool after start returned (or if it was never started). A
 * private message queue is removed. NULL is a no-op. */
SWIRL_API void swirl_process_pool_free(swirl_process_pool_t *pool);

#ifdef __cplusplus
}
#endif

#endif
