/* src/http/response.c — responses: status line and headers (as set
 * through headers.c) built once, sent with the first bytes of the body (one send for a whole small
 * response); chunked when written in parts; HEAD gets the headers only.
 * swirl adds Server, Date, Content-Type (text/html, as Swoole),
 * Content-Length or Transfer-Encoding, and Connection, unless the user
 * set them. Every response is HTTP/1.1 on the wire. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../core/internal.h"
#include "internal.h"

const char *swirl_http_reason(int code) {
    switch (code) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

const char *swirl__http_date(swirl_http_server_t *hs) {
    time_t now = time(NULL);
    if (now != hs->date_at) {
        struct tm tm;
        /* a clock gmtime cannot read: no Date header rather than garbage */
        hs->date_len = gmtime_r(&now, &tm) ? strftime(hs->date, sizeof(hs->date),
                                                      "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm)
                                           : 0;
        hs->date[hs->date_len] = 0;
        hs->date_at = now;
    }
    return hs->date;
}

/* Does an Accept-Encoding value accept gzip ("gzip", "x-gzip" or "*",
 * without q=0)? */
static bool accepts_gzip(const char *v, size_t n) {
    bool gzip = false, star = false, gzip_refused = false;
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ';' && v[i] != ' ')
            i++;
        size_t tl = i - s;
        bool zero = false;
        while (i < n && v[i] != ',') { /* parameters: look for q=0 */
            if ((v[i] == 'q' || v[i] == 'Q') && i + 1 < n && v[i + 1] == '=') {
                double q = strtod(v + i + 2, NULL);
                zero = q <= 0.0;
            }
            i++;
        }
        bool is_gzip = (tl == 4 && strncasecmp(v + s, "gzip", 4) == 0) ||
                       (tl == 6 && strncasecmp(v + s, "x-gzip", 6) == 0);
        if (is_gzip && zero)
            gzip_refused = true;
        else if (is_gzip)
            gzip = true;
        else if (tl == 1 && v[s] == '*' && !zero)
            star = true;
    }
    return !gzip_refused && (gzip || star);
}

swirl_http_resp_t *swirl__http_resp_new(swirl_http_server_t *hs, http_conn_t *c,
                                        const swirl_http_request_t *p) {
    /* one response object is kept for reuse (with its header buffer's
     * memory): the common case allocates nothing */
    swirl_http_resp_t *r = hs->spare;
    if (r) {
        hs->spare = NULL;
        swirl_buf_t keep = r->headers;
        keep.start = keep.len = 0;
        memset(r, 0, sizeof(*r));
        r->headers = keep;
    } else if (!(r = swirl_calloc(1, sizeof(*r)))) {
        return NULL;
    }
    r->hs = hs;
    r->c = c;
    r->fd = c->fd;
    r->status = 200;
    r->head_only = p->method_len == 4 && memcmp(p->method, "HEAD", 4) == 0;
    /* an upgrade or CONNECT request that no upgrade hook took (see
     * swirl__http_upgrade_t) is answered as a plain one, then the
     * connection closes, since what follows is not HTTP */
    r->keep_alive = r->keep_alive_asked = p->keep_alive && !p->upgrade;
    r->compress = -1;
    r->length = -1;
    r->http10 = p->minor == 0;
    const swirl_http_header_t *ae = swirl_http_find_header(p, "accept-encoding");
    r->gzip_ok = ae && accepts_gzip(ae->value, ae->value_len);
    return r;
}

swirl_http_resp_t *swirl_http_resp_remote(swirl_http_server_t *hs, int64_t fd) {
    if (!hs)
        return swirl__error(SWIRL_EBADARG, "http response: no server"), NULL;
    if (!swirl_server_exist(hs->srv, fd))
        return swirl__error(SWIRL_ECLOSED, "http response: connection %lld: no such connection",
                            (long long)fd),
               NULL;
    swirl_http_resp_t *r = swirl_calloc(1, sizeof(*r));
    if (!r)
        return swirl__error(-ENOMEM, "http response:"), NULL;
    r->hs = hs;
    r->fd = fd;
    r->status = 200;
    r->keep_alive = r->keep_alive_asked = true; /* as Swoole's create(): HTTP/1.1, keep-alive */
    r->compress = -1;
    r->length = -1;
    r->remote = true;
    r->detached = true;
    return r;
}

