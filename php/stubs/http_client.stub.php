<?php

/**
 * swirl: Swoole\Http\Client (swoole_http_client), Swoole's callback HTTP
 * client, on swirl_http_client_t. IDE stubs as well as the source of the
 * generated arginfo.
 *
 * @generate-class-entries
 */

namespace Swoole\Http {

/**
 * An HTTP/1.1 client on the event loop: one request at a time, its
 * callback called with the client once the response is whole (or failed:
 * statusCode -1 connect, -2 timeout, -3 the server closed or broke HTTP).
 * Alias: swoole_http_client.
 * @not-serializable
 */
class Client
{
    public int $errCode = 0;
    public string $errMsg = "";
    public int $statusCode = 0;
    public string $host = "";
    public int $port = 0;
    public bool $ssl = false;
    public ?array $setting = null;
    public ?array $requestHeaders = null;
    public ?array $cookies = null;
    public ?array $headers = null;
    public ?array $set_cookie_headers = null;
    public string $body = "";
    public string $downloadFile = "";

    public function __construct(string $host, int $port = 80, bool $ssl = false) {}

    public function set(array $settings): bool {}

    public function setMethod(string $method): bool {}

    public function setHeaders(array $headers): bool {}

    public function setCookies(array $cookies): bool {}

    public function setData(string|array $data): bool {}

    public function addFile(string $path, string $name, ?string $type = null, ?string $filename = null, int $offset = 0, int $length = 0): bool {}

    public function execute(string $path, callable $callback): bool {}

    public function get(string $path, callable $callback): bool {}

    public function post(string $path, mixed $data, callable $callback): bool {}

    public function download(string $path, string $file, callable $callback, int $offset = 0): bool {}

    /** The WebSocket handshake on $path; $callback($client) once it is done (statusCode 101) or failed. on('message') first. */
    public function upgrade(string $path, callable $callback): bool {}

    /** A WebSocket frame (a whole message when $finish and TEXT/BINARY); false with errCode when not upgraded or closed. */
    public function push(string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, bool $finish = true): bool {}

    public function on(string $event_name, callable $callback): bool {}

    public function isConnected(): bool {}

    public function close(): bool {}
}

}
