--TEST--
Swoole\Http\Client inside a Swoole\Http\Server worker: each request calls another server with the client and answers with what it got; a slow upstream call does not block the worker (a second request is answered while the first still waits)
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php require __DIR__ . '/http_client.inc'; py_server_skip(); ?>
--FILE--
<?php
require __DIR__ . '/http_client.inc';
require __DIR__ . '/http.inc';
$up = py_server();
[$pid, $port] = http_run(SWOOLE_BASE, [], function ($req, $resp) use ($up) {
    $cli = new Swoole\Http\Client('127.0.0.1', $up);
    $slow = $req->server['request_uri'] === '/slow';
    $cli->set(['timeout' => $slow ? 3 : 5]);
    $cli->get($slow ? '/stall-head' : '/chunked', function ($cli) use ($resp) {
        $resp->end("upstream said {$cli->statusCode}: {$cli->body}");
        $cli->close();
    });
    $resp->detach(); // answered later, from the client's callback (swirl's rule for a later end())
});
$a = client($port);
fwrite($a, http_req('GET', '/slow'));
usleep(100000); // the worker has taken /slow and is waiting for its upstream
$b = http_do($port, 'GET', '/fast');
echo $b['body'], "\n";
$r = [$a];
$w = $e = null;
var_dump(stream_select($r, $w, $e, 0)); // /slow is not answered yet
$ra = http_read($a);
echo $ra['body'], "\n";
fclose($a);
server_stop($pid);
?>
--EXPECT--
upstream said 200: hello chunked world
int(0)
upstream said -2: 
