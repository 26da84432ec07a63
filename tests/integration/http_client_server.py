#!/usr/bin/env python3
"""tests/integration/http_client_server.py — a small HTTP/1.1 server for the
HTTP client's tests, written on raw sockets so it can also misbehave: each
path picks a reply (good ones in each framing, redirects, gzip, and hostile
ones: garbage, truncated bodies, stalls, oversize heads). Prints "PORT n"
once listening on 127.0.0.1 (port 0: the kernel's choice); GET /count gives
the connections accepted so far, so a test can see keep-alive reuse."""
import gzip
import hashlib
import socket
import sys
import threading
import time
import zlib

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
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(buf) < n:
        d = conn.recv(65536)
        if not d:
            return None, buf
        buf += d
    body, buf = buf[:n], buf[n:]
    return (method, target, headers, body), buf


def reply(conn, status, body=b"", headers=(), reason="OK"):
    h = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n" % (status, reason, len(body))
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    conn.sendall(h.encode() + b"\r\n" + body)


def chunked(conn, parts, headers=()):
    h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    conn.sendall(h.encode() + b"\r\n")
    for p in parts:
        conn.sendall(b"%x\r\n%s\r\n" % (len(p), p))
    conn.sendall(b"0\r\n\r\n")


def tunnel(conn, target, buf):
    host, port = target.rsplit(":", 1)
    try:
        up = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
    except OSError:
        reply(conn, 502, b"cannot reach " + target.encode(), reason="Bad Gateway")
        return
    up.settimeout(None)
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    if buf:
        up.sendall(buf)

    def pump(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        finally:
            try:
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    t = threading.Thread(target=pump, args=(up, conn), daemon=True)
    t.start()
    pump(conn, up)
    t.join()
    up.close()


def handle(conn, port):
    buf = b""
    while True:
        req, buf = read_request(conn, buf)
        if req is None:
            return
        method, target, headers, body = req
        if method == "CONNECT":  # a tunnel, as an HTTP proxy makes for https
            return tunnel(conn, target, buf)
        path = target.split("?")[0]
        if path.startswith("http://"):  # absolute form: we are the proxy
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        if path == "/hello":
            reply(conn, 200, b"" if method == "HEAD" else b"hello", [("Content-Type", "text/plain")])
        elif path == "/set-cookie":
            reply(conn, 200, b"cookie set", [("Set-Cookie", "session=abc123; Path=/; HttpOnly"),
                                             ("Set-Cookie", "theme=dark")])
        elif path == "/count":
            reply(conn, 200, str(accepted).encode())
        elif path == "/echo":
            info = "%s %s len=%d sha=%s auth=%s cookie=%s ctype=%s" % (
                method, target, len(body), hashlib.sha256(body).hexdigest(),
                headers.get("authorization", "-"), headers.get("cookie", "-"),
                headers.get("content-type", "-"))
            reply(conn, 200, info.encode())
        elif path == "/chunked":
            chunked(conn, [b"hello ", b"chunked ", b"world"])
        elif path == "/chunked-ext":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"5;a=b\r\nhello\r\n0\r\nTrailer: x\r\n\r\n")
        elif path == "/close":
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close")
            return
        elif path == "/gzip":
            data = b"gzipped " * 1000
            reply(conn, 200, gzip.compress(data), [("Content-Encoding", "gzip")])
        elif path == "/gzip-chunked":
            z = gzip.compress(b"chunked gzip " * 5000)
            chunked(conn, [z[i:i + 100] for i in range(0, len(z), 100)],
                    [("Content-Encoding", "gzip")])
        elif path == "/deflate":
            reply(conn, 200, zlib.compress(b"zlib deflate " * 100), [("Content-Encoding", "deflate")])
        elif path == "/raw-deflate":
            c = zlib.compressobj(wbits=-15)
            reply(conn, 200, c.compress(b"raw deflate " * 100) + c.flush(),
                  [("Content-Encoding", "deflate")])
        elif path == "/bomb":
            c = zlib.compressobj(wbits=31)
            z = c.compress(b"\0" * (64 << 20)) + c.flush()
            reply(conn, 200, z, [("Content-Encoding", "gzip")])
        elif path == "/bad-gzip":
            reply(conn, 200, b"\x1f\x8b\x08\x00not gzip at all", [("Content-Encoding", "gzip")])
        elif path == "/cut-gzip":
            z = gzip.compress(b"cut " * 1000)
            reply(conn, 200, z[: len(z) // 2], [("Content-Encoding", "gzip")])
        elif path.startswith("/redirect/"):
            n = int(path.split("/")[2])
            if n == 0:
                reply(conn, 200, b"landed")
            else:
                reply(conn, 302, b"moved", [("Location", "/redirect/%d" % (n - 1))], "Found")
        elif path == "/redirect-close":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /redirect/0\r\n"
                         b"Connection: close\r\n\r\nmoving, until close")
            return
        elif path == "/relative":
            reply(conn, 301, b"", [("Location", "redirect/0")], "Moved")
        elif path == "/see-other":
            reply(conn, 303, b"", [("Location", "/echo")], "See Other")
        elif path == "/temp":
            reply(conn, 307, b"", [("Location", "/echo")], "Temporary")
        elif path == "/cross":
            reply(conn, 302, b"", [("Location", "http://localhost:%d/echo" % port)], "Found")
        elif path == "/bad-location":
            reply(conn, 302, b"", [("Location", "ftp://example.com/x")], "Found")
        elif path == "/continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
            reply(conn, 200, b"after interim")
        elif path == "/no-content":
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        elif path == "/garbage":
            conn.sendall(b"this is not http\r\n\r\n")
            return
        elif path == "/smuggle":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        elif path == "/bad-chunk":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
            return
        elif path == "/truncated":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
            return
        elif path == "/truncated-chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nshort")
            return
        elif path == "/endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            while True:
                conn.sendall(b"x" * 65536)
        elif path == "/loop":
            reply(conn, 302, b"", [("Location", "/loop")], "Found")
        elif path == "/switch":
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: other\r\n"
                         b"Connection: upgrade\r\n\r\nother protocol bytes")
            time.sleep(0.5)
            return
        elif path == "/close-now":
            return
        elif path == "/half-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
            return
        elif path == "/stall-head":
            time.sleep(30)
            return
        elif path == "/stall-body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
            time.sleep(30)
            return
        elif path == "/big-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
            return
        elif path == "/many-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 500 + b"Content-Length: 0\r\n\r\n")
        elif path == "/huge-length":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n")
            return
        elif path == "/extra":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES")
        elif path == "/drop-now":
            reply(conn, 200, b"bye")  # keep-alive by its headers, then closed at once
            return
        elif path == "/drop-after":
            # answers, then closes the kept connection a moment later (the
            # client's next request on it is retried on a new one)
            reply(conn, 200, b"bye")
            time.sleep(0.3)
            return
        else:
            reply(conn, 404, b"no such path", reason="Not Found")


def main():
    global accepted
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    port = s.getsockname()[1]
    print("PORT %d" % port, flush=True)
    while True:
        c, _ = s.accept()
        with lock:
            accepted += 1

        def run(c=c):
            try:
                handle(c, port)
            except (OSError, ValueError):
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
