<?php
/* The chat room of seed 002 §8.2 ("聊天室完整代码样例"), written for
 * swirl: one Swoole\WebSocket\Server serves the page (index.html, through
 * its request callback) and the room (WebSocket on the same port).
 *
 *   php server.php [PORT [HOST]]     (default 9501 on 127.0.0.1; 0 picks a
 *                                     free port) then open http://HOST:PORT/
 *
 * Every text message goes to every member of the room, the sender
 * included; joins and departures are announced with the number of people
 * here. The members are kept in a Swoole\Table (shared memory: every
 * worker sees all of them, and a push works from any worker), added when
 * their handshake succeeds (open) and removed when their connection closes
 * (plain HTTP connections, such as the one that fetched the page, are
 * never members). Messages are JSON objects with a `type`: welcome (to a
 * newcomer: its name), join, leave, message. */
$port = (int)($argv[1] ?? 9501);
$host = $argv[2] ?? '127.0.0.1';

$server = new Swoole\WebSocket\Server($host, $port);
$server->set(['worker_num' => 2]);
$page = file_get_contents(__DIR__ . '/index.html');

/* The room: fd => joined (unix time). Made before start(), so shared by
 * the workers. */
$members = new Swoole\Table(4096);
$members->column('joined', Swoole\Table::TYPE_INT);
$members->create();

/* Send $msg (an array, sent as JSON) to every member of the room. */
function broadcast(Swoole\WebSocket\Server $server, Swoole\Table $members, array $msg): void {
    $msg['count'] = count($members);
    $json = json_encode($msg, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    foreach ($members as $fd => $row) {
        if ($server->isEstablished((int)$fd)) { /* not one on its way out */
            $server->push((int)$fd, $json);
        }
    }
}

function name_of(int $fd): string {
    return "guest $fd";
}

$server->on('start', function ($server) use ($host) {
    echo "chat room on http://$host:{$server->port}/\n";
});

$server->on('request', function ($request, $response) use ($page) {
    if (in_array($request->server['request_uri'], ['/', '/index.html'], true)) {
        $response->header('Content-Type', 'text/html; charset=utf-8');
        $response->end($page);
        return;
    }
    $response->status(404);
    $response->header('Content-Type', 'text/plain');
    $response->end("not found\n");
});

$server->on('open', function (Swoole\WebSocket\Server $server, $request) use ($members) {
    $server->push($request->fd, json_encode(['type' => 'welcome', 'you' => name_of($request->fd)]));
    $members->set((string)$request->fd, ['joined' => time()]);
    broadcast($server, $members, ['type' => 'join', 'who' => name_of($request->fd)]);
});

$server->on('message', function (Swoole\WebSocket\Server $server, $frame) use ($members) {
    if ($frame->opcode !== WEBSOCKET_OPCODE_TEXT) {
        return; /* text only */
    }
    /* at most 1000 characters (text frames are valid UTF-8: the server checks) */
    preg_match('/^.{0,1000}/su', $frame->data, $m);
    $text = trim($m[0] ?? '');
    if ($text !== '') {
        broadcast($server, $members, ['type' => 'message', 'who' => name_of($frame->fd), 'text' => $text]);
    }
});

$server->on('close', function (Swoole\WebSocket\Server $server, $fd) use ($members) {
    if ($members->del((string)$fd)) { /* a member, not a plain HTTP connection */
        broadcast($server, $members, ['type' => 'leave', 'who' => name_of($fd)]);
    }
});

$server->start();
