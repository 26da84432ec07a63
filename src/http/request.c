/* src/http/request.c — what a request callback reads. Everything points
 * into the connection's bytes (valid during the callback) except path and
 * query, which are NUL-terminated copies made the first time they are
 * asked for. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include "internal.h"

const char *swirl_http_req_method(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.method_len;
    return req->p.method;
}

const char *swirl_http_req_uri(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.target_len;
    return req->p.target;
}

static size_t path_len(const swirl_http_req_t *req) {
    const char *q = memchr(req->p.target, '?', req->p.target_len);
    return q ? (size_t)(q - req->p.target) : req->p.target_len;
}

static char *copy(const char *p, size_t n) {
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

const char *swirl_http_req_path(const swirl_http_req_t *req, size_t *len) {
    swirl_http_req_t *r = (swirl_http_req_t *)req; /* the cached copy is ours to make */
    size_t n = path_len(req);
    if (!r->path && !(r->path = copy(req->p.target, n)))
        return NULL;
    if (len)
        *len = n;
    return r->path;
}

const char *swirl_http_req_query(const swirl_http_req_t *req, size_t *len) {
    swirl_http_req_t *r = (swirl_http_req_t *)req;
    size_t at = path_len(req);
    const char *q = at < req->p.target_len ? req->p.target + at + 1 : "";
    size_t n = at < req->p.target_len ? req->p.target_len - at - 1 : 0;
    if (!r->query && !(r->query = copy(q, n)))
        return NULL;
    if (len)
        *len = n;
    return r->query;
}

const char *swirl_http_req_protocol(const swirl_http_req_t *req) {
    return req->p.minor ? "HTTP/1.1" : "HTTP/1.0";
}

const char *swirl_http_req_header(const swirl_http_req_t *req, const char *name, size_t *len) {
    const swirl_http_header_t *h = name ? swirl_http_find_header(&req->p, name) : NULL;
    if (!h)
        return NULL;
    if (len)
        *len = h->value_len;
    return h->value;
}

size_t swirl_http_req_header_count(const swirl_http_req_t *req) { return req->p.nheaders; }

int swirl_http_req_header_at(const swirl_http_req_t *req, size_t i, const char **name,
                             size_t *name_len, const char **value, size_t *value_len) {
    if (i >= req->p.nheaders)
        return swirl__error(SWIRL_EBADARG, "http request: header %zu: there are %zu", i,
                            req->p.nheaders);
    const swirl_http_header_t *h = &req->p.headers[i];
    if (name)
        *name = h->name;
    if (name_len)
        *name_len = h->name_len;
    if (value)
        *value = h->value;
    if (value_len)
        *value_len = h->value_len;
    return 0;
}

const char *swirl_http_req_body(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->body_len;
    return req->body;
}

const char *swirl_http_req_raw_head(const swirl_http_req_t *req, size_t *len) {
    if (len)
        *len = req->p.head_len;
    return req->head;
}

int64_t swirl_http_req_fd(const swirl_http_req_t *req) { return req->fd; }

static void lookup_remote(swirl_http_req_t *req) {
    if (req->remote)
        return;
    if (!req->hs) { /* parsed outside a server: no connection */
        req->remote = -1;
        return;
    }
    swirl_conn_info_t info;
    if (swirl_server_connection_info(req->hs->srv, req->fd, &info) < 0) {
        req->remote = -1;
        return;
    }
    memcpy(req->remote_ip, info.remote_ip, sizeof(req->remote_ip));
    req->remote_ip[sizeof(req->remote_ip) - 1] = 0;
    req->remote_port = info.remote_port;
    req->remote = 1;
}

const char *swirl_http_req_remote_ip(swirl_http_req_t *req) {
    if (!req)
        return NULL;
    lookup_remote(req);
    return req->remote > 0 ? req->remote_ip : NULL;
}

