--TEST--
Swoole\Http\Client WebSocket attacked: a server that stops reading (push fails with errCode once the bounded buffer is full, the loop goes on), frames right behind the 101 with a ping between fragments, a close before the 101 ends, a forked child's push and the child's end leave the parent's connection alone, an exception in the upgrade callback
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php require __DIR__ . '/ws_client.inc'; wsc_peer_skip(); ?>
--FILE--
<?php
require __DIR__ . '/ws_client.inc';

// a server that never reads: pushes fill the bounded send buffer, then fail
$c = new Swoole\Http\Client('127.0.0.1', wsc_peer('no-read'));
$c->set(['timeout' => 1]);
$c->on('message', function () {});
$c->on('close', function ($c) { echo "no-read: close event errCode=", $c->errCode, "\n"; });
$c->upgrade('/', function ($c) {
    $chunk = str_repeat('x', 1 << 20);
    for ($i = 0; $i < 200 && $c->push($chunk, WEBSOCKET_OPCODE_BINARY); $i++);
    echo "no-read: refused after some MiB: errCode=", $c->errCode, ' ', $i > 0 && $i < 200 ? 'bounded' : "not bounded ($i)", "\n";
    var_dump($c->isConnected(), $c->close());
});
swoole_event_wait();

// frames behind the 101 in the same packet, a ping between fragments
$c = new Swoole\Http\Client('127.0.0.1', wsc_peer('welcome-behind-101'));
$c->on('message', function ($c, $f) {
    echo '  ', wsc_frame($f), "\n";
    if ($f->opcode === WEBSOCKET_OPCODE_BINARY) {
        $c->close();
    }
});
$c->on('close', function ($c) { echo "behind: close event\n"; });
$c->upgrade('/', function ($c) { echo "behind: upgraded ", $c->statusCode, "\n"; });
swoole_event_wait();

// the connection closes in the middle of the 101
$c = new Swoole\Http\Client('127.0.0.1', wsc_peer('close-before-101'));
$c->on('message', function () {});
$c->on('close', function ($c) { echo "cut 101: close event\n"; });
$c->upgrade('/', function ($c) { echo "cut 101: status=", $c->statusCode, ' ', preg_replace('/:\d+/', ':N', $c->errMsg), "\n"; });
swoole_event_wait();

// a forked child cannot use the parent's WebSocket; its end leaves it open
$c = new Swoole\Http\Client('127.0.0.1', wsc_peer('echo-plain'));
$c->on('message', function ($c, $f) {
    echo "fork: message ", $f->opcode, $f->opcode === 1 ? " $f->data" : '', "\n";
    if ($f->data === 'before') {
        $file = sys_get_temp_dir() . '/swirl-796-' . getmypid();
        $pid = pcntl_fork();
        if ($pid === 0) {
            $ok = @$c->push('from the child');
            file_put_contents($file, var_export([$ok, $c->errCode], true));
            exit(0);
        }
        pcntl_waitpid($pid, $st);
        echo "fork: child said ", str_replace("\n", '', file_get_contents($file)), "\n";
        unlink($file);
        $c->push('after');
    } elseif ($f->data === 'after') {
        $c->close();
    }
});
$c->on('close', function ($c) { echo "fork: close event\n"; });
$c->upgrade('/', function ($c) { $c->push('before'); });
swoole_event_wait();

// an exception in the upgrade callback stops the loop; close() ends the WebSocket after
$c = new Swoole\Http\Client('127.0.0.1', wsc_peer('echo-plain'));
$c->on('message', function ($c, $f) { echo "exc: message ", $f->opcode, "\n"; });
$c->on('close', function ($c) { echo "exc: close event\n"; });
$c->upgrade('/', function ($c) { throw new LogicException('thrown in upgrade'); });
try {
    swoole_event_wait();
} catch (LogicException $e) {
    echo "caught: ", $e->getMessage(), "\n";
}
var_dump($c->close());
swoole_event_wait();
echo "done\n";
?>
--EXPECTF--
no-read: refused after some MiB: errCode=1009 bounded
bool(true)
bool(true)
no-read: close event errCode=110
behind: upgraded 101
  Swoole\WebSocket\Frame op=1 fin=1 len=3 data=one
  Swoole\WebSocket\Frame op=9 fin=1 len=3 data=mid
  Swoole\WebSocket\Frame op=2 fin=1 len=3 hex=74776f
  Swoole\WebSocket\CloseFrame op=8 fin=1 len=2 hex=03e8 code=1000 reason=
behind: close event
cut 101: status=-3 websocket ws://127.0.0.1:N/: handshake: the server closed the connection before its answer
cut 101: close event
fork: message 1 before
fork: child said array (  0 => false,  1 => 8503,)
fork: message 1 after
fork: message 8
fork: close event
caught: thrown in upgrade
bool(true)
exc: message 8
exc: close event
done
