--TEST--
Swoole\MySQL (swoole_mysql) in a plain script: connect, queries with rows (typed) and without, errors naming the server's, begin/rollback/commit, escape, a Unix socket, a wrong password, close() with queries queued, the loop run at the end of the script
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
$log = [];

$db = new swoole_mysql;
var_dump($db instanceof Swoole\MySQL);
var_dump(@$db->query('SELECT 1', function () {}));         // not connected
$db->on('close', function (Swoole\MySQL $db) use (&$log) { $log[] = 'close, connected ' . var_export($db->connected, true); });
$ok = $db->connect($server['config'], function (Swoole\MySQL $db, bool $r) use (&$log) {
    $log[] = 'connect ' . var_export($r, true) . ' sock ' . var_export($db->sock > 2, true) . ' connected ' . var_export($db->connected, true);
    $db->query('CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), v DOUBLE, d DECIMAL(5,2), b BIGINT UNSIGNED) ENGINE=InnoDB', function ($db, $r) use (&$log) {
        $log[] = 'create ' . var_export($r, true);
    });
    $db->query("INSERT INTO t (name, v, d, b) VALUES ('a', 1.5, 2.25, 18446744073709551615), (NULL, NULL, NULL, 7)", function ($db, $r) use (&$log) {
        $log[] = "insert " . var_export($r, true) . " affected {$db->affected_rows} insert_id {$db->insert_id}";
    });
    $db->query('SELECT id, name AS who, v, d, b FROM t ORDER BY id', function ($db, $r) use (&$log) {
        $log[] = 'select ' . var_export($r, true);
    });
    $db->query('SELECT * FROM t WHERE id > 100', function ($db, $r) use (&$log) {
        $log[] = 'empty ' . var_export($r, true);
    });
    $db->query('SELEC 1', function ($db, $r) use (&$log) {
        $log[] = "error " . var_export($r, true) . " errno {$db->errno} " . (str_contains($db->error, 'ERROR 1064 (42000)') && str_contains($db->error, '127.0.0.1:') ? 'names it' : $db->error);
    });
    $db->begin(function ($db, $r) use (&$log) {
        $log[] = 'begin ' . var_export($r, true);
        try {
            $db->begin(function () {});
        } catch (Swoole\MySQL\Exception $e) {
            $log[] = 'begin again: ' . $e->getMessage() . ' ' . $e->getCode();
        }
        $db->query("INSERT INTO t (name) VALUES ('gone')", function ($db, $r) use (&$log) {
            $db->rollback(function ($db, $r) use (&$log) {
                $log[] = 'rollback ' . var_export($r, true);
                $db->query("SELECT COUNT(*) AS n FROM t", function ($db, $r) use (&$log) {
                    $log[] = 'after rollback ' . json_encode($r);
                    try {
                        $db->commit(function () {});
                    } catch (Swoole\MySQL\Exception $e) {
                        $log[] = 'commit outside: ' . $e->getMessage() . ' ' . $e->getCode();
                    }
                    $log[] = 'escape ' . $db->escape("it's \"x\"\n");
                    /* close with two queries queued: each gets false, ECANCELED, once */
                    $db->query('SELECT SLEEP(1)', function ($db, $r) use (&$log) { $log[] = "q1 " . var_export($r, true) . " errno {$db->errno}"; });
                    $db->query('SELECT 2', function ($db, $r) use (&$log) { $log[] = "q2 " . var_export($r, true) . " errno {$db->errno}"; });
                    var_dump($db->close());
                    var_dump($db->close());
                });
            });
        });
    });
});
var_dump($ok);
unset($db);     // the object lives while connected

/* a wrong password */
$bad = new Swoole\MySQL;
$cfg = $server['config'];
$cfg['password'] = 'wrong';
$other = [];
$bad->connect($cfg, function ($db, $r) use (&$other) {
    $other[] = "wrong password " . var_export($r, true) . " {$db->connect_errno} " . (str_contains($db->connect_error, "Access denied for user 'swirl'") ? 'access denied' : $db->connect_error);
});
/* missing keys */
var_dump(@(new Swoole\MySQL)->connect(['host' => '127.0.0.1'], function () {}));
/* a Unix socket */
$u = new Swoole\MySQL;
$cfg = $server['config'];
$cfg['host'] = 'unix:' . $server['sock'];
$u->connect($cfg, function ($db, $r) use (&$other) {
    $db->query('SELECT CURRENT_USER() AS u, 1 + 1 AS two', function ($db, $r) use (&$other) {
        $other[] = 'unix ' . json_encode($r);
        $db->close();
    });
});
swoole_event_wait();
sort($other);
echo implode("\n", $other), "\n";
echo implode("\n", $log), "\n";
echo "rows in t: ", mysql_cli($server, 'SELECT COUNT(*) FROM t'), "\n";
mysql_stop($server);
?>
--EXPECT--
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
unix [{"u":"swirl@localhost","two":2}]
wrong password false 1045 access denied
connect true sock true connected true
create true
insert true affected 2 insert_id 1
select array (
  0 => 
  array (
    'id' => 1,
    'who' => 'a',
    'v' => 1.5,
    'd' => '2.25',
    'b' => '18446744073709551615',
  ),
  1 => 
  array (
    'id' => 2,
    'who' => NULL,
    'v' => NULL,
    'd' => NULL,
    'b' => 7,
  ),
)
empty array (
)
error false errno 1064 names it
begin true
begin again: There is already an active transaction. 21
rollback true
after rollback [{"n":2}]
commit outside: No active transaction. 22
escape it\'s \"x\"\n
q1 false errno 125
q2 false errno 125
close, connected false
rows in t: 2
