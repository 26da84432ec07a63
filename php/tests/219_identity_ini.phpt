--TEST--
swirl: swoole.use_shortname=Off (php.ini or -d) turns SWOOLE_USE_SHORTNAME off; the other Swoole ini entries take Off too
--EXTENSIONS--
swoole
--INI--
swoole.use_shortname=Off
swoole.enable_library=Off
swoole.display_errors=Off
--FILE--
<?php
var_dump(SWOOLE_USE_SHORTNAME);
foreach (['swoole.use_shortname', 'swoole.enable_library', 'swoole.display_errors'] as $ini) {
    var_dump((bool)ini_get($ini));
}
?>
--EXPECT--
bool(false)
bool(false)
bool(false)
bool(false)
