--TEST--
swirl: error codes reach PHP as Swoole's (swoole_last_error, swoole_errno, Server::getLastError, Client::$errCode, Lock::$errCode, Swoole\Exception's code)
--EXTENSIONS--
swoole
--FILE--
<?php
// a bad argument: SWOOLE_ERROR_INVALID_PARAMS, with Swoole's message
$p = new Swoole\Process(function () {});
var_dump(@$p->getPriority(PRIO_USER, null), swoole_last_error() === SWOOLE_ERROR_INVALID_PARAMS);
var_dump(swoole_errno() === swoole_last_error(), swoole_strerror(swoole_last_error()));
var_dump(@$p->setPriority(PRIO_USER, 12, null), swoole_last_error() === SWOOLE_ERROR_INVALID_PARAMS);
// a system error stays its errno value
var_dump($p->getPriority(-1000, getmypid()), swoole_last_error() === 22 /* EINVAL */);
swoole_clear_error();
var_dump(swoole_last_error());

try {
    new Swoole\Lock(999);
} catch (Swoole\Exception $e) {
    var_dump($e->getCode() === SWOOLE_ERROR_INVALID_PARAMS, $e->getMessage());
}

// a table with no room left: Swoole's "unable to allocate memory"
$t = new Swoole\Table(1);
$t->column('a', Swoole\Table::TYPE_INT);
$t->create();
for ($i = 0; $i < 10000 && @$t->set("k$i", ['a' => 1]); $i++);
var_dump($i < 10000, swoole_last_error() === SWOOLE_ERROR_MALLOC_FAIL);

// a server call in the wrong state
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump(@$s->send(999, 'x'), $s->getLastError() === SWOOLE_ERROR_WRONG_OPERATION);

// a client: an operation its type does not have, a malformed setting, a refused connection
$c = new Swoole\Client(SWOOLE_SOCK_UDP);
var_dump(@$c->sendfile(__FILE__), $c->errCode === SWOOLE_ERROR_OPERATION_NOT_SUPPORT);
$c = new Swoole\Client(SWOOLE_SOCK_TCP);
var_dump(@$c->set(['package_length_func' => 'no such function']), $c->errCode === SWOOLE_ERROR_INVALID_PARAMS);
var_dump(@$c->connect('no such host..', 80), $c->errCode === SWOOLE_ERROR_BAD_HOST_ADDR);

// swoole_async_set's bad value
var_dump(@swoole_async_set(['log_level' => 99]), swoole_last_error() === SWOOLE_ERROR_INVALID_PARAMS);

// strerror: a code in Swoole's range is Swoole's; a negative code is the core's own (swirl's message)
var_dump(swoole_strerror(SWOOLE_ERROR_SESSION_NOT_EXIST), swoole_strerror(1011));
var_dump(swoole_strerror(-1011), swoole_strerror(-1007), swoole_strerror(-2));
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
string(14) "Invalid params"
bool(false)
bool(true)
bool(false)
bool(true)
int(0)
bool(true)
string(31) "lock type[999] is not supported"
bool(true)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
string(17) "Session not exist"
string(13) "SSL not ready"
string(16) "invalid argument"
string(17) "connection closed"
string(25) "No such file or directory"
