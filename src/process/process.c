/* src/process/process.c — process objects: fork with a function, the pipe
 * between parent and child, stdio redirection, exec, and what a child must
 * not inherit (siblings' pipe ends, the parent's event loops).
 *
 * State: one per-process singleton (`process_objects`), the list of live
 * process objects, walked in a new child to close its siblings' ends. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <swirl/core.h>
#include <swirl/process.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "internal.h"

static struct {
    swirl_process_t *head;
    int next_id;
} process_objects;

int swirl_process_new(swirl_process_t **out, swirl_process_cb fn, void *user, bool redirect_stdio,
                      int pipe_type) {
    if (!out)
        return SWIRL_EBADARG;
    if (!fn)
        return swirl__error(SWIRL_EBADARG, "process: no function to run in the child");
    if (pipe_type < SWIRL_PIPE_NONE || pipe_type > SWIRL_PIPE_DGRAM)
        return swirl__error(SWIRL_EBADARG,
                            "process: pipe type %d: expected 0 (none), 1 (stream) or 2 (datagram)",
                            pipe_type);
    if (redirect_stdio && pipe_type == SWIRL_PIPE_NONE)
        pipe_type = SWIRL_PIPE_STREAM;
    swirl_process_t *p = swirl_calloc(1, sizeof(*p));
    if (!p)
        return swirl__error(-ENOMEM, "process:");
    p->fn = fn;
    p->user = user;
    p->redirect = redirect_stdio;
    p->pipe_type = pipe_type;
    p->fds[0] = p->fds[1] = -1;
    p->fd = -1;
    p->msgq = -1;
    p->pdeathsig = SIGKILL;
    p->timeout_ms = -1;
    p->id = process_objects.next_id++;
    if (pipe_type != SWIRL_PIPE_NONE) {
        int type = pipe_type == SWIRL_PIPE_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
        if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p->fds) != 0) {
            int rc = swirl__neg_errno();
            swirl_free(p);
            return swirl__error(rc, "process: pipe:");
        }
        p->fd = p->fds[0];
    }
    p->next = process_objects.head;
    if (process_objects.head)
        process_objects.head->prev = p;
    process_objects.head = p;
    *out = p;
    return 0;
}

static void close_fd(int *fd) {
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The loop watching `p` in this process, or NULL. A child forked by other
 * means than swirl_process_start (pcntl_fork) inherits the parent's watch:
 * that loop is the parent's (its epoll set shared with it), so the child
 * forgets it without touching it, nor the pipe's O_NONBLOCK, which the
 * parent's loop still needs (the child's reads and writes wait by poll). */
static swirl_loop_t *watcher(swirl_process_t *p) {
    if (p->loop && p->watch_pid != getpid())
        p->loop = NULL;
    return p->loop;
}

/* Wait until `fd` is ready for `events` (the pipe may be non-blocking for
 * another process's loop), at most `timeout_ms` (-1: no limit): 0, or
 * -ETIMEDOUT (-EAGAIN when non-blocking) with the error set. */
static int wait_ready_for(const swirl_process_t *p, short events) {
    if (p->nonblocking)
        return -EAGAIN;
    struct pollfd pfd = {.fd = p->fd, .events = events};
    uint64_t deadline = p->timeout_ms >= 0 ? swirl_clock_ms() + (uint64_t)p->timeout_ms : 0;
    for (;;) {
        int wait = -1;
        if (p->timeout_ms >= 0) {
            uint64_t now = swirl_clock_ms();
            wait = now >= deadline ? 0 : (int)(deadline - now);
        }
        int n = poll(&pfd, 1, wait);
        if (n > 0)
            return 0;
        if (n == 0)
            return swirl__error(-ETIMEDOUT, "process: the pipe was not ready within %d ms",
                                p->timeout_ms);
        if (errno != EINTR)
            return swirl__neg_errno();
    }
}

/* With a time limit or non-blocking, the calls never wait in the kernel:
 * wait_ready_for does the waiting. */
static int dontwait(const swirl_process_t *p) {
    return p->timeout_ms >= 0 || p->nonblocking ? MSG_DONTWAIT : 0;
}

void swirl_process_free(swirl_process_t *p) {
    if (!p)
        return;
    if (watcher(p))
        swirl_process_unwatch(p);
    close_fd(&p->fds[0]);
    close_fd(&p->fds[1]);
    p->fd = -1;
    if (p->borrowed) {
        swirl_free(p);
        return;
    }
    if (p->prev)
        p->prev->next = p->next;
    else if (process_objects.head == p)
        process_objects.head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    swirl_free(p);
}

int swirl_process_set_pdeathsig(swirl_process_t *p, int signo) {
    if (p->started)
        return swirl__error(SWIRL_ESTATE, "process: pdeathsig: already started");
    if (signo < 0 || signo > SIGRTMAX)
        return swirl__error(SWIRL_EBADARG, "process: pdeathsig: bad signal %d", signo);
    p->pdeathsig = signo;
    return 0;
}

