<?php
/* Seed 002 §4 swoole_process->start, "错误的代码" (the wrong code): pipes
 * added to the loop while children are still being forked. In Swoole the
 * later children inherit those events; in swirl a child never inherits its
 * parent's loop, so this runs as the right code does.
 * Completed: once a child's message is read its pipe leaves the loop
 * (swoole_event_del), so that the loop ends when every child answered,
 * and the children are reaped. */
$workers = [];
$worker_num = 3;//创建的进程数

for($i=0;$i<$worker_num ; $i++){
    $process = new swoole_process('process');
    $pid = $process->start();
    $workers[$pid] = $process;
    //子进程也会包含此事件
    swoole_event_add($process->pipe, function ($pipe) use($process){
        $data = $process->read();
        echo "RECV: " . $data.PHP_EOL;
        swoole_event_del($pipe);                  // completion
    });
}

function process(swoole_process $process){// 第一个处理
    $process->write($process->pid);
    echo $process->pid,"\t",$process->callback .PHP_EOL;
}

swoole_event_wait();                               // completion
for ($i = 0; $i < $worker_num; $i++) {             // completion
    $ret = swoole_process::wait();
    echo "reaped ", isset($workers[$ret['pid']]) ? "a worker" : "?", "\n";
}
