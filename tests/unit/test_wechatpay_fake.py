#!/usr/bin/python3
"""The WeChat Pay client (fcgi/services/wechatpay.c, through tests/unit/wechatpay_tool)
against the local fake (tests/fakes/wechatpay), both key modes; and so the fake
itself: it verifies the client's signatures, and the client verifies the fake's
signatures, certificates and notifications.

    WECHATPAY_TOOL=build-test/wechatpay_tool /usr/bin/python3 tests/unit/test_wechatpay_fake.py

No stack, no fixed ports: the fake and a notification receiver listen on free
127.0.0.1 ports.  Needs python3-cryptography (./dev installs it).
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakes", "wechatpay"))
from fake_wechatpay import APIV3, APPID, MCHID, SERIAL, VECTORS, merchant_fake  # noqa: E402

TOOL = os.environ.get("WECHATPAY_TOOL")

# the client's codes (wechatpay.h)
EAGAIN, EHEADER, ESTALE, ESERIAL, EPROBE = -7, -140, -141, -142, -143
ESIGNATURE, ETAG, EAPI, ENOTCONF, EINVAL = -145, -149, -151, -155, -5


class Receiver:
    """The merchant's notify_url: stores each notification as header lines, a blank line, the body."""

    def __init__(self, directory):
        self.dir, self.files, self.count, self.lock = directory, [], 0, threading.Lock()
        rec = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                head = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items() if k.lower().startswith("wechatpay"))
                with rec.lock:
                    path = os.path.join(rec.dir, "notify-%04d" % rec.count)
                    rec.count += 1
                    rec.files.append(path)
                with open(path, "wb") as f:
                    f.write(head.encode() + b"\n" + body)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/api/v1/payment/wechat/notify" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            files, self.files = self.files, []
        return files


