/* swirl/net.h — sockets: addresses, listen, connect, accept, options,
 * datagrams and sendfile. Every socket is non-blocking and close-on-exec;
 * every call retries EINTR and reports EAGAIN as -EAGAIN. */
#ifndef SWIRL_NET_H
#define SWIRL_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <swirl/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Socket kinds, with Swoole's values (SWOOLE_SOCK_TCP = 1, ...). */
typedef enum {
    SWIRL_SOCK_TCP = 1,
    SWIRL_SOCK_UDP = 2,
    SWIRL_SOCK_TCP6 = 3,
    SWIRL_SOCK_UDP6 = 4,
    SWIRL_SOCK_UNIX_STREAM = 5,
    SWIRL_SOCK_UNIX_DGRAM = 6,
} swirl_sock_type_t;

/* OR'ed into a stream type: TLS on that listener (Swoole's SWOOLE_SSL).
 * The ssl_* settings give its certificate and options. */
#define SWIRL_SOCK_SSL 512

/* True for the stream kinds (TCP, TCP6, UNIX_STREAM). */
SWIRL_API bool swirl_sock_is_stream(swirl_sock_type_t type);
/* "tcp", "udp6", "unix_stream", ... or NULL for an invalid type. */
SWIRL_API const char *swirl_sock_type_name(swirl_sock_type_t type);

/* Any socket address. Plain data. */
typedef struct swirl_addr {
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_storage ss;
    } u;
    socklen_t len;
} swirl_addr_t;

/* Longest text swirl_addr_format() writes, NUL included. */
#define SWIRL_ADDR_STRLEN (sizeof(((struct sockaddr_un *)0)->sun_path) + 8)

/* Build an address for `type` from `host` and `port`.
 * - TCP/UDP: a dotted IPv4 address; "localhost" means 127.0.0.1.
 * - TCP6/UDP6: an IPv6 address, with or without brackets; "localhost"
 *   means ::1. "0.0.0.0" / "::" mean every address.
 * - Unix: `host` is a path (port ignored); a leading '@' names the Linux
 *   abstract namespace.
 * Names are not resolved here (no blocking DNS in a server's path).
 * Returns 0; SWIRL_EBADADDR or SWIRL_EBADPORT (port outside 0..65535), with a
 * last-error message quoting what was given; SWIRL_EBADARG for a bad type. */
SWIRL_API int swirl_addr_parse(swirl_addr_t *out, swirl_sock_type_t type, const char *host,
                               int port);

/* Split "host:port" (IPv6 bracketed: "[::1]:8080") into the host (a
 * name or an address, brackets removed, into host[0..size)) and *port (1
 * to 5 digits, not range-checked: the caller's check names it). False,
 * with nothing written, when `text` is not one: no port, an empty host, a
 * host that does not fit, or a bare IPv6 address ("::1", and any unbracketed
 * text when `v6`). */
SWIRL_API bool swirl_addr_split(const char *text, bool v6, char *host, size_t size, int *port);

/* Write "1.2.3.4:80", "[::1]:80" or "unix:/path" ("unix:@name" for abstract)
 * into `buf`, truncated to `size` bytes. Returns the length it needed (as
 * snprintf), or SWIRL_EBADADDR for an unknown family. */
SWIRL_API int swirl_addr_format(const swirl_addr_t *addr, char *buf, size_t size);

/* Only the host part ("1.2.3.4", "::1", the path). Same returns. */
SWIRL_API int swirl_addr_host(const swirl_addr_t *addr, char *buf, size_t size);

/* The port of an IP address; 0 for a Unix address. */
SWIRL_API int swirl_addr_port(const swirl_addr_t *addr);

/* Options for swirl_net_listen(). Fill with swirl_listen_opts_init(), then
 * change what you need. Options that do not apply to a socket kind (e.g.
 * TCP_NODELAY on UDP) are ignored. */
typedef struct swirl_listen_opts {
    int backlog;      /* listen backlog (default 512) */
    bool reuse_addr;  /* SO_REUSEADDR (default on for TCP) */
    bool reuse_port;  /* SO_REUSEPORT: several sockets share the port (default off) */
    bool tcp_nodelay; /* TCP_NODELAY, inherited by accepted sockets (default off) */
    int defer_accept; /* TCP_DEFER_ACCEPT seconds, 0 = off */
    int fastopen;     /* TCP_FASTOPEN queue length, 0 = off */
    int rcvbuf;       /* SO_RCVBUF bytes, 0 = system default */
    int sndbuf;       /* SO_SNDBUF bytes, 0 = system default */
    bool ipv6_only;   /* IPV6_V6ONLY for TCP6/UDP6 (default off: "::" takes v4 too) */
    int unix_mode;    /* chmod of a Unix socket path, 0 = leave as umask made it */
} swirl_listen_opts_t;

/* Fill `opts` with the defaults above. */
SWIRL_API void swirl_listen_opts_init(swirl_listen_opts_t *opts);

/* Open a socket of `type`, bind it to host:port and (stream kinds) listen.
 * `opts` may be NULL for the defaults. A stale Unix socket file (nobody
 * listening) is replaced; a live one is -EADDRINUSE.
 * On success stores the fd (non-blocking, close-on-exec, owned by the
 * caller) in *fd_out and returns 0. On failure returns a negative code
 * (-EADDRINUSE, -EACCES, SWIRL_EBADADDR, ...) with a last-error message
 * naming the address, and opens nothing. */
