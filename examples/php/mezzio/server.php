<?php
/*
 * The Swoole calls of mezzio-swoole's server setup (its HttpServerFactory,
 * SwooleRequestHandlerRunner, PidManager and the start/worker/shutdown
 * listeners that log through its StdoutLogger), around a small
 * application of its own instead of Mezzio. Written against Swoole's
 * documented API only: it runs unchanged on Swoole 6 and on swirl.
 *
 *   php server.php [PORT] [process|base] [PID_FILE]
 *
 * Routes: / (the application), /task (a task, its result through onFinish,
 * logged), /reload ($server->reload() from a worker); the files of
 * public/ are served by Swoole's static handler (document_root,
 * enable_static_handler).
 */

use Swoole\Http\Request;
use Swoole\Http\Response;
use Swoole\Http\Server;

/* HttpServerFactory: the modes and socket types it accepts */
const MODES = [SWOOLE_BASE, SWOOLE_PROCESS];
const PROTOCOLS = [SWOOLE_SOCK_TCP, SWOOLE_SOCK_TCP6, SWOOLE_SOCK_UDP, SWOOLE_SOCK_UDP6, SWOOLE_UNIX_DGRAM, SWOOLE_UNIX_STREAM];

/* StdoutLogger: one line per notice, {placeholders} replaced */
function notice(string $message, array $context = []): void
{
    foreach ($context as $key => $value) {
        $message = str_replace('{' . $key . '}', (string)$value, $message);
    }
    printf("[%s] %s%s", 'notice', $message, PHP_EOL);
}

/* ProcessNameTrait */
function set_process_name(string $name): void
{
    if (PHP_OS !== 'Darwin') {
        swoole_set_process_name($name);
    }
}

final class PidManager
{
    public function __construct(private string $pidFile) {}

    public function write(int $masterPid, int $managerPid): void
    {
        if (!is_writable($this->pidFile) && !is_writable(dirname($this->pidFile))) {
            throw new RuntimeException(sprintf('Pid file "%s" is not writable', $this->pidFile));
        }
        file_put_contents($this->pidFile, $masterPid . ',' . $managerPid);
    }

    public function delete(): bool
    {
        return is_writable($this->pidFile) ? unlink($this->pidFile) : false;
    }
}

function create_server(array $config): Server
{
    $host = $config['host'] ?? '127.0.0.1';
    $port = $config['port'] ?? 8080;
    $mode = $config['mode'] ?? SWOOLE_BASE;
    $protocol = $config['protocol'] ?? SWOOLE_SOCK_TCP;
    if ($port < 1 || $port > 65535) {
        throw new InvalidArgumentException('Invalid port');
    }
    if (!in_array($mode, MODES, true)) {
        throw new InvalidArgumentException('Invalid server mode');
    }
    $valid = PROTOCOLS;
    if (defined('SWOOLE_SSL')) {
        $valid[] = SWOOLE_SOCK_TCP | SWOOLE_SSL;
        $valid[] = SWOOLE_SOCK_TCP6 | SWOOLE_SSL;
    }
    if (!in_array($protocol, $valid, true)) {
        throw new InvalidArgumentException('Invalid server protocol');
    }
    $server = new Server($host, $port, $mode, $protocol);
    $server->set($config['options'] ?? []);
    return $server;
}

final class Runner
{
    private string $cwd;

    public function __construct(private Server $server, private PidManager $pids, private string $name = 'mezzio')
    {
        /* the server must not be running yet */
        if ($server->getMasterPid() > 0 || $server->getManagerPid() > 0) {
            throw new InvalidArgumentException('The Swoole server has already been started');
        }
        $this->cwd = getcwd();
    }

