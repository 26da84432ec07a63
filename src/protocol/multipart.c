/* src/protocol/multipart.c — a streaming multipart/form-data parser.
 *
 * The body is a sequence of parts separated by the delimiter
 * CRLF "--" boundary. The parser treats the body as if it began with CRLF,
 * so the first delimiter (which may open the body) is found the same way
 * as the others, and anything before it is the ignored preamble.
 *
 * Finding the delimiter in a part's bytes needs no copy and no look-behind
 * buffer: a boundary never holds CR, so CR occurs in the delimiter only at
 * its first byte. The parser keeps how many delimiter bytes it has matched
 * (`m`); when the match fails, the bytes it had held back are exactly
 * delim[0..m), which it hands to the data callback from the delimiter
 * itself, and matching restarts (at this byte when it is a CR). Outside a
 * match, memchr jumps to the next CR, so a part's body is handed over in
 * as few pieces as the input allows. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/internal.h"
#include <swirl/protocol.h>

enum {
    M_DELIM,    /* matching the delimiter; bytes outside a match are preamble or part data */
    M_AFTER,    /* after a delimiter: "--", or spaces then CRLF */
    M_AFTER_LF, /* after a delimiter and its CR */
    M_CLOSE,    /* after a delimiter and one '-' */
    M_HEADERS,  /* a part's header lines */
    M_EPILOGUE, /* after the closing delimiter: ignored */
    M_FAILED
};

struct swirl_multipart {
    swirl_multipart_cbs_t cbs;
    void *user;
    int state;
    bool in_part; /* data goes to a part (else: preamble) */
    size_t m;     /* delimiter bytes matched */
    size_t dlen;  /* CRLF "--" boundary */
    size_t hlen;  /* header bytes held */
    char delim[4 + SWIRL_MULTIPART_BOUNDARY_MAX];
    char head[SWIRL_MULTIPART_HEAD_MAX + 1];
};

static bool bchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("'()+_,-./:=? ", c));
}

static int check_boundary(const char *b, size_t n) {
    if (n == 0)
        return swirl__error(SWIRL_EPROTO, "multipart: empty boundary");
    if (n > SWIRL_MULTIPART_BOUNDARY_MAX)
        return swirl__error(SWIRL_EPROTO, "multipart: boundary of %zu bytes (at most %d)", n,
                            SWIRL_MULTIPART_BOUNDARY_MAX);
    for (size_t i = 0; i < n; i++)
        if (!bchar((unsigned char)b[i]))
            return swirl__error(SWIRL_EPROTO,
                                "multipart: boundary has a byte 0x%02x RFC 2046 "
                                "does not allow",
                                (unsigned char)b[i]);
    if (b[n - 1] == ' ')
        return swirl__error(SWIRL_EPROTO, "multipart: boundary ends with a space");
    return 0;
}

static const char *skip_ows(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

int swirl_multipart_boundary(const char *ctype, size_t len, const char **b, size_t *blen) {
    static const char mt[] = "multipart/form-data";
    const char *p = ctype, *e = ctype + len;
    if (!ctype || !b || !blen)
        return swirl__error(SWIRL_EBADARG, "multipart: boundary: missing argument");
    p = skip_ows(p, e);
    if ((size_t)(e - p) < sizeof(mt) - 1 || strncasecmp(p, mt, sizeof(mt) - 1) != 0)
        return swirl__error(SWIRL_EPROTO, "multipart: Content-Type is not multipart/form-data");
    p += sizeof(mt) - 1;
    while (p < e) {
        p = skip_ows(p, e);
        if (p == e)
            break; /* trailing whitespace (p + 1 below would pass the end) */
        if (*p != ';')
            return swirl__error(SWIRL_EPROTO, "multipart: bad parameter list in Content-Type");
        p = skip_ows(p + 1, e);
        const char *name = p;
        while (p < e && *p != '=' && *p != ';')
            p++;
        size_t nl = (size_t)(p - name);
        while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
            nl--;
        if (p == e || *p == ';')
            continue; /* a parameter without a value: not ours */
        p = skip_ows(p + 1, e);
        const char *v = p;
        size_t vl;
        if (p < e && *p == '"') {
            v = ++p;
            while (p < e && *p != '"')
                p++;
            if (p == e)
                return swirl__error(SWIRL_EPROTO, "multipart: unterminated quoted parameter "
                                                  "in Content-Type");
            vl = (size_t)(p - v);
            p++;
        } else {
            while (p < e && *p != ';' && *p != ' ' && *p != '\t')
                p++;
            vl = (size_t)(p - v);
        }
        if (nl == 8 && strncasecmp(name, "boundary", 8) == 0) {
            int rc = check_boundary(v, vl);
            if (rc < 0)
                return rc;
            *b = v;
            *blen = vl;
            return 0;
        }
    }
    return swirl__error(SWIRL_EPROTO, "multipart: Content-Type has no boundary");
}

int swirl_multipart_new(swirl_multipart_t **out, const char *b, size_t blen,
                        const swirl_multipart_cbs_t *cbs, void *user) {
    if (!out || !b || !cbs || !cbs->begin || !cbs->data || !cbs->end)
        return swirl__error(SWIRL_EBADARG, "multipart: new: missing argument or callback");
    int rc = check_boundary(b, blen);
    if (rc < 0)
        return rc;
    swirl_multipart_t *mp = swirl_malloc(sizeof(*mp));
    if (!mp)
        return swirl__error(-ENOMEM, "multipart:");
    mp->cbs = *cbs;
    mp->user = user;
    mp->state = M_DELIM;
    mp->in_part = false;
    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, b, blen);
    mp->dlen = 4 + blen;
    mp->m = 2; /* the CRLF the body is taken to begin with */
    mp->hlen = 0;
    *out = mp;
    return 0;
}

