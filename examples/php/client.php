<?php
/* Seed 002 §3: the blocking client (swoole_client) against a TCP echo
 * server, e.g. examples/php/echo_server.php. The seed's snippets, completed
 * where they are incomplete: the server's address comes from argv (default
 * the seed's port 9501 on 127.0.0.1, not its 192.168.1.100:8080), the
 * settings of its set() examples 1-4 and 6 are used on real connections
 * (example 5, a TLS client certificate, needs a TLS server: see
 * php/tests/134_client_tls.phpt), and each step prints what came back.
 * Usage: php client.php [HOST:PORT] */
$addr = $argv[1] ?? '127.0.0.1:9501';

// __construct: a blocking TCP client; connect("host:port") as in the seed
$client = new swoole_client(SWOOLE_SOCK_TCP);
// set() examples 3 and 4: socket buffers, no Nagle
$client->set(array(
    'socket_buffer_size' => 1024 * 1024 * 2, //2M缓存区
    'open_tcp_nodelay' => true,
));
if (!$client->connect($addr)) {
    exit("connect failed. Error: {$client->errCode}\n");
}
$client->send("hello world\n");
echo "recv: ", $client->recv();
$client->close();

// set() example 1: end-of-message detection; recv returns one whole message
$client = new swoole_client(SWOOLE_SOCK_TCP);
$client->set(
    array(
        'open_eof_check'      => true,
        'package_eof'         => "\r\n\r\n",
        'package_max_length' => 1024 * 1024 * 2,
    )
);
$client->connect($addr, 0, 1.0);
$client->send("GET / HTTP/1.0\r\n");
$client->send("Host: example\r\n\r\n");
echo "eof: ", json_encode($client->recv()), "\n";
$client->close();

// set() example 2: a length field; a 100 KB message in one recv
$client = new swoole_client(SWOOLE_SOCK_TCP);
$client->set(
    array(
        'open_length_check'    => 1,
        'package_length_type'  => 'N',
        'package_length_offset' => 0,
        'package_body_offset'  => 4,
        'package_max_length'   => 2000000,
    )
);
$client->connect($addr, 0, 1.0);
$body = str_repeat('swirl ', intdiv(100000, 6));
$client->send(pack('N', strlen($body)) . $body);
$message = $client->recv();
echo "length: ", strlen($message) - 4, " bytes, ", substr($message, 4) === $body ? "intact" : "damaged", "\n";
$client->close();

// set() example 6: the local address to connect from
$client = new swoole_client(SWOOLE_SOCK_TCP);
$client->set(array('bind_address' => '127.0.0.1', 'bind_port' => 0));
$client->connect($addr);
echo "bound to: ", $client->getsockname()['host'], "\n";
$client->close();

// SWOOLE_KEEP: the second client reuses the first one's connection
$cli = new swoole_client(SWOOLE_TCP | SWOOLE_KEEP);
$cli->connect($addr);
$first = $cli->getsockname()['port'];
$cli->close();
$cli = new swoole_client(SWOOLE_TCP | SWOOLE_KEEP);
$cli->connect($addr);
echo "keep: ", $cli->getsockname()['port'] === $first ? "the same connection" : "a new connection", "\n";
$cli->send("still echoing\n");
echo "recv: ", $cli->recv();

// errCode tells why a call failed: here nobody listens on port 1
$client = new swoole_client(SWOOLE_SOCK_TCP);
if (!@$client->connect('127.0.0.1', 1)) {
    echo "connect to port 1 failed: errCode {$client->errCode} (", swoole_strerror($client->errCode), ")\n";
}
