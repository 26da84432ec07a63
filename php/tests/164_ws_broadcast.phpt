--TEST--
Swoole\WebSocket\Server SWOOLE_PROCESS: broadcast to 200 clients (connections iteration + isEstablished + push from either worker); every client gets every message
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/websocket.inc';
const CLIENTS = 200;
[$pid, $port] = ws_server_run(function () {
    $s = new Swoole\WebSocket\Server('127.0.0.1', 0, SWOOLE_PROCESS);
    $s->set(['worker_num' => 2, 'log_level' => 5]);
    $s->on('message', function (Swoole\WebSocket\Server $s, $f) {
        if ($f->data === 'count') {
            $n = 0;
            foreach ($s->connections as $fd) {
                $n += $s->isEstablished($fd);
            }
            $s->push($f->fd, "established: $n");
            return;
        }
        $sent = 0;
        foreach ($s->connections as $fd) {
            if ($s->isEstablished($fd) && $s->push($fd, "w{$s->worker_id}|{$f->data}")) {
                $sent++;
            }
        }
        log_line("{$f->data} sent to $sent");
    });
    return $s;
});
$clients = [];
for ($i = 0; $i < CLIENTS; $i++) {
    $clients[] = ws_connect($port, "/$i");
}
ws_send($clients[0], 'count');
echo ws_text($clients[0]), "\n";
/* five senders, spread over the connections (so over both workers) */
$senders = [0, 41, 99, 150, 199];
foreach ($senders as $i) {
    ws_send($clients[$i], "from $i");
}
$bad = 0;
$workers = [];
foreach ($clients as $k => $c) {
    $got = [];
    for ($j = 0; $j < count($senders); $j++) {
        $f = ws_recv($c, 10);
        if (!$f) {
            break;
        }
        [$w, $msg] = explode('|', $f['data'], 2);
        $workers[$w] = true;
        $got[] = $msg;
    }
    sort($got);
    $want = array_map(fn($i) => "from $i", $senders);
    sort($want);
    if ($got !== $want) {
        $bad++;
        if ($bad < 3) echo "client $k got ", json_encode($got), "\n";
    }
}
echo "clients missing a message: $bad\n";
echo "pushed by ", count($workers), " workers\n";
foreach ($clients as $c) {
    fclose($c);
}
usleep(300000);
echo "stopped: ", ws_server_stop($pid), "\n";
$lines = explode("\n", trim(log_take()));
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
established: 200
clients missing a message: 0
pushed by 2 workers
stopped: 0
from 0 sent to 200
from 150 sent to 200
from 199 sent to 200
from 41 sent to 200
from 99 sent to 200
