--TEST--
Swoole\Server::set(): Swoole's keys kernel_socket_send_buffer_size/kernel_socket_recv_buffer_size (per port), single_thread, send_yield, max_request_grace, max_queued_bytes, output_buffer_size (buffer_output_size), message_queue_key; sizes as PHP reads them ("2M"), bad values named; a size PHP cannot read is Swoole's fatal error
--EXTENSIONS--
swoole
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
var_dump($s->set([
    'kernel_socket_send_buffer_size' => '64K',
    'kernel_socket_recv_buffer_size' => 131072,
    'single_thread' => true,
    'send_yield' => true,
    'max_request' => 100,
    'max_request_grace' => 0,
    'max_queued_bytes' => '1m',
    'output_buffer_size' => '4M',
    'message_queue_key' => 0x5157,
]));
foreach (['kernel_socket_send_buffer_size', 'single_thread', 'max_queued_bytes', 'output_buffer_size', 'message_queue_key'] as $k) {
    echo $k, ": ", var_export($s->setting[$k], true), "\n";
}
/* a port takes the kernel buffer keys */
$p = $s->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
var_dump($p->set(['kernel_socket_send_buffer_size' => 8192]));
/* bad values: a warning naming the key, false */
var_dump($s->set(['max_queued_bytes' => -1]));
var_dump($s->set(['max_request_grace' => -5]));
var_dump($s->set(['single_thread' => []]));
var_dump($s->set(['buffer_output_size' => '2M']));
var_dump($s->set(['buffer_output_size' => 2 * 1024 * 1024]));
$s->set(['buffer_output_size' => 'xxx--2M']);
echo "not reached\n";
?>
--EXPECTF--
bool(true)
kernel_socket_send_buffer_size: '64K'
single_thread: true
max_queued_bytes: '1m'
output_buffer_size: '4M'
message_queue_key: 20823
bool(true)

Warning: Swoole\Server::set(): max_queued_bytes: %s in %s on line %d
bool(false)

Warning: Swoole\Server::set(): max_request_grace: %s in %s on line %d
bool(false)

Warning: Swoole\Server::set(): setting `single_thread`: array is not a valid value in %s on line %d
bool(false)
bool(true)
bool(true)

Fatal error: Swoole\Server::set(): failed to parse 'xxx--2M' to size, Error: Invalid quantity "xxx--2M": no valid leading digits, interpreting as "0" for backwards compatibility in %s on line %d
