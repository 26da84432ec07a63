--TEST--
Swoole\Http\Client WebSocket inside a Swoole\Http\Server worker: each request upgrades to a WebSocket server, pushes, answers with the echo and closes; a WebSocket that waits does not block the worker (a second request is answered meanwhile)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/ws_client.inc';
require __DIR__ . '/http.inc';
[$wspid, $wsport] = wsc_server();
[$pid, $port] = http_run(SWOOLE_BASE, [], function ($req, $resp) use ($wsport) {
    $uri = $req->server['request_uri'];
    $cli = new Swoole\Http\Client('127.0.0.1', $wsport);
    $got = [];
    $cli->on('message', function ($cli, $f) use (&$got, $resp, $uri) {
        $got[] = $f->opcode . ':' . ($f->opcode === WEBSOCKET_OPCODE_CLOSE ? $f->code : $f->data);
        if ($f->data === "echo $uri") {
            if ($uri === '/slow') { // answered only once /fast has been
                swoole_timer_after(300, function () use ($cli) { $cli->close(); });
            } else {
                $cli->close();
            }
        }
    });
    $cli->on('close', function ($cli) use (&$got, $resp) {
        $resp->end(implode(' | ', array_slice($got, 1)) . ' | closed');
    });
    $cli->upgrade($uri, function ($cli) use ($uri) {
        $cli->push("echo $uri");
    });
    $resp->detach();
});
$a = client($port);
fwrite($a, http_req('GET', '/slow'));
usleep(100000);
$b = http_do($port, 'GET', '/fast');
echo $b['body'], "\n";
$ra = http_read($a);
echo $ra['body'], "\n";
fclose($a);
server_stop($pid);
ws_server_stop($wspid);
?>
--EXPECT--
1:echo /fast | 8:1000 | closed
1:echo /slow | 8:1000 | closed
