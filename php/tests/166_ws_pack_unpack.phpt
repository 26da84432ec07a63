--TEST--
Swoole\WebSocket\Server::pack/unpack and Frame: RFC 6455 §5.7's examples, round trips of every length form, masks, flags, Frame and CloseFrame objects, __toString, bad input (pack takes any opcode 0..10 and long control frames, as Swoole's; unpack stays strict); the constants and class aliases
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\WebSocket\{Server, Frame, CloseFrame};

echo "-- RFC 6455 §5.7\n";
var_dump(Server::pack("Hello") === "\x81\x05Hello");
$f = Server::unpack("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"); /* masked "Hello" */
echo "masked: {$f->data} op={$f->opcode} fin=", var_export($f->finish, true), " flags={$f->flags}\n";
var_dump(Server::pack("Hel", WEBSOCKET_OPCODE_TEXT, false) === "\x01\x03Hel");
var_dump(Server::pack("lo", WEBSOCKET_OPCODE_CONTINUATION) === "\x80\x02lo");
var_dump(Server::pack("Hello", WEBSOCKET_OPCODE_PING) === "\x89\x05Hello");
var_dump(Server::pack("Hello", WEBSOCKET_OPCODE_PONG) === "\x8a\x05Hello");
var_dump(substr(Server::pack(str_repeat("x", 256), WEBSOCKET_OPCODE_BINARY), 0, 4) === "\x82\x7e\x01\x00");
var_dump(substr(Server::pack(str_repeat("x", 65536), WEBSOCKET_OPCODE_BINARY), 0, 10) === "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00");

echo "-- round trips\n";
$ok = 0;
$n = 0;
foreach ([0, 1, 125, 126, 127, 65535, 65536, 100000] as $len) {
    foreach ([WEBSOCKET_OPCODE_TEXT, WEBSOCKET_OPCODE_BINARY, WEBSOCKET_OPCODE_CONTINUATION] as $op) {
        foreach ([true, false] as $fin) {
            foreach ([false, true] as $mask) {
                $data = $len ? random_bytes($len) : "";
                $bytes = Server::pack($data, $op, $fin, $mask);
                $head = ($len < 126 ? 2 : ($len < 65536 ? 4 : 10)) + ($mask ? 4 : 0);
                $f = Frame::unpack($bytes . "trailing bytes");
                $n++;
                $ok += strlen($bytes) === $head + $len && $f->data === $data && $f->opcode === $op
                    && $f->finish === $fin && (bool)(ord($bytes[1]) & 0x80) === $mask
                    && $f->flags === (($fin ? SWOOLE_WEBSOCKET_FLAG_FIN : 0) | ($mask ? SWOOLE_WEBSOCKET_FLAG_MASK : 0))
                    && ($mask || $len === 0 || substr($bytes, $head) === $data);
            }
        }
    }
}
echo "$ok/$n\n";
/* flags as an int: FIN, RSV bits, MASK */
$b = Server::pack("z", WEBSOCKET_OPCODE_TEXT, SWOOLE_WEBSOCKET_FLAG_FIN | SWOOLE_WEBSOCKET_FLAG_RSV1 | SWOOLE_WEBSOCKET_FLAG_MASK);
printf("flags: %02x %02x, unpacked flags=%d\n", ord($b[0]), ord($b[1]) & 0x80, Server::unpack($b)->flags);
/* two masks of the same data differ (a random key) */
var_dump(Server::pack("same", 1, true, true) !== Server::pack("same", 1, true, true));

echo "-- objects\n";
var_dump(new Frame, new CloseFrame);
$f = new Frame;
$f->data = "bin";
$f->opcode = WEBSOCKET_OPCODE_BINARY;
var_dump(Server::pack($f) === "\x82\x03bin", (string)$f === "\x82\x03bin");
$f->finish = false;
var_dump(bin2hex((string)$f));
$c = new CloseFrame;
$c->code = WEBSOCKET_CLOSE_GOING_AWAY;
$c->reason = "gone";
var_dump(bin2hex(Server::pack($c)));
$u = Server::unpack((string)$c);
echo get_class($u), " code={$u->code} reason={$u->reason}\n";
$u = Server::unpack("\x88\x00");
echo get_class($u), " code={$u->code} reason=", json_encode($u->reason), "\n";

