/* src/client/tls.c — the client side of TLS with OpenSSL: the context from
 * the ssl_* settings (system CA store by default, peer verification on,
 * hostname check with SSL_set1_host), a non-blocking handshake step, and
 * reads and writes through the socket BIO of net/tls.c, which never
 * raises SIGPIPE. */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/socket.h>

#include "client/internal.h"

/* ---- context ----------------------------------------------------------------------------- */

/* ssl_allow_self_signed: a certificate that signs itself is taken as is. */
static int verify_allow_self_signed(int ok, X509_STORE_CTX *store) {
    int err = X509_STORE_CTX_get_error(store);
    if (!ok && (err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    return ok;
}

static int make_ctx(swirl_client_t *c) {
    const client_settings_t *s = &c->set;
    char why[256];
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return swirl__client_fail(c, -ENOMEM, "TLS context: %s",
                                  swirl__tls_reason(why, sizeof(why), "out of memory"));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* A peer that closes without close_notify is an EOF, not an error. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Async writes keep their bytes in `out`, which may move between tries. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    int rc = 0;
    if (s->ssl_verify_peer) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER,
                           s->ssl_allow_self_signed ? verify_allow_self_signed : NULL);
        if (s->ssl_cafile || s->ssl_capath) {
            if (!SSL_CTX_load_verify_locations(ctx, s->ssl_cafile, s->ssl_capath)) {
                rc = swirl__client_fail(c, SWIRL_ESETTING, "ssl_cafile/ssl_capath %s%s%s: %s",
                                        s->ssl_cafile ? s->ssl_cafile : "",
                                        s->ssl_cafile && s->ssl_capath ? " " : "",
                                        s->ssl_capath ? s->ssl_capath : "",
                                        swirl__tls_reason(why, sizeof(why), "cannot load"));
                goto fail;
            }
        } else if (!SSL_CTX_set_default_verify_paths(ctx)) {
            rc = swirl__client_fail(c, SWIRL_EPROTO, "TLS: cannot load the system CA store: %s",
                                    swirl__tls_reason(why, sizeof(why), "unknown"));
            goto fail;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (s->ssl_cert_file || s->ssl_key_file) {
        if (!s->ssl_cert_file || !s->ssl_key_file) {
            rc = swirl__client_fail(c, SWIRL_ESETTING,
                                    "%s: a client certificate needs both ssl_cert_file and "
                                    "ssl_key_file",
                                    s->ssl_cert_file ? "ssl_key_file" : "ssl_cert_file");
            goto fail;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, s->ssl_cert_file) != 1) {
            rc = swirl__client_fail(c, SWIRL_ESETTING, "ssl_cert_file %s: %s", s->ssl_cert_file,
                                    swirl__tls_reason(why, sizeof(why), "cannot load"));
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, s->ssl_key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            rc = swirl__client_fail(
                c, SWIRL_ESETTING, "ssl_key_file %s: %s", s->ssl_key_file,
                swirl__tls_reason(why, sizeof(why), "does not match the certificate"));
            goto fail;
        }
    }
    c->ctx = ctx;
    return 0;

fail:
    SSL_CTX_free(ctx);
    return rc;
}

void swirl__client_tls_free_ctx(swirl_client_t *c) {
    SSL_CTX_free(c->ctx);
    c->ctx = NULL;
}

static bool is_ip_literal(const char *host) {
    unsigned char tmp[16];
    return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

int swirl__client_tls_setup(swirl_client_t *c, const char *host) {
    char why[256];
    int rc;
    if (!c->ctx && (rc = make_ctx(c)) < 0)
        return rc;
    SSL *tls = swirl__tls_new(c->ctx, c->fd, false);
    if (!tls)
        return swirl__client_fail(c, -ENOMEM, "TLS to %s: %s", c->peer_name,
                                  swirl__tls_reason(why, sizeof(why), "out of memory"));
    /* The name: ssl_host_name, else the host given to connect (not a Unix path). */
    const char *name = c->set.ssl_host_name;
    if (!name && c->type != SWIRL_SOCK_UNIX_STREAM)
        name = host;
    if (name) {
        bool ip = is_ip_literal(name);
        if (!ip && !SSL_set_tlsext_host_name(tls, name))
            goto fail_name;
        if (c->set.ssl_verify_peer) {
            int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls), name)
                        : SSL_set1_host(tls, name);
            if (!ok)
                goto fail_name;
        }
    }
    c->tls = tls;
    return 0;

fail_name:
    SSL_free(tls);
    return swirl__client_fail(c, SWIRL_ESETTING, "ssl_host_name \"%.100s\": %s", name,
                              swirl__tls_reason(why, sizeof(why), "not a usable name"));
}

/* ---- I/O: the transport of net/tls.c, its failures in the client's words ------------------- */

/* A failed step `rc` of the transport: -EAGAIN with *want as loop events,
 * else the error with the client's message (`why`: OpenSSL's reason). */
static int tls_failed(swirl_client_t *c, int rc, int want_tls, int *want, const char *op,
                      const char *why) {
    if (rc == -EAGAIN) {
        *want = want_tls == SWIRL__TLS_WANT_WRITE ? SWIRL_EV_WRITE : SWIRL_EV_READ;
        return -EAGAIN;
    }
    if (rc == -ECONNRESET && strcmp(op, "read from") != 0)
        return swirl__client_fail(c, -ECONNRESET, "TLS %s %s: connection closed by peer", op,
                                  c->peer_name);
    if (rc == -EPIPE && strcmp(op, "write to") == 0)
        return swirl__client_fail(c, -EPIPE, "TLS %s %s: closed", op, c->peer_name);
    if (rc != -EPROTO)
        return swirl__client_fail(c, rc, "TLS %s %s:", op, c->peer_name);
    long vr = SSL_get_verify_result(c->tls);
    if (vr != X509_V_OK)
        return swirl__client_fail(c, SWIRL_EPROTO, "TLS %s %s: certificate verify failed: %s", op,
                                  c->peer_name, X509_verify_cert_error_string(vr));
    return swirl__client_fail(c, SWIRL_EPROTO, "TLS %s %s: %s", op, c->peer_name, why);
}

int swirl__client_tls_handshake(swirl_client_t *c, int *want) {
    char why[256];
    int w = 0, rc = swirl__tls_handshake(c->tls, &w, why, sizeof(why));
    return rc == 0 ? 0 : tls_failed(c, rc, w, want, "handshake with", why);
}

ssize_t swirl__client_tls_read(swirl_client_t *c, void *buf, size_t len, int *want) {
    char why[256];
    int w = 0;
    ssize_t n = swirl__tls_read(c->tls, buf, len, &w, why, sizeof(why));
    return n >= 0 ? n : tls_failed(c, (int)n, w, want, "read from", why);
}

ssize_t swirl__client_tls_write(swirl_client_t *c, const void *buf, size_t len, int *want) {
    char why[256];
    int w = 0;
    ssize_t n = swirl__tls_send(c->tls, buf, len, &w, why, sizeof(why));
    return n >= 0 ? n : tls_failed(c, (int)n, w, want, "write to", why);
}
