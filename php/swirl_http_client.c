/* swirl_http_client.c — Swoole\Http\Client (swoole_http_client): Swoole's
 * callback HTTP client on swirl_http_client_t (swirl/http_client.h), run
 * by this process's loop (swoole_event_wait(), the end of the script, or a
 * server worker's loop). One request at a time per object; while one is in
 * flight the object holds a reference on itself, so the callback runs even
 * if the script dropped its variable. Every HTTP rule (URL, framing,
 * keep-alive, TLS, timeouts) is the C client's; this file converts values
 * and maps the result to Swoole's properties: statusCode (or -1 when the
 * connection failed, -2 on a timeout, -3 when the server closed the
 * connection or broke HTTP), headers (lower-case names), cookies,
 * set_cookie_headers, body, errCode (a positive errno, or swirl's code),
 * errMsg (the C client's message naming the request). */
#include "php_swirl.h"

#include <zend_exceptions.h>

#include <ext/standard/url.h>
#include <zend_smart_str.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "stubs/http_client_arginfo.h"
#include "swirl_http_client.h"

#define hcli_ce swirl_hcli_ce
zend_class_entry *swirl_hcli_ce;
static zend_object_handlers hcli_handlers;

static zend_object *hcli_create(zend_class_entry *ce) {
    hcli_obj *o = zend_object_alloc(sizeof(hcli_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &hcli_handlers;
    o->timeout = -1;
    o->keep_alive = true;
    o->verify_peer = false; /* Swoole's http client does not verify unless told */
    return &o->std;
}

static void release_strings(hcli_obj *o) {
    zend_string **s[] = {&o->cafile, &o->cert_file, &o->key_file, &o->host_name, &o->proxy_host};
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        if (*s[i]) {
            zend_string_release(*s[i]);
            *s[i] = NULL;
        }
}

static void hcli_free(zend_object *obj) {
    hcli_obj *o = hcli_from(obj);
    o->held = false; /* freed at the request's end even if held: no reference to drop */
    if (o->hc && o->pid == getpid()) {
        o->quiet = true; /* the request's cancellation calls no PHP now */
        swirl_http_client_free(o->hc);
    }
    o->hc = NULL;
    swirl_hcli_ws_free(o);
    zval *z[] = {&o->cb,     &o->on_close, &o->on_error, &o->on_message,
                 &o->method, &o->data,     &o->files};
    for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++)
        zval_ptr_dtor(z[i]);
    release_strings(o);
    zend_object_std_dtor(obj);
}

static HashTable *hcli_get_gc(zend_object *obj, zval **table, int *n) {
    hcli_obj *o = hcli_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    zend_get_gc_buffer_add_zval(buf, &o->cb);
    zend_get_gc_buffer_add_zval(buf, &o->on_close);
    zend_get_gc_buffer_add_zval(buf, &o->on_error);
    zend_get_gc_buffer_add_zval(buf, &o->on_message);
    swirl_hcli_ws_gc(o, buf);
    zend_get_gc_buffer_add_zval(buf, &o->data);
    zend_get_gc_buffer_add_zval(buf, &o->files);
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

static void hold(hcli_obj *o) {
    if (!o->held) {
        GC_ADDREF(&o->std);
        o->held = true;
    }
}

static void release(hcli_obj *o) {
    if (o->held) {
        o->held = false;
        OBJ_RELEASE(&o->std);
    }
}

#define PROP(name) zend_read_property(hcli_ce, &o->std, name, sizeof(name) - 1, 1, &rv)

/* ---- the response ------------------------------------------------------------------------- */

static void set_response(hcli_obj *o, const swirl_http_response_t *res, int status) {
    zend_object *obj = &o->std;
    zval headers, cookies, setc, rv;
    array_init(&headers);
    array_init(&setc);
    /* the cookies set by the server join those of setCookies(), so the
     * next request sends them (a session, as Swoole's client keeps it) */
    zval *had = zend_read_property(hcli_ce, obj, "cookies", sizeof("cookies") - 1, 1, &rv);
    if (Z_TYPE_P(had) == IS_ARRAY)
        ZVAL_ARR(&cookies, zend_array_dup(Z_ARRVAL_P(had)));
    else
        array_init(&cookies);
    for (size_t i = 0; i < res->nheaders; i++) {
        const swirl_http_header_t *h = &res->headers[i];
        zend_string *name = zend_string_tolower(zend_string_init(h->name, h->name_len, 0));
        if (zend_string_equals_literal(name, "set-cookie")) {
            add_next_index_stringl(&setc, h->value, h->value_len);
            const char *eq = memchr(h->value, '=', h->value_len);
            const char *end = memchr(h->value, ';', h->value_len);
            if (!end)
                end = h->value + h->value_len;
            if (eq && eq < end)
                add_assoc_stringl_ex(&cookies, h->value, (size_t)(eq - h->value), (char *)eq + 1,
                                     (size_t)(end - eq - 1));
        }
        zval v;
        ZVAL_STRINGL(&v, h->value, h->value_len);
        zend_symtable_update(Z_ARRVAL(headers), name, &v);
        zend_string_release(name);
    }
    int code = res->status;
    if (status < 0) {
        bool connect = status == -ECONNREFUSED || status == SWIRL_EBADADDR ||
                       status == -EHOSTUNREACH || status == -ENETUNREACH ||
                       (res->error && strstr(res->error, ": connect") && res->status == 0);
        code = connect ? -1 : status == -ETIMEDOUT ? -2 : -3;
    }
    zend_update_property_long(hcli_ce, obj, "statusCode", sizeof("statusCode") - 1, code);
    zend_update_property_long(hcli_ce, obj, "errCode", sizeof("errCode") - 1,
                              status < 0 ? -status : 0);
    zend_update_property_string(hcli_ce, obj, "errMsg", sizeof("errMsg") - 1,
                                status < 0 && res->error ? res->error : "");
    zend_update_property(hcli_ce, obj, "headers", sizeof("headers") - 1, &headers);
    zend_update_property(hcli_ce, obj, "cookies", sizeof("cookies") - 1, &cookies);
    zend_update_property(hcli_ce, obj, "set_cookie_headers", sizeof("set_cookie_headers") - 1,
                         &setc);
    zend_update_property_stringl(hcli_ce, obj, "body", sizeof("body") - 1,
                                 res->body ? res->body : "", res->body ? res->body_len : 0);
    zval_ptr_dtor(&headers);
    zval_ptr_dtor(&cookies);
    zval_ptr_dtor(&setc);
}

void swirl_hcli_call(hcli_obj *o, zval *cb) {
    if (Z_ISUNDEF_P(cb))
        return;
    zval arg, fn;
    ZVAL_OBJ_COPY(&arg, &o->std);
    ZVAL_COPY(&fn, cb);
    swirl_php_event_call(&fn, 1, &arg);
    zval_ptr_dtor(&fn);
    zval_ptr_dtor(&arg);
}

static void on_done(swirl_http_call_t *call, void *user, const swirl_http_response_t *res,
                    int status) {
    hcli_obj *o = user;
    o->call = NULL;
    zval cb;
    ZVAL_COPY_VALUE(&cb, &o->cb);
    ZVAL_UNDEF(&o->cb);
    if (o->quiet || o->closing) { /* close() or the object's end: no callback, as Swoole */
        zval_ptr_dtor(&cb);
        release(o);
        return;
    }
    GC_ADDREF(&o->std);
    release(o);
    set_response(o, res, status);
    zval rv;
    zend_long code = Z_LVAL_P(PROP("statusCode"));
    bool kept = status == 0 && o->keep_alive && swirl_http_client_idle(o->hc) > 0;
    if (code == -1)
        swirl_hcli_call(o, &o->on_error);
    swirl_hcli_call(o, &cb);
    zval_ptr_dtor(&cb);
    if (code != -1 && !kept && !o->call)
        swirl_hcli_call(o, &o->on_close);
    OBJ_RELEASE(&o->std);
}

/* ---- starting a request ------------------------------------------------------------------- */

typedef struct {
    const char **hdrs;
    size_t n, cap;
    zend_string **keep; /* strings made for the call */
    size_t nkeep;
} hdrs_t;

static void hdr_add(hdrs_t *h, zend_string *name, zend_string *value) {
    if (h->n + 3 > h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->hdrs = erealloc(h->hdrs, h->cap * sizeof(char *));
        h->keep = erealloc(h->keep, h->cap * sizeof(zend_string *));
    }
    h->keep[h->nkeep++] = name;
    h->keep[h->nkeep++] = value;
    h->hdrs[h->n++] = ZSTR_VAL(name);
    h->hdrs[h->n++] = ZSTR_VAL(value);
    h->hdrs[h->n] = NULL;
}

static void hdrs_free(hdrs_t *h) {
    for (size_t i = 0; i < h->nkeep; i++)
        zend_string_release(h->keep[i]);
    efree(h->hdrs);
    efree(h->keep);
}

static bool has_header(zval *headers, const char *name) {
    if (!headers || Z_TYPE_P(headers) != IS_ARRAY)
        return false;
    zend_string *k;
    ZEND_HASH_FOREACH_STR_KEY(Z_ARRVAL_P(headers), k) {
        if (k && strcasecmp(ZSTR_VAL(k), name) == 0)
            return true;
    }
    ZEND_HASH_FOREACH_END();
    return false;
}

static zend_string *build_query(zval *data) {
    zval fn, ret;
    ZVAL_STRING(&fn, "http_build_query");
    ZVAL_UNDEF(&ret);
    call_user_function(NULL, NULL, &fn, &ret, 1, data);
    zval_ptr_dtor(&fn);
    if (Z_TYPE(ret) != IS_STRING) {
        zval_ptr_dtor(&ret);
        return zend_empty_string;
    }
    return Z_STR(ret);
}

/* The host goes into the URL the request is made from: a character that
 * ends the URL's host there ("h/x?" or "::1]:1/x[") would pick another
 * port and path than the client's, so none may be in it; an IPv6 address
 * must be one. What else a host may not hold, the URL's parser says. */
static bool host_ok(const char *h, size_t n) {
    if (n == 0 || memchr(h, 0, n))
        return false;
    if (memchr(h, ':', n)) {
        char a[INET6_ADDRSTRLEN + 1];
        struct in6_addr a6;
        if (n >= sizeof(a))
            return false;
        memcpy(a, h, n);
        a[n] = 0;
        return inet_pton(AF_INET6, a, &a6) == 1;
    }
    for (size_t i = 0; i < n; i++)
        if (strchr("/?#@[]\\", h[i]))
            return false;
    return true;
}

static bool start_request(hcli_obj *o, const char *path, size_t plen, zval *callback,
                          uint32_t cb_arg, const char *download);

/* A request from what was set for it; method, data and files are for one
 * request, as Swoole's: dropped whether it starts or not (a refused post()
 * leaves no body for the next get()). */
static bool start(hcli_obj *o, const char *path, size_t plen, zval *callback, uint32_t cb_arg,
                  const char *download) {
    bool ok = start_request(o, path, plen, callback, cb_arg, download);
    zval_ptr_dtor(&o->method);
    zval_ptr_dtor(&o->data);
    zval_ptr_dtor(&o->files);
    ZVAL_UNDEF(&o->method);
    ZVAL_UNDEF(&o->data);
    ZVAL_UNDEF(&o->files);
    return ok;
}

static bool start_request(hcli_obj *o, const char *path, size_t plen, zval *callback,
                          uint32_t cb_arg, const char *download) {
    if (!zend_is_callable(callback, 0, NULL)) { /* else it would fail only at the response */
        zend_argument_type_error(cb_arg, "must be a valid callback");
        return false;
    }
    if (o->pid && o->pid != getpid()) {
        php_error_docref(NULL, E_WARNING, "this client was used in process %d, not this one",
                         (int)o->pid);
        return false;
    }
    if (o->call || swirl_hcli_ws_live(o)) {
        php_error_docref(NULL, E_WARNING, "a request is already in flight on this client");
        return false;
    }
    if (memchr(path, 0, plen)) {
        zend_argument_value_error(1, "must not contain any null bytes");
        return false;
    }
    if (!o->hc) {
        swirl_loop_t *loop = swirl_php_loop();
        if (!loop || !swirl_php_event_autorun())
            return false;
        int rc = swirl_http_client_new(&o->hc, loop);
        if (rc < 0) {
            swirl_php_warn(rc);
            return false;
        }
        o->loop = loop;
        o->pid = getpid();
    }
    zval rv;
    zval *host = PROP("host"), *port = PROP("port"), *ssl = PROP("ssl");
    const char *h = Z_TYPE_P(host) == IS_STRING ? Z_STRVAL_P(host) : "";
    if (!host_ok(h, Z_TYPE_P(host) == IS_STRING ? Z_STRLEN_P(host) : 0)) { /* set since */
        zend_update_property_long(hcli_ce, &o->std, "errCode", sizeof("errCode") - 1, EINVAL);
        zend_update_property_string(hcli_ce, &o->std, "errMsg", sizeof("errMsg") - 1,
                                    "host is not a host name or address");
        php_error_docref(NULL, E_WARNING, "host \"%s\" is not a host name or address", h);
        return false;
    }
    if (o->proxy_host && !host_ok(ZSTR_VAL(o->proxy_host), ZSTR_LEN(o->proxy_host))) {
        zend_update_property_long(hcli_ce, &o->std, "errCode", sizeof("errCode") - 1, EINVAL);
        zend_update_property_string(hcli_ce, &o->std, "errMsg", sizeof("errMsg") - 1,
                                    "http_proxy_host is not a host name or address");
        php_error_docref(NULL, E_WARNING, "http_proxy_host \"%s\" is not a host name or address",
                         ZSTR_VAL(o->proxy_host));
        return false;
    }
    bool v6 = strchr(h, ':') != NULL;
    zend_string *url =
        zend_strpprintf(0, "%s://%s%s%s:" ZEND_LONG_FMT "%s%.*s",
                        zend_is_true(ssl) ? "https" : "http", v6 ? "[" : "", h, v6 ? "]" : "",
                        Z_LVAL_P(port), plen && path[0] == '/' ? "" : "/", (int)plen, path);
    swirl_http_request_options_t opt;
    swirl_http_request_options_init(&opt);
    opt.url = ZSTR_VAL(url);
    hdrs_t hd = {0};
    zval *headers = PROP("requestHeaders");
    if (Z_TYPE_P(headers) == IS_ARRAY) {
        zend_string *k;
        zval *v;
        ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(headers), k, v) {
            if (k)
                hdr_add(&hd, zend_string_copy(k), zval_get_string(v));
        }
        ZEND_HASH_FOREACH_END();
    }
    zval *cookies = PROP("cookies");
    if (Z_TYPE_P(cookies) == IS_ARRAY && zend_hash_num_elements(Z_ARRVAL_P(cookies)) &&
        !has_header(headers, "cookie")) {
        smart_str c = {0};
        zend_string *k;
        zval *v;
        ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(cookies), k, v) {
            if (!k)
                continue;
            zend_string *s = zval_get_string(v);
            zend_string *e = php_url_encode(ZSTR_VAL(s), ZSTR_LEN(s));
            if (c.s)
                smart_str_appends(&c, "; ");
            smart_str_append(&c, k);
            smart_str_appendc(&c, '=');
            smart_str_append(&c, e);
            zend_string_release(e);
            zend_string_release(s);
        }
        ZEND_HASH_FOREACH_END();
        smart_str_0(&c);
        if (c.s)
            hdr_add(&hd, zend_string_init("Cookie", 6, 0), c.s);
    }
    /* the body: a string, an array (form fields), files (multipart) */
    zend_string *body = NULL;
    swirl_http_form_part_t *parts = NULL;
    size_t nparts = 0;
    bool has_files = Z_TYPE(o->files) == IS_ARRAY && zend_hash_num_elements(Z_ARRVAL(o->files));
    if (has_files) {
        size_t max = zend_hash_num_elements(Z_ARRVAL(o->files)) +
                     (Z_TYPE(o->data) == IS_ARRAY ? zend_hash_num_elements(Z_ARRVAL(o->data)) : 0);
        parts = ecalloc(max, sizeof(*parts));
        if (Z_TYPE(o->data) == IS_ARRAY) {
            zend_string *k;
            zval *v;
            ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL(o->data), k, v) {
                if (!k)
                    continue;
                zend_string *s = zval_get_string(v);
                hdr_add(&hd, zend_string_copy(k), s); /* kept alive there */
                hd.n -= 2;                            /* not a header */
                hd.hdrs[hd.n] = NULL;
                parts[nparts++] = (swirl_http_form_part_t){
                    .name = ZSTR_VAL(k), .value = ZSTR_VAL(s), .value_len = ZSTR_LEN(s)};
            }
            ZEND_HASH_FOREACH_END();
        }
        zval *f;
        ZEND_HASH_FOREACH_VAL(Z_ARRVAL(o->files), f) {
            zval *p = zend_hash_index_find(Z_ARRVAL_P(f), 0),
                 *n = zend_hash_index_find(Z_ARRVAL_P(f), 1),
                 *t = zend_hash_index_find(Z_ARRVAL_P(f), 2),
                 *fn = zend_hash_index_find(Z_ARRVAL_P(f), 3);
            parts[nparts++] = (swirl_http_form_part_t){
                .name = Z_STRVAL_P(n),
                .path = Z_STRVAL_P(p),
                .content_type = t && Z_TYPE_P(t) == IS_STRING ? Z_STRVAL_P(t) : NULL,
                .filename = fn && Z_TYPE_P(fn) == IS_STRING ? Z_STRVAL_P(fn) : NULL};
        }
        ZEND_HASH_FOREACH_END();
        opt.form = parts;
        opt.nform = nparts;
    } else if (Z_TYPE(o->data) == IS_STRING) {
        body = zend_string_copy(Z_STR(o->data));
    } else if (Z_TYPE(o->data) == IS_ARRAY) {
        body = build_query(&o->data);
        if (!has_header(headers, "content-type"))
            hdr_add(&hd, zend_string_init("Content-Type", 12, 0),
                    zend_string_init("application/x-www-form-urlencoded", 33, 0));
    }
    if (body) {
        opt.body = ZSTR_VAL(body);
        opt.body_len = ZSTR_LEN(body);
    }
    opt.headers = hd.n ? hd.hdrs : NULL;
    opt.method = Z_TYPE(o->method) == IS_STRING ? Z_STRVAL(o->method)
                 : (body || has_files)          ? "POST"
                                                : "GET";
    if (o->timeout >= 0)
        opt.connect_timeout = opt.head_timeout = opt.body_timeout = o->timeout;
    opt.keep_alive = o->keep_alive;
    opt.verify_peer = o->verify_peer;
    opt.allow_self_signed = o->allow_self_signed;
    opt.ca_file = o->cafile ? ZSTR_VAL(o->cafile) : NULL;
    opt.cert_file = o->cert_file ? ZSTR_VAL(o->cert_file) : NULL;
    opt.key_file = o->key_file ? ZSTR_VAL(o->key_file) : NULL;
    opt.tls_host_name = o->host_name ? ZSTR_VAL(o->host_name) : NULL;
    zend_string *proxy = NULL;
    if (o->proxy_host) {
        bool pv6 = strchr(ZSTR_VAL(o->proxy_host), ':') != NULL;
        proxy = zend_strpprintf(0, "http://%s%s%s:" ZEND_LONG_FMT, pv6 ? "[" : "",
                                ZSTR_VAL(o->proxy_host), pv6 ? "]" : "",
                                o->proxy_port ? o->proxy_port : 80);
        opt.proxy = ZSTR_VAL(proxy);
    }
    opt.download_path = download;
    opt.on_done = on_done;
    opt.user = o;
    int rc = swirl_http_client_request(o->hc, &opt, &o->call);
    zend_string_release(url);
    if (body)
        zend_string_release(body);
    if (proxy)
        zend_string_release(proxy);
    if (parts)
        efree(parts);
    hdrs_free(&hd);
    if (rc < 0) {
        o->call = NULL;
        zend_update_property_long(hcli_ce, &o->std, "errCode", sizeof("errCode") - 1, -rc);
        zend_update_property_string(hcli_ce, &o->std, "errMsg", sizeof("errMsg") - 1,
                                    swirl_php_error_msg(rc));
        swirl_php_warn(rc);
        return false;
    }
    zval_ptr_dtor(&o->cb);
    ZVAL_COPY(&o->cb, callback);
    hold(o);
    return true;
}

