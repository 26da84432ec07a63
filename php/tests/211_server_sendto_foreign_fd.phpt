--TEST--
Swoole\Server::sendto() and send() to a Unix datagram path go out through one of the server's datagram sockets only: any other fd given as $server_socket (here a TCP connection of the process) is refused by name instead of carrying the bytes into that stream
--EXTENSIONS--
swoole
--FILE--
<?php
$l = stream_socket_server("tcp://127.0.0.1:0");
$c = stream_socket_client("tcp://" . stream_socket_get_name($l, false));
$peer = stream_socket_accept($l);
/* the fd numbers of the process's sockets */
$fds = array_values(array_filter(scandir('/proc/self/fd'), fn($f) => is_numeric($f) &&
       str_starts_with((string)@readlink("/proc/self/fd/$f"), 'socket:')));

$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
$sent = 0;
foreach ($fds as $fd) {
    if (@$s->sendto('127.0.0.1', 9, "INJECTED", (int)$fd)) $sent++;
    if (@$s->send('/tmp/swirl-no-such.sock', "INJECTED", (int)$fd)) $sent++;
    if (@$s->sendto('127.0.0.1', 9, "INJECTED", (int)$fd + 4294967296)) $sent++;
}
echo "sockets tried: ", count($fds) >= 3 ? "3+" : count($fds), ", sent: $sent\n";
var_dump($s->sendto('127.0.0.1', 9, "x", (int)$fds[0]));
stream_set_blocking($peer, false);
stream_set_blocking($c, false);
var_dump(fread($peer, 100), fread($c, 100));
?>
--EXPECTF--
sockets tried: 3+, sent: 0

Warning: Swoole\Server::sendto(): sendto: fd %d is not a datagram socket of this server in %s on line %d
bool(false)
string(0) ""
string(0) ""
