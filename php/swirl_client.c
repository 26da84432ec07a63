/* swirl_client.c — Swoole\Client (swoole_client) on swirl_client_t: the
 * blocking client and the event-loop client of seed 002 §3.
 *
 * Decisions (also in stubs/client.stub.php):
 * - A failing call returns false, warns with swirl's message (which names
 *   the host, port, path or key at fault) and sets $errCode (positive: an
 *   errno value, or swirl's own code from 1001 on) and $errMsg. Success
 *   leaves them alone, as Swoole.
 * - recv() on a blocking client: with framing on (open_eof_check,
 *   open_eof_split, open_length_check) one whole message whatever $size, as
 *   Swoole; without, what has arrived up to $size (MSG_WAITALL, or 1 as
 *   Swoole 1.x's `true`: exactly $size). It returns "" when the peer has
 *   closed the connection (not a failure: errCode is left alone, the client
 *   stays connected until close()), and false on a timeout. A wait that
 *   times out in recv, send or sendfile sets errCode EAGAIN (11), which is
 *   what Swoole's socket timeouts (SO_RCVTIMEO) give and what Swoole
 *   scripts test for; the C layer's code is ETIMEDOUT and errMsg says
 *   "timed out after N s". A connect that times out sets ETIMEDOUT (110).
 * - connect(): $timeout when given, else the 'connect_timeout'/'timeout'
 *   setting, else 0.5 s; it is also the default read and write timeout.
 *   "host:port" in $host with $port 0 is accepted (the seed's
 *   connect("192.168.1.100:8080")). $flag is accepted and ignored.
 * - Bad arguments (an unknown socket type or mode, a port out of range, a
 *   NUL byte in a host or path, recv size <= 0, negative offsets, a
 *   non-finite timeout) throw ValueError naming the argument; a call that
 *   needs a connection on an unconnected client warns and returns false.
 * - TLS: the C layer verifies the server's certificate by default
 *   (ssl_verify_peer true); Swoole's default is not to. Kept: a script that
 *   talks to a self-signed server says so ('ssl_verify_peer' => false, or
 *   'ssl_allow_self_signed', or 'ssl_cafile').
 *
 * - sendto() and a failed bind (bind_address/bind_port) at connect() set
 *   errCode/errMsg without a warning, as Swoole's.
 * - package_length_func: a PHP callable run by the C client's framing
 *   (length_fn below).
 * - getSocket(): an ext-sockets Socket on a dup of the fd, cached per
 *   connection, as Swoole's; ext-sockets is looked up at run time.
 * - swoole_client_select()/swoole_select(): poll(2) over clients, Sockets,
 *   streams or fds; the arrays are cut to the ready entries.
 * - Swoole\Async\Client (Swoole 6's name) is a subclass constructed in
 *   async mode, with sleep()/wakeup() (swirl_client_pause) and enableSSL()
 *   (refused: no TLS upgrade of an open connection). Swoole 6 refuses
 *   SWOOLE_SOCK_ASYNC in Swoole\Client; swirl keeps accepting it (4.x/5.x
 *   scripts).
 *
 * Async clients (SWOOLE_SOCK_ASYNC): swirl_client_async.c. */
/* ext-sockets' Socket object layout (header only: no symbol of sockets.so is used) */
#ifndef HAVE_SOCKETS
#define HAVE_SOCKETS 1
#endif
#include "swirl_client.h"

#include <ext/sockets/php_sockets.h>
#include <main/php_streams.h>
#include <zend_exceptions.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stubs/client_arginfo.h"

/* Swoole 1.x's flag forms of the mode, OR-ed into the socket type. */
#define CLIENT_FLAG_ASYNC 1024
#define CLIENT_FLAG_SYNC 2048

/* Without framing recv() allocates at most this much per call (it may
 * return fewer bytes than asked, as recv(2) does); MSG_WAITALL allocates
 * the whole $size. */
#define RECV_CHUNK_MAX (1024 * 1024)

/* Timeouts above a year are refused (the C layer's limit for settings). */
#define TIMEOUT_MAX (86400.0 * 365)

static const char *const cb_names[CB__COUNT] = {"connect", "receive", "error", "close"};

zend_class_entry *swirl_php_client_ce;
static zend_object_handlers client_handlers;

/* ---- the object ---------------------------------------------------------------------------- */

static zend_object *client_create_object(zend_class_entry *ce) {
    client_obj *o = zend_object_alloc(sizeof(client_obj), ce);
    for (int i = 0; i < CB__COUNT; i++)
        ZVAL_UNDEF(&o->cb[i]);
    ZVAL_UNDEF(&o->length_fn);
    ZVAL_UNDEF(&o->zsocket);
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &client_handlers;
    return &o->std;
}

/* Freeing the object closes the client: a keep-alive connection goes back
 * to the pool, an async one leaves the loop without callbacks. PHP's
 * shutdown frees objects whatever their count, held ones included. */
static void client_free_object(zend_object *obj) {
    client_obj *o = client_from(obj);
    if (o->held) {
        swirl_php_client_unlink_held(o);
        o->held = false;
    }
    o->quiet = true;
    swirl_client_free(o->cli);
    o->cli = NULL;
    for (int i = 0; i < CB__COUNT; i++)
        zval_ptr_dtor(&o->cb[i]);
    zval_ptr_dtor(&o->length_fn);
    zval_ptr_dtor(&o->zsocket);
    zend_object_std_dtor(obj);
}

