<?php

/**
 * swirl: Swoole\Client (swoole_client) on swirl_client_t, and the client
 * constants. IDE stubs as well as the source of the generated arginfo.
 *
 * @generate-class-entries
 */

namespace {

/* Blocking or event-loop mode: the second argument of the constructor. */
/**
 * A blocking client: each call waits (with a timeout) for its result.
 * @var int
 */
const SWOOLE_SOCK_SYNC = 0;
/**
 * An event-loop client: results come through the on() callbacks.
 * @var int
 */
const SWOOLE_SOCK_ASYNC = 1;
/**
 * OR-ed into the socket type: keep the connection in this process's
 * keep-alive pool on close and reuse it on the next connect with the same
 * key (blocking stream clients only).
 * @var int
 * @cvalue SWIRL_CLIENT_KEEP
 */
const SWOOLE_KEEP = UNKNOWN;
/**
 * Swoole 1.x's flag form of SWOOLE_SOCK_ASYNC, OR-ed into the socket type.
 * @var int
 */
const SWOOLE_ASYNC = 1024;
/**
 * Swoole 1.x's flag form of SWOOLE_SOCK_SYNC, OR-ed into the socket type.
 * @var int
 */
const SWOOLE_SYNC = 2048;

/* Swoole's short names of the socket types (SWOOLE_TCP | SWOOLE_KEEP). */
/**
 * @var int
 * @cvalue SWIRL_SOCK_TCP
 */
const SWOOLE_TCP = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UDP
 */
const SWOOLE_UDP = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_TCP6
 */
const SWOOLE_TCP6 = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UDP6
 */
const SWOOLE_UDP6 = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UNIX_STREAM
 */
const SWOOLE_UNIX_STREAM = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UNIX_DGRAM
 */
const SWOOLE_UNIX_DGRAM = UNKNOWN;

/**
 * Wait until one of the clients (or Sockets, streams, fds) in $read is
 * readable, in $write writable, or in $except has urgent data or an
 * error, for at most $timeout seconds (null: 0.5, Swoole's default;
 * negative: no limit). Each array given is cut to the entries that are
 * ready (keys kept); null arrays are skipped. The number of ready fds (0 on
 * timeout), or false with a warning when no array holds anything to wait
 * for.
 */
function swoole_client_select(?array &$read, ?array &$write, ?array &$except, ?float $timeout = 0.5): int|false {}

/** @alias swoole_client_select */
function swoole_select(?array &$read, ?array &$write, ?array &$except, ?float $timeout = 0.5): int|false {}
}

namespace Swoole {
    /**
     * A TCP, UDP or Unix socket client, blocking (SWOOLE_SOCK_SYNC) or on
     * the event loop of this process (SWOOLE_SOCK_ASYNC: on() callbacks;
     * the loop runs at the end of the script, or in swoole_event_wait(), or
     * is a server worker's). Alias: swoole_client.
     *
     * Results, as Swoole's: a failing call returns false, sets $errCode
     * (an errno value, or swirl's own code from 1001 on; swoole_strerror()
     * names it) and $errMsg (what failed, naming the culprit), and warns.
     * Waits that time out give EAGAIN (11) for recv/send/sendfile, as
     * Swoole's socket timeouts do, and ETIMEDOUT (110) for connect.
     * Differences: TLS verifies the server's certificate unless
     * 'ssl_verify_peer' => false (Swoole's default is not to).
     * @not-serializable
     */
    class Client
    {
        /**
         * recv(): return the bytes but leave them for the next call.
         * @var int
         * @cvalue SWIRL_CLIENT_MSG_PEEK
         */
        public const MSG_PEEK = UNKNOWN;
        /**
         * recv() without framing: wait for exactly $size bytes (unless the
         * peer closes first). 1 (Swoole 1.x's `true`) means the same.
         * @var int
         * @cvalue SWIRL_CLIENT_MSG_WAITALL
         */
        public const MSG_WAITALL = UNKNOWN;
        /**
         * recv(): do not wait; false with errCode EAGAIN if nothing is there.
         * @var int
         * @cvalue SWIRL_CLIENT_MSG_DONTWAIT
         */
        public const MSG_DONTWAIT = UNKNOWN;

        /** The code of the last failed call (0 if none): an errno value, or swirl's own from 1001 on. */
        public int $errCode = 0;
        /** What the last failed call said, naming the culprit ("" if none). */
        public string $errMsg = "";
        /** The socket's file descriptor, -1 when there is none. */
        public int $sock = -1;
        /** The socket type given to the constructor, flags included. */
        public int $type = 0;
        /** The settings accepted by set() so far, or null. */
        public ?array $setting = null;

        /**
         * $sock_type: SWOOLE_SOCK_TCP, _UDP, _TCP6, _UDP6, _UNIX_STREAM or
         * _UNIX_DGRAM, optionally | SWOOLE_SSL (stream types) and |
         * SWOOLE_KEEP (blocking stream clients). $is_sync: SWOOLE_SOCK_SYNC
         * or SWOOLE_SOCK_ASYNC. $key: the keep-alive key ('' = "host:port").
         * A bad type or mode throws a ValueError naming it.
         */
        public function __construct(int $sock_type, int $is_sync = SWOOLE_SOCK_SYNC, string $key = "") {}

