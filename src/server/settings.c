/* src/server/settings.c — the settings table: every key's name, type, range,
 * default and doc, and the conversions from what a C, PHP or command-line
 * caller hands us into the typed structs of settings.h. */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <swirl/core.h>
#include <swirl/server.h>

#include "core/internal.h"
#include "settings.h"

enum {
    ST_I64,  /* int64_t */
    ST_F64,  /* double */
    ST_BOOL, /* bool */
    ST_EOF,  /* package_eof[] + package_eof_len */
    ST_CHAR, /* one char from LENGTH_TYPES */
    ST_PATH, /* NUL-terminated char[] without embedded NULs */
};

enum {
    F_COMPUTED = 1 << 0, /* default_text describes a value found at start: init leaves 0 / "" */
    F_BYTES = 1 << 1,    /* a byte count: text may end in K, M or G (powers of 1024) */
    F_LOGLEVEL = 1 << 2, /* also accepts a level name (swirl_log_level_parse) */
    F_ESCAPES = 1 << 3,  /* text form decodes C escapes */
};

#define KIB ((int64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* The one table. Each row:
 *   XX(field, TYPE, min, max, default_text, SCOPE, store, flags, alias, doc)
 * `field` is both the key and the member of the SCOPE's struct. For STRING
 * keys min..max bounds the length in bytes; for BOOL keys it is 0..1.
 * default_text is parsed by swirl__settings_apply_text to fill the defaults
 * (unless F_COMPUTED), so it is always valid input. */
