--TEST--
Swoole\Redis against a fake server (a forked child) that breaks the protocol: a bad type byte, a reply cut by a close, an extra reply nobody asked for; each reaches the callback as false with errMsg naming it, then onClose, and the script goes on
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
$srv = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)substr(strrchr(stream_socket_get_name($srv, false), ':'), 1);
$scripts = ["?garbage\r\n", "\$10\r\nabc", "+OK\r\n+EXTRA\r\n"];
$pid = pcntl_fork();
if ($pid === 0) {
    foreach ($scripts as $i => $s) {
        $c = stream_socket_accept($srv, 10);
        fread($c, 4096);                 /* the handshake's PING */
        fwrite($c, "+PONG\r\n");
        fread($c, 4096);                 /* the command */
        fwrite($c, $s);
        if ($i === 1) {
            fclose($c);
        } else {
            $keep[] = $c;
        }
    }
    sleep(30);
    exit(0);
}
fclose($srv);
register_shutdown_function(function () use ($pid) {
    register_shutdown_function(function () use ($pid) {
        Swoole\Process::kill($pid, SIGKILL);
        pcntl_waitpid($pid, $st);
    });
});

function one(int $port, array $left): void {
    if (!$left) {
        return;
    }
    $name = array_shift($left);
    $r = new Swoole\Redis();
    $r->on('close', function ($r) use ($port, $left) {
        echo "  closed\n";
        one($port, $left);
    });
    $r->connect('127.0.0.1', $port, function ($r, $ok) use ($name) {
        echo "$name: connected ", json_encode($ok), "\n";
        $r->get('k', function ($r, $res) {
            echo "  result ", json_encode($res), ", errCode ", $r->errCode ?? 'null', "\n";
            echo "  ", preg_replace('/:\d+:/', ':PORT:', (string)$r->errMsg), "\n";
        });
    });
}
one($port, ['bad type byte', 'cut by a close', 'extra reply']);
?>
--EXPECT--
bad type byte: connected true
  result false, errCode 1009
  redis 127.0.0.1:PORT: protocol error: Protocol error, got "?" as reply type byte
  closed
cut by a close: connected true
  result false, errCode 1007
  redis 127.0.0.1:PORT: connection closed by the server
  closed
extra reply: connected true
  result "OK", errCode null
  
  closed
