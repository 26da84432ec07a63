<?php

/**
 * swirl: Swoole's documented API on libswirl. Functions and constants.
 * IDE stubs as well as the source of the generated arginfo.
 *
 * @generate-class-entries
 */

namespace {

/**
 * The Swoole API level swirl implements (not swirl's own version: SWIRL_VERSION).
 *
 * @var string
 * @cvalue SWIRL_SWOOLE_VERSION
 */
const SWOOLE_VERSION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SWOOLE_VERSION_ID
 */
const SWOOLE_VERSION_ID = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SWOOLE_MAJOR
 */
const SWOOLE_MAJOR_VERSION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SWOOLE_MINOR
 */
const SWOOLE_MINOR_VERSION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_SWOOLE_RELEASE
 */
const SWOOLE_RELEASE_VERSION = UNKNOWN;
/**
 * @var string
 * @cvalue SWIRL_VERSION_STRING
 */
const SWIRL_VERSION = UNKNOWN;
/**
 * @var int
 * @cvalue swirl_cpu_num()
 */
const SWOOLE_CPU_NUM = UNKNOWN;

/* Lock types (Swoole\Lock) */
/**
 * @var int
 * @cvalue SWIRL_LOCK_RWLOCK
 */
const SWOOLE_RWLOCK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_LOCK_FILELOCK
 */
const SWOOLE_FILELOCK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_LOCK_MUTEX
 */
const SWOOLE_MUTEX = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_LOCK_SEM
 */
const SWOOLE_SEM = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_LOCK_SPINLOCK
 */
const SWOOLE_SPINLOCK = UNKNOWN;

/* How work reaches a pool's workers, and a server's task_ipc_mode */
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_DEBUG
 */
const SWOOLE_LOG_DEBUG = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_TRACE
 */
const SWOOLE_LOG_TRACE = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_INFO
 */
const SWOOLE_LOG_INFO = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_NOTICE
 */
const SWOOLE_LOG_NOTICE = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_WARNING
 */
const SWOOLE_LOG_WARNING = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_ERROR
 */
const SWOOLE_LOG_ERROR = UNKNOWN;
/**
 * Log level for the log_level setting (Swoole's value).
 * @var int
 * @cvalue SWIRL_LOG_NONE
 */
const SWOOLE_LOG_NONE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_IPC_NONE
 */
const SWOOLE_IPC_NONE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_IPC_UNIXSOCK
 */
const SWOOLE_IPC_UNIXSOCK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_IPC_UNIXSOCK
 */
const SWOOLE_IPC_UNSOCK = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_IPC_MSGQUEUE
 */
const SWOOLE_IPC_MSGQUEUE = UNKNOWN;
/** @var int */
const SWOOLE_IPC_PREEMPTIVE = 3;

/* Worker states (Swoole\Server::getWorkerStatus) */
/**
 * @var int
 * @cvalue SWIRL_WORKER_BUSY
 */
const SWOOLE_WORKER_BUSY = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WORKER_IDLE
 */
const SWOOLE_WORKER_IDLE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WORKER_EXIT
 */
const SWOOLE_WORKER_EXIT = UNKNOWN;
/** @var int */
const SWOOLE_IPC_SOCKET = 3;
/* Server commands' process types (Swoole\Server::addCommand, command) */
/**
 * @var int
 * @cvalue SWIRL_COMMAND_MASTER
 */
const SWOOLE_SERVER_COMMAND_MASTER = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_COMMAND_MANAGER
 */
const SWOOLE_SERVER_COMMAND_MANAGER = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_COMMAND_REACTOR_THREAD
 */
const SWOOLE_SERVER_COMMAND_REACTOR_THREAD = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_COMMAND_EVENT_WORKER
 */
const SWOOLE_SERVER_COMMAND_EVENT_WORKER = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_COMMAND_EVENT_WORKER
 */
const SWOOLE_SERVER_COMMAND_WORKER = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_COMMAND_TASK_WORKER
 */
const SWOOLE_SERVER_COMMAND_TASK_WORKER = UNKNOWN;

/* Message queue modes (Swoole\Process::useQueue) */
/**
 * @var int
 * @cvalue SWIRL_MSGQUEUE_ORIENT
 */
const SWOOLE_MSGQUEUE_ORIENT = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_MSGQUEUE_BALANCE
 */
const SWOOLE_MSGQUEUE_BALANCE = UNKNOWN;

/** The version of swirl, e.g. "0.1.0". */
function swoole_version(): string {}

/** The number of CPUs configured on this machine. */
function swoole_cpu_num(): int {}

/** The code of the last failed swirl call in this process (errno values as
 * they are, swirl's own codes from 1001 on); 0 when none has failed. */
function swoole_errno(): int {}

/** The same code as swoole_errno(). */
function swoole_last_error(): int {}

/** The message for a code from swoole_errno(), swoole_last_error() or errno. */
function swoole_strerror(int $errno, int $error_type = 0): string {}

/** Shows $process_name in ps and top as this process's title. */
function swoole_set_process_name(string $process_name): bool {}

/** The message of the last failed swirl call, naming the culprit ("" if none). */
function swirl_last_error_msg(): string {}

/** Process-wide settings: log_level and log_file are applied; Swoole's other
 * keys are accepted and change nothing; an unknown key is refused with a
 * warning (false). */
function swoole_async_set(array $settings): bool {}

/** One line in Swoole's format to the log (log_file, or stderr) if $level passes log_level. */
function swoole_error_log(int $level, string $msg): void {}

/** As swoole_error_log, the line naming $error; silent for a code given to swoole_ignore_error. */
function swoole_error_log_ex(int $level, int $error, string $msg): void {}

/** swoole_error_log_ex stays silent for $error from now on in this process. */
function swoole_ignore_error(int $error): void {}

/** Clear the last error (swoole_last_error() is 0 again). */
function swoole_clear_error(): void {}

/** The addresses of the interfaces that are up, name => address, loopback left out. */
function swoole_get_local_ip(int $family = AF_INET): array|false {}

/** The hardware addresses of the interfaces, name => "AA:BB:CC:DD:EE:FF", loopback left out. */
function swoole_get_local_mac(): array|false {}

/** swirl keeps no DNS cache: nothing to clear. */
function swoole_clear_dns_cache(): void {}

/** unserialize() of $length bytes of $str from $offset (the rest when $length <= 0). */
function swoole_substr_unserialize(string $str, int $offset, int $length = 0, array $options = []): mixed {}

/** json_decode() of $length bytes of $str from $offset (the rest when $length <= 0). */
function swoole_substr_json_decode(string $str, int $offset, int $length = 0, ?bool $associative = null, int $depth = 512, int $flags = 0): mixed {}
}

namespace Swoole {
    /** Thrown where Swoole throws (a lock or table that cannot be made). */
    class Exception extends \Exception {}
}
