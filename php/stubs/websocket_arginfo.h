/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 2d8109ef19ca2405096619b9ab04bb871bc1f2cd */




static const zend_function_entry class_Swoole_WebSocket_Server_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_Swoole_WebSocket_Server(zend_class_entry *class_entry_Swoole_Http_Server)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\WebSocket", "Server", class_Swoole_WebSocket_Server_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Swoole_Http_Server);

	return class_entry;
}