#define SWIRL__SETTINGS(XX)                                                                        \
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
    XX(buffer_output_size, INT, 1, GIB, "2M", SERVER, ST_I64, F_BYTES, NULL,                       \
       "largest single send, in bytes")                                                            \
    XX(socket_buffer_size, INT, 1, GIB, "2M", SERVER, ST_I64, F_BYTES, NULL,                       \
       "per-connection output buffer limit, in bytes")                                             \
    XX(enable_reuse_port, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                           \
       "set SO_REUSEPORT on listening sockets")                                                    \
    XX(open_cpu_affinity, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                           \
       "pin reactor threads and workers to cores")                                                 \
    XX(enable_coroutine, BOOL, 0, 1, "true", SERVER, ST_BOOL, 0, NULL,                             \
       "accepted for compatibility with Swoole (coroutines are a later stage)")                    \
    XX(task_worker_num, INT, 0, 1024, "0", SERVER, ST_I64, 0, NULL,                                \
       "task worker processes (need task and finish callbacks)")                                   \
    XX(task_ipc_mode, INT, 1, 3, "1", SERVER, ST_I64, 0, NULL,                                     \
       "1 unix sockets; 2 System V message queue; 3 message queue, task workers compete")          \
    XX(task_max_request, INT, 0, INT64_MAX, "0", SERVER, ST_I64, 0, NULL,                          \
       "a task worker exits and is replaced after this many tasks (0 = never)")                    \
    XX(task_queue_max, INT, 1, 1000000, "1024", SERVER, ST_I64, 0, NULL,                           \
       "tasks waiting per task worker; past it task() fails at once (queue full)")                 \
    XX(task_tmpdir, STRING, 1, 4000, "/tmp", SERVER, ST_PATH, 0, NULL,                             \
       "directory for task data larger than one message (temp files, always removed)")             \
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
    XX(http_max_request_line, INT, 64, GIB, "8K", SERVER, ST_I64, F_BYTES, NULL,                   \
       "HTTP: longest request line; a longer one is answered 414")                                 \
    XX(http_max_header_size, INT, 256, GIB, "16K", SERVER, ST_I64, F_BYTES, NULL,                  \
       "HTTP: largest request head (request line and headers); larger is answered 431")            \
    XX(http_max_headers, INT, 1, 10000, "100", SERVER, ST_I64, 0, NULL,                            \
       "HTTP: most header lines in a request; more is answered 431")                               \
    XX(http_header_timeout, INT, 0, 3600, "10", SERVER, ST_I64, 0, NULL,                           \
       "HTTP: seconds a client has to send a whole request head, and the longest pause inside a "  \
       "body (then 408 and close; 0 = no limit)")                                                  \
    XX(enable_static_handler, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                       \
       "HTTP: serve files under document_root before calling the request handler")                 \
    XX(http_parse_post, BOOL, 0, 1, "true", SERVER, ST_BOOL, 0, NULL,                              \
       "HTTP: parse urlencoded and multipart/form-data bodies into fields and files")              \
    XX(upload_tmp_dir, STRING, 1, 4000, "/tmp", SERVER, ST_PATH, 0, NULL,                          \
       "HTTP: directory multipart uploads are streamed to (temp files, removed after the "         \
       "request)")                                                                                 \
    XX(upload_max_filesize, INT, 0, INT64_MAX, "0", SERVER, ST_I64, F_BYTES, NULL,                 \
       "HTTP: largest uploaded file; a larger one is dropped with UPLOAD_ERR_INI_SIZE (0 = only "  \
       "package_max_length bounds it)")                                                            \
    XX(open_websocket_close_frame, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                  \
       "WebSocket: deliver close frames to the message callback instead of answering them")        \
    XX(open_websocket_ping_frame, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                   \
       "WebSocket: deliver ping frames to the message callback instead of answering them")         \
    XX(open_websocket_pong_frame, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                   \
       "WebSocket: deliver pong frames to the message callback instead of dropping them")          \
    XX(websocket_ping_interval, INT, 0, 86400, "0", SERVER, ST_I64, 0, NULL,                       \
       "WebSocket: seconds between pings to connections that went silent (0 = never); with "       \
       "heartbeat_idle_time, peers that stop answering are closed")                                \
    XX(websocket_compression, BOOL, 0, 1, "false", SERVER, ST_BOOL, 0, NULL,                       \
       "WebSocket: permessage-deflate when the client offers it (messages from "                   \
       "compression_min_length bytes on are compressed, at http_compression_level)")               \
    XX(http_parse_cookie, BOOL, 0, 1, "true", SERVER, ST_BOOL, 0, NULL,                            \
       "HTTP: parse Cookie headers into fields")                                                   \
    XX(http_compression, BOOL, 0, 1, "true", SERVER, ST_BOOL, 0, NULL,                             \
       "HTTP: gzip response bodies of compressible types when the client accepts gzip")            \
    XX(http_compression_level, INT, 1, 9, "1", SERVER, ST_I64, 0, NULL,                            \
       "HTTP: gzip level, 1 (fastest) to 9 (smallest)")                                            \
    XX(compression_min_length, INT, 0, GIB, "20", SERVER, ST_I64, F_BYTES, NULL,                   \
       "HTTP: bodies shorter than this are not compressed")                                        \
    XX(document_root, STRING, 0, 4095, "none", SERVER, ST_PATH, F_COMPUTED, NULL,                  \
       "HTTP: the directory static files are served from")                                         \
    XX(open_eof_check, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                                \
       "deliver data only up to and including package_eof")                                        \
    XX(open_eof_split, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                                \
       "split data at package_eof: one receive event per message")                                 \
    XX(package_eof, STRING, 1, 8, "\\r\\n", PORT, ST_EOF, F_ESCAPES, NULL,                         \
       "the bytes that end a message (1..8)")                                                      \
    XX(open_length_check, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                             \
       "deliver length-prefixed messages")                                                         \
    XX(package_length_type, STRING, 1, 1, "N", PORT, ST_CHAR, 0, NULL,                             \
       "type of the length field, as PHP pack: c C s S n N l L v V")                               \
    XX(package_length_offset, INT, 0, 65536, "0", PORT, ST_I64, 0, NULL,                           \
       "offset of the length field in the header")                                                 \
    XX(package_body_offset, INT, 0, 65536, "0", PORT, ST_I64, 0, NULL,                             \
       "offset where the length starts counting (the header size)")                                \
    XX(package_max_length, INT, 1, GIB, "2M", PORT, ST_I64, F_BYTES, NULL,                         \
       "largest message or request body; larger closes the connection")                            \
    XX(open_tcp_nodelay, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                              \
       "set TCP_NODELAY on accepted connections")                                                  \
    XX(tcp_defer_accept, INT, 0, 3600, "0", PORT, ST_I64, 0, NULL,                                 \
       "TCP_DEFER_ACCEPT seconds: accept only once data arrives (0 = off)")                        \
    XX(tcp_fastopen, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL, "enable TCP Fast Open")          \
    XX(backlog, INT, 1, 65535, "512", PORT, ST_I64, 0, NULL, "listen backlog")                     \
    XX(ssl_cert_file, STRING, 0, 4095, "none", PORT, ST_PATH, F_COMPUTED, NULL,                    \
       "certificate of an SSL listener (PEM; the chain may follow it)")                            \
    XX(ssl_key_file, STRING, 0, 4095, "in ssl_cert_file", PORT, ST_PATH, F_COMPUTED, NULL,         \
       "private key of an SSL listener (PEM)")                                                     \
    XX(ssl_ciphers, STRING, 0, 1023, "OpenSSL's", PORT, ST_PATH, F_COMPUTED, NULL,                 \
       "OpenSSL cipher list for TLS 1.2 and below")                                                \
    XX(ssl_protocols, STRING, 1, 63, "TLSv1.2 TLSv1.3", PORT, ST_PATH, 0, NULL,                    \
       "TLS versions accepted: any of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3")                              \
    XX(ssl_verify_peer, BOOL, 0, 1, "false", PORT, ST_BOOL, 0, NULL,                               \
       "require a client certificate signed by ssl_client_cert_file")                              \
    XX(ssl_client_cert_file, STRING, 0, 4095, "none", PORT, ST_PATH, F_COMPUTED, NULL,             \
       "CA certificate(s) that sign client certificates (PEM)")

