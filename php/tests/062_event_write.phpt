--TEST--
swoole_event_write: 1 MB to a slow reader is buffered by the loop and arrives whole and in order
--EXTENSIONS--
swoole
--FILE--
<?php
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$reader = new Swoole\Process(function () use ($a, $b) {
    fclose($a);
    $h = hash_init('md5');
    $n = 0;
    while ($n < 1048576) {
        usleep(2000);                      // a slow reader
        $s = fread($b, 65536);
        if ($s === '' || $s === false) break;
        hash_update($h, $s);
        $n += strlen($s);
    }
    fwrite($b, "$n " . hash_final($h));
}, false, false);
$reader->start();
fclose($b);
$data = '';
for ($i = 0; strlen($data) < 1048576; $i++) {
    $data .= sprintf("%07d|", $i);
}
$data = substr($data, 0, 1048576);
Swoole\Event::add($a, function ($s) use ($data) {
    [$n, $md5] = explode(' ', fread($s, 100));
    var_dump((int)$n, $md5 === md5($data));
    Swoole\Event::del($s);
});
$t = microtime(true);
var_dump(swoole_event_write($a, $data));
var_dump(microtime(true) - $t < 0.5);   // did not wait for the reader
Swoole\Event::wait();
var_dump(Swoole\Process::wait()['code']);
?>
--EXPECT--
bool(true)
bool(true)
int(1048576)
bool(true)
int(0)
