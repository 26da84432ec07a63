/* src/process/daemon.c — what swirl_process_* does to the calling process:
 * exit, kill, wait, daemon, signals, interval timers, CPU affinity and the
 * process title. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <swirl/core.h>
#include <swirl/process.h>

#include "../core/internal.h"
#include "internal.h"

void swirl_process_exit(int status) {
    fflush(NULL);
    if (status == 0)
        exit(0);
    _exit(status);
}

int swirl_process_kill(pid_t pid, int signo) {
    if (pid <= 0)
        return swirl__error(
            SWIRL_EBADARG, "process: kill: pid %ld refused (only one process, pid > 0)", (long)pid);
    if (signo < 0 || signo > SIGRTMAX)
        return swirl__error(SWIRL_EBADARG, "process: kill: bad signal %d", signo);
    if (kill(pid, signo) != 0)
        return swirl__error(swirl__neg_errno(), "process: kill %ld:", (long)pid);
    return 0;
}

pid_t swirl_process_wait(bool blocking, swirl_process_status_t *st) {
    int status;
    pid_t pid;
    do
        pid = waitpid(-1, &status, blocking ? 0 : WNOHANG);
    while (pid < 0 && errno == EINTR);
    if (pid < 0)
        return errno == ECHILD ? -ECHILD : swirl__error(swirl__neg_errno(), "wait:");
    if (pid > 0 && st) {
        st->pid = pid;
        st->code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        st->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return pid;
}

int swirl_process_daemon(bool nochdir, bool noclose) {
    int nullfd = -1;
    if (!noclose) {
        nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nullfd < 0)
            return swirl__error(swirl__neg_errno(), "daemon: /dev/null:");
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int rc = swirl__neg_errno();
        if (nullfd >= 0)
            close(nullfd);
        return swirl__error(rc, "daemon: fork:");
    }
    if (pid > 0)
        _exit(0);
    /* the daemon outlives whoever started it */
    prctl(PR_SET_PDEATHSIG, 0);
    setsid();
    if (!nochdir && chdir("/") != 0)
        swirl_log_warning("daemon: chdir /: %s", strerror(errno));
    if (nullfd >= 0) {
        dup2(nullfd, STDIN_FILENO);
        dup2(nullfd, STDOUT_FILENO);
        dup2(nullfd, STDERR_FILENO);
        if (nullfd > STDERR_FILENO)
            close(nullfd);
    }
    return 0;
}

int swirl_process_signal(swirl_loop_t *loop, int signo, swirl_signal_cb cb, void *user) {
    if (!loop)
        return swirl__error(SWIRL_EBADARG, "signal %d: no loop", signo);
    if (!cb)
        return swirl_signal_del(loop, signo);
    return swirl_signal_add(loop, signo, cb, user);
}

int swirl_process_set_name(const char *name) {
    if (!name || !*name)
        return swirl__error(SWIRL_EBADARG, "process name: empty");
    swirl__proctitle_set(name);
    return 0;
}

int swirl_process_alarm(int64_t usec, int type) {
    static const int which[] = {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF};
    if (type < SWIRL_ALARM_REAL || type > SWIRL_ALARM_PROF)
        return swirl__error(SWIRL_EBADARG,
                            "alarm: type %d: expected 0 (real), 1 (virtual) or 2 (prof)", type);
    struct itimerval it = {{0, 0}, {0, 0}};
    if (usec > 0) {
        it.it_interval.tv_sec = (time_t)(usec / 1000000);
        it.it_interval.tv_usec = (suseconds_t)(usec % 1000000);
        it.it_value = it.it_interval;
    }
    if (setitimer(which[type], &it, NULL) != 0)
        return swirl__error(swirl__neg_errno(), "alarm %lld us:", (long long)usec);
    return 0;
}

int swirl_cpu_num(void) {
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n > 0 ? (int)n : 1;
}

int swirl_process_set_affinity(const int *cpus, size_t n) {
    if (!cpus || n == 0)
        return swirl__error(SWIRL_EBADARG, "affinity: no CPU given");
    int ncpu = swirl_cpu_num();
    cpu_set_t set;
    CPU_ZERO(&set);
    for (size_t i = 0; i < n; i++) {
        if (cpus[i] < 0 || cpus[i] >= ncpu || cpus[i] >= CPU_SETSIZE)
            return swirl__error(SWIRL_EBADARG,
                                "affinity: CPU %d does not exist (this machine has %d: 0..%d)",
                                cpus[i], ncpu, ncpu - 1);
        CPU_SET(cpus[i], &set);
    }
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        return swirl__error(swirl__neg_errno(),
                            "affinity: none of the %zu CPUs is usable here:", n);
    return 0;
}

int swirl_process_get_affinity(int *cpus, size_t cap) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return swirl__error(swirl__neg_errno(), "affinity:");
    int n = 0;
    for (int i = 0; i < CPU_SETSIZE; i++) {
        if (!CPU_ISSET(i, &set))
            continue;
        if (cpus && (size_t)n < cap)
            cpus[n] = i;
        n++;
    }
    return n;
}

int swirl_process_stdio_from(const int fds[3]) {
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0 || fds[i] == i)
            continue;
        int rc;
        while ((rc = dup2(fds[i], i)) < 0 && errno == EINTR)
            ;
        if (rc < 0)
            return swirl__error(swirl__neg_errno(), "process: dup2(%d, %d):", fds[i], i);
    }
    return 0;
}
