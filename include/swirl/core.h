/* swirl/core.h — allocation, growable byte buffers, logging, clocks and the
 * values settings are given as.
 *
 * These are the pieces every other layer stands on. Nothing here starts a
 * thread or touches the network. */
#ifndef SWIRL_CORE_H
#define SWIRL_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <swirl/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- allocation ------------------------------------------------------------------------ */

/* The functions every swirl allocation goes through. All four must be set;
 * they follow the C library's contracts (realloc(p, 0) is never called). */
typedef struct swirl_allocator {
    void *(*malloc)(size_t size);
    void *(*calloc)(size_t count, size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);
} swirl_allocator_t;

/* Replace the process-wide allocator (tests use it to inject failures).
 * Call it before any swirl object exists: memory allocated by one allocator
 * must not be freed by another. NULL restores the C library's. Returns 0, or
 * SWIRL_EBADARG if a function pointer is missing. */
SWIRL_API int swirl_set_allocator(const swirl_allocator_t *allocator);

/* Allocate through the current allocator. NULL on failure (never aborts).
 * swirl_calloc checks count * size for overflow. */
SWIRL_API void *swirl_malloc(size_t size);
SWIRL_API void *swirl_calloc(size_t count, size_t size);
SWIRL_API void *swirl_realloc(void *ptr, size_t size);
SWIRL_API void swirl_free(void *ptr);
/* A copy of the NUL-terminated `s`, to be freed with swirl_free. NULL on OOM. */
SWIRL_API char *swirl_strdup(const char *s);

/* ---- byte buffers ---------------------------------------------------------------------- */

/* A growable byte buffer with a read cursor: bytes are appended at `len`
 * and consumed from `start`, so the live bytes are data[start..len). Plain
 * data: the fields may be read directly; change them only through the
 * functions below. A zeroed struct is an empty buffer. */
typedef struct swirl_buf {
    char *data;
    size_t start; /* first live byte */
    size_t len;   /* one past the last live byte */
    size_t cap;   /* bytes allocated at data */
} swirl_buf_t;

/* Make `buf` empty, with no memory. */
SWIRL_API void swirl_buf_init(swirl_buf_t *buf);
/* Free the buffer's memory and make it empty. */
SWIRL_API void swirl_buf_destroy(swirl_buf_t *buf);
/* Ensure at least `n` writable bytes after the live bytes (may move them to
 * the front or grow). Returns 0, -ENOMEM, or SWIRL_ETOOBIG on size overflow. */
