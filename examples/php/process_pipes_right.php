<?php
/* Seed 002 §4 swoole_process->start, "正确的代码" (the right code): fork
 * every child first, then add the pipes to the loop.
 * Completed as process_pipes_wrong.php (swoole_event_del once read, wait
 * for the loop, reap the children). */
$workers = [];
$worker_num = 3;//创建的进程数

for($i=0;$i<$worker_num ; $i++){
    $process = new swoole_process('process');
    $pid = $process->start();
    $workers[$pid] = $process;
}

foreach($workers as $process){
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
