--TEST--
Swoole\Event: a stream_socket_server accepting a client of the same script and echoing; add/set/del/isset/write; callbacks get what was added
--EXTENSIONS--
swoole
--FILE--
<?php
$server = stream_socket_server("tcp://127.0.0.1:0", $errno, $errstr);
$name = stream_socket_get_name($server, false);
$fd = swoole_event_add($server, function ($srv) use ($server) {
    var_dump($srv === $server);
    $conn = stream_socket_accept($srv, 0);
    swoole_event_add($conn, function ($c) use ($server) {
        $data = fread($c, 8192);
        if ($data === '' || $data === false) {
            echo "server: client closed\n";
            var_dump(swoole_event_del($c), swoole_event_isset($c));
            fclose($c);
            swoole_event_del($server);
            return;
        }
        echo "server got: $data\n";
        var_dump(swoole_event_write($c, "echo: $data"));
    });
});
var_dump(is_int($fd) && $fd > 2); /* the fd, which is not the resource id (equal by chance, not under valgrind) */
$client = stream_socket_client("tcp://$name");
Swoole\Event::add($client, function ($c) {
    echo "client got: ", fread($c, 8192), "\n";
    Swoole\Event::del($c);
    fclose($c);
}, function ($c) {
    fwrite($c, "hello");
    var_dump(Swoole\Event::set($c, null, null, SWOOLE_EVENT_READ));
}, SWOOLE_EVENT_READ | SWOOLE_EVENT_WRITE);
var_dump(swoole_event_isset($client), swoole_event_isset($client, SWOOLE_EVENT_WRITE),
         swoole_event_isset($client, SWOOLE_EVENT_READ), swoole_event_isset(STDERR));
var_dump(SWOOLE_EVENT_READ, SWOOLE_EVENT_WRITE, (new ReflectionClass('swoole_event'))->getName(), (new ReflectionClass('swoole_timer'))->getName());
swoole_event_wait();
echo "loop ended\n";

// an int fd and STDIN-like pipes: a read callback gets the int back
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$ifd = Swoole\Event::add($pair[0], fn($s) => null);
Swoole\Event::del($pair[0]);
Swoole\Event::add($ifd, function ($f) use ($pair) {
    var_dump($f, fread($pair[0], 10));
    Swoole\Event::del($f);
});
fwrite($pair[1], "via int");
Swoole\Event::wait();

// bad input
foreach ([[1.5], ["str"], [new stdClass], [-1], [[]]] as $args) {
    try {
        swoole_event_add($args[0], fn() => 1);
    } catch (Throwable $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
try { swoole_event_add($pair[0], 'no_such_function'); } catch (TypeError $e) { echo $e->getMessage(), "\n"; }
var_dump(swoole_event_add($pair[0]));
var_dump(swoole_event_add($pair[0], null, null, SWOOLE_EVENT_WRITE));
var_dump(swoole_event_add($pair[0], fn() => 1, null, SWOOLE_EVENT_WRITE));
var_dump(swoole_event_add($pair[0], fn() => 1));
var_dump(swoole_event_add($pair[0], fn() => 1));
var_dump(swoole_event_del($pair[0]), swoole_event_del($pair[0]), swoole_event_set($pair[0], fn() => 1));
var_dump(swoole_event_write($pair[1], "x"));
$f = fopen(__FILE__, 'r');
var_dump(swoole_event_add($f, fn() => 1));
try { swoole_event_write($pair[0], ""); } catch (ValueError $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
int(512)
int(1024)
string(12) "Swoole\Event"
string(12) "Swoole\Timer"
bool(true)
bool(true)
server got: hello
bool(true)
client got: echo: hello
server: client closed
bool(true)
bool(false)
loop ended
int(%d)
string(7) "via int"
TypeError: swoole_event_add(): Argument #1 ($fd) must be a file descriptor, a stream, a Socket or a Swoole\Process, float given
TypeError: swoole_event_add(): Argument #1 ($fd) must be a file descriptor, a stream, a Socket or a Swoole\Process, string given
TypeError: swoole_event_add(): Argument #1 ($fd) must be a file descriptor, a stream, a Socket or a Swoole\Process, stdClass given
ValueError: swoole_event_add(): Argument #1 ($fd) must be a valid file descriptor, -1 given
TypeError: swoole_event_add(): Argument #1 ($fd) must be a file descriptor, a stream, a Socket or a Swoole\Process, array given
swoole_event_add(): Argument #2 ($read_callback) must be a valid callback or null, function "no_such_function" not found or invalid function name

Warning: swoole_event_add(): both read and write callbacks are empty in %s on line %d
bool(false)

Warning: swoole_event_add(): both read and write callbacks are empty in %s on line %d
bool(false)

Warning: swoole_event_add(): fd %d: SWOOLE_EVENT_WRITE without a write callback in %s on line %d
bool(false)
int(%d)

Warning: swoole_event_add(): fd %d: already added to the event loop (use swoole_event_set) in %s on line %d
bool(false)

Warning: swoole_event_del(): fd %d: not in the event loop in %s on line %d

Warning: swoole_event_set(): fd %d: not in the event loop in %s on line %d
bool(true)
bool(false)
bool(false)

Warning: swoole_event_write(): fd %d: not in the event loop in %s on line %d
bool(false)

Warning: swoole_event_add(): %s in %s on line %d
bool(false)
swoole_event_write(): Argument #2 ($data) must not be empty
