--TEST--
Swoole\Http\Client WebSocket lifetime: the variable dropped while open (callbacks still run, then the object goes), upgrade twice (refused while one lives, again after the end), a get() while upgraded, an exception in on('message') (stops the loop, nothing leaks)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/ws_client.inc';
set_error_handler(function ($no, $str) { echo "warning: $str\n"; return true; });
[$pid, $port] = wsc_server();

class Probe { function __destruct() { echo "object gone\n"; } }
class MyClient extends Swoole\Http\Client { public $probe; }

// dropped while open: the object stays until the end, then goes
(function () use ($port) {
    $c = new MyClient('127.0.0.1', $port);
    $c->probe = new Probe;
    $c->on('message', function ($c, $f) {
        echo "message op={$f->opcode}\n";
        if ($f->opcode === WEBSOCKET_OPCODE_TEXT && $f->data === 'x') {
            var_dump($c->upgrade('/again', function () {}));
            var_dump($c->get('/', function () {}));
            $c->push('close:1000:ok');
        }
    });
    $c->on('close', function ($c) { echo "close 1\n"; });
    $c->upgrade('/', function ($c) { $c->push('x'); });
})();
echo "dropped\n";
swoole_event_wait();
echo "after wait\n";

// the same object upgrades again after the end
$c = new Swoole\Http\Client('127.0.0.1', $port);
$round = 0;
$c->on('message', function ($c, $f) use (&$round) {
    if ($f->opcode === WEBSOCKET_OPCODE_TEXT && $f->data === 'again') {
        $c->push("close:1000:round $round");
    }
});
$c->on('close', function ($c) use (&$round, $port) {
    echo "close round $round\n";
    if (++$round < 3) {
        var_dump($c->upgrade('/', function ($c) { $c->push('again'); }));
    }
});
$c->upgrade('/', function ($c) { $c->push('again'); });
swoole_event_wait();
unset($c);

// an exception in on('message') stops the loop; the client is closed by close()
$c = new Swoole\Http\Client('127.0.0.1', $port);
$c->on('message', function ($c, $f) {
    static $once = false;
    echo "message op={$f->opcode}\n";
    if (!$once) {
        $once = true;
        throw new RuntimeException('boom in message');
    }
});
$c->upgrade('/', function ($c) {});
try {
    swoole_event_wait();
} catch (RuntimeException $e) {
    echo "caught: ", $e->getMessage(), "\n";
}
var_dump($c->isConnected(), $c->close());
swoole_event_wait(); // the close handshake ends
var_dump($c->isConnected());
unset($c);

ws_server_stop($pid);
echo "done\n";
?>
--EXPECT--
dropped
message op=1
message op=1
warning: Swoole\Http\Client::upgrade(): a request is already in flight on this client
bool(false)
warning: Swoole\Http\Client::get(): a request is already in flight on this client
bool(false)
message op=8
close 1
object gone
after wait
close round 0
bool(true)
close round 1
bool(true)
close round 2
message op=1
caught: boom in message
bool(true)
bool(true)
message op=8
bool(false)
done
