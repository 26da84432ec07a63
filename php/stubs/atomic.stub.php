<?php

/** @generate-class-entries */

namespace Swoole {
    /**
     * A 32-bit unsigned counter in shared memory. Alias: swoole_atomic.
     * @not-serializable
     */
    class Atomic
    {
        public function __construct(int $value = 0) {}

        /** The new value. */
        public function add(int $add_value = 1): int {}

        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        /** If the value is $cmp_value make it $new_value and return true. */
        public function cmpset(int $cmp_value, int $new_value): bool {}

        /** Value 1: make it 0 and return true. Value 0: sleep until wakeup() or $timeout seconds (< 0: no limit); false on time-out. */
        public function wait(float $timeout = 1.0): bool {}

        /** If the value is 0 make it 1 and wake up to $count waiters. */
        public function wakeup(int $count = 1): bool {}
    }
}

namespace Swoole\Atomic {
    /**
     * A 64-bit signed counter in shared memory. Alias: swoole_atomic_long.
     * @not-serializable
     */
    class Long
    {
        public function __construct(int $value = 0) {}

        public function add(int $add_value = 1): int {}

        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        public function cmpset(int $cmp_value, int $new_value): bool {}

        public function wait(float $timeout = 1.0): bool {}

        public function wakeup(int $count = 1): bool {}
    }
}
