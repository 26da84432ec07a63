/* src/server/manager.c — the manager: keeps the workers, task workers and
 * user processes running; reloads them one at a time; stops them on
 * SIGTERM. The children are kept running by the process layer's
 * supervisor (src/process/supervisor.c: reaping, restarts, the back-off of
 * a child that fails right after starting, or exits cleanly that soon
 * having served nothing); the manager says how to fork each and how to
 * take its end. It is the master itself in BASE mode with several
 * workers.
 *
 * Signals: SIGTERM (SIGINT too when it is the master) shut down; SIGUSR1
 * reloads every worker and task worker; SIGUSR2 the task workers only;
 * SIGRTMIN reopens the log file and is passed on to the workers. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../process/internal.h"
#include "internal.h"
#include "worker.h"

#define KILL_GRACE_MS 1000 /* past max_wait_time, before SIGKILL */

typedef struct {
    swirl_server_t *srv;
    swirl_loop_t *loop;
    swirl__supervisor_t sup; /* workers, task workers, then user processes, by id */
    /* reload: workers are replaced one at a time, in id order */
    bool reloading, reload_again;
    bool reload_tasks_only, again_tasks_only;
    int reload_id; /* the worker being replaced */
    /* user processes: consecutive ends soon after their start (the first
     * is replaced at once, as Swoole does; from the second on, backed off) */
    int quick_ends[SWIRL__MAX_PROCESSES];
    int64_t reload_kill_timer;
} manager_t;

/* Workers, then task workers: what reloads replace. */
static int nprocs(const manager_t *m) { return m->srv->worker_num + m->srv->task_worker_num; }
/* ... then user processes: every child the manager keeps running. */
static int nchildren(const manager_t *m) { return nprocs(m) + m->srv->nprocs; }

/* A user process: its function, with signals at their defaults. */
static pid_t spawn_user(swirl_server_t *srv, int k) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid < 0 ? swirl__neg_errno() : pid;
    swirl__child_setup(parent);
    swirl__signals_unblock_all();
    swirl_loop_forget(srv->loop);
    srv->loop = NULL;
    srv->role = SWIRL__ROLE_WORKER;
    srv->worker_id = -1;
    srv->sender_id = srv->worker_num + srv->task_worker_num + k;
    /* its pid is in the table before its function runs (the manager stores
     * it too, after fork returns there: maybe later than the child's first
     * words, which a worker's swirl_server_worker_pid must already match) */
    atomic_store(&srv->shared->proc_pids[k], getpid());
    swirl__set_title("process", k);
    if (srv->procs[k].proc) {
        /* a process object: its child side, its function; both pipe ends
         * stay open in the manager, so the next copy after a restart talks
         * on the same pipe */
        swirl__process_enter_child(srv->procs[k].proc, parent, true);
        swirl__process_run_child(srv->procs[k].proc);
    }
    srv->procs[k].fn(srv, k, srv->procs[k].user);
    _exit(0);
}

static pid_t spawn(void *owner, int id) {
    manager_t *m = owner;
    pid_t pid =
        id >= nprocs(m) ? spawn_user(m->srv, id - nprocs(m)) : swirl__worker_spawn(m->srv, id);
    if (pid < 0)
        swirl_log_error("manager: fork of worker %d: %s", id, swirl_strerror(pid));
    else if (id >= nprocs(m))
        atomic_store(&m->srv->shared->proc_pids[id - nprocs(m)], pid);
    return pid;
}

/* A worker's `requests`: one that exits cleanly soon after its start
 * having served nothing is backed off too (exit(0) or stop() in
 * workerStart would restart it at once, for ever). */
static int64_t served(void *owner, int id) {
    manager_t *m = owner;
    return id < nprocs(m) ? atomic_load(&m->srv->shared->workers[id].requests) : 0;
}

static pid_t pid_of(const manager_t *m, int id) { return swirl__supervisor_pid(&m->sup, id); }

/* ---- reload ------------------------------------------------------------------------------ */

static void reload_next(manager_t *m);

