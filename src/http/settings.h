/* src/http/settings.h — the HTTP layer's settings: its rows of the
 * server's settings table (swirl_server_set takes them) and the struct they
 * fill, which src/http reads (swirl__http_conf). Never installed. */
#ifndef SWIRL_HTTP_SETTINGS_H
#define SWIRL_HTTP_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

/* The HTTP keys, one row each, for the settings engine (core/conf.h):
 *   XX(field, TYPE, min, max, default_text, store, flags, doc)
 * TYPE is a SWIRL_VALUE_* suffix, store a SWIRL__CONF_* store, flags
 * SWIRL__CONF_* flags; the field is the key and the member of
 * swirl__http_settings_t. Server-wide keys. */
#define SWIRL__HTTP_KEYS(XX)                                                                       \
    XX(http_max_request_line, INT, 64, (INT64_C(1) << 30), "8K", SWIRL__CONF_I64,                  \
       SWIRL__CONF_BYTES, "HTTP: longest request line; a longer one is answered 414")              \
    XX(http_max_header_size, INT, 256, (INT64_C(1) << 30), "16K", SWIRL__CONF_I64,                 \
       SWIRL__CONF_BYTES,                                                                          \
       "HTTP: largest request head (request line and headers); larger is answered 431")            \
    XX(http_max_headers, INT, 1, 10000, "100", SWIRL__CONF_I64, 0,                                 \
       "HTTP: most header lines in a request; more is answered 431")                               \
    XX(http_header_timeout, INT, 0, 3600, "10", SWIRL__CONF_I64, 0,                                \
       "HTTP: seconds a client has to send a whole request head, and the longest pause inside a "  \
       "body (then 408 and close; 0 = no limit)")                                                  \
    XX(enable_static_handler, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                            \
       "HTTP: serve files under document_root before calling the request handler")                 \
    XX(http_parse_post, BOOL, 0, 1, "true", SWIRL__CONF_BOOL, 0,                                   \
       "HTTP: parse urlencoded and multipart/form-data bodies into fields and files")              \
    XX(upload_tmp_dir, STRING, 1, 4000, "/tmp", SWIRL__CONF_PATH, 0,                               \
       "HTTP: directory multipart uploads are streamed to (temp files, removed after the "         \
       "request)")                                                                                 \
    XX(upload_max_filesize, INT, 0, INT64_MAX, "0", SWIRL__CONF_I64, SWIRL__CONF_BYTES,            \
       "HTTP: largest uploaded file; a larger one is dropped with UPLOAD_ERR_INI_SIZE (0 = only "  \
       "package_max_length bounds it)")                                                            \
    XX(http_parse_cookie, BOOL, 0, 1, "true", SWIRL__CONF_BOOL, 0,                                 \
       "HTTP: parse Cookie headers into fields")                                                   \
    XX(http_compression, BOOL, 0, 1, "true", SWIRL__CONF_BOOL, 0,                                  \
       "HTTP: gzip response bodies of compressible types when the client accepts gzip")            \
    XX(http_compression_level, INT, 1, 9, "1", SWIRL__CONF_I64, 0,                                 \
       "HTTP: gzip level, 1 (fastest) to 9 (smallest)")                                            \
    XX(compression_min_length, INT, 0, (INT64_C(1) << 30), "20", SWIRL__CONF_I64,                  \
       SWIRL__CONF_BYTES, "HTTP: bodies shorter than this are not compressed")                     \
    XX(document_root, STRING, 0, 4095, "none", SWIRL__CONF_PATH, SWIRL__CONF_COMPUTED,             \
       "HTTP: the directory static files are served from")

/* The HTTP layer's per-listener keys (port-scoped, as the framing keys):
 * which protocols a listener of an HTTP server speaks (swirl__http_port_
 * protocols in src/http/server.c has the rule). */
#define SWIRL__HTTP_PORT_KEYS(XX)                                                                  \
    XX(open_http_protocol, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                               \
       "HTTP server: this listener speaks HTTP (the first one always does; one with no keys of "   \
       "its own speaks what the first one speaks)")                                                \
    XX(open_websocket_protocol, BOOL, 0, 1, "false", SWIRL__CONF_BOOL, 0,                          \
       "WebSocket server: this listener takes WebSocket upgrades (implies open_http_protocol)")

#define SWIRL__HTTP_PORT_FIELDS                                                                    \
    bool open_http_protocol;      /* the listener speaks HTTP */                                   \
    bool open_websocket_protocol; /* and takes WebSocket upgrades */

/* The fields the keys fill, as a list, so that the server's settings can
 * hold them as their own members and as a swirl__http_settings_t (an
 * anonymous union of the two). */
#define SWIRL__HTTP_SETTINGS_FIELDS                                                                \
    int64_t http_max_request_line;  /* bytes; longer: 414. Default 8 KiB */                        \
    int64_t http_max_header_size;   /* bytes of the whole head; larger: 431. Default 16 KiB */     \
    int64_t http_max_headers;       /* header lines; more: 431. Default 100 */                     \
    int64_t http_header_timeout;    /* seconds to send a whole head, or of a pause in a body;      \
                                     * then 408. 0 = off */                                        \
    bool enable_static_handler;     /* serve files from document_root; default false */            \
    bool http_parse_post;           /* urlencoded/multipart bodies into fields; default true */    \
    char upload_tmp_dir[4001];      /* multipart file parts go here; default /tmp */               \
    int64_t upload_max_filesize;    /* bytes per uploaded file; 0 = no own limit */                \
    bool http_parse_cookie;         /* Cookie headers into fields; default true */                 \
    bool http_compression;          /* gzip when the client accepts it; default true */            \
    int64_t http_compression_level; /* 1..9, default 1 */                                          \
    int64_t compression_min_length; /* bytes; smaller bodies are sent as they are; default 20 */   \
    char document_root[4096];       /* "" = none */

typedef struct swirl__http_settings {
    SWIRL__HTTP_SETTINGS_FIELDS
} swirl__http_settings_t;

#endif
