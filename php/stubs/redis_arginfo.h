/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: f06541b72194fb85be35f8b488d40f1dc7c16108 */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Swoole_Redis___construct, 0, 0, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_Redis_on, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, event, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_Redis_connect, 0, 3, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, host, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, port, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_Redis___call, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, command, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, params, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_Redis_getState, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_Redis_close, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Swoole_Redis___destruct, 0, 0, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(Swoole_Redis, __construct);
ZEND_METHOD(Swoole_Redis, on);
ZEND_METHOD(Swoole_Redis, connect);
ZEND_METHOD(Swoole_Redis, __call);
ZEND_METHOD(Swoole_Redis, getState);
ZEND_METHOD(Swoole_Redis, close);
ZEND_METHOD(Swoole_Redis, __destruct);


static const zend_function_entry class_Swoole_Redis_methods[] = {
	ZEND_ME(Swoole_Redis, __construct, arginfo_class_Swoole_Redis___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, on, arginfo_class_Swoole_Redis_on, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, connect, arginfo_class_Swoole_Redis_connect, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, __call, arginfo_class_Swoole_Redis___call, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, getState, arginfo_class_Swoole_Redis_getState, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, close, arginfo_class_Swoole_Redis_close, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_Redis, __destruct, arginfo_class_Swoole_Redis___destruct, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Swoole_Redis(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole", "Redis", class_Swoole_Redis_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);

	zval property_onConnect_default_value;
	ZVAL_NULL(&property_onConnect_default_value);
	zend_string *property_onConnect_name = zend_string_init("onConnect", sizeof("onConnect") - 1, 1);
	zend_declare_typed_property(class_entry, property_onConnect_name, &property_onConnect_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_onConnect_name);

	zval property_onClose_default_value;
	ZVAL_NULL(&property_onClose_default_value);
	zend_string *property_onClose_name = zend_string_init("onClose", sizeof("onClose") - 1, 1);
	zend_declare_typed_property(class_entry, property_onClose_name, &property_onClose_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_onClose_name);

	zval property_onMessage_default_value;
	ZVAL_NULL(&property_onMessage_default_value);
	zend_string *property_onMessage_name = zend_string_init("onMessage", sizeof("onMessage") - 1, 1);
	zend_declare_typed_property(class_entry, property_onMessage_name, &property_onMessage_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_onMessage_name);

	zval property_setting_default_value;
	ZVAL_NULL(&property_setting_default_value);
	zend_string *property_setting_name = zend_string_init("setting", sizeof("setting") - 1, 1);
	zend_declare_typed_property(class_entry, property_setting_name, &property_setting_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_setting_name);

	zval property_host_default_value;
	ZVAL_NULL(&property_host_default_value);
	zend_string *property_host_name = zend_string_init("host", sizeof("host") - 1, 1);
	zend_declare_typed_property(class_entry, property_host_name, &property_host_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_host_name);

	zval property_port_default_value;
	ZVAL_NULL(&property_port_default_value);
	zend_string *property_port_name = zend_string_init("port", sizeof("port") - 1, 1);
	zend_declare_typed_property(class_entry, property_port_name, &property_port_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_port_name);

	zval property_sock_default_value;
	ZVAL_NULL(&property_sock_default_value);
	zend_string *property_sock_name = zend_string_init("sock", sizeof("sock") - 1, 1);
	zend_declare_typed_property(class_entry, property_sock_name, &property_sock_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_sock_name);

	zval property_errCode_default_value;
	ZVAL_NULL(&property_errCode_default_value);
	zend_string *property_errCode_name = zend_string_init("errCode", sizeof("errCode") - 1, 1);
	zend_declare_typed_property(class_entry, property_errCode_name, &property_errCode_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_errCode_name);

	zval property_errMsg_default_value;
	ZVAL_NULL(&property_errMsg_default_value);
	zend_string *property_errMsg_name = zend_string_init("errMsg", sizeof("errMsg") - 1, 1);
	zend_declare_typed_property(class_entry, property_errMsg_name, &property_errMsg_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ANY));
	zend_string_release(property_errMsg_name);

	return class_entry;
}
