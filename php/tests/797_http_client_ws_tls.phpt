--TEST--
Swoole\Http\Client WebSocket over TLS (wss) against swirl's WebSocket\Server with a self-signed certificate: verified with ssl_verify_peer and ssl_cafile, ssl_host_name for another name, refused when the certificate cannot be verified (the error event, statusCode -1, errMsg naming it), accepted with verification off
--EXTENSIONS--
swoole
pcntl
--SKIPIF--
<?php
exec('openssl version 2>/dev/null', $out, $rc);
if ($rc !== 0) die('skip the openssl command is needed to make a certificate');
?>
--FILE--
<?php
require __DIR__ . '/ws_client.inc';
$dir = sys_get_temp_dir() . '/swirl-797-' . getmypid();
@mkdir($dir);
$cert = "$dir/cert.pem";
$key = "$dir/key.pem";
exec('openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '
     . escapeshellarg($key) . ' -out ' . escapeshellarg($cert) . ' 2>&1', $out, $rc);
[$pid, $port] = wsc_server(['ssl_cert_file' => $cert, 'ssl_key_file' => $key], false,
                           SWOOLE_SOCK_TCP | SWOOLE_SSL);

function run(string $host, int $port, array $set, string $what) {
    $c = new Swoole\Http\Client($host, $port, true);
    $c->set($set + ['timeout' => 3]);
    $c->on('message', function ($c, $f) use ($what) {
        if ($f->opcode === WEBSOCKET_OPCODE_TEXT && $f->data === "over tls") {
            echo "$what: echo over wss\n";
            $c->close();
        }
    });
    $c->on('error', function ($c) use ($what) { echo "$what: error event\n"; });
    $c->on('close', function ($c) use ($what) { echo "$what: close event\n"; });
    $c->upgrade('/tls', function ($c) use ($what) {
        echo "$what: status=", $c->statusCode, $c->statusCode === 101 ? '' : ' errMsg set: ' . (int)($c->errMsg !== ''), "\n";
        if ($c->statusCode === 101) {
            $c->push('over tls');
        }
    });
    swoole_event_wait();
}
run('localhost', $port, ['ssl_verify_peer' => true, 'ssl_cafile' => $cert], 'verified');
run('127.0.0.1', $port, ['ssl_verify_peer' => true, 'ssl_cafile' => $cert, 'ssl_host_name' => 'localhost'], 'host name');
run('127.0.0.1', $port, ['ssl_verify_peer' => true, 'ssl_cafile' => $cert], 'wrong name');
run('localhost', $port, ['ssl_verify_peer' => true], 'unknown CA');
run('localhost', $port, [], 'unverified');
ws_server_stop($pid);
@unlink($cert);
@unlink($key);
@rmdir($dir);
echo "done\n";
?>
--EXPECT--
verified: status=101
verified: echo over wss
verified: close event
host name: status=101
host name: echo over wss
host name: close event
wrong name: error event
wrong name: status=-1 errMsg set: 1
unknown CA: error event
unknown CA: status=-1 errMsg set: 1
unverified: status=101
unverified: echo over wss
unverified: close event
done
