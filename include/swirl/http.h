/* swirl/http.h — an HTTP/1.1 server on top of swirl_server_t (BASE and
 * PROCESS modes): requests parsed strictly (swirl/protocol.h), keep-alive,
 * pipelining with responses in order, chunked bodies both ways,
 * Expect: 100-continue, HEAD, size limits with 400/408/413/414/431, and
 * static files from document_root.
 *
 * Ownership: a request and its response belong to the server. The request
 * is valid during the request callback; the response until it is ended
 * (swirl_http_resp_end / _sendfile / _redirect). A callback that returns
 * without ending its response gets it ended for it (500 if nothing was
 * sent) and a warning logged, unless it called swirl_http_resp_detach:
 * then it must end it later, from the same worker, and the connection's
 * next pipelined request waits for that. A write, end, sendfile or
 * redirect that fails to send (connection gone, or the bytes refused by
 * buffer_output_size / socket_buffer_size: the connection is then closed)
 * also ends the response: do not use it after that error. The rule for
 * every response call: SWIRL_EBADARG and SWIRL_ESTATE are refusals that
 * change nothing (the response is still the caller's); after any other
 * error from write, end, sendfile or redirect the response has ended (cut
 * short, its connection closing). */
#ifndef SWIRL_HTTP_H
#define SWIRL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/server.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An HTTP server over a swirl server, a request it received and the
 * response to it (both owned by the server). */
typedef struct swirl_http_server swirl_http_server_t;
typedef struct swirl_http_req swirl_http_req_t;
typedef struct swirl_http_resp swirl_http_resp_t;

/* The request handler: answer `req` through `resp` (now, or later after
 * swirl_http_resp_detach). */
typedef void (*swirl_http_handler)(swirl_http_server_t *hs, swirl_http_req_t *req,
                                   swirl_http_resp_t *resp, void *user);

/* ---- the server ---------------------------------------------------------------------------- */

/* An HTTP server on host:port (TCP, TCP6 for an IPv6 host, or a Unix
 * socket path with port 0 and type SWIRL_SOCK_UNIX_STREAM via the base).
 * `mode` is SWIRL_MODE_BASE or SWIRL_MODE_PROCESS, optionally
 * | SWIRL_SOCK_SSL for HTTPS (then set ssl_cert_file and ssl_key_file). */
SWIRL_API int swirl_http_server_new(swirl_http_server_t **out, const char *host, int port,
                                    int mode);
SWIRL_API void swirl_http_server_free(swirl_http_server_t *hs);

/* The underlying server: settings, extra listeners, worker events, tasks,
 * stats. Its receive, connect and close callbacks are the HTTP server's:
 * set "connect" and "close" with swirl_http_server_on instead. */
SWIRL_API swirl_server_t *swirl_http_server_base(swirl_http_server_t *hs);

/* Multi-protocol listeners. What a listener of an HTTP server speaks:
 * SWIRL_HTTP_PROTO_HTTP, with SWIRL_HTTP_PROTO_WS (WebSocket upgrades, a
 * swirl_ws_server_t's) or not, or 0: plain bytes for the receive (packet)
 * callbacks, framed by its own settings. The rule, Swoole's:
 *  - the first listener speaks HTTP, and WebSocket on a WebSocket server
 *    (or when open_websocket_protocol is set on the server);
 *  - a listener with no key set on itself (swirl_port_set) speaks what the
 *    first one does;
 *  - one with keys of its own speaks only what they say: HTTP with
 *    open_http_protocol, HTTP and WebSocket with open_websocket_protocol,
 *    else nothing of HTTP (open_eof_check, open_length_check... frame it);
 *  - a datagram listener never speaks HTTP. */
enum { SWIRL_HTTP_PROTO_HTTP = 1, SWIRL_HTTP_PROTO_WS = 2 };
SWIRL_API int swirl_http_port_protocols(const swirl_http_server_t *hs, const swirl_port_t *port);
/* The listener connection `fd` came in on (NULL once it is gone). */
SWIRL_API const swirl_port_t *swirl_http_server_conn_port(const swirl_http_server_t *hs,
                                                          int64_t fd);

