/* src/websocket/settings.h — the WebSocket layer's settings: its rows of
 * the server's settings table (swirl_server_set takes them) and the struct
 * they fill, which src/websocket reads. Never installed. */
#ifndef SWIRL_WEBSOCKET_SETTINGS_H
#define SWIRL_WEBSOCKET_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

/* The WebSocket keys, one row each, as SWIRL__HTTP_KEYS (http/settings.h):
 *   XX(field, TYPE, min, max, default_text, store, flags, doc) */
#define SWIRL__WS_KEYS(XX)                                                                         \
    XX(open_websocket_close_frame, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                       \
       "WebSocket: deliver close frames to the message callback instead of answering them")        \
    XX(open_websocket_ping_frame, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                        \
       "WebSocket: deliver ping frames to the message callback instead of answering them")         \
    XX(open_websocket_pong_frame, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                        \
       "WebSocket: deliver pong frames to the message callback instead of dropping them")          \
    XX(websocket_ping_interval, INT, 0, 86400, "0", SWIRL__CONF_I64, 0,                            \
       "WebSocket: seconds between pings to connections that went silent (0 = never); with "       \
       "heartbeat_idle_time, peers that stop answering are closed")                                \
    XX(websocket_compression, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                            \
       "WebSocket: permessage-deflate when the client offers it (messages from "                   \
       "compression_min_length bytes on are compressed, at http_compression_level)")

/* The fields the keys fill (as SWIRL__HTTP_SETTINGS_FIELDS). */
#define SWIRL__WS_SETTINGS_FIELDS                                                                  \
    bool open_websocket_close_frame; /* close frames to the message callback; default false */     \
    bool open_websocket_ping_frame;  /* ping frames to the message callback; default false */      \
    bool open_websocket_pong_frame;  /* pong frames to the message callback; default false */      \
    int64_t websocket_ping_interval; /* seconds; 0 = no pings */                                   \
    bool websocket_compression;      /* permessage-deflate when offered; default false */

typedef struct swirl__ws_settings {
    SWIRL__WS_SETTINGS_FIELDS
} swirl__ws_settings_t;

#endif
