/* swirl/http_client.h — an HTTP/1.1 client on the event loop: requests with
 * a body from memory or streamed multipart files, responses whole or
 * streamed (to a callback or straight to a file), keep-alive connections
 * reused per host:port, gzip/deflate, redirects, per-phase timeouts, TLS
 * with verification, and an HTTP proxy (CONNECT for https). */
#ifndef SWIRL_HTTP_CLIENT_H
#define SWIRL_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/core.h>
#include <swirl/error.h>
#include <swirl/event.h>
#include <swirl/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A set of requests on one loop, with its pool of idle keep-alive
 * connections (one per loop is the intended use). */
typedef struct swirl_http_client swirl_http_client_t;

/* One request in flight; owned by the client. Valid from
 * swirl_http_client_request until its done callback returns. */
typedef struct swirl_http_call swirl_http_call_t;

/* What the callbacks see of the response. Every pointer is valid during
 * the callback only. */
typedef struct swirl_http_response {
    int status;         /* 100..599; 0 when no head came */
    int minor;          /* HTTP/1.<minor> */
    const char *reason; /* may be empty */
    size_t reason_len;
    const swirl_http_header_t *headers; /* as the server sent them */
    size_t nheaders;
    /* the body (decoded: chunked and Content-Encoding taken off), when
     * neither on_data nor download_path takes it; NULL when empty */
    const char *body;
    size_t body_len;
    uint64_t body_bytes; /* body bytes delivered (also to on_data or the file) */
    const char *url;     /* the URL this response came from (after redirects) */
    int redirects;       /* redirects followed */
    const char *error;   /* on an error: a message naming the request and the cause */
} swirl_http_response_t;

/* The request ended: `status` 0 (a whole response), or a negative code:
 * -ECANCELED (cancelled, or the client freed), -ETIMEDOUT (a phase's
 * timeout), SWIRL_EPROTO (a reply that breaks HTTP, a certificate that does
 * not verify), SWIRL_ETOOBIG (a head, body or inflated body past its
 * limit), SWIRL_ECLOSED (the server closed before the response ended),
 * -ECONNREFUSED, SWIRL_EBADADDR (a name that does not resolve), an errno
 * of the download file... `res` is never NULL (res->error says what went
 * wrong). Runs once per request that swirl_http_client_request accepted,
 * never from inside that call. */
typedef void (*swirl_http_done_cb)(swirl_http_call_t *call, void *user,
                                   const swirl_http_response_t *res, int status);

/* Streaming: body bytes as they arrive (decoded), with the head in `res`.
 * Return 0 to go on, or a negative code to stop: the request then ends
 * with that code. */
typedef int (*swirl_http_data_cb)(swirl_http_call_t *call, void *user,
                                  const swirl_http_response_t *res, const char *data, size_t len);

/* One part of a multipart/form-data body: a field (`value`, `value_len`)
 * or a file (`path`, read in pieces as it is sent, never whole). */
typedef struct swirl_http_form_part {
    const char *name;  /* the form field's name (required) */
    const char *value; /* a field's value, or NULL for a file */
    size_t value_len;
    const char *path;         /* a file to upload, or NULL */
    const char *filename;     /* the file name sent (default: path's last part) */
    const char *content_type; /* default application/octet-stream for files */
} swirl_http_form_part_t;

/* A request. Fill it with swirl_http_request_options_init, then set what
 * differs; everything is copied by swirl_http_client_request (files are
 * opened when they are sent). */
typedef struct swirl_http_request_options {
    const char *method; /* default "GET" (a token) */
    /* http://host[:port][/path][?query] or https://...: host a name, an
     * IPv4 address or [IPv6]; no user:password@, no spaces or control
     * characters. A #fragment is dropped. */
    const char *url;
    const char *const *headers; /* "Name", "value" pairs, ended by NULL; may be NULL */
    const void *body;           /* a body from memory (Content-Length), or NULL */
    size_t body_len;
    const swirl_http_form_part_t *form; /* multipart/form-data parts (instead of body) */
    size_t nform;
    const char *download_path; /* write the body to this file (created or truncated); on
                                * a failure the partial file is removed */
    double connect_timeout;    /* seconds, name lookup and TLS handshake included: 10 */
    double head_timeout;       /* from the request sent to the whole response head: 30 */
    double body_timeout;       /* the longest wait for more body bytes: 30 (< 0: none) */
    int max_redirects;         /* 0 (default): a 3xx is the response */
    bool decompress;           /* send Accept-Encoding: gzip, deflate; inflate: true */
    bool keep_alive;           /* reuse the connection: true */
    size_t max_head;           /* response head bytes: 64 KiB */
    size_t max_body;           /* body kept in memory: 64 MiB (0: the default) */
    uint64_t max_inflated;     /* inflated bytes of a gzip/deflate body: 1 GiB (0: the default) */
    /* TLS (https): verification is on by default against the system store */
    bool verify_peer;          /* true */
    bool allow_self_signed;    /* false */
    const char *ca_file;       /* trusted CAs (PEM) */
    const char *cert_file;     /* a client certificate (PEM) ... */
    const char *key_file;      /* ... and its key */
    const char *tls_host_name; /* SNI and the name checked: default the URL's host */
    /* an HTTP proxy, "http://host:port": http URLs go to it in absolute
     * form, https URLs through a CONNECT tunnel (TLS checked end to end) */
    const char *proxy;
    swirl_http_done_cb on_done; /* required */
    swirl_http_data_cb on_data; /* optional: stream the body */
    void *user;
} swirl_http_request_options_t;

/* Fill `o` with the defaults above. */
SWIRL_API void swirl_http_request_options_init(swirl_http_request_options_t *o);

/* A client on `loop` (which must outlive it). Returns 0 and *out, or
 * -ENOMEM / SWIRL_EBADARG. */
SWIRL_API int swirl_http_client_new(swirl_http_client_t **out, swirl_loop_t *loop);

/* Cancel every request in flight (each done callback runs once, now, with
 * -ECANCELED), close every connection and free. Safe inside any of its
 * callbacks (the memory goes when they return). NULL is a no-op. */
SWIRL_API void swirl_http_client_free(swirl_http_client_t *hc);

/* The pool's bounds: idle connections kept per host:port (default 8) and
 * in all (default 64), and how long one may stay idle (default 30 s; an
 * older one is closed instead of reused). Returns 0 or SWIRL_EBADARG. */
SWIRL_API int swirl_http_client_set_pool(swirl_http_client_t *hc, size_t per_host, size_t total,
                                         double idle_timeout);

/* Start a request. Returns 0 (and *out when out is not NULL): the done
 * callback will run once. Or a negative code, and no callback runs:
 * SWIRL_EBADARG for a malformed URL, host, method, header or form part
 * (the message, swirl_last_error_msg(), names it), SWIRL_ENOTSUP, -ENOMEM,
 * or an errno opening the download file or a form file. */
SWIRL_API int swirl_http_client_request(swirl_http_client_t *hc,
                                        const swirl_http_request_options_t *o,
                                        swirl_http_call_t **out);

/* Cancel a request in flight: its done callback runs once, now, with
 * -ECANCELED. Its connection is closed. */
SWIRL_API void swirl_http_call_cancel(swirl_http_call_t *call);

/* Idle connections in the pool now; connections opened since new (a reused
 * one counts once). For tests and statistics. */
SWIRL_API size_t swirl_http_client_idle(const swirl_http_client_t *hc);
SWIRL_API uint64_t swirl_http_client_connections(const swirl_http_client_t *hc);

#ifdef __cplusplus
}
#endif
#endif