/* In the new child: drop what belongs to the parent. */
void swirl__child_init(pid_t parent, int sig) {
    prctl(PR_SET_PDEATHSIG, sig);
    if (getppid() != parent) /* the parent died before prctl */
        _exit(1);
}

void swirl__process_enter_child(swirl_process_t *p, pid_t parent, bool keep_siblings) {
    if (p->pdeathsig)
        swirl__child_init(parent, p->pdeathsig);
    swirl__signals_unblock_all();
    signal(SIGPIPE, SIG_DFL);
    swirl__loops_forget_inherited();
    for (swirl_process_t *o = process_objects.head; o && !keep_siblings; o = o->next) {
        if (o == p)
            continue;
        /* a sibling's pipe belongs to the parent and that sibling only */
        o->loop = NULL;
        close_fd(&o->fds[0]);
        close_fd(&o->fds[1]);
        o->fd = -1;
    }
    p->loop = NULL;
    close_fd(&p->fds[0]);
    p->fd = p->fds[1];
    p->pid = getpid();
    p->started = true;
    p->in_child = true;
    if (p->redirect && p->fd >= 0) {
        /* dup2 clears close-on-exec: the program exec'd talks on 0 and 1 */
        if (dup2(p->fd, STDIN_FILENO) < 0 || dup2(p->fd, STDOUT_FILENO) < 0) {
            swirl_log_error("process: redirecting stdio into the pipe: %s", strerror(errno));
            _exit(127);
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
    }
}

void swirl__process_run_child(swirl_process_t *p) {
    p->fn(p, p->user);
    fflush(NULL);
    _exit(0);
}

pid_t swirl_process_start(swirl_process_t *p) {
    if (p->started)
        return swirl__error(SWIRL_ESTATE, "process: already started (pid %ld)", (long)p->pid);
    fflush(NULL); /* or buffered output is written twice, once by each process */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return swirl__error(swirl__neg_errno(), "process: fork:");
    p->started = true;
    if (pid == 0) {
        swirl__process_enter_child(p, parent, false);
        swirl__process_run_child(p);
    }
    p->pid = pid;
    close_fd(&p->fds[1]); /* the child's end */
    return pid;
}

pid_t swirl_process_pid(const swirl_process_t *p) { return p->pid; }

int swirl_process_fd(const swirl_process_t *p) { return p->fd; }

int swirl_process_exec(swirl_process_t *p, const char *path, char *const argv[]) {
    if (!p->in_child)
        return swirl__error(SWIRL_ESTATE, "process: exec is for the child");
    if (!path || !*path)
        return swirl__error(SWIRL_EBADARG, "process: exec: empty path");
    char *const def[] = {(char *)path, NULL};
    fflush(NULL);
    if (watcher(p))
        swirl_process_unwatch(p);
    execv(path, argv ? argv : def);
    return swirl__error(swirl__neg_errno(), "process: exec %s:", path);
}

/* ---- the pipe ------------------------------------------------------------------------------ */

ssize_t swirl_process_write(swirl_process_t *p, const void *data, size_t len) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: write: no pipe");
    if (watcher(p))
        return swirl_loop_write(p->loop, p->fd, data, len);
    if (p->pipe_type == SWIRL_PIPE_DGRAM) {
        for (;;) {
            ssize_t n = send(p->fd, data, len, MSG_NOSIGNAL | dontwait(p));
            if (n >= 0)
                return n;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                int rc = wait_ready_for(p, POLLOUT);
                if (rc == 0)
                    continue;
                return rc;
            }
            if (errno == EMSGSIZE)
                return swirl__error(SWIRL_ETOOBIG,
                                    "process: write: a datagram of %zu bytes is too large for "
                                    "the pipe",
                                    len);
            return swirl__error(swirl__neg_errno(), "process: write:");
        }
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(p->fd, (const char *)data + done, len - done, MSG_NOSIGNAL | dontwait(p));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                int rc = wait_ready_for(p, POLLOUT);
                if (rc == 0)
                    continue;
                return done ? (ssize_t)done : rc;
            }
            return swirl__error(swirl__neg_errno(), "process: write:");
        }
        done += (size_t)n;
    }
    return (ssize_t)len;
}

ssize_t swirl_process_read(swirl_process_t *p, void *buf, size_t cap) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: read: no pipe");
    for (;;) {
        ssize_t n;
        if (p->pipe_type == SWIRL_PIPE_DGRAM) {
            /* learn the size first, so a message too big for `buf` stays */
            n = recv(p->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | dontwait(p));
            if (n > (ssize_t)cap)
                return swirl__error(SWIRL_ETOOBIG,
                                    "process: read: a message of %zd bytes does not fit in %zu", n,
                                    cap);
            if (n >= 0)
                n = recv(p->fd, buf, cap, dontwait(p));
        } else {
            n = recv(p->fd, buf, cap, dontwait(p));
        }
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN && !watcher(p)) {
            /* blocking, as documented, whatever another process set */
            int rc = wait_ready_for(p, POLLIN);
            if (rc == 0)
                continue;
            return rc;
        }
        if (errno == EAGAIN)
            return -EAGAIN;
        return swirl__error(swirl__neg_errno(), "process: read:");
    }
}

