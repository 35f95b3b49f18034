"""The reconciliation inspector, zhimai-inspect (issue 16), against the local WeChat Pay fake.

Each scenario lives on a day of its own (China time, days apart and chosen at random per run, so nothing
else in the database falls in its window): orders are written straight into payments_order (backdated),
credited through zhimai-admin recharge-credit (the callback's own credit function), and the fake is told
what WeChat knows (paid without a callback, refunded, a payment with no local order, ...) through its
control endpoints.  zhimai-inspect --date DAY then runs as cron runs it, and each anomaly must be found
exactly once; --repair must fix the safe ones and a second run be clean; the bill tampered with or WeChat
unreachable must exit 2 and change nothing.

zhimai-fcgi restarts against the fake (the late callback of the race test lands there); zhimai-worker is
stopped while the scenarios run (its payments.expire would close their expired orders under them) and
restarted against the fake for the on-demand run the admin API queues."""
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import data_of, expect_404, made_user, new_user, request, sql, sql_str  # noqa: E402

sys.path.insert(0, os.path.join(zmtest.ROOT, "tests", "fakes", "wechatpay"))
from fake_wechatpay import merchant_env, merchant_fake  # noqa: E402

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
TZ = datetime.timezone(datetime.timedelta(hours=8))
BASE_DAY = datetime.date(2015, 1, 1) + datetime.timedelta(days=20 * random.randrange(0, 150))
STATE = {"fake": None, "tmp": None, "configured": False, "day": 0, "admin": None}


def inspector_env(fake):
    return dict(merchant_env(fake, zmtest.URL + "/api/v1/payment/wechat/notify"), ZM_WECHATPAY_MAX_RETRIES="0")


def stack_env(over):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZM_WECHATPAY_", "ZM_INSPECT_"))}
    env.update(over)
    env["ZM_VAR"] = zmtest.VAR
    env["ZM_BUILD"] = BUILD
    return env


