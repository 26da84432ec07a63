/* src/http/upload.c — multipart/form-data request bodies, parsed while
 * they arrive: form fields are kept (they count against
 * package_max_length like any body), file parts are written straight to
 * temp files in upload_tmp_dir, so an upload is never held in memory.
 *
 * Files follow PHP's rules for $_FILES: a file part with an empty file
 * name (the browser's "no file chosen") is reported with
 * SWIRL_UPLOAD_ERR_NO_FILE and its bytes, if any, dropped; a file past
 * upload_max_filesize keeps its entry with SWIRL_UPLOAD_ERR_INI_SIZE and
 * its bytes are dropped; a temp file that cannot be created or written
 * gives SWIRL_UPLOAD_ERR_NO_TMP_DIR / SWIRL_UPLOAD_ERR_CANT_WRITE (logged).
 * In each case the request is still dispatched. The temp files are removed
 * when the request handler returns (or the connection is lost before);
 * a handler that wants to keep one renames it first.
 *
 * A temp file is named swirl-upload-<master pid>-<writer pid>-XXXXXX, so
 * the files of a worker killed mid-upload can be told apart: each worker
 * start (a respawn after a crash included) and each server start sweeps
 * the files whose writer is gone and whose server is this one or gone too.
 * A live writer's file is never touched, so servers may share a directory
 * (within one PID namespace). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

/* A field or file, as offsets into u->strings (which moves while it grows). */
typedef struct {
    size_t name, name_len;
    size_t value, value_len; /* fields */
} field_rec_t;

typedef struct {
    size_t field, filename, full, type, tmp; /* offsets of NUL-terminated strings */
    uint64_t size;
    int error;
} file_rec_t;

struct http_upload {
    swirl_http_server_t *hs;
    swirl_multipart_t *mp;
    char *head; /* a copy of the request head */
    size_t head_len;
    swirl_buf_t strings;
    field_rec_t *fields;
    size_t nfields, fields_cap;
    file_rec_t *files;
    size_t nfiles, files_cap;
    int fd;          /* the file part being written (-1: none) */
    bool cur_file;   /* the current part is a file */
    bool cur_skip;   /* ... whose bytes are dropped (error or field past the limit) */
    /* resolved at dispatch */
    swirl_http_param_t *params;
    swirl_http_file_t *out;
};

#define UPLOAD_MAX_FILES 100 /* file parts in one request (PHP: max_file_uploads, 20) */
#define UPLOAD_MAX_FIELDS 1000

static int put_str(http_upload_t *u, const char *s, size_t n, size_t *off) {
    *off = swirl_buf_size(&u->strings);
    if (swirl_buf_append(&u->strings, s, n) < 0 || swirl_buf_append(&u->strings, "", 1) < 0)
        return swirl__error(-ENOMEM, "multipart: keeping a field");
    return 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem) {
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    void *a = swirl_realloc(*arr, c * elem);
    if (!a)
        return swirl__error(-ENOMEM, "multipart:");
    *arr = a;
    *cap = c;
    return 0;
}

static void close_file(http_upload_t *u) {
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
}

/* The last path component of a client's file name (browsers on Windows
 * may send "C:\dir\a.txt"). */
static const char *base_name(const char *s, size_t *n) {
    for (size_t i = *n; i > 0; i--)
        if (s[i - 1] == '/' || s[i - 1] == '\\') {
            *n -= i;
            return s + i;
        }
    return s;
}

