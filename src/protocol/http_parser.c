/* src/protocol/http_parser.c — HTTP/1.1 request heads and chunked bodies.
 *
 * Strict where leniency lets two parsers disagree about where a message
 * ends (request smuggling): CRLF only (a bare CR or LF anywhere in the head
 * is an error), no whitespace before a header's colon, no obs-fold, token
 * characters only in methods and header names, visible ASCII only in the
 * request target, no control characters in values, one Content-Length of
 * digits only, no Content-Length with Transfer-Encoding, chunked as the
 * only transfer coding, no Transfer-Encoding in HTTP/1.0, chunk sizes of
 * at most 15 hex digits with no whitespace around them, chunk extensions
 * and trailers well formed and bounded.
 *
 * Zero-copy: the head is parsed in place once its end is found (the search
 * resumes where it stopped, so each byte is looked at once while waiting
 * and once more when parsing); names, values and the target point into the
 * caller's buffer. No allocation. */
#include <string.h>
#include <swirl/protocol.h>

#include "../core/internal.h"
#include "http_internal.h"

/* ---- character classes ---------------------------------------------------------------------- */

enum { C_TCHAR = 1, C_VCHAR = 2, C_TARGET = 4, C_HEX = 8 };

/* tchar: ALPHA DIGIT ! # $ % & ' * + - . ^ _ ` | ~ (RFC 9110 §5.6.2);
 * field value bytes: visible ASCII, obs-text (0x80-0xff), SP, HTAB;
 * request target: visible ASCII (0x21-0x7e). */
static uint8_t cls[256];
static bool cls_ready; /* filled once; the table is the same in every process */

static void init_classes(void) {
    for (int c = 0; c < 256; c++) {
        uint8_t v = 0;
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || (c && strchr("!#$%&'*+-.^_`|~", c)))
            v |= C_TCHAR;
        if ((c >= 0x21 && c <= 0x7e) || c >= 0x80 || c == ' ' || c == '\t')
            v |= C_VCHAR;
        if (c >= 0x21 && c <= 0x7e)
            v |= C_TARGET;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            v |= C_HEX;
        cls[c] = v;
    }
    __atomic_store_n(&cls_ready, true, __ATOMIC_RELEASE);
}

static inline bool is(unsigned char c, int k) { return cls[c] & k; }

static void ensure_classes(void) {
    if (!__atomic_load_n(&cls_ready, __ATOMIC_ACQUIRE))
        init_classes(); /* idempotent: two threads racing write the same bytes */
}

/* ---- methods --------------------------------------------------------------------------------- */

static const char *const methods[] = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    /* WebDAV, CalDAV, UPnP, and the rest llhttp knows for HTTP */
    "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND",
    "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY",
    "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "MKCALENDAR", "LINK", "UNLINK", "SOURCE", "QUERY"};

/* Could p[0..n) be the start of a known method? */
static bool method_prefix(const char *p, size_t n) {
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i]) >= n && memcmp(methods[i], p, n) == 0)
            return true;
    return false;
}

static int find_method(const char *p, size_t n) {
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i]) == n && memcmp(methods[i], p, n) == 0)
            return (int)i + 1;
    return 0;
}

/* ---- finding the end of a head ---------------------------------------------------------------- */

ssize_t swirl_http_head_end(const char *buf, size_t len, size_t *scan_from) {
    size_t i = *scan_from;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (!nl)
            break;
        size_t k = (size_t)(nl - buf);
        /* an empty line: CRLF CRLF, or a bare LF the parser will refuse */
        if ((k >= 1 && buf[k - 1] == '\n') || (k >= 2 && buf[k - 1] == '\r' && buf[k - 2] == '\n'))
            return (ssize_t)(k + 1);
        i = k + 1;
    }
    *scan_from = len;
    return 0;
}

/* ---- the head ---------------------------------------------------------------------------------- */

static int fail(swirl_http_request_t *r, int status, const char *why) {
    r->status = status;
    r->error = why;
    return SWIRL_EPROTO;
}

bool swirl__http_ieq(const char *p, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return false;
    }
    return true;
}
#define ieq swirl__http_ieq

