/* tools/serve.c — `swirl serve`: an HTTP server on swirl's HTTP module.
 *
 *   GET  /hello   -> "hello world" (text/plain)
 *   GET  /stats   -> the server's stats as JSON
 *   POST /echo    -> the request body back (same Content-Type)
 *   POST /upload  -> the form's fields and uploaded files, one per line:
 *                    "field NAME=VALUE", "file FIELD NAME TYPE SIZE ERROR
 *                    FNV1A64-OF-THE-TEMP-FILE" (multipart/form-data or
 *                    urlencoded)
 *   GET  /ws      -> WebSocket echo (every message back, text or binary)
 *   GET  /chat    -> WebSocket chat room: every message goes to every member
 *                    (members are bound to uid 1, so any worker finds them)
 *   GET  /chat.html -> the chat page (plain HTML and JavaScript)
 *   anything else -> a file under --root (swirl_http_serve_static, after the
 *                    routes), or the built-in demo page at / when there is
 *                    no --root; else 404. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>

#include "cli.h"

static const char demo_page[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>swirl</title></head>\n"
    "<body><h1>swirl serve</h1>\n"
    "<p>This is swirl's built-in demo page. Try <a href=\"/hello\">/hello</a>, "
    "<a href=\"/stats\">/stats</a>, the <a href=\"/chat.html\">chat room</a> (WebSocket), "
    "or <code>curl -d hi http://HOST/echo</code>.</p>\n"
    "<p>Serve a directory with <code>swirl serve --root DIR</code>.</p>\n</body></html>\n";

static const char chat_page[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>swirl chat</title>\n"
    "<style>body{font:16px sans-serif;max-width:40em;margin:2em auto}#log{border:1px solid #ccc;"
    "height:20em;overflow-y:auto;padding:.5em}#log p{margin:.2em 0}</style></head>\n"
    "<body><h1>swirl chat</h1>\n<p id=\"state\">connecting...</p>\n<div id=\"log\"></div>\n"
    "<form id=\"f\"><input id=\"msg\" autocomplete=\"off\" size=\"40\" placeholder=\"say "
    "something\"> <button>send</button></form>\n"
    "<script>\n"
    "const log = document.getElementById('log'), state = document.getElementById('state');\n"
    "const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + "
    "location.host + '/chat');\n"
    "function show(text) { const p = document.createElement('p'); p.textContent = text; "
    "log.appendChild(p); log.scrollTop = log.scrollHeight; }\n"
    "ws.onopen = () => { state.textContent = 'connected'; };\n"
    "ws.onclose = (e) => { state.textContent = 'closed (' + e.code + ')'; };\n"
    "ws.onmessage = (e) => show(e.data);\n"
    "document.getElementById('f').onsubmit = (e) => { e.preventDefault();\n"
    "  const m = document.getElementById('msg'); if (m.value && ws.readyState === 1) "
    "ws.send(m.value); m.value = ''; };\n"
    "</script></body></html>\n";

#define CHAT_UID 1 /* /chat members are bound to this uid */

typedef struct {
    const char *host;
    int port;
    bool has_root;
    bool tls;
    swirl_ws_server_t *ws;
} serve_opts_t;