def dev(env, *cmds):
    for cmd in cmds:
        p = subprocess.run([os.path.join(zmtest.ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
        assert p.returncode == 0, "./dev %s failed: %s %s" % (cmd, p.stdout, p.stderr)


def control(what, **body):
    req = urllib.request.Request(STATE["fake"].base_url + "/_control/" + what, data=json.dumps(body).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def new_day():
    """A day (YYYY-MM-DD, +08:00) no other scenario uses, and its noon as a Unix time."""
    STATE["day"] += 1
    d = BASE_DAY + datetime.timedelta(days=10 * STATE["day"])
    noon = datetime.datetime(d.year, d.month, d.day, 12, 0, tzinfo=TZ).timestamp()
    return d.isoformat(), int(noon)


def new_no():
    return "IN" + uuid.uuid4().hex[:28].upper()


def local_order(user, no, fen, status, created, expires=None, paid=None, txid=None):
    """A payments_order row as the payments module writes it, backdated to created."""
    expires = expires if expires is not None else int(time.time()) + 3600
    sql("INSERT INTO payments_order (out_trade_no, user_id, kind, amount_fen, status, code_url, transaction_id, "
        "expires_at, paid_at, created_at, updated_at) VALUES (%s, %d, 'recharge', %d, %s, 'weixin://x', %s, "
        "FROM_UNIXTIME(%d), %s, FROM_UNIXTIME(%d), FROM_UNIXTIME(%d))"
        % (sql_str(no), int(user["id"]), fen, sql_str(status), sql_str(txid) if txid else "NULL", expires,
           "FROM_UNIXTIME(%d)" % paid if paid else "NULL", created, created))


def credit(user, no, fen):
    """The order credited through the callback's own function (zhimai-admin recharge-credit)."""
    p = subprocess.run([os.path.join(BUILD, "zhimai-admin"), "-c", CONF, "recharge-credit", "--user",
                        str(user["id"]), "--order", no, "--fen", str(fen)], capture_output=True, text=True,
                       timeout=60, env=stack_env({}))
    assert p.returncode == 0, p.stderr


def credits(no):
    key = sql_str("order:%s:credit" % no)
    p = sql("SELECT COUNT(*) FROM points_ledger WHERE idem_key = %s" % key)[0][0]
    m = sql("SELECT COUNT(*) FROM points_recharge_ledger WHERE idem_key = %s" % key)[0][0]
    return int(p), int(m)


def db_status(no):
    return sql("SELECT status FROM payments_order WHERE out_trade_no = %s" % sql_str(no))[0][0]


def paid_at_wechat(no, fen, when, state="SUCCESS", **kw):
    return control("order", out_trade_no=no, total=fen, state=state, paid=when,
                   notify_url=zmtest.URL + "/api/v1/payment/wechat/notify", **kw)["transaction_id"]


def inspect(day, *args, env=None, wait=True):
    """zhimai-inspect --date day --format json [args]: (exit status, report or None, stderr)."""
    cmd = [os.path.join(BUILD, "zhimai-inspect"), "-c", CONF, "--date", day, "--format", "json",
           "--report-dir", os.path.join(STATE["tmp"].name, "reports")] + list(args)
    e = stack_env(inspector_env(STATE["fake"]))
    e.update(env or {})
    if not wait:
        return subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120)
    return finish(p.returncode, p.stdout, p.stderr)


def finish(rc, out, err):
    report = json.loads(out) if out.strip() else None
    return rc, report, err


def kinds(report):
    found = {}
    for f in report["findings"]:
        found[f["kind"]] = found.get(f["kind"], 0) + 1
    return found


def only(report, kind):
    fs = [f for f in report["findings"] if f["kind"] == kind]
    assert len(fs) == 1, report["findings"]
    return fs[0]


# ---- set-up ---------------------------------------------------------------------------------------------



def test_set_up_the_fake():
    tmp = tempfile.TemporaryDirectory()
    fake = merchant_fake(os.path.join(tmp.name, "fake")).start()
    STATE.update(fake=fake, tmp=tmp, configured=True)
    env = stack_env(inspector_env(fake))
    dev(env, "worker-stop", "fcgi-stop", "fcgi-start")
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz after a restart")
    STATE["admin"] = made_user("admin")


# ---- each finding on purpose, found exactly once ----------------------------------------------------------


def test_clean_day_exits_0():
    day, noon = new_day()
    u = new_user("insp0")
    no = new_no()
    txid = paid_at_wechat(no, 1000, noon + 60)
    local_order(u, no, 1000, "paid", noon, paid=noon + 61, txid=txid)
    credit(u, no, 1000)
    rc, rep, err = inspect(day)
    assert rc == 0, (rc, rep, err)
    assert rep["status"] == "clean" and rep["findings"] == [] and rep["orders_checked"] == 1, rep
    assert rep["bill_rows"] == 1 and rep["queries"] == 0, rep
    run = sql("SELECT status, orders_checked, findings FROM inspect_run WHERE id = %d" % rep["run_id"])
    assert run == [["clean", "1", "0"]], run
    files = os.listdir(os.path.join(STATE["tmp"].name, "reports"))
    assert "inspect-%d.txt" % rep["run_id"] in files and "inspect-%d.json" % rep["run_id"] in files, files


def test_paid_at_wechat_never_credited():
    day, noon = new_day()
    u = new_user("insp1")
    no = new_no()
    local_order(u, no, 6000, "pending", noon)  # the callback never came
    paid_at_wechat(no, 6000, noon + 120)
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"paid_not_credited": 1}, (rc, rep)
    f = only(rep, "paid_not_credited")
    assert f["out_trade_no"] == no and f["user_id"] == int(u["id"]) and f["state"] == "open", f
    assert f["order_fen"] == 6000 and f["wechat_fen"] == 6000 and f["detail"]["wechat_source"] == "bill", f
    assert db_status(no) == "pending" and credits(no) == (0, 0)  # without --repair nothing changes
    # the admins heard of it
    msgs = data_of(request("GET", "/api/v1/messages?page_size=100", token=STATE["admin"]["access"]),
                   200)
    mine = [m for m in msgs["items"] if m["kind"] == "inspection.finding" and m["data"]["run_id"] == rep["run_id"]]
    assert len(mine) == 1 and mine[0]["audience"] == "role", msgs
    mails = sql("SELECT COUNT(*) FROM zm_task WHERE type = 'mail.send' AND payload LIKE %s"
                % sql_str("%%%s%%" % STATE["admin"]["email"]))
    assert int(mails[0][0]) >= 1, mails


def test_credited_but_not_paid_or_unknown_at_wechat():
    day, noon = new_day()
    u = new_user("insp2")
    a, b = new_no(), new_no()
    control("order", out_trade_no=a, total=1000, state="NOTPAY")  # WeChat knows it, unpaid
    local_order(u, a, 1000, "paid", noon, paid=noon + 30, txid="4200000000000000000000000001")
    credit(u, a, 1000)
    local_order(u, b, 2000, "paid", noon + 60, paid=noon + 90, txid="4200000000000000000000000002")
    credit(u, b, 2000)  # WeChat never heard of b
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"credited_not_paid": 2}, (rc, rep)
    states = sorted(f["detail"]["wechat_state"] for f in rep["findings"])
    assert states == ["NOTPAY", "ORDER_NOT_EXIST"], states
    assert rep["queries"] == 2, rep


def test_refunded_at_wechat_still_credited():
    day, noon = new_day()
    u = new_user("insp3")
    no = new_no()
    txid = paid_at_wechat(no, 1000, noon + 60)
    local_order(u, no, 1000, "paid", noon, paid=noon + 61, txid=txid)
    credit(u, no, 1000)
    control("refund", out_trade_no=no, at=noon + 3600)
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"refunded": 1}, (rc, rep)
    assert only(rep, "refunded")["out_trade_no"] == no


