--TEST--
examples/php/chat/server.php driven by Python's websockets (Debian python3-websockets, an independent strict client): the page over HTTP, join/leave, a broadcast to three members, Unicode, 100 000 bytes, ping/pong, clean close with 1000
--EXTENSIONS--
pcntl
--SKIPIF--
<?php
exec('/usr/bin/python3 -c "import websockets" 2>&1', $o, $rc);
if ($rc !== 0) {
    die("skip Python's websockets is not installed (apt-get install python3-websockets)");
}
?>
--FILE--
<?php
require __DIR__ . '/examples.inc';
$out = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('chat/server.php', [0]),
                  [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $out, 'a']], $pipes);
$pid = proc_get_status($proc)['pid'];
$py = tempnam(sys_get_temp_dir(), 'swirl-py-');
register_shutdown_function(function () use ($pid, $out, $py) { /* even if the test fails */
    foreach (children_of($pid) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($pid, SIGKILL);
    @unlink($out);
    @unlink($py);
});
for ($i = 0; $i < 500 && !preg_match('#chat room on http://127\.0\.0\.1:(\d+)/#', (string)file_get_contents($out), $m); $i++) {
    usleep(10000);
}
$port = (int)($m[1] ?? 0);
file_put_contents($py, <<<'PY'
import asyncio, json, sys, urllib.request
import websockets

PORT = int(sys.argv[1])
URL = "ws://127.0.0.1:%d/" % PORT

async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), 10))

async def main():
    page = urllib.request.urlopen("http://127.0.0.1:%d/" % PORT, timeout=10)
    body = page.read().decode()
    print("page:", page.status, page.headers["Content-Type"], "<title>swirl chat room</title>" in body)
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/nothing" % PORT, timeout=10)
    except urllib.error.HTTPError as e:
        print("elsewhere:", e.code)
    members = []
    for i in range(3):
        ws = await websockets.connect(URL, max_size=None)
        welcome = await recv(ws)
        join = await recv(ws)
        print("member %d: welcome=%s join=%s count=%d" % (i, welcome["type"], join["who"] == welcome["you"], join["count"]))
        for earlier in members:  # the others are told
            j = await recv(earlier)
            assert j["type"] == "join" and j["who"] == welcome["you"], j
        members.append(ws)
    for text in ["hello", "héllo wörld ✓ 你好", "x" * 100000]:
        await members[1].send(text)
        got = [await recv(ws) for ws in members]
        print("%d bytes: every member got it from member 1: %s" % (len(text.encode()), all(
            g["type"] == "message" and g["text"] == text[:1000] and g["count"] == 3 for g in got)))
    pong = await members[0].ping(b"are you there")
    await asyncio.wait_for(pong, 10)
    print("ping answered")
    await members[2].close()
    print("member 2 closed cleanly: code %d" % members[2].close_code)
    for ws in members[:2]:
        left = await recv(ws)
        print("told: %s count=%d" % (left["type"], left["count"]))
    for ws in members[:2]:
        await ws.close()
        print("closed: code %d" % ws.close_code)

asyncio.run(main())
PY);
echo shell_exec('timeout 60 /usr/bin/python3 ' . escapeshellarg($py) . " $port 2>&1");
Swoole\Process::kill($pid, SIGTERM);
echo "server exit ", proc_close($proc), "\n";
echo "server said: ", preg_replace('/^.* INFO .*\n/m', '', file_get_contents($out));
?>
--EXPECTF--
page: 200 text/html; charset=utf-8 True
elsewhere: 404
member 0: welcome=welcome join=True count=1
member 1: welcome=welcome join=True count=2
member 2: welcome=welcome join=True count=3
5 bytes: every member got it from member 1: True
24 bytes: every member got it from member 1: True
100000 bytes: every member got it from member 1: True
ping answered
member 2 closed cleanly: code 1000
told: leave count=2
told: leave count=2
closed: code 1000
closed: code 1000
server exit 0
server said: chat room on http://127.0.0.1:%d/
