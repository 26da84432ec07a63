/* src/server/tls_settings.h — the TLS listeners' settings (ports created with SWIRL_SOCK_SSL):
 * their rows of the server's settings table and the struct they fill. Never installed. */
#ifndef SWIRL_SERVER_TLS_SETTINGS_H
#define SWIRL_SERVER_TLS_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

/* The ssl_* keys (per port), one row each, as SWIRL__HTTP_KEYS (http/settings.h):
 *   XX(field, TYPE, min, max, default_text, store, flags, doc) */
#define SWIRL__TLS_KEYS(XX)                                                                        \
    XX(ssl_cert_file, STRING, 0, 4095, "none", SWIRL__CONF_PATH, SWIRL__CONF_COMPUTED,             \
       "certificate of an SSL listener (PEM; the chain may follow it)")                            \
    XX(ssl_key_file, STRING, 0, 4095, "in ssl_cert_file", SWIRL__CONF_PATH, SWIRL__CONF_COMPUTED,  \
       "private key of an SSL listener (PEM)")                                                     \
    XX(ssl_ciphers, STRING, 0, 1023, "OpenSSL's", SWIRL__CONF_PATH, SWIRL__CONF_COMPUTED,          \
       "OpenSSL cipher list for TLS 1.2 and below")                                                \
    XX(ssl_protocols, STRING, 1, 63, "TLSv1.2 TLSv1.3", SWIRL__CONF_PATH, 0,                       \
       "TLS versions accepted: any of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3")                              \
    XX(ssl_verify_peer, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                                  \
       "require a client certificate signed by ssl_client_cert_file")                              \
    XX(ssl_client_cert_file, STRING, 0, 4095, "none", SWIRL__CONF_PATH, SWIRL__CONF_COMPUTED,      \
       "CA certificate(s) that sign client certificates (PEM)")

/* The fields the keys fill (as SWIRL__HTTP_SETTINGS_FIELDS). */
#define SWIRL__TLS_SETTINGS_FIELDS                                                                 \
    char ssl_cert_file[4096];                                                                      \
    char ssl_key_file[4096]; /* "" = the key is in ssl_cert_file */                                \
    char ssl_ciphers[1024];  /* "" = OpenSSL's */                                                  \
    char ssl_protocols[64];  /* default "TLSv1.2 TLSv1.3" */                                       \
    bool ssl_verify_peer;                                                                          \
    char ssl_client_cert_file[4096];

typedef struct swirl__tls_settings {
    SWIRL__TLS_SETTINGS_FIELDS
} swirl__tls_settings_t;

#endif
