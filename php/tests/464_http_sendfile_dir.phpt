--TEST--
Swoole\Http\Response::sendfile() of a directory fails (false, its own warning) and the response is ended with a 500 without a second warning about a forgotten end(), as Swoole's; a handler that never tries to end still gets that warning
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function ($req, $resp) {
        if ($req->server['request_uri'] === '/dir') {
            $resp->header('Content-Type', 'application/octet-stream');
            log_line('sendfile dir: ' . var_export($resp->sendfile(sys_get_temp_dir()), true));
        }
        // '/forget': nothing
    });
    foreach (['/dir', '/forget'] as $path) {
        $r = http_do($port, 'GET', $path);
        echo "$path: $r[status]\n";
    }
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECTF--
-- BASE
/dir: 500
/forget: 500
stopped: 0
warning: Swoole\Http\Response::sendfile(): %s
sendfile dir: false
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget (call end() or detach()): ended with status 500
-- PROCESS
/dir: 500
/forget: 500
stopped: 0
warning: Swoole\Http\Response::sendfile(): %s
sendfile dir: false
warning: Swoole\Server::start(): the request callback returned without ending the response to GET /forget (call end() or detach()): ended with status 500
