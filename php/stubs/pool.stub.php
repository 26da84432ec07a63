<?php

/** @generate-class-entries */

namespace Swoole\Process {
    /**
     * A pool of worker processes supervised by the process that starts it
     * (its master): a worker that dies is replaced. With SWOOLE_IPC_MSGQUEUE
     * or SWOOLE_IPC_UNIXSOCK the workers compete for messages from one
     * queue. Alias: swoole_process_pool.
     * @not-serializable
     */
    final class Pool
    {
        /** The master's pid once start() runs (in the master and in the workers). */
        public int $master_pid = 0;

        /**
         * $worker_num: 1..1024. $ipc_type: SWOOLE_IPC_NONE (each worker runs its
         * workerStart callback and exits; it is then started again),
         * SWOOLE_IPC_MSGQUEUE (a System V message queue: $msgqueue_key 0 makes a
         * private one; another key is a queue other programs can push to, e.g.
         * with Swoole\Process::useQueue($key) and push) or SWOOLE_IPC_UNIXSOCK
         * (accepted, but nothing in the PHP API writes to it yet: Swoole's
         * getProcess()->write() is missing). Coroutines are not supported
         * ($enable_coroutine must be false).
         */
        public function __construct(int $worker_num, int $ipc_type = SWOOLE_IPC_NONE, int $msgqueue_key = 0, bool $enable_coroutine = false) {}

        /**
         * Events (case-insensitive): workerStart($pool, $worker_id) and
         * workerStop($pool, $worker_id) in a worker, message($pool, $data) in the
         * worker that took the message, start($pool) in the master once the
         * workers are forked. Before start().
         */
        public function on(string $name, callable $callback): bool {}

        /** Fork the workers and supervise them: returns in the master after shutdown() or SIGTERM/SIGINT. */
        public function start(): bool {}

        /** Stop the pool (from the master's start callback or from a worker). */
        public function shutdown(): bool {}
    }
}
