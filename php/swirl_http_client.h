/* swirl_http_client.h — what swirl_http_client.c (Swoole\Http\Client's
 * HTTP part) and swirl_http_client_ws.c (its WebSocket part: upgrade,
 * push, the message event) share. Never installed. */
#ifndef SWIRL_PHP_HTTP_CLIENT_H
#define SWIRL_PHP_HTTP_CLIENT_H

#include "php_swirl.h"

#include <swirl/http_client.h>
#include <swirl/ws_client.h>
#include <unistd.h>

/* A Swoole\Http\Client object. */
typedef struct {
    swirl_http_client_t *hc; /* made on the first request, on this process's loop */
    swirl_loop_t *loop;
    pid_t pid;
    swirl_http_call_t *call; /* the request in flight, or NULL */
    zval cb, on_close, on_error, on_message;
    zval method, data, files; /* for the next request: UNDEF, a string, an array of parts */
    bool held, closing, quiet, download;
    /* set() */
    double timeout; /* < 0: the C client's defaults */
    bool keep_alive, verify_peer, allow_self_signed;
    zend_string *cafile, *cert_file, *key_file, *host_name, *proxy_host;
    zend_long proxy_port;
    bool websocket_compression;
    /* the WebSocket (swirl_http_client_ws.c): made by upgrade() */
    swirl_ws_client_t *ws;
    zval ws_cb;   /* upgrade()'s callback until it ran */
    bool ws_held; /* a reference on the object while the WebSocket lives */
    bool ws_quiet, ws_upgraded, ws_closed;
    zend_object std;
} hcli_obj;

extern zend_class_entry *swirl_hcli_ce;

static inline hcli_obj *hcli_from(zend_object *o) {
    return (hcli_obj *)((char *)o - XtOffsetOf(hcli_obj, std));
}

/* Call cb (UNDEF: nothing) with the client as its one argument. */
void swirl_hcli_call(hcli_obj *o, zval *cb);

/* The WebSocket part (swirl_http_client_ws.c). live: connecting, open or
 * closing; close: start the close handshake (or end a connecting one);
 * free: at the object's end, no PHP called; gc: its zvals. */
bool swirl_hcli_ws_live(hcli_obj *o);
bool swirl_hcli_ws_close(hcli_obj *o);
void swirl_hcli_ws_free(hcli_obj *o);
void swirl_hcli_ws_gc(hcli_obj *o, zend_get_gc_buffer *buf);

#endif
