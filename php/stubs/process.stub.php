<?php

/** @generate-class-entries */

namespace Swoole {
    /**
     * A child process running a PHP callable, with an optional pipe to it
     * (a unix socket pair) and optional redirection of its stdin and stdout
     * into that pipe. Alias: swoole_process.
     * @not-serializable
     */
    class Process
    {
        /**
         * @var int
         * @cvalue SWIRL_PROCESS_IPC_NOWAIT
         */
        public const IPC_NOWAIT = UNKNOWN;

        /** This side's end of the pipe (an fd), or null without a pipe. */
        public mixed $pipe = null;
        /** The child's pid after start() (in the parent and in the child), 0 before. */
        public int $pid = 0;
        /** The callable given to the constructor. */
        public mixed $callback = null;

        /**
         * $callback(Swoole\Process $process) runs in the child. $redirect_stdin_and_stdout
         * makes the child's stdin and stdout the pipe (echo goes to the parent). $pipe_type:
         * false/0 none, true/1 SOCK_STREAM, 2 SOCK_DGRAM.
         */
        public function __construct(callable $callback, bool $redirect_stdin_and_stdout = false, int|bool $pipe_type = true) {}

        /** Fork: the child's pid, or false. */
        public function start(): int|false {}

        public function name(string $process_name): bool {}

        /** In the child: replace the program with $exec_file (an absolute path) and $args. */
        public function exec(string $exec_file, array $args): bool {}

        /** The bytes written, or false. */
        public function write(string $data): int|false {}

        /** Up to $size bytes from the pipe (one message for SOCK_DGRAM); "" at end of file. */
        public function read(int $size = 8192): string|false {}

        /** Use a System V message queue for push/pop; $key <= 0 means ftok() of the running script, as Swoole (one queue shared by the script's process objects). */
        public function useQueue(int $key = 0, int $mode = 2, int $capacity = -1): bool {}

        /** ['queue_num' => messages, 'queue_bytes' => bytes], or false. */
        public function statQueue(): array|false {}

        public function freeQueue(): bool {}

        public function push(string $data): bool {}

        public function pop(int $size = 8192): string|false {}

        /** Close this side's end of the pipe. */
        public function close(int $which = 0): bool {}

        /** End this process: status 0 runs PHP's shutdown (shutdown functions, destructors), any other ends it at once. */
        public function exit(int $exit_code = 0): void {}

        /** Send $signal_no to $pid (0 only tests that it exists). */
        public static function kill(int $pid, int $signal_no = 15): bool {}

        /** Reap one ended child: ['pid' => ..., 'code' => ..., 'signal' => ...], or false. */
        public static function wait(bool $blocking = true): array|false {}

        public static function daemon(bool $nochdir = false, bool $noclose = false): bool {}

        /** Run $callback($signo) in the event loop when $signo arrives; null stops watching it. A watched signal keeps the loop running. */
        public static function signal(int $signo, ?callable $callback = null): bool {}

        /** Deliver SIGALRM (type 0), SIGVTALRM (1) or SIGPROF (2) every $usec microseconds; $usec <= 0 stops it. */
        public static function alarm(int $usec, int $type = 0): bool {}

        /** Run only on the CPUs listed (ids from 0). */
        public static function setaffinity(array $cpu_settings): bool {}
    }
}