/* The request handler (required before start). */
SWIRL_API int swirl_http_server_on_request(swirl_http_server_t *hs, swirl_http_handler fn,
                                           void *user);
/* Other events, as swirl_server_on ("connect" and "close" are passed on
 * after the HTTP server's own handling). "receive" is the callback of the
 * listeners that do not speak HTTP (swirl_http_port_protocols), "packet"
 * that of datagram listeners; a port's own (swirl_port_on) go first. */
SWIRL_API int swirl_http_server_on(swirl_http_server_t *hs, const char *name, swirl_server_cb cb,
                                   void *user);
/* Settings (server and HTTP keys), as swirl_server_set_text. */
SWIRL_API int swirl_http_server_set_text(swirl_http_server_t *hs, const char *key,
                                         const char *text);
/* Run until shutdown, as swirl_server_start. */
SWIRL_API int swirl_http_server_start(swirl_http_server_t *hs);

/* ---- requests ------------------------------------------------------------------------------- */

/* Method, target (URI as sent), path (target before '?'), query string
 * (after '?', "" if none), protocol ("HTTP/1.1"). Not NUL-terminated:
 * *len receives the length (len may be NULL for the NUL-terminated copies
 * path and query, which are). */
SWIRL_API const char *swirl_http_req_method(const swirl_http_req_t *req, size_t *len);
SWIRL_API const char *swirl_http_req_uri(const swirl_http_req_t *req, size_t *len);
SWIRL_API const char *swirl_http_req_path(const swirl_http_req_t *req, size_t *len);
SWIRL_API const char *swirl_http_req_query(const swirl_http_req_t *req, size_t *len);
SWIRL_API const char *swirl_http_req_protocol(const swirl_http_req_t *req);
/* The first header named `name` (any case), or NULL; *len its length. */
SWIRL_API const char *swirl_http_req_header(const swirl_http_req_t *req, const char *name,
                                            size_t *len);
/* Header i (0..count-1) as sent: name and value, not NUL-terminated. */
SWIRL_API size_t swirl_http_req_header_count(const swirl_http_req_t *req);
SWIRL_API int swirl_http_req_header_at(const swirl_http_req_t *req, size_t i, const char **name,
                                       size_t *name_len, const char **value, size_t *value_len);
/* The body (decoded when chunked), and the whole raw head. A
 * multipart/form-data body parsed into fields and files (http_parse_post
 * on) is not kept: the body is NULL with length 0. */
SWIRL_API const char *swirl_http_req_body(const swirl_http_req_t *req, size_t *len);
SWIRL_API const char *swirl_http_req_raw_head(const swirl_http_req_t *req, size_t *len);
/* Query string fields (GET), body fields (POST; when http_parse_post is
 * on and Content-Type is application/x-www-form-urlencoded or
 * multipart/form-data) and cookies (COOKIE; when
 * http_parse_cookie is on). Names and values are percent-decoded ('+' is a
 * space), NUL-terminated, valid during the callback; at most 1000 fields
 * of each kind are kept. */
typedef enum {
    SWIRL_HTTP_GET = 0,
    SWIRL_HTTP_POST = 1,
    SWIRL_HTTP_COOKIE = 2
} swirl_http_param_kind_t;
typedef struct swirl_http_param {
    const char *name, *value;
    size_t name_len, value_len;
} swirl_http_param_t;
/* How a request's fields are read. PLAIN (the default) as above, cookies
 * too (split at ';', spaces and tabs before a name skipped). PHP: cookies
 * as PHP fills $_COOKIE: any white space before a name skipped, the name
 * not decoded, the value decoded with '+' kept, and a cookie dropped when
 * its name is a plain one (no '[') that an earlier cookie's already gave
 * as PHP makes a variable's name (leading spaces dropped, ' ' and '.' to
 * '_', cut at an index "[...]"): the first wins. Query and body fields are
 * read alike under both. */
