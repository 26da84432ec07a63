/* src/process/supervisor.c — children kept running, by id: forked through
 * the owner's spawn, reaped with waitpid(-1, WNOHANG) on SIGCHLD, and each
 * one that ends started again, at once or after a back-off. The process
 * pool (pool.c) and the server's manager (server/manager.c) both supervise
 * through it.
 *
 * The back-off rule: a child that ends within SUP_QUICK_MS of its start
 * having failed (an exit code, a signal), or having exited cleanly but
 * served nothing (its owner's `served` count unchanged since its start;
 * without a count, nothing is ever served), is failing: it is started
 * again after a delay, 100 ms doubling up to 5 s while it keeps ending so
 * (no fork storm). Any other end (a failure after a while, an exit the
 * owner expected) is replaced at once, and resets the delay. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "../core/internal.h"
#include "internal.h"

#define SUP_QUICK_MS 1000 /* a child dead sooner than this after its start is failing */
#define SUP_BACKOFF_FIRST_MS 100
#define SUP_BACKOFF_MAX_MS 5000

int swirl__supervisor_init(swirl__supervisor_t *s, swirl_loop_t *loop, int n,
                           const swirl__supervisor_ops_t *ops, void *owner) {
    *s = (swirl__supervisor_t){.loop = loop, .n = n, .ops = ops, .owner = owner};
    if (!(s->kids = swirl_calloc((size_t)n, sizeof(*s->kids))))
        return swirl__error(-ENOMEM, "supervisor: %d children:", n);
    return 0;
}

void swirl__supervisor_destroy(swirl__supervisor_t *s) {
    swirl_free(s->kids);
    s->kids = NULL;
    s->n = 0;
}

pid_t swirl__supervisor_pid(const swirl__supervisor_t *s, int id) {
    return s->kids && id >= 0 && id < s->n ? s->kids[id].pid : 0;
}

void swirl__supervisor_start(swirl__supervisor_t *s, int id) {
    swirl__child_t *k = &s->kids[id];
    /* counted before the fork: what the new child serves is its own */
    k->served = s->ops->served ? s->ops->served(s->owner, id) : 0;
    pid_t pid = s->ops->spawn(s->owner, id);
    if (pid < 0) {
        k->pid = 0;
        return;
    }
    k->pid = pid;
    k->started_ms = swirl_clock_ms();
    s->alive++;
}

static void on_restart(swirl_loop_t *loop, int64_t tid, void *user) {
    swirl__supervisor_t *s = user;
    for (int id = 0; id < s->n; id++)
        if (s->kids[id].timer == tid) {
            s->kids[id].timer = 0;
            if (!s->stopping && s->kids[id].pid == 0)
                swirl__supervisor_start(s, id);
        }
}

static void ended(swirl__supervisor_t *s, int id, pid_t pid, int status) {
    swirl__child_t *k = &s->kids[id];
    swirl__child_end_t e = {
        .id = id,
        .pid = pid,
        .code = WIFEXITED(status) ? WEXITSTATUS(status) : 0,
        .signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0,
        .lived_ms = swirl_clock_ms() - k->started_ms,
        .idle = !s->ops->served || s->ops->served(s->owner, id) == k->served,
    };
    int kind = s->ops->ended(s->owner, &e);
    bool failing = e.lived_ms < SUP_QUICK_MS &&
                   (kind == SWIRL__CHILD_FAILED || (kind == SWIRL__CHILD_CLEAN && e.idle));
    k->backoff_ms = failing ? (k->backoff_ms ? k->backoff_ms * 2 : SUP_BACKOFF_FIRST_MS) : 0;
    if (k->backoff_ms > SUP_BACKOFF_MAX_MS)
        k->backoff_ms = SUP_BACKOFF_MAX_MS;
    int64_t t = k->backoff_ms ? swirl_timer_after(s->loop, k->backoff_ms, on_restart, s) : 0;
    if (t > 0)
        k->timer = t;
    else
        swirl__supervisor_start(s, id);
    if (s->ops->restarted)
        s->ops->restarted(s->owner, &e, kind, t > 0 ? k->backoff_ms : 0);
}

void swirl__supervisor_reap(swirl__supervisor_t *s) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0 || (pid < 0 && errno == EINTR)) {
        if (pid < 0)
            continue;
        int id = -1;
        for (int i = 0; i < s->n; i++)
            if (s->kids[i].pid == pid)
                id = i;
        if (id < 0)
            continue; /* some other child of this process's */
        s->kids[id].pid = 0;
        s->alive--;
        if (!s->stopping)
            ended(s, id, pid, status);
    }
}

void swirl__supervisor_detach(swirl__supervisor_t *s, int id) {
    if (id < 0 || id >= s->n || s->kids[id].pid <= 0)
        return;
    s->kids[id].pid = 0; /* its end is reaped as another child's, unseen */
    s->alive--;
    if (!s->stopping)
        swirl__supervisor_start(s, id);
}

void swirl__supervisor_stop(swirl__supervisor_t *s) {
    s->stopping = true;
    for (int id = 0; id < s->n; id++)
        if (s->kids[id].timer) {
            swirl_timer_clear(s->loop, s->kids[id].timer);
            s->kids[id].timer = 0;
        }
}

pid_t swirl__supervisor_poll(swirl__supervisor_t *s, int id) {
    pid_t pid = swirl__supervisor_pid(s, id);
    int status;
    if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
        s->kids[id].pid = 0;
        s->alive--;
        return 0;
    }
    return pid;
}

void swirl__supervisor_kill(swirl__supervisor_t *s, int id) {
    pid_t pid = swirl__supervisor_pid(s, id);
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    s->kids[id].pid = 0;
    s->alive--;
}
