/* src/http_client/internal.h — what the HTTP client's files share: URLs
 * (url.c), request bodies (body.c) and the client itself (client.c).
 * Never installed. */
#ifndef SWIRL_HTTP_CLIENT_INTERNAL_H
#define SWIRL_HTTP_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <swirl/http_client.h>

#include "core/internal.h"

/* A parsed URL. */
typedef struct hc_url {
    bool https, ipv6;
    char host[256]; /* without brackets */
    int port;
    char *target; /* path and query, "/" at least; owned */
} hc_url_t;

/* Parse `url` strictly: 0, or SWIRL_EBADARG with a message naming it. */
int swirl__hc_url_parse(hc_url_t *u, const char *url);
/* Resolve a Location (len bytes) against base into out: 0 or SWIRL_EPROTO. */
int swirl__hc_url_resolve(hc_url_t *out, const hc_url_t *base, const char *loc, size_t len);
/* Append "scheme://host[:port]" and, with_target, the path and query. */
int swirl__hc_url_format(const hc_url_t *u, bool with_target, swirl_buf_t *out);
/* "host[:port]" for the Host header (the port only when not the default). */
int swirl__hc_url_authority(const hc_url_t *u, char *buf, size_t size);
void swirl__hc_url_free(hc_url_t *u);

/* A request body made of pieces: bytes in memory, or a file's contents,
 * produced a bounded piece at a time (body.c). */
typedef struct hc_piece {
    char *data; /* owned bytes, or NULL for a file */
    size_t len;
    char *path;    /* a file, opened when reached */
    uint64_t size; /* its size when the request started (it must not change) */
} hc_piece_t;

typedef struct hc_body {
    hc_piece_t *pieces;
    size_t n, cap;
    uint64_t total; /* Content-Length */
    /* the reading position */
    size_t cur;
    uint64_t off; /* in the current piece */
    int fd;       /* the current file, or -1 */
} hc_body_t;

void swirl__hc_body_init(hc_body_t *b);
void swirl__hc_body_destroy(hc_body_t *b);
/* Copy bytes in as a piece. */
int swirl__hc_body_add_bytes(hc_body_t *b, const void *data, size_t len);
/* A multipart/form-data body from `parts` with `boundary`; files are
 * stat'ed now (errors name them) and read when sent. */
int swirl__hc_body_form(hc_body_t *b, const swirl_http_form_part_t *parts, size_t n,
                        const char *boundary);
/* Back to the start (a retried or redirected request sends it again). */
void swirl__hc_body_rewind(hc_body_t *b);
/* The next at most `max` bytes into buf: their count, 0 at the end, or a
 * negative code naming the file. */
ssize_t swirl__hc_body_read(hc_body_t *b, char *buf, size_t max);

/* ---- the client, its connections and requests (client.c, response.c, request.c) ---------- */

#include <swirl/client.h>
#include <zlib.h>

#define MAX_HEADERS 100
#define PIECE (64 * 1024)      /* body bytes read, decoded or inflated at a time */
#define SEND_HIGH (256 * 1024) /* stop reading a request body past this much unsent */
#define PUMP_WAIT_MS 2         /* then look again after this long */

typedef struct hc_conn hc_conn_t;

struct swirl_http_client {
    swirl_loop_t *loop;
    hc_conn_t *idle; /* idle connections, newest first */
    size_t nidle, per_host, total;
    uint64_t idle_ms;
    swirl_http_call_t *calls; /* requests in flight */
    hc_conn_t *dead_conns;    /* freed when depth comes back to 0 */
    swirl_http_call_t *dead_calls;
    int depth;
    bool free_pending;
    uint64_t connections;
};

enum { TUNNEL_NONE, TUNNEL_NEED, TUNNEL_WAIT, TUNNEL_TLS };

