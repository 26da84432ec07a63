/* swirl_functions.c — Swoole's global functions beside the module's own
 * (swirl.c): swoole_async_set, swoole_error_log(_ex), swoole_ignore_error,
 * swoole_clear_error, swoole_get_local_ip/mac, swoole_substr_unserialize,
 * swoole_substr_json_decode, swoole_clear_dns_cache, and the SWOOLE_ERROR_*
 * and SWOOLE_STRERROR_* constants with swoole_strerror's messages. */
#include "php_swirl.h"

#include <ext/json/php_json.h>
#include <ext/standard/php_var.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "swirl_errors.h"

/* Per-process singleton: the codes swoole_ignore_error() silenced for
 * swoole_error_log_ex (a forked child inherits them, as in Swoole). */
static struct {
    HashTable ignored;
    bool ready;
    bool send_timeout_set;
    double send_timeout; /* swoole_async_set's socket_send_timeout */
} swirl_php_fn;

double swirl_php_async_send_timeout(void) {
    return swirl_php_fn.send_timeout_set ? swirl_php_fn.send_timeout : -1;
}

static const struct {
    const char *name;
    int code;
    const char *msg;
} swoole_errors[] = {
#define XX(name, val, msg) {"SWOOLE_ERROR_" #name, val, msg},
    SWIRL_SWOOLE_ERRORS(XX)
#undef XX
};

void swirl_functions_minit(int module_number) {
    REGISTER_LONG_CONSTANT("SWOOLE_STRERROR_SYSTEM", SWIRL_STRERROR_SYSTEM, CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_STRERROR_GAI", SWIRL_STRERROR_GAI, CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_STRERROR_DNS", SWIRL_STRERROR_DNS, CONST_PERSISTENT);
    REGISTER_LONG_CONSTANT("SWOOLE_STRERROR_SWOOLE", SWIRL_STRERROR_SWOOLE, CONST_PERSISTENT);
    for (size_t i = 0; i < sizeof swoole_errors / sizeof swoole_errors[0]; i++) {
        zend_register_long_constant(swoole_errors[i].name, strlen(swoole_errors[i].name),
                                    swoole_errors[i].code, CONST_PERSISTENT, module_number);
    }
}

void swirl_functions_mshutdown(void) {
    if (swirl_php_fn.ready) {
        zend_hash_destroy(&swirl_php_fn.ignored);
        swirl_php_fn.ready = false;
    }
}

const char *swirl_php_swoole_strerror(zend_long code) {
    for (size_t i = 0; i < sizeof swoole_errors / sizeof swoole_errors[0]; i++) {
        if (swoole_errors[i].code == code) {
            return swoole_errors[i].msg;
        }
    }
    return NULL;
}

/* ---- swoole_async_set ------------------------------------------------------------------- */

/* Swoole's process-wide keys (its swoole_async_set and Co::set) that swirl
 * accepts without acting on them: coroutines, hooks, the DNS resolver and
 * cache, the AIO thread pool, HTTP/2, io_uring, signalfd and the default
 * socket time-outs and buffer of coroutine sockets belong to parts swirl
 * does not have, or that it sizes itself. */
static const char *const async_accepted[] = {
    "enable_coroutine",
    "hook_flags",
    "trace_flags",
    "display_errors",
    "debug_mode",
    "print_backtrace_on_error",
    "log_date_format",
    "log_date_with_microseconds",
    "log_rotation",
    "dns_server",
    "dns_cache_refresh_time",
    "dns_lookup_random",
    "disable_dns_cache",
    "use_async_resolver",
    "enable_signalfd",
    "enable_kqueue",
    "wait_signal",
    "socket_buffer_size",
    "socket_dns_timeout",
    "socket_connect_timeout",
    "socket_read_timeout",
    "socket_recv_timeout",
    "aio_core_worker_num",
    "aio_worker_num",
    "aio_max_wait_time",
    "aio_max_idle_time",
    "thread_num",
    "min_thread_num",
    "max_thread_num",
    "iouring_entries",
    "iouring_workers",
    "iouring_flag",
    "http2_header_table_size",
    "http2_enable_push",
    "http2_max_concurrent_streams",
    "http2_init_window_size",
    "http2_max_frame_size",
    "http2_max_header_list_size",
    "http2_max_headers",
    "max_coroutine",
    "c_stack_size",
    "stack_size",
    "enable_preemptive_scheduler",
    "enable_deadlock_check",
    "exit_condition",
    "name_resolver",
    "enable_reuse_port",
    "socket_dontwait",
    "dns_cache_expire",
    "dns_cache_capacity",
};

