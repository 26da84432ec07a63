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
        /** The master's pid once start() runs (in the master and in the workers), -1 before. */
        public mixed $master_pid = -1;
        /** In a worker: its pid and id; -1 elsewhere. */
        public mixed $workerPid = -1;
        public mixed $workerId = -1;
        /** The Swoole\Process objects getProcess() made, by worker id. */
        public mixed $workers = null;
        /** In a worker: true until it stops. */
        public mixed $workerRunning = false;
        /** true from the start until the shutdown (in the master and in each worker). */
        public mixed $running = false;

        /**
         * $worker_num: 1..1024. $ipc_type: SWOOLE_IPC_NONE (each worker runs its
         * workerStart callback and exits; it is then started again),
         * SWOOLE_IPC_MSGQUEUE (a System V message queue: $msgqueue_key 0 makes a
         * private one; another key is a queue other programs can push to, e.g.
         * with Swoole\Process::useQueue($key) and push) or SWOOLE_IPC_UNIXSOCK
         * (a queue the workers share, and a datagram pipe per worker:
         * getProcess($id)->write() and sendMessage() reach worker $id's
         * message callback) or SWOOLE_IPC_SOCKET (listen() first: each
         * connection brings one length-prefixed message; write() answers it).
         * $enable_coroutine is accepted (it requires SWOOLE_IPC_NONE or
         * SWOOLE_IPC_UNIXSOCK, as in Swoole); swirl has no coroutines yet, so
         * the callbacks run as plain code either way.
         */
        public function __construct(int $worker_num, int $ipc_type = SWOOLE_IPC_NONE, int $msgqueue_key = 0, bool $enable_coroutine = false) {}

        /**
         * Events (case-insensitive): workerStart($pool, $worker_id) and
         * workerStop($pool, $worker_id) in a worker, message($pool, $data) in the
         * worker that took the message, start($pool) in the master before the
         * workers are forked, shutdown($pool) in the master when the pool
         * stops. Before start().
         */
        public function on(string $name, callable $callback): bool {}

        /**
         * Settings: enable_coroutine (accepted, see the constructor),
         * max_wait_time (seconds a stopping worker has before SIGKILL, default 3),
         * max_package_size (accepted: a message is one datagram, up to what
         * the system lets one hold, unless the message bus is on),
         * enable_message_bus (SWOOLE_IPC_UNIXSOCK: sendMessage() then sends
         * messages of any size, in chunks; the worker pipes are then for it only).
         */
        public function set(array $settings): void {}

        /** While the pool runs: the Swoole\Process of worker $worker_id (-1: this worker), or false. */
        public function getProcess(int $worker_id = -1): \Swoole\Process|false {}

        /** SWOOLE_IPC_SOCKET, before start(): listen on $host:$port, or "unix:/path". */
        public function listen(string $host, int $port = 0, int $backlog = 2048): bool {}

        /** SWOOLE_IPC_SOCKET, in the message callback: add $data to the answer sent back (length-prefixed) once it returns. */
        public function write(string $data): bool {}

        /** In a worker: leave the pool (a new worker takes this id); this process ends after the message in hand. */
        public function detach(): bool {}

        /** SWOOLE_IPC_UNIXSOCK: send $message to worker $worker_id's message callback. */
        public function sendMessage(string $message, int $worker_id): bool {}

        /** Fork the workers and supervise them: returns in the master after shutdown() or SIGTERM/SIGINT. */
        public function start(): bool {}

        /** Stop the pool (from the master's start callback or from a worker). */
        public function shutdown(): bool {}
    }
}