/* The callables are part of the object for the cycle collector (a closure
 * that uses $client). A held client's own reference keeps it out of reach
 * of the collector while its connection lives. */
static HashTable *client_get_gc(zend_object *obj, zval **table, int *n) {
    client_obj *o = client_from(obj);
    zend_get_gc_buffer *buf = zend_get_gc_buffer_create();
    for (int i = 0; i < CB__COUNT; i++)
        zend_get_gc_buffer_add_zval(buf, &o->cb[i]);
    zend_get_gc_buffer_add_zval(buf, &o->length_fn);
    zend_get_gc_buffer_use(buf, table, n);
    return zend_std_get_properties(obj);
}

/* A failed call: errCode, errMsg and a warning with the message. */
static void fail(client_obj *o, int code, bool timeout_is_eagain) {
    char msg[600];
    record_error(o, code, timeout_is_eagain, false, msg, sizeof msg);
    php_error_docref(NULL, E_WARNING, "%s", msg);
}

/* The same for a failure found here, before any C call: `code` and a
 * message of our own. */
static void fail_msg(client_obj *o, int code, const char *fmt, ...)
    ZEND_ATTRIBUTE_FORMAT(printf, 3, 4);
static void fail_msg(client_obj *o, int code, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    update_long(o, "errCode", swirl_php_errcode(code));
    zend_update_property_string(swirl_php_client_ce, &o->std, "errMsg", sizeof("errMsg") - 1, msg);
    php_error_docref(NULL, E_WARNING, "%s", msg);
}

/* The object of $this, or NULL with an Error thrown (not constructed). */
static client_obj *this_client(zval *this_) {
    client_obj *o = client_from(Z_OBJ_P(this_));
    if (!o->cli) {
        zend_throw_error(NULL, "Swoole\\Client is not constructed");
        return NULL;
    }
    return o;
}

#define CLIENT_THIS(var)                                                                           \
    client_obj *var = this_client(ZEND_THIS);                                                      \
    if (!var) {                                                                                    \
        RETURN_THROWS();                                                                           \
    }

/* An async client connected in another process (inherited through fork):
 * its loop is not this process's, so it cannot be used here. */
static bool foreign(const client_obj *o) {
    return o->async && o->loop_pid && o->loop_pid != getpid();
}

static bool inherited(client_obj *o) {
    if (foreign(o)) {
        fail_msg(o, SWIRL_ESTATE,
                 "this async client was connected in process %d: a forked child cannot use it",
                 (int)o->loop_pid);
        return true;
    }
    return false;
}

/* ---- construction and settings ------------------------------------------------------------ */

/* Construct `o` as a client of `type` (flags included), async or not, with
 * keep-alive `key`. False with a ValueError/Error thrown. */
static bool construct(client_obj *o, zend_long type, bool async, zend_string *key) {
    if (o->cli) {
        zend_throw_error(NULL, "Swoole\\Client is already constructed");
        return false;
    }
    if (type < 0 || type > INT_MAX) {
        zend_argument_value_error(1, "must be a SWOOLE_SOCK_* type, " ZEND_LONG_FMT " given", type);
        return false;
    }
    if ((type & CLIENT_FLAG_ASYNC) && (type & CLIENT_FLAG_SYNC)) {
        zend_argument_value_error(1, "must not have both SWOOLE_ASYNC and SWOOLE_SYNC");
        return false;
    }
    async = async || (type & CLIENT_FLAG_ASYNC);
    zend_long base = type & ~(zend_long)(CLIENT_FLAG_ASYNC | CLIENT_FLAG_SYNC);
    if (key && ZSTR_LEN(key) != strlen(ZSTR_VAL(key))) {
        zend_argument_value_error(3, "must not contain any null bytes");
        return false;
    }
    int rc =
        swirl_client_new(&o->cli, (int)base, async, key && ZSTR_LEN(key) ? ZSTR_VAL(key) : NULL);
    if (rc < 0) {
        o->cli = NULL;
        if (rc == SWIRL_EBADARG) /* not a type at all */
            zend_argument_value_error(
                1,
                "must be SWOOLE_SOCK_TCP, SWOOLE_SOCK_UDP, SWOOLE_SOCK_TCP6, "
                "SWOOLE_SOCK_UDP6, SWOOLE_SOCK_UNIX_STREAM or SWOOLE_SOCK_UNIX_DGRAM, "
                "optionally | SWOOLE_SSL | SWOOLE_KEEP, " ZEND_LONG_FMT " given",
                type);
        else /* a flag this type or mode does not take: swirl's message says which */
            zend_argument_value_error(1, "is not valid: %s", swirl_php_error_msg(rc));
        return false;
    }
    o->async = async;
    o->keep = (base & SWIRL_CLIENT_KEEP) != 0;
    o->kind = (int)(base & ~(zend_long)(SWIRL_SOCK_SSL | SWIRL_CLIENT_KEEP));
    o->stream = swirl_sock_is_stream((swirl_sock_type_t)o->kind);
    update_long(o, "type", type);
    return true;
}

