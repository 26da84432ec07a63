/* src/core/log.c — the process-wide log: level filter, stderr or a file,
 * one write() per line so lines from many processes never interleave. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Per-process singleton: where and what to log. The fd is swapped with
 * dup3() onto a fixed number, so a writer on another thread never writes to
 * a closed or reused descriptor. */
static struct {
    atomic_int level;
    atomic_int fd;
    atomic_int style;
    atomic_int role; /* Swoole's layout: the symbol (low byte) and the worker id (<< 8) */
    char path[4096];
} swirl__log = {SWIRL_LOG_INFO, 2, SWIRL_LOG_STYLE_SWIRL, '#', ""};

static const char *const level_names[] = {"DEBUG",   "TRACE", "INFO", "NOTICE",
                                          "WARNING", "ERROR", "NONE"};

int swirl_log_set_level(int level) {
    if (level < SWIRL_LOG_DEBUG || level > SWIRL_LOG_NONE)
        return swirl__error(SWIRL_EBADARG, "log_level: expected 0..6, got %d", level);
    atomic_store(&swirl__log.level, level);
    return 0;
}

int swirl_log_get_level(void) { return atomic_load(&swirl__log.level); }

int swirl_log_set_style(int style) {
    if (style != SWIRL_LOG_STYLE_SWIRL && style != SWIRL_LOG_STYLE_SWOOLE)
        return swirl__error(SWIRL_EBADARG, "log style: expected 0 (swirl) or 1 (Swoole), got %d",
                            style);
    atomic_store(&swirl__log.style, style);
    return 0;
}

void swirl_log_set_role(char symbol, int worker_id) {
    int id = worker_id < 0 ? 0 : worker_id;
    atomic_store(&swirl__log.role, (int)(unsigned char)symbol | id << 8);
}

int swirl_log_level_parse(const char *name) {
    if (!name || !*name)
        return swirl__error(SWIRL_EBADARG, "log_level: empty");
    if (name[0] >= '0' && name[0] <= '6' && name[1] == '\0')
        return name[0] - '0';
    for (int i = 0; i <= SWIRL_LOG_NONE; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    if (strcasecmp(name, "warn") == 0)
        return SWIRL_LOG_WARNING;
    return swirl__error(SWIRL_EBADARG,
                        "log_level: expected debug, trace, info, notice, warning, error, none "
                        "or 0..6, got \"%s\"",
                        name);
}

static int open_log(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return swirl__error(swirl__neg_errno(), "log_file \"%s\":", path);
    return fd;
}

/* Point the log at `newfd` (consumed). */
static int install_fd(int newfd) {
    int cur = atomic_load(&swirl__log.fd);
    if (cur == 2) {
        atomic_store(&swirl__log.fd, newfd);
        return 0;
    }
    if (dup3(newfd, cur, O_CLOEXEC) < 0) {
        int rc = swirl__error(swirl__neg_errno(), "log_file: dup3:");
        close(newfd);
        return rc;
    }
    close(newfd);
    return 0;
}

int swirl_log_set_file(const char *path) {
    if (!path) {
        int cur = atomic_exchange(&swirl__log.fd, 2);
        if (cur != 2)
            close(cur);
        swirl__log.path[0] = '\0';
        return 0;
    }
    if (strlen(path) >= sizeof(swirl__log.path))
        return swirl__error(-ENAMETOOLONG, "log_file: path too long (%zu bytes)", strlen(path));
    int fd = open_log(path);
    if (fd < 0)
        return fd;
    int rc = install_fd(fd);
    if (rc == 0)
        snprintf(swirl__log.path, sizeof(swirl__log.path), "%s", path);
    return rc;
}

int swirl_log_reopen(void) {
    if (swirl__log.path[0] == '\0')
        return 0;
    int fd = open_log(swirl__log.path);
    if (fd < 0)
        return fd;
    return install_fd(fd);
}

/* One line with one write() (retried only for EINTR and a short count). */
static void write_all(int fd, const char *buf, size_t n) {
    swirl__nopipe_t g; /* stderr may be a pipe whose reader has gone */
    swirl__nopipe_begin(&g);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    swirl__nopipe_end(&g);
}

void swirl_logv(int level, const char *fmt, va_list ap) {
    if (level < atomic_load(&swirl__log.level) || level < 0 || level >= SWIRL_LOG_NONE)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    bool swoole = atomic_load(&swirl__log.style) == SWIRL_LOG_STYLE_SWOOLE;
    int n = 0;
    if (swoole)
        line[n++] = '[';
    if (localtime_r(&ts.tv_sec, &tm))
        n += (int)strftime(line + n, sizeof(line) - (size_t)n, "%Y-%m-%d %H:%M:%S", &tm);
    if (n == (swoole ? 1 : 0)) /* a clock localtime cannot read: the seconds as they are */
        n += snprintf(line + n, sizeof(line) - (size_t)n, "@%lld", (long long)ts.tv_sec);
    if (swoole) {
        int role = atomic_load(&swirl__log.role);
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %c%d.%d]\t%s\t", (char)(role & 0xff),
                      (int)getpid(), role >> 8, level_names[level]);
    } else {
        n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ld [%d] %s ", ts.tv_nsec / 1000000,
                      (int)getpid(), level_names[level]);
    }
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if (n > (int)sizeof(line) - 2) {
        n = (int)sizeof(line) - 5;
        memcpy(line + n, "...", 3); /* truncated */
        n += 3;
    }
    line[n++] = '\n';
    write_all(atomic_load(&swirl__log.fd), line, (size_t)n);
}

void swirl_log_write(int level, const char *line, size_t len) {
    if (level < atomic_load(&swirl__log.level) || level < 0 || level >= SWIRL_LOG_NONE || !line)
        return;
    if (len > 65536)
        len = 65536;
    int saved = errno;
    write_all(atomic_load(&swirl__log.fd), line, len);
    errno = saved;
}

void swirl_log(int level, const char *fmt, ...) {
    int saved = errno; /* logging must not disturb the caller's errno */
    va_list ap;
    va_start(ap, fmt);
    swirl_logv(level, fmt, ap);
    va_end(ap);
    errno = saved;
}
