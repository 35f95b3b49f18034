"""Points, membership, packages and referral rewards (issue 15, without WeChat Pay), black-box through nginx.

Money reaches the ledgers here through zhimai-admin (recharge-credit: the same idempotent function the
payment callback will call; ledger-adjust: an operator's compensating row), never through a test-only
route.  Prices are 0 on the stack's own configuration (so the other files' analyses cost nothing);
the part that needs prices restarts zhimai-fcgi and zhimai-worker once with ZM_POINTS_PRICE_* set and
restores them at the end.  Time is moved by SQL on the one mutable points table (points_lot.expires_at)."""
import concurrent.futures
import hashlib
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import (PASSWORD, data_of, fresh_ip, new_email, new_user, poll_task, ready_resume, request,  # noqa: E402
                    sql, sql_str, restart_daemons)

# the environment variables this file restarts the daemons with (restart_daemons)
OWN_VARS = ("ZM_POINTS_",)

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
TAG = uuid.uuid4().hex[:8]
PRICES = {"ZM_POINTS_PRICE_MOCK_INTERVIEW_MINUTE": "3", "ZM_POINTS_PRICE_MEETING_MINUTE": "4",
          "ZM_POINTS_PRICE_DIAGNOSIS": "5", "ZM_POINTS_REFERRAL_DAILY_CAP": "1"}


def admin(*args):
    return subprocess.run([os.path.join(BUILD, "zhimai-admin"), "-c", CONF] + list(args), capture_output=True,
                          text=True, timeout=120)


def credit(user, order, fen, package=None):
    args = ["recharge-credit", "--user", str(user["id"]), "--order", order, "--fen", str(fen)]
    if package:
        args += ["--package", package]
    p = admin(*args)
    assert p.returncode == 0, "recharge-credit: %s %s" % (p.stdout, p.stderr)
    return p.stdout


def adjust(user, points, key, reason="test"):
    return admin("ledger-adjust", "--user", str(user["id"]), "--points", str(points), "--reason", reason,
                 "--key", key)


def get(path, user, status=200):
    return data_of(request("GET", path, token=user["access"]), status, "GET " + path)


def sub(user):
    return get("/api/v1/payment/subscription/", user)


def balance(user):
    return get("/api/v1/points/balance", user)["points"]


def ledger_consistent(user):
    """The inspector's invariants for one user: balance = sum of rows, each row's balance_after chains."""
    uid = int(user["id"])
    acc = sql("SELECT points, recharge_fen, entries FROM points_account WHERE user_id = %d" % uid)
    rows = sql("SELECT delta, balance_after FROM points_ledger WHERE user_id = %d ORDER BY id" % uid)
    money = sql("SELECT COALESCE(SUM(delta_fen), 0) FROM points_recharge_ledger WHERE user_id = %d" % uid)
    if not acc:
        assert not rows, rows
        return
    run = 0
    for d, after in rows:
        run += int(d)
        assert run == int(after), "balance_after does not chain: %r" % rows
    assert int(acc[0][0]) == run, (acc, run)
    assert int(acc[0][2]) == len(rows), (acc, len(rows))
    assert int(acc[0][1]) == int(money[0][0]), (acc, money)


# ---- shapes ----------------------------------------------------------------------------------------------


def test_subscription_of_a_new_user():
    u = new_user("sub")
    d = sub(u)
    assert d["level"] == {"code": "normal", "rank": 0, "label": "普通会员"}, d["level"]
    assert d["package"] is None and d["package_until"] is None, d
    assert d["cumulative_recharge_fen"] == 0 and d["points"] == 0, d
    nl = d["next_level"]
    assert nl["code"] == "bronze" and nl["threshold_fen"] == 1000 and nl["remaining_fen"] == 1000, nl
    assert nl["percent"] == 0, nl
    codes = {b["code"]: b for b in d["benefits"]}
    assert set(codes) >= {"news", "report_view", "report_download", "mock_interview", "meeting", "calendar_mail"}
    assert codes["meeting"]["level"] == "silver" and not codes["meeting"]["unlocked"], codes["meeting"]
    assert codes["calendar_mail"]["level"] == "gold", codes
    assert [p["code"] for p in d["packages"]] == ["week", "month", "quarter"], d["packages"]
    assert [lv["threshold_fen"] for lv in d["levels"]] == [0, 1000, 6000, 20000], d["levels"]
    assert d["min_recharge_fen"] == 1000 and d["points_per_yuan"] == 2, d
    assert d["max_recharge_fen"] == 5000000, d
    h = data_of(request("GET", "/api/v1/points/history/", token=u["access"]), 200, "history")
    assert h["items"] == [] and h["total"] == 0, h