int swirl_http_req_remote_port(swirl_http_req_t *req) {
    if (!req)
        return 0;
    lookup_remote(req);
    return req->remote > 0 ? req->remote_port : 0;
}

double swirl_http_req_time(const swirl_http_req_t *req) { return req->time; }

/* ---- query, urlencoded body and cookies ------------------------------------------------------ */

#define PARAMS_MAX 1000 /* fields kept per kind, as PHP's max_input_vars */

/* Percent-decode p[0..n) into out ('+' as space unless `raw`); a bad
 * escape is kept as it is (as PHP's urldecode). Returns the length
 * written. */
static size_t url_decode(const char *p, size_t n, char *out, bool raw) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = swirl__hexval(p[i + 1])) >= 0 &&
            (lo = swirl__hexval(p[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = p[i] == '+' && !raw ? ' ' : p[i];
        }
    }
    return o;
}

/* The key PHP gives variable `name` at the top level of its array, into
 * buf: leading spaces dropped, ' ' and '.' made '_', cut at an index
 * "[...]"; a '[' without its ']' is made '_', as are ' ', '.' and '[' after
 * it. False if it is empty or does not fit. */
static bool php_key(const char *name, char *buf, size_t size) {
    while (*name == ' ')
        name++;
    bool open = false;
    size_t i = 0;
    for (; name[i]; i++) {
        if (name[i] == '[' && !open) {
            if (strchr(name + i, ']'))
                break; /* an array's element */
            open = true;
        }
        if (i + 1 >= size)
            return false;
        buf[i] = name[i] == ' ' || name[i] == '.' || name[i] == '[' ? '_' : name[i];
    }
    buf[i] = '\0';
    return i > 0;
}

static uint64_t key_hash(const char *k) {
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * UINT64_C(1099511628211);
    return h;
}

/* Under PHP's rules: drop each cookie with a plain name (no '[') whose key
 * an earlier cookie has (the first of a name wins). One pass with a hash
 * of the keys kept: a head of a thousand cookies costs a thousand lookups,
 * not the half million comparisons of each against all before it. */
static int php_first_cookie_wins(swirl_http_params_t *set) {
    size_t cap = 16;
    while (cap < set->count * 2)
        cap *= 2;
    struct kept {
        uint64_t hash;
        size_t index; /* + 1; 0: a free slot */
    } *slots = swirl_calloc(cap, sizeof(*slots));
    if (!slots)
        return swirl__error(-ENOMEM, "http request: cookies:");
    char a[256], b[256];
    size_t k = 0;
    for (size_t i = 0; i < set->count; i++) {
        const char *name = set->fields[i].name;
        if (php_key(name, a, sizeof(a))) { /* every cookie's key counts as taken */
            uint64_t h = key_hash(a);
            size_t s = (size_t)h & (cap - 1);
            bool dup = false;
            for (; slots[s].index && !dup; s = (s + 1) & (cap - 1))
                dup = slots[s].hash == h &&
                      php_key(set->fields[slots[s].index - 1].name, b, sizeof(b)) &&
                      strcmp(a, b) == 0;
            if (dup && !strchr(name, '['))
                continue; /* a plain name: the first of its key wins */
            if (!dup)
                slots[s] = (struct kept){h, k + 1};
        }
        set->fields[k++] = set->fields[i];
    }
    set->count = k;
    swirl_free(slots);
    return 0;
}

/* Split p[0..n) at `sep` into name=value fields, decoded, into *set (one
 * allocation: the array, then the NUL-terminated strings). `php`: a
 * cookie under PHP's rules (swirl_http_fields_t). */
