/* src/server/settings.c — the server's and its ports' settings table: every
 * key's name, type, range, default and doc (the framing keys come from
 * protocol/framing_conf.h, shared with the client), run by the settings
 * engine of core/conf.h, which converts what a C, PHP or command-line
 * caller hands us into the typed structs of settings.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <swirl/core.h>
#include <swirl/server.h>

#include "core/conf.h"
#include "core/internal.h"
#include "protocol/framing_conf.h"
#include "settings.h"
#include "task_settings.h"
#include "tls_settings.h"

enum {
    ST_I64 = SWIRL__CONF_I64,
    ST_F64 = SWIRL__CONF_F64,
    ST_BOOL = SWIRL__CONF_BOOL,
    ST_PATH = SWIRL__CONF_PATH,
};

enum {
    F_COMPUTED = SWIRL__CONF_COMPUTED, /* default_text describes a value found at start */
    F_BYTES = SWIRL__CONF_BYTES,       /* a byte count: text may end in K, M or G */
    F_LOGLEVEL = SWIRL__CONF_LOGLEVEL, /* also accepts a level name (swirl_log_level_parse) */
};

#define KIB ((int64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* The one table. Each row:
 *   XX(field, TYPE, min, max, default_text, SCOPE, store, flags, alias, doc)
 * `field` is both the key and the member of the SCOPE's struct. For STRING
 * keys min..max bounds the length in bytes; for BOOL keys it is 0..1.
 * default_text is parsed by swirl__conf_set_text to fill the defaults
 * (unless F_COMPUTED), so it is always valid input. The framing keys are
 * rows of SWIRL__FRAMING_KEYS, given to XXF (port-scoped); the task
 * workers', HTTP's and WebSocket's keys are their own lists
 * (task_settings.h, http/settings.h, websocket/settings.h), given to
 * ROW_SERVER (server-wide), the TLS listeners' (tls_settings.h) to ROW_PORT
 * (port-scoped): both call ROW, which the user of the table defines as its
 * XX. */
#define ROW_SERVER(f, type, min, max, deflt, store, flags, doc)                                    \
    ROW(f, type, min, max, deflt, SERVER, store, flags, NULL, doc)
#define ROW_PORT(f, type, min, max, deflt, store, flags, doc)                                      \
    ROW(f, type, min, max, deflt, PORT, store, flags, NULL, doc)
