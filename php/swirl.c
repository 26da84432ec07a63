/* swirl.c — the module: its entry, MINIT/MINFO, the swoole_* functions and
 * constants, Swoole\Exception, and the error helpers every class uses. */
#include "php_swirl.h"

#include <ext/standard/info.h>
#include <zend_exceptions.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "swirl_errors.h"

#include "stubs/swirl_arginfo.h"

zend_class_entry *swirl_ce_exception;

/* swirl's own codes as Swoole's (SWOOLE_ERROR_*, swirl_errors.h): the code
 * of Swoole's that names the same failure. A table (or channel) full is
 * Swoole's "unable to allocate memory" for its table; a key not found has
 * no code of Swoole's (its Table::get fails without one): ENOENT. */
#define SWIRL_PHP_ERRCODE_MAP(XX)                                                                  \
    XX(BUFFULL, 1009)   /* OUTPUT_BUFFER_OVERFLOW */                                              \
    XX(BADADDR, 722)    /* BAD_HOST_ADDR */                                                       \
    XX(BADPORT, 723)    /* BAD_PORT */                                                            \
    XX(SETTING, 505)    /* INVALID_PARAMS */                                                      \
    XX(NOTREG, 6003)    /* SOCKET_NOT_EXISTS */                                                   \
    XX(EXISTS, 801)     /* EVENT_ADD_FAILED */                                                    \
    XX(CLOSED, 1005)    /* SESSION_NOT_EXIST */                                                   \
    XX(TOOBIG, 1203)    /* DATA_LENGTH_TOO_LARGE */                                               \
    XX(PROTO, 508)      /* PROTOCOL_ERROR */                                                      \
    XX(NOTSUP, 507)     /* OPERATION_NOT_SUPPORT */                                               \
    XX(BADARG, 505)     /* INVALID_PARAMS */                                                      \
    XX(STATE, 509)      /* WRONG_OPERATION */                                                     \
    XX(QUEUEFULL, 506)  /* QUEUE_FULL */                                                          \
    XX(FULL, 501)       /* MALLOC_FAIL */                                                         \
    XX(NOTFOUND, ENOENT)

int swirl_php_errcode(int code) {
    switch (code) {
#define SWIRL__PHP_ERRCODE(name, swoole)                                                           \
    case SWIRL_E##name:                                                                            \
        return (swoole);
        SWIRL_PHP_ERRCODE_MAP(SWIRL__PHP_ERRCODE)
#undef SWIRL__PHP_ERRCODE
    default:
        return code == INT_MIN ? INT_MAX : abs(code);
    }
}

const char *swirl_php_error_msg(int code) {
    const char *msg = swirl_last_error_msg();
    if (swirl_last_error() == code && msg && *msg) {
        return msg;
    }
    return swirl_strerror(code);
}

bool swirl_php_value(zval *val, swirl_value_t *out) {
    switch (Z_TYPE_P(val)) {
    case IS_TRUE:
    case IS_FALSE:
        *out = swirl_value_bool(Z_TYPE_P(val) == IS_TRUE);
        return true;
    case IS_LONG:
        *out = swirl_value_int(Z_LVAL_P(val));
        return true;
    case IS_DOUBLE:
        *out = swirl_value_float(Z_DVAL_P(val));
        return true;
    case IS_STRING:
        *out = (swirl_value_t){SWIRL_VALUE_STRING, {.s = Z_STRVAL_P(val)}, Z_STRLEN_P(val)};
        return true;
    default:
        return false;
    }
}

bool swirl_php_settings_merge(zend_object *obj, zend_class_entry *ce, HashTable *settings,
                              swirl_php_setting_fn apply, void *ctx) {
    zval rv, merged;
    zval *cur = zend_read_property(ce, obj, "setting", sizeof("setting") - 1, 1, &rv);
    if (Z_TYPE_P(cur) == IS_ARRAY)
        ZVAL_ARR(&merged, zend_array_dup(Z_ARR_P(cur)));
    else
        array_init(&merged);
    bool ok = true;
    zend_string *key;
    zend_ulong idx;
    zval *val;
    ZEND_HASH_FOREACH_KEY_VAL(settings, idx, key, val) {
        ZVAL_DEREF(val);
        if (!apply(ctx, key, idx, val) || !key) {
            ok = false;
            continue;
        }
        Z_TRY_ADDREF_P(val);
        zend_symtable_update(Z_ARR(merged), key, val);
    }
    ZEND_HASH_FOREACH_END();
    zend_update_property(ce, obj, "setting", sizeof("setting") - 1, &merged);
    zval_ptr_dtor(&merged);
    return ok;
}

