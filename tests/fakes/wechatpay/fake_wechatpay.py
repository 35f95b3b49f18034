#!/usr/bin/python3
"""A local WeChat Pay APIv3 server (Native payments) for tests and offline use.

Standard library plus Debian's python3-cryptography.  It behaves as the fact
sheet (shared/wechatpay/README.md) describes the real service:

  POST /v3/pay/transactions/native                     -> 200 {"code_url"}
  GET  /v3/pay/transactions/out-trade-no/{no}?mchid=   -> 200 Transaction | 404 ORDER_NOT_EXIST
  POST /v3/pay/transactions/out-trade-no/{no}/close    -> 204 (re-entrant) | 400 ORDER_PAID
  GET  /v3/bill/tradebill?bill_date=&bill_type=ALL     -> 200 {hash_type, hash_value, download_url}
                                                          | 400 NO_STATEMENT_EXIST
  GET  /v3/billdownload/file?token=                    -> the CSV, unsigned (BOM, CRLF, backticks)
  GET  /v3/certificates                                -> certificate mode: the platform certificates,
                                                          AEAD_AES_256_GCM under the APIv3 key;
                                                          public-key mode: 404 (new merchants have none)

Every request's Authorization (WECHATPAY2-SHA256-RSA2048) is checked against
the merchant's public key or certificate: scheme, mchid, serial_no, a
timestamp within 5 minutes, the signature over METHOD\\nURL\\nTS\\nNONCE\\nBODY\\n;
anything wrong -> 401 SIGN_ERROR.  Every 2xx except the bill download is
signed (Wechatpay-Timestamp/Nonce/Signature/Serial/Signature-Type,
Request-ID), with the platform key generated at start: its public key and
certificate are written to --dir (platform_public_key.pem, platform_cert.pem)
with fake.json (port, key id, serial), where a test points the client.

Control endpoints (no signature; tests only):
  POST /_control/pay      {"out_trade_no", "times": 1, "concurrent": false, "delay_s": 0,
                           "tamper": null|"signature"|"probe"|"stale"|"serial"|"amount"|"tag",
                           "payer_total": null, "wait": true}
                          marks the order paid and POSTs the signed, encrypted TRANSACTION.SUCCESS
                          to its notify_url `times` times (concurrently if asked, after delay_s);
                          answers {"statuses": [...]} (or at once with "wait": false).
  POST /_control/notify   the same, for an order already paid (duplicates, late, out of order).
  POST /_control/fail     {"count": n, "status": 500} -> the next n API requests answer that status
                          (unsigned SYSTEM_ERROR), to test retries.
  POST /_control/order    {"out_trade_no", "total", "state": "NOTPAY"|"SUCCESS"|"CLOSED"|"REFUND",
                           "paid": unix time, "refunded": unix time, "transaction_id", "notify_url"}
                          makes or overwrites an order without any notification: an order the merchant
                          never placed here (a bill row with no local order), a payment WeChat took at a
                          given time whose callback never came, a refund (the inspector's anomalies).
  POST /_control/refund   {"out_trade_no", "at": unix time} -> a paid order refunded in full (trade_state
                          REFUND; the bill of that day carries a REFUND row).
  POST /_control/bill     {"mode": "normal"|"bad_hash"|"malformed"|"oversized", "delay_s": 0}: the next
                          trade bills are served that way (a SHA1 that does not match, a broken row,
                          64 MB + 1 of rows) and /v3/bill/tradebill answers after delay_s.
  POST /_control/rotate   certificate mode: a new platform certificate signs from now on; both are
                          listed by /v3/certificates.
  POST /_control/probe    {"count": n} -> the next n signed responses carry a WECHATPAY/SIGNTEST/ probe.
  GET  /_control/state    orders, requests seen (method, path, body, auth ok), notifications sent.

    python3 fake_wechatpay.py --dir DIR [--port 0] [--mode public_key|certificate]
        --merchant-public PEM (merchant cert or public key) --merchant-serial SERIAL
        --mchid MCHID --appid APPID --apiv3-key KEY32
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

SCHEME = "WECHATPAY2-SHA256-RSA2048"
TZ = datetime.timezone(datetime.timedelta(hours=8))
TRADE_NO = re.compile(r"^[0-9A-Za-z_\-*|]{6,32}$")
BILL_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
               "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
               "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
BILL_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"


def _rfc3339(t):
    return datetime.datetime.fromtimestamp(t, TZ).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def _yuan(fen, decimals=2):
    return ("%%.%df" % decimals) % (fen / 100)


class Platform:
    """A platform key pair with a self-signed certificate (serial: 40 upper-case hex)."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        serial = secrets.randbits(159) | (1 << 158)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com sign")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(serial)
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=5 * 365))
                     .sign(self.key, hashes.SHA256()))
        self.serial = "%X" % serial
        self.effective = _rfc3339(time.time() - 86400)
        self.expire = _rfc3339(time.time() + 5 * 365 * 86400)

    def sign(self, msg):
        return base64.b64encode(self.key.sign(msg, padding.PKCS1v15(), hashes.SHA256())).decode()

    def cert_pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def public_pem(self):
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)


