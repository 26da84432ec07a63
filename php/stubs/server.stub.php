<?php

/**
 * Swoole\Server (swoole_server) on swirl_server_t, and the server constants.
 * IDE stubs as well as the source of the generated arginfo.
 *
 * @generate-class-entries
 */

namespace {

/* Server modes */
/**
 * @var int
 * @cvalue SWIRL_MODE_BASE
 */
const SWOOLE_BASE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_MODE_PROCESS
 */
const SWOOLE_PROCESS = UNKNOWN;

/* Socket types (OR SWOOLE_SSL for TLS) */
/**
 * @var int
 * @cvalue SWIRL_SOCK_TCP
 */
const SWOOLE_SOCK_TCP = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UDP
 */
const SWOOLE_SOCK_UDP = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_TCP6
 */
const SWOOLE_SOCK_TCP6 = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UDP6
 */
const SWOOLE_SOCK_UDP6 = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UNIX_STREAM
 */
const SWOOLE_SOCK_UNIX_STREAM = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_UNIX_DGRAM
 */
const SWOOLE_SOCK_UNIX_DGRAM = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SOCK_SSL
 */
const SWOOLE_SSL = UNKNOWN;
}

namespace Swoole {
    /**
     * A network server (Swoole's server model): construct, set, on, start.
     * start() blocks in the master until shutdown; the callbacks run in the
     * master (start, shutdown), the manager (managerStart, managerStop,
     * workerError), the workers and the task workers, never on a reactor
     * thread. Alias: swoole_server.
     * @not-serializable
     */
    class Server
    {
        /** The settings given to set() so far. */
        public array $setting = [];
        public int $master_pid = 0;
        public int $manager_pid = 0;
        /** This worker's id (task workers follow the workers), -1 outside workers. */
        public int $worker_id = -1;
        public int $worker_pid = 0;
        /** True in a task worker. */
        public bool $taskworker = false;
        public string $host = "";
        /** The port given, or after start the one bound (for port 0). */
        public int $port = 0;
        public int $type = 0;
        public int $mode = 0;
        /** Swoole\Server\Port objects: the main listener first, then each listen()/addListener(). */
        public array $ports = [];
        /* $connections (read-only, not declared): an array of the open
         * connections' fds, built when read: foreach ($server->connections as $fd), count(). */

        public function __construct(string $host = "0.0.0.0", int $port = 0, int $mode = SWOOLE_BASE, int $sock_type = SWOOLE_SOCK_TCP) {}

        /** Apply settings (before start); a bad key or value is a warning naming it. False if any failed. */
        public function set(array $settings): bool {}

        /** $event_name is case-insensitive, with or without "on" ("receive", "onReceive", "WorkerStart"). */
        public function on(string $event_name, callable $callback): bool {}

        /** The callable set with on() for $event_name (named as on() reads it), or null. */
        public function getCallback(string $event_name): mixed {}

        /** Bind, fork, serve; returns true in the master after shutdown. */
        public function start(): bool {}

        public function shutdown(): bool {}

        /** Restart every worker gracefully (task workers only if $only_reload_taskworker). */
        public function reload(bool $only_reload_taskworker = false): bool {}

        /** Stop worker $worker_id (-1: this one) gracefully; the manager starts a new one. */
        public function stop(int $worker_id = -1, bool $wait_reactor = false): bool {}

        public function send(int|string $fd, string $send_data, int $server_socket = -1): bool {}

        /** A datagram to $ip:$port from a UDP listener. */
        public function sendto(string $ip, int $port, string $send_data, int $server_socket = -1): bool {}

        public function sendfile(int $conn_fd, string $filename, int $offset = 0, int $length = 0): bool {}

        public function close(int $fd, bool $reset = false): bool {}

        public function exist(int $fd): bool {}

        /** @alias Swoole\Server::exist */
        public function exists(int $fd): bool {}

        public function pause(int $fd): bool {}

        public function resume(int $fd): bool {}

        public function bind(int $fd, int $uid): bool {}