echo "-- bad input\n";
/* pack() takes what Swoole's takes: a reserved opcode, a control frame
 * over 125 bytes (made final); push() and unpack() stay strict */
var_dump(bin2hex(Server::pack("x", 3)));
var_dump(Server::pack("x", 99));
var_dump(Server::pack("x", -1));
var_dump(bin2hex(substr(Server::pack(str_repeat("p", 126), WEBSOCKET_OPCODE_PING), 0, 4)));
var_dump(bin2hex(Server::pack("p", WEBSOCKET_OPCODE_PING, false)));
$c->reason = str_repeat("r", 124);
var_dump(Server::pack($c));
try {
    echo (string)$c;
} catch (ValueError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
try {
    Server::pack("x", 1, 64);
} catch (ValueError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
try {
    Server::pack("x", 1, "yes");
} catch (TypeError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
try {
    Server::pack([]);
} catch (TypeError $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
var_dump(Server::unpack(""), Server::unpack("\x81"), Server::unpack("\x81\x05Hel"), Server::unpack("\x81\xfe\x01"));
var_dump(Server::unpack("\x83\x00"));
var_dump(Server::unpack("\x89\x7e\x00\x7e"));
var_dump(Server::unpack("\x09\x00"));
var_dump(Server::unpack("\x88\x01x"));

echo "-- constants\n";
foreach (get_defined_constants(true)['swoole'] as $name => $v) {
    if (str_contains($name, 'WEBSOCKET') && !str_starts_with($name, 'SWOOLE_ERROR_')) {
        echo "$name=$v\n";
    }
}
foreach (['swoole_websocket_server', 'swoole_websocket_frame', 'swoole_websocket_closeframe'] as $alias) {
    echo "$alias: ", (new ReflectionClass($alias))->getName(), "\n";
}
var_dump(is_subclass_of(Swoole\WebSocket\Server::class, Swoole\Http\Server::class));
?>
--EXPECTF--
-- RFC 6455 §5.7
bool(true)
masked: Hello op=1 fin=true flags=33
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
-- round trips
96/96
flags: c1 80, unpacked flags=37
bool(true)
-- objects
object(Swoole\WebSocket\Frame)#%d (5) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(0) ""
  ["opcode"]=>
  int(1)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
}
object(Swoole\WebSocket\CloseFrame)#%d (7) {
  ["fd"]=>
  int(0)
  ["data"]=>
  string(0) ""
  ["opcode"]=>
  int(8)
  ["flags"]=>
  int(1)
  ["finish"]=>
  bool(true)
  ["code"]=>
  int(1000)
  ["reason"]=>
  string(0) ""
}
bool(true)
bool(true)
string(10) "020362696e"
string(16) "880603e9676f6e65"
Swoole\WebSocket\CloseFrame code=1001 reason=gone
Swoole\WebSocket\CloseFrame code=1005 reason=""
-- bad input
string(6) "830178"

Warning: Swoole\WebSocket\Server::pack(): the opcode must be between 0 and 10 (WEBSOCKET_OPCODE_*) in %s on line %d
bool(false)

Warning: Swoole\WebSocket\Server::pack(): the opcode must be between 0 and 10 (WEBSOCKET_OPCODE_*) in %s on line %d
bool(false)
string(8) "897e007e"
string(6) "890170"

Warning: Swoole\WebSocket\Server::pack(): the close reason has more than 123 bytes in %s on line %d
bool(false)
ValueError: the close reason has more than 123 bytes
ValueError: Swoole\WebSocket\Server::pack(): Argument #3 ($finish) must be a bool or SWOOLE_WEBSOCKET_FLAG_* bits
TypeError: Swoole\WebSocket\Server::pack(): Argument #3 ($finish) must be of type int|bool, string given
TypeError: Swoole\WebSocket\Server::pack(): Argument #1 ($data) must be of type Swoole\WebSocket\Frame|string, array given
bool(false)
bool(false)
bool(false)
bool(false)

Warning: Swoole\WebSocket\Server::unpack(): websocket: reserved opcode 3 in %s on line %d
bool(false)

Warning: Swoole\WebSocket\Server::unpack(): websocket: control frame (opcode 9) with a payload over 125 bytes in %s on line %d
bool(false)

Warning: Swoole\WebSocket\Server::unpack(): websocket: fragmented control frame (opcode 9) in %s on line %d
bool(false)

Warning: Swoole\WebSocket\Server::unpack(): a close frame's payload is empty or starts with a 2-byte code, not 1 byte in %s on line %d
bool(false)
-- constants
WEBSOCKET_OPCODE_CONTINUATION=0
WEBSOCKET_OPCODE_TEXT=1
WEBSOCKET_OPCODE_BINARY=2
WEBSOCKET_OPCODE_CLOSE=8
WEBSOCKET_OPCODE_PING=9
WEBSOCKET_OPCODE_PONG=10
SWOOLE_WEBSOCKET_OPCODE_CONTINUATION=0
SWOOLE_WEBSOCKET_OPCODE_TEXT=1
SWOOLE_WEBSOCKET_OPCODE_BINARY=2
SWOOLE_WEBSOCKET_OPCODE_CLOSE=8
SWOOLE_WEBSOCKET_OPCODE_PING=9
SWOOLE_WEBSOCKET_OPCODE_PONG=10
WEBSOCKET_STATUS_CONNECTION=1
WEBSOCKET_STATUS_HANDSHAKE=2
WEBSOCKET_STATUS_FRAME=3
WEBSOCKET_STATUS_ACTIVE=3
WEBSOCKET_STATUS_CLOSING=4
SWOOLE_WEBSOCKET_STATUS_CONNECTION=1
SWOOLE_WEBSOCKET_STATUS_HANDSHAKE=2
SWOOLE_WEBSOCKET_STATUS_FRAME=3
SWOOLE_WEBSOCKET_STATUS_ACTIVE=3
SWOOLE_WEBSOCKET_STATUS_CLOSING=4
WEBSOCKET_CLOSE_NORMAL=1000
WEBSOCKET_CLOSE_GOING_AWAY=1001
WEBSOCKET_CLOSE_PROTOCOL_ERROR=1002
WEBSOCKET_CLOSE_DATA_ERROR=1003
WEBSOCKET_CLOSE_STATUS_ERROR=1005
WEBSOCKET_CLOSE_ABNORMAL=1006
WEBSOCKET_CLOSE_MESSAGE_ERROR=1007
WEBSOCKET_CLOSE_POLICY_ERROR=1008
WEBSOCKET_CLOSE_MESSAGE_TOO_BIG=1009
WEBSOCKET_CLOSE_EXTENSION_MISSING=1010
WEBSOCKET_CLOSE_SERVER_ERROR=1011
WEBSOCKET_CLOSE_TLS=1015
SWOOLE_WEBSOCKET_CLOSE_NORMAL=1000
SWOOLE_WEBSOCKET_CLOSE_GOING_AWAY=1001
SWOOLE_WEBSOCKET_CLOSE_PROTOCOL_ERROR=1002
SWOOLE_WEBSOCKET_CLOSE_DATA_ERROR=1003
SWOOLE_WEBSOCKET_CLOSE_STATUS_ERROR=1005
SWOOLE_WEBSOCKET_CLOSE_ABNORMAL=1006
SWOOLE_WEBSOCKET_CLOSE_MESSAGE_ERROR=1007
SWOOLE_WEBSOCKET_CLOSE_POLICY_ERROR=1008
SWOOLE_WEBSOCKET_CLOSE_MESSAGE_TOO_BIG=1009
SWOOLE_WEBSOCKET_CLOSE_EXTENSION_MISSING=1010
SWOOLE_WEBSOCKET_CLOSE_SERVER_ERROR=1011
SWOOLE_WEBSOCKET_CLOSE_TLS=1015
SWOOLE_WEBSOCKET_FLAG_FIN=1
SWOOLE_WEBSOCKET_FLAG_COMPRESS=2
SWOOLE_WEBSOCKET_FLAG_RSV1=4
SWOOLE_WEBSOCKET_FLAG_RSV2=8
SWOOLE_WEBSOCKET_FLAG_RSV3=16
SWOOLE_WEBSOCKET_FLAG_MASK=32
swoole_websocket_server: Swoole\WebSocket\Server
swoole_websocket_frame: Swoole\WebSocket\Frame
swoole_websocket_closeframe: Swoole\WebSocket\CloseFrame
bool(true)
