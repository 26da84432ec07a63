/* src/server/task_settings.h — the task workers' settings: their rows of the server's settings
 * table and the struct they fill. Never installed. */
#ifndef SWIRL_SERVER_TASK_SETTINGS_H
#define SWIRL_SERVER_TASK_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

/* The task keys (server-wide), one row each, as SWIRL__HTTP_KEYS (http/settings.h):
 *   XX(field, TYPE, min, max, default_text, store, flags, doc) */
#define SWIRL__TASK_KEYS(XX)                                                                       \
    XX(task_worker_num, INT, 0, 1024, "0", SWIRL__CONF_I64, 0,                                     \
       "task worker processes (need a task callback)")                                             \
    XX(task_ipc_mode, INT, 1, 3, "1", SWIRL__CONF_I64, 0,                                          \
       "1 unix sockets; 2 System V message queue; 3 message queue, task workers compete")          \
    XX(task_max_request, INT, 0, INT64_MAX, "0", SWIRL__CONF_I64, 0,                               \
       "a task worker exits and is replaced after this many tasks (0 = never)")                    \
    XX(task_queue_max, INT, 1, INT32_MAX, "1000000", SWIRL__CONF_I64, 0,                           \
       "tasks waiting per task worker; past it task() fails at once (queue full); the default "   \
       "never refuses what Swoole would queue")                                                   \
    XX(task_tmpdir, STRING, 1, 4000, "/tmp", SWIRL__CONF_PATH, 0,                                  \
       "directory for task data larger than one message (temp files, always removed)")

/* The fields the keys fill (as SWIRL__HTTP_SETTINGS_FIELDS). */
#define SWIRL__TASK_SETTINGS_FIELDS                                                                \
    int64_t task_worker_num;  /* 0..1024, default 0 */                                             \
    int64_t task_ipc_mode;    /* 1 sockets, 2 message queue, 3 competing; default 1 */             \
    int64_t task_max_request; /* 0 = never */                                                      \
    int64_t task_queue_max;   /* per task worker, default 1000000 */                               \
    char task_tmpdir[4001];   /* default /tmp */

typedef struct swirl__task_settings {
    SWIRL__TASK_SETTINGS_FIELDS
} swirl__task_settings_t;

#endif
