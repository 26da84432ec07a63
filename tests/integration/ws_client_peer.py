#!/usr/bin/python3
"""WebSocket servers for test_ws_client.c: Python's `websockets` (a strict
peer) and hostile ones written by hand on raw sockets.

usage: ws_client_peer.py MODE   -- prints "port N" once listening, serves
until killed. MODE is one of:
  echo            websockets: echo, subprotocols chat/superchat offered,
                  permessage-deflate on; "close:CODE:REASON" makes the
                  server close with that code; "ping:X" makes it ping X
  echo-plain      the same without compression
  echo-ctx        compression with context takeover both ways and
                  server_max_window_bits=10 / client_max_window_bits=9 asked
  deflate:SN:CN:SB:CB  compression with server_no_context_takeover (1/0),
                  client_no_context_takeover, server_max_window_bits and
                  client_max_window_bits (0: not set) in the server's answer
and the hostile ones (one scripted answer to each connection, see HOSTILE
and scripted(): NAME:ARG ones), "conformance" among them.
"""
import asyncio
import base64
import hashlib
import os
import struct
import sys
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def frame(opcode, payload, fin=True, rsv=0, mask=None, length=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload) if length is None else length
    m = 0x80 if mask else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n < 65536:
        head = bytes([b0, m | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack("!Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def deflate_raw(data):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def upgrade(key, extra=b"", accept=None):
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " +
            (accept if accept is not None else accept_of(key)) + b"\r\n" + extra + b"\r\n")


BOMB = deflate_raw(b"\0" * (64 << 20))  # 64 MiB of zeros in ~64 KiB

# what each hostile server answers: f(key) -> list of byte strings (sent
# with a short pause between them), then "close" (TCP close), "hold" (keep
# the connection open, reading and dropping), or "echo-close" (answer a
# close frame with one, then close)
HOSTILE = {
    "bad-accept": lambda k: [upgrade(k, accept=b"AAAAAAAAAAAAAAAAAAAAAAAAAAA="), "hold"],
    "not-101": lambda k: [b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno", "hold"],
    "no-upgrade": lambda k: [b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: " + accept_of(k) + b"\r\n\r\n", "hold"],
    "bad-head": lambda k: [b"HTTP/1.1 101 Switching\rProtocols\r\n\r\n", "hold"],
    "huge-head": lambda k: [b"HTTP/1.1 101 Switching Protocols\r\n" +
                            (b"X-Filler: " + b"a" * 4000 + b"\r\n") * 6, "hold"],
    "proto-not-offered": lambda k: [upgrade(k, b"Sec-WebSocket-Protocol: evil\r\n"), "hold"],
    "ext-not-offered": lambda k: [upgrade(k, b"Sec-WebSocket-Extensions: x-evil\r\n"), "hold"],
    "deflate-bad-param": lambda k: [upgrade(
        k, b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n"),
        "hold"],
    "masked": lambda k: [upgrade(k) + frame(1, b"hi", mask=b"\x01\x02\x03\x04"), "echo-close"],
    "reserved-opcode": lambda k: [upgrade(k) + frame(3, b"x"), "echo-close"],
    "frag-control": lambda k: [upgrade(k) + frame(9, b"p", fin=False), "echo-close"],
    "rsv-bit": lambda k: [upgrade(k) + frame(1, b"x", rsv=2), "echo-close"],
    "oversize": lambda k: [upgrade(k) + frame(2, b"", length=1 << 40)[:10], "echo-close"],
    "bad-utf8": lambda k: [upgrade(k) + frame(1, b"ok \xc3\x28 no"), "echo-close"],
    "bad-utf8-split": lambda k: [upgrade(k) + frame(1, b"caf\xc3", fin=False),
                                 frame(0, b"\xa9 ok", fin=True) + frame(1, b"\xed\xa0\x80"),
                                 "echo-close"],
    "bad-continuation": lambda k: [upgrade(k) + frame(0, b"x"), "echo-close"],
    "bad-close-code": lambda k: [upgrade(k) + frame(8, struct.pack("!H", 1005)), "echo-close"],
    "close-1-byte": lambda k: [upgrade(k) + frame(8, b"\x03"), "echo-close"],
    "bomb": lambda k: [upgrade(k, b"Sec-WebSocket-Extensions: permessage-deflate\r\n") +
                       frame(2, BOMB, rsv=4), "echo-close"],
    "stall-head": lambda k: [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs", "hold"],
    "stall-silent": lambda k: ["hold"],
    "no-close-frame": lambda k: [upgrade(k) + frame(1, b"bye"), "close"],
    "close-before-101": lambda k: [b"HTTP/1.1 101 Swi", "close"],
    "never-answer-close": lambda k: [upgrade(k) + frame(1, b"hello"), "hold"],
    "welcome-behind-101": lambda k: [upgrade(k) + frame(1, b"one") +
                                     frame(2, b"tw", fin=False) + frame(9, b"mid") +
                                     frame(0, b"o", fin=True),
                                     "echo-close"],
    "many-headers": lambda k: [upgrade(k, b"".join(b"X-H%d: v\r\n" % i for i in range(100))),
                               "hold"],
    "http10-101": lambda k: [upgrade(k).replace(b"HTTP/1.1", b"HTTP/1.0", 1), "hold"],
    "dup-accept": lambda k: [upgrade(k, b"Sec-WebSocket-Accept: " + accept_of(k) + b"\r\n"),
                             "hold"],
    "chop-101": lambda k: [("chop", upgrade(k) + frame(1, b"after a chopped 101"), 1),
                           "echo-close"],
    "deflate-rsv1-cont": lambda k: [upgrade(k, b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
                                    + frame(1, deflate_raw(b"ab"), fin=False, rsv=4)
                                    + frame(0, b"x", rsv=4), "echo-close"],
    "deflate-garbage": lambda k: [upgrade(k, b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
                                  + frame(2, b"\xff\xff\xff\xff garbage", rsv=4), "echo-close"],
    "deflate-bad-utf8": lambda k: [upgrade(k, b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
                                   + frame(1, deflate_raw(b"ok \xed\xa0\x80"), rsv=4),
                                   "echo-close"],
    "utf8-failfast": lambda k: [upgrade(k) + frame(1, b"", length=100) + b"ok\xff", "hold"],
    "eof-mid-frame": lambda k: [upgrade(k) + frame(2, b"", length=1000) + b"part", "close"],
    "no-read": lambda k: [upgrade(k), "sleep"],
    "server-close": lambda k: [upgrade(k) + frame(8, struct.pack("!H", 4001) + b"bye now"),
                               "hold"],
}


def close_in(buf):
    """Is there a close frame among the client's (masked) frames in buf?"""
    i = 0
    while i + 2 <= len(buf):
        op, n = buf[i] & 0x0f, buf[i + 1] & 0x7f
        h = 2
        if n == 126:
            if i + 4 > len(buf):
                return False
            n, h = struct.unpack("!H", buf[i + 2:i + 4])[0], 4
        elif n == 127:
            if i + 10 > len(buf):
                return False
            n, h = struct.unpack("!Q", buf[i + 2:i + 10])[0], 10
        if op == 8:
            return True
        i += h + 4 + n
    return False


def client_frames(buf):
    """The client's frames in buf: [(opcode, fin, payload)], and whether
    every one was masked."""
    out, i, masked = [], 0, True
    while i + 2 <= len(buf):
        b0, b1 = buf[i], buf[i + 1]
        n, h = b1 & 0x7f, 2
        if n == 126:
            n, h = struct.unpack("!H", buf[i + 2:i + 4])[0], 4
        elif n == 127:
            n, h = struct.unpack("!Q", buf[i + 2:i + 10])[0], 10
        if not b1 & 0x80:
            masked = False
            mask, h2 = b"\0\0\0\0", h
        else:
            mask, h2 = buf[i + h:i + h + 4], h + 4
        if i + h2 + n > len(buf):
            break
        p = bytes(b ^ mask[k % 4] for k, b in enumerate(buf[i + h2:i + h2 + n]))
        out.append((b0 & 0x0f, bool(b0 & 0x80), p))
        i += h2 + n
    return out, masked


UTF8_OK = [b"\x7f", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xef\xbf\xbf",
           b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf",
           "\u03ba\u1f79\u03c3\u03bc\u03b5".encode()]
CONF_PINGS = [b"", bytes(range(125))] + [b"p%d" % i for i in range(10)]


def conformance_steps():
    """Categories 1, 2, 5, 6 and 9 from the server's side: every length
    form, chopped; pings of 0 and 125 bytes and 10 in a row; fragments
    with control frames between them; valid UTF-8 split inside code points
    across fragments; a 4 MiB message in 64 fragments. The client's frames
    are checked at the end (masked, the pongs' payloads)."""
    steps = []
    for n in (0, 1, 125, 126, 127, 65535, 65536):
        steps.append(("chop", frame(1, b"t" * n), 7 if n < 1000 else 4096))
        steps.append(("chop", frame(2, bytes(k & 0xff for k in range(n))), 5 if n < 1000 else 8192))
    for p in CONF_PINGS:
        steps.append(("chop", frame(9, p), 3))
    steps.append(frame(10, b"unsolicited"))
    steps.append(frame(1, b"frag", fin=False) + frame(9, b"between") +
                 frame(0, b"men", fin=False) + frame(10, b"pong between") +
                 frame(0, b"ted"))
    steps.append(b"".join(frame(2 if i == 0 else 0, bytes([i]), fin=i == 9) for i in range(10)))
    text = b"".join(UTF8_OK)
    steps.append(("chop", b"".join(frame(1 if i == 0 else 0, text[i:i + 1], fin=i == len(text) - 1)
                                   for i in range(len(text))), 16))
    big = bytes((k * 7) & 0xff for k in range(4 << 20))
    steps.append(b"".join(frame(2 if i == 0 else 0, big[i << 16:(i + 1) << 16], fin=i == 63)
                          for i in range(64)))
    steps.append(frame(1, b"end"))
    steps.append("check-close")
    return steps


def scripted(mode, k):
    """Parameterised hostile servers: name:arg."""
    name, _, arg = mode.partition(":")
    if name == "conformance":
        return [upgrade(k)] + conformance_steps()
    if name == "rsv":  # rsv:BITS:OPCODE
        bits, op = arg.split(":")
        return [upgrade(k) + frame(int(op), struct.pack("!H", 1000) if int(op) == 8 else b"x",
                                   rsv=int(bits)), "echo-close"]
    if name == "opcode":
        return [upgrade(k) + frame(int(arg), b"x"), "echo-close"]
    if name == "utf8bad":
        return [upgrade(k) + frame(1, bytes.fromhex(arg)), "echo-close"]
    if name == "utf8bad-frag":  # the bad byte alone in a later fragment
        return [upgrade(k) + frame(1, b"ok", fin=False), frame(0, bytes.fromhex(arg)),
                "echo-close"]
    if name == "closecode":
        return [upgrade(k) + frame(8, struct.pack("!H", int(arg))), "echo-close"]
    if name == "close125":
        return [upgrade(k) + frame(8, struct.pack("!H", 1000) + b"r" * 123), "hold"]
    if name == "close126":
        return [upgrade(k) + frame(8, struct.pack("!H", 1000) + b"r" * 124), "echo-close"]
    if name == "closebadutf8":
        return [upgrade(k) + frame(8, struct.pack("!H", 1000) + b"\xce\xba\xed\xa0\x80"),
                "echo-close"]
    if name == "new-inside-frag":
        return [upgrade(k) + frame(1, b"a", fin=False) + frame(1, b"b"), "echo-close"]
    raise KeyError(mode)


async def hostile(mode, reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except Exception:
        writer.close()
        return
    key = b""
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    steps = HOSTILE[mode](key) if mode in HOSTILE else scripted(mode, key)
    for step in steps:
        if isinstance(step, tuple):  # ("chop", bytes, size): in pieces
            _, data, size = step
            for i in range(0, len(data), size):
                writer.write(data[i:i + size])
                await writer.drain()
                await asyncio.sleep(0)
            continue
        if step == "sleep":  # never read again: the client's sends back up
            await asyncio.sleep(3600)
            return
        if step == "check-close":
            # read the client's frames up to its close; answer 1000 if they
            # are all masked and the pongs carry the pings' payloads, else 4999
            buf = b""
            try:
                while not close_in(buf):
                    data = await asyncio.wait_for(reader.read(1 << 20), 20)
                    if not data:
                        break
                    buf += data
            except Exception:
                pass
            frames, masked = client_frames(buf)
            pongs = [p for op, fin, p in frames if op == 10]
            ok = masked and pongs == CONF_PINGS + [b"between"]
            writer.write(frame(8, struct.pack("!H", 1000 if ok else 4999) +
                               (b"" if ok else repr((masked, pongs))[:100].encode())))
            await writer.drain()
            writer.close()
            return
        if step == "close":
            writer.close()
            return
        if step == "hold":
            try:
                while await reader.read(65536):
                    pass
            except Exception:
                pass
            writer.close()
            return
        if step == "echo-close":
            # answer the client's close frame (any), then close
            buf = b""
            try:
                while True:
                    data = await asyncio.wait_for(reader.read(65536), 10)
                    if not data:
                        break
                    buf += data
                    if close_in(buf):
                        writer.write(frame(8, b"\x03\xe8"))
                        await writer.drain()
                        break
            except Exception:
                pass
            writer.close()
            return
        writer.write(step)
        await writer.drain()
        await asyncio.sleep(0.05)
    writer.close()


async def main():
    mode = sys.argv[1]
    if mode.startswith("echo") or mode.startswith("deflate:"):
        import websockets
        from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

        async def handler(ws, path=None):
            async for m in ws:
                if isinstance(m, str) and m.startswith("close:"):
                    _, code, reason = m.split(":", 2)
                    await ws.close(int(code), reason)
                    return
                if isinstance(m, str) and m.startswith("ping:"):
                    await ws.ping(m[5:])
                    continue
                await ws.send(m)

        if mode.startswith("deflate:"):  # deflate:SERVER_NO_CTX:CLIENT_NO_CTX:SBITS:CBITS
            sn, cn, sb, cb = mode.split(":")[1:]
            ext = [ServerPerMessageDeflateFactory(
                server_no_context_takeover=sn == "1", client_no_context_takeover=cn == "1",
                server_max_window_bits=int(sb) or None, client_max_window_bits=int(cb) or None)]
        elif mode == "echo-plain":
            ext = None
        elif mode == "echo-ctx":
            ext = [ServerPerMessageDeflateFactory(server_max_window_bits=10,
                                                  client_max_window_bits=9)]
        else:
            ext = [ServerPerMessageDeflateFactory(server_no_context_takeover=True)]
        kw = {"extensions": ext} if ext is not None else {"compression": None}
        server = await websockets.serve(handler, "127.0.0.1", 0, subprotocols=["chat", "superchat"],
                                        max_size=32 << 20, **kw)
    else:
        if mode not in HOSTILE:
            scripted(mode, b"")  # raises for an unknown mode
        server = await asyncio.start_server(lambda r, w: hostile(mode, r, w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("port %d" % port, flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    try:
        import websockets  # noqa: F401
    except ImportError:
        print("no websockets", flush=True)
        sys.exit(77)
    asyncio.run(main())