static int split_fields(const char *p, size_t n, char sep, bool trim, bool php,
                        swirl_http_params_t *set) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += p[i] == sep;
    count = count + 1 > PARAMS_MAX ? PARAMS_MAX : count + 1;
    /* decoded strings are never longer than the input; + 2 NULs a field */
    size_t bytes = count * sizeof(swirl_http_param_t) + n + count * 2 + 1;
    char *mem = swirl_malloc(bytes);
    if (!mem)
        return swirl__error(-ENOMEM, "http request: fields:");
    swirl_http_param_t *f = (swirl_http_param_t *)(void *)mem;
    char *str = mem + count * sizeof(swirl_http_param_t);
    size_t k = 0;
    for (size_t i = 0; i <= n && k < count;) {
        const char *s = p + i;
        const char *e = memchr(s, sep, n - i);
        size_t len = e ? (size_t)(e - s) : n - i;
        i += len + 1;
        if (trim)
            while (len > 0 && (*s == ' ' || *s == '\t' || (php && isspace((unsigned char)*s))))
                s++, len--;
        if (len == 0)
            continue;
        const char *eq = memchr(s, '=', len);
        size_t nl = eq ? (size_t)(eq - s) : len;
        if (nl == 0)
            continue; /* "=value": no name */
        f[k].name = str;
        if (php) { /* the name as sent */
            memcpy(str, s, nl);
            f[k].name_len = nl;
        } else {
            f[k].name_len = url_decode(s, nl, str, false);
        }
        str += f[k].name_len;
        *str++ = 0;
        f[k].value = str;
        f[k].value_len = eq ? url_decode(eq + 1, len - nl - 1, str, php) : 0;
        str += f[k].value_len;
        *str++ = 0;
        k++;
    }
    set->fields = f;
    set->count = k;
    set->parsed = true;
    return php ? php_first_cookie_wins(set) : 0;
}

static swirl_http_params_t *params_of(swirl_http_req_t *req, swirl_http_param_kind_t kind) {
    swirl_http_params_t *set = &req->params[kind];
    if (set->parsed)
        return set;
    set->parsed = true; /* an empty set if parsing is off or fails */
    /* a request parsed outside a server (swirl_http_parser_t) has its own rules */
    bool parse_post = req->hs ? req->hs->conf->http_parse_post : req->own.parse_post;
    bool parse_cookie = req->hs ? req->hs->conf->http_parse_cookie : req->own.parse_cookie;
    bool php = (req->hs ? req->hs->fields : req->own.fields) == SWIRL_HTTP_FIELDS_PHP;
    if (kind == SWIRL_HTTP_GET) {
        const char *q = memchr(req->p.target, '?', req->p.target_len);
        if (q)
            split_fields(q + 1, req->p.target_len - (size_t)(q + 1 - req->p.target), '&', false,
                         false, set);
    } else if (kind == SWIRL_HTTP_POST) {
        size_t tl;
        const char *t = swirl_http_req_header(req, "content-type", &tl);
        const char *form = "application/x-www-form-urlencoded";
        if (parse_post && t && tl >= strlen(form) && strncasecmp(t, form, strlen(form)) == 0)
            split_fields(req->body, req->body_len, '&', false, false, set);
    } else if (kind == SWIRL_HTTP_COOKIE && parse_cookie) {
        /* every Cookie header ("a=1; b=2"), joined with "; " */
        size_t total = 0, n = 0;
        for (size_t i = 0; i < req->p.nheaders; i++)
            if (req->p.headers[i].name_len == 6 &&
                strncasecmp(req->p.headers[i].name, "cookie", 6) == 0)
                total += req->p.headers[i].value_len + 2;
        char *all = total ? swirl_malloc(total) : NULL;
        for (size_t i = 0; all && i < req->p.nheaders; i++) {
            const swirl_http_header_t *h = &req->p.headers[i];
            if (h->name_len != 6 || strncasecmp(h->name, "cookie", 6) != 0)
                continue;
            memcpy(all + n, h->value, h->value_len);
            n += h->value_len;
            all[n++] = ';';
        }
        if (all)
            split_fields(all, n, ';', true, php, set);
        swirl_free(all);
    }
    return set;
}