    public function run(): void
    {
        if ($this->server->mode === SWOOLE_PROCESS) {
            $this->server->on('start', [$this, 'onStart']);
            $this->server->on('shutdown', [$this, 'onShutdown']);
        }
        $this->server->on('managerstart', [$this, 'onManagerStart']);
        $this->server->on('managerstop', [$this, 'onManagerStop']);
        $this->server->on('workerstart', [$this, 'onWorkerStart']);
        $this->server->on('workerstop', [$this, 'onWorkerStop']);
        $this->server->on('workererror', [$this, 'onWorkerError']);
        $this->server->on('request', [$this, 'onRequest']);
        $this->server->on('beforereload', [$this, 'onBeforeReload']);
        $this->server->on('afterreload', [$this, 'onAfterReload']);
        $this->server->on('task', [$this, 'onTask']);
        $this->server->on('finish', [$this, 'onTaskFinish']);
        $this->server->start();
    }

    public function onStart(Server $server): void
    {
        $this->pids->write($server->getMasterPid(), $server->getManagerPid());
        chdir($this->cwd);
        set_process_name($this->name . '-master');
        notice('Swoole is running at {host}:{port}, in {cwd}', ['host' => $server->host, 'port' => $server->port, 'cwd' => $this->cwd]);
    }

    public function onManagerStart(Server $server): void
    {
        set_process_name($this->name . '-manager');
    }

    public function onManagerStop(Server $server): void
    {
        notice('manager stopped');
    }

    public function onWorkerStart(Server $server, int $workerId): void
    {
        chdir($this->cwd);
        set_process_name($workerId >= $server->setting['worker_num']
            ? sprintf('%s-task-worker-%d', $this->name, $workerId)
            : sprintf('%s-worker-%d', $this->name, $workerId));
        notice('Worker started in {cwd} with ID {pid}', ['cwd' => $this->cwd, 'pid' => $workerId]);
    }

    public function onWorkerStop(Server $server, int $workerId): void
    {
        notice('Worker {id} stopped', ['id' => $workerId]);
    }

    public function onWorkerError(Server $server, int $workerId, int $exitCode, int $signal): void
    {
        notice('Worker {id} error: exit {code}, signal {signal}', ['id' => $workerId, 'code' => $exitCode, 'signal' => $signal]);
    }

    public function onRequest(Request $request, Response $response): void
    {
        $path = $request->server['request_uri'];
        $response->header('Content-Type', 'text/plain');
        switch ($path) {
            case '/':
                $response->end("mezzio app, worker pid " . getmypid() . "\n");
                return;
            case '/task':
                $id = $this->server->task(['job' => $request->get['job'] ?? 'none']);
                $response->end("task $id queued\n");
                return;
            case '/reload':
                $response->end($this->server->reload() ? "reloading\n" : "reload refused\n");
                return;
        }
        $response->status(404);
        $response->end("no route for $path\n");
    }

    public function onBeforeReload(Server $server): void
    {
        notice('before reload');
    }

    public function onAfterReload(Server $server): void
    {
        notice('after reload');
    }

    public function onTask(Server $server, int $taskId, int $workerId, mixed $data): void
    {
        /* mezzio-swoole hands the result back with finish() */
        $this->server->finish(strtoupper($data['job']));
    }

    public function onTaskFinish(Server $server, int $taskId, mixed $data): void
    {
        notice('task {id} finished: {data}', ['id' => $taskId, 'data' => $data]);
    }

    public function onShutdown(Server $server): void
    {
        $this->pids->delete();
        notice('Swoole HTTP has been terminated');
    }
}

$port = (int)($argv[1] ?? 8080);
$mode = ($argv[2] ?? 'process') === 'base' ? SWOOLE_BASE : SWOOLE_PROCESS;
$pidFile = $argv[3] ?? sys_get_temp_dir() . '/mezzio-swoole.pid';

$server = create_server([
    'host' => '127.0.0.1',
    'port' => $port,
    'mode' => $mode,
    'protocol' => SWOOLE_SOCK_TCP,
    'options' => [
        'worker_num' => 2,
        'task_worker_num' => 1,
        'document_root' => __DIR__ . '/public',
        'enable_static_handler' => true,
    ],
]);
(new Runner($server, new PidManager($pidFile)))->run();
