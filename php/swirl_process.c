#include "php_swirl.h"
void swirl_process_minit(void) {}
