<?php
/* Seed 002 §4 swoole_process::wait and ::signal: children reaped from a
 * SIGCHLD handler (wait(false) in a loop), and a SIGTERM handler.
 * Completed: three children to reap; when all are reaped the SIGCHLD
 * handler is removed (signal(SIGCHLD, null)) and this process sends itself
 * SIGTERM; the SIGTERM handler removes itself, and the loop, empty, ends. */
$left = 3;                                                          // completion
for ($i = 0; $i < 3; $i++) {                                        // completion
    (new swoole_process(function () { usleep(100000); }, false, false))->start();
}

swoole_process::signal(SIGCHLD, function($sig) use (&$left) {
    //必须为false，非阻塞模式
    while($ret = swoole_process::wait(false)) {
        echo "PID={$ret['pid']}\n";
        if (--$left == 0) {                                         // completion
            swoole_process::signal(SIGCHLD, null);
            swoole_process::kill(getmypid(), SIGTERM);
        }
    }
});

swoole_process::signal(SIGTERM, function($signo) {
    echo "shutdown.";
    echo "\n";                                                      // completion
    swoole_process::signal(SIGTERM, null);                          // completion
});
