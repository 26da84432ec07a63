--TEST--
Swoole\Table: shared by forked processes; incr from two processes at once gives the exact total
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
const N = 20000;
$t = new Swoole\Table(64);
$t->column('hits', Swoole\Table::TYPE_INT);
$t->column('who', Swoole\Table::TYPE_STRING, 32);
$t->column('sum', Swoole\Table::TYPE_FLOAT);
$t->create();
$t->set('counter', ['hits' => 0]);

$pids = [];
for ($w = 0; $w < 2; $w++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        for ($i = 0; $i < N; $i++) {
            $t->incr('counter', 'hits');
            $t->incr('counter', 'sum', 0.5);
        }
        $t->set("worker$w", ['who' => "pid " . getmypid(), 'hits' => $w + 1]);
        exit(0);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
    var_dump(pcntl_wexitstatus($status));
}
var_dump($t->get('counter', 'hits') === 2 * N, $t->get('counter', 'sum') === (float)N);
var_dump(count($t));
var_dump($t->get('worker0', 'hits'), $t->get('worker1', 'hits'));
var_dump(str_starts_with($t->get('worker1', 'who'), 'pid '));

// the parent's object still works after the children freed theirs at exit
var_dump($t->incr('counter', 'hits'), $t->del('worker0'), count($t));
?>
--EXPECTF--
int(0)
int(0)
bool(true)
bool(true)
int(3)
int(1)
int(2)
bool(true)
int(40001)
bool(true)
int(2)
