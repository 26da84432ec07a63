/* src/http_client/request.c — starting a request: the options checked
 * (method, URL, headers, body or form, download file) and copied, then a
 * kept connection taken or a new one opened. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http_client/internal.h"

static bool token(const char *s) {
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            return false;
    }
    return true;
}

static bool field_value(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 ? c != '\t' : c == 0x7f)
            return false;
    }
    return true;
}

static char *dup_or_null(const char *s, bool *oom) {
    if (!s)
        return NULL;
    char *d = swirl_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

/* Copy and check the options into call; 0 or an error naming what is bad. */
static int setup(swirl_http_call_t *call, const swirl_http_request_options_t *o) {
    if (!o->on_done)
        return swirl__error(SWIRL_EBADARG, "HTTP request: no done callback");
    const char *method = o->method ? o->method : "GET";
    if (!token(method))
        return swirl__error(SWIRL_EBADARG, "HTTP request: method \"%.100s\" is not a token",
                            method);
    if (strcmp(method, "CONNECT") == 0)
        return swirl__error(SWIRL_ENOTSUP, "HTTP request: CONNECT is not a request this client "
                                           "makes");
    int rc = swirl__hc_url_parse(&call->url, o->url);
    if (rc < 0)
        return rc;
    if (o->proxy) {
        rc = swirl__hc_url_parse(&call->proxy, o->proxy);
        if (rc < 0) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s", swirl_last_error_msg());
            return swirl__error(rc, "proxy: %s", msg);
        }
        if (call->proxy.https)
            return swirl__error(SWIRL_ENOTSUP,
                                "proxy \"%.200s\": an https proxy is not "
                                "supported (give http://host:port)",
                                o->proxy);
        call->use_proxy = true;
    }
    if (o->body && o->form)
        return swirl__error(SWIRL_EBADARG, "HTTP request: a body and form parts: give one");
    if (o->download_path && o->on_data)
        return swirl__error(SWIRL_EBADARG, "HTTP request: download_path and on_data: give one");
    bool oom = false;
    call->method = dup_or_null(method, &oom);
    call->is_head = strcmp(method, "HEAD") == 0;
    call->idempotent = call->is_head || !strcmp(method, "GET") || !strcmp(method, "PUT") ||
                       !strcmp(method, "DELETE") || !strcmp(method, "OPTIONS") ||
                       !strcmp(method, "TRACE");
    call->send_length = o->body || o->form || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
                        !strcmp(method, "PATCH");
    size_t n = 0;
    while (o->headers && o->headers[n]) {
        if (!o->headers[n + 1])
            return swirl__error(SWIRL_EBADARG, "header \"%.100s\": no value", o->headers[n]);
        if (!token(o->headers[n]))
            return swirl__error(SWIRL_EBADARG, "header name \"%.100s\" is not a token",
                                o->headers[n]);
        if (!field_value(o->headers[n + 1]))
            return swirl__error(SWIRL_EBADARG,
                                "header \"%.100s\": control character in the "
                                "value",
                                o->headers[n]);
        if (!strcasecmp(o->headers[n], "content-length") ||
            !strcasecmp(o->headers[n], "transfer-encoding"))
            return swirl__error(SWIRL_EBADARG, "header \"%s\": the client frames the body itself",
                                o->headers[n]);
        n += 2;
    }
    if (n) {
        call->hdrs = swirl_calloc(n, sizeof(char *));
        if (!call->hdrs)
            return swirl__error(-ENOMEM, "HTTP request: out of memory");
        for (size_t i = 0; i < n; i++)
            call->hdrs[i] = dup_or_null(o->headers[i], &oom);
        call->nhdrs = n;
    }
    call->ca_file = dup_or_null(o->ca_file, &oom);
    call->cert_file = dup_or_null(o->cert_file, &oom);
    call->key_file = dup_or_null(o->key_file, &oom);
    call->tls_host_name = dup_or_null(o->tls_host_name, &oom);
    swirl_buf_t s;
    swirl_buf_init(&s);
    if (swirl__hc_url_format(&call->url, true, &s) < 0 || swirl_buf_append(&s, "", 1) < 0) {
        swirl_buf_destroy(&s);
        oom = true;
    } else {
        call->url_str = s.data;
    }
    if (oom)
        return swirl__error(-ENOMEM, "HTTP request: out of memory");
    if (o->body && o->body_len) {
        rc = swirl__hc_body_add_bytes(&call->body, o->body, o->body_len);
        if (rc < 0)
            return rc;
    }
    if (o->form) {
        unsigned char rnd[12];
        uint64_t t = swirl_clock_ns() ^ (uint64_t)(uintptr_t)call;
        for (size_t i = 0; i < sizeof(rnd); i++) {
            t = t * 6364136223846793005ULL + 1442695040888963407ULL;
            rnd[i] = (unsigned char)(t >> 56);
        }
        int k = snprintf(call->boundary, sizeof(call->boundary), "----swirl");
        for (size_t i = 0; i < sizeof(rnd); i++)
            k += snprintf(call->boundary + k, sizeof(call->boundary) - (size_t)k, "%02x", rnd[i]);
        rc = swirl__hc_body_form(&call->body, o->form, o->nform, call->boundary);
        if (rc < 0)
            return rc;
    }
    if (o->download_path) {
        call->download_path = swirl_strdup(o->download_path);
        if (!call->download_path)
            return swirl__error(-ENOMEM, "HTTP request: out of memory");
        call->dl_fd = open(o->download_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (call->dl_fd < 0)
            return swirl__error(swirl__neg_errno(), "download to %s:", o->download_path);
    }
    call->connect_timeout = o->connect_timeout;
    call->head_timeout = o->head_timeout;
    call->body_timeout = o->body_timeout;
    call->max_redirects = o->max_redirects > 0 ? o->max_redirects : 0;
    call->decompress = o->decompress;
    call->keep_alive = o->keep_alive;
    call->verify_peer = o->verify_peer;
    call->allow_self_signed = o->allow_self_signed;
    call->max_head = o->max_head ? o->max_head : 64 * 1024;
    call->max_body = o->max_body ? o->max_body : 64u * 1024 * 1024;
    call->max_inflated = o->max_inflated ? o->max_inflated : UINT64_C(1) << 30;
    call->on_done = o->on_done;
    call->on_data = o->on_data;
    call->user = o->user;
    return 0;
}