class FakeWechatPay:
    def __init__(self, directory, merchant_public, merchant_serial, mchid, appid, apiv3_key,
                 mode="public_key", port=0, pubkey_id="PUB_KEY_ID_0000000000000024101100397200000099"):
        with open(merchant_public, "rb") as f:
            pem = f.read()
        if b"CERTIFICATE" in pem:
            self.merchant_key = x509.load_pem_x509_certificate(pem).public_key()
        else:
            self.merchant_key = serialization.load_pem_public_key(pem)
        self.merchant_serial = merchant_serial
        self.mchid, self.appid = mchid, appid
        self.apiv3_key = apiv3_key.encode()
        self.mode = mode
        self.dir = directory
        self.pubkey_id = pubkey_id
        self.platforms = [Platform()]  # newest last; certificate mode signs with the newest
        self.lock = threading.Lock()
        self.orders = {}
        self.requests = []
        self.notifications = []
        self.bills = {}
        self.fail_next = []
        self.probe_next = 0
        self.bill_mode = "normal"
        self.bill_delay = 0.0
        self.fixed_bills = {}  # day -> (bytes, rows): served as they are (a benchmark's pre-made bill)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = "http://127.0.0.1:%d" % self.port
        self.thread = None
        self._write_files()

    # ---- files the client is pointed at ----

    def _write_files(self):
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "platform_public_key.pem"), "wb") as f:
            f.write(self.platforms[0].public_pem())
        with open(os.path.join(self.dir, "platform_cert.pem"), "wb") as f:
            f.write(self.platforms[-1].cert_pem())
        with open(os.path.join(self.dir, "fake.json"), "w") as f:
            json.dump({"port": self.port, "base_url": self.base_url, "mode": self.mode,
                       "platform_public_key": os.path.join(self.dir, "platform_public_key.pem"),
                       "platform_public_key_id": self.pubkey_id,
                       "serials": [p.serial for p in self.platforms]}, f)

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---- signatures ----

    def _signer(self, request_serial=None):
        """(serial, platform) that signs: the public key (public-key mode, or when the request names it)
        or the newest certificate."""
        if self.mode == "public_key" or request_serial == self.pubkey_id:
            return self.pubkey_id, self.platforms[0]
        return self.platforms[-1].serial, self.platforms[-1]

    def signed_headers(self, body, request_serial=None, ts=None, tamper=None):
        serial, platform = self._signer(request_serial)
        ts = int(time.time()) if ts is None else ts
        nonce = secrets.token_hex(16)
        sig = platform.sign(b"%d\n%s\n%s\n" % (ts, nonce.encode(), body))
        with self.lock:
            if self.probe_next > 0 and tamper is None:
                self.probe_next -= 1
                tamper = "probe"
        if tamper == "probe":
            sig = "WECHATPAY/SIGNTEST/" + sig[19:]
        elif tamper == "signature":
            raw = bytearray(base64.b64decode(sig))
            raw[7] ^= 1
            sig = base64.b64encode(bytes(raw)).decode()
        elif tamper == "serial":
            serial = "PUB_KEY_ID_0000000000000000000000000000000000" if self.mode == "public_key" else "1234ABCD"
        return {"Wechatpay-Timestamp": str(ts), "Wechatpay-Nonce": nonce, "Wechatpay-Signature": sig,
                "Wechatpay-Serial": serial, "Wechatpay-Signature-Type": SCHEME,
                "Request-ID": "08%s-0" % secrets.token_hex(20).upper()}

    def _check_auth(self, method, target, body, auth):
        if not auth.startswith(SCHEME + " "):
            return "Authorization不合法"
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', auth[len(SCHEME) + 1:]))
        for k in ("mchid", "nonce_str", "timestamp", "serial_no", "signature"):
            if k not in pairs:
                return "Authorization不合法"
        if pairs["mchid"] != self.mchid:
            return "商户号不匹配"
        if pairs["serial_no"].upper() != self.merchant_serial.upper():
            return "商户证书序列号有误"
        if not pairs["timestamp"].isdigit() or abs(int(pairs["timestamp"]) - time.time()) > 300:
            return "Http头Authorization中的timestamp与发起请求的时间不得超过5分钟"
        msg = b"%s\n%s\n%s\n%s\n%s\n" % (method.encode(), target.encode(), pairs["timestamp"].encode(),
                                         pairs["nonce_str"].encode(), body)
        try:
            self.merchant_key.verify(base64.b64decode(pairs["signature"], validate=True), msg, padding.PKCS1v15(),
                                     hashes.SHA256())
        except (InvalidSignature, ValueError):
            return "错误的签名，验签失败"
        return None

    # ---- HTTP ----

    def _send(self, h, status, obj=None, raw=None, signed=True, content_type="application/json; charset=utf-8"):
        body = raw if raw is not None else (b"" if obj is None else
                                             json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())
        h.send_response(status)
        if body:
            h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        if signed and 200 <= status < 300:
            for k, v in self.signed_headers(body, h.headers.get("Wechatpay-Serial")).items():
                h.send_header(k, v)
        else:
            h.send_header("Request-ID", "08%s-268435456" % secrets.token_hex(20).upper())
        h.end_headers()
        try:
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a download over its cap)

    def _error(self, h, status, code, message):
        self._send(h, status, {"code": code, "message": message})

    def _handle(self, h, method):
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(h.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if path.startswith("/_control/"):
            return self._control(h, method, path[len("/_control/"):], body)
        auth_error = self._check_auth(method, h.path, body, h.headers.get("Authorization", ""))
        with self.lock:
            self.requests.append({"method": method, "path": h.path, "body": body.decode("utf-8", "replace"),
                                  "auth": auth_error is None, "serial": h.headers.get("Wechatpay-Serial")})
            fail = self.fail_next.pop(0) if self.fail_next else None
        if fail is not None:
            return self._send(h, fail, {"code": "SYSTEM_ERROR", "message": "系统异常，请稍后重试"}, signed=False)
        if auth_error is not None:
            return self._send(h, 401, {"code": "SIGN_ERROR", "message": auth_error}, signed=False)
        m = re.match(r"^/v3/pay/transactions/out-trade-no/([^/]+)(/close)?$", path)
        if method == "POST" and path == "/v3/pay/transactions/native":
            return self._native(h, body)
        if m and method == "GET" and not m.group(2):
            return self._query(h, urllib.parse.unquote(m.group(1)), query)
        if m and method == "POST" and m.group(2):
            return self._close(h, urllib.parse.unquote(m.group(1)), body)
        if method == "GET" and path == "/v3/bill/tradebill":
            return self._tradebill(h, query)
        if method == "GET" and path == "/v3/billdownload/file":
            data = self.bills.get((query.get("token") or [""])[0])
            if data is None:
                return self._error(h, 404, "NOT_FOUND", "账单不存在或已过期")
            return self._send(h, 200, raw=data, signed=False, content_type="text/plain;charset=utf-8")
        if method == "GET" and path == "/v3/certificates":
            return self._certificates(h)
        return self._error(h, 404, "NOT_FOUND", "no such API in the fake")

    def _native(self, h, body):
        try:
            req = json.loads(body)
            total = req["amount"]["total"]
            no, desc, notify_url = req["out_trade_no"], req["description"], req["notify_url"]
            if not isinstance(total, int) or isinstance(total, bool):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return self._error(h, 400, "PARAM_ERROR", "参数错误")
        if req.get("mchid") != self.mchid or req.get("appid") != self.appid:
            return self._error(h, 400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        if not TRADE_NO.match(no) or not desc or total < 1 or not notify_url.startswith(("http://", "https://")):
            return self._error(h, 400, "PARAM_ERROR", "参数错误")
        with self.lock:
            o = self.orders.get(no)
            params = {"description": desc, "total": total, "notify_url": notify_url, "attach": req.get("attach")}
            if o is not None:
                if o["trade_state"] == "SUCCESS":
                    return self._error(h, 400, "ORDER_PAID", "订单已支付")
                if o["trade_state"] == "CLOSED":
                    return self._error(h, 400, "ORDER_CLOSED", "订单已关闭，请重新下单")
                if o["params"] != params:
                    return self._error(h, 400, "INVALID_REQUEST", "请求重入时，参数与首次请求时不一致")
            else:
                o = self.orders[no] = {"out_trade_no": no, "params": params, "trade_state": "NOTPAY",
                                       "created": time.time()}
            o["code_url"] = "weixin://wxpay/bizpayurl?pr=" + secrets.token_urlsafe(6)
        return self._send(h, 200, {"code_url": o["code_url"]})

    def transaction(self, o, amount=None):
        t = {"mchid": self.mchid, "appid": self.appid, "out_trade_no": o["out_trade_no"],
             "trade_state": o["trade_state"],
             "trade_state_desc": {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭",
                                 "REFUND": "转入退款"}[o["trade_state"]],
             "amount": {"payer_currency": "CNY", "currency": "CNY"}}
        if o["trade_state"] in ("SUCCESS", "REFUND"):
            total = o["params"]["total"] if amount is None else amount
            t.update(transaction_id=o["transaction_id"], trade_type="NATIVE", bank_type="OTHERS",
                     success_time=_rfc3339(o["paid"]), payer={"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                     amount={"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"})
            if o["params"].get("attach"):
                t["attach"] = o["params"]["attach"]
        return t

    def _query(self, h, no, query):
        if (query.get("mchid") or [""])[0] != self.mchid:
            return self._error(h, 400, "PARAM_ERROR", "商户号和订单不匹配")
        with self.lock:
            o = self.orders.get(no)
            t = self.transaction(o) if o else None
        if t is None:
            return self._error(h, 404, "ORDER_NOT_EXIST", "订单不存在")
        return self._send(h, 200, t)

    def _close(self, h, no, body):
        try:
            if json.loads(body).get("mchid") != self.mchid:
                raise ValueError
        except (ValueError, AttributeError):
            return self._error(h, 400, "PARAM_ERROR", "参数错误")
        with self.lock:
            o = self.orders.get(no)
            if o is None:
                return self._error(h, 404, "ORDER_NOT_EXIST", "订单不存在")
            if o["trade_state"] == "SUCCESS":
                return self._error(h, 400, "ORDER_PAID", "订单已支付")
            o["trade_state"] = "CLOSED"
        return self._send(h, 204)

    def bill_csv(self, day):
        """The trade bill of one day (+08:00): a SUCCESS row for each order paid that day, a REFUND row for
        each refunded that day, as the real service writes them."""
        def on(t):
            return t is not None and datetime.datetime.fromtimestamp(t, TZ).strftime("%Y-%m-%d") == day

        def stamp(t):
            return datetime.datetime.fromtimestamp(t, TZ).strftime("%Y-%m-%d %H:%M:%S")

        with self.lock:
            paid = [o for o in self.orders.values() if o["trade_state"] in ("SUCCESS", "REFUND") and on(o.get("paid"))]
            refunded = [o for o in self.orders.values() if o["trade_state"] == "REFUND" and on(o.get("refunded"))]
        rows, total, fees, refund_total = [], 0, 0, 0
        for o in sorted(paid, key=lambda o: o["paid"]):
            fen = o["params"]["total"]
            fee = fen * 6  # 0.60 %, in 1/1000 fen
            total, fees = total + fen, fees + fee
            fields = [stamp(o["paid"]), self.appid, self.mchid, "0", "", o["transaction_id"], o["out_trade_no"],
                      "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "NATIVE", "SUCCESS", "OTHERS", "CNY", _yuan(fen), "0.00", "0",
                      "0", "0.00", "0.00", "", "", o["params"]["description"], o["params"].get("attach") or "",
                      "%.5f" % (fee / 100000), "0.60%", _yuan(fen), "0.00", ""]
            rows.append(",".join("`" + f for f in fields))
        for o in sorted(refunded, key=lambda o: o["refunded"]):
            fen = o["params"]["total"]
            refund_total += fen
            fields = [stamp(o["refunded"]), self.appid, self.mchid, "0", "", o["transaction_id"], o["out_trade_no"],
                      "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "NATIVE", "REFUND", "OTHERS", "CNY", "0.00", "0.00",
                      "50300" + o["transaction_id"][-24:], "R" + o["out_trade_no"][-31:], _yuan(fen), "0.00",
                      "ORIGINAL", "SUCCESS", o["params"]["description"], "", "0.00000", "0.60%", "0.00", _yuan(fen), ""]
            rows.append(",".join("`" + f for f in fields))
        n = len(rows)
        summary = ",".join("`" + f for f in ["%d" % n, _yuan(total), _yuan(refund_total), "0.00",
                                              "%.5f" % (fees / 100000), _yuan(total), _yuan(refund_total)])
        lines = [BILL_HEADER] + rows + [BILL_SUMMARY, summary]
        return b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n", n

    def _tradebill(self, h, query):
        day = (query.get("bill_date") or [""])[0]
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", day) or (query.get("bill_type") or ["ALL"])[0] != "ALL":
            return self._error(h, 400, "PARAM_ERROR", "参数错误")
        if self.bill_delay:
            time.sleep(self.bill_delay)
        data, n = self.fixed_bills[day] if day in self.fixed_bills else self.bill_csv(day)
        if n == 0 and self.bill_mode == "normal":
            return self._error(h, 400, "NO_STATEMENT_EXIST", "请求的账单文件不存在")
        digest = hashlib.sha1(data).hexdigest()
        if self.bill_mode == "bad_hash":
            digest = hashlib.sha1(data + b"x").hexdigest()
        elif self.bill_mode == "malformed":
            bad = data.split(b"\r\n")
            bad.insert(1, "`2026-01-01 00:00:00,`wx,`1".encode())
            data = b"\r\n".join(bad)
            digest = hashlib.sha1(data).hexdigest()
        elif self.bill_mode == "oversized":
            row = b"`" + b",`".join([b"2026-01-01 00:00:00"] + [b"x"] * 26) + b"\r\n"
            data = data + row * ((64 << 20) // len(row) + 1)
            digest = hashlib.sha1(data).hexdigest()
        token = secrets.token_urlsafe(12)
        with self.lock:
            self.bills[token] = data
        return self._send(h, 200, {"hash_type": "SHA1", "hash_value": digest,
                                   "download_url": "%s/v3/billdownload/file?token=%s" % (self.base_url, token)})

    def encrypt(self, plain, aad=b"transaction"):
        nonce = "".join(secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(12))
        ct = AESGCM(self.apiv3_key).encrypt(nonce.encode(), plain, aad)
        return nonce, base64.b64encode(ct).decode()

    def _certificates(self, h):
        if self.mode != "certificate":
            return self._error(h, 404, "NOT_FOUND", "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥")
        data = []
        for p in self.platforms:
            nonce, ct = self.encrypt(p.cert_pem(), b"certificate")
            data.append({"serial_no": p.serial, "effective_time": p.effective, "expire_time": p.expire,
                         "encrypt_certificate": {"algorithm": "AEAD_AES_256_GCM", "nonce": nonce,
                                                 "associated_data": "certificate", "ciphertext": ct}})
        return self._send(h, 200, {"data": data})

    # ---- notifications ----

    def notification(self, o, tamper=None):
        """(headers, body) of the TRANSACTION.SUCCESS notification of a paid order."""
        amount = o["params"]["total"] + 1 if tamper == "amount" else None
        nonce, ct = self.encrypt(json.dumps(self.transaction(o, amount), ensure_ascii=False,
                                            separators=(",", ":")).encode())
        if tamper == "tag":
            raw = bytearray(base64.b64decode(ct))
            raw[-1] ^= 1
            ct = base64.b64encode(bytes(raw)).decode()
        body = json.dumps({"id": str(__import__("uuid").uuid4()), "create_time": _rfc3339(time.time()),
                           "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS",
                           "summary": "支付成功",
                           "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                                        "ciphertext": ct, "associated_data": "transaction", "nonce": nonce}},
                          ensure_ascii=False, separators=(",", ":")).encode()
        ts = int(time.time()) - 600 if tamper == "stale" else None
        headers = self.signed_headers(body, ts=ts, tamper=tamper if tamper in ("signature", "probe", "serial")
                                      else None)
        headers["Content-Type"] = "application/json"
        return headers, body

    def _deliver(self, o, tamper):
        headers, body = self.notification(o, tamper)
        req = urllib.request.Request(o["params"]["notify_url"], data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, OSError):
            status = 0
        with self.lock:
            self.notifications.append({"out_trade_no": o["out_trade_no"], "tamper": tamper, "status": status})
        return status

    def send(self, no, times=1, concurrent=False, delay_s=0, tamper=None, wait=True):
        with self.lock:
            o = self.orders[no]
        statuses = [None] * times

        def one(i):
            statuses[i] = self._deliver(o, tamper)

        def run():
            if delay_s:
                time.sleep(delay_s)
            if concurrent:
                threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            else:
                for i in range(times):
                    one(i)

        if not wait:
            threading.Thread(target=run, daemon=True).start()
            return []
        run()
        return statuses

    def pay(self, no):
        with self.lock:
            o = self.orders[no]
            if o["trade_state"] != "SUCCESS":
                o["trade_state"] = "SUCCESS"
                o["paid"] = time.time()
                o["transaction_id"] = "42%026d" % secrets.randbelow(10 ** 26)
            return o

    def _control(self, h, method, what, body):
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            return self._send(h, 400, {"error": "not JSON"}, signed=False)
        if method == "GET" and what == "state":
            with self.lock:
                state = {"orders": self.orders, "requests": self.requests, "notifications": self.notifications,
                         "serials": [p.serial for p in self.platforms]}
                raw = json.dumps(state, ensure_ascii=False, default=str).encode()
            return self._send(h, 200, raw=raw, signed=False)
        if method != "POST":
            return self._send(h, 404, {"error": "no such control"}, signed=False)
        if what in ("pay", "notify"):
            no = req.get("out_trade_no", "")
            if no not in self.orders:
                return self._send(h, 404, {"error": "no such order"}, signed=False)
            if what == "pay":
                # even a closed order: the user scanned before the close (the domain records the anomaly)
                self.pay(no)
            elif self.orders[no]["trade_state"] != "SUCCESS":
                return self._send(h, 409, {"error": "order not paid"}, signed=False)
            statuses = self.send(no, int(req.get("times", 1)), bool(req.get("concurrent")),
                                 float(req.get("delay_s", 0)), req.get("tamper"), bool(req.get("wait", True)))
            return self._send(h, 200, {"statuses": statuses,
                                       "transaction_id": self.orders[no]["transaction_id"]}, signed=False)
        if what == "order":
            no = req.get("out_trade_no", "")
            if not TRADE_NO.match(no) or req.get("state", "NOTPAY") not in ("NOTPAY", "SUCCESS", "CLOSED", "REFUND"):
                return self._send(h, 400, {"error": "out_trade_no or state"}, signed=False)
            with self.lock:
                o = self.orders.setdefault(no, {"out_trade_no": no, "created": time.time(), "code_url": ""})
                o["params"] = {"description": req.get("description", "职麦充值"), "total": int(req.get("total", 100)),
                               "notify_url": req.get("notify_url", "http://127.0.0.1:9/"), "attach": None}
                o["trade_state"] = req.get("state", "NOTPAY")
                if o["trade_state"] in ("SUCCESS", "REFUND"):
                    o["paid"] = float(req.get("paid", time.time()))
                    o["transaction_id"] = req.get("transaction_id") or "42%026d" % secrets.randbelow(10 ** 26)
                if o["trade_state"] == "REFUND":
                    o["refunded"] = float(req.get("refunded", o["paid"]))
            return self._send(h, 200, {"ok": True, "transaction_id": o.get("transaction_id")}, signed=False)
        if what == "refund":
            no = req.get("out_trade_no", "")
            with self.lock:
                o = self.orders.get(no)
                if o is None or o["trade_state"] != "SUCCESS":
                    return self._send(h, 409, {"error": "order not paid"}, signed=False)
                o["trade_state"] = "REFUND"
                o["refunded"] = float(req.get("at", time.time()))
            return self._send(h, 200, {"ok": True}, signed=False)
        if what == "bill":
            with self.lock:
                self.bill_mode = req.get("mode", "normal")
                self.bill_delay = float(req.get("delay_s", 0))
            return self._send(h, 200, {"ok": True}, signed=False)
        if what == "fail":
            with self.lock:
                self.fail_next = [int(req.get("status", 500))] * int(req.get("count", 1))
            return self._send(h, 200, {"ok": True}, signed=False)
        if what == "probe":
            with self.lock:
                self.probe_next = int(req.get("count", 1))
            return self._send(h, 200, {"ok": True}, signed=False)
        if what == "rotate":
            with self.lock:
                self.platforms.append(Platform())
            self._write_files()
            return self._send(h, 200, {"serials": [p.serial for p in self.platforms]}, signed=False)
        return self._send(h, 404, {"error": "no such control"}, signed=False)


# The merchant every test and bench poses as: the public SDK test vectors (tests/data/wechatpay).
VECTORS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "wechatpay"))
MCHID, APPID = "1230000109", "wxd678efh567hg6787"
SERIAL = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115"
APIV3 = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"


def merchant_fake(directory, mode="public_key"):
    """A FakeWechatPay (not started yet) serving the test merchant, its files under directory."""
    return FakeWechatPay(directory, os.path.join(VECTORS, "j_merchant_certificate.pem"), SERIAL, MCHID, APPID, APIV3,
                         mode=mode)


def merchant_env(fake, notify_url, mode="public_key"):
    """The ZM_WECHATPAY_* variables that make the daemons the test merchant, talking to fake."""
    env = {
        "ZM_WECHATPAY_BASE_URL": fake.base_url, "ZM_WECHATPAY_MCHID": MCHID, "ZM_WECHATPAY_APPID": APPID,
        "ZM_WECHATPAY_MERCHANT_SERIAL": SERIAL,
        "ZM_WECHATPAY_MERCHANT_KEY": os.path.join(VECTORS, "j_merchant_private_key.pem"),
        "ZM_WECHATPAY_APIV3_KEY": APIV3, "ZM_WECHATPAY_MODE": mode, "ZM_WECHATPAY_NOTIFY_URL": notify_url,
    }
    if mode == "public_key":
        env["ZM_WECHATPAY_PLATFORM_PUBLIC_KEY"] = os.path.join(fake.dir, "platform_public_key.pem")
        env["ZM_WECHATPAY_PLATFORM_PUBLIC_KEY_ID"] = fake.pubkey_id
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", choices=("public_key", "certificate"), default="public_key")
    ap.add_argument("--merchant-public", required=True)
    ap.add_argument("--merchant-serial", required=True)
    ap.add_argument("--mchid", required=True)
    ap.add_argument("--appid", required=True)
    ap.add_argument("--apiv3-key", required=True)
    a = ap.parse_args()
    fake = FakeWechatPay(a.dir, a.merchant_public, a.merchant_serial, a.mchid, a.appid, a.apiv3_key, a.mode, a.port)
    print("fake_wechatpay: %s (%s mode), files in %s" % (fake.base_url, fake.mode, fake.dir), flush=True)
    try:
        fake.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
