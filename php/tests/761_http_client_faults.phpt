--TEST--
Swoole\Http\Client faults: a timeout (-2), a reply that breaks HTTP and a server gone mid-body (-3, errMsg naming them), each followed by a good request on the same client; download to a file (and no partial file on failure); addFile uploads a file as multipart; bad arguments
--EXTENSIONS--
swoole
--SKIPIF--
<?php require __DIR__ . '/http_client.inc'; py_server_skip(); ?>
--FILE--
<?php
require __DIR__ . '/http_client.inc';
$port = py_server();

function step(Swoole\Http\Client $c, string $path, callable $then, float $timeout = -1) {
    if ($timeout > 0) {
        $c->set(['timeout' => $timeout]);
    }
    $c->get($path, function ($c) use ($path, $then) {
        echo "$path: ", $c->statusCode, ' ', $c->errCode ? 'errCode set ' : '', $c->errMsg ?: $c->body, "\n";
        $then($c);
    });
}

$c = new Swoole\Http\Client('127.0.0.1', $port);
step($c, '/stall-head', function ($c) {
    $c->set(['timeout' => 5]);
    step($c, '/hello', function ($c) {
        step($c, '/garbage', function ($c) {
            step($c, '/truncated', function ($c) {
                step($c, '/bad-chunk', function ($c) {
                    step($c, '/hello', function ($c) { $c->close(); });
                });
            });
        });
    });
}, 0.3);
swoole_event_wait();

// download: the body goes to the file, not to ->body
$file = sys_get_temp_dir() . '/swirl-761-' . getmypid();
$d = new swoole_http_client('127.0.0.1', $port);
var_dump($d->download('/gzip-chunked', $file, function ($d) use ($file) {
    echo "download: ", $d->statusCode, ' ', strlen($d->body), ' ', filesize($file), ' ', $d->downloadFile === $file ? 'same file' : 'other', "\n";
    $d->download('/truncated', $file, function ($d) use ($file) {
        clearstatcache();
        echo "failed download: ", $d->statusCode, ' ', file_exists($file) ? 'file left' : 'no file', "\n";
        $d->close();
    });
}));
swoole_event_wait();

// addFile: multipart/form-data with the fields of post()
$up = sys_get_temp_dir() . '/swirl-761-up-' . getmypid();
file_put_contents($up, str_repeat("0123456789", 100000));
$u = new swoole_http_client('127.0.0.1', $port);
var_dump($u->addFile($up, 'upload', 'text/plain', 'data.txt'));
var_dump(@$u->addFile('/nonexistent/file', 'x'));
$u->post('/echo', ['note' => 'hi'], function ($u) {
    preg_match('/^(\w+) \S+ len=(\d+) .* ctype=(.*)$/', $u->body, $m);
    echo "upload: $m[1] ", $m[2] > 1000000 ? 'len > file' : "len $m[2]", ' ', explode(';', $m[3])[0], "\n";
    $u->close();
});
swoole_event_wait();
unlink($up);

// bad arguments
try {
    new Swoole\Http\Client('127.0.0.1', 70000);
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$b = new Swoole\Http\Client('bad host name', 80);
var_dump(@$b->get('/', function () { echo "never\n"; }));
echo $b->errMsg, "\n";
$b->setHeaders(["X-Bad" => "a\r\nInjected: 1"]);
$b2 = new Swoole\Http\Client('127.0.0.1', $port);
$b2->setHeaders(["X-Bad" => "a\r\nInjected: 1"]);
var_dump(@$b2->get('/', function () { echo "never\n"; }));
echo $b2->errMsg, "\n";
var_dump(@$b2->on('nope', function () {}));
var_dump(@$b2->download('/x', '/tmp/x', function () {}, 10));
echo "done\n";
?>
--EXPECTF--
/stall-head: -2 errCode set GET http://127.0.0.1:%d/stall-head: no response head within 0.3 s (head_timeout)
/hello: 200 hello
/garbage: -3 errCode set GET http://127.0.0.1:%d/garbage: malformed response head: malformed HTTP version
/truncated: -3 errCode set GET http://127.0.0.1:%d/truncated: the server closed the connection mid-body (9 body bytes read)
/bad-chunk: -3 errCode set GET http://127.0.0.1:%d/bad-chunk: malformed chunked body: missing chunk size
/hello: 200 hello
bool(true)
download: 200 0 65000 same file
failed download: -3 no file
bool(true)
bool(false)
upload: POST len > file multipart/form-data
ValueError: Swoole\Http\Client::__construct(): Argument #2 ($port) must be between 1 and 65535
bool(false)
URL "http://bad host name:80/": invalid character in the host
bool(false)
header "X-Bad": control character in the value
bool(false)
bool(false)
done
