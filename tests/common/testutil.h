/* tests/common/testutil.h — helpers shared by the Criterion tests: fd leak
 * checks and small socket utilities. Header-only so each test binary stays
 * one file. */
#ifndef SWIRL_TESTUTIL_H
#define SWIRL_TESTUTIL_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
