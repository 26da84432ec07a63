--TEST--
Swoole\Client SWOOLE_SOCK_TCP | SWOOLE_SSL against a swirl TLS server with a self-signed certificate: verified with ssl_cafile, refused unverified, accepted with ssl_verify_peer off; framing and sendfile over TLS
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
require __DIR__ . '/client.inc';
$dir = sys_get_temp_dir() . '/swirl-client-tls-' . getmypid();
@mkdir($dir);
$cert = "$dir/cert.pem";
$key = "$dir/key.pem";
$pid = 0;
try {
    exec('openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '
         . escapeshellarg($key) . ' -out ' . escapeshellarg($cert) . ' 2>&1', $out, $rc);
    var_dump($rc, is_file($cert) && is_file($key));
    [$pid, $port] = client_server(SWOOLE_SOCK_TCP | SWOOLE_SSL,
                                  ['ssl_cert_file' => $cert, 'ssl_key_file' => $key]);

    // verified: the certificate is its own CA, the name is localhost
    $c = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    var_dump($c->set(['ssl_verify_peer' => true, 'ssl_cafile' => $cert,
                      'open_eof_split' => true, 'package_eof' => "\r\n"]));
    var_dump($c->connect('localhost', $port, 5.0), $c->isConnected());
    $c->send("eof3\n");
    var_dump($c->recv(), $c->recv(), $c->recv());
    $c->send('line:' . pattern(300000) . "\n");
    var_dump($c->recv() === pattern(300000) . "\r\n");
    $file = "$dir/body.txt";
    file_put_contents($file, 'line:' . pattern(100000) . "\n");
    var_dump($c->sendfile($file), $c->recv() === pattern(100000) . "\r\n");
    // a forked child that ends frees its copy: no close_notify on our session
    $child = pcntl_fork();
    if ($child === 0) {
        exit(0);
    }
    pcntl_waitpid($child, $st);
    usleep(100000);
    $c->send("line:after fork\n");
    var_dump($c->recv());
    var_dump($c->close());

    // the name checked is the one connected to, unless ssl_host_name says otherwise
    $n = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $n->set(['ssl_cafile' => $cert]);
    var_dump(@$n->connect('127.0.0.1', $port, 5.0), $n->errCode);
    $n = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $n->set(['ssl_cafile' => $cert, 'ssl_host_name' => 'localhost']);
    var_dump($n->connect('127.0.0.1', $port, 5.0));
    $n->send("echo:sni\n");
    var_dump($n->recv());
    unset($n);

    // unverified: verification is on by default and the system store does not know this CA
    $u = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    var_dump(@$u->connect('localhost', $port, 5.0), $u->errCode, $u->isConnected(), $u->sock);
    var_dump(str_contains($u->errMsg, 'certificate'));
    // explicitly with ssl_verify_peer and another CA file: refused too
    $other = "$dir/other.pem";
    exec('openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '
         . escapeshellarg("$dir/other.key") . ' -out ' . escapeshellarg($other) . ' 2>&1', $out, $rc);
    $u = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $u->set(['ssl_verify_peer' => true, 'ssl_cafile' => $other]);
    var_dump(@$u->connect('localhost', $port, 5.0), $u->errCode);

    // not verified: accepted, as Swoole's default
    $p = new Swoole\Client(SWOOLE_SOCK_TCP | SWOOLE_SSL);
    $p->set(['ssl_verify_peer' => false]);
    var_dump($p->connect('127.0.0.1', $port, 5.0));
    $p->send("echo:plain enough\n");
    var_dump($p->recv());
    $p->close();

    // a plain client on the TLS port gets no answer it can read
    $x = new Swoole\Client(SWOOLE_SOCK_TCP);
    $x->set(['timeout' => 0.5]);
    $x->connect('127.0.0.1', $port);
    $x->send("echo:hello\n");
    var_dump(@$x->recv() !== 'hello');
    $x->close();
} finally {
    if ($pid) {
        echo "stopped: ", server_stop($pid), "\n";
        log_take();
    }
    foreach (glob("$dir/*") as $f) unlink($f);
    @rmdir($dir);
}
var_dump(is_dir($dir));
?>
--EXPECT--
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
string(3) "a
"
string(4) "bb
"
string(5) "ccc
"
bool(true)
bool(true)
bool(true)
string(12) "after fork
"
bool(true)
bool(false)
int(508)
bool(true)
string(3) "sni"
bool(false)
int(508)
bool(false)
int(-1)
bool(true)
bool(false)
int(508)
bool(true)
string(12) "plain enough"
bool(true)
stopped: 0
bool(false)
