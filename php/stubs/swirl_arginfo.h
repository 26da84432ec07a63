/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: d44a41a72d989ed5b3c308b5294f57a50ea64706 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_version, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_cpu_num, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_swoole_errno arginfo_swoole_cpu_num

#define arginfo_swoole_last_error arginfo_swoole_cpu_num

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_strerror, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, errno, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, error_type, IS_LONG, 0, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_set_process_name, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, process_name, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_swirl_last_error_msg arginfo_swoole_version

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_async_set, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, settings, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_error_log, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, level, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, msg, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_error_log_ex, 0, 3, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, level, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, error, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, msg, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_ignore_error, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, error, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_clear_error, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_MASK_EX(arginfo_swoole_get_local_ip, 0, 0, MAY_BE_ARRAY|MAY_BE_FALSE)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, family, IS_LONG, 0, "AF_INET")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_MASK_EX(arginfo_swoole_get_local_mac, 0, 0, MAY_BE_ARRAY|MAY_BE_FALSE)
ZEND_END_ARG_INFO()

#define arginfo_swoole_clear_dns_cache arginfo_swoole_clear_error

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_substr_unserialize, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, str, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, length, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_swoole_substr_json_decode, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, str, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, offset, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, length, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, associative, _IS_BOOL, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, depth, IS_LONG, 0, "512")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, flags, IS_LONG, 0, "0")
ZEND_END_ARG_INFO()


ZEND_FUNCTION(swoole_version);
ZEND_FUNCTION(swoole_cpu_num);
ZEND_FUNCTION(swoole_errno);
ZEND_FUNCTION(swoole_last_error);
ZEND_FUNCTION(swoole_strerror);
ZEND_FUNCTION(swoole_set_process_name);
ZEND_FUNCTION(swirl_last_error_msg);
ZEND_FUNCTION(swoole_async_set);
ZEND_FUNCTION(swoole_error_log);
ZEND_FUNCTION(swoole_error_log_ex);
ZEND_FUNCTION(swoole_ignore_error);
ZEND_FUNCTION(swoole_clear_error);
ZEND_FUNCTION(swoole_get_local_ip);
ZEND_FUNCTION(swoole_get_local_mac);
ZEND_FUNCTION(swoole_clear_dns_cache);
ZEND_FUNCTION(swoole_substr_unserialize);
ZEND_FUNCTION(swoole_substr_json_decode);


static const zend_function_entry ext_functions[] = {
	ZEND_FE(swoole_version, arginfo_swoole_version)
	ZEND_FE(swoole_cpu_num, arginfo_swoole_cpu_num)
	ZEND_FE(swoole_errno, arginfo_swoole_errno)
	ZEND_FE(swoole_last_error, arginfo_swoole_last_error)
	ZEND_FE(swoole_strerror, arginfo_swoole_strerror)
	ZEND_FE(swoole_set_process_name, arginfo_swoole_set_process_name)
	ZEND_FE(swirl_last_error_msg, arginfo_swirl_last_error_msg)
	ZEND_FE(swoole_async_set, arginfo_swoole_async_set)
	ZEND_FE(swoole_error_log, arginfo_swoole_error_log)
	ZEND_FE(swoole_error_log_ex, arginfo_swoole_error_log_ex)
	ZEND_FE(swoole_ignore_error, arginfo_swoole_ignore_error)
	ZEND_FE(swoole_clear_error, arginfo_swoole_clear_error)
	ZEND_FE(swoole_get_local_ip, arginfo_swoole_get_local_ip)
	ZEND_FE(swoole_get_local_mac, arginfo_swoole_get_local_mac)
	ZEND_FE(swoole_clear_dns_cache, arginfo_swoole_clear_dns_cache)
	ZEND_FE(swoole_substr_unserialize, arginfo_swoole_substr_unserialize)
	ZEND_FE(swoole_substr_json_decode, arginfo_swoole_substr_json_decode)
	ZEND_FE_END
};


static const zend_function_entry class_Swoole_Exception_methods[] = {
	ZEND_FE_END
};

static void register_swirl_symbols(int module_number)
{
	REGISTER_STRING_CONSTANT("SWOOLE_VERSION", SWIRL_SWOOLE_VERSION, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_VERSION_ID", SWIRL_SWOOLE_VERSION_ID, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_MAJOR_VERSION", SWIRL_SWOOLE_MAJOR, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_MINOR_VERSION", SWIRL_SWOOLE_MINOR, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_RELEASE_VERSION", SWIRL_SWOOLE_RELEASE, CONST_PERSISTENT);
	REGISTER_STRING_CONSTANT("SWIRL_VERSION", SWIRL_VERSION_STRING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_CPU_NUM", swirl_cpu_num(), CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_RWLOCK", SWIRL_LOCK_RWLOCK, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_FILELOCK", SWIRL_LOCK_FILELOCK, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_MUTEX", SWIRL_LOCK_MUTEX, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_SEM", SWIRL_LOCK_SEM, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_SPINLOCK", SWIRL_LOCK_SPINLOCK, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_DEBUG", SWIRL_LOG_DEBUG, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_TRACE", SWIRL_LOG_TRACE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_INFO", SWIRL_LOG_INFO, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_NOTICE", SWIRL_LOG_NOTICE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_WARNING", SWIRL_LOG_WARNING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_ERROR", SWIRL_LOG_ERROR, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_LOG_NONE", SWIRL_LOG_NONE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_NONE", SWIRL_IPC_NONE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_UNIXSOCK", SWIRL_IPC_UNIXSOCK, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_UNSOCK", SWIRL_IPC_UNIXSOCK, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_MSGQUEUE", SWIRL_IPC_MSGQUEUE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_PREEMPTIVE", 3, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WORKER_BUSY", SWIRL_WORKER_BUSY, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WORKER_IDLE", SWIRL_WORKER_IDLE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WORKER_EXIT", SWIRL_WORKER_EXIT, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_IPC_SOCKET", 3, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_MSGQUEUE_ORIENT", SWIRL_MSGQUEUE_ORIENT, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_MSGQUEUE_BALANCE", SWIRL_MSGQUEUE_BALANCE, CONST_PERSISTENT);
}

static zend_class_entry *register_class_Swoole_Exception(zend_class_entry *class_entry_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole", "Exception", class_Swoole_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Exception);

	return class_entry;
}
