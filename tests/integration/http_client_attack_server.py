#!/usr/bin/env python3
"""tests/integration/http_client_attack_server.py — a hostile HTTP/1.1
server for test_http_client_attack.c: each path picks a way to misbehave
(a 101 nobody asked for, bytes after a bodiless response, a chunk size that
overflows 64 bits, a head sent a byte at a time, a reset mid-body, 1xx
floods, odd Location headers). A connection serves requests until the
client closes it, so a connection the client wrongly keeps is seen: GET
/count gives the connections accepted so far. Prints "PORT n" once
listening on 127.0.0.1 (port 0: the kernel's choice)."""
import socket
import struct
import sys
import threading
import time

accepted = 0
lock = threading.Lock()


def read_request(conn, buf):
    while b"\r\n\r\n" not in buf:
        d = conn.recv(65536)
        if not d:
            return None, buf
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    n = 0
    for line in lines[1:]:
        k, v = line.split(":", 1)
        if k.strip().lower() == "content-length":
            n = int(v.strip())
    while len(buf) < n:
        d = conn.recv(65536)
        if not d:
            return None, buf
        buf += d
    return (method, target), buf[n:]


def reply(conn, status, body=b"", headers=()):
    h = "HTTP/1.1 %d X\r\nContent-Length: %d\r\n" % (status, len(body))
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    conn.sendall(h.encode() + b"\r\n" + body)


FORGED = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"


def handle(conn):
    buf = b""
    while True:
        req, buf = read_request(conn, buf)
        if req is None:
            return
        path = req[1]
        if path == "/hello":
            reply(conn, 200, b"hello")
        elif path == "/count":
            with lock:
                n = accepted
            reply(conn, 200, str(n).encode())
        elif path == "/switch-bare":
            # 101 with neither Upgrade nor Connection: upgrade, to a plain GET
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
        elif path == "/zero-extra":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + FORGED)
        elif path == "/204-extra":
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n" + FORGED)
        elif path == "/chunk-overflow":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"ffffffffffffffff\r\nx\r\n0\r\n\r\n")
            return
        elif path == "/chunk-overflow-17":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"10000000000000001\r\nx\r\n0\r\n\r\n")
            return
        elif path == "/bytewise":
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            msg = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n"
                   b"3;e=\"q\"\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n")
            for i in range(len(msg)):
                conn.sendall(msg[i:i + 1])
                time.sleep(0.002)
        elif path == "/interim-flood":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 20000)
            reply(conn, 200, b"after the flood")
        elif path == "/head-drip":
            # a head that never ends, a byte every 50 ms
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(400):
                conn.sendall(b"X")
                time.sleep(0.05)
            return
        elif path == "/reset-mid-body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
            time.sleep(0.05)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        elif path.startswith("/loc/query?"):
            reply(conn, 200, path.encode())
        elif path.startswith("/loc/"):
            which = path[5:]
            locs = {
                "file": "file:///etc/passwd",
                "v6": "http://[::1/x",
                "port0": "http://127.0.0.1:0/",
                "port-big": "//127.0.0.1:65536/",
                "userinfo": "http://user:pw@127.0.0.1/",
                "space": "/a b",
                "javascript": "javascript:alert(1)",
                "empty": "",
                "query": "?a=1",
            }
            if which in locs:
                reply(conn, 302, b"", [("Location", locs[which])])
            else:
                reply(conn, 404, b"no such redirect")
        else:
            reply(conn, 404, b"no such path")


def main():
    global accepted
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    print("PORT %d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        with lock:
            accepted += 1

        def run(c=c):
            try:
                handle(c)
            except (OSError, ValueError):
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
