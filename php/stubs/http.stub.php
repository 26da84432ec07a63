<?php

/**
 * Swoole\Http\Server (swoole_http_server), Swoole\Http\Request and
 * Swoole\Http\Response on swirl_http_server_t.
 *
 * The superglobals ($_GET, $_POST, $_COOKIE, $_FILES, $_SERVER) are not
 * filled (there is no setGlobal()): read the Request's properties.
 *
 * @generate-class-entries
 */

namespace Swoole\Http {
    /**
     * A Swoole\Server whose connections speak HTTP/1.1: on('request',
     * function (Request $request, Response $response) {...}) is required.
     * Every port (listen/addListener) serves HTTP: a port's own `receive`
     * or `packet` callback is refused with a warning. Settings beyond the
     * server's: document_root, enable_static_handler, upload_tmp_dir,
     * upload_max_filesize, http_parse_post, http_parse_cookie,
     * http_compression, http_compression_level, compression_min_length,
     * package_max_length (the largest body), http_max_* limits.
     */
    class Server extends \Swoole\Server
    {
    }

    /**
     * A request, filled when its callback starts. get, post, cookie and
     * files are null when there are none.
     */
    final class Request
    {
        /** The connection (for Server methods and Response::create). */
        public int $fd = 0;
        /** Always 0 (HTTP/1.1 has no streams). */
        public int $streamId = 0;
        /** The request's headers, names lower-cased (the last of a repeated name). */
        public ?array $header = null;
        /**
         * request_method, request_uri and path_info (the path, without the
         * query), query_string (when there is one), server_protocol,
         * server_port (of the listener it came through), remote_addr,
         * remote_port, request_time, request_time_float, master_time.
         */
        public ?array $server = null;
        /**
         * Cookie headers as $_COOKIE would have them (names as sent, values
         * raw-url-decoded, the first cookie of a name kept); null when
         * http_parse_cookie is off.
         */
        public ?array $cookie = null;
        /** The query string as parse_str() (and $_GET) reads it: a[]=1&a[]=2 is an array. */
        public ?array $get = null;
        /**
         * Uploads of a multipart/form-data body in $_FILES's shape: name,
         * full_path, type, tmp_name, error (UPLOAD_ERR_*), size; f[] and
         * f[x] fields transposed as PHP does. The temp files (in
         * upload_tmp_dir) are removed when the callback returns unless the
         * script moved them; move_uploaded_file() and is_uploaded_file()
         * accept them during the callback.
         */
        public ?array $files = null;
        /**
         * The fields of an application/x-www-form-urlencoded (as parse_str)
         * or multipart/form-data body, when http_parse_post is on.
         */
        public ?array $post = null;
        /** Always null (Swoole's internal list of temp files). */
        public ?array $tmpfiles = null;

        /**
         * The body as sent (decoded when it was chunked): "" for a request
         * without one; false when it was not kept (a multipart body parsed
         * into post and files, http_parse_post on).
         */
        public function rawContent(): string|false {}

        /** @alias Swoole\Http\Request::rawContent */
        public function getContent(): string|false {}

        /** The whole request as received: head and body (as rawContent()). */
        public function getData(): string|false {}

        public function getMethod(): string|false {}

        /**
         * A request to fill from bytes with parse() (Swoole's, for a
         * server of another protocol that speaks HTTP too). $options:
         * parse_cookie (default true), parse_body (urlencoded POST fields,
         * default true); other keys are ignored, as Swoole. A multipart
         * body stays raw (no uploads); a chunked body is refused.
         */
        public static function create(array $options = []): Request|false {}

        /**
         * Feed bytes: how many belong to this request (fewer when it ended
         * before them; the properties are set once its head is in), or
         * false: quietly once it is complete, with a warning naming the
         * fault for a bad head.
         */
        public function parse(string $data): int|false {}

        /** Is the whole request in (always true for a server's request)? */
        public function isCompleted(): bool {}
    }