PHP_METHOD(Swoole_Client, __construct) {
    zend_long type, is_sync = 0;
    zend_string *key = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_LONG(type)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(is_sync)
    Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    if (is_sync != 0 && is_sync != 1) {
        zend_argument_value_error(
            2, "must be SWOOLE_SOCK_SYNC (0) or SWOOLE_SOCK_ASYNC (1), " ZEND_LONG_FMT " given",
            is_sync);
        RETURN_THROWS();
    }
    if (!construct(client_from(Z_OBJ_P(ZEND_THIS)), type, is_sync == 1, key))
        RETURN_THROWS();
}

PHP_METHOD(Swoole_Async_Client, __construct) {
    zend_long type;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_LONG(type)
    ZEND_PARSE_PARAMETERS_END();
    if (!construct(client_from(Z_OBJ_P(ZEND_THIS)), type, true, NULL))
        RETURN_THROWS();
}

/* Apply one setting from a PHP value (see the stub for the keys): the C
 * client converts and checks it. 0, or the C layer's negative code;
 * SWIRL_ESETTING with `why` set for a PHP type no setting takes. */
static int apply_setting(client_obj *o, const char *key, zval *val, const char **why) {
    swirl_value_t v;
    *why = NULL;
    if (!swirl_php_value(val, &v)) {
        *why = zend_zval_type_name(val);
        return SWIRL_ESETTING;
    }
    return swirl_client_set(o->cli, key, v);
}

/* package_length_func: the C client's framing calls the PHP callable with
 * the bytes received so far of the next message; it returns the message's
 * length, 0 (or less than what it needs: more bytes), or a negative number
 * (bad data: the connection is closed). A callable that throws or returns
 * something that is not a number counts as negative. In an async client it
 * runs as the other callbacks do (an exception stops the loop). */
static ssize_t length_fn(const void *data, size_t len, void *user) {
    client_obj *o = user;
    if (Z_ISUNDEF(o->length_fn) || EG(exception))
        return -1;
    zval arg, ret, cb;
    ZVAL_STRINGL(&arg, data, len);
    ZVAL_COPY(&cb, &o->length_fn); /* set() from inside may replace it */
    ZVAL_UNDEF(&ret);
    if (o->async)
        swirl_php_event_call_ret(&cb, 1, &arg, &ret);
    else if (call_user_function(NULL, NULL, &cb, &ret, 1, &arg) != SUCCESS)
        ZVAL_UNDEF(&ret);
    ssize_t n = -1;
    if (!EG(exception) && (Z_TYPE(ret) == IS_LONG || Z_TYPE(ret) == IS_DOUBLE))
        n = Z_TYPE(ret) == IS_LONG ? (ssize_t)Z_LVAL(ret) : (ssize_t)Z_DVAL(ret);
    zval_ptr_dtor(&ret);
    zval_ptr_dtor(&cb);
    zval_ptr_dtor(&arg);
    return n < 0 ? -1 : n;
}

static bool set_length_fn(client_obj *o, zval *val) {
    if (Z_TYPE_P(val) == IS_NULL) {
        swirl_client_set_length_fn(o->cli, NULL, NULL);
        zval_ptr_dtor(&o->length_fn);
        ZVAL_UNDEF(&o->length_fn);
        return true;
    }
    if (!zend_is_callable(val, 0, NULL)) {
        fail_msg(o, SWIRL_ESETTING, "setting `package_length_func`: %s is not callable",
                 zend_zval_type_name(val));
        return false;
    }
    int rc = swirl_client_set_length_fn(o->cli, length_fn, o);
    if (rc < 0) {
        fail(o, rc, false);
        return false;
    }
    zval_ptr_dtor(&o->length_fn);
    ZVAL_COPY(&o->length_fn, val);
    return true;
}

static bool set_one(void *arg, zend_string *key, zend_ulong idx, zval *val) {
    client_obj *o = arg;
    if (!key) {
        fail_msg(o, SWIRL_ESETTING, "setting " ZEND_ULONG_FMT ": a setting's key must be its name",
                 idx);
        return false;
    }
    if (ZSTR_LEN(key) != strlen(ZSTR_VAL(key))) {
        fail_msg(o, SWIRL_ESETTING, "setting `%s`: a key with a NUL byte", ZSTR_VAL(key));
        return false;
    }
    if (zend_string_equals_literal(key, "package_length_func"))
        return set_length_fn(o, val);
    const char *why;
    int rc = apply_setting(o, ZSTR_VAL(key), val, &why);
    if (rc >= 0)
        return true;
    if (why) {
        fail_msg(o, rc, "setting `%s`: %s is not a valid value", ZSTR_VAL(key), why);
    } else {
        char msg[600];
        record_error(o, rc, false, false, msg, sizeof msg);
        if (strstr(msg, ZSTR_VAL(key)))
            php_error_docref(NULL, E_WARNING, "%s", msg);
        else
            php_error_docref(NULL, E_WARNING, "setting `%s`: %s", ZSTR_VAL(key), msg);
    }
    return false;
}

PHP_METHOD(Swoole_Client, set) {
    HashTable *settings;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_ARRAY_HT(settings)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    RETURN_BOOL(swirl_php_settings_merge(&o->std, swirl_php_client_ce, settings, set_one, o));
}