def test_amount_differs_between_order_and_bill():
    day, noon = new_day()
    u = new_user("insp4")
    no = new_no()
    txid = paid_at_wechat(no, 2000, noon + 60)  # WeChat took 20 yuan
    local_order(u, no, 1000, "paid", noon, paid=noon + 61, txid=txid)  # the order says 10
    credit(u, no, 1000)
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"amount_mismatch": 1}, (rc, rep)
    f = only(rep, "amount_mismatch")
    assert f["order_fen"] == 1000 and f["wechat_fen"] == 2000 and f["ledger_fen"] == 1000, f


def test_credited_twice():
    day, noon = new_day()
    u = new_user("insp5")
    no = new_no()
    txid = paid_at_wechat(no, 100000, noon + 60)
    local_order(u, no, 100000, "paid", noon, paid=noon + 61, txid=txid)
    credit(u, no, 100000)
    # a second credit under another key (a bug, a hand-made row), the account kept in step with it
    uid = int(u["id"])
    sql("INSERT INTO points_recharge_ledger (user_id, idem_key, reason, delta_fen, balance_after_fen, ref_kind, "
        "ref_id, created_at) VALUES (%d, %s, 'recharge', 100000, 200000, 'order', %s, UTC_TIMESTAMP(6))"
        % (uid, sql_str("order:%s:credit:again" % no), sql_str(no)))
    sql("UPDATE points_account SET recharge_fen = recharge_fen + 100000 WHERE user_id = %d" % uid)
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"double_credit": 1}, (rc, rep)
    assert only(rep, "double_credit")["detail"]["credits"] == 2


def test_closed_here_paid_at_wechat():
    day, noon = new_day()
    u = new_user("insp6")
    no = new_no()
    local_order(u, no, 1000, "closed", noon, expires=noon + 900)
    paid_at_wechat(no, 1000, noon + 600)
    rc, rep, _ = inspect(day, "--repair")  # not a safe kind: reported, never repaired
    assert rc == 1 and kinds(rep) == {"paid_after_close": 1}, (rc, rep)
    assert only(rep, "paid_after_close")["state"] == "open"
    assert db_status(no) == "closed" and credits(no) == (0, 0)


def test_bill_row_without_an_order():
    day, noon = new_day()
    no = new_no()
    paid_at_wechat(no, 990, noon + 5)  # WeChat took a payment for an order this system never made
    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"unknown_bill_row": 1}, (rc, rep)
    f = only(rep, "unknown_bill_row")
    assert f["out_trade_no"] == no and f["wechat_fen"] == 990 and f["user_id"] is None, f


