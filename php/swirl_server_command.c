/* swirl_server_command.c — Swoole\Server::addCommand() and command(): the
 * binding's side of the core's commands (src/server/command.c). A command's
 * request is $data as JSON; its handler gets ($server, $json) and returns a
 * string, the reply; command() gives it back JSON-decoded (as an array) or
 * as it is. Where a command runs, who may call, the timeout and the
 * matching of replies are the core's. */
#include "swirl_server.h"

#include <ext/json/php_json.h>
#include <zend_smart_str.h>

/* The reply of a handler that could not be called, or returned no string
 * (Swoole's words). */
#define FAILED_CALL "{\"data\": \"failed to call function\", \"code\": -1}"
#define WRONG_TYPE "{\"data\": \"wrong return type\", \"code\": -2}"

static int run_command(swirl_server_t *srv, const char *name, const char *data, size_t len,
                       swirl_buf_t *reply, void *user) {
    server_obj *o = user;
    zval *cb = zend_hash_str_find(Z_ARRVAL(o->commands), name, strlen(name));
    if (!cb)
        return -1;
    zval args[2], ret;
    ZVAL_STRINGL(&args[1], data, len);
    bool ok = swirl_php_server_call_ret(o, cb, args, 2, true, "command", &ret);
    zval_ptr_dtor(&args[1]);
    int rc;
    if (!ok) {
        php_error_docref(NULL, E_WARNING, "%s: command handler error",
                         ZSTR_VAL(swirl_php_server_ce->name));
        rc = swirl_buf_append(reply, FAILED_CALL, sizeof(FAILED_CALL) - 1);
    } else if (Z_TYPE(ret) != IS_STRING) {
        rc = swirl_buf_append(reply, WRONG_TYPE, sizeof(WRONG_TYPE) - 1);
    } else {
        rc = swirl_buf_append(reply, Z_STRVAL(ret), Z_STRLEN(ret));
    }
    zval_ptr_dtor(&ret);
    return rc;
}

PHP_METHOD(Swoole_Server, addCommand) {
    zend_string *name;
    zend_long types;
    zval *cb;
    ZEND_PARSE_PARAMETERS_START(3, 3)
    Z_PARAM_STR(name)
    Z_PARAM_LONG(types)
    Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    server_obj *o = server_from(Z_OBJ_P(ZEND_THIS));
    if (swirl_server_master_pid(srv) > 0) {
        php_error_docref(NULL, E_WARNING, "server is running, can't add command");
        RETURN_FALSE;
    }
    /* Swoole's warnings for what cannot be called */
    if (!zend_is_true(cb)) {
        php_error_docref(NULL, E_WARNING, "illegal callback function");
        RETURN_FALSE;
    }
    zend_string *fn_name = NULL;
    if (!zend_is_callable(cb, 0, &fn_name)) {
        php_error_docref(NULL, E_WARNING, "function '%s' is not callable",
                         fn_name ? ZSTR_VAL(fn_name) : "");
        if (fn_name)
            zend_string_release(fn_name);
        RETURN_FALSE;
    }
    if (fn_name)
        zend_string_release(fn_name);
    if (memchr(ZSTR_VAL(name), '\0', ZSTR_LEN(name))) {
        php_error_docref(NULL, E_WARNING, "a command name must not contain a NUL byte");
        RETURN_FALSE;
    }
    int rc = swirl_server_add_command(
        srv, ZSTR_VAL(name), types < INT_MIN || types > INT_MAX ? 0 : (int)types, run_command, o);
    if (rc == SWIRL_EEXISTS)
        RETURN_FALSE; /* as Swoole: quietly */
    if (rc < 0) {
        php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        RETURN_FALSE;
    }
    Z_TRY_ADDREF_P(cb);
    zend_hash_update(Z_ARRVAL(o->commands), name, cb);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Server, command) {
    zend_string *name;
    zend_long id, type;
    zval *data;
    bool decode = true;
    ZEND_PARSE_PARAMETERS_START(4, 5)
    Z_PARAM_STR(name)
    Z_PARAM_LONG(id)
    Z_PARAM_LONG(type)
    Z_PARAM_ZVAL(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(decode)
    ZEND_PARSE_PARAMETERS_END();
    SERVER_THIS(srv);
    if (swirl_server_master_pid(srv) <= 0) {
        php_error_docref(NULL, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    if (id < 0 || id > UINT32_MAX) {
        php_error_docref(NULL, E_WARNING, "invalid process_id[" ZEND_LONG_FMT "]", id);
        RETURN_FALSE;
    }
    smart_str json = {0};
    if (php_json_encode(&json, data, 0) == FAILURE || !json.s) {
        smart_str_free(&json);
        RETURN_FALSE;
    }
    swirl_buf_t reply;
    swirl_buf_init(&reply);
    int rc = swirl_server_command(srv, ZSTR_VAL(name), id > INT_MAX ? INT_MAX : (int)id,
                                  type < INT_MIN || type > INT_MAX ? 0 : (int)type,
                                  ZSTR_VAL(json.s), ZSTR_LEN(json.s), &reply, 0);
    smart_str_free(&json);
    if (rc < 0) {
        /* Swoole logs these at NOTICE and returns false; a timeout (Swoole
         * would wait for ever) is worth a warning */
        if (rc == -ETIMEDOUT)
            php_error_docref(NULL, E_WARNING, "%s", swirl_last_error_msg());
        else
            swirl_log_notice("%s", swirl_last_error_msg());
        swirl_buf_destroy(&reply);
        RETURN_FALSE;
    }
    size_t n = swirl_buf_size(&reply);
    /* PHP's JSON scanner reads up to a NUL: one goes after the bytes */
    if (swirl_buf_append(&reply, "", 1) < 0) {
        swirl_buf_destroy(&reply);
        zend_throw_error(NULL, "out of memory");
        RETURN_THROWS();
    }
    const char *p = (const char *)swirl_buf_bytes(&reply);
    if (!decode)
        RETVAL_STRINGL(p, n);
    else if (php_json_decode_ex(return_value, p, n, PHP_JSON_OBJECT_AS_ARRAY,
                                PHP_JSON_PARSER_DEFAULT_DEPTH) == FAILURE)
        RETVAL_FALSE;
    swirl_buf_destroy(&reply);
}
