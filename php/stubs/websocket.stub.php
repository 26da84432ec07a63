<?php

/**
 * Swoole\WebSocket\Server (swoole_websocket_server), Swoole\WebSocket\Frame
 * (swoole_websocket_frame) and Swoole\WebSocket\CloseFrame
 * (swoole_websocket_closeframe) on swirl_ws_server_t, and the WebSocket
 * constants. IDE stubs as well as the source of the generated arginfo.
 *
 * Events, set with on() besides Http\Server's `request` and Server's own:
 * - `handshake` function (Swoole\Http\Request $request, Swoole\Http\Response $response):
 *   optional. The callback answers the upgrade request itself, as Swoole's
 *   users do: $response->status(101), the headers Upgrade: websocket,
 *   Connection: Upgrade and Sec-WebSocket-Accept (base64 of the SHA-1 of
 *   the request's sec-websocket-key and 258EAFA5-E914-47DA-95CA-C5AB0DC85B11),
 *   then $response->end(). When it returns, a 101 with the right accept key
 *   makes the connection a WebSocket; anything else (a refusal such as 403,
 *   a wrong key) is sent and the connection closed. Its return value is
 *   not used. The answer must be given before it returns: one left open is
 *   answered 500 and closed. With a handshake callback, `open` is not
 *   called (as in Swoole: use $server->defer() for work after the 101); a
 *   push from inside the callback is refused (the connection is a WebSocket
 *   only once it returns).
 * - `open` function (Server $server, Swoole\Http\Request $request): the
 *   standard handshake succeeded (optional).
 * - `message` function (Server $server, Frame $frame): a whole message
 *   (fragments are reassembled: `finish` is always true), or a control
 *   frame the settings ask for: open_websocket_ping_frame (a ping is then
 *   not answered with a pong by the server: push one), open_websocket_pong_frame,
 *   open_websocket_close_frame (a CloseFrame; if the callback does not
 *   answer it with disconnect() or close(), the server answers with the
 *   same code and closes). Required: start() warns and returns false
 *   without it.
 * - `close` (Server's): every connection, WebSocket or not.
 * - `request` (Http\Server's): plain HTTP requests on the same port;
 *   without it they get 426 Upgrade Required.
 *
 * An exception thrown by `open` or `message` is reported as a warning
 * ("Uncaught ... in the message callback"), the connection is closed with
 * 1011 (server error) and the worker goes on. One thrown by `handshake` is
 * a warning too; the request is answered 500 (if it was not answered yet)
 * and closed.
 *
 * @generate-class-entries
 */

namespace {

/* Frame opcodes */
/**
 * @var int
 * @cvalue SWIRL_WS_CONTINUATION
 */
const WEBSOCKET_OPCODE_CONTINUATION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_TEXT
 */
const WEBSOCKET_OPCODE_TEXT = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_BINARY
 */
const WEBSOCKET_OPCODE_BINARY = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_CLOSE
 */
const WEBSOCKET_OPCODE_CLOSE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_PING
 */
const WEBSOCKET_OPCODE_PING = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_PONG
 */
const WEBSOCKET_OPCODE_PONG = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_CONTINUATION
 */
const SWOOLE_WEBSOCKET_OPCODE_CONTINUATION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_TEXT
 */
const SWOOLE_WEBSOCKET_OPCODE_TEXT = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_BINARY
 */
const SWOOLE_WEBSOCKET_OPCODE_BINARY = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_CLOSE
 */
const SWOOLE_WEBSOCKET_OPCODE_CLOSE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_PING
 */
const SWOOLE_WEBSOCKET_OPCODE_PING = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_PONG
 */
const SWOOLE_WEBSOCKET_OPCODE_PONG = UNKNOWN;

/* websocket_status of connection_info()/getClientInfo(): CONNECTION (1)
 * from the connection's connect event until it asks to upgrade (plain
 * HTTP requests leave it there); HANDSHAKE while the upgrade request is
 * answered (in the handshake callback); ACTIVE (= FRAME, the seed's name)
 * once it is a WebSocket; CLOSING once a close frame was sent or
 * received. */
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_CONNECTION
 */
const WEBSOCKET_STATUS_CONNECTION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_HANDSHAKE
 */
const WEBSOCKET_STATUS_HANDSHAKE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_ACTIVE
 */
const WEBSOCKET_STATUS_FRAME = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_ACTIVE
 */
const WEBSOCKET_STATUS_ACTIVE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_CLOSING
 */
const WEBSOCKET_STATUS_CLOSING = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_CONNECTION
 */
const SWOOLE_WEBSOCKET_STATUS_CONNECTION = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_HANDSHAKE
 */
const SWOOLE_WEBSOCKET_STATUS_HANDSHAKE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_ACTIVE
 */
const SWOOLE_WEBSOCKET_STATUS_FRAME = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_ACTIVE
 */
const SWOOLE_WEBSOCKET_STATUS_ACTIVE = UNKNOWN;
/**
 * @var int
 * @cvalue SWIRL_WS_STATUS_CLOSING
 */
const SWOOLE_WEBSOCKET_STATUS_CLOSING = UNKNOWN;

/* Close codes (RFC 6455 §7.4.1). STATUS_ERROR (1005, "no code"), ABNORMAL
 * (1006) and TLS (1015) are never sent: disconnect() refuses them. */
/** @var int */
const WEBSOCKET_CLOSE_NORMAL = 1000;
/** @var int */
const WEBSOCKET_CLOSE_GOING_AWAY = 1001;
/** @var int */
const WEBSOCKET_CLOSE_PROTOCOL_ERROR = 1002;
/** @var int */
const WEBSOCKET_CLOSE_DATA_ERROR = 1003;
/** @var int */
const WEBSOCKET_CLOSE_STATUS_ERROR = 1005;
/** @var int */
const WEBSOCKET_CLOSE_ABNORMAL = 1006;
/** @var int */
const WEBSOCKET_CLOSE_MESSAGE_ERROR = 1007;
/** @var int */
const WEBSOCKET_CLOSE_POLICY_ERROR = 1008;
/** @var int */
const WEBSOCKET_CLOSE_MESSAGE_TOO_BIG = 1009;
/** @var int */
const WEBSOCKET_CLOSE_EXTENSION_MISSING = 1010;
/** @var int */
const WEBSOCKET_CLOSE_SERVER_ERROR = 1011;
/** @var int */
const WEBSOCKET_CLOSE_TLS = 1015;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_NORMAL = 1000;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_GOING_AWAY = 1001;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_PROTOCOL_ERROR = 1002;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_DATA_ERROR = 1003;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_STATUS_ERROR = 1005;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_ABNORMAL = 1006;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_MESSAGE_ERROR = 1007;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_POLICY_ERROR = 1008;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_MESSAGE_TOO_BIG = 1009;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_EXTENSION_MISSING = 1010;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_SERVER_ERROR = 1011;
/** @var int */
const SWOOLE_WEBSOCKET_CLOSE_TLS = 1015;

/* Frame flags (Frame::$flags, and push()/pack()'s 4th argument as an int):
 * FIN ends a message, RSV1-3 are the header's reserved bits (pack only),
 * MASK masks the payload (pack only). COMPRESS is accepted by push() and
 * does nothing more: a connection that agreed to permessage-deflate
 * (websocket_compression) gets its whole messages compressed anyway. */
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_FIN = 1;
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_COMPRESS = 2;
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_RSV1 = 4;
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_RSV2 = 8;
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_RSV3 = 16;
/** @var int */
const SWOOLE_WEBSOCKET_FLAG_MASK = 32;
}

