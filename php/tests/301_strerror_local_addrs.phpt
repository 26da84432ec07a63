--TEST--
swoole_strerror with SWOOLE_STRERROR_* types and Swoole's SWOOLE_ERROR_* codes; swoole_get_local_ip, swoole_get_local_mac; swoole_clear_dns_cache
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(SWOOLE_STRERROR_SYSTEM, SWOOLE_STRERROR_GAI, SWOOLE_STRERROR_DNS, SWOOLE_STRERROR_SWOOLE);
var_dump(SWOOLE_ERROR_MALLOC_FAIL, SWOOLE_ERROR_FILE_NOT_EXIST, SWOOLE_ERROR_SESSION_CLOSED_BY_SERVER,
         SWOOLE_ERROR_SERVER_MUST_CREATED_BEFORE_CLIENT, SWOOLE_ERROR_CO_TIMEDOUT);
var_dump(swoole_strerror(104)      /* ECONNRESET */);
var_dump(swoole_strerror(SWOOLE_ERROR_FILE_NOT_EXIST));
var_dump(swoole_strerror(SWOOLE_ERROR_CO_TIMEDOUT));
var_dump(swoole_strerror(SWOOLE_ERROR_MALLOC_FAIL - 1), swoole_strerror(SWOOLE_ERROR_MALLOC_FAIL - 1, SWOOLE_STRERROR_SWOOLE));
var_dump(swoole_strerror(555));                                  // a gap in Swoole's range
var_dump(swoole_strerror(-4, SWOOLE_STRERROR_GAI));              // EAI_FAIL
var_dump(swoole_strerror(2, SWOOLE_STRERROR_DNS));               // NO_ADDRESS
// a code in Swoole's range is Swoole's, asked for or not (swoole_last_error() gives Swoole's codes)
var_dump(swoole_strerror(1011), swoole_strerror(1011, SWOOLE_STRERROR_SWOOLE));
var_dump(swoole_strerror(PHP_INT_MAX));

$ips = swoole_get_local_ip();
var_dump(is_array($ips));
foreach ($ips as $if => $ip) {
    if (!is_string($if) || filter_var($ip, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== $ip || str_starts_with($ip, '127.')) {
        echo "bad: $if => $ip\n";
    }
}
foreach (swoole_get_local_ip(10 /* AF_INET6 */) as $if => $ip) {
    if (filter_var($ip, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== $ip || $ip === '::1') {
        echo "bad: $if => $ip\n";
    }
}
$macs = swoole_get_local_mac();
var_dump(is_array($macs), isset($macs['lo']));
foreach ($macs as $if => $mac) {
    if (!preg_match('/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/', $mac)) {
        echo "bad: $if => $mac\n";
    }
}
var_dump(swoole_clear_dns_cache());
try {
    swoole_get_local_ip(12345);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
int(0)
int(1)
int(2)
int(3)
int(501)
int(700)
int(1001)
int(9001)
int(10018)
string(24) "Connection reset by peer"
string(14) "File not exist"
string(18) "Coroutine timedout"
string(17) "Unknown error 500"
string(17) "Unknown error 500"
string(17) "Unknown error 555"
string(42) "Non-recoverable failure in name resolution"
string(24) "Host name lookup failure"
string(13) "SSL not ready"
string(13) "SSL not ready"
string(33) "Unknown error 9223372036854775807"
bool(true)
bool(true)
bool(false)
NULL
swoole_get_local_ip(): Argument #1 ($family) must be AF_INET or AF_INET6
