--TEST--
Swoole\Http\Request uploads in BASE and PROCESS mode: multipart fields and files in $_FILES's shape (f, g[], h[a][b]; name, full_path, type, tmp_name, error, size; no file, too large), temp files in upload_tmp_dir readable in the callback, move_uploaded_file keeps one, the others vanish after the callback
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

/* tmp_name values: "" stays, a file in $dir is TMP */
function tmp_names(array $a, string $dir, bool $in = false): array {
    foreach ($a as $k => $v) {
        if (is_array($v)) {
            $a[$k] = tmp_names($v, $dir, $in || $k === 'tmp_name');
        } elseif (($in || $k === 'tmp_name') && $v !== '') {
            $a[$k] = dirname($v) === $dir ? 'TMP' : "elsewhere: $v";
        }
    }
    return $a;
}

$updir = sys_get_temp_dir() . '/swirl-up-' . getmypid();
$keep = sys_get_temp_dir() . '/swirl-kept-' . getmypid() . '.txt';
@mkdir($updir);
foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    @unlink($keep);
    [$pid, $port] = http_run($mode, ['upload_tmp_dir' => $updir, 'upload_max_filesize' => 1000],
        function ($req, $resp) use ($updir, $keep) {
            $f = $req->files;
            foreach (['f', 'keep'] as $field) {
                $t = $f[$field]['tmp_name'];
                log_line("$field: uploaded=" . var_export(is_uploaded_file($t), true)
                    . " content=" . json_encode(file_get_contents($t)));
            }
            foreach ($f['g']['tmp_name'] as $i => $t) {
                log_line("g[$i]: uploaded=" . var_export(is_uploaded_file($t), true)
                    . " content=" . json_encode(file_get_contents($t)));
            }
            log_line("h: " . json_encode(file_get_contents($f['h']['tmp_name']['a']['b'])));
            log_line("move keep: " . var_export(move_uploaded_file($f['keep']['tmp_name'], $keep), true));
            log_line("move again: " . var_export(@move_uploaded_file($f['keep']['tmp_name'], $keep . '2'), true));
            log_line("move a file not uploaded: " . var_export(@move_uploaded_file(__FILE__, $keep . '3'), true));
            $resp->end(json_encode(['files' => tmp_names($f, $updir), 'post' => $req->post,
                                    'raw' => $req->rawContent(), 'get' => $req->get]));
        });
    [$type, $body] = multipart(['title' => 'two files', 'arr[]' => 'a', 'arr[ ]' => 'b', 'x.y' => 'dot'], [
        ['f', 'a.txt', 'text/plain', 'hello'],
        ['g[]', 'g1.bin', 'application/octet-stream', "\0\1\2"],
        ['g[]', 'dir/g2.txt', '', ''],
        ['h[a][b]', 'h.txt', 'text/plain', 'deep'],
        ['keep', 'k.txt', 'text/plain', 'keep me'],
        ['none', '', 'application/octet-stream', ''],
        ['big', 'big.bin', 'application/octet-stream', str_repeat('x', 2000)],
        ['bad]name', 'bad.txt', 'text/plain', 'not registered'],
    ]);
    $r = http_do($port, 'POST', '/upload?q=1', ["Content-Type: $type"], $body);
    echo $r['status'], "\n";
    $o = json_decode($r['body'], true);
    echo json_encode($o['post']), "\n";
    var_dump($o['raw'], $o['get']);
    echo "files:\n";
    foreach ($o['files'] as $k => $v) {
        echo "  $k: ", json_encode($v, JSON_UNESCAPED_SLASHES), "\n";
    }
    for ($i = 0; $i < 200 && count(scandir($updir)) > 2; $i++) {
        usleep(10000);
    }
    echo "left in upload_tmp_dir: ", count(scandir($updir)) - 2, "\n";
    echo "kept: ", json_encode(@file_get_contents($keep)), "\n";
    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
@unlink($keep);
@rmdir($updir);
?>
--EXPECT--
-- BASE
200
{"title":"two files","arr":["a","b"],"x_y":"dot"}
bool(false)
array(1) {
  ["q"]=>
  string(1) "1"
}
files:
  f: {"name":"a.txt","full_path":"a.txt","type":"text/plain","tmp_name":"TMP","error":0,"size":5}
  g: {"name":["g1.bin","g2.txt"],"full_path":["g1.bin","dir/g2.txt"],"type":["application/octet-stream",""],"tmp_name":["TMP","TMP"],"error":[0,0],"size":[3,0]}
  h: {"name":{"a":{"b":"h.txt"}},"full_path":{"a":{"b":"h.txt"}},"type":{"a":{"b":"text/plain"}},"tmp_name":{"a":{"b":"TMP"}},"error":{"a":{"b":0}},"size":{"a":{"b":4}}}
  keep: {"name":"k.txt","full_path":"k.txt","type":"text/plain","tmp_name":"TMP","error":0,"size":7}
  none: {"name":"","full_path":"","type":"application/octet-stream","tmp_name":"","error":4,"size":0}
  big: {"name":"big.bin","full_path":"big.bin","type":"application/octet-stream","tmp_name":"","error":1,"size":0}
left in upload_tmp_dir: 0
kept: "keep me"
stopped: 0
f: uploaded=true content="hello"
keep: uploaded=true content="keep me"
g[0]: uploaded=true content="\u0000\u0001\u0002"
g[1]: uploaded=true content=""
h: "deep"
move keep: true
move again: false
move a file not uploaded: false
-- PROCESS
200
{"title":"two files","arr":["a","b"],"x_y":"dot"}
bool(false)
array(1) {
  ["q"]=>
  string(1) "1"
}
files:
  f: {"name":"a.txt","full_path":"a.txt","type":"text/plain","tmp_name":"TMP","error":0,"size":5}
  g: {"name":["g1.bin","g2.txt"],"full_path":["g1.bin","dir/g2.txt"],"type":["application/octet-stream",""],"tmp_name":["TMP","TMP"],"error":[0,0],"size":[3,0]}
  h: {"name":{"a":{"b":"h.txt"}},"full_path":{"a":{"b":"h.txt"}},"type":{"a":{"b":"text/plain"}},"tmp_name":{"a":{"b":"TMP"}},"error":{"a":{"b":0}},"size":{"a":{"b":4}}}
  keep: {"name":"k.txt","full_path":"k.txt","type":"text/plain","tmp_name":"TMP","error":0,"size":7}
  none: {"name":"","full_path":"","type":"application/octet-stream","tmp_name":"","error":4,"size":0}
  big: {"name":"big.bin","full_path":"big.bin","type":"application/octet-stream","tmp_name":"","error":1,"size":0}
left in upload_tmp_dir: 0
kept: "keep me"
stopped: 0
f: uploaded=true content="hello"
keep: uploaded=true content="keep me"
g[0]: uploaded=true content="\u0000\u0001\u0002"
g[1]: uploaded=true content=""
h: "deep"
move keep: true
move again: false
move a file not uploaded: false
