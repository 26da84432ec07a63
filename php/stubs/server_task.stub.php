<?php

/**
 * Swoole\Server\Task (task_use_object) and the event objects of
 * event_object => true: Event, Packet, PipeMessage, StatusInfo, TaskResult.
 * IDE stubs as well as the source of the generated arginfo.
 *
 * @generate-class-entries
 */

namespace {

/* Swoole\Server\Task::$flags */
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_TMPFILE
 */
const SWOOLE_TASK_TMPFILE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_SERIALIZE
 */
const SWOOLE_TASK_SERIALIZE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_NONBLOCK
 */
const SWOOLE_TASK_NONBLOCK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_CALLBACK
 */
const SWOOLE_TASK_CALLBACK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_WAITALL
 */
const SWOOLE_TASK_WAITALL = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_COROUTINE
 */
const SWOOLE_TASK_COROUTINE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_PEEK
 */
const SWOOLE_TASK_PEEK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_PHP_TASK_NOREPLY
 */
const SWOOLE_TASK_NOREPLY = UNKNOWN;

}

namespace Swoole\Server {
    /**
     * A task, as onTask receives it with task_use_object (or event_object):
     * onTask($server, Task $task).
     * @not-serializable
     */
    final class Task
    {
        public mixed $data = null;
        /** When the task worker took it (microtime(true)). */
        public float $dispatch_time = 0;
        public int $id = -1;
        /** The worker that sent it (-1: the master, the manager or a user process). */
        public int $worker_id = -1;
        /** SWOOLE_TASK_* bits: NONBLOCK (task()), NOREPLY (sent by a process without a worker), SERIALIZE, TMPFILE. */
        public int $flags = 0;

        /** This task's result (during its onTask only; at most once). */
        public function finish(mixed $data): bool {}

        /** $data as one task message (the bytes a task worker reads). */
        public static function pack(mixed $data): string|false {}

        /** The data of a message made by pack(); false (and a warning) if it is not one. */
        public static function unpack(string $data): mixed {}
    }

    /** connect, receive, close with event_object. */
    final class Event
    {
        public int $reactor_id = 0;
        public int $fd = 0;
        public float $dispatch_time = 0;
        public mixed $data = null;
    }

    /** packet with event_object. */
    final class Packet
    {
        public int $server_socket = 0;
        public int $server_port = 0;
        public float $dispatch_time = 0;
        public mixed $address = null;
        public int $port = 0;
        public mixed $data = null;
    }

    /** pipeMessage with event_object. */
    final class PipeMessage
    {
        public int $source_worker_id = 0;
        public int $worker_id = 0;
        public float $dispatch_time = 0;
        public mixed $data = null;
    }

    /** workerError with event_object. */
    final class StatusInfo
    {
        public int $worker_id = 0;
        public int $worker_pid = 0;
        public int $status = 0;
        public int $exit_code = 0;
        public int $signal = 0;
    }

    /** finish with event_object. */
    final class TaskResult
    {
        public int $task_id = 0;
        public int $task_worker_id = 0;
        public float $dispatch_time = 0;
        public mixed $data = null;
    }
}