/* ---- methods ------------------------------------------------------------------------------ */

#define THIS_OBJ hcli_obj *o = hcli_from(Z_OBJ_P(ZEND_THIS))

PHP_METHOD(Swoole_Http_Client, __construct) {
    zend_string *host;
    zend_long port = 80;
    bool ssl = false;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_STR(host)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(port)
    Z_PARAM_BOOL(ssl)
    ZEND_PARSE_PARAMETERS_END();
    if (ZSTR_LEN(host) == 0 || memchr(ZSTR_VAL(host), 0, ZSTR_LEN(host))) {
        zend_argument_value_error(1, "must be a host name or address");
        RETURN_THROWS();
    }
    if (port < 1 || port > 65535) {
        zend_argument_value_error(2, "must be between 1 and 65535");
        RETURN_THROWS();
    }
    zend_object *obj = Z_OBJ_P(ZEND_THIS);
    zend_update_property_str(hcli_ce, obj, "host", sizeof("host") - 1, host);
    zend_update_property_long(hcli_ce, obj, "port", sizeof("port") - 1, port);
    zend_update_property_bool(hcli_ce, obj, "ssl", sizeof("ssl") - 1, ssl);
}

static bool set_str(zend_string **slot, zval *v) {
    if (*slot)
        zend_string_release(*slot);
    *slot = zval_get_string(v);
    return true;
}