static int on_begin(void *user, const swirl_multipart_part_t *part) {
    http_upload_t *u = user;
    const swirl__http_settings_t *s = u->hs->conf;
    u->cur_file = part->filename != NULL;
    u->cur_skip = false;
    if (!u->cur_file) {
        if (u->nfields >= UPLOAD_MAX_FIELDS) {
            u->cur_skip = true; /* as urlencoded bodies: fields past the limit are dropped */
            return 0;
        }
        if (grow((void **)&u->fields, &u->fields_cap, u->nfields, sizeof(field_rec_t)) < 0)
            return -ENOMEM;
        field_rec_t *f = &u->fields[u->nfields];
        if (put_str(u, part->name, part->name_len, &f->name) < 0)
            return -ENOMEM;
        f->name_len = part->name_len;
        f->value = swirl_buf_size(&u->strings);
        f->value_len = 0;
        u->nfields++;
        return 0;
    }
    if (u->nfiles >= UPLOAD_MAX_FILES)
        return swirl__error(SWIRL_ETOOBIG, "multipart: more than %d files in one request",
                            UPLOAD_MAX_FILES);
    if (grow((void **)&u->files, &u->files_cap, u->nfiles, sizeof(file_rec_t)) < 0)
        return -ENOMEM;
    file_rec_t *f = &u->files[u->nfiles];
    size_t fl = part->filename_len;
    const char *fn = base_name(part->filename, &fl);
    char tmp[4200];
    tmp[0] = 0;
    f->size = 0;
    f->error = SWIRL_UPLOAD_ERR_OK;
    if (part->filename_len == 0) {
        f->error = SWIRL_UPLOAD_ERR_NO_FILE; /* the browser's "no file chosen" */
        u->cur_skip = true;
    } else {
        snprintf(tmp, sizeof(tmp), "%s/swirl-upload-%d-%d-XXXXXX", s->upload_tmp_dir,
                 (int)swirl_server_master_pid(u->hs->srv), (int)getpid());
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
            swirl_log_warning("http: upload of \"%.*s\": no temp file in upload_tmp_dir \"%s\": "
                              "%s", (int)fl, fn, s->upload_tmp_dir, strerror(errno));
            f->error = SWIRL_UPLOAD_ERR_NO_TMP_DIR;
            tmp[0] = 0;
            u->cur_skip = true;
        } else {
            u->fd = fd;
        }
    }
    if (put_str(u, part->name, part->name_len, &f->field) < 0 ||
        put_str(u, fn, fl, &f->filename) < 0 ||
        put_str(u, part->filename, part->filename_len, &f->full) < 0 ||
        put_str(u, part->type, part->type_len, &f->type) < 0 ||
        put_str(u, tmp, strlen(tmp), &f->tmp) < 0) {
        if (tmp[0]) {
            close_file(u);
            unlink(tmp);
        }
        return -ENOMEM;
    }
    u->nfiles++;
    return 0;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -ENOSPC;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int on_data(void *user, const char *p, size_t n) {
    http_upload_t *u = user;
    if (u->cur_skip)
        return 0;
    if (!u->cur_file) {
        if (swirl_buf_append(&u->strings, p, n) < 0)
            return swirl__error(-ENOMEM, "multipart: keeping a field");
        u->fields[u->nfields - 1].value_len += n;
        return 0;
    }
    file_rec_t *f = &u->files[u->nfiles - 1];
    const char *tmp = swirl_buf_bytes(&u->strings) + f->tmp;
    int64_t max = u->hs->conf->upload_max_filesize;
    if (max > 0 && f->size + n > (uint64_t)max) {
        f->error = SWIRL_UPLOAD_ERR_INI_SIZE;
    } else {
        int rc = write_all(u->fd, p, n);
        if (rc == 0) {
            f->size += n;
            return 0;
        }
        swirl_log_warning("http: upload to %s: %s", tmp, strerror(-rc));
        f->error = SWIRL_UPLOAD_ERR_CANT_WRITE;
    }
    /* past the limit or unwritable: drop the file and what else comes of it */
    close_file(u);
    unlink(tmp);
    swirl_buf_bytes(&u->strings)[f->tmp] = 0; /* tmp_name "" */
    f->size = 0;
    u->cur_skip = true;
    return 0;
}

static int on_end(void *user) {
    http_upload_t *u = user;
    if (u->cur_file) {
        close_file(u);
    } else if (!u->cur_skip) {
        if (swirl_buf_append(&u->strings, "", 1) < 0)
            return swirl__error(-ENOMEM, "multipart: keeping a field");
    }
    u->cur_file = u->cur_skip = false;
    return 0;
}

int swirl__http_upload_new(http_upload_t **out, swirl_http_server_t *hs,
                           const swirl_http_request_t *r, const char *head, size_t head_len) {
    const swirl_http_header_t *ct = swirl_http_find_header(r, "content-type");
    const char *b;
    size_t blen;
    int rc = swirl_multipart_boundary(ct->value, ct->value_len, &b, &blen);
    if (rc < 0)
        return rc;
    http_upload_t *u = swirl_calloc(1, sizeof(*u));
    if (!u)
        return swirl__error(-ENOMEM, "multipart:");
    u->hs = hs;
    u->fd = -1;
    static const swirl_multipart_cbs_t cbs = {on_begin, on_data, on_end};
    if ((rc = swirl_multipart_new(&u->mp, b, blen, &cbs, u)) < 0) {
        swirl_free(u);
        return rc;
    }
    if (!(u->head = swirl_malloc(head_len))) {
        swirl_multipart_free(u->mp);
        swirl_free(u);
        return swirl__error(-ENOMEM, "multipart: copying the head");
    }
    memcpy(u->head, head, head_len);
    u->head_len = head_len;
    *out = u;
    return 0;
}

