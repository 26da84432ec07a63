--TEST--
Swoole\Process\Pool: enable_message_bus lets sendMessage() carry messages larger than a datagram, whole and in order; refused without SWOOLE_IPC_UNIXSOCK
--EXTENSIONS--
pcntl
--FILE--
<?php
use Swoole\Process\Pool;

$in = [];
for ($i = 0; $i < 4; $i++) {
    $in[] = str_repeat(chr(65 + $i), 300000 + $i * 100000);
}
$pool = new Pool(2, SWOOLE_IPC_UNIXSOCK);
$pool->set(['enable_message_bus' => true]);
$pool->on('workerStart', function (Pool $pool, int $id) use ($in) {
    if ($id === 0) {
        foreach ($in as $m) {
            if (!$pool->sendMessage($m, 1)) {
                echo "send failed\n";
            }
        }
    }
});
$out = [];
$pool->on('message', function (Pool $pool, string $data) use (&$out, $in) {
    $out[] = $data;
    if (count($out) === count($in)) {
        echo $out === $in ? "all whole, in order\n" : "MISMATCH\n";
        $pool->shutdown();
    }
});
var_dump($pool->start());

$q = new Pool(1, SWOOLE_IPC_MSGQUEUE);
$q->set(['enable_message_bus' => true]);
?>
--EXPECTF--
all whole, in order
bool(true)

Warning: Swoole\Process\Pool::set(): pool: the message bus needs a SWIRL_IPC_UNIXSOCK pool in %s on line %d
