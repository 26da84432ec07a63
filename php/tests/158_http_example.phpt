--TEST--
examples/php/http_server.php: the seed's hello world run as its own PHP process (port 0 and 127.0.0.1 from argv, PROCESS with 2 workers and BASE with 1), asked by curl (keep-alive across two URLs), stopped by SIGTERM
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
foreach ([['2', 'process'], ['1', 'base']] as [$workers, $mode]) {
    echo "-- $mode, $workers worker(s)\n";
    $p = proc_open('exec ' . example_cmd('http_server.php', [0, '127.0.0.1', $workers, $mode]),
                   [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $line = fgets($pipes[1]);
    echo preg_replace('/:\d+$/', ':PORT', trim($line)), "\n";
    $port = (int)substr(strrchr(trim($line), ':'), 1);
    $out = shell_exec("curl -s -i http://127.0.0.1:$port/ http://127.0.0.1:$port/again 2>&1");
    echo preg_replace(['/#\d{4}/', '/Date: .*\r\n/'], ['#NNNN', ''], $out), "\n";
    $verbose = shell_exec("curl -s -v -o /dev/null http://127.0.0.1:$port/a -o /dev/null http://127.0.0.1:$port/b 2>&1");
    echo "connection reused: ", preg_match('/Re-using existing connection/i', $verbose), "\n";
    $st = proc_get_status($p);
    Swoole\Process::kill($st['pid'], SIGTERM);
    echo "exit ", wait_child($st['pid']), "\n";
    echo "stderr: ", json_encode(stream_get_contents($pipes[2])), "\n";
    proc_close($p);
}
?>
--EXPECT--
-- process, 2 worker(s)
listening on http://127.0.0.1:PORT
HTTP/1.1 200 OK
Server: swirl
Content-Length: 28
Connection: keep-alive
Content-Type: text/html; charset=utf-8
Vary: Accept-Encoding

<h1>Hello Swoole. #NNNN</h1>HTTP/1.1 200 OK
Server: swirl
Content-Length: 28
Connection: keep-alive
Content-Type: text/html; charset=utf-8
Vary: Accept-Encoding

<h1>Hello Swoole. #NNNN</h1>
connection reused: 1
exit 0
stderr: ""
-- base, 1 worker(s)
listening on http://127.0.0.1:PORT
HTTP/1.1 200 OK
Server: swirl
Content-Length: 28
Connection: keep-alive
Content-Type: text/html; charset=utf-8
Vary: Accept-Encoding

<h1>Hello Swoole. #NNNN</h1>HTTP/1.1 200 OK
Server: swirl
Content-Length: 28
Connection: keep-alive
Content-Type: text/html; charset=utf-8
Vary: Accept-Encoding

<h1>Hello Swoole. #NNNN</h1>
connection reused: 1
exit 0
stderr: ""