int swirl__http_upload_feed(http_upload_t *u, const char *p, size_t n) {
    return swirl_multipart_feed(u->mp, p, n);
}

bool swirl__http_upload_complete(const http_upload_t *u) { return swirl_multipart_done(u->mp); }

const char *swirl__http_upload_head(const http_upload_t *u) { return u->head; }

int swirl__http_upload_attach(http_upload_t *u, swirl_http_req_t *req) {
    char *str = swirl_buf_bytes(&u->strings);
    if (u->nfields) {
        u->params = swirl_malloc(u->nfields * sizeof(*u->params));
        if (!u->params)
            return swirl__error(-ENOMEM, "multipart: fields");
        for (size_t i = 0; i < u->nfields; i++)
            u->params[i] = (swirl_http_param_t){.name = str + u->fields[i].name,
                                                .name_len = u->fields[i].name_len,
                                                .value = str + u->fields[i].value,
                                                .value_len = u->fields[i].value_len};
    }
    if (u->nfiles) {
        u->out = swirl_malloc(u->nfiles * sizeof(*u->out));
        if (!u->out)
            return swirl__error(-ENOMEM, "multipart: files");
        for (size_t i = 0; i < u->nfiles; i++) {
            const file_rec_t *f = &u->files[i];
            u->out[i] = (swirl_http_file_t){.field = str + f->field, .name = str + f->filename,
                                            .full_path = str + f->full,
                                            .type = str + f->type, .tmp_name = str + f->tmp,
                                            .size = f->size, .error = f->error};
        }
    }
    /* the request frees params[POST].fields; it is ours: hand over a copy */
    req->params[SWIRL_HTTP_POST].fields = u->params;
    req->params[SWIRL_HTTP_POST].count = u->nfields;
    req->params[SWIRL_HTTP_POST].parsed = true;
    u->params = NULL;
    req->files = u->out;
    req->nfiles = u->nfiles;
    return 0;
}

void swirl__http_upload_free(http_upload_t *u) {
    if (!u)
        return;
    close_file(u);
    char *str = swirl_buf_bytes(&u->strings);
    for (size_t i = 0; i < u->nfiles; i++)
        if (str[u->files[i].tmp] && unlink(str + u->files[i].tmp) < 0 && errno != ENOENT)
            swirl_log_warning("http: removing upload temp file %s: %s", str + u->files[i].tmp,
                              strerror(errno));
    swirl_multipart_free(u->mp);
    swirl_buf_destroy(&u->strings);
    swirl_free(u->fields);
    swirl_free(u->files);
    swirl_free(u->params);
    swirl_free(u->out);
    swirl_free(u->head);
    swirl_free(u);
}

/* Is process `pid` gone (kill says so; EPERM means it lives)? */
static bool gone(long pid) {
    return pid > 0 && pid <= INT32_MAX && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* "<digits>-" at *p: the number, *p past the '-'; -1 if not there. */
static long pid_field(const char **p) {
    char *end;
    if (**p < '1' || **p > '9')
        return -1;
    long v = strtol(*p, &end, 10);
    if (*end != '-')
        return -1;
    *p = end + 1;
    return v;
}

int swirl__http_upload_sweep(swirl_http_server_t *hs, pid_t master) {
    const char *dir = hs->conf->upload_tmp_dir;
    DIR *d = opendir(dir); /* (opened close-on-exec by the C library) */
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *p = e->d_name;
        if (strncmp(p, "swirl-upload-", 13) != 0)
            continue;
        p += 13;
        long m = pid_field(&p), w = pid_field(&p);
        if (m < 0 || w < 0 || !gone(w) || (m != master && !gone(m)))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
        else if (errno != ENOENT)
            swirl_log_warning("http: removing orphan upload file %s/%s: %s", dir, e->d_name,
                              strerror(errno));
    }
    closedir(d);
    if (n)
        swirl_log_info("http: removed %d upload temp file%s left in \"%s\" by processes gone", n,
                       n == 1 ? "" : "s", dir);
    return n;
}

size_t swirl_http_req_files(const swirl_http_req_t *req, const swirl_http_file_t **out) {
    if (out)
        *out = req ? req->files : NULL;
    return req ? req->nfiles : 0;
}

const swirl_http_file_t *swirl_http_req_file(const swirl_http_req_t *req, const char *field) {
    if (!req || !field)
        return NULL;
    for (size_t i = 0; i < req->nfiles; i++)
        if (strcmp(req->files[i].field, field) == 0)
            return &req->files[i];
    return NULL;
}
