--TEST--
swoole_event_add: an ext-sockets Socket is watched like a stream; a closed Socket is refused
--EXTENSIONS--
sockets
--FILE--
<?php
$server = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
socket_bind($server, '127.0.0.1', 0);
socket_listen($server);
socket_getsockname($server, $addr, $port);

swoole_event_add($server, function ($s) {
    $conn = socket_accept($s);
    swoole_event_add($conn, function ($c) {
        $data = socket_read($c, 100);
        if ($data === '' || $data === false) {
            swoole_event_del($c);
            socket_close($c);
            return;
        }
        socket_write($c, strtoupper($data));
    });
    swoole_event_del($s);
});

$client = stream_socket_client("tcp://127.0.0.1:$port");
fwrite($client, "hello socket");
swoole_event_add($client, function ($c) {
    echo fread($c, 100), "\n";
    swoole_event_del($c);
    fclose($c);
});
swoole_event_wait();
socket_close($server);

$closed = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
socket_close($closed);
try {
    swoole_event_add($closed, function () {});
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo "done\n";
?>
--EXPECT--
HELLO SOCKET
ValueError: swoole_event_add(): Argument #1 ($fd) is a Socket that has already been closed
done