def test_balance_differs_from_its_ledger():
    day, noon = new_day()
    u = new_user("insp7")
    no = new_no()
    txid = paid_at_wechat(no, 1000, noon + 60)
    local_order(u, no, 1000, "paid", noon, paid=noon + 61, txid=txid)
    credit(u, no, 1000)
    sql("UPDATE points_account SET points = points + 5 WHERE user_id = %d" % int(u["id"]))
    rc, rep, _ = inspect(day, "--repair")  # not a safe kind
    assert rc == 1 and kinds(rep) == {"balance_mismatch": 1}, (rc, rep)
    f = only(rep, "balance_mismatch")
    assert f["user_id"] == int(u["id"]) and f["detail"]["points"] == f["detail"]["points_ledger_sum"] + 5, f


def test_since_asks_wechat_about_every_order_of_the_window():
    """--since: no bill; each order of the last DURATION is asked about (other files' orders of the hour may be
    in the window too: only this one's finding is counted)."""
    u = new_user("insp12")
    no = new_no()
    now = int(time.time())
    local_order(u, no, 2000, "pending", now - 60)
    paid_at_wechat(no, 2000, now - 30)
    cmd = [os.path.join(BUILD, "zhimai-inspect"), "-c", CONF, "--since", "10m", "--format", "json", "--no-notify"]
    p = subprocess.run(cmd, env=stack_env(inspector_env(STATE["fake"])), capture_output=True, text=True, timeout=120)
    rc, rep, err = finish(p.returncode, p.stdout, p.stderr)
    assert rc == 1 and rep["bill_date"] is None and rep["queries"] >= 1, (rc, rep, err)
    mine = [f for f in rep["findings"] if f["out_trade_no"] == no]
    assert len(mine) == 1 and mine[0]["kind"] == "paid_not_credited", mine
    assert mine[0]["detail"]["wechat_source"] == "query", mine
    assert db_status(no) == "pending" and credits(no) == (0, 0)


# ---- repair: the safe ones, then a clean run ----------------------------------------------------------------


def test_repair_fixes_the_safe_ones_and_a_second_run_is_clean():
    day, noon = new_day()
    a, b, c = new_user("insp8a"), new_user("insp8b"), new_user("insp8c")
    lost = new_no()  # paid at WeChat, the callback lost
    local_order(a, lost, 6000, "pending", noon)
    paid_at_wechat(lost, 6000, noon + 100)
    stuck = new_no()  # pending long past its expiry, unpaid at WeChat
    control("order", out_trade_no=stuck, total=1000, state="NOTPAY")
    local_order(b, stuck, 1000, "pending", noon + 10, expires=int(time.time()) - 3600)
    lvl = new_no()  # credited, but the level stored disagrees with the cumulative recharge
    txid = paid_at_wechat(lvl, 1000, noon + 200)
    local_order(c, lvl, 1000, "paid", noon + 150, paid=noon + 201, txid=txid)
    credit(c, lvl, 1000)
    sql("UPDATE points_account SET recharge_level = 3 WHERE user_id = %d" % int(c["id"]))

    rc, rep, _ = inspect(day)
    assert rc == 1 and kinds(rep) == {"paid_not_credited": 1, "stuck_pending": 1, "level_mismatch": 1}, (rc, rep)
    rc, rep, _ = inspect(day, "--repair")
    assert rc == 1 and kinds(rep) == {"paid_not_credited": 1, "stuck_pending": 1, "level_mismatch": 1}, (rc, rep)
    assert all(f["state"] == "repaired" for f in rep["findings"]) and rep["repaired"] == 3, rep
    assert db_status(lost) == "paid" and credits(lost) == (1, 1)
    assert db_status(stuck) == "closed" and STATE["fake"].orders[stuck]["trade_state"] == "CLOSED"
    assert sql("SELECT recharge_level FROM points_account WHERE user_id = %d" % int(c["id"])) == [["1"]]
    assert sql("SELECT COUNT(*) FROM inspect_finding WHERE run_id = %d AND state = 'repaired'"
               % rep["run_id"]) == [["3"]]
    # repaired means repaired: the next run finds nothing, and repairing again credits nothing more
    rc, rep, err = inspect(day, "--repair")
    assert rc == 0 and rep["status"] == "clean" and rep["findings"] == [], (rc, rep, err)
    assert credits(lost) == (1, 1)
    bal = sql("SELECT points, recharge_fen, recharge_level FROM points_account WHERE user_id = %d" % int(a["id"]))
    assert bal == [["120", "6000", "2"]], bal


