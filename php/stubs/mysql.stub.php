<?php

/**
 * swirl: Swoole\MySQL (swoole_mysql), the MySQL/MariaDB client on the
 * event loop (seed 002 §1.4), on swirl's C client (include/swirl/mysql.h).
 * IDE stubs as well as the source of the generated arginfo.
 *
 * @generate-class-entries
 */

namespace Swoole {
    /**
     * An asynchronous MySQL/MariaDB connection on this process's event loop
     * (the loop runs at the end of the script, in swoole_event_wait(), or is
     * a server worker's). Alias: swoole_mysql.
     *
     * Results come to callbacks `function (Swoole\MySQL $db, $result)`:
     * rows as an array of associative arrays (integer columns as int,
     * FLOAT/DOUBLE as float, the rest and DECIMAL as string, NULL as null),
     * true for a statement without rows ($affected_rows, $insert_id), false
     * on failure ($errno: the server's error number, the client's 2xxx, or
     * swirl's code: 110 timed out, 125 cancelled, 1007 not run because the
     * connection failed; $error: the message naming the server and the
     * error).
     * Queries queue: one runs at a time per connection, in order.
     * @not-serializable
     */
    class MySQL
    {
        /** The array given to connect(), without its password. */
        public ?array $serverInfo = null;
        /** The connection's socket, -1 when not connected. */
        public int $sock = -1;
        /** True once connected, until the connection is closed or lost. */
        public bool $connected = false;
        /** Why the last connect() failed ("" if it did not). */
        public string $connect_error = "";
        /** The error number of the last failed connect() (0 if none). */
        public int $connect_errno = 0;
        /** Rows changed by the last statement without rows. */
        public int $affected_rows = 0;
        /** The AUTO_INCREMENT id made by the last INSERT. */
        public int $insert_id = 0;
        /** The message of the last failed query ("" if none yet). */
        public string $error = "";
        /** The error number of the last failed query (0 if none yet): see the class. */
        public int $errno = 0;

        public function __construct() {}

        /**
         * Connect: $server_config keys host (an IP address, a host name, or
         * "unix:/path" for a Unix socket), port (3306), user, password,
         * database (host, user, password and database are required, as
         * Swoole), charset ("utf8mb4"), timeout (connect timeout in seconds,
         * default 1.0) and swirl's query_timeout (seconds per query, 0:
         * none; a query past it fails and the connection is closed).
         * $callback(Swoole\MySQL $db, bool $result) follows from the loop.
         * False with a warning for a missing key or while connected.
         */
        public function connect(array $server_config, callable $callback): bool {}

        /**
         * Queue $sql; $callback(Swoole\MySQL $db, array|bool $result)
         * follows. False with a warning when not connected (nor connecting).
         */
        public function query(string $sql, callable $callback): bool {}

        /**
         * START TRANSACTION; $callback($db, bool $result). Throws
         * Swoole\MySQL\Exception (code 21) inside a transaction.
         */
        public function begin(callable $callback): bool {}

        /** COMMIT; throws Swoole\MySQL\Exception (code 22) outside a transaction. */
        public function commit(callable $callback): bool {}

        /** ROLLBACK; throws Swoole\MySQL\Exception (code 22) outside a transaction. */
        public function rollback(callable $callback): bool {}

        /** $string escaped for a quoted literal in the connection's charset. */
        public function escape(string $string): string {}

        /**
         * on('close', $callback): $callback(Swoole\MySQL $db) when the
         * connection ends (closed by the server, lost, or close()). Other
         * event names warn and return false.
         */
        public function on(string $event_name, callable $callback): bool {}

        /**
         * Close the connection: each queued query's callback gets false
         * with $errno 125 (ECANCELED) once, then the close callback runs.
         * False if it was not connected.
         */
        public function close(): bool {}
    }
}

namespace Swoole\MySQL {
    /** Thrown by begin/commit/rollback in the wrong transaction state. */
    class Exception extends \Swoole\Exception {}
}
