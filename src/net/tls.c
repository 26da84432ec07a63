/* src/net/tls.c — server-side TLS with OpenSSL on non-blocking sockets.
 *
 * Contexts: TLS 1.2 and 1.3 by default, ALPN "http/1.1" chosen when the
 * client offers it, session resumption by cache (per process) and by
 * tickets (keys shared by every process of a server, see ticket_keys),
 * renegotiation off, partial writes and moving write buffers allowed (the
 * loop's write buffer retries from its start, which may have moved), read
 * buffers released while idle.
 *
 * Shared with the client (src/client/tls.c): the socket BIO that never
 * raises SIGPIPE, the SSL on a socket, and its shutdown. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <swirl/error.h>

#include "../core/internal.h"
#include "tls.h"

/* ---- a socket BIO using send(MSG_NOSIGNAL) ----------------------------------------------
 * OpenSSL's own socket BIO writes with write(2), which kills the process
 * with SIGPIPE when the peer has gone; a library must not do that. */

static BIO_METHOD *bio_method; /* per-process singleton, made once */
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int bio_write(BIO *b, const char *data, int len) {
    int fd = (int)(intptr_t)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t n = send(fd, data, (size_t)len, MSG_NOSIGNAL);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            BIO_set_retry_write(b);
        return -1;
    }
}

static int bio_read(BIO *b, char *data, int len) {
    int fd = (int)(intptr_t)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t n = recv(fd, data, (size_t)len, 0);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            BIO_set_retry_read(b);
        return -1;
    }
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_C_GET_FD:
        if (ptr)
            *(int *)ptr = (int)(intptr_t)BIO_get_data(b);
        return (long)(intptr_t)BIO_get_data(b);
    default:
        return 0;
    }
}

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static void bio_method_make(void) {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "swirl socket");
    if (m && (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
              !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create))) {
        BIO_meth_free(m);
        m = NULL;
    }
    bio_method = m;
}

BIO_METHOD *swirl__tls_bio_method(void) {
    pthread_once(&bio_once, bio_method_make);
    return bio_method;
}

const char *swirl__tls_reason(char *buf, size_t n, const char *fallback) {
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, buf, n);
    else
        snprintf(buf, n, "%s", fallback);
    ERR_clear_error();
    return buf;
}

int swirl__tls_parse_protocols(const char *text, int *min_version, int *max_version) {
    static const struct {
        const char *name;
        int version;
    } known[] = {{"TLSv1", TLS1_VERSION},
                 {"TLSv1.0", TLS1_VERSION},
                 {"TLSv1.1", TLS1_1_VERSION},
                 {"TLSv1.2", TLS1_2_VERSION},
                 {"TLSv1.3", TLS1_3_VERSION}};
    int lo = 0, hi = 0;
    char tok[32];
    const char *p = text && *text ? text : "TLSv1.2 TLSv1.3";
    while (*p) {
        size_t len = strcspn(p, " ,|");
        if (len == 0) {
            p++;
            continue;
        }
        if (len >= sizeof(tok))
            return swirl__error(SWIRL_ESETTING, "ssl_protocols: \"%.*s\" is not a TLS version",
                                (int)len, p);
        memcpy(tok, p, len);
        tok[len] = 0;
        int v = 0;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcasecmp(tok, known[i].name) == 0)
                v = known[i].version;
        if (!v)
            return swirl__error(SWIRL_ESETTING,
                                "ssl_protocols: \"%s\" is not one of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
                                tok);
        if (!lo || v < lo)
            lo = v;
        if (v > hi)
            hi = v;
        p += len;
    }
    if (!lo)
        return swirl__error(SWIRL_ESETTING, "ssl_protocols: no TLS version given");
    *min_version = lo;
    *max_version = hi;
    return 0;
}

static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    /* `in` is a list of length-prefixed names */
    for (unsigned int i = 0; i < inlen;) {
        unsigned int len = in[i];
        if (i + 1 + len > inlen)
            break;
        if (len == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)len;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + len;
    }
    return SSL_TLSEXT_ERR_NOACK; /* not HTTP: go on without ALPN */
}