static void on_reload_overdue(swirl_loop_t *loop, int64_t tid, void *user) {
    manager_t *m = user;
    m->reload_kill_timer = 0;
    int id = m->reload_id;
    if (id >= 0 && pid_of(m, id) > 0) {
        swirl_log_warning("manager: worker %d (pid %d) did not finish within max_wait_time "
                          "(%llds) during reload; killing it",
                          id, (int)pid_of(m, id), (long long)m->srv->settings.max_wait_time);
        kill(pid_of(m, id), SIGKILL); /* reaped (and replaced) as usual */
    }
}

/* Ask the next worker to stop; its exit (reap) starts its successor and
 * then the one after. */
static void reload_next(manager_t *m) {
    for (int id = m->reload_id + 1; id < nprocs(m); id++) {
        if (pid_of(m, id) <= 0)
            continue; /* being restarted anyway */
        if (m->reload_tasks_only && id < m->srv->worker_num)
            continue;
        m->reload_id = id;
        kill(pid_of(m, id), SIGTERM);
        int64_t ms = m->srv->settings.max_wait_time * 1000 + KILL_GRACE_MS;
        int64_t t = swirl_timer_after(m->loop, ms, on_reload_overdue, m);
        m->reload_kill_timer = t > 0 ? t : 0;
        return;
    }
    m->reloading = false;
    m->reload_id = -1;
    swirl_log_debug("manager: reload done");
    swirl_event_t ev = {.type = SWIRL_ON_AFTER_RELOAD};
    swirl__emit(m->srv, &ev);
    if (m->reload_again) {
        m->reload_again = false;
        m->reloading = true;
        m->reload_tasks_only = m->again_tasks_only;
        reload_next(m);
    }
}

static void start_reload(manager_t *m, bool tasks_only) {
    if (swirl__supervisor_stopping(&m->sup))
        return;
    if (tasks_only && m->srv->task_worker_num == 0) {
        swirl_log_warning("cannot reload task workers, task workers is not started");
        return;
    }
    if (m->reloading) { /* once this round ends: the newest code for everyone */
        m->again_tasks_only = m->reload_again ? m->again_tasks_only && tasks_only : tasks_only;
        m->reload_again = true;
        return;
    }
    /* Swoole's words: a log at the default level says it (tests look for them) */
    swirl_log_info("Server is reloading %s now", tasks_only ? "task workers" : "all workers");
    swirl_log_debug("manager: reloading %d %s, one at a time",
                    tasks_only ? m->srv->task_worker_num : nprocs(m),
                    tasks_only ? "task workers" : "workers");
    swirl_event_t ev = {.type = SWIRL_ON_BEFORE_RELOAD};
    swirl__emit(m->srv, &ev);
    m->reloading = true;
    m->reload_tasks_only = tasks_only;
    m->reload_id = -1;
    reload_next(m);
}

/* ---- ends ---------------------------------------------------------------------------------- */

/* Log a child's end and say how the supervisor takes it: a failure, a
 * clean exit, or an end someone asked for, replaced at once: a reload's,
 * or (as Swoole) a worker stopped by a SIGTERM from anyone or killed with
 * SIGKILL or SIGTERM — only ends of its own (an exit, a crash) are backed
 * off when they come soon after the start. A user process is meant to run
 * for ever: any end of one is a failure, replaced at once the first time
 * it comes soon after the start (a kill), backed off from the second. */
