#!/usr/bin/python3
"""`swirl serve`'s WebSocket endpoints driven by Python's `websockets`
(Debian python3-websockets, a strict implementation): echo of text and
binary from 0 bytes to 16 MiB, fragmented sends, ping payloads, close codes
echoed, invalid UTF-8 -> 1007, oversize -> 1009, bad handshakes -> no
upgrade, and the /chat broadcast reaching every member (also 1 000 of them).

It also turns the tables: swirl's expectations of a strict peer are
checked against `websockets`' own server, so the raw-socket client's
rules in test_websocket.c are not swirl's alone.

usage: test_ws_python.py SWIRL_BIN   (registered with CTest)
"""
import asyncio
import http.client
import os
import re
import resource
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

try:
    import websockets
    from websockets.exceptions import ConnectionClosed
except ImportError:  # CTest treats exit code 77 as "skipped"
    print("python3-websockets is not installed (scripts/deps.sh installs it): skipped")
    sys.exit(77)

SWIRL = None
MB = 1 << 20


class Serve:
    def __init__(self, *extra):
        self.proc = subprocess.Popen(
            [SWIRL, "serve", "--port", "0", "--workers", "2", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"https?://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("swirl serve did not start: %r" % line)
        self.port = int(m.group(1))
        self.url = ("wss://localhost:%d" if "https" in line else "ws://127.0.0.1:%d") % self.port

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


class WebSocketTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Serve("--set", "package_max_length=17M", "--set", "buffer_output_size=40M",
                        "--set", "socket_buffer_size=80M")

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_echo_sizes_text_and_binary(self):
        async def go():
            async with websockets.connect(self.srv.url + "/ws", max_size=None) as ws:
                for n in (0, 1, 125, 126, 65535, 65536, MB, 16 * MB):
                    text = "\u00e9" * (n // 2) + "a" * (n % 2)
                    await ws.send(text)
                    self.assertEqual(await ws.recv(), text, "text of %d bytes" % n)
                    data = os.urandom(n)
                    await ws.send(data)
                    self.assertEqual(await ws.recv(), data, "binary of %d bytes" % n)
        run(go())

    def test_fragmented_send_and_pings(self):
        async def go():
            async with websockets.connect(self.srv.url + "/ws") as ws:
                await ws.send(["frag", "men", "ted \u20ac"])
                self.assertEqual(await ws.recv(), "fragmented \u20ac")
                await ws.send([b"\x00", b"\x01" * 70000])
                self.assertEqual(await ws.recv(), b"\x00" + b"\x01" * 70000)
                for payload in (b"", b"x", b"p" * 125):
                    waiter = await ws.ping(payload)
                    await asyncio.wait_for(waiter, 5)
        run(go())

    def test_close_codes_are_echoed(self):
        async def go():
            for code, reason in ((1000, ""), (1001, "away"), (3000, "app"), (4999, "x" * 100)):
                ws = await websockets.connect(self.srv.url + "/ws")
                await ws.close(code, reason)
                self.assertEqual(ws.close_code, code)
        run(go())

    def test_invalid_utf8_and_oversize(self):
        async def go():
            ws = await websockets.connect(self.srv.url + "/ws")
            await ws.write_frame(True, 0x1, b"ok \xff")  # a text frame, not UTF-8
            with self.assertRaises(ConnectionClosed):
                await ws.recv()
            self.assertEqual(ws.close_code, 1007)
            ws = await websockets.connect(self.srv.url + "/ws", max_size=None)
            with self.assertRaises(ConnectionClosed):  # refused from its header on
                await ws.send(b"z" * (18 * MB))  # past package_max_length (17M)
                await ws.recv()
            self.assertEqual(ws.close_code, 1009)
        run(go())

    def test_bad_handshakes_are_refused(self):
        for headers, status in (
                ({"Sec-WebSocket-Version": "8"}, 426),
                ({"Sec-WebSocket-Key": None}, 400),
                ({"Sec-WebSocket-Key": "bm90IDE2IGJ5dGVz"}, 400)):
            h = {"Upgrade": "websocket", "Connection": "Upgrade",
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
            h.update(headers)
            h = {k: v for k, v in h.items() if v is not None}
            c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
            c.request("GET", "/ws", headers=h)
            r = c.getresponse()
            self.assertEqual(r.status, status, headers)
            if status == 426:
                self.assertEqual(r.getheader("Sec-WebSocket-Version"), "13")
            c.close()
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        c.request("GET", "/elsewhere", headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        self.assertEqual(c.getresponse().status, 404)
        c.close()

    def test_chat_broadcast_reaches_every_member(self):
        async def go(n):
            members = [await websockets.connect(self.srv.url + "/chat") for _ in range(n)]
            await asyncio.sleep(0.2)
            await members[0].send("hello room")
            got = await asyncio.gather(*(asyncio.wait_for(m.recv(), 30) for m in members))
            self.assertEqual(got, ["hello room"] * n)
            await members[-1].send("second")
            got = await asyncio.gather(*(asyncio.wait_for(m.recv(), 30) for m in members))
            self.assertEqual(got, ["second"] * n)
            await asyncio.gather(*(m.close() for m in members))
        run(go(3))
        run(go(1000))


async def raw(ws, frame):
    """Bytes the library would refuse to build, straight onto the socket."""
    ws.transport.write(frame)


class WssTest(unittest.TestCase):
    """WSS: `swirl serve --cert --key` with a certificate made here by
    `openssl req`; websockets verifies it (CA = that certificate, host name
    localhost), echo and chat go through TLS, compression too."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("openssl"):
            raise unittest.SkipTest("openssl is not installed")
        cls.dir = tempfile.mkdtemp(prefix="swirl-wss-")
        cls.crt = os.path.join(cls.dir, "c.crt")
        key = os.path.join(cls.dir, "c.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cls.crt, "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost", "-days", "2"],
                       check=True, capture_output=True)
        cls.srv = Serve("--cert", cls.crt, "--key", key, "--set", "websocket_compression=true",
                        "--set", "package_max_length=4M", "--set", "buffer_output_size=8M",
                        "--set", "socket_buffer_size=16M")
        cls.ctx = ssl.create_default_context(cafile=cls.crt)

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0

    def test_wss_echo_and_chat(self):
        async def go():
            async with websockets.connect(self.srv.url + "/ws", ssl=self.ctx,
                                          max_size=None) as ws:
                for n in (0, 1, 125, 126, 65535, 65536, 3 * MB):
                    msg = os.urandom(n)
                    await ws.send(msg)
                    self.assertEqual(await ws.recv(), msg)
                await ws.send("text over TLS")
                self.assertEqual(await ws.recv(), "text over TLS")
            a = await websockets.connect(self.srv.url + "/chat", ssl=self.ctx)
            b = await websockets.connect(self.srv.url + "/chat", ssl=self.ctx)
            await asyncio.sleep(0.2)
            await a.send("hi from a")
            self.assertIn("hi from a", await asyncio.wait_for(b.recv(), 10))
            await a.close()
            await b.close()
        run(go())

    def test_an_unverified_certificate_is_refused_by_the_client(self):
        async def go():
            with self.assertRaises(ssl.SSLCertVerificationError):
                await websockets.connect(self.srv.url + "/ws", ssl=ssl.create_default_context())
        run(go())


class DeflateTest(unittest.TestCase):
    """permessage-deflate (websocket_compression on): websockets offers it by
    default; every message goes compressed both ways."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Serve("--set", "websocket_compression=true", "--set", "package_max_length=4M",
                        "--set", "buffer_output_size=8M", "--set", "socket_buffer_size=16M")

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_compressed_echo(self):
        async def go():
            async with websockets.connect(self.srv.url + "/ws", max_size=None) as ws:
                names = [e.name for e in ws.extensions]
                self.assertEqual(names, ["permessage-deflate"])
                for n in (0, 10, 100, 70000, MB, 3 * MB):
                    text = ("swirl " * (n // 6 + 1))[:n]
                    await ws.send(text)
                    self.assertEqual(await ws.recv(), text, "text of %d bytes" % n)
                    data = os.urandom(n)  # incompressible: still right
                    await ws.send(data)
                    self.assertEqual(await ws.recv(), data, "binary of %d bytes" % n)
                await ws.send(["frag", "mented " * 100])
                self.assertEqual(await ws.recv(), "frag" + "mented " * 100)
        run(go())

    def test_compressed_chat(self):
        async def go():
            a = await websockets.connect(self.srv.url + "/chat")
            b = await websockets.connect(self.srv.url + "/chat", compression=None)
            await asyncio.sleep(0.1)
            await a.send("to everyone, compressed or not " * 10)
            for m in (a, b):
                self.assertEqual(await asyncio.wait_for(m.recv(), 10),
                                 "to everyone, compressed or not " * 10)
            await a.close()
            await b.close()
        run(go())


class StrictPeerTest(unittest.TestCase):
    """The rules the raw client in test_websocket.c holds swirl to, checked
    against `websockets`' own server: a strict, independent peer."""

    def test_websockets_server_agrees(self):
        async def echo(ws, path=None):
            try:
                async for m in ws:
                    await ws.send(m)
            except ConnectionClosed:
                pass

        async def go():
            async with websockets.serve(echo, "127.0.0.1", 0, max_size=64 * 1024,
                                        compression=None) as server:
                port = server.sockets[0].getsockname()[1]
                url = "ws://127.0.0.1:%d" % port
                cases = (
                    (lambda ws: ws.write_frame(True, 0x1, b"\xc0\x80"), 1007),
                    (lambda ws: raw(ws, b"\x83\x80\0\0\0\0"), 1002),  # opcode 3
                    (lambda ws: raw(ws, b"\xc1\x80\0\0\0\0"), 1002),  # RSV1
                    (lambda ws: ws.write_frame(True, 0x0, b"x"), 1002),
                    (lambda ws: ws.send(b"z" * 70000), 1009),
                )
                for i, (send, code) in enumerate(cases):
                    ws = await websockets.connect(url, max_size=None, compression=None)
                    with self.assertRaises(ConnectionClosed, msg="case %d" % i):
                        await send(ws)
                        await asyncio.wait_for(ws.recv(), 5)
                    self.assertEqual(ws.close_code, code, "case %d" % i)
                ws = await websockets.connect(url)
                await ws.close(4000, "bye")
                self.assertEqual(ws.close_code, 4000, "a close code is echoed")
        run(go())


if __name__ == "__main__":
    # 1 000 chat members: room for their sockets here and in swirl serve (a child)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 8192:
        hard = 8192
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if len(sys.argv) < 2:
        sys.exit("usage: test_ws_python.py SWIRL_BIN")
    SWIRL = sys.argv.pop(1)
    unittest.main(verbosity=2)