int swirl_http_server_fields(swirl_http_server_t *hs, swirl_http_fields_t rules) {
    if (!hs || (rules != SWIRL_HTTP_FIELDS_PLAIN && rules != SWIRL_HTTP_FIELDS_PHP))
        return swirl__error(SWIRL_EBADARG,
                            "http server: fields: rules %d: expected "
                            "SWIRL_HTTP_FIELDS_PLAIN or _PHP",
                            (int)rules);
    if (hs->srv->started)
        return swirl__error(SWIRL_ESTATE, "http server: fields: the server is already started");
    hs->fields = rules;
    return 0;
}

size_t swirl_http_req_params(swirl_http_req_t *req, swirl_http_param_kind_t kind,
                             const swirl_http_param_t **out) {
    if (!req || kind < SWIRL_HTTP_GET || kind > SWIRL_HTTP_COOKIE) {
        if (out)
            *out = NULL;
        return 0;
    }
    swirl_http_params_t *set = params_of(req, kind);
    if (out)
        *out = set->fields;
    return set->count;
}

const char *swirl_http_req_param(swirl_http_req_t *req, swirl_http_param_kind_t kind,
                                 const char *name, size_t *len) {
    const swirl_http_param_t *f;
    size_t n = swirl_http_req_params(req, kind, &f), nl = name ? strlen(name) : 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].name_len == nl && memcmp(f[i].name, name, nl) == 0) {
            if (len)
                *len = f[i].value_len;
            return f[i].value;
        }
    return NULL;
}

void swirl__http_req_release(swirl_http_req_t *req) {
    free(req->path);
    free(req->query);
    for (int k = 0; k < 3; k++)
        swirl_free(req->params[k].fields);
}

/* ---- requests parsed outside a server ---------------------------------------------------- */

#define PARSER_HEAD_MAX (64 * 1024)
#define PARSER_HEADERS_MAX 128

struct swirl_http_parser {
    swirl_buf_t buf; /* the request's bytes so far */
    size_t scan;     /* swirl_http_head_end's resume point */
    size_t head_len; /* 0 until the head is complete */
    uint64_t total;  /* head + body, once the head is parsed */
    bool done, failed;
    swirl_http_header_t hdrs[PARSER_HEADERS_MAX];
    swirl_http_req_t req;
};

int swirl_http_parser_new(swirl_http_parser_t **out, const swirl_http_parser_rules_t *rules) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "http parser: NULL out");
    *out = NULL;
    swirl_http_parser_t *p = swirl_calloc(1, sizeof *p);
    if (!p)
        return swirl__error(-ENOMEM, "http parser: out of memory");
    swirl_buf_init(&p->buf);
    p->req.fd = -1;
    p->req.own.parse_cookie = rules ? rules->parse_cookie : true;
    p->req.own.parse_post = rules ? rules->parse_post : true;
    p->req.own.fields = rules ? rules->fields : SWIRL_HTTP_FIELDS_PLAIN;
    p->req.own.body_max =
        rules && rules->body_max ? rules->body_max : SWIRL_PACKAGE_MAX_LENGTH_DEFAULT;
    p->req.time = swirl_time_now();
    *out = p;
    return 0;
}

void swirl_http_parser_free(swirl_http_parser_t *p) {
    if (!p)
        return;
    swirl__http_req_release(&p->req);
    swirl_buf_destroy(&p->buf);
    swirl_free(p);
}

/* (Re)point the request at the buffer, which no longer moves once done. */
static int parser_point(swirl_http_parser_t *p) {
    swirl__http_req_release(&p->req);
    swirl_http_req_t keep = p->req;
    memset(&p->req, 0, sizeof p->req);
    p->req.fd = -1;
    p->req.own = keep.own;
    p->req.time = keep.time;
    swirl_http_request_init(&p->req.p, p->hdrs, PARSER_HEADERS_MAX);
    const char *b = swirl_buf_bytes(&p->buf);
    if (swirl_http_parse_head(&p->req.p, b, p->head_len) < 0)
        return swirl__error(SWIRL_EPROTO, "http parser: %d %s", p->req.p.status,
                            p->req.p.error ? p->req.p.error : "bad request head");
    p->req.head = b;
    p->req.body = b + p->head_len;
    p->req.body_len = swirl_buf_size(&p->buf) - p->head_len;
    return 0;
}

