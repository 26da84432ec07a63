/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: c652976f2e30e80ffa2249e7fa18e297d1294d3d */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_WebSocket_Server_push, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, fd, IS_LONG, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, data, Swoole\\WebSocket\\Frame, MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, opcode, IS_LONG, 0, "WEBSOCKET_OPCODE_TEXT")
	ZEND_ARG_TYPE_MASK(0, finish, MAY_BE_LONG|MAY_BE_BOOL, "true")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_WebSocket_Server_disconnect, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, fd, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, code, IS_LONG, 0, "WEBSOCKET_CLOSE_NORMAL")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, reason, IS_STRING, 0, "\"\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_WebSocket_Server_isEstablished, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, fd, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_MASK_EX(arginfo_class_Swoole_WebSocket_Server_pack, 0, 1, MAY_BE_STRING|MAY_BE_FALSE)
	ZEND_ARG_OBJ_TYPE_MASK(0, data, Swoole\\WebSocket\\Frame, MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, opcode, IS_LONG, 0, "WEBSOCKET_OPCODE_TEXT")
	ZEND_ARG_TYPE_MASK(0, finish, MAY_BE_LONG|MAY_BE_BOOL, "true")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, mask, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_TYPE_MASK_EX(arginfo_class_Swoole_WebSocket_Server_unpack, 0, 1, Swoole\\WebSocket\\Frame, MAY_BE_FALSE)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Swoole_WebSocket_Frame___toString, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Swoole_WebSocket_Frame_pack arginfo_class_Swoole_WebSocket_Server_pack

#define arginfo_class_Swoole_WebSocket_Frame_unpack arginfo_class_Swoole_WebSocket_Server_unpack


ZEND_METHOD(Swoole_WebSocket_Server, push);
ZEND_METHOD(Swoole_WebSocket_Server, disconnect);
ZEND_METHOD(Swoole_WebSocket_Server, isEstablished);
ZEND_METHOD(Swoole_WebSocket_Server, pack);
ZEND_METHOD(Swoole_WebSocket_Server, unpack);
ZEND_METHOD(Swoole_WebSocket_Frame, __toString);


