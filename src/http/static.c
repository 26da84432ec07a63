/* src/http/static.c — static files from document_root (when
 * enable_static_handler is on), before the request handler.
 *
 * - GET and HEAD only; a path that names no file goes to the handler.
 * - The path is percent-decoded; a decoded NUL, a backslash or a ".."
 *   segment is refused with 403 (logged at info), as is any file reached
 *   through a symlink that leads out of document_root: the file is opened
 *   with openat2(RESOLVE_BENEATH) on the root directory, so the kernel
 *   does the check and the open in one syscall (on kernels without
 *   openat2: realpath, then a prefix check). The file is opened once,
 *   non-blocking, and its type checked on the fd: a FIFO, socket or device
 *   gets 403 (it would block or never end), without waiting on it. The fd
 *   is what is sent: by this worker in BASE mode, handed to the reactor
 *   with SCM_RIGHTS in PROCESS mode (never the path).
 * - A directory serves its index.html.
 * - Content-Type by extension; ETag ("mtime-size") and Last-Modified, with
 *   304 for a matching If-None-Match or an If-Modified-Since not older
 *   than the file; one byte range (206, or 416 when it cannot be
 *   satisfied; several ranges get the whole file); the body is sent with
 *   sendfile(2). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

static const struct {
    const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"}, {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"}, {"xml", "application/xml"}, {"svg", "image/svg+xml"},
    {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
    {"webp", "image/webp"}, {"ico", "image/x-icon"}, {"wasm", "application/wasm"},
    {"pdf", "application/pdf"}, {"zip", "application/zip"}, {"gz", "application/gzip"},
    {"mp4", "video/mp4"}, {"webm", "video/webm"}, {"mp3", "audio/mpeg"}, {"woff", "font/woff"},
    {"woff2", "font/woff2"}, {"ttf", "font/ttf"}, {"otf", "font/otf"},
    {"map", "application/json"}};

static const char *type_of(const char *path) {
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Percent-decode p[0..n) into out; false for a bad escape, a NUL or a
 * backslash, or a result that does not fit. */
static bool decode_path(const char *p, size_t n, char *out, size_t size) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '%') {
            int hi = i + 2 < n ? swirl__hexval(p[i + 1]) : -1,
                lo = i + 2 < n ? swirl__hexval(p[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == 0 || c == '\\' || o + 1 >= size)
            return false;
        out[o++] = c;
    }
    out[o] = 0;
    return o > 0 && out[0] == '/';
}

static bool has_dotdot(const char *path) {
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
    }
    return false;
}

static void refuse(swirl_http_resp_t *resp, int status, const char *why, const char *path,
                   size_t plen) {
    swirl_log_info("http: static: %d for \"%.*s\": %s", status, (int)(plen < 200 ? plen : 200),
                   path, why);
    swirl_http_resp_status(resp, status, NULL);
    swirl_http_resp_header(resp, "Content-Type", "text/plain");
    char body[64];
    int n = snprintf(body, sizeof(body), "%d %s\n", status, swirl_http_reason(status));
    swirl_http_resp_end(resp, body, (size_t)n);
}

/* "" when gmtime cannot read t (the header is then left out) */
static void http_time(time_t t, char *out, size_t size) {
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        out[0] = 0;
}

/* Parse "bytes=a-b", "bytes=a-", "bytes=-n" against `size`: 1 with the
 * range, 0 to serve the whole file (not a single byte range), -1 when it
 * cannot be satisfied. */
