/* src/client/settings.c — the client's settings table (the server's names
 * for the framing, Swoole's for the rest), run by the settings engine of
 * core/conf.h. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "client/settings.h"
#include "core/conf.h"
#include "core/internal.h"

#define KIB ((int64_t)1024)
#define GIB (KIB * KIB * KIB)
#define SECONDS_MAX (86400 * 365)

#define AT(f) offsetof(client_settings_t, f), sizeof(((client_settings_t *)0)->f)

/*   {name, alias, store, flags, min, max, slot, len_offset, choices, default} */
static const swirl__conf_key_t keys[] = {
#define XXF_KEY(...) SWIRL__FRAMING_CONF_KEY(client_settings_t, __VA_ARGS__)
    SWIRL__FRAMING_KEYS(XXF_KEY)
#undef XXF_KEY
        {"socket_buffer_size", NULL, SWIRL__CONF_I64, SWIRL__CONF_BYTES, 0, GIB,
         AT(socket_buffer_size), 0, NULL, "0"},
    {"open_tcp_nodelay", NULL, SWIRL__CONF_BOOL, 0, 0, 1, AT(open_tcp_nodelay), 0, NULL, "false"},
    {"bind_address", NULL, SWIRL__CONF_STRDUP, 0, 1, 4095, AT(bind_address), 0, NULL, NULL},
    {"bind_port", NULL, SWIRL__CONF_I64, 0, 0, 65535, AT(bind_port), 0, NULL, "0"},
    {"timeout", NULL, SWIRL__CONF_F64, SWIRL__CONF_SECONDS, -SECONDS_MAX, SECONDS_MAX, AT(timeout),
     0, NULL, NULL},
    {"connect_timeout", NULL, SWIRL__CONF_F64, SWIRL__CONF_SECONDS, -SECONDS_MAX, SECONDS_MAX,
     AT(connect_timeout), 0, NULL, NULL},
    {"read_timeout", NULL, SWIRL__CONF_F64, SWIRL__CONF_SECONDS, -SECONDS_MAX, SECONDS_MAX,
     AT(read_timeout), 0, NULL, NULL},
    {"write_timeout", NULL, SWIRL__CONF_F64, SWIRL__CONF_SECONDS, -SECONDS_MAX, SECONDS_MAX,
     AT(write_timeout), 0, NULL, NULL},
    {"ssl_cert_file", NULL, SWIRL__CONF_STRDUP, 0, 1, 4095, AT(ssl_cert_file), 0, NULL, NULL},
    {"ssl_key_file", NULL, SWIRL__CONF_STRDUP, 0, 1, 4095, AT(ssl_key_file), 0, NULL, NULL},
    {"ssl_verify_peer", NULL, SWIRL__CONF_BOOL, 0, 0, 1, AT(ssl_verify_peer), 0, NULL, "true"},
    {"ssl_allow_self_signed", NULL, SWIRL__CONF_BOOL, 0, 0, 1, AT(ssl_allow_self_signed), 0, NULL,
     "false"},
    {"ssl_cafile", NULL, SWIRL__CONF_STRDUP, 0, 1, 4095, AT(ssl_cafile), 0, NULL, NULL},
    {"ssl_capath", NULL, SWIRL__CONF_STRDUP, 0, 1, 4095, AT(ssl_capath), 0, NULL, NULL},
    {"ssl_host_name", NULL, SWIRL__CONF_STRDUP, 0, 1, 255, AT(ssl_host_name), 0, NULL, NULL},
};

static const swirl__conf_table_t table = {"client setting", keys, sizeof(keys) / sizeof(keys[0]),
                                          SWIRL__CONF_STYLE_CLIENT};

void swirl__client_settings_init(client_settings_t *s) {
    memset(s, 0, sizeof(*s));
    swirl__conf_defaults(&table, s);
    s->timeout = s->connect_timeout = s->read_timeout = s->write_timeout = NAN;
}

void swirl__client_settings_destroy(client_settings_t *s) { swirl__conf_release(&table, s); }

int swirl__client_settings_known(const char *key) {
    return swirl__conf_find(&table, key) ? 0 : swirl__conf_unknown(&table, key);
}

/* Apply `value`, or `text` when value is NULL; "timeout" sets the three
 * timeouts. */
static int apply(client_settings_t *s, const char *key, const swirl_value_t *value,
                 const char *text) {
    const swirl__conf_key_t *k = swirl__conf_find(&table, key);
    if (!k)
        return swirl__conf_unknown(&table, key);
    int rc =
        value ? swirl__conf_set(&table, k, s, *value) : swirl__conf_set_text(&table, k, s, text);
    if (rc == 0 && k->offset == offsetof(client_settings_t, timeout))
        s->connect_timeout = s->read_timeout = s->write_timeout = s->timeout;
    return rc;
}

int swirl__client_settings_apply(client_settings_t *s, const char *key, swirl_value_t value) {
    return apply(s, key, &value, NULL);
}

int swirl__client_settings_apply_text(client_settings_t *s, const char *key, const char *text) {
    return apply(s, key, NULL, text);
}
