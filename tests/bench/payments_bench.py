#!/usr/bin/python3
"""WeChat Pay notification handling p50/p99 at 32 concurrent, and order creation, through nginx
(issue 15: notify p99 <= 20 ms including signature verification and decryption).

Against a running stack (its zhimai-fcgi and zhimai-worker are restarted pointing at a fake this script
starts in-process, and restarted without it at the end):

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/payments_bench.py [orders]   (default 640)

USERS users each create orders/USERS orders of 10 yuan (POST /api/v1/payment/orders: a signed native
order at the fake; timed, 8 at a time); the fake marks them paid without notifying; then every order's
signed, encrypted TRANSACTION.SUCCESS notification (made by the fake's own code) is POSTed to
/api/v1/payment/wechat/notify from 32 threads, first the valid first deliveries (credit path: RSA
verify, AES-GCM decrypt, the order row FOR UPDATE, two ledger rows, the account row), then the same
again as duplicates (verify, decrypt, a locked read).  Each must answer 200 and each order end paid.
A quarter of the orders go one at a time (the service time), the rest 32 at a time.

Measured (Release build, fcgi.workers = nproc = 2 on 2 cores shared with other builds and with this
script's 32 Python threads, 640 orders over 32 users, durable commits): one at a time, a first
notification (credit) p50 2.9 ms p99 11 ms, a duplicate p50 1.1 ms p99 7 ms; at 32 concurrent, credit
p50 81 ms p99 131 ms, duplicate p50 17 ms p99 41 ms; order creation (8 concurrent, a signed request
to the fake) p50 28 ms p99 59 ms.  At 32 in flight on 2 workers a request waits behind ~15 others, so
the issue's 20 ms p99 at 32 concurrent is not met on this machine: the latency is the queue in front
of two processes (2.9 ms x 16 = 46 ms before contention on the users' account rows and two fsyncs a
credit: the notification log row and the settling transaction), not the verification.
"""
import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes", "wechatpay"))
import zmtest  # noqa: E402
from fake_wechatpay import FakeWechatPay  # noqa: E402
from zmtest import data_of, new_user, request, sql  # noqa: E402

zmtest.IP_RANGES.setdefault("payments_bench.py", "127.28.")
VECTORS = os.path.join(HERE, "..", "data", "wechatpay")
MCHID, APPID = "1230000109", "wxd678efh567hg6787"
SERIAL = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115"
APIV3 = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"
USERS, CONC = 32, 32


def restart(env_over):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZM_WECHATPAY_", "ZM_PAYMENTS_"))}
    env.update(env_over, ZM_VAR=zmtest.VAR, ZM_BUILD=zmtest.ENV["ZM_BUILD"])
    for cmd in ("worker-stop", "fcgi-stop", "fcgi-start", "worker-start"):
        p = subprocess.run([os.path.join(zmtest.ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
        assert p.returncode == 0, "./dev %s: %s %s" % (cmd, p.stdout, p.stderr)
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def report(name, ms):
    print("%-34s n=%4d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms" % (name, len(ms), statistics.median(ms),
                                                                     pct(ms, 0.99), max(ms)), flush=True)


def post_notify(headers, body):
    req = urllib.request.Request(zmtest.URL + "/api/v1/payment/wechat/notify", data=body, headers=headers,
                                 method="POST")
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        status = r.status
    return status, (time.perf_counter() - t0) * 1000


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 640
    tmp = tempfile.TemporaryDirectory()
    fake = FakeWechatPay(os.path.join(tmp.name, "fake"), os.path.join(VECTORS, "j_merchant_certificate.pem"),
                         SERIAL, MCHID, APPID, APIV3).start()
    restart({"ZM_WECHATPAY_BASE_URL": fake.base_url, "ZM_WECHATPAY_MCHID": MCHID, "ZM_WECHATPAY_APPID": APPID,
             "ZM_WECHATPAY_MERCHANT_SERIAL": SERIAL,
             "ZM_WECHATPAY_MERCHANT_KEY": os.path.join(VECTORS, "j_merchant_private_key.pem"),
             "ZM_WECHATPAY_APIV3_KEY": APIV3, "ZM_WECHATPAY_MODE": "public_key",
             "ZM_WECHATPAY_PLATFORM_PUBLIC_KEY": os.path.join(fake.dir, "platform_public_key.pem"),
             "ZM_WECHATPAY_PLATFORM_PUBLIC_KEY_ID": fake.pubkey_id,
             "ZM_WECHATPAY_NOTIFY_URL": zmtest.URL + "/api/v1/payment/wechat/notify",
             "ZM_PAYMENTS_QUERY_AFTER_S": "3600"})
    try:
        users = [new_user("paybench") for _ in range(USERS)]

        def create(i):
            u = users[i % USERS]
            t0 = time.perf_counter()
            r = request("POST", "/api/v1/payment/orders", {"kind": "recharge", "amount_fen": 1000}, token=u["access"])
            ms = (time.perf_counter() - t0) * 1000
            return data_of(r, 201, "order")["out_trade_no"], ms

        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            made = list(ex.map(create, range(n)))
        report("POST /payment/orders (8 conc.)", [ms for _, ms in made])
        nos = [no for no, _ in made]
        notes = []
        for no in nos:
            notes.append(fake.notification(fake.pay(no)))
        # one at a time (the service time), then CONC at a time (with the queueing in front of the workers)
        seq, par = notes[:len(notes) // 4], notes[len(notes) // 4:]
        for label, batch, conc in (("notify, first (credits)", seq, 1), ("notify, first (credits)", par, CONC),
                                   ("notify, duplicate", seq, 1), ("notify, duplicate", notes, CONC)):
            with concurrent.futures.ThreadPoolExecutor(conc) as ex:
                res = list(ex.map(lambda hb: post_notify(*hb), batch))
            assert all(s == 200 for s, _ in res), [s for s, _ in res if s != 200][:5]
            report("%s (%d conc.)" % (label, conc), [ms for _, ms in res])
        in_list = ",".join("'%s'" % no for no in nos)
        paid = sql("SELECT COUNT(*) FROM payments_order WHERE status = 'paid' AND out_trade_no IN (%s)" % in_list)
        rows = sql("SELECT COUNT(*) FROM points_recharge_ledger WHERE ref_kind = 'order' AND ref_id IN (%s)" % in_list)
        assert int(paid[0][0]) == n and int(rows[0][0]) == n, (paid, rows)
        print("all %d orders paid, %d credits" % (n, n))
    finally:
        restart({})
        fake.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
