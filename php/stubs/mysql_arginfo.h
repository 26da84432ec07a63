/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 166e31a2d876e8b59b2bdba6ad864b57dd932f6c */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Swoole_MySQL___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_connect, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, server_config, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_query, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, sql, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_begin, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Swoole_MySQL_commit arginfo_class_Swoole_MySQL_begin

#define arginfo_class_Swoole_MySQL_rollback arginfo_class_Swoole_MySQL_begin

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_escape, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, string, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_on, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, event_name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_MySQL_close, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(Swoole_MySQL, __construct);
ZEND_METHOD(Swoole_MySQL, connect);
ZEND_METHOD(Swoole_MySQL, query);
ZEND_METHOD(Swoole_MySQL, begin);
ZEND_METHOD(Swoole_MySQL, commit);
ZEND_METHOD(Swoole_MySQL, rollback);
ZEND_METHOD(Swoole_MySQL, escape);
ZEND_METHOD(Swoole_MySQL, on);
ZEND_METHOD(Swoole_MySQL, close);


static const zend_function_entry class_Swoole_MySQL_methods[] = {
	ZEND_ME(Swoole_MySQL, __construct, arginfo_class_Swoole_MySQL___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, connect, arginfo_class_Swoole_MySQL_connect, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, query, arginfo_class_Swoole_MySQL_query, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, begin, arginfo_class_Swoole_MySQL_begin, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, commit, arginfo_class_Swoole_MySQL_commit, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, rollback, arginfo_class_Swoole_MySQL_rollback, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, escape, arginfo_class_Swoole_MySQL_escape, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, on, arginfo_class_Swoole_MySQL_on, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_MySQL, close, arginfo_class_Swoole_MySQL_close, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_Swoole_MySQL_Exception_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_Swoole_MySQL(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole", "MySQL", class_Swoole_MySQL_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_NOT_SERIALIZABLE;

	zval property_serverInfo_default_value;
	ZVAL_NULL(&property_serverInfo_default_value);
	zend_string *property_serverInfo_name = zend_string_init("serverInfo", sizeof("serverInfo") - 1, 1);
	zend_declare_typed_property(class_entry, property_serverInfo_name, &property_serverInfo_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY|MAY_BE_NULL));
	zend_string_release(property_serverInfo_name);

	zval property_sock_default_value;
	ZVAL_LONG(&property_sock_default_value, -1);
	zend_string *property_sock_name = zend_string_init("sock", sizeof("sock") - 1, 1);
	zend_declare_typed_property(class_entry, property_sock_name, &property_sock_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_sock_name);

	zval property_connected_default_value;
	ZVAL_FALSE(&property_connected_default_value);
	zend_string *property_connected_name = zend_string_init("connected", sizeof("connected") - 1, 1);
	zend_declare_typed_property(class_entry, property_connected_name, &property_connected_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_BOOL));
	zend_string_release(property_connected_name);

	zval property_connect_error_default_value;
	ZVAL_EMPTY_STRING(&property_connect_error_default_value);
	zend_string *property_connect_error_name = zend_string_init("connect_error", sizeof("connect_error") - 1, 1);
	zend_declare_typed_property(class_entry, property_connect_error_name, &property_connect_error_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_connect_error_name);

	zval property_connect_errno_default_value;
	ZVAL_LONG(&property_connect_errno_default_value, 0);
	zend_string *property_connect_errno_name = zend_string_init("connect_errno", sizeof("connect_errno") - 1, 1);
	zend_declare_typed_property(class_entry, property_connect_errno_name, &property_connect_errno_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_connect_errno_name);

	zval property_affected_rows_default_value;
	ZVAL_LONG(&property_affected_rows_default_value, 0);
	zend_string *property_affected_rows_name = zend_string_init("affected_rows", sizeof("affected_rows") - 1, 1);
	zend_declare_typed_property(class_entry, property_affected_rows_name, &property_affected_rows_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_affected_rows_name);

	zval property_insert_id_default_value;
	ZVAL_LONG(&property_insert_id_default_value, 0);
	zend_string *property_insert_id_name = zend_string_init("insert_id", sizeof("insert_id") - 1, 1);
	zend_declare_typed_property(class_entry, property_insert_id_name, &property_insert_id_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_insert_id_name);

	zval property_error_default_value;
	ZVAL_EMPTY_STRING(&property_error_default_value);
	zend_string *property_error_name = zend_string_init("error", sizeof("error") - 1, 1);
	zend_declare_typed_property(class_entry, property_error_name, &property_error_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_error_name);

	zval property_errno_default_value;
	ZVAL_LONG(&property_errno_default_value, 0);
	zend_string *property_errno_name = zend_string_init("errno", sizeof("errno") - 1, 1);
	zend_declare_typed_property(class_entry, property_errno_name, &property_errno_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_errno_name);

	return class_entry;
}

static zend_class_entry *register_class_Swoole_MySQL_Exception(zend_class_entry *class_entry_Swoole_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\MySQL", "Exception", class_Swoole_MySQL_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Swoole_Exception);

	return class_entry;
}
