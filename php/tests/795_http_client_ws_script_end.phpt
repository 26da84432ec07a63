--TEST--
Swoole\Http\Client WebSocket in a plain script without swoole_event_wait(): the loop runs at the script's end; the variable is dropped inside on('close')
--EXTENSIONS--
swoole
--SKIPIF--
<?php require __DIR__ . '/ws_client.inc'; wsc_peer_skip(); ?>
--FILE--
<?php
// the peer is started by hand: the helpers' shutdown functions would stop it before the loop runs
$proc = proc_open(['/usr/bin/python3', __DIR__ . '/../../tests/integration/ws_client_peer.py', 'echo-plain'],
                  [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
preg_match('/^port (\d+)/', (string)fgets($pipes[1]), $m);
$c = new Swoole\Http\Client('127.0.0.1', (int)$m[1]);
$c->on('message', function ($c, $f) {
    echo "message: {$f->opcode} {$f->data}\n";
    if ($f->opcode === WEBSOCKET_OPCODE_TEXT) {
        $c->push('close:1001:going');
    }
});
$c->on('close', function ($c) use ($proc, $pipes) {
    echo "close: {$c->errCode}\n";
    unset($GLOBALS['c']);
    proc_terminate($proc, SIGKILL);
    fclose($pipes[1]);
    proc_close($proc);
});
$c->upgrade('/', function ($c) {
    echo "upgraded: {$c->statusCode}\n";
    $c->push('hi');
});
echo "script end\n";
?>
--EXPECTF--
script end
upgraded: 101
message: 1 hi
message: 8 %sgoing
close: 0
