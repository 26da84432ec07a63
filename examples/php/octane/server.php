<?php
/*
 * The Swoole calls Laravel Octane's Swoole server script makes (its
 * bin/swoole-server with createSwooleServer.php, OnServerStart,
 * OnManagerStart, OnWorkerStart, SwooleExtension, ServerStateFile,
 * SwooleTaskDispatcher and EnsureRequestsDontExceedMaxExecutionTime), made
 * by a small application of its own instead of Laravel. Written against
 * Swoole's documented API only: it runs unchanged on Swoole 6 and on swirl.
 *
 *   php server.php STATE_FILE
 *
 * STATE_FILE is a JSON file as Octane's `octane:start` writes it:
 * {"state": {"appName", "host", "port", "defaultServerOptions",
 * "octaneConfig": {"max_execution_time", "tick", "swoole": {"mode",
 * "options"}}}}. The server writes its master and manager pids into it
 * (masterProcessId, managerProcessId), as Octane does, and a line per
 * started worker into the file named by the env OCTANE_EVENTS, if set.
 *
 * control.php does what octane:status, octane:reload and octane:stop do
 * with the state file.
 *
 * Routes: / (hello and the worker's pid), /settings (what $server->setting
 * says of the workers), /tasks (taskWaitMulti of two
 * tasks), /cookie (two cookies), /big (a body sent with write() in chunks),
 * /stuck (never answers: the master's max-execution-time timer kills the
 * worker and answers 408 with Response::create from the master).
 */

use Swoole\Http\Request;
use Swoole\Http\Response;
use Swoole\Http\Server;
use Swoole\Process;
use Swoole\Table;
use Swoole\Timer;

ini_set('display_errors', 'stderr');

/* Octane picks its Table subclass by SWOOLE_VERSION_ID: the typed
 * signatures of Swoole >= 5 (and 4.8.4). */
if (SWOOLE_VERSION_ID === 40804 || SWOOLE_VERSION_ID >= 50000) {
    class OctaneTable extends Table
    {
        protected array $columns = [];

        public function column(string $name, int $type, int $size = 0): bool
        {
            $this->columns[$name] = [$type, $size];
            return parent::column($name, $type, $size);
        }

        public function set(string $key, array $values): bool
        {
            foreach ($values as $column => $value) {
                [$type, $size] = $this->columns[$column] ?? [null, 0];
                if ($type === Table::TYPE_STRING && strlen($value) > $size) {
                    throw new LengthException("value too large for column [$column]");
                }
            }
            return parent::set($key, $values);
        }
    }
} else {
    fwrite(STDERR, "this example needs Swoole >= 5\n");
    exit(1);
}

/* Octane's ServerStateFile: a JSON object, rewritten whole. */
final class StateFile
{
    public function __construct(private string $path) {}

    public function read(): array
    {
        $state = is_readable($this->path) ? json_decode(file_get_contents($this->path), true) : [];
        return is_array($state) ? $state : [];
    }

    public function writeProcessIds(int $master, int $manager): void
    {
        file_put_contents($this->path, json_encode(
            array_merge($this->read(), ['masterProcessId' => $master, 'managerProcessId' => $manager]),
            JSON_PRETTY_PRINT
        ));
    }
}

/* Octane's TaskResult: what a task worker hands back. */
final class TaskResult
{
    public function __construct(public mixed $result) {}
}

function process_title(string $app, string $what): void
{
    if (PHP_OS_FAMILY === 'Linux') {
        cli_set_process_title('swoole_http_server: ' . $what . ' for ' . $app);
    }
}

/* SwooleExtension::dispatchProcessSignal */
function signal_process(int $pid, int $signal): bool
{
    return Process::kill($pid, 0) ? Process::kill($pid, $signal) : false;
}

function note(string $line): void
{
    $file = getenv('OCTANE_EVENTS');
    if ($file) {
        file_put_contents($file, $line . "\n", FILE_APPEND | LOCK_EX);
    }
}

$stateFile = new StateFile($argv[1] ?? die("usage: php server.php STATE_FILE\n"));
$state = $stateFile->read()['state'] ?? die("no state in {$argv[1]}\n");
$config = $state['octaneConfig'] ?? [];
$appName = $state['appName'] ?? 'Laravel';
$maxExecutionTime = (int)($config['max_execution_time'] ?? 0);

/* createSwooleServer.php */
$host = $state['host'] ?? '127.0.0.1';
$sock = filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) ? SWOOLE_SOCK_TCP : SWOOLE_SOCK_TCP6;
$server = new Server($host, $state['port'] ?? 8000, $config['swoole']['mode'] ?? SWOOLE_PROCESS,
                     ($config['swoole']['ssl'] ?? false) ? $sock | SWOOLE_SSL : $sock);
$options = array_merge($state['defaultServerOptions'] ?? [], $config['swoole']['options'] ?? []);
/* octane:start --workers=auto: one per CPU (SwooleExtension::cpuCount) */
foreach (['worker_num', 'task_worker_num', 'reactor_num'] as $key) {
    if (($options[$key] ?? null) === 'auto') {
        $options[$key] = swoole_cpu_num();
    }
}
$server->set($options);

