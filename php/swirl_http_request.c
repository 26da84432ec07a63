/* swirl_http_request.c — Swoole\Http\Request (swoole_http_request): the
 * request object a Http\Server's callbacks get, filled from the C layer's
 * swirl_http_req_t (the rules: swirl_http.c). */
#include "swirl_server.h"

#include <SAPI.h>
#include <ext/standard/url.h>
#include <main/php_variables.h>
#include <zend_exceptions.h>

#include <ctype.h>

static zend_class_entry *request_ce;
static zend_object_handlers request_handlers;

static void set_prop(zend_class_entry *ce, zend_object *obj, const char *name, zval *v) {
    zend_update_property(ce, obj, name, strlen(name), v);
    zval_ptr_dtor(v);
}

/* ---- Request ------------------------------------------------------------------------------ */

typedef struct {
    swirl_http_parser_t *parser; /* Request::create()'s, else NULL */
    bool head_filled;            /* its head's properties are set */
    swirl_http_req_t *req; /* during the callback, else NULL */
    zend_string *body;     /* the body kept after the callback (NULL: none kept) */
    zend_string *data;     /* the raw request kept after the callback */
    bool uploads;          /* its temp files are in SG(rfc1867_uploaded_files) */
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
    swirl_http_parser_free(r->parser);
    r->parser = NULL;
    if (r->body)
        zend_string_release(r->body);
    if (r->data)
        zend_string_release(r->data);
    zend_object_std_dtor(obj);
}

/* The C layer's fields of a kind into `out` as PHP registers a variable
 * (a[]=, a[x]=, ' ' and '.' in a name made '_'); false, with nothing made,
 * when there is none. */
static bool fields_array(swirl_http_req_t *req, swirl_http_param_kind_t kind, zval *out) {
    const swirl_http_param_t *p;
    size_t n = swirl_http_req_params(req, kind, &p);
    if (n == 0)
        return false;
    array_init(out);
    for (size_t i = 0; i < n; i++)
        php_register_variable_safe(p[i].name, p[i].value, p[i].value_len, out);
    return true;
}

/* PHP's rule for an upload's field name: brackets balanced, and a ']'
 * followed by nothing or '['; other names are not registered. */
static bool upload_name_ok(const char *s) {
    long depth = 0;
    for (; *s; s++) {
        if (*s == '[') {
            depth++;
        } else if (*s == ']') {
            depth--;
            if (s[1] && s[1] != '[')
                return false;
        }
        if (depth < 0)
            return false;
    }
    return depth == 0;
}

/* One key of an upload into files, as rfc1867 does: "f[key]", or for
 * f[...] "f[key][...]". */
static void register_upload_key(const char *field, const char *key, zval *v, zval *files) {
    const char *open = strchr(field, '[');
    size_t fl = strlen(field);
    char *name;
    if (open && field[fl - 1] == ']')
        spprintf(&name, 0, "%.*s[%s][%.*s]", (int)(open - field), field, key,
                 (int)(fl - (size_t)(open - field) - 2), open + 1);
    else
        spprintf(&name, 0, "%s[%s]", field, key);
    php_register_variable_ex(name, v, files); /* takes v */
    efree(name);
}

/* The request's uploads as $_FILES; each temp file is also made known to
 * is_uploaded_file() and move_uploaded_file(). */
static void files_array(size_t n, const swirl_http_file_t *f, zval *out) {
    array_init(out);
    if (!SG(rfc1867_uploaded_files)) {
        ALLOC_HASHTABLE(SG(rfc1867_uploaded_files));
        zend_hash_init(SG(rfc1867_uploaded_files), 8, NULL, ZVAL_PTR_DTOR, 0);
    }
    for (size_t i = 0; i < n; i++) {
        if (!upload_name_ok(f[i].field))
            continue;
        zval v;
        ZVAL_STRING(&v, f[i].name);
        register_upload_key(f[i].field, "name", &v, out);
        ZVAL_STRING(&v, f[i].full_path);
        register_upload_key(f[i].field, "full_path", &v, out);
        ZVAL_STRING(&v, f[i].type);
        register_upload_key(f[i].field, "type", &v, out);
        ZVAL_STRING(&v, f[i].tmp_name);
        if (f[i].tmp_name[0]) {
            zval known;
            ZVAL_STR_COPY(&known, Z_STR(v));
            zend_hash_update(SG(rfc1867_uploaded_files), Z_STR(v), &known);
        }
        register_upload_key(f[i].field, "tmp_name", &v, out);
        ZVAL_LONG(&v, f[i].error);
        register_upload_key(f[i].field, "error", &v, out);
        ZVAL_LONG(&v, (zend_long)f[i].size);
        register_upload_key(f[i].field, "size", &v, out);
    }
}

