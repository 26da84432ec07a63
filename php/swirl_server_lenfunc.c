/* swirl_server_lenfunc.c — package_length_func on Swoole\Server and its
 * ports: the core's length function (swirl_server_set_length_fn,
 * swirl_port_set_length_fn) calls the PHP callable with the bytes received
 * so far of the next message, as Swoole does; it returns the whole
 * message's length (header and body), 0 when it needs more bytes, or less
 * than 0 for bad data (the core closes that connection). Its return value
 * is read as Swoole reads it (zval_get_long). An exception it throws is
 * Swoole's: "PHP Fatal error: Uncaught ...", and the worker ends (the
 * manager starts another).
 *
 * Where it runs: the core calls the function where the connection is
 * read. In BASE mode that is the worker, which runs PHP: supported. In
 * PROCESS mode it is the master's reactor threads, while the master's main
 * thread runs PHP (timers, onStart); PHP (NTS) cannot run in two threads,
 * so the binding refuses the setting in PROCESS mode (Swoole makes its
 * PROCESS master single-threaded for it; see README). */
#include "swirl_server.h"

#include <zend_exceptions.h>

static ssize_t length_fn(const void *data, size_t len, void *user) {
    zval *slot = user;
    if (Z_ISUNDEF_P(slot))
        return -1;
    zval arg, ret, fn;
    ZVAL_STRINGL(&arg, data, len);
    ZVAL_COPY(&fn, slot); /* held for the call */
    ZVAL_UNDEF(&ret);
    volatile bool bailed = false;
    volatile bool called = false;
    zend_try { called = call_user_function(NULL, NULL, &fn, &ret, 1, &arg) == SUCCESS; }
    zend_catch { bailed = true; }
    zend_end_try();
    zval_ptr_dtor(&fn);
    zval_ptr_dtor(&arg);
    if (bailed || EG(exception)) {
        zval_ptr_dtor(&ret);
        swirl_php_server_callback_failed(bailed); /* the process ends, as Swoole's */
    }
    ssize_t n = -1;
    if (!called || Z_ISUNDEF(ret))
        php_error_docref(NULL, E_WARNING, "length function handler error");
    else
        n = (ssize_t)zval_get_long(&ret);
    zval_ptr_dtor(&ret);
    return n < 0 ? -1 : n;
}

bool swirl_php_set_length_func(zend_object *server, swirl_server_t *srv, swirl_port_t *port,
                               zval *slot, zval *val) {
    if (Z_TYPE_P(val) == IS_NULL) { /* the length field again */
        int rc = port ? swirl_port_set_length_fn(port, NULL, NULL)
                      : swirl_server_set_length_fn(srv, NULL, NULL);
        if (rc < 0) {
            php_error_docref(NULL, E_WARNING, "%s", swirl_php_error_msg(rc));
            return false;
        }
        zval_ptr_dtor(slot);
        ZVAL_UNDEF(slot);
        return true;
    }
    zend_string *name = NULL;
    if (!zend_is_callable(val, 0, &name)) {
        php_error_docref(NULL, E_WARNING, "setting `package_length_func`: %s '%s' is not callable",
                         zend_zval_type_name(val), name ? ZSTR_VAL(name) : "?");
        if (name)
            zend_string_release(name);
        return false;
    }
    if (name)
        zend_string_release(name);
    zval rv,
        *mode = zend_read_property(swirl_php_server_ce, server, "mode", sizeof("mode") - 1, 1, &rv);
    if (Z_TYPE_P(mode) == IS_LONG && Z_LVAL_P(mode) == SWIRL_MODE_PROCESS) {
        php_error_docref(NULL, E_WARNING,
                         "setting `package_length_func`: not supported in SWOOLE_PROCESS mode by "
                         "swirl (the stream is cut in the master's reactor threads, where PHP "
                         "cannot run); use SWOOLE_BASE, or package_length_type, "
                         "package_length_offset and package_body_offset");
        return false;
    }
    int rc = port ? swirl_port_set_length_fn(port, length_fn, slot)
                  : swirl_server_set_length_fn(srv, length_fn, slot);
    if (rc < 0) {
        php_error_docref(NULL, E_WARNING, "%s", swirl_php_error_msg(rc));
        return false;
    }
    zval_ptr_dtor(slot);
    ZVAL_COPY(slot, val);
    return true;
}
