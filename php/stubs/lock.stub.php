<?php

/** @generate-class-entries */

namespace Swoole {
    /**
     * A lock shared by the processes forked after it was made. Alias: swoole_lock.
     * @not-serializable
     */
    class Lock
    {
        /**
         * @var int
         * @cvalue SWIRL_LOCK_MUTEX
         */
        public const MUTEX = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_LOCK_RWLOCK
         */
        public const RWLOCK = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_LOCK_SPINLOCK
         */
        public const SPINLOCK = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_LOCK_FILELOCK
         */
        public const FILELOCK = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_LOCK_SEM
         */
        public const SEM = UNKNOWN;

        /** The error of the last lock() or unlock() that failed (an errno value: SOCKET_ETIMEDOUT, ...). */
        public int $errCode = 0;

        /** $type: SWOOLE_MUTEX (3), SWOOLE_RWLOCK, SWOOLE_SPINLOCK, SWOOLE_SEM, or SWOOLE_FILELOCK with $filename. */
        public function __construct(int $type = 3, string $filename = "") {}

        /** Swoole 6's: $operation LOCK_EX (default) or LOCK_SH (the shared side of an
         * rwlock or file lock), | LOCK_NB not to wait; $timeout > 0: wait that many
         * seconds at most (false, errCode SOCKET_ETIMEDOUT); otherwise for ever. */
        public function lock(int $operation = LOCK_EX, float $timeout = -1): bool {}

        public function trylock(): bool {}

        public function unlock(): bool {}

        /** Take the lock within $timeout seconds (< 0: wait for ever); false on time-out. */
        public function lockwait(float $timeout = 1.0): bool {}

        /** The shared side of an rwlock or file lock; lock() on the other types. */
        public function lock_read(): bool {}

        public function trylock_read(): bool {}
    }
}