void swirl_php_throw(int code) {
    zend_throw_exception(swirl_ce_exception, swirl_php_error_msg(code), swirl_php_errcode(code));
}

int swirl_php_timeout_ms(double seconds) {
    if (!(seconds >= 0)) {
        return -1;
    }
    return seconds * 1000 >= INT_MAX ? INT_MAX : (int)(seconds * 1000);
}

void swirl_php_alias(const char *name, zend_class_entry *ce) {
    zend_register_class_alias_ex(name, strlen(name), ce, true);
}

/* Codes go to PHP as Swoole's are (swirl_php_errcode): errno values as they
 * are, swirl's own as Swoole's code for the same failure. */
PHP_FUNCTION(swoole_version) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_STRING(SWIRL_SWOOLE_VERSION);
}

PHP_FUNCTION(swoole_cpu_num) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(swirl_cpu_num());
}

PHP_FUNCTION(swoole_errno) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(swirl_php_errcode(swirl_last_error()));
}

PHP_FUNCTION(swoole_last_error) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_LONG(swirl_php_errcode(swirl_last_error()));
}

/* Swoole's rules: $type GAI and DNS name getaddrinfo's and the resolver's
 * codes; SWOOLE, or a code in Swoole's range (501..10019), Swoole's
 * messages ("Unknown error N" for a gap); anything else is errno's.
 * A negative code is swirl's (-errno or its own, SWIRL_E*), as the core
 * returns it: swirl's message. */
PHP_FUNCTION(swoole_strerror) {
    zend_long code, type = SWIRL_STRERROR_SYSTEM;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_LONG(code)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    if (code > INT_MAX || code < -INT_MAX) {
        RETURN_STR(zend_strpprintf(0, "Unknown error " ZEND_LONG_FMT, code));
    }
    if (type == SWIRL_STRERROR_GAI) {
        RETURN_STRING(gai_strerror((int)code));
    }
    if (type == SWIRL_STRERROR_DNS) {
        RETURN_STRING(hstrerror((int)code));
    }
    if (code == 0) {
        RETURN_STRING("Success");
    }
    if (code < 0) {
        RETURN_STRING(swirl_strerror((int)code));
    }
    if (type == SWIRL_STRERROR_SWOOLE ||
        (code > SWIRL_SWOOLE_ERROR_BEGIN && code < SWIRL_SWOOLE_ERROR_END)) {
        const char *msg = swirl_php_swoole_strerror(code);
        if (msg) {
            RETURN_STRING(msg);
        }
        RETURN_STR(zend_strpprintf(0, "Unknown error " ZEND_LONG_FMT, code));
    }
    RETURN_STRING(strerror((int)code));
}