int swirl__tls_server_ctx(SSL_CTX **out, const swirl__tls_conf_t *conf) {
    char why[256];
    if (!conf->cert_file || !*conf->cert_file)
        return swirl__error(SWIRL_ESETTING, "ssl_cert_file: required on an SSL listener");
    int lo, hi;
    int rc = swirl__tls_parse_protocols(conf->protocols, &lo, &hi);
    if (rc < 0)
        return rc;
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        swirl__tls_reason(why, sizeof(why), "unknown error");
        return swirl__error(-ENOMEM, "TLS context: %s", why);
    }
    SSL_CTX_set_min_proto_version(ctx, lo);
    SSL_CTX_set_max_proto_version(ctx, hi);
    if (lo < TLS1_2_VERSION) /* OpenSSL 3 refuses TLS < 1.2 at its default security level */
        SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, conf->cert_file) != 1) {
        swirl__tls_reason(why, sizeof(why), "unknown error");
        rc = swirl__error(SWIRL_ESETTING, "ssl_cert_file \"%s\": %s", conf->cert_file, why);
        goto fail;
    }
    const char *key = conf->key_file && *conf->key_file ? conf->key_file : conf->cert_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            rc = swirl__error(SWIRL_ESETTING,
                              "ssl_key_file \"%s\" does not match ssl_cert_file \"%s\"", key,
                              conf->cert_file);
            goto fail;
        }
        swirl__tls_reason(why, sizeof(why), "unknown error");
        rc = swirl__error(SWIRL_ESETTING, "ssl_key_file \"%s\": %s", key, why);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        swirl__tls_reason(why, sizeof(why), "unknown error");
        rc = swirl__error(SWIRL_ESETTING, "ssl_key_file \"%s\" does not match ssl_cert_file \"%s\"",
                          key, conf->cert_file);
        goto fail;
    }
    if (conf->ciphers && *conf->ciphers && SSL_CTX_set_cipher_list(ctx, conf->ciphers) != 1) {
        swirl__tls_reason(why, sizeof(why), "unknown error");
        rc = swirl__error(SWIRL_ESETTING, "ssl_ciphers \"%s\": %s", conf->ciphers, why);
        goto fail;
    }
    if (conf->client_ca_file && *conf->client_ca_file) {
        if (SSL_CTX_load_verify_locations(ctx, conf->client_ca_file, NULL) != 1) {
            swirl__tls_reason(why, sizeof(why), "unknown error");
            rc = swirl__error(SWIRL_ESETTING, "ssl_client_cert_file \"%s\": %s",
                              conf->client_ca_file, why);
            goto fail;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(conf->client_ca_file);
        if (names)
            SSL_CTX_set_client_CA_list(ctx, names);
    } else if (conf->verify_peer) {
        rc = swirl__error(SWIRL_ESETTING,
                          "ssl_verify_peer: needs ssl_client_cert_file (the CA that signs "
                          "client certificates)");
        goto fail;
    }
    if (conf->verify_peer)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"swirl", 5);
    if (conf->ticket_keys)
        SSL_CTX_set_tlsext_ticket_keys(ctx, (void *)(uintptr_t)conf->ticket_keys,
                                       SWIRL__TLS_TICKET_KEYS_LEN);
    SSL_CTX_set_alpn_select_cb(ctx, on_alpn, NULL);
    *out = ctx;
    return 0;

fail:
    SSL_CTX_free(ctx);
    return rc;
}

SSL *swirl__tls_new(SSL_CTX *ctx, int fd, bool accept) {
    BIO_METHOD *method = swirl__tls_bio_method();
    SSL *ssl = method ? SSL_new(ctx) : NULL;
    BIO *bio = ssl ? BIO_new(method) : NULL;
    if (!bio) {
        SSL_free(ssl);
        return NULL;
    }
    BIO_set_data(bio, (void *)(intptr_t)fd);
    SSL_set_bio(ssl, bio, bio);
    if (accept)
        SSL_set_accept_state(ssl);
    else
        SSL_set_connect_state(ssl);
    return ssl;
}

/* The outcome of a failed SSL_* call `ret`, errno as the socket BIO left
 * it: -EAGAIN with *want, 0 at the peer's end (close_notify, or a close
 * without one: SSL_OP_IGNORE_UNEXPECTED_EOF), -errno from the socket, or
 * -EPROTO with OpenSSL's reason in `why` (size n; NULL: not wanted).
 * Leaves OpenSSL's error queue empty. */
static int outcome(SSL *ssl, int ret, int *want, char *why, size_t n) {
    int err = SSL_get_error(ssl, ret), saved = errno;
    char sink[8];
    if (!why) {
        why = sink;
        n = sizeof(sink);
    }
    switch (err) {
    case SSL_ERROR_WANT_READ:
        *want = SWIRL__TLS_WANT_READ;
        return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        *want = SWIRL__TLS_WANT_WRITE;
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        return 0;
    case SSL_ERROR_SYSCALL:
        if (saved && saved != EAGAIN) {
            ERR_clear_error();
            return -saved;
        }
        if (!ERR_peek_last_error())
            return 0;
        /* fall through */
    default: {
        unsigned long e = ERR_peek_last_error();
        if (e && ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST) {
            snprintf(why, n, "plain HTTP on a TLS port");
            ERR_clear_error();
        } else {
            swirl__tls_reason(why, n, "protocol error");
        }
        return -EPROTO;
    }
    }
}

int swirl__tls_handshake(SSL *ssl, int *want, char *why, size_t n) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(ssl);
    if (r == 1)
        return 0;
    int rc = outcome(ssl, r, want, why, n);
    if (rc == 0 || (rc != -EAGAIN && rc != -EPROTO)) {
        snprintf(why, n, "peer closed during the handshake");
        return rc == 0 ? -ECONNRESET : rc;
    }
    return rc;
}

ssize_t swirl__tls_read(SSL *ssl, void *buf, size_t cap, int *want, char *why, size_t n) {
    ERR_clear_error();
    errno = 0;
    size_t got = 0;
    if (SSL_read_ex(ssl, buf, cap, &got) == 1)
        return (ssize_t)got;
    return outcome(ssl, 0, want, why, n);
}

ssize_t swirl__tls_send(SSL *ssl, const void *data, size_t len, int *want, char *why, size_t n) {
    ERR_clear_error();
    errno = 0;
    size_t done = 0;
    if (SSL_write_ex(ssl, data, len, &done) == 1)
        return (ssize_t)done;
    int rc = outcome(ssl, 0, want, why, n);
    if (rc == 0) /* after close_notify; or the socket closed without one */
        return SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN ? -EPIPE : -ECONNRESET;
    return rc;
}

ssize_t swirl__tls_write(void *ctx, int fd, const void *data, size_t len) {
    (void)fd;
    int want;
    ssize_t rc = swirl__tls_send(ctx, data, len, &want, NULL, 0);
    return rc == -EPROTO ? -EPIPE : rc; /* the loop's callers: the peer is gone */
}

void swirl__tls_free(SSL *ssl) {
    if (!ssl)
        return;
    ERR_clear_error();
    if (SSL_is_init_finished(ssl))
        SSL_shutdown(ssl); /* one close_notify if the socket takes it; never waits */
    ERR_clear_error();
    SSL_free(ssl);
}