    /**
     * The response to one request. It must be ended (end, sendfile or
     * redirect) or detached in its callback: one that is not is ended for
     * it with a warning (status 500 if nothing was sent). A call on an
     * ended response is a warning and false; on a response whose client
     * has gone, false.
     */
    final class Response
    {
        public int $fd = 0;
        /** The headers set with header(), by name. */
        public ?array $header = null;
        /** The cookies set with cookie() and rawcookie(): name => value. */
        public ?array $cookie = null;

        /** Status code (100..999) and, optionally, reason phrase; before anything is sent. */
        public function status(int $http_code, string $reason = ""): bool {}

        /** @alias Swoole\Http\Response::status */
        public function setStatusCode(int $http_code, string $reason = ""): bool {}

        /**
         * Set a header, replacing one of the same name; an array sends one
         * line per value, null removes it. With $format the name is written
         * Like-This. Names with spaces, colons or control characters and
         * values with CR, LF or NUL are refused with a warning.
         */
        public function header(string $key, string|array|int|float|bool|null $value, bool $format = true): bool {}

        /** @alias Swoole\Http\Response::header */
        public function setHeader(string $key, string|array|int|float|bool|null $value, bool $format = true): bool {}

        /**
         * A Set-Cookie header; the value is percent-encoded. An empty value
         * deletes the cookie (expired "deleted", as setcookie()). samesite:
         * Strict, Lax or None (None needs secure); priority: Low, Medium or
         * High. A bad name or attribute is refused with a warning.
         */
        public function cookie(string $name, string $value = "", int $expires = 0, string $path = "/", string $domain = "", bool $secure = false, bool $httponly = false, string $samesite = "", string $priority = ""): bool {}

        /** @alias Swoole\Http\Response::cookie */
        public function setCookie(string $name, string $value = "", int $expires = 0, string $path = "/", string $domain = "", bool $secure = false, bool $httponly = false, string $samesite = "", string $priority = ""): bool {}

        /** cookie() with the value as given (no spaces, commas, semicolons, quotes, backslashes or controls). */
        public function rawcookie(string $name, string $value = "", int $expires = 0, string $path = "/", string $domain = "", bool $secure = false, bool $httponly = false, string $samesite = "", string $priority = ""): bool {}

        /** @alias Swoole\Http\Response::rawcookie */
        public function setRawCookie(string $name, string $value = "", int $expires = 0, string $path = "/", string $domain = "", bool $secure = false, bool $httponly = false, string $samesite = "", string $priority = ""): bool {}

        /**
         * gzip this response's body at $level (1..9), whatever
         * http_compression says, when the client accepts gzip, the type is
         * compressible and the body given to end() has at least
         * compression_min_length bytes (write() chunks and sendfile() are
         * sent as they are). Before anything is sent.
         */
        public function gzip(int $level = 1): bool {}

        /** Send a part of the body now (chunked; to an HTTP/1.0 client, ended by the close). */
        public function write(string $content): bool {}

        /** Send the rest of the body (or all of it) and finish. */
        public function end(?string $content = null): bool {}

        /**
         * Send $length bytes (0: to its end) of a file from $offset as the
         * body, and finish. A file that cannot be read is a warning, and
         * the response can still be answered otherwise.
         */
        public function sendfile(string $filename, int $offset = 0, int $length = 0): bool {}

        /** Location: $location with status 301, 302, 303, 307 or 308, and finish. */
        public function redirect(string $location, int $http_code = 302): bool {}

        /** Not ended, and its client still connected. */
        public function isWritable(): bool {}

        /**
         * Keep the response open after its callback returns; end it later
         * from this worker (a timer, a task's finish callback), through this
         * object or Response::create($fd). The connection's next request
         * waits for it.
         */
        public function detach(): bool {}

        /**
         * A Response for the open response of connection $fd in this
         * worker (detached, or in its callback): create($fd) ($fd may be a
         * numeric string) or create($server, $fd). False with a warning
         * when this process has none (another worker's or a task worker's
         * cannot be answered).
         */
        public static function create(object|int|string $server, int $fd = -1): Response|false {}
    }
}
