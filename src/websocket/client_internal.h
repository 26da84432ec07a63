/* src/websocket/client_internal.h — what the WebSocket client's files
 * share: client.c (the object, frames, the close handshake) calls
 * client_handshake.c (the URL, the request, the check of the 101), which
 * calls nothing back. Never installed. */
#ifndef SWIRL_WEBSOCKET_CLIENT_INTERNAL_H
#define SWIRL_WEBSOCKET_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <swirl/core.h>
#include <swirl/protocol.h>
#include <swirl/ws_client.h>

#define SWIRL__WSC_HEAD_MAX 16384 /* the server's 101 head, at most */
#define SWIRL__WSC_HEADERS_MAX 64

/* A parsed ws:// or wss:// URL (strings owned). */
typedef struct swirl__wsc_url {
    bool tls;
    bool v6;           /* the host is an IPv6 address */
    char *host;        /* to connect to (no brackets) */
    int port;          /* 80 / 443 unless given */
    char *host_header; /* "host[:port]" as the Host header says it */
    char *target;      /* path and query, at least "/" */
} swirl__wsc_url_t;

/* Parse `url` strictly (see swirl_ws_client_new). 0, SWIRL_EBADADDR naming
 * the fault, -ENOMEM. */
int swirl__wsc_url_parse(const char *url, swirl__wsc_url_t *u);
void swirl__wsc_url_free(swirl__wsc_url_t *u);

/* Check the extra headers and the subprotocols of the options: 0 or
 * SWIRL_EBADARG naming the bad one. */
int swirl__wsc_check_options(const swirl_ws_client_options_t *o);

/* A fresh Sec-WebSocket-Key (24 characters + NUL) and its expected
 * Sec-WebSocket-Accept (28 + NUL). 0 or SWIRL_EPROTO (no randomness). */
int swirl__wsc_make_key(char key[25], char accept[29]);

/* The opening request for `u` into out. `headers` and `protocols` as in
 * the options (NULL-terminated). */
int swirl__wsc_request(swirl_buf_t *out, const swirl__wsc_url_t *u, const char *key,
                       const char *const *headers, const char *const *protocols,
                       const swirl_ws_client_options_t *o);

/* What the server's 101 agreed to. */
typedef struct swirl__wsc_agreed {
    char protocol[256];   /* the subprotocol, "" for none */
    char extensions[512]; /* Sec-WebSocket-Extensions as answered (cut to fit) */
    bool deflate;
    bool server_no_context; /* the server resets its context every message */
    bool client_no_context; /* ... and so must we (we always do) */
    int client_bits;        /* our window (8..15) */
} swirl__wsc_agreed_t;

/* Check the server's answer head[0..len) (the whole head) against what we
 * asked: 101, Upgrade, Connection, the accept key, the subprotocol, the
 * extensions. 0 with *a, or SWIRL_EPROTO naming the fault (the last
 * error's message). */
int swirl__wsc_check_response(const char *head, size_t len, const char *accept,
                              const char *const *protocols, const swirl_ws_client_options_t *o,
                              swirl__wsc_agreed_t *a);

#endif
