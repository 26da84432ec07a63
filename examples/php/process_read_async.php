<?php
/* Seed 002 §4 swoole_process->read: the child adds its pipe to the loop and
 * answers the master asynchronously.
 * Completed: the master's side (start the child, write to it, read the
 * answer, reap it). */
function callback_function_async(swoole_process $worker)
{
    $GLOBALS['worker'] = $worker;
    swoole_event_add($worker->pipe, function($pipe) {
        $worker = $GLOBALS['worker'];
        $recv = $worker->read();

        echo "From Master: $recv\n";

        //send data to master
        $worker->write("hello master\n");

        sleep(2);

        $worker->exit(0);
    });
}

$process = new swoole_process('callback_function_async');   // completion: the master
$pid = $process->start();
$process->write("hello worker");
$answer = $process->read();
echo "From Worker: $answer";
$ret = swoole_process::wait();
echo "worker exit, code {$ret['code']}, reaped: ", var_export($ret['pid'] === $pid, true), "\n";