void swirl__http_resp_free(swirl_http_resp_t *resp) {
    if (!resp)
        return;
    swirl_http_server_t *hs = resp->hs;
    if (!hs->spare && resp->headers.cap <= 4096) {
        hs->spare = resp;
        return;
    }
    swirl_buf_destroy(&resp->headers);
    swirl_free(resp);
}

static bool no_body_status(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

/* Build the head into hs->out. body_len >= 0: Content-Length; -1: chunked
 * (HTTP/1.1) or until close (HTTP/1.0). */
/* Decimal digits of v into buf (at least 20 bytes); returns their count. */
static size_t u64_digits(uint64_t v, char *buf) {
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* Build the head into hs->out, with plain copies (no printf: this runs
 * once per response). body_len >= 0: Content-Length; -1: chunked
 * (HTTP/1.1) or until close (HTTP/1.0). */
static int build_head(swirl_http_resp_t *resp, int64_t body_len) {
    swirl_http_server_t *hs = resp->hs;
    swirl_buf_t *o = &hs->out;
    o->start = o->len = 0;
    const char *reason = resp->reason[0] ? resp->reason : swirl_http_reason(resp->status);
    const char *date = swirl__http_date(hs);
    size_t rl = strlen(reason), dl = hs->date_len, ul = swirl_buf_size(&resp->headers);
    /* every fixed part below fits in 200 bytes */
    if (swirl_buf_reserve(o, 200 + rl + dl + ul) < 0)
        return swirl__error(-ENOMEM, "http response:");
    char *p = o->data;
#define PUT(s, n) (memcpy(p, (s), (n)), p += (n))
#define LIT(s) PUT(s, sizeof(s) - 1)
    if (resp->status == 200 && !resp->reason[0]) {
        LIT("HTTP/1.1 200 OK\r\n");
    } else {
        LIT("HTTP/1.1 ");
        *p++ = (char)('0' + resp->status / 100);
        *p++ = (char)('0' + resp->status / 10 % 10);
        *p++ = (char)('0' + resp->status % 10);
        *p++ = ' ';
        PUT(reason, rl);
        LIT("\r\n");
    }
    if (!(resp->user_set & H_SERVER))
        LIT("Server: swirl\r\n");
    if (!(resp->user_set & H_DATE))
        PUT(date, dl);
    if (!(resp->user_set & H_CONTENT_TYPE) && !no_body_status(resp->status))
        LIT("Content-Type: text/html\r\n");
    if (body_len < 0 && resp->http10 && !resp->chunked)
        resp->keep_alive = false; /* the end of the body is the end of the connection */
    if (!(resp->user_set & (H_CONTENT_LENGTH | H_TRANSFER_ENCODING)) &&
        !no_body_status(resp->status)) {
        if (body_len >= 0) {
            LIT("Content-Length: ");
            p += u64_digits((uint64_t)body_len, p);
            LIT("\r\n");
        } else if (!resp->http10) {
            resp->chunked = true;
            LIT("Transfer-Encoding: chunked\r\n");
        }
    }
    if (!(resp->user_set & H_CONNECTION)) {
        if (resp->keep_alive)
            LIT("Connection: keep-alive\r\n");
        else
            LIT("Connection: close\r\n");
    }
    if (ul && (resp->status < 200 || resp->status == 204) &&
        (resp->user_set & (H_CONTENT_LENGTH | H_TRANSFER_ENCODING))) {
        /* 1xx and 204 never carry a length or a coding (RFC 9110 §8.6,
         * RFC 9112 §6.1): the user's are left out */
        const char *q = swirl_buf_bytes(&resp->headers), *end = q + ul;
        while (q < end) {
            const char *eol = (const char *)memchr(q, '\n', (size_t)(end - q)) + 1;
            size_t nl = (size_t)((const char *)memchr(q, ':', (size_t)(eol - q)) - q);
            if (!(swirl__http_known_header(q, nl) & (H_CONTENT_LENGTH | H_TRANSFER_ENCODING)))
                PUT(q, (size_t)(eol - q));
            q = eol;
        }
    } else if (ul) { /* (no buffer at all when there are none) */
        PUT(swirl_buf_bytes(&resp->headers), ul);
    }
    LIT("\r\n");
#undef LIT
#undef PUT
    swirl_buf_commit(o, (size_t)(p - o->data));
    resp->head_sent = true;
    return 0;
}

/* Send hs->out; the connection may be gone (then ECLOSED). A send the
 * server refuses (more than buffer_output_size at once, or the output
 * buffer full past socket_buffer_size) leaves the response cut: the
 * connection is closed, so the client is not left waiting, and the caller
 * gets the error. */
static int flush(swirl_http_resp_t *resp) {
    swirl_buf_t *o = &resp->hs->out;
    if (resp->remote) { /* straight to the connection's owner, from any process */
        /* after the answers this process batched (a create($server, $fd) in
         * a request callback whose own response ended first): in order */
        int rc = swirl__http_flush_batch(resp->hs);
        if (rc == 0)
            rc = swirl_server_send(resp->hs->srv, resp->fd, swirl_buf_bytes(o), swirl_buf_size(o));
        o->start = o->len = 0;
        return rc;
    }
    /* gone already (a PROCESS worker learns of a close, by the heartbeat or
     * the peer, only after its callback: batched bytes would be taken for
     * sent), or being closed (swirl_server_close: nothing more goes out) */
    if (!resp->c || resp->c->close_asked || !swirl__conn_get(resp->hs->srv, resp->fd)) {
        o->start = o->len = 0;
        return swirl__error(SWIRL_ECLOSED, "http response: connection %lld is closed",
                            (long long)resp->fd);
    }
    swirl_http_server_t *hs = resp->hs;
    int rc = 0;
    if (hs->batch_fd == resp->fd && resp->in_dispatch) { /* pipelined answers: one send */
        rc = swirl_buf_append(&hs->batch, swirl_buf_bytes(o), swirl_buf_size(o)) < 0 ? -ENOMEM : 0;
        if (rc == 0 && swirl_buf_size(&hs->batch) >= 64 * 1024)
            rc = swirl__http_flush_batch(hs);
    } else {
        rc = swirl__http_flush_batch(hs);
        if (rc == 0)
            rc = swirl_server_send(hs->srv, resp->fd, swirl_buf_bytes(o), swirl_buf_size(o));
    }
    o->start = o->len = 0;
    if (rc < 0 && rc != SWIRL_ECLOSED) {
        swirl_log_warning("http: response to connection %lld cut, closing it: %s",
                          (long long)resp->fd, swirl_last_error_msg());
        resp->keep_alive = false;
    }
    return rc;
}

/* The response is complete. Inside the request callback, dispatch frees
 * it when the callback returns; a detached one ended later is freed here. */
static void finish(swirl_http_resp_t *resp) {
    resp->finished = true;
    if (resp->c)
        swirl__http_done(resp->hs, resp->c, resp->keep_alive, resp->in_dispatch);
    resp->c = NULL;
    if (!resp->in_dispatch)
        swirl__http_resp_free(resp);
}

/* A failure past the checks (out of memory): the response cannot be
 * finished properly, so it ends here and its connection closes; `rc` is
 * returned. Refusals (SWIRL_EBADARG, SWIRL_ESTATE) never come here: after
 * one, the response is still the caller's. */
static int cut(swirl_http_resp_t *resp, int rc) {
    swirl_log_warning("http: response to connection %lld cut, closing it: %s", (long long)resp->fd,
                      swirl_last_error_msg());
    resp->hs->out.start = resp->hs->out.len = 0;
    resp->keep_alive = false;
    finish(resp);
    return rc;
}

/* May `len` more body bytes go out? 0, or SWIRL_ESTATE naming why not
 * (a status without a body; past the Content-Length the user set). A
 * HEAD request's body is taken and never sent. */
static int body_fits(swirl_http_resp_t *resp, const char *what, uint64_t len) {
    if (len == 0 || resp->head_only)
        return 0;
    if (no_body_status(resp->status))
        return swirl__error(SWIRL_ESTATE, "http response: %s: a %d response has no body (%llu "
                                          "bytes refused)", what, resp->status,
                            (unsigned long long)len);
    if (resp->length >= 0 && len > (uint64_t)resp->length - resp->sent)
        return swirl__error(SWIRL_ESTATE, "http response: %s: %llu bytes would pass the "
                                          "Content-Length %lld (%llu sent)", what,
                            (unsigned long long)len, (long long)resp->length,
                            (unsigned long long)resp->sent);
    return 0;
}

/* The body ends after `len` more bytes: short of the user's Content-Length,
 * the connection closes after it so the client sees it cut. */
static void body_ends(swirl_http_resp_t *resp, uint64_t len) {
    if (resp->length < 0 || resp->head_only || no_body_status(resp->status) ||
        resp->sent + len >= (uint64_t)resp->length)
        return;
    swirl_log_warning("http: response to connection %lld ends %llu bytes short of its "
                      "Content-Length %lld; closing the connection", (long long)resp->fd,
                      (unsigned long long)((uint64_t)resp->length - resp->sent - len),
                      (long long)resp->length);
    resp->keep_alive = false;
}

static int append_chunk(swirl_buf_t *o, const void *data, size_t len) {
    char size[24];
    int n = snprintf(size, sizeof(size), "%zx\r\n", len);
    if (swirl_buf_append(o, size, (size_t)n) < 0 || swirl_buf_append(o, data, len) < 0 ||
        swirl_buf_append(o, "\r\n", 2) < 0)
        return -ENOMEM;
    return 0;
}

int swirl_http_resp_write(swirl_http_resp_t *resp, const void *data, size_t len) {
    int rc = swirl__http_resp_usable(resp, "write");
    if (rc < 0)
        return rc;
    if (!data && len)
        return swirl__error(SWIRL_EBADARG, "http response: write: no data");
    if ((rc = body_fits(resp, "write", len)) < 0)
        return rc;
    if (!resp->head_sent && (rc = build_head(resp, -1)) < 0)
        return cut(resp, rc);
    if (len > 0 && !resp->head_only) {
        rc = resp->chunked ? append_chunk(&resp->hs->out, data, len)
                           : swirl_buf_append(&resp->hs->out, data, len);
        if (rc < 0)
            return cut(resp, swirl__error(-ENOMEM, "http response: write:"));
        resp->sent += len;
    }
    rc = flush(resp);
    if (rc < 0)
        finish(resp); /* cut short: it is over (closed), as end would */
    return rc;
}

static bool compressible(const char *type) {
    if (!type[0] || strncasecmp(type, "text/", 5) == 0)
        return true; /* "" is swirl's default, text/html */
    static const char *const kinds[] = {"application/json", "application/javascript",
                                        "application/xml", "image/svg+xml", "+json", "+xml"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcasestr(type, kinds[i]))
            return true;
    return false;
}

/* gzip a whole body when compression is on for it (http_compression, or
 * swirl_http_resp_compress), the client accepts it, the type is
 * compressible and the body is at least compression_min_length bytes (and
 * the user did not encode it); then *data and *len point to the compressed
 * bytes. 0, or an error. */
static int compress_body(swirl_http_resp_t *resp, const void **data, size_t *len) {
    swirl_http_server_t *hs = resp->hs;
    const swirl__http_settings_t *s = hs->conf;
    int level = resp->compress < 0 ? (s->http_compression ? (int)s->http_compression_level : 0)
                                   : resp->compress;
    if (!level || (resp->user_set & (H_CONTENT_ENCODING | H_CONTENT_LENGTH)) ||
        no_body_status(resp->status) || resp->status == 206 || !compressible(resp->ctype) ||
        *len < (size_t)s->compression_min_length)
        return 0;
    if (!(resp->user_set & H_VARY)) /* the answer depends on Accept-Encoding, for caches */
        swirl_http_resp_header(resp, "Vary", "Accept-Encoding");
    if (!resp->gzip_ok)
        return 0;
    z_stream z = {0};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return swirl__error(-ENOMEM, "http response: gzip:");
    size_t bound = deflateBound(&z, (uLong)*len);
    hs->gz.start = hs->gz.len = 0;
    if (swirl_buf_reserve(&hs->gz, bound) < 0) {
        deflateEnd(&z);
        return swirl__error(-ENOMEM, "http response: gzip of %zu bytes:", *len);
    }
    z.next_in = (Bytef *)(uintptr_t)*data;
    z.avail_in = (uInt)*len;
    z.next_out = (Bytef *)swirl_buf_bytes(&hs->gz);
    z.avail_out = (uInt)bound;
    int zr = deflate(&z, Z_FINISH);
    size_t out = bound - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END)
        return swirl__error(SWIRL_EPROTO, "http response: gzip failed (%d)", zr);
    swirl_http_resp_header(resp, "Content-Encoding", "gzip");
    *data = swirl_buf_bytes(&hs->gz);
    *len = out;
    return 0;
}

int swirl_http_resp_end(swirl_http_resp_t *resp, const void *data, size_t len) {
    int rc = swirl__http_resp_usable(resp, "end");
    if (rc < 0)
        return rc;
    if (!data && len)
        return swirl__error(SWIRL_EBADARG, "http response: end: no data");
    if ((rc = body_fits(resp, "end", len)) < 0)
        return rc;
    body_ends(resp, len);
    swirl_buf_t *o = &resp->hs->out;
    if (!resp->head_sent) {
        if (len > 0 && compress_body(resp, &data, &len) < 0)
            swirl_log_warning("http: response to connection %lld sent uncompressed: %s",
                              (long long)resp->fd, swirl_last_error_msg());
        if ((rc = build_head(resp, (int64_t)len)) < 0)
            return cut(resp, rc);
        if (len > 0 && !resp->head_only && !no_body_status(resp->status))
            rc = swirl_buf_append(o, data, len);
    } else if (resp->chunked && !no_body_status(resp->status)) {
        if (len > 0 && !resp->head_only)
            rc = append_chunk(o, data, len);
        if (rc == 0 && !resp->head_only)
            rc = swirl_buf_append(o, "0\r\n\r\n", 5);
    } else if (len > 0 && !resp->head_only) {
        rc = swirl_buf_append(o, data, len);
    }
    if (rc < 0)
        return cut(resp, swirl__error(-ENOMEM, "http response: end:"));
    rc = flush(resp);
    finish(resp);
    return rc;
}

int swirl_http_resp_sendfile(swirl_http_resp_t *resp, const char *path, int64_t offset,
                             int64_t length) {
    int rc = swirl__http_resp_usable(resp, "sendfile");
    if (rc < 0)
        return rc;
    if (resp->head_sent)
        return swirl__error(SWIRL_ESTATE, "http response: sendfile: part of the body is sent");
    if (!path || offset < 0 || length < 0)
        return swirl__error(SWIRL_EBADARG, "http response: sendfile: bad path, offset or length");
    /* opened once, here: the fd is what is sent (PROCESS mode: handed to the reactor) */
    struct stat st;
    int file = swirl__file_open(path, &st);
    if (file < 0)
        return swirl__error(SWIRL_EBADARG, "http response: sendfile \"%s\": not a readable file",
                            path);
    if (offset > st.st_size) {
        close(file);
        return swirl__error(SWIRL_EBADARG, "http response: sendfile \"%s\": offset %lld past its "
                                           "size %lld", path, (long long)offset,
                            (long long)st.st_size);
    }
    int64_t n = length ? length : st.st_size - offset;
    if (offset + n > st.st_size)
        n = st.st_size - offset;
    if ((rc = body_fits(resp, "sendfile", (uint64_t)n)) < 0) {
        close(file);
        return rc;
    }
    body_ends(resp, (uint64_t)n);
    if ((rc = build_head(resp, n)) < 0) {
        close(file);
        return cut(resp, rc);
    }
    rc = flush(resp);
    if (rc == 0)
        rc = swirl__http_flush_batch(resp->hs); /* the head, and what came before it */
    if (rc == 0 && n > 0 && !resp->head_only) {
        rc = swirl__server_sendfile_fd(resp->hs->srv, resp->fd, file, st.st_size, path,
                                       (off_t)offset, (size_t)n, NULL, 0);
        file = -1; /* taken */
        if (rc < 0)
            resp->keep_alive = false; /* the head is out, the body is not: close */
        else if (resp->c)
            resp->c->files_ahead++;
    }
    if (file >= 0)
        close(file);
    finish(resp);
    return rc;
}

int swirl__http_resp_sendfile_fd(swirl_http_resp_t *resp, int file, int64_t size,
                                 const char *path, int64_t offset, int64_t n) {
    swirl_http_server_t *hs = resp->hs;
    int rc = build_head(resp, n);
    if (rc == 0 && (n == 0 || resp->head_only || !resp->c)) {
        rc = flush(resp); /* no body: the head alone */
    } else if (rc == 0) {
        /* the answers batched before go first; then the head travels with
         * the file (in one segment, when this worker sends it) */
        rc = swirl__http_flush_batch(hs);
        if (rc == 0) {
            rc = swirl__server_sendfile_fd(hs->srv, resp->fd, file, size, path, (off_t)offset,
                                           (size_t)n, swirl_buf_bytes(&hs->out),
                                           swirl_buf_size(&hs->out));
            file = -1; /* taken */
            if (rc == 0 && resp->c)
                resp->c->files_ahead++;
        }
        hs->out.start = hs->out.len = 0;
        if (rc < 0 && rc != SWIRL_ECLOSED) {
            swirl_log_warning("http: response to connection %lld cut, closing it: %s",
                              (long long)resp->fd, swirl_last_error_msg());
            resp->keep_alive = false;
        }
    }
    if (file >= 0)
        close(file);
    finish(resp);
    return rc;
}

int swirl_http_resp_redirect(swirl_http_resp_t *resp, const char *url, int code) {
    int rc = swirl__http_resp_usable(resp, "redirect");
    if (rc < 0)
        return rc;
    if (!code)
        code = 302;
    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
        return swirl__error(SWIRL_EBADARG, "http response: redirect: status %d: expected 301, "
                                           "302, 303, 307 or 308", code);
    if ((rc = swirl_http_header_check("Location", url ? url : "")) < 0 ||
        (rc = swirl_http_resp_status(resp, code, NULL)) < 0)
        return rc; /* nothing changed */
    if ((rc = swirl_http_resp_header_set(resp, "Location", url ? url : "")) < 0)
        return cut(resp, rc); /* checked: only memory can fail */
    return swirl_http_resp_end(resp, NULL, 0);
}

int swirl_http_resp_compress(swirl_http_resp_t *resp, int level) {
    int rc = swirl__http_head_open(resp, "compress", NULL);
    if (rc < 0)
        return rc;
    if (level < 0 || level > 9)
        return swirl__error(SWIRL_EBADARG, "http response: compression level %d: expected 0 (off) "
                                           "or 1..9", level);
    resp->compress = (int8_t)level;
    return 0;
}

int64_t swirl_http_resp_fd(const swirl_http_resp_t *resp) { return resp ? resp->fd : 0; }

int swirl_http_resp_detach(swirl_http_resp_t *resp) {
    int rc = swirl__http_resp_usable(resp, "detach");
    if (rc < 0)
        return rc;
    resp->detached = true;
    return 0;
}

bool swirl_http_resp_finished(const swirl_http_resp_t *resp) {
    return !resp || resp->finished || (!resp->c && !resp->remote);
}

int swirl__http_flush_batch(swirl_http_server_t *hs) {
    if (swirl_buf_size(&hs->batch) == 0)
        return 0;
    int rc = swirl_server_send(hs->srv, hs->batch_fd, swirl_buf_bytes(&hs->batch),
                               swirl_buf_size(&hs->batch));
    hs->batch.start = hs->batch.len = 0;
    return rc;
}

void swirl__http_reject(swirl_http_server_t *hs, http_conn_t *c, int status, const char *why) {
    swirl__http_flush_batch(hs); /* answers to the requests before this one go first */
    swirl_log_debug("http: connection %lld: %d %s", (long long)c->fd, status, why ? why : "");
    char msg[512];
    const char *reason = swirl_http_reason(status);
    int body = snprintf(msg, sizeof(msg), "%d %s: %s\n", status, reason, why ? why : "");
    if (body < 0 || (size_t)body >= sizeof(msg))
        body = (int)sizeof(msg) - 1;
    swirl_buf_t *o = &hs->out;
    o->start = o->len = 0;
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nServer: swirl\r\n%sContent-Type: text/plain\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n",
                     status, reason, swirl__http_date(hs), body);
    if (swirl_buf_append(o, head, (size_t)n) == 0 && swirl_buf_append(o, msg, (size_t)body) == 0)
        swirl_server_send(hs->srv, c->fd, swirl_buf_bytes(o), swirl_buf_size(o));
    o->start = o->len = 0;
    if (status == 413 && !c->body_unsent)
        swirl__http_linger(hs, c); /* the client may be sending the body still */
    else
        swirl__http_close_later(hs, c);
}
