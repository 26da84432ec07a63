--TEST--
examples/php/chat: the PHP chat room in headless Chromium (two pages: join notices, a message reaching both with its sender, the count, a departure)
--EXTENSIONS--
pcntl
--SKIPIF--
<?php
require __DIR__ . '/chat_browser.inc';
if (getenv('ZEND_DONT_UNLOAD_MODULES')) { /* set by run-tests -m */
    die("skip under valgrind: --trace-children would run Chromium under it too, which valgrind cannot");
}
if ($why = chat_browser_missing()) {
    die("skip $why");
}
?>
--FILE--
<?php
require __DIR__ . '/examples.inc';
require __DIR__ . '/chat_browser.inc';
$out = tempnam(sys_get_temp_dir(), 'swirl-out');
$proc = proc_open('exec ' . example_cmd('chat/server.php', [0]),
                  [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $out, 'a']], $pipes);
$pid = proc_get_status($proc)['pid'];
register_shutdown_function(function () use ($pid, $out) { /* even if the test fails */
    foreach (children_of($pid) as $p) @Swoole\Process::kill($p, SIGKILL);
    @Swoole\Process::kill($pid, SIGKILL);
    @unlink($out);
});
for ($i = 0; $i < 500 && !preg_match('#chat room on (http://127\.0\.0\.1:\d+)/#', (string)file_get_contents($out), $m); $i++) {
    usleep(10000);
}
$url = $m[1] ?? '';
echo "server: ", $url ? "up" : "not up", "\n";
$shot = dirname(chat_node_dir()) . '/php-chat-browser.png';
@unlink($shot);
$cmd = 'timeout 120 node ' . escapeshellarg(__DIR__ . '/chat_browser.mjs') . ' ' . escapeshellarg(chat_node_dir())
     . ' ' . escapeshellarg($url) . ' ' . escapeshellarg($shot) . ' 2>&1';
exec($cmd, $lines, $rc);
echo implode("\n", $lines), "\n";
echo "driver exit $rc, screenshot is a PNG: ", var_export(str_starts_with((string)@file_get_contents($shot), "\x89PNG"), true), "\n";
Swoole\Process::kill($pid, SIGTERM);
echo "server exit ", proc_close($proc), "\n";
echo "server said: ", preg_replace('/^.* INFO .*\n/m', '', file_get_contents($out));
?>
--EXPECTF--
server: up
both pages connected, named apart: true
page A was told that B joined
page B shows the message from A as text, and 2 people here
page A shows the message from A as text, and 2 people here
page A was told that B left: 1 person here
screenshot saved
driver exit 0, screenshot is a PNG: true
server exit 0
server said: chat room on http://127.0.0.1:%d/
