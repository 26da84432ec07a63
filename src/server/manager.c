/* src/server/manager.c — the manager: forks the workers, reaps them with
 * waitpid(-1, WNOHANG) and replaces any that dies, with a growing delay for
 * one that keeps dying at start, and stops them all on SIGTERM. It is the
 * master itself in BASE mode with several workers. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

#define QUICK_DEATH_MS 1000 /* a worker dead sooner than this after start is failing */
#define BACKOFF_MAX_MS 5000
#define STOP_WAIT_MS 3000

typedef struct {
    swirl_server_t *srv;
    swirl_loop_t *loop;
    pid_t pids[SWIRL__MAX_WORKERS];
    uint64_t started_ms[SWIRL__MAX_WORKERS];
    int64_t backoff_ms[SWIRL__MAX_WORKERS];
    bool stopping;
} manager_t;

typedef struct {
    manager_t *m;
    int id;
} respawn_t;

static void spawn(manager_t *m, int id) {
    pid_t pid = swirl__worker_spawn(m->srv, id);
    if (pid < 0) {
        swirl_log_error("manager: fork of worker %d: %s", id, swirl_strerror(pid));
        m->pids[id] = 0;
        return;
    }
    m->pids[id] = pid;
    m->started_ms[id] = swirl_clock_ms();
}

static void on_respawn(swirl_loop_t *loop, int64_t tid, void *user) {
    respawn_t *r = user;
    if (!r->m->stopping && r->m->pids[r->id] == 0)
        spawn(r->m, r->id);
    swirl_free(r);
}

static void reap(manager_t *m) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int id = -1;
        for (int i = 0; i < m->srv->worker_num; i++)
            if (m->pids[i] == pid)
                id = i;
        if (id < 0)
            continue;
        m->pids[id] = 0;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (m->stopping)
            continue;
        if (code != 0 || sig != 0) {
            swirl_log_warning("manager: worker %d (pid %d) died (exit code %d, signal %d); "
                              "replacing it",
                              id, (int)pid, code, sig);
            swirl_event_t ev = {.type = SWIRL_ON_WORKER_ERROR, .worker_id = id, .pid = pid,
                                .exit_code = code, .signo = sig};
            swirl__emit(m->srv, &ev);
        }
        /* a worker that dies right after starting gets a growing delay, so
         * a crash at start is a slow retry loop, never a fork storm */
        bool quick = swirl_clock_ms() - m->started_ms[id] < QUICK_DEATH_MS;
        m->backoff_ms[id] = quick ? (m->backoff_ms[id] ? m->backoff_ms[id] * 2 : 100) : 0;
        if (m->backoff_ms[id] > BACKOFF_MAX_MS)
            m->backoff_ms[id] = BACKOFF_MAX_MS;
        if (m->backoff_ms[id] == 0) {
            spawn(m, id);
            continue;
        }
        respawn_t *r = swirl_malloc(sizeof(*r));
        if (!r || swirl_timer_after(m->loop, m->backoff_ms[id], on_respawn, r) < 0) {
            swirl_free(r);
            spawn(m, id);
            continue;
        }
        *r = (respawn_t){m, id};
    }
}

static void on_signal(swirl_loop_t *loop, int signo, void *user) {
    manager_t *m = user;
    if (signo == SIGCHLD) {
        reap(m);
        return;
    }
    swirl_loop_stop(loop);
}

static void stop_workers(manager_t *m) {
    m->stopping = true;
    for (int i = 0; i < m->srv->worker_num; i++)
        if (m->pids[i] > 0)
            kill(m->pids[i], SIGTERM);
    uint64_t deadline = swirl_clock_ms() + STOP_WAIT_MS;
    for (;;) {
        int left = 0, status;
        for (int i = 0; i < m->srv->worker_num; i++) {
            if (m->pids[i] > 0 && waitpid(m->pids[i], &status, WNOHANG) == m->pids[i])
                m->pids[i] = 0;
            left += m->pids[i] > 0;
        }
        if (left == 0)
            return;
        if (swirl_clock_ms() > deadline) {
            for (int i = 0; i < m->srv->worker_num; i++)
                if (m->pids[i] > 0) {
                    swirl_log_warning("manager: worker %d (pid %d) did not stop in %d ms; "
                                      "killing it",
                                      i, (int)m->pids[i], STOP_WAIT_MS);
                    kill(m->pids[i], SIGKILL);
                    waitpid(m->pids[i], &status, 0);
                    m->pids[i] = 0;
                }
            return;
        }
        usleep(5000);
    }
}

int swirl__manager_run(swirl_server_t *srv) {
    manager_t m = {.srv = srv};
    int rc = swirl_loop_new(&m.loop);
    if (rc < 0)
        return rc;
    srv->loop = m.loop;
    atomic_store(&srv->shared->manager_pid, getpid());
    /* SIGCHLD must be watched before the first fork, or an early death is missed */
    swirl_signal_add(m.loop, SIGCHLD, on_signal, &m);
    swirl_signal_add(m.loop, SIGTERM, on_signal, &m);
    swirl_signal_add(m.loop, SIGINT, on_signal, &m);
    swirl_event_t ev = {.type = SWIRL_ON_MANAGER_START};
    swirl__emit(srv, &ev);
    for (int i = 0; i < srv->worker_num; i++)
        spawn(&m, i);
    if (srv->mode == SWIRL_MODE_BASE) {
        ev = (swirl_event_t){.type = SWIRL_ON_START};
        swirl__emit(srv, &ev);
    }
    if (!atomic_load(&srv->shared->shutdown))
        swirl_loop_run(m.loop);
    atomic_store(&srv->shared->shutdown, 1);
    stop_workers(&m);
    ev = (swirl_event_t){.type = SWIRL_ON_MANAGER_STOP};
    swirl__emit(srv, &ev);
    srv->loop = NULL;
    swirl_loop_free(m.loop); /* pending respawn timers go with it */
    return 0;
}