/* What the public swirl_setting_info_t does not say: where the value lives. */
typedef struct entry {
    size_t offset; /* in the scope's struct */
    size_t size;   /* of that member */
    int store;     /* ST_* */
    unsigned flags;
    const char *alias;
} entry_t;

#define OFFSET_SERVER(f) offsetof(swirl__server_settings_t, f)
#define OFFSET_PORT(f) offsetof(swirl__port_settings_t, f)
#define SIZE_SERVER(f) sizeof(((swirl__server_settings_t *)0)->f)
#define SIZE_PORT(f) sizeof(((swirl__port_settings_t *)0)->f)

static const swirl_setting_info_t infos[] = {
#define XX_INFO(f, type, min, max, deflt, scope, store, flags, alias, doc)                         \
    {#f, SWIRL_VALUE_##type, (min), (max), deflt, doc, SWIRL_SETTING_##scope},
    SWIRL__SETTINGS(XX_INFO)
#undef XX_INFO
};

static const entry_t entries[] = {
#define XX_ENTRY(f, type, min, max, deflt, scope, store, flags, alias, doc)                        \
    {OFFSET_##scope(f), SIZE_##scope(f), store, flags, alias},
    SWIRL__SETTINGS(XX_ENTRY)
#undef XX_ENTRY
};

#define NSETTINGS (sizeof(infos) / sizeof(infos[0]))
_Static_assert(NSETTINGS <= 64, "set_mask has one bit per setting");

static const char LENGTH_TYPES[] = "cCsSnNlLvV";

/* ---- lookup -------------------------------------------------------------------------------- */

static int find_index(const char *name) {
    if (!name)
        return -1;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(infos[i].name, name) == 0 ||
            (entries[i].alias && strcmp(entries[i].alias, name) == 0))
            return (int)i;
    return -1;
}

const swirl_setting_info_t *swirl_settings_list(size_t *count) {
    if (count)
        *count = NSETTINGS;
    return infos;
}

const swirl_setting_info_t *swirl_setting_find(const char *name) {
    int i = find_index(name);
    return i < 0 ? NULL : &infos[i];
}

swirl_value_t swirl_value_string(const char *s) {
    swirl_value_t v = {SWIRL_VALUE_STRING, {.s = s ? s : ""}, s ? strlen(s) : 0};
    return v;
}

/* Edit distance between `a` and `b`; `b` is a table name (short), so one
 * row of len(b)+1 cells fits on the stack. Gives up (returns SIZE_MAX) on
 * names too long to be worth suggesting for. */
static size_t levenshtein(const char *a, const char *b) {
    size_t lb = strlen(b);
    size_t row[65];
    if (lb >= sizeof(row) / sizeof(row[0]))
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Render `len` bytes of `s` into `out` as a quoted C-like string, escaping
 * what is not printable and cutting long values short with "...". */
static void quote(char *out, size_t size, const char *s, size_t len) {
    static const size_t shown_max = 48;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len && i < shown_max && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '\r':
            esc = "\\r";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\0':
            esc = "\\0";
            break;
        default:
            break;
        }
        if (esc)
            o += (size_t)snprintf(out + o, size - o, "%s", esc);
        else if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (len > shown_max && o + 5 < size)
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o++] = '"';
    out[o] = '\0';
}

