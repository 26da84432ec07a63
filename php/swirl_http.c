/* swirl_http.c — Swoole\Http\Server (swoole_http_server) and
 * Swoole\Http\Response on swirl_http_server_t; Swoole\Http\Request is in
 * swirl_http_request.c.
 *
 * Http\Server is a Swoole\Server whose object also holds the C HTTP server
 * (server_obj.http, made by Server::__construct for this class and its
 * subclasses); its "request" callback gets a Request and a Response.
 *
 * Decisions:
 *
 * - Request fields are filled when the callback starts, from the C
 *   layer's fields (parsed once, there: query, urlencoded or multipart
 *   body, and cookies by $_COOKIE's rules, SWIRL_HTTP_FIELDS_PHP), each
 *   registered with php_register_variable_safe, so names follow $_GET's
 *   rules (a[]=1&a[]=2, a[x]=1, dots and spaces to '_'; '&' separates,
 *   at most 1000 fields of a kind). files has $_FILES's shape (name, full_path,
 *   type, tmp_name, error, size; f[] and f[x] transposed as PHP does).
 *   Each of get/post/cookie/files is null when empty, as in Swoole. The
 *   C layer decides what is parsed (http_parse_post, http_parse_cookie).
 *   Superglobals ($_GET, $_POST, ...) are not filled.
 * - Upload temp files are listed in SG(rfc1867_uploaded_files) during the
 *   callback, so is_uploaded_file() and move_uploaded_file() accept them;
 *   the C layer removes what is still there when the callback returns.
 * - rawContent() is "" for a request without a body, false when the body
 *   was not kept (a multipart body parsed into post and files).
 * - A Response does not own its C response. Every C response this worker
 *   knows (in its request callback, or detached and not yet ended) is in
 *   one table by connection id with a serial number; an object holds the
 *   connection id and the serial, and finds its C response through the
 *   table on each call. So ending a response through one object leaves
 *   the others (Response::create) harmlessly unwritable, and no object
 *   can reach a freed C response. The table is emptied (and the detached
 *   responses left open released) when the worker stops.
 * - Response::create($fd) takes up a response of this worker: one detached
 *   (typically ended later from a timer, or from the finish callback of a
 *   task), or one in its callback. Response::create($server, $fd) with no
 *   such response here (the master's callbacks and timers, the manager, a
 *   user process, another worker) makes a new one that writes to the
 *   connection from this process (swirl_http_resp_remote: HTTP/1.1,
 *   keep-alive, as Swoole's); create($fd) alone there warns and returns
 *   false.
 * - header() replaces an earlier header of the same name (Swoole keeps
 *   them by name); a value null removes it; an array sends one line each.
 *   With $format the name is written Like-This.
 * - gzip($level) sets this response's own compression level (the C
 *   layer's swirl_http_resp_compress): the body given to end() is gzipped
 *   when the client accepts gzip, the type is compressible and it is at
 *   least compression_min_length bytes; write() chunks and sendfile() are
 *   sent as they are.
 * - A callback that returns without ending or detaching its response gets
 *   a PHP warning naming the request, and the response is ended for it:
 *   500 when nothing was sent, else cut where it was. A callback that
 *   throws gets the exception reported as a warning and its response
 *   ended the same way; the worker goes on with its other requests.
 * - A call on an ended response (end twice, write after end) is a warning
 *   and false, never a crash. A call on a response whose client has gone
 *   returns false quietly, as Server::send to a closed connection. */
#include "swirl_server.h"

#include <SAPI.h>
#include <ext/standard/url.h>
#include <main/php_variables.h>
#include <zend_exceptions.h>

#include <ctype.h>

#include "stubs/http_arginfo.h"

zend_class_entry *swirl_php_http_server_ce;
static zend_class_entry *response_ce;
static zend_object_handlers response_handlers;

/* The slot of declared property `name` of `obj` (an array property: made
 * an array, and separated, ready to be changed in place). */
