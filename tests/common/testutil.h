/* tests/common/testutil.h — helpers shared by the Criterion tests: fd leak
 * checks, the teardown check every integration suite runs (TU_SUITE) and
 * small socket utilities. Header-only so each test binary stays one file. */
#ifndef SWIRL_TESTUTIL_H
#define SWIRL_TESTUTIL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/* A server forked by a test ends with _exit (it is a fork of a Criterion
 * test): run the leak check by hand so its leaks are reported too. */
#define TU_LEAK_CHECK() __lsan_do_leak_check()
#else
#define TU_LEAK_CHECK() ((void)0)
#endif

/* Number of open fds of this process (from /proc/self/fd, minus the one
 * opendir itself holds). */
static inline int tu_fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;
}

/* Snapshot at the start of a test, check at its end:
 *     TU_FD_BEGIN(); ... TU_FD_END(); */
#define TU_FD_BEGIN() const int tu_fds_before_ = tu_fd_count()
#define TU_FD_END()                                                                                \
    cr_assert_eq(tu_fd_count(), tu_fds_before_, "fd leak: %d open before, %d after",               \
                 tu_fds_before_, tu_fd_count())

/* System V message queues whose last message was sent by `pid` (the lspid
 * column of /proc/sysvipc/msg): a test's own queues, whatever their key. */
static inline int tu_queues_sent_by(pid_t pid) {
    FILE *f = fopen("/proc/sysvipc/msg", "re");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    if (fgets(line, sizeof(line), f))
        while (fgets(line, sizeof(line), f)) {
            long key, id, perms, cbytes, qnum, lspid;
            if (sscanf(line, "%ld %ld %lo %ld %ld %ld", &key, &id, &perms, &cbytes, &qnum,
                       &lspid) == 6 &&
                lspid == (long)pid)
                n++;
        }
    fclose(f);
    return n;
}

/* ---- teardown check ------------------------------------------------------------------------ */

/* Every integration suite declares itself with TU_SUITE(name): each of its
 * tests then runs in an IPC namespace of its own (unshare(CLONE_NEWIPC): the
 * System V objects of its servers are its own, not those of tests running
 * next to it), and after the test's own .fini this checks that the test
 * process holds no fd it did not hold before, has no child (a zombie or a
 * live one) it did not have before, and that no System V message queue,
 * semaphore set or shared memory segment is left in its namespace. Each
 * finding prints a line starting with "teardown leak:" naming the test and
 * what leaked (a fd's target, a child's pid and name, an object's key and
 * id); CTest fails the binary on that line (Criterion does not fail a test
 * from its teardown). Left-over children are killed and reaped. */
enum { TU_MAX_FD = 1024, TU_MAX_CHILD = 64 };
static __attribute__((unused)) struct {
    unsigned char fd[TU_MAX_FD / 8]; /* the fds open before the test */
    pid_t child[TU_MAX_CHILD];       /* the children there before the test */
    int nchild;
    bool own_ipc; /* the test runs in its own IPC namespace */
} tu_guard;

/* The open fds of this process, as a bit set (without opendir's own). */
static inline void tu_fd_set(unsigned char set[TU_MAX_FD / 8]) {
    memset(set, 0, TU_MAX_FD / 8);
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd != dirfd(d) && fd >= 0 && fd < TU_MAX_FD)
            set[fd / 8] |= (unsigned char)(1u << (fd % 8));
    }
    closedir(d);
}

/* Calls fn(pid, state, name) for each process whose parent is this one. */
static inline void tu_each_child(void (*fn)(pid_t pid, char state, const char *name)) {
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], line[512];
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        size_t n = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
        line[n] = 0;
        char *open = strchr(line, '('), *close = strrchr(line, ')');
        char state;
        int ppid;
        if (!open || !close || sscanf(close + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid())
            continue;
        *close = 0;
        fn((pid_t)atoi(e->d_name), state, open + 1);
    }
    closedir(d);
}

static inline void tu_note_child(pid_t pid, char state, const char *name) {
    (void)state, (void)name;
    if (tu_guard.nchild < TU_MAX_CHILD)
        tu_guard.child[tu_guard.nchild++] = pid;
}

static inline void tu_check_child(pid_t pid, char state, const char *name) {
    for (int i = 0; i < tu_guard.nchild; i++)
        if (tu_guard.child[i] == pid)
            return;
    fprintf(stderr, "teardown leak: %s::%s: child %d (%s) %s\n", criterion_current_suite->name,
            criterion_current_test->name, (int)pid, name, state == 'Z' ? "not reaped" : "alive");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Reports each object listed in /proc/sysvipc/<what> (this namespace's). */
static inline void tu_check_sysv(const char *what) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/sysvipc/%s", what);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(line, sizeof(line), f))
        while (fgets(line, sizeof(line), f)) {
            long key, id;
            if (sscanf(line, "%ld %ld", &key, &id) == 2)
                fprintf(stderr, "teardown leak: %s::%s: System V %s key 0x%lx id %ld\n",
                        criterion_current_suite->name, criterion_current_test->name, what, key, id);
        }
    fclose(f);
}

static inline void tu_guard_init(void) {
    tu_guard.own_ipc = unshare(CLONE_NEWIPC) == 0;
    tu_fd_set(tu_guard.fd);
    tu_guard.nchild = 0;
    tu_each_child(tu_note_child);
}

static inline void tu_guard_fini(void) {
    unsigned char now[TU_MAX_FD / 8];
    tu_fd_set(now);
    for (int fd = 0; fd < TU_MAX_FD; fd++) {
        unsigned char bit = (unsigned char)(1u << (fd % 8));
        if (!(now[fd / 8] & bit) || (tu_guard.fd[fd / 8] & bit))
            continue;
        char link[32], target[256];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = 0;
        fprintf(stderr, "teardown leak: %s::%s: fd %d (%s)\n", criterion_current_suite->name,
                criterion_current_test->name, fd, target);
    }
    tu_each_child(tu_check_child);
    if (tu_guard.own_ipc) {
        tu_check_sysv("msg");
        tu_check_sysv("sem");
        tu_check_sysv("shm");
    }
}

/* Declares an integration suite whose tests get the teardown check. */
#define TU_SUITE(name) TestSuite(name, .init = tu_guard_init, .fini = tu_guard_fini)

/* A unique temp path under /tmp (caller unlinks). */
static inline void tu_tmp_path(char *buf, size_t size, const char *tag) {
    static int seq;
    snprintf(buf, size, "/tmp/swirl-test-%s-%d-%d", tag, (int)getpid(), seq++);
}

/* A copy of data[0..len) placed so its last byte is the last byte before
 * an unmapped page: any read past the end crashes the test. Free with
 * tu_guarded_free(p, len). */
static inline void *tu_guarded(const void *data, size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (len + page - 1) / page * page + page;
    char *base = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(base, MAP_FAILED);
    cr_assert_eq(mprotect(base + span - page, page, PROT_NONE), 0);
    char *p = base + span - page - len;
    memcpy(p, data, len);
    return p;
}

static inline void tu_guarded_free(void *p, size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (len + page - 1) / page * page + page;
    munmap((char *)p + len + page - span, span);
}

#endif