void swirl_multipart_free(swirl_multipart_t *mp) { swirl_free(mp); }

bool swirl_multipart_done(const swirl_multipart_t *mp) { return mp && mp->state == M_EPILOGUE; }

static int fail(swirl_multipart_t *mp, int code) {
    mp->state = M_FAILED;
    return code;
}

static int emit(swirl_multipart_t *mp, const char *p, size_t n) {
    if (!mp->in_part || n == 0)
        return 0; /* preamble */
    return mp->cbs.data(mp->user, p, n);
}

/* Parse a parameter value at p (quoted-string or token), unescaped in
 * place; *next is where parsing goes on. Not NUL-terminated yet: the byte
 * after it may be the next separator. */
static char *param_value(char *p, char *e, char **next, size_t *len) {
    char *v = p, *o = p;
    if (p < e && *p == '"') {
        v = o = ++p;
        while (p < e && *p != '"') {
            if (*p == '\\' && p + 1 < e)
                p++;
            *o++ = *p++;
        }
        if (p == e)
            return NULL;
        p++; /* the closing quote */
    } else {
        while (p < e && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        o = p;
    }
    *len = (size_t)(o - v);
    *next = p;
    return v;
}

/* Parse the part's header lines in mp->head[0..hlen) (ending CRLF CRLF, or
 * just CRLF when there are none) and call begin. */
static int part_begin(swirl_multipart_t *mp) {
    swirl_multipart_part_t part = {.type = "", .type_len = 0};
    bool have_disposition = false;
    char *p = mp->head, *end = mp->head + mp->hlen;
    while (p < end) {
        char *eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol || eol + 1 >= end || eol[1] != '\n')
            return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: a part header line does "
                                                       "not end with CRLF"));
        if (eol == p)
            break; /* the empty line */
        if (*p == ' ' || *p == '\t')
            return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: folded part header line"));
        char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p)
            return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: part header line without "
                                                       "a name and a colon"));
        for (char *q = p; q < colon; q++)
            if (*q == ' ' || *q == '\t')
                return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: whitespace in a part "
                                                           "header name"));
        size_t nl = (size_t)(colon - p);
        char *v = (char *)skip_ows(colon + 1, eol);
        char *ve = eol;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (nl == 19 && strncasecmp(p, "content-disposition", 19) == 0) {
            static const char fd[] = "form-data";
            if ((size_t)(ve - v) < sizeof(fd) - 1 || strncasecmp(v, fd, sizeof(fd) - 1) != 0)
                return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: Content-Disposition of "
                                                           "a part is not form-data"));
            char *q = v + sizeof(fd) - 1;
            while (q < ve) {
                q = (char *)skip_ows(q, ve);
                if (q == ve)
                    break;
                if (*q != ';')
                    return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: bad "
                                                               "Content-Disposition parameters"));
                q = (char *)skip_ows(q + 1, ve);
                char *pn = q;
                while (q < ve && *q != '=' && *q != ';' && *q != ' ')
                    q++;
                size_t pl = (size_t)(q - pn);
                q = (char *)skip_ows(q, ve);
                if (q == ve || *q != '=')
                    continue; /* a parameter without a value */
                q = (char *)skip_ows(q + 1, ve);
                size_t len;
                char *val = param_value(q, ve, &q, &len);
                if (!val)
                    return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: unterminated quoted "
                                                               "Content-Disposition parameter"));
                if (pl == 4 && strncasecmp(pn, "name", 4) == 0) {
                    part.name = val;
                    part.name_len = len;
                } else if (pl == 8 && strncasecmp(pn, "filename", 8) == 0) {
                    part.filename = val;
                    part.filename_len = len;
                }
            }
            have_disposition = true;
        } else if (nl == 12 && strncasecmp(p, "content-type", 12) == 0) {
            part.type = v;
            part.type_len = (size_t)(ve - v);
        }
        p = eol + 2;
    }
    if (!have_disposition || !part.name || part.name_len == 0)
        return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: a part without "
                                                   "Content-Disposition: form-data; name=..."));
    /* every string ends at a separator, a quote or a CR no longer needed */
    ((char *)part.name)[part.name_len] = 0;
    if (part.filename)
        ((char *)part.filename)[part.filename_len] = 0;
    if (part.type_len)
        ((char *)part.type)[part.type_len] = 0;
    else
        part.type = ""; /* "Content-Type:" with an empty value: as none */
    int rc = mp->cbs.begin(mp->user, &part);
    if (rc < 0)
        return fail(mp, rc);
    mp->in_part = true;
    return 0;
}

