/* swirl/error.h — error codes and the per-thread last error.
 *
 * Every fallible swirl function returns 0 (or a positive count) on success
 * and a negative code on failure: -errno for system errors, SWIRL_E* (all
 * below -1000) for swirl's own. swirl_strerror() names any of them. */
#ifndef SWIRL_ERROR_H
#define SWIRL_ERROR_H

#include <swirl/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* swirl's own codes: XX(NAME, value, message). One table drives the enum,
 * swirl_strerror() and swirl_err_name(). */
#define SWIRL_ERRNO_MAP(XX)                                                                        \
    XX(BUFFULL, -1001, "write buffer full")                                                        \
    XX(BADADDR, -1002, "malformed address")                                                        \
    XX(BADPORT, -1003, "port out of range")                                                        \
    XX(SETTING, -1004, "invalid setting")                                                          \
    XX(NOTREG, -1005, "fd not registered in the loop")                                             \
    XX(EXISTS, -1006, "fd already registered in the loop")                                         \
    XX(CLOSED, -1007, "connection closed")                                                         \
    XX(TOOBIG, -1008, "message too large")                                                         \
    XX(PROTO, -1009, "protocol error")                                                             \
    XX(NOTSUP, -1010, "operation not supported for this socket type")                              \
    XX(BADARG, -1011, "invalid argument")                                                          \
    XX(STATE, -1012, "operation not allowed in the current state")                                 \
    XX(QUEUEFULL, -1013, "queue full")                                                             \
    XX(FULL, -1014, "no room left (table or channel full)")                                        \
    XX(NOTFOUND, -1015, "no such key")                                                             \
    XX(REMOTE, -1020, "the server answered with an error")

/* The error codes (all negative), one per row of SWIRL_ERRNO_MAP. */
typedef enum {
#define SWIRL__ERR_ENUM(name, val, msg) SWIRL_E##name = (val),
    SWIRL_ERRNO_MAP(SWIRL__ERR_ENUM)
#undef SWIRL__ERR_ENUM
} swirl_errno_t;

/* A short description of `code` (negative errno or SWIRL_E*). Never NULL;
 * the string is static. Unknown codes give "unknown error". */
SWIRL_API const char *swirl_strerror(int code);

/* The symbolic name of `code` ("EADDRINUSE", "SWIRL_EBUFFULL"). Static. */
SWIRL_API const char *swirl_err_name(int code);

/* The code of the last error that a swirl call failed with on this thread,
 * or 0 if none has. Successful calls do not reset it. */
SWIRL_API int swirl_last_error(void);

/* A human message for the last error on this thread that names the culprit
 * (e.g. "listen 127.0.0.1:8080: address already in use"). Owned by swirl,
 * valid until the next failing swirl call on this thread. "" if none. */
SWIRL_API const char *swirl_last_error_msg(void);

/* Clear this thread's last error (code 0, empty message). */
SWIRL_API void swirl_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