/* The properties of the head of `req` (header, server, get, cookie), of a
 * server's connection (`o`) or parsed by Request::create() (NULL: no
 * connection fields). */
static void fill_head(zend_object *obj, server_obj *o, swirl_http_req_t *req);

void swirl_php_request_new(zval *out, server_obj *o, swirl_http_req_t *req) {
    object_init_ex(out, request_ce);
    zend_object *obj = Z_OBJ_P(out);
    request_obj *r = request_from(obj);
    r->req = req;
    fill_head(obj, o, req);
    zval a;
    if (fields_array(req, SWIRL_HTTP_POST, &a)) /* urlencoded or multipart */
        set_prop(request_ce, obj, "post", &a);
    const swirl_http_file_t *f;
    size_t nf = swirl_http_req_files(req, &f);
    if (nf > 0) {
        files_array(nf, f, &a);
        r->uploads = true;
        set_prop(request_ce, obj, "files", &a);
    }
}

static void fill_head(zend_object *obj, server_obj *o, swirl_http_req_t *req) {
    int64_t fd = swirl_http_req_fd(req);
    zend_update_property_long(request_ce, obj, "fd", sizeof("fd") - 1, fd < 0 ? 0 : (zend_long)fd);

    zval h;
    size_t n = swirl_http_req_header_count(req);
    array_init_size(&h, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        size_t nl, vl;
        if (swirl_http_req_header_at(req, i, &name, &nl, &value, &vl) < 0)
            continue;
        zend_string *key = zend_string_alloc(nl, 0); /* the name lower-cased */
        zend_str_tolower_copy(ZSTR_VAL(key), name, nl);
        zval v;
        ZVAL_STRINGL(&v, value, vl);
        zend_symtable_update(Z_ARR(h), key, &v);
        zend_string_release(key);
    }
    set_prop(request_ce, obj, "header", &h);

    zval s;
    array_init_size(&s, 12);
    size_t len;
    const char *m = swirl_http_req_method(req, &len);
    add_assoc_stringl(&s, "request_method", m, len);
    const char *uri = swirl_http_req_path(req, &len);
    add_assoc_stringl(&s, "request_uri", uri ? uri : "", uri ? len : 0);
    add_assoc_stringl(&s, "path_info", uri ? uri : "", uri ? len : 0);
    const char *q = swirl_http_req_query(req, &len);
    if (q && len)
        add_assoc_stringl(&s, "query_string", q, len);
    double t = swirl_http_req_time(req);
    add_assoc_long(&s, "request_time", (zend_long)t);
    add_assoc_double(&s, "request_time_float", t);
    add_assoc_string(&s, "server_protocol", swirl_http_req_protocol(req));
    if (o) {
        swirl_conn_info_t ci; /* the listener's port (an extra port's too) and the peer */
        bool known = swirl_server_connection_info(o->srv, fd, &ci) == 0;
        add_assoc_long(&s, "server_port", known ? ci.server_port : swirl_server_port(o->srv));
        add_assoc_long(&s, "remote_port", known ? ci.remote_port : 0);
        add_assoc_string(&s, "remote_addr", known ? ci.remote_ip : "");
    }
    add_assoc_long(&s, "master_time", (zend_long)t);
    set_prop(request_ce, obj, "server", &s);

    zval a;
    if (fields_array(req, SWIRL_HTTP_GET, &a)) {
        if (zend_hash_num_elements(Z_ARR(a)))
            set_prop(request_ce, obj, "get", &a);
        else
            zval_ptr_dtor(&a);
    }
    if (fields_array(req, SWIRL_HTTP_COOKIE, &a)) /* http_parse_cookie on */
        set_prop(request_ce, obj, "cookie", &a);
}

