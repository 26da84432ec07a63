/* swirl/websocket.h — a WebSocket server (RFC 6455) on top of the HTTP
 * server, in BASE and PROCESS mode: it still answers plain HTTP requests
 * (swirl_http_server_on_request on swirl_ws_server_http()).
 *
 * Events, all in the worker that owns the connection:
 * - handshake (optional, swirl_ws_on_handshake): the user answers the
 *   upgrade request; swirl_ws_handshake() does the standard answer, or
 *   the callback writes its own 101 (see swirl_ws_handshake_cb). When it
 *   is set, open is not called.
 * - open (swirl_ws_on_open): the handshake succeeded.
 * - message (swirl_ws_on_message, required): a whole message (fragments
 *   reassembled), or a control frame the user asked for
 *   (open_websocket_close_frame / _ping_frame / _pong_frame). A ping
 *   delivered is not answered by the server. A close delivered may be
 *   answered by the callback with swirl_ws_disconnect (its code and
 *   reason); otherwise it is answered after the callback with the
 *   client's code. Either way the connection then ends.
 * - close: the server's "close" event (swirl_http_server_on(..., "close")),
 *   for every connection.
 *
 * What arrives is checked: client frames must be masked (else close 1002),
 * RSV bits and reserved opcodes fail the connection (1002), control frames
 * are at most 125 bytes and never fragmented (1002), text is UTF-8, checked
 * as it arrives, also across fragments (1007), a message larger than
 * package_max_length closes with 1009 (after inflating, for a compressed
 * one). A ping is answered with a pong carrying its payload; a close is
 * answered with the same code and the connection closed.
 *
 * With websocket_compression on, permessage-deflate (RFC 7692) is agreed
 * when the client offers it: messages from the client may be compressed,
 * and whole messages pushed from compression_min_length bytes on are
 * compressed, each on its own (server_no_context_takeover). */
#ifndef SWIRL_WEBSOCKET_H
#define SWIRL_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/http.h>
#include <swirl/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A WebSocket server over an HTTP server. */
typedef struct swirl_ws_server swirl_ws_server_t;

/* websocket_status of a connection (swirl_conn_info_t, swirl_ws_status),
 * Swoole's values. */
enum {
    SWIRL_WS_STATUS_CONNECTION = 1, /* connected, no upgrade asked for yet */
    SWIRL_WS_STATUS_HANDSHAKE = 2,  /* upgrade requested, not answered yet */
    SWIRL_WS_STATUS_ACTIVE = 3,     /* frames flow */
    SWIRL_WS_STATUS_CLOSING = 4,    /* a close frame was sent or received */
};

/* A message or control frame given to the message callback. data is
 * valid during the callback only. */
typedef struct swirl_ws_frame {
    int64_t fd;
    const char *data;
    size_t len;
    int opcode;         /* SWIRL_WS_TEXT, _BINARY, or _CLOSE/_PING/_PONG when asked for */
    bool finish;        /* always true: messages are reassembled */
    int code;           /* a close frame: its code (1005 when it had none) */
    const char *reason; /* a close frame: its reason (data + 2), reason_len bytes */
    size_t reason_len;
} swirl_ws_frame_t;

/* A connection is established (its upgrade request is `req`), and a
 * message (or a control frame when asked for) arrived whole. */
typedef void (*swirl_ws_open_cb)(swirl_ws_server_t *ws, swirl_http_req_t *req, void *user);
typedef void (*swirl_ws_message_cb)(swirl_ws_server_t *ws, const swirl_ws_frame_t *frame,
                                    void *user);
/* Answer the upgrade request with resp, before returning: either
 * swirl_ws_handshake() for the standard answer (after the user's own
 * checks), or the callback's own 101 (swirl_http_resp_status 101, the
 * Upgrade, Connection and Sec-WebSocket-Accept headers, then
 * swirl_http_resp_end), or any refusal. A 101 ended with the
 * Sec-WebSocket-Accept that matches the request's key establishes the
 * connection when the callback returns (no extension is agreed then: a
 * push from the callback itself is refused until it has returned). Any
 * other answer ends the connection after it is sent: a refusal, a 101
 * with a wrong or missing accept key (logged), a response left open (500,
 * logged) or detached (logged: it cannot be waited for). */
typedef void (*swirl_ws_handshake_cb)(swirl_ws_server_t *ws, swirl_http_req_t *req,
                                      swirl_http_resp_t *resp, void *user);