        /**
         * Settings, before connect (Swoole's keys): open_eof_check,
         * open_eof_split, package_eof, open_length_check,
         * package_length_type, package_length_offset, package_body_offset,
         * package_max_length, socket_buffer_size, open_tcp_nodelay,
         * bind_address, bind_port, timeout, connect_timeout, read_timeout,
         * write_timeout, ssl_cert_file, ssl_key_file, ssl_verify_peer
         * (default true), ssl_allow_self_signed, ssl_cafile, ssl_capath,
         * ssl_host_name, package_length_func (a callable given the bytes
         * received so far of the next message: it returns the message's
         * length, 0 to wait for more, negative for bad data). With framing
         * on, recv() returns one whole message and the async receive
         * callback gets one per call. A failed bind (bind_address,
         * bind_port) makes connect() return false with errCode set and no
         * warning, as Swoole. An unknown key
         * or a bad value warns naming the key; false if any failed (the
         * others are applied).
         */
        public function set(array $settings): bool {}

        /**
         * Connect. $host: an IP address, "localhost", a host name, or for
         * Unix types a socket path ("@name": abstract); "host:port" in
         * $host when $port is 0 (the seed's connect("192.168.1.100:8080")).
         * $timeout in seconds: the connect's limit and the default read and
         * write timeout (negative: no limit); when it is not given the
         * 'connect_timeout' / 'timeout' setting applies, else 0.5. $flag is
         * accepted and ignored (a UDP client is always connected to its
         * peer). Blocking: true once connected (TLS handshake done), else
         * false with errCode (111 refused, 110 timed out). Async: true when
         * the connect started; the connect or error callback tells how it
         * ended (a stream client needs connect, receive, error and close
         * callbacks, a datagram client receive: a fatal error otherwise, as
         * Swoole).
         */
        public function connect(string $host, int $port = 0, float $timeout = 0.5, int $flag = 0): bool {}

        /**
         * Send $data (all of it, or one datagram): the byte count, or false
         * (empty $data too). Async: queued in the event loop (false past
         * socket_buffer_size). $flag is accepted and ignored.
         */
        public function send(string $data, int $flag = 0): int|false {}

        /**
         * Blocking clients. With framing on: one whole message, whatever
         * $size (up to package_max_length). Without: what has arrived, up
         * to $size bytes (MSG_WAITALL: exactly $size). Datagram types: one
         * datagram, cut to $size. "" when the peer has closed the
         * connection (not a failure: errCode is left alone, and the client
         * stays connected until close()); false on a timeout (errCode 11,
         * EAGAIN, after read_timeout; errMsg says "timed out") or another
         * failure, with a warning. $size <= 0 throws a ValueError.
         */
        public function recv(int $size = 65535, int $flag = 0): string|false {}

        /**
         * Datagram types: one datagram to $ip:$port. True, or false with
         * errCode and errMsg set and no warning (as Swoole: scripts send
         * until false).
         */
        public function sendto(string $ip, int $port, string $data): bool {}

        /**
         * Stream clients: send bytes $offset.. of $filename, $length of
         * them (0: to the end). Async clients queue them in the loop
         * (within socket_buffer_size). True, or false.
         */
        public function sendfile(string $filename, int $offset = 0, int $length = 0): bool {}

        /**
         * Close the connection. A SWOOLE_KEEP connection goes back to the
         * keep-alive pool unless $force. An async client's close callback
         * runs before this returns. False if the client was not connected.
         */
        public function close(bool $force = false): bool {}

        /** True between a successful connect (async: its callback) and close. */
        public function isConnected(): bool {}

        /** ['host' => ..., 'port' => ...] of the local end, or false. */
        public function getsockname(): array|false {}

        /**
         * ['host' => ..., 'port' => ...] of the peer (an unconnected UDP
         * client: the sender of the last datagram received), or false.
         */
        public function getpeername(): array|false {}

        /**
         * Async clients: $callback for "connect" ($client), "receive"
         * ($client, $data), "error" ($client; errCode tells why) or "close"
         * ($client). Names are case-insensitive, "on" prefix allowed.
         */
        public function on(string $event_name, callable $callback): bool {}

        /**
         * An ext-sockets Socket on a duplicate of the connection's fd (the
         * same Socket on each call for one connection), or false (no
         * connection; a SWOOLE_KEEP client). Needs ext-sockets loaded: an
         * Error otherwise.
         */
        public function getSocket(): \Socket|false {}
    }
}

namespace Swoole\Async {
    /**
     * Swoole 6's event-loop client: a Swoole\Client in SWOOLE_SOCK_ASYNC
     * mode (the on() callbacks; connect() needs connect, receive, error
     * and close for a stream type, receive for a datagram one).
     * @not-serializable
     */
    class Client extends \Swoole\Client
    {
        /** $type: a SWOOLE_SOCK_* type, optionally | SWOOLE_SSL. */
        public function __construct(int $type) {}

        /** Stop reading from the connection (data waits in the kernel) until wakeup(). */
        public function sleep(): bool {}

        /** Read again after sleep(). */
        public function wakeup(): bool {}

        /** @implementation-alias Swoole\Async\Client::sleep */
        public function pause(): bool {}

        /** @implementation-alias Swoole\Async\Client::wakeup */
        public function resume(): bool {}

        /**
         * Upgrading an open connection to TLS is not supported by swirl:
         * connect with SWOOLE_SSL in the type instead. Without a callback
         * throws Swoole\Exception ("require `onSslReady` callback") as
         * Swoole; with one warns and returns false.
         */
        public function enableSSL(?callable $onSslReady = null): bool {}
    }
}