/* The event called `name` (case-insensitive, "on" prefix allowed), or -1. */
static int event_index(const char *name, size_t len) {
    if (len > 2 && strncasecmp(name, "on", 2) == 0) {
        for (int i = 0; i < CB__COUNT; i++)
            if (strlen(cb_names[i]) == len - 2 && strncasecmp(cb_names[i], name + 2, len - 2) == 0)
                return i;
    }
    for (int i = 0; i < CB__COUNT; i++)
        if (strlen(cb_names[i]) == len && strncasecmp(cb_names[i], name, len) == 0)
            return i;
    return -1;
}

PHP_METHOD(Swoole_Client, on) {
    zend_string *name;
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(name)
    Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (!o->async) {
        fail_msg(
            o, SWIRL_ENOTSUP,
            "event `%s`: callbacks are for async clients (SWOOLE_SOCK_ASYNC); this one is blocking",
            ZSTR_VAL(name));
        RETURN_FALSE;
    }
    int i = event_index(ZSTR_VAL(name), ZSTR_LEN(name));
    if (i < 0) {
        fail_msg(o, SWIRL_EBADARG, "unknown event `%s`: expected connect, receive, error or close",
                 ZSTR_VAL(name));
        RETURN_FALSE;
    }
    zval_ptr_dtor(&o->cb[i]);
    ZVAL_COPY(&o->cb[i], &fci.function_name);
    RETURN_TRUE;
}

/* ---- connecting --------------------------------------------------------------------------- */

static bool is_unix_kind(int kind) {
    return kind == SWIRL_SOCK_UNIX_STREAM || kind == SWIRL_SOCK_UNIX_DGRAM;
}

/* Check the async callbacks before connect, as Swoole: a fatal error
 * naming every missing one. */
static bool callbacks_ready(client_obj *o) {
    char missing[80] = "";
    for (int i = 0; i < CB__COUNT; i++) {
        bool need = o->stream || i == CB_RECEIVE;
        if (need && Z_ISUNDEF(o->cb[i])) {
            size_t at = strlen(missing);
            snprintf(missing + at, sizeof missing - at, "%s'on%c%s'", at ? ", " : "",
                     cb_names[i][0] - 'a' + 'A', cb_names[i] + 1);
        }
    }
    if (!missing[0])
        return true;
    php_error_docref(NULL, E_ERROR,
                     "no %s callback function: an async %s client needs %s (set with on())",
                     missing, o->stream ? "stream" : "datagram",
                     o->stream ? "connect, receive, error and close" : "a receive callback");
    return false;
}

/* bind_address or bind_port is among the settings. */
static bool binds(client_obj *o) {
    zval rv;
    zval *set =
        zend_read_property(swirl_php_client_ce, &o->std, "setting", sizeof("setting") - 1, 1, &rv);
    return Z_TYPE_P(set) == IS_ARRAY &&
           (zend_hash_str_exists(Z_ARRVAL_P(set), "bind_address", sizeof("bind_address") - 1) ||
            zend_hash_str_exists(Z_ARRVAL_P(set), "bind_port", sizeof("bind_port") - 1));
}

PHP_METHOD(Swoole_Client, connect) {
    zend_string *host;
    zend_long port = 0, flag = 0;
    double timeout = 0;
    ZEND_PARSE_PARAMETERS_START(1, 4)
    Z_PARAM_STR(host)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(port)
    Z_PARAM_DOUBLE(timeout)
    Z_PARAM_LONG(flag)
    ZEND_PARSE_PARAMETERS_END();
    (void)flag;
    CLIENT_THIS(o);
    if (ZEND_NUM_ARGS() < 3)
        timeout = 0; /* not given: connect_timeout / timeout setting, else 0.5 */
    if (ZSTR_LEN(host) != strlen(ZSTR_VAL(host))) {
        zend_argument_value_error(1, "must not contain any null bytes");
        RETURN_THROWS();
    }
    if (ZSTR_LEN(host) == 0) {
        zend_argument_value_error(1, "must not be empty");
        RETURN_THROWS();
    }
    if (!isfinite(timeout) || timeout > TIMEOUT_MAX) {
        zend_argument_value_error(3,
                                  "must be a number of seconds up to a year (negative: no limit)");
        RETURN_THROWS();
    }
    int kind = o->kind;
    const char *h = ZSTR_VAL(host);
    char split[256];
    if (!is_unix_kind(kind)) {
        int p;
        if (port == 0 && swirl_addr_split(h, kind == SWIRL_SOCK_TCP6 || kind == SWIRL_SOCK_UDP6,
                                          split, sizeof split, &p)) {
            h = split;
            port = p;
        }
        if (port < 1 || port > 65535) {
            zend_argument_value_error(
                2, "must be between 1 and 65535 (or $host \"host:port\"), " ZEND_LONG_FMT " given",
                port);
            RETURN_THROWS();
        }
    }
    if (inherited(o))
        RETURN_FALSE;
    if (o->async) {
        if (!callbacks_ready(o))
            RETURN_FALSE;
        swirl_loop_t *loop = swirl_php_loop();
        if (!loop || !swirl_php_event_autorun())
            RETURN_FALSE;
        swirl_client_callbacks_t cbs = {.on_connect = swirl_php_client_on_connect,
                                        .on_receive = swirl_php_client_on_receive,
                                        .on_error = swirl_php_client_on_error,
                                        .on_close = swirl_php_client_on_close};
        int rc = swirl_client_set_callbacks(o->cli, loop, &cbs, o);
        if (rc < 0) {
            fail(o, rc, false);
            RETURN_FALSE;
        }
    }
    int rc = swirl_client_connect(o->cli, h, (int)port, timeout);
    if (rc < 0) {
        /* the state of an earlier connection is left as it was */
        if ((rc == -EADDRINUSE || rc == -EADDRNOTAVAIL) && binds(o)) {
            /* Swoole's failed bind_address/bind_port: errCode only */
            char msg[600];
            record_error(o, rc, false, false, msg, sizeof msg);
        } else {
            fail(o, rc, false);
        }
        RETURN_FALSE;
    }
    o->conns++; /* a new connection: getSocket() makes a new Socket */
    if (o->async) {
        /* The C client never calls back from inside connect: what it
         * reports comes from the loop, after this. */
        o->gen++;
        o->established = false;
        o->loop_pid = getpid();
        swirl_php_client_hold(o);
    }
    sync_sock(o);
    RETURN_TRUE;
}

