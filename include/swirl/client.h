/* swirl/client.h — the TCP/UDP/Unix client (Swoole's swoole_client): blocking
 * calls with timeouts, or callbacks on an event loop; the server's framing
 * settings (one whole message per receive), TLS through OpenSSL, and a
 * per-process keep-alive pool. */
#ifndef SWIRL_CLIENT_H
#define SWIRL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <swirl/core.h>
#include <swirl/error.h>
#include <swirl/event.h>
#include <swirl/net.h>
#include <swirl/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A client connection (TCP, UDP, Unix, optionally TLS), synchronous or
 * driven by an event loop. */
typedef struct swirl_client swirl_client_t;

/* Flags OR-ed into the socket type of swirl_client_new, with Swoole's
 * values: SWIRL_SOCK_SSL (net.h, 512) for TLS over a stream socket, and: */
#define SWIRL_CLIENT_KEEP 4096 /* SWOOLE_KEEP: keep the connection in the per-process pool */

/* recv flags (the system's values; others are refused). */
#define SWIRL_CLIENT_MSG_PEEK MSG_PEEK         /* return the bytes but keep them */
#define SWIRL_CLIENT_MSG_WAITALL MSG_WAITALL   /* without framing: wait for exactly `size` bytes */
#define SWIRL_CLIENT_MSG_DONTWAIT MSG_DONTWAIT /* do not wait: -EAGAIN if nothing is there */

/* Default connect timeout in seconds (Swoole's connect() default). */
#define SWIRL_CLIENT_CONNECT_TIMEOUT_DEFAULT 0.5

/* Create a client. `sock_type` is a swirl_sock_type_t (TCP, TCP6, UDP, UDP6,
 * UNIX_STREAM, UNIX_DGRAM) optionally OR-ed with SWIRL_SOCK_SSL (stream
 * kinds only) and SWIRL_CLIENT_KEEP (blocking stream clients only). `async`
 * picks the event-loop mode (set the loop and callbacks with
 * swirl_client_set_callbacks before connect). `key` names the keep-alive
 * slot (copied; NULL: "host:port" at connect). Nothing is opened yet.
 * Returns 0 and *out, or SWIRL_EBADARG / SWIRL_ENOTSUP naming the bad type,
 * or -ENOMEM. */
SWIRL_API int swirl_client_new(swirl_client_t **out, int sock_type, bool async, const char *key);

/* Close (as swirl_client_close without force: a keep-alive connection goes
 * back to the pool) and free. Safe inside the client's own callbacks (the
 * memory is released once they return). NULL is a no-op. */
SWIRL_API void swirl_client_free(swirl_client_t *c);

/* ---- settings (before connect) -----------------------------------------------------------
 * The keys and their meanings (names as Swoole's):
 *   open_eof_check, open_eof_split (bool), package_eof (1..8 bytes, "\r\n"),
 *   open_length_check (bool), package_length_type (c C s S n N l L v V, "N"),
 *   package_length_offset, package_body_offset (0..65536, 0),
 *   package_max_length (bytes, 2M): as the server's (swirl/server.h), through the
 *     same framing module. With open_eof_check a message is what arrived up to
 *     a read ending in package_eof; with open_eof_split, one per package_eof.
 *   socket_buffer_size (bytes, 0 = system default): SO_RCVBUF/SO_SNDBUF, and the
 *     async write buffer's limit (2M when 0)
 *   open_tcp_nodelay (bool, false)
 *   bind_address (string), bind_port (0..65535): the local end
 *   timeout (seconds, sets the three below), connect_timeout (default: the
 *     connect argument, else 0.5), read_timeout, write_timeout (default: the
 *     connect timeout, as Swoole's SO_RCVTIMEO). A negative value waits forever.
 *     Read and write timeouts bound each wait for the socket, not a whole call.
 *   ssl_cert_file, ssl_key_file (PEM paths): a client certificate
 *   ssl_verify_peer (bool, true): check the server's certificate chain and name
 *   ssl_allow_self_signed (bool, false): accept a self-signed server certificate
 *   ssl_cafile, ssl_capath: trusted CAs (default: the system store)
 *   ssl_host_name: SNI and the name checked (default: the host given to connect)
 * An unknown key, a wrong type or a value out of range → SWIRL_ESETTING with a
 * message naming the key; after connect → SWIRL_ESTATE. Nothing changes on
 * failure. */

/* Set `key` from a value as the caller has it (C, PHP), converted per the
 * key's type as the server's swirl_server_set does: an integer key takes
 * an integer, an integral float or text ("4", "2M" for sizes); a bool key
 * a bool, 0 or 1, or text true/false/on/off/yes/no/1/0; a seconds key a
 * number or its text; a string key `len` bytes (NUL bytes only in
 * package_eof, taken as they are, without escapes). */
