<?php
/* Seed 002 §4 swoole_process::__construct: a child with redirected stdio
 * that replaces itself with another program by exec.
 * Completed: the program is this PHP (PHP_BINARY, not the seed's
 * /usr/local/bin/php) running a one-line script instead of the seed's
 * swoole_server.php, and the parent reads what the program wrote on its
 * stdout, which is the pipe. */
$process = new swoole_process('callback_function', true);
$pid = $process->start();

function callback_function(swoole_process $worker)
{
    $worker->exec(PHP_BINARY, array('-n', '-r', 'echo "hello from exec, pid " . getmypid() . "\n";'));
}

echo "parent got: ", $process->read();   // completion: read the redirected stdout
$ret = swoole_process::wait();
echo "child ", $ret['pid'] === $pid ? "reaped" : "?", ", code {$ret['code']}\n";
