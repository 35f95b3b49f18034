#!/usr/bin/python3
"""The S3 backend of fcgi/services/storage_s3.c, checked three ways.

1. Query signing against an independent signer: the presigned URLs of
   sigv4_presign (tests/unit/sigv4_tool) and storage_presign_get
   (tests/unit/storage_tool presign) must carry the same signature and
   canonical request as botocore's S3SigV4QueryAuth (Debian's
   python3-botocore) for the same request, date and credentials.
2. Header signing as libcurl does it (CURLOPT_AWS_SIGV4): a small S3 stand-in
   here re-computes the signature of every request storage_tool sends with
   botocore's S3SigV4Auth and refuses a mismatch, and checks that
   x-amz-content-sha256 is the body's real SHA-256; it also answers canned
   errors to check how failures are classified (EAGAIN vs ERR vs ENOTFOUND).
3. End to end against s3rver (npm; installed by tests/api/s3/install.sh) on a
   free 127.0.0.1 port: a binary file with a Chinese name is uploaded,
   downloaded byte-identical, fetched through its presigned URL with urllib,
   deleted, and then gone.  s3rver does not verify V4 signatures: that is
   what 1 and 2 are for.

    SIGV4_TOOL=... STORAGE_TOOL=... /usr/bin/python3 tests/api/test_s3.py

Prints "N passed, M failed" last; exits non-zero on any failure.
"""

import datetime
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from unittest import mock
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER_JS = os.path.join(HERE, "s3", "node_modules", "s3rver", "bin", "s3rver.js")
SIGV4_TOOL = os.environ.get("SIGV4_TOOL")
STORAGE_TOOL = os.environ.get("STORAGE_TOOL")

ACCESS, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/+=token"
AMZ_DATE = "20240315T081500Z"
NOW = 1710490500  # the same instant as AMZ_DATE

KEYS = [
    "resumes/1/2/3/resume.pdf",
    "resumes/42/7/3/简历 2024（终版）.pdf",
    "resumes/5/6/7/a b+c=d&e;f,g@h$i!j'k(l)m*n~o_p-q.r%s#t?u[v]w{x}y^z`|\"<>.txt",
    "resumes/9/9/9/📄 CV 张三.docx",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- botocore, the independent signer ----


class RecordingQueryAuth(S3SigV4QueryAuth):
    """botocore's S3 presigner, keeping the texts it signs."""

    def canonical_request(self, request):
        self.creq = super().canonical_request(request)
        return self.creq

    def string_to_sign(self, request, canonical_request):
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


def boto_presign(url, region, expires, amz_date, params=None, token=None, access=ACCESS, secret=SECRET):
    """(url, canonical request, string to sign) as botocore presigns them at amz_date."""
    req = AWSRequest(method="GET", url=url, params=params or {})
    auth = RecordingQueryAuth(Credentials(access, secret, token), "s3", region, expires=expires)
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "datetime") as dt:
        dt.datetime.utcnow.return_value = fixed
        auth.add_auth(req)
    return req.url, auth.creq, auth.sts


def query_of(url):
    return sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def signature_of(url):
    return dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]


