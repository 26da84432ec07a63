--TEST--
Swoole\Server: constants, constructor, set (warnings naming the key), setting, on (names, callable forms), start without receive is Swoole's fatal error
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(SWOOLE_BASE, SWOOLE_PROCESS, SWOOLE_SOCK_TCP, SWOOLE_SOCK_UDP, SWOOLE_SOCK_TCP6,
         SWOOLE_SOCK_UDP6, SWOOLE_SOCK_UNIX_STREAM, SWOOLE_SOCK_UNIX_DGRAM, SWOOLE_SSL);
var_dump(class_exists('swoole_server'), new swoole_server('127.0.0.1', 0) instanceof Swoole\Server);

$s = new Swoole\Server('127.0.0.1', 9501, SWOOLE_BASE);
var_dump($s->host, $s->port, $s->mode, $s->type, $s->setting, $s->worker_id, $s->taskworker);
$d = new Swoole\Server(); /* SWOOLE_BASE: Swoole 5+'s default */
var_dump($d->host, $d->mode, $d->type);

foreach ([['127.0.0.1', 70000], ['127.0.0.1', 0, 7], ['a', 1, SWOOLE_BASE, -1]] as $args) {
    try {
        new Swoole\Server(...$args);
    } catch (ValueError $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
try {
    new Swoole\Server('not an address', 1);
    echo "no exception\n";
} catch (Throwable $e) {
    echo get_class($e), "\n";
}

echo "-- set\n";
var_dump($s->set(['worker_num' => 2, 'open_eof_split' => true, 'package_eof' => "\r\n", 'max_wait_time' => 1.0]));
var_dump($s->set(['worker_nmu' => 2]));
var_dump($s->set(['worker_num' => 'many']));
var_dump($s->set(['backlog' => [1]]));
var_dump($s->set([5 => 1]));
var_dump($s->set(['task_worker_num' => "1", 'dispatch_mode' => 1]));
var_dump($s->setting);

echo "-- on\n";
function on_receive_fn($s, $fd, $r, $d) {}
class Handler {
    public function onConnect($s, $fd, $r) {}
    public static function onClose($s, $fd, $r) {}
}
var_dump($s->on('receive', 'on_receive_fn'));
var_dump($s->on('onConnect', [new Handler, 'onConnect']));
var_dump($s->on('CLOSE', 'Handler::onClose'));
var_dump($s->on('WorkerStart', function () {}));
var_dump($s->on('nosuchevent', function () {}));
try {
    $s->on('receive', 'no_such_function');
} catch (TypeError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}

echo "-- start without receive\n";
$t = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump($t->start());
?>
--EXPECTF--
int(1)
int(2)
int(1)
int(2)
int(3)
int(4)
int(5)
int(6)
int(512)
bool(true)
bool(true)
string(9) "127.0.0.1"
int(9501)
int(1)
int(1)
array(0) {
}
int(-1)
bool(false)
string(7) "0.0.0.0"
int(1)
int(1)
ValueError: Swoole\Server::__construct(): Argument #2 ($port) must be between 0 and 65535
ValueError: Swoole\Server::__construct(): Argument #3 ($mode) must be SWOOLE_BASE or SWOOLE_PROCESS
ValueError: Swoole\Server::__construct(): Argument #4 ($sock_type) must be a SWOOLE_SOCK_* type
%s
-- set
bool(true)

Warning: Swoole\Server::set(): %sworker_nmu%s in %s on line %d
bool(false)

Warning: Swoole\Server::set(): worker_num: %s in %s on line %d
bool(false)

Warning: Swoole\Server::set(): setting `backlog`: array is not a valid value in %s on line %d
bool(false)

Warning: Swoole\Server::set(): setting 5: a setting's key must be its name in %s on line %d
bool(false)
bool(true)
array(6) {
  ["worker_num"]=>
  int(2)
  ["open_eof_split"]=>
  bool(true)
  ["package_eof"]=>
  string(2) "
"
  ["max_wait_time"]=>
  float(1)
  ["task_worker_num"]=>
  string(1) "1"
  ["dispatch_mode"]=>
  int(1)
}
-- on
bool(true)
bool(true)
bool(true)
bool(true)

Warning: Swoole\Server::on(): %snosuchevent%s in %s on line %d
bool(false)
TypeError: Swoole\Server::on(): Argument #2 ($callback) must be a valid callback, function "no_such_function" not found or invalid function name
-- start without receive

Fatal error: Swoole\Server::start(): require onReceive callback in %s on line %d