static int ended(void *owner, const swirl__child_end_t *e) {
    manager_t *m = owner;
    if (e->id >= nprocs(m)) {
        int k = e->id - nprocs(m);
        swirl_log_info("manager: user process %d (pid %d) exited (exit code %d, signal %d); "
                       "restarting it",
                       k, (int)e->pid, e->code, e->signo);
        if (e->lived_ms >= 1000)
            m->quick_ends[k] = 0;
        return e->lived_ms < 1000 && m->quick_ends[k]++ == 0 ? SWIRL__CHILD_EXPECTED
                                                             : SWIRL__CHILD_FAILED;
    }
    if (e->code != 0 || e->signo != 0) {
        swirl_log_warning("manager: worker %d (pid %d) died (exit code %d, signal %d); "
                          "replacing it",
                          e->id, (int)e->pid, e->code, e->signo);
        swirl_event_t ev = {.type = SWIRL_ON_WORKER_ERROR,
                            .worker_id = e->id,
                            .pid = e->pid,
                            .exit_code = e->code,
                            .signo = e->signo};
        swirl__emit(m->srv, &ev);
        return e->signo == SIGKILL || e->signo == SIGTERM ? SWIRL__CHILD_EXPECTED
                                                          : SWIRL__CHILD_FAILED;
    }
    if (m->reloading && e->id == m->reload_id)
        return SWIRL__CHILD_EXPECTED;
    return atomic_load(&m->srv->shared->workers[e->id].sigterm) ? SWIRL__CHILD_EXPECTED
                                                                 : SWIRL__CHILD_CLEAN;
}

/* Restarted (or its timer set): say why a clean exit waits, and go on
 * with a reload that was waiting for this end. */
static void restarted(void *owner, const swirl__child_end_t *e, int kind, int64_t delay_ms) {
    manager_t *m = owner;
    if (delay_ms > 0 && kind == SWIRL__CHILD_CLEAN)
        swirl_log_debug("manager: worker %d (pid %d) exited %llu ms after its start, having "
                        "served nothing; restarting it with a delay",
                        e->id, (int)e->pid, (unsigned long long)e->lived_ms);
    if (delay_ms > 0)
        swirl_log_debug("manager: restarting worker %d in %lld ms", e->id, (long long)delay_ms);
    if (kind == SWIRL__CHILD_EXPECTED && m->reloading && e->id == m->reload_id) {
        if (m->reload_kill_timer > 0)
            swirl_timer_clear(m->loop, m->reload_kill_timer);
        m->reload_kill_timer = 0;
        reload_next(m);
    }
}

static const swirl__supervisor_ops_t manager_ops = {
    .spawn = spawn, .served = served, .ended = ended, .restarted = restarted};

/* ---- signals and stopping ---------------------------------------------------------------- */

static void on_signal(swirl_loop_t *loop, int signo, void *user) {
    manager_t *m = user;
    if (signo == SIGCHLD) {
        swirl__supervisor_reap(&m->sup);
    } else if (signo == SIGUSR1 || signo == SIGUSR2) {
        /* BASE: the workers forked from here take the certificates loaded now */
        if (signo == SIGUSR1 && m->srv->mode == SWIRL_MODE_BASE)
            swirl__server_tls_reload(m->srv);
        start_reload(m, signo == SIGUSR2);
    } else if (signo == SIGRTMIN) {
        swirl_log_reopen();
        for (int i = 0; i < nprocs(m); i++)
            if (pid_of(m, i) > 0)
                kill(pid_of(m, i), SIGRTMIN);
    } else if (signo == SIGINT && m->srv->mode == SWIRL_MODE_PROCESS) {
        /* Ctrl-C reaches the whole group: the master decides */
    } else {
        if (m->srv->mode == SWIRL_MODE_BASE)
            swirl_log_debug("server: %s received, shutting down", strsignal(signo));
        swirl_loop_stop(loop);
    }
}

/* Every worker finishes its work (max_wait_time), then is killed. */
static bool is_task_worker(const manager_t *m, int id) {
    return id >= m->srv->worker_num && id < nprocs(m);
}

/* SIGTERM to the children of one group (task workers or the others), then
 * wait for them: max_wait_time, a grace second, then SIGKILL. */
