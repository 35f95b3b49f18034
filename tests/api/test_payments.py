"""WeChat Pay Native payments (issue 15 items 4-6), black-box through nginx with the local fake.

The fixture stack runs without a merchant: the first test checks that ordering answers 503
payment_unavailable then.  The file then starts the fake (tests/fakes/wechatpay) in this process,
restarts zhimai-fcgi and zhimai-worker with ZM_WECHATPAY_* pointing at it (notify_url: this stack's
nginx), and restores the stack at the end.  The fake pays orders and sends signed, encrypted
notifications through its control endpoints: once, 100 times concurrently, never, tampered."""
import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import data_of, expect_404, expect_error, expect_field, new_user, raw, request, sql, sql_str, restart_daemons  # noqa: E402

# the environment variables this file restarts the daemons with (restart_daemons)
OWN_VARS = ("ZM_WECHATPAY_", "ZM_PAYMENTS_")

sys.path.insert(0, os.path.join(zmtest.ROOT, "tests", "fakes", "wechatpay"))
from fake_wechatpay import merchant_env, merchant_fake  # noqa: E402
from test_live import Channel  # noqa: E402

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
ORDERS = "/api/v1/payment/orders"

STATE = {"fake": None, "tmp": None, "configured": False}



def control(what, fake=None, **body):
    req = urllib.request.Request((fake or STATE["fake"]).base_url + "/_control/" + what,
                                 data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def order(user, body, status=201):
    return data_of(request("POST", ORDERS, body, token=user["access"]), status, "POST %s %r" % (ORDERS, body))


def get_order(user, no):
    return data_of(request("GET", ORDERS + "/" + no, token=user["access"]), 200, "GET order " + no)


def db_status(no):
    return sql("SELECT status FROM payments_order WHERE out_trade_no = %s" % sql_str(no))[0][0]


def credits(no):
    """(points ledger rows, recharge ledger rows) of the order's credit."""
    key = sql_str("order:%s:credit" % no)
    p = sql("SELECT COUNT(*) FROM points_ledger WHERE idem_key = %s" % key)[0][0]
    m = sql("SELECT COUNT(*) FROM points_recharge_ledger WHERE idem_key = %s" % key)[0][0]
    return int(p), int(m)


def balance(user):
    return data_of(request("GET", "/api/v1/points/balance", token=user["access"]), 200, "balance")


def anomalies(no, kind):
    return int(sql("SELECT COUNT(*) FROM payments_anomaly WHERE out_trade_no = %s AND kind = %s AND state = 'open'"
                   % (sql_str(no), sql_str(kind)))[0][0])


def png_size(data):
    """Check the PNG signature and chunks, inflate IDAT: (width, height, inflated bytes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + chunk) & 0xffffffff == crc, kind
        if kind == b"IHDR":
            w, h = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    pix = zlib.decompress(idat)
    return w, h, len(pix)


# ---- without a merchant ---------------------------------------------------------------------------------


def test_unavailable_without_merchant():
    u = new_user("pay0")
    r = request("POST", ORDERS, {"kind": "recharge", "amount_fen": 6000}, token=u["access"])
    expect_error(r, 503, "payment_unavailable")
    # the rest works
    data_of(request("GET", "/api/v1/payment/subscription/", token=u["access"]), 200, "subscription")
    assert request("POST", ORDERS, {"kind": "recharge", "amount_fen": 6000}).status == 401


def stack_env(fake, mode="public_key"):
    return dict(merchant_env(fake, zmtest.URL + "/api/v1/payment/wechat/notify", mode), ZM_PAYMENTS_QUERY_AFTER_S="1")


def test_configure_the_fake():
    tmp = tempfile.TemporaryDirectory()
    fake = merchant_fake(os.path.join(tmp.name, "fake")).start()
    STATE.update(fake=fake, tmp=tmp, configured=True)
    restart_daemons(OWN_VARS, stack_env(fake))


# ---- with the fake --------------------------------------------------------------------------------------


def test_bad_amounts_and_packages():
    u = new_user("pay1")
    for bad in (999, 0, -100, "6000", 6000.5, 10 ** 12, None, True):
        expect_field(request("POST", ORDERS, {"kind": "recharge", "amount_fen": bad}, token=u["access"]),
                     "amount_fen", what="amount %r" % (bad,))
    expect_field(request("POST", ORDERS, {"kind": "package", "package": "year"}, token=u["access"]), "package")
    expect_field(request("POST", ORDERS, {"kind": "package"}, token=u["access"]), "package")
    expect_field(request("POST", ORDERS, {"kind": "gift", "amount_fen": 6000}, token=u["access"]), "kind")
    expect_field(request("POST", ORDERS, {"amount_fen": 6000}, token=u["access"]), "kind")
    assert request("POST", ORDERS, b"kind=recharge", headers={"Content-Type": "text/plain"},
                   token=u["access"]).status == 415
    assert sql("SELECT COUNT(*) FROM payments_order WHERE user_id = %d" % int(u["id"])) == [["0"]]


def test_recharge_60_yuan_qr_pay_notify_silver_120():
    u = new_user("pay2")
    o = order(u, {"kind": "recharge", "amount_fen": 6000})
    no = o["out_trade_no"]
    assert o["status"] == "pending" and o["kind"] == "recharge" and o["amount_fen"] == 6000, o
    assert o["package"] is None and o["paid_at"] is None and o["code_url"].startswith("weixin://"), o
    assert o["qr_url"] == "%s/%s/qr.png" % (ORDERS, no) and o["expires_at"] and o["created_at"], o
    r = request("GET", o["qr_url"], token=u["access"])
    assert r.status == 200 and r.headers["Content-Type"] == "image/png", r
    w, h, n = png_size(r.body)
    assert w == h and w >= 21 * 8 and n == h * (w + 1), (w, h, n)
    assert balance(u)["level"] == "normal"
    ch = Channel(u["id"], token=u["access"])
    assert ch.status == 200, (ch.status, ch.body)
    try:
        t0 = time.monotonic()
        st = control("pay", out_trade_no=no)["statuses"]
        assert st in ([200], [204]), st
        ev = ch.wait_event(lambda e: e.get("type") == "payment.paid", "支付成功 on the live channel")
        print("     pay -> payment.paid on the user's channel: %.0f ms" % ((time.monotonic() - t0) * 1000))
        assert ev["out_trade_no"] == no and ev["amount_fen"] == 6000 and ev["points"] == 120, ev
        assert ev["level"] == "silver" and ev["balance"] == 120, ev
    finally:
        ch.close()
    g = get_order(u, no)
    assert g["status"] == "paid" and g["paid_at"], g
    b = balance(u)
    assert b["points"] == 120 and b["level"] == "silver", b
    assert credits(no) == (1, 1)
    # a late duplicate changes nothing
    assert control("notify", out_trade_no=no, times=2)["statuses"] in ([200, 200], [204, 204])
    assert balance(u)["points"] == 120 and credits(no) == (1, 1)
    # one receipt in the message center, whatever the duplicates
    assert receipts(u) == [(no, 6000, 120)], receipts(u)
    # the list shows it
    lst = data_of(request("GET", ORDERS, token=u["access"]), 200, "list")
    assert lst["total"] == 1 and lst["items"][0]["out_trade_no"] == no and lst["items"][0]["status"] == "paid", lst


def receipts(u):
    """The payment.succeeded messages of u: [(out_trade_no, amount_fen, points)]."""
    items = data_of(request("GET", "/api/v1/messages?page_size=100", token=u["access"]), 200)["items"]
    return [(m["data"]["out_trade_no"], m["data"]["amount_fen"], m["data"]["points"]) for m in items
            if m["kind"] == "payment.succeeded"]


def test_hundred_concurrent_duplicates_credit_once():
    u = new_user("pay3")
    no = order(u, {"kind": "recharge", "amount_fen": 6000})["out_trade_no"]
    st = control("pay", out_trade_no=no, times=100, concurrent=True)["statuses"]
    assert len(st) == 100 and all(s in (200, 204) for s in st), st
    assert credits(no) == (1, 1)
    b = balance(u)
    assert b["points"] == 120 and b["level"] == "silver", b
    results = sql("SELECT result, COUNT(*) FROM payments_notification WHERE out_trade_no = %s GROUP BY result "
                  "ORDER BY result" % sql_str(no))
    assert dict((k, int(v)) for k, v in results) == {"credited": 1, "duplicate": 99}, results
    assert receipts(u) == [(no, 6000, 120)], receipts(u)


def test_one_users_orders_paid_at_once_each_credit_once():
    """Five orders of one user paid together, each notified three times concurrently: every notification
    lands (no deadlock on the user's account row ends in a 500), each order credits once."""
    u = new_user("pay14")
    nos = [order(u, {"kind": "recharge", "amount_fen": 1000})["out_trade_no"] for _ in range(5)]
    with concurrent.futures.ThreadPoolExecutor(5) as ex:
        sts = list(ex.map(lambda no: control("pay", out_trade_no=no, times=3, concurrent=True)["statuses"], nos))
    assert all(len(st) == 3 and all(x in (200, 204) for x in st) for st in sts), sts
    assert [credits(no) for no in nos] == [(1, 1)] * 5
    b = balance(u)
    assert b["points"] == 100 and b["level"] == "bronze", b


def test_callback_that_never_comes_query_credits_once():
    u = new_user("pay4")
    no = order(u, {"kind": "recharge", "amount_fen": 1000})["out_trade_no"]
    assert control("pay", out_trade_no=no, times=0)["statuses"] == []
    zmtest.wait_for(lambda: get_order(u, no)["status"] == "paid", timeout=15, step=0.3, what="query settles")
    for _ in range(3):
        time.sleep(1.05)
        assert get_order(u, no)["status"] == "paid"
    assert credits(no) == (1, 1)
    b = balance(u)
    assert b["points"] == 20 and b["level"] == "bronze", b
    # the notification arriving after all credits nothing
    assert control("notify", out_trade_no=no)["statuses"] in ([200], [204])
    assert credits(no) == (1, 1) and balance(u)["points"] == 20


def test_forged_notifications_refused():
    u = new_user("pay5")
    no = order(u, {"kind": "recharge", "amount_fen": 6000})["out_trade_no"]
    for tamper in ("signature", "stale", "serial", "tag", "probe"):
        st = control("pay", out_trade_no=no, tamper=tamper)["statuses"]
        assert len(st) == 1 and st[0] in (400, 401), (tamper, st)
        assert db_status(no) == "pending" and credits(no) == (0, 0), tamper
    # made up by hand: no headers, garbage, a truncated copy of a valid one
    fake = STATE["fake"]
    headers, body = fake.notification(fake.orders[no])
    for hdrs, b in (({}, b"{}"), ({"Content-Type": "application/json"}, b"not json"),
                    (headers, body[:len(body) // 2]), (headers, body.replace(b"TRANSACTION", b"TRANSACTIOM")),
                    (headers, body + b" " * 20000)):
        r = raw("POST", "/api/v1/payment/wechat/notify", b, headers=hdrs)
        assert r.status in (400, 401), (hdrs, r)
        j = r.json
        assert j["code"] == "FAIL" and j["message"], j
    assert db_status(no) == "pending" and credits(no) == (0, 0)
    refused = sql("SELECT COUNT(*) FROM payments_notification WHERE result = 'refused' AND received_at > "
                  "UTC_TIMESTAMP() - INTERVAL 5 MINUTE")[0][0]
    assert int(refused) >= 10, refused
    assert balance(u)["points"] == 0
    # the genuine one still lands, once
    r = raw("POST", "/api/v1/payment/wechat/notify", body, headers=headers)
    assert r.status in (200, 204), r
    assert credits(no) == (1, 1) and balance(u)["points"] == 120


def test_wrong_amount_is_an_anomaly_not_a_credit():
    u = new_user("pay6")
    no = order(u, {"kind": "recharge", "amount_fen": 6000})["out_trade_no"]
    st = control("pay", out_trade_no=no, tamper="amount")["statuses"]
    assert len(st) == 1, st
    assert anomalies(no, "amount_mismatch") == 1
    assert db_status(no) == "pending" and credits(no) == (0, 0)
    assert balance(u)["points"] == 0


def expire_now(no):
    """Move the order past its expiry and run payments.expire now (the schedule runs it every minute)."""
    sql("UPDATE payments_order SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE out_trade_no = %s"
        % sql_str(no))
    env = {k: v for k, v in os.environ.items()}
    env["ZM_VAR"] = zmtest.VAR
    p = subprocess.run([os.path.join(BUILD, "zhimai-worker"), "-c", CONF, "enqueue", "payments.expire", "{}"],
                       env=env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr


def test_expired_order_paid_at_wechat_is_settled_not_closed():
    u = new_user("pay11")
    no = order(u, {"kind": "recharge", "amount_fen": 1000})["out_trade_no"]
    assert control("pay", out_trade_no=no, times=0)["statuses"] == []  # paid, the callback lost
    expire_now(no)
    zmtest.wait_for(lambda: db_status(no) == "paid", timeout=30, step=0.2, what="the expiry task settles it")
    assert credits(no) == (1, 1) and balance(u)["points"] == 20
    assert STATE["fake"].orders[no]["trade_state"] == "SUCCESS"


def test_paid_after_closed_is_an_anomaly():
    u = new_user("pay7")
    no = order(u, {"kind": "recharge", "amount_fen": 2000})["out_trade_no"]
    expire_now(no)
    zmtest.wait_for(lambda: db_status(no) == "closed", timeout=30, step=0.2, what="the expiry task closes the order")
    assert STATE["fake"].orders[no]["trade_state"] == "CLOSED"
    # the user had scanned before the close: WeChat pays it anyway and notifies
    st = control("pay", out_trade_no=no)["statuses"]
    assert st in ([200], [204]), st
    assert anomalies(no, "paid_after_close") == 1
    assert db_status(no) == "closed" and credits(no) == (0, 0) and balance(u)["points"] == 0
    assert get_order(u, no)["status"] == "closed"


def test_package_order():
    u = new_user("pay8")
    o = order(u, {"kind": "package", "package": "month"})
    assert o["kind"] == "package" and o["package"] == "month" and o["amount_fen"] == 5990, o
    control("pay", out_trade_no=o["out_trade_no"])
    assert get_order(u, o["out_trade_no"])["status"] == "paid"
    b = balance(u)
    assert b["level"] == "silver" and b["points"] == 120, b


def test_other_users_orders_are_404():
    a, b = new_user("pay9a"), new_user("pay9b")
    no = order(a, {"kind": "recharge", "amount_fen": 1000})["out_trade_no"]
    expect_404(request("GET", ORDERS + "/" + no, token=b["access"]), "another user's order")
    expect_404(request("GET", ORDERS + "/" + no + "/qr.png", token=b["access"]), "another user's QR")
    expect_404(request("GET", ORDERS + "/ZMNOSUCHORDER000", token=a["access"]), "unknown order")
    expect_404(request("GET", ORDERS + "/a'b%20c", token=a["access"]), "bad order number")
    assert data_of(request("GET", ORDERS, token=b["access"]), 200, "list")["total"] == 0
    for q in ("page=0", "page_size=1000", "page=x"):
        assert request("GET", ORDERS + "?" + q, token=a["access"]).status == 400, q
    assert request("GET", ORDERS + "/" + no).status == 401


def test_pending_orders_capped_race_free():
    """payments.max_pending_orders (5 by default): one more unpaid, unexpired order is 429
    too_many_pending_orders, also when twelve arrive at once (the count runs under the user's account
    lock); a paid or an expired order frees its place."""
    u = new_user("pay13")
    with concurrent.futures.ThreadPoolExecutor(12) as ex:
        rs = list(ex.map(lambda _: request("POST", ORDERS, {"kind": "recharge", "amount_fen": 1000},
                                           token=u["access"]), range(12)))
    assert sorted(r.status for r in rs) == [201] * 5 + [429] * 7, [r.status for r in rs]
    for r in rs:
        if r.status == 429:
            j = expect_error(r, 429, "too_many_pending_orders")
            assert "5" in j["error"]["message"], j
    nos = [r.json["data"]["out_trade_no"] for r in rs if r.status == 201]
    pending = "SELECT COUNT(*) FROM payments_order WHERE user_id = %d AND status = 'pending'" % int(u["id"])
    assert sql(pending) == [["5"]]
    assert sql("SELECT COUNT(*) FROM payments_order WHERE user_id = %d" % int(u["id"])) == [["5"]]
    expect_error(request("POST", ORDERS, {"kind": "package", "package": "week"}, token=u["access"]), 429,
                 "too_many_pending_orders")
    # paying one frees a place
    assert control("pay", out_trade_no=nos[0])["statuses"] in ([200], [204])
    o = order(u, {"kind": "recharge", "amount_fen": 1000})
    expect_error(request("POST", ORDERS, {"kind": "recharge", "amount_fen": 1000}, token=u["access"]), 429,
                 "too_many_pending_orders")
    # so does one past its expiry, before the expiry task has closed it
    sql("UPDATE payments_order SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE out_trade_no = %s"
        % sql_str(o["out_trade_no"]))
    order(u, {"kind": "recharge", "amount_fen": 1000})
    # another user is not counted with this one
    order(new_user("pay13b"), {"kind": "recharge", "amount_fen": 1000})


def test_certificate_mode():
    """The platform-certificate key mode: the client downloads /v3/certificates (decrypting them) and
    verifies the notification with the certificate its serial names."""
    tmp = tempfile.TemporaryDirectory()
    fake = merchant_fake(os.path.join(tmp.name, "fake"), mode="certificate").start()
    try:
        restart_daemons(OWN_VARS, stack_env(fake, "certificate"))
        u = new_user("pay12")
        no = order(u, {"kind": "recharge", "amount_fen": 6000})["out_trade_no"]
        st = control("pay", fake=fake, out_trade_no=no, times=3)["statuses"]
        assert all(x in (200, 204) for x in st), st
        assert credits(no) == (1, 1)
        b = balance(u)
        assert b["points"] == 120 and b["level"] == "silver", b
        st = control("pay", fake=fake, out_trade_no=no, tamper="serial")["statuses"]
        assert st == [401], st
        assert credits(no) == (1, 1)
    finally:
        fake.stop()
        tmp.cleanup()


def test_restore_the_stack():
    restart_daemons(OWN_VARS, {})
    STATE["configured"] = False
    u = new_user("pay10")
    expect_error(request("POST", ORDERS, {"kind": "recharge", "amount_fen": 6000}, token=u["access"]), 503,
                 "payment_unavailable")


if __name__ == "__main__":
    try:
        zmtest.main(globals())
    finally:
        if STATE["configured"]:
            try:
                restart_daemons(OWN_VARS, {})
            except Exception as e:  # noqa: BLE001
                print("restoring the stack failed: %s" % e)
        if STATE["fake"]:
            STATE["fake"].stop()
            STATE["tmp"].cleanup()
