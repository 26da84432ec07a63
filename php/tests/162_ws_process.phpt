--TEST--
Swoole\WebSocket\Server SWOOLE_PROCESS: open/message/close, plain HTTP, fragments both ways, ping between fragments, 70 000 bytes, websocket_status, push to a plain connection, disconnect, client close, unmasked frame
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/ws_scenario.inc';
ws_scenario(SWOOLE_PROCESS);
?>
--EXPECT--
plain: 200 {"uri":"\/plain","status":1}
welcome /chat
{"status":3,"est":true,"exist":true,"gone_exist":false,"gone_est":false,"finish":true,"flags":1,"class":"Swoole\\WebSocket\\Frame"}
op=10 p1
len=11 op=1 md5=5eb63bbbe01eeed093cb22bb8f5acdc3 (5eb63bbbe01eeed093cb22bb8f5acdc3)
big in: ok
big out: op=2 fin=1 ok
fragment op=1 fin=0 a
fragment op=0 fin=0 b
fragment op=0 fin=1 c
frame object: op=2 0001
push to the plain connection: false
push to the plain connection: false
close 4000 bye now
ended: true
welcome /2
close 1000 
ended: true
welcome /3
close 1002 client frame not masked
ended: true
stopped: 0
close
close
close
close
disconnect true status=4 est=false push=false
open /2 get=null
open /3 get=null
open /chat get={"room":"1"}
warning: Swoole\WebSocket\Server::push(): websocket: push to connection N: not an established WebSocket (status 1)
warning: Swoole\WebSocket\Server::push(): websocket: push to connection N: not an established WebSocket (status 4)