typedef enum {
    SWIRL_HTTP_FIELDS_PLAIN = 0,
    SWIRL_HTTP_FIELDS_PHP = 1
} swirl_http_fields_t;
/* Choose the rules (before start). 0, SWIRL_EBADARG for another value, or
 * SWIRL_ESTATE once started. */
SWIRL_API int swirl_http_server_fields(swirl_http_server_t *hs, swirl_http_fields_t rules);

/* ---- requests parsed outside a server ------------------------------------------------------
 * Swoole's Http\Request::create()/parse(): bytes fed in pieces of any size
 * until one whole request (a head and a Content-Length body; a chunked
 * body is refused) is there; its fields are read with the swirl_http_req_*
 * functions below (no fd, no remote address, no uploads: a multipart body
 * stays raw). */
typedef struct swirl_http_parser swirl_http_parser_t;

/* What a parser fills beyond the head (swirl_http_parser_new). */
typedef struct swirl_http_parser_rules {
    bool parse_cookie;          /* COOKIE fields (http_parse_cookie) */
    bool parse_post;            /* urlencoded POST fields (http_parse_post) */
    swirl_http_fields_t fields; /* cookie rules */
    size_t body_max;            /* 0: SWIRL_PACKAGE_MAX_LENGTH_DEFAULT */
} swirl_http_parser_rules_t;

/* A parser (`rules` NULL: cookies and POST fields parsed, plain rules).
 * 0 or a negative code. */
SWIRL_API int swirl_http_parser_new(swirl_http_parser_t **out,
                                    const swirl_http_parser_rules_t *rules);
SWIRL_API void swirl_http_parser_free(swirl_http_parser_t *p);
/* Feed bytes: how many belong to the request (fewer than `len` when the
 * request ended before them), or SWIRL_ESTATE once it is complete,
 * SWIRL_EPROTO for a bad head (every later call too), SWIRL_ETOOBIG past
 * 64 KiB of head or body_max, SWIRL_ENOTSUP for a chunked body. */
SWIRL_API ssize_t swirl_http_parser_feed(swirl_http_parser_t *p, const void *data, size_t len);
/* The method as soon as the request line's first word is in (before the
 * head is complete), or NULL. Valid until the next feed or free. */
SWIRL_API const char *swirl_http_parser_method(const swirl_http_parser_t *p, size_t *len);
/* Is the head in (the request line and headers readable)? Is all of it? */
SWIRL_API bool swirl_http_parser_head_done(const swirl_http_parser_t *p);
SWIRL_API bool swirl_http_parser_done(const swirl_http_parser_t *p);
/* The request once its head is in (its body once done), else NULL. Valid
 * until the next feed or free. */
SWIRL_API swirl_http_req_t *swirl_http_parser_req(swirl_http_parser_t *p);
/* The value of the first field called `name`, or NULL. */
SWIRL_API const char *swirl_http_req_param(swirl_http_req_t *req, swirl_http_param_kind_t kind,
                                           const char *name, size_t *len);
/* All fields of a kind, in order (repeated names kept): their count. */
SWIRL_API size_t swirl_http_req_params(swirl_http_req_t *req, swirl_http_param_kind_t kind,
                                       const swirl_http_param_t **out);

/* Uploaded files of a multipart/form-data body (http_parse_post on). Each
 * file part is streamed to a temp file in upload_tmp_dir while it arrives
 * (never held in memory) and that file is removed when the request
 * callback returns: rename it to keep it. The whole body counts against
 * package_max_length; upload_max_filesize (0: no limit of its own) bounds
 * each file. `error` takes PHP's UPLOAD_ERR_* values; when it is not 0 the
 * bytes were dropped and tmp_name is "". A request has at most 100 file
 * parts (more: 413) and 1000 fields (more are dropped). */
