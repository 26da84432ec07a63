--TEST--
examples/php/callback_*.php: seed 000's four callback forms (closure with use, function name, [$obj, 'method'], 'Class::method') as the server's start callback
--EXTENSIONS--
pcntl
--FILE--
<?php
require __DIR__ . '/examples.inc';
foreach (['closure', 'function', 'method', 'static'] as $form) {
    echo "== $form\n";
    $pid = pcntl_fork();
    if ($pid === 0) {
        $argv = ["callback_$form.php", 0];
        include example_path("callback_$form.php");
        exit(0);
    }
    $rc = wait_child($pid);
    echo "exit $rc\n";
}
?>
--EXPECTF--
== closure
hello....lampol
%Aexit 0
== function
master_pid......========%d
%Aexit 0
== method
master_pid......========%d
%Aexit 0
== static
master_pid......========%d
%Aexit 0
