--TEST--
Swoole\Http\Client misuse: a callback that cannot be called is a TypeError (no request starts); a post() refused while a request is in flight leaves no body for the next request; a host that would end the URL's host early ("h/x?", "::1]:1/x[") is refused; an exception thrown from a callback leaves the client usable; close() and a new request from inside a callback; the object dropped mid-request still gets its callback once
--EXTENSIONS--
swoole
--SKIPIF--
<?php require __DIR__ . '/http_client.inc'; py_server_skip(); ?>
--FILE--
<?php
require __DIR__ . '/http_client.inc';
$port = py_server();

// a callback that cannot be called: refused at once, nothing started
$c = new Swoole\Http\Client('127.0.0.1', $port);
foreach (['get' => ['/hello', 'no_such_function'], 'post' => ['/echo', 'x', 42],
          'execute' => ['/hello', [$c, 'nope']], 'download' => ['/hello', '/tmp/never', 'nope']] as $m => $args) {
    try {
        var_dump($c->$m(...$args));
    } catch (TypeError $e) {
        echo $m, ': ', $e->getMessage(), "\n";
    }
}
var_dump($c->isConnected());

// a post() refused (a request in flight) sets nothing for the next one
$c->get('/hello', function ($c) {
    echo "first: ", $c->body, "\n";
    $c->get('/echo', function ($c) {
        echo "next: ", explode(' sha=', $c->body)[0], "\n";
        $c->close();
    });
});
var_dump(@$c->post('/echo', 'SECRET BODY', function () { echo "never\n"; }));
swoole_event_wait();

// a host that would end the URL's host early
foreach (['127.0.0.1/evil?', '::1]:1/x[', "127.0.0.1#", 'user@127.0.0.1'] as $h) {
    $b = new Swoole\Http\Client($h, $port);
    var_dump(@$b->get('/hello', function () { echo "never\n"; }));
    echo $b->errMsg, "\n";
}
$b = new Swoole\Http\Client('127.0.0.1', $port);
$b->host = '127.0.0.1/x?';
var_dump(@$b->get('/hello', function () { echo "never\n"; }));
$b->host = '127.0.0.1';
$b->set(['http_proxy_host' => "127.0.0.1:$port/x?", 'http_proxy_port' => 1]);
var_dump(@$b->get('/hello', function () { echo "never\n"; }));
echo $b->errMsg, "\n";

// an exception from a callback goes out of the loop; the client still works
$e = new Swoole\Http\Client('127.0.0.1', $port);
$e->on('close', function () { echo "on close\n"; });
$e->get('/hello', function ($e) {
    echo "before the throw: ", $e->body, "\n";
    throw new RuntimeException('thrown from the callback');
});
try {
    swoole_event_wait();
} catch (RuntimeException $x) {
    echo "caught: ", $x->getMessage(), "\n";
}
$e->get('/hello', function ($e) {
    echo "after the throw: ", $e->body, "\n";
    $e->close();
    // close() then a request, inside the callback
    $e->get('/chunked', function ($e) {
        echo "after close inside: ", $e->body, "\n";
        $e->close();
    });
});
swoole_event_wait();

// the object dropped while its request is in flight: its callback, once
$d = new Swoole\Http\Client('127.0.0.1', $port);
$d->set(['timeout' => 0.3]);
$d->get('/stall-head', function ($d) { echo "dropped: ", $d->statusCode, "\n"; });
$d = null;
swoole_event_wait();
echo "done\n";
?>
--EXPECTF--
get: Swoole\Http\Client::get(): Argument #2 ($callback) must be a valid callback
post: Swoole\Http\Client::post(): Argument #3 ($callback) must be a valid callback
execute: Swoole\Http\Client::execute(): Argument #2 ($callback) must be a valid callback
download: Swoole\Http\Client::download(): Argument #3 ($callback) must be a valid callback
bool(false)
bool(false)
first: hello
next: GET /echo len=0
bool(false)
host is not a host name or address
bool(false)
host is not a host name or address
bool(false)
host is not a host name or address
bool(false)
host is not a host name or address
bool(false)
bool(false)
http_proxy_host is not a host name or address
before the throw: hello
caught: thrown from the callback
after the throw: hello
on close
after close inside: hello chunked world
on close
dropped: -2
done
