/* src/websocket/internal.h — what server.c, handshake.c and deflate.c
 * share. Never installed. */
#ifndef SWIRL_WEBSOCKET_INTERNAL_H
#define SWIRL_WEBSOCKET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <swirl/core.h>
#include <swirl/protocol.h>
#include <zlib.h>

#include "../http/internal.h"
#include "settings.h"
#include <swirl/websocket.h>

/* A permessage-deflate agreement. */
typedef struct swirl__ws_deflate {
    int server_bits;        /* our window (9..15) */
    bool client_no_context; /* the client resets its context every message */
} swirl__ws_deflate_t;

/* Pick the first offer of a Sec-WebSocket-Extensions value v[0..n) that
 * can be honoured: true with *out and the answer's value in answer. */
bool swirl__ws_deflate_negotiate(const char *v, size_t n, swirl__ws_deflate_t *out, char *answer,
                                 size_t size);

/* Compress one whole message in[0..n) into out (appended), as a message
 * on its own (the stream is reset; *z_bits: the window the stream has, 0
 * when not made yet). The 00 00 ff ff tail is left off. */
int swirl__ws_compress(z_stream *z, int *z_bits, int bits, int level, const void *in, size_t n,
                       swirl_buf_t *out);

/* Inflate in[0..n) of a compressed message into out (appended), checking
 * the total against max (SWIRL_ETOOBIG) and, for text, UTF-8 as it comes
 * (SWIRL_EBADARG); SWIRL_EPROTO for bad deflate data. */
int swirl__ws_inflate(z_stream *z, const void *in, size_t n, swirl_buf_t *out, size_t max,
                      swirl_utf8_t *utf8);
/* The message ended: feed the tail RFC 7692 leaves off; reset the
 * stream when the client does not keep its context. */
int swirl__ws_inflate_end_message(z_stream *z, swirl_buf_t *out, size_t max, swirl_utf8_t *utf8,
                                  bool reset);

/* A WebSocket server (swirl_ws_server_new): its HTTP server, callbacks,
 * and what each process keeps for sending and for pings. */
struct swirl_ws_server {
    swirl_http_server_t *hs;
    const swirl__ws_settings_t *conf; /* our settings, in the server's (websocket/settings.h) */
    swirl_ws_open_cb on_open;
    void *open_user;
    swirl_ws_message_cb on_message;
    void *message_user;
    swirl_ws_handshake_cb on_handshake;
    void *handshake_user;
    struct ws_port_handshake { /* swirl_ws_port_on_handshake, by port index */
        swirl_ws_handshake_cb cb;
        void *user;
    } *port_hs;
    int nport_hs;
    swirl_ws_handshake_cb before_response; /* swirl_ws_on_before_response */
    void *before_response_user;
    swirl_buf_t out; /* frames built by push (per process) */
    /* permessage-deflate, per process: one stream for every message sent
     * (server_no_context_takeover), and scratch for unmasked input */
    z_stream deflater;
    int deflater_bits;
    swirl_buf_t zout, scratch;
    /* this process's connections, for the ping timer */
    struct ws_conn *conns;
    int64_t ping_timer;
    /* handshake.c calls server.c only through this (set by
     * swirl_ws_server_new): a connection just established joins the
     * list for pings */
    void (*track)(swirl_ws_server_t *ws, struct ws_conn *c);
};

/* A WebSocket connection's state in the worker that owns it: the HTTP
 * layer's upgraded state (swirl__http_switch). */
typedef struct ws_conn {
    swirl_ws_server_t *ws;
    struct ws_conn *prev, *next; /* ws->conns */
    int64_t fd;
    uint64_t last_rx; /* loop ms of the last bytes from the client */
    uint8_t hdr[SWIRL_WS_HEADER_MAX];
    size_t hdr_len;      /* header bytes gathered */
    bool in_frame;       /* reading a payload */
    swirl_ws_header_t h; /* its header */
    uint64_t got;        /* payload bytes read */
    uint8_t ctrl[SWIRL_WS_CONTROL_MAX];
    swirl_buf_t msg;   /* the data message being built */
    int msg_opcode;    /* its opcode; 0 when none is open */
    swirl_utf8_t utf8; /* its text so far */
    bool done;         /* failed or closed: the rest is ignored */
    bool pending;      /* switched for a handshake callback that has not answered */
    bool peer_closed;  /* the client's close was delivered to the message callback */
    int64_t close_timer;
    bool deflate;           /* permessage-deflate agreed */
    bool client_no_context; /* ... and the client resets its context every message */
    bool compressed;        /* the message being read is compressed (RSV1) */
    z_stream inflater;      /* kept across messages (client context takeover) */
} ws_conn_t;

/* Our names for the connection slot's per-protocol area: the status
 * (SWIRL_WS_STATUS_*: CONNECTION is 1 and holds no state in a process, as
 * the server expects) and the window bits of an agreed permessage-deflate
 * (0: none). */
enum { SLOT_STATUS = SWIRL__CONN_PROTO_STATUS, SLOT_DEFLATE_BITS = 1 };
_Static_assert((int)SLOT_DEFLATE_BITS < (int)SWIRL__CONN_PROTO_SLOTS,
               "the server's area has the slot");
_Static_assert((int)SWIRL_WS_STATUS_CONNECTION == 1, "CONNECTION holds no state in a process");

/* Set connection fd's status (SWIRL_WS_STATUS_*) in the shared table. */
static inline void swirl__ws_set_status(swirl_ws_server_t *ws, int64_t fd, int st) {
    swirl__conn_t *c = swirl__conn_get(ws->hs->srv, fd);
    if (c)
        atomic_store(&c->proto[SLOT_STATUS], st);
}

/* Connection fd's state in this worker, or NULL. */
static inline ws_conn_t *swirl__ws_state(swirl_ws_server_t *ws, int64_t fd) {
    return swirl__http_upgraded_state(ws->hs, fd);
}

/* The HTTP server's upgrade hook (handshake.c): an `Upgrade: websocket`
 * request is answered by the handshake; false for any other upgrade. */
bool swirl__ws_on_upgrade(void *user, swirl_http_req_t *req, swirl_http_resp_t *resp);

#endif
