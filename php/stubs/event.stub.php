<?php

/**
 * swirl: Swoole\Event, Swoole\Timer and their swoole_event_* and
 * swoole_timer_* functions, on the event loop of this process (a server
 * worker's loop inside a worker).
 *
 * @generate-class-entries
 */

namespace {

/**
 * Watch for readability (swoole_event_add's default).
 * @var int
 */
const SWOOLE_EVENT_READ = 512;
/**
 * Watch for writability.
 * @var int
 */
const SWOOLE_EVENT_WRITE = 1024;

/**
 * Watch $fd (an int fd, a stream resource, or a Swoole\Process's pipe) in
 * the event loop; the callbacks get $fd as given. The fd becomes
 * non-blocking. Returns the fd number, or false.
 * @param int|resource|\Swoole\Process $fd
 */
function swoole_event_add(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $flags = SWOOLE_EVENT_READ): int|false {}

/**
 * Change the callbacks (null keeps the current one) or the events
 * ($flags 0 keeps them) of a watched fd.
 * @param int|resource|\Swoole\Process $fd
 */
function swoole_event_set(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $flags = 0): bool {}

/**
 * Stop watching $fd (it is not closed; bytes still buffered for it are dropped).
 * @param int|resource|\Swoole\Process $fd
 */
function swoole_event_del(mixed $fd): bool {}

/**
 * Whether $fd is watched for any of $events.
 * @param int|resource|\Swoole\Process $fd
 */
function swoole_event_isset(mixed $fd, int $events = SWOOLE_EVENT_READ | SWOOLE_EVENT_WRITE): bool {}

/**
 * Write $data to a watched fd without blocking: what the kernel does not
 * take now is buffered and sent when the fd becomes writable.
 * @param int|resource|\Swoole\Process $fd
 */
function swoole_event_write(mixed $fd, string $data): bool {}

/** Run the event loop until nothing is left in it. */
function swoole_event_wait(): void {}

/** Leave the event loop, dropping what is in it. */
function swoole_event_exit(): void {}

/** Run $callback at the end of the current loop iteration. */
function swoole_event_defer(callable $callback): bool {}

/** Run one iteration of the loop. */
function swoole_event_dispatch(): bool {}

/** See Swoole\Event::cycle. */
function swoole_event_cycle(?callable $callback, bool $before = false): bool {}

/** Run $callback($timer_id, ...$params) every $ms milliseconds. The timer id, or false. */
function swoole_timer_tick(int $ms, callable $callback, mixed ...$params): int|false {}

/** Run $callback(...$params) once after $ms milliseconds. The timer id, or false. */
function swoole_timer_after(int $ms, callable $callback, mixed ...$params): int|false {}

/** Cancel a timer; false if there is no such pending timer. */
function swoole_timer_clear(int $timer_id): bool {}

/** Whether timer $timer_id is pending. */
function swoole_timer_exists(int $timer_id): bool {}

/** @implementation-alias Swoole\Timer::info */
/** The state of timer $timer_id: exec_msec, exec_count, interval, round, removed; null if none. */
function swoole_timer_info(int $timer_id): ?array {}

/** @implementation-alias Swoole\Timer::stats */
/** initialized, num (pending timers), round (the loop's timer passes so far). */
function swoole_timer_stats(): array {}

/** @implementation-alias Swoole\Timer::list */
/** The ids of the pending timers. */
function swoole_timer_list(): Swoole\Timer\Iterator {}

/** @implementation-alias Swoole\Timer::clearAll */
/** Cancel every timer of this process. */
function swoole_timer_clear_all(): bool {}
}

namespace Swoole {
    /** The event loop of this process. Alias: swoole_event. */
    final class Event
    {
        /** @param int|resource|\Swoole\Process $fd */
        public static function add(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $flags = SWOOLE_EVENT_READ): int|false {}

        /** @param int|resource|\Swoole\Process $fd */
        public static function set(mixed $fd, ?callable $read_callback = null, ?callable $write_callback = null, int $flags = 0): bool {}

        /** @param int|resource|\Swoole\Process $fd */
        public static function del(mixed $fd): bool {}

        /** @param int|resource|\Swoole\Process $fd */
        public static function isset(mixed $fd, int $events = SWOOLE_EVENT_READ | SWOOLE_EVENT_WRITE): bool {}

        /** @param int|resource|\Swoole\Process $fd */
        public static function write(mixed $fd, string $data): bool {}

        public static function wait(): void {}

        public static function exit(): void {}

        public static function defer(callable $callback): bool {}

        public static function dispatch(): bool {}

        /** $callback runs at the end of each loop iteration (after the
         * deferred calls; before them with $before); null removes it. */
        public static function cycle(?callable $callback, bool $before = false): bool {}

        /** Internal: the shutdown function that runs the loop at the end of a script, as Swoole's. */
        public static function rshutdown(): void {}
    }

    /** Timers of this process. Alias: swoole_timer. */
    final class Timer
    {
        public static function tick(int $ms, callable $callback, mixed ...$params): int|false {}

        public static function after(int $ms, callable $callback, mixed ...$params): int|false {}

        public static function clear(int $timer_id): bool {}

        public static function exists(int $timer_id): bool {}

        /** Cancel every timer of this process. */
        public static function clearAll(): bool {}

        /** The ids of the pending timers. */
        public static function list(): \Swoole\Timer\Iterator {}

        /** exec_msec (when it runs next, in ms since the first timer of this
         * process's loop), exec_count, interval (0 for after), round (the
         * timer pass it was made in), removed; null if no such timer. */
        public static function info(int $timer_id): ?array {}

        /** initialized, num (pending timers), round (timer passes so far). */
        public static function stats(): array {}
    }
}

namespace Swoole\Timer {
    /** What Timer::list() returns: the ids, as an ArrayIterator. */
    class Iterator extends \ArrayIterator {}
}