        public function getClientInfo(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false {}

        /** @alias Swoole\Server::getClientInfo */
        public function connection_info(int $fd, int $reactor_id = -1, bool $ignoreError = false): array|false {}

        public function getClientList(int $start_fd = 0, int $find_count = 10): array|false {}

        /** @alias Swoole\Server::getClientList */
        public function connection_list(int $start_fd = 0, int $find_count = 10): array|false {}

        public function stats(): array {}

        /** Send any serializable value to a task worker: the task id, or false. */
        /** Send any serializable value to a task worker: the task id, or false. $finishCallback, if given, runs instead of onFinish for this task. */
        public function task(mixed $data, int $taskWorkerIndex = -1, ?callable $finishCallback = null): int|false {}

        /** Send every task of $tasks (any serializable values) and wait up to $timeout s: their results, by the same keys; a task that did not complete is left out. */
        public function taskWaitMulti(array $tasks, float $timeout = 0.5): array|false {}

        /** A repeating timer on this process's loop (worker, task worker, or the master/manager in their callbacks). */
        public function tick(int $ms, callable $callback, mixed ...$params): int|false {}

        /** A one-shot timer on this process's loop. */
        public function after(int $ms, callable $callback, mixed ...$params): int|false {}

        /** Run $callback at the end of this loop iteration. */
        public function defer(callable $callback): bool {}

        public function clearTimer(int $timer_id): bool {}

        /** Another listener; its Port has its own set() and on(). False on a bad address. */
        public function listen(string $host, int $port, int $sock_type = SWOOLE_SOCK_TCP): Swoole\Server\Port|false {}

        /** @alias Swoole\Server::listen */
        public function addListener(string $host, int $port, int $sock_type = SWOOLE_SOCK_TCP): Swoole\Server\Port|false {}

        /** A user process started (and restarted) by the manager; its id, or false. */
        public function addProcess(Swoole\Process $process): int|false {}

        /** The fds of connections idle longer than heartbeat_idle_time (closed unless $ifCloseConnection is false). */
        public function heartbeat(bool $ifCloseConnection = true): array|false {}

        /** As send(): swirl queues the data in the connection's output buffer in both modes (no blocking write). */
        public function sendwait(int $fd, string $send_data): bool {}

        /** Send a task and wait for its result (false on timeout or error). */
        public function taskwait(mixed $data, float $timeout = 0.5, int $taskWorkerIndex = -1): mixed {}

        /** In a task callback: the task's result (any serializable value). */
        public function finish(mixed $data): bool {}

        /** Any serializable value to worker $dst_worker_id's pipeMessage. */
        public function sendMessage(mixed $message, int $dst_worker_id): bool {}

        public function getLastError(): int {}

        public function getMasterPid(): int {}

        public function getManagerPid(): int {}

        public function getWorkerId(): int|false {}

        /** The pid of worker $worker_id (task workers follow the workers, then the user processes); -1: this worker's. */
        public function getWorkerPid(int $worker_id = -1): int|false {}

        /** Worker $worker_id's state (-1: this worker's): SWOOLE_WORKER_BUSY, SWOOLE_WORKER_IDLE or SWOOLE_WORKER_EXIT; false for a bad id. */
        public function getWorkerStatus(int $worker_id = -1): int|false {}

        /** Before start: command $name runs $callback($server, $json) in the processes of $accepted_process_types (SWOOLE_SERVER_COMMAND_* bits); its string return value is the reply. */
        public function addCommand(string $name, int $accepted_process_types, callable $callback): bool {}

        /** From the master (BASE: worker 0): run command $name in process $process_id of $process_type with $data as JSON and wait for the reply (JSON-decoded unless $json_decode is false); false on failure. */
        public function command(string $name, int $process_id, int $process_type, mixed $data, bool $json_decode = true): false|string|array {}
    }
}

namespace Swoole\Server {
    /**
     * A listener of a Swoole\Server (from listen()/addListener(), or
     * $server->ports[0] for the main one), with its own framing settings
     * and connect/receive/close/packet callbacks. Alias: swoole_server_port.
     * @not-serializable
     */
    final class Port
    {
        public string $host = "";
        /** The port given, or after start the one bound (for port 0). */
        public int $port = 0;
        public int $type = 0;
        public array $setting = [];

        private function __construct() {}

        /** Per-port settings (framing, TLS, socket options); a server-wide key is a warning naming it. */
        public function set(array $settings): bool {}

        /** connect, receive, close or packet for this port's connections (instead of the server's); on an HTTP server request, on a WebSocket server handshake, beforeHandshakeResponse, open and message too. */
        public function on(string $event_name, callable $callback): bool {}

        /** The callback set on this port for an event, or null. */
        public function getCallback(string $event_name): mixed {}
    }
}