static bool async_key_accepted(zend_string *key) {
    for (size_t i = 0; i < sizeof async_accepted / sizeof async_accepted[0]; i++) {
        if (zend_string_equals_cstr(key, async_accepted[i], strlen(async_accepted[i]))) {
            return true;
        }
    }
    return false;
}

/* swoole_async_set: log_level and log_file are applied (the process-wide
 * log of libswirl, the one swoole_error_log writes to); socket_send_timeout
 * (or socket_write_timeout, socket_timeout) is kept for the servers started
 * later (swirl_php_async_send_timeout); Swoole's other keys
 * are accepted and change nothing (above); an unknown key or a bad value is
 * refused with a warning naming it, and the call then returns false after
 * applying the others. */
PHP_FUNCTION(swoole_async_set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    bool ok = true;
    zend_string *key;
    zend_ulong idx;
    zval *val;
    ZEND_HASH_FOREACH_KEY_VAL(settings, idx, key, val) {
        ZVAL_DEREF(val);
        if (!key) {
            php_error_docref(NULL, E_WARNING, "unknown setting " ZEND_ULONG_FMT, idx);
            ok = false;
        } else if (zend_string_equals_literal(key, "log_level")) {
            zend_long level = zval_get_long(val);
            int rc = swirl_log_set_level(level < INT_MIN || level > INT_MAX ? -1 : (int)level);
            if (rc < 0) {
                swirl_php_warn(rc);
                ok = false;
            }
        } else if (zend_string_equals_literal(key, "log_file")) {
            zend_string *path = zval_get_string(val);
            int rc = ZSTR_LEN(path) == strlen(ZSTR_VAL(path))
                         ? swirl_log_set_file(ZSTR_LEN(path) ? ZSTR_VAL(path) : NULL)
                         : SWIRL_EBADARG;
            zend_string_release(path);
            if (rc < 0) {
                swirl_php_warn(rc);
                ok = false;
            }
        } else if (zend_string_equals_literal(key, "socket_send_timeout") ||
                   zend_string_equals_literal(key, "socket_write_timeout") ||
                   zend_string_equals_literal(key, "socket_timeout")) {
            /* Swoole's default write timeout; swirl's servers use it for
             * finish() (socket_send_timeout of swirl_server_set) */
            double t = zval_get_double(val);
            swirl_php_fn.send_timeout = t > 0 ? (t < 86400 ? t : 86400) : 0;
            swirl_php_fn.send_timeout_set = true;
        } else if (!async_key_accepted(key)) {
            php_error_docref(NULL, E_WARNING, "unknown setting \"%s\"", ZSTR_VAL(key));
            ok = false;
        }
    }
    ZEND_HASH_FOREACH_END();
    RETURN_BOOL(ok);
}

/* ---- logging ---------------------------------------------------------------------------- */

/* One line in Swoole's format, "[date *pid.0]\tLEVEL\tmessage\n", to the
 * process-wide log at `level` (dropped below log_level). */
