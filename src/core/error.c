/* src/core/error.c — error names and messages, and the per-thread last error.
 * System codes are -errno; swirl's own come from SWIRL_ERRNO_MAP. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <swirl/error.h>

#include "internal.h"

/* Per-thread singleton: the last error of this thread. */
static _Thread_local struct {
    int code;
    char msg[512];
} last_error;

const char *swirl_strerror(int code) {
    switch (code) {
#define SWIRL__ERR_MSG(name, val, msg)                                                             \
    case val:                                                                                      \
        return msg;
        SWIRL_ERRNO_MAP(SWIRL__ERR_MSG)
#undef SWIRL__ERR_MSG
    case 0:
        return "success";
    default:
        break;
    }
    if (code < 0 && code > -4096) {
        /* strerrordesc_np is thread-safe and never localised. */
        const char *s = strerrordesc_np(-code);
        if (s)
            return s;
    }
    return "unknown error";
}

const char *swirl_err_name(int code) {
    switch (code) {
#define SWIRL__ERR_NAME(name, val, msg)                                                            \
    case val:                                                                                      \
        return "SWIRL_E" #name;
        SWIRL_ERRNO_MAP(SWIRL__ERR_NAME)
#undef SWIRL__ERR_NAME
    case 0:
        return "OK";
    default:
        break;
    }
    if (code < 0 && code > -4096) {
        const char *s = strerrorname_np(-code);
        if (s)
            return s;
    }
    return "UNKNOWN";
}

int swirl_last_error(void) { return last_error.code; }

const char *swirl_last_error_msg(void) { return last_error.msg; }

void swirl_clear_error(void) {
    last_error.code = 0;
    last_error.msg[0] = '\0';
}

int swirl__error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_error.msg, sizeof(last_error.msg), fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(last_error.msg) && last_error.msg[n - 1] == ':')
        snprintf(last_error.msg + n, sizeof(last_error.msg) - (size_t)n, " %s",
                 swirl_strerror(code));
    last_error.code = code;
    return code;
}

const char *swirl_version_string(void) { return SWIRL_VERSION_STRING; }

unsigned swirl_version_hex(void) { return SWIRL_VERSION_HEX; }
