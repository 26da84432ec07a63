/* swirl_http.c — Swoole\Http\Server (swoole_http_server), Swoole\Http\Request
 * and Swoole\Http\Response on swirl_http_server_t.
 *
 * Http\Server is a Swoole\Server whose object also holds the C HTTP server
 * (server_obj.http, made by Server::__construct for this class and its
 * subclasses); its "request" callback gets a Request and a Response.
 *
 * A Request is filled when the callback starts (header, server, get, post,
 * cookie, files, fd). Its body is read from the C request while that is
 * valid; if the object outlives the callback it keeps a copy.
 *
 * A Response refers to the C response until it is ended. After the
 * callback, a response neither ended nor detached is ended by the C layer
 * (500 if nothing was written); the object then refers to nothing, and a
 * later call on it is a warning, never a crash. A callback that throws gets
 * the exception reported as a warning, its response ended with 500 if it
 * was not, and the worker goes on with its other requests. */
#include "swirl_server.h"

#include <zend_exceptions.h>

#include "stubs/http_arginfo.h"

zend_class_entry *swirl_php_http_server_ce;
static zend_class_entry *request_ce;
static zend_class_entry *response_ce;
static zend_object_handlers request_handlers;
static zend_object_handlers response_handlers;

/* ---- Request ------------------------------------------------------------------------------ */

typedef struct {
    swirl_http_req_t *req; /* during the callback, else NULL */
    zend_string *body;     /* the body kept after the callback (NULL: none) */
    zend_string *data;     /* the raw request kept after the callback */
    zend_object std;
} request_obj;

static inline request_obj *request_from(zend_object *o) {
    return (request_obj *)((char *)o - XtOffsetOf(request_obj, std));
}

static zend_object *request_create(zend_class_entry *ce) {
    request_obj *r = zend_object_alloc(sizeof(request_obj), ce);
    zend_object_std_init(&r->std, ce);
    object_properties_init(&r->std, ce);
    r->std.handlers = &request_handlers;
    return &r->std;
}

static void request_free(zend_object *obj) {
    request_obj *r = request_from(obj);
    if (r->body)
        zend_string_release(r->body);
    if (r->data)
        zend_string_release(r->data);
    zend_object_std_dtor(obj);
}

static void set_prop(zend_class_entry *ce, zend_object *obj, const char *name, zval *v) {
    zend_update_property(ce, obj, name, strlen(name), v);
    zval_ptr_dtor(v);
}

/* The fields of one kind as a PHP array (names through PHP's own rules, so
 * a[]=1&a[]=2 is an array as in $_GET), or NULL when there are none. */
static void params_array(swirl_http_req_t *req, swirl_http_param_kind_t kind, zval *out) {
    const swirl_http_param_t *p;
    size_t n = swirl_http_req_params(req, kind, &p);
    array_init_size(out, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        zval v;
        ZVAL_STRINGL(&v, p[i].value, p[i].value_len);
        zend_symtable_str_update(Z_ARR_P(out), p[i].name, p[i].name_len, &v);
    }
}

void swirl_php_request_new(zval *out, server_obj *o, swirl_http_req_t *req) {
    object_init_ex(out, request_ce);
    zend_object *obj = Z_OBJ_P(out);
    request_from(obj)->req = req;
    zend_update_property_long(request_ce, obj, "fd", sizeof("fd") - 1,
                              (zend_long)swirl_http_req_fd(req));

    zval h;
    size_t n = swirl_http_req_header_count(req);
    array_init_size(&h, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        size_t nl, vl;
        if (swirl_http_req_header_at(req, i, &name, &nl, &value, &vl) < 0)
            continue;
        zend_string *key = zend_string_tolower(zend_string_init(name, nl, 0));
        zval v;
        ZVAL_STRINGL(&v, value, vl);
        zend_symtable_update(Z_ARR(h), key, &v);
        zend_string_release(key);
    }
    set_prop(request_ce, obj, "header", &h);

    zval s;
    array_init(&s);
    size_t len;
    const char *m = swirl_http_req_method(req, &len);
    add_assoc_stringl(&s, "request_method", m, len);
    const char *uri = swirl_http_req_path(req, NULL);
    add_assoc_string(&s, "request_uri", uri);
    add_assoc_string(&s, "path_info", uri);
    const char *q = swirl_http_req_query(req, NULL);
    if (q && q[0])
        add_assoc_string(&s, "query_string", q);
    double t = swirl_http_req_time(req);
    add_assoc_long(&s, "request_time", (zend_long)t);
    add_assoc_double(&s, "request_time_float", t);
    add_assoc_string(&s, "server_protocol", swirl_http_req_protocol(req));
    add_assoc_long(&s, "server_port", swirl_server_port(o->srv));
    const char *ip = swirl_http_req_remote_ip(req);
    add_assoc_long(&s, "remote_port", swirl_http_req_remote_port(req));
    add_assoc_string(&s, "remote_addr", ip ? ip : "");
    add_assoc_long(&s, "master_time", (zend_long)t);
    set_prop(request_ce, obj, "server", &s);

    zval a;
    if (swirl_http_req_params(req, SWIRL_HTTP_GET, &(const swirl_http_param_t *){0}) > 0) {
        params_array(req, SWIRL_HTTP_GET, &a);
        set_prop(request_ce, obj, "get", &a);
    }
    if (swirl_http_req_params(req, SWIRL_HTTP_POST, &(const swirl_http_param_t *){0}) > 0) {
        params_array(req, SWIRL_HTTP_POST, &a);
        set_prop(request_ce, obj, "post", &a);
    }
    if (swirl_http_req_params(req, SWIRL_HTTP_COOKIE, &(const swirl_http_param_t *){0}) > 0) {
        params_array(req, SWIRL_HTTP_COOKIE, &a);
        set_prop(request_ce, obj, "cookie", &a);
    }
}