namespace Swoole\WebSocket {
    class Server extends \Swoole\Http\Server
    {
        /**
         * Send a frame to an established WebSocket, from any worker.
         * $data is a string, or a Frame (its data, opcode and finish are
         * used; a CloseFrame is disconnect() with its code and reason).
         * $finish is a bool, or SWOOLE_WEBSOCKET_FLAG_* bits (FIN). A
         * message is sent in fragments with $finish false, then
         * WEBSOCKET_OPCODE_CONTINUATION frames, the last with $finish true.
         * WEBSOCKET_OPCODE_CLOSE is disconnect() with the code in the first
         * two bytes of $data (1000 when empty) and the reason after.
         * False with a warning naming the fault for a connection that is
         * not an established WebSocket, a bad opcode, a control frame over
         * 125 bytes or fragmented; false without one when the connection
         * is gone (swoole_last_error() says so).
         */
        public function push(int $fd, Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int|bool $finish = true): bool {}

        /**
         * Start the close handshake: a close frame with $code and $reason
         * (at most 123 bytes); the connection closes when the client
         * answers, or 5 s later. $code is one a peer may send (1000-1003,
         * 1007-1011, 3000-4999). False with a warning for a bad code or
         * reason, or a connection that is not an established WebSocket.
         */
        public function disconnect(int $fd, int $code = WEBSOCKET_CLOSE_NORMAL, string $reason = ""): bool {}

        /** Is $fd an established WebSocket (not closing)? */
        public function isEstablished(int $fd): bool {}

        /**
         * The bytes of one frame as a server sends it (unmasked) or, with
         * $mask, as a client does (a random mask). $data and $finish as
         * push(). As Swoole's, any opcode from 0 to 10 is taken (reserved
         * ones too) and a control frame of any length (always final):
         * it only makes bytes; push() and unpack() keep the protocol's
         * limits. False with a warning for an opcode outside 0..10 or a
         * CloseFrame reason over 123 bytes.
         */
        public static function pack(Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int|bool $finish = true, bool $mask = false): string|false {}

        /**
         * The first frame of $data (bytes after it are ignored): a Frame,
         * a CloseFrame for a close frame (code 1005 when it has none), its
         * payload unmasked. False when $data holds no whole frame yet (no
         * warning: more bytes are needed), or with a warning naming the
         * fault for a malformed one (reserved opcode, fragmented or long
         * control frame, close payload of 1 byte).
         */
        public static function unpack(string $data): Frame|false {}
    }

    /**
     * A frame: what the message callback gets, unpack() makes, and push()
     * and pack() take. `flags` holds SWOOLE_WEBSOCKET_FLAG_* bits (FIN for
     * a whole message, RSV and MASK as unpack() found them).
     */
    class Frame
    {
        public int $fd = 0;
        public string $data = "";
        public int $opcode = 1;
        public int $flags = 1;
        public bool $finish = true;

        /** pack($this). */
        public function __toString(): string {}

        /** @implementation-alias Swoole\WebSocket\Server::pack */
        public static function pack(Frame|string $data, int $opcode = WEBSOCKET_OPCODE_TEXT, int|bool $finish = true, bool $mask = false): string|false {}

        /** @implementation-alias Swoole\WebSocket\Server::unpack */
        public static function unpack(string $data): Frame|false {}
    }

    /** A close frame: its code and reason (data holds its raw payload). */
    class CloseFrame extends Frame
    {
        public int $opcode = 8;
        public int $code = 1000;
        public string $reason = "";
    }
}
