--TEST--
Swoole\Http\Client WebSocket against Python's websockets server (permessage-deflate, a subprotocol chosen, the server's ping, its close code) and against hostile servers: a wrong accept key, an answer that is not HTTP, a 101 without Upgrade, a masked frame, text that is not UTF-8, a deflate bomb, EOF mid-frame, a server that never answers our close; each ends in the callback or the close event naming it, and the next client still works
--EXTENSIONS--
swoole
--SKIPIF--
<?php require __DIR__ . '/ws_client.inc'; wsc_peer_skip(); ?>
--FILE--
<?php
require __DIR__ . '/ws_client.inc';

$port = wsc_peer('echo');
$c = new Swoole\Http\Client('127.0.0.1', $port);
$c->set(['websocket_compression' => true]);
$c->setHeaders(['Sec-WebSocket-Protocol' => 'x-none, chat']);
$c->on('message', function ($c, $f) {
    echo wsc_frame($f), "\n";
    if ($f->opcode === WEBSOCKET_OPCODE_PING) {
        $c->push(str_repeat('deflated ', 1000));
    } elseif ($f->opcode === WEBSOCKET_OPCODE_TEXT && strlen($f->data) === 9000) {
        $c->push('close:4002:python says bye');
    }
});
$c->on('close', function ($c) { echo "close event\n"; });
$c->upgrade('/py', function ($c) {
    echo "upgrade: ", $c->statusCode, ' protocol=', $c->headers['sec-websocket-protocol'] ?? '-',
        ' deflate=', isset($c->headers['sec-websocket-extensions']) ? 'yes' : 'no', "\n";
    $c->push('hello python');
    $c->push('ping:are you there');
});
swoole_event_wait();

foreach (['bad-accept', 'bad-head', 'no-upgrade', 'masked', 'bad-utf8', 'bomb', 'eof-mid-frame',
          'never-answer-close', 'close-1-byte'] as $mode) {
    $p = wsc_peer($mode);
    $c = new Swoole\Http\Client('127.0.0.1', $p);
    $c->set(['timeout' => 1, 'websocket_compression' => $mode === 'bomb']);
    $c->on('message', function ($c, $f) use ($mode) {
        echo "  $mode: message op={$f->opcode} len=", strlen($f->data), "\n";
        if ($mode === 'never-answer-close') {
            $c->close();
        }
    });
    $c->on('close', function ($c) use ($mode) {
        echo "  $mode: close event errCode=", $c->errCode, ' errMsg=', preg_replace('/:\d+/', ':N', $c->errMsg), "\n";
    });
    $c->upgrade('/', function ($c) use ($mode) {
        echo "$mode: upgrade status=", $c->statusCode, $c->statusCode === 101 ? '' : ' errMsg=' . preg_replace('/:\d+/', ':N', $c->errMsg), "\n";
    });
    swoole_event_wait();
}
echo "done\n";
?>
--EXPECTF--
upgrade: 101 protocol=chat deflate=yes
Swoole\WebSocket\Frame op=1 fin=1 len=12 data=hello python
Swoole\WebSocket\Frame op=9 fin=1 len=13 data=are you there
Swoole\WebSocket\Frame op=1 fin=1 len=9000 data=deflated deflated de...2be9d869bbaeb46ab648fc5b57c35d8c
Swoole\WebSocket\CloseFrame op=8 fin=1 len=17 hex=0fa2707974686f6e code=4002 reason=python says bye
close event
bad-accept: upgrade status=-3 errMsg=websocket ws://127.0.0.1:N/: handshake: Sec-WebSocket-Accept is "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", expected "%s"
  bad-accept: close event errCode=8504 errMsg=websocket ws://127.0.0.1:N/: handshake: Sec-WebSocket-Accept is "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", expected "%s"
bad-head: upgrade status=-3 errMsg=websocket ws://127.0.0.1:N/: handshake: bad response: status line not ended by CRLF
  bad-head: close event errCode=508 errMsg=websocket ws://127.0.0.1:N/: handshake: bad response: status line not ended by CRLF
no-upgrade: upgrade status=-3 errMsg=websocket ws://127.0.0.1:N/: handshake: Upgrade is "", not websocket
  no-upgrade: close event errCode=8504 errMsg=websocket ws://127.0.0.1:N/: handshake: Upgrade is "", not websocket
masked: upgrade status=101
  masked: close event errCode=508 errMsg=websocket ws://127.0.0.1:N/: a masked frame from the server (opcode 1)
bad-utf8: upgrade status=101
  bad-utf8: close event errCode=508 errMsg=websocket ws://127.0.0.1:N/: a text message that is not UTF-8
bomb: upgrade status=101
  bomb: close event errCode=1203 errMsg=websocket ws://127.0.0.1:N/: compressed message: inflated message larger than package_max_length (16777216 bytes)
eof-mid-frame: upgrade status=101
  eof-mid-frame: close event errCode=1005 errMsg=websocket ws://127.0.0.1:N/: the server closed the connection without a close frame
never-answer-close: upgrade status=101
  never-answer-close: message op=1 len=5
  never-answer-close: close event errCode=110 errMsg=websocket ws://127.0.0.1:N/: the server did not answer the close within 1 s
close-1-byte: upgrade status=101
  close-1-byte: close event errCode=508 errMsg=websocket ws://127.0.0.1:N/: a close frame of 1 byte
done
