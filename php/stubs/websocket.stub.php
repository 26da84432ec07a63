<?php

/**
 * Swoole\WebSocket\Server (swoole_websocket_server) and its frames on
 * swirl_ws_server_t.
 *
 * @generate-class-entries
 */

namespace Swoole\WebSocket {
    class Server extends \Swoole\Http\Server
    {
    }
}