def test_recharge_credits_once_and_sets_level():
    u = new_user("rc")
    order = "T%s%s" % (TAG, "rc1")
    out = credit(u, order, 6000)
    assert out.startswith("credited"), out
    d = sub(u)
    assert d["level"]["code"] == "silver" and d["cumulative_recharge_fen"] == 6000, d
    assert d["points"] == 120, d
    assert d["next_level"]["code"] == "gold" and d["next_level"]["remaining_fen"] == 14000, d["next_level"]
    assert d["next_level"]["percent"] == 0, d["next_level"]
    # the callback again, the order query, the inspector's repair: nothing more
    for _ in range(3):
        assert credit(u, order, 6000).startswith("already credited")
    p = admin("recharge-credit", "--user", str(u["id"]), "--order", order, "--fen", "6001")
    assert p.returncode == 1 and "another amount" in p.stderr, (p.stdout, p.stderr)
    assert sub(u)["points"] == 120
    rows = sql("SELECT reason, delta_fen, balance_after_fen, ref_kind, ref_id FROM points_recharge_ledger "
               "WHERE user_id = %d" % int(u["id"]))
    assert rows == [["recharge", "6000", "6000", "order", order]], rows
    h = get("/api/v1/points/history/", u)
    assert h["total"] == 1 and h["items"][0]["delta"] == 120 and h["items"][0]["reason"] == "recharge", h
    assert h["items"][0]["ref_kind"] == "order" and h["items"][0]["ref_id"] == order, h
    ledger_consistent(u)


def test_fifty_concurrent_identical_adjustments_credit_once():
    u = new_user("cc")
    key = "cc-%s" % TAG
    with concurrent.futures.ThreadPoolExecutor(50) as ex:
        outs = list(ex.map(lambda _: adjust(u, 7, key, "补偿"), range(50)))
    bad = [(p.returncode, p.stderr) for p in outs if p.returncode != 0]
    assert not bad, bad[:3]
    applied = [p for p in outs if p.stdout.startswith("applied")]
    assert len(applied) == 1, [p.stdout for p in outs][:5]
    assert balance(u) == 7
    assert sql("SELECT COUNT(*) FROM points_ledger WHERE idem_key = %s" % sql_str("admin:" + key)) == [["1"]]
    # the same key for another amount is refused, not applied
    p = adjust(u, 8, key)
    assert p.returncode == 1 and "another" in p.stderr, (p.stdout, p.stderr)
    ledger_consistent(u)


def test_concurrent_credits_of_one_order_credit_once():
    u = new_user("co")
    order = "T%sco" % TAG
    args = ["recharge-credit", "--user", str(u["id"]), "--order", order, "--fen", "1500"]
    with concurrent.futures.ThreadPoolExecutor(50) as ex:
        outs = list(ex.map(lambda _: admin(*args), range(50)))
    assert all(p.returncode == 0 for p in outs), [p.stderr for p in outs if p.returncode][:3]
    assert sum(p.stdout.startswith("credited") for p in outs) == 1
    d = sub(u)
    assert d["points"] == 30 and d["cumulative_recharge_fen"] == 1500 and d["level"]["code"] == "bronze", d
    ledger_consistent(u)


def test_negative_adjustment_beyond_balance_refused():
    u = new_user("neg")
    assert adjust(u, 5, "neg-a-%s" % TAG).returncode == 0
    p = adjust(u, -6, "neg-b-%s" % TAG)
    assert p.returncode == 1 and "1 more needed" in p.stderr, (p.stdout, p.stderr)
    assert balance(u) == 5
    assert adjust(u, -5, "neg-c-%s" % TAG).returncode == 0
    assert balance(u) == 0
    ledger_consistent(u)


# ---- the ledgers are append-only ---------------------------------------------------------------------------


def sql_fails(query):
    p = subprocess.run(["mariadb", "--defaults-file=" + os.path.join(zmtest.VAR, "client.cnf"), "-N", "-B", "-e",
                        query], capture_output=True, text=True)
    return p.returncode != 0 and "append-only" in p.stderr, p.stderr


