--TEST--
Swoole\Http\Client WebSocket faults: the server's close (code, reason), a server that drops the connection, push before upgrade and after the end, upgrade without on('message'), a bad opcode and text that is not UTF-8, a refused upgrade (403: statusCode, headers, errCode 8504), a refused connect and an unresolvable name (-1, the error event), a bad host, a handshake timeout (-2), close() while upgrading
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/ws_client.inc';
set_error_handler(function ($no, $str) { echo "warning: $str\n"; return true; });
[$pid, $port] = wsc_server([], true);
[$pid2, $port2] = wsc_server();

function show($c, $what) {
    echo "$what: status=", $c->statusCode, ' errCode=', $c->errCode, ' errMsg=', $c->errMsg, "\n";
}
function wclient(int $port, string $host = '127.0.0.1') {
    $c = new Swoole\Http\Client($host, $port);
    $c->on('message', function ($c, $f) { echo '  ', wsc_frame($f), "\n"; });
    $c->on('close', function ($c) { echo "  close event (errCode ", $c->errCode, ")\n"; });
    $c->on('error', function ($c) { echo "  error event (errCode ", $c->errCode, ")\n"; });
    return $c;
}

// push before upgrade, upgrade without a message callback
$c = new Swoole\Http\Client('127.0.0.1', $port2);
var_dump($c->push('x'), $c->errCode);
var_dump($c->upgrade('/', function () {}));

// the server closes with a code and a reason
$c = wclient($port2);
$c->upgrade('/a', function ($c) {
    show($c, 'upgraded');
    var_dump($c->push('x', 99), $c->errCode);
    var_dump($c->push("\xff\xfe"), $c->errCode);
    var_dump($c->push('close:4001:bye now'));
});
swoole_event_wait();
var_dump($c->push('after'), $c->errCode, $c->isConnected());

// the server drops the connection without a close frame
$c = wclient($port2);
$c->upgrade('/b', function ($c) { $c->push('bye'); });
swoole_event_wait();
echo strpos($c->errMsg, 'ws://127.0.0.1:') !== false ? "errMsg names the URL\n" : "errMsg: {$c->errMsg}\n";

// the upgrade is refused
$c = wclient($port);
$c->upgrade('/deny', function ($c) {
    show($c, 'refused');
    var_dump($c->headers['x-why'], $c->isConnected());
    var_dump($c->push('x'), $c->errCode);
});
swoole_event_wait();

// nothing listens; a name that does not resolve; a bad host
$s = stream_socket_server('tcp://127.0.0.1:0');
$free = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
fclose($s);
$c = wclient($free);
$c->upgrade('/', function ($c) { echo "refused: ", $c->statusCode, ' ', $c->errCode === 111 ? 'ECONNREFUSED' : $c->errCode, "\n"; });
swoole_event_wait();
$c = wclient(80, 'no-such-host.invalid');
$c->upgrade('/', function ($c) { echo "unresolvable: ", $c->statusCode, ' ', $c->errMsg !== '' ? 'errMsg set' : '', "\n"; });
swoole_event_wait();
$c = wclient(80, 'bad host!');
var_dump($c->upgrade('/', function ($c) { echo "never\n"; }), $c->errCode > 0);

// a server that accepts and never answers: the handshake times out
$mute = stream_socket_server('tcp://127.0.0.1:0');
$mport = (int)substr(strrchr(stream_socket_get_name($mute, false), ':'), 1);
$c = wclient($mport);
$c->set(['timeout' => 0.3]);
$c->upgrade('/', function ($c) { echo "timeout: ", $c->statusCode, ' ', $c->errCode === 110 ? 'ETIMEDOUT' : $c->errCode, "\n"; });
swoole_event_wait();

// close() while the upgrade is under way: no upgrade callback, the close event
$c = wclient($mport);
$c->upgrade('/', function ($c) { echo "never\n"; });
var_dump($c->close(), $c->isConnected(), $c->close());
swoole_event_wait();
fclose($mute);
ws_server_stop($pid2); // its exit kills the first server too (inherited helper state)
ws_server_stop($pid);
echo "done\n";
?>
--EXPECTF--
warning: Swoole\Http\Client::push(): not connected to the server
bool(false)
int(8503)
warning: Swoole\Http\Client::upgrade(): cannot use the upgrade method, must first register the onMessage event callback.
bool(false)
upgraded: status=101 errCode=0 errMsg=
warning: Swoole\Http\Client::push(): push: opcode 99 is not a WEBSOCKET_OPCODE_* one
bool(false)
int(8502)
warning: Swoole\Http\Client::push(): push: websocket ws://127.0.0.1:%d/a: send: a text message must be UTF-8
bool(false)
int(505)
bool(true)
  Swoole\WebSocket\Frame op=1 fin=1 len=66 data={"uri":"\/a?","x":null,"cookie":null,"proto":null,"deflate":false}
  Swoole\WebSocket\CloseFrame op=8 fin=1 len=9 hex=0fa1627965206e6f code=4001 reason=bye now
  close event (errCode 0)
warning: Swoole\Http\Client::push(): not connected to the server
bool(false)
int(8503)
bool(false)
  Swoole\WebSocket\Frame op=1 fin=1 len=66 data={"uri":"\/b?","x":null,"cookie":null,"proto":null,"deflate":false}
  close event (errCode 1005)
errMsg names the URL
refused: status=403 errCode=8504 errMsg=websocket ws://127.0.0.1:%d/deny: handshake: the server answered 403 Forbidden, not 101 Switching Protocols
string(6) "denied"
bool(false)
warning: Swoole\Http\Client::push(): websocket handshake failed, cannot push data.
bool(false)
int(8504)
  close event (errCode 8504)
  error event (errCode 111)
refused: -1 ECONNREFUSED
  error event (errCode 722)
unresolvable: -1 errMsg set
warning: Swoole\Http\Client::upgrade(): websocket client: URL "ws://bad host!:80/": byte 0x20 at 8 (a URL is visible ASCII)
bool(false)
bool(true)
timeout: -2 ETIMEDOUT
  close event (errCode 110)
  close event (errCode 0)
bool(true)
bool(false)
bool(false)
done
