/* src/net/tls.h — TLS over non-blocking sockets with OpenSSL: the socket
 * BIO, the SSL on a socket and its shutdown for both sides (the server's
 * connections and the client); the server's contexts built from the ssl_*
 * settings, and its handshake, read and write steps driven by the owner's
 * loop. Never installed. */
#ifndef SWIRL_NET_TLS_H
#define SWIRL_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#define SWIRL__TLS_TICKET_KEYS_LEN 80

typedef struct swirl__tls_conf {
    const char *cert_file;      /* PEM, may hold the chain */
    const char *key_file;       /* PEM; "" = in cert_file */
    const char *ciphers;        /* OpenSSL cipher list for TLS <= 1.2; "" = OpenSSL's */
    const char *protocols;      /* "TLSv1.2 TLSv1.3" (any of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3) */
    const char *client_ca_file; /* CA that signs client certificates ("" = none) */
    bool verify_peer;           /* require and verify a client certificate */
    /* session ticket keys shared by every process of the server, so a
     * ticket from one worker resumes on another; NULL = OpenSSL's own */
    const unsigned char *ticket_keys;
} swirl__tls_conf_t;

/* Build a server context. Returns 0 and *out, or SWIRL_ESETTING with a
 * message naming the file or value and OpenSSL's reason. */
int swirl__tls_server_ctx(SSL_CTX **out, const swirl__tls_conf_t *conf);

/* Parse ssl_protocols into a version range. 0 or SWIRL_ESETTING naming it. */
int swirl__tls_parse_protocols(const char *text, int *min_version, int *max_version);

/* OpenSSL's reason for the last failure into buf (size n), or `fallback`
 * when it gave none; clears OpenSSL's error queue. Returns buf. */
const char *swirl__tls_reason(char *buf, size_t n, const char *fallback);

/* The socket BIO method whose writes use send(MSG_NOSIGNAL), made once per
 * process; NULL on no memory. */
BIO_METHOD *swirl__tls_bio_method(void);

/* An SSL on `fd` through the socket BIO above, on the server's side
 * (`accept`) or the client's. NULL on no memory. */
SSL *swirl__tls_new(SSL_CTX *ctx, int fd, bool accept);

/* ---- the transport: a TLS byte stream over a non-blocking socket, the
 * same for the server's connections and the client ({handshake, read,
 * write, shutdown}: swirl__tls_handshake, _read, _send, _free). A step
 * that must wait returns -EAGAIN with *want set to what it waits for. */

/* What a step waits for (*want). */
enum { SWIRL__TLS_WANT_READ = 1, SWIRL__TLS_WANT_WRITE = 2 };

/* Advance the handshake: 0 done, -EAGAIN (*want), or failed with the
 * reason in `why` (size n): -ECONNRESET when the peer closed, -errno from
 * the socket ("peer closed during the handshake" for both), -EPROTO with
 * OpenSSL's reason or "plain HTTP on a TLS port". */
int swirl__tls_handshake(SSL *ssl, int *want, char *why, size_t n);

/* Read decrypted bytes: count, 0 at the peer's end, -EAGAIN (*want),
 * -errno from the socket, or -EPROTO with OpenSSL's reason in `why`
 * (NULL: not wanted). */
ssize_t swirl__tls_read(SSL *ssl, void *buf, size_t cap, int *want, char *why, size_t n);

/* Write: count taken, -EAGAIN (*want), -EPIPE after the peer's
 * close_notify, -ECONNRESET when the socket closed without one, -errno
 * from the socket, or -EPROTO with the reason in `why`. */
ssize_t swirl__tls_send(SSL *ssl, const void *data, size_t len, int *want, char *why, size_t n);

/* The loop writer (swirl__writer_fn) of a server's TLS connection (ctx is
 * the SSL): swirl__tls_send, a protocol error counted as -EPIPE. */
ssize_t swirl__tls_write(void *ctx, int fd, const void *data, size_t len);

/* Send close_notify if it can go now (never waits) and free the SSL;
 * NULL is a no-op. Both sides. */
void swirl__tls_free(SSL *ssl);

#endif