void swirl_php_request_done(zval *request) {
    request_obj *r = request_from(Z_OBJ_P(request));
    if (!r->req)
        return;
    if (GC_REFCOUNT(&r->std) > 1) { /* it lives on: keep what its methods read */
        size_t len = 0, hl = 0;
        const char *b = swirl_http_req_body(r->req, &len);
        const char *h = swirl_http_req_raw_head(r->req, &hl);
        r->body = b ? zend_string_init(b, len, 0) : NULL;
        r->data = zend_string_alloc(hl + len, 0);
        if (hl)
            memcpy(ZSTR_VAL(r->data), h, hl);
        if (len)
            memcpy(ZSTR_VAL(r->data) + hl, b, len);
        ZSTR_VAL(r->data)[hl + len] = '\0';
    }
    r->req = NULL;
}

PHP_METHOD(Swoole_Http_Request, rawContent) {
    ZEND_PARSE_PARAMETERS_NONE();
    request_obj *r = request_from(Z_OBJ_P(ZEND_THIS));
    if (r->req) {
        size_t len = 0;
        const char *b = swirl_http_req_body(r->req, &len);
        if (!b)
            RETURN_FALSE;
        RETURN_STRINGL(b, len);
    }
    if (!r->body)
        RETURN_FALSE;
    RETURN_STR_COPY(r->body);
}

PHP_METHOD(Swoole_Http_Request, getData) {
    ZEND_PARSE_PARAMETERS_NONE();
    request_obj *r = request_from(Z_OBJ_P(ZEND_THIS));
    if (r->req) {
        size_t len = 0, hl = 0;
        const char *b = swirl_http_req_body(r->req, &len);
        const char *h = swirl_http_req_raw_head(r->req, &hl);
        zend_string *s = zend_string_alloc(hl + len, 0);
        if (hl)
            memcpy(ZSTR_VAL(s), h, hl);
        if (len)
            memcpy(ZSTR_VAL(s) + hl, b, len);
        ZSTR_VAL(s)[hl + len] = '\0';
        RETURN_NEW_STR(s);
    }
    if (!r->data)
        RETURN_FALSE;
    RETURN_STR_COPY(r->data);
}

PHP_METHOD(Swoole_Http_Request, getMethod) {
    ZEND_PARSE_PARAMETERS_NONE();
    zval rv, *s = zend_read_property(request_ce, Z_OBJ_P(ZEND_THIS), "server", sizeof("server") - 1,
                                     1, &rv);
    zval *m = Z_TYPE_P(s) == IS_ARRAY ? zend_hash_str_find(Z_ARR_P(s), "request_method",
                                                           sizeof("request_method") - 1)
                                      : NULL;
    if (!m || Z_TYPE_P(m) != IS_STRING)
        RETURN_FALSE;
    RETURN_COPY(m);
}

/* ---- Response ----------------------------------------------------------------------------- */

