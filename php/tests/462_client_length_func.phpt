--TEST--
Swoole\Client package_length_func: a PHP callable tells each message's length (blocking recv and Async\Client receive get whole messages); 0 waits for more bytes; a negative result or an exception is bad data; a value that is not callable is refused (the server's: 680-682)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

$calls = 0;
$bar = function (string $data) use (&$calls) {
    $calls++;
    $n = strpos($data, '|');
    return $n === false ? 0 : intval(substr($data, 0, $n)) + $n + 1;
};

$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->set(['package_length_func' => $bar]));
$c->connect('127.0.0.1', $port, 2.0);
$c->send("echo:3|abc10|0123456789\n");
var_dump($c->recv(), $c->recv(), $calls >= 2);
$c->close();

// async: one receive per message
$log = [];
$a = new Swoole\Async\Client(SWOOLE_SOCK_TCP);
$a->set(['open_length_check' => true, 'package_length_func' => $bar]);
$a->on('connect', function ($cli) { $cli->send("echo:2|xy5|hello1|!\n"); });
$a->on('receive', function ($cli, $data) use (&$log) {
    $log[] = $data;
    if (count($log) === 3) $cli->close();
});
$a->on('error', function ($cli) use (&$log) { $log[] = "error"; });
$a->on('close', function ($cli) use (&$log) { $log[] = "close"; });
$a->connect('127.0.0.1', $port, 2.0);
Swoole\Event::wait();
echo implode(",", $log), "\n";

// a negative length: the data is bad
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->set(['package_length_func' => fn($d) => -1]);
$c->connect('127.0.0.1', $port, 2.0);
$c->send("echo:whatever\n");
var_dump($c->recv(), $c->errCode > 0, $c->isConnected()); // the connection is closed

// an exception in the callable reaches the caller of recv()
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->set(['package_length_func' => function ($d) { throw new RuntimeException("length?"); }]);
$c->connect('127.0.0.1', $port, 2.0);
$c->send("echo:whatever\n");
try {
    @$c->recv();
} catch (RuntimeException $e) {
    echo "caught: ", $e->getMessage(), "\n";
}

// not callable
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->set(['package_length_func' => 'no_such_function']));

server_stop($pid);
?>
--EXPECTF--
bool(true)
string(5) "3|abc"
string(13) "10|0123456789"
bool(true)
2|xy,5|hello,1|!,close

Warning: Swoole\Client::recv(): %s in %s on line %d
bool(false)
bool(true)
bool(false)
caught: length?

Warning: Swoole\Client::set(): setting `package_length_func`: string is not callable in %s on line %d
bool(false)
