--TEST--
Swoole\Async\Client (Swoole 6's event-loop client): a Swoole\Client in async mode; connect, receive, close; sleep()/wakeup() (pause/resume) hold messages back and let them through; enableSSL() without a callback throws, with one is refused; bad arguments
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

$c = new Swoole\Async\Client(SWOOLE_SOCK_TCP);
var_dump($c instanceof Swoole\Client, $c->type);
$log = [];
$c->set(['open_eof_split' => true, 'package_eof' => "\r\n"]);
$c->on('connect', function (Swoole\Async\Client $cli) use (&$log) {
    $log[] = 'connect ' . var_export($cli->isConnected(), true);
    $log[] = 'sleep ' . var_export($cli->sleep(), true);
    $cli->send("eof3\n");
    Swoole\Timer::after(300, function () use ($cli, &$log) {
        $log[] = 'wakeup ' . var_export($cli->wakeup(), true);
    });
});
$c->on('receive', function (Swoole\Async\Client $cli, string $data) use (&$log) {
    $log[] = 'receive ' . json_encode($data);
    if ($data === "a\r\n") {
        $log[] = 'pause ' . var_export($cli->pause(), true);
        Swoole\Timer::after(100, function () use ($cli, &$log) {
            $log[] = 'resume ' . var_export($cli->resume(), true);
        });
    }
    if ($data === "ccc\r\n")
        $cli->close();
});
$c->on('error', function ($cli) use (&$log) { $log[] = "error {$cli->errCode}"; });
$c->on('close', function ($cli) use (&$log) { $log[] = 'close'; });
var_dump($c->connect('127.0.0.1', $port, 2.0));
Swoole\Event::wait();
echo implode("\n", $log), "\n";

// sleep/wakeup on a client that is not connected: false with a warning
var_dump($c->sleep());

// enableSSL: Swoole's exception without a callback; upgrading is refused
try {
    $c->enableSSL();
} catch (Swoole\Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($c->enableSSL(function () {}));

// a UDP Async\Client needs only receive
$u = new Swoole\Async\Client(SWOOLE_SOCK_UDP);
$u->on('receive', function ($cli, $data) { echo "udp receive\n"; });
var_dump($u->connect('127.0.0.1', $port));
$u->close();

// a refused connect: the error callback only
$s = stream_socket_server('tcp://127.0.0.1:0', $e, $es, STREAM_SERVER_BIND);
$refused = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
$r = new Swoole\Async\Client(SWOOLE_SOCK_TCP);
$r->on('connect', function () { echo "never\n"; });
$r->on('receive', function () { echo "never\n"; });
$r->on('error', function ($cli) { echo "refused: errCode ", $cli->errCode, "\n"; });
$r->on('close', function () { echo "never\n"; });
$r->connect('127.0.0.1', $refused, 1.0);
Swoole\Event::wait();
fclose($s);

// bad arguments
foreach ([fn() => new Swoole\Async\Client(12345), fn() => new Swoole\Async\Client(SWOOLE_SOCK_TCP, 0)] as $f) {
    try {
        $f();
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
server_stop($pid);
?>
--EXPECTF--
bool(true)
int(1)
bool(true)
connect true
sleep true
wakeup true
receive "a\r\n"
pause true
resume true
receive "bb\r\n"
receive "ccc\r\n"
close

Warning: Swoole\Async\Client::sleep(): client sleep: not connected in %s on line %d
bool(false)
Swoole\Exception: require `onSslReady` callback

Warning: Swoole\Async\Client::enableSSL(): enableSSL: upgrading a connection to TLS is not supported; connect with SWOOLE_SOCK_TCP | SWOOLE_SSL instead in %s on line %d
bool(false)
bool(true)
refused: errCode 111
ValueError: Swoole\Async\Client::__construct(): Argument #1 ($type) must be SWOOLE_SOCK_TCP, SWOOLE_SOCK_UDP, SWOOLE_SOCK_TCP6, SWOOLE_SOCK_UDP6, SWOOLE_SOCK_UNIX_STREAM or SWOOLE_SOCK_UNIX_DGRAM, optionally | SWOOLE_SSL | SWOOLE_KEEP, 12345 given
ArgumentCountError: Swoole\Async\Client::__construct() expects exactly 1 argument, 2 given
