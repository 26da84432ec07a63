<?php
// A Swoole\Table shared by processes: four workers count words into one
// table at once (incr is atomic per row), then the parent prints the totals.
// Run: php -d extension=php/modules/swirl.so examples/php/table.php

$table = new Swoole\Table(1024);
$table->column('count', Swoole\Table::TYPE_INT);
$table->column('last_worker', Swoole\Table::TYPE_INT, 4);
$table->column('first_seen', Swoole\Table::TYPE_STRING, 16);
$table->create();   // before forking: the children share this memory

$text = str_repeat("the quick brown fox jumps over the lazy dog the end ", 500);
$words = explode(' ', trim($text));
$workers = [];
$chunks = array_chunk($words, (int)ceil(count($words) / 4));

foreach ($chunks as $id => $chunk) {
    $worker = new Swoole\Process(function (Swoole\Process $w) use ($table, $chunk, $id) {
        $w->name("php table.php: worker $id");
        foreach ($chunk as $word) {
            if (!$table->exists($word)) {
                $table->set($word, ['first_seen' => "worker $id"]);   // a race here is harmless
            }
            $table->incr($word, 'count');
            $table->set($word, ['last_worker' => $id]);
        }
        $w->write("worker $id counted " . count($chunk) . " words");
    });
    $worker->start();
    $workers[] = $worker;
}
// read only after starting them all, so that they run at the same time
foreach ($workers as $worker) {
    echo $worker->read(), "\n";
}
while ($ret = Swoole\Process::wait()) {
    if ($ret['code'] !== 0) {
        echo "worker {$ret['pid']} failed with code {$ret['code']}\n";
    }
}

$total = 0;
$rows = [];
foreach ($table as $word => $row) {
    $rows[$word] = $row;
    $total += $row['count'];
}
uasort($rows, fn($a, $b) => $b['count'] <=> $a['count']);
printf("%d distinct words, %d in all (expected %d), table memory %d KiB\n",
       count($table), $total, count($words), $table->memorySize() >> 10);
foreach ($rows as $word => $row) {
    printf("  %-6s %5d  (first seen by %s, last counted by worker %d)\n",
           $word, $row['count'], $row['first_seen'], $row['last_worker']);
}
