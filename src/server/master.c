/* src/server/master.c — PROCESS mode's master: forks the manager, starts
 * the reactor threads, waits for signals on its main thread, and stops
 * everything (the reactors through their phases, the manager by SIGTERM). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

/* ---- the master ------------------------------------------------------------------------ */

static void on_master_signal(swirl_loop_t *loop, int signo, void *user) {
    swirl_server_t *srv = user;
    pid_t manager = atomic_load(&srv->shared->manager_pid);
    if (signo == SIGPIPE) {
        /* sent by someone (the master's own writes never raise one: MSG_NOSIGNAL,
         * or taken away around the write, core/nopipe.c): logged as Swoole logs
         * a signal it has no handler for (721: Swoole's number for that error),
         * and the master goes on */
        swirl_log_warning("signal (ERRNO 721): Unable to find callback function for signal %s: %d",
                          strsignal(signo), signo);
        return;
    }
    if (signo == SIGUSR1 || signo == SIGUSR2) { /* reloads are the manager's */
        if (signo == SIGUSR1) /* ... but the reactors here hold the TLS contexts */
            swirl__server_tls_reload(srv);
        if (manager > 0)
            kill(manager, signo);
        return;
    }
    if (signo == SIGRTMIN) {
        swirl_log_reopen();
        if (manager > 0)
            kill(manager, signo);
        return;
    }
    if (signo == SIGCHLD) {
        pid_t mgr = atomic_load(&srv->shared->manager_pid);
        int status;
        if (mgr > 0 && waitpid(mgr, &status, WNOHANG) == mgr) {
            atomic_store(&srv->shared->manager_pid, 0);
            if (!atomic_load(&srv->shared->shutdown))
                swirl_log_error("server: the manager process exited unexpectedly; shutting down");
            swirl_loop_stop(loop);
        }
        return;
    }
    swirl_log_debug("server: %s received, shutting down", strsignal(signo));
    swirl_loop_stop(loop);
}

/* The signals the master's loop takes (SIGRTMIN is not a constant: filled at run). */
#define master_signals                                                                             \
    ((const int[]){SIGTERM, SIGINT, SIGCHLD, SIGUSR1, SIGUSR2, SIGRTMIN, SIGPIPE})

int swirl__process_mode_run(swirl_server_t *srv) {
    int rc;
    /* The master's signals wait (blocked) from before the first fork until
     * its loop watches them: a worker that calls shutdown() at once (in
     * workerStart) must not find the master with SIGTERM's default action */
    sigset_t ours, old;
    sigemptyset(&ours);
    const int sigs[] = {SIGTERM, SIGINT, SIGCHLD, SIGUSR1, SIGUSR2, SIGRTMIN};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&ours, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &ours, &old);
    pid_t mgr = fork();
    if (mgr < 0) {
        rc = swirl__error(swirl__neg_errno(), "server: fork of the manager:");
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return rc;
    }
    if (mgr == 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        swirl__child_setup(srv->master_pid);
        /* the manager needs only the worker ends */
        for (int r = 0; r < srv->reactor_num; r++)
            for (int w = 0; w < srv->worker_num; w++)
                close(srv->pipes[r][w][0]);
        srv->role = SWIRL__ROLE_MANAGER;
        _exit(swirl__manager_run(srv) < 0 ? 1 : 0);
    }
    atomic_store(&srv->shared->manager_pid, mgr);
    /* the master keeps the worker end of worker 0's pipes: its own sends
     * to connections (callbacks, timers) go to the reactors there (direct.c) */
    for (int r = 0; r < srv->reactor_num; r++)
        for (int w = 1; w < srv->worker_num; w++) {
            close(srv->pipes[r][w][1]);
            srv->pipes[r][w][1] = -1;
        }

    swirl_loop_t *loop = NULL;
    swirl__reactor_t *reactors[SWIRL__MAX_REACTORS] = {0};
    int started = 0;
    if (srv->master_loop)
        loop = srv->master_loop; /* the caller's: its timers run here */
    else if ((rc = swirl_loop_new(&loop)) < 0)
        goto stop;
    srv->loop = loop;
    /* Signals are the main thread's: block them before the threads exist so
     * they inherit the mask and never take one. */
    for (size_t i = 0; i < sizeof master_signals / sizeof master_signals[0]; i++)
        swirl_signal_add(loop, master_signals[i], on_master_signal, srv);
    for (int i = 0; i < srv->reactor_num; i++) {
        if (!(reactors[i] = swirl__reactor_start(srv, i))) {
            rc = swirl_last_error();
            goto stop;
        }
        started++;
    }
    swirl_event_t ev = {.type = SWIRL_ON_START};
    swirl__emit(srv, &ev);
    if (!atomic_load(&srv->shared->shutdown))
        swirl_loop_run(loop);
    rc = 0;
    ev = (swirl_event_t){.type = SWIRL_ON_BEFORE_SHUTDOWN};
    swirl__emit(srv, &ev);

stop:
    /* Graceful shutdown: the reactors stop accepting and reading; workers
     * finish what reached them (their replies are still written); once the
     * manager has stopped them all, each connection is closed after its
     * output drains. Every request read is answered, or its connection
     * closed deliberately at max_wait_time. */
    atomic_store(&srv->shared->shutdown, 1);
    swirl__reactors_set_phase(reactors, started, SWIRL__PHASE_QUIESCE);
    mgr = atomic_load(&srv->shared->manager_pid);
    if (mgr > 0) {
        kill(mgr, SIGTERM);
        /* the manager kills a worker at max_wait_time + 1 s; give it 1 s more */
        uint64_t deadline = swirl_clock_ms() + 1000u * (uint64_t)(srv->settings.max_wait_time + 2);
        int status;
        while (waitpid(mgr, &status, WNOHANG) == 0 && swirl_clock_ms() < deadline)
            usleep(2000);
        if (kill(mgr, 0) == 0) {
            swirl_log_warning("server: the manager did not stop in time; killing it");
            kill(mgr, SIGKILL);
            waitpid(mgr, &status, 0);
        }
        atomic_store(&srv->shared->manager_pid, 0);
    }
    swirl__reactors_set_phase(reactors, started, rc < 0 ? SWIRL__PHASE_END : SWIRL__PHASE_CLOSE);
    for (int i = 0; i < started; i++) {
        int r = swirl__reactor_join(reactors[i]);
        if (r < 0 && rc == 0)
            rc = r;
    }
    ev = (swirl_event_t){.type = SWIRL_ON_SHUTDOWN};
    swirl__emit(srv, &ev);
    srv->loop = NULL;
    if (loop && loop == srv->master_loop) { /* the caller's: only what was added here goes */
        for (size_t i = 0; i < sizeof master_signals / sizeof master_signals[0]; i++)
            swirl_signal_del(loop, master_signals[i]);
    } else {
        swirl_loop_free(loop);
    }
    /* a stop signal that came during the shutdown (a second SIGTERM) is
     * one more request to stop, served already: taken away before the
     * caller's mask comes back, or its default action would kill the
     * caller after a clean shutdown */
    sigset_t late;
    sigemptyset(&late);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (!sigismember(&old, sigs[i]))
            sigaddset(&late, sigs[i]);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&late, NULL, &zero) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