static int parse_range(const char *v, size_t n, int64_t size, int64_t *from, int64_t *len) {
    if (n < 7 || strncasecmp(v, "bytes=", 6) != 0 || memchr(v, ',', n))
        return 0;
    char buf[64];
    if (n - 6 >= sizeof(buf))
        return 0;
    memcpy(buf, v + 6, n - 6);
    buf[n - 6] = 0;
    char *dash = strchr(buf, '-');
    if (!dash)
        return 0;
    *dash = 0;
    const char *a = buf, *b = dash + 1;
    for (const char *p = a; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    for (const char *p = b; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    if (!*a && !*b)
        return 0;
    if (!*a) { /* the last n bytes */
        int64_t last = strtoll(b, NULL, 10);
        if (last == 0 || size == 0)
            return -1;
        *from = last >= size ? 0 : size - last;
        *len = size - *from;
        return 1;
    }
    int64_t s = strtoll(a, NULL, 10), e = *b ? strtoll(b, NULL, 10) : size - 1;
    if (s >= size || e < s)
        return -1;
    if (e >= size)
        e = size - 1;
    *from = s;
    *len = e - s + 1;
    return 1;
}

static bool header_is(const swirl_http_req_t *req, const char *name, const char *value) {
    size_t n;
    const char *v = swirl_http_req_header(req, name, &n);
    return v && n == strlen(value) && memcmp(v, value, n) == 0;
}

enum { NOT_THERE = -1, ESCAPES = -2, SPECIAL = -3 };

/* document_root, opened once per process: the first request a worker
 * serves opens it (workers are forked before any request, so each opens
 * its own; the master never serves). */
static int root_dir(swirl_http_server_t *hs) {
    if (hs->root_fd >= 0)
        return hs->root_fd;
    const char *root = hs->conf->document_root;
    int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        swirl_log_warning("http: static: document_root \"%s\": %s", root, strerror(errno));
        return -1;
    }
    hs->root_fd = fd;
    return fd;
}

/* openat2 with RESOLVE_BENEATH: the kernel resolves `rel` under dirfd and
 * refuses (EXDEV) any way out of it: "..", an absolute symlink, a symlink
 * pointing outside. One syscall instead of stat + realpath + stat. */
static int open_beneath(int dirfd, const char *rel) {
#ifdef SYS_openat2
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
#else
    (void)dirfd;
    (void)rel;
    errno = ENOSYS;
    return -1;
#endif
}

/* Without openat2 (kernels before 5.6): resolve with realpath and check
 * the result is under the real root, then open it. */
static int resolve_by_realpath(swirl_http_server_t *hs, char *full, size_t size) {
    char real[PATH_MAX];
    struct stat st;
    if (stat(full, &st) != 0)
        return NOT_THERE;
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(full);
        snprintf(full + n, size - n, "%sindex.html", full[n - 1] == '/' ? "" : "/");
    }
    if (!realpath(full, real))
        return NOT_THERE;
    size_t rl = strlen(hs->root_real);
    if (strncmp(real, hs->root_real, rl) != 0 || (real[rl] != '/' && real[rl] != 0))
        return ESCAPES;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    return fd >= 0 ? fd : errno == ENXIO ? SPECIAL : NOT_THERE; /* ENXIO: a socket */
}

/* Why openat2 failed: a way out of the root, a socket or a device without
 * a driver (ENXIO: there, but not a file), or nothing there. */
static int open_failed(int err) {
    return err == EXDEV ? ESCAPES : err == ENXIO ? SPECIAL : NOT_THERE;
}

/* Open the file `rel` (decoded, no "..") names under document_root, or
 * its index.html when it is a directory: an fd with *st filled (a regular
 * file), NOT_THERE, ESCAPES or SPECIAL (not a regular file nor directory). `full` gets its path
 * (for Content-Type, messages, and the process that sends it in PROCESS mode). */
static int resolve(swirl_http_server_t *hs, const char *rel, char *full, size_t size,
                   struct stat *st) {
    const char *root = hs->conf->document_root;
    if (!hs->root_real[0] && !realpath(root, hs->root_real)) {
        swirl_log_warning("http: static: document_root \"%s\": %s", root, strerror(errno));
        return NOT_THERE;
    }
    snprintf(full, size, "%s%s", hs->root_real, rel);
    int rfd = root_dir(hs);
    if (rfd < 0)
        return NOT_THERE;
    const char *r = rel;
    while (*r == '/')
        r++;
    int fd = open_beneath(rfd, *r ? r : ".");
    if (fd < 0 && errno == ENOSYS)
        fd = resolve_by_realpath(hs, full, size);
    else if (fd < 0)
        return open_failed(errno);
    if (fd < 0)
        return fd;
    if (fstat(fd, st) == 0 && S_ISDIR(st->st_mode)) {
        int idx = open_beneath(fd, "index.html");
        close(fd);
        if (idx < 0)
            return open_failed(errno);
        size_t n = strlen(full);
        snprintf(full + n, size - n, "%sindex.html", n && full[n - 1] == '/' ? "" : "/");
        fd = idx;
        if (fstat(fd, st) != 0) {
            close(fd);
            return NOT_THERE;
        }
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return S_ISDIR(st->st_mode) ? NOT_THERE : SPECIAL;
    }
    return fd;
}