def test_repair_racing_a_late_callback_credits_once():
    day, noon = new_day()
    u = new_user("insp9")
    no = new_no()
    local_order(u, no, 6000, "pending", noon)
    paid_at_wechat(no, 6000, noon + 100)
    p = inspect(day, "--repair", wait=False)
    st = control("notify", out_trade_no=no, times=5, concurrent=True)["statuses"]
    out, err = p.communicate(timeout=120)
    rc, rep, err = finish(p.returncode, out, err)
    assert rc in (0, 1), (rc, err)
    assert all(s in (200, 204) for s in st), st
    assert db_status(no) == "paid" and credits(no) == (1, 1)
    bal = sql("SELECT points, recharge_fen FROM points_account WHERE user_id = %d" % int(u["id"]))
    assert bal == [["120", "6000"]], bal
    rc, rep, _ = inspect(day)
    assert rc == 0, rep


# ---- one at a time; could not run -> exit 2, nothing changed ----------------------------------------------


def test_two_inspectors_one_runs():
    day, _ = new_day()
    control("bill", delay_s=3)
    try:
        first = inspect(day, wait=False)
        zmtest.wait_for(lambda: any(r["path"].startswith("/v3/bill/tradebill?bill_date=" + day)
                                    for r in list(STATE["fake"].requests)), timeout=30, what="the first run's bill")
        rc, rep, err = inspect(day)
        assert rc == 3 and rep is None and "another zhimai-inspect run holds the lock" in err, (rc, err)
        out, err1 = first.communicate(timeout=120)
        assert first.returncode == 0, (first.returncode, err1)
    finally:
        control("bill", mode="normal", delay_s=0)


def failing_day():
    """A day with a payment whose credit a repair would make: the proof that a failed run changed nothing."""
    day, noon = new_day()
    u = new_user("insp10")
    no = new_no()
    local_order(u, no, 1000, "pending", noon)
    paid_at_wechat(no, 1000, noon + 100)
    return day, no


def assert_nothing_changed(day, no, rc, rep, err, words):
    assert rc == 2, (rc, err)
    assert any(w in err for w in words), err
    assert rep["status"] == "failed" and rep["findings"] == [], rep
    assert db_status(no) == "pending" and credits(no) == (0, 0)
    assert sql("SELECT status FROM inspect_run WHERE id = %d" % rep["run_id"]) == [["failed"]]


def test_bad_bills_and_no_wechat_exit_2_and_change_nothing():
    day, no = failing_day()
    try:
        for mode, words in (("bad_hash", ["bill hash mismatch", "SHA1"]),
                            ("malformed", ["malformed trade bill", "not a bill row"]),
                            ("oversized", ["too big", "over", "cap"])):
            control("bill", mode=mode)
            rc, rep, err = inspect(day, "--repair", env={"ZM_INSPECT_MAX_BILL_MB": "1"})
            assert_nothing_changed(day, no, rc, rep, err, words)
    finally:
        control("bill", mode="normal")
    rc, rep, err = inspect(day, "--repair", env={"ZM_WECHATPAY_BASE_URL": "http://127.0.0.1:9"})
    assert_nothing_changed(day, no, rc, rep, err, ["trade bill", "Connection refused", "connect"])
    # WeChat answering 500 to the queries (the bill fine)
    control("fail", count=1000, status=500)
    try:
        rc, rep, err = inspect(day, "--repair", "--no-notify")
    finally:
        control("fail", count=0)
    assert_nothing_changed(day, no, rc, rep, err, ["trade bill", "querying"])
    # and then it works
    rc, rep, _ = inspect(day, "--repair")
    assert rc == 1 and kinds(rep) == {"paid_not_credited": 1} and credits(no) == (1, 1), rep


