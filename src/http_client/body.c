/* src/http_client/body.c — request bodies: bytes from memory, and
 * multipart/form-data built from fields and files, read a piece at a time
 * as the connection takes them (a file is never read whole into memory). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_client/internal.h"

void swirl__hc_body_init(hc_body_t *b) {
    memset(b, 0, sizeof(*b));
    b->fd = -1;
}

void swirl__hc_body_destroy(hc_body_t *b) {
    for (size_t i = 0; i < b->n; i++) {
        swirl_free(b->pieces[i].data);
        swirl_free(b->pieces[i].path);
    }
    swirl_free(b->pieces);
    if (b->fd >= 0)
        close(b->fd);
    swirl__hc_body_init(b);
}

static hc_piece_t *add_piece(hc_body_t *b) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        hc_piece_t *p = swirl_realloc(b->pieces, cap * sizeof(*p));
        if (!p)
            return NULL;
        b->pieces = p;
        b->cap = cap;
    }
    hc_piece_t *p = &b->pieces[b->n++];
    memset(p, 0, sizeof(*p));
    return p;
}

int swirl__hc_body_add_bytes(hc_body_t *b, const void *data, size_t len) {
    if (len == 0)
        return 0;
    char *copy = swirl_malloc(len);
    if (!copy)
        return swirl__error(-ENOMEM, "request body: out of memory");
    memcpy(copy, data, len);
    hc_piece_t *p = add_piece(b);
    if (!p) {
        swirl_free(copy);
        return swirl__error(-ENOMEM, "request body: out of memory");
    }
    p->data = copy;
    p->len = len;
    b->total += len;
    return 0;
}

static int add_text(hc_body_t *b, swirl_buf_t *t) {
    int rc = swirl__hc_body_add_bytes(b, swirl_buf_bytes(t), swirl_buf_size(t));
    swirl_buf_clear(t);
    return rc;
}

/* A header parameter value may not hold CR, LF or a double quote (RFC 7578
 * §4.2 leaves the escaping open; refusing is what cannot be misread). */
static bool quotable(const char *s) { return s && !strpbrk(s, "\r\n\""); }

int swirl__hc_body_form(hc_body_t *b, const swirl_http_form_part_t *parts, size_t n,
                        const char *boundary) {
    swirl_buf_t t;
    swirl_buf_init(&t);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const swirl_http_form_part_t *fp = &parts[i];
        if (!fp->name || !quotable(fp->name)) {
            rc = swirl__error(SWIRL_EBADARG, "form part %zu: %s", i,
                              fp->name ? "name holds CR, LF or a quote" : "no name");
            break;
        }
        if ((fp->path && fp->value) || (!fp->value && fp->value_len)) {
            rc = swirl__error(SWIRL_EBADARG, "form part \"%s\": give a value or a path, not both",
                              fp->name);
            break;
        }
        rc = swirl_buf_appendf(&t, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", boundary,
                               fp->name);
        if (rc < 0)
            break;
        if (!fp->path) {
            rc = swirl_buf_appendf(&t, "\r\n\r\n");
            if (rc == 0)
                rc = add_text(b, &t);
            if (rc == 0 && fp->value_len)
                rc = swirl__hc_body_add_bytes(b, fp->value, fp->value_len);
            if (rc == 0)
                rc = swirl_buf_appendf(&t, "\r\n");
            continue;
        }
        struct stat st;
        if (stat(fp->path, &st) < 0) {
            rc = swirl__error(swirl__neg_errno(), "form part \"%s\": file %s:", fp->name, fp->path);
            break;
        }
        if (!S_ISREG(st.st_mode)) {
            rc = swirl__error(SWIRL_EBADARG, "form part \"%s\": %s is not a regular file", fp->name,
                              fp->path);
            break;
        }
        const char *fname = fp->filename;
        if (!fname) {
            fname = strrchr(fp->path, '/');
            fname = fname ? fname + 1 : fp->path;
        }
        const char *ctype = fp->content_type ? fp->content_type : "application/octet-stream";
        if (!quotable(fname) || strpbrk(ctype, "\r\n")) {
            rc = swirl__error(SWIRL_EBADARG,
                              "form part \"%s\": filename or content type holds CR, LF or a quote",
                              fp->name);
            break;
        }
        rc = swirl_buf_appendf(&t, "; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", fname, ctype);
        if (rc == 0)
            rc = add_text(b, &t);
        if (rc < 0)
            break;
        hc_piece_t *p = add_piece(b);
        char *path = swirl_strdup(fp->path);
        if (!p || !path) {
            swirl_free(path);
            if (p)
                b->n--;
            rc = swirl__error(-ENOMEM, "form: out of memory");
            break;
        }
        p->path = path;
        p->size = (uint64_t)st.st_size;
        b->total += p->size;
        rc = swirl_buf_appendf(&t, "\r\n");
    }
    if (rc == 0)
        rc = swirl_buf_appendf(&t, "--%s--\r\n", boundary);
    if (rc == 0)
        rc = add_text(b, &t);
    swirl_buf_destroy(&t);
    if (rc == -ENOMEM)
        swirl__error(rc, "form: out of memory");
    return rc;
}

void swirl__hc_body_rewind(hc_body_t *b) {
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    b->cur = 0;
    b->off = 0;
}

ssize_t swirl__hc_body_read(hc_body_t *b, char *buf, size_t max) {
    while (b->cur < b->n) {
        hc_piece_t *p = &b->pieces[b->cur];
        uint64_t size = p->data ? p->len : p->size;
        if (b->off >= size) {
            if (b->fd >= 0)
                close(b->fd);
            b->fd = -1;
            b->cur++;
            b->off = 0;
            continue;
        }
        size_t n = size - b->off < max ? (size_t)(size - b->off) : max;
        if (p->data) {
            memcpy(buf, p->data + b->off, n);
            b->off += n;
            return (ssize_t)n;
        }
        if (b->fd < 0) {
            b->fd = open(p->path, O_RDONLY | O_CLOEXEC);
            if (b->fd < 0)
                return swirl__error(swirl__neg_errno(), "upload %s:", p->path);
            if (b->off && lseek(b->fd, (off_t)b->off, SEEK_SET) < 0)
                return swirl__error(swirl__neg_errno(), "upload %s:", p->path);
        }
        ssize_t r;
        do
            r = read(b->fd, buf, n);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return swirl__error(swirl__neg_errno(), "upload %s:", p->path);
        if (r == 0)
            return swirl__error(SWIRL_EPROTO, "upload %s: the file shrank while it was sent",
                                p->path);
        b->off += (uint64_t)r;
        return r;
    }
    return 0;
}
