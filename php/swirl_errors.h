/* swirl_errors.h — Swoole 6.2.2's error codes (SWOOLE_ERROR_* constants)
 * and their messages, as swoole_strerror() gives them: XX(NAME, value,
 * message), NAME without its SWOOLE_ERROR_ prefix. Codes from 501 up to
 * SWIRL_SWOOLE_ERROR_END are Swoole's; below 500 a code is an errno value. */
#ifndef SWIRL_ERRORS_H
#define SWIRL_ERRORS_H

#define SWIRL_SWOOLE_ERROR_BEGIN 500
#define SWIRL_SWOOLE_ERROR_END 10020

#define SWIRL_SWOOLE_ERRORS(XX)                                                                    \
    XX(MALLOC_FAIL, 501, "Malloc fail")                                                            \
    XX(SYSTEM_CALL_FAIL, 502, "System call fail")                                                  \
    XX(PHP_FATAL_ERROR, 503, "PHP fatal error")                                                    \
    XX(NAME_TOO_LONG, 504, "Name too long")                                                        \
    XX(INVALID_PARAMS, 505, "Invalid params")                                                      \
    XX(QUEUE_FULL, 506, "Queue full")                                                              \
    XX(OPERATION_NOT_SUPPORT, 507, "Operation not support")                                        \
    XX(PROTOCOL_ERROR, 508, "Protocol error")                                                      \
    XX(WRONG_OPERATION, 509, "Wrong operation")                                                    \
    XX(PHP_RUNTIME_NOTICE, 510, "PHP runtime notice")                                              \
    XX(FOR_TEST, 511, "For test")                                                                  \
    XX(NO_PAYLOAD, 550, "No payload")                                                              \
    XX(UNDEFINED_BEHAVIOR, 600, "Undefined behavior")                                              \
    XX(NOT_THREAD_SAFETY, 601, "Not thread safety")                                                \
    XX(FILE_NOT_EXIST, 700, "File not exist")                                                      \
    XX(FILE_TOO_LARGE, 701, "File too large")                                                      \
    XX(FILE_EMPTY, 702, "File empty")                                                              \
    XX(DIR_NOT_EXIST, 703, "Dir not exist")                                                        \
    XX(DNSLOOKUP_DUPLICATE_REQUEST, 710, "DNS Lookup duplicate request")                           \
    XX(DNSLOOKUP_RESOLVE_FAILED, 711, "DNS Lookup resolve failed")                                 \
    XX(DNSLOOKUP_RESOLVE_TIMEOUT, 712, "DNS Lookup resolve timeout")                               \
    XX(DNSLOOKUP_UNSUPPORTED, 713, "DNS Lookup unsupported")                                       \
    XX(DNSLOOKUP_NO_SERVER, 714, "DNS Lookup no server")                                           \
    XX(BAD_IPV6_ADDRESS, 720, "Bad ipv6 address")                                                  \
    XX(UNREGISTERED_SIGNAL, 721, "Unregistered signal")                                            \
    XX(BAD_HOST_ADDR, 722, "Bad host addr")                                                        \
    XX(BAD_PORT, 723, "Bad port")                                                                  \
    XX(BAD_SOCKET_TYPE, 724, "Bad socket type")                                                    \
    XX(EVENT_REMOVE_FAILED, 800, "Event remove failed")                                            \
    XX(EVENT_ADD_FAILED, 801, "Event add failed")                                                  \
    XX(EVENT_UPDATE_FAILED, 802, "Event update failed")                                            \
    XX(EVENT_UNKNOWN_DATA, 803, "Event unknown data")                                              \
    XX(SESSION_CLOSED_BY_SERVER, 1001, "Session closed by server")                                 \
    XX(SESSION_CLOSED_BY_CLIENT, 1002, "Session closed by client")                                 \
    XX(SESSION_CLOSING, 1003, "Session closing")                                                   \
    XX(SESSION_CLOSED, 1004, "Session closed")                                                     \
    XX(SESSION_NOT_EXIST, 1005, "Session not exist")                                               \
    XX(SESSION_INVALID_ID, 1006, "Session invalid id")                                             \
    XX(SESSION_DISCARD_TIMEOUT_DATA, 1007, "Session discard timeout data")                         \
    XX(SESSION_DISCARD_DATA, 1008, "Session discard data")                                         \
    XX(OUTPUT_BUFFER_OVERFLOW, 1009, "Output buffer overflow")                                     \
    XX(OUTPUT_SEND_YIELD, 1010, "Output send yield")                                               \
    XX(SSL_NOT_READY, 1011, "SSL not ready")                                                       \
    XX(SSL_CANNOT_USE_SENFILE, 1012, "SSL cannot use senfile")                                     \
    XX(SSL_EMPTY_PEER_CERTIFICATE, 1013, "SSL empty peer certificate")                             \
    XX(SSL_VERIFY_FAILED, 1014, "SSL verify failed")                                               \
    XX(SSL_BAD_CLIENT, 1015, "SSL bad client")                                                     \
    XX(SSL_BAD_PROTOCOL, 1016, "SSL bad protocol")                                                 \
    XX(SSL_RESET, 1017, "SSL reset")                                                               \
    XX(SSL_HANDSHAKE_FAILED, 1018, "SSL handshake failed")                                         \
    XX(SSL_CREATE_CONTEXT_FAILED, 1019, "SSL create context failed")                               \
    XX(SSL_CREATE_SESSION_FAILED, 1020, "SSL create session failed")                               \
    XX(PACKAGE_LENGTH_TOO_LARGE, 1201, "Package length too large")                                 \
    XX(PACKAGE_LENGTH_NOT_FOUND, 1202, "Package length not found")                                 \
    XX(DATA_LENGTH_TOO_LARGE, 1203, "Data length too large")                                       \
    XX(PACKAGE_MALFORMED_DATA, 1204, "Package malformed data")                                     \
    XX(TASK_PACKAGE_TOO_BIG, 2001, "Task package too big")                                         \
    XX(TASK_DISPATCH_FAIL, 2002, "Task dispatch fail")                                             \
    XX(TASK_TIMEOUT, 2003, "Task timeout")                                                         \
    XX(HTTP2_STREAM_ID_TOO_BIG, 3001, "Http2 stream id too big")                                   \
    XX(HTTP2_STREAM_NO_HEADER, 3002, "Http2 stream no header")                                     \
    XX(HTTP2_STREAM_NOT_FOUND, 3003, "Http2 stream not found")                                     \
    XX(HTTP2_STREAM_IGNORE, 3004, "Http2 stream ignore")                                           \
    XX(HTTP2_SEND_CONTROL_FRAME_FAILED, 3005, "Http2 send control frame failed")                   \
    XX(HTTP2_INTERNAL_ERROR, 3006, "Http2 internal error")                                         \
    XX(AIO_BAD_REQUEST, 4001, "Aio bad request")                                                   \
    XX(AIO_CANCELED, 4002, "Aio canceled")                                                         \
    XX(AIO_TIMEOUT, 4003, "Aio timeout")                                                           \
    XX(CLIENT_NO_CONNECTION, 5001, "Client no connection")                                         \
    XX(SOCKET_CLOSED, 6001, "Socket closed")                                                       \
    XX(SOCKET_POLL_TIMEOUT, 6002, "Socket poll timeout")                                           \
    XX(SOCKET_NOT_EXISTS, 6003, "Socket not exists")                                               \
    XX(SOCKS5_UNSUPPORT_VERSION, 7001, "Socks5 unsupport version")                                 \
    XX(SOCKS5_UNSUPPORT_METHOD, 7002, "Socks5 unsupport method")                                   \
    XX(SOCKS5_AUTH_FAILED, 7003, "Socks5 auth failed")                                             \
    XX(SOCKS5_SERVER_ERROR, 7004, "Socks5 server error")                                           \
    XX(SOCKS5_HANDSHAKE_FAILED, 7005, "Socks5 handshake failed")                                   \
    XX(SOCKS5_CONNECT_FAILED, 7006, "Socks5 connect failed")                                       \
    XX(HTTP_PROXY_HANDSHAKE_ERROR, 7101, "Http proxy handshake error")                             \
    XX(HTTP_INVALID_PROTOCOL, 7102, "Http invalid protocol")                                       \
    XX(HTTP_PROXY_HANDSHAKE_FAILED, 7103, "Http proxy handshake failed")                           \
    XX(HTTP_PROXY_BAD_RESPONSE, 7104, "Http proxy bad response")                                   \
    XX(HTTP_CONFLICT_HEADER, 7105, "Http conflict header")                                         \
    XX(HTTP_CONTEXT_UNAVAILABLE, 7106, "Http context unavailable")                                 \
    XX(HTTP_COOKIE_UNAVAILABLE, 7107, "Http cookie unavailable")                                   \
    XX(WEBSOCKET_BAD_CLIENT, 8501, "Websocket bad client")                                         \
    XX(WEBSOCKET_BAD_OPCODE, 8502, "Websocket bad opcode")                                         \
    XX(WEBSOCKET_UNCONNECTED, 8503, "Websocket unconnected")                                       \
    XX(WEBSOCKET_HANDSHAKE_FAILED, 8504, "Websocket handshake failed")                             \
    XX(WEBSOCKET_PACK_FAILED, 8505, "Websocket pack failed")                                       \
    XX(WEBSOCKET_UNPACK_FAILED, 8506, "Websocket unpack failed")                                   \
    XX(WEBSOCKET_INCOMPLETE_PACKET, 8507, "Websocket incomplete packet")                           \
    XX(SERVER_MUST_CREATED_BEFORE_CLIENT, 9001, "Server must created before client")               \
    XX(SERVER_TOO_MANY_SOCKET, 9002, "Server too many socket")                                     \
    XX(SERVER_WORKER_TERMINATED, 9003, "Server worker terminated")                                 \
    XX(SERVER_INVALID_LISTEN_PORT, 9004, "Server invalid listen port")                             \
    XX(SERVER_TOO_MANY_LISTEN_PORT, 9005, "Server too many listen port")                           \
    XX(SERVER_PIPE_BUFFER_FULL, 9006, "Server pipe buffer full")                                   \
    XX(SERVER_NO_IDLE_WORKER, 9007, "Server no idle worker")                                       \
    XX(SERVER_ONLY_START_ONE, 9008, "Server only start one")                                       \
    XX(SERVER_SEND_IN_MASTER, 9009, "Server send in master")                                       \
    XX(SERVER_INVALID_REQUEST, 9010, "Server invalid request")                                     \
    XX(SERVER_CONNECT_FAIL, 9011, "Server connect fail")                                           \
    XX(SERVER_INVALID_COMMAND, 9012, "Server invalid command")                                     \
    XX(SERVER_IS_NOT_REGULAR_FILE, 9013, "Server is not regular file")                             \
    XX(SERVER_SEND_TO_WOKER_TIMEOUT, 9014, "Server send to woker timeout")                         \
    XX(SERVER_INVALID_CALLBACK, 9015, "Server invalid callback")                                   \
    XX(SERVER_UNRELATED_THREAD, 9016, "Server unrelated thread")                                   \
    XX(SERVER_WORKER_EXIT_TIMEOUT, 9101, "Server worker exit timeout")                             \
    XX(SERVER_WORKER_ABNORMAL_PIPE_DATA, 9102, "Server worker abnormal pipe data")                 \
    XX(SERVER_WORKER_UNPROCESSED_DATA, 9103, "Server worker unprocessed data")                     \
    XX(CO_OUT_OF_COROUTINE, 10001, "Coroutine out of coroutine")                                   \
    XX(CO_HAS_BEEN_BOUND, 10002, "Coroutine has been bound")                                       \
    XX(CO_HAS_BEEN_DISCARDED, 10003, "Coroutine has been discarded")                               \
    XX(CO_MUTEX_DOUBLE_UNLOCK, 10004, "Coroutine mutex double unlock")                             \
    XX(CO_BLOCK_OBJECT_LOCKED, 10005, "Coroutine block object locked")                             \
    XX(CO_BLOCK_OBJECT_WAITING, 10006, "Coroutine block object waiting")                           \
    XX(CO_YIELD_FAILED, 10007, "Coroutine yield failed")                                           \
    XX(CO_GETCONTEXT_FAILED, 10008, "Coroutine getcontext failed")                                 \
    XX(CO_SWAPCONTEXT_FAILED, 10009, "Coroutine swapcontext failed")                               \
    XX(CO_MAKECONTEXT_FAILED, 10010, "Coroutine makecontext failed")                               \
    XX(CO_IOCPINIT_FAILED, 10011, "Coroutine iocpinit failed")                                     \
    XX(CO_PROTECT_STACK_FAILED, 10012, "Coroutine protect stack failed")                           \
    XX(CO_STD_THREAD_LINK_ERROR, 10013, "Coroutine std thread link error")                         \
    XX(CO_DISABLED_MULTI_THREAD, 10014, "Coroutine disabled multi thread")                         \
    XX(CO_CANNOT_CANCEL, 10015, "Coroutine cannot cancel")                                         \
    XX(CO_NOT_EXISTS, 10016, "Coroutine not exists")                                               \
    XX(CO_CANCELED, 10017, "Coroutine canceled")                                                   \
    XX(CO_TIMEDOUT, 10018, "Coroutine timedout")                                                   \
    XX(CO_SOCKET_CLOSE_WAIT, 10019, "Coroutine socket close wait")

#endif
