<?php
/*
 * What Octane's octane:status and octane:reload do with the state file
 * (its ServerProcessInspector and SignalDispatcher): is the server running
 * (Process::kill($pid, 0) on the manager, or the master without one),
 * reload it (SIGUSR1 to the master), and stop it (SIGTERM to the master:
 * Swoole's graceful stop; Octane's own stopServer sends SIGKILL to the
 * master, the manager and every worker). Swoole's documented API only.
 *
 *   php control.php STATE_FILE status|reload|stop
 */

use Swoole\Process;

function can_communicate_with(int $pid): bool
{
    return $pid > 0 && Process::kill($pid, 0);
}

function signal(int $pid, int $signal): bool
{
    return can_communicate_with($pid) && Process::kill($pid, $signal);
}

[, $path, $command] = $argv + [null, null, null];
if ($path === null || !in_array($command, ['status', 'reload', 'stop'], true)) {
    fwrite(STDERR, "usage: php control.php STATE_FILE status|reload|stop\n");
    exit(2);
}
$state = is_readable($path) ? json_decode(file_get_contents($path), true) : [];
$master = (int)($state['masterProcessId'] ?? 0);
$manager = (int)($state['managerProcessId'] ?? 0);
$running = $manager ? can_communicate_with($master) && can_communicate_with($manager) : can_communicate_with($master);

switch ($command) {
    case 'status':
        echo $running ? "running\n" : "not running\n";
        exit($running ? 0 : 1);
    case 'reload':
        echo signal($master, SIGUSR1) ? "reloading\n" : "not running\n";
        break;
    case 'stop':
        echo signal($master, SIGTERM) ? "stopping\n" : "not running\n";
        break;
}