struct hc_conn {
    swirl_http_client_t *hc;
    swirl_client_t *cli;
    char *key;
    int tunnel;             /* https through a proxy: CONNECT, its answer, then TLS */
    bool tls;               /* TLS (directly or in a tunnel) */
    swirl_buf_t tin;        /* the proxy's answer to CONNECT */
    hc_conn_t *prev, *next; /* the idle list, or the dead list (next only) */
    swirl_http_call_t *call;
    bool idle, connected, dead;
    uint64_t idle_since;
};

enum { ST_CONNECT, ST_SEND, ST_HEAD, ST_BODY, ST_DONE };
enum { BODY_NONE, BODY_LEN, BODY_CHUNKED, BODY_CLOSE };
enum { Z_NONE, Z_GZIP, Z_DEFLATE };

struct swirl_http_call {
    swirl_http_client_t *hc;
    swirl_http_call_t *prev, *next;
    /* the request, copied */
    char *method;
    bool is_head, idempotent;
    char **hdrs; /* name, value, ... */
    size_t nhdrs;
    hc_body_t body;
    bool send_length; /* Content-Length even when 0 (POST, PUT, PATCH, a body) */
    char boundary[48];
    char *download_path;
    int dl_fd;
    double connect_timeout, head_timeout, body_timeout;
    int max_redirects;
    bool decompress, keep_alive, verify_peer, allow_self_signed;
    size_t max_head, max_body;
    uint64_t max_inflated;
    char *ca_file, *cert_file, *key_file, *tls_host_name;
    hc_url_t proxy;
    bool use_proxy;
    swirl_http_done_cb on_done;
    swirl_http_data_cb on_data;
    void *user;
    /* where it is */
    hc_url_t url;
    char *url_str;
    int state;
    hc_conn_t *conn;
    bool reused, retried, got_bytes, body_sent, no_reuse, redirecting;
    bool redirect_due; /* the redirect's response ended: client.c follows it */
    bool sent_any;     /* some of this attempt's request was written */
    int redirects;
    swirl_buf_t in; /* the head (kept: the headers point into it) */
    size_t scan;
    swirl_http_header_t harr[MAX_HEADERS];
    swirl_http_response_head_t rh;
    bool have_head;
    int mode;
    uint64_t left;
    swirl_http_chunked_t ck;
    char *scratch; /* PIECE bytes: chunked decoding, inflating */
    int zkind;
    bool zinit, zend;
    z_stream z;
    uint64_t inflated;
    swirl_buf_t body_buf;
    uint64_t body_bytes;
    int64_t timer, pump_timer;
    uint64_t deadline, timer_at; /* the phase's end; when the timer fires */
    char err[512];
    bool done;
};

/* core.c */
void swirl__hc_enter(swirl_http_client_t *hc); /* every way in counts itself ... */
void swirl__hc_leave(swirl_http_client_t *hc); /* ... and the last out frees what ended */
/* End the call with `code` and a message (prefixed with method and URL). */
void swirl__hc_fail(swirl_http_call_t *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* End the call: its done callback, once. */
void swirl__hc_finish(swirl_http_call_t *call, int status);
void swirl__hc_conn_close(hc_conn_t *conn);
void swirl__hc_pool_put(hc_conn_t *conn);
hc_conn_t *swirl__hc_pool_take(swirl_http_client_t *hc, const char *key);
char *swirl__hc_conn_key(const swirl_http_call_t *call); /* owned by the caller */
void swirl__hc_fill_res(const swirl_http_call_t *call, swirl_http_response_t *res);
/* client.c */
int swirl__hc_conn_open(swirl_http_call_t *call, const char *key);
void swirl__hc_arm(swirl_http_call_t *call, double seconds); /* the phase's deadline */
void swirl__hc_start_attempt(swirl_http_call_t *call);
void swirl__hc_send_request(swirl_http_call_t *call);
void swirl__hc_on_start(swirl_loop_t *loop, int64_t id, void *user); /* a 0 ms timer: send */
void swirl__hc_do_redirect(swirl_http_call_t *call);
/* response.c */
void swirl__hc_feed(swirl_http_call_t *call, const char *data, size_t len);

#endif
