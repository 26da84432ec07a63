/* swirl/ws_client.h — a WebSocket client (RFC 6455) on an event loop:
 * ws:// and wss:// URLs, the opening handshake checked in full,
 * subprotocols, permessage-deflate (RFC 7692), fragmented messages,
 * pings, and the close handshake. The connection is an async
 * swirl_client_t (swirl/client.h); the frames are the protocol layer's.
 *
 * Life of a client: swirl_ws_client_new (checks the URL and the options:
 * an error is returned, no callback runs), swirl_ws_client_connect, then
 * callbacks. Exactly one of these ends it:
 * - the connect, TLS or opening handshake fails: on_error(status), nothing
 *   after;
 * - an open connection ends: on_close(code, reason, clean), once. When it
 *   ended by a fault (the server broke the protocol, went away without a
 *   close frame, did not answer our close in time, a read or write
 *   failed), on_error(status) names it first.
 * Freeing the client before that gives the same last callback at once: a
 * connecting client on_error(-ECANCELED), an open one on_close(1006, ...,
 * false) (after a best-effort close frame 1001). After the last callback
 * the client stays valid (for its error message, its protocol) until
 * swirl_ws_client_free. */
#ifndef SWIRL_WS_CLIENT_H
#define SWIRL_WS_CLIENT_H

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

/* A WebSocket client connection. */
typedef struct swirl_ws_client swirl_ws_client_t;

/* Options; swirl_ws_client_options_init fills the defaults. Strings and
 * lists are copied by swirl_ws_client_new. */
typedef struct swirl_ws_client_options {
    double timeout;       /* seconds for connect + TLS + opening handshake (5) */
    double close_timeout; /* seconds the server has to answer our close frame (5) */
    size_t max_message;   /* largest message received, after inflating (16 MiB) */
    /* extra request headers: "Name", "value", ..., NULL. Host may be
     * replaced; Upgrade, Connection and Sec-WebSocket-* are the client's. */
    const char *const *headers;
    /* subprotocols offered (tokens), NULL-terminated; NULL: none */
    const char *const *subprotocols;
    /* permessage-deflate: offered when `deflate` (false) */
    bool deflate;
    int client_max_window_bits;      /* -1 not offered, 0 offered without a value (0), 8..15 */
    int server_max_window_bits;      /* 0 not asked (0), 8..15 asked */
    bool client_no_context_takeover; /* offered (false) */
    bool server_no_context_takeover; /* asked (false) */
    int compression_level;           /* zlib level 1..9 (1) */
    size_t compression_min_length;   /* shorter messages go plain (64) */
    /* wss:// */
    bool verify_peer;      /* check the server's chain and name (true) */
    const char *ca_file;   /* trusted CAs (PEM); NULL: the system store */
    const char *host_name; /* SNI and the name checked; NULL: the URL's host */
} swirl_ws_client_options_t;

/* The callbacks. Each gets the client first and the user pointer; each
 * may call send, ping, close or free on its client. */
typedef struct swirl_ws_client_callbacks {
    /* the handshake succeeded: messages may be sent */
    void (*on_open)(swirl_ws_client_t *c, void *user);
    /* a whole message (SWIRL_WS_TEXT, checked UTF-8, or SWIRL_WS_BINARY;
     * fragments reassembled, inflated), or a control frame's payload:
     * SWIRL_WS_PING (already answered with a pong) or SWIRL_WS_PONG. `data`
     * is valid during the call only. Required. */
    void (*on_message)(swirl_ws_client_t *c, void *user, int opcode, const char *data, size_t len);
    /* the connection ended (see the file's comment): `code` is the server's
     * close code (1005 for a close without one), or the code we sent when
     * we failed the connection, or 1006 when it broke without a close
     * handshake; `clean` when both close frames were exchanged. */
    void (*on_close)(swirl_ws_client_t *c, void *user, int code, const char *reason,
                     size_t reason_len, bool clean);
    /* a failure, swirl_ws_client_errmsg() names it. Required. */
    void (*on_error)(swirl_ws_client_t *c, void *user, int status);
} swirl_ws_client_callbacks_t;

/* The client's state. */
typedef enum {
    SWIRL_WS_CLIENT_IDLE = 0,   /* made, not connecting yet */
    SWIRL_WS_CLIENT_CONNECTING, /* connect, TLS or the opening handshake */
    SWIRL_WS_CLIENT_OPEN,
    SWIRL_WS_CLIENT_CLOSING, /* a close frame was sent or received */
    SWIRL_WS_CLIENT_CLOSED,  /* the last callback has run */
} swirl_ws_client_state_t;

/* Fill `o` with the defaults above. */
SWIRL_API void swirl_ws_client_options_init(swirl_ws_client_options_t *o);

