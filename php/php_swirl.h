/* php_swirl.h — what the files of the swirl PHP extension share: the module
 * entry, each class family's MINIT, and how a failed libswirl call becomes a
 * PHP warning or exception carrying swirl's own message. */
#ifndef PHP_SWIRL_H
#define PHP_SWIRL_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <php.h>
#include <swirl/swirl.h>

extern zend_module_entry swirl_module_entry;
#define phpext_swirl_ptr &swirl_module_entry

#define PHP_SWIRL_VERSION SWIRL_VERSION_STRING

/* Swoole\Exception (swoole_exception). */
extern zend_class_entry *swirl_ce_exception;

/* Each class family registers its classes and snake_case aliases. */
void swirl_table_minit(void);
void swirl_lock_minit(void);
void swirl_atomic_minit(void);
void swirl_process_minit(void);

/* The message for a failed call that returned `code`: swirl's last error
 * message when it is about that code, else swirl_strerror(code). */
const char *swirl_php_error_msg(int code);

/* E_WARNING naming the failed call's culprit, as Swoole warns. */
#define swirl_php_warn(code) php_error_docref(NULL, E_WARNING, "%s", swirl_php_error_msg(code))

/* Throw Swoole\Exception with the failed call's message and its code. */
void swirl_php_throw(int code);

/* Register `name` (a snake_case Swoole name) as another name of `ce`. */
void swirl_php_alias(const char *name, zend_class_entry *ce);

#endif
