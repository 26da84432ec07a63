/* swirl_atomic.c — Swoole\Atomic (32-bit unsigned, swoole_atomic) and
 * Swoole\Atomic\Long (64-bit signed, swoole_atomic_long): counters in shared
 * memory, shared with the processes forked after they were made. */
#include "php_swirl.h"

#include <zend_exceptions.h>

#include <math.h>

#include "stubs/atomic_arginfo.h"

typedef struct {
    void *a; /* swirl_atomic_t or swirl_atomic64_t, by class */
    zend_object std;
} atomic_obj;

static zend_class_entry *atomic_ce, *atomic_long_ce;
static zend_object_handlers atomic_handlers, atomic_long_handlers;

static inline atomic_obj *atomic_from(zend_object *o) {
    return (atomic_obj *)((char *)o - XtOffsetOf(atomic_obj, std));
}

static zend_object *atomic_new_object(zend_class_entry *ce, zend_object_handlers *h) {
    atomic_obj *o = zend_object_alloc(sizeof(atomic_obj), ce);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = h;
    return &o->std;
}
static zend_object *atomic_create_object(zend_class_entry *ce) {
    return atomic_new_object(ce, &atomic_handlers);
}
static zend_object *atomic_long_create_object(zend_class_entry *ce) {
    return atomic_new_object(ce, &atomic_long_handlers);
}

static void atomic_free_object(zend_object *obj) {
    swirl_atomic_free(atomic_from(obj)->a);
    zend_object_std_dtor(obj);
}
static void atomic_long_free_object(zend_object *obj) {
    swirl_atomic64_free(atomic_from(obj)->a);
    zend_object_std_dtor(obj);
}

static void *this_atomic(zval *this_) {
    atomic_obj *o = atomic_from(Z_OBJ_P(this_));
    if (!o->a) {
        zend_throw_error(NULL, "%s is not constructed", ZSTR_VAL(Z_OBJCE_P(this_)->name));
    }
    return o->a;
}

/* Seconds as Swoole gives them to milliseconds for swirl: a negative one
 * is no limit (Swoole's -1), NaN none at all. */
static int timeout_ms(double t) { return isnan(t) ? 0 : swirl_php_timeout_ms(t); }

/* wait's result: true when woken, false on time-out or a value that is
 * neither 0 nor 1 (swoole_errno() tells which). */
static bool wait_result(int rc) {
    return rc == 0;
}

#define ATOMIC_THIS(type, var)                                                                     \
    type *var = this_atomic(ZEND_THIS);                                                            \
    if (!var) {                                                                                    \
        RETURN_THROWS();                                                                           \
    }

/* ---- Swoole\Atomic ---- */

PHP_METHOD(Swoole_Atomic, __construct) {
    zend_long v = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(v)
    ZEND_PARSE_PARAMETERS_END();
    atomic_obj *o = atomic_from(Z_OBJ_P(ZEND_THIS));
    if (o->a) {
        zend_throw_error(NULL, "Swoole\\Atomic is already constructed");
        RETURN_THROWS();
    }
    int rc = swirl_atomic_new((swirl_atomic_t **)&o->a, (uint32_t)v);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
}

PHP_METHOD(Swoole_Atomic, add) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    RETURN_LONG(swirl_atomic_add(a, (uint32_t)n));
}

PHP_METHOD(Swoole_Atomic, sub) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    RETURN_LONG(swirl_atomic_sub(a, (uint32_t)n));
}

PHP_METHOD(Swoole_Atomic, get) {
    ZEND_PARSE_PARAMETERS_NONE();
    ATOMIC_THIS(swirl_atomic_t, a);
    RETURN_LONG(swirl_atomic_get(a));
}

PHP_METHOD(Swoole_Atomic, set) {
    zend_long v;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(v)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    swirl_atomic_set(a, (uint32_t)v);
}

