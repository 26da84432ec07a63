--TEST--
Swoole\Http\Request::create() and parse(): a request filled from bytes in pieces (the method from the request line at once, the other properties once the head is in, the body's fields at its end); isCompleted(); getData(); parse_cookie off; false after the end and for a bad head
--EXTENSIONS--
swoole
--FILE--
<?php
use Swoole\Http\Request;

$data = "POST /p?a=1&b[]=2 HTTP/1.1\r\nHost: x\r\nCookie: s=1; t=2\r\n"
      . "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nk=v&w=2";
$r = Request::create();
var_dump($r->header, $r->isCompleted(), $r->getMethod());
var_dump($r->parse(substr($data, 0, 6)), $r->getMethod(), $r->server);
$head = strpos($data, "\r\n\r\n") + 4;
var_dump($r->parse(substr($data, 6, $head - 6)) === $head - 6, $r->isCompleted());
var_dump($r->header['host'], $r->server['request_method'], $r->server['request_uri'], $r->get, $r->cookie);
var_dump($r->parse(substr($data, $head) . "extra"), $r->isCompleted(), $r->post);
var_dump($r->getData() === $data);
var_dump($r->parse("more"));

$q = Request::create(['parse_cookie' => false, 'unknown' => 1]);
var_dump($q->parse("GET / HTTP/1.1\r\nCookie: s=1\r\n\r\n"), $q->cookie, $q->getMethod());

$bad = Request::create();
var_dump($bad->parse("GET / HTTP/7.0\r\n\r\n"));
var_dump($bad->parse("\r\n"));
var_dump($bad->getMethod());
?>
--EXPECTF--
array(0) {
}
bool(false)
bool(false)
int(6)
string(4) "POST"
NULL
bool(true)
bool(false)
string(1) "x"
string(4) "POST"
string(2) "/p"
array(2) {
  ["a"]=>
  string(1) "1"
  ["b"]=>
  array(1) {
    [0]=>
    string(1) "2"
  }
}
array(2) {
  ["s"]=>
  string(1) "1"
  ["t"]=>
  string(1) "2"
}
int(7)
bool(true)
array(2) {
  ["k"]=>
  string(1) "v"
  ["w"]=>
  string(1) "2"
}
bool(true)
bool(false)
int(31)
NULL
string(3) "GET"

Warning: Swoole\Http\Request::parse(): %s in %s on line %d
bool(false)

Warning: Swoole\Http\Request::parse(): %s in %s on line %d
bool(false)
bool(false)
