<?php

/**
 * Swoole\Http\Server (swoole_http_server), Swoole\Http\Request and
 * Swoole\Http\Response on swirl_http_server_t.
 *
 * @generate-class-entries
 */

namespace Swoole\Http {
    class Server extends \Swoole\Server
    {
    }

    final class Request
    {
        public int $fd = 0;
        public int $streamId = 0;
        public ?array $header = null;
        public ?array $server = null;
        public ?array $cookie = null;
        public ?array $get = null;
        public ?array $files = null;
        public ?array $post = null;
        public ?array $tmpfiles = null;

        /** The body as sent (decoded when chunked); false if there is none kept. */
        public function rawContent(): string|false {}

        /** @alias Swoole\Http\Request::rawContent */
        public function getContent(): string|false {}

        /** The whole request as received: head and body. */
        public function getData(): string|false {}

        public function getMethod(): string|false {}
    }

    final class Response
    {
        public int $fd = 0;
        public ?array $header = null;
        public ?array $cookie = null;

        public function status(int $http_code, string $reason = ""): bool {}

        /** @alias Swoole\Http\Response::status */
        public function setStatusCode(int $http_code, string $reason = ""): bool {}

        public function header(string $key, string|array $value, bool $format = true): bool {}

        /** @alias Swoole\Http\Response::header */
        public function setHeader(string $key, string|array $value, bool $format = true): bool {}

        public function write(string $content): bool {}

        public function end(?string $content = null): bool {}

        public function isWritable(): bool {}
    }
}