SWIRL_API int swirl_net_listen(swirl_sock_type_t type, const char *host, int port,
                               const swirl_listen_opts_t *opts, int *fd_out);

/* Start connecting a socket of `type` to host:port (same host rules as
 * swirl_addr_parse). Datagram kinds are "connected" (default peer). For
 * a Unix datagram socket, the local end is bound to an autobind address so
 * the peer can answer. Stores the fd in *fd_out and returns 0 when
 * connected, -EINPROGRESS while a stream connection is still being set up
 * (wait for writability, then call swirl_net_connect_result), or another
 * negative code (nothing opened) with a last-error message naming the
 * address. */
SWIRL_API int swirl_net_connect(swirl_sock_type_t type, const char *host, int port, int *fd_out);

/* After a connect in progress became writable: 0 if it succeeded, or the
 * negative errno it failed with (e.g. -ECONNREFUSED). */
SWIRL_API int swirl_net_connect_result(int fd);

/* Wait up to `timeout_ms` (-1: forever) for a connect in progress to finish.
 * 0 on success, -ETIMEDOUT, or the connect error. */
SWIRL_API int swirl_net_connect_wait(int fd, int timeout_ms);

/* Accept one connection from listening socket `lfd`: the new fd is
 * non-blocking and close-on-exec. Stores it in *fd_out and the peer in
 * *peer (may be NULL). Returns 0, -EAGAIN when none is waiting, or another
 * negative errno (-EMFILE: see swirl_net_accept_shed). Connections that
 * died before being accepted (ECONNABORTED) are skipped. */
SWIRL_API int swirl_net_accept(int lfd, swirl_addr_t *peer, int *fd_out);

/* A reserve fd for recovering from -EMFILE: keep one from
 * swirl_net_reserve_fd(); when accept fails with -EMFILE, call
 * swirl_net_accept_shed(lfd, &reserve): it frees the reserve, accepts and
 * closes one waiting connection (so the client sees a close instead of
 * hanging, and the listen socket stops reporting readable in a loop), then
 * takes the reserve again. Returns 0 if a connection was shed, -EAGAIN if
 * none was waiting. */
SWIRL_API int swirl_net_reserve_fd(void);
SWIRL_API int swirl_net_accept_shed(int lfd, int *reserve_fd);

/* Read / write with EINTR retried. Return the byte count (0 from read means
 * EOF), -EAGAIN, or another negative errno. Writes never raise SIGPIPE. */
SWIRL_API ssize_t swirl_net_read(int fd, void *buf, size_t len);
SWIRL_API ssize_t swirl_net_write(int fd, const void *buf, size_t len);

/* Datagrams. recvfrom stores the sender in *from (may be NULL). */
SWIRL_API ssize_t swirl_net_recvfrom(int fd, void *buf, size_t len, swirl_addr_t *from);
SWIRL_API ssize_t swirl_net_sendto(int fd, const void *buf, size_t len, const swirl_addr_t *to);

/* Descriptors over a Unix socket (SCM_RIGHTS), never blocking. send_fds
 * sends `len` bytes of `buf` (one message) with `nfds` descriptors (at most
 * SWIRL_NET_MAX_FDS; the caller keeps its copies). recv_fds reads one
 * message into `buf` and stores the descriptors that came with it,
 * close-on-exec, in fds[0 .. *nfds), at most `max` (any more are closed).
 * Both return the byte count, -EAGAIN, or another negative errno. */
#define SWIRL_NET_MAX_FDS 64
SWIRL_API ssize_t swirl_net_send_fds(int fd, const void *buf, size_t len, const int *fds,
                                     int nfds);
SWIRL_API ssize_t swirl_net_recv_fds(int fd, void *buf, size_t cap, int *fds, int max, int *nfds);

/* Send up to `count` bytes of `in_fd` from *offset to socket `out_fd`
 * without copying through user space; advances *offset. Returns bytes sent,
 * -EAGAIN, or a negative errno. */
SWIRL_API ssize_t swirl_net_sendfile(int out_fd, int in_fd, off_t *offset, size_t count);

/* Socket options. Each returns 0 or a negative errno. */
SWIRL_API int swirl_net_set_nonblock(int fd, bool on);
SWIRL_API int swirl_net_set_nodelay(int fd, bool on);
SWIRL_API int swirl_net_set_reuseport(int fd, bool on);
SWIRL_API int swirl_net_set_bufsize(int fd, int rcvbuf, int sndbuf); /* 0 leaves one alone */
SWIRL_API int swirl_net_set_defer_accept(int fd, int seconds);
SWIRL_API int swirl_net_set_fastopen(int fd, int queue_len);

/* The local / remote address of a socket. 0 or a negative errno. */
SWIRL_API int swirl_net_local_addr(int fd, swirl_addr_t *out);
SWIRL_API int swirl_net_peer_addr(int fd, swirl_addr_t *out);

/* Close `fd`, ignoring EINTR (Linux always frees the fd). -1 is a no-op. */
SWIRL_API void swirl_net_close(int fd);

#ifdef __cplusplus
}
#endif
#endif