def test_ledgers_refuse_update_and_delete():
    u = new_user("ao")
    credit(u, "T%sao" % TAG, 2000)
    uid = int(u["id"])
    before = sql("SELECT id, delta, balance_after FROM points_ledger WHERE user_id = %d" % uid)
    mbefore = sql("SELECT id, delta_fen FROM points_recharge_ledger WHERE user_id = %d" % uid)
    for q in ("UPDATE points_ledger SET delta = delta + 1000 WHERE user_id = %d" % uid,
              "DELETE FROM points_ledger WHERE user_id = %d" % uid,
              "UPDATE points_recharge_ledger SET delta_fen = 1 WHERE user_id = %d" % uid,
              "DELETE FROM points_recharge_ledger WHERE user_id = %d" % uid):
        ok, err = sql_fails(q)
        assert ok, "%s was not refused: %s" % (q, err)
    assert sql("SELECT id, delta, balance_after FROM points_ledger WHERE user_id = %d" % uid) == before
    assert sql("SELECT id, delta_fen FROM points_recharge_ledger WHERE user_id = %d" % uid) == mbefore
    ledger_consistent(u)


# ---- packages and the FIFO of expiring points -----------------------------------------------------------


def test_package_appends_after_the_current_one():
    u = new_user("pk")
    t0 = time.time()
    credit(u, "T%spk1" % TAG, 5990, "month")
    d = sub(u)
    # 5990 fen is 青铜 by recharge; the month package grants 白银 for its period
    assert d["recharge_level"]["code"] == "bronze" and d["level"]["code"] == "silver", d
    assert d["package"]["code"] == "month" and d["points"] == 120 and d["expiring_points"] == 120, d
    end1 = sql("SELECT UNIX_TIMESTAMP(ends_at) FROM points_package_period WHERE user_id = %d" % int(u["id"]))
    assert abs(float(end1[0][0]) - (t0 + 30 * 86400)) < 120, end1
    credit(u, "T%spk2" % TAG, 5990, "month")
    rows = sql("SELECT UNIX_TIMESTAMP(starts_at), UNIX_TIMESTAMP(ends_at) FROM points_package_period "
               "WHERE user_id = %d ORDER BY id" % int(u["id"]))
    assert len(rows) == 2 and rows[1][0] == rows[0][1], rows  # the second starts where the first ends
    assert abs(float(rows[1][1]) - (t0 + 60 * 86400)) < 120, rows
    d = sub(u)
    assert d["cumulative_recharge_fen"] == 11980 and d["recharge_level"]["code"] == "silver", d
    assert d["package"]["ends_at"] < d["package"]["until"] == d["package_until"], d["package"]
    # a week bought now (青铜) runs after both months: today's level stays 白银
    credit(u, "T%spk3" % TAG, 1990, "week")
    d = sub(u)
    assert d["level"]["code"] == "silver" and d["package"]["code"] == "month", d
    ledger_consistent(u)


def test_package_points_are_spent_first_and_expire():
    u = new_user("ff")
    uid = int(u["id"])
    credit(u, "T%sff1" % TAG, 1000)           # 20 points that never expire
    credit(u, "T%sff2" % TAG, 1990, "week")   # 40 points that expire with the week
    assert balance(u) == 60
    assert adjust(u, -30, "ff-a-%s" % TAG).returncode == 0
    lot = sql("SELECT id, amount, remaining FROM points_lot WHERE user_id = %d" % uid)
    assert [r[1:] for r in lot] == [["40", "10"]], lot  # taken from the expiring lot, not the permanent 20
    # the week is over: what is left of the lot is not spendable, before and after the write-off
    sql("UPDATE points_lot SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE user_id = %d" % uid)
    assert balance(u) == 20
    p = adjust(u, -25, "ff-b-%s" % TAG)
    assert p.returncode == 1 and "5 more needed" in p.stderr, (p.stdout, p.stderr)
    assert sql("SELECT COUNT(*) FROM points_ledger WHERE user_id = %d AND reason = 'expire'" % uid) == [["0"]]
    assert adjust(u, -5, "ff-c-%s" % TAG).returncode == 0
    h = get("/api/v1/points/history/?page_size=2", u)
    assert [(i["reason"], i["delta"], i["balance_after"]) for i in h["items"]] == [
        ("adjust", -5, 15), ("expire", -10, 20)], h["items"]
    assert h["total"] == 5, h
    assert sql("SELECT remaining FROM points_lot WHERE user_id = %d" % uid) == [["0"]]
    ledger_consistent(u)


# ---- referral ---------------------------------------------------------------------------------------------