static void error_log_line(zend_long level, const char *msg, size_t len) {
    static const char *const names[] = {"DEBUG", "TRACE", "INFO", "NOTICE", "WARNING", "ERROR"};
    if (level < SWIRL_LOG_DEBUG || level >= SWIRL_LOG_NONE || level < swirl_log_get_level()) {
        return;
    }
    char date[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm)) {
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    }
    zend_string *line = zend_strpprintf(0, "[%s *%d.0]\t%s\t%.*s\n", date, (int)getpid(),
                                        names[level], (int)MIN(len, 65000), msg);
    swirl_log_write((int)level, ZSTR_VAL(line), ZSTR_LEN(line));
    zend_string_release(line);
}

PHP_FUNCTION(swoole_error_log) {
    zend_long level;
    zend_string *msg;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_LONG(level)
    Z_PARAM_STR(msg)
    ZEND_PARSE_PARAMETERS_END();
    error_log_line(level, ZSTR_VAL(msg), ZSTR_LEN(msg));
}

PHP_FUNCTION(swoole_error_log_ex) {
    zend_long level, error;
    zend_string *msg;
    ZEND_PARSE_PARAMETERS_START(3, 3)
    Z_PARAM_LONG(level)
    Z_PARAM_LONG(error)
    Z_PARAM_STR(msg)
    ZEND_PARSE_PARAMETERS_END();
    if (swirl_php_fn.ready && zend_hash_index_exists(&swirl_php_fn.ignored, (zend_ulong)error)) {
        return;
    }
    zend_string *text = zend_strpprintf(0, "swoole_error_log_ex() (ERRNO " ZEND_LONG_FMT "): %s",
                                        error, ZSTR_VAL(msg));
    error_log_line(level, ZSTR_VAL(text), ZSTR_LEN(text));
    zend_string_release(text);
}

PHP_FUNCTION(swoole_ignore_error) {
    zend_long error;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(error)
    ZEND_PARSE_PARAMETERS_END();
    if (!swirl_php_fn.ready) {
        zend_hash_init(&swirl_php_fn.ignored, 8, NULL, NULL, 1);
        swirl_php_fn.ready = true;
    }
    zval t;
    ZVAL_TRUE(&t);
    zend_hash_index_update(&swirl_php_fn.ignored, (zend_ulong)error, &t);
}

PHP_FUNCTION(swoole_clear_error) {
    ZEND_PARSE_PARAMETERS_NONE();
    swirl_clear_error();
}

/* ---- interfaces ------------------------------------------------------------------------- */

/* The addresses of the interfaces that are up, interface => address, in
 * `family` (AF_INET by default, or AF_INET6), loopback ones left out. */
PHP_FUNCTION(swoole_get_local_ip) {
    zend_long family = AF_INET;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(family)
    ZEND_PARSE_PARAMETERS_END();
    if (family != AF_INET && family != AF_INET6) {
        zend_argument_value_error(1, "must be AF_INET or AF_INET6");
        RETURN_THROWS();
    }
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0) {
        php_error_docref(NULL, E_WARNING, "getifaddrs() failed: %s", strerror(errno));
        RETURN_FALSE;
    }
    array_init(return_value);
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !(ifa->ifa_flags & IFF_UP) || ifa->ifa_addr->sa_family != family) {
            continue;
        }
        char text[INET6_ADDRSTRLEN];
        const void *addr;
        if (family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)ifa->ifa_addr;
            if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127) {
                continue;
            }
            addr = &sin->sin_addr;
        } else {
            const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ifa->ifa_addr;
            if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
                continue;
            }
            addr = &sin6->sin6_addr;
        }
        if (inet_ntop((int)family, addr, text, sizeof text)) {
            add_assoc_string(return_value, ifa->ifa_name, text);
        }
    }
    freeifaddrs(list);
}

/* The hardware addresses of the non-loopback interfaces, interface =>
 * "AA:BB:CC:DD:EE:FF". */
