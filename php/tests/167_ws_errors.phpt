--TEST--
Swoole\WebSocket\Server errors: no message callback (Swoole's fatal error), bad push/disconnect input (each a warning naming it, and false), a gone connection (false, quietly), exceptions in open and message (a warning, close 1011, the worker goes on), push of a CloseFrame or a close payload
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';

/* no message callback: Swoole's fatal error (in a child) */
$proc = new Swoole\Process(function () {
    (new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_BASE))->start();
}, true, 1 /* SOCK_STREAM */, false);
$proc->start();
$r = Swoole\Process::wait();
echo "exit {$r['code']}: ", trim($proc->read()), "\n";
$s = new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_BASE);
try {
    $s->on('handshake', 'no such function');
} catch (TypeError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
unset($s);

[$pid, $port] = ws_server_run(function () {
    $s = new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_level' => 5]);
    set_error_handler(function ($no, $str) {
        log_line("warning: $str");
        return true;
    });
    $s->on('request', function ($req, $resp) {
        $resp->end((string)$req->fd);
    });
    $s->on('open', function ($s, $req) {
        if ($req->server['request_uri'] === '/throw') {
            throw new LogicException("open failed");
        }
    });
    $s->on('message', function ($s, $f) {
        $fd = $f->fd;
        if ($f->data === 'boom') {
            throw new RuntimeException("message failed");
        } elseif (str_starts_with($f->data, 'bad:')) {
            $http = (int)substr($f->data, 4);
            $r = [
                'opcode 3' => $s->push($fd, 'x', 3),
                'opcode 99' => $s->push($fd, 'x', 99),
                'ping of 126' => $s->push($fd, str_repeat('p', 126), WEBSOCKET_OPCODE_PING),
                'fragmented ping' => $s->push($fd, 'p', WEBSOCKET_OPCODE_PING, false),
                'close payload of 1 byte' => $s->push($fd, 'x', WEBSOCKET_OPCODE_CLOSE),
                'push to plain HTTP' => $s->push($http, 'x'),
                'isEstablished plain HTTP' => $s->isEstablished($http),
                'code 1005' => $s->disconnect($fd, 1005),
                'code 999' => $s->disconnect($fd, 999),
                'code 70000' => $s->disconnect($fd, 70000),
                'reason of 124' => $s->disconnect($fd, 1000, str_repeat('r', 124)),
                'reason not UTF-8' => $s->disconnect($fd, 1000, "caf\xe9"),
                'disconnect plain HTTP' => $s->disconnect($http),
                'disconnect gone' => $s->disconnect(999999999),
                'push gone' => $s->push(999999999, 'x'),
                'exist gone' => $s->exist(999999999),
                'still established' => $s->isEstablished($fd),
            ];
            $s->push($fd, json_encode($r, JSON_PRETTY_PRINT));
        } elseif ($f->data === 'closeframe') {
            $c = new Swoole\WebSocket\CloseFrame;
            $c->code = 4321;
            $c->reason = 'by frame';
            $s->push($fd, $c);
        } elseif ($f->data === 'closeraw') {
            $s->push($fd, pack('n', 4322) . 'raw', WEBSOCKET_OPCODE_CLOSE);
        } else {
            $s->push($fd, "pid " . getmypid());
        }
    });
    return $s;
});

$c = ws_connect($port);
ws_send($c, 'pid');
$worker = ws_text($c);
$h = client($port);
fwrite($h, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
[, $hdr] = ws_read_head($h);
$httpfd = (int)fread($h, (int)$hdr['content-length']);
ws_send($c, "bad:$httpfd");
echo ws_text($c), "\n";

echo "-- an exception in open\n";
$t = ws_connect($port, '/throw');
echo ws_text($t), "\n";
ws_send($t, pack('n', 1011), WEBSOCKET_OPCODE_CLOSE);
echo "ended: ", var_export(ws_ended($t), true), "\n";
echo "-- an exception in message\n";
ws_send($c, 'boom');
echo ws_text($c), "\n";
ws_send($c, pack('n', 1011), WEBSOCKET_OPCODE_CLOSE);
echo "ended: ", var_export(ws_ended($c), true), "\n";
$c = ws_connect($port);
ws_send($c, 'pid');
echo "the same worker goes on: ", var_export(ws_text($c) === $worker, true), "\n";
echo "-- close by push\n";
ws_send($c, 'closeframe');
echo ws_text($c), "\n";
$c = ws_connect($port);
ws_send($c, 'closeraw');
echo ws_text($c), "\n";
fclose($h);
usleep(200000);
echo "stopped: ", ws_server_stop($pid), "\n";
echo log_take();
?>
--EXPECTF--
exit 255: Fatal error: Swoole\Server::start(): require onMessage callback in %s on line %d
TypeError: Swoole\Server::on(): Argument #2 ($callback) must be a valid callback, function "no such function" not found or invalid function name
{
    "opcode 3": false,
    "opcode 99": false,
    "ping of 126": false,
    "fragmented ping": false,
    "close payload of 1 byte": false,
    "push to plain HTTP": false,
    "isEstablished plain HTTP": false,
    "code 1005": false,
    "code 999": false,
    "code 70000": false,
    "reason of 124": false,
    "reason not UTF-8": false,
    "disconnect plain HTTP": false,
    "disconnect gone": false,
    "push gone": false,
    "exist gone": false,
    "still established": true
}
-- an exception in open
close 1011 
ended: true
-- an exception in message
close 1011 
ended: true
the same worker goes on: true
-- close by push
close 4321 by frame
close 4322 raw
stopped: 0
warning: Swoole\WebSocket\Server::push(): push to connection %d: opcode 3 is not a WebSocket opcode (WEBSOCKET_OPCODE_*)
warning: Swoole\WebSocket\Server::push(): push to connection %d: opcode 99 is not a WebSocket opcode (WEBSOCKET_OPCODE_*)
warning: Swoole\WebSocket\Server::push(): push to connection %d: a control frame (opcode 9) has at most 125 bytes, not 126
warning: Swoole\WebSocket\Server::push(): push to connection %d: a control frame (opcode 9) is never fragmented
warning: Swoole\WebSocket\Server::push(): push to connection %d: a close payload is empty or starts with a 2-byte code, not 1 byte
warning: Swoole\WebSocket\Server::push(): websocket: push to connection %d: not an established WebSocket (status 1)
warning: Swoole\WebSocket\Server::disconnect(): close code 1005 is not one to send (1000-1003, 1007-1011, 3000-4999)
warning: Swoole\WebSocket\Server::disconnect(): close code 999 is not one to send (1000-1003, 1007-1011, 3000-4999)
warning: Swoole\WebSocket\Server::disconnect(): close code 70000 is not one to send (1000-1003, 1007-1011, 3000-4999)
warning: Swoole\WebSocket\Server::disconnect(): the close reason has 124 bytes: at most 123
warning: Swoole\WebSocket\Server::disconnect(): the close reason must be UTF-8 text without NUL bytes
warning: Swoole\WebSocket\Server::disconnect(): websocket: disconnect %d: not an established WebSocket (status 1)
warning: Swoole\Server::start(): Uncaught LogicException in the open callback: open failed in %s167_ws_errors.php:%d
warning: Swoole\Server::start(): Uncaught RuntimeException in the message callback: message failed in %s167_ws_errors.php:%d
