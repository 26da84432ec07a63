/* src/http/internal.h — the HTTP server's per-worker state, shared by
 * server.c (events, API), parse.c (parsing, dispatch), conn.c
 * (connections), response.c and headers.c (responses), request.c,
 * upload.c and static.c. Never installed. */
#ifndef SWIRL_HTTP_INTERNAL_H
#define SWIRL_HTTP_INTERNAL_H

#include <swirl/http.h>
#include <swirl/protocol.h>
#include <time.h>

#include "../server/internal.h"
#include "settings.h"

/* P_STREAM: a multipart body being parsed as it arrives (upload.c) */
/* P_UPGRADED: the connection speaks another protocol now (WebSocket) */
enum { P_HEAD, P_BODY, P_CHUNKED, P_STREAM, P_BUSY, P_CLOSED, P_UPGRADED };

typedef struct http_upload http_upload_t;

typedef struct http_conn {
    struct http_conn *next; /* hash chain */
    swirl_http_server_t *hs;
    int64_t fd;
    swirl_buf_t in;   /* bytes not yet handled; a request starts at its front */
    size_t scan;      /* swirl_http_head_end's resume point */
    int phase;        /* P_* */
    size_t head_len;  /* the current request's head */
    uint64_t body_left;
    size_t raw_off;   /* chunked: next undecoded byte; decoded body at head_len.. */
    size_t body_len;
    swirl_http_chunked_t ck;
    bool keep_alive;
    bool continue_sent;
    bool body_unsent;              /* refused before a 100 Continue: no body is coming */
    bool want_owned;               /* stopped at a chunked request outside the buffer */
    bool paused;                   /* reading paused: too much held behind a pending response */
    bool peer_eof;                 /* the client finished sending: answer what came, then close */
    bool close_asked;              /* swirl_server_close was called: no further request */
    bool held;                     /* the next request waits for the answers owed to drain */
    unsigned files_ahead;          /* files answered since the answers last drained */
    int64_t timer;                 /* head timeout, or linger (0: none) */
    uint64_t head_since;           /* loop ms when the wait for the current head began */
    uint64_t rx_ms;                /* loop ms of the last bytes received */
    http_upload_t *up;             /* P_STREAM: the body's parser and what it made */
    void *up_state;                /* P_UPGRADED: the protocol's state for this connection */
    bool stream_chunked;           /* P_STREAM: the body is chunked (ck decodes it) */
    struct swirl_http_resp *resp;  /* the response being answered (P_BUSY) */
    int proto;                     /* SWIRL__HTTP_PROTO_* of its listener */
} http_conn_t;

/* What a listener of an HTTP server speaks (swirl__http_port_protocols):
 * HTTP, and WebSocket upgrades on top; neither: plain bytes for the
 * application's receive (or packet) callbacks. */
enum { SWIRL__HTTP_PROTO_HTTP = SWIRL_HTTP_PROTO_HTTP, SWIRL__HTTP_PROTO_WS = SWIRL_HTTP_PROTO_WS };

typedef struct {
    swirl_http_param_t *fields; /* one allocation with the strings */
    size_t count;
    bool parsed;
} swirl_http_params_t;

struct swirl_http_req {
    swirl_http_server_t *hs;
    int64_t fd;
    swirl_http_request_t p;
    const char *head;
    const char *body;
    size_t body_len;
    char *path, *query; /* NUL-terminated copies, made when asked for */
    double time;
    swirl_http_params_t params[3]; /* by swirl_http_param_kind_t, parsed when asked for */
    const swirl_http_file_t *files; /* multipart uploads (owned by the upload) */
    size_t nfiles;
    int remote; /* 0 not looked up, 1 known, -1 gone */
    int remote_port;
    char remote_ip[64];
    struct { /* hs NULL: a request of a swirl_http_parser_t, with its rules */
        bool parse_post, parse_cookie;
        swirl_http_fields_t fields;
        size_t body_max;
    } own;
};

