--TEST--
Swoole\Client SWOOLE_SOCK_ASYNC on the event loop: connect, receive (one message per call), close in order; error on a refused port; a close by the server; the object lives while connected and is collected after; close while connecting; a throwing callback; a forked child; inside a server worker; the loop run at the end of the script
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';
[$pid, $port] = client_server();

$log = [];
function async_client(array &$log, string $tag): Swoole\Client {
    $c = new Swoole\Client(SWOOLE_SOCK_TCP, SWOOLE_SOCK_ASYNC);
    $c->set(['open_eof_split' => true, 'package_eof' => "\r\n"]);
    $c->on('connect', function (Swoole\Client $cli) use (&$log, $tag) {
        $log[] = "$tag connect " . var_export($cli->isConnected(), true) . ' sock ' . var_export($cli->sock > 2, true);
    });
    $c->on('Receive', function (Swoole\Client $cli, string $data) use (&$log, $tag) {
        $log[] = "$tag receive " . json_encode($data);
    });
    $c->on('onError', function (Swoole\Client $cli) use (&$log, $tag) {
        $log[] = "$tag error {$cli->errCode} " . var_export($cli->isConnected(), true);
    });
    $c->on('close', function (Swoole\Client $cli) use (&$log, $tag) {
        $log[] = "$tag close " . var_export($cli->isConnected(), true) . ' sock ' . $cli->sock;
    });
    return $c;
}

// 1. connect, receive, close, in order; the script drops its variable at once
$c = async_client($log, 'A');
$c->on('connect', function ($cli) use (&$log) { $log[] = 'A connect'; $cli->send("eof3\n"); });
$c->on('receive', function ($cli, $data) use (&$log) {
    $log[] = 'A receive ' . json_encode($data);
    if ($data === "ccc\r\n") {
        $cli->close();
        $log[] = 'A closed';
    }
});
var_dump($c->connect('127.0.0.1', $port, 2.0), $c->isConnected());
$weak = WeakReference::create($c);
unset($c);
$log[] = 'A connect returned';
var_dump($weak->get() !== null);   // alive: connected in the loop
swoole_event_wait();
var_dump($weak->get());            // gone once closed
echo implode("\n", $log), "\n\n";

// 2. refused: the error callback, no close; then the object goes
$log = [];
$s = stream_socket_server('tcp://127.0.0.1:0', $e, $es, STREAM_SERVER_BIND);
$refused = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
$c = async_client($log, 'B');
var_dump($c->connect('127.0.0.1', $refused, 2.0));
$weak = WeakReference::create($c);
unset($c);
swoole_event_wait();
fclose($s);
var_dump($weak->get());
echo implode("\n", $log), "\n\n";

// 3. the server closes (a name resolved in the loop); a callback that
// uses the client itself is a cycle the collector sees
$log = [];
$c = async_client($log, 'C');
$c->on('connect', function ($cli) use (&$log, &$c) { $log[] = 'C connect, self ' . var_export($cli === $c, true); $cli->send("close\n"); });
var_dump($c->connect('localhost', $port, 2.0));
swoole_event_wait();
$weak = WeakReference::create($c);
unset($c);
var_dump($weak->get() !== null, gc_collect_cycles() > 0, $weak->get());
echo implode("\n", $log), "\n\n";

// 4. closed while connecting: no callback, released
$log = [];
$c = async_client($log, 'D');
var_dump($c->connect('127.0.0.1', $port, 2.0), $c->close(), @$c->close());
$weak = WeakReference::create($c);
unset($c);
swoole_event_wait();
var_dump($weak->get(), $log);

// 5. a callback that throws stops the loop; the exception reaches wait()
$c = async_client($log, 'E');
$c->on('connect', function ($cli) { $cli->send("line:boom\n"); });
$c->on('receive', function ($cli, $data) { throw new RuntimeException("thrown from receive: " . trim($data)); });
$c->connect('127.0.0.1', $port, 2.0);
try {
    swoole_event_wait();
} catch (RuntimeException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($c->isConnected(), $c->close(), $c->isConnected());
unset($c);

// 6. a forked child that ends frees its copy of a connected client: the
// parent's connection and loop are untouched
$log = [];
$c = async_client($log, 'F');
$c->on('receive', function ($cli, $data) use (&$log) { $log[] = 'F receive ' . json_encode($data); $cli->close(); });
$c->connect('127.0.0.1', $port, 2.0);
while (!$c->isConnected()) {
    swoole_event_dispatch();
}
$child = pcntl_fork();
if ($child === 0) {
    exit(0);
}
pcntl_waitpid($child, $st);
var_dump(pcntl_wexitstatus($st));
$c->send("line:after fork\n");
swoole_event_wait();
echo implode("\n", $log), "\n\n";

// 7. inside a server worker, on the worker's loop
$b = new Swoole\Client(SWOOLE_SOCK_TCP);
$b->connect('127.0.0.1', $port, 5.0);
$b->send("relay\n");
echo $b->recv();
$b->close();

// 8. the loop runs at the end of the script, as Swoole's; the server is
// stopped after it (this shutdown function comes after the loop's)
$log = [];
register_shutdown_function(function () use ($pid, &$log) {
    echo implode("\n", $log), "\n";
    echo "stopped: ", server_stop($pid), "\n";
    log_take();
});
$c = async_client($log, 'G');
$c->on('connect', function ($cli) { $cli->send("eof3\n"); });
$c->on('receive', function ($cli, $data) use (&$log) {
    $log[] = 'G receive ' . json_encode($data);
    if ($data === "ccc\r\n") $cli->close();
});
$c->connect('127.0.0.1', $port, 2.0);
echo "end of script\n";
?>
--EXPECT--
bool(true)
bool(false)
bool(true)
NULL
A connect returned
A connect
A receive "a\r\n"
A receive "bb\r\n"
A receive "ccc\r\n"
A close false sock -1
A closed

bool(true)
NULL
B error 111 false

bool(true)
bool(true)
bool(true)
NULL
C connect, self true
C close false sock -1

bool(true)
bool(true)
bool(false)
NULL
array(0) {
}
RuntimeException: thrown from receive: boom
bool(true)
bool(true)
bool(false)
int(0)
F connect true sock true
F receive "after fork\r\n"
F close false sock -1

via async client: relayed
end of script
G receive "a\r\n"
G receive "bb\r\n"
G receive "ccc\r\n"
G close false sock -1
stopped: 0