def content_disposition(name):
    """What storage_s3.c should put in response-content-disposition, written independently."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in name)
    return "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (fallback, quote(name, safe="!#$&+-.^_`|~"))


def run_tool(args, env=None, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, env=env, timeout=timeout)
    p.elapsed = time.monotonic() - t0
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    return p


def storage_env(endpoint, bucket="zhimai-test", access=ACCESS, secret=SECRET, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZM_")}
    env.update(
        {
            "ZM_STORAGE_BACKEND": "s3",
            "ZM_STORAGE_S3_ENDPOINT": endpoint,
            "ZM_STORAGE_S3_REGION": "us-east-1",
            "ZM_STORAGE_S3_BUCKET": bucket,
            "ZM_STORAGE_S3_ACCESS_KEY": access,
            "ZM_STORAGE_S3_SECRET_KEY": secret,
            "ZM_STORAGE_S3_PATH_STYLE": "1",
            "ZM_STORAGE_S3_TIMEOUT_MS": "10000",
        }
    )
    env.update(extra)
    return env


def storage(env, *args, timeout=60):
    return run_tool([STORAGE_TOOL] + list(args), env=env, timeout=timeout)


class QuerySigningTest(unittest.TestCase):
    """storage.c's presigned URLs against botocore's."""

    def sigv4_tool(self, region, host, path, expires, query=None, token=None):
        env = dict(os.environ, SIGV4_ACCESS_KEY=ACCESS, SIGV4_SECRET_KEY=SECRET)
        env.pop("SIGV4_SESSION_TOKEN", None)
        if token:
            env["SIGV4_SESSION_TOKEN"] = token
        args = [SIGV4_TOOL, "-v"] + (["-q", query] if query else [])
        args += [region, "s3", host, path, AMZ_DATE, str(expires)]
        p = run_tool(args, env=env)
        self.assertEqual(p.returncode, 0, p.err)
        creq, sts = p.err.rstrip("\n").split("\n----\n")
        return p.out.strip(), creq, sts

    def compare(self, ours, boto):
        (url, creq, sts), (burl, bcreq, bsts) = ours, boto
        self.assertEqual(creq, bcreq)
        self.assertEqual(sts, bsts)
        self.assertEqual(signature_of(url), signature_of(burl))
        self.assertEqual(urlsplit(url).path, urlsplit(burl).path)
        self.assertEqual(query_of(url), query_of(burl))

    def test_keys(self):
        for region in ("us-east-1", "cn-north-1"):
            for key in KEYS:
                with self.subTest(key=key, region=region):
                    host = "127.0.0.1:9000"
                    path = "/zhimai-test/" + key
                    ours = self.sigv4_tool(region, host, path, 300)
                    # botocore's S3 serializer encodes keys this way ('/' and '~' kept)
                    boto = boto_presign("http://%s%s" % (host, quote(path, safe="/~")), region, 300, AMZ_DATE)
                    self.compare(ours, boto)

    def test_session_token_and_virtual_host(self):
        host = "zhimai-test.s3.ap-east-1.amazonaws.com"
        ours = self.sigv4_tool("ap-east-1", host, "/" + KEYS[1], 604800, token=TOKEN)
        boto = boto_presign("https://%s%s" % (host, quote("/" + KEYS[1], safe="/~")), "ap-east-1", 604800,
                            AMZ_DATE, token=TOKEN)
        self.compare(ours, boto)

    def test_response_overrides(self):
        name = "简历 2024（终版）.pdf"
        params = {"response-content-disposition": content_disposition(name),
                  "response-content-type": "application/pdf"}
        query = "&".join("%s=%s" % (k, quote(v, safe="-_.~")) for k, v in params.items())
        ours = self.sigv4_tool("us-east-1", "127.0.0.1:9000", "/zhimai-test/" + KEYS[1], 300, query=query)
        boto = boto_presign("http://127.0.0.1:9000" + quote("/zhimai-test/" + KEYS[1], safe="/~"),
                            "us-east-1", 300, AMZ_DATE, params=params)
        self.compare(ours, boto)

    def test_storage_presign_get(self):
        """storage_presign_get end to end: URL layout, key encoding, disposition, content type."""
        cases = [
            ("http://127.0.0.1:9000", "1", "http://127.0.0.1:9000/zhimai-test/"),
            ("https://s3.ap-east-1.amazonaws.com", "0", "https://zhimai-test.s3.ap-east-1.amazonaws.com/"),
        ]
        for endpoint, path_style, prefix in cases:
            for key in KEYS:
                for name, ctype in ((None, None), (key.rsplit("/", 1)[1], "application/pdf")):
                    with self.subTest(endpoint=endpoint, key=key, name=name):
                        env = storage_env(endpoint, ZM_STORAGE_S3_PATH_STYLE=path_style,
                                          ZM_STORAGE_S3_REGION="ap-east-1")
                        args = ["presign", key, str(NOW), "300"] + ([name, ctype] if name else [])
                        p = storage(env, *args)
                        self.assertEqual(p.returncode, 0, p.err)
                        url = p.out.strip()
                        params = {}
                        if name:
                            params = {"response-content-disposition": content_disposition(name),
                                      "response-content-type": ctype}
                        burl, _, _ = boto_presign(prefix + quote(key, safe="/~"), "ap-east-1", 300, AMZ_DATE,
                                                  params=params)
                        self.assertTrue(url.startswith(prefix + quote(key, safe="/~") + "?"), url)
                        self.assertEqual(query_of(url), query_of(burl))
                        self.assertEqual(signature_of(url), signature_of(burl))


# ---- an S3 stand-in that checks libcurl's header signatures with botocore ----


class VerifyingS3(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), VerifyingHandler)
        self.objects = {}
        self.log = []  # (method, raw path, signed headers, verdict)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        # a client that gave up (the timeout test) is expected; anything else is shown
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def s3_error(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            "<RequestId>TEST</RequestId></Error>" % (code, message)).encode()


class VerifyingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # answers Expect: 100-continue, as S3 does

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def verify(self, body):
        """None when the request is signed right, else the reason."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "no SigV4 Authorization header"
        fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        signed = fields["SignedHeaders"].split(";")
        amz_date = self.headers.get("X-Amz-Date", "")
        scope = "%s/%s/us-east-1/s3/aws4_request" % (ACCESS, amz_date[:8])
        if fields["Credential"] != scope:
            return "credential %s, expected %s" % (fields["Credential"], scope)
        sha = self.headers.get("x-amz-content-sha256")
        if sha != hashlib.sha256(body).hexdigest():
            return "x-amz-content-sha256 %s is not the body's SHA-256" % sha
        for need in ("host", "x-amz-date", "x-amz-content-sha256"):
            if need not in signed:
                return "%s is not signed" % need
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        if abs((datetime.datetime.utcnow() - when).total_seconds()) > 900:
            return "X-Amz-Date is off by more than 15 minutes"
        req = AWSRequest(method=self.command, url="http://%s%s" % (self.headers["Host"], self.path), data=body)
        for name in signed:
            if name != "host":
                if self.headers.get(name) is None:
                    return "signed header %s was not sent" % name
                req.headers[name] = self.headers[name]
        req.context["timestamp"] = amz_date
        signer = S3SigV4Auth(Credentials(ACCESS, SECRET), "s3", "us-east-1")
        if signer.signed_headers(signer.headers_to_sign(req)) != fields["SignedHeaders"]:
            return "SignedHeaders %s differ from botocore's" % fields["SignedHeaders"]
        creq = signer.canonical_request(req)
        mine = signer.signature(signer.string_to_sign(req, creq), req)
        if mine != fields["Signature"]:
            return "signature mismatch; botocore's canonical request:\n" + creq
        return None

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        why = self.verify(body)
        bucket, _, key = self.path.lstrip("/").partition("/")
        with self.server.lock:
            self.server.log.append((self.command, self.path, self.headers.get("Authorization", ""), why))
        if why is not None:
            return self.reply(403, s3_error("SignatureDoesNotMatch", why.splitlines()[0]))
        canned = {
            "broken": (500, "InternalError", "We encountered an internal error."),
            "slowdown": (503, "SlowDown", "Please reduce your request rate."),
            "denied": (403, "AccessDenied", "Access Denied"),
            "nobucket": (404, "NoSuchBucket", "The specified bucket does not exist"),
            "full": (507, "XMinioStorageFull", "Storage backend has reached its minimum free drive threshold."),
        }
        if bucket in canned:
            status, code, msg = canned[bucket]
            return self.reply(status, s3_error(code, msg))
        if bucket == "slow":
            time.sleep(3)
            return self.reply(200)
        if bucket == "huge":
            # announces 64 MiB + 1: the client must give up without reading it
            self.send_response(200)
            self.send_header("Content-Length", str(64 * 1024 * 1024 + 1))
            self.end_headers()
            self.wfile.write(b"x" * 1024)
            self.close_connection = True
            return None
        if bucket == "gone":  # DELETE answered 404, as some S3-compatible servers do
            return self.reply(404, s3_error("NoSuchKey", "The specified key does not exist."))
        obj = (bucket, unquote(key))
        with self.server.lock:
            if self.command == "PUT":
                self.server.objects[obj] = (body, self.headers.get("Content-Type"))
                return self.reply(200, headers={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})
            if self.command == "GET":
                if obj not in self.server.objects:
                    return self.reply(404, s3_error("NoSuchKey", "The specified key does not exist."))
                data, ctype = self.server.objects[obj]
                return self.reply(200, data, {"Content-Type": ctype or "binary/octet-stream"})
            if self.command == "DELETE":
                self.server.objects.pop(obj, None)
                return self.reply(204)
        return self.reply(405, s3_error("MethodNotAllowed", "no"))

    do_PUT = do_GET = do_DELETE = handle_any