static zval *array_prop(zend_object *obj, const char *name) {
    zend_property_info *pi =
        zend_hash_str_find_ptr(&obj->ce->properties_info, name, strlen(name));
    zval *slot = OBJ_PROP(obj, pi->offset);
    ZVAL_DEREF(slot);
    if (Z_TYPE_P(slot) != IS_ARRAY) {
        zval_ptr_dtor(slot);
        array_init(slot);
    }
    SEPARATE_ARRAY(slot);
    return slot;
}

/* Does a string argument hold a NUL byte (the C layer reads C strings)?
 * Then a warning naming it. */
static bool has_nul(const zend_string *s, const char *what) {
    if (s && memchr(ZSTR_VAL(s), '\0', ZSTR_LEN(s))) {
        php_error_docref(NULL, E_WARNING, "%s holds a NUL byte", what);
        return true;
    }
    return false;
}

/* ---- the responses this worker knows ------------------------------------------------------- */

/* A C response in its request callback, or detached and not yet ended. */
typedef struct {
    swirl_http_resp_t *resp;
    uint64_t serial;
    bool detached;
    bool closing;    /* Server::close() was called for its connection */
    bool end_failed; /* an end(), sendfile() or redirect() failed (and warned) */
    bool kept;       /* detached because the script kept its Response (see on_request) */
} live_t;

static HashTable *live;      /* connection id -> live_t *, this process's; NULL when empty */
static uint64_t live_serial; /* the last serial given */

static void live_dtor(zval *z) { efree(Z_PTR_P(z)); }

static live_t *live_add(int64_t fd, swirl_http_resp_t *resp) {
    if (!live) {
        ALLOC_HASHTABLE(live);
        zend_hash_init(live, 16, NULL, live_dtor, 0);
    }
    live_t *e = emalloc(sizeof *e);
    *e = (live_t){.resp = resp, .serial = ++live_serial};
    zend_hash_index_update_ptr(live, (zend_ulong)fd, e);
    return e;
}

static live_t *live_find(int64_t fd) {
    return live ? zend_hash_index_find_ptr(live, (zend_ulong)fd) : NULL;
}

static void live_del(int64_t fd) {
    if (live)
        zend_hash_index_del(live, (zend_ulong)fd);
}

void swirl_php_http_closing(int64_t fd) {
    live_t *e = live_find(fd);
    if (e)
        e->closing = true;
}

void swirl_php_http_worker_stop(void) {
    if (!live)
        return;
    /* the connections are gone: a detached response left open is ended to
     * release it (its end finds the connection closed) */
    live_t *e;
    ZEND_HASH_FOREACH_PTR(live, e) {
        if (e->detached)
            swirl_http_resp_end(e->resp, NULL, 0);
    }
    ZEND_HASH_FOREACH_END();
    zend_hash_destroy(live);
    FREE_HASHTABLE(live);
    live = NULL;
}

/* ---- Response ----------------------------------------------------------------------------- */

typedef struct {
    int64_t fd;      /* the connection */
    uint64_t serial; /* of its live response (0: none) */
    bool gone;       /* its client left before the end: later calls are quiet */
    zend_object std;
} response_obj;

static inline response_obj *response_from(zend_object *o) {
    return (response_obj *)((char *)o - XtOffsetOf(response_obj, std));
}

static zend_object *response_create(zend_class_entry *ce) {
    response_obj *r = zend_object_alloc(sizeof(response_obj), ce);
    zend_object_std_init(&r->std, ce);
    object_properties_init(&r->std, ce);
    r->std.handlers = &response_handlers;
    return &r->std;
}

/* The last reference of a kept response went before its end: 500, as
 * Swoole's Response destructor. */
static void response_free(zend_object *obj) {
    response_obj *r = response_from(obj);
    live_t *e = r->serial ? live_find(r->fd) : NULL;
    if (e && e->serial == r->serial && e->kept) {
        if (!swirl_http_resp_finished(e->resp))
            swirl_http_resp_status(e->resp, 500, NULL);
        swirl_http_resp_end(e->resp, "", 0);
        live_del(r->fd);
    }
    zend_object_std_dtor(obj);
}

