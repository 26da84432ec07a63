/* src/client/settings.h — the client's settings: the struct its table
 * fills (the framing keys are the server ports' list, protocol/
 * framing_conf.h) and the table's entry points, run by the settings engine
 * of core/conf.h. Never installed. */
#ifndef SWIRL_CLIENT_SETTINGS_H
#define SWIRL_CLIENT_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <swirl/core.h>

#include "protocol/framing_conf.h"

/* Settings as set (the framing is built from them at connect). Field names
 * are the key names. */
typedef struct client_settings {
    union { /* the framing keys, shared with server ports */
        struct {
            SWIRL__FRAMING_CONF_FIELDS
        };
        swirl__framing_conf_t framing;
    };
    int64_t socket_buffer_size; /* bytes 0..1 GiB, 0 = the system's */
    bool open_tcp_nodelay;
    char *bind_address; /* owned, or NULL */
    int64_t bind_port;  /* 0..65535 */
    double timeout;     /* the last "timeout" given; it sets the three below */
    double connect_timeout, read_timeout, write_timeout;                          /* NAN: not set */
    char *ssl_cert_file, *ssl_key_file, *ssl_cafile, *ssl_capath, *ssl_host_name; /* owned */
    bool ssl_verify_peer, ssl_allow_self_signed;
} client_settings_t;

/* Fill *s with the table's defaults (timeouts NAN: not set). */
void swirl__client_settings_init(client_settings_t *s);
/* Free the owned strings of *s. */
void swirl__client_settings_destroy(client_settings_t *s);
/* 0 if `key` is a client setting, else SWIRL_ESETTING naming it (and the
 * nearest name). */
int swirl__client_settings_known(const char *key);
/* Apply one key: 0, or SWIRL_ESETTING (-ENOMEM) with this thread's last
 * error naming the key and the value; nothing changes then. */
int swirl__client_settings_apply(client_settings_t *s, const char *key, swirl_value_t value);
/* The same, parsing `text` per the key (C escapes decoded in package_eof). */
int swirl__client_settings_apply_text(client_settings_t *s, const char *key, const char *text);

#endif
