#!/usr/bin/python3
"""End-to-end SMTP test of fcgi/services/mail.c.

Starts aiosmtpd (Debian's python3-aiosmtpd, so run with /usr/bin/python3)
on a free 127.0.0.1 port, sends through tests/unit/mail_send_tool (path in
the MAIL_SEND_TOOL environment variable), and checks that what arrived
parses with the stdlib email package back to the same Chinese subject,
sender name and body; also that failures come back quickly and are
classified the way a retrying queue needs (EAGAIN vs ERR).

    MAIL_SEND_TOOL=/path/to/mail_send_tool /usr/bin/python3 tests/api/test_smtp.py
"""

import email
import email.policy
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from datetime import datetime, timedelta, timezone

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

TOOL = os.environ.get("MAIL_SEND_TOOL")

# aiosmtpd logs a traceback for each refused TLS handshake, which the
# untrusted-certificate test causes on purpose
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

SUBJECT = "【职麦】请验证您的邮箱地址"
FROM_ADDR = "noreply@zhimai.cn"
FROM_NAME = "职麦"
BODY = (
    "您好：\n\n请点击以下链接验证您的邮箱地址：\n"
    "https://zhimai.cn/verify?t=abc123\n"
    ".这一行以句点开头\n\n职麦团队\n"
)
USER, PASSWORD = "zhimai", "s3cret-口令"