PHP_FUNCTION(swoole_set_process_name) {
    zend_string *name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (ZSTR_LEN(name) != strlen(ZSTR_VAL(name))) {
        zend_argument_value_error(1, "must not contain any null bytes");
        RETURN_THROWS();
    }
    int rc = swirl_process_set_name(ZSTR_VAL(name));
    if (rc < 0) {
        swirl_php_warn(rc);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_FUNCTION(swirl_last_error_msg) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_STRING(swirl_last_error_msg());
}

/* Swoole's ini entries, with Swoole's defaults. Accepted and shown; none
 * changes what swirl does: it has no short names (go, Co: no coroutines),
 * no bundled PHP library, and reports its errors through PHP's own
 * display_errors. */
PHP_INI_BEGIN()
PHP_INI_ENTRY_EX("swoole.use_shortname", "1", PHP_INI_SYSTEM, NULL, php_ini_boolean_displayer_cb)
PHP_INI_ENTRY_EX("swoole.enable_library", "1", PHP_INI_ALL, NULL, php_ini_boolean_displayer_cb)
PHP_INI_ENTRY_EX("swoole.display_errors", "1", PHP_INI_ALL, NULL, php_ini_boolean_displayer_cb)
PHP_INI_END()

static PHP_MINIT_FUNCTION(swirl) {
    REGISTER_INI_ENTRIES();
    register_swirl_symbols(module_number);
    REGISTER_BOOL_CONSTANT("SWOOLE_USE_SHORTNAME", INI_BOOL("swoole.use_shortname"),
                           CONST_PERSISTENT);
    swirl_ce_exception = register_class_Swoole_Exception(zend_ce_exception);
    swirl_php_alias("swoole_exception", swirl_ce_exception);
    swirl_functions_minit(module_number);
    swirl_constant_minit();
    swirl_table_minit();
    swirl_lock_minit();
    swirl_atomic_minit();
    swirl_process_minit();
    swirl_pool_minit();
    swirl_event_minit(module_number);
    swirl_server_minit(module_number);
    swirl_server_task_minit(module_number);
    swirl_http_minit();
    swirl_websocket_minit(module_number);
    swirl_client_minit(module_number);
    swirl_http_client_minit();
    swirl_redis_minit(module_number);
    swirl_mysql_minit();
    return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(swirl) {
    UNREGISTER_INI_ENTRIES();
    swirl_functions_mshutdown();
    swirl_mysql_library_end(); /* the connector's global state (swirl/mysql.h) */
    return SUCCESS;
}

static PHP_MINFO_FUNCTION(swirl) {
    php_info_print_table_start();
    php_info_print_table_header(2, "Swoole support", "enabled");
    char version[96];
    snprintf(version, sizeof version, "swirl %s, implementing the Swoole API %s",
             swirl_version_string(), SWIRL_SWOOLE_VERSION);
    php_info_print_table_row(2, "Version", version);
    php_info_print_table_row(2, "Swoole API", "Swoole\\* classes and swoole_* names");
    php_info_print_table_row(2, "Built", __DATE__ " " __TIME__);
#ifdef ZTS
    php_info_print_table_row(2, "Thread safety", "enabled (ZTS)");
#else
    php_info_print_table_row(2, "Thread safety", "disabled (NTS)");
#endif
    php_info_print_table_row(2, "Compiler", "gcc " __VERSION__);
    php_info_print_table_row(2, "Core", "libswirl compiled in (-fPIC, static)");
    php_info_print_table_row(2, "Libraries", "zlib, OpenSSL (libssl, libcrypto)");
    php_info_print_table_row(
        2, "Classes",
        "Server, Http\\Server, WebSocket\\Server, Client, Event, Timer, Table, Lock, Atomic, "
        "Atomic\\Long, Process, Process\\Pool, Exception");
    char cpus[16];
    snprintf(cpus, sizeof cpus, "%d", swirl_cpu_num());
    php_info_print_table_row(2, "CPUs", cpus);
    php_info_print_table_end();
    DISPLAY_INI_ENTRIES();
}

zend_module_entry swirl_module_entry = {
    STANDARD_MODULE_HEADER,
    "swoole",
    ext_functions,
    PHP_MINIT(swirl),
    PHP_MSHUTDOWN(swirl),
    NULL,
    NULL,
    PHP_MINFO(swirl),
    SWIRL_SWOOLE_VERSION,
    STANDARD_MODULE_PROPERTIES,
};

#ifdef COMPILE_DL_SWIRL
/* ZEND_GET_MODULE, refusing to load beside a real Swoole or OpenSwoole:
 * one line naming it, then the entry under the loaded module's name, which
 * PHP declines as already loaded (a failed MINIT would be fatal). */
ZEND_DLEXPORT zend_module_entry *get_module(void) {
    static const char *const others[] = {"swoole", "openswoole"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        zend_module_entry *m =
            zend_hash_str_find_ptr(&module_registry, others[i], strlen(others[i]));
        if (m) {
            zend_error(E_CORE_WARNING,
                       "swirl %s not loaded: the %s extension %s is already loaded; load only "
                       "one of them",
                       swirl_version_string(), others[i], m->version ? m->version : "");
            swirl_module_entry.name = others[i];
            break;
        }
    }
    return &swirl_module_entry;
}
#endif