static bool is(const char *p, size_t n, const char *lit) {
    return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

static void stats_json(swirl_http_server_t *hs, swirl_http_resp_t *resp) {
    swirl_server_stats_t st;
    swirl_server_stats(swirl_http_server_base(hs), &st);
    char out[1024];
    int n =
        snprintf(out, sizeof(out),
                 "{\"start_time\":%lld,\"connection_num\":%lld,\"accept_count\":%lld,"
                 "\"close_count\":%lld,\"request_count\":%lld,\"worker_num\":%d,"
                 "\"idle_worker_num\":%d,\"worker_id\":%d}\n",
                 (long long)st.start_time, (long long)st.connection_num, (long long)st.accept_count,
                 (long long)st.close_count, (long long)st.request_count, st.worker_num,
                 st.idle_worker_num, swirl_server_worker_id(swirl_http_server_base(hs)));
    swirl_http_resp_header(resp, "Content-Type", "application/json");
    swirl_http_resp_end(resp, out, (size_t)n);
}

/* FNV-1a (64 bit) of a file's bytes, to show an upload landed whole. */
static unsigned long long file_fnv(const char *path) {
    unsigned long long h = 0xcbf29ce484222325ULL;
    FILE *f = fopen(path, "rbe");
    if (!f)
        return 0;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
    fclose(f);
    return h;
}

static void upload_report(swirl_http_req_t *req, swirl_http_resp_t *resp) {
    swirl_buf_t out = {0};
    const swirl_http_param_t *f;
    size_t n = swirl_http_req_params(req, SWIRL_HTTP_POST, &f);
    for (size_t i = 0; i < n; i++)
        swirl_buf_appendf(&out, "field %s=%s\n", f[i].name, f[i].value);
    const swirl_http_file_t *files;
    n = swirl_http_req_files(req, &files);
    for (size_t i = 0; i < n; i++)
        swirl_buf_appendf(&out, "file %s %s %s %llu %d %016llx\n", files[i].field,
                          files[i].name[0] ? files[i].name : "-",
                          files[i].type[0] ? files[i].type : "-", (unsigned long long)files[i].size,
                          files[i].error,
                          files[i].tmp_name[0] ? file_fnv(files[i].tmp_name) : 0ULL);
    swirl_http_resp_header(resp, "Content-Type", "text/plain");
    swirl_http_resp_end(resp, swirl_buf_bytes(&out), swirl_buf_size(&out));
    swirl_buf_destroy(&out);
}

static void on_request(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                       void *user) {
    const serve_opts_t *o = user;
    size_t mlen, plen;
    const char *m = swirl_http_req_method(req, &mlen);
    const char *path = swirl_http_req_path(req, &plen);
    bool get = is(m, mlen, "GET") || is(m, mlen, "HEAD");
    if (!path) {
        swirl_http_resp_status(resp, 500, NULL);
        swirl_http_resp_end(resp, "out of memory\n", 14);
    } else if (get && strcmp(path, "/hello") == 0) {
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_end(resp, "hello world", 11);
    } else if (get && strcmp(path, "/stats") == 0) {
        stats_json(hs, resp);
    } else if (strcmp(path, "/echo") == 0 && is(m, mlen, "POST")) {
        size_t blen, tlen;
        const char *body = swirl_http_req_body(req, &blen);
        const char *type = swirl_http_req_header(req, "content-type", &tlen);
        if (type) {
            char t[256];
            snprintf(t, sizeof(t), "%.*s", (int)(tlen < 255 ? tlen : 255), type);
            swirl_http_resp_header(resp, "Content-Type", t);
        } else {
            swirl_http_resp_header(resp, "Content-Type", "application/octet-stream");
        }
        swirl_http_resp_end(resp, body, blen);
    } else if (strcmp(path, "/upload") == 0 && is(m, mlen, "POST")) {
        upload_report(req, resp);
    } else if (get && strcmp(path, "/chat.html") == 0) {
        swirl_http_resp_header(resp, "Content-Type", "text/html; charset=utf-8");
        swirl_http_resp_end(resp, chat_page, sizeof(chat_page) - 1);
    } else if (o->has_root && swirl_http_serve_static(hs, req, resp)) {
        /* a file under --root (after the routes above, as nginx's exact locations) */
    } else if (get && !o->has_root && strcmp(path, "/") == 0) {
        swirl_http_resp_end(resp, demo_page, sizeof(demo_page) - 1);
    } else {
        swirl_http_resp_status(resp, 404, NULL);
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_end(resp, "not found\n", 10);
    }
}

/* Upgrades: /ws and /chat; /chat members are bound to CHAT_UID. */
static void on_handshake(swirl_ws_server_t *ws, swirl_http_req_t *req, swirl_http_resp_t *resp,
                         void *user) {
    (void)user;
    const char *path = swirl_http_req_path(req, NULL);
    bool chat = path && strcmp(path, "/chat") == 0;
    if (!chat && !(path && strcmp(path, "/ws") == 0)) {
        swirl_http_resp_status(resp, 404, NULL);
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_end(resp, "no WebSocket here: try /ws or /chat\n", 36);
        return;
    }
    if (swirl_ws_handshake(ws, req, resp, NULL) == 0 && chat)
        swirl_server_bind(swirl_ws_server_base(ws), swirl_http_req_fd(req), CHAT_UID);
}

/* Every established /chat member, across workers (the connection table
 * is shared). */
static void broadcast(swirl_ws_server_t *ws, const swirl_ws_frame_t *f) {
    swirl_server_t *srv = swirl_ws_server_base(ws);
    int64_t fds[256], from = 0;
    int n;
    while ((n = swirl_server_connection_list(srv, from, fds, 256)) > 0) {
        for (int i = 0; i < n; i++) {
            swirl_conn_info_t info;
            if (swirl_server_connection_info(srv, fds[i], &info) == 0 && info.uid == CHAT_UID &&
                info.websocket_status == SWIRL_WS_STATUS_ACTIVE)
                swirl_ws_push(ws, fds[i], f->data, f->len, f->opcode, true);
        }
        from = fds[n - 1];
    }
}

static void on_message(swirl_ws_server_t *ws, const swirl_ws_frame_t *f, void *user) {
    (void)user;
    swirl_conn_info_t info;
    if (swirl_server_connection_info(swirl_ws_server_base(ws), f->fd, &info) == 0 &&
        info.uid == CHAT_UID)
        broadcast(ws, f);
    else if (swirl_ws_push(ws, f->fd, f->data, f->len, f->opcode, true) < 0) {
        /* (too big for buffer_output_size, say): end it, do not leave it waiting */
        swirl_log_warning("swirl serve: /ws echo to %lld: %s; closing it", (long long)f->fd,
                          swirl_last_error_msg());
        swirl_ws_disconnect(ws, f->fd, SWIRL_WS_CLOSE_SERVER_ERROR, "the echo could not be sent");
    }
}

static void on_start(swirl_server_t *srv, const swirl_event_t *ev, void *user) {
    const serve_opts_t *o = user;
    printf("swirl serve: listening on %s://%s%s%s:%d/\n", o->tls ? "https" : "http",
           strchr(o->host, ':') ? "[" : "", o->host, strchr(o->host, ':') ? "]" : "",
           swirl_server_port(srv));
    fflush(stdout);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: swirl serve [--host H] [--port P] [--root DIR] [--mode base|process]\n"
            "                   [--workers N] [--reactors N] [--cert F --key F]\n"
            "                   [--set KEY=VALUE]...\n"
            "  --host H      address to listen on (default 127.0.0.1)\n"
            "  --port P      port, 0..65535; 0 picks a free one (default 8080)\n"
            "  --root DIR    serve the files under DIR (default: a built-in demo page at /)\n"
            "  --mode M      process (default) or base\n"
            "  --workers N   worker processes (default: CPU count)\n"
            "  --reactors N  reactor threads in process mode\n"
            "  --cert F      serve HTTPS and WSS with this certificate (PEM, chain allowed)\n"
            "  --key F       ... and this private key (PEM; default: in the --cert file)\n"
            "  --set K=V     any server or HTTP setting (e.g. http_header_timeout=5)\n"
            "Routes: GET /hello, GET /stats (JSON), POST /echo (the body back).\n"
            "Prints \"listening on ...\" once ready; SIGINT or SIGTERM stops it gracefully.\n");
}

