<?php
/*
 * The Swoole calls of php-runtime/swoole's ServerFactory and CallableRunner
 * (the runtime Symfony's Runtime component starts a Swoole server with): the
 * server's host, port, mode and socket type from the environment
 * (SWOOLE_HOST, SWOOLE_PORT, SWOOLE_MODE, SWOOLE_SOCK_TYPE: the numbers of
 * SWOOLE_PROCESS, SWOOLE_SOCK_TCP...), its settings, and one request
 * callable. Written against Swoole's documented API only: it runs
 * unchanged on Swoole 6 and on swirl.
 *
 *   SWOOLE_PORT=8000 php runtime.php
 *
 * Routes: / (what the server says of itself: getMasterPid(), getManagerPid(),
 * ->mode, ->host, ->port, ->setting), /reload ($server->reload()); the files
 * of public/ are served by Swoole's static handler.
 */

use Swoole\Http\Request;
use Swoole\Http\Response;
use Swoole\Http\Server;

final class ServerFactory
{
    private const DEFAULT_OPTIONS = [
        'host' => '127.0.0.1',
        'port' => 8000,
        'mode' => 2, /* SWOOLE_PROCESS */
        'sock_type' => 1, /* SWOOLE_SOCK_TCP */
        'settings' => [],
    ];

    private array $options;

    public function __construct(array $options = [])
    {
        foreach (['host', 'port', 'mode', 'sock_type'] as $key) {
            $env = 'SWOOLE_' . strtoupper($key);
            $options[$key] = $options[$key] ?? $_SERVER[$env] ?? $_ENV[$env] ?? self::DEFAULT_OPTIONS[$key];
        }
        $this->options = array_replace_recursive(self::DEFAULT_OPTIONS, $options);
    }

    public function createServer(callable $requestHandler): Server
    {
        $server = new Server($this->options['host'], (int)$this->options['port'],
                             (int)$this->options['mode'], (int)$this->options['sock_type']);
        $server->set($this->options['settings']);
        $server->on('request', $requestHandler);
        return $server;
    }
}

/* the socket types a php-runtime user may name, as numbers in the environment */
const SOCK_TYPES = [
    'SWOOLE_SOCK_TCP' => SWOOLE_SOCK_TCP, 'SWOOLE_SOCK_TCP6' => SWOOLE_SOCK_TCP6,
    'SWOOLE_SOCK_UDP' => SWOOLE_SOCK_UDP, 'SWOOLE_SOCK_UDP6' => SWOOLE_SOCK_UDP6,
    'SWOOLE_UNIX_DGRAM' => SWOOLE_UNIX_DGRAM, 'SWOOLE_UNIX_STREAM' => SWOOLE_UNIX_STREAM,
    'SWOOLE_SSL' => SWOOLE_SSL,
];

$server = null;
$factory = new ServerFactory(['settings' => [
    'worker_num' => 2,
    'document_root' => __DIR__ . '/public',
    'enable_static_handler' => true,
]]);
$server = $factory->createServer(function (Request $request, Response $response) use (&$server) {
    $response->header('Content-Type', 'application/json');
    switch ($request->server['request_uri']) {
        case '/':
            $response->end(json_encode([
                'master' => $server->getMasterPid(),
                'manager' => $server->getManagerPid(),
                'worker' => getmypid(),
                'mode' => array_search($server->mode, ['SWOOLE_BASE' => SWOOLE_BASE, 'SWOOLE_PROCESS' => SWOOLE_PROCESS], true),
                'host' => $server->host,
                'port' => $server->port,
                'sock_type' => array_search($server->ports[0]->type, SOCK_TYPES, true),
                'worker_num' => $server->setting['worker_num'],
                'document_root' => basename($server->setting['document_root']),
            ]) . "\n");
            return;
        case '/reload':
            $response->end(json_encode(['reload' => $server->reload()]) . "\n");
            return;
    }
    $response->status(404);
    $response->end(json_encode(['error' => 'not found']) . "\n");
});
$server->start();