class Base(unittest.TestCase):
    MODE = "public_key"

    @classmethod
    def setUpClass(cls):
        if not TOOL:
            raise unittest.SkipTest("WECHATPAY_TOOL not set")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.fake = merchant_fake(os.path.join(cls.tmp.name, "fake"), mode=cls.MODE).start()
        cls.recv = Receiver(cls.tmp.name)
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.recv.httpd.shutdown()
        cls.recv.httpd.server_close()
        cls.tmp.cleanup()

    def env(self, **over):
        e = {k: v for k, v in os.environ.items() if not k.startswith("ZM_")}
        conf = {"base_url": self.fake.base_url, "mchid": MCHID, "appid": APPID, "merchant_serial": SERIAL,
                "merchant_key": os.path.join(VECTORS, "j_merchant_private_key.pem"), "apiv3_key": APIV3,
                "mode": self.MODE, "notify_url": self.recv.url, "timeout_ms": "3000", "max_retries": "2",
                "platform_public_key": "", "platform_public_key_id": ""}
        if self.MODE == "public_key":
            conf["platform_public_key"] = os.path.join(self.fake.dir, "platform_public_key.pem")
            conf["platform_public_key_id"] = self.fake.pubkey_id
        conf.update(over)
        e.update({"ZM_WECHATPAY_" + k.upper(): v for k, v in conf.items()})
        return e

    def tool(self, *args, **over):
        p = subprocess.run([TOOL] + list(args), env=self.env(**over), capture_output=True, text=True, timeout=60)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(p.returncode == 0, out["rc"] == 0, out)
        return out

    def control(self, what, **body):
        req = urllib.request.Request(self.fake.base_url + "/_control/" + what, data=json.dumps(body).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def state(self):
        with urllib.request.urlopen(self.fake.base_url + "/_control/state", timeout=10) as r:
            return json.loads(r.read())

    def new_order(self, fen=6000):
        type(self).n += 1
        no = "T%s%04d" % (self.MODE[:4], self.n)
        out = self.tool("order", no, "职麦充值 60 元", str(fen))
        self.assertEqual(out["rc"], 0, out)
        self.assertTrue(out["code_url"].startswith("weixin://wxpay/bizpayurl?pr="), out)
        return no


class PublicKeyMode(Base):
    MODE = "public_key"

    def test_order_query_close(self):
        no = self.new_order()
        req = [r for r in self.state()["requests"] if r["path"] == "/v3/pay/transactions/native"][-1]
        self.assertTrue(req["auth"])
        self.assertEqual(req["serial"], self.fake.pubkey_id)  # public-key mode names its key on every request
        self.assertEqual(json.loads(req["body"])["amount"], {"total": 6000, "currency": "CNY"})
        self.assertEqual(json.loads(req["body"])["notify_url"], self.recv.url)
        q = self.tool("query", no)
        self.assertEqual((q["rc"], q["trade_state"], q["total"], q["transaction_id"]), (0, "NOTPAY", -1, ""))
        # the same params again: a new code_url; other params: refused
        self.assertEqual(self.tool("order", no, "职麦充值 60 元", "6000")["rc"], 0)
        bad = self.tool("order", no, "职麦充值 60 元", "6001")
        self.assertEqual((bad["rc"], bad["status"], bad["api_code"]), (EAPI, 400, "INVALID_REQUEST"))
        self.assertEqual(self.tool("close", no)["rc"], 0)
        self.assertEqual(self.tool("close", no)["rc"], 0)  # re-entrant
        self.assertEqual(self.tool("query", no)["trade_state"], "CLOSED")
        missing = self.tool("query", "NO_SUCH_ORDER_1")
        self.assertEqual((missing["rc"], missing["status"], missing["api_code"]), (EAPI, 404, "ORDER_NOT_EXIST"))
        # refused before anything is sent
        self.assertEqual(self.tool("query", "bad/../no")["rc"], EINVAL)
        self.assertEqual(self.tool("order", "ABC123x", "emoji 😀", "100")["rc"], EINVAL)
        self.assertEqual(self.tool("order", "ABC123y", "x", "0")["rc"], EINVAL)

    def test_pay_and_notifications(self):
        no = self.new_order(6000)
        self.recv.take()
        paid = self.control("pay", out_trade_no=no)
        self.assertEqual(paid["statuses"], [204])
        files = self.recv.take()
        self.assertEqual(len(files), 1)
        n = self.tool("notify", files[0])
        self.assertEqual((n["rc"], n["event_type"], n["trade_state"], n["out_trade_no"]),
                         (0, "TRANSACTION.SUCCESS", "SUCCESS", no), n)
        self.assertEqual((n["total"], n["payer_total"], n["currency"], n["mchid"], n["appid"]),
                         (6000, 6000, "CNY", MCHID, APPID))
        self.assertEqual(n["transaction_id"], paid["transaction_id"])
        q = self.tool("query", no)
        self.assertEqual((q["trade_state"], q["total"], q["transaction_id"]), ("SUCCESS", 6000, paid["transaction_id"]))
        self.assertEqual(self.tool("close", no)["api_code"], "ORDER_PAID")
        # duplicates, concurrent: each one valid on its own (crediting once is the domain's job)
        self.assertEqual(self.control("notify", out_trade_no=no, times=5, concurrent=True)["statuses"], [204] * 5)
        ids = set()
        for f in self.recv.take():
            d = self.tool("notify", f)
            self.assertEqual((d["rc"], d["transaction_id"]), (0, paid["transaction_id"]))
            ids.add(d["id"])
        self.assertEqual(len(ids), 5)
        # forged, probed, stale, wrong serial, wrong tag: refused, each with its own code
        for tamper, rc in (("signature", ESIGNATURE), ("probe", EPROBE), ("stale", ESTALE), ("serial", ESERIAL),
                           ("tag", ETAG)):
            self.control("notify", out_trade_no=no, tamper=tamper)
            (f,) = self.recv.take()
            self.assertEqual(self.tool("notify", f)["rc"], rc, tamper)
        # a wrong amount is genuine and signed: the client reports it, the domain must compare with the order
        self.control("notify", out_trade_no=no, tamper="amount")
        (f,) = self.recv.take()
        self.assertEqual(self.tool("notify", f)["total"], 6001)
        # late: delivered after the answer
        self.assertEqual(self.control("notify", out_trade_no=no, delay_s=0.2, wait=False)["statuses"], [])
        for _ in range(100):
            files = self.recv.take()
            if files:
                break
            threading.Event().wait(0.05)
        self.assertEqual(len(files), 1)
        self.assertEqual(self.tool("notify", files[0])["rc"], 0)

    def test_bill(self):
        no = self.new_order(1234)
        self.control("pay", out_trade_no=no)
        self.recv.take()
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d")
        b = self.tool("bill", today)
        self.assertEqual(b["rc"], 0, b)
        row = [r for r in b["rows"] if r["out_trade_no"] == no]
        self.assertEqual(len(row), 1)
        self.assertEqual((row[0]["order_fen"], row[0]["trade_state"], row[0]["fee_fen_x1000"]), (1234, "SUCCESS", 7404))
        self.assertEqual(b["total_count"], len(b["rows"]))
        self.assertEqual(b["order_total_fen"], sum(r["order_fen"] for r in b["rows"]))
        none = self.tool("bill", "2001-01-01")
        self.assertEqual((none["rc"], none["api_code"]), (EAPI, "NO_STATEMENT_EXIST"))
        self.assertEqual(self.tool("bill", "2001-1-1")["rc"], EINVAL)

    def test_retries_and_refusals(self):
        no = self.new_order()
        before = len(self.state()["requests"])
        self.control("fail", count=2, status=500)
        self.assertEqual(self.tool("order", no, "职麦充值 60 元", "6000")["rc"], 0)
        reqs = self.state()["requests"][before:]
        self.assertEqual(len(reqs), 3)
        self.assertEqual(len({r["body"] for r in reqs}), 1)  # the same body each time
        self.control("fail", count=3, status=503)
        gave_up = self.tool("query", no)
        self.assertEqual((gave_up["rc"], gave_up["status"]), (EAGAIN, 503))
        # a 4xx is not retried
        before = len(self.state()["requests"])
        self.tool("query", "NO_SUCH_ORDER_2")
        self.assertEqual(len(self.state()["requests"]) - before, 1)
        # the probe on a response
        self.control("probe", count=1)
        self.assertEqual(self.tool("query", no)["rc"], EPROBE)
        # a merchant key the fake does not know: 401 SIGN_ERROR
        bad = self.tool("query", no, merchant_key=os.path.join(VECTORS, "a_key.pem"))
        self.assertEqual((bad["rc"], bad["status"], bad["api_code"]), (EAPI, 401, "SIGN_ERROR"))
        # a platform key that is not the fake's: its answers are refused
        wrong = self.tool("query", no, platform_public_key=os.path.join(VECTORS, "j_wechat_pay_public_key.pem"))
        self.assertEqual(wrong["rc"], ESIGNATURE)
        self.assertEqual(self.tool("query", no, mchid="")["rc"], ENOTCONF)
        down = self.tool("query", no, base_url="http://127.0.0.1:1", max_retries="1")  # nothing listens there
        self.assertEqual((down["rc"], down["status"]), (EAGAIN, 0))


class CertificateMode(Base):
    MODE = "certificate"

    def test_certificates_and_rotation(self):
        c = self.tool("certs")
        self.assertEqual((c["rc"], c["added"], c["nkeys"]), (0, 1, 1), c)
        no = self.new_order(6000)  # the client downloads the certificates itself first
        self.assertEqual(self.tool("query", no)["trade_state"], "NOTPAY")
        self.control("pay", out_trade_no=no)
        (old,) = self.recv.take()
        serials = self.control("rotate")["serials"]
        self.assertEqual(len(serials), 2)
        c = self.tool("certs")
        self.assertEqual((c["added"], c["nkeys"]), (2, 2))
        self.control("notify", out_trade_no=no)
        (new,) = self.recv.take()
        self.assertIn(serials[1], open(new).read())
        self.assertIn(serials[0], open(old).read())
        # during a rotation both verify
        self.assertEqual(self.tool("notify", old)["rc"], 0)
        self.assertEqual(self.tool("notify", new)["rc"], 0)
        s = self.tool("sequence", no, no)
        self.assertEqual((s["states"], s["nkeys"]), (["SUCCESS", "SUCCESS"], 2))
        # no APIv3 key match: the certificates do not decrypt
        bad = self.tool("certs", apiv3_key="b" * 32)
        self.assertEqual(bad["rc"], ETAG)


if __name__ == "__main__":
    unittest.main(verbosity=2)
