--TEST--
Swoole\Client bad input: unknown types and modes, flags a type does not take, bad settings, ports out of range, NUL bytes, recv size < 0 (0 reads nothing, as Swoole), calls on an unconnected client, on() on a blocking client, async connect without its callbacks (a fatal error, as Swoole)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/client.inc';

function show(callable $f): void {
    try {
        $r = $f();
        echo '=> ', var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
set_error_handler(function ($no, $msg) { echo "warning: $msg\n"; return true; });

echo "-- construct\n";
show(fn() => new Swoole\Client(99));
show(fn() => new Swoole\Client(-1));
show(fn() => new Swoole\Client(SWOOLE_SOCK_UDP | SWOOLE_SSL));
show(fn() => new Swoole\Client(SWOOLE_SOCK_UDP | SWOOLE_KEEP));
show(fn() => new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_KEEP, SWOOLE_SOCK_ASYNC));
show(fn() => new Swoole\Client(SWOOLE_SOCK_TCP, 5));
show(fn() => new Swoole\Client(SWOOLE_SOCK_TCP, SWOOLE_SOCK_SYNC, "a\0b"));
show(fn() => new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_ASYNC | SWOOLE_SYNC));
show(fn() => (new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_ASYNC))->on('receive', 'strlen'));
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
show(fn() => $c->__construct(SWOOLE_SOCK_TCP));
class Unbuilt extends Swoole\Client { public function __construct() {} }
show(fn() => (new Unbuilt)->send('x'));

echo "-- set\n";
show(fn() => $c->set(['no_such_key' => 1]));
show(fn() => $c->set(['package_length_type' => 'Q']));
show(fn() => $c->set(['package_eof' => '']));
show(fn() => $c->set(['package_eof' => '123456789']));
show(fn() => $c->set(['open_eof_check' => 2]));
show(fn() => $c->set(['bind_port' => 70000]));
show(fn() => $c->set(['timeout' => 'soon']));
show(fn() => $c->set(['ssl_cafile' => "a\0b"]));
show(fn() => $c->set(['open_tcp_nodelay' => [true]]));
show(fn() => $c->set(['open_tcp_nodelay' => null]));
show(fn() => $c->set([0 => 'open_eof_check']));
show(fn() => $c->set(['open_eof_check' => 'yes', 'nope' => 1]));
var_dump($c->setting, $c->errCode);

echo "-- unconnected\n";
show(fn() => $c->send('x'));
show(fn() => $c->recv());
show(fn() => $c->close());
show(fn() => $c->getsockname());
show(fn() => $c->getpeername());
show(fn() => $c->sendfile(__FILE__));
show(fn() => $c->sendto('127.0.0.1', 9, 'x'));
show(fn() => $c->isConnected());
var_dump($c->errCode);

echo "-- arguments\n";
show(fn() => $c->connect('127.0.0.1'));
show(fn() => $c->connect('127.0.0.1', 0));
show(fn() => $c->connect('127.0.0.1', 70000));
show(fn() => $c->connect('127.0.0.1', -1));
show(fn() => $c->connect("127.0.0.1\0evil", 80));
show(fn() => $c->connect('', 80));
show(fn() => $c->connect('127.0.0.1', 80, NAN));
show(fn() => $c->connect('1.2.3.4:99999'));
show(fn() => $c->connect('bad..address', 80, 0.5));
show(fn() => $c->recv(0));
show(fn() => $c->recv(-5));
show(fn() => $c->recv(10, -1));
show(fn() => $c->sendfile("/tmp\0x"));
show(fn() => $c->sendfile(__FILE__, -1));
show(fn() => $c->sendfile(__FILE__, 0, -1));
show(fn() => $c->on('receive', 'strlen'));
$u = new Swoole\Client(SWOOLE_SOCK_UDP);
show(fn() => $u->sendto('127.0.0.1', 0, 'x'));
show(fn() => $u->sendto("a\0b", 80, 'x'));

