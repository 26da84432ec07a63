/* src/server/settings.h — the typed settings the server and its listeners
 * hold, filled from the one table in settings.c that the C API, the PHP
 * extension and the command line share. Never installed. */
#ifndef SWIRL_SERVER_SETTINGS_H
#define SWIRL_SERVER_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/server.h>

#include "http/settings.h"
#include "protocol/framing_conf.h"
#include "task_settings.h"
#include "tls_settings.h"
#include "websocket/settings.h"

/* Server-wide values. Field names are the setting names. */
typedef struct swirl__server_settings {
    int64_t reactor_num;              /* 1..256; 0 = not set: CPU count at start */
    int64_t worker_num;               /* 1..1024; 0 = not set: CPU count at start */
    int64_t max_request;              /* 0..INT64_MAX, 0 = never */
    int64_t max_conn;                 /* 1..1000000; 0 = not set: ulimit -n at start.
                                       * Alias key: max_connection */
    int64_t dispatch_mode;            /* 1..5, default 2 */
    int64_t heartbeat_check_interval; /* seconds 0..86400, 0 = off */
    int64_t heartbeat_idle_time;      /* seconds 0..86400, 0 = 2 x interval */
    double send_timeout;              /* seconds 0..86400, default 60; 0 = never */
    double max_idle_time;             /* seconds 0..86400, default 0 = never */
    int64_t buffer_output_size;       /* bytes 1..1 GiB, default 2 MiB */
    int64_t socket_buffer_size;       /* bytes 1..1 GiB, default 2 MiB */
    bool enable_reuse_port;           /* default false */
    bool open_cpu_affinity;           /* default false */
    bool enable_coroutine;            /* accepted for compatibility; default true as Swoole */
    int64_t log_level;                /* 0..6 as swirl_log_level_t, default 2 (INFO); also
                                       * accepts names "debug" "info" "warning"... */
    char log_file[4096];              /* "" = stderr */
    union {                           /* the task workers' keys (task_settings.h) */
        struct {
            SWIRL__TASK_SETTINGS_FIELDS
        };
        swirl__task_settings_t task;
    };
    int64_t message_queue_key;  /* System V key of the task queue, 0 = IPC_PRIVATE */
    int64_t max_request_grace;  /* 0..; -1 = not set: max_request / 2 when max_request > 10 */
    int64_t max_queued_bytes;   /* PROCESS mode, bytes queued for a worker; 0 = no limit */
    bool single_thread;         /* PROCESS mode: reactor_num 1 */
    bool send_yield;            /* a send that does not fit waits for room (send.c) */
    double socket_send_timeout; /* seconds 0..86400, 0 = a finish never waits (task.c) */
    int64_t max_wait_time;      /* seconds 0..3600, default 3 */
    bool daemonize;             /* default false */
    char user[256], group[256]; /* "" = unchanged */
    char chroot[4096];          /* "" = none */
    char pid_file[4096];        /* "" = none */
    union {                     /* the HTTP layer's keys (http/settings.h) */
        struct {
            SWIRL__HTTP_SETTINGS_FIELDS
        };
        swirl__http_settings_t http;
    };
    union { /* the WebSocket layer's keys (websocket/settings.h) */
        struct {
            SWIRL__WS_SETTINGS_FIELDS
        };
        swirl__ws_settings_t websocket;
    };
} swirl__server_settings_t;

/* Per-listener values; on the server they are every port's defaults. */
typedef struct swirl__port_settings {
    union { /* the framing keys, shared with the client (protocol/framing_conf.h) */
        struct {
            SWIRL__FRAMING_CONF_FIELDS
        };
        swirl__framing_conf_t framing;
    };
    bool open_tcp_nodelay;    /* default false */
    int64_t tcp_defer_accept; /* seconds 0..3600, default 0 */
    bool tcp_fastopen;        /* default false */
    int64_t backlog;          /* 1..65535, default 512 */
    int64_t kernel_socket_send_buffer_size; /* SO_SNDBUF bytes, 0 = the kernel's */
    int64_t kernel_socket_recv_buffer_size; /* SO_RCVBUF bytes, 0 = the kernel's */
    union {                   /* TLS listeners' keys (tls_settings.h) */
        struct {
            SWIRL__TLS_SETTINGS_FIELDS
        };
        swirl__tls_settings_t tls;
    };
    SWIRL__HTTP_PORT_FIELDS  /* which protocols (http/settings.h) */
    uint64_t set_mask;  /* bit i: table key i was set on this struct */
} swirl__port_settings_t;

/* Fill *s with the table's defaults (computed ones left 0 = "not set"). */
void swirl__server_settings_init(swirl__server_settings_t *s);
/* Fill *p with the table's defaults. */
void swirl__port_settings_init(swirl__port_settings_t *p);

/* What a listener actually uses: `defaults` (the server's port-scoped
 * values) overlaid with the keys set on `own` (its set_mask), so a port
 * inherits every key it does not set itself. */
void swirl__port_settings_merge(swirl__port_settings_t *out, const swirl__port_settings_t *defaults,
                                const swirl__port_settings_t *own);

/* Apply one setting. `server` may be NULL (then server-scoped keys are an
 * error naming the key as "not a per-port setting"); `port` may be NULL
 * (then port-scoped keys are an error). Converts the value per the key's
 * type; string values are copied. Returns 0, or SWIRL_ESETTING with the
 * last-error message set, and then changes nothing. */
int swirl__settings_apply(swirl__server_settings_t *server, swirl__port_settings_t *port,
                          const char *key, swirl_value_t value);

/* Same, parsing `text` (NUL-terminated) per the key's type: integers in
 * decimal with an optional K/M/G suffix for byte sizes, bools
 * true/false/on/off/yes/no/1/0, strings as is (with the C escapes \r \n \t
 * \\ \0 \xHH decoded for package_eof). Returns 0 or SWIRL_ESETTING. */
int swirl__settings_apply_text(swirl__server_settings_t *server, swirl__port_settings_t *port,
                               const char *key, const char *text);

/* The set_mask bits of the ssl_* keys. */
uint64_t swirl__settings_ssl_mask(void);

#endif
