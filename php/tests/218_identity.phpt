--TEST--
swirl: registers as the swoole extension, reports the Swoole API level it implements (6.2.2) and its own version; Swoole's ini entries; a second copy refuses to load
--EXTENSIONS--
swoole
--FILE--
<?php
var_dump(extension_loaded('swoole'), extension_loaded('swirl'));
var_dump(phpversion('swoole'), SWOOLE_VERSION, swoole_version(), SWOOLE_VERSION_ID,
         SWOOLE_MAJOR_VERSION, SWOOLE_MINOR_VERSION, SWOOLE_RELEASE_VERSION);
var_dump((bool)preg_match('/^\d+\.\d+\.\d+$/', SWIRL_VERSION));

// php --ri swoole: swirl's name and version beside the API level, and the ini entries
$r = new ReflectionExtension('swoole');
ob_start();
$r->info();
$info = ob_get_clean();
var_dump(str_contains($info, 'Version => swirl ' . SWIRL_VERSION . ', implementing the Swoole API 6.2.2'));
foreach (['swoole.use_shortname', 'swoole.enable_library', 'swoole.display_errors'] as $ini) {
    var_dump(ini_get($ini), str_contains($info, "$ini => On => On"));
}
var_dump(SWOOLE_USE_SHORTNAME);
var_dump(ini_set('swoole.enable_library', '0'), ini_get('swoole.enable_library'));
var_dump(ini_set('swoole.use_shortname', '0'), ini_get('swoole.use_shortname')); // PHP_INI_SYSTEM

// the module is "swoole": loading the file a second time meets it and refuses,
// with one line naming swirl, and the first copy goes on working
$so = ini_get('extension_dir') . '/swirl.so';
$cmd = [PHP_BINARY, '-n', '-d', 'display_startup_errors=1', '-d', "extension=$so", '-d', "extension=$so",
        '-r', 'echo SWOOLE_VERSION, " ", count(get_extension_funcs("swoole")) > 0 ? "ok" : "none", "\n";'];
$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
proc_close($p);
var_dump(preg_match_all('/swirl \S+ not loaded: the swoole extension 6\.2\.2 is already loaded; load only one of them/', $out));
var_dump(str_contains($out, '6.2.2 ok'));
?>
--EXPECT--
bool(true)
bool(false)
string(5) "6.2.2"
string(5) "6.2.2"
string(5) "6.2.2"
int(60202)
int(6)
int(2)
int(2)
bool(true)
bool(true)
string(1) "1"
bool(true)
string(1) "1"
bool(true)
string(1) "1"
bool(true)
bool(true)
string(1) "1"
string(1) "0"
bool(false)
string(1) "1"
int(1)
bool(true)