/* ---- sending and receiving ---------------------------------------------------------------- */

PHP_METHOD(Swoole_Client, send) {
    zend_string *data;
    zend_long flag = 0;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_STR(data)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(flag)
    ZEND_PARSE_PARAMETERS_END();
    (void)flag;
    CLIENT_THIS(o);
    if (inherited(o))
        RETURN_FALSE;
    if (ZSTR_LEN(data) == 0) {
        fail_msg(o, SWIRL_EBADARG, "send: the data to send is empty");
        RETURN_FALSE;
    }
    ssize_t n = swirl_client_send(o->cli, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0) {
        fail(o, (int)n, true);
        RETURN_FALSE;
    }
    RETURN_LONG((zend_long)n);
}

/* One whole message (framing on, stream types): any size up to
 * package_max_length. */
static void recv_message(client_obj *o, int flags, zval *return_value) {
    swirl_buf_t buf;
    swirl_buf_init(&buf);
    ssize_t n = swirl_client_recv_buf(o->cli, &buf, flags);
    if (n < 0) {
        swirl_buf_destroy(&buf);
        fail(o, (int)n, true);
        RETURN_FALSE;
    }
    if (n == 0) {
        swirl_buf_destroy(&buf);
        RETURN_EMPTY_STRING(); /* the peer closed the connection */
    }
    RETVAL_STRINGL(swirl_buf_bytes(&buf), swirl_buf_size(&buf));
    swirl_buf_destroy(&buf);
}

PHP_METHOD(Swoole_Client, recv) {
    zend_long size = 65535, flag = 0;
    ZEND_PARSE_PARAMETERS_START(0, 2)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(size)
    Z_PARAM_LONG(flag)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (size < 0) {
        zend_argument_value_error(1, "must be greater than or equal to 0, " ZEND_LONG_FMT " given",
                                  size);
        RETURN_THROWS();
    }
    if (flag == 1)
        flag = SWIRL_CLIENT_MSG_WAITALL; /* Swoole 1.x: recv($size, true) waits for all */
    if (flag < 0 || flag > INT_MAX) {
        zend_argument_value_error(
            2, "must be a combination of Swoole\\Client::MSG_PEEK, MSG_WAITALL and MSG_DONTWAIT");
        RETURN_THROWS();
    }
    if (swirl_client_is_framed(o->cli)) {
        recv_message(o, (int)flag, return_value);
        sync_sock(o);
        return;
    }
    if ((size_t)size > ZSTR_MAX_LEN) {
        zend_argument_value_error(1, "is too large");
        RETURN_THROWS();
    }
    /* as Swoole: a read of nothing (the rest of a message that came whole) */
    if (size == 0)
        RETURN_EMPTY_STRING();
    /* The string grows with what arrives, a chunk at a time: a size asked
     * for is not allocated up front (MSG_WAITALL of 1 << 40 bytes). A peek
     * cannot be taken in chunks: it sees at most one. */
    size_t total = (size_t)size, got = 0;
    if (!(flag & SWIRL_CLIENT_MSG_WAITALL) || (flag & SWIRL_CLIENT_MSG_PEEK))
        total = MIN(total, RECV_CHUNK_MAX);
    zend_string *s = zend_string_alloc(MIN(total, RECV_CHUNK_MAX), 0);
    while (got < total) {
        size_t want = MIN(total - got, RECV_CHUNK_MAX);
        if (ZSTR_LEN(s) < got + want)
            s = zend_string_extend(s, MIN(total, MAX(got + want, 2 * ZSTR_LEN(s))), 0);
        ssize_t n = swirl_client_recv(o->cli, ZSTR_VAL(s) + got, want, (int)flag);
        if (n < 0 && got == 0) {
            zend_string_efree(s);
            fail(o, (int)n, true);
            RETURN_FALSE;
        }
        if (n <= 0)
            break; /* end of stream, or an error after some bytes: those are returned */
        got += (size_t)n;
        if ((size_t)n < want)
            break;
    }
    if (got == 0) {
        zend_string_efree(s);
        sync_sock(o);
        RETURN_EMPTY_STRING();
    }
    if (got < ZSTR_LEN(s))
        s = zend_string_truncate(s, got, 0);
    ZSTR_VAL(s)[got] = '\0';
    RETURN_NEW_STR(s);
}

