/* src/process/internal.h — the process object, and process-level helpers
 * shared with the server; never installed. */
#ifndef SWIRL_PROCESS_INTERNAL_H
#define SWIRL_PROCESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/process.h>

struct swirl_process {
    swirl_process_t *prev, *next; /* the live objects of this process (process.c) */
    swirl_process_cb fn;
    void *user;
    int id; /* order of creation in this process: the ORIENT queue's message type is id + 1 */
    int pipe_type;
    bool redirect;
    bool started;
    bool in_child; /* this copy of the object is the child's */
    bool borrowed; /* swirl_process_attach: `fd` is another owner's (a pool's) */
    int pdeathsig;
    pid_t pid;
    int fds[2]; /* [0] the parent's end, [1] the child's, -1 when closed */
    int fd;     /* this side's end */
    /* watched by a loop of process `watch_pid` (a copy of the object in a
     * child made by a plain fork() is not watched there) */
    swirl_loop_t *loop;
    pid_t watch_pid;
    swirl_process_read_cb on_read;
    void *watch_user;
    int timeout_ms;   /* read/write wait limit (-1: none), swirl_process_set_timeout */
    bool nonblocking; /* swirl_process_set_blocking(false): reads and writes never wait */
    /* System V queue */
    int msgq; /* -1: none */
    int msgq_mode;
};

/* In a child just forked from `parent`: receive `sig` when the parent dies
 * (PR_SET_PDEATHSIG), and _exit(1) at once if it already has (it died
 * before the prctl, so no signal will come). Every child swirl forks starts
 * with this: the process objects, the pool's workers, the server's children. */
void swirl__child_init(pid_t parent, int sig);
/* In a child just forked from `parent`: become `p`'s child side (pdeathsig,
 * signal mask, the parent's loops released, stdio redirected). Siblings'
 * pipe ends are closed unless `keep_siblings` (a server's user process
 * keeps them: workers and user processes talk through them). */
void swirl__process_enter_child(swirl_process_t *p, pid_t parent, bool keep_siblings);
/* Run the child's function, flush stdio and _exit(0). */
void swirl__process_run_child(swirl_process_t *p) __attribute__((noreturn));

/* ---- children kept running (supervisor.c) ----
 * The owner (the process pool, the server's manager) says how to fork a
 * child and how to read its end; the supervisor reaps, restarts and backs
 * off (the rule is in supervisor.c). It runs on the owner's loop, which
 * watches SIGCHLD and calls swirl__supervisor_reap. */

/* How the owner takes a child's end (the `ended` hook's answer). */
enum {
    SWIRL__CHILD_FAILED = 1, /* an error: backed off if it comes soon after the start */
    SWIRL__CHILD_CLEAN,      /* a clean exit: backed off if soon and it served nothing */
    SWIRL__CHILD_EXPECTED,   /* the owner asked for it (a reload): replaced at once */
};

/* A child that ended. */
typedef struct {
    int id;
    pid_t pid;
    int code;          /* its exit code (0 when killed) */
    int signo;         /* the signal that killed it (0: none) */
    uint64_t lived_ms; /* since its start */
    bool idle;         /* served nothing since its start (no `served` hook: true) */
} swirl__child_end_t;

typedef struct {
    /* Fork child `id` and run it: its pid, or a negative errno (the hook
     * logs the failure; that child then stays down). */
    pid_t (*spawn)(void *owner, int id);
    /* Work child `id` has served so far, read before a start and at the
     * end; NULL: not counted. */
    int64_t (*served)(void *owner, int id);
    /* A child ended, not while stopping: log it, and say how to take it
     * (SWIRL__CHILD_*). */
    int (*ended)(void *owner, const swirl__child_end_t *e);
    /* After its restart (delay_ms 0) or the timer for it (delay_ms > 0);
     * `kind` is what `ended` said. May be NULL. */
    void (*restarted)(void *owner, const swirl__child_end_t *e, int kind, int64_t delay_ms);
} swirl__supervisor_ops_t;

typedef struct {
    pid_t pid; /* 0: not running */
    uint64_t started_ms;
    int64_t served; /* the `served` count at its start */
    int64_t backoff_ms;
    int64_t timer; /* a delayed restart (timer id), or 0 */
} swirl__child_t;