PHP_METHOD(Swoole_Http_Client, set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zend_string *k;
    zval *v;
    ZEND_HASH_FOREACH_STR_KEY_VAL(settings, k, v) {
        if (!k)
            continue;
        ZVAL_DEREF(v);
        if (zend_string_equals_literal(k, "timeout"))
            o->timeout = zval_get_double(v) < 0 ? -1 : zval_get_double(v);
        else if (zend_string_equals_literal(k, "keep_alive"))
            o->keep_alive = zend_is_true(v);
        else if (zend_string_equals_literal(k, "websocket_compression"))
            o->websocket_compression = zend_is_true(v);
        else if (zend_string_equals_literal(k, "ssl_verify_peer"))
            o->verify_peer = zend_is_true(v);
        else if (zend_string_equals_literal(k, "ssl_allow_self_signed"))
            o->allow_self_signed = zend_is_true(v);
        else if (zend_string_equals_literal(k, "ssl_cafile"))
            set_str(&o->cafile, v);
        else if (zend_string_equals_literal(k, "ssl_cert_file"))
            set_str(&o->cert_file, v);
        else if (zend_string_equals_literal(k, "ssl_key_file"))
            set_str(&o->key_file, v);
        else if (zend_string_equals_literal(k, "ssl_host_name"))
            set_str(&o->host_name, v);
        else if (zend_string_equals_literal(k, "http_proxy_host"))
            set_str(&o->proxy_host, v);
        else if (zend_string_equals_literal(k, "http_proxy_port"))
            o->proxy_port = zval_get_long(v);
    }
    ZEND_HASH_FOREACH_END();
    zval rv, *cur = PROP("setting"), merged;
    array_init(&merged);
    if (Z_TYPE_P(cur) == IS_ARRAY)
        zend_hash_copy(Z_ARRVAL(merged), Z_ARRVAL_P(cur), zval_add_ref);
    zend_hash_merge(Z_ARRVAL(merged), settings, zval_add_ref, 1);
    zend_update_property(hcli_ce, &o->std, "setting", sizeof("setting") - 1, &merged);
    zval_ptr_dtor(&merged);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, setMethod) {
    zend_string *m;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(m)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zval_ptr_dtor(&o->method);
    ZVAL_STR(&o->method, zend_string_toupper(m));
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, setHeaders) {
    zval *headers;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY(headers)
    ZEND_PARSE_PARAMETERS_END();
    zend_update_property(hcli_ce, Z_OBJ_P(ZEND_THIS), "requestHeaders",
                         sizeof("requestHeaders") - 1, headers);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, setCookies) {
    zval *cookies;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY(cookies)
    ZEND_PARSE_PARAMETERS_END();
    zend_update_property(hcli_ce, Z_OBJ_P(ZEND_THIS), "cookies", sizeof("cookies") - 1, cookies);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, setData) {
    zval *data;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ZVAL(data)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zval_ptr_dtor(&o->data);
    ZVAL_COPY(&o->data, data);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, addFile) {
    zend_string *path, *name, *type = NULL, *filename = NULL;
    zend_long offset = 0, length = 0;
    ZEND_PARSE_PARAMETERS_START(2, 6)
    Z_PARAM_PATH_STR(path)
    Z_PARAM_STR(name)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR_OR_NULL(type)
    Z_PARAM_STR_OR_NULL(filename)
    Z_PARAM_LONG(offset)
    Z_PARAM_LONG(length)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    if (offset != 0 || length != 0) {
        php_error_docref(NULL, E_WARNING,
                         "addFile: an offset or length is not supported on "
                         "swirl (the whole file is sent)");
        RETURN_FALSE;
    }
    if (access(ZSTR_VAL(path), R_OK) != 0) {
        php_error_docref(NULL, E_WARNING, "addFile: %s: %s", ZSTR_VAL(path), strerror(errno));
        RETURN_FALSE;
    }
    if (Z_TYPE(o->files) != IS_ARRAY)
        array_init(&o->files);
    zval part;
    array_init(&part);
    add_next_index_str(&part, zend_string_copy(path));
    add_next_index_str(&part, zend_string_copy(name));
    if (type)
        add_next_index_str(&part, zend_string_copy(type));
    else
        add_next_index_null(&part);
    if (filename)
        add_next_index_str(&part, zend_string_copy(filename));
    else
        add_next_index_null(&part);
    add_next_index_zval(&o->files, &part);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, execute) {
    zend_string *path;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(path)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    RETURN_BOOL(start(o, ZSTR_VAL(path), ZSTR_LEN(path), cb, 2, NULL));
}