#define SWIRL__SETTINGS(XX, XXF)                                                                   \
    XX(reactor_num, INT, 1, 256, "CPU count", SERVER, ST_I64, F_COMPUTED, NULL,                    \
       "reactor threads in the master (PROCESS mode)")                                             \
    XX(worker_num, INT, 1, 1024, "CPU count", SERVER, ST_I64, F_COMPUTED, NULL,                    \
       "worker processes")                                                                         \
    XX(max_request, INT, 0, INT64_MAX, "0", SERVER, ST_I64, 0, NULL,                               \
       "a worker exits and is replaced after this many requests (0 = never)")                      \
    XX(max_conn, INT, 1, 1000000, "ulimit -n", SERVER, ST_I64, F_COMPUTED, "max_connection",       \
       "connections held at once; past it new ones are closed at once")                            \
    XX(dispatch_mode, INT, 1, 5, "2", SERVER, ST_I64, 0, NULL,                                     \
       "1 round robin, 2 by fd, 3 to an idle worker, 4 by client IP, 5 by bound uid")              \
    XX(heartbeat_check_interval, INT, 0, 86400, "0", SERVER, ST_I64, 0, NULL,                      \
       "seconds between idle-connection checks (0 = off)")                                         \
    XX(heartbeat_idle_time, INT, 0, 86400, "2 x heartbeat_check_interval", SERVER, ST_I64,         \
       F_COMPUTED, NULL, "seconds a connection may stay idle before it is closed")                 \
    XX(send_timeout, FLOAT, 0, 86400, "60", SERVER, ST_F64, 0, NULL,                               \
       "seconds a connection's pending output may make no progress before it is closed (0 = "      \
       "never)")                                                                                   \
    XX(max_idle_time, FLOAT, 0, 86400, "0", SERVER, ST_F64, 0, NULL,                               \
       "seconds a connection may receive and send nothing before it is closed (0 = never)")        \
    XX(buffer_output_size, INT, 1, GIB, "2M", SERVER, ST_I64, F_BYTES, "output_buffer_size",       \
       "largest single send, in bytes")                                                            \
    XX(socket_buffer_size, INT, 1, GIB, "2M", SERVER, ST_I64, F_BYTES, NULL,                       \
       "per-connection output buffer limit, in bytes")                                             \
    XX(enable_reuse_port, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                           \
       "set SO_REUSEPORT on listening sockets")                                                    \
    XX(open_cpu_affinity, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                           \
       "pin reactor threads and workers to cores")                                                 \
    XX(enable_coroutine, BOOL, 0, 1, "true", SERVER, ST_BOOL, 0, NULL,                             \
       "accepted for compatibility with Swoole (coroutines are a later stage)")                    \
    SWIRL__TASK_KEYS(ROW_SERVER)                                                                   \
    XX(message_queue_key, INT, 0, INT64_MAX, "0", SERVER, ST_I64, 0, NULL,                         \
       "System V key of the task message queue (task_ipc_mode 2 and 3; 0 = a private queue)")      \
    XX(max_request_grace, INT, 0, INT64_MAX, "max_request / 2 when max_request > 10", SERVER,      \
       ST_I64, F_COMPUTED, NULL,                                                                   \
       "a worker exits after max_request plus a random 0..max_request_grace requests, so "         \
       "workers started together are not all replaced at once (0 = exactly max_request)")          \
    XX(max_queued_bytes, INT, 0, GIB, "0", SERVER, ST_I64, F_BYTES, NULL,                          \
       "PROCESS mode: past this many bytes queued for a worker, its connections are not read "     \
       "until it catches up (0 = no limit)")                                                       \
    XX(single_thread, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                               \
       "PROCESS mode: one reactor thread serves every connection (reactor_num 1)")                 \
    XX(send_yield, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                                  \
       "a send that does not fit in socket_buffer_size waits in place for room, up to "            \
       "send_timeout (Swoole's send_yield, without coroutines)")                                   \
    XX(socket_send_timeout, FLOAT, 0, 86400, "0", SERVER, ST_F64, 0, NULL,                         \
       "seconds a task worker's finish waits for the worker to take what is already queued for "   \
       "it before it fails (0 = it never waits: results queue in memory)")                         \
    XX(max_wait_time, INT, 0, 3600, "3", SERVER, ST_I64, 0, NULL,                                  \
       "seconds a stopping worker may take to finish its work (reload, shutdown) before it is "    \
       "killed")                                                                                   \
    XX(pid_file, STRING, 0, 4095, "none", SERVER, ST_PATH, F_COMPUTED, NULL,                       \
       "file the master's pid is written to at start and removed from at exit (empty = none)")     \
    XX(daemonize, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                                   \
       "detach from the terminal once the ports are bound (stdio to /dev/null, log to log_file)")  \
    XX(user, STRING, 0, 255, "unchanged", SERVER, ST_PATH, F_COMPUTED, NULL,                       \
       "user the workers run as (the master keeps its own, to bind and reload)")                   \
    XX(group, STRING, 0, 255, "user's group", SERVER, ST_PATH, F_COMPUTED, NULL,                   \
       "group the workers run as")                                                                 \
    XX(chroot, STRING, 0, 4095, "none", SERVER, ST_PATH, F_COMPUTED, NULL,                         \
       "directory the workers are confined to (chroot) before they run user code")                 \
    XX(log_level, INT, 0, 6, "info", SERVER, ST_I64, F_LOGLEVEL, NULL,                             \
       "least severe level logged: debug, trace, info, notice, warning, error, none or 0..6")      \
    XX(log_file, STRING, 0, 4095, "stderr", SERVER, ST_PATH, F_COMPUTED, NULL,                     \
       "file the log is appended to (empty = stderr)")                                             \
    SWIRL__HTTP_KEYS(ROW_SERVER)                                                                   \
    SWIRL__WS_KEYS(ROW_SERVER)                                                                     \
    SWIRL__FRAMING_KEYS(XXF)                                                                       \
    XX(open_tcp_nodelay, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                              \
       "set TCP_NODELAY on accepted connections")                                                  \
    XX(tcp_defer_accept, INT, 0, 3600, "0", PORT, ST_I64, 0, NULL,                                 \
       "TCP_DEFER_ACCEPT seconds: accept only once data arrives (0 = off)")                        \
    XX(tcp_fastopen, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL, "enable TCP Fast Open")          \
    XX(backlog, INT, 1, 65535, "512", PORT, ST_I64, 0, NULL, "listen backlog")                     \
    XX(kernel_socket_send_buffer_size, INT, 0, GIB, "0", PORT, ST_I64, F_BYTES, NULL,              \
       "SO_SNDBUF of the listener and its connections, in bytes (0 = the kernel's)")               \
    XX(kernel_socket_recv_buffer_size, INT, 0, GIB, "0", PORT, ST_I64, F_BYTES, NULL,              \
       "SO_RCVBUF of the listener and its connections, in bytes (0 = the kernel's)")               \
    SWIRL__TLS_KEYS(ROW_PORT)                                                                      \
    SWIRL__HTTP_PORT_KEYS(ROW_PORT)

