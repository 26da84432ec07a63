--TEST--
Swoole\Http\Client (swoole_http_client) against a Python server: get, post (an array), execute with setMethod/setData, headers and cookies (the server's join them), keep-alive reuse, chunked and gzip bodies, the close and error events, isConnected, close
--EXTENSIONS--
swoole
--SKIPIF--
<?php require __DIR__ . '/http_client.inc'; py_server_skip(); ?>
--FILE--
<?php
require __DIR__ . '/http_client.inc';
$port = py_server();
var_dump(new swoole_http_client('127.0.0.1', $port) instanceof Swoole\Http\Client);

$cli = new Swoole\Http\Client('127.0.0.1', $port);
$cli->on('close', function ($cli) { echo "close event\n"; });
$cli->setHeaders(['X-Any' => 'one', 'User-Agent' => 'phpt']);
$cli->setCookies(['sid' => 'a b']);
var_dump($cli->isConnected());
$cli->get('/echo?q=1', function ($cli) {
    echo $cli->statusCode, ' ', $cli->body, "\n";
    var_dump($cli->headers['content-length'], $cli->isConnected());
    $cli->post('/echo', ['k' => 'v', 'n' => 2], function ($cli) {
        echo $cli->statusCode, ' ', $cli->body, "\n";
        $cli->setMethod('put');
        $cli->setData('raw body');
        $cli->execute('/echo', function ($cli) {
            echo $cli->body, "\n";
            $cli->get('/chunked', function ($cli) {
                echo $cli->body, "\n";
                $cli->get('/gzip', function ($cli) {
                    echo strlen($cli->body), ' ', substr($cli->body, 0, 16), ' ', $cli->headers['content-encoding'], "\n";
                    $cli->get('/count', function ($cli) {
                        echo "connections seen by the server: ", $cli->body, "\n";
                        // a second request while one is in flight is refused
                        var_dump($cli->get('/stall-head', function ($cli) { echo "stalled: ", $cli->statusCode, "\n"; }));
                        var_dump(@$cli->get('/hello', function () {}));
                        var_dump($cli->isConnected(), $cli->close(), $cli->isConnected());
                    });
                });
            });
        });
    });
});

swoole_event_wait();

// cookies set by the server are sent on the next request
$c2 = new swoole_http_client('127.0.0.1', $port);
$c2->setCookies(['mine' => '1']);
$c2->get('/set-cookie', function ($c) {
    var_dump($c->cookies, $c->set_cookie_headers);
    $c->get('/echo', function ($c) {
        preg_match('/cookie=(.*) ctype/', $c->body, $m);
        echo "sent: $m[1]\n";
        $c->close();
    });
});

swoole_event_wait();

// a connection refused: the error event, then the callback with -1
$bad = new Swoole\Http\Client('127.0.0.1', 1);
$bad->on('error', function ($c) { echo "error event: errCode ", $c->errCode, "\n"; });
$bad->get('/', function ($c) { echo "refused: ", $c->statusCode, ' ', $c->errMsg, "\n"; });
echo "queued\n";
?>
--EXPECTF--
bool(true)
bool(false)
200 GET /echo?q=1 len=0 sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 auth=- cookie=sid=a+b ctype=-
string(3) "118"
bool(true)
200 POST /echo len=7 sha=b4d933eecc5a3cebdd7ab08a1fe63c8279bbe80398859b8996bb2e2ecc72a378 auth=- cookie=sid=a+b ctype=application/x-www-form-urlencoded
PUT /echo len=8 sha=34ad344d8dc929a422ef18f092732486cfa070b8a62035bfaf6bff9e8bd90d1a auth=- cookie=sid=a+b ctype=-
hello chunked world
8000 gzipped gzipped  gzip
connections seen by the server: 1
bool(true)
bool(false)
close event
bool(true)
bool(true)
bool(false)
array(3) {
  ["mine"]=>
  string(1) "1"
  ["session"]=>
  string(6) "abc123"
  ["theme"]=>
  string(4) "dark"
}
array(2) {
  [0]=>
  string(32) "session=abc123; Path=/; HttpOnly"
  [1]=>
  string(10) "theme=dark"
}
sent: mine=1; session=abc123; theme=dark
queued
error event: errCode 111
refused: -1 GET http://127.0.0.1:1/: connect: connect to 127.0.0.1:1: %s