static void response_init(zval *out, const live_t *e, int64_t fd) {
    object_init_ex(out, response_ce);
    response_obj *r = response_from(Z_OBJ_P(out));
    r->fd = fd;
    r->serial = e->serial;
    zend_update_property_long(response_ce, Z_OBJ_P(out), "fd", sizeof("fd") - 1, (zend_long)fd);
}

void swirl_php_response_new(zval *out, server_obj *o, swirl_http_resp_t *resp) {
    (void)o;
    int64_t fd = swirl_http_resp_fd(resp);
    response_init(out, live_add(fd, resp), fd);
}

void swirl_php_response_done(zval *response) {
    response_obj *r = response_from(Z_OBJ_P(response));
    live_t *e = live_find(r->fd);
    if (e && e->serial == r->serial && !e->detached)
        live_del(r->fd); /* the C layer ends it now, if it has not ended */
}

/* The live entry of `r`, or NULL: ended (then a warning naming `what`,
 * unless quiet), or its client gone (no warning; a detached response is
 * released then). */
static live_t *live_of(response_obj *r, const char *what, bool quiet) {
    live_t *e = r->serial ? live_find(r->fd) : NULL;
    if (!e || e->serial != r->serial) {
        r->serial = 0;
        if (!quiet && !r->gone)
            php_error_docref(NULL, E_WARNING,
                             "%s() after the end of the response to connection " ZEND_LONG_FMT
                             " (end(), sendfile() or redirect() was called, or its request "
                             "callback returned without detach())",
                             what, (zend_long)r->fd);
        return NULL;
    }
    if (swirl_http_resp_finished(e->resp)) {
        /* the client closed: ending it releases it (its end finds no
         * connection; inside its callback the C layer frees it after) */
        swirl_http_resp_end(e->resp, NULL, 0);
        live_del(r->fd);
        r->serial = 0;
        r->gone = true;
        return NULL;
    }
    return e;
}

#define THIS_RESP(var, what)                                                                       \
    response_obj *self_ = response_from(Z_OBJ_P(ZEND_THIS));                                       \
    live_t *var = live_of(self_, what, false);                                                     \
    if (!var) {                                                                                    \
        RETURN_FALSE;                                                                              \
    }

/* After a C call that may end the response: a refusal (EBADARG, ESTATE)
 * leaves it as it was; success of an ending call or any other failure
 * means it has ended (see swirl/http.h). The warning, unless the client
 * simply left. */
static bool after_call(response_obj *r, int rc, bool ends) {
    if (rc >= 0 ? ends : rc != SWIRL_EBADARG && rc != SWIRL_ESTATE) {
        live_del(r->fd);
        r->serial = 0;
        r->gone = rc == SWIRL_ECLOSED;
    }
    if (rc < 0 && rc != SWIRL_ECLOSED)
        swirl_php_warn(rc);
    return rc >= 0;
}

PHP_METHOD(Swoole_Http_Response, status) {
    zend_long code;
    zend_string *reason = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_LONG(code)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR(reason)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "status");
    if (code < 100 || code > 999) {
        php_error_docref(NULL, E_WARNING,
                         "status code " ZEND_LONG_FMT ": not an HTTP status code (100..999)", code);
        RETURN_FALSE;
    }
    if (has_nul(reason, "the reason phrase"))
        RETURN_FALSE;
    int rc = swirl_http_resp_status(e->resp, (int)code,
                                    reason && ZSTR_LEN(reason) ? ZSTR_VAL(reason) : NULL);
    RETURN_BOOL(after_call(self_, rc, false));
}

/* `name` written Like-This: a letter first or after '-' upper case, the
 * others lower case. */