echo "-- connected\n";
[$pid, $port] = client_server();
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump($c->connect('127.0.0.1', $port));
show(fn() => $c->connect('127.0.0.1', $port));
show(fn() => $c->set(['open_eof_check' => true]));
show(fn() => $c->send(''));
show(fn() => $c->sendto('127.0.0.1', $port, 'x'));
show(fn() => $c->sendfile('/nonexistent/file'));
show(fn() => $c->sendfile(__FILE__, 100000000));
show(fn() => $c->recv(10, 0x4000));
var_dump($c->isConnected());
$c->send("echo:fine\n");
var_dump($c->recv());
$c->close();

echo "-- async\n";
$a = new Swoole\Client(SWOOLE_SOCK_TCP, SWOOLE_SOCK_ASYNC);
show(fn() => $a->on('bogus', 'strlen'));
show(fn() => $a->on('receive', 'no_such_function'));
show(fn() => $a->recv());
show(fn() => $a->sendfile(__FILE__));
show(fn() => $a->send('x'));
// without its callbacks, connect is a fatal error (in a child PHP)
$script = tempnam(sys_get_temp_dir(), 'swirl-fatal-');
file_put_contents($script, '<?php $a = new Swoole\Client(SWOOLE_SOCK_TCP, SWOOLE_SOCK_ASYNC);
$a->on("receive", function () {}); $a->on("Error", function () {});
$a->connect("127.0.0.1", ' . $port . '); echo "not reached\n";');
exec(getenv('TEST_PHP_EXECUTABLE') . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' ' . escapeshellarg($script) . ' 2>&1', $out, $rc);
unlink($script);
echo trim(implode("\n", $out)), "\nexit $rc\n";
// a datagram one needs only receive
$d = new Swoole\Client(SWOOLE_SOCK_UDP, SWOOLE_SOCK_ASYNC);
show(fn() => $d->on('receive', function ($cli, $data) { echo "udp receive\n"; }));
$d = null;

echo "stopped: ", server_stop($pid), "\n";
log_take();
?>
--EXPECTF--
-- construct
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) must be SWOOLE_SOCK_TCP, SWOOLE_SOCK_UDP, SWOOLE_SOCK_TCP6, SWOOLE_SOCK_UDP6, SWOOLE_SOCK_UNIX_STREAM or SWOOLE_SOCK_UNIX_DGRAM, optionally | SWOOLE_SSL | SWOOLE_KEEP, 99 given
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) must be a SWOOLE_SOCK_* type, -1 given
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) is not valid: client socket type udp | SSL: TLS needs a stream socket
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) is not valid: client socket type udp | KEEP: keep-alive is for blocking stream clients
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) is not valid: client socket type tcp | KEEP: keep-alive is for blocking stream clients
ValueError: Swoole\Client::__construct(): Argument #2 ($is_sync) must be SWOOLE_SOCK_SYNC (0) or SWOOLE_SOCK_ASYNC (1), 5 given
ValueError: Swoole\Client::__construct(): Argument #3 ($key) must not contain any null bytes
ValueError: Swoole\Client::__construct(): Argument #1 ($sock_type) must not have both SWOOLE_ASYNC and SWOOLE_SYNC
=> true
Error: Swoole\Client is already constructed
Error: Swoole\Client is not constructed
-- set
warning: Swoole\Client::set(): unknown client setting "no_such_key"
=> false
warning: Swoole\Client::set(): package_length_type: expected one of c C s S n N l L v V, got "Q"
=> false
warning: Swoole\Client::set(): package_eof: expected a string of 1..8 bytes, got 0 bytes
=> false
warning: Swoole\Client::set(): package_eof: expected a string of 1..8 bytes, got 9 bytes
=> false
warning: Swoole\Client::set(): open_eof_check: expected a bool, got 2
=> false
warning: Swoole\Client::set(): bind_port: expected an integer 0..65535, got 70000
=> false
warning: Swoole\Client::set(): timeout: expected seconds as a number (negative: no limit), got "soon"
=> false
warning: Swoole\Client::set(): setting `ssl_cafile`: a string with a NUL byte is not a valid value
=> false
warning: Swoole\Client::set(): setting `open_tcp_nodelay`: array is not a valid value
=> false
warning: Swoole\Client::set(): setting `open_tcp_nodelay`: null is not a valid value
=> false
warning: Swoole\Client::set(): setting 0: a setting's key must be its name
=> false
warning: Swoole\Client::set(): unknown client setting "nope"
=> false
array(1) {
  ["open_eof_check"]=>
  string(3) "yes"
}
int(505)
-- unconnected
warning: Swoole\Client::send(): send: the client is not connected
=> false
warning: Swoole\Client::recv(): recv: the client is not connected
=> false
warning: Swoole\Client::close(): close: the client is not connected
=> false
warning: Swoole\Client::getsockname(): getsockname: the client has no socket
=> false
warning: Swoole\Client::getpeername(): getpeername: the client has no socket
=> false
warning: Swoole\Client::sendfile(): sendfile: the client is not connected
=> false
warning: Swoole\Client::sendto(): sendto: a tcp client sends with send
=> false
=> false
int(507)
-- arguments
ValueError: Swoole\Client::connect(): Argument #2 ($port) must be between 1 and 65535 (or $host "host:port"), 0 given
ValueError: Swoole\Client::connect(): Argument #2 ($port) must be between 1 and 65535 (or $host "host:port"), 0 given
ValueError: Swoole\Client::connect(): Argument #2 ($port) must be between 1 and 65535 (or $host "host:port"), 70000 given
ValueError: Swoole\Client::connect(): Argument #2 ($port) must be between 1 and 65535 (or $host "host:port"), -1 given
ValueError: Swoole\Client::connect(): Argument #1 ($host) must not contain any null bytes
ValueError: Swoole\Client::connect(): Argument #1 ($host) must not be empty
ValueError: Swoole\Client::connect(): Argument #3 ($timeout) must be a number of seconds up to a year (negative: no limit)
ValueError: Swoole\Client::connect(): Argument #2 ($port) must be between 1 and 65535 (or $host "host:port"), 99999 given
warning: Swoole\Client::connect(): connect to bad..address:80: cannot resolve host "bad..address": %s
=> false
warning: Swoole\Client::recv(): recv: the client is not connected
=> false
ValueError: Swoole\Client::recv(): Argument #1 ($size) must be greater than or equal to 0, -5 given
ValueError: Swoole\Client::recv(): Argument #2 ($flag) must be a combination of Swoole\Client::MSG_PEEK, MSG_WAITALL and MSG_DONTWAIT
ValueError: Swoole\Client::sendfile(): Argument #1 ($filename) must be a non-empty path without null bytes
ValueError: Swoole\Client::sendfile(): Argument #2 ($offset) must be greater than or equal to 0
ValueError: Swoole\Client::sendfile(): Argument #3 ($length) must be greater than or equal to 0 (0: to the end of the file)
warning: Swoole\Client::on(): event `receive`: callbacks are for async clients (SWOOLE_SOCK_ASYNC); this one is blocking
=> false
ValueError: Swoole\Client::sendto(): Argument #2 ($port) must be between 1 and 65535, 0 given
ValueError: Swoole\Client::sendto(): Argument #1 ($ip) must be a non-empty address without null bytes
-- connected
bool(true)
warning: Swoole\Client::connect(): connect to 127.0.0.1: already connected to 127.0.0.1:%d
=> false
warning: Swoole\Client::set(): open_eof_check: settings are taken before connect
=> false
warning: Swoole\Client::send(): send: the data to send is empty
=> false
warning: Swoole\Client::sendto(): sendto: a tcp client sends with send
=> false
warning: Swoole\Client::sendfile(): sendfile /nonexistent/file: No such file or directory
=> false
warning: Swoole\Client::sendfile(): sendfile %s: offset 100000000 length 0 is outside its %d bytes
=> false
warning: Swoole\Client::recv(): recv: flags 0x4000: expected MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT
=> false
bool(true)
string(4) "fine"
-- async
warning: Swoole\Client::on(): unknown event `bogus`: expected connect, receive, error or close
=> false
TypeError: Swoole\Client::on(): Argument #2 ($callback) must be a valid callback, function "no_such_function" not found or invalid function name
warning: Swoole\Client::recv(): recv: an async client receives through its receive callback
=> false
warning: Swoole\Client::sendfile(): sendfile: the client is not connected
=> false
warning: Swoole\Client::send(): send: the client is not connected
=> false
Fatal error: Swoole\Client::connect(): no 'onConnect', 'onClose' callback function: an async stream client needs connect, receive, error and close (set with on()) in %s on line 3
exit 255
=> true
stopped: 0