PHP_METHOD(Swoole_Http_Client, get) {
    zend_string *path;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(path)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zval_ptr_dtor(&o->method);
    ZVAL_STRING(&o->method, "GET");
    RETURN_BOOL(start(o, ZSTR_VAL(path), ZSTR_LEN(path), cb, 2, NULL));
}

PHP_METHOD(Swoole_Http_Client, post) {
    zend_string *path;
    zval *data, *cb;
    ZEND_PARSE_PARAMETERS_START(3, 3)
    Z_PARAM_STR(path)
    Z_PARAM_ZVAL(data)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zval_ptr_dtor(&o->method);
    ZVAL_STRING(&o->method, "POST");
    zval_ptr_dtor(&o->data);
    if (Z_TYPE_P(data) == IS_ARRAY)
        ZVAL_COPY(&o->data, data);
    else
        ZVAL_STR(&o->data, zval_get_string(data));
    RETURN_BOOL(start(o, ZSTR_VAL(path), ZSTR_LEN(path), cb, 3, NULL));
}

PHP_METHOD(Swoole_Http_Client, download) {
    zend_string *path, *file;
    zval *cb;
    zend_long offset = 0;
    ZEND_PARSE_PARAMETERS_START(3, 4)
    Z_PARAM_STR(path)
    Z_PARAM_PATH_STR(file)
    Z_PARAM_ZVAL(cb)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(offset)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    if (offset != 0) {
        php_error_docref(NULL, E_WARNING,
                         "download: resuming at an offset is not supported on "
                         "swirl (the file is written from its start)");
        RETURN_FALSE;
    }
    zval_ptr_dtor(&o->method);
    ZVAL_STRING(&o->method, "GET");
    zend_update_property_str(hcli_ce, &o->std, "downloadFile", sizeof("downloadFile") - 1, file);
    RETURN_BOOL(start(o, ZSTR_VAL(path), ZSTR_LEN(path), cb, 3, ZSTR_VAL(file)));
}

