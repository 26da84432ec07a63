/* swirl_websocket.c — Swoole\WebSocket\Server (swoole_websocket_server) on
 * swirl_ws_server_t: a Swoole\Http\Server whose object also holds the C
 * WebSocket server (server_obj.ws, made by Server::__construct for this
 * class and its subclasses). */
#include "swirl_server.h"

#include "stubs/websocket_arginfo.h"

zend_class_entry *swirl_php_ws_server_ce;

int swirl_php_ws_on(server_obj *o, const char *name, size_t len, zval *cb, bool *failed) {
    (void)o, (void)name, (void)len, (void)cb, (void)failed;
    return 0;
}

bool swirl_php_ws_prepare(server_obj *o) {
    (void)o;
    php_error_docref(NULL, E_WARNING, "Swoole\\WebSocket\\Server: not written yet");
    return false;
}

void swirl_websocket_minit(void) {
    swirl_php_ws_server_ce = register_class_Swoole_WebSocket_Server(swirl_php_http_server_ce);
    swirl_php_alias("swoole_websocket_server", swirl_php_ws_server_ce);
}