struct swirl_http_resp {
    swirl_http_server_t *hs;
    http_conn_t *c; /* NULL once the connection is gone */
    int64_t fd;
    int status;
    char reason[64];
    swirl_buf_t headers;  /* user lines: "Name: value\r\n"... */
    unsigned user_set;    /* H_* set by the user */
    bool head_sent, finished, detached, chunked;
    bool head_only; /* a HEAD request: no body bytes */
    bool in_dispatch; /* the request callback is running */
    bool keep_alive;
    bool keep_alive_asked; /* what the request asked for (keep_alive before user headers) */
    bool http10;
    bool remote;          /* swirl_http_resp_remote: no request or connection state here */
    bool gzip_ok;         /* the client accepts gzip */
    int8_t compress;      /* swirl_http_resp_compress: -1 the settings', 0 off, 1..9 a level */
    int64_t length;       /* the Content-Length the user set, or -1 */
    uint64_t sent;        /* body bytes given so far (checked against length) */
    char ctype[96];       /* the Content-Type the user set ("" = text/html) */
};

enum { H_CONTENT_LENGTH = 1, H_CONTENT_TYPE = 2, H_DATE = 4, H_SERVER = 8, H_CONNECTION = 16,
       H_TRANSFER_ENCODING = 32, H_CONTENT_ENCODING = 64, H_VARY = 128 };

/* A protocol that takes connections over after an Upgrade request
 * (src/websocket/ sets it). */
typedef struct swirl__http_upgrade {
    /* A request with Connection: upgrade and Upgrade: answer it with resp.
     * True when it took the connection (swirl__http_switch, then the 101
     * ended); false to go on as a plain request. */
    bool (*request)(void *user, swirl_http_req_t *req, swirl_http_resp_t *resp);
    /* Bytes for a switched connection; *state is what switch stored. */
    void (*data)(void *user, int64_t fd, void **state, const char *p, size_t n);
    /* A switched connection is gone (closed, or the worker stops): free *state. */
    void (*gone)(void *user, int64_t fd, void **state);
    void *user;
    /* A new connection (its connect event, in its worker); may be NULL. */
    void (*opened)(void *user, int64_t fd);
} swirl__http_upgrade_t;

struct swirl_http_server {
    swirl_server_t *srv;
    const swirl__http_settings_t *conf; /* our settings, in the server's (http/settings.h) */
    swirl_http_handler handler;
    void *user;
    swirl_server_cb on_connect, on_close, on_worker_start, on_worker_stop;
    swirl__http_upgrade_t upgrade; /* request NULL: none */
    /* conn.c calls up only through these (set by swirl_http_server_new):
     * parse what `c` has buffered (server.c), and answer `status` then
     * close (swirl__http_reject, response.c) */
    void (*resume)(swirl_http_server_t *hs, http_conn_t *c);
    void (*reject)(swirl_http_server_t *hs, http_conn_t *c, int status, const char *why);
    void *on_connect_user, *on_close_user, *on_worker_start_user, *on_worker_stop_user;
    swirl_server_cb on_buffer_empty, on_worker_exit;
    void *on_buffer_empty_user, *on_worker_exit_user;
    swirl_server_cb on_receive; /* the bytes of listeners that do not speak HTTP */
    void *on_receive_user;
    swirl_http_fields_t fields; /* swirl_http_server_fields */
    /* per worker (each process has its own copy after fork) */
    http_conn_t **buckets;
    size_t nbuckets, nconns;
    swirl_http_header_t *hdrs; /* scratch for parsing, http_max_headers */
    swirl_buf_t out;           /* scratch for building responses */
    swirl_buf_t batch;         /* responses made in one parse pass, sent with one send */
    swirl_buf_t gz;            /* scratch for compressed bodies */
    swirl_buf_t scratch;       /* decoded chunks of a streamed body */
    int64_t batch_fd;          /* the connection batching (0: none) */
    char date[40];             /* "Date: ...\r\n" for date_at */
    size_t date_len;
    struct swirl_http_resp *spare; /* a finished response kept for reuse */
    char root_real[4096];      /* document_root with symlinks resolved ("" until needed) */
    int root_fd;               /* document_root opened (O_PATH) in this worker; -1 not yet */
    time_t date_at;
};

/* request.c: free what the request's accessors made */
void swirl__http_req_release(swirl_http_req_t *req);

/* upload.c: a multipart body parsed while it arrives. new: for the request
 * r whose head is head[0..head_len) (copied); SWIRL_EPROTO with the reason
 * for a bad Content-Type. feed: 0 or a negative code with the reason.
 * attach: hand the fields and files to req (before the handler). free:
 * removes the temp files. */
int swirl__http_upload_new(http_upload_t **out, swirl_http_server_t *hs,
                           const swirl_http_request_t *r, const char *head, size_t head_len);