static int unknown_key(const char *key) {
    char shown[256];
    if (!key)
        return swirl__error(SWIRL_ESETTING, "setting name is NULL");
    quote(shown, sizeof(shown), key, strlen(key));
    size_t klen = strlen(key);
    size_t limit = klen / 3 > 2 ? klen / 3 : 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *names[2] = {infos[i].name, entries[i].alias};
        for (int k = 0; k < 2 && names[k]; k++) {
            size_t d = levenshtein(key, names[k]);
            if (d < best_d) {
                best_d = d;
                best = names[k];
            }
        }
    }
    if (best && best_d <= limit)
        return swirl__error(SWIRL_ESETTING, "unknown setting %s (did you mean \"%s\"?)", shown,
                            best);
    return swirl__error(SWIRL_ESETTING, "unknown setting %s", shown);
}

/* ---- conversion ---------------------------------------------------------------------------- */

/* The value as given, for messages: 9, 1.5, true, "abc". */
static void describe(char *out, size_t size, swirl_value_t v) {
    switch (v.type) {
    case SWIRL_VALUE_INT:
        snprintf(out, size, "%lld", (long long)v.u.i);
        break;
    case SWIRL_VALUE_FLOAT:
        snprintf(out, size, "%g", v.u.f);
        break;
    case SWIRL_VALUE_BOOL:
        snprintf(out, size, "%s", v.u.b ? "true" : "false");
        break;
    case SWIRL_VALUE_STRING:
        if (!v.u.s)
            snprintf(out, size, "a NULL string");
        else
            quote(out, size, v.u.s, v.len);
        break;
    default:
        snprintf(out, size, "a value of unknown type %d", (int)v.type);
        break;
    }
}

/* What `i` expects, for messages: "an integer 1..1024". */
static void expected(char *out, size_t size, size_t i) {
    const swirl_setting_info_t *info = &infos[i];
    const entry_t *e = &entries[i];
    long long lo = (long long)info->min, hi = (long long)info->max;
    if (e->flags & F_LOGLEVEL) {
        snprintf(out, size,
                 "an integer %lld..%lld or a level name (debug, trace, info, notice, warning, "
                 "error, none)",
                 lo, hi);
        return;
    }
    switch (e->store) {
    case ST_I64:
        if (e->flags & F_BYTES)
            snprintf(out, size, "a byte count %lld..%lld (a K, M or G suffix allowed)", lo, hi);
        else if (info->max == INT64_MAX)
            snprintf(out, size, "an integer >= %lld", lo);
        else
            snprintf(out, size, "an integer %lld..%lld", lo, hi);
        break;
    case ST_F64:
        snprintf(out, size, "a number %lld..%lld", lo, hi);
        break;
    case ST_BOOL:
        snprintf(out, size, "a bool (true/false, on/off, yes/no, 1/0)");
        break;
    case ST_CHAR:
        snprintf(out, size, "one of c C s S n N l L v V");
        break;
    case ST_PATH:
        snprintf(out, size, "a path of at most %lld bytes without NUL bytes", hi);
        break;
    default:
        snprintf(out, size, "a string of %lld..%lld bytes", lo, hi);
        break;
    }
}