class HeaderSigningTest(unittest.TestCase):
    """Requests as libcurl signs them, checked by botocore; failure classes."""

    @classmethod
    def setUpClass(cls):
        cls.server = VerifyingS3()
        cls.tmp = tempfile.mkdtemp(prefix="zm-s3-verify-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def env(self, bucket="zhimai-test", **extra):
        return storage_env(self.server.endpoint, bucket=bucket, **extra)

    def last_verdicts(self, n):
        with self.server.lock:
            return [entry[3] for entry in self.server.log[-n:]]

    def test_put_get_delete_signed(self):
        # over 1 MiB: libcurl sends Expect: 100-continue, which must stay out of the signature
        data = os.urandom(1536 * 1024) + bytes(range(256))
        src = os.path.join(self.tmp, "src.bin")
        out = os.path.join(self.tmp, "out.bin")
        with open(src, "wb") as f:
            f.write(data)
        env = self.env()
        for key in KEYS:
            with self.subTest(key=key):
                p = storage(env, "put", src, key, "application/pdf")
                self.assertEqual(p.returncode, 0, p.err)
                p = storage(env, "get", key, out)
                self.assertEqual(p.returncode, 0, p.err)
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), data)
                p = storage(env, "delete", key)
                self.assertEqual(p.returncode, 0, p.err)
                p = storage(env, "get", key, out)
                self.assertEqual(p.returncode, 1)
                self.assertIn("error: ENOTFOUND", p.err)
                self.assertEqual(self.last_verdicts(4), [None] * 4)
        with self.server.lock:
            put = [e for e in self.server.log if e[0] == "PUT"][-1]
            stored = dict(self.server.objects)
        self.assertIn("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,", put[2])
        self.assertFalse([k for k in KEYS if ("zhimai-test", k) in stored])
        # the key arrived encoded once: the stand-in decoded it back to the original
        p = storage(env, "put", src, KEYS[1], "application/pdf")
        self.assertEqual(p.returncode, 0, p.err)
        with self.server.lock:
            self.assertIn(("zhimai-test", KEYS[1]), self.server.objects)
            self.assertEqual(self.server.objects[("zhimai-test", KEYS[1])][1], "application/pdf")
            raw = self.server.log[-1][1]
        self.assertEqual(raw, "/zhimai-test/" + quote(KEYS[1], safe="/~"))

    def test_empty_object_and_default_type(self):
        src = os.path.join(self.tmp, "empty.bin")
        out = os.path.join(self.tmp, "empty.out")
        open(src, "wb").close()
        env = self.env()
        p = storage(env, "put", src, "resumes/0/0/0/空.txt")
        self.assertEqual(p.returncode, 0, p.err)
        with self.server.lock:
            self.assertEqual(self.server.objects[("zhimai-test", "resumes/0/0/0/空.txt")],
                             (b"", "application/octet-stream"))
        p = storage(env, "get", "resumes/0/0/0/空.txt", out)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(os.path.getsize(out), 0)
        self.assertEqual(self.last_verdicts(2), [None, None])

    def test_wrong_secret_is_refused(self):
        # the stand-in really checks: a request signed with another secret fails
        src = os.path.join(self.tmp, "x.bin")
        with open(src, "wb") as f:
            f.write(b"x")
        p = storage(self.env(secret="not-the-secret"), "put", src, "k")
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: ERR", p.err)
        self.assertIn("SignatureDoesNotMatch", p.err)

    def test_failures_are_classified(self):
        out = os.path.join(self.tmp, "never.bin")
        for bucket, expect, logged in (
            ("broken", "EAGAIN", "HTTP 500 InternalError"),
            ("slowdown", "EAGAIN", "HTTP 503 SlowDown"),
            ("denied", "ERR", "HTTP 403 AccessDenied"),
            ("nobucket", "ERR", "HTTP 404 NoSuchBucket"),
        ):
            with self.subTest(bucket=bucket):
                p = storage(self.env(bucket), "get", "resumes/1/2/3/x.pdf", out)
                self.assertEqual(p.returncode, 1)
                self.assertIn("error: " + expect, p.err)
                self.assertIn(logged, p.err)
        # out of space (MinIO's 507): the upload path answers 503 + Retry-After for it, not 500
        src = os.path.join(self.tmp, "full.bin")
        with open(src, "wb") as f:
            f.write(b"x")
        p = storage(self.env("full"), "put", src, "resumes/1/2/3/x.pdf")
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: STORAGE_EFULL", p.err)
        self.assertIn("HTTP 507 XMinioStorageFull", p.err)
        # DELETE of a missing key is fine whether the server says 204 (S3) or 404
        p = storage(self.env("gone"), "delete", "resumes/1/2/3/x.pdf")
        self.assertEqual(p.returncode, 0, p.err)
        self.assertFalse(os.path.exists(out))

    def test_timeout_is_transient(self):
        p = storage(self.env("slow", ZM_STORAGE_S3_TIMEOUT_MS="1000"), "delete", "k")
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: EAGAIN", p.err)
        self.assertLess(p.elapsed, 2.9)

    def test_refused_connection_is_transient(self):
        env = storage_env("http://127.0.0.1:%d" % free_port())
        p = storage(env, "get", "k", os.path.join(self.tmp, "never.bin"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: EAGAIN", p.err)

    def test_oversized_download_is_refused(self):
        p = storage(self.env("huge"), "get", "k", os.path.join(self.tmp, "huge.bin"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: ETOOBIG", p.err)


# ---- s3rver ----


class S3rverTest(unittest.TestCase):
    """The S3 backend against a real S3 implementation on loopback."""

    BUCKET = "zhimai-test"
    NAME = "简历 2024（终版）.pdf"
    KEY = "resumes/42/7/3/" + NAME

    @classmethod
    def setUpClass(cls):
        node = shutil.which("node") or shutil.which("nodejs")
        if node is None or not os.path.exists(S3RVER_JS):
            raise RuntimeError("s3rver is not installed: apt-get install nodejs npm, then tests/api/s3/install.sh")
        cls.tmp = tempfile.mkdtemp(prefix="zm-s3rver-")
        cls.data_dir = os.path.join(cls.tmp, "data")
        os.mkdir(cls.data_dir)
        cls.port = free_port()
        cls.log = open(os.path.join(cls.tmp, "s3rver.log"), "wb")
        cls.proc = subprocess.Popen(
            [node, S3RVER_JS, "-d", cls.data_dir, "-a", "127.0.0.1", "-p", str(cls.port), "--silent",
             "--configure-bucket", cls.BUCKET],
            stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                if cls.proc.poll() is not None or time.monotonic() > deadline:
                    cls.stop()
                    raise RuntimeError("s3rver did not start; see its log above")
                time.sleep(0.1)
        # the bucket is made at startup; wait until it answers
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/%s" % (cls.port, cls.BUCKET), timeout=2).read()
                break
            except urllib.error.HTTPError as e:
                if e.code != 404:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        # s3rver's own account: it checks the key id, not (for V4) the signature
        cls.env = storage_env("http://127.0.0.1:%d" % cls.port, bucket=cls.BUCKET, access="S3RVER",
                              secret="S3RVER")

    @classmethod
    def stop(cls):
        if cls.proc.poll() is None:
            cls.proc.terminate()
            try:
                cls.proc.wait(10)
            except subprocess.TimeoutExpired:
                cls.proc.kill()
                cls.proc.wait()
        cls.log.close()
        if cls.proc.returncode not in (0, -15, 143, None):
            with open(os.path.join(cls.tmp, "s3rver.log"), "rb") as f:
                sys.stderr.write(f.read().decode("utf-8", "replace"))
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def test_round_trip(self):
        data = bytes(range(256)) * 1024 + os.urandom(4096) + b"\0\r\n%PDF"
        with open(self.path("upload.bin"), "wb") as f:
            f.write(data)

        p = storage(self.env, "put", self.path("upload.bin"), self.KEY, "application/pdf")
        self.assertEqual(p.returncode, 0, p.err)
        # stored under the key itself: encoded once on the wire, decoded once by the server
        stored = [n for _, _, files in os.walk(os.path.join(self.data_dir, self.BUCKET)) for n in files]
        self.assertTrue(any(n.startswith(self.NAME) for n in stored), stored)

        p = storage(self.env, "get", self.KEY, self.path("download.bin"))
        self.assertEqual(p.returncode, 0, p.err)
        with open(self.path("download.bin"), "rb") as f:
            self.assertEqual(f.read(), data)

        p = storage(self.env, "presign", self.KEY, str(int(time.time())), "300", self.NAME, "application/pdf")
        self.assertEqual(p.returncode, 0, p.err)
        url = p.out.strip()
        self.assertTrue(url.startswith("http://127.0.0.1:%d/%s/resumes/42/7/3/%%E7%%AE%%80" % (self.port, self.BUCKET)))
        with urllib.request.urlopen(url, timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), data)
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            self.assertEqual(r.headers["Content-Disposition"], content_disposition(self.NAME))

        # overwrite, then download the new content
        with open(self.path("upload2.bin"), "wb") as f:
            f.write(b"second version")
        p = storage(self.env, "put", self.path("upload2.bin"), self.KEY, "application/pdf")
        self.assertEqual(p.returncode, 0, p.err)
        p = storage(self.env, "get", self.KEY, self.path("download2.bin"))
        self.assertEqual(p.returncode, 0, p.err)
        with open(self.path("download2.bin"), "rb") as f:
            self.assertEqual(f.read(), b"second version")

        p = storage(self.env, "delete", self.KEY)
        self.assertEqual(p.returncode, 0, p.err)
        p = storage(self.env, "get", self.KEY, self.path("download3.bin"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: ENOTFOUND", p.err)
        self.assertFalse(os.path.exists(self.path("download3.bin")))
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url, timeout=10)
        self.assertEqual(cm.exception.code, 404)
        # deleting what is gone is not an error
        p = storage(self.env, "delete", self.KEY)
        self.assertEqual(p.returncode, 0, p.err)

    def test_missing_bucket_is_not_a_missing_object(self):
        env = dict(self.env, ZM_STORAGE_S3_BUCKET="no-such-bucket")
        p = storage(env, "get", "k", self.path("never.bin"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: ERR", p.err)
        self.assertIn("NoSuchBucket", p.err)


def main():
    missing = [n for n, v in (("SIGV4_TOOL", SIGV4_TOOL), ("STORAGE_TOOL", STORAGE_TOOL))
               if not v or not os.access(v, os.X_OK)]
    if missing:
        print("set %s to the built tests/unit tools" % " and ".join(missing), file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    suite = unittest.TestSuite()
    loader = unittest.defaultTestLoader
    for case in (QuerySigningTest, HeaderSigningTest, S3rverTest):
        suite.addTests(loader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
