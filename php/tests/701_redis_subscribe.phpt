--TEST--
Swoole\Redis pub/sub: on('message') before connect, subscribe and psubscribe (their confirmations and each message come to the message callback as Redis's array), a second client publishes, other commands are refused while subscribed, unsubscribe
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server is missing (apt-get install redis-server)'); ?>
--FILE--
<?php
require __DIR__ . '/redis.inc';
[$pid, $port] = redis_start();

$pub = new Swoole\Redis();
$sub = new Swoole\Redis();
$got = 0;
$recv = [];
$sub->on('message', function (Swoole\Redis $sub, $m) use (&$got, &$recv, $pub) {
    echo json_encode($m), "\n";
    if ($m[0] === 'psubscribe') {
        echo "state subscribe: ", $sub->getState() === Swoole\Redis::STATE_SUBSCRIBE ? 'yes' : 'no', "\n";
        var_dump(@$sub->get('x', function () {}));
        echo error_get_last()['message'], "\n";
        /* the publisher's answers and the messages come on two connections:
         * their order is not fixed, so the counts are printed at the end */
        $pub->publish('news.1', 'hello', function ($pub, $n) use (&$recv) { $recv[] = $n; });
        $pub->publish('other', 'only the pattern', function ($pub, $n) use (&$recv) { $recv[] = $n; });
    }
    if ($m[0] === 'message' || $m[0] === 'pmessage') {
        if (++$got === 3) {
            $sub->unsubscribe('news.1');
            $sub->punsubscribe('*');
        }
    }
    if ($m[0] === 'punsubscribe') {
        $sub->close();
        $pub->close();
        echo "receivers: ", json_encode($recv), "\n";
    }
});
$pub->connect('127.0.0.1', $port, function ($pub, $ok) use ($sub, $port) {
    echo "pub connected\n";
    $sub->connect('127.0.0.1', $port, function ($sub, $ok) {
        echo "sub connected\n";
        $sub->subscribe('news.1');
        $sub->psubscribe('*');
    });
});
?>
--EXPECTF--
pub connected
sub connected
["subscribe","news.1",1]
["psubscribe","*",2]
state subscribe: yes
bool(false)
%sredis client is waiting for subscribed messages.
["message","news.1","hello"]
["pmessage","*","news.1","hello"]
["pmessage","*","other","only the pattern"]
["unsubscribe","news.1",1]
["punsubscribe","*",0]
receivers: [2,1]