static void stop_group(manager_t *m, bool tasks) {
    for (int i = 0; i < nchildren(m); i++)
        if (pid_of(m, i) > 0 && is_task_worker(m, i) == tasks)
            kill(pid_of(m, i), SIGTERM);
    uint64_t deadline =
        swirl_clock_ms() + (uint64_t)m->srv->settings.max_wait_time * 1000u + KILL_GRACE_MS;
    for (;;) {
        int left = 0;
        for (int i = 0; i < nchildren(m); i++)
            if (is_task_worker(m, i) == tasks)
                left += swirl__supervisor_poll(&m->sup, i) > 0;
        if (left == 0)
            return;
        if (swirl_clock_ms() > deadline) {
            for (int i = 0; i < nchildren(m); i++)
                if (pid_of(m, i) > 0 && is_task_worker(m, i) == tasks) {
                    swirl_log_warning("manager: child %d (pid %d) did not stop within "
                                      "max_wait_time (%llds); killing it",
                                      i, (int)pid_of(m, i),
                                      (long long)m->srv->settings.max_wait_time);
                    swirl__supervisor_kill(&m->sup, i);
                }
            return;
        }
        usleep(2000);
    }
}

/* Shutdown: the workers (and user processes) first, then the task workers,
 * so a task sent by a worker finishing its last requests still runs. */
static void stop_workers(manager_t *m) {
    swirl__supervisor_stop(&m->sup);
    stop_group(m, false);
    stop_group(m, true);
}

/* Once a second: a task found no idle task worker since the last tick.
 * Swoole's line, with its function and error number (9007,
 * SW_ERROR_SERVER_NO_IDLE_WORKER). */
static void on_tick(swirl_loop_t *loop, int64_t tid, void *user) {
    (void)loop;
    (void)tid;
    manager_t *m = user;
    if (atomic_exchange(&m->srv->shared->task_no_idle, 0))
        swirl_log_warning("Server::timer_callback() (ERRNO 9007): No idle task worker is available");
}

int swirl__manager_run(swirl_server_t *srv) {
    manager_t m = {.srv = srv, .reload_id = -1};
    int rc = swirl_loop_new(&m.loop);
    if (rc < 0)
        return rc;
    if ((rc = swirl__supervisor_init(&m.sup, m.loop, nchildren(&m), &manager_ops, &m)) < 0) {
        swirl_loop_free(m.loop);
        return rc;
    }
    srv->loop = m.loop;
    if (getpid() != srv->master_pid)
        swirl__set_title("manager", -1);
    swirl_log_set_role('$', 0);
    atomic_store(&srv->shared->manager_pid, getpid());
    /* SIGCHLD must be watched before the first fork, or an early death is missed */
    const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGRTMIN};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        swirl_signal_add(m.loop, sigs[i], on_signal, &m);
    if ((rc = swirl__command_manager_listen(srv, m.loop)) < 0)
        swirl_log_warning("manager: commands: %s", swirl_last_error_msg());
    /* as Swoole: managerStart once the workers are forked (a task() or
     * sendMessage() there reaches running processes) */
    for (int i = 0; i < nchildren(&m); i++)
        swirl__supervisor_start(&m.sup, i);
    int64_t tick = srv->task_worker_num > 0 ? swirl_timer_tick(m.loop, 1000, on_tick, &m) : 0;
    if (tick < 0)
        swirl_log_warning("manager: cannot start its 1 s timer: %s", swirl_strerror((int)tick));
    swirl_event_t ev = {.type = SWIRL_ON_MANAGER_START};
    swirl__emit(srv, &ev);
    if (srv->mode == SWIRL_MODE_BASE) {
        ev = (swirl_event_t){.type = SWIRL_ON_START};
        swirl__emit(srv, &ev);
    }
    if (!atomic_load(&srv->shared->shutdown))
        swirl_loop_run(m.loop);
    if (srv->mode == SWIRL_MODE_BASE) {
        ev = (swirl_event_t){.type = SWIRL_ON_BEFORE_SHUTDOWN};
        swirl__emit(srv, &ev);
    }
    atomic_store(&srv->shared->shutdown, 1);
    stop_workers(&m);
    ev = (swirl_event_t){.type = SWIRL_ON_MANAGER_STOP};
    swirl__emit(srv, &ev);
    srv->loop = NULL;
    swirl_loop_free(m.loop);
    swirl__supervisor_destroy(&m.sup);
    return 0;
}
