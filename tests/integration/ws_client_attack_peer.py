#!/usr/bin/python3
"""tests/integration/ws_client_attack_peer.py — more hostile WebSocket
servers for test_ws_client_attack.c, on ws_client_peer.py's machinery (its
frame(), upgrade() and scripted steps): 64-bit lengths at and past 2^63,
lengths not in their minimal encoding, a control frame with a 16-bit
length, frames after the server's close, a message over max_message in
many small fragments, and a whole session sent a byte at a time.

usage: ws_client_attack_peer.py MODE -- prints "port N", serves until killed."""
import asyncio
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ws_client_peer as p  # noqa: E402


def raw(b0, lenbytes, payload=b""):
    return bytes([b0]) + lenbytes + payload


MORE = {
    # a binary frame of 2^63 - 1 bytes: over any max_message
    "len-2^63-1": lambda k: [p.upgrade(k) + raw(0x82, b"\x7f" + struct.pack("!Q", (1 << 63) - 1)),
                             "echo-close"],
    # 2^63: the top bit must be 0 (RFC 6455 §5.2)
    "len-2^63": lambda k: [p.upgrade(k) + raw(0x82, b"\x7f" + struct.pack("!Q", 1 << 63)),
                           "echo-close"],
    "len-max": lambda k: [p.upgrade(k) + raw(0x82, b"\x7f" + b"\xff" * 8), "echo-close"],
    # 5 bytes said in 16 bits, 200 bytes said in 64: not the minimal encoding
    "nonminimal-16": lambda k: [p.upgrade(k) + raw(0x82, b"\x7e\x00\x05", b"hello"),
                                "echo-close"],
    "nonminimal-64": lambda k: [p.upgrade(k) + raw(0x82, b"\x7f" + struct.pack("!Q", 200),
                                                   b"x" * 200), "echo-close"],
    # a ping whose 7-bit length says "16 bits follow"
    "ping-126": lambda k: [p.upgrade(k) + raw(0x89, b"\x7e\x00\x05", b"hello"), "echo-close"],
    # the server's close, then more frames: dropped, one close
    "after-close": lambda k: [p.upgrade(k) + p.frame(8, struct.pack("!H", 1000)) +
                              p.frame(1, b"late") + p.frame(9, b"late ping"), "hold"],
    # 2000 fragments of 100 bytes: 200 kB over a 64 kB max_message
    "many-fragments": lambda k: [p.upgrade(k) + p.frame(2, b"f" * 100, fin=False) +
                                 b"".join(p.frame(0, b"f" * 100, fin=False) for _ in range(2000)),
                                 "echo-close"],
    # a session a byte at a time: 101, a 64-bit-length frame, a ping, a close
    "bytewise": lambda k: [("chop", p.upgrade(k) +
                            raw(0x82, b"\x7f" + struct.pack("!Q", 70000), b"b" * 70000) +
                            p.frame(9, b"pp") + p.frame(1, b"last"), 1), "echo-close"],
}

if __name__ == "__main__":
    p.HOSTILE.update(MORE)
    try:
        import websockets  # noqa: F401
    except ImportError:
        print("no websockets", flush=True)
        sys.exit(77)
    asyncio.run(p.main())
