/* src/client/error.c — a client's last error: its code and message, kept
 * on the client (swirl_client_errcode/errmsg) and set as the thread's last
 * error. Every other file of the client reports through it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/internal.h"

int swirl__client_fail(swirl_client_t *c, int code, const char *fmt, ...) {
    char msg[sizeof(c->err_msg)];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(msg) && msg[n - 1] == ':')
        snprintf(msg + n, sizeof(msg) - (size_t)n, " %s", swirl_strerror(code));
    if (c) {
        c->err_code = code;
        memcpy(c->err_msg, msg, sizeof(msg));
    }
    return swirl__error(code, "%s", msg);
}

int swirl__client_keep_error(swirl_client_t *c, int code) {
    c->err_code = code;
    snprintf(c->err_msg, sizeof(c->err_msg), "%s", swirl_last_error_msg());
    return code;
}

int swirl_client_errcode(const swirl_client_t *c) { return c ? c->err_code : SWIRL_EBADARG; }
const char *swirl_client_errmsg(const swirl_client_t *c) { return c ? c->err_msg : ""; }
