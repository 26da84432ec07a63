--TEST--
Swoole\MySQL inside an Http\Server worker (one worker, PROCESS mode): a request whose query sleeps on the server does not hold up the worker (a second request is answered meanwhile, a third one ends the sleep with KILL QUERY from a connection of its own: its query fails with 1317), connections made in the request callback and in workerStart; the Response kept by the callbacks' closures stays open until they end it (as Swoole)
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
require __DIR__ . '/http.inc';
$mysql = mysql_start();
$cfg = $mysql['config'];

[$pid, $port] = http_run(SWOOLE_PROCESS, ['worker_num' => 1], function ($req, $resp) use ($cfg) {
    $uri = $req->server['request_uri'];
    $db = new Swoole\MySQL;
    $db->connect($cfg, function ($db, $ok) use ($uri, $resp) {
        if (!$ok) {
            $resp->end("connect failed: {$db->connect_error}");
            return;
        }
        if ($uri === '/slow') {
            $db->query('SELECT CONNECTION_ID() AS id', function ($db, $r) use ($resp) {
                $GLOBALS['slow_id'] = $r[0]['id'];
                $db->query('SELECT SLEEP(60) AS s', function ($db, $r) use ($resp) {
                    $resp->end('slow ' . json_encode($r) . " {$db->errno} " . (str_contains($db->error, 'interrupted') ? 'interrupted' : $db->error));
                    $db->close();
                });
            });
        } elseif ($uri === '/fast') {
            $GLOBALS['shared']->query('SELECT 6 * 7 AS answer', function ($shared, $r) use ($resp, $db) {
                $resp->end('fast ' . json_encode($r));
                $db->close();
            });
        } else {
            $db->query('KILL QUERY ' . (int)($GLOBALS['slow_id'] ?? 0), function ($db, $r) use ($resp) {
                $resp->end('release ' . var_export($r, true) . ' ' . $db->error);
                $db->close();
            });
        }
    });
}, function ($s) use ($cfg) {
    $s->on('workerStart', function ($s, $id) use ($cfg) {
        $GLOBALS['shared'] = new Swoole\MySQL;
        $GLOBALS['shared']->connect($cfg, function ($db, $ok) { log_line('shared connect ' . var_export($ok, true)); });
    });
});
wait_log('shared connect');
echo trim(http_log()), "\n";

$slow = client($port);
fwrite($slow, http_req('GET', '/slow'));
usleep(100000); /* not needed for the result: the sleep is ended by /release in any case */
echo http_do($port, 'GET', '/fast')['body'], "\n";
echo http_do($port, 'GET', '/release')['body'], "\n";
echo http_read($slow)['body'], "\n";
fclose($slow);
echo "server exit: ", server_stop($pid), "\n";
mysql_stop($mysql);
?>
--EXPECT--
shared connect true
fast [{"answer":42}]
release true 
slow false 1317 interrupted
server exit: 0