int swirl_multipart_feed(swirl_multipart_t *mp, const char *p, size_t n) {
    if (!mp || (!p && n))
        return swirl__error(SWIRL_EBADARG, "multipart: feed: missing argument");
    if (mp->state == M_FAILED)
        return swirl__error(SWIRL_ESTATE, "multipart: feed after an error");
    const char *e = p + n;
    int rc;
    while (p < e) {
        switch (mp->state) {
        case M_DELIM: {
            if (mp->m == 0) {
                const char *cr = memchr(p, '\r', (size_t)(e - p));
                if (!cr) {
                    if ((rc = emit(mp, p, (size_t)(e - p))) < 0)
                        return fail(mp, rc);
                    return 0;
                }
                if ((rc = emit(mp, p, (size_t)(cr - p))) < 0)
                    return fail(mp, rc);
                p = cr + 1;
                mp->m = 1;
                continue;
            }
            /* extend the match as far as this input goes */
            while (p < e && mp->m < mp->dlen && *p == mp->delim[mp->m])
                p++, mp->m++;
            if (mp->m == mp->dlen) {
                mp->m = 0;
                if (mp->in_part && (rc = mp->cbs.end(mp->user)) < 0)
                    return fail(mp, rc);
                mp->in_part = false;
                mp->state = M_AFTER;
                continue;
            }
            if (p == e)
                return 0; /* the match goes on in the next input */
            /* mismatch: the held bytes were data; a CR may start a new match */
            if ((rc = emit(mp, mp->delim, mp->m)) < 0)
                return fail(mp, rc);
            if (*p == '\r') {
                mp->m = 1;
                p++;
            } else {
                mp->m = 0;
            }
            continue;
        }
        case M_AFTER:
            if (*p == '-') {
                mp->state = M_CLOSE;
            } else if (*p == '\r') {
                mp->state = M_AFTER_LF;
            } else if (*p != ' ' && *p != '\t') {
                return fail(mp, swirl__error(SWIRL_EPROTO,
                                             "multipart: byte 0x%02x after a "
                                             "boundary (expected CRLF or \"--\")",
                                             (unsigned char)*p));
            }
            p++;
            continue;
        case M_AFTER_LF:
            if (*p != '\n')
                return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: CR without LF after a "
                                                           "boundary"));
            p++;
            mp->hlen = 0;
            mp->state = M_HEADERS;
            continue;
        case M_CLOSE:
            if (*p != '-')
                return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: a single '-' after a "
                                                           "boundary"));
            p++;
            mp->state = M_EPILOGUE;
            continue;
        case M_HEADERS: {
            /* copy up to the end of the header block (CRLF CRLF, or a
             * first line that is empty) */
            while (p < e) {
                if (mp->hlen == SWIRL_MULTIPART_HEAD_MAX)
                    return fail(mp, swirl__error(SWIRL_EPROTO,
                                                 "multipart: part headers larger "
                                                 "than %d bytes",
                                                 SWIRL_MULTIPART_HEAD_MAX));
                char c = *p++;
                unsigned char u = (unsigned char)c;
                /* a NUL would cut the name or filename handed on as C
                 * strings ("a.php\0.jpg"); no control byte belongs here */
                if ((u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7f)
                    return fail(mp, swirl__error(SWIRL_EPROTO,
                                                 "multipart: control byte 0x%02x "
                                                 "in a part header",
                                                 u));
                mp->head[mp->hlen++] = c;
                if (c != '\n')
                    continue;
                size_t h = mp->hlen;
                if (h < 2 || mp->head[h - 2] != '\r')
                    return fail(mp, swirl__error(SWIRL_EPROTO, "multipart: a part header line "
                                                               "does not end with CRLF"));
                if ((h == 2 && mp->head[0] == '\r') ||
                    (h >= 4 && memcmp(mp->head + h - 4, "\r\n\r\n", 4) == 0)) {
                    mp->head[h] = 0;
                    if ((rc = part_begin(mp)) < 0)
                        return rc;
                    mp->state = M_DELIM;
                    mp->m = 0;
                    break;
                }
            }
            continue;
        }
        case M_EPILOGUE:
            return 0;
        default:
            return swirl__error(SWIRL_ESTATE, "multipart: feed after an error");
        }
    }
    return 0;
}