#define OFFSET_SERVER(f) offsetof(swirl__server_settings_t, f)
#define OFFSET_PORT(f) offsetof(swirl__port_settings_t, f)
#define SIZE_SERVER(f) sizeof(((swirl__server_settings_t *)0)->f)
#define SIZE_PORT(f) sizeof(((swirl__port_settings_t *)0)->f)

static const swirl_setting_info_t infos[] = {
#define INFO_SCOPE(scope, flags)                                                                   \
    (SWIRL_SETTING_##scope | ((flags)&F_BYTES ? SWIRL_SETTING_BYTES : 0))
#define XX_INFO(f, type, min, max, deflt, scope, store, flags, alias, doc)                         \
    {#f, SWIRL_VALUE_##type, (min), (max), deflt, doc, INFO_SCOPE(scope, flags)},
#define XXF_INFO(f, type, min, max, deflt, store, flags, len, doc)                                 \
    XX_INFO(f, type, min, max, deflt, PORT, store, flags, NULL, doc)
#define ROW XX_INFO
    SWIRL__SETTINGS(XX_INFO, XXF_INFO)
#undef ROW
#undef XXF_INFO
#undef XX_INFO
#undef INFO_SCOPE
};

/* The engine's rows, in the same order: what the public info does not say
 * (where the value lives). */
static const swirl__conf_key_t keys[] = {
#define XX_KEY(f, type, min, max, deflt, scope, store, flags, alias, doc)                          \
    {#f, alias, store, flags, (min), (max), OFFSET_##scope(f), SIZE_##scope(f), 0, NULL, deflt},
#define XXF_KEY(...) SWIRL__FRAMING_CONF_KEY(swirl__port_settings_t, __VA_ARGS__)
#define ROW XX_KEY
    SWIRL__SETTINGS(XX_KEY, XXF_KEY)
#undef ROW
#undef XXF_KEY
#undef XX_KEY
};

#define NSETTINGS (sizeof(infos) / sizeof(infos[0]))
_Static_assert(sizeof(keys) / sizeof(keys[0]) == NSETTINGS, "one row per setting");

static const swirl__conf_table_t table = {"setting", keys, NSETTINGS, SWIRL__CONF_STYLE_SERVER};

/* set_mask has one bit per port key: the port rows come after every
 * server row, bit i for row NSERVER + i. */
static size_t nserver(void) {
    size_t n = 0;
    while (n < NSETTINGS && (infos[n].scope & SWIRL_SETTING_SERVER))
        n++;
    return n;
}

static uint64_t port_bit(size_t row) { return UINT64_C(1) << (row - nserver()); }

/* ---- lookup -------------------------------------------------------------------------------- */

const swirl_setting_info_t *swirl_settings_list(size_t *count) {
    if (count)
        *count = NSETTINGS;
    return infos;
}

const swirl_setting_info_t *swirl_setting_find(const char *name) {
    const swirl__conf_key_t *k = swirl__conf_find(&table, name);
    return k ? &infos[k - keys] : NULL;
}

/* ---- apply ---------------------------------------------------------------------------------- */

/* The key's row and the struct it fills, or SWIRL_ESETTING naming why. */
static int locate(swirl__server_settings_t *server, swirl__port_settings_t *port, const char *key,
                  const swirl__conf_key_t **k, char **base) {
    *k = swirl__conf_find(&table, key);
    if (!*k)
        return swirl__conf_unknown(&table, key);
    if (infos[*k - keys].scope & SWIRL_SETTING_SERVER) {
        if (!server)
            return swirl__error(SWIRL_ESETTING,
                                "%s: not a per-port setting (it applies to the "
                                "whole server)",
                                (*k)->name);
        *base = (char *)server;
    } else {
        if (!port)
            return swirl__error(SWIRL_ESETTING, "%s: a per-port setting, not accepted here",
                                (*k)->name);
        *base = (char *)port;
    }
    return 0;
}

/* Apply `value`, or `text` when value is NULL. */
static int apply(swirl__server_settings_t *server, swirl__port_settings_t *port, const char *key,
                 const swirl_value_t *value, const char *text) {
    const swirl__conf_key_t *k;
    char *base = NULL;
    int rc = locate(server, port, key, &k, &base);
    if (rc == 0)
        rc = value ? swirl__conf_set(&table, k, base, *value)
                   : swirl__conf_set_text(&table, k, base, text);
    if (rc == 0 && base == (char *)port)
        port->set_mask |= port_bit((size_t)(k - keys));
    return rc;
}

int swirl__settings_apply(swirl__server_settings_t *server, swirl__port_settings_t *port,
                          const char *key, swirl_value_t value) {
    return apply(server, port, key, &value, NULL);
}

int swirl__settings_apply_text(swirl__server_settings_t *server, swirl__port_settings_t *port,
                               const char *key, const char *text) {
    return apply(server, port, key, NULL, text);
}

void swirl__port_settings_merge(swirl__port_settings_t *out, const swirl__port_settings_t *defaults,
                                const swirl__port_settings_t *own) {
    *out = *defaults;
    for (size_t i = nserver(); i < NSETTINGS; i++)
        if (own->set_mask & port_bit(i))
            swirl__conf_copy(&keys[i], out, own);
    out->set_mask = defaults->set_mask | own->set_mask;
}

/* ---- defaults ------------------------------------------------------------------------------- */

/* The rows of `scope`, as a table of their own (rows of one scope are
 * consecutive: server keys first, then port keys). */
static swirl__conf_table_t scope_table(unsigned scope) {
    size_t first = 0, n = 0;
    while (first < NSETTINGS && !(infos[first].scope & scope))
        first++;
    while (first + n < NSETTINGS && (infos[first + n].scope & scope))
        n++;
    swirl__conf_table_t t = {table.what, keys + first, n, table.style};
    return t;
}

void swirl__server_settings_init(swirl__server_settings_t *s) {
    memset(s, 0, sizeof(*s));
    swirl__conf_table_t t = scope_table(SWIRL_SETTING_SERVER);
    swirl__conf_defaults(&t, s);
    s->max_request_grace = -1; /* not set: computed from max_request at start */
}

uint64_t swirl__settings_ssl_mask(void) {
    uint64_t mask = 0;
    for (size_t i = nserver(); i < NSETTINGS; i++)
        if (strncmp(infos[i].name, "ssl_", 4) == 0)
            mask |= port_bit(i);
    return mask;
}

void swirl__port_settings_init(swirl__port_settings_t *p) {
    memset(p, 0, sizeof(*p));
    swirl__conf_table_t t = scope_table(SWIRL_SETTING_PORT);
    swirl__conf_defaults(&t, p);
    p->set_mask = 0; /* defaults are not "set" */
}