static int bad_value(size_t i, swirl_value_t v) {
    char want[160], got[256];
    expected(want, sizeof(want), i);
    describe(got, sizeof(got), v);
    return swirl__error(SWIRL_ESETTING, "%s: expected %s, got %s", infos[i].name, want, got);
}

/* Copy a counted string into a NUL-terminated buffer; false if it does not
 * fit or holds a NUL (never a valid number or bool). */
static bool to_cstr(char *buf, size_t size, const char *s, size_t len) {
    if (!s || len >= size || memchr(s, '\0', len))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

/* Decimal integer with an optional sign and, if `bytes`, one K/M/G suffix. */
static bool parse_int(const char *s, bool bytes, int64_t *out) {
    bool neg = false;
    int64_t v = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        int64_t d = *s - '0';
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, neg ? -d : d, &v))
            return false;
    }
    if (*s && bytes) {
        int64_t mult = 0;
        switch (*s) {
        case 'k':
        case 'K':
            mult = KIB;
            break;
        case 'm':
        case 'M':
            mult = MIB;
            break;
        case 'g':
        case 'G':
            mult = GIB;
            break;
        default:
            return false;
        }
        s++;
        if (__builtin_mul_overflow(v, mult, &v))
            return false;
    }
    if (*s)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out) {
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
        if (strcasecmp(s, yes[k]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[k]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_double(const char *s, double *out) {
    char *end;
    if (!*s || (*s != '-' && *s != '+' && *s != '.' && (*s < '0' || *s > '9')))
        return false;
    double d = strtod(s, &end);
    if (*end || d != d)
        return false;
    *out = d;
    return true;
}

/* A converted value, ready to store. */
typedef struct conv {
    int64_t i;
    double f;
    bool b;
    const char *s;
    size_t len;
} conv_t;

static int convert_int(size_t i, swirl_value_t v, conv_t *c) {
    const entry_t *e = &entries[i];
    char buf[64];
    switch (v.type) {
    case SWIRL_VALUE_INT:
        c->i = v.u.i;
        break;
    case SWIRL_VALUE_FLOAT:
        /* Only integral values inside int64 (2^63 is exactly representable). */
        if (!(v.u.f >= -9223372036854775808.0 && v.u.f < 9223372036854775808.0) ||
            (double)(int64_t)v.u.f != v.u.f)
            return bad_value(i, v);
        c->i = (int64_t)v.u.f;
        break;
    case SWIRL_VALUE_STRING:
        if (!to_cstr(buf, sizeof(buf), v.u.s, v.len))
            return bad_value(i, v);
        if (!parse_int(buf, e->flags & F_BYTES, &c->i)) {
            int lvl;
            /* swirl_log_level_parse records its own error; ours replaces it. */
            if (!(e->flags & F_LOGLEVEL) || (lvl = swirl_log_level_parse(buf)) < 0)
                return bad_value(i, v);
            c->i = lvl;
        }
        break;
    default:
        return bad_value(i, v);
    }
    if (c->i < infos[i].min || c->i > infos[i].max)
        return bad_value(i, v);
    return 0;
}

static int convert_double(size_t i, swirl_value_t v, conv_t *c) {
    char buf[64];
    switch (v.type) {
    case SWIRL_VALUE_INT:
        c->f = (double)v.u.i;
        break;
    case SWIRL_VALUE_FLOAT:
        c->f = v.u.f;
        break;
    case SWIRL_VALUE_STRING:
        if (!to_cstr(buf, sizeof(buf), v.u.s, v.len) || !parse_double(buf, &c->f))
            return bad_value(i, v);
        break;
    default:
        return bad_value(i, v);
    }
    if (!(c->f >= (double)infos[i].min && c->f <= (double)infos[i].max))
        return bad_value(i, v);
    return 0;
}

static int convert_bool(size_t i, swirl_value_t v, conv_t *c) {
    char buf[16];
    switch (v.type) {
    case SWIRL_VALUE_BOOL:
        c->b = v.u.b;
        return 0;
    case SWIRL_VALUE_INT:
        c->b = v.u.i != 0;
        return 0;
    case SWIRL_VALUE_STRING:
        if (to_cstr(buf, sizeof(buf), v.u.s, v.len) && parse_bool(buf, &c->b))
            return 0;
        return bad_value(i, v);
    default:
        return bad_value(i, v);
    }
}

static int convert_string(size_t i, swirl_value_t v, conv_t *c) {
    const swirl_setting_info_t *info = &infos[i];
    const entry_t *e = &entries[i];
    if (v.type != SWIRL_VALUE_STRING || (!v.u.s && v.len > 0))
        return bad_value(i, v);
    c->s = v.u.s ? v.u.s : "";
    c->len = v.len;
    if (e->store == ST_CHAR) {
        if (c->len != 1 || !strchr(LENGTH_TYPES, c->s[0]) || c->s[0] == '\0')
            return bad_value(i, v);
        return 0;
    }
    if (e->store == ST_PATH && memchr(c->s, '\0', c->len))
        return bad_value(i, v);
    if ((int64_t)c->len < info->min || (int64_t)c->len > info->max) {
        char got[256];
        describe(got, sizeof(got), v);
        return swirl__error(SWIRL_ESETTING, "%s: expected %lld..%lld bytes, got %zu (%s)",
                            info->name, (long long)info->min, (long long)info->max, c->len, got);
    }
    return 0;
}

static int convert(size_t i, swirl_value_t v, conv_t *c) {
    switch (infos[i].type) {
    case SWIRL_VALUE_INT:
        return convert_int(i, v, c);
    case SWIRL_VALUE_FLOAT:
        return convert_double(i, v, c);
    case SWIRL_VALUE_BOOL:
        return convert_bool(i, v, c);
    default:
        return convert_string(i, v, c);
    }
}

/* Write a converted value into its struct; cannot fail. */
static void store(size_t i, char *base, const conv_t *c) {
    const entry_t *e = &entries[i];
    char *field = base + e->offset;
    switch (e->store) {
    case ST_I64:
        memcpy(field, &c->i, sizeof(c->i));
        break;
    case ST_F64:
        memcpy(field, &c->f, sizeof(c->f));
        break;
    case ST_BOOL:
        memcpy(field, &c->b, sizeof(c->b));
        break;
    case ST_CHAR:
        *field = c->s[0];
        break;
    case ST_PATH:
        memcpy(field, c->s, c->len);
        memset(field + c->len, 0, e->size - c->len);
        break;
    case ST_EOF: {
        swirl__port_settings_t *p = (swirl__port_settings_t *)base;
        memset(p->package_eof, 0, sizeof(p->package_eof));
        memcpy(p->package_eof, c->s, c->len);
        p->package_eof_len = c->len;
        break;
    }
    default:
        break;
    }
}

/* ---- apply ---------------------------------------------------------------------------------- */

int swirl__settings_apply(swirl__server_settings_t *server, swirl__port_settings_t *port,
                          const char *key, swirl_value_t value) {
    int i = find_index(key);
    if (i < 0)
        return unknown_key(key);
    const swirl_setting_info_t *info = &infos[i];
    char *base;
    if (info->scope & SWIRL_SETTING_SERVER) {
        if (!server)
            return swirl__error(SWIRL_ESETTING,
                                "%s: not a per-port setting (it applies to the "
                                "whole server)",
                                info->name);
        base = (char *)server;
    } else {
        if (!port)
            return swirl__error(SWIRL_ESETTING, "%s: a per-port setting, not accepted here",
                                info->name);
        base = (char *)port;
    }
    conv_t c = {0};
    int rc = convert((size_t)i, value, &c);
    if (rc < 0)
        return rc;
    store((size_t)i, base, &c);
    if (base == (char *)port)
        port->set_mask |= UINT64_C(1) << i;
    return 0;
}

void swirl__port_settings_merge(swirl__port_settings_t *out, const swirl__port_settings_t *defaults,
                                const swirl__port_settings_t *own) {
    *out = *defaults;
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (!(own->set_mask & (UINT64_C(1) << i)))
            continue;
        memcpy((char *)out + entries[i].offset, (const char *)own + entries[i].offset,
               entries[i].size);
        if (entries[i].store == ST_EOF)
            out->package_eof_len = own->package_eof_len;
    }
    out->set_mask = defaults->set_mask | own->set_mask;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode \r \n \t \\ \0 \xHH from `text` into `out` (at least strlen(text)
 * bytes); returns the decoded length, or -1 with *bad at the faulty escape. */
static ssize_t unescape(const char *text, char *out, const char **bad) {
    size_t o = 0;
    for (const char *s = text; *s; s++) {
        if (*s != '\\') {
            out[o++] = *s;
            continue;
        }
        *bad = s;
        switch (s[1]) {
        case 'r':
            out[o++] = '\r';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case '\\':
            out[o++] = '\\';
            break;
        case '0':
            out[o++] = '\0';
            break;
        case 'x': {
            int hi = hexval(s[2]), lo = hi < 0 ? -1 : hexval(s[3]);
            if (lo < 0)
                return -1;
            out[o++] = (char)(hi << 4 | lo);
            s += 2;
            break;
        }
        default:
            return -1;
        }
        s++;
    }
    return (ssize_t)o;
}

int swirl__settings_apply_text(swirl__server_settings_t *server, swirl__port_settings_t *port,
                               const char *key, const char *text) {
    int i = find_index(key);
    if (i < 0)
        return unknown_key(key);
    if (!text)
        return swirl__error(SWIRL_ESETTING, "%s: no value given", infos[i].name);
    if (!(entries[i].flags & F_ESCAPES))
        return swirl__settings_apply(server, port, key, swirl_value_string(text));

    size_t tlen = strlen(text);
    char small[64];
    char *buf = tlen < sizeof(small) ? small : swirl_malloc(tlen + 1);
    if (!buf)
        return swirl__error(-ENOMEM, "%s:", infos[i].name);
    const char *bad = NULL;
    ssize_t n = unescape(text, buf, &bad);
    int rc;
    if (n < 0) {
        char shown[256];
        quote(shown, sizeof(shown), text, tlen);
        rc = swirl__error(SWIRL_ESETTING,
                          "%s: bad escape at byte %zu of %s (known: \\r \\n \\t \\\\ \\0 \\xHH)",
                          infos[i].name, (size_t)(bad - text), shown);
    } else {
        swirl_value_t v = {SWIRL_VALUE_STRING, {.s = buf}, (size_t)n};
        rc = swirl__settings_apply(server, port, key, v);
    }
    if (buf != small)
        swirl_free(buf);
    return rc;
}

/* ---- defaults ------------------------------------------------------------------------------- */

/* Apply every default_text of `scope` to `base`; computed ones stay zero. */
static void init_scope(void *server, void *port, unsigned scope) {
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (!(infos[i].scope & scope) || (entries[i].flags & F_COMPUTED))
            continue;
        int rc = swirl__settings_apply_text(server, port, infos[i].name, infos[i].default_text);
        /* The table's defaults are valid input by construction; the tests check each. */
        assert(rc == 0);
        (void)rc;
    }
}

void swirl__server_settings_init(swirl__server_settings_t *s) {
    memset(s, 0, sizeof(*s));
    init_scope(s, NULL, SWIRL_SETTING_SERVER);
}

uint64_t swirl__settings_ssl_mask(void) {
    uint64_t mask = 0;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strncmp(infos[i].name, "ssl_", 4) == 0)
            mask |= UINT64_C(1) << i;
    return mask;
}

void swirl__port_settings_init(swirl__port_settings_t *p) {
    memset(p, 0, sizeof(*p));
    init_scope(NULL, p, SWIRL_SETTING_PORT);
    p->set_mask = 0; /* defaults are not "set" */
}
