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
        public mixed $pid = 0;
        /** The object's number: 1, 2, 3, ... in order of creation in this process (Swoole's id). */
        public mixed $id = null;
        /** The callable given to the constructor. */
        public mixed $callback = null;

        /**
         * $callback(Swoole\Process $process) runs in the child. $redirect_stdin_and_stdout
         * makes the child's stdin and stdout the pipe (echo goes to the parent). $pipe_type:
         * false/0 none, true/1 SOCK_STREAM, 2 SOCK_DGRAM. $enable_coroutine is
         * accepted; swirl has no coroutines yet, so the callback runs as a
         * plain process either way.
         */
        public function __construct(callable $callback, bool $redirect_stdin_and_stdout = false, int|bool $pipe_type = true, bool $enable_coroutine = false) {}

        /** Limit how long read() and write() wait on the pipe ($seconds < 0: no limit); past it they return false. */
        public function setTimeout(float $seconds): bool {}

        /** false: read() and write() never wait (false when nothing is there or no room); true: they wait again. */
        public function setBlocking(bool $blocking): bool {}

        /** setpriority($which, $who, $priority); $who null: this object's process (PRIO_PROCESS only). False with swoole_last_error() set on failure. */
        public function setPriority(int $which, int $priority, ?int $who = null): bool {}

        /** getpriority($which, $who); $who null: this object's process (PRIO_PROCESS only). False with swoole_last_error() set on failure. */
        public function getPriority(int $which, ?int $who = null): int|false {}

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

        /** Detach from the terminal; $pipes: [stdin, stdout, stderr] (streams, fds or null) become those of the daemon first. */
        public static function daemon(bool $nochdir = true, bool $noclose = true, array $pipes = []): bool {}

        /** Run $callback($signo) in the event loop when $signo arrives; null stops watching it. A watched signal keeps the loop running. */
        public static function signal(int $signo, ?callable $callback = null): bool {}

        /** Deliver SIGALRM (type 0), SIGVTALRM (1) or SIGPROF (2) every $usec microseconds; $usec <= 0 stops it. */
        public static function alarm(int $usec, int $type = 0): bool {}

        /** Run only on the CPUs listed (ids from 0). */
        public static function setaffinity(array $cpu_settings): bool {}

        /** The CPUs this process may run on (ids from 0), or false. */
        public static function getAffinity(): array|false {}
    }
}
