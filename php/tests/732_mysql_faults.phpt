--TEST--
Swoole\MySQL faults: a connection killed on the server while idle (close callback) and while its query runs (the query's false with the server's error, then close), query_timeout (false, ETIMEDOUT, connection closed), connect() again after a loss, a refused port, bad arguments
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php
require __DIR__ . '/mysql.inc';
if ($why = mysql_skip_reason()) die("skip $why");
?>
--FILE--
<?php
require __DIR__ . '/mysql.inc';
$server = mysql_start();
$cfg = $server['config'];
$log = [];

/* 1. killed while idle: the close callback */
$a = new Swoole\MySQL;
$a->on('close', function ($db) use (&$log) { $log[] = 'A close, connected ' . var_export($db->connected, true); });
$a->connect($cfg, function ($db, $ok) use (&$log, $server) {
    $db->query('SELECT CONNECTION_ID() AS id', function ($db, $r) use (&$log, $server) {
        $log[] = 'A killed: ' . mysql_cli($server, "KILL {$r[0]['id']}");
    });
});
swoole_event_wait();

/* 2. killed while its query runs: the query fails once, then close; connect() again works */
$b = new Swoole\MySQL;
$b->on('close', function ($db) use (&$log) { $log[] = 'B close'; });
$b->connect($cfg, function ($db, $ok) use (&$log, $server, $cfg) {
    $db->query('SELECT CONNECTION_ID() AS id', function ($db, $r) use (&$log, $server, $cfg) {
        $id = $r[0]['id'];
        $db->query('SELECT SLEEP(30)', function ($db, $r) use (&$log, $cfg) {
            $log[] = 'B sleep: ' . var_export($r, true) . " errno {$db->errno} connected " . var_export($db->connected, true);
            $db->connect($cfg, function ($db, $ok) use (&$log) {
                $log[] = 'B again: ' . var_export($ok, true);
                $db->query('SELECT 3 AS n', function ($db, $r) use (&$log) {
                    $log[] = 'B after: ' . json_encode($r);
                    $db->close();
                });
            });
        });
        Swoole\Timer::after(300, function () use ($server, $id, &$log) {
            $log[] = 'B killed: ' . mysql_cli($server, "KILL $id");
        });
    });
});
swoole_event_wait();

/* 3. query_timeout */
$c = new Swoole\MySQL;
$c->on('close', function ($db) use (&$log) { $log[] = 'C close'; });
$c->connect($cfg + ['query_timeout' => 0.2], function ($db, $ok) use (&$log) {
    $db->query('SELECT SLEEP(5)', function ($db, $r) use (&$log) {
        $log[] = 'C timeout: ' . var_export($r, true) . " errno {$db->errno} " . (str_contains($db->error, 'timed out after 0.2 s') ? 'timed out' : $db->error);
    });
    $db->query('SELECT 1', function ($db, $r) use (&$log) {
        $log[] = 'C behind: ' . var_export($r, true) . " errno {$db->errno}";
    });
});
swoole_event_wait();

/* 4. nothing listening */
$d = new Swoole\MySQL;
$d->connect(['port' => mysql_free_port()] + $cfg, function ($db, $ok) use (&$log) {
    $log[] = 'D refused: ' . var_export($ok, true) . " {$db->connect_errno} connected " . var_export($db->connected, true);
});
swoole_event_wait();
echo implode("\n", $log), "\n";

/* 5. bad arguments */
try {
    (new Swoole\MySQL)->connect(['port' => 70000] + $cfg, function () {});
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    (new Swoole\MySQL)->query('SELECT 1', 'no such function');
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump((new Swoole\MySQL)->on('connect', function () {}));
var_dump((new Swoole\MySQL)->close());

/* 6. dropped at the end of the script with a query in flight: no callback, no leak */
$e = new Swoole\MySQL;
$e->connect($cfg, function ($db, $ok) {
    $db->query('SELECT SLEEP(10)', function () { echo "never\n"; });
    swoole_event_exit();
});
swoole_event_wait();
echo "done\n";
?>
--EXPECTF--
A killed: 
A close, connected false
B killed: 
B sleep: false errno %r(1927|2013)%r connected false
B close
B again: true
B after: [{"n":3}]
B close
C timeout: false errno 110 timed out
C behind: false errno 1007
C close
D refused: false 2002 connected false
ValueError: Swoole\MySQL::connect(): Argument #1 ($server_config) port must be 0..65535, 70000 given
TypeError: Swoole\MySQL::query(): Argument #2 ($callback) must be a valid callback

Warning: Swoole\MySQL::on(): unknown event type [connect]: Swoole\MySQL has 'close' only in %s on line %d
bool(false)
bool(false)
done