SWIRL_API int swirl_buf_reserve(swirl_buf_t *buf, size_t n);
/* Append `n` bytes. Returns 0 or a negative code (buffer unchanged). */
SWIRL_API int swirl_buf_append(swirl_buf_t *buf, const void *data, size_t n);
/* Append printf-formatted text (no NUL is kept). 0 or a negative code. */
SWIRL_API int swirl_buf_appendf(swirl_buf_t *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Drop the first `n` live bytes (all of them if n exceeds the count). */
SWIRL_API void swirl_buf_consume(swirl_buf_t *buf, size_t n);
/* Drop every live byte, keeping the memory. */
SWIRL_API void swirl_buf_clear(swirl_buf_t *buf);

/* The live bytes and their count (NULL for a buffer never grown: NULL + 0
 * is undefined behaviour). */
static inline char *swirl_buf_bytes(const swirl_buf_t *buf) {
    return buf->data ? buf->data + buf->start : NULL;
}
static inline size_t swirl_buf_size(const swirl_buf_t *buf) { return buf->len - buf->start; }
/* After writing `n` bytes into the space swirl_buf_reserve made, count them. */
static inline void swirl_buf_commit(swirl_buf_t *buf, size_t n) { buf->len += n; }

/* ---- logging --------------------------------------------------------------------------- */

/* Log levels, lowest first (swirl_log_set_level keeps a level and those above). */
typedef enum {
    SWIRL_LOG_DEBUG = 0,
    SWIRL_LOG_TRACE =
        1, /* Swoole's order: DEBUG 0, TRACE 1, INFO 2, NOTICE 3, WARNING 4, ERROR 5 */
    SWIRL_LOG_INFO = 2,
    SWIRL_LOG_NOTICE = 3,
    SWIRL_LOG_WARNING = 4,
    SWIRL_LOG_ERROR = 5,
    SWIRL_LOG_NONE = 6, /* as a level: log nothing */
} swirl_log_level_t;

/* The process-wide log: one line per event, written with a single write()
 * so lines from several processes sharing the file never interleave:
 *   2026-11-22 19:20:01.123 [1234] WARNING message
 * Goes to stderr until swirl_log_set_file(). Default level: INFO. */

/* Messages below `level` are dropped. Returns 0 or SWIRL_EBADARG. */
SWIRL_API int swirl_log_set_level(int level);
SWIRL_API int swirl_log_get_level(void);
/* Parse "debug", "info", "warning", ... (case-insensitive) or a digit 0-6.
 * Returns the level or SWIRL_EBADARG. */
SWIRL_API int swirl_log_level_parse(const char *name);
/* Log to `path` (created 0644, appended to). NULL goes back to stderr.
 * Returns 0, or a negative code with a last-error message naming the path. */
SWIRL_API int swirl_log_set_file(const char *path);
/* Reopen the current log file at its path (after logrotate moved it).
 * 0 when logging to stderr. The fd number stays the same, so concurrent
 * writers never see a closed fd. */
SWIRL_API int swirl_log_reopen(void);
/* Log a message at `level` (no trailing newline needed). */
SWIRL_API void swirl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
SWIRL_API void swirl_logv(int level, const char *fmt, va_list ap);
/* The line's layout: swirl's (above, the default) or Swoole's,
 *   [2026-11-22 19:20:01 #1234.0]\tWARNING\tmessage
 * whose symbol says the process (# master, $ manager, * worker, ^ task
 * worker) and the number after the pid is its worker id (0 outside a
 * worker); set the role with swirl_log_set_role. */
typedef enum { SWIRL_LOG_STYLE_SWIRL = 0, SWIRL_LOG_STYLE_SWOOLE = 1 } swirl_log_style_t;
SWIRL_API int swirl_log_set_style(int style);
/* This process's role in Swoole's layout: its symbol and worker id. */
SWIRL_API void swirl_log_set_role(char symbol, int worker_id);
/* Write `len` bytes of a line already formatted by the caller (its own
 * prefix, its newline) to the log, with one write(), if `level` passes the
 * filter: for a binding that keeps another project's line format. Bytes
 * past 64 KiB are dropped. */
SWIRL_API void swirl_log_write(int level, const char *line, size_t len);

#define swirl_log_debug(...) swirl_log(SWIRL_LOG_DEBUG, __VA_ARGS__)
#define swirl_log_info(...) swirl_log(SWIRL_LOG_INFO, __VA_ARGS__)
#define swirl_log_notice(...) swirl_log(SWIRL_LOG_NOTICE, __VA_ARGS__)
#define swirl_log_warning(...) swirl_log(SWIRL_LOG_WARNING, __VA_ARGS__)
#define swirl_log_error(...) swirl_log(SWIRL_LOG_ERROR, __VA_ARGS__)

/* ---- clocks ---------------------------------------------------------------------------- */

/* Monotonic time (CLOCK_MONOTONIC): never jumps with the wall clock. */
SWIRL_API uint64_t swirl_clock_ms(void);
SWIRL_API uint64_t swirl_clock_us(void);
SWIRL_API uint64_t swirl_clock_ns(void);
/* Wall-clock time in seconds since the epoch, with microseconds. */
SWIRL_API double swirl_time_now(void);

/* ---- setting values -------------------------------------------------------------------- */

/* The type a swirl_value_t holds (and a setting takes, in its info). */
typedef enum {
    SWIRL_VALUE_INT = 1,
    SWIRL_VALUE_FLOAT = 2,
    SWIRL_VALUE_BOOL = 3,
    SWIRL_VALUE_STRING = 4,
} swirl_value_type_t;

/* A setting's value as a caller (C, PHP, the command line) has it, for the
 * server's, a port's and the client's settings. A string is `len` bytes at
 * `s` (it may hold NULs, e.g. a package_eof); the setter copies it. */
typedef struct swirl_value {
    swirl_value_type_t type;
    union {
        int64_t i;
        double f;
        bool b;
        const char *s;
    } u;
    size_t len;
} swirl_value_t;

/* A value of each type, for the setters (swirl_server_set, swirl_client_set). */
static inline swirl_value_t swirl_value_int(int64_t i) {
    swirl_value_t v = {SWIRL_VALUE_INT, {.i = i}, 0};
    return v;
}
static inline swirl_value_t swirl_value_bool(bool b) {
    swirl_value_t v = {SWIRL_VALUE_BOOL, {.b = b}, 0};
    return v;
}
static inline swirl_value_t swirl_value_float(double f) {
    swirl_value_t v = {SWIRL_VALUE_FLOAT, {.f = f}, 0};
    return v;
}
/* `s` is NUL-terminated. */
SWIRL_API swirl_value_t swirl_value_string(const char *s);

#ifdef __cplusplus
}
#endif
#endif
