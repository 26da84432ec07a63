#!/usr/bin/env python3
"""tests/integration/redis_attack_server.py — a hostile Redis server for
test_redis_attack.c: it answers the client's handshake PING with +PONG,
then answers the next command by MODE: "endless-line" (a status line that
never ends), "huge-bulk" (a 4 MiB bulk string), "ok-bulk" (a 512 KiB one), "reset-after-reply" (+OK, then a
reset).
Prints "PORT n" once listening on 127.0.0.1 (port 0)."""
import socket
import struct
import sys
import threading


def serve(c, mode):
    try:
        c.recv(65536)  # PING
        c.sendall(b"+PONG\r\n")
        c.recv(65536)  # the command
        if mode == "endless-line":
            c.sendall(b"+")
            while True:
                c.sendall(b"x" * 65536)
        elif mode == "huge-bulk":
            c.sendall(b"$%d\r\n" % (4 << 20) + b"y" * (4 << 20) + b"\r\n")
        elif mode == "ok-bulk":
            c.sendall(b"$%d\r\n" % (512 << 10) + b"z" * (512 << 10) + b"\r\n")
        elif mode == "reset-after-reply":
            # a reply, then a reset (RST): the client's next write meets it
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.sendall(b"+OK\r\n")
            c.close()
            return
        while c.recv(65536):
            pass
    except OSError:
        pass
    finally:
        c.close()


def main():
    mode = sys.argv[1]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    print("PORT %d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


if __name__ == "__main__":
    main()
