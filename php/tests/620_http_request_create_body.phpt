--TEST--
Request::create() + parse(): getContent()/rawContent() give the body the parser took (whole, or fed in pieces); hostile bytes are refused with a warning and no body
--EXTENSIONS--
swoole
--FILE--
<?php
$in = "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
$r = Swoole\Http\Request::create();
var_dump($r->parse($in), $r->getContent(), $r->rawContent());
$r = Swoole\Http\Request::create();
$n = 0;
for ($i = 0; $i < strlen($in); $i++)
    $n += $r->parse($in[$i]);
var_dump($n, $r->isCompleted(), $r->getContent());
$r = Swoole\Http\Request::create();
var_dump($r->parse("GET / HTTP/1.1\r\n\r\n"), $r->getContent());
$r = Swoole\Http\Request::create();
var_dump($r->parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"), $r->isCompleted(), $r->getContent());
foreach (["POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nabc",
          "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nabc",
          "GET /\0x HTTP/1.1\r\n\r\n"] as $bad) {
    $r = Swoole\Http\Request::create();
    var_dump(@$r->parse($bad), $r->isCompleted(), $r->getContent());
}
?>
--EXPECT--
int(44)
string(5) "hello"
string(5) "hello"
int(44)
bool(true)
string(5) "hello"
int(18)
string(0) ""
int(42)
bool(false)
string(3) "abc"
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