PHP_METHOD(Swoole_Atomic, cmpset) {
    zend_long cmp, set;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_LONG(cmp)
        Z_PARAM_LONG(set)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    RETURN_BOOL(swirl_atomic_cmpset(a, (uint32_t)cmp, (uint32_t)set));
}

PHP_METHOD(Swoole_Atomic, wait) {
    double t = 1.0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(t)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    RETURN_BOOL(wait_result(swirl_atomic_wait(a, timeout_ms(t))));
}

PHP_METHOD(Swoole_Atomic, wakeup) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic_t, a);
    if (n < 1) {
        zend_argument_value_error(1, "must be greater than 0");
        RETURN_THROWS();
    }
    int rc = swirl_atomic_wakeup(a, n > INT_MAX ? INT_MAX : (int)n);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* ---- Swoole\Atomic\Long ---- */

PHP_METHOD(Swoole_Atomic_Long, __construct) {
    zend_long v = 0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(v)
    ZEND_PARSE_PARAMETERS_END();
    atomic_obj *o = atomic_from(Z_OBJ_P(ZEND_THIS));
    if (o->a) {
        zend_throw_error(NULL, "Swoole\\Atomic\\Long is already constructed");
        RETURN_THROWS();
    }
    int rc = swirl_atomic64_new((swirl_atomic64_t **)&o->a, (int64_t)v);
    if (rc < 0) {
        swirl_php_throw(rc);
        RETURN_THROWS();
    }
}

PHP_METHOD(Swoole_Atomic_Long, add) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    RETURN_LONG(swirl_atomic64_add(a, n));
}

PHP_METHOD(Swoole_Atomic_Long, sub) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    RETURN_LONG(swirl_atomic64_sub(a, n));
}

PHP_METHOD(Swoole_Atomic_Long, get) {
    ZEND_PARSE_PARAMETERS_NONE();
    ATOMIC_THIS(swirl_atomic64_t, a);
    RETURN_LONG(swirl_atomic64_get(a));
}

PHP_METHOD(Swoole_Atomic_Long, set) {
    zend_long v;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(v)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    swirl_atomic64_set(a, v);
}

PHP_METHOD(Swoole_Atomic_Long, cmpset) {
    zend_long cmp, set;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_LONG(cmp)
        Z_PARAM_LONG(set)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    RETURN_BOOL(swirl_atomic64_cmpset(a, cmp, set));
}

PHP_METHOD(Swoole_Atomic_Long, wait) {
    double t = 1.0;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(t)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    RETURN_BOOL(wait_result(swirl_atomic64_wait(a, timeout_ms(t))));
}

PHP_METHOD(Swoole_Atomic_Long, wakeup) {
    zend_long n = 1;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(n)
    ZEND_PARSE_PARAMETERS_END();
    ATOMIC_THIS(swirl_atomic64_t, a);
    if (n < 1) {
        zend_argument_value_error(1, "must be greater than 0");
        RETURN_THROWS();
    }
    int rc = swirl_atomic64_wakeup(a, n > INT_MAX ? INT_MAX : (int)n);
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

static void init_handlers(zend_object_handlers *h, void (*free_obj)(zend_object *)) {
    memcpy(h, zend_get_std_object_handlers(), sizeof *h);
    h->offset = XtOffsetOf(atomic_obj, std);
    h->free_obj = free_obj;
    h->clone_obj = NULL;
}

void swirl_atomic_minit(void) {
    atomic_ce = register_class_Swoole_Atomic();
    atomic_ce->create_object = atomic_create_object;
    init_handlers(&atomic_handlers, atomic_free_object);
    swirl_php_alias("swoole_atomic", atomic_ce);

    atomic_long_ce = register_class_Swoole_Atomic_Long();
    atomic_long_ce->create_object = atomic_long_create_object;
    init_handlers(&atomic_long_handlers, atomic_long_free_object);
    swirl_php_alias("swoole_atomic_long", atomic_long_ce);
}