static zend_string *header_name_format(const zend_string *name) {
    zend_string *s = zend_string_init(ZSTR_VAL(name), ZSTR_LEN(name), 0);
    bool start = true;
    for (size_t i = 0; i < ZSTR_LEN(s); i++) {
        char c = ZSTR_VAL(s)[i];
        ZSTR_VAL(s)[i] = (char)(start ? toupper((unsigned char)c) : tolower((unsigned char)c));
        start = c == '-';
    }
    return s;
}

/* A header value given to header(): a string (scalars converted), or NULL
 * with a warning. */
static zend_string *header_value(zval *v, const char *name) {
    ZVAL_DEREF(v);
    if (Z_TYPE_P(v) == IS_ARRAY || Z_TYPE_P(v) == IS_OBJECT || Z_TYPE_P(v) == IS_NULL) {
        php_error_docref(NULL, E_WARNING, "header \"%s\": a value must be a string, not %s", name,
                         zend_zval_type_name(v));
        return NULL;
    }
    zend_string *s = zval_get_string(v);
    if (memchr(ZSTR_VAL(s), '\0', ZSTR_LEN(s))) {
        php_error_docref(NULL, E_WARNING, "header \"%s\": the value holds a NUL byte", name);
        zend_string_release(s);
        return NULL;
    }
    return s;
}

PHP_METHOD(Swoole_Http_Response, header) {
    zend_string *key;
    zval *value;
    bool format = true;
    ZEND_PARSE_PARAMETERS_START(2, 3)
    Z_PARAM_STR(key)
    Z_PARAM_ZVAL(value)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(format)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "header");
    if (!ZSTR_LEN(key)) {
        php_error_docref(NULL, E_WARNING, "the header name is empty");
        RETURN_FALSE;
    }
    if (has_nul(key, "the header name"))
        RETURN_FALSE;
    zend_string *name = format ? header_name_format(key) : zend_string_copy(key);
    const char *n = ZSTR_VAL(name);
    ZVAL_DEREF(value);
    int rc = 0;
    zval keep;
    ZVAL_UNDEF(&keep);
    if (Z_TYPE_P(value) == IS_NULL) { /* remove it */
        rc = swirl_http_resp_header_set(e->resp, n, NULL);
    } else if (Z_TYPE_P(value) == IS_ARRAY) { /* one line each */
        array_init(&keep);
        zval *item;
        bool first = true;
        ZEND_HASH_FOREACH_VAL(Z_ARR_P(value), item) {
            zend_string *v = header_value(item, n);
            if (!v) {
                rc = SWIRL_EBADARG;
                break;
            }
            rc = first ? swirl_http_resp_header_set(e->resp, n, ZSTR_VAL(v))
                       : swirl_http_resp_header(e->resp, n, ZSTR_VAL(v));
            first = false;
            if (rc < 0) {
                zend_string_release(v);
                swirl_php_warn(rc);
                break;
            }
            add_next_index_str(&keep, v);
        }
        ZEND_HASH_FOREACH_END();
        if (first && rc == 0) /* an empty array: none */
            rc = swirl_http_resp_header_set(e->resp, n, NULL);
        if (rc < 0) {
            zval_ptr_dtor(&keep);
            zend_string_release(name);
            RETURN_FALSE;
        }
    } else {
        zend_string *v = header_value(value, n);
        if (!v) {
            zend_string_release(name);
            RETURN_FALSE;
        }
        rc = swirl_http_resp_header_set(e->resp, n, ZSTR_VAL(v));
        ZVAL_STR(&keep, v);
    }
    if (!after_call(self_, rc, false)) {
        zval_ptr_dtor(&keep);
        zend_string_release(name);
        RETURN_FALSE;
    }
    zval *headers = array_prop(Z_OBJ_P(ZEND_THIS), "header");
    if (Z_TYPE(keep) == IS_UNDEF)
        zend_symtable_del(Z_ARR_P(headers), name);
    else
        zend_symtable_update(Z_ARR_P(headers), name, &keep);
    zend_string_release(name);
    RETURN_TRUE;
}