int swirl_cli_serve(int argc, char **argv) {
    serve_opts_t o = {.host = "127.0.0.1", .port = 8080};
    const char *root = NULL, *workers = NULL, *reactors = NULL, *cert = NULL, *keyfile = NULL;
    const char *sets[32];
    int nsets = 0, mode = SWIRL_MODE_PROCESS;
    static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"root", required_argument, NULL, 'r'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"reactors", required_argument, NULL, 'R'},
                                         {"set", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'H'},
                                         {"cert", required_argument, NULL, 'c'},
                                         {"key", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            o.host = optarg;
            break;
        case 'p': {
            long v;
            if (cli_parse_long("swirl serve", "--port", optarg, 0, 65535, &v) < 0)
                return 2;
            o.port = (int)v;
            break;
        }
        case 'r':
            root = optarg;
            break;
        case 'm':
            if (cli_parse_mode("swirl serve", optarg, &mode) < 0)
                return 2;
            break;
        case 'w':
            workers = optarg;
            break;
        case 'R':
            reactors = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            keyfile = optarg;
            break;
        case 's':
            if (nsets == 32 || !strchr(optarg, '=')) {
                fprintf(stderr, "swirl serve: --set \"%s\": expected KEY=VALUE (at most 32)\n",
                        optarg);
                return 2;
            }
            sets[nsets++] = optarg;
            break;
        case 'H':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "swirl serve: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (keyfile && !cert) {
        fprintf(stderr, "swirl serve: --key needs --cert\n");
        return 2;
    }
    o.tls = cert != NULL;
    swirl_ws_server_t *ws;
    if (swirl_ws_server_new(&ws, o.host, o.port, mode | (cert ? SWIRL_SOCK_SSL : 0)) < 0) {
        fprintf(stderr, "swirl serve: %s\n", swirl_last_error_msg());
        return 1;
    }
    swirl_http_server_t *hs = swirl_ws_server_http(ws);
    o.ws = ws;
    int exit_code = 2;
    if ((workers && swirl_http_server_set_text(hs, "worker_num", workers) < 0) ||
        (reactors && swirl_http_server_set_text(hs, "reactor_num", reactors) < 0) ||
        (root && swirl_http_server_set_text(hs, "document_root", root) < 0) ||
        (cert && swirl_http_server_set_text(hs, "ssl_cert_file", cert) < 0) ||
        (keyfile && swirl_http_server_set_text(hs, "ssl_key_file", keyfile) < 0)) {
        fprintf(stderr, "swirl serve: %s\n", swirl_last_error_msg());
        goto out;
    }
    for (int i = 0; i < nsets; i++) {
        char key[128];
        const char *eq = strchr(sets[i], '=');
        snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
        if (swirl_http_server_set_text(hs, key, eq + 1) < 0) {
            fprintf(stderr, "swirl serve: --set %s: %s\n", sets[i], swirl_last_error_msg());
            goto out;
        }
    }
    o.has_root = root != NULL;
    swirl_http_server_on_request(hs, on_request, &o);
    swirl_http_server_on(hs, "start", on_start, &o);
    swirl_ws_on_handshake(ws, on_handshake, &o);
    swirl_ws_on_message(ws, on_message, &o);
    exit_code = 1;
    if (swirl_ws_server_start(ws) < 0) {
        fprintf(stderr, "swirl serve: %s\n", swirl_last_error_msg());
        goto out;
    }
    exit_code = 0;
out:
    swirl_ws_server_free(ws);
    return exit_code;
}