/* A WebSocket server on host:port in `mode` (as swirl_http_server_new;
 * | SWIRL_SOCK_SSL for WSS).
 * 0 or a negative code (nothing made). */
SWIRL_API int swirl_ws_server_new(swirl_ws_server_t **out, const char *host, int port, int mode);
/* Free it (after start returned, or if it was never started). */
SWIRL_API void swirl_ws_server_free(swirl_ws_server_t *ws);
/* The HTTP server underneath (plain requests, settings, other events) and
 * the TCP server under that. Owned by ws. */
SWIRL_API swirl_http_server_t *swirl_ws_server_http(swirl_ws_server_t *ws);
SWIRL_API swirl_server_t *swirl_ws_server_base(swirl_ws_server_t *ws);

/* Set the callbacks (a message callback is required before start). */
SWIRL_API int swirl_ws_on_open(swirl_ws_server_t *ws, swirl_ws_open_cb cb, void *user);
SWIRL_API int swirl_ws_on_message(swirl_ws_server_t *ws, swirl_ws_message_cb cb, void *user);
SWIRL_API int swirl_ws_on_handshake(swirl_ws_server_t *ws, swirl_ws_handshake_cb cb, void *user);
/* The handshake callback of the connections of one listener (it goes
 * before the server's; NULL removes it). */
SWIRL_API int swirl_ws_port_on_handshake(swirl_ws_server_t *ws, const swirl_port_t *port,
                                         swirl_ws_handshake_cb cb, void *user);
/* Called by swirl_ws_handshake just before it sends its 101 (the standard
 * headers are set): the callback may add headers to resp
 * (swirl_http_resp_header) or change nothing. If it ends resp itself or
 * closes the connection, the handshake fails and the connection is
 * closed. (Swoole's beforeHandshakeResponse event.) */
SWIRL_API int swirl_ws_on_before_response(swirl_ws_server_t *ws, swirl_ws_handshake_cb cb,
                                          void *user);

/* Run: blocks as swirl_server_start. SWIRL_ESTATE without a message
 * callback. Without an HTTP request handler, plain requests get 426
 * Upgrade Required. */
SWIRL_API int swirl_ws_server_start(swirl_ws_server_t *ws);

/* The standard handshake for req into resp: GET, HTTP/1.1, Upgrade:
 * websocket, Sec-WebSocket-Version 13 (else 426 naming it, with
 * Sec-WebSocket-Version: 13), a valid Sec-WebSocket-Key (else 400). The
 * first offered subprotocol in `protocols` (comma-separated, NULL: none)
 * is chosen. On success the 101 is sent and the connection is
 * established: 0. Otherwise the refusal is sent and the code returned. */
SWIRL_API int swirl_ws_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req,
                                 swirl_http_resp_t *resp, const char *protocols);

/* Send a frame to an established connection (from any worker): opcode
 * TEXT, BINARY, CONTINUATION (finish false for all but the last fragment)
 * or PING/PONG/CLOSE (payload at most 125 bytes). Text is not checked.
 * SWIRL_ECLOSED when the connection is gone, SWIRL_ESTATE when it is not
 * an established WebSocket, SWIRL_EBADARG for a bad opcode or size. */
SWIRL_API int swirl_ws_push(swirl_ws_server_t *ws, int64_t fd, const void *data, size_t len,
                            int opcode, bool finish);
/* Start the close handshake: a close frame with code (1000 when 0) and
 * reason (at most 123 bytes); the connection closes when the client
 * answers, or after 5 s. */
SWIRL_API int swirl_ws_disconnect(swirl_ws_server_t *ws, int64_t fd, int code, const char *reason);
/* The connection exists / is an established WebSocket. */
SWIRL_API bool swirl_ws_exist(swirl_ws_server_t *ws, int64_t fd);
SWIRL_API bool swirl_ws_is_established(swirl_ws_server_t *ws, int64_t fd);
/* Its websocket_status (SWIRL_WS_STATUS_*): CONNECTION from its connect
 * event until it asks to upgrade (plain HTTP requests keep it there; 0
 * before the connect event has run), SWIRL_ECLOSED when it is gone. */
SWIRL_API int swirl_ws_status(swirl_ws_server_t *ws, int64_t fd);

#ifdef __cplusplus
}
#endif
#endif