int swirl__http_upload_feed(http_upload_t *u, const char *p, size_t n);
bool swirl__http_upload_complete(const http_upload_t *u);
const char *swirl__http_upload_head(const http_upload_t *u);
int swirl__http_upload_attach(http_upload_t *u, swirl_http_req_t *req);
void swirl__http_upload_free(http_upload_t *u);
/* Remove the upload temp files in upload_tmp_dir left by a writer that is
 * gone, of the server whose master is `master` or of one that is gone;
 * returns how many. */
int swirl__http_upload_sweep(swirl_http_server_t *hs, pid_t master);

/* headers.c: the status and headers the user sets */
/* 0, or the error of `what` on a NULL or finished response. */
int swirl__http_resp_usable(swirl_http_resp_t *resp, const char *what);
/* The H_* bit of a header name (n bytes, any case), or 0. */
unsigned swirl__http_known_header(const char *name, size_t n);
/* Before the head is built: 0, or the error of `what` (about header `name`,
 * or NULL) on a finished response or one whose head is sent. */
int swirl__http_head_open(swirl_http_resp_t *resp, const char *what, const char *name);

/* response.c */
swirl_http_resp_t *swirl__http_resp_new(swirl_http_server_t *hs, http_conn_t *c,
                                        const swirl_http_request_t *p);
void swirl__http_resp_free(swirl_http_resp_t *resp);
/* Send what the parse pass of batch_fd queued (before anything else goes
 * to that connection). */
int swirl__http_flush_batch(swirl_http_server_t *hs);
/* Answer `status` with a short text body and close the connection. */
void swirl__http_reject(swirl_http_server_t *hs, http_conn_t *c, int status, const char *why);

/* ---- parse.c: the parse loop ---- */
/* Bytes of the receive event for `c`: parsed where they are when nothing
 * is buffered, the rest kept. */
void swirl__http_feed(swirl_http_server_t *hs, http_conn_t *c, const char *data, size_t len);
/* Go on with what `c` has buffered (after a response ended, or a resume);
 * hs->resume. */
void swirl__http_consume_buffered(swirl_http_server_t *hs, http_conn_t *c);

/* ---- conn.c: the connections (below the parse loop and the responses) ---- */
/* The connection `fd` of this worker, or NULL. */
http_conn_t *swirl__http_conn_find(swirl_http_server_t *hs, int64_t fd);
/* Add `fd` (its head timer armed); NULL out of memory. */
http_conn_t *swirl__http_conn_add(swirl_http_server_t *hs, int64_t fd);
/* Forget `fd`: its timer, upload and upgraded state go with it. */
void swirl__http_conn_remove(swirl_http_server_t *hs, int64_t fd);
/* After this loop round: close `fd` (close_it), or go on with what it has
 * buffered (resume reading, parse through hs->resume). */
void swirl__http_later(swirl_http_server_t *hs, int64_t fd, bool close_it);
/* Hand what a switched connection has buffered to its protocol. */
void swirl__http_upgraded_rest(swirl_http_server_t *hs, http_conn_t *c);
/* The response of `c` finished: go on with the connection (`in_loop`: the
 * parse loop is running and goes on by itself). */
void swirl__http_done(swirl_http_server_t *hs, http_conn_t *c, bool keep_alive, bool in_loop);
/* Stop handling `c`, drop what it still sends, close it after a while
 * (after a refusal of a body the client is still sending). */
void swirl__http_linger(swirl_http_server_t *hs, http_conn_t *c);
/* Stop handling `c` and close it once what is queued is sent. */
void swirl__http_close_later(swirl_http_server_t *hs, http_conn_t *c);
const char *swirl__http_date(swirl_http_server_t *hs);

/* response.c: the head with Content-Length n, then n bytes of the open
 * regular `file` of `size` bytes from offset (taken: closed on every path; `path` names it, and
 * is opened again when another process sends it). */
int swirl__http_resp_sendfile_fd(swirl_http_resp_t *resp, int file, int64_t size,
                                 const char *path, int64_t offset, int64_t n);

/* Switch the connection of resp (in the upgrade request hook) to the
 * upgraded protocol with `state`; end the 101 after. Returns -1 when the
 * connection is gone. */
int swirl__http_switch(swirl_http_resp_t *resp, void *state);

/* The upgraded protocol's state of connection fd in this worker, or NULL
 * (gone, not upgraded, or owned by another worker). */
void *swirl__http_upgraded_state(swirl_http_server_t *hs, int64_t fd);

/* static.c: serve req from document_root if it names a file there; true if
 * it answered. */
bool swirl__http_static(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp);

#endif
