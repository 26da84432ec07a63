/* src/client/internal.h — the client's struct and what its files share:
 * settings (settings.h), the connection core (client.c), TLS (tls.c), the
 * keep-alive pool (pool.c) and the event-loop mode (async.c). Never installed. */
#ifndef SWIRL_CLIENT_INTERNAL_H
#define SWIRL_CLIENT_INTERNAL_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <swirl/client.h>
#include <swirl/protocol.h>

#include "client/settings.h"
#include "core/internal.h"
#include "net/tls.h"

typedef enum {
    CS_IDLE = 0,   /* no connection */
    CS_CONNECTING, /* async: connect(2) under way */
    CS_HANDSHAKE,  /* async: TLS handshake under way */
    CS_CONNECTED,
} client_state_t;

struct swirl_client {
    swirl_sock_type_t type;
    bool ssl, keep, async, stream;
    char *key; /* the keep-alive key given to new, or NULL */
    client_settings_t set;
    client_state_t state;
    int fd;
    pid_t owner; /* the process that connected it (0: none yet); a forked child leaves the
                    parent's loop and TLS session alone (swirl__client_foreign) */
    swirl_framing_t framing;                 /* built at connect */
    swirl_buf_t in;                          /* received, not yet delivered */
    size_t scan_from;                        /* framing resume point in `in` */
    bool peer_closed;                        /* EOF seen: recv returns 0 once `in` is drained */
    double read_timeout, write_timeout;      /* in effect for this connection */
    char peer_name[SWIRL_ADDR_STRLEN + 300]; /* "host:port" as given, for messages */
    char pool_key[SWIRL_ADDR_STRLEN + 300];
    swirl_addr_t last_from; /* datagrams: the last sender */
    bool have_from;
    int err_code;
    char err_msg[512];
    /* TLS */
    SSL_CTX *ctx;
    SSL *tls;
    char *tls_name; /* SNI / hostname check for this connection */
    /* async */
    swirl_loop_t *loop;
    swirl_client_callbacks_t cbs;
    void *user;
    int64_t timer;  /* connect timeout, or 0 */
    int64_t notify; /* a 0 ms timer reporting an immediate connect failure, or 0 */
    int pending_err;
    struct client_lookup *lookup; /* a DNS lookup in flight (async connect), or NULL */
    int depth;                    /* callbacks of this client on the stack */
    bool free_pending;
    swirl_buf_t out; /* async TLS: bytes SSL_write has not taken yet */
    swirl_framing_length_fn length_fn; /* package_length_func, or NULL */
    void *length_user;
    bool paused;    /* async: reading stopped by swirl_client_pause */
    int64_t resume; /* a 0 ms timer delivering what was buffered when reading resumed, or 0 */
};

/* error.c: every file of the client reports through these */
/* Record `code` with a message as the client's (and this thread's) last error. */
int swirl__client_fail(swirl_client_t *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Keep the thread's last error as the client's too; returns `code`. */
int swirl__client_keep_error(swirl_client_t *c, int code);

/* socket.c: shared by client.c and async.c */
/* "host:port", "[v6]:port" or the path, for messages, into buf. */
void swirl__client_name_peer(char *buf, size_t size, swirl_sock_type_t type, const char *host,
                             int port);
/* Resolve host:port for the client's type into up to `max` addresses. */
int swirl__client_resolve(swirl_client_t *c, const char *host, int port, swirl_addr_t *addrs,
                          size_t max, size_t *n);
/* A non-blocking socket for `family` with the settings applied (buffer
 * sizes, nodelay) and bound to bind_address/bind_port when set. */
int swirl__client_socket(swirl_client_t *c, int family, int *fd_out);
/* Open a non-blocking socket for `addr` with the settings applied (buffer
 * sizes, nodelay, bind) and start connect(2): 0 connected, -EINPROGRESS, or
 * an error naming the peer (the socket is closed then). */
int swirl__client_open(swirl_client_t *c, const swirl_addr_t *addr, int *fd_out);
/* Read from the connection (TLS or plain) into `in`: >0 bytes, 0 EOF,
 * -EAGAIN (*want says SWIRL_EV_READ or _WRITE), or a negative code. */
ssize_t swirl__client_read_some(swirl_client_t *c, size_t max, int *want);
/* True in a process other than the one that opened the connection (a child
 * after fork): the loop the client is registered in was the parent's (its
 * memory gone, its epoll set shared) and so is the TLS session, so neither
 * is touched; the child only closes its copy of the socket. */
bool swirl__client_foreign(const swirl_client_t *c);
/* Drop the connection: TLS shutdown attempt, close the fd, clear buffers. */
void swirl__client_drop(swirl_client_t *c);
/* async.c: release the memory of a client no callback is running for
 * (swirl_client_free, or the last callback out after a free inside one). */
void swirl__client_destroy(swirl_client_t *c);

/* tls.c */
int swirl__client_tls_setup(swirl_client_t *c, const char *host); /* SSL_CTX + SSL on c->fd */
/* One handshake step: 0 done, -EAGAIN with *want, or SWIRL_EPROTO naming why. */
int swirl__client_tls_handshake(swirl_client_t *c, int *want);
ssize_t swirl__client_tls_read(swirl_client_t *c, void *buf, size_t len, int *want);
ssize_t swirl__client_tls_write(swirl_client_t *c, const void *buf, size_t len, int *want);
void swirl__client_tls_free_ctx(swirl_client_t *c);

/* pool.c */
/* Take a live connection for `key` (same type, same TLS): 0 and *fd, *tls,
 * or -ENOENT. Dead ones found on the way are closed. */
int swirl__pool_take(const char *key, int type, bool ssl, int *fd, SSL **tls);
/* Keep fd (and tls) for `key`; 0, or a negative code (the caller closes). */
int swirl__pool_put(const char *key, int type, bool ssl, int fd, SSL *tls);

/* async.c */
int swirl__client_async_connect(swirl_client_t *c, const char *host, int port, double timeout);
ssize_t swirl__client_async_send(swirl_client_t *c, const void *data, size_t len);
void swirl__client_async_close(swirl_client_t *c, bool notify);
void swirl__client_async_release(swirl_client_t *c); /* timers, loop registration */

#endif
