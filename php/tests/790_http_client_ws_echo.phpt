--TEST--
Swoole\Http\Client WebSocket against swirl's WebSocket\Server: upgrade (statusCode 101, headers), setHeaders/setCookies and Sec-WebSocket-Protocol on the upgrade request, push text/binary/fragments/ping, 70 000 bytes with websocket_compression, Frame objects to on('message'), close() doing the close handshake (the server's CloseFrame, then close once)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/ws_client.inc';
[$pid, $port] = wsc_server(['websocket_compression' => true]);

$big = str_repeat('swirl compresses this well. ', 2500);
$cli = new Swoole\Http\Client('127.0.0.1', $port);
$cli->set(['websocket_compression' => true, 'timeout' => 5]);
$cli->setHeaders(['X-Test' => 'yes', 'Sec-WebSocket-Protocol' => 'chat, superchat']);
$cli->setCookies(['sid' => 'a b']);
$n = 0;
$cli->on('message', function (swoole_http_client $cli, Swoole\WebSocket\Frame $frame) use (&$n, $big) {
    echo wsc_frame($frame), "\n";
    if ($frame->opcode === WEBSOCKET_OPCODE_TEXT && strlen($frame->data) === strlen($big)) {
        var_dump($frame->data === $big);
    }
    if (++$n === 6) {
        var_dump($cli->close(), $cli->isConnected(), $cli->close());
        var_dump(@$cli->push('late'), $cli->errCode);
    }
});
$cli->on('close', function ($cli) { echo "close event\n"; });
var_dump($cli->upgrade('/chat?room=1', function ($cli) use ($big) {
    echo "upgrade: ", $cli->statusCode, ' ', $cli->headers['upgrade'], ' ', isset($cli->headers['sec-websocket-accept']) ? 'accept' : '-', "\n";
    var_dump($cli->isConnected(), $cli->errCode);
    var_dump($cli->push('hello'));
    var_dump($cli->push("\x00\x01\xff", WEBSOCKET_OPCODE_BINARY));
    var_dump($cli->push('ab', WEBSOCKET_OPCODE_TEXT, false));
    var_dump($cli->push('cd', WEBSOCKET_OPCODE_CONTINUATION, true));
    var_dump($cli->push('p1', WEBSOCKET_OPCODE_PING));
    var_dump($cli->push($big));
}));
swoole_event_wait();
echo "done\n";
ws_server_stop($pid);
?>
--EXPECT--
bool(true)
upgrade: 101 websocket accept
bool(true)
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
Swoole\WebSocket\Frame op=1 fin=1 len=97 data={"uri":"\/chat?room=1","x":"yes","cookie":{"sid":"a+b"},"proto":"chat, superchat","deflate":true}
Swoole\WebSocket\Frame op=1 fin=1 len=5 data=hello
Swoole\WebSocket\Frame op=2 fin=1 len=3 hex=0001ff
Swoole\WebSocket\Frame op=1 fin=1 len=4 data=abcd
Swoole\WebSocket\Frame op=10 fin=1 len=2 data=p1
Swoole\WebSocket\Frame op=1 fin=1 len=70000 data=swirl compresses thi...8ccfb9463be9ffea56b941274ba2d0f8
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
int(8503)
Swoole\WebSocket\CloseFrame op=8 fin=1 len=2 hex=03e8 code=1000 reason=
close event
done
