/* tests/unit/core/test_error.c — error names, messages and the per-thread last error. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <swirl/swirl.h>

#include "core/internal.h"
#include "testutil.h"

Test(error, own_codes_have_names_and_messages) {
    cr_assert_str_eq(swirl_strerror(SWIRL_EBUFFULL), "write buffer full");
    cr_assert_str_eq(swirl_err_name(SWIRL_EBUFFULL), "SWIRL_EBUFFULL");
    cr_assert_str_eq(swirl_err_name(SWIRL_EBADADDR), "SWIRL_EBADADDR");
    cr_assert_lt(SWIRL_EBUFFULL, -1000);
#define CHECK(name, val, msg)                                                                      \
    cr_assert_str_eq(swirl_strerror(val), msg);                                                    \
    cr_assert_lt(val, -1000);
    SWIRL_ERRNO_MAP(CHECK)
#undef CHECK
}

Test(error, system_codes_are_negative_errno) {
    cr_assert_str_eq(swirl_strerror(-EADDRINUSE), "Address already in use");
    cr_assert_str_eq(swirl_err_name(-EADDRINUSE), "EADDRINUSE");
    cr_assert_str_eq(swirl_strerror(0), "success");
    cr_assert_str_eq(swirl_strerror(-99999), "unknown error");
    cr_assert_str_eq(swirl_strerror(12345), "unknown error");
    cr_assert_str_eq(swirl_err_name(-99999), "UNKNOWN");
}

Test(error, last_error_names_the_culprit_and_appends_the_reason) {
    swirl_clear_error();
    cr_assert_eq(swirl_last_error(), 0);
    cr_assert_str_eq(swirl_last_error_msg(), "");
    cr_assert_eq(swirl__error(-EACCES, "open \"%s\":", "/root/x"), -EACCES);
    cr_assert_eq(swirl_last_error(), -EACCES);
    cr_assert_str_eq(swirl_last_error_msg(), "open \"/root/x\": Permission denied");
    swirl__error(SWIRL_ESETTING, "worker_num: expected an integer 1..1024, got \"%s\"", "abc");
    cr_assert_str_eq(swirl_last_error_msg(),
                     "worker_num: expected an integer 1..1024, got \"abc\"");
}

static void *other_thread(void *arg) {
    *(int *)arg = swirl_last_error();
    swirl__error(SWIRL_EPROTO, "thread's own");
    return NULL;
}

Test(error, last_error_is_per_thread) {
    swirl__error(SWIRL_EBADARG, "main's");
    int seen = 1;
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, other_thread, &seen), 0);
    pthread_join(t, NULL);
    cr_assert_eq(seen, 0, "a new thread starts with no error");
    cr_assert_eq(swirl_last_error(), SWIRL_EBADARG);
    cr_assert_str_eq(swirl_last_error_msg(), "main's");
}

Test(error, version) {
    cr_assert_str_eq(swirl_version_string(), SWIRL_VERSION_STRING);
    cr_assert_eq(swirl_version_hex(), SWIRL_VERSION_HEX);
}