typedef struct {
    swirl_http_resp_t *resp; /* until ended (or, not detached, the callback's end) */
    bool detached;
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

void swirl_php_response_new(zval *out, server_obj *o, swirl_http_resp_t *resp) {
    (void)o;
    object_init_ex(out, response_ce);
    response_from(Z_OBJ_P(out))->resp = resp;
}

void swirl_php_response_done(zval *response) {
    response_obj *r = response_from(Z_OBJ_P(response));
    if (!r->detached)
        r->resp = NULL;
}

/* The C response of $this, or NULL with a warning: ended or never given. */
static swirl_http_resp_t *this_resp(zval *this_, const char *what) {
    response_obj *r = response_from(Z_OBJ_P(this_));
    if (r->resp && swirl_http_resp_finished(r->resp))
        r->resp = NULL;
    if (!r->resp)
        php_error_docref(NULL, E_WARNING,
                         "%s: the response is no longer writable (it has been ended, or its "
                         "request callback has returned)",
                         what);
    return r->resp;
}

/* After a call that ends the response (or failed: then it is ended too). */
static void ended(zval *this_) { response_from(Z_OBJ_P(this_))->resp = NULL; }

PHP_METHOD(Swoole_Http_Response, status) {
    zend_long code;
    zend_string *reason = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_LONG(code)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR(reason)
    ZEND_PARSE_PARAMETERS_END();
    swirl_http_resp_t *resp = this_resp(ZEND_THIS, "status");
    if (!resp)
        RETURN_FALSE;
    int rc = code < 100 || code > 999
                 ? SWIRL_EBADARG
                 : swirl_http_resp_status(resp, (int)code,
                                          reason && ZSTR_LEN(reason) ? ZSTR_VAL(reason) : NULL);
    if (rc < 0) {
        if (code < 100 || code > 999)
            php_error_docref(NULL, E_WARNING, "status " ZEND_LONG_FMT ": not an HTTP status code",
                             code);
        else
            swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
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
    (void)format;
    swirl_http_resp_t *resp = this_resp(ZEND_THIS, "header");
    if (!resp)
        RETURN_FALSE;
    zend_string *v = zval_try_get_string(value);
    if (!v)
        RETURN_THROWS();
    int rc = swirl_http_resp_header(resp, ZSTR_VAL(key), ZSTR_VAL(v));
    zend_string_release(v);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Response, write) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    swirl_http_resp_t *resp = this_resp(ZEND_THIS, "write");
    if (!resp)
        RETURN_FALSE;
    int rc = swirl_http_resp_write(resp, ZSTR_VAL(data), ZSTR_LEN(data));
    if (rc < 0) {
        ended(ZEND_THIS);
        if (rc != SWIRL_ECLOSED)
            swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Response, end) {
    zend_string *data = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR_OR_NULL(data)
    ZEND_PARSE_PARAMETERS_END();
    swirl_http_resp_t *resp = this_resp(ZEND_THIS, "end");
    if (!resp)
        RETURN_FALSE;
    int rc = swirl_http_resp_end(resp, data ? ZSTR_VAL(data) : "", data ? ZSTR_LEN(data) : 0);
    ended(ZEND_THIS);
    if (rc < 0) {
        if (rc != SWIRL_ECLOSED)
            swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Response, isWritable) {
    ZEND_PARSE_PARAMETERS_NONE();
    response_obj *r = response_from(Z_OBJ_P(ZEND_THIS));
    RETURN_BOOL(r->resp && !swirl_http_resp_finished(r->resp));
}

/* ---- the server's events ------------------------------------------------------------------- */

static void on_request(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                       void *user) {
    (void)hs;
    server_obj *o = user;
    zval args[2];
    swirl_php_request_new(&args[0], o, req);
    swirl_php_response_new(&args[1], o, resp);
    if (!swirl_php_server_call(o, &o->hcb[HCB_REQUEST], args, 2, false, true, "request") &&
        !swirl_http_resp_finished(resp) && !response_from(Z_OBJ(args[1]))->detached) {
        swirl_http_resp_status(resp, 500, NULL); /* refused once a write was sent: then cut */
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
    if (Z_TYPE(o->hcb[HCB_REQUEST]) == IS_UNDEF) {
        php_error_docref(NULL, E_WARNING, "an HTTP server needs a request callback: "
                                          "on('request', function ($request, $response) {...})");
        return false;
    }
    return true;
}

void swirl_http_minit(void) {
    swirl_php_http_server_ce = register_class_Swoole_Http_Server(swirl_php_server_ce);
    swirl_php_alias("swoole_http_server", swirl_php_http_server_ce);

    request_ce = register_class_Swoole_Http_Request();
    request_ce->create_object = request_create;
    memcpy(&request_handlers, zend_get_std_object_handlers(), sizeof request_handlers);
    request_handlers.offset = XtOffsetOf(request_obj, std);
    request_handlers.free_obj = request_free;
    request_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_http_request", request_ce);

    response_ce = register_class_Swoole_Http_Response();
    response_ce->create_object = response_create;
    memcpy(&response_handlers, zend_get_std_object_handlers(), sizeof response_handlers);
    response_handlers.offset = XtOffsetOf(response_obj, std);
    response_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_http_response", response_ce);
}