/* cookie() and rawcookie(): Swoole's arguments into the C layer's cookie. */
static void set_cookie(INTERNAL_FUNCTION_PARAMETERS, bool raw) {
    zend_string *name, *value = NULL, *path = NULL, *domain = NULL, *samesite = NULL,
                       *priority = NULL;
    zend_long expires = 0;
    bool secure = false, httponly = false;
    ZEND_PARSE_PARAMETERS_START(1, 9)
    Z_PARAM_STR(name)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR(value)
    Z_PARAM_LONG(expires)
    Z_PARAM_STR(path)
    Z_PARAM_STR(domain)
    Z_PARAM_BOOL(secure)
    Z_PARAM_BOOL(httponly)
    Z_PARAM_STR(samesite)
    Z_PARAM_STR(priority)
    ZEND_PARSE_PARAMETERS_END();
    const char *what = raw ? "rawcookie" : "cookie";
    THIS_RESP(e, what);
    const zend_string *parts[] = {name, value, path, domain, samesite, priority};
    static const char *const part_names[] = {"name", "value", "path", "domain", "samesite",
                                             "priority"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i] && memchr(ZSTR_VAL(parts[i]), '\0', ZSTR_LEN(parts[i]))) {
            php_error_docref(NULL, E_WARNING, "%s \"%s\": the %s holds a NUL byte", what,
                             ZSTR_VAL(name), part_names[i]);
            RETURN_FALSE;
        }
    }
    if (expires < 0) {
        php_error_docref(NULL, E_WARNING, "%s \"%s\": expires " ZEND_LONG_FMT " is before 1970",
                         what, ZSTR_VAL(name), expires);
        RETURN_FALSE;
    }
    bool gone = !value || !ZSTR_LEN(value); /* "" deletes the cookie, as setcookie() does */
    swirl_http_cookie_t k = {
        .name = ZSTR_VAL(name),
        .value = gone ? "deleted" : ZSTR_VAL(value),
        .expires = gone ? 1 : expires,
        .path = path ? ZSTR_VAL(path) : "/",
        .domain = domain ? ZSTR_VAL(domain) : NULL,
        .samesite = samesite ? ZSTR_VAL(samesite) : NULL,
        .priority = priority ? ZSTR_VAL(priority) : NULL,
        .secure = secure,
        .httponly = httponly,
        .raw = raw,
    };
    if (!after_call(self_, swirl_http_resp_cookie(e->resp, &k), false))
        RETURN_FALSE;
    zval *cookies = array_prop(Z_OBJ_P(ZEND_THIS), "cookie");
    zval v;
    ZVAL_STR(&v, value ? zend_string_copy(value) : ZSTR_EMPTY_ALLOC());
    zend_symtable_update(Z_ARR_P(cookies), name, &v);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Response, cookie) { set_cookie(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

PHP_METHOD(Swoole_Http_Response, rawcookie) { set_cookie(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

PHP_METHOD(Swoole_Http_Response, gzip) {
    zend_long level = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(level)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "gzip");
    if (level < 1 || level > 9) {
        php_error_docref(NULL, E_WARNING, "gzip level " ZEND_LONG_FMT " out of range (1..9)",
                         level);
        RETURN_FALSE;
    }
    RETURN_BOOL(after_call(self_, swirl_http_resp_compress(e->resp, (int)level), false));
}

PHP_METHOD(Swoole_Http_Response, write) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "write");
    if (!ZSTR_LEN(data)) {
        php_error_docref(NULL, E_WARNING, "the data to write is empty (end() finishes a response)");
        RETURN_FALSE;
    }
    int rc = swirl_http_resp_write(e->resp, ZSTR_VAL(data), ZSTR_LEN(data));
    RETURN_BOOL(after_call(self_, rc, false));
}

PHP_METHOD(Swoole_Http_Response, end) {
    zend_string *data = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR_OR_NULL(data)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "end");
    int rc = swirl_http_resp_end(e->resp, data ? ZSTR_VAL(data) : "", data ? ZSTR_LEN(data) : 0);
    e->end_failed |= rc < 0;
    RETURN_BOOL(after_call(self_, rc, true));
}

