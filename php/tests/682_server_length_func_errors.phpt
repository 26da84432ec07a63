--TEST--
Swoole\Server: package_length_func that is not callable is refused naming it; refused in SWOOLE_PROCESS mode (server and port); an exception in it is fatal to the worker, as Swoole's, and the next worker serves
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';

$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
var_dump($s->set(['package_length_func' => 'no_such_function']));
var_dump($s->set(['package_length_func' => 42]));
var_dump(isset($s->setting['package_length_func']));
$p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
var_dump($p->set(['package_length_func' => [new stdClass, 'nope']]));
var_dump($p->set(['package_length_func' => 'strlen']));

$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
var_dump($s->set(['open_length_check' => true, 'package_length_func' => 'strlen']));
$p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
var_dump($p->set(['package_length_func' => fn($d) => 1]));

[$pid, $port] = server_run(function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 2, 'log_file' => '/dev/null', 'open_length_check' => true,
             'package_length_func' => function ($data) {
                 if ($data[0] === '!') {
                     throw new RuntimeException('bad header');
                 }
                 return 3;
             }]);
    $s->on('workerStart', function ($s, $id) { log_line("worker start"); });
    $s->on('receive', function ($s, $fd, $rid, $data) { $s->send($fd, "<$data>"); });
    return $s;
});
for ($i = 0; $i < 500 && substr_count(file_get_contents(log_file()), "worker start") < 2; $i++) {
    usleep(10000);
}
$c = client($port);
fwrite($c, "!xy");
var_dump(fread($c, 10));       /* the worker ended: closed */
for ($i = 0; $i < 500 && substr_count(file_get_contents(log_file()), "worker start") < 3; $i++) {
    usleep(10000);
}
$c = client($port);
fwrite($c, "abc");
echo client_read($c, 5), "\n";
echo "stopped: ", server_stop($pid), "\n";
echo log_take();
?>
--EXPECTF--
Warning: Swoole\Server::set(): setting `package_length_func`: string 'no_such_function' is not callable in %s on line %d
bool(false)

Warning: Swoole\Server::set(): setting `package_length_func`: int '42' is not callable in %s on line %d
bool(false)
bool(false)

Warning: Swoole\Server\Port::set(): setting `package_length_func`: array 'stdClass::nope' is not callable in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Server::set(): setting `package_length_func`: not supported in SWOOLE_PROCESS mode by swirl (the stream is cut in the master's reactor threads, where PHP cannot run); use SWOOLE_BASE, or package_length_type, package_length_offset and package_body_offset in %s on line %d
bool(false)

Warning: Swoole\Server\Port::set(): setting `package_length_func`: not supported in SWOOLE_PROCESS mode by swirl (the stream is cut in the master's reactor threads, where PHP cannot run); use SWOOLE_BASE, or package_length_type, package_length_offset and package_body_offset in %s on line %d
bool(false)

Fatal error: Uncaught RuntimeException: bad header in %s:%d
Stack trace:
#0 [internal function]: {closure}('!xy')
#1 %s
#2 %s
#3 {main}
  thrown in %s on line %d
string(0) ""
<abc>
stopped: 0
worker start
worker start
worker start