PHP_METHOD(Swoole_Http_Client, on) {
    zend_string *name;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(name)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    THIS_OBJ;
    zval *slot = zend_string_equals_literal_ci(name, "close")     ? &o->on_close
                 : zend_string_equals_literal_ci(name, "error")   ? &o->on_error
                 : zend_string_equals_literal_ci(name, "message") ? &o->on_message
                                                                  : NULL;
    if (!slot) {
        php_error_docref(NULL, E_WARNING, "unknown event \"%s\" (close, error or message)",
                         ZSTR_VAL(name));
        RETURN_FALSE;
    }
    if (!zend_is_callable(cb, 0, NULL)) {
        zend_argument_type_error(2, "must be a valid callback");
        RETURN_THROWS();
    }
    zval_ptr_dtor(slot);
    ZVAL_COPY(slot, cb);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Http_Client, isConnected) {
    ZEND_PARSE_PARAMETERS_NONE();
    THIS_OBJ;
    RETURN_BOOL(swirl_hcli_ws_live(o) ||
                (o->hc && o->pid == getpid() && (o->call || swirl_http_client_idle(o->hc) > 0)));
}

PHP_METHOD(Swoole_Http_Client, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    THIS_OBJ;
    if (swirl_hcli_ws_live(o)) /* the WebSocket's close handshake */
        RETURN_BOOL(swirl_hcli_ws_close(o));
    if (!o->hc || o->pid != getpid())
        RETURN_FALSE;
    bool was = o->call || swirl_http_client_idle(o->hc) > 0;
    GC_ADDREF(&o->std);
    o->closing = true;
    swirl_http_client_free(o->hc); /* a request in flight ends without its callback */
    o->hc = NULL;
    o->closing = false;
    if (was)
        swirl_hcli_call(o, &o->on_close);
    OBJ_RELEASE(&o->std);
    RETURN_BOOL(was);
}

void swirl_http_client_minit(void) {
    hcli_ce = register_class_Swoole_Http_Client();
    hcli_ce->create_object = hcli_create;
    memcpy(&hcli_handlers, &std_object_handlers, sizeof(hcli_handlers));
    hcli_handlers.offset = XtOffsetOf(hcli_obj, std);
    hcli_handlers.free_obj = hcli_free;
    hcli_handlers.get_gc = hcli_get_gc;
    hcli_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_http_client", hcli_ce);
}