bool swirl__http_static(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp) {
    size_t mlen;
    const char *m = swirl_http_req_method(req, &mlen);
    bool head = mlen == 4 && memcmp(m, "HEAD", 4) == 0;
    if (!head && !(mlen == 3 && memcmp(m, "GET", 3) == 0))
        return false;
    const char *target = req->p.target;
    size_t tlen = req->p.target_len;
    const char *q = memchr(target, '?', tlen);
    size_t plen = q ? (size_t)(q - target) : tlen;
    char rel[PATH_MAX], full[PATH_MAX * 2];
    if (!decode_path(target, plen, rel, sizeof(rel))) {
        if (plen > 0 && target[0] == '/')
            refuse(resp, 403, "bad escape, NUL or backslash in the path", target, plen);
        return plen > 0 && target[0] == '/';
    }
    if (has_dotdot(rel)) {
        refuse(resp, 403, "\"..\" in the path", target, plen);
        return true;
    }
    struct stat st;
    int file = resolve(hs, rel, full, sizeof(full), &st);
    if (file == NOT_THERE)
        return false; /* no such file: the handler's to answer */
    if (file == ESCAPES || file == SPECIAL) {
        refuse(resp, 403,
               file == ESCAPES ? "outside document_root (symlink)"
                               : "not a regular file (FIFO, socket or device)",
               target, plen);
        return true;
    }
    char etag[64], modified[64];
    snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
             (unsigned long long)st.st_size);
    http_time(st.st_mtime, modified, sizeof(modified));
    swirl_http_resp_header(resp, "ETag", etag);
    if (modified[0])
        swirl_http_resp_header(resp, "Last-Modified", modified);
    swirl_http_resp_header(resp, "Accept-Ranges", "bytes");
    size_t n;
    const char *inm = swirl_http_req_header(req, "if-none-match", &n);
    bool not_modified = inm ? header_is(req, "if-none-match", etag) || (n == 1 && inm[0] == '*')
                            : false;
    if (!inm) {
        const char *ims = swirl_http_req_header(req, "if-modified-since", &n);
        char buf[64];
        struct tm tm = {0};
        if (ims && n < sizeof(buf)) {
            memcpy(buf, ims, n);
            buf[n] = 0;
            const char *end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
            not_modified = end && *end == 0 && timegm(&tm) >= st.st_mtime;
        }
    }
    if (not_modified) {
        close(file);
        swirl_http_resp_status(resp, 304, NULL);
        swirl_http_resp_end(resp, NULL, 0);
        return true;
    }
    swirl_http_resp_header(resp, "Content-Type", type_of(full));
    int64_t from = 0, len = st.st_size;
    const char *range = swirl_http_req_header(req, "range", &n);
    int r = range ? parse_range(range, n, st.st_size, &from, &len) : 0;
    char cr[96];
    if (r < 0) {
        close(file);
        snprintf(cr, sizeof(cr), "bytes */%lld", (long long)st.st_size);
        swirl_http_resp_header(resp, "Content-Range", cr);
        swirl_http_resp_status(resp, 416, NULL);
        swirl_http_resp_end(resp, NULL, 0);
        return true;
    }
    if (r > 0) {
        snprintf(cr, sizeof(cr), "bytes %lld-%lld/%lld", (long long)from,
                 (long long)(from + len - 1), (long long)st.st_size);
        swirl_http_resp_header(resp, "Content-Range", cr);
        swirl_http_resp_status(resp, 206, NULL);
    }
    if (len == 0) { /* an empty file: sendfile has nothing to send */
        close(file);
        swirl_http_resp_end(resp, NULL, 0);
        return true;
    }
    if (swirl__http_resp_sendfile_fd(resp, file, st.st_size, full, from, len) < 0 &&
        !swirl_http_resp_finished(resp))
        refuse(resp, 500, swirl_last_error_msg(), target, plen);
    return true;
}

bool swirl_http_serve_static(swirl_http_server_t *hs, swirl_http_req_t *req,
                             swirl_http_resp_t *resp) {
    if (!hs || !req || !resp || swirl_http_resp_finished(resp))
        return false;
    if (!hs->conf->document_root[0]) {
        swirl__error(SWIRL_ESETTING, "serve_static: document_root is not set");
        return false;
    }
    return swirl__http_static(hs, req, resp);
}
