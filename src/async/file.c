/* src/async/file.c — whole-file and ranged reads and writes on the pool.
 * The pool thread only records an errno and the step that failed; the
 * message naming the path is made on the loop thread, just before the
 * callback, so swirl_last_error_msg() there tells the story. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

/* Bytes per read/write syscall: big enough to be cheap, small enough that
 * one call never holds a pool thread for long. */
#define CHUNK (1u << 20)
/* First buffer for a file whose size is unknown (/proc, FIFOs). */
#define GROW_START (64u * 1024)

typedef struct {
    swirl__job_t base;
    char *path;
    int64_t offset;
    size_t length; /* 0: to the end */
    swirl_async_read_cb cb;
    void *user;
    int status;
    char what[64]; /* the step that failed */
    char *data;
    size_t len;
} read_job_t;

typedef struct {
    swirl__job_t base;
    char *path;
    const char *data; /* owned (copied) unless nocopy */
    bool owned;
    size_t len;
    int64_t offset;
    int flags;
    swirl_async_write_cb cb;
    void *user;
    int status; /* bytes written or negative */
    char what[64];
} write_job_t;

static int open_retry(const char *path, int oflags, mode_t mode) {
    int fd;
    do
        fd = open(path, oflags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

/* ---- read -------------------------------------------------------------------------------- */

static int read_fail(read_job_t *j, int code, const char *what) {
    j->status = code;
    snprintf(j->what, sizeof(j->what), "%s", what);
    return code;
}

/* Read from `fd` into j->data until `cap` bytes or the end; grow the buffer
 * when `grow` (size unknown) and the range is open or not reached yet. */
static int read_range(read_job_t *j, int fd, bool seekable, size_t cap, bool grow) {
    size_t got = 0;
    for (;;) {
        if (got == cap) {
            if (!grow || (j->length && got >= j->length))
                break;
            size_t ncap = cap * 2;
            if (j->length && ncap > j->length)
                ncap = j->length;
            char *p = swirl_realloc(j->data, ncap);
            if (!p) {
                char what[64];
                snprintf(what, sizeof(what), "growing the buffer to %zu bytes", ncap);
                return read_fail(j, -ENOMEM, what);
            }
            j->data = p;
            cap = ncap;
        }
        size_t want = cap - got < CHUNK ? cap - got : CHUNK;
        ssize_t n = seekable ? pread(fd, j->data + got, want, (off_t)(j->offset + (int64_t)got))
                             : read(fd, j->data + got, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return read_fail(j, swirl__neg_errno(), "read");
        if (n == 0)
            break;
        got += (size_t)n;
    }
    j->len = got;
    return 0;
}

static void read_work(swirl__job_t *job) {
    read_job_t *j = (read_job_t *)job;
    int fd = open_retry(j->path, O_RDONLY, 0);
    if (fd < 0) {
        read_fail(j, swirl__neg_errno(), "open");
        return;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        read_fail(j, swirl__neg_errno(), "stat");
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        read_fail(j, -EISDIR, "open");
        goto out;
    }
    bool seekable = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
    if (!seekable && j->offset > 0) {
        read_fail(j, -ESPIPE, "seek (not a regular file)");
        goto out;
    }
    /* A regular file's size is known: allocate the range once. /proc files
     * say 0 and FIFOs say nothing: grow as the bytes come. */
    bool known = S_ISREG(st.st_mode) && st.st_size > 0;
    size_t cap;
    if (known) {
        uint64_t avail = (uint64_t)st.st_size > (uint64_t)j->offset
                             ? (uint64_t)st.st_size - (uint64_t)j->offset
                             : 0;
        if (j->length && j->length < avail)
            avail = j->length;
        if (avail > SIZE_MAX / 2) {
            read_fail(j, -ENOMEM, "range larger than memory");
            goto out;
        }
        cap = (size_t)avail;
    } else {
        cap = j->length && j->length < GROW_START ? j->length : GROW_START;
    }
    if (cap > 0) {
        j->data = swirl_malloc(cap);
        if (!j->data) {
            char what[64];
            snprintf(what, sizeof(what), "allocating %zu bytes", cap);
            read_fail(j, -ENOMEM, what);
            goto out;
        }
        read_range(j, fd, seekable, cap, !known);
    }
out:
    close(fd);
}

static void read_release(swirl__job_t *job) {
    read_job_t *j = (read_job_t *)job;
    swirl_free(j->data);
    swirl_free(j->path);
    swirl_free(j);
}

static void read_done(swirl_loop_t *loop, swirl__job_t *job) {
    read_job_t *j = (read_job_t *)job;
    if (j->status < 0) {
        swirl__error(j->status, "read file %s: %s:", j->path, j->what);
        j->cb(loop, j->status, NULL, 0, j->user);
    } else {
        j->cb(loop, 0, j->len ? j->data : "", j->len, j->user);
    }
    read_release(job);
}

int swirl_async_read_file(swirl_loop_t *loop, const char *path, int64_t offset, size_t length,
                          swirl_async_read_cb cb, void *user) {
    if (!path || !cb)
        return swirl__error(SWIRL_EBADARG, "read file: %s is NULL", path ? "callback" : "path");
    if (offset < 0)
        return swirl__error(SWIRL_EBADARG, "read file %s: negative offset %lld", path,
                            (long long)offset);
    int rc = swirl__async_attach(loop, "read file");
    if (rc < 0)
        return rc;
    read_job_t *j = swirl_calloc(1, sizeof(*j));
    char *p = swirl_strdup(path);
    if (!j || !p) {
        swirl_free(j);
        swirl_free(p);
        return swirl__error(-ENOMEM, "read file %s:", path);
    }
    j->base.work = read_work;
    j->base.done = read_done;
    j->base.release = read_release;
    j->path = p;
    j->offset = offset;
    j->length = length;
    j->cb = cb;
    j->user = user;
    rc = swirl__async_submit(loop, &j->base, "read file");
    if (rc < 0)
        read_release(&j->base);
    return rc;
}

/* ---- write ------------------------------------------------------------------------------- */

static void write_fail(write_job_t *j, int code, const char *what) {
    j->status = code;
    snprintf(j->what, sizeof(j->what), "%s", what);
}

static void write_work(swirl__job_t *job) {
    write_job_t *j = (write_job_t *)job;
    int oflags = O_WRONLY;
    if (j->flags & SWIRL_ASYNC_CREATE)
        oflags |= O_CREAT;
    if (j->flags & SWIRL_ASYNC_TRUNC)
        oflags |= O_TRUNC;
    if (j->flags & SWIRL_ASYNC_APPEND)
        oflags |= O_APPEND;
    if (j->flags & SWIRL_ASYNC_EXCL)
        oflags |= O_EXCL;
    int fd = open_retry(j->path, oflags, 0666);
    if (fd < 0) {
        write_fail(j, swirl__neg_errno(), "open");
        return;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        write_fail(j, swirl__neg_errno(), "stat");
        close(fd);
        return;
    }
    /* pwrite where there is a position; plain write when appending (the
     * kernel picks the end) or for a FIFO or device that cannot seek. */
    bool positioned = !(j->flags & SWIRL_ASYNC_APPEND) && S_ISREG(st.st_mode);
    size_t done = 0;
    while (done < j->len) {
        size_t want = j->len - done < CHUNK ? j->len - done : CHUNK;
        ssize_t n = positioned
                        ? pwrite(fd, j->data + done, want, (off_t)(j->offset + (int64_t)done))
                        : write(fd, j->data + done, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            write_fail(j, swirl__neg_errno(), "write");
            close(fd);
            return;
        }
        if (n == 0) {
            write_fail(j, -EIO, "write made no progress");
            close(fd);
            return;
        }
        done += (size_t)n;
    }
    if ((j->flags & SWIRL_ASYNC_SYNC) && fdatasync(fd) < 0) {
        write_fail(j, swirl__neg_errno(), "fdatasync");
        close(fd);
        return;
    }
    /* close can report a deferred write error (NFS); EINTR still closed it */
    if (close(fd) < 0 && errno != EINTR) {
        write_fail(j, swirl__neg_errno(), "close");
        return;
    }
    j->status = (int)done;
}

static void write_release(swirl__job_t *job) {
    write_job_t *j = (write_job_t *)job;
    if (j->owned)
        swirl_free((void *)j->data);
    swirl_free(j->path);
    swirl_free(j);
}

static void write_done(swirl_loop_t *loop, swirl__job_t *job) {
    write_job_t *j = (write_job_t *)job;
    if (j->status < 0)
        swirl__error(j->status, "write file %s: %s:", j->path, j->what);
    j->cb(loop, j->status, j->user);
    write_release(job);
}

#define WRITE_FLAGS                                                                                \
    (SWIRL_ASYNC_CREATE | SWIRL_ASYNC_TRUNC | SWIRL_ASYNC_APPEND | SWIRL_ASYNC_EXCL |              \
     SWIRL_ASYNC_SYNC | SWIRL_ASYNC_NOCOPY)

int swirl_async_write_file(swirl_loop_t *loop, const char *path, const void *data, size_t len,
                           int64_t offset, int flags, swirl_async_write_cb cb, void *user) {
    if (!path || !cb)
        return swirl__error(SWIRL_EBADARG, "write file: %s is NULL", path ? "callback" : "path");
    if (!data && len > 0)
        return swirl__error(SWIRL_EBADARG, "write file %s: data is NULL with %zu bytes", path, len);
    if (offset < 0)
        return swirl__error(SWIRL_EBADARG, "write file %s: negative offset %lld", path,
                            (long long)offset);
    if (flags & ~WRITE_FLAGS)
        return swirl__error(SWIRL_EBADARG, "write file %s: unknown flags 0x%x", path,
                            (unsigned)(flags & ~WRITE_FLAGS));
    if (len > INT_MAX)
        return swirl__error(SWIRL_ETOOBIG, "write file %s: %zu bytes, at most %d in one call", path,
                            len, INT_MAX);
    int rc = swirl__async_attach(loop, "write file");
    if (rc < 0)
        return rc;
    write_job_t *j = swirl_calloc(1, sizeof(*j));
    char *p = swirl_strdup(path);
    char *copy = NULL;
    bool nocopy = (flags & SWIRL_ASYNC_NOCOPY) || len == 0;
    if (!nocopy)
        copy = swirl_malloc(len);
    if (!j || !p || (!nocopy && !copy)) {
        swirl_free(j);
        swirl_free(p);
        swirl_free(copy);
        return swirl__error(-ENOMEM, "write file %s: copying %zu bytes:", path, len);
    }
    if (copy)
        memcpy(copy, data, len);
    j->base.work = write_work;
    j->base.done = write_done;
    j->base.release = write_release;
    j->path = p;
    j->data = nocopy ? data : copy;
    j->owned = !nocopy;
    j->len = len;
    j->offset = offset;
    j->flags = flags;
    j->cb = cb;
    j->user = user;
    rc = swirl__async_submit(loop, &j->base, "write file");
    if (rc < 0)
        write_release(&j->base);
    return rc;
}