/* Its fields are supervisor.c's: owners use the functions below. */
typedef struct {
    swirl_loop_t *loop;
    int n;
    const swirl__supervisor_ops_t *ops;
    void *owner;
    bool stopping;
    int alive;
    swirl__child_t *kids;
} swirl__supervisor_t;

/* `n` children, ids 0..n-1, none started; restart timers on `loop`.
 * -ENOMEM with the error set. */
int swirl__supervisor_init(swirl__supervisor_t *s, swirl_loop_t *loop, int n,
                           const swirl__supervisor_ops_t *ops, void *owner);
/* Free it (its loop may be gone already; no child is touched). */
void swirl__supervisor_destroy(swirl__supervisor_t *s);
/* Start child `id` now (through `spawn`). */
void swirl__supervisor_start(swirl__supervisor_t *s, int id);
/* Reap every child that ended (on SIGCHLD) and restart it, unless stopping. */
void swirl__supervisor_reap(swirl__supervisor_t *s);
/* Child `id` leaves the supervision (it goes on alone: nobody waits for
 * it or restarts it) and a new child `id` is started in its place. */
void swirl__supervisor_detach(swirl__supervisor_t *s, int id);
/* Stop restarting (pending restarts are cancelled); the owner stops the
 * children, and reaps them with swirl__supervisor_reap/poll/kill. */
void swirl__supervisor_stop(swirl__supervisor_t *s);
/* Child `id`'s pid, or 0 when it is not running (or out of range). */
pid_t swirl__supervisor_pid(const swirl__supervisor_t *s, int id);
/* Reap child `id` if it has ended: its pid if still running, else 0. */
pid_t swirl__supervisor_poll(swirl__supervisor_t *s, int id);
/* SIGKILL child `id` and wait for it. */
void swirl__supervisor_kill(swirl__supervisor_t *s, int id);
/* Children running now. */
static inline int swirl__supervisor_alive(const swirl__supervisor_t *s) { return s->alive; }
/* swirl__supervisor_stop was called. */
static inline bool swirl__supervisor_stopping(const swirl__supervisor_t *s) { return s->stopping; }

/* ---- System V message queues (msgqueue.c) ----
 * A message is a `long` type (> 0) followed by its text; `msgq_max` bytes
 * of text at most (the system's msgmax). Every call retries on EINTR and
 * returns 0 / a count, or a negative errno with the last error set. */

/* Create a queue: private (key 0: only processes forked afterwards share
 * it) or under `key`; mode 0600. */
int swirl__msgq_create(key_t key, int *id);
/* Remove it (messages in it are lost). */
int swirl__msgq_remove(int id);
/* Messages and bytes in it now. */
int swirl__msgq_stat(int id, size_t *messages, size_t *bytes);
/* The system limits: text bytes per message (msgmax) and per queue (msgmnb). */
void swirl__msgq_limits(size_t *msgmax, size_t *msgmnb);
/* Send `msg` = {long type; char text[len]}. With `nowait`, -EAGAIN when
 * the queue has no room for it now. */
int swirl__msgq_send(int id, const void *msg, size_t len, bool nowait);
/* Send `len` bytes as one message of `type` (copied behind the type). */
int swirl__msgq_send_bytes(int id, long type, const void *data, size_t len, bool nowait);
/* Receive one message of `type` (0: any; < 0: lowest type <= -type) into
 * `msg` with room for `cap` text bytes; its text length, -ENOMSG with
 * `nowait` and nothing there, -EIDRM when the queue was removed. Blocking,
 * it is a thread-cancellation point. */
ssize_t swirl__msgq_recv(int id, void *msg, size_t cap, long type, bool nowait);

/* ---- process titles (title.c) ----
 * Show `title` as this process's command line in ps/top (over argv, with
 * the environment moved out of the way the first time) and as its name
 * (PR_SET_NAME, 15 bytes). Safe to call again after fork. */
void swirl__proctitle_set(const char *title);

/* Title this process "swirl: <role>" or "swirl: <role> <id>" (id >= 0),
 * as ps and top show it (its command line, and its name cut to 15 bytes). */
void swirl__set_title(const char *role, int id);

#endif