/* Make a client for `url` on `loop` (options NULL: the defaults; `cbs`
 * copied). The URL is parsed strictly: ws:// or wss://, a host name, an
 * IPv4 address or a bracketed IPv6 one, an optional port 1..65535, a path
 * and query of visible ASCII (%XX escapes well formed); no user info, no
 * fragment. Returns 0 and *out, or SWIRL_EBADADDR naming the URL's fault,
 * SWIRL_EBADARG naming a bad option or missing callback, -ENOMEM. */
SWIRL_API int swirl_ws_client_new(swirl_ws_client_t **out, swirl_loop_t *loop, const char *url,
                                  const swirl_ws_client_options_t *opts,
                                  const swirl_ws_client_callbacks_t *cbs, void *user);

/* Start connecting (a client connects once). Returns 0 (then callbacks
 * report), or a negative code (no callback runs): SWIRL_ESTATE when already
 * started, a code from swirl_client_new/connect for a refused socket. */
SWIRL_API int swirl_ws_client_connect(swirl_ws_client_t *c);

/* Send a whole message: SWIRL_WS_TEXT (must be UTF-8) or SWIRL_WS_BINARY,
 * compressed when permessage-deflate was agreed and it is at least
 * compression_min_length bytes. Returns 0, SWIRL_ESTATE when not open (or
 * while a fragmented message is being sent), SWIRL_EBADARG (opcode, text
 * not UTF-8), SWIRL_EBUFFULL when the send buffer is full, -ENOMEM. */
SWIRL_API int swirl_ws_client_send(swirl_ws_client_t *c, int opcode, const void *data, size_t len);

/* Send one frame as it is (never compressed): a fragment of a message
 * (SWIRL_WS_TEXT/BINARY to start, SWIRL_WS_CONTINUATION to go on, `fin`
 * on the last) or a control frame (ping, pong; close: use
 * swirl_ws_client_close). Returns 0, SWIRL_EBADARG for a frame that may
 * not be sent (swirl_ws_frame_check; a continuation without a message,
 * a new message inside one), SWIRL_ESTATE, SWIRL_EBUFFULL. */
SWIRL_API int swirl_ws_client_send_frame(swirl_ws_client_t *c, int opcode, bool fin,
                                         const void *data, size_t len);

/* Send a ping with data[0..len) (at most 125 bytes); the server's pong
 * comes to on_message as SWIRL_WS_PONG. 0 or as send_frame. */
SWIRL_API int swirl_ws_client_ping(swirl_ws_client_t *c, const void *data, size_t len);

/* Start the close handshake: a close frame with `code` (0: none) and
 * `reason` (NULL: none; at most 123 bytes of UTF-8). The server has
 * close_timeout seconds to answer; on_close follows (clean when it did).
 * Messages that arrive meanwhile are still delivered. Returns 0,
 * SWIRL_EBADARG (swirl_ws_close_check), SWIRL_ESTATE when not open. A
 * connecting client is not closed this way: free it. */
SWIRL_API int swirl_ws_client_close(swirl_ws_client_t *c, int code, const char *reason);

/* Free the client (see the file's comment for the last callback a live
 * one gets). Safe inside its own callbacks: the memory goes once they
 * return. NULL is a no-op. */
SWIRL_API void swirl_ws_client_free(swirl_ws_client_t *c);

/* The state. */
SWIRL_API swirl_ws_client_state_t swirl_ws_client_state(const swirl_ws_client_t *c);

/* The subprotocol the server chose ("" for none), once open. */
SWIRL_API const char *swirl_ws_client_protocol(const swirl_ws_client_t *c);

/* The Sec-WebSocket-Extensions the server answered ("" for none), and
 * whether permessage-deflate is in effect. */
SWIRL_API const char *swirl_ws_client_extensions(const swirl_ws_client_t *c);
SWIRL_API bool swirl_ws_client_deflate(const swirl_ws_client_t *c);

/* The server's answer to the opening request, once its head came and
 * parsed, whether the handshake then succeeded or not (a 101, a refusal
 * such as 403, a 101 with a wrong accept key): returns its status and sets
 * *headers / *n (either may be NULL) to its headers, as sent, valid until
 * the client is freed. Returns 0 (*headers NULL, *n 0) when no head came
 * or it did not parse. */
SWIRL_API int swirl_ws_client_response(const swirl_ws_client_t *c,
                                       const swirl_http_header_t **headers, size_t *n);

/* The last failure (0 / "" when none), kept until the client is freed. */
SWIRL_API int swirl_ws_client_errcode(const swirl_ws_client_t *c);
SWIRL_API const char *swirl_ws_client_errmsg(const swirl_ws_client_t *c);

#ifdef __cplusplus
}
#endif
#endif