class Handler:
    """Collects accepted messages; some recipients get canned refusals."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nouser"):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        if address.startswith("later"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": list(envelope.rcpt_tos),
                    "content": envelope.original_content,
                    "login": session.auth_data.login if session.authenticated else None,
                }
            )
        return "250 Message accepted"

    def take(self):
        with self.lock:
            msgs, self.messages = self.messages, []
        return msgs


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    # handled=False: let aiosmtpd answer 535 itself on failure
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(handler, **kw):
    # Controller cannot bind port 0 (it connects to its own port to start),
    # so pick a free one; retry in the unlikely case it is taken meanwhile.
    for _ in range(5):
        c = Controller(handler, hostname="127.0.0.1", port=free_port(), **kw)
        try:
            c.start()
            return c
        except (OSError, RuntimeError):
            continue
    raise RuntimeError("could not start aiosmtpd")


def send(url, to, subject, body, *opts, env=None, timeout=30):
    cmd = [TOOL, *opts, url, to, subject, body]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    p.elapsed = time.monotonic() - t0
    p.err = p.stderr.decode("utf-8", "replace")
    return p


class SmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.handler = Handler()
        cls.server = start_server(
            cls.handler, authenticator=authenticator, auth_require_tls=False
        )
        cls.url = "smtp://127.0.0.1:%d" % cls.server.port
        # no credentials unless a test sets them
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith("MAIL_SMTP_")}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.handler.take()

    def one_message(self):
        msgs = self.handler.take()
        self.assertEqual(len(msgs), 1)
        return msgs[0]

    def check_wire_format(self, raw):
        head, sep, _ = raw.partition(b"\r\n\r\n")
        self.assertTrue(sep, "no header/body separator")
        head.decode("ascii")  # headers are pure ASCII
        self.assertNotRegex(raw, rb"[^\r]\n", "bare LF")
        self.assertNotRegex(raw, rb"\r[^\n]", "bare CR")
        for line in head.split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
            for word in re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", line):
                self.assertLessEqual(len(word), 75, word)

    def parse(self, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg.defects, [])
        for name, value in msg.items():
            self.assertEqual(value.defects, (), name)
        return msg

    def test_chinese_message_round_trip(self):
        p = send(self.url, "zhang.san@example.com", SUBJECT, BODY, env=self.env)
        self.assertEqual(p.returncode, 0, p.err)
        m = self.one_message()
        self.assertEqual(m["mail_from"], FROM_ADDR)
        self.assertEqual(m["rcpt_tos"], ["zhang.san@example.com"])
        self.assertIsNone(m["login"])
        self.check_wire_format(m["content"])

        msg = self.parse(m["content"])
        self.assertEqual(msg["subject"], SUBJECT)
        self.assertEqual(msg["from"].addresses[0].display_name, FROM_NAME)
        self.assertEqual(msg["from"].addresses[0].addr_spec, FROM_ADDR)
        self.assertEqual(msg["to"].addresses[0].addr_spec, "zhang.san@example.com")
        self.assertEqual(msg["mime-version"], "1.0")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertEqual(msg["content-transfer-encoding"], "base64")
        self.assertEqual(msg.get_content(), BODY)
        self.assertRegex(msg["message-id"], r"^<[0-9a-f]{32}@zhimai\.cn>$")
        sent = msg["date"].datetime
        self.assertEqual(sent.utcoffset(), timedelta(0))
        self.assertLess(abs(datetime.now(timezone.utc) - sent), timedelta(minutes=5))

    def test_long_subject_and_html(self):
        subject = "【职麦】" + "您申请的职位“高级后端工程师（C/Linux）”有新进展😀" * 4
        html = "<p>您好，<b>张三</b>：</p><p>请<a href=\"https://zhimai.cn/v\">点击此处</a>。</p>"
        body = BODY * 50  # many base64 lines
        p = send(self.url, "zhang.san@example.com", subject, body, "-H", html, env=self.env)
        self.assertEqual(p.returncode, 0, p.err)
        raw = self.one_message()["content"]
        self.check_wire_format(raw)
        self.assertGreater(raw.split(b"\r\n\r\n")[0].count(b"=?utf-8?b?"), 4)

        msg = self.parse(raw)
        self.assertEqual(msg["subject"], subject)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(msg.get_body(("plain",)).get_content(), body)
        self.assertEqual(msg.get_body(("html",)).get_content(), html)

    def test_ascii_sender_name(self):
        p = send(self.url, "a@example.com", "Hello", "Hi", "-n", 'Zhimai "HR", Team',
                 env=self.env)
        self.assertEqual(p.returncode, 0, p.err)
        msg = self.parse(self.one_message()["content"])
        self.assertEqual(msg["subject"], "Hello")
        self.assertEqual(msg["from"].addresses[0].display_name, 'Zhimai "HR", Team')
        self.assertEqual(len(msg["from"].addresses), 1)

    def test_auth(self):
        env = dict(self.env, MAIL_SMTP_USER=USER, MAIL_SMTP_PASSWORD=PASSWORD)
        p = send(self.url, "a@example.com", SUBJECT, BODY, env=env)
        self.assertEqual(p.returncode, 0, p.err)
        self.assertEqual(self.one_message()["login"], USER.encode())

        env["MAIL_SMTP_PASSWORD"] = "wrong"
        p = send(self.url, "a@example.com", SUBJECT, BODY, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("mail_send_tool: ERR: smtp 535", p.err)  # retrying will not help
        self.assertEqual(self.handler.take(), [])

    def test_rejected_recipient_is_permanent(self):
        p = send(self.url, "nouser@example.com", SUBJECT, BODY, env=self.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("mail_send_tool: ERR: smtp 550 5.1.1", p.err)
        self.assertEqual(self.handler.take(), [])

    def test_busy_recipient_is_transient(self):
        p = send(self.url, "later@example.com", SUBJECT, BODY, env=self.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("mail_send_tool: EAGAIN: smtp 451 4.3.0", p.err)
        self.assertEqual(self.handler.take(), [])

    def test_header_injection_refused(self):
        for to, subject in [
            ("a@example.com\r\nBcc: victim@example.com", SUBJECT),
            ("a@example.com>\r\nRCPT TO:<victim@example.com", SUBJECT),
            ("a@example.com", SUBJECT + "\r\nBcc: victim@example.com"),
            ("a@example.com", "hi\nBcc: victim@example.com"),
        ]:
            p = send(self.url, to, subject, BODY, env=self.env)
            self.assertEqual(p.returncode, 1)
            self.assertIn("EINVAL", p.err)
        self.assertEqual(self.handler.take(), [])

    def test_starttls_required_but_not_offered(self):
        p = send(self.url, "a@example.com", SUBJECT, BODY, "-s", env=self.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ERR", p.err)
        self.assertEqual(self.handler.take(), [])  # never fell back to plain text

    @unittest.skipUnless(shutil.which("openssl"), "needs openssl to make a certificate")
    def test_starttls_untrusted_certificate(self):
        with tempfile.TemporaryDirectory() as d:
            key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                 "-days", "1", "-subj", "/CN=127.0.0.1"],
                check=True, capture_output=True,
            )
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(crt, key)
            handler = Handler()
            server = start_server(handler, tls_context=ctx)
            try:
                url = "smtp://127.0.0.1:%d" % server.port
                p = send(url, "a@example.com", SUBJECT, BODY, "-s", env=self.env)
                self.assertEqual(p.returncode, 1, "accepted a self-signed certificate")
                self.assertEqual(handler.take(), [])
            finally:
                server.stop()


class FailureTest(unittest.TestCase):
    def test_refused_connection_is_quick_and_transient(self):
        url = "smtp://127.0.0.1:%d" % free_port()  # nothing listens there
        p = send(url, "a@example.com", SUBJECT, BODY, "-t", "10000")
        self.assertEqual(p.returncode, 1)
        self.assertLess(p.elapsed, 3.0)
        self.assertIn("mail_send_tool: EAGAIN: smtp:", p.err)

    def test_silent_server_times_out(self):
        # a listener that never accepts: the kernel completes the handshake,
        # no greeting ever comes
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            url = "smtp://127.0.0.1:%d" % s.getsockname()[1]
            p = send(url, "a@example.com", SUBJECT, BODY, "-t", "1000")
        self.assertEqual(p.returncode, 1)
        self.assertLess(p.elapsed, 5.0)
        self.assertIn("EAGAIN", p.err)

    def test_not_an_smtp_url(self):
        p = send("http://127.0.0.1:1/", "a@example.com", SUBJECT, BODY)
        self.assertEqual(p.returncode, 1)
        self.assertIn("EINVAL", p.err)


if __name__ == "__main__":
    if not TOOL or not os.access(TOOL, os.X_OK):
        sys.exit("set MAIL_SEND_TOOL to the built tests/unit/mail_send_tool binary")
    unittest.main(verbosity=2)