ssize_t swirl_http_parser_feed(swirl_http_parser_t *p, const void *data, size_t len) {
    if (!p || (!data && len))
        return swirl__error(SWIRL_EBADARG, "http parser: NULL parser or data");
    if (p->done)
        return swirl__error(SWIRL_ESTATE, "http parser: the request is complete");
    if (p->failed)
        return swirl__error(SWIRL_EPROTO, "http parser: the request was refused");
    size_t take = len;
    if (p->head_len) { /* in the body: what it still needs */
        uint64_t need = p->total - swirl_buf_size(&p->buf);
        take = need < len ? (size_t)need : len;
    }
    int rc = swirl_buf_append(&p->buf, data, take);
    if (rc < 0)
        return swirl__error(rc, "http parser: out of memory");
    if (!p->head_len) {
        ssize_t end =
            swirl_http_head_end(swirl_buf_bytes(&p->buf), swirl_buf_size(&p->buf), &p->scan);
        if (end == 0) {
            if (swirl_buf_size(&p->buf) > PARSER_HEAD_MAX) {
                p->failed = true;
                return swirl__error(SWIRL_ETOOBIG, "http parser: a head over %d bytes",
                                    PARSER_HEAD_MAX);
            }
            return (ssize_t)take;
        }
        p->head_len = (size_t)end;
        if ((rc = parser_point(p)) < 0) {
            p->failed = true;
            return rc;
        }
        if (p->req.p.chunked) {
            p->failed = true;
            return swirl__error(SWIRL_ENOTSUP, "http parser: a chunked body is not supported");
        }
        if ((uint64_t)p->req.p.content_length > p->req.own.body_max) {
            p->failed = true;
            return swirl__error(SWIRL_ETOOBIG, "http parser: a body of %lld bytes (at most %zu)",
                                (long long)p->req.p.content_length, p->req.own.body_max);
        }
        p->total = p->head_len + (uint64_t)p->req.p.content_length;
        if (swirl_buf_size(&p->buf) > p->total) { /* the rest is not this request's */
            size_t extra = swirl_buf_size(&p->buf) - (size_t)p->total;
            p->buf.len -= extra; /* drop them (the library's own buffer) */
            take -= extra;
            if ((rc = parser_point(p)) < 0)
                return rc;
        }
    }
    if (swirl_buf_size(&p->buf) == p->total) {
        p->done = true;
        if ((rc = parser_point(p)) < 0)
            return rc;
    }
    return (ssize_t)take;
}

const char *swirl_http_parser_method(const swirl_http_parser_t *p, size_t *len) {
    if (!p || p->failed)
        return NULL;
    const char *b = swirl_buf_bytes(&p->buf);
    size_t n = swirl_buf_size(&p->buf);
    for (size_t i = 0; b && i < n && i < 32; i++) {
        if (b[i] == ' ') {
            if (i == 0)
                return NULL;
            if (len)
                *len = i;
            return b;
        }
        /* a method is a token: letters as sent (RFC 9110 §9.1) */
        if (!isalnum((unsigned char)b[i]) && !strchr("!#$%&'*+-.^_`|~", b[i]))
            return NULL;
    }
    return NULL;
}

bool swirl_http_parser_head_done(const swirl_http_parser_t *p) { return p && p->head_len > 0; }

bool swirl_http_parser_done(const swirl_http_parser_t *p) { return p && p->done; }

swirl_http_req_t *swirl_http_parser_req(swirl_http_parser_t *p) {
    return p && p->head_len && !p->failed ? &p->req : NULL;
}
