--TEST--
Swoole\WebSocket\Server: ping/pong answered by the server, or delivered with open_websocket_ping_frame/_pong_frame; close frames (client close answered, CloseFrame with open_websocket_close_frame, answered by the callback or after it); bad frames closed with 1002/1007
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';

function ws_server(int $mode, array $settings): array {
    return ws_server_run(function () use ($mode, $settings) {
        $s = new Swoole\WebSocket\Server('127.0.0.1', 0, $mode);
        $s->set($settings + ['worker_num' => 1, 'log_level' => 5]);
        $s->on('message', function ($s, $f) {
            $line = get_class($f) . " op={$f->opcode} data=" . bin2hex($f->data);
            if ($f instanceof Swoole\WebSocket\CloseFrame) {
                $line .= " code={$f->code} reason=" . json_encode($f->reason);
            }
            log_line($line);
            if ($f->opcode === WEBSOCKET_OPCODE_PING) {
                $s->push($f->fd, "user:{$f->data}", WEBSOCKET_OPCODE_PONG);
            } elseif ($f->opcode === WEBSOCKET_OPCODE_CLOSE && $f->reason === 'answer me') {
                $s->disconnect($f->fd, WEBSOCKET_CLOSE_GOING_AWAY, 'answered by the callback');
            } elseif ($f->opcode === WEBSOCKET_OPCODE_TEXT) {
                $s->push($f->fd, "echo:{$f->data}");
            }
        });
        return $s;
    });
}

echo "-- default settings (BASE)\n";
[$pid, $port] = ws_server(SWOOLE_BASE, []);
$c = ws_connect($port);
ws_send($c, 'abc', WEBSOCKET_OPCODE_PING);
$f = ws_recv($c);
echo "ping answered: op={$f['opcode']} {$f['data']}\n";
ws_send($c, 'unasked', WEBSOCKET_OPCODE_PONG); /* ignored */
ws_send($c, 'hi');
echo ws_text($c), "\n";
ws_send($c, '', WEBSOCKET_OPCODE_CLOSE); /* no code: an empty close back */
$f = ws_recv($c);
echo "empty close answered: op={$f['opcode']} len=", strlen($f['data']), " ended=", var_export(ws_ended($c), true), "\n";
/* bad frames */
$bad = [
    'reserved opcode 3' => ws_frame('x', 3),
    'ping of 126 bytes' => ws_frame(str_repeat('p', 126), WEBSOCKET_OPCODE_PING),
    'fragmented ping' => ws_frame('p', WEBSOCKET_OPCODE_PING, false),
    'continuation first' => ws_frame('x', WEBSOCKET_OPCODE_CONTINUATION),
    'RSV1 without an extension' => ws_frame('x', WEBSOCKET_OPCODE_TEXT, true, true, 4),
    'close code 1005' => ws_frame(pack('n', 1005), WEBSOCKET_OPCODE_CLOSE),
    'text not UTF-8' => ws_frame("caf\xe9", WEBSOCKET_OPCODE_TEXT),
];
foreach ($bad as $what => $bytes) {
    $c = ws_connect($port);
    fwrite($c, $bytes);
    $f = ws_recv($c);
    echo "$what: ", $f ? "close {$f['code']}" : "(end)", " ended=", var_export(ws_ended($c), true), "\n";
}
echo "stopped: ", ws_server_stop($pid), "\n";
echo log_take();

echo "-- open_websocket_ping_frame, _pong_frame, _close_frame (PROCESS)\n";
[$pid, $port] = ws_server(SWOOLE_PROCESS, ['open_websocket_ping_frame' => true,
    'open_websocket_pong_frame' => true, 'open_websocket_close_frame' => true]);
$c = ws_connect($port);
ws_send($c, 'abc', WEBSOCKET_OPCODE_PING);
$f = ws_recv($c);
echo "ping delivered, the callback's pong: op={$f['opcode']} {$f['data']}\n";
ws_send($c, 'xyz', WEBSOCKET_OPCODE_PONG);
ws_send($c, 'hi');
echo ws_text($c), "\n";
ws_send($c, pack('n', 4001) . 'see you', WEBSOCKET_OPCODE_CLOSE);
echo "unanswered by the callback: ", ws_text($c), ", ended=", var_export(ws_ended($c), true), "\n";
$c = ws_connect($port);
ws_send($c, pack('n', 1000) . 'answer me', WEBSOCKET_OPCODE_CLOSE);
echo "answered by the callback: ", ws_text($c), ", ended=", var_export(ws_ended($c), true), "\n";
echo "stopped: ", ws_server_stop($pid), "\n";
echo log_take();
?>
--EXPECT--
-- default settings (BASE)
ping answered: op=10 abc
echo:hi
empty close answered: op=8 len=0 ended=true
reserved opcode 3: close 1002 ended=true
ping of 126 bytes: close 1002 ended=true
fragmented ping: close 1002 ended=true
continuation first: close 1002 ended=true
RSV1 without an extension: close 1002 ended=true
close code 1005: close 1002 ended=true
text not UTF-8: close 1007 ended=true
stopped: 0
Swoole\WebSocket\Frame op=1 data=6869
-- open_websocket_ping_frame, _pong_frame, _close_frame (PROCESS)
ping delivered, the callback's pong: op=10 user:abc
echo:hi
unanswered by the callback: close 4001 , ended=true
answered by the callback: close 1001 answered by the callback, ended=true
stopped: 0
Swoole\WebSocket\Frame op=9 data=616263
Swoole\WebSocket\Frame op=10 data=78797a
Swoole\WebSocket\Frame op=1 data=6869
Swoole\WebSocket\CloseFrame op=8 data=0fa173656520796f75 code=4001 reason="see you"
Swoole\WebSocket\CloseFrame op=8 data=03e8616e73776572206d65 code=1000 reason="answer me"
