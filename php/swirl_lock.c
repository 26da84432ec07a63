/* swirl_lock.c — Swoole\Lock (swoole_lock) on swirl_lock_t: mutex, rwlock,
 * spinlock, semaphore and file lock, shared with the processes forked after
 * the lock was made. */
#include "php_swirl.h"

#include <ext/standard/flock_compat.h>
#include <zend_exceptions.h>

#include "stubs/lock_arginfo.h"

typedef struct {
    swirl_lock_t *lock;
    zend_object std;
} lock_obj;

static zend_class_entry *lock_ce;
static zend_object_handlers lock_handlers;

static inline lock_obj *lock_from(zend_object *o) {
    return (lock_obj *)((char *)o - XtOffsetOf(lock_obj, std));
}

static zend_object *lock_create_object(zend_class_entry *ce) {
    lock_obj *o = zend_object_alloc(sizeof(lock_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &lock_handlers;
    return &o->std;
}

static void lock_free_object(zend_object *obj) {
    lock_obj *o = lock_from(obj);
    swirl_lock_free(o->lock);
    zend_object_std_dtor(obj);
}

static swirl_lock_t *this_lock(zval *this_) {
    lock_obj *o = lock_from(Z_OBJ_P(this_));
    if (!o->lock) {
        zend_throw_error(NULL, "Swoole\\Lock is not constructed");
    }
    return o->lock;
}

PHP_METHOD(Swoole_Lock, __construct) {
    zend_long type = SWIRL_LOCK_MUTEX;
    zend_string *path = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 2)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(type)
        Z_PARAM_STR(path)
    ZEND_PARSE_PARAMETERS_END();
    lock_obj *o = lock_from(Z_OBJ_P(ZEND_THIS));
    if (o->lock) {
        zend_throw_error(NULL, "Swoole\\Lock is already constructed");
        RETURN_THROWS();
    }
    /* Swoole throws Swoole\Exception for an unknown type and a file lock without a file. */
    if (type < SWIRL_LOCK_RWLOCK || type > SWIRL_LOCK_SPINLOCK) {
        zend_throw_exception_ex(swirl_ce_exception, swirl_php_errcode(SWIRL_EBADARG),
                                "lock type[" ZEND_LONG_FMT "] is not supported", type);
        RETURN_THROWS();
    }
    if (type == SWIRL_LOCK_FILELOCK && (!path || ZSTR_LEN(path) == 0)) {
        zend_throw_exception(swirl_ce_exception, "filelock requires file name of the lock",
                             swirl_php_errcode(SWIRL_EBADARG));
        RETURN_THROWS();
    }
    if (path && ZSTR_LEN(path) != strlen(ZSTR_VAL(path))) {
        zend_argument_value_error(2, "must not contain any null bytes");
        RETURN_THROWS();
    }
    int rc = swirl_lock_new(&o->lock, (int)type, path && ZSTR_LEN(path) ? ZSTR_VAL(path) : NULL);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
}

/* The lock calls return 0 or a code; -EBUSY / -ETIMEDOUT are the lock being
 * held, not an error worth a warning. A failure sets errCode (Swoole's
 * property: the errno value, positive). */
static void lock_result_ex(zval *this_, int rc, zval *return_value) {
    if (rc == 0) {
        RETURN_TRUE;
    }
    zend_update_property_long(lock_ce, Z_OBJ_P(this_), "errCode", sizeof("errCode") - 1,
                              swirl_php_errcode(rc));
    if (rc != -EBUSY && rc != -ETIMEDOUT) {
        swirl_php_warn(rc);
    }
    RETURN_FALSE;
}
#define lock_result(rc, rv) lock_result_ex(ZEND_THIS, rc, rv)

#define LOCK_METHOD(name, call)                                                                    \
    PHP_METHOD(Swoole_Lock, name) {                                                                \
        ZEND_PARSE_PARAMETERS_NONE();                                                              \
        swirl_lock_t *l = this_lock(ZEND_THIS);                                                    \
        if (!l) {                                                                                  \
            RETURN_THROWS();                                                                       \
        }                                                                                          \
        lock_result(call(l), return_value);                                                        \
    }

/* Swoole 6's lock($operation = LOCK_EX, $timeout = -1): LOCK_SH takes the
 * shared side, LOCK_NB does not wait, a timeout > 0 bounds the wait. */
PHP_METHOD(Swoole_Lock, lock) {
    zend_long operation = PHP_LOCK_EX;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(0, 2)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(operation)
    Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    swirl_lock_t *l = this_lock(ZEND_THIS);
    if (!l) {
        RETURN_THROWS();
    }
    bool shared = (operation & 3) == PHP_LOCK_SH;
    int rc;
    if (operation & PHP_LOCK_NB) {
        rc = shared ? swirl_lock_trylock_read(l) : swirl_lock_trylock(l);
    } else if (timeout > 0) {
        /* at least 1 ms: a timeout under a millisecond still waits */
        int ms = swirl_php_timeout_ms(timeout);
        ms = ms < 1 ? 1 : ms;
        rc = shared ? swirl_lock_lockwait_read(l, ms) : swirl_lock_lockwait(l, ms);
    } else {
        rc = shared ? swirl_lock_lock_read(l) : swirl_lock_lock(l);
    }
    lock_result(rc, return_value);
}
LOCK_METHOD(trylock, swirl_lock_trylock)
LOCK_METHOD(unlock, swirl_lock_unlock)
LOCK_METHOD(lock_read, swirl_lock_lock_read)
LOCK_METHOD(trylock_read, swirl_lock_trylock_read)

PHP_METHOD(Swoole_Lock, lockwait) {
    double timeout = 1.0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    swirl_lock_t *l = this_lock(ZEND_THIS);
    if (!l) {
        RETURN_THROWS();
    }
    /* As Swoole: a negative (or NaN) timeout is one that has already
     * passed: the lock is taken only if it is free. */
    int ms = swirl_php_timeout_ms(timeout);
    lock_result(swirl_lock_lockwait(l, ms < 0 ? 0 : ms), return_value);
}

void swirl_lock_minit(void) {
    lock_ce = register_class_Swoole_Lock();
    lock_ce->create_object = lock_create_object;
    memcpy(&lock_handlers, zend_get_std_object_handlers(), sizeof lock_handlers);
    lock_handlers.offset = XtOffsetOf(lock_obj, std);
    lock_handlers.free_obj = lock_free_object;
    lock_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_lock", lock_ce);
}