/* createSwooleTimerTable.php: which worker serves which fd since when */
$timerTable = null;
if ($maxExecutionTime > 0) {
    $timerTable = new OctaneTable($config['max_timer_table_size'] ?? 250, 1);
    $timerTable->column('worker_pid', Table::TYPE_INT);
    $timerTable->column('time', Table::TYPE_INT);
    $timerTable->column('fd', Table::TYPE_INT);
    $timerTable->create();
}
/* createSwooleCacheTable.php */
$cacheTable = new OctaneTable(1000, 1);
$cacheTable->column('value', Table::TYPE_STRING, 1000);
$cacheTable->column('expiration', Table::TYPE_INT);
$cacheTable->create();

$server->on('start', function (Server $server) use ($stateFile, $appName, $maxExecutionTime, $timerTable, $config) {
    $stateFile->writeProcessIds($server->master_pid, $server->manager_pid);
    process_title($appName, 'master process');
    if ($config['tick'] ?? true) {
        Timer::tick(1000, function () use ($server) {
            $server->task('octane-tick');
        });
    }
    if ($maxExecutionTime > 0) {
        /* EnsureRequestsDontExceedMaxExecutionTime, from the master */
        Timer::tick(1000, function () use ($server, $timerTable, $maxExecutionTime) {
            foreach ($timerTable as $workerId => $row) {
                if (time() - $row['time'] <= $maxExecutionTime) {
                    continue;
                }
                $timerTable->del($workerId);
                if (!$server->exists($row['fd'])) {
                    continue;
                }
                signal_process($row['worker_pid'], SIGKILL);
                $response = Response::create($server, $row['fd']);
                if ($response) {
                    $response->status(408);
                    $response->end();
                }
            }
        });
    }
});

$server->on('managerstart', function () use ($appName) {
    process_title($appName, 'manager process');
});

$worker = new stdClass();
$server->on('workerstart', function (Server $server, int $workerId) use ($appName, $worker) {
    $worker->id = $workerId;
    $worker->pid = getmypid();
    $worker->ticks = 0;
    $isTaskWorker = $workerId >= $server->setting['worker_num'];
    process_title($appName, $isTaskWorker ? 'task worker process' : 'worker process');
    note(($isTaskWorker ? 'task' : 'worker') . " $workerId {$worker->pid}");
});

$server->on('request', function (Request $request, Response $response) use ($server, $worker, $timerTable, $cacheTable) {
    $timerTable?->set((string)$worker->id, ['worker_pid' => $worker->pid, 'time' => time(), 'fd' => $request->fd]);
    $status = 200;
    $headers = ['Content-Type' => 'text/plain'];
    $cookies = [];
    $body = '';
    switch ($request->server['request_uri']) {
        case '/':
            $cacheTable->set('hits', ['value' => 'seen', 'expiration' => time() + 60]);
            $body = "hello from worker {$worker->id} pid {$worker->pid}\n";
            break;
        case '/settings':
            $headers['Content-Type'] = 'application/json';
            $body = json_encode(array_intersect_key($server->setting, array_flip(['worker_num', 'task_worker_num', 'reactor_num', 'enable_coroutine']))) . "\n";
            break;
        case '/tasks':
            /* SwooleTaskDispatcher::resolve: results in the order of the tasks */
            $results = $server->taskWaitMulti(['double:21', 'upper:octane'], 3.0);
            if ($results === false) {
                $status = 500;
                $body = "tasks timed out\n";
                break;
            }
            foreach ([0, 1] as $i) {
                $body .= isset($results[$i]) && $results[$i] instanceof TaskResult
                    ? var_export($results[$i]->result, true) . "\n" : "false\n";
            }
            break;
        case '/cookie':
            $cookies = [['session', 'abc 123', time() + 3600, '/', '', false, true, 'Lax'], ['theme', 'dark']];
            $body = "cookies set\n";
            break;
        case '/big':
            $body = str_repeat("0123456789abcdef\n", 8192);
            break;
        case '/stuck':
            for (;;) {
                sleep(1); /* a request that never ends: the master's timer ends it */
            }
        default:
            $status = 404;
            $body = "not found\n";
    }
    /* SwooleClient::respond: headers, cookies, status, then the body, in
     * chunks with write() when it is large */
    foreach ($headers as $name => $value) {
        $response->header($name, $value);
    }
    foreach ($cookies as $cookie) {
        $response->cookie(...$cookie);
    }
    $response->status($status);
    $chunk = 64 * 1024;
    if (strlen($body) <= $chunk) {
        $response->end($body);
    } else {
        for ($off = 0; $off < strlen($body); $off += $chunk) {
            $response->write(substr($body, $off, $chunk));
        }
        $response->end();
    }
    $timerTable?->del((string)$worker->id);
});

$server->on('task', function (Server $server, int $taskId, int $fromWorkerId, $data) use ($worker) {
    if ($data === 'octane-tick') {
        if (++$worker->ticks === 1) {
            note("tick $worker->id");
        }
        return null;
    }
    [$op, $arg] = explode(':', $data, 2);
    return new TaskResult($op === 'double' ? 2 * (int)$arg : strtoupper($arg));
});

$server->on('finish', fn (Server $server, int $taskId, $result) => $result);

$server->on('workerstop', function (Server $server, int $workerId) {
    note("stop $workerId " . getmypid());
});

$server->start();