PHP_METHOD(Swoole_Http_Response, sendfile) {
    zend_string *path;
    zend_long offset = 0, length = 0;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_STR(path)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(offset)
    Z_PARAM_LONG(length)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "sendfile");
    if (!ZSTR_LEN(path)) {
        php_error_docref(NULL, E_WARNING, "the file name is empty");
        RETURN_FALSE;
    }
    if (has_nul(path, "the file name"))
        RETURN_FALSE;
    if (offset < 0 || length < 0) {
        php_error_docref(NULL, E_WARNING,
                         "file \"%s\": offset " ZEND_LONG_FMT " and length " ZEND_LONG_FMT
                         " must not be negative",
                         ZSTR_VAL(path), offset, length);
        RETURN_FALSE;
    }
    int rc = swirl_http_resp_sendfile(e->resp, ZSTR_VAL(path), offset, length);
    e->end_failed |= rc < 0;
    RETURN_BOOL(after_call(self_, rc, true));
}

PHP_METHOD(Swoole_Http_Response, redirect) {
    zend_string *url;
    zend_long code = 302;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_STR(url)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(code)
    ZEND_PARSE_PARAMETERS_END();
    THIS_RESP(e, "redirect");
    if (has_nul(url, "the URL"))
        RETURN_FALSE;
    if (code < 0 || code > 999) { /* the C layer names the others */
        php_error_docref(NULL, E_WARNING,
                         "redirect status " ZEND_LONG_FMT ": expected 301, 302, 303, 307 or 308",
                         code);
        RETURN_FALSE;
    }
    int rc = swirl_http_resp_redirect(e->resp, ZSTR_VAL(url), (int)code);
    RETURN_BOOL(after_call(self_, rc, true));
}

PHP_METHOD(Swoole_Http_Response, isWritable) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_BOOL(live_of(response_from(Z_OBJ_P(ZEND_THIS)), "isWritable", true) != NULL);
}

PHP_METHOD(Swoole_Http_Response, detach) {
    ZEND_PARSE_PARAMETERS_NONE();
    THIS_RESP(e, "detach");
    int rc = swirl_http_resp_detach(e->resp);
    if (rc == 0)
        e->detached = true;
    RETURN_BOOL(after_call(self_, rc, false));
}

PHP_METHOD(Swoole_Http_Response, create) {
    zval *first;
    zend_long fd = -1;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_ZVAL(first)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    /* create($fd) (a numeric string too: a fd that came back from a task)
     * or, as Swoole also takes it, create($server, $fd) */
    zend_long n;
    if (Z_TYPE_P(first) == IS_LONG)
        fd = Z_LVAL_P(first);
    else if (Z_TYPE_P(first) == IS_STRING &&
             is_numeric_string(Z_STRVAL_P(first), Z_STRLEN_P(first), &n, NULL, false) == IS_LONG)
        fd = n;
    else if (Z_TYPE_P(first) != IS_OBJECT ||
             !instanceof_function(Z_OBJCE_P(first), swirl_php_server_ce)) {
        zend_argument_type_error(1, "must be a connection id (int) or a Swoole\\Server, %s given",
                                 zend_zval_type_name(first));
        RETURN_THROWS();
    }
    live_t *e = fd > 0 ? live_find((int64_t)fd) : NULL;
    if (e && swirl_http_resp_finished(e->resp)) { /* its client left */
        swirl_http_resp_end(e->resp, NULL, 0);
        live_del((int64_t)fd);
        e = NULL;
    }
    if (!e && Z_TYPE_P(first) == IS_OBJECT && server_from(Z_OBJ_P(first))->http) {
        /* create($server, $fd) with no response here (the master, the
         * manager, a user process, another worker): a new one that writes
         * to the connection from this process, as Swoole's */
        swirl_http_resp_t *r = swirl_http_resp_remote(server_from(Z_OBJ_P(first))->http, fd);
        if (!r) {
            swirl_php_warn(swirl_last_error());
            RETURN_FALSE;
        }
        e = live_add((int64_t)fd, r);
        e->detached = true;
    }
    if (!e) {
        php_error_docref(NULL, E_WARNING,
                         "no response to connection " ZEND_LONG_FMT " is open in this "
                         "process (only a response detached in this worker, or one in its "
                         "request callback, can be taken up)",
                         fd);
        RETURN_FALSE;
    }
    response_init(return_value, e, (int64_t)fd);
}