int swirl_http_client_request(swirl_http_client_t *hc, const swirl_http_request_options_t *o,
                              swirl_http_call_t **out) {
    if (!hc || !o)
        return swirl__error(SWIRL_EBADARG, "HTTP request: %s",
                            !hc ? "NULL client" : "NULL options");
    if (hc->free_pending)
        return swirl__error(SWIRL_ESTATE, "HTTP request: the client is being freed");
    swirl_http_call_t *call = swirl_calloc(1, sizeof(*call));
    if (!call)
        return swirl__error(-ENOMEM, "HTTP request: out of memory");
    call->hc = hc;
    call->dl_fd = -1;
    swirl__hc_body_init(&call->body);
    swirl__hc_enter(hc);
    int rc = setup(call, o);
    if (rc < 0) {
        if (call->dl_fd >= 0) {
            close(call->dl_fd);
            call->dl_fd = -1;
            unlink(call->download_path);
        }
        call->done = true;
        call->next = hc->dead_calls;
        hc->dead_calls = call;
        swirl__hc_leave(hc);
        return rc;
    }
    call->next = hc->calls;
    if (hc->calls)
        hc->calls->prev = call;
    hc->calls = call;
    /* connecting never calls back from here: a failure to start comes
     * through the done callback from the loop, as the client layer's */
    char *key = swirl__hc_conn_key(call);
    hc_conn_t *conn = key && call->keep_alive ? swirl__hc_pool_take(hc, key) : NULL;
    if (conn) {
        /* sent from the loop, so that a failure to send is never reported
         * from inside this call */
        conn->call = call;
        call->conn = conn;
        call->reused = true;
        call->state = ST_SEND;
        swirl_free(key);
        int64_t id = swirl_timer_after(hc->loop, 0, swirl__hc_on_start, call);
        if (id > 0) {
            call->pump_timer = id;
            if (out)
                *out = call;
            swirl__hc_leave(hc);
            return 0;
        }
        rc = (int)id;
        swirl__error(rc, "HTTP request: timer:");
        swirl__hc_pool_put(conn);
        call->conn = NULL;
        key = NULL;
    } else {
        rc = key ? swirl__hc_conn_open(call, key)
                 : swirl__error(-ENOMEM, "HTTP request: out of memory");
        swirl_free(key);
    }
    if (rc < 0) {
        /* unlink from the live list and drop it: no callback */
        hc->calls = call->next;
        if (call->next)
            call->next->prev = NULL;
        call->done = true;
        if (call->dl_fd >= 0) {
            close(call->dl_fd);
            call->dl_fd = -1;
            unlink(call->download_path);
        }
        call->next = hc->dead_calls;
        hc->dead_calls = call;
        swirl__hc_leave(hc);
        return rc;
    }
    if (out)
        *out = call;
    swirl__hc_leave(hc);
    return 0;
}