void swirl__http_each_token(const char *p, size_t n, void (*fn)(const char *, size_t, void *),
                            void *arg) {
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
            i++;
        size_t s = i;
        while (i < n && p[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (e > s)
            fn(p + s, e - s, arg);
    }
}
#define each_token swirl__http_each_token

static void on_connection(const char *t, size_t n, void *arg) {
    swirl_http_request_t *r = arg;
    if (ieq(t, n, "close"))
        r->conn_close = true;
    else if (ieq(t, n, "keep-alive"))
        r->conn_keep_alive = true;
    else if (ieq(t, n, "upgrade"))
        r->conn_upgrade = true;
}

typedef struct {
    int count, chunked_at, bad;
} te_scan_t;

static void on_te(const char *t, size_t n, void *arg) {
    te_scan_t *s = arg;
    s->count++;
    if (ieq(t, n, "chunked"))
        s->chunked_at = s->count;
    for (size_t i = 0; i < n; i++)
        if (!is((unsigned char)t[i], C_TCHAR)) /* parameters (;q=) are not for requests */
            s->bad = 1;
}

const char *swirl__http_transfer_encoding(const char *v, size_t n, int *status) {
    ensure_classes();
    te_scan_t s = {0};
    each_token(v, n, on_te, &s);
    *status = 400;
    if (s.count == 0 || s.bad)
        return "malformed Transfer-Encoding";
    if (s.chunked_at != s.count) {
        *status = s.chunked_at ? 400 : 501;
        return "Transfer-Encoding must end with chunked";
    }
    if (s.count > 1) {
        *status = 501;
        return "transfer codings other than chunked are not supported";
    }
    return NULL;
}

const char *swirl__http_content_length(const char *v, size_t n, uint64_t *out, int *status) {
    *status = 400;
    if (n == 0)
        return "empty Content-Length";
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return "Content-Length is not a number";
        if (x > (UINT64_C(1) << 53) / 10) {
            *status = 413;
            return "Content-Length too large";
        }
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return NULL;
}

static int special_header(swirl_http_request_t *r, const char *name, size_t nlen, const char *v,
                          size_t vlen) {
    switch (nlen) {
    case 4:
        if (ieq(name, nlen, "host")) {
            if (++r->host_count > 1)
                return fail(r, 400, "more than one Host header");
        }
        return 0;
    case 6:
        if (ieq(name, nlen, "expect")) {
            if (!ieq(v, vlen, "100-continue"))
                return fail(r, 417, "unsupported Expect");
            r->expect_continue = true;
        }
        return 0;
    case 7:
        if (ieq(name, nlen, "upgrade"))
            r->has_upgrade = true;
        return 0;
    case 10:
        if (ieq(name, nlen, "connection"))
            each_token(v, vlen, on_connection, r);
        return 0;
    case 14:
        if (ieq(name, nlen, "content-length")) {
            if (r->content_length >= 0)
                return fail(r, 400, "more than one Content-Length");
            uint64_t n = 0;
            int status;
            const char *why = swirl__http_content_length(v, vlen, &n, &status);
            if (why)
                return fail(r, status, why);
            r->content_length = (int64_t)n;
        }
        return 0;
    case 17:
        if (ieq(name, nlen, "transfer-encoding")) {
            if (r->te_seen)
                return fail(r, 400, "more than one Transfer-Encoding");
            r->te_seen = true;
            int status;
            const char *why = swirl__http_transfer_encoding(v, vlen, &status);
            if (why)
                return fail(r, status, why);
            r->chunked = true;
        }
        return 0;
    default:
        return 0;
    }
}

void swirl_http_request_init(swirl_http_request_t *r, swirl_http_header_t *headers,
                             size_t max_headers) {
    memset(r, 0, sizeof(*r));
    r->headers = headers;
    r->max_headers = max_headers;
    r->content_length = -1;
}

/* Parse buf[0..len): a whole head, or with `partial` the start of one
 * (running out of bytes is then not an error). 0 done, 1 more bytes
 * needed (partial), or SWIRL_EPROTO. */
static int parse(swirl_http_request_t *r, const char *buf, size_t len, bool partial) {
    ensure_classes();
    swirl_http_header_t *hdrs = r->headers;
    size_t max = r->max_headers;
    swirl_http_request_init(r, hdrs, max);
    const char *p = buf, *end = buf + len;
#define OUT_OF_BYTES(why) return partial ? 1 : fail(r, 400, why)

    /* request-line = method SP request-target SP HTTP-version CRLF */
    const char *s = p;
    while (p < end && is((unsigned char)*p, C_TCHAR))
        p++;
    if (p >= end) {
        if (!method_prefix(s, (size_t)(p - s)))
            return fail(r, 400, "unknown method");
        OUT_OF_BYTES("malformed method");
    }
    if (p == s && (*p == '\r' || *p == '\n'))
        return fail(r, 400, "stray CR or LF before the request line");
    if (p == s || *p != ' ')
        return fail(r, 400, "malformed method");
    r->method = s;
    r->method_len = (size_t)(p - s);
    if (!find_method(s, r->method_len))
        return fail(r, 400, "unknown method");
    s = ++p;
    while (p < end && is((unsigned char)*p, C_TARGET))
        p++;
    if (p >= end)
        OUT_OF_BYTES("malformed request target");
    if (p == s || *p != ' ')
        return fail(r, 400, "malformed request target");
    r->target = s;
    r->target_len = (size_t)(p - s);
    p++;
    /* "HTTP/" DIGIT "." DIGIT CRLF, checked as far as the bytes go */
    static const char pattern[] = "HTTP/9.9\r\n";
    size_t have = (size_t)(end - p) < 10 ? (size_t)(end - p) : 10;
    for (size_t i = 0; i < have; i++) {
        bool ok = pattern[i] == '9' ? p[i] >= '0' && p[i] <= '9' : p[i] == pattern[i];
        if (!ok)
            return fail(r, 400, i < 8 ? "malformed HTTP version" : "request line not ended by CRLF");
        if (i == 7 && (p[5] != '1' || (p[7] != '0' && p[7] != '1')))
            return fail(r, 505, "HTTP version not supported");
    }
    if (have < 10)
        OUT_OF_BYTES("malformed HTTP version");
    r->minor = p[7] - '0';
    p += 10;
    bool is_connect = r->method_len == 7 && memcmp(r->method, "CONNECT", 7) == 0;

    /* header-field = field-name ":" OWS field-value OWS CRLF */
    for (;;) {
        if (p >= end)
            OUT_OF_BYTES("head not ended by an empty line");
        if (*p == '\r') {
            if (p + 1 >= end)
                OUT_OF_BYTES("bare CR in the head");
            if (p[1] != '\n')
                return fail(r, 400, "bare CR in the head");
            p += 2;
            break;
        }
        s = p;
        while (p < end && is((unsigned char)*p, C_TCHAR))
            p++;
        if (p >= end)
            OUT_OF_BYTES("header line not ended");
        bool ws = *p == ' ' || *p == '\t';
        if (p == s)
            return fail(r, 400, ws          ? "obs-fold or whitespace before a header"
                                : *p == ':'  ? "empty header name"
                                : *p == '\n' ? "bare LF in the head"
                                             : "invalid character in a header name");
        if (*p != ':')
            return fail(r, 400, ws ? "whitespace before a header's colon"
                                   : "invalid character in a header name");
        const char *name = s;
        size_t nlen = (size_t)(p - s);
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        s = p;
        while (p < end && is((unsigned char)*p, C_VCHAR))
            p++;
        if (p + 1 >= end && (p >= end || *p == '\r'))
            OUT_OF_BYTES("header line not ended");
        if (*p != '\r')
            return fail(r, 400, *p == '\n' ? "bare LF in a header"
                                           : "invalid character in a header value");
        if (p[1] != '\n')
            return fail(r, 400, "bare CR in a header");
        const char *ve = p;
        while (ve > s && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        p += 2;
        if (r->nheaders >= max)
            return fail(r, 431, "too many headers");
        hdrs[r->nheaders++] = (swirl_http_header_t){name, nlen, s, (size_t)(ve - s)};
        int rc = special_header(r, name, nlen, s, (size_t)(ve - s));
        if (rc < 0)
            return rc;
    }
#undef OUT_OF_BYTES
    r->head_len = (size_t)(p - buf);

    if (r->chunked && r->content_length >= 0)
        return fail(r, 400, "both Content-Length and Transfer-Encoding");
    if (r->te_seen && r->minor == 0)
        return fail(r, 400, "Transfer-Encoding in an HTTP/1.0 request");
    r->keep_alive = r->minor == 1 ? !r->conn_close : (r->conn_keep_alive && !r->conn_close);
    r->upgrade = is_connect || (r->conn_upgrade && r->has_upgrade);
    if (r->content_length < 0 && !r->chunked)
        r->content_length = 0;
    return 0;
}

int swirl_http_parse_head(swirl_http_request_t *r, const char *buf, size_t len) {
    int rc = parse(r, buf, len, false);
    return rc > 0 ? fail(r, 400, "incomplete head") : rc;
}

int swirl_http_check_partial(swirl_http_request_t *r, const char *buf, size_t len) {
    int rc = parse(r, buf, len, true);
    return rc < 0 ? rc : 0;
}

const swirl_http_header_t *swirl_http_find_header(const swirl_http_request_t *r,
                                                  const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (ieq(r->headers[i].name, r->headers[i].name_len, name))
            return &r->headers[i];
    return NULL;
}

/* ---- chunked bodies ---------------------------------------------------------------------------- */

enum { CK_SIZE, CK_SIZE_MORE, CK_EXT, CK_EXT_VALUE, CK_EXT_QUOTED, CK_EXT_ESCAPE, CK_EXT_CLOSED, CK_EXT_AFTER,
       CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF, CK_TRAILER, CK_TRAILER_NAME,
       CK_TRAILER_VALUE, CK_TRAILER_LF, CK_END_LF, CK_DONE };

#define CK_EXT_MAX 4096      /* chunk-extension bytes per chunk */
#define CK_TRAILER_MAX 8192  /* trailer bytes in all */
/* framing (size lines, extensions, CRLFs, trailers) at most this plus
 * CK_FRAMING_RATIO times the body's size: a body of tiny chunks with long
 * extensions costs parsing time, never more than a bounded share of it */
#define CK_FRAMING_BASE (64 * 1024)
#define CK_FRAMING_RATIO 16

void swirl_http_chunked_init(swirl_http_chunked_t *c) { memset(c, 0, sizeof(*c)); }

static ssize_t ck_fail(swirl_http_chunked_t *c, const char *why) {
    c->error = why;
    return SWIRL_EPROTO;
}

/* a limit on size, not on syntax: SWIRL_ETOOBIG */
static ssize_t ck_too_big(swirl_http_chunked_t *c, const char *why) {
    c->error = why;
    return SWIRL_ETOOBIG;
}

ssize_t swirl_http_chunked_decode(swirl_http_chunked_t *c, const char *in, size_t len, char *out,
                                  size_t *out_len) {
    ensure_classes();
    size_t i = 0, o = 0;
    while (i < len && c->state != CK_DONE) {
        unsigned char ch = (unsigned char)in[i];
        if (c->state != CK_DATA)
            c->framing++; /* every state but CK_DATA takes one byte */
        switch (c->state) {
        case CK_SIZE: /* at least one hex digit */
        case CK_SIZE_MORE:
            if (is(ch, C_HEX)) {
                if (c->digits >= 15)
                    return ck_fail(c, "chunk size too large");
                int d = swirl__hexval(ch); /* a hex digit: is(ch, C_HEX) */
                c->left = c->left * 16 + (uint64_t)d;
                c->digits++;
                c->state = CK_SIZE_MORE;
            } else if (c->state == CK_SIZE) {
                return ck_fail(c, "missing chunk size");
            } else if (ch == ';') {
                c->ext = 0;
                c->state = CK_EXT;
            } else if (ch == '\r') {
                c->state = CK_SIZE_LF;
            } else {
                return ck_fail(c, "invalid character after a chunk size");
            }
            i++;
            break;
        case CK_EXT: /* chunk-ext-name (token, at least one char) */
        case CK_EXT_AFTER:
            if (++c->ext > CK_EXT_MAX)
                return ck_too_big(c, "chunk extension too long");
            if (is(ch, C_TCHAR))
                c->state = CK_EXT_AFTER;
            else if (c->state == CK_EXT)
                return ck_fail(c, "empty chunk extension");
            else if (ch == '=')
                c->state = CK_EXT_VALUE;
            else if (ch == ';')
                c->state = CK_EXT;
            else if (ch == '\r')
                c->state = CK_SIZE_LF;
            else
                return ck_fail(c, "invalid character in a chunk extension");
            i++;
            break;
        case CK_EXT_VALUE: /* token or quoted-string, then ; or CR */
            if (++c->ext > CK_EXT_MAX)
                return ck_too_big(c, "chunk extension too long");
            if (ch == '"' && !c->ext_token)
                c->state = CK_EXT_QUOTED;
            else if (is(ch, C_TCHAR))
                c->ext_token = true;
            else if (ch == ';' && c->ext_token)
                c->state = CK_EXT, c->ext_token = false;
            else if (ch == '\r' && c->ext_token)
                c->state = CK_SIZE_LF, c->ext_token = false;
            else
                return ck_fail(c, "invalid chunk extension value");
            i++;
            break;
        case CK_EXT_QUOTED:
            if (++c->ext > CK_EXT_MAX)
                return ck_too_big(c, "chunk extension too long");
            if (ch == '"')
                c->state = CK_EXT_CLOSED; /* then ; or CR */
            else if (ch == '\\')
                c->state = CK_EXT_ESCAPE;
            else if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
                return ck_fail(c, "invalid character in a quoted chunk extension");
            i++;
            break;
        case CK_EXT_CLOSED:
            if (ch == ';')
                c->state = CK_EXT;
            else if (ch == '\r')
                c->state = CK_SIZE_LF;
            else
                return ck_fail(c, "invalid character after a quoted chunk extension");
            i++;
            break;
        case CK_EXT_ESCAPE:
            if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
                return ck_fail(c, "invalid escape in a chunk extension");
            c->state = CK_EXT_QUOTED;
            i++;
            break;
        case CK_SIZE_LF:
            if (ch != '\n')
                return ck_fail(c, "chunk size line not ended by CRLF");
            i++;
            c->total += c->left;
            if (c->framing > CK_FRAMING_BASE &&
                (c->framing - CK_FRAMING_BASE) / CK_FRAMING_RATIO > c->total) /* no overflow */
                return ck_too_big(c, "chunk framing out of proportion to the body (tiny chunks "
                                     "or long extensions)");
            c->digits = 0;
            c->state = c->left == 0 ? CK_TRAILER : CK_DATA;
            break;
        case CK_DATA: {
            size_t n = len - i;
            if (n > c->left)
                n = (size_t)c->left;
            memmove(out + o, in + i, n); /* out may be in itself, behind */
            o += n;
            i += n;
            c->left -= n;
            if (c->left == 0)
                c->state = CK_DATA_CR;
            break;
        }
        case CK_DATA_CR:
            if (ch != '\r')
                return ck_fail(c, "chunk data not ended by CRLF");
            c->state = CK_DATA_LF;
            i++;
            break;
        case CK_DATA_LF:
            if (ch != '\n')
                return ck_fail(c, "chunk data not ended by CRLF");
            c->state = CK_SIZE;
            i++;
            break;
        case CK_TRAILER: /* CRLF ends the body; else a trailer field */
            if (ch == '\r')
                c->state = CK_END_LF;
            else if (is(ch, C_TCHAR))
                c->state = CK_TRAILER_NAME;
            else
                return ck_fail(c, ch == '\n'  ? "bare LF in the trailers"
                                  : ch == ':' ? "empty trailer name"
                                              : "invalid trailer");
            if (++c->trailer > CK_TRAILER_MAX)
                return ck_too_big(c, "trailers too long");
            i++;
            break;
        case CK_TRAILER_NAME:
            if (++c->trailer > CK_TRAILER_MAX)
                return ck_too_big(c, "trailers too long");
            if (ch == ':')
                c->state = CK_TRAILER_VALUE;
            else if (!is(ch, C_TCHAR))
                return ck_fail(c, "invalid character in a trailer name");
            i++;
            break;
        case CK_TRAILER_VALUE:
            if (++c->trailer > CK_TRAILER_MAX)
                return ck_too_big(c, "trailers too long");
            if (ch == '\r')
                c->state = CK_TRAILER_LF;
            else if (!is(ch, C_VCHAR))
                return ck_fail(c, "invalid character in a trailer value");
            i++;
            break;
        case CK_TRAILER_LF:
            if (ch != '\n')
                return ck_fail(c, "trailer not ended by CRLF");
            c->state = CK_TRAILER;
            i++;
            break;
        case CK_END_LF:
            if (ch != '\n')
                return ck_fail(c, "last chunk not ended by CRLF");
            c->state = CK_DONE;
            i++;
            break;
        }
    }
    *out_len = o;
    return (ssize_t)i;
}

bool swirl_http_chunked_done(const swirl_http_chunked_t *c) { return c->state == CK_DONE; }
