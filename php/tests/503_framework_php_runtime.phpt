--TEST--
examples/php/mezzio/runtime.php: php-runtime/swoole's server setup (host, port, mode, socket type from the environment; getMasterPid, getManagerPid, ->mode, ->host, ->port, ->setting; document_root + enable_static_handler; reload() from a worker), asked by curl, reloaded by SIGUSR1, stopped by SIGTERM
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/frameworks.inc';
$port = free_port();
[$proc, $master, $out] = fw_start('mezzio/runtime.php', [],
    ['SWOOLE_HOST' => '127.0.0.1', 'SWOOLE_PORT' => $port, 'SWOOLE_MODE' => SWOOLE_PROCESS, 'SWOOLE_SOCK_TYPE' => SWOOLE_SOCK_TCP]);
var_dump(wait_port($port));
$self = json_decode(fw_curl("http://127.0.0.1:$port/"), true);
$manager = $self['manager'];
echo "master ", $self['master'] === $master ? 'ok' : 'WRONG', ", manager ", in_array($manager, children_of($master)) ? 'ok' : 'WRONG',
     ", worker ", in_array($self['worker'], children_of($manager)) ? 'ok' : 'WRONG', "\n";
unset($self['master'], $self['manager'], $self['worker']);
$self['port'] = $self['port'] === $port ? 'PORT' : $self['port'];
echo json_encode($self), "\n";
/* the static handler, before the request callback */
echo fw_head(fw_curl('-i', "http://127.0.0.1:$port/css/site.css")), "\n";
echo fw_curl("http://127.0.0.1:$port/robots.txt");
echo fw_curl("http://127.0.0.1:$port/../server.php"), fw_curl("http://127.0.0.1:$port/nothing");

/* reload() called in a worker */
$old = children_of($manager);
echo fw_curl("http://127.0.0.1:$port/reload");
echo "reload(): ", fw_until(fn() => fw_alive($old) === 0 && count(children_of($manager)) === count($old)) ? "workers replaced" : "NOT DONE", "\n";
fw_reload($master, $manager, "http://127.0.0.1:$port/", '"mode":"SWOOLE_PROCESS"');
fw_stop($proc, $master);
$log = file_get_contents($out);

/* SWOOLE_MODE=1: BASE */
$port = free_port();
[$proc, $master, $out] = fw_start('mezzio/runtime.php', [], ['SWOOLE_PORT' => $port, 'SWOOLE_MODE' => SWOOLE_BASE]);
var_dump(wait_port($port));
$self = json_decode(fw_curl("http://127.0.0.1:$port/"), true);
echo "base: ", $self['mode'], ", master ", $self['master'] === $master ? 'ok' : 'WRONG', ", ", fw_curl("http://127.0.0.1:$port/robots.txt");
fw_stop($proc, $master);
/* what the server itself logs is left to its log_level (part srvlife: nothing
 * at the default level, as Swoole); no PHP error or warning */
echo "PHP errors: ", preg_match_all('/^(PHP )?(Warning|Fatal error|Notice|Deprecated)/m', $log . file_get_contents($out)), "\n";
?>
--EXPECTF--
bool(true)
master ok, manager ok, worker ok
{"mode":"SWOOLE_PROCESS","host":"127.0.0.1","port":"PORT","sock_type":"SWOOLE_SOCK_TCP","worker_num":2,"document_root":"public"}
HTTP/1.1 200 OK
Server: NAME
Content-Length: 22
Connection: keep-alive
ETag: "%s"
Last-Modified: %s GMT
Accept-Ranges: bytes
Content-Type: text/css%S
User-agent: *
Disallow:
{"error":"not found"}
{"error":"not found"}
{"reload":true}
reload(): workers replaced
reload: done, 2 workers -> 2, old left 0, same pids 0, every request answered
after reload: 4/4 answered
SIGTERM: exit 0, left running 0
bool(true)
base: SWOOLE_BASE, master ok, User-agent: *
Disallow:
SIGTERM: exit 0, left running 0
PHP errors: 0