SWIRL_API int swirl_client_set(swirl_client_t *c, const char *key, swirl_value_t value);
/* Integer keys; a bool key takes 0 or 1; a seconds key takes whole seconds. */
SWIRL_API int swirl_client_set_int(swirl_client_t *c, const char *key, int64_t value);
/* Seconds keys; integer keys take integral values. */
SWIRL_API int swirl_client_set_float(swirl_client_t *c, const char *key, double value);
SWIRL_API int swirl_client_set_bool(swirl_client_t *c, const char *key, bool value);
/* Any key from text, converted per the key's type (as the server's
 * swirl_server_set_text: integers with an optional K/M/G suffix for sizes,
 * bools true/false/on/off/yes/no/1/0; strings as they are, C escapes \r \n
 * \t \\ \0 \xHH decoded in package_eof). */
SWIRL_API int swirl_client_set_text(swirl_client_t *c, const char *key, const char *text);

/* True if `c` is a stream client whose settings cut the stream into
 * messages (open_eof_check, open_eof_split or open_length_check on): then
 * a receive returns one whole message. */
SWIRL_API bool swirl_client_is_framed(const swirl_client_t *c);

/* ---- connecting ------------------------------------------------------------------------- */

/* Connect to host:port. `host` is an IP address, "localhost", or (TCP/UDP)
 * a name resolved with getaddrinfo; for Unix kinds a path ("@name": abstract)
 * and `port` is ignored. `timeout` in seconds: > 0 is this connect's timeout
 * (and the default read/write timeout), 0 uses connect_timeout; < 0 waits
 * forever. For UDP this only fixes the default peer.
 *
 * Blocking client: returns 0 once connected (TLS handshake done), or a
 * negative code with a message naming host and port: -ECONNREFUSED,
 * -ETIMEDOUT, SWIRL_EBADADDR (unresolvable name), SWIRL_EBADPORT,
 * SWIRL_EPROTO (TLS handshake or certificate, with OpenSSL's reason). A
 * keep-alive client first takes a live pooled connection for its key.
 *
 * Async client: returns 0 at once and reports through the callbacks
 * (connect, or error with the code: refused, timeout, unresolvable name,
 * TLS); returns a negative code (and calls no callback) only for bad input
 * (port, Unix path), a missing loop/callbacks, or when the loop refuses the
 * socket or a timer. Host names are resolved without blocking the loop
 * (swirl_dns_lookup); the timeout covers the lookup too. SWIRL_ESTATE if
 * already connected or connecting. */
SWIRL_API int swirl_client_connect(swirl_client_t *c, const char *host, int port, double timeout);

/* Send `len` bytes. Blocking: all of them (returns len) within
 * write_timeout per wait, or -ETIMEDOUT / -EPIPE / ... Async: buffered in the
 * loop (returns len) or SWIRL_EBUFFULL past socket_buffer_size. For datagram
 * kinds one datagram to the connected peer. SWIRL_ESTATE when not connected. */
SWIRL_API ssize_t swirl_client_send(swirl_client_t *c, const void *data, size_t len);

/* Blocking client only. Receive into buf[0..size):
 * - framing on (stream kinds): exactly one whole message; the bytes after
 *   it are kept for the next call. SWIRL_ETOOBIG if it does not fit `size`
 *   (it stays queued: use swirl_client_recv_buf), or if it is longer than
 *   package_max_length (then the connection is closed);
 * - no framing: what is there, up to size (MSG_WAITALL: exactly size unless
 *   the peer closes first);
 * - datagram kinds: one datagram (cut to size).
 * Returns the byte count, 0 when the peer closed the connection, or
 * -ETIMEDOUT (read_timeout), -EAGAIN (MSG_DONTWAIT), SWIRL_ESTATE (not
 * connected), SWIRL_EBADARG (unknown flag) or another negative code. */
SWIRL_API ssize_t swirl_client_recv(swirl_client_t *c, void *buf, size_t size, int flags);

/* As swirl_client_recv, but appends the message (or, without framing, what
 * is there) to `out`, so any size up to package_max_length fits. */
SWIRL_API ssize_t swirl_client_recv_buf(swirl_client_t *c, swirl_buf_t *out, int flags);

/* Datagram kinds: send one datagram to host:port (resolved as connect), on
 * the connected socket or on a new unconnected one. Returns len or a
 * negative code. SWIRL_ENOTSUP for stream kinds. */
SWIRL_API ssize_t swirl_client_sendto(swirl_client_t *c, const char *host, int port,
                                      const void *data, size_t len);

/* Stream client: send bytes [offset, offset+length) of the file at `path`
 * (length 0: to the end): sendfile(2) in plain blocking mode, buffered
 * reads over TLS; an async client queues the bytes in the loop (all of
 * them within socket_buffer_size, else SWIRL_EBUFFULL with the part that
 * fitted queued). Returns the bytes sent (queued) or a negative code
 * naming the path. */
SWIRL_API ssize_t swirl_client_sendfile(swirl_client_t *c, const char *path, off_t offset,
                                        size_t length);

/* Close the connection. A healthy keep-alive connection (no unread bytes)
 * goes back to the pool unless `force`. Async: the close callback runs
 * (before this returns) if the connection was established; safe inside any
 * of the client's callbacks. Returns 0, or SWIRL_ESTATE if not connected. */