enum {
    SWIRL_UPLOAD_ERR_OK = 0,
    SWIRL_UPLOAD_ERR_INI_SIZE = 1,   /* larger than upload_max_filesize */
    SWIRL_UPLOAD_ERR_NO_FILE = 4,    /* filename="" (no file chosen) */
    SWIRL_UPLOAD_ERR_NO_TMP_DIR = 6, /* no temp file could be made in upload_tmp_dir */
    SWIRL_UPLOAD_ERR_CANT_WRITE = 7, /* writing the temp file failed (disk full...) */
};
typedef struct swirl_http_file {
    const char *field;    /* the form field's name */
    const char *name;     /* the client's file name, its last path component */
    const char *full_path; /* the client's file name as sent (a folder upload's relative path) */
    const char *type;     /* the part's Content-Type ("" when none) */
    const char *tmp_name; /* the temp file ("" when error != 0) */
    uint64_t size;        /* bytes written */
    int error;            /* SWIRL_UPLOAD_ERR_* */
} swirl_http_file_t;
/* All uploaded files, in order: their count (valid during the callback). */
SWIRL_API size_t swirl_http_req_files(const swirl_http_req_t *req, const swirl_http_file_t **out);
/* The first file of field `field`, or NULL. */
SWIRL_API const swirl_http_file_t *swirl_http_req_file(const swirl_http_req_t *req,
                                                       const char *field);

/* The client's address ("127.0.0.1", "::1") and port; NULL (port 0) when
 * the connection is gone. Looked up once per request. */
SWIRL_API const char *swirl_http_req_remote_ip(swirl_http_req_t *req);
SWIRL_API int swirl_http_req_remote_port(swirl_http_req_t *req);
/* The connection's session id (for swirl_server_* calls) and when the
 * request was complete (seconds since the epoch). */
SWIRL_API int64_t swirl_http_req_fd(const swirl_http_req_t *req);
SWIRL_API double swirl_http_req_time(const swirl_http_req_t *req);

/* ---- responses ------------------------------------------------------------------------------ */

/* Status (100..999 with three digits; default 200) with its standard
 * reason, or `reason` if not NULL. Before anything is sent. */
SWIRL_API int swirl_http_resp_status(swirl_http_resp_t *resp, int code, const char *reason);
/* Add a header line (names and values may not hold CR, LF or NUL). Setting
 * Content-Length, Content-Type, Date, Server, Connection or
 * Transfer-Encoding replaces swirl's own. The headers that frame the body
 * are refused (SWIRL_EBADARG) unless swirl can keep them true: one
 * Content-Length of 1 to 18 digits, a Transfer-Encoding of "chunked"
 * only, never both (replace one with swirl_http_resp_header_set). */
SWIRL_API int swirl_http_resp_header(swirl_http_resp_t *resp, const char *name, const char *value);
/* Replace every header line called `name` (any case) that was added
 * before by one line with `value`; with `value` NULL, remove them (swirl's
 * own header of that name comes back). A refused value removes nothing. */
SWIRL_API int swirl_http_resp_header_set(swirl_http_resp_t *resp, const char *name,
                                         const char *value);
/* Would swirl_http_resp_header take this name and value? 0, or
 * SWIRL_EBADARG naming what is wrong (an empty name; a name with spaces,
 * colons or control characters; a value with CR or LF). */
SWIRL_API int swirl_http_header_check(const char *name, const char *value);
/* A Set-Cookie header. `value` is percent-encoded unless `raw` (then it
 * may not hold spaces, commas, semicolons, quotes, backslashes or
 * control characters); `expires` is seconds since the epoch (0: a session
 * cookie; Max-Age is added too; past SWIRL_HTTP_COOKIE_EXPIRES_MAX, the
 * end of year 9999, refused as PHP's setcookie does); `samesite` is
 * NULL/"" or Strict, Lax or None (None needs `secure`); `priority` is NULL/"" or Low, Medium or High
 * (Chrome's Priority attribute). Refused with SWIRL_EBADARG naming the bad
 * part. */
#define SWIRL_HTTP_COOKIE_EXPIRES_MAX INT64_C(253402300799) /* 9999-12-31 23:59:59 UTC */
typedef struct swirl_http_cookie {
    const char *name, *value;
    int64_t expires;
    const char *path, *domain, *samesite;
    bool secure, httponly, raw;
    const char *priority;
} swirl_http_cookie_t;
SWIRL_API int swirl_http_resp_cookie(swirl_http_resp_t *resp, const swirl_http_cookie_t *cookie);