int swirl_process_attach(swirl_process_t **out, int fd, pid_t pid, int id) {
    if (!out)
        return SWIRL_EBADARG;
    swirl_process_t *p = swirl_calloc(1, sizeof(*p));
    if (!p)
        return swirl__error(-ENOMEM, "process:");
    p->fds[0] = p->fds[1] = -1;
    p->fd = fd;
    p->borrowed = true;
    p->pipe_type = fd >= 0 ? SWIRL_PIPE_DGRAM : SWIRL_PIPE_NONE;
    p->msgq = -1;
    p->timeout_ms = -1;
    p->started = true;
    p->pid = pid;
    p->id = id - 1;
    /* not in the live list: a child forked later must keep the pool's pipes */
    *out = p;
    return 0;
}

int swirl_process_set_timeout(swirl_process_t *p, double seconds) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: set_timeout: no pipe");
    if (seconds != seconds) /* NaN */
        return swirl__error(SWIRL_EBADARG, "process: set_timeout: not a number");
    if (seconds < 0)
        p->timeout_ms = -1;
    else if (seconds * 1000 >= INT_MAX)
        p->timeout_ms = INT_MAX;
    else
        p->timeout_ms = (int)(seconds * 1000 + 0.5) ? (int)(seconds * 1000 + 0.5) : 1;
    return 0;
}

int swirl_process_set_blocking(swirl_process_t *p, bool blocking) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: set_blocking: no pipe");
    p->nonblocking = !blocking;
    return 0;
}

int swirl_process_id(const swirl_process_t *p) { return p->id + 1; }

/* `who` NULL: the object's process, for PRIO_PROCESS only (Swoole's rule). */
static int priority_who(const swirl_process_t *p, int which, const int *who, int *out) {
    if (who) {
        *out = *who;
        return 0;
    }
    if (which != PRIO_PROCESS || !p)
        return swirl__error(SWIRL_EBADARG, "process: priority: $who must not be null");
    *out = p->pid;
    return 0;
}

int swirl_process_set_priority(const swirl_process_t *p, int which, const int *who, int prio) {
    int w = 0;
    int rc = priority_who(p, which, who, &w);
    if (rc < 0)
        return rc;
    if (setpriority(which, (id_t)w, prio) < 0)
        return swirl__error(swirl__neg_errno(), "process: setpriority(%d, %d, %d):", which, w,
                            prio);
    return 0;
}

int swirl_process_get_priority(const swirl_process_t *p, int which, const int *who, int *prio) {
    int w = 0;
    int rc = priority_who(p, which, who, &w);
    if (rc < 0)
        return rc;
    errno = 0;
    int v = getpriority(which, (id_t)w);
    if (v == -1 && errno != 0)
        return swirl__error(swirl__neg_errno(), "process: getpriority(%d, %d):", which, w);
    *prio = v;
    return 0;
}

static void on_pipe(swirl_loop_t *loop, int fd, int events, void *user) {
    swirl_process_t *p = user;
    p->on_read(p, p->watch_user);
}

int swirl_process_watch(swirl_process_t *p, swirl_loop_t *loop, swirl_process_read_cb on_read,
                        void *user) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: watch: no pipe");
    if (watcher(p))
        return swirl__error(SWIRL_ESTATE, "process: watch: already watched");
    if (!loop || !on_read)
        return swirl__error(SWIRL_EBADARG, "process: watch: no loop or no callback");
    int rc = swirl_loop_add(loop, p->fd, SWIRL_EV_READ, on_pipe, NULL, p);
    if (rc < 0)
        return rc;
    int fl = fcntl(p->fd, F_GETFL);
    fcntl(p->fd, F_SETFL, fl | O_NONBLOCK);
    p->loop = loop;
    p->watch_pid = getpid();
    p->on_read = on_read;
    p->watch_user = user;
    return 0;
}

int swirl_process_unwatch(swirl_process_t *p) {
    if (!watcher(p))
        return swirl__error(SWIRL_ENOTREG, "process: unwatch: not watched");
    swirl_loop_del(p->loop, p->fd);
    int fl = fcntl(p->fd, F_GETFL);
    fcntl(p->fd, F_SETFL, fl & ~O_NONBLOCK);
    p->loop = NULL;
    return 0;
}

int swirl_process_close(swirl_process_t *p) {
    if (p->fd < 0)
        return swirl__error(SWIRL_ESTATE, "process: close: no pipe");
    if (p->borrowed)
        return swirl__error(SWIRL_ESTATE, "process: close: the pipe belongs to its pool");
    if (watcher(p))
        swirl_process_unwatch(p);
    /* before start both ends are ours */
    close_fd(&p->fds[0]);
    close_fd(&p->fds[1]);
    p->fd = -1;
    return 0;
}
