--TEST--
Swoole\Http\Request in BASE and PROCESS mode: header (lower-cased names), server, get/post/cookie by PHP's rules (a[]=, a[x]=, dots, first cookie wins, raw cookie values), urlencoded, JSON and chunked bodies, rawContent/getContent/getData/getMethod, HTTP/1.0
--EXTENSIONS--
swoole
pcntl
--FILE--
<?php
require __DIR__ . '/http.inc';

function show(string $what, array $r): void {
    echo "$what: ", json_encode($r, JSON_UNESCAPED_SLASHES), "\n";
}

foreach ([SWOOLE_BASE, SWOOLE_PROCESS] as $mode) {
    echo "-- ", mode_name($mode), "\n";
    [$pid, $port] = http_run($mode, [], function (Swoole\Http\Request $req, Swoole\Http\Response $resp) {
        $out = [
            'method' => $req->getMethod(),
            'header' => $req->header,
            'get' => $req->get,
            'post' => $req->post,
            'cookie' => $req->cookie,
            'files' => $req->files,
            'raw' => $req->rawContent(),
            'same' => $req->getContent() === $req->rawContent(),
            'data' => $req->getData(),
            'fd' => $req->fd,
            'streamId' => $req->streamId,
            'server' => $req->server,
        ];
        $resp->end(json_encode($out));
    });
    $check = function (array $r, $c = null) use ($port) {
        $o = json_decode($r['body'], true);
        $s = $o['server'];
        echo "server keys: ", implode(',', array_keys($s)), "\n";
        printf("server: %s %s %s %s%s port=%s remote=%s time=%s fd=%s\n", $s['request_method'],
            $s['request_uri'], $s['path_info'], $s['server_protocol'],
            isset($s['query_string']) ? " query=$s[query_string]" : '',
            var_export($s['server_port'] === $port, true),
            var_export($c === null || "$s[remote_addr]:$s[remote_port]" === stream_socket_get_name($c, false), true),
            var_export(abs($s['request_time'] - time()) <= 5 && is_float($s['request_time_float'])
                && (int)$s['request_time_float'] === $s['request_time'] && $s['master_time'] === $s['request_time'], true),
            var_export($o['fd'] > 0 && $o['streamId'] === 0, true));
        return $o;
    };

    /* a query with arrays, dots and escapes; headers; cookies */
    $c = client($port);
    fwrite($c, http_req('GET', '/some/path?a[]=1&a[]=2&b[x]=3&c.d=4&e=%41+b&f', [
        'X-Custom-Header: Va lue', 'Cookie: k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue']));
    $o = $check(http_read($c), $c);
    fclose($c);
    show('header', $o['header']);
    show('get', $o['get']);
    show('cookie', $o['cookie']);
    var_dump($o['post'], $o['files'], $o['raw'], $o['same']);
    echo "data: ", json_encode($o['data']), "\n";

    /* urlencoded body */
    $o = $check(http_do($port, 'POST', '/form', ['Content-Type: application/x-www-form-urlencoded'],
                        'p=1&q[]=2&q[]=3&r[k]=v+w&s=%26'));
    show('post', $o['post']);
    var_dump($o['get'], $o['cookie'], $o['raw'], $o['method']);

    /* JSON body: not parsed */
    $o = $check(http_do($port, 'PUT', '/json?x=1', ['Content-Type: application/json'], '{"a":[1,2]}'));
    var_dump($o['post'], $o['raw'], $o['same'], $o['method']);

    /* a chunked urlencoded body */
    $c = client($port);
    fwrite($c, "POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
        . "Content-Type: application/x-www-form-urlencoded\r\n\r\n4\r\nx=12\r\n3\r\n&y=\r\n1\r\n3\r\n0\r\n\r\n");
    $o = $check(http_read($c));
    fclose($c);
    show('chunked post', $o['post']);
    var_dump($o['raw']);

    /* HTTP/1.0, no query */
    $c = client($port);
    fwrite($c, "GET /old HTTP/1.0\r\n\r\n");
    $o = $check(http_read($c));
    var_dump($o['get'], $o['header']);
    fclose($c);

    echo "stopped: ", server_stop($pid), "\n";
    echo http_log();
}
?>
--EXPECT--
-- BASE
server keys: request_method,request_uri,path_info,query_string,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: GET /some/path /some/path HTTP/1.1 query=a[]=1&a[]=2&b[x]=3&c.d=4&e=%41+b&f port=true remote=true time=true fd=true
header: {"host":"127.0.0.1","x-custom-header":"Va lue","cookie":"k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue"}
get: {"a":["1","2"],"b":{"x":"3"},"c_d":"4","e":"A b","f":""}
cookie: {"k":"v+1 ","a":["1"],"sp_ace":"2","novalue":""}
NULL
NULL
string(0) ""
bool(true)
data: "GET \/some\/path?a[]=1&a[]=2&b[x]=3&c.d=4&e=%41+b&f HTTP\/1.1\r\nHost: 127.0.0.1\r\nX-Custom-Header: Va lue\r\nCookie: k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue\r\n\r\n"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: POST /form /form HTTP/1.1 port=true remote=true time=true fd=true
post: {"p":"1","q":["2","3"],"r":{"k":"v w"},"s":"&"}
NULL
NULL
string(30) "p=1&q[]=2&q[]=3&r[k]=v+w&s=%26"
string(4) "POST"
server keys: request_method,request_uri,path_info,query_string,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: PUT /json /json HTTP/1.1 query=x=1 port=true remote=true time=true fd=true
NULL
string(11) "{"a":[1,2]}"
bool(true)
string(3) "PUT"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: POST /chunked /chunked HTTP/1.1 port=true remote=true time=true fd=true
chunked post: {"x":"12","y":"3"}
string(8) "x=12&y=3"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: GET /old /old HTTP/1.0 port=true remote=true time=true fd=true
NULL
array(0) {
}
stopped: 0
-- PROCESS
server keys: request_method,request_uri,path_info,query_string,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: GET /some/path /some/path HTTP/1.1 query=a[]=1&a[]=2&b[x]=3&c.d=4&e=%41+b&f port=true remote=true time=true fd=true
header: {"host":"127.0.0.1","x-custom-header":"Va lue","cookie":"k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue"}
get: {"a":["1","2"],"b":{"x":"3"},"c_d":"4","e":"A b","f":""}
cookie: {"k":"v+1 ","a":["1"],"sp_ace":"2","novalue":""}
NULL
NULL
string(0) ""
bool(true)
data: "GET \/some\/path?a[]=1&a[]=2&b[x]=3&c.d=4&e=%41+b&f HTTP\/1.1\r\nHost: 127.0.0.1\r\nX-Custom-Header: Va lue\r\nCookie: k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue\r\n\r\n"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: POST /form /form HTTP/1.1 port=true remote=true time=true fd=true
post: {"p":"1","q":["2","3"],"r":{"k":"v w"},"s":"&"}
NULL
NULL
string(30) "p=1&q[]=2&q[]=3&r[k]=v+w&s=%26"
string(4) "POST"
server keys: request_method,request_uri,path_info,query_string,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: PUT /json /json HTTP/1.1 query=x=1 port=true remote=true time=true fd=true
NULL
string(11) "{"a":[1,2]}"
bool(true)
string(3) "PUT"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: POST /chunked /chunked HTTP/1.1 port=true remote=true time=true fd=true
chunked post: {"x":"12","y":"3"}
string(8) "x=12&y=3"
server keys: request_method,request_uri,path_info,request_time,request_time_float,server_protocol,server_port,remote_port,remote_addr,master_time
server: GET /old /old HTTP/1.0 port=true remote=true time=true fd=true
NULL
array(0) {
}
stopped: 0
