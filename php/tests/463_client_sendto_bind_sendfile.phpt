--TEST--
Swoole\Client: a failed sendto() sets errCode and returns false without a warning (as Swoole: scripts send until false); a failed bind (bind_address/bind_port) sets errCode EADDRINUSE without a warning; Async\Client::sendfile() queues the file in the loop
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

// a Unix datagram peer that never reads: sendto fills its queue, then times out
$path = sys_get_temp_dir() . '/swirl-463-' . getmypid() . '.sock';
@unlink($path);
$peer = stream_socket_server("udg://$path", $e, $es, STREAM_SERVER_BIND);
$u = new Swoole\Client(SWOOLE_SOCK_UNIX_DGRAM);
$u->connect($path, 0, 0.2);
$n = 0;
while ($u->sendto($path, 0, str_repeat('B', 60000)) && $n < 10000)
    $n++;
var_dump($n > 0, $u->errCode === 11 /* EAGAIN */);
fclose($peer);
unlink($path);

// bind to the port the server listens on: EADDRINUSE, no warning
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
$c->set(['bind_address' => '127.0.0.1', 'bind_port' => $port]);
var_dump($c->connect('127.0.0.1', $port, 1.0), $c->errCode === 98 /* EADDRINUSE */);

// async sendfile
$file = tempnam(sys_get_temp_dir(), 'swirl463');
file_put_contents($file, "echo:" . str_repeat('z', 3000) . "\n");
$got = '';
$a = new Swoole\Async\Client(SWOOLE_SOCK_TCP);
$a->on('connect', function ($cli) use ($file) { var_dump($cli->sendfile($file)); });
$a->on('receive', function ($cli, $data) use (&$got) {
    $got .= $data;
    if (strlen($got) >= 3000) $cli->close();
});
$a->on('error', function ($cli) { echo "error {$cli->errCode}\n"; });
$a->on('close', function ($cli) { echo "close\n"; });
$a->connect('127.0.0.1', $port, 2.0);
Swoole\Event::wait();
var_dump($got === str_repeat('z', 3000));
unlink($file);
server_stop($pid);
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
close
bool(true)