def test_bad_arguments_exit_2():
    for args in (["--date", "2026-13-01"], ["--date", "x"], ["--since", "5y"], ["--format", "xml"],
                 ["--date", "2026-01-01", "--since", "1d"], ["--bogus"]):
        p = subprocess.run([os.path.join(BUILD, "zhimai-inspect"), "-c", CONF] + args, capture_output=True,
                           text=True, env=stack_env(inspector_env(STATE["fake"])), timeout=60)
        assert p.returncode == 2 and p.stderr, (args, p.returncode, p.stderr)


# ---- the admin API and the on-demand run ---------------------------------------------------------------------


def test_admin_api_runs_findings_acknowledge():
    admin = STATE["admin"]
    day, noon = new_day()
    no = new_no()
    paid_at_wechat(no, 990, noon + 5)
    rc, rep, _ = inspect(day)
    assert rc == 1
    lst = data_of(request("GET", "/api/v1/admin/inspections?page_size=5", token=admin["access"]), 200, "list")
    assert lst["total"] >= 1 and lst["items"][0]["id"] == rep["run_id"], lst
    run = lst["items"][0]
    assert run["status"] == "anomalies" and run["counts"] == {"unknown_bill_row": 1} and run["open_findings"] == 1
    got = data_of(request("GET", "/api/v1/admin/inspections/%d" % rep["run_id"], token=admin["access"]), 200, "get")
    assert len(got["findings"]) == 1 and got["findings"][0]["kind"] == "unknown_bill_row", got
    fid = got["findings"][0]["id"]
    ack = "/api/v1/admin/inspections/findings/%d/acknowledge" % fid
    r = request("POST", ack, {}, token=admin["access"])
    assert r.status == 400, r
    done = data_of(request("POST", ack, {"note": "已在商户平台退款"}, token=admin["access"]), 200, "ack")
    assert done["state"] == "acknowledged" and done["note"] == "已在商户平台退款", done
    assert done["acked_by"] == int(admin["id"]) and done["acked_at"], done
    expect_404(request("GET", "/api/v1/admin/inspections/999999999", token=admin["access"]), "no such run")
    expect_404(request("POST", "/api/v1/admin/inspections/findings/999999999/acknowledge", {"note": "x"},
                       token=admin["access"]), "no such finding")
    seeker = new_user("insp11")
    for m, p, b in (("GET", "/api/v1/admin/inspections", None), ("GET", "/api/v1/admin/inspections/%d"
                                                                  % rep["run_id"], None),
                    ("POST", "/api/v1/admin/inspections", {}), ("POST", ack, {"note": "x"})):
        assert request(m, p, b, token=seeker["access"]).status == 403, (m, p)
        assert request(m, p, b).status == 401, (m, p)


def test_on_demand_run_is_a_task():
    admin = STATE["admin"]
    dev(stack_env(inspector_env(STATE["fake"])), "worker-start")
    d = data_of(request("POST", "/api/v1/admin/inspections", {"repair": False}, token=admin["access"]), 202,
                "enqueue")
    task = zmtest.poll_task(admin, d["task_id"], timeout=120, step=0.2)
    assert task["state"] == "done", task
    run_id = task["result"]["run_id"]
    got = data_of(request("GET", "/api/v1/admin/inspections/%d" % run_id, token=admin["access"]), 200, "run")
    assert got["origin"] == "task" and got["task_id"] == d["task_id"] and got["status"] in ("clean", "anomalies"), got


def test_restore_the_stack():
    dev(stack_env({}), "worker-stop", "fcgi-stop", "fcgi-start", "worker-start")
    STATE["configured"] = False
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz after a restart")


if __name__ == "__main__":
    try:
        zmtest.main(globals())
    finally:
        if STATE["configured"]:
            try:
                dev(stack_env({}), "worker-stop", "fcgi-stop", "fcgi-start", "worker-start")
            except Exception as e:  # noqa: BLE001
                print("restoring the stack failed: %s" % e)
        if STATE["fake"]:
            STATE["fake"].stop()
            STATE["tmp"].cleanup()