def verify_by_token(uid):
    """Issue a verification token the way accounts stores them (its SHA-256) and use it through the API."""
    token = uuid.uuid4().hex + uuid.uuid4().hex
    sql("INSERT INTO zm_user_token (user_id, purpose, token_hash, expires_at, created_at) VALUES "
        "(%d, 'verify', '%s', UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, UTC_TIMESTAMP(6))"
        % (uid, hashlib.sha256(token.encode()).hexdigest()))
    r = request("POST", "/api/v1/auth/verify-email", {"token": token}, ip=fresh_ip())
    data_of(r, 200, "verify-email")


def test_referral_reward_once_per_verified_invitee():
    a = new_user("inv")
    ic = get("/api/v1/invite-code/", a)
    assert ic["invite_code"] and ic["share_link"].endswith("/register?invite_code=" + ic["invite_code"]), ic
    st = get("/api/v1/referral/stats/", a)
    assert st["invited"] == 0 and st["verified"] == 0 and st["points_earned"] == 0, st
    email = new_email("invitee")
    data_of(request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD,
                                                      "invite_code": ic["invite_code"]}, ip=fresh_ip()), 201, "register")
    bid = int(sql("SELECT id FROM auth_user WHERE email = %s" % sql_str(email))[0][0])
    st = get("/api/v1/referral/stats/", a)
    assert st["invited"] == 1 and st["verified"] == 0 and st["points_earned"] == 0, st
    verify_by_token(bid)
    st = get("/api/v1/referral/stats/", a)
    assert st["invited"] == 1 and st["verified"] == 1 and st["points_earned"] == 10, st
    assert balance(a) == 10
    verify_by_token(bid)  # a second verification link: no second reward
    assert balance(a) == 10 and get("/api/v1/referral/stats/", a)["points_earned"] == 10
    rows = sql("SELECT idem_key, ref_kind, ref_id FROM points_ledger WHERE user_id = %d" % int(a["id"]))
    assert rows == [["referral:%d:verified" % bid, "user", str(bid)]], rows
    ledger_consistent(a)


# ---- bad input -----------------------------------------------------------------------------------------


def test_consume_by_duration_bad_input():
    u = new_user("bad")
    for body in ({}, {"session_id": "s1"}, {"session_id": "s1", "seconds": 0},
                 {"session_id": "s1", "seconds": 86401}, {"session_id": "s 1", "seconds": 60},
                 {"session_id": "x" * 65, "seconds": 60}, {"session_id": "s1", "seconds": "60"},
                 {"session_id": "s1", "seconds": 60, "kind": "karaoke"}, {"session_id": "s1", "seconds": 1.5}):
        r = request("POST", "/api/v1/points/consume-by-duration", body, token=u["access"])
        assert r.status == 400, (body, r)
    r = request("GET", "/api/v1/points/history/?page_size=1000", token=u["access"])
    assert r.status == 400, r
    assert sql("SELECT COUNT(*) FROM points_ledger WHERE user_id = %d" % int(u["id"])) == [["0"]]


# ---- with prices (a restart) ---------------------------------------------------------------------------



PRICED = []


def test_with_prices():
    restart_daemons(OWN_VARS, PRICES)
    PRICED.append(1)
    assert request("GET", "/healthz").status == 200


def test_duration_needs_the_level_then_charges_each_minute_once():
    u = new_user("dur")
    s = "sess-%s" % uuid.uuid4().hex
    r = request("POST", "/api/v1/points/consume-by-duration", {"session_id": s, "seconds": 30}, token=u["access"])
    assert r.status == 403, r
    err = r.json["error"]
    assert err["code"] == "membership_required" and err["required_level"]["code"] == "bronze", err
    credit(u, "T%sdur" % TAG, 1000)  # 青铜, 20 points
    post = lambda sec, kind=None: request("POST", "/api/v1/points/consume-by-duration",  # noqa: E731
                                          dict({"session_id": s, "seconds": sec}, **({"kind": kind} if kind else {})),
                                          token=u["access"])
    d = data_of(post(61), 200, "61 s")
    assert d["minutes"] == 2 and d["charged"] == 6 and d["balance"] == 14, d
    d = data_of(post(61), 200, "61 s again")
    assert d["charged"] == 0 and d["balance"] == 14, d
    d = data_of(post(120), 200, "120 s")
    assert d["charged"] == 0, d
    r = post(600)  # 8 more minutes: 24 points, 14 there
    assert r.status == 402, r
    err = r.json["error"]
    assert err["code"] == "insufficient_points" and err["shortfall"] == 10 and err["balance"] == 14, err
    assert balance(u) == 14
    assert sql("SELECT COUNT(*) FROM points_ledger WHERE ref_kind = 'session' AND ref_id = %s" % sql_str(s)) == [["2"]]
    # the meeting assistant is 白银's
    r = post(60, "meeting")
    assert r.status == 403 and r.json["error"]["required_level"]["code"] == "silver", r
    ledger_consistent(u)


