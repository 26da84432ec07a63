#!/usr/bin/env python3
"""`swirl serve` driven by Python's http.client (standard library only):
keep-alive reuse, HEAD, a chunked upload, a multipart upload of two files
(on disk while the request runs, gone after), gzip, Range, 304, the size
limits and path traversal attempts.

usage: test_http_python.py SWIRL_BIN   (registered with CTest)
"""
import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SWIRL = None


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


class Serve:
    """A `swirl serve` child on a free port; always torn down."""

    def __init__(self, *extra):
        self.proc = subprocess.Popen(
            [SWIRL, "serve", "--port", "0", "--workers", "1", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("swirl serve did not start: %r %r" %
                               (line, self.proc.stderr.read()))
        self.port = int(m.group(1))

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

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


class HttpClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="swirl-pytest-")
        cls.root = os.path.join(cls.dir, "www")
        cls.up = os.path.join(cls.dir, "up")
        os.mkdir(cls.root)
        os.mkdir(cls.up)
        cls.text = ("swirl static text line\n" * 500).encode()
        with open(os.path.join(cls.root, "page.txt"), "wb") as f:
            f.write(cls.text)
        with open(os.path.join(cls.dir, "secret"), "wb") as f:
            f.write(b"outside the root\n")
        cls.srv = Serve("--root", cls.root, "--set", "upload_tmp_dir=" + cls.up,
                        "--set", "package_max_length=4M")

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, "swirl serve exits 0 on SIGTERM, got %s" % code

    def test_keepalive_reuses_one_connection(self):
        c = self.srv.conn()
        socks = set()
        for _ in range(5):
            c.request("GET", "/hello")
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), b"hello world")
            self.assertFalse(r.will_close)
            socks.add(id(c.sock))
        self.assertEqual(len(socks), 1, "every request went over the same socket")
        c.close()

    def test_head_has_length_and_no_body(self):
        c = self.srv.conn()
        c.request("HEAD", "/hello")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Length"), "11")
        self.assertEqual(r.read(), b"")
        c.request("GET", "/hello")  # the connection is still in step
        self.assertEqual(c.getresponse().read(), b"hello world")
        c.close()

    def test_chunked_upload_is_echoed(self):
        parts = [os.urandom(n) for n in (1, 1000, 70000, 3)]
        c = self.srv.conn()
        c.request("POST", "/echo", body=iter(parts), encode_chunked=True,
                  headers={"Content-Type": "application/octet-stream"})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.read(), b"".join(parts))
        c.close()

    def test_multipart_upload_of_two_files(self):
        files = {"one": ("a.bin", os.urandom(300000)), "two": ("b.txt", b"small\r\n--x\r\n")}
        boundary = "----pyboundary7e1d"
        body = b""
        body += b"--%s\r\nContent-Disposition: form-data; name=\"who\"\r\n\r\npython\r\n" % \
            boundary.encode()
        for field, (name, data) in files.items():
            body += (b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                     b"Content-Type: application/x-py\r\n\r\n" %
                     (boundary.encode(), field.encode(), name.encode())) + data + b"\r\n"
        body += b"--%s--\r\n" % boundary.encode()
        c = self.srv.conn()
        c.request("POST", "/upload", body=body,
                  headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        got = r.read().decode()
        want = "field who=python\n" + "".join(
            "file %s %s application/x-py %d 0 %016x\n" % (f, n, len(d), fnv1a64(d))
            for f, (n, d) in files.items())
        self.assertEqual(got, want)
        self.assertEqual(os.listdir(self.up), [], "temp files removed after the request")
        c.close()

    def test_gzip_range_and_304(self):
        c = self.srv.conn()
        c.request("GET", "/page.txt", headers={"Accept-Encoding": "gzip"})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        etag = r.getheader("ETag")
        self.assertTrue(etag)
        self.assertEqual(r.read(), self.text)  # files go as they are (sendfile)
        c.request("GET", "/page.txt", headers={"Range": "bytes=10-19"})
        r = c.getresponse()
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("Content-Range"), "bytes 10-19/%d" % len(self.text))
        self.assertEqual(r.read(), self.text[10:20])
        c.request("GET", "/page.txt", headers={"If-None-Match": etag})
        r = c.getresponse()
        self.assertEqual(r.status, 304)
        self.assertEqual(r.read(), b"")
        # a compressible body made by the handler is gzipped on request
        body = b"x" * 5000
        c.request("POST", "/echo", body=body,
                  headers={"Accept-Encoding": "gzip", "Content-Type": "text/plain"})
        r = c.getresponse()
        self.assertEqual(r.getheader("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(r.read()), body)
        c.close()

    def test_limits_413_414_431(self):
        c = self.srv.conn()
        c.request("POST", "/echo", body=b"z" * (5 << 20))
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        self.assertIn(b"package_max_length", r.read())
        c.close()
        c = self.srv.conn()
        c.request("GET", "/" + "a" * 9000)
        r = c.getresponse()
        self.assertEqual(r.status, 414)
        c.close()
        c = self.srv.conn()
        c.putrequest("GET", "/hello")
        for i in range(120):
            c.putheader("X-Many-%d" % i, "v")
        c.endheaders()
        r = c.getresponse()
        self.assertEqual(r.status, 431)
        c.close()

    def test_no_escape_from_the_root(self):
        for target in ("/../secret", "/%2e%2e/secret", "/%2E%2E%2Fsecret", "/..%2fsecret",
                       "/page.txt/../../secret"):
            c = self.srv.conn()
            c.request("GET", target)
            r = c.getresponse()
            body = r.read()
            self.assertIn(r.status, (400, 403, 404), target)
            self.assertNotIn(b"outside the root", body, target)
            c.close()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_http_python.py SWIRL_BIN")
    SWIRL = sys.argv.pop(1)
    unittest.main(verbosity=2)