PHP_FUNCTION(swoole_get_local_mac) {
    ZEND_PARSE_PARAMETERS_NONE();
    struct if_nameindex *names = if_nameindex();
    if (!names) {
        php_error_docref(NULL, E_WARNING, "if_nameindex() failed: %s", strerror(errno));
        RETURN_FALSE;
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        php_error_docref(NULL, E_WARNING, "socket() failed: %s", strerror(errno));
        if_freenameindex(names);
        RETURN_FALSE;
    }
    array_init(return_value);
    for (struct if_nameindex *n = names; n->if_index != 0 && n->if_name; n++) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", n->if_name);
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags & IFF_LOOPBACK)) {
            continue;
        }
        if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0) {
            continue;
        }
        const unsigned char *a = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
        char mac[18];
        snprintf(mac, sizeof mac, "%02X:%02X:%02X:%02X:%02X:%02X", a[0], a[1], a[2], a[3], a[4],
                 a[5]);
        add_assoc_string(return_value, n->if_name, mac);
    }
    close(sock);
    if_freenameindex(names);
}

/* swirl resolves host names with the system's resolver on each call: it
 * keeps no DNS cache, so there is nothing to clear. */
PHP_FUNCTION(swoole_clear_dns_cache) { ZEND_PARSE_PARAMETERS_NONE(); }

/* ---- decoding part of a string -------------------------------------------------------- */

/* The part of a `len`-byte string from `offset` (from the end if negative)
 * of `length` bytes (the rest if <= 0 or past the end); false when the
 * offset is outside the string. */
static bool substr_range(size_t len, zend_long *offset, zend_long *length) {
    if (len == 0) {
        return false;
    }
    if (*offset < 0) {
        *offset += (zend_long)len;
        if (*offset < 0) {
            return false;
        }
    }
    if (*offset >= (zend_long)len) {
        return false;
    }
    if (*length <= 0 || *length > (zend_long)len - *offset) {
        *length = (zend_long)len - *offset;
    }
    return true;
}

PHP_FUNCTION(swoole_substr_unserialize) {
    zend_string *str;
    zend_long offset, length = 0;
    HashTable *options = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 4)
    Z_PARAM_STR(str)
    Z_PARAM_LONG(offset)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(length)
    Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    if (!substr_range(ZSTR_LEN(str), &offset, &length)) {
        RETURN_FALSE;
    }
    php_unserialize_with_options(return_value, ZSTR_VAL(str) + offset, (size_t)length, options,
                                 "swoole_substr_unserialize");
}

PHP_FUNCTION(swoole_substr_json_decode) {
    zend_string *str;
    zend_long offset, length = 0, depth = PHP_JSON_PARSER_DEFAULT_DEPTH, flags = 0;
    bool assoc = false, assoc_null = true;
    ZEND_PARSE_PARAMETERS_START(2, 6)
    Z_PARAM_STR(str)
    Z_PARAM_LONG(offset)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(length)
    Z_PARAM_BOOL_OR_NULL(assoc, assoc_null)
    Z_PARAM_LONG(depth)
    Z_PARAM_LONG(flags)
    ZEND_PARSE_PARAMETERS_END();
    if (ZSTR_LEN(str) == 0) {
        php_error_docref(NULL, E_WARNING, "Non-empty string required");
        RETURN_NULL();
    }
    zend_long off = offset;
    if (off < 0 && off + (zend_long)ZSTR_LEN(str) < 0) {
        php_error_docref(NULL, E_WARNING,
                         "Offset must be not less than the negative length of the string");
        RETURN_NULL();
    }
    if (!substr_range(ZSTR_LEN(str), &offset, &length)) {
        php_error_docref(NULL, E_WARNING, "Offset must be less than the length of the string");
        RETURN_NULL();
    }
    if (depth <= 0 || depth > INT_MAX) {
        zend_argument_value_error(5, "must be greater than 0 and less than %d", INT_MAX);
        RETURN_THROWS();
    }
    if (!assoc_null) {
        flags = assoc ? (flags | PHP_JSON_OBJECT_AS_ARRAY) : (flags & ~PHP_JSON_OBJECT_AS_ARRAY);
    }
    php_json_decode_ex(return_value, ZSTR_VAL(str) + offset, (size_t)length, flags, depth);
}
