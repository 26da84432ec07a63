<?php

/**
 * swirl: Swoole\Redis (swoole_redis), the asynchronous Redis client of
 * Swoole's callback API, on swirl_redis_t (include/swirl/redis.h).
 *
 * @generate-class-entries
 */

namespace Swoole {

class Redis {
    public mixed $onConnect = null;
    public mixed $onClose = null;
    public mixed $onMessage = null;
    public mixed $setting = null;
    public mixed $host = null;
    public mixed $port = null;
    public mixed $sock = null;
    public mixed $errCode = null;
    public mixed $errMsg = null;

    /** Options: timeout (connect, seconds), password, database. */
    public function __construct(?array $options = null) {}

    /** 'close' or 'message', before connect(). */
    public function on(string $event, callable $callback): bool {}

    /** A host starting with "unix:/" is a socket path. */
    public function connect(string $host, int $port, callable $callback): bool {}

    /** Any command: its arguments, then the callback (subscribe/psubscribe/unsubscribe: none). */
    public function __call(string $command, array $params): mixed {}

    public function getState(): int {}

    public function close(): bool {}

    public function __destruct() {}
}

}
