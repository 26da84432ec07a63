/* swirl_constant.c — Swoole\Constant: the names of Swoole's server events
 * and settings as class constants (stubs/constant.stub.php). */
#include "php_swirl.h"

#include "stubs/constant_arginfo.h"

void swirl_constant_minit(void) { register_class_Swoole_Constant(); }
