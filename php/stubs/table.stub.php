<?php

/** @generate-class-entries */

namespace Swoole {
    /**
     * A fixed-size hash table of typed rows in shared memory, read and
     * written by every process forked after create(). Alias: swoole_table.
     * @not-serializable
     */
    class Table implements \Iterator, \Countable
    {
        /**
         * @var int
         * @cvalue SWIRL_TABLE_INT
         */
        public const TYPE_INT = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_TABLE_FLOAT
         */
        public const TYPE_FLOAT = UNKNOWN;
        /**
         * @var int
         * @cvalue SWIRL_TABLE_STRING
         */
        public const TYPE_STRING = UNKNOWN;

        /** $table_size rows at most; $conflict_proportion is accepted and ignored (every row fits whatever its hash). */
        public function __construct(int $table_size, float $conflict_proportion = 0.2) {}

        /** Declare a column before create(): TYPE_INT (size 1, 2, 4 or 8; 0 means 8), TYPE_FLOAT, TYPE_STRING (size >= 1 bytes). */
        public function column(string $name, int $type, int $size = 0): bool {}

        /** Allocate the shared memory; call it before forking the processes that share the table. */
        public function create(): bool {}

        /** Set the columns of row $key given in $value (by column name; other keys are ignored), inserting it when missing. */
        public function set(string $key, array $value): bool {}

        /** The row as [column => value], or one column's value; false when there is no such row. */
        public function get(string $key, ?string $field = null): mixed {}

        public function exists(string $key): bool {}

        /** @implementation-alias Swoole\Table::exists */
        public function exist(string $key): bool {}

        public function del(string $key): bool {}

        /** @implementation-alias Swoole\Table::del */
        public function delete(string $key): bool {}

        /** Add $incrby to an int or float column atomically (the row is made when missing); the new value. */
        public function incr(string $key, string $column, int|float $incrby = 1): int|float|false {}

        public function decr(string $key, string $column, int|float $incrby = 1): int|float|false {}

        /** The number of rows in the table now. */
        public function count(): int {}

        /** The bytes of shared memory the table takes; 0 before create and after destroy (as Swoole). */
        public function memorySize(): int {}

        /** @implementation-alias Swoole\Table::memorySize */
        public function getMemorySize(): int {}

        /** The number of rows it holds at most. */
        public function getSize(): int {}

        /** End the table for every process that shares it; true. */
        public function destroy(): bool {}

        /** num, conflict_count, conflict_max_level, insert_count, update_count,
         * delete_count, available_slice_num, total_slice_num; false when the
         * table is not created or was destroyed. */
        public function stats(): array|false {}

        public function rewind(): void {}

        public function valid(): bool {}

        public function current(): mixed {}

        public function key(): mixed {}

        public function next(): void {}
    }
}
