--TEST--
Swoole\Server::start() without the callback a port needs: Swoole's fatal errors "require onReceive callback" (a stream port) and "require onPacket callback" (a datagram port), the main port first, then each port (its own callback or the server's)
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
function attempt(string $what, callable $build): void {
    $proc = new Swoole\Process(function () use ($build) {
        $s = $build();
        $s->set(['worker_num' => 1, 'log_level' => 5]);
        $s->on('start', function ($s) { echo "started\n"; $s->shutdown(); });
        $s->start();
    }, true, 1 /* SOCK_STREAM */, false);
    $proc->start();
    $r = Swoole\Process::wait();
    echo "$what: exit {$r['code']}: ", preg_replace('/ in \S+ on line \d+/', '', trim($proc->read())), "\n";
}
attempt('tcp, nothing', fn() => new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE));
attempt('udp, nothing', fn() => new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP));
attempt('udp with packet, a tcp port', function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
    $s->on('packet', function () {});
    $s->addlistener('127.0.0.1', 0, SWOOLE_SOCK_TCP);
    return $s;
});
attempt('tcp with receive, a udp port', function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->on('receive', function () {});
    $s->addlistener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
    return $s;
});
attempt('udp with packet, a tcp port with its own receive', function () {
    $s = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
    $s->on('packet', function () {});
    $s->addlistener('127.0.0.1', 0, SWOOLE_SOCK_TCP)->on('receive', function () {});
    return $s;
});
attempt('http, nothing', fn() => new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE));
attempt('http, a udp port', function () {
    $s = new Swoole\Http\Server('127.0.0.1', 0, SWOOLE_BASE);
    $s->on('request', function () {});
    $s->addlistener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
    return $s;
});
?>
--EXPECTF--
tcp, nothing: exit 255: Fatal error: Swoole\Server::start(): require onReceive callback
udp, nothing: exit 255: Fatal error: Swoole\Server::start(): require onPacket callback
udp with packet, a tcp port: exit 255: Fatal error: Swoole\Server::start(): require onReceive callback
tcp with receive, a udp port: exit 255: Fatal error: Swoole\Server::start(): require onPacket callback
udp with packet, a tcp port with its own receive: exit 0: started
http, nothing: exit 255: Fatal error: Swoole\Server::start(): require onRequest callback
http, a udp port: exit 255: Fatal error: Swoole\Server::start(): require onPacket callback