SWIRL_API int swirl_client_close(swirl_client_t *c, bool force);

/* Cut the stream into messages with `fn` (Swoole's package_length_func;
 * see swirl_framing_length_fn), called with `user`; it replaces the length
 * field of open_length_check, and package_max_length still applies. NULL
 * removes it. Before connect, stream types only. Returns 0, SWIRL_ESTATE
 * when connected, SWIRL_ENOTSUP for a datagram type. */
SWIRL_API int swirl_client_set_length_fn(swirl_client_t *c, swirl_framing_length_fn fn, void *user);

/* True between a successful connect and close (an async client: once the
 * connect callback has run). A peer's close shows as recv returning 0. */
SWIRL_API bool swirl_client_is_connected(const swirl_client_t *c);

/* The local address; the peer's (for an unconnected datagram client: the
 * sender of the last datagram received). 0 or a negative code. */
SWIRL_API int swirl_client_getsockname(const swirl_client_t *c, swirl_addr_t *out);
SWIRL_API int swirl_client_getpeername(const swirl_client_t *c, swirl_addr_t *out);

/* The socket, or -1. Owned by the client. */
SWIRL_API int swirl_client_fd(const swirl_client_t *c);

/* The last error of this client (Swoole's errCode) and its message ("" if
 * none), valid until the client's next failing call. */
SWIRL_API int swirl_client_errcode(const swirl_client_t *c);
SWIRL_API const char *swirl_client_errmsg(const swirl_client_t *c);

/* ---- async mode --------------------------------------------------------------------------- */

/* The async callbacks. Each gets the client first and the user pointer; a
 * callback may call send, close or free on its client. */
typedef struct swirl_client_callbacks {
    /* connected (after the TLS handshake for SSL clients) */
    void (*on_connect)(swirl_client_t *c, void *user);
    /* one whole message with framing on, else what arrived; `data` is valid
     * during the call only */
    void (*on_receive)(swirl_client_t *c, const char *data, size_t len, void *user);
    /* connect failed (refused, timeout, name, TLS), or an established
     * connection broke (oversized message, write error); `status` is the
     * code, swirl_client_errmsg() the message. The socket is closed; an
     * established connection's close callback follows. */
    void (*on_error)(swirl_client_t *c, void *user, int status);
    /* an established connection ended: closed by the peer, by an error, or
     * by swirl_client_close */
    void (*on_close)(swirl_client_t *c, void *user);
} swirl_client_callbacks_t;

/* Attach an async client to `loop` with `cbs` (copied; on_receive and
 * on_error are required). Before connect. Returns 0, SWIRL_EBADARG naming
 * what is missing, SWIRL_ENOTSUP for a blocking client, SWIRL_ESTATE when
 * connected. */
SWIRL_API int swirl_client_set_callbacks(swirl_client_t *c, swirl_loop_t *loop,
                                         const swirl_client_callbacks_t *cbs, void *user);

/* Async clients: stop (`pause` true) or restart reading from the
 * established connection. While paused nothing is read (what the peer sends
 * waits in the kernel, then holds it back) and no receive callback runs;
 * sends go on. Messages already read when reading resumes are delivered
 * from the loop, not from inside this call. Pausing twice, or resuming a
 * client that is not paused, is harmless. Returns 0, SWIRL_ENOTSUP for a
 * blocking client, SWIRL_ESTATE when not connected. A new connection
 * starts unpaused. */
SWIRL_API int swirl_client_pause(swirl_client_t *c, bool pause);

/* Async clients: bytes accepted by send and not yet written to the socket
 * (the loop's write buffer, and over TLS what SSL_write has not taken), so
 * a caller streaming a large body can wait for room instead of passing
 * socket_buffer_size. 0 when not connected. */
SWIRL_API size_t swirl_client_pending(const swirl_client_t *c);

/* Async stream clients: start TLS on the established plain connection
 * (after an HTTP proxy's CONNECT, a STARTTLS), with the ssl_* settings set
 * before connect; `host` is the name sent (SNI) and checked (ssl_host_name
 * wins). Returns 0 and the handshake runs in the loop: on_connect again
 * once it is done, or on_error (the connection is then closed) on a
 * failure or after `timeout` seconds (< 0: none). Or a negative code and
 * nothing changes: SWIRL_ENOTSUP (a blocking or datagram client),
 * SWIRL_ESTATE (not connected, already TLS, or received bytes not yet
 * delivered or sends not yet written: call it from the loop, not from
 * inside a receive callback), SWIRL_ESETTING (a bad ssl_* file), -ENOMEM. */
SWIRL_API int swirl_client_start_tls(swirl_client_t *c, const char *host, double timeout);

/* ---- the keep-alive pool ------------------------------------------------------------------ */

/* Close every pooled connection of this process. Returns how many. */
SWIRL_API int swirl_client_pool_clear(void);
/* Connections in the pool now. */
SWIRL_API size_t swirl_client_pool_size(void);

#ifdef __cplusplus
}
#endif
#endif
