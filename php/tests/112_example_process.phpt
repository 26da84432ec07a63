--TEST--
examples/php/process_*.php: seed 002 §4 swoole_process (exec with redirect, the wrong and the right way to add pipes to the loop, async read in the child, message queue push/pop with wait, SIGCHLD + wait(false) and signal)
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
function show(string $name, bool $sort = false): void {
    [$out, $rc] = run_example($name);
    if ($sort) {
        /* the children's `echo a, b, c` are several writes, which may
         * interleave with each other and with the parent's lines: count */
        $all = implode("\n", $out);
        $out = [sprintf("RECV %d, children's 'process' %d, reaped %d", preg_match_all('/RECV: \d+/', $all),
                        substr_count($all, 'process'), substr_count($all, 'reaped a worker'))];
    }
    echo "== $name (exit $rc)\n", implode("\n", $out), "\n";
}
show('process_exec.php');
show('process_pipes_wrong.php', true);
show('process_pipes_right.php', true);
show('process_read_async.php');
show('process_queue.php');
show('process_signal.php');
?>
--EXPECTF--
== process_exec.php (exit 0)
parent got: hello from exec, pid %d
child reaped, code 0
== process_pipes_wrong.php (exit 0)
RECV 3, children's 'process' 3, reaped 3
== process_pipes_right.php (exit 0)
RECV 3, children's 'process' 3, reaped 3
== process_read_async.php (exit 0)

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
From Master: hello worker
From Worker: hello master
worker exit, code 0, reaped: true
== process_queue.php (exit 0)
From Master: hello worker[%d]

From Master: hello worker[%d]

Worker Exit, PID=%d
Worker Exit, PID=%d
== process_signal.php (exit 0)

Deprecated: swoole_event_rshutdown(): Event::wait() in shutdown function is deprecated in Unknown on line 0
PID=%d
PID=%d
PID=%d
shutdown.
