--TEST--
Swoole\MySQL: an exception thrown in a query callback stops the loop and reaches swoole_event_wait()'s caller; the connection stays, and the loop run at the script's end answers its next query, a forked child forgets its parent's connection (the parent's goes on), GC of a closure that holds the connection
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

/* a forked child with the parent's connection open */
$db = new Swoole\MySQL;
$db->connect($cfg, function ($db, $ok) use (&$pid) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        /* the child: the parent's connection is not its own */
        var_dump(@$db->query('SELECT 1', function () { echo "child callback\n"; }));
        exit(0);
    }
    pcntl_waitpid($pid, $st);
    echo "child exit ", pcntl_wexitstatus($st), "\n";
    $db->query('SELECT 1 + 1 AS two', function ($db, $r) {
        echo "parent: ", json_encode($r), "\n";
        /* a closure that holds the connection, in a cycle */
        $db->on('close', function () use ($db) { echo "close\n"; });
        $db->close();
    });
});
swoole_event_wait();
unset($db);
gc_collect_cycles();

/* an exception in a callback */
$e = new Swoole\MySQL;
$e->connect($cfg, function ($db, $ok) {
    $db->query('SELECT 1', function ($db, $r) {
        throw new RuntimeException('from the query callback');
    });
    $db->query('SELECT 3 AS n', function ($db, $r) {
        echo "at the script's end, the loop goes on: ", json_encode($r), "\n";
        $db->close();
    });
});
try {
    swoole_event_wait();
} catch (RuntimeException $ex) {
    echo "caught: ", $ex->getMessage(), "\n";
}
echo "end\n";
?>
--EXPECT--
bool(false)
child exit 0
parent: [{"two":2}]
close
caught: from the query callback
end
at the script's end, the loop goes on: [{"n":3}]