def test_analysis_charges_when_its_result_is_stored():
    u = new_user("an")
    rid = ready_resume(u, "zh_backend_strong.txt")
    path = "/api/v1/resume-diagnosis/full-with-skills"
    r = request("POST", path, {"resume_id": rid}, token=u["access"])
    assert r.status == 402, r
    assert r.json["error"]["shortfall"] == 5 and r.json["error"]["price"] == 5, r.json
    assert sql("SELECT COUNT(*) FROM zm_analysis WHERE user_id = %d" % int(u["id"])) == [["0"]]
    assert adjust(u, 7, "an-%s" % TAG).returncode == 0
    d = data_of(request("POST", path, {"resume_id": rid}, token=u["access"]), 202, "diagnosis")
    t = poll_task(u, d["task_id"])
    assert t["state"] == "done", t
    assert balance(u) == 2
    rows = sql("SELECT idem_key, reason, delta, ref_kind, ref_id FROM points_ledger WHERE user_id = %d "
               "AND reason = 'diagnosis'" % int(u["id"]))
    assert rows == [["analysis:%s:charge" % d["id"].replace("-", ""), "diagnosis", "-5", "analysis", d["id"]]], rows
    assert request("POST", path, {"resume_id": rid}, token=u["access"]).status == 402
    ledger_consistent(u)


def test_referral_rewards_capped_a_day():
    a = new_user("cap")
    code = get("/api/v1/invite-code/", a)["invite_code"]
    ids = []
    for i in range(2):
        email = new_email("capped%d" % i)
        data_of(request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "invite_code": code},
                        ip=fresh_ip()), 201, "register")
        ids.append(int(sql("SELECT id FROM auth_user WHERE email = %s" % sql_str(email))[0][0]))
    for bid in ids:
        verify_by_token(bid)
    st = get("/api/v1/referral/stats/", a)
    assert st["invited"] == 2 and st["verified"] == 2 and st["points_earned"] == 10 and st["daily_cap"] == 1, st
    assert balance(a) == 10
    ledger_consistent(a)


def dev_with(cmd, env_over):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZM_POINTS_")}
    env.update(env_over, ZM_VAR=zmtest.VAR, ZM_BUILD=BUILD)
    p = subprocess.run([os.path.join(zmtest.ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
    assert p.returncode == 0, "./dev %s failed: %s %s" % (cmd, p.stdout, p.stderr)


def test_analysis_that_can_no_longer_be_paid_fails_and_charges_nothing():
    """The points are checked when the analysis is asked for and charged when its result is stored: spent
    in between (the worker stopped meanwhile), the analysis fails with the reason and nothing is charged."""
    u = new_user("an2")
    rid = ready_resume(u, "zh_backend_strong.txt")
    assert adjust(u, 5, "an2-a-%s" % TAG).returncode == 0
    dev_with("worker-stop", PRICES)
    try:
        d = data_of(request("POST", "/api/v1/resume-diagnosis/full-with-skills", {"resume_id": rid},
                            token=u["access"]), 202, "diagnosis")
        assert adjust(u, -4, "an2-b-%s" % TAG).returncode == 0
    finally:
        dev_with("worker-start", PRICES)
    t = poll_task(u, d["task_id"])
    assert t["state"] == "failed", t
    g = data_of(request("GET", "/api/v1/resume-diagnosis/" + d["id"], token=u["access"]), 200, "GET diagnosis")
    assert g["state"] == "failed" and "积分不足" in g["error"] and g["result"] is None, g
    assert balance(u) == 1
    assert sql("SELECT COUNT(*) FROM points_ledger WHERE user_id = %d AND reason = 'diagnosis'" % int(u["id"])) == [
        ["0"]]
    ledger_consistent(u)


def test_restore_prices():
    restart_daemons(OWN_VARS, {})
    PRICED.clear()
    u = new_user("free")
    r = request("POST", "/api/v1/points/consume-by-duration", {"session_id": "free1", "seconds": 60},
                token=u["access"])
    assert r.status == 403, r  # the level is still needed when minutes are free


if __name__ == "__main__":
    try:
        zmtest.main(globals())
    finally:
        if PRICED:
            try:
                restart_daemons(OWN_VARS, {})
            except Exception as e:  # noqa: BLE001
                print("restoring the stack failed: %s" % e)