/* ---- the server's events ------------------------------------------------------------------- */

static void on_request(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                       void *user) {
    server_obj *o = user;
    zval args[2];
    swirl_php_request_new(&args[0], o, req);
    swirl_php_response_new(&args[1], o, resp);
    zval *cb = swirl_php_port_hcb(o, swirl_http_server_conn_port(hs, swirl_http_req_fd(req)),
                                  HCB_REQUEST);
    bool ok = swirl_php_server_call(o, cb, args, 2, false, true, "request");
    live_t *e = live_find(swirl_http_resp_fd(resp));
    bool mine = e && e->resp == resp;
    /* the script kept its Response (a closure given to an async client, a
     * timer): as Swoole, the response stays open until end() or until the
     * object goes (then 500, response_free) */
    if (ok && mine && !e->detached && !e->closing && !swirl_http_resp_finished(resp) &&
        GC_REFCOUNT(Z_OBJ(args[1])) > 1 && swirl_http_resp_detach(resp) == 0) {
        e->detached = true;
        e->kept = true;
    }
    if (!(mine && e->detached) && !swirl_http_resp_finished(resp)) {
        /* not ended: 500 if nothing was sent (status is refused once the
         * head is out), else the body ends where it is; no warning when
         * the script closed the connection itself, or tried to end the
         * response and that failed with its own warning (as Swoole, which
         * never warns here: a sendfile() of a directory is a 500) */
        bool fresh = swirl_http_resp_status(resp, 500, NULL) == 0;
        if (ok && !(mine && (e->closing || e->end_failed))) {
            size_t ml = 0, ul = 0;
            const char *m = swirl_http_req_method(req, &ml), *u = swirl_http_req_uri(req, &ul);
            php_error_docref(NULL, E_WARNING,
                             "the request callback returned without ending the response to "
                             "%.*s %.*s (call end() or detach()): %s",
                             (int)ml, m, (int)ul, u,
                             fresh ? "ended with status 500" : "its body ended where it was");
        }
        swirl_http_resp_end(resp, "", 0);
    }
    swirl_php_request_done(&args[0]);
    swirl_php_response_done(&args[1]);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);
}

int swirl_php_http_on(server_obj *o, const char *name, size_t len, zval *cb, bool *failed) {
    if (!swirl_php_event_is(name, len, "request"))
        return 0;
    int rc = swirl_http_server_on_request(o->http, on_request, o);
    if (rc < 0) {
        swirl_php_warn(rc);
        *failed = true;
        return 1;
    }
    zval_ptr_dtor(&o->hcb[HCB_REQUEST]);
    ZVAL_COPY(&o->hcb[HCB_REQUEST], cb);
    return 1;
}

bool swirl_php_http_prepare(server_obj *o) {
    return swirl_php_ports_prepare(o); /* a request callback first ("require onRequest") */
}

void swirl_http_minit(void) {
    swirl_php_http_server_ce = register_class_Swoole_Http_Server(swirl_php_server_ce);
    swirl_php_alias("swoole_http_server", swirl_php_http_server_ce);

    swirl_php_request_minit(register_class_Swoole_Http_Request());

    response_ce = register_class_Swoole_Http_Response();
    response_ce->create_object = response_create;
    memcpy(&response_handlers, zend_get_std_object_handlers(), sizeof response_handlers);
    response_handlers.offset = XtOffsetOf(response_obj, std);
    response_handlers.free_obj = response_free;
    response_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_http_response", response_ce);
}