void swirl_php_request_done(zval *request) {
    request_obj *r = request_from(Z_OBJ_P(request));
    if (!r->req)
        return;
    if (r->uploads && SG(rfc1867_uploaded_files)) {
        /* the C layer removes the temp files now: they are no longer uploads */
        const swirl_http_file_t *f;
        size_t nf = swirl_http_req_files(r->req, &f);
        for (size_t i = 0; i < nf; i++)
            if (f[i].tmp_name[0])
                zend_hash_str_del(SG(rfc1867_uploaded_files), f[i].tmp_name,
                                  strlen(f[i].tmp_name));
    }
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
    /* Request::create(): the body its parser holds */
    swirl_http_req_t *req = r->req ? r->req : r->parser ? swirl_http_parser_req(r->parser) : NULL;
    if (req) {
        size_t len = 0;
        const char *b = swirl_http_req_body(req, &len);
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
    swirl_http_req_t *own = r->parser ? swirl_http_parser_req(r->parser) : NULL;
    if (r->req || own) {
        if (!r->req)
            r->req = own; /* read below, then let go */
        size_t len = 0, hl = 0;
        const char *b = swirl_http_req_body(r->req, &len);
        const char *h = swirl_http_req_raw_head(r->req, &hl);
        zend_string *s = zend_string_alloc(hl + len, 0);
        if (hl)
            memcpy(ZSTR_VAL(s), h, hl);
        if (len)
            memcpy(ZSTR_VAL(s) + hl, b, len);
        ZSTR_VAL(s)[hl + len] = '\0';
        if (r->req == own)
            r->req = NULL;
        RETURN_NEW_STR(s);
    }
    if (!r->data)
        RETURN_FALSE;
    RETURN_STR_COPY(r->data);
}

/* ---- requests parsed from bytes: Request::create() ---------------------------------------- */

static bool option_bool(HashTable *opts, const char *key, bool dflt) {
    zval *z = opts ? zend_hash_str_find(opts, key, strlen(key)) : NULL;
    return z ? zend_is_true(z) : dflt;
}

PHP_METHOD(Swoole_Http_Request, create) {
    HashTable *opts = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_ARRAY_HT(opts)
    ZEND_PARSE_PARAMETERS_END();
    swirl_http_parser_rules_t rules = {.parse_cookie = option_bool(opts, "parse_cookie", true),
                                       .parse_post = option_bool(opts, "parse_body", true),
                                       .fields = SWIRL_HTTP_FIELDS_PHP};
    swirl_http_parser_t *p;
    int rc = swirl_http_parser_new(&p, &rules);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    object_init_ex(return_value, request_ce);
    request_obj *r = request_from(Z_OBJ_P(return_value));
    r->parser = p;
    zval h;
    array_init(&h);
    set_prop(request_ce, Z_OBJ_P(return_value), "header", &h);
}

PHP_METHOD(Swoole_Http_Request, parse) {
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    request_obj *r = request_from(obj);
    if (!r->parser) {
        php_error_docref(NULL, E_WARNING, "only a request made by Request::create() parses bytes");
        RETURN_FALSE;
    }
    ssize_t n = swirl_http_parser_feed(r->parser, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0) {
        if (n != SWIRL_ESTATE) /* after the end: false, quietly, as Swoole */
            swirl_php_warn((int)n);
        RETURN_FALSE;
    }
    swirl_http_req_t *req = swirl_http_parser_req(r->parser);
    if (req && !r->head_filled) {
        fill_head(obj, NULL, req);
        r->head_filled = true;
    }
    if (req && swirl_http_parser_done(r->parser)) {
        zval a;
        if (fields_array(req, SWIRL_HTTP_POST, &a))
            set_prop(request_ce, obj, "post", &a);
    }
    RETURN_LONG((zend_long)n);
}

PHP_METHOD(Swoole_Http_Request, isCompleted) {
    ZEND_PARSE_PARAMETERS_NONE();
    request_obj *r = request_from(Z_OBJ_P(ZEND_THIS));
    RETURN_BOOL(!r->parser || swirl_http_parser_done(r->parser));
}

PHP_METHOD(Swoole_Http_Request, getMethod) {
    ZEND_PARSE_PARAMETERS_NONE();
    request_obj *r = request_from(Z_OBJ_P(ZEND_THIS));
    if (r->parser && !r->head_filled) { /* Request::create(): from the request line so far */
        size_t len;
        const char *m = swirl_http_parser_method(r->parser, &len);
        if (!m)
            RETURN_FALSE;
        RETURN_STRINGL(m, len);
    }
    zval rv, *s = zend_read_property(request_ce, Z_OBJ_P(ZEND_THIS), "server", sizeof("server") - 1,
                                     1, &rv);
    zval *m = Z_TYPE_P(s) == IS_ARRAY ? zend_hash_str_find(Z_ARR_P(s), "request_method",
                                                           sizeof("request_method") - 1)
                                      : NULL;
    if (!m || Z_TYPE_P(m) != IS_STRING)
        RETURN_FALSE;
    RETURN_COPY(m);
}

void swirl_php_request_minit(zend_class_entry *ce) {
    request_ce = ce;
    request_ce->create_object = request_create;
    memcpy(&request_handlers, zend_get_std_object_handlers(), sizeof request_handlers);
    request_handlers.offset = XtOffsetOf(request_obj, std);
    request_handlers.free_obj = request_free;
    request_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_http_request", request_ce);
}