PHP_METHOD(Swoole_Client, sendto) {
    zend_string *ip, *data;
    zend_long port;
    ZEND_PARSE_PARAMETERS_START(3, 3)
    Z_PARAM_STR(ip)
    Z_PARAM_LONG(port)
    Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (ZSTR_LEN(ip) != strlen(ZSTR_VAL(ip)) || ZSTR_LEN(ip) == 0) {
        zend_argument_value_error(1, "must be a non-empty address without null bytes");
        RETURN_THROWS();
    }
    int kind = o->kind;
    if (!is_unix_kind(kind) && (port < 1 || port > 65535)) {
        zend_argument_value_error(2, "must be between 1 and 65535, " ZEND_LONG_FMT " given", port);
        RETURN_THROWS();
    }
    if (inherited(o))
        RETURN_FALSE;
    ssize_t n =
        swirl_client_sendto(o->cli, ZSTR_VAL(ip), (int)port, ZSTR_VAL(data), ZSTR_LEN(data));
    if (n < 0 && n > -1000) {
        /* the socket's own failure (a full peer, a timeout): as Swoole's,
         * errCode and errMsg, no warning (scripts send until false) */
        char msg[600];
        record_error(o, (int)n, true, false, msg, sizeof msg);
        RETURN_FALSE;
    }
    if (n < 0) { /* a misuse (swirl's own codes): warned */
        fail(o, (int)n, true);
        RETURN_FALSE;
    }
    sync_sock(o);
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Client, sendfile) {
    zend_string *path;
    zend_long offset = 0, length = 0;
    ZEND_PARSE_PARAMETERS_START(1, 3)
    Z_PARAM_STR(path)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(offset)
    Z_PARAM_LONG(length)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (ZSTR_LEN(path) != strlen(ZSTR_VAL(path)) || ZSTR_LEN(path) == 0) {
        zend_argument_value_error(1, "must be a non-empty path without null bytes");
        RETURN_THROWS();
    }
    if (offset < 0) {
        zend_argument_value_error(2, "must be greater than or equal to 0");
        RETURN_THROWS();
    }
    if (length < 0) {
        zend_argument_value_error(3,
                                  "must be greater than or equal to 0 (0: to the end of the file)");
        RETURN_THROWS();
    }
    ssize_t n = swirl_client_sendfile(o->cli, ZSTR_VAL(path), (off_t)offset, (size_t)length);
    if (n < 0) {
        fail(o, (int)n, true);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

/* ---- closing and state -------------------------------------------------------------------- */

PHP_METHOD(Swoole_Client, close) {
    bool force = false;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_BOOL(force)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (inherited(o))
        RETURN_FALSE;
    unsigned gen = o->gen;
    int rc = swirl_client_close(o->cli, force);
    /* An async close runs the close callback (which let go of the swirl_php_client_hold);
     * one still connecting has none: let go here, unless a callback
     * connected again. $this keeps the object alive meanwhile. */
    if (o->async && o->gen == gen)
        swirl_php_client_release(o);
    o->established = false;
    sync_sock(o);
    if (rc < 0) {
        fail(o, rc, false);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Client, isConnected) {
    ZEND_PARSE_PARAMETERS_NONE();
    CLIENT_THIS(o);
    RETURN_BOOL(swirl_client_is_connected(o->cli) && !foreign(o));
}

static void address_of(INTERNAL_FUNCTION_PARAMETERS, bool peer) {
    ZEND_PARSE_PARAMETERS_NONE();
    CLIENT_THIS(o);
    swirl_addr_t addr;
    int rc =
        peer ? swirl_client_getpeername(o->cli, &addr) : swirl_client_getsockname(o->cli, &addr);
    char host[SWIRL_ADDR_STRLEN];
    if (rc == 0 && (rc = swirl_addr_host(&addr, host, sizeof host)) >= 0)
        rc = 0;
    if (rc < 0) {
        fail(o, rc, false);
        RETURN_FALSE;
    }
    array_init(return_value);
    add_assoc_string(return_value, "host", host);
    add_assoc_long(return_value, "port", swirl_addr_port(&addr));
}

PHP_METHOD(Swoole_Client, getsockname) { address_of(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }
PHP_METHOD(Swoole_Client, getpeername) { address_of(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }

/* ---- the socket as an ext-sockets Socket ---------------------------------------------------- */

/* ext-sockets' Socket class, looked up by name at run time: swirl.so does
 * not need sockets.so to load. NULL when that extension is not loaded. */
static zend_class_entry *socket_class(void) {
    return zend_hash_str_find_ptr(CG(class_table), "socket", sizeof("socket") - 1);
}

PHP_METHOD(Swoole_Client, getSocket) {
    ZEND_PARSE_PARAMETERS_NONE();
    CLIENT_THIS(o);
    zend_class_entry *ce = socket_class();
    if (!ce) {
        zend_throw_error(NULL, "Swoole\\Client::getSocket() needs the sockets extension");
        RETURN_THROWS();
    }
    if (o->keep) {
        fail_msg(o, SWIRL_ENOTSUP, "getSocket: not on a SWOOLE_KEEP (persistent) connection");
        RETURN_FALSE;
    }
    int fd = swirl_client_fd(o->cli);
    if (fd < 0 || foreign(o)) {
        fail_msg(o, SWIRL_ESTATE, "getSocket: the client is not connected");
        RETURN_FALSE;
    }
    if (!Z_ISUNDEF(o->zsocket) && o->zsocket_of == o->conns)
        RETURN_COPY(&o->zsocket);
    /* A duplicate, as Swoole's: the Socket and the client each close their own. */
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (nfd < 0) {
        fail_msg(o, -errno, "getSocket: dup: %s", strerror(errno));
        RETURN_FALSE;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (getsockname(nfd, (struct sockaddr *)&ss, &sl) < 0) {
        int e = errno;
        close(nfd);
        fail_msg(o, -e, "getSocket: getsockname: %s", strerror(e));
        RETURN_FALSE;
    }
    zval z;
    object_init_ex(&z, ce);
    php_socket *sock = Z_SOCKET_P(&z);
    sock->bsd_socket = nfd;
    sock->type = ss.ss_family;
    sock->error = 0;
    int fl = fcntl(nfd, F_GETFL);
    sock->blocking = fl >= 0 && !(fl & O_NONBLOCK);
    zval_ptr_dtor(&o->zsocket);
    ZVAL_COPY(&o->zsocket, &z);
    o->zsocket_of = o->conns;
    RETURN_COPY_VALUE(&z);
}

/* ---- Swoole\\Async\\Client's own methods ----------------------------------------------------- */

static void pause_reading(INTERNAL_FUNCTION_PARAMETERS, bool pause) {
    ZEND_PARSE_PARAMETERS_NONE();
    CLIENT_THIS(o);
    if (inherited(o))
        RETURN_FALSE;
    int rc = swirl_client_pause(o->cli, pause);
    if (rc < 0) {
        fail(o, rc, false);
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

PHP_METHOD(Swoole_Async_Client, sleep) { pause_reading(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
PHP_METHOD(Swoole_Async_Client, wakeup) { pause_reading(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

PHP_METHOD(Swoole_Async_Client, enableSSL) {
    zval *cb = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
    Z_PARAM_OPTIONAL
    Z_PARAM_ZVAL_OR_NULL(cb)
    ZEND_PARSE_PARAMETERS_END();
    CLIENT_THIS(o);
    if (!cb) {
        zend_throw_exception(swirl_ce_exception, "require `onSslReady` callback",
                             swirl_php_errcode(SWIRL_EBADARG));
        RETURN_THROWS();
    }
    fail_msg(o, SWIRL_ENOTSUP,
             "enableSSL: upgrading a connection to TLS is not supported; connect with "
             "SWOOLE_SOCK_TCP | SWOOLE_SSL instead");
    RETURN_FALSE;
}

/* ---- swoole_client_select ------------------------------------------------------------------ */

/* The fd of an element of a select array: a Swoole\\Client, an ext-sockets
 * Socket, a stream or an int; -1 (with a warning) for anything else or a
 * closed one. */
static int select_fd(zval *z) {
    ZVAL_DEREF(z);
    switch (Z_TYPE_P(z)) {
    case IS_LONG:
        if (Z_LVAL_P(z) >= 0 && Z_LVAL_P(z) <= INT_MAX)
            return (int)Z_LVAL_P(z);
        break;
    case IS_OBJECT:
        if (instanceof_function(Z_OBJCE_P(z), swirl_php_client_ce)) {
            client_obj *o = client_from(Z_OBJ_P(z));
            if (o->cli && swirl_client_fd(o->cli) >= 0)
                return swirl_client_fd(o->cli);
            php_error_docref(NULL, E_WARNING,
                             "swoole_client_select: a client that is not connected");
            return -1;
        }
        if (socket_class() && Z_OBJCE_P(z) == socket_class() && Z_SOCKET_P(z)->bsd_socket >= 0)
            return Z_SOCKET_P(z)->bsd_socket;
        break;
    case IS_RESOURCE: {
        php_stream *stream = (php_stream *)zend_fetch_resource2_ex(z, NULL, php_file_le_stream(),
                                                                   php_file_le_pstream());
        int fd = -1;
        if (stream &&
            php_stream_cast(stream, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                            (void **)&fd, 1) == SUCCESS &&
            fd >= 0)
            return fd;
        break;
    }
    default:
        break;
    }
    php_error_docref(NULL, E_WARNING,
                     "swoole_client_select: %s is not a client, Socket, stream or fd",
                     zend_zval_type_name(z));
    return -1;
}

/* Add the fds of `arr` to `fds` (n of them so far) for `ev`. */
static size_t select_add(zval *arr, struct pollfd *fds, size_t n, short ev) {
    if (!arr || Z_TYPE_P(arr) != IS_ARRAY)
        return n;
    zval *el;
    ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(arr), el) {
        int fd = select_fd(el);
        if (fd < 0)
            continue;
        size_t i = 0;
        while (i < n && fds[i].fd != fd)
            i++;
        if (i == n) {
            fds[n].fd = fd;
            fds[n].events = 0;
            fds[n].revents = 0;
            n++;
        }
        fds[i].events |= ev;
    }
    ZEND_HASH_FOREACH_END();
    return n;
}

/* Keep in `arr` the entries (keys kept) ready for `ev`. */
static void select_keep(zval *arr, const struct pollfd *fds, size_t n, short ev) {
    if (!arr || Z_TYPE_P(arr) != IS_ARRAY)
        return;
    zval kept;
    array_init(&kept);
    zend_ulong idx;
    zend_string *key;
    zval *el;
    ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL_P(arr), idx, key, el) {
        zval *v = el;
        ZVAL_DEREF(v);
        int fd = -1;
        if (Z_TYPE_P(v) == IS_OBJECT && instanceof_function(Z_OBJCE_P(v), swirl_php_client_ce)) {
            client_obj *o = client_from(Z_OBJ_P(v));
            fd = o->cli ? swirl_client_fd(o->cli) : -1;
        } else if (Z_TYPE_P(v) == IS_LONG) {
            fd = Z_LVAL_P(v) >= 0 && Z_LVAL_P(v) <= INT_MAX ? (int)Z_LVAL_P(v) : -1;
        } else if (Z_TYPE_P(v) == IS_OBJECT && socket_class() && Z_OBJCE_P(v) == socket_class()) {
            fd = Z_SOCKET_P(v)->bsd_socket;
        } else if (Z_TYPE_P(v) == IS_RESOURCE) {
            php_stream *st = (php_stream *)zend_fetch_resource2_ex(v, NULL, php_file_le_stream(),
                                                                   php_file_le_pstream());
            if (!st || php_stream_cast(st, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                                       (void **)&fd, 0) != SUCCESS)
                fd = -1;
        }
        bool ready = false;
        for (size_t i = 0; fd >= 0 && i < n; i++)
            if (fds[i].fd == fd) {
                /* an error or hang-up wakes every kind of waiter, as select(2) */
                ready = (fds[i].revents & (ev | POLLERR | POLLHUP | POLLNVAL)) != 0;
                break;
            }
        if (!ready)
            continue;
        Z_TRY_ADDREF_P(v);
        if (key)
            zend_hash_update(Z_ARRVAL(kept), key, v);
        else
            zend_hash_index_update(Z_ARRVAL(kept), idx, v);
    }
    ZEND_HASH_FOREACH_END();
    zval_ptr_dtor(arr);
    ZVAL_COPY_VALUE(arr, &kept);
}

static uint32_t count_of(zval *arr) {
    return arr && Z_TYPE_P(arr) == IS_ARRAY ? zend_hash_num_elements(Z_ARRVAL_P(arr)) : 0;
}

PHP_FUNCTION(swoole_client_select) {
    zval *r = NULL, *w = NULL, *e = NULL;
    double timeout = 0.5;
    bool timeout_null = true;
    ZEND_PARSE_PARAMETERS_START(3, 4)
    Z_PARAM_ARRAY_EX2(r, 1, 1, 0)
    Z_PARAM_ARRAY_EX2(w, 1, 1, 0)
    Z_PARAM_ARRAY_EX2(e, 1, 1, 0)
    Z_PARAM_OPTIONAL
    Z_PARAM_DOUBLE_OR_NULL(timeout, timeout_null)
    ZEND_PARSE_PARAMETERS_END();
    if (timeout_null)
        timeout = 0.5;
    if (isnan(timeout)) {
        zend_argument_value_error(4, "must be a number of seconds, NAN given");
        RETURN_THROWS();
    }
    /* null arrays come as NULL; the others are the references' values */
    size_t max = (size_t)count_of(r) + count_of(w) + count_of(e);
    struct pollfd *fds = max ? safe_emalloc(max, sizeof *fds, 0) : NULL;
    size_t n = select_add(r, fds, 0, POLLIN);
    n = select_add(w, fds, n, POLLOUT);
    n = select_add(e, fds, n, POLLPRI);
    if (n == 0) {
        if (fds)
            efree(fds);
        php_error_docref(NULL, E_WARNING, "no resource arrays were passed to select");
        RETURN_FALSE;
    }
    /* negative: no limit, as Swoole's poll(timeout * 1000) */
    int ms = timeout < 0 ? -1 : timeout * 1000 >= INT_MAX ? INT_MAX : (int)(timeout * 1000);
    int rc;
    do {
        rc = poll(fds, (nfds_t)n, ms);
    } while (rc < 0 && errno == EINTR && !EG(exception));
    if (rc < 0) {
        int err = errno;
        efree(fds);
        php_error_docref(NULL, E_WARNING, "swoole_client_select: poll: %s", strerror(err));
        RETURN_FALSE;
    }
    select_keep(r, fds, n, POLLIN);
    select_keep(w, fds, n, POLLOUT);
    select_keep(e, fds, n, POLLPRI);
    efree(fds);
    RETURN_LONG(rc);
}

void swirl_client_minit(int module_number) {
    register_client_symbols(module_number);
    zend_register_functions(NULL, ext_functions, NULL, MODULE_PERSISTENT);
    swirl_php_client_ce = register_class_Swoole_Client();
    swirl_php_client_ce->create_object = client_create_object;
    memcpy(&client_handlers, zend_get_std_object_handlers(), sizeof client_handlers);
    client_handlers.offset = XtOffsetOf(client_obj, std);
    client_handlers.free_obj = client_free_object;
    client_handlers.get_gc = client_get_gc;
    client_handlers.clone_obj = NULL;
    swirl_php_alias("swoole_client", swirl_php_client_ce);
    zend_class_entry *async_ce = register_class_Swoole_Async_Client(swirl_php_client_ce);
    async_ce->create_object = client_create_object;
}