/* The body: what goes on the wire is always framed as the head says.
 * - A status without a body (1xx, 204, 304) refuses body bytes from
 *   write, end and sendfile with SWIRL_ESTATE (nothing sent: the response
 *   is still the caller's).
 * - With a Content-Length the user set, bytes past it are refused the same
 *   way; a body that ends short of it is sent and the connection closed
 *   (with a warning), so the client sees it cut. Such a body is never
 *   compressed.
 * - A HEAD request's response takes a body and sends only the head (with
 *   the length the body gives, as GET would), as HTTP says. */
/* Send a chunk of the body now (Transfer-Encoding: chunked; to an HTTP/1.0
 * client: no length, the connection closes at the end). */
SWIRL_API int swirl_http_resp_write(swirl_http_resp_t *resp, const void *data, size_t len);
/* Send the rest of the body (or all of it) and finish the response. */
SWIRL_API int swirl_http_resp_end(swirl_http_resp_t *resp, const void *data, size_t len);
/* Send `length` bytes of a file from `offset` (0: to its end) as the body,
 * zero-copy, and finish. SWIRL_EBADARG naming the path if it cannot be
 * read (nothing sent then: the caller may still answer otherwise). */
SWIRL_API int swirl_http_resp_sendfile(swirl_http_resp_t *resp, const char *path, int64_t offset,
                                       int64_t length);
/* Location: url, status `code` (301, 302, 303, 307 or 308; 0 = 302), finish. */
SWIRL_API int swirl_http_resp_redirect(swirl_http_resp_t *resp, const char *url, int code);
/* Compression of this response's body (given whole to end) instead of
 * the http_compression setting: 1..9 gzip at that level, 0 none. The
 * other conditions stay: the client accepts gzip, a compressible
 * Content-Type, at least compression_min_length bytes. Before anything is
 * sent; SWIRL_EBADARG for another level. */
SWIRL_API int swirl_http_resp_compress(swirl_http_resp_t *resp, int level);
/* The connection's session id (as swirl_http_req_fd of its request). */
SWIRL_API int64_t swirl_http_resp_fd(const swirl_http_resp_t *resp);
/* Keep the response open after the callback returns (end it later). A
 * client's FIN with no request behind this one is its leaving (the
 * connection closes, the response is no longer writable: Swoole's rule); a
 * FIN after pipelined requests waiting behind it is a half-close: this
 * answer and theirs are still written, then the connection closes. */
SWIRL_API int swirl_http_resp_detach(swirl_http_resp_t *resp);
/* A response to connection `fd` of the server that `hs` runs on, from any
 * of its processes, with no request in this one (the master's callbacks and
 * timers, the manager, a user process, another worker): HTTP/1.1,
 * keep-alive, status 200 until set. Its bytes go through
 * swirl_server_send; it is detached: ending it (end, sendfile, redirect)
 * frees it. NULL with SWIRL_ECLOSED when there is no such connection. What
 * the connection's own worker is doing with it is not known here: this is
 * for a connection whose worker will not answer (Laravel Octane answers
 * 408 this way after killing a stuck worker), as Swoole's
 * Response::create($server, $fd). */
SWIRL_API swirl_http_resp_t *swirl_http_resp_remote(swirl_http_server_t *hs, int64_t fd);
/* Has it been ended (or its connection gone)? */
SWIRL_API bool swirl_http_resp_finished(const swirl_http_resp_t *resp);

/* Answer `req` from document_root, as the static handler does (for a
 * handler that routes first and serves files after): true if it answered
 * (the file, 304, 206/416, or 403 for a path that would leave the root),
 * false if no file matches (then `resp` is untouched). Needs
 * document_root. */
SWIRL_API bool swirl_http_serve_static(swirl_http_server_t *hs, swirl_http_req_t *req,
                                       swirl_http_resp_t *resp);

/* The reason phrase of a status code ("Unknown" if none). */
SWIRL_API const char *swirl_http_reason(int code);

#ifdef __cplusplus
}
#endif
#endif
