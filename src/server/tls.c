/* src/server/tls.c — the TLS contexts of a server's SSL listeners: built
 * from the ssl_* settings at start, shared by every owner of connections
 * (reactor threads, BASE workers), loaded again on reload.
 *
 * One set of session ticket keys is made at start and used by every
 * context of every process, so a client resumes its session whichever
 * worker or reactor it reaches, also across reloads. */
#include <errno.h>
#include <stdio.h>
#include <openssl/rand.h>

#include "../core/internal.h"
#include "internal.h"

static int build(swirl_server_t *srv, swirl_port_t *p, SSL_CTX **out) {
    const swirl__port_settings_t *ps = &p->eff;
    swirl__tls_conf_t conf = {.cert_file = ps->ssl_cert_file,
                              .key_file = ps->ssl_key_file,
                              .ciphers = ps->ssl_ciphers,
                              .protocols = ps->ssl_protocols,
                              .client_ca_file = ps->ssl_client_cert_file,
                              .verify_peer = ps->ssl_verify_peer,
                              .ticket_keys = srv->tls_ticket_keys};
    int rc = swirl__tls_server_ctx(out, &conf);
    if (rc < 0) {
        char why[512];
        snprintf(why, sizeof(why), "%s", swirl_last_error_msg());
        return swirl__error(rc, "listener %s:%d: %s", p->host, p->port, why);
    }
    return 0;
}

int swirl__server_tls_setup(swirl_server_t *srv) {
    bool any = false;
    for (int i = 0; i < srv->nports; i++)
        any |= srv->ports[i]->ssl;
    if (!any)
        return 0;
    if (RAND_bytes(srv->tls_ticket_keys, sizeof(srv->tls_ticket_keys)) != 1)
        return swirl__error(-EIO, "TLS: no random bytes for the session ticket keys");
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        if (!p->ssl)
            continue;
        SSL_CTX *ctx;
        int rc = build(srv, p, &ctx);
        if (rc < 0)
            return rc;
        atomic_store(&p->tls_ctx, ctx);
    }
    return 0;
}

void swirl__server_tls_reload(swirl_server_t *srv) {
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        if (!p->ssl)
            continue;
        SSL_CTX *ctx;
        if (build(srv, p, &ctx) < 0) {
            swirl_log_error("reload: %s; keeping the certificate loaded before",
                            swirl_last_error_msg());
            continue;
        }
        SSL_CTX_free(p->tls_ctx_old); /* unused for a whole reload period */
        p->tls_ctx_old = atomic_exchange(&p->tls_ctx, ctx);
        swirl_log_info("reload: TLS certificate of listener %s:%d loaded again", p->host, p->port);
    }
}

void swirl__server_tls_free(swirl_server_t *srv) {
    for (int i = 0; i < srv->nports; i++) {
        swirl_port_t *p = srv->ports[i];
        SSL_CTX_free(atomic_exchange(&p->tls_ctx, NULL));
        SSL_CTX_free(p->tls_ctx_old);
        p->tls_ctx_old = NULL;
    }
}
