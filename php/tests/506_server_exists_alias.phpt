--TEST--
Swoole\Server::exists: Swoole's other name of exist() (Laravel Octane calls it): the same answers, the same argument checks
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$m = new ReflectionMethod(Swoole\Server::class, 'exists');
echo $m->getName(), '(', implode(', ', array_map(fn($p) => $p->getType() . ' $' . $p->getName(), $m->getParameters())), '): ', $m->getReturnType(), "\n";
[$pid, $port] = server_run(function ($ready) {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
    $s->on('receive', function ($s, $fd, $rid, $data) {
        $s->send($fd, json_encode([$s->exists($fd), $s->exist($fd), $s->exists($fd + 1000), $s->exists(-1), $s->exists(0)]) . "\n");
    });
    return $s;
});
$c = client($port);
fwrite($c, "x");
echo client_read($c);
fclose($c);
echo "exit ", server_stop($pid), "\n";
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
try { $s->exists('fd'); } catch (TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
try { $s->exists(); } catch (ArgumentCountError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
?>
--EXPECT--
exists(int $fd): bool
[true,true,false,false,false]
exit 0
TypeError: Swoole\Server::exists(): Argument #1 ($fd) must be of type int, string given
ArgumentCountError: Swoole\Server::exists() expects exactly 1 argument, 0 given