static const zend_function_entry class_Swoole_WebSocket_Server_methods[] = {
	ZEND_ME(Swoole_WebSocket_Server, push, arginfo_class_Swoole_WebSocket_Server_push, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_WebSocket_Server, disconnect, arginfo_class_Swoole_WebSocket_Server_disconnect, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_WebSocket_Server, isEstablished, arginfo_class_Swoole_WebSocket_Server_isEstablished, ZEND_ACC_PUBLIC)
	ZEND_ME(Swoole_WebSocket_Server, pack, arginfo_class_Swoole_WebSocket_Server_pack, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Swoole_WebSocket_Server, unpack, arginfo_class_Swoole_WebSocket_Server_unpack, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};


static const zend_function_entry class_Swoole_WebSocket_Frame_methods[] = {
	ZEND_ME(Swoole_WebSocket_Frame, __toString, arginfo_class_Swoole_WebSocket_Frame___toString, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(Swoole_WebSocket_Server, pack, pack, arginfo_class_Swoole_WebSocket_Frame_pack, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_MALIAS(Swoole_WebSocket_Server, unpack, unpack, arginfo_class_Swoole_WebSocket_Frame_unpack, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};


static const zend_function_entry class_Swoole_WebSocket_CloseFrame_methods[] = {
	ZEND_FE_END
};

static void register_websocket_symbols(int module_number)
{
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_CONTINUATION", SWIRL_WS_CONTINUATION, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_TEXT", SWIRL_WS_TEXT, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_BINARY", SWIRL_WS_BINARY, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_CLOSE", SWIRL_WS_CLOSE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_PING", SWIRL_WS_PING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_OPCODE_PONG", SWIRL_WS_PONG, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_CONTINUATION", SWIRL_WS_CONTINUATION, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_TEXT", SWIRL_WS_TEXT, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_BINARY", SWIRL_WS_BINARY, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_CLOSE", SWIRL_WS_CLOSE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_PING", SWIRL_WS_PING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_OPCODE_PONG", SWIRL_WS_PONG, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_STATUS_CONNECTION", SWIRL_WS_STATUS_CONNECTION, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_STATUS_HANDSHAKE", SWIRL_WS_STATUS_HANDSHAKE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_STATUS_FRAME", SWIRL_WS_STATUS_ACTIVE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_STATUS_ACTIVE", SWIRL_WS_STATUS_ACTIVE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_STATUS_CLOSING", SWIRL_WS_STATUS_CLOSING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_STATUS_CONNECTION", SWIRL_WS_STATUS_CONNECTION, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_STATUS_HANDSHAKE", SWIRL_WS_STATUS_HANDSHAKE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_STATUS_FRAME", SWIRL_WS_STATUS_ACTIVE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_STATUS_ACTIVE", SWIRL_WS_STATUS_ACTIVE, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_STATUS_CLOSING", SWIRL_WS_STATUS_CLOSING, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_NORMAL", 1000, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_GOING_AWAY", 1001, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_PROTOCOL_ERROR", 1002, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_DATA_ERROR", 1003, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_STATUS_ERROR", 1005, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_ABNORMAL", 1006, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_MESSAGE_ERROR", 1007, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_POLICY_ERROR", 1008, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_MESSAGE_TOO_BIG", 1009, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_EXTENSION_MISSING", 1010, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_SERVER_ERROR", 1011, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("WEBSOCKET_CLOSE_TLS", 1015, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_NORMAL", 1000, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_GOING_AWAY", 1001, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_PROTOCOL_ERROR", 1002, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_DATA_ERROR", 1003, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_STATUS_ERROR", 1005, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_ABNORMAL", 1006, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_MESSAGE_ERROR", 1007, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_POLICY_ERROR", 1008, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_MESSAGE_TOO_BIG", 1009, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_EXTENSION_MISSING", 1010, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_SERVER_ERROR", 1011, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_CLOSE_TLS", 1015, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_FIN", 1, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_COMPRESS", 2, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_RSV1", 4, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_RSV2", 8, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_RSV3", 16, CONST_PERSISTENT);
	REGISTER_LONG_CONSTANT("SWOOLE_WEBSOCKET_FLAG_MASK", 32, CONST_PERSISTENT);
}

static zend_class_entry *register_class_Swoole_WebSocket_Server(zend_class_entry *class_entry_Swoole_Http_Server)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\WebSocket", "Server", class_Swoole_WebSocket_Server_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Swoole_Http_Server);

	return class_entry;
}

static zend_class_entry *register_class_Swoole_WebSocket_Frame(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\WebSocket", "Frame", class_Swoole_WebSocket_Frame_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);

	zval property_fd_default_value;
	ZVAL_LONG(&property_fd_default_value, 0);
	zend_string *property_fd_name = zend_string_init("fd", sizeof("fd") - 1, 1);
	zend_declare_typed_property(class_entry, property_fd_name, &property_fd_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_fd_name);

	zval property_data_default_value;
	ZVAL_EMPTY_STRING(&property_data_default_value);
	zend_string *property_data_name = zend_string_init("data", sizeof("data") - 1, 1);
	zend_declare_typed_property(class_entry, property_data_name, &property_data_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_data_name);

	zval property_opcode_default_value;
	ZVAL_LONG(&property_opcode_default_value, 1);
	zend_string *property_opcode_name = zend_string_init("opcode", sizeof("opcode") - 1, 1);
	zend_declare_typed_property(class_entry, property_opcode_name, &property_opcode_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_opcode_name);

	zval property_flags_default_value;
	ZVAL_LONG(&property_flags_default_value, 1);
	zend_string *property_flags_name = zend_string_init("flags", sizeof("flags") - 1, 1);
	zend_declare_typed_property(class_entry, property_flags_name, &property_flags_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_flags_name);

	zval property_finish_default_value;
	ZVAL_TRUE(&property_finish_default_value);
	zend_string *property_finish_name = zend_string_init("finish", sizeof("finish") - 1, 1);
	zend_declare_typed_property(class_entry, property_finish_name, &property_finish_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_BOOL));
	zend_string_release(property_finish_name);

	return class_entry;
}

static zend_class_entry *register_class_Swoole_WebSocket_CloseFrame(zend_class_entry *class_entry_Swoole_WebSocket_Frame)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\WebSocket", "CloseFrame", class_Swoole_WebSocket_CloseFrame_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Swoole_WebSocket_Frame);

	zval property_opcode_default_value;
	ZVAL_LONG(&property_opcode_default_value, 8);
	zend_string *property_opcode_name = zend_string_init("opcode", sizeof("opcode") - 1, 1);
	zend_declare_typed_property(class_entry, property_opcode_name, &property_opcode_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_opcode_name);

	zval property_code_default_value;
	ZVAL_LONG(&property_code_default_value, 1000);
	zend_string *property_code_name = zend_string_init("code", sizeof("code") - 1, 1);
	zend_declare_typed_property(class_entry, property_code_name, &property_code_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_code_name);

	zval property_reason_default_value;
	ZVAL_EMPTY_STRING(&property_reason_default_value);
	zend_string *property_reason_name = zend_string_init("reason", sizeof("reason") - 1, 1);
	zend_declare_typed_property(class_entry, property_reason_name, &property_reason_default_value, ZEND_ACC_PUBLIC, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_reason_name);

	return class_entry;
}
