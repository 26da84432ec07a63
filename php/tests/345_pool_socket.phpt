--TEST--
Swoole\Process\Pool: SWOOLE_IPC_SOCKET (listen, a length-prefixed message per connection, write() answers it), detach() replaces the worker, and their errors
--EXTENSIONS--
pcntl
--FILE--
<?php
use Swoole\Process\Pool;

$path = sys_get_temp_dir() . '/swirl-pool-' . getmypid() . '.sock';
@unlink($path);

function ask(string $path, string $msg): string {
    $fp = stream_socket_client("unix://$path", $errno, $errstr, 5);
    fwrite($fp, pack('N', strlen($msg)) . $msg);
    $answer = stream_get_contents($fp);
    fclose($fp);
    if ($answer === '') {
        return '(no answer)';
    }
    $len = unpack('N', substr($answer, 0, 4))[1];
    return "$len:" . substr($answer, 4);
}

$pool = new Pool(1, SWOOLE_IPC_SOCKET);
var_dump(@$pool->start());                       // listen first
var_dump($pool->listen("unix:$path"));
var_dump(@$pool->listen("unix:$path"));          // once
$pool->on('workerStart', function (Pool $pool, int $id) use ($path) {
    file_put_contents("$path.starts", "start\n", FILE_APPEND); // the replacement starts while the first still prints
});
$pool->on('message', function (Pool $pool, string $msg) {
    if ($msg === 'detach') {
        var_dump($pool->detach(), @$pool->detach());
    }
    $pool->write("re:");
    var_dump($pool->write(""));
    $pool->write($msg);
    if ($msg === 'quiet') {
        // no answer: the connection is closed
    }
});
$pool->on('start', function (Pool $pool) use ($path) {
    $master = getmypid();
    $pid = pcntl_fork();
    if ($pid === 0) {
        usleep(100000);
        $a = ask($path, 'detach');
        usleep(100000);
        $b = ask($path, 'hello');
        file_put_contents("$path.out", "$a\n$b\n");
        Swoole\Process::kill($master, SIGTERM);
        Swoole\Process::kill(getmypid(), SIGKILL); // a fork of the master: no PHP shutdown here
    }
});
var_dump($pool->start());
pcntl_wait($st);
echo file_get_contents("$path.out");
echo "worker starts: ", count(file("$path.starts")), "\n";
unlink("$path.out");
unlink("$path.starts");
unset($pool); // its master removes the socket file
var_dump(file_exists($path) ? 'socket file left' : 'ok');

$u = new Pool(1, SWOOLE_IPC_UNIXSOCK);
var_dump($u->listen('127.0.0.1', 0), $u->write('x'), $u->detach());
?>
--EXPECTF--
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(false)
bool(false)
bool(true)
9:re:detach
8:re:hello
worker starts: 2
string(2) "ok"

Warning: Swoole\Process\Pool::listen(): unsupported ipc type[1] in %s on line %d

Warning: Swoole\Process\Pool::write(): unsupported ipc type[1] in %s on line %d
bool(false)
bool(false)
bool(false)
